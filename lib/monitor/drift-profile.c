/*
 * mrm drift with a profile on either side: per-column measures from the profiles' sketches (KS,
 * PSI, Jensen-Shannon and Wasserstein from KLL, categories from the frequent items) with their
 * bounds, decided, corrected and summarised by the same functions as two data files, and the
 * data-quality checks (quality-profile.c).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrm/hash.h"
#include "mrm/profile.h"
#include "mrm/stats-drift.h"
#include "monitor/drift-internal.h"
#include "monitor/drift-profile.h"
#include "monitor/drift-window.h"

static const char other_name[] = "(other)";
static const char ad_reason[] = "not available from a profile: the Anderson-Darling statistic needs "
				"every value (a quantile sketch gives no sound bound for it)";

static int oom(struct mrm_error *err)
{
	return mrm_error_set(err, MRM_EINPUT, "out of memory");
}

bool drift_profile_inputs(const struct mrm_drift_options *o)
{
	return mrm_profile_sniff(o->reference) || mrm_profile_sniff(o->current);
}

/* One input: a profile read from its file, or built from a data file. */
struct input {
	const char *what; /* "reference" or "current" */
	const char *path;
	bool is_profile;
	struct mrm_profile *p;
	struct mrm_table_reader *r; /* a data file, until it is profiled */
	const char **names;         /* every column of the input, first occurrences only */
	size_t nnames;
};

static long find_name(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return (long)i;
	return -1;
}

const struct mrm_profile_column *drift_profile_column(const struct mrm_profile *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->ncols; i++)
		if (!strcmp(p->cols[i].name, name))
			return &p->cols[i];
	return NULL;
}

static bool listed(const char *const *cols, const char *name)
{
	for (; cols && *cols; cols++)
		if (!strcmp(*cols, name))
			return true;
	return false;
}

/* Opens the input: reads a profile, or opens a data file and lists its columns. */
static int input_open(struct input *in, const struct mrm_drift_options *o, struct mrm_error *err)
{
	struct mrm_table_options ropt = o->read;
	size_t i, n;
	int rc;

	in->is_profile = mrm_profile_sniff(in->path);
	if (in->is_profile) {
		if ((rc = mrm_profile_read(in->path, &in->p, err)))
			return rc;
		n = in->p->ncols;
	} else {
		ropt.name = NULL;
		if ((rc = mrm_table_open(in->path, &ropt, &in->r, err)))
			return rc;
		n = mrm_table_ncols(in->r);
	}
	if (!(in->names = calloc(n + 1, sizeof(*in->names))))
		return oom(err);
	for (i = 0; i < n; i++) {
		const char *name = in->is_profile ? in->p->cols[i].name : mrm_table_colname(in->r, i);

		if (find_name(in->names, in->nnames, name) < 0)
			in->names[in->nnames++] = name;
	}
	return 0;
}

/*
 * Profiles a data file: the columns that are in `other` too (and asked for), counted in the
 * bins of `bins_from` when given. The names stay valid: they point into the reader, which
 * stays open.
 */
static int input_profile(struct input *in, const struct input *other, const char *const *asked,
			 const struct mrm_profile *bins_from, struct mrm_error *err)
{
	const char **cols;
	size_t i, n = 0;
	int rc;

	if (in->is_profile)
		return 0;
	if (!(cols = calloc(in->nnames + 1, sizeof(*cols))))
		return oom(err);
	for (i = 0; i < in->nnames; i++)
		if (find_name(other->names, other->nnames, in->names[i]) >= 0 &&
		    (!asked || listed(asked, in->names[i])))
			cols[n++] = in->names[i];
	/* No column in common: every column, for the row count (nothing is compared). */
	rc = mrm_profile_build_binned(in->r, n ? cols : NULL, bins_from, &in->p, err);
	free(cols);
	return rc;
}

static void input_close(struct input *in)
{
	mrm_profile_free(in->p);
	free(in->names);
	mrm_table_close(in->r);
}

static json_t *side_json(const struct input *in)
{
	char hex[MRM_SHA256_HEX];
	struct mrm_error e = { 0 };
	json_t *s = json_pack("{s:s, s:I}", "path", in->path, "rows", (json_int_t)in->p->rows);

	if (strcmp(in->path, "-") && !mrm_sha256_file(in->path, hex, NULL, &e))
		json_object_set_new(s, "sha256", json_string(hex));
	else
		json_object_set_new(s, "sha256", json_null());
	return s;
}

static json_t *problem(const char *col, const char *what)
{
	return json_pack("{s:s, s:s}", "column", col, "problem", what);
}

/* ---- categorical columns: the frequent-items summaries as category counts ---- */

static char *dup_bytes(const uint8_t *d, size_t len)
{
	char *s = malloc(len + 1);

	if (s) {
		if (len)
			memcpy(s, d, len);
		s[len] = 0;
	}
	return s;
}

/* Appends category (d, len) with count `cnt` to column c, or adds to it when c has it. */
static int add_category(struct drift_col *c, const uint8_t *d, size_t len, double cnt)
{
	void **slot;

	if (!c->index && !(c->index = mrm_strmap_new()))
		return -1;
	if (!(slot = mrm_strmap_slot(c->index, (const char *)d, len)))
		return -1;
	if (*slot) {
		c->cnt[(uintptr_t)*slot - 1] += cnt;
		return 0;
	}
	if (c->k == c->kcap) {
		size_t ncap = c->kcap ? 2 * c->kcap : 16;
		double *cn = realloc(c->cnt, ncap * sizeof(*cn));
		uint32_t *cl;
		char **cat;

		if (!cn)
			return -1;
		c->cnt = cn;
		if (!(cl = realloc(c->catlen, ncap * sizeof(*cl))))
			return -1;
		c->catlen = cl;
		if (!(cat = realloc(c->cat, ncap * sizeof(*cat))))
			return -1;
		c->cat = cat;
		c->kcap = ncap;
	}
	if (!(c->cat[c->k] = dup_bytes(d, len)))
		return -1;
	c->catlen[c->k] = (uint32_t)len;
	c->cnt[c->k] = cnt;
	*slot = (void *)(uintptr_t)(c->k + 1);
	c->k++;
	return 0;
}

static bool tracked(const struct mrm_freq *f, const struct mrm_freq_item *it)
{
	return mrm_freq_estimate(f, it->data, it->len) > 0;
}

/*
 * Category counts of column `pc` into side column `c`: every tracked value in the order first
 * seen. With `coarse`, only the values that `other` tracks too, the rest (and the values the
 * summary no longer tracks) in one "(other)" bucket, so both sides are counted on the same
 * partition of the values.
 */
static int fill_categories(struct drift_col *c, const struct mrm_profile_column *pc,
			   const struct mrm_freq *other, bool coarse, struct mrm_error *err)
{
	struct mrm_freq_item *it = NULL;
	size_t n = 0, i;
	double rest = (double)pc->count;
	int rc;

	c->type = MRM_COL_CATEGORICAL;
	c->missing = pc->missing;
	if ((rc = mrm_freq_items_seen(pc->freq, &it, &n, err)))
		return rc;
	for (i = 0; i < n; i++) {
		if (coarse && !tracked(other, &it[i]))
			continue;
		if (add_category(c, it[i].data, it[i].len, (double)it[i].count)) {
			free(it);
			return oom(err);
		}
		rest -= (double)it[i].count;
	}
	free(it);
	if (coarse && add_category(c, (const uint8_t *)other_name, sizeof(other_name) - 1, rest))
		return oom(err);
	return 0;
}

/* The tracked values of `a` that `b` does not track, as a JSON list. */
static json_t *missing_from(const struct mrm_freq *a, const struct mrm_freq *b, struct mrm_error *err)
{
	struct mrm_freq_item *it = NULL;
	size_t n = 0, i;
	json_t *l = json_array();

	if (!l || mrm_freq_items_seen(a, &it, &n, err)) {
		json_decref(l);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (!tracked(b, &it[i]))
			json_array_append_new(l, json_stringn_nocheck((const char *)it[i].data, it[i].len));
	free(it);
	return l;
}

static int categorical(const struct mrm_drift_options *o, const struct mrm_profile_column *a,
		       const struct mrm_profile_column *b, struct drift_result *r, struct mrm_error *err)
{
	struct drift_side *sa = NULL, *sb = NULL;
	const char *name = a->name;
	bool ea = mrm_freq_exact(a->freq), eb = mrm_freq_exact(b->freq), exact = ea && eb;
	json_t *undef, *l;
	int rc;

	if ((rc = drift_side_new(1, &name, &sa, err)) || (rc = drift_side_new(1, &name, &sb, err)) ||
	    (rc = fill_categories(&sa->cols[0], a, b->freq, !exact, err)) ||
	    (rc = fill_categories(&sb->cols[0], b, a->freq, !exact, err)) ||
	    (rc = drift_compare(o, &sa->cols[0], &sb->cols[0], true, r, err)))
		goto out;
	json_object_set_new(r->obj, "approximate", json_boolean(!exact));
	json_object_set_new(r->obj, "categories_exact", json_boolean(exact));
	if (exact)
		goto out;
	/* Heavy hitters: each count may be short by the summary's error bound. */
	json_object_set_new(r->obj, "category_count_error",
			    json_pack("{s:I, s:I}", "reference", (json_int_t)mrm_freq_error(a->freq),
				      "current", (json_int_t)mrm_freq_error(b->freq)));
	l = json_pack("[s, s, s, s]", "chi2_statistic", "chi2_p_value", "psi", "jensen_shannon");
	if (json_object_get(r->obj, "z_statistic")) {
		json_array_append_new(l, json_string("z_statistic"));
		json_array_append_new(l, json_string("z_p_value"));
	}
	json_object_set_new(r->obj, "approximate_measures", l);
	/* New categories are sure only against an exact reference, vanished ones against an exact current. */
	if (!(undef = json_object_get(r->obj, "undefined"))) {
		undef = json_object();
		json_object_set_new(r->obj, "undefined", undef);
	}
	if (ea && (l = missing_from(b->freq, a->freq, err))) {
		json_object_set_new(r->obj, "new_categories", l);
	} else {
		json_object_set_new(r->obj, "new_categories", json_null());
		json_object_set_new(undef, "new_categories",
				    json_string("the reference profile has more categories than its "
						"summary counts exactly"));
	}
	if (eb && (l = missing_from(a->freq, b->freq, err))) {
		json_object_set_new(r->obj, "vanished_categories", l);
	} else {
		json_object_set_new(r->obj, "vanished_categories", json_null());
		json_object_set_new(undef, "vanished_categories",
				    json_string("the current profile has more categories than its "
						"summary counts exactly"));
	}
out:
	drift_side_free(sa);
	drift_side_free(sb);
	return rc;
}

/* ---- numeric columns: the KLL sketches ---- */

/* A sketch's sorted values and cumulative weights. */
struct view {
	double *v;
	uint64_t *cw;
	size_t m;
	uint64_t n;
	bool exact;
	double eps, eps_pmf; /* 0 when exact */
};

static int view_of(const struct mrm_profile_column *c, struct view *w, struct mrm_error *err)
{
	int rc = mrm_kll_sorted(c->kll, &w->v, &w->cw, &w->m, err);

	w->n = mrm_kll_n(c->kll);
	w->exact = mrm_kll_exact(c->kll);
	w->eps = w->exact ? 0 : mrm_kll_epsilon(mrm_kll_k(c->kll));
	w->eps_pmf = w->exact ? 0 : mrm_kll_epsilon_pmf(mrm_kll_k(c->kll));
	return rc;
}

static uint64_t weight(const struct view *w, size_t i)
{
	return w->cw[i] - (i ? w->cw[i - 1] : 0);
}

/* max over x of |Fa(x) - Fb(x)|, F(x) the sketch's fraction <= x: a step function changing at its values only. */
static double ks_of(const struct view *a, const struct view *b)
{
	size_t i = 0, j = 0;
	double d = 0;

	while (i < a->m || j < b->m) {
		double x = j >= b->m || (i < a->m && a->v[i] <= b->v[j]) ? a->v[i] : b->v[j], fa, fb;

		while (i < a->m && a->v[i] <= x)
			i++;
		while (j < b->m && b->v[j] <= x)
			j++;
		fa = i ? (double)a->cw[i - 1] / (double)a->n : 0;
		fb = j ? (double)b->cw[j - 1] / (double)b->n : 0;
		if (fabs(fa - fb) > d)
			d = fabs(fa - fb);
	}
	return d;
}

/*
 * The integral over u in [0, 1] of |Qa(u) - Qb(u)|, Q the sketch's quantile function (the
 * smallest value whose cumulative weight reaches u n): both are step functions, integrated
 * exactly between the union of their steps. Equal to scipy's wasserstein_distance when both
 * sketches hold every value.
 */
static double w1_of(const struct view *a, const struct view *b)
{
	size_t i = 0, j = 0;
	long double w = 0, u = 0;

	while (i < a->m && j < b->m) {
		long double ua = (long double)a->cw[i] / (long double)a->n;
		long double ub = (long double)b->cw[j] / (long double)b->n;
		long double un = ua < ub ? ua : ub;

		w += (un - u) * fabsl((long double)a->v[i] - (long double)b->v[j]);
		u = un;
		if (ua <= un)
			i++;
		if (ub <= un)
			j++;
	}
	return (double)w;
}

/* Weights of the sketch's values in the bins of the k inner edges (as mrm_drift_histogram). */
static void bin_weights(const struct view *w, const double *edges, size_t k, double *out)
{
	size_t i;

	for (i = 0; i <= k; i++)
		out[i] = 0;
	for (i = 0; i < w->m; i++) {
		size_t lo = 0, hi = k;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (edges[mid] <= w->v[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		out[lo] += (double)weight(w, i);
	}
}

/* Exact counts when the column holds bins on exactly these edges. */
static bool exact_bins(const struct mrm_profile_column *c, const double *edges, size_t k, double *out)
{
	size_t i;

	if (!c->bins || c->nedges != k || memcmp(c->edges, edges, k * sizeof(*edges)))
		return false;
	for (i = 0; i <= k; i++)
		out[i] = (double)c->bins[i];
	return true;
}

static json_t *reals(const double *x, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		json_array_append_new(a, json_real(x[i]));
	return a;
}

/* The overlaid histogram of the file path (DRIFT_HIST_BINS equal-width bins), from the sketches. */
static void histogram(json_t *obj, const struct view *a, const struct view *b)
{
	double lo = fmin(a->v[0], b->v[0]), hi = fmax(a->v[a->m - 1], b->v[b->m - 1]);
	double edges[DRIFT_HIST_BINS + 1], ra[DRIFT_HIST_BINS] = { 0 }, rb[DRIFT_HIST_BINS] = { 0 };
	size_t bins = hi > lo ? DRIFT_HIST_BINS : 1, i;
	const struct view *s[2] = { a, b };
	double *out[2] = { ra, rb };

	for (i = 0; i <= bins; i++)
		edges[i] = i == bins ? hi : lo + (hi - lo) * (double)i / (double)bins;
	for (int t = 0; t < 2; t++) {
		for (i = 0; i < s[t]->m; i++) {
			size_t k = hi > lo ? (size_t)((s[t]->v[i] - lo) / (hi - lo) * (double)bins) : 0;

			out[t][k < bins ? k : bins - 1] += (double)weight(s[t], i);
		}
		for (i = 0; i < bins; i++)
			out[t][i] /= (double)s[t]->n;
	}
	json_object_set_new(obj, "histogram", json_pack("{s:o, s:o, s:o}", "edges", reals(edges, bins + 1),
							"reference", reals(ra, bins), "current", reals(rb, bins)));
}

static struct mrm_metric ok(double x)
{
	return (struct mrm_metric){ x, NULL };
}

static struct mrm_metric undefined(const char *why)
{
	return (struct mrm_metric){ NAN, why };
}

static int numeric(const struct mrm_drift_options *o, const struct mrm_profile_column *a,
		   const struct mrm_profile_column *b, struct drift_result *r, struct mrm_error *err)
{
	struct view va = { 0 }, vb = { 0 };
	struct drift_numeric_measures nm;
	double edges[MRM_PROFILE_BINS - 1], ca[MRM_PROFILE_BINS], cb[MRM_PROFILE_BINS];
	double sd, ksb, wb, en;
	size_t k;
	bool xa, xb;
	json_t *approx;
	int rc;

	if ((rc = view_of(a, &va, err)) || (rc = view_of(b, &vb, err)))
		goto out;
	if (va.exact && vb.exact) {
		/* Both sketches hold every value: the file path's exact measures on those values. */
		struct drift_side *sa = NULL, *sb = NULL;
		const char *name = a->name;

		if (!(rc = drift_side_new(1, &name, &sa, err)) && !(rc = drift_side_new(1, &name, &sb, err))) {
			uint64_t none = 0;

			if (drift_values_add(&sa->cols[0].vals, va.v, NULL, va.m, &none) ||
			    drift_values_add(&sb->cols[0].vals, vb.v, NULL, vb.m, &none)) {
				rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
			} else {
				sa->cols[0].n = va.m;
				sa->cols[0].missing = a->missing;
				sb->cols[0].n = vb.m;
				sb->cols[0].missing = b->missing;
				if (!(rc = drift_side_finish(sa, err)) && !(rc = drift_side_finish(sb, err)))
					rc = drift_compare(o, &sa->cols[0], &sb->cols[0], true, r, err);
			}
			json_object_set_new(r->obj, "approximate", json_false());
		}
		drift_side_free(sa);
		drift_side_free(sb);
		goto out;
	}
	memset(&nm, 0, sizeof(nm));
	nm.n_ref = va.n;
	/* KS: the sketches' CDFs at every value either holds; each CDF is within its eps everywhere. */
	nm.ks = ok(ks_of(&va, &vb));
	ksb = va.eps + vb.eps;
	en = (double)va.n * (double)vb.n / ((double)va.n + (double)vb.n);
	nm.ks_p = ok(mrm_kstwo_sf(nm.ks.value, (size_t)llround(en)));
	/* PSI and Jensen-Shannon on the reference's decile bins. */
	if ((rc = mrm_profile_edges(a, edges, &k, err)))
		goto out;
	xa = exact_bins(a, edges, k, ca);
	xb = exact_bins(b, edges, k, cb);
	if (!xa)
		bin_weights(&va, edges, k, ca);
	if (!xb)
		bin_weights(&vb, edges, k, cb);
	if ((rc = mrm_psi_counts(ca, cb, k + 1, &nm.psi, err)) ||
	    (rc = mrm_jensen_shannon_counts(ca, cb, k + 1, &nm.js, err)))
		goto out;
	/* Wasserstein-1 between the sketches' quantile functions; normalised by the exact std. */
	nm.w = ok(w1_of(&va, &vb));
	wb = va.eps * (mrm_kll_max(a->kll) - mrm_kll_min(a->kll)) +
	     vb.eps * (mrm_kll_max(b->kll) - mrm_kll_min(b->kll));
	sd = sqrt(mrm_moments_variance(&a->mom, 0));
	nm.wn = sd > 0 ? ok(nm.w.value / sd) : undefined(mrm_reason_constant_reference);
	nm.ad = undefined(ad_reason);
	nm.ad_p = undefined(ad_reason);
	drift_numeric_decide(o, &nm, r);
	json_object_set_new(r->obj, "approximate", json_true());
	approx = json_pack("[s, s, s, s]", "ks_statistic", "ks_p_value", "wasserstein", "wasserstein_norm");
	if (!(xa && xb)) {
		json_array_append_new(approx, json_string("psi"));
		json_array_append_new(approx, json_string("jensen_shannon"));
	}
	json_object_set_new(r->obj, "approximate_measures", approx);
	json_object_set_new(r->obj, "ks_statistic_bound", json_real(ksb));
	json_object_set_new(r->obj, "ks_p_value_range",
			    json_pack("[f, f]", mrm_kstwo_sf(fmin(1, nm.ks.value + ksb), (size_t)llround(en)),
				      mrm_kstwo_sf(fmax(0, nm.ks.value - ksb), (size_t)llround(en))));
	json_object_set_new(r->obj, "wasserstein_bound", json_real(wb));
	json_object_set_new(r->obj, "wasserstein_norm_bound", sd > 0 ? json_real(wb / sd) : json_null());
	json_object_set_new(r->obj, "bins", json_pack("{s:s, s:s, s:s, s:f}",
						      "edges", va.exact ? "exact" : "sketch",
						      "reference", xa ? "exact" : "sketch",
						      "current", xb ? "exact" : "sketch",
						      "mass_bound", fmax(xa ? 0 : va.eps_pmf, xb ? 0 : vb.eps_pmf)));
	histogram(r->obj, &va, &vb);
out:
	free(va.v);
	free(va.cw);
	free(vb.v);
	free(vb.cw);
	return rc;
}

/* ---- the document ---- */

static const char *type_name(bool num)
{
	return num ? "numeric" : "categorical";
}

static int compare(const struct mrm_drift_options *o, const struct mrm_profile_column *a,
		   const struct mrm_profile_column *b, json_t *schema, struct drift_result *r,
		   struct mrm_error *err)
{
	bool a_num = a->type == MRM_PROFILE_NUMERIC;
	/* A categorical reference column is compared as categories whatever the current holds. */
	bool b_num = a_num && b->type == MRM_PROFILE_NUMERIC;
	bool a_all = a->count == 0, b_all = b->count == 0;
	int rc = 0;

	if (a_num != b_num && !a_all && !b_all) {
		json_t *p = problem(a->name, "retyped");

		json_object_set_new(p, "reference_type", json_string(type_name(a_num)));
		json_object_set_new(p, "current_type", json_string(type_name(b_num)));
		json_array_append_new(schema, p);
		return 0;
	}
	if (!(r->obj = json_object()))
		return oom(err);
	if (a_all || b_all)
		drift_not_compared(r, type_name(a_all ? b_num : a_num), a_all ?
				   "every reference value is missing" : "every current value is missing");
	else if (!a_num)
		rc = categorical(o, a, b, r, err);
	else
		rc = numeric(o, a, b, r, err);
	json_object_set_new(r->obj, "reference_missing", json_integer((json_int_t)a->missing));
	json_object_set_new(r->obj, "current_missing", json_integer((json_int_t)b->missing));
	return rc;
}

int drift_profile_run(const struct mrm_drift_options *o, json_t **out, struct mrm_error *err)
{
	struct input ri = { "reference", o->reference, false, NULL, NULL, NULL, 0 };
	struct input ci = { "current", o->current, false, NULL, NULL, NULL, 0 };
	json_t *doc = NULL, *cols = NULL, *schema = NULL;
	struct drift_result *res = NULL;
	const char **names = NULL;
	size_t i, nsel = 0, tested = 0, drifted = 0;
	struct drift_outcome oc = { 0 };
	char label[96];
	int rc;

	*out = NULL;
	if (o->timestamp || o->window || o->label || o->score)
		return mrm_error_set(err, MRM_EUSAGE, "windows (--timestamp, --window, --label, --score) "
				     "need data files on both sides, not profiles");
	if ((rc = input_open(&ri, o, err)) || (rc = input_open(&ci, o, err)))
		goto out;
	/* Names asked for must exist on one side at least. */
	for (i = 0; o->columns && o->columns[i]; i++)
		if (find_name(ri.names, ri.nnames, o->columns[i]) < 0 &&
		    find_name(ci.names, ci.nnames, o->columns[i]) < 0) {
			char list[512];
			size_t j, at = 0;

			list[0] = 0;
			for (j = 0; j < ri.nnames && at < sizeof(list); j++)
				at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%s", j ? ", " : "",
						       ri.names[j]);
			rc = mrm_error_set(err, MRM_EINPUT, "no column '%s' in either file (columns: %s)",
					   o->columns[i], list);
			goto out;
		}
	/* A data file facing a profile is profiled now; the current one in the reference's bins. */
	if ((rc = input_profile(&ri, &ci, o->columns, NULL, err)) ||
	    (rc = input_profile(&ci, &ri, o->columns, ri.is_profile ? ri.p : NULL, err)))
		goto out;
	if (ri.p->rows == 0) {
		rc = mrm_error_set(err, MRM_EINPUT, "reference %s: no rows", o->reference);
		goto out;
	}
	if (ci.p->rows == 0) {
		rc = mrm_error_set(err, MRM_EINPUT, "current %s: no rows", o->current);
		goto out;
	}
	doc = json_object();
	cols = json_object();
	schema = json_array();
	res = calloc(ri.nnames + 1, sizeof(*res));
	names = calloc(ri.nnames + 1, sizeof(*names));
	if (!doc || !cols || !schema || !res || !names) {
		rc = oom(err);
		goto out;
	}
	/* Schema problems in the file path's order: missing, new, then retyped as compared. */
	for (i = 0; i < ri.nnames; i++)
		if ((!o->columns || listed(o->columns, ri.names[i])) &&
		    find_name(ci.names, ci.nnames, ri.names[i]) < 0)
			json_array_append_new(schema, problem(ri.names[i], "missing_in_current"));
	for (i = 0; i < ci.nnames; i++)
		if (find_name(ri.names, ri.nnames, ci.names[i]) < 0 &&
		    (!o->columns || listed(o->columns, ci.names[i])))
			json_array_append_new(schema, problem(ci.names[i], "new_in_current"));
	for (i = 0; i < ri.nnames; i++) {
		const char *name = ri.names[i];
		const struct mrm_profile_column *a, *b;

		if ((o->columns && !listed(o->columns, name)) ||
		    find_name(ci.names, ci.nnames, name) < 0)
			continue;
		a = drift_profile_column(ri.p, name);
		b = drift_profile_column(ci.p, name);
		if (!a || !b) /* not profiled: cannot happen, both sides have the name */
			continue;
		names[nsel] = name;
		if ((rc = compare(o, a, b, schema, &res[nsel], err)))
			goto out;
		nsel++;
	}
	drift_correct(res, nsel, o->correction);
	json_object_set_new(doc, "reference", side_json(&ri));
	json_object_set_new(doc, "current", side_json(&ci));
	json_object_set_new(doc, "source", json_pack("{s:s, s:s}",
						     "reference", ri.is_profile ? "profile" : "file",
						     "current", ci.is_profile ? "profile" : "file"));
	drift_method_label(o, label, sizeof(label));
	json_object_set_new(doc, "method", json_string(label));
	json_object_set_new(doc, "correction", json_string(o->correction == MRM_CORRECTION_HOLM ? "holm" :
							   o->correction == MRM_CORRECTION_BONFERRONI ?
							   "bonferroni" : "none"));
	for (i = 0; i < nsel; i++)
		if (res[i].obj)
			json_object_set(cols, names[i], res[i].obj);
	json_object_set(doc, "columns", cols);
	json_object_set(doc, "schema", schema);
	drift_summarise(doc, res, nsel, &tested, &drifted);
	if ((rc = drift_profile_quality(o, ri.p, ci.p, ri.is_profile, ci.is_profile, names, nsel,
					schema, doc, &oc.checks_failed, oc.failed, sizeof(oc.failed),
					err)))
		goto out;
	*out = doc;
	doc = NULL;
	mrm_error_clear(err);
	rc = 0;
	rc = drift_outcome_status(*out, tested, drifted, &oc, err);
out:
	for (i = 0; res && i < ri.nnames + 1; i++)
		json_decref(res[i].obj);
	free(res);
	free(names);
	json_decref(doc);
	json_decref(cols);
	json_decref(schema);
	input_close(&ri);
	input_close(&ci);
	return rc;
}
