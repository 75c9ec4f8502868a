/*
 * The red-team report: one self-contained HTML page rendered from the results document of
 * mrm_rt_results (mrm/redteam.h): the verdict, attack success rates per category (a chart
 * with Wilson intervals and a table) and per OWASP id, the worst probes with their
 * transcripts, and the attempts that ended in errors.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrm/redteam.h"
#include "report/internal.h"

/* Longest text of a transcript shown (the run file keeps the rest). */
#define SHOW_TEXT 4000

static const char rt_css[] =
	"pre.turn{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f6f6;border-left:4px solid #b8b8b8;"
	"padding:6px 10px;margin:4px 0 8px;font:13px ui-monospace,Menlo,Consolas,monospace}\n"
	"pre.turn.assistant{border-left-color:var(--verm);background:#fdf6f3}\n"
	".role{font-size:12px;font-weight:700;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}\n"
	".probe{border-top:1px solid #e2e2e2;padding-top:4px;margin-top:18px}\n"
	"tr.hit th,tr.hit td{background:#fdf1ec}\n"
	"@media print{.probe{break-inside:avoid;page-break-inside:avoid}}\n";

static double num(json_t *o, const char *k)
{
	double x;

	return mrm__json_num(o, k, &x) ? x : NAN;
}

static void rate_cells(struct mrm__out *o, json_t *t)
{
	double lo, hi, r = num(t, "rate");
	char a[MRM__NUM], b[MRM__NUM];

	mrm__html_td_metric(o, isfinite(r), r, "no attempts");
	if (mrm__json_interval(json_object_get(t, "ci"), &lo, &hi))
		mrm__out_printf(o, "<td class=\"num\">[%s, %s]</td>", mrm__fmt_metric(a, lo), mrm__fmt_metric(b, hi));
	else
		mrm__out_puts(o, "<td class=\"num\">" MRM__DASH "</td>");
}

static void list_cell(struct mrm__out *o, json_t *a)
{
	size_t i;
	json_t *x;

	mrm__out_puts(o, "<td>");
	json_array_foreach(a, i, x) {
		if (i)
			mrm__out_puts(o, ", ");
		mrm__html_esc(o, json_string_value(x), 40);
	}
	mrm__out_puts(o, "</td>");
}

static void render_header(struct mrm__out *o, json_t *doc)
{
	char a[MRM__NUM];
	json_t *p;
	size_t i;

	mrm__out_puts(o, "<h1>Red-team report</h1>\n<p class=\"meta\">");
	mrm__html_esc(o, mrm__json_str(doc, "target"), 300);
	if (mrm__json_str(doc, "target_model")) {
		mrm__out_puts(o, " &middot; model ");
		mrm__html_esc(o, mrm__json_str(doc, "target_model"), 200);
	}
	if (mrm__json_str(doc, "created_at")) {
		mrm__out_puts(o, " &middot; ");
		mrm__html_esc(o, mrm__json_str(doc, "created_at"), 40);
	}
	mrm__out_puts(o, "</p>\n<dl class=\"kv\">");
	mrm__out_puts(o, "<dt>Packs</dt><dd>");
	json_array_foreach(mrm__json_arr(doc, "packs"), i, p) {
		if (i)
			mrm__out_puts(o, ", ");
		mrm__html_esc(o, mrm__json_str(p, "name"), 100);
		if (mrm__json_str(p, "version")) {
			mrm__out_puts(o, " ");
			mrm__html_esc(o, mrm__json_str(p, "version"), 40);
		}
		mrm__out_puts(o, " <code title=\"SHA-256\">");
		mrm__html_esc(o, mrm__json_str(p, "sha256"), 12);
		mrm__out_puts(o, "</code>");
	}
	mrm__out_printf(o, "</dd><dt>Attempts</dt><dd>%s", mrm__fmt_count(a, num(doc, "attempts")));
	mrm__out_printf(o, " judged, %s", mrm__fmt_count(a, num(doc, "errors")));
	mrm__out_printf(o, " ended in errors (not counted in the rates), %s planned%s</dd>",
			mrm__fmt_count(a, num(doc, "planned")),
			json_is_true(json_object_get(doc, "complete")) ? "" : " <span class=\"tag\">INCOMPLETE</span>");
	if (num(doc, "unjudged") > 0)
		mrm__out_printf(o, "<dt>Unjudged</dt><dd>%s attempts needed a judge and got none "
				   "(<code>--judge URL</code>): counted as the detectors decided</dd>",
				mrm__fmt_count(a, num(doc, "unjudged")));
	if (num(doc, "tokens_in") > 0 || num(doc, "tokens_out") > 0) {
		char b[MRM__NUM];

		mrm__out_printf(o, "<dt>Tokens</dt><dd>%s in, %s out", mrm__fmt_count(a, num(doc, "tokens_in")),
				mrm__fmt_count(b, num(doc, "tokens_out")));
		if (num(doc, "cost") > 0)
			mrm__out_printf(o, "; cost %.4f", num(doc, "cost"));
		mrm__out_puts(o, "</dd>");
	}
	mrm__out_puts(o, "<dt>Reproduce</dt><dd>seed ");
	{
		json_t *s = json_object_get(doc, "seed");

		if (json_is_integer(s))
			mrm__out_printf(o, "%lld", (long long)json_integer_value(s));
	}
	mrm__out_puts(o, ", mrm ");
	mrm__html_esc(o, mrm__json_str(doc, "mrm_version"), 40);
	mrm__out_puts(o, ", canary <code>");
	mrm__html_esc(o, mrm__json_str(doc, "canary"), 80);
	mrm__out_puts(o, "</code></dd></dl>\n");
}

static void render_summary(struct mrm__out *o, json_t *doc)
{
	json_t *cats = mrm__json_obj(doc, "categories"), *c;
	double s = num(doc, "successes"), lo, hi;
	char a[MRM__NUM], b[MRM__NUM], x[MRM__NUM];
	const char *k;

	mrm__out_printf(o, "<div class=\"summary%s\"><p><strong>", s > 0 ? " failed" : "");
	if (s > 0)
		mrm__out_printf(o, "%s of %s attacks succeeded", mrm__fmt_count(a, s), mrm__fmt_count(b, num(doc, "attempts")));
	else if (num(doc, "attempts") > 0)
		mrm__out_printf(o, "No attack succeeded in %s attempts", mrm__fmt_count(a, num(doc, "attempts")));
	else
		mrm__out_puts(o, "No attempt was judged");
	mrm__out_puts(o, "</strong>");
	if (mrm__json_interval(json_object_get(doc, "ci"), &lo, &hi))
		mrm__out_printf(o, " (rate %s, 95%% interval %s to %s)", mrm__fmt_pct(x, num(doc, "rate")),
				mrm__fmt_pct(a, lo), mrm__fmt_pct(b, hi));
	mrm__out_puts(o, ".</p>");
	if (s > 0) {
		mrm__out_puts(o, "<ul>");
		json_object_foreach(cats, k, c)
			if (num(c, "successes") > 0) {
				mrm__out_puts(o, "<li><code>");
				mrm__html_esc(o, k, 60);
				mrm__out_printf(o, "</code>: %s of %s (%s)</li>", mrm__fmt_count(a, num(c, "successes")),
						mrm__fmt_count(b, num(c, "attempts")), mrm__fmt_pct(x, num(c, "rate")));
			}
		mrm__out_puts(o, "</ul>");
	}
	mrm__out_puts(o, "</div>\n");
}

static void render_chart(struct mrm__out *o, json_t *doc)
{
	json_t *cats = mrm__json_obj(doc, "categories"), *c;
	size_t n = json_object_size(cats), i = 0;
	struct mrm__plot p;
	const char *k;
	double row = 26;

	if (!n)
		return;
	p.left = 170;
	p.right = 520;
	p.top = 10;
	p.bottom = p.top + row * (double)n;
	p.x0 = 0;
	p.x1 = 1;
	p.y0 = 0;
	p.y1 = (double)n;
	mrm__svg_begin(o, 560, (int)(p.bottom + 44), "Attack success rate by category",
		       "Share of judged attempts in each category in which the attack succeeded, with its 95% "
		       "Wilson interval as a black bar.");
	mrm__svg_axes(o, &p, 5, 0, "Attack success rate", NULL);
	json_object_foreach(cats, k, c) {
		double yc = (double)n - (double)i - 0.5, r = num(c, "rate"), lo, hi;

		mrm__svg_text(o, p.left - 8, mrm__plot_py(&p, yc) + 4, "end", NULL, k, 30);
		if (isfinite(r)) {
			mrm__svg_rect(o, &p, 0, yc - 0.3, r, yc + 0.3, r > 0 ? "bad" : "ok", 0);
			if (mrm__json_interval(json_object_get(c, "ci"), &lo, &hi))
				mrm__svg_errbar_h(o, &p, yc, lo, hi, 6, "err");
		} else {
			mrm__svg_text(o, p.left + 6, mrm__plot_py(&p, yc) + 4, "start", "nodata", "no attempts", 0);
		}
		i++;
	}
	mrm__svg_end(o, NULL);
}

static void render_categories(struct mrm__out *o, json_t *doc)
{
	static const char *const head[] = { "Category", "#Attempts", "#Successes", "#Rate", "#95% interval",
					    "#Errors", "OWASP" };
	json_t *c;
	const char *k;

	mrm__out_puts(o, "<h2 id=\"categories\">Categories</h2>\n");
	render_chart(o, doc);
	mrm__out_puts(o, "<div class=\"scroll\"><table>");
	mrm__html_thead(o, head, 7);
	mrm__out_puts(o, "<tbody>");
	json_object_foreach(mrm__json_obj(doc, "categories"), k, c) {
		mrm__out_printf(o, "<tr%s><th scope=\"row\"><code>", num(c, "successes") > 0 ? " class=\"hit\"" : "");
		mrm__html_esc(o, k, 60);
		mrm__out_puts(o, "</code></th>");
		mrm__html_td_count(o, true, num(c, "attempts"));
		mrm__html_td_count(o, true, num(c, "successes"));
		rate_cells(o, c);
		mrm__html_td_count(o, true, num(c, "errors"));
		list_cell(o, mrm__json_arr(c, "owasp"));
		mrm__out_puts(o, "</tr>\n");
	}
	mrm__out_puts(o, "</tbody></table></div>\n");
}

static void render_owasp(struct mrm__out *o, json_t *doc)
{
	static const char *const head[] = { "OWASP LLM Top 10 (2025)", "#Attempts", "#Successes", "#Rate",
					    "#95% interval", "Categories" };
	json_t *c, *ow = mrm__json_obj(doc, "owasp");
	const char *k;

	mrm__out_puts(o, "<h2 id=\"owasp\">OWASP ids</h2>\n");
	if (!json_object_size(ow)) {
		mrm__out_puts(o, "<p class=\"note\">The probes carry no OWASP ids.</p>\n");
		return;
	}
	mrm__out_puts(o, "<div class=\"scroll\"><table>");
	mrm__html_thead(o, head, 6);
	mrm__out_puts(o, "<tbody>");
	json_object_foreach(ow, k, c) {
		mrm__out_printf(o, "<tr%s><th scope=\"row\">", num(c, "successes") > 0 ? " class=\"hit\"" : "");
		mrm__html_esc(o, k, 20);
		mrm__out_puts(o, "</th>");
		mrm__html_td_count(o, true, num(c, "attempts"));
		mrm__html_td_count(o, true, num(c, "successes"));
		rate_cells(o, c);
		list_cell(o, mrm__json_arr(c, "categories"));
		mrm__out_puts(o, "</tr>\n");
	}
	mrm__out_puts(o, "</tbody></table></div>\n");
}

static void turn(struct mrm__out *o, const char *role, const char *text, bool assistant)
{
	mrm__out_puts(o, "<div class=\"role\">");
	mrm__html_esc(o, role, 20);
	mrm__out_printf(o, "</div><pre class=\"turn%s\">", assistant ? " assistant" : "");
	mrm__html_esc(o, text, SHOW_TEXT);
	mrm__out_puts(o, "</pre>\n");
}

static void render_worst(struct mrm__out *o, json_t *doc)
{
	json_t *w = mrm__json_arr(doc, "worst"), *p, *m;
	char a[MRM__NUM], b[MRM__NUM];
	size_t i, k;

	mrm__out_puts(o, "<h2 id=\"worst\">Worst probes</h2>\n");
	if (!json_array_size(w)) {
		mrm__out_puts(o, "<p class=\"note\">No attack succeeded.</p>\n");
		return;
	}
	mrm__out_puts(o, "<p class=\"note\">The probes with the highest success rate, one succeeding attempt's "
			 "transcript each (after the system prompt, which holds the canary).</p>\n");
	json_array_foreach(w, i, p) {
		mrm__out_puts(o, "<div class=\"probe\"><h3><code>");
		mrm__html_esc(o, mrm__json_str(p, "key"), 200);
		mrm__out_printf(o, "</code> <span class=\"badge fail\">%s of %s</span></h3>\n<p class=\"meta\">",
				mrm__fmt_count(a, num(p, "successes")), mrm__fmt_count(b, num(p, "attempts")));
		mrm__html_esc(o, mrm__json_str(p, "category"), 60);
		if (mrm__json_str(p, "transform")) {
			mrm__out_puts(o, " &middot; transform ");
			mrm__html_esc(o, mrm__json_str(p, "transform"), 60);
		}
		mrm__out_puts(o, " &middot; detector ");
		mrm__html_esc(o, mrm__json_str(p, "detector"), 60);
		if (mrm__json_str(p, "evidence")) {
			mrm__out_puts(o, ": <code>");
			mrm__html_esc(o, mrm__json_str(p, "evidence"), 300);
			mrm__out_puts(o, "</code>");
		}
		mrm__out_puts(o, "</p>\n");
		json_array_foreach(mrm__json_arr(p, "messages"), k, m)
			turn(o, mrm__json_str(m, "role") ? mrm__json_str(m, "role") : "user", mrm__json_str(m, "content"),
			     false);
		if ((mrm__json_str(p, "reply") && *mrm__json_str(p, "reply")) ||
		    !json_array_size(json_object_get(p, "tool_calls")))
			turn(o, "assistant", mrm__json_str(p, "reply") ? mrm__json_str(p, "reply") : "", true);
		if (json_array_size(json_object_get(p, "tool_calls"))) {
			char *s = json_dumps(json_object_get(p, "tool_calls"), JSON_INDENT(1));

			turn(o, "tool calls", s ? s : "", true);
			free(s);
		}
		mrm__out_puts(o, "</div>\n");
	}
}

static void render_errors(struct mrm__out *o, json_t *doc)
{
	json_t *e;
	size_t i;
	char a[MRM__NUM];

	if (!(num(doc, "errors") > 0))
		return;
	mrm__out_printf(o, "<h2 id=\"errors\">Errors</h2>\n<p>%s attempts ended in an error (the target did not "
			   "answer, or not with a reply): they are not counted in the rates; "
			   "<code>mrm redteam run --resume</code> sends them again.</p>\n<ul>",
			mrm__fmt_count(a, num(doc, "errors")));
	json_array_foreach(mrm__json_arr(doc, "error_list"), i, e) {
		mrm__out_puts(o, "<li><code>");
		mrm__html_esc(o, mrm__json_str(e, "key"), 200);
		mrm__out_puts(o, "</code>: ");
		mrm__html_esc(o, mrm__json_str(e, "error"), 400);
		mrm__out_puts(o, "</li>");
	}
	mrm__out_puts(o, "</ul>\n");
}

int mrm_rt_report_html(json_t *results, mrm_sink_fn sink, void *arg, struct mrm_error *err)
{
	struct mrm__out *o;
	int rc;

	if (!json_is_object(results))
		return mrm_error_set(err, MRM_EINPUT, "red-team results: expected a JSON object");
	if (!sink)
		return mrm_error_set(err, MRM_EINPUT, "red-team report: no sink");
	if (!(o = malloc(sizeof(*o))))
		return mrm_error_set(err, MRM_EINPUT, "red-team report: out of memory");
	mrm__out_init(o, sink, arg);
	mrm__html_begin(o, "Red-team report", rt_css);
	render_header(o, results);
	render_summary(o, results);
	mrm__out_puts(o, "<nav class=\"toc\"><a href=\"#categories\">Categories</a><a href=\"#owasp\">OWASP ids</a>"
			 "<a href=\"#worst\">Worst probes</a></nav>\n");
	render_categories(o, results);
	render_owasp(o, results);
	render_worst(o, results);
	render_errors(o, results);
	mrm__out_puts(o, "<p class=\"note\">Rates are over the attempts that got a reply; intervals are 95% "
			 "Wilson score intervals. Produced by <code>mrm redteam report</code>.</p>\n");
	mrm__html_end(o);
	rc = mrm__out_flush(o);
	free(o);
	if (rc)
		return mrm_error_set(err, rc, "red-team report: the output refused a write (%s)", mrm_strerror(rc));
	return MRM_OK;
}

int mrm_rt_report_html_file(json_t *results, const char *path, struct mrm_error *err)
{
	return mrm__render_to_file(mrm_rt_report_html, results, path, err);
}
