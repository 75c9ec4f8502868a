/*
 * Data-quality checks of `mrm drift` over small per-column summaries of two data sets (a file
 * side fills them exactly, a profile approximately), and the duplicate-row counter.
 */
#ifndef MRM_MONITOR_QUALITY_H
#define MRM_MONITOR_QUALITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/strmap.h"
#include "mrm/error.h"
#include "mrm/table.h"

/* The checks, in the order of the document's "quality" list (docs/drift.md, "Data quality"). */
enum quality_check {
	Q_MISSING_COLUMNS,  /* columns of the reference absent from the current: count */
	Q_NEW_COLUMNS,      /* columns of the current absent from the reference: count */
	Q_RETYPED_COLUMNS,  /* columns whose type changed: count */
	Q_DUPLICATE_ROWS,   /* share of current rows equal to an earlier current row */
	Q_MISSING_RATE,     /* per column: current missing share minus the reference's */
	Q_ALL_MISSING,      /* per column: 1 when every current value is missing */
	Q_OUT_OF_RANGE,     /* per numeric column: share of present values outside [ref min, max] */
	Q_NEW_CATEGORIES,   /* per categorical column: share of present values in unseen categories */
	Q_CONSTANT,         /* per column: 1 when it has one distinct value now but not before */
	Q_NCHECKS
};

/* The check's name in the document and on the command line ("missing_rate", ...). */
const char *quality_check_name(int check);

/*
 * Its default threshold: a check fails when its value is greater. For duplicate_rows the
 * default is relative: the reference's own share of duplicate rows plus this (0.05).
 */
double quality_default_threshold(int check);

/*
 * Fills thr[Q_NCHECKS] with the defaults (NAN for duplicate_rows: the relative default),
 * then applies the NULL-terminated "NAME=X" overrides of `spec` (may be NULL), which are
 * absolute. MRM_EUSAGE for an unknown name (the message lists the valid ones),
 * a missing '=', or a value that is not a number in range (a share in [0, 1], a count >= 0).
 */
int quality_thresholds(const char *const *spec, double thr[Q_NCHECKS], struct mrm_error *err);

/* One column of one side, as the checks need it. */
struct quality_col {
	const char *name;
	/* MRM_COL_NUMERIC or MRM_COL_CATEGORICAL; 0 when the side names the column but was not read. */
	enum mrm_col_type type;
	uint64_t missing;
	/* Numeric: the smallest and largest present values (ignored with no present value). */
	double min, max;
	/* Distinct present values (exact for a file, estimated for a profile). */
	double distinct;
	bool distinct_estimated;
	/* Categorical: the k categories seen, with their counts (counts may be 0). */
	size_t k;
	const char *const *cat;
	const uint32_t *catlen;
	const double *cnt;
	/* Optional index name -> non-NULL of the same categories (built on demand when NULL). */
	const struct mrm_strmap *index;
	/* The categories are a partial list (heavy hitters): new_categories is then estimated. */
	bool cat_partial;
	/*
	 * With cat_partial: the largest undercount of any listed count (the summary's error
	 * bound); an unlisted category has at most this many values.
	 */
	double cat_error;
	/*
	 * Numeric (current side): the present values below lo and above hi. `data` is the
	 * callback's; quality_outside_sorted reads a sorted array of `n` doubles in `data`.
	 */
	void (*outside)(const struct quality_col *c, double lo, double hi, double *below,
			double *above);
	const void *data;
	size_t n;
	bool outside_estimated;
	/* With outside_estimated: the largest error of the share outside the range (0: none stated). */
	double outside_bound;
};

/* The first index in ascending x[0..n) whose value is >= v (strict: > v); n if none. */
size_t quality_first_at_least(const double *x, size_t n, double v, bool strict);

/* quality_col.outside over `c->n` ascending doubles at `c->data` (two binary searches). */
void quality_outside_sorted(const struct quality_col *c, double lo, double hi, double *below,
			    double *above);

/* One side: its rows, its columns and its duplicate rows. */
struct quality_side {
	uint64_t rows;
	size_t ncols;
	const struct quality_col *cols;
	/* Rows equal to an earlier row over the compared columns; NAN when unknown. */
	double duplicates;
	bool duplicates_estimated;
	/* The number of columns rows were compared over (for the message). */
	size_t dup_columns;
	/* With duplicates NAN: why they cannot be counted (the entry's detail), or NULL. */
	const char *duplicates_why;
};

/*
 * Appends one entry per check (and per column for the per-column checks) comparing `cur`
 * with `ref` to the JSON array `out`: {"check", "column" (null for a data-set check), "value"
 * (null when it cannot be computed, with "status": "not_applicable" and the reason in
 * "detail"), "threshold", "failed", "detail"}, plus "estimated": true when the value is an
 * estimate, with "range": [low, high] (the true value lies in it) and for out_of_range
 * "bound" (the sketch's rank-error bound on the share). Per-column checks cover the columns
 * both sides read, in the reference's order. *failed (may be NULL) gets the number of failed
 * entries. MRM_EINPUT only when memory runs out.
 */
int quality_run(const double thr[Q_NCHECKS], const struct quality_side *ref,
		const struct quality_side *cur, json_t *out, size_t *failed, struct mrm_error *err);

/*
 * "CHECK[:COLUMN], ..." of the failed entries of the quality list `q` into buf (at most six,
 * then " and N more").
 */
void quality_failed_names(json_t *q, char *buf, size_t cap);

/*
 * Duplicate rows: a set of 64-bit row hashes, each in a group (0 for a whole side, a window's
 * number for windows). Exact while it holds at most `max` distinct rows (two rows are taken
 * as equal when their hashes are: with n distinct rows a false match has probability about
 * n^2 / 2^65); beyond that it keeps only the hashes whose top `level` bits are zero (a
 * sample of the distinct rows, all copies of a row in or out together) and estimates each
 * group's share of duplicates from the sample. Hashes are appended to a pending array and
 * merged, radix-sorted, into the sorted distinct ones when it fills: sequential memory
 * traffic instead of a hash table's random probes.
 */
struct dup_set {
	uint64_t *pk;             /* pending keys, unsorted */
	uint32_t *pg;             /* their groups (grouped sets only) */
	size_t np, pcap, chunk;
	uint64_t *key;            /* distinct keys, ascending */
	uint32_t *cnt, *grp;      /* copies of each; grp only when grouped */
	size_t used, max;
	unsigned level;
	bool grouped;
	size_t ngroups;
	double *rows, *dups;      /* per group: all rows added, duplicates among the sampled */
	double *srows;            /* per group: sampled rows */
};

/* Distinct rows held exactly: 3 Mi (12 bytes each, 16 with groups: at most 48 MiB a set). */
#define DUP_MAX_DISTINCT ((size_t)3 << 20)

/* Pending hashes merged at a time (at most `max`). */
#define DUP_CHUNK ((size_t)1 << 20)

/*
 * An empty set holding at most `max` distinct rows exactly (0: DUP_MAX_DISTINCT); only a
 * `grouped` set takes groups other than 0.
 */
void dup_init(struct dup_set *s, size_t max, bool grouped);
void dup_release(struct dup_set *s);

/* Adds a row of hash h to `group`; -1 when out of memory (or a group in an ungrouped set). */
int dup_add(struct dup_set *s, uint64_t h, uint32_t group);

/* Merges the pending hashes; call before dup_count. -1 when out of memory. */
int dup_flush(struct dup_set *s);

/* The group's duplicate rows (estimated when s->level > 0, see *estimated), after dup_flush. */
double dup_count(const struct dup_set *s, uint32_t group, bool *estimated);

/* A 64-bit mixer (the splitmix64 finaliser) for row hashes. */
static inline uint64_t quality_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

#endif
