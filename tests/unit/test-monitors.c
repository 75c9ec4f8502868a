/*
 * Unit tests for monitors and alerts: signal parsing, thresholds and directions, evaluation
 * on drift documents, monitor add/list/disable rules, runs (results, alerts, dedupe, tier 1
 * findings, the delivery queue over a file route), resolving alerts, and the two KPIs.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fixture.h"

#include "mrm/finding.h"
#include "mrm/monitor.h"
#include "mrm/route.h"

/* ---- signals ------------------------------------------------------------------- */

static void parse_ok(const char *text, enum mrm_signal_kind kind, const char *column,
		     const char *name, const char *direction)
{
	struct mrm_signal s;
	struct mrm_error err = { 0 };

	if (mrm_signal_parse(text, &s, &err))
		fail_msg("%s: %s", text, err.msg);
	assert_int_equal(s.kind, kind);
	if (column)
		assert_string_equal(s.column, column);
	else
		assert_null(s.column);
	if (name)
		assert_string_equal(s.name, name);
	else
		assert_null(s.name);
	if (direction)
		assert_string_equal(s.direction, direction);
	else
		assert_null(s.direction);
	mrm_signal_release(&s);
}

static void parse_fails(const char *text, const char *msg)
{
	struct mrm_signal s;
	struct mrm_error err = { 0 };

	assert_int_equal(mrm_signal_parse(text, &s, &err), MRM_EINPUT);
	if (!strstr(err.msg, msg))
		fail_msg("%s: '%s' lacks '%s'", text, err.msg, msg);
	mrm_signal_release(&s);
}

static void signal_parsing(void **state)
{
	(void)state;
	parse_ok("drift_share", MRM_SIGNAL_DRIFT_SHARE, NULL, NULL, "above");
	parse_ok("dataset_drift", MRM_SIGNAL_DATASET_DRIFT, NULL, NULL, "above");
	parse_ok("drift:cnt", MRM_SIGNAL_DRIFT_COLUMN, "cnt", NULL, NULL);
	parse_ok("drift:cnt:psi", MRM_SIGNAL_DRIFT_MEASURE, "cnt", "psi", "above");
	parse_ok("drift:cnt:ks_p_value", MRM_SIGNAL_DRIFT_MEASURE, "cnt", "ks_p_value", "below");
	parse_ok("drift:a:b:chi2_p_value", MRM_SIGNAL_DRIFT_MEASURE, "a:b", "chi2_p_value", "below");
	parse_ok("drift:x:wasserstein_norm", MRM_SIGNAL_DRIFT_MEASURE, "x", "wasserstein_norm", "above");
	parse_ok("metric:roc_auc", MRM_SIGNAL_METRIC, NULL, "roc_auc", "below");
	parse_ok("metric:brier_score", MRM_SIGNAL_METRIC, NULL, "brier_score", "above");
	parse_ok("metric:ece", MRM_SIGNAL_METRIC, NULL, "ece", "above");
	parse_ok("metric:log_loss", MRM_SIGNAL_METRIC, NULL, "log_loss", "above");
	parse_ok("metric:rmse", MRM_SIGNAL_METRIC, NULL, "rmse", "above");
	parse_ok("metric:r2", MRM_SIGNAL_METRIC, NULL, "r2", "below");
	parse_ok("metric:selection_rate", MRM_SIGNAL_METRIC, NULL, "selection_rate", NULL);
	parse_ok("quality:missing_rate:age", MRM_SIGNAL_QUALITY, "age", "missing_rate", "above");
	parse_ok("quality:duplicate_rows", MRM_SIGNAL_QUALITY, NULL, "duplicate_rows", "above");

	parse_fails("", "missing signal");
	parse_fails("psi", "unknown signal 'psi'");
	parse_fails("drift:", "column name is empty");
	parse_fails("drift::psi", "column name is empty");
	parse_fails("drift:cnt:pssi", "unknown drift measure 'pssi'");
	parse_fails("metric:auc", "unknown metric 'auc' (metrics: roc_auc");
	parse_fails("quality:", "give a check name");
	parse_fails("quality:missing_rate:", "give a check name");
}

static int check(const char *text, const char *direction, double warn, double alert,
		 const char **resolved, char *msg)
{
	struct mrm_signal s;
	struct mrm_error err = { 0 };
	int rc;

	if (mrm_signal_parse(text, &s, &err))
		fail_msg("%s: %s", text, err.msg);
	rc = mrm_signal_check(&s, direction, warn, alert, resolved, &err);
	if (msg)
		snprintf(msg, MRM_ERROR_MAX, "%s", err.msg);
	mrm_signal_release(&s);
	return rc;
}

static void thresholds(void **state)
{
	const char *d = "x";
	char msg[MRM_ERROR_MAX];

	(void)state;
	assert_int_equal(check("drift_share", NULL, 0.3, 0.5, &d, NULL), MRM_OK);
	assert_string_equal(d, "above");
	assert_int_equal(check("drift_share", NULL, 0.5, 0.5, &d, NULL), MRM_OK);
	assert_int_equal(check("drift_share", NULL, 0.5, 0.3, &d, msg), MRM_EINPUT);
	assert_non_null(strstr(msg, "--warn 0.5 must not be above --alert 0.3"));
	assert_int_equal(check("drift_share", NULL, 0.3, 1.5, &d, msg), MRM_EINPUT);
	assert_non_null(strstr(msg, "must lie in [0, 1]"));
	assert_int_equal(check("metric:roc_auc", NULL, 0.75, 0.7, &d, NULL), MRM_OK);
	assert_string_equal(d, "below");
	assert_int_equal(check("metric:roc_auc", NULL, 0.7, 0.75, &d, msg), MRM_EINPUT);
	assert_non_null(strstr(msg, "--warn 0.7 must not be below --alert 0.75"));
	/* --direction overrides, and the order follows it */
	assert_int_equal(check("metric:roc_auc", "above", 0.9, 0.95, &d, NULL), MRM_OK);
	assert_string_equal(d, "above");
	assert_int_equal(check("metric:roc_auc", "sideways", 0.9, 0.95, &d, msg), MRM_EINPUT);
	assert_non_null(strstr(msg, "--direction must be above or below"));
	assert_int_equal(check("metric:selection_rate", NULL, 0.9, 0.95, &d, msg), MRM_EINPUT);
	assert_non_null(strstr(msg, "give --direction"));
	assert_int_equal(check("metric:selection_rate", "below", 0.3, 0.2, &d, NULL), MRM_OK);
	/* drift:COLUMN: the deciding test chooses; a p-value order must lie in [0, 1] */
	assert_int_equal(check("drift:cnt", NULL, 0.05, 0.01, &d, NULL), MRM_OK);
	assert_null(d);
	assert_int_equal(check("drift:cnt", NULL, 0.1, 0.2, &d, NULL), MRM_OK);
	assert_int_equal(check("drift:cnt", NULL, 2, 1, &d, msg), MRM_EINPUT);
	assert_non_null(strstr(msg, "[0, 1]"));
	assert_int_equal(check("drift:cnt", NULL, -1, 0.2, &d, msg), MRM_EINPUT);
	assert_int_equal(check("drift:cnt:ks_p_value", NULL, 0.01, 0.05, &d, msg), MRM_EINPUT);
	assert_int_equal(check("drift:cnt:psi", NULL, 0.1, 0.25, &d, NULL), MRM_OK);
	assert_int_equal(check("drift:cnt:psi", NULL, NAN, 0.25, &d, msg), MRM_EINPUT);
	assert_non_null(strstr(msg, "--warn"));
	assert_int_equal(check("dataset_drift", NULL, 1, 1, &d, NULL), MRM_OK);
}

/* Evaluates `text` on the JSON document `doc` and checks level and value. */
static json_t *eval(const char *text, const char *direction, double warn, double alert,
		    const char *doc_text)
{
	struct mrm_signal s;
	struct mrm_error err = { 0 };
	json_t *doc = json_loads(doc_text, 0, NULL), *out = NULL;

	if (!doc)
		fail_msg("bad test document %s", doc_text);
	if (mrm_signal_parse(text, &s, &err) ||
	    mrm_signal_eval(&s, direction, warn, alert, doc, &out, &err))
		fail_msg("%s: %s", text, err.msg);
	mrm_signal_release(&s);
	json_decref(doc);
	return out;
}

static void expect(json_t *r, const char *level, double value, const char *reason)
{
	const char *got = json_string_value(json_object_get(r, "level"));
	if (!got || strcmp(got, level))
		fail_msg("level %s, want %s (%s)", got, level,
			 json_string_value(json_object_get(r, "reason")));
	if (!strcmp(level, "error")) {
		assert_true(json_is_null(json_object_get(r, "value")));
		if (!strstr(json_string_value(json_object_get(r, "reason")), reason))
			fail_msg("reason '%s' lacks '%s'", json_string_value(json_object_get(r, "reason")),
				 reason);
	} else {
		assert_float_equal(json_number_value(json_object_get(r, "value")), value, 1e-12);
	}
	json_decref(r);
}

static const char *const doc1 =
	"{\"columns\": {"
	"\"cnt\": {\"type\": \"numeric\", \"method\": \"ks\", \"statistic\": 0.6, \"p_value\": 0.004,"
	"          \"psi\": 0.3, \"ks_p_value\": 0.004, \"drifted\": true},"
	"\"hum\": {\"type\": \"numeric\", \"method\": \"wasserstein\", \"statistic\": 0.12, \"p_value\": null,"
	"          \"psi\": null, \"undefined\": {\"psi\": \"constant reference\"}, \"drifted\": true},"
	"\"city\": {\"type\": \"categorical\", \"method\": null, \"reason\": \"every current value is missing\"}},"
	"\"schema\": [{\"column\": \"age\", \"problem\": \"missing_in_current\"},"
	"            {\"column\": \"zip\", \"problem\": \"retyped\", \"reference_type\": \"numeric\","
	"             \"current_type\": \"categorical\"}],"
	"\"columns_tested\": 2, \"columns_drifted\": 2, \"drift_share\": 0.4, \"dataset_drift\": false,"
	"\"metrics\": {\"roc_auc\": 0.71, \"brier_score\": 0.2, \"log_loss\": null},"
	"\"metrics_undefined\": {\"log_loss\": \"scores are not probabilities\"},"
	"\"quality\": [{\"check\": \"missing_rate\", \"column\": \"age\", \"value\": 0.15, \"threshold\": 0.1, \"failed\": true},"
	"              {\"check\": \"duplicate_rows\", \"column\": null, \"value\": 0.0, \"threshold\": 0.01, \"failed\": false}]}";

static void evaluation(void **state)
{
	json_t *r;

	(void)state;
	/* above: value >= threshold */
	expect(eval("drift_share", NULL, 0.3, 0.5, doc1), "warn", 0.4, NULL);
	expect(eval("drift_share", NULL, 0.4, 0.5, doc1), "warn", 0.4, NULL);
	expect(eval("drift_share", NULL, 0.45, 0.5, doc1), "ok", 0.4, NULL);
	expect(eval("drift_share", NULL, 0.2, 0.4, doc1), "alert", 0.4, NULL);
	expect(eval("dataset_drift", NULL, 1, 1, doc1), "ok", 0, NULL);
	/* drift:COLUMN: a p-value alerts strictly below */
	r = eval("drift:cnt", NULL, 0.05, 0.01, doc1);
	assert_string_equal(json_string_value(json_object_get(r, "direction")), "below");
	assert_float_equal(json_number_value(json_object_get(r, "threshold")), 0.01, 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "details"), "method")), "ks");
	expect(r, "alert", 0.004, NULL);
	expect(eval("drift:cnt", NULL, 0.05, 0.004, doc1), "warn", 0.004, NULL);
	expect(eval("drift:cnt", NULL, 0.004, 0.001, doc1), "ok", 0.004, NULL);
	/* a distance alerts at or above */
	expect(eval("drift:hum", NULL, 0.1, 0.2, doc1), "warn", 0.12, NULL);
	expect(eval("drift:hum", NULL, 0.05, 0.12, doc1), "alert", 0.12, NULL);
	/* thresholds stored in the p-value order do not fit a distance */
	expect(eval("drift:hum", NULL, 0.05, 0.01, doc1), "error", 0, "wrong order");
	/* ...unless a direction was given */
	expect(eval("drift:hum", "below", 0.05, 0.01, doc1), "ok", 0.12, NULL);
	expect(eval("drift:age", NULL, 0.05, 0.01, doc1), "error", 0, "missing from the current data");
	expect(eval("drift:zip", NULL, 0.05, 0.01, doc1), "error", 0, "changed type (numeric in the reference");
	expect(eval("drift:nope", NULL, 0.05, 0.01, doc1), "error", 0, "no column 'nope' in the reference");
	expect(eval("drift:city", NULL, 0.05, 0.01, doc1), "error", 0, "every current value is missing");
	/* measures */
	expect(eval("drift:cnt:psi", NULL, 0.1, 0.25, doc1), "alert", 0.3, NULL);
	expect(eval("drift:cnt:ks_p_value", NULL, 0.01, 0.001, doc1), "warn", 0.004, NULL);
	expect(eval("drift:hum:psi", NULL, 0.1, 0.25, doc1), "error", 0, "psi is undefined: constant reference");
	expect(eval("drift:hum:chi2_p_value", NULL, 0.05, 0.01, doc1), "error", 0, "does not apply");
	/* metrics */
	expect(eval("metric:roc_auc", NULL, 0.75, 0.7, doc1), "warn", 0.71, NULL);
	expect(eval("metric:roc_auc", NULL, 0.75, 0.72, doc1), "alert", 0.71, NULL);
	expect(eval("metric:brier_score", NULL, 0.15, 0.25, doc1), "warn", 0.2, NULL);
	expect(eval("metric:log_loss", NULL, 0.5, 0.7, doc1), "error", 0, "not probabilities");
	expect(eval("metric:roc_auc", NULL, 0.75, 0.7, "{}"), "error", 0, "no metrics");
	/* quality */
	expect(eval("quality:missing_rate:age", NULL, 0.1, 0.2, doc1), "warn", 0.15, NULL);
	expect(eval("quality:duplicate_rows", NULL, 0.01, 0.05, doc1), "ok", 0, NULL);
	expect(eval("quality:missing_rate", NULL, 0.1, 0.2, doc1), "error", 0, "over the data set");
	expect(eval("quality:missing_rate:hum", NULL, 0.1, 0.2, doc1), "error", 0, "on column hum");
	expect(eval("quality:missing_rate:age", NULL, 0.1, 0.2, "{\"columns\": {}}"), "error", 0,
	       "no data-quality checks");
	/* one window element is a document like any other */
	expect(eval("drift_share", NULL, 0.3, 0.5,
		    "{\"start\": \"2011-01-01T00:00:00Z\", \"drift_share\": 0.6, \"dataset_drift\": true}"),
	       "alert", 0.6, NULL);
	expect(eval("drift_share", NULL, 0.3, 0.5, "{\"drift_share\": null}"), "error", 0, "no drift share");
}

/* ---- the store ----------------------------------------------------------------- */

/* Fields objects made inline for one call, freed at teardown. */
static json_t *tmp_fields[16];
static int ntmp;
static json_t *T(json_t *v)
{
	if (ntmp < 16)
		tmp_fields[ntmp++] = v;
	return v;
}
static void tmp_release(void)
{
	while (ntmp)
		json_decref(tmp_fields[--ntmp]);
}


/* A fixture with users, a model "pd" owned by bob and two small data files. */
struct mfx {
	struct fx *f;
	char ref[160], cur[160], same[160], empty[160], route[160];
};

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* 60 rows: x uniform, y uniform, label alternating, score = good ranker. */
static void write_data(const char *path, double shift, bool flip)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "x,y,label,score\n");
	for (int i = 0; i < 60; i++) {
		int label = i % 2;
		double score = label ? 0.6 + (i % 7) * 0.05 : 0.1 + (i % 5) * 0.1;
		if (flip)
			score = 1 - score;
		fprintf(fp, "%g,%d,%d,%g\n", i + shift, (i * 37) % 60, label, score);
	}
	fclose(fp);
}

static int msetup(void **state)
{
	struct mfx *m = calloc(1, sizeof(*m));
	if (!m || !(m->f = fx_new("monitors")))
		return -1;
	add_user(m->f, "alice", "admin,validator");
	add_user(m->f, "bob", "owner");
	add_user(m->f, "dave", "auditor");
	add_model(m->f, "pd", "bob");
	snprintf(m->ref, sizeof(m->ref), "%s/ref.csv", m->f->dir);
	snprintf(m->cur, sizeof(m->cur), "%s/cur.csv", m->f->dir);
	snprintf(m->same, sizeof(m->same), "%s/same.csv", m->f->dir);
	snprintf(m->empty, sizeof(m->empty), "%s/empty.csv", m->f->dir);
	snprintf(m->route, sizeof(m->route), "%s/out/alerts.jsonl", m->f->dir);
	write_data(m->ref, 0, false);
	write_data(m->cur, 40, true);
	write_data(m->same, 0, false);
	write_file(m->empty, "x,y,label,score\n");
	*state = m;
	return 0;
}

static int mteardown(void **state)
{
	struct mfx *m = *state;
	tmp_release();
	char dir[200];
	unlink(m->ref);
	unlink(m->cur);
	unlink(m->same);
	unlink(m->empty);
	unlink(m->route);
	snprintf(dir, sizeof(dir), "%s/out", m->f->dir);
	rmdir(dir);
	fx_free(m->f);
	free(m);
	return 0;
}

static json_t *monitor_fields(const char *signal, const char *warn, const char *alert)
{
	return json_pack("{ss ss ss}", "signal", signal, "warn", warn, "alert", alert);
}

/* Expects mrm_monitor_add(fields) to fail with code and text; frees fields. */
#define ADD_FAILS(f, code, text, fields)                                                   \
	do {                                                                               \
		json_t *fields_ = (fields);                                                \
		FAILS(f, code, text, mrm_monitor_add((f)->ctx, "pd", fields_, NULL, &(f)->err)); \
		json_decref(fields_);                                                      \
	} while (0)

static void add_monitor(struct mfx *m, json_t *fields, const char *want_id)
{
	json_t *out = NULL;
	OK(m->f, mrm_monitor_add(m->f->ctx, "pd", fields, &out, &m->f->err));
	assert_string_equal(json_string_value(json_object_get(out, "id")), want_id);
	json_decref(out);
	json_decref(fields);
}

static void add_rules(void **state)
{
	struct mfx *m = *state;
	struct fx *f = m->f;
	json_t *x, *out = NULL;
	int64_t events = count(f, "SELECT count(*) FROM audit_events");

	x = monitor_fields("drift:x", "0.05", "0.01");
	json_object_set_new(x, "reference", json_string(m->ref));
	/* auditors watch; they do not set up controls */
	as(f, "dave");
	FAILS(f, MRM_EPERM, "cannot add monitors to model 'pd'", mrm_monitor_add(f->ctx, "pd", x, NULL, &f->err));
	as(f, "bob");
	FAILS(f, MRM_ENOTFOUND, "no model 'nope'", mrm_monitor_add(f->ctx, "nope", x, NULL, &f->err));
	ADD_FAILS(f, MRM_EINPUT, "--warn: 'abc' is not a number",
		  json_pack("{ss ss ss}", "signal", "drift_share", "warn", "abc", "alert", "1"));
	ADD_FAILS(f, MRM_EINPUT, "missing --alert",
		  json_pack("{ss ss}", "signal", "drift_share", "warn", "0.1"));
	ADD_FAILS(f, MRM_EINPUT, "invalid window '2d'",
		  json_pack("{ss ss ss ss ss}", "signal", "drift_share", "warn", "0.1", "alert", "0.5", "window", "2d", "timestamp", "t"));
	ADD_FAILS(f, MRM_EINPUT, "--window needs --timestamp",
		  json_pack("{ss ss ss ss}", "signal", "drift_share", "warn", "0.1", "alert", "0.5", "window", "1d"));
	ADD_FAILS(f, MRM_EINPUT, "needs --label COL and --score COL",
		  monitor_fields("metric:roc_auc", "0.8", "0.7"));
	ADD_FAILS(f, MRM_EINPUT, "--label, --score and --threshold are for metric",
		  json_pack("{ss ss ss ss ss}", "signal", "drift_share", "warn", "0.1", "alert", "0.5", "label", "y", "score", "s"));
	ADD_FAILS(f, MRM_EINPUT, "unsupported scheme 'ftp'",
		  json_pack("{ss ss ss ss}", "signal", "drift_share", "warn", "0.1", "alert", "0.5", "route", "ftp://h/x"));
	ADD_FAILS(f, MRM_EINPUT, "does not exist",
		  json_pack("{ss ss ss ss}", "signal", "drift_share", "warn", "0.1", "alert", "0.5", "route", m->route));
	ADD_FAILS(f, MRM_EINPUT, "not a valid URL",
		  json_pack("{ss ss ss ss}", "signal", "drift_share", "warn", "0.1", "alert", "0.5", "route", "http://"));
	ADD_FAILS(f, MRM_EINPUT, "--reference /nonexistent.csv: cannot read it",
		  json_pack("{ss ss ss ss}", "signal", "drift_share", "warn", "0.1", "alert", "0.5", "reference", "/nonexistent.csv"));
	ADD_FAILS(f, MRM_EINPUT, "--columns does not include x",
		  json_pack("{ss ss ss s[s]}", "signal", "drift:x", "warn", "0.1", "alert", "0.05", "columns", "y"));
	/* nothing of the refused calls was written */
	assert_int_equal(count(f, "SELECT count(*) FROM monitors"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_events"), events);

	/* the model owner may; the reference is stored absolute */
	OK(f, mrm_monitor_add(f->ctx, "pd", x, &out, &f->err));
	assert_string_equal(json_string_value(json_object_get(out, "id")), "M-1");
	assert_string_equal(json_string_value(json_object_get(out, "reference")), m->ref);
	assert_true(json_is_null(json_object_get(out, "direction")));
	assert_true(json_is_true(json_object_get(out, "open_findings")));
	assert_string_equal(json_string_value(json_object_get(out, "status")), "active");
	json_decref(out);
	json_decref(x);

	/* disabling is the second line's */
	FAILS(f, MRM_EPERM, "cannot disable monitors", mrm_monitor_disable(f->ctx, "M-1", NULL, NULL, &f->err));
	as(f, "alice");
	OK(f, mrm_monitor_disable(f->ctx, "M-1", T(json_pack("{ss}", "reason", "replaced")), &out, &f->err));
	assert_string_equal(json_string_value(json_object_get(out, "status")), "disabled");
	assert_string_equal(json_string_value(json_object_get(out, "disable_reason")), "replaced");
	json_decref(out);
	FAILS(f, MRM_EINPUT, "already disabled", mrm_monitor_disable(f->ctx, "M-1", NULL, NULL, &f->err));
	FAILS(f, MRM_ENOTFOUND, "no monitor M-9", mrm_monitor_disable(f->ctx, "M-9", NULL, NULL, &f->err));
	FAILS(f, MRM_EINPUT, "invalid monitor id 'X-1'", mrm_monitor_disable(f->ctx, "X-1", NULL, NULL, &f->err));
	OK(f, mrm_monitor_list(f->ctx, "pd", &out, &f->err));
	assert_int_equal(json_array_size(out), 1);
	json_decref(out);
	FAILS(f, MRM_ENOTFOUND, "no model 'zz'", mrm_monitor_list(f->ctx, "zz", &out, &f->err));
	verify_chain(f);
}

static json_t *run_ref(struct mfx *m, const char *data, const char *reference, int want_rc)
{
	struct mrm_monitor_run_options o = { .model_id = "pd", .data = data, .reference = reference };
	json_t *out = NULL;
	int rc;

	mrm_error_clear(&m->f->err);
	rc = mrm_monitor_run(m->f->ctx, &o, &out, &m->f->err);
	if (rc != want_rc)
		fail_msg("run: got %d '%s', want %d", rc, m->f->err.msg, want_rc);
	return out;
}

static json_t *run(struct mfx *m, const char *data, int want_rc)
{
	return run_ref(m, data, NULL, want_rc);
}

static const char *result_field(json_t *out, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(out, "results"), i), key));
}

static int64_t summary(json_t *out, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(out, "summary"), key));
}

static void runs_alerts_findings(void **state)
{
	struct mfx *m = *state;
	struct fx *f = m->f;
	json_t *x, *out;
	char dir[200];

	snprintf(dir, sizeof(dir), "%s/out", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	set_tier(f, "pd", 1);
	x = monitor_fields("drift:x", "0.05", "0.01"); /* x shifted by 40: KS p tiny */
	json_object_set_new(x, "reference", json_string(m->ref));
	json_object_set_new(x, "route", json_string(m->route));
	add_monitor(m, x, "M-1");
	x = monitor_fields("drift:y", "0.05", "0.01"); /* y unchanged: p = 1 */
	json_object_set_new(x, "reference", json_string(m->ref));
	add_monitor(m, x, "M-2");
	x = json_pack("{ss ss ss ss ss}", "signal", "metric:roc_auc", "warn", "0.8", "alert", "0.6",
		      "label", "label", "score", "score"); /* flipped scores: AUC far below */
	json_object_set_new(x, "no_finding", json_true());
	add_monitor(m, x, "M-3");
	x = monitor_fields("drift_share", "0.3", "0.9");
	json_object_set_new(x, "reference", json_string(m->ref));
	json_object_set_new(x, "columns", json_pack("[ss]", "x", "y")); /* share 0.5: warn */
	add_monitor(m, x, "M-4");

	/* auditors cannot run monitors */
	as(f, "dave");
	FAILS(f, MRM_EPERM, "cannot run monitors",
	      mrm_monitor_run(f->ctx, &(struct mrm_monitor_run_options){ .model_id = "pd", .data = m->cur }, &x, &f->err));
	as(f, "bob");

	out = run(m, m->cur, MRM_ECHECK);
	assert_non_null(strstr(f->err.msg, "2 monitor results at alert level (M-1 drift:x; M-3 metric:roc_auc)"));
	assert_int_equal(json_integer_value(json_object_get(out, "run")), 1);
	assert_string_equal(result_field(out, 0, "level"), "alert");
	assert_string_equal(result_field(out, 0, "alert_id"), "AL-1");
	assert_string_equal(result_field(out, 0, "finding_id"), "F-1");
	assert_string_equal(result_field(out, 0, "delivery_id"), "D-1");
	assert_string_equal(result_field(out, 1, "level"), "ok");
	assert_string_equal(result_field(out, 2, "level"), "alert");
	assert_null(result_field(out, 2, "finding_id")); /* --no-finding */
	assert_string_equal(result_field(out, 3, "level"), "warn");
	assert_int_equal(summary(out, "alerts_raised"), 3);
	assert_int_equal(summary(out, "findings_opened"), 1);
	assert_int_equal(summary(out, "delivered"), 1);
	assert_int_equal(summary(out, "queued"), 0);
	json_decref(out);
	assert_int_equal(count(f, "SELECT count(*) FROM monitor_results WHERE run = 1"), 4);
	assert_int_equal(count(f, "SELECT count(*) FROM findings WHERE status = 'open' AND severity = 'high' AND owner = 'bob'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM alert_deliveries WHERE status = 'delivered' AND attempts = 1"), 1);

	/* the same condition again: results stored, no new alert, same finding */
	out = run(m, m->cur, MRM_ECHECK);
	assert_string_equal(result_field(out, 0, "alert_id"), "AL-1");
	assert_false(json_is_true(json_object_get(json_array_get(json_object_get(out, "results"), 0), "alert_raised")));
	assert_int_equal(summary(out, "alerts_raised"), 0);
	assert_int_equal(summary(out, "deduplicated"), 3);
	json_decref(out);
	assert_int_equal(count(f, "SELECT count(*) FROM monitor_results"), 8);
	assert_int_equal(count(f, "SELECT count(*) FROM alerts"), 3);

	/* resolving: rules */
	as(f, "dave");
	FAILS(f, MRM_EPERM, "cannot resolve alert AL-1", mrm_alert_resolve(f->ctx, "AL-1", "actioned", NULL, NULL, &f->err));
	as(f, "bob");
	FAILS(f, MRM_EINPUT, "invalid resolution 'fixed'", mrm_alert_resolve(f->ctx, "AL-1", "fixed", NULL, NULL, &f->err));
	FAILS(f, MRM_ENOTFOUND, "no alert AL-99", mrm_alert_resolve(f->ctx, "AL-99", "actioned", NULL, NULL, &f->err));
	OK(f, mrm_alert_resolve(f->ctx, "AL-1", "actioned", T(json_pack("{ss}", "note", "retrained")), &out, &f->err));
	assert_string_equal(json_string_value(json_object_get(out, "status")), "resolved");
	assert_string_equal(json_string_value(json_object_get(out, "finding_id")), "F-1");
	json_decref(out);
	FAILS(f, MRM_EINPUT, "already resolved (actioned by bob", mrm_alert_resolve(f->ctx, "AL-1", "false-positive", NULL, NULL, &f->err));
	/* the finding is not touched by the resolution */
	assert_int_equal(count(f, "SELECT count(*) FROM findings WHERE id = 1 AND status = 'open'"), 1);

	/* the condition persists: a new alert, linked to the open finding */
	out = run(m, m->cur, MRM_ECHECK);
	assert_string_equal(result_field(out, 0, "alert_id"), "AL-4");
	assert_string_equal(result_field(out, 0, "finding_id"), "F-1");
	assert_false(json_is_true(json_object_get(json_array_get(json_object_get(out, "results"), 0), "finding_opened")));
	json_decref(out);
	assert_int_equal(count(f, "SELECT count(*) FROM findings"), 1);

	/* unchanged data: everything ok, exit 0 */
	out = run(m, m->same, MRM_OK);
	assert_int_equal(summary(out, "ok"), 4);
	json_decref(out);

	/* alert list filters */
	OK(f, mrm_alert_list(f->ctx, &(struct mrm_alert_filter){ .model_id = "pd", .status = "open" }, &out, &f->err));
	assert_int_equal(json_array_size(out), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(out, 0), "id")), "AL-4");
	json_decref(out);
	FAILS(f, MRM_EINPUT, "invalid status 'closed'",
	      mrm_alert_list(f->ctx, &(struct mrm_alert_filter){ .status = "closed" }, &out, &f->err));
	verify_chain(f);
}

static void run_errors(void **state)
{
	struct mfx *m = *state;
	struct fx *f = m->f;
	struct mrm_monitor_run_options o = { .model_id = "pd", .data = m->cur };
	json_t *x, *out = NULL;

	FAILS(f, MRM_EINPUT, "model 'pd' has no active monitor", mrm_monitor_run(f->ctx, &o, &out, &f->err));
	add_monitor(m, monitor_fields("drift:x", "0.05", "0.01"), "M-1"); /* no stored reference */
	FAILS(f, MRM_EUSAGE, "monitor M-1 (drift:x) has no stored reference: give --reference FILE",
	      mrm_monitor_run(f->ctx, &o, &out, &f->err));
	o.reference = "/nonexistent.csv";
	FAILS(f, MRM_EINPUT, "--reference /nonexistent.csv: cannot read it", mrm_monitor_run(f->ctx, &o, &out, &f->err));
	o.reference = m->ref;
	o.data = "-";
	FAILS(f, MRM_EUSAGE, "cannot read standard input", mrm_monitor_run(f->ctx, &o, &out, &f->err));
	o.data = "/nonexistent.csv";
	FAILS(f, MRM_EINPUT, "/nonexistent.csv: cannot read it", mrm_monitor_run(f->ctx, &o, &out, &f->err));
	o.model_id = "zz";
	o.data = m->cur;
	FAILS(f, MRM_ENOTFOUND, "no model 'zz'", mrm_monitor_run(f->ctx, &o, &out, &f->err));
	assert_int_equal(count(f, "SELECT count(*) FROM monitor_results"), 0);

	/* an empty current file: an error result per monitor, stored, exit 3 */
	o.model_id = "pd";
	o.data = m->empty;
	x = monitor_fields("drift:nope", "0.05", "0.01");
	add_monitor(m, x, "M-2");
	mrm_error_clear(&f->err);
	assert_int_equal(mrm_monitor_run(f->ctx, &o, &out, &f->err), MRM_EINPUT);
	assert_non_null(strstr(f->err.msg, "2 monitors could not be evaluated"));
	assert_string_equal(result_field(out, 0, "level"), "error");
	assert_non_null(strstr(result_field(out, 0, "reason"), "no rows"));
	json_decref(out);
	/* a column missing from the data: that monitor errs, the other is evaluated */
	o.data = m->cur;
	mrm_error_clear(&f->err);
	assert_int_equal(mrm_monitor_run(f->ctx, &o, &out, &f->err), MRM_ECHECK);
	assert_string_equal(result_field(out, 0, "level"), "alert");
	assert_string_equal(result_field(out, 1, "level"), "error");
	assert_non_null(strstr(result_field(out, 1, "reason"), "no column 'nope' in the reference data"));
	json_decref(out);
	assert_int_equal(count(f, "SELECT count(*) FROM monitor_results WHERE level = 'error' AND value IS NULL"), 3);
	/* a disabled monitor is skipped */
	as(f, "alice");
	OK(f, mrm_monitor_disable(f->ctx, "M-2", NULL, NULL, &f->err));
	out = run_ref(m, m->cur, m->ref, MRM_ECHECK);
	assert_int_equal(json_array_size(json_object_get(out, "results")), 1);
	json_decref(out);
	verify_chain(f);
}

/* The queue: a route that fails keeps its alerts pending; a later run delivers them in order. */
static void delivery_queue(void **state)
{
	struct mfx *m = *state;
	struct fx *f = m->f;
	struct mrm_delivery_options d = { 0 };
	json_t *x, *out = NULL;
	char dir[200], line[4096];
	FILE *fp;
	int lines = 0;

	snprintf(dir, sizeof(dir), "%s/out", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	x = monitor_fields("drift:x", "0.05", "0.01");
	json_object_set_new(x, "reference", json_string(m->ref));
	json_object_set_new(x, "route", json_string(m->route));
	add_monitor(m, x, "M-1");
	x = monitor_fields("drift:x:psi", "0.1", "0.2");
	json_object_set_new(x, "reference", json_string(m->ref));
	json_object_set_new(x, "route", json_string(m->route));
	add_monitor(m, x, "M-2");
	/* the route's directory goes away: deliveries fail, results and alerts are stored */
	assert_int_equal(rmdir(dir), 0);
	out = run(m, m->cur, MRM_ECHECK); /* alerts beat delivery failures in the exit code */
	assert_int_equal(summary(out, "queued"), 2);
	assert_int_equal(summary(out, "delivered"), 0);
	/* the second delivery to the failed route is not tried in the same run */
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(out, "deliveries"), 1), "skipped")));
	json_decref(out);
	assert_int_equal(count(f, "SELECT count(*) FROM alert_deliveries WHERE status = 'pending'"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM alert_deliveries WHERE last_error LIKE 'cannot append to %'"), 1);
	mrm_error_clear(&f->err);
	assert_int_equal(mrm_alert_deliver(f->ctx, &d, &out, &f->err), MRM_EDELIVERY);
	assert_non_null(strstr(f->err.msg, "2 alert deliveries failed and stay queued"));
	json_decref(out);
	verify_chain(f);

	/* back: the retry delivers both, oldest first, once */
	assert_int_equal(mkdir(dir, 0755), 0);
	OK(f, mrm_alert_deliver(f->ctx, &d, &out, &f->err));
	assert_int_equal(json_integer_value(json_object_get(out, "delivered")), 2);
	json_decref(out);
	OK(f, mrm_alert_deliver(f->ctx, &d, &out, &f->err));
	assert_int_equal(json_integer_value(json_object_get(out, "delivered")), 0);
	json_decref(out);
	fp = fopen(m->route, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		json_t *doc = json_loads(line, 0, NULL);
		assert_non_null(doc);
		assert_string_equal(json_string_value(json_object_get(doc, "alert")), lines ? "AL-2" : "AL-1");
		assert_string_equal(json_string_value(json_object_get(doc, "type")), "mrm.alert");
		assert_string_equal(json_string_value(json_object_get(doc, "level")), "alert");
		json_decref(doc);
		lines++;
	}
	fclose(fp);
	assert_int_equal(lines, 2);
	/* D-1 was tried by the run, by the first deliver and now; D-2, skipped twice, once */
	assert_int_equal(count(f, "SELECT count(*) FROM alert_deliveries WHERE status = 'delivered' AND attempts = 3 AND id = 1"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM alert_deliveries WHERE status = 'delivered' AND attempts = 1 AND id = 2"), 1);
	verify_chain(f);
}

static void kpis(void **state)
{
	struct mfx *m = *state;
	struct fx *f = m->f;
	json_t *out = NULL, *x;

	add_model(f, "fraud", "bob");
	OK(f, mrm_kpi_monitoring_coverage(f->ctx, NULL, &out, &f->err));
	assert_true(json_is_null(json_object_get(out, "value")));
	assert_int_equal(json_integer_value(json_object_get(out, "population")), 0);
	assert_non_null(json_object_get(out, "reason"));
	json_decref(out);
	OK(f, mrm_kpi_alert_false_positive_rate(f->ctx, NULL, &out, &f->err));
	assert_true(json_is_null(json_object_get(out, "value")));
	json_decref(out);

	/* 2026-11-26: both tier 1 in production, pd monitored from 2026-11-27 */
	set_tier(f, "pd", 1);
	set_tier(f, "fraud", 1);
	OK(f, mrm_model_update(f->ctx, "pd", T(json_pack("{ss}", "status", "production")), NULL, &f->err));
	OK(f, mrm_model_update(f->ctx, "fraud", T(json_pack("{ss}", "status", "production")), NULL, &f->err));
	as_at(f, "bob", "2026-11-27T10:00:00Z");
	x = monitor_fields("drift:x", "0.05", "0.01");
	json_object_set_new(x, "reference", json_string(m->ref));
	add_monitor(m, x, "M-1");
	OK(f, mrm_kpi_monitoring_coverage(f->ctx, "2026-11-26", &out, &f->err));
	assert_float_equal(json_number_value(json_object_get(out, "value")), 0, 0);
	assert_int_equal(json_integer_value(json_object_get(out, "population")), 2);
	json_decref(out);
	OK(f, mrm_kpi_monitoring_coverage(f->ctx, "2026-11-27", &out, &f->err));
	assert_float_equal(json_number_value(json_object_get(out, "value")), 0.5, 0);
	assert_string_equal(json_string_value(json_array_get(json_object_get(out, "uncovered"), 0)), "fraud");
	json_decref(out);
	/* fraud retired on the 28th: out of the population from then */
	as_at(f, "alice", "2026-11-28T10:00:00Z");
	OK(f, mrm_model_update(f->ctx, "fraud", T(json_pack("{ss}", "status", "retired")), NULL, &f->err));
	OK(f, mrm_kpi_monitoring_coverage(f->ctx, "2026-11-28", &out, &f->err));
	assert_float_equal(json_number_value(json_object_get(out, "value")), 1, 0);
	assert_int_equal(json_integer_value(json_object_get(out, "population")), 1);
	json_decref(out);
	/* the monitor disabled on the 29th: coverage 0 from then, 1 the day before */
	as_at(f, "alice", "2026-11-29T10:00:00Z");
	OK(f, mrm_monitor_disable(f->ctx, "M-1", NULL, NULL, &f->err));
	OK(f, mrm_kpi_monitoring_coverage(f->ctx, "2026-11-29", &out, &f->err));
	assert_float_equal(json_number_value(json_object_get(out, "value")), 0, 0);
	json_decref(out);
	OK(f, mrm_kpi_monitoring_coverage(f->ctx, "2026-11-28", &out, &f->err));
	assert_float_equal(json_number_value(json_object_get(out, "value")), 1, 0);
	json_decref(out);
	FAILS(f, MRM_EINPUT, "as-of date", mrm_kpi_monitoring_coverage(f->ctx, "2026-13-01", &out, &f->err));

	/* false positives: 1 of 2 resolved by the 30th, 0 of 1 on the 29th */
	as_at(f, "alice", "2026-11-29T10:00:00Z");
	x = monitor_fields("drift:x", "0.05", "0.01");
	json_object_set_new(x, "reference", json_string(m->ref));
	add_monitor(m, x, "M-2");
	x = monitor_fields("drift:x:psi", "0.1", "0.2");
	json_object_set_new(x, "reference", json_string(m->ref));
	add_monitor(m, x, "M-3");
	json_decref(run(m, m->cur, MRM_ECHECK));
	OK(f, mrm_alert_resolve(f->ctx, "AL-1", "actioned", NULL, NULL, &f->err));
	as_at(f, "alice", "2026-11-30T10:00:00Z");
	OK(f, mrm_alert_resolve(f->ctx, "AL-2", "false-positive", NULL, NULL, &f->err));
	OK(f, mrm_kpi_alert_false_positive_rate(f->ctx, "2026-11-29", &out, &f->err));
	assert_float_equal(json_number_value(json_object_get(out, "value")), 0, 0);
	assert_int_equal(json_integer_value(json_object_get(out, "population")), 1);
	json_decref(out);
	OK(f, mrm_kpi_alert_false_positive_rate(f->ctx, "2026-11-30", &out, &f->err));
	assert_float_equal(json_number_value(json_object_get(out, "value")), 0.5, 0);
	assert_int_equal(json_integer_value(json_object_get(out, "false_positives")), 1);
	json_decref(out);
	verify_chain(f);
}

static void route_checks(void **state)
{
	char *out = NULL;
	struct mrm_error err = { 0 };
	double t = 0;

	(void)state;
	assert_true(mrm_route_is_url("https://hooks.example.com/x"));
	assert_false(mrm_route_is_url("/var/log/alerts.jsonl"));
	assert_int_equal(mrm_route_normalise("https://hooks.example.com:8443/a?b=c", &out, &err), MRM_OK);
	assert_string_equal(out, "https://hooks.example.com:8443/a?b=c");
	free(out);
	assert_int_equal(mrm_route_normalise("/tmp", &out, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "is a directory"));
	mrm_error_clear(&err);
	assert_int_equal(mrm_route_normalise("", &out, &err), MRM_EINPUT);
	unsetenv("MRM_WEBHOOK_TIMEOUT");
	assert_int_equal(mrm_route_timeout(0, &t, &err), MRM_OK);
	assert_float_equal(t, 10, 0);
	assert_int_equal(mrm_route_timeout(2.5, &t, &err), MRM_OK);
	assert_float_equal(t, 2.5, 0);
	setenv("MRM_WEBHOOK_TIMEOUT", "0.5", 1);
	assert_int_equal(mrm_route_timeout(0, &t, &err), MRM_OK);
	assert_float_equal(t, 0.5, 0);
	setenv("MRM_WEBHOOK_TIMEOUT", "soon", 1);
	assert_int_equal(mrm_route_timeout(0, &t, &err), MRM_EUSAGE);
	unsetenv("MRM_WEBHOOK_TIMEOUT");
	/* nothing listens on port 1: a failed delivery after the attempts, with the reason */
	mrm_error_clear(&err);
	{
		struct mrm_route_send_options o = { .timeout = 2, .attempts = 2, .backoff_ms = 10 };
		int tries = 0;
		assert_int_equal(mrm_route_send("http://127.0.0.1:1/x", "{}", 2, &o, &tries, &err), MRM_EDELIVERY);
		assert_int_equal(tries, 2);
		assert_non_null(strstr(err.msg, "127.0.0.1"));
		assert_non_null(strstr(err.msg, "(2 attempts)"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signal_parsing),
		cmocka_unit_test(thresholds),
		cmocka_unit_test(evaluation),
		cmocka_unit_test(route_checks),
		cmocka_unit_test_setup_teardown(add_rules, msetup, mteardown),
		cmocka_unit_test_setup_teardown(runs_alerts_findings, msetup, mteardown),
		cmocka_unit_test_setup_teardown(run_errors, msetup, mteardown),
		cmocka_unit_test_setup_teardown(delivery_queue, msetup, mteardown),
		cmocka_unit_test_setup_teardown(kpis, msetup, mteardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
