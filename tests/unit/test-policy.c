/* Unit tests for the control catalogue and the policy reader: the built-in data, every error path, the gate's view. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "mrm/acceptance.h"
#include "mrm/evidence.h"
#include "mrm/policy.h"
#include "mrm/review.h"
#include "policy/internal.h"

/* ---- helpers ------------------------------------------------------------------------ */

static bool in_list(const char *const *l, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(l[i], s))
			return true;
	return false;
}

static bool in_nulllist(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return true;
	return false;
}

/* Expects the catalogue text to be refused with MRM_EINPUT and a message containing `want`. */
static void catalog_fails(const char *yaml, const char *want)
{
	struct mrm_catalog *c = NULL;
	struct mrm_error err = { 0 };
	int rc = mrm_catalog_parse("cat.yaml", yaml, strlen(yaml), &c, &err);

	if (rc != MRM_EINPUT || !strstr(err.msg, want))
		fail_msg("catalogue: got %d '%s', want %d '%s'\n--- input:\n%s", rc, err.msg, MRM_EINPUT, want, yaml);
	assert_null(c);
}

/* Expects the policy text to be refused with MRM_EINPUT and a message containing `want`. */
static void policy_fails(const char *yaml, const char *want)
{
	struct mrm_policy *p = NULL;
	struct mrm_error err = { 0 };
	int rc = mrm_policy_parse("p.yaml", yaml, strlen(yaml), &p, &err);

	if (rc != MRM_EINPUT || !strstr(err.msg, want))
		fail_msg("policy: got %d '%s', want %d '%s'\n--- input:\n%s", rc, err.msg, MRM_EINPUT, want, yaml);
	assert_null(p);
}

static struct mrm_policy *policy_ok(const char *yaml)
{
	struct mrm_policy *p = NULL;
	struct mrm_error err = { 0 };

	if (mrm_policy_parse("p.yaml", yaml, strlen(yaml), &p, &err))
		fail_msg("policy refused: %s\n--- input:\n%s", err.msg, yaml);
	return p;
}

/* ---- the built-in catalogue ------------------------------------------------------------- */

static void builtin_catalog(void **state)
{
	struct mrm_catalog *c = NULL;
	struct mrm_error err = { 0 };
	static const struct { const char *id; size_t items; } counts[] = {
		{ "nist-ai-rmf", 72 }, { "iso-42001", 38 }, { "eu-ai-act", 19 }, { "nist-ai-600-1", 12 }, { "sr-11-7", 22 },
	};
	const struct mrm_framework *f;
	size_t fn[4] = { 0, 0, 0, 0 };

	(void)state;
	if (mrm_catalog_load(&c, &err))
		fail_msg("built-in catalogue: %s", err.msg);
	/* The item counts of ../shared/docs/standards.md. */
	assert_int_equal(c->nframeworks, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_non_null(f = mrm_catalog_framework(c, counts[i].id));
		assert_int_equal(f->nitems, counts[i].items);
	}
	f = mrm_catalog_framework(c, "nist-ai-rmf");
	for (size_t i = 0; i < f->nitems; i++) {
		static const char *const fns[] = { "GOVERN ", "MAP ", "MEASURE ", "MANAGE " };
		for (int j = 0; j < 4; j++)
			fn[j] += !strncmp(f->items[i].id, fns[j], strlen(fns[j]));
	}
	assert_int_equal(fn[0], 19);
	assert_int_equal(fn[1], 18);
	assert_int_equal(fn[2], 22);
	assert_int_equal(fn[3], 13);
	/* Only SR 11-7's ids are not the publisher's own, and they say so. */
	for (size_t i = 0; i < c->nframeworks; i++)
		assert_int_equal(c->frameworks[i].official_ids, strcmp(c->frameworks[i].id, "sr-11-7") != 0);

	/* Ids unique, well formed; every mapping names items that exist; checks and uses known. */
	assert_int_equal(c->ncontrols, 22);
	for (size_t i = 0; i < c->ncontrols; i++) {
		const struct mrm_control *k = &c->controls[i];
		assert_int_equal(strncmp(k->id, "MRM-", 4), 0);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(c->controls[j].id, k->id);
		assert_ptr_equal(mrm_catalog_control(c, k->id), k);
		assert_true(in_nulllist(mrm_control_checks, k->check));
		assert_true(!strcmp(k->applies_to, "all") || !strcmp(k->applies_to, "genai") ||
			    !strcmp(k->applies_to, "vendor"));
		for (size_t u = 0; u < k->nuses; u++)
			if (!strncmp(k->uses[u], "evidence:", 9))
				assert_true(in_nulllist(mrm_evidence_kinds, k->uses[u] + 9));
		for (size_t m = 0; m < k->nmappings; m++) {
			const struct mrm_control_mapping *mp = &k->mappings[m];
			assert_ptr_equal(mrm_catalog_framework(c, mp->framework->id), mp->framework);
			assert_true(mp->nitems > 0);
			for (size_t j = 0; j < mp->nitems; j++) {
				bool found = false;
				for (size_t t = 0; t < mp->framework->nitems; t++)
					found |= !strcmp(mp->framework->items[t].id, mp->items[j]);
				if (!found)
					fail_msg("%s maps to %s '%s', which is not an item", k->id, mp->framework->id,
						 mp->items[j]);
			}
		}
	}
	/* Deliberate non-mappings: governance audit events are not the system's event logs. */
	{
		json_t *cov = mrm_catalog_coverage_json(c, mrm_catalog_framework(c, "eu-ai-act")), *it;
		size_t i, addressed = 0;
		json_array_foreach(json_object_get(cov, "not_addressed_items"), i, it)
			addressed += !strcmp(json_string_value(json_object_get(it, "id")), "Art. 12") ||
				     !strcmp(json_string_value(json_object_get(it, "id")), "Art. 14");
		assert_int_equal(addressed, 2);
		assert_int_equal(json_integer_value(json_object_get(cov, "items")), 19);
		assert_int_equal(json_integer_value(json_object_get(cov, "addressed")) +
					 json_integer_value(json_object_get(cov, "not_addressed")),
				 19);
		json_array_foreach(json_object_get(cov, "addressed_items"), i, it)
			if (!strcmp(json_string_value(json_object_get(it, "id")), "Art. 73")) {
				assert_int_equal(json_array_size(json_object_get(it, "controls")), 1);
				assert_string_equal(json_string_value(json_array_get(json_object_get(it, "controls"), 0)),
						    "MRM-INC-01");
			}
		json_decref(cov);
		cov = mrm_catalog_coverage_json(c, mrm_catalog_framework(c, "iso-42001"));
		json_array_foreach(json_object_get(cov, "addressed_items"), i, it)
			assert_string_not_equal(json_string_value(json_object_get(it, "id")), "A.6.2.8");
		json_decref(cov);
	}
	mrm_catalog_free(c);
}

static void coverage_counts(void **state)
{
	/* Two controls, one framework of three items: 2 of 3 addressed, 66.7 %. */
	static const char yaml[] =
		"version: 1\n"
		"frameworks:\n"
		"  - id: fw\n    name: F\n    source: s\n    status: st\n    official_ids: false\n"
		"    items:\n"
		"      - { id: a, title: A }\n"
		"      - { id: b, title: B, note: careful }\n"
		"      - { id: c, title: C }\n"
		"controls:\n"
		"  - { id: MRM-XX-01, title: X, check: tier, applies_to: all, description: d, evidence: e,\n"
		"      limits: l, maps: { fw: [a, c] } }\n"
		"  - { id: MRM-YY-01, title: Y, check: evidence, applies_to: genai, uses: ['evidence:model-card'],\n"
		"      description: d, evidence: e, limits: l, maps: { fw: [a] } }\n";
	struct mrm_catalog *c = NULL;
	struct mrm_error err = { 0 };
	json_t *cov, *yes, *no;

	(void)state;
	if (mrm_catalog_parse("cat.yaml", yaml, strlen(yaml), &c, &err))
		fail_msg("%s", err.msg);
	cov = mrm_catalog_coverage_json(c, &c->frameworks[0]);
	assert_int_equal(json_integer_value(json_object_get(cov, "addressed")), 2);
	assert_int_equal(json_integer_value(json_object_get(cov, "not_addressed")), 1);
	assert_float_equal(json_real_value(json_object_get(cov, "percent")), 66.7, 1e-9);
	assert_false(json_is_true(json_object_get(cov, "official_ids")));
	yes = json_object_get(cov, "addressed_items");
	no = json_object_get(cov, "not_addressed_items");
	assert_string_equal(json_string_value(json_object_get(json_array_get(yes, 0), "id")), "a");
	assert_int_equal(json_array_size(json_object_get(json_array_get(yes, 0), "controls")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(yes, 1), "id")), "c");
	assert_string_equal(json_string_value(json_object_get(json_array_get(no, 0), "id")), "b");
	assert_string_equal(json_string_value(json_object_get(json_array_get(no, 0), "note")), "careful");
	json_decref(cov);
	assert_non_null(mrm_control_mapping(&c->controls[1], &c->frameworks[0]));
	assert_string_equal(c->controls[1].uses[0], "evidence:model-card");
	mrm_catalog_free(c);
}

/* The pieces of a small valid catalogue, for the error cases. */
#define CAT_HEAD                                                                             \
	"version: 1\n"                                                                       \
	"frameworks:\n"                                                                      \
	"  - id: fw\n    name: F\n    source: s\n    status: st\n    official_ids: true\n" \
	"    items:\n      - { id: a, title: A }\n      - { id: b, title: B }\n"
#define CTRL(id, rest) "  - { id: " id ", title: T, applies_to: all, description: d, evidence: e, limits: l, " rest " }\n"

static void catalog_errors(void **state)
{
	(void)state;
	catalog_fails("version: 1\nframeworks: [\n", "cat.yaml:3:1: did not find expected node content");
	catalog_fails("", "cat.yaml:1:1: empty document");
	catalog_fails("- a\n", "cat.yaml:1:1: expected a mapping, found a list");
	catalog_fails("version: 2\n", "cat.yaml:1:10: version: 2 format version is out of range (1 to 1)");
	catalog_fails("version: 1\nversion: 1\n", "cat.yaml:2:1: key 'version' given twice (first at line 1)");
	catalog_fails("version: 1\nextra: 1\n", "cat.yaml:2:1: unknown key 'extra'");
	catalog_fails(CAT_HEAD, "missing 'controls'");
	catalog_fails(CAT_HEAD "  - id: fw\n    name: G\n    source: s\n    status: st\n    official_ids: true\n"
			       "    items: [ { id: a, title: A } ]\ncontrols: []\n",
		      "cat.yaml:11:9: frameworks.fw: framework 'fw' defined twice");
	catalog_fails("version: 1\nframeworks:\n  - id: fw\n    name: F\n    source: s\n    status: st\n"
		      "    official_ids: true\n    items: [ { id: a, title: A }, { id: a, title: B } ]\n",
		      "cat.yaml:8:41: frameworks.fw.items: item 'a' listed twice");
	catalog_fails("version: 1\nframeworks:\n  - id: fw\n    name: F\n    source: s\n    status: st\n"
		      "    items: [ { id: a, title: A } ]\n",
		      "frameworks.fw: missing 'official_ids'");
	catalog_fails("version: 1\nframeworks:\n  - id: fw\n    name: F\n    source: s\n    status: st\n"
		      "    official_ids: true\n    items: [ { id: a } ]\n",
		      "frameworks.fw.items: missing 'title'");
	catalog_fails(CAT_HEAD "controls:\n" CTRL("MRM-AA-01", "check: tier, maps: {}") CTRL("MRM-AA-01", "check: tier, maps: {}"),
		      "cat.yaml:13:11: controls[2]: control 'MRM-AA-01' defined twice");
	catalog_fails(CAT_HEAD "controls:\n" CTRL("CTL-1", "check: tier, maps: {}"),
		      "control id 'CTL-1' is not of the form MRM-AREA-NN");
	catalog_fails(CAT_HEAD "controls:\n" CTRL("MRM-AA-01", "check: magic, maps: {}"),
		      "controls.MRM-AA-01.check: unknown check 'magic'");
	catalog_fails(CAT_HEAD "controls:\n" CTRL("MRM-AA-01", "check: tier, maps: { fw: [z] }"),
		      "controls.MRM-AA-01.maps.fw: no item 'z' in framework fw");
	catalog_fails(CAT_HEAD "controls:\n" CTRL("MRM-AA-01", "check: tier, maps: { nist: [a] }"),
		      "controls.MRM-AA-01.maps: unknown framework 'nist' (expected one of: fw)");
	catalog_fails(CAT_HEAD "controls:\n" CTRL("MRM-AA-01", "check: tier, maps: { fw: [a, a] }"),
		      "controls.MRM-AA-01.maps.fw: item 'a' listed twice");
	catalog_fails(CAT_HEAD "controls:\n" CTRL("MRM-AA-01", "check: tier, uses: [colour], maps: {}"),
		      "controls.MRM-AA-01.uses: unknown policy field 'colour'");
	catalog_fails(CAT_HEAD "controls:\n" CTRL("MRM-AA-01", "check: tier, uses: ['evidence:poem'], maps: {}"),
		      "controls.MRM-AA-01.uses: unknown evidence kind 'poem'");
	catalog_fails(CAT_HEAD "controls:\n" CTRL("MRM-AA-01", "check: evidence, maps: {}"),
		      "a control of check 'evidence' uses exactly one evidence:KIND");
	catalog_fails(CAT_HEAD "controls:\n" CTRL("MRM-AA-01", "check: tier, applies_to: some, maps: {}"),
		      "key 'applies_to' given twice");
	catalog_fails(CAT_HEAD "controls:\n" CTRL("MRM-AA-01", "check: tier"),
		      "controls.MRM-AA-01: missing 'maps'");
	catalog_fails(CAT_HEAD "controls:\n  - { id: MRM-AA-01, title: T, check: tier, applies_to: some, description: d,"
			       " evidence: e, limits: l, maps: {} }\n",
		      "controls.MRM-AA-01.applies_to: unknown value 'some' (expected one of: all, genai, vendor)");
}

/* ---- the default policy ------------------------------------------------------------------ */

static void default_policy(void **state)
{
	struct mrm_policy *p = NULL;
	struct mrm_error err = { 0 };

	(void)state;
	if (mrm_policy_default(&p, &err))
		fail_msg("default policy: %s", err.msg);
	assert_string_equal(p->name, "mrm-default");
	assert_string_equal(p->source, "built-in");
	assert_null(p->extends);
	for (int tier = 1; tier <= 3; tier++) {
		const struct mrm_policy_tier *t = mrm_policy_tier(p, tier);
		const char *const *authority = mrm_acceptance_authority(tier);

		assert_int_equal(t->tier, tier);
		assert_false(t->inherited);
		/* In agreement with the core: the review cadence and who may accept risk. */
		assert_int_equal(t->review_interval_months, mrm_review_cadence_months(tier));
		assert_true(t->has_acceptance);
		for (int s = 0; s < MRM_POLICY_SEVERITIES; s++) {
			const struct mrm_policy_acceptance *a = &t->acceptance[s];
			assert_true(a->allowed);
			assert_true(a->max_days >= 1 && a->max_days <= MRM_ACCEPTANCE_MAX_DAYS);
			for (size_t r = 0; r < a->nroles; r++) {
				assert_true(in_nulllist(authority, a->roles[r]));
				if (!strcmp(a->roles[r], "owner"))
					assert_true(mrm_acceptance_owner_may_accept(tier));
			}
		}
		for (size_t r = 0; r < t->nsignoff_roles; r++)
			assert_string_not_equal(t->signoff_roles[r], "owner");
		/* No critical finding may stay open at any tier. */
		assert_int_equal(t->max_open_findings[0], 0);
		/* Every control of a lighter tier is enforced at the stricter one. */
		if (tier > 1) {
			const struct mrm_policy_tier *up = mrm_policy_tier(p, tier - 1);
			for (size_t i = 0; i < t->ncontrols; i++)
				assert_true(in_list(up->controls, up->ncontrols, t->controls[i]));
			assert_true(up->ncontrols > t->ncontrols);
		}
	}
	/* Tier 1 enforces every control of the catalogue. */
	assert_int_equal(p->tiers[0].ncontrols, p->catalog->ncontrols);
	assert_int_equal(p->tiers[0].nsignoff_roles, 2);
	assert_int_equal(p->tiers[0].monitors_min_active, 2);
	assert_int_equal(p->tiers[2].max_open_findings[2], -1); /* tier 3: medium unlimited */
	/* An untiered model is treated as tier 1; no tier 4. */
	assert_ptr_equal(mrm_policy_tier(p, 0), &p->tiers[0]);
	assert_null(mrm_policy_tier(p, 4));
	assert_null(mrm_policy_tier(p, -1));
	mrm_policy_free(p);
}

static void controls_for_gate(void **state)
{
	struct mrm_policy *p = NULL;
	struct mrm_error err = { 0 };
	json_t *a, *k;
	size_t i;
	int seen = 0;

	(void)state;
	if (mrm_policy_default(&p, &err))
		fail_msg("%s", err.msg);
	/* A non-generative in-house tier 1 model: red teaming and third-party do not apply. */
	a = mrm_policy_controls_for(p, 1, 0);
	assert_int_equal(json_array_size(a), 22);
	json_array_foreach(a, i, k) {
		const char *id = json_string_value(json_object_get(k, "id"));
		json_t *params = json_object_get(k, "params");
		if (!strcmp(id, "MRM-RT-01")) {
			assert_false(json_is_true(json_object_get(k, "applies")));
			assert_string_equal(json_string_value(json_object_get(k, "reason")),
					    "applies to generative models only");
			assert_float_equal(json_real_value(json_object_get(json_object_get(json_object_get(params, "redteam"),
											  "max_success_rate"),
									   "prompt_injection")),
					   0.05, 1e-12);
			assert_int_equal(json_integer_value(json_object_get(json_object_get(params, "evidence"),
									    "redteam-report")),
					 180);
			seen++;
		} else if (!strcmp(id, "MRM-TP-01")) {
			assert_false(json_is_true(json_object_get(k, "applies")));
			seen++;
		} else {
			assert_true(json_is_true(json_object_get(k, "applies")));
		}
		if (!strcmp(id, "MRM-VAL-01")) {
			/* only what it uses: its evidence kind, not the others */
			assert_int_equal(json_object_size(json_object_get(params, "evidence")), 1);
			assert_int_equal(json_integer_value(json_object_get(json_object_get(params, "evidence"),
									    "validation-report")),
					 365);
			assert_null(json_object_get(params, "validation_tests")); /* optional, not set */
			seen++;
		}
		if (!strcmp(id, "MRM-ACC-01")) {
			json_t *crit = json_object_get(json_object_get(params, "acceptance"), "critical");
			assert_int_equal(json_integer_value(json_object_get(crit, "max_days")), 90);
			seen++;
		}
		if (!strcmp(id, "MRM-REV-02")) {
			assert_int_equal(json_integer_value(json_object_get(params, "review_interval_months")), 12);
			seen++;
		}
		if (!strcmp(id, "MRM-TIER-01"))
			assert_int_equal(json_object_size(params), 0);
	}
	assert_int_equal(seen, 5);
	json_decref(a);
	/* A generative vendor model: everything applies. */
	a = mrm_policy_controls_for(p, 1, MRM_POLICY_MODEL_GENAI | MRM_POLICY_MODEL_VENDOR);
	json_array_foreach(a, i, k)
		assert_true(json_is_true(json_object_get(k, "applies")));
	json_decref(a);
	/* Untiered is tier 1; tier 3 is light; no tier 4. */
	a = mrm_policy_controls_for(p, 0, 0);
	assert_int_equal(json_array_size(a), 22);
	json_decref(a);
	a = mrm_policy_controls_for(p, 3, 0);
	assert_int_equal(json_array_size(a), 9);
	json_decref(a);
	assert_null(mrm_policy_controls_for(p, 4, 0));
	/* The effective policy document */
	a = mrm_policy_json(p);
	assert_string_equal(json_string_value(json_object_get(a, "name")), "mrm-default");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(a, "tiers"), "2"),
							    "review_interval_months")),
			 24);
	assert_true(json_is_null(json_object_get(a, "extends")));
	json_decref(a);
	mrm_policy_free(p);
}

/* ---- a team's policy --------------------------------------------------------------------- */

#define T23 "  2:\n    controls: [MRM-TIER-01]\n  3:\n    controls: [MRM-TIER-01]\n"
#define T1(body) "name: t\ntiers:\n  1:\n" body T23

static void team_policy(void **state)
{
	struct mrm_policy *p;
	const struct mrm_policy_tier *t;
	json_t *doc;

	(void)state;
	p = policy_ok(T1("    controls: [MRM-INV-01, MRM-VAL-01, MRM-MON-01, MRM-FND-01, MRM-ACC-01, MRM-SIGN-01,\n"
			 "               MRM-RT-01]\n"
			 "    inventory_fields: [purpose, data_sources]\n"
			 "    evidence: { validation-report: 90, redteam-report: 30 }\n"
			 "    validation_tests: [auc floor, 'recall >= 0.6 for each sex']\n"
			 "    redteam: { max_success_rate: { jailbreak: 0, hallucination: 1 } }\n"
			 "    signoff_roles: [approver, auditor]\n"
			 "    monitors: { signals: [drift_share, 'drift:age', 'drift:age:psi', metric, 'metric:roc_auc',\n"
			 "                          'quality:missing_rate:income'] }\n"
			 "    max_open_findings: { high: 1 }\n"
			 "    acceptance:\n"
			 "      critical: never\n"
			 "      low: { roles: [approver], max_days: 365 }\n"));
	t = mrm_policy_tier(p, 1);
	assert_int_equal(t->ncontrols, 7);
	assert_int_equal(t->nevidence, 2);
	assert_string_equal(t->evidence[1].kind, "redteam-report");
	assert_int_equal(t->evidence[1].max_age_days, 30);
	assert_string_equal(t->validation_tests[1], "recall >= 0.6 for each sex");
	assert_float_equal(t->redteam[0].max_rate, 0.0, 0);
	assert_int_equal(t->monitors_min_active, 0);
	assert_int_equal(t->nmonitor_signals, 6);
	assert_int_equal(t->max_open_findings[0], -1);
	assert_int_equal(t->max_open_findings[1], 1);
	assert_false(t->acceptance[0].allowed); /* never */
	assert_false(t->acceptance[1].allowed); /* left out */
	assert_true(t->acceptance[3].allowed);
	assert_int_equal(t->review_interval_months, 0);
	assert_null(p->extends);
	assert_string_equal(p->source, "p.yaml");
	assert_int_equal(strlen(p->sha256), 64);
	doc = mrm_policy_json(p);
	assert_true(json_is_null(json_object_get(json_object_get(json_object_get(json_object_get(doc, "tiers"), "1"),
								 "acceptance"),
						 "critical")));
	assert_null(json_object_get(json_object_get(json_object_get(doc, "tiers"), "1"), "review_interval_months"));
	json_decref(doc);
	mrm_policy_free(p);

	/* inventory_fields is optional: MRM-INV-01 always checks owner, purpose and intended use */
	p = policy_ok(T1("    controls: [MRM-INV-01]\n"));
	assert_false(p->tiers[0].has_inventory_fields);
	mrm_policy_free(p);

	/* extends: default keeps the default's tiers 2 and 3 */
	p = policy_ok("name: ours\nextends: default\ntiers:\n  1:\n    controls: [MRM-TIER-01, MRM-REV-02]\n"
		      "    review_interval_months: 6\n");
	assert_string_equal(p->extends, "default");
	assert_false(p->tiers[0].inherited);
	assert_int_equal(p->tiers[0].review_interval_months, 6);
	assert_true(p->tiers[1].inherited);
	assert_true(p->tiers[2].inherited);
	assert_int_equal(p->tiers[1].review_interval_months, 24);
	assert_int_equal(p->tiers[2].ncontrols, 9);
	doc = mrm_policy_json(p);
	assert_true(json_is_true(json_object_get(json_object_get(json_object_get(doc, "tiers"), "2"), "inherited")));
	assert_null(json_object_get(json_object_get(json_object_get(doc, "tiers"), "1"), "inherited"));
	json_decref(doc);
	mrm_policy_free(p);
}

static void policy_errors(void **state)
{
	(void)state;
	/* the document */
	policy_fails("name: t\ntiers: {\n", "p.yaml:3:1: did not find expected node content");
	policy_fails("", "p.yaml:1:1: empty document (expected a mapping with name and tiers)");
	policy_fails("# only a comment\n", "p.yaml:1:1: empty document");
	policy_fails("name: a\n---\nname: b\n", "p.yaml:2:1: only one YAML document expected");
	policy_fails("- name\n", "p.yaml:1:1: expected a mapping, found a list");
	policy_fails("name: t\nowner: me\n", "p.yaml:2:1: unknown key 'owner' (expected one of: name, description, version, extends, tiers, kpis)");
	policy_fails("tiers: {}\n", "p.yaml:1:1: missing 'name'");
	policy_fails("name: ''\ntiers: {}\n", "p.yaml:1:7: name: must not be empty");
	policy_fails("name: t\n", "p.yaml:1:1: missing 'tiers'");
	policy_fails("name: t\ntiers: [1, 2]\n", "p.yaml:2:8: tiers: expected a mapping, found a list");
	policy_fails("name: t\nname: u\ntiers: {}\n", "p.yaml:2:1: key 'name' given twice (first at line 1)");
	policy_fails("name: t\nextends: strict\ntiers: {}\n", "p.yaml:2:10: extends: unknown policy 'strict' to extend (only 'default')");

	/* flow nesting deeper than 64 levels is refused before libyaml's quadratic scanner sees it */
	{
		char deep[400], quoted[400];
		struct mrm_policy *p;
		memset(deep, 0, sizeof(deep));
		memcpy(deep, "name: t\ntiers: ", 15);
		memset(deep + 15, '[', 100);
		memset(deep + 115, ']', 100);
		policy_fails(deep, "p.yaml:2:72: lists or mappings nested deeper than 64 levels");
		/* brackets in quotes and comments do not count */
		snprintf(quoted, sizeof(quoted), "name: \"%.*s\" # %.*s\nextends: default\ntiers: {}\n", 70,
			 deep + 15, 70, deep + 15);
		p = policy_ok(quoted);
		assert_int_equal(strlen(p->name), 70);
		mrm_policy_free(p);
	}

	/* tiers */
	policy_fails("name: t\ntiers:\n  4:\n    controls: [MRM-TIER-01]\n", "p.yaml:3:3: tiers: unknown tier '4' (expected 1, 2 or 3)");
	policy_fails("name: t\ntiers:\n  tier1:\n    controls: [MRM-TIER-01]\n", "unknown tier 'tier1'");
	policy_fails("name: t\ntiers:\n  1:\n    controls: [MRM-TIER-01]\n  3:\n    controls: [MRM-TIER-01]\n",
		     "p.yaml:3:3: tiers: tier 2 is missing (define tiers 1, 2 and 3, or add 'extends: default'");
	policy_fails(T1("    controls: [MRM-TIER-01]\n") "  1:\n    controls: [MRM-TIER-01]\n",
		     "p.yaml:9:3: tiers: key '1' given twice (first at line 3)");
	policy_fails(T1("    review_interval_months: 12\n"), "p.yaml:4:5: tiers.1: missing 'controls'");
	policy_fails(T1("    controls: [MRM-TIER-01]\n    colour: red\n"), "p.yaml:5:5: tiers.1: unknown key 'colour'");
	policy_fails(T1("    controls: [MRM-TIER-01]\n    controls: [MRM-INV-01]\n"),
		     "p.yaml:5:5: tiers.1: key 'controls' given twice (first at line 4)");
	policy_fails(T1("    controls: MRM-TIER-01\n"), "p.yaml:4:15: tiers.1.controls: expected a list, found text");
	policy_fails(T1("    controls: []\n"), "tiers.1.controls: needs at least one control");

	/* control ids */
	policy_fails(T1("    controls: [MRM-TIER-01, MRM-NOPE-01]\n"),
		     "p.yaml:4:29: tiers.1.controls: unknown control 'MRM-NOPE-01' (see 'mrm controls list')");
	policy_fails(T1("    controls: [MRM-TIER-01, MRM-TIER-01]\n"), "tiers.1.controls: control 'MRM-TIER-01' listed twice");
	policy_fails(T1("    controls: [mrm-tier-01]\n"), "unknown control 'mrm-tier-01'");

	/* evidence */
	policy_fails(T1("    controls: [MRM-DOC-01]\n    evidence: { poem: 30 }\n"),
		     "p.yaml:5:17: tiers.1.evidence: unknown evidence kind 'poem' (expected one of: validation-report,");
	policy_fails(T1("    controls: [MRM-DOC-01]\n    evidence:\n      model-card: -5\n"),
		     "p.yaml:6:19: tiers.1.evidence.model-card: -5 days: must not be negative");
	policy_fails(T1("    controls: [MRM-DOC-01]\n    evidence: { model-card: 0 }\n"),
		     "tiers.1.evidence.model-card: 0 days is out of range (1 to 3650)");
	policy_fails(T1("    controls: [MRM-DOC-01]\n    evidence: { model-card: 4000 }\n"),
		     "4000 days is out of range (1 to 3650)");
	policy_fails(T1("    controls: [MRM-DOC-01]\n    evidence: { model-card: a year }\n"),
		     "tiers.1.evidence.model-card: 'a year' is not a whole number of days");
	policy_fails(T1("    controls: [MRM-DOC-01]\n    evidence: { model-card: 36.5 }\n"),
		     "'36.5' is not a whole number of days");
	policy_fails(T1("    controls: [MRM-DOC-01]\n    evidence: { model-card: 30, model-card: 60 }\n"),
		     "tiers.1.evidence: key 'model-card' given twice");
	policy_fails(T1("    controls: [MRM-DOC-01]\n    evidence: {}\n"),
		     "tiers.1.evidence: needs at least one evidence kind");

	/* controls and their parameters */
	policy_fails(T1("    controls: [MRM-TIER-01, MRM-VAL-01]\n"),
		     "p.yaml:4:29: tiers.1.controls: control MRM-VAL-01 at tier 1 needs a maximum age for evidence "
		     "'validation-report' (add 'validation-report: DAYS' under evidence)");
	policy_fails(T1("    controls: [MRM-SIGN-01]\n"), "control MRM-SIGN-01 at tier 1 needs signoff_roles");
	policy_fails(T1("    controls: [MRM-REV-02]\n"), "control MRM-REV-02 at tier 1 needs review_interval_months");
	policy_fails(T1("    controls: [MRM-RT-01]\n    evidence: { redteam-report: 9 }\n"),
		     "control MRM-RT-01 at tier 1 needs redteam.max_success_rate");
	policy_fails(T1("    controls: [MRM-MON-01]\n"), "control MRM-MON-01 at tier 1 needs monitors");
	policy_fails(T1("    controls: [MRM-FND-01]\n"), "control MRM-FND-01 at tier 1 needs max_open_findings");
	policy_fails(T1("    controls: [MRM-ACC-01]\n"), "control MRM-ACC-01 at tier 1 needs acceptance");
	policy_fails(T1("    controls: [MRM-DOC-01]\n    evidence: { model-card: 30, drift-report: 30 }\n"),
		     "p.yaml:5:33: tiers.1.evidence.drift-report: no control enforced at tier 1 checks this "
		     "evidence (enforce MRM-MON-03, or remove it)");
	policy_fails(T1("    controls: [MRM-DOC-01]\n    evidence: { model-card: 30, other: 30 }\n"),
		     "tiers.1.evidence.other: no control checks evidence kind 'other'");
	policy_fails(T1("    controls: [MRM-TIER-01]\n    validation_tests: [auc]\n"),
		     "p.yaml:5:5: tiers.1.validation_tests: no control enforced at tier 1 uses this (enforce MRM-VAL-01");
	policy_fails(T1("    controls: [MRM-TIER-01]\n    review_interval_months: 6\n"),
		     "tiers.1.review_interval_months: no control enforced at tier 1 uses this (enforce MRM-REV-02");
	policy_fails(T1("    controls: [MRM-VAL-01]\n    evidence: { validation-report: 9 }\n    validation_tests: []\n"),
		     "tiers.1.validation_tests: needs at least one test");
	policy_fails(T1("    controls: [MRM-INV-01]\n    inventory_fields: [purpose, colour]\n"),
		     "tiers.1.inventory_fields: unknown model field 'colour' (expected one of: team, purpose,");

	/* red team */
	policy_fails(T1("    controls: [MRM-RT-01]\n    evidence: { redteam-report: 9 }\n"
			"    redteam: { max_success_rate: { mind_control: 0.1 } }\n"),
		     "p.yaml:6:36: tiers.1.redteam.max_success_rate: unknown red-team category 'mind_control' "
		     "(expected one of: prompt_injection, jailbreak,");
	policy_fails(T1("    controls: [MRM-RT-01]\n    evidence: { redteam-report: 9 }\n"
			"    redteam: { max_success_rate: { jailbreak: 5 } }\n"),
		     "tiers.1.redteam.max_success_rate.jailbreak: 5 is out of range (0 to 1)");
	policy_fails(T1("    controls: [MRM-RT-01]\n    evidence: { redteam-report: 9 }\n"
			"    redteam: { max_success_rate: { jailbreak: lots } }\n"),
		     "tiers.1.redteam.max_success_rate.jailbreak: 'lots' is not a number");
	policy_fails(T1("    controls: [MRM-RT-01]\n    evidence: { redteam-report: 9 }\n    redteam: { jailbreak: 0.1 }\n"),
		     "tiers.1.redteam: unknown key 'jailbreak' (expected one of: max_success_rate)");
	policy_fails(T1("    controls: [MRM-RT-01]\n    evidence: { redteam-report: 9 }\n    redteam: {}\n"),
		     "tiers.1.redteam: missing 'max_success_rate'");

	/* sign-offs and roles */
	policy_fails(T1("    controls: [MRM-SIGN-01]\n    signoff_roles: [validator, ceo]\n"),
		     "p.yaml:5:32: tiers.1.signoff_roles: unknown role 'ceo' (expected one of: owner, validator, approver, auditor, admin)");
	policy_fails(T1("    controls: [MRM-SIGN-01]\n    signoff_roles: [owner, approver]\n"),
		     "tiers.1.signoff_roles: role 'owner' cannot be a required sign-off");
	policy_fails(T1("    controls: [MRM-SIGN-01]\n    signoff_roles: [approver, approver]\n"),
		     "tiers.1.signoff_roles: role 'approver' listed twice");

	/* monitors */
	policy_fails(T1("    controls: [MRM-MON-01]\n    monitors: { signals: [drift_share, vibes] }\n"),
		     "tiers.1.monitors.signals: unknown signal 'vibes' (expected drift_share, drift, drift:COLUMN[:MEASURE]");
	policy_fails(T1("    controls: [MRM-MON-01]\n    monitors: { signals: ['metric:auc:x'] }\n"),
		     "unknown signal 'metric:auc:x'");
	policy_fails(T1("    controls: [MRM-MON-01]\n    monitors: { signals: ['drift:'] }\n"), "unknown signal 'drift:'");
	policy_fails(T1("    controls: [MRM-MON-01]\n    monitors: {}\n"),
		     "tiers.1.monitors: needs min_active (a number of active monitors) and/or signals");
	policy_fails(T1("    controls: [MRM-MON-01]\n    monitors: { min_active: 0 }\n"),
		     "tiers.1.monitors: min_active 0 with no signals requires nothing");
	policy_fails(T1("    controls: [MRM-MON-01]\n    monitors: { min_active: -1 }\n"),
		     "tiers.1.monitors.min_active: -1 monitors: must not be negative");
	policy_fails(T1("    controls: [MRM-MON-01]\n    monitors: { count: 2 }\n"), "tiers.1.monitors: unknown key 'count'");

	/* findings */
	policy_fails(T1("    controls: [MRM-FND-01]\n    max_open_findings: { severe: 1 }\n"),
		     "p.yaml:5:26: tiers.1.max_open_findings: unknown severity 'severe' (expected one of: critical, high, medium, low)");
	policy_fails(T1("    controls: [MRM-FND-01]\n    max_open_findings: { high: -2 }\n"),
		     "tiers.1.max_open_findings.high: -2 findings: must not be negative");
	policy_fails(T1("    controls: [MRM-FND-01]\n    max_open_findings: {}\n"),
		     "tiers.1.max_open_findings: needs at least one severity");

	/* the review interval against the core's cadence */
	policy_fails(T1("    controls: [MRM-REV-02]\n    review_interval_months: 18\n"),
		     "p.yaml:5:29: tiers.1.review_interval_months: 18 months is longer than mrm's review cadence "
		     "for tier 1 (12 months): a policy may tighten the core's rules, not loosen them");
	policy_fails(T1("    controls: [MRM-REV-02]\n    review_interval_months: 0\n"),
		     "tiers.1.review_interval_months: 0 months is out of range (1 to 120)");
	policy_fails(T1("    controls: [MRM-REV-02]\n    review_interval_months: yearly\n"),
		     "'yearly' is not a whole number of months");

	/* acceptance against the core's authority */
	policy_fails(T1("    controls: [MRM-ACC-01]\n    acceptance: { high: { roles: [validator], max_days: 30 } }\n"),
		     "p.yaml:5:35: tiers.1.acceptance.high.roles: role 'validator' may not accept risk on a tier 1 "
		     "model (mrm's core allows: approver)");
	policy_fails("name: t\ntiers:\n  1:\n    controls: [MRM-TIER-01]\n  2:\n    controls: [MRM-ACC-01]\n"
		     "    acceptance: { low: { roles: [owner], max_days: 30 } }\n  3:\n    controls: [MRM-TIER-01]\n",
		     "tiers.2.acceptance.low.roles: role 'owner' may not accept risk on a tier 2 model (mrm's core "
		     "allows: approver, validator)");
	policy_fails(T1("    controls: [MRM-ACC-01]\n    acceptance: { high: { roles: [boss], max_days: 30 } }\n"),
		     "tiers.1.acceptance.high.roles: unknown role 'boss'");
	policy_fails(T1("    controls: [MRM-ACC-01]\n    acceptance: { high: { roles: [approver], max_days: 400 } }\n"),
		     "tiers.1.acceptance.high.max_days: 400 days is longer than mrm lets any acceptance run (365 days)");
	policy_fails(T1("    controls: [MRM-ACC-01]\n    acceptance: { high: { roles: [approver], max_days: -1 } }\n"),
		     "tiers.1.acceptance.high.max_days: -1 days: must not be negative");
	policy_fails(T1("    controls: [MRM-ACC-01]\n    acceptance: { high: { max_days: 30 } }\n"),
		     "tiers.1.acceptance.high: missing 'roles'");
	policy_fails(T1("    controls: [MRM-ACC-01]\n    acceptance: { high: { roles: [approver] } }\n"),
		     "tiers.1.acceptance.high: missing 'max_days'");
	policy_fails(T1("    controls: [MRM-ACC-01]\n    acceptance: { urgent: never }\n"),
		     "tiers.1.acceptance: unknown severity 'urgent'");
	policy_fails(T1("    controls: [MRM-ACC-01]\n    acceptance: { high: sometimes }\n"),
		     "tiers.1.acceptance.high: expected { roles: [...], max_days: N } or 'never', found text");
	policy_fails(T1("    controls: [MRM-ACC-01]\n    acceptance: {}\n"),
		     "tiers.1.acceptance: needs at least one severity");
}

static void policy_files(void **state)
{
	struct mrm_policy *p = NULL;
	struct mrm_error err = { 0 };
	char dir[] = "/tmp/mrm-policy-XXXXXX", path[64];
	FILE *f;

	(void)state;
	assert_int_equal(mrm_policy_load("/nonexistent/p.yaml", &p, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "cannot open policy file /nonexistent/p.yaml"));
	assert_null(p);
	assert_non_null(mkdtemp(dir));
	mrm_error_clear(&err);
	assert_int_equal(mrm_policy_load(dir, &p, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "is not a regular file"));
	snprintf(path, sizeof(path), "%s/ours.yaml", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("name: ours\nextends: default\ntiers:\n  3:\n    controls: [MRM-TIER-01]\n    evidence: { poem: 1 }\n", f);
	fclose(f);
	mrm_error_clear(&err);
	assert_int_equal(mrm_policy_load(path, &p, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "/ours.yaml:6:17: tiers.3.evidence: unknown evidence kind 'poem'"));
	assert_non_null(f = fopen(path, "w"));
	fputs("name: ours\nextends: default\ntiers:\n  3:\n    controls: [MRM-TIER-01]\n", f);
	fclose(f);
	mrm_error_clear(&err);
	if (mrm_policy_load(path, &p, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(p->source, path);
	assert_int_equal(p->tiers[2].ncontrols, 1);
	assert_true(p->tiers[0].inherited);
	mrm_policy_free(p);
	unlink(path);
	rmdir(dir);
}

/* ---- KPI targets ------------------------------------------------------------------------ */

/* The target `p` uses for `id`: its text as a policy writes it, and whose it is. */
static void kpi_is(const struct mrm_policy *p, const char *id, const char *text, bool mine, bool inherited)
{
	bool m = !mine, in = !inherited;
	const struct mrm_kpi_target *t = mrm_policy_kpi_target(p, id, &m, &in);
	char buf[64];

	assert_non_null(t);
	assert_string_equal(mrm_kpi_target_text(t, true, buf, sizeof(buf)), text);
	if (m != mine || in != inherited)
		fail_msg("%s: from policy %d inherited %d, want %d %d", id, m, in, mine, inherited);
}

static void kpi_targets(void **state)
{
	static const char base[] = "name: committee\n"
				   "extends: default\n"
				   "kpis:\n"
				   "  inventory_coverage: { target: \">= 90\" }\n"
				   "  mttr_hours: { target: \"<= 72\" }\n";
	static const char child[] = "name: team\n"
				    "extends: default\n"
				    "tiers:\n"
				    "  3:\n"
				    "    controls: [MRM-INV-01]\n"
				    "kpis:\n"
				    "  overdue_reviews:\n"
				    "    target: \"<= 1\"\n"
				    "  mttr_hours: { target: \"<= 24\" }\n";
	struct mrm_policy *p, *q = NULL;
	struct mrm_kpi_options o = { .as_of = "2026-01-01" };
	struct mrm_error err = { 0 };
	json_t *j, *k;

	(void)state;
	/* the built-in default sets none: mrm kpi without --policy reports mrm's defaults */
	assert_int_equal(mrm_policy_default(&p, &err), MRM_OK);
	assert_int_equal(p->nkpi_targets, 0);
	kpi_is(p, "inventory_coverage", ">= 100%", false, false);
	kpi_is(p, "mttr_hours", "<= 48", false, false);
	assert_null(mrm_policy_kpi_target(p, "nope", NULL, NULL));
	mrm_policy_free(p);

	/* a file may set targets alone under extends: default; kept in mrm_kpi_ids order */
	p = policy_ok(base);
	assert_int_equal(p->nkpi_targets, 2);
	assert_string_equal(p->kpi_targets[0].kpi, "inventory_coverage");
	assert_float_equal(p->kpi_targets[0].value, 0.9, 1e-15);
	assert_string_equal(p->kpi_targets[1].kpi, "mttr_hours");
	for (int i = 0; i < 3; i++)
		assert_true(p->tiers[i].inherited);
	kpi_is(p, "inventory_coverage", ">= 90%", true, false);
	kpi_is(p, "mttr_hours", "<= 72", true, false);
	kpi_is(p, "mttd_hours", "<= 24", false, false);
	/* what mrm kpi gets: the targets, the policy's identity and its inventory fields */
	mrm_policy_kpi_options(p, &o);
	assert_string_equal(o.as_of, "2026-01-01");
	assert_ptr_equal(o.targets, p->kpi_targets);
	assert_int_equal(o.ntargets, 2);
	assert_string_equal(o.policy_name, "committee");
	assert_string_equal(o.policy_sha256, p->sha256);
	assert_ptr_equal(o.inventory_fields[0], p->tiers[0].inventory_fields);
	assert_null(o.inventory_fields[0][p->tiers[0].ninventory_fields]);
	assert_ptr_equal(o.inventory_fields[2], p->tiers[2].inventory_fields);
	/* the JSON: every KPI, its target as the KPI document gives it, and whose it is */
	j = mrm_policy_json(p);
	k = json_object_get(j, "kpis");
	assert_int_equal(json_object_size(k), MRM_KPI_COUNT);
	assert_string_equal(json_string_value(json_object_get(json_object_get(k, "inventory_coverage"), "target")),
			    ">= 0.9");
	assert_string_equal(json_string_value(json_object_get(json_object_get(k, "inventory_coverage"), "target_source")),
			    "policy");
	assert_string_equal(json_string_value(json_object_get(json_object_get(k, "mttd_hours"), "target_source")),
			    "default");
	assert_string_equal(json_string_value(json_object_get(json_object_get(k, "mttd_hours"), "unit")), "hours");
	assert_null(json_object_get(json_object_get(k, "mttr_hours"), "inherited"));
	json_decref(j);
	mrm_policy_free(p);

	/* extends: inherits the base's targets per id, the file's own win */
	if (mrm__policy_parse_over("team.yaml", child, strlen(child), "committee.yaml", base, strlen(base), &q, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(q->nkpi_targets, 3);
	kpi_is(q, "inventory_coverage", ">= 90%", true, true);
	kpi_is(q, "mttr_hours", "<= 24", true, false);
	kpi_is(q, "overdue_reviews", "<= 1", true, false);
	kpi_is(q, "open_high_findings", "= 0", false, false);
	assert_false(q->tiers[2].inherited);
	j = mrm_policy_json(q);
	assert_true(json_is_true(json_object_get(json_object_get(json_object_get(j, "kpis"), "inventory_coverage"),
						 "inherited")));
	json_decref(j);
	mrm_policy_free(q);
	/* with the built-in default as the base, nothing is inherited */
	p = policy_ok(child);
	assert_int_equal(p->nkpi_targets, 2);
	kpi_is(p, "inventory_coverage", ">= 100%", false, false);
	mrm_policy_free(p);
	/* a base with an error is reported as the base's */
	mrm_error_clear(&err);
	{
		static const char bad_base[] = "name: c\nextends: default\nkpis: { mttr_hours: { target: \"72\" } }\n";
		assert_int_equal(mrm__policy_parse_over("team.yaml", child, strlen(child), "committee.yaml", bad_base,
							strlen(bad_base), &q, &err),
				 MRM_EINPUT);
	}
	assert_non_null(strstr(err.msg, "committee.yaml:3:"));
	assert_null(q);

	/* errors: FILE:LINE:COL, the field, the reason */
#define KP(body) "name: t\nextends: default\nkpis:\n" body
	policy_fails(KP("  time_to_fix: { target: \"<= 72\" }\n"),
		     "p.yaml:4:3: kpis: unknown KPI 'time_to_fix' (expected one of: inventory_coverage, "
		     "tier1_review_completion, review_cycle_time_median_days, intake_first_pass_rate, "
		     "open_high_findings, open_high_findings_age_days, repeat_finding_rate, incident_rate, "
		     "mttd_hours, mttr_hours, monitoring_coverage_tier1, alert_false_positive_rate, "
		     "acceptance_completeness, expired_acceptances, overdue_reviews)");
	/* an unknown id is reported even after a bad target of a known one */
	policy_fails(KP("  mttr_hours: { target: \"72\" }\n  mttr: { target: \"<= 72\" }\n"), "p.yaml:5:3: kpis: unknown KPI 'mttr'");
	policy_fails(KP("  mttr_hours: { target: \"72\" }\n"),
		     "p.yaml:4:25: kpis.mttr_hours.target: '72' has no operator");
	policy_fails(KP("  mttr_hours:\n    target: \"=< 72\"\n"),
		     "p.yaml:5:13: kpis.mttr_hours.target: unknown operator '=<'");
	policy_fails(KP("  mttr_hours: { target: \"<= soon\" }\n"), "p.yaml:4:25: kpis.mttr_hours.target: 'soon' is not a number");
	policy_fails(KP("  inventory_coverage: { target: \">= 101\" }\n"),
		     "p.yaml:4:33: kpis.inventory_coverage.target: 101 is above 100");
	policy_fails(KP("  inventory_coverage: { target: \">= 0.9\" }\n"), "'>= 0.9' is ambiguous");
	policy_fails(KP("  overdue_reviews: { target: \"<= -2\" }\n"),
		     "p.yaml:4:30: kpis.overdue_reviews.target: -2 is negative: overdue_reviews is a count of models");
	policy_fails(KP("  overdue_reviews: { target: \"<= 0.5\" }\n"), "0.5 is not a whole number");
	policy_fails(KP("  mttr_hours: { target: \"< 0\" }\n"), "'< 0' can never be met");
	policy_fails(KP("  mttr_hours: { target: [\"<= 1\"] }\n"), "p.yaml:4:25: kpis.mttr_hours.target: expected text, found a list");
	policy_fails(KP("  mttr_hours: { target: \"\" }\n"), "kpis.mttr_hours.target: must not be empty");
	policy_fails(KP("  mttr_hours: { target: >= 72 }\n"), "p.yaml:4:");
	policy_fails(KP("  mttr_hours: {}\n"), "p.yaml:4:15: kpis.mttr_hours: missing 'target'");
	policy_fails(KP("  mttr_hours: \"<= 72\"\n"), "p.yaml:4:15: kpis.mttr_hours: expected a mapping, found text");
	policy_fails(KP("  mttr_hours: { target: \"<= 72\", owner: cro }\n"),
		     "kpis.mttr_hours: unknown key 'owner' (expected one of: target)");
	policy_fails(KP("  mttr_hours: { target: \"<= 72\" }\n  mttr_hours: { target: \"<= 24\" }\n"),
		     "p.yaml:5:3: kpis: key 'mttr_hours' given twice (first at line 4)");
	policy_fails("name: t\nextends: default\nkpis: {}\n", "p.yaml:3:7: kpis: needs at least one KPI");
	policy_fails("name: t\nextends: default\nkpis: [mttr_hours]\n", "p.yaml:3:7: kpis: expected a mapping, found a list");
	policy_fails("name: t\nkpis: { mttr_hours: { target: \"<= 72\" } }\n", "p.yaml:1:1: missing 'tiers'");
#undef KP
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builtin_catalog),
		cmocka_unit_test(coverage_counts),
		cmocka_unit_test(catalog_errors),
		cmocka_unit_test(default_policy),
		cmocka_unit_test(controls_for_gate),
		cmocka_unit_test(team_policy),
		cmocka_unit_test(policy_errors),
		cmocka_unit_test(policy_files),
		cmocka_unit_test(kpi_targets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
