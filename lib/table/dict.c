/* String interning for categorical columns (see dict.h). */
#include <stdlib.h>

#include "table/dict.h"

#define BLOCK_MIN (64 * 1024)

struct mrm__dict_block {
	struct mrm__dict_block *next;
	size_t size, used;
	char data[];
};

static void sync_pub(struct mrm__dict *d)
{
	d->pub.str = (const char *const *)d->str;
	d->pub.len = d->len;
}

void mrm__dict_init(struct mrm__dict *d)
{
	memset(d, 0, sizeof(*d));
}

void mrm__dict_release(struct mrm__dict *d)
{
	struct mrm__dict_block *b, *next;

	if (!d)
		return;
	for (b = d->blocks; b; b = next) {
		next = b->next;
		free(b);
	}
	free(d->str);
	free(d->len);
	free(d->flag);
	free(d->tab);
	memset(d, 0, sizeof(*d));
}

void mrm__dict_reset(struct mrm__dict *d)
{
	struct mrm__dict_block *b;

	if (d->tab && d->pub.n)
		memset(d->tab, 0xff, ((size_t)d->mask + 1) * sizeof(*d->tab));
	for (b = d->blocks; b; b = b->next)
		b->used = 0;
	d->cur = d->blocks;
	d->pub.n = 0;
}

static int grow_table(struct mrm__dict *d)
{
	size_t size = d->tab ? ((size_t)d->mask + 1) * 2 : 16;
	int shift = 64;
	struct mrm__dict_slot *t;

	if (size > (size_t)1 << 33)
		return -1;
	for (size_t k = size; k > 1; k >>= 1)
		shift--;
	t = malloc(size * sizeof(*t));
	if (!t)
		return -1;
	memset(t, 0xff, size * sizeof(*t));
	for (uint32_t c = 0; c < d->pub.n; c++) {
		uint64_t k = mrm__dict_key8(d->str[c], d->len[c], false);
		size_t i = mrm__dict_hash(k, d->str[c], d->len[c]) >> shift;
		while (t[i].code != UINT32_MAX)
			i = (i + 1) & (size - 1);
		t[i].key8 = k;
		t[i].len = d->len[c];
		t[i].code = c;
	}
	free(d->tab);
	d->tab = t;
	d->mask = (uint32_t)(size - 1);
	d->shift = shift;
	return 0;
}

static char *store(struct mrm__dict *d, const char *s, size_t len)
{
	struct mrm__dict_block *b = d->cur;
	char *p;

	while (b && b->size - b->used < len + 1)
		b = b->next;
	if (!b) {
		size_t size = len + 1 > BLOCK_MIN ? len + 1 : BLOCK_MIN;
		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->size = size;
		b->used = 0;
		/* Append, so reset() walks every block from the first. */
		b->next = NULL;
		if (!d->blocks) {
			d->blocks = b;
		} else {
			struct mrm__dict_block *t = d->cur ? d->cur : d->blocks;
			while (t->next)
				t = t->next;
			t->next = b;
		}
	}
	d->cur = b;
	p = b->data + b->used;
	memcpy(p, s, len);
	p[len] = '\0';
	b->used += len + 1;
	return p;
}

int mrm__dict_add(struct mrm__dict *d, const char *s, size_t len,
		  uint64_t k, uint64_t h, uint32_t *code)
{
	size_t i;
	uint32_t c;
	char *p;

	if (len >= UINT32_MAX || d->pub.n >= UINT32_MAX - 1)
		return -1;
	/* Keep the load under 1/2, counting the new string. */
	if ((!d->tab || ((size_t)d->pub.n + 1) * 2 > (size_t)d->mask + 1) &&
	    grow_table(d))
		return -1;
	if (d->pub.n == d->cap) {
		uint32_t cap = d->cap ? d->cap * 2 : 16;
		char **str = realloc(d->str, (size_t)cap * sizeof(*str));
		if (!str)
			return -1;
		d->str = str;
		uint32_t *ln = realloc(d->len, (size_t)cap * sizeof(*ln));
		if (!ln)
			return -1;
		d->len = ln;
		uint8_t *fl = realloc(d->flag, cap);
		if (!fl)
			return -1;
		d->flag = fl;
		d->cap = cap;
		sync_pub(d);
	}
	p = store(d, s, len);
	if (!p)
		return -1;
	for (i = h >> d->shift; d->tab[i].code != UINT32_MAX; i = (i + 1) & d->mask)
		;
	c = d->pub.n++;
	d->str[c] = p;
	d->len[c] = (uint32_t)len;
	d->flag[c] = 0;
	d->tab[i].key8 = k;
	d->tab[i].len = (uint32_t)len;
	d->tab[i].code = c;
	*code = c;
	return 0;
}

void mrm__dict_pop(struct mrm__dict *d)
{
	uint32_t c;
	size_t i;

	if (!d->pub.n)
		return;
	c = d->pub.n - 1;
	/* Safe with linear probing: nothing was inserted after it. */
	i = mrm__dict_hash(mrm__dict_key8(d->str[c], d->len[c], false), d->str[c],
			   d->len[c]) >> d->shift;
	while (d->tab[i].code != c)
		i = (i + 1) & d->mask;
	d->tab[i].code = UINT32_MAX;
	d->pub.n--;
}
