/* Drift measures: PSI, Wasserstein-1, Jensen-Shannon, chi-square, z-test, Anderson-Darling. */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "mrm/stats-drift.h"
#include "stats/internal.h"

const char mrm_reason_constant_reference[] = "the reference sample is constant";
const char mrm_reason_no_counts[] = "a side has no counts";
const char mrm_reason_zero_variance[] =
	"the pooled proportion is 0 or 1 (no variance)";

/* In drift-ks.c: checks a sample (finite values) and returns a sorted copy. */
int mrm__drift_sorted(const double *x, size_t n, const char *side, double **out,
		      struct mrm_error *err);

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

/* ---- Wasserstein-1 ---- */

int mrm_wasserstein(const double *ref, size_t nr, const double *cur, size_t nc,
		    struct mrm_metric *raw, struct mrm_metric *norm,
		    struct mrm_error *err)
{
	double *x = NULL, *y = NULL, prev = 0;
	long double s = 0, mean = 0, ss = 0;
	size_t i = 0, j = 0;
	bool first = true;
	int rc;

	*raw = mrm__undef(mrm_reason_empty_sample);
	if (norm)
		*norm = mrm__undef(mrm_reason_empty_sample);
	rc = mrm__drift_sorted(ref, nr, "reference", &x, err);
	if (!rc)
		rc = mrm__drift_sorted(cur, nc, "current", &y, err);
	if (rc || nr == 0 || nc == 0)
		goto out;
	/* Integrate |F_ref - F_cur| between consecutive pooled values. */
	while (i < nr || j < nc) {
		double v = j >= nc || (i < nr && x[i] <= y[j]) ? x[i] : y[j];

		if (!first)
			s += fabsl((long double)i / nr - (long double)j / nc) *
			     (long double)(v - prev);
		first = false;
		prev = v;
		while (i < nr && x[i] <= v)
			i++;
		while (j < nc && y[j] <= v)
			j++;
	}
	*raw = mrm__val((double)s);
	if (norm) {
		double sd;

		for (i = 0; i < nr; i++)
			mean += x[i];
		mean /= nr;
		for (i = 0; i < nr; i++)
			ss += (x[i] - mean) * (x[i] - mean);
		sd = sqrt((double)(ss / nr));
		*norm = sd > 0 ? mrm__val((double)s / sd) :
			mrm__undef(mrm_reason_constant_reference);
	}
out:
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

int mrm_anderson_ksamp(const double *ref, size_t nr, const double *cur, size_t nc,
		       struct mrm_drift_test *out, struct mrm_error *err)
{
	static const double b0[7] = { 0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085 };
	static const double b1[7] = { -0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615 };
	static const double b2[7] = { -0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154 };
	static const double sig[7] = { 0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001 };
	double *s[2] = { NULL, NULL }, crit[7], cmin = INFINITY, cmax = -INFINITY, A2, p;
	size_t n[2] = { nr, nc }, pos[2] = { 0, 0 }, N = nr + nc, below = 0;
	long double akn[2] = { 0, 0 }, H, hs = 0, h, g = 0, a, b, c, d, sigmasq, dN;
	const double k = 2, mm = 1;
	int rc, i;

	*out = (struct mrm_drift_test){ mrm__undef(mrm_reason_empty_sample),
					mrm__undef(mrm_reason_empty_sample), 0, NULL };
	rc = mrm__drift_sorted(ref, nr, "reference", &s[0], err);
	if (!rc)
		rc = mrm__drift_sorted(cur, nc, "current", &s[1], err);
	if (rc || nr == 0 || nc == 0)
		goto out;
	if (s[0][0] == s[0][nr - 1] && s[1][0] == s[1][nc - 1] && s[0][0] == s[1][0]) {
		out->statistic = out->p_value = mrm__undef(mrm_reason_all_equal);
		goto out;
	}
	if (N < 4) {
		out->statistic = out->p_value = mrm__undef(mrm_reason_too_few);
		goto out;
	}
	dN = (long double)N;
	/* Walk the distinct pooled values z_j: lj ties, Bj = #below + lj / 2. */
	while (pos[0] < nr || pos[1] < nc) {
		double z = pos[1] >= nc || (pos[0] < nr && s[0][pos[0]] <= s[1][pos[1]]) ?
			   s[0][pos[0]] : s[1][pos[1]];
		size_t f[2];
		long double lj, Bj, den;

		for (i = 0; i < 2; i++) {
			size_t at = pos[i];

			while (pos[i] < n[i] && s[i][pos[i]] == z)
				pos[i]++;
			f[i] = pos[i] - at;
		}
		lj = (long double)(f[0] + f[1]);
		Bj = (long double)below + lj / 2;
		den = Bj * (dN - Bj) - dN * lj / 4;
		for (i = 0; i < 2; i++) {
			long double Mij = (long double)pos[i] - (long double)f[i] / 2;
			long double diff = dN * Mij - Bj * (long double)n[i];

			akn[i] += lj / dN * diff * diff / den;
		}
		below += f[0] + f[1];
	}
	/* Scholz-Stephens standardisation (scipy's loops, in long double). */
	H = 1.0L / nr + 1.0L / nc;
	for (size_t t = 0; t + 2 < N; t++) {
		hs += 1.0L / (long double)(N - 1 - t);
		g += hs / (long double)(t + 2);
	}
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
out:
	free(s[0]);
	free(s[1]);
	return rc;
}
