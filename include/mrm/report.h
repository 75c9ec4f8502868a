/*
 * Reports: self-contained HTML pages rendered from a result document.
 *
 * A report is written through a sink callback (stb's *_to_func idea), so
 * the CLI writes a file and the server streams the very same bytes. The
 * renderers read only the JSON they are given: no store, no files, no
 * network, so a report can be produced again later from a saved result.
 * The page is one file with inline CSS and inline SVG charts, no scripts,
 * no fonts and no external URLs: it opens offline and prints well.
 * docs/report.md describes what the pages contain and how to read them.
 */
#ifndef MRM_REPORT_H
#define MRM_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "mrm/error.h"

/*
 * Receives the next `len` bytes of the page (never 0 bytes). Returns 0 to
 * go on, or a nonzero enum mrm_code to stop: rendering then stops at once
 * and the renderer returns that code.
 */
typedef int (*mrm_sink_fn)(void *arg, const void *data, size_t len);

/*
 * A sink that writes to the stdio stream `arg` (a FILE *). Returns
 * MRM_EINPUT when the stream reports a write error.
 */
int mrm_sink_stdio(void *arg, const void *data, size_t len);

/*
 * Renders the HTML validation report of `result`, the JSON document of
 * `mrm validate` (keys of docs/validate.md and the "Validation" section of
 * the CLI contract), to `sink`. Every section is optional: what is absent
 * is shown as "not computed", a null metric as a dash with its reason.
 * All text taken from `result` is HTML-escaped. Output is bounded whatever
 * the input: long curves are thinned to what a chart can show, and long
 * lists (slices, tests, warnings) are cut with a note saying so.
 *
 * Errors: MRM_EINPUT if `result` is not a JSON object; the sink's own code
 * if it refuses a write (with a message in `err`). The sink may have
 * received part of the page when an error is returned.
 */
int mrm_report_validation_html(json_t *result, mrm_sink_fn sink, void *arg,
			       struct mrm_error *err);

/*
 * Writes the validation report of `result` to the file `path` atomically:
 * into "PATH.tmp-PID" in the same directory, flushed, then renamed over
 * `path`, so a reader never sees half a page and a failure leaves any old
 * file in place. Errors: those of mrm_report_validation_html, and
 * MRM_EINPUT naming the path when it cannot be created, written or renamed.
 */
int mrm_report_validation_html_file(json_t *result, const char *path,
				    struct mrm_error *err);

/*
 * Renders the HTML drift report of `result`, the JSON document of `mrm
 * drift` (keys of docs/drift.md and the "Monitoring" section of the CLI
 * contract), to `sink`: the verdict (drift share against its threshold),
 * the inputs, every column sorted by severity with its score drawn against
 * its threshold, schema problems, and each column's measures. Optional
 * keys are drawn when present and skipped when absent: per column
 * "histogram" {edges, reference, current} or "categories" {names,
 * reference, current} (overlaid distributions), "quality" (data-quality
 * checks), and "windows" with "timestamp" and "window" (drift share, the
 * drifting columns' scores and the metrics per window, with thresholds).
 * Text from `result` is HTML-escaped; long lists are cut with a note, so
 * the output is bounded whatever the input.
 *
 * Errors: MRM_EINPUT if `result` is not a JSON object or memory runs out;
 * the sink's own code if it refuses a write (with a message in `err`). The
 * sink may have received part of the page when an error is returned.
 */
int mrm_report_drift_html(json_t *result, mrm_sink_fn sink, void *arg, struct mrm_error *err);

/*
 * Writes the drift report of `result` to the file `path` atomically, as
 * mrm_report_validation_html_file does. Errors: those of
 * mrm_report_drift_html, and MRM_EINPUT naming the path when it cannot be
 * created, written or renamed.
 */
int mrm_report_drift_html_file(json_t *result, const char *path, struct mrm_error *err);

#endif
