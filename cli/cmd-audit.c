/* mrm audit: read the audit trail and verify its hash chain. */
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "mrm/audit.h"
#include "mrm/ctx.h"

int cmd_audit(struct cli *c, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	struct cli_args a = { 0 };
	struct mrm_ctx *ctx = NULL;
	json_t *out = NULL;
	int rc;

	if (!sub)
		return cli_usage_error(c, "missing subcommand (log, verify)");
	if (!strcmp(sub, "log")) {
		static const struct cli_opt spec[] = {
			{ "model", OPT_VALUE, NULL }, { "object", OPT_VALUE, NULL },
			{ "limit", OPT_VALUE, NULL }, { NULL, 0, NULL },
		};
		static const struct cli_col cols[] = {
			{ "seq", "SEQ" }, { "ts", "TIME" }, { "actor", "ACTOR" }, { "action", "ACTION" },
			{ "object", "OBJECT" }, { "model_id", "MODEL" }, { NULL, NULL },
		};
		struct mrm_audit_filter f = { 0 };
		char type[64];
		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 0, 0, "")))
			goto out;
		f.model_id = cli_opt(&a, "model");
		if (cli_opt(&a, "limit")) {
			char *end;
			f.limit = strtol(cli_opt(&a, "limit"), &end, 10);
			if (*end || f.limit <= 0) {
				rc = cli_usage_error(c, "invalid --limit '%s'", cli_opt(&a, "limit"));
				goto out;
			}
		}
		if (cli_opt(&a, "object")) {
			const char *o = cli_opt(&a, "object"), *colon = strchr(o, ':');
			if (!colon || colon == o || (size_t)(colon - o) >= sizeof(type)) {
				rc = cli_usage_error(c, "invalid --object '%s' (expected TYPE:ID, e.g. finding:F-12)", o);
				goto out;
			}
			snprintf(type, sizeof(type), "%.*s", (int)(colon - o), o);
			f.object_type = type;
			f.object_id = colon + 1;
		}
		if ((rc = cli_open(c, false, &ctx)) || (rc = mrm_audit_log(ctx, &f, &out, &c->err)))
			goto out;
		if (c->json)
			cli_print_json(json_pack("{s:O}", "events", out));
		else
			cli_print_table(out, cols);
	} else if (!strcmp(sub, "verify")) {
		static const struct cli_opt spec[] = { { NULL, 0, NULL } };
		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 0, 0, "")) || (rc = cli_open(c, false, &ctx)))
			goto out;
		rc = mrm_audit_verify(ctx, &out, &c->err);
		if (rc && rc != MRM_ECHECK)
			goto out;
		if (c->json) {
			cli_print_json(json_incref(out));
		} else if (rc == MRM_OK) {
			printf("audit chain intact: %" JSON_INTEGER_FORMAT " events, %" JSON_INTEGER_FORMAT
			       " objects match their last event\nhead %s\n",
			       json_integer_value(json_object_get(out, "events")),
			       json_integer_value(json_object_get(out, "objects")),
			       json_string_value(json_object_get(out, "head")));
		} else {
			size_t i;
			json_t *p;
			printf("AUDIT CHAIN BROKEN: %" JSON_INTEGER_FORMAT " problem(s) in %" JSON_INTEGER_FORMAT " events\n",
			       json_integer_value(json_object_get(out, "problem_count")),
			       json_integer_value(json_object_get(out, "events")));
			if (json_is_integer(json_object_get(out, "first_bad_event")))
				printf("first bad event: #%" JSON_INTEGER_FORMAT "\n",
				       json_integer_value(json_object_get(out, "first_bad_event")));
			json_array_foreach(json_object_get(out, "problems"), i, p)
				printf("  %s\n", json_string_value(json_object_get(p, "problem")));
		}
	} else {
		rc = cli_usage_error(c, "unknown subcommand 'audit %s'", sub);
	}
out:
	json_decref(out);
	mrm_ctx_free(ctx);
	cli_args_release(&a);
	return rc;
}
