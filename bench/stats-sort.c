/*
 * Benchmark: mrm's radix sort of doubles (with a 32-bit payload, as the
 * ranking uses it) against the C library's qsort.
 * usage: stats-sort [N] (default 10,000,000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>

#include "mrm/stats.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static uint64_t state = 0x9E3779B97F4A7C15ULL;

static double uniform(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (double)(state >> 11) / 9007199254740992.0;
}

static void run(const char *what, double *src, size_t n)
{
	double *a = malloc(n * sizeof(*a)), *b = malloc(n * sizeof(*b));
	uint32_t *p = malloc(n * sizeof(*p));
	double t0, t_radix, t_radix_pay, t_q;
	size_t i;

	memcpy(a, src, n * sizeof(*a));
	t0 = now();
	mrm_sort_doubles(a, NULL, n, NULL);
	t_radix = now() - t0;
	memcpy(a, src, n * sizeof(*a));
	for (i = 0; i < n; i++)
		p[i] = (uint32_t)i;
	t0 = now();
	mrm_sort_doubles(a, p, n, NULL);
	t_radix_pay = now() - t0;
	memcpy(b, src, n * sizeof(*b));
	t0 = now();
	qsort(b, n, sizeof(*b), cmp_double);
	t_q = now() - t0;
	for (i = 0; i < n; i++)
		if (a[i] != b[i]) {
			fprintf(stderr, "mismatch at %zu\n", i);
			exit(1);
		}
	printf("{\"data\": \"%s\", \"rows\": %zu, \"radix_s\": %.3f, \"radix_payload_s\": %.3f, "
	       "\"qsort_s\": %.3f, \"speedup\": %.1f}\n",
	       what, n, t_radix, t_radix_pay, t_q, t_q / t_radix_pay);
	free(a);
	free(b);
	free(p);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)atol(argv[1]) : 10000000, i;
	double *x = malloc(n * sizeof(*x));

	/* Probabilities with 6 decimals, as the clf benchmark's scores. */
	for (i = 0; i < n; i++)
		x[i] = round(uniform() * 1e6) / 1e6;
	run("probability_6dp", x, n);
	/* Full-precision doubles of both signs and wide range. */
	for (i = 0; i < n; i++)
		x[i] = (uniform() - 0.5) * exp(40 * (uniform() - 0.5));
	run("wide_doubles", x, n);
	free(x);
	return 0;
}
