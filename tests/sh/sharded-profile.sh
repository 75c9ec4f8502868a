#!/bin/sh
# The sharded path of docs/sharding.md, for the reference and the current data set: split each
# file into 4 shards, profile the shards in 4 parallel processes (one through stdin, as a
# Spark pipe would), merge with `mrm profile merge`, and check that drift between the merged
# profiles gives the same result as drift between one-pass profiles: row and missing counts
# exact, exact category measures equal, every decision identical, and KS, Wasserstein, PSI and
# Jensen-Shannon within the sum of both documents' bounds (tests/tools/drift-agree.py).
# Then the current shards counted in the reference's bins (--bins-from): merged, their bins and
# so PSI and Jensen-Shannon equal the one-pass profile's exactly.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
AGREE="python3 $MRM_TOP/tests/tools/drift-agree.py"
GEN="$MRM_BUILD/tests/tools/gen-drift-csv"

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }

# shard SIDE [PROFILE-ARGS]: SIDE.csv into 4 shards, profiled in parallel, merged into SIDE-m.profile
shard() {
	side=$1
	shift
	rm -f "$side".part.*
	tail -n +2 "$side.csv" > "$side.body" # split -n needs a file (it cannot size a pipe)
	split -n l/4 "$side.body" "$side.part."
	i=0
	for f in "$side".part.*; do
		i=$((i + 1))
		{ head -n 1 "$side.csv"; cat "$f"; } > "$side-$i.csv"
	done
	[ $i = 4 ] && ok "$side: 4 shards" || notok "$side: 4 shards (got $i)"
	# shards 1-3 as files, shard 4 through stdin; all four at once
	"$MRM" profile "$side-1.csv" -o "$side-1.profile" "$@" > /dev/null & p1=$!
	"$MRM" profile "$side-2.csv" -o "$side-2.profile" "$@" > /dev/null & p2=$!
	"$MRM" profile "$side-3.csv" -o "$side-3.profile" "$@" > /dev/null & p3=$!
	"$MRM" profile - -o "$side-4.profile" "$@" < "$side-4.csv" > /dev/null & p4=$!
	failed=0
	for p in $p1 $p2 $p3 $p4; do
		wait "$p" || failed=$((failed + 1))
	done
	[ $failed = 0 ] && ok "$side: 4 shard profiles in parallel" ||
		notok "$side: $failed shard profiles failed"
	"$MRM" profile merge "$side-1.profile" "$side-2.profile" "$side-3.profile" "$side-4.profile" \
		-o "$side-m.profile" > merge.out &&
		ok "$side: merged: $(cat merge.out)" || notok "$side: merge"
}

"$GEN" 60000 ref 7 > ref.csv && "$GEN" 60000 cur 7 > cur.csv || notok "generate"
shard ref
shard cur
"$MRM" profile ref.csv -o ref-1p.profile > /dev/null && "$MRM" profile cur.csv -o cur-1p.profile > /dev/null ||
	notok "one-pass profiles"

# The merged profiles hold the same counts as one pass.
for side in ref cur; do
	"$MRM" --json profile show "$side-1p.profile" > "$side-1p.json"
	"$MRM" --json profile show "$side-m.profile" > "$side-m.json"
	python3 - "$side-1p.json" "$side-m.json" <<'PY' && ok "$side: merged counts equal one pass" || notok "$side: merged counts equal one pass"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a["rows"] == b["rows"] == 60000
for x, y in zip(a["columns"], b["columns"]):
    for k in ("name", "type", "count", "missing", "min", "max", "top_exact"):
        assert x.get(k) == y.get(k), (x["name"], k, x.get(k), y.get(k))
    for k in ("mean", "variance"):
        if x.get(k) is not None:
            assert abs(x[k] - y[k]) <= 1e-9 * max(1, abs(x[k])), (x["name"], k)
    if x["top_exact"]:
        assert sorted((t["value"], t["count"]) for t in x["top"]) == \
            sorted((t["value"], t["count"]) for t in y["top"]), x["name"]
PY
done

# Drift from merged profiles against drift from one-pass profiles (both approximate: bounds add).
"$MRM" --json drift --reference ref-1p.profile --current cur-1p.profile > one.json; rc1=$?
"$MRM" --json drift --reference ref-m.profile --current cur-m.profile > merged.json; rc2=$?
"$MRM" --json drift --reference ref-m.profile --current cur-1p.profile > mixed.json; rc3=$?
[ $rc1 = $rc2 ] && [ $rc1 = $rc3 ] && ok "same exit code ($rc1)" || notok "exit codes $rc1 $rc2 $rc3"
$AGREE --same-bound --all-decisions --label "merged" one.json merged.json
$AGREE --same-bound --all-decisions --label "merged ref" one.json mixed.json
# And from the data files: the merged profiles are within the bounds of the truth too.
"$MRM" --json drift --reference ref.csv --current cur.csv > files.json
$AGREE --all-decisions --label "merged vs files" files.json merged.json

# The current shards counted in the one-pass reference's bins: merged bins are exact.
shard cur --bins-from ref-1p.profile
mv cur-m.profile cur-mb.profile
"$MRM" profile cur.csv --bins-from ref-1p.profile -o cur-1pb.profile > /dev/null
"$MRM" --json drift --reference ref-1p.profile --current cur-1pb.profile > oneb.json
"$MRM" --json drift --reference ref-1p.profile --current cur-mb.profile > mergedb.json
python3 - oneb.json mergedb.json <<'PY' && ok "binned shards: PSI and Jensen-Shannon equal one pass exactly" || notok "binned shards: PSI and Jensen-Shannon equal one pass exactly"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
n = 0
for name, x in a["columns"].items():
    y = b["columns"][name]
    if x["type"] == "numeric" and x.get("approximate"):
        assert y["bins"]["current"] == "exact", (name, y["bins"])
        assert x["psi"] == y["psi"] and x["jensen_shannon"] == y["jensen_shannon"], name
        n += 1
assert n >= 5, n
PY
