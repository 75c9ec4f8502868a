/*
 * What a store backend implements. store.c dispatches every mrm_store_* and
 * mrm_stmt_* call through one of these tables; adding PostgreSQL means
 * writing store-postgres.c with its own table and its own migrations.
 */
#ifndef MRM_STORE_BACKEND_H
#define MRM_STORE_BACKEND_H

#include "store/store.h"

struct mrm__migration {
	int version;
	const char *name;
	const char *sql;
};

struct mrm__store_ops {
	const char *name;
	int (*open)(struct mrm_store *st, const char *location,
		    enum mrm_store_mode mode, struct mrm_error *err);
	void (*close)(struct mrm_store *st);
	int (*schema_version)(struct mrm_store *st, int *version,
			      struct mrm_error *err);
	int (*migrate)(struct mrm_store *st, int *from, int *to,
		       struct mrm_error *err);
	int (*begin)(struct mrm_store *st, struct mrm_error *err);
	int (*commit)(struct mrm_store *st, struct mrm_error *err);
	void (*rollback)(struct mrm_store *st);
	int (*exec)(struct mrm_store *st, const char *sql, struct mrm_error *err);
	int (*prepare)(struct mrm_store *st, const char *sql,
		       struct mrm_stmt *s, struct mrm_error *err);
	int (*bind_text)(struct mrm_stmt *s, int i, const char *v);
	int (*bind_int)(struct mrm_stmt *s, int i, int64_t v);
	int (*bind_real)(struct mrm_stmt *s, int i, double v);
	int (*bind_null)(struct mrm_stmt *s, int i);
	int (*step)(struct mrm_stmt *s, struct mrm_error *err);
	void (*reset)(struct mrm_stmt *s);
	int (*columns)(struct mrm_stmt *s);
	const char *(*col_name)(struct mrm_stmt *s, int i);
	enum mrm_col_kind (*col_kind)(struct mrm_stmt *s, int i);
	const char *(*col_text)(struct mrm_stmt *s, int i);
	int64_t (*col_int)(struct mrm_stmt *s, int i);
	double (*col_real)(struct mrm_stmt *s, int i);
	void (*finalize)(struct mrm_stmt *s);
	int64_t (*changes)(struct mrm_store *st);
};

struct mrm_store {
	const struct mrm__store_ops *ops;
	char *location;
	bool in_tx;
	void *impl;
};

struct mrm_stmt {
	struct mrm_store *st;
	void *impl;
};

extern const struct mrm__store_ops mrm__sqlite_ops;
extern const struct mrm__migration mrm__sqlite_migrations[];
extern const int mrm__sqlite_migration_count;

#endif
