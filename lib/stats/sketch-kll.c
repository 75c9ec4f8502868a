/* KLL quantile sketch (Karnin, Lang, Liberty 2016) with a seeded coin and a byte format. */
#include <math.h>
#include <stdlib.h>

#include "mrm/sketch.h"
#include "stats/internal.h"
#include "stats/sketch-io.h"

#define KLL_MAGIC "MRMk"
#define KLL_VERSION 1
#define KLL_MAX_LEVELS 61 /* weights 2^h stay far below 2^64 */
#define KLL_MIN_WIDTH 8   /* as DataSketches' m: no level shrinks below this */

struct kll_level {
	double *v;
	size_t len, alloc;
};

struct mrm_kll {
	unsigned k;
	unsigned levels;   /* H: levels in use, >= 1 */
	uint64_t rng;      /* SplitMix64 state: every coin flip comes from here */
	uint64_t n;
	double min, max;
	size_t size;       /* retained values over all levels */
	size_t max_size;   /* sum of the capacities */
	struct kll_level lv[KLL_MAX_LEVELS];
};

/*
 * Capacity of a level `depth` levels below the top: ceil(k (2/3)^depth),
 * at least KLL_MIN_WIDTH. 2^d and 3^d are exact doubles for d <= 33, so
 * the quotient is correctly rounded and the same on every IEEE platform.
 */
static size_t kll_capacity(unsigned k, unsigned depth)
{
	double c;

	if (depth > 33)
		return KLL_MIN_WIDTH;
	c = ceil((double)k * ldexp(1.0, (int)depth) / pow(3.0, depth));
	return c < KLL_MIN_WIDTH ? KLL_MIN_WIDTH : (size_t)c;
}

static size_t kll_max_size(unsigned k, unsigned levels)
{
	size_t s = 0;
	unsigned h;

	for (h = 0; h < levels; h++)
		s += kll_capacity(k, levels - h - 1);
	return s;
}

static int kll_reserve(struct kll_level *l, size_t need)
{
	size_t a;
	double *v;

	if (need <= l->alloc)
		return 0;
	a = l->alloc ? l->alloc : 16;
	while (a < need)
		a *= 2;
	v = realloc(l->v, a * sizeof(*v));
	if (!v)
		return -1;
	l->v = v;
	l->alloc = a;
	return 0;
}

int mrm_kll_new(struct mrm_kll **out, unsigned k, uint64_t seed,
		struct mrm_error *err)
{
	struct mrm_kll *s;

	*out = NULL;
	if (k == 0)
		k = MRM_KLL_K_DEFAULT;
	if (k < MRM_KLL_K_MIN || k > MRM_KLL_K_MAX)
		return mrm_error_set(err, MRM_EINPUT, "KLL k is %u, expected %d..%d",
				     k, MRM_KLL_K_MIN, MRM_KLL_K_MAX);
	s = calloc(1, sizeof(*s));
	if (!s)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	s->k = k;
	s->levels = 1;
	s->rng = seed;
	s->min = NAN;
	s->max = NAN;
	s->max_size = kll_max_size(k, 1);
	*out = s;
	return 0;
}

void mrm_kll_free(struct mrm_kll *s)
{
	unsigned h;

	if (!s)
		return;
	for (h = 0; h < KLL_MAX_LEVELS; h++)
		free(s->lv[h].v);
	free(s);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Low levels are small (often the minimum width 8) and compacted often:
 * insertion sort there, qsort above.
 */
static void kll_sort(double *v, size_t n)
{
	size_t i, j;

	if (n > 32) {
		qsort(v, n, sizeof(*v), cmp_double);
		return;
	}
	for (i = 1; i < n; i++) {
		double x = v[i];

		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/*
 * Sorts level h and moves every other value (odd or even positions by a
 * coin flip) to level h + 1 at twice the weight; with an odd count the
 * smallest value stays. Total weight is unchanged.
 */
static int kll_compact(struct mrm_kll *s, unsigned h)
{
	struct kll_level *l = &s->lv[h], *up = &s->lv[h + 1];
	size_t start = l->len & 1, pairs = l->len / 2, i;
	size_t off = (size_t)(mrm__splitmix64(&s->rng) >> 63);

	if (kll_reserve(up, up->len + pairs))
		return -1;
	kll_sort(l->v, l->len);
	for (i = 0; i < pairs; i++)
		up->v[up->len++] = l->v[start + off + 2 * i];
	l->len = start;
	s->size -= pairs;
	return 0;
}

/* Compacts the lowest full levels until the sketch fits (lazy KLL). */
static int kll_compress(struct mrm_kll *s)
{
	while (s->size >= s->max_size) {
		unsigned h;

		for (h = 0; h < s->levels; h++) {
			if (s->lv[h].len < kll_capacity(s->k, s->levels - h - 1))
				continue;
			if (h + 1 >= s->levels) {
				if (s->levels >= KLL_MAX_LEVELS)
					return -1;
				s->levels++;
				s->max_size = kll_max_size(s->k, s->levels);
			}
			if (kll_compact(s, h))
				return -1;
			if (s->size < s->max_size)
				break;
		}
	}
	return 0;
}

int mrm_kll_update(struct mrm_kll *s, double x, struct mrm_error *err)
{
	struct kll_level *l = &s->lv[0];

	if (!isfinite(x))
		return mrm_error_set(err, MRM_EINPUT, "value is %s",
				     isnan(x) ? "NaN" : "infinite");
	if (l->len == l->alloc && kll_reserve(l, l->len + 1))
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	if (x == 0)
		x = 0.0; /* -0.0 as +0.0 */
	l->v[l->len++] = x;
	s->size++;
	if (s->n++ == 0) {
		s->min = x;
		s->max = x;
	} else if (x < s->min) {
		s->min = x;
	} else if (x > s->max) {
		s->max = x;
	}
	if (s->size >= s->max_size && kll_compress(s))
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	return 0;
}

int mrm_kll_merge(struct mrm_kll *a, const struct mrm_kll *b,
		  struct mrm_error *err)
{
	unsigned h;

	if (b->n == 0)
		return 0;
	for (h = 0; h < b->levels; h++)
		if (kll_reserve(&a->lv[h], a->lv[h].len + b->lv[h].len))
			return mrm_error_set(err, MRM_EINPUT, "out of memory");
	if (a->levels < b->levels) {
		a->levels = b->levels;
		a->max_size = kll_max_size(a->k, a->levels);
	}
	for (h = 0; h < b->levels; h++) {
		const struct kll_level *src = &b->lv[h];

		if (src->len)
			memcpy(a->lv[h].v + a->lv[h].len, src->v,
			       src->len * sizeof(*src->v));
		a->lv[h].len += src->len;
		a->size += src->len;
	}
	if (a->n == 0) {
		a->min = b->min;
		a->max = b->max;
	} else {
		if (b->min < a->min)
			a->min = b->min;
		if (b->max > a->max)
			a->max = b->max;
	}
	a->n += b->n;
	if (kll_compress(a))
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	return 0;
}

uint64_t mrm_kll_n(const struct mrm_kll *s)
{
	return s->n;
}

double mrm_kll_min(const struct mrm_kll *s)
{
	return s->min;
}

double mrm_kll_max(const struct mrm_kll *s)
{
	return s->max;
}

unsigned mrm_kll_k(const struct mrm_kll *s)
{
	return s->k;
}

double mrm_kll_epsilon(unsigned k)
{
	return 2.296 / pow((double)k, 0.9723);
}

double mrm_kll_epsilon_pmf(unsigned k)
{
	return 2.446 / pow((double)k, 0.9433);
}

/* The retained values sorted, with cumulative weights (a query's view). */
struct kll_view {
	size_t m;
	double *v;    /* [m] ascending */
	uint64_t *cw; /* [m] total weight of v[0..i] */
};

static void view_release(struct kll_view *w)
{
	free(w->v);
	free(w->cw);
}

static int view_build(const struct mrm_kll *s, struct kll_view *w)
{
	uint64_t *keys = NULL, *ktmp = NULL;
	uint32_t *pay = NULL, *ptmp = NULL;
	size_t i, at = 0;
	unsigned h;
	uint64_t sum = 0;
	int rc = -1;

	w->m = s->size;
	w->v = malloc((s->size + 1) * sizeof(*w->v));
	w->cw = malloc((s->size + 1) * sizeof(*w->cw));
	keys = malloc((s->size + 1) * sizeof(*keys));
	ktmp = malloc((s->size + 1) * sizeof(*ktmp));
	pay = malloc((s->size + 1) * sizeof(*pay));
	ptmp = malloc((s->size + 1) * sizeof(*ptmp));
	if (!w->v || !w->cw || !keys || !ktmp || !pay || !ptmp)
		goto out;
	for (h = 0; h < s->levels; h++)
		for (i = 0; i < s->lv[h].len; i++) {
			keys[at] = mrm__key(s->lv[h].v[i]);
			pay[at++] = h;
		}
	if (mrm__radix_sort(keys, pay, at, ktmp, ptmp))
		goto out;
	for (i = 0; i < at; i++) {
		w->v[i] = mrm__unkey(keys[i]);
		sum += (uint64_t)1 << pay[i];
		w->cw[i] = sum;
	}
	rc = 0;
out:
	free(keys);
	free(ktmp);
	free(pay);
	free(ptmp);
	if (rc) {
		view_release(w);
		w->v = NULL;
		w->cw = NULL;
	}
	return rc;
}

static double view_quantile(const struct mrm_kll *s, const struct kll_view *w,
			    double q)
{
	double target;
	size_t lo = 0, hi;

	if (s->n == 0 || !(q >= 0 && q <= 1))
		return NAN;
	if (q == 0)
		return s->min;
	if (q == 1)
		return s->max;
	target = q * (double)s->n;
	/* First index whose cumulative weight reaches the target. */
	hi = w->m;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((double)w->cw[mid] >= target)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < w->m ? w->v[lo] : s->max;
}

/* Weight of retained values <= x. */
static uint64_t view_weight_le(const struct kll_view *w, double x)
{
	size_t lo = 0, hi = w->m;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->v[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? w->cw[lo - 1] : 0;
}

int mrm_kll_quantiles(const struct mrm_kll *s, const double *q, size_t m,
		      double *out, struct mrm_error *err)
{
	struct kll_view w = { 0 };
	size_t i;

	if (view_build(s, &w))
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	for (i = 0; i < m; i++)
		out[i] = view_quantile(s, &w, q[i]);
	view_release(&w);
	return 0;
}

double mrm_kll_quantile(const struct mrm_kll *s, double q)
{
	double out = NAN;

	if (mrm_kll_quantiles(s, &q, 1, &out, NULL))
		return NAN;
	return out;
}

int mrm_kll_cdf(const struct mrm_kll *s, const double *split, size_t m,
		double *out, struct mrm_error *err)
{
	struct kll_view w = { 0 };
	size_t i;

	for (i = 0; i < m; i++)
		if (!isfinite(split[i]) || (i && !(split[i] > split[i - 1])))
			return mrm_error_set(err, MRM_EINPUT,
					     "split %zu: not finite and increasing", i);
	if (view_build(s, &w))
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	for (i = 0; i < m; i++)
		out[i] = s->n ? (double)view_weight_le(&w, split[i]) / (double)s->n
			      : NAN;
	view_release(&w);
	return 0;
}

int mrm_kll_sorted(const struct mrm_kll *s, double **values, uint64_t **cumw,
		   size_t *m, struct mrm_error *err)
{
	struct kll_view w = { 0 };

	*values = NULL;
	*cumw = NULL;
	*m = 0;
	if (s->size == 0)
		return 0;
	if (view_build(s, &w))
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	*values = w.v;
	*cumw = w.cw;
	*m = w.m;
	return 0;
}

bool mrm_kll_exact(const struct mrm_kll *s)
{
	return s->size == s->n;
}

double mrm_kll_rank(const struct mrm_kll *s, double x)
{
	double out = NAN;

	if (isnan(x) || s->n == 0)
		return NAN;
	if (x < s->min)
		return 0;
	if (x >= s->max)
		return 1;
	if (mrm_kll_cdf(s, &x, 1, &out, NULL))
		return NAN;
	return out;
}

int mrm_kll_serialize(const struct mrm_kll *s, uint8_t **buf, size_t *len,
		      struct mrm_error *err)
{
	size_t bytes = 48 + 4 * (size_t)s->levels + 8 * s->size;
	struct mrm__wbuf w = { malloc(bytes), 0 };
	unsigned h;
	size_t i;

	if (!w.p)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	mrm__put_bytes(&w, KLL_MAGIC, 4);
	mrm__put_u32(&w, KLL_VERSION);
	mrm__put_u32(&w, s->k);
	mrm__put_u32(&w, s->levels);
	mrm__put_u64(&w, s->rng);
	mrm__put_u64(&w, s->n);
	mrm__put_f64(&w, s->min);
	mrm__put_f64(&w, s->max);
	for (h = 0; h < s->levels; h++)
		mrm__put_u32(&w, (uint32_t)s->lv[h].len);
	for (h = 0; h < s->levels; h++)
		for (i = 0; i < s->lv[h].len; i++)
			mrm__put_f64(&w, s->lv[h].v[i]);
	*buf = w.p;
	*len = w.at;
	return 0;
}

static int kll_bad(struct mrm_kll *s, struct mrm_error *err, const char *why)
{
	mrm_kll_free(s);
	return mrm_error_set(err, MRM_EINPUT, "KLL sketch: %s", why);
}

int mrm_kll_deserialize(struct mrm_kll **out, const void *buf, size_t len,
			struct mrm_error *err)
{
	struct mrm__rbuf r = { buf, len, 0, 0 };
	struct mrm_kll *s = NULL;
	uint32_t k = 0, levels = 0, cnt[KLL_MAX_LEVELS];
	uint64_t rng = 0, n = 0, wsum = 0;
	double mn = 0, mx = 0;
	size_t total = 0, i;
	unsigned h;
	int rc;

	*out = NULL;
	rc = mrm__get_header(&r, KLL_MAGIC, KLL_VERSION);
	if (rc == -1)
		return mrm_error_set(err, MRM_EINPUT, "not a KLL sketch (bad magic)");
	if (rc == -2)
		return mrm_error_set(err, MRM_EINPUT, "KLL sketch: unsupported version");
	mrm__get_u32(&r, &k);
	mrm__get_u32(&r, &levels);
	mrm__get_u64(&r, &rng);
	mrm__get_u64(&r, &n);
	mrm__get_f64(&r, &mn);
	mrm__get_f64(&r, &mx);
	if (r.bad)
		return kll_bad(NULL, err, "truncated");
	if (k < MRM_KLL_K_MIN || k > MRM_KLL_K_MAX)
		return kll_bad(NULL, err, "k out of range");
	if (levels < 1 || levels > KLL_MAX_LEVELS)
		return kll_bad(NULL, err, "level count out of range");
	for (h = 0; h < levels; h++) {
		if (mrm__get_u32(&r, &cnt[h]))
			return kll_bad(NULL, err, "truncated");
		/* The weight of each level must add up to n exactly. */
		if (cnt[h] && (h >= 63 || cnt[h] > (UINT64_MAX - wsum) >> h))
			return kll_bad(NULL, err, "weights overflow");
		wsum += (uint64_t)cnt[h] << h;
		total += cnt[h];
	}
	if (wsum != n)
		return kll_bad(NULL, err, "level weights do not add up to n");
	if (total >= kll_max_size(k, levels))
		return kll_bad(NULL, err, "more values than the levels hold");
	if (mrm__left(&r) != 8 * total)
		return kll_bad(NULL, err, "length does not match the level counts");
	if (n == 0 ? !(isnan(mn) && isnan(mx))
		   : !(isfinite(mn) && isfinite(mx) && mn <= mx))
		return kll_bad(NULL, err, "bad min/max");
	if (mrm_kll_new(&s, k, rng, err))
		return MRM_EINPUT;
	s->levels = levels;
	s->max_size = kll_max_size(k, levels);
	s->n = n;
	s->min = mn;
	s->max = mx;
	s->size = total;
	for (h = 0; h < levels; h++) {
		if (kll_reserve(&s->lv[h], cnt[h]))
			return kll_bad(s, err, "out of memory");
		for (i = 0; i < cnt[h]; i++) {
			double x = 0;

			mrm__get_f64(&r, &x);
			if (!(x >= mn && x <= mx))
				return kll_bad(s, err, "value outside [min, max]");
			s->lv[h].v[s->lv[h].len++] = x;
		}
	}
	*out = s;
	return 0;
}
