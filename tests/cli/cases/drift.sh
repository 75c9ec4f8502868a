# mrm drift on small files: a shifted numeric column (income), a new category (city: marseille),
# a binary column (churn), a retyped column (score), columns missing on one side (old_col,
# new_col) and a column whose current values are all missing (note). Exit 1: dataset drift.
cp "$DATA/drift-cli/ref.csv" "$DATA/drift-cli/cur.csv" .
t drift --reference ref.csv --current cur.csv
t drift --reference ref.csv --current cur.csv --json
t drift --reference ref.csv --current cur.csv --columns age,churn --correction bonferroni
t drift --reference ref.csv --current cur.csv --columns age,income --correction holm
t drift --reference ref.csv --current cur.csv --method psi
t drift --reference ref.csv --current cur.csv --method wasserstein --threshold 3
t drift --reference ref.csv --current cur.csv --method anderson_darling --columns age,city
t drift --reference ref.csv --current cur.csv --columns age
# no drift: a file against itself
t drift --reference ref.csv --current ref.csv --columns age,income,city,churn,score
# undefined measures: k is constant in the reference (no normalised Wasserstein: not drifted,
# with the reason), gone is all missing in the reference, x has too few values for
# Anderson-Darling (listed under "undefined")
cp "$DATA/drift-cli/edge-ref.csv" "$DATA/drift-cli/edge-cur.csv" .
t drift --reference edge-ref.csv --current edge-cur.csv --method wasserstein
t drift --reference edge-ref.csv --current edge-cur.csv --json --columns k,gone
# JSON Lines (a null is a missing value)
cp "$DATA/drift-cli/ref.jsonl" "$DATA/drift-cli/cur.jsonl" .
t drift --reference ref.jsonl --current cur.jsonl --format jsonl
