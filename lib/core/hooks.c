/*
 * Hooks from documents and evidence packs to the gate (mrm gate) and the KPIs (mrm kpi), so
 * that doc*.c and pack.c depend on two functions rather than on those subsystems' headers.
 */
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

/* The KPIs as of today, with `policy`'s inventory fields per tier and KPI targets. */
int mrm__hook_kpis(struct mrm_ctx *ctx, const struct mrm_policy *policy, json_t **out,
		   struct mrm_error *err)
{
	struct mrm_kpi_options o = { 0 };
	struct mrm_policy *own = NULL;
	int rc;

	*out = NULL;
	if (!policy) {
		if ((rc = mrm_policy_default(&own, err)))
			return rc;
		policy = own;
	}
	mrm_policy_kpi_options(policy, &o);
	rc = mrm_kpi_compute(ctx, &o, out, err);
	mrm_policy_free(own);
	return rc;
}
