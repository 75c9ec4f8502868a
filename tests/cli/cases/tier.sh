# Tiering: the factor model, assessments from files and flags, overrides,
# history, and every error exit; the store stays intact throughout.
cp "$DATA"/tier-*.yaml .
t init
t user add alice --role admin,validator
t --as alice user add bob --role owner
t --as alice user add carol --role approver
t --as alice user add dave --role auditor
t --as alice user add erin --role owner,validator
t --as bob model add credit-pd --name "Credit PD" --owner bob --purpose "Probability of default" --type classification
t --as bob model add fraud --name "Card fraud" --owner bob --purpose "Transaction fraud scoring"
t --as erin model add recidivism --name "Recidivism risk" --owner erin --purpose "Pre-trial risk score"
t --as bob model add assistant --name "Banking assistant" --owner bob --purpose "Customer questions" --type llm
t --as bob model add forecast --name "Call volume" --owner bob --purpose "Staff rostering" --type regression

# the factor model
t tier factors
t --json tier factors

# the five worked examples of docs/tiering.md
t --as bob tier assess credit-pd --answers tier-credit-pd.yaml
t --as alice tier assess fraud --answers tier-fraud.yaml
t --as erin tier assess recidivism --answers tier-recidivism.yaml
t --as bob tier assess assistant --answers tier-llm-assistant.yaml
t --as bob --json tier assess forecast --factor decision_impact=none --factor autonomy=human-decides \
	--factor customer_facing=no --factor regulated_domain=none --factor personal_data=none \
	--factor genai=false --factor reliance=medium --factor complexity=medium --factor scale=low
t model list
# answers that contradict the registered model are refused (the assistant is an llm)
t --as bob tier assess assistant --factor decision_impact=low --factor autonomy=fully-automated \
	--factor customer_facing=yes --factor regulated_domain=other-regulated --factor personal_data=personal \
	--factor genai=no --factor reliance=medium --factor complexity=high --factor scale=high

# bad answers: exit 3 with file:line:column, nothing recorded
t --as bob tier assess forecast --answers tier-bad-syntax.yaml
t --as bob tier assess forecast --answers tier-bad-answer.yaml
t --as bob tier assess forecast --answers tier-missing.yaml
t --as bob tier assess forecast --answers tier-unknown.yaml
t --as bob tier assess forecast --answers tier-list.yaml
t --as bob tier assess forecast --answers no-such-file.yaml
t --as bob tier assess forecast --factor decision_impact=low --factor autonomy=sometimes
t --as bob tier assess forecast --factor decision_impact=low --factor autonomy=human-decides
t --as bob tier assess forecast --factor decision_impact=low --factor decision_impact=none
t --as bob tier assess forecast --factor materiality=high
# usage: exit 2
t --as bob tier assess forecast
t --as bob tier assess forecast --answers tier-forecast.yaml --factor genai=no
t --as bob tier assess forecast --factor genai
t --as bob tier assess
t --as bob tier
t --as bob tier rate forecast
# permissions and unknown model
t --as carol tier assess forecast --answers tier-forecast.yaml
t --as dave tier assess forecast --answers tier-forecast.yaml
t --as mallory tier assess forecast --answers tier-forecast.yaml
t --as bob tier assess nope --answers tier-forecast.yaml

# overrides
t --as carol tier override forecast --tier 2 --reason "Feeds the regulatory liquidity report"
t tier show forecast
t --as bob tier override credit-pd --tier 2 --reason "I disagree"
t --as alice user add bob --role owner,validator
t --as bob tier override credit-pd --tier 2 --reason "Still mine"
t --as dave tier override credit-pd --tier 2 --reason "Auditor"
t --as carol tier override credit-pd --tier 1 --reason "Same tier"
t --as carol tier override credit-pd --tier 4 --reason "Out of range"
t --as carol tier override credit-pd --tier two --reason "Not a number"
t --as carol tier override credit-pd --tier 2 --reason "   "
t --as carol tier override credit-pd --tier 2
t --as carol tier override credit-pd --reason "No tier"
t --as carol tier override nope --tier 2 --reason "Unknown model"
t --as bob model add new-model --name "New" --owner bob --purpose "Not assessed yet"
t --as carol tier override new-model --tier 2 --reason "No assessment yet"
t --as carol --json tier override fraud --tier 1 --reason "Loss exposure above 50m a year"
# a new assessment replaces the override, and says so
t --as alice tier assess fraud --answers tier-fraud.yaml
t --as alice tier assess recidivism --answers tier-recidivism.yaml
t --as dave tier show fraud
t --json tier show fraud
t tier show new-model
t tier show nope
t audit log --model fraud
t audit verify
