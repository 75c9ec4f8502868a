/* mrm tier: assess a model's tier from the factor model, override it, show it, print the model. */
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "mrm/tier.h"

/* --factor KEY=VALUE ... into an answers object; a key twice is bad input. */
static int factor_answers(struct cli *c, json_t *list, json_t **out)
{
	json_t *answers = json_object(), *v;
	size_t i;

	*out = NULL;
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v), *eq = strchr(s, '=');
		char key[64];
		if (!eq || eq == s || (size_t)(eq - s) >= sizeof(key)) {
			json_decref(answers);
			return cli_usage_error(c, "invalid --factor '%s' (expected KEY=VALUE, e.g. autonomy=human-decides)", s);
		}
		memcpy(key, s, (size_t)(eq - s));
		key[eq - s] = '\0';
		if (json_object_get(answers, key)) {
			json_decref(answers);
			return mrm_error_set(&c->err, MRM_EINPUT, "factor '%s' given twice", key);
		}
		json_object_set_new(answers, key, json_string(eq + 1));
	}
	*out = answers;
	return MRM_OK;
}

static int assess(struct cli *c, struct mrm_ctx **ctx, struct cli_args *a, json_t **out)
{
	const char *file = cli_opt(a, "answers");
	json_t *list = json_object_get(a->opts, "factor"), *answers = NULL;
	int rc;

	if (file && list)
		return cli_usage_error(c, "give either --answers FILE.yaml or --factor KEY=VALUE, not both");
	if (!file && !list)
		return cli_usage_error(c, "missing --answers FILE.yaml or --factor KEY=VALUE (one per factor; see 'mrm tier factors')");
	rc = file ? mrm_tier_answers_load(file, &answers, &c->err) : factor_answers(c, list, &answers);
	if (rc || (rc = cli_open(c, false, ctx)) ||
	    (rc = mrm_tier_assess(*ctx, a->pos[0], answers, out, &c->err)))
		goto out;
	if (c->json) {
		cli_print_json(json_incref(*out));
		goto out;
	}
	printf("model %s: tier %" JSON_INTEGER_FORMAT " (assessment %s, score %" JSON_INTEGER_FORMAT ")\n",
	       a->pos[0], json_integer_value(json_object_get(*out, "tier")),
	       json_string_value(json_object_get(*out, "id")),
	       json_integer_value(json_object_get(*out, "score")));
	if (json_is_integer(json_object_get(*out, "replaces_override")))
		printf("replaces override to tier %" JSON_INTEGER_FORMAT "\n",
		       json_integer_value(json_object_get(*out, "replaces_override")));
	else if (json_is_integer(json_object_get(*out, "previous_tier")))
		printf("previous tier %" JSON_INTEGER_FORMAT " (assessment)\n",
		       json_integer_value(json_object_get(*out, "previous_tier")));
	printf("%s\n", json_string_value(json_object_get(*out, "rationale")));
out:
	json_decref(answers);
	return rc;
}

static int override(struct cli *c, struct mrm_ctx **ctx, struct cli_args *a, json_t **out)
{
	const char *t = cli_opt(a, "tier"), *reason = cli_opt(a, "reason");
	char *end;
	long tier;
	int rc;

	if (!t)
		return cli_usage_error(c, "missing --tier N (1, 2 or 3)");
	if (!reason)
		return cli_usage_error(c, "missing --reason TEXT (an override must say why)");
	tier = strtol(t, &end, 10);
	if (!*t || *end || tier < 1 || tier > 3)
		return mrm_error_set(&c->err, MRM_EINPUT, "invalid tier '%s' (expected 1, 2 or 3)", t);
	if ((rc = cli_open(c, false, ctx)) ||
	    (rc = mrm_tier_override(*ctx, a->pos[0], (int)tier, reason, out, &c->err)))
		return rc;
	if (c->json) {
		cli_print_json(json_incref(*out));
		return MRM_OK;
	}
	printf("model %s: tier %ld (override %s; computed tier %" JSON_INTEGER_FORMAT ", was tier %" JSON_INTEGER_FORMAT ")\n",
	       a->pos[0], tier, json_string_value(json_object_get(*out, "id")),
	       json_integer_value(json_object_get(*out, "computed_tier")),
	       json_integer_value(json_object_get(*out, "previous_tier")));
	printf("%s\n", json_string_value(json_object_get(*out, "rationale")));
	return MRM_OK;
}

static void print_factors(json_t *doc)
{
	json_t *f, *ans, *r;
	size_t i, j;

	json_array_foreach(json_object_get(doc, "factors"), i, f) {
		printf("%s%s: %s\n", i ? "\n" : "", json_string_value(json_object_get(f, "key")),
		       json_string_value(json_object_get(f, "question")));
		json_array_foreach(json_object_get(f, "answers"), j, ans)
			printf("  %-20s %2" JSON_INTEGER_FORMAT "  %s\n",
			       json_string_value(json_object_get(ans, "answer")),
			       json_integer_value(json_object_get(ans, "points")),
			       json_string_value(json_object_get(ans, "meaning")));
	}
	printf("\nscore: the sum of the points (maximum %" JSON_INTEGER_FORMAT "); tier 1 from %" JSON_INTEGER_FORMAT
	       ", tier 2 from %" JSON_INTEGER_FORMAT ", else tier 3\n",
	       json_integer_value(json_object_get(doc, "max_score")),
	       json_integer_value(json_object_get(json_object_get(doc, "thresholds"), "tier1")),
	       json_integer_value(json_object_get(json_object_get(doc, "thresholds"), "tier2")));
	printf("hard rules (applied after the score):\n");
	json_array_foreach(json_object_get(doc, "rules"), i, r)
		printf("  %s  %s: %s\n", json_string_value(json_object_get(r, "id")),
		       json_string_value(json_object_get(r, "effect")),
		       json_string_value(json_object_get(r, "condition")));
}

static void print_show(json_t *doc)
{
	static const char *const skip[] = { "history", "answers", NULL };
	static const struct cli_col cols[] = {
		{ "id", "ID" }, { "kind", "KIND" }, { "tier", "TIER" }, { "computed_tier", "COMPUTED" },
		{ "score", "SCORE" }, { "assessed_by", "BY" }, { "created_at", "AT" }, { "reason", "REASON" },
		{ NULL, NULL },
	};
	json_t *answers = json_object_get(doc, "answers"), *v;
	const char *k;

	cli_print_record(doc, skip);
	if (json_is_object(answers)) {
		printf("\nanswers:\n");
		json_object_foreach(answers, k, v)
			printf("  %-17s %s\n", k, json_is_string(v) ? json_string_value(v) : "?");
	}
	if (json_array_size(json_object_get(doc, "history"))) {
		printf("\nhistory:\n");
		cli_print_table(json_object_get(doc, "history"), cols);
	}
}

int cmd_tier(struct cli *c, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	struct cli_args a = { 0 };
	struct mrm_ctx *ctx = NULL;
	json_t *out = NULL;
	int rc;

	if (!sub)
		return cli_usage_error(c, "missing subcommand (assess, override, show, factors)");
	if (!strcmp(sub, "assess")) {
		static const struct cli_opt spec[] = {
			{ "answers", OPT_VALUE, NULL }, { "factor", OPT_LIST, NULL }, { NULL, 0, NULL },
		};
		if (!(rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) &&
		    !(rc = cli_need_pos(c, &a, 1, 1, "model ID")))
			rc = assess(c, &ctx, &a, &out);
	} else if (!strcmp(sub, "override")) {
		static const struct cli_opt spec[] = {
			{ "tier", OPT_VALUE, NULL }, { "reason", OPT_VALUE, NULL }, { NULL, 0, NULL },
		};
		if (!(rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) &&
		    !(rc = cli_need_pos(c, &a, 1, 1, "model ID")))
			rc = override(c, &ctx, &a, &out);
	} else if (!strcmp(sub, "show")) {
		static const struct cli_opt spec[] = { { NULL, 0, NULL } };
		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 1, 1, "model ID")) || (rc = cli_open(c, false, &ctx)) ||
		    (rc = mrm_tier_show(ctx, a.pos[0], &out, &c->err)))
			goto out;
		if (c->json)
			cli_print_json(json_incref(out));
		else
			print_show(out);
	} else if (!strcmp(sub, "factors")) {
		static const struct cli_opt spec[] = { { NULL, 0, NULL } };
		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) || (rc = cli_need_pos(c, &a, 0, 0, "")))
			goto out;
		out = mrm_tier_factors();
		if (c->json)
			cli_print_json(json_incref(out));
		else
			print_factors(out);
	} else {
		rc = cli_usage_error(c, "unknown subcommand 'tier %s'", sub);
	}
out:
	json_decref(out);
	mrm_ctx_free(ctx);
	cli_args_release(&a);
	return rc;
}
