/* mrm incident: open incidents, record their times, root cause and findings, list and show them. */
#include <string.h>

#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "mrm/incident.h"

/* "F-1, F-2" for the human view of an incident's findings (or "-"). */
static void join_findings(json_t *inc)
{
	json_t *list = json_object_get(inc, "findings"), *v;
	char buf[1024] = "";
	size_t i, used = 0;

	json_array_foreach(list, i, v) {
		int n = snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? ", " : "", json_string_value(v));
		if (n < 0 || (size_t)n >= sizeof(buf) - used)
			break;
		used += (size_t)n;
	}
	json_object_set_new(inc, "findings", json_string(used ? buf : "-"));
}

static void print_incident(json_t *inc)
{
	static const char *const skip[] = { "changed", NULL };
	json_t *copy = json_deep_copy(inc);
	join_findings(copy);
	cli_print_record(copy, skip);
	json_decref(copy);
}

int cmd_incident(struct cli *c, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	struct cli_args a = { 0 };
	struct mrm_ctx *ctx = NULL;
	json_t *out = NULL;
	int rc;

	if (!sub)
		return cli_usage_error(c, "missing subcommand (open, update, list, show)");
	if (!strcmp(sub, "open")) {
		static const struct cli_opt spec[] = {
			{ "severity", OPT_VALUE, NULL }, { "title", OPT_VALUE, NULL },
			{ "started", OPT_VALUE, NULL }, { "detected", OPT_VALUE, NULL },
			{ "description", OPT_VALUE, NULL }, { "finding", OPT_LIST, "findings" },
			{ NULL, 0, NULL },
		};
		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 1, 1, "model ID")))
			goto out;
		if (!cli_opt(&a, "severity") || !cli_opt(&a, "title")) {
			rc = cli_usage_error(c, "missing --%s", cli_opt(&a, "severity") ? "title" : "severity");
			goto out;
		}
		if ((rc = cli_open(c, false, &ctx)) ||
		    (rc = mrm_incident_open(ctx, a.pos[0], a.opts, &out, &c->err)))
			goto out;
		if (c->json)
			cli_print_json(json_incref(out));
		else
			printf("incident %s opened on %s (%s, status %s)\n",
			       json_string_value(json_object_get(out, "id")), a.pos[0],
			       json_string_value(json_object_get(out, "severity")),
			       json_string_value(json_object_get(out, "status")));
	} else if (!strcmp(sub, "update")) {
		static const struct cli_opt spec[] = {
			{ "severity", OPT_VALUE, NULL }, { "title", OPT_VALUE, NULL },
			{ "description", OPT_VALUE, NULL }, { "started", OPT_VALUE, NULL },
			{ "detected", OPT_VALUE, NULL }, { "mitigated", OPT_VALUE, NULL },
			{ "resolved", OPT_VALUE, NULL }, { "root-cause", OPT_VALUE, NULL },
			{ "root-cause-note", OPT_VALUE, NULL }, { "finding", OPT_LIST, "findings" },
			{ NULL, 0, NULL },
		};
		json_t *ch, *v;
		size_t i;
		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 1, 1, "incident id (I-N)")))
			goto out;
		if (json_object_size(a.opts) == 0) {
			rc = cli_usage_error(c, "nothing to update (give --mitigated, --resolved, --root-cause, --finding, ...)");
			goto out;
		}
		if ((rc = cli_open(c, false, &ctx)) ||
		    (rc = mrm_incident_update(ctx, a.pos[0], a.opts, &out, &c->err)))
			goto out;
		if (c->json) {
			cli_print_json(json_incref(out));
			goto out;
		}
		ch = json_object_get(out, "changed");
		printf("incident %s updated (", json_string_value(json_object_get(out, "id")));
		json_array_foreach(ch, i, v)
			printf("%s%s", i ? ", " : "", json_string_value(v));
		printf("); status %s\n", json_string_value(json_object_get(out, "status")));
	} else if (!strcmp(sub, "list")) {
		static const struct cli_opt spec[] = {
			{ "model", OPT_VALUE, NULL }, { "open", OPT_BOOL, NULL }, { NULL, 0, NULL },
		};
		static const struct cli_col cols[] = {
			{ "id", "ID" }, { "model_id", "MODEL" }, { "severity", "SEV" }, { "status", "STATUS" },
			{ "started", "STARTED" }, { "time_to_detect_hours", "TTD_H" },
			{ "time_to_mitigate_hours", "TTM_H" }, { "root_cause", "ROOT_CAUSE" },
			{ "findings", "FINDINGS" }, { "title", "TITLE" }, { NULL, NULL },
		};
		struct mrm_incident_filter f = { 0 };
		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) || (rc = cli_need_pos(c, &a, 0, 0, "")))
			goto out;
		f.model_id = cli_opt(&a, "model");
		f.open_only = json_is_true(json_object_get(a.opts, "open"));
		if ((rc = cli_open(c, false, &ctx)) || (rc = mrm_incident_list(ctx, &f, &out, &c->err)))
			goto out;
		if (c->json) {
			cli_print_json(json_pack("{s:O}", "incidents", out));
		} else {
			json_t *v;
			size_t i;
			json_array_foreach(out, i, v)
				join_findings(v);
			cli_print_table(out, cols);
		}
	} else if (!strcmp(sub, "show")) {
		static const struct cli_opt spec[] = { { NULL, 0, NULL } };
		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 1, 1, "incident id (I-N)")) || (rc = cli_open(c, false, &ctx)) ||
		    (rc = mrm_incident_show(ctx, a.pos[0], &out, &c->err)))
			goto out;
		if (c->json)
			cli_print_json(json_incref(out));
		else
			print_incident(out);
	} else {
		rc = cli_usage_error(c, "unknown subcommand 'incident %s'", sub);
	}
out:
	json_decref(out);
	mrm_ctx_free(ctx);
	cli_args_release(&a);
	return rc;
}
