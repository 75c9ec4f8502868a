/* Parameterised queries that return JSON rows, and transactions. */
#include <string.h>

#include "core/core.h"

int mrm__bind(struct mrm_stmt *s, const struct mrm__param *p, int n)
{
	for (int i = 0; i < n; i++) {
		int rc;
		switch (p[i].kind) {
		case MRM__P_TEXT: rc = mrm_stmt_bind_text(s, i + 1, p[i].s); break;
		case MRM__P_INT: rc = mrm_stmt_bind_int(s, i + 1, p[i].i); break;
		case MRM__P_REAL: rc = mrm_stmt_bind_real(s, i + 1, p[i].d); break;
		default: rc = mrm_stmt_bind_null(s, i + 1); break;
		}
		if (rc)
			return rc;
	}
	return MRM_OK;
}

static int prepare(struct mrm_ctx *ctx, const char *sql,
		   const struct mrm__param *p, int n, struct mrm_stmt **s,
		   struct mrm_error *err)
{
	int rc = mrm_store_prepare(ctx->store, sql, s, err);
	if (rc)
		return rc;
	if (mrm__bind(*s, p, n)) {
		mrm_stmt_free(*s);
		*s = NULL;
		return mrm_error_set(err, MRM_ESTORE, "internal: cannot bind query parameters");
	}
	return MRM_OK;
}

json_t *mrm__row_json(struct mrm_stmt *s)
{
	json_t *o = json_object();
	int n = mrm_stmt_columns(s);

	for (int i = 0; i < n; i++) {
		const char *name = mrm_stmt_col_name(s, i);
		json_t *v;
		switch (mrm_stmt_col_kind(s, i)) {
		case MRM_COL_INT: v = json_integer(mrm_stmt_col_int(s, i)); break;
		case MRM_COL_REAL: v = json_real(mrm_stmt_col_real(s, i)); break;
		case MRM_COL_BOOL: v = json_boolean(mrm_stmt_col_int(s, i) != 0); break;
		case MRM_COL_JSON: {
			const char *t = mrm_stmt_col_text(s, i);
			v = json_loads(t, JSON_DECODE_ANY, NULL);
			if (!v)
				v = json_string(t);
			break;
		}
		case MRM_COL_TEXT: v = json_string(mrm_stmt_col_text(s, i)); break;
		default: v = json_null(); break;
		}
		/* invalid UTF-8 (only possible behind mrm's back) is kept visible */
		if (!v)
			v = json_string("\xef\xbf\xbd");
		json_object_set_new(o, name, v);
	}
	return o;
}

int mrm__exec(struct mrm_ctx *ctx, const char *sql, const struct mrm__param *p,
	      int n, struct mrm_error *err)
{
	struct mrm_stmt *s;
	int rc = prepare(ctx, sql, p, n, &s, err);
	if (rc)
		return rc;
	while ((rc = mrm_stmt_step(s, err)) == MRM_ROW)
		;
	mrm_stmt_free(s);
	return rc;
}

int mrm__rows(struct mrm_ctx *ctx, const char *sql, const struct mrm__param *p,
	      int n, json_t **out, struct mrm_error *err)
{
	struct mrm_stmt *s;
	json_t *a;
	int rc = prepare(ctx, sql, p, n, &s, err);

	*out = NULL;
	if (rc)
		return rc;
	a = json_array();
	while ((rc = mrm_stmt_step(s, err)) == MRM_ROW)
		json_array_append_new(a, mrm__row_json(s));
	mrm_stmt_free(s);
	if (rc) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return MRM_OK;
}

int mrm__row(struct mrm_ctx *ctx, const char *sql, const struct mrm__param *p,
	     int n, json_t **out, struct mrm_error *err)
{
	struct mrm_stmt *s;
	int rc = prepare(ctx, sql, p, n, &s, err);

	*out = NULL;
	if (rc)
		return rc;
	rc = mrm_stmt_step(s, err);
	if (rc == MRM_ROW) {
		*out = mrm__row_json(s);
		rc = MRM_OK;
	}
	mrm_stmt_free(s);
	return rc;
}

int mrm__int(struct mrm_ctx *ctx, const char *sql, const struct mrm__param *p,
	     int n, int64_t *out, struct mrm_error *err)
{
	struct mrm_stmt *s;
	int rc = prepare(ctx, sql, p, n, &s, err);

	*out = 0;
	if (rc)
		return rc;
	rc = mrm_stmt_step(s, err);
	if (rc == MRM_ROW) {
		*out = mrm_stmt_col_int(s, 0);
		rc = MRM_OK;
	}
	mrm_stmt_free(s);
	return rc;
}

int mrm__begin(struct mrm_ctx *ctx, struct mrm_error *err)
{
	return mrm_store_begin(ctx->store, err);
}

int mrm__commit(struct mrm_ctx *ctx, struct mrm_error *err)
{
	return mrm_store_commit(ctx->store, err);
}

void mrm__rollback(struct mrm_ctx *ctx)
{
	mrm_store_rollback(ctx->store);
}
