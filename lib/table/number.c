/*
 * Exact decimal-to-double conversion: Clinger's fast path, the
 * Eisel-Lemire algorithm (after Go's strconv), and strtod in the C locale
 * for the cases neither can decide; plus the shortest round-trip format.
 */
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrm/table.h"
#include "table/number.h"
#include "table/pow10.h"

const double mrm__pow10_exact[23] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* Runs strtod and snprintf in the C locale whatever the caller's. */
static locale_t enter_c_locale(void)
{
	pthread_once(&c_locale_once, c_locale_init);
	return c_locale ? uselocale(c_locale) : (locale_t)0;
}

static void leave_c_locale(locale_t old)
{
	if (old)
		uselocale(old);
}

static double strtod_c(const char *s, const char *send)
{
	char small[128], *buf = small;
	size_t n = (size_t)(send - s);
	double v;
	locale_t old;

	if (n >= sizeof(small)) {
		buf = malloc(n + 1);
		if (!buf)
			return NAN; /* the parsers then return NULL */
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	old = enter_c_locale();
	v = strtod(buf, NULL);
	leave_c_locale(old);
	if (buf != small)
		free(buf);
	return v;
}

static void mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
#ifdef __SIZEOF_INT128__
	unsigned __int128 x = (unsigned __int128)a * b;
	*hi = (uint64_t)(x >> 64);
	*lo = (uint64_t)x;
#else
	uint64_t a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32;
	uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
	uint64_t mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
	*lo = (mid << 32) | (p00 & 0xffffffff);
	*hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
#endif
}

/* Exact when both the mantissa and the power of ten are exact doubles. */
static bool clinger(uint64_t w, int64_t e10, bool neg, double *out)
{
#ifdef MRM__NUM_NO_FAST
	(void)w, (void)e10, (void)neg, (void)out;
	return false;
#else
	double v;

	if (w >> 53)
		return false;
	v = (double)w;
	if (e10 == 0) {
	} else if (e10 > 0 && e10 <= 22 + 15) {
		if (e10 > 22) {
			/* Move zeros into the integer while it stays exact. */
			v *= mrm__pow10_exact[e10 - 22];
			e10 = 22;
			if (v > 1e15)
				return false;
		}
		v *= mrm__pow10_exact[e10];
	} else if (e10 < 0 && e10 >= -22) {
		v /= mrm__pow10_exact[-e10];
	} else {
		return false;
	}
	*out = neg ? -v : v;
	return true;
#endif
}

/*
 * Eisel-Lemire: w * 10^e10 through a 128-bit approximation of the power
 * of ten; false when the approximation cannot decide the rounding (or the
 * result is subnormal, infinite or out of the table).
 */
static bool eisel_lemire(uint64_t w, int64_t e10, bool neg, double *out)
{
	uint64_t xhi, xlo, ret_man, ret_exp2, bits;
	const uint64_t *pw;
	int clz;

	if (w == 0) {
		*out = neg ? -0.0 : 0.0;
		return true;
	}
	if (e10 < MRM__POW10_MIN || e10 > MRM__POW10_MAX)
		return false;
	pw = mrm__pow10_128[e10 - MRM__POW10_MIN];
	clz = __builtin_clzll(w);
	w <<= clz;
	/* floor(e10 * log2(10)) as (217706 * e10) >> 16, computed without
	 * right-shifting a negative number. */
	{
		int64_t t = 217706 * e10;
		int64_t f = t >= 0 ? t >> 16 : -((-t + 65535) >> 16);
		ret_exp2 = (uint64_t)(f + 64 + 1023) - (uint64_t)clz;
	}
	mul64(w, pw[1], &xhi, &xlo);
	if ((xhi & 0x1FF) == 0x1FF && xlo + w < w) {
		uint64_t yhi, ylo, mhi, mlo;
		mul64(w, pw[0], &yhi, &ylo);
		mhi = xhi;
		mlo = xlo + yhi;
		if (mlo < xlo)
			mhi++;
		if ((mhi & 0x1FF) == 0x1FF && mlo + 1 == 0 && ylo + w < w)
			return false;
		xhi = mhi;
		xlo = mlo;
	}
	{
		uint64_t msb = xhi >> 63;
		ret_man = xhi >> (msb + 9);
		ret_exp2 -= 1 ^ msb;
	}
	/* Exactly half-way between two doubles: let strtod decide. */
	if (xlo == 0 && (xhi & 0x1FF) == 0 && (ret_man & 3) == 1)
		return false;
	ret_man += ret_man & 1;
	ret_man >>= 1;
	if (ret_man >> 53) {
		ret_man >>= 1;
		ret_exp2 += 1;
	}
	if (ret_exp2 - 1 >= 0x7FF - 1)
		return false;
	bits = ret_exp2 << 52 | (ret_man & UINT64_C(0x000FFFFFFFFFFFFF));
	if (neg)
		bits |= UINT64_C(0x8000000000000000);
	memcpy(out, &bits, sizeof(*out));
	return true;
}

double mrm__num_convert(uint64_t w, int64_t e10, bool neg, const char *s,
			const char *send)
{
	double v;

	if (w == 0)
		return neg ? -0.0 : 0.0;
	if (clinger(w, e10, neg, &v) || eisel_lemire(w, e10, neg, &v))
		return v;
	return strtod_c(s, send);
}

const char *mrm__num_parse_slow(const char *p, const char *end, double *out)
{
	const char *s = p;
	uint64_t man = 0;
	int64_t dp = 0, nd = 0, ndman = 0;
	bool neg = false, sawdot = false, sawdigits = false, trunc = false;
	double v;

	if (p < end && (*p == '-' || *p == '+')) {
		neg = *p == '-';
		p++;
	}
	for (; p < end; p++) {
		char c = *p;
		if (c == '.') {
			if (sawdot)
				break;
			sawdot = true;
			dp = nd;
			continue;
		}
		if (!mrm__is_digit(c))
			break;
		sawdigits = true;
		if (c == '0' && nd == 0) { /* leading zeros */
			dp--;
			continue;
		}
		nd++;
		if (ndman < 19) {
			man = man * 10 + (uint64_t)(c - '0');
			ndman++;
		} else if (c != '0') {
			trunc = true;
		}
	}
	if (!sawdigits)
		return NULL;
	if (!sawdot)
		dp = nd;
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
			dp += eneg ? -x : x;
			p = q;
		}
	}
	if (man == 0) {
		*out = neg ? -0.0 : 0.0;
		return p;
	}
	{
		int64_t e10 = dp - ndman;
		if (!trunc && clinger(man, e10, neg, &v)) {
			*out = v;
			return p;
		}
		if (eisel_lemire(man, e10, neg, &v)) {
			double up;
			/* A truncated mantissa is right when its upper bound
			 * rounds to the same double. */
			if (!trunc || (eisel_lemire(man + 1, e10, neg, &up) && up == v)) {
				*out = v;
				return p;
			}
		}
	}
	*out = strtod_c(s, p);
	return *out == *out ? p : NULL;
}

int mrm__num_format(double v, char buf[32])
{
	locale_t old = enter_c_locale();
	int n = 0;

	for (int prec = 15; prec <= 17; prec++) {
		double back;
		n = snprintf(buf, 32, "%.*g", prec, v);
		if (prec == 17 || (mrm__num_parse_slow(buf, buf + n, &back) == buf + n &&
				   back == v))
			break;
	}
	leave_c_locale(old);
	return n;
}

int mrm_parse_double(const char *s, size_t len, double *out)
{
	double v;
	const char *e = mrm__num_parse(s, s + len, &v);

	if (!e || e != s + len || isinf(v) || isnan(v))
		return MRM_EINPUT;
	*out = v;
	return MRM_OK;
}
