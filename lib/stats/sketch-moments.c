/* Exact mergeable moments: count, missing, min, max, mean and M2 (Welford, Chan et al.). */
#include <math.h>
#include <stdlib.h>

#include "mrm/sketch.h"
#include "stats/sketch-io.h"

#define MOMENTS_MAGIC "MRMm"
#define MOMENTS_VERSION 1

void mrm_moments_init(struct mrm_moments *m)
{
	m->count = 0;
	m->missing = 0;
	m->min = INFINITY;
	m->max = -INFINITY;
	m->mean = 0;
	m->mean_lo = 0;
	m->m2 = 0;
}

/*
 * Adds `inc` to the double-double mean (mean, mean_lo) with Knuth's
 * TwoSum, then renormalises so that `mean` is the double nearest to it.
 */
static void mean_add(struct mrm_moments *m, double inc)
{
	double t = m->mean + inc, bp = t - m->mean;
	double e = (m->mean - (t - bp)) + (inc - bp);
	double lo = m->mean_lo + e, hi = t + lo;

	m->mean_lo = lo - (hi - t);
	m->mean = hi;
}

int mrm_moments_add(struct mrm_moments *m, double x, struct mrm_error *err)
{
	double d;

	if (isnan(x)) {
		m->missing++;
		return 0;
	}
	if (isinf(x))
		return mrm_error_set(err, MRM_EINPUT, "value is infinite");
	m->count++;
	/* Welford with a compensated mean: x - mean is exact near the mean. */
	d = (x - m->mean) - m->mean_lo;
	mean_add(m, d / (double)m->count);
	m->m2 += d * ((x - m->mean) - m->mean_lo);
	if (x < m->min)
		m->min = x;
	if (x > m->max)
		m->max = x;
	return 0;
}

void mrm_moments_add_missing(struct mrm_moments *m)
{
	m->missing++;
}

void mrm_moments_merge(struct mrm_moments *a, const struct mrm_moments *b)
{
	double na = (double)a->count, nb = (double)b->count, n, d;

	a->missing += b->missing;
	if (b->count == 0)
		return;
	if (a->count == 0) {
		a->count = b->count;
		a->min = b->min;
		a->max = b->max;
		a->mean = b->mean;
		a->mean_lo = b->mean_lo;
		a->m2 = b->m2;
		return;
	}
	/* Chan, Golub and LeVeque (1979): combine means and M2 pairwise. */
	n = na + nb;
	d = (b->mean - a->mean) + (b->mean_lo - a->mean_lo);
	mean_add(a, d * (nb / n));
	a->m2 += b->m2 + d * d * (na * nb / n);
	a->count += b->count;
	if (b->min < a->min)
		a->min = b->min;
	if (b->max > a->max)
		a->max = b->max;
}

double mrm_moments_variance(const struct mrm_moments *m, unsigned ddof)
{
	if (m->count <= ddof)
		return NAN;
	return m->m2 / (double)(m->count - ddof);
}

int mrm_moments_serialize(const struct mrm_moments *m, uint8_t **buf,
			  size_t *len, struct mrm_error *err)
{
	struct mrm__wbuf w = { malloc(MRM_MOMENTS_BYTES), 0 };

	if (!w.p)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	mrm__put_bytes(&w, MOMENTS_MAGIC, 4);
	mrm__put_u32(&w, MOMENTS_VERSION);
	mrm__put_u64(&w, m->count);
	mrm__put_u64(&w, m->missing);
	mrm__put_f64(&w, m->min);
	mrm__put_f64(&w, m->max);
	mrm__put_f64(&w, m->mean);
	mrm__put_f64(&w, m->mean_lo);
	mrm__put_f64(&w, m->m2);
	*buf = w.p;
	*len = w.at;
	return 0;
}

int mrm_moments_deserialize(struct mrm_moments *m, const void *buf, size_t len,
			    struct mrm_error *err)
{
	struct mrm__rbuf r = { buf, len, 0, 0 };
	struct mrm_moments t = { 0 };
	int rc = mrm__get_header(&r, MOMENTS_MAGIC, MOMENTS_VERSION);

	if (rc == -1)
		return mrm_error_set(err, MRM_EINPUT, "not a moments summary (bad magic)");
	if (rc == -2)
		return mrm_error_set(err, MRM_EINPUT, "moments summary: unsupported version");
	mrm__get_u64(&r, &t.count);
	mrm__get_u64(&r, &t.missing);
	mrm__get_f64(&r, &t.min);
	mrm__get_f64(&r, &t.max);
	mrm__get_f64(&r, &t.mean);
	mrm__get_f64(&r, &t.mean_lo);
	mrm__get_f64(&r, &t.m2);
	if (r.bad || r.at != len)
		return mrm_error_set(err, MRM_EINPUT,
				     "moments summary: expected %d bytes, got %zu",
				     MRM_MOMENTS_BYTES, len);
	if (t.count == 0) {
		if (t.min != INFINITY || t.max != -INFINITY || t.mean != 0 ||
		    t.mean_lo != 0 || t.m2 != 0)
			return mrm_error_set(err, MRM_EINPUT,
					     "moments summary: values without a count");
	} else if (!isfinite(t.min) || !isfinite(t.max) || !isfinite(t.mean) ||
		   !isfinite(t.m2) || t.min > t.max || t.m2 < 0 ||
		   !(fabs(t.mean_lo) <= fabs(t.mean) * 0x1p-52) ||
		   t.mean < t.min - 1e-9 * (fabs(t.min) + 1) ||
		   t.mean > t.max + 1e-9 * (fabs(t.max) + 1)) {
		/* The mean of finite values lies in [min, max] up to rounding. */
		return mrm_error_set(err, MRM_EINPUT,
				     "moments summary: inconsistent values");
	}
	*m = t;
	return 0;
}
