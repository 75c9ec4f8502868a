/* mrm evidence: register evidence files, list and show them, re-check their digests. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "mrm/evidence.h"

/* Human tables show a digest prefix; the full one is in show and --json. */
static void add_short_digest(json_t *rows)
{
	json_t *r;
	size_t i;
	json_array_foreach(rows, i, r) {
		const char *s = json_string_value(json_object_get(r, "sha256"));
		char buf[17];
		snprintf(buf, sizeof(buf), "%s", s ? s : "");
		json_object_set_new(r, "digest", json_string(buf));
	}
}

static int verify_cmd(struct cli *c, struct mrm_ctx *ctx, const char *model)
{
	static const struct cli_col cols[] = {
		{ "id", "EVIDENCE" }, { "model_id", "MODEL" }, { "kind", "KIND" },
		{ "result", "RESULT" }, { "path", "PATH" }, { NULL, NULL },
	};
	json_t *out = NULL;
	int rc = mrm_evidence_verify(ctx, model, &out, &c->err);

	if (rc && rc != MRM_ECHECK)
		return rc;
	if (c->json) {
		cli_print_json(json_incref(out));
	} else {
		cli_print_table(json_object_get(out, "items"), cols);
		printf("%" JSON_INTEGER_FORMAT " checked: %" JSON_INTEGER_FORMAT " ok, %" JSON_INTEGER_FORMAT
		       " changed, %" JSON_INTEGER_FORMAT " missing\n",
		       json_integer_value(json_object_get(out, "checked")),
		       json_integer_value(json_object_get(out, "unchanged")),
		       json_integer_value(json_object_get(out, "changed")),
		       json_integer_value(json_object_get(out, "missing")));
	}
	json_decref(out);
	fflush(stdout); /* the report before main's one-line error */
	return rc;
}

int cmd_evidence(struct cli *c, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	struct cli_args a = { 0 };
	struct mrm_ctx *ctx = NULL;
	json_t *out = NULL;
	int rc;

	if (!sub)
		return cli_usage_error(c, "missing subcommand (add, list, show, verify)");
	if (!strcmp(sub, "add")) {
		static const struct cli_opt spec[] = {
			{ "version", OPT_VALUE, NULL }, { "note", OPT_VALUE, NULL }, { NULL, 0, NULL },
		};
		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 3, 3, "model ID, KIND and FILE")) ||
		    (rc = cli_open(c, false, &ctx)) ||
		    (rc = mrm_evidence_add(ctx, a.pos[0], a.pos[1], a.pos[2], a.opts, &out, &c->err)))
			goto out;
		if (c->json) {
			cli_print_json(json_incref(out));
		} else {
			printf("evidence %s registered for %s (%s%s%s)\n",
			       json_string_value(json_object_get(out, "id")), a.pos[0], a.pos[1],
			       cli_opt(&a, "version") ? ", version " : "",
			       cli_opt(&a, "version") ? cli_opt(&a, "version") : "");
			printf("sha256 %s  %" JSON_INTEGER_FORMAT " bytes  %s\n",
			       json_string_value(json_object_get(out, "sha256")),
			       json_integer_value(json_object_get(out, "size")),
			       json_string_value(json_object_get(out, "path")));
		}
	} else if (!strcmp(sub, "list")) {
		static const struct cli_opt spec[] = { { "model", OPT_VALUE, NULL }, { NULL, 0, NULL } };
		static const struct cli_col cols[] = {
			{ "id", "EVIDENCE" }, { "model_id", "MODEL" }, { "version", "VERSION" },
			{ "kind", "KIND" }, { "size", "SIZE" }, { "digest", "SHA256" },
			{ "produced_by", "BY" }, { "path", "PATH" }, { NULL, NULL },
		};
		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 0, 0, "")) || (rc = cli_open(c, false, &ctx)) ||
		    (rc = mrm_evidence_list(ctx, cli_opt(&a, "model"), &out, &c->err)))
			goto out;
		if (c->json) {
			cli_print_json(json_pack("{s:O}", "evidence", out));
		} else {
			add_short_digest(out);
			cli_print_table(out, cols);
		}
	} else if (!strcmp(sub, "show")) {
		static const struct cli_opt spec[] = { { NULL, 0, NULL } };
		static const char *const skip[] = { "findings", NULL };
		static const struct cli_col cols[] = {
			{ "id", "FINDING" }, { "cited_as", "CITED AS" }, { "status", "STATUS" },
			{ "title", "TITLE" }, { NULL, NULL },
		};
		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 1, 1, "evidence id (E-N)")) ||
		    (rc = cli_open(c, false, &ctx)) ||
		    (rc = mrm_evidence_show(ctx, a.pos[0], &out, &c->err)))
			goto out;
		if (c->json) {
			cli_print_json(json_incref(out));
		} else {
			cli_print_record(out, skip);
			if (json_array_size(json_object_get(out, "findings"))) {
				printf("\ncited by findings:\n");
				cli_print_table(json_object_get(out, "findings"), cols);
			}
		}
	} else if (!strcmp(sub, "verify")) {
		static const struct cli_opt spec[] = { { "model", OPT_VALUE, NULL }, { NULL, 0, NULL } };
		if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 0, 0, "")) || (rc = cli_open(c, false, &ctx)))
			goto out;
		rc = verify_cmd(c, ctx, cli_opt(&a, "model"));
	} else {
		rc = cli_usage_error(c, "unknown subcommand 'evidence %s'", sub);
	}
out:
	json_decref(out);
	mrm_ctx_free(ctx);
	cli_args_release(&a);
	return rc;
}
