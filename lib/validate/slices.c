/*
 * Slices of `mrm validate --group`: one slicing per group column and one
 * for the intersection of all of them, each a dense code per row and the
 * slice names in report order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/internal.h"

void mrm__slicing_release(struct mrm__slicing *s)
{
	size_t i;

	if (!s)
		return;
	free(s->key);
	free(s->code);
	for (i = 0; i < s->nslices; i++) {
		free(s->names[i]);
		json_decref(s->values ? s->values[i] : NULL);
	}
	free(s->names);
	free(s->values);
	free(s->sorted);
	memset(s, 0, sizeof(*s));
}

struct named {
	const char *name;
	size_t idx;
};

static int cmp_named(const void *a, const void *b)
{
	return mrm__cmp_names(((const struct named *)a)->name, ((const struct named *)b)->name);
}

/* Slice indices in name order, leaving out slices without rows. */
static int sort_slices(struct mrm__slicing *s)
{
	size_t i, m = 0;
	size_t *rows = calloc(s->nslices + 1, sizeof(*rows));
	struct named *nm = malloc((s->nslices + 1) * sizeof(*nm));

	if (!rows || !nm || !(s->sorted = malloc((s->nslices + 1) * sizeof(size_t)))) {
		free(rows);
		free(nm);
		return -1;
	}
	for (i = 0; i < s->n; i++)
		if (s->code[i] < s->nslices)
			rows[s->code[i]]++;
	for (i = 0; i < s->nslices; i++)
		if (rows[i])
			nm[m++] = (struct named){ s->names[i], i };
	qsort(nm, m, sizeof(*nm), cmp_named);
	for (i = 0; i < m; i++)
		s->sorted[i] = nm[i].idx;
	s->nsorted = m;
	free(rows);
	free(nm);
	return 0;
}

/* Open addressing map of 64-bit tuple keys to dense codes. */
struct tmap {
	uint64_t *key;
	uint32_t *val;
	size_t cap, n;
};

static int tmap_put(struct tmap *m, uint64_t k, uint32_t *code)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		struct tmap nm = { 0 };
		size_t j;

		nm.cap = m->cap ? m->cap * 2 : 64;
		nm.key = malloc(nm.cap * sizeof(uint64_t));
		nm.val = malloc(nm.cap * sizeof(uint32_t));
		if (!nm.key || !nm.val) {
			free(nm.key);
			free(nm.val);
			return -1;
		}
		memset(nm.key, 0xff, nm.cap * sizeof(uint64_t));
		for (j = 0; j < m->cap; j++) {
			if (m->key[j] == UINT64_MAX)
				continue;
			i = (size_t)((m->key[j] * 0x9E3779B97F4A7C15ULL) >> 7) & (nm.cap - 1);
			while (nm.key[i] != UINT64_MAX)
				i = (i + 1) & (nm.cap - 1);
			nm.key[i] = m->key[j];
			nm.val[i] = m->val[j];
		}
		nm.n = m->n;
		free(m->key);
		free(m->val);
		*m = nm;
	}
	i = (size_t)((k * 0x9E3779B97F4A7C15ULL) >> 7) & (m->cap - 1);
	while (m->key[i] != UINT64_MAX && m->key[i] != k)
		i = (i + 1) & (m->cap - 1);
	if (m->key[i] == UINT64_MAX) {
		m->key[i] = k;
		m->val[i] = (uint32_t)m->n++;
	}
	*code = m->val[i];
	return 0;
}

int mrm__slicings(struct mrm__vdata *d, const uint32_t *perm, size_t n,
		  struct mrm__slicing *out, size_t *count, struct mrm_error *err)
{
	size_t c, i, ns = 0;
	int rc;

	*count = 0;
	if (d->ng == 0)
		return 0;
	for (c = 0; c < d->ng; c++) {
		struct mrm__gcol *g = &d->g[c];
		struct mrm__slicing *s = &out[ns];

		memset(s, 0, sizeof(*s));
		ns++;
		s->n = n;
		s->column = (int)c;
		if (!(s->key = strdup(g->name)) || !(s->code = malloc((n ? n : 1) * sizeof(uint32_t))) ||
		    !(s->names = calloc(g->ndict ? g->ndict : 1, sizeof(char *))))
			goto nomem;
		s->nslices = g->ndict;
		for (i = 0; i < g->ndict; i++)
			if (!(s->names[i] = strdup(g->values[i])))
				goto nomem;
		for (i = 0; i < n; i++)
			s->code[i] = mrm__gcode(g, perm ? perm[i] : i);
		s->missing = g->missing;
		if (sort_slices(s))
			goto nomem;
	}
	if (d->ng > 1) {
		struct mrm__slicing *s = &out[ns];
		struct tmap m = { 0 };
		uint64_t prod = 1;
		uint32_t *first = NULL;

		memset(s, 0, sizeof(*s));
		ns++;
		s->n = n;
		s->column = -1;
		for (c = 0; c < d->ng; c++) {
			prod *= (uint64_t)d->g[c].ndict + 1;
			if (prod >= ((uint64_t)1 << 62)) {
				rc = mrm_error_set(err, MRM_EINPUT,
						   "the --group columns have too many combinations to intersect");
				goto fail;
			}
		}
		if (!(s->key = mrm__intersection_key(d)) ||
		    !(s->code = malloc((n ? n : 1) * sizeof(uint32_t))))
			goto nomem;
		for (i = 0; i < n; i++) {
			uint64_t k = 0;
			bool miss = false;

			for (c = 0; c < d->ng; c++) {
				uint32_t v = mrm__gcode(&d->g[c], perm ? perm[i] : i);

				miss |= v == UINT32_MAX;
				k = k * ((uint64_t)d->g[c].ndict + 1) + (v == UINT32_MAX ? 0 : v);
			}
			if (miss) {
				s->code[i] = UINT32_MAX;
				s->missing++;
				continue;
			}
			if (tmap_put(&m, k, &s->code[i])) {
				free(m.key);
				free(m.val);
				goto nomem;
			}
		}
		/* Names from the first row of each combination. */
		first = malloc((m.n ? m.n : 1) * sizeof(uint32_t));
		s->names = calloc(m.n ? m.n : 1, sizeof(char *));
		s->values = calloc(m.n ? m.n : 1, sizeof(json_t *));
		free(m.key);
		free(m.val);
		s->nslices = s->names && s->values ? m.n : 0;
		if (!first || !s->names || !s->values) {
			free(first);
			goto nomem;
		}
		memset(first, 0xff, (m.n ? m.n : 1) * sizeof(uint32_t));
		for (i = 0; i < n; i++)
			if (s->code[i] != UINT32_MAX && first[s->code[i]] == UINT32_MAX)
				first[s->code[i]] = (uint32_t)i;
		for (i = 0; i < m.n; i++) {
			size_t len = 0, cap = 1;
			json_t *vals = json_object();
			char *name;

			for (c = 0; c < d->ng; c++)
				cap += strlen(d->g[c].values[mrm__gcode(&d->g[c], perm ? perm[first[i]] : first[i])]) + 1;
			if (!(name = malloc(cap))) {
				json_decref(vals);
				free(first);
				goto nomem;
			}
			for (c = 0; c < d->ng; c++) {
				const char *v = d->g[c].values[mrm__gcode(&d->g[c], perm ? perm[first[i]] : first[i])];

				len += (size_t)snprintf(name + len, cap - len, "%s%s", c ? "&" : "", v);
				json_object_set_new(vals, d->g[c].name, json_string(v));
			}
			s->names[i] = name;
			s->values[i] = vals;
		}
		free(first);
		if (sort_slices(s))
			goto nomem;
	}
	for (i = 0; i < ns; i++)
		if (out[i].nsorted > MRM__MAX_SLICES) {
			rc = mrm_error_set(err, MRM_EINPUT,
					   "--group %s has %zu distinct values: at most %d slices (group by a "
					   "coarser column)", out[i].key, out[i].nsorted, MRM__MAX_SLICES);
			goto fail;
		}
	*count = ns;
	return 0;
nomem:
	rc = mrm_error_set(err, MRM_EINPUT, "out of memory building slices");
fail:
	for (i = 0; i < ns; i++)
		mrm__slicing_release(&out[i]);
	return rc;
}
