# mrm gate: a tier 1 model taken from a failing gate to a passing one on known dates; a
# waiver by a risk acceptance that expires between two runs; a material change without a
# review; a team's policy; --json, --junit, --record; every error exit.
# Setup steps that are not the point run through q (output hidden, failure shown).
q() { "$MRM" "$@" >/dev/null 2>&1 || echo "setup failed: mrm $*"; }
cp "$DATA/validate/tiny.csv" "$DATA/validate/tests-pass.yaml" "$DATA/validate/tests-fail.yaml" .
cp "$DATA/policy/ours.yaml" .
export MRM_NOW=2026-10-01T09:00:00Z
t init
q user add alice --role admin,validator
q --as alice user add bob --role owner
q --as alice user add carol --role approver
q --as alice user add dave --role validator
q --as bob model add credit-pd --name "Credit PD" --owner bob --purpose "Probability of default" --status production
q --as bob model version add credit-pd 1.0
# a bare model: almost everything fails, each reason says what to do
t gate credit-pd
q --as bob model update credit-pd --team risk --intended-use "Credit limits" --out-of-scope-use "Marketing" \
	--population "Retail applicants" --data-source bureau --deployment batch
q --as bob tier assess credit-pd --answers "$DATA/tier-credit-pd.yaml"
for k in risk-assessment model-card data-sheet monitoring-plan; do echo "$k of credit-pd" >"$k.md"; q --as bob evidence add credit-pd "$k" "$k.md" --version 1.0; done
# a validation whose tests fail is registered, and the gate names the failed tests
"$MRM" --as dave validate --data tiny.csv --label outcome --score score --group group --tests tests-fail.yaml \
	--model credit-pd --version 1.0 >/dev/null 2>&1
echo "validate with failing tests: exit $?"
q --as dave signoff credit-pd --role validator
q --as carol signoff credit-pd --role approver
q --as dave review open credit-pd
q --as carol review decide R-1 approve --note "Sound design; outcomes in line"
q --as bob monitor add credit-pd --signal drift_share --warn 0.3 --alert 0.5
q --as bob monitor add credit-pd --signal metric:roc_auc --warn 0.7 --alert 0.6 --label outcome --score score
t gate credit-pd
# re-validated with passing tests; a drift report registered seven weeks later
q --as dave validate --data tiny.csv --label outcome --score score --group group --tests tests-pass.yaml --model credit-pd --version 1.0
export MRM_NOW=2026-11-20T09:00:00Z
echo "drift report" >drift.html
q --as bob evidence add credit-pd drift-report drift.html --version 1.0
export MRM_NOW=2026-11-26T09:00:00Z
t gate credit-pd
t --json gate credit-pd --junit gate.xml
cat gate.xml
# a team's own policy: other controls, other parameters
t gate credit-pd --policy ours.yaml
# --record keeps the result as evidence of the version (kind other)
t --as dave gate credit-pd --record
ls mrm-evidence
t evidence list --model credit-pd
# a high finding fails the gate; accepted until 2026-12-10 it is waived, naming the acceptance
q --as dave finding add credit-pd --severity high --category fairness --title "Recall gap for group b" --owner bob
t gate credit-pd
q --as carol accept credit-pd --finding F-1 --rationale "Manual review of declines in group b" --expires 2026-12-10
t gate credit-pd
# ... and two weeks later the acceptance has expired: the finding is open again
export MRM_NOW=2026-12-10T09:00:00Z
t gate credit-pd
# a material retrain without a decided review; version 1.0 alone still passes
q --as carol accept credit-pd --finding F-1 --rationale "Extended while retraining" --expires 2027-01-15
q --as bob model version add credit-pd 2.0 --material --notes "retrained on 2026 data"
t gate credit-pd
t gate credit-pd --version 1.0
# errors
t gate
t gate nope
t gate credit-pd --version 9.9
t gate credit-pd --policy missing.yaml
echo "name: x" >bad.yaml
t gate credit-pd --policy bad.yaml
t gate credit-pd --junit no/such/dir/gate.xml | sed 's/tmp-[0-9]*/tmp-PID/'
ls no 2>&1
t gate credit-pd --junit ""
t gate credit-pd extra
t gate credit-pd --bogus
t --as nobody gate credit-pd --version 1.0 --record
ls mrm-evidence
t audit verify
