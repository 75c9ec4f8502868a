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
 * and j0 are the counts below v. Each part repeats its kernel's expression, operand for
 * operand, so the results are those of the kernels' own walks bit for bit; what is saved is
 * only work whose result is known:
 * - KS: the exact difference i/nx - j/ny is the integer num / (nx ny); distinct exact values
 *   are at least 1 / (nx ny) apart while the computed doubles are within 3.3e-16 of them, so
 *   with nx ny <= 2^49 the largest computed difference is at a step of largest num: the
 *   doubles are computed only at such steps (ties of num included).
 * - Wasserstein: i/nx and j/ny (long double) are divided out only when i or j moves.
 * - Anderson-Darling: M0 + M1 = Bj, so d1 = -d0 exactly (every operand is a multiple of 1/4
 *   below 2^62 when N < 2^30, so the kernel's long double arithmetic is exact there): both
 *   sums receive the same term, computed once, its exact operands in integers; lj / dN is
 *   divided out once for lj = 1.
 */
/* Variants fixed for a whole walk, so each is compiled without the other's live values. */
#define KS_INT 8  /* nx ny <= 2^49: the KS maximum from integers */
#define AD_SYM 16 /* N < 2^30: one Anderson-Darling term per step, from integers */
#define W_TAB 64  /* Wasserstein's i / nx and j / ny read from tables (struct mrm__quotients) */

struct walk_state {
	size_t nx, ny;
	long double dN, one_dN;
	double maxS, minS, prev;
	long double s, akn0, akn1;
	long double qi, qj; /* i0 / nx and j0 / ny as the Wasserstein kernel divides them */
	const long double *tx, *ty; /* with W_TAB: k / nx and k / ny, divided once for all */
	int64_t num, nmax, nmin;
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
	if (what & MRM__WALK_W) {
		/* At the first step qi = qj = 0 and prev = v: the term is +0, as if skipped. */
		st->s += fabsl(st->qi - st->qj) * (long double)(v - st->prev);
		st->prev = v;
		if (what & W_TAB) {
			st->qi = st->tx[i];
			st->qj = st->ty[j];
		} else if (f0 && f1) {
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
			long double den = (long double)(B2 * (2 * N - B2) - N * lj) * 0.25L;
			long double d0 = (long double)(N * (2 * (int64_t)i - (int64_t)f0) -
						       B2 * (int64_t)nx) * 0.5L;
			long double c = lj == 1 ? st->one_dN : (long double)lj / st->dN;

			st->akn0 += c * d0 * d0 / den;
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
						       const double *y, size_t ny,
						       const struct mrm__quotients *q,
						       unsigned what, struct mrm__walk *w)
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
	if (what & W_TAB) {
		st.tx = q->tx;
		st.ty = q->ty;
	}
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
	w->w_sum = st.s;
	w->ad_akn[0] = st.akn0;
	/* With AD_SYM both sums are one: the terms of the current sample are the same. */
	w->ad_akn[1] = what & AD_SYM ? st.akn0 : st.akn1;
}

void mrm__drift_walk(const double *x, size_t nx, const double *y, size_t ny, unsigned what,
		     struct mrm__walk *w)
{
	mrm__drift_walk_q(x, nx, y, ny, NULL, what, w);
}

void mrm__drift_walk_q(const double *x, size_t nx, const double *y, size_t ny,
		       const struct mrm__quotients *q, unsigned what, struct mrm__walk *w)
{
	unsigned v = what & (MRM__WALK_KS | MRM__WALK_W | MRM__WALK_AD);

	if ((v & MRM__WALK_KS) && (double)nx * (double)ny <= 0x1p49 && !(what & MRM__WALK_PLAIN))
		v |= KS_INT;
	if ((v & MRM__WALK_AD) && nx + ny < ((size_t)1 << 30) && !(what & MRM__WALK_PLAIN))
		v |= AD_SYM;
	if ((v & MRM__WALK_W) && q && q->tx && q->nx == nx && q->ny == ny)
		v |= W_TAB;
	switch (v) {
#define CASE(m)                                \
	case m:                                \
		walk(x, nx, y, ny, q, m, w);   \
		break
		CASE(MRM__WALK_KS);
		CASE(MRM__WALK_KS | KS_INT);
		CASE(MRM__WALK_W);
		CASE(MRM__WALK_W | W_TAB);
		CASE(MRM__WALK_AD);
		CASE(MRM__WALK_AD | AD_SYM);
		CASE(MRM__WALK_KS | MRM__WALK_W);
		CASE(MRM__WALK_KS | MRM__WALK_W | KS_INT);
		CASE(MRM__WALK_KS | MRM__WALK_W | KS_INT | W_TAB);
		CASE(MRM__WALK_KS | MRM__WALK_W | MRM__WALK_AD);
		CASE(MRM__WALK_KS | MRM__WALK_W | MRM__WALK_AD | KS_INT);
		CASE(MRM__WALK_KS | MRM__WALK_W | MRM__WALK_AD | AD_SYM);
		CASE(MRM__WALK_KS | MRM__WALK_W | MRM__WALK_AD | KS_INT | AD_SYM);
		CASE(MRM__WALK_KS | MRM__WALK_W | MRM__WALK_AD | KS_INT | AD_SYM | W_TAB);
#undef CASE
	default:
		/* Other combinations: the plain walk of everything, the results asked for the same. */
		walk(x, nx, y, ny, NULL, MRM__WALK_KS | MRM__WALK_W | MRM__WALK_AD, w);
		break;
	}
}

/* Tables above this many entries (16 bytes each) are not worth their memory. */
#define QUOTIENTS_MAX ((size_t)1 << 23)

static long double *quotients(size_t n)
{
	long double *t = n < QUOTIENTS_MAX ? malloc((n + 1) * sizeof(*t)) : NULL;

	for (size_t k = 0; t && k <= n; k++)
		t[k] = (long double)k / n;
	return t;
}

void mrm__quotients_init(struct mrm__quotients *q, size_t nx, size_t ny)
{
	q->nx = nx;
	q->ny = ny;
	q->tx = quotients(nx);
	q->ty = !q->tx ? NULL : ny == nx ? q->tx : quotients(ny);
	if (!q->ty) {
		free(q->tx);
		q->tx = NULL;
	}
}

void mrm__quotients_free(struct mrm__quotients *q)
{
	if (q->ty != q->tx)
		free(q->ty);
	free(q->tx);
	q->tx = q->ty = NULL;
}

int mrm_drift_numeric_sorted(const double *ref, size_t nr, const double *cur, size_t nc,
			     size_t bins, struct mrm_drift_numeric *out, struct mrm_error *err)
{
	return mrm__drift_numeric_sorted(ref, nr, cur, nc, bins, true, NULL, out, err);
}

int mrm__drift_numeric_sorted(const double *ref, size_t nr, const double *cur, size_t nc,
			      size_t bins, bool check, const struct mrm__quotients *q,
			      struct mrm_drift_numeric *out, struct mrm_error *err)
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
		mrm__drift_walk_q(ref, nr, cur, nc, q, MRM__WALK_KS | MRM__WALK_W, &w);
	} else {
		mrm__drift_walk_q(ref, nr, cur, nc, q, MRM__WALK_KS | MRM__WALK_W | MRM__WALK_AD,
				  &w);
		mrm__ad_finish(w.ad_akn, nr, nc, &out->anderson);
	}
	mrm__wasserstein_finish(w.w_sum, ref, nr, &out->wasserstein, &out->wasserstein_norm);
	return mrm__ks_finish(w.ks_max, w.ks_min, nr, nc, &out->ks, err);
}
