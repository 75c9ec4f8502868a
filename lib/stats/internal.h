/* Helpers shared by the files of lib/stats (not part of the public API). */
#ifndef MRM_STATS_INTERNAL_H
#define MRM_STATS_INTERNAL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "mrm/stats.h"

/* Maps a double to a uint64 whose unsigned order is the numeric order; -0.0 as +0.0. */
static inline uint64_t mrm__key(double x)
{
	uint64_t u;

	if (x == 0)
		x = 0.0;
	memcpy(&u, &x, sizeof(u));
	return (u >> 63) ? ~u : u | 0x8000000000000000ULL;
}

/* Inverse of mrm__key. */
static inline double mrm__unkey(uint64_t k)
{
	uint64_t u = (k >> 63) ? k & 0x7fffffffffffffffULL : ~k;
	double x;

	memcpy(&x, &u, sizeof(x));
	return x;
}

/*
 * LSD radix sort of keys[0..n) ascending, 11-bit digits, carrying pay
 * (may be NULL). ktmp/ptmp are scratch of n entries (ptmp may be NULL when
 * pay is). The result is left in keys/pay. Returns MRM_EINPUT only if the
 * histogram allocation fails.
 */
int mrm__radix_sort(uint64_t *keys, uint32_t *pay, size_t n, uint64_t *ktmp,
		    uint32_t *ptmp);

/* The numpy 'linear' percentile of the sorted x[0..n), q in [0, 100]. */
double mrm__percentile_sorted(const double *x, size_t n, double q);

/* Same, where x(j) is the j-th smallest (0-based) given by a callback. */
double mrm__percentile_fn(double (*at)(const void *, size_t), const void *ctx,
			  size_t n, double q);

/* numpy.linspace(0, 1, bins + 1)[i]. */
static inline double mrm__uniform_edge(size_t i, size_t bins)
{
	double step = 1.0 / (double)bins;

	return i == bins ? 1.0 : (double)i * step;
}

/* np.searchsorted(edges[1:-1], p) for edges = linspace(0, 1, bins + 1). */
size_t mrm__uniform_bin(double p, size_t bins);

/* The per-row log loss of sklearn 1.2 (eps = DBL_EPSILON, renormalised pair). */
double mrm__log_loss_row(int y, double p);

/* Sets metric m to defined value v, or undefined with reason. */
static inline struct mrm_metric mrm__val(double v)
{
	return (struct mrm_metric){ v, NULL };
}

static inline struct mrm_metric mrm__undef(const char *reason)
{
	return (struct mrm_metric){ NAN, reason };
}

/* Ratio num/den, undefined with `reason` when den == 0. */
static inline struct mrm_metric mrm__ratio(double num, double den, const char *reason)
{
	return den == 0 ? mrm__undef(reason) : mrm__val(num / den);
}

/* Checks one row of binary data; `row` is the index reported. */
int mrm__binary_row_check(const struct mrm_binary *d, size_t i, size_t row,
			  struct mrm_error *err);

/* ECE and MCE from per-bin sums (weight, weight*p, weight*y). */
void mrm__ece(const double *bw, const double *bp, const double *by, size_t bins,
	      struct mrm_metric *ece, struct mrm_metric *mce);

extern const char mrm__reason_needs_scores[];
extern const char mrm__reason_constant[];
extern const char mrm__reason_separation[];
extern const char mrm__reason_few[];

#endif
