/*
 * Unit tests for export and import: the round trip is byte-exact, import
 * only fills an empty store, and every malformed, foreign or tampered
 * document is refused with a precise message while the store stays empty.
 * Import's own chain check must agree with mrm_audit_verify().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "mrm/audit.h"
#include "mrm/ctx.h"
#include "mrm/model.h"
#include "mrm/transfer.h"
#include "mrm/user.h"

#define NOW "2026-11-26T09:00:00Z"

struct fx {
	char dir[64];
	char db[128];  /* the source store */
	char out[128]; /* a second store */
	char doc[128]; /* an export file */
	struct mrm_ctx *ctx;
	struct mrm_error err;
};

static struct mrm_ctx *open_db(const char *db, bool create)
{
	struct mrm_error err = { 0 };
	struct mrm_ctx *ctx = NULL;
	if (mrm_ctx_open(&(struct mrm_ctx_options){ .db = db, .actor = "alice", .now = NOW,
						    .create = create },
			 &ctx, &err) ||
	    (create && mrm_init(ctx, NULL, NULL, &err)))
		fail_msg("open %s: %s", db, err.msg);
	return ctx;
}

static void ok(struct fx *f, int rc)
{
	if (rc)
		fail_msg("unexpected error %d: %s", rc, f->err.msg);
	mrm_error_clear(&f->err);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char token[128];
	json_t *m;

	snprintf(f->dir, sizeof(f->dir), "/tmp/mrm-test-transfer-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/a.db", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/b.db", f->dir);
	snprintf(f->doc, sizeof(f->doc), "%s/a.json", f->dir);
	*state = f;
	f->ctx = open_db(f->db, true);
	ok(f, mrm_user_add(f->ctx, "alice", "admin,validator", NULL, &f->err));
	ok(f, mrm_user_add(f->ctx, "bob", "owner", NULL, &f->err));
	ok(f, mrm_user_token(f->ctx, "bob", token, NULL, &f->err));
	/* Unicode, quotes, newlines, a JSON list, booleans, NULLs. */
	m = json_pack("{s:s,s:s,s:s,s:s,s:s,s:[s,s,s],s:b,s:s}", "id", "crédit-0", "name",
		      "Crédit \"PD\"\nretail ✓", "owner", "bob", "purpose", "Default probability",
		      "type", "llm", "data_sources", "bureau:experian", "a/b\\c", "ü", "genai", 0,
		      "next_review_due", "2027-01-31");
	json_object_set_new(m, "id", json_string("credit-0"));
	ok(f, mrm_model_add(f->ctx, m, NULL, &f->err));
	json_decref(m);
	m = json_pack("{s:s,s:s,s:s,s:s}", "id", "fraud", "name", "Fraud", "owner", "alice",
		      "purpose", "Flags fraud");
	ok(f, mrm_model_add(f->ctx, m, NULL, &f->err));
	json_decref(m);
	m = json_pack("{s:b,s:s}", "material", 1, "notes", "first, material");
	ok(f, mrm_version_add(f->ctx, "credit-0", "1.0", m, NULL, &f->err));
	json_decref(m);
	ok(f, mrm_version_add(f->ctx, "fraud", "7", NULL, NULL, &f->err));
	m = json_pack("{s:s}", "status", "production");
	ok(f, mrm_model_update(f->ctx, "fraud", m, NULL, &f->err));
	json_decref(m);
	mrm_ctx_free(f->ctx);
	f->ctx = NULL;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	mrm_ctx_free(f->ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	long n;
	char *s;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	s = malloc((size_t)n + 1);
	assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
	s[n] = '\0';
	fclose(fp);
	return s;
}

static void spit(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* A copy of `s` with the first `from` replaced by `to` (fails if absent). */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
	char *r;

	if (!at)
		fail_msg("'%s' not in the document", from);
	r = malloc(n);
	snprintf(r, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
	return r;
}

/* Line number (1-based) of the first occurrence of `what` in `s`. */
static int line_of(const char *s, const char *what)
{
	const char *at = strstr(s, what);
	int line = 1;
	assert_non_null(at);
	for (const char *p = s; p < at; p++)
		line += *p == '\n';
	return line;
}

static void export_to(const char *db, const char *path)
{
	struct mrm_error err = { 0 };
	struct mrm_ctx *ctx = open_db(db, false);
	if (mrm_export_file(ctx, path, NULL, &err))
		fail_msg("export %s: %s", db, err.msg);
	mrm_ctx_free(ctx);
}

/* Rows in every table of a store (0 = empty), read behind mrm's back. */
static int64_t rows_in(const char *db)
{
	static const char *const tables[] = { "users", "user_tokens", "models", "versions", "reviews",
					      "audit_events", "mrm_meta", NULL };
	sqlite3 *h;
	int64_t n = 0;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	for (int i = 0; tables[i]; i++) {
		char sql[96];
		sqlite3_stmt *s;
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i]);
		assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		n += sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(h);
	return n;
}

static void raw(const char *db, const char *sql)
{
	sqlite3 *h;
	char *msg = NULL;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("sql: %s", msg);
	sqlite3_close(h);
}

/* Imports `path` into a fresh empty store at f->out; returns the code. */
static int import_fresh(struct fx *f, const char *path, json_t **summary)
{
	struct mrm_ctx *ctx;
	int rc;

	unlink(f->out);
	ctx = open_db(f->out, true);
	mrm_error_clear(&f->err);
	rc = mrm_import_file(ctx, path, summary, &f->err);
	mrm_ctx_free(ctx);
	return rc;
}

static void round_trip_is_exact(void **state)
{
	struct fx *f = *state;
	char again[160];
	char *a, *b;
	json_t *summary = NULL, *out = NULL;
	struct mrm_ctx *ctx;

	export_to(f->db, f->doc);
	a = slurp(f->doc);
	assert_non_null(strstr(a, "{\"format\":\"mrm-export\",\"format_version\":1,\"schema_version\":"));
	assert_non_null(strstr(a, "\"exported_at\":\"" NOW "\""));
	assert_non_null(strstr(a, "\"genai\":false"));
	assert_non_null(strstr(a, "\"material\":true"));
	assert_non_null(strstr(a, "\"data_sources\":[\"bureau:experian\",\"a/b\\\\c\",\"ü\"]"));
	ok(f, import_fresh(f, f->doc, &summary));
	assert_int_equal(json_integer_value(json_object_get(summary, "events")), 11);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(summary, "tables"), "users")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(summary, "tables"), "user_tokens")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(summary, "tables"), "reviews")), 1);
	json_decref(summary);
	/* The imported store verifies, and exports the very same document. */
	ctx = open_db(f->out, false);
	ok(f, mrm_audit_verify(ctx, &out, &f->err));
	assert_int_equal(json_integer_value(json_object_get(out, "events")), 11);
	json_decref(out);
	mrm_ctx_free(ctx);
	snprintf(again, sizeof(again), "%s/b.json", f->dir);
	export_to(f->out, again);
	b = slurp(again);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void imported_store_keeps_working(void **state)
{
	struct fx *f = *state;
	struct mrm_ctx *ctx;
	json_t *m, *out = NULL;
	char token[128];

	export_to(f->db, f->doc);
	ok(f, import_fresh(f, f->doc, NULL));
	ctx = open_db(f->out, false);
	m = json_pack("{s:s,s:s,s:s,s:s}", "id", "chatbot", "name", "Chat", "owner", "bob", "purpose", "Helps");
	ok(f, mrm_model_add(ctx, m, NULL, &f->err));
	json_decref(m);
	/* Integer ids continue after the imported ones. */
	ok(f, mrm_user_token(ctx, "alice", token, NULL, &f->err));
	{
		sqlite3 *h;
		sqlite3_stmt *s;
		assert_int_equal(sqlite3_open(f->out, &h), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(h, "SELECT max(id), count(*) FROM user_tokens", -1, &s, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(s, 0), 2);
		assert_int_equal(sqlite3_column_int(s, 1), 2);
		sqlite3_finalize(s);
		sqlite3_close(h);
	}
	ok(f, mrm_audit_verify(ctx, &out, &f->err));
	assert_int_equal(json_integer_value(json_object_get(out, "events")), 13);
	json_decref(out);
	mrm_ctx_free(ctx);
}

static void empty_store_round_trips(void **state)
{
	struct fx *f = *state;
	char empty[160], doc2[160];
	json_t *summary = NULL;
	char *a, *b;

	snprintf(empty, sizeof(empty), "%s/empty.db", f->dir);
	mrm_ctx_free(open_db(empty, true));
	export_to(empty, f->doc);
	a = slurp(f->doc);
	assert_non_null(strstr(a, "\"users\":[],"));
	assert_non_null(strstr(a, "\"audit_head\":null}"));
	ok(f, import_fresh(f, f->doc, &summary));
	assert_int_equal(json_integer_value(json_object_get(summary, "rows")), 0);
	assert_true(json_is_null(json_object_get(summary, "head")));
	json_decref(summary);
	snprintf(doc2, sizeof(doc2), "%s/e2.json", f->dir);
	export_to(f->out, doc2);
	b = slurp(doc2);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void import_needs_an_empty_store(void **state)
{
	struct fx *f = *state;
	char before[160], after[160];
	struct mrm_ctx *ctx;
	char *a, *b;

	export_to(f->db, f->doc);
	snprintf(before, sizeof(before), "%s/before.json", f->dir);
	snprintf(after, sizeof(after), "%s/after.json", f->dir);
	export_to(f->db, before);
	ctx = open_db(f->db, false);
	assert_int_equal(mrm_import_file(ctx, f->doc, NULL, &f->err), MRM_EINPUT);
	assert_non_null(strstr(f->err.msg, "import needs an empty store"));
	assert_non_null(strstr(f->err.msg, "2 users, 11 audit events"));
	mrm_ctx_free(ctx);
	export_to(f->db, after);
	a = slurp(before);
	b = slurp(after);
	assert_string_equal(a, b);
	free(a);
	free(b);
	/* One row anywhere is enough to refuse. */
	unlink(f->out);
	mrm_ctx_free(open_db(f->out, true));
	raw(f->out, "INSERT INTO mrm_meta (key, value) VALUES ('x', 'y')");
	ctx = open_db(f->out, false);
	mrm_error_clear(&f->err);
	assert_int_equal(mrm_import_file(ctx, f->doc, NULL, &f->err), MRM_EINPUT);
	assert_non_null(strstr(f->err.msg, "already holds 1 rows"));
	mrm_ctx_free(ctx);
}

struct refusal {
	const char *name;
	const char *from, *to; /* edit: replace `from` by `to` (from NULL: whole text `to`) */
	int code;
	const char *msg;       /* expected in the message */
	const char *at;        /* the message names this text's line ("FILE:LINE:") */
};

static const struct refusal refusals[] = {
	{ "not JSON", NULL, "hello, world\n", MRM_EINPUT, "x.json:1:", NULL },
	{ "empty file", NULL, "", MRM_EINPUT, "empty file (not an mrm export)", NULL },
	{ "a JSON array", NULL, "[1, 2]\n", MRM_EINPUT, "not an mrm export (not a JSON object)", NULL },
	{ "another JSON document", NULL, "{\"name\": \"x\", \"tables\": {}}", MRM_EINPUT,
	  "unknown key 'name'", NULL },
	{ "syntax error inside a row", "\"roles\":\"owner\"", "\"roles\":owner", MRM_EINPUT,
	  "invalid token near 'owner'", "\"roles\":owner" },
	{ "wrong format", "\"format\":\"mrm-export\"", "\"format\":\"other\"", MRM_EINPUT,
	  "x.json:1:11: not an mrm export (\"format\" is not \"mrm-export\")", NULL },
	{ "newer format version", "\"format_version\":1", "\"format_version\":2", MRM_EINPUT,
	  "export format version", NULL },
	{ "other schema version", "\"schema_version\":", "\"schema_version\":99,\"x\":", MRM_EINPUT,
	  "exported from store schema version 99", NULL },
	{ "tables before the header", "\"format\":\"mrm-export\",", "\"tables\":{},\"format\":\"mrm-export\",",
	  MRM_EINPUT, "\"format\" must come before \"tables\"", NULL },
	{ "unknown table", "\"signoffs\":[]", "\"signoffs\":[],\n\"widgets\":[]", MRM_EINPUT,
	  "unknown table 'widgets'", "\"widgets\"" },
	{ "missing table", "\"signoffs\":[],\n", "", MRM_EINPUT, "missing table 'signoffs'", NULL },
	{ "table twice", "\"signoffs\":[]", "\"signoffs\":[],\n\"signoffs\":[]", MRM_EINPUT,
	  "table 'signoffs' appears twice", NULL },
	{ "unknown column", "\"team\":null", "\"colour\":\"red\"", MRM_EINPUT,
	  "tables.models[0]: unknown column 'colour' in table models", "\"colour\"" },
	{ "a column name that is SQL", "\"team\":null", "\"team) VALUES (1); DROP TABLE users; --\":null",
	  MRM_EINPUT, "unknown column 'team) VALUES (1); DROP TABLE users; --' in table models", NULL },
	{ "a table name that is SQL", "\"signoffs\":[]", "\"signoffs\":[],\n\"users; DROP TABLE users\":[]",
	  MRM_EINPUT, "unknown table 'users; DROP TABLE users'", NULL },
	{ "a row that is not an object", "\"user_tokens\":[", "\"user_tokens\":[[1],", MRM_EINPUT,
	  "tables.user_tokens[0]: a row must be a JSON object", NULL },
	{ "duplicate key in a row", "\"team\":null", "\"team\":null,\"team\":\"x\"", MRM_EINPUT,
	  "duplicate object key", NULL },
	{ "duplicate primary key", "{\"name\":\"bob\"", "{\"name\":\"alice\"", MRM_EINPUT,
	  "tables.users[1]: the store refused the row: UNIQUE constraint failed: users.name", "{\"name\":\"alice\",\"roles\":\"owner\"" },
	{ "foreign key", "\"model_id\":\"fraud\",\"version\":\"7\"", "\"model_id\":\"nope\",\"version\":\"7\"",
	  MRM_EINPUT, "tables.versions[1]: the store refused the row: FOREIGN KEY constraint failed", NULL },
	{ "check constraint", "\"type\":\"other\"", "\"type\":\"quantum\"", MRM_EINPUT,
	  "tables.models[1]: the store refused the row: CHECK constraint failed", NULL },
	{ "not null", "\"purpose\":\"Flags fraud\"", "\"purpose\":null", MRM_EINPUT,
	  "NOT NULL constraint failed: models.purpose", NULL },
	{ "the unchanged document (sanity)", "\"audit_head\":", "\"audit_head\":", MRM_OK, NULL, NULL },
	{ "missing audit_head", ",\"audit_head\":", ",\"exported_by\":", MRM_EINPUT, "unknown key 'exported_by'", NULL },
	{ "edited row", "\"purpose\":\"Flags fraud\",", "\"purpose\":\"Flags nothing\",", MRM_ECHECK,
	  "refused: audit chain broken: model fraud was changed outside mrm", NULL },
	{ "edited event", "\"actor\":\"alice\",\"action\":\"model.status\"", "\"actor\":\"bob\",\"action\":\"model.status\"",
	  MRM_ECHECK, "refused: audit chain broken: event #11 was altered: its hash does not match its content (1 problem, first bad event #11); nothing was imported", NULL },
	{ "wrong audit_head", "\"audit_head\":\"", "\"audit_head\":\"0", MRM_ECHECK,
	  "the document's audit_head 0", NULL },
};

static void refuses_bad_documents_and_stays_empty(void **state)
{
	struct fx *f = *state;
	char bad[160];
	char *doc;

	export_to(f->db, f->doc);
	doc = slurp(f->doc);
	snprintf(bad, sizeof(bad), "%s/x.json", f->dir);
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const struct refusal *r = &refusals[i];
		char *text = r->from ? replace(doc, r->from, r->to) : strdup(r->to);
		int rc;

		spit(bad, text);
		rc = import_fresh(f, bad, NULL);
		if (rc != r->code)
			fail_msg("%s: code %d, expected %d (%s)", r->name, rc, r->code, f->err.msg);
		if (r->msg && !strstr(f->err.msg, r->msg))
			fail_msg("%s: message '%s' lacks '%s'", r->name, f->err.msg, r->msg);
		if (rc && strncmp(f->err.msg, bad, strlen(bad)))
			fail_msg("%s: message '%s' does not start with the file name", r->name, f->err.msg);
		if (r->at) {
			char where[256];
			snprintf(where, sizeof(where), "%s:%d:", bad, line_of(text, r->at));
			if (strncmp(f->err.msg, where, strlen(where)))
				fail_msg("%s: message '%s' does not start with '%s'", r->name, f->err.msg, where);
		}
		if (rc && rows_in(f->out) != 0)
			fail_msg("%s: the store is not empty after a refused import", r->name);
		free(text);
	}
	free(doc);
}

static void truncated_documents_are_refused(void **state)
{
	struct fx *f = *state;
	char bad[160];
	char *doc;
	size_t len;

	export_to(f->db, f->doc);
	doc = slurp(f->doc);
	len = strlen(doc);
	snprintf(bad, sizeof(bad), "%s/cut.json", f->dir);
	/* Every cut (a few hundred of them) fails cleanly, never imports. */
	for (size_t cut = 0; cut + 1 < len; cut += 97) {
		char *text = strndup(doc, cut);
		spit(bad, text);
		if (import_fresh(f, bad, NULL) != MRM_EINPUT)
			fail_msg("cut at %zu: %s", cut, f->err.msg);
		if (rows_in(f->out))
			fail_msg("cut at %zu: store not empty", cut);
		free(text);
	}
	/* Extra data after the document, and a document without its head. */
	{
		char *more = malloc(len + 8), *head = strstr(doc, "\n},\"audit_head\"");
		snprintf(more, len + 8, "%s{}\n", doc);
		spit(bad, more);
		assert_int_equal(import_fresh(f, bad, NULL), MRM_EINPUT);
		assert_non_null(strstr(f->err.msg, "unexpected data after the document"));
		assert_non_null(head);
		snprintf(more, len + 8, "%.*s\n}}\n", (int)(head - doc), doc);
		spit(bad, more);
		assert_int_equal(import_fresh(f, bad, NULL), MRM_EINPUT);
		assert_non_null(strstr(f->err.msg, "not an mrm export (no \"audit_head\")"));
		assert_int_equal(rows_in(f->out), 0);
		free(more);
	}
	doc[len - 3] = '\0'; /* drop the closing "}\n" and a bit */
	spit(bad, doc);
	assert_int_equal(import_fresh(f, bad, NULL), MRM_EINPUT);
	assert_non_null(strstr(f->err.msg, "unexpected end of file (the document is truncated)"));
	free(doc);
}

static void import_agrees_with_verify(void **state)
{
	struct fx *f = *state;
	static const char *const edits[] = {
		"UPDATE models SET purpose = 'x' WHERE id = 'fraud'",
		"UPDATE audit_events SET actor = 'bob' WHERE seq = 4",
		"DELETE FROM audit_events WHERE seq = 5",
		"DELETE FROM audit_events WHERE seq = 11",
		"DELETE FROM versions WHERE id = 2",
		"INSERT INTO users (name, roles, created_at) VALUES ('mallory', 'admin', 't')",
		"UPDATE mrm_meta SET value = '3:x' WHERE key = 'audit_head'",
	};
	/*
	 * What import names as the first bad event: the first event of the
	 * chain that is wrong or missing; a changed row only when the chain
	 * is intact (its last event); nothing for a row no event records.
	 */
	static const char *const first_bad[] = {
		"(1 problem, first bad event #11)", "first bad event #4)", "first bad event #6)",
		"(2 problems, first bad event #11)", "(1 problem, first bad event #9)", NULL,
		"(1 problem, first bad event #4)",
	};
	char copy[160];

	snprintf(copy, sizeof(copy), "%s/tampered.db", f->dir);
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		struct mrm_error verr = { 0 };
		struct mrm_ctx *ctx;
		json_t *out = NULL;
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", f->db, copy);
		assert_int_equal(system(cmd), 0);
		raw(copy, edits[i]);
		ctx = open_db(copy, false);
		assert_int_equal(mrm_audit_verify(ctx, &out, &verr), MRM_ECHECK);
		json_decref(out);
		/* Export copies whatever is there; import refuses it, for the same reason. */
		ok(f, mrm_export_file(ctx, f->doc, NULL, &f->err));
		mrm_ctx_free(ctx);
		if (import_fresh(f, f->doc, NULL) != MRM_ECHECK)
			fail_msg("%s: import did not refuse (%s)", edits[i], f->err.msg);
		if (!strstr(f->err.msg, verr.msg))
			fail_msg("%s: import says '%s', verify says '%s'", edits[i], f->err.msg, verr.msg);
		if (first_bad[i] ? !strstr(f->err.msg, first_bad[i]) : !!strstr(f->err.msg, "first bad event"))
			fail_msg("%s: import says '%s', expected '%s'", edits[i], f->err.msg,
				 first_bad[i] ? first_bad[i] : "no first bad event");
		assert_int_equal(rows_in(f->out), 0);
	}
}

static int dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void export_file_is_all_or_nothing(void **state)
{
	struct fx *f = *state;
	char sub[160], path[200];
	struct mrm_ctx *ctx;
	json_t *summary = NULL;
	char *a;

	snprintf(sub, sizeof(sub), "%s/out", f->dir);
	snprintf(path, sizeof(path), "%s/x.json", sub);
	ctx = open_db(f->db, false);
	/* No such directory: a clear error and nothing written. */
	assert_int_equal(mrm_export_file(ctx, path, &summary, &f->err), MRM_EINPUT);
	assert_null(summary);
	assert_non_null(strstr(f->err.msg, "cannot write"));
	assert_non_null(strstr(f->err.msg, path));
	mrm_error_clear(&f->err);
	assert_int_equal(mkdir(sub, 0755), 0);
	/* An older file at the path is replaced whole; no temporary file is left. */
	spit(path, "old");
	ok(f, mrm_export_file(ctx, path, &summary, &f->err));
	assert_int_equal(json_integer_value(json_object_get(summary, "events")), 11);
	assert_int_equal(json_integer_value(json_object_get(summary, "rows")), 2 + 1 + 2 + 2 + 1 + 11 + 1);
	json_decref(summary);
	assert_int_equal(dir_entries(sub), 1);
	a = slurp(path);
	assert_int_equal(strncmp(a, "{\"format\":\"mrm-export\"", 22), 0);
	free(a);
	/* A read-only directory: refused, the old export kept. */
	if (geteuid() != 0) {
		assert_int_equal(chmod(sub, 0555), 0);
		assert_int_equal(mrm_export_file(ctx, path, NULL, &f->err), MRM_EINPUT);
		assert_int_equal(chmod(sub, 0755), 0);
		mrm_error_clear(&f->err);
	}
	mrm_ctx_free(ctx);
}

static void import_reads_a_stream(void **state)
{
	struct fx *f = *state;
	struct mrm_ctx *ctx;
	char *doc;
	FILE *in;

	export_to(f->db, f->doc);
	doc = slurp(f->doc);
	in = fmemopen(doc, strlen(doc), "r");
	assert_non_null(in);
	unlink(f->out);
	ctx = open_db(f->out, true);
	ok(f, mrm_import(ctx, in, "<memory>", NULL, &f->err));
	fclose(in);
	mrm_ctx_free(ctx);
	assert_true(rows_in(f->out) > 0);
	/* Messages name the stream. */
	in = fmemopen(doc, 40, "r");
	unlink(f->out);
	ctx = open_db(f->out, true);
	assert_int_equal(mrm_import(ctx, in, "<memory>", NULL, &f->err), MRM_EINPUT);
	assert_int_equal(strncmp(f->err.msg, "<memory>:1:", 11), 0);
	fclose(in);
	mrm_ctx_free(ctx);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(round_trip_is_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(imported_store_keeps_working, setup, teardown),
		cmocka_unit_test_setup_teardown(empty_store_round_trips, setup, teardown),
		cmocka_unit_test_setup_teardown(import_needs_an_empty_store, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_bad_documents_and_stays_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(truncated_documents_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(import_agrees_with_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(export_file_is_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(import_reads_a_stream, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
