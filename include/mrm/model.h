/*
 * The model inventory: models, their versions and lifecycle.
 *
 * Mutations take their fields as a JSON object (the CLI builds it from
 * flags, the server from a request body) and give back the stored row.
 * Field names are those of docs/governance.md; unknown fields, bad enum
 * values and bad dates are MRM_EINPUT naming the field.
 */
#ifndef MRM_MODEL_H
#define MRM_MODEL_H

#include <jansson.h>

#include "mrm/ctx.h"

extern const char *const mrm_model_types[];    /* classification ... other */
extern const char *const mrm_model_statuses[]; /* development ... retired */
extern const char *const mrm_change_types[];   /* new retrain prompt ... */

/*
 * Registers a model. Required: id (slug), name, owner (a registered
 * user), purpose. Optional: team, intended_use, out_of_scope_use,
 * population, type (default "other"; "llm" and "agent" imply genai),
 * genai, vendor, data_sources (list), status (default "development"),
 * deployment, next_review_due (date). Needs role owner, validator or
 * admin. Duplicate id: MRM_EINPUT.
 */
int mrm_model_add(struct mrm_ctx *ctx, json_t *fields, json_t **out,
		  struct mrm_error *err);

/*
 * Changes fields of model `id` (any of those above except id). Needs the
 * model's owner, or role validator or admin. A retired model cannot change
 * status. Unknown id: MRM_ENOTFOUND.
 */
int mrm_model_update(struct mrm_ctx *ctx, const char *id, json_t *fields,
		     json_t **out, struct mrm_error *err);

struct mrm_model_filter {
	int tier;           /* 1-3, or 0 for any */
	const char *status; /* or NULL */
	const char *owner;  /* or NULL */
};

/* Models matching `f`, by id, each with open_findings counted. */
int mrm_model_list(struct mrm_ctx *ctx, const struct mrm_model_filter *f,
		   json_t **out, struct mrm_error *err);

/*
 * One model with everything known about it: versions, tier history,
 * evidence, findings, acceptances, reviews, sign-offs and incidents.
 */
int mrm_model_show(struct mrm_ctx *ctx, const char *id, json_t **out,
		   struct mrm_error *err);

/*
 * Adds version `version` of model `id`. fields: artifact (a local file is
 * hashed; a URI is kept as is), artifact_sha256, change_type (default
 * "new" for the first version, else "retrain"), material (bool), notes.
 * The version becomes current. A material change reopens review: the
 * model's review_status becomes "open", next_review_due today, and a review
 * of the new version is opened (an already open review is kept and moved
 * to the new version); `*out` then carries "review_opened": "R-N". Needs
 * the model's owner, or role validator or admin.
 */
int mrm_version_add(struct mrm_ctx *ctx, const char *id, const char *version,
		    json_t *fields, json_t **out, struct mrm_error *err);

#endif
