/* LSD radix sort of doubles by their IEEE-754 bit pattern, carrying a payload. */
#include <stdlib.h>

#include "mrm/stats-ci.h"
#include "stats/internal.h"

#define DIGIT_BITS 11
#define DIGITS 6 /* ceil(64 / 11) */
#define BUCKETS (1u << DIGIT_BITS)

int mrm__radix_sort(uint64_t *keys, uint32_t *pay, size_t n, uint64_t *ktmp,
		    uint32_t *ptmp)
{
	size_t *hist;
	uint64_t *src = keys, *dst = ktmp;
	uint32_t *psrc = pay, *pdst = ptmp;
	size_t i;
	int d;

	if (n < 2)
		return 0;
	hist = calloc((size_t)DIGITS * BUCKETS, sizeof(*hist));
	if (!hist)
		return MRM_EINPUT;
	/* One read pass builds every digit's histogram. */
	for (i = 0; i < n; i++) {
		uint64_t k = keys[i];

		hist[0 * BUCKETS + (k & 0x7ff)]++;
		hist[1 * BUCKETS + ((k >> 11) & 0x7ff)]++;
		hist[2 * BUCKETS + ((k >> 22) & 0x7ff)]++;
		hist[3 * BUCKETS + ((k >> 33) & 0x7ff)]++;
		hist[4 * BUCKETS + ((k >> 44) & 0x7ff)]++;
		hist[5 * BUCKETS + (k >> 55)]++;
	}
	for (d = 0; d < DIGITS; d++) {
		size_t *h = hist + (size_t)d * BUCKETS;
		unsigned shift = (unsigned)d * DIGIT_BITS;
		size_t sum = 0, b;

		/* A digit that is the same in every key orders nothing: skip it. */
		if (h[(src[0] >> shift) & 0x7ff] == n)
			continue;
		for (b = 0; b < BUCKETS; b++) {
			size_t c = h[b];

			h[b] = sum;
			sum += c;
		}
		if (psrc) {
			for (i = 0; i < n; i++) {
				uint64_t k = src[i];
				size_t at = h[(k >> shift) & 0x7ff]++;

				dst[at] = k;
				pdst[at] = psrc[i];
			}
		} else {
			for (i = 0; i < n; i++) {
				uint64_t k = src[i];

				dst[h[(k >> shift) & 0x7ff]++] = k;
			}
		}
		{
			uint64_t *t = src;
			uint32_t *pt = psrc;

			src = dst;
			dst = t;
			psrc = pdst;
			pdst = pt;
		}
	}
	if (src != keys) {
		memcpy(keys, src, n * sizeof(*keys));
		if (pay)
			memcpy(pay, psrc, n * sizeof(*pay));
	}
	free(hist);
	return 0;
}

int mrm_sort_doubles(double *x, uint32_t *payload, size_t n,
		     struct mrm_error *err)
{
	uint64_t *k = NULL, *kt = NULL;
	uint32_t *pt = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++)
		if (isnan(x[i]))
			return mrm_error_set(err, MRM_EINPUT, "row %zu: value is NaN", i);
	if (n < 2)
		return 0;
	k = malloc(n * sizeof(*k));
	kt = malloc(n * sizeof(*kt));
	if (payload)
		pt = malloc(n * sizeof(*pt));
	if (!k || !kt || (payload && !pt)) {
		rc = mrm_error_set(err, MRM_EINPUT, "out of memory sorting %zu values", n);
		goto out;
	}
	for (i = 0; i < n; i++)
		k[i] = mrm__key(x[i]);
	if (mrm__radix_sort(k, payload, n, kt, pt)) {
		rc = mrm_error_set(err, MRM_EINPUT, "out of memory sorting %zu values", n);
		goto out;
	}
	for (i = 0; i < n; i++)
		x[i] = mrm__unkey(k[i]);
out:
	free(k);
	free(kt);
	free(pt);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double mrm__percentile_sorted(const double *x, size_t n, double q)
{
	double vi, prev, gamma, a, b, diff;
	size_t lo;

	if (n == 0)
		return NAN;
	/* numpy 1.24: q / 100, virtual index (n - 1) q, _lerp with the t >= 0.5 branch. */
	vi = (double)(n - 1) * (q / 100.0);
	if (vi >= (double)(n - 1))
		return x[n - 1];
	if (vi < 0)
		return x[0];
	prev = floor(vi);
	lo = (size_t)prev;
	gamma = vi - prev;
	a = x[lo];
	b = x[lo + 1];
	diff = b - a;
	if (gamma >= 0.5)
		return b - diff * (1 - gamma);
	return a + diff * gamma;
}

double mrm__percentile_fn(double (*at)(const void *, size_t), const void *ctx,
			  size_t n, double q)
{
	double vi, prev, gamma, a, b, diff;
	size_t lo;

	if (n == 0)
		return NAN;
	vi = (double)(n - 1) * (q / 100.0);
	if (vi >= (double)(n - 1))
		return at(ctx, n - 1);
	if (vi < 0)
		return at(ctx, 0);
	prev = floor(vi);
	lo = (size_t)prev;
	gamma = vi - prev;
	a = at(ctx, lo);
	b = at(ctx, lo + 1);
	diff = b - a;
	if (gamma >= 0.5)
		return b - diff * (1 - gamma);
	return a + diff * gamma;
}

double mrm_percentile(double *x, size_t n, double q)
{
	if (n == 0)
		return NAN;
	qsort(x, n, sizeof(*x), cmp_double);
	return mrm__percentile_sorted(x, n, q);
}
