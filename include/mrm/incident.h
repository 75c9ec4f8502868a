/*
 * Incidents: when a model misbehaved in use, from onset to resolution.
 *
 * An incident has four times, which must stay in order and never lie in
 * the future: started (onset of the problem) <= detected <= mitigated
 * (harm stopped) <= resolved (root cause fixed). Its status follows from
 * them: "open" until mitigated, then "mitigated", then "resolved". The
 * durations between them feed the MTTD (onset to detection) and MTTR
 * (detection to mitigation) KPIs. See docs/incidents.md.
 */
#ifndef MRM_INCIDENT_H
#define MRM_INCIDENT_H

#include <stdbool.h>

#include <jansson.h>

#include "mrm/ctx.h"

extern const char *const mrm_incident_severities[];  /* sev1 (worst) ... sev4 */
extern const char *const mrm_incident_root_causes[]; /* data-quality ... unknown */

/*
 * Opens an incident on model `model_id`. fields: severity and title
 * (required), description, started and detected (ISO 8601 times; both
 * default to now), findings (list of "F-N" to link). Needs role owner,
 * validator, approver or admin (MRM_EPERM). Unknown model or finding:
 * MRM_ENOTFOUND. Bad values, times out of order or in the future, a
 * finding of another model or given twice: MRM_EINPUT. `*out` (may be
 * NULL) receives the incident as mrm_incident_show gives it.
 */
int mrm_incident_open(struct mrm_ctx *ctx, const char *model_id, json_t *fields,
		      json_t **out, struct mrm_error *err);

/*
 * Changes incident `incident` ("I-N" or "N"). fields: any of severity,
 * title, description, started, detected, mitigated, resolved, root_cause
 * (one of mrm_incident_root_causes), root_cause_note, findings (more
 * findings to link). Times that are already set may be corrected (the
 * audit trail keeps the old value). resolved needs mitigated, already or
 * in the same call. Permissions and errors as for open; an empty `fields`
 * is MRM_EUSAGE, a change to nothing MRM_EINPUT. `*out` as for open, plus
 * "changed": the names of the fields changed.
 */
int mrm_incident_update(struct mrm_ctx *ctx, const char *incident, json_t *fields,
			json_t **out, struct mrm_error *err);

struct mrm_incident_filter {
	const char *model_id; /* or NULL for all; unknown: MRM_ENOTFOUND */
	bool open_only;       /* only incidents not yet resolved */
};

/* Incidents matching `f`, oldest first, each as mrm_incident_show gives it. */
int mrm_incident_list(struct mrm_ctx *ctx, const struct mrm_incident_filter *f,
		      json_t **out, struct mrm_error *err);

/*
 * One incident: its row (id "I-N") with status (open, mitigated,
 * resolved), time_to_detect_hours (started -> detected),
 * time_to_mitigate_hours (detected -> mitigated), time_to_resolve_hours
 * (detected -> resolved), each null until both ends are set, and findings
 * (array of "F-N"). Unknown incident: MRM_ENOTFOUND.
 */
int mrm_incident_show(struct mrm_ctx *ctx, const char *incident, json_t **out,
		      struct mrm_error *err);

#endif
