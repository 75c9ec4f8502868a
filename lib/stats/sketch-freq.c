/* Frequent items: exact counts up to k values, then a mergeable Misra-Gries summary. */
#include <stdlib.h>

#include "mrm/sketch.h"
#include "stats/sketch-io.h"

#define FREQ_MAGIC "MRMf"
#define FREQ_VERSION 1

struct freq_item {
	uint8_t *data;
	size_t len;
	uint64_t count;
	uint64_t hash;
};

struct mrm_freq {
	unsigned k;
	uint64_t n;
	uint64_t err;            /* largest undercount of any value */
	struct freq_item *items; /* [len], alloc entries */
	size_t len, alloc;
	uint32_t *slot;          /* open addressing: item index + 1, 0 = empty */
	size_t nslot;            /* power of two, > 2 * entries */
};

/* Makes the table hold `want` entries at load <= 1/2 and re-inserts every item. */
static int freq_rehash(struct mrm_freq *f, size_t want)
{
	size_t i, ns = 16;

	while (ns < 2 * want + 2)
		ns *= 2;
	if (ns > f->nslot) {
		uint32_t *s = malloc(ns * sizeof(*s));

		if (!s)
			return -1;
		free(f->slot);
		f->slot = s;
		f->nslot = ns;
	}
	memset(f->slot, 0, f->nslot * sizeof(*f->slot));
	for (i = 0; i < f->len; i++) {
		size_t at = (size_t)f->items[i].hash & (f->nslot - 1);

		while (f->slot[at])
			at = (at + 1) & (f->nslot - 1);
		f->slot[at] = (uint32_t)(i + 1);
	}
	return 0;
}

/* Index of the item, or SIZE_MAX; `*at` gets its slot or the empty slot to use. */
static size_t freq_find(const struct mrm_freq *f, const void *data, size_t len,
			uint64_t hash, size_t *at)
{
	size_t s = (size_t)hash & (f->nslot - 1);

	while (f->slot[s]) {
		const struct freq_item *it = &f->items[f->slot[s] - 1];

		if (it->hash == hash && it->len == len &&
		    (len == 0 || memcmp(it->data, data, len) == 0)) {
			*at = s;
			return f->slot[s] - 1;
		}
		s = (s + 1) & (f->nslot - 1);
	}
	*at = s;
	return SIZE_MAX;
}

static int freq_reserve(struct mrm_freq *f, size_t need)
{
	struct freq_item *it;
	size_t a;

	if (need <= f->alloc)
		return 0;
	a = f->alloc ? f->alloc : 16;
	while (a < need)
		a *= 2;
	it = realloc(f->items, a * sizeof(*it));
	if (!it)
		return -1;
	f->items = it;
	f->alloc = a;
	return 0;
}

/* Appends a copy of the value (table not updated). */
static int freq_append(struct mrm_freq *f, const void *data, size_t len,
		       uint64_t hash, uint64_t count)
{
	struct freq_item *it;

	if (freq_reserve(f, f->len + 1))
		return -1;
	it = &f->items[f->len];
	it->data = malloc(len ? len : 1);
	if (!it->data)
		return -1;
	if (len)
		memcpy(it->data, data, len);
	it->len = len;
	it->count = count;
	it->hash = hash;
	f->len++;
	return 0;
}

/* Subtracts `c` from every counter and drops those that reach zero. */
static void freq_subtract(struct mrm_freq *f, uint64_t c)
{
	size_t i, j = 0;

	for (i = 0; i < f->len; i++) {
		if (f->items[i].count <= c) {
			free(f->items[i].data);
			continue;
		}
		f->items[i].count -= c;
		f->items[j++] = f->items[i];
	}
	f->len = j;
	f->err += c;
}

int mrm_freq_new(struct mrm_freq **out, unsigned k, struct mrm_error *err)
{
	struct mrm_freq *f;

	*out = NULL;
	if (k == 0)
		k = MRM_FREQ_K_DEFAULT;
	if (k > MRM_FREQ_K_MAX)
		return mrm_error_set(err, MRM_EINPUT, "frequent-items k is %u, expected 1..%d",
				     k, MRM_FREQ_K_MAX);
	f = calloc(1, sizeof(*f));
	if (!f || freq_rehash(f, 8)) {
		free(f);
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	}
	f->k = k;
	*out = f;
	return 0;
}

void mrm_freq_free(struct mrm_freq *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->len; i++)
		free(f->items[i].data);
	free(f->items);
	free(f->slot);
	free(f);
}

int mrm_freq_add(struct mrm_freq *f, const void *data, size_t len,
		 struct mrm_error *err)
{
	uint64_t hash;
	size_t at, i;

	if (len > MRM_FREQ_ITEM_MAX)
		return mrm_error_set(err, MRM_EINPUT, "value longer than %d bytes",
				     MRM_FREQ_ITEM_MAX);
	hash = mrm_xxh64(data, len, 0);
	i = freq_find(f, data, len, hash, &at);
	if (i != SIZE_MAX) {
		f->items[i].count++;
		f->n++;
		return 0;
	}
	if (f->len < f->k) {
		if (2 * (f->len + 1) + 2 > f->nslot) {
			if (freq_rehash(f, f->len + 1))
				return mrm_error_set(err, MRM_EINPUT, "out of memory");
			freq_find(f, data, len, hash, &at);
		}
		if (freq_append(f, data, len, hash, 1))
			return mrm_error_set(err, MRM_EINPUT, "out of memory");
		f->slot[at] = (uint32_t)f->len;
		f->n++;
		return 0;
	}
	/*
	 * k counters in use: Misra-Gries decrements all of them and the new
	 * value by one. Each such step removes k + 1 units, so it happens at
	 * most n / (k + 1) times, and costs O(k): amortised O(1) per value.
	 */
	f->n++;
	freq_subtract(f, 1);
	if (freq_rehash(f, f->len))
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	return 0;
}

static int cmp_u64_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y) - (x > y);
}

int mrm_freq_merge(struct mrm_freq *a, const struct mrm_freq *b,
		   struct mrm_error *err)
{
	size_t i, at;

	if (freq_rehash(a, a->len + b->len))
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	for (i = 0; i < b->len; i++) {
		const struct freq_item *it = &b->items[i];
		size_t j = freq_find(a, it->data, it->len, it->hash, &at);

		if (j != SIZE_MAX) {
			a->items[j].count += it->count;
			continue;
		}
		if (freq_append(a, it->data, it->len, it->hash, it->count))
			return mrm_error_set(err, MRM_EINPUT, "out of memory");
		a->slot[at] = (uint32_t)a->len;
	}
	a->n += b->n;
	a->err += b->err;
	if (a->len > a->k) {
		/* Agarwal et al. 2012: subtract the (k+1)-th largest count from all. */
		uint64_t *c = malloc(a->len * sizeof(*c));

		if (!c)
			return mrm_error_set(err, MRM_EINPUT, "out of memory");
		for (i = 0; i < a->len; i++)
			c[i] = a->items[i].count;
		qsort(c, a->len, sizeof(*c), cmp_u64_desc);
		freq_subtract(a, c[a->k]);
		free(c);
		if (freq_rehash(a, a->len))
			return mrm_error_set(err, MRM_EINPUT, "out of memory");
	}
	return 0;
}

uint64_t mrm_freq_n(const struct mrm_freq *f)
{
	return f->n;
}

uint64_t mrm_freq_error(const struct mrm_freq *f)
{
	return f->err;
}

bool mrm_freq_exact(const struct mrm_freq *f)
{
	return f->err == 0;
}

uint64_t mrm_freq_estimate(const struct mrm_freq *f, const void *data,
			   size_t len)
{
	size_t at, i = freq_find(f, data, len, mrm_xxh64(data, len, 0), &at);

	return i == SIZE_MAX ? 0 : f->items[i].count;
}

static int cmp_item(const void *pa, const void *pb)
{
	const struct mrm_freq_item *a = pa, *b = pb;
	size_t n = a->len < b->len ? a->len : b->len;
	int c;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	c = n ? memcmp(a->data, b->data, n) : 0;
	if (c)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

int mrm_freq_items(const struct mrm_freq *f, struct mrm_freq_item **items,
		   size_t *n, struct mrm_error *err)
{
	struct mrm_freq_item *out = malloc((f->len + 1) * sizeof(*out));
	size_t i;

	*items = NULL;
	*n = 0;
	if (!out)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	for (i = 0; i < f->len; i++) {
		out[i].data = f->items[i].data;
		out[i].len = f->items[i].len;
		out[i].count = f->items[i].count;
	}
	qsort(out, f->len, sizeof(*out), cmp_item);
	*items = out;
	*n = f->len;
	return 0;
}

int mrm_freq_items_seen(const struct mrm_freq *f, struct mrm_freq_item **items,
			size_t *n, struct mrm_error *err)
{
	struct mrm_freq_item *out = malloc((f->len + 1) * sizeof(*out));
	size_t i;

	*items = NULL;
	*n = 0;
	if (!out)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	for (i = 0; i < f->len; i++) {
		out[i].data = f->items[i].data;
		out[i].len = f->items[i].len;
		out[i].count = f->items[i].count;
	}
	*items = out;
	*n = f->len;
	return 0;
}

int mrm_freq_serialize(const struct mrm_freq *f, uint8_t **buf, size_t *len,
		       struct mrm_error *err)
{
	size_t bytes = 32, i;
	struct mrm__wbuf w;

	for (i = 0; i < f->len; i++)
		bytes += 12 + f->items[i].len;
	w.p = malloc(bytes);
	w.at = 0;
	if (!w.p)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	mrm__put_bytes(&w, FREQ_MAGIC, 4);
	mrm__put_u32(&w, FREQ_VERSION);
	mrm__put_u32(&w, f->k);
	mrm__put_u32(&w, (uint32_t)f->len);
	mrm__put_u64(&w, f->n);
	mrm__put_u64(&w, f->err);
	for (i = 0; i < f->len; i++) {
		mrm__put_u64(&w, f->items[i].count);
		mrm__put_u32(&w, (uint32_t)f->items[i].len);
		mrm__put_bytes(&w, f->items[i].data, f->items[i].len);
	}
	*buf = w.p;
	*len = w.at;
	return 0;
}

static int freq_bad(struct mrm_freq *f, struct mrm_error *err, const char *why)
{
	mrm_freq_free(f);
	return mrm_error_set(err, MRM_EINPUT, "frequent-items summary: %s", why);
}

int mrm_freq_deserialize(struct mrm_freq **out, const void *buf, size_t len,
			 struct mrm_error *err)
{
	struct mrm__rbuf r = { buf, len, 0, 0 };
	struct mrm_freq *f = NULL;
	uint32_t k = 0, count = 0, i;
	uint64_t n = 0, e = 0, sum = 0;
	int rc;

	*out = NULL;
	rc = mrm__get_header(&r, FREQ_MAGIC, FREQ_VERSION);
	if (rc == -1)
		return mrm_error_set(err, MRM_EINPUT,
				     "not a frequent-items summary (bad magic)");
	if (rc == -2)
		return freq_bad(NULL, err, "unsupported version");
	mrm__get_u32(&r, &k);
	mrm__get_u32(&r, &count);
	mrm__get_u64(&r, &n);
	mrm__get_u64(&r, &e);
	if (r.bad)
		return freq_bad(NULL, err, "truncated");
	if (k < 1 || k > MRM_FREQ_K_MAX || count > k)
		return freq_bad(NULL, err, "k or item count out of range");
	if (count > mrm__left(&r) / 12 || e > n)
		return freq_bad(NULL, err, "sizes do not match the length");
	if (mrm_freq_new(&f, k, err))
		return MRM_EINPUT;
	if (freq_rehash(f, count))
		return freq_bad(f, err, "out of memory");
	for (i = 0; i < count; i++) {
		uint64_t c = 0, hash;
		uint32_t l = 0;
		size_t at;

		if (mrm__get_u64(&r, &c) || mrm__get_u32(&r, &l))
			return freq_bad(f, err, "truncated");
		if (c == 0 || l > MRM_FREQ_ITEM_MAX || l > mrm__left(&r))
			return freq_bad(f, err, "bad item");
		if (c > n - sum)
			return freq_bad(f, err, "counts exceed n");
		sum += c;
		hash = mrm_xxh64(r.p + r.at, l, 0);
		if (freq_find(f, r.p + r.at, l, hash, &at) != SIZE_MAX)
			return freq_bad(f, err, "duplicate item");
		if (freq_append(f, r.p + r.at, l, hash, c))
			return freq_bad(f, err, "out of memory");
		f->slot[at] = (uint32_t)f->len;
		r.at += l;
	}
	if (mrm__left(&r) != 0)
		return freq_bad(f, err, "trailing bytes");
	f->n = n;
	f->err = e;
	*out = f;
	return 0;
}
