/*
 * The charts of the drift report: a score-against-threshold bar for each
 * table row, the drift-share gauge, reference-against-current histograms
 * and category shares, and the time series of windows (drift share, column
 * scores, metrics) with their thresholds drawn.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/drift.h"

/* The largest -log10(p) drawn: p = 0 (below the smallest double) is drawn here. */
#define LOG_P_MAX 320.0

/*
 * How far a score is along its threshold: 1 at the threshold, 2 at twice a
 * distance threshold or at the square of a p-value level (-log10 p twice
 * -log10 level). Infinite for p = 0.
 */
static double relative(double score, double thr, bool pbased)
{
	if (!pbased)
		return fabs(score) / thr;
	if (score <= 0)
		return INFINITY;
	return -log10(score) / -log10(thr);
}

void mrm__dr_spark(struct mrm__dr *d, const char *name, json_t *col)
{
	const double w = 140, h = 16, end = w - 8;
	double score, thr, r, len;
	bool pbased, drift = json_is_true(json_object_get(col, "drifted"));
	char a[MRM__NUM], b[MRM__NUM];
	const char *cls = drift ? "bad" : "ok";

	if (!mrm__dr_score(col, &score, &thr, &pbased))
		return;
	r = relative(score, thr, pbased);
	if (!(r >= 0))
		r = 0;
	len = r >= 2 ? end : r / 2 * end;
	DP("<svg class=\"chart spark\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
	   "role=\"img\"><title>", w, h, w, h);
	/* The title holds "&lt;" from mrm__fmt_p: already HTML, the name is escaped. */
	mrm__html_esc(d->o, name, 120);
	DP(": %s %s against %s %s: %s</title>", pbased ? "p-value" : "score",
	   pbased ? mrm__fmt_p(a, score) : mrm__fmt_metric(a, score),
	   pbased ? "the level" : "the threshold", mrm__fmt_short(b, thr),
	   drift ? "drifted" : "no drift");
	DP("<rect class=\"track\" x=\"0\" y=\"4\" width=\"%.1f\" height=\"8\"/>", end);
	if (len > 0)
		DP("<rect class=\"%s\" x=\"0\" y=\"4\" width=\"%.1f\" height=\"8\"/>", cls, len);
	if (r > 2)
		DP("<path class=\"%s\" d=\"M%.1f 1L%.1f 8L%.1f 15Z\"/>", cls, end, w, end);
	DP("<line class=\"thr\" x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%.0f\"/></svg>", end / 2,
	   end / 2, h);
}

void mrm__dr_gauge(struct mrm__dr *d)
{
	struct mrm__plot p = { 20, 540, 18, 34, 0, 1, 0, 1 };
	char desc[300], lab[80], a[MRM__NUM], b[MRM__NUM];
	double x;

	snprintf(desc, sizeof(desc), "The share of tested columns that drifted, %s, against the "
		 "drift-share threshold %s (dashed): the data set drifts at or above it.",
		 mrm__fmt_pct(a, d->share), mrm__fmt_pct(b, d->share_thr));
	mrm__svg_begin(d->o, 560, 62, "Drift share", desc);
	mrm__svg_rect(d->o, &p, 0, 0, 1, 1, "track", 0);
	if (d->share > 0)
		mrm__svg_rect(d->o, &p, 0, 0, d->share, 1, d->dataset_drift ? "bad" : "ok", 0);
	mrm__svg_line(d->o, &p, d->share_thr, -0.35, d->share_thr, 1.35, "thr");
	for (int i = 0; i <= 4; i++) {
		x = i / 4.0;
		mrm__svg_text(d->o, mrm__plot_px(&p, x), p.bottom + 16, "middle", "tick",
			      mrm__fmt_pct(a, x), 0);
	}
	snprintf(lab, sizeof(lab), "drift share %s", mrm__fmt_pct(a, d->share));
	mrm__svg_text(d->o, p.left, 12, "start", "panel-title", lab, 0);
	snprintf(lab, sizeof(lab), "threshold %s", mrm__fmt_pct(a, d->share_thr));
	x = mrm__plot_px(&p, d->share_thr);
	mrm__svg_text(d->o, x + 4, 12, x > 400 ? "end" : "start", NULL, lab, 0);
	mrm__svg_end(d->o, NULL);
}

/* A "nice" axis range covering [lo, hi] (within +-1e300). */
static void nice_range(double lo, double hi, double *y0, double *y1)
{
	double t[64], step;

	/* Keep the span finite: values beyond are clamped to the edge of the plot. */
	if (lo < -1e300)
		lo = -1e300;
	if (hi > 1e300)
		hi = 1e300;
	if (!(hi > lo)) {
		double pad = fabs(lo) > 0 ? fabs(lo) / 10 : 1;
		lo -= pad;
		hi += pad;
	}
	mrm__nice_ticks(lo, hi, 5, t, 64, &step);
	if (!(step > 0)) {
		*y0 = lo;
		*y1 = hi;
		return;
	}
	*y0 = floor(lo / step + 1e-9) * step;
	*y1 = ceil(hi / step - 1e-9) * step;
}

/* A chart's empty plot with a note in its middle. */
static void chart_note(struct mrm__dr *d, const struct mrm__plot *p, const char *why)
{
	mrm__out_printf(d->o, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			      "height=\"%.1f\"/>\n", p->left, p->top, p->right - p->left,
			p->bottom - p->top);
	mrm__svg_text(d->o, (p->left + p->right) / 2, (p->top + p->bottom) / 2, "middle", "nodata",
		      why, 200);
}

/* ------------------------------------------------------------------ */
/* Distributions                                                       */
/* ------------------------------------------------------------------ */

/* Normalises v[0..n) to shares when it holds counts (sums above 1); false if unusable. */
static bool shares(double *v, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isfinite(v[i]) || v[i] < 0)
			return false;
		s += v[i];
	}
	if (s > 1 + 1e-6)
		for (i = 0; i < n; i++)
			v[i] /= s;
	return true;
}

static bool chart_histogram(struct mrm__dr *d, const char *name, json_t *h)
{
	double *e = NULL, *r = NULL, *c = NULL, *xs = NULL, *ys = NULL, maxs = 0, y0, y1;
	size_t ne = mrm__json_doubles(mrm__json_arr(h, "edges"), &e);
	size_t nr = mrm__json_doubles(mrm__json_arr(h, "reference"), &r);
	size_t nc = mrm__json_doubles(mrm__json_arr(h, "current"), &c);
	size_t nb = ne > 0 ? ne - 1 : 0, i, m = 0;
	struct mrm__plot p = { 62, 420, 14, 250, 0, 1, 0, 1 };
	struct mrm__legend key[2];
	char title[300], desc[600];
	bool ok = false;
	int id;

	if (ne < 2 || nb > DR_MAX_BINS || nr != nb || nc != nb || !shares(r, nb) || !shares(c, nb))
		goto out;
	for (i = 0; i < ne; i++)
		if (!isfinite(e[i]) || (i > 0 && !(e[i] > e[i - 1])))
			goto out;
	xs = malloc((nb + 3) * sizeof(*xs));
	ys = malloc((nb + 3) * sizeof(*ys));
	if (!xs || !ys)
		goto out;
	for (i = 0; i < nb; i++) {
		if (r[i] > maxs)
			maxs = r[i];
		if (c[i] > maxs)
			maxs = c[i];
	}
	snprintf(title, sizeof(title), "Distribution of %.200s", name);
	snprintf(desc, sizeof(desc), "Share of rows of %.200s in each of %zu bins of equal width over "
		 "the range of both sides: the reference as filled bars, the current data as an "
		 "orange outline. Where the outline leaves the bars, the current data moved.", name, nb);
	id = mrm__svg_begin(d->o, 540, 300, title, desc);
	p.x0 = e[0];
	p.x1 = e[nb];
	nice_range(0, maxs > 0 ? maxs : 1, &y0, &y1);
	p.y1 = y1;
	mrm__svg_axes(d->o, &p, 6, 5, name, "Share of rows");
	for (i = 0; i < nb; i++)
		if (r[i] > 0)
			mrm__svg_rect(d->o, &p, e[i], 0, e[i + 1], r[i], "refbar", 0);
	xs[m] = e[0];
	ys[m++] = 0;
	for (i = 0; i < nb; i++) {
		xs[m] = e[i];
		ys[m++] = c[i];
	}
	xs[m] = e[nb];
	ys[m++] = c[nb - 1];
	xs[m] = e[nb];
	ys[m++] = 0;
	mrm__svg_path(d->o, &p, xs, ys, m, true, "curline");
	key[0] = (struct mrm__legend){ MRM__KEY_BOX, "refbar", "reference" };
	key[1] = (struct mrm__legend){ MRM__KEY_LINE, "curline", "current" };
	mrm__svg_legend(d->o, id, p.right + 12, p.top, key, 2);
	mrm__svg_end(d->o, NULL);
	ok = true;
out:
	free(e);
	free(r);
	free(c);
	free(xs);
	free(ys);
	return ok;
}

static bool chart_categories(struct mrm__dr *d, const char *name, json_t *cat)
{
	json_t *names = mrm__json_arr(cat, "names");
	double *r = NULL, *c = NULL, maxs = 0, label_w = 120, y0, y1;
	size_t n = json_array_size(names), nr = mrm__json_doubles(mrm__json_arr(cat, "reference"), &r);
	size_t nc = mrm__json_doubles(mrm__json_arr(cat, "current"), &c), shown, i;
	const double row_h = 26, top = 14;
	struct mrm__plot p;
	struct mrm__legend key[2];
	char title[300], desc[600];
	bool ok = false;
	int id;

	if (n == 0 || nr != n || nc != n || !shares(r, n) || !shares(c, n))
		goto out;
	shown = n < DR_MAX_CATEGORIES ? n : DR_MAX_CATEGORIES;
	for (i = 0; i < shown; i++) {
		const char *s = json_string_value(json_array_get(names, i));
		double len = s ? (double)(strlen(s) < 40 ? strlen(s) : 40) : 3;
		if (12 + 6.6 * len > label_w)
			label_w = 12 + 6.6 * len;
		if (r[i] > maxs)
			maxs = r[i];
		if (c[i] > maxs)
			maxs = c[i];
	}
	snprintf(title, sizeof(title), "Categories of %.200s", name);
	snprintf(desc, sizeof(desc), "Share of rows in each category of %.200s (%zu%s shown): the "
		 "reference as the upper, blue bar, the current data as the lower, hatched orange "
		 "one.", name, shown, shown < n ? " most frequent" : "");
	p.left = label_w;
	p.right = label_w + 260;
	p.top = top;
	p.bottom = top + row_h * (double)shown;
	p.x0 = 0;
	nice_range(0, maxs > 0 ? maxs : 1, &y0, &y1);
	p.x1 = y1;
	p.y0 = 0;
	p.y1 = (double)shown;
	id = mrm__svg_begin(d->o, (int)(p.right + 130), (int)(p.bottom + 44), title, desc);
	mrm__svg_axes(d->o, &p, 5, 0, "Share of rows", NULL);
	for (i = 0; i < shown; i++) {
		const char *s = json_string_value(json_array_get(names, i));
		double yc = (double)shown - (double)i - 0.5;
		mrm__svg_text(d->o, label_w - 8, mrm__plot_py(&p, yc) + 4, "end", NULL, s ? s : "?", 40);
		mrm__svg_rect(d->o, &p, 0, yc, r[i], yc + 0.36, "bar1", 0);
		mrm__svg_rect(d->o, &p, 0, yc - 0.36, c[i], yc, "bar2", id);
	}
	key[0] = (struct mrm__legend){ MRM__KEY_BOX, "bar1", "reference" };
	key[1] = (struct mrm__legend){ MRM__KEY_HATCH, "bar2", "current" };
	mrm__svg_legend(d->o, id, p.right + 12, p.top, key, 2);
	mrm__svg_end(d->o, shown < n ? "Only the most frequent categories are shown." : NULL);
	ok = true;
out:
	free(r);
	free(c);
	return ok;
}

bool mrm__dr_chart_distribution(struct mrm__dr *d, const char *name, json_t *col)
{
	json_t *h = mrm__json_obj(col, "histogram"), *c = mrm__json_obj(col, "categories");

	return (h && chart_histogram(d, name, h)) || (c && chart_categories(d, name, c));
}

/* ------------------------------------------------------------------ */
/* Time series                                                         */
/* ------------------------------------------------------------------ */

static size_t nwindows(struct mrm__dr *d)
{
	size_t n = json_array_size(d->windows);

	return n < DR_MAX_WINDOWS ? n : DR_MAX_WINDOWS;
}

/* The plot of a time series of n windows: x is the window's index. */
static struct mrm__plot ts_plot(size_t n)
{
	struct mrm__plot p = { 62, 410, 30, 200, -0.5, (double)n - 0.5, 0, 1 };

	return p;
}

/* Labels of some windows under the x axis, as many as fit. */
static void ts_xlabels(struct mrm__dr *d, const struct mrm__plot *p, size_t n)
{
	char lab[64];
	size_t longest = 10, step, i;
	double fit;

	if (n == 0)
		return;
	mrm__dr_window_label(json_array_get(d->windows, 0), lab, sizeof(lab));
	if (strlen(lab) > longest)
		longest = strlen(lab);
	fit = (p->right - p->left) / (6.4 * (double)longest + 16);
	step = fit >= (double)n ? 1 : (size_t)ceil((double)n / (fit > 1 ? fit : 1));
	for (i = 0; i < n; i += step) {
		double x = mrm__plot_px(p, (double)i);
		mrm__out_printf(d->o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				      "y2=\"%.1f\"/>", x, p->bottom, x, p->bottom + 4);
		mrm__svg_text(d->o, x, p->bottom + 16, "middle", "tick",
			      mrm__dr_window_label(json_array_get(d->windows, i), lab, sizeof(lab)), 0);
	}
	mrm__svg_text(d->o, (p->left + p->right) / 2, p->bottom + 34, "middle", "axis-title",
		      "Window start", 0);
}

/* Dots of a series, one class for windows that crossed, another for the rest; few enough to see. */
static void ts_dots(struct mrm__dr *d, const struct mrm__plot *p, const double *y,
		    const bool *bad, size_t n, const char *what)
{
	char tip[200], lab[64], a[MRM__NUM];

	if (n > 1000)
		return;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(y[i]))
			continue;
		snprintf(tip, sizeof(tip), "%s: %s %s", mrm__dr_window_label(json_array_get(d->windows, i),
									   lab, sizeof(lab)),
			 what, mrm__fmt_metric(a, y[i]));
		mrm__svg_dot(d->o, p, (double)i, y[i], n > 200 ? 2 : 3.5, bad[i] ? "dot2" : "dot1", tip);
	}
}

void mrm__dr_chart_share(struct mrm__dr *d)
{
	size_t n = nwindows(d), i;
	double *xs = malloc((n ? n : 1) * sizeof(*xs)), *ys = malloc((n ? n : 1) * sizeof(*ys));
	bool *bad = calloc(n ? n : 1, sizeof(*bad));
	struct mrm__plot p = ts_plot(n);
	struct mrm__legend key[4];
	size_t nkey = 0;
	char desc[500], lab[120], a[MRM__NUM];
	int id;

	if (!xs || !ys || !bad)
		goto out;
	for (i = 0; i < n; i++) {
		json_t *w = json_array_get(d->windows, i);
		xs[i] = (double)i;
		if (!mrm__json_num(w, "drift_share", &ys[i]))
			ys[i] = NAN;
		bad[i] = json_is_true(json_object_get(w, "dataset_drift"));
	}
	snprintf(desc, sizeof(desc), "The share of tested columns that drifted in each window, against "
		 "the drift-share threshold %s (dashed). Windows with dataset drift are orange; a gap "
		 "is a window where no column could be tested.%s", mrm__fmt_pct(a, d->share_thr),
		 d->first_drift >= 0 ? " The dotted vertical line marks the first window with dataset "
				       "drift." : "");
	id = mrm__svg_begin(d->o, 580, 250, "Drift share per window", desc);
	mrm__svg_text(d->o, 8, 16, "start", "panel-title", "Drift share per window", 0);
	mrm__svg_axes(d->o, &p, 0, 5, NULL, "Drift share");
	ts_xlabels(d, &p, n);
	mrm__svg_line(d->o, &p, p.x0, d->share_thr, p.x1, d->share_thr, "thr");
	if (d->first_drift >= 0 && (size_t)d->first_drift < n) {
		double x = (double)d->first_drift, px = mrm__plot_px(&p, x);
		mrm__svg_line(d->o, &p, x, 0, x, 1, "mark");
		mrm__svg_text(d->o, px > 300 ? px - 4 : px + 4, p.top + 12, px > 300 ? "end" : "start",
			      "bad-label", "first dataset drift", 0);
	}
	mrm__svg_path(d->o, &p, xs, ys, n, false, "s1");
	ts_dots(d, &p, ys, bad, n, "drift share");
	key[nkey++] = (struct mrm__legend){ MRM__KEY_LINE, "s1", "drift share" };
	key[nkey++] = (struct mrm__legend){ MRM__KEY_DOT, "dot2", "dataset drift" };
	snprintf(lab, sizeof(lab), "threshold %s", mrm__fmt_pct(a, d->share_thr));
	key[nkey++] = (struct mrm__legend){ MRM__KEY_LINE, "thr", lab };
	mrm__svg_legend(d->o, id, p.right + 12, p.top, key, nkey);
	mrm__svg_end(d->o, NULL);
out:
	free(xs);
	free(ys);
	free(bad);
}

/* Y ticks of -log10(p) labelled as p-values. */
static void logp_ticks(struct mrm__dr *d, const struct mrm__plot *p)
{
	int top = (int)p->y1, step = top <= 5 ? 1 : (top + 4) / 5;
	char lab[32];

	for (int k = 0; k <= top; k += step) {
		double y = mrm__plot_py(p, k);
		if (k <= 3)
			snprintf(lab, sizeof(lab), "%.*f", k, pow(10, -k));
		else
			snprintf(lab, sizeof(lab), "1e-%d", k);
		mrm__out_printf(d->o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				      "y2=\"%.1f\"/>", p->left, y, p->right, y);
		mrm__svg_text(d->o, p->left - 6, y + 4, "end", "tick", lab, 0);
	}
}

void mrm__dr_chart_column_ts(struct mrm__dr *d, const char *name)
{
	enum { MODE_P, MODE_DIST, MODE_REL } mode = MODE_P;
	size_t n = nwindows(d), i, decided = 0, np = 0;
	double *xs = malloc((n ? n : 1) * sizeof(*xs)), *ys = malloc((n ? n : 1) * sizeof(*ys));
	double *ts = malloc((n ? n : 1) * sizeof(*ts)), lo = 0, hi = 0;
	bool *bad = calloc(n ? n : 1, sizeof(*bad));
	const char *method = NULL, *ylabel;
	struct mrm__plot p = ts_plot(n);
	struct mrm__legend key[3];
	char title[300], desc[700];
	bool same = true;
	int id;

	if (!xs || !ys || !ts || !bad)
		goto out;
	/* Which scale: p-values, one distance, or a mix (then scores relative to their thresholds). */
	for (i = 0; i < n; i++) {
		json_t *c = json_object_get(mrm__json_obj(json_array_get(d->windows, i), "columns"), name);
		const char *m = mrm__json_str(c, "method");
		double s, t;
		bool pb;
		if (!mrm__dr_score(c, &s, &t, &pb))
			continue;
		decided++;
		np += pb;
		if (method && strcmp(method, m))
			same = false;
		method = m;
	}
	mode = np == decided ? MODE_P : np == 0 && same ? MODE_DIST : MODE_REL;
	for (i = 0; i < n; i++) {
		json_t *c = json_object_get(mrm__json_obj(json_array_get(d->windows, i), "columns"), name);
		double s, t;
		bool pb;
		xs[i] = (double)i;
		ys[i] = ts[i] = NAN;
		bad[i] = json_is_true(json_object_get(c, "drifted"));
		if (!mrm__dr_score(c, &s, &t, &pb))
			continue;
		if (mode == MODE_P) {
			ys[i] = s > 0 ? -log10(s) : LOG_P_MAX;
			if (ys[i] > LOG_P_MAX)
				ys[i] = LOG_P_MAX;
			ts[i] = -log10(t);
		} else if (mode == MODE_DIST) {
			ys[i] = s;
			ts[i] = t;
		} else {
			ys[i] = relative(s, t, pb);
			if (ys[i] > 10)
				ys[i] = 10;
			ts[i] = 1;
		}
		if (ys[i] > hi)
			hi = ys[i];
		if (ts[i] > hi)
			hi = ts[i];
		if (ys[i] < lo)
			lo = ys[i];
	}
	if (mode == MODE_P) {
		ylabel = "p-value (log scale)";
		snprintf(title, sizeof(title), "%.200s: p-value per window", name);
		snprintf(desc, sizeof(desc), "The %s p-value of %.200s in each window on a log scale, "
			 "smaller p-values higher; the dashed line is the test's level: points above it "
			 "(orange) drifted.", method ? mrm__dr_method_label(method) : "test", name);
	} else if (mode == MODE_DIST) {
		ylabel = "Score";
		snprintf(title, sizeof(title), "%.200s: %s per window", name,
			 method ? mrm__dr_method_label(method) : "score");
		snprintf(desc, sizeof(desc), "The %s distance of %.200s in each window; the dashed "
			 "line is its threshold: points at or above it (orange) drifted.",
			 method ? mrm__dr_method_label(method) : "", name);
	} else {
		ylabel = "Score \xc3\xb7 threshold";
		snprintf(title, sizeof(title), "%.200s: score relative to its threshold", name);
		snprintf(desc, sizeof(desc), "The windows of %.200s were decided by different tests, so "
			 "each score is drawn relative to its own threshold (1, dashed): a distance "
			 "divided by its threshold, a p-value as log p \xc3\xb7 log level. Points above "
			 "1 (orange) drifted; values above 10 are drawn at 10.", name);
	}
	id = mrm__svg_begin(d->o, 580, 250, title, desc);
	mrm__svg_text(d->o, 8, 16, "start", "panel-title", title, 90);
	if (decided == 0) {
		chart_note(d, &p, "no window has a decision for this column");
		mrm__svg_end(d->o, NULL);
		goto out;
	}
	if (mode == MODE_P) {
		p.y0 = 0;
		p.y1 = ceil(hi) < 1 ? 1 : ceil(hi);
		mrm__svg_axes(d->o, &p, 0, 0, NULL, ylabel);
		logp_ticks(d, &p);
	} else {
		nice_range(lo < 0 ? lo : 0, hi > 0 ? hi : 1, &p.y0, &p.y1);
		mrm__svg_axes(d->o, &p, 0, 5, NULL, ylabel);
	}
	ts_xlabels(d, &p, n);
	mrm__svg_path(d->o, &p, xs, ts, n, true, "thr");
	mrm__svg_path(d->o, &p, xs, ys, n, false, "s1");
	ts_dots(d, &p, ys, bad, n, mode == MODE_P ? "-log10 p" : mode == MODE_DIST ? "score" :
		"score / threshold");
	key[0] = (struct mrm__legend){ MRM__KEY_LINE, "s1", mode == MODE_P ? "p-value" : "score" };
	key[1] = (struct mrm__legend){ MRM__KEY_DOT, "dot2", "drifted" };
	key[2] = (struct mrm__legend){ MRM__KEY_LINE, "thr", "threshold" };
	mrm__svg_legend(d->o, id, p.right + 12, p.top, key, 3);
	mrm__svg_end(d->o, NULL);
out:
	free(xs);
	free(ys);
	free(ts);
	free(bad);
}

/* A metric of one window: a number, or {"value": X, "warn": W, "alert": A}. */
static double metric_of(json_t *w, const char *name, const char *part)
{
	json_t *m = json_object_get(mrm__json_obj(w, "metrics"), name);
	double x;

	if (!part)
		return mrm__json_number(m, &x) || mrm__json_num(m, "value", &x) ? x : NAN;
	return mrm__json_num(m, part, &x) ? x : NAN;
}

void mrm__dr_chart_metric_ts(struct mrm__dr *d, const char *name)
{
	size_t n = nwindows(d), i, nwarn = 0, nalert = 0, nval = 0, nkey = 0;
	double *xs = malloc((n ? n : 1) * sizeof(*xs)), *ys = malloc((n ? n : 1) * sizeof(*ys));
	double *wa = malloc((n ? n : 1) * sizeof(*wa)), *al = malloc((n ? n : 1) * sizeof(*al));
	bool *bad = calloc(n ? n : 1, sizeof(*bad));
	double lo = INFINITY, hi = -INFINITY;
	struct mrm__plot p = ts_plot(n);
	struct mrm__legend key[4];
	char title[300], desc[600];
	int id;

	if (!xs || !ys || !wa || !al || !bad)
		goto out;
	for (i = 0; i < n; i++) {
		json_t *w = json_array_get(d->windows, i);
		double v[3];
		xs[i] = (double)i;
		ys[i] = v[0] = metric_of(w, name, NULL);
		wa[i] = v[1] = metric_of(w, name, "warn");
		al[i] = v[2] = metric_of(w, name, "alert");
		nval += isfinite(v[0]);
		nwarn += isfinite(v[1]);
		nalert += isfinite(v[2]);
		for (int k = 0; k < 3; k++) {
			if (isfinite(v[k]) && v[k] < lo)
				lo = v[k];
			if (isfinite(v[k]) && v[k] > hi)
				hi = v[k];
		}
	}
	/*
	 * Which side is bad follows from the levels: an alert below the warn
	 * level (a falling accuracy) or above it (a rising error rate).
	 */
	for (i = 0; i < n; i++)
		if (isfinite(wa[i]) && isfinite(al[i]) && wa[i] != al[i] && isfinite(ys[i]))
			bad[i] = al[i] < wa[i] ? ys[i] <= al[i] : ys[i] >= al[i];
	snprintf(title, sizeof(title), "%.200s per window", name);
	snprintf(desc, sizeof(desc), "%.200s in each window%s.", name,
		 nwarn || nalert ? ", with its warn (dashed) and alert (dotted, orange) thresholds; "
				   "windows past the alert level are orange" : "");
	id = mrm__svg_begin(d->o, 580, 250, title, desc);
	mrm__svg_text(d->o, 8, 16, "start", "panel-title", title, 90);
	if (nval == 0) {
		chart_note(d, &p, "no window has a value");
		mrm__svg_end(d->o, NULL);
		goto out;
	}
	nice_range(lo, hi, &p.y0, &p.y1);
	mrm__svg_axes(d->o, &p, 0, 5, NULL, name);
	ts_xlabels(d, &p, n);
	if (nwarn)
		mrm__svg_path(d->o, &p, xs, wa, n, true, "thr");
	if (nalert)
		mrm__svg_path(d->o, &p, xs, al, n, true, "thr2");
	mrm__svg_path(d->o, &p, xs, ys, n, false, "s1");
	ts_dots(d, &p, ys, bad, n, name);
	key[nkey++] = (struct mrm__legend){ MRM__KEY_LINE, "s1", "value" };
	if (nwarn && nalert)
		key[nkey++] = (struct mrm__legend){ MRM__KEY_DOT, "dot2", "past alert" };
	if (nwarn)
		key[nkey++] = (struct mrm__legend){ MRM__KEY_LINE, "thr", "warn" };
	if (nalert)
		key[nkey++] = (struct mrm__legend){ MRM__KEY_LINE, "thr2", "alert" };
	mrm__svg_legend(d->o, id, p.right + 12, p.top, key, nkey);
	mrm__svg_end(d->o, NULL);
out:
	free(xs);
	free(ys);
	free(wa);
	free(al);
	free(bad);
}
