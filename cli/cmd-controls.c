/* mrm controls: the built-in control catalogue, one control, and its coverage of each framework. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "mrm/gate.h"
#include "mrm/policy.h"

/* ---- text helpers -------------------------------------------------------------------- */

/* Prints `text` wrapped at 92 columns; the cursor is at `col`, later lines start at `indent`. */
static void wrapped(const char *text, int indent, int col)
{
	bool first = true;

	for (const char *s = text; *s;) {
		const char *e = strchr(s, ' ');
		int len = e ? (int)(e - s) : (int)strlen(s);
		if (!first && col + 1 + len > 92) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			putchar(' ');
			col++;
		}
		printf("%.*s", len, s);
		col += len;
		first = false;
		s += len;
		while (*s == ' ')
			s++;
	}
	putchar('\n');
}

/* A comma-separated list of the strings of JSON array `a` into buf. */
static const char *joined(json_t *a, char *buf, size_t cap)
{
	size_t len = 0, i;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(a, i, v) {
		int n = snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", json_string_value(v));
		if (n < 0 || len + (size_t)n >= cap)
			break;
		len += (size_t)n;
	}
	return buf;
}

/* Rows of up to 3 columns, all but the last padded; nothing is cut. */
struct row {
	const char *c[3];
};

static void print_rows(const struct row *rows, size_t n, int ncol, int indent)
{
	size_t w[3] = { 0, 0, 0 };

	for (size_t i = 0; i < n; i++)
		for (int j = 0; j < ncol - 1; j++)
			if (strlen(rows[i].c[j]) > w[j])
				w[j] = strlen(rows[i].c[j]);
	for (size_t i = 0; i < n; i++) {
		printf("%*s", indent, "");
		for (int j = 0; j + 1 < ncol; j++)
			printf("%-*s  ", (int)w[j], rows[i].c[j]);
		printf("%s\n", rows[i].c[ncol - 1]);
	}
}

static int parse_framework(struct cli *c, const struct mrm_catalog *cat, const char *id,
			   const struct mrm_framework **out)
{
	char list[256];
	size_t len = 0;

	*out = NULL;
	if (!id)
		return MRM_OK;
	if ((*out = mrm_catalog_framework(cat, id)))
		return MRM_OK;
	list[0] = '\0';
	for (size_t i = 0; i < cat->nframeworks; i++) {
		int n = snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", cat->frameworks[i].id);
		if (n > 0 && len + (size_t)n < sizeof(list))
			len += (size_t)n;
	}
	return cli_usage_error(c, "--framework must be one of %s, not '%s'", list, id);
}

/* The catalogue's frameworks whose ids are not official, as a note. */
static void ids_note(const struct mrm_catalog *cat, const struct mrm_framework *only)
{
	for (size_t i = 0; i < cat->nframeworks; i++) {
		const struct mrm_framework *f = &cat->frameworks[i];
		if ((!only || only == f) && !f->official_ids)
			printf("note: the %s ids were assigned by mrm's sources; they are not official ids\n", f->id);
	}
}

/* ---- list ------------------------------------------------------------------------------- */

static int list(struct cli *c, const struct mrm_catalog *cat, const struct mrm_framework *f)
{
	json_t *doc = json_object(), *ks = json_array(), *fws = json_array();
	struct row *rows = calloc(cat->ncontrols + 1, sizeof(*rows));
	char (*bufs)[512] = calloc(cat->ncontrols + 1, sizeof(*bufs));
	size_t n = 0;

	if (!rows || !bufs) {
		free(rows);
		free(bufs);
		json_decref(doc);
		json_decref(ks);
		json_decref(fws);
		return mrm_error_set(&c->err, MRM_ESTORE, "out of memory");
	}
	for (size_t i = 0; i < cat->nframeworks; i++)
		if (!f || f == &cat->frameworks[i])
			json_array_append_new(fws, mrm_framework_json(&cat->frameworks[i]));
	for (size_t i = 0; i < cat->ncontrols; i++) {
		const struct mrm_control *k = &cat->controls[i];
		const struct mrm_control_mapping *m = f ? mrm_control_mapping(k, f) : NULL;

		if (f && !m)
			continue;
		json_array_append_new(ks, mrm_control_json(k, f));
		rows[n].c[0] = k->id;
		rows[n].c[1] = k->applies_to;
		if (f) {
			size_t len = 0;
			bufs[n][0] = '\0';
			for (size_t j = 0; j < m->nitems; j++) {
				int w = snprintf(bufs[n] + len, sizeof(bufs[n]) - len, "%s%s", j ? ", " : "", m->items[j]);
				if (w > 0 && len + (size_t)w < sizeof(bufs[n]))
					len += (size_t)w;
			}
			rows[n].c[1] = bufs[n];
		}
		rows[n].c[2] = k->title;
		n++;
	}
	json_object_set_new(doc, "frameworks", fws);
	json_object_set_new(doc, "controls", ks);
	if (c->json) {
		cli_print_json(doc);
	} else {
		struct row head = { { "ID", f ? "ITEMS" : "APPLIES", "TITLE" } };
		memmove(rows + 1, rows, n * sizeof(*rows));
		rows[0] = head;
		if (f)
			printf("controls that produce evidence for %s (%s):\n\n", f->id, f->name);
		print_rows(rows, n + 1, 3, 0);
		printf("\n%zu control%s", n, n == 1 ? "" : "s");
		if (f)
			printf(" of %zu map to %s", cat->ncontrols, f->id);
		printf("; 'mrm controls show ID' for what each checks, 'mrm controls coverage' for the frameworks\n");
		ids_note(cat, f);
		json_decref(doc);
	}
	free(rows);
	free(bufs);
	return MRM_OK;
}

/* ---- show ------------------------------------------------------------------------------- */

static void print_control(const struct mrm_catalog *cat, const struct mrm_control *k)
{
	printf("%s  %s\n", k->id, k->title);
	printf("check:       %s\n", k->check);
	printf("applies to:  %s\n", !strcmp(k->applies_to, "all")     ? "all models"
				   : !strcmp(k->applies_to, "genai") ? "generative models"
								     : "third-party (vendor) models");
	printf("uses:        ");
	if (!k->nuses)
		printf("no policy parameters");
	for (size_t i = 0; i < k->nuses; i++)
		printf("%s%s%s", i ? ", " : "", k->uses[i], k->uses_optional[i] ? " (optional)" : "");
	printf("\nchecks:      ");
	wrapped(k->description, 13, 13);
	printf("evidence:    ");
	wrapped(k->evidence, 13, 13);
	printf("limits:      ");
	wrapped(k->limits, 13, 13);
	printf("maps to:%s\n", k->nmappings ? "" : "     no framework item (an mrm-specific control)");
	for (size_t i = 0; i < k->nmappings; i++) {
		const struct mrm_control_mapping *m = &k->mappings[i];
		for (size_t j = 0; j < m->nitems; j++) {
			const char *title = "";
			for (size_t t = 0; t < m->framework->nitems; t++)
				if (!strcmp(m->framework->items[t].id, m->items[j]))
					title = m->framework->items[t].title;
			printf("  %-14s %-12s %s\n", j ? "" : m->framework->id, m->items[j], title);
		}
	}
	for (size_t i = 0; i < k->nmappings; i++)
		if (!k->mappings[i].framework->official_ids)
			ids_note(cat, k->mappings[i].framework);
}

static int show(struct cli *c, const struct mrm_catalog *cat, const char *id)
{
	const struct mrm_control *k = mrm_catalog_control(cat, id);

	if (!k)
		return mrm_error_set(&c->err, MRM_ENOTFOUND, "no control '%s' (see 'mrm controls list')", id);
	if (c->json)
		cli_print_json(mrm_control_json(k, NULL));
	else
		print_control(cat, k);
	return MRM_OK;
}

/* ---- coverage --------------------------------------------------------------------------- */

/* Items as "ID  TITLE  CONTROLS" rows, a note on its own line under its item. */
static void print_items(json_t *items, bool with_controls)
{
	size_t wid = 0, wtitle = 0, i;
	char buf[512];
	json_t *it;

	json_array_foreach(items, i, it) {
		size_t a = strlen(json_string_value(json_object_get(it, "id")));
		size_t b = strlen(json_string_value(json_object_get(it, "title")));
		wid = a > wid ? a : wid;
		wtitle = b > wtitle ? b : wtitle;
	}
	json_array_foreach(items, i, it) {
		const char *title = json_string_value(json_object_get(it, "title"));
		if (with_controls)
			printf("  %-*s  %-*s  %s\n", (int)wid, json_string_value(json_object_get(it, "id")),
			       (int)wtitle, title, joined(json_object_get(it, "controls"), buf, sizeof(buf)));
		else
			printf("  %-*s  %s\n", (int)wid, json_string_value(json_object_get(it, "id")), title);
		if (json_is_string(json_object_get(it, "note")))
			printf("  %-*s  (%s)\n", (int)wid, "", json_string_value(json_object_get(it, "note")));
	}
}

static void print_coverage(json_t *doc)
{
	json_t *fws = json_object_get(doc, "frameworks"), *f;
	size_t i;

	printf("An item is addressed when at least one mrm control produces evidence for it; that is\n"
	       "not the same as the item being met (see docs/controls.md).\n\n");
	printf("%-15s %6s %10s %14s %8s\n", "FRAMEWORK", "ITEMS", "ADDRESSED", "NOT ADDRESSED", "PERCENT");
	json_array_foreach(fws, i, f)
		printf("%-15s %6" JSON_INTEGER_FORMAT " %10" JSON_INTEGER_FORMAT " %14" JSON_INTEGER_FORMAT
		       " %7.1f%%\n",
		       json_string_value(json_object_get(f, "id")), json_integer_value(json_object_get(f, "items")),
		       json_integer_value(json_object_get(f, "addressed")),
		       json_integer_value(json_object_get(f, "not_addressed")),
		       json_real_value(json_object_get(f, "percent")));
	json_array_foreach(fws, i, f) {
		printf("\n%s: %s\n", json_string_value(json_object_get(f, "id")),
		       json_string_value(json_object_get(f, "name")));
		printf("  status: ");
		wrapped(json_string_value(json_object_get(f, "status")), 10, 10);
		if (json_is_string(json_object_get(f, "note"))) {
			printf("  note: ");
			wrapped(json_string_value(json_object_get(f, "note")), 8, 8);
		}
		if (!json_is_true(json_object_get(f, "official_ids")))
			printf("  ids: assigned by mrm's sources, not official\n");
		printf("addressed (%" JSON_INTEGER_FORMAT "):\n", json_integer_value(json_object_get(f, "addressed")));
		print_items(json_object_get(f, "addressed_items"), true);
		printf("not addressed (%" JSON_INTEGER_FORMAT "):\n",
		       json_integer_value(json_object_get(f, "not_addressed")));
		print_items(json_object_get(f, "not_addressed_items"), false);
	}
}

static int coverage(struct cli *c, const struct mrm_catalog *cat, const struct mrm_framework *f)
{
	json_t *doc = json_object(), *fws = json_array();

	for (size_t i = 0; i < cat->nframeworks; i++)
		if (!f || f == &cat->frameworks[i])
			json_array_append_new(fws, mrm_catalog_coverage_json(cat, &cat->frameworks[i]));
	json_object_set_new(doc, "frameworks", fws);
	if (c->json) {
		cli_print_json(doc);
		return MRM_OK;
	}
	print_coverage(doc);
	json_decref(doc);
	return MRM_OK;
}

/* ---- test ------------------------------------------------------------------------------- */

static void print_test(json_t *doc)
{
	json_t *p = json_object_get(doc, "policy"), *m, *t;
	size_t i;

	printf("control test of %" JSON_INTEGER_FORMAT " model%s under policy %s (%s, sha256 %.12s), as of %s\n",
	       json_integer_value(json_object_get(doc, "models_tested")),
	       json_integer_value(json_object_get(doc, "models_tested")) == 1 ? "" : "s",
	       json_string_value(json_object_get(p, "name")), json_string_value(json_object_get(p, "source")),
	       json_string_value(json_object_get(p, "sha256")), json_string_value(json_object_get(doc, "as_of")));
	json_array_foreach(json_object_get(doc, "models"), i, m) {
		json_t *s = json_object_get(m, "summary");
		const char *version = json_string_value(json_object_get(m, "version"));
		json_int_t fail = json_integer_value(json_object_get(s, "fail"));
		json_int_t waived = json_integer_value(json_object_get(s, "waived"));

		printf("\n%s (%stier %" JSON_INTEGER_FORMAT ", %s, %s%s): ", json_string_value(json_object_get(m, "model")),
		       json_is_true(json_object_get(m, "untiered")) ? "untiered: gated as " : "",
		       json_integer_value(json_object_get(m, "tier")),
		       json_string_value(json_object_get(m, "status")), version ? "version " : "no versions",
		       version ? version : "");
		if (fail)
			printf("%" JSON_INTEGER_FORMAT " gap%s", fail, fail == 1 ? "" : "s");
		else
			printf("no gaps");
		if (waived)
			printf(", %" JSON_INTEGER_FORMAT " waived", waived);
		printf(" (%" JSON_INTEGER_FORMAT " controls)\n", json_integer_value(json_object_get(s, "controls")));
		cli_print_gate_controls(m, true);
	}
	json_array_foreach(json_object_get(doc, "not_tested"), i, m)
		printf("%s%s (%s)", i ? ", " : "\nnot tested: ", json_string_value(json_object_get(m, "model")),
		       json_string_value(json_object_get(m, "reason")));
	if (json_array_size(json_object_get(doc, "not_tested")))
		printf("\n");
	printf("\n%-12s %6s %5s %6s %5s %4s  %s\n", "CONTROL", "MODELS", "PASS", "WAIVED", "FAIL", "N/A", "TITLE");
	json_array_foreach(json_object_get(doc, "totals"), i, t)
		printf("%-12s %6" JSON_INTEGER_FORMAT " %5" JSON_INTEGER_FORMAT " %6" JSON_INTEGER_FORMAT
		       " %5" JSON_INTEGER_FORMAT " %4" JSON_INTEGER_FORMAT "  %s\n",
		       json_string_value(json_object_get(t, "id")), json_integer_value(json_object_get(t, "models")),
		       json_integer_value(json_object_get(t, "pass")), json_integer_value(json_object_get(t, "waived")),
		       json_integer_value(json_object_get(t, "fail")),
		       json_integer_value(json_object_get(t, "not_applicable")),
		       json_string_value(json_object_get(t, "title")));
	if (json_integer_value(json_object_get(doc, "gaps")))
		printf("\n%" JSON_INTEGER_FORMAT " gap%s in %" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT " models\n",
		       json_integer_value(json_object_get(doc, "gaps")),
		       json_integer_value(json_object_get(doc, "gaps")) == 1 ? "" : "s",
		       json_integer_value(json_object_get(doc, "models_with_gaps")),
		       json_integer_value(json_object_get(doc, "models_tested")));
	else
		printf("\nno gaps in %" JSON_INTEGER_FORMAT " model%s\n", json_integer_value(json_object_get(doc, "models_tested")),
		       json_integer_value(json_object_get(doc, "models_tested")) == 1 ? "" : "s");
}

static int test(struct cli *c, const struct cli_args *a)
{
	struct mrm_policy *policy = NULL;
	struct mrm_ctx *ctx = NULL;
	struct mrm_error test_err = { 0 };
	const char *junit = cli_opt(a, "junit");
	json_t *doc = NULL;
	int rc, trc;

	if (junit && !*junit)
		return cli_usage_error(c, "--junit needs a file name");
	if (cli_opt(a, "policy") && (rc = mrm_policy_load(cli_opt(a, "policy"), &policy, &c->err)))
		goto out;
	if ((rc = cli_open(c, false, &ctx)))
		goto out;
	trc = mrm_controls_test(ctx, policy, &doc, &test_err);
	if (!doc) {
		c->err = test_err;
		rc = trc;
		goto out;
	}
	if (junit && (rc = mrm_gate_junit_file(doc, junit, &c->err)))
		goto out;
	if (c->json)
		cli_print_json(json_incref(doc));
	else
		print_test(doc);
	if (junit && !c->json)
		printf("JUnit report: %s\n", junit);
	fflush(stdout);
	c->err = test_err;
	rc = trc;
out:
	json_decref(doc);
	mrm_ctx_free(ctx);
	mrm_policy_free(policy);
	return rc;
}

int cmd_controls(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt fw_spec[] = { { "framework", OPT_VALUE, NULL }, { NULL, 0, NULL } };
	static const struct cli_opt no_spec[] = { { NULL, 0, NULL } };
	const char *sub = argc > 1 ? argv[1] : NULL;
	const struct mrm_framework *f = NULL;
	struct mrm_catalog *cat = NULL;
	struct cli_args a = { 0 };
	int rc;

	if (!sub)
		return cli_usage_error(c, "missing subcommand (list, show, coverage, test)");
	if (!strcmp(sub, "test")) {
		static const struct cli_opt test_spec[] = {
			{ "policy", OPT_VALUE, NULL }, { "junit", OPT_VALUE, NULL }, { NULL, 0, NULL },
		};
		if (!(rc = cli_parse(c, argc - 2, argv + 2, test_spec, &a)) && !(rc = cli_need_pos(c, &a, 0, 0, "")))
			rc = test(c, &a);
		cli_args_release(&a);
		return rc;
	}
	if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "coverage"))
		return cli_usage_error(c, "unknown subcommand 'controls %s'", sub);
	if (!strcmp(sub, "show")) {
		if ((rc = cli_parse(c, argc - 2, argv + 2, no_spec, &a)) ||
		    (rc = cli_need_pos(c, &a, 1, 1, "control ID")))
			goto out;
	} else if ((rc = cli_parse(c, argc - 2, argv + 2, fw_spec, &a)) || (rc = cli_need_pos(c, &a, 0, 0, ""))) {
		goto out;
	}
	if ((rc = mrm_catalog_load(&cat, &c->err)))
		goto out;
	if (!strcmp(sub, "show"))
		rc = show(c, cat, a.pos[0]);
	else if (!(rc = parse_framework(c, cat, cli_opt(&a, "framework"), &f)))
		rc = !strcmp(sub, "list") ? list(c, cat, f) : coverage(c, cat, f);
out:
	mrm_catalog_free(cat);
	cli_args_release(&a);
	return rc;
}
