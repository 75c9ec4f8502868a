/* Internals of `mrm validate` shared by the files of lib/validate (not a public API). */
#ifndef MRM_VALIDATE_INTERNAL_H
#define MRM_VALIDATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "mrm/stats.h"
#include "mrm/stats-ci.h"
#include "mrm/stats-fairness.h"
#include "mrm/table.h"
#include "mrm/validate.h"

struct mrm_strmap;

/* ---- --where ------------------------------------------------------------ */

struct mrm__where;

/*
 * Parses a --where expression. Syntax errors are MRM_EUSAGE
 * "--where: LINE:COL: message". Free with mrm__where_free (NULL-safe).
 */
int mrm__where_parse(const char *expr, struct mrm__where **out, struct mrm_error *err);
void mrm__where_free(struct mrm__where *w);

/* The distinct columns the expression names, in order of first mention. */
size_t mrm__where_ncols(const struct mrm__where *w);
const char *mrm__where_col(const struct mrm__where *w, size_t i);

/* MRM_EINPUT "--where: 1:COL: no column 'x' (columns: LIST)" for column i. */
int mrm__where_column_error(const struct mrm__where *w, size_t i, const char *list,
			    struct mrm_error *err);

/* Column i of the expression is slot `slot` of the reader's batches. */
void mrm__where_bind(struct mrm__where *w, size_t i, size_t slot);

/* keep[i] = 1 when the condition is true for row i of the batch (not false or unknown). */
int mrm__where_eval(struct mrm__where *w, const struct mrm_table *batch, uint8_t *keep,
		    struct mrm_error *err);

/* ---- --tests -------------------------------------------------------------- */

struct mrm__vtests;

/* What the tests may refer to, known before the data are read. */
struct mrm__vtests_scope {
	enum mrm_validate_task task;
	const char *const *groups;  /* group keys: each column and the intersection "a&b" */
	size_t ngroups;
	bool champion;
	bool streaming;             /* ranking metrics are not computed */
};

/*
 * Loads and checks a tests file. Errors: MRM_EINPUT "FILE:LINE:COL: ..."
 * (syntax, unknown metric with the list of known ones, a group that is not
 * a --group column, a condition the task cannot have).
 */
int mrm__vtests_load(const char *path, const struct mrm__vtests_scope *scope,
		     struct mrm__vtests **out, struct mrm_error *err);
void mrm__vtests_free(struct mrm__vtests *t);

/*
 * Evaluates every test against a finished result document; returns a new
 * array of { name, passed, value, condition, ... } and sets *failed to the
 * number of tests that failed.
 */
json_t *mrm__vtests_eval(const struct mrm__vtests *t, json_t *result, size_t *failed);

/* Known metric names for a task, comma-separated, for messages. */
void mrm__vtests_known(enum mrm_validate_task task, char *buf, size_t cap);

/* ---- ranking ---------------------------------------------------------------- */

/* mrm_stats' order-preserving key: descending scores sort as ascending ~key. */
static inline uint64_t mrm__vkey(double x)
{
	uint64_t u;

	if (x == 0)
		x = 0.0;
	memcpy(&u, &x, sizeof(u));
	u = (u >> 63) ? ~u : u | 0x8000000000000000ULL;
	return ~u;
}

static inline double mrm__vunkey(uint64_t k)
{
	uint64_t u = ~k;
	double x;

	u = (u >> 63) ? u & 0x7fffffffffffffffULL : ~u;
	memcpy(&x, &u, sizeof(x));
	return x;
}

/*
 * Builds the ranking of n rows whose keys are mrm__vkey(score) and whose
 * payloads are (row << 1) | label, exactly as mrm_ranked_build would
 * (descending score, ties in row order), with less memory: the keys are
 * the sort key itself (12 bytes of scratch per row while sorting). `w`
 * (indexed by row, may be NULL) must be > 0 for every row. On return
 * *keys are sorted (the arrays may have moved: *keys and *pay are
 * updated), r->order owns the payload array (rows by rank) and *pay is
 * NULL. When ys is not NULL, *ys receives a new array (caller frees) with
 * the label of the row ranked j at [j].
 */
int mrm__rank_build(uint64_t **keys, uint32_t **pay, size_t n, const double *w,
		    uint8_t **ys, struct mrm_ranked *r, struct mrm_error *err);

/*
 * Counting sort of rows 0..n-1 by slice code (code >= ns: in no slice):
 * rows_out[start[s] .. start[s+1]) are the rows of slice s, ascending.
 * `start` has ns + 1 entries.
 */
void mrm__bucket(const uint32_t *code, size_t n, size_t ns, uint32_t *rows_out,
		 size_t *start);

/*
 * The ranking of the subset `rows` (m rows, ascending) of data already in
 * rank order (score descending along the row index), without sorting:
 * out->order borrows `rows`. Release with mrm__slice_release.
 */
int mrm__rank_rows(const double *score, const uint8_t *y, const double *w,
		   const uint32_t *rows, size_t m, struct mrm_ranked *out,
		   struct mrm_error *err);
void mrm__slice_release(struct mrm_ranked *s);

/* ---- loaded data ---------------------------------------------------------------- */

#define MRM__MAX_GROUPS 8
#define MRM__MAX_SLICES 10000  /* per group column or intersection */

/* One --group column, codes stored 1, 2 or 4 bytes wide (widened on demand). */
struct mrm__gcol {
	const char *name;
	size_t slot;
	int width;
	void *codes;            /* [n] dictionary codes; all ones (of the width) when missing */
	uint32_t ndict;
	char **values;          /* [ndict] copies of the dictionary strings */
	uint64_t missing;       /* accepted rows without a value */
};

static inline uint32_t mrm__gcode(const struct mrm__gcol *g, size_t i)
{
	if (g->width == 1) {
		uint8_t c = ((const uint8_t *)g->codes)[i];
		return c == UINT8_MAX ? UINT32_MAX : c;
	}
	if (g->width == 2) {
		uint16_t c = ((const uint16_t *)g->codes)[i];
		return c == UINT16_MAX ? UINT32_MAX : c;
	}
	return ((const uint32_t *)g->codes)[i];
}

/* Rows left out, by first reason, in this order. */
enum mrm__excl {
	MRM__EX_WHERE,
	MRM__EX_LABEL,
	MRM__EX_SCORE,
	MRM__EX_PREDICTION,
	MRM__EX_CHAMPION,
	MRM__EX_WEIGHT,
	MRM__EX_ZERO_WEIGHT,
	MRM__EX_COUNT
};

extern const char *const mrm__excl_names[MRM__EX_COUNT];

struct mrm__vdata {
	const struct mrm_validate_options *o;
	size_t n, cap;               /* rows kept */
	uint64_t rows_read;          /* rows delivered by the reader */
	uint64_t excluded[MRM__EX_COUNT];
	uint64_t skipped_negative_weight; /* with skip_bad_rows */
	uint64_t first_neg_weight_line;

	/* binary, ranked */
	uint64_t *keys;              /* mrm__vkey(score) */
	uint32_t *pay;               /* row << 1 | label */
	double *champion;            /* champion scores, or NULL */
	/* regression */
	double *yr, *pr;
	/* multiclass: label classes, predicted classes or probabilities [n*k] */
	uint32_t *yc, *pc;
	double *proba;
	size_t nclasses;
	char **classes;              /* class names, [nclasses] */
	/* every task */
	double *w;                   /* weights, or NULL */
	struct mrm__gcol g[MRM__MAX_GROUPS];
	size_t ng;

	/* binary labels */
	size_t pos_rows;             /* unweighted positives (for messages) */
	json_t *warnings;            /* array of strings (borrowed from the result) */

	/* streaming binary: accumulators for all rows and per slice (index ng: intersection) */
	struct mrm_binary_acc acc;
	struct mrm_binary_acc *slice_acc[MRM__MAX_GROUPS + 1];
	size_t slice_n[MRM__MAX_GROUPS + 1];
	size_t *slice_rows[MRM__MAX_GROUPS + 1];
	bool nothr;                  /* scores outside [0, 1] and no --threshold */
	struct mrm_strmap *ix_map;   /* intersection: tuple of codes -> index + 1 */
	uint32_t *ix_tuples;         /* [ix_n * ng] */
	size_t ix_n, ix_cap;

	/* about the input */
	char sha256[65];
	bool hashed;
	uint64_t bytes;
	char format[8];
	char delimiter;
	json_t *bad_rows;            /* with skip_bad_rows */
	char *name;                  /* file name in messages */
};

/* Reads the data of `o` into `d`; MRM_EINPUT/MRM_EUSAGE with a one-line message. */
int mrm__load(const struct mrm_validate_options *o, struct mrm__vdata *d,
	      json_t *warnings, struct mrm_error *err);
void mrm__vdata_release(struct mrm__vdata *d);

/* ---- slices ------------------------------------------------------------------------- */

/* One way of slicing the rows: a group column, or the intersection of all of them. */
struct mrm__slicing {
	char *key;          /* "race", or "race&sex" for the intersection */
	int column;         /* index of the group column, -1 for the intersection */
	size_t n;           /* rows */
	uint32_t *code;     /* [n] slice of each row, UINT32_MAX: in none */
	size_t nslices;
	char **names;       /* [nslices] ("a&b" for the intersection) */
	json_t **values;    /* intersection: [nslices] {"race": .., "sex": ..}; else NULL */
	size_t *sorted;     /* slices with rows, in name order */
	size_t nsorted;
	uint64_t missing;   /* rows in no slice (a group value missing) */
};

/*
 * The slicings of d's group columns (one each, then the intersection when
 * there are two or more) into out[0 .. *count), at most MRM__MAX_GROUPS + 1.
 * Row i of the slicing is row perm[i] of the loaded data (perm may be NULL).
 */
int mrm__slicings(struct mrm__vdata *d, const uint32_t *perm, size_t n,
		  struct mrm__slicing *out, size_t *count, struct mrm_error *err);
void mrm__slicing_release(struct mrm__slicing *s);

/* ---- the reports ---------------------------------------------------------------- */

int mrm__binary_report(struct mrm__vdata *d, json_t *res, struct mrm_error *err);
int mrm__binary_stream_report(struct mrm__vdata *d, json_t *res, struct mrm_error *err);
int mrm__regression_report(struct mrm__vdata *d, json_t *res, struct mrm_error *err);
int mrm__multiclass_report(struct mrm__vdata *d, json_t *res, struct mrm_error *err);

/* ---- a generic Poisson bootstrap (regression, multiclass) ---------------------------- */

/*
 * Metric values of one replicate: `rw` holds each row's replicate weight;
 * write nm values into out (NAN where undefined). Nonzero on failure.
 * Called from several threads at once.
 */
typedef int (*mrm__boot_fn)(void *ctx, const double *rw, double *out);

/* Percentile intervals ci[0..nm) over R replicates (see boot.c). */
int mrm__boot(size_t n, const double *w, size_t R, uint64_t seed, unsigned threads,
	      size_t nm, mrm__boot_fn fn, void *ctx, struct mrm_interval *ci,
	      struct mrm_error *err);

/* ---- JSON helpers ------------------------------------------------------------------ */

/* A finite number, or null (never NaN or infinity in JSON). */
json_t *mrm__jnum(double x);

/* An exact integer when x is one (counts), else a real. */
json_t *mrm__jcount(double x);

/*
 * Sets obj[key] to the metric's value, or null with the reason recorded
 * in undef[key] (undef may be NULL).
 */
void mrm__jmetric(json_t *obj, json_t *undef, const char *key, struct mrm_metric m);

/* [low, high] as a JSON array (null bounds when not finite). */
json_t *mrm__jpair(double lo, double hi);

/* Appends a formatted warning string to the array. */
void mrm__warn(json_t *warnings, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Order of slice and class names: numbers by value, then text bytewise. */
int mrm__cmp_names(const char *x, const char *y);

/* Adds a batch of accepted rows to the streaming accumulators (stream.c). */
int mrm__stream_add(struct mrm__vdata *d, const uint8_t *y, const double *s, const double *w,
		    const uint32_t *const *codes, size_t m, struct mrm_error *err);

/* The slices of group key `key` share these names (intersection: "a&b"). */
char *mrm__intersection_key(const struct mrm__vdata *d);

#endif
