# A small demo-like store for the document and pack tests, built with the CLI on a fixed
# timeline ($MRM_NOW moves through autumn 2026, ending at 2026-11-26T09:00:00Z). Sourced by
# tests/cli/cases/doc-*.sh and tests/sh/pack-*.sh; needs $MRM, $MRM_TOP and MRM_DB set and a
# writable current directory. Setup output is hidden; a failing step prints "setup failed".
q() { "$MRM" "$@" >/dev/null 2>&1 || echo "setup failed: mrm $*"; }
export MRM_NOW=2026-09-01T09:00:00Z
q init
q --as ana user add ana --role admin
q --as ana user add olivia --role owner
q --as ana user add liam --role owner
q --as ana user add vera --role validator
q --as ana user add paul --role approver
q --as olivia model add credit-pd --name "Retail credit PD" --owner olivia --type classification \
	--purpose "Probability of default for unsecured retail loans" --team "Retail credit risk" \
	--intended-use "Automated approve/decline within policy cut-offs" \
	--out-of-scope-use "Business lending" --population "Retail loan applicants" \
	--data-source "bureau" --data-source "core-banking:applications" --deployment "loan origination" \
	--status development
q --as liam model add support-assistant --name "Customer support assistant" --owner liam --type llm \
	--purpose "Answer servicing questions in the banking app" --intended-use "Answers from policy documents" \
	--population "Retail app customers" --vendor "hosted LLM API" --data-source "policy-docs" --status validation
q --as olivia model version add credit-pd 1.0 --change new
q --as liam model version add support-assistant 2026.09 --change prompt
export MRM_NOW=2026-09-02T10:00:00Z
q --as olivia tier assess credit-pd --answers "$MRM_TOP/tests/data/tier-credit-pd.yaml"
q --as liam tier assess support-assistant --answers "$MRM_TOP/tests/data/tier-llm-assistant.yaml"
export MRM_NOW=2026-09-10T14:00:00Z
cp "$MRM_TOP/tests/data/validate/tiny.csv" tiny.csv
cat >tests.yaml <<'YAML'
tests:
  - name: discrimination
    condition: roc_auc >= 0.6
  - name: false positive rate in each group
    condition: fpr <= 0.2 for each group
YAML
"$MRM" --as vera validate --data tiny.csv --label outcome --score score --group group --tests tests.yaml \
	--model credit-pd --version 1.0 --html credit-pd-validation.html >/dev/null 2>&1
[ $? -eq 1 ] || echo "setup failed: validate should fail one test"
printf '# Red-team summary\nIndirect prompt injection extracted the system prompt in 7 of 40 attempts.\n' >redteam.md
q --as vera evidence add support-assistant redteam-report redteam.md --version 2026.09
printf 'Data sheet of the application sample.\n' >datasheet.txt
q --as vera evidence add credit-pd data-sheet datasheet.txt --version 1.0 --note "Application sample"
export MRM_NOW=2026-09-15T09:00:00Z
q --as vera review open credit-pd --intake complete --reason "Initial validation"
q --as vera finding add credit-pd --severity medium --category fairness --title "FPR above 0.2 in group b" \
	--due 2026-12-31 --evidence E-1
q --as vera finding add support-assistant --severity high --category security \
	--title "System prompt extractable by indirect prompt injection" --evidence E-4
export MRM_NOW=2026-09-25T11:00:00Z
q --as paul review decide R-1 conditional --note "Sound; fix the group b false positive rate" \
	--condition "Close F-1 by 2026-12-31"
q --as vera signoff credit-pd --role validator
q --as paul signoff credit-pd --role approver
q --as olivia model update credit-pd --status production
export MRM_NOW=2026-10-01T09:00:00Z
q --as paul accept support-assistant --finding F-2 --rationale "Launch with an output filter while the vendor fixes it" \
	--controls "Output filter; no tool access" --expires 2027-01-31 --trigger "Vendor model version change"
export MRM_NOW=2026-10-13T09:30:00Z
q --as liam incident open support-assistant --severity sev2 --title "Disclosed internal discount codes" \
	--started 2026-10-12T08:10:00Z --detected 2026-10-12T11:40:00Z --finding F-2
q --as liam incident update I-1 --mitigated 2026-10-12T14:05:00Z --resolved 2026-10-13T09:00:00Z \
	--root-cause prompt-injection
export MRM_NOW=2026-11-26T09:00:00Z
