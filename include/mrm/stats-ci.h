/*
 * Uncertainty for the kernels of mrm/stats.h: Wilson intervals for rates,
 * DeLong variance, confidence interval and paired test for ROC AUC, and a
 * seeded, parallel Poisson bootstrap giving percentile intervals for every
 * binary metric and for champion-minus-challenger differences.
 */
#ifndef MRM_STATS_CI_H
#define MRM_STATS_CI_H

#include "mrm/stats.h"

/* Standard normal CDF Phi(x) (scipy.stats.norm.cdf), via erfc. */
double mrm_norm_cdf(double x);

/* Standard normal quantile Phi^-1(p) for p in (0, 1) (AS241, ~1e-16). */
double mrm_norm_ppf(double p);

/*
 * Wilson score interval for `successes` out of `n` (may be weighted, n > 0)
 * at confidence `level` (e.g. 0.95): statsmodels
 * proportion_confint(count, nobs, alpha=1-level, method="wilson").
 * n <= 0 gives NAN bounds.
 */
void mrm_wilson(double successes, double n, double level, double *low,
		double *high);

/* DeLong estimate for one ROC AUC. */
struct mrm_delong {
	double auc;
	double variance;   /* S10/m + S01/n (sample variances of placements) */
	double se;
	double low, high;  /* auc -/+ z * se, clamped to [0, 1] as pROC */
	const char *reason;/* NULL, or why undefined (one class, weights) */
};

/*
 * DeLong variance and CI of the AUC of ranking `r` (Sun & Xu 2014,
 * O(k) after the sort: placements come from the tie groups). Matches
 * pROC's ci.auc(method = "delong") and var(method = "delong"). Undefined
 * for weighted rankings, one class, or fewer than 2 rows of a class.
 */
void mrm_delong(const struct mrm_ranked *r, double level,
		struct mrm_delong *out);

/* Paired DeLong test of two correlated AUCs on the same rows. */
struct mrm_delong_test {
	double auc1, auc2;
	double difference;  /* auc2 - auc1 (challenger minus champion) */
	double var1, var2, cov;
	double se;          /* sqrt(var1 + var2 - 2 cov) */
	double z;           /* (auc1 - auc2) / se, as pROC's roc.test */
	double p_value;     /* two-sided 2 * Phi(-|z|) */
	double low, high;   /* CI of `difference` */
	const char *reason; /* NULL, or why undefined */
};

/*
 * Paired DeLong test between the champion ranking `r1` and the challenger
 * `r2`, built from the SAME labels (r1's y) and unweighted. pROC's
 * roc.test(roc1, roc2, method = "delong", paired = TRUE): z uses auc1 -
 * auc2; `difference` and its CI are challenger minus champion. se == 0
 * (identical curves): z and p undefined (reason set). MRM_EINPUT if the
 * rankings differ in rows or labels, or out of memory.
 */
int mrm_delong_paired(const struct mrm_ranked *r1, const struct mrm_ranked *r2,
		      const uint8_t *y, double level,
		      struct mrm_delong_test *out, struct mrm_error *err);

/* A percentile interval. */
struct mrm_interval {
	double low, high;
	size_t replicates;   /* replicates in which the metric was defined */
	const char *reason;  /* NULL, or why no interval */
};

struct mrm_bootstrap_options {
	size_t replicates;   /* e.g. 1000 */
	uint64_t seed;
	double level;        /* 0 means 0.95 */
	unsigned threads;    /* 0 means 2; results never depend on it */
	double threshold;    /* for the confusion metrics */
	size_t ece_bins;     /* 0 means 10 */
	uint64_t metrics;    /* bit (1 << id) per metric wanted; 0 means all */
};

/*
 * Poisson bootstrap of every binary metric: replicate b gives row i the
 * weight w_i * c_bi with c_bi ~ Poisson(1), drawn from a xoshiro256**
 * stream seeded by SplitMix64 from (seed, b), so replicate b is the same
 * whatever the number of threads. Each replicate is one O(n) pass over the
 * ranking `r` of `d` (no re-sorting). The interval is the percentile
 * interval np.percentile(values, [100 (1-level)/2, 100 (1+level)/2])
 * (linear interpolation) over the replicates in which the metric is
 * defined; a metric defined in fewer than half of them has no interval.
 * `values` (may be NULL) receives replicates * MRM_BINARY_METRIC_COUNT
 * doubles, row-major by replicate, NAN where undefined (for tests).
 * MRM_EINPUT: bad options, out of memory, thread creation failure.
 */
int mrm_bootstrap_binary(const struct mrm_binary *d, const struct mrm_ranked *r,
			 const struct mrm_bootstrap_options *o,
			 struct mrm_interval ci[MRM_BINARY_METRIC_COUNT],
			 double *values, struct mrm_error *err);

/*
 * Paired Poisson bootstrap of challenger minus champion: both models see
 * the same replicate weights for the same row, so the interval of each
 * metric difference accounts for their correlation. `d1`/`r1` is the
 * champion, `d2`/`r2` the challenger (same n, labels and weights).
 * `values` as above, holding the differences.
 */
int mrm_bootstrap_paired(const struct mrm_binary *d1, const struct mrm_ranked *r1,
			 const struct mrm_binary *d2, const struct mrm_ranked *r2,
			 const struct mrm_bootstrap_options *o,
			 struct mrm_interval diff[MRM_BINARY_METRIC_COUNT],
			 double *values, struct mrm_error *err);

/*
 * Percentile of `x[0..n)` (sorted in place) as np.percentile(x, q) with
 * the default linear method, q in [0, 100]. n == 0 gives NAN.
 */
double mrm_percentile(double *x, size_t n, double q);

#endif
