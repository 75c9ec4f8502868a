# mrm controls test: the periodic control test over the whole inventory. Every model that is
# not retired is gated at its current version (production first, then by tier); the gaps are
# listed by model with their reasons, then the totals per control. Exit 1 when any gap.
q() { "$MRM" "$@" >/dev/null 2>&1 || echo "setup failed: mrm $*"; }
cp "$DATA/policy/ours.yaml" .
export MRM_NOW=2026-11-02T09:00:00Z
t init
q user add alice --role admin,validator
q --as alice user add bob --role owner
q --as alice user add carol --role approver
# fraud: tier 2, production, nearly complete; forecast: tier 3, production, complete;
# assistant: a generative model in development, untiered; legacy: retired
q --as bob model add fraud --name "Fraud score" --owner bob --purpose "Hold suspicious payments" \
	--intended-use "Real-time holds" --population "Card payments" --data-source transactions --status production
q --as bob tier assess fraud --answers "$DATA/tier-fraud.yaml"
q --as bob model version add fraud 3.1
echo card >card.md; echo risk >risk.md; echo val >val.md
q --as bob evidence add fraud model-card card.md --version 3.1
q --as bob evidence add fraud risk-assessment risk.md --version 3.1
q --as alice evidence add fraud validation-report val.md --version 3.1
q --as alice signoff fraud --role validator
q --as alice review open fraud
q --as carol review decide R-1 approve --note "Sound"
q --as bob monitor add fraud --signal drift_share --warn 0.3 --alert 0.5
q --as bob model add forecast --name "Call volume" --owner bob --purpose "Rostering" --intended-use "Staff plans" \
	--status production
q --as bob tier assess forecast --answers "$DATA/tier-forecast.yaml"
q --as bob evidence add forecast model-card card.md
q --as bob model add assistant --name "Assistant" --owner bob --purpose "Answer questions" --type llm
q --as bob model add legacy --name "Legacy" --owner bob --purpose "Old scorecard" --status retired
export MRM_NOW=2026-11-26T09:00:00Z
# on the fraud model (tier 2): an open high finding (2 allowed) and a critical one (none allowed)
# whose risk is accepted: the finding limits are waived, naming the acceptance
q --as alice finding add fraud --severity high --category performance --title "Recall dropped" --owner bob
q --as alice finding add fraud --severity critical --category security --title "Replay attack" --owner bob
q --as carol accept fraud --finding F-2 --rationale "Rate limits in place" --expires 2027-01-31
t controls test
t controls test --junit inventory.xml
grep -c "<testsuite " inventory.xml
grep -o 'testsuites name="[^"]*" tests="[0-9]*" failures="[0-9]*"' inventory.xml
# a team's policy: its own controls per tier
t controls test --policy ours.yaml
# with the assistant retired and the forecast reviewed, the inventory has no gap (exit 0)
q --as bob model update assistant --status retired
q --as alice review open forecast
q --as carol review decide R-2 approve --note "Fine"
t controls test
# errors
t controls test extra
t controls test --policy missing.yaml
t controls test --junit ""
t controls test --bogus
