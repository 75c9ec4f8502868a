/* Open-addressing string hash map (FNV-1a, linear probing, power-of-two size). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/strmap.h"

struct entry {
	char *key;
	size_t len;
	uint64_t hash;
	void *value;
};

struct mrm_strmap {
	struct entry *slots;
	size_t cap;  /* power of two */
	size_t size;
};

static uint64_t fnv1a(const char *k, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)k[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct mrm_strmap *mrm_strmap_new(void)
{
	struct mrm_strmap *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->cap = 64;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

void mrm_strmap_free(struct mrm_strmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	free(m);
}

static struct entry *find(const struct mrm_strmap *m, const char *key, size_t len,
			  uint64_t h)
{
	size_t i = h & (m->cap - 1);
	for (;;) {
		struct entry *e = &m->slots[i];
		if (!e->key || (e->hash == h && e->len == len && !memcmp(e->key, key, len)))
			return e;
		i = (i + 1) & (m->cap - 1);
	}
}

static int grow(struct mrm_strmap *m)
{
	struct entry *old = m->slots;
	size_t oldcap = m->cap;
	struct entry *n = calloc(oldcap * 2, sizeof(*n));
	if (!n)
		return -1;
	m->slots = n;
	m->cap = oldcap * 2;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			*find(m, old[i].key, old[i].len, old[i].hash) = old[i];
	free(old);
	return 0;
}

void **mrm_strmap_slot(struct mrm_strmap *m, const char *key, size_t len)
{
	uint64_t h = fnv1a(key, len);
	struct entry *e;

	if ((m->size + 1) * 4 > m->cap * 3 && grow(m))
		return NULL;
	e = find(m, key, len, h);
	if (!e->key) {
		if (!(e->key = malloc(len + 1)))
			return NULL;
		memcpy(e->key, key, len);
		e->key[len] = '\0';
		e->len = len;
		e->hash = h;
		e->value = NULL;
		m->size++;
	}
	return &e->value;
}

void *mrm_strmap_get(const struct mrm_strmap *m, const char *key, size_t len,
		     bool *found)
{
	struct entry *e = find(m, key, len, fnv1a(key, len));
	if (found)
		*found = e->key != NULL;
	return e->key ? e->value : NULL;
}

void mrm_strmap_each(const struct mrm_strmap *m,
		     void (*fn)(const char *key, size_t len, void *value, void *arg),
		     void *arg)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			fn(m->slots[i].key, m->slots[i].len, m->slots[i].value, arg);
}

size_t mrm_strmap_size(const struct mrm_strmap *m) { return m->size; }
