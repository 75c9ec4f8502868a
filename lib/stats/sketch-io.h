/* Little-endian byte writer and bounds-checked reader for the sketch formats. */
#ifndef MRM_SKETCH_IO_H
#define MRM_SKETCH_IO_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mrm/sketch.h"

/* A writer into a buffer sized in advance (exact sizes are known). */
struct mrm__wbuf {
	uint8_t *p;
	size_t at;
};

static inline void mrm__put_u32(struct mrm__wbuf *w, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		w->p[w->at++] = (uint8_t)(v >> (8 * i));
}

static inline void mrm__put_u64(struct mrm__wbuf *w, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		w->p[w->at++] = (uint8_t)(v >> (8 * i));
}

static inline void mrm__put_f64(struct mrm__wbuf *w, double x)
{
	uint64_t u;

	memcpy(&u, &x, sizeof(u));
	mrm__put_u64(w, u);
}

static inline void mrm__put_bytes(struct mrm__wbuf *w, const void *d, size_t n)
{
	if (n)
		memcpy(w->p + w->at, d, n);
	w->at += n;
}

/* A reader: every get fails (returns -1) once past the end, and stays failed. */
struct mrm__rbuf {
	const uint8_t *p;
	size_t len, at;
	int bad;
};

static inline int mrm__get_u32(struct mrm__rbuf *r, uint32_t *v)
{
	int i;

	if (r->bad || r->len - r->at < 4)
		return r->bad = -1;
	*v = 0;
	for (i = 0; i < 4; i++)
		*v |= (uint32_t)r->p[r->at++] << (8 * i);
	return 0;
}

static inline int mrm__get_u64(struct mrm__rbuf *r, uint64_t *v)
{
	int i;

	if (r->bad || r->len - r->at < 8)
		return r->bad = -1;
	*v = 0;
	for (i = 0; i < 8; i++)
		*v |= (uint64_t)r->p[r->at++] << (8 * i);
	return 0;
}

static inline int mrm__get_f64(struct mrm__rbuf *r, double *x)
{
	uint64_t u = 0;

	if (mrm__get_u64(r, &u))
		return -1;
	memcpy(x, &u, sizeof(*x));
	return 0;
}

/* Bytes left to read. */
static inline size_t mrm__left(const struct mrm__rbuf *r)
{
	return r->bad ? 0 : r->len - r->at;
}

/* Checks the 4-byte magic and the u32 version that open every format. */
static inline int mrm__get_header(struct mrm__rbuf *r, const char magic[4],
				  uint32_t version)
{
	uint32_t v = 0;

	if (r->len < 8 || memcmp(r->p, magic, 4) != 0)
		return -1;
	r->at = 4;
	if (mrm__get_u32(r, &v) || v != version)
		return -2;
	return 0;
}

static inline uint64_t mrm__splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#endif
