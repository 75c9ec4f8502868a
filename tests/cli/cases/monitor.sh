# Monitors and alerts on the bike-sharing data (UCI day.csv): January 2011 is the reference
# the rental model was validated on, February 2011 the new data (split as in drift-bike.sh).
# The model is tier 1, so an alert-level result opens a finding; alerts go to a file route.
cp "$DATA/drift-cli/bike-jan.csv" "$DATA/drift-cli/bike-feb.csv" "$DATA/tier-credit-pd.yaml" .
t init
t user add root --role admin,validator
t user add bob --role owner
t user add dave --role auditor
t model add rentals --name "Bike rentals forecast" --owner bob --purpose "Daily rental demand for fleet planning" --status production
t tier assess rentals --answers tier-credit-pd.yaml
# the model owner sets up monitors on his model
t --as bob monitor add rentals --signal drift_share --warn 0.25 --alert 0.5 --reference bike-jan.csv \
	--columns temp,atemp,hum,windspeed,weathersit,casual,registered,cnt --route alerts.jsonl
t --as bob monitor add rentals --signal drift:cnt --warn 0.05 --alert 0.01 --reference bike-jan.csv --route alerts.jsonl
t --as bob monitor add rentals --signal drift:hum --warn 0.05 --alert 0.01 --reference bike-jan.csv
t monitor add rentals --signal drift:windspeed:wasserstein_norm --warn 0.3 --alert 0.8 --reference bike-jan.csv --no-finding
t monitor add rentals --signal drift:temp:psi --warn 0.1 --alert 0.25 --window 1w --timestamp dteday --reference bike-jan.csv
t monitor list
# February: the drift share, cnt and temp alert (findings F-1..F-3), windspeed warns, hum is fine
t monitor run rentals --data bike-feb.csv
echo "alerts.jsonl:"
python3 -c '
import json, sys
for line in open("alerts.jsonl"):
    a = json.loads(line)
    print(" ", a["alert"], a["level"], a["monitor"]["signal"], "value %.4g" % a["value"], "threshold", a["threshold"], "finding", a["finding"], "model", a["model"]["id"], "tier", a["model"]["tier"])
'
# the same data again: results stored, no second alert while the first is open
t monitor run rentals --data bike-feb.csv
t alert list
t alert list --model rentals --status open
t finding list
# resolving: the auditor may not, the owner may, once
t --as dave alert resolve AL-1 actioned
t alert resolve AL-1 fixed
t --as bob alert resolve AL-1 actioned --note "retrained on Jan-Feb"
t alert resolve AL-1 false-positive
t --as bob alert resolve AL-3 false-positive --note "windspeed shift is seasonal"
t alert show AL-1
t monitor show M-2
# the condition persists: a new alert for M-1, linked to the finding still open
t monitor run rentals --data bike-feb.csv
t alert list --status resolved
# switching a monitor off is the second line's call
t --as bob monitor disable M-3
t monitor disable M-3 --reason "humidity is covered by drift_share"
t monitor disable M-3
# January against itself: every signal ok, exit 0
t monitor run rentals --data bike-jan.csv
t --json monitor list rentals
t audit verify
