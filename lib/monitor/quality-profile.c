/*
 * The data-quality checks of `mrm drift` when a side is a profile: quality.c's checks over
 * summaries taken from the profiles (exact counts, exact min and max, category counts while
 * exact, the quantile sketch for the share out of range), duplicate rows not applicable.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrm/profile.h"
#include "monitor/drift-profile.h"
#include "monitor/quality.h"

static int oom(struct mrm_error *err)
{
	return mrm_error_set(err, MRM_EINPUT, "out of memory");
}

/* The current values below and above the reference range, worked out before the checks run. */
struct outside {
	double below, above;
};

/* One side's summaries and the memory behind them. */
struct qside {
	struct quality_side side;
	struct quality_col *cols;
	struct outside *out;  /* per column (current side) */
	char ***cats;         /* per column: NUL-terminated copies of the categories */
	uint32_t **catlen;
	double **cnt;
	size_t n;             /* columns with memory to free */
};

static void qside_release(struct qside *s)
{
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		for (j = 0; s->cats && s->cats[i] && j < s->cols[i].k; j++)
			free(s->cats[i][j]);
		if (s->cats)
			free(s->cats[i]);
		if (s->catlen)
			free(s->catlen[i]);
		if (s->cnt)
			free(s->cnt[i]);
	}
	free(s->cats);
	free(s->catlen);
	free(s->cnt);
	free(s->out);
	free(s->cols);
	memset(s, 0, sizeof(*s));
}

static int qside_alloc(struct qside *s, size_t n)
{
	s->cols = calloc(n + 1, sizeof(*s->cols));
	s->out = calloc(n + 1, sizeof(*s->out));
	s->cats = calloc(n + 1, sizeof(*s->cats));
	s->catlen = calloc(n + 1, sizeof(*s->catlen));
	s->cnt = calloc(n + 1, sizeof(*s->cnt));
	return s->cols && s->out && s->cats && s->catlen && s->cnt ? 0 : -1;
}

/* Column i of s as categories: the summary's values with their counts, in the order first seen. */
static int categories(struct qside *s, size_t i, const struct mrm_profile_column *pc,
		      struct mrm_error *err)
{
	struct quality_col *q = &s->cols[i];
	struct mrm_freq_item *it = NULL;
	size_t n = 0, j, k = 0;
	int rc;

	q->type = MRM_COL_CATEGORICAL;
	if ((rc = mrm_freq_items_seen(pc->freq, &it, &n, err)))
		return rc;
	s->cats[i] = calloc(n + 1, sizeof(**s->cats));
	s->catlen[i] = calloc(n + 1, sizeof(**s->catlen));
	s->cnt[i] = calloc(n + 1, sizeof(**s->cnt));
	if (!s->cats[i] || !s->catlen[i] || !s->cnt[i]) {
		free(it);
		return oom(err);
	}
	for (j = 0; j < n; j++) {
		if (!it[j].count)
			continue;
		if (!(s->cats[i][k] = malloc(it[j].len + 1))) {
			q->k = k;
			free(it);
			return oom(err);
		}
		if (it[j].len)
			memcpy(s->cats[i][k], it[j].data, it[j].len);
		s->cats[i][k][it[j].len] = 0;
		s->catlen[i][k] = (uint32_t)it[j].len;
		s->cnt[i][k] = (double)it[j].count;
		k++;
	}
	free(it);
	q->k = k;
	q->cat = (const char *const *)s->cats[i];
	q->catlen = s->catlen[i];
	q->cnt = s->cnt[i];
	q->cat_partial = !mrm_freq_exact(pc->freq);
	q->cat_error = (double)mrm_freq_error(pc->freq);
	/* Exact: the categories listed; beyond the summary's capacity, the distinct-count sketch. */
	q->distinct = q->cat_partial ? mrm_hll_estimate(pc->hll_text) : (double)k;
	q->distinct_estimated = q->cat_partial;
	return 0;
}

/* The weight of the sketch's values below x (strict) or, with `above`, over x. */
static double tail(const double *v, const uint64_t *cw, size_t m, double x, bool above)
{
	/* The first value >= x (below) or > x (above). */
	size_t lo = quality_first_at_least(v, m, x, above);

	if (above)
		return (double)(cw[m - 1] - (lo ? cw[lo - 1] : 0));
	return lo ? (double)cw[lo - 1] : 0;
}

/*
 * The current's values outside [lo, hi]: exact from the counts taken while a data file was
 * profiled against this range, or from a sketch that still holds every value, or where the
 * exact min or max shows a tail is empty; otherwise read from the quantile sketch, with its
 * rank-error bound (one tail: a single rank query; both: the mass between two points).
 */
static int outside_of(struct quality_col *q, struct outside *o, const struct mrm_profile_column *pc,
		      double lo, double hi, struct mrm_error *err)
{
	double *v = NULL;
	uint64_t *cw = NULL;
	size_t m = 0;
	bool eb, ea;
	int rc;

	o->below = o->above = 0;
	q->outside_estimated = false;
	q->outside_bound = 0;
	if (pc->has_range && pc->range_lo == lo && pc->range_hi == hi) {
		o->below = (double)pc->below;
		o->above = (double)pc->above;
		return 0;
	}
	eb = mrm_kll_min(pc->kll) < lo;
	ea = mrm_kll_max(pc->kll) > hi;
	if (!eb && !ea)
		return 0;
	if ((rc = mrm_kll_sorted(pc->kll, &v, &cw, &m, err)))
		return rc;
	if (m) {
		if (eb)
			o->below = fmax(1, tail(v, cw, m, lo, false));
		if (ea)
			o->above = fmax(1, tail(v, cw, m, hi, true));
	}
	free(v);
	free(cw);
	if (!mrm_kll_exact(pc->kll)) {
		unsigned k = mrm_kll_k(pc->kll);

		q->outside_estimated = true;
		q->outside_bound = eb && ea ? mrm_kll_epsilon_pmf(k) : mrm_kll_epsilon(k);
	}
	return 0;
}

/* quality_col.outside: the counts outside_of worked out for the reference's range. */
static void outside_stored(const struct quality_col *q, double lo, double hi, double *below,
			   double *above)
{
	const struct outside *o = q->data;

	(void)lo, (void)hi;
	*below = o->below;
	*above = o->above;
}

/* Distinct numbers: counted in a sketch that holds every value, else estimated. */
static int numeric_distinct(struct quality_col *q, const struct mrm_profile_column *pc,
			    struct mrm_error *err)
{
	double *v = NULL;
	uint64_t *cw = NULL;
	size_t m = 0, i;
	int rc;

	if (!mrm_kll_exact(pc->kll)) {
		q->distinct = mrm_hll_estimate(pc->hll_num);
		q->distinct_estimated = true;
		return 0;
	}
	if ((rc = mrm_kll_sorted(pc->kll, &v, &cw, &m, err)))
		return rc;
	q->distinct = m > 0;
	for (i = 1; i < m; i++)
		q->distinct += v[i] != v[i - 1];
	free(v);
	free(cw);
	return 0;
}

/*
 * Column i of both sides, as the file path reads it: a categorical reference column makes the
 * current one categorical too; a numeric one stays numeric (or shows as retyped).
 */
static int pair(struct qside *rs, struct qside *cs, size_t i, const struct mrm_profile_column *a,
		const struct mrm_profile_column *b, struct mrm_error *err)
{
	struct quality_col *r = &rs->cols[i], *c = &cs->cols[i];
	bool a_num = a->type == MRM_PROFILE_NUMERIC, b_num = b->type == MRM_PROFILE_NUMERIC;
	int rc;

	r->name = c->name = a->name;
	r->missing = a->missing;
	c->missing = b->missing;
	rs->n = cs->n = i + 1;
	if (!a_num) {
		if ((rc = categories(rs, i, a, err)) || (rc = categories(cs, i, b, err)))
			return rc;
		return 0;
	}
	r->type = MRM_COL_NUMERIC;
	if (a->count) {
		r->min = mrm_kll_min(a->kll);
		r->max = mrm_kll_max(a->kll);
		if ((rc = numeric_distinct(r, a, err)))
			return rc;
	}
	if (!b_num)
		return categories(cs, i, b, err);
	c->type = MRM_COL_NUMERIC;
	if (!b->count)
		return 0;
	c->min = mrm_kll_min(b->kll);
	c->max = mrm_kll_max(b->kll);
	c->n = b->count;
	c->outside = outside_stored;
	c->data = &cs->out[i];
	if ((rc = numeric_distinct(c, b, err)))
		return rc;
	return a->count ? outside_of(c, &cs->out[i], b, r->min, r->max, err) : 0;
}

/* The names of schema problems `problem` after the n compared columns of s. */
static void named_only(struct qside *s, size_t n, json_t *schema, const char *problem)
{
	size_t i;
	json_t *p;

	json_array_foreach(schema, i, p)
		if (!strcmp(json_string_value(json_object_get(p, "problem")), problem))
			s->cols[n++].name = json_string_value(json_object_get(p, "column"));
	s->side.ncols = n;
	s->side.cols = s->cols;
}

int drift_profile_quality(const struct mrm_drift_options *o, const struct mrm_profile *rp,
			  const struct mrm_profile *cp, bool ref_profile, bool cur_profile,
			  const char *const *names, size_t n, json_t *schema, json_t *doc,
			  size_t *failed, char *text, size_t cap, struct mrm_error *err)
{
	struct qside rs = { 0 }, cs = { 0 };
	double thr[Q_NCHECKS];
	size_t i, extra = json_array_size(schema);
	json_t *q = json_array();
	int rc;

	*failed = 0;
	text[0] = 0;
	if (!q || qside_alloc(&rs, n + extra) || qside_alloc(&cs, n + extra)) {
		rc = oom(err);
		goto out;
	}
	if ((rc = quality_thresholds(o->checks, thr, err)))
		goto out;
	for (i = 0; i < n; i++) {
		const struct mrm_profile_column *a = drift_profile_column(rp, names[i]),
						 *b = drift_profile_column(cp, names[i]);

		if (!a || !b) {
			rc = mrm_error_set(err, MRM_EINPUT, "internal: column '%s' was not profiled",
					   names[i]);
			goto out;
		}
		if ((rc = pair(&rs, &cs, i, a, b, err)))
			goto out;
	}
	named_only(&rs, n, schema, "missing_in_current");
	named_only(&cs, n, schema, "new_in_current");
	rs.side.rows = rp->rows;
	cs.side.rows = cp->rows;
	rs.side.duplicates = cs.side.duplicates = NAN;
	cs.side.duplicates_why = cur_profile ?
		"not applicable: the current data is a profile, which keeps per-column summaries, "
		"not rows, so repeated rows cannot be counted" :
		ref_profile ? "not applicable: the reference is a profile (per-column summaries, not "
		"rows); duplicate rows are counted between two data files only" : NULL;
	if ((rc = quality_run(thr, &rs.side, &cs.side, q, failed, err)))
		goto out;
	json_object_set(doc, "quality", q);
	json_object_set_new(doc, "quality_failed", json_integer((json_int_t)*failed));
	quality_failed_names(q, text, cap);
out:
	json_decref(q);
	qside_release(&rs);
	qside_release(&cs);
	return rc;
}
