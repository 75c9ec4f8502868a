/* mrm doc: governance documents (model card, MRA, validation, acceptance memo, Annex IV) as HTML or Markdown. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "mrm/doc.h"
#include "mrm/evidence.h"
#include "mrm/policy.h"

/* The evidence kind a document is registered as by --register, or NULL. */
static const char *register_kind(enum mrm_doc_kind k)
{
	switch (k) {
	case MRM_DOC_MODEL_CARD:
		return "model-card";
	case MRM_DOC_MRA:
		return "risk-assessment";
	default:
		return NULL;
	}
}

int cmd_doc(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt spec[] = {
		{ "output", OPT_VALUE, NULL }, { "policy", OPT_VALUE, NULL }, { "evidence", OPT_VALUE, NULL },
		{ "register", OPT_BOOL, NULL }, { NULL, 0, NULL },
	};
	struct cli_args a = { 0 };
	struct mrm_ctx *ctx = NULL;
	struct mrm_policy *policy = NULL;
	struct mrm_doc_options o = { 0 };
	enum mrm_doc_kind kind;
	enum mrm_doc_format fmt = MRM_DOC_MARKDOWN;
	const char *out_path, *reg;
	json_t *data = NULL, *row = NULL;
	int rc;

	if (argc < 2)
		return cli_usage_error(c, "missing document (model-card, mra, validation, acceptance, annex-iv)");
	if ((rc = mrm_doc_kind_parse(argv[1], &kind, &c->err)))
		return rc;
	if ((rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) ||
	    (rc = cli_need_pos(c, &a, 1, 1, kind == MRM_DOC_ACCEPTANCE ? "acceptance id (A-N)" : "model id")))
		goto out;
	out_path = cli_opt(&a, "output");
	if (out_path && (rc = mrm_doc_format_of(out_path, &fmt, &c->err)))
		goto out;
	reg = register_kind(kind);
	if (json_object_get(a.opts, "register") && (!reg || !out_path)) {
		rc = cli_usage_error(c, reg ? "--register needs -o FILE" :
				     "--register applies to model-card and mra only");
		goto out;
	}
	if (cli_opt(&a, "evidence") && kind == MRM_DOC_ACCEPTANCE) {
		rc = cli_usage_error(c, "--evidence does not apply to an acceptance memo");
		goto out;
	}
	if (cli_opt(&a, "policy") && (rc = mrm_policy_load(cli_opt(&a, "policy"), &policy, &c->err)))
		goto out;
	o.policy = policy;
	o.evidence = cli_opt(&a, "evidence");
	if ((rc = cli_open(c, false, &ctx)) || (rc = mrm_doc_data(ctx, kind, a.pos[0], &o, &data, &c->err)))
		goto out;
	if (!out_path) {
		if (c->json)
			cli_print_json(json_incref(data));
		else
			rc = mrm_doc_render(data, MRM_DOC_MARKDOWN, mrm_sink_stdio, stdout, &c->err);
		goto out;
	}
	if ((rc = mrm_doc_render_file(data, fmt, out_path, &c->err)))
		goto out;
	if (json_object_get(a.opts, "register")) {
		json_t *fields = json_object();
		const char *model = json_string_value(json_object_get(json_object_get(data, "model"), "id"));
		const char *version = json_string_value(json_object_get(json_object_get(data, "model"), "current_version"));
		char note[256];

		if (version)
			json_object_set_new(fields, "version", json_string(version));
		snprintf(note, sizeof(note), "mrm doc %s %s", mrm_doc_kinds[kind], a.pos[0]);
		json_object_set_new(fields, "note", json_string(note));
		rc = mrm_evidence_add(ctx, model, reg, out_path, fields, &row, &c->err);
		json_decref(fields);
		if (rc) {
			char msg[MRM_ERROR_MAX];
			snprintf(msg, sizeof(msg), "%s", c->err.msg);
			mrm_error_clear(&c->err);
			mrm_error_set(&c->err, rc, "%s written, but not registered: %s", out_path, msg);
			goto out;
		}
	}
	if (c->json) {
		json_object_set_new(data, "output", json_string(out_path));
		if (row)
			json_object_set(data, "registered", row);
		cli_print_json(json_incref(data));
	} else {
		printf("%s of %s written to %s (%s)\n", mrm_doc_kinds[kind], a.pos[0], out_path,
		       fmt == MRM_DOC_HTML ? "HTML" : "Markdown");
		if (row)
			printf("evidence %s registered for %s (%s): %s\n",
			       json_string_value(json_object_get(row, "id")),
			       json_string_value(json_object_get(row, "model_id")), reg,
			       json_string_value(json_object_get(row, "path")));
	}
out:
	if (rc == MRM_OK && !out_path && !c->json && fflush(stdout))
		rc = mrm_error_set(&c->err, MRM_EINPUT, "cannot write the document to standard output");
	json_decref(row);
	json_decref(data);
	mrm_policy_free(policy);
	mrm_ctx_free(ctx);
	cli_args_release(&a);
	return rc;
}
