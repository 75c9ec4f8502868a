# Risk acceptances: authority by tier, independence, input rules, expiry, revocation.
t init
t user add alice --role admin,validator
t --as alice user add bob --role owner
t --as alice user add carol --role approver
t --as alice user add dave --role validator
t --as alice user add erin --role owner
t --as bob model add credit-pd --name "Credit PD" --owner bob --purpose "Probability of default"
t --as bob model add fraud --name "Card fraud" --owner bob --purpose "Fraud scoring"
t --as alice finding add credit-pd --severity high --category fairness --title "Approval-rate gap by age band" --owner erin
t --as alice finding add credit-pd --severity medium --category performance --title "Calibration drift in top decile" --owner erin
t --as alice finding add credit-pd --severity low --category documentation --title "Stale data sheet" --owner carol
t --as alice finding add fraud --severity high --category robustness --title "Score collapses on new merchant codes" --owner erin
# usage errors (exit 2)
t --as carol accept credit-pd --rationale "r" --expires 2027-01-01
t --as carol accept credit-pd --finding F-1 --expires 2027-01-01
t --as carol accept credit-pd --finding F-1 --rationale "r"
t --as carol accept --finding F-1 --rationale "r" --expires 2027-01-01
t --as carol accept credit-pd --finding F-1 --rationale "r" --expires 2027-01-01 --approver carol
# authority: credit-pd has no tier, so tier 1 rules apply (exit 5)
t --as dave accept credit-pd --finding F-1 --rationale "r" --expires 2027-01-01
t --as alice accept credit-pd --finding F-1 --rationale "r" --expires 2027-01-01
t --as bob accept credit-pd --finding F-1 --rationale "r" --expires 2027-01-01
t --as mallory accept credit-pd --finding F-1 --rationale "r" --expires 2027-01-01
t --as carol accept credit-pd --finding F-3 --rationale "r" --expires 2027-01-01
# bad input (exit 3) and unknown ids (exit 4)
t --as carol accept nope --finding F-1 --rationale "r" --expires 2027-01-01
t --as carol accept credit-pd --finding F-99 --rationale "r" --expires 2027-01-01
t --as carol accept credit-pd --finding F-4 --rationale "r" --expires 2027-01-01
t --as carol accept credit-pd --finding F-1 --finding 1 --rationale "r" --expires 2027-01-01
t --as carol accept credit-pd --finding X-1 --rationale "r" --expires 2027-01-01
t --as carol accept credit-pd --finding F-1 --rationale "" --expires 2027-01-01
t --as carol accept credit-pd --finding F-1 --rationale "r" --expires 2026-11-26
t --as carol accept credit-pd --finding F-1 --rationale "r" --expires 2027-11-27
t --as carol accept credit-pd --finding F-1 --rationale "r" --expires 2027-02-30
t --as carol accept credit-pd --finding F-1 --rationale "r" --expires 2027-01-01 --trigger ""
t acceptance list
t audit verify
# an acceptance by an independent approver
t --as carol accept credit-pd --finding F-1 --finding F-2 --rationale "Gap within appetite while the age-band remediation ships; declines are manually reviewed" --expires 2027-01-01 --controls "Manual second review of declines above PD 0.4" --trigger "PSI > 0.25 on income" --trigger "new model version"
t --as carol accept credit-pd --finding F-2 --rationale "again" --expires 2027-02-01
t finding list --model credit-pd
t acceptance list
t --json acceptance list --model credit-pd
t acceptance show A-1
t acceptance show A-9
t acceptance show F-1
t acceptance list --model nope
t acceptance list --active --expired
# expiry: "expires" is the first day the acceptance no longer covers
(MRM_NOW=2026-12-31T23:00:00Z; export MRM_NOW; t acceptance list --active)
(MRM_NOW=2027-01-01T00:00:00Z; export MRM_NOW; t acceptance list --active)
(MRM_NOW=2027-01-01T00:00:00Z; export MRM_NOW; t acceptance list --expired)
(MRM_NOW=2027-01-01T00:00:00Z; export MRM_NOW; t finding list --model credit-pd)
# revocation
t --as dave acceptance revoke A-1 --reason "x"
t --as carol acceptance revoke A-1
t --as carol acceptance revoke A-9 --reason "x"
t --as carol acceptance revoke A-1 --reason "Model retrained on 2026 data; findings go back to remediation"
t --as carol acceptance revoke A-1 --reason "again"
t acceptance list --revoked
t finding list --model credit-pd
t --as carol accept credit-pd --finding F-2 --rationale "Residual drift accepted until recalibration" --expires 2027-03-01
t acceptance list
t audit log --model credit-pd
# tier 3: the owner role may accept; tier 2: approver or validator, not the owner
t --as bob model add forecast --name "Call volume" --owner bob --purpose "Staff rostering" --type regression
t --as alice tier assess forecast --factor decision_impact=none --factor autonomy=human-decides \
	--factor customer_facing=no --factor regulated_domain=none --factor personal_data=none \
	--factor genai=false --factor reliance=medium --factor complexity=medium --factor scale=low
t --as alice finding add forecast --severity low --category documentation --title "Feature list undocumented" --owner erin
t --as alice finding add forecast --severity medium --category performance --title "MAPE above target in December" --owner erin
t --as alice finding add forecast --severity low --category reliability --title "Manual rerun after feed delays" --owner bob
t --as bob accept forecast --finding F-7 --rationale "r" --expires 2027-03-01
t --as bob accept forecast --finding F-5 --rationale "Documentation gap; the rostering team knows the inputs" --expires 2027-03-01
t --as carol tier override forecast --tier 2 --reason "Feeds the regulatory liquidity report"
t --as bob accept forecast --finding F-6 --rationale "r" --expires 2027-03-01
t --as dave accept forecast --finding F-6 --rationale "December is excluded from staffing decisions" --expires 2027-03-01 --trigger "MAPE > 15% outside December"
t --as dave accept forecast --finding F-5 --rationale "r" --expires 2027-03-01
t acceptance list --model forecast
t audit verify
