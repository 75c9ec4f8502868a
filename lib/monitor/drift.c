/*
 * mrm drift: per-column drift between a reference and a current data file, as one JSON document.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrm/drift.h"
#include "mrm/hash.h"
#include "mrm/stats-drift.h"

/* Evidently's size limit for the small-data tests, and the default thresholds. */
#define SMALL_ROWS 1000
#define P_THRESHOLD 0.05
#define PSI_THRESHOLD 0.2
#define DIST_THRESHOLD 0.1
#define SHARE_THRESHOLD 0.5

static const char *const methods[] = { "ks", "psi", "chi2", "wasserstein", "jensen_shannon",
				       "anderson_darling", "z", NULL };

bool mrm_drift_method_known(const char *name)
{
	size_t i;

	for (i = 0; methods[i]; i++)
		if (!strcmp(methods[i], name))
			return true;
	return false;
}

static bool p_based(const char *m)
{
	return !strcmp(m, "ks") || !strcmp(m, "chi2") || !strcmp(m, "z") || !strcmp(m, "anderson_darling");
}

static double default_threshold(const char *m)
{
	if (p_based(m))
		return P_THRESHOLD;
	if (!strcmp(m, "psi"))
		return PSI_THRESHOLD;
	return DIST_THRESHOLD;
}

/* One tested column while the document is built. */
struct col {
	json_t *obj;
	const char *method;
	double stat, p, thr;
	bool pbased, defined, drifted;
};

static json_t *metric(struct mrm_metric m, json_t *undef, const char *key)
{
	if (mrm_metric_ok(m))
		return json_real(m.value);
	json_object_set_new(undef, key, json_string(m.reason));
	return json_null();
}

static int oom(struct mrm_error *err)
{
	return mrm_error_set(err, MRM_EINPUT, "out of memory");
}

/* Present values of a numeric column into a new array. */
static double *present(const struct mrm_table_column *c, uint64_t nrows, size_t *n)
{
	double *v = malloc((nrows ? nrows : 1) * sizeof(*v));
	uint64_t i;

	*n = 0;
	if (!v)
		return NULL;
	for (i = 0; i < nrows; i++)
		if (!isnan(c->num[i]))
			v[(*n)++] = c->num[i];
	return v;
}

static void set_decision(struct col *r, const char *method, struct mrm_metric stat,
			 struct mrm_metric p, double thr)
{
	r->method = method;
	r->thr = thr;
	r->pbased = p_based(method);
	r->defined = mrm_metric_ok(stat) && (!r->pbased || mrm_metric_ok(p));
	r->stat = stat.value;
	r->p = r->pbased ? p.value : NAN;
	json_object_set_new(r->obj, "method", json_string(method));
	json_object_set_new(r->obj, "statistic", mrm_metric_ok(stat) ? json_real(stat.value) : json_null());
	json_object_set_new(r->obj, "p_value",
			    r->pbased && mrm_metric_ok(p) ? json_real(p.value) : json_null());
	json_object_set_new(r->obj, "threshold", json_real(thr));
	if (!r->defined)
		json_object_set_new(r->obj, "reason",
				    json_string(!mrm_metric_ok(stat) ? stat.reason : p.reason));
	else if (r->pbased)
		r->drifted = r->p < thr;
	else
		r->drifted = r->stat >= thr;
}

static int numeric_column(const struct mrm_drift_options *o, const struct mrm_table_column *rc,
			  uint64_t nr, const struct mrm_table_column *cc, uint64_t nc, struct col *r,
			  struct mrm_error *err)
{
	size_t na = 0, nb = 0;
	double *a = present(rc, nr, &na), *b = present(cc, nc, &nb);
	struct mrm_drift_test ks, ad;
	struct mrm_metric psi, w, wn, js;
	json_t *undef = json_object();
	const char *m = o->method;
	int rc_ = 0;

	if (!a || !b || !undef) {
		rc_ = oom(err);
		goto out;
	}
	json_object_set_new(r->obj, "type", json_string("numeric"));
	if (na == 0 || nb == 0) {
		json_object_set_new(r->obj, "method", json_null());
		json_object_set_new(r->obj, "statistic", json_null());
		json_object_set_new(r->obj, "p_value", json_null());
		json_object_set_new(r->obj, "drifted", json_false());
		json_object_set_new(r->obj, "reason", json_string(na == 0 ? "every reference value is missing" :
								 "every current value is missing"));
		goto out;
	}
	if ((rc_ = mrm_ks_2samp(a, na, b, nb, &ks, err)) ||
	    (rc_ = mrm_psi(a, na, b, nb, 0, &psi, err)) ||
	    (rc_ = mrm_wasserstein(a, na, b, nb, &w, &wn, err)) ||
	    (rc_ = mrm_jensen_shannon(a, na, b, nb, 0, &js, err)) ||
	    (rc_ = mrm_anderson_ksamp(a, na, b, nb, &ad, err)))
		goto out;
	json_object_set_new(r->obj, "ks_statistic", metric(ks.statistic, undef, "ks_statistic"));
	json_object_set_new(r->obj, "ks_p_value", metric(ks.p_value, undef, "ks_p_value"));
	json_object_set_new(r->obj, "psi", metric(psi, undef, "psi"));
	json_object_set_new(r->obj, "wasserstein", metric(w, undef, "wasserstein"));
	json_object_set_new(r->obj, "wasserstein_norm", metric(wn, undef, "wasserstein_norm"));
	json_object_set_new(r->obj, "jensen_shannon", metric(js, undef, "jensen_shannon"));
	json_object_set_new(r->obj, "anderson_darling", metric(ad.statistic, undef, "anderson_darling"));
	if (!m || !strcmp(m, "chi2") || !strcmp(m, "z"))
		m = na <= SMALL_ROWS ? "ks" : "wasserstein";
	if (!strcmp(m, "ks"))
		set_decision(r, "ks", ks.statistic, ks.p_value, o->has_threshold && o->method &&
			     !strcmp(o->method, m) ? o->threshold : default_threshold(m));
	else {
		struct mrm_metric s = !strcmp(m, "psi") ? psi : !strcmp(m, "wasserstein") ? wn :
				      !strcmp(m, "jensen_shannon") ? js : ad.statistic;
		struct mrm_metric p = !strcmp(m, "anderson_darling") ? ad.p_value :
				      (struct mrm_metric){ NAN, NULL };

		set_decision(r, m, s, p, o->has_threshold && o->method && !strcmp(o->method, m) ?
			     o->threshold : default_threshold(m));
	}
	if (json_object_size(undef))
		json_object_set(r->obj, "undefined", undef);
out:
	json_decref(undef);
	free(a);
	free(b);
	return rc_;
}

static int categorical_column(const struct mrm_drift_options *o, const struct mrm_table_column *rc,
			      uint64_t nr, const struct mrm_table_column *cc, uint64_t nc,
			      struct col *r, struct mrm_error *err)
{
	const struct mrm_table_dict *rd = rc->dict, *cd = cc->dict;
	size_t k = rd->n, i, nra = 0, nca = 0;
	uint32_t *map = malloc((cd->n ? cd->n : 1) * sizeof(*map));
	double *cr = NULL, *cu = NULL;
	const char **names = NULL;
	json_t *undef = json_object(), *newc = json_array(), *gone = json_array();
	struct mrm_drift_test chi, z = { 0 };
	struct mrm_metric psi, js;
	const char *m = o->method;
	bool binary;
	int rc_ = 0;

	if (!map || !undef || !newc || !gone) {
		rc_ = oom(err);
		goto out;
	}
	/* The union of the categories: the reference's, then the current's new ones. */
	for (i = 0; i < cd->n; i++) {
		uint32_t j;

		map[i] = UINT32_MAX;
		for (j = 0; j < rd->n; j++)
			if (rd->len[j] == cd->len[i] && !memcmp(rd->str[j], cd->str[i], cd->len[i])) {
				map[i] = j;
				break;
			}
		if (map[i] == UINT32_MAX)
			map[i] = (uint32_t)k++;
	}
	cr = calloc(k ? k : 1, sizeof(*cr));
	cu = calloc(k ? k : 1, sizeof(*cu));
	names = calloc(k ? k : 1, sizeof(*names));
	if (!cr || !cu || !names) {
		rc_ = oom(err);
		goto out;
	}
	for (i = 0; i < rd->n; i++)
		names[i] = rd->str[i];
	for (i = 0; i < cd->n; i++)
		names[map[i]] = cd->str[i];
	for (i = 0; i < nr; i++)
		if (rc->codes[i] != MRM_TABLE_NA_CODE) {
			cr[rc->codes[i]] += 1;
			nra++;
		}
	for (i = 0; i < nc; i++)
		if (cc->codes[i] != MRM_TABLE_NA_CODE) {
			cu[map[cc->codes[i]]] += 1;
			nca++;
		}
	json_object_set_new(r->obj, "type", json_string("categorical"));
	if (nra == 0 || nca == 0) {
		json_object_set_new(r->obj, "method", json_null());
		json_object_set_new(r->obj, "statistic", json_null());
		json_object_set_new(r->obj, "p_value", json_null());
		json_object_set_new(r->obj, "drifted", json_false());
		json_object_set_new(r->obj, "reason", json_string(nra == 0 ? "every reference value is missing" :
								 "every current value is missing"));
		goto out;
	}
	if ((rc_ = mrm_chi2_homogeneity(cr, cu, k, &chi, err)) ||
	    (rc_ = mrm_psi_counts(cr, cu, k, &psi, err)) ||
	    (rc_ = mrm_jensen_shannon_counts(cr, cu, k, &js, err)))
		goto out;
	binary = k == 2;
	if (binary && (rc_ = mrm_two_proportion_z(cr[0], (double)nra, cu[0], (double)nca, &z, err)))
		goto out;
	json_object_set_new(r->obj, "chi2_statistic", metric(chi.statistic, undef, "chi2_statistic"));
	json_object_set_new(r->obj, "chi2_p_value", metric(chi.p_value, undef, "chi2_p_value"));
	json_object_set_new(r->obj, "chi2_dof", json_integer((json_int_t)chi.dof));
	json_object_set_new(r->obj, "psi", metric(psi, undef, "psi"));
	json_object_set_new(r->obj, "jensen_shannon", metric(js, undef, "jensen_shannon"));
	if (binary) {
		json_object_set_new(r->obj, "z_statistic", metric(z.statistic, undef, "z_statistic"));
		json_object_set_new(r->obj, "z_p_value", metric(z.p_value, undef, "z_p_value"));
		json_object_set_new(r->obj, "z_category", json_string(names[0]));
	}
	for (i = 0; i < k; i++) {
		if (cr[i] == 0)
			json_array_append_new(newc, json_string(names[i]));
		if (cu[i] == 0)
			json_array_append_new(gone, json_string(names[i]));
	}
	json_object_set(r->obj, "new_categories", newc);
	json_object_set(r->obj, "vanished_categories", gone);
	if (!m || !strcmp(m, "ks") || !strcmp(m, "wasserstein") || !strcmp(m, "anderson_darling") ||
	    (!strcmp(m, "z") && !binary))
		m = nra <= SMALL_ROWS ? (binary ? "z" : "chi2") : "jensen_shannon";
	{
		double thr = o->has_threshold && o->method && !strcmp(o->method, m) ? o->threshold :
			     default_threshold(m);

		if (!strcmp(m, "chi2"))
			set_decision(r, m, chi.statistic, chi.p_value, thr);
		else if (!strcmp(m, "z"))
			set_decision(r, m, z.statistic, z.p_value, thr);
		else
			set_decision(r, m, !strcmp(m, "psi") ? psi : js, (struct mrm_metric){ NAN, NULL }, thr);
	}
	if (json_object_size(undef))
		json_object_set(r->obj, "undefined", undef);
out:
	json_decref(undef);
	json_decref(newc);
	json_decref(gone);
	free(map);
	free(cr);
	free(cu);
	free(names);
	return rc_;
}

/* Bonferroni or Holm adjusted p-values of the p-value decisions (statsmodels multipletests). */
static void correct(struct col *cols, size_t n, enum mrm_drift_correction how)
{
	size_t *idx, m = 0, i, j;
	double run = 0;

	if (how == MRM_CORRECTION_NONE)
		return;
	idx = malloc((n ? n : 1) * sizeof(*idx));
	if (!idx)
		return;
	for (i = 0; i < n; i++)
		if (cols[i].obj && cols[i].pbased && cols[i].defined)
			idx[m++] = i;
	/* insertion sort by p, stable */
	for (i = 1; i < m; i++)
		for (j = i; j > 0 && cols[idx[j - 1]].p > cols[idx[j]].p; j--) {
			size_t t = idx[j];

			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	for (i = 0; i < m; i++) {
		struct col *c = &cols[idx[i]];
		double adj = (how == MRM_CORRECTION_HOLM ? (double)(m - i) : (double)m) * c->p;

		if (adj > 1)
			adj = 1;
		if (how == MRM_CORRECTION_HOLM) {
			if (adj < run)
				adj = run;
			run = adj;
		}
		c->drifted = adj < c->thr;
		json_object_set_new(c->obj, "p_value_adjusted", json_real(adj));
	}
	free(idx);
}

static const char *type_name(enum mrm_col_type t)
{
	return t == MRM_COL_NUMERIC ? "numeric" : "categorical";
}

static json_t *problem(const char *col, const char *what)
{
	return json_pack("{s:s, s:s}", "column", col, "problem", what);
}

static json_t *side(const char *path, uint64_t rows)
{
	char hex[MRM_SHA256_HEX];
	struct mrm_error e = { 0 };
	json_t *s = json_pack("{s:s, s:I}", "path", path, "rows", (json_int_t)rows);

	if (strcmp(path, "-") && !mrm_sha256_file(path, hex, NULL, &e))
		json_object_set_new(s, "sha256", json_string(hex));
	else
		json_object_set_new(s, "sha256", json_null());
	return s;
}

static bool listed(const char *const *cols, const char *name)
{
	for (; cols && *cols; cols++)
		if (!strcmp(*cols, name))
			return true;
	return false;
}

int mrm_drift_run(const struct mrm_drift_options *o, json_t **out, struct mrm_error *err)
{
	struct mrm_table_reader *rr = NULL, *cr = NULL;
	struct mrm_table *rt = NULL, *ct = NULL;
	struct mrm_table_options ropt = o->read, copt = o->read;
	json_t *doc = NULL, *cols = NULL, *schema = NULL;
	struct col *res = NULL;
	size_t i, nref, ncur, nsel = 0, tested = 0, drifted = 0;
	int rc;

	*out = NULL;
	if (o->method && !mrm_drift_method_known(o->method))
		return mrm_error_set(err, MRM_EUSAGE, "unknown method '%s' (methods: ks psi chi2 "
				     "wasserstein jensen_shannon anderson_darling z)", o->method);
	if (o->has_threshold && !o->method)
		return mrm_error_set(err, MRM_EUSAGE, "--threshold needs --method (each method has its "
				     "own default threshold)");
	if (o->has_threshold && (!(o->threshold > 0) || (p_based(o->method) && o->threshold >= 1)))
		return mrm_error_set(err, MRM_EUSAGE, "--threshold must be %s", p_based(o->method) ?
				     "between 0 and 1 (a p-value level)" : "greater than 0");
	ropt.name = NULL;
	copt.name = NULL;
	if ((rc = mrm_table_open(o->reference, &ropt, &rr, err)) ||
	    (rc = mrm_table_open(o->current, &copt, &cr, err)))
		goto out;
	nref = mrm_table_ncols(rr);
	ncur = mrm_table_ncols(cr);
	doc = json_object();
	cols = json_object();
	schema = json_array();
	res = calloc(nref + 1, sizeof(*res));
	if (!doc || !cols || !schema || !res) {
		rc = oom(err);
		goto out;
	}
	/* Names asked for must exist on one side at least. */
	for (i = 0; o->columns && o->columns[i]; i++)
		if (mrm_table_find(rr, o->columns[i]) < 0 && mrm_table_find(cr, o->columns[i]) < 0) {
			char list[512];
			size_t j, at = 0;

			list[0] = 0;
			for (j = 0; j < nref && at < sizeof(list); j++)
				at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%s", j ? ", " : "",
						       mrm_table_colname(rr, j));
			rc = mrm_error_set(err, MRM_EINPUT, "no column '%s' in either file (columns: %s)",
					   o->columns[i], list);
			goto out;
		}
	/* The reference, every column selected (as asked) with the reader's inference. */
	for (i = 0; i < nref; i++) {
		const char *name = mrm_table_colname(rr, i);

		if (mrm_table_find(rr, name) != (long)i || (o->columns && !listed(o->columns, name)))
			continue;
		if (mrm_table_find(cr, name) < 0) {
			json_array_append_new(schema, problem(name, "missing_in_current"));
			continue;
		}
		if ((rc = mrm_table_select(rr, name, MRM_COL_AUTO, NULL, err)))
			goto out;
		nsel++;
	}
	for (i = 0; i < ncur; i++) {
		const char *name = mrm_table_colname(cr, i);

		if (mrm_table_find(cr, name) == (long)i && mrm_table_find(rr, name) < 0 &&
		    (!o->columns || listed(o->columns, name)))
			json_array_append_new(schema, problem(name, "new_in_current"));
	}
	if ((rc = mrm_table_read_all(rr, &rt, err)))
		goto out;
	if (rt->nrows == 0) {
		rc = mrm_error_set(err, MRM_EINPUT, "reference %s: no rows", o->reference);
		goto out;
	}
	/* The current: numeric columns may turn categorical (retyped); categorical ones stay so. */
	for (i = 0; i < nsel; i++)
		if ((rc = mrm_table_select(cr, rt->cols[i].name,
					   rt->cols[i].type == MRM_COL_NUMERIC ? MRM_COL_AUTO :
					   MRM_COL_CATEGORICAL, NULL, err)))
			goto out;
	if ((rc = mrm_table_read_all(cr, &ct, err)))
		goto out;
	if (ct->nrows == 0) {
		rc = mrm_error_set(err, MRM_EINPUT, "current %s: no rows", o->current);
		goto out;
	}
	for (i = 0; i < nsel; i++) {
		const struct mrm_table_column *a = &rt->cols[i], *b = &ct->cols[i];
		bool a_all = a->nmissing == rt->nrows, b_all = b->nmissing == ct->nrows;

		if (a->type != b->type && !a_all && !b_all) {
			json_t *p = problem(a->name, "retyped");

			json_object_set_new(p, "reference_type", json_string(type_name(a->type)));
			json_object_set_new(p, "current_type", json_string(type_name(b->type)));
			json_array_append_new(schema, p);
			continue;
		}
		res[i].obj = json_object();
		if (!res[i].obj) {
			rc = oom(err);
			goto out;
		}
		if (a->type == b->type && a->type == MRM_COL_CATEGORICAL)
			rc = categorical_column(o, a, rt->nrows, b, ct->nrows, &res[i], err);
		else if (a->type == b->type)
			rc = numeric_column(o, a, rt->nrows, b, ct->nrows, &res[i], err);
		else {
			/* One side entirely missing: the type of the side that has values. */
			json_object_set_new(res[i].obj, "type",
					    json_string(type_name(a_all ? b->type : a->type)));
			json_object_set_new(res[i].obj, "method", json_null());
			json_object_set_new(res[i].obj, "statistic", json_null());
			json_object_set_new(res[i].obj, "p_value", json_null());
			json_object_set_new(res[i].obj, "drifted", json_false());
			json_object_set_new(res[i].obj, "reason", json_string(
				a_all ? "every reference value is missing" : "every current value is missing"));
		}
		if (rc)
			goto out;
		json_object_set_new(res[i].obj, "reference_missing", json_integer((json_int_t)a->nmissing));
		json_object_set_new(res[i].obj, "current_missing", json_integer((json_int_t)b->nmissing));
	}
	correct(res, nsel, o->correction);
	for (i = 0; i < nsel; i++) {
		if (!res[i].obj)
			continue;
		if (res[i].method) {
			json_object_set_new(res[i].obj, "drifted", json_boolean(res[i].drifted));
			tested += res[i].defined;
			drifted += res[i].defined && res[i].drifted;
		}
		json_object_set(cols, rt->cols[i].name, res[i].obj);
	}
	json_object_set_new(doc, "reference", side(o->reference, rt->nrows));
	json_object_set_new(doc, "current", side(o->current, ct->nrows));
	json_object_set_new(doc, "method", json_string(o->method ? o->method : "auto"));
	json_object_set_new(doc, "correction", json_string(o->correction == MRM_CORRECTION_HOLM ? "holm" :
							   o->correction == MRM_CORRECTION_BONFERRONI ?
							   "bonferroni" : "none"));
	json_object_set(doc, "columns", cols);
	json_object_set(doc, "schema", schema);
	json_object_set_new(doc, "columns_tested", json_integer((json_int_t)tested));
	json_object_set_new(doc, "columns_drifted", json_integer((json_int_t)drifted));
	json_object_set_new(doc, "drift_share", tested ? json_real((double)drifted / (double)tested) :
			    json_null());
	json_object_set_new(doc, "drift_share_threshold", json_real(SHARE_THRESHOLD));
	json_object_set_new(doc, "dataset_drift",
			    json_boolean(tested && (double)drifted / (double)tested >= SHARE_THRESHOLD));
	*out = doc;
	doc = NULL;
	mrm_error_clear(err);
	rc = 0;
	if (json_is_true(json_object_get(*out, "dataset_drift")))
		rc = mrm_error_set(err, MRM_ECHECK, "dataset drift: %zu of %zu columns drifted (share >= %g)",
				   drifted, tested, SHARE_THRESHOLD);
out:
	for (i = 0; res && i < nref + 1; i++)
		json_decref(res[i].obj);
	free(res);
	json_decref(doc);
	json_decref(cols);
	json_decref(schema);
	mrm_table_free(rt);
	mrm_table_free(ct);
	mrm_table_close(rr);
	mrm_table_close(cr);
	return rc;
}
