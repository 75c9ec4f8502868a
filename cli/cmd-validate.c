/*
 * mrm validate: independent validation of a model's predictions: flags to
 * options, the result document as JSON or a terminal summary, the HTML
 * report, and registration of the report as evidence.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "mrm/evidence.h"
#include "mrm/model.h"
#include "mrm/report.h"
#include "mrm/table.h"
#include "mrm/validate.h"

static const struct cli_opt spec[] = {
	{ "data", OPT_VALUE, NULL },
	{ "label", OPT_VALUE, NULL },
	{ "score", OPT_LIST, NULL },
	{ "prediction", OPT_VALUE, NULL },
	{ "group", OPT_LIST, NULL },
	{ "threshold", OPT_VALUE, NULL },
	{ "positive", OPT_VALUE, NULL },
	{ "weight", OPT_VALUE, NULL },
	{ "champion", OPT_VALUE, NULL },
	{ "bootstrap", OPT_VALUE, NULL },
	{ "bootstrap-metrics", OPT_LIST, NULL },
	{ "seed", OPT_VALUE, NULL },
	{ "tests", OPT_VALUE, NULL },
	{ "where", OPT_VALUE, NULL },
	{ "task", OPT_VALUE, NULL },
	{ "classes", OPT_LIST, NULL },
	{ "bins", OPT_VALUE, NULL },
	{ "binning", OPT_VALUE, NULL },
	{ "streaming", OPT_BOOL, NULL },
	{ "threads", OPT_VALUE, NULL },
	{ "model", OPT_VALUE, NULL },
	{ "version", OPT_VALUE, NULL },
	{ "html", OPT_VALUE, NULL },
	{ "delimiter", OPT_VALUE, NULL },
	{ "no-header", OPT_BOOL, NULL },
	{ "na", OPT_LIST, NULL },
	{ "format", OPT_VALUE, NULL },
	{ "skip-bad-rows", OPT_BOOL, NULL },
	{ NULL, 0, NULL },
};


static int parse_number(struct cli *c, const char *flag, const char *s, double *out)
{
	if (mrm_parse_double(s, strlen(s), out) || !isfinite(*out))
		return cli_usage_error(c, "--%s: '%s' is not a number", flag, s);
	return 0;
}

static int parse_count(struct cli *c, const char *flag, const char *s, uint64_t min, uint64_t max,
		       uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!*s || *s == '-' || *s == '+')
		return cli_usage_error(c, "--%s: '%s' is not a whole number", flag, s);
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return cli_usage_error(c, "--%s: '%s' is not a whole number", flag, s);
	if (v < min || v > max)
		return cli_usage_error(c, "--%s must be between %" PRIu64 " and %" PRIu64, flag, min, max);
	*out = v;
	return 0;
}

/* ---- the terminal summary ------------------------------------------------------ */

static const char *num(json_t *v, char *buf, size_t cap)
{
	double x;

	if (json_is_integer(v)) {
		snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	if (!json_is_number(v))
		return "-";
	x = json_number_value(v);
	if (fabs(x) >= 1e5)
		snprintf(buf, cap, "%.4g", x);
	else
		snprintf(buf, cap, "%.4f", x);
	return buf;
}

static const char *interval(json_t *ci, char *buf, size_t cap)
{
	char a[32], b[32];

	if (!json_is_array(ci))
		return "";
	snprintf(buf, cap, "[%s, %s]", num(json_array_get(ci, 0), a, sizeof(a)),
		 num(json_array_get(ci, 1), b, sizeof(b)));
	return buf;
}

static void print_metrics(json_t *res)
{
	json_t *m = json_object_get(res, "metrics"), *ci = json_object_get(res, "ci");
	json_t *method = json_object_get(res, "ci_method"), *undef = json_object_get(res, "undefined");
	const char *key;
	json_t *v;
	char a[32], b[80];
	bool any_undef = false;

	printf("\n%-24s %10s  %-22s %s\n", "METRIC", "VALUE", "95% CI", "METHOD");
	json_object_foreach(m, key, v) {
		if (json_is_null(v)) {
			any_undef = true;
			continue;
		}
		printf("%-24s %10s  %-22s %s\n", key, num(v, a, sizeof(a)),
		       interval(json_object_get(ci, key), b, sizeof(b)),
		       json_string_value(json_object_get(method, key)) ?
		       json_string_value(json_object_get(method, key)) : "");
	}
	if (!any_undef)
		return;
	/* Undefined metrics, grouped by their reason. */
	printf("\nundefined:\n");
	{
		json_t *done = json_object();

		json_object_foreach(m, key, v) {
			const char *why = json_string_value(json_object_get(undef, key)), *k2;
			json_t *v2;
			bool first = true;

			if (!json_is_null(v) || json_object_get(done, key))
				continue;
			printf("  ");
			json_object_foreach(m, k2, v2) {
				const char *w2 = json_string_value(json_object_get(undef, k2));

				if (!json_is_null(v2) || json_object_get(done, k2) ||
				    (why && w2 && strcmp(why, w2)) || (!why) != (!w2))
					continue;
				printf("%s%s", first ? "" : ", ", k2);
				first = false;
				json_object_set_new(done, k2, json_true());
			}
			printf(": %s\n", why ? why : "undefined");
		}
		json_decref(done);
	}
}

static void print_groups(json_t *res)
{
	static const char *const cols[] = { "roc_auc", "accuracy", "recall", "fpr", "selection_rate",
					    "mae", "rmse", "f1_macro", NULL };
	json_t *groups = json_object_get(res, "groups"), *fair = json_object_get(res, "fairness");
	json_t *worst = json_object_get(res, "worst_slice"), *g;
	const char *key;

	json_object_foreach(groups, key, g) {
		const char *name;
		json_t *s, *f = json_object_get(fair, key), *w = json_object_get(worst, key);
		char a[32];
		size_t i, width = 5;

		json_object_foreach(g, name, s)
			if (strlen(name) > width)
				width = strlen(name) > 40 ? 40 : strlen(name);
		printf("\nslices by %s (%zu):\n%-*s %9s %9s", key, json_object_size(g), (int)width,
		       "SLICE", "N", "POS");
		json_object_foreach(g, name, s) {
			for (i = 0; cols[i]; i++)
				if (json_object_get(json_object_get(s, "metrics"), cols[i]))
					printf(" %9.9s", cols[i]);
			break;
		}
		printf("  NOTE\n");
		json_object_foreach(g, name, s) {
			json_t *m = json_object_get(s, "metrics");

			printf("%-*.*s %9s", (int)width, (int)width, name,
			       num(json_object_get(s, "n"), a, sizeof(a)));
			printf(" %9s", num(json_object_get(s, "positives"), a, sizeof(a)));
			for (i = 0; cols[i]; i++)
				if (json_object_get(m, cols[i]))
					printf(" %9s", num(json_object_get(m, cols[i]), a, sizeof(a)));
			printf("  %s\n", json_is_string(json_object_get(s, "small")) ? "small" : "");
		}
		if (json_is_string(json_object_get(w, "slice")))
			printf("worst slice by %s: %s (%s)\n", json_string_value(json_object_get(w, "metric")),
			       json_string_value(json_object_get(w, "slice")),
			       num(json_object_get(w, "value"), a, sizeof(a)));
		if (f) {
			static const char *const fk[] = {
				"demographic_parity_difference", "demographic_parity_ratio",
				"equalized_odds_difference", "equalized_odds_ratio",
				"equal_opportunity_difference", "disparate_impact_ratio", NULL,
			};
			json_t *ff = json_object_get(f, "four_fifths_rule");

			printf("fairness by %s:\n", key);
			for (i = 0; fk[i]; i++) {
				json_t *v = json_object_get(f, fk[i]);

				printf("  %-30s %10s", fk[i], num(v, a, sizeof(a)));
				if (!strcmp(fk[i], "disparate_impact_ratio") && json_is_string(ff))
					printf("  %s (four-fifths rule: >= 0.8)",
					       strcmp(json_string_value(ff), "pass") ? "FAIL" : "PASS");
				if (json_is_null(v) &&
				    json_is_string(json_object_get(json_object_get(f, "undefined"), fk[i])))
					printf("  %s", json_string_value(json_object_get(json_object_get(f, "undefined"),
											   fk[i])));
				printf("\n");
			}
		}
	}
}

static void print_summary(json_t *res)
{
	json_t *data = json_object_get(res, "data"), *excl = json_object_get(res, "excluded");
	json_t *tests = json_object_get(res, "tests"), *warn = json_object_get(res, "warnings");
	json_t *cmp = json_object_get(res, "comparison"), *cm = json_object_get(res, "confusion_matrix");
	const char *key;
	json_t *v;
	char a[32], b[32], c[80];
	size_t i, nexcl = 0;

	printf("validation of %s (%s, %s rows read",
	       strcmp(json_string_value(json_object_get(data, "path")), "-") ?
	       json_string_value(json_object_get(data, "path")) : "standard input",
	       json_string_value(json_object_get(data, "format")),
	       num(json_object_get(data, "rows_read"), a, sizeof(a)));
	if (json_is_string(json_object_get(data, "sha256")))
		printf(", sha256 %.16s...", json_string_value(json_object_get(data, "sha256")));
	printf(")\n");
	printf("task %s: %s rows", json_string_value(json_object_get(res, "task")),
	       num(json_object_get(res, "rows"), a, sizeof(a)));
	if (json_object_get(res, "positives"))
		printf(", %s positives", num(json_object_get(res, "positives"), a, sizeof(a)));
	if (json_is_string(json_object_get(json_object_get(res, "options"), "prediction")))
		printf(", predictions from column '%s'",
		       json_string_value(json_object_get(json_object_get(res, "options"), "prediction")));
	else if (json_is_number(json_object_get(res, "threshold")))
		printf(", predicted positive when score >= %g",
		       json_number_value(json_object_get(res, "threshold")));
	else if (json_is_null(json_object_get(res, "threshold")))
		printf(", no threshold (scores are not probabilities: give --threshold)");
	printf("\n");
	json_object_foreach(excl, key, v)
		nexcl += json_integer_value(v) != 0;
	if (nexcl) {
		printf("excluded:");
		json_object_foreach(excl, key, v)
			if (json_integer_value(v))
				printf(" %s %" JSON_INTEGER_FORMAT, key, json_integer_value(v));
		printf("\n");
	}
	print_metrics(res);
	if (json_is_object(cm) && json_object_get(cm, "tp"))
		printf("\nconfusion matrix: TP %s  FP %s  FN %s  TN %s\n",
		       num(json_object_get(cm, "tp"), a, sizeof(a)), num(json_object_get(cm, "fp"), b, sizeof(b)),
		       num(json_object_get(cm, "fn"), c, sizeof(c)),
		       num(json_object_get(cm, "tn"), c + 40, sizeof(c) - 40));
	print_groups(res);
	if (cmp) {
		printf("\nchampion %s vs challenger %s (paired, DeLong):\n",
		       json_string_value(json_object_get(cmp, "champion")),
		       json_string_value(json_object_get(cmp, "challenger")));
		printf("  roc_auc champion %s, challenger %s, difference %s %s\n",
		       num(json_object_get(cmp, "roc_auc_champion"), a, sizeof(a)),
		       num(json_object_get(cmp, "roc_auc_challenger"), b, sizeof(b)),
		       num(json_object_get(cmp, "roc_auc_difference"), c, sizeof(c)),
		       interval(json_object_get(cmp, "ci"), c + 40, sizeof(c) - 40));
		printf("  z %s, p_value ", num(json_object_get(cmp, "z"), a, sizeof(a)));
		if (json_is_number(json_object_get(cmp, "p_value")))
			printf("%.4g\n", json_number_value(json_object_get(cmp, "p_value")));
		else
			printf("-\n");
	}
	if (json_array_size(tests)) {
		size_t failed = 0;

		json_array_foreach(tests, i, v)
			failed += !json_is_true(json_object_get(v, "passed"));
		printf("\ntests: %zu passed, %zu failed\n", json_array_size(tests) - failed, failed);
		json_array_foreach(tests, i, v) {
			printf("  %s  %-48s %s", json_is_true(json_object_get(v, "passed")) ? "PASS" : "FAIL",
			       json_string_value(json_object_get(v, "name")),
			       num(json_object_get(v, "value"), a, sizeof(a)));
			if (json_is_string(json_object_get(v, "reason")))
				printf("  (%s)", json_string_value(json_object_get(v, "reason")));
			printf("\n");
		}
	}
	if (json_array_size(warn)) {
		printf("\nwarnings:\n");
		json_array_foreach(warn, i, v)
			printf("  - %s\n", json_string_value(v));
	}
}

/* ---- evidence -------------------------------------------------------------------- */

/* Where the JSON report goes: next to the HTML, or ./mrm-evidence/validation-MODEL-TIME.json. */
static int report_path(struct cli *c, struct mrm_ctx *ctx, const char *model, const char *version,
		       const char *html, char *buf, size_t cap)
{
	char stamp[32], safe[128];
	const char *iso = mrm_ctx_now_iso(ctx);
	size_t i, k = 0;
	int n;

	if (html) {
		const char *dot = strrchr(html, '.'), *slash = strrchr(html, '/');
		size_t base = dot && (!slash || dot > slash) ? (size_t)(dot - html) : strlen(html);

		snprintf(buf, cap, "%.*s.json", (int)base, html);
		return 0;
	}
	for (i = 0; iso[i] && k + 1 < sizeof(stamp); i++)
		if (iso[i] != '-' && iso[i] != ':')
			stamp[k++] = iso[i];
	stamp[k] = '\0';
	if (mkdir("mrm-evidence", 0755) && errno != EEXIST)
		return mrm_error_set(&c->err, MRM_EINPUT, "cannot create mrm-evidence/: %s", strerror(errno));
	/* A version label may hold any character: keep the file name plain. */
	snprintf(safe, sizeof(safe), "%s", version ? version : "");
	for (i = 0; safe[i]; i++)
		if (!isalnum((unsigned char)safe[i]) && safe[i] != '.' && safe[i] != '_' && safe[i] != '-')
			safe[i] = '_';
	for (n = 1; n < 1000; n++) {
		snprintf(buf, cap, "mrm-evidence/validation-%s%s%s-%s%s%.0d.json", model,
			 version ? "-" : "", safe, stamp, n > 1 ? "-" : "", n > 1 ? n : 0);
		if (access(buf, F_OK))
			return 0;
	}
	return mrm_error_set(&c->err, MRM_EINPUT, "too many reports named %s", buf);
}

static int register_evidence(struct cli *c, struct mrm_ctx *ctx, const char *model,
			     const char *version, const char *kind, const char *path, const char *note,
			     json_t *list)
{
	json_t *fields = json_object(), *row = NULL;
	int rc;

	if (version)
		json_object_set_new(fields, "version", json_string(version));
	json_object_set_new(fields, "note", json_string(note));
	rc = mrm_evidence_add(ctx, model, kind, path, fields, &row, &c->err);
	json_decref(fields);
	if (rc)
		return rc;
	json_array_append_new(list, json_pack("{s:O,s:s,s:O,s:O}", "id", json_object_get(row, "id"),
					      "kind", kind, "path", json_object_get(row, "path"),
					      "sha256", json_object_get(row, "sha256")));
	json_decref(row);
	return 0;
}

/* ---- the command ------------------------------------------------------------------- */

int cmd_validate(struct cli *c, int argc, char **argv)
{
	struct cli_args a = { 0 };
	struct mrm_validate_options o = { 0 };
	struct mrm_ctx *ctx = NULL;
	json_t *res = NULL, *evidence = NULL;
	const char **scores = NULL, **groups = NULL, **na = NULL, **classes = NULL;
	char *sbuf = NULL, *gbuf = NULL, *nbuf = NULL, *cbuf = NULL;
	const char *s, *model, *version, *html;
	char jpath[4096];
	bool wrote_json = false;
	int rc, vrc = 0;

	if ((rc = cli_parse(c, argc - 1, argv + 1, spec, &a)))
		goto out;
	if ((rc = cli_need_pos(c, &a, 0, 0, "")))
		goto out;
	if (!(o.data = cli_opt(&a, "data"))) {
		rc = cli_usage_error(c, "missing --data FILE");
		goto out;
	}
	if (!(o.label = cli_opt(&a, "label"))) {
		rc = cli_usage_error(c, "missing --label COLUMN");
		goto out;
	}
	if ((rc = cli_opt_list(c, &a, "score", &scores, &sbuf)) ||
	    (rc = cli_opt_list(c, &a, "group", &groups, &gbuf)) ||
	    (rc = cli_opt_list(c, &a, "classes", &classes, &cbuf)))
		goto out;
	o.score = scores;
	o.groups = groups;
	o.classes = classes;
	o.prediction = cli_opt(&a, "prediction");
	o.positive = cli_opt(&a, "positive");
	o.weight = cli_opt(&a, "weight");
	o.champion = cli_opt(&a, "champion");
	o.tests = cli_opt(&a, "tests");
	o.where = cli_opt(&a, "where");
	o.streaming = json_is_true(json_object_get(a.opts, "streaming"));
	if (!scores && !o.prediction) {
		rc = cli_usage_error(c, "missing --score COLUMN (or --prediction COLUMN)");
		goto out;
	}
	if ((s = cli_opt(&a, "task"))) {
		if (!strcmp(s, "binary"))
			o.task = MRM_TASK_BINARY;
		else if (!strcmp(s, "regression"))
			o.task = MRM_TASK_REGRESSION;
		else if (!strcmp(s, "multiclass"))
			o.task = MRM_TASK_MULTICLASS;
		else {
			rc = cli_usage_error(c, "--task must be binary, regression or multiclass, not '%s'", s);
			goto out;
		}
	}
	if ((s = cli_opt(&a, "threshold"))) {
		if ((rc = parse_number(c, "threshold", s, &o.threshold)))
			goto out;
		o.threshold_given = true;
	}
	if ((s = cli_opt(&a, "bootstrap"))) {
		uint64_t v;

		if ((rc = parse_count(c, "bootstrap", s, 1, 1000000, &v)))
			goto out;
		o.bootstrap = (size_t)v;
	}
	if ((s = cli_opt(&a, "seed")) && (rc = parse_count(c, "seed", s, 0, UINT64_MAX, &o.seed)))
		goto out;
	if (json_object_get(a.opts, "bootstrap_metrics")) {
		const char **l = NULL;
		char *lb = NULL;
		size_t i;

		if ((rc = cli_opt_list(c, &a, "bootstrap_metrics", &l, &lb)))
			goto out;
		for (i = 0; l[i]; i++) {
			int id = mrm_binary_metric_id(l[i]);

			if (id < 0) {
				rc = cli_usage_error(c, "--bootstrap-metrics: unknown metric '%s' (binary metrics: "
						     "roc_auc, gini, average_precision, ks_statistic, log_loss, "
						     "brier_score, ece, mce, accuracy, balanced_accuracy, precision, "
						     "recall, specificity, f1, matthews_corrcoef, fpr, fnr, "
						     "selection_rate)", l[i]);
				break;
			}
			o.bootstrap_metrics |= 1ULL << id;
		}
		free(l);
		free(lb);
		if (rc)
			goto out;
	}
	if ((s = cli_opt(&a, "bins"))) {
		uint64_t v;

		if ((rc = parse_count(c, "bins", s, 1, MRM_ACC_MAX_BINS, &v)))
			goto out;
		o.bins = (size_t)v;
	}
	if ((s = cli_opt(&a, "threads"))) {
		uint64_t v;

		if ((rc = parse_count(c, "threads", s, 1, 64, &v)))
			goto out;
		o.threads = (unsigned)v;
		o.read.threads = (int)v;
	}
	if ((s = cli_opt(&a, "binning"))) {
		if (!strcmp(s, "width"))
			o.binning = MRM_BINS_UNIFORM;
		else if (!strcmp(s, "count"))
			o.binning = MRM_BINS_QUANTILE;
		else {
			rc = cli_usage_error(c, "--binning must be width or count, not '%s'", s);
			goto out;
		}
	}
	if ((rc = cli_read_options(c, &a, &o.read, &na, &nbuf)))
		goto out;
	model = cli_opt(&a, "model");
	version = cli_opt(&a, "version");
	html = cli_opt(&a, "html");
	if (version && !model) {
		rc = cli_usage_error(c, "--version needs --model ID");
		goto out;
	}
	if (model) {
		json_t *m = NULL;

		/* The store and the model first: a typo should not wait for the data. */
		if ((rc = cli_open(c, false, &ctx)) || (rc = mrm_model_show(ctx, model, &m, &c->err)))
			goto out;
		if (version) {
			json_t *v;
			size_t i;
			bool found = false;

			json_array_foreach(json_object_get(m, "versions"), i, v)
				found |= json_is_string(json_object_get(v, "version")) &&
					 !strcmp(json_string_value(json_object_get(v, "version")), version);
			if (!found) {
				json_decref(m);
				rc = mrm_error_set(&c->err, MRM_ENOTFOUND,
						   "model '%s' has no version '%s' (see 'mrm model show %s')",
						   model, version, model);
				goto out;
			}
		}
		json_decref(m);
	}

	vrc = mrm_validate(&o, &res, &c->err);
	if (vrc && vrc != MRM_ECHECK) {
		rc = vrc;
		goto out;
	}
	if (html) {
		struct mrm_error e = { 0 };

		if ((rc = mrm_report_validation_html_file(res, html, &e))) {
			mrm_error_clear(&c->err);
			mrm_error_set(&c->err, rc, "%s", e.msg);
			goto out;
		}
	}
	if (model) {
		char note[256];
		json_t *tests = json_object_get(res, "tests");
		size_t failed = (size_t)json_integer_value(json_object_get(res, "tests_failed"));
		struct mrm_error keep = c->err;

		mrm_error_clear(&c->err);
		if ((rc = report_path(c, ctx, model, version, html, jpath, sizeof(jpath))))
			goto out;
		if (json_dump_file(res, jpath, JSON_INDENT(2) | JSON_REAL_PRECISION(17))) {
			rc = mrm_error_set(&c->err, MRM_EINPUT, "cannot write %s", jpath);
			goto out;
		}
		wrote_json = true;
		if (json_array_size(tests))
			snprintf(note, sizeof(note), "mrm validate of %s: %zu of %zu tests passed", o.data,
				 json_array_size(tests) - failed, json_array_size(tests));
		else
			snprintf(note, sizeof(note), "mrm validate of %s", o.data);
		evidence = json_array();
		if ((rc = register_evidence(c, ctx, model, version, "validation-report", jpath, note, evidence)) ||
		    (html && (rc = register_evidence(c, ctx, model, version, "validation-report", html, note,
						     evidence))) ||
		    (groups && (rc = register_evidence(c, ctx, model, version, "fairness-report", jpath, note,
						       evidence))))
			goto out;
		wrote_json = false; /* registered: keep it */
		c->err = keep;
		json_object_set(res, "evidence", evidence);
	}
	if (c->json) {
		cli_print_json(json_incref(res));
	} else {
		size_t i;
		json_t *e;

		print_summary(res);
		if (html)
			printf("\nreport: %s\n", html);
		json_array_foreach(evidence, i, e)
			printf("%sevidence %s registered for %s (%s): %s\n", i ? "" : "\n",
			       json_string_value(json_object_get(e, "id")), model,
			       json_string_value(json_object_get(e, "kind")),
			       json_string_value(json_object_get(e, "path")));
	}
	fflush(stdout); /* the report before main's one-line message */
	rc = vrc;
out:
	/* A report that could not be registered is not left behind (the HTML was asked for: kept). */
	if (rc && wrote_json)
		unlink(jpath);
	json_decref(res);
	json_decref(evidence);
	mrm_ctx_free(ctx);
	cli_args_release(&a);
	free(scores);
	free(groups);
	free(na);
	free(classes);
	free(sbuf);
	free(gbuf);
	free(nbuf);
	free(cbuf);
	return rc;
}
