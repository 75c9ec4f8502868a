/* Regression metrics as scikit-learn 1.2 defines them, with sample weights. */
#include <float.h>
#include <stdlib.h>

#include "stats/internal.h"

static const char reason_constant_truth[] =
	"y_true is constant (R^2 has a zero denominator)";

int mrm_regression_metrics(const struct mrm_regression *d,
			   struct mrm_regression_metrics *out,
			   struct mrm_error *err)
{
	double sw = 0, sae = 0, sse = 0, sape = 0, sy = 0, ybar, den = 0;
	double *ae = NULL;
	uint32_t *idx = NULL;
	size_t i, n = d->n;
	int rc = 0;

	for (i = 0; i < n; i++) {
		double w = d->weight ? d->weight[i] : 1.0;

		if (!isfinite(d->y_true[i]))
			return mrm_error_set(err, MRM_EINPUT, "row %zu: y_true is %s", i,
					     isnan(d->y_true[i]) ? "NaN" : "infinite");
		if (!isfinite(d->y_pred[i]))
			return mrm_error_set(err, MRM_EINPUT, "row %zu: prediction is %s", i,
					     isnan(d->y_pred[i]) ? "NaN" : "infinite");
		if (!isfinite(w) || w < 0)
			return mrm_error_set(err, MRM_EINPUT,
					     "row %zu: weight is negative or not finite", i);
	}
	for (i = 0; i < n; i++) {
		double w = d->weight ? d->weight[i] : 1.0;
		double e = d->y_pred[i] - d->y_true[i], at = fabs(d->y_true[i]);

		sw += w;
		sae += w * fabs(e);
		sse += w * e * e;
		sape += w * (fabs(e) / (at > DBL_EPSILON ? at : DBL_EPSILON));
		sy += w * d->y_true[i];
	}
	if (n == 0 || sw == 0) {
		out->mae = out->mse = out->rmse = out->r2 = out->mape =
			out->median_absolute_error = mrm__undef(mrm_reason_no_rows);
		return 0;
	}
	out->mae = mrm__val(sae / sw);
	out->mse = mrm__val(sse / sw);
	out->rmse = mrm__val(sqrt(sse / sw));
	out->mape = mrm__val(sape / sw);
	ybar = sy / sw;
	for (i = 0; i < n; i++) {
		double w = d->weight ? d->weight[i] : 1.0, c = d->y_true[i] - ybar;

		den += w * c * c;
	}
	out->r2 = den == 0 ? mrm__undef(reason_constant_truth) : mrm__val(1 - sse / den);

	/* Median absolute error: np.median, or sklearn's lower weighted percentile. */
	if (n >= ((size_t)1 << 32))
		return mrm_error_set(err, MRM_EINPUT, "too many rows for the median (%zu)", n);
	ae = malloc(n * sizeof(*ae));
	if (d->weight)
		idx = malloc(n * sizeof(*idx));
	if (!ae || (d->weight && !idx)) {
		rc = mrm_error_set(err, MRM_EINPUT, "out of memory for %zu rows", n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		ae[i] = fabs(d->y_pred[i] - d->y_true[i]);
		if (idx)
			idx[i] = (uint32_t)i;
	}
	rc = mrm_sort_doubles(ae, idx, n, err);
	if (rc)
		goto out;
	if (!d->weight) {
		out->median_absolute_error =
			mrm__val(n % 2 ? ae[n / 2] : (ae[n / 2 - 1] + ae[n / 2]) / 2);
	} else {
		double cum = 0, target;
		size_t at = n - 1;

		target = 0.5 * sw;
		/* First index whose cumulative weight reaches half the total. */
		for (i = 0; i < n; i++) {
			cum += d->weight[idx[i]];
			if (cum >= target) {
				at = i;
				break;
			}
		}
		out->median_absolute_error = mrm__val(ae[at]);
	}
out:
	free(ae);
	free(idx);
	return rc;
}
