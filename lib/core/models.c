/* The model inventory: registering, updating, listing and showing models. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "mrm/model.h"

const char *const mrm_model_types[] = { "classification", "regression", "ranking",
					"llm", "agent", "other", NULL };
const char *const mrm_model_statuses[] = { "development", "validation", "production",
					   "retired", NULL };

/* The columns a caller may set, in table order. */
static const struct mrm__field model_spec[] = {
	{ "id", MRM__F_ID, NULL, true },
	{ "name", MRM__F_TEXT, NULL, true },
	{ "owner", MRM__F_TEXT, NULL, true },
	{ "team", MRM__F_TEXT, NULL, false },
	{ "purpose", MRM__F_TEXT, NULL, true },
	{ "intended_use", MRM__F_TEXT, NULL, false },
	{ "out_of_scope_use", MRM__F_TEXT, NULL, false },
	{ "population", MRM__F_TEXT, NULL, false },
	{ "type", MRM__F_ENUM, mrm_model_types, false },
	{ "genai", MRM__F_BOOL, NULL, false },
	{ "vendor", MRM__F_TEXT, NULL, false },
	{ "data_sources", MRM__F_TEXT_LIST, NULL, false },
	{ "status", MRM__F_ENUM, mrm_model_statuses, false },
	{ "deployment", MRM__F_TEXT, NULL, false },
	{ "next_review_due", MRM__F_DATE, NULL, false },
	{ NULL, 0, NULL, false },
};

int mrm__model_get(struct mrm_ctx *ctx, const char *id, json_t **out,
		   struct mrm_error *err)
{
	int rc = mrm__row(ctx, "SELECT * FROM models WHERE id = ?", PARAMS(PT(id)), out, err);
	if (rc)
		return rc;
	if (!*out)
		return mrm_error_set(err, MRM_ENOTFOUND, "no model '%s' (see 'mrm model list')",
				     id ? id : "");
	return MRM_OK;
}

/* Binds a field of `in` as text, a JSON document, a 0/1 flag, or NULL. */
static struct mrm__param field_param(json_t *in, const char *key, char **tmp)
{
	json_t *v = json_object_get(in, key);
	if (json_is_string(v))
		return PT(json_string_value(v));
	if (json_is_boolean(v))
		return PI(json_is_true(v));
	if (json_is_array(v) || json_is_object(v)) {
		*tmp = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
		return PT(*tmp);
	}
	return PN;
}

int mrm_model_add(struct mrm_ctx *ctx, json_t *fields, json_t **out,
		  struct mrm_error *err)
{
	json_t *in = json_deep_copy(fields), *existing = NULL;
	const char *id, *type;
	char *ds = NULL;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = mrm__fields_check(in, model_spec, err)))
		goto out;
	if ((rc = mrm__require_role(ctx, (const char *const[]){ "owner", "validator", "admin", NULL },
				    "register models", err)))
		goto out;
	id = mrm__str(in, "id");
	if ((rc = mrm__require_known_user(ctx, mrm__str(in, "owner"), "owner", err)))
		goto out;
	type = mrm__str(in, "type") ? mrm__str(in, "type") : "other";
	if (!json_object_get(in, "genai"))
		json_object_set_new(in, "genai", json_boolean(!strcmp(type, "llm") || !strcmp(type, "agent")));
	if ((rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = mrm__row(ctx, "SELECT id FROM models WHERE id = ?", PARAMS(PT(id)), &existing, err)))
		goto fail;
	if (existing) {
		rc = mrm_error_set(err, MRM_EINPUT, "model '%s' already exists", id);
		goto fail;
	}
	rc = mrm__exec(ctx,
		       "INSERT INTO models (id, name, owner, team, purpose, intended_use, out_of_scope_use, "
		       "population, type, genai, vendor, data_sources, status, deployment, next_review_due, "
		       "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       PARAMS(PT(id), PT(mrm__str(in, "name")), PT(mrm__str(in, "owner")),
			      PT(mrm__str(in, "team")), PT(mrm__str(in, "purpose")),
			      PT(mrm__str(in, "intended_use")), PT(mrm__str(in, "out_of_scope_use")),
			      PT(mrm__str(in, "population")), PT(type),
			      PI(json_is_true(json_object_get(in, "genai"))), PT(mrm__str(in, "vendor")),
			      field_param(in, "data_sources", &ds).kind == MRM__P_NULL ? PT("[]") : PT(ds),
			      PT(mrm__str(in, "status") ? mrm__str(in, "status") : "development"),
			      PT(mrm__str(in, "deployment")), PT(mrm__str(in, "next_review_due")),
			      PT(ctx->now_iso), PT(ctx->now_iso)),
		       err);
	if (rc || (rc = mrm__audit(ctx, "model.add", "model", id, id, NULL, err)) ||
	    (rc = mrm__commit(ctx, err)))
		goto fail;
	if (out)
		rc = mrm__model_get(ctx, id, out, err);
	goto out;
fail:
	mrm__rollback(ctx);
out:
	free(ds);
	json_decref(existing);
	json_decref(in);
	return rc;
}

static int may_edit_model(struct mrm_ctx *ctx, json_t *model, const char *doing,
			  struct mrm_error *err)
{
	int rc = mrm__require_user(ctx, err);
	if (rc)
		return rc;
	if (!strcmp(mrm__str(model, "owner"), ctx->actor))
		return MRM_OK;
	return mrm__require_role(ctx, (const char *const[]){ "validator", "admin", NULL }, doing, err);
}

int mrm_model_update(struct mrm_ctx *ctx, const char *id, json_t *fields,
		     json_t **out, struct mrm_error *err)
{
	json_t *in = json_deep_copy(fields), *before = NULL;
	const char *key;
	json_t *v;
	int rc, changed = 0;

	if (out)
		*out = NULL;
	if (!json_is_object(in) || json_object_size(in) == 0) {
		rc = mrm_error_set(err, MRM_EUSAGE, "nothing to update (give --FIELD VALUE)");
		goto out;
	}
	if (json_object_get(in, "id")) {
		rc = mrm_error_set(err, MRM_EINPUT, "field 'id' cannot change (register a new model)");
		goto out;
	}
	/* Check the given fields with the add spec, minus "required". */
	json_object_set_new(in, "id", json_string(id));
	for (const struct mrm__field *f = model_spec; f->name; f++)
		if (f->required && !json_object_get(in, f->name))
			json_object_set_new(in, f->name, json_string("-"));
	rc = mrm__fields_check(in, model_spec, err);
	json_decref(in);
	in = json_deep_copy(fields);
	if (rc)
		goto out;
	if ((rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = mrm__model_get(ctx, id, &before, err)) ||
	    (rc = may_edit_model(ctx, before, "update this model", err)))
		goto fail;
	/* normalise dates once more on the real object */
	for (const struct mrm__field *f = model_spec; f->name; f++) {
		if (f->type == MRM__F_DATE && json_is_string(json_object_get(in, f->name))) {
			int64_t t;
			char d[MRM_DATE_LEN];
			if (!mrm_date_parse(mrm__str(in, f->name), f->name, &t, NULL)) {
				mrm_date_format(t, d);
				json_object_set_new(in, f->name, json_string(d));
			}
		}
	}
	if (json_object_get(in, "owner") &&
	    (rc = mrm__require_known_user(ctx, mrm__str(in, "owner"), "owner", err)))
		goto fail;
	if (json_object_get(in, "status") && !strcmp(mrm__str(before, "status"), "retired") &&
	    strcmp(mrm__str(in, "status"), "retired")) {
		rc = mrm_error_set(err, MRM_EINPUT, "model '%s' is retired; its status cannot change", id);
		goto fail;
	}
	json_object_foreach(in, key, v) {
		char sql[160], *tmp = NULL;
		if (json_equal(v, json_object_get(before, key)))
			continue;
		/* `key` is one of model_spec's names (checked above), never user text. */
		snprintf(sql, sizeof(sql), "UPDATE models SET %s = ? WHERE id = ?", key);
		rc = mrm__exec(ctx, sql, PARAMS(field_param(in, key, &tmp), PT(id)), err);
		free(tmp);
		if (rc)
			goto fail;
		changed++;
	}
	if (!changed) {
		rc = mrm_error_set(err, MRM_EINPUT, "nothing changed: model '%s' already has these values", id);
		goto fail;
	}
	if ((rc = mrm__exec(ctx, "UPDATE models SET updated_at = ? WHERE id = ?",
			    PARAMS(PT(ctx->now_iso), PT(id)), err)) ||
	    (rc = mrm__audit(ctx, json_object_get(in, "status") ? "model.status" : "model.update",
			     "model", id, id, before, err)) ||
	    (rc = mrm__commit(ctx, err)))
		goto fail;
	if (out)
		rc = mrm__model_get(ctx, id, out, err);
	goto out;
fail:
	mrm__rollback(ctx);
out:
	json_decref(before);
	json_decref(in);
	return rc;
}

int mrm_model_list(struct mrm_ctx *ctx, const struct mrm_model_filter *f,
		   json_t **out, struct mrm_error *err)
{
	int rc;
	*out = NULL;
	if (f->status && (rc = mrm__check_enum(f->status, mrm_model_statuses, "status", err)))
		return rc;
	if (f->tier < 0 || f->tier > 3)
		return mrm_error_set(err, MRM_EINPUT, "invalid tier %d (expected 1, 2 or 3)", f->tier);
	return mrm__rows(ctx,
			 "SELECT m.id, m.name, m.owner, m.team, m.type, m.genai, m.status, m.tier, "
			 "m.current_version, m.review_status, m.next_review_due, "
			 "(SELECT count(*) FROM findings x WHERE x.model_id = m.id AND x.status <> 'closed') "
			 "AS open_findings FROM models m "
			 "WHERE (? = 0 OR m.tier = ?) AND (? IS NULL OR m.status = ?) AND (? IS NULL OR m.owner = ?) "
			 "ORDER BY m.id",
			 PARAMS(PI(f->tier), PI(f->tier), PT(f->status), PT(f->status), PT(f->owner),
				PT(f->owner)),
			 out, err);
}

/* Adds the rows of `sql` (bound to the model id) under `key`, presented as `type`. */
static int attach(struct mrm_ctx *ctx, json_t *m, const char *key, const char *type,
		  const char *sql, const char *id, struct mrm_error *err)
{
	json_t *rows, *r;
	size_t i;
	int rc = mrm__rows(ctx, sql, PARAMS(PT(id)), &rows, err);
	if (rc)
		return rc;
	json_array_foreach(rows, i, r)
		mrm__present(type, r);
	json_object_set_new(m, key, rows);
	return MRM_OK;
}

int mrm_model_show(struct mrm_ctx *ctx, const char *id, json_t **out,
		   struct mrm_error *err)
{
	json_t *m = NULL;
	int rc;

	*out = NULL;
	if ((rc = mrm__model_get(ctx, id, &m, err)))
		return rc;
	if ((rc = attach(ctx, m, "versions", "version",
			 "SELECT * FROM versions WHERE model_id = ? ORDER BY id", id, err)) ||
	    (rc = attach(ctx, m, "tier_history", "tier_assessment",
			 "SELECT * FROM tier_assessments WHERE model_id = ? ORDER BY id", id, err)) ||
	    (rc = attach(ctx, m, "evidence", "evidence",
			 "SELECT * FROM evidence WHERE model_id = ? ORDER BY id", id, err)) ||
	    (rc = attach(ctx, m, "findings", "finding",
			 "SELECT id, severity, category, title, owner, due, status, repeat_of "
			 "FROM findings WHERE model_id = ? ORDER BY id", id, err)) ||
	    (rc = attach(ctx, m, "acceptances", "acceptance",
			 "SELECT * FROM acceptances WHERE model_id = ? ORDER BY id", id, err)) ||
	    (rc = attach(ctx, m, "reviews", "review",
			 "SELECT * FROM reviews WHERE model_id = ? ORDER BY id", id, err)) ||
	    (rc = attach(ctx, m, "signoffs", "signoff",
			 "SELECT * FROM signoffs WHERE model_id = ? ORDER BY id", id, err)) ||
	    (rc = attach(ctx, m, "incidents", "incident",
			 "SELECT * FROM incidents WHERE model_id = ? ORDER BY id", id, err))) {
		json_decref(m);
		return rc;
	}
	*out = m;
	return MRM_OK;
}
