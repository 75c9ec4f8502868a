#!/bin/sh
# Times libmrm's table reader (bench/table-read.c) against pandas.read_csv
# (../shared/bench/clf_bench.py read) on the same 10M-row label,score,group
# CSV: RUNS runs each (default 3), alternating, wall time and peak RSS from
# /usr/bin/time -v, and each program's own timing of the read alone
# ("seconds" of table-read, "read_s" of clf_bench.py: no process start,
# no Python imports); prints the medians, MB/s and the ratios to pandas.
#
# usage: sh bench/table-read.sh [BUILD_DIR] [CSV]
#   BUILD_DIR  a release build with bench/ built (default: build; make O=build tests)
#   CSV        default $BENCH_DATA/clf.csv (generated if missing)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
data=${BENCH_DATA:-/tmp/mrm-bench}
csv=${2:-$data/clf.csv}
runs=${RUNS:-3}
peer="$top/../shared/bench/clf_bench.py"
reader="$build/bench/table-read"
cols="label:num score:num group:cat"

[ -x "$reader" ] || { echo "no $reader: make O=$build tests" >&2; exit 2; }
if [ ! -f "$csv" ]; then
	BENCH_DATA=$(dirname "$csv") /usr/bin/python3 "$top/../shared/bench/gen_data.py" clf
fi
[ -f "$csv.gz" ] || gzip -1 -c "$csv" > "$csv.gz"
bytes=$(wc -c < "$csv")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One timed run: appends "NAME WALL_SECONDS PEAK_RSS_KB READ_SECONDS" to $tmp/runs.
run() {
	name=$1
	shift
	/usr/bin/time -v "$@" > "$tmp/out" 2> "$tmp/time" || {
		cat "$tmp/time" >&2
		exit 1
	}
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
	inner=$(sed -n 's/.*"\(seconds\|read_s\)": \([0-9.]*\).*/\2/p' "$tmp/out")
	echo "$name $wall $rss $inner" >> "$tmp/runs"
}

cat /dev/null > "$tmp/runs"
for i in $(seq "$runs"); do
	run "mrm-2-threads" "$reader" -t 2 "$csv" $cols
	run "pandas.read_csv" /usr/bin/python3 "$peer" read "$csv"
	run "mrm-1-thread" "$reader" -t 1 "$csv" $cols
	run "mrm-stream-2-threads" "$reader" -t 2 -S "$csv" $cols
	run "mrm-gzip-2-threads" "$reader" -t 2 "$csv.gz" $cols
done

echo "file: $csv ($bytes bytes), $runs runs each, medians"
echo "wall: the whole process (/usr/bin/time); read: the program's own timing of the read"
printf '%-22s %7s %8s %7s %8s %10s %9s %9s %10s\n' reader "wall s" "x pandas" "read s" "MB/s" "x pandas" \
	"peak RSS" "" "RSS/pandas"
awk -v bytes="$bytes" '
	{ n[$1]++; w[$1, n[$1]] = $2; m[$1, n[$1]] = $3; r[$1, n[$1]] = $4
	  if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
	function median(a, name, cnt,   i, j, t, v) {
		for (i = 1; i <= cnt; i++) v[i] = a[name, i]
		for (i = 1; i <= cnt; i++) for (j = i + 1; j <= cnt; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		return cnt % 2 ? v[(cnt + 1) / 2] : (v[cnt / 2] + v[cnt / 2 + 1]) / 2
	}
	END {
		pw = median(w, "pandas.read_csv", n["pandas.read_csv"])
		pm = median(m, "pandas.read_csv", n["pandas.read_csv"])
		pr = median(r, "pandas.read_csv", n["pandas.read_csv"])
		for (i = 1; i <= k; i++) {
			name = order[i]
			mw = median(w, name, n[name]); mm = median(m, name, n[name])
			mr = median(r, name, n[name])
			printf "%-22s %7.2f %7.1fx %7.3f %8.0f %9.1fx %6.0f MB %9s %10.2f\n", name, mw, pw / mw,
			       mr, bytes / 1e6 / mr, pr / mr, mm / 1024, "", mm / pm
		}
	}' "$tmp/runs"
