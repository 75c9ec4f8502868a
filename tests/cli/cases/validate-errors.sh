# mrm validate refuses bad input with one line that says what and where:
# exit 2 for the command line (and --where syntax), 3 for the data and the
# tests file. Undefined metrics are not errors: they are null with a reason.
V="$DATA/validate"
for f in tiny.csv bad-labels.csv text-labels.csv non-numeric.csv nan.csv inf.csv empty.csv \
	header-only.csv negative-weight.csv tests-fail.yaml; do
	cp "$V/$f" .
done
# command line
t validate
t validate --data tiny.csv
t validate --data tiny.csv --label outcome
t validate --data tiny.csv --label outcome --score score --prediction outcome
t validate --data tiny.csv --label outcome --score score,champion
t validate --data tiny.csv --label outcome --score score --threshold high
t validate --data tiny.csv --label outcome --score score --bootstrap 0
t validate --data tiny.csv --label outcome --score score --bins 500
t validate --data tiny.csv --label outcome --score score --task ranking
t validate --data tiny.csv --label outcome --score score --binning quantile
t validate --data tiny.csv --label outcome --score score --champion score
t validate --data tiny.csv --label outcome --score score --streaming --bootstrap 10
t validate --data tiny.csv --label outcome --prediction outcome --threshold 0.3
t validate --data tiny.csv --label outcome --score score --version 1.0
t validate --data tiny.csv --label outcome --score score --frobnicate
# files and columns
t validate --data missing.csv --label outcome --score score
t validate --data . --label outcome --score score
t validate --data empty.csv --label y --score score
t validate --data header-only.csv --label y --score score
t validate --data tiny.csv --label outcome --score scroe
t validate --data tiny.csv --label outcome --score score --group region
# labels
t validate --data bad-labels.csv --label y --score score
t validate --data text-labels.csv --label outcome --score score
t validate --data text-labels.csv --label outcome --score score --positive Pooor
t validate --data bad-labels.csv --label y --score score --positive 2 --threshold 0.45
# scores and weights
t validate --data non-numeric.csv --label y --score score
t validate --data nan.csv --label y --score score
t validate --data inf.csv --label y --score score
t validate --data negative-weight.csv --label y --score score --weight w
# --skip-bad-rows counts what it skips
t validate --data nan.csv --label y --score score --skip-bad-rows
# --where
t validate --data tiny.csv --label outcome --score score --where "age >= "
t validate --data tiny.csv --label outcome --score score --where "age >= 30 and (group = 'a'"
t validate --data tiny.csv --label outcome --score score --where "agee > 30"
t validate --data tiny.csv --label outcome --score score --where "age > 100"
# tests files
printf 'tests:\n  - roc_acu >= 0.7\n' > typo.yaml
printf 'tests:\n  - recall >= 0.6 for group\n' > ambiguous.yaml
printf 'tests:\n  - name: x\n    conditon: roc_auc > 0.5\n' > key.yaml
printf 'tests: [roc_auc >= 0.7\n' > syntax.yaml
t validate --data tiny.csv --label outcome --score score --group group --tests typo.yaml
t validate --data tiny.csv --label outcome --score score --group group --tests ambiguous.yaml
t validate --data tiny.csv --label outcome --score score --group group --tests key.yaml
t validate --data tiny.csv --label outcome --score score --group group --tests syntax.yaml
t validate --data tiny.csv --label outcome --score score --group group --tests nope.yaml
