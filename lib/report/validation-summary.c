/*
 * The plain-language summary at the top of the validation report: one
 * paragraph and a list of what failed and why, what could not be
 * computed, which slices are too small, and where the data came from.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/validation.h"

/* "selection rate ranges from 0.35 for 'Caucasian' to 0.59 for 'African-American'" */
static bool explain_range(struct mrm__vr *v, const char *col, const char *rate_key)
{
	json_t *gs = mrm__json_obj(v->groups, col), *g;
	const struct mrm__vr_rate *r = mrm__vr_rate_by_key(rate_key);
	const char *k, *lo_name = NULL, *hi_name = NULL;
	double x, lo = 0, hi = 0;

	if (!gs || !r)
		return false;
	json_object_foreach(gs, k, g) {
		if (!json_is_object(g) || !mrm__vr_slice_metric(g, r, &x, NULL))
			continue;
		if (!lo_name || x < lo) {
			lo = x;
			lo_name = k;
		}
		if (!hi_name || x > hi) {
			hi = x;
			hi_name = k;
		}
	}
	if (!lo_name || lo_name == hi_name)
		return false;
	P("%c%s ranges from ", tolower((unsigned char)r->label[0]), r->label + 1);
	num(v, lo);
	puts_(v, " for &#39;");
	esc(v, lo_name);
	puts_(v, "&#39;");
	if (mrm__vr_slice_small(json_object_get(gs, lo_name)))
		puts_(v, " (a slice too small to rely on)");
	puts_(v, " to ");
	num(v, hi);
	puts_(v, " for &#39;");
	esc(v, hi_name);
	puts_(v, "&#39;");
	if (mrm__vr_slice_small(json_object_get(gs, hi_name)))
		puts_(v, " (a slice too small to rely on)");
	return true;
}

/* The parenthesis explaining a disparity of col by its group rates. */
static void explain_disparity(struct mrm__vr *v, const char *col, const struct mrm__vr_disparity *d)
{
	if (!d || !mrm__json_obj(v->groups, col))
		return;
	puts_(v, " (");
	if (!explain_range(v, col, d->rate1)) {
		puts_(v, "the group rates are in the slice table");
	} else if (d->rate2) {
		puts_(v, "; ");
		explain_range(v, col, d->rate2);
	}
	puts_(v, ")");
}

/* "; it fails in 2 of 6 slices: 'Other' (0.3233), ...": the slices of a "for each" test that fail. */
static void failing_slices(struct mrm__vr *v, json_t *slices)
{
	const char *k;
	json_t *e;
	size_t nfail = 0, shown = 0, total = 0;
	double x;

	json_object_foreach(slices, k, e) {
		total++;
		if (mrm__json_pass(json_object_get(e, "passed")) != 1)
			nfail++;
	}
	if (nfail == 0)
		return;
	P("; it fails in %zu of %zu slices: ", nfail, total);
	json_object_foreach(slices, k, e) {
		if (mrm__json_pass(json_object_get(e, "passed")) == 1)
			continue;
		if (shown == 6) {
			P(" and %zu more", nfail - shown);
			break;
		}
		puts_(v, shown ? ", &#39;" : "&#39;");
		esc(v, k);
		puts_(v, "&#39;");
		if (mrm__json_num(e, "value", &x)) {
			puts_(v, " (");
			num(v, x);
			puts_(v, ")");
		} else {
			puts_(v, " (undefined)");
		}
		shown++;
	}
}

/*
 * One failed or unevaluated test as a bullet, explained by the group rates
 * when it is about a disparity; the column of a ratio it explained is
 * added to `explained` so the four-fifths bullet does not repeat it.
 */
static void summary_test(struct mrm__vr *v, json_t *t, json_t *explained)
{
	const char *name = mrm__json_str(t, "name"), *cond = mrm__json_str(t, "condition");
	const char *metric = mrm__vr_test_metric(t), *reason = mrm__json_str(t, "reason"), *col;
	const struct mrm__vr_disparity *d = mrm__vr_disparity_by_key(metric);
	int passed = mrm__json_pass(json_object_get(t, "passed"));
	char colbuf[256], op[3];
	double x, thr;

	col = mrm__vr_test_column(t, colbuf, sizeof(colbuf));
	puts_(v, "<li>");
	mrm__html_badge(v->o, passed);
	puts_(v, " ");
	if (name && (!cond || strcmp(name, cond))) {
		puts_(v, "<q>");
		esc(v, name);
		puts_(v, "</q>: ");
	}
	if (metric) {
		mrm__vr_metric_prose(v, metric);
		if (col) {
			puts_(v, " for ");
			code(v, col);
		}
	} else {
		puts_(v, "the value");
	}
	if (mrm__json_num(t, "value", &x)) {
		puts_(v, " is ");
		num(v, x);
		if (passed == 0 && cond) {
			if (d && !strcmp(d->key, "disparate_impact_ratio") &&
			    mrm__vr_condition_threshold(cond, metric, &thr, op) && thr == 0.8) {
				puts_(v, ", below the four-fifths threshold 0.8");
			} else {
				puts_(v, ", which does not meet ");
				code(v, cond);
			}
		} else if (cond) {
			puts_(v, "; the test ");
			code(v, cond);
			puts_(v, " could not be decided");
		}
	} else {
		puts_(v, " could not be computed");
		if (cond) {
			puts_(v, ", so ");
			code(v, cond);
			puts_(v, passed == 0 ? " fails" : " was not evaluated");
		}
	}
	if (reason) {
		puts_(v, ": ");
		esc(v, reason);
	}
	failing_slices(v, mrm__json_obj(t, "slices"));
	if (d && col && mrm__json_num(t, "value", &x)) {
		explain_disparity(v, col, d);
		if (d->ratio && explained)
			json_object_set_new(explained, col, json_true());
	}
	puts_(v, ".</li>\n");
}

static void summary_lead(struct mrm__vr *v)
{
	json_t *data = mrm__json_obj(v->doc, "data"), *model = json_object_get(v->doc, "model");
	const char *path = mrm__json_str(data, "path"), *mid = NULL, *ver = NULL, *reason;
	const char *headline[3] = { "roc_auc", NULL, NULL };
	double x, lo, hi;
	bool any = false;

	if (json_is_object(model)) {
		mid = mrm__json_str(model, "id");
		ver = mrm__json_str(model, "version");
	} else if (json_is_string(model)) {
		mid = json_string_value(model);
	}
	if (!ver)
		ver = mrm__json_str(v->doc, "version");
	puts_(v, "<p>");
	if (mid) {
		puts_(v, "Model ");
		code(v, mid);
		if (ver) {
			puts_(v, " (version ");
			code(v, ver);
			puts_(v, ")");
		}
		puts_(v, " was validated");
	} else {
		puts_(v, "The scores were validated");
	}
	if (path) {
		puts_(v, " on ");
		code(v, path);
	}
	if (v->has_rows) {
		puts_(v, " (");
		count(v, v->rows);
		puts_(v, " rows");
		if (v->has_pos) {
			puts_(v, ", ");
			count(v, v->positives);
			puts_(v, " positives");
			if (v->rows > 0) {
				char a[MRM__NUM];
				P(": a base rate of %s", mrm__fmt_pct(a, v->positives / v->rows));
			}
		}
		puts_(v, ")");
	}
	puts_(v, ". ");

	if (!strcmp(v->task, "regression")) {
		headline[0] = "rmse";
		headline[1] = "r2";
	} else if (!strcmp(v->task, "multiclass")) {
		headline[0] = "accuracy";
		headline[1] = "f1_macro";
	}
	for (int i = 0; i < 2 && headline[i]; i++) {
		if (!json_object_get(v->metrics, headline[i]))
			continue;
		if (any) {
			puts_(v, "; ");
			mrm__vr_metric_prose(v, headline[i]);
		} else {
			esc(v, mrm__vr_metric_label(headline[i]));
		}
		if (mrm__json_metric(v->metrics, v->undefined, headline[i], &x, &reason)) {
			puts_(v, " is ");
			num(v, x);
			if (mrm__json_interval_of(v->ci, headline[i], &lo, &hi)) {
				puts_(v, " (95% CI ");
				num(v, lo);
				puts_(v, " to ");
				num(v, hi);
				puts_(v, ")");
			}
		} else {
			puts_(v, " is undefined: ");
			esc(v, reason);
		}
		any = true;
	}
	if (!strcmp(v->task, "binary") && v->has_threshold) {
		static const char *const at[] = { "accuracy", "recall", "fpr", "selection_rate" };
		bool first = true;
		int shown = 0;

		for (size_t i = 0; i < NELEM(at); i++)
			if (mrm__json_metric(v->metrics, v->undefined, at[i], &x, &reason))
				shown++;
		if (shown > 0) {
			puts_(v, any ? "; at" : "At");
			puts_(v, " the threshold ");
			num(v, v->threshold);
			puts_(v, " (a score at or above it counts as a positive prediction), ");
			for (size_t i = 0; i < NELEM(at); i++) {
				if (!mrm__json_metric(v->metrics, v->undefined, at[i], &x, &reason))
					continue;
				shown--;
				puts_(v, first ? "" : shown == 0 ? " and " : ", ");
				mrm__vr_metric_prose(v, at[i]);
				puts_(v, " is ");
				num(v, x);
				first = false;
			}
			any = true;
		}
	}
	if (any)
		puts_(v, ". ");
	if (v->tests_total == 0)
		puts_(v, "No tests were run (<code>--tests FILE.yaml</code> sets pass/fail conditions), "
			 "so nothing passed or failed: the findings below are for the reader&#39;s judgement.");
	else if (v->tests_failed == 0 && v->tests_na == 0)
		P("All %zu test%s passed.", v->tests_total, v->tests_total == 1 ? "" : "s");
	else {
		P("<strong>%zu of %zu test%s failed</strong>", v->tests_failed, v->tests_total,
		  v->tests_total == 1 ? "" : "s");
		if (v->tests_na)
			P(" and %zu could not be evaluated", v->tests_na);
		puts_(v, ".");
	}
	puts_(v, "</p>\n");
}

/* "race = 'Asian' (n = 31)" examples of small slices, and how many there are. */
static void summary_small(struct mrm__vr *v)
{
	const char *col, *val;
	json_t *gs, *g;
	size_t total = 0, shown = 0;

	json_object_foreach(v->groups, col, gs) {
		if (!json_is_object(gs))
			continue;
		json_object_foreach(gs, val, g)
			if (json_is_object(g) && mrm__vr_slice_small(g))
				total++;
	}
	if (total == 0)
		return;
	P("<li><strong>%zu slice%s too small to support a conclusion</strong> "
	  "(their numbers are shown but should not be relied on): ", total,
	  total == 1 ? " is" : "s are");
	json_object_foreach(v->groups, col, gs) {
		if (!json_is_object(gs))
			continue;
		json_object_foreach(gs, val, g) {
			double n;
			if (!json_is_object(g) || !mrm__vr_slice_small(g) || shown >= 8)
				continue;
			puts_(v, shown ? "; " : "");
			code(v, col);
			puts_(v, " = &#39;");
			esc(v, val);
			puts_(v, "&#39;");
			if (mrm__json_num2(g, "n", "rows", &n)) {
				puts_(v, " (n = ");
				count(v, n);
				if (mrm__json_num(g, "positives", &n)) {
					puts_(v, ", ");
					count(v, n);
					puts_(v, " positives");
				}
				puts_(v, ")");
			}
			shown++;
		}
	}
	if (total > shown)
		P("; and %zu more (see Slices)", total - shown);
	puts_(v, ".</li>\n");
}

/* Undefined metrics grouped by reason. */
static void summary_undefined(struct mrm__vr *v)
{
	json_t *by = json_object(), *list;
	const char *k, *reason;
	json_t *m;
	double x;

	if (!by)
		return;
	json_object_foreach(v->metrics, k, m) {
		if (mrm__json_metric(v->metrics, v->undefined, k, &x, &reason))
			continue;
		list = json_object_get(by, reason);
		if (!list) {
			list = json_array();
			json_object_set_new(by, reason, list);
		}
		json_array_append_new(list, json_string(k));
	}
	json_object_foreach(by, reason, list) {
		size_t i;
		json_t *e;
		puts_(v, "<li>Not computed because ");
		esc(v, reason);
		puts_(v, ": ");
		json_array_foreach(list, i, e) {
			if (i >= 12) {
				P(" and %zu more", json_array_size(list) - i);
				break;
			}
			puts_(v, i ? ", " : "");
			mrm__vr_metric_prose(v, json_string_value(e));
		}
		puts_(v, ".</li>\n");
	}
	json_decref(by);
}

static void summary_comparison(struct mrm__vr *v)
{
	json_t *c = v->comparison;
	const char *ch = mrm__json_str(c, "champion"), *cl = mrm__json_str(c, "challenger");
	const char *method = mrm__json_str(c, "method");
	double a, b, d, lo, hi, p;
	char buf[MRM__NUM];
	bool have_ci;

	if (!c)
		return;
	puts_(v, "<li>Champion vs challenger: ");
	if (cl) {
		puts_(v, "challenger ");
		code(v, cl);
	}
	if (ch) {
		puts_(v, cl ? " against champion " : "champion ");
		code(v, ch);
	}
	if (mrm__json_num(c, "roc_auc_challenger", &b) && mrm__json_num(c, "roc_auc_champion", &a)) {
		puts_(v, ": ROC AUC ");
		num(v, b);
		puts_(v, " vs ");
		num(v, a);
	}
	if (mrm__json_num(c, "roc_auc_difference", &d)) {
		puts_(v, ", difference ");
		if (d > 0)
			puts_(v, "+");
		num(v, d);
	}
	have_ci = mrm__json_interval(json_object_get(c, "ci"), &lo, &hi);
	if (have_ci) {
		puts_(v, " (95% CI ");
		num(v, lo);
		puts_(v, " to ");
		num(v, hi);
		puts_(v, ")");
	}
	if (mrm__json_num(c, "p_value", &p))
		P(", p = %s", mrm__fmt_p(buf, p));
	if (method) {
		puts_(v, " (");
		if (!strcmp(method, "delong"))
			puts_(v, "paired DeLong test");
		else if (!strcmp(method, "bootstrap"))
			puts_(v, "paired bootstrap");
		else
			esc(v, method);
		puts_(v, ")");
	}
	if (mrm__json_num(c, "p_value", &p) && mrm__json_num(c, "roc_auc_difference", &d)) {
		if (p < 0.05)
			P(". The challenger ranks %s than the champion at the 5%% significance level",
			  d > 0 ? "significantly better" : "significantly worse");
		else
			puts_(v, ". The difference is not significant at the 5% level: the data "
				 "do not show that either model ranks better");
	} else if (!json_object_get(c, "roc_auc_difference")) {
		const char *reason = mrm__json_str(c, "reason");
		puts_(v, ": the difference could not be computed");
		if (reason) {
			puts_(v, " (");
			esc(v, reason);
			puts_(v, ")");
		}
	}
	puts_(v, ".</li>\n");
}

static void summary_worst(struct mrm__vr *v)
{
	const char *col;
	json_t *w;

	json_object_foreach(v->worst, col, w) {
		if (!json_is_object(w) || !(mrm__json_str(w, "slice") || mrm__json_str(w, "value")))
			continue;
		puts_(v, "<li>Worst slice of ");
		code(v, col);
		puts_(v, ": ");
		mrm__vr_worst_phrase(v, w);
		puts_(v, ".</li>\n");
	}
}

/* Four-fifths failures that no failed test already explained. */
static void summary_fairness(struct mrm__vr *v, json_t *explained)
{
	const char *col;
	json_t *f;
	double di;

	json_object_foreach(v->fairness, col, f) {
		if (!json_is_object(f) || !mrm__vr_four_fifths_fails(f, &di) ||
		    json_object_get(explained, col))
			continue;
		puts_(v, "<li><span class=\"badge fail\">FOUR-FIFTHS</span> Disparate impact ratio for ");
		code(v, col);
		if (mrm__json_num2(f, "disparate_impact_ratio", "demographic_parity_ratio", &di)) {
			puts_(v, " is ");
			num(v, di);
			puts_(v, ",");
		}
		puts_(v, " below the four-fifths threshold 0.8 (a convention of the US EEOC "
			 "Uniform Guidelines, not a test that was run)");
		explain_disparity(v, col, &mrm__vr_disparities[5]);
		puts_(v, ".</li>\n");
	}
}

static void summary_provenance(struct mrm__vr *v)
{
	json_t *data = mrm__json_obj(v->doc, "data"), *ex = json_object_get(v->doc, "excluded");
	const char *path = mrm__json_str(data, "path"), *sha = mrm__json_str(data, "sha256");
	const char *fmt = mrm__json_str(data, "format");
	double x;

	if (data) {
		puts_(v, "<li>Data: ");
		if (path)
			code(v, path);
		else
			puts_(v, "(no path recorded)");
		if (fmt) {
			puts_(v, ", format ");
			esc(v, fmt);
		}
		if (sha) {
			puts_(v, ", SHA-256 ");
			code(v, sha);
		}
		if (mrm__json_num(data, "rows_read", &x)) {
			puts_(v, "; ");
			count(v, x);
			puts_(v, " rows read");
			if (v->has_rows) {
				puts_(v, ", ");
				count(v, v->rows);
				puts_(v, " used");
			}
		} else if (v->has_rows) {
			puts_(v, "; ");
			count(v, v->rows);
			puts_(v, " rows used");
		}
		puts_(v, ".</li>\n");
	}
	if (mrm__json_number(ex, &x)) {
		puts_(v, "<li>Excluded: ");
		count(v, x);
		puts_(v, " rows.</li>\n");
	} else if (json_is_object(ex) && json_object_size(ex) > 0) {
		const char *k;
		json_t *e;
		bool first = true, any = false;
		json_object_foreach(ex, k, e)
			if (!mrm__json_number(e, &x) || x != 0)
				any = true;
		if (!any) {
			puts_(v, "<li>No rows were excluded.</li>\n");
			return;
		}
		puts_(v, "<li>Excluded rows: ");
		json_object_foreach(ex, k, e) {
			if (mrm__json_number(e, &x) && x == 0)
				continue;
			puts_(v, first ? "" : "; ");
			esc(v, k);
			if (mrm__json_number(e, &x)) {
				puts_(v, " ");
				count(v, x);
			} else if (json_is_string(e)) {
				puts_(v, " ");
				esc(v, json_string_value(e));
			}
			first = false;
		}
		puts_(v, ".</li>\n");
	}
}

void mrm__vr_render_summary(struct mrm__vr *v)
{
	json_t *tests = v->tests, *t, *explained = json_object();
	const char *col;
	json_t *f, *w;
	size_t i, listed = 0, npass = 0, shown_warnings = 0;
	bool bad = v->tests_failed > 0;
	double di;

	json_object_foreach(v->fairness, col, f)
		if (json_is_object(f) && mrm__vr_four_fifths_fails(f, &di))
			bad = true;
	P("<section id=\"summary\" class=\"summary%s\">\n<h2>Summary</h2>\n", bad ? " failed" : "");
	summary_lead(v);
	puts_(v, "<ul>\n");
	json_array_foreach(tests, i, t) {
		if (!json_is_object(t))
			continue;
		if (mrm__json_pass(json_object_get(t, "passed")) == 1) {
			npass++;
			continue;
		}
		if (listed++ < MAX_SUMMARY_ITEMS)
			summary_test(v, t, explained);
	}
	if (listed > MAX_SUMMARY_ITEMS)
		P("<li>And %zu more tests that did not pass (see Tests).</li>\n",
		  listed - MAX_SUMMARY_ITEMS);
	summary_fairness(v, explained);
	summary_comparison(v);
	summary_worst(v);
	summary_small(v);
	summary_undefined(v);
	/*
	 * Warnings, less those the bullets above already say in other words
	 * (small slices, the four-fifths rule, scores that are not
	 * probabilities); the Warnings section lists every one.
	 */
	w = mrm__json_arr(v->doc, "warnings");
	json_array_foreach(w, i, t) {
		const char *text = json_string_value(t);
		if (!text || strstr(text, "too small to support a conclusion") ||
		    strstr(text, "four-fifths") || strstr(text, "are not probabilities"))
			continue;
		if (shown_warnings++ == 10) {
			puts_(v, "<li>More warnings in the Warnings section.</li>\n");
			break;
		}
		puts_(v, "<li>Warning: ");
		mrm__html_esc(v->o, text, MAX_LONG_TEXT);
		puts_(v, "</li>\n");
	}
	if (npass > 0) {
		size_t shown = 0;
		P("<li><span class=\"badge pass\">PASS</span> %zu test%s passed: ", npass,
		  npass == 1 ? "" : "s");
		json_array_foreach(tests, i, t) {
			const char *name = mrm__json_str(t, "name"), *cond = mrm__json_str(t, "condition");
			double x;
			if (!json_is_object(t) || mrm__json_pass(json_object_get(t, "passed")) != 1)
				continue;
			if (shown++ >= MAX_SUMMARY_ITEMS) {
				P(" and %zu more", npass - MAX_SUMMARY_ITEMS);
				break;
			}
			puts_(v, shown > 1 ? "; " : "");
			code(v, cond ? cond : name ? name : "(unnamed)");
			if (mrm__json_num(t, "value", &x)) {
				puts_(v, " (");
				num(v, x);
				puts_(v, ")");
			}
		}
		puts_(v, ".</li>\n");
	}
	summary_provenance(v);
	puts_(v, "</ul>\n</section>\n");
	json_decref(explained);
}
