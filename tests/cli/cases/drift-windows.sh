# mrm drift over time: bike-sharing rentals (data/bike-day.csv), January 2011 as the reference
# and February to April 2011 by week (weeks start on Monday 00:00 UTC, so the first window
# starts on Monday 2011-01-31 and holds the 6 days from February 1). dteday is the timestamp
# and is not drift-tested.
awk -F, 'NR == 1 || $2 ~ /^2011-01/' "$MRM_TOP/data/bike-day.csv" > bike-jan.csv
awk -F, 'NR == 1 || $2 ~ /^2011-0[234]/' "$MRM_TOP/data/bike-day.csv" > bike-feb-apr.csv
t drift --reference bike-jan.csv --current bike-feb-apr.csv \
	--columns temp,atemp,hum,windspeed,weathersit,casual,registered,cnt --timestamp dteday --window 1w
# the JSON of February's weeks, two columns
awk -F, 'NR == 1 || $2 ~ /^2011-02/' "$MRM_TOP/data/bike-day.csv" > bike-feb.csv
t drift --reference bike-jan.csv --current bike-feb.csv --columns temp,cnt --timestamp dteday \
	--window 1w --json
# a gap: February and April only; the weeks of March are listed, empty, so the time axis is regular
awk -F, 'NR == 1 || $2 ~ /^2011-0[24]/' "$MRM_TOP/data/bike-day.csv" > bike-feb-apr-gap.csv
t drift --reference bike-jan.csv --current bike-feb-apr-gap.csv --columns temp,cnt \
	--timestamp dteday --window 2w
# with labels: performance per day (tests/data/drift-window: timestamps in every accepted
# spelling, a day with no row, a day with one class, a day with no label)
cp "$DATA/drift-window/ref.csv" "$DATA/drift-window/cur.csv" .
t drift --reference ref.csv --current cur.csv --timestamp ts --window 1d --label label --score score
# 12-hour windows show the hour; labels without windows give the top-level metrics only
t drift --reference ref.csv --current cur.csv --timestamp ts --window 12h --columns x
t drift --reference ref.csv --current cur.csv --label label --score score --columns x --json
