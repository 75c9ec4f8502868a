/* mrm finding: raise findings and take them through remediation, verification and closure. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "mrm/finding.h"

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : "-";
}

static void print_finding(json_t *f)
{
	static const char *const skip[] = { "acceptances", "incidents", "repeated_by", NULL };
	static const struct cli_col acols[] = {
		{ "id", "ACCEPTANCE" }, { "accepted_by", "BY" }, { "authority_role", "AS" },
		{ "expires", "EXPIRES" }, { "revoked_at", "REVOKED" }, { "in_force", "IN FORCE" },
		{ NULL, NULL },
	};
	static const struct cli_col icols[] = {
		{ "id", "INCIDENT" }, { "severity", "SEV" }, { "title", "TITLE" },
		{ "started", "STARTED" }, { "resolved", "RESOLVED" }, { NULL, NULL },
	};
	static const struct cli_col rcols[] = {
		{ "id", "FINDING" }, { "status", "STATUS" }, { "created_at", "RAISED" }, { NULL, NULL },
	};
	static const struct { const char *key, *title; const struct cli_col *cols; } lists[] = {
		{ "acceptances", "acceptances", acols }, { "incidents", "incidents", icols },
		{ "repeated_by", "repeated by", rcols },
	};

	cli_print_record(f, skip);
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		json_t *arr = json_object_get(f, lists[i].key);
		if (json_array_size(arr)) {
			printf("\n%s:\n", lists[i].title);
			cli_print_table(arr, lists[i].cols);
		}
	}
}

static int add_cmd(struct cli *c, struct mrm_ctx **ctx, int argc, char **argv)
{
	static const struct cli_opt spec[] = {
		{ "severity", OPT_VALUE, NULL }, { "category", OPT_VALUE, NULL },
		{ "title", OPT_VALUE, NULL }, { "owner", OPT_VALUE, NULL }, { "due", OPT_VALUE, NULL },
		{ "description", OPT_VALUE, NULL }, { "version", OPT_VALUE, NULL },
		{ "evidence", OPT_VALUE, "evidence_id" }, { "repeat-of", OPT_VALUE, NULL },
		{ NULL, 0, NULL },
	};
	static const char *const req[] = { "severity", "category", "title", NULL };
	struct cli_args a = { 0 };
	json_t *out = NULL;
	int rc;

	if ((rc = cli_parse(c, argc, argv, spec, &a)) || (rc = cli_need_pos(c, &a, 1, 1, "model ID")))
		goto out;
	for (const char *const *r = req; *r; r++)
		if (!cli_opt(&a, *r)) {
			rc = cli_usage_error(c, "missing --%s", *r);
			goto out;
		}
	if ((rc = cli_open(c, false, ctx)) ||
	    (rc = mrm_finding_add(*ctx, a.pos[0], a.opts, &out, &c->err)))
		goto out;
	if (c->json) {
		cli_print_json(json_incref(out));
		goto out;
	}
	printf("finding %s raised on %s: %s %s, owner %s, due %s\n", str(out, "id"), a.pos[0],
	       str(out, "severity"), str(out, "category"), str(out, "owner"), str(out, "due"));
	if (json_is_true(json_object_get(out, "repeat_detected")))
		printf("repeat of %s (a closed finding of this model with the same category and title)\n",
		       str(out, "repeat_of"));
	else if (json_is_string(json_object_get(out, "repeat_of")))
		printf("repeat of %s\n", str(out, "repeat_of"));
out:
	json_decref(out);
	cli_args_release(&a);
	return rc;
}

static int write_stdout(void *arg, const char *data, size_t len)
{
	(void)arg;
	return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

static int list_cmd(struct cli *c, struct mrm_ctx **ctx, int argc, char **argv)
{
	static const struct cli_opt spec[] = {
		{ "model", OPT_VALUE, NULL }, { "status", OPT_VALUE, NULL },
		{ "severity", OPT_VALUE, NULL }, { "owner", OPT_VALUE, NULL },
		{ "overdue", OPT_BOOL, NULL }, { NULL, 0, NULL },
	};
	static const struct cli_col cols[] = {
		{ "id", "FINDING" }, { "model_id", "MODEL" }, { "severity", "SEVERITY" },
		{ "category", "CATEGORY" }, { "status", "STATUS" }, { "owner", "OWNER" },
		{ "due", "DUE" }, { "overdue", "OVERDUE" }, { "title", "TITLE" }, { NULL, NULL },
	};
	struct mrm_finding_filter f = { 0 };
	struct cli_args a = { 0 };
	json_t *out = NULL;
	int rc;

	if ((rc = cli_parse(c, argc, argv, spec, &a)) || (rc = cli_need_pos(c, &a, 0, 0, "")))
		goto out;
	f.model_id = cli_opt(&a, "model");
	f.status = cli_opt(&a, "status");
	f.severity = cli_opt(&a, "severity");
	f.owner = cli_opt(&a, "owner");
	f.overdue = json_is_true(json_object_get(a.opts, "overdue"));
	if ((rc = cli_open(c, false, ctx)))
		goto out;
	if (c->json) {
		/* streamed: the list can be 100,000 findings */
		rc = mrm_finding_list_write(*ctx, &f, write_stdout, NULL, &c->err);
		goto out;
	}
	if ((rc = mrm_finding_list(*ctx, &f, &out, &c->err)))
		goto out;
	cli_print_table(out, cols);
out:
	json_decref(out);
	cli_args_release(&a);
	return rc;
}

/* Prints what an update changed, e.g. "finding F-2 updated: status in-remediation". */
static void print_updated(json_t *out, json_t *fields)
{
	const char *k;
	json_t *v;
	int n = 0;

	printf("finding %s updated:", str(out, "id"));
	json_object_foreach(fields, k, v) {
		/* status shows the stored workflow status the move produced */
		printf("%s %s %s", n++ ? "," : "", k,
		       str(out, strcmp(k, "status") ? k : "workflow_status"));
	}
	printf("\n");
}

static int update_cmd(struct cli *c, struct mrm_ctx **ctx, int argc, char **argv)
{
	static const struct cli_opt spec[] = {
		{ "status", OPT_VALUE, NULL }, { "owner", OPT_VALUE, NULL }, { "due", OPT_VALUE, NULL },
		{ "severity", OPT_VALUE, NULL }, { "title", OPT_VALUE, NULL },
		{ "description", OPT_VALUE, NULL }, { NULL, 0, NULL },
	};
	struct cli_args a = { 0 };
	json_t *out = NULL;
	int rc;

	if ((rc = cli_parse(c, argc, argv, spec, &a)) ||
	    (rc = cli_need_pos(c, &a, 1, 1, "finding id (F-N)")))
		goto out;
	if (!json_object_size(a.opts)) {
		rc = cli_usage_error(c, "nothing to update (give --status, --owner, --due, --severity, --title or --description)");
		goto out;
	}
	if ((rc = cli_open(c, false, ctx)) ||
	    (rc = mrm_finding_update(*ctx, a.pos[0], a.opts, &out, &c->err)))
		goto out;
	if (c->json)
		cli_print_json(json_incref(out));
	else
		print_updated(out, a.opts);
out:
	json_decref(out);
	cli_args_release(&a);
	return rc;
}

static int verify_cmd(struct cli *c, struct mrm_ctx **ctx, int argc, char **argv, bool close)
{
	static const struct cli_opt spec[] = {
		{ "evidence", OPT_VALUE, "evidence_id" }, { "note", OPT_VALUE, NULL },
		{ "fail", OPT_BOOL, NULL }, { NULL, 0, NULL },
	};
	static const struct cli_opt close_spec[] = {
		{ "evidence", OPT_VALUE, "evidence_id" }, { "note", OPT_VALUE, NULL }, { NULL, 0, NULL },
	};
	struct cli_args a = { 0 };
	json_t *out = NULL;
	int rc;

	if ((rc = cli_parse(c, argc, argv, close ? close_spec : spec, &a)) ||
	    (rc = cli_need_pos(c, &a, 1, 1, "finding id (F-N)")))
		goto out;
	if (!close && !cli_opt(&a, "evidence_id")) {
		rc = cli_usage_error(c, "missing --evidence (the evidence the verification rests on)");
		goto out;
	}
	if (close && cli_opt(&a, "note") && !cli_opt(&a, "evidence_id")) {
		rc = cli_usage_error(c, "--note is recorded with the verification: give --evidence too");
		goto out;
	}
	if ((rc = cli_open(c, false, ctx)))
		goto out;
	rc = close ? mrm_finding_close(*ctx, a.pos[0], a.opts, &out, &c->err)
		   : mrm_finding_verify(*ctx, a.pos[0], a.opts, &out, &c->err);
	if (rc)
		goto out;
	if (c->json)
		cli_print_json(json_incref(out));
	else if (close)
		printf("finding %s closed by %s (verified by %s with %s)\n", str(out, "id"),
		       str(out, "closed_by"), str(out, "verified_by"),
		       str(out, "verification_evidence_id"));
	else if (json_is_true(json_object_get(a.opts, "fail")))
		printf("finding %s failed verification: back to in-remediation (owner %s)\n",
		       str(out, "id"), str(out, "owner"));
	else
		printf("finding %s verified by %s with %s; it can now be closed\n", str(out, "id"),
		       str(out, "verified_by"), str(out, "verification_evidence_id"));
out:
	json_decref(out);
	cli_args_release(&a);
	return rc;
}

int cmd_finding(struct cli *c, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	struct cli_args a = { 0 };
	struct mrm_ctx *ctx = NULL;
	json_t *out = NULL;
	int rc;

	if (!sub)
		return cli_usage_error(c, "missing subcommand (add, list, show, update, verify, close)");
	argc -= 2;
	argv += 2;
	if (!strcmp(sub, "add")) {
		rc = add_cmd(c, &ctx, argc, argv);
	} else if (!strcmp(sub, "list")) {
		rc = list_cmd(c, &ctx, argc, argv);
	} else if (!strcmp(sub, "show")) {
		static const struct cli_opt spec[] = { { NULL, 0, NULL } };
		if ((rc = cli_parse(c, argc, argv, spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 1, 1, "finding id (F-N)")) ||
		    (rc = cli_open(c, false, &ctx)) ||
		    (rc = mrm_finding_show(ctx, a.pos[0], &out, &c->err)))
			goto out;
		if (c->json)
			cli_print_json(json_incref(out));
		else
			print_finding(out);
	} else if (!strcmp(sub, "update")) {
		rc = update_cmd(c, &ctx, argc, argv);
	} else if (!strcmp(sub, "verify")) {
		rc = verify_cmd(c, &ctx, argc, argv, false);
	} else if (!strcmp(sub, "close")) {
		rc = verify_cmd(c, &ctx, argc, argv, true);
	} else {
		rc = cli_usage_error(c, "unknown subcommand 'finding %s'", sub);
	}
out:
	json_decref(out);
	mrm_ctx_free(ctx);
	cli_args_release(&a);
	return rc;
}
