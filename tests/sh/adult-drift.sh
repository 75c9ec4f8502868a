#!/bin/sh
# Reproduces alibi-detect's Adult drift analyses with mrm drift (docs/adult-drift.md):
# the splits and scipy's per-feature values come from tests/fixtures/gen_adult_drift.py.
#  1. cd_chi2ks_adult (TabularDrift, 10,000 rows per side): K-S on the numeric features and
#     chi-square on the categorical ones, in two runs (one invocation cannot choose both at
#     this size), a feature drifting when p < 0.05/12; no drift for t0 nor t1, and every
#     printed statistic and p-value of the notebook equal to mrm's rounded to 3 decimals.
#  2. cd_clf_adult's education split (1,000 rows per side): one run with --method chi2
#     --correction bonferroni is exactly TabularDrift's choice of tests; no drift for h0,
#     drift for h1 with the same features flagged as TabularDrift.
# Every statistic and p-value equals scipy's to 1e-9 (relative).
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data="$MRM_TOP/tests/data/adult-drift"
NUMERIC="Age,Capital Gain,Capital Loss,Hours per week"
CATEGORICAL="Workclass,Education,Marital Status,Occupation,Relationship,Race,Sex,Country"
THR=0.004166666666666667 # 0.05 / 12, TabularDrift's Bonferroni level

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }

# run NAME WANT_EXIT ARGS...: mrm --json drift into $work/NAME.json, checking the exit code.
run() {
	name=$1 want=$2
	shift 2
	"$MRM" --json drift "$@" > "$work/$name.json" 2> "$work/$name.err"
	rc=$?
	if [ "$rc" = "$want" ]; then
		ok "$name: mrm drift exits $want"
	else
		notok "$name: mrm drift exits $rc, want $want: $(cat "$work/$name.err")"
	fi
}

# check NAME COMPARISON MODE JSON...: compares the documents with expected.json[COMPARISON].
check() {
	python3 - "$data/expected.json" "$@" <<'PY'
import json, sys

exp_all = json.load(open(sys.argv[1]))
name, comp, mode = sys.argv[2], sys.argv[3], sys.argv[4]
exp = exp_all[comp]
cols = {}
docs = [json.load(open(p)) for p in sys.argv[5:]]
for d in docs:
    cols.update(d["columns"])
fails = []

def near(got, want, what):
    tol = 1e-9 * abs(want) + (1e-14 if abs(want) > 1e-4 else 0)
    if abs(want) < 1e-300:
        tol = 1e-300
    if got is None or not abs(got - want) <= tol:
        fails.append("%s: got %r, want %r" % (what, got, want))

if sorted(cols) != sorted(exp_all["features"]):
    fails.append("columns %s" % sorted(cols))
for f in exp_all["features"]:
    e, c = exp[f], cols.get(f, {})
    if c.get("method") != e["test"]:
        fails.append("%s: method %r, want %r" % (f, c.get("method"), e["test"]))
        continue
    near(c["statistic"], e["statistic"], f + " statistic")
    near(c["p_value"], e["p_value"], f + " p-value")
    if e["test"] == "chi2" and c.get("chi2_dof") != e["dof"]:
        fails.append("%s: dof %r, want %r" % (f, c.get("chi2_dof"), e["dof"]))
    if c["drifted"] != e["drifted"]:
        fails.append("%s: drifted %r, want %r (TabularDrift)" % (f, c["drifted"], e["drifted"]))
    if mode == "published":
        # The notebook prints 3 decimals.
        if "%.3f" % c["statistic"] != "%.3f" % e["published_statistic"]:
            fails.append("%s: statistic %.3f, published %.3f" % (f, c["statistic"], e["published_statistic"]))
        if "%.3f" % c["p_value"] != "%.3f" % e["published_p_value"]:
            fails.append("%s: p-value %.3f, published %.3f" % (f, c["p_value"], e["published_p_value"]))
    if mode == "bonferroni":
        near(c.get("p_value_adjusted"), min(1.0, 12 * e["p_value"]), f + " adjusted p-value")
flagged = sorted(f for f in cols if cols[f]["drifted"])
want = sorted(f for f in exp_all["features"] if exp[f]["drifted"])
if flagged != want:
    fails.append("flagged %s, TabularDrift flags %s" % (flagged, want))
for m in fails:
    print("#", m)
print("flagged:", ", ".join(flagged) or "none")
sys.exit(1 if fails else 0)
PY
}

for t in t0 t1; do
	run "chi2ks-$t-ks" 0 --reference "$data/chi2ks-ref.csv.gz" --current "$data/chi2ks-$t.csv.gz" \
		--columns "$NUMERIC" --method ks --threshold $THR
	run "chi2ks-$t-chi2" 0 --reference "$data/chi2ks-ref.csv.gz" --current "$data/chi2ks-$t.csv.gz" \
		--columns "$CATEGORICAL" --method chi2 --threshold $THR
	if out=$(check "chi2ks-$t" "chi2ks-$t" published "$work/chi2ks-$t-ks.json" "$work/chi2ks-$t-chi2.json"); then
		ok "cd_chi2ks_adult $t: no feature drifts; scipy to 1e-9; the published values to 3 decimals"
	else
		notok "cd_chi2ks_adult $t"
		echo "$out"
	fi
done

# The h0 sample holds a Workclass category the reference sample never saw (a rare one, as
# expected from 1,000-row samples): the new_categories quality check fails (exit 1) although
# no feature drifts; that check is not part of TabularDrift, so it is tolerated here up to 1 %.
run edu-h0 0 --reference "$data/edu-ref.csv" --current "$data/edu-h0.csv" --method chi2 \
	--correction bonferroni --check new_categories=0.01
if out=$(check edu-h0 edu-h0 bonferroni "$work/edu-h0.json"); then
	ok "education split h0: no feature drifts; K-S and chi-square equal scipy to 1e-9"
else
	notok "education split h0"
	echo "$out"
fi

run edu-h1 1 --reference "$data/edu-ref.csv" --current "$data/edu-h1.csv" --method chi2 \
	--correction bonferroni
if out=$(check edu-h1 edu-h1 bonferroni "$work/edu-h1.json"); then
	ok "education split h1: drift, the features TabularDrift flags ($out)"
else
	notok "education split h1"
	echo "$out"
fi
grep -q '"columns_drifted": 9' "$work/edu-h1.json" && grep -q '"dataset_drift": true' "$work/edu-h1.json" &&
	ok "education split h1: 9 of 12 columns drifted, dataset drift" ||
	notok "education split h1: columns_drifted / dataset_drift"
