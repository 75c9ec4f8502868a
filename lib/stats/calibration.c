/* Calibration: reliability tables with equal-width or equal-count bins, ECE/MCE, slope and intercept. */
#include <float.h>
#include <stdlib.h>

#include "mrm/stats-ci.h"
#include "stats/internal.h"

struct order_stat {
	const struct mrm_ranked *r;
};

/* The j-th smallest score (0-based) of the ranked rows, by binary search on rows[]. */
static double nth_smallest(const void *ctx, size_t j)
{
	const struct mrm_ranked *r = ((const struct order_stat *)ctx)->r;
	size_t want = r->n - 1 - j; /* index in descending order */
	size_t lo = 0, hi = r->k - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->rows[mid] > want)
			hi = mid;
		else
			lo = mid + 1;
	}
	return r->score[lo];
}

/* Bin of s: the number of inner edges e[1..bins-1] strictly below s. */
static size_t edge_bin(const double *e, size_t bins, double s)
{
	size_t lo = 1, hi = bins; /* search e[1..bins-1] */

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e[mid] < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

int mrm_calibration(const struct mrm_binary *d, const struct mrm_ranked *r,
		    enum mrm_binning binning, size_t bins,
		    struct mrm_reliability_bin *table, struct mrm_metric *ece,
		    struct mrm_metric *mce, struct mrm_error *err)
{
	double *e = NULL, *bw = NULL, *bp = NULL, *by = NULL;
	size_t *cnt = NULL, i, b;
	int rc;

	if (bins == 0)
		bins = 10;
	rc = mrm_binary_check(d, err);
	if (rc)
		return rc;
	memset(table, 0, bins * sizeof(*table));
	if (!mrm_binary_is_probability(d)) {
		*ece = mrm__undef(mrm_reason_not_probabilities);
		*mce = mrm__undef(mrm_reason_not_probabilities);
		return 0;
	}
	if (binning == MRM_BINS_QUANTILE && !r)
		return mrm_error_set(err, MRM_EINPUT, "quantile bins need the ranking");
	e = malloc((bins + 1) * sizeof(*e));
	bw = calloc(bins, sizeof(*bw));
	bp = calloc(bins, sizeof(*bp));
	by = calloc(bins, sizeof(*by));
	cnt = calloc(bins, sizeof(*cnt));
	if (!e || !bw || !bp || !by || !cnt) {
		rc = mrm_error_set(err, MRM_EINPUT, "out of memory for %zu bins", bins);
		goto out;
	}
	if (binning == MRM_BINS_QUANTILE) {
		struct order_stat os = { r };

		if (r->n == 0) {
			*ece = mrm__undef(mrm_reason_no_rows);
			*mce = mrm__undef(mrm_reason_no_rows);
			goto out;
		}
		for (b = 0; b <= bins; b++)
			e[b] = mrm__percentile_fn(nth_smallest, &os, r->n,
						  mrm__uniform_edge(b, bins) * 100);
	} else {
		for (b = 0; b <= bins; b++)
			e[b] = mrm__uniform_edge(b, bins);
	}
	if (r) {
		/* One step per distinct score: rows with equal scores share a bin. */
		size_t g;

		for (g = 0; g < r->k; g++) {
			double s = r->score[g];
			double pos = r->tps[g] - (g ? r->tps[g - 1] : 0);
			double w = pos + r->fps[g] - (g ? r->fps[g - 1] : 0);

			b = binning == MRM_BINS_QUANTILE ? edge_bin(e, bins, s)
							 : mrm__uniform_bin(s, bins);
			cnt[b] += r->rows[g] - (g ? r->rows[g - 1] : 0);
			bw[b] += w;
			bp[b] += w * s;
			by[b] += pos;
		}
	} else {
		for (i = 0; i < d->n; i++) {
			double w = d->weight ? d->weight[i] : 1.0, s = d->score[i];

			if (w == 0)
				continue;
			b = mrm__uniform_bin(s, bins);
			cnt[b]++;
			bw[b] += w;
			bp[b] += w * s;
			by[b] += w * d->y[i];
		}
	}
	for (b = 0; b < bins; b++) {
		struct mrm_reliability_bin *t = &table[b];

		t->lower = e[b];
		t->upper = e[b + 1];
		t->count = cnt[b];
		t->weight = bw[b];
		if (bw[b] > 0) {
			t->mean_predicted = bp[b] / bw[b];
			t->observed_rate = by[b] / bw[b];
			mrm_wilson(by[b], bw[b], 0.95, &t->ci_low, &t->ci_high);
		} else {
			t->mean_predicted = NAN;
			t->observed_rate = NAN;
			t->ci_low = NAN;
			t->ci_high = NAN;
		}
	}
	mrm__ece(bw, bp, by, bins, ece, mce);
out:
	free(e);
	free(bw);
	free(bp);
	free(by);
	free(cnt);
	return rc;
}

static double logit_clipped(double p)
{
	const double eps = DBL_EPSILON;

	p = p < eps ? eps : (p > 1 - eps ? 1 - eps : p);
	return log(p / (1 - p));
}

/* Log-likelihood of y ~ a + b x over pooled groups. */
static double loglik(const double *x, const double *wy, const double *wt,
		     size_t k, double a, double b)
{
	double ll = 0;
	size_t g;

	for (g = 0; g < k; g++) {
		double eta = a + b * x[g];
		/* log(1 + e^eta) without overflow. */
		double l1p = eta > 0 ? eta + log1p(exp(-eta)) : log1p(exp(eta));

		ll += wy[g] * eta - wt[g] * l1p;
	}
	return ll;
}

int mrm_calibration_slope(const struct mrm_ranked *r,
			  struct mrm_calibration_fit *out, struct mrm_error *err)
{
	double *x = NULL, *wy = NULL, *wt = NULL;
	double a = 0, b = 0, ll;
	const char *why = NULL;
	size_t g, k = r->k;
	int it, rc = 0;

	memset(out, 0, sizeof(*out));
	if (r->n == 0)
		why = mrm_reason_no_rows;
	else if (r->score[0] > 1 || r->score[k - 1] < 0)
		why = mrm_reason_not_probabilities;
	else if (r->total_pos == 0 || r->total_neg == 0)
		why = mrm_reason_one_class;
	else if (k < 2)
		why = mrm__reason_constant;
	if (why)
		goto done;
	x = malloc(k * sizeof(*x));
	wy = malloc(k * sizeof(*wy));
	wt = malloc(k * sizeof(*wt));
	if (!x || !wy || !wt) {
		rc = mrm_error_set(err, MRM_EINPUT, "out of memory for the calibration fit");
		goto done;
	}
	for (g = 0; g < k; g++) {
		double tp0 = g ? r->tps[g - 1] : 0, fp0 = g ? r->fps[g - 1] : 0;

		x[g] = logit_clipped(r->score[g]);
		wy[g] = r->tps[g] - tp0;
		wt[g] = wy[g] + (r->fps[g] - fp0);
	}
	ll = loglik(x, wy, wt, k, a, b);
	why = mrm__reason_separation;
	for (it = 1; it <= 200; it++) {
		double g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0, det, da, db, step = 1;

		for (g = 0; g < k; g++) {
			double eta = a + b * x[g], mu = 1 / (1 + exp(-eta));
			double res = wy[g] - wt[g] * mu, v = wt[g] * mu * (1 - mu);

			g0 += res;
			g1 += res * x[g];
			h00 += v;
			h01 += v * x[g];
			h11 += v * x[g] * x[g];
		}
		det = h00 * h11 - h01 * h01;
		if (!(det > 0) || !isfinite(det))
			break;
		da = (h11 * g0 - h01 * g1) / det;
		db = (h00 * g1 - h01 * g0) / det;
		/* Halve the step while the likelihood would fall (rare). */
		for (;;) {
			double nll = loglik(x, wy, wt, k, a + step * da, b + step * db);

			if (nll >= ll || step < 1e-10) {
				ll = nll;
				break;
			}
			step /= 2;
		}
		a += step * da;
		b += step * db;
		out->iterations = it;
		if (!isfinite(a) || !isfinite(b) || fabs(b) > 1e8)
			break;
		if (fabs(step * da) <= 1e-11 * (1 + fabs(a)) &&
		    fabs(step * db) <= 1e-11 * (1 + fabs(b))) {
			why = NULL;
			break;
		}
	}
done:
	if (why) {
		out->slope = mrm__undef(why);
		out->intercept = mrm__undef(why);
	} else if (!rc) {
		out->slope = mrm__val(b);
		out->intercept = mrm__val(a);
	}
	free(x);
	free(wy);
	free(wt);
	return rc;
}
