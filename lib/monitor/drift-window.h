/*
 * What `mrm drift` adds around the per-column comparison: duplicate-row hashing, windows over
 * time (timestamps, UTC-aligned windows, one side per window), performance metrics from
 * label and score columns, and the data-quality lists of the document.
 */
#ifndef MRM_MONITOR_DRIFT_WINDOW_H
#define MRM_MONITOR_DRIFT_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "monitor/drift-internal.h"
#include "mrm/drift.h"
#include "mrm/table.h"

/* At most this many windows from the first to the last (empty ones included). */
#define DRIFT_MAX_WINDOWS 10000

/*
 * Parses a window length "N" followed by m, h, d or w ("30m", "1h", "6h", "1d", "1w", "2w"):
 * *len in seconds and *origin, the instant windows are aligned to (0, 1970-01-01T00:00Z, for
 * m/h/d; 345600, Monday 1970-01-05T00:00Z, for w). Minutes must divide a day and hours 24;
 * N is 1 to 9999. MRM_EUSAGE otherwise.
 */
int drift_window_parse(const char *spec, int64_t *len, int64_t *origin, struct mrm_error *err);

/* The start of the window holding t: origin + floor((t - origin) / len) * len. */
int64_t drift_window_start(int64_t t, int64_t len, int64_t origin);

/*
 * Parses a timestamp in s[0..n): an ISO 8601 date "YYYY-MM-DD" (midnight UTC) or date-time
 * "YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]]" with "Z", "+hh:mm", "+hhmm", "+hh" (or "-") or no
 * zone (UTC), or epoch seconds (a decimal number, fraction floored). Blanks around are
 * allowed. *out gets seconds since the epoch. Returns 0, or -1 for anything else (also
 * years outside 0000-9999).
 */
int drift_time_parse(const char *s, size_t n, int64_t *out);

/* MRM_EUSAGE for inconsistent window, label, score and --check options. */
int drift_extra_check(const struct mrm_drift_options *o, struct mrm_error *err);

/* True for the timestamp, label and score columns, which are never drift-tested. */
bool drift_extra_special(const struct mrm_drift_options *o, const char *name);

struct drift_extra;

/*
 * State kept while one side is read: the duplicate rows over its `ncols` compared columns
 * (`names`), and for the current side (`current`) the windows and the labels and scores.
 */
int drift_extra_new(const struct mrm_drift_options *o, bool current, size_t ncols,
		    const char *const *names, struct drift_extra **out, struct mrm_error *err);
void drift_extra_free(struct drift_extra *x);

/*
 * Selects the timestamp, label and score columns of the current side in `r`, after its
 * compared columns (a no-op for the reference). Errors: the reader's "no column" (MRM_EINPUT).
 */
int drift_extra_select(struct drift_extra *x, struct mrm_table_reader *r, struct mrm_error *err);

/*
 * Takes one batch (whose first ncols columns are the compared ones): hashes its rows, and for
 * the current side assigns them to windows (adding them to the window's side) and keeps their
 * labels and scores. MRM_EINPUT "FILE:LINE:COL: ..." for a bad timestamp or label, MRM_EUSAGE
 * when the data spans more than DRIFT_MAX_WINDOWS windows.
 */
int drift_extra_batch(struct drift_extra *x, const struct mrm_table *b, struct mrm_error *err);

/* Counts the duplicate rows once the side is read, and frees the row hashes. */
int drift_extra_end(struct drift_extra *x, struct mrm_error *err);

/* What the quality checks and windows found, for the exit status and its message. */
struct drift_outcome {
	size_t checks_failed;     /* failed entries of the top-level "quality" */
	size_t windows;           /* windows listed */
	size_t windows_flagged;   /* windows with dataset drift or a failed check */
	char failed[256];         /* "CHECK:COLUMN, ..." of the top-level failures */
};

/*
 * The run's status once `doc` is complete: MRM_ECHECK with the one-line message naming what
 * failed (dataset drift, with `drifted` of `tested` columns; the failed checks; the flagged
 * windows), or 0 when nothing did.
 */
int drift_outcome_status(const json_t *doc, size_t tested, size_t drifted,
			 const struct drift_outcome *oc, struct mrm_error *err);

/*
 * Completes `doc` (whose "schema" is set): top-level "quality" (from the sides `rs`, `cs`,
 * read with `rx`, `cx`; `res`, the top-level comparisons by column, or NULL: their figures
 * spare sorting compared numeric columns again), and with a label and score "label",
 * "score", "metrics"; with a window "timestamp", "window", "window_seconds" and "windows".
 * Fills *out.
 */
int drift_extra_finish(const struct mrm_drift_options *o, struct drift_extra *rx,
		       struct drift_extra *cx, const struct drift_side *rs,
		       const struct drift_side *cs, const struct drift_result *res, json_t *doc,
		       struct drift_outcome *out, struct mrm_error *err);

#endif
