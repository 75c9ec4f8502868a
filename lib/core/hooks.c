/*
 * Hooks from documents and evidence packs to subsystems built on other
 * branches: the gate (mrm gate) and the KPIs (mrm kpi). Until they are
 * wired here, each hook answers "not available in this build" and the
 * documents and packs say so; wiring one is a change to this file only.
 */
#include "core/doc.h"

const char mrm__hook_gate_missing[] = "the gate is not available in this build";
const char mrm__hook_kpis_missing[] = "KPIs are not available in this build";

int mrm__hook_gate(struct mrm_ctx *ctx, const char *model, const struct mrm_policy *policy,
		   json_t **out, struct mrm_error *err)
{
	(void)ctx, (void)model, (void)policy, (void)err;
	*out = NULL;
	return MRM_OK;
}

int mrm__hook_kpis(struct mrm_ctx *ctx, json_t **out, struct mrm_error *err)
{
	(void)ctx, (void)err;
	*out = NULL;
	return MRM_OK;
}
