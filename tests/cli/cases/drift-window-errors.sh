# mrm drift over time refuses bad input with one line: exit 2 for the command line, 3 for the data
cp "$DATA/drift-window/ref.csv" "$DATA/drift-window/cur.csv" .
t drift --reference ref.csv --current cur.csv --window 1d
t drift --reference ref.csv --current cur.csv --timestamp ts
t drift --reference ref.csv --current cur.csv --timestamp ts --window 7m
t drift --reference ref.csv --current cur.csv --timestamp ts --window 5h
t drift --reference ref.csv --current cur.csv --timestamp ts --window 1y
t drift --reference ref.csv --current cur.csv --timestamp ts --window 0d
t drift --reference ref.csv --current cur.csv --label label
t drift --reference ref.csv --current cur.csv --score score
# the data spans more than 10,000 one-minute windows
t drift --reference ref.csv --current cur.csv --timestamp ts --window 1m
# columns that are not there
t drift --reference ref.csv --current cur.csv --timestamp when --window 1d
t drift --reference ref.csv --current cur.csv --label label --score scor
# bad values: FILE:LINE:COL
printf 'ts,x,c,label,score\n2024-03-01,1,a,1,0.5\n2024-02-30,2,b,0,0.2\n' > bad-date.csv
t drift --reference ref.csv --current bad-date.csv --timestamp ts --window 1d
printf 'ts,x,c,label,score\n2024-03-01,1,a,1,0.5\n03/02/2024,2,b,0,0.2\n' > us-date.csv
t drift --reference ref.csv --current us-date.csv --timestamp ts --window 1d
printf 'ts,x,c,label,score\n2024-03-01,1,a,1,0.5\n,2,b,0,0.2\n' > no-time.csv
t drift --reference ref.csv --current no-time.csv --timestamp ts --window 1d
printf 'ts,x,c,label,score\n2024-03-01,1,a,1,0.5\n2024-03-02,2,b,2,0.2\n' > bad-label.csv
t drift --reference ref.csv --current bad-label.csv --label label --score score
printf 'ts,x,c,label,score\n2024-03-01,1,a,yes,0.5\n' > text-label.csv
t drift --reference ref.csv --current text-label.csv --label label --score score
printf 'ts,x,c,label,score\n2024-03-01,1,a,1,high\n' > text-score.csv
t drift --reference ref.csv --current text-score.csv --label label --score score
# an empty current file (a header only): no window to build
printf 'ts,x,c,label,score\n' > empty.csv
t drift --reference ref.csv --current empty.csv --timestamp ts --window 1d --label label --score score
