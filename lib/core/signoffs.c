/* Sign-offs of model versions by role, with separation of duties. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "mrm/signoff.h"

static const struct mrm__field signoff_spec[] = {
	{ "role", MRM__F_ENUM, mrm__roles, true },
	{ "version", MRM__F_TEXT, NULL, false },
	{ "note", MRM__F_TEXT, NULL, false },
	{ NULL, 0, NULL, false },
};

/* Role and separation-of-duties rules for signing `model` as `role`. */
static int may_sign(struct mrm_ctx *ctx, json_t *model, const char *role, struct mrm_error *err)
{
	const char *owner = mrm__str(model, "owner"), *id = mrm__str(model, "id");
	char doing[96];
	int rc;

	snprintf(doing, sizeof(doing), "sign off as %s", role);
	if ((rc = mrm__require_role(ctx, (const char *const[]){ role, NULL }, doing, err)))
		return rc;
	if (!strcmp(role, "owner") && strcmp(owner, ctx->actor))
		return mrm_error_set(err, MRM_EPERM,
				     "not permitted: only the model's owner (%s) may sign off model '%s' as owner",
				     owner, id);
	if ((!strcmp(role, "validator") || !strcmp(role, "approver")) && !strcmp(owner, ctx->actor))
		return mrm_error_set(err, MRM_EPERM,
				     "not permitted: %s owns model '%s' and cannot sign it off as %s",
				     ctx->actor, id, role);
	return MRM_OK;
}

int mrm_signoff_add(struct mrm_ctx *ctx, const char *model_id, json_t *fields,
		    json_t **out, struct mrm_error *err)
{
	json_t *in = fields ? json_deep_copy(fields) : json_object(), *model = NULL, *earlier = NULL;
	const char *role, *version;
	int64_t sid = 0;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = mrm__fields_check(in, signoff_spec, err)))
		goto out;
	role = mrm__str(in, "role");
	if ((rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = mrm__require_user(ctx, err)) || (rc = mrm__model_get(ctx, model_id, &model, err)) ||
	    (rc = may_sign(ctx, model, role, err)))
		goto fail;
	version = mrm__str(in, "version");
	if (version && (rc = mrm__require_version(ctx, model_id, version, err)))
		goto fail;
	if (!version)
		version = mrm__str(model, "current_version");
	/* The same role first, so a repeat is reported as a repeat. */
	if ((rc = mrm__row(ctx,
			   "SELECT id, role, created_at FROM signoffs WHERE model_id = ? AND user_name = ? "
			   "AND (version = ? OR (version IS NULL AND ? IS NULL)) "
			   "ORDER BY CASE WHEN role = ? THEN 0 ELSE 1 END, id LIMIT 1",
			   PARAMS(PT(model_id), PT(ctx->actor), PT(version), PT(version), PT(role)),
			   &earlier, err)))
		goto fail;
	if (earlier) {
		json_int_t eid = json_integer_value(json_object_get(earlier, "id"));
		if (!strcmp(mrm__str(earlier, "role"), role))
			rc = mrm_error_set(err, MRM_EINPUT,
					   "%s already signed off model '%s' version %s as %s (S-%" JSON_INTEGER_FORMAT ")",
					   ctx->actor, model_id, version ? version : "(none)", role, eid);
		else
			rc = mrm_error_set(err, MRM_EPERM,
					   "not permitted: %s already signed off model '%s' version %s as %s "
					   "(S-%" JSON_INTEGER_FORMAT "); one person signs a version in one role only",
					   ctx->actor, model_id, version ? version : "(none)",
					   mrm__str(earlier, "role"), eid);
		goto fail;
	}
	if ((rc = mrm__int(ctx,
			   "INSERT INTO signoffs (model_id, version, role, user_name, note, created_at) "
			   "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			   PARAMS(PT(model_id), PT(version), PT(role), PT(ctx->actor), PT(mrm__str(in, "note")),
				  PT(ctx->now_iso)),
			   &sid, err)) ||
	    (rc = mrm__audit_id(ctx, "signoff.add", "signoff", sid, model_id, NULL, err)) ||
	    (rc = mrm__commit(ctx, err)))
		goto fail;
	if (out) {
		rc = mrm__row(ctx, "SELECT * FROM signoffs WHERE id = ?", PARAMS(PI(sid)), out, err);
		mrm__present("signoff", *out);
	}
	goto out;
fail:
	mrm__rollback(ctx);
out:
	json_decref(earlier);
	json_decref(model);
	json_decref(in);
	return rc;
}

int mrm_signoff_list(struct mrm_ctx *ctx, const char *model_id, json_t **out,
		     struct mrm_error *err)
{
	json_t *model = NULL, *r;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = mrm__model_get(ctx, model_id, &model, err)))
		return rc;
	json_decref(model);
	if ((rc = mrm__rows(ctx, "SELECT * FROM signoffs WHERE model_id = ? ORDER BY id",
			    PARAMS(PT(model_id)), out, err)))
		return rc;
	json_array_foreach(*out, i, r)
		mrm__present("signoff", r);
	return MRM_OK;
}
