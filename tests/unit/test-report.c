/* Unit tests for lib/report: number formatting, escaping, and the HTML validation report of the sample results in tests/data/report. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <cmocka.h>

#include "mrm/report.h"
#include "report/internal.h"
#include "report-check.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static json_t *load(const char *name)
{
	char path[8192];
	json_error_t je;
	json_t *j;

	snprintf(path, sizeof(path), "%s/tests/data/report/%s.json", top_dir(), name);
	j = json_load_file(path, 0, &je);
	if (!j)
		fail_msg("cannot load %s: %s", path, je.text);
	return j;
}

/* Renders `doc` and returns the page (caller frees); fails the test on error. */
static char *render(json_t *doc, size_t *len)
{
	struct membuf b = { 0 };
	struct mrm_error err = { 0 };
	int rc = mrm_report_validation_html(doc, mem_sink, &b, &err);

	if (rc != 0)
		fail_msg("render failed: %d %s", rc, err.msg);
	assert_non_null(b.p);
	if (len)
		*len = b.len;
	return b.p;
}

static char *render_name(const char *name, size_t *len)
{
	json_t *doc = load(name);
	char *html = render(doc, len);

	json_decref(doc);
	return html;
}

/* ------------------------------------------------------------------ */
/* Building blocks                                                     */
/* ------------------------------------------------------------------ */

static void formats_numbers(void **state)
{
	char b[MRM__NUM];
	(void)state;

	assert_string_equal(mrm__fmt_metric(b, 0.73141592), "0.7314");
	assert_string_equal(mrm__fmt_metric(b, 1), "1.0000");
	assert_string_equal(mrm__fmt_metric(b, -0.00001), "-1.000e-05");
	assert_string_equal(mrm__fmt_metric(b, -0.00004999), "-4.999e-05");
	assert_string_equal(mrm__fmt_metric(b, -0.00000), "0.0000");
	assert_string_equal(mrm__fmt_metric(b, 2.5e10), "2.500e+10");
	assert_string_equal(mrm__fmt_metric(b, NAN), MRM__DASH);
	assert_string_equal(mrm__fmt_metric(b, INFINITY), MRM__DASH);
	assert_string_equal(mrm__fmt_short(b, 0.61), "0.61");
	assert_string_equal(mrm__fmt_short(b, 5), "5");
	assert_string_equal(mrm__fmt_short(b, 0.70219), "0.7022");
	assert_string_equal(mrm__fmt_full(b, 0.1), "0.10000000000000001");
	assert_string_equal(mrm__fmt_full(b, -INFINITY), MRM__DASH);
	assert_string_equal(mrm__fmt_p(b, 0.0312), "0.0312");
	assert_string_equal(mrm__fmt_p(b, 3.1e-5), "3.10e-05");
	assert_string_equal(mrm__fmt_p(b, 0), "&lt; 1e-300");
	assert_string_equal(mrm__fmt_p(b, NAN), MRM__DASH);
	assert_string_equal(mrm__fmt_count(b, 7214), "7,214");
	assert_string_equal(mrm__fmt_count(b, 999), "999");
	assert_string_equal(mrm__fmt_count(b, 0), "0");
	assert_string_equal(mrm__fmt_count(b, -1234567), "-1,234,567");
	assert_string_equal(mrm__fmt_count(b, 12.5), "12.50");
	assert_string_equal(mrm__fmt_pct(b, 0.4507), "45.1%");
	assert_string_equal(mrm__fmt_tick(b, 0.2, 0.2), "0.2");
	assert_string_equal(mrm__fmt_tick(b, 0.05, 0.05), "0.05");
	assert_string_equal(mrm__fmt_tick(b, 4, 2), "4");
	assert_string_equal(mrm__fmt_tick(b, -0.0, 0.1), "0.0");
}

static void computes_nice_ticks(void **state)
{
	double t[64], step;
	size_t n;
	(void)state;

	n = mrm__nice_ticks(0, 1, 5, t, 64, &step);
	assert_int_equal(n, 6);
	assert_true(fabs(step - 0.2) < 1e-12);
	assert_true(fabs(t[5] - 1) < 1e-12);
	n = mrm__nice_ticks(0.5, 10.5, 10, t, 64, &step);
	assert_true(step == 1);
	assert_true(t[0] == 1 && t[n - 1] == 10);
	n = mrm__nice_ticks(3, 3, 5, t, 64, &step);
	assert_int_equal(n, 1);
	n = mrm__nice_ticks(0, NAN, 5, t, 64, &step);
	assert_int_equal(n, 0);
}

static void escapes_and_truncates(void **state)
{
	struct membuf b = { 0 };
	struct mrm__out o;
	(void)state;

	mrm__out_init(&o, mem_sink, &b);
	mrm__html_esc(&o, "<a href=\"x\">'&'</a>\x01\x7f\t", 0);
	mrm__out_puts(&o, "|");
	/* "é" is two bytes: a cut in its middle drops it whole. */
	mrm__html_esc(&o, "ab\xc3\xa9z", 3);
	mrm__out_puts(&o, "|");
	mrm__html_esc(&o, NULL, 0);
	mrm__html_esc(&o, "\xe6\xbc\xa2\xe5\xad\x97", 0);
	assert_int_equal(mrm__out_flush(&o), 0);
	assert_string_equal(b.p, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
				 "\xef\xbf\xbd\xef\xbf\xbd\t|ab\xe2\x80\xa6|\xe6\xbc\xa2\xe5\xad\x97");
	free(b.p);
}

static void writer_buffers_and_keeps_the_first_error(void **state)
{
	struct membuf b = { .limit = 20000 };
	struct mrm__out *o = malloc(sizeof(*o));
	char big[40000];
	(void)state;

	assert_non_null(o);
	memset(big, 'x', sizeof(big));
	mrm__out_init(o, mem_sink, &b);
	for (int i = 0; i < 100; i++)
		mrm__out_printf(o, "%d,", i);
	assert_int_equal(b.calls, 0); /* still buffered */
	mrm__out_write(o, big, sizeof(big));
	assert_int_equal(o->rc, MRM_ESTORE);
	mrm__out_puts(o, "more");
	assert_int_equal(mrm__out_flush(o), MRM_ESTORE);
	assert_true(b.len <= 20000);
	free(o);
	free(b.p);
}

/* ------------------------------------------------------------------ */
/* The validation report                                               */
/* ------------------------------------------------------------------ */

static void renders_the_compas_decile_report(void **state)
{
	size_t len;
	char *html = render_name("compas-decile", &len), *s;
	(void)state;

	assert_page(html, len);
	/* Summary: counts, headline metric with its CI, test tally and the DI explanation. */
	s = section(html, "summary");
	assert_non_null(strstr(s, "7,214 rows"));
	assert_non_null(strstr(s, "3,251 positives"));
	assert_non_null(strstr(s, "45.1%"));
	assert_non_null(strstr(s, "ROC AUC is <span title=\"0.7021662"));
	assert_non_null(strstr(s, "3 of 5 tests failed"));
	assert_non_null(strstr(s, "below the four-fifths threshold 0.8"));
	assert_non_null(strstr(s, "for &#39;Other&#39; to"));
	assert_non_null(strstr(s, "&#39;Native American&#39;"));
	assert_non_null(strstr(s, "too small to support a conclusion"));
	assert_non_null(strstr(s, "Not computed because scores are not probabilities"));
	assert_non_null(strstr(s, "SHA-256 <code>3c1d2b7f"));
	assert_non_null(strstr(s, "compas-recidivism"));
	free(s);
	/* Metric table: 4 decimals, full precision in the title, null with its reason. */
	s = section(html, "metrics");
	assert_non_null(strstr(s, ">0.7022</td>"));
	assert_non_null(strstr(s, "0.6902 \xe2\x80\x93 0.7141"));
	assert_non_null(strstr(s, "title=\"0.7021662"));
	assert_non_null(strstr(s, MRM__DASH "<span class=\"reason\">scores are not probabilities"));
	free(s);
	/* Charts present, calibration explained as not computed. */
	assert_non_null(strstr(html, "<title id=\"c1-t\">ROC curve</title>"));
	assert_non_null(strstr(html, "Precision-recall curve</title>"));
	assert_non_null(strstr(html, "Score distribution by class</title>"));
	assert_non_null(strstr(html, "Metrics by slice of race</title>"));
	assert_non_null(strstr(html, "Fairness disparities across race</title>"));
	s = section(html, "calibration");
	assert_non_null(strstr(s, "Not computed: scores are not probabilities"));
	free(s);
	s = section(html, "comparison");
	assert_non_null(strstr(s, "Not computed"));
	free(s);
	/* Confusion matrix with thousands separators. */
	assert_non_null(strstr(html, ">2,681 <span"));
	free(html);
}

static void renders_the_full_model_report(void **state)
{
	size_t len;
	char *html = render_name("compas-model", &len), *s;
	(void)state;

	assert_page(html, len);
	/* Thousands of curve points are thinned to what the chart can show. */
	assert_true(len < 400 * 1024);
	s = section(html, "summary");
	assert_non_null(strstr(s, "2 of 5 tests failed"));
	assert_non_null(strstr(s, "recid-lr"));
	assert_non_null(strstr(s, "2.3.0"));
	assert_non_null(strstr(s, "paired DeLong test"));
	assert_non_null(strstr(s, "significantly better"));
	assert_non_null(strstr(s, "p = 6.65e-05"));
	assert_non_null(strstr(s, "<span class=\"badge pass\">PASS</span> 3 tests passed"));
	free(s);
	s = section(html, "calibration");
	assert_non_null(strstr(s, "Reliability diagram</title>"));
	assert_non_null(strstr(s, "uniform"));
	assert_non_null(strstr(s, "<dt>Calibration slope</dt>"));
	free(s);
	s = section(html, "comparison");
	assert_non_null(strstr(s, "p_decile"));
	assert_non_null(strstr(s, "p_recid"));
	free(s);
	s = section(html, "slices");
	assert_non_null(strstr(s, "By <code>race</code>"));
	assert_non_null(strstr(s, "By <code>sex</code>"));
	assert_non_null(strstr(s, "class=\"small-slice\""));
	assert_non_null(strstr(s, "convention (four-fifths rule)"));
	assert_non_null(strstr(s, "<td>test</td>"));
	free(s);
	free(html);
}

/* The document mrm validate wrote for COMPAS's decile score by race (tests/data/report). */
static void renders_mrm_validate_output(void **state)
{
	size_t len;
	char *html = render_name("validate-compas-decile", &len), *s;
	(void)state;

	assert_page(html, len);
	s = section(html, "summary");
	assert_non_null(strstr(s, "3 of 5 tests failed"));
	assert_non_null(strstr(s, "7,214 rows read, 7,214 used"));
	/* A "for each" test names the slices that fail it. */
	assert_non_null(strstr(s, "it fails in 2 of 6 slices: &#39;Hispanic&#39;"));
	/* {"slice", "metric", "value"} worst slices. */
	assert_non_null(strstr(s, "Worst slice of <code>race</code>: &#39;Hispanic&#39; by ROC AUC"));
	assert_non_null(strstr(s, "No rows were excluded."));
	/* Warnings already said by a bullet are not repeated in the summary. */
	assert_null(strstr(s, "Warning: slice race=Native American"));
	free(s);
	/* Distinct scores: one bar pair per decile; the threshold between 4 and 5. */
	assert_non_null(strstr(html, "at each of its 10 distinct values"));
	/* The ROC band of mrm validate ("band": {"method": "wilson-tpr", ...}). */
	assert_non_null(strstr(html, "pointwise 95% Wilson interval of the true positive rate"));
	assert_non_null(strstr(html, "class=\"band1\" d=\"M"));
	/* Calibration is null with its reason. */
	s = section(html, "calibration");
	assert_non_null(strstr(s, "Not computed: scores are not probabilities"));
	free(s);
	/* The fairness entry's worst groups and counts. */
	s = section(html, "slices");
	assert_non_null(strstr(s, "(6 groups, 1 flagged small)"));
	assert_non_null(strstr(s, "lowest selection rate: &#39;Other&#39;"));
	free(s);
	free(html);

	html = render_name("validate-compas-pred", &len);
	assert_page(html, len);
	s = section(html, "summary");
	assert_non_null(strstr(s, "2 of 5 tests failed"));
	assert_non_null(strstr(s, "(a slice too small to rely on)"));
	assert_non_null(strstr(s, "significantly better"));
	free(s);
	s = section(html, "calibration");
	assert_non_null(strstr(s, "width: equal width"));
	assert_non_null(strstr(s, "Reliability diagram</title>"));
	free(s);
	s = section(html, "metrics");
	assert_non_null(strstr(s, "Bootstrap intervals: 200 replicates (poisson"));
	free(s);
	s = section(html, "comparison");
	assert_non_null(strstr(s, "Other metrics, paired"));
	assert_non_null(strstr(s, "200 paired bootstrap replicates"));
	free(s);
	s = section(html, "slices");
	assert_non_null(strstr(s, "By <code>race&amp;sex</code>"));
	assert_non_null(strstr(s, "Asian&amp;Female (n=2, small)"));
	free(s);
	free(html);
}

static void renders_a_minimal_result(void **state)
{
	size_t len;
	char *html = render_name("minimal", &len), *s;
	(void)state;

	assert_page(html, len);
	assert_non_null(strstr(html, "100 rows"));
	assert_non_null(strstr(html, ">0.8123</td>"));
	assert_non_null(strstr(html, "No tests were run"));
	/* Every missing section says so rather than drawing an empty chart. */
	s = section(html, "tests");
	assert_non_null(strstr(s, "Not computed"));
	free(s);
	s = section(html, "slices");
	assert_non_null(strstr(s, "Not computed: no group column was given"));
	free(s);
	s = section(html, "lift");
	assert_non_null(strstr(s, "Not computed"));
	free(s);
	s = section(html, "scores");
	assert_non_null(strstr(s, "Not computed"));
	free(s);
	assert_non_null(strstr(html, "the curve is not in the result"));
	free(html);
}

static void renders_one_class_data_with_nulls(void **state)
{
	size_t len;
	char *html = render_name("one-class", &len), *s;
	(void)state;

	assert_page(html, len);
	s = section(html, "summary");
	assert_non_null(strstr(s, "Not computed because only one class present in the labels"));
	assert_non_null(strstr(s, "could not be computed"));
	assert_non_null(strstr(s, "1 of 2 tests failed"));
	free(s);
	s = section(html, "metrics");
	assert_non_null(strstr(s, MRM__DASH "<span class=\"reason\">only one class present"));
	assert_non_null(strstr(s, MRM__DASH "<span class=\"reason\">no predicted positives"));
	free(s);
	/* The ROC chart explains why it is empty. */
	assert_non_null(strstr(html, "class=\"nodata\">only one class present in the labels</text>"));
	/* A disparity given as {value: null, reason} shows the reason. */
	assert_non_null(strstr(html, "fewer than two groups with this rate defined"));
	/* Empty reliability bins are shown as dashes, not zeros. */
	s = section(html, "calibration");
	assert_non_null(strstr(s, "<span class=\"reason\">empty</span>"));
	assert_non_null(strstr(s, "Calibration slope</dt><dd>" MRM__DASH " only one class"));
	free(s);
	free(html);
}

static void flags_tiny_slices(void **state)
{
	size_t len;
	char *html = render_name("tiny-slice", &len), *s;
	(void)state;

	assert_page(html, len);
	s = section(html, "summary");
	assert_non_null(strstr(s, "1 slice is too small"));
	assert_non_null(strstr(s, "&#39;sovereign&#39; (n = 3, 2 positives)"));
	assert_non_null(strstr(s, "FOUR-FIFTHS"));
	assert_non_null(strstr(s, "Worst slice of <code>segment</code>: &#39;sovereign&#39;"));
	free(s);
	s = section(html, "slices");
	/* In the chart: hatched band, hollow point, dashed whisker, "small" label. */
	assert_non_null(strstr(s, "sovereign (n=3, small)"));
	assert_non_null(strstr(s, "class=\"dot-small\""));
	assert_non_null(strstr(s, "class=\"err-small\""));
	assert_non_null(strstr(s, "fill=\"url(#h"));
	/* In the table: the row is marked and its warning kept as a title. */
	assert_non_null(strstr(s, "<tr class=\"small-slice\"><th scope=\"row\">sovereign<span "
				  "class=\"tag\" title=\"too small to support a conclusion: 3 rows"));
	/* The fairness table uses the conventions when no test sets a threshold. */
	assert_non_null(strstr(s, "convention (four-fifths rule)"));
	free(s);
	free(html);
}

static void renders_champion_vs_challenger(void **state)
{
	size_t len;
	char *html = render_name("champion", &len), *s;
	(void)state;

	assert_page(html, len);
	s = section(html, "summary");
	assert_non_null(strstr(s, "challenger <code>score_v2</code> against champion <code>score_v1"));
	assert_non_null(strstr(s, "difference <span title=\"-0.0400999"));
	assert_non_null(strstr(s, "significantly worse"));
	assert_non_null(strstr(s, "p = 1.05e-12"));
	assert_non_null(strstr(s, "1 of 1 test failed"));
	free(s);
	s = section(html, "comparison");
	assert_non_null(strstr(s, "-0.0512 \xe2\x80\x93 -0.0290"));
	assert_non_null(strstr(s, ">1.05e-12</td>"));
	assert_non_null(strstr(s, "Other metrics, paired"));
	assert_non_null(strstr(s, "1,000 paired bootstrap replicates"));
	assert_non_null(strstr(s, ">-0.0210</td>"));
	assert_non_null(strstr(s, "Standard error of the difference"));
	assert_non_null(strstr(s, "Other results of the comparison"));
	assert_non_null(strstr(s, "challenger trained on 2026Q2 data"));
	free(s);
	s = section(html, "metrics");
	assert_non_null(strstr(s, "bootstrap (1000 replicates, seed 7)"));
	free(s);
	free(html);
}

static void says_when_every_test_passed(void **state)
{
	size_t len;
	char *html = render_name("all-passed", &len), *s;
	(void)state;

	assert_page(html, len);
	s = section(html, "summary");
	assert_non_null(strstr(s, "All 3 tests passed."));
	assert_null(strstr(s, "FAIL"));
	assert_null(strstr(s, "summary failed"));
	free(s);
	assert_non_null(strstr(html, "<section id=\"summary\" class=\"summary\">"));
	/* The disparity test's own threshold replaces the convention. */
	s = section(html, "slices");
	assert_non_null(strstr(s, "\xe2\x89\xa5 0.9</td><td>test</td>"));
	free(s);
	free(html);
}

static void escapes_hostile_strings(void **state)
{
	size_t len;
	char *html = render_name("hostile", &len);
	(void)state;

	assert_page(html, len);
	assert_non_null(strstr(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
	assert_non_null(strstr(html, "&lt;img src=x onerror=alert(1)&gt;"));
	assert_null(strstr(html, "<img"));
	assert_null(strstr(html, "<svg onload"));
	assert_null(strstr(html, "<b>t</b>"));
	assert_null(strstr(html, "</style><"));
	/* Control characters replaced; long strings cut with an ellipsis. */
	assert_null(strchr(html, '\x01'));
	assert_null(strchr(html, '\x07'));
	assert_non_null(strstr(html, "xxxxxxxx\xe2\x80\xa6"));
	assert_null(strstr(html, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
	assert_non_null(strstr(html, "\xe6\xbc\xa2\xe5\xad\x97")); /* UTF-8 kept */
	free(html);
}

/* A result with a million-point curve and thousands of slices, tests and warnings. */
static void bounds_the_output_of_huge_results(void **state)
{
	json_t *doc = json_object(), *fpr = json_array(), *tpr = json_array(), *groups;
	json_t *col = json_object(), *tests = json_array(), *warn = json_array(), *met;
	json_t *rec = json_array(), *prec = json_array();
	size_t len, i;
	char *html, key[64];
	(void)state;

	for (i = 0; i <= 1000000; i++) {
		double x = (double)i / 1000000;
		json_array_append_new(fpr, json_real(x));
		json_array_append_new(tpr, json_real(sqrt(x)));
		if (i % 4 == 0) {
			json_array_append_new(rec, json_real(1 - x));
			json_array_append_new(prec, json_real(0.3 + 0.7 * x * ((i / 4) % 2)));
		}
	}
	json_object_set_new(doc, "rows", json_integer(1000000));
	json_object_set_new(doc, "positives", json_integer(300000));
	json_object_set_new(doc, "curves", json_pack("{s:{s:o,s:o},s:{s:o,s:o}}", "roc", "fpr", fpr,
						     "tpr", tpr, "pr", "recall", rec, "precision", prec));
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "value-%zu", i);
		json_object_set_new(col, key, json_pack("{s:i,s:i,s:{s:f,s:f}}", "n", (int)(i + 1),
							"positives", 1, "metrics", "roc_auc", 0.5,
							"selection_rate", 0.1));
		json_array_append_new(tests, json_pack("{s:s,s:s,s:f,s:b}", "name", key, "condition",
						       "roc_auc >= 0.9", "value", 0.5, "passed", 0));
		json_array_append_new(warn, json_string("a warning that repeats"));
	}
	groups = json_object();
	json_object_set_new(groups, "id", col);
	json_object_set_new(doc, "groups", groups);
	json_object_set_new(doc, "tests", tests);
	json_object_set_new(doc, "warnings", warn);
	met = json_object();
	json_object_set_new(met, "roc_auc", json_real(0.66));
	json_object_set_new(doc, "metrics", met);

	html = render(doc, &len);
	assert_page(html, len);
	assert_true(len < 1024 * 1024);
	assert_non_null(strstr(html, "5000 slices in all; the 200 largest are shown."));
	assert_non_null(strstr(html, "4500 more tests not shown."));
	assert_non_null(strstr(html, "4800 more not shown."));
	assert_non_null(strstr(html, "And 4980 more tests that did not pass"));
	/* The largest slice is in the chart (30 largest). */
	assert_non_null(strstr(html, "value-4999 (n=5,000)"));
	assert_null(strstr(html, "value-0 (n=1)"));
	free(html);
	json_decref(doc);
}

static void reports_sink_and_input_errors(void **state)
{
	struct membuf b = { .limit = 1000 };
	struct mrm_error err = { 0 };
	json_t *doc = load("compas-decile"), *arr = json_array();
	(void)state;

	assert_int_equal(mrm_report_validation_html(doc, mem_sink, &b, &err), MRM_ESTORE);
	assert_non_null(strstr(err.msg, "refused a write"));
	assert_true(b.len <= 1000);
	free(b.p);

	mrm_error_clear(&err);
	assert_int_equal(mrm_report_validation_html(arr, mem_sink, &b, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "expected a JSON object"));
	assert_int_equal(mrm_report_validation_html(NULL, mem_sink, &b, NULL), MRM_EINPUT);
	json_decref(arr);
	json_decref(doc);
}

/* Files in dir whose name starts with prefix. */
static int count_files(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

static void writes_files_atomically(void **state)
{
	char dir[] = "/tmp/mrm-report-XXXXXX", path[256], bad[300];
	struct mrm_error err = { 0 };
	json_t *doc = load("tiny-slice");
	struct membuf b = { 0 };
	size_t len;
	char *html;
	FILE *f;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/report.html", dir);
	/* An old file is replaced whole. */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("old", f);
	fclose(f);
	assert_int_equal(mrm_report_validation_html_file(doc, path, &err), 0);
	html = render(doc, &len);
	f = fopen(path, "rb");
	assert_non_null(f);
	b.cap = len + 16;
	b.p = malloc(b.cap);
	assert_non_null(b.p);
	b.len = fread(b.p, 1, b.cap, f);
	fclose(f);
	assert_int_equal(b.len, len);
	assert_memory_equal(b.p, html, len);
	assert_int_equal(count_files(dir, "report.html.tmp"), 0);
	free(b.p);
	free(html);

	/* A directory that does not exist: the error names the path. */
	snprintf(bad, sizeof(bad), "%s/missing/report.html", dir);
	assert_int_equal(mrm_report_validation_html_file(doc, bad, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "missing/report.html"));
	/* The target is a directory: rename fails, the temporary file is removed. */
	mrm_error_clear(&err);
	snprintf(bad, sizeof(bad), "%s/sub", dir);
	assert_int_equal(mkdir(bad, 0700), 0);
	assert_int_equal(mrm_report_validation_html_file(doc, bad, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "cannot rename"));
	assert_int_equal(count_files(dir, "sub.tmp"), 0);
	/* Not an object: nothing written. */
	mrm_error_clear(&err);
	snprintf(bad, sizeof(bad), "%s/none.html", dir);
	{
		json_t *s = json_string("x");
		assert_int_equal(mrm_report_validation_html_file(s, bad, &err), MRM_EINPUT);
		json_decref(s);
	}
	assert_int_equal(access(bad, F_OK), -1);
	assert_int_equal(count_files(dir, "none.html"), 0);

	rmdir(path); /* no-op: it is a file */
	unlink(path);
	rmdir(bad);
	snprintf(bad, sizeof(bad), "%s/sub", dir);
	rmdir(bad);
	assert_int_equal(rmdir(dir), 0);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(formats_numbers),
		cmocka_unit_test(computes_nice_ticks),
		cmocka_unit_test(escapes_and_truncates),
		cmocka_unit_test(writer_buffers_and_keeps_the_first_error),
		cmocka_unit_test(renders_the_compas_decile_report),
		cmocka_unit_test(renders_the_full_model_report),
		cmocka_unit_test(renders_mrm_validate_output),
		cmocka_unit_test(renders_a_minimal_result),
		cmocka_unit_test(renders_one_class_data_with_nulls),
		cmocka_unit_test(flags_tiny_slices),
		cmocka_unit_test(renders_champion_vs_challenger),
		cmocka_unit_test(says_when_every_test_passed),
		cmocka_unit_test(escapes_hostile_strings),
		cmocka_unit_test(bounds_the_output_of_huge_results),
		cmocka_unit_test(reports_sink_and_input_errors),
		cmocka_unit_test(writes_files_atomically),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
