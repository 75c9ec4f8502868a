/*
 * The policy file: per tier, the controls enforced and their parameters.
 * Reading and checking (against the catalogue and against the rules the
 * core already enforces), the built-in default, extends: default, and the
 * views a gate and `mrm policy show` need.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/core.h"
#include "mrm/acceptance.h"
#include "mrm/evidence.h"
#include "mrm/finding.h"
#include "mrm/hash.h"
#include "mrm/policy.h"
#include "mrm/review.h"
#include "policy/internal.h"

const char *const mrm_redteam_categories[] = {
	"prompt_injection", "jailbreak", "system_prompt_leak", "data_exfiltration",
	"harmful_content", "excessive_agency", "hallucination", NULL,
};

const char *const mrm_policy_inventory_fields[] = {
	"team", "purpose", "intended_use", "out_of_scope_use", "population", "data_sources",
	"deployment", "vendor", NULL,
};

static const char *const root_keys[] = { "name", "description", "version", "extends", "tiers", "kpis", NULL };
static const char *const tier_keys[] = {
	"controls", "inventory_fields", "evidence", "validation_tests", "redteam", "signoff_roles",
	"monitors", "max_open_findings", "review_interval_months", "acceptance", NULL,
};
static const char *const tier_names[] = { "1", "2", "3", NULL };

/* Policy file size limit: a policy is a page of YAML, not a data set. */
#define MAX_POLICY_BYTES (1 << 20)

struct priv {
	struct mrm__arena arena;
	struct mrm_catalog *catalog;
	struct mrm_policy *base; /* the default, under extends: default */
};

struct reader {
	const char *base_name, *base_text; /* what extends: default reads; NULL: the built-in */
	size_t base_len;
	struct mrm__ydoc d;
	struct mrm__arena *arena;
	struct mrm_policy *p;
	const struct mrm_catalog *cat;
};

static int oom(struct reader *r)
{
	return mrm_error_set(r->d.err, MRM_ESTORE, "out of memory");
}

/* ---- which controls use which fields ---------------------------------------------- */

static bool uses(const struct mrm_control *k, const char *param, bool *optional)
{
	for (size_t i = 0; i < k->nuses; i++)
		if (!strcmp(k->uses[i], param)) {
			if (optional)
				*optional = k->uses_optional[i];
			return true;
		}
	return false;
}

/* The first enforced control of tier `t` that uses `param`, or NULL. */
static const struct mrm_control *enforced_user(const struct reader *r, const struct mrm_policy_tier *t,
					       const char *param)
{
	for (size_t i = 0; i < t->ncontrols; i++) {
		const struct mrm_control *k = mrm_catalog_control(r->cat, t->controls[i]);
		if (k && uses(k, param, NULL))
			return k;
	}
	return NULL;
}

/* The first control of the catalogue that uses `param`, or NULL. */
static const struct mrm_control *catalog_user(const struct mrm_catalog *c, const char *param)
{
	for (size_t i = 0; i < c->ncontrols; i++)
		if (uses(&c->controls[i], param, NULL))
			return &c->controls[i];
	return NULL;
}

static bool param_set(const struct mrm_policy_tier *t, const char *param)
{
	if (!strncmp(param, "evidence:", 9)) {
		for (size_t i = 0; i < t->nevidence; i++)
			if (!strcmp(t->evidence[i].kind, param + 9))
				return true;
		return false;
	}
	if (!strcmp(param, "inventory_fields"))
		return t->has_inventory_fields;
	if (!strcmp(param, "validation_tests"))
		return t->has_validation_tests;
	if (!strcmp(param, "redteam"))
		return t->has_redteam;
	if (!strcmp(param, "signoff_roles"))
		return t->has_signoff_roles;
	if (!strcmp(param, "monitors"))
		return t->has_monitors;
	if (!strcmp(param, "max_open_findings"))
		return t->has_max_open_findings;
	if (!strcmp(param, "review_interval_months"))
		return t->review_interval_months > 0;
	if (!strcmp(param, "acceptance"))
		return t->has_acceptance;
	return false;
}

/* What to add for a missing parameter, for the message. */
static const char *param_hint(const char *param, char *buf, size_t cap)
{
	if (!strncmp(param, "evidence:", 9))
		snprintf(buf, cap, "a maximum age for evidence '%s' (add '%s: DAYS' under evidence)",
			 param + 9, param + 9);
	else if (!strcmp(param, "inventory_fields"))
		snprintf(buf, cap, "inventory_fields (the model fields that must be filled in)");
	else if (!strcmp(param, "redteam"))
		snprintf(buf, cap, "redteam.max_success_rate (a limit per red-team category)");
	else if (!strcmp(param, "signoff_roles"))
		snprintf(buf, cap, "signoff_roles (the roles that must sign off the version)");
	else if (!strcmp(param, "monitors"))
		snprintf(buf, cap, "monitors (min_active and/or signals)");
	else if (!strcmp(param, "max_open_findings"))
		snprintf(buf, cap, "max_open_findings (a limit per finding severity)");
	else if (!strcmp(param, "review_interval_months"))
		snprintf(buf, cap, "review_interval_months");
	else if (!strcmp(param, "acceptance"))
		snprintf(buf, cap, "acceptance (who may accept each finding severity, for how long)");
	else
		snprintf(buf, cap, "%s", param);
	return buf;
}

/*
 * Every enforced control has the parameters it needs, and every parameter
 * given is used by an enforced control. `tier` is the tier's mapping.
 */
static int check_consistency(struct reader *r, yaml_node_t *tier, const char *field,
			     const struct mrm_policy_tier *t)
{
	yaml_node_t *list = mrm__yget(&r->d, tier, "controls");
	char where[160], hint[160];

	for (size_t i = 0; i < t->ncontrols; i++) {
		const struct mrm_control *k = mrm_catalog_control(r->cat, t->controls[i]);
		for (size_t u = 0; u < k->nuses; u++)
			if (!k->uses_optional[u] && !param_set(t, k->uses[u])) {
				snprintf(where, sizeof(where), "%s.controls", field);
				return mrm__yerr(&r->d, mrm__yitem(&r->d, list, i), where,
						 "control %s at tier %d needs %s", k->id, t->tier,
						 param_hint(k->uses[u], hint, sizeof(hint)));
			}
	}
	for (yaml_node_pair_t *p = tier->data.mapping.pairs.start; p < tier->data.mapping.pairs.top; p++) {
		yaml_node_t *key = yaml_document_get_node(&r->d.doc, p->key);
		yaml_node_t *val = yaml_document_get_node(&r->d.doc, p->value);
		const char *name = mrm__ytext(key);
		const struct mrm_control *user;

		if (!strcmp(name, "controls"))
			continue;
		if (!strcmp(name, "evidence")) {
			for (yaml_node_pair_t *q = val->data.mapping.pairs.start; q < val->data.mapping.pairs.top; q++) {
				yaml_node_t *kind = yaml_document_get_node(&r->d.doc, q->key);
				char param[96];
				snprintf(param, sizeof(param), "evidence:%s", mrm__ytext(kind));
				if (enforced_user(r, t, param))
					continue;
				snprintf(where, sizeof(where), "%s.evidence.%s", field, mrm__ytext(kind));
				if (!(user = catalog_user(r->cat, param)))
					return mrm__yerr(&r->d, kind, where,
							 "no control checks evidence kind '%s' (no control of mrm's "
							 "catalogue relies on it; remove it)",
							 mrm__ytext(kind));
				return mrm__yerr(&r->d, kind, where,
						 "no control enforced at tier %d checks this evidence (enforce %s, "
						 "or remove it)",
						 t->tier, user->id);
			}
			continue;
		}
		if (enforced_user(r, t, name))
			continue;
		snprintf(where, sizeof(where), "%s.%s", field, name);
		user = catalog_user(r->cat, name);
		return mrm__yerr(&r->d, key, where, "no control enforced at tier %d uses this (enforce %s, or remove it)",
				 t->tier, user ? user->id : "a control that uses it");
	}
	return MRM_OK;
}

/* ---- the sections of a tier ------------------------------------------------------- */

static int read_controls(struct reader *r, yaml_node_t *v, const char *field, struct mrm_policy_tier *t)
{
	int rc = mrm__ystrlist(&r->d, v, field, "control", NULL, false, r->arena, &t->controls, &t->ncontrols);
	if (rc)
		return rc;
	for (size_t i = 0; i < t->ncontrols; i++)
		if (!mrm_catalog_control(r->cat, t->controls[i]))
			return mrm__yerr(&r->d, mrm__yitem(&r->d, v, i), field,
					 "unknown control '%.64s' (see 'mrm controls list')", t->controls[i]);
	return MRM_OK;
}

static int read_evidence(struct reader *r, yaml_node_t *v, const char *field, struct mrm_policy_tier *t)
{
	struct mrm_policy_evidence *ev;
	char where[160], list[512];
	size_t n = 0;
	int rc;

	if ((rc = mrm__ymap(&r->d, v, field, NULL)))
		return rc;
	n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
	if (!n)
		return mrm__yerr(&r->d, v, field, "needs at least one evidence kind with its maximum age in days");
	if (!(ev = mrm__arena_alloc(r->arena, n * sizeof(*ev))))
		return oom(r);
	for (size_t i = 0; i < n; i++) {
		yaml_node_pair_t *p = &v->data.mapping.pairs.start[i];
		yaml_node_t *key = yaml_document_get_node(&r->d.doc, p->key);
		yaml_node_t *val = yaml_document_get_node(&r->d.doc, p->value);
		const char *kind = mrm__ytext(key);
		long days;

		if (!mrm__in(mrm_evidence_kinds, kind))
			return mrm__yerr(&r->d, key, field, "unknown evidence kind '%.64s' (expected one of: %s)", kind,
					 mrm__joined(mrm_evidence_kinds, list, sizeof(list)));
		snprintf(where, sizeof(where), "%s.%s", field, kind);
		if ((rc = mrm__yint(&r->d, val, where, 1, MRM_POLICY_MAX_AGE_DAYS, "days", &days)))
			return rc;
		if (!(ev[i].kind = mrm__arena_strdup(r->arena, kind)))
			return oom(r);
		ev[i].max_age_days = (int)days;
	}
	t->evidence = ev;
	t->nevidence = n;
	return MRM_OK;
}

static int read_redteam(struct reader *r, yaml_node_t *v, const char *field, struct mrm_policy_tier *t)
{
	static const char *const keys[] = { "max_success_rate", NULL };
	struct mrm_policy_rate *rates;
	yaml_node_t *m;
	char where[160], list[512];
	size_t n;
	int rc;

	if ((rc = mrm__ymap(&r->d, v, field, keys)))
		return rc;
	if (!(m = mrm__yget(&r->d, v, "max_success_rate")))
		return mrm__yerr(&r->d, v, field, "missing 'max_success_rate' (category: highest attack success rate)");
	snprintf(where, sizeof(where), "%s.max_success_rate", field);
	if ((rc = mrm__ymap(&r->d, m, where, NULL)))
		return rc;
	n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
	if (!n)
		return mrm__yerr(&r->d, m, where, "needs at least one red-team category with its limit");
	if (!(rates = mrm__arena_alloc(r->arena, n * sizeof(*rates))))
		return oom(r);
	for (size_t i = 0; i < n; i++) {
		yaml_node_pair_t *p = &m->data.mapping.pairs.start[i];
		yaml_node_t *key = yaml_document_get_node(&r->d.doc, p->key);
		const char *cat = mrm__ytext(key);
		char at[192];

		if (!mrm__in(mrm_redteam_categories, cat))
			return mrm__yerr(&r->d, key, where, "unknown red-team category '%.64s' (expected one of: %s)",
					 cat, mrm__joined(mrm_redteam_categories, list, sizeof(list)));
		snprintf(at, sizeof(at), "%s.%s", where, cat);
		if ((rc = mrm__ynum(&r->d, yaml_document_get_node(&r->d.doc, p->value), at, 0, 1,
				    &rates[i].max_rate)))
			return rc;
		if (!(rates[i].category = mrm__arena_strdup(r->arena, cat)))
			return oom(r);
	}
	t->redteam = rates;
	t->nredteam = n;
	t->has_redteam = true;
	return MRM_OK;
}

static int read_signoffs(struct reader *r, yaml_node_t *v, const char *field, struct mrm_policy_tier *t)
{
	int rc = mrm__ystrlist(&r->d, v, field, "role", mrm__roles, false, r->arena, &t->signoff_roles,
			       &t->nsignoff_roles);
	if (rc)
		return rc;
	for (size_t i = 0; i < t->nsignoff_roles; i++)
		if (!strcmp(t->signoff_roles[i], "owner"))
			return mrm__yerr(&r->d, mrm__yitem(&r->d, v, i), field,
					 "role 'owner' cannot be a required sign-off: required sign-offs "
					 "are by people other than the model owner");
	t->has_signoff_roles = true;
	return MRM_OK;
}

/* drift_share, drift, drift:COL[:MEASURE], metric, metric:NAME, quality, quality:CHECK[:COL]. */
static bool valid_signal(const char *s)
{
	static const char *const kinds[] = { "drift_share", "drift", "metric", "quality", NULL };
	const char *colon = strchr(s, ':'), *second;
	size_t len = colon ? (size_t)(colon - s) : strlen(s);
	int max_parts;

	if (!colon)
		return mrm__in(kinds, s);
	if (len == 6 && !strncmp(s, "metric", 6))
		max_parts = 1;
	else if ((len == 5 && !strncmp(s, "drift", 5)) || (len == 7 && !strncmp(s, "quality", 7)))
		max_parts = 2;
	else
		return false;
	if (!colon[1] || colon[1] == ':')
		return false;
	second = strchr(colon + 1, ':');
	if (!second)
		return true;
	return max_parts == 2 && second[1] && !strchr(second + 1, ':');
}

static int read_monitors(struct reader *r, yaml_node_t *v, const char *field, struct mrm_policy_tier *t)
{
	static const char *const keys[] = { "min_active", "signals", NULL };
	yaml_node_t *min = NULL, *sig = NULL;
	char where[160];
	long n = 0;
	int rc;

	if ((rc = mrm__ymap(&r->d, v, field, keys)))
		return rc;
	min = mrm__yget(&r->d, v, "min_active");
	sig = mrm__yget(&r->d, v, "signals");
	if (!min && !sig)
		return mrm__yerr(&r->d, v, field, "needs min_active (a number of active monitors) and/or signals");
	snprintf(where, sizeof(where), "%s.min_active", field);
	if (min && (rc = mrm__yint(&r->d, min, where, 0, 100, "monitors", &n)))
		return rc;
	t->monitors_min_active = (int)n;
	snprintf(where, sizeof(where), "%s.signals", field);
	if (sig) {
		if ((rc = mrm__ystrlist(&r->d, sig, where, "signal", NULL, false, r->arena, &t->monitor_signals,
					&t->nmonitor_signals)))
			return rc;
		for (size_t i = 0; i < t->nmonitor_signals; i++)
			if (!valid_signal(t->monitor_signals[i]))
				return mrm__yerr(&r->d, mrm__yitem(&r->d, sig, i), where,
						 "unknown signal '%.64s' (expected drift_share, drift, "
						 "drift:COLUMN[:MEASURE], metric, metric:NAME, quality or "
						 "quality:CHECK[:COLUMN])",
						 t->monitor_signals[i]);
	}
	if (!t->monitors_min_active && !t->nmonitor_signals)
		return mrm__yerr(&r->d, min, field, "min_active 0 with no signals requires nothing (leave monitors out instead)");
	t->has_monitors = true;
	return MRM_OK;
}

/* The index of `sev` in mrm_finding_severities, or -1 (with an error). */
static int severity_index(struct reader *r, yaml_node_t *key, const char *field)
{
	char list[128];
	for (int i = 0; mrm_finding_severities[i]; i++)
		if (!strcmp(mrm_finding_severities[i], mrm__ytext(key)))
			return i;
	mrm__yerr(&r->d, key, field, "unknown severity '%.64s' (expected one of: %s)", mrm__ytext(key),
		  mrm__joined(mrm_finding_severities, list, sizeof(list)));
	return -1;
}

static int read_max_open(struct reader *r, yaml_node_t *v, const char *field, struct mrm_policy_tier *t)
{
	char where[160];
	int rc;

	if ((rc = mrm__ymap(&r->d, v, field, NULL)))
		return rc;
	if (v->data.mapping.pairs.top == v->data.mapping.pairs.start)
		return mrm__yerr(&r->d, v, field, "needs at least one severity with its limit");
	for (int i = 0; i < MRM_POLICY_SEVERITIES; i++)
		t->max_open_findings[i] = -1;
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *key = yaml_document_get_node(&r->d.doc, p->key);
		int s = severity_index(r, key, field);
		long n;
		if (s < 0)
			return MRM_EINPUT;
		snprintf(where, sizeof(where), "%s.%s", field, mrm__ytext(key));
		if ((rc = mrm__yint(&r->d, yaml_document_get_node(&r->d.doc, p->value), where, 0, 1000000,
				    "findings", &n)))
			return rc;
		t->max_open_findings[s] = (int)n;
	}
	t->has_max_open_findings = true;
	return MRM_OK;
}

static int read_review(struct reader *r, yaml_node_t *v, const char *field, struct mrm_policy_tier *t)
{
	int cadence = mrm_review_cadence_months(t->tier);
	long months;
	int rc;

	if ((rc = mrm__yint(&r->d, v, field, 1, 120, "months", &months)))
		return rc;
	if (months > cadence)
		return mrm__yerr(&r->d, v, field,
				 "%ld months is longer than mrm's review cadence for tier %d (%d months): a "
				 "policy may tighten the core's rules, not loosen them",
				 months, t->tier, cadence);
	t->review_interval_months = (int)months;
	return MRM_OK;
}

static int read_acceptance_one(struct reader *r, yaml_node_t *v, const char *field, struct mrm_policy_tier *t,
			       struct mrm_policy_acceptance *a)
{
	static const char *const keys[] = { "roles", "max_days", NULL };
	const char *const *authority = mrm_acceptance_authority(t->tier);
	yaml_node_t *roles, *days;
	char where[192], list[128];
	long n;
	int rc;

	if (v->type == YAML_SCALAR_NODE && !strcmp(mrm__ytext(v), "never")) {
		a->allowed = false;
		return MRM_OK;
	}
	if (v->type != YAML_MAPPING_NODE)
		return mrm__yerr(&r->d, v, field, "expected { roles: [...], max_days: N } or 'never', found %s",
				 mrm__ykind(v));
	if ((rc = mrm__ymap(&r->d, v, field, keys)))
		return rc;
	if (!(roles = mrm__yget(&r->d, v, "roles")))
		return mrm__yerr(&r->d, v, field, "missing 'roles' (who may accept this severity)");
	if (!(days = mrm__yget(&r->d, v, "max_days")))
		return mrm__yerr(&r->d, v, field, "missing 'max_days' (the longest an acceptance may run)");
	snprintf(where, sizeof(where), "%s.roles", field);
	if ((rc = mrm__ystrlist(&r->d, roles, where, "role", mrm__roles, false, r->arena, &a->roles, &a->nroles)))
		return rc;
	for (size_t i = 0; i < a->nroles; i++)
		if (!mrm__in(authority, a->roles[i]))
			return mrm__yerr(&r->d, mrm__yitem(&r->d, roles, i), where,
					 "role '%s' may not accept risk on a tier %d model (mrm's core allows: %s)",
					 a->roles[i], t->tier, mrm__joined(authority, list, sizeof(list)));
	snprintf(where, sizeof(where), "%s.max_days", field);
	if ((rc = mrm__yint(&r->d, days, where, 1, MRM_POLICY_MAX_AGE_DAYS, "days", &n)))
		return rc;
	if (n > MRM_ACCEPTANCE_MAX_DAYS)
		return mrm__yerr(&r->d, days, where,
				 "%ld days is longer than mrm lets any acceptance run (%d days)", n,
				 MRM_ACCEPTANCE_MAX_DAYS);
	a->max_days = (int)n;
	a->allowed = true;
	return MRM_OK;
}

static int read_acceptance(struct reader *r, yaml_node_t *v, const char *field, struct mrm_policy_tier *t)
{
	char where[160];
	int rc;

	if ((rc = mrm__ymap(&r->d, v, field, NULL)))
		return rc;
	if (v->data.mapping.pairs.top == v->data.mapping.pairs.start)
		return mrm__yerr(&r->d, v, field,
				 "needs at least one severity (a severity left out may not be accepted)");
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *key = yaml_document_get_node(&r->d.doc, p->key);
		int s = severity_index(r, key, field);
		if (s < 0)
			return MRM_EINPUT;
		snprintf(where, sizeof(where), "%s.%s", field, mrm__ytext(key));
		if ((rc = read_acceptance_one(r, yaml_document_get_node(&r->d.doc, p->value), where, t,
					      &t->acceptance[s])))
			return rc;
	}
	t->has_acceptance = true;
	return MRM_OK;
}

static int read_tier(struct reader *r, yaml_node_t *m, int tier, struct mrm_policy_tier *t)
{
	char field[32], where[96];
	yaml_node_t *v;
	int rc;

	memset(t, 0, sizeof(*t));
	t->tier = tier;
	for (int i = 0; i < MRM_POLICY_SEVERITIES; i++)
		t->max_open_findings[i] = -1;
	snprintf(field, sizeof(field), "tiers.%d", tier);
	if ((rc = mrm__ymap(&r->d, m, field, tier_keys)))
		return rc;
	if (!(v = mrm__yget(&r->d, m, "controls")))
		return mrm__yerr(&r->d, m, field, "missing 'controls' (the control ids enforced at tier %d)", tier);
#define SECTION(key, fn)                                                        \
	if ((v = mrm__yget(&r->d, m, key))) {                                   \
		snprintf(where, sizeof(where), "%s.%s", field, key);            \
		if ((rc = fn(r, v, where, t)))                                  \
			return rc;                                              \
	}
	SECTION("controls", read_controls);
	SECTION("evidence", read_evidence);
	SECTION("redteam", read_redteam);
	SECTION("signoff_roles", read_signoffs);
	SECTION("monitors", read_monitors);
	SECTION("max_open_findings", read_max_open);
	SECTION("review_interval_months", read_review);
	SECTION("acceptance", read_acceptance);
#undef SECTION
	if ((v = mrm__yget(&r->d, m, "inventory_fields"))) {
		snprintf(where, sizeof(where), "%s.inventory_fields", field);
		if ((rc = mrm__ystrlist(&r->d, v, where, "model field", mrm_policy_inventory_fields, false, r->arena,
					&t->inventory_fields, &t->ninventory_fields)))
			return rc;
		t->has_inventory_fields = true;
	}
	if ((v = mrm__yget(&r->d, m, "validation_tests"))) {
		snprintf(where, sizeof(where), "%s.validation_tests", field);
		if ((rc = mrm__ystrlist(&r->d, v, where, "test", NULL, false, r->arena, &t->validation_tests,
					&t->nvalidation_tests)))
			return rc;
		t->has_validation_tests = true;
	}
	return check_consistency(r, m, field, t);
}

static int read_tiers(struct reader *r, yaml_node_t *v, bool extends)
{
	bool have[MRM_POLICY_TIERS] = { false };
	int rc;

	if ((rc = mrm__ymap(&r->d, v, "tiers", NULL)))
		return rc;
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *key = yaml_document_get_node(&r->d.doc, p->key);
		const char *s = mrm__ytext(key);
		int tier;

		if (!mrm__in(tier_names, s))
			return mrm__yerr(&r->d, key, "tiers", "unknown tier '%.64s' (expected 1, 2 or 3)", s);
		tier = s[0] - '0';
		if ((rc = read_tier(r, yaml_document_get_node(&r->d.doc, p->value), tier, &r->p->tiers[tier - 1])))
			return rc;
		have[tier - 1] = true;
	}
	for (int i = 0; i < MRM_POLICY_TIERS; i++) {
		if (have[i])
			continue;
		if (!extends)
			return mrm__yerr(&r->d, v, "tiers",
					 "tier %d is missing (define tiers 1, 2 and 3, or add 'extends: default' "
					 "to take the missing ones from the default policy)",
					 i + 1);
		r->p->tiers[i] = ((struct priv *)r->p->priv)->base->tiers[i];
		r->p->tiers[i].inherited = true;
	}
	return MRM_OK;
}

/* ---- KPI targets -------------------------------------------------------------------- */

/*
 * kpis: { ID: { target: "OP N" } }, in mrm_kpi_ids order, with the default's targets for
 * the KPIs left out under extends: default. Without a kpis: section, only those.
 */
static int read_kpis(struct reader *r, yaml_node_t *v)
{
	static const char *const keys[] = { "target", NULL };
	const struct mrm_policy *base = ((struct priv *)r->p->priv)->base;
	struct mrm_kpi_target *targets;
	bool *inherited;
	size_t n = 0;
	int rc;

	if (v) {
		if ((rc = mrm__ymap(&r->d, v, "kpis", NULL)))
			return rc;
		if (v->data.mapping.pairs.top == v->data.mapping.pairs.start)
			return mrm__yerr(&r->d, v, "kpis",
					 "needs at least one KPI with its target (leave kpis out to keep mrm's "
					 "default targets)");
	}
	if (!(targets = mrm__arena_alloc(r->arena, MRM_KPI_COUNT * sizeof(*targets))) ||
	    !(inherited = mrm__arena_alloc(r->arena, MRM_KPI_COUNT * sizeof(*inherited))))
		return oom(r);
	/* every key first, so that an unknown id is reported before a bad target of a later one */
	for (yaml_node_pair_t *p = v ? v->data.mapping.pairs.start : NULL; v && p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *key = yaml_document_get_node(&r->d.doc, p->key);
		if (!mrm_kpi_info(mrm__ytext(key))) {
			char list[512];
			return mrm__yerr(&r->d, key, "kpis", "unknown KPI '%.64s' (expected one of: %s)", mrm__ytext(key),
					 mrm__joined(mrm_kpi_ids, list, sizeof(list)));
		}
	}
	for (size_t i = 0; mrm_kpi_ids[i] && i < MRM_KPI_COUNT; i++) {
		const char *id = mrm_kpi_ids[i];
		yaml_node_t *one = v ? mrm__yget(&r->d, v, id) : NULL, *t;
		char field[96], where[112];
		const char *text;

		if (!one) {
			for (size_t j = 0; base && j < base->nkpi_targets; j++)
				if (!strcmp(base->kpi_targets[j].kpi, id)) {
					targets[n] = base->kpi_targets[j];
					inherited[n++] = true;
				}
			continue;
		}
		snprintf(field, sizeof(field), "kpis.%s", id);
		if ((rc = mrm__ymap(&r->d, one, field, keys)))
			return rc;
		if (!(t = mrm__yget(&r->d, one, "target")))
			return mrm__yerr(&r->d, one, field,
					 "missing 'target' (an operator and a number in the KPI's unit, e.g. "
					 "target: \">= 95\")");
		snprintf(where, sizeof(where), "%s.target", field);
		if ((rc = mrm__ystr(&r->d, t, where, &text)))
			return rc;
		{
			struct mrm_error perr = { 0 };
			if (mrm_kpi_target_parse(id, text, &targets[n], &perr))
				return mrm__yerr(&r->d, t, where, "%s", perr.msg);
		}
		inherited[n++] = false;
	}
	r->p->kpi_targets = targets;
	r->p->kpi_inherited = inherited;
	r->p->nkpi_targets = n;
	return MRM_OK;
}

static int read_root(struct reader *r)
{
	yaml_node_t *root = mrm__yroot(&r->d), *v;
	struct priv *pv = r->p->priv;
	const char *s;
	int rc;

	if ((rc = mrm__ymap(&r->d, root, NULL, root_keys)))
		return rc;
	if (!(v = mrm__yget(&r->d, root, "name")))
		return mrm__yerr(&r->d, root, NULL, "missing 'name' (a name for this policy, shown by gates)");
	if ((rc = mrm__ystr(&r->d, v, "name", &s)) || !(r->p->name = mrm__arena_strdup(r->arena, s)))
		return rc ? rc : oom(r);
	if ((v = mrm__yget(&r->d, root, "description")) &&
	    ((rc = mrm__ystr(&r->d, v, "description", &s)) || !(r->p->description = mrm__arena_strdup(r->arena, s))))
		return rc ? rc : oom(r);
	if ((v = mrm__yget(&r->d, root, "version")) && (rc = mrm__ystr(&r->d, v, "version", &s)))
		return rc;
	if ((v = mrm__yget(&r->d, root, "extends"))) {
		if ((rc = mrm__ystr(&r->d, v, "extends", &s)))
			return rc;
		if (strcmp(s, "default"))
			return mrm__yerr(&r->d, v, "extends", "unknown policy '%.64s' to extend (only 'default')", s);
		r->p->extends = "default";
		rc = r->base_text ? mrm_policy_parse(r->base_name, r->base_text, r->base_len, &pv->base, r->d.err)
				  : mrm_policy_default(&pv->base, r->d.err);
		if (rc)
			return rc;
	}
	/* under extends: default a file may set only KPI targets: every tier is the default's */
	if (!(v = mrm__yget(&r->d, root, "tiers")) && !r->p->extends)
		return mrm__yerr(&r->d, root, NULL, "missing 'tiers' (the rules of tiers 1, 2 and 3)");
	if (v && (rc = read_tiers(r, v, r->p->extends != NULL)))
		return rc;
	for (int i = 0; !v && i < MRM_POLICY_TIERS; i++) {
		r->p->tiers[i] = pv->base->tiers[i];
		r->p->tiers[i].inherited = true;
	}
	return read_kpis(r, mrm__yget(&r->d, root, "kpis"));
}

int mrm__policy_parse_over(const char *name, const char *text, size_t len, const char *base_name,
			   const char *base_text, size_t base_len, struct mrm_policy **out, struct mrm_error *err)
{
	struct reader r = { .base_name = base_name, .base_text = base_text, .base_len = base_len };
	struct priv *pv;
	char hex[MRM_SHA256_HEX];
	int rc;

	*out = NULL;
	if (!(pv = calloc(1, sizeof(*pv))))
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	r.arena = &pv->arena;
	if (!(r.p = mrm__arena_alloc(r.arena, sizeof(*r.p)))) {
		free(pv);
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	}
	r.p->priv = pv;
	if ((rc = mrm_catalog_load(&pv->catalog, err)))
		goto out;
	r.cat = r.p->catalog = pv->catalog;
	mrm_sha256_hex(text, len, hex);
	if (!(r.p->sha256 = mrm__arena_strdup(r.arena, hex)) || !(r.p->source = mrm__arena_strdup(r.arena, name))) {
		rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
		goto out;
	}
	if (!(rc = mrm__ydoc_load(&r.d, name, text, len, "a mapping with name and tiers", err)))
		rc = read_root(&r);
	mrm__ydoc_free(&r.d);
out:
	if (rc) {
		mrm_policy_free(r.p);
		return rc;
	}
	*out = r.p;
	return MRM_OK;
}

int mrm_policy_parse(const char *name, const char *text, size_t len, struct mrm_policy **out,
		     struct mrm_error *err)
{
	return mrm__policy_parse_over(name, text, len, NULL, NULL, 0, out, err);
}

int mrm_policy_default(struct mrm_policy **out, struct mrm_error *err)
{
	int rc = mrm_policy_parse("policy/default.yaml (built in)", mrm__policy_default_yaml,
				  mrm__policy_default_yaml_len, out, err);
	if (!rc)
		(*out)->source = "built-in";
	return rc;
}

int mrm_policy_load(const char *path, struct mrm_policy **out, struct mrm_error *err)
{
	FILE *f;
	struct stat st;
	char *text;
	size_t n;
	int rc;

	*out = NULL;
	if (!(f = fopen(path, "rb")))
		return mrm_error_set(err, MRM_EINPUT, "cannot open policy file %s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		fclose(f);
		return mrm_error_set(err, MRM_EINPUT, "policy file %s is not a regular file", path);
	}
	if (st.st_size > MAX_POLICY_BYTES) {
		fclose(f);
		return mrm_error_set(err, MRM_EINPUT, "policy file %s is larger than %d bytes", path, MAX_POLICY_BYTES);
	}
	if (!(text = malloc((size_t)st.st_size + 1))) {
		fclose(f);
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	}
	n = fread(text, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		rc = mrm_error_set(err, MRM_EINPUT, "cannot read policy file %s: %s", path, strerror(errno));
	} else {
		text[n] = '\0';
		rc = mrm_policy_parse(path, text, n, out, err);
	}
	free(text);
	fclose(f);
	return rc;
}

void mrm_policy_free(struct mrm_policy *p)
{
	struct priv *pv;

	if (!p)
		return;
	pv = p->priv;
	mrm_catalog_free(pv->catalog);
	mrm_policy_free(pv->base);
	mrm__arena_free(&pv->arena);
	free(pv);
}

const struct mrm_policy_tier *mrm_policy_tier(const struct mrm_policy *p, int tier)
{
	if (tier == 0)
		tier = 1;
	if (tier < 1 || tier > MRM_POLICY_TIERS)
		return NULL;
	return &p->tiers[tier - 1];
}

/* ---- JSON -------------------------------------------------------------------------- */

static json_t *strings(const char *const *s, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(s[i]));
	return a;
}

static json_t *evidence_json(const struct mrm_policy_tier *t, const char *only)
{
	json_t *o = json_object();
	for (size_t i = 0; i < t->nevidence; i++)
		if (!only || !strcmp(only, t->evidence[i].kind))
			json_object_set_new(o, t->evidence[i].kind, json_integer(t->evidence[i].max_age_days));
	return o;
}

/* The value of one parameter, or NULL when the tier does not set it. */
static json_t *param_json(const struct mrm_policy_tier *t, const char *param)
{
	if (!strcmp(param, "evidence"))
		return t->nevidence ? evidence_json(t, NULL) : NULL;
	if (!param_set(t, param))
		return NULL;
	if (!strncmp(param, "evidence:", 9))
		return evidence_json(t, param + 9);
	if (!strcmp(param, "inventory_fields"))
		return strings(t->inventory_fields, t->ninventory_fields);
	if (!strcmp(param, "validation_tests"))
		return strings(t->validation_tests, t->nvalidation_tests);
	if (!strcmp(param, "signoff_roles"))
		return strings(t->signoff_roles, t->nsignoff_roles);
	if (!strcmp(param, "review_interval_months"))
		return json_integer(t->review_interval_months);
	if (!strcmp(param, "redteam")) {
		json_t *rates = json_object();
		for (size_t i = 0; i < t->nredteam; i++)
			json_object_set_new(rates, t->redteam[i].category, json_real(t->redteam[i].max_rate));
		return json_pack("{s:o}", "max_success_rate", rates);
	}
	if (!strcmp(param, "monitors")) {
		json_t *o = json_object();
		json_object_set_new(o, "min_active", json_integer(t->monitors_min_active));
		json_object_set_new(o, "signals", strings(t->monitor_signals, t->nmonitor_signals));
		return o;
	}
	if (!strcmp(param, "max_open_findings")) {
		json_t *o = json_object();
		for (int i = 0; i < MRM_POLICY_SEVERITIES; i++)
			if (t->max_open_findings[i] >= 0)
				json_object_set_new(o, mrm_finding_severities[i], json_integer(t->max_open_findings[i]));
		return o;
	}
	if (!strcmp(param, "acceptance")) {
		json_t *o = json_object();
		for (int i = 0; i < MRM_POLICY_SEVERITIES; i++) {
			const struct mrm_policy_acceptance *a = &t->acceptance[i];
			json_object_set_new(o, mrm_finding_severities[i],
					    a->allowed ? json_pack("{s:o,s:i}", "roles", strings(a->roles, a->nroles),
								   "max_days", a->max_days)
						       : json_null());
		}
		return o;
	}
	return NULL;
}

json_t *mrm_policy_control_params(const struct mrm_policy_tier *t, const struct mrm_control *k)
{
	json_t *o = json_object();

	for (size_t i = 0; i < k->nuses; i++) {
		const char *u = k->uses[i];
		json_t *v = param_json(t, u);
		if (!v)
			continue;
		if (!strncmp(u, "evidence:", 9)) {
			json_t *ev = json_object_get(o, "evidence");
			if (!ev)
				json_object_set_new(o, "evidence", v);
			else {
				json_object_update(ev, v);
				json_decref(v);
			}
		} else {
			json_object_set_new(o, u, v);
		}
	}
	return o;
}

json_t *mrm_policy_controls_for(const struct mrm_policy *p, int tier, unsigned flags)
{
	const struct mrm_policy_tier *t = mrm_policy_tier(p, tier);
	json_t *a;

	if (!t)
		return NULL;
	a = json_array();
	for (size_t i = 0; i < t->ncontrols; i++) {
		const struct mrm_control *k = mrm_catalog_control(p->catalog, t->controls[i]);
		json_t *o = json_object();
		const char *why = NULL;

		if (!strcmp(k->applies_to, "genai") && !(flags & MRM_POLICY_MODEL_GENAI))
			why = "applies to generative models only";
		else if (!strcmp(k->applies_to, "vendor") && !(flags & MRM_POLICY_MODEL_VENDOR))
			why = "applies to third-party (vendor) models only";
		json_object_set_new(o, "id", json_string(k->id));
		json_object_set_new(o, "title", json_string(k->title));
		json_object_set_new(o, "check", json_string(k->check));
		json_object_set_new(o, "applies_to", json_string(k->applies_to));
		json_object_set_new(o, "applies", json_boolean(!why));
		if (why)
			json_object_set_new(o, "reason", json_string(why));
		json_object_set_new(o, "params", mrm_policy_control_params(t, k));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *tier_json(const struct mrm_policy_tier *t)
{
	static const char *const order[] = {
		"inventory_fields", "evidence", "validation_tests", "redteam", "signoff_roles", "monitors",
		"max_open_findings", "review_interval_months", "acceptance", NULL,
	};
	json_t *o = json_object(), *v;

	if (t->inherited)
		json_object_set_new(o, "inherited", json_true());
	json_object_set_new(o, "controls", strings(t->controls, t->ncontrols));
	for (const char *const *k = order; *k; k++)
		if ((v = param_json(t, *k)))
			json_object_set_new(o, *k, v);
	return o;
}

const struct mrm_kpi_target *mrm_policy_kpi_target(const struct mrm_policy *p, const char *id,
						   bool *from_policy, bool *inherited)
{
	const struct mrm_kpi_info *in = mrm_kpi_info(id);

	if (from_policy)
		*from_policy = false;
	if (inherited)
		*inherited = false;
	if (!in)
		return NULL;
	for (size_t i = 0; i < p->nkpi_targets; i++)
		if (!strcmp(p->kpi_targets[i].kpi, id)) {
			if (from_policy)
				*from_policy = true;
			if (inherited)
				*inherited = p->kpi_inherited[i];
			return &p->kpi_targets[i];
		}
	return &in->target;
}

void mrm_policy_kpi_options(const struct mrm_policy *p, struct mrm_kpi_options *o)
{
	for (int t = 0; t < MRM_KPI_TIERS && t < MRM_POLICY_TIERS; t++)
		o->inventory_fields[t] = p->tiers[t].has_inventory_fields ? p->tiers[t].inventory_fields : NULL;
	o->targets = p->kpi_targets;
	o->ntargets = p->nkpi_targets;
	o->policy_name = p->name;
	o->policy_source = p->source;
	o->policy_sha256 = p->sha256;
}

static json_t *kpis_json(const struct mrm_policy *p)
{
	json_t *o = json_object();

	for (size_t i = 0; mrm_kpi_ids[i]; i++) {
		bool mine, inherited;
		const struct mrm_kpi_target *t = mrm_policy_kpi_target(p, mrm_kpi_ids[i], &mine, &inherited);
		char text[64];
		json_t *k = json_pack("{s:s,s:s,s:s}", "target", mrm_kpi_target_text(t, false, text, sizeof(text)),
				      "unit", mrm_kpi_info(mrm_kpi_ids[i])->unit, "target_source",
				      mine ? "policy" : "default");
		if (inherited)
			json_object_set_new(k, "inherited", json_true());
		json_object_set_new(o, mrm_kpi_ids[i], k);
	}
	return o;
}

json_t *mrm_policy_json(const struct mrm_policy *p)
{
	json_t *o = json_object(), *tiers = json_object();

	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "description", p->description ? json_string(p->description) : json_null());
	json_object_set_new(o, "source", json_string(p->source));
	json_object_set_new(o, "sha256", json_string(p->sha256));
	json_object_set_new(o, "extends", p->extends ? json_string(p->extends) : json_null());
	for (int i = 0; i < MRM_POLICY_TIERS; i++)
		json_object_set_new(tiers, tier_names[i], tier_json(&p->tiers[i]));
	json_object_set_new(o, "tiers", tiers);
	json_object_set_new(o, "kpis", kpis_json(p));
	return o;
}
