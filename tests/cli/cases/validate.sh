# mrm validate: the terminal summary and the JSON document on small data,
# ProPublica's COMPAS error rates by race and pROC's aSAH example (DeLong
# interval, paired test of wfns against s100b), reading from stdin.
cp "$DATA/validate/tiny.csv" tiny.csv
t help validate
t validate --data tiny.csv --label outcome --score score --group group
t --json validate --data tiny.csv --label outcome --score score --champion champion --group group --weight weight --where "age is not missing"
t validate --data - --label outcome --score score --threshold 0.7 < tiny.csv
t validate --data tiny.csv --label outcome --prediction outcome --streaming
cp "$MRM_TOP/../shared/data/compas/compas-scores-two-years.csv" compas.csv 2>/dev/null ||
	cp /work/shared/data/compas/compas-scores-two-years.csv compas.csv
cp "$MRM_TOP/../shared/data/roc_asah/aSAH.csv" asah.csv 2>/dev/null ||
	cp /work/shared/data/roc_asah/aSAH.csv asah.csv
# decile_score >= 5 is ProPublica's "Medium or High": FPR 44.9% black vs 23.5% white
t validate --data compas.csv --label two_year_recid --score decile_score --threshold 5 --group race
# pROC: AUC 0.7314 (DeLong 0.6301-0.8326); roc.test(wfns, s100b): Z = 2.209, p = 0.02718
t validate --data asah.csv --label outcome --positive Poor --score s100b --champion wfns
# regression and multiclass
cp "$DATA/validate/regression.csv" "$DATA/validate/multiclass.csv" .
t validate --task regression --data regression.csv --label actual --score predicted --weight w --group g
t validate --task multiclass --data multiclass.csv --label truth --score p_a,p_b,p_c --group g
t validate --task multiclass --data multiclass.csv --label truth --prediction pred
