# A deciding test per column type (docs/drift.md, "Defaults"): --method numeric=NAME and
# --method categorical=NAME (repeatable or comma-separated), with --threshold numeric=X /
# categorical=X. A plain --method NAME works as before: it decides the columns it applies
# to, the others keep their default. A per-type test of the other type is exit 2, naming it.
cp "$DATA/drift-cli/ref.csv" "$DATA/drift-cli/cur.csv" .
# as before: ks for the numeric columns, the categorical ones keep chi2 / z
t drift --reference ref.csv --current cur.csv --method ks
# KS for numeric columns, chi-square for categorical ones (churn has 2 categories: chi2, not z)
t drift --reference ref.csv --current cur.csv --method numeric=ks --method categorical=chi2
# distances on both types, the numeric threshold loosened; the document names both tests
t drift --reference ref.csv --current cur.csv --method numeric=psi,categorical=jensen_shannon \
	--threshold numeric=7 --columns income,age,city --json
# one type given: a plain --threshold is its test's; the other type keeps its defaults
t drift --reference ref.csv --current cur.csv --method categorical=z --threshold 0.001 --columns churn,city,age
# a plain method and a per-type one: the per-type one wins for its type
t drift --reference ref.csv --current cur.csv --method wasserstein --method categorical=psi --columns income,city
# profiles as inputs take the same options
t profile ref.csv -o ref.profile
t drift --reference ref.profile --current cur.csv --method numeric=wasserstein,categorical=chi2 --columns income,city
# usage errors: exit 2
t drift --reference ref.csv --current cur.csv --method numeric=chi2
t drift --reference ref.csv --current cur.csv --method categorical=anderson_darling
t drift --reference ref.csv --current cur.csv --method numeric=median
t drift --reference ref.csv --current cur.csv --method ordinal=ks
t drift --reference ref.csv --current cur.csv --method numeric=
t drift --reference ref.csv --current cur.csv --method numeric=ks --method numeric=psi
t drift --reference ref.csv --current cur.csv --method ks,psi
t drift --reference ref.csv --current cur.csv --method numeric=ks,categorical=chi2 --threshold 0.01
t drift --reference ref.csv --current cur.csv --method numeric=ks --threshold categorical=0.01
t drift --reference ref.csv --current cur.csv --method numeric=ks --threshold numeric=2
t drift --reference ref.csv --current cur.csv --method numeric=psi --threshold numeric=0.1 --threshold 0.2
t drift --reference ref.csv --current cur.csv --method numeric=psi --threshold numeric=-1
