/* mrm acceptance: list, show and revoke risk acceptances. */
#include <string.h>

#include "cli/cmd.h"
#include "mrm/acceptance.h"
#include "mrm/ctx.h"

/* A copy of an acceptance for display: findings as "F-1,F-2". */
static json_t *display(json_t *acc)
{
	json_t *d = json_deep_copy(acc), *list = json_object_get(acc, "findings"), *v;
	char buf[1024];
	size_t i, used = 0;

	buf[0] = '\0';
	json_array_foreach(list, i, v) {
		int n = snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? "," : "", json_string_value(v));
		if (n < 0 || (size_t)n >= sizeof(buf) - used)
			break;
		used += (size_t)n;
	}
	json_object_set_new(d, "findings", json_string(buf));
	return d;
}

static void print_acceptance(json_t *acc)
{
	static const char *const skip[] = { "triggers", "covered_findings", NULL };
	static const struct cli_col fcols[] = {
		{ "id", "FINDING" }, { "severity", "SEVERITY" }, { "category", "CATEGORY" },
		{ "status", "STATUS" }, { "owner", "OWNER" }, { "title", "TITLE" }, { NULL, NULL },
	};
	json_t *d = display(acc), *v;
	size_t i;

	cli_print_record(d, skip);
	printf("\nre-review triggers:\n");
	if (!json_array_size(json_object_get(acc, "triggers")))
		printf("  (none)\n");
	json_array_foreach(json_object_get(acc, "triggers"), i, v)
		printf("  - %s\n", json_string_value(v));
	if (json_array_size(json_object_get(acc, "covered_findings"))) {
		printf("\ncovered findings:\n");
		cli_print_table(json_object_get(acc, "covered_findings"), fcols);
	}
	json_decref(d);
}

int cmd_acceptance(struct cli *c, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	struct cli_args a = { 0 };
	struct mrm_ctx *ctx = NULL;
	json_t *out = NULL;
	int rc;

	if (!sub)
		return cli_usage_error(c, "missing subcommand (list, show, revoke)");
	if (!strcmp(sub, "list")) {
		static const struct cli_opt spec[] = {
			{ "model", OPT_VALUE, NULL }, { "active", OPT_BOOL, NULL },
			{ "expired", OPT_BOOL, NULL }, { "revoked", OPT_BOOL, NULL }, { NULL, 0, NULL },
		};
		static const struct cli_col cols[] = {
			{ "id", "ID" }, { "model_id", "MODEL" }, { "findings", "FINDINGS" },
			{ "state", "STATE" }, { "expires", "EXPIRES" }, { "days_to_expiry", "DAYS" },
			{ "accepted_by", "BY" }, { "authority_role", "AUTHORITY" }, { NULL, NULL },
		};
		static const char *const states[] = { "active", "expired", "revoked" };
		struct mrm_acceptance_filter f = { 0 };
		json_t *rows, *r;
		size_t i;

		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 0, 0, "")))
			goto out;
		for (size_t k = 0; k < sizeof(states) / sizeof(states[0]); k++) {
			if (!json_object_get(a.opts, states[k]))
				continue;
			if (f.state) {
				rc = cli_usage_error(c, "give at most one of --active, --expired, --revoked");
				goto out;
			}
			f.state = states[k];
		}
		f.model_id = cli_opt(&a, "model");
		if ((rc = cli_open(c, false, &ctx)) || (rc = mrm_acceptance_list(ctx, &f, &out, &c->err)))
			goto out;
		if (c->json) {
			cli_print_json(json_pack("{s:O}", "acceptances", out));
			goto out;
		}
		rows = json_array();
		json_array_foreach(out, i, r)
			json_array_append_new(rows, display(r));
		cli_print_table(rows, cols);
		json_decref(rows);
	} else if (!strcmp(sub, "show")) {
		static const struct cli_opt spec[] = { { NULL, 0, NULL } };
		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 1, 1, "acceptance id (A-N)")) || (rc = cli_open(c, false, &ctx)) ||
		    (rc = mrm_acceptance_show(ctx, a.pos[0], &out, &c->err)))
			goto out;
		if (c->json)
			cli_print_json(json_incref(out));
		else
			print_acceptance(out);
	} else if (!strcmp(sub, "revoke")) {
		static const struct cli_opt spec[] = { { "reason", OPT_VALUE, NULL }, { NULL, 0, NULL } };
		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 1, 1, "acceptance id (A-N)")))
			goto out;
		if (!cli_opt(&a, "reason")) {
			rc = cli_usage_error(c, "missing --reason TEXT");
			goto out;
		}
		if ((rc = cli_open(c, false, &ctx)) ||
		    (rc = mrm_acceptance_revoke(ctx, a.pos[0], cli_opt(&a, "reason"), &out, &c->err)))
			goto out;
		if (c->json) {
			cli_print_json(json_incref(out));
		} else {
			json_t *d = display(out);
			printf("acceptance %s revoked; it no longer covers %s\n",
			       json_string_value(json_object_get(d, "id")),
			       json_string_value(json_object_get(d, "findings")));
			json_decref(d);
		}
	} else {
		rc = cli_usage_error(c, "unknown subcommand 'acceptance %s'", sub);
	}
out:
	json_decref(out);
	mrm_ctx_free(ctx);
	cli_args_release(&a);
	return rc;
}
