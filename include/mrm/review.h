/*
 * Independent reviews of a model version: opened by a validator who does
 * not own the model, decided (approve, conditional or reject) with a
 * decision record, and setting when the model is next due for review.
 *
 * Ids are shown as "R-N"; functions that take an id accept "R-12" or "12".
 * See docs/acceptances-reviews.md for the lifecycle and the cadence.
 */
#ifndef MRM_REVIEW_H
#define MRM_REVIEW_H

#include <jansson.h>

#include "mrm/ctx.h"

extern const char *const mrm_review_decisions[]; /* approve conditional reject */
extern const char *const mrm_review_statuses[];  /* open decided */

/*
 * Months until the next periodic review after a decision, by tier
 * (1: 12, 2: 24, 3: 36); an untiered model (tier 0 here) gets 12.
 */
int mrm_review_cadence_months(int tier);

/*
 * Opens a review of model `model_id`. fields: version (default the
 * model's current version, which may be none; a given version must exist,
 * else MRM_ENOTFOUND), reason (text), intake_complete (bool: was the
 * submission complete at intake; absent means not assessed, stored null).
 * Needs role validator or admin, and the actor must not own the model
 * (MRM_EPERM). A model has at most one open review: another open one is
 * MRM_EINPUT naming it. Sets the model's review_status to "open". The
 * review and the model change are audited in one transaction. `*out` (may
 * be NULL) receives the review as mrm_review_show() gives it.
 *
 * Note: a material version (mrm_version_add) opens a review by itself.
 */
int mrm_review_open(struct mrm_ctx *ctx, const char *model_id, json_t *fields,
		    json_t **out, struct mrm_error *err);

/*
 * Decides open review `id`. fields: decision (required: approve,
 * conditional or reject), note (required, non-empty: the decision
 * record's reasoning), conditions (list of text; at least one for
 * conditional, none otherwise, else MRM_EINPUT).
 *
 * The actor needs role validator or approver (admin alone is not enough)
 * and must not own the model; on a tier 1 or untiered model only role
 * approver may approve or set conditions, a validator may only reject
 * (MRM_EPERM). A decided review is MRM_EINPUT; an unknown one
 * MRM_ENOTFOUND. The model's review_status becomes approved, conditional
 * or rejected (it stays "open" while another review of the model is still
 * open), last_reviewed today, and next_review_due today plus
 * mrm_review_cadence_months() of its tier. Audited in one transaction.
 * `*out` (may be NULL) receives the decided review as mrm_review_show()
 * gives it.
 */
int mrm_review_decide(struct mrm_ctx *ctx, const char *id, json_t *fields,
		      json_t **out, struct mrm_error *err);

struct mrm_review_filter {
	const char *model_id; /* or NULL */
	const char *status;   /* "open", "decided", or NULL */
};

/*
 * Reviews matching `f`, oldest first, as a JSON array of review rows (id
 * "R-N", model_id, version, status, reason, intake_complete, opened_by,
 * opened_at, decision, decision_note, conditions, decided_by,
 * decided_at). Unknown model: MRM_ENOTFOUND; bad status: MRM_EINPUT.
 */
int mrm_review_list(struct mrm_ctx *ctx, const struct mrm_review_filter *f,
		    json_t **out, struct mrm_error *err);

/*
 * One review: the row as in the list plus the model's state now:
 * model_tier (null if untiered), model_review_status and
 * model_next_review_due. Bad id: MRM_EINPUT; unknown: MRM_ENOTFOUND.
 */
int mrm_review_show(struct mrm_ctx *ctx, const char *id, json_t **out,
		    struct mrm_error *err);

#endif
