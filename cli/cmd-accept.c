/* mrm accept: accept the residual risk of findings until an expiry date. */
#include <inttypes.h>
#include <string.h>

#include "cli/cmd.h"
#include "mrm/acceptance.h"
#include "mrm/ctx.h"

/* "F-1,F-2" from a list of finding ids. */
static const char *joined(json_t *list, char *buf, size_t cap)
{
	size_t i, used = 0;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(list, i, v) {
		int n = snprintf(buf + used, cap - used, "%s%s", i ? "," : "", json_string_value(v));
		if (n < 0 || (size_t)n >= cap - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

int cmd_accept(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt spec[] = {
		{ "finding", OPT_LIST, "findings" }, { "rationale", OPT_VALUE, NULL },
		{ "expires", OPT_VALUE, NULL },      { "controls", OPT_VALUE, NULL },
		{ "trigger", OPT_LIST, "triggers" }, { NULL, 0, NULL },
	};
	static const char *const required[][2] = {
		{ "findings", "--finding F-N" }, { "rationale", "--rationale TEXT" },
		{ "expires", "--expires DATE" },
	};
	struct cli_args a = { 0 };
	struct mrm_ctx *ctx = NULL;
	json_t *out = NULL, *tier;
	char buf[1024], tb[32];
	int rc;

	if ((rc = cli_parse(c, argc - 1, argv + 1, spec, &a)) ||
	    (rc = cli_need_pos(c, &a, 1, 1, "model ID")))
		goto out;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!json_object_get(a.opts, required[i][0])) {
			rc = cli_usage_error(c, "missing %s", required[i][1]);
			goto out;
		}
	if ((rc = cli_open(c, false, &ctx)) || (rc = mrm_accept(ctx, a.pos[0], a.opts, &out, &c->err)))
		goto out;
	if (c->json) {
		cli_print_json(json_incref(out));
		goto out;
	}
	tier = json_object_get(out, "model_tier");
	if (json_is_integer(tier))
		snprintf(tb, sizeof(tb), "tier %" JSON_INTEGER_FORMAT, json_integer_value(tier));
	else
		snprintf(tb, sizeof(tb), "untiered");
	printf("acceptance %s: %s of %s accepted by %s (%s, %s) until %s (%" JSON_INTEGER_FORMAT " days)\n",
	       json_string_value(json_object_get(out, "id")),
	       joined(json_object_get(out, "findings"), buf, sizeof(buf)), a.pos[0],
	       json_string_value(json_object_get(out, "accepted_by")),
	       json_string_value(json_object_get(out, "authority_role")), tb,
	       json_string_value(json_object_get(out, "expires")),
	       json_integer_value(json_object_get(out, "days_to_expiry")));
out:
	json_decref(out);
	mrm_ctx_free(ctx);
	cli_args_release(&a);
	return rc;
}
