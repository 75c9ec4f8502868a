/*
 * Policy as code: the control catalogue (mrm's built-in controls and the
 * framework items they produce evidence for) and the policy file (per tier:
 * the controls enforced and their parameters).
 *
 * The catalogue is data, policy/controls.yaml, built into the binary; the
 * default policy is policy/default.yaml, built in the same way. A team's
 * policy file replaces the default entirely, or, with `extends: default`,
 * replaces only the tiers it defines. docs/controls.md and docs/policy.md
 * explain both. Nothing here touches the store: a gate asks
 * mrm_policy_tier() or mrm_policy_controls_for() which controls apply to a
 * model of a tier and with which parameters, and evaluates them itself.
 */
#ifndef MRM_POLICY_H
#define MRM_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "mrm/error.h"
#include "mrm/kpi.h"

/* ---- the control catalogue ---------------------------------------------------- */

/* One item of a framework: a subcategory, an Annex A control, an article. */
struct mrm_framework_item {
	const char *id;    /* "GOVERN 1.6", "A.6.2.4", "Art. 9", "IV-2", "2.9" */
	const char *title; /* a short paraphrase, never a quotation */
	const char *note;  /* a caveat (e.g. "may change ..."), or NULL */
};

struct mrm_framework {
	const char *id;     /* nist-ai-rmf, iso-42001, eu-ai-act, nist-ai-600-1, sr-11-7 */
	const char *name;
	const char *source; /* where the ids come from (a URL) */
	const char *status; /* how the ids and titles were checked */
	const char *note;   /* caveats, or NULL */
	bool official_ids;  /* false: ids assigned by mrm's sources, not by the publisher */
	const struct mrm_framework_item *items;
	size_t nitems;
};

/* The items of one framework a control produces evidence for. */
struct mrm_control_mapping {
	const struct mrm_framework *framework;
	const char *const *items; /* ids of framework->items */
	size_t nitems;
};

struct mrm_control {
	const char *id;          /* MRM-INV-01 */
	const char *title;
	const char *check;       /* what the gate evaluates: inventory, tier, evidence, ... */
	const char *applies_to;  /* all, genai (generative models) or vendor (third-party) */
	const char *description; /* what it checks, in store facts */
	const char *evidence;    /* the evidence that satisfies it */
	const char *limits;      /* what it leaves to people */
	/* Policy fields it takes parameters from: "inventory_fields",
	 * "evidence:KIND", "validation_tests", "redteam", "signoff_roles",
	 * "monitors", "max_open_findings", "review_interval_months",
	 * "acceptance". uses_optional[i] marks the ones a tier may leave out. */
	const char *const *uses;
	const bool *uses_optional;
	size_t nuses;
	const struct mrm_control_mapping *mappings; /* frameworks in catalogue order */
	size_t nmappings;
};

struct mrm_catalog {
	const struct mrm_framework *frameworks;
	size_t nframeworks;
	const struct mrm_control *controls;
	size_t ncontrols;
	void *priv; /* the memory the catalogue lives in */
};

/* The check kinds a control may have (NULL-terminated). */
extern const char *const mrm_control_checks[];

/*
 * Loads the built-in catalogue (policy/controls.yaml as compiled in).
 * `*out` receives it; free with mrm_catalog_free. Errors are those of
 * mrm_catalog_parse (a broken build) and MRM_ESTORE when out of memory.
 */
int mrm_catalog_load(struct mrm_catalog **out, struct mrm_error *err);

/*
 * Parses a catalogue from YAML text of `len` bytes; `name` is used in
 * messages. Everything is checked: YAML syntax, the shape of every field,
 * unknown and duplicate keys, unique framework, item and control ids,
 * control ids of the form MRM-AREA-NN, known check kinds, applies_to and
 * policy fields in `uses` (evidence kinds as mrm_evidence_kinds), and
 * every mapping naming a framework and items that exist. Errors are
 * MRM_EINPUT "NAME:LINE:COL: FIELD: message".
 */
int mrm_catalog_parse(const char *name, const char *text, size_t len, struct mrm_catalog **out,
		      struct mrm_error *err);

void mrm_catalog_free(struct mrm_catalog *c);

/* The control or framework with this id (exact, case-sensitive), or NULL. */
const struct mrm_control *mrm_catalog_control(const struct mrm_catalog *c, const char *id);
const struct mrm_framework *mrm_catalog_framework(const struct mrm_catalog *c, const char *id);

/* The mapping of `k` to framework `f`, or NULL if it maps to no item of it. */
const struct mrm_control_mapping *mrm_control_mapping(const struct mrm_control *k,
						      const struct mrm_framework *f);

/*
 * One control as a new JSON object { id, title, check, applies_to,
 * description, evidence, limits, uses: [..], mappings: { framework: [ids] } };
 * with `only` not NULL, mappings holds that framework alone.
 */
json_t *mrm_control_json(const struct mrm_control *k, const struct mrm_framework *only);

/* A framework as a new JSON object without its items: id, name, source, status, note, official_ids. */
json_t *mrm_framework_json(const struct mrm_framework *f);

/*
 * Coverage of one framework as a new JSON object: the framework's fields,
 * "items", "addressed", "not_addressed" (counts), "percent" (addressed
 * share, one decimal), "addressed_items": [ { id, title, note?, controls:
 * [ids] } ] and "not_addressed_items": [ { id, title, note? } ], in the
 * framework's order. "Addressed" means at least one control maps to the
 * item, not that the item is satisfied.
 */
json_t *mrm_catalog_coverage_json(const struct mrm_catalog *c, const struct mrm_framework *f);

/* ---- the policy ----------------------------------------------------------------- */

#define MRM_POLICY_TIERS 3
#define MRM_POLICY_SEVERITIES 4 /* mrm_finding_severities order: critical high medium low */
#define MRM_POLICY_MAX_AGE_DAYS 3650

/* The red-team categories a policy may limit (NULL-terminated). */
extern const char *const mrm_redteam_categories[];

/* The model fields inventory_fields may require (NULL-terminated). */
extern const char *const mrm_policy_inventory_fields[];

struct mrm_policy_evidence {
	const char *kind; /* one of mrm_evidence_kinds */
	int max_age_days; /* 1 .. MRM_POLICY_MAX_AGE_DAYS */
};

struct mrm_policy_rate {
	const char *category; /* one of mrm_redteam_categories */
	double max_rate;      /* the highest attack success rate allowed, 0 .. 1 */
};

/* Who may accept residual risk of one finding severity, and for how long. */
struct mrm_policy_acceptance {
	bool allowed;              /* false: findings of this severity may not be accepted */
	const char *const *roles;  /* accepting roles, any of which suffices */
	size_t nroles;
	int max_days;              /* longest term from the day of acceptance */
};

/* The rules of one tier. A section a tier leaves out has its has_* false. */
struct mrm_policy_tier {
	int tier;       /* 1, 2 or 3 */
	bool inherited; /* taken from the default policy (extends: default) */
	const char *const *controls; /* control ids enforced at this tier, in the file's order */
	size_t ncontrols;

	const char *const *inventory_fields; /* model fields that must be filled in */
	size_t ninventory_fields;
	bool has_inventory_fields;

	const struct mrm_policy_evidence *evidence; /* required kinds and their maximum age */
	size_t nevidence;

	const char *const *validation_tests; /* test names that must have passed */
	size_t nvalidation_tests;
	bool has_validation_tests;

	const struct mrm_policy_rate *redteam; /* max attack success rate per category */
	size_t nredteam;
	bool has_redteam;

	const char *const *signoff_roles; /* distinct people, none the model owner */
	size_t nsignoff_roles;
	bool has_signoff_roles;

	bool has_monitors;
	int monitors_min_active;           /* 0 when only signals are given */
	const char *const *monitor_signals; /* each watched by an active monitor */
	size_t nmonitor_signals;

	bool has_max_open_findings;
	int max_open_findings[MRM_POLICY_SEVERITIES]; /* -1: no limit for that severity */

	int review_interval_months; /* 0: not set */

	bool has_acceptance;
	struct mrm_policy_acceptance acceptance[MRM_POLICY_SEVERITIES];
};

struct mrm_policy {
	const char *name;
	const char *description; /* or NULL */
	const char *source;      /* "built-in" or the file's path */
	const char *sha256;      /* of the file's bytes (the built-in text for the default) */
	const char *extends;     /* "default" or NULL */
	struct mrm_policy_tier tiers[MRM_POLICY_TIERS]; /* tiers[0] is tier 1 */
	/*
	 * The KPI targets the policy sets (kpis:), in mrm_kpi_ids order: the file's, and under
	 * extends: default the default's for the KPIs the file leaves out (kpi_inherited[i]
	 * true). A KPI not among them keeps mrm's default target (mrm_kpi_info).
	 */
	const struct mrm_kpi_target *kpi_targets;
	const bool *kpi_inherited;
	size_t nkpi_targets;
	const struct mrm_catalog *catalog;              /* the catalogue it was checked against */
	void *priv;
};

/*
 * The built-in default policy (policy/default.yaml as compiled in), checked
 * like any file. Free with mrm_policy_free.
 */
int mrm_policy_default(struct mrm_policy **out, struct mrm_error *err);

/*
 * Reads and checks the policy file at `path` (YAML). Errors: an unreadable
 * file (MRM_EINPUT naming it); everything mrm_policy_parse rejects.
 */
int mrm_policy_load(const char *path, struct mrm_policy **out, struct mrm_error *err);

/*
 * Parses and checks a policy from YAML text; `name` is the file name used
 * in messages and as `source`. All errors are MRM_EINPUT and read
 * "NAME:LINE:COL: FIELD: message": YAML syntax; a document that is not a
 * mapping; unknown or duplicate keys; a missing name or tier (without
 * extends: default); unknown tiers, control ids, evidence kinds, roles,
 * severities, red-team categories, monitor signals or inventory fields;
 * negative or out-of-range numbers; a control whose parameters the tier
 * does not give, or a parameter no enforced control uses; and a rule
 * looser than what mrm's core enforces (a review interval longer than
 * mrm_review_cadence_months(tier), an accepting role the core refuses at
 * the tier, an acceptance term longer than MRM_ACCEPTANCE_MAX_DAYS, the
 * owner role among the sign-off roles); in kpis:, an unknown KPI id (the
 * message lists them), a KPI without its target, and a target that
 * mrm_kpi_target_parse refuses (FIELD kpis.ID.target).
 */
int mrm_policy_parse(const char *name, const char *text, size_t len, struct mrm_policy **out,
		     struct mrm_error *err);

void mrm_policy_free(struct mrm_policy *p);

/*
 * The rules of `tier` (1-3). A model without a tier is treated as tier 1,
 * as the core does for acceptances and reviews: pass 0 for it. NULL for
 * any other value.
 */
const struct mrm_policy_tier *mrm_policy_tier(const struct mrm_policy *p, int tier);

/* The parameters of control `k` at tier `t` as a new JSON object (only the fields it uses). */
json_t *mrm_policy_control_params(const struct mrm_policy_tier *t, const struct mrm_control *k);

/* What a gate knows about the model when it asks which controls apply. */
enum {
	MRM_POLICY_MODEL_GENAI = 1 << 0,  /* a generative model */
	MRM_POLICY_MODEL_VENDOR = 1 << 1, /* a model with a vendor */
};

/*
 * The controls `p` enforces at `tier` (0: untiered, treated as tier 1) for a
 * model with `flags`, as a new JSON array in the tier's order: { id, title,
 * check, applies_to, applies: BOOL, reason (when applies is false, e.g.
 * "applies to generative models only"), params: {..} }. NULL for a tier
 * other than 0-3.
 */
json_t *mrm_policy_controls_for(const struct mrm_policy *p, int tier, unsigned flags);

/*
 * Points `o`'s inventory fields, KPI targets and policy identity at `p`'s (as
 * `mrm kpi --policy` uses them); the rest of `o` is left as it is. `o` is
 * valid while `p` lives.
 */
void mrm_policy_kpi_options(const struct mrm_policy *p, struct mrm_kpi_options *o);

/*
 * The KPI target `p` uses for KPI `id`, whether it is the policy's
 * (`*from_policy`; mrm's default otherwise) and, if so, whether it came from
 * the default policy under extends: default (`*inherited`; either pointer
 * may be NULL). NULL for an unknown id.
 */
const struct mrm_kpi_target *mrm_policy_kpi_target(const struct mrm_policy *p, const char *id,
						   bool *from_policy, bool *inherited);

/*
 * The effective policy as a new JSON object: name, description, source,
 * sha256, extends, and tiers: { "1": { controls, inventory_fields,
 * evidence: { kind: days }, validation_tests, redteam: { max_success_rate:
 * { category: rate } }, signoff_roles, monitors: { min_active, signals },
 * max_open_findings: { severity: N }, review_interval_months, acceptance:
 * { severity: { roles, max_days } | null } } ... }, kpis: { ID: { target
 * (as the KPI document gives it: ">= 0.95"), unit, target_source ("policy"
 * or "default"), inherited (true, only when from the default policy) } } for
 * every KPI in mrm_kpi_ids order; sections a tier leaves out are absent, and
 * a severity whose risk may not be accepted is null.
 */
json_t *mrm_policy_json(const struct mrm_policy *p);

#endif
