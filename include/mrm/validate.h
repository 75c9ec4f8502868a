/*
 * Independent validation of a model's predictions (`mrm validate`): reads a
 * prediction log (CSV or JSON Lines, any size, streamed), and returns one
 * JSON document with every metric, its uncertainty, calibration, lift,
 * curves, slices, fairness, a champion-challenger comparison and the
 * results of declared tests.
 *
 * The keys of the document are a public contract (docs/validate.md and the
 * "Validation" section of the CLI contract); the metric definitions are
 * those of docs/metrics.md (lib/stats). Nothing here prints, exits or
 * touches the store: registering the report as evidence is the caller's
 * business (mrm_evidence_add).
 */
#ifndef MRM_VALIDATE_H
#define MRM_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mrm/error.h"
#include "mrm/stats.h"
#include "mrm/table.h"

enum mrm_validate_task {
	MRM_TASK_BINARY = 0,
	MRM_TASK_REGRESSION,
	MRM_TASK_MULTICLASS,
};

struct mrm_validate_options {
	const char *data;       /* path, or "-" for stdin (required) */
	/*
	 * When set, the bytes come from data_fn(data_arg, buf, len) (read(2)'s contract) instead
	 * of opening `data`, which then only names them in messages and the document.
	 */
	mrm_table_read_fn data_fn;
	void *data_arg;
	/*
	 * Reading: format, delimiter, no_header, na, skip_bad_rows, threads.
	 * `no_default_na` and `name` are set by mrm_validate (a score written
	 * "NaN" is an error, not a missing value; see docs/validate.md).
	 */
	struct mrm_table_options read;
	enum mrm_validate_task task;
	const char *label;      /* required */
	/*
	 * NULL-terminated score columns: one for binary (the challenger when
	 * `champion` is set) and regression, one probability column per class
	 * for multiclass. Either `score` or `prediction` is required.
	 */
	const char *const *score;
	const char *prediction; /* predicted class (binary, multiclass) or value (regression) */
	/* Multiclass: the class each --score column is for (default: the column names
	 * without their common prefix). NULL-terminated, or NULL. */
	const char *const *classes;
	const char *weight;     /* sample weights, or NULL */
	const char *champion;   /* binary: the champion's score column, or NULL */
	const char *const *groups; /* NULL-terminated --group columns (at most 8), or NULL */
	double threshold;       /* predicted positive = score >= threshold */
	bool threshold_given;   /* else 0.5, refused for scores outside [0, 1] */
	const char *positive;   /* label value that is positive; NULL: 1, true or yes */
	size_t bootstrap;       /* replicates, 0 for none */
	/*
	 * Binary: bit (1 << enum mrm_binary_metric_id) for each metric whose
	 * interval comes from the bootstrap; 0 means every metric. The others
	 * keep their DeLong or Wilson interval (a faster run when only, say,
	 * the AUC's bootstrap interval is wanted).
	 */
	uint64_t bootstrap_metrics;
	uint64_t seed;
	const char *tests;      /* path of a tests YAML file, or NULL */
	const char *where;      /* row filter, or NULL */
	size_t bins;            /* calibration bins, 0 means 10 */
	enum mrm_binning binning;
	bool streaming;         /* binary: count metrics only, memory independent of rows */
	unsigned threads;       /* 0: 2 */
};

/*
 * Runs the validation. On MRM_OK or MRM_ECHECK (some tests failed) `*out`
 * receives the result document (caller frees). Errors, with a one-line
 * message in `err` and no document: MRM_EUSAGE for contradictory options
 * or a malformed --where; MRM_EINPUT for bad data (FILE:LINE:COL), an
 * unknown column (listing those that exist), a label that is not binary,
 * NaN or infinite scores, a tests file that does not parse.
 */
int mrm_validate(const struct mrm_validate_options *o, json_t **out, struct mrm_error *err);

#endif
