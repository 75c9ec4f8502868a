/*
 * The random numbers of the bootstraps, shared by lib/stats/bootstrap.c and
 * lib/validate/boot.c so that both draw the same replicates from a seed:
 * xoshiro256** whose state for replicate b is outputs 4b..4b+3 of
 * SplitMix64(seed), and Poisson(1) counts by inversion of 32-bit uniforms
 * (the low half of each 64-bit output first, then the high half). The
 * streams do not depend on the number of threads.
 */
#ifndef MRM_STATS_RNG_H
#define MRM_STATS_RNG_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#define MRM__GAMMA 0x9E3779B97F4A7C15ULL

struct mrm__rng {
	uint64_t s[4];
	uint64_t hold;
	int have;
};

static inline uint64_t mrm__splitmix(uint64_t *z)
{
	uint64_t x = (*z += MRM__GAMMA);

	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

/* Replicate b's xoshiro256** state: outputs 4b..4b+3 of SplitMix64(seed). */
static inline void mrm__rng_seed(struct mrm__rng *r, uint64_t seed, size_t b)
{
	uint64_t z = seed + (uint64_t)b * 4 * MRM__GAMMA;

	for (int i = 0; i < 4; i++)
		r->s[i] = mrm__splitmix(&z);
	r->have = 0;
}

static inline uint64_t mrm__rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t mrm__rng_next(struct mrm__rng *r)
{
	uint64_t *s = r->s, out = mrm__rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = mrm__rotl(s[3], 45);
	return out;
}

/*
 * Poisson(1) by inversion of a 32-bit uniform u: X = #{k : u >= T_k} with
 * T_k = floor(2^32 P(X <= k)). A 256-entry table answers from the top
 * byte of u except in the few cells that a T_k cuts.
 */
#define MRM__POIS_K 16
struct mrm__poisson {
	uint64_t t[MRM__POIS_K];
	uint8_t top[256]; /* count, or 0xff: look at t[] */
};

static inline void mrm__poisson_init(struct mrm__poisson *p)
{
	double cdf = 0, term = exp(-1.0);
	int k, c;

	for (k = 0; k < MRM__POIS_K; k++) {
		cdf += term;
		term /= k + 1;
		p->t[k] = cdf >= 1 ? (1ULL << 32) : (uint64_t)(cdf * 4294967296.0);
	}
	for (c = 0; c < 256; c++) {
		uint64_t lo = (uint64_t)c << 24, hi = lo + (1u << 24) - 1;
		int a = 0, b = 0;

		for (k = 0; k < MRM__POIS_K; k++) {
			a += lo >= p->t[k];
			b += hi >= p->t[k];
		}
		p->top[c] = a == b ? (uint8_t)a : 0xff;
	}
}

static inline unsigned mrm__poisson_of(const struct mrm__poisson *p, uint32_t u)
{
	unsigned v = p->top[u >> 24];

	if (v != 0xff)
		return v;
	v = 0;
	for (int k = 0; k < MRM__POIS_K; k++)
		v += (uint64_t)u >= p->t[k];
	return v;
}

/* The next Poisson(1) count of the stream: low half of an output, then its high half. */
static inline unsigned mrm__poisson_draw(const struct mrm__poisson *p, struct mrm__rng *r)
{
	uint32_t u;

	if (r->have) {
		r->have = 0;
		u = (uint32_t)r->hold;
	} else {
		uint64_t x = mrm__rng_next(r);

		r->hold = x >> 32;
		r->have = 1;
		u = (uint32_t)x;
	}
	return mrm__poisson_of(p, u);
}

#endif
