/*
 * The inline SVG charts of the validation report: ROC with its band,
 * precision-recall, reliability, score distributions by class, cumulative
 * gain, slice metrics with error bars, fairness disparities against their
 * thresholds.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/validation.h"

/* A placeholder chart body: a framed box saying why there is nothing to draw. */
static void chart_empty(struct mrm__vr *v, const struct mrm__plot *p, const char *why)
{
	mrm__out_printf(v->o, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			      "height=\"%.1f\"/>\n", p->left, p->top, p->right - p->left,
			p->bottom - p->top);
	mrm__svg_text(v->o, (p->left + p->right) / 2, (p->top + p->bottom) / 2, "middle",
		      "nodata", why, 200);
}

/* Why a curve is not drawn: its own reason, the metric's, the result's, or "not in the result". */
static const char *curve_reason(struct mrm__vr *v, json_t *curve, const char *metric_reason)
{
	const char *r = mrm__json_str(curve, "reason");

	if (!r)
		r = metric_reason;
	if (!r)
		r = mrm__json_str(v->undefined, "curves");
	return r ? r : "the curve is not in the result";
}

void mrm__vr_chart_roc(struct mrm__vr *v)
{
	json_t *roc = mrm__json_obj(v->curves, "roc");
	double *fpr = NULL, *tpr = NULL, *lo = NULL, *hi = NULL, auc, alo, ahi, x, y;
	size_t n, nlo, nhi;
	struct mrm__plot p = { 62, 404, 14, 346, 0, 1, 0, 1 };
	struct mrm__legend key[4];
	size_t nkey = 0;
	char desc[600], aucl[120], legend[80], a[MRM__NUM], b[MRM__NUM], c[MRM__NUM];
	const char *title = "ROC curve";
	const char *reason;
	bool have_auc = mrm__json_metric(v->metrics, v->undefined, "roc_auc", &auc, &reason);
	/* mrm validate nests the band: {"band": {"method", "tpr_low", "tpr_high"}}. */
	json_t *bsrc = mrm__json_arr(mrm__json_obj(roc, "band"), "tpr_low") ? mrm__json_obj(roc, "band")
									    : roc;
	const char *bmethod = mrm__json_str(bsrc, "method");
	bool band;
	int id;

	n = mrm__json_doubles(mrm__json_arr(roc, "fpr"), &fpr);
	if (mrm__json_doubles(mrm__json_arr(roc, "tpr"), &tpr) != n)
		n = 0;
	nlo = mrm__json_doubles(mrm__json_arr(bsrc, "tpr_low"), &lo);
	nhi = mrm__json_doubles(mrm__json_arr(bsrc, "tpr_high"), &hi);
	band = n > 1 && nlo == n && nhi == n;
	if (have_auc && mrm__json_interval_of(v->ci, "roc_auc", &alo, &ahi))
		snprintf(aucl, sizeof(aucl), "AUC %s (95%% CI %s to %s)",
			 mrm__fmt_metric(a, auc), mrm__fmt_metric(b, alo), mrm__fmt_metric(c, ahi));
	else if (have_auc)
		snprintf(aucl, sizeof(aucl), "AUC %s", mrm__fmt_metric(a, auc));
	else
		snprintf(aucl, sizeof(aucl), "AUC not computed (%.80s)", reason);
	if (have_auc)
		snprintf(legend, sizeof(legend), "ROC curve (AUC %s)", mrm__fmt_metric(a, auc));
	else
		snprintf(legend, sizeof(legend), "ROC curve");
	if (n < 2) {
		const char *why = curve_reason(v, roc, have_auc ? NULL : reason);
		snprintf(desc, sizeof(desc), "ROC curve not drawn: %s.", why);
		mrm__svg_begin(v->o, 420, 120, title, desc);
		p.bottom = 100;
		chart_empty(v, &p, why);
		mrm__svg_end(v->o, desc);
		goto out;
	}
	snprintf(desc, sizeof(desc), "True positive rate against false positive rate as the "
		 "threshold falls, %zu points. %s.%s The dashed diagonal is a random ranking.", n,
		 aucl, !band ? "" : bmethod && !strcmp(bmethod, "wilson-tpr") ?
		 " The shaded band is the pointwise 95% Wilson interval of the true positive rate at "
		 "each threshold." :
		 " The shaded band is the 95% confidence band of the true positive rate.");
	id = mrm__svg_begin(v->o, 420, 400, title, desc);
	mrm__svg_axes(v->o, &p, 5, 5, "False positive rate", "True positive rate");
	if (band)
		mrm__svg_band(v->o, &p, fpr, lo, hi, n, "band1");
	mrm__svg_line(v->o, &p, 0, 0, 1, 1, "diag");
	mrm__svg_path(v->o, &p, fpr, tpr, n, false, "s1");
	key[nkey++] = (struct mrm__legend){ MRM__KEY_LINE, "s1", legend };
	if (band)
		key[nkey++] = (struct mrm__legend){ MRM__KEY_BOX, "band1", "95% band of the TPR" };
	key[nkey++] = (struct mrm__legend){ MRM__KEY_LINE, "diag", "random ranking" };
	if (mrm__json_metric(v->metrics, v->undefined, "fpr", &x, &reason) &&
	    (mrm__json_metric(v->metrics, v->undefined, "recall", &y, &reason) ||
	     mrm__json_metric(v->metrics, v->undefined, "tpr", &y, &reason))) {
		char tip[120];
		snprintf(tip, sizeof(tip), "threshold %s: FPR %s, TPR %s",
			 mrm__fmt_short(a, v->threshold), mrm__fmt_metric(b, x),
			 mrm__fmt_metric(c, y));
		mrm__svg_dot(v->o, &p, x, y, 5, "dot-black", tip);
		key[nkey++] = (struct mrm__legend){ MRM__KEY_DOT, "dot-black", "at the threshold" };
	}
	/* Bottom right: below the curve of any model better than chance. */
	mrm__svg_legend(v->o, id, p.right - 8 - mrm__svg_legend_width(key, nkey),
			p.bottom - 8 - mrm__svg_legend_height(nkey), key, nkey);
	mrm__svg_end(v->o, desc);
out:
	free(fpr);
	free(tpr);
	free(lo);
	free(hi);
}

void mrm__vr_chart_pr(struct mrm__vr *v)
{
	json_t *pr = mrm__json_obj(v->curves, "pr");
	double *rec = NULL, *prec = NULL, ap, base = NAN, x, y;
	size_t n;
	struct mrm__plot p = { 62, 404, 14, 346, 0, 1, 0, 1 };
	struct mrm__legend key[4];
	size_t nkey = 0;
	char desc[600], apl[80], aps[80], basel[80], a[MRM__NUM], b[MRM__NUM], c[MRM__NUM];
	const char *reason;
	bool have_ap = mrm__json_metric(v->metrics, v->undefined, "average_precision", &ap, &reason);
	int id;

	n = mrm__json_doubles(mrm__json_arr(pr, "recall"), &rec);
	if (mrm__json_doubles(mrm__json_arr(pr, "precision"), &prec) != n)
		n = 0;
	if (v->has_rows && v->has_pos && v->rows > 0)
		base = v->positives / v->rows;
	else
		mrm__json_metric(v->metrics, v->undefined, "base_rate", &base, &reason);
	snprintf(apl, sizeof(apl), have_ap ? "PR curve (AP %s)" : "PR curve",
		 mrm__fmt_metric(a, ap));
	snprintf(basel, sizeof(basel), "base rate %s", mrm__fmt_metric(a, base));
	snprintf(aps, sizeof(aps), "Average precision %s", mrm__fmt_metric(a, ap));
	if (n < 2) {
		const char *why = curve_reason(v, pr, have_ap ? NULL : reason);
		snprintf(desc, sizeof(desc), "Precision-recall curve not drawn: %s.", why);
		mrm__svg_begin(v->o, 420, 120, "Precision-recall curve", desc);
		p.bottom = 100;
		chart_empty(v, &p, why);
		mrm__svg_end(v->o, desc);
		goto out;
	}
	snprintf(desc, sizeof(desc), "Precision against recall as the threshold falls, %zu points, "
		 "drawn as the step function average precision sums. %s. The dashed line is the "
		 "precision of a random ranking, the base rate%s%s.", n, have_ap ? aps : "Average "
		 "precision not computed", isfinite(base) ? " " : "",
		 isfinite(base) ? mrm__fmt_metric(b, base) : "");
	id = mrm__svg_begin(v->o, 420, 400, "Precision-recall curve", desc);
	mrm__svg_axes(v->o, &p, 5, 5, "Recall (true positive rate)", "Precision");
	if (isfinite(base))
		mrm__svg_line(v->o, &p, 0, base, 1, base, "diag");
	mrm__svg_path(v->o, &p, rec, prec, n, true, "s1");
	key[nkey++] = (struct mrm__legend){ MRM__KEY_LINE, "s1", apl };
	if (isfinite(base))
		key[nkey++] = (struct mrm__legend){ MRM__KEY_LINE, "diag", basel };
	if (mrm__json_metric(v->metrics, v->undefined, "precision", &y, &reason) &&
	    (mrm__json_metric(v->metrics, v->undefined, "recall", &x, &reason) ||
	     mrm__json_metric(v->metrics, v->undefined, "tpr", &x, &reason))) {
		char tip[120];
		snprintf(tip, sizeof(tip), "threshold %s: recall %s, precision %s",
			 mrm__fmt_short(a, v->threshold), mrm__fmt_metric(b, x),
			 mrm__fmt_metric(c, y));
		mrm__svg_dot(v->o, &p, x, y, 5, "dot-black", tip);
		key[nkey++] = (struct mrm__legend){ MRM__KEY_DOT, "dot-black", "at the threshold" };
	}
	/* Bottom left is where a PR curve rarely goes (recall 0, low precision). */
	mrm__svg_legend(v->o, id, p.left + 8, p.bottom - 8 - mrm__svg_legend_height(nkey), key,
			nkey);
	mrm__svg_end(v->o, desc);
out:
	free(rec);
	free(prec);
}

void mrm__vr_read_bin(json_t *b, struct mrm__vr_bin *o, size_t i, size_t nbins, bool uniform)
{
	json_t *ci = json_object_get(b, "ci");

	memset(o, 0, sizeof(*o));
	o->have_pred = mrm__json_num(b, "mean_predicted", &o->pred);
	o->have_obs = mrm__json_num2(b, "observed_rate", "fraction_positive", &o->obs);
	o->have_ci = (mrm__json_num2(b, "low", "ci_low", &o->lo) &&
		      mrm__json_num2(b, "high", "ci_high", &o->hi)) ||
		     mrm__json_interval(ci, &o->lo, &o->hi);
	if (!mrm__json_num2(b, "count", "n", &o->count))
		mrm__json_num(b, "weight", &o->count);
	o->have_edges = mrm__json_num2(b, "lower", "low_edge", &o->lower) &&
			mrm__json_num2(b, "upper", "high_edge", &o->upper);
	if (!o->have_edges && uniform && nbins > 0) {
		o->lower = (double)i / (double)nbins;
		o->upper = (double)(i + 1) / (double)nbins;
		o->have_edges = true;
	}
}

void mrm__vr_chart_reliability(struct mrm__vr *v, json_t *table, bool uniform)
{
	size_t n = json_array_size(table), i, used = 0;
	struct mrm__plot p = { 62, 404, 14, 300, 0, 1, 0, 1 };
	struct mrm__plot h = { 62, 404, 330, 392, 0, 1, 0, 1 };
	struct mrm__legend key[3];
	double maxc = 0, *xs, *ys;
	struct mrm__vr_bin b;
	char desc[400];
	int id;

	if (n > MAX_BINS)
		n = MAX_BINS;
	xs = calloc(n ? n : 1, sizeof(*xs));
	ys = calloc(n ? n : 1, sizeof(*ys));
	for (i = 0; i < n; i++) {
		mrm__vr_read_bin(json_array_get(table, i), &b, i, n, uniform);
		if (b.count > maxc)
			maxc = b.count;
		xs[i] = b.have_pred && b.have_obs ? b.pred : NAN;
		ys[i] = b.have_pred && b.have_obs ? b.obs : NAN;
		if (b.have_pred && b.have_obs)
			used++;
	}
	snprintf(desc, sizeof(desc), "Observed positive rate against mean predicted score in %zu "
		 "bins (%zu not empty), with 95%% Wilson intervals; points on the dashed diagonal are "
		 "perfectly calibrated. Below: rows per bin.", n, used);
	id = mrm__svg_begin(v->o, 420, 440, "Reliability diagram", desc);
	if (used == 0 || !xs || !ys) {
		chart_empty(v, &p, "no bins with rows");
	} else {
		h.y1 = maxc > 0 ? maxc : 1;
		mrm__svg_axes(v->o, &p, 5, 5, NULL, "Observed positive rate");
		mrm__svg_line(v->o, &p, 0, 0, 1, 1, "diag");
		/* Rows per bin, under the diagram and on the same x scale. */
		mrm__svg_axes(v->o, &h, 5, 2, "Mean predicted score", "Rows");
		for (i = 0; i < n; i++) {
			mrm__vr_read_bin(json_array_get(table, i), &b, i, n, uniform);
			if (b.have_edges)
				mrm__svg_rect(v->o, &h, b.lower, 0, b.upper, b.count, "bar3", 0);
			else if (b.have_pred)
				mrm__svg_rect(v->o, &h, b.pred - 0.01, 0, b.pred + 0.01, b.count,
					      "bar3", 0);
		}
		mrm__svg_path(v->o, &p, xs, ys, n, false, "s1");
		for (i = 0; i < n; i++) {
			char tip[200], a[MRM__NUM], c[MRM__NUM], d[MRM__NUM];
			mrm__vr_read_bin(json_array_get(table, i), &b, i, n, uniform);
			if (!(b.have_pred && b.have_obs))
				continue;
			if (b.have_ci)
				mrm__svg_errbar_v(v->o, &p, b.pred, b.lo, b.hi, 6, "err");
			snprintf(tip, sizeof(tip), "bin %zu: %s rows, mean score %s, observed rate %s", i + 1,
				 mrm__fmt_count(a, b.count), mrm__fmt_metric(c, b.pred),
				 mrm__fmt_metric(d, b.obs));
			mrm__svg_dot(v->o, &p, b.pred, b.obs, 4, "dot1", tip);
		}
		key[0] = (struct mrm__legend){ MRM__KEY_DOT, "dot1", "observed rate, 95% Wilson" };
		key[1] = (struct mrm__legend){ MRM__KEY_LINE, "diag", "perfect calibration" };
		mrm__svg_legend(v->o, id, p.left + 8, p.top + 8, key, 2);
	}
	mrm__svg_end(v->o, desc);
	free(xs);
	free(ys);
}

/*
 * The bins of a score histogram as [bl[i], bh[i]): from "edges" (n + 1
 * ascending numbers), or from "values" (few distinct scores, a decile),
 * each then a bin as wide as the smallest gap between values. Returns the
 * number of bins (0 when the histogram is unusable); *discrete says which.
 */
static size_t score_bins(json_t *hist, size_t counts, double **bl, double **bh, bool *discrete)
{
	double *e = NULL, gap = INFINITY;
	size_t ne, nb = 0, i;

	*bl = *bh = NULL;
	*discrete = false;
	ne = mrm__json_doubles(mrm__json_arr(hist, "edges"), &e);
	if (ne >= 2 && ne - 1 == counts) {
		nb = ne - 1;
	} else {
		free(e);
		ne = mrm__json_doubles(mrm__json_arr(hist, "values"), &e);
		if (ne == 0 || ne != counts) {
			free(e);
			return 0;
		}
		*discrete = true;
		nb = ne;
		for (i = 0; i + 1 < ne; i++)
			if (e[i + 1] - e[i] < gap)
				gap = e[i + 1] - e[i];
		if (!(gap > 0 && isfinite(gap)))
			gap = isfinite(e[0]) && e[0] != 0 ? fabs(e[0]) / 10 : 1;
	}
	if (nb > MAX_BINS || !(*bl = malloc(nb * sizeof(double))) ||
	    !(*bh = malloc(nb * sizeof(double)))) {
		free(*bl);
		*bl = NULL;
		free(e);
		return 0;
	}
	for (i = 0; i < nb; i++) {
		(*bl)[i] = *discrete ? e[i] - gap / 2 : e[i];
		(*bh)[i] = *discrete ? e[i] + gap / 2 : e[i + 1];
		if (!isfinite((*bl)[i]) || !isfinite((*bh)[i]) || (*bh)[i] < (*bl)[i] ||
		    (i > 0 && (*bl)[i] < (*bl)[i - 1])) {
			nb = 0;
			break;
		}
	}
	free(e);
	if (nb == 0) {
		free(*bl);
		free(*bh);
		*bl = *bh = NULL;
	}
	return nb;
}

void mrm__vr_chart_scores(struct mrm__vr *v, json_t *hist)
{
	double *bl = NULL, *bh = NULL, *pos = NULL, *neg = NULL, sp = 0, sn = 0, maxs = 0;
	double step, t[64];
	size_t nb = 0, np, nn, i;
	struct mrm__plot p = { 62, 620, 14, 300, 0, 1, 0, 1 };
	struct mrm__legend key[3];
	size_t nkey = 0;
	char desc[500], a[MRM__NUM];
	bool discrete = false;
	int id;

	np = mrm__json_doubles(mrm__json_arr(hist, "positive"), &pos);
	nn = mrm__json_doubles(mrm__json_arr(hist, "negative"), &neg);
	if (np == nn && np > 0)
		nb = score_bins(hist, np, &bl, &bh, &discrete);
	for (i = 0; i < nb; i++) {
		sp += isfinite(pos[i]) ? pos[i] : 0;
		sn += isfinite(neg[i]) ? neg[i] : 0;
	}
	for (i = 0; i < nb; i++) {
		if (sp > 0 && isfinite(pos[i]) && pos[i] / sp > maxs)
			maxs = pos[i] / sp;
		if (sn > 0 && isfinite(neg[i]) && neg[i] / sn > maxs)
			maxs = neg[i] / sn;
	}
	if (nb == 0 || (sp <= 0 && sn <= 0)) {
		const char *why = mrm__json_str(hist, "reason");

		if (!why)
			why = "no histogram in the result";
		mrm__svg_begin(v->o, 830, 120, "Score distribution by class", why);
		p.bottom = 100;
		chart_empty(v, &p, why);
		mrm__svg_end(v->o, why);
		goto out;
	}
	snprintf(desc, sizeof(desc), "Histogram of the scores of each class %s %zu %s: for each, the "
		 "share of the negatives (label 0, left bar) and of the positives (label 1, right, "
		 "hatched) with that score. A model that separates well puts the two classes in "
		 "different places.%s", discrete ? "at each of its" : "in", nb,
		 discrete ? "distinct values" : "bins",
		 v->has_threshold ? " The dashed line is the threshold: scores at or above it are "
				    "predicted positive." : "");
	id = mrm__svg_begin(v->o, 830, 350, "Score distribution by class", desc);
	p.x0 = bl[0];
	p.x1 = bh[nb - 1];
	mrm__nice_ticks(0, maxs, 5, t, 64, &step);
	p.y1 = step > 0 ? ceil(maxs / step - 1e-9) * step : 1;
	if (!(p.y1 > 0))
		p.y1 = 1;
	if (!(p.x1 > p.x0))
		p.x1 = p.x0 + 1;
	mrm__svg_axes(v->o, &p, 10, 5, "Score", "Share of the class");
	for (i = 0; i < nb; i++) {
		double w = bh[i] - bl[i];
		if (sn > 0 && isfinite(neg[i]))
			mrm__svg_rect(v->o, &p, bl[i] + 0.08 * w, 0, bl[i] + 0.5 * w, neg[i] / sn,
				      "bar1", 0);
		if (sp > 0 && isfinite(pos[i]))
			mrm__svg_rect(v->o, &p, bl[i] + 0.5 * w, 0, bl[i] + 0.92 * w, pos[i] / sp,
				      "bar2", id);
	}
	if (v->has_threshold && v->threshold >= p.x0 && v->threshold <= p.x1) {
		/*
		 * With distinct values the cut is between the last value
		 * below the threshold and the first at or above it.
		 */
		double tx = v->threshold, px;
		bool right;
		char lab[120];

		for (i = 0; discrete && i < nb; i++)
			if ((bl[i] + bh[i]) / 2 >= v->threshold) {
				tx = bl[i];
				break;
			}
		px = mrm__plot_px(&p, tx);
		right = px < (p.left + p.right) / 2;
		mrm__svg_line(v->o, &p, tx, 0, tx, p.y1, "thr");
		snprintf(lab, sizeof(lab), "threshold %s", mrm__fmt_short(a, v->threshold));
		mrm__svg_text(v->o, right ? px + 4 : px - 4, p.top + 12, right ? "start" : "end",
			      NULL, lab, 0);
	}
	key[nkey++] = (struct mrm__legend){ MRM__KEY_BOX, "bar1", "negatives (label 0)" };
	key[nkey++] = (struct mrm__legend){ MRM__KEY_HATCH, "bar2", "positives (label 1)" };
	if (v->has_threshold)
		key[nkey++] = (struct mrm__legend){ MRM__KEY_LINE, "thr", "threshold" };
	mrm__svg_legend(v->o, id, p.right + 12, p.top, key, nkey);
	mrm__svg_end(v->o, desc);
out:
	free(bl);
	free(bh);
	free(pos);
	free(neg);
}

void mrm__vr_chart_gain(struct mrm__vr *v, json_t *lift)
{
	size_t n = json_array_size(lift), i, m = 0;
	double *x, *y, tot = 0, acc = 0, g;
	struct mrm__plot p = { 62, 404, 14, 346, 0, 1, 0, 1 };
	struct mrm__legend key[2];
	json_t *b;
	int id;

	if (n > MAX_BINS)
		n = MAX_BINS;
	x = calloc(n + 1, sizeof(*x));
	y = calloc(n + 1, sizeof(*y));
	if (!x || !y)
		goto out;
	for (i = 0; i < n; i++) {
		double w;
		b = json_array_get(lift, i);
		if (mrm__json_num2(b, "n", "weight", &w) || mrm__json_num(b, "rows", &w))
			tot += w;
	}
	x[m] = 0;
	y[m++] = 0;
	for (i = 0; i < n && tot > 0; i++) {
		double w = 0;
		b = json_array_get(lift, i);
		if (!(mrm__json_num2(b, "n", "weight", &w) || mrm__json_num(b, "rows", &w)))
			break;
		if (!mrm__json_num2(b, "cumulative_gain", "cum_gain", &g))
			break;
		acc += w;
		x[m] = acc / tot;
		y[m++] = g;
	}
	id = mrm__svg_begin(v->o, 420, 400, "Cumulative gain",
			    "Share of all positives captured against the share of rows taken in "
			    "descending score order. The dashed diagonal is a random ordering.");
	if (m < 2) {
		chart_empty(v, &p, "no cumulative gain in the lift table");
	} else {
		mrm__svg_axes(v->o, &p, 5, 5, "Share of rows (highest scores first)",
			      "Share of positives captured");
		mrm__svg_line(v->o, &p, 0, 0, 1, 1, "diag");
		mrm__svg_path(v->o, &p, x, y, m, false, "s1");
		for (i = 1; i < m; i++)
			mrm__svg_dot(v->o, &p, x[i], y[i], 3, "dot1", NULL);
		key[0] = (struct mrm__legend){ MRM__KEY_LINE, "s1", "model" };
		/* The legend sits bottom right, under the curve of any useful model. */
		key[1] = (struct mrm__legend){ MRM__KEY_LINE, "diag", "random ordering" };
		mrm__svg_legend(v->o, id, p.right - 150, p.bottom - 52, key, 2);
	}
	mrm__svg_end(v->o, "Cumulative gain: share of all positives found in the top rows.");
out:
	free(x);
	free(y);
}

void mrm__vr_chart_slices(struct mrm__vr *v, const char *col, struct mrm__vr_slice *s, size_t n,
			  size_t total)
{
	const struct mrm__vr_rate *panels[mrm__vr_nslice_rates];
	size_t np = 0, i, j, nsmall = 0;
	const double panel_w = 176, gap = 34, row_h = 24, top = 44;
	double label_w = 150, w, h, x, lo, hi;
	char title[400], desc[800], lab[400], a[MRM__NUM];
	const char *key, *reason;
	int id;

	for (j = 0; j < mrm__vr_nslice_rates; j++)
		for (i = 0; i < n; i++)
			if (mrm__vr_slice_metric(s[i].g, &mrm__vr_slice_rates[j], &x, NULL)) {
				panels[np++] = &mrm__vr_slice_rates[j];
				break;
			}
	for (i = 0; i < n; i++) {
		/* Room for the longest label, "NAME (n=12,345, small)", within limits. */
		double len = (double)(strlen(s[i].name) < 48 ? strlen(s[i].name) : 48) + 20;
		if (mrm__vr_slice_small(s[i].g))
			nsmall++;
		if (8 + 6.6 * len > label_w)
			label_w = 8 + 6.6 * len;
	}
	if (label_w > 360)
		label_w = 360;
	if (np == 0 || n == 0)
		return;
	w = label_w + (double)np * (panel_w + gap) + 10;
	h = top + (double)n * row_h + 44;
	snprintf(title, sizeof(title), "Metrics by slice of %.200s", col);
	snprintf(desc, sizeof(desc), "For each value of %.200s (%zu%s shown), the point estimate and "
		 "its 95%% interval of: %s%s%s%s%s%s%s. The dashed vertical line is the overall value.%s",
		 col, n, n < total ? " largest" : "", panels[0]->label,
		 np > 1 ? ", " : "", np > 1 ? panels[1]->label : "", np > 2 ? ", " : "",
		 np > 2 ? panels[2]->label : "", np > 3 ? ", " : "", np > 3 ? panels[3]->label : "",
		 nsmall == 0 ? "" : nsmall == 1 ? " The slice flagged too small is hatched, drawn with "
		 "a hollow point and marked \"small\"." : " Slices flagged too small are hatched, "
		 "drawn with hollow points and marked \"small\".");
	id = mrm__svg_begin(v->o, (int)w, (int)h, title, desc);
	/* Row bands for small slices: light behind the label, hatched across the panels. */
	for (i = 0; i < n; i++) {
		if (!mrm__vr_slice_small(s[i].g))
			continue;
		struct mrm__plot whole = { 0, w, 0, h, 0, w, 0, h };
		double y0 = top + (double)i * row_h;
		mrm__svg_rect(v->o, &whole, 4, h - y0, label_w - 2, h - y0 - row_h, "rowband", 0);
		for (j = 0; j < np; j++) {
			double x0 = label_w + (double)j * (panel_w + gap);
			mrm__svg_rect(v->o, &whole, x0, h - y0, x0 + panel_w, h - y0 - row_h,
				      "rowband", id);
		}
	}
	for (i = 0; i < n; i++) {
		double n_ = s[i].n;
		/* The name cut to 48 bytes keeps the count and the flag visible. */
		char name[64];
		size_t nl = strlen(s[i].name);
		if (nl > 48) {
			nl = 45;
			while (nl > 0 && ((unsigned char)s[i].name[nl] & 0xc0) == 0x80)
				nl--;
			snprintf(name, sizeof(name), "%.*s\xe2\x80\xa6", (int)nl, s[i].name);
		} else {
			snprintf(name, sizeof(name), "%s", s[i].name);
		}
		snprintf(lab, sizeof(lab), "%s (n=%s%s)", name, mrm__fmt_count(a, n_),
			 mrm__vr_slice_small(s[i].g) ? ", small" : "");
		mrm__svg_text(v->o, label_w - 8, top + (double)i * row_h + row_h / 2 + 4, "end",
			      mrm__vr_slice_small(s[i].g) ? "label-small" : NULL, lab, 0);
	}
	for (j = 0; j < np; j++) {
		struct mrm__plot p;
		p.left = label_w + (double)j * (panel_w + gap);
		p.right = p.left + panel_w;
		p.top = top;
		p.bottom = top + (double)n * row_h;
		p.x0 = 0;
		p.x1 = 1;
		p.y0 = 0;
		p.y1 = (double)n;
		mrm__svg_text(v->o, (p.left + p.right) / 2, top - 12, "middle", "panel-title",
			      panels[j]->label, 0);
		mrm__svg_axes(v->o, &p, 4, 0, NULL, NULL);
		for (const char *const *al = panels[j]->alias; *al; al++)
			if (mrm__json_metric(v->metrics, v->undefined, *al, &x, &reason)) {
				mrm__svg_line(v->o, &p, x, 0, x, p.y1, "diag");
				break;
			}
		for (i = 0; i < n; i++) {
			/* Row i from the top: y runs from n at the top to 0 at the bottom. */
			double y = (double)n - (double)i - 0.5;
			bool small = mrm__vr_slice_small(s[i].g) != NULL;
			char tip[300];
			if (!mrm__vr_slice_metric(s[i].g, panels[j], &x, &key)) {
				mrm__svg_text(v->o, (p.left + p.right) / 2, mrm__plot_py(&p, y) + 4,
					      "middle", "nodata", "undefined", 0);
				continue;
			}
			if (mrm__vr_slice_ci(s[i].g, key, &lo, &hi))
				mrm__svg_errbar_h(v->o, &p, y, lo, hi, 8, small ? "err-small" : "err");
			snprintf(tip, sizeof(tip), "%.150s: %s %s", s[i].name, panels[j]->label,
				 mrm__fmt_metric(a, x));
			mrm__svg_dot(v->o, &p, x, y, 4.5, small ? "dot-small" : "dot1", tip);
		}
	}
	mrm__svg_end(v->o, desc);
}

void mrm__vr_chart_fairness(struct mrm__vr *v, const char *col, json_t *f)
{
	const double label_w = 230, bar_w = 330, row_h = 30;
	double diff_max = 0.5, x, t, y = 20;
	size_t ndiff = 0, nratio = 0, i;
	char desc[700], title[300], lab[200], op[3], a[MRM__NUM], b[MRM__NUM];
	bool from_test;

	for (i = 0; i < mrm__vr_ndisparities; i++) {
		if (!json_object_get(f, mrm__vr_disparities[i].key))
			continue;
		if (mrm__vr_disparities[i].ratio)
			nratio++;
		else
			ndiff++;
		if (!mrm__vr_disparities[i].ratio && mrm__json_num(f, mrm__vr_disparities[i].key, &x) &&
		    x > diff_max)
			diff_max = ceil(x * 10) / 10;
	}
	if (ndiff + nratio == 0)
		return;
	snprintf(title, sizeof(title), "Fairness disparities across %.200s", col);
	snprintf(desc, sizeof(desc), "Each disparity of %.200s as a bar with its threshold as a "
		 "dashed line. Differences (max minus min of a group rate) are fairer when lower; the "
		 "convention drawn is 0.1. Ratios (min over max) are fairer when higher; the "
		 "convention drawn is 0.8, the four-fifths rule. A test on the disparity replaces the "
		 "convention with its own threshold. Bars beyond their threshold are orange and marked.",
		 col);
	/* Each panel: a title (18), its rows, then 58 to the next panel; the last note ends 42 below. */
	mrm__svg_begin(v->o, (int)(label_w + bar_w + 190),
			    (int)(20 + 18 * (double)((ndiff > 0) + (nratio > 0)) +
				  row_h * (double)(ndiff + nratio) +
				  58 * (double)((ndiff > 0) + (nratio > 0) - 1) + 42), title, desc);
	for (int pass = 0; pass < 2; pass++) {
		bool ratio = pass == 1;
		size_t rows = ratio ? nratio : ndiff, r = 0;
		struct mrm__plot p;
		if (rows == 0)
			continue;
		p.left = label_w;
		p.right = label_w + bar_w;
		p.top = y + 18;
		p.bottom = p.top + row_h * (double)rows;
		p.x0 = 0;
		p.x1 = ratio ? 1 : diff_max;
		p.y0 = 0;
		p.y1 = (double)rows;
		mrm__svg_text(v->o, 8, y + 8, "start", "panel-title",
			      ratio ? "Ratios (min \xc3\xb7 max across groups): higher is fairer" :
				      "Differences (max \xe2\x88\x92 min across groups): lower is fairer",
			      0);
		mrm__svg_axes(v->o, &p, 5, 0, NULL, NULL);
		for (i = 0; i < mrm__vr_ndisparities; i++) {
			const struct mrm__vr_disparity *d = &mrm__vr_disparities[i];
			double yc;
			const char *reason;
			if (d->ratio != ratio || !json_object_get(f, d->key))
				continue;
			yc = (double)rows - (double)r - 0.5;
			r++;
			t = mrm__vr_disparity_threshold(v, col, d, &from_test, op);
			mrm__svg_text(v->o, label_w - 8, mrm__plot_py(&p, yc) + 4, "end", NULL,
				      d->label, 0);
			if (!mrm__json_metric(f, mrm__json_obj(f, "undefined"), d->key, &x, &reason)) {
				mrm__svg_text(v->o, p.left + 6, mrm__plot_py(&p, yc) + 4, "start", "nodata",
					      reason, 80);
			} else {
				bool ok = mrm__vr_meets(x, op, t);
				mrm__svg_rect(v->o, &p, 0, yc - 0.32, x, yc + 0.32, ok ? "ok" : "bad", 0);
				snprintf(lab, sizeof(lab), "%s (%s %s %s%s)", mrm__fmt_metric(a, x),
					 ok ? "meets" : "misses", mrm__vr_op_text(op), mrm__fmt_short(b, t),
					 from_test ? ", test" : "");
				mrm__svg_text(v->o, mrm__plot_px(&p, x > t ? x : t) + 5,
					      mrm__plot_py(&p, yc) + 4, "start", ok ? NULL : "bad-label",
					      lab, 0);
			}
			/* The threshold of this bar, across its row. */
			mrm__svg_line(v->o, &p, t, yc - 0.5, t, yc + 0.5, "thr");
		}
		snprintf(lab, sizeof(lab), "dashed: threshold%s", ratio ? " (0.8 = four-fifths rule "
			 "unless a test sets one)" : " (0.1 by convention unless a test sets one)");
		mrm__svg_text(v->o, p.left, p.bottom + 32, "start", "tick", lab, 0);
		y = p.bottom + 58;
	}
	mrm__svg_end(v->o, NULL);
}
