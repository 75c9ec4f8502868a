/*
 * Shared by the files that gather governance documents from the store
 * (doc.c, doc-mra.c, doc-annex.c) and by evidence packs (pack.c): the facts
 * about one model that every document reads, loaded once. Not a public
 * API (names are mrm__).
 */
#ifndef MRM_CORE_DOC_H
#define MRM_CORE_DOC_H

#include <stdbool.h>

#include <jansson.h>

#include "mrm/ctx.h"
#include "mrm/doc.h"
#include "mrm/error.h"
#include "mrm/policy.h"

/* Everything the documents say about one model, read from the store. */
struct mrm__facts {
	const char *id;
	json_t *model;       /* mrm_model_show(): the row, versions, evidence, reviews, sign-offs ... */
	json_t *tier;        /* mrm_tier_show(): answers of the latest assessment (may be null) */
	json_t *findings;    /* mrm_finding_list() of the model: effective statuses */
	json_t *acceptances; /* mrm_acceptance_list() of the model, with state */
	json_t *monitors;    /* mrm_monitor_list() of the model */
	json_t *alerts;      /* open alerts of the model */
	json_t *incidents;   /* mrm_incident_list() of the model */
	const struct mrm_policy *policy; /* the one documents cite (borrowed or owned) */
	struct mrm_policy *own_policy;   /* the default, when the caller gave none */
	/*
	 * The validation run the documents summarise: the evidence row
	 * ("E-N", path, version, produced_by, created_at ...) and the parsed
	 * result, or NULL with run_problem saying why.
	 */
	json_t *run_evidence;
	json_t *run;
	char run_problem[768];
	int tier_n; /* 1-3, or 0 when untiered */
	/* The gate result the MRA shows (borrowed), when the caller got it already (packs). */
	json_t *gate;
	bool gate_given;
};

/*
 * Loads the facts of model `id` (`evidence`: the validation run to use,
 * "E-N", or NULL for the newest). The run's absence is not an error
 * (run_problem says why) unless `evidence` was given and is not a run of
 * this model. Release with mrm__facts_release().
 */
int mrm__facts_load(struct mrm_ctx *ctx, const char *id, const struct mrm_doc_options *o,
		    struct mrm__facts *f, struct mrm_error *err);
void mrm__facts_release(struct mrm__facts *f);

/*
 * mrm_doc_data() with the gate result given (`gate_given`: use `gate`,
 * which may be NULL for "not available", instead of asking the gate hook):
 * for callers inside a read transaction, where the gate cannot run.
 */
int mrm__doc_data(struct mrm_ctx *ctx, enum mrm_doc_kind kind, const char *id,
		  const struct mrm_doc_options *o, bool gate_given, json_t *gate, json_t **out,
		  struct mrm_error *err);

/* { "id", "name", "owner", ... } identity and use of the model for a document. */
json_t *mrm__doc_model_json(const struct mrm__facts *f);
/* The model's tier block: tier, source, rationale, assessed_by, assessed_at (null fields if none). */
json_t *mrm__doc_tier_json(const struct mrm__facts *f);
/* The validation run summary for the model card and the MRA, or { "missing": why }. */
json_t *mrm__doc_run_summary(const struct mrm__facts *f);
/* Findings not closed (open, in remediation, awaiting verification, risk-accepted). */
json_t *mrm__doc_open_findings(const struct mrm__facts *f);
/* The tier factor answer `factor` of the latest assessment, or NULL. */
const char *mrm__facts_answer(const struct mrm__facts *f, const char *factor);
/* Evidence rows of the model of `kind`, newest first (a new array). */
json_t *mrm__facts_evidence(const struct mrm__facts *f, const char *kind);

/* The MRA's content (doc-mra.c) and the Annex IV skeleton's (doc-annex.c). */
int mrm__doc_mra_data(struct mrm_ctx *ctx, const struct mrm__facts *f, json_t *out,
		      struct mrm_error *err);
int mrm__doc_annex_data(struct mrm_ctx *ctx, const struct mrm__facts *f, json_t *out,
			struct mrm_error *err);

/*
 * Hooks to subsystems built on other branches (hooks.c). Each returns
 * MRM_OK with `*out` NULL when the subsystem is not in this build.
 * mrm__hook_gate: the gate result of the model under `policy` (the gate
 * JSON of the CLI contract). mrm__hook_kpis: the KPI document as of today
 * with `policy`'s inventory fields and KPI targets (NULL: the built-in
 * default policy).
 */
int mrm__hook_gate(struct mrm_ctx *ctx, const char *model, const struct mrm_policy *policy,
		   json_t **out, struct mrm_error *err);
int mrm__hook_kpis(struct mrm_ctx *ctx, const struct mrm_policy *policy, json_t **out,
		   struct mrm_error *err);
/* Why a hook gave nothing: "the gate is not available in this build". */
extern const char mrm__hook_gate_missing[];
extern const char mrm__hook_kpis_missing[];

#endif
