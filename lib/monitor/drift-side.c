/*
 * A drift side: one data set's selected columns, accumulated batch by batch (all rows or a
 * subset, for windows), numeric values sorted at the end and categories counted by name.
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
		if (!(s->cols[i].name = strdup(names[i]))) {
			drift_side_free(s);
			return oom(err);
		}
	}
	*out = s;
	return 0;
}

void drift_side_free(struct drift_side *s)
{
	size_t i, j;

	if (!s)
		return;
	for (i = 0; i < s->ncols; i++) {
		struct drift_col *c = &s->cols[i];

		free(c->name);
		free(c->num);
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

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 1024;
	void *q;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	if (!(q = realloc(*p, ncap * size)))
		return -1;
	*p = q;
	*cap = ncap;
	return 0;
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

/* A numeric column turned categorical: its numbers become categories, spelled as the reader does. */
static int to_categorical(struct drift_col *c)
{
	size_t i;

	c->type = MRM_COL_CATEGORICAL;
	for (i = 0; i < c->n; i++) {
		char buf[32];
		int len = mrm__num_format(c->num[i], buf);
		size_t at = category(c, buf, (size_t)len);

		if (at == SIZE_MAX)
			return -1;
		c->cnt[at] += 1;
	}
	free(c->num);
	c->num = NULL;
	c->n = c->cap = 0;
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
			if (c->type == MRM_COL_NUMERIC && to_categorical(c))
				return oom(err);
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
		if (grow((void **)&c->num, &c->cap, c->n + n, sizeof(*c->num)))
			return oom(err);
		for (j = 0; j < n; j++) {
			double v = b->num[rows ? rows[j] : j];

			if (isnan(v))
				c->missing++;
			else
				c->num[c->n++] = v;
		}
	}
	s->rows += n;
	return 0;
}

int drift_side_finish(struct drift_side *s, struct mrm_error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < s->ncols; i++)
		if (s->cols[i].type == MRM_COL_NUMERIC && s->cols[i].n > 1 &&
		    (rc = mrm_sort_doubles(s->cols[i].num, NULL, s->cols[i].n, err)))
			return rc;
	return 0;
}
