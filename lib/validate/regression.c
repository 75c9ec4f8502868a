/* The regression report of `mrm validate --task regression`: metrics, bootstrap intervals, slices. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "validate/internal.h"

#define NREG 6

static const char *const names[NREG] = { "mae", "mse", "rmse", "r2", "mape", "median_absolute_error" };

static void as_array(const struct mrm_regression_metrics *m, struct mrm_metric out[NREG])
{
	out[0] = m->mae;
	out[1] = m->mse;
	out[2] = m->rmse;
	out[3] = m->r2;
	out[4] = m->mape;
	out[5] = m->median_absolute_error;
}

struct rctx {
	const double *y, *p;
	size_t n;
};

static int replicate(void *arg, const double *rw, double *out)
{
	const struct rctx *c = arg;
	struct mrm_regression d = { c->n, c->y, c->p, rw };
	struct mrm_regression_metrics m;
	struct mrm_metric a[NREG];
	size_t k;
	double tot = 0;

	for (k = 0; k < c->n; k++)
		tot += rw[k];
	if (tot == 0 || mrm_regression_metrics(&d, &m, NULL)) {
		for (k = 0; k < NREG; k++)
			out[k] = NAN;
		return 0;
	}
	as_array(&m, a);
	for (k = 0; k < NREG; k++)
		out[k] = a[k].reason ? NAN : a[k].value;
	return 0;
}

/* Metrics (and intervals) of rows y, p, w into obj. */
static int population(const struct mrm_validate_options *o, size_t n, const double *y,
		      const double *p, const double *w, json_t *obj, bool top,
		      struct mrm_metric *first, struct mrm_error *err)
{
	struct mrm_regression d = { n, y, p, w };
	struct mrm_regression_metrics m;
	struct mrm_metric a[NREG];
	json_t *metrics = json_object(), *undef = json_object(), *ci = json_object();
	json_t *method = json_object();
	size_t k;
	int rc;

	if ((rc = mrm_regression_metrics(&d, &m, err))) {
		json_decref(metrics);
		json_decref(undef);
		json_decref(ci);
		json_decref(method);
		return rc;
	}
	as_array(&m, a);
	*first = a[0];
	for (k = 0; k < NREG; k++)
		mrm__jmetric(metrics, undef, names[k], a[k]);
	if (o->bootstrap && n) {
		struct mrm_interval iv[NREG];
		struct rctx c = { y, p, n };

		if ((rc = mrm__boot(n, w, o->bootstrap, o->seed, o->threads, NREG, replicate, &c, iv, err))) {
			json_decref(metrics);
			json_decref(undef);
			json_decref(ci);
			json_decref(method);
			return rc;
		}
		for (k = 0; k < NREG; k++) {
			if (a[k].reason || iv[k].reason)
				continue;
			json_object_set_new(ci, names[k], mrm__jpair(iv[k].low, iv[k].high));
			json_object_set_new(method, names[k], json_string("bootstrap"));
		}
	}
	json_object_set_new(obj, "metrics", metrics);
	json_object_set_new(obj, "undefined", undef);
	json_object_set_new(obj, "ci", ci);
	if (top)
		json_object_set_new(obj, "ci_method", method);
	else
		json_decref(method);
	return 0;
}

int mrm__regression_report(struct mrm__vdata *d, json_t *res, struct mrm_error *err)
{
	const struct mrm_validate_options *o = d->o;
	struct mrm__slicing sl[MRM__MAX_GROUPS + 1];
	size_t nsl = 0, i, j;
	double tw = 0;
	struct mrm_metric first;
	int rc;

	json_object_set_new(res, "rows", json_integer((json_int_t)d->n));
	if (d->w) {
		for (j = 0; j < d->n; j++)
			tw += d->w[j];
		json_object_set_new(res, "weight", mrm__jcount(tw));
	}
	if (d->n == 0)
		mrm__warn(d->warnings, "no rows left to validate");
	if ((rc = population(o, d->n, d->yr, d->pr, d->w, res, true, &first, err)))
		return rc;
	if (o->bootstrap)
		json_object_set_new(res, "bootstrap", json_pack("{s:I,s:I,s:s,s:f}", "replicates",
								(json_int_t)o->bootstrap, "seed",
								(json_int_t)o->seed, "method", "poisson",
								"level", 0.95));
	if (!d->ng)
		return 0;
	if ((rc = mrm__slicings(d, NULL, d->n, sl, &nsl, err)))
		return rc;
	{
		json_t *groups = json_object(), *worst = json_object();
		uint32_t *rows = malloc((d->n ? d->n : 1) * sizeof(uint32_t));
		double *y = malloc((d->n ? d->n : 1) * sizeof(double));
		double *p = malloc((d->n ? d->n : 1) * sizeof(double));
		double *w = d->w ? malloc(d->n * sizeof(double) + 1) : NULL;

		json_object_set_new(res, "groups", groups);
		json_object_set_new(res, "worst_slice", worst);
		if (!rows || !y || !p || (d->w && !w)) {
			rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
			goto done;
		}
		for (i = 0; i < nsl && !rc; i++) {
			struct mrm__slicing *s = &sl[i];
			size_t *start = malloc((s->nslices + 1) * sizeof(size_t)), q;
			json_t *gobj = json_object();
			const char *worst_name = NULL;
			double worst_val = -INFINITY;

			json_object_set_new(groups, s->key, gobj);
			if (!start) {
				rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
				break;
			}
			mrm__bucket(s->code, d->n, s->nslices, rows, start);
			for (q = 0; q < s->nsorted && !rc; q++) {
				size_t c = s->sorted[q], m = start[c + 1] - start[c];
				json_t *e = json_object();

				for (j = 0; j < m; j++) {
					uint32_t r = rows[start[c] + j];

					y[j] = d->yr[r];
					p[j] = d->pr[r];
					if (w)
						w[j] = d->w[r];
				}
				json_object_set_new(e, "n", json_integer((json_int_t)m));
				if (s->values)
					json_object_set_new(e, "values", json_incref(s->values[c]));
				rc = population(o, m, y, p, w, e, false, &first, err);
				json_object_set_new(e, "small", m < MRM_SMALL_MIN_ROWS ? json_string("fewer than 30 rows")
										     : json_null());
				if (m < MRM_SMALL_MIN_ROWS)
					mrm__warn(d->warnings, "slice %s=%s is too small to support a conclusion: "
						  "%zu rows (fewer than %d)", s->key, s->names[c], m, MRM_SMALL_MIN_ROWS);
				if (!first.reason && first.value > worst_val) {
					worst_val = first.value;
					worst_name = s->names[c];
				}
				json_object_set_new(gobj, s->names[c], e);
			}
			json_object_set_new(worst, s->key,
					    worst_name ? json_pack("{s:s,s:s,s:f}", "metric", "mae", "slice",
								   worst_name, "value", worst_val)
						       : json_null());
			free(start);
		}
done:
		free(rows);
		free(y);
		free(p);
		free(w);
	}
	for (i = 0; i < nsl; i++)
		mrm__slicing_release(&sl[i]);
	return rc;
}
