/*
 * The per-column comparison of `mrm drift`: every applicable measure of mrm/stats-drift.h, the
 * deciding test with its threshold, multiple-testing corrections and the summary keys.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrm/stats-drift.h"
#include "stats/drift-walk.h"
#include "monitor/drift-internal.h"

bool drift_p_based(const char *m)
{
	return !strcmp(m, "ks") || !strcmp(m, "chi2") || !strcmp(m, "z") || !strcmp(m, "anderson_darling");
}

double drift_default_threshold(const char *m)
{
	if (drift_p_based(m))
		return DRIFT_P_THRESHOLD;
	if (!strcmp(m, "psi"))
		return DRIFT_PSI_THRESHOLD;
	return DRIFT_DIST_THRESHOLD;
}

static int oom(struct mrm_error *err)
{
	return mrm_error_set(err, MRM_EINPUT, "out of memory");
}

static json_t *metric(struct mrm_metric m, json_t *undef, const char *key)
{
	if (mrm_metric_ok(m))
		return json_real(m.value);
	json_object_set_new(undef, key, json_string(m.reason));
	return json_null();
}

static const char *const numeric_methods[] = { "ks", "psi", "wasserstein", "jensen_shannon",
					       "anderson_darling", NULL };
static const char *const categorical_methods[] = { "chi2", "psi", "jensen_shannon", "z", NULL };

bool mrm_drift_method_applies(const char *name, bool numeric)
{
	const char *const *m;

	for (m = numeric ? numeric_methods : categorical_methods; *m; m++)
		if (!strcmp(*m, name))
			return true;
	return false;
}

/* The method forced on columns of the type (per type first), or NULL. */
static const char *forced(const struct mrm_drift_options *o, bool numeric)
{
	const char *t = numeric ? o->method_numeric : o->method_categorical;

	return t ? t : o->method;
}

/* The threshold given for the type's own method: its typed one, or a plain one it takes. */
static bool typed_threshold(const struct mrm_drift_options *o, bool numeric, double *t)
{
	if (numeric ? o->has_threshold_numeric : o->has_threshold_categorical) {
		*t = numeric ? o->threshold_numeric : o->threshold_categorical;
		return true;
	}
	/* A plain threshold without a plain method: the one typed method's (drift_method_check). */
	if (o->has_threshold && !o->method) {
		*t = o->threshold;
		return true;
	}
	return false;
}

/* The threshold of method m on a column of the type: the user's when m is forced, else m's default. */
static double threshold_of(const struct mrm_drift_options *o, const char *m, bool numeric)
{
	const char *typed = numeric ? o->method_numeric : o->method_categorical;
	double t;

	if (typed)
		return !strcmp(typed, m) && typed_threshold(o, numeric, &t) ? t :
		       drift_default_threshold(m);
	return o->has_threshold && o->method && !strcmp(o->method, m) ? o->threshold :
	       drift_default_threshold(m);
}

static int list_methods(char *buf, size_t cap, const char *const *m)
{
	size_t at = 0;

	buf[0] = 0;
	for (; *m && at < cap; m++)
		at += (size_t)snprintf(buf + at, cap - at, "%s%s", at ? " " : "", *m);
	return 0;
}

/* A threshold's range for method m: (0, 1) for a p-value, > 0 for a distance. */
static int threshold_range(const char *what, const char *m, double t, struct mrm_error *err)
{
	if (!(t > 0) || (drift_p_based(m) && t >= 1))
		return mrm_error_set(err, MRM_EUSAGE, "%s must be %s", what, drift_p_based(m) ?
				     "between 0 and 1 (a p-value level)" : "greater than 0");
	return 0;
}

int drift_method_check(const struct mrm_drift_options *o, struct mrm_error *err)
{
	static const char *const tname[2] = { "categorical", "numeric" };
	const char *typed[2] = { o->method_categorical, o->method_numeric };
	bool has[2] = { o->has_threshold_categorical, o->has_threshold_numeric };
	double thr[2] = { o->threshold_categorical, o->threshold_numeric };
	char list[128], what[64];
	int t, rc;

	if (o->method && !mrm_drift_method_known(o->method))
		return mrm_error_set(err, MRM_EUSAGE, "unknown method '%s' (methods: ks psi chi2 "
				     "wasserstein jensen_shannon anderson_darling z)", o->method);
	for (t = 0; t < 2; t++) {
		if (!typed[t])
			continue;
		list_methods(list, sizeof(list), t ? numeric_methods : categorical_methods);
		if (!mrm_drift_method_known(typed[t]))
			return mrm_error_set(err, MRM_EUSAGE, "unknown method '%s' for %s columns (%s "
					     "methods: %s)", typed[t], tname[t], tname[t], list);
		if (!mrm_drift_method_applies(typed[t], t))
			return mrm_error_set(err, MRM_EUSAGE, "--method %s=%s: %s is a test for %s "
					     "columns, not %s ones (%s methods: %s)", tname[t], typed[t],
					     typed[t], tname[!t], tname[t], tname[t], list);
	}
	if (o->has_threshold && !o->method && !typed[0] && !typed[1])
		return mrm_error_set(err, MRM_EUSAGE, "--threshold needs --method (each method has its "
				     "own default threshold)");
	if (o->has_threshold && !o->method && typed[0] && typed[1])
		return mrm_error_set(err, MRM_EUSAGE, "--threshold %g is ambiguous with a method per "
				     "column type: give --threshold numeric=X or categorical=X", o->threshold);
	if (o->has_threshold &&
	    (rc = threshold_range("--threshold", o->method ? o->method : typed[1] ? typed[1] : typed[0],
				  o->threshold, err)))
		return rc;
	for (t = 0; t < 2; t++) {
		if (!has[t])
			continue;
		if (!typed[t])
			return mrm_error_set(err, MRM_EUSAGE, "--threshold %s=X needs --method %s=NAME (each "
					     "method has its own default threshold)", tname[t], tname[t]);
		if (o->has_threshold && !o->method)
			return mrm_error_set(err, MRM_EUSAGE, "--threshold given twice for %s columns",
					     tname[t]);
		snprintf(what, sizeof(what), "--threshold %s=X", tname[t]);
		if ((rc = threshold_range(what, typed[t], thr[t], err)))
			return rc;
	}
	return 0;
}

void drift_method_label(const struct mrm_drift_options *o, char *buf, size_t cap)
{
	const char *n = forced(o, true), *c = forced(o, false);

	if (!o->method_numeric && !o->method_categorical)
		snprintf(buf, cap, "%s", o->method ? o->method : "auto");
	else
		snprintf(buf, cap, "numeric=%s,categorical=%s", n ? n : "auto", c ? c : "auto");
}

static void set_decision(struct drift_result *r, const char *method, struct mrm_metric stat,
			 struct mrm_metric p, double thr)
{
	r->method = method;
	r->thr = thr;
	r->pbased = drift_p_based(method);
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

void drift_not_compared(struct drift_result *r, const char *type, const char *reason)
{
	json_object_set_new(r->obj, "type", json_string(type));
	json_object_set_new(r->obj, "method", json_null());
	json_object_set_new(r->obj, "statistic", json_null());
	json_object_set_new(r->obj, "p_value", json_null());
	json_object_set_new(r->obj, "drifted", json_false());
	json_object_set_new(r->obj, "reason", json_string(reason));
}

static json_t *reals(const double *x, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		json_array_append_new(a, json_real(x[i]));
	return a;
}

/* The histogram bin of v (lo <= v <= hi), clamped to the last bin: non-decreasing in v. */
static size_t hist_bin(double v, double lo, double hi, size_t bins)
{
	size_t k = hi > lo ? (size_t)((v - lo) / (hi - lo) * (double)bins) : 0;

	return k < bins ? k : bins - 1;
}

/* Proportions of the ascending x[0..n) per bin, by binary search of each bin's start. */
static void hist_counts(const double *x, size_t n, double lo, double hi, size_t bins, double *out)
{
	size_t at = 0, b;

	for (b = 1; b <= bins; b++) {
		size_t l = at, h = n;

		if (b < bins) {
			/* First index whose bin is >= b. */
			while (l < h) {
				size_t mid = l + (h - l) / 2;

				if (hist_bin(x[mid], lo, hi, bins) < b)
					l = mid + 1;
				else
					h = mid;
			}
		} else {
			l = n;
		}
		out[b - 1] = (double)(l - at) / (double)n;
		at = l;
	}
}

/*
 * "histogram": DRIFT_HIST_BINS equal-width bins over the range of both (sorted) samples, the
 * proportion of each side per bin; the last bin is closed.
 */
static int histogram(json_t *obj, const double *a, size_t na, const double *b, size_t nb)
{
	double lo = a[0] < b[0] ? a[0] : b[0], hi = a[na - 1] > b[nb - 1] ? a[na - 1] : b[nb - 1];
	double edges[DRIFT_HIST_BINS + 1], ra[DRIFT_HIST_BINS] = { 0 }, rb[DRIFT_HIST_BINS] = { 0 };
	size_t bins = hi > lo ? DRIFT_HIST_BINS : 1, i;
	json_t *h;

	for (i = 0; i <= bins; i++)
		edges[i] = i == bins ? hi : lo + (hi - lo) * (double)i / (double)bins;
	hist_counts(a, na, lo, hi, bins, ra);
	hist_counts(b, nb, lo, hi, bins, rb);
	h = json_pack("{s:o, s:o, s:o}", "edges", reals(edges, bins + 1), "reference", reals(ra, bins),
		      "current", reals(rb, bins));
	if (!h)
		return -1;
	json_object_set_new(obj, "histogram", h);
	return 0;
}

/* Room for n doubles in *buf (of *cap). */
static int reserve(double **buf, size_t *cap, size_t n)
{
	double *p;

	if (n <= *cap)
		return 0;
	if (!(p = realloc(*buf, n * sizeof(*p))))
		return -1;
	*buf = p;
	*cap = n;
	return 0;
}

void drift_scratch_free(struct drift_scratch *s)
{
	free(s->a);
	free(s->b);
	s->a = s->b = NULL;
	s->acap = s->bcap = 0;
}

static double distinct_sorted(const double *x, size_t n)
{
	size_t i, d = n > 0;

	for (i = 1; i < n; i++)
		d += x[i] != x[i - 1];
	return (double)d;
}

/* The quality checks' figures of a compared numeric column (struct drift_result). */
static void quality_figures(const double *a, size_t na, const double *b, size_t nb,
			    struct drift_result *r)
{
	size_t lo = 0, hi = nb, mid;

	r->has_q = true;
	r->ref_min = a[0];
	r->ref_max = a[na - 1];
	r->cur_min = b[0];
	r->cur_max = b[nb - 1];
	r->ref_distinct = distinct_sorted(a, na);
	r->cur_distinct = distinct_sorted(b, nb);
	while (lo < hi) { /* the first current value >= the reference's min */
		mid = lo + (hi - lo) / 2;
		if (b[mid] < a[0])
			lo = mid + 1;
		else
			hi = mid;
	}
	r->below = (double)lo;
	lo = 0;
	hi = nb;
	while (lo < hi) { /* the first current value > the reference's max */
		mid = lo + (hi - lo) / 2;
		if (b[mid] <= a[na - 1])
			lo = mid + 1;
		else
			hi = mid;
	}
	r->above = (double)(nb - lo);
}

static int numeric_column(const struct mrm_drift_options *o, const struct drift_col *rc,
			  const struct drift_col *cc, bool detail, struct drift_result *r,
			  struct drift_scratch *sc, struct mrm_error *err)
{
	size_t na = rc->n, nb = cc->n;
	const double *a = NULL, *b = NULL;
	struct mrm_drift_numeric d;
	json_t *undef = json_object();
	const char *m = forced(o, true);
	int rc_ = 0;

	if (!undef)
		return oom(err);
	if (na == 0 || nb == 0) {
		drift_not_compared(r, "numeric", na == 0 ? "every reference value is missing" :
				   "every current value is missing");
		goto out;
	}
	if (reserve(&sc->a, &sc->acap, na) || reserve(&sc->b, &sc->bcap, nb)) {
		rc_ = oom(err);
		goto out;
	}
	if ((rc_ = drift_col_sorted(rc, sc->a, &a, err)) ||
	    (rc_ = drift_col_sorted(cc, sc->b, &b, err)))
		goto out;
	json_object_set_new(r->obj, "type", json_string("numeric"));
	quality_figures(a, na, b, nb, r);
	/* The side's values are sorted: every measure from one walk. */
	/* Sorted, and finite unless an infinity was read: the kernel's check is then redundant. */
	if ((rc_ = mrm__drift_numeric_sorted(a, na, b, nb, 0, !drift_values_finite(&rc->vals) ||
					     !drift_values_finite(&cc->vals), &d, err)))
		goto out;
	json_object_set_new(r->obj, "ks_statistic", metric(d.ks.statistic, undef, "ks_statistic"));
	json_object_set_new(r->obj, "ks_p_value", metric(d.ks.p_value, undef, "ks_p_value"));
	json_object_set_new(r->obj, "psi", metric(d.psi, undef, "psi"));
	json_object_set_new(r->obj, "wasserstein", metric(d.wasserstein, undef, "wasserstein"));
	json_object_set_new(r->obj, "wasserstein_norm", metric(d.wasserstein_norm, undef,
							       "wasserstein_norm"));
	json_object_set_new(r->obj, "jensen_shannon", metric(d.jensen_shannon, undef, "jensen_shannon"));
	json_object_set_new(r->obj, "anderson_darling", metric(d.anderson.statistic, undef,
							       "anderson_darling"));
	if (!m || !strcmp(m, "chi2") || !strcmp(m, "z"))
		m = na <= DRIFT_SMALL_ROWS ? "ks" : "wasserstein";
	if (!strcmp(m, "ks")) {
		set_decision(r, "ks", d.ks.statistic, d.ks.p_value, threshold_of(o, m, true));
	} else {
		struct mrm_metric s = !strcmp(m, "psi") ? d.psi : !strcmp(m, "wasserstein") ?
				      d.wasserstein_norm : !strcmp(m, "jensen_shannon") ?
				      d.jensen_shannon : d.anderson.statistic;
		struct mrm_metric p = !strcmp(m, "anderson_darling") ? d.anderson.p_value :
				      (struct mrm_metric){ NAN, NULL };

		set_decision(r, m, s, p, threshold_of(o, m, true));
	}
	if (json_object_size(undef))
		json_object_set(r->obj, "undefined", undef);
	if (detail && histogram(r->obj, a, na, b, nb))
		rc_ = oom(err);
out:
	json_decref(undef);
	return rc_;
}

/* "categories": the DRIFT_TOP_CATEGORIES most frequent (both sides together), then "(other)". */
static int categories(json_t *obj, const char *const *names, const double *cr, const double *cu,
		      size_t k)
{
	size_t *idx = malloc((k ? k : 1) * sizeof(*idx)), i, j, top = k < DRIFT_TOP_CATEGORIES ? k :
		      DRIFT_TOP_CATEGORIES;
	json_t *jn = json_array(), *jr = json_array(), *jc = json_array(), *c;
	double orr = 0, ocu = 0;

	if (!idx || !jn || !jr || !jc)
		goto fail;
	for (i = 0; i < k; i++)
		idx[i] = i;
	/* Partial selection sort: k is small and only the top are ordered. */
	for (i = 0; i < top; i++)
		for (j = i + 1; j < k; j++)
			if (cr[idx[j]] + cu[idx[j]] > cr[idx[i]] + cu[idx[i]]) {
				size_t t = idx[i];

				idx[i] = idx[j];
				idx[j] = t;
			}
	for (i = 0; i < k; i++) {
		if (i < top) {
			json_array_append_new(jn, json_string(names[idx[i]]));
			json_array_append_new(jr, json_real(cr[idx[i]]));
			json_array_append_new(jc, json_real(cu[idx[i]]));
		} else {
			orr += cr[idx[i]];
			ocu += cu[idx[i]];
		}
	}
	if (k > top) {
		json_array_append_new(jn, json_string("(other)"));
		json_array_append_new(jr, json_real(orr));
		json_array_append_new(jc, json_real(ocu));
	}
	free(idx);
	if (!(c = json_pack("{s:o, s:o, s:o}", "names", jn, "reference", jr, "current", jc)))
		return -1;
	json_object_set_new(obj, "categories", c);
	return 0;
fail:
	free(idx);
	json_decref(jn);
	json_decref(jr);
	json_decref(jc);
	return -1;
}

static int categorical_column(const struct mrm_drift_options *o, const struct drift_col *rc,
			      const struct drift_col *cc, bool detail, struct drift_result *r,
			      struct mrm_error *err)
{
	size_t k = rc->k, i;
	double *cr = NULL, *cu = NULL, ra = 0, ca = 0;
	const char **names = NULL;
	json_t *undef = json_object(), *newc = json_array(), *gone = json_array();
	struct mrm_drift_test chi, z = { 0 };
	struct mrm_metric psi, js;
	const char *m = forced(o, false);
	bool binary;
	int rc_ = 0;

	cr = calloc(rc->k + cc->k + 1, sizeof(*cr));
	cu = calloc(rc->k + cc->k + 1, sizeof(*cu));
	names = calloc(rc->k + cc->k + 1, sizeof(*names));
	if (!undef || !newc || !gone || !cr || !cu || !names) {
		rc_ = oom(err);
		goto out;
	}
	/* The union of the categories: the reference's, then the current's new ones. */
	for (i = 0; i < rc->k; i++) {
		names[i] = rc->cat[i];
		cr[i] = rc->cnt[i];
		ra += rc->cnt[i];
	}
	for (i = 0; i < cc->k; i++) {
		bool found = false;
		void *at = rc->index ? mrm_strmap_get(rc->index, cc->cat[i], cc->catlen[i], &found) : NULL;
		size_t j = found ? (size_t)((uintptr_t)at - 1) : k++;

		names[j] = cc->cat[i];
		cu[j] += cc->cnt[i];
		ca += cc->cnt[i];
	}
	if (ra == 0 || ca == 0) {
		drift_not_compared(r, "categorical", ra == 0 ? "every reference value is missing" :
				   "every current value is missing");
		goto out;
	}
	json_object_set_new(r->obj, "type", json_string("categorical"));
	if ((rc_ = mrm_chi2_homogeneity(cr, cu, k, &chi, err)) ||
	    (rc_ = mrm_psi_counts(cr, cu, k, &psi, err)) ||
	    (rc_ = mrm_jensen_shannon_counts(cr, cu, k, &js, err)))
		goto out;
	binary = k == 2;
	if (binary && (rc_ = mrm_two_proportion_z(cr[0], ra, cu[0], ca, &z, err)))
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
		m = ra <= DRIFT_SMALL_ROWS ? (binary ? "z" : "chi2") : "jensen_shannon";
	if (!strcmp(m, "chi2"))
		set_decision(r, m, chi.statistic, chi.p_value, threshold_of(o, m, false));
	else if (!strcmp(m, "z"))
		set_decision(r, m, z.statistic, z.p_value, threshold_of(o, m, false));
	else
		set_decision(r, m, !strcmp(m, "psi") ? psi : js, (struct mrm_metric){ NAN, NULL },
			     threshold_of(o, m, false));
	if (json_object_size(undef))
		json_object_set(r->obj, "undefined", undef);
	if (detail && categories(r->obj, names, cr, cu, k))
		rc_ = oom(err);
out:
	json_decref(undef);
	json_decref(newc);
	json_decref(gone);
	free(cr);
	free(cu);
	free(names);
	return rc_;
}

int drift_compare_with(const struct mrm_drift_options *o, const struct drift_col *ref,
		       const struct drift_col *cur, bool detail, struct drift_result *r,
		       struct drift_scratch *s, struct mrm_error *err)
{
	if (ref->type == MRM_COL_CATEGORICAL)
		return categorical_column(o, ref, cur, detail, r, err);
	return numeric_column(o, ref, cur, detail, r, s, err);
}

int drift_compare(const struct mrm_drift_options *o, const struct drift_col *ref,
		  const struct drift_col *cur, bool detail, struct drift_result *r,
		  struct mrm_error *err)
{
	struct drift_scratch s = { 0 };
	int rc = drift_compare_with(o, ref, cur, detail, r, &s, err);

	drift_scratch_free(&s);
	return rc;
}

void drift_correct(struct drift_result *cols, size_t n, enum mrm_drift_correction how)
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
		struct drift_result *c = &cols[idx[i]];
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

bool drift_summarise(json_t *doc, struct drift_result *res, size_t n, size_t *tested_out,
		     size_t *drifted_out)
{
	size_t i, tested = 0, drifted = 0;
	bool dataset;

	for (i = 0; i < n; i++) {
		if (!res[i].obj || !res[i].method)
			continue;
		json_object_set_new(res[i].obj, "drifted", json_boolean(res[i].drifted));
		tested += res[i].defined;
		drifted += res[i].defined && res[i].drifted;
	}
	dataset = tested && (double)drifted / (double)tested >= DRIFT_SHARE_THRESHOLD;
	json_object_set_new(doc, "columns_tested", json_integer((json_int_t)tested));
	json_object_set_new(doc, "columns_drifted", json_integer((json_int_t)drifted));
	json_object_set_new(doc, "drift_share", tested ? json_real((double)drifted / (double)tested) :
			    json_null());
	json_object_set_new(doc, "drift_share_threshold", json_real(DRIFT_SHARE_THRESHOLD));
	json_object_set_new(doc, "dataset_drift", json_boolean(dataset));
	if (tested_out)
		*tested_out = tested;
	if (drifted_out)
		*drifted_out = drifted;
	return dataset;
}

void drift_numeric_decide(const struct mrm_drift_options *o, const struct drift_numeric_measures *nm,
			  struct drift_result *r)
{
	json_t *undef = json_object();
	const char *m = forced(o, true);

	json_object_set_new(r->obj, "type", json_string("numeric"));
	json_object_set_new(r->obj, "ks_statistic", metric(nm->ks, undef, "ks_statistic"));
	json_object_set_new(r->obj, "ks_p_value", metric(nm->ks_p, undef, "ks_p_value"));
	json_object_set_new(r->obj, "psi", metric(nm->psi, undef, "psi"));
	json_object_set_new(r->obj, "wasserstein", metric(nm->w, undef, "wasserstein"));
	json_object_set_new(r->obj, "wasserstein_norm", metric(nm->wn, undef, "wasserstein_norm"));
	json_object_set_new(r->obj, "jensen_shannon", metric(nm->js, undef, "jensen_shannon"));
	json_object_set_new(r->obj, "anderson_darling", metric(nm->ad, undef, "anderson_darling"));
	/* The same choice as numeric_column: KS up to DRIFT_SMALL_ROWS reference values. */
	if (!m || !strcmp(m, "chi2") || !strcmp(m, "z"))
		m = nm->n_ref <= DRIFT_SMALL_ROWS ? "ks" : "wasserstein";
	if (!strcmp(m, "ks"))
		set_decision(r, "ks", nm->ks, nm->ks_p, threshold_of(o, m, true));
	else
		set_decision(r, m, !strcmp(m, "psi") ? nm->psi : !strcmp(m, "wasserstein") ? nm->wn :
			     !strcmp(m, "jensen_shannon") ? nm->js : nm->ad,
			     !strcmp(m, "anderson_darling") ? nm->ad_p : (struct mrm_metric){ NAN, NULL },
			     threshold_of(o, m, true));
	if (undef && json_object_size(undef))
		json_object_set(r->obj, "undefined", undef);
	json_decref(undef);
}
