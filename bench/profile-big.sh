#!/bin/sh
# Profiling a file far larger than memory (issue 4, "Performance"): generates a ~20 GB CSV
# (bench/gen-big-csv.c: 20 numeric + 5 categorical columns, the shape of the drift
# benchmark), profiles it in one pass, then as 4 byte-range shards in 4 parallel processes
# (each read from stdin, as a batch engine's pipe would feed it) merged with
# `mrm profile merge`, and reports rows per second and peak RSS (/usr/bin/time -v) of each.
# It then checks that drift against a shifted current file is the same from the merged
# profile as from the one-pass profile (tests/tools/drift-agree.py). Not a test: figures go to
# bench/out/profile-big.md (and bench/README.md records a run).
#
# usage: sh bench/profile-big.sh [BUILD_DIR]       (default: build, made by `make`)
#   PROFILE_BIG_GB=N   size of the reference file in GB (default 20; 2 for a quick check)
#   BENCH_DATA=DIR     where the data goes (default /tmp/mrm-bench); needs N + 5 GB free
#   KEEP=1             keep the generated files (default: deleted at the end)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
MRM="$build/mrm"
GEN="$build/bench/gen-big-csv"
GB=${PROFILE_BIG_GB:-20}
data=${BENCH_DATA:-/tmp/mrm-bench}
out="$top/bench/out"
TIME=/usr/bin/time
[ -x "$MRM" ] && [ -x "$GEN" ] || { echo "profile-big: build first: make O=${1:-build} all tests" >&2; exit 2; }
[ -x "$TIME" ] || { echo "profile-big: needs GNU time (/usr/bin/time; sh scripts/install-deps bench)" >&2; exit 2; }
mkdir -p "$data" "$out"
need_kb=$(( (GB + 5) * 1024 * 1024 ))
free_kb=$(df -Pk "$data" | awk 'NR == 2 { print $4 }')
if [ "$free_kb" -lt "$need_kb" ]; then
	echo "profile-big: skipped: $data has $((free_kb / 1024 / 1024)) GB free, needs $((GB + 5)) GB" \
	     "(set BENCH_DATA or PROFILE_BIG_GB)"
	exit 0
fi
big="$data/profile-big.csv"
cur="$data/profile-big-cur.csv"
cleanup() {
	[ "${KEEP:-0}" = 1 ] || rm -f "$big" "$cur"
	rm -f "$data"/profile-big*.profile "$data"/profile-big*.time "$data"/profile-big*.json
}
trap cleanup EXIT
report="$out/profile-big.md"
: > "$report"
say() { echo "$*" | tee -a "$report"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# rss FILE: peak RSS in MB from a /usr/bin/time -v log; cpu FILE: user + system seconds
rss() { awk -F: '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }
cpu() { awk -F: '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$1"; }

say "# mrm profile on a ${GB} GB CSV ($(date -u +%Y-%m-%dT%H:%MZ))"
say ""
say "machine: $(nproc) CPUs, $(awk -F: '/model name/ { print $2; exit }' /proc/cpuinfo | sed 's/^ *//'), $(free -g | awk '/Mem:/ { print $2 }') GB RAM, $(uname -sr)"
say "build: $build"
t0=$(now)
gen=$("$GEN" "$big" $((GB * 1000 * 1000 * 1000)))
t1=$(now)
set -- $gen
rows=$2 bytes=$4 o1=$6 o2=$7 o3=$8
say "generated: $rows rows, $bytes bytes in $(secs "$t0" "$t1") s ($big)"
"$GEN" "$cur" $((GB * 1000 * 1000 * 1000 / 20)) shift > /dev/null

# One pass.
t0=$(now)
$TIME -v "$MRM" profile "$big" -o "$data/profile-big-one.profile" > /dev/null 2> "$data/profile-big-one.time"
t1=$(now)
one_s=$(secs "$t0" "$t1")
one_rss=$(rss "$data/profile-big-one.time")
say ""
one_cpu=$(cpu "$data/profile-big-one.time")
say "| run | wall | rows/s (wall) | MB/s (wall) | CPU (user + sys) | peak RSS |"
say "| --- | --- | --- | --- | --- | --- |"
say "| one pass: \`mrm profile big.csv -o one.profile\` | ${one_s} s | $(awk -v r="$rows" -v s="$one_s" 'BEGIN { printf "%.0f", r / s }') | $(awk -v b="$bytes" -v s="$one_s" 'BEGIN { printf "%.0f", b / s / 1e6 }') | ${one_cpu} s | ${one_rss} MB |"

# Four byte-range shards at line starts, each read from stdin, all at once; then merge.
t0=$(now)
i=0
for range in "0 $o1" "$o1 $o2" "$o2 $o3" "$o3 $bytes"; do
	i=$((i + 1))
	set -- $range
	if [ $i = 1 ]; then
		# the first shard starts with the header
		head -c "$2" "$big" | $TIME -v -o "$data/profile-big-$i.time" \
			"$MRM" profile - -o "$data/profile-big-$i.profile" > /dev/null &
	else
		{ head -n 1 "$big"; tail -c +$(($1 + 1)) "$big" | head -c $(($2 - $1)); } |
			$TIME -v -o "$data/profile-big-$i.time" \
			"$MRM" profile - -o "$data/profile-big-$i.profile" > /dev/null &
	fi
done
wait
t1=$(now)
"$MRM" profile merge "$data"/profile-big-[1-4].profile -o "$data/profile-big-merged.profile" > /dev/null
t2=$(now)
sh_rss=0 sh_cpu=0
for i in 1 2 3 4; do
	r=$(rss "$data/profile-big-$i.time")
	[ "$r" -gt "$sh_rss" ] && sh_rss=$r
	sh_cpu=$(awk -v a="$sh_cpu" -v b="$(cpu "$data/profile-big-$i.time")" 'BEGIN { printf "%.1f", a + b }')
done
sh_s=$(secs "$t0" "$t2")
say "| 4 shards in parallel (stdin) + merge | $(secs "$t0" "$t1") s + $(secs "$t1" "$t2") s = ${sh_s} s | $(awk -v r="$rows" -v s="$sh_s" 'BEGIN { printf "%.0f", r / s }') | $(awk -v b="$bytes" -v s="$sh_s" 'BEGIN { printf "%.0f", b / s / 1e6 }') | ${sh_cpu} s (4 processes) | ${sh_rss} MB per process |"
say ""
say "wall times depend on what else runs on the machine; the CPU column does not (much)."
target=256
[ "$one_rss" -lt $target ] && [ "$sh_rss" -lt $target ] && say "peak RSS under ${target} MB: met" ||
	say "peak RSS under ${target} MB: NOT met"

# Same drift from the merged profile as from one pass, against a shifted current file.
"$MRM" profile "$cur" -o "$data/profile-big-cur.profile" > /dev/null
"$MRM" --json drift --reference "$data/profile-big-one.profile" \
	--current "$data/profile-big-cur.profile" > "$data/profile-big-one.json" || true
"$MRM" --json drift --reference "$data/profile-big-merged.profile" \
	--current "$data/profile-big-cur.profile" > "$data/profile-big-merged.json" || true
if python3 "$top/tests/tools/drift-agree.py" --same-bound --all-decisions --label "merged" \
	"$data/profile-big-one.json" "$data/profile-big-merged.json" > "$out/profile-big-agree.txt" &&
	! grep -q '^not ok' "$out/profile-big-agree.txt"; then
	say "drift, merged shards vs one pass: same result (tests/tools/drift-agree.py: $(grep -c "^ok" "$out/profile-big-agree.txt") groups of checks ok: counts exact, every decision identical, values within the bounds)"
else
	say "drift, merged shards vs one pass: DIFFERENT (see bench/out/profile-big-agree.txt)"
fi
python3 - "$data/profile-big-one.json" <<'PY' | tee -a "$report"
import json, sys
d = json.load(open(sys.argv[1]))
drifted = sorted(k for k, c in d["columns"].items() if c.get("drifted"))
print("drifted columns (shift injected in num_00, num_07, cat_2): %s" % ", ".join(drifted))
PY
