# mrm monitor and mrm alert: every refusal and error exit, and the store unchanged after each.
cp "$DATA/drift-cli/bike-jan.csv" "$DATA/drift-cli/bike-feb.csv" "$DATA/drift-cli/header-only.csv" .
t init
t user add root --role admin,validator
t user add bob --role owner
t user add dave --role auditor
t model add rentals --name "Bike rentals forecast" --owner bob --purpose "Daily rental demand"
t model add old --name "Old model" --owner bob --purpose "Retired" --status retired
# usage (exit 2)
t monitor
t monitor frob
t monitor add rentals --warn 0.1 --alert 0.5
t monitor add rentals --signal drift_share --alert 0.5
t monitor add --signal drift_share --warn 0.1 --alert 0.5
t monitor add rentals --signal drift_share --warn 0.1 --alert 0.5 --colour red
# bad input (exit 3)
t monitor add rentals --signal psi --warn 0.1 --alert 0.5
t monitor add rentals --signal metric:auc --warn 0.8 --alert 0.7
t monitor add rentals --signal drift:cnt:pvalue --warn 0.05 --alert 0.01
t monitor add rentals --signal drift_share --warn 0.5 --alert 0.25
t monitor add rentals --signal drift:cnt:ks_p_value --warn 0.01 --alert 0.05
t monitor add rentals --signal metric:roc_auc --warn 0.7 --alert 0.8 --label y --score p
t monitor add rentals --signal metric:selection_rate --warn 0.3 --alert 0.4 --label y --score p
t monitor add rentals --signal drift_share --warn 0.2 --alert 1.5
t monitor add rentals --signal drift_share --warn ten --alert 0.5
t monitor add rentals --signal drift_share --warn 0.2 --alert 0.5 --direction sideways
t monitor add rentals --signal drift_share --warn 0.2 --alert 0.5 --window 2d --timestamp dteday
t monitor add rentals --signal drift_share --warn 0.2 --alert 0.5 --window 1d
t monitor add rentals --signal metric:roc_auc --warn 0.8 --alert 0.7
t monitor add rentals --signal drift:cnt --warn 0.05 --alert 0.01 --label y --score p
t monitor add rentals --signal metric:rmse --warn 10 --alert 20 --label y --score p --threshold 0.5
t monitor add rentals --signal drift:cnt --warn 0.05 --alert 0.01 --columns temp,hum
t monitor add rentals --signal drift_share --warn 0.2 --alert 0.5 --reference missing.csv
t monitor add rentals --signal drift_share --warn 0.2 --alert 0.5 --route ftp://example.com/x
t monitor add rentals --signal drift_share --warn 0.2 --alert 0.5 --route nodir/alerts.jsonl
t monitor add rentals --signal drift_share --warn 0.2 --alert 0.5 --route .
t monitor add rentals --signal drift_share --warn 0.2 --alert 0.5 --route "http://"
t monitor add old --signal drift_share --warn 0.2 --alert 0.5
# unknown (exit 4), not permitted (exit 5)
t monitor add nope --signal drift_share --warn 0.2 --alert 0.5
t --as dave monitor add rentals --signal drift_share --warn 0.2 --alert 0.5
t --as nobody monitor add rentals --signal drift_share --warn 0.2 --alert 0.5
t monitor list nope
t monitor show M-9
t monitor show X-1
t monitor disable M-9
t monitor list
# runs
t monitor run rentals
t monitor run rentals --data bike-feb.csv
t --as bob monitor add rentals --signal drift:cnt --warn 0.05 --alert 0.01
t --as bob monitor add rentals --signal drift:nope --warn 0.05 --alert 0.01 --reference bike-jan.csv
t monitor run rentals --data bike-feb.csv
t monitor run rentals --data - --reference bike-jan.csv
t monitor run rentals --data missing.csv --reference bike-jan.csv
t monitor run rentals --data bike-feb.csv --reference missing.csv
t monitor run rentals --data bike-feb.csv --reference bike-jan.csv --timeout soon
MRM_WEBHOOK_TIMEOUT=-1 t monitor run rentals --data bike-feb.csv --reference bike-jan.csv
t monitor run nope --data bike-feb.csv
t --as dave monitor run rentals --data bike-feb.csv --reference bike-jan.csv
t audit log --limit 1
# a monitor that cannot be evaluated gives an error result (stored), exit 3
t monitor run rentals --data header-only.csv --reference bike-jan.csv
# one column missing: that monitor errs, the other alerts; the alert decides the exit
t monitor run rentals --data bike-feb.csv --reference bike-jan.csv
# alerts
t alert
t alert list --status closed
t alert list --model nope
t alert show AL-9
t alert show 1x
t alert resolve AL-1
t alert resolve AL-1 actioned extra
t alert resolve AL-9 actioned
t alert resolve AL-1 actioned --note ""
t alert deliver
t alert deliver --timeout 0
t audit verify
