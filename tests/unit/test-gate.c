/*
 * Unit tests for gates (lib/core/gate.c): every check kind on a store built
 * at known dates, waivers that expire between two runs, conditional approvals
 * that lapse, material changes, stale and altered evidence, the control test
 * over an inventory, and the JUnit rendering.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fixture.h"

#include "mrm/acceptance.h"
#include "mrm/evidence.h"
#include "mrm/finding.h"
#include "mrm/gate.h"
#include "mrm/incident.h"
#include "mrm/monitor.h"
#include "mrm/policy.h"
#include "mrm/review.h"
#include "mrm/signoff.h"
#include "mrm/tier.h"

/* The day the complete model is built, 25 days before NOW. */
#define T0 "2026-11-01T09:00:00Z"

/* A validation report as mrm validate writes it (the parts a gate reads). */
#define REPORT_PASS                                                                                         \
	"{\"task\": \"binary\", \"metrics\": {\"roc_auc\": 0.81}, \"fairness\": {\"sex\": "                    \
	"{\"disparate_impact_ratio\": 0.9}}, \"tests\": [{\"name\": \"auc floor\", \"condition\": \"roc_auc >= " \
	"0.75\", \"value\": 0.81, \"passed\": true}, {\"name\": \"four-fifths by sex\", \"condition\": "         \
	"\"disparate_impact_ratio >= 0.8 for sex\", \"group\": \"sex\", \"value\": 0.9, \"passed\": true}], "    \
	"\"tests_failed\": 0}"

#define REPORT_FAIL                                                                                         \
	"{\"task\": \"binary\", \"metrics\": {\"roc_auc\": 0.61}, \"fairness\": {\"sex\": "                    \
	"{\"disparate_impact_ratio\": 0.62}}, \"tests\": [{\"name\": \"auc floor\", \"condition\": \"roc_auc >= " \
	"0.75\", \"value\": 0.61, \"passed\": false}, {\"name\": \"four-fifths by sex\", \"condition\": "        \
	"\"disparate_impact_ratio >= 0.8 for sex\", \"group\": \"sex\", \"value\": 0.62, \"passed\": false}], " \
	"\"tests_failed\": 2}"

static void write_file(struct fx *f, const char *name, const char *text, char *path, size_t cap)
{
	FILE *fp;

	snprintf(path, cap, "%s/%s", f->dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void remove_file(struct fx *f, const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	unlink(path);
}

/* Registers `text` as file `name` of evidence `kind`; returns nothing, asserts success. */
static void evidence(struct fx *f, const char *model, const char *kind, const char *name, const char *text,
		     const char *version)
{
	char path[256];
	json_t *in = version ? json_pack("{ss}", "version", version) : json_object();

	write_file(f, name, text, path, sizeof(path));
	OK(f, mrm_evidence_add(f->ctx, model, kind, path, in, NULL, &f->err));
	json_decref(in);
}

static void call(struct fx *f, int (*fn)(struct mrm_ctx *, const char *, json_t *, json_t **, struct mrm_error *),
		 const char *id, json_t *in)
{
	OK(f, fn(f->ctx, id, in, NULL, &f->err));
	json_decref(in);
}

static void tier_assess(struct fx *f, const char *model)
{
	json_t *a = json_pack("{ss ss ss ss ss ss ss ss ss}", "decision_impact", "significant", "autonomy",
			      "fully-automated", "customer_facing", "yes", "regulated_domain", "credit", "personal_data",
			      "personal", "genai", "no", "reliance", "high", "complexity", "medium", "scale", "high");
	OK(f, mrm_tier_assess(f->ctx, model, a, NULL, &f->err));
	json_decref(a);
}

static void version_add(struct fx *f, const char *model, const char *version, bool material)
{
	json_t *in = json_pack("{sb}", "material", material);
	OK(f, mrm_version_add(f->ctx, model, version, in, NULL, &f->err));
	json_decref(in);
}

/*
 * A tier 1 production model "credit" (owner bob) with everything the default
 * policy asks of version 1.0, built at T0 by the people whose job each step is.
 * Users: alice admin,validator; bob owner; carol approver; dave validator.
 */
static void build_complete(struct fx *f)
{
	json_t *m;

	as_at(f, "alice", T0);
	add_user(f, "alice", "admin,validator");
	add_user(f, "bob", "owner");
	add_user(f, "carol", "approver");
	add_user(f, "dave", "validator");
	as_at(f, "bob", T0);
	m = json_pack("{ss ss ss ss ss ss ss ss ss s[s] ss}", "id", "credit", "name", "Credit PD", "owner", "bob",
		      "purpose", "Probability of default", "team", "risk", "intended_use", "Credit limits",
		      "out_of_scope_use", "Marketing", "population", "Retail applicants", "status", "production",
		      "data_sources", "bureau", "deployment", "batch");
	OK(f, mrm_model_add(f->ctx, m, NULL, &f->err));
	json_decref(m);
	tier_assess(f, "credit");
	version_add(f, "credit", "1.0", false);
	evidence(f, "credit", "risk-assessment", "risk.md", "risk", "1.0");
	evidence(f, "credit", "model-card", "card.md", "card", "1.0");
	evidence(f, "credit", "data-sheet", "sheet.md", "sheet", "1.0");
	evidence(f, "credit", "monitoring-plan", "plan.md", "plan", "1.0");
	evidence(f, "credit", "drift-report", "drift.html", "drift", "1.0");
	as_at(f, "dave", T0);
	evidence(f, "credit", "validation-report", "val.json", REPORT_PASS, "1.0");
	evidence(f, "credit", "fairness-report", "val.json", REPORT_PASS, "1.0");
	call(f, mrm_signoff_add, "credit", json_pack("{ss}", "role", "validator"));
	call(f, mrm_review_open, "credit", json_object());
	as_at(f, "carol", T0);
	call(f, mrm_signoff_add, "credit", json_pack("{ss}", "role", "approver"));
	call(f, mrm_review_decide, "R-1", json_pack("{ss ss}", "decision", "approve", "note", "sound"));
	as_at(f, "bob", T0);
	call(f, mrm_monitor_add, "credit", json_pack("{ss ss ss}", "signal", "drift_share", "warn", "0.3", "alert", "0.5"));
	call(f, mrm_monitor_add, "credit",
	     json_pack("{ss ss ss ss ss}", "signal", "metric:roc_auc", "warn", "0.7", "alert", "0.6", "label", "y",
		       "score", "p"));
	as(f, "alice");
}

/* A drift report registered by bob on `when`, so later gates are not failed by its age. */
static void fresh_drift(struct fx *f, const char *when)
{
	char name[64];

	as_at(f, "bob", when);
	snprintf(name, sizeof(name), "drift-%.10s.html", when);
	evidence(f, "credit", "drift-report", name, when, "1.0");
	as_at(f, "alice", when);
}

static int setup(void **state)
{
	struct fx *f = fx_new("gate");

	if (!f)
		return -1;
	build_complete(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[300];

	/* Evidence files live next to the store. */
	snprintf(cmd, sizeof(cmd), "rm -f %s/*.md %s/*.json %s/*.html %s/*.txt %s/*.xml", f->dir, f->dir, f->dir,
		 f->dir, f->dir);
	if (system(cmd) != 0)
		return -1;
	fx_free(f);
	return 0;
}

/* Runs the gate of `model` at `version` under `p`, expecting `want` (MRM_OK or MRM_ECHECK). */
static json_t *gate_as(struct fx *f, const char *model, const char *version, const struct mrm_policy *p, int want)
{
	struct mrm_gate_options o = { .version = version, .policy = p };
	json_t *doc = NULL;
	int rc;

	mrm_error_clear(&f->err);
	rc = mrm_gate_run(f->ctx, model, &o, &doc, &f->err);
	if (rc != want) {
		char *s = doc ? json_dumps(doc, JSON_INDENT(1)) : NULL;
		fail_msg("gate %s: got %d (%s), want %d\n%s", model, rc, f->err.msg, want, s ? s : "");
	}
	assert_non_null(doc);
	assert_int_equal(json_is_true(json_object_get(doc, "passed")), want == MRM_OK);
	return doc;
}

static json_t *control(json_t *doc, const char *id)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(doc, "controls"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "id")), id))
			return c;
	return NULL;
}

/* Asserts control `id` of `doc` has `status` and a reason containing `text`. */
#define EXPECT(doc, id, status, text) expect_at(doc, id, status, text, __LINE__)

static void expect_at(json_t *doc, const char *id, const char *status, const char *text, int line)
{
	json_t *c = control(doc, id);
	const char *got, *why;

	if (!c)
		fail_msg("line %d: no control %s in the gate", line, id);
	got = json_string_value(json_object_get(c, "status"));
	why = json_string_value(json_object_get(c, "reason"));
	if (strcmp(got, status) || !strstr(why, text))
		fail_msg("line %d: %s: got %s '%s', want %s '%s'", line, id, got, why, status, text);
}

static int summary(json_t *doc, const char *key)
{
	return (int)json_integer_value(json_object_get(json_object_get(doc, "summary"), key));
}

static struct mrm_policy *policy(struct fx *f, const char *text)
{
	struct mrm_policy *p = NULL;
	OK(f, mrm_policy_parse("test.yaml", text, strlen(text), &p, &f->err));
	return p;
}

/* ---- the complete model ---------------------------------------------------------------- */

static void complete_model_passes(void **state)
{
	struct fx *f = *state;
	int64_t events = count(f, "SELECT count(*) FROM audit_events");
	json_t *doc = gate_as(f, "credit", NULL, NULL, MRM_OK), *c;
	size_t i;

	assert_string_equal(json_string_value(json_object_get(doc, "model")), "credit");
	assert_string_equal(json_string_value(json_object_get(doc, "version")), "1.0");
	assert_int_equal(json_integer_value(json_object_get(doc, "tier")), 1);
	assert_false(json_is_true(json_object_get(doc, "untiered")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "policy"), "name")), "mrm-default");
	assert_string_equal(json_string_value(json_object_get(doc, "as_of")), NOW);
	/* Tier 1 enforces all 22 controls; red teaming and third-party do not apply to this model. */
	assert_int_equal(summary(doc, "controls"), 20);
	assert_int_equal(summary(doc, "pass"), 20);
	assert_int_equal(summary(doc, "not_applicable"), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc, "not_applicable"), 0),
							      "id")),
			    "MRM-RT-01");
	json_array_foreach(json_object_get(doc, "controls"), i, c) {
		assert_string_equal(json_string_value(json_object_get(c, "status")), "pass");
		assert_true(strlen(json_string_value(json_object_get(c, "reason"))) > 10);
	}
	EXPECT(doc, "MRM-VAL-01", "pass", "validation-report E-6 for version 1.0, by dave, 25 days old (max 365): 2 of 2 tests passed");
	EXPECT(doc, "MRM-FAIR-01", "pass", "1 of 1 group test passed");
	EXPECT(doc, "MRM-SIGN-01", "pass", "signed off by validator dave, approver carol");
	EXPECT(doc, "MRM-REV-01", "pass", "R-1 approved by carol on 2026-11-01 for version 1.0");
	EXPECT(doc, "MRM-REV-02", "pass", "next due 2027-11-01 (every 12 months)");
	EXPECT(doc, "MRM-MON-03", "pass", "drift-report E-5 for version 1.0, by bob, 25 days old (max 35)");
	EXPECT(doc, "MRM-TIER-01", "pass", "tier 1 assessed by bob on 2026-11-01");
	EXPECT(doc, "MRM-EVD-01", "pass", "7 evidence files for version 1.0 unchanged");
	json_decref(doc);
	/* A gate reads: nothing written, not even an audit event. */
	assert_int_equal(count(f, "SELECT count(*) FROM audit_events"), events);
	verify_chain(f);
}

static void unknown_model_and_version(void **state)
{
	struct fx *f = *state;
	struct mrm_gate_options o = { .version = "9.9" };
	json_t *doc = NULL;

	FAILS(f, MRM_ENOTFOUND, "no model 'nope'", mrm_gate_run(f->ctx, "nope", NULL, &doc, &f->err));
	assert_null(doc);
	FAILS(f, MRM_ENOTFOUND, "model 'credit' has no version '9.9'", mrm_gate_run(f->ctx, "credit", &o, &doc, &f->err));
	assert_null(doc);
}

/* ---- inventory and tier ------------------------------------------------------------------ */

static void inventory_and_tier(void **state)
{
	struct fx *f = *state;
	json_t *doc;

	add_model(f, "bare", "bob");
	doc = gate_as(f, "bare", NULL, NULL, MRM_ECHECK);
	/* untiered: gated as tier 1 */
	assert_int_equal(json_integer_value(json_object_get(doc, "tier")), 1);
	assert_true(json_is_true(json_object_get(doc, "untiered")));
	assert_null(json_string_value(json_object_get(doc, "version")));
	EXPECT(doc, "MRM-INV-01", "fail",
	       "missing: intended_use, team, out_of_scope_use, population, data_sources, deployment: fill them in "
	       "with mrm model update bare --intended-use TEXT --team TEXT");
	EXPECT(doc, "MRM-TIER-01", "fail", "not tiered (gated as tier 1 until then): assess it with mrm tier assess bare");
	EXPECT(doc, "MRM-DOC-01", "fail", "no model-card for the model (it has no versions)");
	EXPECT(doc, "MRM-CHG-01", "pass", "bare has no versions");
	EXPECT(doc, "MRM-REV-02", "fail", "never reviewed: a validator opens a review (mrm review open bare)");
	assert_string_equal(f->err.msg, "gate failed for bare: 13 of 20 controls failed (MRM-INV-01, MRM-TIER-01, "
					"MRM-RISK-01, MRM-DOC-01, MRM-DOC-02 and 8 more)");
	json_decref(doc);

	/* A tier set behind the assessment's back (the fixture's raw update) is not an assessment. */
	set_tier(f, "bare", 3);
	doc = gate_as(f, "bare", NULL, NULL, MRM_ECHECK);
	assert_int_equal(json_integer_value(json_object_get(doc, "tier")), 3);
	EXPECT(doc, "MRM-TIER-01", "fail", "tier 3 was set without a recorded assessment");
	/* tier 3 asks for purpose and intended use only */
	EXPECT(doc, "MRM-INV-01", "fail", "missing: intended_use: fill them in with mrm model update bare --intended-use TEXT");
	assert_int_equal(summary(doc, "controls"), 9);
	json_decref(doc);
}

/* ---- evidence: age, version, integrity ------------------------------------------------------ */

static void stale_evidence(void **state)
{
	struct fx *f = *state;
	json_t *doc;

	/* 36 days after T0 the drift report (max 35 days) is stale; 35 days is still fine. */
	as_at(f, "alice", "2026-12-06T09:00:00Z");
	doc = gate_as(f, "credit", NULL, NULL, MRM_OK);
	EXPECT(doc, "MRM-MON-03", "pass", "35 days old (max 35)");
	json_decref(doc);
	as_at(f, "alice", "2026-12-07T09:00:00Z");
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-MON-03", "fail",
	       "drift-report E-5 is 36 days old (max 35): run mrm drift --reference REF --current CURRENT --html "
	       "drift.html on production data and register it (mrm evidence add credit drift-report drift.html "
	       "--version 1.0)");
	assert_int_equal(summary(doc, "fail"), 1);
	json_decref(doc);
	/* A year and a bit later: the yearly documents and the validation are stale too. */
	as_at(f, "alice", "2027-11-05T09:00:00Z");
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-RISK-01", "fail", "risk-assessment E-1 is 369 days old (max 365): register one with mrm "
					   "evidence add credit risk-assessment FILE --version 1.0");
	EXPECT(doc, "MRM-VAL-01", "fail", "validation-report E-6 is 369 days old (max 365): run mrm validate");
	EXPECT(doc, "MRM-REV-02", "fail", "re-review overdue since 2027-11-01 (last review R-1 decided 2026-11-01, every 12 months)");
	json_decref(doc);
	/* Fresh evidence registered that day counts again. */
	as_at(f, "bob", "2027-11-05T09:00:00Z");
	evidence(f, "credit", "risk-assessment", "risk2.md", "risk 2027", "1.0");
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-RISK-01", "pass", "risk-assessment E-8 for version 1.0, by bob, 0 days old");
	json_decref(doc);
}

static void evidence_of_another_version(void **state)
{
	struct fx *f = *state;
	json_t *doc;

	as(f, "bob");
	version_add(f, "credit", "1.1", false);
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	assert_string_equal(json_string_value(json_object_get(doc, "version")), "1.1");
	EXPECT(doc, "MRM-DOC-01", "fail",
	       "no model-card for version 1.1 (the newest, E-2, is for version 1.0): register one with mrm evidence "
	       "add credit model-card FILE --version 1.1");
	EXPECT(doc, "MRM-SIGN-01", "fail", "needs a sign-off of version 1.1 as validator, approver by someone other "
					   "than the owner bob (mrm signoff credit --role ROLE --version 1.1)");
	/* Not material: the approval of 1.0 still stands. */
	EXPECT(doc, "MRM-REV-01", "pass", "R-1 approved by carol on 2026-11-01 for version 1.0 (no material change up to 1.1)");
	json_decref(doc);
	/* Evidence registered without a version belongs to the version current then: 1.1. */
	evidence(f, "credit", "model-card", "card11.md", "card 1.1", NULL);
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-DOC-01", "pass", "model-card E-8 for version 1.1");
	json_decref(doc);
	/* The old version is still gated on its own evidence. */
	doc = gate_as(f, "credit", "1.0", NULL, MRM_OK);
	EXPECT(doc, "MRM-DOC-01", "pass", "model-card E-2 for version 1.0");
	json_decref(doc);
}

static void altered_evidence(void **state)
{
	struct fx *f = *state;
	char path[256];
	json_t *doc;

	write_file(f, "card.md", "card, edited after registration", path, sizeof(path));
	remove_file(f, "sheet.md");
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-DOC-01", "fail", "model-card E-2 (");
	EXPECT(doc, "MRM-DOC-01", "fail", "card.md) has changed since it was registered: register the current file");
	EXPECT(doc, "MRM-DOC-02", "fail", "sheet.md) is missing");
	EXPECT(doc, "MRM-EVD-01", "fail", "2 of 7 evidence files for version 1.0 changed or missing: E-2 changed (");
	json_decref(doc);
	/* An edited validation report is not read: its tests cannot be trusted. */
	write_file(f, "val.json", REPORT_PASS " ", path, sizeof(path));
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-VAL-01", "fail", "val.json) has changed since it was registered");
	json_decref(doc);
}

/* ---- validation, fairness, red team --------------------------------------------------------- */

static void validation_tests(void **state)
{
	struct fx *f = *state;
	struct mrm_policy *p;
	json_t *doc, *w;

	as(f, "dave");
	evidence(f, "credit", "validation-report", "val2.json", REPORT_FAIL, "1.0");
	evidence(f, "credit", "fairness-report", "val2.json", REPORT_FAIL, "1.0");
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-VAL-01", "fail",
	       "2 of 2 tests failed in E-8: 'auc floor' (0.61), 'four-fifths by sex' (0.62): fix the model and run it "
	       "again, or raise a finding on E-8 (mrm finding add credit --evidence E-8 ...) and have its risk accepted");
	EXPECT(doc, "MRM-FAIR-01", "fail", "1 of 1 group test failed in E-9: 'four-fifths by sex' (0.62)");
	json_decref(doc);

	/* A finding on the report, not yet accepted; then accepted: waived, naming the acceptance. */
	call(f, mrm_finding_add, "credit",
	     json_pack("{ss ss ss ss ss}", "severity", "medium", "category", "performance", "title", "AUC below floor",
		       "evidence_id", "E-8", "owner", "bob"));
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-VAL-01", "fail", "not waived, no acceptance in force covers F-1 (raised on E-8)");
	/* the finding on E-8 covers the fairness report registered with it in the same run */
	EXPECT(doc, "MRM-FAIR-01", "fail", "not waived, no acceptance in force covers F-1");
	json_decref(doc);
	as(f, "carol");
	call(f, mrm_accept, "credit",
	     json_pack("{s[s] ss ss}", "findings", "F-1", "rationale", "Override rules in place", "expires", "2027-01-15"));
	doc = gate_as(f, "credit", NULL, NULL, MRM_OK);
	EXPECT(doc, "MRM-VAL-01", "waived",
	       "2 of 2 tests failed in E-8: 'auc floor' (0.61), 'four-fifths by sex' (0.62); waived by A-1 (accepted "
	       "by carol, expires 2027-01-15, covers F-1)");
	w = json_array_get(json_object_get(control(doc, "MRM-VAL-01"), "waived_by"), 0);
	assert_string_equal(json_string_value(json_object_get(w, "id")), "A-1");
	assert_string_equal(json_string_value(json_object_get(w, "accepted_by")), "carol");
	assert_string_equal(json_string_value(json_object_get(w, "expires")), "2027-01-15");
	assert_string_equal(json_string_value(json_array_get(json_object_get(w, "findings"), 0)), "F-1");
	EXPECT(doc, "MRM-FAIR-01", "waived", "waived by A-1");
	assert_int_equal(summary(doc, "waived"), 2);
	json_decref(doc);

	/* A policy that requires a test the report does not record. */
	p = policy(f, "name: strict\nextends: default\ntiers:\n  1:\n    controls: [MRM-VAL-01]\n"
		      "    evidence: { validation-report: 365 }\n    validation_tests: [auc floor, ks floor]\n");
	doc = gate_as(f, "credit", NULL, p, MRM_ECHECK);
	EXPECT(doc, "MRM-VAL-01", "fail", "E-8 does not record the required test 'ks floor': add it to the --tests file");
	json_decref(doc);
	mrm_policy_free(p);

	/* A run with --html registers its JSON report, then the page: the gate reads the JSON one. */
	as(f, "dave");
	evidence(f, "credit", "validation-report", "val3.json", REPORT_PASS, "1.0");
	evidence(f, "credit", "validation-report", "val3.html", "<html>report</html>", "1.0");
	doc = gate_as(f, "credit", NULL, NULL, MRM_OK);
	EXPECT(doc, "MRM-VAL-01", "pass", "validation-report E-10 for version 1.0, by dave, 0 days old (max 365): 2 of 2 "
					  "tests passed");
	json_decref(doc);
}

static void validation_must_be_independent(void **state)
{
	struct fx *f = *state;
	json_t *doc;

	/* bob owns the model: a report he registers is not independent, the older one by dave counts. */
	as(f, "bob");
	evidence(f, "credit", "validation-report", "own.json", REPORT_FAIL, "1.0");
	doc = gate_as(f, "credit", NULL, NULL, MRM_OK);
	EXPECT(doc, "MRM-VAL-01", "pass", "validation-report E-6 for version 1.0, by dave");
	json_decref(doc);
	version_add(f, "credit", "1.1", false);
	evidence(f, "credit", "validation-report", "own11.json", REPORT_PASS, "1.1");
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-VAL-01", "fail",
	       "the only validation-report for version 1.1 (E-9) was registered by the model owner bob; it must come "
	       "from someone independent");
	json_decref(doc);
	/* A report that is not JSON (a PDF from another tool): its tests are not read. */
	as(f, "dave");
	evidence(f, "credit", "validation-report", "val.pdf.txt", "%PDF-1.7", "1.1");
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-VAL-01", "pass", "it is not a JSON report of mrm validate, so its tests were not read");
	json_decref(doc);
}

static void fairness_needs_groups(void **state)
{
	struct fx *f = *state;
	json_t *doc;

	as(f, "dave");
	evidence(f, "credit", "fairness-report", "nogroups.json", "{\"task\": \"binary\", \"metrics\": {}, \"tests\": []}",
		 "1.0");
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-FAIR-01", "fail", "E-8 has no group metrics (validated without --group): run mrm validate");
	json_decref(doc);
}

static void redteam(void **state)
{
	struct fx *f = *state;
	json_t *m, *doc;

	as(f, "bob");
	m = json_pack("{ss ss ss ss ss ss}", "id", "assistant", "name", "Assistant", "owner", "bob", "purpose", "Help",
		      "intended_use", "Answer questions", "type", "llm");
	OK(f, mrm_model_add(f->ctx, m, NULL, &f->err));
	json_decref(m);
	doc = gate_as(f, "assistant", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-RT-01", "fail", "no redteam-report for the model (it has no versions): run mrm redteam run "
					 "--target URL --model assistant -o RUN.jsonl");
	assert_int_equal(summary(doc, "not_applicable"), 1); /* third-party only */
	json_decref(doc);

	/* A report whose file has no summary: the rates cannot be checked. */
	evidence(f, "assistant", "redteam-report", "rt.txt", "42 attempts, looked fine", NULL);
	doc = gate_as(f, "assistant", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-RT-01", "fail", "the attack success rates cannot be checked: E-8 has no per-category summary");
	json_decref(doc);

	/* A run summary (the contract's run JSON): one category over its limit, one not tested. */
	evidence(f, "assistant", "redteam-report", "rt.json",
		 "{\"attempts\": 80, \"successes\": 5, \"categories\": {"
		 "\"prompt_injection\": {\"attempts\": 20, \"successes\": 3, \"rate\": 0.15},"
		 "\"jailbreak\": {\"attempts\": 20, \"successes\": 1, \"rate\": 0.05},"
		 "\"system_prompt_leak\": {\"attempts\": 10, \"successes\": 0, \"rate\": 0},"
		 "\"data_exfiltration\": {\"attempts\": 10, \"successes\": 0},"
		 "\"harmful_content\": {\"attempts\": 10, \"successes\": 0, \"rate\": 0},"
		 "\"excessive_agency\": {\"attempts\": 10, \"successes\": 1, \"rate\": 0.1}}}",
		 NULL);
	doc = gate_as(f, "assistant", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-RT-01", "fail", "E-9 did not test hallucination: run the packs of that category");
	EXPECT(doc, "MRM-RT-01", "fail", "above the limit: prompt_injection 0.15 > 0.05, excessive_agency 0.1 > 0.05");
	json_decref(doc);
	evidence(f, "assistant", "redteam-report", "rt2.json",
		 "{\"categories\": {\"prompt_injection\": {\"rate\": 0.01}, \"jailbreak\": {\"rate\": 0.05},"
		 "\"system_prompt_leak\": {\"rate\": 0}, \"data_exfiltration\": {\"rate\": 0.01},"
		 "\"harmful_content\": {\"rate\": 0.02}, \"excessive_agency\": {\"rate\": 0},"
		 "\"hallucination\": {\"attempts\": 50, \"successes\": 4}}}",
		 NULL);
	doc = gate_as(f, "assistant", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-RT-01", "fail",
	       "attack success rate above the tier 1 limit in E-10: harmful_content 0.02 > 0.01: fix the model and run "
	       "it again, or raise a finding on E-10");
	json_decref(doc);
	evidence(f, "assistant", "redteam-report", "rt3.json",
		 "{\"categories\": {\"prompt_injection\": {\"rate\": 0.01}, \"jailbreak\": {\"rate\": 0.05},"
		 "\"system_prompt_leak\": {\"rate\": 0}, \"data_exfiltration\": {\"rate\": 0.01},"
		 "\"harmful_content\": {\"rate\": 0.01}, \"excessive_agency\": {\"rate\": 0},"
		 "\"hallucination\": {\"attempts\": 50, \"successes\": 4}}}",
		 NULL);
	doc = gate_as(f, "assistant", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-RT-01", "pass", "redteam-report E-11 for the model (it has no versions), by bob, 0 days old "
					 "(max 180): 7 categories within the limits");
	json_decref(doc);
}

/* ---- sign-offs, separation of duties, audit chain -------------------------------------------- */

static void raw(struct fx *f, const char *sql)
{
	OK(f, mrm__exec(f->ctx, sql, NOPARAMS, &f->err));
}

static void signoffs_and_duties(void **state)
{
	struct fx *f = *state;
	json_t *doc;

	as(f, "bob");
	version_add(f, "credit", "1.1", false);
	as(f, "dave");
	call(f, mrm_signoff_add, "credit", json_pack("{ss}", "role", "validator"));
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-SIGN-01", "fail", "needs a sign-off of version 1.1 as approver by someone other than the owner bob");
	EXPECT(doc, "MRM-SOD-01", "pass", "independent of the people they concern");
	EXPECT(doc, "MRM-AUD-01", "pass", "the audit chain verifies");
	json_decref(doc);
	/* Records mrm would refuse, written behind its back (as an old import might have). */
	raw(f, "INSERT INTO signoffs (model_id, version, role, user_name, created_at) VALUES "
	       "('credit', '1.1', 'approver', 'bob', '2026-11-26T09:00:00Z')");
	raw(f, "INSERT INTO signoffs (model_id, version, role, user_name, created_at) VALUES "
	       "('credit', '1.1', 'approver', 'dave', '2026-11-26T09:00:00Z')");
	raw(f, "UPDATE reviews SET decided_by = 'bob' WHERE id = 1");
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-SIGN-01", "fail", "the roles validator, approver need different people, and the sign-offs of "
					   "version 1.1 are by too few people");
	EXPECT(doc, "MRM-SIGN-01", "fail", "; not counted, signed by the owner bob: S-4 (approver)");
	EXPECT(doc, "MRM-SOD-01", "fail", "review R-1 was decided by the model owner bob, sign-off S-4 as approver is "
					  "by the model owner bob: mrm refuses these when it writes them");
	EXPECT(doc, "MRM-AUD-01", "fail", "the audit chain does not verify (3 problems; first: ");
	EXPECT(doc, "MRM-AUD-01", "fail", "): run mrm audit verify and investigate before relying on any record");
	json_decref(doc);
}

/* ---- reviews: never, rejected, overdue, material change, conditions ----------------------------- */

static void reviews_and_material_change(void **state)
{
	struct fx *f = *state;
	json_t *doc;

	/* A material retrain opens a review: until it is decided the approval of 1.0 does not cover 2.0. */
	as_at(f, "bob", "2026-11-20T09:00:00Z");
	version_add(f, "credit", "2.0", true);
	as(f, "alice");
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-REV-01", "fail",
	       "version 2.0 (retrain) since the last review R-1 (of version 1.0, approved on 2026-11-01) is a material "
	       "change: R-2 (opened 2026-11-20 for 2.0) is still open; an approver decides it (mrm review decide R-2 "
	       "approve --note TEXT)");
	EXPECT(doc, "MRM-CHG-01", "fail", "version 2.0 (retrain) since the last review is a material change with no "
					  "decided review: R-2");
	EXPECT(doc, "MRM-REV-02", "fail", "re-review overdue since 2026-11-20 (last review R-1 decided 2026-11-01, every "
					  "12 months; due date set by version 2.0 (retrain), a material change)");
	/* bob added the material version, so mrm opened R-2 in his name: not a breach of duties */
	EXPECT(doc, "MRM-SOD-01", "pass", "independent");
	json_decref(doc);
	/* The old version, gated on its own, is still approved (the material change comes after it). */
	doc = gate_as(f, "credit", "1.0", NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-REV-01", "pass", "R-1 approved");
	EXPECT(doc, "MRM-CHG-01", "pass", "no version up to 1.0 is marked material");
	json_decref(doc);

	/* Rejected: the last decision stands against the model. */
	as(f, "carol");
	call(f, mrm_review_decide, "R-2", json_pack("{ss ss}", "decision", "reject", "note", "unstable"));
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-REV-01", "fail", "the last decided review R-2 rejected the model (by carol on 2026-11-26): a "
					  "validator opens a review (mrm review open credit --version 2.0)");
	EXPECT(doc, "MRM-CHG-01", "pass", "the material version 2.0 (retrain) was reviewed in R-2 (rejected by carol");
	EXPECT(doc, "MRM-REV-02", "pass", "last review R-2 decided 2026-11-26; next due 2027-11-26");
	json_decref(doc);
	as(f, "dave");
	call(f, mrm_review_open, "credit", json_object());
	as(f, "carol");
	call(f, mrm_review_decide, "R-3", json_pack("{ss ss}", "decision", "approve", "note", "fixed"));
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-REV-01", "pass", "R-3 approved by carol on 2026-11-26 for version 2.0");
	json_decref(doc);
}

static void conditional_approval_lapses(void **state)
{
	struct fx *f = *state;
	json_t *doc;

	as(f, "dave");
	call(f, mrm_finding_add, "credit",
	     json_pack("{ss ss ss ss ss}", "severity", "low", "category", "performance", "title", "Recalibrate",
		       "due", "2026-12-31", "owner", "bob"));
	call(f, mrm_review_open, "credit", json_object());
	as(f, "carol");
	call(f, mrm_review_decide, "R-2",
	     json_pack("{ss ss s[ss]}", "decision", "conditional", "note", "usable with conditions", "conditions",
		       "Recalibrate before year end (F-1)", "Monthly PSI report to model risk"));
	fresh_drift(f, "2026-12-31T09:00:00Z");
	doc = gate_as(f, "credit", NULL, NULL, MRM_OK);
	EXPECT(doc, "MRM-REV-01", "pass", "R-2 approved with conditions by carol on 2026-11-26 for version 1.0; "
					  "condition findings not overdue: F-1 (open, due 2026-12-31); 1 condition "
					  "names no finding (F-N) and is not checked");
	json_decref(doc);
	/* The day after the finding's due date the conditional approval lapses. */
	as_at(f, "alice", "2027-01-01T09:00:00Z");
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-REV-01", "fail",
	       "the conditional approval R-2 (by carol on 2026-11-26) has lapsed: its condition's finding F-1 "
	       "(condition 1, due 2026-12-31, owner bob) is overdue: close it, or record a new review decision");
	json_decref(doc);
	/* A condition that names a finding of another model cannot be checked. */
	as(f, "dave");
	call(f, mrm_review_open, "credit", json_object());
	as(f, "carol");
	call(f, mrm_review_decide, "R-3",
	     json_pack("{ss ss s[s]}", "decision", "conditional", "note", "again", "conditions", "Fix f-99 first"));
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-REV-01", "fail", "the conditional approval R-3 names F-99 (condition 1), not a finding of "
					  "model credit");
	json_decref(doc);
}

/* ---- findings, acceptances, waivers ------------------------------------------------------------ */

static void waiver_expires_between_runs(void **state)
{
	struct fx *f = *state;
	json_t *doc, *w;

	as(f, "dave");
	call(f, mrm_finding_add, "credit",
	     json_pack("{ss ss ss ss}", "severity", "high", "category", "fairness", "title", "Disparity for older "
		       "applicants", "owner", "bob"));
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-FND-01", "fail", "1 open high finding (at most 0): F-1: remediate and close findings, or have "
					  "their risk accepted (mrm accept credit --finding F-N");
	json_decref(doc);
	as(f, "carol");
	call(f, mrm_accept, "credit",
	     json_pack("{s[s] ss ss}", "findings", "F-1", "rationale", "Manual review of declines", "expires",
		       "2026-12-10"));
	/* day D: waived, naming the acceptance; the gate passes */
	doc = gate_as(f, "credit", NULL, NULL, MRM_OK);
	EXPECT(doc, "MRM-FND-01", "waived", "over the limits but for the acceptances in force: high 0 open and 1 "
					    "risk-accepted (at most 0); waived by A-1 (accepted by carol, expires "
					    "2026-12-10, covers F-1)");
	w = json_array_get(json_object_get(control(doc, "MRM-FND-01"), "waived_by"), 0);
	assert_string_equal(json_string_value(json_object_get(w, "id")), "A-1");
	EXPECT(doc, "MRM-ACC-01", "pass", "in force: A-1, within authority and term");
	json_decref(doc);
	/* the last day it covers */
	fresh_drift(f, "2026-12-09T09:00:00Z");
	doc = gate_as(f, "credit", NULL, NULL, MRM_OK);
	EXPECT(doc, "MRM-FND-01", "waived", "waived by A-1");
	json_decref(doc);
	/* day D + 14: expired, the finding is open again: both controls fail */
	as_at(f, "alice", "2026-12-10T09:00:00Z");
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-FND-01", "fail", "1 open high finding (at most 0): F-1 (its acceptance expired 2026-12-10)");
	EXPECT(doc, "MRM-ACC-01", "fail", "F-1 (high, open) is open again: acceptance A-1 by carol expired "
					  "2026-12-10: close it, or accept the risk again");
	assert_null(json_object_get(control(doc, "MRM-FND-01"), "waived_by"));
	json_decref(doc);
}

static void acceptance_authority_and_term(void **state)
{
	struct fx *f = *state;
	struct mrm_policy *p;
	json_t *doc;

	as(f, "dave");
	call(f, mrm_finding_add, "credit",
	     json_pack("{ss ss ss ss}", "severity", "medium", "category", "documentation", "title", "Thin docs", "owner",
		       "bob"));
	call(f, mrm_finding_add, "credit",
	     json_pack("{ss ss ss ss}", "severity", "critical", "category", "security", "title", "Leak", "owner", "bob"));
	as(f, "carol");
	call(f, mrm_accept, "credit",
	     json_pack("{s[s] ss ss}", "findings", "F-1", "rationale", "ok", "expires", "2027-02-24")); /* 90 days */
	call(f, mrm_accept, "credit",
	     json_pack("{s[s] ss ss}", "findings", "F-2", "rationale", "ok", "expires", "2026-12-06"));
	/* The default policy allows both. */
	doc = gate_as(f, "credit", NULL, NULL, MRM_OK);
	EXPECT(doc, "MRM-ACC-01", "pass", "in force: A-1, A-2, within authority and term");
	json_decref(doc);
	/* A stricter policy: medium for 30 days at most, critical never. */
	p = policy(f, "name: strict\nextends: default\ntiers:\n  1:\n    controls: [MRM-ACC-01, MRM-FND-01]\n"
		      "    max_open_findings: { critical: 0, medium: 0 }\n"
		      "    acceptance:\n      critical: never\n      high: { roles: [approver], max_days: 30 }\n"
		      "      medium: { roles: [approver], max_days: 30 }\n      low: { roles: [approver], max_days: 30 }\n");
	doc = gate_as(f, "credit", NULL, p, MRM_ECHECK);
	EXPECT(doc, "MRM-ACC-01", "fail",
	       "A-1 runs 90 days (from 2026-11-26, expires 2027-02-24), longer than the 30 days allowed for medium "
	       "findings at tier 1, A-2 covers critical finding F-2, whose risk may not be accepted at tier 1: revoke "
	       "(mrm acceptance revoke A-N --reason TEXT) and accept again within the policy");
	/* the findings themselves are covered, so the finding limits are waived, not failed */
	EXPECT(doc, "MRM-FND-01", "waived", "critical 0 open and 1 risk-accepted (at most 0), medium 0 open and 1 "
					    "risk-accepted (at most 0); waived by A-2");
	assert_int_equal(summary(doc, "controls"), 2);
	json_decref(doc);
	mrm_policy_free(p);
}

static void waiver_by_naming_the_control(void **state)
{
	struct fx *f = *state;
	json_t *doc;

	remove_file(f, "sheet.md");
	as(f, "dave");
	call(f, mrm_finding_add, "credit",
	     json_pack("{ss ss ss ss}", "severity", "low", "category", "documentation", "title",
		       "mrm-doc-02: data sheet lost in the migration", "owner", "bob"));
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-DOC-02", "fail", "sheet.md) is missing: register the current file (mrm evidence add credit "
					  "data-sheet FILE --version 1.0) or restore the registered one; not waived: "
					  "F-1 names MRM-DOC-02 but no acceptance in force covers it");
	json_decref(doc);
	as(f, "carol");
	call(f, mrm_accept, "credit",
	     json_pack("{s[s] ss ss}", "findings", "F-1", "rationale", "Rewritten by March", "expires", "2027-03-01"));
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-DOC-02", "waived", "is missing: register the current file (mrm evidence add credit data-sheet "
					    "FILE --version 1.0) or restore the registered one; waived by A-1 (accepted "
					    "by carol, expires 2027-03-01, covers F-1)");
	/* Integrity checks are never waived. */
	EXPECT(doc, "MRM-EVD-01", "fail", "E-3 missing");
	json_decref(doc);
}

/* ---- monitors, incidents, third party ---------------------------------------------------------- */

static void monitors(void **state)
{
	struct fx *f = *state;
	struct mrm_policy *p;
	json_t *doc;

	as(f, "alice");
	call(f, mrm_monitor_disable, "M-2", json_pack("{ss}", "reason", "noisy"));
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-MON-01", "fail", "1 active monitor (M-1 drift_share), at least 2 required: add 1 more with "
					  "mrm monitor add credit --signal SIGNAL --warn X --alert Y");
	json_decref(doc);
	p = policy(f, "name: watch\nextends: default\ntiers:\n  1:\n    controls: [MRM-MON-01]\n"
		      "    monitors: { signals: [drift, \"metric:roc_auc\", quality] }\n");
	doc = gate_as(f, "credit", NULL, p, MRM_ECHECK);
	EXPECT(doc, "MRM-MON-01", "fail", "no active monitor watches drift, metric:roc_auc, quality");
	json_decref(doc);
	as(f, "bob");
	call(f, mrm_monitor_add, "credit",
	     json_pack("{ss ss ss}", "signal", "drift:age:psi", "warn", "0.1", "alert", "0.25"));
	call(f, mrm_monitor_add, "credit",
	     json_pack("{ss ss ss ss ss}", "signal", "metric:roc_auc", "warn", "0.7", "alert", "0.6", "label", "y",
		       "score", "p"));
	call(f, mrm_monitor_add, "credit",
	     json_pack("{ss ss ss}", "signal", "quality:missing_rate:age", "warn", "0.05", "alert", "0.1"));
	doc = gate_as(f, "credit", NULL, p, MRM_OK);
	EXPECT(doc, "MRM-MON-01", "pass", "4 active monitors: M-1 drift_share, M-3 drift:age:psi, M-4 metric:roc_auc, "
					  "M-5 quality:missing_rate:age");
	json_decref(doc);
	mrm_policy_free(p);
}

static void incidents(void **state)
{
	struct fx *f = *state;
	json_t *doc;

	as(f, "bob");
	call(f, mrm_incident_open, "credit",
	     json_pack("{ss ss ss ss}", "severity", "sev1", "title", "Declines spiked", "started", "2026-11-20T08:00:00Z",
		       "detected", "2026-11-20T10:00:00Z"));
	call(f, mrm_incident_update, "I-1", json_pack("{ss}", "mitigated", "2026-11-21T10:00:00Z"));
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	EXPECT(doc, "MRM-INC-01", "fail", "I-1 is mitigated without a root cause (mrm incident update I-1 --root-cause "
					  "CATEGORY), I-1 (sev1) is linked to no finding (mrm incident update I-1 "
					  "--finding F-N)");
	json_decref(doc);
	as(f, "dave");
	call(f, mrm_finding_add, "credit",
	     json_pack("{ss ss ss ss}", "severity", "low", "category", "reliability", "title", "Spike", "owner", "bob"));
	as(f, "bob");
	call(f, mrm_incident_update, "I-1", json_pack("{ss s[s]}", "root_cause", "data-drift", "findings", "F-1"));
	doc = gate_as(f, "credit", NULL, NULL, MRM_OK);
	EXPECT(doc, "MRM-INC-01", "pass", "1 incident recorded with times, root causes and findings");
	json_decref(doc);
}

static void third_party(void **state)
{
	struct fx *f = *state;
	json_t *doc;

	as(f, "bob");
	call(f, mrm_model_update, "credit", json_pack("{ss}", "vendor", "Acme Scores"));
	version_add(f, "credit", "1.1", false);
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	assert_int_equal(summary(doc, "not_applicable"), 1);
	EXPECT(doc, "MRM-TP-01", "fail", "no model-card for version 1.1 (the newest, E-2, is for version 1.0) of the "
					 "vendor model (Acme Scores): register one");
	json_decref(doc);
	doc = gate_as(f, "credit", "1.0", NULL, MRM_OK);
	EXPECT(doc, "MRM-TP-01", "pass", "vendor Acme Scores: model card E-2, 2 active monitors");
	json_decref(doc);
}

/* ---- the control test over an inventory ------------------------------------------------------------ */

static json_t *totals_of(json_t *doc, const char *id)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(doc, "totals"), i, t)
		if (!strcmp(json_string_value(json_object_get(t, "id")), id))
			return t;
	return NULL;
}

static void controls_test_inventory(void **state)
{
	struct fx *f = *state;
	json_t *doc = NULL, *models, *t, *m;

	as(f, "bob");
	m = json_pack("{ss ss ss ss ss}", "id", "aaa-dev", "name", "Dev", "owner", "bob", "purpose", "x", "intended_use", "y");
	OK(f, mrm_model_add(f->ctx, m, NULL, &f->err));
	json_decref(m);
	m = json_pack("{ss ss ss ss ss}", "id", "old", "name", "Old", "owner", "bob", "purpose", "x", "status", "retired");
	OK(f, mrm_model_add(f->ctx, m, NULL, &f->err));
	json_decref(m);
	as(f, "alice");
	FAILS(f, MRM_ECHECK, "control test found 13 gaps in 1 of 2 models", mrm_controls_test(f->ctx, NULL, &doc, &f->err));
	models = json_object_get(doc, "models");
	/* production first, whatever the ids */
	assert_int_equal(json_array_size(models), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(models, 0), "model")), "credit");
	assert_string_equal(json_string_value(json_object_get(json_array_get(models, 1), "model")), "aaa-dev");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc, "not_tested"), 0),
							      "model")),
			    "old");
	assert_int_equal(json_integer_value(json_object_get(doc, "gaps")), 13);
	assert_int_equal(json_integer_value(json_object_get(doc, "models_with_gaps")), 1);
	assert_false(json_is_true(json_object_get(doc, "passed")));
	t = totals_of(doc, "MRM-INV-01");
	assert_int_equal(json_integer_value(json_object_get(t, "models")), 2);
	assert_int_equal(json_integer_value(json_object_get(t, "pass")), 1);
	assert_int_equal(json_integer_value(json_object_get(t, "fail")), 1);
	t = totals_of(doc, "MRM-RT-01");
	assert_int_equal(json_integer_value(json_object_get(t, "models")), 0);
	assert_int_equal(json_integer_value(json_object_get(t, "not_applicable")), 2);
	/* every catalogue control some tier enforces, in catalogue order */
	assert_int_equal(json_array_size(json_object_get(doc, "totals")), 22);
	json_decref(doc);
	doc = NULL;

	/* an inventory with no gaps passes */
	as(f, "bob");
	call(f, mrm_model_update, "aaa-dev", json_pack("{ss}", "status", "retired"));
	as(f, "alice");
	OK(f, mrm_controls_test(f->ctx, NULL, &doc, &f->err));
	assert_true(json_is_true(json_object_get(doc, "passed")));
	assert_int_equal(json_integer_value(json_object_get(doc, "models_tested")), 1);
	json_decref(doc);
}

/* ---- JUnit ---------------------------------------------------------------------------------------- */

struct buf {
	char *p;
	size_t len;
};

static int to_buf(void *arg, const void *data, size_t len)
{
	struct buf *b = arg;
	char *p = realloc(b->p, b->len + len + 1);

	if (!p)
		return MRM_ESTORE;
	memcpy(p + b->len, data, len);
	b->len += len;
	p[b->len] = '\0';
	b->p = p;
	return 0;
}

static size_t occurrences(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static void junit(void **state)
{
	struct fx *f = *state;
	struct buf b = { 0 };
	json_t *doc;

	/* one failure with markup in its reason, one waiver, two not applicable */
	as(f, "dave");
	call(f, mrm_finding_add, "credit",
	     json_pack("{ss ss ss ss}", "severity", "high", "category", "fairness", "title", "<b>Gap</b> & \"more\"",
		       "owner", "bob"));
	as(f, "carol");
	call(f, mrm_accept, "credit",
	     json_pack("{s[s] ss ss}", "findings", "F-1", "rationale", "ok", "expires", "2027-01-10"));
	as(f, "alice");
	call(f, mrm_monitor_disable, "M-2", json_pack("{ss}", "reason", "x"));
	doc = gate_as(f, "credit", NULL, NULL, MRM_ECHECK);
	OK(f, mrm_gate_junit(doc, to_buf, &b, &f->err));
	assert_non_null(strstr(b.p, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mrm gate\" "
				    "tests=\"22\" failures=\"1\" errors=\"0\" time=\"0\">\n"));
	assert_non_null(strstr(b.p, "<testsuite name=\"mrm gate credit version 1.0\" tests=\"22\" failures=\"1\" "
				    "errors=\"0\" skipped=\"3\" time=\"0\" timestamp=\"2026-11-26T09:00:00\">"));
	assert_int_equal(occurrences(b.p, "<testcase "), 22);
	assert_int_equal(occurrences(b.p, "<failure "), 1);
	assert_int_equal(occurrences(b.p, "<skipped "), 3);
	assert_non_null(strstr(b.p, "<testcase name=\"MRM-MON-01: Production monitoring active\" "
				    "classname=\"mrm.gate.credit\" time=\"0\">\n      <failure message=\"1 active "
				    "monitor (M-1 drift_share), at least 2 required"));
	assert_non_null(strstr(b.p, "<skipped message=\"waived: over the limits but for the acceptances in force: "
				    "high 0 open and 1 risk-accepted (at most 0); waived by A-1"));
	assert_non_null(strstr(b.p, "<skipped message=\"not applicable: applies to generative models only\"/>"));
	assert_non_null(strstr(b.p, "<property name=\"policy\" value=\"mrm-default\"/>"));
	/* the finding's title is not in a reason, but an escaped one would be: check the escaper on a reason */
	json_object_set_new(control(doc, "MRM-INV-01"), "reason", json_string("a <b> & \"c\" 'd'"));
	free(b.p);
	b = (struct buf){ 0 };
	OK(f, mrm_gate_junit(doc, to_buf, &b, &f->err));
	assert_non_null(strstr(b.p, "<system-out>a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;</system-out>"));
	free(b.p);
	json_decref(doc);
	b = (struct buf){ 0 };
	doc = json_object();
	FAILS(f, MRM_EINPUT, "not a gate result", mrm_gate_junit(doc, to_buf, &b, &f->err));
	json_decref(doc);
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(complete_model_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_model_and_version, setup, teardown),
		cmocka_unit_test_setup_teardown(inventory_and_tier, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_evidence, setup, teardown),
		cmocka_unit_test_setup_teardown(evidence_of_another_version, setup, teardown),
		cmocka_unit_test_setup_teardown(altered_evidence, setup, teardown),
		cmocka_unit_test_setup_teardown(validation_tests, setup, teardown),
		cmocka_unit_test_setup_teardown(validation_must_be_independent, setup, teardown),
		cmocka_unit_test_setup_teardown(fairness_needs_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(redteam, setup, teardown),
		cmocka_unit_test_setup_teardown(signoffs_and_duties, setup, teardown),
		cmocka_unit_test_setup_teardown(reviews_and_material_change, setup, teardown),
		cmocka_unit_test_setup_teardown(conditional_approval_lapses, setup, teardown),
		cmocka_unit_test_setup_teardown(waiver_expires_between_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(acceptance_authority_and_term, setup, teardown),
		cmocka_unit_test_setup_teardown(waiver_by_naming_the_control, setup, teardown),
		cmocka_unit_test_setup_teardown(monitors, setup, teardown),
		cmocka_unit_test_setup_teardown(incidents, setup, teardown),
		cmocka_unit_test_setup_teardown(third_party, setup, teardown),
		cmocka_unit_test_setup_teardown(controls_test_inventory, setup, teardown),
		cmocka_unit_test_setup_teardown(junit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
