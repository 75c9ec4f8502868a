/*
 * Model tiering: a documented factor model that turns nine answers about
 * how a model is used into a tier (1 = highest impact, 3 = lowest), and
 * the store operations that record assessments and overrides.
 *
 * The factor model (factors, answers, points, thresholds and hard rules)
 * is one table in lib/core/tiering.c and is explained, with worked
 * examples, in docs/tiering.md. The computation is pure
 * (mrm_tier_compute needs no store), so the policy engine and the server
 * can reuse it.
 */
#ifndef MRM_TIER_H
#define MRM_TIER_H

#include <jansson.h>

#include "mrm/ctx.h"

/* The number of factors; mrm_tier_factor_keys lists them in table order. */
#define MRM_TIER_NFACTORS 9

/*
 * decision_impact autonomy customer_facing regulated_domain personal_data
 * genai reliance complexity scale, then NULL.
 */
extern const char *const mrm_tier_factor_keys[];

/* Hard rules, as bits of mrm_tier_result.rules. */
enum {
	MRM_TIER_R1 = 1 << 0, /* significant impact in an Annex III area: tier 1 */
	MRM_TIER_R2 = 1 << 1, /* fully automated, high/significant impact: tier 1 */
	MRM_TIER_R3 = 1 << 2, /* customer-facing GenAI, high reliance or personal data: tier <= 2 */
};

#define MRM_TIER_RATIONALE_MAX 1024

struct mrm_tier_result {
	int tier;       /* 1-3: the computed tier (score and hard rules together) */
	int score;      /* the sum of the factors' points */
	int score_tier; /* the tier the score alone gives */
	unsigned rules; /* MRM_TIER_R* bits of the hard rules that fired */
	/* Per factor, in mrm_tier_factor_keys order: the canonical answer
	 * (a static string, never freed) and its points. */
	const char *answers[MRM_TIER_NFACTORS];
	int points[MRM_TIER_NFACTORS];
	/* One readable paragraph: the rules that fired, the score against
	 * the thresholds, and the top contributing factors with points. */
	char rationale[MRM_TIER_RATIONALE_MAX];
};

/*
 * Computes the tier of `answers`, a JSON object factor -> answer (string;
 * the yes/no factors also take true/false, as booleans or strings). Every
 * factor must be answered. Errors (MRM_EINPUT): an unknown factor, an
 * answer that is not allowed (the message lists the allowed ones), and
 * missing factors (the message lists all of them). Needs no store.
 */
int mrm_tier_compute(json_t *answers, struct mrm_tier_result *out,
		     struct mrm_error *err);

/*
 * The result as a new JSON object: tier, score, score_tier, rules (array
 * of "R1"...), answers (factor -> canonical answer), points (factor ->
 * points) and rationale. Caller owns it.
 */
json_t *mrm_tier_result_json(const struct mrm_tier_result *r);

/*
 * The factor model as a new JSON object (caller owns): factors (array of
 * { key, question, answers: [ { answer, points, meaning } ] }), thresholds
 * { tier1, tier2 }, max_score, and rules (array of { id, effect,
 * condition }). Never fails.
 */
json_t *mrm_tier_factors(void);

/*
 * Reads an answers file: a YAML mapping of factor -> answer (libyaml).
 * `*out` receives a new JSON object of canonical answers. Errors are
 * MRM_EINPUT and start with "PATH:LINE:COLUMN: ": YAML syntax errors, a
 * document that is not a mapping, a factor given twice, an unknown
 * factor, an answer that is not a single allowed value, and missing
 * factors (all of them, at the mapping's position). A file that cannot
 * be read is MRM_EINPUT too.
 */
int mrm_tier_answers_load(const char *path, json_t **out,
			  struct mrm_error *err);

/*
 * Assesses model `id` with `answers` (as for mrm_tier_compute): records a
 * tier_assessments row (kind "assessment") and makes its tier the model's
 * tier (tier_source "assessment"), replacing any override in force. Needs
 * the model's owner, or role validator or admin (MRM_EPERM). Unknown
 * model: MRM_ENOTFOUND. `*out` (may be NULL) receives the assessment row
 * (id "TA-N") with the computed result's score_tier, rules and points,
 * and previous_tier / previous_source (null for a first assessment) and
 * replaces_override (the overridden tier, or null).
 */
int mrm_tier_assess(struct mrm_ctx *ctx, const char *id, json_t *answers,
		    json_t **out, struct mrm_error *err);

/*
 * Overrides the tier of model `id` to `tier` (1-3) for `reason` (not
 * empty). Needs role validator, approver or admin, and the actor must not
 * own the model (separation of duties): MRM_EPERM. The model must have an
 * assessment and the override must change its tier (MRM_EINPUT
 * otherwise). Records a tier_assessments row (kind "override", with the
 * computed tier it overrides) and sets the model's tier, tier_source
 * "override" and tier_rationale "Override to tier N by USER: REASON
 * (computed tier M)". `*out` (may be NULL) receives the row plus
 * previous_tier.
 */
int mrm_tier_override(struct mrm_ctx *ctx, const char *id, int tier,
		      const char *reason, json_t **out, struct mrm_error *err);

/*
 * The tier of model `id`: { model, tier, tier_source, tier_rationale,
 * computed_tier, score, answers (of the latest assessment; null if none),
 * history: [ rows oldest first ] }. Unknown model: MRM_ENOTFOUND.
 */
int mrm_tier_show(struct mrm_ctx *ctx, const char *id, json_t **out,
		  struct mrm_error *err);

#endif
