/* mrm review: open, decide, list and show independent reviews. */
#include <string.h>

#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "mrm/review.h"

static void print_review(json_t *r)
{
	static const char *const skip[] = { "conditions", "intake_complete", NULL };
	json_t *intake = json_object_get(r, "intake_complete"), *d = json_deep_copy(r), *v;
	size_t i;

	/* Keep the record's order, but say what the intake flag means. */
	json_object_set_new(d, "intake", json_string(json_is_true(intake) ? "complete"
						     : json_is_false(intake) ? "incomplete"
									     : "not assessed"));
	cli_print_record(d, skip);
	json_decref(d);
	if (json_array_size(json_object_get(r, "conditions"))) {
		printf("\nconditions:\n");
		json_array_foreach(json_object_get(r, "conditions"), i, v)
			printf("  %zu. %s\n", i + 1, json_string_value(v));
	}
}

static int open_cmd(struct cli *c, struct cli_args *a, struct mrm_ctx **ctx, json_t **out)
{
	const char *intake = cli_opt(a, "intake");
	int rc;

	if ((rc = cli_need_pos(c, a, 1, 1, "model ID")))
		return rc;
	if (intake) {
		if (strcmp(intake, "complete") && strcmp(intake, "incomplete")) {
			c->err.code = MRM_EINPUT;
			snprintf(c->err.msg, sizeof(c->err.msg),
				 "invalid intake '%s' (expected complete or incomplete)", intake);
			return MRM_EINPUT;
		}
		json_object_set_new(a->opts, "intake_complete", json_boolean(!strcmp(intake, "complete")));
		json_object_del(a->opts, "intake");
	}
	if ((rc = cli_open(c, false, ctx)) || (rc = mrm_review_open(*ctx, a->pos[0], a->opts, out, &c->err)))
		return rc;
	if (c->json)
		cli_print_json(json_incref(*out));
	else if (json_is_string(json_object_get(*out, "version")))
		printf("review %s opened for %s version %s\n", json_string_value(json_object_get(*out, "id")),
		       a->pos[0], json_string_value(json_object_get(*out, "version")));
	else
		printf("review %s opened for %s (no version registered)\n",
		       json_string_value(json_object_get(*out, "id")), a->pos[0]);
	return MRM_OK;
}

static int decide_cmd(struct cli *c, struct cli_args *a, struct mrm_ctx **ctx, json_t **out)
{
	int rc;

	if ((rc = cli_need_pos(c, a, 2, 2, "review id (R-N) and decision (approve, conditional or reject)")))
		return rc;
	if (!cli_opt(a, "note"))
		return cli_usage_error(c, "missing --note TEXT (the decision record)");
	json_object_set_new(a->opts, "decision", json_string(a->pos[1]));
	if ((rc = cli_open(c, false, ctx)) || (rc = mrm_review_decide(*ctx, a->pos[0], a->opts, out, &c->err)))
		return rc;
	if (c->json)
		cli_print_json(json_incref(*out));
	else
		printf("review %s decided: %s by %s; %s review status %s, next review due %s\n",
		       json_string_value(json_object_get(*out, "id")),
		       json_string_value(json_object_get(*out, "decision")),
		       json_string_value(json_object_get(*out, "decided_by")),
		       json_string_value(json_object_get(*out, "model_id")),
		       json_string_value(json_object_get(*out, "model_review_status")),
		       json_string_value(json_object_get(*out, "model_next_review_due")));
	return MRM_OK;
}

int cmd_review(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt open_spec[] = {
		{ "version", OPT_VALUE, NULL }, { "reason", OPT_VALUE, NULL },
		{ "intake", OPT_VALUE, NULL }, { NULL, 0, NULL },
	};
	static const struct cli_opt decide_spec[] = {
		{ "note", OPT_VALUE, NULL }, { "condition", OPT_LIST, "conditions" }, { NULL, 0, NULL },
	};
	const char *sub = argc > 1 ? argv[1] : NULL;
	struct cli_args a = { 0 };
	struct mrm_ctx *ctx = NULL;
	json_t *out = NULL;
	int rc;

	if (!sub)
		return cli_usage_error(c, "missing subcommand (open, decide, list, show)");
	if (!strcmp(sub, "open")) {
		if (!(rc = cli_parse(c, argc - 2, argv + 2, open_spec, &a)))
			rc = open_cmd(c, &a, &ctx, &out);
	} else if (!strcmp(sub, "decide")) {
		if (!(rc = cli_parse(c, argc - 2, argv + 2, decide_spec, &a)))
			rc = decide_cmd(c, &a, &ctx, &out);
	} else if (!strcmp(sub, "list")) {
		static const struct cli_opt spec[] = {
			{ "model", OPT_VALUE, NULL }, { "status", OPT_VALUE, NULL }, { NULL, 0, NULL },
		};
		static const struct cli_col cols[] = {
			{ "id", "ID" }, { "model_id", "MODEL" }, { "version", "VERSION" },
			{ "status", "STATUS" }, { "opened_by", "OPENED_BY" }, { "opened_at", "OPENED" },
			{ "decision", "DECISION" }, { "decided_by", "DECIDED_BY" }, { "decided_at", "DECIDED" },
			{ NULL, NULL },
		};
		struct mrm_review_filter f = { 0 };
		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 0, 0, "")))
			goto out;
		f.model_id = cli_opt(&a, "model");
		f.status = cli_opt(&a, "status");
		if ((rc = cli_open(c, false, &ctx)) || (rc = mrm_review_list(ctx, &f, &out, &c->err)))
			goto out;
		if (c->json)
			cli_print_json(json_pack("{s:O}", "reviews", out));
		else
			cli_print_table(out, cols);
	} else if (!strcmp(sub, "show")) {
		static const struct cli_opt spec[] = { { NULL, 0, NULL } };
		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 1, 1, "review id (R-N)")) || (rc = cli_open(c, false, &ctx)) ||
		    (rc = mrm_review_show(ctx, a.pos[0], &out, &c->err)))
			goto out;
		if (c->json)
			cli_print_json(json_incref(out));
		else
			print_review(out);
	} else {
		rc = cli_usage_error(c, "unknown subcommand 'review %s'", sub);
	}
out:
	json_decref(out);
	mrm_ctx_free(ctx);
	cli_args_release(&a);
	return rc;
}
