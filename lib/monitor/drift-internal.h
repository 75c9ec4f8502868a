/*
 * The parts of `mrm drift` that the file, profile and windowed paths share: a side (one data
 * set's columns, accumulated batch by batch), the per-column comparisons, the decision rules
 * and the document's summary keys.
 */
#ifndef MRM_DRIFT_INTERNAL_H
#define MRM_DRIFT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/strmap.h"
#include "mrm/drift.h"
#include "mrm/stats-drift.h"
#include "mrm/table.h"

/* Evidently's size limit for the small-data tests, and the default thresholds. */
#define DRIFT_SMALL_ROWS 1000
#define DRIFT_P_THRESHOLD 0.05
#define DRIFT_PSI_THRESHOLD 0.2
#define DRIFT_DIST_THRESHOLD 0.1
#define DRIFT_SHARE_THRESHOLD 0.5
/* Bins of the overlaid histogram in the document (for the HTML report). */
#define DRIFT_HIST_BINS 20
/* Categories listed in the document's "categories" (the rest is "(other)"). */
#define DRIFT_TOP_CATEGORIES 20

/* One column of one side. */
struct drift_col {
	char *name;
	enum mrm_col_type type;  /* NUMERIC until a batch holds a non-number */
	uint64_t missing;
	/* NUMERIC: the present values; ascending once the side is finished. */
	double *num;
	size_t n, cap;
	/* CATEGORICAL: counts per category, in order of first appearance. */
	size_t k, kcap;
	char **cat;
	uint32_t *catlen;
	double *cnt;
	struct mrm_strmap *index; /* name -> position + 1 */
	uint32_t *code;           /* reader dictionary code -> position + 1 (0: not yet seen) */
	size_t ncode;
};

/* One data set: the same columns for every batch added. */
struct drift_side {
	uint64_t rows;
	size_t ncols;
	struct drift_col *cols;
};

/* A side with the columns `names` (ncols of them), no rows yet. */
int drift_side_new(size_t ncols, const char *const *names, struct drift_side **out,
		   struct mrm_error *err);

/*
 * Adds rows of a batch whose column i is the side's column i: every row when `rows` is NULL,
 * else the `nrows` row indexes listed (for windows). A batch column that is CATEGORICAL
 * turns a NUMERIC side column categorical (its numbers spelled as the reader spells them).
 */
int drift_side_add(struct drift_side *s, const struct mrm_table *batch, const uint32_t *rows,
		   size_t nrows, struct mrm_error *err);

/* Sorts the numeric values; call once, after the last batch. */
int drift_side_finish(struct drift_side *s, struct mrm_error *err);

void drift_side_free(struct drift_side *s);

/* One compared column while the document is built. */
struct drift_result {
	json_t *obj;
	const char *method;
	double stat, p, thr;
	bool pbased, defined, drifted;
};

bool drift_p_based(const char *method);
double drift_default_threshold(const char *method);

/*
 * Compares the column on both sides and fills r->obj (created by the caller) with the type,
 * every applicable measure, the deciding test and, with `detail`, the histogram or the
 * category counts. Columns of different types are the caller's business.
 */
int drift_compare(const struct mrm_drift_options *o, const struct drift_col *ref,
		  const struct drift_col *cur, bool detail, struct drift_result *r,
		  struct mrm_error *err);

/* A numeric column's measures computed elsewhere (from profile sketches). */
struct drift_numeric_measures {
	struct mrm_metric ks, ks_p, psi, w, wn, js, ad, ad_p;
	uint64_t n_ref; /* present reference values: picks the default test */
};

/*
 * Fills r->obj with the type, the numeric measure keys (and "undefined" for those without a
 * value) and the deciding test, by the same rules, defaults and thresholds as drift_compare
 * for a numeric column.
 */
void drift_numeric_decide(const struct mrm_drift_options *o, const struct drift_numeric_measures *m,
			  struct drift_result *r);

/* Marks r as not comparable, with `reason` (e.g. every current value is missing). */
void drift_not_compared(struct drift_result *r, const char *type, const char *reason);

/* Bonferroni or Holm adjusted p-values of the p-value decisions (statsmodels multipletests). */
void drift_correct(struct drift_result *res, size_t n, enum mrm_drift_correction how);

/*
 * Sets "drifted" on each compared result and the summary keys on `doc`: columns_tested,
 * columns_drifted, drift_share, drift_share_threshold, dataset_drift. Returns dataset_drift.
 */
bool drift_summarise(json_t *doc, struct drift_result *res, size_t n, size_t *tested,
		     size_t *drifted);

#endif
