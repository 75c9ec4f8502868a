/*
 * Risk acceptances: a decision, by someone with the authority for the
 * model's tier, to live with the residual risk of one or more findings
 * until an expiry date.
 *
 * An acceptance covers its findings while it is not revoked and today is
 * before its `expires` date: `expires` is the first day it no longer
 * covers. Accepting never changes a finding's stored status; the findings
 * module derives the effective status ("risk-accepted") at read time from
 * mrm_acceptance_covering(). Ids are shown as "A-N" (acceptances) and
 * "F-N" (findings); functions that take an id accept "A-12" or "12".
 * See docs/acceptances-reviews.md for the rules and why they exist.
 */
#ifndef MRM_ACCEPTANCE_H
#define MRM_ACCEPTANCE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "mrm/ctx.h"

/* The longest an acceptance may run: it must be re-reviewed at least yearly. */
#define MRM_ACCEPTANCE_MAX_DAYS 365

/*
 * The roles that may accept risk on a model of `tier` (any other value is
 * treated as tier 1), strongest first, NULL-terminated: the rule
 * mrm_accept() enforces, for the policy checker to compare against.
 */
const char *const *mrm_acceptance_authority(int tier);

/* Whether a model's owner may accept its risk at `tier` (only at tier 3). */
bool mrm_acceptance_owner_may_accept(int tier);

/*
 * Accepts the residual risk of findings of model `model_id`. fields:
 *   findings   (required) list of finding ids ("F-3" or 3), no duplicates;
 *   rationale  (required) non-empty text: why the risk is acceptable;
 *   expires    (required) date strictly after today and at most
 *              MRM_ACCEPTANCE_MAX_DAYS days after today;
 *   controls   compensating controls (text);
 *   triggers   list of re-review triggers (text), e.g. "new model version".
 *
 * Authority by the model's tier (an untiered model is treated as tier 1):
 * tier 1 needs role approver, tier 2 approver or validator, and in both
 * the actor must not be the model's owner; tier 3 accepts approver,
 * validator or owner. In every tier the actor must not own any of the
 * covered findings. The role that granted the authority is recorded as
 * authority_role (approver first, then validator, then owner) with the
 * model's tier at the time.
 *
 * Errors: MRM_ENOTFOUND for an unknown model or finding; MRM_EINPUT for a
 * missing or bad field, a finding of another model, a closed finding, a
 * duplicate, a finding already covered by an active acceptance, or an
 * expiry out of range; MRM_EPERM when the authority or independence rules
 * refuse (the store is left unchanged). The acceptance and each covered
 * finding link are audited in one transaction. `*out` (may be NULL)
 * receives the acceptance as one item of mrm_acceptance_list(); caller
 * frees.
 */
int mrm_accept(struct mrm_ctx *ctx, const char *model_id, json_t *fields,
	       json_t **out, struct mrm_error *err);

/* The states of an acceptance, as shown in "state". */
extern const char *const mrm_acceptance_states[]; /* active expired revoked */

struct mrm_acceptance_filter {
	const char *model_id; /* only this model's acceptances, or NULL */
	const char *state;    /* "active", "expired", "revoked", or NULL for all */
};

/*
 * Acceptances matching `f`, oldest first, as a JSON array. Each has id
 * ("A-N"), model_id, findings (list of "F-N"), accepted_by,
 * authority_role, model_tier, rationale, controls, expires, triggers,
 * created_at, revoked_at/by, revoke_reason, state (active, expired or
 * revoked; revoked wins) and days_to_expiry (days from today to expires,
 * negative once expired; null when revoked). Unknown model: MRM_ENOTFOUND;
 * bad state: MRM_EINPUT. Caller frees `*out`.
 */
int mrm_acceptance_list(struct mrm_ctx *ctx, const struct mrm_acceptance_filter *f,
			json_t **out, struct mrm_error *err);

/*
 * One acceptance, as in the list, plus covered_findings: the findings'
 * id, severity, category, title, owner and stored status. Bad id:
 * MRM_EINPUT; unknown: MRM_ENOTFOUND. Caller frees `*out`.
 */
int mrm_acceptance_show(struct mrm_ctx *ctx, const char *id, json_t **out,
			struct mrm_error *err);

/*
 * Revokes acceptance `id` with a non-empty `reason`: from now on it covers
 * nothing. Needs role approver or admin, or the original acceptor
 * (MRM_EPERM otherwise). A blank reason, a malformed id and revoking a
 * revoked acceptance are MRM_EINPUT; an unknown id MRM_ENOTFOUND. An
 * expired acceptance may be revoked (its state becomes "revoked").
 * Audited. `*out` (may be NULL) receives the acceptance as one item of
 * mrm_acceptance_list(); caller frees.
 */
int mrm_acceptance_revoke(struct mrm_ctx *ctx, const char *id, const char *reason,
			  json_t **out, struct mrm_error *err);

/*
 * The acceptance that covers finding `finding_id` today, if any: `*out`
 * receives it as one item of mrm_acceptance_list(), or NULL when no active
 * acceptance covers the finding. For the findings module's effective
 * status. Caller frees `*out`.
 */
int mrm_acceptance_covering(struct mrm_ctx *ctx, int64_t finding_id, json_t **out,
			    struct mrm_error *err);

#endif
