/*
 * Unit tests for the store interface (lib/store/store.h) on SQLite: opening
 * and refusing files, schema versions and migration, transactions,
 * parameter binding, column kinds, constraint errors and the write lock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "core/core.h"
#include "store/store.h"

struct fx {
	char dir[64];
	char db[128];
	struct mrm_store *st;
	struct mrm_error err;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/mrm-test-store-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/s.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[256];
	mrm_store_free(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* A new, migrated store at f->db, left open in f->st. */
static void make_store(struct fx *f)
{
	int from = -1, to = -1;
	assert_int_equal(mrm_store_open(f->db, MRM_STORE_CREATE, &f->st, &f->err), MRM_OK);
	assert_int_equal(mrm_store_migrate(f->st, &from, &to, &f->err), MRM_OK);
	assert_int_equal(from, 0);
	assert_int_equal(to, mrm_store_schema_version());
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

static int64_t count(struct mrm_store *st, const char *sql)
{
	struct mrm_stmt *s = NULL;
	int64_t n = -1;
	assert_int_equal(mrm_store_prepare(st, sql, &s, NULL), MRM_OK);
	assert_int_equal(mrm_stmt_step(s, NULL), MRM_ROW);
	n = mrm_stmt_col_int(s, 0);
	mrm_stmt_free(s);
	return n;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
}

static void missing_store_is_refused_and_not_created(void **state)
{
	struct fx *f = *state;
	struct stat sb;

	assert_int_equal(mrm_store_open(f->db, MRM_STORE_EXISTING, &f->st, &f->err), MRM_ESTORE);
	assert_null(f->st);
	assert_non_null(strstr(f->err.msg, "no store at"));
	assert_non_null(strstr(f->err.msg, "mrm init"));
	assert_int_not_equal(stat(f->db, &sb), 0);
}

static void creates_migrates_and_reopens(void **state)
{
	struct fx *f = *state;
	int from = -1, to = -1;

	make_store(f);
	assert_string_equal(mrm_store_backend(f->st), "sqlite");
	assert_string_equal(mrm_store_location(f->st), f->db);
	/* Migrating a current store is a no-op that says so. */
	assert_int_equal(mrm_store_migrate(f->st, &from, &to, &f->err), MRM_OK);
	assert_int_equal(from, mrm_store_schema_version());
	assert_int_equal(to, mrm_store_schema_version());
	mrm_store_free(f->st);
	f->st = NULL;
	assert_int_equal(mrm_store_open(f->db, MRM_STORE_EXISTING, &f->st, &f->err), MRM_OK);
	assert_int_equal(count(f->st, "SELECT count(*) FROM sqlite_master WHERE name = 'audit_events'"), 1);
	assert_int_equal(count(f->st, "PRAGMA user_version"), mrm_store_schema_version());
	assert_int_equal(count(f->st, "PRAGMA application_id"), 0x6d726d31);
}

static void postgres_location_is_not_built_in(void **state)
{
	struct fx *f = *state;
	assert_int_equal(mrm_store_open("postgres://db/mrm", MRM_STORE_EXISTING, &f->st, &f->err),
			 MRM_ESTORE);
	assert_non_null(strstr(f->err.msg, "PostgreSQL backend is not built"));
}

static void random_bytes_are_not_a_store(void **state)
{
	struct fx *f = *state;
	unsigned char junk[8192];
	struct mrm_error err2 = { 0 };

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 7919 + 13);
	write_file(f->db, junk, sizeof(junk));
	assert_int_equal(mrm_store_open(f->db, MRM_STORE_EXISTING, &f->st, &f->err), MRM_ESTORE);
	assert_non_null(strstr(f->err.msg, "is not an mrm store"));
	/* mrm init must not overwrite it either. */
	assert_int_equal(mrm_store_open(f->db, MRM_STORE_CREATE, &f->st, &err2), MRM_ESTORE);
	assert_non_null(strstr(err2.msg, "is not an mrm store"));
}

static void another_applications_database_is_refused(void **state)
{
	struct fx *f = *state;
	struct mrm_error err2 = { 0 };

	raw(f->db, "CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT); INSERT INTO photos (path) VALUES ('a.jpg')");
	assert_int_equal(mrm_store_open(f->db, MRM_STORE_EXISTING, &f->st, &f->err), MRM_ESTORE);
	assert_non_null(strstr(f->err.msg, "is not an mrm store (a SQLite database of another application)"));
	assert_int_equal(mrm_store_open(f->db, MRM_STORE_CREATE, &f->st, &err2), MRM_ESTORE);
	assert_non_null(strstr(err2.msg, "another application"));
}

static void newer_store_is_refused(void **state)
{
	struct fx *f = *state;
	struct mrm_error err2 = { 0 };

	make_store(f);
	mrm_store_free(f->st);
	f->st = NULL;
	raw(f->db, "PRAGMA user_version = 999");
	assert_int_equal(mrm_store_open(f->db, MRM_STORE_EXISTING, &f->st, &f->err), MRM_ESTORE);
	assert_non_null(strstr(f->err.msg, "newer"));
	assert_non_null(strstr(f->err.msg, "upgrade mrm"));
	/* mrm init refuses to "migrate" it too, and leaves the version alone. */
	assert_int_equal(mrm_store_open(f->db, MRM_STORE_CREATE, &f->st, &err2), MRM_OK);
	assert_int_equal(mrm_store_migrate(f->st, NULL, NULL, &err2), MRM_ESTORE);
	assert_non_null(strstr(err2.msg, "newer"));
	assert_int_equal(count(f->st, "PRAGMA user_version"), 999);
}

static void older_store_asks_for_init_which_upgrades(void **state)
{
	struct fx *f = *state;
	int from = -1, to = -1;

	/* Schema version 0: marked as mrm's but before the first migration. */
	raw(f->db, "PRAGMA application_id = 1836215601");
	assert_int_equal(mrm_store_open(f->db, MRM_STORE_EXISTING, &f->st, &f->err), MRM_ESTORE);
	assert_non_null(strstr(f->err.msg, "older than this mrm's"));
	assert_non_null(strstr(f->err.msg, "run 'mrm init' to upgrade it"));
	assert_int_equal(mrm_store_open(f->db, MRM_STORE_CREATE, &f->st, &f->err), MRM_OK);
	assert_int_equal(mrm_store_migrate(f->st, &from, &to, &f->err), MRM_OK);
	assert_int_equal(from, 0);
	assert_int_equal(to, mrm_store_schema_version());
	mrm_store_free(f->st);
	f->st = NULL;
	assert_int_equal(mrm_store_open(f->db, MRM_STORE_EXISTING, &f->st, &f->err), MRM_OK);
}

static void rollback_leaves_nothing_and_commit_persists(void **state)
{
	struct fx *f = *state;

	make_store(f);
	assert_false(mrm_store_in_transaction(f->st));
	assert_int_equal(mrm_store_begin(f->st, &f->err), MRM_OK);
	assert_true(mrm_store_in_transaction(f->st));
	/* Transactions do not nest. */
	assert_int_equal(mrm_store_begin(f->st, &f->err), MRM_ESTORE);
	assert_non_null(strstr(f->err.msg, "nested"));
	mrm_error_clear(&f->err);
	assert_int_equal(mrm_store_exec(f->st, "INSERT INTO mrm_meta (key, value) VALUES ('a', '1');"
					       "INSERT INTO users (name, roles, created_at) VALUES ('x', 'admin', 't')",
					&f->err),
			 MRM_OK);
	assert_int_equal(count(f->st, "SELECT count(*) FROM mrm_meta"), 1);
	mrm_store_rollback(f->st);
	assert_false(mrm_store_in_transaction(f->st));
	assert_int_equal(count(f->st, "SELECT count(*) FROM mrm_meta"), 0);
	assert_int_equal(count(f->st, "SELECT count(*) FROM users"), 0);
	mrm_store_rollback(f->st); /* no transaction: a no-op */

	assert_int_equal(mrm_store_begin(f->st, &f->err), MRM_OK);
	assert_int_equal(mrm_store_exec(f->st, "INSERT INTO mrm_meta (key, value) VALUES ('b', '2')", &f->err), MRM_OK);
	assert_int_equal(mrm_store_changes(f->st), 1);
	assert_int_equal(mrm_store_commit(f->st, &f->err), MRM_OK);
	mrm_store_free(f->st);
	f->st = NULL;
	assert_int_equal(mrm_store_open(f->db, MRM_STORE_EXISTING, &f->st, &f->err), MRM_OK);
	assert_int_equal(count(f->st, "SELECT count(*) FROM mrm_meta WHERE key = 'b'"), 1);
}

static void closing_rolls_back_an_open_transaction(void **state)
{
	struct fx *f = *state;

	make_store(f);
	assert_int_equal(mrm_store_begin(f->st, &f->err), MRM_OK);
	assert_int_equal(mrm_store_exec(f->st, "INSERT INTO mrm_meta (key, value) VALUES ('a', '1')", &f->err), MRM_OK);
	mrm_store_free(f->st);
	f->st = NULL;
	assert_int_equal(mrm_store_open(f->db, MRM_STORE_EXISTING, &f->st, &f->err), MRM_OK);
	assert_int_equal(count(f->st, "SELECT count(*) FROM mrm_meta"), 0);
}

static void binds_parameters_verbatim(void **state)
{
	struct fx *f = *state;
	static const char *const texts[] = {
		"plain", "it's \"quoted\"", "'); DROP TABLE users; --", "ünïcødé ✓", "", "a\nb\tc",
	};
	struct mrm_stmt *s = NULL;

	make_store(f);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char key[16];
		snprintf(key, sizeof(key), "k%zu", i);
		assert_int_equal(mrm_store_prepare(f->st, "INSERT INTO mrm_meta (key, value) VALUES (?, ?)",
						   &s, &f->err),
				 MRM_OK);
		assert_int_equal(mrm_stmt_bind_text(s, 1, key), MRM_OK);
		assert_int_equal(mrm_stmt_bind_text(s, 2, texts[i]), MRM_OK);
		assert_int_equal(mrm_stmt_step(s, &f->err), MRM_OK);
		mrm_stmt_free(s);
		assert_int_equal(mrm_store_prepare(f->st, "SELECT value FROM mrm_meta WHERE key = ?", &s, &f->err),
				 MRM_OK);
		assert_int_equal(mrm_stmt_bind_text(s, 1, key), MRM_OK);
		assert_int_equal(mrm_stmt_step(s, &f->err), MRM_ROW);
		assert_string_equal(mrm_stmt_col_text(s, 0), texts[i]);
		assert_int_equal(mrm_stmt_step(s, &f->err), MRM_OK);
		mrm_stmt_free(s);
	}
	assert_int_equal(count(f->st, "SELECT count(*) FROM users"), 0);

	/* Integers, reals, NULL (a NULL text binds NULL), and reuse after reset. */
	assert_int_equal(mrm_store_prepare(f->st, "SELECT ?, ?, ?, ?, ? IS NULL", &s, &f->err), MRM_OK);
	assert_int_equal(mrm_stmt_bind_int(s, 1, INT64_MAX), MRM_OK);
	assert_int_equal(mrm_stmt_bind_int(s, 2, INT64_MIN), MRM_OK);
	assert_int_equal(mrm_stmt_bind_real(s, 3, 0.1), MRM_OK);
	assert_int_equal(mrm_stmt_bind_null(s, 4), MRM_OK);
	assert_int_equal(mrm_stmt_bind_text(s, 5, NULL), MRM_OK);
	assert_int_equal(mrm_stmt_step(s, &f->err), MRM_ROW);
	assert_int_equal(mrm_stmt_columns(s), 5);
	assert_true(mrm_stmt_col_int(s, 0) == INT64_MAX);
	assert_true(mrm_stmt_col_int(s, 1) == INT64_MIN);
	assert_true(mrm_stmt_col_real(s, 2) == 0.1);
	assert_int_equal(mrm_stmt_col_kind(s, 2), MRM_COL_REAL);
	assert_true(mrm_stmt_col_is_null(s, 3));
	assert_null(mrm_stmt_col_text(s, 3));
	assert_int_equal(mrm_stmt_col_int(s, 4), 1);
	mrm_stmt_reset(s);
	/* Bindings are cleared by a reset: everything is NULL now. */
	assert_int_equal(mrm_stmt_step(s, &f->err), MRM_ROW);
	assert_true(mrm_stmt_col_is_null(s, 0));
	mrm_stmt_free(s);
	mrm_stmt_free(NULL);
}

static void reports_column_kinds_from_declared_types(void **state)
{
	struct fx *f = *state;
	struct mrm_stmt *s = NULL;
	json_t *row;

	make_store(f);
	assert_int_equal(mrm_store_exec(f->st,
					"INSERT INTO users (name, roles, created_at) VALUES ('o', 'owner', 't');"
					"INSERT INTO models (id, name, owner, purpose, type, genai, data_sources, status, tier, created_at, updated_at) "
					"VALUES ('m', 'M', 'o', 'p', 'llm', 1, '[\"a\",{\"b\":2}]', 'development', 2, 't', 't')",
					&f->err),
			 MRM_OK);
	assert_int_equal(mrm_store_prepare(f->st, "SELECT id, genai, data_sources, tier, team FROM models",
					   &s, &f->err),
			 MRM_OK);
	assert_int_equal(mrm_stmt_step(s, &f->err), MRM_ROW);
	assert_string_equal(mrm_stmt_col_name(s, 1), "genai");
	assert_int_equal(mrm_stmt_col_kind(s, 0), MRM_COL_TEXT);
	assert_int_equal(mrm_stmt_col_kind(s, 1), MRM_COL_BOOL);
	assert_int_equal(mrm_stmt_col_kind(s, 2), MRM_COL_JSON);
	assert_int_equal(mrm_stmt_col_kind(s, 3), MRM_COL_INT);
	assert_int_equal(mrm_stmt_col_kind(s, 4), MRM_COL_NULL);
	/* The generic row conversion types them accordingly. */
	row = mrm__row_json(s);
	assert_true(json_is_true(json_object_get(row, "genai")));
	assert_true(json_is_array(json_object_get(row, "data_sources")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
				 json_object_get(row, "data_sources"), 1), "b")), 2);
	assert_int_equal(json_integer_value(json_object_get(row, "tier")), 2);
	assert_true(json_is_null(json_object_get(row, "team")));
	json_decref(row);
	mrm_stmt_free(s);

	/* A JSON column holding invalid JSON (behind mrm's back) stays a string. */
	assert_int_equal(mrm_store_exec(f->st, "UPDATE models SET data_sources = 'not [json'", &f->err), MRM_OK);
	assert_int_equal(mrm_store_prepare(f->st, "SELECT data_sources, genai FROM models", &s, &f->err), MRM_OK);
	assert_int_equal(mrm_stmt_step(s, &f->err), MRM_ROW);
	row = mrm__row_json(s);
	assert_string_equal(json_string_value(json_object_get(row, "data_sources")), "not [json");
	json_decref(row);
	mrm_stmt_free(s);
}

static void constraint_violations_are_bad_input(void **state)
{
	struct fx *f = *state;
	struct mrm_stmt *s = NULL;

	make_store(f);
	assert_int_equal(mrm_store_exec(f->st, "INSERT INTO users (name, roles, created_at) VALUES ('o', 'owner', 't')",
					&f->err),
			 MRM_OK);
	/* Duplicate key. */
	assert_int_equal(mrm_store_prepare(f->st, "INSERT INTO users (name, roles, created_at) VALUES ('o', 'x', 't')",
					   &s, &f->err),
			 MRM_OK);
	assert_int_equal(mrm_stmt_step(s, &f->err), MRM_EINPUT);
	assert_non_null(strstr(f->err.msg, "UNIQUE constraint failed: users.name"));
	mrm_stmt_free(s);
	mrm_error_clear(&f->err);
	/* Foreign key (foreign keys are on). */
	assert_int_equal(mrm_store_prepare(f->st,
					   "INSERT INTO models (id, name, owner, purpose, type, status, created_at, updated_at) "
					   "VALUES ('m', 'M', 'nobody', 'p', 'other', 'development', 't', 't')",
					   &s, &f->err),
			 MRM_OK);
	assert_int_equal(mrm_stmt_step(s, &f->err), MRM_EINPUT);
	assert_non_null(strstr(f->err.msg, "FOREIGN KEY constraint failed"));
	mrm_stmt_free(s);
	mrm_error_clear(&f->err);
	/* CHECK (an enum the schema knows). */
	assert_int_equal(mrm_store_exec(f->st,
					"INSERT INTO models (id, name, owner, purpose, type, status, created_at, updated_at) "
					"VALUES ('m', 'M', 'o', 'p', 'quantum', 'development', 't', 't')",
					&f->err),
			 MRM_EINPUT);
	assert_non_null(strstr(f->err.msg, "CHECK constraint failed"));
	assert_int_equal(count(f->st, "SELECT count(*) FROM models"), 0);
	/* Bad SQL is a store error, not bad input. */
	mrm_error_clear(&f->err);
	assert_int_equal(mrm_store_prepare(f->st, "SELEKT 1", &s, &f->err), MRM_ESTORE);
	assert_null(s);
}

static void a_held_write_lock_gives_locked_after_the_timeout(void **state)
{
	struct fx *f = *state;
	struct mrm_store *other = NULL;
	struct mrm_error err2 = { 0 };

	make_store(f);
	setenv("MRM_BUSY_TIMEOUT_MS", "50", 1);
	assert_int_equal(mrm_store_open(f->db, MRM_STORE_EXISTING, &other, &err2), MRM_OK);
	assert_int_equal(mrm_store_begin(f->st, &f->err), MRM_OK);
	assert_int_equal(mrm_store_exec(f->st, "INSERT INTO mrm_meta (key, value) VALUES ('a', '1')", &f->err), MRM_OK);
	/* Readers still read (WAL) and see the last commit... */
	assert_int_equal(count(other, "SELECT count(*) FROM mrm_meta"), 0);
	/* ...but a second writer waits, then gives up with "locked". */
	assert_int_equal(mrm_store_begin(other, &err2), MRM_ESTORE);
	assert_non_null(strstr(err2.msg, "store is locked by another process (waited 50 ms); nothing was changed"));
	unsetenv("MRM_BUSY_TIMEOUT_MS");
	assert_false(mrm_store_in_transaction(other));
	assert_int_equal(mrm_store_commit(f->st, &f->err), MRM_OK);
	mrm_error_clear(&err2);
	assert_int_equal(mrm_store_begin(other, &err2), MRM_OK);
	assert_int_equal(count(other, "SELECT count(*) FROM mrm_meta"), 1);
	mrm_store_rollback(other);
	mrm_store_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(missing_store_is_refused_and_not_created, setup, teardown),
		cmocka_unit_test_setup_teardown(creates_migrates_and_reopens, setup, teardown),
		cmocka_unit_test_setup_teardown(postgres_location_is_not_built_in, setup, teardown),
		cmocka_unit_test_setup_teardown(random_bytes_are_not_a_store, setup, teardown),
		cmocka_unit_test_setup_teardown(another_applications_database_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(newer_store_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(older_store_asks_for_init_which_upgrades, setup, teardown),
		cmocka_unit_test_setup_teardown(rollback_leaves_nothing_and_commit_persists, setup, teardown),
		cmocka_unit_test_setup_teardown(closing_rolls_back_an_open_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(binds_parameters_verbatim, setup, teardown),
		cmocka_unit_test_setup_teardown(reports_column_kinds_from_declared_types, setup, teardown),
		cmocka_unit_test_setup_teardown(constraint_violations_are_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(a_held_write_lock_gives_locked_after_the_timeout, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
