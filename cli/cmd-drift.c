/*
 * mrm drift: flags to mrm_drift_options, and the drift document as JSON or a terminal table.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cmd.h"
#include "mrm/drift.h"
#include "mrm/table.h"

static const struct cli_opt spec[] = {
	{ "reference", OPT_VALUE, NULL },
	{ "current", OPT_VALUE, NULL },
	{ "columns", OPT_LIST, NULL },
	{ "method", OPT_VALUE, NULL },
	{ "threshold", OPT_VALUE, NULL },
	{ "correction", OPT_VALUE, NULL },
	{ "delimiter", OPT_VALUE, NULL },
	{ "no-header", OPT_BOOL, NULL },
	{ "na", OPT_LIST, NULL },
	{ "format", OPT_VALUE, NULL },
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
}

int cmd_drift(struct cli *c, int argc, char **argv)
{
	struct mrm_drift_options o = { 0 };
	struct cli_args a = { 0 };
	const char **columns = NULL, **na = NULL;
	char *cbuf = NULL, *nbuf = NULL;
	json_t *doc = NULL;
	const char *s;
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
	o.method = cli_opt(&a, "method");
	if (o.method && !mrm_drift_method_known(o.method)) {
		rc = cli_usage_error(c, "--method must be one of ks psi chi2 wasserstein jensen_shannon "
				     "anderson_darling z, not '%s'", o.method);
		goto out;
	}
	if ((s = cli_opt(&a, "threshold"))) {
		if (mrm_parse_double(s, strlen(s), &o.threshold) || !isfinite(o.threshold)) {
			rc = cli_usage_error(c, "--threshold: '%s' is not a number", s);
			goto out;
		}
		o.has_threshold = true;
	}
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
	if ((rc = cli_read_options(c, &a, &o.read, &na, &nbuf)))
		goto out;

	drc = mrm_drift_run(&o, &doc, &c->err);
	if (drc && drc != MRM_ECHECK) {
		rc = drc;
		goto out;
	}
	if (c->json)
		cli_print_json(json_incref(doc));
	else
		print_summary(doc);
	fflush(stdout); /* the report before main's one-line message */
	rc = drc;
out:
	json_decref(doc);
	cli_args_release(&a);
	free(columns);
	free(cbuf);
	free(na);
	free(nbuf);
	return rc;
}
