/* mrm signoff: sign off a model version in a role, and list the sign-offs. */
#include <string.h>

#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "mrm/signoff.h"

int cmd_signoff(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt add_spec[] = {
		{ "role", OPT_VALUE, NULL }, { "version", OPT_VALUE, NULL },
		{ "note", OPT_VALUE, NULL }, { NULL, 0, NULL },
	};
	static const struct cli_opt no_spec[] = { { NULL, 0, NULL } };
	static const struct cli_col cols[] = {
		{ "id", "ID" }, { "version", "VERSION" }, { "role", "ROLE" }, { "user_name", "BY" },
		{ "created_at", "AT" }, { "note", "NOTE" }, { NULL, NULL },
	};
	struct cli_args a = { 0 };
	struct mrm_ctx *ctx = NULL;
	json_t *out = NULL;
	int rc;

	if (argc < 2)
		return cli_usage_error(c, "missing model ID (or 'list ID')");
	if (!strcmp(argv[1], "list")) {
		if ((rc = cli_parse(c, argc - 2, argv + 2, no_spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 1, 1, "model ID")) || (rc = cli_open(c, false, &ctx)) ||
		    (rc = mrm_signoff_list(ctx, a.pos[0], &out, &c->err)))
			goto out;
		if (c->json)
			cli_print_json(json_pack("{s:O}", "signoffs", out));
		else
			cli_print_table(out, cols);
		goto out;
	}
	if ((rc = cli_parse(c, argc - 1, argv + 1, add_spec, &a)) ||
	    (rc = cli_need_pos(c, &a, 1, 1, "model ID")))
		goto out;
	if (!cli_opt(&a, "role")) {
		rc = cli_usage_error(c, "missing --role ROLE");
		goto out;
	}
	if ((rc = cli_open(c, false, &ctx)) || (rc = mrm_signoff_add(ctx, a.pos[0], a.opts, &out, &c->err)))
		goto out;
	if (c->json)
		cli_print_json(json_incref(out));
	else
		printf("%s signed off %s %s%s as %s (%s)\n",
		       json_string_value(json_object_get(out, "user_name")), a.pos[0],
		       json_is_string(json_object_get(out, "version")) ? "version " : "",
		       json_is_string(json_object_get(out, "version"))
			       ? json_string_value(json_object_get(out, "version")) : "(no version registered)",
		       json_string_value(json_object_get(out, "role")),
		       json_string_value(json_object_get(out, "id")));
out:
	json_decref(out);
	mrm_ctx_free(ctx);
	cli_args_release(&a);
	return rc;
}
