/* Unit tests for the document data of lib/core/doc*.c: the MRA's ratings and recommendation rules on stores built for each rule, the validation run lookup, and rendering every document in both formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "mrm/acceptance.h"
#include "mrm/doc.h"
#include "mrm/evidence.h"
#include "mrm/finding.h"
#include "mrm/incident.h"

static int setup(void **state)
{
	struct fx *f = fx_new("doc");

	if (!f)
		return -1;
	add_user(f, "alice", "admin,validator");
	add_user(f, "olga", "owner");
	add_user(f, "paul", "approver");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char path[200];

	snprintf(path, sizeof(path), "%s/report.md", f->dir);
	unlink(path);
	fx_free(f);
	return 0;
}

static json_t *mra(struct fx *f, const char *model)
{
	json_t *out = NULL;

	OK(f, mrm_doc_data(f->ctx, MRM_DOC_MRA, model, NULL, &out, &f->err));
	return out;
}

/* The risk `id` of an MRA. */
static json_t *risk(json_t *doc, const char *id)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(doc, "risks"), i, r)
		if (!strcmp(json_string_value(json_object_get(r, "id")), id))
			return r;
	fail_msg("no risk %s", id);
	return NULL;
}

static bool has_reason(json_t *doc, const char *rule)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(doc, "recommendation"), "reasons"), i, r)
		if (!strcmp(json_string_value(json_object_get(r, "rule")), rule))
			return true;
	return false;
}

static const char *decision(json_t *doc, const char *key)
{
	return json_string_value(json_object_get(json_object_get(doc, "recommendation"), key));
}

static void add_report(struct fx *f, const char *model)
{
	char path[200];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/report.md", f->dir);
	fp = fopen(path, "w");
	fputs("validated\n", fp);
	fclose(fp);
	OK(f, mrm_evidence_add(f->ctx, model, "validation-report", path, NULL, NULL, &f->err));
}

/* An untiered model with no validation report: impact as tier 1, and DNA-4. */
static void untiered_unvalidated(void **state)
{
	struct fx *f = *state;
	json_t *d;

	add_model(f, "m1", "olga");
	d = mra(f, "m1");
	assert_string_equal(decision(d, "decision"), "do-not-approve");
	assert_string_equal(decision(d, "rule"), "DNA-4");
	assert_int_equal(json_integer_value(json_object_get(risk(d, "performance"), "impact")), 4);
	assert_int_equal(json_integer_value(json_object_get(risk(d, "performance"), "likelihood")), 3);
	assert_string_equal(json_string_value(json_object_get(risk(d, "performance"), "rating")), "high");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(risk(d, "performance"),
		"impact_drivers"), 1), "reason")), "no tier assessment: the aggravator cannot be applied");
	assert_false(json_is_true(json_object_get(risk(d, "third_party"), "applicable")));
	/* The gate is wired in: each applicable control carries the gate's verdict. */
	assert_true(json_is_true(json_object_get(json_object_get(d, "gate"), "available")));
	{
		const char *st = json_string_value(json_object_get(json_array_get(json_object_get(d, "controls"), 0),
								      "status"));

		assert_non_null(st);
		assert_true(!strcmp(st, "pass") || !strcmp(st, "fail") || !strcmp(st, "waived") ||
			    !strcmp(st, "not-applicable"));
	}
	json_decref(d);
}

/* An incident not yet mitigated refuses approval (DNA-3), whatever the tier. */
static void open_incident(void **state)
{
	struct fx *f = *state;
	json_t *d, *in;

	add_model(f, "m2", "olga");
	set_tier(f, "m2", 3);
	add_report(f, "m2");
	d = mra(f, "m2");
	assert_string_equal(decision(d, "decision"), "approve");
	assert_string_equal(decision(d, "rule"), "APP");
	json_decref(d);
	in = json_pack("{ss ss}", "severity", "sev1", "title", "Wrong scores");
	OK(f, mrm_incident_open(f->ctx, "m2", in, NULL, &f->err));
	json_decref(in);
	d = mra(f, "m2");
	assert_string_equal(decision(d, "rule"), "DNA-3");
	json_decref(d);
}

/* A critical finding not accepted: DNA-2, and its category's likelihood 5. */
static void critical_finding(void **state)
{
	struct fx *f = *state;
	json_t *d, *in;

	add_model(f, "m3", "olga");
	set_tier(f, "m3", 3);
	add_report(f, "m3");
	in = json_pack("{ss ss ss}", "severity", "critical", "category", "privacy", "title", "Leaks names");
	OK(f, mrm_finding_add(f->ctx, "m3", in, NULL, &f->err));
	json_decref(in);
	d = mra(f, "m3");
	assert_true(has_reason(d, "DNA-2"));
	assert_int_equal(json_integer_value(json_object_get(risk(d, "privacy"), "likelihood")), 5);
	/* tier 3: impact 2, so 5 x 2 = 10 is medium; the finding alone refuses approval. */
	assert_string_equal(json_string_value(json_object_get(risk(d, "privacy"), "rating")), "medium");
	assert_string_equal(decision(d, "rule"), "DNA-2");
	json_decref(d);
}

/* An overdue periodic review and an acceptance that expired with its finding open. */
static void compliance(void **state)
{
	struct fx *f = *state;
	json_t *d, *in;

	add_model(f, "m4", "olga");
	set_tier(f, "m4", 2);
	add_report(f, "m4");
	in = json_pack("{ss}", "next_review_due", "2026-11-01");
	OK(f, mrm_model_update(f->ctx, "m4", in, NULL, &f->err));
	json_decref(in);
	in = json_pack("{ss ss ss ss}", "severity", "low", "category", "governance", "title", "Old doc",
		       "owner", "olga");
	OK(f, mrm_finding_add(f->ctx, "m4", in, NULL, &f->err));
	json_decref(in);
	as(f, "paul");
	in = json_pack("{s[s] ss ss}", "findings", "F-1", "rationale", "low", "expires", "2026-11-30");
	OK(f, mrm_accept(f->ctx, "m4", in, NULL, &f->err));
	json_decref(in);
	as_at(f, "alice", "2026-12-05T09:00:00Z");
	d = mra(f, "m4");
	assert_int_equal(json_integer_value(json_object_get(risk(d, "compliance"), "likelihood")), 4);
	{
		char *s = json_dumps(json_object_get(risk(d, "compliance"), "likelihood_drivers"), 0);
		assert_non_null(strstr(s, "periodic review overdue since 2026-11-01"));
		assert_non_null(strstr(s, "acceptance A-1 expired on 2026-11-30 with its findings not closed"));
		free(s);
	}
	assert_true(has_reason(d, "AWC-6"));
	assert_true(has_reason(d, "AWC-2")); /* the finding is open again */
	assert_false(has_reason(d, "AWC-3"));
	json_decref(d);
}

/* The validation document: no run, a run asked for that is not one, rendering everything. */
static void validation_and_render(void **state)
{
	struct fx *f = *state;
	struct mrm_doc_options o = { .evidence = "E-1" };
	json_t *d = NULL;
	char *buf = NULL;
	size_t len = 0;

	add_model(f, "m5", "olga");
	add_report(f, "m5");
	FAILS(f, MRM_EINPUT, "the validation reports on file are documents",
	      mrm_doc_data(f->ctx, MRM_DOC_VALIDATION, "m5", NULL, &d, &f->err));
	FAILS(f, MRM_EINPUT, "report.md is not a validation result of mrm validate",
	      mrm_doc_data(f->ctx, MRM_DOC_VALIDATION, "m5", &o, &d, &f->err));
	o.evidence = "E-9";
	FAILS(f, MRM_ENOTFOUND, "no evidence E-9 of model 'm5'",
	      mrm_doc_data(f->ctx, MRM_DOC_VALIDATION, "m5", &o, &d, &f->err));
	FAILS(f, MRM_ENOTFOUND, "no model 'zz'", mrm_doc_data(f->ctx, MRM_DOC_MODEL_CARD, "zz", NULL, &d, &f->err));
	assert_null(d);
	for (int k = MRM_DOC_MODEL_CARD; k <= MRM_DOC_ANNEX_IV; k++) {
		if (k == MRM_DOC_VALIDATION || k == MRM_DOC_ACCEPTANCE)
			continue;
		OK(f, mrm_doc_data(f->ctx, (enum mrm_doc_kind)k, "m5", NULL, &d, &f->err));
		for (int html = 0; html < 2; html++) {
			FILE *fp = open_memstream(&buf, &len);
			OK(f, mrm_doc_render(d, html ? MRM_DOC_HTML : MRM_DOC_MARKDOWN, mrm_sink_stdio, fp, &f->err));
			fclose(fp);
			assert_true(len > 500);
			assert_non_null(strstr(buf, html ? "</html>\n" : "\n---\n"));
			free(buf);
			buf = NULL;
		}
		json_decref(d);
		d = NULL;
	}
	d = json_pack("{ss}", "document", "nonsense");
	FAILS(f, MRM_EINPUT, "not a document", mrm_doc_render(d, MRM_DOC_HTML, mrm_sink_stdio, stdout, &f->err));
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(untiered_unvalidated, setup, teardown),
		cmocka_unit_test_setup_teardown(open_incident, setup, teardown),
		cmocka_unit_test_setup_teardown(critical_finding, setup, teardown),
		cmocka_unit_test_setup_teardown(compliance, setup, teardown),
		cmocka_unit_test_setup_teardown(validation_and_render, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
