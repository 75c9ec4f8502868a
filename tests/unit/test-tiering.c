/* Unit tests for the tiering factor model: rules, thresholds, worked examples, YAML answers, assessments and overrides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fixture.h"

#include "mrm/audit.h"
#include "mrm/ctx.h"
#include "mrm/model.h"
#include "mrm/tier.h"
#include "mrm/user.h"

/*
 * Answers in mrm_tier_factor_keys order: decision_impact autonomy
 * customer_facing regulated_domain personal_data genai reliance
 * complexity scale.
 */
static json_t *answers(const char *a[MRM_TIER_NFACTORS])
{
	json_t *o = json_object();
	for (int i = 0; i < MRM_TIER_NFACTORS; i++)
		json_object_set_new(o, mrm_tier_factor_keys[i], json_string(a[i]));
	return o;
}

/* Computes; fails the test on error. */
static void compute(const char *a[MRM_TIER_NFACTORS], struct mrm_tier_result *r)
{
	struct mrm_error err = { 0 };
	json_t *o = answers(a);
	int rc = mrm_tier_compute(o, r, &err);
	json_decref(o);
	if (rc)
		fail_msg("compute: %s", err.msg);
}

/* The least answer of every factor: score 0. */
#define BASE "none", "human-decides", "no", "none", "none", "no", "low", "low", "low"

static void worked_examples(void **state)
{
	struct mrm_tier_result r;
	(void)state;

	/* credit PD, automated online lending decisions */
	compute((const char *[]){ "significant", "fully-automated", "yes", "credit", "personal", "no",
				  "high", "medium", "high" }, &r);
	assert_int_equal(r.score, 22);
	assert_int_equal(r.tier, 1);
	assert_int_equal(r.score_tier, 1);
	assert_int_equal(r.rules, MRM_TIER_R1 | MRM_TIER_R2);
	assert_string_equal(r.rationale,
			    "Tier 1: rules R1 (decision impact 'significant' in regulated domain 'credit') and "
			    "R2 (fully-automated with 'significant' decision impact) fired. Score 22 (tier 1 "
			    "from 16). Top factors: decision_impact=significant (+7), regulated_domain=credit "
			    "(+4), autonomy=fully-automated (+3).");

	/* card fraud: holds reversible, analysts on the loop */
	compute((const char *[]){ "moderate", "human-on-the-loop", "yes", "other-regulated", "personal",
				  "no", "high", "high", "high" }, &r);
	assert_int_equal(r.score, 15);
	assert_int_equal(r.tier, 2);
	assert_int_equal(r.rules, 0);
	assert_string_equal(r.rationale,
			    "Tier 2: no hard rule fired. Score 15 (tier 2 from 8, tier 1 from 16). Top factors: "
			    "decision_impact=moderate (+3), autonomy=human-on-the-loop (+2), customer_facing=yes (+2).");

	/* recidivism risk score shown to judges */
	compute((const char *[]){ "significant", "human-decides", "no", "criminal-justice", "sensitive",
				  "no", "medium", "medium", "medium" }, &r);
	assert_int_equal(r.score, 17);
	assert_int_equal(r.tier, 1);
	assert_int_equal(r.rules, MRM_TIER_R1);
	assert_non_null(strstr(r.rationale, "rule R1 fired (decision impact 'significant' in regulated domain 'criminal-justice')"));

	/* customer-facing LLM assistant */
	compute((const char *[]){ "low", "fully-automated", "yes", "other-regulated", "personal", "yes",
				  "medium", "high", "high" }, &r);
	assert_int_equal(r.score, 15);
	assert_int_equal(r.tier, 2);
	assert_int_equal(r.rules, MRM_TIER_R3);
	assert_non_null(strstr(r.rationale, "rule R3 fired (customer-facing generative AI with personal data 'personal'; at least tier 2)"));

	/* internal forecasting */
	compute((const char *[]){ "none", "human-decides", "no", "none", "none", "no", "medium", "medium",
				  "low" }, &r);
	assert_int_equal(r.score, 2);
	assert_int_equal(r.tier, 3);
	assert_string_equal(r.rationale, "Tier 3: no hard rule fired. Score 2 (tier 3 below 8). Top factors: "
					 "reliance=medium (+1), complexity=medium (+1).");

	compute((const char *[]){ BASE }, &r);
	assert_int_equal(r.score, 0);
	assert_int_equal(r.tier, 3);
	assert_string_equal(r.rationale, "Tier 3: no hard rule fired. Score 0 (tier 3 below 8). No factor scores points.");
}

static void hard_rules(void **state)
{
	struct mrm_tier_result r;
	(void)state;

	/* R1 alone lifts a score-tier-2 model to tier 1 */
	compute((const char *[]){ "significant", "human-decides", "no", "employment", "none", "no", "low",
				  "low", "low" }, &r);
	assert_int_equal(r.score, 11);
	assert_int_equal(r.score_tier, 2);
	assert_int_equal(r.tier, 1);
	assert_int_equal(r.rules, MRM_TIER_R1);
	assert_non_null(strstr(r.rationale, "Score 11 alone would give tier 2 (tier 2 from 8, tier 1 from 16)."));
	/* every Annex III area fires R1; none and other-regulated do not */
	for (const char *const *d = (const char *const[]){ "credit", "employment", "insurance", "healthcare",
							    "criminal-justice", "education",
							    "essential-services", "biometrics", NULL };
	     *d; d++) {
		compute((const char *[]){ "significant", "human-decides", "no", *d, "none", "no", "low", "low", "low" }, &r);
		assert_true(r.rules & MRM_TIER_R1);
	}
	compute((const char *[]){ "significant", "human-decides", "no", "other-regulated", "none", "no", "low",
				  "low", "low" }, &r);
	assert_int_equal(r.rules, 0);
	assert_int_equal(r.tier, 2);
	compute((const char *[]){ "high", "human-decides", "no", "credit", "none", "no", "low", "low", "low" }, &r);
	assert_int_equal(r.rules, 0);

	/* R2: fully automated with high or significant impact, any domain */
	compute((const char *[]){ "high", "fully-automated", "no", "none", "none", "no", "low", "low", "low" }, &r);
	assert_int_equal(r.score, 8);
	assert_int_equal(r.score_tier, 2);
	assert_int_equal(r.tier, 1);
	assert_int_equal(r.rules, MRM_TIER_R2);
	assert_non_null(strstr(r.rationale, "rule R2 fired (fully-automated with 'high' decision impact)"));
	compute((const char *[]){ "significant", "fully-automated", "no", "none", "none", "no", "low", "low", "low" }, &r);
	assert_int_equal(r.rules, MRM_TIER_R2);
	compute((const char *[]){ "moderate", "fully-automated", "no", "none", "none", "no", "low", "low", "low" }, &r);
	assert_int_equal(r.rules, 0);
	compute((const char *[]){ "high", "human-on-the-loop", "no", "none", "none", "no", "low", "low", "low" }, &r);
	assert_int_equal(r.rules, 0);

	/* R3: customer-facing GenAI with high reliance lifts tier 3 to 2 */
	compute((const char *[]){ "none", "human-decides", "yes", "none", "none", "yes", "high", "low", "low" }, &r);
	assert_int_equal(r.score, 6);
	assert_int_equal(r.score_tier, 3);
	assert_int_equal(r.tier, 2);
	assert_int_equal(r.rules, MRM_TIER_R3);
	assert_string_equal(r.rationale,
			    "Tier 2: rule R3 fired (customer-facing generative AI with high reliance; at least "
			    "tier 2). Score 6 alone would give tier 3 (tier 3 below 8). Top factors: "
			    "customer_facing=yes (+2), genai=yes (+2), reliance=high (+2).");
	/* ... or with personal or sensitive data */
	compute((const char *[]){ "none", "human-decides", "yes", "none", "sensitive", "yes", "high", "low", "low" }, &r);
	assert_int_equal(r.tier, 2);
	assert_non_null(strstr(r.rationale, "with high reliance and personal data 'sensitive'"));
	compute((const char *[]){ "none", "human-decides", "yes", "none", "personal", "yes", "low", "low", "low" }, &r);
	assert_int_equal(r.rules, MRM_TIER_R3);
	assert_int_equal(r.tier, 2);
	/* ... but not without one of them, nor when not customer-facing or not GenAI */
	compute((const char *[]){ "none", "human-decides", "yes", "none", "none", "yes", "medium", "low", "low" }, &r);
	assert_int_equal(r.rules, 0);
	assert_int_equal(r.tier, 3);
	compute((const char *[]){ "none", "human-decides", "no", "none", "sensitive", "yes", "high", "low", "low" }, &r);
	assert_int_equal(r.rules, 0);
	compute((const char *[]){ "none", "human-decides", "yes", "none", "sensitive", "no", "high", "low", "low" }, &r);
	assert_int_equal(r.rules, 0);
	/* R3 never lowers a tier: with R1 and R2 as well, the tier stays 1 */
	compute((const char *[]){ "significant", "fully-automated", "yes", "credit", "personal", "yes", "high",
				  "high", "high" }, &r);
	assert_int_equal(r.rules, MRM_TIER_R1 | MRM_TIER_R2 | MRM_TIER_R3);
	assert_int_equal(r.tier, 1);
	assert_non_null(strstr(r.rationale, "rules R1 (decision impact 'significant' in regulated domain "
					    "'credit'), R2 (fully-automated with 'significant' decision "
					    "impact) and R3 (customer-facing generative AI"));
}

static void thresholds(void **state)
{
	struct mrm_tier_result r;
	(void)state;

	/* 16: tier 1 by score alone (high impact, credit: no rule fires) */
	compute((const char *[]){ "high", "human-on-the-loop", "no", "credit", "sensitive", "no", "high",
				  "low", "low" }, &r);
	assert_int_equal(r.score, 16);
	assert_int_equal(r.rules, 0);
	assert_int_equal(r.tier, 1);
	assert_non_null(strstr(r.rationale, "Tier 1: no hard rule fired. Score 16 (tier 1 from 16)."));
	/* 15: tier 2 */
	compute((const char *[]){ "high", "human-on-the-loop", "no", "credit", "sensitive", "no", "medium",
				  "low", "low" }, &r);
	assert_int_equal(r.score, 15);
	assert_int_equal(r.tier, 2);
	/* 8: tier 2 */
	compute((const char *[]){ "moderate", "human-on-the-loop", "no", "none", "personal", "no", "high",
				  "low", "low" }, &r);
	assert_int_equal(r.score, 8);
	assert_int_equal(r.tier, 2);
	assert_non_null(strstr(r.rationale, "Score 8 (tier 2 from 8, tier 1 from 16)."));
	/* 7: tier 3 */
	compute((const char *[]){ "moderate", "human-on-the-loop", "no", "none", "personal", "no", "medium",
				  "low", "low" }, &r);
	assert_int_equal(r.score, 7);
	assert_int_equal(r.tier, 3);
	/* the maximum */
	compute((const char *[]){ "significant", "fully-automated", "yes", "biometrics", "sensitive", "yes",
				  "high", "high", "high" }, &r);
	assert_int_equal(r.score, 27);
}

static void factor_model(void **state)
{
	json_t *doc = mrm_tier_factors(), *f;
	size_t i;
	(void)state;

	assert_int_equal(json_integer_value(json_object_get(doc, "max_score")), 27);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "thresholds"), "tier1")), 16);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "thresholds"), "tier2")), 8);
	assert_int_equal(json_array_size(json_object_get(doc, "factors")), MRM_TIER_NFACTORS);
	json_array_foreach(json_object_get(doc, "factors"), i, f)
		assert_string_equal(json_string_value(json_object_get(f, "key")), mrm_tier_factor_keys[i]);
	assert_null(mrm_tier_factor_keys[MRM_TIER_NFACTORS]);
	assert_int_equal(json_array_size(json_object_get(doc, "rules")), 3);
	json_decref(doc);
}

static void bad_answers(void **state)
{
	struct mrm_error err = { 0 };
	struct mrm_tier_result r;
	json_t *o;
	(void)state;

	/* unknown factor */
	o = answers((const char *[]){ BASE });
	json_object_set_new(o, "materiality", json_string("high"));
	assert_int_equal(mrm_tier_compute(o, &r, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "unknown factor 'materiality' (expected one of: decision_impact, autonomy,"));
	json_decref(o);

	/* bad answer lists the allowed ones */
	mrm_error_clear(&err);
	o = answers((const char *[]){ BASE });
	json_object_set_new(o, "autonomy", json_string("robot"));
	assert_int_equal(mrm_tier_compute(o, &r, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "invalid answer 'robot' for factor 'autonomy' (expected one of: "
				     "human-decides, human-in-the-loop, human-on-the-loop, fully-automated)");
	/* answers are exact: no case folding outside the yes/no factors */
	json_object_set_new(o, "autonomy", json_string("Human-Decides"));
	mrm_error_clear(&err);
	assert_int_equal(mrm_tier_compute(o, &r, &err), MRM_EINPUT);
	json_decref(o);

	/* missing: all of them, in table order */
	mrm_error_clear(&err);
	o = json_pack("{ss ss}", "autonomy", "human-decides", "genai", "no");
	assert_int_equal(mrm_tier_compute(o, &r, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "missing factors: decision_impact, customer_facing, regulated_domain, "
				     "personal_data, reliance, complexity, scale (every factor needs an "
				     "answer; see 'mrm tier factors')");
	json_decref(o);
	mrm_error_clear(&err);
	o = answers((const char *[]){ BASE });
	json_object_del(o, "scale");
	assert_int_equal(mrm_tier_compute(o, &r, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "missing factor: scale ("));
	/* null counts as missing */
	json_object_set_new(o, "scale", json_null());
	assert_int_equal(mrm_tier_compute(o, &r, NULL), MRM_EINPUT);
	json_decref(o);

	/* non-text answers; not an object */
	mrm_error_clear(&err);
	o = answers((const char *[]){ BASE });
	json_object_set_new(o, "scale", json_integer(2));
	assert_int_equal(mrm_tier_compute(o, &r, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "factor 'scale' needs one answer as text"));
	json_object_set_new(o, "scale", json_string("low"));
	json_object_set_new(o, "reliance", json_true());
	assert_int_equal(mrm_tier_compute(o, &r, NULL), MRM_EINPUT);
	json_decref(o);
	o = json_array();
	assert_int_equal(mrm_tier_compute(o, &r, NULL), MRM_EINPUT);
	json_decref(o);
}

static void yes_no_spellings(void **state)
{
	struct mrm_tier_result r;
	json_t *o = answers((const char *[]){ BASE });
	(void)state;

	json_object_set_new(o, "genai", json_true());
	json_object_set_new(o, "customer_facing", json_string("TRUE"));
	assert_int_equal(mrm_tier_compute(o, &r, NULL), MRM_OK);
	assert_string_equal(r.answers[5], "yes");
	assert_string_equal(r.answers[2], "yes");
	json_object_set_new(o, "genai", json_false());
	json_object_set_new(o, "customer_facing", json_string("No"));
	assert_int_equal(mrm_tier_compute(o, &r, NULL), MRM_OK);
	assert_string_equal(r.answers[5], "no");
	assert_string_equal(r.answers[2], "no");
	json_object_set_new(o, "genai", json_string("maybe"));
	assert_int_equal(mrm_tier_compute(o, &r, NULL), MRM_EINPUT);
	json_decref(o);
}

/* Writes `text` to a temporary file; its path goes into `path`. */
static void write_tmp(char *path, size_t cap, const char *text)
{
	int fd;
	FILE *f;
	snprintf(path, cap, "/tmp/mrm-tier-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
}

/* Loads `text` as an answers file; returns the code, message in err. */
static int load_text(const char *text, json_t **out, struct mrm_error *err, char *path, size_t cap)
{
	int rc;
	write_tmp(path, cap, text);
	mrm_error_clear(err);
	rc = mrm_tier_answers_load(path, out, err);
	unlink(path);
	return rc;
}

static void yaml_answers(void **state)
{
	struct mrm_error err = { 0 };
	struct mrm_tier_result r;
	json_t *a = NULL;
	char path[64], want[256];
	(void)state;

	assert_int_equal(load_text("# the credit model\n"
				   "decision_impact: significant\n"
				   "autonomy: fully-automated\n"
				   "customer_facing: yes\n"
				   "regulated_domain: credit\n"
				   "personal_data: personal\n"
				   "genai: false\n"
				   "reliance: high\n"
				   "complexity: 'medium'\n"
				   "scale: \"high\"\n",
				   &a, &err, path, sizeof(path)),
			 MRM_OK);
	assert_string_equal(json_string_value(json_object_get(a, "genai")), "no");
	assert_int_equal(mrm_tier_compute(a, &r, NULL), MRM_OK);
	assert_int_equal(r.score, 22);
	assert_int_equal(r.tier, 1);
	json_decref(a);

	/* a syntax error: libyaml's problem at file:line:column */
	assert_int_equal(load_text("decision_impact: high\nautonomy: human-decides\n  genai: no\n", &a, &err,
				   path, sizeof(path)),
			 MRM_EINPUT);
	assert_null(a);
	snprintf(want, sizeof(want), "%s:3:8: mapping values are not allowed in this context", path);
	assert_string_equal(err.msg, want);
	assert_int_equal(load_text("decision_impact: \"high\n", &a, &err, path, sizeof(path)), MRM_EINPUT);
	snprintf(want, sizeof(want), "%s:2:1: ", path);
	assert_non_null(strstr(err.msg, want));

	/* factor errors at the key's or the value's position */
	assert_int_equal(load_text("decision_impact: high\nautonomy: robot\n", &a, &err, path, sizeof(path)),
			 MRM_EINPUT);
	snprintf(want, sizeof(want), "%s:2:11: invalid answer 'robot' for factor 'autonomy' (expected one of: ", path);
	assert_non_null(strstr(err.msg, want));
	assert_int_equal(load_text("decision_impact: high\n\nfoo: bar\n", &a, &err, path, sizeof(path)), MRM_EINPUT);
	snprintf(want, sizeof(want), "%s:3:1: unknown factor 'foo'", path);
	assert_non_null(strstr(err.msg, want));
	assert_int_equal(load_text("scale: low\nscale: high\n", &a, &err, path, sizeof(path)), MRM_EINPUT);
	snprintf(want, sizeof(want), "%s:2:1: factor 'scale' given twice", path);
	assert_string_equal(err.msg, want);
	assert_int_equal(load_text("scale:\n  - low\n", &a, &err, path, sizeof(path)), MRM_EINPUT);
	snprintf(want, sizeof(want), "%s:2:3: factor 'scale' needs a single answer, not a list", path);
	assert_string_equal(err.msg, want);
	/* missing factors: all of them, at the mapping */
	assert_int_equal(load_text("\n  decision_impact: none\n  autonomy: human-decides\n", &a, &err, path,
				   sizeof(path)),
			 MRM_EINPUT);
	snprintf(want, sizeof(want), "%s:2:3: missing factors: customer_facing, regulated_domain, personal_data, "
		 "genai, reliance, complexity, scale", path);
	assert_non_null(strstr(err.msg, want));
	/* not a mapping, empty, two documents, unreadable */
	assert_int_equal(load_text("- a\n- b\n", &a, &err, path, sizeof(path)), MRM_EINPUT);
	assert_non_null(strstr(err.msg, ":1:1: expected a mapping of factor: answer, found a list"));
	assert_int_equal(load_text("", &a, &err, path, sizeof(path)), MRM_EINPUT);
	assert_non_null(strstr(err.msg, ":1:1: no answers"));
	assert_int_equal(load_text("scale: low\n---\nscale: high\n", &a, &err, path, sizeof(path)), MRM_EINPUT);
	assert_non_null(strstr(err.msg, ":2:1: only one YAML document expected"));
	mrm_error_clear(&err);
	assert_int_equal(mrm_tier_answers_load("/nonexistent/answers.yaml", &a, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "cannot open answers file /nonexistent/answers.yaml"));
}

/* ---- with a store ------------------------------------------------------ */

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct mrm_ctx_options o = { .actor = "alice", .now = "2026-11-26T09:00:00Z", .create = true };
	json_t *m;

	snprintf(f->dir, sizeof(f->dir), "/tmp/mrm-tiering-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/t.db", f->dir);
	o.db = f->db;
	OK(f, mrm_ctx_open(&o, &f->ctx, &f->err));
	OK(f, mrm_init(f->ctx, NULL, NULL, &f->err));
	OK(f, mrm_user_add(f->ctx, "alice", "admin,validator", NULL, &f->err));
	OK(f, mrm_user_add(f->ctx, "bob", "owner", NULL, &f->err));
	OK(f, mrm_user_add(f->ctx, "carol", "approver", NULL, &f->err));
	OK(f, mrm_user_add(f->ctx, "dave", "auditor", NULL, &f->err));
	m = json_pack("{ss ss ss ss}", "id", "pd", "name", "PD", "owner", "bob", "purpose", "test");
	OK(f, mrm_model_add(f->ctx, m, NULL, &f->err));
	json_decref(m);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char path[192];
	mrm_ctx_free(f->ctx);
	snprintf(path, sizeof(path), "%s/t.db", f->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t.db-wal", f->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t.db-shm", f->dir);
	unlink(path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int model_tier(struct fx *f, const char **source)
{
	json_t *m = NULL;
	int tier;
	static char src[32];
	OK(f, mrm_tier_show(f->ctx, "pd", &m, &f->err));
	tier = (int)json_integer_value(json_object_get(m, "tier"));
	snprintf(src, sizeof(src), "%s", json_string_value(json_object_get(m, "tier_source")) ?
			 json_string_value(json_object_get(m, "tier_source")) : "-");
	*source = src;
	json_decref(m);
	return tier;
}

static void assess_and_override(void **state)
{
	struct fx *f = *state;
	json_t *credit = answers((const char *[]){ "significant", "fully-automated", "yes", "credit", "personal",
						   "no", "high", "medium", "high" });
	json_t *low = answers((const char *[]){ BASE }), *out = NULL, *v = NULL;
	const char *src;

	/* nobody overrides before an assessment */
	as(f, "carol");
	FAILS(f, MRM_EINPUT, "model 'pd' has no tier assessment to override",
	      mrm_tier_override(f->ctx, "pd", 2, "why", NULL, &f->err));
	/* the owner assesses; an auditor or approver may not */
	as(f, "dave");
	FAILS(f, MRM_EPERM, "dave cannot assess the tier of model 'pd'",
	      mrm_tier_assess(f->ctx, "pd", credit, NULL, &f->err));
	as(f, "carol");
	FAILS(f, MRM_EPERM, "carol cannot assess", mrm_tier_assess(f->ctx, "pd", credit, NULL, &f->err));
	FAILS(f, MRM_ENOTFOUND, "no model 'nope'", mrm_tier_assess(f->ctx, "nope", credit, NULL, &f->err));
	as(f, "bob");
	OK(f, mrm_tier_assess(f->ctx, "pd", credit, &out, &f->err));
	assert_string_equal(json_string_value(json_object_get(out, "id")), "TA-1");
	assert_int_equal(json_integer_value(json_object_get(out, "tier")), 1);
	assert_int_equal(json_integer_value(json_object_get(out, "score")), 22);
	assert_true(json_is_null(json_object_get(out, "previous_tier")));
	json_decref(out);
	assert_int_equal(model_tier(f, &src), 1);
	assert_string_equal(src, "assessment");

	/* overrides: never the owner, never an auditor; a reason; a real change */
	FAILS(f, MRM_EPERM, "bob owns model 'pd' and cannot override its tier",
	      mrm_tier_override(f->ctx, "pd", 2, "mine", NULL, &f->err));
	as(f, "dave");
	FAILS(f, MRM_EPERM, "needs role validator, approver or admin",
	      mrm_tier_override(f->ctx, "pd", 2, "audit", NULL, &f->err));
	as(f, "carol");
	FAILS(f, MRM_EINPUT, "invalid tier 0", mrm_tier_override(f->ctx, "pd", 0, "x", NULL, &f->err));
	FAILS(f, MRM_EINPUT, "invalid tier 4", mrm_tier_override(f->ctx, "pd", 4, "x", NULL, &f->err));
	FAILS(f, MRM_EINPUT, "needs a reason", mrm_tier_override(f->ctx, "pd", 2, " \t", NULL, &f->err));
	FAILS(f, MRM_EINPUT, "needs a reason", mrm_tier_override(f->ctx, "pd", 2, NULL, NULL, &f->err));
	FAILS(f, MRM_EINPUT, "already tier 1", mrm_tier_override(f->ctx, "pd", 1, "same", NULL, &f->err));
	OK(f, mrm_tier_override(f->ctx, "pd", 2, "Compensating manual review", &out, &f->err));
	assert_string_equal(json_string_value(json_object_get(out, "kind")), "override");
	assert_string_equal(json_string_value(json_object_get(out, "rationale")),
			    "Override to tier 2 by carol: Compensating manual review (computed tier 1)");
	assert_int_equal(json_integer_value(json_object_get(out, "computed_tier")), 1);
	assert_int_equal(json_integer_value(json_object_get(out, "previous_tier")), 1);
	json_decref(out);
	assert_int_equal(model_tier(f, &src), 2);
	assert_string_equal(src, "override");

	/* a new assessment replaces the override and says so */
	as(f, "alice");
	OK(f, mrm_tier_assess(f->ctx, "pd", low, &out, &f->err));
	assert_int_equal(json_integer_value(json_object_get(out, "tier")), 3);
	assert_int_equal(json_integer_value(json_object_get(out, "replaces_override")), 2);
	assert_string_equal(json_string_value(json_object_get(out, "previous_source")), "override");
	json_decref(out);
	assert_int_equal(model_tier(f, &src), 3);
	assert_string_equal(src, "assessment");

	/* show: latest assessment's answers and the whole history */
	OK(f, mrm_tier_show(f->ctx, "pd", &out, &f->err));
	assert_int_equal(json_array_size(json_object_get(out, "history")), 3);
	assert_string_equal(json_string_value(json_object_get(out, "assessment")), "TA-3");
	assert_string_equal(json_string_value(json_object_get(json_object_get(out, "answers"), "autonomy")),
			    "human-decides");
	json_decref(out);
	FAILS(f, MRM_ENOTFOUND, "no model 'nope'", mrm_tier_show(f->ctx, "nope", &out, &f->err));

	/* bad answers never touch the store */
	json_object_set_new(low, "autonomy", json_string("robot"));
	FAILS(f, MRM_EINPUT, "invalid answer 'robot'", mrm_tier_assess(f->ctx, "pd", low, NULL, &f->err));

	/* every change was audited */
	OK(f, mrm_audit_verify(f->ctx, &v, &f->err));
	assert_int_equal(json_integer_value(json_object_get(v, "events")), 11); /* 4 users, 1 model, 3 x (row + model) */
	json_decref(v);
	json_decref(credit);
	json_decref(low);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(worked_examples),
		cmocka_unit_test(hard_rules),
		cmocka_unit_test(thresholds),
		cmocka_unit_test(factor_model),
		cmocka_unit_test(bad_answers),
		cmocka_unit_test(yes_no_spellings),
		cmocka_unit_test(yaml_answers),
		cmocka_unit_test_setup_teardown(assess_and_override, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
