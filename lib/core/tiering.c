/*
 * Model tiering: the factor model (one table), the pure computation of
 * score, tier and rationale, the YAML answers reader, and the assessment
 * and override records. docs/tiering.md explains every number here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "core/core.h"
#include "mrm/tier.h"

struct tier_answer {
	const char *answer;
	int points;
	const char *meaning;
};

#define MAX_ANSWERS 10

struct tier_factor {
	const char *key;
	const char *question;
	struct tier_answer answers[MAX_ANSWERS + 1]; /* ends with a NULL answer */
};

/*
 * THE factor model: every weight and both thresholds live here (and in
 * docs/tiering.md, which must change with them). Impact on people
 * (decision_impact, regulated_domain, personal_data) carries the most
 * weight, then how directly the output acts (autonomy, customer_facing),
 * then the model-risk drivers of SR 11-7 (reliance, complexity, scale)
 * and the generative-AI risk profile. The maximum score is 27.
 */
static const struct tier_factor factors[MRM_TIER_NFACTORS] = {
	{ "decision_impact",
	  "What is the worst effect a wrong output can have on a person?",
	  { { "none", 0, "no decision about individuals (aggregate or internal use)" },
	    { "low", 1, "minor inconvenience, easily reversed" },
	    { "moderate", 3, "material but reversible (a held payment, a referral)" },
	    { "high", 5, "serious and hard to reverse (pricing, account closure)" },
	    { "significant", 7, "legal or similarly significant effect on people" },
	    { NULL, 0, NULL } } },
	{ "autonomy",
	  "How much human judgement stands between the output and its effect?",
	  { { "human-decides", 0, "one input to a decision a person makes" },
	    { "human-in-the-loop", 1, "a person approves each action before it takes effect" },
	    { "human-on-the-loop", 2, "acts by itself; people monitor and can intervene" },
	    { "fully-automated", 3, "acts with no human review" },
	    { NULL, 0, NULL } } },
	{ "customer_facing",
	  "Do customers or the public get its output with no staff in between?",
	  { { "no", 0, "used by staff only" },
	    { "yes", 2, "customers or the public interact with it or get its output" },
	    { NULL, 0, NULL } } },
	{ "regulated_domain",
	  "Which regulated area is it used in (EU AI Act Annex III areas score 4)?",
	  { { "none", 0, "no regulated use" },
	    { "other-regulated", 1, "regulated, not Annex III (fraud, AML, trading, capital)" },
	    { "credit", 4, "creditworthiness or credit scoring of people (III 5b)" },
	    { "employment", 4, "recruitment, promotion, termination, task allocation (III 4)" },
	    { "insurance", 4, "risk and pricing of insurance for people (III 5c)" },
	    { "healthcare", 4, "diagnosis, treatment, triage (III 5d, Annex I devices)" },
	    { "criminal-justice", 4, "law enforcement, migration, courts (III 6-8)" },
	    { "education", 4, "admission, assessment, proctoring (III 3)" },
	    { "essential-services", 4, "public benefits, emergency services, utilities (III 2, 5)" },
	    { "biometrics", 4, "biometric identification or categorisation (III 1)" },
	    { NULL, 0, NULL } } },
	{ "personal_data",
	  "What personal data does it use?",
	  { { "none", 0, "no data about identifiable people" },
	    { "personal", 1, "personal data" },
	    { "sensitive", 3, "special categories: health, biometrics, ethnicity, crime" },
	    { NULL, 0, NULL } } },
	{ "genai",
	  "Does it generate content (text, images, code) with a generative model?",
	  { { "no", 0, "predicts, scores or classifies" },
	    { "yes", 2, "generative AI: hallucination, injection, harmful content" },
	    { NULL, 0, NULL } } },
	{ "reliance",
	  "How much does the decision or process rely on the output?",
	  { { "low", 0, "one input among many, easily ignored" },
	    { "medium", 1, "an important input, challenged in practice" },
	    { "high", 2, "drives the outcome; hard to replace quickly" },
	    { NULL, 0, NULL } } },
	{ "complexity",
	  "How complex and opaque is the method?",
	  { { "low", 0, "rules, scorecards, linear models" },
	    { "medium", 1, "ensembles, many features, judgemental overlays" },
	    { "high", 2, "deep learning, foundation or opaque vendor models" },
	    { NULL, 0, NULL } } },
	{ "scale",
	  "How many people or decisions does it affect per year?",
	  { { "low", 0, "fewer than 1,000" },
	    { "medium", 1, "1,000 to 100,000" },
	    { "high", 2, "more than 100,000" },
	    { NULL, 0, NULL } } },
};

/* Tier 1 from this score, tier 2 from TIER2_FROM, tier 3 below. */
#define TIER1_FROM 16
#define TIER2_FROM 8

/* The hard rules, for `mrm tier factors` (the logic is in evaluate()). */
static const struct {
	const char *id, *effect, *condition;
} rules[] = {
	{ "R1", "tier 1",
	  "decision_impact is significant and regulated_domain is an EU AI Act Annex III area "
	  "(credit, employment, insurance, healthcare, criminal-justice, education, "
	  "essential-services, biometrics)" },
	{ "R2", "tier 1", "autonomy is fully-automated and decision_impact is high or significant" },
	{ "R3", "at least tier 2",
	  "customer_facing is yes and genai is yes, and reliance is high or personal_data is "
	  "personal or sensitive" },
};

const char *const mrm_tier_factor_keys[] = {
	"decision_impact", "autonomy", "customer_facing", "regulated_domain", "personal_data",
	"genai", "reliance", "complexity", "scale", NULL,
};

enum { F_IMPACT, F_AUTONOMY, F_CUSTOMER, F_DOMAIN, F_PERSONAL, F_GENAI, F_RELIANCE,
       F_COMPLEXITY, F_SCALE };

/* ---- the computation ------------------------------------------------- */

/* A bounded text builder: output past the capacity is cut, never overrun. */
struct sbuf {
	char *p;
	size_t cap, len;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len + 1 >= b->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len = b->len + (size_t)n < b->cap ? b->len + (size_t)n : b->cap - 1;
}

static int find_factor(const char *key)
{
	for (int i = 0; i < MRM_TIER_NFACTORS; i++)
		if (!strcmp(factors[i].key, key))
			return i;
	return -1;
}

static bool is_yesno(const struct tier_factor *f)
{
	return !strcmp(f->answers[0].answer, "no") && f->answers[1].answer &&
	       !strcmp(f->answers[1].answer, "yes") && !f->answers[2].answer;
}

static void answer_list(const struct tier_factor *f, struct sbuf *b)
{
	for (const struct tier_answer *a = f->answers; a->answer; a++)
		sb_add(b, "%s%s", a == f->answers ? "" : ", ", a->answer);
}

static int unknown_factor(const char *key, struct mrm_error *err)
{
	char list[512];
	struct sbuf b = { list, sizeof(list), 0 };
	list[0] = '\0';
	for (int i = 0; i < MRM_TIER_NFACTORS; i++)
		sb_add(&b, "%s%s", i ? ", " : "", factors[i].key);
	return mrm_error_set(err, MRM_EINPUT, "unknown factor '%.64s' (expected one of: %s)", key, list);
}

/*
 * Checks one answer given as text; `*canon` receives the table's string.
 * The yes/no factors also take true/false, in any case.
 */
static int check_text(int fi, const char *s, const char **canon, struct mrm_error *err)
{
	const struct tier_factor *f = &factors[fi];
	char list[512];
	struct sbuf b = { list, sizeof(list), 0 };

	for (const struct tier_answer *a = f->answers; a->answer; a++)
		if (!strcmp(a->answer, s)) {
			*canon = a->answer;
			return MRM_OK;
		}
	if (is_yesno(f)) {
		if (!strcasecmp(s, "yes") || !strcasecmp(s, "true")) {
			*canon = "yes";
			return MRM_OK;
		}
		if (!strcasecmp(s, "no") || !strcasecmp(s, "false")) {
			*canon = "no";
			return MRM_OK;
		}
	}
	list[0] = '\0';
	answer_list(f, &b);
	return mrm_error_set(err, MRM_EINPUT, "invalid answer '%.64s' for factor '%s' (expected one of: %s)",
			     s, f->key, list);
}

static int check_json(int fi, json_t *v, const char **canon, struct mrm_error *err)
{
	const struct tier_factor *f = &factors[fi];
	char list[512];
	struct sbuf b = { list, sizeof(list), 0 };

	if (json_is_boolean(v) && is_yesno(f)) {
		*canon = json_is_true(v) ? "yes" : "no";
		return MRM_OK;
	}
	if (json_is_string(v))
		return check_text(fi, json_string_value(v), canon, err);
	list[0] = '\0';
	answer_list(f, &b);
	return mrm_error_set(err, MRM_EINPUT, "factor '%s' needs one answer as text (expected one of: %s)",
			     f->key, list);
}

/* MRM_EINPUT listing every factor not in `have`; `where` prefixes the message. */
static int missing_error(const bool have[MRM_TIER_NFACTORS], const char *where,
			 struct mrm_error *err)
{
	char list[512];
	struct sbuf b = { list, sizeof(list), 0 };
	int n = 0;

	list[0] = '\0';
	for (int i = 0; i < MRM_TIER_NFACTORS; i++)
		if (!have[i])
			sb_add(&b, "%s%s", n++ ? ", " : "", factors[i].key);
	if (!n)
		return MRM_OK;
	return mrm_error_set(err, MRM_EINPUT,
			     "%smissing %s: %s (every factor needs an answer; see 'mrm tier factors')",
			     where, n == 1 ? "factor" : "factors", list);
}

static int points_of(int fi, const char *answer)
{
	for (const struct tier_answer *a = factors[fi].answers; a->answer; a++)
		if (!strcmp(a->answer, answer))
			return a->points;
	return 0;
}

static const char *thresholds_text(int tier, char *buf, size_t cap)
{
	if (tier == 1)
		snprintf(buf, cap, "tier 1 from %d", TIER1_FROM);
	else if (tier == 2)
		snprintf(buf, cap, "tier 2 from %d, tier 1 from %d", TIER2_FROM, TIER1_FROM);
	else
		snprintf(buf, cap, "tier 3 below %d", TIER2_FROM);
	return buf;
}

static bool annex_iii_area(const char *domain)
{
	return strcmp(domain, "none") && strcmp(domain, "other-regulated");
}

/* Score, rules, tier and rationale from canonical answers and points. */
static void evaluate(struct mrm_tier_result *r)
{
	const char *const *a = r->answers;
	char rule_text[3][160], th[64];
	struct sbuf b = { r->rationale, sizeof(r->rationale), 0 };
	int nrules = 0, order[MRM_TIER_NFACTORS], shown = 0;

	r->score = 0;
	for (int i = 0; i < MRM_TIER_NFACTORS; i++)
		r->score += r->points[i];
	r->score_tier = r->score >= TIER1_FROM ? 1 : r->score >= TIER2_FROM ? 2 : 3;
	r->tier = r->score_tier;
	r->rules = 0;

	if (!strcmp(a[F_IMPACT], "significant") && annex_iii_area(a[F_DOMAIN])) {
		r->rules |= MRM_TIER_R1;
		r->tier = 1;
		snprintf(rule_text[nrules++], sizeof(rule_text[0]),
			 "R1 (decision impact 'significant' in regulated domain '%s')", a[F_DOMAIN]);
	}
	if (!strcmp(a[F_AUTONOMY], "fully-automated") &&
	    (!strcmp(a[F_IMPACT], "high") || !strcmp(a[F_IMPACT], "significant"))) {
		r->rules |= MRM_TIER_R2;
		r->tier = 1;
		snprintf(rule_text[nrules++], sizeof(rule_text[0]),
			 "R2 (fully-automated with '%s' decision impact)", a[F_IMPACT]);
	}
	if (!strcmp(a[F_CUSTOMER], "yes") && !strcmp(a[F_GENAI], "yes") &&
	    (!strcmp(a[F_RELIANCE], "high") || strcmp(a[F_PERSONAL], "none"))) {
		bool rel = !strcmp(a[F_RELIANCE], "high"), pd = strcmp(a[F_PERSONAL], "none");
		char pdtext[48];
		snprintf(pdtext, sizeof(pdtext), "personal data '%s'", a[F_PERSONAL]);
		r->rules |= MRM_TIER_R3;
		if (r->tier > 2)
			r->tier = 2;
		snprintf(rule_text[nrules++], sizeof(rule_text[0]),
			 "R3 (customer-facing generative AI with %s%s%s; at least tier 2)",
			 rel ? "high reliance" : "", rel && pd ? " and " : "", pd ? pdtext : "");
	}

	r->rationale[0] = '\0';
	sb_add(&b, "Tier %d: ", r->tier);
	if (nrules == 0)
		sb_add(&b, "no hard rule fired. ");
	else if (nrules == 1)
		sb_add(&b, "rule %.2s fired%s. ", rule_text[0], rule_text[0] + 2);
	else {
		sb_add(&b, "rules ");
		for (int i = 0; i < nrules; i++)
			sb_add(&b, "%s%s", i == 0 ? "" : i + 1 == nrules ? " and " : ", ", rule_text[i]);
		sb_add(&b, " fired. ");
	}
	if (r->tier < r->score_tier)
		sb_add(&b, "Score %d alone would give tier %d (%s). ", r->score, r->score_tier,
		       thresholds_text(r->score_tier, th, sizeof(th)));
	else
		sb_add(&b, "Score %d (%s). ", r->score, thresholds_text(r->score_tier, th, sizeof(th)));

	/* Top factors: most points first, table order among equals. */
	for (int i = 0; i < MRM_TIER_NFACTORS; i++)
		order[i] = i;
	for (int i = 1; i < MRM_TIER_NFACTORS; i++)
		for (int j = i; j > 0 && r->points[order[j]] > r->points[order[j - 1]]; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (int i = 0; i < MRM_TIER_NFACTORS && shown < 3; i++) {
		int f = order[i];
		if (r->points[f] <= 0)
			break;
		sb_add(&b, "%s%s=%s (+%d)", shown++ ? ", " : "Top factors: ", factors[f].key, a[f],
		       r->points[f]);
	}
	sb_add(&b, shown ? "." : "No factor scores points.");
}

int mrm_tier_compute(json_t *answers, struct mrm_tier_result *out, struct mrm_error *err)
{
	bool have[MRM_TIER_NFACTORS] = { false };
	const char *key;
	json_t *v;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(answers))
		return mrm_error_set(err, MRM_EINPUT, "answers must be a mapping of factor to answer");
	json_object_foreach(answers, key, v) {
		if (find_factor(key) < 0)
			return unknown_factor(key, err);
	}
	for (int i = 0; i < MRM_TIER_NFACTORS; i++) {
		v = json_object_get(answers, factors[i].key);
		if (!v || json_is_null(v))
			continue;
		if ((rc = check_json(i, v, &out->answers[i], err)))
			return rc;
		out->points[i] = points_of(i, out->answers[i]);
		have[i] = true;
	}
	if ((rc = missing_error(have, "", err)))
		return rc;
	evaluate(out);
	return MRM_OK;
}

json_t *mrm_tier_result_json(const struct mrm_tier_result *r)
{
	json_t *o = json_object(), *answers = json_object(), *points = json_object(),
	       *fired = json_array();
	static const char *const names[] = { "R1", "R2", "R3" };

	for (int i = 0; i < MRM_TIER_NFACTORS; i++) {
		json_object_set_new(answers, factors[i].key, json_string(r->answers[i] ? r->answers[i] : ""));
		json_object_set_new(points, factors[i].key, json_integer(r->points[i]));
	}
	for (int i = 0; i < 3; i++)
		if (r->rules & (1u << i))
			json_array_append_new(fired, json_string(names[i]));
	json_object_set_new(o, "tier", json_integer(r->tier));
	json_object_set_new(o, "score", json_integer(r->score));
	json_object_set_new(o, "score_tier", json_integer(r->score_tier));
	json_object_set_new(o, "rules", fired);
	json_object_set_new(o, "answers", answers);
	json_object_set_new(o, "points", points);
	json_object_set_new(o, "rationale", json_string(r->rationale));
	return o;
}

json_t *mrm_tier_factors(void)
{
	json_t *doc = json_object(), *fs = json_array(), *rs = json_array();
	int max = 0;

	for (int i = 0; i < MRM_TIER_NFACTORS; i++) {
		json_t *as = json_array();
		int top = 0;
		for (const struct tier_answer *a = factors[i].answers; a->answer; a++) {
			json_array_append_new(as, json_pack("{s:s,s:i,s:s}", "answer", a->answer, "points",
							    a->points, "meaning", a->meaning));
			if (a->points > top)
				top = a->points;
		}
		max += top;
		json_array_append_new(fs, json_pack("{s:s,s:s,s:o}", "key", factors[i].key, "question",
						    factors[i].question, "answers", as));
	}
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		json_array_append_new(rs, json_pack("{s:s,s:s,s:s}", "id", rules[i].id, "effect",
						    rules[i].effect, "condition", rules[i].condition));
	json_object_set_new(doc, "factors", fs);
	json_object_set_new(doc, "thresholds", json_pack("{s:i,s:i}", "tier1", TIER1_FROM, "tier2", TIER2_FROM));
	json_object_set_new(doc, "max_score", json_integer(max));
	json_object_set_new(doc, "rules", rs);
	return doc;
}

/* ---- the answers file ------------------------------------------------ */

/* MRM_EINPUT "PATH:LINE:COLUMN: message" (libyaml marks are 0-based). */
static int at_mark(struct mrm_error *err, const char *path, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int at_mark(struct mrm_error *err, const char *path, yaml_mark_t m, const char *fmt, ...)
{
	char msg[MRM_ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mrm_error_set(err, MRM_EINPUT, "%s:%zu:%zu: %s", path, m.line + 1, m.column + 1, msg);
}

static const char *node_kind(const yaml_node_t *n)
{
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	return "text";
}

/* Reads the answers of one loaded document whose root is `root`. */
static int read_answers(const char *path, yaml_document_t *doc, yaml_node_t *root, json_t *answers,
			struct mrm_error *err)
{
	bool have[MRM_TIER_NFACTORS] = { false };
	struct mrm_error sub = { 0 };
	char where[600];

	if (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0)
		return at_mark(err, path, root->start_mark, "no answers (expected a mapping of factor: answer)");
	if (root->type != YAML_MAPPING_NODE)
		return at_mark(err, path, root->start_mark, "expected a mapping of factor: answer, found %s",
			       node_kind(root));
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key), *v = yaml_document_get_node(doc, p->value);
		const char *canon;
		int fi;

		if (!k || !v)
			return at_mark(err, path, root->start_mark, "malformed YAML mapping");
		if (k->type != YAML_SCALAR_NODE)
			return at_mark(err, path, k->start_mark, "a factor name must be plain text, not %s",
				       node_kind(k));
		if ((fi = find_factor((const char *)k->data.scalar.value)) < 0) {
			unknown_factor((const char *)k->data.scalar.value, &sub);
			return at_mark(err, path, k->start_mark, "%s", sub.msg);
		}
		if (have[fi])
			return at_mark(err, path, k->start_mark, "factor '%s' given twice", factors[fi].key);
		if (v->type != YAML_SCALAR_NODE)
			return at_mark(err, path, v->start_mark, "factor '%s' needs a single answer, not %s",
				       factors[fi].key, node_kind(v));
		if (check_text(fi, (const char *)v->data.scalar.value, &canon, &sub))
			return at_mark(err, path, v->start_mark, "%s", sub.msg);
		json_object_set_new(answers, factors[fi].key, json_string(canon));
		have[fi] = true;
	}
	snprintf(where, sizeof(where), "%s:%zu:%zu: ", path, root->start_mark.line + 1,
		 root->start_mark.column + 1);
	return missing_error(have, where, err);
}

/* A YAML syntax error at the parser's problem mark. */
static int syntax_error(const char *path, yaml_parser_t *p, struct mrm_error *err)
{
	return at_mark(err, path, p->problem_mark, "%s%s%s", p->problem ? p->problem : "invalid YAML",
		       p->context ? " " : "", p->context ? p->context : "");
}

int mrm_tier_answers_load(const char *path, json_t **out, struct mrm_error *err)
{
	yaml_parser_t parser;
	yaml_document_t doc, next;
	yaml_node_t *root;
	json_t *answers = NULL;
	FILE *f;
	int rc;

	*out = NULL;
	if (!(f = fopen(path, "rb")))
		return mrm_error_set(err, MRM_EINPUT, "cannot open answers file %s: %s", path, strerror(errno));
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return mrm_error_set(err, MRM_EINPUT, "%s: out of memory starting the YAML parser", path);
	}
	yaml_parser_set_input_file(&parser, f);
	/* Load the whole document first, so syntax errors come before ours. */
	if (!yaml_parser_load(&parser, &doc)) {
		rc = syntax_error(path, &parser, err);
		goto out;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		rc = mrm_error_set(err, MRM_EINPUT, "%s:1:1: no answers (expected a mapping of factor: answer)", path);
	} else if (!yaml_parser_load(&parser, &next)) {
		rc = syntax_error(path, &parser, err);
	} else {
		yaml_node_t *second = yaml_document_get_root_node(&next);
		if (second)
			rc = at_mark(err, path, next.start_mark,
				     "only one YAML document expected (a mapping of factor: answer)");
		else
			rc = read_answers(path, &doc, root, answers = json_object(), err);
		yaml_document_delete(&next);
	}
	yaml_document_delete(&doc);
out:
	yaml_parser_delete(&parser);
	fclose(f);
	if (rc) {
		json_decref(answers);
		return rc;
	}
	*out = answers;
	return MRM_OK;
}

/* ---- assessments and overrides --------------------------------------- */

static bool is_owner(struct mrm_ctx *ctx, json_t *model)
{
	const char *owner = mrm__str(model, "owner");
	return owner && !strcmp(owner, ctx->actor);
}

static int may_assess(struct mrm_ctx *ctx, json_t *model, struct mrm_error *err)
{
	int rc = mrm__require_user(ctx, err);
	if (rc || is_owner(ctx, model) || mrm__actor_has(ctx, "validator") || mrm__actor_has(ctx, "admin"))
		return rc;
	return mrm_error_set(err, MRM_EPERM,
			     "not permitted: %s cannot assess the tier of model '%s' "
			     "(needs to own it, or role validator or admin)",
			     ctx->actor, mrm__str(model, "id"));
}

/* Sets the model's tier fields and audits the change. */
static int set_model_tier(struct mrm_ctx *ctx, json_t *before, int tier, const char *rationale,
			  const char *source, const char *action, struct mrm_error *err)
{
	const char *id = mrm__str(before, "id");
	int rc = mrm__exec(ctx,
			   "UPDATE models SET tier = ?, tier_rationale = ?, tier_source = ?, updated_at = ? "
			   "WHERE id = ?",
			   PARAMS(PI(tier), PT(rationale), PT(source), PT(ctx->now_iso), PT(id)), err);
	return rc ? rc : mrm__audit(ctx, action, "model", id, id, before, err);
}

static json_t *int_or_null(json_t *v)
{
	return json_is_integer(v) ? json_integer(json_integer_value(v)) : json_null();
}

int mrm_tier_assess(struct mrm_ctx *ctx, const char *id, json_t *answers,
		    json_t **out, struct mrm_error *err)
{
	struct mrm_tier_result r;
	json_t *model = NULL, *res = NULL, *row = NULL;
	char *answers_text = NULL;
	int64_t taid = 0;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = mrm_tier_compute(answers, &r, err)))
		return rc;
	res = mrm_tier_result_json(&r);
	answers_text = json_dumps(json_object_get(res, "answers"), JSON_COMPACT);
	if ((rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = mrm__model_get(ctx, id, &model, err)) || (rc = may_assess(ctx, model, err)))
		goto fail;
	/* The answers must describe the model as registered, or the tier is about another model. */
	{
		const char *g = mrm__str(json_object_get(res, "answers"), "genai");
		bool answered = g && !strcmp(g, "yes"), registered = json_is_true(json_object_get(model, "genai"));
		if (g && answered != registered) {
			rc = mrm_error_set(err, MRM_EINPUT,
					   "answer genai=%s contradicts model '%s', registered as %sgenerative AI "
					   "(fix the answer, or the model with 'mrm model update %s --%sgenai')",
					   g, id, registered ? "" : "not ", id, registered ? "no-" : "");
			goto fail;
		}
	}
	if ((rc = mrm__int(ctx,
			   "INSERT INTO tier_assessments (model_id, kind, answers, score, computed_tier, tier, "
			   "rationale, assessed_by, created_at) VALUES (?, 'assessment', ?, ?, ?, ?, ?, ?, ?) "
			   "RETURNING id",
			   PARAMS(PT(id), PT(answers_text), PI(r.score), PI(r.tier), PI(r.tier),
				  PT(r.rationale), PT(ctx->actor), PT(ctx->now_iso)),
			   &taid, err)) ||
	    (rc = mrm__audit_id(ctx, "tier.assess", "tier_assessment", taid, id, NULL, err)) ||
	    (rc = set_model_tier(ctx, model, r.tier, r.rationale, "assessment", "model.tier", err)) ||
	    (rc = mrm__commit(ctx, err)))
		goto fail;
	if (out) {
		const char *src = mrm__str(model, "tier_source");
		if ((rc = mrm__row(ctx, "SELECT * FROM tier_assessments WHERE id = ?", PARAMS(PI(taid)),
				   &row, err)))
			goto out;
		mrm__present("tier_assessment", row);
		json_object_set(row, "score_tier", json_object_get(res, "score_tier"));
		json_object_set(row, "rules", json_object_get(res, "rules"));
		json_object_set(row, "points", json_object_get(res, "points"));
		json_object_set_new(row, "previous_tier", int_or_null(json_object_get(model, "tier")));
		json_object_set_new(row, "previous_source", src ? json_string(src) : json_null());
		json_object_set_new(row, "replaces_override",
				    src && !strcmp(src, "override") ? int_or_null(json_object_get(model, "tier"))
								    : json_null());
		*out = row;
		row = NULL;
	}
	goto out;
fail:
	mrm__rollback(ctx);
out:
	free(answers_text);
	json_decref(row);
	json_decref(res);
	json_decref(model);
	return rc;
}

/* True if `s` has a character other than white space. */
static bool has_text(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return true;
	return false;
}

int mrm_tier_override(struct mrm_ctx *ctx, const char *id, int tier,
		      const char *reason, json_t **out, struct mrm_error *err)
{
	json_t *model = NULL, *last = NULL, *row = NULL;
	char *rationale = NULL;
	int64_t taid = 0, computed;
	size_t cap;
	int rc;

	if (out)
		*out = NULL;
	if (tier < 1 || tier > 3)
		return mrm_error_set(err, MRM_EINPUT, "invalid tier %d (expected 1, 2 or 3)", tier);
	if (!has_text(reason))
		return mrm_error_set(err, MRM_EINPUT, "an override needs a reason: say why the computed tier is wrong");
	if (strlen(reason) > 4000)
		return mrm_error_set(err, MRM_EINPUT, "reason is longer than 4000 bytes");
	if ((rc = mrm__begin(ctx, err)))
		return rc;
	if ((rc = mrm__model_get(ctx, id, &model, err)) || (rc = mrm__require_user(ctx, err)))
		goto fail;
	if (is_owner(ctx, model)) {
		rc = mrm_error_set(err, MRM_EPERM,
				   "not permitted: %s owns model '%s' and cannot override its tier "
				   "(separation of duties: a validator or approver decides)",
				   ctx->actor, id);
		goto fail;
	}
	if ((rc = mrm__require_role(ctx, (const char *const[]){ "validator", "approver", "admin", NULL },
				    "override model tiers", err)))
		goto fail;
	if ((rc = mrm__row(ctx,
			   "SELECT * FROM tier_assessments WHERE model_id = ? AND kind = 'assessment' "
			   "ORDER BY id DESC LIMIT 1",
			   PARAMS(PT(id)), &last, err)))
		goto fail;
	if (!last) {
		rc = mrm_error_set(err, MRM_EINPUT,
				   "model '%s' has no tier assessment to override (run 'mrm tier assess %s' first)",
				   id, id);
		goto fail;
	}
	if (json_integer_value(json_object_get(model, "tier")) == tier) {
		rc = mrm_error_set(err, MRM_EINPUT, "model '%s' is already tier %d (%s); an override must change the tier",
				   id, tier, mrm__str(model, "tier_source") ? mrm__str(model, "tier_source") : "assessment");
		goto fail;
	}
	computed = json_integer_value(json_object_get(last, "computed_tier"));
	cap = strlen(reason) + strlen(ctx->actor) + 64;
	rationale = malloc(cap);
	if (!rationale) {
		rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
		goto fail;
	}
	snprintf(rationale, cap, "Override to tier %d by %s: %s (computed tier %d)", tier, ctx->actor,
		 reason, (int)computed);
	if ((rc = mrm__int(ctx,
			   "INSERT INTO tier_assessments (model_id, kind, computed_tier, tier, rationale, reason, "
			   "assessed_by, created_at) VALUES (?, 'override', ?, ?, ?, ?, ?, ?) RETURNING id",
			   PARAMS(PT(id), PI(computed), PI(tier), PT(rationale), PT(reason), PT(ctx->actor),
				  PT(ctx->now_iso)),
			   &taid, err)) ||
	    (rc = mrm__audit_id(ctx, "tier.override", "tier_assessment", taid, id, NULL, err)) ||
	    (rc = set_model_tier(ctx, model, tier, rationale, "override", "model.tier", err)) ||
	    (rc = mrm__commit(ctx, err)))
		goto fail;
	if (out) {
		if ((rc = mrm__row(ctx, "SELECT * FROM tier_assessments WHERE id = ?", PARAMS(PI(taid)),
				   &row, err)))
			goto out;
		mrm__present("tier_assessment", row);
		json_object_set_new(row, "previous_tier", int_or_null(json_object_get(model, "tier")));
		json_object_set_new(row, "previous_source", json_incref(json_object_get(model, "tier_source")));
		*out = row;
		row = NULL;
	}
	goto out;
fail:
	mrm__rollback(ctx);
out:
	free(rationale);
	json_decref(row);
	json_decref(last);
	json_decref(model);
	return rc;
}

int mrm_tier_show(struct mrm_ctx *ctx, const char *id, json_t **out, struct mrm_error *err)
{
	json_t *model = NULL, *hist = NULL, *last = NULL, *r, *doc;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = mrm__model_get(ctx, id, &model, err)))
		return rc;
	if ((rc = mrm__rows(ctx, "SELECT * FROM tier_assessments WHERE model_id = ? ORDER BY id",
			    PARAMS(PT(id)), &hist, err)))
		goto out;
	json_array_foreach(hist, i, r) {
		if (!strcmp(mrm__str(r, "kind"), "assessment"))
			last = r;
		mrm__present("tier_assessment", r);
	}
	doc = json_object();
	json_object_set_new(doc, "model", json_string(id));
	json_object_set(doc, "tier", json_object_get(model, "tier"));
	json_object_set(doc, "tier_source", json_object_get(model, "tier_source"));
	json_object_set(doc, "tier_rationale", json_object_get(model, "tier_rationale"));
	json_object_set_new(doc, "computed_tier", last ? int_or_null(json_object_get(last, "computed_tier")) : json_null());
	json_object_set_new(doc, "score", last ? int_or_null(json_object_get(last, "score")) : json_null());
	json_object_set_new(doc, "assessment", last ? json_incref(json_object_get(last, "id")) : json_null());
	json_object_set_new(doc, "answers", last ? json_incref(json_object_get(last, "answers")) : json_null());
	json_object_set(doc, "history", hist);
	*out = doc;
out:
	json_decref(hist);
	json_decref(model);
	return rc;
}
