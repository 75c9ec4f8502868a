/*
 * Hooks from documents and evidence packs to the gate (mrm gate) and the KPIs (mrm kpi), so
 * that doc*.c and pack.c depend on two functions rather than on those subsystems' headers.
 */
#include <stdlib.h>

#include "core/doc.h"
#include "mrm/gate.h"
#include "mrm/kpi.h"
#include "mrm/policy.h"

const char mrm__hook_gate_missing[] = "the gate is not available in this build";
const char mrm__hook_kpis_missing[] = "KPIs are not available in this build";

int mrm__hook_gate(struct mrm_ctx *ctx, const char *model, const struct mrm_policy *policy,
		   json_t **out, struct mrm_error *err)
{
	struct mrm_gate_options o = { .policy = policy };
	int rc;

	*out = NULL;
	rc = mrm_gate_run(ctx, model, &o, out, err);
	if (rc == MRM_ECHECK) { /* a failed gate is a result, not an error */
		mrm_error_clear(err);
		rc = MRM_OK;
	}
	return rc;
}

/* The KPIs as of today, with the built-in policy's inventory fields per tier. */
int mrm__hook_kpis(struct mrm_ctx *ctx, json_t **out, struct mrm_error *err)
{
	struct mrm_kpi_options o = { 0 };
	const char **lists[MRM_KPI_TIERS] = { 0 };
	struct mrm_policy *p = NULL;
	int rc, t;

	*out = NULL;
	if ((rc = mrm_policy_default(&p, err)))
		return rc;
	for (t = 0; t < MRM_KPI_TIERS && t < MRM_POLICY_TIERS; t++) {
		const struct mrm_policy_tier *pt = &p->tiers[t];
		size_t n = pt->has_inventory_fields ? pt->ninventory_fields : 0, i;

		if (!(lists[t] = calloc(n + 1, sizeof(*lists[t])))) {
			rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
			goto out;
		}
		for (i = 0; i < n; i++)
			lists[t][i] = pt->inventory_fields[i];
		o.inventory_fields[t] = lists[t];
	}
	rc = mrm_kpi_compute(ctx, &o, out, err);
out:
	for (t = 0; t < MRM_KPI_TIERS; t++)
		free(lists[t]);
	mrm_policy_free(p);
	return rc;
}
