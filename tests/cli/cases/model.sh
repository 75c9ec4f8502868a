# Inventory basics: store creation, users, models, versions, errors.
t model list
t init
t model list
t user add alice --role admin,validator
t --as alice user add bob --role owner
t --as alice user add carol --role approver
t --as bob model add credit-pd --name "Credit PD" --owner bob --purpose "Probability of default" --type classification --data-source bureau --data-source applications
t --as bob model add credit-pd --name "Credit PD" --owner bob --purpose x
t --as bob model add Bad_Id --name x --owner bob --purpose x
t --as bob model add x --name x --owner nobody --purpose x
t --as bob model add x --name x --owner bob --purpose x --type neural
t --as carol model add x --name x --owner bob --purpose x
t --as mallory model add x --name x --owner bob --purpose x
t --as bob model add x --name x --purpose x
t --as bob model version add credit-pd 1.0 --artifact s3://bucket/m.pkl
t --as bob model version add credit-pd 1.0
t --as bob model version add credit-pd 1.1 --change retrain --material
t --as bob model update credit-pd --status validation --team "Retail risk" --next-review-due 2027-03-01
t --as bob model update credit-pd --next-review-due 2027-02-30
t --as bob model update nope --team x
t model list
t model list --status production
t model list --tier 4
t --json model list
t model show credit-pd
t model show nope
t audit verify
