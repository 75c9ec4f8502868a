/* The multiclass report of `mrm validate --task multiclass`: averaged metrics, per-class table, slices. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "validate/internal.h"

#define NMC 11

static const char *const names[NMC] = {
	"accuracy", "precision_macro", "precision_micro", "precision_weighted",
	"recall_macro", "recall_micro", "recall_weighted", "f1_macro", "f1_micro", "f1_weighted",
	"log_loss",
};

static void as_array(const struct mrm_multiclass_metrics *m, struct mrm_metric a[NMC])
{
	a[0] = m->accuracy;
	a[1] = m->precision_macro;
	a[2] = m->precision_micro;
	a[3] = m->precision_weighted;
	a[4] = m->recall_macro;
	a[5] = m->recall_micro;
	a[6] = m->recall_weighted;
	a[7] = m->f1_macro;
	a[8] = m->f1_micro;
	a[9] = m->f1_weighted;
	a[10] = m->log_loss;
}

struct mctx {
	struct mrm_multiclass d; /* weight replaced per replicate */
};

static int replicate(void *arg, const double *rw, double *out)
{
	const struct mctx *c = arg;
	struct mrm_multiclass d = c->d;
	struct mrm_multiclass_metrics m;
	struct mrm_metric a[NMC];
	double tot = 0;
	size_t k;

	d.weight = rw;
	for (k = 0; k < d.n; k++)
		tot += rw[k];
	if (tot == 0 || mrm_multiclass_metrics(&d, &m, NULL)) {
		for (k = 0; k < NMC; k++)
			out[k] = NAN;
		return 0;
	}
	as_array(&m, a);
	for (k = 0; k < NMC; k++)
		out[k] = a[k].reason ? NAN : a[k].value;
	return 0;
}

/* The predicted class of row i: given, or the first highest probability. */
static uint32_t predicted(const struct mrm_multiclass *d, size_t i)
{
	const double *p;
	uint32_t best = 0, c;

	if (d->pred)
		return d->pred[i];
	p = d->proba + i * d->k;
	for (c = 1; c < d->k; c++)
		if (p[c] > p[best])
			best = c;
	return best;
}

static json_t *class_table(const struct mrm_multiclass *d, char **classes, json_t **cm_out)
{
	size_t K = d->k, i, a, b;
	double *cm = calloc(K * K + 1, sizeof(double));
	json_t *t = json_array(), *cmj = json_array();

	if (!cm) {
		*cm_out = json_null();
		return t;
	}
	for (i = 0; i < d->n; i++)
		cm[d->y[i] * K + predicted(d, i)] += d->weight ? d->weight[i] : 1.0;
	for (a = 0; a < K; a++) {
		double tp = cm[a * K + a], support = 0, pred = 0;
		json_t *row = json_array(), *e;

		for (b = 0; b < K; b++) {
			support += cm[a * K + b];
			pred += cm[b * K + a];
			json_array_append_new(row, mrm__jcount(cm[a * K + b]));
		}
		json_array_append_new(cmj, row);
		e = json_pack("{s:s,s:o}", "class", classes[a], "support", mrm__jcount(support));
		json_object_set_new(e, "precision", pred > 0 ? json_real(tp / pred) : json_null());
		json_object_set_new(e, "recall", support > 0 ? json_real(tp / support) : json_null());
		json_object_set_new(e, "f1", support + pred > 0 ? json_real(2 * tp / (support + pred)) : json_null());
		json_array_append_new(t, e);
	}
	free(cm);
	*cm_out = cmj;
	return t;
}

static int population(const struct mrm_validate_options *o, const struct mrm_multiclass *d,
		      char **classes, json_t *obj, bool top, struct mrm_metric *first,
		      struct mrm_error *err)
{
	struct mrm_multiclass_metrics m;
	struct mrm_metric a[NMC];
	json_t *metrics = json_object(), *undef = json_object(), *ci = json_object();
	json_t *method = json_object(), *cm;
	size_t k;
	int rc;

	if ((rc = mrm_multiclass_metrics(d, &m, err)))
		goto fail;
	as_array(&m, a);
	*first = a[0];
	for (k = 0; k < NMC; k++)
		mrm__jmetric(metrics, undef, names[k], a[k]);
	if (o->bootstrap && d->n) {
		struct mrm_interval iv[NMC];
		struct mctx c = { *d };

		if ((rc = mrm__boot(d->n, d->weight, o->bootstrap, o->seed, o->threads, NMC, replicate,
				    &c, iv, err)))
			goto fail;
		for (k = 0; k < NMC; k++) {
			if (a[k].reason || iv[k].reason)
				continue;
			json_object_set_new(ci, names[k], mrm__jpair(iv[k].low, iv[k].high));
			json_object_set_new(method, names[k], json_string("bootstrap"));
		}
	}
	if (!o->bootstrap && !a[0].reason && d->n) {
		/* Accuracy is a rate: the Wilson interval of the correct rows. */
		double tw = 0, lo, hi;

		for (k = 0; k < d->n; k++)
			tw += d->weight ? d->weight[k] : 1.0;
		mrm_wilson(a[0].value * tw, tw, 0.95, &lo, &hi);
		json_object_set_new(ci, "accuracy", mrm__jpair(lo, hi));
		json_object_set_new(method, "accuracy", json_string("wilson"));
	}
	json_object_set_new(obj, "metrics", metrics);
	json_object_set_new(obj, "undefined", undef);
	json_object_set_new(obj, "ci", ci);
	if (top) {
		json_object_set_new(obj, "ci_method", method);
		json_object_set_new(obj, "classes_present", json_integer((json_int_t)m.classes_present));
		json_object_set_new(obj, "ill_defined", json_integer((json_int_t)m.ill_defined));
		json_object_set_new(obj, "classes", class_table(d, classes, &cm));
		json_object_set_new(obj, "confusion_matrix", cm);
	} else {
		json_decref(method);
	}
	return 0;
fail:
	json_decref(metrics);
	json_decref(undef);
	json_decref(ci);
	json_decref(method);
	return rc;
}

int mrm__multiclass_report(struct mrm__vdata *d, json_t *res, struct mrm_error *err)
{
	const struct mrm_validate_options *o = d->o;
	struct mrm_multiclass all = { d->n, d->nclasses, d->yc, d->pc, d->proba, d->w };
	struct mrm__slicing sl[MRM__MAX_GROUPS + 1];
	struct mrm_metric first;
	size_t nsl = 0, i, j, K = d->nclasses;
	int rc;

	json_object_set_new(res, "rows", json_integer((json_int_t)d->n));
	if (d->w) {
		double tw = 0;

		for (j = 0; j < d->n; j++)
			tw += d->w[j];
		json_object_set_new(res, "weight", mrm__jcount(tw));
	}
	{
		json_t *cl = json_array();

		for (j = 0; j < K; j++)
			json_array_append_new(cl, json_string(d->classes[j]));
		json_object_set_new(res, "class_names", cl);
	}
	if (d->n == 0)
		mrm__warn(d->warnings, "no rows left to validate");
	if ((rc = population(o, &all, d->classes, res, true, &first, err)))
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
		size_t cap = d->n ? d->n : 1;
		uint32_t *rows = malloc(cap * sizeof(uint32_t));
		uint32_t *y = malloc(cap * sizeof(uint32_t));
		uint32_t *p = d->pc ? malloc(cap * sizeof(uint32_t)) : NULL;
		double *pr = d->proba ? malloc(cap * K * sizeof(double) + 1) : NULL;
		double *w = d->w ? malloc(cap * sizeof(double)) : NULL;

		json_object_set_new(res, "groups", groups);
		json_object_set_new(res, "worst_slice", worst);
		if (!rows || !y || (d->pc && !p) || (d->proba && !pr) || (d->w && !w)) {
			rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
			goto done;
		}
		for (i = 0; i < nsl && !rc; i++) {
			struct mrm__slicing *s = &sl[i];
			size_t *start = malloc((s->nslices + 1) * sizeof(size_t)), q;
			json_t *gobj = json_object();
			const char *worst_name = NULL;
			double worst_val = INFINITY;

			json_object_set_new(groups, s->key, gobj);
			if (!start) {
				rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
				break;
			}
			mrm__bucket(s->code, d->n, s->nslices, rows, start);
			for (q = 0; q < s->nsorted && !rc; q++) {
				size_t c = s->sorted[q], m = start[c + 1] - start[c];
				struct mrm_multiclass sd = { m, K, y, p, pr, w };
				json_t *e = json_object();

				for (j = 0; j < m; j++) {
					uint32_t r = rows[start[c] + j];

					y[j] = d->yc[r];
					if (p)
						p[j] = d->pc[r];
					if (pr)
						memcpy(pr + j * K, d->proba + (size_t)r * K, K * sizeof(double));
					if (w)
						w[j] = d->w[r];
				}
				json_object_set_new(e, "n", json_integer((json_int_t)m));
				if (s->values)
					json_object_set_new(e, "values", json_incref(s->values[c]));
				rc = population(o, &sd, d->classes, e, false, &first, err);
				json_object_set_new(e, "small", m < MRM_SMALL_MIN_ROWS ? json_string("fewer than 30 rows")
										     : json_null());
				if (m < MRM_SMALL_MIN_ROWS)
					mrm__warn(d->warnings, "slice %s=%s is too small to support a conclusion: "
						  "%zu rows (fewer than %d)", s->key, s->names[c], m, MRM_SMALL_MIN_ROWS);
				if (!rc && !first.reason && first.value < worst_val) {
					worst_val = first.value;
					worst_name = s->names[c];
				}
				json_object_set_new(gobj, s->names[c], e);
			}
			json_object_set_new(worst, s->key,
					    worst_name ? json_pack("{s:s,s:s,s:f}", "metric", "accuracy", "slice",
								   worst_name, "value", worst_val)
						       : json_null());
			free(start);
		}
done:
		free(rows);
		free(y);
		free(p);
		free(pr);
		free(w);
	}
	for (i = 0; i < nsl; i++)
		mrm__slicing_release(&sl[i]);
	return rc;
}
