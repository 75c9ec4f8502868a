/*
 * A generic Poisson bootstrap for the regression and multiclass reports of
 * `mrm validate` (the binary report uses lib/stats' rank-based one):
 * replicate b multiplies each row's weight by a Poisson(1) count drawn from
 * xoshiro256** seeded with outputs 4b..4b+3 of SplitMix64(--seed), calls a
 * metric function on the reweighted rows, and the interval is the
 * percentile interval over the replicates where a metric is defined.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "stats/rng.h"
#include "validate/internal.h"

struct job {
	size_t n, R, nm;
	const double *w;
	uint64_t seed;
	const struct mrm__poisson *po;
	mrm__boot_fn fn;
	void *ctx;
	double *values;  /* [R * nm] */
	unsigned id, threads;
	int failed;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	double *rw = malloc((j->n ? j->n : 1) * sizeof(double));
	size_t b, i;

	if (!rw) {
		j->failed = 1;
		return NULL;
	}
	for (b = j->id; b < j->R; b += j->threads) {
		struct mrm__rng r;

		mrm__rng_seed(&r, j->seed, b);
		for (i = 0; i < j->n; i++)
			rw[i] = (j->w ? j->w[i] : 1.0) * mrm__poisson_draw(j->po, &r);
		if (j->fn(j->ctx, rw, j->values + b * j->nm))
			j->failed = 1;
	}
	free(rw);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int mrm__boot(size_t n, const double *w, size_t R, uint64_t seed, unsigned threads,
	      size_t nm, mrm__boot_fn fn, void *ctx, struct mrm_interval *ci,
	      struct mrm_error *err)
{
	struct job jobs[8];
	pthread_t tid[8];
	bool started[8] = { false };
	struct mrm__poisson po;
	double *values = NULL, *col = NULL;
	size_t m, b, k;
	unsigned t;
	int rc = 0;

	if (threads == 0)
		threads = 2;
	if (threads > 8)
		threads = 8;
	if (threads > R)
		threads = (unsigned)(R ? R : 1);
	values = malloc((R * nm + 1) * sizeof(double));
	col = malloc((R + 1) * sizeof(double));
	if (!values || !col) {
		rc = mrm_error_set(err, MRM_EINPUT, "out of memory for %zu replicates", R);
		goto out;
	}
	memset(&jobs[0], 0, sizeof(jobs[0]));
	mrm__poisson_init(&po);
	jobs[0].po = &po;
	jobs[0].n = n;
	jobs[0].R = R;
	jobs[0].nm = nm;
	jobs[0].w = w;
	jobs[0].seed = seed;
	jobs[0].fn = fn;
	jobs[0].ctx = ctx;
	jobs[0].values = values;
	jobs[0].threads = threads;
	for (t = 1; t < threads; t++) {
		jobs[t] = jobs[0];
		jobs[t].id = t;
		started[t] = pthread_create(&tid[t], NULL, worker, &jobs[t]) == 0;
	}
	worker(&jobs[0]);
	for (t = 1; t < threads; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			worker(&jobs[t]);
	}
	for (t = 0; t < threads; t++)
		if (jobs[t].failed)
			rc = mrm_error_set(err, MRM_EINPUT, "out of memory in the bootstrap");
	if (rc)
		goto out;
	for (k = 0; k < nm; k++) {
		m = 0;
		for (b = 0; b < R; b++)
			if (isfinite(values[b * nm + k]))
				col[m++] = values[b * nm + k];
		ci[k] = (struct mrm_interval){ NAN, NAN, m, NULL };
		if (m == 0 || 2 * m < R) {
			ci[k].reason = "undefined in most bootstrap replicates";
			continue;
		}
		qsort(col, m, sizeof(*col), cmp_double);
		ci[k].low = mrm_percentile(col, m, 2.5);
		ci[k].high = mrm_percentile(col, m, 97.5);
	}
out:
	free(values);
	free(col);
	return rc;
}
