# Evidence: files registered against a model with their SHA-256, listed,
# shown, and re-checked later (changed and missing files fail the check).
t init
t user add alice --role admin,validator
t --as alice user add bob --role owner
t --as alice user add dave --role auditor
t --as bob model add credit-pd --name "Credit PD" --owner bob --purpose "Probability of default"
t --as bob model version add credit-pd 1.0
printf 'AUC 0.81, KS 0.42\n' > report.txt
printf '# Credit PD model card\n' > card.md
mkdir reports
t --as bob evidence add credit-pd validation-report report.txt --version 1.0 --note "annual validation"
t --as alice evidence add credit-pd model-card ./reports/../card.md
# errors: unknown version, bad kind, missing file, a directory, unknown model, auditor, usage
t --as bob evidence add credit-pd validation-report report.txt --version 9.9
t --as bob evidence add credit-pd report report.txt
t --as bob evidence add credit-pd other missing.pdf
t --as bob evidence add credit-pd other reports
t --as bob evidence add nope other report.txt
t --as dave evidence add credit-pd other report.txt
t --as mallory evidence add credit-pd other report.txt
t --as bob evidence add credit-pd other
t evidence list
t evidence list --model credit-pd
t evidence list --model nope
t --json evidence list
t evidence show E-1
t --json evidence show E-2
t evidence show E-9
t evidence show X-1
t evidence frobnicate
t evidence verify
# the report is edited and the card deleted after registration
printf 'AUC 0.79, KS 0.40\n' > report.txt
rm card.md
t evidence verify
t --json evidence verify --model credit-pd
t evidence verify --model nope
# verify is read-only: the chain has the same events
t audit verify
