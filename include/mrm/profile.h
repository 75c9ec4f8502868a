/*
 * Mergeable per-column profiles of a data set (`mrm profile`): one streaming
 * pass, a versioned little-endian file format, and an order-free merge.
 *
 * A profile holds, per column: the inferred type, the row count and the
 * missing count (exact), and mergeable sketches (mrm/sketch.h): for numeric
 * columns exact moments, a KLL quantile sketch and a HyperLogLog over the
 * numeric values; for every column a HyperLogLog and a frequent-items
 * summary over the value text. docs/profiles.md gives the rules and the
 * byte format. Nothing here prints or exits; errors are MRM_EINPUT with a
 * one-line message unless said otherwise.
 */
#ifndef MRM_PROFILE_H
#define MRM_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mrm/error.h"
#include "mrm/sketch.h"
#include "mrm/table.h"

/* The version written; version 1 files (no reference bins) are read too. */
#define MRM_PROFILE_VERSION 2
/* Reference bins: deciles, as the PSI and Jensen-Shannon bins of mrm drift. */
#define MRM_PROFILE_BINS 10
/* Most inner edges a profile file may hold for one column (a sanity limit). */
#define MRM_PROFILE_EDGES_MAX 1024

enum mrm_profile_type {
	MRM_PROFILE_NUMERIC = 1,     /* every non-missing value is a number */
	MRM_PROFILE_CATEGORICAL = 2, /* at least one value is not a number */
};

struct mrm_profile_column {
	char *name;
	enum mrm_profile_type type;
	uint64_t count;            /* non-missing values */
	uint64_t missing;          /* missing values */
	/* NUMERIC only (NULL / zero for CATEGORICAL): */
	struct mrm_moments mom;
	struct mrm_kll *kll;
	struct mrm_hll *hll_num;   /* distinct numbers (1.5 and 1.50 are one) */
	/* Every column: */
	struct mrm_hll *hll_text;  /* distinct spellings */
	struct mrm_freq *freq;     /* value counts by spelling */
	/*
	 * NUMERIC, optional (mrm profile --bins-from): exact counts of the values
	 * in a reference's bins. `nedges` ascending inner edges (0: no
	 * histogram); bins[i], i = 0..nedges, counts the values in
	 * [edges[i-1], edges[i]) with edges[-1] = -inf and edges[nedges] = +inf,
	 * numpy's searchsorted(edges, x, side='right') as mrm drift bins them.
	 */
	size_t nedges;
	double *edges;
	uint64_t *bins;
	/*
	 * NUMERIC, in memory only (never written, kept by a merge only when both
	 * sides counted the same range): with `has_range`, the values below
	 * range_lo and above range_hi, counted exactly by
	 * mrm_profile_build_binned against bins_from's min and max (mrm drift's
	 * out_of_range check on a data file facing a reference profile).
	 */
	bool has_range;
	double range_lo, range_hi;
	uint64_t below, above;
};

struct mrm_profile {
	unsigned version; /* of the file it was read from; MRM_PROFILE_VERSION when built */
	uint64_t rows;
	size_t ncols;
	struct mrm_profile_column *cols;
};

/*
 * Profiles the rows left in `r`, batch by batch (memory bounded by the
 * batch size and the sketches), for the columns named in the
 * NULL-terminated `columns` (NULL: every column, in file order). The caller
 * frees `*out` with mrm_profile_free(). Errors: those of the reader
 * (MRM_EINPUT "FILE:LINE:COL: ..."), an unknown column, out of memory.
 */
int mrm_profile_build(struct mrm_table_reader *r, const char *const *columns,
		      struct mrm_profile **out, struct mrm_error *err);

/*
 * As mrm_profile_build, and for every profiled column that is numeric with
 * at least one value in `bins_from` (same name; NULL: none), counts the
 * values exactly in bins_from's reference bins (mrm_profile_edges), so that
 * PSI and Jensen-Shannon against that reference need no sketch, and the
 * values below and above bins_from's min and max (has_range). A column
 * that turns out categorical loses its bins and range counts with its
 * numeric sketches.
 */
int mrm_profile_build_binned(struct mrm_table_reader *r, const char *const *columns,
			     const struct mrm_profile *bins_from, struct mrm_profile **out,
			     struct mrm_error *err);

/*
 * The reference bins of numeric column `c` (with count > 0): the inner
 * edges at numpy's 'linear' percentiles 10, 20, ..., 90 of its values,
 * duplicates dropped, as mrm_drift_edges computes them from a sample. When
 * the KLL sketch still holds every value (mrm_kll_exact) these are
 * mrm_drift_edges of those values, bit for bit; otherwise each order
 * statistic is read from the sketch (within its rank-error bound).
 * Writes k <= MRM_PROFILE_BINS - 1 edges into `edges` (room for
 * MRM_PROFILE_BINS - 1). MRM_EINPUT for a categorical or empty column, or
 * on OOM.
 */
int mrm_profile_edges(const struct mrm_profile_column *c, double *edges, size_t *k,
		      struct mrm_error *err);

void mrm_profile_free(struct mrm_profile *p);

/*
 * Folds `b` into `a` (b unchanged). Both must have the same column names
 * (any order; the result keeps a's order), else MRM_EINPUT naming the
 * first column missing on one side. A numeric column merged with a
 * categorical one becomes categorical, as one pass over both would.
 * Counts and moments merge exactly (moments to rounding); the sketches
 * within their bounds. Reference bins add up when both columns have the
 * same edges; otherwise a's are dropped (the result has none). A profile with a column name twice is refused.
 * Every name check happens before anything changes; after a later error
 * (out of memory, sketches of different precision from a foreign file)
 * `a` is valid but partly merged and should be discarded.
 */
int mrm_profile_merge(struct mrm_profile *a, const struct mrm_profile *b,
		      struct mrm_error *err);

/* The byte format (docs/profiles.md); *buf is malloc'd, caller frees. */
int mrm_profile_serialize(const struct mrm_profile *p, uint8_t **buf,
			  size_t *len, struct mrm_error *err);

/*
 * Parses untrusted bytes of version 1 or 2; `name` is the file name in
 * messages. Truncated input, a wrong magic, an unsupported version
 * ("profile version N is not supported by this mrm (supports 1, 2)"),
 * absurd sizes, a corrupt sketch or histogram: MRM_EINPUT "NAME: ...",
 * never a crash.
 */
int mrm_profile_deserialize(const char *name, const void *buf, size_t len,
			    struct mrm_profile **out, struct mrm_error *err);

/* Writes `path` atomically (PATH.tmp.PID then rename). */
int mrm_profile_write(const struct mrm_profile *p, const char *path,
		      struct mrm_error *err);

/* Reads and parses a profile file. */
int mrm_profile_read(const char *path, struct mrm_profile **out,
		     struct mrm_error *err);

/*
 * True when `path` is a readable file that starts with a profile's magic
 * bytes ("MRMP"), whatever its name. "-" (stdin) is never taken for one.
 */
bool mrm_profile_sniff(const char *path);

/*
 * The profile as JSON (caller owns *out): format_version, rows and, per
 * column, type, count, missing, min, max, mean, variance and std (ddof 1),
 * quantiles p1..p99, kll_epsilon, bins {edges, counts} (when present),
 * distinct, top (up to `top` items), top_exact and top_error.
 */
int mrm_profile_json(const struct mrm_profile *p, size_t top, json_t **out,
		     struct mrm_error *err);

#endif
