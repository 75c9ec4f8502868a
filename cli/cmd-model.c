/* mrm model: register, update, list and show models; add versions. */
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "mrm/model.h"

static const struct cli_opt field_spec[] = {
	{ "name", OPT_VALUE, NULL },
	{ "owner", OPT_VALUE, NULL },
	{ "purpose", OPT_VALUE, NULL },
	{ "type", OPT_VALUE, NULL },
	{ "status", OPT_VALUE, NULL },
	{ "genai", OPT_BOOL, NULL },
	{ "no-genai", OPT_BOOL, NULL },
	{ "team", OPT_VALUE, NULL },
	{ "intended-use", OPT_VALUE, NULL },
	{ "out-of-scope-use", OPT_VALUE, NULL },
	{ "population", OPT_VALUE, NULL },
	{ "vendor", OPT_VALUE, NULL },
	{ "data-source", OPT_LIST, "data_sources" },
	{ "deployment", OPT_VALUE, NULL },
	{ "next-review-due", OPT_VALUE, NULL },
	{ NULL, 0, NULL },
};

/* Flags to model fields: --no-genai becomes genai=false. */
static json_t *fields_of(struct cli_args *a)
{
	json_t *f = json_deep_copy(a->opts);
	if (json_object_get(f, "no_genai")) {
		json_object_del(f, "no_genai");
		json_object_set_new(f, "genai", json_false());
	}
	return f;
}

static void print_model(json_t *m)
{
	static const char *const skip[] = { "versions", "tier_history", "evidence", "findings",
					    "acceptances", "reviews", "signoffs", "incidents", NULL };
	static const struct cli_col vcols[] = {
		{ "version", "VERSION" }, { "change_type", "CHANGE" }, { "material", "MATERIAL" },
		{ "artifact", "ARTIFACT" }, { "created_at", "ADDED" }, { NULL, NULL },
	};
	static const struct cli_col fcols[] = {
		{ "id", "FINDING" }, { "severity", "SEVERITY" }, { "category", "CATEGORY" },
		{ "status", "STATUS" }, { "due", "DUE" }, { "title", "TITLE" }, { NULL, NULL },
	};
	static const struct cli_col rcols[] = {
		{ "id", "REVIEW" }, { "version", "VERSION" }, { "status", "STATUS" },
		{ "decision", "DECISION" }, { "decided_by", "BY" }, { "decided_at", "AT" }, { NULL, NULL },
	};
	static const struct cli_col ecols[] = {
		{ "id", "EVIDENCE" }, { "kind", "KIND" }, { "version", "VERSION" },
		{ "sha256", "SHA256" }, { "path", "PATH" }, { NULL, NULL },
	};
	static const struct cli_col icols[] = {
		{ "id", "INCIDENT" }, { "severity", "SEV" }, { "title", "TITLE" },
		{ "started", "STARTED" }, { "resolved", "RESOLVED" }, { NULL, NULL },
	};
	static const struct { const char *key, *title; const struct cli_col *cols; } lists[] = {
		{ "versions", "versions", vcols }, { "evidence", "evidence", ecols },
		{ "findings", "findings", fcols }, { "reviews", "reviews", rcols },
		{ "incidents", "incidents", icols },
	};

	cli_print_record(m, skip);
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		json_t *arr = json_object_get(m, lists[i].key);
		if (json_array_size(arr)) {
			printf("\n%s:\n", lists[i].title);
			cli_print_table(arr, lists[i].cols);
		}
	}
}

static int version_cmd(struct cli *c, struct mrm_ctx **ctx, int argc, char **argv)
{
	static const struct cli_opt spec[] = {
		{ "artifact", OPT_VALUE, NULL }, { "sha256", OPT_VALUE, "artifact_sha256" },
		{ "change", OPT_VALUE, "change_type" }, { "material", OPT_BOOL, NULL },
		{ "notes", OPT_VALUE, NULL }, { NULL, 0, NULL },
	};
	struct cli_args a = { 0 };
	json_t *out = NULL;
	int rc;

	if (argc < 1 || strcmp(argv[0], "add"))
		return cli_usage_error(c, "expected 'mrm model version add ID VERSION'");
	if ((rc = cli_parse(c, argc - 1, argv + 1, spec, &a)) ||
	    (rc = cli_need_pos(c, &a, 2, 2, "model ID and VERSION")) || (rc = cli_open(c, false, ctx)) ||
	    (rc = mrm_version_add(*ctx, a.pos[0], a.pos[1], a.opts, &out, &c->err)))
		goto out;
	if (c->json) {
		cli_print_json(json_incref(out));
	} else {
		printf("model %s version %s added (%s%s)\n", a.pos[0], a.pos[1],
		       json_string_value(json_object_get(out, "change_type")),
		       json_is_true(json_object_get(out, "material")) ? ", material" : "");
		if (json_object_get(out, "review_opened"))
			printf("material change: review %s opened; the model needs a new review decision\n",
			       json_string_value(json_object_get(out, "review_opened")));
	}
out:
	json_decref(out);
	cli_args_release(&a);
	return rc;
}

int cmd_model(struct cli *c, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	struct cli_args a = { 0 };
	struct mrm_ctx *ctx = NULL;
	json_t *out = NULL, *fields = NULL;
	int rc;

	if (!sub)
		return cli_usage_error(c, "missing subcommand (add, list, show, update, version)");
	if (!strcmp(sub, "add") || !strcmp(sub, "update")) {
		bool add = !strcmp(sub, "add");
		if ((rc = cli_parse(c, argc - 2, argv + 2, field_spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 1, 1, "model ID")))
			goto out;
		fields = fields_of(&a);
		if (add) {
			static const char *const req[] = { "name", "owner", "purpose", NULL };
			for (const char *const *r = req; *r; r++)
				if (!json_object_get(fields, *r)) {
					rc = cli_usage_error(c, "missing --%s", *r);
					goto out;
				}
			json_object_set_new(fields, "id", json_string(a.pos[0]));
		}
		if ((rc = cli_open(c, false, &ctx)))
			goto out;
		rc = add ? mrm_model_add(ctx, fields, &out, &c->err)
			 : mrm_model_update(ctx, a.pos[0], fields, &out, &c->err);
		if (rc)
			goto out;
		if (c->json)
			cli_print_json(json_incref(out));
		else
			printf("model %s %s\n", a.pos[0], add ? "registered" : "updated");
	} else if (!strcmp(sub, "list")) {
		static const struct cli_opt spec[] = {
			{ "tier", OPT_VALUE, NULL }, { "status", OPT_VALUE, NULL },
			{ "owner", OPT_VALUE, NULL }, { NULL, 0, NULL },
		};
		static const struct cli_col cols[] = {
			{ "id", "ID" }, { "tier", "TIER" }, { "status", "STATUS" }, { "type", "TYPE" },
			{ "owner", "OWNER" }, { "review_status", "REVIEW" }, { "open_findings", "OPEN" },
			{ "name", "NAME" }, { NULL, NULL },
		};
		struct mrm_model_filter f = { 0 };
		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 0, 0, "")))
			goto out;
		if (cli_opt(&a, "tier")) {
			char *end;
			f.tier = (int)strtol(cli_opt(&a, "tier"), &end, 10);
			if (*end || f.tier < 1 || f.tier > 3) {
				rc = cli_usage_error(c, "invalid --tier '%s' (expected 1, 2 or 3)", cli_opt(&a, "tier"));
				goto out;
			}
		}
		f.status = cli_opt(&a, "status");
		f.owner = cli_opt(&a, "owner");
		if ((rc = cli_open(c, false, &ctx)) || (rc = mrm_model_list(ctx, &f, &out, &c->err)))
			goto out;
		if (c->json)
			cli_print_json(json_pack("{s:O}", "models", out));
		else
			cli_print_table(out, cols);
	} else if (!strcmp(sub, "show")) {
		static const struct cli_opt spec[] = { { NULL, 0, NULL } };
		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 1, 1, "model ID")) || (rc = cli_open(c, false, &ctx)) ||
		    (rc = mrm_model_show(ctx, a.pos[0], &out, &c->err)))
			goto out;
		if (c->json)
			cli_print_json(json_incref(out));
		else
			print_model(out);
	} else if (!strcmp(sub, "version")) {
		rc = version_cmd(c, &ctx, argc - 2, argv + 2);
	} else {
		rc = cli_usage_error(c, "unknown subcommand 'model %s'", sub);
	}
out:
	json_decref(fields);
	json_decref(out);
	mrm_ctx_free(ctx);
	cli_args_release(&a);
	return rc;
}
