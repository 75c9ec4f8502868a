/*
 * Data drift between a reference and a current data set (`mrm drift`): reads both files with
 * the table reader, runs every applicable kernel of mrm/stats-drift.h per column, decides drift
 * per column with one test, and returns one JSON document whose keys are the "Monitoring"
 * section of the CLI contract (docs/drift.md lists them, with the defaults).
 *
 * Nothing here prints, exits or touches the store.
 */
#ifndef MRM_DRIFT_H
#define MRM_DRIFT_H

#include <stdbool.h>

#include <jansson.h>

#include "mrm/error.h"
#include "mrm/table.h"

enum mrm_drift_correction {
	MRM_CORRECTION_NONE = 0,
	MRM_CORRECTION_BONFERRONI,
	MRM_CORRECTION_HOLM,
};

struct mrm_drift_options {
	const char *reference; /* path of the reference data (required) */
	const char *current;   /* path of the current data (required) */
	/* NULL-terminated column names, or NULL for every column of either side. */
	const char *const *columns;
	/*
	 * The deciding test for every column it applies to: "ks", "psi", "chi2",
	 * "wasserstein", "jensen_shannon", "anderson_darling" or "z"; NULL for the
	 * defaults per type and size (docs/drift.md).
	 */
	const char *method;
	/* Threshold of the forced method (needs `method`); NAN or 0 for its default. */
	double threshold;
	bool has_threshold;
	/*
	 * A deciding test per column type, overriding `method` for that type (NULL: `method`,
	 * or the defaults): for numeric columns "ks", "psi", "wasserstein", "jensen_shannon" or
	 * "anderson_darling"; for categorical ones "chi2", "psi", "jensen_shannon" or "z" (2
	 * categories: a column with more keeps its default). A test of the other type is
	 * MRM_EUSAGE naming it. Their thresholds (each needs its method) when has_*; a plain
	 * `threshold` with no `method` goes to the one typed method (with two: MRM_EUSAGE).
	 */
	const char *method_numeric, *method_categorical;
	double threshold_numeric, threshold_categorical;
	bool has_threshold_numeric, has_threshold_categorical;
	enum mrm_drift_correction correction;
	/*
	 * Data-quality thresholds: NULL-terminated "NAME=X" overrides of the defaults, e.g.
	 * "missing_rate=0.1" (docs/drift.md, "Data quality"), or NULL for the defaults.
	 */
	const char *const *checks;
	/*
	 * Windows over time: the current data's timestamp column (ISO 8601 date or date-time,
	 * or epoch seconds) and the window length ("30m", "1h", "6h", "1d", "1w", "2w"); both
	 * NULL for none. With them the document gains "windows", one entry per UTC-aligned
	 * window from the first to the last, empty ones included (docs/drift.md, "Over time").
	 * The timestamp, label and score columns are never drift-tested.
	 */
	const char *timestamp;
	const char *window;
	/*
	 * Performance (over the whole current data and per window): the label column (0 or 1,
	 * missing for unlabelled rows) and the score column (a number, ideally a probability);
	 * both or neither.
	 */
	const char *label;
	const char *score;
	/* Reading options, applied to both files (format, delimiter, no_header, na). */
	struct mrm_table_options read;
};

/* True if `name` is a method accepted in mrm_drift_options.method. */
bool mrm_drift_method_known(const char *name);

/*
 * True if `name` is a method for columns of type `numeric` (else categorical), as
 * mrm_drift_options.method_numeric / method_categorical accept them.
 */
bool mrm_drift_method_applies(const char *name, bool numeric);

/*
 * Compares the two data sets. Either may be a profile of mrm profile (recognised by its
 * magic bytes): the measures then come from its sketches, marked "approximate" with their
 * bounds, and a data file facing it is profiled with the same reading options (docs/drift.md,
 * "Profiles as inputs"; a corrupt or unsupported profile is MRM_EINPUT, windows with a
 * profile MRM_EUSAGE). On success *out (caller owns) is the drift document and the
 * return is 0, or MRM_ECHECK when dataset_drift is true, a top-level quality check failed
 * or a window has dataset drift or a failed check (err then names them in one line).
 * Errors: MRM_EINPUT for an unreadable file, a file with no rows ("FILE: no rows"), a
 * --columns name in neither file (the message lists the columns), a missing timestamp,
 * label or score column, a bad timestamp or a label other than 0 or 1 (FILE:LINE:COL);
 * MRM_EUSAGE for an unknown method, a threshold without a method or out of range, an
 * unknown check or a bad check threshold, a window without a timestamp (or the reverse),
 * a bad window, a label without a score (or the reverse), and timestamps spanning more
 * than 10,000 windows.
 */
int mrm_drift_run(const struct mrm_drift_options *o, json_t **out, struct mrm_error *err);

#endif
