# Data-quality checks of mrm drift with profiles as inputs (docs/drift.md, "Data quality from
# profiles"), on bike sharing January against February 2011 (tests/data/drift-cli): profiles
# on both sides, a profile facing a data file both ways. Schema, missing, constant and (while
# the category counts are exact) new_categories are exact; with 31 and 28 rows the quantile
# sketches hold every value, so out_of_range is exact too. duplicate_rows needs rows: not
# applicable, with the reason. The same failed checks as between the files, so exit 1.
cp "$DATA/drift-cli/bike-jan.csv" "$DATA/drift-cli/bike-feb.csv" .
t profile bike-jan.csv -o jan.profile
t profile bike-feb.csv -o feb.profile
t drift --reference bike-jan.csv --current bike-feb.csv --columns temp,hum,weathersit,dteday
t drift --reference jan.profile --current feb.profile --columns temp,hum,weathersit,dteday
t drift --reference jan.profile --current bike-feb.csv --columns temp,hum,weathersit,dteday
t drift --reference bike-jan.csv --current feb.profile --columns hum --json
# --check thresholds apply as between files: loosened, nothing fails (exit 0)
t drift --reference jan.profile --current feb.profile --columns temp,hum,dteday \
	--check out_of_range=0.5 --check new_categories=1
# quality: monitor signals evaluated on a drift against a reference profile
t init
t user add root --role admin,validator
t model add rentals --name "Bike rentals forecast" --owner root --purpose "Daily rental demand" --status production
t monitor add rentals --signal quality:out_of_range:temp --warn 0.1 --alert 0.25 --reference jan.profile
t monitor add rentals --signal quality:missing_rate:hum --warn 0.02 --alert 0.05 --reference jan.profile
t monitor add rentals --signal quality:new_categories:dteday --warn 0.5 --alert 0.9 --reference jan.profile
# duplicate_rows cannot be evaluated from a profile: an error result with the reason
t monitor add rentals --signal quality:duplicate_rows --warn 0.01 --alert 0.05 --reference jan.profile
# the current as a profile, then as the data file: the same values
t monitor run rentals --data feb.profile
t monitor run rentals --data bike-feb.csv
t --json monitor run rentals --data feb.profile
