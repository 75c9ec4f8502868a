/* Building, merging and describing mergeable per-column profiles (mrm profile). */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mrm/profile.h"
#include "mrm/stats-drift.h"
#include "profile-internal.h"

_Static_assert(MRM_PROFILE_BINS == MRM_DRIFT_BINS, "profile bins are drift's PSI bins");

static const double qs[MRM__PROFILE_NQ] = { 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99 };
static const char *const qnames[MRM__PROFILE_NQ] = { "p1", "p5", "p25", "p50", "p75", "p95", "p99" };

static void drop_bins(struct mrm_profile_column *c)
{
	free(c->edges);
	free(c->bins);
	c->edges = NULL;
	c->bins = NULL;
	c->nedges = 0;
	c->has_range = false;
	c->below = c->above = 0;
}

static void drop_numeric(struct mrm_profile_column *c)
{
	drop_bins(c);
	mrm_kll_free(c->kll);
	mrm_hll_free(c->hll_num);
	c->kll = NULL;
	c->hll_num = NULL;
	mrm_moments_init(&c->mom);
	c->type = MRM_PROFILE_CATEGORICAL;
}

void mrm__profile_column_release(struct mrm_profile_column *c)
{
	free(c->name);
	mrm_kll_free(c->kll);
	mrm_hll_free(c->hll_num);
	mrm_hll_free(c->hll_text);
	mrm_freq_free(c->freq);
	free(c->edges);
	free(c->bins);
	memset(c, 0, sizeof(*c));
}

void mrm_profile_free(struct mrm_profile *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->ncols; i++)
		mrm__profile_column_release(&p->cols[i]);
	free(p->cols);
	free(p);
}

/* A fresh numeric column with every sketch allocated. */
static int column_init(struct mrm_profile_column *c, const char *name,
		       struct mrm_error *err)
{
	size_t n = strlen(name);

	memset(c, 0, sizeof(*c));
	c->type = MRM_PROFILE_NUMERIC;
	mrm_moments_init(&c->mom);
	c->name = malloc(n + 1);
	if (!c->name)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	memcpy(c->name, name, n + 1);
	if (mrm_kll_new(&c->kll, MRM_KLL_K_DEFAULT,
			mrm_xxh64(name, n, MRM__PROFILE_SEED), err) ||
	    mrm_hll_new(&c->hll_num, MRM_HLL_P_DEFAULT, err) ||
	    mrm_hll_new(&c->hll_text, MRM_HLL_P_DEFAULT, err) ||
	    mrm_freq_new(&c->freq, MRM_FREQ_K_DEFAULT, err))
		return MRM_EINPUT;
	return 0;
}

/* Number of edges <= x: the bin of x (numpy searchsorted side='right'). */
static size_t bin_of(const double *edges, size_t k, double x)
{
	size_t lo = 0, hi = k;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (edges[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static int add_batch(struct mrm_profile *p, const struct mrm_table *b,
		     struct mrm_error *err)
{
	size_t j;
	uint64_t i;

	p->rows += b->nrows;
	for (j = 0; j < b->ncols && j < p->ncols; j++) {
		const struct mrm_table_column *tc = &b->cols[j];
		struct mrm_profile_column *c = &p->cols[j];

		for (i = 0; i < b->nrows; i++) {
			size_t len, s, e;
			const char *t;
			double x;

			if (mrm_table_missing(tc, i)) {
				c->missing++;
				if (c->type == MRM_PROFILE_NUMERIC)
					mrm_moments_add_missing(&c->mom);
				continue;
			}
			t = mrm_table_text(tc, i, &len);
			c->count++;
			mrm_hll_add_bytes(c->hll_text, t, len);
			if (mrm_freq_add(c->freq, t,
					 len > MRM_FREQ_ITEM_MAX ? MRM_FREQ_ITEM_MAX : len, err))
				return MRM_EINPUT;
			if (c->type != MRM_PROFILE_NUMERIC)
				continue;
			for (s = 0; s < len && blank(t[s]); s++)
				;
			for (e = len; e > s && blank(t[e - 1]); e--)
				;
			if (e > s && !mrm_parse_double(t + s, e - s, &x) && isfinite(x)) {
				if (mrm_moments_add(&c->mom, x, err) ||
				    mrm_kll_update(c->kll, x, err))
					return MRM_EINPUT;
				mrm_hll_add_double(c->hll_num, x);
				if (c->bins)
					c->bins[bin_of(c->edges, c->nedges, x)]++;
				if (c->has_range) {
					c->below += x < c->range_lo;
					c->above += x > c->range_hi;
				}
			} else {
				drop_numeric(c);
			}
		}
	}
	return 0;
}

/* The order statistic x_(j) (0-based) as the sketch sees it: the first value whose weight reaches j + 1. */
static double order_stat(const double *v, const uint64_t *cw, size_t m, uint64_t j)
{
	size_t lo = 0, hi = m;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cw[mid] >= j + 1)
			hi = mid;
		else
			lo = mid + 1;
	}
	return v[lo < m ? lo : m - 1];
}

int mrm_profile_edges(const struct mrm_profile_column *c, double *edges, size_t *k,
		      struct mrm_error *err)
{
	double *v = NULL;
	uint64_t *cw = NULL, n;
	size_t m = 0, i;
	int rc;

	*k = 0;
	if (c->type != MRM_PROFILE_NUMERIC || !c->kll || mrm_kll_n(c->kll) == 0)
		return mrm_error_set(err, MRM_EINPUT, "column '%s' has no numeric values to bin",
				     c->name);
	if ((rc = mrm_kll_sorted(c->kll, &v, &cw, &m, err)))
		return rc;
	n = mrm_kll_n(c->kll);
	if (mrm_kll_exact(c->kll)) {
		/* Every value is there: the file path's own edges. */
		rc = mrm_drift_edges(v, m, MRM_PROFILE_BINS, edges, k, err);
		free(v);
		free(cw);
		return rc;
	}
	/* numpy 1.24 'linear': virtual index (n - 1) q, _lerp with the t >= 0.5 branch. */
	for (i = 1; i < MRM_PROFILE_BINS; i++) {
		double vi = (double)(n - 1) * ((double)i / MRM_PROFILE_BINS), prev = floor(vi);
		double gamma = vi - prev, a, b, e;
		uint64_t lo = (uint64_t)prev;

		a = order_stat(v, cw, m, lo);
		b = lo + 1 < n ? order_stat(v, cw, m, lo + 1) : a;
		e = gamma >= 0.5 ? b - (b - a) * (1 - gamma) : a + (b - a) * gamma;
		if (*k == 0 || e != edges[*k - 1])
			edges[(*k)++] = e;
	}
	free(v);
	free(cw);
	return 0;
}

static long find_col(const struct mrm_profile *p, const char *name);

/* Gives column c the reference bins of the same-named numeric column of `ref`, if any. */
static int column_bins(struct mrm_profile_column *c, const struct mrm_profile *ref,
		       struct mrm_error *err)
{
	double e[MRM_PROFILE_BINS - 1];
	long j = find_col(ref, c->name);
	size_t k;
	int rc;

	if (j < 0 || ref->cols[j].type != MRM_PROFILE_NUMERIC || ref->cols[j].count == 0)
		return 0;
	if ((rc = mrm_profile_edges(&ref->cols[j], e, &k, err)))
		return rc;
	c->edges = malloc(k * sizeof(*c->edges));
	c->bins = calloc(k + 1, sizeof(*c->bins));
	if (!c->edges || !c->bins)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	memcpy(c->edges, e, k * sizeof(*e));
	c->nedges = k;
	c->has_range = true;
	c->range_lo = mrm_kll_min(ref->cols[j].kll);
	c->range_hi = mrm_kll_max(ref->cols[j].kll);
	return 0;
}

int mrm_profile_build(struct mrm_table_reader *r, const char *const *columns,
		      struct mrm_profile **out, struct mrm_error *err)
{
	return mrm_profile_build_binned(r, columns, NULL, out, err);
}

int mrm_profile_build_binned(struct mrm_table_reader *r, const char *const *columns,
			     const struct mrm_profile *bins_from, struct mrm_profile **out,
			     struct mrm_error *err)
{
	struct mrm_profile *p;
	const struct mrm_table *b;
	size_t i, n = 0;
	int rc;

	*out = NULL;
	if (columns)
		while (columns[n])
			n++;
	else
		n = mrm_table_ncols(r);
	p = calloc(1, sizeof(*p));
	if (!p || !(p->cols = calloc(n ? n : 1, sizeof(*p->cols)))) {
		free(p);
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	}
	p->version = MRM_PROFILE_VERSION;
	/* Without a list every field is selected by position (duplicated header names too). */
	if (!columns && (rc = mrm_table_select_all(r, MRM_COL_TEXT, err)))
		goto fail;
	for (i = 0; i < n; i++) {
		const char *name = columns ? columns[i] : mrm_table_colname(r, i);
		size_t j;

		for (j = 0; columns && j < i; j++)
			if (!strcmp(columns[j], name)) {
				rc = mrm_error_set(err, MRM_EINPUT, "column '%s' is listed twice", name);
				goto fail;
			}
		p->ncols = i + 1;
		if ((columns && (rc = mrm_table_select(r, name, MRM_COL_TEXT, NULL, err))) ||
		    (rc = column_init(&p->cols[i], name, err)) ||
		    (bins_from && (rc = column_bins(&p->cols[i], bins_from, err))))
			goto fail;
	}
	while (!(rc = mrm_table_next(r, &b, err)) && b)
		if ((rc = add_batch(p, b, err)))
			goto fail;
	if (rc)
		goto fail;
	*out = p;
	return 0;
fail:
	mrm_profile_free(p);
	return rc;
}

static long find_col(const struct mrm_profile *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->ncols; i++)
		if (!strcmp(p->cols[i].name, name))
			return (long)i;
	return -1;
}

int mrm_profile_merge(struct mrm_profile *a, const struct mrm_profile *b,
		      struct mrm_error *err)
{
	struct mrm_error e2 = { 0 };
	size_t i;

	for (i = 0; i < a->ncols; i++)
		if (find_col(a, a->cols[i].name) != (long)i)
			return mrm_error_set(err, MRM_EINPUT,
					     "column '%s' appears twice; such profiles cannot be merged",
					     a->cols[i].name);
	for (i = 0; i < b->ncols; i++)
		if (find_col(b, b->cols[i].name) != (long)i)
			return mrm_error_set(err, MRM_EINPUT,
					     "column '%s' appears twice; such profiles cannot be merged",
					     b->cols[i].name);
	for (i = 0; i < a->ncols; i++)
		if (find_col(b, a->cols[i].name) < 0)
			return mrm_error_set(err, MRM_EINPUT,
					     "column '%s' is in one profile but not the other",
					     a->cols[i].name);
	for (i = 0; i < b->ncols; i++)
		if (find_col(a, b->cols[i].name) < 0)
			return mrm_error_set(err, MRM_EINPUT,
					     "column '%s' is in one profile but not the other",
					     b->cols[i].name);
	for (i = 0; i < a->ncols; i++) {
		struct mrm_profile_column *x = &a->cols[i];
		const struct mrm_profile_column *y = &b->cols[find_col(b, x->name)];

		if (mrm_hll_merge(x->hll_text, y->hll_text, &e2) ||
		    mrm_freq_merge(x->freq, y->freq, &e2))
			return mrm_error_set(err, MRM_EINPUT, "column '%s': %s", x->name, e2.msg);
		if (y->type != MRM_PROFILE_NUMERIC) {
			if (x->type == MRM_PROFILE_NUMERIC)
				drop_numeric(x);
		} else if (x->type == MRM_PROFILE_NUMERIC) {
			if (x->bins && y->bins && x->nedges == y->nedges &&
			    !memcmp(x->edges, y->edges, x->nedges * sizeof(*x->edges))) {
				size_t k;

				for (k = 0; k <= x->nedges; k++)
					x->bins[k] += y->bins[k];
				if (x->has_range && y->has_range && x->range_lo == y->range_lo &&
				    x->range_hi == y->range_hi) {
					x->below += y->below;
					x->above += y->above;
				} else {
					x->has_range = false;
				}
			} else {
				drop_bins(x);
			}
			mrm_moments_merge(&x->mom, &y->mom);
			if (mrm_kll_merge(x->kll, y->kll, &e2) ||
			    mrm_hll_merge(x->hll_num, y->hll_num, &e2))
				return mrm_error_set(err, MRM_EINPUT, "column '%s': %s", x->name, e2.msg);
		}
		x->count += y->count;
		x->missing += y->missing;
	}
	a->rows += b->rows;
	return 0;
}

static json_t *jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

int mrm_profile_json(const struct mrm_profile *p, size_t top, json_t **out,
		     struct mrm_error *err)
{
	json_t *doc = json_object(), *cols = json_array();
	size_t i, j;

	*out = NULL;
	json_object_set_new(doc, "format_version", json_integer(p->version ? p->version :
								 MRM_PROFILE_VERSION));
	json_object_set_new(doc, "rows", json_integer((json_int_t)p->rows));
	json_object_set_new(doc, "columns", cols);
	for (i = 0; i < p->ncols; i++) {
		const struct mrm_profile_column *c = &p->cols[i];
		json_t *o = json_object(), *t = json_array();
		struct mrm_freq_item *items = NULL;
		size_t nitems = 0;
		bool num = c->type == MRM_PROFILE_NUMERIC;

		json_array_append_new(cols, o);
		json_object_set_new(o, "name", json_string(c->name));
		json_object_set_new(o, "type", json_string(num ? "numeric" : "categorical"));
		json_object_set_new(o, "count", json_integer((json_int_t)c->count));
		json_object_set_new(o, "missing", json_integer((json_int_t)c->missing));
		if (num) {
			double q[MRM__PROFILE_NQ], var = mrm_moments_variance(&c->mom, 1);
			json_t *qo = json_object();

			json_object_set_new(o, "min", jnum(c->mom.count ? c->mom.min : NAN));
			json_object_set_new(o, "max", jnum(c->mom.count ? c->mom.max : NAN));
			json_object_set_new(o, "mean", jnum(c->mom.count ? c->mom.mean + c->mom.mean_lo : NAN));
			json_object_set_new(o, "variance", jnum(var));
			json_object_set_new(o, "std", jnum(sqrt(var)));
			if (mrm_kll_quantiles(c->kll, qs, MRM__PROFILE_NQ, q, err)) {
				json_decref(doc);
				return MRM_EINPUT;
			}
			for (j = 0; j < MRM__PROFILE_NQ; j++)
				json_object_set_new(qo, qnames[j], jnum(q[j]));
			json_object_set_new(o, "quantiles", qo);
			json_object_set_new(o, "kll_epsilon", json_real(mrm_kll_epsilon(mrm_kll_k(c->kll))));
			if (c->bins) {
				json_t *e = json_array(), *b = json_array();

				for (j = 0; j < c->nedges; j++)
					json_array_append_new(e, json_real(c->edges[j]));
				for (j = 0; j <= c->nedges; j++)
					json_array_append_new(b, json_integer((json_int_t)c->bins[j]));
				json_object_set_new(o, "bins", json_pack("{s:o, s:o}", "edges", e,
									 "counts", b));
			}
		}
		json_object_set_new(o, "distinct",
				    json_integer((json_int_t)llround(mrm_hll_estimate(num ? c->hll_num :
											   c->hll_text))));
		if (mrm_freq_items(c->freq, &items, &nitems, err)) {
			json_decref(doc);
			return MRM_EINPUT;
		}
		for (j = 0; j < nitems && j < top; j++) {
			json_t *it = json_object();

			json_object_set_new(it, "value", json_stringn_nocheck((const char *)items[j].data,
									    items[j].len));
			json_object_set_new(it, "count", json_integer((json_int_t)items[j].count));
			json_array_append_new(t, it);
		}
		free(items);
		json_object_set_new(o, "top", t);
		json_object_set_new(o, "top_exact", json_boolean(mrm_freq_exact(c->freq)));
		json_object_set_new(o, "top_error", json_integer((json_int_t)mrm_freq_error(c->freq)));
	}
	*out = doc;
	return 0;
}
