# mrm doc mra: risks rated likelihood x impact from the store by the printed rubric, the
# controls of the policy with the evidence on file, and the recommendation with its rule:
# approve with conditions (credit-pd: a high risk, an open finding), approve with conditions
# under an acceptance (support-assistant), do not approve (a critical finding), approve (a
# validated tier 3 model with nothing open).
. "$MRM_TOP/tests/cli/doc-store.sh"
t doc mra credit-pd
t doc mra support-assistant
# A critical finding nobody accepted: DNA-2 (and the risk it raises is critical: DNA-1).
q --as vera finding add support-assistant --severity critical --category safety \
	--title "Gives investment advice when asked twice"
t doc mra support-assistant
# A low-impact model, validated, with nothing open: approve.
q --as olivia model add churn --name "Churn propensity" --owner olivia --purpose "Retention offers" \
	--intended-use "Rank customers for a retention mailing" --data-source crm
q --as olivia tier assess churn --factor decision_impact=none --factor autonomy=human-decides \
	--factor customer_facing=no --factor regulated_domain=none --factor personal_data=personal \
	--factor genai=no --factor reliance=low --factor complexity=low --factor scale=medium
printf 'Validation of the churn model: AUC 0.74, stable over 2025.\n' >churn-validation.md
q --as vera evidence add churn validation-report churn-validation.md
t doc mra churn
