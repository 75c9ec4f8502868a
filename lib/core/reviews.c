/* Independent reviews: opening, deciding with a decision record, and the review cadence. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "mrm/review.h"

const char *const mrm_review_decisions[] = { "approve", "conditional", "reject", NULL };
const char *const mrm_review_statuses[] = { "open", "decided", NULL };

static const struct mrm__field open_spec[] = {
	{ "version", MRM__F_TEXT, NULL, false },
	{ "reason", MRM__F_TEXT, NULL, false },
	{ "intake_complete", MRM__F_BOOL, NULL, false },
	{ NULL, 0, NULL, false },
};

static const struct mrm__field decide_spec[] = {
	{ "decision", MRM__F_ENUM, mrm_review_decisions, true },
	{ "note", MRM__F_TEXT, NULL, true },
	{ "conditions", MRM__F_TEXT_LIST, NULL, false },
	{ NULL, 0, NULL, false },
};

int mrm_review_cadence_months(int tier)
{
	switch (tier) {
	case 2: return 24;
	case 3: return 36;
	default: return 12;
	}
}

static bool blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

void mrm__add_months(const char *date, int months, char out[MRM_DATE_LEN])
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = atoi(date), m = atoi(date + 5), d = atoi(date + 8), last;

	m += months;
	y += (m - 1) / 12;
	m = (m - 1) % 12 + 1;
	last = mdays[m - 1] + (m == 2 && leap(y));
	if (d > last)
		d = last;
	snprintf(out, MRM_DATE_LEN, "%04d-%02d-%02d", y, m, d);
}

static int tier_of(json_t *model)
{
	json_t *t = json_object_get(model, "tier");
	return json_is_integer(t) ? (int)json_integer_value(t) : 0;
}

/* Loads review `rid` in its shown form: display id and the model's review state now. */
static int load(struct mrm_ctx *ctx, int64_t rid, json_t **out, struct mrm_error *err)
{
	int rc = mrm__row(ctx,
			  "SELECT r.*, m.tier AS model_tier, m.review_status AS model_review_status, "
			  "m.next_review_due AS model_next_review_due FROM reviews r JOIN models m ON m.id = r.model_id "
			  "WHERE r.id = ?",
			  PARAMS(PI(rid)), out, err);
	if (rc)
		return rc;
	if (!*out)
		return mrm_error_set(err, MRM_ENOTFOUND, "no review R-%" PRId64 " (see 'mrm review list')", rid);
	mrm__present("review", *out);
	return MRM_OK;
}

/* The model must not be reviewed or decided by its own owner. */
static int independent(struct mrm_ctx *ctx, json_t *model, const char *doing, struct mrm_error *err)
{
	if (strcmp(mrm__str(model, "owner"), ctx->actor))
		return MRM_OK;
	return mrm_error_set(err, MRM_EPERM,
			     "not permitted: %s owns model '%s' and cannot %s (reviews must be independent)",
			     ctx->actor, mrm__str(model, "id"), doing);
}

int mrm_review_open(struct mrm_ctx *ctx, const char *model_id, json_t *fields,
		    json_t **out, struct mrm_error *err)
{
	json_t *in = fields ? json_deep_copy(fields) : json_object(), *model = NULL, *open = NULL;
	json_t *intake;
	const char *version;
	int64_t rid = 0;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = mrm__fields_check(in, open_spec, err)))
		goto out;
	if ((rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = mrm__require_user(ctx, err)) || (rc = mrm__model_get(ctx, model_id, &model, err)) ||
	    (rc = mrm__require_role(ctx, (const char *const[]){ "validator", "admin", NULL },
				    "open reviews", err)) ||
	    (rc = independent(ctx, model, "open its review", err)))
		goto fail;
	version = mrm__str(in, "version");
	if (version && (rc = mrm__require_version(ctx, model_id, version, err)))
		goto fail;
	if (!version)
		version = mrm__str(model, "current_version");
	if ((rc = mrm__row(ctx,
			   "SELECT id, opened_at FROM reviews WHERE model_id = ? AND status = 'open' "
			   "ORDER BY id LIMIT 1",
			   PARAMS(PT(model_id)), &open, err)))
		goto fail;
	if (open) {
		rc = mrm_error_set(err, MRM_EINPUT,
				   "model '%s' already has open review R-%" JSON_INTEGER_FORMAT
				   " (opened %s); decide it first",
				   model_id, json_integer_value(json_object_get(open, "id")),
				   mrm__str(open, "opened_at"));
		goto fail;
	}
	intake = json_object_get(in, "intake_complete");
	if ((rc = mrm__int(ctx,
			   "INSERT INTO reviews (model_id, version, status, reason, intake_complete, "
			   "opened_by, opened_at) VALUES (?, ?, 'open', ?, ?, ?, ?) RETURNING id",
			   PARAMS(PT(model_id), PT(version), PT(mrm__str(in, "reason")),
				  json_is_boolean(intake) ? PI(json_is_true(intake)) : PN, PT(ctx->actor),
				  PT(ctx->now_iso)),
			   &rid, err)) ||
	    (rc = mrm__audit_id(ctx, "review.open", "review", rid, model_id, NULL, err)) ||
	    (rc = mrm__exec(ctx, "UPDATE models SET review_status = 'open', updated_at = ? WHERE id = ?",
			    PARAMS(PT(ctx->now_iso), PT(model_id)), err)) ||
	    (rc = mrm__audit(ctx, "model.review_open", "model", model_id, model_id, model, err)) ||
	    (rc = mrm__commit(ctx, err)))
		goto fail;
	if (out)
		rc = load(ctx, rid, out, err);
	goto out;
fail:
	mrm__rollback(ctx);
out:
	json_decref(open);
	json_decref(model);
	json_decref(in);
	return rc;
}

/* Checks a decision's fields against each other, before touching the store. */
static int check_decision(json_t *in, struct mrm_error *err)
{
	const char *decision = mrm__str(in, "decision");
	size_t conditions = json_array_size(json_object_get(in, "conditions"));
	int rc;

	if ((rc = mrm__fields_check(in, decide_spec, err)))
		return rc;
	if (blank(mrm__str(in, "note")))
		return mrm_error_set(err, MRM_EINPUT, "field 'note' must not be empty: a decision needs a record of why");
	if (!strcmp(decision, "conditional") && conditions == 0)
		return mrm_error_set(err, MRM_EINPUT,
				     "a conditional decision needs at least one condition (--condition TEXT)");
	if (strcmp(decision, "conditional") && conditions > 0)
		return mrm_error_set(err, MRM_EINPUT,
				     "conditions belong to a conditional decision, not '%s'", decision);
	return MRM_OK;
}

/* Who may decide: validator or approver, independent; tier 1 approvals by an approver. */
static int may_decide(struct mrm_ctx *ctx, json_t *model, const char *decision,
		      struct mrm_error *err)
{
	int tier = tier_of(model), rc;

	if ((rc = mrm__require_role(ctx, (const char *const[]){ "validator", "approver", NULL },
				    "decide reviews", err)) ||
	    (rc = independent(ctx, model, "decide its review", err)))
		return rc;
	if (tier <= 1 && strcmp(decision, "reject") && !mrm__actor_has(ctx, "approver"))
		return mrm_error_set(err, MRM_EPERM,
				     "not permitted: on %s model '%s'%s only role approver may %s; %s may "
				     "reject or leave the review open",
				     tier ? "tier 1" : "untiered", mrm__str(model, "id"),
				     tier ? "" : " (treated as tier 1)",
				     strcmp(decision, "approve") ? "approve with conditions" : "approve", ctx->actor);
	return MRM_OK;
}

int mrm_review_decide(struct mrm_ctx *ctx, const char *id, json_t *fields,
		      json_t **out, struct mrm_error *err)
{
	static const struct { const char *decision, *status; } to_status[] = {
		{ "approve", "approved" }, { "conditional", "conditional" }, { "reject", "rejected" },
	};
	json_t *in = fields ? json_deep_copy(fields) : json_object(), *before = NULL, *model = NULL;
	const char *decision, *status = "open", *model_id;
	char *conditions = NULL, due[MRM_DATE_LEN];
	int64_t rid, others = 0;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = mrm__parse_id(id, "R", "review", &rid, err)) || (rc = check_decision(in, err)))
		goto out;
	decision = mrm__str(in, "decision");
	if (!json_object_get(in, "conditions") || json_is_null(json_object_get(in, "conditions")))
		json_object_set_new(in, "conditions", json_array());
	if (!(conditions = json_dumps(json_object_get(in, "conditions"), JSON_COMPACT))) {
		rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
		goto out;
	}
	if ((rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = mrm__require_user(ctx, err)) ||
	    (rc = mrm__row(ctx, "SELECT * FROM reviews WHERE id = ?", PARAMS(PI(rid)), &before, err)))
		goto fail;
	if (!before) {
		rc = mrm_error_set(err, MRM_ENOTFOUND, "no review R-%" PRId64 " (see 'mrm review list')", rid);
		goto fail;
	}
	model_id = mrm__str(before, "model_id");
	if ((rc = mrm__model_get(ctx, model_id, &model, err)) ||
	    (rc = may_decide(ctx, model, decision, err)))
		goto fail;
	if (strcmp(mrm__str(before, "status"), "open")) {
		rc = mrm_error_set(err, MRM_EINPUT, "review R-%" PRId64 " was already decided (%s by %s at %s)",
				   rid, mrm__str(before, "decision"), mrm__str(before, "decided_by"),
				   mrm__str(before, "decided_at"));
		goto fail;
	}
	/* A material version can open a second review; the model stays under review until both are decided. */
	if ((rc = mrm__int(ctx, "SELECT count(*) FROM reviews WHERE model_id = ? AND status = 'open' AND id <> ?",
			   PARAMS(PT(model_id), PI(rid)), &others, err)))
		goto fail;
	for (size_t i = 0; !others && i < sizeof(to_status) / sizeof(to_status[0]); i++)
		if (!strcmp(to_status[i].decision, decision))
			status = to_status[i].status;
	mrm__add_months(ctx->today, mrm_review_cadence_months(tier_of(model)), due);
	if ((rc = mrm__exec(ctx,
			    "UPDATE reviews SET status = 'decided', decision = ?, decision_note = ?, "
			    "conditions = ?, decided_by = ?, decided_at = ? WHERE id = ?",
			    PARAMS(PT(decision), PT(mrm__str(in, "note")), PT(conditions), PT(ctx->actor),
				   PT(ctx->now_iso), PI(rid)),
			    err)) ||
	    (rc = mrm__audit_id(ctx, "review.decide", "review", rid, model_id, before, err)) ||
	    (rc = mrm__exec(ctx,
			    "UPDATE models SET review_status = ?, last_reviewed = ?, next_review_due = ?, "
			    "updated_at = ? WHERE id = ?",
			    PARAMS(PT(status), PT(ctx->today), PT(due), PT(ctx->now_iso), PT(model_id)), err)) ||
	    (rc = mrm__audit(ctx, "model.review_decided", "model", model_id, model_id, model, err)) ||
	    (rc = mrm__commit(ctx, err)))
		goto fail;
	if (out)
		rc = load(ctx, rid, out, err);
	goto out;
fail:
	mrm__rollback(ctx);
out:
	free(conditions);
	json_decref(model);
	json_decref(before);
	json_decref(in);
	return rc;
}

int mrm_review_list(struct mrm_ctx *ctx, const struct mrm_review_filter *f,
		    json_t **out, struct mrm_error *err)
{
	const char *model_id = f ? f->model_id : NULL, *status = f ? f->status : NULL;
	json_t *model = NULL, *r;
	size_t i;
	int rc;

	*out = NULL;
	if (status && (rc = mrm__check_enum(status, mrm_review_statuses, "status", err)))
		return rc;
	if (model_id && (rc = mrm__model_get(ctx, model_id, &model, err)))
		return rc;
	json_decref(model);
	if ((rc = mrm__rows(ctx,
			    "SELECT * FROM reviews WHERE (? IS NULL OR model_id = ?) AND (? IS NULL OR status = ?) "
			    "ORDER BY id",
			    PARAMS(PT(model_id), PT(model_id), PT(status), PT(status)), out, err)))
		return rc;
	json_array_foreach(*out, i, r)
		mrm__present("review", r);
	return MRM_OK;
}

int mrm_review_show(struct mrm_ctx *ctx, const char *id, json_t **out,
		    struct mrm_error *err)
{
	int64_t rid;
	int rc;

	*out = NULL;
	if ((rc = mrm__parse_id(id, "R", "review", &rid, err)))
		return rc;
	return load(ctx, rid, out, err);
}
