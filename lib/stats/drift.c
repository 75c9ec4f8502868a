/* Drift measures: PSI, Wasserstein-1, Jensen-Shannon, chi-square, z-test, Anderson-Darling. */
#include <float.h>
#include <pthread.h>
#include <math.h>
#include <stdlib.h>

#include "mrm/stats-drift.h"
#include "stats/drift-walk.h"
#include "stats/internal.h"

const char mrm_reason_constant_reference[] = "the reference sample is constant";
const char mrm_reason_no_counts[] = "a side has no counts";
const char mrm_reason_zero_variance[] =
	"the pooled proportion is 0 or 1 (no variance)";

static int check_counts(const double *c, size_t k, const char *side, double *total,
			struct mrm_error *err)
{
	double s = 0;

	for (size_t i = 0; i < k; i++) {
		if (!isfinite(c[i]) || c[i] < 0)
			return mrm_error_set(err, MRM_EINPUT,
					     "%s count %zu: %s", side, i,
					     isnan(c[i]) ? "is NaN" : !isfinite(c[i]) ?
					     "is infinite" : "is negative");
		s += c[i];
	}
	*total = s;
	return 0;
}

/* ---- bins from reference quantiles ---- */

static size_t edges_sorted(const double *x, size_t n, size_t bins, double *edges)
{
	size_t k = 0;

	for (size_t i = 1; i < bins; i++) {
		double e = mrm__percentile_sorted(x, n, 100.0 * (double)i / (double)bins);

		if (k == 0 || e != edges[k - 1])
			edges[k++] = e;
	}
	return k;
}

int mrm_drift_edges(const double *ref, size_t nr, size_t bins, double *edges,
		    size_t *k, struct mrm_error *err)
{
	double *x;
	int rc;

	*k = 0;
	if (bins == 0)
		return mrm_error_set(err, MRM_EINPUT, "drift bins must be at least 1");
	rc = mrm__drift_sorted(ref, nr, "reference", &x, err);
	if (rc)
		return rc;
	if (nr == 0)
		return mrm_error_set(err, MRM_EINPUT, "reference: %s", mrm_reason_empty_sample);
	*k = edges_sorted(x, nr, bins, edges);
	free(x);
	return 0;
}

/* Number of edges <= v (searchsorted side='right'). */
static size_t bin_of(const double *edges, size_t k, double v)
{
	size_t lo = 0, hi = k;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (edges[mid] <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int mrm_drift_histogram(const double *x, size_t n, const double *edges,
			size_t k, double *counts, struct mrm_error *err)
{
	for (size_t i = 0; i <= k; i++)
		counts[i] = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i]))
			return mrm_error_set(err, MRM_EINPUT, "row %zu: value is %s", i,
					     isnan(x[i]) ? "NaN" : "infinite");
		counts[bin_of(edges, k, x[i])]++;
	}
	return 0;
}

/* Reference-quantile histograms of both samples into rc/cc (bins entries each). */
static int two_histograms(const double *ref, size_t nr, const double *cur, size_t nc,
			  size_t bins, double *rc, double *cc, size_t *nb,
			  struct mrm_error *err)
{
	double *x, *edges;
	size_t k;
	int rc_;

	rc_ = mrm__drift_sorted(ref, nr, "reference", &x, err);
	if (rc_)
		return rc_;
	for (size_t i = 0; i < nc; i++)
		if (!isfinite(cur[i])) {
			free(x);
			return mrm_error_set(err, MRM_EINPUT, "current row %zu: value is %s", i,
					     isnan(cur[i]) ? "NaN" : "infinite");
		}
	*nb = 0;
	if (nr == 0 || nc == 0) {
		free(x);
		return 0;
	}
	edges = malloc(bins * sizeof(*edges));
	if (!edges) {
		free(x);
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	}
	k = edges_sorted(x, nr, bins, edges);
	for (size_t i = 0; i <= k; i++)
		rc[i] = cc[i] = 0;
	for (size_t i = 0; i < nr; i++)
		rc[bin_of(edges, k, x[i])]++;
	for (size_t i = 0; i < nc; i++)
		cc[bin_of(edges, k, cur[i])]++;
	*nb = k + 1;
	free(edges);
	free(x);
	return 0;
}

/* Number of values of the ascending x below e (searchsorted side='left'). */
static size_t below(const double *x, size_t n, double e)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x[mid] < e)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Counts of the ascending x in the k + 1 bins of the k inner edges: bin i is [edge[i-1], edge[i]). */
static void counts_sorted(const double *x, size_t n, const double *edges, size_t k, double *counts)
{
	size_t at = 0;

	for (size_t i = 0; i < k; i++) {
		size_t b = below(x, n, edges[i]);

		counts[i] = (double)(b - at);
		at = b;
	}
	counts[k] = (double)(n - at);
}

int mrm__two_histograms_sorted(const double *ref, size_t nr, const double *cur, size_t nc,
			       size_t bins, double *rc, double *cc, size_t *nb,
			       struct mrm_error *err)
{
	double *edges;
	size_t k;

	*nb = 0;
	if (nr == 0 || nc == 0)
		return 0;
	edges = malloc(bins * sizeof(*edges));
	if (!edges)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	k = edges_sorted(ref, nr, bins, edges);
	counts_sorted(ref, nr, edges, k, rc);
	counts_sorted(cur, nc, edges, k, cc);
	*nb = k + 1;
	free(edges);
	return 0;
}

/* ---- PSI ---- */

int mrm_psi_counts(const double *ref, const double *cur, size_t k,
		   struct mrm_metric *out, struct mrm_error *err)
{
	double R, C, s = 0;
	int rc;

	*out = mrm__undef(mrm_reason_no_counts);
	rc = check_counts(ref, k, "reference", &R, err);
	if (!rc)
		rc = check_counts(cur, k, "current", &C, err);
	if (rc || R == 0 || C == 0)
		return rc;
	for (size_t i = 0; i < k; i++) {
		double r = fmax(ref[i] / R, MRM_PSI_EPS), c = fmax(cur[i] / C, MRM_PSI_EPS);

		s += (c - r) * log(c / r);
	}
	*out = mrm__val(s);
	return 0;
}

int mrm_psi(const double *ref, size_t nr, const double *cur, size_t nc,
	    size_t bins, struct mrm_metric *out, struct mrm_error *err)
{
	double *buf;
	size_t nb;
	int rc;

	*out = mrm__undef(mrm_reason_empty_sample);
	if (bins == 0)
		bins = MRM_DRIFT_BINS;
	buf = malloc(2 * bins * sizeof(*buf));
	if (!buf)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	rc = two_histograms(ref, nr, cur, nc, bins, buf, buf + bins, &nb, err);
	if (!rc && nb > 0)
		rc = mrm_psi_counts(buf, buf + bins, nb, out, err);
	free(buf);
	return rc;
}

typedef int (*binned_measure)(const double *ref, const double *cur, size_t k,
			      struct mrm_metric *out, struct mrm_error *err);

/* A measure over the reference-quantile bins of two sorted samples (PSI, Jensen-Shannon). */
static int binned_sorted(const double *ref, size_t nr, const double *cur, size_t nc,
			 size_t bins, binned_measure measure, struct mrm_metric *out,
			 struct mrm_error *err)
{
	double *buf;
	size_t nb;
	int rc;

	*out = mrm__undef(mrm_reason_empty_sample);
	if ((rc = mrm__check_sorted(ref, nr, "reference", err)) ||
	    (rc = mrm__check_sorted(cur, nc, "current", err)))
		return rc;
	if (bins == 0)
		bins = MRM_DRIFT_BINS;
	buf = malloc(2 * bins * sizeof(*buf));
	if (!buf)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	rc = mrm__two_histograms_sorted(ref, nr, cur, nc, bins, buf, buf + bins, &nb, err);
	if (!rc && nb > 0)
		rc = measure(buf, buf + bins, nb, out, err);
	free(buf);
	return rc;
}

int mrm_psi_sorted(const double *ref, size_t nr, const double *cur, size_t nc,
		   size_t bins, struct mrm_metric *out, struct mrm_error *err)
{
	return binned_sorted(ref, nr, cur, nc, bins, mrm_psi_counts, out, err);
}

/* ---- Jensen-Shannon ---- */

static double rel_entr(double x, double y)
{
	if (x > 0 && y > 0)
		return x * log(x / y);
	if (x == 0 && y >= 0)
		return 0;
	return INFINITY;
}

int mrm_jensen_shannon_counts(const double *ref, const double *cur, size_t k,
			      struct mrm_metric *out, struct mrm_error *err)
{
	double R, C, left = 0, right = 0, js;
	int rc;

	*out = mrm__undef(mrm_reason_no_counts);
	rc = check_counts(ref, k, "reference", &R, err);
	if (!rc)
		rc = check_counts(cur, k, "current", &C, err);
	if (rc || R == 0 || C == 0)
		return rc;
	for (size_t i = 0; i < k; i++) {
		double p = ref[i] / R, q = cur[i] / C, m = (p + q) / 2.0;

		left += rel_entr(p, m);
		right += rel_entr(q, m);
	}
	js = (left + right) / log(2.0);
	*out = mrm__val(sqrt(fmax(js, 0) / 2.0));
	return 0;
}

int mrm_jensen_shannon(const double *ref, size_t nr, const double *cur,
		       size_t nc, size_t bins, struct mrm_metric *out,
		       struct mrm_error *err)
{
	double *buf;
	size_t nb;
	int rc;

	*out = mrm__undef(mrm_reason_empty_sample);
	if (bins == 0)
		bins = MRM_DRIFT_BINS;
	buf = malloc(2 * bins * sizeof(*buf));
	if (!buf)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	rc = two_histograms(ref, nr, cur, nc, bins, buf, buf + bins, &nb, err);
	if (!rc && nb > 0)
		rc = mrm_jensen_shannon_counts(buf, buf + bins, nb, out, err);
	free(buf);
	return rc;
}

int mrm_jensen_shannon_sorted(const double *ref, size_t nr, const double *cur,
			      size_t nc, size_t bins, struct mrm_metric *out,
			      struct mrm_error *err)
{
	return binned_sorted(ref, nr, cur, nc, bins, mrm_jensen_shannon_counts, out, err);
}

/* ---- Wasserstein-1 ---- */

/*
 * numpy's pairwise sum of (x[i] - c)^2 (sq) or x[i] - c: blocks of up to 128 in 8 running
 * sums, halves above (numpy/core/src/umath/loops_utils.h.src), so error grows with log n.
 */
static double pairwise(const double *x, size_t n, double c, bool sq)
{
#define T(i) (sq ? (x[i] - c) * (x[i] - c) : x[i] - c)
	if (n < 8) {
		double r = 0;

		for (size_t i = 0; i < n; i++)
			r += T(i);
		return r;
	}
	if (n <= 128) {
		double r[8], res;
		size_t i;

		for (int k = 0; k < 8; k++)
			r[k] = T(k);
		for (i = 8; i < n - n % 8; i += 8)
			for (int k = 0; k < 8; k++)
				r[k] += T(i + k);
		res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
		for (; i < n; i++)
			res += T(i);
		return res;
	}
	size_t n2 = n / 2;

	n2 -= n2 % 8;
	return pairwise(x, n2, c, sq) + pairwise(x + n2, n - n2, c, sq);
#undef T
}

void mrm__wasserstein_finish(long double s, const double *x, size_t nr, struct mrm_metric *raw,
			     struct mrm_metric *norm)
{
	double mean, sd;

	*raw = mrm__val((double)s);
	if (!norm)
		return;
	/* numpy.std(x) (ddof 0): the mean and the sum of squared deviations, each pairwise. */
	mean = pairwise(x, nr, 0, false) / (double)nr;
	sd = sqrt(pairwise(x, nr, mean, true) / (double)nr);
	*norm = sd > 0 ? mrm__val((double)s / sd) : mrm__undef(mrm_reason_constant_reference);
}

int mrm_wasserstein_sorted(const double *ref, size_t nr, const double *cur, size_t nc,
			   struct mrm_metric *raw, struct mrm_metric *norm,
			   struct mrm_error *err)
{
	struct mrm__walk w;
	int rc;

	*raw = mrm__undef(mrm_reason_empty_sample);
	if (norm)
		*norm = mrm__undef(mrm_reason_empty_sample);
	if ((rc = mrm__check_sorted(ref, nr, "reference", err)) ||
	    (rc = mrm__check_sorted(cur, nc, "current", err)))
		return rc;
	if (nr == 0 || nc == 0)
		return 0;
	mrm__drift_walk(ref, nr, cur, nc, MRM__WALK_W, &w);
	mrm__wasserstein_finish(w.w_sum, ref, nr, raw, norm);
	return 0;
}

int mrm_wasserstein(const double *ref, size_t nr, const double *cur, size_t nc,
		    struct mrm_metric *raw, struct mrm_metric *norm,
		    struct mrm_error *err)
{
	double *x = NULL, *y = NULL;
	int rc;

	*raw = mrm__undef(mrm_reason_empty_sample);
	if (norm)
		*norm = mrm__undef(mrm_reason_empty_sample);
	rc = mrm__drift_sorted(ref, nr, "reference", &x, err);
	if (!rc)
		rc = mrm__drift_sorted(cur, nc, "current", &y, err);
	if (!rc)
		rc = mrm_wasserstein_sorted(x, nr, y, nc, raw, norm, err);
	free(x);
	free(y);
	return rc;
}

/* ---- chi-square ---- */

/* log(x^a e^-x / Gamma(a)). */
static long double igam_logfac(long double a, long double x)
{
	return a * logl(x) - x - lgammal(a);
}

double mrm_gammaincc(double a, double x)
{
	const long double eps = LDBL_EPSILON, tiny = 1e-4000L;
	long double la = a, lx = x;

	if (!(a > 0) || !(x >= 0) || isinf(a))
		return NAN;
	if (x == 0)
		return 1.0;
	if (isinf(x))
		return 0.0;
	if (lx < la + 1) {
		long double ap = la, del = 1 / la, sum = del;

		for (int n = 0; n < 100000; n++) {
			ap += 1;
			del *= lx / ap;
			sum += del;
			if (fabsl(del) < fabsl(sum) * eps)
				break;
		}
		return (double)(1 - sum * expl(igam_logfac(la, lx)));
	} else {
		long double b = lx + 1 - la, c = 1 / tiny, d = 1 / b, h = d;

		for (int i = 1; i < 100000; i++) {
			long double an = -i * (i - la), del;

			b += 2;
			d = an * d + b;
			if (fabsl(d) < tiny)
				d = tiny;
			c = b + an / c;
			if (fabsl(c) < tiny)
				c = tiny;
			d = 1 / d;
			del = d * c;
			h *= del;
			if (fabsl(del - 1) < eps)
				break;
		}
		return (double)(expl(igam_logfac(la, lx)) * h);
	}
}

int mrm_chi2_homogeneity(const double *ref, const double *cur, size_t k,
			 struct mrm_drift_test *out, struct mrm_error *err)
{
	double R, C, N, stat = 0;
	size_t used = 0;
	int rc;

	*out = (struct mrm_drift_test){ mrm__undef(mrm_reason_no_counts),
					mrm__undef(mrm_reason_no_counts), 0, NULL };
	rc = check_counts(ref, k, "reference", &R, err);
	if (!rc)
		rc = check_counts(cur, k, "current", &C, err);
	if (rc || R == 0 || C == 0)
		return rc;
	N = R + C;
	for (size_t i = 0; i < k; i++)
		if (ref[i] + cur[i] > 0)
			used++;
	out->dof = (double)(used - 1);
	out->method = used == 2 ? "yates" : "pearson";
	if (used <= 1) {
		out->statistic = mrm__val(0.0);
		out->p_value = mrm__val(1.0);
		return 0;
	}
	for (size_t i = 0; i < k; i++) {
		double col = ref[i] + cur[i], o[2] = { ref[i], cur[i] };
		double e[2] = { R * col / N, C * col / N };

		if (col == 0)
			continue;
		for (int r = 0; r < 2; r++) {
			double ob = o[r];

			if (used == 2) {
				double diff = e[r] - ob;
				double mag = fmin(0.5, fabs(diff));

				ob += diff > 0 ? mag : diff < 0 ? -mag : 0;
			}
			stat += (ob - e[r]) * (ob - e[r]) / e[r];
		}
	}
	out->statistic = mrm__val(stat);
	out->p_value = mrm__val(mrm_gammaincc(out->dof / 2.0, stat / 2.0));
	return 0;
}

/* ---- two-proportion z-test ---- */

/* scipy.special.ndtr (Cephes): via erf near 0, erfc in the tails. */
static double ndtr(double a)
{
	double x = a * M_SQRT1_2, z = fabs(x), y;

	if (z < M_SQRT1_2)
		return 0.5 + 0.5 * erf(x);
	y = 0.5 * erfc(z);
	return x > 0 ? 1 - y : y;
}

int mrm_two_proportion_z(double x_ref, double n_ref, double x_cur, double n_cur,
			 struct mrm_drift_test *out, struct mrm_error *err)
{
	double p, var, z;

	*out = (struct mrm_drift_test){ mrm__undef(mrm_reason_no_rows),
					mrm__undef(mrm_reason_no_rows), 0, NULL };
	if (!isfinite(x_ref) || !isfinite(n_ref) || !isfinite(x_cur) || !isfinite(n_cur) ||
	    x_ref < 0 || x_cur < 0 || n_ref < 0 || n_cur < 0)
		return mrm_error_set(err, MRM_EINPUT,
				     "two-proportion z-test: counts must be finite and >= 0");
	if (x_ref > n_ref || x_cur > n_cur)
		return mrm_error_set(err, MRM_EINPUT,
				     "two-proportion z-test: more successes than rows (%s side)",
				     x_ref > n_ref ? "reference" : "current");
	if (n_ref == 0 || n_cur == 0)
		return 0;
	p = (x_ref + x_cur) / (n_ref + n_cur);
	var = p * (1 - p) * (1 / n_ref + 1 / n_cur);
	if (!(var > 0)) {
		out->statistic = out->p_value = mrm__undef(mrm_reason_zero_variance);
		return 0;
	}
	z = (x_ref / n_ref - x_cur / n_cur) / sqrt(var);
	out->statistic = mrm__val(z);
	out->p_value = mrm__val(ndtr(-fabs(z)) * 2);
	out->method = "pooled";
	return 0;
}

/* ---- Anderson-Darling k-sample, k = 2 (scipy.stats.anderson_ksamp, midrank) ---- */

const char mrm_reason_all_equal[] = "every value is the same";
const char mrm_reason_too_few[] = "fewer than 4 values in all";

/* exp of the quadratic least-squares fit of log(sig) on the critical values at a2. */
static double ad_significance(double a2, const double *crit, const double *sig, size_t k)
{
	long double s[5] = { 0 }, t[3] = { 0 }, m[3][4], c[3];
	size_t i;
	int r, q, col;

	for (i = 0; i < k; i++) {
		long double x = crit[i], y = logl(sig[i]), p = 1;

		for (r = 0; r < 5; r++) {
			s[r] += p;
			if (r < 3)
				t[r] += p * y;
			p *= x;
		}
	}
	/* Normal equations for y = c0 + c1 x + c2 x^2, Gauss-Jordan with pivoting. */
	for (r = 0; r < 3; r++) {
		for (q = 0; q < 3; q++)
			m[r][q] = s[r + q];
		m[r][3] = t[r];
	}
	for (col = 0; col < 3; col++) {
		int piv = col;

		for (r = col + 1; r < 3; r++)
			if (fabsl(m[r][col]) > fabsl(m[piv][col]))
				piv = r;
		for (q = 0; q < 4; q++) {
			long double tmp = m[col][q];

			m[col][q] = m[piv][q];
			m[piv][q] = tmp;
		}
		for (r = 0; r < 3; r++) {
			long double f;

			if (r == col)
				continue;
			f = m[r][col] / m[col][col];
			for (q = col; q < 4; q++)
				m[r][q] -= f * m[col][q];
		}
	}
	for (r = 0; r < 3; r++)
		c[r] = m[r][3] / m[r][r];
	return exp((double)(c[0] + c[1] * a2 + c[2] * a2 * a2));
}

/*
 * The harmonic sums of the Scholz-Stephens variance for N values (scipy's loops, in long
 * double). They depend on N alone and cost two long double divisions per value, so the last
 * N's are kept (every column of a data set usually has the same N).
 */
static void ad_harmonics(size_t N, long double *hs_out, long double *g_out)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static size_t last_N;
	static long double last_hs, last_g;
	long double hs = 0, g = 0;

	pthread_mutex_lock(&mu);
	if (last_N != N || N == 0) {
		for (size_t t = 0; t + 2 < N; t++) {
			hs += 1.0L / (long double)(N - 1 - t);
			g += hs / (long double)(t + 2);
		}
		last_N = N;
		last_hs = hs;
		last_g = g;
	}
	*hs_out = last_hs;
	*g_out = last_g;
	pthread_mutex_unlock(&mu);
}

int mrm__ad_defined(const double *x, size_t nr, const double *y, size_t nc,
		    struct mrm_drift_test *out)
{
	*out = (struct mrm_drift_test){ mrm__undef(mrm_reason_empty_sample),
					mrm__undef(mrm_reason_empty_sample), 0, NULL };
	if (nr == 0 || nc == 0)
		return -1;
	if (x[0] == x[nr - 1] && y[0] == y[nc - 1] && x[0] == y[0]) {
		out->statistic = out->p_value = mrm__undef(mrm_reason_all_equal);
		return -1;
	}
	if (nr + nc < 4) {
		out->statistic = out->p_value = mrm__undef(mrm_reason_too_few);
		return -1;
	}
	return 0;
}

void mrm__ad_finish(const long double akn[2], size_t nr, size_t nc, struct mrm_drift_test *out)
{
	static const double b0[7] = { 0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085 };
	static const double b1[7] = { -0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615 };
	static const double b2[7] = { -0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154 };
	static const double sig[7] = { 0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001 };
	double crit[7], cmin = INFINITY, cmax = -INFINITY, A2, p;
	size_t N = nr + nc;
	long double H, hs, h, g, a, b, c, d, sigmasq, dN = (long double)N;
	const double k = 2, mm = 1;
	int i;

	/* Scholz-Stephens standardisation (scipy's loops, in long double). */
	H = 1.0L / nr + 1.0L / nc;
	ad_harmonics(N, &hs, &g);
	h = hs + 1;
	a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H;
	b = (2 * g - 4) * k * k + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6;
	c = (6 * h + 2 * g - 2) * k * k + (4 * h - 4 * g + 6) * k + (2 * h - 6) * H + 4 * h;
	d = (2 * h + 6) * k * k - 4 * h * k;
	sigmasq = (a * dN * dN * dN + b * dN * dN + c * dN + d) /
		  ((dN - 1) * (dN - 2) * (dN - 3));
	A2 = (double)(((akn[0] / nr + akn[1] / nc) * (dN - 1) / dN - mm) / sqrtl(sigmasq));
	for (i = 0; i < 7; i++) {
		crit[i] = b0[i] + b1[i] / sqrt(mm) + b2[i] / mm;
		cmin = fmin(cmin, crit[i]);
		cmax = fmax(cmax, crit[i]);
	}
	if (A2 < cmin)
		p = 0.25;
	else if (A2 > cmax)
		p = 0.001;
	else
		p = ad_significance(A2, crit, sig, 7);
	out->statistic = mrm__val(A2);
	out->p_value = mrm__val(p);
	out->method = "midrank";
}

int mrm_anderson_ksamp_sorted(const double *ref, size_t nr, const double *cur, size_t nc,
			      struct mrm_drift_test *out, struct mrm_error *err)
{
	struct mrm__walk w;
	int rc;

	*out = (struct mrm_drift_test){ mrm__undef(mrm_reason_empty_sample),
					mrm__undef(mrm_reason_empty_sample), 0, NULL };
	if ((rc = mrm__check_sorted(ref, nr, "reference", err)) ||
	    (rc = mrm__check_sorted(cur, nc, "current", err)))
		return rc;
	if (mrm__ad_defined(ref, nr, cur, nc, out))
		return 0;
	mrm__drift_walk(ref, nr, cur, nc, MRM__WALK_AD, &w);
	mrm__ad_finish(w.ad_akn, nr, nc, out);
	return 0;
}

int mrm_anderson_ksamp(const double *ref, size_t nr, const double *cur, size_t nc,
		       struct mrm_drift_test *out, struct mrm_error *err)
{
	double *x = NULL, *y = NULL;
	int rc;

	*out = (struct mrm_drift_test){ mrm__undef(mrm_reason_empty_sample),
					mrm__undef(mrm_reason_empty_sample), 0, NULL };
	rc = mrm__drift_sorted(ref, nr, "reference", &x, err);
	if (!rc)
		rc = mrm__drift_sorted(cur, nc, "current", &y, err);
	if (!rc)
		rc = mrm_anderson_ksamp_sorted(x, nr, y, nc, out, err);
	free(x);
	free(y);
	return rc;
}
