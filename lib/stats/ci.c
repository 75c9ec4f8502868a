/* Normal distribution, Wilson intervals, and DeLong's variance and paired test for ROC AUC. */
#include <stdlib.h>

#include "mrm/stats-ci.h"
#include "stats/internal.h"

static const char reason_zero_se[] =
	"the two AUCs have zero variance of their difference (identical rankings)";
static const char reason_mismatch[] = "the rankings are of different rows";

double mrm_norm_cdf(double x)
{
	return 0.5 * erfc(-x / sqrt(2.0));
}

/* Wichura's AS241 (PPND16), relative accuracy about 1e-16. */
double mrm_norm_ppf(double p)
{
	double q = p - 0.5, r, v;

	if (!(p > 0 && p < 1))
		return p == 0 ? -INFINITY : p == 1 ? INFINITY : NAN;
	if (fabs(q) <= 0.425) {
		r = 0.180625 - q * q;
		return q * (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r +
				 67265.770927008700853) * r + 45921.953931549871457) * r +
			       13731.693765509461125) * r + 1971.5909503065514427) * r +
			     133.14166789178437745) * r + 3.387132872796366608) /
		       (((((((r * 5226.495278852545925 + 28729.085735721942674) * r +
			     39307.89580009271061) * r + 21213.794301586595867) * r +
			   5394.1960214247511077) * r + 687.1870074920579083) * r +
			 42.313330701600911252) * r + 1.0);
	}
	r = q < 0 ? p : 1 - p;
	r = sqrt(-log(r));
	if (r <= 5) {
		r -= 1.6;
		v = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r +
			  0.24178072517745061177) * r + 1.27045825245236838258) * r +
			3.64784832476320460504) * r + 5.7694972214606914055) * r +
		      4.6303378461565452959) * r + 1.42343711074968357734) /
		    (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r +
			  0.0151986665636164571966) * r + 0.14810397642748007459) * r +
			0.68976733498510000455) * r + 1.6763848301838038494) * r +
		      2.05319162663775882187) * r + 1.0);
	} else {
		r -= 5;
		v = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r +
			  0.0012426609473880784386) * r + 0.026532189526576123093) * r +
			0.29656057182850489123) * r + 1.7848265399172913358) * r +
		      5.4637849111641143699) * r + 6.6579046435011037772) /
		    (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r +
			  1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
			0.0148753612908506148525) * r + 0.13692988092273580531) * r +
		      0.59983220655588793769) * r + 1.0);
	}
	return q < 0 ? -v : v;
}

void mrm_wilson(double successes, double n, double level, double *low,
		double *high)
{
	double crit, crit2, denom, center, dist, q;

	if (!(n > 0)) {
		*low = NAN;
		*high = NAN;
		return;
	}
	/* statsmodels proportion_confint(method="wilson"), term by term. */
	crit = mrm_norm_ppf(1 - (1 - level) / 2);
	crit2 = crit * crit;
	q = successes / n;
	denom = 1 + crit2 / n;
	center = (q + crit2 / (2 * n)) / denom;
	dist = crit * sqrt(q * (1. - q) / n + crit2 / (4. * n * n));
	dist /= denom;
	*low = center - dist;
	*high = center + dist;
}

/* Placements of tie group g: V10 for its positives, V01 for its negatives. */
static void placements(const struct mrm_ranked *r, size_t g, double *v10,
		       double *v01)
{
	double tp0 = g ? r->tps[g - 1] : 0, fp0 = g ? r->fps[g - 1] : 0;
	double pos = r->tps[g] - tp0, neg = r->fps[g] - fp0;

	/* Negatives strictly below + half the tied ones, over all negatives. */
	*v10 = (r->total_neg - r->fps[g] + 0.5 * neg) / r->total_neg;
	/* Positives strictly above + half the tied ones, over all positives. */
	*v01 = (tp0 + 0.5 * pos) / r->total_pos;
}

static const char *delong_undefined(const struct mrm_ranked *r)
{
	if (r->weighted)
		return mrm_reason_weighted;
	if (r->n == 0)
		return mrm_reason_no_rows;
	if (r->total_pos == 0 || r->total_neg == 0)
		return mrm_reason_one_class;
	if (r->total_pos < 2 || r->total_neg < 2)
		return mrm__reason_few;
	return NULL;
}

void mrm_delong(const struct mrm_ranked *r, double level,
		struct mrm_delong *out)
{
	double auc = 0, s10 = 0, s01 = 0, z;
	size_t g;

	memset(out, 0, sizeof(*out));
	out->reason = delong_undefined(r);
	if (out->reason) {
		out->auc = out->variance = out->se = out->low = out->high = NAN;
		return;
	}
	for (g = 0; g < r->k; g++) {
		double v10, v01, pos = r->tps[g] - (g ? r->tps[g - 1] : 0);

		placements(r, g, &v10, &v01);
		auc += pos * v10;
	}
	auc /= r->total_pos;
	for (g = 0; g < r->k; g++) {
		double v10, v01;
		double pos = r->tps[g] - (g ? r->tps[g - 1] : 0);
		double neg = r->fps[g] - (g ? r->fps[g - 1] : 0);

		placements(r, g, &v10, &v01);
		s10 += pos * (v10 - auc) * (v10 - auc);
		s01 += neg * (v01 - auc) * (v01 - auc);
	}
	s10 /= r->total_pos - 1;
	s01 /= r->total_neg - 1;
	out->auc = auc;
	out->variance = s10 / r->total_pos + s01 / r->total_neg;
	out->se = sqrt(out->variance);
	z = mrm_norm_ppf(1 - (1 - level) / 2);
	out->low = auc - z * out->se;
	out->high = auc + z * out->se;
	if (out->low < 0)
		out->low = 0;
	if (out->high > 1)
		out->high = 1;
}

/* Per-row placement (V10 for a positive row, V01 for a negative one). */
static void row_placements(const struct mrm_ranked *r, double *v)
{
	size_t g, j = 0;

	for (g = 0; g < r->k; g++) {
		double v10, v01;

		placements(r, g, &v10, &v01);
		for (; j < r->rows[g]; j++) {
			uint32_t i = r->order[j];

			/* The class is recovered by the caller; store both halves. */
			v[2 * (size_t)i] = v10;
			v[2 * (size_t)i + 1] = v01;
		}
	}
}

int mrm_delong_paired(const struct mrm_ranked *r1, const struct mrm_ranked *r2,
		      const uint8_t *y, double level,
		      struct mrm_delong_test *out, struct mrm_error *err)
{
	double *v1 = NULL, *v2 = NULL;
	double a1 = 0, a2 = 0, s10[3] = { 0 }, s01[3] = { 0 }, P, N, var, z;
	size_t i, n = r1->n;

	memset(out, 0, sizeof(*out));
	out->auc1 = out->auc2 = out->difference = out->var1 = out->var2 = NAN;
	out->cov = out->se = out->z = out->p_value = out->low = out->high = NAN;
	out->reason = delong_undefined(r1);
	if (!out->reason)
		out->reason = delong_undefined(r2);
	if (out->reason)
		return 0;
	if (r2->n != n || r1->total_pos != r2->total_pos || r1->total_neg != r2->total_neg) {
		out->reason = reason_mismatch;
		return mrm_error_set(err, MRM_EINPUT,
				     "paired DeLong: the two scores are of different rows or labels");
	}
	v1 = malloc(2 * n * sizeof(*v1));
	v2 = malloc(2 * n * sizeof(*v2));
	if (!v1 || !v2) {
		free(v1);
		free(v2);
		return mrm_error_set(err, MRM_EINPUT, "out of memory for the DeLong test");
	}
	row_placements(r1, v1);
	row_placements(r2, v2);
	P = r1->total_pos;
	N = r1->total_neg;
	for (i = 0; i < n; i++)
		if (y[i]) {
			a1 += v1[2 * i];
			a2 += v2[2 * i];
		}
	a1 /= P;
	a2 /= P;
	for (i = 0; i < n; i++) {
		if (y[i]) {
			double d1 = v1[2 * i] - a1, d2 = v2[2 * i] - a2;

			s10[0] += d1 * d1;
			s10[1] += d2 * d2;
			s10[2] += d1 * d2;
		} else {
			double d1 = v1[2 * i + 1] - a1, d2 = v2[2 * i + 1] - a2;

			s01[0] += d1 * d1;
			s01[1] += d2 * d2;
			s01[2] += d1 * d2;
		}
	}
	free(v1);
	free(v2);
	out->auc1 = a1;
	out->auc2 = a2;
	out->difference = a2 - a1;
	out->var1 = s10[0] / (P - 1) / P + s01[0] / (N - 1) / N;
	out->var2 = s10[1] / (P - 1) / P + s01[1] / (N - 1) / N;
	out->cov = s10[2] / (P - 1) / P + s01[2] / (N - 1) / N;
	var = out->var1 + out->var2 - 2 * out->cov;
	if (!(var > 0)) {
		out->se = 0;
		out->reason = reason_zero_se;
		return 0;
	}
	out->se = sqrt(var);
	out->z = (a1 - a2) / out->se;
	out->p_value = 2 * mrm_norm_cdf(-fabs(out->z));
	z = mrm_norm_ppf(1 - (1 - level) / 2);
	out->low = out->difference - z * out->se;
	out->high = out->difference + z * out->se;
	return 0;
}
