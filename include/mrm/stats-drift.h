/*
 * Two-sample drift kernels of `mrm drift`: a reference and a current sample in, numbers out.
 *
 * Like mrm/stats.h, nothing here reads files, prints or keeps state; every
 * function is safe to call from several threads on different data.
 * docs/drift-tests.md gives each measure's formula, the scipy (1.10)
 * function it reproduces, and its undefined cases.
 *
 * Conventions:
 * - A sample is an array of finite doubles, in any order; the kernels never
 *   modify it (they sort a copy with mrm_sort_doubles). A NaN or infinite
 *   value is MRM_EINPUT naming the side and the 0-based row ("current row
 *   7: value is NaN"). MRM_EINPUT also when memory runs out.
 * - Each numeric kernel has a `_sorted` twin for samples already in
 *   ascending order (as mrm_sort_doubles leaves them): it sorts nothing,
 *   copies nothing, and gives bit for bit what the unsorted kernel gives
 *   on the same values (the unsorted kernels sort copies and call it). A
 *   value below its predecessor is MRM_EINPUT ("reference row 3: value
 *   below the one before (not sorted)"). mrm_drift_numeric_sorted gives
 *   every numeric measure from one walk over both samples.
 * - Category counts are arrays of finite doubles >= 0 aligned by category
 *   (the caller builds the union of both sides' categories; a category
 *   absent on one side has count 0 there).
 * - A result the data cannot define (an empty sample, a constant
 *   reference for the normalised Wasserstein distance, ...) is a
 *   struct mrm_metric with a reason, never a made-up number.
 */
#ifndef MRM_STATS_DRIFT_H
#define MRM_STATS_DRIFT_H

#include <stddef.h>

#include "mrm/stats.h"

/* Reasons (static strings). */
extern const char mrm_reason_empty_sample[];    /* "a sample is empty" */
extern const char mrm_reason_constant_reference[];
extern const char mrm_reason_no_counts[];       /* "a side has no counts" */
extern const char mrm_reason_zero_variance[];
extern const char mrm_reason_all_equal[];       /* "every value is the same" */
extern const char mrm_reason_too_few[];         /* "fewer than 4 values in all" */

/* A statistical test's result. */
struct mrm_drift_test {
	struct mrm_metric statistic;
	struct mrm_metric p_value;
	double dof;          /* chi-square degrees of freedom; 0 otherwise */
	const char *method;  /* static: "exact" or "asymp" (KS), "pearson",
				"yates" (chi-square), "pooled" (z), "midrank"
				(Anderson-Darling); NULL if undefined */
};

/*
 * Two-sample Kolmogorov-Smirnov test, two-sided, exactly as scipy 1.10
 * ks_2samp(a, b, method='auto'): the statistic D = max |F_a - F_b| over
 * the pooled values; with max(na, nb) <= 10000 the exact p-value
 * (Hodges' lattice-path counts; D is then reported as round(D * lcm) /
 * lcm as scipy does), otherwise or if the exact count fails the
 * asymptotic kstwo.sf(D, round(na nb / (na + nb))) (Simard-L'Ecuyer).
 * `method` says which. Undefined when a sample is empty.
 */
int mrm_ks_2samp(const double *a, size_t na, const double *b, size_t nb,
		 struct mrm_drift_test *out, struct mrm_error *err);
int mrm_ks_2samp_sorted(const double *a, size_t na, const double *b, size_t nb,
			struct mrm_drift_test *out, struct mrm_error *err);

/*
 * scipy.stats.kstwo.sf(d, n): the survival function of the one-sample
 * two-sided KS statistic D_n (exposed for tests and for profiles that only
 * keep D and the sizes). NAN if n == 0.
 */
double mrm_kstwo_sf(double d, size_t n);

/* Default number of PSI / Jensen-Shannon bins and the PSI epsilon. */
#define MRM_DRIFT_BINS 10
#define MRM_PSI_EPS 1e-4

/*
 * Bin edges from the reference: the inner edges are the numpy 'linear'
 * percentiles of `ref` at 100 i / bins, i = 1..bins-1, duplicates dropped;
 * the outer edges are -inf and +inf (implicit). Writes the k <= bins - 1
 * inner edges to `edges` (room for bins - 1) and their count to *k; the
 * histogram then has k + 1 bins. A value x falls in bin
 * searchsorted(edges, x, side='right'): bin i is [edge[i-1], edge[i]).
 * MRM_EINPUT for bins == 0, bad values or an empty reference.
 */
int mrm_drift_edges(const double *ref, size_t nr, size_t bins, double *edges,
		    size_t *k, struct mrm_error *err);

/* Counts of `x` in the k + 1 bins of the k inner edges (counts zeroed first). */
int mrm_drift_histogram(const double *x, size_t n, const double *edges,
			size_t k, double *counts, struct mrm_error *err);

/*
 * Population stability index over aligned counts (k categories or bins):
 * with r_i = max(ref_i / R, eps) and c_i = max(cur_i / C, eps) (R, C the
 * totals, eps = MRM_PSI_EPS), PSI = sum_i (c_i - r_i) ln(c_i / r_i).
 * Undefined when a side's total is 0. MRM_EINPUT for negative or
 * non-finite counts.
 */
int mrm_psi_counts(const double *ref, const double *cur, size_t k,
		   struct mrm_metric *out, struct mrm_error *err);

/*
 * PSI of numeric samples on `bins` reference-quantile bins
 * (mrm_drift_edges; 0 means MRM_DRIFT_BINS). Undefined for an empty sample.
 */
int mrm_psi(const double *ref, size_t nr, const double *cur, size_t nc,
	    size_t bins, struct mrm_metric *out, struct mrm_error *err);
int mrm_psi_sorted(const double *ref, size_t nr, const double *cur, size_t nc,
		   size_t bins, struct mrm_metric *out, struct mrm_error *err);

/*
 * Wasserstein-1 distance between the empirical distributions
 * (scipy.stats.wasserstein_distance(ref, cur)), and the same divided by
 * the population standard deviation (ddof = 0, numpy's np.std default, as
 * Evidently) of the reference. `norm` may be NULL. Undefined for an empty
 * sample; `norm` also when the reference is constant.
 */
int mrm_wasserstein(const double *ref, size_t nr, const double *cur, size_t nc,
		    struct mrm_metric *raw, struct mrm_metric *norm,
		    struct mrm_error *err);
int mrm_wasserstein_sorted(const double *ref, size_t nr, const double *cur, size_t nc,
			   struct mrm_metric *raw, struct mrm_metric *norm,
			   struct mrm_error *err);

/*
 * Jensen-Shannon distance in base 2 (in [0, 1]) between two count
 * vectors, each normalised to sum 1: scipy.spatial.distance.jensenshannon(
 * ref, cur, base=2). Undefined when a side's total is 0.
 */
int mrm_jensen_shannon_counts(const double *ref, const double *cur, size_t k,
			      struct mrm_metric *out, struct mrm_error *err);

/*
 * Jensen-Shannon distance (base 2) of numeric samples on the reference
 * bins of mrm_drift_edges (`bins` 0 means MRM_DRIFT_BINS).
 */
int mrm_jensen_shannon(const double *ref, size_t nr, const double *cur,
		       size_t nc, size_t bins, struct mrm_metric *out,
		       struct mrm_error *err);
int mrm_jensen_shannon_sorted(const double *ref, size_t nr, const double *cur,
			      size_t nc, size_t bins, struct mrm_metric *out,
			      struct mrm_error *err);

/*
 * Chi-square test of homogeneity of the 2 x k table (reference counts,
 * current counts): scipy.stats.chi2_contingency(table) with its default
 * correction=True. Categories with a zero total on both sides are dropped
 * first (scipy refuses a zero expected frequency); with dof = k' - 1 == 1
 * the Yates correction moves each observed count 0.5 towards its expected
 * value (at most the whole gap); with dof == 0 the statistic is 0 and the
 * p-value 1. p = chi2.sf(stat, dof) = Q(dof / 2, stat / 2), the
 * regularized upper incomplete gamma function. Undefined when a side's
 * total is 0. Counts must be finite and >= 0.
 */
int mrm_chi2_homogeneity(const double *ref, const double *cur, size_t k,
			 struct mrm_drift_test *out, struct mrm_error *err);

/*
 * Q(a, x) = Gamma(a, x) / Gamma(a), the regularized upper incomplete gamma
 * function (scipy.special.gammaincc), for a > 0, x >= 0: the power series
 * for P when x < a + 1, else the Legendre continued fraction (modified
 * Lentz), with the prefactor x^a e^-x / Gamma(a) taken in logs so tails
 * down to 1e-308 keep their relative precision. NAN outside the domain.
 */
double mrm_gammaincc(double a, double x);

/*
 * Two-proportion z-test, pooled variance, two-sided (statsmodels
 * proportions_ztest([x_ref, x_cur], [n_ref, n_cur])): p = (x_r + x_c) /
 * (n_r + n_c), z = (x_r / n_r - x_c / n_c) / sqrt(p (1 - p) (1 / n_r +
 * 1 / n_c)), p-value 2 Phi(-|z|). Undefined when a side has no rows or the
 * pooled proportion is 0 or 1. MRM_EINPUT when a count is negative or
 * exceeds its n.
 */
int mrm_two_proportion_z(double x_ref, double n_ref, double x_cur, double n_cur,
			 struct mrm_drift_test *out, struct mrm_error *err);

/*
 * Anderson-Darling k-sample test for k = 2, midrank version:
 * scipy.stats.anderson_ksamp([ref, cur], midrank=True). `statistic` is
 * scipy's standardised A2 = (A2akN - 1) / sigma_N (Scholz and Stephens
 * 1987); `p_value` is scipy 1.10's significance_level: exp of a quadratic
 * fitted to log(0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001) against
 * the critical values, capped to [0.001, 0.25] (an approximation, not an
 * exact p-value). Undefined for an empty sample, when every value is the
 * same (mrm_reason_all_equal) or with fewer than 4 values in all
 * (mrm_reason_too_few: sigma_N divides by (N - 1)(N - 2)(N - 3)).
 */
int mrm_anderson_ksamp(const double *ref, size_t nr, const double *cur, size_t nc,
		       struct mrm_drift_test *out, struct mrm_error *err);
int mrm_anderson_ksamp_sorted(const double *ref, size_t nr, const double *cur, size_t nc,
			      struct mrm_drift_test *out, struct mrm_error *err);

/* Every numeric measure of one column (as the kernels above give them). */
struct mrm_drift_numeric {
	struct mrm_drift_test ks;
	struct mrm_drift_test anderson;
	struct mrm_metric psi;
	struct mrm_metric wasserstein, wasserstein_norm;
	struct mrm_metric jensen_shannon;
};

/*
 * KS, PSI and Jensen-Shannon on `bins` reference-quantile bins (0 means
 * MRM_DRIFT_BINS), Wasserstein (raw and normalised) and Anderson-Darling
 * of two ascending samples, in one walk over both: each field is bit for
 * bit what its kernel gives. Every field is undefined (empty sample) when
 * a sample is empty. Errors: MRM_EINPUT for a non-finite or unsorted
 * value (naming the side and row) or when memory runs out.
 */
int mrm_drift_numeric_sorted(const double *ref, size_t nr, const double *cur, size_t nc,
			     size_t bins, struct mrm_drift_numeric *out, struct mrm_error *err);

#endif
