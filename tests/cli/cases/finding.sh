# Findings: raising them, the remediation workflow, separation of duties
# on verification and closing, repeat findings, overdue findings, and the
# effective status a risk acceptance gives (and takes back when it expires).
t init
t user add alice --role admin,validator
t --as alice user add bob --role owner
t --as alice user add carol --role validator
t --as alice user add dave --role auditor
t --as alice user add erin --role approver
t --as bob model add credit-pd --name "Credit PD" --owner bob --purpose "Probability of default"
t --as bob model add fraud --name "Fraud" --owner bob --purpose "Card fraud"
t --as bob model version add credit-pd 1.0
printf 'validation report\n' > report.txt
t --as carol evidence add credit-pd validation-report report.txt
t --as carol evidence add fraud other report.txt

# raising: defaults (owner = model owner, due by severity) and explicit values
t --as dave finding add credit-pd --severity high --category fairness --title "Disparate impact on applicants over 60" --evidence E-1 --description "approval rate ratio 0.71"
t --as alice finding add credit-pd --severity critical --category security --title "PII in scoring logs" --owner carol --due 2026-12-15 --version 1.0
t --as alice finding add credit-pd --severity low --category documentation --title "Model card incomplete" --due 2026-12-01
# raising: every refusal
t --as alice finding add credit-pd --severity medium --category robustness --title "x" --due 2026-11-01
t --as alice finding add credit-pd --severity medium --category robustness --title "x" --due 2026-13-01
t --as alice finding add credit-pd --severity severe --category robustness --title "x"
t --as alice finding add credit-pd --severity low --category ethics --title "x"
t --as alice finding add credit-pd --severity low --category safety
t --as alice finding add credit-pd --severity low --category safety --title "x" --owner zed
t --as alice finding add credit-pd --severity low --category safety --title "x" --version 9
t --as alice finding add credit-pd --severity low --category safety --title "x" --evidence E-2
t --as alice finding add credit-pd --severity low --category safety --title "x" --evidence E-9
t --as alice finding add credit-pd --severity low --category safety --title "x" --repeat-of F-99
t --as alice finding add nope --severity low --category safety --title "x"
t --as bob finding add credit-pd --severity low --category safety --title "x"
t --as erin finding add credit-pd --severity low --category safety --title "x"

t finding list
t finding list --severity critical
t finding list --owner carol --model credit-pd
t finding list --status bogus
t finding list --severity grave
t finding list --model nope
t finding show F-1
t finding show F-99
t finding show X-1

# the workflow: the owner remediates, an independent validator verifies
t --as bob finding update F-1 --status in-remediation
t --as bob finding update F-1 --status closed
t --as bob finding update F-1 --status risk-accepted
t --as bob finding update F-1 --status in-remediation
t --as bob finding update F-1 --severity low
t --as erin finding update F-1 --status open
t --as bob finding update F-1
t --as alice finding update F-1 --due 2026-01-01
t --as dave finding update F-1 --due 2027-01-31 --title "Disparate impact on applicants aged 60+"
t --as bob finding update F-1 --status awaiting-verification
t --as bob finding verify F-1 --evidence E-1
t --as carol finding verify F-1
t --as carol finding verify F-1 --evidence E-2
t --as carol finding verify F-1 --evidence E-9
t --as carol finding verify F-1 --evidence E-1 --fail --note "ratio still 0.74 for 60+"
t --as bob finding update F-1 --status awaiting-verification
t --as alice finding close F-1
t --as carol finding verify F-1 --evidence E-1 --note "ratio 0.86, within tolerance"
t --as alice finding close F-1
t --as alice finding close F-1
t --as alice finding update F-1 --status open
t finding show F-1

# separation of duties: carol owns F-2, so she can neither verify nor close it
t --as carol finding update F-2 --status awaiting-verification
t --as carol finding verify F-2 --evidence E-1
t --as carol finding close F-2 --evidence E-1
t --as alice finding close F-2 --note "scrubbed"
t --as alice finding close F-2 --evidence E-1 --note "log scrubbing verified"
t --as alice finding verify F-3 --evidence E-1
t --as alice finding verify X-1 --evidence E-1
t --as alice finding update F-99 --status in-remediation
t --as alice finding update F-3 --owner zed
t --as alice finding close F-99
t finding reopen F-1

# repeat findings: automatic (closed, same category and title) and explicit
t --as dave finding add credit-pd --severity medium --category fairness --title "  disparate impact on applicants AGED 60+ " --due 2026-12-10
t --as dave finding add credit-pd --severity low --category documentation --title "Glossary missing" --repeat-of F-3
t --as alice finding add fraud --severity low --category safety --title "Threshold review"
t --as alice finding add credit-pd --severity low --category safety --title "Threshold review" --repeat-of F-6
t --as bob model update fraud --status retired
t --as alice finding add fraud --severity low --category safety --title "x"

# risk acceptance: covered findings are risk-accepted until the acceptance expires
# (`mrm accept` has its own case; only its exit status matters here)
accept() { "$MRM" "$@" >/dev/null 2>&1; echo "\$ mrm $* [exit $?]"; }
accept --as erin accept credit-pd --finding F-3 --rationale "manual review covers the gap" --expires 2026-12-20
accept --as erin accept credit-pd --finding F-4 --rationale "monitoring in place" --expires 2027-02-01
t finding list --status risk-accepted
t finding list --status open
t finding show F-3
# 2027-01-05: the acceptance of F-3 has expired (F-3 is open and overdue again);
# F-4 is past due but still covered, so not overdue
later() { (MRM_NOW=2027-01-05T09:00:00Z; export MRM_NOW; echo "# MRM_NOW=$MRM_NOW"; t "$@"); }
later finding list
later finding list --status open
later finding list --overdue
later finding list --status risk-accepted --overdue
later --json finding list --status open
later --json finding show F-4
later --as bob finding update F-3 --status in-remediation
later finding show F-3
t audit verify
