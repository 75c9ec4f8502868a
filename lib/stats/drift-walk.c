/*
 * The walk over two sorted samples that KS, Wasserstein and Anderson-Darling share, and
 * mrm_drift_numeric_sorted: every numeric drift measure from one walk and one binning.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "mrm/stats-drift.h"
#include "stats/drift-walk.h"
#include "stats/internal.h"

int mrm__check_sorted(const double *x, size_t n, const char *side, struct mrm_error *err)
{
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i]))
			return mrm_error_set(err, MRM_EINPUT, "%s row %zu: value is %s", side, i,
					     isnan(x[i]) ? "NaN" : "infinite");
		if (i && x[i] < x[i - 1])
			return mrm_error_set(err, MRM_EINPUT,
					     "%s row %zu: value below the one before (not sorted)",
					     side, i);
	}
	return 0;
}

/*
 * One step per distinct pooled value v: i and j advance past every x and y equal to v; i0
 * and j0 are the counts below v. Each part repeats its kernel's expression, operand for
 * operand, so the results are those of the separate walks bit for bit.
 */
static inline __attribute__((always_inline)) void walk(const double *x, size_t nx,
						       const double *y, size_t ny,
						       unsigned what, struct mrm__walk *w)
{
	double maxS = -INFINITY, minS = INFINITY, prev = 0;
	long double s = 0, akn0 = 0, akn1 = 0, dN = (long double)(nx + ny);
	size_t i = 0, j = 0;
	bool first = true;

	while (i < nx || j < ny) {
		double v = j >= ny || (i < nx && x[i] <= y[j]) ? x[i] : y[j];
		size_t i0 = i, j0 = j;

		while (i < nx && x[i] <= v)
			i++;
		while (j < ny && y[j] <= v)
			j++;
		if (what & MRM__WALK_KS) {
			double diff = (double)i / (double)nx - (double)j / (double)ny;

			if (diff > maxS)
				maxS = diff;
			if (diff < minS)
				minS = diff;
		}
		if (what & MRM__WALK_W) {
			if (!first)
				s += fabsl((long double)i0 / nx - (long double)j0 / ny) *
				     (long double)(v - prev);
			first = false;
			prev = v;
		}
		if (what & MRM__WALK_AD) {
			size_t f0 = i - i0, f1 = j - j0;
			long double lj = (long double)(f0 + f1);
			long double Bj = (long double)(i0 + j0) + lj / 2;
			long double den = Bj * (dN - Bj) - dN * lj / 4;
			long double M0 = (long double)i - (long double)f0 / 2;
			long double M1 = (long double)j - (long double)f1 / 2;
			long double d0 = dN * M0 - Bj * (long double)nx;
			long double d1 = dN * M1 - Bj * (long double)ny;

			akn0 += lj / dN * d0 * d0 / den;
			akn1 += lj / dN * d1 * d1 / den;
		}
	}
	w->ks_max = maxS;
	w->ks_min = minS;
	w->w_sum = s;
	w->ad_akn[0] = akn0;
	w->ad_akn[1] = akn1;
}

void mrm__drift_walk(const double *x, size_t nx, const double *y, size_t ny, unsigned what,
		     struct mrm__walk *w)
{
	switch (what) {
	case MRM__WALK_KS:
		walk(x, nx, y, ny, MRM__WALK_KS, w);
		break;
	case MRM__WALK_W:
		walk(x, nx, y, ny, MRM__WALK_W, w);
		break;
	case MRM__WALK_AD:
		walk(x, nx, y, ny, MRM__WALK_AD, w);
		break;
	case MRM__WALK_KS | MRM__WALK_W:
		walk(x, nx, y, ny, MRM__WALK_KS | MRM__WALK_W, w);
		break;
	default:
		walk(x, nx, y, ny, MRM__WALK_KS | MRM__WALK_W | MRM__WALK_AD, w);
		break;
	}
}

int mrm_drift_numeric_sorted(const double *ref, size_t nr, const double *cur, size_t nc,
			     size_t bins, struct mrm_drift_numeric *out, struct mrm_error *err)
{
	struct mrm__walk w;
	double *buf;
	size_t nb;
	int rc;

	out->ks = (struct mrm_drift_test){ mrm__undef(mrm_reason_empty_sample),
					   mrm__undef(mrm_reason_empty_sample), 0, NULL };
	out->anderson = out->ks;
	out->psi = out->wasserstein = out->wasserstein_norm = out->jensen_shannon =
		mrm__undef(mrm_reason_empty_sample);
	if ((rc = mrm__check_sorted(ref, nr, "reference", err)) ||
	    (rc = mrm__check_sorted(cur, nc, "current", err)))
		return rc;
	if (nr == 0 || nc == 0)
		return 0;
	if (bins == 0)
		bins = MRM_DRIFT_BINS;
	buf = malloc(2 * bins * sizeof(*buf));
	if (!buf)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	rc = mrm__two_histograms_sorted(ref, nr, cur, nc, bins, buf, buf + bins, &nb, err);
	if (!rc)
		rc = mrm_psi_counts(buf, buf + bins, nb, &out->psi, err);
	if (!rc)
		rc = mrm_jensen_shannon_counts(buf, buf + bins, nb, &out->jensen_shannon, err);
	free(buf);
	if (rc)
		return rc;
	if (mrm__ad_defined(ref, nr, cur, nc, &out->anderson)) {
		mrm__drift_walk(ref, nr, cur, nc, MRM__WALK_KS | MRM__WALK_W, &w);
	} else {
		mrm__drift_walk(ref, nr, cur, nc, MRM__WALK_KS | MRM__WALK_W | MRM__WALK_AD, &w);
		mrm__ad_finish(w.ad_akn, nr, nc, &out->anderson);
	}
	mrm__wasserstein_finish(w.w_sum, ref, nr, &out->wasserstein, &out->wasserstein_norm);
	return mrm__ks_finish(w.ks_max, w.ks_min, nr, nc, &out->ks, err);
}
