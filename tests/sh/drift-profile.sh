#!/bin/sh
# mrm drift between profiles agrees with mrm drift between the data files (docs/drift.md,
# "Profiles as inputs"), on real and synthetic data: bike-sharing 2011 against 2012, Adult
# train against test, and 200,000 synthetic rows with known drift
# (tests/tools/gen-drift-csv.c). For each, profiles on both sides, profiles counted in the
# reference's bins, and a data file facing a profile (profiled on the fly) are compared with
# the file result by tests/tools/drift-agree.py: counts and schema equal, exact categories
# equal, KS and Wasserstein within the bounds the document states, PSI and Jensen-Shannon
# within the documented tolerances, identical decisions wherever they are clear (on the
# synthetic data, whose scores sit away from the thresholds, every decision), and the
# data-quality checks equal where exact, within their range where estimated.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
AGREE="python3 $MRM_TOP/tests/tools/drift-agree.py"
GEN="$MRM_BUILD/tests/tools/gen-drift-csv"
ADULT="$MRM_TOP/../shared/data/adult/adult_combined.csv"
[ -f "$ADULT" ] || ADULT=/work/shared/data/adult/adult_combined.csv

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }

# drift NAME REF CUR [ARGS]: the JSON document in NAME.json and the exit code in NAME.rc
drift() {
	name=$1 ref=$2 cur=$3
	shift 3
	"$MRM" --json drift --reference "$ref" --current "$cur" "$@" > "$name.json" 2> "$name.err"
	echo $? > "$name.rc"
}

# check SET: profiles both sides, with reference bins, and file facing profile both ways
check() {
	set=$1 all=${2:-}
	"$MRM" profile "$set-ref.csv" -o "$set-ref.profile" > /dev/null || notok "$set: profile ref"
	"$MRM" profile "$set-cur.csv" -o "$set-cur.profile" > /dev/null || notok "$set: profile cur"
	# the reference counted in its own bins, the current in the reference's
	"$MRM" profile "$set-ref.csv" --bins-from "$set-ref.profile" -o "$set-refb.profile" > /dev/null
	"$MRM" profile "$set-cur.csv" --bins-from "$set-ref.profile" -o "$set-curb.profile" > /dev/null
	drift "$set-files" "$set-ref.csv" "$set-cur.csv"
	drift "$set-pp" "$set-ref.profile" "$set-cur.profile"
	drift "$set-bins" "$set-refb.profile" "$set-curb.profile"
	drift "$set-pf" "$set-ref.profile" "$set-cur.csv"
	drift "$set-fp" "$set-ref.csv" "$set-cur.profile"
	for v in pp bins pf fp; do
		$AGREE $all --label "$set $v" "$set-files.json" "$set-$v.json"
	done
	# exit codes: 1 exactly when the document says dataset drift or a quality check failed
	for v in files pp bins pf fp; do
		want=0
		grep -q '"dataset_drift": true' "$set-$v.json" && want=1
		grep -q '"failed": true' "$set-$v.json" && want=1
		[ "$(cat "$set-$v.rc")" = $want ] && ok "$set $v: exit $want matches dataset_drift" ||
			notok "$set $v: exit $(cat "$set-$v.rc") for dataset_drift exit $want: $(cat "$set-$v.err")"
	done
	# exact bins on both sides: PSI and Jensen-Shannon come from counts, not sketches
	python3 - "$set-bins.json" <<'PY' && ok "$set: binned profiles mark PSI exact" || notok "$set: binned profiles mark PSI exact"
import json, sys
d = json.load(open(sys.argv[1]))
n = 0
for c in d["columns"].values():
    if c.get("approximate") and c["type"] == "numeric":
        assert c["bins"]["reference"] == "exact" and c["bins"]["current"] == "exact", c["bins"]
        assert "psi" not in c["approximate_measures"], c["approximate_measures"]
        n += 1
assert n > 0
PY
}

# Bike sharing: 2011 (365 days) against 2012 (366 days).
awk -F, 'NR == 1 || $4 == 0' "$MRM_TOP/data/bike-day.csv" > bike-ref.csv
awk -F, 'NR == 1 || $4 == 1' "$MRM_TOP/data/bike-day.csv" > bike-cur.csv
check bike

# Adult: the training split against the test split (CRLF line ends).
awk -F, '{ sub(/\r$/, "") } NR == 1 || $NF == "train"' "$ADULT" > adult-ref.csv
awk -F, '{ sub(/\r$/, "") } NR == 1 || $NF == "test"' "$ADULT" > adult-cur.csv
[ "$(wc -l < adult-ref.csv)" = 32562 ] && [ "$(wc -l < adult-cur.csv)" = 16282 ] &&
	ok "adult split 32561 / 16281" || notok "adult split"
check adult

# Synthetic: 200,000 rows a side with known drift.
"$GEN" 200000 ref > syn-ref.csv && "$GEN" 200000 cur > syn-cur.csv || notok "generate"
check syn --all-decisions
python3 - syn-pp.json syn-files.json <<'PY' && ok "syn: known drift found from profiles" || notok "syn: known drift found from profiles"
import json, sys
p = json.load(open(sys.argv[1]))
f = json.load(open(sys.argv[2]))
c = p["columns"]
drifted = sorted(k for k in c if c[k].get("drifted"))
assert drifted == ["c_new", "c_small", "n_int", "n_mean", "n_scale"], drifted
assert c["c_new"]["new_categories"] == ["D"]
assert c["c_many"]["categories_exact"] is False and c["c_many"]["new_categories"] is None
assert c["n_const"]["wasserstein_norm"] is None and c["n_const"]["undefined"]["wasserstein_norm"]
assert p["source"] == {"reference": "profile", "current": "profile"}
assert [s["problem"] for s in p["schema"]] == ["missing_in_current", "new_in_current", "retyped"]
assert p["dataset_drift"] == f["dataset_drift"]
PY
