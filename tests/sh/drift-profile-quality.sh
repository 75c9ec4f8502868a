#!/bin/sh
# The data-quality checks of mrm drift from profiles agree with those between the data files
# (docs/drift.md, "Data quality from profiles"): on bike sharing January against February-March
# 2011 (small: every sketch exact, so every check but duplicate_rows is equal) and on 20,000
# synthetic rows a side with new categories (a few and, among 3000 others, heavy hitters), a
# missing-rate increase, values out of the reference range and a column turned constant.
# Profiles on both sides and a profile facing a data file both ways: exact checks equal,
# estimated ones (out_of_range from the current's quantile sketch, new_categories from heavy
# hitters) within their stated range and bound (tests/tools/drift-agree.py), duplicate_rows
# not applicable with a reason, and the same exit code and failed checks.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
AGREE="python3 $MRM_TOP/tests/tools/drift-agree.py"

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }

# drift NAME REF CUR [ARGS]: the JSON document in NAME.json, stderr in NAME.err, exit in NAME.rc
drift() {
	name=$1 ref=$2 cur=$3
	shift 3
	"$MRM" --json drift --reference "$ref" --current "$cur" "$@" > "$name.json" 2> "$name.err"
	echo $? > "$name.rc"
}

# variants SET: files, profiles both sides, profile vs file and file vs profile
variants() {
	set=$1
	"$MRM" profile "$set-ref.csv" -o "$set-ref.profile" > /dev/null || notok "$set: profile ref"
	"$MRM" profile "$set-cur.csv" -o "$set-cur.profile" > /dev/null || notok "$set: profile cur"
	drift "$set-ff" "$set-ref.csv" "$set-cur.csv"
	drift "$set-pp" "$set-ref.profile" "$set-cur.profile"
	drift "$set-pf" "$set-ref.profile" "$set-cur.csv"
	drift "$set-fp" "$set-ref.csv" "$set-cur.profile"
	for v in pp pf fp; do
		$AGREE --label "$set $v" "$set-ff.json" "$set-$v.json" | grep "quality\|not ok"
		# the same exit code and the same failed checks in the message
		[ "$(cat "$set-$v.rc")" = "$(cat "$set-ff.rc")" ] &&
			ok "$set $v: exit $(cat "$set-$v.rc") as between the files" ||
			notok "$set $v: exit $(cat "$set-$v.rc"), files $(cat "$set-ff.rc")"
		a=$(sed -n 's/.*failed quality checks: //p' "$set-ff.err")
		b=$(sed -n 's/.*failed quality checks: //p' "$set-$v.err")
		[ -n "$a" ] && [ "$a" = "$b" ] && ok "$set $v: failed checks named as between the files" ||
			notok "$set $v: failed checks '$b', files '$a'"
	done
}

# Bike sharing: January 2011 (31 days) against February and March (59).
awk -F, 'NR == 1 || $2 ~ /^2011-01/' "$MRM_TOP/data/bike-day.csv" > bike-ref.csv
awk -F, 'NR == 1 || $2 ~ /^2011-0[23]/' "$MRM_TOP/data/bike-day.csv" > bike-cur.csv
variants bike
python3 - bike-ff.json bike-pp.json bike-pf.json bike-fp.json <<'PY' && ok "bike: every check but duplicate_rows identical, none estimated" || notok "bike: every check but duplicate_rows identical"
import json, sys
want = json.load(open(sys.argv[1]))["quality"]
for p in sys.argv[2:]:
    got = json.load(open(p))["quality"]
    assert len(got) == len(want) == 68, (p, len(got))
    for w, g in zip(want, got):
        if w["check"] == "duplicate_rows":
            assert g["value"] is None and g["status"] == "not_applicable", g
            continue
        assert w == g, (p, w, g)
PY

# Synthetic: 20,000 rows a side (sketches past their exact size).
python3 - <<'PY'
import random
def write(name, cur):
    r = random.Random(7 if cur else 3)
    with open(name, "w") as f:
        f.write("x,y,m,cat,many,k\n")
        for i in range(20000):
            x = r.uniform(0, 1.1 if cur else 1)        # cur: about 9% above the reference max
            y = r.gauss(0, 3 if cur else 1)            # cur: wider, out on both sides
            m = "" if r.random() < (0.2 if cur else 0.02) else "%.4f" % r.gauss(5, 1)
            u = r.random()
            cat = "D" if cur and u < 0.08 else "ABC"[int(u * 3)]   # cur: 8% in a new category D
            v = r.random()
            if cur and v < 0.1:
                many = "new%d" % int(v * 20)          # cur: two new heavy categories, 5% each
            else:
                many = "c%d" % r.randrange(3000)      # 3000 categories: heavy hitters
            k = 1 if cur else r.choice((1, 2))         # cur: constant
            f.write("%.6f,%.6f,%s,%s,%s,%d\n" % (x, y, m, cat, many, k))
write("syn-ref.csv", False)
write("syn-cur.csv", True)
PY
variants syn
python3 - syn-ff.json syn-pp.json syn-pf.json syn-fp.json <<'PY' && ok "syn: the planted problems found from profiles, estimated where said" || notok "syn: the planted problems found from profiles"
import json, sys
def q(path):
    return {(e["check"], e["column"]): e for e in json.load(open(path))["quality"]}
ff, pp, pf, fp = (q(p) for p in sys.argv[1:])
for d in (ff, pp, pf, fp):
    for key in (("missing_rate", "m"), ("out_of_range", "x"), ("out_of_range", "y"),
                ("new_categories", "cat"), ("new_categories", "many"), ("constant", "k")):
        assert d[key]["failed"] is True, key
    assert abs(d[("new_categories", "cat")]["value"] - ff[("new_categories", "cat")]["value"]) < 1e-12
    assert "estimated" not in d[("missing_rate", "m")]
# out_of_range: exact against a current data file, from the quantile sketch of a current profile
for d in (pp, fp):
    for col in ("x", "y"):
        e = d[("out_of_range", col)]
        assert e["estimated"] is True and e["bound"] > 0, e
        assert abs(e["value"] - ff[("out_of_range", col)]["value"]) <= e["bound"], (e, ff[("out_of_range", col)])
    # x is out on one side only (one rank query), y on both (the mass between two points)
    assert d[("out_of_range", "y")]["bound"] > d[("out_of_range", "x")]["bound"]
for col in ("x", "y"):
    assert "estimated" not in pf[("out_of_range", col)]
    assert pf[("out_of_range", col)]["value"] == ff[("out_of_range", col)]["value"]
# new_categories among 3000 categories: heavy hitters, estimated, the true share in the range
for d in (pp, pf, fp):
    e, w = d[("new_categories", "many")], ff[("new_categories", "many")]
    assert e["estimated"] is True and e["range"][0] <= w["value"] <= e["range"][1], (e, w)
    assert abs(e["value"] - w["value"]) < 0.01, (e, w)
print("# out_of_range x: files %.4f, profiles %.4f (bound %.4f)" % (
    ff[("out_of_range", "x")]["value"], pp[("out_of_range", "x")]["value"], pp[("out_of_range", "x")]["bound"]))
PY
