/*
 * Governance documents from the store: the facts about a model that every
 * document reads (model, tier, findings, acceptances, monitors, incidents,
 * the stored validation run), and the content of the model card, the
 * validation document and the acceptance memo. The MRA is doc-mra.c, the
 * Annex IV skeleton doc-annex.c; lib/report renders them all.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/core.h"
#include "core/doc.h"
#include "mrm/acceptance.h"
#include "mrm/finding.h"
#include "mrm/hash.h"
#include "mrm/incident.h"
#include "mrm/model.h"
#include "mrm/monitor.h"
#include "mrm/review.h"
#include "mrm/tier.h"

/* ---- small JSON helpers ------------------------------------------------------ */

/* A new object with the keys of `src` named in `keys` (null when absent). */
static json_t *pick(json_t *src, const char *const *keys)
{
	json_t *o = json_object();

	for (; *keys; keys++) {
		json_t *v = json_object_get(src, *keys);
		json_object_set_new(o, *keys, v ? json_deep_copy(v) : json_null());
	}
	return o;
}

/* The element of array `a` whose "id" is `id`, or NULL. */
static json_t *by_id(json_t *a, const char *id)
{
	size_t i;
	json_t *e;

	json_array_foreach(a, i, e)
		if (id && mrm__str(e, "id") && !strcmp(mrm__str(e, "id"), id))
			return e;
	return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = s ? strlen(s) : 0, k = strlen(suffix);

	return n >= k && !strcasecmp(s + n - k, suffix);
}

/* ---- the stored validation run ---------------------------------------------------- */

/*
 * Reads the result file of evidence row `ev`: at most MRM_DOC_MAX_RESULT
 * bytes, with the registered size and SHA-256, holding a JSON object with
 * "metrics". On failure `why` says what is wrong and -1 is returned.
 */
static int read_run(json_t *ev, json_t **out, char *why, size_t cap)
{
	const char *path = mrm__str(ev, "path"), *id = mrm__str(ev, "id");
	const char *sha = mrm__str(ev, "sha256");
	json_int_t size = json_integer_value(json_object_get(ev, "size"));
	char hex[MRM_SHA256_HEX];
	struct stat st;
	json_error_t jerr;
	char *buf = NULL;
	FILE *fp = NULL;
	json_t *doc = NULL;
	int rc = -1;

	*out = NULL;
	if (!path || !(fp = fopen(path, "rb"))) {
		snprintf(why, cap, "%s: %s cannot be read: %s", id, path ? path : "(no path)",
			 strerror(errno));
		goto out;
	}
	if (fstat(fileno(fp), &st) || !S_ISREG(st.st_mode)) {
		snprintf(why, cap, "%s: %s is not a regular file", id, path);
		goto out;
	}
	if (st.st_size > MRM_DOC_MAX_RESULT) {
		snprintf(why, cap, "%s: %s is larger than %ld MiB, too large for a validation result", id,
			 path, MRM_DOC_MAX_RESULT >> 20);
		goto out;
	}
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		snprintf(why, cap, "%s: out of memory reading %s", id, path);
		goto out;
	}
	if (fread(buf, 1, (size_t)st.st_size, fp) != (size_t)st.st_size || ferror(fp)) {
		snprintf(why, cap, "%s: %s cannot be read: short read", id, path);
		goto out;
	}
	mrm_sha256_hex(buf, (size_t)st.st_size, hex);
	if ((sha && strcmp(hex, sha)) || (json_int_t)st.st_size != size) {
		snprintf(why, cap, "%s: %s changed since it was registered (sha256 %.12s..., registered "
			 "%.12s...; mrm evidence verify --model %s)", id, path, hex, sha ? sha : "none",
			 mrm__str(ev, "model_id") ? mrm__str(ev, "model_id") : "ID");
		goto out;
	}
	doc = json_loadb(buf, (size_t)st.st_size, 0, &jerr);
	if (!json_is_object(doc) || !json_is_object(json_object_get(doc, "metrics"))) {
		snprintf(why, cap, "%s: %s is not a validation result of mrm validate (%s)", id, path,
			 doc ? "no \"metrics\" object" : jerr.text);
		goto out;
	}
	*out = doc;
	doc = NULL;
	rc = 0;
out:
	json_decref(doc);
	free(buf);
	if (fp)
		fclose(fp);
	return rc;
}

/* Finds and reads the run the documents use (see mrm__facts_load). */
static int load_run(struct mrm__facts *f, const char *want, struct mrm_error *err)
{
	json_t *evidence = json_object_get(f->model, "evidence"), *ev = NULL;
	size_t i;

	if (want) {
		char disp[32];
		int64_t n;
		const char *kind;

		if (mrm__parse_id(want, "E", "evidence", &n, err))
			return MRM_EINPUT;
		mrm__format_id("E", n, disp);
		if (!(ev = by_id(evidence, disp)))
			return mrm_error_set(err, MRM_ENOTFOUND, "no evidence %s of model '%s' (see 'mrm "
					     "evidence list --model %s')", disp, f->id, f->id);
		kind = mrm__str(ev, "kind");
		if (!kind || (strcmp(kind, "validation-report") && strcmp(kind, "fairness-report")))
			return mrm_error_set(err, MRM_EINPUT, "%s is a %s, not a validation run "
					     "(validation-report)", disp, kind ? kind : "file");
		if (read_run(ev, &f->run, f->run_problem, sizeof(f->run_problem)))
			return mrm_error_set(err, MRM_EINPUT, "%s", f->run_problem);
		f->run_evidence = json_incref(ev);
		return MRM_OK;
	}
	for (i = json_array_size(evidence); i-- > 0;) {
		json_t *e = json_array_get(evidence, i);
		if (!strcmp(mrm__str(e, "kind") ? mrm__str(e, "kind") : "", "validation-report") &&
		    ends_with(mrm__str(e, "path"), ".json")) {
			ev = e;
			break;
		}
	}
	if (!ev) {
		json_t *docs = mrm__facts_evidence(f, "validation-report");
		if (json_array_size(docs))
			snprintf(f->run_problem, sizeof(f->run_problem),
				 "no mrm validate result is stored for %s: the validation reports on file are "
				 "documents, whose metrics mrm cannot read (mrm validate --model %s stores a run)",
				 f->id, f->id);
		else
			snprintf(f->run_problem, sizeof(f->run_problem),
				 "no validation run is stored for %s (mrm validate --model %s stores one)", f->id,
				 f->id);
		json_decref(docs);
		return MRM_OK;
	}
	if (read_run(ev, &f->run, f->run_problem, sizeof(f->run_problem)) == 0)
		f->run_evidence = json_incref(ev);
	return MRM_OK;
}

/* ---- facts ------------------------------------------------------------------------- */

int mrm__facts_load(struct mrm_ctx *ctx, const char *id, const struct mrm_doc_options *o,
		    struct mrm__facts *f, struct mrm_error *err)
{
	struct mrm_finding_filter ff = { .model_id = id };
	struct mrm_acceptance_filter af = { .model_id = id };
	struct mrm_alert_filter lf = { .model_id = id, .status = "open" };
	struct mrm_incident_filter inf = { .model_id = id };
	json_t *tier;
	int rc;

	memset(f, 0, sizeof(*f));
	f->id = id;
	if ((rc = mrm_model_show(ctx, id, &f->model, err)) || (rc = mrm_tier_show(ctx, id, &f->tier, err)) ||
	    (rc = mrm_finding_list(ctx, &ff, &f->findings, err)) ||
	    (rc = mrm_acceptance_list(ctx, &af, &f->acceptances, err)) ||
	    (rc = mrm_monitor_list(ctx, id, &f->monitors, err)) ||
	    (rc = mrm_alert_list(ctx, &lf, &f->alerts, err)) ||
	    (rc = mrm_incident_list(ctx, &inf, &f->incidents, err)))
		return rc;
	tier = json_object_get(f->model, "tier");
	f->tier_n = json_is_integer(tier) ? (int)json_integer_value(tier) : 0;
	if (o && o->policy) {
		f->policy = o->policy;
	} else {
		if ((rc = mrm_policy_default(&f->own_policy, err)))
			return rc;
		f->policy = f->own_policy;
	}
	return load_run(f, o ? o->evidence : NULL, err);
}

void mrm__facts_release(struct mrm__facts *f)
{
	json_decref(f->model);
	json_decref(f->tier);
	json_decref(f->findings);
	json_decref(f->acceptances);
	json_decref(f->monitors);
	json_decref(f->alerts);
	json_decref(f->incidents);
	json_decref(f->run_evidence);
	json_decref(f->run);
	mrm_policy_free(f->own_policy);
	memset(f, 0, sizeof(*f));
}

const char *mrm__facts_answer(const struct mrm__facts *f, const char *factor)
{
	return mrm__str(json_object_get(f->tier, "answers"), factor);
}

json_t *mrm__facts_evidence(const struct mrm__facts *f, const char *kind)
{
	json_t *all = json_object_get(f->model, "evidence"), *a = json_array();

	for (size_t i = json_array_size(all); i-- > 0;) {
		json_t *e = json_array_get(all, i);
		if (!kind || !strcmp(mrm__str(e, "kind") ? mrm__str(e, "kind") : "", kind))
			json_array_append(a, e);
	}
	return a;
}

json_t *mrm__doc_model_json(const struct mrm__facts *f)
{
	static const char *const keys[] = {
		"id", "name", "owner", "team", "purpose", "intended_use", "out_of_scope_use",
		"population", "type", "genai", "vendor", "data_sources", "status", "deployment",
		"current_version", "tier", "review_status", "last_reviewed", "next_review_due",
		"created_at", NULL,
	};
	return pick(f->model, keys);
}

json_t *mrm__doc_tier_json(const struct mrm__facts *f)
{
	json_t *hist = json_object_get(f->model, "tier_history");
	json_t *last = json_array_get(hist, json_array_size(hist) - 1);
	json_t *o = json_object();

	json_object_set(o, "tier", json_object_get(f->model, "tier"));
	json_object_set_new(o, "source", json_deep_copy(json_object_get(f->model, "tier_source")));
	json_object_set_new(o, "rationale", json_deep_copy(json_object_get(f->model, "tier_rationale")));
	json_object_set_new(o, "computed_tier", json_deep_copy(json_object_get(f->tier, "computed_tier")));
	json_object_set_new(o, "score", json_deep_copy(json_object_get(f->tier, "score")));
	json_object_set_new(o, "answers", json_deep_copy(json_object_get(f->tier, "answers")));
	json_object_set_new(o, "assessed_by", last ? json_deep_copy(json_object_get(last, "assessed_by")) : json_null());
	json_object_set_new(o, "assessed_at", last ? json_deep_copy(json_object_get(last, "created_at")) : json_null());
	json_object_set_new(o, "assessment", last ? json_deep_copy(json_object_get(last, "id")) : json_null());
	/* json_object_set on a NULL value stores nothing: make the key explicit. */
	if (!json_object_get(o, "tier"))
		json_object_set_new(o, "tier", json_null());
	return o;
}

/* The metrics a summary shows first, when present. */
static const char *const headline_metrics[] = {
	"roc_auc", "gini", "average_precision", "ks_statistic", "accuracy", "balanced_accuracy",
	"precision", "recall", "f1", "brier_score", "log_loss", "ece", "mae", "rmse", "r2",
	"macro_f1", "weighted_f1", NULL,
};

/* One metric of the run as { name, value, ci, method, reason }. */
static json_t *metric_json(json_t *run, const char *k)
{
	json_t *v = json_object_get(json_object_get(run, "metrics"), k);
	json_t *ci = json_object_get(json_object_get(run, "ci"), k);
	json_t *m = json_object_get(json_object_get(run, "ci_method"), k);
	json_t *why = json_object_get(json_object_get(run, "undefined"), k);
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(k));
	json_object_set_new(o, "value", json_is_number(v) ? json_deep_copy(v) : json_null());
	json_object_set_new(o, "ci", json_is_array(ci) && json_array_size(ci) == 2 ? json_deep_copy(ci) : json_null());
	json_object_set_new(o, "method", json_is_string(m) ? json_deep_copy(m) : json_null());
	if (!json_is_number(v))
		json_object_set_new(o, "reason", json_string(json_is_string(why) ? json_string_value(why)
									    : "not computed"));
	return o;
}

/* The run's tests as { total, passed, failed, failed_tests: [ { name, condition, value } ] }. */
static json_t *tests_summary(json_t *run)
{
	json_t *tests = json_object_get(run, "tests"), *failed = json_array(), *t;
	size_t i, passed = 0;

	json_array_foreach(tests, i, t) {
		json_t *p = json_object_get(t, "passed");
		if (json_is_true(p))
			passed++;
		else
			json_array_append_new(failed, json_pack("{s:O?,s:O?,s:O?}", "name",
								json_object_get(t, "name"), "condition",
								json_object_get(t, "condition"), "value",
								json_object_get(t, "value")));
	}
	return json_pack("{s:I,s:I,s:I,s:o}", "total", (json_int_t)json_array_size(tests), "passed",
			 (json_int_t)passed, "failed", (json_int_t)(json_array_size(tests) - passed),
			 "failed_tests", failed);
}

json_t *mrm__doc_run_summary(const struct mrm__facts *f)
{
	json_t *o, *metrics = json_array(), *m = json_object_get(f->run, "metrics");
	json_t *warnings = json_array(), *w;
	const char *k;
	size_t i, n = 0;

	if (!f->run) {
		/* The validation reports on file, when there are some: the gap is then only the metrics. */
		json_t *docs = mrm__facts_evidence(f, "validation-report"), *ids = json_array(), *e;
		json_array_foreach(docs, i, e)
			json_array_append_new(ids, json_string(mrm__str(e, "id")));
		json_decref(docs);
		json_decref(metrics);
		json_decref(warnings);
		return json_pack("{s:s,s:o}", "missing", f->run_problem, "reports", ids);
	}
	for (i = 0; headline_metrics[i] && n < 12; i++)
		if (json_object_get(m, headline_metrics[i])) {
			json_array_append_new(metrics, metric_json(f->run, headline_metrics[i]));
			n++;
		}
	if (n == 0) /* a task with other metric names: the first twelve */
		json_object_foreach(m, k, w) {
			if (n++ >= 12)
				break;
			json_array_append_new(metrics, metric_json(f->run, k));
		}
	json_array_foreach(json_object_get(f->run, "warnings"), i, w)
		if (json_is_string(w) && i < 20)
			json_array_append(warnings, w);
	o = json_pack("{s:O?,s:O?,s:O?,s:O?,s:O?,s:O?}", "evidence", json_object_get(f->run_evidence, "id"),
		      "version", json_object_get(f->run_evidence, "version"), "produced_by",
		      json_object_get(f->run_evidence, "produced_by"), "created_at",
		      json_object_get(f->run_evidence, "created_at"), "sha256",
		      json_object_get(f->run_evidence, "sha256"), "task", json_object_get(f->run, "task"));
	json_object_set_new(o, "data", json_deep_copy(json_object_get(json_object_get(f->run, "data"), "path")));
	json_object_set_new(o, "rows", json_deep_copy(json_object_get(f->run, "rows")));
	json_object_set_new(o, "groups", json_deep_copy(json_object_get(json_object_get(f->run, "options"), "group")));
	json_object_set_new(o, "metrics", metrics);
	json_object_set_new(o, "tests", tests_summary(f->run));
	json_object_set_new(o, "warnings", warnings);
	return o;
}

json_t *mrm__doc_open_findings(const struct mrm__facts *f)
{
	static const char *const keys[] = { "id", "severity", "category", "title", "owner", "due",
					    "status", "overdue", "accepted_by_acceptance",
					    "acceptance_expires", "created_at", NULL };
	json_t *a = json_array(), *e;
	size_t i;

	json_array_foreach(f->findings, i, e)
		if (strcmp(mrm__str(e, "status") ? mrm__str(e, "status") : "", "closed"))
			json_array_append_new(a, pick(e, keys));
	return a;
}

/* ---- the model card ----------------------------------------------------------------- */

/* Versions as { version, change_type, material, notes, artifact, artifact_sha256, created_by, created_at }. */
static json_t *versions_json(const struct mrm__facts *f)
{
	static const char *const keys[] = { "version", "change_type", "material", "notes", "artifact",
					    "artifact_sha256", "created_by", "created_at", NULL };
	json_t *a = json_array(), *e;
	size_t i;

	json_array_foreach(json_object_get(f->model, "versions"), i, e)
		json_array_append_new(a, pick(e, keys));
	return a;
}

/* Active monitors, the number disabled, and the open alerts. */
static json_t *monitoring_json(const struct mrm__facts *f)
{
	static const char *const keys[] = { "id", "signal", "direction", "warn", "alert", "time_window",
					    "route", "last_run", "last_level", "open_alerts", "created_at",
					    NULL };
	static const char *const akeys[] = { "id", "monitor_id", "signal", "level", "value", "threshold",
					     "finding_id", "created_at", NULL };
	json_t *active = json_array(), *alerts = json_array(), *e;
	size_t i, disabled = 0;

	json_array_foreach(f->monitors, i, e) {
		if (!strcmp(mrm__str(e, "status") ? mrm__str(e, "status") : "", "active"))
			json_array_append_new(active, pick(e, keys));
		else
			disabled++;
	}
	json_array_foreach(f->alerts, i, e)
		json_array_append_new(alerts, pick(e, akeys));
	return json_pack("{s:o,s:I,s:o}", "active", active, "disabled", (json_int_t)disabled,
			 "open_alerts", alerts);
}

/* The latest decided review and the open one, if any. */
static void reviews_json(const struct mrm__facts *f, json_t *out)
{
	static const char *const keys[] = { "id", "version", "status", "reason", "decision",
					    "decision_note", "conditions", "decided_by", "decided_at",
					    "opened_by", "opened_at", NULL };
	json_t *reviews = json_object_get(f->model, "reviews"), *decided = NULL, *open = NULL, *e;
	size_t i;

	json_array_foreach(reviews, i, e) {
		if (!strcmp(mrm__str(e, "status") ? mrm__str(e, "status") : "", "decided"))
			decided = e;
		else
			open = e;
	}
	json_object_set_new(out, "last_review", decided ? pick(decided, keys) : json_null());
	json_object_set_new(out, "open_review", open ? pick(open, keys) : json_null());
}

/* Sign-offs of the current version. */
static json_t *signoffs_json(const struct mrm__facts *f)
{
	static const char *const keys[] = { "id", "version", "role", "user_name", "note", "created_at", NULL };
	const char *cur = mrm__str(f->model, "current_version");
	json_t *a = json_array(), *e;
	size_t i;

	json_array_foreach(json_object_get(f->model, "signoffs"), i, e) {
		const char *v = mrm__str(e, "version");
		if ((!cur && !v) || (cur && v && !strcmp(cur, v)))
			json_array_append_new(a, pick(e, keys));
	}
	return a;
}

static json_t *evidence_json(const struct mrm__facts *f)
{
	static const char *const keys[] = { "id", "kind", "version", "path", "sha256", "size", "note",
					    "produced_by", "created_at", NULL };
	json_t *a = json_array(), *e;
	size_t i;

	json_array_foreach(json_object_get(f->model, "evidence"), i, e)
		json_array_append_new(a, pick(e, keys));
	return a;
}

static void model_card(const struct mrm__facts *f, json_t *out)
{
	json_t *lim = json_object(), *run = mrm__doc_run_summary(f), *w;

	json_object_set_new(out, "model", mrm__doc_model_json(f));
	json_object_set_new(out, "tier", mrm__doc_tier_json(f));
	json_object_set_new(out, "versions", versions_json(f));
	json_object_set_new(out, "validation", run);
	json_object_set_new(out, "monitoring", monitoring_json(f));
	reviews_json(f, out);
	json_object_set_new(out, "signoffs", signoffs_json(f));
	json_object_set_new(out, "evidence", evidence_json(f));
	json_object_set_new(lim, "out_of_scope_use",
			    json_deep_copy(json_object_get(f->model, "out_of_scope_use")));
	json_object_set_new(lim, "open_findings", mrm__doc_open_findings(f));
	w = json_object_get(run, "warnings");
	json_object_set_new(lim, "validation_warnings", w ? json_deep_copy(w) : json_array());
	json_object_set_new(out, "limitations", lim);
}

/* ---- the validation document --------------------------------------------------------- */

/* The slice metrics a table shows, the first six present. */
static const char *const slice_metrics[] = {
	"roc_auc", "accuracy", "recall", "fpr", "fnr", "selection_rate", "precision", "mae", "rmse",
	"r2", "macro_f1", NULL,
};

/* Per group column: the slices with n, positives, small and the chosen metrics. */
static json_t *slices_json(json_t *run)
{
	json_t *groups = json_object_get(run, "groups"), *out = json_array(), *g;
	const char *gname;

	json_object_foreach(groups, gname, g) {
		json_t *rows = json_array(), *names = json_array(), *sl;
		const char *sname;
		size_t nm = 0;

		/* The metrics shown for this group: the first six any slice has. */
		for (size_t i = 0; slice_metrics[i] && nm < 6; i++) {
			bool any = false;
			json_object_foreach(g, sname, sl)
				if (json_object_get(json_object_get(sl, "metrics"), slice_metrics[i]))
					any = true;
			if (any) {
				json_array_append_new(names, json_string(slice_metrics[i]));
				nm++;
			}
		}
		json_object_foreach(g, sname, sl) {
			json_t *m = json_object(), *k;
			size_t i;
			json_array_foreach(names, i, k) {
				json_t *v = json_object_get(json_object_get(sl, "metrics"), json_string_value(k));
				json_object_set_new(m, json_string_value(k), json_is_number(v) ? json_deep_copy(v) : json_null());
			}
			/* "small": why the slice is too small to conclude on (mrm validate's text), or null. */
			json_t *small = json_object_get(sl, "small");
			json_array_append_new(rows, json_pack("{s:s,s:O?,s:O?,s:O?,s:o}", "slice", sname, "n",
							      json_object_get(sl, "n"), "positives",
							      json_object_get(sl, "positives"), "small",
							      json_is_string(small) ? small : NULL, "metrics", m));
		}
		json_array_append_new(out, json_pack("{s:s,s:o,s:o}", "group", gname, "metrics", names,
						     "slices", rows));
	}
	return out;
}

/* Fairness measures per group column: { group, measures: { name: value } } (numbers and words). */
static json_t *fairness_json(json_t *run)
{
	json_t *fair = json_object_get(run, "fairness"), *out = json_array(), *g, *v;
	const char *gname, *k;

	json_object_foreach(fair, gname, g) {
		json_t *m = json_object();
		json_object_foreach(g, k, v)
			if (json_is_number(v) || json_is_string(v))
				json_object_set(m, k, v);
		json_array_append_new(out, json_pack("{s:s,s:o,s:O?}", "group", gname, "measures", m,
						     "worst", json_object_get(g, "worst")));
	}
	return out;
}

/* The tests with, for per-slice tests, the slices that failed. */
static json_t *tests_json(json_t *run)
{
	json_t *tests = json_object_get(run, "tests"), *out = json_array(), *t;
	size_t i;

	json_array_foreach(tests, i, t) {
		json_t *o = json_pack("{s:O?,s:O?,s:O?,s:O?,s:O?,s:O?}", "name", json_object_get(t, "name"),
				      "condition", json_object_get(t, "condition"), "value",
				      json_object_get(t, "value"), "passed", json_object_get(t, "passed"),
				      "reason", json_object_get(t, "reason"), "group", json_object_get(t, "group"));
		json_t *slices = json_object_get(t, "slices"), *sl, *failed = json_array();
		const char *sname;
		json_object_foreach(slices, sname, sl)
			if (json_is_false(json_object_get(sl, "passed")))
				json_array_append_new(failed, json_pack("{s:s,s:O?}", "slice", sname, "value",
									json_object_get(sl, "value")));
		json_object_set_new(o, "failed_slices", failed);
		json_array_append_new(out, o);
	}
	return out;
}

static int validation_doc(const struct mrm__facts *f, json_t *out, struct mrm_error *err)
{
	static const char *const ekeys[] = { "id", "kind", "version", "path", "sha256", "size", "note",
					     "produced_by", "created_at", NULL };
	static const char *const rkeys[] = { "task", "rows", "positives", "negatives", "threshold",
					     "excluded", "confusion_matrix", "worst_slice", NULL };
	json_t *run = f->run, *metrics, *m = json_object_get(run, "metrics"), *e, *v;
	json_t *reviews, *html = NULL, *data;
	const char *k, *version = mrm__str(f->run_evidence, "version");
	size_t i;

	if (!run)
		return mrm_error_set(err, MRM_EINPUT, "%s", f->run_problem);
	metrics = json_array();
	reviews = json_array();
	json_object_set_new(out, "model", json_pack("{s:O?,s:O?,s:O?,s:O?}", "id", json_object_get(f->model, "id"),
						    "name", json_object_get(f->model, "name"), "owner",
						    json_object_get(f->model, "owner"), "tier",
						    json_object_get(f->model, "tier")));
	json_object_set_new(out, "evidence", pick(f->run_evidence, ekeys));
	/* The HTML page mrm validate --html registered with the same run. */
	json_array_foreach(json_object_get(f->model, "evidence"), i, e)
		if (ends_with(mrm__str(e, "path"), ".html") &&
		    json_equal(json_object_get(e, "created_at"), json_object_get(f->run_evidence, "created_at")) &&
		    json_equal(json_object_get(e, "version"), json_object_get(f->run_evidence, "version")))
			html = json_object_get(e, "id");
	json_object_set_new(out, "html_report", html ? json_incref(html) : json_null());
	json_object_set_new(out, "run", pick(run, rkeys));
	data = json_object_get(run, "data");
	json_object_set_new(json_object_get(out, "run"), "data",
			    json_pack("{s:O?,s:O?,s:O?,s:O?}", "path", json_object_get(data, "path"), "sha256",
				      json_object_get(data, "sha256"), "format", json_object_get(data, "format"),
				      "rows_read", json_object_get(data, "rows_read")));
	json_object_set_new(json_object_get(out, "run"), "options", json_deep_copy(json_object_get(run, "options")));
	for (i = 0; headline_metrics[i]; i++)
		if (json_object_get(m, headline_metrics[i]))
			json_array_append_new(metrics, metric_json(run, headline_metrics[i]));
	json_object_foreach(m, k, v) {
		bool shown = false;
		for (i = 0; headline_metrics[i] && !shown; i++)
			shown = !strcmp(k, headline_metrics[i]);
		if (!shown)
			json_array_append_new(metrics, metric_json(run, k));
	}
	json_object_set_new(out, "metrics", metrics);
	json_object_set_new(out, "tests", tests_json(run));
	json_object_set_new(out, "tests_summary", tests_summary(run));
	json_object_set_new(out, "slices", slices_json(run));
	json_object_set_new(out, "fairness", fairness_json(run));
	json_object_set_new(out, "warnings", json_is_array(json_object_get(run, "warnings"))
						    ? json_deep_copy(json_object_get(run, "warnings"))
						    : json_array());
	json_object_set_new(out, "reviewer", json_deep_copy(json_object_get(f->run_evidence, "produced_by")));
	json_array_foreach(json_object_get(f->model, "reviews"), i, e) {
		const char *rv = mrm__str(e, "version");
		if ((!version && !rv) || (version && rv && !strcmp(version, rv)))
			json_array_append_new(reviews, json_pack("{s:O?,s:O?,s:O?,s:O?,s:O?,s:O?}", "id",
								 json_object_get(e, "id"), "status",
								 json_object_get(e, "status"), "decision",
								 json_object_get(e, "decision"), "decided_by",
								 json_object_get(e, "decided_by"), "decided_at",
								 json_object_get(e, "decided_at"), "decision_note",
								 json_object_get(e, "decision_note")));
	}
	json_object_set_new(out, "reviews", reviews);
	return MRM_OK;
}

/* ---- the acceptance memo -------------------------------------------------------------- */

/* Days from the date of time `from` ("YYYY-MM-DD..." ) to date `to`; false if either is bad. */
static bool days_between(const char *from, const char *to, int64_t *out)
{
	char day[MRM_DATE_LEN];
	int64_t a, b;

	if (!from || !to || strlen(from) < 10)
		return false;
	snprintf(day, sizeof(day), "%.10s", from);
	if (mrm_date_parse(day, "from", &a, NULL) || mrm_date_parse(to, "to", &b, NULL))
		return false;
	*out = (b - a) / 86400;
	return true;
}

static json_t *strings_json(const char *const *s)
{
	json_t *a = json_array();

	for (; s && *s; s++)
		json_array_append_new(a, json_string(*s));
	return a;
}

static bool in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (s && !strcmp(list[i], s))
			return true;
	return false;
}

static int severity_index(const char *s)
{
	for (int i = 0; mrm_finding_severities[i]; i++)
		if (s && !strcmp(mrm_finding_severities[i], s))
			return i;
	return -1;
}

static int acceptance_doc(const struct mrm__facts *f, json_t *acc, json_t *out)
{
	static const char *const akeys[] = {
		"id", "state", "accepted_by", "authority_role", "model_tier", "rationale", "controls",
		"expires", "days_to_expiry", "triggers", "created_at", "revoked_at", "revoked_by",
		"revoke_reason", NULL,
	};
	json_t *findings = json_array(), *rules = json_array(), *e, *auth;
	json_t *tier_at = json_object_get(acc, "model_tier");
	int tier = json_is_integer(tier_at) ? (int)json_integer_value(tier_at) : 0;
	const char *const *roles = mrm_acceptance_authority(tier);
	const struct mrm_policy_tier *pt = mrm_policy_tier(f->policy, tier);
	const char *role = mrm__str(acc, "authority_role"), *state = mrm__str(acc, "state");
	int64_t term = 0;
	bool have_term = days_between(mrm__str(acc, "created_at"), mrm__str(acc, "expires"), &term);
	bool within = true;
	char text[512];
	size_t i;

	json_object_set_new(out, "acceptance", pick(acc, akeys));
	json_object_set_new(out, "model", json_pack("{s:O?,s:O?,s:O?,s:O?}", "id", json_object_get(f->model, "id"),
						    "name", json_object_get(f->model, "name"), "owner",
						    json_object_get(f->model, "owner"), "tier",
						    json_object_get(f->model, "tier")));
	json_object_set_new(out, "term_days", have_term ? json_integer(term) : json_null());
	/* The covered findings as they stand today (the memo's "what"). */
	json_array_foreach(json_object_get(acc, "covered_findings"), i, e) {
		json_t *now = by_id(f->findings, mrm__str(e, "id"));
		json_t *o = json_pack("{s:O?,s:O?,s:O?,s:O?,s:O?}", "id", json_object_get(e, "id"), "severity",
				      json_object_get(e, "severity"), "category", json_object_get(e, "category"),
				      "title", json_object_get(e, "title"), "owner", json_object_get(e, "owner"));
		json_object_set_new(o, "due", now ? json_deep_copy(json_object_get(now, "due")) : json_null());
		json_object_set_new(o, "status_now", now ? json_deep_copy(json_object_get(now, "status")) : json_null());
		json_array_append_new(findings, o);
		/* The policy's rule for the finding's severity at the tier the acceptance was given. */
		{
			int sev = severity_index(mrm__str(e, "severity"));
			const struct mrm_policy_acceptance *pa =
				pt && pt->has_acceptance && sev >= 0 ? &pt->acceptance[sev] : NULL;
			json_t *r = json_pack("{s:O?,s:O?}", "finding", json_object_get(e, "id"), "severity",
					      json_object_get(e, "severity"));
			json_t *problems = json_array();
			if (!pa) {
				json_object_set_new(r, "rule", json_null());
			} else {
				json_object_set_new(r, "allowed", json_boolean(pa->allowed));
				json_object_set_new(r, "roles", json_array());
				for (size_t k = 0; k < pa->nroles; k++)
					json_array_append_new(json_object_get(r, "roles"), json_string(pa->roles[k]));
				json_object_set_new(r, "max_days", pa->allowed ? json_integer(pa->max_days) : json_null());
				if (!pa->allowed)
					json_array_append_new(problems, json_string("the policy does not allow accepting "
										    "findings of this severity"));
				else {
					if (!in_list(pa->roles, pa->nroles, role)) {
						snprintf(text, sizeof(text), "accepted in role %s, which the policy "
							 "does not list for this severity", role ? role : "(none)");
						json_array_append_new(problems, json_string(text));
					}
					if (have_term && term > pa->max_days) {
						snprintf(text, sizeof(text), "runs %" PRId64 " days, longer than the "
							 "policy's %d", term, pa->max_days);
						json_array_append_new(problems, json_string(text));
					}
				}
			}
			if (json_array_size(problems))
				within = false;
			json_object_set_new(r, "within_policy", json_boolean(json_array_size(problems) == 0));
			json_object_set_new(r, "problems", problems);
			json_array_append_new(rules, r);
		}
	}
	json_object_set_new(out, "findings", findings);
	snprintf(text, sizeof(text), "At tier %d%s a risk acceptance needs role %s%s", tier ? tier : 1,
		 tier ? "" : " (untiered, treated as tier 1)", roles && roles[0] ? roles[0] : "approver",
		 "");
	{
		/* "approver or validator", and whether the owner may accept. */
		size_t used = strlen(text);
		for (i = 1; roles && roles[i]; i++) {
			int n = snprintf(text + used, sizeof(text) - used, "%s%s", roles[i + 1] ? ", " : " or ",
					 roles[i]);
			if (n > 0 && (size_t)n < sizeof(text) - used)
				used += (size_t)n;
		}
		snprintf(text + used, sizeof(text) - used, "%s; nobody may accept findings they own.",
			 mrm_acceptance_owner_may_accept(tier) ? " (the model owner may accept)"
							       : ", and the model owner may not accept");
	}
	auth = json_pack("{s:s,s:o,s:b,s:O?,s:{s:s,s:s,s:s},s:o,s:b}", "core_rule", text, "roles",
			 strings_json(roles), "owner_may_accept", mrm_acceptance_owner_may_accept(tier),
			 "authority_role", json_object_get(acc, "authority_role"), "policy", "name",
			 f->policy->name, "source", f->policy->source, "sha256", f->policy->sha256,
			 "policy_rules", rules, "within_policy", within);
	json_object_set_new(out, "authority", auth);
	if (state && !strcmp(state, "revoked"))
		snprintf(text, sizeof(text), "Revoked on %.10s by %s: it covers nothing since.",
			 mrm__str(acc, "revoked_at") ? mrm__str(acc, "revoked_at") : "?",
			 mrm__str(acc, "revoked_by") ? mrm__str(acc, "revoked_by") : "?");
	else if (state && !strcmp(state, "expired"))
		snprintf(text, sizeof(text), "Expired on %s: the findings it covered count as open again "
			 "unless closed.", mrm__str(acc, "expires") ? mrm__str(acc, "expires") : "?");
	else
		snprintf(text, sizeof(text), "Active: covers its findings until %s (%" JSON_INTEGER_FORMAT
			 " days from today); on that day they count as open again.",
			 mrm__str(acc, "expires") ? mrm__str(acc, "expires") : "?",
			 json_integer_value(json_object_get(acc, "days_to_expiry")));
	json_object_set_new(out, "status", json_pack("{s:s?,s:s}", "state", state, "text", text));
	return MRM_OK;
}

/* ---- entry point -------------------------------------------------------------------- */

int mrm_doc_data(struct mrm_ctx *ctx, enum mrm_doc_kind kind, const char *id,
		 const struct mrm_doc_options *o, json_t **out, struct mrm_error *err)
{
	return mrm__doc_data(ctx, kind, id, o, false, NULL, out, err);
}

int mrm__doc_data(struct mrm_ctx *ctx, enum mrm_doc_kind kind, const char *id,
		  const struct mrm_doc_options *o, bool gate_given, json_t *gate, json_t **out,
		  struct mrm_error *err)
{
	struct mrm__facts f = { 0 };
	json_t *doc = NULL, *acc = NULL;
	const char *model = id;
	int rc;

	*out = NULL;
	if ((int)kind < 0 || kind > MRM_DOC_ANNEX_IV)
		return mrm_error_set(err, MRM_EUSAGE, "unknown document kind");
	if (kind == MRM_DOC_ACCEPTANCE) {
		if ((rc = mrm_acceptance_show(ctx, id, &acc, err)))
			return rc;
		model = mrm__str(acc, "model_id");
	}
	if ((rc = mrm__facts_load(ctx, model, o, &f, err)))
		goto out;
	f.gate_given = gate_given;
	f.gate = gate;
	doc = json_pack("{s:s,s:s}", "document", mrm_doc_kinds[kind], "generated_at", mrm_ctx_now_iso(ctx));
	switch (kind) {
	case MRM_DOC_MODEL_CARD:
		model_card(&f, doc);
		break;
	case MRM_DOC_MRA:
		rc = mrm__doc_mra_data(ctx, &f, doc, err);
		break;
	case MRM_DOC_VALIDATION:
		rc = validation_doc(&f, doc, err);
		break;
	case MRM_DOC_ACCEPTANCE:
		rc = acceptance_doc(&f, acc, doc);
		break;
	case MRM_DOC_ANNEX_IV:
		rc = mrm__doc_annex_data(ctx, &f, doc, err);
		break;
	}
	if (rc == MRM_OK) {
		*out = doc;
		doc = NULL;
	}
out:
	json_decref(doc);
	mrm__facts_release(&f);
	json_decref(acc);
	return rc;
}
