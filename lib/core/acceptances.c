/* Risk acceptances: authority by tier, expiry, the findings they cover, revocation. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "mrm/acceptance.h"

const char *const mrm_acceptance_states[] = { "active", "expired", "revoked", NULL };

/* The fields besides "findings", which is parsed on its own (ids, not text). */
static const struct mrm__field accept_spec[] = {
	{ "rationale", MRM__F_TEXT, NULL, true },
	{ "expires", MRM__F_DATE, NULL, true },
	{ "controls", MRM__F_TEXT, NULL, false },
	{ "triggers", MRM__F_TEXT_LIST, NULL, false },
	{ NULL, 0, NULL, false },
};

/* The order keys are shown in; anything else follows. */
static const char *const shown_keys[] = {
	"id", "model_id", "findings", "state", "expires", "days_to_expiry", "accepted_by",
	"authority_role", "model_tier", "rationale", "controls", "triggers", "created_at",
	"revoked_at", "revoked_by", "revoke_reason", NULL,
};

static bool blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

/* Days since the epoch of a "YYYY-MM-DD" date (dates are whole days in UTC). */
static int64_t day_number(const char *date)
{
	int64_t t = 0;
	if (!date || mrm_date_parse(date, "date", &t, NULL))
		return 0;
	return t / 86400;
}

/*
 * Reads the "findings" field: a non-empty list of "F-N", "N" or N, each
 * once. `*ids` is malloc'd (caller frees).
 */
static int parse_findings(json_t *list, int64_t **ids, size_t *n, struct mrm_error *err)
{
	size_t i, j, count = json_array_size(list);
	json_t *v;
	int rc;

	*ids = NULL;
	*n = 0;
	if (!list || json_is_null(list) || (json_is_array(list) && count == 0))
		return mrm_error_set(err, MRM_EINPUT,
				     "missing required field 'findings' (at least one finding to accept)");
	if (!json_is_array(list))
		return mrm_error_set(err, MRM_EINPUT, "field 'findings' must be a list of finding ids");
	*ids = calloc(count, sizeof(**ids));
	if (!*ids)
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	json_array_foreach(list, i, v) {
		int64_t id = 0;
		if (json_is_integer(v) && json_integer_value(v) > 0) {
			id = json_integer_value(v);
		} else if (json_is_string(v)) {
			if ((rc = mrm__parse_id(json_string_value(v), "F", "finding", &id, err)))
				goto fail;
		} else {
			rc = mrm_error_set(err, MRM_EINPUT, "field 'findings' item %zu must be a finding id (F-N)",
					   i + 1);
			goto fail;
		}
		for (j = 0; j < i; j++)
			if ((*ids)[j] == id) {
				rc = mrm_error_set(err, MRM_EINPUT, "finding F-%" PRId64 " is listed twice", id);
				goto fail;
			}
		(*ids)[i] = id;
	}
	*n = count;
	return MRM_OK;
fail:
	free(*ids);
	*ids = NULL;
	return rc;
}

/*
 * Turns a raw acceptances row and its finding ids into the shown form:
 * display ids, state and days_to_expiry, keys in a reading order. Steals
 * `row` and `findings`.
 */
static json_t *shown(struct mrm_ctx *ctx, json_t *row, json_t *findings)
{
	json_t *out = json_object(), *revoked = json_object_get(row, "revoked_at");
	int64_t left = day_number(mrm__str(row, "expires")) - day_number(ctx->today);
	const char *state = revoked && !json_is_null(revoked) ? "revoked" : left <= 0 ? "expired" : "active";
	const char *key;
	json_t *v;

	mrm__present("acceptance", row);
	json_object_set_new(row, "findings", findings);
	json_object_set_new(row, "state", json_string(state));
	json_object_set_new(row, "days_to_expiry",
			    strcmp(state, "revoked") ? json_integer(left) : json_null());
	for (const char *const *k = shown_keys; *k; k++)
		if ((v = json_object_get(row, *k)))
			json_object_set(out, *k, v);
	json_object_foreach(row, key, v)
		if (!json_object_get(out, key))
			json_object_set(out, key, v);
	json_decref(row);
	return out;
}

/* The ids of the findings acceptance `id` covers, as "F-N", in order. */
static int finding_ids(struct mrm_ctx *ctx, int64_t id, json_t **out, struct mrm_error *err)
{
	json_t *rows = NULL, *r;
	size_t i;
	char buf[24];
	int rc = mrm__rows(ctx, "SELECT finding_id FROM acceptance_findings WHERE acceptance_id = ? "
				"ORDER BY finding_id",
			   PARAMS(PI(id)), &rows, err);

	*out = NULL;
	if (rc)
		return rc;
	*out = json_array();
	json_array_foreach(rows, i, r) {
		mrm__format_id("F", json_integer_value(json_object_get(r, "finding_id")), buf);
		json_array_append_new(*out, json_string(buf));
	}
	json_decref(rows);
	return MRM_OK;
}

/* Loads acceptance `id` in its shown form; MRM_ENOTFOUND if absent. */
static int load(struct mrm_ctx *ctx, int64_t id, json_t **out, struct mrm_error *err)
{
	json_t *row = NULL, *findings = NULL;
	int rc;

	*out = NULL;
	if ((rc = mrm__row(ctx, "SELECT * FROM acceptances WHERE id = ?", PARAMS(PI(id)), &row, err)))
		return rc;
	if (!row)
		return mrm_error_set(err, MRM_ENOTFOUND,
				     "no acceptance A-%" PRId64 " (see 'mrm acceptance list')", id);
	if ((rc = finding_ids(ctx, id, &findings, err))) {
		json_decref(row);
		return rc;
	}
	*out = shown(ctx, row, findings);
	return MRM_OK;
}

/* "tier 2 model 'x'", or "untiered model 'x' (treated as tier 1)". */
static const char *model_text(json_t *model, char *buf, size_t cap)
{
	json_t *t = json_object_get(model, "tier");
	if (json_is_integer(t))
		snprintf(buf, cap, "tier %" JSON_INTEGER_FORMAT " model '%s'", json_integer_value(t),
			 mrm__str(model, "id"));
	else
		snprintf(buf, cap, "untiered model '%s' (treated as tier 1)", mrm__str(model, "id"));
	return buf;
}

/*
 * Who may accept risk on `model`: the roles of its tier, and for tiers 1
 * and 2 independence from the model owner. `*role` receives the role that
 * grants the authority (the strongest the actor holds).
 */
const char *const *mrm_acceptance_authority(int tier)
{
	static const char *const t1[] = { "approver", NULL };
	static const char *const t2[] = { "approver", "validator", NULL };
	static const char *const t3[] = { "approver", "validator", "owner", NULL };
	return tier == 3 ? t3 : tier == 2 ? t2 : t1;
}

bool mrm_acceptance_owner_may_accept(int tier)
{
	return tier == 3;
}

static int tier_authority(struct mrm_ctx *ctx, json_t *model, const char **role,
			  struct mrm_error *err)
{
	json_t *t = json_object_get(model, "tier");
	int tier = json_is_integer(t) ? (int)json_integer_value(t) : 1;
	const char *const *roles = mrm_acceptance_authority(tier);
	char what[160];
	int rc;

	*role = NULL;
	if ((rc = mrm__require_user(ctx, err)))
		return rc;
	for (const char *const *r = roles; *r && !*role; r++)
		if (mrm__actor_has(ctx, *r))
			*role = *r;
	model_text(model, what, sizeof(what));
	if (!*role)
		return mrm_error_set(err, MRM_EPERM, "not permitted: accepting risk on %s needs role %s; %s has %s",
				     what,
				     tier == 3 ? "approver, validator or owner"
				     : tier == 2 ? "approver or validator" : "approver",
				     ctx->actor, mrm__str(ctx->actor_user, "roles"));
	if (!mrm_acceptance_owner_may_accept(tier) && !strcmp(mrm__str(model, "owner"), ctx->actor))
		return mrm_error_set(err, MRM_EPERM,
				     "not permitted: %s owns %s; its risk must be accepted by someone "
				     "independent of the model owner",
				     ctx->actor, what);
	return MRM_OK;
}

/* Checks one finding to be covered; returns its raw row in `*out`. */
static int check_finding(struct mrm_ctx *ctx, const char *model_id, int64_t fid, json_t **out,
			 struct mrm_error *err)
{
	json_t *f = NULL, *cover = NULL;
	int rc;

	*out = NULL;
	if ((rc = mrm__row(ctx, "SELECT * FROM findings WHERE id = ?", PARAMS(PI(fid)), &f, err)))
		return rc;
	if (!f)
		return mrm_error_set(err, MRM_ENOTFOUND, "no finding F-%" PRId64 " (see 'mrm finding list')", fid);
	if (strcmp(mrm__str(f, "model_id"), model_id)) {
		rc = mrm_error_set(err, MRM_EINPUT, "finding F-%" PRId64 " belongs to model '%s', not '%s'", fid,
				   mrm__str(f, "model_id"), model_id);
		goto fail;
	}
	if (!strcmp(mrm__str(f, "status"), "closed")) {
		rc = mrm_error_set(err, MRM_EINPUT,
				   "finding F-%" PRId64 " is closed; there is no residual risk to accept", fid);
		goto fail;
	}
	if ((rc = mrm__row(ctx,
			   "SELECT a.id, a.expires FROM acceptance_findings af "
			   "JOIN acceptances a ON a.id = af.acceptance_id "
			   "WHERE af.finding_id = ? AND a.revoked_at IS NULL AND a.expires > ? "
			   "ORDER BY a.id LIMIT 1",
			   PARAMS(PI(fid), PT(ctx->today)), &cover, err)))
		goto fail;
	if (cover) {
		rc = mrm_error_set(err, MRM_EINPUT,
				   "finding F-%" PRId64 " is already covered by active acceptance A-%" JSON_INTEGER_FORMAT
				   " (expires %s); revoke it first or let it expire",
				   fid, json_integer_value(json_object_get(cover, "id")), mrm__str(cover, "expires"));
		json_decref(cover);
		goto fail;
	}
	*out = f;
	return MRM_OK;
fail:
	json_decref(f);
	return rc;
}

int mrm_accept(struct mrm_ctx *ctx, const char *model_id, json_t *fields,
	       json_t **out, struct mrm_error *err)
{
	json_t *in = json_is_object(fields) ? json_deep_copy(fields) : NULL, *model = NULL;
	json_t *list = NULL, **rows = NULL;
	int64_t *ids = NULL, aid = 0, left;
	size_t n = 0, i;
	const char *role = NULL, *expires;
	char *triggers = NULL;
	int rc;

	if (out)
		*out = NULL;
	if (!in) {
		rc = mrm_error_set(err, MRM_EINPUT, "fields must be a JSON object");
		goto out;
	}
	list = json_incref(json_object_get(in, "findings"));
	json_object_del(in, "findings");
	if ((rc = mrm__fields_check(in, accept_spec, err)) ||
	    (rc = parse_findings(list, &ids, &n, err)))
		goto out;
	if (blank(mrm__str(in, "rationale"))) {
		rc = mrm_error_set(err, MRM_EINPUT, "field 'rationale' must not be empty");
		goto out;
	}
	expires = mrm__str(in, "expires");
	left = day_number(expires) - day_number(ctx->today);
	if (left <= 0) {
		rc = mrm_error_set(err, MRM_EINPUT, "expires %s must be after today (%s)", expires, ctx->today);
		goto out;
	}
	if (left > MRM_ACCEPTANCE_MAX_DAYS) {
		rc = mrm_error_set(err, MRM_EINPUT,
				   "expires %s is %" PRId64 " days away (at most %d): acceptances must be "
				   "re-reviewed at least yearly",
				   expires, left, MRM_ACCEPTANCE_MAX_DAYS);
		goto out;
	}
	if (!json_object_get(in, "triggers") || json_is_null(json_object_get(in, "triggers")))
		json_object_set_new(in, "triggers", json_array());
	triggers = json_dumps(json_object_get(in, "triggers"), JSON_COMPACT);
	rows = calloc(n, sizeof(*rows));
	if (!rows || !triggers) {
		rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
		goto out;
	}
	if ((rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = mrm__require_user(ctx, err)) || (rc = mrm__model_get(ctx, model_id, &model, err)) ||
	    (rc = tier_authority(ctx, model, &role, err)))
		goto fail;
	for (i = 0; i < n; i++)
		if ((rc = check_finding(ctx, model_id, ids[i], &rows[i], err)))
			goto fail;
	for (i = 0; i < n; i++)
		if (!strcmp(mrm__str(rows[i], "owner"), ctx->actor)) {
			rc = mrm_error_set(err, MRM_EPERM,
					   "not permitted: %s owns finding F-%" PRId64 "; a finding's owner "
					   "cannot accept its risk",
					   ctx->actor, ids[i]);
			goto fail;
		}
	{
		json_t *tier = json_object_get(model, "tier");
		if ((rc = mrm__int(ctx,
				   "INSERT INTO acceptances (model_id, accepted_by, authority_role, model_tier, "
				   "rationale, controls, expires, triggers, created_at) "
				   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
				   PARAMS(PT(model_id), PT(ctx->actor), PT(role),
					  json_is_integer(tier) ? PI(json_integer_value(tier)) : PN,
					  PT(mrm__str(in, "rationale")), PT(mrm__str(in, "controls")),
					  PT(expires), PT(triggers), PT(ctx->now_iso)),
				   &aid, err)) ||
		    (rc = mrm__audit_id(ctx, "acceptance.add", "acceptance", aid, model_id, NULL, err)))
			goto fail;
	}
	for (i = 0; i < n; i++) {
		int64_t link = 0;
		if ((rc = mrm__int(ctx,
				   "INSERT INTO acceptance_findings (acceptance_id, finding_id) VALUES (?, ?) "
				   "RETURNING id",
				   PARAMS(PI(aid), PI(ids[i])), &link, err)) ||
		    (rc = mrm__audit_id(ctx, "acceptance.cover", "acceptance_finding", link, model_id,
					NULL, err)))
			goto fail;
	}
	if ((rc = mrm__commit(ctx, err)))
		goto out;
	if (out)
		rc = load(ctx, aid, out, err);
	goto out;
fail:
	mrm__rollback(ctx);
out:
	for (i = 0; rows && i < n; i++)
		json_decref(rows[i]);
	free(rows);
	free(ids);
	free(triggers);
	json_decref(list);
	json_decref(model);
	json_decref(in);
	return rc;
}

int mrm_acceptance_list(struct mrm_ctx *ctx, const struct mrm_acceptance_filter *f,
			json_t **out, struct mrm_error *err)
{
	const char *model_id = f ? f->model_id : NULL, *state = f ? f->state : NULL;
	json_t *rows = NULL, *links = NULL, *model = NULL, *r;
	size_t i, l = 0;
	int rc;

	*out = NULL;
	if (state && (rc = mrm__check_enum(state, mrm_acceptance_states, "state", err)))
		return rc;
	if (model_id && (rc = mrm__model_get(ctx, model_id, &model, err)))
		return rc;
	json_decref(model);
	if ((rc = mrm__rows(ctx, "SELECT * FROM acceptances WHERE (? IS NULL OR model_id = ?) ORDER BY id",
			    PARAMS(PT(model_id), PT(model_id)), &rows, err)) ||
	    (rc = mrm__rows(ctx,
			    "SELECT af.acceptance_id, af.finding_id FROM acceptance_findings af "
			    "JOIN acceptances a ON a.id = af.acceptance_id "
			    "WHERE (? IS NULL OR a.model_id = ?) ORDER BY af.acceptance_id, af.finding_id",
			    PARAMS(PT(model_id), PT(model_id)), &links, err)))
		goto out;
	*out = json_array();
	/* Both lists are ordered by acceptance id: walk them together. */
	json_array_foreach(rows, i, r) {
		json_int_t id = json_integer_value(json_object_get(r, "id"));
		json_t *findings = json_array(), *a;
		char buf[24];
		for (; l < json_array_size(links); l++) {
			json_t *k = json_array_get(links, l);
			json_int_t kid = json_integer_value(json_object_get(k, "acceptance_id"));
			if (kid > id)
				break;
			if (kid < id)
				continue;
			mrm__format_id("F", json_integer_value(json_object_get(k, "finding_id")), buf);
			json_array_append_new(findings, json_string(buf));
		}
		a = shown(ctx, json_incref(r), findings);
		if (!state || !strcmp(mrm__str(a, "state"), state))
			json_array_append_new(*out, a);
		else
			json_decref(a);
	}
out:
	json_decref(rows);
	json_decref(links);
	return rc;
}

int mrm_acceptance_show(struct mrm_ctx *ctx, const char *id, json_t **out,
			struct mrm_error *err)
{
	json_t *cov = NULL, *r;
	int64_t aid;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = mrm__parse_id(id, "A", "acceptance", &aid, err)) || (rc = load(ctx, aid, out, err)))
		return rc;
	if ((rc = mrm__rows(ctx,
			    "SELECT f.id, f.severity, f.category, f.title, f.owner, f.status "
			    "FROM acceptance_findings af JOIN findings f ON f.id = af.finding_id "
			    "WHERE af.acceptance_id = ? ORDER BY f.id",
			    PARAMS(PI(aid)), &cov, err))) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	json_array_foreach(cov, i, r)
		mrm__present("finding", r);
	json_object_set_new(*out, "covered_findings", cov);
	return MRM_OK;
}

int mrm_acceptance_revoke(struct mrm_ctx *ctx, const char *id, const char *reason,
			  json_t **out, struct mrm_error *err)
{
	json_t *before = NULL;
	int64_t aid;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = mrm__parse_id(id, "A", "acceptance", &aid, err)))
		return rc;
	if (blank(reason))
		return mrm_error_set(err, MRM_EINPUT, "a revocation needs a reason (--reason TEXT)");
	if ((rc = mrm__begin(ctx, err)))
		return rc;
	if ((rc = mrm__require_user(ctx, err)) ||
	    (rc = mrm__row(ctx, "SELECT * FROM acceptances WHERE id = ?", PARAMS(PI(aid)), &before, err)))
		goto fail;
	if (!before) {
		rc = mrm_error_set(err, MRM_ENOTFOUND, "no acceptance A-%" PRId64 " (see 'mrm acceptance list')",
				   aid);
		goto fail;
	}
	if (strcmp(mrm__str(before, "accepted_by"), ctx->actor) &&
	    (rc = mrm__require_role(ctx, (const char *const[]){ "approver", "admin", NULL },
				    "revoke another person's acceptance", err)))
		goto fail;
	if (mrm__str(before, "revoked_at")) {
		rc = mrm_error_set(err, MRM_EINPUT, "acceptance A-%" PRId64 " was already revoked by %s at %s",
				   aid, mrm__str(before, "revoked_by"), mrm__str(before, "revoked_at"));
		goto fail;
	}
	if ((rc = mrm__exec(ctx,
			    "UPDATE acceptances SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ?",
			    PARAMS(PT(ctx->now_iso), PT(ctx->actor), PT(reason), PI(aid)), err)) ||
	    (rc = mrm__audit_id(ctx, "acceptance.revoke", "acceptance", aid, mrm__str(before, "model_id"),
				before, err)) ||
	    (rc = mrm__commit(ctx, err)))
		goto fail;
	if (out)
		rc = load(ctx, aid, out, err);
	goto out;
fail:
	mrm__rollback(ctx);
out:
	json_decref(before);
	return rc;
}

int mrm_acceptance_covering(struct mrm_ctx *ctx, int64_t finding_id, json_t **out,
			    struct mrm_error *err)
{
	int64_t aid = 0;
	int rc;

	*out = NULL;
	rc = mrm__int(ctx,
		      "SELECT coalesce(min(a.id), 0) FROM acceptance_findings af "
		      "JOIN acceptances a ON a.id = af.acceptance_id "
		      "WHERE af.finding_id = ? AND a.revoked_at IS NULL AND a.expires > ?",
		      PARAMS(PI(finding_id), PT(ctx->today)), &aid, err);
	if (rc || !aid)
		return rc;
	return load(ctx, aid, out, err);
}
