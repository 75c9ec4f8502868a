# Declared tests (--tests FILE.yaml): every test is reported with its value;
# a test on an undefined metric fails with the reason; exit 1 when any fails,
# after the full report.
cp "$DATA/validate/tiny.csv" "$DATA/validate/tests-pass.yaml" "$DATA/validate/tests-fail.yaml" .
t validate --data tiny.csv --label outcome --score score --group group --tests tests-pass.yaml
t validate --data tiny.csv --label outcome --score score --group group --tests tests-fail.yaml
t validate --data tiny.csv --label outcome --score score --group group --tests tests-fail.yaml --where "not (group = 'c' and outcome = 1)"
printf 'tests:\n  - roc_auc_difference >= 0 with p_value < 0.05\n  - f1_difference > 0\n  - roc_auc_champion > 0.5\n' > champion.yaml
t validate --data tiny.csv --label outcome --score score --champion champion --tests champion.yaml
