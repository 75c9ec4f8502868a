/* Multiclass accuracy, averaged precision/recall/F1 and log loss as scikit-learn 1.2. */
#include <float.h>
#include <stdlib.h>

#include "stats/internal.h"

static const char reason_no_proba[] = "no class probabilities given";

int mrm_multiclass_metrics(const struct mrm_multiclass *d,
			   struct mrm_multiclass_metrics *out,
			   struct mrm_error *err)
{
	double *tp = NULL, *ps = NULL, *ts = NULL;
	size_t *seen = NULL;
	double sw = 0, correct = 0, ll = 0;
	size_t i, c, k = d->k, present = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (k == 0)
		return mrm_error_set(err, MRM_EINPUT, "multiclass data needs at least one class");
	if (!d->pred && !d->proba)
		return mrm_error_set(err, MRM_EINPUT,
				     "multiclass data needs predicted classes or probabilities");
	tp = calloc(k, sizeof(*tp));
	ps = calloc(k, sizeof(*ps));
	ts = calloc(k, sizeof(*ts));
	seen = calloc(k, sizeof(*seen));
	if (!tp || !ps || !ts || !seen) {
		rc = mrm_error_set(err, MRM_EINPUT, "out of memory for %zu classes", k);
		goto out;
	}
	for (i = 0; i < d->n; i++) {
		double w = d->weight ? d->weight[i] : 1.0, rowsum = 0;
		uint32_t y = d->y[i], p;

		if (y >= k) {
			rc = mrm_error_set(err, MRM_EINPUT, "row %zu: class %u is not below %zu",
					   i, (unsigned)y, k);
			goto out;
		}
		if (!isfinite(w) || w < 0) {
			rc = mrm_error_set(err, MRM_EINPUT,
					   "row %zu: weight is negative or not finite", i);
			goto out;
		}
		if (d->proba) {
			const double *pr = d->proba + i * k;
			size_t best = 0;

			for (c = 0; c < k; c++) {
				if (!(pr[c] >= 0 && pr[c] <= 1)) {
					rc = mrm_error_set(err, MRM_EINPUT,
							   "row %zu: probability of class %zu is not in [0, 1]",
							   i, c);
					goto out;
				}
				if (pr[c] > pr[best])
					best = c;
			}
			p = d->pred ? d->pred[i] : (uint32_t)best;
			/* sklearn: clip each to [eps, 1 - eps], renormalise, -log p_y. */
			for (c = 0; c < k; c++) {
				double q = pr[c] < DBL_EPSILON ? DBL_EPSILON
					 : pr[c] > 1 - DBL_EPSILON ? 1 - DBL_EPSILON : pr[c];

				rowsum += q;
			}
			{
				double q = pr[y] < DBL_EPSILON ? DBL_EPSILON
					 : pr[y] > 1 - DBL_EPSILON ? 1 - DBL_EPSILON : pr[y];

				ll += w * -log(q / rowsum);
			}
		} else {
			p = d->pred[i];
		}
		if (p >= k) {
			rc = mrm_error_set(err, MRM_EINPUT,
					   "row %zu: predicted class %u is not below %zu", i,
					   (unsigned)p, k);
			goto out;
		}
		seen[y]++;
		seen[p]++;
		sw += w;
		ts[y] += w;
		ps[p] += w;
		if (p == y) {
			tp[y] += w;
			correct += w;
		}
	}
	if (d->n == 0 || sw == 0) {
		out->accuracy = out->precision_macro = out->precision_micro =
			out->precision_weighted = out->recall_macro = out->recall_micro =
			out->recall_weighted = out->f1_macro = out->f1_micro =
			out->f1_weighted = out->log_loss = mrm__undef(mrm_reason_no_rows);
		goto out;
	}
	out->accuracy = mrm__val(correct / sw);
	out->log_loss = d->proba ? mrm__val(ll / sw) : mrm__undef(reason_no_proba);
	{
		double pm = 0, rm = 0, fm = 0, pw = 0, rw = 0, fw = 0, tsum = 0;
		double tps = 0, pss = 0, tss = 0, pmi, rmi, dmi;

		for (c = 0; c < k; c++) {
			double pr, re, f;

			if (!seen[c])
				continue;
			present++;
			pr = ps[c] > 0 ? tp[c] / ps[c] : 0;
			re = ts[c] > 0 ? tp[c] / ts[c] : 0;
			out->ill_defined += (ps[c] == 0) + (ts[c] == 0);
			f = pr + re == 0 ? 0 : 2 * pr * re / (pr + re);
			pm += pr;
			rm += re;
			fm += f;
			pw += ts[c] * pr;
			rw += ts[c] * re;
			fw += ts[c] * f;
			tsum += ts[c];
			tps += tp[c];
			pss += ps[c];
			tss += ts[c];
		}
		out->classes_present = present;
		out->precision_macro = mrm__val(pm / (double)present);
		out->recall_macro = mrm__val(rm / (double)present);
		out->f1_macro = mrm__val(fm / (double)present);
		out->precision_weighted = mrm__val(pw / tsum);
		out->recall_weighted = mrm__val(rw / tsum);
		out->f1_weighted = mrm__val(fw / tsum);
		pmi = pss > 0 ? tps / pss : 0;
		rmi = tss > 0 ? tps / tss : 0;
		dmi = pmi + rmi;
		out->precision_micro = mrm__val(pmi);
		out->recall_micro = mrm__val(rmi);
		out->f1_micro = mrm__val(dmi == 0 ? 0 : 2 * pmi * rmi / dmi);
	}
out:
	free(tp);
	free(ps);
	free(ts);
	free(seen);
	return rc;
}
