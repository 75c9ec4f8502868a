/*
 * Governance KPIs as of the end of a day: each model, finding and incident as its last
 * audit event by then recorded it, reviews, acceptances and alerts from the times their
 * rows keep (set once, never changed), and the 365-day window ending that day.
 * Definitions, targets and their reasons: docs/kpi.md.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "common/strmap.h"
#include "core/monitoring.h"
#include "mrm/kpi.h"
#include "mrm/monitor.h"

#define DAY 86400
#define YEAR_SECONDS ((double)MRM_KPI_WINDOW_DAYS * DAY)

const char *const mrm_kpi_ids[] = {
	"inventory_coverage", "tier1_review_completion", "review_cycle_time_median_days",
	"intake_first_pass_rate", "open_high_findings", "open_high_findings_age_days",
	"repeat_finding_rate", "incident_rate", "mttd_hours", "mttr_hours",
	"monitoring_coverage_tier1", "alert_false_positive_rate", "acceptance_completeness",
	"expired_acceptances", "overdue_reviews", NULL,
};

/* ---- the day and what was true then ----------------------------------------------------- */

/* A growable array of doubles. */
struct vec {
	double *v;
	size_t n, cap;
};

/* The open high and critical findings then: the figures both findings KPIs report. */
struct high_findings {
	int64_t models;        /* models in the inventory then, not retired */
	int64_t critical, high, overdue, risk_accepted;
	struct vec ages;       /* days open, sorted */
};

struct kctx {
	struct mrm_ctx *ctx;
	const struct mrm_kpi_options *o;
	char date[MRM_DATE_LEN];   /* D, the as-of day */
	char end[MRM_TIME_LEN];    /* D 23:59:59Z: "by then" is <= end */
	char wfrom[MRM_DATE_LEN];  /* D - 364: the window's first day */
	char wstart[MRM_TIME_LEN]; /* its first second: "in the window" is >= wstart and <= end */
	int64_t day;               /* D as days since the epoch */
	int64_t t_wstart, t_next;  /* the window as [t_wstart, t_next) in seconds */
	json_t *models;            /* id -> row at the end of D, by id */
	json_t *incidents;         /* "N" -> row at the end of D */
	json_t *acceptances;       /* rows created by then, in id order, each with "finding_ids" */
	json_t *covered;           /* "N" -> true: findings an acceptance in force then covers */
	json_t *linked;            /* "N" -> whether that finding, named by an acceptance, was open */
	json_t *last_decision;     /* model id -> its last review decided by then */
	struct high_findings *high; /* the open high and critical findings then */
};

/* What one KPI computed: the value (NULL: empty population), N, and its details. */
struct result {
	json_t *value;
	int64_t population;
	char reason[256];
	json_t *details; /* object, in the order the KPI built it */
};

/* ---- small statistics ------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int vec_push(struct vec *v, double x, struct mrm_error *err)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		double *p = realloc(v->v, cap * sizeof(*p));
		if (!p)
			return mrm_error_set(err, MRM_ESTORE, "out of memory");
		v->v = p;
		v->cap = cap;
	}
	v->v[v->n++] = x;
	return MRM_OK;
}

/* Sorts the values; the median of a sorted vector (the mean of the middle two when even). */
static void vec_sort(struct vec *v)
{
	if (v->n > 1)
		qsort(v->v, v->n, sizeof(*v->v), cmp_double);
}

static double vec_median(const struct vec *v)
{
	return v->n % 2 ? v->v[v->n / 2] : (v->v[v->n / 2 - 1] + v->v[v->n / 2]) / 2;
}

static double vec_mean(const struct vec *v)
{
	double s = 0;
	for (size_t i = 0; i < v->n; i++)
		s += v->v[i];
	return s / (double)v->n;
}

/* A number as JSON: an integer when it is one (counts of days), else a real. */
static json_t *num(double x)
{
	if (x == floor(x) && fabs(x) < 1e15)
		return json_integer((json_int_t)x);
	return json_real(x);
}

/* { median, mean, max } of a sorted vector, or nulls when it is empty. */
static json_t *distribution(const struct vec *v)
{
	if (!v->n)
		return json_pack("{s:n,s:n,s:n}", "median", "mean", "max");
	return json_pack("{s:o,s:o,s:o}", "median", num(vec_median(v)), "mean", num(vec_mean(v)), "max",
			 num(v->v[v->n - 1]));
}

static json_t *ratio(int64_t num_, int64_t den)
{
	return json_real((double)num_ / (double)den);
}

static bool blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* Days since the epoch of the date that starts `s` ("YYYY-MM-DD..."); -1 if it is not one. */
static int64_t day_of(const char *s)
{
	int64_t t;

	if (!s || strlen(s) < 10)
		return -1;
	{
		char d[MRM_DATE_LEN];
		memcpy(d, s, 10);
		d[10] = '\0';
		if (mrm_date_parse(d, "date", &t, NULL))
			return -1;
	}
	return t / DAY;
}

/* Seconds since the epoch of a stored time; false if it is missing or not a time. */
static bool time_of(json_t *row, const char *key, int64_t *t)
{
	const char *s = mrm__str(row, key);
	return s && !mrm_time_parse(s, key, t, NULL);
}

static int64_t int_of(json_t *row, const char *key)
{
	json_t *v = json_object_get(row, key);
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

static void date_of_day(int64_t day, char out[MRM_DATE_LEN])
{
	mrm_date_format(day * DAY, out);
}

typedef int (*row_fn)(struct kctx *k, json_t *row, void *arg, struct mrm_error *err);

/* Runs `sql` and calls `fn` with each row as a JSON object, freed after the call. */
static int each_row(struct kctx *k, const char *sql, const struct mrm__param *p, int n, row_fn fn,
		    void *arg, struct mrm_error *err)
{
	struct mrm_stmt *s = NULL;
	int rc;

	if ((rc = mrm_store_prepare(mrm_ctx_store(k->ctx), sql, &s, err)))
		return rc;
	if (mrm__bind(s, p, n)) {
		mrm_stmt_free(s);
		return mrm_error_set(err, MRM_ESTORE, "internal: cannot bind a KPI query");
	}
	while ((rc = mrm_stmt_step(s, err)) == MRM_ROW) {
		json_t *row = mrm__row_json(s);
		rc = row ? fn(k, row, arg, err) : mrm_error_set(err, MRM_ESTORE, "out of memory");
		json_decref(row);
		if (rc)
			break;
	}
	mrm_stmt_free(s);
	return rc;
}

/* The id of a row as the audit trail names it: text keys as they are, integers in decimal. */
static const char *id_text(json_t *row, const char *key, char buf[72])
{
	json_t *v = json_object_get(row, key);

	if (json_is_string(v))
		return json_string_value(v);
	snprintf(buf, 72, "%" JSON_INTEGER_FORMAT, json_is_integer(v) ? json_integer_value(v) : 0);
	return buf;
}

struct walk {
	const char *key;             /* the table's key column */
	struct mrm_strmap *changed;  /* ids with an event after the end of D */
	row_fn fn;
	void *arg;
};

static int unchanged_row(struct kctx *k, json_t *row, void *arg, struct mrm_error *err)
{
	struct walk *w = arg;
	char buf[72];
	const char *id = id_text(row, w->key, buf);
	bool found = false;

	mrm_strmap_get(w->changed, id, strlen(id), &found);
	return found ? MRM_OK : w->fn(k, row, w->arg, err);
}

/*
 * Calls `fn` with each object of `type` as it was at the end of D. An object that no
 * event after then touched is as its current row says (`current` selects the rows created
 * by then, its one parameter the end of D); one that existed then and changed since is the
 * row its last event by then recorded (nothing if that event deleted it). So a report for
 * today reads the tables alone, and one for a past day replays only what changed since.
 */
static int each_state(struct kctx *k, const char *type, const char *key, const char *current, row_fn fn,
		      void *arg, struct mrm_error *err)
{
	struct walk w = { .key = key, .changed = mrm_strmap_new(), .fn = fn, .arg = arg };
	json_t *ids = NULL, *id;
	struct mrm_stmt *s = NULL;
	size_t i;
	int rc;

	if (!w.changed)
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	/* Changed since, and existing then: objects created later are not replayed at all. */
	if ((rc = mrm__rows(k->ctx,
			    "SELECT DISTINCT e.object_id FROM audit_events e WHERE e.object_type = ? AND e.ts > ? "
			    "AND EXISTS (SELECT 1 FROM audit_events b WHERE b.object_type = e.object_type "
			    "AND b.object_id = e.object_id AND b.ts <= ?) ORDER BY e.object_id",
			    PARAMS(PT(type), PT(k->end), PT(k->end)), &ids, err)))
		goto out;
	json_array_foreach(ids, i, id) {
		const char *text = mrm__str(id, "object_id");
		if (text && !mrm_strmap_slot(w.changed, text, strlen(text))) {
			rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
			goto out;
		}
	}
	if ((rc = each_row(k, current, PARAMS(PT(k->end)), unchanged_row, &w, err)) ||
	    (rc = mrm_store_prepare(mrm_ctx_store(k->ctx),
				    "SELECT change FROM audit_events WHERE object_type = ? AND object_id = ? "
				    "AND ts <= ? ORDER BY seq DESC LIMIT 1",
				    &s, err)))
		goto out;
	json_array_foreach(ids, i, id) {
		json_t *row, *after;
		const char *text = mrm__str(id, "object_id");

		if (!text)
			continue;
		mrm_stmt_reset(s);
		if (mrm__bind(s, PARAMS(PT(type), PT(text), PT(k->end)))) {
			rc = mrm_error_set(err, MRM_ESTORE, "internal: cannot bind a KPI query");
			goto out;
		}
		if ((rc = mrm_stmt_step(s, err)) != MRM_ROW) {
			if (rc)
				goto out;
			continue;
		}
		row = mrm__row_json(s);
		after = json_object_get(json_object_get(row, "change"), "after");
		rc = json_is_object(after) ? fn(k, after, arg, err) : MRM_OK;
		json_decref(row);
		if (rc)
			goto out;
	}
	rc = MRM_OK;
out:
	mrm_stmt_free(s);
	mrm_strmap_free(w.changed);
	json_decref(ids);
	return rc;
}

/* Adds a row to the map `arg` under its id. */
static int keep_row(struct kctx *k, json_t *row, void *arg, struct mrm_error *err)
{
	char buf[72];
	(void)k;
	(void)err;
	json_object_set(arg, id_text(row, "id", buf), row);
	return MRM_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* `obj` with its keys in byte order, as a new object (reports list models by id); NULL: no memory. */
static json_t *sorted(json_t *obj)
{
	size_t n = json_object_size(obj), i = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	json_t *out = json_object(), *v;
	const char *key;

	if (!keys || !out) {
		free(keys);
		json_decref(out);
		return NULL;
	}
	json_object_foreach(obj, key, v)
		keys[i++] = key;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 0; i < n; i++)
		json_object_set(out, keys[i], json_object_get(obj, keys[i]));
	free(keys);
	return out;
}

/* Whether acceptance `a` (a current row) had been revoked by the end of D. */
static bool revoked_by(struct kctx *k, json_t *a)
{
	const char *r = mrm__str(a, "revoked_at");
	return r && strcmp(r, k->end) <= 0;
}

/* In force at the end of D: recorded, not revoked, and D before its expiry day. */
static bool in_force(struct kctx *k, json_t *a)
{
	return !revoked_by(k, a) && mrm__str(a, "expires") && strcmp(mrm__str(a, "expires"), k->date) > 0;
}

/* Whether the model of row `r` existed at the end of D and was not retired then. */
static bool live_model(struct kctx *k, json_t *r)
{
	json_t *m = json_object_get(k->models, mrm__str(r, "model_id") ? mrm__str(r, "model_id") : "");
	return m && !same(mrm__str(m, "status"), "retired");
}

/* Acceptances recorded by then with their findings, and the findings in force ones cover. */
static int load_acceptances(struct kctx *k, struct mrm_error *err)
{
	json_t *links = NULL, *byid = json_object(), *a, *l;
	size_t i;
	int rc;

	k->covered = json_object();
	k->linked = json_object();
	if ((rc = mrm__rows(k->ctx, "SELECT * FROM acceptances WHERE created_at <= ? ORDER BY id",
			    PARAMS(PT(k->end)), &k->acceptances, err)) ||
	    (rc = mrm__rows(k->ctx,
			    "SELECT af.acceptance_id, af.finding_id FROM acceptance_findings af "
			    "JOIN acceptances a ON a.id = af.acceptance_id WHERE a.created_at <= ? "
			    "ORDER BY af.acceptance_id, af.finding_id",
			    PARAMS(PT(k->end)), &links, err)))
		goto out;
	json_array_foreach(k->acceptances, i, a) {
		char id[24];
		snprintf(id, sizeof(id), "%" PRId64, int_of(a, "id"));
		json_object_set_new(a, "finding_ids", json_array());
		json_object_set(byid, id, a);
	}
	json_array_foreach(links, i, l) {
		char id[24], fid[24];
		snprintf(id, sizeof(id), "%" PRId64, int_of(l, "acceptance_id"));
		snprintf(fid, sizeof(fid), "%" PRId64, int_of(l, "finding_id"));
		a = json_object_get(byid, id);
		if (!a)
			continue;
		json_array_append_new(json_object_get(a, "finding_ids"), json_integer(int_of(l, "finding_id")));
		json_object_set_new(k->linked, fid, json_false());
		if (in_force(k, a))
			json_object_set_new(k->covered, fid, json_true());
	}
out:
	json_decref(links);
	json_decref(byid);
	return rc;
}

/* Each model's last review decided by then (the latest decided_at, then the highest id). */
static int load_decisions(struct kctx *k, struct mrm_error *err)
{
	json_t *rows = NULL, *r;
	size_t i;
	int rc;

	k->last_decision = json_object();
	if ((rc = mrm__rows(k->ctx,
			    "SELECT id, model_id, decision, decided_at FROM reviews "
			    "WHERE decided_at IS NOT NULL AND decided_at <= ? ORDER BY decided_at, id",
			    PARAMS(PT(k->end)), &rows, err)))
		return rc;
	json_array_foreach(rows, i, r)
		if (mrm__str(r, "model_id"))
			json_object_set(k->last_decision, mrm__str(r, "model_id"), r);
	json_decref(rows);
	return MRM_OK;
}

/* The models then, by id. */
static int load_models(struct kctx *k, struct mrm_error *err)
{
	json_t *all = json_object();
	int rc = each_state(k, "model", "id", "SELECT * FROM models WHERE created_at <= ?", keep_row, all, err);

	if (!rc && !(k->models = sorted(all)))
		rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
	json_decref(all);
	return rc;
}

/* One finding as it was then: its part of the high findings, and its state if an acceptance names it. */
static int finding_state(struct kctx *k, json_t *f, void *arg, struct mrm_error *err)
{
	struct high_findings *h = arg;
	const char *sev = mrm__str(f, "severity"), *due = mrm__str(f, "due");
	bool closed = same(mrm__str(f, "status"), "closed");
	json_t *model = json_object_get(k->models, mrm__str(f, "model_id") ? mrm__str(f, "model_id") : "");
	int64_t opened;
	char buf[72];
	const char *id = id_text(f, "id", buf);

	if (json_object_get(k->linked, id))
		json_object_set_new(k->linked, id, json_boolean(!closed));
	if (!model || same(mrm__str(model, "status"), "retired") || closed ||
	    (!same(sev, "critical") && !same(sev, "high")))
		return MRM_OK;
	if (json_object_get(k->covered, id)) {
		h->risk_accepted++;
		return MRM_OK;
	}
	if (same(sev, "critical"))
		h->critical++;
	else
		h->high++;
	if (due && strcmp(due, k->date) < 0)
		h->overdue++;
	opened = day_of(mrm__str(f, "created_at"));
	return vec_push(&h->ages, (double)(opened < 0 ? 0 : k->day - opened), err);
}

/* The findings then, in one pass that keeps nothing but what the KPIs need. */
static int load_findings(struct kctx *k, struct mrm_error *err)
{
	struct high_findings *h = calloc(1, sizeof(*h));
	json_t *m;
	const char *id;
	int rc;

	if (!(k->high = h))
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	json_object_foreach(k->models, id, m)
		if (!same(mrm__str(m, "status"), "retired"))
			h->models++;
	rc = each_state(k, "finding", "id",
			"SELECT id, model_id, severity, status, due, created_at FROM findings WHERE created_at <= ?",
			finding_state, h, err);
	vec_sort(&h->ages);
	return rc;
}

static int load_incidents(struct kctx *k, struct mrm_error *err)
{
	k->incidents = json_object();
	return each_state(k, "incident", "id", "SELECT * FROM incidents WHERE created_at <= ?", keep_row,
			  k->incidents, err);
}

static int kctx_init(struct kctx *k, struct mrm_ctx *ctx, const struct mrm_kpi_options *o,
		     struct mrm_error *err)
{
	const char *as_of = o && o->as_of ? o->as_of : mrm_ctx_today(ctx);
	int64_t t;
	int rc;

	memset(k, 0, sizeof(*k));
	k->ctx = ctx;
	k->o = o;
	if ((rc = mrm__kpi_end_of_day(ctx, as_of, k->date, k->end, err)))
		return rc;
	if (strcmp(k->date, mrm_ctx_today(ctx)) > 0)
		return mrm_error_set(err, MRM_EINPUT,
				     "as-of date %s is after today (%s): KPIs report what was true, not what will be",
				     k->date, mrm_ctx_today(ctx));
	mrm_date_parse(k->date, "as-of date", &t, NULL);
	k->day = t / DAY;
	k->t_next = t + DAY;
	k->t_wstart = k->t_next - (int64_t)MRM_KPI_WINDOW_DAYS * DAY;
	mrm_date_format(k->t_wstart, k->wfrom);
	mrm_time_format(k->t_wstart, k->wstart);
	/* models first (the others look up their model), acceptances before the findings */
	if ((rc = load_models(k, err)) || (rc = load_acceptances(k, err)) || (rc = load_findings(k, err)) ||
	    (rc = load_incidents(k, err)) || (rc = load_decisions(k, err)))
		return rc;
	return MRM_OK;
}

static void kctx_release(struct kctx *k)
{
	json_decref(k->models);
	json_decref(k->incidents);
	json_decref(k->acceptances);
	json_decref(k->covered);
	json_decref(k->linked);
	json_decref(k->last_decision);
	if (k->high)
		free(k->high->ages.v);
	free(k->high);
}

/* ---- the KPIs ------------------------------------------------------------------------ */

static bool production(json_t *model)
{
	return same(mrm__str(model, "status"), "production");
}

/* A model field is filled in: text not blank, a list not empty, any other value present. */
static bool filled(json_t *v)
{
	if (!v || json_is_null(v))
		return false;
	if (json_is_string(v))
		return !blank(json_string_value(v));
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
			if (!json_is_string(x) || !blank(json_string_value(x)))
				return true;
		return false;
	}
	return true;
}

static const char *const always_required[] = { "owner", "purpose", "intended_use", NULL };

static bool listed(const char *const *list, const char *s)
{
	for (; list && *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

/* The fields required at tier `tier` (1-3) as a new array: always, then the policy's. */
static json_t *required_fields(struct kctx *k, int tier)
{
	const char *const *extra = k->o ? k->o->inventory_fields[tier - 1] : NULL;
	json_t *a = json_array();

	for (const char *const *f = always_required; *f; f++)
		json_array_append_new(a, json_string(*f));
	json_array_append_new(a, json_string("tier"));
	for (; extra && *extra; extra++)
		if (!listed(always_required, *extra) && strcmp(*extra, "tier"))
			json_array_append_new(a, json_string(*extra));
	return a;
}

static int inventory_coverage(struct kctx *k, struct result *r, struct mrm_error *err)
{
	static const char *const buckets[] = { "1", "2", "3", "untiered" };
	json_t *required = json_object(), *by_tier = json_object(), *incomplete = json_array(), *m;
	int64_t complete = 0, pop[4] = { 0 }, ok[4] = { 0 };
	const char *id;

	(void)err;
	for (int t = 1; t <= MRM_KPI_TIERS; t++)
		json_object_set_new(required, buckets[t - 1], required_fields(k, t));
	json_object_foreach(k->models, id, m) {
		int64_t tier = int_of(m, "tier");
		int b = tier >= 1 && tier <= 3 ? (int)tier - 1 : 3;
		json_t *need = json_object_get(required, buckets[tier >= 1 && tier <= 3 ? tier - 1 : 0]);
		json_t *missing = json_array(), *f;
		size_t i;

		if (!production(m)) {
			json_decref(missing);
			continue;
		}
		r->population++;
		pop[b]++;
		json_array_foreach(need, i, f) {
			const char *name = json_string_value(f);
			if (!strcmp(name, "tier") ? b == 3 : !filled(json_object_get(m, name)))
				json_array_append(missing, f);
		}
		if (!json_array_size(missing)) {
			complete++;
			ok[b]++;
			json_decref(missing);
		} else {
			json_array_append_new(incomplete, json_pack("{s:s,s:o,s:o}", "model", id, "tier",
								    json_is_integer(json_object_get(m, "tier"))
									    ? json_integer(int_of(m, "tier"))
									    : json_null(),
								    "missing", missing));
		}
	}
	for (int b = 0; b < 4; b++)
		json_object_set_new(by_tier, buckets[b],
				    json_pack("{s:o,s:I,s:I}", "value", pop[b] ? ratio(ok[b], pop[b]) : json_null(),
					      "population", (json_int_t)pop[b], "complete", (json_int_t)ok[b]));
	if (r->population)
		r->value = ratio(complete, r->population);
	else
		snprintf(r->reason, sizeof(r->reason), "no model in production on %s", k->date);
	json_object_set_new(r->details, "complete", json_integer(complete));
	json_object_set_new(r->details, "by_tier", by_tier);
	json_object_set_new(r->details, "required", required);
	json_object_set_new(r->details, "incomplete", incomplete);
	return MRM_OK;
}

static int tier1_review_completion(struct kctx *k, struct result *r, struct mrm_error *err)
{
	json_t *gaps = json_array(), *m;
	int64_t complete = 0;
	const char *id;

	(void)err;
	json_object_foreach(k->models, id, m) {
		json_t *last;
		const char *due = mrm__str(m, "next_review_due"), *decision;
		char why[160];

		if (!production(m) || int_of(m, "tier") != 1)
			continue;
		r->population++;
		last = json_object_get(k->last_decision, id);
		decision = mrm__str(last, "decision");
		if (!last)
			snprintf(why, sizeof(why), "never reviewed");
		else if (!same(decision, "approve") && !same(decision, "conditional"))
			snprintf(why, sizeof(why), "last review R-%" PRId64 " was %s (%.10s)", int_of(last, "id"),
				 decision ? decision : "undecided", mrm__str(last, "decided_at"));
		else if (!due)
			snprintf(why, sizeof(why), "no next review date");
		else if (strcmp(due, k->date) < 0)
			snprintf(why, sizeof(why), "review overdue since %s", due);
		else {
			complete++;
			continue;
		}
		json_array_append_new(gaps, json_pack("{s:s,s:s}", "model", id, "reason", why));
	}
	if (r->population)
		r->value = ratio(complete, r->population);
	else
		snprintf(r->reason, sizeof(r->reason), "no tier 1 model in production on %s", k->date);
	json_object_set_new(r->details, "complete", json_integer(complete));
	json_object_set_new(r->details, "not_complete", gaps);
	return MRM_OK;
}

static int review_cycle_time(struct kctx *k, struct result *r, struct mrm_error *err)
{
	static const char *const buckets[] = { "1", "2", "3", "untiered" };
	json_t *rows = NULL, *row, *by_tier = json_object();
	struct vec all = { 0 }, tier[4] = { { 0 } };
	size_t i;
	int rc;

	if ((rc = mrm__rows(k->ctx,
			    "SELECT id, model_id, opened_at, decided_at FROM reviews WHERE decided_at IS NOT NULL "
			    "AND decided_at >= ? AND decided_at <= ? ORDER BY id",
			    PARAMS(PT(k->wstart), PT(k->end)), &rows, err)))
		goto out;
	json_array_foreach(rows, i, row) {
		int64_t a, b;
		json_t *m = json_object_get(k->models, mrm__str(row, "model_id"));
		int64_t t = int_of(m, "tier");
		double days;

		if (!time_of(row, "opened_at", &a) || !time_of(row, "decided_at", &b))
			continue;
		days = (double)(b - a) / DAY;
		if ((rc = vec_push(&all, days, err)) ||
		    (rc = vec_push(&tier[t >= 1 && t <= 3 ? t - 1 : 3], days, err)))
			goto out;
	}
	vec_sort(&all);
	r->population = (int64_t)all.n;
	if (all.n)
		r->value = num(vec_median(&all));
	else
		snprintf(r->reason, sizeof(r->reason), "no review decided from %s to %s", k->wfrom, k->date);
	for (int b = 0; b < 4; b++) {
		json_t *d;
		vec_sort(&tier[b]);
		d = distribution(&tier[b]);
		json_object_set_new(d, "population", json_integer((json_int_t)tier[b].n));
		json_object_set_new(by_tier, buckets[b], d);
	}
	json_object_set_new(r->details, "days", distribution(&all));
	json_object_set_new(r->details, "by_tier", by_tier);
	by_tier = NULL;
out:
	json_decref(by_tier);
	json_decref(rows);
	free(all.v);
	for (int b = 0; b < 4; b++)
		free(tier[b].v);
	return rc;
}

static int intake_first_pass_rate(struct kctx *k, struct result *r, struct mrm_error *err)
{
	json_t *rows = NULL, *row;
	int64_t complete = 0, not_assessed = 0;
	size_t i;
	int rc;

	if ((rc = mrm__rows(k->ctx,
			    "SELECT intake_complete FROM reviews WHERE opened_at >= ? AND opened_at <= ?",
			    PARAMS(PT(k->wstart), PT(k->end)), &rows, err)))
		return rc;
	json_array_foreach(rows, i, row) {
		json_t *v = json_object_get(row, "intake_complete");
		if (json_is_true(v) || (json_is_integer(v) && json_integer_value(v))) {
			complete++;
			r->population++;
		} else if (json_is_false(v) || json_is_integer(v)) {
			r->population++;
		} else {
			not_assessed++;
		}
	}
	json_decref(rows);
	if (r->population)
		r->value = ratio(complete, r->population);
	else
		snprintf(r->reason, sizeof(r->reason), "no review opened from %s to %s with its intake assessed",
			 k->wfrom, k->date);
	json_object_set_new(r->details, "complete", json_integer(complete));
	json_object_set_new(r->details, "incomplete", json_integer(r->population - complete));
	json_object_set_new(r->details, "not_assessed", json_integer(not_assessed));
	return MRM_OK;
}

static int open_high_findings(struct kctx *k, struct result *r, struct mrm_error *err)
{
	const struct high_findings *h = k->high;

	(void)err;
	r->population = h->models;
	if (h->models)
		r->value = json_integer(h->critical + h->high);
	else
		snprintf(r->reason, sizeof(r->reason), "no model in the inventory on %s (retired ones aside)",
			 k->date);
	json_object_set_new(r->details, "critical", json_integer(h->critical));
	json_object_set_new(r->details, "high", json_integer(h->high));
	json_object_set_new(r->details, "overdue", json_integer(h->overdue));
	json_object_set_new(r->details, "risk_accepted", json_integer(h->risk_accepted));
	return MRM_OK;
}

static int open_high_findings_age(struct kctx *k, struct result *r, struct mrm_error *err)
{
	static const struct { const char *name; int lo, hi; } bands[] = {
		{ "0-30", 0, 30 }, { "31-90", 31, 90 }, { "91-180", 91, 180 }, { "181+", 181, -1 },
	};
	const struct high_findings *h = k->high;
	json_t *ages = json_object();

	(void)err;
	r->population = (int64_t)h->ages.n;
	if (h->ages.n)
		r->value = num(vec_median(&h->ages));
	else
		snprintf(r->reason, sizeof(r->reason), "no open high or critical finding on %s", k->date);
	json_object_set_new(r->details, "days", distribution(&h->ages));
	for (size_t b = 0; b < sizeof(bands) / sizeof(bands[0]); b++) {
		int64_t n = 0;
		for (size_t i = 0; i < h->ages.n; i++)
			if (h->ages.v[i] >= bands[b].lo && (bands[b].hi < 0 || h->ages.v[i] <= bands[b].hi))
				n++;
		json_object_set_new(ages, bands[b].name, json_integer(n));
	}
	json_object_set_new(r->details, "ages", ages);
	json_object_set_new(r->details, "overdue", json_integer(h->overdue));
	return MRM_OK;
}

static int repeat_finding_rate(struct kctx *k, struct result *r, struct mrm_error *err)
{
	json_t *row = NULL;
	int64_t repeats;
	int rc;

	if ((rc = mrm__row(k->ctx,
			   "SELECT count(*) AS n, count(repeat_of) AS repeats FROM findings "
			   "WHERE created_at >= ? AND created_at <= ?",
			   PARAMS(PT(k->wstart), PT(k->end)), &row, err)))
		return rc;
	r->population = int_of(row, "n");
	repeats = int_of(row, "repeats");
	json_decref(row);
	if (r->population)
		r->value = ratio(repeats, r->population);
	else
		snprintf(r->reason, sizeof(r->reason), "no finding raised from %s to %s", k->wfrom, k->date);
	json_object_set_new(r->details, "repeats", json_integer(repeats));
	return MRM_OK;
}

/*
 * Production model-years in the window: for each model, the time its recorded status was
 * production between the window's first second and the end of D, from its audit events.
 */
static int exposure(struct kctx *k, double *years, int64_t *models, struct mrm_error *err)
{
	struct mrm_stmt *s = NULL;
	char *cur = NULL;
	int64_t since = 0, seconds = 0, total = 0;
	bool prod = false;
	int rc;

	*years = 0;
	*models = 0;
	if ((rc = mrm_store_prepare(mrm_ctx_store(k->ctx),
				    "SELECT object_id, ts, change FROM audit_events WHERE object_type = 'model' "
				    "AND ts <= ? ORDER BY object_id, seq",
				    &s, err)))
		return rc;
	if (mrm_stmt_bind_text(s, 1, k->end)) {
		mrm_stmt_free(s);
		return mrm_error_set(err, MRM_ESTORE, "internal: cannot bind a KPI query");
	}
/* Adds [a, b) clipped to the window to the current model's seconds. */
#define SPAN(a, b)                                                                   \
	do {                                                                         \
		int64_t lo_ = (a) > k->t_wstart ? (a) : k->t_wstart;                 \
		int64_t hi_ = (b) < k->t_next ? (b) : k->t_next;                     \
		if (hi_ > lo_)                                                       \
			seconds += hi_ - lo_;                                        \
	} while (0)
	while ((rc = mrm_stmt_step(s, err)) == MRM_ROW) {
		const char *id = mrm_stmt_col_text(s, 0), *ts = mrm_stmt_col_text(s, 1);
		const char *change = mrm_stmt_col_text(s, 2);
		bool now_prod = false;
		int64_t t;

		if (!id || !ts || mrm_time_parse(ts, "ts", &t, NULL))
			continue;
		/* Most events of most models never mention production: no need to parse those. */
		if (change && strstr(change, "\"production\"")) {
			json_t *doc = json_loads(change, 0, NULL);
			json_t *after = json_object_get(doc, "after");
			now_prod = json_is_object(after) && production(after);
			json_decref(doc);
		}
		if (!cur || strcmp(cur, id)) {
			if (cur && prod)
				SPAN(since, k->t_next);
			if (seconds)
				(*models)++;
			total += seconds;
			seconds = 0;
			prod = false;
			free(cur);
			if (!(cur = strdup(id))) {
				rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
				break;
			}
		}
		if (now_prod && !prod)
			since = t;
		else if (!now_prod && prod)
			SPAN(since, t);
		prod = now_prod;
	}
	if (!rc) {
		if (cur && prod)
			SPAN(since, k->t_next);
		if (seconds)
			(*models)++;
		total += seconds;
	}
#undef SPAN
	free(cur);
	mrm_stmt_free(s);
	*years = (double)total / YEAR_SECONDS;
	return rc;
}

/* The incidents with their onset in the window, as recorded by the end of D. */
static bool in_window(struct kctx *k, json_t *incident)
{
	const char *s = mrm__str(incident, "started");
	return s && strcmp(s, k->wstart) >= 0 && strcmp(s, k->end) <= 0;
}

static int incident_rate(struct kctx *k, struct result *r, struct mrm_error *err)
{
	static const char *const sevs[] = { "sev1", "sev2", "sev3", "sev4" };
	json_t *by_sev = json_object(), *weights = json_object(), *inc;
	int64_t n[4] = { 0 }, count = 0, weighted = 0;
	const char *id;
	double years;
	int rc;

	if ((rc = exposure(k, &years, &r->population, err))) {
		json_decref(by_sev);
		json_decref(weights);
		return rc;
	}
	json_object_foreach(k->incidents, id, inc) {
		if (!in_window(k, inc))
			continue;
		for (int s = 0; s < 4; s++)
			if (same(mrm__str(inc, "severity"), sevs[s])) {
				n[s]++;
				weighted += 4 - s;
				count++;
			}
	}
	for (int s = 0; s < 4; s++) {
		json_object_set_new(by_sev, sevs[s], json_integer(n[s]));
		json_object_set_new(weights, sevs[s], json_integer(4 - s));
	}
	if (years > 0)
		r->value = json_real((double)weighted / years);
	else
		snprintf(r->reason, sizeof(r->reason), "no model in production from %s to %s", k->wfrom, k->date);
	json_object_set_new(r->details, "production_model_years", json_real(years));
	json_object_set_new(r->details, "incidents", json_integer(count));
	json_object_set_new(r->details, "weighted_incidents", json_integer(weighted));
	json_object_set_new(r->details, "by_severity", by_sev);
	json_object_set_new(r->details, "weights", weights);
	return MRM_OK;
}

/* Hours between two times of each incident in the window that has both. */
static int incident_hours(struct kctx *k, const char *from, const char *to, struct vec *v,
			  int64_t *without, struct mrm_error *err)
{
	json_t *inc;
	const char *id;
	int rc;

	*without = 0;
	json_object_foreach(k->incidents, id, inc) {
		int64_t a, b;
		if (!in_window(k, inc))
			continue;
		if (!time_of(inc, from, &a) || !time_of(inc, to, &b)) {
			(*without)++;
			continue;
		}
		if ((rc = vec_push(v, (double)(b - a) / 3600, err)))
			return rc;
	}
	vec_sort(v);
	return MRM_OK;
}

static int mttd_hours(struct kctx *k, struct result *r, struct mrm_error *err)
{
	struct vec v = { 0 };
	int64_t without;
	int rc = incident_hours(k, "started", "detected", &v, &without, err);

	if (!rc) {
		r->population = (int64_t)v.n;
		if (v.n)
			r->value = num(vec_mean(&v));
		else
			snprintf(r->reason, sizeof(r->reason), "no incident with onset from %s to %s",
				 k->wfrom, k->date);
		json_object_set_new(r->details, "hours", distribution(&v));
	}
	free(v.v);
	return rc;
}

static int mttr_hours(struct kctx *k, struct result *r, struct mrm_error *err)
{
	struct vec v = { 0 };
	int64_t unmitigated;
	int rc = incident_hours(k, "detected", "mitigated", &v, &unmitigated, err);

	if (!rc) {
		r->population = (int64_t)v.n;
		if (v.n)
			r->value = num(vec_mean(&v));
		else
			snprintf(r->reason, sizeof(r->reason),
				 "no incident with onset from %s to %s mitigated by then", k->wfrom, k->date);
		json_object_set_new(r->details, "hours", distribution(&v));
		json_object_set_new(r->details, "unmitigated", json_integer(unmitigated));
	}
	free(v.v);
	return rc;
}

/*
 * Takes the figures of a KPI of the monitoring module (include/mrm/monitor.h): value and
 * population; the rest but its as_of, unit, target and reason as details (the target is
 * this table's, the reason `empty`).
 */
static int from_monitoring(struct result *r, json_t *doc, const char *empty)
{
	const char *key;
	json_t *v;

	json_object_foreach(doc, key, v) {
		if (!strcmp(key, "value"))
			r->value = json_is_number(v) ? json_incref(v) : NULL;
		else if (!strcmp(key, "population"))
			r->population = json_integer_value(v);
		else if (strcmp(key, "as_of") && strcmp(key, "unit") && strcmp(key, "target") &&
			 strcmp(key, "reason"))
			json_object_set(r->details, key, v);
	}
	snprintf(r->reason, sizeof(r->reason), "%s", empty);
	json_decref(doc);
	return MRM_OK;
}

static int monitoring_coverage(struct kctx *k, struct result *r, struct mrm_error *err)
{
	char empty[128];
	json_t *doc = NULL;
	int rc = mrm_kpi_monitoring_coverage(k->ctx, k->date, &doc, err);

	snprintf(empty, sizeof(empty), "no tier 1 model in production on %s", k->date);
	return rc ? rc : from_monitoring(r, doc, empty);
}

static int alert_false_positives(struct kctx *k, struct result *r, struct mrm_error *err)
{
	char empty[128];
	json_t *doc = NULL;
	int rc = mrm_kpi_alert_false_positive_rate(k->ctx, k->date, &doc, err);

	snprintf(empty, sizeof(empty), "no alert resolved by %s", k->date);
	return rc ? rc : from_monitoring(r, doc, empty);
}

static void display_id(const char *prefix, int64_t id, char buf[24])
{
	mrm__format_id(prefix, id, buf);
}

static int acceptance_completeness(struct kctx *k, struct result *r, struct mrm_error *err)
{
	json_t *gaps = json_array(), *a;
	int64_t complete = 0;
	size_t i;

	(void)err;
	json_array_foreach(k->acceptances, i, a) {
		json_t *missing = json_array(), *t, *triggers = json_object_get(a, "triggers");
		bool any_trigger = false;
		size_t j;
		char id[24];

		if (!in_force(k, a) || !live_model(k, a)) {
			json_decref(missing);
			continue;
		}
		r->population++;
		if (blank(mrm__str(a, "rationale")))
			json_array_append_new(missing, json_string("rationale"));
		if (blank(mrm__str(a, "accepted_by")) || blank(mrm__str(a, "authority_role")))
			json_array_append_new(missing, json_string("approver"));
		if (blank(mrm__str(a, "expires")))
			json_array_append_new(missing, json_string("expires"));
		if (!json_array_size(json_object_get(a, "finding_ids")))
			json_array_append_new(missing, json_string("findings"));
		json_array_foreach(triggers, j, t)
			if (json_is_string(t) && !blank(json_string_value(t)))
				any_trigger = true;
		if (!any_trigger)
			json_array_append_new(missing, json_string("triggers"));
		if (blank(mrm__str(a, "controls")))
			json_array_append_new(missing, json_string("controls"));
		if (!json_array_size(missing)) {
			complete++;
			json_decref(missing);
			continue;
		}
		display_id("A", int_of(a, "id"), id);
		json_array_append_new(gaps, json_pack("{s:s,s:s,s:o}", "acceptance", id, "model",
						      mrm__str(a, "model_id"), "missing", missing));
	}
	if (r->population)
		r->value = ratio(complete, r->population);
	else
		snprintf(r->reason, sizeof(r->reason), "no risk acceptance in force on %s (on models not retired)",
			 k->date);
	json_object_set_new(r->details, "complete", json_integer(complete));
	json_object_set_new(r->details, "incomplete", gaps);
	return MRM_OK;
}

static int expired_acceptances(struct kctx *k, struct result *r, struct mrm_error *err)
{
	json_t *list = json_array(), *a;
	int64_t expired = 0, still = 0, findings = 0;
	size_t i;

	(void)err;
	json_array_foreach(k->acceptances, i, a) {
		json_t *open = json_array(), *fid;
		const char *expires = mrm__str(a, "expires");
		size_t j;
		char id[24];

		if (revoked_by(k, a) || !live_model(k, a)) {
			json_decref(open);
			continue;
		}
		r->population++;
		if (!expires || strcmp(expires, k->date) > 0) {
			json_decref(open);
			continue;
		}
		expired++;
		json_array_foreach(json_object_get(a, "finding_ids"), j, fid) {
			char key[24], shown[24];
			snprintf(key, sizeof(key), "%" JSON_INTEGER_FORMAT, json_integer_value(fid));
			if (!json_is_true(json_object_get(k->linked, key)) || json_object_get(k->covered, key))
				continue;
			display_id("F", json_integer_value(fid), shown);
			json_array_append_new(open, json_string(shown));
		}
		if (!json_array_size(open)) {
			json_decref(open);
			continue;
		}
		still++;
		findings += (int64_t)json_array_size(open);
		display_id("A", int_of(a, "id"), id);
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:o}", "acceptance", id, "model",
						      mrm__str(a, "model_id"), "expired_on", expires,
						      "open_findings", open));
	}
	if (r->population)
		r->value = json_integer(still);
	else
		snprintf(r->reason, sizeof(r->reason),
			 "no risk acceptance recorded by %s (revoked ones and retired models aside)", k->date);
	json_object_set_new(r->details, "expired", json_integer(expired));
	json_object_set_new(r->details, "open_findings", json_integer(findings));
	json_object_set_new(r->details, "acceptances", list);
	return MRM_OK;
}

static int overdue_reviews(struct kctx *k, struct result *r, struct mrm_error *err)
{
	json_t *late = json_array(), *never = json_array(), *m;
	struct vec days = { 0 };
	const char *id;
	int rc = MRM_OK;

	json_object_foreach(k->models, id, m) {
		const char *due = mrm__str(m, "next_review_due");
		if (!production(m))
			continue;
		r->population++;
		if (due && strcmp(due, k->date) < 0) {
			int64_t d = k->day - day_of(due);
			if ((rc = vec_push(&days, (double)d, err)))
				goto out;
			json_array_append_new(late, json_pack("{s:s,s:s,s:I}", "model", id, "due", due,
							      "days_overdue", (json_int_t)d));
		} else if (!due && !json_object_get(k->last_decision, id)) {
			json_array_append_new(never, json_string(id));
		}
	}
	vec_sort(&days);
	if (r->population)
		r->value = json_integer((json_int_t)(days.n + json_array_size(never)));
	else
		snprintf(r->reason, sizeof(r->reason), "no model in production on %s", k->date);
	json_object_set_new(r->details, "past_due", json_integer((json_int_t)days.n));
	json_object_set_new(r->details, "never_reviewed", json_integer((json_int_t)json_array_size(never)));
	json_object_set_new(r->details, "days_overdue", distribution(&days));
	json_object_set_new(r->details, "models", late);
	json_object_set_new(r->details, "never_reviewed_models", never);
	late = never = NULL;
out:
	json_decref(late);
	json_decref(never);
	free(days.v);
	return rc;
}

/* ---- the table of KPIs ------------------------------------------------------------------ */

struct kpi_def {
	struct mrm_kpi_info info;
	const char *population_of;
	int (*fn)(struct kctx *k, struct result *r, struct mrm_error *err);
};

#define PCT MRM_KPI_SCALE_PERCENT
#define CNT MRM_KPI_SCALE_COUNT
#define AMT MRM_KPI_SCALE_AMOUNT
#define DEF(id, title, unit, scale, op, target, population_of, fn) \
	{ { id, title, unit, scale, { id, MRM_KPI_##op, target } }, population_of, fn }

/* Same order as mrm_kpi_ids. Targets and their reasons: docs/kpi.md. */
static const struct kpi_def defs[] = {
	DEF("inventory_coverage", "Inventory coverage (required metadata complete)", "ratio", PCT, AT_LEAST, 1,
	    "production models", inventory_coverage),
	DEF("tier1_review_completion", "Tier 1 review completion", "ratio", PCT, AT_LEAST, 1,
	    "tier 1 production models", tier1_review_completion),
	DEF("review_cycle_time_median_days", "Median review cycle time", "days", AMT, AT_MOST, 90,
	    "reviews decided in the window", review_cycle_time),
	DEF("intake_first_pass_rate", "Intake first-pass quality rate", "ratio", PCT, AT_LEAST, 0.8,
	    "reviews opened in the window, intake assessed", intake_first_pass_rate),
	DEF("open_high_findings", "Open high and critical findings", "findings", CNT, EQUAL, 0,
	    "models in the inventory, not retired", open_high_findings),
	DEF("open_high_findings_age_days", "Median age of open high and critical findings", "days", AMT, AT_MOST,
	    90, "open high and critical findings", open_high_findings_age),
	DEF("repeat_finding_rate", "Repeat finding rate", "ratio", PCT, AT_MOST, 0.1,
	    "findings raised in the window", repeat_finding_rate),
	DEF("incident_rate", "Incident rate (severity-weighted)", "weighted incidents per model-year", AMT,
	    AT_MOST, 1, "models in production in the window", incident_rate),
	DEF("mttd_hours", "Mean time to detect (onset to detection)", "hours", AMT, AT_MOST, 24,
	    "incidents with onset in the window", mttd_hours),
	DEF("mttr_hours", "Mean time to mitigate (detection to mitigation)", "hours", AMT, AT_MOST, 48,
	    "incidents with onset in the window, mitigated", mttr_hours),
	DEF("monitoring_coverage_tier1", "Monitoring coverage of tier 1", "ratio", PCT, AT_LEAST, 1,
	    "tier 1 production models", monitoring_coverage),
	DEF("alert_false_positive_rate", "Alert false-positive rate", "ratio", PCT, AT_MOST, 0.5,
	    "alerts resolved by then", alert_false_positives),
	DEF("acceptance_completeness", "Risk acceptance documentation completeness", "ratio", PCT, AT_LEAST, 1,
	    "acceptances in force, models not retired", acceptance_completeness),
	DEF("expired_acceptances", "Expired acceptances with findings still open", "acceptances", CNT, EQUAL, 0,
	    "acceptances not revoked, models not retired", expired_acceptances),
	DEF("overdue_reviews", "Production models overdue for review", "models", CNT, EQUAL, 0,
	    "production models", overdue_reviews),
};

#undef DEF
#undef PCT
#undef CNT
#undef AMT

#define NDEFS (sizeof(defs) / sizeof(defs[0]))
_Static_assert(NDEFS == MRM_KPI_COUNT, "MRM_KPI_COUNT is the number of KPIs");

static const struct kpi_def *def_of(const char *id)
{
	for (size_t i = 0; id && i < NDEFS; i++)
		if (!strcmp(defs[i].info.id, id))
			return &defs[i];
	return NULL;
}

const struct mrm_kpi_info *mrm_kpi_info(const char *id)
{
	const struct kpi_def *d = def_of(id);
	return d ? &d->info : NULL;
}

/* ---- targets ----------------------------------------------------------------------------- */

static const char *const op_texts[] = { ">=", "<=", "=", ">", "<" };

/* The largest number a target may hold: no KPI reaches it, and it prints exactly. */
#define TARGET_MAX 1e9

/* "a percentage (0 to 100)", "a count of findings (0 or more)", "in hours (0 or more)". */
static const char *scale_text(const struct mrm_kpi_info *in, bool range, char *buf, size_t cap)
{
	switch (in->scale) {
	case MRM_KPI_SCALE_PERCENT: snprintf(buf, cap, "a percentage%s", range ? " (0 to 100)" : ""); break;
	case MRM_KPI_SCALE_COUNT: snprintf(buf, cap, "a count of %s%s", in->unit, range ? " (0 or more)" : ""); break;
	default: snprintf(buf, cap, "in %s%s", in->unit, range ? " (0 or more)" : ""); break;
	}
	return buf;
}

int mrm_kpi_target_parse(const char *id, const char *text, struct mrm_kpi_target *out,
			 struct mrm_error *err)
{
	const struct mrm_kpi_info *in = mrm_kpi_info(id);
	const char *s = text ? text : "", *op, *num, *p;
	char ids[512], what[96];
	size_t oplen, numlen;
	bool pct = false, whole = true;
	double v;
	int o = -1;

	if (!in) {
		size_t len = 0;
		ids[0] = '\0';
		for (size_t i = 0; i < NDEFS && len + 1 < sizeof(ids); i++) {
			int n = snprintf(ids + len, sizeof(ids) - len, "%s%s", i ? ", " : "", defs[i].info.id);
			len = n < 0 || len + (size_t)n >= sizeof(ids) ? sizeof(ids) - 1 : len + (size_t)n;
		}
		return mrm_error_set(err, MRM_EINPUT, "unknown KPI '%.64s' (expected one of: %s)", id ? id : "", ids);
	}
	scale_text(in, true, what, sizeof(what));
	while (*s == ' ' || *s == '\t')
		s++;
	op = s;
	oplen = strspn(s, "<>=!");
	if (!oplen)
		return mrm_error_set(err, MRM_EINPUT,
				     "'%.64s' has no operator (expected >=, <=, =, > or < and a number, e.g. \">= 95\")",
				     text ? text : "");
	for (int i = 0; i < 5; i++)
		if (strlen(op_texts[i]) == oplen && !strncmp(op, op_texts[i], oplen))
			o = i;
	if (o < 0)
		return mrm_error_set(err, MRM_EINPUT, "unknown operator '%.*s' in '%.64s' (expected >=, <=, =, > or <)",
				     (int)oplen, op, text);
	s += oplen;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return mrm_error_set(err, MRM_EINPUT, "'%.64s' has no number (e.g. \"%s 95\")", text, op_texts[o]);
	/* -?[0-9]+(\.[0-9]+)? then an optional % and spaces, nothing else */
	num = p = s;
	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		goto nan;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		if (!isdigit((unsigned char)p[1]))
			goto nan;
		for (p++; isdigit((unsigned char)*p); p++)
			if (*p != '0')
				whole = false;
	}
	numlen = (size_t)(p - num);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '%') {
		pct = true;
		for (p++; *p == ' ' || *p == '\t'; p++)
			;
	}
	if (*p)
		goto nan;
	{
		char buf[64];
		if (numlen >= sizeof(buf))
			return mrm_error_set(err, MRM_EINPUT, "'%.*s' is too large (at most %.0f)", (int)(numlen < 64 ? numlen : 64), num,
					     TARGET_MAX);
		memcpy(buf, num, numlen);
		buf[numlen] = '\0';
		v = strtod(buf, NULL);
	}
	if (pct && in->scale != MRM_KPI_SCALE_PERCENT)
		return mrm_error_set(err, MRM_EINPUT, "'%.64s': %s is not a percentage, it is %s (drop the %%)", text,
				     in->id, scale_text(in, false, what, sizeof(what)));
	if (v < 0)
		return mrm_error_set(err, MRM_EINPUT, "%.*s is negative: %s is %s", (int)numlen, num, in->id, what);
	if (v > TARGET_MAX)
		return mrm_error_set(err, MRM_EINPUT, "%.*s is too large (at most %.0f)", (int)numlen, num, TARGET_MAX);
	if (in->scale == MRM_KPI_SCALE_PERCENT) {
		if (v > 100)
			return mrm_error_set(err, MRM_EINPUT, "%.*s is above 100: %s is %s", (int)numlen, num, in->id, what);
		if (!pct && v > 0 && v <= 1)
			return mrm_error_set(err, MRM_EINPUT,
					     "'%.64s' is ambiguous: %s is a percentage, written 0 to 100 (write \"%s "
					     "%.10g\" for %.10g %%, or \"%s %.*s%%\" if you mean %.*s %%)",
					     text, in->id, op_texts[o], v * 100, v * 100, op_texts[o], (int)numlen, num,
					     (int)numlen, num);
		if (o == MRM_KPI_ABOVE && v >= 100)
			return mrm_error_set(err, MRM_EINPUT, "'%.64s' can never be met: %s is at most 100 %%", text, in->id);
	}
	if (in->scale == MRM_KPI_SCALE_COUNT && !whole)
		return mrm_error_set(err, MRM_EINPUT, "%.*s is not a whole number: %s is %s", (int)numlen, num, in->id,
				     what);
	if (o == MRM_KPI_BELOW && v <= 0)
		return mrm_error_set(err, MRM_EINPUT, "'%.64s' can never be met: %s is never negative", text, in->id);
	out->kpi = in->id;
	out->op = (enum mrm_kpi_op)o;
	out->value = in->scale == MRM_KPI_SCALE_PERCENT ? v / 100 : v;
	return MRM_OK;
nan:
	return mrm_error_set(err, MRM_EINPUT, "'%.64s' is not a number (in '%.64s'; expected e.g. \"%s 95\")", s, text,
			     op_texts[o]);
}

/* `x` with at most `digits` significant digits, no trailing zeros, never "-0". */
static const char *short_number(double x, int digits, char *buf, size_t cap)
{
	snprintf(buf, cap, "%.*g", digits, x == 0 ? 0 : x);
	return buf;
}

const char *mrm_kpi_target_text(const struct mrm_kpi_target *t, bool percent, char *buf, size_t cap)
{
	const struct mrm_kpi_info *in = mrm_kpi_info(t->kpi);
	const char *op = (unsigned)t->op < 5 ? op_texts[t->op] : "?";
	char n[48];

	if (percent && in && in->scale == MRM_KPI_SCALE_PERCENT)
		snprintf(buf, cap, "%s %s%%", op, short_number(t->value * 100, 10, n, sizeof(n)));
	else
		snprintf(buf, cap, "%s %s", op, short_number(t->value, 15, n, sizeof(n)));
	return buf;
}

bool mrm_kpi_target_met(const struct mrm_kpi_target *t, double v)
{
	switch (t->op) {
	case MRM_KPI_AT_LEAST: return v >= t->value - 1e-12;
	case MRM_KPI_AT_MOST: return v <= t->value + 1e-12;
	case MRM_KPI_ABOVE: return v > t->value + 1e-12;
	case MRM_KPI_BELOW: return v < t->value - 1e-12;
	default: return fabs(v - t->value) <= 1e-12;
	}
}

/* The target of KPI `d`: the caller's when it gives one (`*from_policy` true), else mrm's default. */
static const struct mrm_kpi_target *target_of(const struct mrm_kpi_options *o, const struct kpi_def *d,
					      bool *from_policy)
{
	*from_policy = false;
	for (size_t i = 0; o && i < o->ntargets; i++)
		if (!strcmp(o->targets[i].kpi, d->info.id)) {
			*from_policy = true;
			return &o->targets[i];
		}
	return &d->info.target;
}

/* The caller's targets: known KPIs, each once, finite values. */
static int check_targets(const struct mrm_kpi_options *o, struct mrm_error *err)
{
	for (size_t i = 0; o && i < o->ntargets; i++) {
		const struct mrm_kpi_target *t = &o->targets[i];
		if (!t->kpi || !def_of(t->kpi))
			return mrm_error_set(err, MRM_EINPUT, "a KPI target names an unknown KPI '%.64s'",
					     t->kpi ? t->kpi : "");
		if (!isfinite(t->value) || (unsigned)t->op > MRM_KPI_BELOW)
			return mrm_error_set(err, MRM_EINPUT, "the target of KPI %s is not an operator and a number",
					     t->kpi);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(o->targets[j].kpi, t->kpi))
				return mrm_error_set(err, MRM_EINPUT, "KPI %s has two targets", t->kpi);
	}
	return MRM_OK;
}

static int one(struct kctx *k, const struct kpi_def *d, json_t *kpis, struct mrm_error *err)
{
	struct result r = { .value = NULL, .details = json_object() };
	const struct mrm_kpi_target *t;
	const char *key, *status;
	bool from_policy;
	char target[64];
	json_t *kpi, *v;
	int rc;

	if ((rc = d->fn(k, &r, err))) {
		json_decref(r.value);
		json_decref(r.details);
		return rc;
	}
	if (!r.population && r.value) { /* an empty population never has a value */
		json_decref(r.value);
		r.value = NULL;
	}
	if (!r.value && !r.reason[0])
		snprintf(r.reason, sizeof(r.reason), "empty population on %s", k->date);
	t = target_of(k->o, d, &from_policy);
	mrm_kpi_target_text(t, false, target, sizeof(target));
	status = !json_is_number(r.value) ? "n/a" : mrm_kpi_target_met(t, json_number_value(r.value)) ? "met" : "not met";
	kpi = json_pack("{s:s,s:o,s:s,s:s,s:s,s:s,s:I,s:s}", "title", d->info.title, "value",
			r.value ? json_incref(r.value) : json_null(), "unit", d->info.unit, "target", target,
			"target_source", from_policy ? "policy" : "default", "status", status, "population",
			(json_int_t)r.population, "population_of", d->population_of);
	if (!r.value)
		json_object_set_new(kpi, "reason", json_string(r.reason));
	json_object_foreach(r.details, key, v)
		json_object_set(kpi, key, v);
	json_object_set_new(kpis, d->info.id, kpi);
	json_decref(r.value);
	json_decref(r.details);
	return MRM_OK;
}

int mrm_kpi_compute(struct mrm_ctx *ctx, const struct mrm_kpi_options *o, json_t **out,
		    struct mrm_error *err)
{
	struct kctx k;
	json_t *kpis = json_object(), *policy = NULL;
	int rc;

	*out = NULL;
	memset(&k, 0, sizeof(k));
	if ((rc = check_targets(o, err)) || (rc = kctx_init(&k, ctx, o, err)))
		goto out;
	for (size_t i = 0; i < NDEFS; i++)
		if ((rc = one(&k, &defs[i], kpis, err)))
			goto out;
	if (o && o->policy_name)
		policy = json_pack("{s:s,s:s?,s:s?}", "name", o->policy_name, "source", o->policy_source, "sha256",
				   o->policy_sha256);
	*out = json_pack("{s:s,s:{s:s,s:s},s:o,s:O}", "as_of", k.date, "window", "from", k.wfrom, "to", k.date,
			 "policy", policy ? policy : json_null(), "kpis", kpis);
out:
	kctx_release(&k);
	json_decref(kpis);
	return rc;
}

/* ---- trends ------------------------------------------------------------------------------ */

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The day `months` calendar months after the date y-m-d, clamped to the month's last day. */
static int64_t add_months(int64_t y, int m, int d, int64_t months)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t mm = (int64_t)(m - 1) + months;
	int last;

	y += mm / 12;
	m = (int)(mm % 12) + 1;
	last = mdays[m - 1] + (m == 2 && leap(y));
	return mrm_days_from_civil(y, (unsigned)m, (unsigned)(d > last ? last : d));
}

int mrm_kpi_dates(const char *from, const char *to, const char *every, json_t **out,
		  struct mrm_error *err)
{
	int64_t a, b, step = 0, last = -1;
	char unit = 0, date[MRM_DATE_LEN];
	int rc, y, m, d;
	char *end;
	long n;

	*out = NULL;
	if ((rc = mrm_date_parse(from, "--from", &a, err)) || (rc = mrm_date_parse(to, "--to", &b, err)))
		return rc;
	a /= DAY;
	b /= DAY;
	if (a > b)
		return mrm_error_set(err, MRM_EINPUT, "--from %s is after --to %s", from, to);
	n = every ? strtol(every, &end, 10) : 0;
	if (every && isdigit((unsigned char)every[0]) && n >= 1 && n <= 366 && end[0] && !end[1] &&
	    strchr("dwm", end[0]))
		unit = end[0];
	if (!unit)
		return mrm_error_set(err, MRM_EINPUT,
				     "--every '%s' is not a period (expected N followed by d, w or m: 1w, 1m)",
				     every ? every : "");
	step = unit == 'd' ? n : unit == 'w' ? 7 * n : 0;
	y = atoi(from);
	m = atoi(from + 5);
	d = atoi(from + 8);
	*out = json_array();
	for (int64_t i = 0;; i++) {
		int64_t day = unit == 'm' ? add_months(y, m, d, i * n) : a + i * step;
		if (day > b)
			break;
		if (json_array_size(*out) >= MRM_KPI_MAX_DATES)
			goto too_many;
		date_of_day(day, date);
		json_array_append_new(*out, json_string(date));
		last = day;
	}
	if (last != b) {
		if (json_array_size(*out) >= MRM_KPI_MAX_DATES)
			goto too_many;
		date_of_day(b, date);
		json_array_append_new(*out, json_string(date));
	}
	return MRM_OK;
too_many:
	json_decref(*out);
	*out = NULL;
	return mrm_error_set(err, MRM_EINPUT,
			     "--from %s --to %s --every %s gives more than %d dates: use a longer period", from, to,
			     every, MRM_KPI_MAX_DATES);
}

int mrm_kpi_trend(struct mrm_ctx *ctx, const struct mrm_kpi_options *o, const char *from,
		  const char *to, const char *every, json_t **out, struct mrm_error *err)
{
	struct mrm_kpi_options one_date = { 0 };
	json_t *dates = NULL, *series = json_array(), *date, *doc;
	size_t i;
	int rc;

	*out = NULL;
	if (o)
		one_date = *o;
	if ((rc = mrm_kpi_dates(from, to, every, &dates, err)))
		goto out;
	if (strcmp(json_string_value(json_array_get(dates, json_array_size(dates) - 1)), mrm_ctx_today(ctx)) > 0) {
		rc = mrm_error_set(err, MRM_EINPUT,
				   "--to %s is after today (%s): KPIs report what was true, not what will be", to,
				   mrm_ctx_today(ctx));
		goto out;
	}
	json_array_foreach(dates, i, date) {
		one_date.as_of = json_string_value(date);
		if ((rc = mrm_kpi_compute(ctx, &one_date, &doc, err)))
			goto out;
		json_array_append_new(series, doc);
	}
	*out = json_pack("{s:s,s:s,s:s,s:O,s:O,s:O}", "from", json_string_value(json_array_get(dates, 0)), "to",
			 json_string_value(json_array_get(dates, json_array_size(dates) - 1)), "every", every,
			 "policy", json_object_get(json_array_get(series, 0), "policy"), "dates", dates, "series",
			 series);
out:
	json_decref(dates);
	json_decref(series);
	return rc;
}
