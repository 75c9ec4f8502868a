/* Unit tests for the mergeable sketches: exact merges, error bounds, byte formats. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mrm/sketch.h"

#define N_BIG 1000000

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rng_unif(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

static double rng_normal(uint64_t *s)
{
	double u = rng_unif(s), v = rng_unif(s);

	return sqrt(-2 * log(u + 0x1.0p-60)) * cos(2 * M_PI * v);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* ---------------------------------------------------------------- */

static void rel_close(double a, double b, double tol)
{
	double d = fabs(a - b), s = fmax(fabs(a), fabs(b));

	if (d > tol * s) {
		print_error("%.17g vs %.17g\n", a, b);
		fail();
	}
}

static void moments_merge_equals_one_pass(void **state)
{
	struct mrm_moments one, part[7], all;
	uint64_t r = 1;
	size_t i, n = 100000;
	(void)state;

	mrm_moments_init(&one);
	for (i = 0; i < 7; i++)
		mrm_moments_init(&part[i]);
	for (i = 0; i < n; i++) {
		double x = 100 + 3 * rng_normal(&r);

		if (i % 97 == 0) {
			assert_int_equal(mrm_moments_add(&one, NAN, NULL), 0);
			/* Uneven shards, one of them empty. */
			mrm_moments_add_missing(&part[(i * 7 / n + 1) % 7]);
			continue;
		}
		assert_int_equal(mrm_moments_add(&one, x, NULL), 0);
		assert_int_equal(mrm_moments_add(&part[(i * i) % 6], x, NULL), 0);
	}
	mrm_moments_init(&all);
	for (i = 0; i < 7; i++)
		mrm_moments_merge(&all, &part[i]);
	assert_int_equal(all.count, one.count);
	assert_int_equal(all.missing, one.missing);
	assert_true(all.min == one.min && all.max == one.max);
	rel_close(all.mean, one.mean, 1e-12);
	/* Against a two-pass reference in long double. */
	{
		long double s = 0, ss = 0;
		uint64_t r2 = 1;
		size_t c = 0;

		for (i = 0; i < n; i++) {
			double x = 100 + 3 * rng_normal(&r2);

			if (i % 97 == 0)
				continue;
			s += x;
			c++;
		}
		s /= c;
		r2 = 1;
		for (i = 0; i < n; i++) {
			double x = 100 + 3 * rng_normal(&r2);

			if (i % 97 == 0)
				continue;
			ss += (x - s) * (x - s);
		}
		rel_close(one.mean, (double)s, 1e-12);
		rel_close(one.m2, (double)ss, 1e-12);
		rel_close(all.m2, (double)ss, 1e-12);
		rel_close(all.m2, one.m2, 1e-12);
		rel_close(mrm_moments_variance(&all, 1), mrm_moments_variance(&one, 1), 1e-12);
	}
}

/* Ill-conditioned data (mean / sd = 3e5): M2 still within 1e-10 of two passes. */
static void moments_ill_conditioned(void **state)
{
	struct mrm_moments one, part[4], all;
	long double s = 0, ss = 0;
	uint64_t r = 5;
	size_t i, n = 100000;
	double *x = malloc(n * sizeof(*x));
	(void)state;

	assert_non_null(x);
	mrm_moments_init(&one);
	mrm_moments_init(&all);
	for (i = 0; i < 4; i++)
		mrm_moments_init(&part[i]);
	for (i = 0; i < n; i++) {
		x[i] = 1e6 + 3 * rng_normal(&r);
		s += x[i];
		assert_int_equal(mrm_moments_add(&one, x[i], NULL), 0);
		assert_int_equal(mrm_moments_add(&part[i % 4], x[i], NULL), 0);
	}
	s /= n;
	for (i = 0; i < n; i++)
		ss += (x[i] - s) * (x[i] - s);
	for (i = 0; i < 4; i++)
		mrm_moments_merge(&all, &part[i]);
	print_message("ill-conditioned: mean err %.3g %.3g, m2 err %.3g %.3g\n",
		      (one.mean - (double)s) / (double)s, (all.mean - (double)s) / (double)s,
		      (one.m2 - (double)ss) / (double)ss, (all.m2 - (double)ss) / (double)ss);
	rel_close(one.mean, (double)s, 1e-15);
	rel_close(all.mean, (double)s, 1e-15);
	rel_close(one.m2, (double)ss, 1e-12);
	rel_close(all.m2, (double)ss, 1e-12);
	free(x);
}

static void moments_edge_cases(void **state)
{
	struct mrm_moments m, e;
	struct mrm_error err = { 0 };
	uint8_t *buf;
	size_t len;
	(void)state;

	mrm_moments_init(&m);
	assert_true(isnan(mrm_moments_variance(&m, 0)));
	assert_int_equal(mrm_moments_add(&m, INFINITY, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "infinite"));
	assert_int_equal(mrm_moments_add(&m, 2.5, NULL), 0);
	assert_true(mrm_moments_variance(&m, 0) == 0);
	assert_true(isnan(mrm_moments_variance(&m, 1)));
	mrm_moments_init(&e);
	mrm_moments_merge(&e, &m);
	assert_true(e.count == 1 && e.mean == 2.5 && e.min == 2.5 && e.max == 2.5);
	mrm_moments_merge(&e, &(struct mrm_moments){ 0, 3, INFINITY, -INFINITY, 0, 0 });
	assert_int_equal(e.missing, 3);
	/* Round trip, including the empty summary. */
	assert_int_equal(mrm_moments_serialize(&e, &buf, &len, NULL), 0);
	assert_int_equal(len, MRM_MOMENTS_BYTES);
	mrm_moments_init(&m);
	assert_int_equal(mrm_moments_deserialize(&m, buf, len, NULL), 0);
	assert_memory_equal(&m, &e, sizeof(m));
	assert_int_equal(mrm_moments_deserialize(&m, buf, len - 1, NULL), MRM_EINPUT);
	buf[4] = 2;
	mrm_error_clear(&err);
	assert_int_equal(mrm_moments_deserialize(&m, buf, len, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "version"));
	free(buf);
	mrm_moments_init(&e);
	assert_int_equal(mrm_moments_serialize(&e, &buf, &len, NULL), 0);
	assert_int_equal(mrm_moments_deserialize(&m, buf, len, NULL), 0);
	assert_int_equal(m.count, 0);
	assert_true(m.min == INFINITY);
	free(buf);
}

/* ---------------------------------------------------------------- */

enum dist { UNIFORM, NORMAL, TIES, SORTED, REVERSED, DIST_COUNT };
static const char *dist_name[] = { "uniform", "normal", "ties", "sorted", "reversed" };

static double *make_data(enum dist d, size_t n)
{
	double *x = malloc(n * sizeof(*x));
	uint64_t r = 42 + (uint64_t)d;
	size_t i;

	assert_non_null(x);
	for (i = 0; i < n; i++) {
		switch (d) {
		case UNIFORM:
			x[i] = rng_unif(&r);
			break;
		case NORMAL:
			x[i] = rng_normal(&r);
			break;
		case TIES: /* 20 values with skewed frequencies */
			x[i] = floor(20 * pow(rng_unif(&r), 3));
			break;
		case SORTED:
			x[i] = (double)i;
			break;
		default:
			x[i] = (double)(n - i);
			break;
		}
	}
	return x;
}

/* Largest distance from q to the true rank interval of the q-quantile, q = 1%..99%. */
static double max_rank_error(const struct mrm_kll *s, const double *sorted, size_t n)
{
	double q[99], v[99], worst = 0;
	int i;

	for (i = 0; i < 99; i++)
		q[i] = (i + 1) / 100.0;
	assert_int_equal(mrm_kll_quantiles(s, q, 99, v, NULL), 0);
	for (i = 0; i < 99; i++) {
		size_t lo = 0, hi = n, lt, le;
		double e;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (sorted[mid] < v[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		lt = lo;
		hi = n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (sorted[mid] <= v[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		le = lo;
		e = fmax(0, fmax((double)lt / n - q[i], q[i] - (double)le / n));
		if (e > worst)
			worst = e;
	}
	return worst;
}

static struct mrm_kll *kll_shards(const double *x, size_t n, size_t shards)
{
	struct mrm_kll *all = NULL, *s = NULL;
	size_t j, i;

	assert_int_equal(mrm_kll_new(&all, 0, 1000, NULL), 0);
	for (j = 0; j < shards; j++) {
		assert_int_equal(mrm_kll_new(&s, 0, 7 + j, NULL), 0);
		for (i = j * n / shards; i < (j + 1) * n / shards; i++)
			assert_int_equal(mrm_kll_update(s, x[i], NULL), 0);
		assert_int_equal(mrm_kll_merge(all, s, NULL), 0);
		mrm_kll_free(s);
	}
	return all;
}

static void kll_rank_error_within_bound(void **state)
{
	double eps = mrm_kll_epsilon(200);
	int d;
	(void)state;

	assert_true(eps > 0.0132 && eps < 0.0134);
	assert_true(mrm_kll_epsilon_pmf(200) > 0.0164 && mrm_kll_epsilon_pmf(200) < 0.0166);
	for (d = 0; d < DIST_COUNT; d++) {
		double *x = make_data((enum dist)d, N_BIG);
		double *sorted = malloc(N_BIG * sizeof(*sorted));
		size_t shards[] = { 1, 4, 16 }, j;

		assert_non_null(sorted);
		memcpy(sorted, x, N_BIG * sizeof(*x));
		qsort(sorted, N_BIG, sizeof(*sorted), cmp_double);
		for (j = 0; j < 3; j++) {
			struct mrm_kll *s = kll_shards(x, N_BIG, shards[j]);
			double e = max_rank_error(s, sorted, N_BIG);

			print_message("kll k=200 %-8s shards=%2zu max rank error %.5f (bound %.4f)\n",
				      dist_name[d], shards[j], e, eps);
			assert_true(e <= eps);
			assert_int_equal(mrm_kll_n(s), N_BIG);
			assert_true(mrm_kll_min(s) == sorted[0]);
			assert_true(mrm_kll_max(s) == sorted[N_BIG - 1]);
			assert_true(mrm_kll_quantile(s, 0) == sorted[0]);
			assert_true(mrm_kll_quantile(s, 1) == sorted[N_BIG - 1]);
			/* rank() and cdf() at the true deciles. */
			{
				double split[9], cdf[9], prev = 0;
				int i;

				int m = 0;

				/* The true deciles, without repeats (ties). */
				for (i = 0; i < 9; i++) {
					double v = sorted[(size_t)(i + 1) * N_BIG / 10];

					if (m == 0 || v > split[m - 1])
						split[m++] = v;
				}
				assert_int_equal(mrm_kll_cdf(s, split, (size_t)m, cdf, NULL), 0);
				for (i = 0; i < m; i++) {
					size_t lo = 0, hi = N_BIG;

					while (lo < hi) { /* true count <= split[i] */
						size_t mid = lo + (hi - lo) / 2;

						if (sorted[mid] <= split[i])
							lo = mid + 1;
						else
							hi = mid;
					}
					assert_true(fabs(cdf[i] - (double)lo / N_BIG) <= eps);
					assert_true(mrm_kll_rank(s, split[i]) == cdf[i] ||
						    split[i] == sorted[N_BIG - 1]);
					/* Bin masses (differences) within the two-sided bound. */
					if (i)
						assert_true(fabs(cdf[i] - cdf[i - 1] -
								 (double)lo / N_BIG + prev) <=
							    mrm_kll_epsilon_pmf(200));
					prev = (double)lo / N_BIG;
				}
			}
			mrm_kll_free(s);
		}
		free(sorted);
		free(x);
	}
}

static void kll_small_and_deterministic(void **state)
{
	struct mrm_kll *a = NULL, *b = NULL;
	struct mrm_error err = { 0 };
	uint8_t *ba, *bb;
	size_t la, lb, i;
	double split[2] = { 1, 1 }, out[2];
	(void)state;

	assert_int_equal(mrm_kll_new(&a, 3, 0, &err), MRM_EINPUT);
	assert_null(a);
	assert_non_null(strstr(err.msg, "k"));
	assert_int_equal(mrm_kll_new(&a, 0, 5, NULL), 0);
	assert_true(isnan(mrm_kll_quantile(a, 0.5)));
	assert_true(isnan(mrm_kll_rank(a, 0.5)));
	assert_int_equal(mrm_kll_update(a, NAN, NULL), MRM_EINPUT);
	assert_int_equal(mrm_kll_update(a, -INFINITY, NULL), MRM_EINPUT);
	/* Few values: exact. */
	for (i = 1; i <= 10; i++)
		assert_int_equal(mrm_kll_update(a, (double)i, NULL), 0);
	assert_true(mrm_kll_quantile(a, 0.5) == 5);
	assert_true(mrm_kll_quantile(a, 0.51) == 6);
	assert_true(mrm_kll_rank(a, 3) == 0.3);
	assert_true(mrm_kll_rank(a, 0) == 0 && mrm_kll_rank(a, 11) == 1);
	assert_true(isnan(mrm_kll_quantile(a, 1.5)));
	assert_int_equal(mrm_kll_cdf(a, split, 2, out, NULL), MRM_EINPUT);
	mrm_kll_free(a);
	/* Same seed and inputs: identical bytes. */
	assert_int_equal(mrm_kll_new(&a, 0, 9, NULL), 0);
	assert_int_equal(mrm_kll_new(&b, 0, 9, NULL), 0);
	for (i = 0; i < 100000; i++) {
		assert_int_equal(mrm_kll_update(a, (double)(i * 7919 % 100003), NULL), 0);
		assert_int_equal(mrm_kll_update(b, (double)(i * 7919 % 100003), NULL), 0);
	}
	assert_int_equal(mrm_kll_serialize(a, &ba, &la, NULL), 0);
	assert_int_equal(mrm_kll_serialize(b, &bb, &lb, NULL), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(ba, bb, la);
	print_message("kll k=200 after 1e5 values: %zu bytes\n", la);
	/* Saved and reloaded mid-stream, b continues exactly as a does. */
	mrm_kll_free(b);
	assert_int_equal(mrm_kll_deserialize(&b, bb, lb, NULL), 0);
	free(ba);
	free(bb);
	for (i = 0; i < 50000; i++) {
		assert_int_equal(mrm_kll_update(a, (double)(i % 977), NULL), 0);
		assert_int_equal(mrm_kll_update(b, (double)(i % 977), NULL), 0);
	}
	assert_int_equal(mrm_kll_serialize(a, &ba, &la, NULL), 0);
	assert_int_equal(mrm_kll_serialize(b, &bb, &lb, NULL), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(ba, bb, la);
	free(ba);
	free(bb);
	mrm_kll_free(b);
	/* Merging a sketch of another k keeps a's k and the exact count. */
	assert_int_equal(mrm_kll_new(&b, 50, 3, NULL), 0);
	for (i = 0; i < 20000; i++)
		assert_int_equal(mrm_kll_update(b, -(double)i, NULL), 0);
	assert_int_equal(mrm_kll_merge(a, b, NULL), 0);
	assert_int_equal(mrm_kll_k(a), 200);
	assert_int_equal(mrm_kll_n(a), 170000);
	assert_true(mrm_kll_min(a) == -19999);
	assert_true(fabs(mrm_kll_rank(a, -0.5) - 20000.0 / 170000) < mrm_kll_epsilon(50));
	mrm_kll_free(a);
	mrm_kll_free(b);
}


/* ---------------------------------------------------------------- */

static void xxh64_known_values(void **state)
{
	(void)state;
	/* Reference values of XXH64 with seed 0 (xxHash's sanity checks). */
	assert_true(mrm_xxh64("", 0, 0) == 0xEF46DB3751D8E999ULL);
	assert_true(mrm_xxh64("abc", 3, 0) == 0x44BC2CF5AD770999ULL);
}

static void hll_error_and_merge(void **state)
{
	size_t sizes[] = { 1000, 10000, 100000, 1000000 }, j, i;
	double se = 1.04 / sqrt(16384.0);
	(void)state;

	for (j = 0; j < 4; j++) {
		struct mrm_hll *all = NULL, *a = NULL, *b = NULL;
		double e, ea;

		assert_int_equal(mrm_hll_new(&all, 0, NULL), 0);
		assert_int_equal(mrm_hll_new(&a, 14, NULL), 0);
		assert_int_equal(mrm_hll_new(&b, 14, NULL), 0);
		for (i = 0; i < sizes[j]; i++) {
			char key[32];
			int n = snprintf(key, sizeof(key), "id-%zu-%zu", j, i);

			/* Each value twice: duplicates must not count. */
			mrm_hll_add_bytes(all, key, (size_t)n);
			mrm_hll_add_bytes(all, key, (size_t)n);
			/* Overlapping halves: a gets [0, 60%), b gets [40%, 100%). */
			if (i < sizes[j] * 6 / 10)
				mrm_hll_add_bytes(a, key, (size_t)n);
			if (i >= sizes[j] * 4 / 10)
				mrm_hll_add_bytes(b, key, (size_t)n);
		}
		e = mrm_hll_estimate(all) / (double)sizes[j] - 1;
		assert_int_equal(mrm_hll_merge(a, b, NULL), 0);
		ea = mrm_hll_estimate(a);
		print_message("hll p=14 n=%zu relative error %+.5f (1.04/sqrt(m) = %.5f)\n",
			      sizes[j], e, se);
		assert_true(fabs(e) <= 3 * se);
		/* Union by register max equals the sketch of the union exactly. */
		assert_true(ea == mrm_hll_estimate(all));
		mrm_hll_free(all);
		mrm_hll_free(a);
		mrm_hll_free(b);
	}
}

/* The spread over 24 independent hash seeds matches 1.04 / sqrt(m). */
static void hll_standard_error(void **state)
{
	double se = 1.04 / sqrt(16384.0), ss = 0, rmse;
	uint64_t seed;
	size_t i, n = 500000;
	(void)state;

	for (seed = 1; seed <= 24; seed++) {
		struct mrm_hll *h = NULL;
		double e;

		assert_int_equal(mrm_hll_new(&h, 14, NULL), 0);
		for (i = 0; i < n; i++)
			mrm_hll_add_hash(h, mrm_xxh64(&i, sizeof(i), seed));
		e = mrm_hll_estimate(h) / (double)n - 1;
		ss += e * e;
		mrm_hll_free(h);
	}
	rmse = sqrt(ss / 24);
	print_message("hll p=14 n=5e5 RMS relative error over 24 seeds %.5f (1.04/sqrt(m) = %.5f)\n",
		      rmse, se);
	assert_true(rmse > 0.6 * se && rmse < 1.3 * se);
}

static void hll_small_and_errors(void **state)
{
	struct mrm_hll *h = NULL, *g = NULL;
	struct mrm_error err = { 0 };
	int i;
	(void)state;

	assert_int_equal(mrm_hll_new(&h, 3, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "precision"));
	assert_int_equal(mrm_hll_new(&h, 0, NULL), 0);
	assert_int_equal(mrm_hll_p(h), 14);
	assert_true(mrm_hll_estimate(h) == 0);
	for (i = 0; i < 10; i++)
		mrm_hll_add_double(h, i);
	mrm_hll_add_double(h, -0.0);
	assert_true(fabs(mrm_hll_estimate(h) - 10) < 0.01);
	assert_int_equal(mrm_hll_new(&g, 12, NULL), 0);
	mrm_error_clear(&err);
	assert_int_equal(mrm_hll_merge(h, g, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "precisions differ"));
	mrm_hll_free(g);
	mrm_hll_free(h);
}


/* ---------------------------------------------------------------- */

static void freq_exact_below_k(void **state)
{
	struct mrm_freq *f = NULL;
	struct mrm_freq_item *it;
	struct mrm_error err = { 0 };
	size_t n, i;
	char big[MRM_FREQ_ITEM_MAX + 1] = { 0 };
	(void)state;

	assert_int_equal(mrm_freq_new(&f, MRM_FREQ_K_MAX + 1, &err), MRM_EINPUT);
	assert_int_equal(mrm_freq_new(&f, 0, NULL), 0);
	for (i = 0; i < 100000; i++) {
		char key[16];
		int l = snprintf(key, sizeof(key), "c%zu", (i * i) % 1000);

		assert_int_equal(mrm_freq_add(f, key, (size_t)l, NULL), 0);
	}
	assert_int_equal(mrm_freq_add(f, "", 0, NULL), 0);
	mrm_error_clear(&err);
	assert_int_equal(mrm_freq_add(f, big, sizeof(big), &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "longer"));
	assert_true(mrm_freq_exact(f));
	assert_int_equal(mrm_freq_n(f), 100001);
	assert_int_equal(mrm_freq_estimate(f, "", 0), 1);
	assert_int_equal(mrm_freq_estimate(f, "c0", 2), 1000); /* i = 0 mod 100 */
	assert_int_equal(mrm_freq_estimate(f, "c2", 2), 0); /* not a square mod 1000 */
	assert_int_equal(mrm_freq_items(f, &it, &n, NULL), 0);
	assert_true(n > 100 && n <= 1000);
	for (i = 1; i < n; i++)
		assert_true(it[i - 1].count >= it[i].count);
	free(it);
	mrm_freq_free(f);
}

/* Zipf-like stream over 50,000 values: value v has weight ~ 1 / (v + 1). */
static uint32_t zipf(uint64_t *r)
{
	return (uint32_t)(exp(rng_unif(r) * log(50000.0)) - 1);
}

static void check_freq_bound(const struct mrm_freq *f, const uint64_t *truth,
			     size_t nv, unsigned k)
{
	struct mrm_freq_item *it;
	size_t n, i;
	uint64_t kept = 0, e = mrm_freq_error(f);

	assert_int_equal(mrm_freq_items(f, &it, &n, NULL), 0);
	assert_true(n <= k);
	for (i = 0; i < n; i++)
		kept += it[i].count;
	free(it);
	assert_true(e <= (mrm_freq_n(f) - kept) / (k + 1));
	for (i = 0; i < nv; i++) {
		uint32_t v = (uint32_t)i;
		uint64_t c = mrm_freq_estimate(f, &v, sizeof(v));

		assert_true(c <= truth[i]);
		assert_true(truth[i] <= c + e);
	}
}

static void freq_misra_gries_bound_and_merge(void **state)
{
	struct mrm_freq *one = NULL, *all = NULL, *s[4] = { 0 };
	uint64_t *truth = calloc(50000, sizeof(*truth)), r = 3;
	unsigned k = 100;
	size_t i, n = 1000000;
	(void)state;

	assert_non_null(truth);
	assert_int_equal(mrm_freq_new(&one, k, NULL), 0);
	assert_int_equal(mrm_freq_new(&all, k, NULL), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(mrm_freq_new(&s[i], k, NULL), 0);
	for (i = 0; i < n; i++) {
		uint32_t v = zipf(&r);

		truth[v]++;
		assert_int_equal(mrm_freq_add(one, &v, sizeof(v), NULL), 0);
		assert_int_equal(mrm_freq_add(s[i * 4 / n], &v, sizeof(v), NULL), 0);
	}
	assert_false(mrm_freq_exact(one));
	check_freq_bound(one, truth, 50000, k);
	for (i = 0; i < 4; i++) {
		assert_int_equal(mrm_freq_merge(all, s[i], NULL), 0);
		mrm_freq_free(s[i]);
	}
	assert_int_equal(mrm_freq_n(all), n);
	check_freq_bound(all, truth, 50000, k);
	print_message("freq k=100 n=1e6 zipf: error bound one pass %llu, 4 shards merged %llu, n/(k+1) = %llu; top count %llu (true %llu)\n",
		      (unsigned long long)mrm_freq_error(one),
		      (unsigned long long)mrm_freq_error(all),
		      (unsigned long long)(n / (k + 1)),
		      (unsigned long long)mrm_freq_estimate(all, &(uint32_t){ 0 }, 4),
		      (unsigned long long)truth[0]);
	mrm_freq_free(one);
	mrm_freq_free(all);
	free(truth);
}

/* ---------------------------------------------------------------- */

/* The byte formats: round trips, and corrupt input rejected without a crash. */
enum kind { K_MOMENTS, K_KLL, K_HLL, K_FREQ };

/* Decodes `b`; on success re-encodes and uses the sketch. Returns the code. */
static int decode_any(enum kind kd, const uint8_t *b, size_t len, uint8_t **again,
		      size_t *alen)
{
	struct mrm_error err = { 0 };
	int rc;

	*again = NULL;
	*alen = 0;
	switch (kd) {
	case K_MOMENTS: {
		struct mrm_moments m;

		rc = mrm_moments_deserialize(&m, b, len, &err);
		if (!rc)
			assert_int_equal(mrm_moments_serialize(&m, again, alen, NULL), 0);
		break;
	}
	case K_KLL: {
		struct mrm_kll *s = NULL;

		rc = mrm_kll_deserialize(&s, b, len, &err);
		if (!rc) {
			assert_int_equal(mrm_kll_serialize(s, again, alen, NULL), 0);
			(void)mrm_kll_quantile(s, 0.5);
			assert_int_equal(mrm_kll_update(s, mrm_kll_n(s) ? mrm_kll_min(s) : 1, NULL), 0);
		}
		mrm_kll_free(s);
		break;
	}
	case K_HLL: {
		struct mrm_hll *h = NULL;

		rc = mrm_hll_deserialize(&h, b, len, &err);
		if (!rc) {
			assert_int_equal(mrm_hll_serialize(h, again, alen, NULL), 0);
			assert_true(mrm_hll_estimate(h) >= 0);
		}
		mrm_hll_free(h);
		break;
	}
	default: {
		struct mrm_freq *f = NULL;

		rc = mrm_freq_deserialize(&f, b, len, &err);
		if (!rc) {
			assert_int_equal(mrm_freq_serialize(f, again, alen, NULL), 0);
			assert_int_equal(mrm_freq_add(f, "x", 1, NULL), 0);
		}
		mrm_freq_free(f);
		break;
	}
	}
	if (rc) {
		assert_int_equal(rc, MRM_EINPUT);
		assert_int_equal(err.code, MRM_EINPUT);
		assert_true(err.msg[0] != 0);
	}
	return rc;
}

static void fuzz_one(enum kind kd, const uint8_t *b, size_t len, uint64_t *r)
{
	uint8_t *again, *m = malloc(len + 16);
	size_t alen, cut, i;
	int t;

	assert_non_null(m);
	/* Exact round trip. */
	assert_int_equal(decode_any(kd, b, len, &again, &alen), 0);
	assert_int_equal(alen, len);
	assert_memory_equal(again, b, len);
	free(again);
	/* Every truncation is an error, and so is a byte too many. */
	for (cut = 0; cut < len; cut += 1 + cut / 64) {
		assert_int_equal(decode_any(kd, b, cut, &again, &alen), MRM_EINPUT);
		free(again);
	}
	memcpy(m, b, len);
	m[len] = 0;
	assert_int_equal(decode_any(kd, m, len + 1, &again, &alen), MRM_EINPUT);
	free(again);
	/* Wrong version. */
	m[4] ^= 0x40;
	assert_int_equal(decode_any(kd, m, len, &again, &alen), MRM_EINPUT);
	free(again);
	/* Random corruption of the header and body: error or a usable sketch. */
	for (t = 0; t < 2000; t++) {
		memcpy(m, b, len);
		for (i = 0; i < 1 + (size_t)(rng_next(r) % 4); i++) {
			size_t at = (size_t)(rng_next(r) % (len < 64 || t % 2 ? len : 64));

			m[at] = (uint8_t)rng_next(r);
		}
		(void)decode_any(kd, m, len, &again, &alen);
		free(again);
	}
	/* Pure noise behind a valid magic and version. */
	for (t = 0; t < 200; t++) {
		size_t l = 8 + (size_t)(rng_next(r) % (len + 8 - 8));

		memcpy(m, b, 8);
		for (i = 8; i < l; i++)
			m[i] = (uint8_t)rng_next(r);
		(void)decode_any(kd, m, l, &again, &alen);
		free(again);
	}
	free(m);
}

static void formats_round_trip_and_reject_corruption(void **state)
{
	struct mrm_moments mo;
	struct mrm_kll *kll = NULL, *empty = NULL;
	struct mrm_hll *hll = NULL;
	struct mrm_freq *fq = NULL;
	uint64_t r = 11;
	uint8_t *b;
	size_t len, i;
	(void)state;

	mrm_moments_init(&mo);
	assert_int_equal(mrm_kll_new(&kll, 16, 1, NULL), 0);
	assert_int_equal(mrm_kll_new(&empty, 0, 1, NULL), 0);
	assert_int_equal(mrm_hll_new(&hll, 6, NULL), 0);
	assert_int_equal(mrm_freq_new(&fq, 8, NULL), 0);
	for (i = 0; i < 3000; i++) {
		double x = rng_normal(&r);
		char key[8];
		int l = snprintf(key, sizeof(key), "v%u", (unsigned)(rng_next(&r) % 20));

		assert_int_equal(mrm_moments_add(&mo, x, NULL), 0);
		assert_int_equal(mrm_kll_update(kll, x, NULL), 0);
		mrm_hll_add_double(hll, x);
		assert_int_equal(mrm_freq_add(fq, key, (size_t)l, NULL), 0);
	}
	assert_int_equal(mrm_moments_serialize(&mo, &b, &len, NULL), 0);
	fuzz_one(K_MOMENTS, b, len, &r);
	free(b);
	assert_int_equal(mrm_kll_serialize(kll, &b, &len, NULL), 0);
	fuzz_one(K_KLL, b, len, &r);
	free(b);
	assert_int_equal(mrm_kll_serialize(empty, &b, &len, NULL), 0);
	fuzz_one(K_KLL, b, len, &r);
	free(b);
	assert_int_equal(mrm_hll_serialize(hll, &b, &len, NULL), 0);
	fuzz_one(K_HLL, b, len, &r);
	free(b);
	assert_int_equal(mrm_freq_serialize(fq, &b, &len, NULL), 0);
	fuzz_one(K_FREQ, b, len, &r);
	free(b);
	/* A sketch of one kind is not accepted as another. */
	assert_int_equal(mrm_hll_serialize(hll, &b, &len, NULL), 0);
	{
		uint8_t *again;
		size_t alen;

		assert_int_equal(decode_any(K_KLL, b, len, &again, &alen), MRM_EINPUT);
		assert_int_equal(decode_any(K_FREQ, b, len, &again, &alen), MRM_EINPUT);
		assert_int_equal(decode_any(K_MOMENTS, b, len, &again, &alen), MRM_EINPUT);
	}
	free(b);
	mrm_kll_free(kll);
	mrm_kll_free(empty);
	mrm_hll_free(hll);
	mrm_freq_free(fq);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(moments_merge_equals_one_pass),
		cmocka_unit_test(moments_ill_conditioned),
		cmocka_unit_test(moments_edge_cases),
		cmocka_unit_test(kll_small_and_deterministic),
		cmocka_unit_test(kll_rank_error_within_bound),
		cmocka_unit_test(xxh64_known_values),
		cmocka_unit_test(hll_small_and_errors),
		cmocka_unit_test(hll_error_and_merge),
		cmocka_unit_test(hll_standard_error),
		cmocka_unit_test(freq_exact_below_k),
		cmocka_unit_test(freq_misra_gries_bound_and_merge),
		cmocka_unit_test(formats_round_trip_and_reject_corruption),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
