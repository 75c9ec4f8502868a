/* The store front: picks a backend by location and dispatches to it. */
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"

int mrm_store_schema_version(void)
{
	return mrm__sqlite_migrations[mrm__sqlite_migration_count - 1].version;
}

int mrm_store_open(const char *location, enum mrm_store_mode mode,
		   struct mrm_store **out, struct mrm_error *err)
{
	struct mrm_store *st;
	int rc;

	*out = NULL;
	if (!strncmp(location, "postgres://", 11) ||
	    !strncmp(location, "postgresql://", 13))
		return mrm_error_set(err, MRM_ESTORE,
				     "%s: the PostgreSQL backend is not built in this mrm",
				     location);
	st = calloc(1, sizeof(*st));
	if (!st || !(st->location = strdup(location))) {
		free(st);
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	}
	st->ops = &mrm__sqlite_ops;
	rc = st->ops->open(st, location, mode, err);
	if (rc == MRM_OK && mode == MRM_STORE_EXISTING) {
		int v = 0;
		rc = st->ops->schema_version(st, &v, err);
		if (rc == MRM_OK && v < mrm_store_schema_version())
			rc = mrm_error_set(err, MRM_ESTORE,
					   "%s: store schema version %d is older than this mrm's (%d); run 'mrm init' to upgrade it",
					   location, v, mrm_store_schema_version());
	}
	if (rc) {
		mrm_store_free(st);
		return rc;
	}
	*out = st;
	return MRM_OK;
}

void mrm_store_free(struct mrm_store *st)
{
	if (!st)
		return;
	if (st->impl) {
		if (st->in_tx)
			st->ops->rollback(st);
		st->ops->close(st);
	}
	free(st->location);
	free(st);
}

const char *mrm_store_location(const struct mrm_store *st) { return st->location; }
const char *mrm_store_backend(const struct mrm_store *st) { return st->ops->name; }

int mrm_store_migrate(struct mrm_store *st, int *from, int *to,
		      struct mrm_error *err)
{
	return st->ops->migrate(st, from, to, err);
}

int mrm_store_begin(struct mrm_store *st, struct mrm_error *err)
{
	int rc;
	if (st->in_tx)
		return mrm_error_set(err, MRM_ESTORE, "internal: nested transaction");
	rc = st->ops->begin(st, err);
	if (rc == MRM_OK)
		st->in_tx = true;
	return rc;
}

int mrm_store_commit(struct mrm_store *st, struct mrm_error *err)
{
	int rc = st->ops->commit(st, err);
	if (rc != MRM_OK)
		st->ops->rollback(st);
	st->in_tx = false;
	return rc;
}

void mrm_store_rollback(struct mrm_store *st)
{
	if (st->in_tx)
		st->ops->rollback(st);
	st->in_tx = false;
}

bool mrm_store_in_transaction(const struct mrm_store *st) { return st->in_tx; }

int mrm_store_exec(struct mrm_store *st, const char *sql, struct mrm_error *err)
{
	return st->ops->exec(st, sql, err);
}

int mrm_store_prepare(struct mrm_store *st, const char *sql,
		      struct mrm_stmt **out, struct mrm_error *err)
{
	struct mrm_stmt *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	s->st = st;
	rc = st->ops->prepare(st, sql, s, err);
	if (rc) {
		free(s);
		return rc;
	}
	*out = s;
	return MRM_OK;
}

int mrm_stmt_bind_text(struct mrm_stmt *s, int i, const char *v)
{
	return v ? s->st->ops->bind_text(s, i, v) : s->st->ops->bind_null(s, i);
}
int mrm_stmt_bind_int(struct mrm_stmt *s, int i, int64_t v) { return s->st->ops->bind_int(s, i, v); }
int mrm_stmt_bind_real(struct mrm_stmt *s, int i, double v) { return s->st->ops->bind_real(s, i, v); }
int mrm_stmt_bind_bool(struct mrm_stmt *s, int i, bool v) { return s->st->ops->bind_int(s, i, v ? 1 : 0); }
int mrm_stmt_bind_null(struct mrm_stmt *s, int i) { return s->st->ops->bind_null(s, i); }
int mrm_stmt_step(struct mrm_stmt *s, struct mrm_error *err) { return s->st->ops->step(s, err); }
void mrm_stmt_reset(struct mrm_stmt *s) { s->st->ops->reset(s); }
int mrm_stmt_columns(struct mrm_stmt *s) { return s->st->ops->columns(s); }
const char *mrm_stmt_col_name(struct mrm_stmt *s, int i) { return s->st->ops->col_name(s, i); }
enum mrm_col_kind mrm_stmt_col_kind(struct mrm_stmt *s, int i) { return s->st->ops->col_kind(s, i); }
const char *mrm_stmt_col_text(struct mrm_stmt *s, int i) { return s->st->ops->col_text(s, i); }
int64_t mrm_stmt_col_int(struct mrm_stmt *s, int i) { return s->st->ops->col_int(s, i); }
double mrm_stmt_col_real(struct mrm_stmt *s, int i) { return s->st->ops->col_real(s, i); }
bool mrm_stmt_col_is_null(struct mrm_stmt *s, int i) { return s->st->ops->col_kind(s, i) == MRM_COL_NULL; }
int64_t mrm_store_changes(struct mrm_store *st) { return st->ops->changes(st); }

void mrm_stmt_free(struct mrm_stmt *s)
{
	if (!s)
		return;
	s->st->ops->finalize(s);
	free(s);
}
