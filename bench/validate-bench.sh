#!/bin/sh
# The validation benchmark (bench/README.md, "Validation"): `mrm validate`
# against the peer scripts of ../shared/bench (pandas + scikit-learn) in the
# same run, on the same files, with /usr/bin/time -v (wall clock, peak RSS).
#
# usage: sh bench/validate-bench.sh [BUILD_DIR]    (default: build, -O2)
#   BENCH_DATA=DIR   data folder (default /tmp/mrm-bench; clf.csv is made by
#                    /usr/bin/python3 ../shared/bench/gen_data.py clf if absent)
#   REPEAT=N         runs of each timing, alternating mrm and the peer (default 3)
#   BOOT_REPEAT=N    runs of the slow peer bootstrap (default 1)
#   BIG=1            also time 100,000,000 rows (1.3 GB more in BENCH_DATA)
#   PEER=0           skip the peer runs (mrm figures only)
#   ONLY=full|boot   run only the full-report or only the bootstrap timings
# Results: bench/out/validate-results.md and bench/out/validate-timings.log.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
MRM="$build/mrm"
D=${BENCH_DATA:-/tmp/mrm-bench}
SHARED=${MRM_SHARED:-$top/../shared}
[ -d "$SHARED/bench" ] || SHARED=/work/shared
REPEAT=${REPEAT:-3}
BOOT_REPEAT=${BOOT_REPEAT:-1}
PY=/usr/bin/python3
out="$top/bench/out"
log="$out/validate-timings.log"
mkdir -p "$out" "$D"
[ -x "$MRM" ] || { echo "validate-bench: build first: make O=${1:-build} all" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "validate-bench: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
export BENCH_DATA="$D"

# ---- data --------------------------------------------------------------------
if [ ! -f "$D/clf.csv" ]; then
	echo "generating $D/clf.csv (10,000,000 rows) with the peer's generator"
	"$PY" "$SHARED/bench/gen_data.py" clf
fi
# 1M rows: the first million of the same file.
[ -f "$D/clf1m.csv" ] || head -n 1000001 "$D/clf.csv" >"$D/clf1m.csv"
# 100M rows: the 10M rows ten times over (the same score distribution and the
# same number of distinct scores, ~1M, as 6-decimal scores saturate anyway).
if [ "${BIG:-0}" = 1 ] && [ ! -f "$D/clf100m.csv" ]; then
	echo "writing $D/clf100m.csv (100,000,000 rows)"
	{
		cat "$D/clf.csv"
		i=1
		while [ $i -lt 10 ]; do
			tail -n +2 "$D/clf.csv"
			i=$((i + 1))
		done
	} >"$D/clf100m.csv"
fi

# ---- measuring -------------------------------------------------------------------
# measure NAME CMD...: one run; appends "NAME wall_s rss_kb" to the log.
measure() {
	name=$1
	shift
	tf=$(mktemp)
	if ! /usr/bin/time -v -o "$tf" "$@" >/dev/null 2>"$tf.err"; then
		echo "validate-bench: '$*' failed:" >&2
		cat "$tf.err" >&2
		rm -f "$tf" "$tf.err"
		exit 1
	fi
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tf" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tf")
	rm -f "$tf" "$tf.err"
	echo "$name $wall $rss" | tee -a "$log"
}

# median NAME FIELD: median of field 2 (wall) or 3 (rss) over the log lines of NAME.
median() {
	awk -v n="$1" -v f="$2" '$1 == n { v[++k] = $f } END {
		if (!k) { print "-"; exit }
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		print (k % 2) ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2 }' "$log"
}

# Keep the lines of the part not rerun (ONLY=...), drop the others.
touch "$log"
case "${ONLY:-}" in
full) grep '_boot' "$log" >"$log.tmp" || true ;;
boot) grep -v '_boot' "$log" >"$log.tmp" || true ;;
*) : >"$log.tmp" ;;
esac
mv "$log.tmp" "$log"
full="validate --label label --score score --group group --json"
i=0
[ "${ONLY:-full}" = full ] || i=$REPEAT
while [ $i -lt "$REPEAT" ]; do
	measure mrm_full_10m "$MRM" $full --data "$D/clf.csv"
	[ "${PEER:-1}" = 0 ] || measure peer_full_10m "$PY" "$SHARED/bench/clf_bench.py" full "$D/clf.csv"
	measure mrm_full_1m "$MRM" $full --data "$D/clf1m.csv"
	measure mrm_stream_1m "$MRM" $full --streaming --data "$D/clf1m.csv"
	measure mrm_stream_10m "$MRM" $full --streaming --data "$D/clf.csv"
	if [ "${BIG:-0}" = 1 ]; then
		measure mrm_full_100m "$MRM" $full --data "$D/clf100m.csv"
		measure mrm_stream_100m "$MRM" $full --streaming --data "$D/clf100m.csv"
	fi
	i=$((i + 1))
done
i=0
[ "${ONLY:-boot}" = boot ] || i=$BOOT_REPEAT
while [ $i -lt "$BOOT_REPEAT" ]; do
	# The peer computes the AUC interval only: so does the first mrm run; the
	# second gives every metric its interval, for comparison.
	measure mrm_boot_1m "$MRM" validate --label label --score score --bootstrap 1000 \
		--bootstrap-metrics roc_auc --seed 1 --json --data "$D/clf1m.csv"
	[ "${PEER:-1}" = 0 ] || measure peer_boot_1m "$PY" "$SHARED/bench/bootstrap_bench.py" "$D/clf1m.csv" 1000
	measure mrm_boot_all_1m "$MRM" validate --label label --score score --bootstrap 1000 --seed 1 \
		--json --data "$D/clf1m.csv"
	i=$((i + 1))
done

# ---- report ----------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.1f", a / b }'; }
mbs() { awk -v s="$1" -v f="$2" 'BEGIN { if (s == "-" || s == 0) print "-"; else printf "%.0f", f / 1e6 / s }'; }
size10=$(wc -c <"$D/clf.csv")
size1=$(wc -c <"$D/clf1m.csv")
{
	echo "# mrm validate against pandas + scikit-learn ($(date -u +%Y-%m-%d), $(nproc) CPUs)"
	echo
	echo "Medians of $REPEAT runs (bootstrap: $BOOT_REPEAT), alternating mrm and the peer."
	echo
	echo "| run | wall (s) | peak RSS (MB) |"
	echo "| --- | --- | --- |"
	for n in peer_full_10m mrm_full_10m mrm_full_1m mrm_full_100m mrm_stream_1m mrm_stream_10m \
		mrm_stream_100m peer_boot_1m mrm_boot_1m mrm_boot_all_1m; do
		w=$(median $n 2)
		r=$(median $n 3)
		[ "$w" = "-" ] && continue
		echo "| $n | $w | $(awk -v r="$r" 'BEGIN { printf "%.0f", r / 1024 }') |"
	done
	echo
	echo "- full report, 10M rows: mrm $(ratio "$(median peer_full_10m 2)" "$(median mrm_full_10m 2)")x faster," \
		"peak RSS $(ratio "$(median mrm_full_10m 3)" "$(median peer_full_10m 3)") of the peer's" \
		"(the bar: 10x faster, at most 0.25)"
	echo "- bootstrap of ROC AUC, 1,000 replicates on 1M rows: mrm" \
		"$(ratio "$(median peer_boot_1m 2)" "$(median mrm_boot_1m 2)")x faster (the bar: 50x);" \
		"with an interval for every metric: $(ratio "$(median peer_boot_1m 2)" "$(median mrm_boot_all_1m 2)")x"
	echo "- CSV read rate of the full report: $(mbs "$(median mrm_full_10m 2)" "$size10") MB/s at 10M rows," \
		"$(mbs "$(median mrm_full_1m 2)" "$size1") MB/s at 1M rows"
} | tee "$out/validate-results.md"
