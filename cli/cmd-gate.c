/*
 * mrm gate: the policy's controls for one model version, as a table, JSON or
 * a JUnit report for CI; --record keeps the result as evidence.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "mrm/evidence.h"
#include "mrm/gate.h"
#include "mrm/policy.h"

#define WIDTH 100

/* Prints `text` from column `col`, wrapped at WIDTH, later lines indented to `indent`. */
static void wrap(const char *text, int indent, int col)
{
	bool first = true;

	for (const char *s = text; *s;) {
		int len = (int)strcspn(s, " ");
		if (!first && col + 1 + len > WIDTH) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			putchar(' ');
			col++;
		}
		col += printf("%.*s", len, s);
		first = false;
		s += len;
		s += strspn(s, " ");
	}
	putchar('\n');
}

void cli_print_gate_controls(json_t *doc, bool problems_only)
{
	json_t *c;
	size_t i;
	int w = 11; /* MRM-TIER-01: the widest id of the catalogue, so sections align */

	json_array_foreach(json_object_get(doc, "controls"), i, c)
		if ((int)strlen(json_string_value(json_object_get(c, "id"))) > w)
			w = (int)strlen(json_string_value(json_object_get(c, "id")));
	if (!problems_only)
		printf("%-*s  %-6s  %s\n", w, "CONTROL", "STATUS", "REASON");
	json_array_foreach(json_object_get(doc, "controls"), i, c) {
		const char *status = json_string_value(json_object_get(c, "status"));
		int indent = (problems_only ? 2 : 0) + w + 10;

		if (problems_only && !strcmp(status, "pass"))
			continue;
		printf("%s%-*s  %-6s  ", problems_only ? "  " : "", w, json_string_value(json_object_get(c, "id")),
		       status);
		wrap(json_string_value(json_object_get(c, "reason")), indent, indent);
	}
}

/* "MRM-RT-01 (applies to generative models only), ..." */
static void print_not_applicable(json_t *doc)
{
	json_t *na = json_object_get(doc, "not_applicable"), *c;
	char line[2048];
	size_t i, len = 0;

	if (!json_array_size(na))
		return;
	line[0] = '\0';
	json_array_foreach(na, i, c) {
		int n = snprintf(line + len, sizeof(line) - len, "%s%s (%s)", i ? ", " : "",
				 json_string_value(json_object_get(c, "id")), json_string_value(json_object_get(c, "reason")));
		if (n > 0 && len + (size_t)n < sizeof(line))
			len += (size_t)n;
	}
	printf("not applicable: ");
	wrap(line, 16, 16);
}

static void print_gate(json_t *doc)
{
	json_t *p = json_object_get(doc, "policy"), *s = json_object_get(doc, "summary");
	const char *version = json_string_value(json_object_get(doc, "version"));
	const char *current = json_string_value(json_object_get(doc, "current_version"));

	printf("gate %s%s%s", json_string_value(json_object_get(doc, "model")), version ? " version " : "",
	       version ? version : "");
	printf(" (%s, %s", json_string_value(json_object_get(doc, "name")), json_string_value(json_object_get(doc, "status")));
	if (version && current && strcmp(version, current))
		printf("; the current version is %s", current);
	printf("): %s\n", json_is_true(json_object_get(doc, "passed")) ? "PASSED" : "FAILED");
	printf("tier %" JSON_INTEGER_FORMAT "%s; policy %s (%s, sha256 %.12s); as of %s\n\n",
	       json_integer_value(json_object_get(doc, "tier")),
	       json_is_true(json_object_get(doc, "untiered")) ? " (untiered: gated as tier 1)" : "",
	       json_string_value(json_object_get(p, "name")), json_string_value(json_object_get(p, "source")),
	       json_string_value(json_object_get(p, "sha256")), json_string_value(json_object_get(doc, "as_of")));
	cli_print_gate_controls(doc, false);
	print_not_applicable(doc);
	printf("\n%" JSON_INTEGER_FORMAT " passed, %" JSON_INTEGER_FORMAT " failed, %" JSON_INTEGER_FORMAT
	       " waived of %" JSON_INTEGER_FORMAT " controls",
	       json_integer_value(json_object_get(s, "pass")), json_integer_value(json_object_get(s, "fail")),
	       json_integer_value(json_object_get(s, "waived")), json_integer_value(json_object_get(s, "controls")));
	if (json_integer_value(json_object_get(s, "not_applicable")))
		printf(" (%" JSON_INTEGER_FORMAT " not applicable)", json_integer_value(json_object_get(s, "not_applicable")));
	printf("\n");
}

/* ./mrm-evidence/gate-MODEL[-VERSION]-STAMP[-N].json, a name not taken yet. */
static int record_path(struct cli *c, json_t *doc, char *buf, size_t cap)
{
	const char *iso = json_string_value(json_object_get(doc, "as_of"));
	const char *version = json_string_value(json_object_get(doc, "version"));
	char stamp[32], safe[128];
	size_t i, k = 0;

	for (i = 0; iso && iso[i] && k + 1 < sizeof(stamp); i++)
		if (iso[i] != '-' && iso[i] != ':')
			stamp[k++] = iso[i];
	stamp[k] = '\0';
	if (mkdir("mrm-evidence", 0755) && errno != EEXIST)
		return mrm_error_set(&c->err, MRM_EINPUT, "cannot create mrm-evidence/: %s", strerror(errno));
	snprintf(safe, sizeof(safe), "%s", version ? version : "");
	for (i = 0; safe[i]; i++)
		if (!isalnum((unsigned char)safe[i]) && safe[i] != '.' && safe[i] != '_' && safe[i] != '-')
			safe[i] = '_';
	for (int n = 1; n < 1000; n++) {
		snprintf(buf, cap, "mrm-evidence/gate-%s%s%s-%s%s%.0d.json", json_string_value(json_object_get(doc, "model")),
			 version ? "-" : "", safe, stamp, n > 1 ? "-" : "", n > 1 ? n : 0);
		if (access(buf, F_OK))
			return MRM_OK;
	}
	return mrm_error_set(&c->err, MRM_EINPUT, "too many gate results named %s", buf);
}

/* Saves the result and registers it as evidence of kind "other" of the gated version. */
static int record(struct cli *c, struct mrm_ctx *ctx, json_t *doc, json_t **row)
{
	json_t *fields = json_object(), *s = json_object_get(doc, "summary"), *p = json_object_get(doc, "policy");
	const char *version = json_string_value(json_object_get(doc, "version"));
	char path[4096], note[512];
	int rc;

	*row = NULL;
	if ((rc = record_path(c, doc, path, sizeof(path))))
		goto out;
	if (json_dump_file(doc, path, JSON_INDENT(2) | JSON_REAL_PRECISION(17))) {
		rc = mrm_error_set(&c->err, MRM_EINPUT, "cannot write %s", path);
		goto out;
	}
	snprintf(note, sizeof(note),
		 "mrm gate: %s (%" JSON_INTEGER_FORMAT " failed, %" JSON_INTEGER_FORMAT " waived of %" JSON_INTEGER_FORMAT
		 " controls) under policy %s, sha256 %.12s",
		 json_is_true(json_object_get(doc, "passed")) ? "passed" : "failed",
		 json_integer_value(json_object_get(s, "fail")), json_integer_value(json_object_get(s, "waived")),
		 json_integer_value(json_object_get(s, "controls")), json_string_value(json_object_get(p, "name")),
		 json_string_value(json_object_get(p, "sha256")));
	if (version)
		json_object_set_new(fields, "version", json_string(version));
	json_object_set_new(fields, "note", json_string(note));
	if ((rc = mrm_evidence_add(ctx, json_string_value(json_object_get(doc, "model")), "other", path, fields, row,
				   &c->err)))
		unlink(path); /* not registered: not left behind */
out:
	json_decref(fields);
	return rc;
}

int cmd_gate(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt spec[] = {
		{ "version", OPT_VALUE, NULL }, { "policy", OPT_VALUE, NULL }, { "junit", OPT_VALUE, NULL },
		{ "record", OPT_BOOL, NULL },   { NULL, 0, NULL },
	};
	struct mrm_gate_options o = { 0 };
	struct mrm_policy *policy = NULL;
	struct mrm_ctx *ctx = NULL;
	struct cli_args a = { 0 };
	struct mrm_error gate_err = { 0 };
	json_t *doc = NULL, *ev = NULL;
	const char *junit;
	int rc, grc;

	if ((rc = cli_parse(c, argc - 1, argv + 1, spec, &a)) || (rc = cli_need_pos(c, &a, 1, 1, "model ID")))
		goto out;
	junit = cli_opt(&a, "junit");
	if (junit && !*junit) {
		rc = cli_usage_error(c, "--junit needs a file name");
		goto out;
	}
	if (cli_opt(&a, "policy") && (rc = mrm_policy_load(cli_opt(&a, "policy"), &policy, &c->err)))
		goto out;
	o.policy = policy;
	o.version = cli_opt(&a, "version");
	if ((rc = cli_open(c, false, &ctx)))
		goto out;
	grc = mrm_gate_run(ctx, a.pos[0], &o, &doc, &gate_err);
	if (!doc) {
		c->err = gate_err;
		rc = grc;
		goto out;
	}
	if (junit && (rc = mrm_gate_junit_file(doc, junit, &c->err)))
		goto out;
	if (json_is_true(json_object_get(a.opts, "record")) && (rc = record(c, ctx, doc, &ev)))
		goto out;
	if (ev)
		json_object_set_new(doc, "recorded", json_pack("{s:O, s:O}", "evidence", json_object_get(ev, "id"), "path",
							       json_object_get(ev, "path")));
	if (c->json) {
		cli_print_json(json_incref(doc));
	} else {
		print_gate(doc);
		if (junit)
			printf("JUnit report: %s\n", junit);
		if (ev)
			printf("recorded as evidence %s (other): %s\n", json_string_value(json_object_get(ev, "id")),
			       json_string_value(json_object_get(ev, "path")));
	}
	fflush(stdout); /* the table before main's one-line verdict */
	c->err = gate_err;
	rc = grc;
out:
	json_decref(doc);
	json_decref(ev);
	mrm_ctx_free(ctx);
	mrm_policy_free(policy);
	cli_args_release(&a);
	return rc;
}
