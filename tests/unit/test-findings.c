/*
 * Unit tests for evidence and findings: the workflow moves, who may make
 * them (separation of duties), repeat findings, default due dates, and the
 * effective status that risk acceptances give; every refusal must leave
 * the store exactly as it was.
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
#include <sqlite3.h>

#include "mrm/audit.h"
#include "mrm/ctx.h"
#include "mrm/evidence.h"
#include "mrm/finding.h"
#include "mrm/model.h"
#include "mrm/user.h"

#define NOW "2026-11-26T09:00:00Z"

struct fx {
	char dir[64];
	char db[128];
	char file[128]; /* an evidence file */
	struct mrm_ctx *ctx;
	struct mrm_error err;
};

/* Re-opens the context as `actor` at effective time `now`. */
static void open_as(struct fx *f, const char *actor, const char *now)
{
	struct mrm_error err = { 0 };
	mrm_ctx_free(f->ctx);
	f->ctx = NULL;
	assert_int_equal(mrm_ctx_open(&(struct mrm_ctx_options){ .db = f->db, .actor = actor,
								 .now = now },
				      &f->ctx, &err),
			 0);
	mrm_error_clear(&f->err);
}

static void as(struct fx *f, const char *actor)
{
	open_as(f, actor, NOW);
}

static void ok(struct fx *f, int rc)
{
	if (rc)
		fail_msg("unexpected error %d: %s", rc, f->err.msg);
	mrm_error_clear(&f->err);
}

static json_t *obj(const char *text)
{
	json_t *o = json_loads(text, 0, NULL);
	assert_non_null(o);
	return o;
}

static const char *s(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Runs raw SQL on the store file, behind mrm's back (for acceptance rows). */
static void raw(struct fx *f, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("sql: %s", msg);
	sqlite3_close(db);
}

static int append_row(void *arg, int n, char **vals, char **cols)
{
	json_t *a = arg, *row = json_object();
	for (int i = 0; i < n; i++)
		json_object_set_new(row, cols[i], vals[i] ? json_string(vals[i]) : json_null());
	json_array_append_new(a, row);
	return 0;
}

/* Every findings and evidence row and the audit event count, as one string. */
static char *fingerprint(struct fx *f)
{
	sqlite3 *db;
	json_t *a = json_array();
	char *text;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite3_exec(db, "SELECT * FROM findings ORDER BY id", append_row, a, NULL);
	sqlite3_exec(db, "SELECT * FROM evidence ORDER BY id", append_row, a, NULL);
	sqlite3_exec(db, "SELECT count(*) AS events FROM audit_events", append_row, a, NULL);
	sqlite3_close(db);
	text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return text;
}

static void chain_intact(struct fx *f)
{
	json_t *out = NULL;
	ok(f, mrm_audit_verify(f->ctx, &out, &f->err));
	json_decref(out);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	FILE *fp;

	snprintf(f->dir, sizeof(f->dir), "/tmp/mrm-test-findings-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/t.db", f->dir);
	snprintf(f->file, sizeof(f->file), "%s/report.txt", f->dir);
	fp = fopen(f->file, "w");
	fputs("validation report v1\n", fp);
	fclose(fp);
	assert_int_equal(mrm_ctx_open(&(struct mrm_ctx_options){ .db = f->db, .actor = "alice",
								 .now = NOW, .create = true },
				      &f->ctx, &f->err),
			 0);
	ok(f, mrm_init(f->ctx, NULL, NULL, &f->err));
	ok(f, mrm_user_add(f->ctx, "alice", "admin,validator", NULL, &f->err));
	ok(f, mrm_user_add(f->ctx, "bob", "owner", NULL, &f->err));
	ok(f, mrm_user_add(f->ctx, "carol", "validator", NULL, &f->err));
	ok(f, mrm_user_add(f->ctx, "dave", "auditor", NULL, &f->err));
	ok(f, mrm_user_add(f->ctx, "erin", "approver", NULL, &f->err));
	json_t *m = obj("{\"id\":\"credit-pd\",\"name\":\"Credit PD\",\"owner\":\"bob\",\"purpose\":\"PD\"}");
	ok(f, mrm_model_add(f->ctx, m, NULL, &f->err));
	json_decref(m);
	m = obj("{\"id\":\"fraud\",\"name\":\"Fraud\",\"owner\":\"bob\",\"purpose\":\"fraud\"}");
	ok(f, mrm_model_add(f->ctx, m, NULL, &f->err));
	json_decref(m);
	ok(f, mrm_version_add(f->ctx, "credit-pd", "1.0", NULL, NULL, &f->err));
	as(f, "bob");
	ok(f, mrm_evidence_add(f->ctx, "credit-pd", "validation-report", f->file, NULL, NULL, &f->err)); /* E-1 */
	ok(f, mrm_evidence_add(f->ctx, "fraud", "other", f->file, NULL, NULL, &f->err));                /* E-2 */
	as(f, "alice");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];
	mrm_ctx_free(f->ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd))
		return 1;
	free(f);
	return 0;
}

/* Raises a finding on credit-pd as `actor`; returns it as shown (caller frees). */
static json_t *raise(struct fx *f, const char *actor, const char *fields)
{
	json_t *in = obj(fields), *out = NULL;
	as(f, actor);
	ok(f, mrm_finding_add(f->ctx, "credit-pd", in, &out, &f->err));
	json_decref(in);
	return out;
}

static int update(struct fx *f, const char *actor, const char *id, const char *fields)
{
	json_t *in = obj(fields);
	int rc;
	as(f, actor);
	rc = mrm_finding_update(f->ctx, id, in, NULL, &f->err);
	json_decref(in);
	return rc;
}

static int verify(struct fx *f, const char *actor, const char *id, const char *fields)
{
	json_t *in = obj(fields);
	int rc;
	as(f, actor);
	rc = mrm_finding_verify(f->ctx, id, in, NULL, &f->err);
	json_decref(in);
	return rc;
}

static int close_f(struct fx *f, const char *actor, const char *id, const char *fields)
{
	json_t *in = fields ? obj(fields) : NULL;
	int rc;
	as(f, actor);
	rc = mrm_finding_close(f->ctx, id, in, NULL, &f->err);
	json_decref(in);
	return rc;
}

static json_t *show(struct fx *f, const char *id)
{
	json_t *out = NULL;
	ok(f, mrm_finding_show(f->ctx, id, &out, &f->err));
	return out;
}

/* Asserts `rc` is `code`, the message contains `needle`, and the store did not change. */
static void refused(struct fx *f, int rc, int code, const char *needle, const char *before)
{
	char *after = fingerprint(f);
	if (rc != code)
		fail_msg("expected error %d, got %d: %s", code, rc, f->err.msg);
	if (!strstr(f->err.msg, needle))
		fail_msg("message '%s' does not mention '%s'", f->err.msg, needle);
	assert_string_equal(before, after);
	free(after);
	mrm_error_clear(&f->err);
}

static void full_workflow(void **state)
{
	struct fx *f = *state;
	json_t *out = raise(f, "dave", "{\"severity\":\"high\",\"category\":\"fairness\","
				       "\"title\":\"  Disparate impact on age  \",\"evidence_id\":\"E-1\"}");

	assert_string_equal(s(out, "id"), "F-1");
	assert_string_equal(s(out, "title"), "Disparate impact on age");
	assert_string_equal(s(out, "owner"), "bob"); /* the model owner */
	assert_string_equal(s(out, "due"), "2027-02-24"); /* high: 90 days */
	assert_string_equal(s(out, "status"), "open");
	assert_string_equal(s(out, "raised_by"), "dave");
	assert_string_equal(s(out, "evidence_id"), "E-1");
	json_decref(out);

	ok(f, update(f, "bob", "F-1", "{\"status\":\"in-remediation\"}"));
	ok(f, update(f, "bob", "F-1", "{\"status\":\"awaiting-verification\"}"));
	ok(f, verify(f, "carol", "F-1", "{\"evidence_id\":\"E-1\",\"note\":\"retested\"}"));
	out = show(f, "F-1");
	assert_string_equal(s(out, "verified_by"), "carol");
	assert_string_equal(s(out, "verification_evidence_id"), "E-1");
	assert_string_equal(s(out, "verification_note"), "retested");
	assert_string_equal(s(out, "status"), "awaiting-verification");
	json_decref(out);
	ok(f, close_f(f, "alice", "F-1", NULL));
	out = show(f, "F-1");
	assert_string_equal(s(out, "status"), "closed");
	assert_string_equal(s(out, "workflow_status"), "closed");
	assert_string_equal(s(out, "closed_by"), "alice");
	assert_string_equal(s(out, "closed_at"), NOW);
	json_decref(out);
	chain_intact(f);
}

static void refused_moves(void **state)
{
	struct fx *f = *state;
	json_t *out = raise(f, "alice", "{\"severity\":\"medium\",\"category\":\"robustness\",\"title\":\"t\"}");
	char *before;
	int rc;
	json_decref(out);

	before = fingerprint(f);
	rc = update(f, "bob", "F-1", "{\"status\":\"closed\"}");
	assert_non_null(strstr(f->err.msg, "allowed moves: open -> in-remediation, "));
	assert_non_null(strstr(f->err.msg, "mrm finding close"));
	refused(f, rc, MRM_EINPUT, "from open to closed", before);
	refused(f, update(f, "bob", "F-1", "{\"status\":\"open\"}"), MRM_EINPUT, "already open", before);
	refused(f, update(f, "bob", "F-1", "{\"status\":\"risk-accepted\"}"), MRM_EINPUT, "mrm accept",
		before);
	refused(f, update(f, "bob", "F-1", "{\"status\":\"fixed\"}"), MRM_EINPUT, "invalid status",
		before);
	refused(f, update(f, "bob", "F-1", "{\"due\":\"2027-03-01\"}"), MRM_EPERM, "not permitted",
		before);
	refused(f, update(f, "alice", "F-1", "{\"due\":\"2026-11-25\"}"), MRM_EINPUT, "in the past",
		before);
	refused(f, update(f, "alice", "F-1", "{\"owner\":\"nobody\"}"), MRM_EINPUT, "unknown user",
		before);
	refused(f, update(f, "alice", "F-9", "{\"status\":\"in-remediation\"}"), MRM_ENOTFOUND, "F-9",
		before);
	free(before);

	ok(f, update(f, "bob", "F-1", "{\"status\":\"awaiting-verification\"}"));
	before = fingerprint(f);
	refused(f, update(f, "bob", "F-1", "{\"status\":\"open\"}"), MRM_EINPUT,
		"from awaiting-verification to open", before);
	refused(f, close_f(f, "alice", "F-1", NULL), MRM_EINPUT, "no recorded verification", before);
	free(before);

	ok(f, update(f, "bob", "F-1", "{\"status\":\"in-remediation\"}"));
	ok(f, update(f, "bob", "F-1", "{\"status\":\"open\"}"));
	ok(f, update(f, "bob", "F-1", "{\"status\":\"awaiting-verification\"}"));
	ok(f, close_f(f, "carol", "F-1", "{\"evidence_id\":\"E-1\",\"note\":\"fixed\"}"));
	before = fingerprint(f);
	refused(f, update(f, "alice", "F-1", "{\"status\":\"in-remediation\"}"), MRM_EINPUT, "closed",
		before);
	refused(f, update(f, "alice", "F-1", "{\"severity\":\"low\"}"), MRM_EINPUT, "closed", before);
	refused(f, close_f(f, "alice", "F-1", NULL), MRM_EINPUT, "already closed", before);
	refused(f, verify(f, "alice", "F-1", "{\"evidence_id\":\"E-1\"}"), MRM_EINPUT, "already closed",
		before);
	free(before);
	as(f, "alice");
	chain_intact(f);
}

static void who_may_update(void **state)
{
	struct fx *f = *state;
	json_t *out = raise(f, "dave", "{\"severity\":\"low\",\"category\":\"documentation\",\"title\":\"t\"}");
	char *before;
	json_decref(out);

	before = fingerprint(f);
	/* an approver who is neither owner, raiser nor second line */
	refused(f, update(f, "erin", "F-1", "{\"status\":\"in-remediation\"}"), MRM_EPERM,
		"cannot change the status", before);
	/* the auditor who raised it may edit it but does not report remediation */
	refused(f, update(f, "dave", "F-1", "{\"status\":\"in-remediation\"}"), MRM_EPERM,
		"cannot change the status", before);
	/* the model owner reports progress but cannot downgrade the finding */
	refused(f, update(f, "bob", "F-1", "{\"severity\":\"low\",\"title\":\"x\"}"), MRM_EPERM,
		"needs role validator or admin, or to have raised it", before);
	refused(f, update(f, "mallory", "F-1", "{\"status\":\"in-remediation\"}"), MRM_EPERM,
		"not a registered user", before);
	free(before);
	ok(f, update(f, "dave", "F-1", "{\"due\":\"2027-01-31\",\"severity\":\"medium\"}"));
	ok(f, update(f, "carol", "F-1", "{\"owner\":\"erin\"}"));
	ok(f, update(f, "erin", "F-1", "{\"status\":\"in-remediation\"}")); /* now the finding owner */
	ok(f, update(f, "bob", "F-1", "{\"status\":\"awaiting-verification\"}")); /* model owner */
	out = show(f, "F-1");
	assert_string_equal(s(out, "due"), "2027-01-31");
	assert_string_equal(s(out, "severity"), "medium");
	assert_string_equal(s(out, "owner"), "erin");
	assert_string_equal(s(out, "workflow_status"), "awaiting-verification");
	json_decref(out);
	before = fingerprint(f);
	refused(f, update(f, "alice", "F-1", "{\"owner\":\"erin\"}"), MRM_EINPUT, "nothing changed",
		before);
	free(before);
	as(f, "alice");
	chain_intact(f);
}

static void separation_of_duties(void **state)
{
	struct fx *f = *state;
	json_t *out = raise(f, "alice", "{\"severity\":\"critical\",\"category\":\"security\","
					"\"title\":\"Prompt injection\",\"owner\":\"carol\"}");
	char *before;

	assert_string_equal(s(out, "due"), "2026-12-26"); /* critical: 30 days */
	json_decref(out);
	ok(f, update(f, "carol", "F-1", "{\"status\":\"awaiting-verification\"}"));
	before = fingerprint(f);
	/* carol is a validator, but she owns the finding */
	refused(f, verify(f, "carol", "F-1", "{\"evidence_id\":\"E-1\"}"), MRM_EPERM,
		"separation of duties", before);
	refused(f, close_f(f, "carol", "F-1", "{\"evidence_id\":\"E-1\"}"), MRM_EPERM,
		"separation of duties", before);
	/* the first line cannot verify at all */
	refused(f, verify(f, "bob", "F-1", "{\"evidence_id\":\"E-1\"}"), MRM_EPERM,
		"needs role validator or admin", before);
	refused(f, close_f(f, "dave", "F-1", "{\"evidence_id\":\"E-1\"}"), MRM_EPERM,
		"needs role validator or admin", before);
	/* evidence must exist and be about the same model */
	refused(f, verify(f, "alice", "F-1", "{\"evidence_id\":\"E-2\"}"), MRM_EINPUT,
		"belongs to model 'fraud'", before);
	refused(f, verify(f, "alice", "F-1", "{\"evidence_id\":\"E-7\"}"), MRM_ENOTFOUND, "E-7", before);
	refused(f, verify(f, "alice", "F-1", "{\"evidence_id\":\"x\"}"), MRM_EINPUT, "invalid evidence id",
		before);
	refused(f, close_f(f, "alice", "F-1", "{\"note\":\"x\"}"), MRM_EINPUT, "give the verification evidence",
		before);
	free(before);

	ok(f, verify(f, "alice", "F-1", "{\"evidence_id\":\"E-1\"}"));
	/* the verifier becomes the owner: the verification is no longer independent */
	ok(f, update(f, "alice", "F-1", "{\"owner\":\"alice\"}"));
	before = fingerprint(f);
	refused(f, close_f(f, "carol", "F-1", NULL), MRM_EINPUT, "verified by its owner alice", before);
	refused(f, close_f(f, "alice", "F-1", NULL), MRM_EPERM, "separation of duties", before);
	free(before);
	ok(f, close_f(f, "carol", "F-1", "{\"evidence_id\":\"E-1\"}"));
	out = show(f, "F-1");
	assert_string_equal(s(out, "verified_by"), "carol");
	assert_string_equal(s(out, "closed_by"), "carol");
	json_decref(out);
	as(f, "alice");
	chain_intact(f);
}

static void failed_verification(void **state)
{
	struct fx *f = *state;
	json_t *out = raise(f, "alice", "{\"severity\":\"low\",\"category\":\"performance\",\"title\":\"AUC drop\"}");
	char *before;

	json_decref(out);
	ok(f, update(f, "bob", "F-1", "{\"status\":\"awaiting-verification\"}"));
	ok(f, verify(f, "carol", "F-1", "{\"evidence_id\":\"E-1\",\"note\":\"looks fixed\"}"));
	ok(f, verify(f, "alice", "F-1", "{\"evidence_id\":\"E-1\",\"note\":\"still drifts\",\"fail\":true}"));
	out = show(f, "F-1");
	assert_string_equal(s(out, "status"), "in-remediation");
	assert_string_equal(s(out, "verification_note"), "still drifts");
	assert_string_equal(s(out, "verified_by"), "carol"); /* --fail clears nothing else */
	json_decref(out);
	/* back for verification: a new round, the earlier pass no longer counts */
	ok(f, update(f, "bob", "F-1", "{\"status\":\"awaiting-verification\"}"));
	out = show(f, "F-1");
	assert_true(json_is_null(json_object_get(out, "verified_by")));
	json_decref(out);
	before = fingerprint(f);
	refused(f, close_f(f, "alice", "F-1", NULL), MRM_EINPUT, "no recorded verification", before);
	free(before);
	ok(f, close_f(f, "alice", "F-1", "{\"evidence_id\":\"E-1\"}"));
	as(f, "alice");
	chain_intact(f);
}

static void raising_rules(void **state)
{
	struct fx *f = *state;
	json_t *in, *m;
	char *before = fingerprint(f);
	static const struct { const char *actor, *fields; int code; const char *needle; } bad[] = {
		{ "erin", "{\"severity\":\"low\",\"category\":\"safety\",\"title\":\"t\"}", MRM_EPERM,
		  "needs role validator, auditor or admin" },
		{ "bob", "{\"severity\":\"low\",\"category\":\"safety\",\"title\":\"t\"}", MRM_EPERM,
		  "raise findings" },
		{ "alice", "{\"severity\":\"severe\",\"category\":\"safety\",\"title\":\"t\"}", MRM_EINPUT,
		  "invalid severity" },
		{ "alice", "{\"severity\":\"low\",\"category\":\"ethics\",\"title\":\"t\"}", MRM_EINPUT,
		  "invalid category" },
		{ "alice", "{\"severity\":\"low\",\"category\":\"safety\",\"title\":\"  \"}", MRM_EINPUT,
		  "'title' must not be empty" },
		{ "alice", "{\"severity\":\"low\",\"category\":\"safety\"}", MRM_EINPUT,
		  "missing required field 'title'" },
		{ "alice", "{\"severity\":\"low\",\"category\":\"safety\",\"title\":\"t\",\"due\":\"2026-11-25\"}",
		  MRM_EINPUT, "due date 2026-11-25 is in the past" },
		{ "alice", "{\"severity\":\"low\",\"category\":\"safety\",\"title\":\"t\",\"due\":\"2026-02-30\"}",
		  MRM_EINPUT, "invalid due" },
		{ "alice", "{\"severity\":\"low\",\"category\":\"safety\",\"title\":\"t\",\"owner\":\"zed\"}",
		  MRM_EINPUT, "unknown user 'zed'" },
		{ "alice", "{\"severity\":\"low\",\"category\":\"safety\",\"title\":\"t\",\"version\":\"9\"}",
		  MRM_ENOTFOUND, "no version '9'" },
		{ "alice", "{\"severity\":\"low\",\"category\":\"safety\",\"title\":\"t\",\"evidence_id\":\"E-2\"}",
		  MRM_EINPUT, "belongs to model 'fraud'" },
		{ "alice", "{\"severity\":\"low\",\"category\":\"safety\",\"title\":\"t\",\"evidence_id\":\"E-9\"}",
		  MRM_ENOTFOUND, "no evidence E-9" },
		{ "alice", "{\"severity\":\"low\",\"category\":\"safety\",\"title\":\"t\",\"repeat_of\":\"F-4\"}",
		  MRM_ENOTFOUND, "no finding F-4" },
		{ "alice", "{\"severity\":\"low\",\"category\":\"safety\",\"title\":\"t\",\"colour\":\"red\"}",
		  MRM_EINPUT, "unknown field 'colour'" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		as(f, bad[i].actor);
		in = obj(bad[i].fields);
		refused(f, mrm_finding_add(f->ctx, "credit-pd", in, NULL, &f->err), bad[i].code,
			bad[i].needle, before);
		json_decref(in);
	}
	in = obj("{\"severity\":\"low\",\"category\":\"safety\",\"title\":\"t\"}");
	refused(f, mrm_finding_add(f->ctx, "nope", in, NULL, &f->err), MRM_ENOTFOUND, "no model 'nope'",
		before);
	/* a repeat must be on the same model */
	json_t *out = NULL;
	ok(f, mrm_finding_add(f->ctx, "fraud", in, &out, &f->err));
	json_decref(out);
	free(before);
	before = fingerprint(f);
	json_object_set_new(in, "repeat_of", json_string("F-1"));
	refused(f, mrm_finding_add(f->ctx, "credit-pd", in, NULL, &f->err), MRM_EINPUT,
		"a repeat must be on the same model", before);
	json_object_del(in, "repeat_of");
	/* a retired model takes no new findings */
	as(f, "bob");
	m = obj("{\"status\":\"retired\"}");
	ok(f, mrm_model_update(f->ctx, "fraud", m, NULL, &f->err));
	json_decref(m);
	free(before);
	before = fingerprint(f);
	as(f, "alice");
	refused(f, mrm_finding_add(f->ctx, "fraud", in, NULL, &f->err), MRM_EINPUT, "retired", before);
	json_decref(in);
	free(before);

	/* defaults: due by severity; due today is fine */
	assert_int_equal(mrm_finding_default_due_days("critical"), 30);
	assert_int_equal(mrm_finding_default_due_days("high"), 90);
	assert_int_equal(mrm_finding_default_due_days("medium"), 180);
	assert_int_equal(mrm_finding_default_due_days("low"), 365);
	out = raise(f, "alice", "{\"severity\":\"medium\",\"category\":\"safety\",\"title\":\"m\"}");
	assert_string_equal(s(out, "due"), "2027-05-25");
	json_decref(out);
	out = raise(f, "alice", "{\"severity\":\"low\",\"category\":\"safety\",\"title\":\"l\"}");
	assert_string_equal(s(out, "due"), "2027-11-26");
	json_decref(out);
	out = raise(f, "alice", "{\"severity\":\"low\",\"category\":\"safety\",\"title\":\"d\",\"due\":\"2026-11-26\",\"version\":\"1.0\"}");
	assert_string_equal(s(out, "due"), "2026-11-26");
	assert_string_equal(s(out, "version"), "1.0");
	json_decref(out);
	chain_intact(f);
}

static void repeats(void **state)
{
	struct fx *f = *state;
	json_t *out = raise(f, "alice", "{\"severity\":\"high\",\"category\":\"performance\","
					"\"title\":\"Calibration drift\"}");
	json_decref(out);
	/* an open finding with the same title is not a repeat: it is still being fixed */
	out = raise(f, "alice", "{\"severity\":\"high\",\"category\":\"performance\",\"title\":\"Calibration drift\"}");
	assert_true(json_is_null(json_object_get(out, "repeat_of")));
	json_decref(out);
	ok(f, update(f, "bob", "F-1", "{\"status\":\"awaiting-verification\"}"));
	ok(f, close_f(f, "carol", "F-1", "{\"evidence_id\":\"E-1\"}"));

	out = raise(f, "dave", "{\"severity\":\"low\",\"category\":\"performance\",\"title\":\" calibration DRIFT \"}");
	assert_string_equal(s(out, "id"), "F-3");
	assert_string_equal(s(out, "repeat_of"), "F-1");
	assert_true(json_is_true(json_object_get(out, "repeat_detected")));
	json_decref(out);
	out = raise(f, "dave", "{\"severity\":\"low\",\"category\":\"fairness\",\"title\":\"Calibration drift\"}");
	assert_true(json_is_null(json_object_get(out, "repeat_of")));
	json_decref(out);
	out = raise(f, "dave", "{\"severity\":\"low\",\"category\":\"fairness\",\"title\":\"Other\",\"repeat_of\":\"F-2\"}");
	assert_string_equal(s(out, "repeat_of"), "F-2");
	assert_null(json_object_get(out, "repeat_detected"));
	json_decref(out);
	as(f, "alice");
	out = show(f, "F-1");
	assert_int_equal(json_array_size(json_object_get(out, "repeated_by")), 1);
	json_decref(out);
	chain_intact(f);
}

static json_t *list(struct fx *f, const struct mrm_finding_filter *flt)
{
	json_t *out = NULL;
	ok(f, mrm_finding_list(f->ctx, flt, &out, &f->err));
	return out;
}

/* Finds row `id` of a list. */
static json_t *row(json_t *arr, const char *id)
{
	json_t *r;
	size_t i;
	json_array_foreach(arr, i, r)
		if (!strcmp(s(r, "id"), id))
			return r;
	return NULL;
}

static char *ids(json_t *arr)
{
	char *buf = calloc(1, 256);
	json_t *r;
	size_t i;
	json_array_foreach(arr, i, r) {
		if (i)
			strncat(buf, " ", 255 - strlen(buf));
		strncat(buf, s(r, "id"), 255 - strlen(buf));
	}
	return buf;
}

static void assert_ids(struct fx *f, const struct mrm_finding_filter *flt, const char *want)
{
	json_t *l = list(f, flt);
	char *got = ids(l);
	if (strcmp(got, want))
		fail_msg("filter status=%s overdue=%d: got '%s', want '%s'", flt->status ? flt->status : "-",
			 flt->overdue, got, want);
	free(got);
	json_decref(l);
}

struct membuf {
	char *p;
	size_t len;
};

static int to_mem(void *arg, const char *data, size_t len)
{
	struct membuf *m = arg;
	m->p = realloc(m->p, m->len + len + 1);
	memcpy(m->p + m->len, data, len);
	m->len += len;
	m->p[m->len] = '\0';
	return 0;
}

/* The streamed list must be byte for byte what `--json` prints of the tree. */
static void assert_stream_matches(struct fx *f, const struct mrm_finding_filter *flt)
{
	struct membuf m = { 0 };
	json_t *doc = json_pack("{s:o}", "findings", list(f, flt));
	char *want = json_dumps(doc, JSON_INDENT(2) | JSON_ENCODE_ANY);

	ok(f, mrm_finding_list_write(f->ctx, flt, to_mem, &m, &f->err));
	assert_non_null(m.p);
	assert_true(m.len > 0 && m.p[m.len - 1] == '\n');
	m.p[m.len - 1] = '\0';
	assert_string_equal(m.p, want);
	free(m.p);
	free(want);
	json_decref(doc);
}

static void effective_status(void **state)
{
	struct fx *f = *state;
	const char *sev[] = { "high", "low", "low", "medium", "low", "low" };
	json_t *l, *r, *out;

	for (int i = 0; i < 6; i++) {
		char fields[256];
		snprintf(fields, sizeof(fields),
			 "{\"severity\":\"%s\",\"category\":\"privacy\",\"title\":\"finding \\\"%d\\\"\\t\\u00e9\\u0001\",\"due\":\"2026-12-31\"}",
			 sev[i], i + 1);
		json_decref(raise(f, "alice", fields));
	}
	/* F-6 is closed; F-5 in remediation */
	ok(f, update(f, "bob", "F-6", "{\"status\":\"awaiting-verification\"}"));
	ok(f, close_f(f, "carol", "F-6", "{\"evidence_id\":\"E-1\"}"));
	ok(f, update(f, "bob", "F-5", "{\"status\":\"in-remediation\"}"));
	/*
	 * `mrm accept` rows written straight to the tables, so that every case
	 * the store can hold is covered (two acceptances on one finding, a
	 * revoked one, one on a closed finding):
	 *   A-1 covers F-1 until 2027-01-15; A-2 (revoked) covers F-2;
	 *   A-3 covered F-3 until 2026-11-01 (expired); A-4 covers F-4 until
	 *   2026-12-01 and A-5 until 2027-02-01; A-6 covers closed F-6 and
	 *   F-5 (in remediation) until 2027-01-15.
	 */
	raw(f, "INSERT INTO acceptances (id, model_id, accepted_by, authority_role, rationale, expires, created_at, revoked_at) VALUES "
	       "(1, 'credit-pd', 'erin', 'approver', 'r', '2027-01-15', '" NOW "', NULL),"
	       "(2, 'credit-pd', 'erin', 'approver', 'r', '2027-01-15', '" NOW "', '" NOW "'),"
	       "(3, 'credit-pd', 'erin', 'approver', 'r', '2026-11-01', '" NOW "', NULL),"
	       "(4, 'credit-pd', 'erin', 'approver', 'r', '2026-12-01', '" NOW "', NULL),"
	       "(5, 'credit-pd', 'erin', 'approver', 'r', '2027-02-01', '" NOW "', NULL),"
	       "(6, 'credit-pd', 'erin', 'approver', 'r', '2027-01-15', '" NOW "', NULL);"
	       "INSERT INTO acceptance_findings (acceptance_id, finding_id) VALUES "
	       "(1, 1), (2, 2), (3, 3), (4, 4), (5, 4), (6, 6), (6, 5);");

	l = list(f, NULL);
	r = row(l, "F-1");
	assert_string_equal(s(r, "status"), "risk-accepted");
	assert_string_equal(s(r, "workflow_status"), "open");
	assert_string_equal(s(r, "accepted_by_acceptance"), "A-1");
	assert_string_equal(s(r, "acceptance_expires"), "2027-01-15");
	assert_true(json_is_false(json_object_get(r, "acceptance_expired")));
	r = row(l, "F-2"); /* revoked: covers nothing, and did not "expire" */
	assert_string_equal(s(r, "status"), "open");
	assert_true(json_is_null(json_object_get(r, "accepted_by_acceptance")));
	assert_true(json_is_false(json_object_get(r, "acceptance_expired")));
	r = row(l, "F-3"); /* expired: open again */
	assert_string_equal(s(r, "status"), "open");
	assert_true(json_is_null(json_object_get(r, "accepted_by_acceptance")));
	assert_string_equal(s(r, "acceptance_expires"), "2026-11-01");
	assert_true(json_is_true(json_object_get(r, "acceptance_expired")));
	r = row(l, "F-4"); /* the acceptance that lasts longest */
	assert_string_equal(s(r, "accepted_by_acceptance"), "A-5");
	assert_string_equal(s(r, "acceptance_expires"), "2027-02-01");
	r = row(l, "F-5");
	assert_string_equal(s(r, "status"), "risk-accepted");
	assert_string_equal(s(r, "workflow_status"), "in-remediation");
	r = row(l, "F-6"); /* closed stays closed */
	assert_string_equal(s(r, "status"), "closed");
	assert_true(json_is_null(json_object_get(r, "accepted_by_acceptance")));
	assert_true(json_is_false(json_object_get(r, "acceptance_expired")));
	json_decref(l);

	assert_ids(f, &(struct mrm_finding_filter){ .status = "open" }, "F-2 F-3");
	assert_ids(f, &(struct mrm_finding_filter){ .status = "risk-accepted" }, "F-1 F-4 F-5");
	assert_ids(f, &(struct mrm_finding_filter){ .status = "in-remediation" }, "");
	assert_ids(f, &(struct mrm_finding_filter){ .status = "closed" }, "F-6");
	assert_ids(f, &(struct mrm_finding_filter){ .status = "risk-accepted", .severity = "low" }, "F-5");
	assert_ids(f, &(struct mrm_finding_filter){ .overdue = true }, "");
	assert_ids(f, &(struct mrm_finding_filter){ .owner = "bob", .model_id = "credit-pd" },
		   "F-1 F-2 F-3 F-4 F-5 F-6");

	out = show(f, "F-4");
	assert_string_equal(s(out, "status"), "risk-accepted");
	assert_int_equal(json_array_size(json_object_get(out, "acceptances")), 2);
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(out, "acceptances"), 1),
						 "in_force")));
	json_decref(out);
	out = show(f, "F-2");
	assert_string_equal(s(json_array_get(json_object_get(out, "acceptances"), 0), "id"), "A-2");
	assert_true(json_is_false(json_object_get(json_array_get(json_object_get(out, "acceptances"), 0),
						  "in_force")));
	json_decref(out);

	/* 2027-01-15: have expired (expires is the first day not covered) */
	open_as(f, "alice", "2027-01-15T00:00:00Z");
	assert_ids(f, &(struct mrm_finding_filter){ .status = "open" }, "F-1 F-2 F-3");
	assert_ids(f, &(struct mrm_finding_filter){ .status = "in-remediation" }, "F-5");
	assert_ids(f, &(struct mrm_finding_filter){ .status = "risk-accepted" }, "F-4");
	/* due 2026-12-31 has passed: overdue unless covered or closed */
	assert_ids(f, &(struct mrm_finding_filter){ .overdue = true }, "F-1 F-2 F-3 F-5");
	assert_ids(f, &(struct mrm_finding_filter){ .overdue = true, .status = "in-remediation" }, "F-5");
	out = show(f, "F-1");
	assert_true(json_is_true(json_object_get(out, "overdue")));
	assert_true(json_is_true(json_object_get(out, "acceptance_expired")));
	assert_string_equal(s(out, "status"), "open");
	json_decref(out);

	/* the streamed --json list is exactly the tree's JSON, escapes and all */
	assert_stream_matches(f, NULL);
	assert_stream_matches(f, &(struct mrm_finding_filter){ .status = "open" });
	assert_stream_matches(f, &(struct mrm_finding_filter){ .status = "closed", .severity = "critical" });

	/* bad filters */
	assert_int_equal(mrm_finding_list(f->ctx, &(struct mrm_finding_filter){ .status = "done" }, &l,
					  &f->err),
			 MRM_EINPUT);
	assert_int_equal(mrm_finding_list(f->ctx, &(struct mrm_finding_filter){ .model_id = "nope" }, &l,
					  &f->err),
			 MRM_ENOTFOUND);
}

static void evidence(void **state)
{
	struct fx *f = *state;
	json_t *out = NULL, *in;
	char *before = fingerprint(f), path[160];
	FILE *fp;

	as(f, "dave");
	refused(f, mrm_evidence_add(f->ctx, "credit-pd", "other", f->file, NULL, NULL, &f->err),
		MRM_EPERM, "register evidence", before);
	as(f, "erin");
	refused(f, mrm_evidence_add(f->ctx, "credit-pd", "report", f->file, NULL, NULL, &f->err),
		MRM_EINPUT, "validation-report, fairness-report", before);
	refused(f, mrm_evidence_add(f->ctx, "credit-pd", "other", "/nonexistent/x.pdf", NULL, NULL, &f->err),
		MRM_EINPUT, "/nonexistent/x.pdf", before);
	refused(f, mrm_evidence_add(f->ctx, "nope", "other", f->file, NULL, NULL, &f->err),
		MRM_ENOTFOUND, "no model 'nope'", before);
	in = obj("{\"version\":\"2.0\"}");
	refused(f, mrm_evidence_add(f->ctx, "credit-pd", "other", f->file, in, NULL, &f->err),
		MRM_ENOTFOUND, "no version '2.0'", before);
	json_decref(in);
	free(before);

	in = obj("{\"version\":\"1.0\",\"note\":\"signed\"}");
	ok(f, mrm_evidence_add(f->ctx, "credit-pd", "model-card", f->file, in, &out, &f->err));
	json_decref(in);
	assert_string_equal(s(out, "id"), "E-3");
	assert_string_equal(s(out, "produced_by"), "erin");
	assert_string_equal(s(out, "path"), f->file);
	assert_int_equal(strlen(s(out, "sha256")), 64);
	assert_int_equal(json_integer_value(json_object_get(out, "size")), 21);
	json_decref(out);

	/* verification is read-only and reports each file */
	before = fingerprint(f);
	ok(f, mrm_evidence_verify(f->ctx, NULL, &out, &f->err));
	assert_int_equal(json_integer_value(json_object_get(out, "checked")), 3);
	json_decref(out);
	fp = fopen(f->file, "a");
	fputs("edited\n", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/gone.txt", f->dir);
	fp = fopen(path, "w");
	fclose(fp);
	ok(f, mrm_evidence_add(f->ctx, "fraud", "other", path, NULL, NULL, &f->err)); /* E-4 */
	unlink(path);
	free(before);
	before = fingerprint(f);
	assert_int_equal(mrm_evidence_verify(f->ctx, NULL, &out, &f->err), MRM_ECHECK);
	assert_non_null(strstr(f->err.msg, "3 changed, 1 missing"));
	assert_string_equal(s(json_array_get(json_object_get(out, "items"), 0), "result"), "changed");
	assert_string_equal(s(json_array_get(json_object_get(out, "items"), 3), "result"), "missing");
	json_decref(out);
	assert_int_equal(mrm_evidence_verify(f->ctx, "fraud", &out, &f->err), MRM_ECHECK);
	assert_int_equal(json_integer_value(json_object_get(out, "checked")), 2);
	json_decref(out);
	assert_int_equal(mrm_evidence_verify(f->ctx, "nope", &out, &f->err), MRM_ENOTFOUND);
	{
		char *after = fingerprint(f);
		assert_string_equal(before, after); /* no audit event, no change */
		free(after);
	}
	free(before);

	ok(f, mrm_evidence_list(f->ctx, "credit-pd", &out, &f->err));
	assert_int_equal(json_array_size(out), 2);
	json_decref(out);
	out = raise(f, "alice", "{\"severity\":\"low\",\"category\":\"safety\",\"title\":\"t\",\"evidence_id\":\"e-3\"}");
	json_decref(out);
	ok(f, mrm_evidence_show(f->ctx, "E-3", &out, &f->err));
	assert_string_equal(s(json_array_get(json_object_get(out, "findings"), 0), "id"), "F-1");
	json_decref(out);
	assert_int_equal(mrm_evidence_show(f->ctx, "E-99", &out, &f->err), MRM_ENOTFOUND);
	assert_int_equal(mrm_evidence_show(f->ctx, "X-1", &out, &f->err), MRM_EINPUT);
	chain_intact(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(full_workflow, setup, teardown),
		cmocka_unit_test_setup_teardown(refused_moves, setup, teardown),
		cmocka_unit_test_setup_teardown(who_may_update, setup, teardown),
		cmocka_unit_test_setup_teardown(separation_of_duties, setup, teardown),
		cmocka_unit_test_setup_teardown(failed_verification, setup, teardown),
		cmocka_unit_test_setup_teardown(raising_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(repeats, setup, teardown),
		cmocka_unit_test_setup_teardown(effective_status, setup, teardown),
		cmocka_unit_test_setup_teardown(evidence, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
