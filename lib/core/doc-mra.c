/*
 * The model risk assessment (MRA): each risk category rated likelihood x
 * impact from the store's facts by a fixed rubric (tier factors, open
 * findings and their severities, incidents, monitoring alerts, validation
 * results), the controls the policy requires with the evidence on file,
 * open findings, accepted residual risk, and a recommendation with the rule
 * that produced it. The rubric is data below, printed in every MRA, and
 * explained in docs/documents.md: change one, change the other.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/doc.h"
#include "mrm/evidence.h"
#include "mrm/finding.h"

/* Signals a monitor can watch, as far as risk categories go. */
enum sig { SIG_NONE, SIG_PERFORMANCE, SIG_FAIRNESS, SIG_DRIFT, SIG_QUALITY };

struct risk_def {
	const char *id;
	const char *title;
	const char *const *finding_categories; /* findings of these categories raise likelihood */
	const char *const *root_causes;        /* incidents with these root causes do too */
	enum sig signal;                        /* and open alerts of these monitors */
	const char *aggravator;                 /* the impact rule (+1), as printed */
};

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct risk_def risks[] = {
	{ "performance", "Performance (accuracy, calibration, stability)",
	  LIST("performance", "reliability"), LIST("model-defect", "code-defect", "infrastructure"),
	  SIG_PERFORMANCE, "+1 when the model acts fully automated (autonomy fully-automated)" },
	{ "data_quality", "Data quality and lineage", LIST(NULL), LIST("data-quality"), SIG_QUALITY,
	  "+1 when the process relies heavily on the output (reliance high)" },
	{ "fairness", "Fairness (harmful bias against groups of people)", LIST("fairness"), LIST(NULL),
	  SIG_FAIRNESS,
	  "+1 when it uses sensitive personal data or serves an EU AI Act Annex III area" },
	{ "robustness_drift", "Robustness and drift", LIST("robustness"),
	  LIST("data-drift", "concept-drift"), SIG_DRIFT,
	  "+1 when it affects more than 100,000 people or decisions a year (scale high)" },
	{ "explainability", "Explainability and transparency", LIST(NULL), LIST(NULL), SIG_NONE,
	  "+1 when a wrong output has a high or significant effect on a person" },
	{ "security", "Security and misuse (prompt injection for generative models)",
	  LIST("security", "safety"), LIST("prompt-injection", "misuse"), SIG_NONE,
	  "+1 when customers see its output directly or it is generative" },
	{ "privacy", "Privacy", LIST("privacy"), LIST(NULL), SIG_NONE,
	  "+1 with sensitive personal data, -1 with none" },
	{ "third_party", "Third-party (vendor) dependence", LIST(NULL), LIST("third-party"), SIG_NONE,
	  "+1 when the process relies heavily on the output (reliance high)" },
	{ "compliance", "Compliance, governance and documentation", LIST("governance", "documentation"),
	  LIST("process"), SIG_NONE, "+1 in a regulated domain (regulated_domain not none)" },
};

#define NRISKS (sizeof(risks) / sizeof(risks[0]))

static const char *const likelihood_labels[] = { "", "rare", "unlikely", "possible", "likely",
						 "almost certain" };
static const char *const impact_labels[] = { "", "negligible", "minor", "moderate", "major",
					     "severe" };

/* The rubric, as printed in every MRA (docs/documents.md says the same). */
static const char *const rubric_rules[] = {
	"Likelihood (1 rare to 5 almost certain) is the highest level any fact below gives; 1 when none does.",
	"A finding not closed (open, in remediation, awaiting verification or risk-accepted) in the "
	"category: low 2, medium 3, high 4, critical 5.",
	"An incident in the last 365 days with a root cause of the category: sev3/sev4 3, sev1/sev2 4; "
	"an incident not yet mitigated: 4, or 5 for sev1/sev2.",
	"An open monitoring alert on a signal of the category (metrics: performance or fairness; drift: "
	"robustness and drift; quality checks: data quality): warn 3, alert 4.",
	"A failed test of the stored validation run: 3 (fairness when the test is per group or on a "
	"fairness metric, else performance). No validation report on file: performance 3.",
	"Exposure from the tier assessment and the inventory: explainability 2 (complexity medium) or 3 "
	"(complexity high, or generative); security 2 (generative or customer facing) or 3 (both); "
	"privacy 2 (sensitive data); third party 2 (a vendor is recorded; else not applicable); data "
	"quality 3 (no data sources recorded); fairness 2 (high or significant impact) or 3 (sensitive "
	"data) without a fairness report on file; robustness 3 (in production with no active monitor).",
	"Compliance: periodic review overdue 4; an acceptance expired with its findings not closed 4; a "
	"review open 3; in production and never reviewed 3.",
	"Impact (1 negligible to 5 severe) starts from the tier: tier 1 (or untiered) 4, tier 2 3, "
	"tier 3 2; then the category's aggravator from the tier assessment's answers, kept within 1-5.",
	"Score = likelihood x impact: 1-4 low, 5-10 medium, 11-16 high, 20-25 critical.",
};

/* The recommendation rules, in order of precedence. */
static const struct {
	const char *id, *decision, *rule;
} rec_rules[] = {
	{ "DNA-1", "do-not-approve", "a risk is rated critical" },
	{ "DNA-2", "do-not-approve", "an open critical finding is not covered by an acceptance in force" },
	{ "DNA-3", "do-not-approve", "an incident is not yet mitigated" },
	{ "DNA-4", "do-not-approve", "a tier 1 (or untiered) model has no validation report on file" },
	{ "AWC-1", "approve-with-conditions", "a risk is rated high" },
	{ "AWC-2", "approve-with-conditions", "an open finding is not covered by an acceptance" },
	{ "AWC-3", "approve-with-conditions", "residual risk is accepted (an acceptance is in force)" },
	{ "AWC-4", "approve-with-conditions", "a monitoring alert is open" },
	{ "AWC-5", "approve-with-conditions", "a tier 2 or 3 model has no validation report on file" },
	{ "AWC-6", "approve-with-conditions", "the periodic review is overdue or a review is open" },
	{ "APP", "approve", "none of the rules above applies" },
};

#define NREC (sizeof(rec_rules) / sizeof(rec_rules[0]))

struct risk {
	const struct risk_def *def;
	int likelihood, impact;
	bool applicable;
	json_t *ldrivers; /* [ { level, reason } ] */
	json_t *idrivers;
	json_t *findings; /* ids */
};

static bool in(const char *const *list, const char *s)
{
	for (; s && *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

static bool eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static void driver(json_t *list, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void driver(json_t *list, int level, const char *fmt, ...)
{
	char text[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	json_array_append_new(list, json_pack("{s:i,s:s}", "level", level, "reason", text));
}

/* Raises the likelihood of `r` to `level` for `reason`. */
static void raise_l(struct risk *r, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void raise_l(struct risk *r, int level, const char *fmt, ...)
{
	char text[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (level > r->likelihood)
		r->likelihood = level;
	json_array_append_new(r->ldrivers, json_pack("{s:i,s:s}", "level", level, "reason", text));
}

static struct risk *risk_of(struct risk *rs, const char *id)
{
	for (size_t i = 0; i < NRISKS; i++)
		if (!strcmp(rs[i].def->id, id))
			return &rs[i];
	return NULL;
}

static int severity_level(const char *sev)
{
	if (eq(sev, "critical"))
		return 5;
	if (eq(sev, "high"))
		return 4;
	if (eq(sev, "medium"))
		return 3;
	return 2;
}

static const char *rating_of(int score)
{
	return score <= 4 ? "low" : score <= 10 ? "medium" : score <= 16 ? "high" : "critical";
}

/* The risk category a monitor's signal feeds. */
static enum sig signal_kind(const char *signal)
{
	if (!signal)
		return SIG_NONE;
	if (!strncmp(signal, "quality:", 8))
		return SIG_QUALITY;
	if (!strncmp(signal, "drift", 5) || !strcmp(signal, "dataset_drift"))
		return SIG_DRIFT;
	if (!strncmp(signal, "metric:", 7))
		return strstr(signal, "parity") || strstr(signal, "equalized") ||
				       strstr(signal, "equal_opportunity") || strstr(signal, "disparate")
			       ? SIG_FAIRNESS
			       : SIG_PERFORMANCE;
	return SIG_NONE;
}

static bool fairness_test(json_t *t)
{
	const char *c = mrm__str(t, "condition");

	return json_object_get(t, "group") || (c && (strstr(c, " for ") || strstr(c, "parity") ||
						     strstr(c, "equalized") || strstr(c, "disparate") ||
						     strstr(c, "equal_opportunity")));
}

/* The strings of `a` joined with ", " into buf. */
static const char *join(json_t *a, char *buf, size_t cap)
{
	size_t i, used = 0;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(a, i, v) {
		int n = snprintf(buf + used, cap - used, "%s%s", used ? ", " : "",
				 json_is_string(v) ? json_string_value(v) : "?");
		if (n < 0 || (size_t)n >= cap - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

static bool has_evidence(const struct mrm__facts *f, const char *kind)
{
	json_t *a = mrm__facts_evidence(f, kind);
	bool any = json_array_size(a) > 0;

	json_decref(a);
	return any;
}

/* The date `days` days before today, "YYYY-MM-DD". */
static void days_ago(struct mrm_ctx *ctx, int days, char out[MRM_DATE_LEN])
{
	mrm_date_format(mrm_ctx_now(ctx) - (int64_t)days * 86400, out);
}

static const char *const annex_iii[] = { "credit", "employment", "insurance", "healthcare",
					 "criminal-justice", "education", "essential-services",
					 "biometrics", NULL };

/* Impact of each category: the tier's base and the aggravator from the assessment's answers. */
static void rate_impact(const struct mrm__facts *f, struct risk *r)
{
	int base = f->tier_n == 2 ? 3 : f->tier_n == 3 ? 2 : 4, delta = 0;
	const char *id = r->def->id, *why = NULL;
	const char *autonomy = mrm__facts_answer(f, "autonomy"), *reliance = mrm__facts_answer(f, "reliance");
	const char *pd = mrm__facts_answer(f, "personal_data"), *domain = mrm__facts_answer(f, "regulated_domain");
	const char *scale = mrm__facts_answer(f, "scale"), *impact = mrm__facts_answer(f, "decision_impact");
	const char *cf = mrm__facts_answer(f, "customer_facing"), *genai = mrm__facts_answer(f, "genai");

	r->impact = base;
	if (f->tier_n)
		driver(r->idrivers, base, "tier %d", f->tier_n);
	else
		driver(r->idrivers, base, "untiered: treated as tier 1");
	if (!json_is_object(json_object_get(f->tier, "answers"))) {
		driver(r->idrivers, base, "no tier assessment: the aggravator cannot be applied");
		return;
	}
	if (!strcmp(id, "performance") && eq(autonomy, "fully-automated"))
		delta = 1, why = "acts fully automated";
	else if ((!strcmp(id, "data_quality") || !strcmp(id, "third_party")) && eq(reliance, "high"))
		delta = 1, why = "the process relies heavily on the output";
	else if (!strcmp(id, "fairness") && (eq(pd, "sensitive") || in(annex_iii, domain)))
		delta = 1, why = eq(pd, "sensitive") ? "uses sensitive personal data"
						     : "serves an EU AI Act Annex III area";
	else if (!strcmp(id, "robustness_drift") && eq(scale, "high"))
		delta = 1, why = "affects more than 100,000 people or decisions a year";
	else if (!strcmp(id, "explainability") && (eq(impact, "high") || eq(impact, "significant")))
		delta = 1, why = "a wrong output has a high or significant effect on a person";
	else if (!strcmp(id, "security") && (eq(cf, "yes") || eq(genai, "yes")))
		delta = 1, why = eq(genai, "yes") ? "generative" : "customers see its output directly";
	else if (!strcmp(id, "privacy") && eq(pd, "sensitive"))
		delta = 1, why = "sensitive personal data";
	else if (!strcmp(id, "privacy") && eq(pd, "none"))
		delta = -1, why = "no personal data";
	else if (!strcmp(id, "compliance") && domain && !eq(domain, "none"))
		delta = 1, why = "regulated domain";
	if (delta) {
		r->impact = base + delta < 1 ? 1 : base + delta > 5 ? 5 : base + delta;
		driver(r->idrivers, r->impact, "%s%d: %s", delta > 0 ? "+" : "", delta, why);
	}
}

/* Likelihood from exposure: the tier assessment, the inventory and the evidence on file. */
static void rate_exposure(struct mrm_ctx *ctx, const struct mrm__facts *f, struct risk *rs)
{
	const char *cx = mrm__facts_answer(f, "complexity"), *pd = mrm__facts_answer(f, "personal_data");
	const char *cf = mrm__facts_answer(f, "customer_facing"), *impact = mrm__facts_answer(f, "decision_impact");
	const char *vendor = mrm__str(f->model, "vendor"), *status = mrm__str(f->model, "status");
	bool genai = json_is_true(json_object_get(f->model, "genai")) || eq(mrm__facts_answer(f, "genai"), "yes");
	bool customer = eq(cf, "yes"), fair_report = has_evidence(f, "fairness-report");
	size_t active = 0, i;
	json_t *e;
	char today[MRM_DATE_LEN];

	snprintf(today, sizeof(today), "%s", mrm_ctx_today(ctx));
	if (eq(cx, "high") || genai)
		raise_l(risk_of(rs, "explainability"), 3, "%s", genai ? "generative model" : "complexity high");
	else if (eq(cx, "medium"))
		raise_l(risk_of(rs, "explainability"), 2, "complexity medium");
	if (genai && customer)
		raise_l(risk_of(rs, "security"), 3, "generative and customer facing");
	else if (genai || customer)
		raise_l(risk_of(rs, "security"), 2, "%s", genai ? "generative" : "customer facing");
	if (eq(pd, "sensitive"))
		raise_l(risk_of(rs, "privacy"), 2, "sensitive personal data");
	if (vendor && *vendor)
		raise_l(risk_of(rs, "third_party"), 2, "vendor model: %s", vendor);
	else
		risk_of(rs, "third_party")->applicable = false;
	if (json_array_size(json_object_get(f->model, "data_sources")) == 0)
		raise_l(risk_of(rs, "data_quality"), 3, "no data sources recorded (lineage unknown)");
	if (!fair_report && eq(pd, "sensitive"))
		raise_l(risk_of(rs, "fairness"), 3, "sensitive personal data and no fairness report on file");
	else if (!fair_report && (eq(impact, "high") || eq(impact, "significant")))
		raise_l(risk_of(rs, "fairness"), 2, "%s impact on people and no fairness report on file",
			impact);
	json_array_foreach(f->monitors, i, e)
		if (eq(mrm__str(e, "status"), "active"))
			active++;
	if (eq(status, "production") && active == 0)
		raise_l(risk_of(rs, "robustness_drift"), 3, "in production with no active monitor");
	if (!has_evidence(f, "validation-report"))
		raise_l(risk_of(rs, "performance"), 3, "no validation report on file");
	/* Compliance: reviews and acceptances. */
	{
		const char *due = mrm__str(f->model, "next_review_due");
		json_t *rv;
		if (due && strcmp(due, today) < 0)
			raise_l(risk_of(rs, "compliance"), 4, "periodic review overdue since %s", due);
		json_array_foreach(json_object_get(f->model, "reviews"), i, rv)
			if (eq(mrm__str(rv, "status"), "open"))
				raise_l(risk_of(rs, "compliance"), 3, "review %s open (%s)", mrm__str(rv, "id"),
					mrm__str(rv, "reason") ? mrm__str(rv, "reason") : "no reason given");
		if (eq(status, "production") && !mrm__str(f->model, "last_reviewed"))
			raise_l(risk_of(rs, "compliance"), 3, "in production and never reviewed");
		json_array_foreach(f->acceptances, i, rv) {
			json_t *fid;
			size_t k;
			bool open = false;
			if (!eq(mrm__str(rv, "state"), "expired"))
				continue;
			json_array_foreach(json_object_get(rv, "findings"), k, fid) {
				json_t *fe;
				size_t j;
				json_array_foreach(f->findings, j, fe)
					if (eq(mrm__str(fe, "id"), json_string_value(fid)) &&
					    !eq(mrm__str(fe, "status"), "closed"))
						open = true;
			}
			if (open)
				raise_l(risk_of(rs, "compliance"), 4, "acceptance %s expired on %s with its "
					"findings not closed", mrm__str(rv, "id"), mrm__str(rv, "expires"));
		}
	}
}

/* Likelihood from events: findings, incidents, alerts, failed tests. */
static void rate_events(struct mrm_ctx *ctx, const struct mrm__facts *f, struct risk *rs)
{
	char since[MRM_DATE_LEN];
	json_t *e;
	size_t i;

	json_array_foreach(f->findings, i, e) {
		const char *cat = mrm__str(e, "category"), *st = mrm__str(e, "status");
		const char *acc = mrm__str(e, "accepted_by_acceptance");
		if (eq(st, "closed"))
			continue;
		for (size_t k = 0; k < NRISKS; k++)
			if (in(risks[k].finding_categories, cat)) {
				raise_l(&rs[k], severity_level(mrm__str(e, "severity")), "%s finding %s %s%s%s: %s",
					mrm__str(e, "severity"), mrm__str(e, "id"), st, acc ? " under " : "",
					acc ? acc : "", mrm__str(e, "title"));
				json_array_append_new(rs[k].findings, json_string(mrm__str(e, "id")));
			}
	}
	days_ago(ctx, 365, since);
	json_array_foreach(f->incidents, i, e) {
		const char *sev = mrm__str(e, "severity"), *st = mrm__str(e, "status");
		const char *started = mrm__str(e, "started"), *cause = mrm__str(e, "root_cause");
		bool major = eq(sev, "sev1") || eq(sev, "sev2"), open = eq(st, "open");
		if (!open && (!started || strncmp(started, since, 10) < 0))
			continue;
		for (size_t k = 0; k < NRISKS; k++)
			if (in(risks[k].root_causes, cause))
				raise_l(&rs[k], open ? (major ? 5 : 4) : (major ? 4 : 3), "%s incident %s %s (%s, "
					"started %.10s): %s", sev, mrm__str(e, "id"),
					open ? "not yet mitigated" : "in the last 365 days", cause, started,
					mrm__str(e, "title"));
	}
	json_array_foreach(f->alerts, i, e) {
		enum sig s = signal_kind(mrm__str(e, "signal"));
		bool alert = eq(mrm__str(e, "level"), "alert");
		for (size_t k = 0; k < NRISKS; k++)
			if (s != SIG_NONE && risks[k].signal == s)
				raise_l(&rs[k], alert ? 4 : 3, "open %s %s on %s", alert ? "alert" : "warning",
					mrm__str(e, "id"), mrm__str(e, "signal"));
	}
	json_array_foreach(json_object_get(f->run, "tests"), i, e) {
		if (json_is_true(json_object_get(e, "passed")))
			continue;
		raise_l(risk_of(rs, fairness_test(e) ? "fairness" : "performance"), 3,
			"test '%s' (%s) failed in validation run %s", mrm__str(e, "name") ? mrm__str(e, "name") : "?",
			mrm__str(e, "condition") ? mrm__str(e, "condition") : "?",
			mrm__str(f->run_evidence, "id"));
	}
}

/* ---- controls ---------------------------------------------------------------------- */

/* Evidence rows of the kinds in params.evidence, as "E-N" ids and a sentence. */
static void evidence_facts(const struct mrm__facts *f, json_t *params, json_t *ids, char *text,
			   size_t cap)
{
	json_t *kinds = json_object_get(params, "evidence"), *days;
	const char *kind, *cur = mrm__str(f->model, "current_version");
	size_t used = 0;

	text[0] = '\0';
	json_object_foreach(kinds, kind, days) {
		json_t *rows = mrm__facts_evidence(f, kind), *e = json_array_get(rows, 0);
		size_t i;
		int n;
		json_t *r;
		json_array_foreach(rows, i, r)
			json_array_append_new(ids, json_string(mrm__str(r, "id")));
		if (e)
			n = snprintf(text + used, cap - used, "%s%s: newest %s (%s%s, %.10s by %s; %zu on file)",
				     used ? "; " : "", kind, mrm__str(e, "id"),
				     mrm__str(e, "version") ? "version " : "no version",
				     mrm__str(e, "version") ? mrm__str(e, "version") : "", mrm__str(e, "created_at"),
				     mrm__str(e, "produced_by"), json_array_size(rows));
		else
			n = snprintf(text + used, cap - used, "%s%s: none on file", used ? "; " : "", kind);
		if (e && cur && !eq(mrm__str(e, "version"), cur) && n > 0 && (size_t)n < cap - used) {
			used += (size_t)n;
			n = snprintf(text + used, cap - used, ", not of the current version %s", cur);
		}
		if (n > 0 && (size_t)n < cap - used)
			used += (size_t)n;
		json_decref(rows);
	}
	(void)days;
}

/* What the store shows for a control of kind `check` (a sentence into text). */
static void control_facts(const struct mrm__facts *f, const char *check, json_t *params, json_t *ids,
			  char *text, size_t cap)
{
	json_t *m = f->model, *e;
	size_t i, n = 0, open[4] = { 0 };

	text[0] = '\0';
	if (json_object_get(params, "evidence")) {
		evidence_facts(f, params, ids, text, cap);
		return;
	}
	if (eq(check, "inventory")) {
		char miss[512] = "";
		size_t used = 0;
		json_t *fields = json_object_get(params, "inventory_fields"), *k;
		json_array_foreach(fields, i, k) {
			json_t *v = json_object_get(m, json_string_value(k));
			if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)) ||
			    (json_is_array(v) && json_array_size(v) == 0)) {
				int w = snprintf(miss + used, sizeof(miss) - used, "%s%s", used ? ", " : "",
						 json_string_value(k));
				if (w > 0 && (size_t)w < sizeof(miss) - used)
					used += (size_t)w;
			}
		}
		snprintf(text, cap, "owner %s; purpose %s; intended use %s%s%s",
			 mrm__str(m, "owner") ? mrm__str(m, "owner") : "missing",
			 mrm__str(m, "purpose") ? "recorded" : "missing",
			 mrm__str(m, "intended_use") ? "recorded" : "missing",
			 used ? "; missing: " : (json_array_size(fields) ? "; every required field filled" : ""),
			 miss);
	} else if (eq(check, "tier")) {
		if (json_is_integer(json_object_get(m, "tier")))
			snprintf(text, cap, "tier %d by %s", f->tier_n,
				 mrm__str(m, "tier_source") ? mrm__str(m, "tier_source") : "?");
		else
			snprintf(text, cap, "not tiered");
	} else if (eq(check, "signoff")) {
		const char *cur = mrm__str(m, "current_version");
		size_t used = (size_t)snprintf(text, cap, "sign-offs of the current version:");
		json_array_foreach(json_object_get(m, "signoffs"), i, e) {
			if (!(cur ? eq(mrm__str(e, "version"), cur) : !mrm__str(e, "version")))
				continue;
			int w = snprintf(text + used, cap - used, "%s %s by %s (%s)", n++ ? "," : "",
					 mrm__str(e, "role"), mrm__str(e, "user_name"), mrm__str(e, "id"));
			if (w > 0 && (size_t)w < cap - used)
				used += (size_t)w;
		}
		if (!n)
			snprintf(text + used, cap - used, " none");
	} else if (eq(check, "material-change")) {
		json_t *mat = NULL, *rv = NULL;
		json_array_foreach(json_object_get(m, "versions"), i, e)
			if (json_is_true(json_object_get(e, "material")))
				mat = e;
		if (!mat) {
			snprintf(text, cap, "no version is marked material");
			return;
		}
		json_array_foreach(json_object_get(m, "reviews"), i, e)
			if (eq(mrm__str(e, "version"), mrm__str(mat, "version")))
				rv = e;
		if (rv)
			snprintf(text, cap, "material version %s (%.10s): review %s %s%s%s", mrm__str(mat, "version"),
				 mrm__str(mat, "created_at"), mrm__str(rv, "id"),
				 eq(mrm__str(rv, "status"), "open") ? "open" : "decided: ",
				 eq(mrm__str(rv, "status"), "open") ? "" : mrm__str(rv, "decision"), "");
		else
			snprintf(text, cap, "material version %s (%.10s): no review of it", mrm__str(mat, "version"),
				 mrm__str(mat, "created_at"));
	} else if (eq(check, "review-approved") || eq(check, "review-current")) {
		json_t *last = NULL, *openr = NULL;
		json_array_foreach(json_object_get(m, "reviews"), i, e) {
			if (eq(mrm__str(e, "status"), "decided"))
				last = e;
			else
				openr = e;
		}
		if (last)
			snprintf(text, cap, "last review %s: %s by %s on %.10s (version %s); next review due %s%s%s",
				 mrm__str(last, "id"), mrm__str(last, "decision"), mrm__str(last, "decided_by"),
				 mrm__str(last, "decided_at"),
				 mrm__str(last, "version") ? mrm__str(last, "version") : "none",
				 mrm__str(m, "next_review_due") ? mrm__str(m, "next_review_due") : "not set",
				 openr ? "; open: " : "", openr ? mrm__str(openr, "id") : "");
		else
			snprintf(text, cap, "never reviewed%s%s", openr ? "; open: " : "",
				 openr ? mrm__str(openr, "id") : "");
	} else if (eq(check, "monitors") || eq(check, "third-party")) {
		size_t used = 0;
		json_array_foreach(f->monitors, i, e)
			if (eq(mrm__str(e, "status"), "active"))
				n++;
		if (eq(check, "third-party")) {
			json_t *cards = mrm__facts_evidence(f, "model-card");
			used = (size_t)snprintf(text, cap, "vendor %s; %zu model card%s on file; ",
						mrm__str(m, "vendor") ? mrm__str(m, "vendor") : "none",
						json_array_size(cards), json_array_size(cards) == 1 ? "" : "s");
			json_decref(cards);
			if (used >= cap)
				used = 0;
		}
		snprintf(text + used, cap - used, "%zu active monitor%s, %zu open alert%s", n, n == 1 ? "" : "s",
			 json_array_size(f->alerts), json_array_size(f->alerts) == 1 ? "" : "s");
	} else if (eq(check, "findings")) {
		json_array_foreach(f->findings, i, e) {
			const char *st = mrm__str(e, "status");
			int sev = severity_level(mrm__str(e, "severity"));
			if (!eq(st, "closed") && !eq(st, "risk-accepted"))
				open[5 - sev]++;
		}
		snprintf(text, cap, "open and not accepted: critical %zu, high %zu, medium %zu, low %zu", open[0],
			 open[1], open[2], open[3]);
	} else if (eq(check, "acceptances")) {
		size_t active = 0, expired = 0;
		json_array_foreach(f->acceptances, i, e) {
			if (eq(mrm__str(e, "state"), "active"))
				active++;
			else if (eq(mrm__str(e, "state"), "expired"))
				expired++;
		}
		snprintf(text, cap, "%zu acceptance%s in force, %zu expired", active, active == 1 ? "" : "s",
			 expired);
	} else if (eq(check, "incidents")) {
		size_t openi = 0;
		json_array_foreach(f->incidents, i, e)
			if (eq(mrm__str(e, "status"), "open"))
				openi++;
		snprintf(text, cap, "%zu incident%s recorded, %zu not yet mitigated", json_array_size(f->incidents),
			 json_array_size(f->incidents) == 1 ? "" : "s", openi);
	} else if (eq(check, "audit-chain")) {
		snprintf(text, cap, "checked by mrm audit verify (every event and governance row)");
	} else if (eq(check, "evidence-integrity")) {
		snprintf(text, cap, "%zu evidence file%s registered; mrm evidence verify --model %s re-hashes them",
			 json_array_size(json_object_get(m, "evidence")),
			 json_array_size(json_object_get(m, "evidence")) == 1 ? "" : "s", f->id);
	} else if (eq(check, "separation-of-duties")) {
		snprintf(text, cap, "enforced when records are written; the gate re-checks the model's records");
	}
}

static json_t *controls_json(struct mrm_ctx *ctx, const struct mrm__facts *f, json_t **gate_out,
			     struct mrm_error *err)
{
	unsigned flags = 0;
	json_t *list, *out = json_array(), *c, *gate = NULL;
	size_t i;

	*gate_out = NULL;
	if (json_is_true(json_object_get(f->model, "genai")))
		flags |= MRM_POLICY_MODEL_GENAI;
	if (mrm__str(f->model, "vendor") && *mrm__str(f->model, "vendor"))
		flags |= MRM_POLICY_MODEL_VENDOR;
	if (f->gate_given)
		gate = json_incref(f->gate);
	else if (mrm__hook_gate(ctx, f->id, f->policy, &gate, err)) {
		json_decref(out);
		return NULL;
	}
	list = mrm_policy_controls_for(f->policy, f->tier_n, flags);
	json_array_foreach(list, i, c) {
		json_t *ids = json_array(), *g = NULL, *gc;
		const char *id = mrm__str(c, "id");
		char facts[1024];
		size_t k;

		control_facts(f, mrm__str(c, "check"), json_object_get(c, "params"), ids, facts, sizeof(facts));
		json_array_foreach(json_object_get(gate, "controls"), k, gc)
			if (eq(mrm__str(gc, "id"), id))
				g = gc;
		json_array_append_new(out, json_pack("{s:s,s:O?,s:O?,s:O?,s:O?,s:O?,s:s,s:s?,s:o,s:s}", "id", id,
						     "title", json_object_get(c, "title"), "check",
						     json_object_get(c, "check"), "applies", json_object_get(c, "applies"),
						     "not_applicable_reason", json_object_get(c, "reason"), "params",
						     json_object_get(c, "params"), "status",
						     !json_is_true(json_object_get(c, "applies")) ? "not-applicable"
						     : g ? (mrm__str(g, "status") ? mrm__str(g, "status") : "?")
							 : "not-evaluated",
						     "status_reason",
						     g ? mrm__str(g, "reason") : (json_is_true(json_object_get(c, "applies"))
											? mrm__hook_gate_missing
											: NULL),
						     "evidence", ids, "facts", facts));
	}
	json_decref(list);
	*gate_out = gate;
	return out;
}

/* ---- the recommendation ------------------------------------------------------------- */

struct rec {
	bool hit[NREC];
	json_t *reasons, *conditions;
};

static void hit(struct rec *r, const char *rule, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void hit(struct rec *r, const char *rule, const char *fmt, ...)
{
	char text[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < NREC; i++)
		if (!strcmp(rec_rules[i].id, rule))
			r->hit[i] = true;
	json_array_append_new(r->reasons, json_pack("{s:s,s:s}", "rule", rule, "reason", text));
}

static void condition(struct rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void condition(struct rec *r, const char *fmt, ...)
{
	char text[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	json_array_append_new(r->conditions, json_string(text));
}

static size_t rule_rank(const char *id)
{
	for (size_t i = 0; i < NREC; i++)
		if (id && !strcmp(rec_rules[i].id, id))
			return i;
	return NREC;
}

/* Orders the reasons by the precedence of their rules (stable: insertion sort). */
static void sort_reasons(json_t *a)
{
	size_t n = json_array_size(a);

	for (size_t i = 1; i < n; i++) {
		json_t *x = json_incref(json_array_get(a, i));
		size_t rx = rule_rank(mrm__str(x, "rule")), j = i;
		while (j > 0 && rule_rank(mrm__str(json_array_get(a, j - 1), "rule")) > rx) {
			json_array_set(a, j, json_array_get(a, j - 1));
			j--;
		}
		json_array_set_new(a, j, x);
	}
}

static json_t *recommend(struct mrm_ctx *ctx, const struct mrm__facts *f, struct risk *rs)
{
	struct rec r = { .reasons = json_array(), .conditions = json_array() };
	bool validated = has_evidence(f, "validation-report");
	const char *due = mrm__str(f->model, "next_review_due");
	json_t *e;
	size_t i, first = NREC - 1;

	for (i = 0; i < NRISKS; i++) {
		int s = rs[i].likelihood * rs[i].impact;
		if (!rs[i].applicable)
			continue;
		if (!strcmp(rating_of(s), "critical")) {
			hit(&r, "DNA-1", "%s is rated critical (likelihood %d x impact %d = %d)", rs[i].def->title,
			    rs[i].likelihood, rs[i].impact, s);
			condition(&r, "Bring %s below critical, and then below high: it is %d x %d = %d now",
				  rs[i].def->title, rs[i].likelihood, rs[i].impact, s);
		} else if (!strcmp(rating_of(s), "high")) {
			hit(&r, "AWC-1", "%s is rated high (likelihood %d x impact %d = %d)", rs[i].def->title,
			    rs[i].likelihood, rs[i].impact, s);
			condition(&r, "Bring %s below high: it is %d x %d = %d now", rs[i].def->title,
				  rs[i].likelihood, rs[i].impact, s);
		}
	}
	json_array_foreach(f->findings, i, e) {
		const char *st = mrm__str(e, "status");
		if (eq(st, "closed") || eq(st, "risk-accepted"))
			continue;
		if (eq(mrm__str(e, "severity"), "critical"))
			hit(&r, "DNA-2", "critical finding %s is open and not accepted: %s", mrm__str(e, "id"),
			    mrm__str(e, "title"));
		else
			hit(&r, "AWC-2", "%s finding %s is %s: %s", mrm__str(e, "severity"), mrm__str(e, "id"), st,
			    mrm__str(e, "title"));
		condition(&r, "Close %s (%s, %s) by its due date %s%s", mrm__str(e, "id"), mrm__str(e, "severity"),
			  mrm__str(e, "category"), mrm__str(e, "due") ? mrm__str(e, "due") : "(none)",
			  json_is_true(json_object_get(e, "overdue")) ? ", which has passed" : "");
	}
	json_array_foreach(f->incidents, i, e)
		if (eq(mrm__str(e, "status"), "open")) {
			hit(&r, "DNA-3", "%s incident %s is not yet mitigated: %s", mrm__str(e, "severity"),
			    mrm__str(e, "id"), mrm__str(e, "title"));
			condition(&r, "Mitigate incident %s", mrm__str(e, "id"));
		}
	if (!validated && (f->tier_n == 0 || f->tier_n == 1)) {
		hit(&r, "DNA-4", "no validation report is on file for this %s model",
		    f->tier_n ? "tier 1" : "untiered");
		condition(&r, "Validate the model independently and register the report");
	} else if (!validated) {
		hit(&r, "AWC-5", "no validation report is on file");
		condition(&r, "Validate the model independently and register the report");
	}
	json_array_foreach(f->acceptances, i, e) {
		char trig[600];
		if (!eq(mrm__str(e, "state"), "active"))
			continue;
		hit(&r, "AWC-3", "acceptance %s by %s covers %s until %s", mrm__str(e, "id"),
		    mrm__str(e, "accepted_by"), join(json_object_get(e, "findings"), trig, sizeof(trig)),
		    mrm__str(e, "expires"));
		condition(&r, "Re-assess the residual risk of %s before %s, or at once on: %s", mrm__str(e, "id"),
			  mrm__str(e, "expires"),
			  json_array_size(json_object_get(e, "triggers"))
				  ? join(json_object_get(e, "triggers"), trig, sizeof(trig))
				  : "(no triggers recorded)");
	}
	json_array_foreach(f->alerts, i, e) {
		hit(&r, "AWC-4", "%s %s on %s is open", mrm__str(e, "level"), mrm__str(e, "id"), mrm__str(e, "signal"));
		condition(&r, "Resolve alert %s (actioned or false positive)", mrm__str(e, "id"));
	}
	if (due && strcmp(due, mrm_ctx_today(ctx)) < 0) {
		hit(&r, "AWC-6", "the periodic review was due on %s", due);
		condition(&r, "Complete the overdue periodic review");
	}
	json_array_foreach(json_object_get(f->model, "reviews"), i, e)
		if (eq(mrm__str(e, "status"), "open")) {
			hit(&r, "AWC-6", "review %s is open (%s)", mrm__str(e, "id"),
			    mrm__str(e, "reason") ? mrm__str(e, "reason") : "no reason given");
			condition(&r, "Decide review %s", mrm__str(e, "id"));
		}
	for (i = 0; i < NREC; i++)
		if (r.hit[i]) {
			first = i;
			break;
		}
	sort_reasons(r.reasons);
	if (first == NREC - 1)
		hit(&r, "APP", "no rule for conditions or refusal applies");
	return json_pack("{s:s,s:s,s:s,s:o,s:o}", "decision", rec_rules[first].decision, "rule",
			 rec_rules[first].id, "rule_text", rec_rules[first].rule, "reasons", r.reasons,
			 "conditions", r.conditions);
}

/* ---- assembling the document -------------------------------------------------------- */

static json_t *rubric_json(void)
{
	json_t *l = json_array(), *im = json_array(), *rules = json_array(), *rec = json_array();

	for (int i = 1; i <= 5; i++) {
		json_array_append_new(l, json_pack("{s:i,s:s}", "level", i, "label", likelihood_labels[i]));
		json_array_append_new(im, json_pack("{s:i,s:s}", "level", i, "label", impact_labels[i]));
	}
	for (size_t i = 0; i < sizeof(rubric_rules) / sizeof(rubric_rules[0]); i++)
		json_array_append_new(rules, json_string(rubric_rules[i]));
	for (size_t i = 0; i < NREC; i++)
		json_array_append_new(rec, json_pack("{s:s,s:s,s:s}", "id", rec_rules[i].id, "decision",
						     rec_rules[i].decision, "rule", rec_rules[i].rule));
	return json_pack("{s:o,s:o,s:[{s:s,s:s},{s:s,s:s},{s:s,s:s},{s:s,s:s}],s:o,s:o}", "likelihood", l,
			 "impact", im, "ratings", "rating", "low", "scores", "1-4", "rating", "medium",
			 "scores", "5-10", "rating", "high", "scores", "11-16", "rating", "critical", "scores",
			 "20-25", "rules", rules, "recommendation_rules", rec);
}

int mrm__doc_mra_data(struct mrm_ctx *ctx, const struct mrm__facts *f, json_t *out,
		      struct mrm_error *err)
{
	struct risk rs[NRISKS];
	json_t *list = json_array(), *controls, *gate = NULL, *accepted = json_array(), *inc = json_array(), *e;
	size_t i;
	int rc = MRM_OK;

	for (i = 0; i < NRISKS; i++)
		rs[i] = (struct risk){ &risks[i], 1, 1, true, json_array(), json_array(), json_array() };
	rate_exposure(ctx, f, rs);
	rate_events(ctx, f, rs);
	for (i = 0; i < NRISKS; i++) {
		int s;
		rate_impact(f, &rs[i]);
		s = rs[i].likelihood * rs[i].impact;
		if (json_array_size(rs[i].ldrivers) == 0)
			driver(rs[i].ldrivers, 1, "no finding, incident, alert or exposure factor raises it");
		json_array_append_new(list, json_pack("{s:s,s:s,s:b,s:i,s:s,s:i,s:s,s:i,s:s,s:o,s:o,s:o,s:s}", "id",
						      rs[i].def->id, "title", rs[i].def->title, "applicable",
						      rs[i].applicable, "likelihood", rs[i].likelihood,
						      "likelihood_label", likelihood_labels[rs[i].likelihood],
						      "impact", rs[i].impact, "impact_label",
						      impact_labels[rs[i].impact], "score", s, "rating",
						      rs[i].applicable ? rating_of(s) : "not-applicable",
						      "likelihood_drivers", rs[i].ldrivers, "impact_drivers",
						      rs[i].idrivers, "findings", rs[i].findings, "aggravator",
						      rs[i].def->aggravator));
		if (!rs[i].applicable)
			json_object_set_new(json_array_get(list, i), "not_applicable_reason",
					    json_string("no vendor is recorded for the model"));
	}
	if (!(controls = controls_json(ctx, f, &gate, err))) {
		rc = err && err->code ? err->code : MRM_ESTORE;
		json_decref(list);
		goto out;
	}
	json_array_foreach(f->acceptances, i, e)
		if (eq(mrm__str(e, "state"), "active"))
			json_array_append_new(accepted, json_pack("{s:O?,s:O?,s:O?,s:O?,s:O?,s:O?,s:O?,s:O?,s:O?,s:O?}",
								  "id", json_object_get(e, "id"), "findings",
								  json_object_get(e, "findings"), "accepted_by",
								  json_object_get(e, "accepted_by"), "authority_role",
								  json_object_get(e, "authority_role"), "created_at",
								  json_object_get(e, "created_at"), "expires",
								  json_object_get(e, "expires"), "days_to_expiry",
								  json_object_get(e, "days_to_expiry"), "rationale",
								  json_object_get(e, "rationale"), "controls",
								  json_object_get(e, "controls"), "triggers",
								  json_object_get(e, "triggers")));
	json_array_foreach(f->incidents, i, e)
		json_array_append_new(inc, json_pack("{s:O?,s:O?,s:O?,s:O?,s:O?,s:O?,s:O?}", "id", json_object_get(e, "id"),
						     "severity", json_object_get(e, "severity"), "title",
						     json_object_get(e, "title"), "status", json_object_get(e, "status"),
						     "started", json_object_get(e, "started"), "mitigated",
						     json_object_get(e, "mitigated"), "root_cause",
						     json_object_get(e, "root_cause")));
	json_object_set_new(out, "model", mrm__doc_model_json(f));
	json_object_set_new(out, "tier", mrm__doc_tier_json(f));
	json_object_set_new(out, "policy", json_pack("{s:s,s:s,s:s}", "name", f->policy->name, "source",
						     f->policy->source, "sha256", f->policy->sha256));
	json_object_set_new(out, "rubric", rubric_json());
	json_object_set_new(out, "risks", list);
	json_object_set_new(out, "controls", controls);
	json_object_set_new(out, "gate", gate ? json_pack("{s:b,s:O?}", "available", 1, "passed",
							  json_object_get(gate, "passed"))
					      : json_pack("{s:b,s:s}", "available", 0, "reason",
							  mrm__hook_gate_missing));
	json_object_set_new(out, "validation", mrm__doc_run_summary(f));
	json_object_set_new(out, "open_findings", mrm__doc_open_findings(f));
	json_object_set_new(out, "accepted_risk", accepted);
	accepted = NULL;
	json_object_set_new(out, "incidents", inc);
	inc = NULL;
	json_object_set_new(out, "recommendation", recommend(ctx, f, rs));
out:
	json_decref(accepted);
	json_decref(inc);
	json_decref(gate);
	return rc;
}
