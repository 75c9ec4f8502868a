/* Evidence files: registering them with their SHA-256, listing, and re-checking. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/core.h"
#include "mrm/evidence.h"
#include "mrm/hash.h"

const char *const mrm_evidence_kinds[] = { "validation-report", "fairness-report", "drift-report",
					   "redteam-report", "model-card", "data-sheet",
					   "monitoring-plan", "risk-assessment", "other", NULL };

static const struct mrm__field evidence_spec[] = {
	{ "version", MRM__F_TEXT, NULL, false },
	{ "note", MRM__F_TEXT, NULL, false },
	{ NULL, 0, NULL, false },
};

static int load_evidence(struct mrm_ctx *ctx, int64_t id, json_t **out, struct mrm_error *err)
{
	int rc = mrm__row(ctx, "SELECT * FROM evidence WHERE id = ?", PARAMS(PI(id)), out, err);
	if (rc)
		return rc;
	if (!*out)
		return mrm_error_set(err, MRM_ENOTFOUND, "no evidence E-%lld (see 'mrm evidence list')",
				     (long long)id);
	return MRM_OK;
}

/*
 * Registers evidence; `*idp` receives its id. With `own_tx` the registration is its own
 * transaction (taken after the file is hashed); without, the caller holds one (and rolls
 * it back on failure).
 */
static int add(struct mrm_ctx *ctx, const char *model_id, const char *kind, const char *path,
	       json_t *fields, bool own_tx, int64_t *idp, struct mrm_error *err)
{
	json_t *in = fields ? json_deep_copy(fields) : json_object(), *model = NULL;
	char sha[MRM_SHA256_HEX], *abs = NULL;
	struct stat st = { 0 };
	const char *version;
	int64_t size = 0, id = 0;
	int rc;

	*idp = 0;
	if ((rc = mrm__fields_check(in, evidence_spec, err)) ||
	    (rc = mrm__check_enum(kind, mrm_evidence_kinds, "evidence kind", err)))
		goto out;
	if (!path || !*path) {
		rc = mrm_error_set(err, MRM_EINPUT, "missing evidence file");
		goto out;
	}
	version = mrm__str(in, "version");
	/* An auditor reads evidence; registering it is the first or second line's job. */
	if ((rc = mrm__require_role(ctx, (const char *const[]){ "owner", "validator", "approver",
								"admin", NULL },
				    "register evidence", err)) ||
	    (rc = mrm__model_get(ctx, model_id, &model, err)) ||
	    (version && (rc = mrm__require_version(ctx, model_id, version, err))))
		goto out;
	if (!(abs = realpath(path, NULL))) {
		rc = mrm_error_set(err, MRM_EINPUT, "cannot read evidence file %s: %s", path,
				   strerror(errno));
		goto out;
	}
	if (stat(abs, &st) || !S_ISREG(st.st_mode)) {
		rc = mrm_error_set(err, MRM_EINPUT, "cannot read evidence file %s: %s", path,
				   S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file");
		goto out;
	}
	/* Hash before taking the write lock: files can be large. */
	if ((rc = mrm_sha256_file(path, sha, &size, err)))
		goto out;
	if (own_tx && (rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = mrm__int(ctx,
			   "INSERT INTO evidence (model_id, version, kind, path, sha256, size, note, "
			   "produced_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			   PARAMS(PT(model_id), PT(version), PT(kind), PT(abs), PT(sha), PI(size),
				  PT(mrm__str(in, "note")), PT(ctx->actor), PT(ctx->now_iso)),
			   &id, err)) ||
	    (rc = mrm__audit_id(ctx, "evidence.add", "evidence", id, model_id, NULL, err)) ||
	    (own_tx && (rc = mrm__commit(ctx, err)))) {
		if (own_tx)
			mrm__rollback(ctx);
		goto out;
	}
	*idp = id;
out:
	free(abs);
	json_decref(model);
	json_decref(in);
	return rc;
}

int mrm_evidence_add(struct mrm_ctx *ctx, const char *model_id, const char *kind,
		     const char *path, json_t *fields, json_t **out,
		     struct mrm_error *err)
{
	int64_t id;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = add(ctx, model_id, kind, path, fields, true, &id, err)) || !out)
		return rc;
	if (!(rc = load_evidence(ctx, id, out, err)))
		mrm__present("evidence", *out);
	return rc;
}

int mrm__evidence_add_tx(struct mrm_ctx *ctx, const char *model_id, const char *kind,
			 const char *path, json_t *fields, json_t **out, struct mrm_error *err)
{
	int64_t id;
	int rc;

	*out = NULL;
	if ((rc = add(ctx, model_id, kind, path, fields, false, &id, err)))
		return rc;
	if (!(rc = load_evidence(ctx, id, out, err)))
		mrm__present("evidence", *out);
	return rc;
}

int mrm_evidence_list(struct mrm_ctx *ctx, const char *model_id, json_t **out,
		      struct mrm_error *err)
{
	json_t *model = NULL, *r;
	size_t i;
	int rc;

	*out = NULL;
	if (model_id) {
		if ((rc = mrm__model_get(ctx, model_id, &model, err)))
			return rc;
		json_decref(model);
	}
	if ((rc = mrm__rows(ctx,
			    "SELECT id, model_id, version, kind, path, sha256, size, note, produced_by, "
			    "created_at FROM evidence WHERE (? IS NULL OR model_id = ?) ORDER BY id",
			    PARAMS(PT(model_id), PT(model_id)), out, err)))
		return rc;
	json_array_foreach(*out, i, r)
		mrm__present("evidence", r);
	return MRM_OK;
}

int mrm_evidence_show(struct mrm_ctx *ctx, const char *id, json_t **out,
		      struct mrm_error *err)
{
	json_t *row = NULL, *cites = NULL, *r;
	int64_t eid;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = mrm__parse_id(id, "E", "evidence", &eid, err)) ||
	    (rc = load_evidence(ctx, eid, &row, err)))
		return rc;
	rc = mrm__rows(ctx,
		       "SELECT id, title, status, CASE WHEN evidence_id = ? THEN 'raised on' "
		       "ELSE 'verification' END AS cited_as FROM findings "
		       "WHERE evidence_id = ? OR verification_evidence_id = ? ORDER BY id",
		       PARAMS(PI(eid), PI(eid), PI(eid)), &cites, err);
	if (rc) {
		json_decref(row);
		return rc;
	}
	json_array_foreach(cites, i, r)
		mrm__present("finding", r);
	mrm__present("evidence", row);
	json_object_set_new(row, "findings", cites);
	*out = row;
	return MRM_OK;
}

int mrm_evidence_verify(struct mrm_ctx *ctx, const char *model_id, json_t **out,
			struct mrm_error *err)
{
	json_t *rows = NULL, *r, *model = NULL;
	int64_t unchanged = 0, changed = 0, missing = 0;
	char first[160] = "";
	size_t i;
	int rc;

	*out = NULL;
	if (model_id) {
		if ((rc = mrm__model_get(ctx, model_id, &model, err)))
			return rc;
		json_decref(model);
	}
	if ((rc = mrm__rows(ctx,
			    "SELECT id, model_id, kind, path, sha256, size FROM evidence "
			    "WHERE (? IS NULL OR model_id = ?) ORDER BY id",
			    PARAMS(PT(model_id), PT(model_id)), &rows, err)))
		return rc;
	json_array_foreach(rows, i, r) {
		struct mrm_error e = { 0 };
		char sha[MRM_SHA256_HEX];
		int64_t size = 0;
		const char *result;

		mrm__present("evidence", r);
		if (mrm_sha256_file(mrm__str(r, "path"), sha, &size, &e)) {
			result = "missing";
			missing++;
			json_object_set_new(r, "actual_sha256", json_null());
			json_object_set_new(r, "actual_size", json_null());
			json_object_set_new(r, "error", json_string(e.msg));
		} else {
			result = strcmp(sha, mrm__str(r, "sha256")) ? "changed" : "ok";
			if (*result == 'c')
				changed++;
			else
				unchanged++;
			json_object_set_new(r, "actual_sha256", json_string(sha));
			json_object_set_new(r, "actual_size", json_integer(size));
			json_object_set_new(r, "error", json_null());
		}
		json_object_set_new(r, "result", json_string(result));
		if (*result != 'o' && !first[0])
			snprintf(first, sizeof(first), "%s %s", mrm__str(r, "id"), result);
	}
	*out = json_pack("{s:b, s:I, s:I, s:I, s:I, s:o}", "ok", !changed && !missing,
			 "checked", (json_int_t)json_array_size(rows), "unchanged",
			 (json_int_t)unchanged, "changed", (json_int_t)changed, "missing",
			 (json_int_t)missing, "items", rows);
	if (changed || missing)
		return mrm_error_set(err, MRM_ECHECK,
				     "evidence check failed: %lld changed, %lld missing of %zu (first: %s)",
				     (long long)changed, (long long)missing, json_array_size(rows), first);
	return MRM_OK;
}
