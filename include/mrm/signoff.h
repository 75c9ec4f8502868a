/*
 * Sign-offs: a named person putting their role's name to a model version
 * (the owner attests it is ready, the validator that it was validated, the
 * approver that it may be used).
 *
 * Ids are shown as "S-N". See docs/acceptances-reviews.md for the
 * separation of duties these functions enforce.
 */
#ifndef MRM_SIGNOFF_H
#define MRM_SIGNOFF_H

#include <jansson.h>

#include "mrm/ctx.h"

/*
 * Records the actor's sign-off of model `model_id`. fields: role
 * (required: owner, validator, approver, auditor or admin), version
 * (default the model's current version; with none the sign-off has a null
 * version; a given version must exist, else MRM_ENOTFOUND), note (text).
 *
 * Rules (MRM_EPERM): the actor must hold `role`; an owner sign-off only by
 * the model's owner; validator and approver sign-offs never by the model's
 * owner; one person signs a model version in one role only (the message
 * names the earlier sign-off). Signing the same version in the same role
 * twice is MRM_EINPUT. Unknown model: MRM_ENOTFOUND. Audited. `*out` (may
 * be NULL) receives the sign-off row.
 */
int mrm_signoff_add(struct mrm_ctx *ctx, const char *model_id, json_t *fields,
		    json_t **out, struct mrm_error *err);

/*
 * The sign-offs of model `model_id`, oldest first, as a JSON array of rows
 * (id "S-N", model_id, version, role, user_name, note, created_at).
 * Unknown model: MRM_ENOTFOUND.
 */
int mrm_signoff_list(struct mrm_ctx *ctx, const char *model_id, json_t **out,
		     struct mrm_error *err);

#endif
