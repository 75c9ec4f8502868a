/*
 * Unit tests for the governance KPIs: a store built along a dated timeline (the effective
 * time stepping from 2025-09 to 2026-12) through the library's own operations, then every
 * KPI checked against a hand computation, as of the last day and as of past days (the
 * state then, replayed from the audit trail), the empty-population cases, and the dates
 * of a trend.
 */
#include <math.h>
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

#include "mrm/acceptance.h"
#include "mrm/evidence.h"
#include "mrm/finding.h"
#include "mrm/incident.h"
#include "mrm/kpi.h"
#include "mrm/monitor.h"
#include "mrm/review.h"

/* Runs `call`, which may use `in_` (the fields), and frees the fields. */
#define WITH(f, fields, call)                   \
	do {                                    \
		json_t *in_ = (fields);         \
		OK(f, call);                    \
		json_decref(in_);               \
	} while (0)

/* The inventory fields the scenario requires beyond owner, purpose, intended use and tier. */
static const char *const tier1_fields[] = { "team", "population", "data_sources", "deployment", NULL };
static const char *const tier2_fields[] = { "population", NULL };

struct kfx {
	struct fx *f;
	char ref[160], cur[160], report[160];
};

static void write_data(const char *path, double shift, bool flip)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "x,y\n");
	for (int i = 0; i < 60; i++) {
		double score = i % 2 ? 0.6 + (i % 7) * 0.05 : 0.1 + (i % 5) * 0.1;
		fprintf(fp, "%g,%g\n", i + shift, flip ? 1 - score : score);
	}
	fclose(fp);
}

static int ksetup(void **state)
{
	struct kfx *k = calloc(1, sizeof(*k));
	FILE *fp;

	if (!k || !(k->f = fx_new("kpi")))
		return -1;
	snprintf(k->ref, sizeof(k->ref), "%s/ref.csv", k->f->dir);
	snprintf(k->cur, sizeof(k->cur), "%s/cur.csv", k->f->dir);
	snprintf(k->report, sizeof(k->report), "%s/report.html", k->f->dir);
	write_data(k->ref, 0, false);
	write_data(k->cur, 40, true);
	if (!(fp = fopen(k->report, "w")))
		return -1;
	fputs("<p>validation report</p>\n", fp);
	fclose(fp);
	*state = k;
	return 0;
}

static int kteardown(void **state)
{
	struct kfx *k = *state;
	unlink(k->ref);
	unlink(k->cur);
	unlink(k->report);
	fx_free(k->f);
	free(k);
	return 0;
}

/* ---- reading the KPI document ------------------------------------------------------------- */

static json_t *kpis_at(struct fx *f, const char *as_of)
{
	struct mrm_kpi_options o = { .as_of = as_of,
				     .inventory_fields = { tier1_fields, tier2_fields, NULL } };
	json_t *doc = NULL;
	OK(f, mrm_kpi_compute(f->ctx, &o, &doc, &f->err));
	return doc;
}

static json_t *K(json_t *doc, const char *id)
{
	json_t *k = json_object_get(json_object_get(doc, "kpis"), id);
	if (!k)
		fail_msg("no KPI %s", id);
	return k;
}

static double num_at(json_t *obj, const char *what)
{
	if (!json_is_number(obj))
		fail_msg("%s is not a number", what);
	return json_number_value(obj);
}

/* The KPI's value, which must be a number. */
static double V(json_t *doc, const char *id)
{
	return num_at(json_object_get(K(doc, id), "value"), id);
}

/* A number in the KPI's details: key, or key.sub. */
static double D(json_t *doc, const char *id, const char *key, const char *sub)
{
	json_t *v = json_object_get(K(doc, id), key);
	if (sub)
		v = json_object_get(v, sub);
	return num_at(v, key);
}

static int64_t N(json_t *doc, const char *id)
{
	return json_integer_value(json_object_get(K(doc, id), "population"));
}

static const char *S(json_t *doc, const char *id, const char *key)
{
	return json_string_value(json_object_get(K(doc, id), key));
}

#define EQ(doc, id, want) assert_float_equal(V(doc, id), (want), 1e-9)

/* ---- the timeline ---------------------------------------------------------------------- */

static void model(struct fx *f, json_t *fields)
{
	WITH(f, fields, mrm_model_add(f->ctx, in_, NULL, &f->err));
}

static void update(struct fx *f, const char *id, json_t *fields)
{
	WITH(f, fields, mrm_model_update(f->ctx, id, in_, NULL, &f->err));
}

static void finding(struct fx *f, const char *model_id, const char *sev, const char *cat, const char *title)
{
	WITH(f, json_pack("{ss ss ss}", "severity", sev, "category", cat, "title", title),
	     mrm_finding_add(f->ctx, model_id, in_, NULL, &f->err));
}

static void review_open(struct fx *f, const char *model_id, int intake)
{
	json_t *in = json_object();
	if (intake >= 0)
		json_object_set_new(in, "intake_complete", json_boolean(intake));
	WITH(f, in, mrm_review_open(f->ctx, model_id, in_, NULL, &f->err));
}

static void decide(struct fx *f, const char *rid, const char *decision)
{
	json_t *in = json_pack("{ss ss}", "decision", decision, "note", "decision record");
	if (!strcmp(decision, "conditional"))
		json_object_set_new(in, "conditions", json_pack("[s]", "Monthly PSI report"));
	WITH(f, in, mrm_review_decide(f->ctx, rid, in_, NULL, &f->err));
}

static void incident_open(struct fx *f, const char *model_id, const char *sev, const char *started,
			  const char *detected)
{
	WITH(f, json_pack("{ss ss ss ss}", "severity", sev, "title", "incident", "started", started, "detected", detected),
	     mrm_incident_open(f->ctx, model_id, in_, NULL, &f->err));
}

static void incident_set(struct fx *f, const char *id, const char *key, const char *value)
{
	WITH(f, json_pack("{ss}", key, value), mrm_incident_update(f->ctx, id, in_, NULL, &f->err));
}

/* The finding's owner (bob) asks for verification; vera verifies with E-1 and closes it. */
static void close_finding(struct fx *f, const char *id)
{
	char now[MRM_TIME_LEN];

	snprintf(now, sizeof(now), "%s", mrm_ctx_now_iso(f->ctx));
	as_at(f, "bob", now);
	WITH(f, json_pack("{ss}", "status", "awaiting-verification"),
	     mrm_finding_update(f->ctx, id, in_, NULL, &f->err));
	as_at(f, "vera", now);
	WITH(f, json_pack("{ss}", "evidence_id", "E-1"), mrm_finding_close(f->ctx, id, in_, NULL, &f->err));
}

static void monitor(struct kfx *k, const char *signal, const char *warn, const char *alert)
{
	WITH(k->f, json_pack("{ss ss ss ss sb}", "signal", signal, "warn", warn, "alert", alert, "reference", k->ref,
			     "no_finding", 1),
	     mrm_monitor_add(k->f->ctx, "pd", in_, NULL, &k->f->err));
}

static void monitor_run(struct kfx *k)
{
	struct mrm_monitor_run_options o = { .model_id = "pd", .data = k->cur };
	json_t *out = NULL;

	mrm_error_clear(&k->f->err);
	if (mrm_monitor_run(k->f->ctx, &o, &out, &k->f->err) != MRM_ECHECK)
		fail_msg("monitor run: %s", k->f->err.msg);
	/* both monitors alert: two new alerts */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(out, "summary"), "alerts_raised")), 2);
	json_decref(out);
}

/*
 * Builds the scenario. Four models: churn (tier 3, in production from 2025-12-01), pd (tier 1,
 * production from 2026-02-01), fraud (tier 1, production 2026-03-01 to its retirement on
 * 2026-10-01, its inventory lacking a deployment) and chat (untiered, production from
 * 2026-12-10, most fields missing). Ids follow the order of creation: F-1..F-8, R-1..R-6,
 * I-1..I-4, A-1..A-5, M-1 and M-2, AL-1..AL-4, E-1.
 */
static void scenario(struct kfx *k)
{
	struct fx *f = k->f;

	/* 2025: churn registered, a finding, its first review, production, an incident */
	as_at(f, "alice", "2025-09-01T08:00:00Z");
	add_user(f, "alice", "admin,validator");
	add_user(f, "vera", "validator");
	add_user(f, "ann", "approver");
	add_user(f, "bob", "owner");
	add_user(f, "olga", "owner");
	model(f, json_pack("{ss ss ss ss ss}", "id", "churn", "name", "Churn", "owner", "olga", "purpose",
			   "Retention offers", "intended_use", "Rank customers for retention calls"));
	set_tier(f, "churn", 3);
	as_at(f, "vera", "2025-10-01T09:00:00Z");
	finding(f, "churn", "medium", "documentation", "Stale data sheet"); /* F-1 */
	as_at(f, "vera", "2025-11-01T09:00:00Z");
	review_open(f, "churn", -1); /* R-1, intake not assessed */
	as_at(f, "olga", "2025-12-01T00:00:00Z");
	update(f, "churn", json_pack("{ss}", "status", "production"));
	as_at(f, "vera", "2025-12-01T09:00:00Z");
	decide(f, "R-1", "approve"); /* 30 days; churn due 2028-12-01 */
	as_at(f, "olga", "2025-12-15T12:30:00Z");
	incident_open(f, "churn", "sev3", "2025-12-15T00:00:00Z", "2025-12-15T10:00:00Z"); /* I-1 */
	incident_set(f, "I-1", "mitigated", "2025-12-15T12:00:00Z");

	/* 2026 */
	as_at(f, "bob", "2026-01-05T09:00:00Z");
	model(f, json_pack("{ss ss ss ss ss ss ss s[s] ss}", "id", "pd", "name", "PD", "owner", "bob", "purpose",
			   "Probability of default", "intended_use", "Credit decisions", "team", "Credit risk",
			   "population", "Retail applicants", "data_sources", "bureau", "deployment", "batch"));
	model(f, json_pack("{ss ss ss ss ss ss ss s[s]}", "id", "fraud", "name", "Fraud", "owner", "bob", "purpose",
			   "Card fraud", "intended_use", "Block transactions", "team", "Fraud", "population",
			   "Card holders", "data_sources", "transactions"));
	as_at(f, "olga", "2026-01-05T09:00:00Z");
	model(f, json_pack("{ss ss ss ss}", "id", "chat", "name", "Chat", "owner", "olga", "purpose", "Answers"));
	as_at(f, "alice", "2026-01-05T09:00:00Z");
	set_tier(f, "pd", 1);
	set_tier(f, "fraud", 1);
	as_at(f, "vera", "2026-01-10T09:00:00Z");
	review_open(f, "pd", 1); /* */
	as_at(f, "vera", "2026-01-20T09:00:00Z");
	review_open(f, "fraud", 0); /* */
	as_at(f, "bob", "2026-02-01T00:00:00Z");
	update(f, "pd", json_pack("{ss}", "status", "production"));
	as_at(f, "vera", "2026-02-10T09:00:00Z");
	finding(f, "pd", "high", "performance", "AUC below target"); /* F-2 */
	as_at(f, "ann", "2026-02-19T09:00:00Z");
	decide(f, "R-2", "approve"); /* 40 days; pd due 2027-02-19 */
	as_at(f, "bob", "2026-03-01T00:00:00Z");
	update(f, "fraud", json_pack("{ss}", "status", "production"));
	as_at(f, "vera", "2026-03-01T09:00:00Z");
	finding(f, "pd", "high", "fairness", "Thin-file applicants scored worse"); /* F-3, due 2026-05-30 */
	as_at(f, "bob", "2026-03-05T09:00:00Z");
	monitor(k, "drift:x", "0.05", "0.01");     /* M-1 */
	monitor(k, "drift:x:psi", "0.1", "0.2");   /* M-2 */
	as_at(f, "vera", "2026-03-11T09:00:00Z");
	decide(f, "R-3", "reject"); /* 50 days */
	as_at(f, "vera", "2026-03-20T09:00:00Z");
	review_open(f, "fraud", 1); /* */
	as_at(f, "bob", "2026-04-01T09:00:00Z");
	incident_open(f, "pd", "sev2", "2026-04-01T00:00:00Z", "2026-04-01T06:00:00Z"); /* I-2 */
	as_at(f, "bob", "2026-04-02T09:00:00Z");
	incident_set(f, "I-2", "mitigated", "2026-04-02T06:00:00Z");
	as_at(f, "ann", "2026-04-09T09:00:00Z");
	decide(f, "R-4", "conditional"); /* 20 days; fraud due 2027-04-09 */
	as_at(f, "vera", "2026-04-15T09:00:00Z");
	finding(f, "churn", "high", "robustness", "Unstable on the new segment"); /* F-4, due 2026-07-14 */
	as_at(f, "ann", "2026-04-20T09:00:00Z");
	WITH(f, json_pack("{s[s] ss ss s[s] ss}", "findings", "F-4", "rationale", "Segment is small", "expires",
			  "2026-07-01", "triggers", "new model version", "controls", "Manual review of the segment"),
	     mrm_accept(f->ctx, "churn", in_, NULL, &f->err)); /* complete */
	as_at(f, "vera", "2026-05-01T09:00:00Z");
	finding(f, "pd", "medium", "documentation", "Monitoring plan missing"); /* F-5 */
	as_at(f, "ann", "2026-05-05T09:00:00Z");
	WITH(f, json_pack("{s[s] ss ss}", "findings", "F-5", "rationale", "Plan in progress", "expires", "2026-11-01"),
	     mrm_accept(f->ctx, "pd", in_, NULL, &f->err)); /* no triggers, no controls */
	as_at(f, "bob", "2026-05-11T13:00:00Z");
	incident_open(f, "fraud", "sev3", "2026-05-10T00:00:00Z", "2026-05-11T12:00:00Z"); /* I-3 */
	as_at(f, "bob", "2026-05-11T21:00:00Z");
	incident_set(f, "I-3", "mitigated", "2026-05-11T20:00:00Z");
	as_at(f, "bob", "2026-05-12T09:00:00Z");
	incident_set(f, "I-3", "severity", "sev1");
	as_at(f, "vera", "2026-06-01T09:00:00Z");
	finding(f, "fraud", "high", "performance", "Label leakage"); /* F-6, due 2026-08-30 */
	as_at(f, "olga", "2026-06-01T09:00:00Z");
	update(f, "churn", json_pack("{ss}", "next_review_due", "2026-09-01"));
	as_at(f, "bob", "2026-06-10T09:00:00Z");
	monitor_run(k); /* AL-1 (M-1), AL-2 (M-2) */
	as_at(f, "vera", "2026-06-15T09:00:00Z");
	OK(f, mrm_evidence_add(f->ctx, "pd", "validation-report", k->report, NULL, NULL, &f->err)); /* E-1 */
	close_finding(f, "F-2");
	as_at(f, "alice", "2026-06-20T09:00:00Z");
	OK(f, mrm_alert_resolve(f->ctx, "AL-1", "false-positive", NULL, NULL, &f->err));
	as_at(f, "alice", "2026-07-01T09:00:00Z");
	WITH(f, json_pack("{ss}", "severity", "critical"), mrm_finding_update(f->ctx, "F-3", in_, NULL, &f->err));
	as_at(f, "alice", "2026-07-10T09:00:00Z");
	OK(f, mrm_alert_resolve(f->ctx, "AL-2", "actioned", NULL, NULL, &f->err));
	as_at(f, "ann", "2026-07-15T09:00:00Z");
	WITH(f, json_pack("{s[s] ss ss s[s] ss}", "findings", "F-6", "rationale", "Retraining under way", "expires",
			  "2026-09-01", "triggers", "new model version", "controls", "Second-line sampling"),
	     mrm_accept(f->ctx, "fraud", in_, NULL, &f->err)); /* complete, on fraud */
	as_at(f, "vera", "2026-08-01T09:00:00Z");
	finding(f, "churn", "low", "documentation", "Typos in the model card"); /* F-7 */
	as_at(f, "ann", "2026-08-01T09:00:00Z");
	WITH(f, json_pack("{s[s] ss ss s[s] ss}", "findings", "F-3", "rationale", "Overlay in place", "expires",
			  "2027-01-15", "triggers", "complaint", "controls", "Manual overlay"),
	     mrm_accept(f->ctx, "pd", in_, NULL, &f->err)); /* */
	as_at(f, "ann", "2026-09-01T09:00:00Z");
	OK(f, mrm_acceptance_revoke(f->ctx, "A-4", "Overlay failed", NULL, &f->err));
	as_at(f, "vera", "2026-09-15T09:00:00Z");
	close_finding(f, "F-5");
	as_at(f, "bob", "2026-10-01T00:00:00Z");
	update(f, "fraud", json_pack("{ss}", "status", "retired"));
	as_at(f, "olga", "2026-11-01T02:00:00Z");
	incident_open(f, "churn", "sev4", "2026-11-01T00:00:00Z", "2026-11-01T01:00:00Z"); /* I-4 */
	as_at(f, "bob", "2026-11-15T09:00:00Z");
	WITH(f, json_pack("{sb}", "material", 1), mrm_version_add(f->ctx, "pd", "2.0", in_, NULL, &f->err)); /* */
	as_at(f, "bob", "2026-11-20T09:00:00Z");
	monitor_run(k); /* AL-3, AL-4 */
	as_at(f, "alice", "2026-11-25T09:00:00Z");
	OK(f, mrm_alert_resolve(f->ctx, "AL-3", "false-positive", NULL, NULL, &f->err));
	as_at(f, "vera", "2026-12-01T09:00:00Z");
	WITH(f, json_pack("{ss ss ss ss}", "severity", "high", "category", "performance", "title", "AUC below target again",
			  "repeat_of", "F-2"),
	     mrm_finding_add(f->ctx, "pd", in_, NULL, &f->err)); /* F-8, a repeat */
	review_open(f, "chat", 0); /* */
	as_at(f, "ann", "2026-12-05T09:00:00Z");
	WITH(f, json_pack("{s[s] ss ss s[s]}", "findings", "F-7", "rationale", "Cosmetic", "expires", "2027-06-01",
			  "triggers", "drift alert"),
	     mrm_accept(f->ctx, "churn", in_, NULL, &f->err)); /* no controls */
	as_at(f, "olga", "2026-12-10T00:00:00Z");
	update(f, "chat", json_pack("{ss}", "status", "production"));
	as_at(f, "alice", "2026-12-31T12:00:00Z");
	verify_chain(f);
}

/* ---- the checks --------------------------------------------------------------------------- */

static void as_of_year_end(void **state)
{
	struct kfx *k = *state;
	struct fx *f = k->f;
	json_t *doc, *x;

	scenario(k);
	doc = kpis_at(f, NULL); /* today: 2026-12-31; window 2026-01-01 .. 2026-12-31 */
	assert_string_equal(json_string_value(json_object_get(doc, "as_of")), "2026-12-31");
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "window"), "from")), "2026-01-01");
	for (size_t i = 0; mrm_kpi_ids[i]; i++)
		assert_string_equal(json_object_iter_key(json_object_iter_at(json_object_get(doc, "kpis"), mrm_kpi_ids[i])),
				    mrm_kpi_ids[i]);
	assert_int_equal(json_object_size(json_object_get(doc, "kpis")), 15);

	/* inventory: production churn (tier 3: owner, purpose, intended use, tier: complete),
	 * pd (tier 1, every field) and chat (untiered, so tier 1's list, and no tier): 2/3 */
	EQ(doc, "inventory_coverage", 2.0 / 3);
	assert_int_equal(N(doc, "inventory_coverage"), 3);
	assert_string_equal(S(doc, "inventory_coverage", "status"), "not met");
	assert_string_equal(S(doc, "inventory_coverage", "target"), ">= 1");
	x = json_object_get(json_object_get(K(doc, "inventory_coverage"), "by_tier"), "1");
	assert_float_equal(num_at(json_object_get(x, "value"), "tier 1"), 1, 0);
	x = json_object_get(json_object_get(K(doc, "inventory_coverage"), "by_tier"), "untiered");
	assert_float_equal(num_at(json_object_get(x, "value"), "untiered"), 0, 0);
	x = json_array_get(json_object_get(K(doc, "inventory_coverage"), "incomplete"), 0);
	assert_string_equal(json_string_value(json_object_get(x, "model")), "chat");
	{
		static const char *const missing[] = { "intended_use", "tier", "team", "population", "data_sources",
						       "deployment" };
		x = json_object_get(x, "missing");
		assert_int_equal(json_array_size(x), 6);
		for (size_t i = 0; i < 6; i++)
			assert_string_equal(json_string_value(json_array_get(x, i)), missing[i]);
	}

	/* tier 1 review completion: pd alone (fraud retired); approved 2026-02-19 but the material
	 * version of 2026-11-15 made it due that day: 0/1 */
	EQ(doc, "tier1_review_completion", 0);
	assert_int_equal(N(doc, "tier1_review_completion"), 1);
	x = json_array_get(json_object_get(K(doc, "tier1_review_completion"), "not_complete"), 0);
	assert_string_equal(json_string_value(json_object_get(x, "reason")), "review overdue since 2026-11-15");

	/* cycle time, reviews decided in 2026: R-2 40 d, R-3 50 d, R-4 20 d (all tier 1): median 40 */
	EQ(doc, "review_cycle_time_median_days", 40);
	assert_int_equal(N(doc, "review_cycle_time_median_days"), 3);
	assert_float_equal(D(doc, "review_cycle_time_median_days", "days", "max"), 50, 0);
	x = json_object_get(json_object_get(K(doc, "review_cycle_time_median_days"), "by_tier"), "1");
	assert_float_equal(num_at(json_object_get(x, "median"), "tier 1 median"), 40, 0);
	assert_float_equal(num_at(json_object_get(x, "mean"), "tier 1 mean"), 110.0 / 3, 1e-9);
	x = json_object_get(json_object_get(K(doc, "review_cycle_time_median_days"), "by_tier"), "3");
	assert_true(json_is_null(json_object_get(x, "median")));

	/* intake, reviews opened in 2026: R-2 yes, R-3 no, R-4 yes, R-6 no; R-5 (material
	 * version) not assessed: 2/4 */
	EQ(doc, "intake_first_pass_rate", 0.5);
	assert_int_equal(N(doc, "intake_first_pass_rate"), 4);
	assert_float_equal(D(doc, "intake_first_pass_rate", "not_assessed", NULL), 1, 0);

	/* open high and critical findings of churn, pd and chat (fraud retired): F-3 (critical
	 * since 07-01; A-4 revoked), F-4 (A-1 expired 07-01), F-8; F-2 closed: 3 */
	EQ(doc, "open_high_findings", 3);
	assert_int_equal(N(doc, "open_high_findings"), 3);
	assert_float_equal(D(doc, "open_high_findings", "critical", NULL), 1, 0);
	assert_float_equal(D(doc, "open_high_findings", "high", NULL), 2, 0);
	/* F-3 due 2026-05-30 and F-4 due 2026-07-14 passed; F-8 due 2027-03-01 */
	assert_float_equal(D(doc, "open_high_findings", "overdue", NULL), 2, 0);
	assert_float_equal(D(doc, "open_high_findings", "risk_accepted", NULL), 0, 0);
	assert_string_equal(S(doc, "open_high_findings", "status"), "not met");

	/* their ages on 12-31 (day 365): F-3 from 03-01 (day 60) 305, F-4 from 04-15 (day 105)
	 * 260, F-8 from 12-01 (day 335) 30: median 260, max 305, mean 595/3 */
	EQ(doc, "open_high_findings_age_days", 260);
	assert_int_equal(N(doc, "open_high_findings_age_days"), 3);
	assert_float_equal(D(doc, "open_high_findings_age_days", "days", "max"), 305, 0);
	assert_float_equal(D(doc, "open_high_findings_age_days", "days", "mean"), 595.0 / 3, 1e-9);
	assert_float_equal(D(doc, "open_high_findings_age_days", "ages", "0-30"), 1, 0);
	assert_float_equal(D(doc, "open_high_findings_age_days", "ages", "181+"), 2, 0);

	/* repeats: F-2..F-8 raised in 2026 (7), F-8 a repeat of F-2: 1/7 */
	EQ(doc, "repeat_finding_rate", 1.0 / 7);
	assert_int_equal(N(doc, "repeat_finding_rate"), 7);

	/* incidents with onset in 2026: I-2 sev2 (3), I-3 sev1 (4), I-4 sev4 (1): 8 weighted.
	 * production days in 2026: churn 365, pd 334 (02-01..), fraud 214 (03-01..10-01), chat
	 * 22 (12-10..): 935 days = 935/365 model-years; 8 / (935/365) = 2920/935 */
	EQ(doc, "incident_rate", 2920.0 / 935);
	assert_int_equal(N(doc, "incident_rate"), 4);
	assert_float_equal(D(doc, "incident_rate", "production_model_years", NULL), 935.0 / 365, 1e-12);
	assert_float_equal(D(doc, "incident_rate", "weighted_incidents", NULL), 8, 0);
	assert_float_equal(D(doc, "incident_rate", "by_severity", "sev1"), 1, 0);

	/* detection: I-2 6 h, I-3 36 h, I-4 1 h: mean 43/3, median 6 */
	EQ(doc, "mttd_hours", 43.0 / 3);
	assert_int_equal(N(doc, "mttd_hours"), 3);
	assert_float_equal(D(doc, "mttd_hours", "hours", "median"), 6, 0);
	/* mitigation: I-2 24 h, I-3 8 h; I-4 not mitigated: mean 16 */
	EQ(doc, "mttr_hours", 16);
	assert_int_equal(N(doc, "mttr_hours"), 2);
	assert_float_equal(D(doc, "mttr_hours", "unmitigated", NULL), 1, 0);
	assert_string_equal(S(doc, "mttr_hours", "status"), "met");

	/* monitoring: pd, the only tier 1 production model, has M-1 and M-2: 1/1 */
	EQ(doc, "monitoring_coverage_tier1", 1);
	assert_int_equal(N(doc, "monitoring_coverage_tier1"), 1);
	/* alerts resolved: AL-1 false positive, AL-2 actioned, AL-3 false positive (AL-4 open): 2/3 */
	EQ(doc, "alert_false_positive_rate", 2.0 / 3);
	assert_int_equal(N(doc, "alert_false_positive_rate"), 3);
	assert_string_equal(S(doc, "alert_false_positive_rate", "status"), "not met");

	/* acceptances in force: A-5 alone (A-1, A-2, A-3 expired, A-4 revoked), without controls: 0/1 */
	EQ(doc, "acceptance_completeness", 0);
	assert_int_equal(N(doc, "acceptance_completeness"), 1);
	x = json_array_get(json_object_get(K(doc, "acceptance_completeness"), "incomplete"), 0);
	assert_string_equal(json_string_value(json_object_get(x, "acceptance")), "A-5");
	assert_string_equal(json_string_value(json_array_get(json_object_get(x, "missing"), 0)), "controls");

	/* acceptances not revoked, of models not retired, A-5 (A-3 is fraud's, retired
	 * 10-01; A-4 revoked); expired: A-1 (F-4 still open) and A-2 (F-5 closed): 1 */
	EQ(doc, "expired_acceptances", 1);
	assert_int_equal(N(doc, "expired_acceptances"), 3);
	assert_float_equal(D(doc, "expired_acceptances", "expired", NULL), 2, 0);
	x = json_array_get(json_object_get(K(doc, "expired_acceptances"), "acceptances"), 0);
	assert_string_equal(json_string_value(json_object_get(x, "acceptance")), "A-1");
	assert_string_equal(json_string_value(json_array_get(json_object_get(x, "open_findings"), 0)), "F-4");

	/* overdue: churn (due 09-01: 121 days), pd (due 11-15: 46 days), chat (never reviewed): 3 */
	EQ(doc, "overdue_reviews", 3);
	assert_int_equal(N(doc, "overdue_reviews"), 3);
	assert_float_equal(D(doc, "overdue_reviews", "past_due", NULL), 2, 0);
	assert_float_equal(D(doc, "overdue_reviews", "never_reviewed", NULL), 1, 0);
	assert_float_equal(D(doc, "overdue_reviews", "days_overdue", "median"), 83.5, 0);
	assert_float_equal(D(doc, "overdue_reviews", "days_overdue", "max"), 121, 0);

	/* no KPI has a reason when it has a value */
	for (size_t i = 0; mrm_kpi_ids[i]; i++)
		assert_null(json_object_get(K(doc, mrm_kpi_ids[i]), "reason"));
	json_decref(doc);

	/* the same day given explicitly is the same document */
	{
		json_t *again = kpis_at(f, "2026-12-31");
		doc = kpis_at(f, NULL);
		assert_true(json_equal(doc, again));
		json_decref(again);
		json_decref(doc);
	}
}

static void as_of_past(void **state)
{
	struct kfx *k = *state;
	struct fx *f = k->f;
	json_t *doc, *x;

	scenario(k);
	/* 2026-06-30: window 2025-07-01 .. 2026-06-30 */
	doc = kpis_at(f, "2026-06-30");
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "window"), "from")), "2025-07-01");

	/* production: churn, pd, fraud (no deployment, retired only later): 2/3; tier 1 1/2 */
	EQ(doc, "inventory_coverage", 2.0 / 3);
	x = json_object_get(json_object_get(K(doc, "inventory_coverage"), "by_tier"), "1");
	assert_float_equal(num_at(json_object_get(x, "value"), "tier 1"), 0.5, 0);
	x = json_array_get(json_object_get(K(doc, "inventory_coverage"), "incomplete"), 0);
	assert_string_equal(json_string_value(json_object_get(x, "model")), "fraud");
	assert_string_equal(json_string_value(json_array_get(json_object_get(x, "missing"), 0)), "deployment");

	/* pd approved (due 2027-02-19), fraud conditional (due 2027-04-09): 2/2 */
	EQ(doc, "tier1_review_completion", 1);
	assert_int_equal(N(doc, "tier1_review_completion"), 2);
	assert_string_equal(S(doc, "tier1_review_completion", "status"), "met");

	/* decided in the window: R-1 30 d (churn, tier 3), R-2 40, R-3 50, R-4 20: median 35 */
	EQ(doc, "review_cycle_time_median_days", 35);
	assert_int_equal(N(doc, "review_cycle_time_median_days"), 4);
	x = json_object_get(json_object_get(K(doc, "review_cycle_time_median_days"), "by_tier"), "3");
	assert_float_equal(num_at(json_object_get(x, "median"), "tier 3 median"), 30, 0);
	assert_string_equal(S(doc, "review_cycle_time_median_days", "status"), "met");

	/* opened in the window: R-1 (not assessed), R-2 yes, R-3 no, R-4 yes: 2/3 */
	EQ(doc, "intake_first_pass_rate", 2.0 / 3);
	assert_int_equal(N(doc, "intake_first_pass_rate"), 3);

	/* F-3 was high then (critical from 07-01) and open, F-6 open, F-4 covered by A-1 (until
	 * 07-01), F-2 closed 06-15: 2 of the 4 models' findings */
	EQ(doc, "open_high_findings", 2);
	assert_int_equal(N(doc, "open_high_findings"), 4);
	assert_float_equal(D(doc, "open_high_findings", "critical", NULL), 0, 0);
	assert_float_equal(D(doc, "open_high_findings", "risk_accepted", NULL), 1, 0);
	assert_float_equal(D(doc, "open_high_findings", "overdue", NULL), 1, 0);
	/* ages on 06-30 (day 181): F-3 181 - 60 = 121, F-6 181 - 152 = 29: median 75 */
	EQ(doc, "open_high_findings_age_days", 75);
	assert_float_equal(D(doc, "open_high_findings_age_days", "days", "max"), 121, 0);
	assert_string_equal(S(doc, "open_high_findings_age_days", "status"), "met");

	/* F-1..F-6 raised in the window, no repeat: 0 */
	EQ(doc, "repeat_finding_rate", 0);
	assert_int_equal(N(doc, "repeat_finding_rate"), 6);

	/* I-1 sev3 (2), I-2 sev2 (3), I-3 sev1 (4): 9; production days to 07-01: churn 212,
	 * pd 150, fraud 122 = 484: 9 * 365 / 484 */
	EQ(doc, "incident_rate", 9.0 * 365 / 484);
	assert_int_equal(N(doc, "incident_rate"), 3);
	/* detection 10, 6, 36 h: 52/3; mitigation 2, 24, 8 h: 34/3 */
	EQ(doc, "mttd_hours", 52.0 / 3);
	EQ(doc, "mttr_hours", 34.0 / 3);
	assert_float_equal(D(doc, "mttr_hours", "unmitigated", NULL), 0, 0);

	/* tier 1 in production: pd (monitored), fraud (not): 1/2 */
	EQ(doc, "monitoring_coverage_tier1", 0.5);
	assert_string_equal(json_string_value(json_array_get(json_object_get(K(doc, "monitoring_coverage_tier1"), "uncovered"), 0)),
			    "fraud");
	/* resolved by then: AL-1, a false positive: 1/1 */
	EQ(doc, "alert_false_positive_rate", 1);
	assert_int_equal(N(doc, "alert_false_positive_rate"), 1);

	/* in force: A-1 (complete), A-2 (no triggers, no controls): 1/2 */
	EQ(doc, "acceptance_completeness", 0.5);
	x = json_array_get(json_object_get(K(doc, "acceptance_completeness"), "incomplete"), 0);
	assert_string_equal(json_string_value(json_object_get(x, "acceptance")), "A-2");
	assert_int_equal(json_array_size(json_object_get(x, "missing")), 2);
	/* recorded, none expired */
	EQ(doc, "expired_acceptances", 0);
	assert_int_equal(N(doc, "expired_acceptances"), 2);
	assert_string_equal(S(doc, "expired_acceptances", "status"), "met");
	/* churn due 09-01 (moved on 06-01), pd 2027-02-19, fraud 2027-04-09: none overdue */
	EQ(doc, "overdue_reviews", 0);
	assert_int_equal(N(doc, "overdue_reviews"), 3);
	json_decref(doc);

	/* 2026-05-11: I-3 was still sev3 (sev1 from 05-12), mitigated that evening: weighted
	 * 2 + 3 + 2 = 7 over churn 162 + pd 100 + fraud 72 = 334 production days to 05-12 */
	doc = kpis_at(f, "2026-05-11");
	EQ(doc, "incident_rate", 7.0 * 365 / 334);
	assert_float_equal(D(doc, "incident_rate", "weighted_incidents", NULL), 7, 0);
	EQ(doc, "mttr_hours", 34.0 / 3);
	json_decref(doc);

	/* 2026-05-10: I-3 not yet recorded (opened 05-11): I-1 and I-2 only */
	doc = kpis_at(f, "2026-05-10");
	assert_float_equal(D(doc, "incident_rate", "incidents", NULL), 2, 0);
	EQ(doc, "mttd_hours", 8);
	json_decref(doc);

	/* 2026-03-31: pd approved; fraud in production since 03-01, last review rejected 03-11 */
	doc = kpis_at(f, "2026-03-31");
	EQ(doc, "tier1_review_completion", 0.5);
	x = json_array_get(json_object_get(K(doc, "tier1_review_completion"), "not_complete"), 0);
	assert_string_equal(json_string_value(json_object_get(x, "model")), "fraud");
	assert_string_equal(json_string_value(json_object_get(x, "reason")), "last review R-3 was reject (2026-03-11)");
	EQ(doc, "monitoring_coverage_tier1", 0.5);
	json_decref(doc);

	/* 2026-08-15: A-4 covered F-3 then (revoked 09-01), A-3 F-6 (until 09-01): both
	 * risk-accepted; F-4 open again (A-1 expired 07-01): 1. Acceptances A-1..A-4, A-1 expired
	 * with F-4 open: 1; in force A-2 (incomplete), A-3, A-4: 2/3 */
	doc = kpis_at(f, "2026-08-15");
	assert_float_equal(D(doc, "open_high_findings", "risk_accepted", NULL), 2, 0);
	EQ(doc, "open_high_findings", 1);
	EQ(doc, "expired_acceptances", 1);
	assert_int_equal(N(doc, "expired_acceptances"), 4);
	EQ(doc, "acceptance_completeness", 2.0 / 3);
	json_decref(doc);

	/* 2026-09-15: A-4 revoked; A-3 expired 09-01 with F-6 open (fraud not yet retired) and A-1
	 * with F-4: 2 of */
	doc = kpis_at(f, "2026-09-15");
	EQ(doc, "expired_acceptances", 2);
	assert_int_equal(N(doc, "expired_acceptances"), 3);
	x = json_array_get(json_object_get(K(doc, "expired_acceptances"), "acceptances"), 1);
	assert_string_equal(json_string_value(json_object_get(x, "acceptance")), "A-3");
	assert_string_equal(json_string_value(json_object_get(x, "expired_on")), "2026-09-01");
	json_decref(doc);
}

static void empty_populations(void **state)
{
	struct kfx *k = *state;
	struct fx *f = k->f;
	json_t *doc;

	scenario(k);
	/* before anything existed: every population empty, every value null with a reason */
	doc = kpis_at(f, "2025-08-31");
	for (size_t i = 0; mrm_kpi_ids[i]; i++) {
		json_t *x = K(doc, mrm_kpi_ids[i]);
		if (!json_is_null(json_object_get(x, "value")))
			fail_msg("%s has a value", mrm_kpi_ids[i]);
		assert_int_equal(N(doc, mrm_kpi_ids[i]), 0);
		assert_string_equal(S(doc, mrm_kpi_ids[i], "status"), "n/a");
		assert_non_null(S(doc, mrm_kpi_ids[i], "reason"));
	}
	assert_string_equal(S(doc, "inventory_coverage", "reason"), "no model in production on 2025-08-31");
	assert_string_equal(S(doc, "mttr_hours", "reason"),
			    "no incident with onset from 2024-09-01 to 2025-08-31 mitigated by then");
	json_decref(doc);

	/* 2025-11-15: churn registered (in development): open_high_findings has its population
	 * (1 model) and a value 0; no model in production, so the production KPIs are n/a */
	doc = kpis_at(f, "2025-11-15");
	EQ(doc, "open_high_findings", 0);
	assert_int_equal(N(doc, "open_high_findings"), 1);
	assert_true(json_is_null(json_object_get(K(doc, "inventory_coverage"), "value")));
	assert_true(json_is_null(json_object_get(K(doc, "incident_rate"), "value")));
	assert_true(json_is_null(json_object_get(K(doc, "open_high_findings_age_days"), "value")));
	/* F-1 raised 2025-10-01: 0 repeats of 1 */
	EQ(doc, "repeat_finding_rate", 0);
	json_decref(doc);

	/* bad and future dates */
	{
		json_t *out = NULL;
		struct mrm_kpi_options o = { .as_of = "2027-01-01" };
		FAILS(f, MRM_EINPUT, "as-of date 2027-01-01 is after today (2026-12-31)",
		      mrm_kpi_compute(f->ctx, &o, &out, &f->err));
		o.as_of = "2026-02-30";
		FAILS(f, MRM_EINPUT, "as-of date", mrm_kpi_compute(f->ctx, &o, &out, &f->err));
		o.as_of = "yesterday";
		FAILS(f, MRM_EINPUT, "as-of date", mrm_kpi_compute(f->ctx, &o, &out, &f->err));
		assert_null(out);
	}
}

static void dates_of(const char *from, const char *to, const char *every, const char *const *want)
{
	struct mrm_error err = { 0 };
	json_t *out = NULL;
	size_t n = 0;

	if (mrm_kpi_dates(from, to, every, &out, &err))
		fail_msg("%s..%s %s: %s", from, to, every, err.msg);
	while (want[n])
		n++;
	assert_int_equal(json_array_size(out), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(json_string_value(json_array_get(out, i)), want[i]);
	json_decref(out);
}

static void dates_fail(const char *from, const char *to, const char *every, const char *msg)
{
	struct mrm_error err = { 0 };
	json_t *out = NULL;

	assert_int_equal(mrm_kpi_dates(from, to, every, &out, &err), MRM_EINPUT);
	if (!strstr(err.msg, msg))
		fail_msg("'%s' lacks '%s'", err.msg, msg);
	assert_null(out);
}

static void trend_dates(void **state)
{
	(void)state;
	/* months from the 31st keep the day where it exists, else the month's last day */
	dates_of("2026-01-31", "2026-04-30", "1m",
		 (const char *const[]){ "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", NULL });
	dates_of("2028-01-31", "2028-03-01", "1m",
		 (const char *const[]){ "2028-01-31", "2028-02-29", "2028-03-01", NULL });
	/* weeks, and the last day added when the steps miss it */
	dates_of("2026-01-01", "2026-01-20", "1w",
		 (const char *const[]){ "2026-01-01", "2026-01-08", "2026-01-15", "2026-01-20", NULL });
	dates_of("2026-01-01", "2026-01-01", "1m", (const char *const[]){ "2026-01-01", NULL });
	dates_of("2026-01-01", "2026-07-01", "3m",
		 (const char *const[]){ "2026-01-01", "2026-04-01", "2026-07-01", NULL });
	dates_of("2026-12-30", "2027-01-02", "2d",
		 (const char *const[]){ "2026-12-30", "2027-01-01", "2027-01-02", NULL });
	dates_fail("2026-02-01", "2026-01-01", "1m", "--from 2026-02-01 is after --to 2026-01-01");
	dates_fail("2026-01-01", "2026-02-01", "1y", "--every '1y' is not a period");
	dates_fail("2026-01-01", "2026-02-01", "0m", "--every '0m'");
	dates_fail("2026-01-01", "2026-02-01", "m", "--every 'm'");
	dates_fail("2026-01-01", "2026-02-01", "1mm", "--every '1mm'");
	dates_fail("2026-01-01", "2026-02-01", "-1m", "--every '-1m'");
	dates_fail("2026-01-01", "2026-02-01", "", "--every ''");
	dates_fail("2020-01-01", "2026-12-31", "1d", "more than 400 dates");
	dates_fail("2026-13-01", "2026-12-31", "1m", "--from");
	dates_fail("2026-01-01", "2026-12-32", "1m", "--to");
}

static void trend(void **state)
{
	struct kfx *k = *state;
	struct fx *f = k->f;
	struct mrm_kpi_options o = { .inventory_fields = { tier1_fields, tier2_fields, NULL } };
	json_t *out = NULL, *series, *one;

	scenario(k);
	OK(f, mrm_kpi_trend(f->ctx, &o, "2026-06-30", "2026-12-31", "6m", &out, &f->err));
	assert_int_equal(json_array_size(json_object_get(out, "dates")), 3); /* 06-30, 12-30, 12-31 */
	series = json_object_get(out, "series");
	assert_int_equal(json_array_size(series), 3);
	/* each point is the document of its day */
	one = kpis_at(f, "2026-06-30");
	assert_true(json_equal(json_array_get(series, 0), one));
	json_decref(one);
	one = kpis_at(f, "2026-12-31");
	assert_true(json_equal(json_array_get(series, 2), one));
	json_decref(one);
	assert_string_equal(json_string_value(json_object_get(json_array_get(series, 1), "as_of")), "2026-12-30");
	json_decref(out);
	out = NULL;
	FAILS(f, MRM_EINPUT, "--to 2027-01-31 is after today",
	      mrm_kpi_trend(f->ctx, &o, "2026-06-30", "2027-01-31", "1m", &out, &f->err));
	assert_null(out);
}

/* ---- targets -------------------------------------------------------------------------------- */

/* Parses `text` as a target of `id`, which must succeed with `op` and `value` (JSON units). */
static void target_ok(const char *id, const char *text, enum mrm_kpi_op op, double value)
{
	struct mrm_kpi_target t = { 0 };
	struct mrm_error err = { 0 };

	if (mrm_kpi_target_parse(id, text, &t, &err))
		fail_msg("%s '%s': %s", id, text, err.msg);
	assert_string_equal(t.kpi, id);
	assert_ptr_equal(t.kpi, mrm_kpi_info(id)->id); /* the static id */
	assert_int_equal(t.op, op);
	assert_float_equal(t.value, value, 1e-15);
}

/* Expects `text` refused as a target of `id` with MRM_EINPUT and `msg` in the message. */
static void target_fails(const char *id, const char *text, const char *msg)
{
	struct mrm_kpi_target t = { .kpi = "untouched" };
	struct mrm_error err = { 0 };

	assert_int_equal(mrm_kpi_target_parse(id, text, &t, &err), MRM_EINPUT);
	if (!strstr(err.msg, msg))
		fail_msg("%s '%s': '%s' lacks '%s'", id, text ? text : "(null)", err.msg, msg);
	assert_string_equal(t.kpi, "untouched");
}

static void target_parsing(void **state)
{
	struct mrm_kpi_target t;
	char buf[64];

	(void)state;
	/* the table: every id known, its default target its own, the texts the JSON has always had */
	{
		static const char *const want[] = { ">= 1", ">= 1", "<= 90", ">= 0.8", "= 0", "<= 90", "<= 0.1",
						    "<= 1", "<= 24", "<= 48", ">= 1", "<= 0.5", ">= 1", "= 0", "= 0" };
		size_t n = 0;
		for (; mrm_kpi_ids[n]; n++) {
			const struct mrm_kpi_info *in = mrm_kpi_info(mrm_kpi_ids[n]);
			assert_non_null(in);
			assert_string_equal(in->id, mrm_kpi_ids[n]);
			assert_string_equal(in->target.kpi, in->id);
			assert_string_equal(mrm_kpi_target_text(&in->target, false, buf, sizeof(buf)), want[n]);
			assert_int_equal(in->scale == MRM_KPI_SCALE_PERCENT, !strcmp(in->unit, "ratio"));
		}
		assert_int_equal(n, MRM_KPI_COUNT);
		assert_null(mrm_kpi_info("mttr"));
		assert_null(mrm_kpi_info(NULL));
	}
	/* percentages in percent, "%" optional, spaces anywhere between the parts */
	target_ok("inventory_coverage", ">= 95", MRM_KPI_AT_LEAST, 0.95);
	target_ok("inventory_coverage", ">=95%", MRM_KPI_AT_LEAST, 0.95);
	target_ok("inventory_coverage", "  >=  95.5 %  ", MRM_KPI_AT_LEAST, 0.955);
	target_ok("inventory_coverage", ">= 0.5%", MRM_KPI_AT_LEAST, 0.005);
	target_ok("inventory_coverage", ">= 1%", MRM_KPI_AT_LEAST, 0.01);
	target_ok("inventory_coverage", "= 100", MRM_KPI_EQUAL, 1);
	target_ok("alert_false_positive_rate", "< 25", MRM_KPI_BELOW, 0.25);
	target_ok("intake_first_pass_rate", "> 75", MRM_KPI_ABOVE, 0.75);
	target_ok("repeat_finding_rate", "<= 0", MRM_KPI_AT_MOST, 0);
	target_ok("repeat_finding_rate", "<= 100", MRM_KPI_AT_MOST, 1);
	/* amounts and counts as they are */
	target_ok("mttr_hours", "<= 72", MRM_KPI_AT_MOST, 72);
	target_ok("mttd_hours", "<=0.5", MRM_KPI_AT_MOST, 0.5);
	target_ok("incident_rate", "<= 0.25", MRM_KPI_AT_MOST, 0.25);
	target_ok("review_cycle_time_median_days", "< 60", MRM_KPI_BELOW, 60);
	target_ok("open_high_findings", "<= 2", MRM_KPI_AT_MOST, 2);
	target_ok("overdue_reviews", "<= 2.0", MRM_KPI_AT_MOST, 2);
	target_ok("expired_acceptances", "= 0", MRM_KPI_EQUAL, 0);
	target_ok("overdue_reviews", "< 1", MRM_KPI_BELOW, 1);
	target_ok("mttr_hours", "<= 1000000000", MRM_KPI_AT_MOST, 1e9);

	/* malformed */
	target_fails("no_such_kpi", ">= 1", "unknown KPI 'no_such_kpi' (expected one of: inventory_coverage, "
					    "tier1_review_completion, review_cycle_time_median_days");
	target_fails("no_such_kpi", ">= 1", "expired_acceptances, overdue_reviews)");
	target_fails("inventory_coverage", "95", "'95' has no operator (expected >=, <=, =, > or <");
	target_fails("inventory_coverage", "", "'' has no operator");
	target_fails("inventory_coverage", NULL, "'' has no operator");
	target_fails("inventory_coverage", "=> 95", "unknown operator '=>' in '=> 95'");
	target_fails("inventory_coverage", "== 95", "unknown operator '=='");
	target_fails("inventory_coverage", "!= 95", "unknown operator '!='");
	target_fails("inventory_coverage", ">=", "'>=' has no number");
	target_fails("inventory_coverage", ">=   ", "has no number");
	target_fails("inventory_coverage", ">= abc", "'abc' is not a number (in '>= abc'");
	target_fails("inventory_coverage", ">= 9e1", "'9e1' is not a number");
	target_fails("inventory_coverage", ">= inf", "'inf' is not a number");
	target_fails("inventory_coverage", ">= nan", "'nan' is not a number");
	target_fails("inventory_coverage", ">= .5", "'.5' is not a number");
	target_fails("inventory_coverage", ">= 5.", "'5.' is not a number");
	target_fails("inventory_coverage", ">= +5", "'+5' is not a number");
	target_fails("inventory_coverage", ">= 95 %x", "'95 %x' is not a number");
	target_fails("inventory_coverage", ">= 95 and more", "is not a number");
	target_fails("inventory_coverage", ">= 0x10", "'0x10' is not a number");
	/* outside the unit's range */
	target_fails("inventory_coverage", ">= 100.5", "100.5 is above 100: inventory_coverage is a percentage (0 to 100)");
	target_fails("inventory_coverage", ">= -5%", "-5 is negative: inventory_coverage is a percentage (0 to 100)");
	target_fails("mttr_hours", "<= -1", "-1 is negative: mttr_hours is in hours (0 or more)");
	target_fails("open_high_findings", "<= -1", "-1 is negative: open_high_findings is a count of findings (0 or more)");
	target_fails("open_high_findings", "<= 1.5", "1.5 is not a whole number: open_high_findings is a count of findings");
	target_fails("mttr_hours", "<= 1000000000.5", "1000000000.5 is too large (at most 1000000000)");
	target_fails("mttr_hours", "<= 123456789012345678901234567890123456789012345678901234567890123456789",
		     "is too large");
	target_fails("mttr_hours", "<= 72%", "'<= 72%': mttr_hours is not a percentage, it is in hours (drop the %)");
	target_fails("overdue_reviews", "= 0%", "overdue_reviews is not a percentage, it is a count of models");
	/* a ratio where a percentage is expected: ambiguous, with both readings offered */
	target_fails("inventory_coverage", ">= 1", "'>= 1' is ambiguous: inventory_coverage is a percentage, written 0 "
						   "to 100 (write \">= 100\" for 100 %, or \">= 1%\" if you mean 1 %)");
	target_fails("intake_first_pass_rate", ">= 0.8", "(write \">= 80\" for 80 %, or \">= 0.8%\"");
	/* targets no value can meet */
	target_fails("inventory_coverage", "> 100", "'> 100' can never be met: inventory_coverage is at most 100 %");
	target_fails("mttr_hours", "< 0", "'< 0' can never be met: mttr_hours is never negative");
	target_fails("open_high_findings", "< 0", "can never be met");

	/* the texts: as the KPI document gives them, and as a policy writes them */
	mrm_kpi_target_parse("inventory_coverage", ">= 95.5", &t, NULL);
	assert_string_equal(mrm_kpi_target_text(&t, false, buf, sizeof(buf)), ">= 0.955");
	assert_string_equal(mrm_kpi_target_text(&t, true, buf, sizeof(buf)), ">= 95.5%");
	mrm_kpi_target_parse("acceptance_completeness", ">= 99.99", &t, NULL);
	assert_string_equal(mrm_kpi_target_text(&t, false, buf, sizeof(buf)), ">= 0.9999");
	assert_string_equal(mrm_kpi_target_text(&t, true, buf, sizeof(buf)), ">= 99.99%");
	mrm_kpi_target_parse("mttr_hours", "<72", &t, NULL);
	assert_string_equal(mrm_kpi_target_text(&t, false, buf, sizeof(buf)), "< 72");
	assert_string_equal(mrm_kpi_target_text(&t, true, buf, sizeof(buf)), "< 72");

	/* met: the boundaries, within 1e-12 (19 of 20 is 95 %) */
	mrm_kpi_target_parse("inventory_coverage", ">= 95", &t, NULL);
	assert_true(mrm_kpi_target_met(&t, 19.0 / 20));
	assert_false(mrm_kpi_target_met(&t, 18.0 / 19));
	mrm_kpi_target_parse("inventory_coverage", "> 95", &t, NULL);
	assert_false(mrm_kpi_target_met(&t, 19.0 / 20));
	assert_true(mrm_kpi_target_met(&t, 20.0 / 21));
	mrm_kpi_target_parse("mttr_hours", "<= 72", &t, NULL);
	assert_true(mrm_kpi_target_met(&t, 72));
	assert_false(mrm_kpi_target_met(&t, 72.01));
	mrm_kpi_target_parse("mttr_hours", "< 72", &t, NULL);
	assert_false(mrm_kpi_target_met(&t, 72));
	assert_true(mrm_kpi_target_met(&t, 71.99));
	mrm_kpi_target_parse("overdue_reviews", "= 0", &t, NULL);
	assert_true(mrm_kpi_target_met(&t, 0));
	assert_false(mrm_kpi_target_met(&t, 1));
}

/* The scenario's KPIs as of 2026-12-31 with targets a policy sets: statuses follow them. */
static void policy_targets(void **state)
{
	struct kfx *k = *state;
	struct fx *f = k->f;
	struct mrm_kpi_target targets[3];
	struct mrm_kpi_options o = { .inventory_fields = { tier1_fields, tier2_fields, NULL },
				     .targets = targets, .ntargets = 3, .policy_name = "acme",
				     .policy_source = "acme.yaml", .policy_sha256 = "abc123" };
	json_t *doc = NULL, *p, *plain;

	scenario(k);
	/* values (as_of_year_end): inventory_coverage 2/3, mttr_hours 16, open_high_findings 3 */
	OK(f, mrm_kpi_target_parse("open_high_findings", "<= 3", &targets[0], &f->err));
	OK(f, mrm_kpi_target_parse("inventory_coverage", ">= 60", &targets[1], &f->err));
	OK(f, mrm_kpi_target_parse("mttr_hours", "<= 12", &targets[2], &f->err));
	OK(f, mrm_kpi_compute(f->ctx, &o, &doc, &f->err));
	p = json_object_get(doc, "policy");
	assert_string_equal(json_string_value(json_object_get(p, "name")), "acme");
	assert_string_equal(json_string_value(json_object_get(p, "source")), "acme.yaml");
	assert_string_equal(json_string_value(json_object_get(p, "sha256")), "abc123");
	/* 2/3 is between mrm's ">= 1" and the policy's ">= 0.6": met now */
	EQ(doc, "inventory_coverage", 2.0 / 3);
	assert_string_equal(S(doc, "inventory_coverage", "target"), ">= 0.6");
	assert_string_equal(S(doc, "inventory_coverage", "target_source"), "policy");
	assert_string_equal(S(doc, "inventory_coverage", "status"), "met");
	/* 16 hours is between the policy's "<= 12" and mrm's "<= 48": not met now */
	EQ(doc, "mttr_hours", 16);
	assert_string_equal(S(doc, "mttr_hours", "target"), "<= 12");
	assert_string_equal(S(doc, "mttr_hours", "status"), "not met");
	/* 3 findings meet "<= 3" at the boundary, not mrm's "= 0" */
	EQ(doc, "open_high_findings", 3);
	assert_string_equal(S(doc, "open_high_findings", "target"), "<= 3");
	assert_string_equal(S(doc, "open_high_findings", "status"), "met");
	/* the others keep mrm's default, and everything but target, target_source and status is as without */
	assert_string_equal(S(doc, "mttd_hours", "target"), "<= 24");
	assert_string_equal(S(doc, "mttd_hours", "target_source"), "default");
	plain = kpis_at(f, NULL);
	assert_true(json_is_null(json_object_get(plain, "policy")));
	for (size_t i = 0; mrm_kpi_ids[i]; i++) {
		json_t *a = json_deep_copy(K(doc, mrm_kpi_ids[i])), *b = json_deep_copy(K(plain, mrm_kpi_ids[i]));
		const char *src = json_string_value(json_object_get(b, "target_source"));
		assert_string_equal(src, "default");
		if (!strcmp(mrm_kpi_ids[i], "open_high_findings") || !strcmp(mrm_kpi_ids[i], "inventory_coverage") ||
		    !strcmp(mrm_kpi_ids[i], "mttr_hours")) {
			assert_string_equal(json_string_value(json_object_get(a, "target_source")), "policy");
			assert_string_not_equal(json_string_value(json_object_get(a, "status")),
						json_string_value(json_object_get(b, "status")));
			json_object_del(a, "target");
			json_object_del(b, "target");
			json_object_del(a, "target_source");
			json_object_del(b, "target_source");
			json_object_del(a, "status");
			json_object_del(b, "status");
		}
		if (!json_equal(a, b))
			fail_msg("%s differs beyond its target", mrm_kpi_ids[i]);
		json_decref(a);
		json_decref(b);
	}
	json_decref(plain);
	json_decref(doc);
	doc = NULL;

	/* a trend carries the policy at the top and the targets at every date */
	OK(f, mrm_kpi_trend(f->ctx, &o, "2026-06-30", "2026-12-31", "6m", &doc, &f->err));
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "policy"), "name")), "acme");
	for (size_t i = 0; i < 3; i++) {
		json_t *one = json_array_get(json_object_get(doc, "series"), i);
		assert_string_equal(S(one, "mttr_hours", "target"), "<= 12");
		assert_string_equal(S(one, "mttr_hours", "target_source"), "policy");
	}
	json_decref(doc);
	doc = NULL;

	/* targets the library refuses: unknown KPI, one KPI twice, not a number */
	targets[1].kpi = "nope";
	FAILS(f, MRM_EINPUT, "a KPI target names an unknown KPI 'nope'", mrm_kpi_compute(f->ctx, &o, &doc, &f->err));
	targets[1].kpi = "open_high_findings";
	FAILS(f, MRM_EINPUT, "KPI open_high_findings has two targets", mrm_kpi_compute(f->ctx, &o, &doc, &f->err));
	targets[1].kpi = "inventory_coverage";
	targets[1].value = NAN;
	FAILS(f, MRM_EINPUT, "the target of KPI inventory_coverage is not", mrm_kpi_compute(f->ctx, &o, &doc, &f->err));
	assert_null(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(as_of_year_end, ksetup, kteardown),
		cmocka_unit_test_setup_teardown(as_of_past, ksetup, kteardown),
		cmocka_unit_test_setup_teardown(empty_populations, ksetup, kteardown),
		cmocka_unit_test(trend_dates),
		cmocka_unit_test_setup_teardown(trend, ksetup, kteardown),
		cmocka_unit_test(target_parsing),
		cmocka_unit_test_setup_teardown(policy_targets, ksetup, kteardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
