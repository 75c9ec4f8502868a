# Sign-offs: the actor's role, owner sign-off by the owner only, one role per person per version.
t init
t user add alice --role admin,validator
t --as alice user add bob --role owner
t --as alice user add carol --role approver
t --as alice user add erin --role owner
t --as alice user add frank --role approver,owner
t --as bob model add credit-pd --name "Credit PD" --owner bob --purpose "Probability of default"
t --as frank model add fraud --name "Card fraud" --owner frank --purpose "Fraud scoring"
t --as bob model version add credit-pd 1.0
t --as bob model version add credit-pd 1.1
# usage errors
t --as carol signoff
t --as carol signoff credit-pd
t --as carol signoff list
# refusals
t --as carol signoff credit-pd --role boss
t --as carol signoff nope --role approver
t --as carol signoff credit-pd --role approver --version 9
t --as bob signoff credit-pd --role approver
t --as erin signoff credit-pd --role owner
t --as frank signoff fraud --role approver
t signoff list credit-pd
t audit verify
# sign-offs
t --as bob signoff credit-pd --role owner --note "Ready for validation"
t --as bob signoff credit-pd --role owner
t --as alice signoff credit-pd --role validator
t --as alice signoff credit-pd --role admin
t --as carol signoff credit-pd --role approver --version 1.0 --note "Approved for production"
t --as carol signoff credit-pd --role approver
t --as frank signoff fraud --role owner
t --as frank signoff fraud --role approver
t --as carol signoff fraud --role approver
t signoff list credit-pd
t --json signoff list fraud
t signoff list nope
t audit verify
