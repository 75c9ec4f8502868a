/* The validation document of a stored run: the run and its data, metrics, tests with pass/fail, slices, fairness, warnings and the reviewer. */
#include <stdio.h>
#include <string.h>

#include "report/doc.h"

#define S(o, k) mrm__json_str((o), (k))

static void run(struct mrm__doc *d, json_t *data)
{
	json_t *ev = json_object_get(data, "evidence"), *r = json_object_get(data, "run");
	json_t *dat = json_object_get(r, "data"), *opt = json_object_get(r, "options");
	char a[64], b[64], c[64], g[512];

	mrm__doc_h2(d, "run", "The run");
	mrm__doc_kv_begin(d);
	mrm__doc_kvf(d, "Evidence", "%s (%s), registered by %s on %s", S(ev, "id") ? S(ev, "id") : "?",
		     S(ev, "kind") ? S(ev, "kind") : "?", S(ev, "produced_by") ? S(ev, "produced_by") : "?",
		     S(ev, "created_at") ? S(ev, "created_at") : "?");
	mrm__doc_kv(d, "Model version", S(ev, "version") ? S(ev, "version") : "none given");
	mrm__doc_kv(d, "Result file", S(ev, "path"));
	mrm__doc_kv(d, "Result SHA-256", S(ev, "sha256"));
	if (S(data, "html_report"))
		mrm__doc_kvf(d, "HTML report", "%s (the full report with charts)", S(data, "html_report"));
	mrm__doc_kv(d, "Data", S(dat, "path"));
	mrm__doc_kv(d, "Data SHA-256", S(dat, "sha256"));
	mrm__doc_kv(d, "Task", S(r, "task"));
	mrm__doc_kvf(d, "Rows", "%s (%s positive, %s negative)",
		     mrm__doc_text(r, "rows", a, sizeof(a)) ? a : MRM__DASH,
		     mrm__doc_text(r, "positives", b, sizeof(b)) ? b : MRM__DASH,
		     mrm__doc_text(r, "negatives", c, sizeof(c)) ? c : MRM__DASH);
	if (S(opt, "label"))
		mrm__doc_kvf(d, "Columns", "label %s, score %s", S(opt, "label"),
			     S(opt, "score") ? S(opt, "score") : (S(opt, "prediction") ? S(opt, "prediction") : "?"));
	if (mrm__doc_text(r, "threshold", a, sizeof(a)))
		mrm__doc_kvf(d, "Threshold", "predicted positive when the score is at or above %s", a);
	if (json_array_size(json_object_get(opt, "group")))
		mrm__doc_kv(d, "Groups", mrm__doc_join(json_object_get(opt, "group"), g, sizeof(g)));
	mrm__doc_kv(d, "Validator", S(data, "reviewer"));
	mrm__doc_kv_end(d);
}

static void tests(struct mrm__doc *d, json_t *data)
{
	static const char *const head[] = { "Test", "Condition", "#Value", "Result", "Failed slices" };
	json_t *ts = json_object_get(data, "tests"), *sum = json_object_get(data, "tests_summary"), *t;
	char n[MRM__NUM], a[32], b[32];
	size_t i;

	mrm__doc_h2(d, "tests", "Tests");
	if (!json_array_size(ts)) {
		mrm__doc_missing(d, "the run declared no tests (mrm validate --tests FILE.yaml)");
		return;
	}
	mrm__doc_pf(d, "%s of %s tests passed.", mrm__doc_text(sum, "passed", a, sizeof(a)) ? a : "?",
		    mrm__doc_text(sum, "total", b, sizeof(b)) ? b : "?");
	mrm__doc_table(d, head, 5);
	json_array_foreach(ts, i, t) {
		json_t *p = json_object_get(t, "passed"), *fs = json_object_get(t, "failed_slices"), *s;
		char list[1024] = "";
		size_t k, used = 0;
		if (!mrm__doc_row(d))
			continue;
		mrm__doc_cell(d, S(t, "name"));
		mrm__doc_cell_code(d, S(t, "condition"));
		mrm__doc_cell(d, mrm__doc_num(json_object_get(t, "value"), n));
		if (json_is_true(p))
			mrm__doc_cell_status(d, "pass", "PASS");
		else if (json_is_false(p))
			mrm__doc_cell_status(d, "fail", "FAIL");
		else
			mrm__doc_cell_status(d, "na", "NOT EVALUATED");
		json_array_foreach(fs, k, s) {
			int w = snprintf(list + used, sizeof(list) - used, "%s%s (%s)", used ? ", " : "",
					 S(s, "slice") ? S(s, "slice") : "?",
					 mrm__doc_num(json_object_get(s, "value"), n) ? n : MRM__DASH);
			if (w > 0 && (size_t)w < sizeof(list) - used)
				used += (size_t)w;
		}
		if (used)
			mrm__doc_cell(d, list);
		else
			mrm__doc_cell(d, S(t, "reason"));
	}
	mrm__doc_table_end(d);
}

static void slices(struct mrm__doc *d, json_t *groups)
{
	json_t *g;
	size_t i;
	bool small = false;

	mrm__doc_h2(d, "slices", "Slices");
	if (!json_array_size(groups)) {
		mrm__doc_p(d, "The run was not split by group (mrm validate --group COLUMN).");
		return;
	}
	json_array_foreach(groups, i, g) {
		const char *head[10] = { "Slice", "#Rows", "#Positives" };
		json_t *names = json_object_get(g, "metrics"), *s, *k;
		size_t n = 3, j, r;
		char title[300];

		json_array_foreach(names, j, k)
			if (n < 9)
				head[n++] = "#";
		snprintf(title, sizeof(title), "By %s", S(g, "group") ? S(g, "group") : "?");
		mrm__doc_h3(d, title);
		/* Numeric headers are constant text: spell each metric's name into its own buffer. */
		{
			char hb[6][80];
			for (j = 3; j < n; j++) {
				snprintf(hb[j - 3], sizeof(hb[0]), "#%s", json_string_value(json_array_get(names, j - 3)));
				/* Metric names are identifiers of mrm validate: letters, digits and '_'. */
				for (char *p = hb[j - 3]; *p; p++)
					if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '#'))
						*p = '?';
				head[j] = hb[j - 3];
			}
			mrm__doc_table(d, head, n);
		}
		json_array_foreach(json_object_get(g, "slices"), r, s) {
			char a[MRM__NUM], b[MRM__NUM], c[MRM__NUM];
			json_t *m = json_object_get(s, "metrics");
			if (!mrm__doc_row(d))
				continue;
			if (S(s, "small"))
				small = true;
			mrm__doc_cellf(d, "%s%s", S(s, "slice") ? S(s, "slice") : "?", S(s, "small") ? " (small)" : "");
			mrm__doc_cell(d, mrm__doc_num(json_object_get(s, "n"), a));
			mrm__doc_cell(d, mrm__doc_num(json_object_get(s, "positives"), b));
			json_array_foreach(names, j, k)
				mrm__doc_cell(d, mrm__doc_num(json_object_get(m, json_string_value(k)), c));
		}
		mrm__doc_table_end(d);
	}
	if (small)
		mrm__doc_note(d, "(small): too few rows to support a conclusion; see the warnings.");
}

static void fairness(struct mrm__doc *d, json_t *fair)
{
	static const char *const head[] = { "Group", "Measure", "#Value" };
	json_t *g, *v;
	size_t i;
	const char *k;

	if (!json_array_size(fair))
		return;
	mrm__doc_h2(d, "fairness", "Fairness");
	mrm__doc_table(d, head, 3);
	json_array_foreach(fair, i, g) {
		json_object_foreach(json_object_get(g, "measures"), k, v) {
			char n[MRM__NUM];
			if (!mrm__doc_row(d))
				continue;
			mrm__doc_cell(d, S(g, "group"));
			mrm__doc_cell_code(d, k);
			if (json_is_string(v))
				mrm__doc_cell(d, json_string_value(v));
			else
				mrm__doc_cell(d, mrm__doc_num(v, n));
		}
	}
	mrm__doc_table_end(d);
}

void mrm__doc_validation(struct mrm__doc *d, json_t *data)
{
	json_t *m = json_object_get(data, "model"), *ev = json_object_get(data, "evidence");
	json_t *sum = json_object_get(data, "tests_summary"), *w, *r;
	char title[512], sub[512];
	size_t i;
	double failed = 0;

	snprintf(title, sizeof(title), "Validation report: %s", S(m, "name") ? S(m, "name") : "?");
	snprintf(sub, sizeof(sub), "%s \xc2\xb7 run %s \xc2\xb7 version %s \xc2\xb7 by %s",
		 S(m, "id") ? S(m, "id") : "?", S(ev, "id") ? S(ev, "id") : "?",
		 S(ev, "version") ? S(ev, "version") : "none", S(data, "reviewer") ? S(data, "reviewer") : "?");
	mrm__doc_begin(d, title, sub);
	mrm__json_num(sum, "failed", &failed);
	if (json_array_size(json_object_get(data, "tests")) == 0)
		mrm__doc_callout(d, "warn", "NO TESTS", "The run declared no pass/fail conditions.");
	else if (failed > 0)
		mrm__doc_callout(d, "bad", "FAILED", "At least one declared test failed; see Tests.");
	else
		mrm__doc_callout(d, "ok", "PASSED", "Every declared test passed.");
	run(d, data);
	mrm__doc_h2(d, "metrics", "Metrics");
	mrm__doc_metrics_table(d, json_object_get(data, "metrics"));
	tests(d, data);
	slices(d, json_object_get(data, "slices"));
	fairness(d, json_object_get(data, "fairness"));
	mrm__doc_h2(d, "warnings", "Warnings");
	if (json_array_size(json_object_get(data, "warnings"))) {
		mrm__doc_ul(d);
		json_array_foreach(json_object_get(data, "warnings"), i, w)
			mrm__doc_li(d, json_string_value(w));
		mrm__doc_ul_end(d);
	} else {
		mrm__doc_p(d, "None.");
	}
	mrm__doc_h2(d, "reviews", "Reviews of this version");
	if (!json_array_size(json_object_get(data, "reviews")))
		mrm__doc_p(d, "No review of this version is recorded.");
	else {
		mrm__doc_ul(d);
		json_array_foreach(json_object_get(data, "reviews"), i, r) {
			if (S(r, "decision"))
				mrm__doc_lif(d, "%s: %s by %s on %s: %s", S(r, "id"), S(r, "decision"),
					     S(r, "decided_by") ? S(r, "decided_by") : "?",
					     S(r, "decided_at") ? S(r, "decided_at") : "?",
					     S(r, "decision_note") ? S(r, "decision_note") : "");
			else
				mrm__doc_lif(d, "%s: open", S(r, "id"));
		}
		mrm__doc_ul_end(d);
	}
	mrm__doc_end(d, S(data, "generated_at"));
}
