/*
 * Benchmark: update rate of the profile sketches (moments, KLL k=200,
 * HLL p=14, frequent items k=1000) on N uniform doubles, and KLL merge.
 * usage: sketch-bench [N] (default 10,000,000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mrm/sketch.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t state = 0x9E3779B97F4A7C15ULL;

static uint64_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 10000000, i;
	double *x = malloc(n * sizeof(*x)), t0, t;
	uint32_t *cat = malloc(n * sizeof(*cat));
	struct mrm_moments mo;
	struct mrm_kll *kll = NULL, *kll2 = NULL;
	struct mrm_hll *hll = NULL;
	struct mrm_freq *fq = NULL;
	uint8_t *buf;
	size_t len;

	if (!x || !cat || mrm_kll_new(&kll, 0, 1, NULL) ||
	    mrm_kll_new(&kll2, 0, 2, NULL) || mrm_hll_new(&hll, 0, NULL) ||
	    mrm_freq_new(&fq, 0, NULL)) {
		fprintf(stderr, "sketch-bench: out of memory\n");
		return 1;
	}
	for (i = 0; i < n; i++) {
		x[i] = (double)(next() >> 11) / 9007199254740992.0;
		cat[i] = (uint32_t)(next() % 500);
	}
	mrm_moments_init(&mo);
	t0 = now();
	for (i = 0; i < n; i++)
		mrm_moments_add(&mo, x[i], NULL);
	t = now() - t0;
	printf("moments  %8.1f M values/s\n", n / t / 1e6);
	t0 = now();
	for (i = 0; i < n; i++)
		mrm_kll_update(kll, x[i], NULL);
	t = now() - t0;
	printf("kll k200 %8.1f M values/s\n", n / t / 1e6);
	t0 = now();
	for (i = 0; i < n; i++)
		mrm_hll_add_double(hll, x[i]);
	t = now() - t0;
	printf("hll p14  %8.1f M values/s (estimate %.0f)\n", n / t / 1e6,
	       mrm_hll_estimate(hll));
	t0 = now();
	for (i = 0; i < n; i++)
		mrm_freq_add(fq, &cat[i], sizeof(cat[i]), NULL);
	t = now() - t0;
	printf("freq 500 categories %8.1f M values/s\n", n / t / 1e6);
	t0 = now();
	for (i = 0; i < n; i++)
		mrm_freq_add(fq, &x[i], sizeof(x[i]), NULL);
	t = now() - t0;
	printf("freq all distinct (Misra-Gries) %8.1f M values/s\n", n / t / 1e6);
	for (i = 0; i < n / 10; i++)
		mrm_kll_update(kll2, x[i], NULL);
	t0 = now();
	for (i = 0; i < 1000; i++)
		mrm_kll_merge(kll2, kll, NULL);
	t = now() - t0;
	printf("kll merge %8.1f us each\n", t / 1000 * 1e6);
	mrm_kll_serialize(kll, &buf, &len, NULL);
	printf("kll bytes after %zu values: %zu\n", n, len);
	free(buf);
	mrm_kll_free(kll);
	mrm_kll_free(kll2);
	mrm_hll_free(hll);
	mrm_freq_free(fq);
	free(x);
	free(cat);
	return 0;
}
