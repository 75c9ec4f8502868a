# mrm drift refuses bad input with one line: exit 2 for the command line, 3 for the data.
cp "$DATA/drift-cli/ref.csv" "$DATA/drift-cli/cur.csv" "$DATA/drift-cli/header-only.csv" .
t drift
t drift --reference ref.csv
t drift --reference ref.csv --current cur.csv --method median
t drift --reference ref.csv --current cur.csv --threshold 0.1
t drift --reference ref.csv --current cur.csv --method ks --threshold 1.5
t drift --reference ref.csv --current cur.csv --method psi --threshold -1
t drift --reference ref.csv --current cur.csv --method psi --threshold lots
t drift --reference ref.csv --current cur.csv --correction fdr
t drift --reference ref.csv --current cur.csv --format xml
t drift --reference ref.csv --current cur.csv extra
t drift --reference ref.csv --current cur.csv --columns age,incme
t drift --reference ref.csv --current header-only.csv
t drift --reference header-only.csv --current cur.csv
t drift --reference ref.csv --current nosuch.csv
# a column on one side only is a schema problem and a failed quality check (exit 1), not an error
t drift --reference ref.csv --current cur.csv --columns old_col,new_col
