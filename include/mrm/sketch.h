/*
 * Mergeable per-column summaries for `mrm profile`: exact moments, a KLL
 * quantile sketch, a HyperLogLog distinct count and a frequent-items
 * (Misra-Gries) summary, each with a versioned little-endian byte format.
 *
 * Like mrm/stats.h these are pure kernels: no files, no printing, no
 * global state (every random choice comes from a seed stored in the
 * sketch, so the same inputs in the same order give the same bytes). A
 * sketch may be used from one thread at a time; different sketches from
 * different threads. docs/sketches.md gives each error bound, where it
 * comes from, and the serialised formats byte by byte.
 *
 * Conventions:
 * - Functions that can fail return 0 or MRM_EINPUT (bad value, bad
 *   parameter, corrupt bytes, out of memory) and fill `err` if not NULL.
 * - mrm_X_serialize() returns a malloc'd buffer in `*buf` (caller frees it
 *   with free()) and its length in `*len`. mrm_X_deserialize() accepts
 *   untrusted bytes: truncated, oversized, wrong magic or version, or
 *   internally inconsistent input is MRM_EINPUT, never a crash.
 * - merge(a, b) folds b into a and leaves b unchanged. Merging is
 *   associative and commutative for moments (up to rounding) and HLL
 *   (exactly); for KLL and frequent items the result depends on order but
 *   always stays within the documented bound.
 */
#ifndef MRM_SKETCH_H
#define MRM_SKETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mrm/error.h"

/* ------------------------------------------------------------------ */
/* Moments                                                             */
/* ------------------------------------------------------------------ */

/*
 * Count, missing, min, max, mean and the sum of squared deviations M2 of
 * a numeric column, updated by Welford's method (with the mean carried in
 * two doubles, so that it stays exact to rounding even when the mean is
 * far larger than the spread) and merged by Chan, Golub and LeVeque's
 * pairwise formula. Caller-owned; no release needed.
 */
struct mrm_moments {
	uint64_t count;   /* finite values seen */
	uint64_t missing; /* NaN or explicitly missing values */
	double min, max;  /* +inf / -inf while count == 0 */
	double mean;      /* 0 while count == 0 */
	double mean_lo;   /* rounding residue: the mean is mean + mean_lo */
	double m2;        /* sum of (x - mean)^2 */
};

/* Resets `m` to the empty summary. */
void mrm_moments_init(struct mrm_moments *m);

/* Adds `x`; NaN counts as missing. An infinity is MRM_EINPUT. */
int mrm_moments_add(struct mrm_moments *m, double x, struct mrm_error *err);

/* Counts one missing value. */
void mrm_moments_add_missing(struct mrm_moments *m);

/* Folds `b` into `a`. */
void mrm_moments_merge(struct mrm_moments *a, const struct mrm_moments *b);

/* Variance M2 / (count - ddof); NAN when count <= ddof. */
double mrm_moments_variance(const struct mrm_moments *m, unsigned ddof);

#define MRM_MOMENTS_BYTES 64

/* Writes the MRM_MOMENTS_BYTES-byte format (docs/sketches.md). */
int mrm_moments_serialize(const struct mrm_moments *m, uint8_t **buf,
			  size_t *len, struct mrm_error *err);
int mrm_moments_deserialize(struct mrm_moments *m, const void *buf, size_t len,
			    struct mrm_error *err);

/* ------------------------------------------------------------------ */
/* KLL quantile sketch                                                 */
/* ------------------------------------------------------------------ */

#define MRM_KLL_K_DEFAULT 200
#define MRM_KLL_K_MIN 8
#define MRM_KLL_K_MAX 65535

struct mrm_kll;

/*
 * A KLL sketch (Karnin, Lang, Liberty 2016) of accuracy parameter k in
 * [MRM_KLL_K_MIN, MRM_KLL_K_MAX] (0 means MRM_KLL_K_DEFAULT), whose coin
 * flips come from a SplitMix64 stream started at `seed`. With k = 200 the
 * normalised rank error of a query is below 1.33% with probability 99%
 * (mrm_kll_epsilon). Space is O(k) doubles. The caller frees `*out` with
 * mrm_kll_free(). MRM_EINPUT for a bad k or out of memory.
 */
int mrm_kll_new(struct mrm_kll **out, unsigned k, uint64_t seed,
		struct mrm_error *err);

/* Frees `s`; NULL is a no-op. */
void mrm_kll_free(struct mrm_kll *s);

/* Adds a finite value (amortised O(log k)). NaN or infinity: MRM_EINPUT. */
int mrm_kll_update(struct mrm_kll *s, double x, struct mrm_error *err);

/*
 * Folds `b` into `a` (any k: the result keeps a's k, and its error bound
 * is that of the smaller k). MRM_EINPUT only
 * when memory runs out, leaving `a` a valid sketch of its old contents
 * or of the union.
 */
int mrm_kll_merge(struct mrm_kll *a, const struct mrm_kll *b,
		  struct mrm_error *err);

/* Values summarised, exact min and max (NAN when empty), and k. */
uint64_t mrm_kll_n(const struct mrm_kll *s);
double mrm_kll_min(const struct mrm_kll *s);
double mrm_kll_max(const struct mrm_kll *s);
unsigned mrm_kll_k(const struct mrm_kll *s);

/*
 * Normalised rank error bound of a single query with 99% confidence for
 * parameter k: 2.296 / k^0.9723 (Apache DataSketches' fit for KLL;
 * 0.0133 at k = 200).
 */
double mrm_kll_epsilon(unsigned k);

/*
 * The two-sided bound for the mass between two points (a histogram bin,
 * a PMF entry), 99% confidence: 2.446 / k^0.9433 (0.0165 at k = 200).
 */
double mrm_kll_epsilon_pmf(unsigned k);

/*
 * The q-quantile (q in [0, 1]): the smallest retained value v with
 * weight(<= v) >= q * n; q = 0 gives the exact min, q = 1 the exact max.
 * NAN when the sketch is empty or q is outside [0, 1] or NaN. Each call
 * sorts the retained values: use mrm_kll_quantiles() for many.
 */
double mrm_kll_quantile(const struct mrm_kll *s, double q);

/* Quantiles of q[0..m) into out[0..m) with one sort. MRM_EINPUT on OOM. */
int mrm_kll_quantiles(const struct mrm_kll *s, const double *q, size_t m,
		      double *out, struct mrm_error *err);

/* Estimated fraction of values <= x, in [0, 1]; NAN when empty. */
double mrm_kll_rank(const struct mrm_kll *s, double x);

/*
 * Estimated CDF at the ascending split points split[0..m):
 * out[i] = fraction of values <= split[i]. Histogram bin masses on
 * reference bins are differences of consecutive entries (the first bin is
 * out[0], the last 1 - out[m-1]). MRM_EINPUT when the splits are not
 * finite and strictly increasing, or on OOM; an empty sketch gives NAN.
 */
int mrm_kll_cdf(const struct mrm_kll *s, const double *split, size_t m,
		double *out, struct mrm_error *err);

/*
 * The retained values in ascending order with their cumulative weights:
 * (*values)[i] is a retained value and (*cumw)[i] the total weight of
 * values[0..i], so the last entry of *cumw is mrm_kll_n(). This is the
 * sketch's estimate of the whole distribution: fraction <= x is the
 * cumulative weight of the last value <= x over n, fraction < x that of
 * the last value < x. Both arrays are malloc'd (the caller frees them with
 * free()) and *m entries long (0, and NULL arrays, for an empty sketch).
 * MRM_EINPUT on OOM.
 */
int mrm_kll_sorted(const struct mrm_kll *s, double **values, uint64_t **cumw,
		   size_t *m, struct mrm_error *err);

/*
 * True while the sketch holds every value it was given once (no
 * compaction yet: at most about k values): its sorted values are then
 * the sample itself and every query is exact.
 */
bool mrm_kll_exact(const struct mrm_kll *s);

int mrm_kll_serialize(const struct mrm_kll *s, uint8_t **buf, size_t *len,
		      struct mrm_error *err);
int mrm_kll_deserialize(struct mrm_kll **out, const void *buf, size_t len,
			struct mrm_error *err);

/* ------------------------------------------------------------------ */
/* HyperLogLog distinct count                                          */
/* ------------------------------------------------------------------ */

#define MRM_HLL_P_DEFAULT 14
#define MRM_HLL_P_MIN 4
#define MRM_HLL_P_MAX 18

struct mrm_hll;

/*
 * xxHash64 (Yann Collet's published XXH64) of `len` bytes with `seed`.
 * Exposed so callers can hash a value once and reuse it.
 */
uint64_t mrm_xxh64(const void *data, size_t len, uint64_t seed);

/*
 * A HyperLogLog sketch of 2^p one-byte registers, p in [MRM_HLL_P_MIN,
 * MRM_HLL_P_MAX] (0 means MRM_HLL_P_DEFAULT). Relative standard error
 * about 1.04 / sqrt(2^p) (0.81% at p = 14). Frees with mrm_hll_free().
 */
int mrm_hll_new(struct mrm_hll **out, unsigned p, struct mrm_error *err);
void mrm_hll_free(struct mrm_hll *h);

/* Adds a value given by its bytes (hashed with mrm_xxh64, seed 0). */
void mrm_hll_add_bytes(struct mrm_hll *h, const void *data, size_t len);

/* Adds a double by its 8 little-endian bytes; -0.0 counts as 0.0. */
void mrm_hll_add_double(struct mrm_hll *h, double x);

/* Adds a value by a 64-bit hash the caller computed. */
void mrm_hll_add_hash(struct mrm_hll *h, uint64_t hash);

/* Register-wise max; MRM_EINPUT when the precisions differ. */
int mrm_hll_merge(struct mrm_hll *a, const struct mrm_hll *b,
		  struct mrm_error *err);

/*
 * Estimated number of distinct values: Ertl's improved estimator (2017),
 * which folds the small-range (linear counting) correction and the
 * saturation correction into one formula with no empirical tables.
 */
double mrm_hll_estimate(const struct mrm_hll *h);

unsigned mrm_hll_p(const struct mrm_hll *h);

int mrm_hll_serialize(const struct mrm_hll *h, uint8_t **buf, size_t *len,
		      struct mrm_error *err);
int mrm_hll_deserialize(struct mrm_hll **out, const void *buf, size_t len,
			struct mrm_error *err);

/* ------------------------------------------------------------------ */
/* Frequent items                                                      */
/* ------------------------------------------------------------------ */

#define MRM_FREQ_K_DEFAULT 1000
#define MRM_FREQ_K_MAX 1000000
#define MRM_FREQ_ITEM_MAX 65536 /* longest item in bytes */

struct mrm_freq;

/*
 * Category counts of byte-string values: exact while at most k distinct
 * values have been seen, then a Misra-Gries summary of k counters,
 * mergeable as in Agarwal et al. 2012. Every estimate satisfies
 * count <= true <= count + mrm_freq_error(), and mrm_freq_error() <=
 * n / (k + 1) when every merged summary had the same k (with mixed k the
 * smallest k sets the bound). k in [1, MRM_FREQ_K_MAX]; 0 means
 * MRM_FREQ_K_DEFAULT.
 */
int mrm_freq_new(struct mrm_freq **out, unsigned k, struct mrm_error *err);
void mrm_freq_free(struct mrm_freq *f);

/* Adds one occurrence of a value (len <= MRM_FREQ_ITEM_MAX). */
int mrm_freq_add(struct mrm_freq *f, const void *data, size_t len,
		 struct mrm_error *err);

/* Folds `b` into `a` (a keeps its k). MRM_EINPUT on OOM. */
int mrm_freq_merge(struct mrm_freq *a, const struct mrm_freq *b,
		   struct mrm_error *err);

/* Values added in total. */
uint64_t mrm_freq_n(const struct mrm_freq *f);

/* Largest possible undercount of any value; 0 while the counts are exact. */
uint64_t mrm_freq_error(const struct mrm_freq *f);

/* True while every count is exact (never more than k distinct values). */
bool mrm_freq_exact(const struct mrm_freq *f);

/* Lower-bound count of a value (0 if it is not tracked). */
uint64_t mrm_freq_estimate(const struct mrm_freq *f, const void *data,
			   size_t len);

/* A tracked value; `data` is borrowed from the sketch. */
struct mrm_freq_item {
	const uint8_t *data;
	size_t len;
	uint64_t count; /* lower bound; upper bound is count + error */
};

/*
 * The tracked values by descending count (ties by bytes). `*items` is a
 * malloc'd array the caller frees with free(); its `data` pointers stay
 * valid until the next add/merge/free of `f`.
 */
int mrm_freq_items(const struct mrm_freq *f, struct mrm_freq_item **items,
		   size_t *n, struct mrm_error *err);

/*
 * The tracked values in the order they were first tracked, not sorted:
 * for a summary built in one pass and still exact, the order in which the
 * values first appeared; after merges, a's values then b's new ones.
 * Ownership as mrm_freq_items().
 */
int mrm_freq_items_seen(const struct mrm_freq *f, struct mrm_freq_item **items,
			size_t *n, struct mrm_error *err);

int mrm_freq_serialize(const struct mrm_freq *f, uint8_t **buf, size_t *len,
		       struct mrm_error *err);
int mrm_freq_deserialize(struct mrm_freq **out, const void *buf, size_t len,
			 struct mrm_error *err);

#endif
