# Windowed metric monitors (docs/monitoring.md, "Windows"): metric:NAME with --window and
# --timestamp is evaluated once per window, each window's rows validated on their own (as
# mrm validate would on those rows), in the windows mrm drift cuts. Data: tests/data/drift-window
# (a day with no row, a day with one class, a day with no label).
cp "$DATA/drift-window/ref.csv" "$DATA/drift-window/cur.csv" .
t init
t user add root --role admin,validator
t model add scorer --name "Daily scorer" --owner root --purpose "Scores events" --type classification --status production
t monitor add scorer --signal metric:roc_auc --warn 0.84 --alert 0.81 --label label --score score --window 1d --timestamp ts
t monitor add scorer --signal metric:recall --warn 0.8 --alert 0.7 --label label --score score --threshold 0.6 --window 1d --timestamp ts
t monitor add scorer --signal metric:roc_auc --warn 0.84 --alert 0.81 --label label --score score
# one result per day: the AUC of March 6 and 8 alert, March 1 warns; the empty day, the day
# with one class and the day with no label are error results with their reason; the
# unwindowed monitor gives one result for the whole file
t monitor run scorer --data cur.csv
# the per-window values are those of mrm drift's per-window metrics (roc_auc) on the same windows
"$MRM" --json monitor run scorer --data cur.csv > run.json 2> /dev/null
"$MRM" --json drift --reference ref.csv --current cur.csv --columns x --timestamp ts --window 1d \
	--label label --score score > drift.json 2> /dev/null
python3 - <<'PY'
import json
run = json.load(open("run.json"))
drift = {w["start"]: w for w in json.load(open("drift.json"))["windows"]}
n = 0
for r in run["results"]:
    if r["signal"] != "metric:roc_auc" or r["window"] is None:
        continue
    w = drift[r["window"]["start"]]
    assert r["window"]["end"] == w["end"]
    want = (w.get("metrics") or {}).get("roc_auc")
    if want is None:
        assert r["level"] == "error" and r["value"] is None, r
    else:
        assert abs(r["value"] - want) < 1e-12, (r, want)
        n += 1
print("per-window roc_auc equal to mrm drift's in %d windows, errors where it has none" % n)
PY
# a bad timestamp: the windowed metric monitors get an error result, the others are evaluated
printf 'ts,label,score\n2024-03-01,1,0.9\nyesterday,0,0.2\n' > bad.csv
t monitor run scorer --data bad.csv
