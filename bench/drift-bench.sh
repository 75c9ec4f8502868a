#!/bin/sh
# The drift benchmark (bench/README.md, "Drift"): `mrm drift` (the full report: every measure
# of every column) against the peer ../shared/bench/drift_bench.py (pandas + scipy) in the
# same run, on the same files, alternating, with /usr/bin/time -f "%e %M" (wall seconds, peak
# RSS in KB; user + system CPU seconds too, which other work on the machine disturbs less);
# medians of REPEAT runs and the ratios against the bar of the monitoring issue (10x faster,
# at most a quarter of the peer's memory, on 1,000,000 rows).
#
# usage: sh bench/drift-bench.sh [BUILD_DIR]     (default: build, -O2)
#   BENCH_DATA=DIR   data folder (default /tmp/mrm-bench) with drift_{ref,cur}_{1m,100k}.csv;
#                    without them the benchmark is skipped, unless GEN=1 makes them with
#                    /usr/bin/python3 ../shared/bench/gen_data.py drift (450 MB, about a minute)
#   REPEAT=N         runs of each timing (default 3)
#   PEER=0           skip the peer (mrm figures only)
# Results: bench/out/drift-results.md and bench/out/drift-timings.log.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
MRM="$build/mrm"
D=${BENCH_DATA:-/tmp/mrm-bench}
SHARED=${MRM_SHARED:-$top/../shared}
[ -d "$SHARED/bench" ] || SHARED=/work/shared
REPEAT=${REPEAT:-3}
PY=/usr/bin/python3
out="$top/bench/out"
log="$out/drift-timings.log"
[ -x "$MRM" ] || { echo "drift-bench: build first: make O=${1:-build} all" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "drift-bench: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

# ---- data --------------------------------------------------------------------
have() {
	for s in 1m 100k; do
		[ -f "$D/drift_ref_$s.csv" ] && [ -f "$D/drift_cur_$s.csv" ] || return 1
	done
}
if ! have; then
	if [ "${GEN:-0}" = 1 ]; then
		mkdir -p "$D"
		BENCH_DATA="$D" "$PY" "$SHARED/bench/gen_data.py" drift
	else
		echo "drift-bench: skipped: no drift_{ref,cur}_{1m,100k}.csv in $D" \
			"(GEN=1 makes them with ../shared/bench/gen_data.py drift)"
		exit 0
	fi
fi
mkdir -p "$out"
: >"$log"

# ---- measuring -------------------------------------------------------------------
# measure NAME CMD...: one run; appends "NAME wall_s rss_kb cpu_s" to the log. mrm drift exits
# 1 when it finds dataset drift: that is a result, not a failure.
measure() {
	name=$1
	shift
	tf=$(mktemp)
	st=0
	/usr/bin/time -f "%e %M %U %S" -o "$tf" "$@" >"$tf.out" 2>"$tf.err" || st=$?
	if [ "$st" -gt 1 ]; then
		echo "drift-bench: '$*' failed ($st):" >&2
		cat "$tf.err" "$tf" >&2
		rm -f "$tf" "$tf.out" "$tf.err"
		exit 1
	fi
	set -- $(tail -n 1 "$tf")
	echo "$name $1 $2 $(awk -v u="$3" -v s="$4" 'BEGIN { printf "%.2f", u + s }')" | tee -a "$log"
	rm -f "$tf" "$tf.out" "$tf.err"
}

# median NAME FIELD: median of field 2 (wall), 3 (rss) or 4 (cpu) over the log lines of NAME.
median() {
	awk -v n="$1" -v f="$2" '$1 == n { v[++k] = $f } END {
		if (!k) { print "-"; exit }
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		print (k % 2) ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2 }' "$log"
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
i=0
while [ $i -lt "$REPEAT" ]; do
	for s in 1m 100k; do
		measure "mrm_$s" "$MRM" drift --reference "$D/drift_ref_$s.csv" \
			--current "$D/drift_cur_$s.csv" --json
		[ "${PEER:-1}" = 0 ] ||
			measure "peer_$s" "$PY" "$SHARED/bench/drift_bench.py" "$D/drift_ref_$s.csv" \
				"$D/drift_cur_$s.csv" "$out/drift-peer-$s.json"
	done
	i=$((i + 1))
done

# ---- report ----------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
mb() { awk -v r="$1" 'BEGIN { if (r == "-") print "-"; else printf "%.0f", r / 1024 }'; }
verdict() { # verdict VALUE LIMIT ge|le
	awk -v v="$1" -v l="$2" -v how="$3" 'BEGIN { if (v == "-") print "n/a";
		else if ((how == "ge" && v >= l) || (how == "le" && v <= l)) print "met"; else print "MISSED" }'
}
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
{
	echo "# mrm drift against pandas + scipy ($(date -u +%Y-%m-%d), $(nproc) CPUs, $cpu)"
	echo
	echo "Medians of $REPEAT runs, alternating mrm and the peer; load average at the start: $load;"
	echo "the fastest mrm run on 1M rows: $(awk '$1 == "mrm_1m" && (m == "" || $2 < m) { m = $2 } END { print m }' "$log") s."
	echo
	echo "| rows | mrm wall (s) | mrm CPU (s) | mrm peak RSS (MB) | peer wall (s) | peer CPU (s) | peer peak RSS (MB) | speed-up (wall) | CPU ratio | memory ratio |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	for s in 1m 100k; do
		mw=$(median "mrm_$s" 2) mr=$(median "mrm_$s" 3) mc=$(median "mrm_$s" 4)
		pw=$(median "peer_$s" 2) pr=$(median "peer_$s" 3) pc=$(median "peer_$s" 4)
		echo "| $s | $mw | $mc | $(mb "$mr") | $pw | $pc | $(mb "$pr") | $(ratio "$pw" "$mw") |" \
			"$(ratio "$pc" "$mc") | $(ratio "$mr" "$pr") |"
	done
	sp=$(ratio "$(median peer_1m 2)" "$(median mrm_1m 2)")
	mr=$(ratio "$(median mrm_1m 3)" "$(median peer_1m 3)")
	echo
	echo "- 1,000,000 rows: ${sp}x faster (the bar: >= 10x, $(verdict "$sp" 10 ge)); peak RSS $mr of the" \
		"peer's (the bar: <= 0.25, $(verdict "$mr" 0.25 le))"
} | tee "$out/drift-results.md"
