# KPI targets set by the policy: `kpis:` in a policy file (extends: default inherits the
# rest), `mrm kpi --policy` reporting each KPI against the policy's target (met/not met
# flipping where the value lies between mrm's default and the policy's target), the
# footer and JSON saying whose targets they are, `mrm policy show|check` listing them, the
# evidence pack's kpis.json, and every error in a kpis: section (exit 3, FILE:LINE:COL).
# The store is kpi.sh's timeline (its output is checked there): as of 2026-11-26
# inventory_coverage is 50 %, incident_rate 1.83, mttr_hours 4 and open_high_findings 1.
export MRM_NOW=2026-01-05T09:00:00Z
{
mrm() { "$MRM" "$@" >/dev/null || echo "setup failed: mrm $*"; }
mrm init
mrm user add alice --role admin,validator
mrm --as alice user add bob --role owner
mrm --as alice user add carol --role approver
mrm --as bob model add credit-pd --name "Credit PD" --owner bob --purpose "Probability of default" --intended-use "Credit decisions" --team "Credit risk" --out-of-scope-use "Business lending" --population "Retail applicants" --data-source bureau --deployment batch
mrm --as bob model add fraud --name "Card fraud" --owner bob --purpose "Fraud scoring" --intended-use "Hold transactions"
cp "$MRM_TOP/data/tiering/credit-pd.yaml" "$MRM_TOP/data/tiering/fraud-txn.yaml" .
mrm --as bob tier assess credit-pd --answers credit-pd.yaml
mrm --as bob tier assess fraud --answers fraud-txn.yaml
export MRM_NOW=2026-01-10T09:00:00Z
mrm --as alice review open credit-pd --intake complete
export MRM_NOW=2026-02-01T00:00:00Z
mrm --as bob model update credit-pd --status production
mrm --as bob model update fraud --status production
export MRM_NOW=2026-02-09T09:00:00Z
mrm --as carol review decide R-1 approve --note "Validated on 2025 data"
export MRM_NOW=2026-03-01T09:00:00Z
mrm --as alice finding add credit-pd --severity high --category fairness --title "Approval gap by age band"
mrm --as bob incident open credit-pd --severity sev2 --title "Approval rate jumped" --started 2026-03-01T00:00:00Z --detected 2026-03-01T04:00:00Z
mrm --as bob incident update I-1 --mitigated 2026-03-01T08:00:00Z
export MRM_NOW=2026-03-02T09:00:00Z
mrm --as carol accept credit-pd --finding F-1 --rationale "Overlay for applicants over 70" --expires 2026-06-01 --controls "Manual review of declines over 70" --trigger "new model version"
unset -f mrm
}
export MRM_NOW=2026-11-26T09:00:00Z
cp "$DATA"/policy/kpi-*.yaml .

# the committee's targets: three KPIs, the rest of the policy is the default's
cat kpi-targets.yaml
t policy check kpi-targets.yaml
t policy show --policy kpi-targets.yaml | sed -n '/^KPI targets/,$p'
# mrm's defaults first, then the policy's: inventory_coverage (50 %) now meets ">= 50%",
# incident_rate (1.83) meets "<= 2", mttr_hours (4 h) no longer meets "<= 2"
t kpi
t kpi --policy kpi-targets.yaml
echo "# mrm --json kpi --policy kpi-targets.yaml: the policy at the top, target and target_source of each KPI"
t --json kpi --policy kpi-targets.yaml | grep -e '^  "policy"' -e '^    "name"' -e '^    "source"' -e '^    "sha256"' \
	-e '^    "[a-z0-9_]*": {$' -e '^      "\(value\|unit\|target\|target_source\|status\)"'
# as of a past day and a trend: the same targets (as of 2026-03-15 mttr_hours was 4 h too)
t kpi --as-of 2026-03-15 --policy kpi-targets.yaml
t kpi --from 2026-01-01 --to 2026-06-15 --every 1m --policy kpi-targets.yaml
echo "# mrm --json kpi --from 2026-03-01 --to 2026-03-15 --every 1w --policy kpi-targets.yaml: the policy once at the top"
t --json kpi --from 2026-03-01 --to 2026-03-15 --every 1w --policy kpi-targets.yaml | grep -e '^  "policy"' -e '^    "name"' -e '^  "every"'
# every KPI's target set by the policy (no mark, one owner), and a policy that sets none
t kpi --policy kpi-all.yaml
t policy show --policy kpi-all.yaml | sed -n '/^KPI targets/,$p'
t kpi --policy kpi-none.yaml | tail -n 2
# the evidence pack's kpis.json uses the pack's policy too
"$MRM" pack credit-pd -o pack.tar.gz --policy kpi-targets.yaml --allow-missing >/dev/null 2>&1 || echo "pack failed"
echo "# mrm pack credit-pd -o pack.tar.gz --policy kpi-targets.yaml --allow-missing; its kpis.json: the policy,"
echo "# and the targets of the three KPIs the policy sets"
tar -xzOf pack.tar.gz mrm-pack-credit-pd/kpis.json | grep -e '^    "name"' -e '"target_source": "policy"' -B2 | grep -e '"name"' -e '"target"' -e 'policy'

# errors: each exits 3 with FILE:LINE:COL and the field, for kpi and for policy check alike
cat kpi-bad-id.yaml
t kpi --policy kpi-bad-id.yaml
t policy check kpi-bad-id.yaml
bad() { # NAME TARGET: a policy whose inventory_coverage (or another KPI) has this target
	printf 'name: bad\nextends: default\nkpis:\n  %s: { target: %s }\n' "$1" "$2" >bad.yaml
	echo "# $1: { target: $2 }"
	t policy check bad.yaml
}
bad inventory_coverage '"95"'
bad inventory_coverage '95'
bad inventory_coverage '"=> 95"'
bad inventory_coverage '"=="'
bad inventory_coverage '">="'
bad inventory_coverage '">= ninety"'
bad inventory_coverage '">= 9e1"'
bad inventory_coverage '">= 105"'
bad inventory_coverage '">= -5%"'
bad inventory_coverage '">= 0.95"'
bad inventory_coverage '">= 1"'
bad inventory_coverage '"> 100"'
bad mttr_hours '"< 0"'
bad mttr_hours '"<= 72%"'
bad mttr_hours '"<= 1000000001"'
bad open_high_findings '"<= -1"'
bad open_high_findings '"<= 1.5"'
bad overdue_reviews '[0]'
bad overdue_reviews '""'
bad overdue_reviews '>= 1'
printf 'name: bad\nextends: default\nkpis:\n  mttr_hours: { goal: "<= 72" }\n' >bad.yaml
t policy check bad.yaml
printf 'name: bad\nextends: default\nkpis:\n  mttr_hours:\n' >bad.yaml
t policy check bad.yaml
printf 'name: bad\nextends: default\nkpis:\n  mttr_hours: "<= 72"\n' >bad.yaml
t policy check bad.yaml
printf 'name: bad\nextends: default\nkpis: {}\n' >bad.yaml
t policy check bad.yaml
printf 'name: bad\nextends: default\nkpis:\n  mttr_hours: { target: "<= 72" }\n  mttr_hours: { target: "<= 24" }\n' >bad.yaml
t policy check bad.yaml
printf 'name: bad\nextends: default\nkpis: [mttr_hours]\n' >bad.yaml
t --json policy check bad.yaml
