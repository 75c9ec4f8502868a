/*
 * A drift side: one data set's selected columns, accumulated batch by batch (all rows or a
 * subset, for windows), numeric values kept plain or compact (drift-values.c) and sorted at
 * the end, categories counted by name.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mrm/stats.h"
#include "monitor/drift-internal.h"
#include "table/number.h"

static int oom(struct mrm_error *err)
{
	return mrm_error_set(err, MRM_EINPUT, "out of memory");
}

int drift_side_new(size_t ncols, const char *const *names, struct drift_side **out,
		   struct mrm_error *err)
{
	struct drift_side *s = calloc(1, sizeof(*s));
	size_t i;

	*out = NULL;
	if (!s || !(s->cols = calloc(ncols ? ncols : 1, sizeof(*s->cols)))) {
		free(s);
		return oom(err);
	}
	s->ncols = ncols;
	for (i = 0; i < ncols; i++) {
		s->cols[i].type = MRM_COL_NUMERIC;
		drift_values_init(&s->cols[i].vals, false, 0);
		if (!(s->cols[i].name = strdup(names[i]))) {
			drift_side_free(s);
			return oom(err);
		}
	}
	*out = s;
	return 0;
}

void drift_side_compact(struct drift_side *s)
{
	s->compact = true;
	for (size_t i = 0; i < s->ncols; i++)
		drift_values_init(&s->cols[i].vals, true, 0);
}

void drift_side_free(struct drift_side *s)
{
	size_t i, j;

	if (!s)
		return;
	for (i = 0; i < s->ncols; i++) {
		struct drift_col *c = &s->cols[i];

		free(c->name);
		drift_values_free(&c->vals);
		for (j = 0; j < c->k; j++)
			free(c->cat[j]);
		free(c->cat);
		free(c->catlen);
		free(c->cnt);
		free(c->code);
		mrm_strmap_free(c->index);
	}
	free(s->cols);
	free(s);
}

/* The position of category `str` in c, added with count 0 if new; SIZE_MAX when out of memory. */
static size_t category(struct drift_col *c, const char *str, size_t len)
{
	void **slot;

	if (!c->index && !(c->index = mrm_strmap_new()))
		return SIZE_MAX;
	if (!(slot = mrm_strmap_slot(c->index, str, len)))
		return SIZE_MAX;
	if (*slot)
		return (size_t)((uintptr_t)*slot - 1);
	if (c->k == c->kcap) {
		size_t ncap = c->kcap ? 2 * c->kcap : 16;
		double *cnt = realloc(c->cnt, ncap * sizeof(*cnt));
		uint32_t *cl;
		char **cat;

		if (!cnt)
			return SIZE_MAX;
		c->cnt = cnt;
		if (!(cl = realloc(c->catlen, ncap * sizeof(*cl))))
			return SIZE_MAX;
		c->catlen = cl;
		if (!(cat = realloc(c->cat, ncap * sizeof(*cat))))
			return SIZE_MAX;
		c->cat = cat;
		c->kcap = ncap;
	}
	if (!(c->cat[c->k] = malloc(len + 1)))
		return SIZE_MAX;
	memcpy(c->cat[c->k], str, len);
	c->cat[c->k][len] = 0;
	c->catlen[c->k] = (uint32_t)len;
	c->cnt[c->k] = 0;
	*slot = (void *)(uintptr_t)(c->k + 1);
	return c->k++;
}

/*
 * A numeric column turned categorical: its numbers become categories, spelled as the reader
 * does, in order of arrival. DRIFT_EORDER when packed values no longer have that order.
 */
static int to_categorical(struct drift_col *c)
{
	size_t i;

	if (!drift_values_in_order(&c->vals))
		return DRIFT_EORDER;
	c->type = MRM_COL_CATEGORICAL;
	for (i = 0; i < c->n; i++) {
		char buf[32];
		int len = mrm__num_format(c->vals.pend[i], buf);
		size_t at = category(c, buf, (size_t)len);

		if (at == SIZE_MAX)
			return -1;
		c->cnt[at] += 1;
	}
	drift_values_free(&c->vals);
	c->n = 0;
	return 0;
}

static int add_categorical(struct drift_col *c, const struct mrm_table_column *b, uint64_t row)
{
	uint32_t code = b->codes[row];
	size_t at;

	if (code == MRM_TABLE_NA_CODE) {
		c->missing++;
		return 0;
	}
	if (code >= c->ncode) {
		size_t n = b->dict->n, i;
		uint32_t *m = realloc(c->code, n * sizeof(*m));

		if (!m)
			return -1;
		for (i = c->ncode; i < n; i++)
			m[i] = 0;
		c->code = m;
		c->ncode = n;
	}
	if (!c->code[code]) {
		at = category(c, b->dict->str[code], b->dict->len[code]);
		if (at == SIZE_MAX)
			return -1;
		c->code[code] = (uint32_t)at + 1;
	}
	c->cnt[c->code[code] - 1] += 1;
	return 0;
}

int drift_side_add(struct drift_side *s, const struct mrm_table *batch, const uint32_t *rows,
		   size_t nrows, struct mrm_error *err)
{
	size_t i, j, n = rows ? nrows : (size_t)batch->nrows;

	for (i = 0; i < s->ncols; i++) {
		struct drift_col *c = &s->cols[i];
		const struct mrm_table_column *b = &batch->cols[i];

		if (b->type == MRM_COL_CATEGORICAL) {
			int rc = c->type == MRM_COL_NUMERIC ? to_categorical(c) : 0;

			if (rc)
				return rc == DRIFT_EORDER ? rc : oom(err);
			for (j = 0; j < n; j++)
				if (add_categorical(c, b, rows ? rows[j] : j))
					return oom(err);
			continue;
		}
		if (c->type == MRM_COL_CATEGORICAL) {
			/* An earlier batch turned it categorical: spell these numbers too. */
			for (j = 0; j < n; j++) {
				double v = b->num[rows ? rows[j] : j];
				char buf[32];
				size_t at;

				if (isnan(v)) {
					c->missing++;
					continue;
				}
				at = category(c, buf, (size_t)mrm__num_format(v, buf));
				if (at == SIZE_MAX)
					return oom(err);
				c->cnt[at] += 1;
			}
			continue;
		}
		if (drift_values_add(&c->vals, b->num, rows, n, &c->missing))
			return oom(err);
		c->n = (size_t)c->vals.n;
	}
	s->rows += n;
	return 0;
}

int drift_side_finish(struct drift_side *s, struct mrm_error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < s->ncols; i++)
		if (s->cols[i].type == MRM_COL_NUMERIC &&
		    (rc = drift_values_finish(&s->cols[i].vals, err)))
			return rc;
	return 0;
}

int drift_col_sorted(const struct drift_col *c, double *buf, const double **out,
		     struct mrm_error *err)
{
	const double *view = drift_values_view(&c->vals);
	int rc;

	if (view) {
		*out = view;
		return 0;
	}
	*out = NULL;
	if ((rc = drift_values_sorted(&c->vals, buf, err)))
		return rc;
	*out = buf;
	return 0;
}

int drift_col_sorted_alloc(const struct drift_col *c, double **out, struct mrm_error *err)
{
	const double *v;
	int rc;

	*out = NULL;
	if (c->n == 0)
		return 0;
	if (!(*out = malloc(c->n * sizeof(**out))))
		return oom(err);
	if ((rc = drift_col_sorted(c, *out, &v, err))) {
		free(*out);
		*out = NULL;
		return rc;
	}
	if (v != *out)
		memcpy(*out, v, c->n * sizeof(**out));
	return 0;
}
