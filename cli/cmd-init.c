/* mrm init: create a store, or upgrade an older one to this binary's schema. */
#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "store/store.h"

int cmd_init(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt spec[] = { { NULL, 0, NULL } };
	struct cli_args a;
	struct mrm_ctx *ctx = NULL;
	int from = 0, to = 0, rc;

	if ((rc = cli_parse(c, argc - 1, argv + 1, spec, &a)) ||
	    (rc = cli_need_pos(c, &a, 0, 0, "")))
		goto out;
	if ((rc = cli_open(c, true, &ctx)) || (rc = mrm_init(ctx, &from, &to, &c->err)))
		goto out;
	if (c->json)
		cli_print_json(json_pack("{s:s,s:i,s:i,s:b}", "store", c->db, "schema_from", from,
					 "schema_version", to, "created", from == 0));
	else if (from == 0)
		printf("initialised mrm store %s (schema version %d)\n", c->db, to);
	else if (from < to)
		printf("upgraded mrm store %s from schema version %d to %d\n", c->db, from, to);
	else
		printf("mrm store %s is up to date (schema version %d)\n", c->db, to);
out:
	mrm_ctx_free(ctx);
	cli_args_release(&a);
	return rc;
}
