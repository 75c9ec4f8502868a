/*
 * The data-quality checks of `mrm drift` (schema, duplicates, missing values, ranges, new
 * categories, constant columns) over per-column summaries, and the duplicate-row hash set.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/quality.h"
#include "stats/internal.h"
#include "mrm/table.h"

static const struct {
	const char *name;
	double threshold;
	bool count; /* a count (>= 0, any size) rather than a share or a 0/1 flag */
} checks[Q_NCHECKS] = {
	[Q_MISSING_COLUMNS] = { "missing_columns", 0, true },
	[Q_NEW_COLUMNS] = { "new_columns", 0, true },
	[Q_RETYPED_COLUMNS] = { "retyped_columns", 0, true },
	[Q_DUPLICATE_ROWS] = { "duplicate_rows", 0.05, false },
	[Q_MISSING_RATE] = { "missing_rate", 0.05, false },
	[Q_ALL_MISSING] = { "all_missing", 0, false },
	[Q_OUT_OF_RANGE] = { "out_of_range", 0.05, false },
	[Q_NEW_CATEGORIES] = { "new_categories", 0, false },
	[Q_CONSTANT] = { "constant", 0, false },
};

const char *quality_check_name(int check)
{
	return check >= 0 && check < Q_NCHECKS ? checks[check].name : NULL;
}

double quality_default_threshold(int check)
{
	return check >= 0 && check < Q_NCHECKS ? checks[check].threshold : NAN;
}

static int oom(struct mrm_error *err)
{
	return mrm_error_set(err, MRM_EINPUT, "out of memory");
}

int quality_thresholds(const char *const *spec, double thr[Q_NCHECKS], struct mrm_error *err)
{
	size_t i;
	int c;

	for (c = 0; c < Q_NCHECKS; c++)
		thr[c] = checks[c].threshold;
	thr[Q_DUPLICATE_ROWS] = NAN; /* the default: the reference's share + 0.05 */
	for (i = 0; spec && spec[i]; i++) {
		const char *s = spec[i], *eq = strchr(s, '=');
		size_t nlen = eq ? (size_t)(eq - s) : strlen(s);
		double v;

		for (c = 0; c < Q_NCHECKS; c++)
			if (strlen(checks[c].name) == nlen && !strncmp(checks[c].name, s, nlen))
				break;
		if (c == Q_NCHECKS) {
			char list[512];
			size_t at = 0;
			int j;

			list[0] = 0;
			for (j = 0; j < Q_NCHECKS; j++)
				at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%s", j ? " " : "",
						       checks[j].name);
			return mrm_error_set(err, MRM_EUSAGE, "--check: unknown check '%.*s' (checks: %s)",
					     (int)nlen, s, list);
		}
		if (!eq)
			return mrm_error_set(err, MRM_EUSAGE, "--check %s needs a threshold: %s=X", s, s);
		if (mrm_parse_double(eq + 1, strlen(eq + 1), &v) || !isfinite(v))
			return mrm_error_set(err, MRM_EUSAGE, "--check %s: '%s' is not a number",
					     checks[c].name, eq + 1);
		if (v < 0 || (!checks[c].count && v > 1))
			return mrm_error_set(err, MRM_EUSAGE, "--check %s: the threshold must be %s, not %s",
					     checks[c].name, checks[c].count ? "a count >= 0" :
					     "between 0 and 1", eq + 1);
		thr[c] = v;
	}
	return 0;
}

/* The first index >= lo in x[0..n) whose value is >= v (strict: > v). */
static size_t bsearch_ge(const double *x, size_t n, double v, bool strict)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strict ? x[mid] <= v : x[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t quality_first_at_least(const double *x, size_t n, double v, bool strict)
{
	return bsearch_ge(x, n, v, strict);
}

void quality_outside_sorted(const struct quality_col *c, double lo, double hi, double *below,
			    double *above)
{
	const double *x = c->data;

	*below = (double)bsearch_ge(x, c->n, lo, false);
	*above = (double)(c->n - bsearch_ge(x, c->n, hi, true));
}

/* A growing text buffer for "detail". */
struct text {
	char buf[512];
	size_t at;
};

__attribute__((format(printf, 2, 3)))
static void say(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->at >= sizeof(t->buf) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->at, sizeof(t->buf) - t->at, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->at += (size_t)n;
	if (t->at >= sizeof(t->buf))
		t->at = sizeof(t->buf) - 1;
}

/* Appends one entry with threshold t; NAN value is null. */
static int entry(json_t *out, int check, const char *column, double value, double t,
		 bool estimated, const char *detail, size_t *failed)
{
	bool fail = !isnan(value) && value > t;
	json_t *v, *e;

	if (isnan(value))
		v = json_null();
	else if (checks[check].count || check == Q_ALL_MISSING || check == Q_CONSTANT)
		v = json_integer((json_int_t)value);
	else
		v = json_real(value);
	e = json_pack("{s:s, s:o, s:o, s:f, s:b, s:s}", "check", checks[check].name, "column",
		      column ? json_string(column) : json_null(), "value", v, "threshold", t,
		      "failed", fail, "detail", detail);
	if (!e)
		return -1;
	if (isnan(value))
		json_object_set_new(e, "status", json_string("not_applicable"));
	if (estimated)
		json_object_set_new(e, "estimated", json_true());
	if (json_array_append_new(out, e))
		return -1;
	if (fail && failed)
		(*failed)++;
	return 0;
}

static double present(const struct quality_side *s, const struct quality_col *c)
{
	return (double)s->rows - (double)c->missing;
}

/* One distinct value among at least two present ones (a single value is no evidence). */
static bool constant(const struct quality_side *s, const struct quality_col *c)
{
	if (present(s, c) < 2)
		return false;
	if (c->type == MRM_COL_NUMERIC)
		return c->min == c->max;
	return c->distinct >= 0.5 && c->distinct < 1.5;
}

/* The column of `s` named `name`, or NULL. */
static const struct quality_col *find(const struct mrm_strmap *m, const struct quality_side *s,
				      const char *name)
{
	bool found = false;
	void *at = mrm_strmap_get(m, name, strlen(name), &found);

	return found ? &s->cols[(uintptr_t)at - 1] : NULL;
}

static struct mrm_strmap *names_of(const struct quality_side *s)
{
	struct mrm_strmap *m = mrm_strmap_new();
	size_t i;

	for (i = 0; m && i < s->ncols; i++) {
		void **slot = mrm_strmap_slot(m, s->cols[i].name, strlen(s->cols[i].name));

		if (!slot) {
			mrm_strmap_free(m);
			return NULL;
		}
		if (!*slot)
			*slot = (void *)(uintptr_t)(i + 1);
	}
	return m;
}

static const char *type_name(enum mrm_col_type t)
{
	return t == MRM_COL_NUMERIC ? "numeric" : "categorical";
}

/* Both sides read the column (a side may only name a column it lacks). */
static bool read_both(const struct quality_col *r, const struct quality_col *c)
{
	return r && c && r->type && c->type;
}

static bool retyped(const struct quality_side *rs, const struct quality_col *r,
		    const struct quality_side *cs, const struct quality_col *c)
{
	return read_both(r, c) && r->type != c->type && present(rs, r) > 0 &&
	       present(cs, c) > 0;
}

/* The data-set checks: schema and duplicates. */
static int dataset_checks(const double *thr, const struct quality_side *ref,
			  const struct quality_side *cur, const struct mrm_strmap *rmap,
			  const struct mrm_strmap *cmap, json_t *out, size_t *failed)
{
	struct text t = { .at = 0 };
	size_t i, n = 0;
	double dt;

	/* missing_columns */
	for (i = 0; i < ref->ncols; i++)
		if (!find(cmap, cur, ref->cols[i].name))
			say(&t, "%s%s", n++ ? ", " : "missing in current: ", ref->cols[i].name);
	if (!n)
		say(&t, "every reference column is in the current data");
	if (entry(out, Q_MISSING_COLUMNS, NULL, (double)n, thr[Q_MISSING_COLUMNS], false, t.buf, failed))
		return -1;
	/* new_columns */
	t.at = 0;
	t.buf[0] = 0;
	for (i = n = 0; i < cur->ncols; i++)
		if (!find(rmap, ref, cur->cols[i].name))
			say(&t, "%s%s", n++ ? ", " : "new in current: ", cur->cols[i].name);
	if (!n)
		say(&t, "no column that the reference lacks");
	if (entry(out, Q_NEW_COLUMNS, NULL, (double)n, thr[Q_NEW_COLUMNS], false, t.buf, failed))
		return -1;
	/* retyped_columns */
	t.at = 0;
	t.buf[0] = 0;
	for (i = n = 0; i < ref->ncols; i++) {
		const struct quality_col *r = &ref->cols[i], *c = find(cmap, cur, r->name);

		if (retyped(ref, r, cur, c))
			say(&t, "%s%s (%s in reference, %s in current)", n++ ? ", " : "retyped: ",
			    r->name, type_name(r->type), type_name(c->type));
	}
	if (!n)
		say(&t, "no column changed type");
	if (entry(out, Q_RETYPED_COLUMNS, NULL, (double)n, thr[Q_RETYPED_COLUMNS], false, t.buf, failed))
		return -1;
	/* duplicate_rows */
	t.at = 0;
	t.buf[0] = 0;
	if (isnan(cur->duplicates) || cur->rows == 0) {
		say(&t, "%s", !cur->rows ? "no rows" : cur->duplicates_why ? cur->duplicates_why :
		    "duplicate rows are not known for this data");
		return entry(out, Q_DUPLICATE_ROWS, NULL, NAN, isnan(thr[Q_DUPLICATE_ROWS]) ?
			     checks[Q_DUPLICATE_ROWS].threshold : thr[Q_DUPLICATE_ROWS], false, t.buf,
			     failed);
	}
	say(&t, "%s%.0f of %llu rows repeat an earlier row over %zu column%s",
	    cur->duplicates_estimated ? "about " : "", cur->duplicates,
	    (unsigned long long)cur->rows, cur->dup_columns, cur->dup_columns == 1 ? "" : "s");
	if (cur->duplicates_estimated)
		say(&t, " (estimated from a sample of the distinct rows)");
	/* The default threshold is relative: the reference's own share of duplicates + 0.05. */
	dt = thr[Q_DUPLICATE_ROWS];
	if (!isnan(ref->duplicates) && ref->rows) {
		say(&t, "; reference %.4g", ref->duplicates / (double)ref->rows);
		if (isnan(dt))
			dt = fmin(1, ref->duplicates / (double)ref->rows +
				  checks[Q_DUPLICATE_ROWS].threshold);
	}
	if (isnan(dt))
		dt = checks[Q_DUPLICATE_ROWS].threshold;
	return entry(out, Q_DUPLICATE_ROWS, NULL, cur->duplicates / (double)cur->rows, dt,
		     cur->duplicates_estimated, t.buf, failed);
}

static int missing_rate_check(const double *thr, const struct quality_side *ref,
			      const struct quality_col *r, const struct quality_side *cur,
			      const struct quality_col *c, json_t *out, size_t *failed)
{
	struct text t = { .at = 0 };
	double rr = ref->rows ? (double)r->missing / (double)ref->rows : 0;
	double cr = cur->rows ? (double)c->missing / (double)cur->rows : 0;

	if (!cur->rows) {
		say(&t, "no rows");
		return entry(out, Q_MISSING_RATE, r->name, NAN, thr[Q_MISSING_RATE], false, t.buf, failed);
	}
	say(&t, "missing in %.4g%% of current rows (%llu of %llu), %.4g%% of reference rows",
	    100 * cr, (unsigned long long)c->missing, (unsigned long long)cur->rows, 100 * rr);
	return entry(out, Q_MISSING_RATE, r->name, cr - rr, thr[Q_MISSING_RATE], false, t.buf, failed);
}

static int all_missing_check(const double *thr, const struct quality_side *ref,
			     const struct quality_col *r, const struct quality_side *cur,
			     const struct quality_col *c, json_t *out, size_t *failed)
{
	struct text t = { .at = 0 };
	double v = 0;

	if (!cur->rows) {
		say(&t, "no rows");
		v = NAN;
	} else if (present(cur, c) > 0) {
		say(&t, "%.0f present values", present(cur, c));
	} else if (present(ref, r) > 0) {
		say(&t, "every current value is missing");
		v = 1;
	} else {
		say(&t, "every value is missing, in the reference too");
	}
	return entry(out, Q_ALL_MISSING, r->name, v, thr[Q_ALL_MISSING], false, t.buf, failed);
}

/* Adds "range" [lo, hi] (clipped to [0, 1]) and, when bound > 0, "bound" to the last entry. */
static int estimate_bounds(json_t *out, double lo, double hi, double bound)
{
	json_t *e = json_array_get(out, json_array_size(out) - 1);

	if (!e || json_object_set_new(e, "range", json_pack("[f, f]", fmax(0, lo), fmin(1, hi))))
		return -1;
	if (bound > 0 && json_object_set_new(e, "bound", json_real(bound)))
		return -1;
	return 0;
}

static int range_check(const double *thr, const struct quality_side *ref,
		       const struct quality_col *r, const struct quality_side *cur,
		       const struct quality_col *c, json_t *out, size_t *failed)
{
	struct text t = { .at = 0 };
	double below = 0, above = 0, n = present(cur, c);

	if (present(ref, r) <= 0) {
		say(&t, "no reference value");
		return entry(out, Q_OUT_OF_RANGE, r->name, NAN, thr[Q_OUT_OF_RANGE], false, t.buf, failed);
	}
	if (n <= 0 || !c->outside) {
		say(&t, n <= 0 ? "no current value" : "the current range is not known");
		return entry(out, Q_OUT_OF_RANGE, r->name, NAN, thr[Q_OUT_OF_RANGE], false, t.buf, failed);
	}
	c->outside(c, r->min, r->max, &below, &above);
	say(&t, "%s%.0f of %.0f current values outside the reference range [%.6g, %.6g]: %.0f below, "
	    "%.0f above", c->outside_estimated ? "about " : "", below + above, n, r->min, r->max,
	    below, above);
	if (c->outside_estimated && c->outside_bound > 0)
		say(&t, "; from the current's quantile sketch, share within %.4g", c->outside_bound);
	if (entry(out, Q_OUT_OF_RANGE, r->name, (below + above) / n, thr[Q_OUT_OF_RANGE],
		  c->outside_estimated, t.buf, failed))
		return -1;
	if (c->outside_estimated && c->outside_bound > 0)
		return estimate_bounds(out, (below + above) / n - c->outside_bound,
				       (below + above) / n + c->outside_bound, c->outside_bound);
	return 0;
}

static int category_check(const double *thr, const struct quality_side *ref,
			  const struct quality_col *r, const struct quality_side *cur,
			  const struct quality_col *c, json_t *out, size_t *failed)
{
	struct text t = { .at = 0 }, names = { .at = 0 };
	struct mrm_strmap *own = NULL;
	const struct mrm_strmap *idx = r->index;
	double n = present(cur, c), fresh = 0, old = 0;
	size_t i, kinds = 0;
	bool est = r->cat_partial || c->cat_partial;
	int rc;

	if (present(ref, r) <= 0 || n <= 0) {
		say(&t, n <= 0 ? "no current value" : "no reference value");
		return entry(out, Q_NEW_CATEGORIES, r->name, NAN, thr[Q_NEW_CATEGORIES], false, t.buf, failed);
	}
	if (!idx) {
		if (!(own = mrm_strmap_new()))
			return -1;
		for (i = 0; i < r->k; i++) {
			void **slot;

			if (r->cnt[i] <= 0)
				continue;
			if (!(slot = mrm_strmap_slot(own, r->cat[i], r->catlen[i]))) {
				mrm_strmap_free(own);
				return -1;
			}
			*slot = (void *)(uintptr_t)1;
		}
		idx = own;
	}
	for (i = 0; i < c->k; i++) {
		bool found = false;

		if (c->cnt[i] <= 0)
			continue;
		mrm_strmap_get(idx, c->cat[i], c->catlen[i], &found);
		if (found) {
			old += c->cnt[i];
			continue;
		}
		/*
		 * Against a partial reference an unlisted category may be there with up to
		 * cat_error values: it counts as new only when its current share, at the
		 * reference's size, is over twice that (it would have been listed).
		 */
		if (r->cat_partial &&
		    c->cnt[i] * present(ref, r) / n <= 2 * r->cat_error)
			continue;
		fresh += c->cnt[i];
		if (kinds < 5)
			say(&names, "%s%s", kinds ? ", " : ": ", c->cat[i]);
		else if (kinds == 5)
			say(&names, ", ...");
		kinds++;
	}
	mrm_strmap_free(own);
	say(&t, "%s%.0f of %.0f current values in %zu categor%s not in the reference%s",
	    est ? "about " : "", fresh, n, kinds, kinds == 1 ? "y" : "ies", names.buf);
	if (est)
		say(&t, "; from the frequent-items summar%s of the %s",
		    r->cat_partial && c->cat_partial ? "ies" : "y",
		    r->cat_partial && c->cat_partial ? "reference and the current" :
		    r->cat_partial ? "reference" : "current");
	rc = entry(out, Q_NEW_CATEGORIES, r->name, fresh / n, thr[Q_NEW_CATEGORIES], est, t.buf, failed);
	/*
	 * The true share: at least the listed values surely new (none against a partial
	 * reference), at most every value not in a category the reference lists.
	 */
	if (!rc && est)
		rc = estimate_bounds(out, r->cat_partial ? 0 : fresh / n, (n - old) / n, 0);
	return rc;
}

static void distinct_text(struct text *t, const struct quality_side *s, const struct quality_col *c)
{
	if (present(s, c) <= 0)
		say(t, "no present value");
	else if (present(s, c) < 2)
		say(t, "a single present value");
	else if (c->type == MRM_COL_NUMERIC && c->min == c->max)
		say(t, "one value (%.6g)", c->min);
	else if (c->type == MRM_COL_CATEGORICAL && constant(s, c)) {
		size_t i;

		for (i = 0; i < c->k && c->cnt[i] <= 0; i++)
			;
		say(t, i < c->k ? "one value (%s)" : "one value", i < c->k ? c->cat[i] : "");
	} else
		say(t, "%s%.0f distinct values", c->distinct_estimated ? "about " : "", c->distinct);
}

static int constant_check(const double *thr, const struct quality_side *ref,
			  const struct quality_col *r, const struct quality_side *cur,
			  const struct quality_col *c, json_t *out, size_t *failed)
{
	struct text t = { .at = 0 };
	bool now = constant(cur, c), before = constant(ref, r);

	distinct_text(&t, cur, c);
	say(&t, " in current, ");
	distinct_text(&t, ref, r);
	say(&t, " in reference");
	return entry(out, Q_CONSTANT, r->name, now && !before ? 1 : 0, thr[Q_CONSTANT], false, t.buf, failed);
}

int quality_run(const double thr[Q_NCHECKS], const struct quality_side *ref,
		const struct quality_side *cur, json_t *out, size_t *failed, struct mrm_error *err)
{
	struct mrm_strmap *rmap = names_of(ref), *cmap = names_of(cur);
	size_t i, nf = 0;
	int pass, rc = 0;

	if (failed)
		*failed = 0;
	if (!rmap || !cmap || dataset_checks(thr, ref, cur, rmap, cmap, out, &nf)) {
		rc = oom(err);
		goto out;
	}
	/* One pass per check, so the list reads check by check, columns in reference order. */
	for (pass = Q_MISSING_RATE; pass < Q_NCHECKS; pass++)
		for (i = 0; i < ref->ncols; i++) {
			const struct quality_col *r = &ref->cols[i], *c = find(cmap, cur, r->name);
			int e = 0;

			/* Columns read on both sides; a name repeated in the reference once. */
			if (!read_both(r, c) || find(rmap, ref, r->name) != r)
				continue;
			if (pass == Q_MISSING_RATE)
				e = missing_rate_check(thr, ref, r, cur, c, out, &nf);
			else if (pass == Q_ALL_MISSING)
				e = all_missing_check(thr, ref, r, cur, c, out, &nf);
			else if (pass == Q_OUT_OF_RANGE && r->type == MRM_COL_NUMERIC &&
				 c->type == MRM_COL_NUMERIC)
				e = range_check(thr, ref, r, cur, c, out, &nf);
			else if (pass == Q_NEW_CATEGORIES && r->type == MRM_COL_CATEGORICAL &&
				 c->type == MRM_COL_CATEGORICAL)
				e = category_check(thr, ref, r, cur, c, out, &nf);
			else if (pass == Q_CONSTANT)
				e = constant_check(thr, ref, r, cur, c, out, &nf);
			if (e) {
				rc = oom(err);
				goto out;
			}
		}
out:
	mrm_strmap_free(rmap);
	mrm_strmap_free(cmap);
	if (failed)
		*failed = nf;
	return rc;
}

void quality_failed_names(json_t *q, char *buf, size_t cap)
{
	size_t i, at = 0, shown = 0, total = 0;
	json_t *e;

	buf[0] = 0;
	json_array_foreach(q, i, e) {
		const char *col = json_string_value(json_object_get(e, "column"));

		if (!json_is_true(json_object_get(e, "failed")))
			continue;
		total++;
		if (shown < 6 && at < cap) {
			at += (size_t)snprintf(buf + at, cap - at, "%s%s%s%s", shown ? ", " : "",
					       json_string_value(json_object_get(e, "check")),
					       col ? ":" : "", col ? col : "");
			shown++;
		}
	}
	if (total > shown && at < cap)
		snprintf(buf + at, cap - at, " and %zu more", total - shown);
}

/* ------------------------------------------------------------------ */
/* Duplicate rows                                                      */
/* ------------------------------------------------------------------ */

void dup_init(struct dup_set *s, size_t max, bool grouped)
{
	memset(s, 0, sizeof(*s));
	s->max = max ? max : DUP_MAX_DISTINCT;
	s->chunk = s->max < DUP_CHUNK ? s->max : DUP_CHUNK;
	s->grouped = grouped;
}

void dup_release(struct dup_set *s)
{
	free(s->pk);
	free(s->pg);
	free(s->key);
	free(s->cnt);
	free(s->grp);
	free(s->rows);
	free(s->dups);
	free(s->srows);
	memset(s, 0, sizeof(*s));
}

static int groups(struct dup_set *s, uint32_t g)
{
	size_t n = s->ngroups ? s->ngroups : 16, i;
	double *a, *b, *c;

	if (g < s->ngroups)
		return 0;
	while (n <= g)
		n *= 2;
	a = realloc(s->rows, n * sizeof(*a));
	if (a)
		s->rows = a;
	b = realloc(s->dups, n * sizeof(*b));
	if (b)
		s->dups = b;
	c = realloc(s->srows, n * sizeof(*c));
	if (c)
		s->srows = c;
	if (!a || !b || !c)
		return -1;
	for (i = s->ngroups; i < n; i++)
		s->rows[i] = s->dups[i] = s->srows[i] = 0;
	s->ngroups = n;
	return 0;
}

static bool sampled(const struct dup_set *s, uint64_t k)
{
	return s->level == 0 || (k >> (64 - s->level)) == 0;
}

/* Halves the sample until at most `max` distinct keys remain; recounts each group from them. */
static void thin(struct dup_set *s)
{
	size_t i, j;

	while (s->used > s->max && s->level < 63) {
		s->level++;
		for (i = j = 0; i < s->used; i++)
			if (sampled(s, s->key[i])) {
				s->key[j] = s->key[i];
				s->cnt[j] = s->cnt[i];
				if (s->grp)
					s->grp[j] = s->grp[i];
				j++;
			}
		s->used = j;
	}
	for (i = 0; i < s->ngroups; i++)
		s->srows[i] = s->dups[i] = 0;
	for (i = 0; i < s->used; i++) {
		uint32_t g = s->grp ? s->grp[i] : 0;

		s->srows[g] += s->cnt[i];
		s->dups[g] += s->cnt[i] - 1;
	}
}

int dup_flush(struct dup_set *s)
{
	size_t n = s->np, d = 0, i = 0, j = 0, o = 0;
	uint64_t *kt, *nkey;
	uint32_t *pt, *ncnt, *ngrp;
	int rc;

	if (n == 0)
		return 0;
	kt = malloc(n * sizeof(*kt));
	pt = s->pg ? malloc(n * sizeof(*pt)) : NULL;
	rc = !kt || (s->pg && !pt) || mrm__radix_sort(s->pk, s->pg, n, kt, pt);
	free(kt);
	free(pt);
	if (rc)
		return -1;
	for (i = 0; i < n; i++)
		d += i == 0 || s->pk[i] != s->pk[i - 1];
	/* With nothing held yet the pending arrays become the distinct ones, written in place. */
	nkey = s->used ? malloc((s->used + d) * sizeof(*nkey)) : s->pk;
	ngrp = !s->grouped ? NULL : s->used ? malloc((s->used + d) * sizeof(*ngrp)) : s->pg;
	ncnt = malloc((s->used + d) * sizeof(*ncnt));
	if (!nkey || (s->grouped && !ngrp) || !ncnt) {
		if (nkey != s->pk)
			free(nkey);
		if (ngrp != s->pg)
			free(ngrp);
		free(ncnt);
		return -1;
	}
	/* Merge: each key once, with its copies; every pending copy of a known key is a duplicate. */
	for (i = 0; i < n || j < s->used;) {
		uint64_t k;
		uint32_t c, g;

		if (j < s->used && (i == n || s->key[j] <= s->pk[i])) {
			k = s->key[j];
			c = s->cnt[j];
			g = s->grp ? s->grp[j] : 0;
			j++;
		} else {
			k = s->pk[i];
			c = 1;
			g = s->pg ? s->pg[i] : 0;
			i++;
		}
		for (; i < n && s->pk[i] == k; i++) {
			if (c < UINT32_MAX)
				c++;
			s->dups[s->pg ? s->pg[i] : 0] += 1;
		}
		nkey[o] = k;
		ncnt[o] = c;
		if (ngrp)
			ngrp[o] = g;
		o++;
	}
	free(s->key);
	free(s->cnt);
	free(s->grp);
	if (nkey == s->pk) {
		s->pk = NULL;
		s->pg = NULL;
		s->pcap = 0;
	}
	s->key = nkey;
	s->cnt = ncnt;
	s->grp = ngrp;
	s->used = o;
	s->np = 0;
	if (s->used > s->max)
		thin(s);
	return 0;
}

/* Room for one more pending hash: doubling up to the chunk. */
static int pending_room(struct dup_set *s)
{
	size_t cap = s->pcap ? 2 * s->pcap : 1024;
	uint64_t *k;

	if (s->np < s->pcap)
		return 0;
	cap = cap < s->chunk ? cap : s->chunk;
	if (!(k = realloc(s->pk, cap * sizeof(*k))))
		return -1;
	s->pk = k;
	if (s->grouped) {
		uint32_t *g = realloc(s->pg, cap * sizeof(*g));

		if (!g)
			return -1;
		s->pg = g;
	}
	s->pcap = cap;
	return 0;
}

int dup_add(struct dup_set *s, uint64_t h, uint32_t group)
{
	uint64_t k;

	if (group && !s->grouped)
		return -1;
	k = quality_mix(h + (uint64_t)(group + 1) * 0x9e3779b97f4a7c15ULL);
	if (groups(s, group))
		return -1;
	s->rows[group] += 1;
	if (s->np >= s->chunk && dup_flush(s))
		return -1;
	if (!sampled(s, k))
		return 0;
	s->srows[group] += 1;
	if (pending_room(s))
		return -1;
	s->pk[s->np] = k;
	if (s->grouped)
		s->pg[s->np] = group;
	s->np++;
	return 0;
}

double dup_count(const struct dup_set *s, uint32_t group, bool *estimated)
{
	if (estimated)
		*estimated = s->level > 0;
	if (group >= s->ngroups)
		return 0;
	if (s->level == 0)
		return s->dups[group];
	return s->srows[group] > 0 ? s->dups[group] / s->srows[group] * s->rows[group] : 0;
}
