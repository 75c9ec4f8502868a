# Reviews: independent opening, decision authority, decision records and the review cadence.
t init
t user add alice --role admin,validator
t --as alice user add bob --role owner
t --as alice user add carol --role approver
t --as alice user add dave --role validator
t --as alice user add gina --role owner,validator
t --as alice user add adm --role admin
t --as bob model add credit-pd --name "Credit PD" --owner bob --purpose "Probability of default"
t --as gina model add churn --name "Churn" --owner gina --purpose "Retention offers"
t --as bob model version add credit-pd 1.0
t --as bob model version add credit-pd 1.1
# opening: validator or admin, independent of the owner
t review open
t --as bob review open credit-pd
t --as carol review open credit-pd
t --as gina review open churn
t --as dave review open nope
t --as dave review open credit-pd --version 9.9
t --as dave review open credit-pd --intake maybe
t review list
t audit verify
t --as dave review open credit-pd --version 1.0 --reason "Initial validation" --intake incomplete
t --as alice review open credit-pd
t review list
t model list
# deciding: validator or approver, independent; tier 1 approvals need an approver
t --as adm review decide R-1 approve --note "x"
t --as bob review decide R-1 approve --note "x"
t --as dave review decide R-1 approve --note "x"
t --as dave review decide R-1 conditional --note "x" --condition "y"
t --as carol review decide R-1 approve
t --as carol review decide R-1
t --as carol review decide R-1 conditional --note "x"
t --as carol review decide R-1 approve --note "x" --condition "y"
t --as carol review decide R-1 maybe --note "x"
t --as carol review decide R-9 approve --note "x"
t --as carol review decide X-1 approve --note "x"
t review show R-1
t audit verify
t --as carol review decide R-1 conditional --note "Fit for use while the age-band gap is remediated" --condition "Monthly PSI report to model risk" --condition "Recalibrate before 2027-06-30"
t --as carol review decide R-1 reject --note "again"
t review show R-1
t --json review show R-1
t model list
# a material version opens a review by itself; a validator may reject a tier 1 model
t --as bob model version add credit-pd 2.0 --change data --material
t --as dave review open credit-pd
t --json review list --model credit-pd --status open
t --as dave review decide R-2 reject --note "Back-test fails on the 2025 vintage"
t review show R-2
# a tier 3 model: a validator may approve; the next review is due in 36 months
t --as alice tier assess churn --factor decision_impact=none --factor autonomy=human-decides \
	--factor customer_facing=no --factor regulated_domain=none --factor personal_data=none \
	--factor genai=false --factor reliance=medium --factor complexity=medium --factor scale=low
t --as alice review open churn --intake complete
t review list --status open
t --as gina review decide R-3 reject --note "x"
t --as dave review decide R-3 approve --note "Fit for retention targeting"
t model list
t review list
t review list --model credit-pd --status decided
t review list --status closed
t review list --model nope
t review show R-7
t audit verify
