/* mrm export: write the whole store as one JSON document (docs/export.md). */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "mrm/transfer.h"

int cmd_export(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt spec[] = { { "output", OPT_VALUE, NULL }, { NULL, 0, NULL } };
	struct cli_args a = { 0 };
	struct mrm_ctx *ctx = NULL;
	json_t *summary = NULL;
	const char *path;
	int rc;

	if ((rc = cli_parse(c, argc - 1, argv + 1, spec, &a)) ||
	    (rc = cli_need_pos(c, &a, 0, 0, "")) || (rc = cli_open(c, false, &ctx)))
		goto out;
	path = cli_opt(&a, "output");
	if ((rc = mrm_export_file(ctx, path, &summary, &c->err)))
		goto out;
	/* Without -o the document itself is the output (and already JSON). */
	if (!path || !strcmp(path, "-"))
		goto out;
	if (c->json) {
		json_object_set_new(summary, "file", json_string(path));
		cli_print_json(json_incref(summary));
	} else {
		printf("exported %" JSON_INTEGER_FORMAT " rows (%" JSON_INTEGER_FORMAT
		       " audit events) to %s\n",
		       json_integer_value(json_object_get(summary, "rows")),
		       json_integer_value(json_object_get(summary, "events")), path);
	}
out:
	json_decref(summary);
	mrm_ctx_free(ctx);
	cli_args_release(&a);
	return rc;
}
