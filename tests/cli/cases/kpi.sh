# KPIs: the table as of today and as of a past day, the JSON document, a trend, a team's
# policy for the inventory fields, empty populations (n/a with a reason) and every error exit.
# The effective time steps through a small timeline; the last commands run on 2026-11-26.
export MRM_NOW=2026-01-05T09:00:00Z
t help kpi
t init
t user add alice --role admin,validator
t --as alice user add bob --role owner
t --as alice user add carol --role approver
# nothing registered yet: every KPI is n/a, with the reason
t kpi
t --as bob model add credit-pd --name "Credit PD" --owner bob --purpose "Probability of default" --intended-use "Credit decisions" --team "Credit risk" --out-of-scope-use "Business lending" --population "Retail applicants" --data-source bureau --deployment batch
t --as bob model add fraud --name "Card fraud" --owner bob --purpose "Fraud scoring" --intended-use "Hold transactions"
cp "$MRM_TOP/data/tiering/credit-pd.yaml" "$MRM_TOP/data/tiering/fraud-txn.yaml" .
t --as bob tier assess credit-pd --answers credit-pd.yaml
t --as bob tier assess fraud --answers fraud-txn.yaml
export MRM_NOW=2026-01-10T09:00:00Z
t --as alice review open credit-pd --intake complete
export MRM_NOW=2026-02-01T00:00:00Z
t --as bob model update credit-pd --status production
t --as bob model update fraud --status production
export MRM_NOW=2026-02-09T09:00:00Z
t --as carol review decide R-1 approve --note "Validated on 2025 data"
export MRM_NOW=2026-03-01T09:00:00Z
t --as alice finding add credit-pd --severity high --category fairness --title "Approval gap by age band"
t --as bob incident open credit-pd --severity sev2 --title "Approval rate jumped" --started 2026-03-01T00:00:00Z --detected 2026-03-01T04:00:00Z
t --as bob incident update I-1 --mitigated 2026-03-01T08:00:00Z
export MRM_NOW=2026-03-02T09:00:00Z
t --as carol accept credit-pd --finding F-1 --rationale "Overlay for applicants over 70" --expires 2026-06-01 --controls "Manual review of declines over 70" --trigger "new model version"
export MRM_NOW=2026-11-26T09:00:00Z

# today: the acceptance expired on 2026-06-01 and F-1 is open again; credit-pd (tier 1) has
# all its fields, fraud (tier 2) lacks population and data sources
t kpi
# as of a past day: the acceptance was in force, F-1 risk-accepted
t kpi --as-of 2026-03-15
t --json kpi --as-of 2026-03-15
# a team policy asking tier 2 for nothing more than the base fields
cat > light.yaml <<'YAML'
name: light
extends: default
tiers:
  2:
    controls: [MRM-INV-01]
    inventory_fields: [purpose]
YAML
echo "# mrm --json kpi --policy light.yaml, its inventory_coverage: fraud complete at tier 2"
t --json kpi --policy light.yaml | sed -n '/"inventory_coverage"/,/"complete"/p'
# a trend: one column per date (months from --from, then --to)
t kpi --from 2026-01-01 --to 2026-06-15 --every 1m
echo "# mrm --json kpi --from 2026-03-01 --to 2026-03-15 --every 1w: a series of three documents"
t --json kpi --from 2026-03-01 --to 2026-03-15 --every 1w | grep -e '"every"' -e '"as_of"'

# errors
t kpi --as-of 2026-13-01
t kpi --as-of 2026-11-27
t kpi --as-of 2026-03-01 --from 2026-01-01
t kpi --to 2026-03-01
t kpi --every 1m
t kpi --from 2026-01-01 --every 2y
t kpi --from 2026-05-01 --to 2026-01-01
t kpi --from 2016-01-01 --every 1d
t kpi --from 2026-01-01 --to 2026-12-01
t kpi --policy missing.yaml
t kpi extra
t kpi --as-of
t kpi --quarter
