# mrm validate --model ID [--version V]: the JSON report is saved (next to
# --html, else under ./mrm-evidence/) and registered as evidence of kind
# validation-report (and fairness-report with --group). Registering needs a
# user with a role that may register evidence; a refused registration leaves
# neither a report file nor a store change behind.
cp "$DATA/validate/tiny.csv" .
t init
t user add alice --role admin,validator
t --as alice user add bob --role owner
t --as alice user add dave --role auditor
t --as bob model add scorecard --name "Scorecard" --owner bob --purpose "Credit decisions"
t --as bob model version add scorecard 2.1
t --as alice validate --data tiny.csv --label outcome --score score --model scorecard --version 2.1
ls mrm-evidence
t --as alice validate --data tiny.csv --label outcome --score score --group group --model scorecard
ls mrm-evidence
t --as alice validate --data tiny.csv --label outcome --score score --model scorecard --html report.html
ls report.*
t evidence list --model scorecard
# errors: unknown model and version (before reading the data), a role that may not register
t --as alice validate --data tiny.csv --label outcome --score score --model nope
t --as alice validate --data tiny.csv --label outcome --score score --model scorecard --version 9.9
t --as dave validate --data tiny.csv --label outcome --score score --model scorecard --version 2.1
ls mrm-evidence
t evidence verify --model scorecard
t audit verify
