/*
 * mrm drift: flags to mrm_drift_options, and the drift document as JSON, a terminal table or
 * an HTML page (--html).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cmd.h"
#include "mrm/drift.h"
#include "mrm/report.h"
#include "mrm/table.h"

static const struct cli_opt spec[] = {
	{ "reference", OPT_VALUE, NULL },
	{ "current", OPT_VALUE, NULL },
	{ "columns", OPT_LIST, NULL },
	{ "method", OPT_LIST, NULL },
	{ "threshold", OPT_LIST, NULL },
	{ "correction", OPT_VALUE, NULL },
	{ "check", OPT_LIST, NULL },
	{ "timestamp", OPT_VALUE, NULL },
	{ "window", OPT_VALUE, NULL },
	{ "label", OPT_VALUE, NULL },
	{ "score", OPT_VALUE, NULL },
	{ "delimiter", OPT_VALUE, NULL },
	{ "no-header", OPT_BOOL, NULL },
	{ "na", OPT_LIST, NULL },
	{ "format", OPT_VALUE, NULL },
	{ "html", OPT_VALUE, NULL },
	{ NULL, 0, NULL },
};


/* A row of the terminal table. */
struct row {
	const char *name;
	json_t *col;
	double severity; /* the score relative to its threshold; -1 when undefined */
};

static double severity(json_t *col)
{
	json_t *p = json_object_get(col, "p_value_adjusted");
	double thr = json_number_value(json_object_get(col, "threshold"));

	if (!p || !json_is_number(p))
		p = json_object_get(col, "p_value");
	if (!json_is_string(json_object_get(col, "method")) ||
	    !json_is_number(json_object_get(col, "statistic")))
		return -1;
	if (json_is_number(p))
		return json_number_value(p) > 0 ? thr / json_number_value(p) : HUGE_VAL;
	return fabs(json_number_value(json_object_get(col, "statistic"))) / thr;
}

static int by_severity(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	int da = json_is_true(json_object_get(a->col, "drifted"));
	int db = json_is_true(json_object_get(b->col, "drifted"));

	if (da != db)
		return db - da;
	if (a->severity != b->severity)
		return a->severity < b->severity ? 1 : -1;
	return strcmp(a->name, b->name);
}

static const char *fmt(json_t *v, char *buf, size_t cap)
{
	if (json_is_number(v))
		snprintf(buf, cap, "%.4g", json_number_value(v));
	else
		snprintf(buf, cap, "-");
	return buf;
}

static void print_side(const char *what, json_t *s, json_t *source)
{
	const char *kind = json_string_value(json_object_get(source, what));

	printf("%s: %s (%s%lld rows", what, json_string_value(json_object_get(s, "path")),
	       kind && !strcmp(kind, "profile") ? "profile, " : "",
	       (long long)json_integer_value(json_object_get(s, "rows")));
	if (json_is_string(json_object_get(s, "sha256")))
		printf(", sha256 %.16s...", json_string_value(json_object_get(s, "sha256")));
	printf(")\n");
}

/* "a, b, c +2": the names that fit in `cap` bytes, then how many are left out. */
static void join(char *buf, size_t cap, const char *const *names, size_t n)
{
	size_t i, at = 0;

	buf[0] = 0;
	for (i = 0; i < n; i++) {
		size_t need = strlen(names[i]) + (i ? 2 : 0);

		if (at + need + 5 >= cap) {
			snprintf(buf + at, cap - at, "%s+%zu", i ? " " : "", n - i);
			return;
		}
		at += (size_t)snprintf(buf + at, cap - at, "%s%s", i ? ", " : "", names[i]);
	}
	if (!n)
		snprintf(buf, cap, "-");
}

static bool not_applicable(json_t *e)
{
	const char *s = json_string_value(json_object_get(e, "status"));

	return s && !strcmp(s, "not_applicable");
}

/* The quality section: failed checks with their values and details, then those not applicable. */
static void print_quality(json_t *q)
{
	size_t i, failed = 0, na = 0;
	json_t *e;
	char v[32], t[32], nas[48] = "";

	if (!q)
		return;
	json_array_foreach(q, i, e) {
		failed += json_is_true(json_object_get(e, "failed"));
		na += not_applicable(e);
	}
	if (na)
		snprintf(nas, sizeof(nas), " (%zu not applicable)", na);
	if (!failed)
		printf("\nquality: %zu checks passed%s\n", json_array_size(q) - na, nas);
	else
		printf("\nquality: %zu of %zu checks failed%s\n", failed, json_array_size(q), nas);
	json_array_foreach(q, i, e) {
		const char *col = json_string_value(json_object_get(e, "column"));

		if (!failed || !json_is_true(json_object_get(e, "failed")))
			continue;
		printf("  %-16s %-20s %8s > %-6s %s%s\n", json_string_value(json_object_get(e, "check")),
		       col ? col : "-", fmt(json_object_get(e, "value"), v, sizeof(v)),
		       fmt(json_object_get(e, "threshold"), t, sizeof(t)),
		       json_string_value(json_object_get(e, "detail")),
		       json_is_true(json_object_get(e, "estimated")) ? " (estimated)" : "");
	}
	json_array_foreach(q, i, e) {
		const char *col = json_string_value(json_object_get(e, "column"));

		if (not_applicable(e))
			printf("  %-16s %-20s %8s   %-6s %s\n", json_string_value(json_object_get(e, "check")),
			       col ? col : "-", "n/a", "", json_string_value(json_object_get(e, "detail")));
	}
}

/* "n 120, auc 0.81, ...": the metrics of a window or of the whole current data. */
static void metrics_text(json_t *m, char *buf, size_t cap)
{
	static const char *const keys[][2] = { { "count", "n" }, { "roc_auc", "auc" },
					       { "accuracy", "acc" }, { "brier_score", "brier" },
					       { "log_loss", "log_loss" }, { "positive_rate", "pos" },
					       { "mean_score", "mean_score" } };
	size_t i, at = 0;
	char v[32];

	buf[0] = 0;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && at < cap; i++) {
		json_t *x = json_object_get(m, keys[i][0]);

		if (json_is_integer(x))
			at += (size_t)snprintf(buf + at, cap - at, "%s%s %lld", at ? ", " : "", keys[i][1],
					       (long long)json_integer_value(x));
		else if (x)
			at += (size_t)snprintf(buf + at, cap - at, "%s%s %s", at ? ", " : "", keys[i][1],
					       fmt(x, v, sizeof(v)));
	}
}

static void print_windows(json_t *doc)
{
	json_t *ws = json_object_get(doc, "windows"), *w;
	bool days = json_integer_value(json_object_get(doc, "window_seconds")) % 86400 == 0;
	size_t i, flagged = 0;

	json_array_foreach(ws, i, w)
		flagged += json_is_true(json_object_get(w, "dataset_drift")) ||
			   json_integer_value(json_object_get(w, "quality_failed")) > 0;
	printf("\nwindows of %s by %s: %zu, %zu with drift or failed checks\n",
	       json_string_value(json_object_get(doc, "window")),
	       json_string_value(json_object_get(doc, "timestamp")), json_array_size(ws), flagged);
	printf("%-*s %7s %7s  %-28s %-36s %s\n", days ? 10 : 16, "start", "rows", "share", "drifted columns",
	       "failed checks", "metrics");
	json_array_foreach(ws, i, w) {
		const char *start = json_string_value(json_object_get(w, "start"));
		const char *names[64], *checks[64];
		char st[32], share[32], dc[40], fc[48], mt[160];
		size_t nd = 0, nc = 0, k;
		json_t *c, *e;
		const char *key;

		if (days)
			snprintf(st, sizeof(st), "%.10s", start);
		else
			snprintf(st, sizeof(st), "%.10s %.5s", start, start + 11);
		json_object_foreach(json_object_get(w, "columns"), key, c)
			if (json_is_true(json_object_get(c, "drifted")) && nd < 64)
				names[nd++] = key;
		/* "check:column" texts live in a buffer per entry, kept until printed. */
		{
			char keep[64][64];

			json_array_foreach(json_object_get(w, "quality"), k, e) {
				const char *col = json_string_value(json_object_get(e, "column"));

				if (!json_is_true(json_object_get(e, "failed")) || nc >= 64)
					continue;
				snprintf(keep[nc], sizeof(keep[nc]), "%s%s%s",
					 json_string_value(json_object_get(e, "check")), col ? ":" : "",
					 col ? col : "");
				checks[nc] = keep[nc];
				nc++;
			}
			join(dc, sizeof(dc) - 10, names, nd);
			join(fc, sizeof(fc) - 10, checks, nc);
		}
		metrics_text(json_object_get(w, "metrics"), mt, sizeof(mt));
		if (json_is_string(json_object_get(w, "reason"))) {
			printf("%-*s %7lld %7s  (%s)\n", days ? 10 : 16, st,
			       (long long)json_integer_value(json_object_get(w, "rows")), "-",
			       json_string_value(json_object_get(w, "reason")));
			continue;
		}
		printf("%-*s %7lld %7s  %-28s %-36s %s\n", days ? 10 : 16, st,
		       (long long)json_integer_value(json_object_get(w, "rows")),
		       fmt(json_object_get(w, "drift_share"), share, sizeof(share)), dc, fc,
		       mt[0] ? mt : "-");
	}
}

static void print_summary(json_t *doc)
{
	json_t *cols = json_object_get(doc, "columns"), *v;
	size_t n = json_object_size(cols), i = 0;
	struct row *rows = calloc(n ? n : 1, sizeof(*rows));
	size_t approx = 0;
	const char *key;
	char a[32], b[32], t[32];

	if (!rows)
		return;
	print_side("reference", json_object_get(doc, "reference"), json_object_get(doc, "source"));
	print_side("current", json_object_get(doc, "current"), json_object_get(doc, "source"));
	printf("method %s, correction %s\n\n", json_string_value(json_object_get(doc, "method")),
	       json_string_value(json_object_get(doc, "correction")));
	json_object_foreach(cols, key, v) {
		rows[i].name = key;
		rows[i].col = v;
		rows[i].severity = severity(v);
		i++;
	}
	qsort(rows, n, sizeof(*rows), by_severity);
	printf("%-20s %-11s %-16s %10s %10s %9s  %s\n", "column", "type", "method", "statistic",
	       strcmp(json_string_value(json_object_get(doc, "correction")), "none") ? "adj. p" : "p-value",
	       "threshold", "drift");
	if (n == 0)
		printf("(no column in both files)\n");
	for (i = 0; i < n; i++) {
		json_t *c = rows[i].col, *p = json_object_get(c, "p_value_adjusted");
		const char *m = json_string_value(json_object_get(c, "method"));
		char st[40];

		if (!p)
			p = json_object_get(c, "p_value");
		/* "~": computed from profile sketches, within the bounds of the JSON document. */
		snprintf(st, sizeof(st), "%s%s", json_is_true(json_object_get(c, "approximate")) &&
			 json_is_number(json_object_get(c, "statistic")) ? "~" : "",
			 fmt(json_object_get(c, "statistic"), a, sizeof(a)));
		approx += json_is_true(json_object_get(c, "approximate"));
		printf("%-20s %-11s %-16s %10s %10s %9s  %s", rows[i].name,
		       json_string_value(json_object_get(c, "type")), m ? m : "-", st, fmt(p, b, sizeof(b)),
		       fmt(json_object_get(c, "threshold"), t, sizeof(t)),
		       json_is_true(json_object_get(c, "drifted")) ? "DRIFT" : "ok");
		if (json_is_string(json_object_get(c, "reason")))
			printf(" (%s)", json_string_value(json_object_get(c, "reason")));
		printf("\n");
	}
	free(rows);
	if (approx)
		printf("~ approximate: from profile sketches (bounds in --json; docs/drift.md)\n");
	if (json_array_size(json_object_get(doc, "schema"))) {
		printf("\nschema problems:\n");
		json_array_foreach(json_object_get(doc, "schema"), i, v) {
			printf("  %s: %s", json_string_value(json_object_get(v, "column")),
			       json_string_value(json_object_get(v, "problem")));
			if (json_is_string(json_object_get(v, "reference_type")))
				printf(" (%s in reference, %s in current)",
				       json_string_value(json_object_get(v, "reference_type")),
				       json_string_value(json_object_get(v, "current_type")));
			printf("\n");
		}
	}
	printf("\n%lld of %lld columns drifted", (long long)json_integer_value(json_object_get(doc, "columns_drifted")),
	       (long long)json_integer_value(json_object_get(doc, "columns_tested")));
	if (json_is_number(json_object_get(doc, "drift_share")))
		printf(": drift_share %.4g", json_number_value(json_object_get(doc, "drift_share")));
	printf("; dataset drift: %s\n", json_is_true(json_object_get(doc, "dataset_drift")) ? "yes" : "no");
	print_quality(json_object_get(doc, "quality"));
	if (json_is_object(json_object_get(doc, "metrics"))) {
		char mt[256];

		metrics_text(json_object_get(doc, "metrics"), mt, sizeof(mt));
		printf("\nperformance (label %s, score %s): %s\n",
		       json_string_value(json_object_get(doc, "label")),
		       json_string_value(json_object_get(doc, "score")), mt);
	}
	if (json_is_array(json_object_get(doc, "windows")))
		print_windows(doc);
}

/*
 * "TYPE=VALUE" (TYPE numeric or categorical) or a plain VALUE: *typed 1 numeric, 0
 * categorical, -1 plain; *value the text after '='. Usage error for another TYPE.
 */
static int split_typed(struct cli *c, const char *opt, const char *s, int *typed, const char **value)
{
	const char *eq = strchr(s, '=');

	*typed = -1;
	*value = s;
	if (!eq)
		return 0;
	*value = eq + 1;
	if ((size_t)(eq - s) == 7 && !strncmp(s, "numeric", 7))
		*typed = 1;
	else if ((size_t)(eq - s) == 11 && !strncmp(s, "categorical", 11))
		*typed = 0;
	else
		return cli_usage_error(c, "--%s %s: the column type must be numeric or categorical "
				       "(--%s numeric=X --%s categorical=Y)", opt, s, opt, opt);
	if (!**value)
		return cli_usage_error(c, "--%s %s: nothing after '='", opt, s);
	return 0;
}

/*
 * --method NAME (every column it applies to) and/or --method numeric=NAME and
 * --method categorical=NAME (repeatable or comma-separated), and --threshold X or
 * TYPE=X likewise, into the options; each once. The library checks that each test fits.
 */
static int parse_methods(struct cli *c, const char *const *methods, const char *const *thresholds,
			 struct mrm_drift_options *o)
{
	static const char *const tname[2] = { "categorical", "numeric" };
	const char *v;
	size_t i;
	int t, rc;

	for (i = 0; methods && methods[i]; i++) {
		const char **slot;

		if ((rc = split_typed(c, "method", methods[i], &t, &v)))
			return rc;
		if (t < 0 && !mrm_drift_method_known(v))
			return cli_usage_error(c, "--method must be one of ks psi chi2 wasserstein "
					       "jensen_shannon anderson_darling z, not '%s'", v);
		slot = t < 0 ? &o->method : t ? &o->method_numeric : &o->method_categorical;
		if (*slot)
			return cli_usage_error(c, "--method given twice%s%s (%s and %s)", t < 0 ? "" :
					       " for ", t < 0 ? "" : tname[t], *slot, v);
		*slot = v;
	}
	for (i = 0; thresholds && thresholds[i]; i++) {
		double x, *at;
		bool *has;

		if ((rc = split_typed(c, "threshold", thresholds[i], &t, &v)))
			return rc;
		if (mrm_parse_double(v, strlen(v), &x) || !isfinite(x))
			return cli_usage_error(c, "--threshold: '%s' is not a number", v);
		at = t < 0 ? &o->threshold : t ? &o->threshold_numeric : &o->threshold_categorical;
		has = t < 0 ? &o->has_threshold : t ? &o->has_threshold_numeric :
		      &o->has_threshold_categorical;
		if (*has)
			return cli_usage_error(c, "--threshold given twice%s%s", t < 0 ? "" : " for ",
					       t < 0 ? "" : tname[t]);
		*at = x;
		*has = true;
	}
	return 0;
}

int cmd_drift(struct cli *c, int argc, char **argv)
{
	struct mrm_drift_options o = { 0 };
	struct cli_args a = { 0 };
	const char **columns = NULL, **na = NULL, **checks = NULL, **methods = NULL, **thresholds = NULL;
	char *cbuf = NULL, *nbuf = NULL, *kbuf = NULL, *mbuf = NULL, *tbuf = NULL;
	json_t *doc = NULL;
	const char *s, *html;
	int rc, drc;

	if ((rc = cli_parse(c, argc - 1, argv + 1, spec, &a)))
		return rc < 0 ? 0 : rc;
	if ((rc = cli_need_pos(c, &a, 0, 0, "")))
		goto out;
	o.reference = cli_opt(&a, "reference");
	o.current = cli_opt(&a, "current");
	if (!o.reference || !o.current) {
		rc = cli_usage_error(c, "drift needs --reference FILE and --current FILE");
		goto out;
	}
	if ((rc = cli_opt_list(c, &a, "columns", &columns, &cbuf)))
		goto out;
	o.columns = columns;
	if ((rc = cli_opt_list(c, &a, "method", &methods, &mbuf)) ||
	    (rc = cli_opt_list(c, &a, "threshold", &thresholds, &tbuf)) ||
	    (rc = parse_methods(c, methods, thresholds, &o)))
		goto out;
	if ((s = cli_opt(&a, "correction"))) {
		if (!strcmp(s, "none"))
			o.correction = MRM_CORRECTION_NONE;
		else if (!strcmp(s, "bonferroni"))
			o.correction = MRM_CORRECTION_BONFERRONI;
		else if (!strcmp(s, "holm"))
			o.correction = MRM_CORRECTION_HOLM;
		else {
			rc = cli_usage_error(c, "--correction must be none, bonferroni or holm, not '%s'", s);
			goto out;
		}
	}
	if ((rc = cli_opt_list(c, &a, "check", &checks, &kbuf)))
		goto out;
	o.checks = checks;
	o.timestamp = cli_opt(&a, "timestamp");
	o.window = cli_opt(&a, "window");
	o.label = cli_opt(&a, "label");
	o.score = cli_opt(&a, "score");
	if ((rc = cli_read_options(c, &a, &o.read, &na, &nbuf)))
		goto out;
	html = cli_opt(&a, "html");

	drc = mrm_drift_run(&o, &doc, &c->err);
	if (drc && drc != MRM_ECHECK) {
		rc = drc;
		goto out;
	}
	if (html) {
		struct mrm_error e = { 0 };

		if ((rc = mrm_report_drift_html_file(doc, html, &e))) {
			mrm_error_clear(&c->err);
			mrm_error_set(&c->err, rc, "%s", e.msg);
			goto out;
		}
	}
	if (c->json) {
		cli_print_json(json_incref(doc));
	} else {
		print_summary(doc);
		if (html)
			printf("\nreport: %s\n", html);
	}
	fflush(stdout); /* the report before main's one-line message */
	rc = drc;
out:
	json_decref(doc);
	cli_args_release(&a);
	free(columns);
	free(cbuf);
	free(checks);
	free(kbuf);
	free(methods);
	free(mbuf);
	free(thresholds);
	free(tbuf);
	free(na);
	free(nbuf);
	return rc;
}
