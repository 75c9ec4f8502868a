#!/usr/bin/python3
"""Checks that a drift document computed from profiles agrees with one computed from the data
(docs/drift.md, "Profiles as inputs"): prints TAP lines ("ok - ..." / "not ok - ...").

usage: drift-agree.py [--label L] [--same-bound] [--all-decisions] EXPECTED.json GOT.json

EXPECTED is usually `mrm drift` on the two data files and GOT the same on profiles. With
--same-bound both are from profiles (a one-pass and a merged one): the bounds of both documents
add up (each is within its own bound of the data's value).

Rules, per column of EXPECTED:
- type, reference_missing, current_missing, schema problems and row counts are equal;
- a column GOT computed exactly ("approximate": false) has every measure equal to 1e-12
  (relative) and the same decision and category lists;
- numeric, approximate: KS statistic within ks_statistic_bound, Wasserstein (raw and
  normalised) within wasserstein_bound / wasserstein_norm_bound, PSI within
  PSI_ABS + PSI_REL * PSI, Jensen-Shannon distance within JS_ABS, Anderson-Darling null with a reason; the decision is the same whenever it
  is clear (the score is further from the threshold than its bound or tolerance, or for KS
  the whole p-value range is on one side);
- categorical from heavy hitters ("categories_exact": false): the Jensen-Shannon distance on
  the coarser partition is at most the exact one plus JS_ABS (with --same-bound: within
  JS_ABS of the other profile's).
The data-quality lists (docs/drift.md, "Data quality from profiles") must name the same
checks and columns in the same order; duplicate_rows from a profile is null with "status":
"not_applicable" and a reason; every entry GOT computed exactly has the same value (1e-12),
threshold and verdict; an estimated one ("estimated": true) has a "range" holding EXPECTED's
value, and for out_of_range a "bound" with |GOT - EXPECTED| <= bound (with --same-bound:
the two ranges overlap).
Finally at least one decision per document must have been clear (so the test can fail).
With --all-decisions every column's decision and the data set's must be identical too, clear
or not, except for heavy-hitter columns against exact counts (another partition of the values:
then the data set's decision is not compared either) (for data whose scores all sit away from their thresholds: an empirical check, since the
worst-case Wasserstein bound, rank error times range, is wide).
"""
import json
import sys

# The documented tolerances (docs/drift.md): measured on bike, Adult and the synthetic data
# with room to spare, not proven bounds.
PSI_ABS, PSI_REL = 0.03, 0.1
JS_ABS = 0.03
REL = 1e-12

checks = {}  # kind -> [passed, failure messages]
worst = {"psi": 0.0, "js": 0.0, "ks": 0.0, "wn": 0.0, "psi_small": 0.0}


def tap(ok, what, kind=None):
    """Records one check; checks of one kind print as one "ok" line, failures one line each."""
    c = checks.setdefault(kind or what, [0, [], kind is not None])
    if ok:
        c[0] += 1
    else:
        c[1].append(what)
    return ok


def close(a, b, rel=REL):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def quality(want, got, L, same_bound):
    """The quality lists of the two documents agree (rules in the module's docstring)."""
    wq, gq = want.get("quality"), got.get("quality")
    if not tap(isinstance(wq, list) and isinstance(gq, list),
               L + "both documents have a quality list"):
        return
    if not tap([(e["check"], e["column"]) for e in wq] == [(e["check"], e["column"]) for e in gq],
               L + "quality: the same checks and columns, in the same order (%d, %d)" % (len(wq), len(gq))):
        return
    profile = "profile" in (got.get("source") or {}).values()
    for w, g in zip(wq, gq):
        C = L + "quality %s%s: " % (g["check"], ":" + g["column"] if g["column"] else "")
        if g["check"] == "duplicate_rows" and profile:
            tap(g["value"] is None and g.get("status") == "not_applicable" and
                g["detail"].startswith("not applicable") and g["failed"] is False,
                C + "not applicable with a reason: %s" % g["detail"],
                "quality: duplicate_rows not applicable from a profile")
            continue
        if g.get("estimated") or w.get("estimated"):
            lo, hi = g.get("range", [g["value"], g["value"]])
            if same_bound:
                lo2, hi2 = w.get("range", [w["value"], w["value"]])
                tap(lo <= hi2 + 1e-12 and lo2 <= hi + 1e-12,
                    C + "ranges [%.6g, %.6g] and [%.6g, %.6g] overlap" % (lo, hi, lo2, hi2),
                    "quality: estimated checks within their bounds")
                continue
            tap(g.get("estimated") is True and lo - 1e-12 <= w["value"] <= hi + 1e-12,
                C + "estimated %.6g, range [%.6g, %.6g] holds the exact %.6g" %
                (g["value"], lo, hi, w["value"]), "quality: estimated checks within their bounds")
            if g["check"] == "out_of_range":
                tap(abs(g["value"] - w["value"]) <= g["bound"] + 1e-12,
                    C + "estimated %.6g within its bound %.4g of the exact %.6g" %
                    (g["value"], g["bound"], w["value"]), "quality: estimated checks within their bounds")
            continue
        tap(close(w["value"], g["value"]) and w["failed"] == g["failed"] and
            w["threshold"] == g["threshold"] and w.get("status") == g.get("status"),
            C + "exact: %s / %s, failed %s / %s" % (w["value"], g["value"], w["failed"], g["failed"]),
            "quality: exact checks equal")


def main(argv):
    label, same_bound, all_decisions = "", False, False
    while argv and argv[0].startswith("--"):
        if argv[0] == "--label":
            label = argv[1] + ": "
            argv = argv[2:]
        elif argv[0] == "--same-bound":
            same_bound = True
            argv = argv[1:]
        elif argv[0] == "--all-decisions":
            all_decisions = True
            argv = argv[1:]
        else:
            print("usage: drift-agree.py [--label L] [--same-bound] EXPECTED GOT", file=sys.stderr)
            return 2
    want = json.load(open(argv[0]))
    got = json.load(open(argv[1]))
    L = label
    tap(want["reference"]["rows"] == got["reference"]["rows"] and
        want["current"]["rows"] == got["current"]["rows"], L + "row counts equal")
    tap(want["schema"] == got["schema"], L + "schema problems equal: %s" % json.dumps(got["schema"]))
    clear = 0
    excluded = 0
    all_clear = True
    for name, w in want["columns"].items():
        g = got["columns"].get(name)
        C = L + name + ": "
        if not tap(g is not None and g["type"] == w["type"], C + "compared, same type", "columns compared with the same type"):
            continue
        heavy = g.get("categories_exact") is False and w.get("categories_exact", True)
        if all_decisions and heavy:
            excluded += 1  # heavy hitters against exact counts: another partition, another score
        elif all_decisions:
            tap(w.get("drifted") == g.get("drifted") and w.get("method") == g.get("method"),
                C + "decision %s/%s identical (%s %s, %s %s)" %
                (w.get("method"), g.get("method"), w.get("statistic"), w.get("drifted"),
                 g.get("statistic"), g.get("drifted")), "every decision identical")
        tap(w["reference_missing"] == g["reference_missing"] and
            w["current_missing"] == g["current_missing"], C + "missing counts equal", "missing counts equal")
        if w["method"] is None or g["method"] is None:
            tap(w["method"] == g["method"] and w.get("reason") == g.get("reason"),
                C + "not compared, same reason", "uncompared columns with the same reason")
            continue
        exact_w = not w.get("approximate", False)
        exact_g = not g.get("approximate", False)
        if exact_w and exact_g:
            keys = [k for k in w if isinstance(w[k], (int, float)) and not isinstance(w[k], bool)]
            bad = [k for k in keys if not close(w[k], g.get(k))]
            tap(not bad, C + "exact measures equal" + (" (differ: %s)" % bad if bad else ""),
                "exact columns: every measure equal")
            for k in ("new_categories", "vanished_categories", "z_category", "drifted", "method"):
                if k in w:
                    tap(w[k] == g.get(k), C + "%s equal" % k, "exact columns: decisions and category lists equal")
            clear += 1
            continue
        if w["type"] == "categorical":
            tap(g.get("categories_exact") is False and g.get("approximate") is True,
                C + "flagged approximate (heavy hitters)", "heavy-hitter columns flagged")
            if exact_w:
                tap(g["jensen_shannon"] <= w["jensen_shannon"] + JS_ABS,
                    C + "coarse Jensen-Shannon %.4g <= exact %.4g + %g" %
                    (g["jensen_shannon"], w["jensen_shannon"], JS_ABS), "heavy-hitter Jensen-Shannon")
            else:
                tap(abs(g["jensen_shannon"] - w["jensen_shannon"]) <= JS_ABS,
                    C + "coarse Jensen-Shannon %.4g within %g of %.4g" %
                    (g["jensen_shannon"], JS_ABS, w["jensen_shannon"]), "heavy-hitter Jensen-Shannon")
            all_clear = False
            continue
        # numeric, approximate
        mult = 2 if same_bound else 1
        kb = g["ks_statistic_bound"] + (w.get("ks_statistic_bound", 0) if same_bound else 0)
        tap(abs(g["ks_statistic"] - w["ks_statistic"]) <= kb + 1e-12,
            C + "KS %.6g within %.4g of %.6g" % (g["ks_statistic"], kb, w["ks_statistic"]),
            "KS statistic within its bound")
        for key, bkey in (("wasserstein", "wasserstein_bound"),
                          ("wasserstein_norm", "wasserstein_norm_bound")):
            if w[key] is None or g[key] is None:
                tap(w[key] is None and g[key] is None, C + "%s undefined on both" % key, "Wasserstein within its bound")
                continue
            b = g[bkey] + (w.get(bkey, 0) or 0 if same_bound else 0)
            tap(abs(g[key] - w[key]) <= b * (1 + 1e-9) + 1e-12,
                C + "%s %.6g within %.4g of %.6g" % (key, g[key], b, w[key]),
                "Wasserstein within its bound")
        ptol = mult * PSI_ABS + PSI_REL * w["psi"]
        tap(abs(g["psi"] - w["psi"]) <= ptol,
            C + "PSI %.6g within %.4g of %.6g" % (g["psi"], ptol, w["psi"]),
            "PSI within tolerance")
        tap(abs(g["jensen_shannon"] - w["jensen_shannon"]) <= mult * JS_ABS,
            C + "Jensen-Shannon %.6g within %g of %.6g" %
            (g["jensen_shannon"], mult * JS_ABS, w["jensen_shannon"]),
            "Jensen-Shannon within tolerance")
        worst["psi"] = max(worst["psi"], abs(g["psi"] - w["psi"]) / (1 + w["psi"]))
        if w["psi"] < 0.2:
            worst["psi_small"] = max(worst["psi_small"], abs(g["psi"] - w["psi"]))
        worst["ks"] = max(worst["ks"], abs(g["ks_statistic"] - w["ks_statistic"]))
        if w["wasserstein_norm"] is not None and g["wasserstein_norm"] is not None:
            worst["wn"] = max(worst["wn"], abs(g["wasserstein_norm"] - w["wasserstein_norm"]))
        worst["js"] = max(worst["js"], abs(g["jensen_shannon"] - w["jensen_shannon"]))
        if not same_bound:
            tap(g["anderson_darling"] is None and "anderson_darling" in g.get("undefined", {}),
                C + "Anderson-Darling null with a reason", "Anderson-Darling null with a reason")
        m = w["method"]
        if m != g["method"]:
            tap(False, C + "same deciding test (%s, %s)" % (m, g["method"]), "same deciding test")
            continue
        thr = w["threshold"]
        if m == "ks":
            lo, hi = g["ks_p_value_range"]
            sure = (hi < thr) or (lo >= thr)
            if same_bound:
                lo2, hi2 = w.get("ks_p_value_range", [w["p_value"], w["p_value"]])
                sure = sure and ((hi2 < thr) or (lo2 >= thr))
        elif m == "wasserstein":
            b = g["wasserstein_norm_bound"]
            if b is not None and same_bound:
                b += w.get("wasserstein_norm_bound") or 0
            sure = g["statistic"] is not None and b is not None and abs(g["statistic"] - thr) > b
        elif m == "psi":
            sure = abs(g["statistic"] - thr) > ptol
        elif m == "jensen_shannon":
            sure = abs(g["statistic"] - thr) > mult * JS_ABS
        else:
            sure = False
        if sure:
            clear += 1
            tap(w["drifted"] == g["drifted"], C + "clear decision (%s) identical: drifted %s" %
                (m, g["drifted"]), "clear decisions identical")
        else:
            all_clear = False
    tap(clear > 0, L + "%d clear decisions compared" % clear)
    if all_clear or (all_decisions and not excluded):
        for k in ("columns_tested", "columns_drifted", "drift_share", "dataset_drift"):
            tap(close(want[k], got[k]), L + "%s equal (%s)" %
                (k, "every decision clear" if all_clear else "--all-decisions"))
    tap("source" in got, L + "profile document has a source: %s" % json.dumps(got.get("source")))
    quality(want, got, L, same_bound)
    for kind, (n, bad, category) in checks.items():
        for b in bad:
            print("not ok - " + b)
        if not bad:
            print("ok - %s%s (%d)" % (L, kind, n) if category else "ok - " + kind)
    print("# %slargest differences: KS %.4g, normalised Wasserstein %.4g, PSI %.4g (over 1 + PSI; "
          "%.4g below PSI 0.2), Jensen-Shannon %.4g" %
          (L, worst["ks"], worst["wn"], worst["psi"], worst["psi_small"], worst["js"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
