/* Unit tests for the HTML drift report (lib/report/drift*.c) on the hand-made documents of tests/data/drift-report. */
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

static json_t *load(const char *name)
{
	char path[8192];
	json_error_t je;
	json_t *j;

	snprintf(path, sizeof(path), "%s/tests/data/drift-report/%s.json", top_dir(), name);
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
	int rc = mrm_report_drift_html(doc, mem_sink, &b, &err);

	if (rc != 0)
		fail_msg("render failed: %d %s", rc, err.msg);
	assert_non_null(b.p);
	*len = b.len;
	return b.p;
}

static char *render_name(const char *name, size_t *len)
{
	json_t *doc = load(name);
	char *html = render(doc, len);

	json_decref(doc);
	assert_page(html, *len);
	return html;
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* The position of `needle` in s, failing the test when absent. */
static size_t at(const char *s, const char *needle)
{
	const char *p = strstr(s, needle);

	if (!p)
		fail_msg("not found: %s", needle);
	return (size_t)(p - s);
}

/* ------------------------------------------------------------------ */

static void renders_every_section_of_a_full_document(void **state)
{
	size_t len;
	char *html = render_name("full", &len), *s;
	(void)state;

	assert_non_null(strstr(html, "<title>Drift report: dataset drift</title>"));
	/* The navigation names the optional sections the document has. */
	assert_non_null(strstr(html, "<a href=\"#quality\">"));
	assert_non_null(strstr(html, "<a href=\"#time\">"));

	s = section(html, "summary");
	assert_non_null(strstr(s, "class=\"summary failed\""));
	assert_non_null(strstr(s, "<strong>Dataset drift</strong>: 4 of 7 tested columns drifted, a "
				  "drift share of 57.1%, at or above the threshold 50.0%"));
	assert_non_null(strstr(s, "<code>income</code> (Wasserstein (normalised), 0.3100 \xe2\x89\xa5 0.1)"));
	assert_non_null(strstr(s, "<code>channel</code> (two-proportion z-test, p = 0.0357 &lt; 0.05)"));
	assert_non_null(strstr(s, "1 column could not be tested: <code>notes</code> (every current value "
				  "is missing)"));
	assert_non_null(strstr(s, "3 schema problems"));
	assert_non_null(strstr(s, "3 of 4 data-quality checks failed"));
	assert_non_null(strstr(s, "6 of 12 windows show dataset drift; the first is window 7, starting "
				  "2024-02-12"));
	/* The gauge: the share against the threshold. */
	assert_non_null(strstr(s, "drift share 57.1%"));
	assert_non_null(strstr(s, "threshold 50.0%"));
	free(s);

	s = section(html, "inputs");
	assert_non_null(strstr(s, "<code>applications-2023.csv</code>"));
	assert_non_null(strstr(s, "<td class=\"num\">5,000</td>"));
	assert_non_null(strstr(s, "<td class=\"num\">4,000</td>"));
	assert_non_null(strstr(s, "9f2c1e0d5b8a7c6e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e"));
	assert_non_null(strstr(s, "time column <code>applied_at</code>, windows of <code>1w</code>"));
	free(s);

	s = section(html, "schema");
	assert_non_null(strstr(s, "<code>branch_code</code></th><td>in the reference only"));
	assert_non_null(strstr(s, "<code>device</code></th><td>in the current data only"));
	assert_non_null(strstr(s, "type changed: numeric in the reference, categorical in the current"));
	free(s);

	s = section(html, "quality");
	assert_non_null(strstr(s, "3 of 4 checks failed"));
	assert_int_equal(count(s, "<span class=\"badge fail\">FAIL</span>"), 3);
	assert_int_equal(count(s, "<span class=\"badge pass\">PASS</span>"), 1);
	assert_non_null(strstr(s, "(data set)"));
	assert_non_null(strstr(s, "new category &#39;Central&#39; &lt;b&gt;"));
	free(s);

	s = section(html, "details");
	assert_non_null(strstr(s, "<title id=\"c"));
	assert_non_null(strstr(s, ">Distribution of income</title>"));
	assert_non_null(strstr(s, ">Categories of region</title>"));
	assert_non_null(strstr(s, ">(other)</text>"));
	assert_non_null(strstr(s, ">Central</text>"));
	/* A histogram is the reference's bars and the current's outline. */
	assert_true(count(s, "class=\"refbar\"") >= 20);
	assert_int_equal(count(s, "<path class=\"curline\""), 4);
	assert_non_null(strstr(s, "<dt>New categories</dt><dd><code>Central</code>"));
	assert_non_null(strstr(s, "\xe2\x80\x94 too few distinct values"));
	/* The two columns without a histogram say so; the others have one. */
	assert_int_equal(count(s, "No usable histogram in the result for this column."), 2);
	free(s);
	free(html);
}

static void sorts_columns_by_severity_with_thresholds_drawn(void **state)
{
	static const char *const order[] = {
		"<code>income</code>", "<code>region</code>", "<code>channel</code>",
		"<code>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</code>", "<code>age</code>",
		"<code>a&amp;b &quot;q&quot;</code>", "<code>score</code>", "<code>notes</code>",
	};
	size_t len, prev = 0, i;
	char *html = render_name("full", &len), *s;
	const char *row;
	(void)state;

	s = section(html, "columns");
	/* The terminal table's order: drifted first, then by score over threshold. */
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		size_t pos = at(s, order[i]);
		if (i > 0 && pos <= prev)
			fail_msg("%s is not after the previous column", order[i]);
		prev = pos;
	}
	assert_int_equal(count(s, "<tr class=\"drifted\">"), 4);
	/* One score-against-threshold chart per decided column, each with its threshold line. */
	assert_int_equal(count(s, "<svg class=\"chart spark\""), 7);
	assert_int_equal(count(s, "<line class=\"thr\" x1=\"66.0\""), 7);
	/* income: 3.1 x its threshold, past the end of the scale: full bar and an arrow. */
	row = strstr(s, "<code>income</code>");
	assert_non_null(strstr(row, "<rect class=\"bad\" x=\"0\" y=\"4\" width=\"132.0\""));
	assert_true(strstr(row, "<path class=\"bad\"") < strstr(row, "<code>region</code>"));
	/* age: 0.04 against 0.1 is 0.4 of the way to the line (66 px): 26.4 px, blue. */
	row = strstr(s, "<code>age</code>");
	assert_non_null(strstr(row, "<rect class=\"ok\" x=\"0\" y=\"4\" width=\"26.4\""));
	/* channel, a p-value: log 0.0357 / log 0.05 = 1.112 of the way to the line. */
	row = strstr(s, "<code>channel</code>");
	assert_non_null(strstr(row, "width=\"73.4\""));
	assert_non_null(strstr(row, "p-value 0.0357 against the level 0.05: drifted</title>"));
	/* Thresholds in their column, the undecided column with its reason and no chart. */
	assert_non_null(strstr(s, "<td class=\"num\" title=\"0.10000000000000001\">0.1000</td>"));
	row = strstr(s, "<code>notes</code>");
	assert_null(strstr(row, "<svg"));
	assert_non_null(strstr(row, "NO DECISION</span><span class=\"reason\">every current value is "
				    "missing"));
	free(s);
	free(html);
}

static void charts_drift_over_time(void **state)
{
	size_t len;
	char *html = render_name("full", &len), *s, *d;
	const char *p;
	(void)state;

	s = section(html, "time");
	assert_non_null(strstr(s, "12 windows of <code>1w</code>, from 2024-01-01 to 2024-03-18"));
	assert_non_null(strstr(s, "first drifts in the window starting 2024-02-12"));
	/* The drift share per window: its threshold line and the first drifting window marked. */
	p = strstr(s, ">Drift share per window</title>");
	assert_non_null(p);
	assert_non_null(strstr(p, "<line class=\"thr\""));
	assert_non_null(strstr(p, "<line class=\"mark\""));
	assert_non_null(strstr(p, ">first dataset drift</text>"));
	/* A gap for the empty window 4: the share line is two pieces. */
	p = strstr(p, "<path class=\"s1\" d=\"");
	assert_non_null(p);
	d = strndup(p, (size_t)(strchr(p + 20, '"') - p));
	assert_int_equal(count(d, "M"), 2);
	free(d);
	/* The columns that drifted in some window, most windows first; age never did. */
	assert_true(at(s, ">channel: p-value per window</title>") <
		    at(s, ">income: Wasserstein (normalised) per window</title>"));
	assert_non_null(strstr(s, ">region: score relative to its threshold</title>"));
	assert_null(strstr(s, ">age:"));
	/* p-values on a log axis labelled as p-values. */
	assert_non_null(strstr(s, ">0.001</text>"));
	assert_non_null(strstr(s, ">1e-4</text>"));
	/* Metrics, with the warn and alert levels of roc_auc drawn. */
	assert_non_null(strstr(s, ">accuracy per window</title>"));
	p = strstr(s, ">roc_auc per window</title>");
	assert_non_null(p);
	assert_non_null(strstr(p, "<path class=\"thr2\""));
	assert_non_null(strstr(p, "class=\"dot2\""));
	/* The windows table: 12 rows, the empty window says why it has no share. */
	assert_int_equal(count(s, "<td class=\"num\">12</td>"), 1);
	assert_non_null(strstr(s, "no column tested"));
	assert_non_null(strstr(s, "<td>2024-02-12</td><td>2024-02-19</td>"));
	free(s);
	free(html);
}

static void renders_the_contract_keys_alone(void **state)
{
	size_t len;
	char *html = render_name("bike", &len), *s;
	(void)state;

	/* mrm drift's own output: no quality, no windows, no histograms yet. */
	assert_null(strstr(html, "id=\"quality\""));
	assert_null(strstr(html, "id=\"time\""));
	assert_null(strstr(html, "href=\"#time\""));
	s = section(html, "summary");
	assert_non_null(strstr(s, "4 of 8 tested columns drifted, a drift share of 50.0%, at or above "
				  "the threshold 50.0%"));
	free(s);
	s = section(html, "columns");
	assert_true(at(s, "<code>cnt</code>") < at(s, "<code>atemp</code>"));
	assert_true(at(s, "<code>atemp</code>") < at(s, "<code>temp</code>"));
	assert_true(at(s, "<code>registered</code>") < at(s, "<code>casual</code>"));
	free(s);
	s = section(html, "details");
	assert_non_null(strstr(s, "This result holds no histograms, so only the measures are shown."));
	assert_null(strstr(s, "<svg"));
	free(s);
	free(html);
}

static void renders_an_empty_result(void **state)
{
	size_t len;
	char *html = render_name("empty", &len), *s;
	json_t *doc = json_object();
	(void)state;

	s = section(html, "summary");
	assert_non_null(strstr(s, "No column could be tested"));
	assert_null(strstr(s, "<svg"));
	free(s);
	s = section(html, "columns");
	assert_non_null(strstr(s, "No column was compared"));
	free(s);
	free(html);
	/* Not even the contract keys. */
	html = render(doc, &len);
	assert_page(html, len);
	free(html);
	json_decref(doc);
}

static void escapes_and_survives_a_hostile_document(void **state)
{
	size_t len;
	char *html = render_name("hostile", &len);
	(void)state;

	/* assert_page has checked: well formed, no <script, no event handlers in tags. */
	assert_null(strstr(html, "<img"));
	assert_null(strstr(html, "<b>"));
	assert_null(strstr(html, "<i>"));
	assert_non_null(strstr(html, "&lt;img src=x onerror=alert(1)&gt;.csv"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(html, "x&lt;/text&gt;&lt;script&gt;"));
	assert_non_null(strstr(html, "&lt;/dd&gt;&lt;script&gt;"));
	/* Control characters are replaced. */
	assert_non_null(strstr(html, "ctrl\xef\xbf\xbd\xef\xbf\xbd" "chars"));
	/* Unusable histograms are skipped, with a note, not drawn. */
	assert_null(strstr(html, ">Distribution of bad-hist-lengths</title>"));
	assert_null(strstr(html, ">Categories of neg-counts</title>"));
	assert_non_null(strstr(html, "No usable histogram in the result for this column."));
	/* p = 0 is past any level; a huge distance is drawn cut, with the arrow. */
	assert_non_null(strstr(html, "&lt; 1e-300"));
	free(html);
}

static void draws_extreme_numbers_without_nan(void **state)
{
	size_t len;
	char *html = render_name("extreme", &len);
	(void)state;

	/* assert_page: no "nan" or "inf" anywhere, even from 1e308 and 5e-324. */
	assert_non_null(strstr(html, ">n per window</title>"));
	assert_non_null(strstr(html, ">x: p-value per window</title>"));
	free(html);
}

static void bounds_the_page_of_a_huge_result(void **state)
{
	json_t *doc = json_object(), *cols = json_object(), *wins = json_array();
	size_t len, i;
	char name[64], *html;
	(void)state;

	for (i = 0; i < 3000; i++) {
		json_t *e = json_array(), *r = json_array(), *c = json_array();
		for (int k = 0; k <= 50; k++) {
			json_array_append_new(e, json_real(k));
			if (k < 50) {
				json_array_append_new(r, json_real(0.02));
				json_array_append_new(c, json_real(k < 25 ? 0.03 : 0.01));
			}
		}
		snprintf(name, sizeof(name), "col%04zu", i);
		json_object_set_new(cols, name, json_pack("{s:s, s:s, s:f, s:n, s:f, s:b, s:{s:o, s:o, s:o}}",
			"type", "numeric", "method", "wasserstein", "statistic", 0.001 * (double)i,
			"p_value", "threshold", 0.1, "drifted", i >= 2900,
			"histogram", "edges", e, "reference", r, "current", c));
	}
	for (i = 0; i < 6000; i++) {
		json_t *wc = json_object();
		for (int k = 0; k < 3; k++) {
			snprintf(name, sizeof(name), "col%04d", 2997 + k);
			json_object_set_new(wc, name, json_pack("{s:s, s:f, s:n, s:f, s:b}", "method",
				"wasserstein", "statistic", 0.05 + 0.0001 * (double)i, "p_value",
				"threshold", 0.1, "drifted", i > 500));
		}
		json_array_append_new(wins, json_pack("{s:s, s:s, s:i, s:f, s:b, s:o, s:{s:f}}",
			"start", "2024-01-01T00:00:00Z", "end", "2024-01-01T01:00:00Z", "rows", 100,
			"drift_share", i > 500 ? 1.0 : 0.0, "dataset_drift", i > 500, "columns", wc,
			"metrics", "accuracy", 0.9 - 0.00001 * (double)i));
	}
	json_object_set_new(doc, "columns", cols);
	json_object_set_new(doc, "windows", wins);
	json_object_set_new(doc, "drift_share", json_real(100.0 / 3000));
	html = render(doc, &len);
	assert_page(html, len);
	assert_true(len < 3 * 1024 * 1024);
	assert_non_null(strstr(html, "2000 more columns not shown (the least severe)."));
	assert_non_null(strstr(html, "2940 more columns (less severe) are in the Columns table only."));
	assert_non_null(strstr(html, "The charts show the first 5000 windows."));
	assert_non_null(strstr(html, "5600 more windows not listed (all are charted)."));
	free(html);
	json_decref(doc);
}

static void reports_sink_and_input_errors(void **state)
{
	struct membuf b = { .limit = 5000 };
	struct mrm_error err = { 0 };
	json_t *doc = load("full"), *arr = json_array();
	(void)state;

	assert_int_equal(mrm_report_drift_html(doc, mem_sink, &b, &err), MRM_ESTORE);
	assert_non_null(strstr(err.msg, "drift report: the output refused a write"));
	assert_true(b.len <= 5000);
	free(b.p);
	mrm_error_clear(&err);
	assert_int_equal(mrm_report_drift_html(arr, mem_sink, &b, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "drift result: expected a JSON object");
	mrm_error_clear(&err);
	assert_int_equal(mrm_report_drift_html(doc, NULL, NULL, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "drift report: no sink");
	json_decref(doc);
	json_decref(arr);
}

static void writes_files_atomically(void **state)
{
	char dir[] = "/tmp/mrm-drift-report-XXXXXX", path[256], bad[300];
	struct mrm_error err = { 0 };
	json_t *doc = load("full");
	struct stat st;
	DIR *dp;
	struct dirent *de;
	size_t n = 0;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/report.html", dir);
	assert_int_equal(mrm_report_drift_html_file(doc, path, &err), 0);
	mrm_error_clear(&err);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 10000);
	snprintf(bad, sizeof(bad), "%s/no-such-dir/report.html", dir);
	assert_int_equal(mrm_report_drift_html_file(doc, bad, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "no-such-dir/report.html.tmp-"));
	assert_non_null(strstr(err.msg, "cannot create"));
	/* Only the report: no temporary file left. */
	dp = opendir(dir);
	assert_non_null(dp);
	while ((de = readdir(dp)))
		if (de->d_name[0] != '.')
			n++;
	closedir(dp);
	assert_int_equal(n, 1);
	remove(path);
	rmdir(dir);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(renders_every_section_of_a_full_document),
		cmocka_unit_test(sorts_columns_by_severity_with_thresholds_drawn),
		cmocka_unit_test(charts_drift_over_time),
		cmocka_unit_test(renders_the_contract_keys_alone),
		cmocka_unit_test(renders_an_empty_result),
		cmocka_unit_test(escapes_and_survives_a_hostile_document),
		cmocka_unit_test(draws_extreme_numbers_without_nan),
		cmocka_unit_test(bounds_the_page_of_a_huge_result),
		cmocka_unit_test(reports_sink_and_input_errors),
		cmocka_unit_test(writes_files_atomically),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
