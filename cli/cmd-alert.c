/* mrm alert: list and show alerts, resolve them as actioned or false positive, retry deliveries. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "mrm/monitor.h"

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : "-";
}

static int list_cmd(struct cli *c, struct mrm_ctx **ctx, int argc, char **argv)
{
	static const struct cli_opt spec[] = {
		{ "model", OPT_VALUE, NULL }, { "status", OPT_VALUE, NULL }, { NULL, 0, NULL },
	};
	static const struct cli_col cols[] = {
		{ "id", "ALERT" }, { "model_id", "MODEL" }, { "monitor_id", "MONITOR" },
		{ "signal", "SIGNAL" }, { "level", "LEVEL" }, { "value", "VALUE" },
		{ "threshold", "THRESHOLD" }, { "status", "STATUS" }, { "resolution", "RESOLUTION" },
		{ "finding_id", "FINDING" }, { "delivery", "DELIVERY" }, { "created_at", "RAISED" },
		{ NULL, NULL },
	};
	struct mrm_alert_filter f = { 0 };
	struct cli_args a = { 0 };
	json_t *out = NULL;
	int rc;

	if ((rc = cli_parse(c, argc, argv, spec, &a)) || (rc = cli_need_pos(c, &a, 0, 0, "")))
		goto out;
	f.model_id = cli_opt(&a, "model");
	f.status = cli_opt(&a, "status");
	if ((rc = cli_open(c, false, ctx)) || (rc = mrm_alert_list(*ctx, &f, &out, &c->err)))
		goto out;
	if (c->json)
		cli_print_json(json_pack("{s:O}", "alerts", out));
	else
		cli_print_table(out, cols);
out:
	json_decref(out);
	cli_args_release(&a);
	return rc;
}

static int show_cmd(struct cli *c, struct mrm_ctx **ctx, int argc, char **argv)
{
	static const struct cli_opt spec[] = { { NULL, 0, NULL } };
	static const char *const skip[] = { "deliveries", NULL };
	static const struct cli_col dcols[] = {
		{ "id", "DELIVERY" }, { "route", "ROUTE" }, { "status", "STATUS" },
		{ "attempts", "ATTEMPTS" }, { "last_error", "LAST ERROR" },
		{ "delivered_at", "DELIVERED" }, { NULL, NULL },
	};
	struct cli_args a = { 0 };
	json_t *out = NULL;
	int rc;

	if ((rc = cli_parse(c, argc, argv, spec, &a)) ||
	    (rc = cli_need_pos(c, &a, 1, 1, "alert id (AL-N)")) || (rc = cli_open(c, false, ctx)) ||
	    (rc = mrm_alert_show(*ctx, a.pos[0], &out, &c->err)))
		goto out;
	if (c->json) {
		cli_print_json(json_incref(out));
		goto out;
	}
	cli_print_record(out, skip);
	if (json_array_size(json_object_get(out, "deliveries"))) {
		printf("\ndeliveries:\n");
		cli_print_table(json_object_get(out, "deliveries"), dcols);
	}
out:
	json_decref(out);
	cli_args_release(&a);
	return rc;
}

static int resolve_cmd(struct cli *c, struct mrm_ctx **ctx, int argc, char **argv)
{
	static const struct cli_opt spec[] = { { "note", OPT_VALUE, NULL }, { NULL, 0, NULL } };
	struct cli_args a = { 0 };
	json_t *out = NULL;
	int rc;

	if ((rc = cli_parse(c, argc, argv, spec, &a)))
		goto out;
	if (a.npos < 2) {
		rc = cli_usage_error(c, "give the alert and the resolution: mrm alert resolve AL-N (actioned|false-positive)");
		goto out;
	}
	if ((rc = cli_need_pos(c, &a, 2, 2, "")) || (rc = cli_open(c, false, ctx)) ||
	    (rc = mrm_alert_resolve(*ctx, a.pos[0], a.pos[1], a.opts, &out, &c->err)))
		goto out;
	if (c->json)
		cli_print_json(json_incref(out));
	else
		printf("alert %s resolved as %s by %s\n", str(out, "id"), str(out, "resolution"),
		       str(out, "resolved_by"));
	if (!c->json && json_is_string(json_object_get(out, "finding_id")))
		printf("its finding %s stays as it is: take it through 'mrm finding update|verify|close'\n",
		       str(out, "finding_id"));
out:
	json_decref(out);
	cli_args_release(&a);
	return rc;
}

static int deliver_cmd(struct cli *c, struct mrm_ctx **ctx, int argc, char **argv)
{
	static const struct cli_opt spec[] = { { "timeout", OPT_VALUE, NULL }, { NULL, 0, NULL } };
	struct mrm_delivery_options o = { 0 };
	struct cli_args a = { 0 };
	json_t *out = NULL, *r;
	size_t i;
	int rc;

	if ((rc = cli_parse(c, argc, argv, spec, &a)) || (rc = cli_need_pos(c, &a, 0, 0, "")) ||
	    (rc = cli_timeout(c, &a, &o.timeout)) || (rc = cli_open(c, false, ctx)))
		goto out;
	rc = mrm_alert_deliver(*ctx, &o, &out, &c->err);
	if (!out)
		goto out;
	if (c->json) {
		cli_print_json(json_incref(out));
	} else {
		json_array_foreach(json_object_get(out, "deliveries"), i, r)
			if (!strcmp(str(r, "status"), "delivered"))
				printf("delivered %s to %s (%s)\n", str(r, "alert_id"), str(r, "route"),
				       str(r, "id"));
		printf("%lld delivered, %lld queued\n",
		       (long long)json_integer_value(json_object_get(out, "delivered")),
		       (long long)json_integer_value(json_object_get(out, "queued")));
	}
	cli_warn_queued(out);
out:
	json_decref(out);
	cli_args_release(&a);
	return rc;
}

int cmd_alert(struct cli *c, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	struct mrm_ctx *ctx = NULL;
	int rc;

	if (!sub)
		return cli_usage_error(c, "missing subcommand (list, show, resolve, deliver)");
	argc -= 2;
	argv += 2;
	if (!strcmp(sub, "list"))
		rc = list_cmd(c, &ctx, argc, argv);
	else if (!strcmp(sub, "show"))
		rc = show_cmd(c, &ctx, argc, argv);
	else if (!strcmp(sub, "resolve"))
		rc = resolve_cmd(c, &ctx, argc, argv);
	else if (!strcmp(sub, "deliver"))
		rc = deliver_cmd(c, &ctx, argc, argv);
	else
		rc = cli_usage_error(c, "unknown subcommand 'alert %s'", sub);
	mrm_ctx_free(ctx);
	return rc < 0 ? 0 : rc;
}
