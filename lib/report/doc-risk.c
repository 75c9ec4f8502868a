/* The model risk assessment page: recommendation, risk matrix, risks with their drivers, controls and evidence, findings, accepted risk, rubric. */
#include <stdio.h>
#include <string.h>

#include "report/doc.h"

#define S(o, k) mrm__json_str((o), (k))

static const char *decision_word(const char *d)
{
	if (d && !strcmp(d, "approve"))
		return "APPROVE";
	if (d && !strcmp(d, "approve-with-conditions"))
		return "APPROVE WITH CONDITIONS";
	if (d && !strcmp(d, "do-not-approve"))
		return "DO NOT APPROVE";
	return "NO RECOMMENDATION";
}

static const char *decision_cls(const char *d)
{
	if (d && !strcmp(d, "approve"))
		return "ok";
	if (d && !strcmp(d, "approve-with-conditions"))
		return "warn";
	return "bad";
}

static void recommendation(struct mrm__doc *d, json_t *r)
{
	json_t *v;
	size_t i;
	char text[600];

	mrm__doc_h2(d, "recommendation", "Recommendation");
	snprintf(text, sizeof(text), "Rule %s: %s.", S(r, "rule") ? S(r, "rule") : "?",
		 S(r, "rule_text") ? S(r, "rule_text") : "?");
	mrm__doc_callout(d, decision_cls(S(r, "decision")), decision_word(S(r, "decision")), text);
	if (json_array_size(json_object_get(r, "reasons"))) {
		mrm__doc_p(d, "Why (every rule that applies, in order of precedence):");
		mrm__doc_ul(d);
		json_array_foreach(json_object_get(r, "reasons"), i, v)
			mrm__doc_lif(d, "%s: %s", S(v, "rule") ? S(v, "rule") : "?", S(v, "reason") ? S(v, "reason") : "");
		mrm__doc_ul_end(d);
	}
	if (json_array_size(json_object_get(r, "conditions"))) {
		mrm__doc_p(d, "Conditions:");
		mrm__doc_ul(d);
		json_array_foreach(json_object_get(r, "conditions"), i, v)
			mrm__doc_li(d, json_string_value(v));
		mrm__doc_ul_end(d);
	}
}

static void model(struct mrm__doc *d, json_t *m, json_t *t, json_t *pol)
{
	char buf[32];

	mrm__doc_h2(d, "model", "Model");
	mrm__doc_kv_begin(d);
	mrm__doc_kvf(d, "Model", "%s (%s)", S(m, "name") ? S(m, "name") : "?", S(m, "id") ? S(m, "id") : "?");
	mrm__doc_kv(d, "Owner", S(m, "owner"));
	mrm__doc_kv(d, "Purpose", S(m, "purpose"));
	mrm__doc_kv(d, "Intended use", S(m, "intended_use"));
	mrm__doc_kv(d, "Population affected", S(m, "population"));
	mrm__doc_kv(d, "Lifecycle status", S(m, "status"));
	mrm__doc_kv(d, "Current version", S(m, "current_version"));
	if (mrm__doc_text(t, "tier", buf, sizeof(buf))) {
		mrm__doc_kvf(d, "Tier", "%s (set by %s)", buf, S(t, "source") ? S(t, "source") : "?");
		mrm__doc_kv(d, "Tier rationale", S(t, "rationale"));
	} else
		mrm__doc_kv_missing(d, "Tier", "not tiered: impact is rated as for tier 1");
	mrm__doc_kvf(d, "Policy", "%s (%s)", S(pol, "name") ? S(pol, "name") : "?",
		     S(pol, "source") ? S(pol, "source") : "?");
	mrm__doc_kv_end(d);
}

static const char *rating_cls(const char *r)
{
	static const char *const known[] = { "low", "medium", "high", "critical", NULL };

	for (int i = 0; r && known[i]; i++)
		if (!strcmp(r, known[i]))
			return known[i];
	return "na";
}

/* The 5 x 5 matrix: impact down the side (5 at the top), likelihood across, risk ids in the cells. */
static void matrix(struct mrm__doc *d, json_t *risks)
{
	static const char *const head[] = { "Impact / likelihood", "1 rare", "2 unlikely", "3 possible",
					    "4 likely", "5 almost certain" };
	static const char *const imp[] = { "", "1 negligible", "2 minor", "3 moderate", "4 major", "5 severe" };
	json_t *r;
	size_t k;

	mrm__doc_h2(d, "matrix", "Risk matrix");
	mrm__doc_table(d, head, 6);
	for (int i = 5; i >= 1; i--) {
		mrm__doc_row(d);
		mrm__doc_cell(d, imp[i]);
		for (int l = 1; l <= 5; l++) {
			char cell[600] = "", cls[32];
			size_t used = 0;
			int s = i * l;
			json_array_foreach(risks, k, r) {
				double L = 0, I = 0;
				int n;
				if (!json_is_true(json_object_get(r, "applicable")) ||
				    !mrm__json_num(r, "likelihood", &L) || !mrm__json_num(r, "impact", &I) ||
				    (int)L != l || (int)I != i)
					continue;
				n = snprintf(cell + used, sizeof(cell) - used, "%s%s", used ? ", " : "",
					     S(r, "id") ? S(r, "id") : "?");
				if (n > 0 && (size_t)n < sizeof(cell) - used)
					used += (size_t)n;
			}
			snprintf(cls, sizeof(cls), "heat-%s", s <= 4 ? "low" : s <= 10 ? "medium" : s <= 16 ? "high"
											: "critical");
			mrm__doc_cell_cls(d, cls, cell);
		}
	}
	mrm__doc_table_end(d);
	mrm__doc_note(d, "Each risk sits in the cell of its likelihood and impact; the cell's colour is the "
			 "rating of its score (likelihood x impact).");
}

static void risk_table(struct mrm__doc *d, json_t *risks)
{
	static const char *const head[] = { "Risk", "#Likelihood", "#Impact", "#Score", "Rating", "Findings" };
	json_t *r;
	size_t i;
	char a[MRM__NUM], b[MRM__NUM], c[MRM__NUM], buf[600];

	mrm__doc_h2(d, "risks", "Risks by category");
	mrm__doc_table(d, head, 6);
	json_array_foreach(risks, i, r) {
		const char *rating = S(r, "rating");
		if (!mrm__doc_row(d))
			continue;
		mrm__doc_cell(d, S(r, "title"));
		if (!json_is_true(json_object_get(r, "applicable"))) {
			mrm__doc_cell(d, NULL);
			mrm__doc_cell(d, NULL);
			mrm__doc_cell(d, NULL);
			mrm__doc_cell_status(d, "na", "not applicable");
			mrm__doc_cell(d, S(r, "not_applicable_reason"));
			continue;
		}
		mrm__doc_cellf(d, "%s %s", mrm__doc_num(json_object_get(r, "likelihood"), a) ? a : "?",
			       S(r, "likelihood_label") ? S(r, "likelihood_label") : "");
		mrm__doc_cellf(d, "%s %s", mrm__doc_num(json_object_get(r, "impact"), b) ? b : "?",
			       S(r, "impact_label") ? S(r, "impact_label") : "");
		mrm__doc_cell(d, mrm__doc_num(json_object_get(r, "score"), c));
		mrm__doc_cell_status(d, rating_cls(rating), rating ? rating : "?");
		mrm__doc_cell(d, mrm__doc_join(json_object_get(r, "findings"), buf, sizeof(buf)));
	}
	mrm__doc_table_end(d);
	json_array_foreach(risks, i, r) {
		json_t *v;
		size_t k;
		if (!json_is_true(json_object_get(r, "applicable")))
			continue;
		mrm__doc_h3(d, S(r, "title") ? S(r, "title") : "?");
		mrm__doc_pf(d, "Likelihood %s (%s), the highest of:", mrm__doc_num(json_object_get(r, "likelihood"), a) ? a : "?",
			    S(r, "likelihood_label") ? S(r, "likelihood_label") : "?");
		mrm__doc_ul(d);
		json_array_foreach(json_object_get(r, "likelihood_drivers"), k, v)
			mrm__doc_lif(d, "%s: %s", mrm__doc_num(json_object_get(v, "level"), b) ? b : "?",
				     S(v, "reason") ? S(v, "reason") : "");
		mrm__doc_ul_end(d);
		mrm__doc_pf(d, "Impact %s (%s):", mrm__doc_num(json_object_get(r, "impact"), a) ? a : "?",
			    S(r, "impact_label") ? S(r, "impact_label") : "?");
		mrm__doc_ul(d);
		json_array_foreach(json_object_get(r, "impact_drivers"), k, v)
			mrm__doc_lif(d, "%s: %s", mrm__doc_num(json_object_get(v, "level"), b) ? b : "?",
				     S(v, "reason") ? S(v, "reason") : "");
		mrm__doc_ul_end(d);
	}
}

static const char *status_cls(const char *s)
{
	if (!s)
		return "na";
	if (!strcmp(s, "pass"))
		return "pass";
	if (!strcmp(s, "fail"))
		return "fail";
	if (!strcmp(s, "waived"))
		return "warn";
	return "na";
}

static void controls(struct mrm__doc *d, json_t *cs, json_t *gate)
{
	static const char *const head[] = { "Control", "Title", "Status", "On file", "Evidence" };
	json_t *c;
	size_t i;
	char buf[1024];

	mrm__doc_h2(d, "controls", "Controls and their evidence");
	if (json_is_true(json_object_get(gate, "available")))
		mrm__doc_pf(d, "The controls the policy requires at the model's tier, with the gate's result "
			       "(gate %s) and the facts on file.",
			    json_is_true(json_object_get(gate, "passed")) ? "passed" : "failed");
	else
		mrm__doc_pf(d, "The controls the policy requires at the model's tier and the facts on file. Not "
			       "evaluated: %s.", S(gate, "reason") ? S(gate, "reason") : "no gate result");
	mrm__doc_table(d, head, 5);
	json_array_foreach(cs, i, c) {
		const char *st = S(c, "status");
		if (!mrm__doc_row(d))
			continue;
		mrm__doc_cell(d, S(c, "id"));
		mrm__doc_cell(d, S(c, "title"));
		mrm__doc_cell_status(d, status_cls(st), st ? st : "?");
		if (!json_is_true(json_object_get(c, "applies")))
			mrm__doc_cell(d, S(c, "not_applicable_reason"));
		else if (S(c, "status_reason") && json_is_true(json_object_get(gate, "available")))
			mrm__doc_cellf(d, "%s. %s", S(c, "status_reason"), S(c, "facts") ? S(c, "facts") : "");
		else
			mrm__doc_cell(d, S(c, "facts"));
		mrm__doc_cell(d, mrm__doc_join(json_object_get(c, "evidence"), buf, sizeof(buf)));
	}
	mrm__doc_table_end(d);
}

static void accepted(struct mrm__doc *d, json_t *acc)
{
	static const char *const head[] = { "Acceptance", "Findings", "Accepted by", "Until", "Rationale",
					    "Compensating controls", "Re-review triggers" };
	json_t *a;
	size_t i;
	char f[512], t[1024];

	mrm__doc_h2(d, "accepted", "Accepted residual risk");
	if (!json_array_size(acc)) {
		mrm__doc_p(d, "No risk acceptance is in force.");
		return;
	}
	mrm__doc_table(d, head, 7);
	json_array_foreach(acc, i, a) {
		if (!mrm__doc_row(d))
			continue;
		mrm__doc_cell(d, S(a, "id"));
		mrm__doc_cell(d, mrm__doc_join(json_object_get(a, "findings"), f, sizeof(f)));
		mrm__doc_cellf(d, "%s (%s) on %.10s", S(a, "accepted_by") ? S(a, "accepted_by") : "?",
			       S(a, "authority_role") ? S(a, "authority_role") : "?",
			       S(a, "created_at") ? S(a, "created_at") : "?");
		mrm__doc_cell(d, S(a, "expires"));
		mrm__doc_cell(d, S(a, "rationale"));
		mrm__doc_cell(d, S(a, "controls"));
		mrm__doc_cell(d, mrm__doc_join(json_object_get(a, "triggers"), t, sizeof(t)));
	}
	mrm__doc_table_end(d);
}

static void incidents(struct mrm__doc *d, json_t *inc)
{
	static const char *const head[] = { "Incident", "Severity", "Status", "Started", "Root cause", "Title" };
	json_t *e;
	size_t i;

	mrm__doc_h2(d, "incidents", "Incidents");
	if (!json_array_size(inc)) {
		mrm__doc_p(d, "No incident is recorded.");
		return;
	}
	mrm__doc_table(d, head, 6);
	json_array_foreach(inc, i, e) {
		if (!mrm__doc_row(d))
			continue;
		mrm__doc_cell(d, S(e, "id"));
		mrm__doc_cell(d, S(e, "severity"));
		mrm__doc_cell(d, S(e, "status"));
		mrm__doc_cell(d, S(e, "started"));
		mrm__doc_cell(d, S(e, "root_cause"));
		mrm__doc_cell(d, S(e, "title"));
	}
	mrm__doc_table_end(d);
}

static void rubric(struct mrm__doc *d, json_t *r)
{
	static const char *const head[] = { "Rule", "Recommendation", "When" };
	json_t *v;
	size_t i;

	mrm__doc_h2(d, "rubric", "How the ratings and the recommendation are derived");
	mrm__doc_ul(d);
	json_array_foreach(json_object_get(r, "rules"), i, v)
		mrm__doc_li(d, json_string_value(v));
	mrm__doc_ul_end(d);
	mrm__doc_p(d, "The first rule that applies, in this order, gives the recommendation:");
	mrm__doc_table(d, head, 3);
	json_array_foreach(json_object_get(r, "recommendation_rules"), i, v) {
		if (!mrm__doc_row(d))
			continue;
		mrm__doc_cell(d, S(v, "id"));
		mrm__doc_cell(d, S(v, "decision"));
		mrm__doc_cell(d, S(v, "rule"));
	}
	mrm__doc_table_end(d);
}

void mrm__doc_mra(struct mrm__doc *d, json_t *data)
{
	json_t *m = json_object_get(data, "model"), *t = json_object_get(data, "tier");
	json_t *rec = json_object_get(data, "recommendation");
	char title[512], sub[512], tb[16];

	snprintf(title, sizeof(title), "Model risk assessment: %s", S(m, "name") ? S(m, "name") : "?");
	snprintf(sub, sizeof(sub), "%s \xc2\xb7 tier %s \xc2\xb7 recommendation: %s", S(m, "id") ? S(m, "id") : "?",
		 mrm__doc_text(t, "tier", tb, sizeof(tb)) ? tb : "not assessed",
		 decision_word(S(rec, "decision")));
	mrm__doc_begin(d, title, sub);
	recommendation(d, rec);
	model(d, m, t, json_object_get(data, "policy"));
	matrix(d, json_object_get(data, "risks"));
	risk_table(d, json_object_get(data, "risks"));
	controls(d, json_object_get(data, "controls"), json_object_get(data, "gate"));
	mrm__doc_run_section(d, json_object_get(data, "validation"), "Latest validation");
	mrm__doc_h2(d, "findings", "Open findings");
	if (json_array_size(json_object_get(data, "open_findings")))
		mrm__doc_findings_table(d, json_object_get(data, "open_findings"));
	else
		mrm__doc_p(d, "No finding is open.");
	accepted(d, json_object_get(data, "accepted_risk"));
	incidents(d, json_object_get(data, "incidents"));
	rubric(d, json_object_get(data, "rubric"));
	mrm__doc_end(d, S(data, "generated_at"));
}
