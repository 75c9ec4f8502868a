/* mrm user: register users with roles, list them, issue API tokens. */
#include <string.h>

#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "mrm/user.h"

static const struct cli_opt add_spec[] = {
	{ "role", OPT_VALUE, NULL }, { "roles", OPT_VALUE, "role" }, { NULL, 0, NULL },
};
static const struct cli_opt no_spec[] = { { NULL, 0, NULL } };

int cmd_user(struct cli *c, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	struct cli_args a = { 0 };
	struct mrm_ctx *ctx = NULL;
	json_t *out = NULL;
	int rc;

	if (!sub)
		return cli_usage_error(c, "missing subcommand (add, list, token)");
	if (!strcmp(sub, "add")) {
		if ((rc = cli_parse(c, argc - 2, argv + 2, add_spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 1, 1, "user NAME")))
			goto out;
		if (!cli_opt(&a, "role")) {
			rc = cli_usage_error(c, "missing --role ROLE[,ROLE...]");
			goto out;
		}
		if ((rc = cli_open(c, false, &ctx)) ||
		    (rc = mrm_user_add(ctx, a.pos[0], cli_opt(&a, "role"), &out, &c->err)))
			goto out;
		if (c->json)
			cli_print_json(json_incref(out));
		else
			printf("user %s: %s\n", a.pos[0], json_string_value(json_object_get(out, "roles")));
	} else if (!strcmp(sub, "list")) {
		static const struct cli_col cols[] = {
			{ "name", "NAME" }, { "roles", "ROLES" }, { "tokens", "TOKENS" },
			{ "created_at", "CREATED" }, { NULL, NULL },
		};
		if ((rc = cli_parse(c, argc - 2, argv + 2, no_spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 0, 0, "")) || (rc = cli_open(c, false, &ctx)) ||
		    (rc = mrm_user_list(ctx, &out, &c->err)))
			goto out;
		if (c->json)
			cli_print_json(json_pack("{s:O}", "users", out));
		else
			cli_print_table(out, cols);
	} else if (!strcmp(sub, "token")) {
		char token[80];
		if ((rc = cli_parse(c, argc - 2, argv + 2, no_spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 1, 1, "user NAME")) || (rc = cli_open(c, false, &ctx)) ||
		    (rc = mrm_user_token(ctx, a.pos[0], token, &out, &c->err)))
			goto out;
		if (c->json) {
			json_object_set_new(out, "token", json_string(token));
			cli_print_json(json_incref(out));
		} else {
			printf("%s\n", token);
			fprintf(stderr, "mrm: this token for %s is shown once; store it now\n", a.pos[0]);
		}
	} else {
		rc = cli_usage_error(c, "unknown subcommand 'user %s'", sub);
	}
out:
	json_decref(out);
	mrm_ctx_free(ctx);
	cli_args_release(&a);
	return rc;
}
