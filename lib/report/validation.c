/*
 * The HTML validation report: a plain-language summary, metric tables with
 * intervals, and inline SVG charts, rendered from the JSON result of
 * `mrm validate` alone. This file holds the page's order and its tables;
 * validation-summary.c writes the summary, validation-charts.c the charts.
 * Every section is optional; docs/report.md explains how to read each part.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/validation.h"

static const char *ci_method_of(struct mrm__vr *v, const char *k)
{
	const char *m;

	if (json_is_string(v->ci_method))
		return json_string_value(v->ci_method);
	m = mrm__json_str(v->ci_method, k);
	if (!m)
		m = mrm__json_str(v->ci_method, "default");
	if (!m)
		m = mrm__json_str(v->ci_method, "*");
	return m;
}

static void render_tests(struct mrm__vr *v)
{
	static const char *const head[] = { "Test", "Condition", "#Value", "Result", "Note" };
	json_t *t;
	size_t i;

	puts_(v, "<section id=\"tests\">\n<h2>Tests</h2>\n");
	if (!v->tests) {
		mrm__vr_not_computed(v, "no tests were given (<code>--tests FILE.yaml</code>)");
		puts_(v, "</section>\n");
		return;
	}
	if (v->tests_total == 0) {
		puts_(v, "<p class=\"note\">The tests file held no tests.</p>\n</section>\n");
		return;
	}
	P("<p>%zu of %zu test%s passed.</p>\n", v->tests_total - v->tests_failed - v->tests_na,
	  v->tests_total, v->tests_total == 1 ? "" : "s");
	puts_(v, "<table class=\"tests\">\n");
	mrm__html_thead(v->o, head, NELEM(head));
	puts_(v, "<tbody>\n");
	json_array_foreach(v->tests, i, t) {
		const char *reason = mrm__json_str(t, "reason");
		if (i >= MAX_TESTS) {
			P("<tr><td colspan=\"5\">%zu more tests not shown.</td></tr>\n",
			  json_array_size(v->tests) - i);
			break;
		}
		if (!json_is_object(t))
			continue;
		puts_(v, "<tr>");
		mrm__html_td_text(v->o, mrm__json_str(t, "name"));
		puts_(v, "<td><code>");
		esc(v, mrm__json_str(t, "condition"));
		puts_(v, "</code></td>");
		td_field(v, t, "value", NULL);
		puts_(v, "<td>");
		mrm__html_badge(v->o, mrm__json_pass(json_object_get(t, "passed")));
		puts_(v, "</td>");
		mrm__html_td_text(v->o, reason);
		puts_(v, "</tr>\n");
	}
	puts_(v, "</tbody>\n</table>\n</section>\n");
}

/* One row of the metrics table. */
static void metric_row(struct mrm__vr *v, const char *k, bool method_col)
{
	const char *reason, *m;
	double x, lo = 0, hi = 0;
	bool ok = mrm__json_metric(v->metrics, v->undefined, k, &x, &reason);
	bool have_ci = mrm__json_interval_of(v->ci, k, &lo, &hi);

	puts_(v, "<tr><th scope=\"row\">");
	if (mrm__vr_metric_label(k) != k) {
		esc(v, mrm__vr_metric_label(k));
		puts_(v, " <span class=\"ci\"><code>");
		esc(v, k);
		puts_(v, "</code></span>");
	} else {
		code(v, k);
	}
	puts_(v, "</th>");
	mrm__html_td_metric(v->o, ok, x, reason);
	if (!have_ci && ok && mrm__json_str(v->ci_undef, k)) {
		/* The metric is defined but its interval is not: say why. */
		mrm__html_td_metric(v->o, false, 0, mrm__json_str(v->ci_undef, k));
	} else {
		mrm__vr_td_ci(v, have_ci, lo, hi);
	}
	if (method_col) {
		m = have_ci ? ci_method_of(v, k) : NULL;
		mrm__html_td_text(v->o, m);
	}
	puts_(v, "</tr>\n");
}

static void render_metrics(struct mrm__vr *v)
{
	static const char *const head[] = { "Metric", "#Value", "#95% CI", "Interval method" };
	bool method_col = v->ci_method != NULL;
	const char *k;
	json_t *m;
	size_t rows = 0;

	puts_(v, "<section id=\"metrics\">\n<h2>Metrics</h2>\n");
	if (!json_is_object(v->metrics) || json_object_size(v->metrics) == 0) {
		mrm__vr_not_computed(v, NULL);
		puts_(v, "</section>\n");
		return;
	}
	if (!strcmp(v->task, "binary") && v->has_threshold) {
		puts_(v, "<p class=\"note\">Threshold metrics count a row as a positive prediction when "
			 "its score is at or above ");
		num(v, v->threshold);
		puts_(v, ". A dash marks a metric the data cannot define, with the reason.</p>\n");
	}
	puts_(v, "<table class=\"metrics\">\n");
	mrm__html_thead(v->o, head, method_col ? 4 : 3);
	puts_(v, "<tbody>\n");
	for (size_t i = 0; i < mrm__vr_nmetric_names; i++)
		if (json_object_get(v->metrics, mrm__vr_metric_names[i].key) && rows++ < MAX_METRIC_ROWS)
			metric_row(v, mrm__vr_metric_names[i].key, method_col);
	json_object_foreach(v->metrics, k, m) {
		if (mrm__vr_metric_label(k) != k)
			continue; /* shown above */
		if (rows++ < MAX_METRIC_ROWS)
			metric_row(v, k, method_col);
	}
	puts_(v, "</tbody>\n</table>\n");
	if (rows > MAX_METRIC_ROWS)
		P("<p class=\"note\">%zu more metrics not shown.</p>\n", rows - MAX_METRIC_ROWS);
	if (mrm__json_obj(v->doc, "bootstrap")) {
		json_t *bs = mrm__json_obj(v->doc, "bootstrap");
		double r, seed, level;
		puts_(v, "<p class=\"note\">Bootstrap intervals: ");
		if (mrm__json_num(bs, "replicates", &r)) {
			count(v, r);
			puts_(v, " replicates");
		}
		if (mrm__json_str(bs, "method")) {
			puts_(v, " (");
			esc(v, mrm__json_str(bs, "method"));
			puts_(v, !strcmp(mrm__json_str(bs, "method"), "poisson") ? ": each row weighted by a "
				 "Poisson(1) count, the large-sample equivalent of resampling rows)" : ")");
		}
		if (mrm__json_num(bs, "seed", &seed))
			P(", seed %.0f", seed);
		if (mrm__json_num(bs, "level", &level)) {
			char a[MRM__NUM];
			P(", level %s", mrm__fmt_pct(a, level));
		}
		puts_(v, "; percentile intervals, reproducible with the same seed.</p>\n");
	}
	if (!method_col && json_is_object(v->ci) && json_object_size(v->ci) > 0)
		puts_(v, "<p class=\"note\">Intervals are 95% confidence intervals; the result does not "
			 "record their method (DeLong for ROC AUC unless a bootstrap was asked for).</p>\n");
	puts_(v, "</section>\n");
}

/* The name of class i: "class_names"[i], "classes"[i].class, or its index. */
static const char *class_name(struct mrm__vr *v, size_t i, char *buf, size_t len)
{
	json_t *n = json_array_get(mrm__json_arr(v->doc, "class_names"), i);

	if (json_is_string(n))
		return json_string_value(n);
	n = json_array_get(mrm__json_arr(v->doc, "classes"), i);
	if (mrm__json_str(n, "class"))
		return mrm__json_str(n, "class");
	snprintf(buf, len, "%zu", i);
	return buf;
}

/* A K x K confusion matrix (rows: actual class, columns: predicted) and the per-class table. */
static void render_confusion_multi(struct mrm__vr *v, json_t *cm)
{
	static const char *const head[] = { "Class", "#Support", "#Precision", "#Recall", "#F1" };
	size_t k = json_array_size(cm), i, j;
	char buf[32];
	json_t *c;

	puts_(v, "<h3>Confusion matrix</h3>\n");
	if (k > 50) {
		P("<p class=\"note\">%zu classes: too many to show.</p>\n", k);
	} else {
		puts_(v, "<p class=\"note\">Rows are the actual class, columns the predicted one.</p>\n"
			 "<div class=\"scroll\">\n<table class=\"confusion\">\n<thead><tr><td></td>");
		for (j = 0; j < k; j++) {
			puts_(v, "<th scope=\"col\" class=\"num\">");
			esc(v, class_name(v, j, buf, sizeof(buf)));
			puts_(v, "</th>");
		}
		puts_(v, "</tr></thead>\n<tbody>\n");
		for (i = 0; i < k; i++) {
			json_t *row = json_array_get(cm, i);
			puts_(v, "<tr><th scope=\"row\">");
			esc(v, class_name(v, i, buf, sizeof(buf)));
			puts_(v, "</th>");
			for (j = 0; j < k; j++) {
				double x;
				bool ok = mrm__json_number(json_array_get(row, j), &x);
				mrm__html_td_count(v->o, ok, x);
			}
			puts_(v, "</tr>\n");
		}
		puts_(v, "</tbody>\n</table>\n</div>\n");
	}
	if (!mrm__json_arr(v->doc, "classes"))
		return;
	puts_(v, "<table class=\"classes\">\n<caption>Per class</caption>\n");
	mrm__html_thead(v->o, head, NELEM(head));
	puts_(v, "<tbody>\n");
	json_array_foreach(mrm__json_arr(v->doc, "classes"), i, c) {
		if (i >= MAX_BINS)
			break;
		puts_(v, "<tr><th scope=\"row\">");
		esc(v, class_name(v, i, buf, sizeof(buf)));
		puts_(v, "</th>");
		td_field_count(v, c, "support", NULL);
		td_field(v, c, "precision", NULL);
		td_field(v, c, "recall", NULL);
		td_field(v, c, "f1", NULL);
		puts_(v, "</tr>\n");
	}
	puts_(v, "</tbody>\n</table>\n");
}

static void render_confusion(struct mrm__vr *v)
{
	double tn, fp, fn, tp;
	char a[MRM__NUM];

	if (mrm__json_arr(v->doc, "confusion_matrix")) {
		render_confusion_multi(v, mrm__json_arr(v->doc, "confusion_matrix"));
		return;
	}
	if (!v->cm)
		return;
	puts_(v, "<h3>Confusion matrix</h3>\n");
	if (!(mrm__json_num(v->cm, "tn", &tn) && mrm__json_num(v->cm, "fp", &fp) &&
	      mrm__json_num(v->cm, "fn", &fn) &&
	      mrm__json_num(v->cm, "tp", &tp))) {
		mrm__vr_not_computed(v, "the confusion matrix is incomplete");
		return;
	}
	if (v->has_threshold) {
		puts_(v, "<p class=\"note\">At the threshold ");
		num(v, v->threshold);
		puts_(v, ". Percentages are of the actual class (the row).</p>\n");
	}
	puts_(v, "<table class=\"confusion\">\n<thead><tr><td></td>"
		 "<th scope=\"col\" class=\"num\">Predicted negative</th>"
		 "<th scope=\"col\" class=\"num\">Predicted positive</th>"
		 "<th scope=\"col\" class=\"num\">Total</th></tr></thead>\n<tbody>\n");
	P("<tr><th scope=\"row\">Actual negative</th>"
	  "<td class=\"num\">%s <span class=\"ci\">true negatives",
	  mrm__fmt_count(a, tn));
	if (tn + fp > 0)
		P(", %s", mrm__fmt_pct(a, tn / (tn + fp)));
	P("</span></td><td class=\"num\">%s <span class=\"ci\">false positives", mrm__fmt_count(a, fp));
	if (tn + fp > 0)
		P(", %s", mrm__fmt_pct(a, fp / (tn + fp)));
	P("</span></td><td class=\"num\">%s</td></tr>\n", mrm__fmt_count(a, tn + fp));
	P("<tr><th scope=\"row\">Actual positive</th>"
	  "<td class=\"num\">%s <span class=\"ci\">false negatives", mrm__fmt_count(a, fn));
	if (fn + tp > 0)
		P(", %s", mrm__fmt_pct(a, fn / (fn + tp)));
	P("</span></td><td class=\"num\">%s <span class=\"ci\">true positives", mrm__fmt_count(a, tp));
	if (fn + tp > 0)
		P(", %s", mrm__fmt_pct(a, tp / (fn + tp)));
	P("</span></td><td class=\"num\">%s</td></tr>\n", mrm__fmt_count(a, fn + tp));
	P("<tr><th scope=\"row\">Total</th><td class=\"num\">%s</td>", mrm__fmt_count(a, tn + fn));
	P("<td class=\"num\">%s</td>", mrm__fmt_count(a, fp + tp));
	P("<td class=\"num\">%s</td></tr>\n</tbody>\n</table>\n", mrm__fmt_count(a, tn + fp + fn + tp));
}

static void render_curves(struct mrm__vr *v)
{
	bool binary = !strcmp(v->task, "binary");

	puts_(v, "<section id=\"curves\">\n<h2>Ranking: ROC and precision-recall</h2>\n");
	if (!binary && !v->curves) {
		mrm__vr_not_computed(v, "not applicable to this task");
		render_confusion(v);
		puts_(v, "</section>\n");
		return;
	}
	puts_(v, "<div class=\"charts\">\n");
	mrm__vr_chart_roc(v);
	mrm__vr_chart_pr(v);
	puts_(v, "</div>\n");
	render_confusion(v);
	puts_(v, "</section>\n");
}

static void render_calibration(struct mrm__vr *v)
{
	static const char *const head[] = { "#Bin", "#Range", "#Rows", "#Mean predicted",
					    "#Observed rate", "#95% Wilson interval" };
	json_t *c = v->calibration, *b;
	json_t *table = mrm__json_arr(c, "reliability") ? mrm__json_arr(c, "reliability")
							 : mrm__json_arr(c, "table");
	const char *binning = json_is_string(json_object_get(c, "binning")) ?
				      mrm__json_str(c, "binning") : mrm__json_str(mrm__json_obj(c, "binning"), "method");
	bool uniform = binning && (!strcmp(binning, "uniform") || !strcmp(binning, "width") ||
				   !strcmp(binning, "equal-width") || !strcmp(binning, "equal_width"));
	bool quantile = binning && (!strcmp(binning, "quantile") || !strcmp(binning, "count") ||
				    !strcmp(binning, "equal-count") || !strcmp(binning, "equal_count"));
	static const char *const stats[] = { "ece", "mce", "slope", "intercept" };
	static const char *const labels[] = { "ECE", "MCE", "Calibration slope",
					      "Calibration intercept" };
	const char *reason = NULL;
	double x;
	size_t i;

	puts_(v, "<section id=\"calibration\">\n<h2>Calibration</h2>\n");
	if (!c) {
		double e;
		if (!mrm__json_metric(v->metrics, v->undefined, "ece", &e, &reason) &&
		    strcmp(reason, "not computed")) {
			puts_(v, "<p class=\"note\">Not computed: ");
			esc(v, reason);
			puts_(v, ".</p>\n");
		} else {
			mrm__vr_not_computed(v, NULL);
		}
		puts_(v, "</section>\n");
		return;
	}
	if ((reason = mrm__json_str(c, "reason")) && !table) {
		puts_(v, "<p class=\"note\">Not computed: ");
		esc(v, reason);
		puts_(v, ".</p>\n</section>\n");
		return;
	}
	puts_(v, "<p class=\"note\">Scores are cut into bins");
	if (binning) {
		puts_(v, " (");
		esc(v, binning);
		puts_(v, uniform ? ": equal width" : quantile ? ": equal count" : "");
		puts_(v, ")");
	}
	puts_(v, "; in each bin the observed share of positives is compared with the mean score. "
		 "ECE is the row-weighted mean gap, MCE the largest. A slope below 1 means the scores "
		 "are too extreme (overconfident), above 1 too timid.</p>\n");
	puts_(v, "<dl class=\"kv\">");
	for (i = 0; i < NELEM(stats); i++) {
		json_t *e = json_object_get(c, stats[i]);
		char a[MRM__NUM], d[MRM__NUM];
		if (!e)
			continue;
		P("<dt>%s</dt><dd>", labels[i]);
		if (mrm__json_number(e, &x) || (json_is_object(e) && mrm__json_num(e, "value", &x)))
			P("<span title=\"%s\">%s</span>", mrm__fmt_full(a, x), mrm__fmt_metric(d, x));
		else {
			const char *r = json_is_object(e) ? mrm__json_str(e, "reason") : NULL;
			if (!r)
				r = mrm__json_str(v->undefined, i < 2 ? stats[i] : i == 2 ? "calibration_slope" :
							 "calibration_intercept");
			if (!r)
				r = mrm__json_str(c, i < 2 ? "reason" : "fit_reason");
			puts_(v, MRM__DASH " ");
			esc(v, r ? r : "undefined for these data");
		}
		puts_(v, "</dd>");
	}
	puts_(v, "</dl>\n");
	if (!table || json_array_size(table) == 0) {
		mrm__vr_not_computed(v, "no reliability table in the result");
		puts_(v, "</section>\n");
		return;
	}
	puts_(v, "<div class=\"pair\">\n");
	mrm__vr_chart_reliability(v, table, uniform);
	puts_(v, "<div>\n<table class=\"reliability\">\n");
	mrm__html_thead(v->o, head, NELEM(head));
	puts_(v, "<tbody>\n");
	json_array_foreach(table, i, b) {
		struct mrm__vr_bin r;
		char a[MRM__NUM], d[MRM__NUM];
		if (i >= MAX_BINS)
			break;
		mrm__vr_read_bin(b, &r, i, json_array_size(table), uniform);
		P("<tr><td class=\"num\">%zu</td>", i + 1);
		if (r.have_edges)
			P("<td class=\"num\">%s \xe2\x80\x93 %s</td>", mrm__fmt_short(a, r.lower),
			  mrm__fmt_short(d, r.upper));
		else
			puts_(v, "<td class=\"num\">" MRM__DASH "</td>");
		mrm__html_td_count(v->o, true, r.count);
		mrm__html_td_metric(v->o, r.have_pred, r.pred, r.count > 0 ? NULL : "empty");
		mrm__html_td_metric(v->o, r.have_obs, r.obs, NULL);
		mrm__vr_td_ci(v, r.have_ci, r.lo, r.hi);
		puts_(v, "</tr>\n");
	}
	puts_(v, "</tbody>\n</table>\n</div>\n</div>\n</section>\n");
}

static void render_scores(struct mrm__vr *v)
{
	json_t *hist = mrm__json_obj(v->curves, "score_hist");

	puts_(v, "<section id=\"scores\">\n<h2>Score distribution by class</h2>\n");
	if (!hist)
		mrm__vr_not_computed(v, !strcmp(v->task, "binary") ? NULL : "not applicable to this task");
	else
		mrm__vr_chart_scores(v, hist);
	puts_(v, "</section>\n");
}

/* A score: whole numbers as they are (a decile "7"), others with 4 decimals. */
static const char *fmt_score(char *buf, double x)
{
	if (x == floor(x) && fabs(x) < 1e15) {
		snprintf(buf, MRM__NUM, "%.0f", x);
		return buf;
	}
	return mrm__fmt_metric(buf, x);
}

static void render_lift(struct mrm__vr *v)
{
	static const char *const head[] = { "#Bin", "#Rows", "#Positives", "#Rate", "#Lift",
					    "#Cumulative gain", "#Cumulative lift", "#Scores" };
	json_t *b;
	size_t i;

	puts_(v, "<section id=\"lift\">\n<h2>Lift and gain</h2>\n");
	if (!v->lift || json_array_size(v->lift) == 0) {
		mrm__vr_not_computed(v, !strcmp(v->task, "binary") ? NULL : "not applicable to this task");
		puts_(v, "</section>\n");
		return;
	}
	puts_(v, "<p class=\"note\">Rows sorted by score, highest first, cut into bins of equal size "
		 "(bin 1 holds the highest scores). Lift is the bin&#39;s positive rate over the "
		 "overall rate; cumulative gain the share of all positives in this bin and those "
		 "above it. Tied scores that straddle a cut are shared between the two bins, so "
		 "counts can be fractional.</p>\n<div class=\"pair\">\n<div>\n<table class=\"lift\">\n");
	mrm__html_thead(v->o, head, NELEM(head));
	puts_(v, "<tbody>\n");
	json_array_foreach(v->lift, i, b) {
		double x, lo, hi;
		char a[MRM__NUM], c[MRM__NUM];
		if (i >= MAX_BINS)
			break;
		if (mrm__json_num2(b, "decile", "bin", &x))
			P("<tr><td class=\"num\">%s</td>", mrm__fmt_count(a, x));
		else
			P("<tr><td class=\"num\">%zu</td>", i + 1);
		if (!mrm__json_num2(b, "n", "weight", &x) && !mrm__json_num(b, "rows", &x))
			x = NAN;
		mrm__html_td_count(v->o, isfinite(x), x);
		td_field_count(v, b, "positives", NULL);
		td_field(v, b, "rate", NULL);
		td_field(v, b, "lift", NULL);
		td_field(v, b, "cumulative_gain", "cum_gain");
		td_field(v, b, "cumulative_lift", "cum_lift");
		if (mrm__json_num(b, "min_score", &lo) && mrm__json_num(b, "max_score", &hi))
			P("<td class=\"num\">%s \xe2\x80\x93 %s</td>", fmt_score(a, lo),
			  fmt_score(c, hi));
		else
			puts_(v, "<td class=\"num\">" MRM__DASH "</td>");
		puts_(v, "</tr>\n");
	}
	puts_(v, "</tbody>\n</table>\n</div>\n");
	mrm__vr_chart_gain(v, v->lift);
	puts_(v, "</div>\n</section>\n");
}

static int by_n_desc(const void *a, const void *b)
{
	const struct mrm__vr_slice *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int by_order(const void *a, const void *b)
{
	const struct mrm__vr_slice *x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

/* The slices of a column, at most max of them (the largest), in document order. */
static size_t slices_of(json_t *gs, struct mrm__vr_slice **out, size_t max, size_t *total)
{
	size_t n = 0, cap = json_object_size(gs);
	const char *k;
	json_t *g;
	struct mrm__vr_slice *s;

	*out = NULL;
	*total = 0;
	if (cap == 0)
		return 0;
	s = calloc(cap, sizeof(*s));
	if (!s)
		return 0;
	json_object_foreach(gs, k, g) {
		if (!json_is_object(g))
			continue;
		s[n] = (struct mrm__vr_slice){ k, g, mrm__vr_slice_n(g), n };
		n++;
	}
	*total = n;
	if (n > max) {
		qsort(s, n, sizeof(*s), by_n_desc);
		n = max;
		qsort(s, n, sizeof(*s), by_order);
	}
	*out = s;
	return n;
}

/* Columns of a slice table, in this order when present. */
static const char *const slice_columns[] = {
	"roc_auc", "selection_rate", "tpr", "recall", "fpr", "fnr", "precision", "base_rate",
	"accuracy",
};

static void table_slices(struct mrm__vr *v, const char *col, struct mrm__vr_slice *s, size_t n,
			 size_t total)
{
	const char *cols[MAX_SLICE_COLUMNS];
	size_t nc = 0, i, j, nsmall = 0;
	json_t *seen = json_object();
	double x, lo, hi;
	const char *k, *reason;
	json_t *m;

	/* Metric columns: the fairness rates first, then the others the slices have. */
	for (j = 0; j < NELEM(slice_columns) && nc < MAX_SLICE_COLUMNS; j++)
		for (i = 0; i < n; i++)
			if (json_object_get(mrm__json_obj(s[i].g, "metrics"), slice_columns[j])) {
				cols[nc++] = slice_columns[j];
				json_object_set_new(seen, slice_columns[j], json_true());
				break;
			}
	for (i = 0; i < n && seen; i++)
		json_object_foreach(mrm__json_obj(s[i].g, "metrics"), k, m)
			if (nc < MAX_SLICE_COLUMNS && !json_object_get(seen, k)) {
				json_object_set_new(seen, k, json_true());
				cols[nc++] = k;
			}
	P("<div class=\"scroll\">\n<table class=\"slices\">\n<caption>Slices of <code>");
	esc(v, col);
	puts_(v, "</code></caption>\n<thead><tr><th scope=\"col\">Value</th>"
		 "<th scope=\"col\" class=\"num\">Rows</th><th scope=\"col\" class=\"num\">Positives</th>");
	for (j = 0; j < nc; j++) {
		puts_(v, "<th scope=\"col\" class=\"num\"><abbr title=\"");
		esc(v, mrm__vr_metric_label(cols[j]));
		puts_(v, "\">");
		esc(v, mrm__vr_short_label(cols[j]));
		puts_(v, "</abbr></th>");
	}
	puts_(v, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < n; i++) {
		const char *small = mrm__vr_slice_small(s[i].g);
		char a[MRM__NUM], b[MRM__NUM];
		if (small)
			nsmall++;
		P("<tr%s><th scope=\"row\">", small ? " class=\"small-slice\"" : "");
		esc(v, s[i].name);
		if (small) {
			puts_(v, "<span class=\"tag\" title=\"");
			esc(v, small);
			puts_(v, "\">small</span>");
		}
		puts_(v, "</th>");
		td_field_count(v, s[i].g, "n", "rows");
		td_field_count(v, s[i].g, "positives", NULL);
		for (j = 0; j < nc; j++) {
			json_t *gm = mrm__json_obj(s[i].g, "metrics");
			bool ok = mrm__json_metric(gm, mrm__json_obj(s[i].g, "undefined"), cols[j], &x,
						   &reason);
			if (!ok) {
				mrm__html_td_metric(v->o, false, x, reason);
				continue;
			}
			P("<td class=\"num\" title=\"%s\">%s", mrm__fmt_full(a, x), mrm__fmt_metric(b, x));
			if (mrm__vr_slice_ci(s[i].g, cols[j], &lo, &hi))
				P("<span class=\"ci\">%s \xe2\x80\x93 %s</span>", mrm__fmt_metric(a, lo),
				  mrm__fmt_metric(b, hi));
			puts_(v, "</td>");
		}
		puts_(v, "</tr>\n");
	}
	puts_(v, "</tbody>\n</table>\n</div>\n");
	if (nsmall > 0)
		puts_(v, "<p class=\"note\">Slices marked <span class=\"tag\">small</span> are too "
			 "small to support a conclusion (hover the mark for the counts; the Warnings "
			 "section lists them).</p>\n");
	if (total > n)
		P("<p class=\"note\">%zu slices in all; the %zu largest are shown.</p>\n", total, n);
	json_decref(seen);
}

static void table_fairness(struct mrm__vr *v, const char *col, json_t *f)
{
	static const char *const head[] = { "Disparity", "#Value", "#Threshold", "Source", "Status" };
	const char *reason, *worst = mrm__json_str(f, "worst_group");
	char op[3], a[MRM__NUM];
	bool from_test;
	double x, t;
	size_t i;

	puts_(v, "<table class=\"fairness\">\n<caption>Disparities across <code>");
	esc(v, col);
	puts_(v, "</code>");
	if (mrm__json_num(f, "groups", &x)) {
		puts_(v, " (");
		count(v, x);
		puts_(v, " groups");
		if (mrm__json_num(f, "small_groups", &t) && t > 0) {
			puts_(v, ", ");
			count(v, t);
			puts_(v, " flagged small");
		}
		puts_(v, ")");
	}
	puts_(v, "</caption>\n");
	mrm__html_thead(v->o, head, NELEM(head));
	puts_(v, "<tbody>\n");
	for (i = 0; i < mrm__vr_ndisparities; i++) {
		const struct mrm__vr_disparity *d = &mrm__vr_disparities[i];
		bool ok;
		if (!json_object_get(f, d->key))
			continue;
		t = mrm__vr_disparity_threshold(v, col, d, &from_test, op);
		P("<tr><th scope=\"row\">%s</th>", d->label);
		ok = mrm__json_metric(f, mrm__json_obj(f, "undefined"), d->key, &x, &reason);
		mrm__html_td_metric(v->o, ok, x, reason);
		P("<td class=\"num\">%s %s</td>", !strcmp(op, ">") ? "&gt;" : !strcmp(op, "<") ?
		  "&lt;" : mrm__vr_op_text(op), mrm__fmt_short(a, t));
		puts_(v, from_test ? "<td>test</td>" : d->ratio ? "<td>convention (four-fifths rule)</td>" :
				     "<td>convention</td>");
		puts_(v, "<td>");
		if (ok)
			mrm__html_badge(v->o, mrm__vr_meets(x, op, t));
		else
			mrm__html_badge(v->o, -1);
		puts_(v, "</td></tr>\n");
	}
	puts_(v, "</tbody>\n</table>\n");
	if (worst) {
		puts_(v, "<p>Worst group: &#39;");
		esc(v, worst);
		puts_(v, "&#39;.</p>\n");
	}
	if (mrm__json_obj(f, "worst")) {
		static const struct mrm__vr_name w[] = {
			{ "selection_rate", "lowest selection rate" }, { "tpr", "lowest true positive rate" },
			{ "fpr", "highest false positive rate" },
		};
		bool first = true;
		for (i = 0; i < NELEM(w); i++) {
			const char *g = mrm__json_str(mrm__json_obj(f, "worst"), w[i].key);
			if (!g)
				continue;
			P("%s%s: &#39;", first ? "<p>Worst groups: " : "; ", w[i].label);
			esc(v, g);
			puts_(v, "&#39;");
			first = false;
		}
		if (!first)
			puts_(v, ".</p>\n");
	}
}

static void render_groups(struct mrm__vr *v)
{
	const char *col;
	json_t *gs, *f;
	size_t ncols = 0;

	puts_(v, "<section id=\"slices\">\n<h2>Slices and fairness</h2>\n");
	if (!v->groups && !v->fairness) {
		mrm__vr_not_computed(v, "no group column was given (<code>--group COL</code>)");
		puts_(v, "</section>\n");
		return;
	}
	puts_(v, "<p class=\"note\">Each slice is a value of a group column. Points are estimates, "
		 "whiskers 95% intervals; a slice with fewer than 30 rows or fewer than 5 of a class "
		 "is flagged small: its numbers are shown but do not support a conclusion. "
		 "Disparities are Fairlearn&#39;s between-group differences (largest minus smallest "
		 "group rate) and ratios (smallest over largest). The thresholds drawn are "
		 "conventions, not laws: 0.8 for ratios is the four-fifths rule of the US EEOC "
		 "Uniform Guidelines, 0.1 for differences a common rule of thumb; a test on a "
		 "disparity replaces them with its own.</p>\n");
	json_object_foreach(v->groups, col, gs) {
		struct mrm__vr_slice *s = NULL;
		size_t total, n;
		json_t *w = mrm__json_obj(v->worst, col);
		if (!json_is_object(gs))
			continue;
		if (ncols++ >= MAX_GROUP_COLUMNS) {
			P("<p class=\"note\">%zu more group columns not shown.</p>\n",
			  json_object_size(v->groups) - MAX_GROUP_COLUMNS);
			break;
		}
		puts_(v, "<h3>By <code>");
		esc(v, col);
		puts_(v, "</code></h3>\n");
		if (w && (mrm__json_str(w, "slice") || mrm__json_str(w, "value"))) {
			puts_(v, "<p>Worst slice: ");
			mrm__vr_worst_phrase(v, w);
			puts_(v, ".</p>\n");
		} else if (w && mrm__json_str(w, "reason")) {
			puts_(v, "<p>Worst slice: none (");
			esc(v, mrm__json_str(w, "reason"));
			puts_(v, ").</p>\n");
		}
		n = slices_of(gs, &s, MAX_CHART_SLICES, &total);
		mrm__vr_chart_slices(v, col, s, n, total);
		free(s);
		n = slices_of(gs, &s, MAX_SLICE_ROWS, &total);
		table_slices(v, col, s, n, total);
		free(s);
		f = mrm__json_obj(v->fairness, col);
		if (f) {
			mrm__vr_chart_fairness(v, col, f);
			table_fairness(v, col, f);
		} else {
			puts_(v, "<p class=\"note\">Disparities not computed for this column.</p>\n");
		}
	}
	/* Fairness for columns without slice tables. */
	json_object_foreach(v->fairness, col, f) {
		if (mrm__json_obj(v->groups, col) || !json_is_object(f) || ncols++ >= MAX_GROUP_COLUMNS)
			continue;
		puts_(v, "<h3>By <code>");
		esc(v, col);
		puts_(v, "</code></h3>\n");
		mrm__vr_chart_fairness(v, col, f);
		table_fairness(v, col, f);
	}
	puts_(v, "</section>\n");
}

/* True if every element of the array is a string, number or boolean. */
static bool scalars(json_t *a)
{
	size_t i;
	json_t *e;

	json_array_foreach(a, i, e)
		if (!json_is_string(e) && !json_is_number(e) && !json_is_boolean(e))
			return false;
	return true;
}

/* A JSON value shown inline: strings escaped, numbers formatted, the rest as compact JSON. */
static void inline_value(struct mrm__vr *v, json_t *x)
{
	double d;

	if (json_is_string(x)) {
		mrm__html_esc(v->o, json_string_value(x), MAX_LONG_TEXT);
	} else if (json_is_integer(x)) {
		P("%lld", (long long)json_integer_value(x));
	} else if (mrm__json_number(x, &d)) {
		num(v, d);
	} else if (json_is_boolean(x)) {
		puts_(v, json_is_true(x) ? "yes" : "no");
	} else if (json_is_null(x) || !x) {
		puts_(v, MRM__DASH);
	} else if (json_is_array(x) && json_array_size(x) <= 50 && scalars(x)) {
		size_t i;
		json_t *e;
		json_array_foreach(x, i, e) {
			puts_(v, i ? ", " : "");
			inline_value(v, e);
		}
	} else {
		char *s = json_dumps(x, JSON_COMPACT);
		puts_(v, "<code>");
		mrm__html_esc(v->o, s, MAX_LONG_TEXT);
		puts_(v, "</code>");
		free(s);
	}
}

static void kv_list(struct mrm__vr *v, json_t *o)
{
	const char *k;
	json_t *x;
	size_t i = 0;

	puts_(v, "<dl class=\"kv\">");
	json_object_foreach(o, k, x) {
		if (i++ >= 100) {
			puts_(v, "<dt>\xe2\x80\xa6</dt><dd>more not shown</dd>");
			break;
		}
		puts_(v, "<dt>");
		esc(v, k);
		puts_(v, "</dt><dd>");
		inline_value(v, x);
		puts_(v, "</dd>");
	}
	puts_(v, "</dl>\n");
}

/* The paired differences of other metrics: {"metric": {"champion", "challenger", "difference", "ci"}}. */
static void comparison_metrics(struct mrm__vr *v, json_t *per)
{
	static const char *const head[] = { "Metric", "#Champion", "#Challenger",
					    "#Difference", "#95% CI of the difference" };
	const char *k;
	json_t *e;
	double lo, hi;

	puts_(v, "<h3>Other metrics, paired</h3>\n<p class=\"note\">Challenger minus champion on "
		 "the same rows");
	if (mrm__json_num(v->comparison, "bootstrap_replicates", &lo)) {
		puts_(v, "; intervals from ");
		count(v, lo);
		puts_(v, " paired bootstrap replicates (both models see the same resampled rows)");
	}
	puts_(v, ".</p>\n<div class=\"scroll\">\n<table class=\"comparison-metrics\">\n");
	mrm__html_thead(v->o, head, NELEM(head));
	puts_(v, "<tbody>\n");
	json_object_foreach(per, k, e) {
		if (!json_is_object(e))
			continue;
		puts_(v, "<tr><th scope=\"row\">");
		esc(v, mrm__vr_metric_label(k));
		puts_(v, "</th>");
		td_field(v, e, "champion", NULL);
		td_field(v, e, "challenger", NULL);
		td_field(v, e, "difference", NULL);
		mrm__vr_td_ci(v, mrm__json_interval(json_object_get(e, "ci"), &lo, &hi), lo, hi);
		puts_(v, "</tr>\n");
	}
	puts_(v, "</tbody>\n</table>\n</div>\n");
}

static void render_comparison(struct mrm__vr *v)
{
	static const char *const head[] = { "Quantity", "#Value" };
	static const char *const keys[] = { "roc_auc_champion", "roc_auc_challenger",
					    "roc_auc_difference", "se", "z" };
	static const char *const labels[] = { "ROC AUC, champion", "ROC AUC, challenger",
					      "Difference (challenger \xe2\x88\x92 champion)",
					      "Standard error of the difference",
					      "z (DeLong; sign of champion \xe2\x88\x92 challenger, as pROC)" };
	static const char *const known[] = { "champion", "challenger", "roc_auc_champion",
					     "roc_auc_challenger", "roc_auc_difference", "ci", "z",
					     "se", "p_value", "method", "metrics", "undefined",
					     "bootstrap_replicates", "reason" };
	json_t *c = v->comparison, *x, *undef = mrm__json_obj(c, "undefined"), *rest;
	const char *k, *reason;
	double d, lo = 0, hi = 0;
	char a[MRM__NUM], b[MRM__NUM];
	size_t i;

	puts_(v, "<section id=\"comparison\">\n<h2>Champion vs challenger</h2>\n");
	if (!c) {
		mrm__vr_not_computed(v, "no champion was given (<code>--champion COL</code>)");
		puts_(v, "</section>\n");
		return;
	}
	puts_(v, "<p>");
	if (mrm__json_str(c, "challenger")) {
		puts_(v, "Challenger ");
		code(v, mrm__json_str(c, "challenger"));
	}
	if (mrm__json_str(c, "champion")) {
		puts_(v, " against champion ");
		code(v, mrm__json_str(c, "champion"));
	}
	puts_(v, ", on the same rows. The test is paired: both scores rank the same rows, so the "
		 "difference is far more precise than two separate intervals suggest.</p>\n");
	puts_(v, "<table class=\"comparison\">\n");
	mrm__html_thead(v->o, head, 2);
	puts_(v, "<tbody>\n");
	for (i = 0; i < NELEM(keys); i++) {
		bool ok;
		if (!json_object_get(c, keys[i]))
			continue;
		P("<tr><th scope=\"row\">%s</th>", labels[i]);
		ok = mrm__json_metric(c, undef, keys[i], &d, &reason);
		mrm__html_td_metric(v->o, ok, d, reason);
		puts_(v, "</tr>\n");
	}
	if (json_object_get(c, "ci")) {
		bool ok = mrm__json_interval(json_object_get(c, "ci"), &lo, &hi);
		puts_(v, "<tr><th scope=\"row\">95% CI of the difference</th>");
		mrm__vr_td_ci(v, ok, lo, hi);
		puts_(v, "</tr>\n");
	}
	if (json_object_get(c, "p_value")) {
		puts_(v, "<tr><th scope=\"row\">p-value (two-sided)</th>");
		if (mrm__json_num(c, "p_value", &d)) {
			P("<td class=\"num\" title=\"%s\">%s</td>", mrm__fmt_full(a, d), mrm__fmt_p(b, d));
		} else {
			mrm__json_metric(c, undef, "p_value", &d, &reason);
			mrm__html_td_metric(v->o, false, 0, reason);
		}
		puts_(v, "</tr>\n");
	}
	if (mrm__json_str(c, "method")) {
		const char *m = mrm__json_str(c, "method");
		puts_(v, "<tr><th scope=\"row\">Method</th>");
		mrm__html_td_text(v->o, !strcmp(m, "delong") ? "paired DeLong test (DeLong 1988; pROC "
				  "roc.test)" : m);
		puts_(v, "</tr>\n");
	}
	puts_(v, "</tbody>\n</table>\n");
	if (mrm__json_str(c, "reason")) {
		puts_(v, "<p class=\"note\">");
		esc(v, mrm__json_str(c, "reason"));
		puts_(v, "</p>\n");
	}
	if (mrm__json_obj(c, "metrics") && json_object_size(mrm__json_obj(c, "metrics")) > 0)
		comparison_metrics(v, mrm__json_obj(c, "metrics"));
	/* Anything else the comparison holds. */
	rest = json_object();
	json_object_foreach(c, k, x) {
		bool skip = false;
		for (i = 0; i < NELEM(known); i++)
			if (!strcmp(k, known[i]))
				skip = true;
		if (!skip && rest)
			json_object_set(rest, k, x);
	}
	if (rest && json_object_size(rest) > 0) {
		puts_(v, "<h3>Other results of the comparison</h3>\n");
		kv_list(v, rest);
	}
	json_decref(rest);
	puts_(v, "</section>\n");
}

static void render_data(struct mrm__vr *v)
{
	json_t *data = mrm__json_obj(v->doc, "data"), *opt = mrm__json_obj(v->doc, "options");
	json_t *ex = json_object_get(v->doc, "excluded"), *w = mrm__json_arr(v->doc, "warnings"), *x;
	size_t i;

	puts_(v, "<section id=\"warnings\">\n<h2>Warnings</h2>\n");
	if (!w || json_array_size(w) == 0) {
		puts_(v, "<p class=\"note\">None.</p>\n");
	} else {
		puts_(v, "<ul>\n");
		json_array_foreach(w, i, x) {
			if (i >= MAX_WARNINGS) {
				P("<li>%zu more not shown.</li>\n", json_array_size(w) - i);
				break;
			}
			puts_(v, "<li>");
			inline_value(v, x);
			puts_(v, "</li>\n");
		}
		puts_(v, "</ul>\n");
	}
	puts_(v, "</section>\n<section id=\"data\">\n<h2>Data and options</h2>\n");
	puts_(v, "<dl class=\"kv\">");
	if (data) {
		const char *k;
		json_object_foreach(data, k, x) {
			puts_(v, "<dt>");
			esc(v, !strcmp(k, "sha256") ? "SHA-256" : k);
			puts_(v, "</dt><dd>");
			if (json_is_string(x)) {
				puts_(v, "<code>");
				mrm__html_esc(v->o, json_string_value(x), MAX_LONG_TEXT);
				puts_(v, "</code>");
			} else {
				inline_value(v, x);
			}
			puts_(v, "</dd>");
		}
	}
	if (v->has_rows) {
		puts_(v, "<dt>rows</dt><dd>");
		count(v, v->rows);
		puts_(v, "</dd>");
	}
	if (v->has_pos) {
		puts_(v, "<dt>positives</dt><dd>");
		count(v, v->positives);
		puts_(v, "</dd>");
	}
	if (v->has_threshold) {
		puts_(v, "<dt>threshold</dt><dd>");
		num(v, v->threshold);
		puts_(v, " (predicted positive when score &ge; threshold)</dd>");
	}
	puts_(v, "<dt>task</dt><dd>");
	esc(v, v->task);
	puts_(v, "</dd>");
	if (ex) {
		puts_(v, "<dt>excluded</dt><dd>");
		if (json_is_object(ex)) {
			const char *k;
			bool first = true;
			json_object_foreach(ex, k, x) {
				puts_(v, first ? "" : "; ");
				esc(v, k);
				puts_(v, ": ");
				inline_value(v, x);
				first = false;
			}
			if (first)
				puts_(v, "none");
		} else {
			inline_value(v, ex);
		}
		puts_(v, "</dd>");
	}
	puts_(v, "</dl>\n");
	if (opt) {
		puts_(v, "<h3>Options</h3>\n");
		kv_list(v, opt);
	}
	puts_(v, "</section>\n");
}

static void render_header(struct mrm__vr *v)
{
	static const struct mrm__vr_name toc[] = {
		{ "summary", "Summary" }, { "tests", "Tests" }, { "metrics", "Metrics" },
		{ "curves", "ROC and PR" }, { "calibration", "Calibration" },
		{ "scores", "Scores" }, { "lift", "Lift" }, { "slices", "Slices and fairness" },
		{ "comparison", "Champion vs challenger" }, { "warnings", "Warnings" },
		{ "data", "Data" },
	};
	json_t *model = json_object_get(v->doc, "model");
	const char *mid = json_is_object(model) ? mrm__json_str(model, "id")
						: mrm__json_str(v->doc, "model");
	const char *ver = json_is_object(model) ? mrm__json_str(model, "version") : NULL;
	const char *path = mrm__json_str(mrm__json_obj(v->doc, "data"), "path");

	puts_(v, "<header>\n<h1>Validation report</h1>\n<p class=\"meta\">");
	if (mid) {
		puts_(v, "Model ");
		code(v, mid);
		if (ver) {
			puts_(v, " version ");
			code(v, ver);
		}
		puts_(v, " \xc2\xb7 ");
	}
	if (path) {
		puts_(v, "data ");
		code(v, path);
		puts_(v, " \xc2\xb7 ");
	}
	puts_(v, "task ");
	esc(v, v->task);
	puts_(v, " \xc2\xb7 rendered by mrm from the result of <code>mrm validate</code></p>\n");
	puts_(v, "<nav class=\"toc\">");
	for (size_t i = 0; i < NELEM(toc); i++)
		P("<a href=\"#%s\">%s</a>", toc[i].key, toc[i].label);
	puts_(v, "</nav>\n</header>\n");
}

static void render_footer(struct mrm__vr *v)
{
	puts_(v, "<footer>\n<p class=\"note\">Numbers in tables have 4 decimals; hover for full "
		 "precision. Intervals are 95%. Thresholds drawn on the fairness charts are "
		 "conventions (0.8 for ratios, the four-fifths rule; 0.1 for differences) unless a "
		 "test sets its own. A dash marks a number the data cannot define; the reason is given "
		 "beside it. This page is self-contained: no scripts, fonts or network.</p>\n"
		 "</footer>\n");
}

/* Counts the tests, failed ones and those that could not be evaluated. */
static void count_tests(struct mrm__vr *v)
{
	json_t *t;
	size_t i;

	json_array_foreach(v->tests, i, t) {
		int p;
		if (!json_is_object(t))
			continue;
		v->tests_total++;
		p = mrm__json_pass(json_object_get(t, "passed"));
		if (p == 0)
			v->tests_failed++;
		else if (p < 0)
			v->tests_na++;
	}
}

int mrm_report_validation_html(json_t *result, mrm_sink_fn sink, void *arg,
			       struct mrm_error *err)
{
	struct mrm__out *o;
	struct mrm__vr v = { 0 };
	char title[512];
	const char *mid;
	json_t *model;
	int rc;

	if (!json_is_object(result))
		return mrm_error_set(err, MRM_EINPUT, "validation result: expected a JSON object");
	if (!sink)
		return mrm_error_set(err, MRM_EINPUT, "validation report: no sink");
	o = malloc(sizeof(*o));
	if (!o)
		return mrm_error_set(err, MRM_EINPUT, "validation report: out of memory");
	mrm__out_init(o, sink, arg);
	v.o = o;
	v.doc = result;
	v.metrics = mrm__json_obj(result, "metrics");
	v.ci = mrm__json_obj(result, "ci");
	v.ci_undef = mrm__json_obj(result, "ci_undefined");
	v.undefined = mrm__json_obj(result, "undefined");
	v.ci_method = json_object_get(result, "ci_method");
	if (!json_is_string(v.ci_method) && !json_is_object(v.ci_method))
		v.ci_method = NULL;
	v.groups = mrm__json_obj(result, "groups");
	v.fairness = mrm__json_obj(result, "fairness");
	v.worst = mrm__json_obj(result, "worst_slice");
	v.tests = mrm__vr_tests_array(result);
	v.comparison = mrm__json_obj(result, "comparison");
	v.calibration = mrm__json_obj(result, "calibration");
	v.curves = mrm__json_obj(result, "curves");
	v.lift = mrm__json_arr(result, "lift");
	v.cm = mrm__json_obj(result, "confusion_matrix");
	v.task = mrm__json_str(result, "task") ? mrm__json_str(result, "task") : "binary";
	v.has_threshold = mrm__json_num(result, "threshold", &v.threshold);
	v.has_rows = mrm__json_num(result, "rows", &v.rows);
	v.has_pos = mrm__json_num(result, "positives", &v.positives);
	count_tests(&v);

	model = json_object_get(result, "model");
	mid = json_is_object(model) ? mrm__json_str(model, "id") : mrm__json_str(result, "model");
	snprintf(title, sizeof(title), "Validation report%s%.200s", mid ? ": " : "", mid ? mid : "");
	mrm__html_begin(o, title, NULL);
	render_header(&v);
	mrm__vr_render_summary(&v);
	render_tests(&v);
	render_metrics(&v);
	render_curves(&v);
	render_calibration(&v);
	render_scores(&v);
	render_lift(&v);
	render_groups(&v);
	render_comparison(&v);
	render_data(&v);
	render_footer(&v);
	mrm__html_end(o);
	rc = mrm__out_flush(o);
	free(o);
	if (rc != 0)
		return mrm_error_set(err, rc, "validation report: the output refused a write (%s)",
				     mrm_strerror(rc));
	return 0;
}

int mrm_report_validation_html_file(json_t *result, const char *path,
				    struct mrm_error *err)
{
	return mrm__render_to_file(mrm_report_validation_html, result, path, err);
}
