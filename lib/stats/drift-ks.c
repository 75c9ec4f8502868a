/* Two-sample Kolmogorov-Smirnov test with scipy 1.10's exact and asymptotic p-values. */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "mrm/stats-drift.h"
#include "stats/drift-walk.h"
#include "stats/internal.h"

#define MAX_AUTO_N 10000
#define E128 128
#define SMIRNOV_MAX_COMPUTE_N 1000000

const char mrm_reason_empty_sample[] = "a sample is empty";

/* ---- one-sample distributions: scipy.special.smirnov and stats._ksstats ---- */

/*
 * One-sided Smirnov sf Pr(D_n+ >= x) by the Birnbaum-Tingey sum (all terms
 * positive), in long double logs; scipy's approximation above 10^6.
 */
static double smirnov(size_t n, double x)
{
	long double ln = (long double)n, lc = 0, p = 0, lx = x;
	size_t v, nn;

	if (!(x >= 0 && x <= 1))
		return NAN;
	if (x == 0)
		return 1.0;
	if (x == 1)
		return 0.0;
	if (n > SMIRNOV_MAX_COMPUTE_N) {
		double logp = -pow(6.0 * (double)n * x + 1, 2) / 18.0 / (double)n;

		return logp < -M_LN2 ? exp(logp) : 1 - (-expm1(logp));
	}
	if ((double)n * x >= (double)n - 1)
		return pow(1 - x, (double)n);
	nn = (size_t)floor((double)n * (1.0 - x));
	for (v = 0; v <= nn && v <= n; v++) {
		long double e = lx + (long double)v / ln;
		long double om = 1 - e;
		long double t = lc + (long double)((double)v - 1) * logl(e);

		if (v < n) {
			if (om > 0)
				p += expl(t + (long double)(n - v) * logl(om));
		} else {
			p += expl(t);
		}
		lc += logl((long double)(n - v) / (long double)(v + 1));
	}
	return (double)(p * lx);
}

/* log(n! / n^n) by Stirling, as _log_nfactorial_div_n_pow_n. */
static double log_nfact_div_npown(double n)
{
	static const double c[] = { -2.955065359477124183e-2, 6.4102564102564102564e-3,
				    -1.9175269175269175269e-3, 8.4175084175084175084e-4,
				    -5.952380952380952381e-4, 7.9365079365079365079e-4,
				    -2.7777777777777777778e-3, 8.3333333333333333333e-2 };
	double rn = 1.0 / n, y = rn / n, s = 0;

	for (size_t i = 0; i < 8; i++)
		s = s * y + c[i];
	return log(n) / 2 - n + log(2 * M_PI) / 2 + rn * s;
}

static void matmul(const double *a, const double *b, double *c, size_t m)
{
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < m; j++) {
			double s = 0;

			for (size_t l = 0; l < m; l++)
				s += a[i * m + l] * b[l * m + j];
			c[i * m + j] = s;
		}
}

/* Pr(D_n <= d): Durbin's matrix as Marsaglia-Tsang-Wang (_kolmogn_DMTW); NAN on no memory. */
static double kolmogn_dmtw(size_t n, double d)
{
	double nd = (double)n * d, h, fac = 1, tt;
	size_t k, m, i, j, nn = n;
	double *H, *P, *T, *v, *w;
	long double p;
	int expnt = 0, hexpnt = 0;

	if (d >= 1.0)
		return 1.0;
	if (nd <= 0.5)
		return 0.0;
	k = (size_t)ceil(nd);
	h = (double)k - nd;
	m = 2 * k - 1;
	H = calloc(3 * m * m + 2 * m, sizeof(double));
	if (!H)
		return NAN;
	P = H + m * m;
	T = P + m * m;
	v = T + m * m;
	w = v + m;
	for (j = 1; j <= m; j++) {
		v[j - 1] = 1.0 - pow(h, (double)j);
		w[j - 1] = fac;
		fac /= (double)j;
		v[j - 1] *= fac;
	}
	tt = pow(fmax(2 * h - 1.0, 0), (double)m) - 2 * pow(h, (double)m);
	v[m - 1] = (1.0 + tt) * fac;
	for (i = 1; i < m; i++)
		for (j = i - 1; j < m; j++)
			H[j * m + i] = w[j - (i - 1)];
	for (j = 0; j < m; j++)
		H[j * m] = v[j];
	for (j = 0; j < m; j++)
		H[(m - 1) * m + j] = v[m - 1 - j];
	for (i = 0; i < m; i++)
		P[i * m + i] = 1;
	while (nn > 0) {
		if (nn % 2) {
			matmul(P, H, T, m);
			memcpy(P, T, m * m * sizeof(double));
			expnt += hexpnt;
		}
		matmul(H, H, T, m);
		memcpy(H, T, m * m * sizeof(double));
		hexpnt *= 2;
		if (fabs(H[(k - 1) * m + k - 1]) > ldexp(1, E128)) {
			for (i = 0; i < m * m; i++)
				H[i] = ldexp(H[i], -E128);
			hexpnt += E128;
		}
		nn /= 2;
	}
	p = P[(k - 1) * m + k - 1];
	free(H);
	for (i = 1; i <= n; i++) {
		p = (long double)i * p / (long double)n;
		if (fabsl(p) < ldexpl(1, -E128)) {
			p = ldexpl(p, E128);
			expnt -= E128;
		}
	}
	if (expnt != 0)
		p = ldexpl(p, expnt);
	return (double)fminl(fmaxl(p, 0), 1);
}

static void pomeranz_j1j2(long i, long n, long ll, long ceilf, long roundf,
			  long *j1, long *j2)
{
	long a, b;

	if (i == 0) {
		a = -ll - ceilf - 1;
		b = ll + ceilf - 1;
	} else {
		long d = (i + 1) / 2, r = (i + 1) % 2;

		if (r == 0) {
			if (d == n + 1) {
				a = n - ll - ceilf - 1;
				b = n + ll + ceilf - 1;
			} else {
				a = d - 1 - ll - roundf - 1;
				b = d + ll - 1 + ceilf - 1;
			}
		} else {
			a = d - 1 - ll - 1;
			b = d + ll + roundf - 1;
		}
	}
	*j1 = a + 2 > 0 ? a + 2 : 0;
	*j2 = b < n ? b : n;
}

/* Pr(D_n <= x) by Pomeranz's recursion (_kolmogn_Pomeranz); NAN on no memory. */
static double kolmogn_pomeranz(size_t un, double x)
{
	long n = (long)un, ll, npw, i, j1, j2, k1, s0 = 0, s1 = 0, m;
	double t = (double)n * x, f, g, *buf, *gp, *tgp, *o2gp, *V0, *V1, *tmp;
	long ceilf, roundf;
	long double ans;
	int expnt = 0;

	ll = (long)floor(t);
	f = t - (double)ll;
	g = fmin(f, 1.0 - f);
	ceilf = f > 0;
	roundf = f > 0.5;
	npw = 2 * (ll + 1);
	buf = calloc((size_t)npw * 5, sizeof(double));
	if (!buf)
		return NAN;
	gp = buf;
	tgp = gp + npw;
	o2gp = tgp + npw;
	V0 = o2gp + npw;
	V1 = V0 + npw;
	gp[0] = tgp[0] = o2gp[0] = 1;
	for (m = 1; m < npw; m++) {
		gp[m] = gp[m - 1] * (g / (double)n) / (double)m;
		tgp[m] = tgp[m - 1] * (2 * g / (double)n) / (double)m;
		o2gp[m] = o2gp[m - 1] * ((1 - 2 * g) / (double)n) / (double)m;
	}
	V1[0] = 1;
	pomeranz_j1j2(0, n, ll, ceilf, roundf, &j1, &j2);
	for (i = 1; i < 2 * n + 2; i++) {
		const double *pw;
		long ln2, la, off, cs, clen, c, q;
		double mx = 0;

		k1 = j1;
		tmp = V0;
		V0 = V1;
		V1 = tmp;
		q = s0;
		s0 = s1;
		s1 = q;
		memset(V1, 0, (size_t)npw * sizeof(double));
		pomeranz_j1j2(i, n, ll, ceilf, roundf, &j1, &j2);
		pw = (i == 1 || i == 2 * n + 1) ? gp : (i % 2 ? tgp : o2gp);
		ln2 = j2 - k1 + 1;
		if (ln2 <= 0)
			continue;
		off = k1 - s0;
		la = npw - off < ln2 ? npw - off : ln2;
		cs = j1 - k1;
		clen = j2 - j1 + 1;
		for (c = 0; c < clen && c < npw; c++) {
			long cc = cs + c;
			double s = 0;

			for (q = 0; q < la; q++)
				if (off + q >= 0 && cc - q >= 0 && cc - q < ln2)
					s += V0[off + q] * pw[cc - q];
			V1[c] = s;
			if (s > mx)
				mx = s;
		}
		if (mx > 0 && mx < ldexp(1, -E128)) {
			for (c = 0; c < npw; c++)
				V1[c] = ldexp(V1[c], E128);
			expnt -= E128;
		}
		s1 = s0 + j1 - k1;
	}
	ans = V1[n - s1];
	free(buf);
	for (m = 1; m <= n; m++) {
		if (fabsl(ans) > ldexpl(1, E128)) {
			ans = ldexpl(ans, -E128);
			expnt += E128;
		}
		ans *= (long double)m;
	}
	if (expnt != 0)
		ans = ldexpl(ans, expnt);
	return (double)fminl(fmaxl(ans, 0), 1);
}

/* Pelz-Good approximation of Pr(D_n <= x) (_kolmogn_PelzGood). */
static double kolmogn_pelzgood(size_t un, double x)
{
	const double pi2 = M_PI * M_PI, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
	const double sqrt2pi = sqrt(2 * M_PI);
	double n = (double)un, z, z2, z3, z4, z6, qlog, q, k0[4] = { 0 };
	double k1a, k1b, k2a, k2b, k2c, k3a, k3b, k3c, k3d, k2x = 0, k3x = 0, s3z;
	long maxk, k;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	z = sqrt(n) * x;
	z2 = z * z;
	z3 = z2 * z;
	z4 = z2 * z2;
	z6 = z4 * z2;
	qlog = -pi2 / 8 / z2;
	if (qlog < -708)
		return 0;
	q = exp(qlog);
	k1a = -z2;
	k1b = pi2 / 4;
	k2a = 6 * z6 + 2 * z4;
	k2b = (2 * z4 - 5 * z2) * pi2 / 4;
	k2c = pi4 * (1 - 2 * z2) / 16;
	k3d = pi6 * (5 - 30 * z2) / 64;
	k3c = pi4 * (-60 * z2 + 212 * z4) / 16;
	k3b = pi2 * (135 * z4 - 96 * z6) / 4;
	k3a = -30 * z6 - 90 * pow(z, 8);
	maxk = (long)ceil(16 * z / M_PI);
	for (k = maxk; k > 0; k--) {
		double mm = (double)(2 * k - 1), m2 = mm * mm, m4 = m2 * m2, m6 = m4 * m2;
		double qp = pow(q, (double)(8 * k));
		double c[4] = { 1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
				k3a + k3b * m2 + k3c * m4 + k3d * m6 };

		for (int i = 0; i < 4; i++)
			k0[i] = k0[i] * qp + c[i];
	}
	for (int i = 0; i < 4; i++)
		k0[i] *= q * sqrt2pi;
	k0[0] /= z;
	k0[1] /= 6 * z4;
	k0[2] /= 72 * pow(z, 7);
	k0[3] /= 6480 * pow(z, 10);
	q = exp(-pi2 / 2 / z2);
	s3z = sqrt(3.0) * z;
	for (k = maxk; k > 0; k--) {
		double kk = (double)k, ks = kk * kk, qk = pow(q, ks), kp = M_PI * kk;

		k2x += ks * qk;
		k3x += (s3z + kp) * (s3z - kp) * ks * qk;
	}
	k0[2] += k2x * pi2 * sqrt2pi / (-36 * z3);
	k0[3] += k3x * pi2 * sqrt2pi / (216 * z6);
	k0[1] /= pow(n, 0.5);
	k0[2] /= n;
	k0[3] /= pow(n, 1.5);
	return k0[0] + k0[1] + k0[2] + k0[3];
}

static double clip01(double p)
{
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

double mrm_kstwo_sf(double x, size_t n)
{
	double t, nx2, dn = (double)n, cdf;

	if (n == 0 || isnan(x))
		return NAN;
	if (x >= 1.0)
		return 0.0;
	if (x <= 0.0)
		return 1.0;
	t = dn * x;
	if (t <= 1.0) {
		double prob;

		if (t <= 0.5)
			return 1.0;
		if (n <= 140) {
			prob = 1;
			for (size_t i = 1; i <= n; i++)
				prob *= (double)i * (1.0 / dn) * (2 * t - 1);
		} else {
			prob = exp(log_nfact_div_npown(dn) + dn * log(2 * t - 1));
		}
		return clip01(1.0 - prob);
	}
	if (t >= dn - 1)
		return clip01(2 * pow(1.0 - x, dn));
	if (x >= 0.5)
		return clip01(2 * smirnov(n, x));
	nx2 = t * x;
	if (n <= 140) {
		if (nx2 <= 0.754693)
			return clip01(1.0 - kolmogn_dmtw(n, x));
		if (nx2 <= 4)
			return clip01(1.0 - kolmogn_pomeranz(n, x));
		return clip01(2 * smirnov(n, x));
	}
	if (nx2 >= 370.0)
		return 0.0;
	if (nx2 >= 2.2)
		return clip01(2 * smirnov(n, x));
	if (n <= 100000 && dn * pow(x, 1.5) <= 1.4)
		cdf = kolmogn_dmtw(n, x);
	else
		cdf = kolmogn_pelzgood(n, x);
	return clip01(1.0 - cdf);
}

/* ---- exact two-sample probabilities (scipy _attempt_exact_2kssamp) ---- */

static double prob_outside_square(long n, long h)
{
	double P = 0;
	long k = (long)floor((double)n / (double)h);

	while (k >= 0) {
		double p1 = 1.0;

		for (long j = 0; j < h; j++)
			p1 = (double)(n - k * h - j) * p1 / (double)(n + k * h + j + 1);
		P = p1 * (1.0 - P);
		k--;
	}
	return 2 * P;
}

/* _compute_outer_prob_inside_method (Viehmann's recursion for 1 - p). */
static double outer_prob_inside(long m, long n, long g, long h, int *nomem)
{
	long mg, ng, minj, maxj, curlen, lenA, i, jj;
	double *A, res;

	if (m < n) {
		long t = m;

		m = n;
		n = t;
	}
	mg = m / g;
	ng = n / g;
	minj = 0;
	maxj = (long)ceil((double)h / (double)mg);
	if (maxj > n + 1)
		maxj = n + 1;
	curlen = maxj - minj;
	lenA = 2 * maxj + 2 < n + 1 ? 2 * maxj + 2 : n + 1;
	A = malloc((size_t)lenA * sizeof(double));
	if (!A) {
		*nomem = 1;
		return NAN;
	}
	for (i = 0; i < lenA; i++)
		A[i] = 1.0;
	for (i = minj; i < maxj && i < lenA; i++)
		A[i] = 0.0;
	for (i = 1; i <= m; i++) {
		long lastminj = minj, lastlen = curlen;
		double val;

		minj = (long)floor((double)(ng * i - h) / (double)mg) + 1;
		if (minj < 0)
			minj = 0;
		if (minj > n)
			minj = n;
		maxj = (long)ceil((double)(ng * i + h) / (double)mg);
		if (maxj > n + 1)
			maxj = n + 1;
		if (maxj <= minj) {
			free(A);
			return 1.0;
		}
		val = minj == 0 ? 0.0 : 1.0;
		for (jj = 0; jj < maxj - minj; jj++) {
			long j = jj + minj;

			val = (A[jj + minj - lastminj] * (double)i + val * (double)j) / (double)(i + j);
			A[jj] = val;
		}
		curlen = maxj - minj;
		if (lastlen > curlen)
			for (jj = maxj - minj; jj < maxj - minj + (lastlen - curlen) && jj < lenA; jj++)
				A[jj] = 1;
	}
	res = A[maxj - minj - 1];
	free(A);
	return res;
}

static long gcd(long a, long b)
{
	while (b) {
		long t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* Checks a sample and returns a sorted copy in *out (NULL when n == 0). */
static int sorted_copy(const double *x, size_t n, const char *side, double **out,
		       struct mrm_error *err)
{
	double *c;
	int rc;

	*out = NULL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return mrm_error_set(err, MRM_EINPUT, "%s row %zu: value is %s", side, i,
					     isnan(x[i]) ? "NaN" : "infinite");
	if (n == 0)
		return 0;
	c = malloc(n * sizeof(*c));
	if (!c)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	memcpy(c, x, n * sizeof(*c));
	rc = mrm_sort_doubles(c, NULL, n, err);
	if (rc) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int mrm__drift_sorted(const double *x, size_t n, const char *side, double **out,
		      struct mrm_error *err)
{
	return sorted_copy(x, n, side, out, err);
}

int mrm__ks_finish(double maxS, double minS, size_t na, size_t nb,
		   struct mrm_drift_test *out, struct mrm_error *err)
{
	double d, prob = NAN;
	bool exact;

	minS = clip01(-minS);
	d = minS > maxS ? minS : maxS;
	exact = (na > nb ? na : nb) <= MAX_AUTO_N;
	if (exact) {
		long n1 = (long)na, n2 = (long)nb, g = gcd(n1, n2);
		long lcm = (n1 / g) * n2;
		long h = (long)rint(d * (double)lcm);
		int nomem = 0;

		d = (double)h * 1.0 / (double)lcm;
		if (h == 0)
			prob = 1.0;
		else if (n1 == n2)
			prob = prob_outside_square(n1, h);
		else
			prob = outer_prob_inside(n1, n2, g, h, &nomem);
		if (nomem)
			return mrm_error_set(err, MRM_EINPUT, "out of memory");
		if (!(prob >= 0 && prob <= 1))
			exact = false;
	}
	if (!exact) {
		double m = (double)(na > nb ? na : nb), n = (double)(na > nb ? nb : na);
		double en = m * n / (m + n);

		prob = mrm_kstwo_sf(d, (size_t)rint(en));
		if (isnan(prob))
			return mrm_error_set(err, MRM_EINPUT, "out of memory");
	}
	out->statistic = mrm__val(d);
	out->p_value = mrm__val(clip01(prob));
	out->method = exact ? "exact" : "asymp";
	return 0;
}

int mrm_ks_2samp_sorted(const double *a, size_t na, const double *b, size_t nb,
			struct mrm_drift_test *out, struct mrm_error *err)
{
	struct mrm__walk w;
	int rc;

	*out = (struct mrm_drift_test){ mrm__undef(mrm_reason_empty_sample),
					mrm__undef(mrm_reason_empty_sample), 0, NULL };
	if ((rc = mrm__check_sorted(a, na, "reference", err)) ||
	    (rc = mrm__check_sorted(b, nb, "current", err)))
		return rc;
	if (na == 0 || nb == 0)
		return 0;
	mrm__drift_walk(a, na, b, nb, MRM__WALK_KS, &w);
	return mrm__ks_finish(w.ks_max, w.ks_min, na, nb, out, err);
}

int mrm_ks_2samp(const double *a, size_t na, const double *b, size_t nb,
		 struct mrm_drift_test *out, struct mrm_error *err)
{
	double *x = NULL, *y = NULL;
	int rc;

	*out = (struct mrm_drift_test){ mrm__undef(mrm_reason_empty_sample),
					mrm__undef(mrm_reason_empty_sample), 0, NULL };
	rc = sorted_copy(a, na, "reference", &x, err);
	if (!rc)
		rc = sorted_copy(b, nb, "current", &y, err);
	if (!rc)
		rc = mrm_ks_2samp_sorted(x, na, y, nb, out, err);
	free(x);
	free(y);
	return rc;
}
