/*
 * The store interface: the only way lib/core/ reaches persistent state.
 *
 * A store is a relational database reached through a small statement API
 * (prepare, bind, step, read columns). lib/core/ writes its queries in a
 * portable subset of SQL so that a second backend needs no change in
 * lib/core/:
 *   - `?` placeholders (a backend rewrites them to its own syntax, e.g.
 *     PostgreSQL's $1, $2 ...);
 *   - TEXT, INTEGER, REAL, BOOLEAN and JSON column types; times as ISO 8601
 *     text; no backend-specific functions; INSERT ... RETURNING for new ids;
 *   - one write transaction at a time per store handle (mrm_store_begin).
 * The schema itself is backend-specific and lives in
 * lib/store/migrations/<backend>/NNNN-name.sql, applied in order by
 * mrm_store_migrate().
 *
 * Backends: SQLite (a file path, the default). A location starting with
 * "postgres://" or "postgresql://" is reserved for the PostgreSQL backend.
 */
#ifndef MRM_STORE_H
#define MRM_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "mrm/error.h"

struct mrm_store;
struct mrm_stmt;

/* How a column's value should be read, from its declared type. */
enum mrm_col_kind {
	MRM_COL_NULL,
	MRM_COL_INT,
	MRM_COL_REAL,
	MRM_COL_TEXT,
	MRM_COL_BOOL, /* declared BOOLEAN; stored 0/1 */
	MRM_COL_JSON, /* declared JSON; text holding a JSON document */
};

enum mrm_store_mode {
	MRM_STORE_EXISTING = 0, /* open a store that must exist and be current */
	MRM_STORE_CREATE = 1,   /* create the file if needed; caller migrates */
};

/*
 * Opens the store at `location`. With MRM_STORE_EXISTING the store must
 * exist, be an mrm store and have the schema version of this binary
 * (older: "run mrm init to upgrade"; newer: "upgrade mrm"), all MRM_ESTORE.
 * The handle is freed with mrm_store_free().
 */
int mrm_store_open(const char *location, enum mrm_store_mode mode,
		   struct mrm_store **out, struct mrm_error *err);

/* Closes the store; NULL is a no-op. Rolls back an unfinished transaction. */
void mrm_store_free(struct mrm_store *st);

/* The location the store was opened with (for messages). */
const char *mrm_store_location(const struct mrm_store *st);

/* The backend's name, e.g. "sqlite". */
const char *mrm_store_backend(const struct mrm_store *st);

/*
 * Creates the schema or upgrades it to the latest version, in one
 * transaction. `from` and `to` (may be NULL) receive the versions.
 * Fails with MRM_ESTORE if the store is newer than this binary or is not an
 * mrm store.
 */
int mrm_store_migrate(struct mrm_store *st, int *from, int *to,
		      struct mrm_error *err);

/* The schema version this binary writes. */
int mrm_store_schema_version(void);

/*
 * Starts a write transaction that holds the write lock from the start (so
 * concurrent writers queue on the busy timeout instead of failing late).
 * Transactions do not nest.
 */
int mrm_store_begin(struct mrm_store *st, struct mrm_error *err);
int mrm_store_commit(struct mrm_store *st, struct mrm_error *err);
/* Rolls back the open transaction, if any. Never fails. */
void mrm_store_rollback(struct mrm_store *st);
bool mrm_store_in_transaction(const struct mrm_store *st);

/* Runs SQL without parameters or results (several statements allowed). */
int mrm_store_exec(struct mrm_store *st, const char *sql, struct mrm_error *err);

/* Prepares one statement; free it with mrm_stmt_free(). */
int mrm_store_prepare(struct mrm_store *st, const char *sql,
		      struct mrm_stmt **out, struct mrm_error *err);

/* Binds parameter `i` (1-based). A NULL text binds SQL NULL. */
int mrm_stmt_bind_text(struct mrm_stmt *s, int i, const char *v);
int mrm_stmt_bind_int(struct mrm_stmt *s, int i, int64_t v);
int mrm_stmt_bind_real(struct mrm_stmt *s, int i, double v);
int mrm_stmt_bind_bool(struct mrm_stmt *s, int i, bool v);
int mrm_stmt_bind_null(struct mrm_stmt *s, int i);

/*
 * Advances: returns MRM_ROW when a row is ready, MRM_OK when done, or an
 * error code (MRM_ESTORE, or MRM_EINPUT for a constraint violation) with
 * the message in `err`.
 */
int mrm_stmt_step(struct mrm_stmt *s, struct mrm_error *err);

/* Resets the statement for re-execution, keeping bindings cleared. */
void mrm_stmt_reset(struct mrm_stmt *s);

int mrm_stmt_columns(struct mrm_stmt *s);
const char *mrm_stmt_col_name(struct mrm_stmt *s, int i);
/* The kind to read column `i` as in the current row (MRM_COL_NULL if null). */
enum mrm_col_kind mrm_stmt_col_kind(struct mrm_stmt *s, int i);
/* Text of column `i`, or NULL; valid until the next step/reset/free. */
const char *mrm_stmt_col_text(struct mrm_stmt *s, int i);
int64_t mrm_stmt_col_int(struct mrm_stmt *s, int i);
double mrm_stmt_col_real(struct mrm_stmt *s, int i);
bool mrm_stmt_col_is_null(struct mrm_stmt *s, int i);

void mrm_stmt_free(struct mrm_stmt *s);

/* Rows changed by the last INSERT/UPDATE/DELETE on this store. */
int64_t mrm_store_changes(struct mrm_store *st);

#endif
