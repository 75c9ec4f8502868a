/* Model versions: what changed, the artifact's digest, and material changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "mrm/hash.h"
#include "mrm/model.h"

const char *const mrm_change_types[] = { "new", "retrain", "prompt", "routing", "data",
					 "code", "vendor", NULL };

static const struct mrm__field version_spec[] = {
	{ "artifact", MRM__F_TEXT, NULL, false },
	{ "artifact_sha256", MRM__F_TEXT, NULL, false },
	{ "change_type", MRM__F_ENUM, mrm_change_types, false },
	{ "material", MRM__F_BOOL, NULL, false },
	{ "notes", MRM__F_TEXT, NULL, false },
	{ NULL, 0, NULL, false },
};

int mrm__require_version(struct mrm_ctx *ctx, const char *model_id, const char *version,
			 struct mrm_error *err)
{
	int64_t n = 0;
	int rc = mrm__int(ctx, "SELECT count(*) FROM versions WHERE model_id = ? AND version = ?",
			  PARAMS(PT(model_id), PT(version)), &n, err);
	if (rc)
		return rc;
	if (!n)
		return mrm_error_set(err, MRM_ENOTFOUND,
				     "model '%s' has no version '%s' (see 'mrm model show %s')",
				     model_id, version, model_id);
	return MRM_OK;
}

static bool is_uri(const char *s)
{
	const char *c = strstr(s, "://");
	return c && c > s && (size_t)(c - s) < 16;
}

static bool is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

int mrm_version_add(struct mrm_ctx *ctx, const char *id, const char *version,
		    json_t *fields, json_t **out, struct mrm_error *err)
{
	json_t *in = fields ? json_deep_copy(fields) : json_object(), *model = NULL;
	char sha[MRM_SHA256_HEX] = "";
	const char *artifact, *change;
	int64_t vid = 0, versions = 0, rid = 0, open_review = 0;
	bool material;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = mrm__fields_check(in, version_spec, err)))
		goto out;
	if (!version || !*version || strlen(version) > 128) {
		rc = mrm_error_set(err, MRM_EINPUT, "invalid version label '%s' (1-128 characters)",
				   version ? version : "");
		goto out;
	}
	artifact = mrm__str(in, "artifact");
	if (mrm__str(in, "artifact_sha256")) {
		if (!is_hex64(mrm__str(in, "artifact_sha256"))) {
			rc = mrm_error_set(err, MRM_EINPUT, "field 'artifact_sha256' must be 64 lowercase hex digits");
			goto out;
		}
		snprintf(sha, sizeof(sha), "%s", mrm__str(in, "artifact_sha256"));
	} else if (artifact && !is_uri(artifact)) {
		if ((rc = mrm_sha256_file(artifact, sha, NULL, err)))
			goto out;
	}
	material = json_is_true(json_object_get(in, "material"));
	if ((rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = mrm__model_get(ctx, id, &model, err)))
		goto fail;
	if (strcmp(mrm__str(model, "owner"), ctx->actor) &&
	    (rc = mrm__require_role(ctx, (const char *const[]){ "validator", "admin", NULL },
				    "add versions of this model", err)))
		goto fail;
	if ((rc = mrm__require_user(ctx, err)))
		goto fail;
	if (!strcmp(mrm__str(model, "status"), "retired")) {
		rc = mrm_error_set(err, MRM_EINPUT, "model '%s' is retired; it takes no new versions", id);
		goto fail;
	}
	if ((rc = mrm__int(ctx, "SELECT count(*) FROM versions WHERE model_id = ? AND version = ?",
			   PARAMS(PT(id), PT(version)), &vid, err)))
		goto fail;
	if (vid) {
		rc = mrm_error_set(err, MRM_EINPUT, "model '%s' already has version '%s'", id, version);
		goto fail;
	}
	if ((rc = mrm__int(ctx, "SELECT count(*) FROM versions WHERE model_id = ?", PARAMS(PT(id)),
			   &versions, err)))
		goto fail;
	change = mrm__str(in, "change_type");
	if (!change)
		change = versions ? "retrain" : "new";
	if ((rc = mrm__int(ctx,
			   "INSERT INTO versions (model_id, version, artifact, artifact_sha256, change_type, "
			   "material, notes, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			   PARAMS(PT(id), PT(version), PT(artifact), PT(sha[0] ? sha : NULL), PT(change),
				  PI(material), PT(mrm__str(in, "notes")), PT(ctx->actor), PT(ctx->now_iso)),
			   &vid, err)) ||
	    (rc = mrm__audit_id(ctx, "version.add", "version", vid, id, NULL, err)))
		goto fail;
	if ((rc = mrm__exec(ctx,
			    material ? "UPDATE models SET current_version = ?, review_status = 'open', "
				       "next_review_due = ?, updated_at = ? WHERE id = ?"
				     : "UPDATE models SET current_version = ?, next_review_due = "
				       "coalesce(next_review_due, ?), updated_at = ? WHERE id = ?",
			    PARAMS(PT(version), PT(material ? ctx->today : NULL), PT(ctx->now_iso), PT(id)),
			    err)) ||
	    (rc = mrm__audit(ctx, material ? "model.review_required" : "model.version", "model", id, id,
			     model, err)))
		goto fail;
	if (material && (rc = mrm__int(ctx, "SELECT coalesce(max(id), 0) FROM reviews WHERE model_id = ? "
				 "AND status = 'open'", PARAMS(PT(id)), &open_review, err)))
		goto fail;
	/* An open review goes on and now covers the new version; else open one. */
	if (material && open_review) {
		json_t *rbefore = NULL;
		if ((rc = mrm__row(ctx, "SELECT * FROM reviews WHERE id = ?", PARAMS(PI(open_review)),
				   &rbefore, err)))
			goto fail;
		rc = mrm__exec(ctx, "UPDATE reviews SET version = ? WHERE id = ?",
			       PARAMS(PT(version), PI(open_review)), err);
		if (!rc)
			rc = mrm__audit_id(ctx, "review.version", "review", open_review, id, rbefore, err);
		json_decref(rbefore);
		if (rc)
			goto fail;
		rid = open_review;
	} else if (material) {
		char reason[256];
		snprintf(reason, sizeof(reason), "material change: %s of version %s", change, version);
		if ((rc = mrm__int(ctx,
				   "INSERT INTO reviews (model_id, version, status, reason, opened_by, opened_at) "
				   "VALUES (?, ?, 'open', ?, ?, ?) RETURNING id",
				   PARAMS(PT(id), PT(version), PT(reason), PT(ctx->actor), PT(ctx->now_iso)),
				   &rid, err)) ||
		    (rc = mrm__audit_id(ctx, "review.open", "review", rid, id, NULL, err)))
			goto fail;
	}
	if ((rc = mrm__commit(ctx, err)))
		goto fail;
	if (out) {
		rc = mrm__row(ctx, "SELECT * FROM versions WHERE id = ?", PARAMS(PI(vid)), out, err);
		mrm__present("version", *out);
		if (*out && rid) {
			char r[24];
			mrm__format_id("R", rid, r);
			json_object_set_new(*out, "review_opened", json_string(r));
		}
	}
	goto out;
fail:
	mrm__rollback(ctx);
out:
	json_decref(model);
	json_decref(in);
	return rc;
}
