# mrm drift with profiles on either side (docs/drift.md, "Profiles as inputs"). Small columns
# (sketches that still hold every value) give exactly the file result; larger ones are computed
# from the sketches, marked "~" and, in JSON, "approximate" with their bounds.
cp "$DATA/drift-cli/ref.csv" "$DATA/drift-cli/cur.csv" .
t profile ref.csv -o ref.profile
t profile cur.csv -o cur.profile
# the same table as drift between the files (tests/cli/cases/drift.sh), with the same exit 1
t drift --reference ref.profile --current cur.profile
t drift --reference ref.profile --current cur.profile --json --columns income,city,churn
# a profile is recognised by its magic bytes, whatever its name; a data file facing it is profiled
cp ref.profile ref-profile.csv
t drift --reference ref-profile.csv --current cur.csv --columns age,city --correction holm
# bike sharing, 2011 against 2012 (365 and 366 days): the numeric sketches have compacted
awk -F, 'NR == 1 || $4 == 0' "$MRM_TOP/data/bike-day.csv" > y2011.csv
awk -F, 'NR == 1 || $4 == 1' "$MRM_TOP/data/bike-day.csv" > y2012.csv
t profile y2011.csv -o y2011.profile
t profile y2012.csv -o y2012.profile
t drift --reference y2011.csv --current y2012.csv --columns cnt,temp,hum,weathersit,dteday
t drift --reference y2011.profile --current y2012.profile --columns cnt,temp,hum,weathersit,dteday
# the current counted exactly in the reference's bins: PSI and Jensen-Shannon from counts
t profile y2012.csv --bins-from y2011.profile -o y2012b.profile --columns temp
t drift --reference y2011.profile --current y2012b.profile --columns temp --method psi --json
# Anderson-Darling needs every value: undefined from sketches, so no decision
t drift --reference y2011.profile --current y2012.profile --columns hum --method anderson_darling
# a version 1 profile still works as an input
cp "$DATA/profile/v1-small.profile" "$DATA/profile/small.csv" .
t drift --reference v1-small.profile --current small.csv
# errors: exit 3 with one line
printf 'MRMP\003\000\000\000' > v3.profile
t drift --reference v3.profile --current cur.csv
head -c 200 ref.profile > cut.profile
t drift --reference ref.csv --current cut.profile
cp "$DATA/drift-cli/header-only.csv" .
t profile header-only.csv -o empty.profile
t drift --reference empty.profile --current cur.profile
t drift --reference ref.profile --current empty.profile
t drift --reference ref.profile --current cur.profile --columns incme
