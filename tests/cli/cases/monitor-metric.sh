# Metric and drift monitors on the COMPAS recidivism scores (data/compas-scores-two-years.csv):
# screenings of 2013 are the reference, those of 2014 the new data. The decile score is the
# model's score, two_year_recid the outcome; high risk means decile_score >= 5.
python3 - "$MRM_TOP/data/compas-scores-two-years.csv" <<'PY'
import csv, sys
rows = csv.reader(open(sys.argv[1], newline=""))
head = next(rows)
keep = ["compas_screening_date", "sex", "age", "race", "priors_count", "decile_score", "two_year_recid"]
idx = [head.index(k) for k in keep]
out = {y: csv.writer(open("compas-%s.csv" % y, "w", newline=""), lineterminator="\n") for y in ("2013", "2014")}
for w in out.values():
    w.writerow(keep)
for r in rows:
    out[r[idx[0]][:4]].writerow([r[i] for i in idx])
PY
t init
t user add root --role admin,validator
t model add recid --name "Recidivism risk" --owner root --purpose "Pre-trial risk score" --type classification --status production
t monitor add recid --signal metric:roc_auc --warn 0.72 --alert 0.65 --label two_year_recid --score decile_score
t monitor add recid --signal metric:recall --warn 0.65 --alert 0.55 --label two_year_recid --score decile_score --threshold 5
t monitor add recid --signal metric:fpr --warn 0.25 --alert 0.35 --label two_year_recid --score decile_score --threshold 5
t monitor add recid --signal metric:brier_score --warn 0.2 --alert 0.25 --label two_year_recid --score decile_score
t monitor add recid --signal metric:selection_rate --direction above --warn 0.55 --alert 0.7 --label two_year_recid --score decile_score --threshold 5
t monitor add recid --signal drift:decile_score --warn 0.1 --alert 0.2 --reference compas-2013.csv
t monitor add recid --signal drift:priors_count --warn 0.05 --alert 0.01 --reference compas-2013.csv
t monitor add recid --signal drift:race:jensen_shannon --warn 0.05 --alert 0.1 --reference compas-2013.csv
t monitor add recid --signal dataset_drift --warn 1 --alert 1 --reference compas-2013.csv --columns sex,age,race,priors_count,decile_score
# AUC, recall and FPR warn; Brier needs probabilities; priors_count is decided by a distance
# (more than 1000 reference rows), so thresholds in p-value order are an error result
t monitor run recid --data compas-2014.csv
t --json monitor run recid --data compas-2014.csv
t audit verify
