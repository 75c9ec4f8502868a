/*
 * Rankings for `mrm validate`: the one sort of all scores (an LSD radix sort
 * in place of mrm_ranked_build's, so that the score column itself is the
 * sort key and no second copy of it is needed), and the rankings of slices
 * read off the sorted rows without sorting again.
 */
#include <stdlib.h>
#include <string.h>

#include "validate/internal.h"

#define DIGIT_BITS 11
#define DIGITS 6
#define BUCKETS (1u << DIGIT_BITS)

/*
 * Stable LSD radix sort of (keys, pay) ascending by key; passes whose digit
 * is the same for every key are skipped. The sorted data may end up in the
 * scratch arrays: *keys and *pay are updated and the other buffers freed.
 */
static int radix_sort(uint64_t **keys, uint32_t **pay, size_t n)
{
	size_t (*hist)[BUCKETS];
	uint64_t *k = *keys, *kt;
	uint32_t *p = *pay, *pt;
	size_t i;
	int d;

	if (n < 2)
		return 0;
	hist = calloc(DIGITS, sizeof(*hist));
	kt = malloc(n * sizeof(*kt));
	pt = malloc(n * sizeof(*pt));
	if (!hist || !kt || !pt) {
		free(hist);
		free(kt);
		free(pt);
		return -1;
	}
	for (i = 0; i < n; i++) {
		uint64_t x = k[i];

		hist[0][x & (BUCKETS - 1)]++;
		hist[1][(x >> 11) & (BUCKETS - 1)]++;
		hist[2][(x >> 22) & (BUCKETS - 1)]++;
		hist[3][(x >> 33) & (BUCKETS - 1)]++;
		hist[4][(x >> 44) & (BUCKETS - 1)]++;
		hist[5][x >> 55]++;
	}
	for (d = 0; d < DIGITS; d++) {
		size_t *h = hist[d], sum = 0, b;
		unsigned shift = (unsigned)(d * DIGIT_BITS);
		bool trivial = false;

		for (b = 0; b < BUCKETS; b++) {
			size_t c = h[b];

			if (c == n)
				trivial = true;
			h[b] = sum;
			sum += c;
		}
		if (trivial)
			continue;
		for (i = 0; i < n; i++) {
			uint64_t x = k[i];
			size_t at = h[(x >> shift) & (BUCKETS - 1)]++;

			kt[at] = x;
			pt[at] = p[i];
		}
		{
			uint64_t *tk = k;
			uint32_t *tp = p;

			k = kt;
			p = pt;
			kt = tk;
			pt = tp;
		}
	}
	free(hist);
	free(kt);
	free(pt);
	*keys = k;
	*pay = p;
	return 0;
}

int mrm__rank_build(uint64_t **keys, uint32_t **pay, size_t n, const double *w,
		    uint8_t **ysp, struct mrm_ranked *r, struct mrm_error *err)
{
	uint64_t *k;
	uint32_t *p;
	uint8_t *ys = NULL;
	size_t j, g, kk;
	double tp = 0, fp = 0;

	memset(r, 0, sizeof(*r));
	r->weighted = w != NULL;
	if (n >= ((size_t)1 << 31))
		return mrm_error_set(err, MRM_EINPUT,
				     "too many rows to rank (%zu, at most 2147483647)", n);
	if (radix_sort(keys, pay, n))
		return mrm_error_set(err, MRM_EINPUT, "out of memory sorting %zu scores", n);
	k = *keys;
	p = *pay;
	r->n = n;
	/* Allocated after the sort's scratch space is freed: it adds nothing to the peak. */
	if (ysp && !(ys = *ysp = malloc(n ? n : 1)))
		return mrm_error_set(err, MRM_EINPUT, "out of memory ranking %zu rows", n);
	if (n == 0) {
		r->order = p;
		*pay = NULL;
		return 0;
	}
	kk = 1;
	for (j = 1; j < n; j++)
		kk += k[j] != k[j - 1];
	r->k = kk;
	r->score = malloc(kk * sizeof(*r->score));
	r->tps = malloc(kk * sizeof(*r->tps));
	r->fps = malloc(kk * sizeof(*r->fps));
	r->rows = malloc(kk * sizeof(*r->rows));
	if (!r->score || !r->tps || !r->fps || !r->rows) {
		free(r->score);
		free(r->tps);
		free(r->fps);
		free(r->rows);
		memset(r, 0, sizeof(*r));
		if (ysp) {
			free(*ysp);
			*ysp = NULL;
		}
		return mrm_error_set(err, MRM_EINPUT, "out of memory ranking %zu rows", n);
	}
	g = 0;
	for (j = 0; j < n; j++) {
		uint32_t q = p[j];
		uint32_t row = q >> 1;
		double wt = w ? w[row] : 1.0;

		if (q & 1)
			tp += wt;
		else
			fp += wt;
		if (ys)
			ys[j] = (uint8_t)(q & 1);
		p[j] = row;
		if (j + 1 == n || k[j + 1] != k[j]) {
			r->score[g] = mrm__vunkey(k[j]);
			r->tps[g] = tp;
			r->fps[g] = fp;
			r->rows[g] = j + 1;
			g++;
		}
	}
	r->total_pos = tp;
	r->total_neg = fp;
	r->order = p;
	*pay = NULL;
	return 0;
}

void mrm__bucket(const uint32_t *code, size_t n, size_t ns, uint32_t *rows_out,
		 size_t *start)
{
	size_t j, s, sum = 0;

	memset(start, 0, (ns + 1) * sizeof(*start));
	for (j = 0; j < n; j++)
		if (code[j] < ns)
			start[code[j]]++;
	for (s = 0; s < ns; s++) {
		size_t c = start[s];

		start[s] = sum;
		sum += c;
	}
	start[ns] = sum;
	for (j = 0; j < n; j++) {
		uint32_t c = code[j];

		if (c < ns)
			rows_out[start[c]++] = (uint32_t)j;
	}
	/* start[s] now holds the end of slice s: shift back to the starts. */
	for (s = ns; s > 0; s--)
		start[s] = start[s - 1];
	start[0] = 0;
}

int mrm__rank_rows(const double *score, const uint8_t *y, const double *w,
		   const uint32_t *rows, size_t m, struct mrm_ranked *out,
		   struct mrm_error *err)
{
	size_t i, k = 0, g = 0;
	double tp = 0, fp = 0;

	memset(out, 0, sizeof(*out));
	out->weighted = w != NULL;
	out->n = m;
	out->order = (uint32_t *)rows;
	if (m == 0)
		return 0;
	for (i = 0; i < m; i++)
		k += i == 0 || score[rows[i]] != score[rows[i - 1]];
	out->k = k;
	out->score = malloc(k * sizeof(*out->score));
	out->tps = malloc(k * sizeof(*out->tps));
	out->fps = malloc(k * sizeof(*out->fps));
	out->rows = malloc(k * sizeof(*out->rows));
	if (!out->score || !out->tps || !out->fps || !out->rows) {
		mrm__slice_release(out);
		return mrm_error_set(err, MRM_EINPUT, "out of memory ranking a slice of %zu rows", m);
	}
	for (i = 0; i < m; i++) {
		uint32_t j = rows[i];
		double wt = w ? w[j] : 1.0;

		if (y[j])
			tp += wt;
		else
			fp += wt;
		if (i + 1 == m || score[rows[i + 1]] != score[j]) {
			out->score[g] = score[j];
			out->tps[g] = tp;
			out->fps[g] = fp;
			out->rows[g] = i + 1;
			g++;
		}
	}
	out->total_pos = tp;
	out->total_neg = fp;
	return 0;
}

void mrm__slice_release(struct mrm_ranked *s)
{
	if (!s)
		return;
	s->order = NULL; /* borrowed */
	mrm_ranked_release(s);
}
