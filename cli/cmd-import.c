/* mrm import: load an export document into an empty store (docs/export.md). */
#include <stdio.h>

#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "mrm/transfer.h"

int cmd_import(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt spec[] = { { NULL, 0, NULL } };
	struct cli_args a = { 0 };
	struct mrm_ctx *ctx = NULL;
	json_t *summary = NULL;
	int rc;

	if ((rc = cli_parse(c, argc - 1, argv + 1, spec, &a)) ||
	    (rc = cli_need_pos(c, &a, 1, 1, "FILE.json")) || (rc = cli_open(c, false, &ctx)) ||
	    (rc = mrm_import_file(ctx, a.pos[0], &summary, &c->err)))
		goto out;
	if (c->json) {
		json_object_set_new(summary, "file", json_string(a.pos[0]));
		cli_print_json(json_incref(summary));
	} else {
		json_t *head = json_object_get(summary, "head");
		printf("imported %s: %" JSON_INTEGER_FORMAT " rows (%" JSON_INTEGER_FORMAT
		       " audit events); audit chain verified\n",
		       a.pos[0], json_integer_value(json_object_get(summary, "rows")),
		       json_integer_value(json_object_get(summary, "events")));
		if (json_is_string(head))
			printf("head %s\n", json_string_value(head));
	}
out:
	json_decref(summary);
	mrm_ctx_free(ctx);
	cli_args_release(&a);
	return rc;
}
