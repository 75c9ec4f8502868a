/*
 * Monitors and alerts: a signal of a model's data or performance (drift of a column, the
 * dataset drift share, a validation metric, a data-quality check) watched with warn and
 * alert thresholds; runs that evaluate a model's active monitors on new data and store
 * every result; alerts raised from warn and alert results, delivered to a webhook or a
 * file through a queue that never drops one, and resolved as actioned or false positive;
 * and the two KPIs that follow (monitoring coverage, alert false-positive rate).
 *
 * Ids are displayed "M-N" (monitors), "MR-N" (results), "AL-N" (alerts) and "D-N"
 * (deliveries); functions taking ids accept "M-12", "m-12" or "12". The rules, with their
 * reasons, are in docs/monitoring.md.
 *
 * The signal functions (mrm_signal_*) are pure: no store, no files. The others run in a
 * context (mrm/ctx.h) and write an audit event with every change, in the same transaction.
 */
#ifndef MRM_MONITOR_H
#define MRM_MONITOR_H

#include <stdbool.h>

#include <jansson.h>

#include "mrm/ctx.h"
#include "mrm/error.h"

struct mrm_table_options; /* mrm/table.h */

extern const char *const mrm_monitor_windows[];    /* 1h 1d 1w */
extern const char *const mrm_monitor_directions[]; /* above below */
extern const char *const mrm_alert_resolutions[];  /* actioned false-positive */

/* ---- signals (pure) ------------------------------------------------------- */

enum mrm_signal_kind {
	MRM_SIGNAL_DRIFT_SHARE,   /* drift_share */
	MRM_SIGNAL_DATASET_DRIFT, /* dataset_drift (0 or 1) */
	MRM_SIGNAL_DRIFT_COLUMN,  /* drift:COLUMN, the deciding test's p-value or distance */
	MRM_SIGNAL_DRIFT_MEASURE, /* drift:COLUMN:MEASURE, e.g. drift:age:psi */
	MRM_SIGNAL_METRIC,        /* metric:NAME, a validation metric */
	MRM_SIGNAL_QUALITY,       /* quality:CHECK[:COLUMN] */
};

struct mrm_signal {
	enum mrm_signal_kind kind;
	char *column;  /* drift:COLUMN..., quality:CHECK:COLUMN; else NULL */
	char *name;    /* the measure, metric or check; else NULL */
	/*
	 * The direction in which the value gets worse: "above" (alert when value >= threshold)
	 * or "below" (alert when value < threshold); NULL for drift:COLUMN, whose direction is
	 * that of the column's deciding test (p-values below, distances above), and for the
	 * metrics with no better side (selection_rate, calibration_slope, calibration_intercept).
	 */
	const char *direction;
	bool needs_reference; /* drift and quality signals compare with a reference */
	bool needs_labels;    /* metric signals need --label and --score */
	bool regression;      /* a regression metric (mae, rmse, r2, ...) */
	bool unit_interval;   /* its values lie in [0, 1] (p-values, shares, 0/1) */
};

/*
 * Parses `text` into `s` (release with mrm_signal_release()). Errors, MRM_EINPUT naming
 * the signal: an unknown form (the message lists the forms), an unknown drift measure or
 * metric (the message lists the known ones), an empty column or check name.
 */
int mrm_signal_parse(const char *text, struct mrm_signal *s, struct mrm_error *err);

/* Frees what mrm_signal_parse() allocated; a zeroed signal is fine. */
void mrm_signal_release(struct mrm_signal *s);

/*
 * Checks the thresholds of a monitor on signal `s`: `direction` ("above", "below" or NULL
 * for the signal's own) must be known, warn and alert finite, ordered for the direction
 * (above: warn <= alert; below: warn >= alert) and within [0, 1] for p-values, shares and
 * 0/1 signals. A drift:COLUMN signal without a direction takes it at run time from the
 * column's deciding test (p-values alert below, distances above): its thresholds may be
 * in either order here (warn above alert fits only a p-value, so both must lie in
 * [0, 1]), and a run whose test does not fit their order gives an error result. `*resolved`
 * (may be NULL) receives the direction in force: "above", "below", or NULL for "from the
 * deciding test". Errors: MRM_EINPUT naming --warn, --alert or --direction.
 */
int mrm_signal_check(const struct mrm_signal *s, const char *direction, double warn, double alert,
		     const char **resolved, struct mrm_error *err);

/*
 * Evaluates signal `s` on one document: a drift document of mrm_drift_run() (the top
 * level or one element of its "windows"), with, for metric signals, "metrics" {name:
 * value} and optionally "metrics_undefined" {name: reason}; "quality" [{check, column,
 * value, threshold, failed}] for quality signals. `direction` as stored (NULL: the
 * signal's own, or the deciding test's for drift:COLUMN). `*out` (caller frees) receives
 * { "value": X | null, "level": "ok" | "warn" | "alert" | "error", "direction",
 * "threshold" (the one crossed, or null), "reason" (error only), "details": {...} }.
 * A value the document cannot give (a column missing from the current data, a measure
 * not applicable or undefined, no quality checks in the document, a metric undefined)
 * is an "error" level with its reason, not a failure: the return is MRM_OK whenever
 * `*out` is set.
 */
int mrm_signal_eval(const struct mrm_signal *s, const char *direction, double warn, double alert,
		    json_t *doc, json_t **out, struct mrm_error *err);

/* ---- monitors --------------------------------------------------------------- */

/*
 * Attaches a monitor to model `model_id`. fields (strings, as the CLI gives them; warn
 * and alert may also be JSON numbers): signal, warn, alert (required); direction (above
 * or below, overrides the signal's); window (1h, 1d or 1w) and timestamp (the time
 * column), stored for windowed runs; reference (a readable data file, stored as an
 * absolute path; else given at run time); columns (array of names: the columns the drift
 * run compares, drift and quality signals only; must include the signal's column);
 * route (an http:// or https:// URL, or a file path whose directory exists, stored
 * absolute); label and score (required for metric signals, refused otherwise);
 * threshold (classification metrics: predicted positive when score >= it, as a number
 * or text); no_finding (bool: alerts on a tier 1 model do not open findings). Who: the
 * model owner, or role validator or admin. Errors: MRM_EINPUT (bad signal, thresholds,
 * window, route, columns, unreadable reference, label/score/threshold missing or
 * superfluous, retired model), MRM_ENOTFOUND (model), MRM_EPERM. `*out` (may be NULL;
 * caller frees) receives the monitor as mrm_monitor_show() gives it.
 */
int mrm_monitor_add(struct mrm_ctx *ctx, const char *model_id, json_t *fields, json_t **out,
		    struct mrm_error *err);

/*
 * Monitors of model `model_id` (NULL: every model), by id, as a new array of { id,
 * model_id, signal, direction (null: from the deciding test), warn, alert, time_window,
 * timestamp_column, reference, columns, route, label_column, score_column,
 * score_threshold, open_findings, status, created_by, created_at, disabled_by,
 * disabled_at, disable_reason, last_run (time), last_level, last_value, open_alerts }.
 * Unknown model MRM_ENOTFOUND.
 */
int mrm_monitor_list(struct mrm_ctx *ctx, const char *model_id, json_t **out,
		     struct mrm_error *err);

/*
 * One monitor: its columns plus "results" (the last 20, newest first: id, run,
 * window_start, window_end, value, level, created_at) and "open_alerts" (id, level,
 * value, created_at). Unknown id MRM_ENOTFOUND, malformed MRM_EINPUT.
 */
int mrm_monitor_show(struct mrm_ctx *ctx, const char *id, json_t **out, struct mrm_error *err);

/*
 * Disables monitor `id` (runs skip it; its results and alerts stay). fields (may be
 * NULL): reason. Who: role validator or admin (switching a control off is the second
 * line's decision). Errors: MRM_EINPUT (already disabled), MRM_ENOTFOUND, MRM_EPERM.
 */
int mrm_monitor_disable(struct mrm_ctx *ctx, const char *id, json_t *fields, json_t **out,
			struct mrm_error *err);

/* ---- runs ------------------------------------------------------------------- */

struct mrm_delivery_options {
	/*
	 * Seconds a webhook call may take (connection included); 0 means
	 * $MRM_WEBHOOK_TIMEOUT, else 10.
	 */
	double timeout;
};

struct mrm_monitor_run_options {
	const char *model_id;  /* required */
	const char *data;      /* the current data file (required; not stdin) */
	const char *reference; /* overrides every monitor's stored reference, or NULL */
	/* Reading options for both files (mrm/table.h), or NULL for the defaults. */
	const struct mrm_table_options *read;
	struct mrm_delivery_options delivery;
};

/*
 * Evaluates every active monitor of the model on `data`, in this order:
 *  1. retries the delivery queue (every pending delivery, of every model);
 *  2. computes the drift document once per reference, and the validation metrics once
 *     per (label, score) pair;
 *  3. in one transaction: stores a result per monitor (per window when windows are
 *     computed), raises an alert for each warn or alert result unless an open alert of
 *     the same monitor and level exists (the result then names it), opens a finding for
 *     an alert-level alert on a tier 1 model (or links the open one the monitor already
 *     raised), and queues a delivery per alert of a monitor with a route; all audited;
 *  4. delivers the new alerts.
 * `*out` (caller frees) receives { model, run, data, references, results: [...], alerts:
 * [...], deliveries: [... every delivery attempted, queue retries first], summary: { ok,
 * warn, alert, error, alerts_raised, deduplicated, findings_opened, delivered, queued } }.
 * Returns, with `*out` set: MRM_OK; MRM_ECHECK when any result is at alert level;
 * else MRM_EINPUT when a monitor could not be evaluated (level error); else
 * MRM_EDELIVERY when a delivery attempted in this run failed (it stays queued). Errors
 * without `*out`: MRM_EUSAGE (no data, stdin, a drift monitor without a reference),
 * MRM_EINPUT (unreadable or empty data, no active monitor), MRM_ENOTFOUND, MRM_EPERM
 * (needs role owner, validator or admin), MRM_ESTORE (nothing stored).
 */
int mrm_monitor_run(struct mrm_ctx *ctx, const struct mrm_monitor_run_options *o, json_t **out,
		    struct mrm_error *err);

/* ---- alerts ----------------------------------------------------------------- */

struct mrm_alert_filter {
	const char *model_id; /* or NULL */
	const char *status;   /* open, resolved, or NULL for both */
};

/*
 * Alerts matching `f` (NULL: all), newest first, as a new array of { id, model_id,
 * monitor_id, signal, level, value, threshold, status, resolution, resolved_by,
 * resolved_at, finding_id, created_at, delivery (status of its delivery, or null) }.
 * Errors: bad status MRM_EINPUT; unknown model MRM_ENOTFOUND.
 */
int mrm_alert_list(struct mrm_ctx *ctx, const struct mrm_alert_filter *f, json_t **out,
		   struct mrm_error *err);

/* One alert: its columns, its result's details and its deliveries. */
int mrm_alert_show(struct mrm_ctx *ctx, const char *id, json_t **out, struct mrm_error *err);

/*
 * Resolves alert `id` as `resolution` (actioned or false-positive). fields (may be NULL):
 * note. Who: the model owner, or role validator or admin. Resolving does not touch the
 * alert's finding (findings have their own workflow). Errors: MRM_EINPUT (unknown
 * resolution, already resolved), MRM_ENOTFOUND, MRM_EPERM.
 */
int mrm_alert_resolve(struct mrm_ctx *ctx, const char *id, const char *resolution,
		      json_t *fields, json_t **out, struct mrm_error *err);

/*
 * Retries every pending delivery, oldest first (a route that fails is not tried again
 * in the same call, so deliveries to it keep their order). `*out` receives { deliveries:
 * [ { id, alert_id, route, status, attempts, error } ], delivered, queued }. Returns
 * MRM_EDELIVERY (with `*out`) when some delivery is still queued. Needs a registered user.
 */
int mrm_alert_deliver(struct mrm_ctx *ctx, const struct mrm_delivery_options *o, json_t **out,
		      struct mrm_error *err);

/* ---- KPIs ------------------------------------------------------------------- */

/*
 * monitoring_coverage_tier1 as of the end of day `as_of` ("YYYY-MM-DD"; NULL: today):
 * the share of models that were tier 1 and in production then (their state replayed from
 * the audit trail) having at least one monitor active then (created on or before, not
 * disabled by then). `*out`: { value (null when the population is empty), unit "ratio",
 * target, population, covered, uncovered: [model ids], reason (empty population) }.
 */
int mrm_kpi_monitoring_coverage(struct mrm_ctx *ctx, const char *as_of, json_t **out,
				struct mrm_error *err);

/*
 * alert_false_positive_rate as of the end of day `as_of`: alerts resolved by then as
 * false-positive / alerts resolved by then. `*out`: { value, unit "ratio", target,
 * population (resolved alerts), false_positives, actioned, reason }.
 */
int mrm_kpi_alert_false_positive_rate(struct mrm_ctx *ctx, const char *as_of, json_t **out,
				      struct mrm_error *err);

#endif
