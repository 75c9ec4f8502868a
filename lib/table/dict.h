/*
 * String interning for categorical columns: an open-addressing hash table
 * over strings kept in blocks that never move, so a code's string pointer
 * is stable for the dictionary's life. Used per chunk by the workers (and
 * reset between chunks) and once per column for the whole file.
 */
#ifndef MRM_TABLE_DICT_H
#define MRM_TABLE_DICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mrm/table.h"

struct mrm__dict_slot {
	uint64_t key8;  /* the first 8 bytes, zero-padded */
	uint32_t len;
	uint32_t code;  /* UINT32_MAX: empty */
};

struct mrm__dict_block;

struct mrm__dict {
	struct mrm_table_dict pub; /* n, str, len as callers see them */
	char **str;
	uint32_t *len;
	uint8_t *flag;             /* per code, for the caller (NA marks) */
	uint32_t cap;
	struct mrm__dict_slot *tab;
	uint32_t mask;             /* table size - 1 (power of two) */
	int shift;                 /* 64 - log2(table size) */
	struct mrm__dict_block *blocks, *cur;
};

void mrm__dict_init(struct mrm__dict *d);
void mrm__dict_release(struct mrm__dict *d);
/* Forgets every string but keeps the memory, for the next chunk. */
void mrm__dict_reset(struct mrm__dict *d);

/*
 * The 8-byte key of s[0..len): `padded` says at least 8 bytes are readable
 * at `s` whatever `len` (the readers' buffers end with padding).
 */
static inline uint64_t mrm__dict_key8(const char *s, size_t len, bool padded)
{
	uint64_t k = 0;

	if (padded && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) {
		memcpy(&k, s, 8);
		if (len < 8)
			k &= (UINT64_C(1) << (8 * len)) - 1;
		return k;
	}
	memcpy(&k, s, len < 8 ? len : 8);
	return k;
}

#define MRM__DICT_K UINT64_C(0x9E3779B97F4A7C15)

/* A hash whose high bits depend on every byte (Fibonacci hashing). */
static inline uint64_t mrm__dict_hash(uint64_t key8, const char *s, size_t len)
{
	uint64_t h = (key8 + (uint64_t)len) * MRM__DICT_K;

	for (size_t i = 8; i < len; i += 8) {
		uint64_t w = 0;
		memcpy(&w, s + i, len - i < 8 ? len - i : 8);
		h = ((h ^ (h >> 29)) + w) * MRM__DICT_K;
	}
	return h;
}

/* Adds a string known to be absent (dict.c). */
int mrm__dict_add(struct mrm__dict *d, const char *s, size_t len,
		  uint64_t key8, uint64_t h, uint32_t *code);

/*
 * The code of s[0..len), adding it if new (then *added is true). Returns
 * 0, or -1 when out of memory or past UINT32_MAX - 1 codes.
 */
static inline int mrm__dict_intern(struct mrm__dict *d, const char *s,
				   size_t len, bool padded, uint32_t *code,
				   bool *added)
{
	uint64_t k = mrm__dict_key8(s, len, padded);
	uint64_t h = mrm__dict_hash(k, s, len);

	if (d->tab) {
		for (size_t i = h >> d->shift;; i = (i + 1) & d->mask) {
			const struct mrm__dict_slot *e = &d->tab[i];
			if (e->code == UINT32_MAX)
				break;
			if (e->key8 == k && e->len == len &&
			    (len <= 8 || !memcmp(d->str[e->code] + 8, s + 8, len - 8))) {
				*code = e->code;
				*added = false;
				return 0;
			}
		}
	}
	*added = true;
	return mrm__dict_add(d, s, len, k, h, code);
}

/* Removes the string added last (undoing a bad row's additions). */
void mrm__dict_pop(struct mrm__dict *d);

#endif
