/*
 * The tamper-evident audit trail.
 *
 * Every mutation appends one event (actor, effective and recorded time,
 * action, object, change as JSON, the SHA-256 of the object's state after
 * the change, the previous event's hash and its own hash) in the same
 * transaction as the change. See docs/audit.md for the exact hash input.
 */
#ifndef MRM_AUDIT_H
#define MRM_AUDIT_H

#include <jansson.h>

#include "mrm/ctx.h"

struct mrm_audit_filter {
	const char *model_id;    /* only events about this model, or NULL */
	const char *object_type; /* with object_id: one object's history */
	const char *object_id;   /* as displayed, e.g. "F-12" or a model id */
	long limit;              /* newest N events; 0 for all */
};

/*
 * Events in chain order (oldest first) as a JSON array; each has seq, ts,
 * recorded_at, actor, action, object_type, object (display id), model_id,
 * change, hash. Unknown model: MRM_ENOTFOUND.
 */
int mrm_audit_log(struct mrm_ctx *ctx, const struct mrm_audit_filter *f,
		  json_t **out, struct mrm_error *err);

/*
 * Walks the whole chain and replays it against the governance tables.
 * `*out` receives { "ok", "events", "objects", "head", "first_bad_event",
 * "problems": [ { "event", "object", "problem" } ], "problem_count" }.
 * Returns MRM_OK when the chain is intact, MRM_ECHECK (with the first
 * problem in `err`) when anything was edited, deleted, inserted or
 * reordered behind mrm's back, or a store error.
 */
int mrm_audit_verify(struct mrm_ctx *ctx, json_t **out, struct mrm_error *err);

#endif
