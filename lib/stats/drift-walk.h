/*
 * Internal to lib/stats: the one walk over two sorted samples that the Kolmogorov-Smirnov,
 * Wasserstein and Anderson-Darling kernels share, and the steps after it.
 */
#ifndef MRM_STATS_DRIFT_WALK_H
#define MRM_STATS_DRIFT_WALK_H

#include <stdbool.h>
#include <stddef.h>

#include "mrm/stats-drift.h"

/* What a walk accumulates (bits of `what`). */
enum {
	MRM__WALK_KS = 1, /* max and min of F_x - F_y after each distinct pooled value */
	MRM__WALK_W = 2,  /* integral of |F_x - F_y| (Wasserstein-1) */
	MRM__WALK_AD = 4, /* Scholz-Stephens sums A2akN of both samples (midrank) */
	MRM__WALK_PLAIN = 32, /* the kernels' own arithmetic, no exact shortcut (for the tests) */
};

struct mrm__walk {
	double ks_max, ks_min;
	long double w_sum;
	long double ad_akn[2];
};

/*
 * Walks the distinct values of x (nx >= 1) and y (ny >= 1), both ascending and finite, in
 * pooled order, consuming ties on both sides at once, and fills the parts of *w asked for
 * in `what`. Exact integer shortcuts are taken where the sizes allow (see drift-walk.c);
 * MRM__WALK_PLAIN keeps the textbook arithmetic for the tests that compare the two.
 */
void mrm__drift_walk(const double *x, size_t nx, const double *y, size_t ny, unsigned what,
		     struct mrm__walk *w);

/*
 * mrm_drift_numeric_sorted; `check` false skips the check of both samples, for callers that
 * know them ascending and finite (the sorted columns of mrm drift).
 */
int mrm__drift_numeric_sorted(const double *ref, size_t nr, const double *cur, size_t nc,
			      size_t bins, bool check, struct mrm_drift_numeric *out,
			      struct mrm_error *err);

/* MRM_EINPUT naming the side and row for a non-finite value or a value below its predecessor. */
int mrm__check_sorted(const double *x, size_t n, const char *side, struct mrm_error *err);

/* Checks a sample (finite values) and returns a sorted copy in *out (NULL when n == 0). */
int mrm__drift_sorted(const double *x, size_t n, const char *side, double **out,
		      struct mrm_error *err);

/* The KS statistic and p-value (exact or asymptotic, as scipy) from the walk's extremes. */
int mrm__ks_finish(double maxS, double minS, size_t na, size_t nb, struct mrm_drift_test *out,
		   struct mrm_error *err);

/* Wasserstein-1 from the walk's integral, normalised by the sorted reference's sd. */
void mrm__wasserstein_finish(long double s, const double *x, size_t nr, struct mrm_metric *raw,
			     struct mrm_metric *norm);

/*
 * What Anderson-Darling needs before a walk: 0 when the walk must accumulate its sums,
 * else the undefined result is set in *out (every value the same, fewer than 4 values).
 */
int mrm__ad_defined(const double *x, size_t nx, const double *y, size_t ny,
		    struct mrm_drift_test *out);

/* The standardised A2 and its significance level from the walk's sums. */
void mrm__ad_finish(const long double akn[2], size_t nr, size_t nc, struct mrm_drift_test *out);

/*
 * Counts of both sorted samples in the reference-quantile bins (`bins` edges asked for): *nb
 * bins in rc and cc (room for `bins` each). MRM_EINPUT only when memory runs out.
 */
int mrm__two_histograms_sorted(const double *ref, size_t nr, const double *cur, size_t nc,
			       size_t bins, double *rc, double *cc, size_t *nb,
			       struct mrm_error *err);

#endif
