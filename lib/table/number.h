/*
 * Exact decimal-to-double conversion for the readers: an inline fast path
 * for the short forms that fill data files (up to 19 digits, small
 * exponents: Clinger's exact multiplication), with Eisel-Lemire and, in
 * the rare undecided cases, strtod behind it. Every result is the double
 * strtod gives for the same text (correctly rounded, round to nearest).
 */
#ifndef MRM_TABLE_NUMBER_H
#define MRM_TABLE_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Clinger's fast path needs plain double arithmetic (SSE2, not x87). */
#include <float.h>
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#define MRM__NUM_NO_FAST 1
#endif

extern const double mrm__pow10_exact[23];

/*
 * The general parser: [sign] digits [. digits] [e|E [sign] digits] starting
 * at `p`, reading no byte at or after `end`. Returns the end of the number
 * and stores the value (+-inf when it overflows), or returns NULL when no
 * number starts at `p` (or, for a number of over 127 characters that only
 * strtod can decide, when its copy cannot be allocated).
 */
const char *mrm__num_parse_slow(const char *p, const char *end, double *out);

/*
 * Converts mantissa `w` (at most 19 digits, exact) times 10^e10 to double,
 * with [s, send) the number's text for the strtod fallback.
 */
double mrm__num_convert(uint64_t w, int64_t e10, bool neg, const char *s,
			const char *send);

/*
 * The shortest "%.{15,16,17}g" spelling of `v` that reads back as `v`, in
 * the C locale; returns its length (< 32).
 */
int mrm__num_format(double v, char buf[32]);

static inline bool mrm__is_digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

/* Same contract as mrm__num_parse_slow, faster for the common forms. */
static inline const char *mrm__num_parse(const char *p, const char *end,
					 double *out)
{
	const char *s = p, *d;
	uint64_t w = 0;
	int64_t e10 = 0;
	size_t nd;
	bool neg = false;

	if (p < end && (*p == '-' || *p == '+')) {
		neg = *p == '-';
		p++;
	}
	d = p;
	while (p < end && mrm__is_digit(*p))
		w = w * 10 + (uint64_t)(*p++ - '0');
	nd = (size_t)(p - d);
	if (p < end && *p == '.') {
		const char *f = ++p;
		while (p < end && mrm__is_digit(*p))
			w = w * 10 + (uint64_t)(*p++ - '0');
		nd += (size_t)(p - f);
		e10 = -(int64_t)(p - f);
	}
	if (nd == 0)
		return NULL;
	if (nd > 19)
		return mrm__num_parse_slow(s, end, out);
	if (p < end && (*p | 0x20) == 'e') {
		const char *q = p + 1;
		bool eneg = false;
		int64_t x = 0;

		if (q < end && (*q == '-' || *q == '+')) {
			eneg = *q == '-';
			q++;
		}
		if (q < end && mrm__is_digit(*q)) {
			while (q < end && mrm__is_digit(*q)) {
				if (x < 100000000)
					x = x * 10 + (*q - '0');
				q++;
			}
			e10 += eneg ? -x : x;
			p = q;
		}
	}
#ifndef MRM__NUM_NO_FAST
	if (w <= (UINT64_C(1) << 53) && e10 >= -22 && e10 <= 22) {
		double v = (double)w;
		v = e10 < 0 ? v / mrm__pow10_exact[-e10] : v * mrm__pow10_exact[e10];
		*out = neg ? -v : v;
		return p;
	}
#endif
	*out = mrm__num_convert(w, e10, neg, s, p);
	return *out == *out ? p : NULL; /* NaN: out of memory for strtod */
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * The number of decimal digits (0-8) that start the 8 bytes at p, and
 * their value in *val (SWAR: a few multiplications instead of a loop).
 */
static inline unsigned mrm__digits8(const char *p, uint64_t *val)
{
	uint64_t x, y, nd;
	unsigned n;

	memcpy(&x, p, 8);
	y = x ^ UINT64_C(0x3030303030303030); /* digits become 0-9 */
	/* High bit set in each byte that is not 0-9; a carry only runs up
	 * from such a byte, so the lowest flag is exact. */
	nd = ((y + UINT64_C(0x7676767676767676)) | y) & UINT64_C(0x8080808080808080);
	n = nd ? (unsigned)__builtin_ctzll(nd) >> 3 : 8;
	if (n == 0) {
		*val = 0;
		return 0;
	}
	if (n < 8)
		y <<= 8 * (8 - n); /* leading zero digits */
	y = y * 10 + (y >> 8);
	y = (((y & UINT64_C(0x000000FF000000FF)) * UINT64_C(0x000F424000000064)) +
	     (((y >> 16) & UINT64_C(0x000000FF000000FF)) * UINT64_C(0x0000271000000001))) >>
	    32;
	*val = y;
	return n;
}

/*
 * mrm__num_parse for buffers with at least 8 readable bytes past any
 * digit (the readers' chunks): the usual "0.475414" in a few steps. Also
 * returns NULL for a number that overflows, so that a caller can trust any
 * value it gets to be finite without testing it.
 */
static inline const char *mrm__num_parse_padded(const char *p, const char *end,
						double *out)
{
	static const uint64_t p10[9] = { 1, 10, 100, 1000, 10000, 100000,
					 1000000, 10000000, 100000000 };
	const char *s = p;
	uint64_t w, v;
	unsigned n, nd;
	int64_t e10 = 0;
	bool neg = false;

	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		p++;
	}
	n = mrm__digits8(p, &w);
	if (n == 8)
		goto general;
	p += n;
	nd = n;
	if (*p == '.') {
		p++;
		n = mrm__digits8(p, &v);
		w = w * p10[n] + v;
		nd += n;
		e10 = -(int64_t)n;
		p += n;
		if (n == 8) {
			n = mrm__digits8(p, &v);
			if (n == 8 || nd + n > 19)
				goto general;
			w = w * p10[n] + v;
			nd += n;
			e10 -= n;
			p += n;
		}
	}
	if (nd == 0)
		return NULL;
	if ((*p | 0x20) == 'e')
		goto general;
#ifndef MRM__NUM_NO_FAST
	if (w <= (UINT64_C(1) << 53) && e10 >= -22) {
		double d = (double)w;
		if (e10)
			d /= mrm__pow10_exact[-e10];
		*out = neg ? -d : d;
		return p;
	}
#endif
	*out = mrm__num_convert(w, e10, neg, s, p);
	return *out == *out ? p : NULL;
general:
	p = mrm__num_parse(s, end, out);
	return p && *out - *out == 0 ? p : NULL; /* not inf (nor NaN) */
}
#else
#define mrm__num_parse_padded mrm__num_parse
#endif

#endif
