/*
 * Alerts: raising them from monitor results (with the finding a tier 1 alert opens),
 * the delivery queue that retries until every alert reached its route, resolving them
 * as actioned or false positive, and the false-positive rate KPI.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/monitoring.h"
#include "mrm/finding.h"
#include "mrm/route.h"

const char *const mrm_alert_resolutions[] = { "actioned", "false-positive", NULL };
static const char *const alert_statuses[] = { "open", "resolved", NULL };

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static int64_t int_of(json_t *row, const char *key)
{
	return json_integer_value(json_object_get(row, key));
}

static void fmt_id(const char *prefix, int64_t id, char buf[24])
{
	mrm__format_id(prefix, id, buf);
}

/* ---- raising ----------------------------------------------------------------------- */

/* The finding category for a signal: what kind of weakness the alert points at. */
static const char *category_of(const char *signal)
{
	if (!strncmp(signal, "metric:", 7))
		return "performance";
	if (!strncmp(signal, "quality:", 8))
		return "reliability";
	return "robustness"; /* drift: the model now sees data unlike what it was validated on */
}

/*
 * Opens a finding for alert `alert_id`, or finds the open one an earlier alert of the same
 * monitor opened (one weakness, one finding, however many runs see it).
 */
static int alert_finding(struct mrm_ctx *ctx, json_t *monitor, json_t *model, int64_t alert_id,
			 json_t *result, struct mrm__raised *out, struct mrm_error *err)
{
	const char *signal = mrm__str(monitor, "signal"), *model_id = mrm__str(model, "id");
	char title[256], desc[1024], mid[24], aid[24], due[MRM_DATE_LEN];
	json_t *prev = NULL;
	int64_t existing = 0, repeat = 0, fid = 0;
	int rc;

	if ((rc = mrm__int(ctx,
			   "SELECT coalesce(max(a.finding_id), 0) FROM alerts a JOIN findings f ON f.id = a.finding_id "
			   "WHERE a.monitor_id = ? AND f.status <> 'closed'",
			   PARAMS(PI(int_of(monitor, "id"))), &existing, err)))
		return rc;
	if (existing) {
		out->finding_id = existing;
		return MRM_OK;
	}
	fmt_id("M", int_of(monitor, "id"), mid);
	fmt_id("AL", alert_id, aid);
	snprintf(title, sizeof(title), "Monitoring alert: %s (%s)", signal, mid);
	snprintf(desc, sizeof(desc),
		 "Raised automatically by monitor %s from alert %s: %s = %.6g, %s the alert threshold %.6g. "
		 "Resolve the alert with 'mrm alert resolve %s' and take this finding through remediation.",
		 mid, aid, signal, json_number_value(json_object_get(result, "value")),
		 same(mrm__str(result, "direction"), "below") ? "below" : "at or above",
		 json_number_value(json_object_get(result, "threshold")), aid);
	/* The same weakness found again after it was closed is a repeat finding. */
	if ((rc = mrm__row(ctx,
			   "SELECT id FROM findings WHERE model_id = ? AND category = ? AND status = 'closed' "
			   "AND lower(trim(title)) = lower(?) ORDER BY closed_at DESC, id DESC LIMIT 1",
			   PARAMS(PT(model_id), PT(category_of(signal)), PT(title)), &prev, err)))
		return rc;
	if (prev)
		repeat = int_of(prev, "id");
	json_decref(prev);
	mrm_date_format(ctx->now + (int64_t)mrm_finding_default_due_days("high") * 86400, due);
	if ((rc = mrm__int(ctx,
			   "INSERT INTO findings (model_id, severity, category, title, description, owner, due, "
			   "status, repeat_of, raised_by, created_at, updated_at) "
			   "VALUES (?, 'high', ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?) RETURNING id",
			   PARAMS(PT(model_id), PT(category_of(signal)), PT(title), PT(desc),
				  PT(mrm__str(model, "owner")), PT(due), repeat ? PI(repeat) : PN,
				  PT(ctx->actor), PT(ctx->now_iso), PT(ctx->now_iso)),
			   &fid, err)) ||
	    (rc = mrm__audit_id(ctx, "finding.add", "finding", fid, model_id, NULL, err)))
		return rc;
	out->finding_id = fid;
	out->finding_opened = true;
	return MRM_OK;
}

/* The document a route receives for an alert; fixed when the alert is raised. */
static json_t *payload(struct mrm_ctx *ctx, json_t *monitor, json_t *model, int64_t alert_id,
		       int64_t result_id, json_t *result, int64_t run, json_t *data, json_t *window,
		       int64_t finding_id)
{
	char aid[24], mid[24], rid[24], fid[24];
	json_t *tier = json_object_get(model, "tier");

	fmt_id("AL", alert_id, aid);
	fmt_id("M", int_of(monitor, "id"), mid);
	fmt_id("MR", result_id, rid);
	fmt_id("F", finding_id, fid);
	return json_pack("{s:s,s:s,s:O,s:O,s:O,s:{s:s,s:s,s:O,s:s},s:{s:s,s:s,s:O,s:O,s:O},"
			 "s:I,s:s,s:O,s:O,s:O,s:s?,s:s,s:s}",
			 "type", "mrm.alert", "alert", aid, "level", json_object_get(result, "level"),
			 "value", json_object_get(result, "value"), "threshold",
			 json_object_get(result, "threshold"), "model", "id", mrm__str(model, "id"),
			 "name", mrm__str(model, "name"), "tier", tier ? tier : json_null(), "owner",
			 mrm__str(model, "owner"), "monitor", "id", mid, "signal",
			 mrm__str(monitor, "signal"), "direction", json_object_get(result, "direction"),
			 "warn", json_object_get(monitor, "warn"), "alert",
			 json_object_get(monitor, "alert"), "run", (json_int_t)run, "result", rid,
			 "window", window ? window : json_null(), "data", data ? data : json_null(),
			 "details", json_object_get(result, "details"), "finding",
			 finding_id ? fid : NULL, "raised_at", ctx->now_iso,
			 "raised_by", ctx->actor);
}

int mrm__alert_raise(struct mrm_ctx *ctx, json_t *monitor, json_t *model, int64_t result_id,
		     json_t *result, int64_t run, json_t *data, json_t *window,
		     struct mrm__raised *out, struct mrm_error *err)
{
	const char *level = mrm__str(result, "level"), *model_id = mrm__str(model, "id");
	const char *route = mrm__str(monitor, "route");
	json_t *tier = json_object_get(model, "tier"), *doc = NULL;
	char *text = NULL;
	int64_t aid = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mrm__int(ctx,
			   "INSERT INTO alerts (monitor_id, result_id, model_id, level, signal, value, "
			   "threshold, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?) RETURNING id",
			   PARAMS(PI(int_of(monitor, "id")), PI(result_id), PT(model_id), PT(level),
				  PT(mrm__str(monitor, "signal")),
				  PR(json_number_value(json_object_get(result, "value"))),
				  PR(json_number_value(json_object_get(result, "threshold"))),
				  PT(ctx->now_iso)),
			   &aid, err)))
		return rc;
	out->alert_id = aid;
	/* An alert-level alert on a tier 1 model is a weakness to track, not just a page. */
	if (same(level, "alert") && json_is_integer(tier) && json_integer_value(tier) == 1 &&
	    json_is_true(json_object_get(monitor, "open_findings"))) {
		if ((rc = alert_finding(ctx, monitor, model, aid, result, out, err)) ||
		    (rc = mrm__exec(ctx, "UPDATE alerts SET finding_id = ? WHERE id = ?",
				    PARAMS(PI(out->finding_id), PI(aid)), err)))
			return rc;
	}
	if ((rc = mrm__audit_id(ctx, "alert.raise", "alert", aid, model_id, NULL, err)))
		return rc;
	if (!route)
		return MRM_OK;
	doc = payload(ctx, monitor, model, aid, result_id, result, run, data, window, out->finding_id);
	if (!doc || !(text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15)))) {
		rc = mrm_error_set(err, MRM_ESTORE, "cannot build the payload of alert AL-%" PRId64, aid);
		goto out;
	}
	if ((rc = mrm__int(ctx,
			   "INSERT INTO alert_deliveries (alert_id, route, payload, status, attempts, "
			   "next_attempt, created_at) VALUES (?, ?, ?, 'pending', 0, ?, ?) RETURNING id",
			   PARAMS(PI(aid), PT(route), PT(text), PT(ctx->now_iso), PT(ctx->now_iso)),
			   &out->delivery_id, err)) ||
	    (rc = mrm__audit_id(ctx, "delivery.queue", "alert_delivery", out->delivery_id, model_id,
				NULL, err)))
		goto out;
out:
	free(text);
	json_decref(doc);
	return rc;
}

/* ---- delivering -------------------------------------------------------------------- */

/* Records one delivery call's outcome; skips a row another process delivered meanwhile. */
static int record_attempt(struct mrm_ctx *ctx, int64_t id, int tries, const char *error,
			  struct mrm_error *err)
{
	json_t *before = NULL, *alert = NULL;
	char next[MRM_TIME_LEN];
	int64_t attempts, calls, delay;
	int rc;

	if ((rc = mrm__begin(ctx, err)))
		return rc;
	if ((rc = mrm__row(ctx, "SELECT * FROM alert_deliveries WHERE id = ?", PARAMS(PI(id)), &before,
			   err)))
		goto fail;
	if (!before || !same(mrm__str(before, "status"), "pending")) {
		mrm__rollback(ctx);
		json_decref(before);
		return MRM_OK;
	}
	if ((rc = mrm__row(ctx, "SELECT model_id FROM alerts WHERE id = ?",
			   PARAMS(PI(int_of(before, "alert_id"))), &alert, err)))
		goto fail;
	attempts = int_of(before, "attempts") + tries;
	if (!error) {
		rc = mrm__exec(ctx,
			       "UPDATE alert_deliveries SET status = 'delivered', attempts = ?, last_error = NULL, "
			       "last_attempt = ?, next_attempt = NULL, delivered_at = ? WHERE id = ?",
			       PARAMS(PI(attempts), PT(ctx->now_iso), PT(ctx->now_iso), PI(id)), err);
	} else {
		/*
		 * A hint for schedulers calling `mrm alert deliver`: one minute after the first
		 * failed call, doubling per failed call, at most an hour. Every run retries
		 * whatever this says.
		 */
		calls = (attempts + MRM_ROUTE_ATTEMPTS - 1) / MRM_ROUTE_ATTEMPTS;
		delay = calls >= 7 ? 3600 : 60LL << (calls > 0 ? calls - 1 : 0);
		if (delay > 3600)
			delay = 3600;
		mrm_time_format(ctx->now + delay, next);
		rc = mrm__exec(ctx,
			       "UPDATE alert_deliveries SET attempts = ?, last_error = ?, last_attempt = ?, "
			       "next_attempt = ? WHERE id = ?",
			       PARAMS(PI(attempts), PT(error), PT(ctx->now_iso), PT(next), PI(id)), err);
	}
	if (rc || (rc = mrm__audit_id(ctx, error ? "delivery.fail" : "delivery.send", "alert_delivery",
				      id, mrm__str(alert, "model_id"), before, err)) ||
	    (rc = mrm__commit(ctx, err)))
		goto fail;
	goto out;
fail:
	mrm__rollback(ctx);
out:
	json_decref(alert);
	json_decref(before);
	return rc;
}

static bool route_failed(json_t *failed, const char *route)
{
	size_t i;
	json_t *v;
	json_array_foreach(failed, i, v)
		if (same(json_string_value(v), route))
			return true;
	return false;
}

int mrm__deliver(struct mrm_ctx *ctx, const struct mrm_delivery_options *o, const int64_t *ids,
		 size_t n, json_t *report, int *delivered, int *queued, struct mrm_error *err)
{
	struct mrm_route_send_options so = { 0 };
	json_t *rows = NULL, *failed = json_array(), *row;
	size_t i;
	int rc;

	if ((rc = mrm_route_timeout(o ? o->timeout : 0, &so.timeout, err)))
		goto out;
	if (!ids) {
		rc = mrm__rows(ctx,
			       "SELECT id, alert_id, route, attempts, payload AS body "
			       "FROM alert_deliveries WHERE status = 'pending' ORDER BY id",
			       NOPARAMS, &rows, err);
	} else {
		rows = json_array();
		for (i = 0; i < n && !rc; i++) {
			json_t *r = NULL;
			rc = mrm__row(ctx,
				      "SELECT id, alert_id, route, attempts, payload AS body "
				      "FROM alert_deliveries WHERE id = ? AND status = 'pending'",
				      PARAMS(PI(ids[i])), &r, err);
			if (r)
				json_array_append_new(rows, r);
		}
	}
	if (rc)
		goto out;
	json_array_foreach(rows, i, row) {
		struct mrm_error e = { 0 };
		const char *route = mrm__str(row, "route"), *body = mrm__str(row, "body");
		int64_t id = int_of(row, "id"), attempts = int_of(row, "attempts");
		char did[24], aid[24];
		int tries = 0, src;

		fmt_id("D", id, did);
		fmt_id("AL", int_of(row, "alert_id"), aid);
		/* A route that just failed is not hammered again; its later alerts keep their order. */
		if (route_failed(failed, route)) {
			json_array_append_new(report,
					      json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:b}", "id", did, "alert_id", aid,
							"route", route, "status", "pending", "attempts",
							(json_int_t)attempts, "error",
							"not tried: the route failed earlier in this run", "skipped", 1));
			(*queued)++;
			continue;
		}
		so.idempotency = aid;
		src = mrm_route_send(route, body ? body : "", body ? strlen(body) : 0, &so, &tries, &e);
		if ((rc = record_attempt(ctx, id, tries, src ? e.msg : NULL, err)))
			goto out;
		if (src) {
			json_array_append_new(failed, json_string(route));
			(*queued)++;
		} else {
			(*delivered)++;
		}
		json_array_append_new(report,
				      json_pack("{s:s,s:s,s:s,s:s,s:I,s:s?}", "id", did, "alert_id", aid,
						"route", route, "status", src ? "pending" : "delivered",
						"attempts", (json_int_t)(attempts + tries), "error",
						src ? e.msg : NULL));
	}
out:
	json_decref(rows);
	json_decref(failed);
	return rc;
}

int mrm_alert_deliver(struct mrm_ctx *ctx, const struct mrm_delivery_options *o, json_t **out,
		      struct mrm_error *err)
{
	json_t *report = json_array();
	int delivered = 0, queued = 0, rc;

	*out = NULL;
	if ((rc = mrm__require_user(ctx, err)) ||
	    (rc = mrm__deliver(ctx, o, NULL, 0, report, &delivered, &queued, err))) {
		json_decref(report);
		return rc;
	}
	*out = json_pack("{s:o,s:i,s:i}", "deliveries", report, "delivered", delivered, "queued",
			 queued);
	if (queued)
		return mrm_error_set(err, MRM_EDELIVERY,
				     "%d alert deliver%s failed and stay%s queued (retried by the next 'mrm monitor run' or 'mrm alert deliver')",
				     queued, queued == 1 ? "y" : "ies", queued == 1 ? "s" : "");
	return MRM_OK;
}

/* ---- reading ----------------------------------------------------------------------- */

#define ALERT_COLUMNS                                                                        \
	"a.id, a.model_id, a.monitor_id, a.signal, a.level, a.value, a.threshold, a.status, "  \
	"a.resolution, a.resolved_by, a.resolved_at, a.finding_id, a.created_at, "             \
	"(SELECT d.status FROM alert_deliveries d WHERE d.alert_id = a.id ORDER BY d.id DESC " \
	"LIMIT 1) AS delivery"

int mrm_alert_list(struct mrm_ctx *ctx, const struct mrm_alert_filter *f, json_t **out,
		   struct mrm_error *err)
{
	const char *model = f ? f->model_id : NULL, *status = f ? f->status : NULL;
	json_t *m = NULL, *v;
	size_t i;
	int rc;

	*out = NULL;
	if (status && (rc = mrm__check_enum(status, alert_statuses, "status", err)))
		return rc;
	if (model) {
		if ((rc = mrm__model_get(ctx, model, &m, err)))
			return rc;
		json_decref(m);
	}
	if ((rc = mrm__rows(ctx,
			    "SELECT " ALERT_COLUMNS " FROM alerts a WHERE (? IS NULL OR a.model_id = ?) "
			    "AND (? IS NULL OR a.status = ?) ORDER BY a.id DESC",
			    PARAMS(PT(model), PT(model), PT(status), PT(status)), out, err)))
		return rc;
	json_array_foreach(*out, i, v)
		mrm__present("alert", v);
	return MRM_OK;
}

static int load_alert(struct mrm_ctx *ctx, int64_t id, json_t **out, struct mrm_error *err)
{
	int rc = mrm__row(ctx, "SELECT * FROM alerts WHERE id = ?", PARAMS(PI(id)), out, err);
	if (rc)
		return rc;
	if (!*out)
		return mrm_error_set(err, MRM_ENOTFOUND, "no alert AL-%" PRId64 " (see 'mrm alert list')", id);
	return MRM_OK;
}

static int show_id(struct mrm_ctx *ctx, int64_t id, json_t **out, struct mrm_error *err)
{
	json_t *a = NULL, *r = NULL, *d = NULL, *v;
	size_t i;
	int rc;

	if ((rc = load_alert(ctx, id, &a, err)) ||
	    (rc = mrm__row(ctx, "SELECT run, window_start, window_end, data_path, details FROM monitor_results WHERE id = ?",
			   PARAMS(PI(int_of(a, "result_id"))), &r, err)) ||
	    (rc = mrm__rows(ctx,
			    "SELECT id, route, status, attempts, last_error, last_attempt, next_attempt, "
			    "delivered_at FROM alert_deliveries WHERE alert_id = ? ORDER BY id",
			    PARAMS(PI(id)), &d, err))) {
		json_decref(a);
		json_decref(r);
		return rc;
	}
	mrm__present("alert", a);
	if (r) {
		json_object_set(a, "run", json_object_get(r, "run"));
		json_object_set(a, "window_start", json_object_get(r, "window_start"));
		json_object_set(a, "window_end", json_object_get(r, "window_end"));
		json_object_set(a, "data_path", json_object_get(r, "data_path"));
		json_object_set(a, "details", json_object_get(r, "details"));
	}
	json_array_foreach(d, i, v)
		mrm__present("alert_delivery", v);
	json_object_set_new(a, "deliveries", d);
	json_decref(r);
	*out = a;
	return MRM_OK;
}

int mrm_alert_show(struct mrm_ctx *ctx, const char *id, json_t **out, struct mrm_error *err)
{
	int64_t aid;
	int rc;

	*out = NULL;
	if ((rc = mrm__parse_id(id, "AL", "alert", &aid, err)))
		return rc;
	return show_id(ctx, aid, out, err);
}

/* ---- resolving --------------------------------------------------------------------- */

int mrm_alert_resolve(struct mrm_ctx *ctx, const char *id, const char *resolution,
		      json_t *fields, json_t **out, struct mrm_error *err)
{
	static const struct mrm__field spec[] = {
		{ "note", MRM__F_TEXT, NULL, false },
		{ NULL, 0, NULL, false },
	};
	json_t *in = fields ? json_deep_copy(fields) : json_object(), *before = NULL, *model = NULL;
	int64_t aid = 0;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = mrm__parse_id(id, "AL", "alert", &aid, err)) ||
	    (rc = mrm__check_enum(resolution, mrm_alert_resolutions, "resolution", err)) ||
	    (rc = mrm__fields_check(in, spec, err)))
		goto out;
	if (mrm__str(in, "note") && !*mrm__str(in, "note")) {
		rc = mrm_error_set(err, MRM_EINPUT, "field 'note' must not be empty");
		goto out;
	}
	if ((rc = mrm__require_user(ctx, err)) || (rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = load_alert(ctx, aid, &before, err)) ||
	    (rc = mrm__model_get(ctx, mrm__str(before, "model_id"), &model, err)))
		goto fail;
	/*
	 * Whoever answers for the model, or the second line, says whether an alert was real:
	 * that judgement feeds the false-positive rate the thresholds are tuned on.
	 */
	if (!same(ctx->actor, mrm__str(model, "owner")) && !mrm__actor_has(ctx, "validator") &&
	    !mrm__actor_has(ctx, "admin")) {
		rc = mrm_error_set(err, MRM_EPERM,
				   "not permitted: %s cannot resolve alert AL-%" PRId64 " (needs to be the model owner %s, or hold role validator or admin)",
				   ctx->actor, aid, mrm__str(model, "owner"));
		goto fail;
	}
	if (same(mrm__str(before, "status"), "resolved")) {
		rc = mrm_error_set(err, MRM_EINPUT, "alert AL-%" PRId64 " is already resolved (%s by %s at %s)",
				   aid, mrm__str(before, "resolution"), mrm__str(before, "resolved_by"),
				   mrm__str(before, "resolved_at"));
		goto fail;
	}
	if ((rc = mrm__exec(ctx,
			    "UPDATE alerts SET status = 'resolved', resolution = ?, resolved_by = ?, "
			    "resolved_at = ?, note = ? WHERE id = ?",
			    PARAMS(PT(resolution), PT(ctx->actor), PT(ctx->now_iso),
				   PT(mrm__str(in, "note")), PI(aid)),
			    err)) ||
	    (rc = mrm__audit_id(ctx, "alert.resolve", "alert", aid, mrm__str(before, "model_id"),
				before, err)) ||
	    (rc = mrm__commit(ctx, err)))
		goto fail;
	if (out)
		rc = show_id(ctx, aid, out, err);
	goto out;
fail:
	mrm__rollback(ctx);
out:
	json_decref(model);
	json_decref(before);
	json_decref(in);
	return rc;
}

/* ---- KPI ---------------------------------------------------------------------------- */

int mrm__kpi_end_of_day(struct mrm_ctx *ctx, const char *as_of, char date[MRM_DATE_LEN],
			char end[MRM_TIME_LEN], struct mrm_error *err)
{
	int64_t t;
	int rc;

	if (!as_of)
		as_of = ctx->today;
	if ((rc = mrm_date_parse(as_of, "as-of date", &t, err)))
		return rc;
	mrm_date_format(t, date);
	mrm_time_format(t + 86399, end);
	return MRM_OK;
}

int mrm_kpi_alert_false_positive_rate(struct mrm_ctx *ctx, const char *as_of, json_t **out,
				      struct mrm_error *err)
{
	char date[MRM_DATE_LEN], end[MRM_TIME_LEN];
	json_t *row = NULL;
	int64_t resolved, fp;
	int rc;

	*out = NULL;
	if ((rc = mrm__kpi_end_of_day(ctx, as_of, date, end, err)) ||
	    (rc = mrm__row(ctx,
			   "SELECT count(*) AS resolved, coalesce(sum(resolution = 'false-positive'), 0) AS fp "
			   "FROM alerts WHERE status = 'resolved' AND resolved_at <= ?",
			   PARAMS(PT(end)), &row, err)))
		return rc;
	resolved = int_of(row, "resolved");
	fp = int_of(row, "fp");
	json_decref(row);
	*out = json_pack("{s:s,s:o,s:s,s:s,s:I,s:I,s:I}", "as_of", date, "value",
			 resolved ? json_real((double)fp / (double)resolved) : json_null(), "unit",
			 "ratio", "target", "<= 0.5", "population", (json_int_t)resolved,
			 "false_positives", (json_int_t)fp, "actioned", (json_int_t)(resolved - fp));
	if (!resolved)
		json_object_set_new(*out, "reason", json_string("no alert resolved by then"));
	return MRM_OK;
}
