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
	enum mrm_drift_correction correction;
	/*
	 * Windows over time: the current data's timestamp column (ISO 8601 date or date-time,
	 * or epoch seconds) and the window length ("1h", "1d", "1w"); both NULL for none. With
	 * them the document gains "windows", one entry per window (docs/drift.md).
	 */
	const char *timestamp;
	const char *window;
	/* Performance per window when labels exist: label and score columns, or NULL. */
	const char *label;
	const char *score;
	/* Reading options, applied to both files (format, delimiter, no_header, na). */
	struct mrm_table_options read;
};

/* True if `name` is a method accepted in mrm_drift_options.method. */
bool mrm_drift_method_known(const char *name);

/*
 * Compares the two files. Either may be a profile of mrm profile (recognised by its magic
 * bytes): the measures then come from its sketches, marked "approximate" with their bounds,
 * and a data file facing it is profiled with the same reading options (docs/drift.md,
 * "Profiles as inputs"; a corrupt or unsupported profile is MRM_EINPUT, windows with a
 * profile MRM_EUSAGE). On success *out (caller owns) is the drift document and the
 * return is 0, or MRM_ECHECK when dataset_drift is true (err then says how many columns
 * drifted). Errors: MRM_EINPUT for an unreadable file, a file with no rows ("FILE: no
 * rows"), a --columns name in neither file (the message lists the columns); MRM_EUSAGE for
 * an unknown method, a threshold without a method or out of range.
 */
int mrm_drift_run(const struct mrm_drift_options *o, json_t **out, struct mrm_error *err);

#endif
