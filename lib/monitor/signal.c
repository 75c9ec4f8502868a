/*
 * Monitor signals: parsing "drift:COLUMN:MEASURE" and friends, checking warn and alert
 * thresholds against the signal's direction, and evaluating a signal on one drift
 * document (the whole file or one window). Pure: no store, no files.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrm/monitor.h"

const char *const mrm_monitor_windows[] = { "1h", "1d", "1w", NULL };
const char *const mrm_monitor_directions[] = { "above", "below", NULL };

/* The measures of a drift column that drift:COLUMN:MEASURE may name. */
static const char *const measures[] = {
	"ks_statistic", "ks_p_value", "chi2_statistic", "chi2_p_value", "psi", "wasserstein",
	"wasserstein_norm", "jensen_shannon", "anderson_darling", "z_statistic", "z_p_value", NULL,
};

/* Validation metrics and the side on which they get worse (NULL: neither). */
static const struct metric {
	const char *name;
	const char *direction;
	bool regression, unit;
} metrics[] = {
	{ "roc_auc", "below", false, true },
	{ "gini", "below", false, false },
	{ "average_precision", "below", false, true },
	{ "ks_statistic", "below", false, true },
	{ "accuracy", "below", false, true },
	{ "balanced_accuracy", "below", false, true },
	{ "precision", "below", false, true },
	{ "recall", "below", false, true },
	{ "specificity", "below", false, true },
	{ "f1", "below", false, true },
	{ "matthews_corrcoef", "below", false, false },
	{ "log_loss", "above", false, false },
	{ "brier_score", "above", false, true },
	{ "ece", "above", false, true },
	{ "mce", "above", false, true },
	{ "fpr", "above", false, true },
	{ "fnr", "above", false, true },
	{ "selection_rate", NULL, false, true },
	{ "calibration_slope", NULL, false, false },
	{ "calibration_intercept", NULL, false, false },
	{ "mae", "above", true, false },
	{ "mse", "above", true, false },
	{ "rmse", "above", true, false },
	{ "mape", "above", true, false },
	{ "median_absolute_error", "above", true, false },
	{ "r2", "below", true, false },
};
#define NMETRICS (sizeof(metrics) / sizeof(metrics[0]))

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static void join(char *buf, size_t cap, const char *const *names, size_t n, size_t stride)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *name = *(const char *const *)((const char *)names + i * stride);
		int w = snprintf(buf + used, cap - used, "%s%s", i ? " " : "", name);
		if (w < 0 || (size_t)w >= cap - used)
			break;
		used += (size_t)w;
	}
}

void mrm_signal_release(struct mrm_signal *s)
{
	if (!s)
		return;
	free(s->column);
	free(s->name);
	s->column = s->name = NULL;
}

static int dup_to(char **dst, const char *src, size_t n, struct mrm_error *err)
{
	if (!(*dst = strndup(src, n)))
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	return MRM_OK;
}

static int parse_drift(const char *text, const char *rest, struct mrm_signal *s,
		       struct mrm_error *err)
{
	const char *colon = strrchr(rest, ':');
	char list[400];
	int rc;

	/*
	 * drift:COLUMN:MEASURE splits at the last colon, so a column whose name holds a colon
	 * can still be watched through one of its measures.
	 */
	if (colon && in_list(colon + 1, measures)) {
		s->kind = MRM_SIGNAL_DRIFT_MEASURE;
		if ((rc = dup_to(&s->column, rest, (size_t)(colon - rest), err)) ||
		    (rc = dup_to(&s->name, colon + 1, strlen(colon + 1), err)))
			return rc;
		s->direction = ends_with(s->name, "_p_value") ? "below" : "above";
		s->unit_interval = ends_with(s->name, "_p_value");
	} else {
		if (colon) {
			join(list, sizeof(list), measures, sizeof(measures) / sizeof(measures[0]) - 1,
			     sizeof(measures[0]));
			return mrm_error_set(err, MRM_EINPUT,
					     "signal '%s': unknown drift measure '%s' (measures: %s; drift:COLUMN alone uses the column's deciding test)",
					     text, colon + 1, list);
		}
		s->kind = MRM_SIGNAL_DRIFT_COLUMN;
		if ((rc = dup_to(&s->column, rest, strlen(rest), err)))
			return rc;
		s->direction = NULL;
	}
	if (!*s->column)
		return mrm_error_set(err, MRM_EINPUT, "signal '%s': the column name is empty", text);
	s->needs_reference = true;
	return MRM_OK;
}

int mrm_signal_parse(const char *text, struct mrm_signal *s, struct mrm_error *err)
{
	char list[600];
	int rc;

	memset(s, 0, sizeof(*s));
	if (!text || !*text)
		return mrm_error_set(err, MRM_EINPUT, "missing signal");
	if (!strcmp(text, "drift_share")) {
		s->kind = MRM_SIGNAL_DRIFT_SHARE;
		s->direction = "above";
		s->needs_reference = s->unit_interval = true;
		return MRM_OK;
	}
	if (!strcmp(text, "dataset_drift")) {
		s->kind = MRM_SIGNAL_DATASET_DRIFT;
		s->direction = "above";
		s->needs_reference = s->unit_interval = true;
		return MRM_OK;
	}
	if (!strncmp(text, "drift:", 6)) {
		rc = parse_drift(text, text + 6, s, err);
		if (rc)
			mrm_signal_release(s);
		return rc;
	}
	if (!strncmp(text, "metric:", 7)) {
		const char *name = text + 7;
		for (size_t i = 0; i < NMETRICS; i++) {
			if (strcmp(name, metrics[i].name))
				continue;
			s->kind = MRM_SIGNAL_METRIC;
			s->direction = metrics[i].direction;
			s->needs_labels = true;
			s->regression = metrics[i].regression;
			s->unit_interval = metrics[i].unit;
			return dup_to(&s->name, name, strlen(name), err);
		}
		join(list, sizeof(list), &metrics[0].name, NMETRICS, sizeof(metrics[0]));
		return mrm_error_set(err, MRM_EINPUT, "signal '%s': unknown metric '%s' (metrics: %s)",
				     text, name, list);
	}
	if (!strncmp(text, "quality:", 8)) {
		const char *check = text + 8, *colon = strchr(check, ':');
		size_t n = colon ? (size_t)(colon - check) : strlen(check);
		s->kind = MRM_SIGNAL_QUALITY;
		s->direction = "above";
		s->needs_reference = true;
		if (n == 0 || (colon && !colon[1])) {
			rc = mrm_error_set(err, MRM_EINPUT,
					   "signal '%s': give a check name, and a column after a second ':' (quality:CHECK[:COLUMN])",
					   text);
			goto fail;
		}
		if ((rc = dup_to(&s->name, check, n, err)) ||
		    (colon && (rc = dup_to(&s->column, colon + 1, strlen(colon + 1), err))))
			goto fail;
		return MRM_OK;
	}
	return mrm_error_set(err, MRM_EINPUT,
			     "unknown signal '%s' (signals: drift_share, dataset_drift, drift:COLUMN, drift:COLUMN:MEASURE, metric:NAME, quality:CHECK[:COLUMN]; see docs/monitoring.md)",
			     text);
fail:
	mrm_signal_release(s);
	return rc;
}

/* Names the ordering a direction needs, for messages. */
static int out_of_order(const char *direction, double warn, double alert, struct mrm_error *err)
{
	if (!strcmp(direction, "above"))
		return mrm_error_set(err, MRM_EINPUT,
				     "--warn %g must not be above --alert %g: this signal alerts when the value is at or above a threshold (give --warn <= --alert, or --direction below)",
				     warn, alert);
	return mrm_error_set(err, MRM_EINPUT,
			     "--warn %g must not be below --alert %g: this signal alerts when the value falls below a threshold (give --warn >= --alert, or --direction above)",
			     warn, alert);
}

int mrm_signal_check(const struct mrm_signal *s, const char *direction, double warn, double alert,
		     const char **resolved, struct mrm_error *err)
{
	const char *d = s->direction;
	bool unit = s->unit_interval;

	if (resolved)
		*resolved = NULL;
	if (direction) {
		if (!in_list(direction, mrm_monitor_directions))
			return mrm_error_set(err, MRM_EINPUT,
					     "--direction must be above or below, not '%s'", direction);
		d = !strcmp(direction, "above") ? "above" : "below";
	}
	if (!isfinite(warn))
		return mrm_error_set(err, MRM_EINPUT, "--warn must be a finite number");
	if (!isfinite(alert))
		return mrm_error_set(err, MRM_EINPUT, "--alert must be a finite number");
	if (!d && s->kind == MRM_SIGNAL_METRIC)
		return mrm_error_set(err, MRM_EINPUT,
				     "metric %s has no better side: give --direction above or below",
				     s->name);
	/* drift:COLUMN: its deciding test is a p-value or a distance; both are >= 0 */
	if (!d && s->kind == MRM_SIGNAL_DRIFT_COLUMN) {
		if (warn < 0 || alert < 0)
			return mrm_error_set(err, MRM_EINPUT,
					     "--warn and --alert must be >= 0 (a p-value or a distance)");
		/* warn above alert can only fit a p-value, which lies in [0, 1] */
		unit = warn > alert;
	} else if (d && (!strcmp(d, "above") ? warn > alert : warn < alert)) {
		return out_of_order(d, warn, alert, err);
	}
	if (unit && (warn < 0 || warn > 1 || alert < 0 || alert > 1))
		return mrm_error_set(err, MRM_EINPUT,
				     "--warn %g and --alert %g must lie in [0, 1] for this signal (a p-value, share or 0/1 flag)",
				     warn, alert);
	if (resolved)
		*resolved = d;
	return MRM_OK;
}

/* ---- evaluation ----------------------------------------------------------- */

static json_t *result_error(const char *direction, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static json_t *result_error(const char *direction, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return json_pack("{s:n,s:s,s:s?,s:n,s:s,s:{}}", "value", "level", "error", "direction",
			 direction, "threshold", "reason", reason, "details");
}

/* The level of `value` against warn and alert thresholds in `direction`. */
static const char *level_of(const char *direction, double value, double warn, double alert,
			    double *crossed)
{
	bool above = !strcmp(direction, "above");
	*crossed = NAN;
	if (above ? value >= alert : value < alert) {
		*crossed = alert;
		return "alert";
	}
	if (above ? value >= warn : value < warn) {
		*crossed = warn;
		return "warn";
	}
	return "ok";
}

static json_t *result_value(const char *direction, double value, double warn, double alert,
			    json_t *details)
{
	double crossed;
	const char *level = level_of(direction, value, warn, alert, &crossed);
	return json_pack("{s:f,s:s,s:s,s:o,s:o}", "value", value, "level", level, "direction",
			 direction, "threshold", isnan(crossed) ? json_null() : json_real(crossed),
			 "details", details ? details : json_object());
}

/* Why column `name` has no drift entry: a schema problem of the document, or unknown. */
static json_t *missing_column(json_t *doc, const char *name, const char *direction)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(doc, "schema"), i, v) {
		const char *col = json_string_value(json_object_get(v, "column"));
		const char *problem = json_string_value(json_object_get(v, "problem"));
		if (!col || strcmp(col, name) || !problem)
			continue;
		if (!strcmp(problem, "missing_in_current"))
			return result_error(direction, "column '%s' is missing from the current data", name);
		if (!strcmp(problem, "retyped"))
			return result_error(direction,
					    "column '%s' changed type (%s in the reference, %s in the current data)",
					    name, json_string_value(json_object_get(v, "reference_type")),
					    json_string_value(json_object_get(v, "current_type")));
		if (!strcmp(problem, "new_in_current"))
			return result_error(direction, "column '%s' is not in the reference data", name);
	}
	return result_error(direction, "no column '%s' in the reference data", name);
}

static json_t *eval_drift_column(const struct mrm_signal *s, const char *direction, double warn,
				 double alert, json_t *doc)
{
	json_t *col = json_object_get(json_object_get(doc, "columns"), s->column);
	json_t *p, *stat, *details;
	const char *method, *d = direction;
	double value;

	if (!json_is_object(col))
		return missing_column(doc, s->column, direction);
	method = json_string_value(json_object_get(col, "method"));
	if (!method)
		return result_error(direction, "column '%s' was not tested: %s", s->column,
				    json_is_string(json_object_get(col, "reason"))
					    ? json_string_value(json_object_get(col, "reason"))
					    : "no decision");
	p = json_object_get(col, "p_value");
	stat = json_object_get(col, "statistic");
	details = json_pack("{s:s,s:s,s:O,s:O,s:O}", "column", s->column, "method", method,
			    "statistic", stat ? stat : json_null(), "p_value", p ? p : json_null(),
			    "drifted", json_object_get(col, "drifted") ? json_object_get(col, "drifted")
								      : json_null());
	if (json_is_number(p)) {
		value = json_number_value(p);
		if (!d)
			d = "below";
		json_object_set_new(details, "measure", json_string("p_value"));
	} else if (json_is_number(stat)) {
		value = json_number_value(stat);
		if (!d)
			d = "above";
		json_object_set_new(details, "measure", json_string("statistic"));
	} else {
		json_decref(details);
		return result_error(direction, "column '%s': the %s test gave no value", s->column,
				    method);
	}
	/* Thresholds stored without a direction must fit the deciding test's. */
	if (!direction && (!strcmp(d, "above") ? warn > alert : warn < alert)) {
		json_decref(details);
		return result_error(d,
				    "column '%s' is decided by %s (%s): warn %g and alert %g are in the wrong order for it; re-add the monitor with --direction or swapped thresholds",
				    s->column, method,
				    !strcmp(d, "below") ? "a p-value, alerts below" : "a distance, alerts above",
				    warn, alert);
	}
	return result_value(d, value, warn, alert, details);
}

static json_t *eval_drift_measure(const struct mrm_signal *s, const char *direction, double warn,
				  double alert, json_t *doc)
{
	json_t *col = json_object_get(json_object_get(doc, "columns"), s->column), *v;
	const char *why;

	if (!json_is_object(col))
		return missing_column(doc, s->column, direction);
	v = json_object_get(col, s->name);
	if (!v)
		return result_error(direction, "column '%s' (%s) has no %s: the measure does not apply to its type",
				    s->column, json_string_value(json_object_get(col, "type")), s->name);
	if (!json_is_number(v)) {
		why = json_string_value(json_object_get(json_object_get(col, "undefined"), s->name));
		return result_error(direction, "column '%s': %s is undefined%s%s", s->column, s->name,
				    why ? ": " : "", why ? why : "");
	}
	return result_value(direction, json_number_value(v), warn, alert,
			    json_pack("{s:s,s:s,s:O}", "column", s->column, "measure", s->name, "drifted",
				      json_object_get(col, "drifted") ? json_object_get(col, "drifted")
								     : json_null()));
}

static json_t *eval_metric(const struct mrm_signal *s, const char *direction, double warn,
			   double alert, json_t *doc)
{
	json_t *m = json_object_get(doc, "metrics"), *v;
	const char *why;

	if (!json_is_object(m))
		return result_error(direction, "no metrics for this data (labels and scores not read)");
	v = json_object_get(m, s->name);
	if (!json_is_number(v)) {
		why = json_string_value(json_object_get(json_object_get(doc, "metrics_undefined"), s->name));
		return result_error(direction, "metric %s is undefined on this data%s%s", s->name,
				    why ? ": " : "", why ? why : "");
	}
	return result_value(direction, json_number_value(v), warn, alert,
			    json_pack("{s:s}", "metric", s->name));
}

static json_t *eval_quality(const struct mrm_signal *s, const char *direction, double warn,
			    double alert, json_t *doc)
{
	json_t *q = json_object_get(doc, "quality"), *v;
	size_t i;

	if (!json_is_array(q))
		return result_error(direction,
				    "the drift document has no data-quality checks (this mrm computes none), so quality:%s cannot be evaluated",
				    s->name);
	json_array_foreach(q, i, v) {
		const char *check = json_string_value(json_object_get(v, "check"));
		const char *col = json_string_value(json_object_get(v, "column"));
		json_t *value = json_object_get(v, "value");
		if (!check || strcmp(check, s->name))
			continue;
		if (s->column ? !col || strcmp(col, s->column) : col != NULL)
			continue;
		if (!json_is_number(value)) {
			const char *why = json_string_value(json_object_get(v, "detail"));

			return result_error(direction, "quality check %s%s%s has no value%s%s", s->name,
					    s->column ? " of column " : "", s->column ? s->column : "",
					    why ? ": " : "", why ? why : "");
		}
		return result_value(direction, json_number_value(value), warn, alert,
				    json_pack("{s:s,s:s?,s:O,s:O}", "check", s->name, "column",
					      s->column, "check_threshold",
					      json_object_get(v, "threshold") ? json_object_get(v, "threshold")
									     : json_null(),
					      "failed",
					      json_object_get(v, "failed") ? json_object_get(v, "failed")
									  : json_null()));
	}
	return result_error(direction, "no quality check %s%s%s in the document", s->name,
			    s->column ? " on column " : " over the data set",
			    s->column ? s->column : "");
}

int mrm_signal_eval(const struct mrm_signal *s, const char *direction, double warn, double alert,
		    json_t *doc, json_t **out, struct mrm_error *err)
{
	const char *d = direction ? direction : s->direction;
	json_t *r = NULL, *v;

	*out = NULL;
	if (!json_is_object(doc))
		return mrm_error_set(err, MRM_EINPUT, "internal: no document to evaluate");
	if (!d && s->kind != MRM_SIGNAL_DRIFT_COLUMN) {
		*out = result_error(NULL, "the monitor has no direction (give --direction)");
		return *out ? MRM_OK : mrm_error_set(err, MRM_ESTORE, "out of memory");
	}
	switch (s->kind) {
	case MRM_SIGNAL_DRIFT_SHARE:
		v = json_object_get(doc, "drift_share");
		if (!json_is_number(v))
			r = result_error(d, "no column could be tested, so there is no drift share");
		else
			r = result_value(d, json_number_value(v), warn, alert,
					 json_pack("{s:O,s:O}", "columns_tested",
						   json_object_get(doc, "columns_tested") ? json_object_get(doc, "columns_tested") : json_null(),
						   "columns_drifted",
						   json_object_get(doc, "columns_drifted") ? json_object_get(doc, "columns_drifted") : json_null()));
		break;
	case MRM_SIGNAL_DATASET_DRIFT:
		v = json_object_get(doc, "dataset_drift");
		if (!json_is_boolean(v))
			r = result_error(d, "the document has no dataset_drift");
		else
			r = result_value(d, json_is_true(v) ? 1.0 : 0.0, warn, alert,
					 json_pack("{s:O}", "drift_share",
						   json_object_get(doc, "drift_share") ? json_object_get(doc, "drift_share") : json_null()));
		break;
	case MRM_SIGNAL_DRIFT_COLUMN:
		r = eval_drift_column(s, direction, warn, alert, doc);
		break;
	case MRM_SIGNAL_DRIFT_MEASURE:
		r = eval_drift_measure(s, d, warn, alert, doc);
		break;
	case MRM_SIGNAL_METRIC:
		r = eval_metric(s, d, warn, alert, doc);
		break;
	case MRM_SIGNAL_QUALITY:
		r = eval_quality(s, d, warn, alert, doc);
		break;
	}
	if (!r)
		return mrm_error_set(err, MRM_ESTORE, "out of memory evaluating a signal");
	*out = r;
	return MRM_OK;
}
