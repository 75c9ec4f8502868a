/*
 * The numeric values of one drift column, held losslessly in about 2 bytes each: numbers on
 * a decimal grid become integer keys, partitioned by value into buckets and bit-packed.
 *
 * A value v that is the double nearest to d * 10^E for an integer d of exactly P digits
 * (10^(P-1) <= d < 10^P, P from 1 to 15 chosen per column, -22 <= E <= 22) is "on the grid":
 * d / 10^-E (or d * 10^E) is then computed exactly as strtod computes the decimal, so the
 * key (E, d), ordered like v, gives v back bit for bit. Numbers written with few significant
 * digits (6 for "%.6g") are on the grid of P = their digits; zero is key 0 whatever its sign
 * (mrm_sort_doubles makes -0 +0 too). Values off the grid (17-digit doubles, subnormals,
 * magnitudes beyond 10^(22+P) or below 10^(P-23), infinities) are kept as doubles.
 *
 * Values arrive in runs of DRIFT_RUN. A run's keys are split into DRIFT_BUCKETS buckets of
 * value (a map from key to bucket, cut at the quantiles of the first run, is shared by every
 * run), and each (run, bucket) slice is stored as offsets from its minimum key in as many
 * bits as its widest offset needs. Sorting then needs no merge: bucket by bucket, the slices
 * of every run are unpacked, sorted in cache by LSD radix and turned back into doubles.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mrm/stats.h"
#include "monitor/drift-internal.h"

#define GRID_EMIN (-22)
#define GRID_EMAX 22
#define MAX_DIGITS 15
#define SAMPLE 2048      /* values tried per grid when choosing the digits */
#define SPLIT_SAMPLE 4096 /* keys sorted to cut the buckets */

static const double p10[GRID_EMAX + 1] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/*
 * Per biased binary exponent e: floor(log10(2^(e-1023))) and 10 to the next power, so that
 * floor(log10 a) = tab_t[e] + (a >= tab_next[e]) (or the grid check catches a miss).
 */
static signed char tab_t[2048];
static double tab_next[2048];
static pthread_once_t tab_once = PTHREAD_ONCE_INIT;

static void tab_init(void)
{
	for (int e = 0; e < 2048; e++) {
		int t = (int)floor((double)(e - 1023) * 0.30102999566398119521);
		int u = t + 1;

		tab_t[e] = (signed char)(t < -127 ? -127 : t > 127 ? 127 : t);
		tab_next[e] = u < -GRID_EMAX || u > GRID_EMAX ? INFINITY :
			      u >= 0 ? p10[u] : 1.0 / p10[-u];
	}
}

/* The grid of P digits. */
struct grid {
	int digits;
	int64_t dlo; /* 10^(P-1) */
	int64_t g;   /* keys per decade: 9 * 10^(P-1) */
};

static struct grid grid_of(int digits)
{
	struct grid gr = { digits, (int64_t)p10[digits - 1], 9 * (int64_t)p10[digits - 1] };

	return gr;
}

/* The key of v on the grid: 0 and the key in *key, or -1 when v is off the grid. */
static inline int encode(const struct grid *gr, double v, int64_t *key)
{
	uint64_t u;
	unsigned be;
	double a = fabs(v), back;
	int E;
	int64_t d, k;

	if (a == 0) {
		*key = 0;
		return 0;
	}
	memcpy(&u, &v, sizeof(u));
	be = (unsigned)(u >> 52) & 0x7ff;
	E = tab_t[be] + (a >= tab_next[be]) - (gr->digits - 1);
	if (E < GRID_EMIN || E > GRID_EMAX)
		return -1;
	if (E <= 0) {
		d = (int64_t)(a * p10[-E] + 0.5);
		if (d < gr->dlo || d >= 10 * gr->dlo)
			return -1;
		back = (double)d / p10[-E];
	} else {
		d = (int64_t)(a / p10[E] + 0.5);
		if (d < gr->dlo || d >= 10 * gr->dlo)
			return -1;
		back = (double)d * p10[E];
	}
	if (back != a)
		return -1;
	k = (int64_t)(E - GRID_EMIN) * gr->g + (d - gr->dlo) + 1;
	*key = v < 0 ? -k : k;
	return 0;
}

/*
 * Keys back to doubles (decode_run), for keys in ascending order: the decade is found by
 * division only when it changes, and the value is the mantissa divided by the decade's power
 * of ten, exactly as encode checked it.
 */
struct decoder {
	const struct grid *gr;
	int64_t lo, hi; /* magnitude keys (|key| - 1) of the current decade */
	int e;
};

/* ---- storage ------------------------------------------------------------------------ */

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 256;
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

void drift_values_init(struct drift_values *v, bool compact, size_t run)
{
	memset(v, 0, sizeof(*v));
	v->compact = compact;
	v->run = run ? run : DRIFT_RUN;
	pthread_once(&tab_once, tab_init);
}

void drift_values_free(struct drift_values *v)
{
	free(v->pend);
	free(v->map);
	free(v->slices);
	for (size_t r = 0; r < v->nruns; r++)
		free(v->bits[r]);
	free(v->bits);
	free(v->off);
	memset(v, 0, sizeof(*v));
}

size_t drift_values_bytes(const struct drift_values *v)
{
	return v->pendcap * sizeof(*v->pend) + (v->map ? DRIFT_MAP : 0) +
	       v->runcap * (DRIFT_BUCKETS * sizeof(*v->slices) + sizeof(*v->bits)) +
	       (size_t)v->nbytes + v->offcap * sizeof(*v->off);
}

bool drift_values_in_order(const struct drift_values *v)
{
	return v->npend == v->n;
}

/* The smallest number of digits whose grid holds 99% of a sample of x (0: none does). */
static int choose_digits(const double *x, size_t n)
{
	size_t step = n > SAMPLE ? n / SAMPLE : 1, tried = 0, best_ok = 0;
	int p, best = 0;

	for (size_t i = 0; i < n; i += step)
		tried++;
	for (p = 1; p <= MAX_DIGITS; p++) {
		struct grid gr = grid_of(p);
		size_t ok = 0;
		int64_t k;

		for (size_t i = 0; i < n; i += step)
			ok += !encode(&gr, x[i], &k);
		if (ok * 100 >= tried * 99)
			return p;
		if (ok > best_ok) {
			best_ok = ok;
			best = p;
		}
	}
	/* No grid holds nearly all: the best one if it holds half, else none. */
	return best_ok * 2 >= tried ? best : 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The key-to-bucket map, cut at the quantiles of the keys of the first run. */
static int make_map(struct drift_values *v, const int64_t *key, size_t n)
{
	int64_t kmin = key[0], kmax = key[0], *s, split[DRIFT_BUCKETS];
	size_t step = n > SPLIT_SAMPLE ? n / SPLIT_SAMPLE : 1, ns = 0, i, m, b;
	unsigned shift = 0;

	for (i = 1; i < n; i++) {
		kmin = key[i] < kmin ? key[i] : kmin;
		kmax = key[i] > kmax ? key[i] : kmax;
	}
	if (!(s = malloc((n / step + 1) * sizeof(*s))))
		return -1;
	if (!(v->map = malloc(DRIFT_MAP))) {
		free(s);
		return -1;
	}
	for (i = 0; i < n; i += step)
		s[ns++] = key[i];
	qsort(s, ns, sizeof(*s), cmp_i64);
	for (b = 1; b < DRIFT_BUCKETS; b++)
		split[b] = s[b * ns / DRIFT_BUCKETS];
	free(s);
	while (((uint64_t)(kmax - kmin) >> shift) >= DRIFT_MAP)
		shift++;
	v->kmin = kmin;
	v->shift = shift;
	/* Micro-bucket m starts at key kmin + (m << shift): its bucket counts the cuts at or below. */
	for (m = 0, b = 0; m < DRIFT_MAP; m++) {
		int64_t start = kmin + (int64_t)((uint64_t)m << shift);

		while (b + 1 < DRIFT_BUCKETS && split[b + 1] <= start)
			b++;
		v->map[m] = (uint8_t)b;
		if (((uint64_t)(kmax - kmin) >> shift) <= m) {
			/* Past the first run's range: the last bucket used, to the end. */
			memset(v->map + m + 1, v->map[m], DRIFT_MAP - m - 1);
			break;
		}
	}
	return 0;
}

static inline unsigned bucket_of(const struct drift_values *v, int64_t key)
{
	int64_t d = key - v->kmin;
	uint64_t m;

	if (d < 0)
		return v->map[0];
	m = (uint64_t)d >> v->shift;
	return v->map[m < DRIFT_MAP ? m : DRIFT_MAP - 1];
}

/* 8 bytes at p as a little-endian word (one unaligned load on little-endian machines). */
static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t u = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(&u, p, sizeof(u));
#else
	for (int i = 7; i >= 0; i--)
		u = u << 8 | p[i];
#endif
	return u;
}

static inline void store_le64(uint8_t *p, uint64_t u)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(p, &u, sizeof(u));
#else
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(u >> (8 * i));
#endif
}

static unsigned bits_for(uint64_t x)
{
	return x ? 64 - (unsigned)__builtin_clzll(x) : 0;
}

/*
 * Packs the run's slices (keys grouped by bucket, cnt[b] of bucket b, between mn[b] and mx[b])
 * into `bits` (zeroed, whole words and 8 spare bytes): a 64-bit accumulator written out a word
 * at a time.
 */
static void pack(struct drift_slice *sl, uint8_t *bits, const int64_t *key, const uint32_t *cnt,
		 const int64_t *mn, const int64_t *mx)
{
	uint64_t nbits = 0, acc = 0;
	uint8_t *word = bits;
	unsigned used = 0;
	size_t b, i = 0;

	for (b = 0; b < DRIFT_BUCKETS; b++) {
		unsigned w = cnt[b] ? bits_for((uint64_t)(mx[b] - mn[b])) : 0;
		int64_t base = cnt[b] ? mn[b] : 0;
		const int64_t *k = key + i;

		sl[b].base = base;
		sl[b].n = cnt[b];
		sl[b].w = (uint8_t)w;
		sl[b].at = nbits;
		i += cnt[b];
		if (!w)
			continue;
		nbits += (uint64_t)w * cnt[b];
		for (size_t j = 0; j < cnt[b]; j++) {
			uint64_t o = (uint64_t)(k[j] - base);

			acc |= o << used;
			used += w;
			if (used >= 64) {
				store_le64(word, acc);
				word += 8;
				used -= 64;
				acc = used ? o >> (w - used) : 0;
			}
		}
	}
	if (used)
		store_le64(word, acc);
}

/* Compacts the pending run: keys, buckets, packed slices; values off the grid aside. */
static int flush(struct drift_values *v)
{
	size_t n = v->npend, nk = 0, i, b;
	int64_t *key = NULL, *sorted = NULL, mn[DRIFT_BUCKETS], mx[DRIFT_BUCKETS];
	uint32_t cnt[DRIFT_BUCKETS], pos[DRIFT_BUCKETS];
	uint8_t *bid = NULL;
	struct grid gr;
	uint64_t need;
	int rc = -1;

	if (n == 0)
		return 0;
	if (v->digits == 0 && !v->nogrid) {
		v->digits = choose_digits(v->pend, n);
		v->nogrid = v->digits == 0;
	}
	key = malloc(n * sizeof(*key));
	sorted = malloc(n * sizeof(*sorted));
	bid = malloc(n);
	if (!key || !sorted || !bid)
		goto out;
	if (v->nogrid) {
		if (grow((void **)&v->off, &v->offcap, v->noff + n, sizeof(*v->off)))
			goto out;
		memcpy(v->off + v->noff, v->pend, n * sizeof(*v->off));
		v->noff += n;
	} else {
		gr = grid_of(v->digits);
		for (i = 0; i < n; i++) {
			if (!encode(&gr, v->pend[i], &key[nk])) {
				nk++;
				continue;
			}
			if (grow((void **)&v->off, &v->offcap, v->noff + 1, sizeof(*v->off)))
				goto out;
			v->off[v->noff++] = v->pend[i];
		}
	}
	if (nk && !v->map && make_map(v, key, nk))
		goto out;
	if (nk) {
		uint8_t *bits;
		size_t bytes;

		if (v->nruns == v->runcap) {
			size_t ncap = v->runcap ? 2 * v->runcap : 16;
			struct drift_slice *sl = realloc(v->slices, ncap * DRIFT_BUCKETS * sizeof(*sl));
			uint8_t **bp;

			if (!sl)
				goto out;
			v->slices = sl;
			if (!(bp = realloc(v->bits, ncap * sizeof(*bp))))
				goto out;
			v->bits = bp;
			v->runcap = ncap;
		}
		for (b = 0; b < DRIFT_BUCKETS; b++) {
			cnt[b] = 0;
			mn[b] = INT64_MAX;
			mx[b] = INT64_MIN;
		}
		{
			/* Locals: the byte stores to bid would otherwise reload v's fields. */
			const uint8_t *map = v->map;
			const int64_t kmin = v->kmin;
			const unsigned shift = v->shift;

			for (i = 0; i < nk; i++) {
				int64_t k = key[i], d = k - kmin;
				uint64_t m = d < 0 ? 0 : (uint64_t)d >> shift;
				unsigned c = map[m < DRIFT_MAP ? m : DRIFT_MAP - 1];

				bid[i] = (uint8_t)c;
				cnt[c]++;
				mn[c] = k < mn[c] ? k : mn[c];
				mx[c] = k > mx[c] ? k : mx[c];
			}
		}
		need = 0;
		for (b = 0, pos[0] = 0; b < DRIFT_BUCKETS; b++) {
			if (b)
				pos[b] = pos[b - 1] + cnt[b - 1];
			if (cnt[b])
				need += (uint64_t)cnt[b] * bits_for((uint64_t)(mx[b] - mn[b]));
		}
		/* Whole words, and 8 spare bytes: a value is read as one 64-bit word. */
		bytes = (size_t)((need + 63) / 64 * 8 + 8);
		if (!(bits = calloc(bytes, 1)))
			goto out;
		for (i = 0; i < nk; i++)
			sorted[pos[bid[i]]++] = key[i];
		pack(&v->slices[v->nruns * DRIFT_BUCKETS], bits, sorted, cnt, mn, mx);
		v->bits[v->nruns++] = bits;
		v->nbytes += bytes;
	}
	v->npend = 0;
	rc = 0;
out:
	free(key);
	free(sorted);
	free(bid);
	return rc;
}

int drift_values_add(struct drift_values *v, const double *x, const uint32_t *rows, size_t n,
		     uint64_t *missing)
{
	size_t j = 0;

	while (j < n) {
		size_t room, k;

		if (v->compact && v->npend == v->run && flush(v))
			return -1;
		room = v->compact ? v->run - v->npend : n - j;
		room = room < n - j ? room : n - j;
		if (grow((void **)&v->pend, &v->pendcap, v->npend + room, sizeof(*v->pend)))
			return -1;
		/* `room` rows of the batch, the present values appended. */
		for (k = v->npend; room > 0; room--, j++) {
			double d = x[rows ? rows[j] : j];

			if (isnan(d))
				(*missing)++;
			else
				v->pend[k++] = d;
		}
		v->n += k - v->npend;
		v->npend = k;
	}
	return 0;
}

int drift_values_finish(struct drift_values *v, struct mrm_error *err)
{
	int rc;

	if (v->compact && v->n > 1 && flush(v))
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	if (v->compact && v->n > 1) {
		free(v->pend);
		v->pend = NULL;
		v->pendcap = 0;
	}
	if (v->noff > 1 && (rc = mrm_sort_doubles(v->off, NULL, v->noff, err)))
		return rc;
	if (v->npend > 1 && (rc = mrm_sort_doubles(v->pend, NULL, v->npend, err)))
		return rc;
	return 0;
}

bool drift_values_finite(const struct drift_values *v)
{
	/* After finish: what is kept as doubles is sorted; the grid holds finite values only. */
	const double *d = v->npend == v->n ? v->pend : v->off;
	size_t n = v->npend == v->n ? v->npend : v->noff;

	return n == 0 || (isfinite(d[0]) && isfinite(d[n - 1]));
}

const double *drift_values_view(const struct drift_values *v)
{
	return v->npend == v->n ? v->pend : NULL;
}

/* LSD radix sort of x[0..n) (values below 2^bits), with scratch t; the result in x. */
static void radix_u64(uint64_t *x, uint64_t *t, size_t n, unsigned bits)
{
	unsigned digit = bits <= 11 ? bits : bits <= 22 ? (bits + 1) / 2 : 11, shift;
	size_t hist[2048];
	uint64_t *src = x, *dst = t;

	for (shift = 0; shift < bits; shift += digit) {
		size_t nb = (size_t)1 << digit, sum = 0, i;
		uint64_t mask = nb - 1;

		memset(hist, 0, nb * sizeof(*hist));
		for (i = 0; i < n; i++)
			hist[(src[i] >> shift) & mask]++;
		for (i = 0; i < nb; i++) {
			size_t c = hist[i];

			hist[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[hist[(src[i] >> shift) & mask]++] = src[i];
		uint64_t *tmp = src;

		src = dst;
		dst = tmp;
	}
	if (src != x)
		memcpy(x, src, n * sizeof(*x));
}

/* x[a..b) scaled as decode does it: / 10^-e, or * 10^e; two at a time where the CPU can. */
static void scale(double *x, size_t a, size_t b, int e)
{
	typedef double v2d __attribute__((vector_size(16)));
	double p = e <= 0 ? p10[-e] : p10[e];
	v2d pv = { p, p }, t;
	size_t j = a;

	if (e <= 0) {
		for (; j + 2 <= b; j += 2) {
			memcpy(&t, x + j, sizeof(t));
			t = t / pv;
			memcpy(x + j, &t, sizeof(t));
		}
		for (; j < b; j++)
			x[j] = x[j] / p;
	} else {
		for (; j < b; j++)
			x[j] = x[j] * p;
	}
}

/*
 * The ascending keys lo + k[0..m) as doubles at out[at..]: each signed mantissa first, then
 * the division by the decade's power of ten for each run of one decade (zero is 0 in any),
 * the operations that encode checked, value for value. Returns the new `at`.
 */
static size_t decode_run(struct decoder *dc, int64_t lo, const uint64_t *k, size_t m, double *out,
			 size_t at)
{
	size_t run = at;

	for (size_t i = 0; i < m; i++) {
		int64_t key = lo + (int64_t)k[i], mag;

		if (key == 0) {
			out[at++] = 0.0;
			continue;
		}
		mag = (key < 0 ? -key : key) - 1;
		if (mag < dc->lo || mag >= dc->hi) {
			int64_t q = mag / dc->gr->g;

			scale(out, run, at, dc->e);
			run = at;
			dc->lo = q * dc->gr->g;
			dc->hi = dc->lo + dc->gr->g;
			dc->e = (int)q + GRID_EMIN;
		}
		mag = mag - dc->lo + dc->gr->dlo;
		out[at++] = (double)(key < 0 ? -mag : mag);
	}
	scale(out, run, at, dc->e);
	return at;
}

int drift_values_sorted(const struct drift_values *v, double *out, struct mrm_error *err)
{
	size_t nd = v->n - v->noff, at = 0, most = 0, b, r, i;
	uint64_t *k = NULL, *t = NULL;
	struct grid gr;
	struct decoder dc;

	if (v->npend == v->n) {
		memcpy(out, v->pend, v->n * sizeof(*out));
		return 0;
	}
	/* Bucket sizes over the runs: the scratch holds the largest. */
	for (b = 0; b < DRIFT_BUCKETS; b++) {
		size_t tot = 0;

		for (r = 0; r < v->nruns; r++)
			tot += v->slices[r * DRIFT_BUCKETS + b].n;
		most = tot > most ? tot : most;
	}
	if (nd && (!(k = malloc(most * sizeof(*k))) || !(t = malloc(most * sizeof(*t))))) {
		free(k);
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	}
	if (nd) {
		gr = grid_of(v->digits);
		dc = (struct decoder){ &gr, 1, 0, 0 };
	}
	for (b = 0; b < DRIFT_BUCKETS && nd; b++) {
		int64_t lo = INT64_MAX, hi = INT64_MIN;
		size_t m = 0;

		for (r = 0; r < v->nruns; r++) {
			const struct drift_slice *sl = &v->slices[r * DRIFT_BUCKETS + b];

			if (sl->n) {
				/* The slice's keys lie in [base, base + 2^w - 1]. */
				int64_t top = sl->base + (int64_t)(sl->w ? ((uint64_t)1 << sl->w) - 1 : 0);

				lo = sl->base < lo ? sl->base : lo;
				hi = top > hi ? top : hi;
			}
		}
		if (lo == INT64_MAX)
			continue;
		for (r = 0; r < v->nruns; r++) {
			const struct drift_slice *sl = &v->slices[r * DRIFT_BUCKETS + b];
			uint64_t off = (uint64_t)(sl->base - lo), mask = sl->w ? ~0ULL >> (64 - sl->w) : 0;
			uint64_t p = sl->at;

			for (i = 0; i < sl->n; i++, p += sl->w)
				k[m++] = off + ((load_le64(v->bits[r] + (p >> 3)) >> (p & 7)) & mask);
		}
		radix_u64(k, t, m, bits_for((uint64_t)(hi - lo)));
		at = decode_run(&dc, lo, k, m, out, at);
	}
	free(k);
	free(t);
	/* The values off the grid (sorted at finish), merged in from the back. */
	if (v->noff) {
		size_t a = nd, o = v->noff, w = v->n;

		while (o > 0) {
			if (a > 0 && out[a - 1] > v->off[o - 1])
				out[--w] = out[--a];
			else
				out[--w] = v->off[--o];
		}
	}
	return 0;
}
