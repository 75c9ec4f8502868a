/*
 * Internal glue between the monitor runs (monitors.c) and the alerts and their delivery
 * queue (alerts.c). Nothing here is public API.
 */
#ifndef MRM_CORE_MONITORING_H
#define MRM_CORE_MONITORING_H

#include <stdint.h>

#include <jansson.h>

#include "core/core.h"
#include "mrm/monitor.h"

/* What raising an alert did, for the run's report. */
struct mrm__raised {
	int64_t alert_id;    /* 0 when none was raised */
	int64_t finding_id;  /* the finding opened or linked, else 0 */
	bool finding_opened; /* a new finding (not a link to an open one) */
	int64_t delivery_id; /* the queued delivery, else 0 */
};

/*
 * Inside the caller's transaction: raises an alert of `level` (warn or alert) for the
 * stored result `result_id` of monitor row `monitor` on model row `model`, opens (or
 * links) a finding for an alert-level alert on a tier 1 model unless the monitor says
 * not to, and queues its delivery when the monitor has a route; each row audited.
 * `result` is the evaluation ({value, threshold, details, ...}); `run` the run number,
 * `data` { path, sha256 } and `window` { start, end } or null for the payload.
 */
int mrm__alert_raise(struct mrm_ctx *ctx, json_t *monitor, json_t *model, int64_t result_id,
		     json_t *result, int64_t run, json_t *data, json_t *window,
		     struct mrm__raised *out, struct mrm_error *err);

/*
 * Delivers queued deliveries outside any transaction: those of `ids` (n of them), or
 * every pending one when `ids` is NULL, oldest first; records each attempt (audited, one
 * transaction per delivery). Appends a report object per delivery to `report`; counts
 * the deliveries left pending in `*queued` and those delivered in `*delivered`.
 */
int mrm__deliver(struct mrm_ctx *ctx, const struct mrm_delivery_options *o, const int64_t *ids,
		 size_t n, json_t *report, int *delivered, int *queued, struct mrm_error *err);

/*
 * The day `as_of` ("YYYY-MM-DD"; NULL: today) normalised into `date`, and its last second
 * into `end`, for "on or before that day" comparisons. Bad date: MRM_EINPUT.
 */
int mrm__kpi_end_of_day(struct mrm_ctx *ctx, const char *as_of, char date[MRM_DATE_LEN],
			char end[MRM_TIME_LEN], struct mrm_error *err);

#endif
