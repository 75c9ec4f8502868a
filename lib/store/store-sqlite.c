/*
 * The SQLite backend: one database file in WAL mode with foreign keys on,
 * a busy timeout for concurrent writers, and the schema version kept in
 * PRAGMA user_version (PRAGMA application_id marks the file as mrm's).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "store/backend.h"

/* "mrm1" in ASCII: marks a SQLite file as an mrm store. */
#define MRM_APPLICATION_ID 0x6d726d31

#define DB(st) ((sqlite3 *)(st)->impl)
/* A prepared statement and the declared kind of each result column. */
struct sq_stmt {
	sqlite3_stmt *ps;
	int ncols;
	unsigned char decl[]; /* 1 BOOLEAN, 2 JSON, 0 other */
};
#define SQ(s) ((struct sq_stmt *)(s)->impl)
#define STMT(s) (SQ(s)->ps)

static int busy_timeout_ms(void)
{
	const char *e = getenv("MRM_BUSY_TIMEOUT_MS");
	long v = e && *e ? strtol(e, NULL, 10) : 10000;
	return v < 0 ? 0 : v > 600000 ? 600000 : (int)v;
}

/* Maps a SQLite result code to an mrm error with a message naming the store. */
static int fail(struct mrm_store *st, int rc, const char *doing,
		struct mrm_error *err)
{
	const char *loc = st->location;
	const char *msg = DB(st) ? sqlite3_errmsg(DB(st)) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return mrm_error_set(err, MRM_ESTORE,
				     "%s: store is locked by another process (waited %d ms); nothing was changed",
				     loc, busy_timeout_ms());
	case SQLITE_FULL:
		return mrm_error_set(err, MRM_ESTORE,
				     "%s: disk full while %s; nothing was changed", loc, doing);
	case SQLITE_NOTADB:
		return mrm_error_set(err, MRM_ESTORE, "%s is not an mrm store (not a database)", loc);
	case SQLITE_CORRUPT:
		return mrm_error_set(err, MRM_ESTORE, "%s: store is corrupt (%s)", loc, msg);
	case SQLITE_READONLY:
		return mrm_error_set(err, MRM_ESTORE, "%s: store is read-only (%s)", loc, msg);
	case SQLITE_CONSTRAINT:
		return mrm_error_set(err, MRM_EINPUT, "%s: %s", doing, msg);
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		return mrm_error_set(err, MRM_ESTORE, "%s: I/O error while %s (%s); nothing was changed",
				     loc, doing, msg);
	default:
		return mrm_error_set(err, MRM_ESTORE, "%s: %s failed: %s", loc, doing, msg);
	}
}

static int pragma_int(struct mrm_store *st, const char *sql, int *out,
		      struct mrm_error *err)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(DB(st), sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fail(st, rc, "reading the store header", err);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return fail(st, rc, "reading the store header", err);
	}
	*out = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return MRM_OK;
}

static int sq_exec(struct mrm_store *st, const char *sql, struct mrm_error *err)
{
	int rc = sqlite3_exec(DB(st), sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? MRM_OK : fail(st, rc, "running SQL", err);
}

static int sq_open(struct mrm_store *st, const char *location,
		   enum mrm_store_mode mode, struct mrm_error *err)
{
	sqlite3 *db = NULL;
	struct stat sb;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int rc, app = 0, tables = 0;

	if (mode == MRM_STORE_EXISTING && stat(location, &sb) != 0)
		return mrm_error_set(err, MRM_ESTORE,
				     "no store at %s (run 'mrm init', or set --db / MRM_DB)", location);
	if (mode == MRM_STORE_CREATE)
		flags |= SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(location, &db, flags, NULL);
	if (rc != SQLITE_OK) {
		int e = errno;
		mrm_error_set(err, MRM_ESTORE, "%s: cannot open store: %s", location,
			      db ? sqlite3_errmsg(db) : strerror(e));
		sqlite3_close(db);
		return MRM_ESTORE;
	}
	st->impl = db;
	sqlite3_extended_result_codes(db, 0);
	sqlite3_busy_timeout(db, busy_timeout_ms());
	if ((rc = pragma_int(st, "PRAGMA application_id", &app, err)))
		return rc;
	if ((rc = pragma_int(st, "SELECT count(*) FROM sqlite_master", &tables, err)))
		return rc;
	if (app != MRM_APPLICATION_ID && (tables > 0 || mode == MRM_STORE_EXISTING))
		return mrm_error_set(err, MRM_ESTORE,
				     "%s is not an mrm store (a SQLite database of another application)",
				     location);
	if ((rc = sq_exec(st, "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL", err)))
		return rc;
	/* WAL lets readers run beside the one writer; it persists in the file. */
	if (mode == MRM_STORE_CREATE && (rc = sq_exec(st, "PRAGMA journal_mode=WAL", err)))
		return rc;
	return MRM_OK;
}

static void sq_close(struct mrm_store *st)
{
	sqlite3_close(DB(st));
	st->impl = NULL;
}

static int sq_schema_version(struct mrm_store *st, int *version,
			     struct mrm_error *err)
{
	int rc = pragma_int(st, "PRAGMA user_version", version, err);
	if (rc == MRM_OK && *version > mrm_store_schema_version())
		return mrm_error_set(err, MRM_ESTORE,
				     "%s: store schema version %d is newer than this mrm supports (%d); upgrade mrm",
				     st->location, *version, mrm_store_schema_version());
	return rc;
}

static int sq_begin(struct mrm_store *st, struct mrm_error *err)
{
	int rc = sqlite3_exec(DB(st), "BEGIN IMMEDIATE", NULL, NULL, NULL);
	return rc == SQLITE_OK ? MRM_OK : fail(st, rc, "starting a transaction", err);
}

static int sq_commit(struct mrm_store *st, struct mrm_error *err)
{
	int rc = sqlite3_exec(DB(st), "COMMIT", NULL, NULL, NULL);
	return rc == SQLITE_OK ? MRM_OK : fail(st, rc, "committing", err);
}

static void sq_rollback(struct mrm_store *st)
{
	if (!sqlite3_get_autocommit(DB(st)))
		sqlite3_exec(DB(st), "ROLLBACK", NULL, NULL, NULL);
}

static int sq_migrate(struct mrm_store *st, int *from, int *to,
		      struct mrm_error *err)
{
	int v = 0, rc;
	char sql[128];

	if ((rc = sq_begin(st, err)))
		return rc;
	if ((rc = sq_schema_version(st, &v, err)))
		goto out;
	if (from)
		*from = v;
	for (int i = 0; i < mrm__sqlite_migration_count; i++) {
		const struct mrm__migration *m = &mrm__sqlite_migrations[i];
		if (m->version <= v)
			continue;
		if ((rc = sqlite3_exec(DB(st), m->sql, NULL, NULL, NULL)) != SQLITE_OK) {
			char what[160];
			snprintf(what, sizeof(what), "applying migration %04d-%s", m->version, m->name);
			rc = fail(st, rc, what, err);
			goto out;
		}
		v = m->version;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d; PRAGMA application_id=%d", v,
		 MRM_APPLICATION_ID);
	if ((rc = sq_exec(st, sql, err)))
		goto out;
	rc = sq_commit(st, err);
	if (rc == MRM_OK && to)
		*to = v;
	return rc;
out:
	sq_rollback(st);
	return rc;
}

static int sq_prepare(struct mrm_store *st, const char *sql, struct mrm_stmt *s,
		      struct mrm_error *err)
{
	sqlite3_stmt *ps = NULL;
	struct sq_stmt *q;
	int rc = sqlite3_prepare_v2(DB(st), sql, -1, &ps, NULL), n;
	if (rc != SQLITE_OK)
		return fail(st, rc, "preparing a query", err);
	n = sqlite3_column_count(ps);
	if (!(q = malloc(sizeof(*q) + (size_t)n + 1))) {
		sqlite3_finalize(ps);
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	}
	q->ps = ps;
	q->ncols = n;
	/* Declared types are known after prepare: look them up once, not per cell. */
	for (int i = 0; i < n; i++) {
		const char *d = sqlite3_column_decltype(ps, i);
		q->decl[i] = d && !strcmp(d, "BOOLEAN") ? 1 : d && !strcmp(d, "JSON") ? 2 : 0;
	}
	s->impl = q;
	return MRM_OK;
}

static int sq_bind_text(struct mrm_stmt *s, int i, const char *v)
{
	return sqlite3_bind_text(STMT(s), i, v, -1, SQLITE_TRANSIENT) == SQLITE_OK ? MRM_OK : MRM_ESTORE;
}
static int sq_bind_int(struct mrm_stmt *s, int i, int64_t v)
{
	return sqlite3_bind_int64(STMT(s), i, v) == SQLITE_OK ? MRM_OK : MRM_ESTORE;
}
static int sq_bind_real(struct mrm_stmt *s, int i, double v)
{
	return sqlite3_bind_double(STMT(s), i, v) == SQLITE_OK ? MRM_OK : MRM_ESTORE;
}
static int sq_bind_null(struct mrm_stmt *s, int i)
{
	return sqlite3_bind_null(STMT(s), i) == SQLITE_OK ? MRM_OK : MRM_ESTORE;
}

static int sq_step(struct mrm_stmt *s, struct mrm_error *err)
{
	int rc = sqlite3_step(STMT(s));
	if (rc == SQLITE_ROW)
		return MRM_ROW;
	if (rc == SQLITE_DONE)
		return MRM_OK;
	rc = sqlite3_reset(STMT(s)); /* the specific code for legacy interfaces */
	return fail(s->st, rc, "writing to the store", err);
}

static void sq_reset(struct mrm_stmt *s)
{
	sqlite3_reset(STMT(s));
	sqlite3_clear_bindings(STMT(s));
}

static int sq_columns(struct mrm_stmt *s) { return sqlite3_column_count(STMT(s)); }
static const char *sq_col_name(struct mrm_stmt *s, int i) { return sqlite3_column_name(STMT(s), i); }

static enum mrm_col_kind sq_col_kind(struct mrm_stmt *s, int i)
{
	int decl = i >= 0 && i < SQ(s)->ncols ? SQ(s)->decl[i] : 0;
	switch (sqlite3_column_type(STMT(s), i)) {
	case SQLITE_NULL: return MRM_COL_NULL;
	case SQLITE_FLOAT: return MRM_COL_REAL;
	case SQLITE_INTEGER: return decl == 1 ? MRM_COL_BOOL : MRM_COL_INT;
	default: return decl == 2 ? MRM_COL_JSON : MRM_COL_TEXT;
	}
}

static const char *sq_col_text(struct mrm_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(STMT(s), i);
}
static int64_t sq_col_int(struct mrm_stmt *s, int i) { return sqlite3_column_int64(STMT(s), i); }
static double sq_col_real(struct mrm_stmt *s, int i) { return sqlite3_column_double(STMT(s), i); }
static void sq_finalize(struct mrm_stmt *s)
{
	sqlite3_finalize(STMT(s));
	free(SQ(s));
}
static int64_t sq_changes(struct mrm_store *st) { return sqlite3_changes64(DB(st)); }

const struct mrm__store_ops mrm__sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.schema_version = sq_schema_version,
	.migrate = sq_migrate,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.bind_text = sq_bind_text,
	.bind_int = sq_bind_int,
	.bind_real = sq_bind_real,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.reset = sq_reset,
	.columns = sq_columns,
	.col_name = sq_col_name,
	.col_kind = sq_col_kind,
	.col_text = sq_col_text,
	.col_int = sq_col_int,
	.col_real = sq_col_real,
	.finalize = sq_finalize,
	.changes = sq_changes,
};
