/*
 * The engine calls of a monitor run (drift, validation), behind an interface that needs
 * neither mrm/table.h nor the store, so lib/core/monitors.c can use them. Internal.
 */
#ifndef MRM_MONITOR_ENGINES_H
#define MRM_MONITOR_ENGINES_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct mrm_table_options;

/*
 * The drift document of `current` against `reference` in `*doc`, or NULL and the reason
 * in `why`. `columns`: a JSON array of column names, or NULL for every column. `window`
 * and `timestamp` (both or neither) cut the current data into windows. `read` may be NULL.
 */
void mrm__monitor_drift(const char *reference, json_t *columns, const char *window,
			const char *timestamp, const char *current,
			const struct mrm_table_options *read, json_t **doc, char *why, size_t cap);

/*
 * The validation document of `data` with one label and one score column (binary, or
 * regression), or NULL and the reason in `why`. `threshold` is the binary cut-off when
 * `has_threshold` (else mrm validate's default). `read` may be NULL.
 */
void mrm__monitor_metrics(const char *data, const struct mrm_table_options *read,
			  const char *label, const char *score, bool regression, bool has_threshold,
			  double threshold, json_t **doc, char *why, size_t cap);

/*
 * Metrics per window of `data`: its rows cut into UTC-aligned windows of length `window`
 * ("1h", "1d", "1w") on the `timestamp` column, as mrm drift cuts them, each window's label
 * and score validated as mrm__monitor_metrics validates a whole file. *doc gets {"windows":
 * [{"start", "end", "rows", "metrics", "metrics_undefined" (when some metric is null)}, ...]}
 * from the first window to the last, a window with no rows or whose validation fails having
 * "reason" instead of "metrics"; or NULL and the reason in `why` (a missing or bad timestamp,
 * an unknown column, more than 10,000 windows). `read` may be NULL.
 */
void mrm__monitor_metrics_windows(const char *data, const struct mrm_table_options *read,
				  const char *timestamp, const char *window, const char *label,
				  const char *score, bool regression, bool has_threshold,
				  double threshold, json_t **doc, char *why, size_t cap);

#endif
