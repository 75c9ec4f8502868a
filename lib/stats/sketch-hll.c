/* HyperLogLog distinct count with xxHash64, Ertl's improved estimator and a byte format. */
#include <math.h>
#include <stdlib.h>

#include "mrm/sketch.h"
#include "stats/sketch-io.h"

#define HLL_MAGIC "MRMh"
#define HLL_VERSION 1

struct mrm_hll {
	unsigned p;
	size_t m;
	uint8_t *reg; /* [m] */
};

/* xxHash64 as published by Yann Collet (https://github.com/Cyan4973/xxHash). */
#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL

static inline uint64_t rotl64(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t xxh_round(uint64_t acc, uint64_t in)
{
	acc += in * P2;
	acc = rotl64(acc, 31);
	return acc * P1;
}

static inline uint64_t xxh_merge(uint64_t acc, uint64_t v)
{
	acc ^= xxh_round(0, v);
	return acc * P1 + P4;
}

uint64_t mrm_xxh64(const void *data, size_t len, uint64_t seed)
{
	const uint8_t *p = data, *end = p + len;
	uint64_t h;

	if (len >= 32) {
		const uint8_t *limit = end - 32;
		uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed,
			 v4 = seed - P1;

		do {
			v1 = xxh_round(v1, rd64(p));
			v2 = xxh_round(v2, rd64(p + 8));
			v3 = xxh_round(v3, rd64(p + 16));
			v4 = xxh_round(v4, rd64(p + 24));
			p += 32;
		} while (p <= limit);
		h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
		h = xxh_merge(h, v1);
		h = xxh_merge(h, v2);
		h = xxh_merge(h, v3);
		h = xxh_merge(h, v4);
	} else {
		h = seed + P5;
	}
	h += (uint64_t)len;
	while (end - p >= 8) {
		h ^= xxh_round(0, rd64(p));
		h = rotl64(h, 27) * P1 + P4;
		p += 8;
	}
	if (end - p >= 4) {
		h ^= (uint64_t)rd32(p) * P1;
		h = rotl64(h, 23) * P2 + P3;
		p += 4;
	}
	while (p < end) {
		h ^= (uint64_t)*p * P5;
		h = rotl64(h, 11) * P1;
		p++;
	}
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return h;
}

int mrm_hll_new(struct mrm_hll **out, unsigned p, struct mrm_error *err)
{
	struct mrm_hll *h;

	*out = NULL;
	if (p == 0)
		p = MRM_HLL_P_DEFAULT;
	if (p < MRM_HLL_P_MIN || p > MRM_HLL_P_MAX)
		return mrm_error_set(err, MRM_EINPUT, "HLL precision is %u, expected %d..%d",
				     p, MRM_HLL_P_MIN, MRM_HLL_P_MAX);
	h = calloc(1, sizeof(*h));
	if (h) {
		h->p = p;
		h->m = (size_t)1 << p;
		h->reg = calloc(h->m, 1);
	}
	if (!h || !h->reg) {
		free(h);
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	}
	*out = h;
	return 0;
}

void mrm_hll_free(struct mrm_hll *h)
{
	if (!h)
		return;
	free(h->reg);
	free(h);
}

void mrm_hll_add_hash(struct mrm_hll *h, uint64_t hash)
{
	size_t idx = (size_t)(hash >> (64 - h->p));
	uint64_t w = hash << h->p;
	/* Position of the first 1 bit in the remaining 64 - p bits, or 64 - p + 1. */
	uint8_t rho = w ? (uint8_t)(__builtin_clzll(w) + 1) : (uint8_t)(64 - h->p + 1);

	if (rho > h->reg[idx])
		h->reg[idx] = rho;
}

void mrm_hll_add_bytes(struct mrm_hll *h, const void *data, size_t len)
{
	mrm_hll_add_hash(h, mrm_xxh64(data, len, 0));
}

void mrm_hll_add_double(struct mrm_hll *h, double x)
{
	uint8_t b[8];
	uint64_t u;
	int i;

	if (x == 0)
		x = 0.0;
	memcpy(&u, &x, sizeof(u));
	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(u >> (8 * i));
	mrm_hll_add_bytes(h, b, sizeof(b));
}

int mrm_hll_merge(struct mrm_hll *a, const struct mrm_hll *b,
		  struct mrm_error *err)
{
	size_t i;

	if (a->p != b->p)
		return mrm_error_set(err, MRM_EINPUT,
				     "HLL precisions differ (%u and %u)", a->p, b->p);
	for (i = 0; i < a->m; i++)
		if (b->reg[i] > a->reg[i])
			a->reg[i] = b->reg[i];
	return 0;
}

unsigned mrm_hll_p(const struct mrm_hll *h)
{
	return h->p;
}

/* Ertl (2017), "New cardinality estimation algorithms for HyperLogLog sketches", alg. 6. */
static double hll_sigma(double x)
{
	double y = 1, z = x, zold;

	if (x == 1)
		return INFINITY;
	do {
		x *= x;
		zold = z;
		z += x * y;
		y += y;
	} while (z != zold);
	return z;
}

static double hll_tau(double x)
{
	double y = 1, z, zold;

	if (x == 0 || x == 1)
		return 0;
	z = 1 - x;
	do {
		x = sqrt(x);
		zold = z;
		y *= 0.5;
		z -= (1 - x) * (1 - x) * y;
	} while (z != zold);
	return z / 3;
}

double mrm_hll_estimate(const struct mrm_hll *h)
{
	unsigned q = 64 - h->p, k;
	double c[66] = { 0 }, m = (double)h->m, z;
	size_t i;

	for (i = 0; i < h->m; i++)
		c[h->reg[i]]++;
	z = m * hll_tau(1 - c[q + 1] / m);
	for (k = q; k >= 1; k--)
		z = 0.5 * (z + c[k]);
	z += m * hll_sigma(c[0] / m);
	return m * m / (2 * log(2)) / z;
}

int mrm_hll_serialize(const struct mrm_hll *h, uint8_t **buf, size_t *len,
		      struct mrm_error *err)
{
	struct mrm__wbuf w = { malloc(12 + h->m), 0 };

	if (!w.p)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	mrm__put_bytes(&w, HLL_MAGIC, 4);
	mrm__put_u32(&w, HLL_VERSION);
	mrm__put_u32(&w, h->p);
	mrm__put_bytes(&w, h->reg, h->m);
	*buf = w.p;
	*len = w.at;
	return 0;
}

int mrm_hll_deserialize(struct mrm_hll **out, const void *buf, size_t len,
			struct mrm_error *err)
{
	struct mrm__rbuf r = { buf, len, 0, 0 };
	struct mrm_hll *h = NULL;
	uint32_t p = 0;
	size_t i;
	int rc;

	*out = NULL;
	rc = mrm__get_header(&r, HLL_MAGIC, HLL_VERSION);
	if (rc == -1)
		return mrm_error_set(err, MRM_EINPUT, "not an HLL sketch (bad magic)");
	if (rc == -2)
		return mrm_error_set(err, MRM_EINPUT, "HLL sketch: unsupported version");
	if (mrm__get_u32(&r, &p))
		return mrm_error_set(err, MRM_EINPUT, "HLL sketch: truncated");
	if (p < MRM_HLL_P_MIN || p > MRM_HLL_P_MAX)
		return mrm_error_set(err, MRM_EINPUT, "HLL sketch: precision out of range");
	if (mrm__left(&r) != ((size_t)1 << p))
		return mrm_error_set(err, MRM_EINPUT,
				     "HLL sketch: expected %zu register bytes, got %zu",
				     (size_t)1 << p, mrm__left(&r));
	for (i = 0; i < ((size_t)1 << p); i++)
		if (r.p[r.at + i] > 64 - p + 1)
			return mrm_error_set(err, MRM_EINPUT,
					     "HLL sketch: register %zu out of range", i);
	if (mrm_hll_new(&h, p, err))
		return MRM_EINPUT;
	memcpy(h->reg, r.p + r.at, h->m);
	*out = h;
	return 0;
}
