/*
 * The HTML drift report: the verdict, the inputs, every column sorted by
 * severity with its score drawn against its threshold, schema and data
 * quality problems, drift over time and each column's distributions,
 * rendered from the JSON document of `mrm drift` alone. This file holds the
 * page's order, its prose and its tables; drift-charts.c draws the charts.
 * Every part beyond the contract keys is optional; docs/drift.md explains
 * how to read the page.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/drift.h"

/* Extra styles of this page: the cell charts and the detail blocks. */
static const char drift_css[] =
	"svg.spark{display:inline-block;vertical-align:middle}\n"
	"svg.chart .track{fill:#efefef}\n"
	"svg.chart .thr2{stroke:var(--verm);stroke-width:1.5;stroke-dasharray:2 3}\n"
	"svg.chart .refbar{fill:var(--blue);fill-opacity:.35;stroke:var(--blue);stroke-width:.6}\n"
	"svg.chart .curline{fill:none;stroke:var(--verm);stroke-width:2.2;stroke-linejoin:miter}\n"
	"svg.chart .mark{stroke:var(--verm);stroke-width:1.4;stroke-dasharray:3 3}\n"
	".coldetail{border-top:1px solid #e2e2e2;padding-top:4px;margin-top:18px}\n"
	".coldetail h3 .badge{margin-left:8px;vertical-align:middle}\n"
	".coldetail h3 code{font-size:15px}\n"
	".coldetail .pair>figure{flex:0 1 560px}\n"
	".coldetail .pair>div{flex:1 1 320px}\n"
	".badge{white-space:nowrap}\n"
	"td.spark{padding-top:6px}\n"
	"tr.drifted th,tr.drifted td{background:#fdf1ec}\n"
	"@media print{tr.drifted th,tr.drifted td{-webkit-print-color-adjust:exact;"
	"print-color-adjust:exact}.coldetail{break-inside:avoid;page-break-inside:avoid}}\n";

static const struct {
	const char *key, *label;
} method_labels[] = {
	{ "ks", "Kolmogorov-Smirnov" },
	{ "psi", "PSI" },
	{ "chi2", "chi-square" },
	{ "wasserstein", "Wasserstein (normalised)" },
	{ "jensen_shannon", "Jensen-Shannon" },
	{ "anderson_darling", "Anderson-Darling" },
	{ "z", "two-proportion z-test" },
};

const char *mrm__dr_method_label(const char *m)
{
	for (size_t i = 0; m && i < DR_NELEM(method_labels); i++)
		if (!strcmp(method_labels[i].key, m))
			return method_labels[i].label;
	return m;
}

bool mrm__dr_score(json_t *col, double *score, double *thr, bool *pbased)
{
	if (!mrm__json_str(col, "method") || !mrm__json_num(col, "threshold", thr) || !(*thr > 0))
		return false;
	*pbased = mrm__json_num(col, "p_value_adjusted", score) || mrm__json_num(col, "p_value", score);
	if (*pbased)
		return *thr < 1 && *score >= 0;
	return mrm__json_num(col, "statistic", score);
}

/*
 * The order of the terminal table (cli/cmd-drift.c): threshold / p-value
 * for a test, |statistic| / threshold for a distance; -1 when undecided.
 */
static double severity(json_t *col)
{
	double stat, p, thr = 0;

	if (!mrm__json_str(col, "method") || !mrm__json_num(col, "statistic", &stat))
		return -1;
	mrm__json_num(col, "threshold", &thr);
	if (mrm__json_num(col, "p_value_adjusted", &p) || mrm__json_num(col, "p_value", &p))
		return p > 0 ? (thr > 0 ? thr / p : 0) : HUGE_VAL;
	return thr > 0 ? fabs(stat) / thr : HUGE_VAL;
}

static int by_severity(const void *x, const void *y)
{
	const struct mrm__dr_col *a = x, *b = y;
	int da = json_is_true(json_object_get(a->col, "drifted"));
	int db = json_is_true(json_object_get(b->col, "drifted"));

	if (da != db)
		return db - da;
	if (a->severity != b->severity)
		return a->severity < b->severity ? 1 : -1;
	return strcmp(a->name, b->name);
}

static bool drifted(json_t *col)
{
	return json_is_true(json_object_get(col, "drifted"));
}

/* ------------------------------------------------------------------ */
/* Pieces                                                              */
/* ------------------------------------------------------------------ */

static void badge_drift(struct mrm__dr *d, json_t *col)
{
	if (!mrm__json_str(col, "method"))
		dr_puts(d, "<span class=\"badge na\">NO DECISION</span>");
	else if (drifted(col))
		dr_puts(d, "<span class=\"badge fail\">DRIFT</span>");
	else
		dr_puts(d, "<span class=\"badge pass\">NO DRIFT</span>");
}

/* "p = 0.0003 < 0.05" or "0.2841 >= 0.1", for prose. */
static void score_phrase(struct mrm__dr *d, json_t *col)
{
	char a[MRM__NUM], b[MRM__NUM];
	double score, thr;
	bool pbased;

	if (!mrm__dr_score(col, &score, &thr, &pbased))
		return;
	if (pbased)
		DP("%sp = %s %s %s", json_object_get(col, "p_value_adjusted") ? "adjusted " : "",
		   mrm__fmt_p(a, score), score < thr ? "&lt;" : "\xe2\x89\xa5", mrm__fmt_short(b, thr));
	else
		DP("%s %s %s", mrm__fmt_metric(a, score), score >= thr ? "\xe2\x89\xa5" : "&lt;",
		   mrm__fmt_short(b, thr));
}

/* A number cell of o[k] (metric format); a dash when absent or null. */
static void td_num(struct mrm__dr *d, json_t *o, const char *k)
{
	double x = 0;
	bool ok = mrm__json_num(o, k, &x);

	mrm__html_td_metric(d->o, ok, x, NULL);
}

static void td_p(struct mrm__dr *d, bool ok, double p)
{
	char a[MRM__NUM], b[MRM__NUM];

	if (ok)
		DP("<td class=\"num\" title=\"%s\">%s</td>", mrm__fmt_full(a, p), mrm__fmt_p(b, p));
	else
		dr_puts(d, "<td class=\"num\">" MRM__DASH "</td>");
}

static void section_begin(struct mrm__dr *d, const char *id, const char *title)
{
	DP("<section id=\"%s\">\n<h2>%s</h2>\n", id, title);
}

/* ------------------------------------------------------------------ */
/* Header and summary                                                  */
/* ------------------------------------------------------------------ */

static void render_header(struct mrm__dr *d)
{
	json_t *ref = mrm__json_obj(d->doc, "reference"), *cur = mrm__json_obj(d->doc, "current");
	const char *method = mrm__json_str(d->doc, "method");
	const char *corr = mrm__json_str(d->doc, "correction");

	dr_puts(d, "<header>\n<h1>Drift report</h1>\n<p class=\"meta\">");
	if (mrm__json_str(ref, "path")) {
		dr_puts(d, "reference ");
		dr_code(d, mrm__json_str(ref, "path"));
		dr_puts(d, " \xc2\xb7 ");
	}
	if (mrm__json_str(cur, "path")) {
		dr_puts(d, "current ");
		dr_code(d, mrm__json_str(cur, "path"));
		dr_puts(d, " \xc2\xb7 ");
	}
	if (method) {
		dr_puts(d, "method ");
		dr_esc(d, method);
		dr_puts(d, " \xc2\xb7 ");
	}
	if (corr) {
		dr_puts(d, "correction ");
		dr_esc(d, corr);
		dr_puts(d, " \xc2\xb7 ");
	}
	dr_puts(d, "rendered by mrm from the result of <code>mrm drift</code></p>\n<nav class=\"toc\">"
		   "<a href=\"#summary\">Summary</a><a href=\"#inputs\">Inputs</a>"
		   "<a href=\"#columns\">Columns</a><a href=\"#schema\">Schema</a>");
	if (d->quality)
		dr_puts(d, "<a href=\"#quality\">Data quality</a>");
	if (d->windows)
		dr_puts(d, "<a href=\"#time\">Over time</a>");
	dr_puts(d, "<a href=\"#details\">Distributions</a></nav>\n</header>\n");
}

static void summary_verdict(struct mrm__dr *d)
{
	char a[MRM__NUM], b[MRM__NUM];

	dr_puts(d, "<p>");
	if (!d->has_share) {
		dr_puts(d, "<strong>No column could be tested</strong>, so there is no drift share and no "
			   "verdict on the data set");
		if (d->nrows > 0)
			dr_puts(d, " (the columns below say why)");
		dr_puts(d, ".");
	} else {
		DP("<strong>%s</strong>: %zu of %zu tested column%s drifted, a drift share of %s, ",
		   d->dataset_drift ? "Dataset drift" : "No dataset drift", d->drifted, d->tested,
		   d->tested == 1 ? "" : "s", mrm__fmt_pct(a, d->share));
		DP("%s the threshold %s.", d->share >= d->share_thr ? "at or above" : "below",
		   mrm__fmt_pct(b, d->share_thr));
	}
	dr_puts(d, " A column drifts when its test rejects &#8220;same distribution&#8221; at the "
		   "test&#39;s level, or when its distance reaches its threshold; the data set drifts "
		   "when the share of drifted columns reaches the drift-share threshold.</p>\n");
}

static void summary_columns(struct mrm__dr *d)
{
	size_t i, shown = 0, undecided = 0;

	if (d->drifted > 0) {
		dr_puts(d, "<li>Drifted, most severe first: ");
		for (i = 0; i < d->nrows && drifted(d->rows[i].col); i++) {
			if (shown == DR_MAX_SUMMARY) {
				DP(" and %zu more (see Columns)", d->drifted - shown);
				break;
			}
			dr_puts(d, shown ? "; " : "");
			dr_code(d, d->rows[i].name);
			dr_puts(d, " (");
			dr_esc(d, mrm__dr_method_label(mrm__json_str(d->rows[i].col, "method")));
			dr_puts(d, ", ");
			score_phrase(d, d->rows[i].col);
			dr_puts(d, ")");
			shown++;
		}
		dr_puts(d, ".</li>\n");
	}
	for (i = 0; i < d->nrows; i++)
		if (!mrm__json_str(d->rows[i].col, "method"))
			undecided++;
	if (undecided > 0) {
		shown = 0;
		DP("<li>%zu column%s could not be tested: ", undecided, undecided == 1 ? "" : "s");
		for (i = 0; i < d->nrows; i++) {
			const char *why = mrm__json_str(d->rows[i].col, "reason");
			if (mrm__json_str(d->rows[i].col, "method"))
				continue;
			if (shown == DR_MAX_SUMMARY) {
				DP(" and %zu more", undecided - shown);
				break;
			}
			dr_puts(d, shown ? "; " : "");
			dr_code(d, d->rows[i].name);
			if (why) {
				dr_puts(d, " (");
				dr_esc(d, why);
				dr_puts(d, ")");
			}
			shown++;
		}
		dr_puts(d, ".</li>\n");
	}
}

static void summary_rest(struct mrm__dr *d)
{
	const char *corr = mrm__json_str(d->doc, "correction");
	size_t n = json_array_size(d->schema), i, shown = 0, nq = json_array_size(d->quality);
	json_t *e;

	if (n > 0)
		DP("<li>%zu schema problem%s (columns missing, new or retyped; not compared): see "
		   "<a href=\"#schema\">Schema</a>.</li>\n", n, n == 1 ? "" : "s");
	if (d->quality) {
		if (d->quality_failed == 0) {
			DP("<li><span class=\"badge pass\">PASS</span> All %zu data-quality check%s "
			   "passed.</li>\n", nq, nq == 1 ? "" : "s");
		} else {
			DP("<li><span class=\"badge fail\">FAIL</span> %zu of %zu data-quality check%s "
			   "failed: ", d->quality_failed, nq, nq == 1 ? "" : "s");
			json_array_foreach(d->quality, i, e) {
				if (!json_is_true(json_object_get(e, "failed")))
					continue;
				if (shown == DR_MAX_SUMMARY) {
					DP(" and %zu more", d->quality_failed - shown);
					break;
				}
				dr_puts(d, shown ? "; " : "");
				dr_code(d, mrm__json_str(e, "check") ? mrm__json_str(e, "check") : "?");
				if (mrm__json_str(e, "column")) {
					dr_puts(d, " on ");
					dr_code(d, mrm__json_str(e, "column"));
				}
				shown++;
			}
			dr_puts(d, ".</li>\n");
		}
	}
	if (d->windows) {
		size_t nw = json_array_size(d->windows), ndrift = 0;
		char lab[64];
		json_array_foreach(d->windows, i, e)
			if (json_is_true(json_object_get(e, "dataset_drift")))
				ndrift++;
		if (d->first_drift >= 0) {
			e = json_array_get(d->windows, (size_t)d->first_drift);
			DP("<li>Over time: %zu of %zu window%s show dataset drift; the first is window %ld, "
			   "starting ", ndrift, nw, nw == 1 ? "" : "s", d->first_drift + 1);
			dr_esc(d, mrm__dr_window_label(e, lab, sizeof(lab)));
			dr_puts(d, ": see <a href=\"#time\">Over time</a>.</li>\n");
		} else {
			DP("<li>Over time: none of the %zu window%s shows dataset drift.</li>\n", nw,
			   nw == 1 ? "" : "s");
		}
	}
	if (corr && strcmp(corr, "none")) {
		dr_puts(d, "<li>The p-values were adjusted for testing many columns (");
		dr_esc(d, !strcmp(corr, "bonferroni") ? "Bonferroni" : !strcmp(corr, "holm") ? "Holm" : corr);
		dr_puts(d, "): a column drifts when its adjusted p-value is below the level.</li>\n");
	}
}

static void render_summary(struct mrm__dr *d)
{
	DP("<section id=\"summary\" class=\"summary%s\">\n<h2>Summary</h2>\n",
	   d->dataset_drift || d->quality_failed ? " failed" : "");
	summary_verdict(d);
	if (d->has_share)
		mrm__dr_gauge(d);
	dr_puts(d, "<ul>\n");
	summary_columns(d);
	summary_rest(d);
	dr_puts(d, "</ul>\n</section>\n");
}

/* ------------------------------------------------------------------ */
/* Inputs, columns, schema, quality                                    */
/* ------------------------------------------------------------------ */

static void input_row(struct mrm__dr *d, const char *what, json_t *s)
{
	double rows = 0;
	bool have = mrm__json_num(s, "rows", &rows);

	DP("<tr><th scope=\"row\">%s</th>", what);
	if (mrm__json_str(s, "path")) {
		dr_puts(d, "<td><code>");
		mrm__html_esc(d->o, mrm__json_str(s, "path"), DR_LONG_TEXT);
		dr_puts(d, "</code></td>");
	} else {
		dr_puts(d, "<td>" MRM__DASH "</td>");
	}
	mrm__html_td_count(d->o, have, rows);
	if (mrm__json_str(s, "sha256")) {
		dr_puts(d, "<td><code>");
		dr_esc(d, mrm__json_str(s, "sha256"));
		dr_puts(d, "</code></td>");
	} else {
		dr_puts(d, "<td>" MRM__DASH " <span class=\"ci\">not hashed (standard input)</span></td>");
	}
	dr_puts(d, "</tr>\n");
}

static void render_inputs(struct mrm__dr *d)
{
	static const char *const head[] = { "", "File", "#Rows", "SHA-256" };
	const char *ts = mrm__json_str(d->doc, "timestamp"), *win = mrm__json_str(d->doc, "window");

	section_begin(d, "inputs", "Inputs");
	dr_puts(d, "<p class=\"note\">The reference is the data the model was validated on; the "
		   "current data are compared with it column by column. The SHA-256 identifies the "
		   "exact files compared.</p>\n<table class=\"inputs\">\n");
	mrm__html_thead(d->o, head, DR_NELEM(head));
	dr_puts(d, "<tbody>\n");
	input_row(d, "Reference", mrm__json_obj(d->doc, "reference"));
	input_row(d, "Current", mrm__json_obj(d->doc, "current"));
	dr_puts(d, "</tbody>\n</table>\n");
	if (ts || win) {
		dr_puts(d, "<p>Over time: ");
		if (ts) {
			dr_puts(d, "time column ");
			dr_code(d, ts);
		}
		if (win) {
			dr_puts(d, ts ? ", windows of " : "windows of ");
			dr_code(d, win);
		}
		dr_puts(d, ".</p>\n");
	}
	dr_puts(d, "</section>\n");
}

static void column_row(struct mrm__dr *d, size_t i)
{
	json_t *c = d->rows[i].col;
	const char *method = mrm__json_str(c, "method"), *reason = mrm__json_str(c, "reason");
	double p = 0;
	bool adj = mrm__json_num(c, "p_value_adjusted", &p), havep = adj || mrm__json_num(c, "p_value", &p);

	DP("<tr%s><th scope=\"row\">", drifted(c) ? " class=\"drifted\"" : "");
	if (i < DR_MAX_DETAILS)
		DP("<a href=\"#col-%zu\">", i + 1);
	dr_code(d, d->rows[i].name);
	if (i < DR_MAX_DETAILS)
		dr_puts(d, "</a>");
	dr_puts(d, "</th>");
	mrm__html_td_text(d->o, mrm__json_str(c, "type"));
	mrm__html_td_text(d->o, method ? mrm__dr_method_label(method) : NULL);
	td_num(d, c, "statistic");
	td_p(d, havep, p);
	td_num(d, c, "threshold");
	dr_puts(d, "<td class=\"spark\">");
	if (method)
		mrm__dr_spark(d, d->rows[i].name, c);
	dr_puts(d, "</td><td>");
	badge_drift(d, c);
	if (reason) {
		dr_puts(d, "<span class=\"reason\">");
		dr_esc(d, reason);
		dr_puts(d, "</span>");
	}
	dr_puts(d, "</td></tr>\n");
}

static void render_columns(struct mrm__dr *d)
{
	static const char *const head[] = { "Column", "Type", "Test", "#Statistic", "#p-value",
					    "#Threshold", "Score against threshold", "Result" };
	static const char *const head_adj[] = { "Column", "Type", "Test", "#Statistic",
						"#Adjusted p-value", "#Threshold",
						"Score against threshold", "Result" };
	const char *corr = mrm__json_str(d->doc, "correction");
	size_t i;

	section_begin(d, "columns", "Columns");
	if (d->nrows == 0) {
		dr_puts(d, "<p class=\"note\">No column was compared (none is in both files, or the "
			   "result has no <code>columns</code>).</p>\n</section>\n");
		return;
	}
	dr_puts(d, "<p class=\"note\">Sorted by severity, as the terminal output: drifted columns "
		   "first, then by how far the score is past its threshold (threshold &#247; p-value "
		   "for a test, statistic &#247; threshold for a distance). In the chart the dashed "
		   "line is the column&#39;s own threshold: a bar that crosses it has drifted. "
		   "Distances are drawn on a linear scale (the line at the threshold, the end at "
		   "twice it); p-values on a log scale (the line at the level, the end at its "
		   "square). Bars beyond the end are cut and marked with an arrow.</p>\n"
		   "<div class=\"scroll\">\n<table class=\"columns\">\n");
	mrm__html_thead(d->o, corr && strcmp(corr, "none") ? head_adj : head, DR_NELEM(head));
	dr_puts(d, "<tbody>\n");
	for (i = 0; i < d->nrows && i < DR_MAX_COLUMNS; i++)
		column_row(d, i);
	dr_puts(d, "</tbody>\n</table>\n</div>\n");
	if (d->nrows > DR_MAX_COLUMNS)
		DP("<p class=\"note\">%zu more columns not shown (the least severe).</p>\n",
		   d->nrows - DR_MAX_COLUMNS);
	dr_puts(d, "</section>\n");
}

static void render_schema(struct mrm__dr *d)
{
	static const char *const head[] = { "Column", "Problem", "Consequence" };
	size_t n = json_array_size(d->schema), i;
	json_t *e;

	section_begin(d, "schema", "Schema");
	if (n == 0) {
		dr_puts(d, "<p>No schema problems: every compared column is in both files with the "
			   "same type.</p>\n</section>\n");
		return;
	}
	dr_puts(d, "<table class=\"schema\">\n");
	mrm__html_thead(d->o, head, DR_NELEM(head));
	dr_puts(d, "<tbody>\n");
	json_array_foreach(d->schema, i, e) {
		const char *p = mrm__json_str(e, "problem");
		if (i >= DR_MAX_SCHEMA) {
			DP("<tr><td colspan=\"3\">%zu more problems not shown.</td></tr>\n", n - i);
			break;
		}
		dr_puts(d, "<tr><th scope=\"row\">");
		dr_code(d, mrm__json_str(e, "column") ? mrm__json_str(e, "column") : "?");
		dr_puts(d, "</th><td>");
		if (p && !strcmp(p, "missing_in_current")) {
			dr_puts(d, "in the reference only (missing from the current data)");
		} else if (p && !strcmp(p, "new_in_current")) {
			dr_puts(d, "in the current data only (a new column)");
		} else if (p && !strcmp(p, "retyped")) {
			dr_puts(d, "type changed: ");
			dr_esc(d, mrm__json_str(e, "reference_type") ? mrm__json_str(e, "reference_type") : "?");
			dr_puts(d, " in the reference, ");
			dr_esc(d, mrm__json_str(e, "current_type") ? mrm__json_str(e, "current_type") : "?");
			dr_puts(d, " in the current data");
		} else {
			dr_esc(d, p ? p : "unknown problem");
		}
		dr_puts(d, "</td><td>not compared</td></tr>\n");
	}
	dr_puts(d, "</tbody>\n</table>\n</section>\n");
}

static void render_quality(struct mrm__dr *d)
{
	static const char *const head[] = { "Check", "Column", "#Value", "#Threshold", "Result",
					    "Detail" };
	size_t n = json_array_size(d->quality), i;
	json_t *e;

	if (!d->quality)
		return;
	section_begin(d, "quality", "Data quality");
	if (n == 0) {
		dr_puts(d, "<p class=\"note\">The result lists no data-quality checks.</p>\n</section>\n");
		return;
	}
	DP("<p>%zu of %zu check%s failed. A check fails when its value passes its threshold.</p>\n",
	   d->quality_failed, n, n == 1 ? "" : "s");
	dr_puts(d, "<table class=\"quality\">\n");
	mrm__html_thead(d->o, head, DR_NELEM(head));
	dr_puts(d, "<tbody>\n");
	json_array_foreach(d->quality, i, e) {
		json_t *f = json_object_get(e, "failed");
		if (i >= DR_MAX_QUALITY) {
			DP("<tr><td colspan=\"6\">%zu more checks not shown.</td></tr>\n", n - i);
			break;
		}
		DP("<tr%s><th scope=\"row\">", json_is_true(f) ? " class=\"drifted\"" : "");
		dr_code(d, mrm__json_str(e, "check") ? mrm__json_str(e, "check") : "?");
		dr_puts(d, "</th><td>");
		if (mrm__json_str(e, "column"))
			dr_code(d, mrm__json_str(e, "column"));
		else
			dr_puts(d, "(data set)");
		dr_puts(d, "</td>");
		td_num(d, e, "value");
		td_num(d, e, "threshold");
		dr_puts(d, "<td>");
		/* A check that does not apply (null value) is not evaluated, not passed. */
		mrm__html_badge(d->o, json_is_null(json_object_get(e, "value")) ? -1 :
				json_is_boolean(f) ? !json_is_true(f) : -1);
		dr_puts(d, "</td>");
		mrm__html_td_text(d->o, mrm__json_str(e, "detail"));
		dr_puts(d, "</tr>\n");
	}
	dr_puts(d, "</tbody>\n</table>\n</section>\n");
}

/* ------------------------------------------------------------------ */
/* Over time                                                           */
/* ------------------------------------------------------------------ */

/* A window's start or end as a label: a date alone at midnight, "2024-01-07 13:30" otherwise. */
static const char *time_label(const char *s, char *buf, size_t len)
{
	size_t n;

	if (!s) {
		snprintf(buf, len, "?");
		return buf;
	}
	n = strlen(s);
	/* "2024-01-07T00:00:00Z" is a date; "2024-01-07T13:30:00Z" reads "2024-01-07 13:30". */
	if (n == 20 && s[10] == 'T' && !strcmp(s + 10, "T00:00:00Z"))
		snprintf(buf, len, "%.10s", s);
	else if (n == 20 && s[10] == 'T' && !strcmp(s + 16, ":00Z"))
		snprintf(buf, len, "%.10s %.5s", s, s + 11);
	else
		snprintf(buf, len, "%.40s", s);
	return buf;
}

const char *mrm__dr_window_label(json_t *w, char *buf, size_t len)
{
	return time_label(mrm__json_str(w, "start"), buf, len);
}

/* The columns that drifted in at least one window, most windows first. */
struct ts_col {
	const char *name;
	size_t nwin;
	size_t first;
};

static int by_windows(const void *x, const void *y)
{
	const struct ts_col *a = x, *b = y;

	if (a->nwin != b->nwin)
		return a->nwin < b->nwin ? 1 : -1;
	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return strcmp(a->name, b->name);
}

static void time_columns(struct mrm__dr *d)
{
	struct ts_col *tc = NULL;
	size_t n = 0, cap = 0, i, j, k;
	const char *name;
	json_t *w, *c;

	json_array_foreach(d->windows, i, w) {
		if (i >= DR_MAX_WINDOWS)
			break;
		json_object_foreach(mrm__json_obj(w, "columns"), name, c) {
			if (!drifted(c))
				continue;
			for (j = 0; j < n && strcmp(tc[j].name, name); j++)
				;
			if (j == n) {
				if (n == cap) {
					struct ts_col *t = realloc(tc, (cap ? 2 * cap : 16) * sizeof(*tc));
					if (!t)
						goto out;
					tc = t;
					cap = cap ? 2 * cap : 16;
				}
				tc[n++] = (struct ts_col){ name, 0, i };
			}
			tc[j].nwin++;
		}
	}
	dr_puts(d, "<h3>Columns that drifted in some window</h3>\n");
	if (n == 0) {
		dr_puts(d, "<p class=\"note\">No column drifted in any window.</p>\n");
		goto out;
	}
	qsort(tc, n, sizeof(*tc), by_windows);
	dr_puts(d, "<p class=\"note\">Each column&#39;s drift score per window, with its threshold "
		   "dashed; windows past the threshold are drawn in orange. Most drifting columns "
		   "first.</p>\n<div class=\"charts\">\n");
	for (k = 0; k < n && k < DR_MAX_TS_COLUMNS; k++)
		mrm__dr_chart_column_ts(d, tc[k].name);
	dr_puts(d, "</div>\n");
	if (n > DR_MAX_TS_COLUMNS)
		DP("<p class=\"note\">%zu more columns drifted in some window; see the table "
		   "below.</p>\n", n - DR_MAX_TS_COLUMNS);
out:
	free(tc);
}

static void time_metrics(struct mrm__dr *d)
{
	json_t *names = json_array(), *w, *m;
	const char *k;
	size_t i, j;

	if (!names)
		return;
	json_array_foreach(d->windows, i, w) {
		if (i >= DR_MAX_WINDOWS)
			break;
		json_object_foreach(mrm__json_obj(w, "metrics"), k, m) {
			bool seen = false;
			json_t *e;
			json_array_foreach(names, j, e)
				if (!strcmp(json_string_value(e), k))
					seen = true;
			if (!seen)
				json_array_append_new(names, json_string(k));
		}
	}
	if (json_array_size(names) > 0) {
		json_t *e;
		dr_puts(d, "<h3>Metrics per window</h3>\n<div class=\"charts\">\n");
		json_array_foreach(names, i, e) {
			if (i >= DR_MAX_TS_METRICS)
				break;
			mrm__dr_chart_metric_ts(d, json_string_value(e));
		}
		dr_puts(d, "</div>\n");
		if (json_array_size(names) > DR_MAX_TS_METRICS)
			DP("<p class=\"note\">%zu more metrics not charted.</p>\n",
			   json_array_size(names) - DR_MAX_TS_METRICS);
	}
	json_decref(names);
}

static void time_table(struct mrm__dr *d)
{
	static const char *const head[] = { "#Window", "Start", "End", "#Rows", "#Drift share",
					    "Dataset drift", "Drifted columns" };
	size_t n = json_array_size(d->windows), i;
	char lab[64];
	json_t *w;

	dr_puts(d, "<h3>Windows</h3>\n<div class=\"scroll\">\n<table class=\"windows\">\n");
	mrm__html_thead(d->o, head, DR_NELEM(head));
	dr_puts(d, "<tbody>\n");
	json_array_foreach(d->windows, i, w) {
		json_t *cols = mrm__json_obj(w, "columns"), *c;
		json_t *dd = json_object_get(w, "dataset_drift");
		const char *name;
		size_t shown = 0, total = 0;
		double x;
		if (i >= DR_MAX_WINDOW_ROWS) {
			DP("<tr><td colspan=\"7\">%zu more windows not listed (all are charted).</td></tr>\n",
			   n - i);
			break;
		}
		DP("<tr%s><td class=\"num\">%zu</td><td>", json_is_true(dd) ? " class=\"drifted\"" : "",
		   i + 1);
		dr_esc(d, mrm__dr_window_label(w, lab, sizeof(lab)));
		dr_puts(d, "</td><td>");
		dr_esc(d, time_label(mrm__json_str(w, "end"), lab, sizeof(lab)));
		dr_puts(d, "</td>");
		bool have = mrm__json_num(w, "rows", &x);

		mrm__html_td_count(d->o, have, x);
		if (mrm__json_num(w, "drift_share", &x))
			DP("<td class=\"num\">%s</td>", mrm__fmt_pct(lab, x));
		else
			dr_puts(d, "<td class=\"num\">" MRM__DASH "<span class=\"reason\">no column "
				   "tested</span></td>");
		dr_puts(d, "<td>");
		if (json_is_boolean(dd))
			dr_puts(d, json_is_true(dd) ? "<span class=\"badge fail\">DRIFT</span>" :
				"<span class=\"badge pass\">NO DRIFT</span>");
		else
			dr_puts(d, MRM__DASH);
		dr_puts(d, "</td><td>");
		json_object_foreach(cols, name, c)
			if (drifted(c))
				total++;
		json_object_foreach(cols, name, c) {
			if (!drifted(c))
				continue;
			if (shown == 5) {
				DP(" and %zu more", total - shown);
				break;
			}
			dr_puts(d, shown ? ", " : "");
			dr_code(d, name);
			shown++;
		}
		dr_puts(d, "</td></tr>\n");
	}
	dr_puts(d, "</tbody>\n</table>\n</div>\n");
}

static void render_time(struct mrm__dr *d)
{
	size_t n = json_array_size(d->windows);
	char a[64], b[64];

	if (!d->windows)
		return;
	section_begin(d, "time", "Over time");
	if (n == 0) {
		dr_puts(d, "<p class=\"note\">The result has no windows (no rows had a usable "
			   "time).</p>\n</section>\n");
		return;
	}
	DP("<p>%zu window%s", n, n == 1 ? "" : "s");
	if (mrm__json_str(d->doc, "window")) {
		dr_puts(d, " of ");
		dr_code(d, mrm__json_str(d->doc, "window"));
	}
	dr_puts(d, ", from ");
	dr_esc(d, mrm__dr_window_label(json_array_get(d->windows, 0), a, sizeof(a)));
	dr_puts(d, " to ");
	dr_esc(d, mrm__dr_window_label(json_array_get(d->windows, n - 1), b, sizeof(b)));
	dr_puts(d, ", each compared with the whole reference. ");
	if (d->first_drift >= 0) {
		dr_puts(d, "<strong>The data set first drifts in the window starting ");
		dr_esc(d, mrm__dr_window_label(json_array_get(d->windows, (size_t)d->first_drift), a,
					       sizeof(a)));
		dr_puts(d, "</strong> (marked on the chart): from there on the model sees data unlike "
			   "its reference.");
	} else {
		dr_puts(d, "No window reaches the drift-share threshold.");
	}
	dr_puts(d, "</p>\n");
	if (n > DR_MAX_WINDOWS)
		DP("<p class=\"note\">The charts show the first %d windows.</p>\n", DR_MAX_WINDOWS);
	mrm__dr_chart_share(d);
	time_columns(d);
	time_metrics(d);
	time_table(d);
	dr_puts(d, "</section>\n");
}

/* ------------------------------------------------------------------ */
/* Details                                                             */
/* ------------------------------------------------------------------ */

static const struct {
	const char *key, *label;
	bool p, count;
} measures[] = {
	{ "ks_statistic", "Kolmogorov-Smirnov statistic", false, false },
	{ "ks_p_value", "Kolmogorov-Smirnov p-value", true, false },
	{ "chi2_statistic", "Chi-square statistic", false, false },
	{ "chi2_p_value", "Chi-square p-value", true, false },
	{ "chi2_dof", "Chi-square degrees of freedom", false, true },
	{ "z_statistic", "z statistic", false, false },
	{ "z_p_value", "z-test p-value", true, false },
	{ "p_value_adjusted", "Adjusted p-value", true, false },
	{ "psi", "PSI", false, false },
	{ "wasserstein", "Wasserstein distance", false, false },
	{ "wasserstein_norm", "Wasserstein distance / reference std", false, false },
	{ "jensen_shannon", "Jensen-Shannon distance", false, false },
	{ "anderson_darling", "Anderson-Darling statistic", false, false },
	{ "reference_missing", "Missing in the reference", false, true },
	{ "current_missing", "Missing in the current data", false, true },
};

static void category_list(struct mrm__dr *d, json_t *col, const char *key, const char *label)
{
	json_t *a = mrm__json_arr(col, key), *e;
	size_t i, n = json_array_size(a);

	if (n == 0)
		return;
	DP("<dt>%s</dt><dd>", label);
	json_array_foreach(a, i, e) {
		if (i == 20) {
			DP(" and %zu more", n - i);
			break;
		}
		dr_puts(d, i ? ", " : "");
		dr_code(d, json_is_string(e) ? json_string_value(e) : "?");
	}
	dr_puts(d, "</dd>");
}

static void measures_list(struct mrm__dr *d, json_t *col)
{
	json_t *undef = mrm__json_obj(col, "undefined");
	char a[MRM__NUM], b[MRM__NUM];
	size_t i;

	dr_puts(d, "<dl class=\"kv\">");
	if (mrm__json_str(col, "method")) {
		dr_puts(d, "<dt>Decision</dt><dd>");
		dr_esc(d, mrm__dr_method_label(mrm__json_str(col, "method")));
		dr_puts(d, ": ");
		score_phrase(d, col);
		dr_puts(d, "</dd>");
	} else if (mrm__json_str(col, "reason")) {
		dr_puts(d, "<dt>Not tested</dt><dd>");
		dr_esc(d, mrm__json_str(col, "reason"));
		dr_puts(d, "</dd>");
	}
	for (i = 0; i < DR_NELEM(measures); i++) {
		json_t *v = json_object_get(col, measures[i].key);
		double x;
		if (!v)
			continue;
		DP("<dt>%s</dt><dd>", measures[i].label);
		if (!mrm__json_number(v, &x)) {
			const char *why = mrm__json_str(undef, measures[i].key);
			dr_puts(d, MRM__DASH);
			if (why) {
				dr_puts(d, " ");
				dr_esc(d, why);
			}
		} else if (measures[i].count) {
			dr_puts(d, mrm__fmt_count(a, x));
		} else {
			DP("<span title=\"%s\">%s</span>", mrm__fmt_full(a, x),
			   measures[i].p ? mrm__fmt_p(b, x) : mrm__fmt_metric(b, x));
		}
		dr_puts(d, "</dd>");
	}
	if (mrm__json_str(col, "z_category")) {
		dr_puts(d, "<dt>z-test category</dt><dd>");
		dr_code(d, mrm__json_str(col, "z_category"));
		dr_puts(d, "</dd>");
	}
	category_list(d, col, "new_categories", "New categories");
	category_list(d, col, "vanished_categories", "Vanished categories");
	dr_puts(d, "</dl>\n");
}

static void render_details(struct mrm__dr *d)
{
	bool any = false;
	size_t i;

	section_begin(d, "details", "Distributions");
	if (d->nrows == 0) {
		dr_puts(d, "<p class=\"note\">No column was compared.</p>\n</section>\n");
		return;
	}
	for (i = 0; i < d->nrows; i++)
		if (mrm__json_obj(d->rows[i].col, "histogram") || mrm__json_obj(d->rows[i].col, "categories"))
			any = true;
	dr_puts(d, "<p class=\"note\">Each column in the order of the Columns table: the reference "
		   "and current distributions overlaid (numeric: shares of rows per bin of equal width "
		   "over both ranges, the reference filled, the current as an outline; categorical: "
		   "shares of rows per category), and every measure computed.");
	if (!any)
		dr_puts(d, " This result holds no histograms, so only the measures are shown.");
	dr_puts(d, "</p>\n");
	for (i = 0; i < d->nrows && i < DR_MAX_DETAILS; i++) {
		json_t *c = d->rows[i].col;
		DP("<div class=\"coldetail\" id=\"col-%zu\">\n<h3>", i + 1);
		dr_code(d, d->rows[i].name);
		badge_drift(d, c);
		dr_puts(d, "</h3>\n<div class=\"pair\">\n");
		if (!mrm__dr_chart_distribution(d, d->rows[i].name, c) && any)
			dr_puts(d, "<p class=\"note\">No usable histogram in the result for this "
				   "column.</p>\n");
		dr_puts(d, "<div>");
		measures_list(d, c);
		dr_puts(d, "</div>\n</div>\n</div>\n");
	}
	if (d->nrows > DR_MAX_DETAILS)
		DP("<p class=\"note\">%zu more columns (less severe) are in the Columns table only.</p>\n",
		   d->nrows - DR_MAX_DETAILS);
	dr_puts(d, "</section>\n");
}

static void render_footer(struct mrm__dr *d)
{
	dr_puts(d, "<footer>\n<p class=\"note\">Numbers in tables have 4 decimals (p-values below "
		   "0.001 in e-notation); hover for full precision. Default tests and thresholds are "
		   "in docs/drift.md. This page is self-contained: no scripts, fonts or network."
		   "</p>\n</footer>\n");
}

/* ------------------------------------------------------------------ */
/* Entry points                                                        */
/* ------------------------------------------------------------------ */

static int load(struct mrm__dr *d)
{
	const char *name;
	json_t *c, *w;
	size_t i = 0;
	double x;

	d->columns = mrm__json_obj(d->doc, "columns");
	d->schema = mrm__json_arr(d->doc, "schema");
	d->quality = mrm__json_arr(d->doc, "quality");
	d->windows = mrm__json_arr(d->doc, "windows");
	d->nrows = json_object_size(d->columns);
	d->rows = calloc(d->nrows ? d->nrows : 1, sizeof(*d->rows));
	if (!d->rows)
		return -1;
	json_object_foreach(d->columns, name, c) {
		double s = severity(c);
		d->rows[i].name = name;
		d->rows[i].col = c;
		d->rows[i].severity = isnan(s) ? -1 : s;
		if (mrm__json_str(c, "method") && mrm__json_num(c, "statistic", &x)) {
			d->tested++;
			d->drifted += drifted(c);
		}
		i++;
	}
	d->nrows = i;
	qsort(d->rows, d->nrows, sizeof(*d->rows), by_severity);
	d->has_share = mrm__json_num(d->doc, "drift_share", &d->share);
	if (!mrm__json_num(d->doc, "drift_share_threshold", &d->share_thr))
		d->share_thr = DR_SHARE_THRESHOLD;
	d->dataset_drift = json_is_true(json_object_get(d->doc, "dataset_drift"));
	/* The document's own counts win over the recount. */
	if (mrm__json_num(d->doc, "columns_tested", &x) && x >= 0 && x < 1e15)
		d->tested = (size_t)x;
	if (mrm__json_num(d->doc, "columns_drifted", &x) && x >= 0 && x < 1e15)
		d->drifted = (size_t)x;
	json_array_foreach(d->quality, i, c)
		if (json_is_true(json_object_get(c, "failed")))
			d->quality_failed++;
	d->first_drift = -1;
	json_array_foreach(d->windows, i, w)
		if (json_is_true(json_object_get(w, "dataset_drift"))) {
			d->first_drift = (long)i;
			break;
		}
	return 0;
}

int mrm_report_drift_html(json_t *result, mrm_sink_fn sink, void *arg, struct mrm_error *err)
{
	struct mrm__dr d = { 0 };
	int rc;

	if (!json_is_object(result))
		return mrm_error_set(err, MRM_EINPUT, "drift result: expected a JSON object");
	if (!sink)
		return mrm_error_set(err, MRM_EINPUT, "drift report: no sink");
	d.o = malloc(sizeof(*d.o));
	d.doc = result;
	if (!d.o || load(&d) != 0) {
		free(d.o);
		free(d.rows);
		return mrm_error_set(err, MRM_EINPUT, "drift report: out of memory");
	}
	mrm__out_init(d.o, sink, arg);
	mrm__html_begin(d.o, d.dataset_drift ? "Drift report: dataset drift" : "Drift report", drift_css);
	render_header(&d);
	render_summary(&d);
	render_inputs(&d);
	render_columns(&d);
	render_schema(&d);
	render_quality(&d);
	render_time(&d);
	render_details(&d);
	render_footer(&d);
	mrm__html_end(d.o);
	rc = mrm__out_flush(d.o);
	free(d.o);
	free(d.rows);
	if (rc != 0)
		return mrm_error_set(err, rc, "drift report: the output refused a write (%s)",
				     mrm_strerror(rc));
	return 0;
}

int mrm_report_drift_html_file(json_t *result, const char *path, struct mrm_error *err)
{
	return mrm__render_to_file(mrm_report_drift_html, result, path, err);
}
