/*
 * Evidence: files (validation reports, model cards, red-team runs ...)
 * registered against a model, and optionally one of its versions, with
 * their SHA-256 and size, so that findings, reviews and acceptances can
 * point at exactly the document they relied on and anyone can check
 * later that it has not changed since.
 *
 * Evidence is displayed as "E-N"; functions taking an evidence id accept
 * "E-12", "e-12" or "12". See docs/findings.md.
 */
#ifndef MRM_EVIDENCE_H
#define MRM_EVIDENCE_H

#include <jansson.h>

#include "mrm/ctx.h"

/* validation-report fairness-report ... other, NULL-terminated. */
extern const char *const mrm_evidence_kinds[];

/*
 * Registers the file at `path` as evidence of `kind` for model
 * `model_id`. The file is hashed (SHA-256) and its size recorded; the
 * stored path is absolute (symbolic links resolved). produced_by is the
 * actor. fields (may be NULL): version (an existing version of the model),
 * note. Needs a registered user holding owner, validator, approver or
 * admin (an auditor alone may read evidence but not register it).
 * Errors: bad kind, unknown field, missing or unreadable file:
 * MRM_EINPUT naming it; unknown model or version: MRM_ENOTFOUND;
 * MRM_EPERM. `*out` (may be NULL; caller frees) receives the stored row
 * with "id" as "E-N".
 */
int mrm_evidence_add(struct mrm_ctx *ctx, const char *model_id, const char *kind,
		     const char *path, json_t *fields, json_t **out,
		     struct mrm_error *err);

/*
 * Evidence of model `model_id` (NULL: all models) as a new JSON array,
 * oldest first: id ("E-N"), model_id, version, kind, path, sha256, size,
 * note, produced_by, created_at. Unknown model: MRM_ENOTFOUND.
 */
int mrm_evidence_list(struct mrm_ctx *ctx, const char *model_id, json_t **out,
		      struct mrm_error *err);

/*
 * One evidence row, plus "findings": the findings that cite it (as the
 * evidence they were raised on, or as verification evidence), each
 * { id, title, status, cited_as }. Unknown or malformed id:
 * MRM_ENOTFOUND / MRM_EINPUT. Caller frees `*out`.
 */
int mrm_evidence_show(struct mrm_ctx *ctx, const char *id, json_t **out,
		      struct mrm_error *err);

/*
 * Re-hashes every registered file (of model `model_id`, or all when
 * NULL). Read-only: it writes nothing, not even an audit event.
 * `*out` (caller frees) receives { "ok": bool, "checked": N, "unchanged":
 * N, "changed": N, "missing": N, "items": [ { id, model_id, kind, path,
 * result: "ok"|"changed"|"missing", sha256 (registered), actual_sha256
 * (null when missing), size, actual_size, error (why a file counts as
 * missing, or null) } ] }. A file that cannot be opened or read counts as
 * missing. Returns MRM_OK when every file is unchanged, MRM_ECHECK (with
 * a summary naming the first bad item in `err`) when any changed or is
 * missing, MRM_ENOTFOUND for an unknown model.
 */
int mrm_evidence_verify(struct mrm_ctx *ctx, const char *model_id, json_t **out,
			struct mrm_error *err);

#endif
