/* mrm monitor: attach monitors to models, list, show and disable them, and run them on new data. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "mrm/monitor.h"
#include "mrm/table.h"

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : "-";
}

/* "below: warn < 0.05, alert < 0.01" and friends. */
static void describe_thresholds(json_t *m, char *buf, size_t cap)
{
	const char *d = json_string_value(json_object_get(m, "direction"));
	double warn = json_number_value(json_object_get(m, "warn"));
	double alert = json_number_value(json_object_get(m, "alert"));

	if (!d)
		snprintf(buf, cap, "direction of the deciding test: warn %g, alert %g", warn, alert);
	else if (!strcmp(d, "above"))
		snprintf(buf, cap, "warn >= %g, alert >= %g", warn, alert);
	else
		snprintf(buf, cap, "warn < %g, alert < %g", warn, alert);
}

static int add_cmd(struct cli *c, struct mrm_ctx **ctx, int argc, char **argv)
{
	static const struct cli_opt spec[] = {
		{ "signal", OPT_VALUE, NULL }, { "warn", OPT_VALUE, NULL }, { "alert", OPT_VALUE, NULL },
		{ "direction", OPT_VALUE, NULL }, { "window", OPT_VALUE, NULL },
		{ "timestamp", OPT_VALUE, NULL }, { "reference", OPT_VALUE, NULL },
		{ "columns", OPT_LIST, NULL }, { "route", OPT_VALUE, NULL },
		{ "label", OPT_VALUE, NULL }, { "score", OPT_VALUE, NULL },
		{ "threshold", OPT_VALUE, NULL }, { "no-finding", OPT_BOOL, NULL }, { NULL, 0, NULL },
	};
	static const char *const req[] = { "signal", "warn", "alert", NULL };
	struct cli_args a = { 0 };
	const char **cols = NULL;
	char *cbuf = NULL;
	json_t *out = NULL;
	char th[160];
	int rc;

	if ((rc = cli_parse(c, argc, argv, spec, &a)) || (rc = cli_need_pos(c, &a, 1, 1, "model ID")))
		goto out;
	for (const char *const *r = req; *r; r++)
		if (!cli_opt(&a, *r)) {
			rc = cli_usage_error(c, "missing --%s", *r);
			goto out;
		}
	if ((rc = cli_opt_list(c, &a, "columns", &cols, &cbuf)))
		goto out;
	if (cols) {
		json_t *arr = json_array();
		for (const char **p = cols; *p; p++)
			json_array_append_new(arr, json_string(*p));
		json_object_set_new(a.opts, "columns", arr);
	}
	if ((rc = cli_open(c, false, ctx)) ||
	    (rc = mrm_monitor_add(*ctx, a.pos[0], a.opts, &out, &c->err)))
		goto out;
	if (c->json) {
		cli_print_json(json_incref(out));
		goto out;
	}
	describe_thresholds(out, th, sizeof(th));
	printf("monitor %s added to %s: %s (%s)\n", str(out, "id"), a.pos[0], str(out, "signal"), th);
	if (json_is_string(json_object_get(out, "reference")))
		printf("reference: %s\n", str(out, "reference"));
	if (json_is_array(json_object_get(out, "columns"))) {
		char buf[1024];
		printf("columns: %s\n", cli_text(json_object_get(out, "columns"), buf, sizeof(buf)));
	}
	if (json_is_string(json_object_get(out, "route")))
		printf("route: %s\n", str(out, "route"));
	if (json_is_string(json_object_get(out, "label_column")))
		printf("metric of score %s against label %s%s%s\n", str(out, "score_column"),
		       str(out, "label_column"),
		       json_is_number(json_object_get(out, "score_threshold")) ? ", positive when score >= " : "",
		       json_is_number(json_object_get(out, "score_threshold")) ? cli_opt(&a, "threshold") : "");
	if (json_is_string(json_object_get(out, "time_window")))
		printf("window: %s on column %s\n", str(out, "time_window"), str(out, "timestamp_column"));
	if (!json_is_true(json_object_get(out, "open_findings")))
		printf("alerts on a tier 1 model will not open findings (--no-finding)\n");
out:
	json_decref(out);
	cli_args_release(&a);
	free(cols);
	free(cbuf);
	return rc;
}

static int list_cmd(struct cli *c, struct mrm_ctx **ctx, int argc, char **argv)
{
	static const struct cli_opt spec[] = { { NULL, 0, NULL } };
	static const struct cli_col cols[] = {
		{ "id", "MONITOR" }, { "model_id", "MODEL" }, { "signal", "SIGNAL" },
		{ "direction", "DIRECTION" }, { "warn", "WARN" }, { "alert", "ALERT" },
		{ "time_window", "WINDOW" }, { "status", "STATUS" }, { "last_level", "LAST" },
		{ "last_value", "VALUE" }, { "open_alerts", "OPEN ALERTS" }, { "route", "ROUTE" },
		{ NULL, NULL },
	};
	struct cli_args a = { 0 };
	json_t *out = NULL;
	int rc;

	if ((rc = cli_parse(c, argc, argv, spec, &a)) || (rc = cli_need_pos(c, &a, 0, 1, "")))
		goto out;
	if ((rc = cli_open(c, false, ctx)) ||
	    (rc = mrm_monitor_list(*ctx, a.npos ? a.pos[0] : NULL, &out, &c->err)))
		goto out;
	if (c->json) {
		cli_print_json(json_pack("{s:O}", "monitors", out));
	} else {
		size_t i;
		json_t *v;
		/* a monitor without a direction follows its column's deciding test */
		json_array_foreach(out, i, v)
			if (json_is_null(json_object_get(v, "direction")))
				json_object_set_new(v, "direction", json_string("test"));
		cli_print_table(out, cols);
	}
out:
	json_decref(out);
	cli_args_release(&a);
	return rc;
}

static int show_cmd(struct cli *c, struct mrm_ctx **ctx, int argc, char **argv)
{
	static const struct cli_opt spec[] = { { NULL, 0, NULL } };
	static const char *const skip[] = { "results", "open_alerts", NULL };
	static const struct cli_col rcols[] = {
		{ "id", "RESULT" }, { "run", "RUN" }, { "window_start", "WINDOW" }, { "value", "VALUE" },
		{ "level", "LEVEL" }, { "created_at", "AT" }, { NULL, NULL },
	};
	static const struct cli_col acols[] = {
		{ "id", "ALERT" }, { "level", "LEVEL" }, { "value", "VALUE" }, { "threshold", "THRESHOLD" },
		{ "finding_id", "FINDING" }, { "created_at", "RAISED" }, { NULL, NULL },
	};
	struct cli_args a = { 0 };
	json_t *out = NULL;
	int rc;

	if ((rc = cli_parse(c, argc, argv, spec, &a)) ||
	    (rc = cli_need_pos(c, &a, 1, 1, "monitor id (M-N)")) || (rc = cli_open(c, false, ctx)) ||
	    (rc = mrm_monitor_show(*ctx, a.pos[0], &out, &c->err)))
		goto out;
	if (c->json) {
		cli_print_json(json_incref(out));
		goto out;
	}
	cli_print_record(out, skip);
	if (json_array_size(json_object_get(out, "open_alerts"))) {
		printf("\nopen alerts:\n");
		cli_print_table(json_object_get(out, "open_alerts"), acols);
	}
	printf("\nlast results:\n");
	if (json_array_size(json_object_get(out, "results")))
		cli_print_table(json_object_get(out, "results"), rcols);
	else
		printf("(none yet: 'mrm monitor run %s --data FILE')\n", str(out, "model_id"));
out:
	json_decref(out);
	cli_args_release(&a);
	return rc;
}

static int disable_cmd(struct cli *c, struct mrm_ctx **ctx, int argc, char **argv)
{
	static const struct cli_opt spec[] = { { "reason", OPT_VALUE, NULL }, { NULL, 0, NULL } };
	struct cli_args a = { 0 };
	json_t *out = NULL;
	int rc;

	if ((rc = cli_parse(c, argc, argv, spec, &a)) ||
	    (rc = cli_need_pos(c, &a, 1, 1, "monitor id (M-N)")) || (rc = cli_open(c, false, ctx)) ||
	    (rc = mrm_monitor_disable(*ctx, a.pos[0], a.opts, &out, &c->err)))
		goto out;
	if (c->json)
		cli_print_json(json_incref(out));
	else
		printf("monitor %s (%s on %s) disabled by %s\n", str(out, "id"), str(out, "signal"),
		       str(out, "model_id"), str(out, "disabled_by"));
out:
	json_decref(out);
	cli_args_release(&a);
	return rc;
}

static const char *num(json_t *v, char *buf, size_t cap)
{
	if (json_is_number(v))
		snprintf(buf, cap, "%.4g", json_number_value(v));
	else
		snprintf(buf, cap, "-");
	return buf;
}

static void print_run(json_t *doc)
{
	json_t *rows = json_array(), *r, *sum = json_object_get(doc, "summary");
	static const struct cli_col cols[] = {
		{ "monitor", "MONITOR" }, { "signal", "SIGNAL" }, { "window", "WINDOW" },
		{ "value", "VALUE" }, { "warn", "WARN" }, { "alert", "ALERT" }, { "level", "LEVEL" },
		{ "note", "ALERT RAISED" }, { NULL, NULL },
	};
	size_t i;
	char a[32], b[32], d[32], n[160];

	printf("monitor run %lld: model %s on %s", (long long)json_integer_value(json_object_get(doc, "run")),
	       str(doc, "model"), str(json_object_get(doc, "data"), "path"));
	if (json_array_size(json_object_get(doc, "references")) == 1)
		printf(" (reference %s)", json_string_value(json_array_get(json_object_get(doc, "references"), 0)));
	printf("\n\n");
	json_array_foreach(json_object_get(doc, "results"), i, r) {
		json_t *w = json_object_get(r, "window");
		n[0] = '\0';
		if (json_is_true(json_object_get(r, "alert_raised")))
			snprintf(n, sizeof(n), "%s%s%s%s", str(r, "alert_id"),
				 json_is_string(json_object_get(r, "finding_id")) ? ", finding " : "",
				 json_is_string(json_object_get(r, "finding_id")) ? str(r, "finding_id") : "",
				 !json_is_string(json_object_get(r, "finding_id")) ? ""
				 : json_is_true(json_object_get(r, "finding_opened")) ? " opened" : " (linked)");
		else if (json_is_string(json_object_get(r, "alert_id")))
			snprintf(n, sizeof(n), "no: %s still open", str(r, "alert_id"));
		json_array_append_new(rows,
				      json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "monitor",
						str(r, "monitor"), "signal", str(r, "signal"), "window",
						json_is_object(w) ? str(w, "start") : "all", "value",
						num(json_object_get(r, "value"), a, sizeof(a)), "warn",
						num(json_object_get(r, "warn"), b, sizeof(b)), "alert",
						num(json_object_get(r, "alert"), d, sizeof(d)), "level",
						str(r, "level"), "note", n[0] ? n : "-"));
	}
	cli_print_table(rows, cols);
	json_decref(rows);
	json_array_foreach(json_object_get(doc, "results"), i, r)
		if (json_is_string(json_object_get(r, "reason")))
			printf("%s %s: %s\n", str(r, "monitor"), str(r, "signal"), str(r, "reason"));
	json_array_foreach(json_object_get(doc, "deliveries"), i, r)
		if (!strcmp(str(r, "status"), "delivered"))
			printf("delivered %s to %s (%s)\n", str(r, "alert_id"), str(r, "route"), str(r, "id"));
	{
		json_int_t raised = json_integer_value(json_object_get(sum, "alerts_raised"));
		json_int_t dedup = json_integer_value(json_object_get(sum, "deduplicated"));
		json_int_t opened = json_integer_value(json_object_get(sum, "findings_opened"));

		printf("\n%lld ok, %lld warn, %lld alert, %lld error; %lld alert%s raised",
		       (long long)json_integer_value(json_object_get(sum, "ok")),
		       (long long)json_integer_value(json_object_get(sum, "warn")),
		       (long long)json_integer_value(json_object_get(sum, "alert")),
		       (long long)json_integer_value(json_object_get(sum, "error")),
		       (long long)raised, raised == 1 ? "" : "s");
		if (dedup)
			printf(", %lld result%s folded into alerts already open", (long long)dedup,
			       dedup == 1 ? "" : "s");
		printf(", %lld finding%s opened\n", (long long)opened, opened == 1 ? "" : "s");
	}
}

void cli_warn_queued(json_t *doc)
{
	json_t *r;
	size_t i;

	fflush(stdout);
	json_array_foreach(json_object_get(doc, "deliveries"), i, r)
		if (strcmp(str(r, "status"), "delivered"))
			fprintf(stderr, "mrm: warning: delivery %s of %s to %s failed: %s; it stays queued\n",
				str(r, "id"), str(r, "alert_id"), str(r, "route"), str(r, "error"));
}

int cli_timeout(struct cli *c, const struct cli_args *a, double *out)
{
	const char *s = cli_opt(a, "timeout");
	*out = 0;
	if (!s)
		return MRM_OK;
	if (mrm_parse_double(s, strlen(s), out) || !isfinite(*out) || *out <= 0 || *out > 3600)
		return cli_usage_error(c, "--timeout must be a number of seconds in (0, 3600], not '%s'", s);
	return MRM_OK;
}

static int run_cmd(struct cli *c, struct mrm_ctx **ctx, int argc, char **argv)
{
	static const struct cli_opt spec[] = {
		{ "data", OPT_VALUE, NULL }, { "reference", OPT_VALUE, NULL },
		{ "timeout", OPT_VALUE, NULL }, { "delimiter", OPT_VALUE, NULL },
		{ "no-header", OPT_BOOL, NULL }, { "na", OPT_LIST, NULL },
		{ "format", OPT_VALUE, NULL }, { NULL, 0, NULL },
	};
	struct mrm_monitor_run_options o = { 0 };
	struct mrm_table_options read = { 0 };
	struct cli_args a = { 0 };
	const char **na = NULL;
	char *nbuf = NULL;
	json_t *out = NULL;
	int rc;

	if ((rc = cli_parse(c, argc, argv, spec, &a)) || (rc = cli_need_pos(c, &a, 1, 1, "model ID")))
		goto out;
	o.model_id = a.pos[0];
	if (!(o.data = cli_opt(&a, "data"))) {
		rc = cli_usage_error(c, "missing --data FILE (the new data to evaluate)");
		goto out;
	}
	o.reference = cli_opt(&a, "reference");
	if ((rc = cli_timeout(c, &a, &o.delivery.timeout)) ||
	    (rc = cli_read_options(c, &a, &read, &na, &nbuf)))
		goto out;
	o.read = &read;
	if ((rc = cli_open(c, false, ctx)))
		goto out;
	rc = mrm_monitor_run(*ctx, &o, &out, &c->err);
	if (!out)
		goto out;
	if (c->json)
		cli_print_json(json_incref(out));
	else
		print_run(out);
	cli_warn_queued(out);
	fflush(stdout);
out:
	json_decref(out);
	cli_args_release(&a);
	free(na);
	free(nbuf);
	return rc;
}

int cmd_monitor(struct cli *c, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	struct mrm_ctx *ctx = NULL;
	int rc;

	if (!sub)
		return cli_usage_error(c, "missing subcommand (add, list, show, disable, run)");
	argc -= 2;
	argv += 2;
	if (!strcmp(sub, "add"))
		rc = add_cmd(c, &ctx, argc, argv);
	else if (!strcmp(sub, "list"))
		rc = list_cmd(c, &ctx, argc, argv);
	else if (!strcmp(sub, "show"))
		rc = show_cmd(c, &ctx, argc, argv);
	else if (!strcmp(sub, "disable"))
		rc = disable_cmd(c, &ctx, argc, argv);
	else if (!strcmp(sub, "run"))
		rc = run_cmd(c, &ctx, argc, argv);
	else
		rc = cli_usage_error(c, "unknown subcommand 'monitor %s'", sub);
	mrm_ctx_free(ctx);
	return rc < 0 ? 0 : rc;
}
