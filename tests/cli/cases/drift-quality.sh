# Data-quality checks of mrm drift on small files (tests/data/drift-quality): flag is missing
# from the current file, promo is new, score turns text ("high": retyped), amount has missing
# values and values above the reference's range, country gains ES (a new category), channel
# becomes constant (web), and one row is repeated. A failed check exits 1 after the report.
cp "$DATA/drift-quality/ref.csv" "$DATA/drift-quality/cur.csv" .
t drift --reference ref.csv --current cur.csv
t drift --reference ref.csv --current cur.csv --columns amount,country --json
# every threshold loosened: the same values, nothing fails (exit 0)
t drift --reference ref.csv --current cur.csv --check missing_columns=1,new_columns=1 \
	--check retyped_columns=1 --check duplicate_rows=0.2 --check missing_rate=0.5 \
	--check out_of_range=0.5 --check new_categories=0.5 --check constant=1
# a file against itself passes every check
t drift --reference ref.csv --current ref.csv
# bad --check values: exit 2, naming the valid checks
t drift --reference ref.csv --current cur.csv --check bogus=1
t drift --reference ref.csv --current cur.csv --check constant
t drift --reference ref.csv --current cur.csv --check out_of_range=1.5
t drift --reference ref.csv --current cur.csv --check missing_columns=-1
t drift --reference ref.csv --current cur.csv --check missing_rate=lots
