/* mrm pack: write an evidence pack of a model, and verify one offline. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "mrm/pack.h"
#include "mrm/policy.h"

static void print_missing(json_t *missing, const char *how)
{
	json_t *m;
	size_t i;

	json_array_foreach(missing, i, m)
		fprintf(stderr, "mrm: %s: evidence %s (%s) %s\n", how,
			json_string_value(json_object_get(m, "evidence")),
			json_is_string(json_object_get(m, "path")) ? json_string_value(json_object_get(m, "path"))
								 : "no path",
			json_string_value(json_object_get(m, "reason")));
}

static int verify(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt spec[] = { { NULL, 0, NULL } };
	struct cli_args a = { 0 };
	json_t *out = NULL, *p;
	size_t i;
	int rc;

	if ((rc = cli_parse(c, argc, argv, spec, &a)) || (rc = cli_need_pos(c, &a, 1, 1, "pack file")))
		goto done;
	rc = mrm_pack_verify(a.pos[0], &out, &c->err);
	if (!out)
		goto done;
	if (c->json) {
		cli_print_json(json_incref(out));
		goto done;
	}
	printf("pack %s: model %s, made %s by mrm %s\n", a.pos[0],
	       json_string_value(json_object_get(out, "model")) ? json_string_value(json_object_get(out, "model")) : "?",
	       json_string_value(json_object_get(out, "created_at")) ? json_string_value(json_object_get(out, "created_at")) : "?",
	       json_string_value(json_object_get(out, "mrm_version")) ? json_string_value(json_object_get(out, "mrm_version")) : "?");
	printf("files: %" JSON_INTEGER_FORMAT " listed, %" JSON_INTEGER_FORMAT " in the pack; audit events: %"
	       JSON_INTEGER_FORMAT "\n", json_integer_value(json_object_get(out, "files")),
	       json_integer_value(json_object_get(out, "checked")), json_integer_value(json_object_get(out, "events")));
	printf("audit head: #%" JSON_INTEGER_FORMAT " %s\n",
	       json_integer_value(json_object_get(json_object_get(out, "head"), "seq")),
	       json_string_value(json_object_get(json_object_get(out, "head"), "hash"))
		       ? json_string_value(json_object_get(json_object_get(out, "head"), "hash"))
		       : "?");
	json_array_foreach(json_object_get(out, "missing_evidence"), i, p)
		printf("note: evidence %s was missing when the pack was made: %s\n",
		       json_string_value(json_object_get(p, "evidence")),
		       json_string_value(json_object_get(p, "reason")));
	if (json_is_true(json_object_get(out, "ok"))) {
		printf("ok: every file is the one listed, the audit events chain to the head\n");
		goto done;
	}
	printf("TAMPERED: %" JSON_INTEGER_FORMAT " problem%s\n", json_integer_value(json_object_get(out, "problem_count")),
	       json_integer_value(json_object_get(out, "problem_count")) == 1 ? "" : "s");
	json_array_foreach(json_object_get(out, "problems"), i, p) {
		const char *file = json_string_value(json_object_get(p, "file"));
		printf("  %-22s %s%s%s\n", json_string_value(json_object_get(p, "problem")), file ? file : "",
		       file ? ": " : "", json_string_value(json_object_get(p, "detail")));
	}
	if (json_integer_value(json_object_get(out, "problem_count")) > (json_int_t)json_array_size(json_object_get(out, "problems")))
		printf("  ... %" JSON_INTEGER_FORMAT " more not shown\n",
		       json_integer_value(json_object_get(out, "problem_count")) -
			       (json_int_t)json_array_size(json_object_get(out, "problems")));
	fflush(stdout);
done:
	json_decref(out);
	cli_args_release(&a);
	return rc;
}

int cmd_pack(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt spec[] = {
		{ "output", OPT_VALUE, NULL }, { "allow-missing", OPT_BOOL, NULL }, { "policy", OPT_VALUE, NULL },
		{ NULL, 0, NULL },
	};
	struct cli_args a = { 0 };
	struct mrm_ctx *ctx = NULL;
	struct mrm_policy *policy = NULL;
	struct mrm_pack_options o = { .mrm_version = MRM_VERSION };
	json_t *out = NULL, *d;
	size_t i;
	int rc;

	if (argc > 1 && !strcmp(argv[1], "verify"))
		return verify(c, argc - 2, argv + 2);
	if ((rc = cli_parse(c, argc - 1, argv + 1, spec, &a)) || (rc = cli_need_pos(c, &a, 1, 1, "model id")))
		goto out;
	if (!(o.output = cli_opt(&a, "output"))) {
		rc = cli_usage_error(c, "missing -o OUT.tar.gz");
		goto out;
	}
	o.allow_missing = json_is_true(json_object_get(a.opts, "allow_missing"));
	if (cli_opt(&a, "policy") && (rc = mrm_policy_load(cli_opt(&a, "policy"), &policy, &c->err)))
		goto out;
	o.policy = policy;
	if ((rc = cli_open(c, false, &ctx)))
		goto out;
	rc = mrm_pack_write(ctx, a.pos[0], &o, &out, &c->err);
	if (rc && out) {
		print_missing(json_object_get(out, "missing"), "missing");
		goto out;
	}
	if (rc)
		goto out;
	if (c->json) {
		cli_print_json(json_incref(out));
		goto out;
	}
	print_missing(json_object_get(out, "missing"), "warning: not in the pack");
	printf("pack %s written: %" JSON_INTEGER_FORMAT " files, %" JSON_INTEGER_FORMAT " bytes\n", o.output,
	       json_integer_value(json_object_get(out, "files")), json_integer_value(json_object_get(out, "bytes")));
	printf("documents:");
	json_array_foreach(json_object_get(out, "documents"), i, d)
		printf(" %s", json_string_value(d));
	printf("\n");
	json_array_foreach(json_object_get(out, "documents_skipped"), i, d)
		printf("not included: %s document: %s\n", json_string_value(json_object_get(d, "document")),
		       json_string_value(json_object_get(d, "reason")));
	printf("audit head: %s\n", json_string_value(json_object_get(out, "head")));
	if (!json_object_get(out, "gate_passed"))
		printf("gate: %s\n", json_string_value(json_object_get(out, "gate")));
	else if (json_is_true(json_object_get(out, "gate_passed")))
		printf("gate: passed (gate.json)\n");
	else
		printf("gate: FAILED, packed as it is (gate.json names the failed controls)\n");
	printf("check it with: mrm pack verify %s\n", o.output);
out:
	json_decref(out);
	mrm_policy_free(policy);
	mrm_ctx_free(ctx);
	cli_args_release(&a);
	return rc;
}
