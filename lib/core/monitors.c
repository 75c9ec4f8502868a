/*
 * Monitors: attaching them to models, listing, disabling, and the run that evaluates a
 * model's active monitors on new data, stores every result and raises alerts; and the
 * monitoring coverage KPI.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/monitoring.h"
#include "monitor/engines.h"
#include "mrm/route.h"

static const struct mrm__field add_spec[] = {
	{ "signal", MRM__F_TEXT, NULL, true },
	{ "direction", MRM__F_ENUM, mrm_monitor_directions, false },
	{ "window", MRM__F_ENUM, mrm_monitor_windows, false },
	{ "timestamp", MRM__F_TEXT, NULL, false },
	{ "reference", MRM__F_TEXT, NULL, false },
	{ "columns", MRM__F_TEXT_LIST, NULL, false },
	{ "route", MRM__F_TEXT, NULL, false },
	{ "label", MRM__F_TEXT, NULL, false },
	{ "score", MRM__F_TEXT, NULL, false },
	{ "threshold", MRM__F_TEXT, NULL, false }, /* taken out as a number first */
	{ "no_finding", MRM__F_BOOL, NULL, false },
	{ NULL, 0, NULL, false },
};

static const char *const runner_roles[] = { "owner", "validator", "admin", NULL };

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static int64_t int_of(json_t *row, const char *key)
{
	return json_integer_value(json_object_get(row, key));
}

/* A threshold given as a JSON number or as text ("0.05"); removed from `in`. */
static int take_number(json_t *in, const char *key, double *out, struct mrm_error *err)
{
	json_t *v = json_object_get(in, key);
	const char *s;
	int rc = MRM_OK;

	if (!v || json_is_null(v)) {
		rc = mrm_error_set(err, MRM_EINPUT, "missing --%s (the %s threshold)", key, key);
	} else if (json_is_number(v)) {
		*out = json_number_value(v);
	} else if ((s = json_string_value(v))) {
		char *end = NULL;
		errno = 0;
		*out = *s && !isspace((unsigned char)*s) ? strtod(s, &end) : NAN;
		if (!end || *end || errno == ERANGE || !isfinite(*out))
			rc = mrm_error_set(err, MRM_EINPUT, "--%s: '%s' is not a number", key, s);
	} else {
		rc = mrm_error_set(err, MRM_EINPUT, "--%s must be a number", key);
	}
	if (rc == MRM_OK && !isfinite(*out))
		rc = mrm_error_set(err, MRM_EINPUT, "--%s must be a finite number", key);
	json_object_del(in, key);
	return rc;
}

/* Non-empty text field, or MRM_EINPUT naming its flag. */
static int nonempty(json_t *in, const char *key, const char *flag, struct mrm_error *err)
{
	const char *s = mrm__str(in, key);
	if (s && !*s)
		return mrm_error_set(err, MRM_EINPUT, "%s must not be empty", flag);
	return MRM_OK;
}

/*
 * --columns: the columns a drift or quality monitor's drift run compares (drift_share
 * over identifiers and dates means nothing). Stored as a JSON array in `*text`.
 */
static int check_columns(json_t *in, const struct mrm_signal *sig, char **text,
			 struct mrm_error *err)
{
	json_t *cols = json_object_get(in, "columns"), *v;
	bool found = false;
	size_t i;

	*text = NULL;
	if (!cols)
		return MRM_OK;
	if (!sig->needs_reference)
		return mrm_error_set(err, MRM_EINPUT,
				     "--columns is for drift and quality signals (it chooses the columns the drift run compares)");
	if (!json_array_size(cols))
		return mrm_error_set(err, MRM_EINPUT, "--columns needs at least one column");
	json_array_foreach(cols, i, v) {
		if (!*json_string_value(v))
			return mrm_error_set(err, MRM_EINPUT, "--columns: empty column name");
		if (sig->column && !strcmp(sig->column, json_string_value(v)))
			found = true;
	}
	if (sig->column && (sig->kind == MRM_SIGNAL_DRIFT_COLUMN || sig->kind == MRM_SIGNAL_DRIFT_MEASURE) &&
	    !found)
		return mrm_error_set(err, MRM_EINPUT, "--columns does not include %s, the column of the signal",
				     sig->column);
	if (!(*text = json_dumps(cols, JSON_COMPACT)))
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	return MRM_OK;
}

static int load_monitor(struct mrm_ctx *ctx, int64_t id, json_t **out, struct mrm_error *err)
{
	int rc = mrm__row(ctx, "SELECT * FROM monitors WHERE id = ?", PARAMS(PI(id)), out, err);
	if (rc)
		return rc;
	if (!*out)
		return mrm_error_set(err, MRM_ENOTFOUND, "no monitor M-%" PRId64 " (see 'mrm monitor list')",
				     id);
	return MRM_OK;
}

static int show_id(struct mrm_ctx *ctx, int64_t id, json_t **out, struct mrm_error *err)
{
	json_t *m = NULL, *results = NULL, *alerts = NULL, *v;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = load_monitor(ctx, id, &m, err)) ||
	    (rc = mrm__rows(ctx,
			    "SELECT id, run, window_start, window_end, value, level, created_at "
			    "FROM monitor_results WHERE monitor_id = ? ORDER BY id DESC LIMIT 20",
			    PARAMS(PI(id)), &results, err)) ||
	    (rc = mrm__rows(ctx,
			    "SELECT id, level, value, threshold, finding_id, created_at FROM alerts "
			    "WHERE monitor_id = ? AND status = 'open' ORDER BY id",
			    PARAMS(PI(id)), &alerts, err))) {
		json_decref(m);
		json_decref(results);
		return rc;
	}
	mrm__present("monitor", m);
	json_array_foreach(results, i, v)
		mrm__present("monitor_result", v);
	json_array_foreach(alerts, i, v)
		mrm__present("alert", v);
	json_object_set_new(m, "results", results);
	json_object_set_new(m, "open_alerts", alerts);
	*out = m;
	return MRM_OK;
}

int mrm_monitor_show(struct mrm_ctx *ctx, const char *id, json_t **out, struct mrm_error *err)
{
	int64_t mid;
	int rc;

	*out = NULL;
	if ((rc = mrm__parse_id(id, "M", "monitor", &mid, err)))
		return rc;
	return show_id(ctx, mid, out, err);
}

int mrm_monitor_add(struct mrm_ctx *ctx, const char *model_id, json_t *fields, json_t **out,
		    struct mrm_error *err)
{
	json_t *in = json_is_object(fields) ? json_deep_copy(fields) : json_object(), *model = NULL;
	struct mrm_signal sig = { 0 };
	const char *direction = NULL, *label, *score;
	char *route = NULL, *reference = NULL, *columns = NULL;
	double warn = 0, alert = 0, cutoff = 0;
	bool has_cutoff = false;
	int64_t id = 0;
	int rc;

	if (out)
		*out = NULL;
	if (json_object_get(in, "threshold") && !json_is_null(json_object_get(in, "threshold"))) {
		if ((rc = take_number(in, "threshold", &cutoff, err)))
			goto out;
		has_cutoff = true;
	}
	if ((rc = take_number(in, "warn", &warn, err)) || (rc = take_number(in, "alert", &alert, err)) ||
	    (rc = mrm__fields_check(in, add_spec, err)) ||
	    (rc = nonempty(in, "timestamp", "--timestamp", err)) ||
	    (rc = nonempty(in, "label", "--label", err)) || (rc = nonempty(in, "score", "--score", err)) ||
	    (rc = nonempty(in, "reference", "--reference", err)) ||
	    (rc = mrm_signal_parse(mrm__str(in, "signal"), &sig, err)) ||
	    (rc = mrm_signal_check(&sig, mrm__str(in, "direction"), warn, alert, &direction, err)))
		goto out;
	/* Windows are cut on a time column: one without the other cannot be used. */
	if (!mrm__str(in, "window") != !mrm__str(in, "timestamp")) {
		rc = mrm_error_set(err, MRM_EINPUT,
				   mrm__str(in, "window")
					   ? "--window needs --timestamp COL (the time column the windows are cut on)"
					   : "--timestamp needs --window 1h|1d|1w");
		goto out;
	}
	label = mrm__str(in, "label");
	score = mrm__str(in, "score");
	if (sig.needs_labels && (!label || !score)) {
		rc = mrm_error_set(err, MRM_EINPUT,
				   "signal %s needs --label COL and --score COL (the outcome and the model's score in the data)",
				   mrm__str(in, "signal"));
		goto out;
	}
	if (!sig.needs_labels && (label || score || has_cutoff)) {
		rc = mrm_error_set(err, MRM_EINPUT,
				   "--label, --score and --threshold are for metric:NAME signals only");
		goto out;
	}
	if (has_cutoff && sig.regression) {
		rc = mrm_error_set(err, MRM_EINPUT, "--threshold is for classification metrics, not %s",
				   sig.name);
		goto out;
	}
	if (!sig.needs_reference && mrm__str(in, "reference")) {
		rc = mrm_error_set(err, MRM_EINPUT,
				   "--reference is for drift and quality signals (signal %s compares with no reference)",
				   mrm__str(in, "signal"));
		goto out;
	}
	if ((rc = check_columns(in, &sig, &columns, err)))
		goto out;
	if (mrm__str(in, "reference")) {
		const char *given = mrm__str(in, "reference");
		if (access(given, R_OK) != 0 || !(reference = realpath(given, NULL))) {
			rc = mrm_error_set(err, MRM_EINPUT, "--reference %s: cannot read it: %s", given,
					   strerror(errno));
			goto out;
		}
	}
	if (mrm__str(in, "route") && (rc = mrm_route_normalise(mrm__str(in, "route"), &route, err)))
		goto out;
	if ((rc = mrm__require_user(ctx, err)) || (rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = mrm__model_get(ctx, model_id, &model, err)))
		goto fail;
	/* Monitors are set up by the first line for its model, or by the second line. */
	if (!same(ctx->actor, mrm__str(model, "owner")) && !mrm__actor_has(ctx, "validator") &&
	    !mrm__actor_has(ctx, "admin")) {
		rc = mrm_error_set(err, MRM_EPERM,
				   "not permitted: %s cannot add monitors to model '%s' (needs to be its owner %s, or hold role validator or admin)",
				   ctx->actor, model_id, mrm__str(model, "owner"));
		goto fail;
	}
	if (same(mrm__str(model, "status"), "retired")) {
		rc = mrm_error_set(err, MRM_EINPUT, "model '%s' is retired; it takes no new monitors",
				   model_id);
		goto fail;
	}
	if ((rc = mrm__int(ctx,
			   "INSERT INTO monitors (model_id, signal, direction, warn, alert, time_window, "
			   "timestamp_column, reference, columns, route, label_column, score_column, "
			   "score_threshold, open_findings, status, created_by, created_at) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?) RETURNING id",
			   PARAMS(PT(model_id), PT(mrm__str(in, "signal")), PT(direction), PR(warn),
				  PR(alert), PT(mrm__str(in, "window")), PT(mrm__str(in, "timestamp")),
				  PT(reference), PT(columns), PT(route), PT(label), PT(score),
				  has_cutoff ? PR(cutoff) : PN,
				  PI(!json_is_true(json_object_get(in, "no_finding"))), PT(ctx->actor),
				  PT(ctx->now_iso)),
			   &id, err)) ||
	    (rc = mrm__audit_id(ctx, "monitor.add", "monitor", id, model_id, NULL, err)) ||
	    (rc = mrm__commit(ctx, err)))
		goto fail;
	if (out)
		rc = show_id(ctx, id, out, err);
	goto out;
fail:
	mrm__rollback(ctx);
out:
	mrm_signal_release(&sig);
	free(route);
	free(reference);
	free(columns);
	json_decref(model);
	json_decref(in);
	return rc;
}

int mrm_monitor_list(struct mrm_ctx *ctx, const char *model_id, json_t **out,
		     struct mrm_error *err)
{
	json_t *m = NULL, *v;
	size_t i;
	int rc;

	*out = NULL;
	if (model_id) {
		if ((rc = mrm__model_get(ctx, model_id, &m, err)))
			return rc;
		json_decref(m);
	}
	if ((rc = mrm__rows(ctx,
			    "SELECT m.*, "
			    "(SELECT r.created_at FROM monitor_results r WHERE r.monitor_id = m.id ORDER BY r.id DESC LIMIT 1) AS last_run, "
			    "(SELECT r.level FROM monitor_results r WHERE r.monitor_id = m.id ORDER BY r.id DESC LIMIT 1) AS last_level, "
			    "(SELECT r.value FROM monitor_results r WHERE r.monitor_id = m.id ORDER BY r.id DESC LIMIT 1) AS last_value, "
			    "(SELECT count(*) FROM alerts a WHERE a.monitor_id = m.id AND a.status = 'open') AS open_alerts "
			    "FROM monitors m WHERE (? IS NULL OR m.model_id = ?) ORDER BY m.id",
			    PARAMS(PT(model_id), PT(model_id)), out, err)))
		return rc;
	json_array_foreach(*out, i, v)
		mrm__present("monitor", v);
	return MRM_OK;
}

int mrm_monitor_disable(struct mrm_ctx *ctx, const char *id, json_t *fields, json_t **out,
			struct mrm_error *err)
{
	static const struct mrm__field spec[] = {
		{ "reason", MRM__F_TEXT, NULL, false },
		{ NULL, 0, NULL, false },
	};
	json_t *in = fields ? json_deep_copy(fields) : json_object(), *before = NULL;
	int64_t mid = 0;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = mrm__parse_id(id, "M", "monitor", &mid, err)) ||
	    (rc = mrm__fields_check(in, spec, err)) || (rc = nonempty(in, "reason", "--reason", err)))
		goto out;
	/* Switching a control off is the second line's call, not the monitored model's owner's. */
	if ((rc = mrm__require_role(ctx, (const char *const[]){ "validator", "admin", NULL },
				    "disable monitors", err)) ||
	    (rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = load_monitor(ctx, mid, &before, err)))
		goto fail;
	if (same(mrm__str(before, "status"), "disabled")) {
		rc = mrm_error_set(err, MRM_EINPUT, "monitor M-%" PRId64 " is already disabled (by %s at %s)",
				   mid, mrm__str(before, "disabled_by"), mrm__str(before, "disabled_at"));
		goto fail;
	}
	if ((rc = mrm__exec(ctx,
			    "UPDATE monitors SET status = 'disabled', disabled_by = ?, disabled_at = ?, "
			    "disable_reason = ? WHERE id = ?",
			    PARAMS(PT(ctx->actor), PT(ctx->now_iso), PT(mrm__str(in, "reason")), PI(mid)),
			    err)) ||
	    (rc = mrm__audit_id(ctx, "monitor.disable", "monitor", mid, mrm__str(before, "model_id"),
				before, err)) ||
	    (rc = mrm__commit(ctx, err)))
		goto fail;
	if (out)
		rc = show_id(ctx, mid, out, err);
	goto out;
fail:
	mrm__rollback(ctx);
out:
	json_decref(before);
	json_decref(in);
	return rc;
}

/* ---- runs --------------------------------------------------------------------------- */

/* One monitor of a run, and where its document comes from. */
struct mon {
	json_t *row; /* borrowed from the run's monitor rows */
	struct mrm_signal sig;
	bool parsed;
	const char *reference; /* in force for this run */
	double warn, alert;
	int drift;             /* index into the run's drift documents, or -1 */
	int val;               /* index into the run's validation documents, or -1 */
	char error[MRM_ERROR_MAX]; /* why it cannot be evaluated, or "" */
};

struct drift_doc {
	const char *reference;
	json_t *columns; /* array of names, or NULL for all */
	const char *window, *timestamp; /* both NULL: no windows */
	json_t *doc;
	char error[MRM_ERROR_MAX];
};

struct val_doc {
	const char *label, *score;
	const char *window, *timestamp; /* both NULL: the whole file */
	bool regression, has_threshold;
	double threshold;
	json_t *doc;
	char error[MRM_ERROR_MAX];
};

struct run {
	struct mon *mons;
	size_t nmons;
	struct drift_doc *drifts;
	size_t ndrifts;
	struct val_doc *vals;
	size_t nvals;
};

static void run_release(struct run *r)
{
	for (size_t i = 0; i < r->nmons; i++)
		mrm_signal_release(&r->mons[i].sig);
	for (size_t i = 0; i < r->ndrifts; i++)
		json_decref(r->drifts[i].doc);
	for (size_t i = 0; i < r->nvals; i++)
		json_decref(r->vals[i].doc);
	free(r->mons);
	free(r->drifts);
	free(r->vals);
}

/*
 * The run's drift document for a reference, a column list and a window (length and time
 * column, or none), shared by the monitors that ask for the same.
 */
static int drift_index(struct run *r, const char *reference, json_t *columns, const char *window,
		       const char *timestamp)
{
	for (size_t i = 0; i < r->ndrifts; i++)
		if (same(r->drifts[i].reference, reference) &&
		    (r->drifts[i].columns ? columns && json_equal(r->drifts[i].columns, columns) : !columns) &&
		    same(r->drifts[i].window, window) && same(r->drifts[i].timestamp, timestamp))
			return (int)i;
	r->drifts[r->ndrifts].reference = reference;
	r->drifts[r->ndrifts].columns = json_is_array(columns) ? columns : NULL;
	r->drifts[r->ndrifts].window = window;
	r->drifts[r->ndrifts].timestamp = timestamp;
	return (int)r->ndrifts++;
}

static int val_index(struct run *r, const char *label, const char *score, bool regression,
		     json_t *threshold, const char *window, const char *timestamp)
{
	bool has = json_is_number(threshold);
	double t = has ? json_number_value(threshold) : 0;

	for (size_t i = 0; i < r->nvals; i++)
		if (same(r->vals[i].label, label) && same(r->vals[i].score, score) &&
		    r->vals[i].regression == regression && r->vals[i].has_threshold == has &&
		    (!has || r->vals[i].threshold == t) && same(r->vals[i].window, window) &&
		    same(r->vals[i].timestamp, timestamp))
			return (int)i;
	r->vals[r->nvals].label = label;
	r->vals[r->nvals].score = score;
	r->vals[r->nvals].window = window;
	r->vals[r->nvals].timestamp = timestamp;
	r->vals[r->nvals].regression = regression;
	r->vals[r->nvals].has_threshold = has;
	r->vals[r->nvals].threshold = t;
	return (int)r->nvals++;
}

/*
 * Works out, per monitor, its signal, its reference and which documents it needs. A
 * drift or quality monitor with no reference at all is a usage error of the run.
 */
static int plan(struct mrm_ctx *ctx, const struct mrm_monitor_run_options *o, json_t *rows,
		struct run *r, struct mrm_error *err)
{
	size_t n = json_array_size(rows);
	json_t *row;
	size_t i;

	(void)ctx;
	r->mons = calloc(n, sizeof(*r->mons));
	r->drifts = calloc(n, sizeof(*r->drifts));
	r->vals = calloc(n, sizeof(*r->vals));
	if (!r->mons || !r->drifts || !r->vals)
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	r->nmons = n;
	json_array_foreach(rows, i, row) {
		struct mon *m = &r->mons[i];
		struct mrm_error e = { 0 };
		char mid[24];

		m->row = row;
		m->drift = m->val = -1;
		m->warn = json_number_value(json_object_get(row, "warn"));
		m->alert = json_number_value(json_object_get(row, "alert"));
		mrm__format_id("M", int_of(row, "id"), mid);
		if (mrm_signal_parse(mrm__str(row, "signal"), &m->sig, &e)) {
			snprintf(m->error, sizeof(m->error), "%s", e.msg);
			continue;
		}
		m->parsed = true;
		if (m->sig.needs_reference) {
			m->reference = o->reference ? o->reference : mrm__str(row, "reference");
			if (!m->reference)
				return mrm_error_set(err, MRM_EUSAGE,
						     "monitor %s (%s) has no stored reference: give --reference FILE",
						     mid, mrm__str(row, "signal"));
			if (access(m->reference, R_OK) != 0) {
				snprintf(m->error, sizeof(m->error), "cannot read the reference %s: %s",
					 m->reference, strerror(errno));
				continue;
			}
			m->drift = drift_index(r, m->reference, json_object_get(row, "columns"),
					       mrm__str(row, "time_window"), mrm__str(row, "timestamp_column"));
		}
		if (m->sig.needs_labels)
			m->val = val_index(r, mrm__str(row, "label_column"), mrm__str(row, "score_column"),
					   m->sig.regression, json_object_get(row, "score_threshold"),
					   mrm__str(row, "time_window"), mrm__str(row, "timestamp_column"));
	}
	return MRM_OK;
}

/* Runs the engines: one drift document per reference, one validation per label/score. */
static void compute(const struct mrm_monitor_run_options *o, struct run *r)
{
	for (size_t i = 0; i < r->ndrifts; i++)
		mrm__monitor_drift(r->drifts[i].reference, r->drifts[i].columns, r->drifts[i].window,
				   r->drifts[i].timestamp, o->data, o->read, &r->drifts[i].doc, r->drifts[i].error, sizeof(r->drifts[i].error));
	for (size_t i = 0; i < r->nvals; i++)
		if (r->vals[i].window && r->vals[i].timestamp)
			/* Windowed: each window's rows validated on their own. */
			mrm__monitor_metrics_windows(o->data, o->read, r->vals[i].timestamp,
						     r->vals[i].window, r->vals[i].label, r->vals[i].score,
						     r->vals[i].regression, r->vals[i].has_threshold,
						     r->vals[i].threshold, &r->vals[i].doc, r->vals[i].error,
						     sizeof(r->vals[i].error));
		else
			mrm__monitor_metrics(o->data, o->read, r->vals[i].label, r->vals[i].score,
					     r->vals[i].regression, r->vals[i].has_threshold,
					     r->vals[i].threshold, &r->vals[i].doc, r->vals[i].error,
					     sizeof(r->vals[i].error));
}

static json_t *error_result(const char *reason)
{
	return json_pack("{s:n,s:s,s:n,s:n,s:s,s:{}}", "value", "level", "error", "direction",
			 "threshold", "reason", reason, "details");
}

/*
 * The evaluations of one monitor: one per window when the monitor has a window and the
 * document has windows, else one for the whole file. Appends { result, window } pairs.
 */
static int evaluate(struct run *r, struct mon *m, json_t *evals, struct mrm_error *err)
{
	json_t *base = NULL, *wrapper = NULL, *wins, *w, *res;
	const char *direction = mrm__str(m->row, "direction");
	size_t i;
	int rc = MRM_OK;

	if (m->error[0] || !m->parsed) {
		json_array_append_new(evals, json_pack("{s:o,s:n}", "result", error_result(m->error),
						       "window"));
		return MRM_OK;
	}
	if (m->drift >= 0) {
		if (!r->drifts[m->drift].doc) {
			json_array_append_new(evals, json_pack("{s:o,s:n}", "result",
							       error_result(r->drifts[m->drift].error),
							       "window"));
			return MRM_OK;
		}
		base = r->drifts[m->drift].doc;
	}
	if (m->val >= 0) {
		struct val_doc *v = &r->vals[m->val];
		if (!v->doc) {
			json_array_append_new(evals, json_pack("{s:o,s:n}", "result", error_result(v->error),
							       "window"));
			return MRM_OK;
		}
		/* Metrics come from mrm validate: of the whole file, or of each window. */
		wrapper = json_object();
		if (json_object_get(v->doc, "windows")) {
			json_object_set(wrapper, "windows", json_object_get(v->doc, "windows"));
		} else {
			json_object_set(wrapper, "metrics", json_object_get(v->doc, "metrics"));
			if (json_object_get(v->doc, "undefined"))
				json_object_set(wrapper, "metrics_undefined",
						json_object_get(v->doc, "undefined"));
			if (json_object_get(v->doc, "rows"))
				json_object_set(wrapper, "rows", json_object_get(v->doc, "rows"));
		}
		base = wrapper;
	}
	if (!base) {
		json_array_append_new(evals, json_pack("{s:o,s:n}", "result",
						       error_result("internal: no document for the signal"),
						       "window"));
		return MRM_OK;
	}
	wins = json_object_get(base, "windows");
	if (mrm__str(m->row, "time_window") && json_array_size(wins)) {
		json_array_foreach(wins, i, w) {
			/* A metric window with no rows, or whose validation failed: an error result. */
			if (m->val >= 0 && !json_object_get(w, "metrics"))
				res = error_result(json_string_value(json_object_get(w, "reason")) ?
						   json_string_value(json_object_get(w, "reason")) :
						   "no metrics for this window");
			else if ((rc = mrm_signal_eval(&m->sig, direction, m->warn, m->alert, w, &res, err)))
				break;
			json_array_append_new(evals, json_pack("{s:o,s:{s:O,s:O}}", "result", res, "window",
							       "start", json_object_get(w, "start") ? json_object_get(w, "start") : json_null(),
							       "end", json_object_get(w, "end") ? json_object_get(w, "end") : json_null()));
		}
	} else if (!(rc = mrm_signal_eval(&m->sig, direction, m->warn, m->alert, base, &res, err))) {
		json_array_append_new(evals, json_pack("{s:o,s:n}", "result", res, "window"));
	}
	json_decref(wrapper);
	return rc;
}

/* The data file's identity for results and payloads: path and, when read, SHA-256. */
static json_t *data_identity(const struct mrm_monitor_run_options *o, struct run *r)
{
	const char *sha = NULL;
	for (size_t i = 0; i < r->ndrifts && !sha; i++)
		sha = json_string_value(json_object_get(json_object_get(r->drifts[i].doc, "current"), "sha256"));
	for (size_t i = 0; i < r->nvals && !sha; i++)
		sha = json_string_value(json_object_get(json_object_get(r->vals[i].doc, "data"), "sha256"));
	return json_pack("{s:s,s:s?}", "path", o->data, "sha256", sha);
}

struct tally {
	int ok, warn, alert, error, raised, deduplicated, findings, delivered, queued;
	char alerts[512], errors[512];
};

static void note(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void note(char *buf, size_t cap, const char *fmt, ...)
{
	size_t used = strlen(buf), len;
	char item[256];
	const char *at;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	len = strlen(item);
	/* Once per item: a windowed monitor has one result per window. */
	for (at = buf; (at = strstr(at, item)); at += len)
		if ((at == buf || at[-1] == ' ') && (at[len] == 0 || at[len] == ';'))
			return;
	if (used + 8 >= cap)
		return;
	snprintf(buf + used, cap - used, "%s%s", used ? "; " : "", item);
}

/* Stores one evaluation and raises its alert; appends the report row. */
static int store_one(struct mrm_ctx *ctx, json_t *model, struct mon *m, json_t *ev, int64_t run,
		     json_t *data, json_t *results, int64_t **new_deliveries, size_t *ndel,
		     struct tally *t, struct mrm_error *err)
{
	json_t *res = json_object_get(ev, "result"), *win = json_object_get(ev, "window");
	json_t *details = json_deep_copy(json_object_get(res, "details")), *report = NULL;
	const char *level = mrm__str(res, "level"), *signal = mrm__str(m->row, "signal");
	int64_t mid = int_of(m->row, "id"), open = 0, rid = 0;
	struct mrm__raised raised = { 0 };
	char text[24], *dtext = NULL;
	int rc;

	if (!json_is_object(details)) {
		json_decref(details);
		details = json_object();
	}
	if (mrm__str(res, "reason"))
		json_object_set(details, "reason", json_object_get(res, "reason"));
	json_object_set(details, "threshold", json_object_get(res, "threshold"));
	json_object_set(details, "direction", json_object_get(res, "direction"));
	if (same(level, "warn") || same(level, "alert")) {
		/* One open alert per monitor and level: a condition that persists is not news. */
		if ((rc = mrm__int(ctx,
				   "SELECT coalesce(min(id), 0) FROM alerts WHERE monitor_id = ? AND level = ? "
				   "AND status = 'open'",
				   PARAMS(PI(mid), PT(level)), &open, err)))
			goto out;
		if (open) {
			mrm__format_id("AL", open, text);
			json_object_set_new(details, "open_alert", json_string(text));
		}
	}
	if (!(dtext = json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS))) {
		rc = mrm_error_set(err, MRM_ESTORE, "cannot serialise a monitor result");
		goto out;
	}
	if ((rc = mrm__int(ctx,
			   "INSERT INTO monitor_results (monitor_id, model_id, run, window_start, window_end, "
			   "data_path, data_sha256, value, level, details, created_at) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			   PARAMS(PI(mid), PT(mrm__str(model, "id")), PI(run),
				  PT(mrm__str(win, "start")), PT(mrm__str(win, "end")),
				  PT(mrm__str(data, "path")), PT(mrm__str(data, "sha256")),
				  json_is_number(json_object_get(res, "value"))
					  ? PR(json_number_value(json_object_get(res, "value")))
					  : PN,
				  PT(level), PT(dtext), PT(ctx->now_iso)),
			   &rid, err)) ||
	    (rc = mrm__audit_id(ctx, "monitor.result", "monitor_result", rid, mrm__str(model, "id"),
				NULL, err)))
		goto out;
	if ((same(level, "warn") || same(level, "alert")) && !open) {
		if ((rc = mrm__alert_raise(ctx, m->row, model, rid, res, run, data, win, &raised, err)))
			goto out;
		t->raised++;
		if (raised.finding_opened)
			t->findings++;
		if (raised.delivery_id) {
			int64_t *p = realloc(*new_deliveries, (*ndel + 1) * sizeof(**new_deliveries));
			if (!p) {
				rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
				goto out;
			}
			*new_deliveries = p;
			p[(*ndel)++] = raised.delivery_id;
		}
	} else if (open) {
		t->deduplicated++;
	}
	mrm__format_id("M", mid, text);
	if (same(level, "ok")) {
		t->ok++;
	} else if (same(level, "warn")) {
		t->warn++;
	} else if (same(level, "alert")) {
		t->alert++;
		note(t->alerts, sizeof(t->alerts), "%s %s", text, signal);
	} else {
		t->error++;
		note(t->errors, sizeof(t->errors), "%s %s: %s", text, signal,
		     mrm__str(res, "reason") ? mrm__str(res, "reason") : "no value");
	}
	report = json_pack("{s:s,s:s,s:O,s:O,s:O,s:O,s:O,s:s,s:O,s:O}", "monitor", text, "signal",
			   signal, "window", win, "value", json_object_get(res, "value"), "warn",
			   json_object_get(m->row, "warn"), "alert", json_object_get(m->row, "alert"),
			   "direction", json_object_get(res, "direction"), "level", level, "threshold",
			   json_object_get(res, "threshold"), "details", details);
	if (!report) {
		rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
		goto out;
	}
	mrm__format_id("MR", rid, text);
	json_object_set_new(report, "id", json_string(text));
	if (mrm__str(res, "reason"))
		json_object_set(report, "reason", json_object_get(res, "reason"));
	mrm__format_id("AL", raised.alert_id ? raised.alert_id : open, text);
	json_object_set_new(report, "alert_id", raised.alert_id || open ? json_string(text) : json_null());
	json_object_set_new(report, "alert_raised", json_boolean(raised.alert_id != 0));
	mrm__format_id("F", raised.finding_id, text);
	json_object_set_new(report, "finding_id", raised.finding_id ? json_string(text) : json_null());
	json_object_set_new(report, "finding_opened", json_boolean(raised.finding_opened));
	mrm__format_id("D", raised.delivery_id, text);
	json_object_set_new(report, "delivery_id", raised.delivery_id ? json_string(text) : json_null());
	json_array_append_new(results, report);
out:
	free(dtext);
	json_decref(details);
	return rc;
}

int mrm_monitor_run(struct mrm_ctx *ctx, const struct mrm_monitor_run_options *o, json_t **out,
		    struct mrm_error *err)
{
	json_t *model = NULL, *rows = NULL, *retried = json_array(), *sent = json_array();
	json_t *results = json_array(), *evals = NULL, *data = NULL, *refs = json_array();
	struct run r = { 0 };
	struct tally t = { 0 };
	int64_t run = 0, *new_del = NULL;
	size_t ndel = 0;
	double timeout;
	int rc;

	*out = NULL;
	if (!o || !o->model_id || !*o->model_id) {
		rc = mrm_error_set(err, MRM_EUSAGE, "monitor run needs a model id");
		goto out;
	}
	if (!o->data || !*o->data) {
		rc = mrm_error_set(err, MRM_EUSAGE, "monitor run needs --data FILE");
		goto out;
	}
	if (!strcmp(o->data, "-")) {
		rc = mrm_error_set(err, MRM_EUSAGE,
				   "monitor run cannot read standard input (--data -): each engine reads the file, so give a file");
		goto out;
	}
	if ((rc = mrm_route_timeout(o->delivery.timeout, &timeout, err)))
		goto out;
	if ((rc = mrm__require_role(ctx, runner_roles, "run monitors", err)) ||
	    (rc = mrm__model_get(ctx, o->model_id, &model, err)) ||
	    (rc = mrm__rows(ctx, "SELECT * FROM monitors WHERE model_id = ? AND status = 'active' ORDER BY id",
			    PARAMS(PT(o->model_id)), &rows, err)))
		goto out;
	if (!json_array_size(rows)) {
		rc = mrm_error_set(err, MRM_EINPUT,
				   "model '%s' has no active monitor (add one with 'mrm monitor add %s --signal ...')",
				   o->model_id, o->model_id);
		goto out;
	}
	if (access(o->data, R_OK) != 0) {
		rc = mrm_error_set(err, MRM_EINPUT, "%s: cannot read it: %s", o->data, strerror(errno));
		goto out;
	}
	if (o->reference && access(o->reference, R_OK) != 0) {
		rc = mrm_error_set(err, MRM_EINPUT, "--reference %s: cannot read it: %s", o->reference,
				   strerror(errno));
		goto out;
	}
	if ((rc = plan(ctx, o, rows, &r, err)))
		goto out;

	/* 1. Alerts still queued from earlier runs go first: none is ever dropped. */
	if ((rc = mrm__deliver(ctx, &o->delivery, NULL, 0, retried, &t.delivered, &t.queued, err)))
		goto out;

	/* 2. The engines, outside any transaction. */
	compute(o, &r);
	data = data_identity(o, &r);
	for (size_t i = 0; i < r.ndrifts; i++) {
		json_t *s;
		size_t k;
		bool seen = false;
		json_array_foreach(refs, k, s)
			seen |= same(json_string_value(s), r.drifts[i].reference);
		if (!seen)
			json_array_append_new(refs, json_string(r.drifts[i].reference));
	}

	/* 3. Every result, its alert, finding and delivery: one transaction. */
	if ((rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = mrm__int(ctx, "SELECT coalesce(max(run), 0) + 1 FROM monitor_results", NOPARAMS,
			   &run, err)))
		goto fail;
	/* The model as it is now, inside the transaction (its tier decides on findings). */
	json_decref(model);
	model = NULL;
	if ((rc = mrm__model_get(ctx, o->model_id, &model, err)))
		goto fail;
	for (size_t i = 0; i < r.nmons; i++) {
		int64_t active = 0;
		json_t *ev;
		size_t k;
		/* disabled while the engines ran: it takes no result */
		if ((rc = mrm__int(ctx, "SELECT count(*) FROM monitors WHERE id = ? AND status = 'active'",
				   PARAMS(PI(int_of(r.mons[i].row, "id"))), &active, err)))
			goto fail;
		if (!active)
			continue;
		evals = json_array();
		if ((rc = evaluate(&r, &r.mons[i], evals, err)))
			goto fail;
		json_array_foreach(evals, k, ev) {
			if ((rc = store_one(ctx, model, &r.mons[i], ev, run, data, results, &new_del, &ndel,
					    &t, err)))
				goto fail;
		}
		json_decref(evals);
		evals = NULL;
	}
	if ((rc = mrm__commit(ctx, err)))
		goto fail;

	/* 4. The new alerts, after their results are safely stored. */
	if (ndel && (rc = mrm__deliver(ctx, &o->delivery, new_del, ndel, sent, &t.delivered,
				       &t.queued, err)))
		goto out;
	json_array_extend(retried, sent);
	*out = json_pack("{s:s,s:I,s:O,s:O,s:O,s:O,s:{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i}}", "model",
			 o->model_id, "run", (json_int_t)run, "data", data, "references", refs,
			 "results", results, "deliveries", retried, "summary", "ok", t.ok, "warn", t.warn,
			 "alert", t.alert, "error", t.error, "alerts_raised", t.raised, "deduplicated",
			 t.deduplicated, "findings_opened", t.findings, "delivered", t.delivered,
			 "queued", t.queued);
	if (!*out) {
		rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
		goto out;
	}
	if (t.alert)
		rc = mrm_error_set(err, MRM_ECHECK, "%d monitor result%s at alert level (%s)", t.alert,
				   t.alert == 1 ? "" : "s", t.alerts);
	else if (t.error)
		rc = mrm_error_set(err, MRM_EINPUT, "%d monitor%s could not be evaluated (%s)", t.error,
				   t.error == 1 ? "" : "s", t.errors);
	else if (t.queued)
		rc = mrm_error_set(err, MRM_EDELIVERY,
				   "%d alert deliver%s failed and stay%s queued (retried by the next 'mrm monitor run' or 'mrm alert deliver')",
				   t.queued, t.queued == 1 ? "y" : "ies", t.queued == 1 ? "s" : "");
	goto out;
fail:
	mrm__rollback(ctx);
out:
	run_release(&r);
	free(new_del);
	json_decref(evals);
	json_decref(data);
	json_decref(refs);
	json_decref(results);
	json_decref(retried);
	json_decref(sent);
	json_decref(rows);
	json_decref(model);
	return rc;
}

/* ---- KPI ------------------------------------------------------------------------------ */

int mrm_kpi_monitoring_coverage(struct mrm_ctx *ctx, const char *as_of, json_t **out,
				struct mrm_error *err)
{
	char date[MRM_DATE_LEN], end[MRM_TIME_LEN];
	json_t *states = NULL, *uncovered = json_array(), *row;
	int64_t population = 0, covered = 0;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = mrm__kpi_end_of_day(ctx, as_of, date, end, err)))
		goto out;
	/* Each model's state at the end of that day: the row its last event by then recorded. */
	if ((rc = mrm__rows(ctx,
			    "SELECT object_id, change FROM audit_events WHERE seq IN "
			    "(SELECT max(seq) FROM audit_events WHERE object_type = 'model' AND ts <= ? "
			    "GROUP BY object_id) ORDER BY object_id",
			    PARAMS(PT(end)), &states, err)))
		goto out;
	json_array_foreach(states, i, row) {
		json_t *after = json_object_get(json_object_get(row, "change"), "after");
		const char *id = mrm__str(row, "object_id");
		int64_t active = 0;

		if (!json_is_object(after) || json_integer_value(json_object_get(after, "tier")) != 1 ||
		    !same(mrm__str(after, "status"), "production"))
			continue;
		population++;
		if ((rc = mrm__int(ctx,
				   "SELECT count(*) FROM monitors WHERE model_id = ? AND created_at <= ? "
				   "AND (disabled_at IS NULL OR disabled_at > ?)",
				   PARAMS(PT(id), PT(end), PT(end)), &active, err)))
			goto out;
		if (active)
			covered++;
		else
			json_array_append_new(uncovered, json_string(id));
	}
	*out = json_pack("{s:s,s:o,s:s,s:s,s:I,s:I,s:O}", "as_of", date, "value",
			 population ? json_real((double)covered / (double)population) : json_null(),
			 "unit", "ratio", "target", "1.0", "population", (json_int_t)population,
			 "covered", (json_int_t)covered, "uncovered", uncovered);
	if (!population)
		json_object_set_new(*out, "reason", json_string("no tier 1 model in production then"));
out:
	json_decref(states);
	json_decref(uncovered);
	return rc;
}
