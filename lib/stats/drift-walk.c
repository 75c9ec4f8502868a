/*
 * The walk over two sorted samples that KS, Wasserstein and Anderson-Darling share, and
 * mrm_drift_numeric_sorted: every numeric drift measure from one walk and one binning.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
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
 * and j0 are the counts below v. What is saved against the plain arithmetic
 * (MRM__WALK_PLAIN, the kernels' textbook expressions, kept for the tests):
 * - KS: the exact difference i/nx - j/ny is the integer num / (nx ny); distinct exact values
 *   are at least 1 / (nx ny) apart while the computed doubles are within 3.3e-16 of them, so
 *   with nx ny <= 2^49 the largest computed difference is at a step of largest num: the
 *   doubles are computed only at such steps (ties of num included). Bit for bit the plain
 *   result.
 * - Wasserstein: with nx ny <= 2^49 the integral is the long double sum of the doubles
 *   |num| (v - prev) (|num| exact, one rounding), divided by nx ny once at the end, instead
 *   of long double quotients at each step; within a few units in the 16th digit of the
 *   plain sum.
 * - Anderson-Darling: M0 + M1 = Bj, so d1 = -d0 exactly (every operand is a multiple of 1/4
 *   below 2^62 when N < 2^30): both sums receive the same term, computed once from its exact
 *   integer operands (each rounded once to double, the quotient in double, summed in long
 *   double) with the factor 1 / N taken out of the sum; within a few units in the 15th
 *   digit of the plain sums.
 */
/* Variants fixed for a whole walk, so each is compiled without the other's live values. */
#define KS_INT 8  /* nx ny <= 2^49: the KS maximum from integers */
#define AD_SYM 16 /* N < 2^30: one Anderson-Darling term per step, from integers */
#define W_INT 64  /* nx ny <= 2^49: Wasserstein from the integer CDF difference */

struct walk_state {
	size_t nx, ny;
	long double dN, one_dN;
	double maxS, minS, prev;
	long double s, akn0, akn1;
	long double qi, qj; /* i0 / nx and j0 / ny as the Wasserstein kernel divides them */
	int64_t num, nmax, nmin, wnum;
};

/* The parts of one step at value v: f0 and f1 values taken, i and j past them. */
static inline __attribute__((always_inline)) void step(struct walk_state *st, unsigned what,
						       double v, size_t i, size_t j, size_t f0,
						       size_t f1)
{
	size_t i0 = i - f0, j0 = j - f1, nx = st->nx, ny = st->ny;

	if (what & MRM__WALK_KS) {
		if (what & KS_INT) {
			st->num += (int64_t)f0 * (int64_t)ny - (int64_t)f1 * (int64_t)nx;
			if (st->num >= st->nmax) {
				double diff = (double)i / (double)nx - (double)j / (double)ny;

				if (st->num > st->nmax || diff > st->maxS)
					st->maxS = diff;
				st->nmax = st->num;
			}
			if (st->num <= st->nmin) {
				double diff = (double)i / (double)nx - (double)j / (double)ny;

				if (st->num < st->nmin || diff < st->minS)
					st->minS = diff;
				st->nmin = st->num;
			}
		} else {
			double diff = (double)i / (double)nx - (double)j / (double)ny;

			if (diff > st->maxS)
				st->maxS = diff;
			if (diff < st->minS)
				st->minS = diff;
		}
	}
	if ((what & MRM__WALK_W) && (what & W_INT)) {
		/* wnum (nx ny (F_x - F_y) before v) is 0 at the first step: the term is +0. */
		int64_t a = st->wnum < 0 ? -st->wnum : st->wnum;

		st->s += (long double)((double)a * (v - st->prev));
		st->prev = v;
		st->wnum += (int64_t)f0 * (int64_t)ny - (int64_t)f1 * (int64_t)nx;
	} else if (what & MRM__WALK_W) {
		/* At the first step qi = qj = 0 and prev = v: the term is +0, as if skipped. */
		st->s += fabsl(st->qi - st->qj) * (long double)(v - st->prev);
		st->prev = v;
		if (f0 && f1) {
			st->qi = (long double)i / nx;
			st->qj = (long double)j / ny;
		} else {
			/* One side moved: one division, selected without a branch on which. */
			bool side = f1 != 0;
			long double q = (long double)(side ? j : i) / (side ? ny : nx);

			st->qi = side ? st->qi : q;
			st->qj = side ? q : st->qj;
		}
	}
	if (what & MRM__WALK_AD) {
		if (what & AD_SYM) {
			/*
			 * 2 Bj = B2, 4 den = B2 (2N - B2) - N lj and 2 d0 = N (2i - f0) - B2 nx are
			 * integers below 2^62 here, so den and d0 are the kernel's exact values.
			 */
			int64_t N = (int64_t)(nx + ny), lj = (int64_t)(f0 + f1);
			int64_t B2 = 2 * (int64_t)(i0 + j0) + lj;
			double den = (double)(B2 * (2 * N - B2) - N * lj) * 0.25;
			double d0 = (double)(N * (2 * (int64_t)i - (int64_t)f0) -
					     B2 * (int64_t)nx) * 0.5;

			st->akn0 += (long double)((double)lj * (d0 * d0 / den));
		} else {
			long double dN = st->dN;
			long double lj = (long double)(f0 + f1);
			long double Bj = (long double)(i0 + j0) + lj / 2;
			long double den = Bj * (dN - Bj) - dN * lj / 4;
			long double c = f0 + f1 == 1 ? st->one_dN : lj / dN;
			long double M0 = (long double)i - (long double)f0 / 2;
			long double M1 = (long double)j - (long double)f1 / 2;
			long double d0 = dN * M0 - Bj * (long double)nx;
			long double d1 = dN * M1 - Bj * (long double)ny;

			st->akn0 += c * d0 * d0 / den;
			st->akn1 += c * d1 * d1 / den;
		}
	}
}

static inline __attribute__((always_inline)) void walk(const double *x, size_t nx,
						       const double *y, size_t ny, unsigned what,
						       struct mrm__walk *w)
{
	struct walk_state st = {
		.nx = nx, .ny = ny,
		.prev = x[0] < y[0] ? x[0] : y[0],
		.dN = (long double)(nx + ny),
		.maxS = -INFINITY, .minS = INFINITY,
		.nmax = INT64_MIN, .nmin = INT64_MAX,
	};
	size_t i = 0, j = 0, i0 = 0, j0 = 0;
	double cur;

	st.one_dN = 1.0L / st.dN;
	/*
	 * One pooled value at a time, in merged order (equal values are adjacent there); a step
	 * is taken when the value changes, for the run of equal values just passed: the loop's
	 * critical path is one load and one comparison, the steps hang off it.
	 */
	cur = st.prev;
	while (i < nx && j < ny) {
		double xv = x[i], yv = y[j];
		bool c = yv < xv;
		double v = c ? yv : xv;

		if (v != cur) {
			step(&st, what, cur, i, j, i - i0, j - j0);
			cur = v;
			i0 = i;
			j0 = j;
		}
		i += !c;
		j += c;
	}
	for (; i < nx; i++)
		if (x[i] != cur) {
			step(&st, what, cur, i, j, i - i0, j - j0);
			cur = x[i];
			i0 = i;
			j0 = j;
		}
	for (; j < ny; j++)
		if (y[j] != cur) {
			step(&st, what, cur, i, j, i - i0, j - j0);
			cur = y[j];
			i0 = i;
			j0 = j;
		}
	step(&st, what, cur, i, j, i - i0, j - j0);
	w->ks_max = st.maxS;
	w->ks_min = st.minS;
	w->w_sum = what & W_INT ? st.s / ((long double)nx * (long double)ny) : st.s;
	/* With AD_SYM the sum is of lj d0^2 / den: the factor 1 / N is taken out. */
	w->ad_akn[0] = what & AD_SYM ? st.akn0 * st.one_dN : st.akn0;
	/* With AD_SYM both sums are one: the terms of the current sample are the same. */
	w->ad_akn[1] = w->ad_akn[0];
	if (!(what & AD_SYM))
		w->ad_akn[1] = st.akn1;
}

void mrm__drift_walk(const double *x, size_t nx, const double *y, size_t ny, unsigned what,
		     struct mrm__walk *w)
{
	unsigned v = what & (MRM__WALK_KS | MRM__WALK_W | MRM__WALK_AD);
	bool ints = (double)nx * (double)ny <= 0x1p49 && !(what & MRM__WALK_PLAIN);

	if ((v & MRM__WALK_KS) && ints)
		v |= KS_INT;
	if ((v & MRM__WALK_W) && ints)
		v |= W_INT;
	if ((v & MRM__WALK_AD) && nx + ny < ((size_t)1 << 30) && !(what & MRM__WALK_PLAIN))
		v |= AD_SYM;
	switch (v) {
#define CASE(m)                          \
	case m:                          \
		walk(x, nx, y, ny, m, w); \
		break
		CASE(MRM__WALK_KS);
		CASE(MRM__WALK_KS | KS_INT);
		CASE(MRM__WALK_W);
		CASE(MRM__WALK_W | W_INT);
		CASE(MRM__WALK_AD);
		CASE(MRM__WALK_AD | AD_SYM);
		CASE(MRM__WALK_KS | MRM__WALK_W);
		CASE(MRM__WALK_KS | MRM__WALK_W | KS_INT | W_INT);
		CASE(MRM__WALK_KS | MRM__WALK_W | MRM__WALK_AD);
		CASE(MRM__WALK_KS | MRM__WALK_W | MRM__WALK_AD | AD_SYM);
		CASE(MRM__WALK_KS | MRM__WALK_W | MRM__WALK_AD | KS_INT | W_INT);
		CASE(MRM__WALK_KS | MRM__WALK_W | MRM__WALK_AD | KS_INT | W_INT | AD_SYM);
#undef CASE
	default:
		/* Other combinations: the plain walk of everything, the results asked for the same. */
		walk(x, nx, y, ny, MRM__WALK_KS | MRM__WALK_W | MRM__WALK_AD, w);
		break;
	}
}

int mrm_drift_numeric_sorted(const double *ref, size_t nr, const double *cur, size_t nc,
			     size_t bins, struct mrm_drift_numeric *out, struct mrm_error *err)
{
	return mrm__drift_numeric_sorted(ref, nr, cur, nc, bins, true, out, err);
}

int mrm__drift_numeric_sorted(const double *ref, size_t nr, const double *cur, size_t nc,
			      size_t bins, bool check, struct mrm_drift_numeric *out,
			      struct mrm_error *err)
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
	if (check && ((rc = mrm__check_sorted(ref, nr, "reference", err)) ||
		      (rc = mrm__check_sorted(cur, nc, "current", err))))
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
