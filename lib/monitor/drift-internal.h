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
#include "stats/drift-walk.h"
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

/* Values per run and buckets of a compact column (drift-values.c), and its key map's size. */
#define DRIFT_RUN 32768
#define DRIFT_BUCKETS 256
#define DRIFT_MAP 65536

/* The values of one (run, bucket): offsets from `base`, `w` bits each, from bit `at` of the run's bits. */
struct drift_slice {
	int64_t base;
	uint64_t at;
	uint32_t n;
	uint8_t w;
};

/*
 * The present values of a numeric column. Plain: every value as a double in arrival order
 * (`pend`), sorted by drift_values_finish. Compact: runs of `run` values are packed as they
 * fill (about 2 bytes a value on a decimal grid, 8 off it); drift_values_sorted gives them
 * back ascending, bit for bit. See drift-values.c.
 */
struct drift_values {
	bool compact;
	size_t run;
	uint64_t n;            /* values held */
	double *pend;          /* values not yet packed, in arrival order */
	size_t npend, pendcap;
	int digits;            /* the grid's significant digits; 0 until the first run */
	bool nogrid;           /* no grid fits: every value is kept off the grid */
	int64_t kmin;          /* key -> bucket: map[(key - kmin) >> shift], clamped */
	unsigned shift;
	uint8_t *map;
	struct drift_slice *slices; /* DRIFT_BUCKETS per run */
	uint8_t **bits;        /* per run, its packed offsets */
	size_t nruns, runcap;
	uint64_t nbytes;       /* of the packed offsets */
	double *off;           /* values off the grid (ascending after finish) */
	size_t noff, offcap;
};

/* An empty store; `run` 0 means DRIFT_RUN. */
void drift_values_init(struct drift_values *v, bool compact, size_t run);

/* Appends the non-NaN values of x (rows listed in `rows`, or the first n), counting NaNs in *missing. -1: no memory. */
int drift_values_add(struct drift_values *v, const double *x, const uint32_t *rows, size_t n,
		     uint64_t *missing);

/* True while every value is still held in arrival order (`pend`). */
bool drift_values_in_order(const struct drift_values *v);

/* Packs the last run (compact) and sorts what is kept as doubles; call once, after the last add. */
int drift_values_finish(struct drift_values *v, struct mrm_error *err);

/* After finish: the n values ascending, when held as one plain array; NULL when packed. */
const double *drift_values_view(const struct drift_values *v);

/* After finish: true when no value is infinite. */
bool drift_values_finite(const struct drift_values *v);

/* After finish: writes the n values ascending into out, exactly as mrm_sort_doubles orders them. */
int drift_values_sorted(const struct drift_values *v, double *out, struct mrm_error *err);

/* Bytes held (for the memory note of docs/drift.md and the tests). */
size_t drift_values_bytes(const struct drift_values *v);

void drift_values_free(struct drift_values *v);

/* One column of one side. */
struct drift_col {
	char *name;
	enum mrm_col_type type;  /* NUMERIC until a batch holds a non-number */
	uint64_t missing;
	/*
	 * NUMERIC: the n present values (`vals`). Once the side is finished they are read in
	 * ascending order with drift_col_sorted (or drift_col_sorted_alloc).
	 */
	struct drift_values vals;
	size_t n;
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
	bool compact;
};

/* A side with the columns `names` (ncols of them), no rows yet; numbers kept plain. */
int drift_side_new(size_t ncols, const char *const *names, struct drift_side **out,
		   struct mrm_error *err);

/*
 * Makes a new side (no rows yet) keep its numbers compact (drift-values.c): about a quarter
 * of the memory. Then drift_side_add returns DRIFT_EORDER, with nothing in `err`, when a
 * numeric column turns categorical after its first DRIFT_RUN values were packed (their order
 * of arrival, which names the categories, is gone): read the data again into a plain side.
 */
void drift_side_compact(struct drift_side *s);
#define DRIFT_EORDER (-2)

/*
 * Adds rows of a batch whose column i is the side's column i: every row when `rows` is NULL,
 * else the `nrows` row indexes listed (for windows). A batch column that is CATEGORICAL
 * turns a NUMERIC side column categorical (its numbers spelled as the reader spells them).
 */
int drift_side_add(struct drift_side *s, const struct mrm_table *batch, const uint32_t *rows,
		   size_t nrows, struct mrm_error *err);

/* Sorts (or packs) the numeric values; call once, after the last batch. */
int drift_side_finish(struct drift_side *s, struct mrm_error *err);

/*
 * A finished numeric column's n values, ascending (as mrm_sort_doubles leaves them): *out is
 * the column's own array when it is plain, else `buf` (room for n) filled. MRM_EINPUT when
 * memory runs out.
 */
int drift_col_sorted(const struct drift_col *c, double *buf, const double **out,
		     struct mrm_error *err);

/* The same in a new array (NULL when n == 0) that the caller frees. */
int drift_col_sorted_alloc(const struct drift_col *c, double **out, struct mrm_error *err);

void drift_side_free(struct drift_side *s);

/* One compared column while the document is built. */
struct drift_result {
	json_t *obj;
	const char *method;
	double stat, p, thr;
	bool pbased, defined, drifted;
	/*
	 * A compared numeric column's figures for the quality checks, taken from the sorted
	 * values while they are at hand (has_q): each side's min, max and distinct values, and
	 * the current values below the reference's min and above its max.
	 */
	bool has_q;
	double ref_min, ref_max, ref_distinct, cur_min, cur_max, cur_distinct, below, above;
};

bool drift_p_based(const char *method);
double drift_default_threshold(const char *method);

/*
 * MRM_EUSAGE for an unknown method, a per-type method of the other type, or a threshold
 * without its method, ambiguous or out of range (mrm_drift_options).
 */
int drift_method_check(const struct mrm_drift_options *o, struct mrm_error *err);

/* The document's "method": "auto", the one method, or "numeric=A,categorical=B" per type. */
void drift_method_label(const struct mrm_drift_options *o, char *buf, size_t cap);

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

/*
 * Buffers for the sorted values of compared columns, reused from column to column.
 */
struct drift_scratch {
	double *a, *b;
	size_t acap, bcap;
};

void drift_scratch_free(struct drift_scratch *s);

/* drift_compare with the caller's buffers (one per thread comparing columns). */
int drift_compare_with(const struct mrm_drift_options *o, const struct drift_col *ref,
		       const struct drift_col *cur, bool detail, struct drift_result *r,
		       struct drift_scratch *s, struct mrm_error *err);

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
