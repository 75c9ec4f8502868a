/*
 * Findings: weaknesses found in a model (by validation, audit, monitoring
 * or an incident), who owns their remediation, by when, and the workflow
 * that takes them to closure.
 *
 * Stored workflow status: open -> in-remediation -> awaiting-verification
 * -> closed. Closing needs a verification (with evidence) recorded by
 * someone other than the finding owner, and a closer who is not the owner
 * either (separation of duties). A finding covered by a risk acceptance
 * in force (not revoked, not expired, see mrm accept) has the EFFECTIVE
 * status "risk-accepted"; every read reports that effective status as
 * "status" and the stored one as "workflow_status".
 *
 * Findings are displayed as "F-N" (evidence "E-N", acceptances "A-N");
 * functions taking ids accept "F-12", "f-12" or "12". Dates are
 * "YYYY-MM-DD". The full rules, with their reasons, are in
 * docs/findings.md.
 */
#ifndef MRM_FINDING_H
#define MRM_FINDING_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "mrm/ctx.h"

extern const char *const mrm_finding_severities[]; /* critical high medium low */
extern const char *const mrm_finding_categories[]; /* performance ... governance */
/* Stored workflow statuses: open in-remediation awaiting-verification closed. */
extern const char *const mrm_finding_statuses[];
/* Effective statuses: the stored ones plus risk-accepted (filters). */
extern const char *const mrm_finding_effective_statuses[];

/* Days from today to the default due date for `severity` (0 if unknown):
 * critical 30, high 90, medium 180, low 365. */
int mrm_finding_default_due_days(const char *severity);

/*
 * Raises a finding on model `model_id`. fields: severity, category, title
 * (required; title is stored trimmed); description; owner (a registered
 * user; default the model owner); due (date, not in the past; default
 * today + mrm_finding_default_due_days(severity)); version (an existing
 * version of the model); evidence_id ("E-N", evidence of the same model);
 * repeat_of ("F-N", a finding of the same model). Without repeat_of, a
 * CLOSED finding of the same model with the same category and title
 * (case-insensitive, trimmed) makes the new one a repeat of the most
 * recently closed such finding; `*out` then carries "repeat_detected":
 * true. Status starts "open"; raised_by is the actor.
 * Needs role validator, auditor or admin. Errors: MRM_EINPUT (bad or
 * missing field, due in the past, unknown owner, evidence or repeat_of of
 * another model, retired model), MRM_ENOTFOUND (model, version, evidence,
 * repeat_of), MRM_EPERM. `*out` (may be NULL; caller frees) receives the
 * finding as mrm_finding_show() gives it.
 */
int mrm_finding_add(struct mrm_ctx *ctx, const char *model_id, json_t *fields,
		    json_t **out, struct mrm_error *err);

struct mrm_finding_filter {
	const char *model_id; /* or NULL */
	const char *status;   /* effective status, or NULL for any */
	const char *severity; /* or NULL */
	const char *owner;    /* or NULL */
	bool overdue;         /* only overdue findings */
};

/*
 * Findings matching `f` (NULL: all), by id, as a new JSON array of
 * { id, model_id, severity, category, title, owner, due, status
 * (effective), workflow_status (stored), overdue, repeat_of,
 * evidence_id, accepted_by_acceptance ("A-N" in force, or null),
 * acceptance_expires (date the acceptance in force stops covering; when
 * acceptance_expired, the date the last one stopped; else null),
 * acceptance_expired, created_at }. overdue: due < today and the
 * effective status is neither closed nor risk-accepted. Filtering by
 * status uses the effective status: "open" includes open findings whose
 * acceptance has expired and excludes covered ones. Errors: bad status or
 * severity MRM_EINPUT; unknown model MRM_ENOTFOUND.
 */
int mrm_finding_list(struct mrm_ctx *ctx, const struct mrm_finding_filter *f,
		     json_t **out, struct mrm_error *err);

/*
 * Receives output text in chunks; returns 0 to go on, nonzero to stop
 * (a write error).
 */
typedef int (*mrm_finding_write_fn)(void *arg, const char *data, size_t len);

/*
 * The same list as mrm_finding_list(), streamed as the JSON document
 * {"findings": [...]} (two-space indent, as `mrm --json` prints it, then
 * a newline) to `write`, row by row without building it in memory: the
 * way to list 100,000 findings quickly. Same errors as
 * mrm_finding_list(), raised before anything is written; MRM_ESTORE if
 * `write` fails.
 */
int mrm_finding_list_write(struct mrm_ctx *ctx, const struct mrm_finding_filter *f,
			   mrm_finding_write_fn write, void *arg, struct mrm_error *err);

/*
 * One finding: every stored column (ids displayed as F-/E-N; status
 * effective, workflow_status stored) plus overdue, accepted_by_acceptance,
 * acceptance_expires, acceptance_expired, "acceptances" (every acceptance
 * naming it: { id, accepted_by, authority_role, expires, revoked_at,
 * in_force }) and "incidents" (linked incidents: { id, severity, title,
 * started, resolved }). Unknown id MRM_ENOTFOUND, malformed MRM_EINPUT.
 */
int mrm_finding_show(struct mrm_ctx *ctx, const char *id, json_t **out,
		     struct mrm_error *err);

/*
 * Changes finding `id`. fields: status (a workflow move, below), owner,
 * due (not in the past), severity, title, description.
 * Allowed status moves: open -> in-remediation, open ->
 * awaiting-verification, in-remediation -> awaiting-verification,
 * awaiting-verification -> in-remediation, in-remediation -> open.
 * Closing goes through mrm_finding_close(); risk acceptance through mrm
 * accept. Entering awaiting-verification starts a new verification round:
 * verified_by, verified_at and verification_evidence_id are cleared
 * (the previous round stays in the audit trail).
 * Who: a status move needs the finding owner, the model owner, or role
 * validator or admin; other fields need role validator or admin, or the
 * user who raised the finding.
 * Errors: MRM_EINPUT (disallowed move, naming from/to and the allowed
 * moves; closed finding; bad value; nothing changed), MRM_EPERM,
 * MRM_ENOTFOUND, MRM_EUSAGE (empty fields).
 */
int mrm_finding_update(struct mrm_ctx *ctx, const char *id, json_t *fields,
		       json_t **out, struct mrm_error *err);

/*
 * Records the verification of a remediation. fields: evidence_id
 * (required, "E-N" of the same model), note, fail (bool). The finding
 * must be awaiting-verification. The actor must hold validator or admin
 * and must not be the finding owner (separation of duties). Success sets
 * verified_by, verified_at, verification_evidence_id and
 * verification_note; with fail the finding goes back to in-remediation
 * and only verification_note is recorded.
 * Errors: MRM_EINPUT (wrong status, evidence of another model),
 * MRM_ENOTFOUND (finding, evidence), MRM_EPERM.
 */
int mrm_finding_verify(struct mrm_ctx *ctx, const char *id, json_t *fields,
		       json_t **out, struct mrm_error *err);

/*
 * Closes finding `id`. fields (may be NULL): evidence_id, note. The
 * finding must be awaiting-verification. Without evidence_id it must have
 * a verification recorded by someone other than its owner; with it, the
 * actor's verification (evidence_id, note) is recorded first, in the same
 * transaction. The closer must hold validator or admin and must not be
 * the finding owner. Sets closed_by and closed_at.
 * Errors: MRM_EINPUT (already closed, wrong status, no independent
 * verification, note without evidence_id), MRM_ENOTFOUND, MRM_EPERM.
 */
int mrm_finding_close(struct mrm_ctx *ctx, const char *id, json_t *fields,
		      json_t **out, struct mrm_error *err);

#endif
