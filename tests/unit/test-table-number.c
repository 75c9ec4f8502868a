/*
 * Unit tests for the readers' number parser: it must give exactly the
 * double strtod gives (bit for bit) on edge cases and on over a million
 * random decimal strings, stop where strtod stops, and reject what is not
 * a plain decimal number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mrm/table.h"
#include "table/number.h"

static uint64_t bits(double v)
{
	uint64_t b;
	memcpy(&b, &v, sizeof(b));
	return b;
}

/* Parses s both ways; both must stop at the same place, with the same bits. */
static void same_as_strtod(const char *s)
{
	size_t n = strlen(s);
	char *send;
	double want = strtod(s, &send), got = 0, slow = 0;
	const char *e = mrm__num_parse(s, s + n, &got);
	const char *e2 = mrm__num_parse_slow(s, s + n, &slow);

	if (!e || e != send || bits(got) != bits(want))
		fail_msg("'%s': got %.17g (end %td), strtod %.17g (end %td)", s, got,
			 e ? e - s : -1, want, send - s);
	if (!e2 || e2 != send || bits(slow) != bits(want))
		fail_msg("'%s' (slow path): got %.17g, strtod %.17g", s, slow, want);
	/* The readers' path over padded buffers. */
	{
		char pad[1100];
		double fast = 0;
		const char *e3;
		if (n + 16 > sizeof(pad))
			return;
		memcpy(pad, s, n);
		memset(pad + n, '\n', 16);
		e3 = mrm__num_parse_padded(pad, pad + n, &fast);
		if (isinf(want)) {
			if (e3)
				fail_msg("'%s' (padded path): overflow not refused", s);
		} else if (!e3 || e3 - pad != send - s || bits(fast) != bits(want))
			fail_msg("'%s' (padded path): got %.17g, strtod %.17g", s, fast, want);
	}
}

static void edge_cases(void **state)
{
	static const char *cases[] = {
		"0", "-0", "+0", "0.0", "-0.0", "00000", "0e0", "0e999999999999", "-0e-5",
		"1", "+3", "-7", "1.", ".5", "-.5", "0.1", "0.2", "0.3", "0.30000000000000004",
		"3.0000000000000004", "1e-308", "1e308", "1e-307", "1e23", "8.41e21",
		"2.2250738585072014e-308",  /* smallest normal */
		"2.2250738585072011e-308",  /* the famous PHP/Java hang value */
		"2.2250738585072012e-308",
		"4.9406564584124654e-324",  /* smallest subnormal */
		"5e-324", "2e-324", "3e-324",
		"2.4703282292062327e-324",  /* just below half of it: 0 */
		"2.4703282292062328e-324",  /* just above: 5e-324 */
		"1.7976931348623157e308",   /* DBL_MAX */
		"1.7976931348623158e308",   /* rounds to DBL_MAX */
		"1.797693134862315807e308",
		"9007199254740992", "9007199254740993", "9007199254740994", "9007199254740995",
		"9007199254740993.0000000000000000000001",
		"18446744073709551615", "18446744073709551616", "18446744073709551617",
		"9999999999999999999", "10000000000000000000", "99999999999999999999",
		"123456789012345678901234567890", "0.000000000000000000000000000001",
		"1.00000000000000011102230246251565404236316680908203125", /* tie: even */
		"1.00000000000000011102230246251565404236316680908203124",
		"1.00000000000000011102230246251565404236316680908203126",
		"1.0000000000000002220446049250313080847263336181640625",
		"7.038531e-26", "8.589973e9", "1.448997445238699", "4.35",
		"0.1e1", "1e+10", "1E-10", "1e-0", "123.456e-2", "1234567890123456789",
		"12345678901234567890", "0.12345678901234567890123",
		"4.94065645841246544176568792868221372365059802614324764425585682500675507270208751865299836361635992379796564695445717730926656710355939796398774796010781878126300713190311404527845817167848982103688718636056998730723050006387409153564984387312473397273169615140031715385398074126238565591171026658556686768187039560310624931945271591492455329305456544401127480129709999541931989409080416563324524757147869014726780159355238611550134803526493472019379026810710749170333222684475333572083243193609238289345836806010601150616980975307834227731832924790498252473077637592724787465608477820373446969953364701797267771758512566055119913150489110145103786273816725095583738973359899366480994116420570263709027924276754456522908753868250641971826553344726562e-324",
		"1e-400", "1e400", "-1e400", "1e-99999999999", "1e99999999999",
		"0.000001", "123456.789", "0.475414", "0.999086", "1.0e-5",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		same_as_strtod(cases[i]);
	/* A long run of digits: 800 nines after the point. */
	{
		char s[1024] = "0.";
		memset(s + 2, '9', 800);
		s[802] = '\0';
		same_as_strtod(s);
		s[0] = '9';
		s[1] = '9';
		s[400] = '.';
		same_as_strtod(s);
	}
}

static void grammar(void **state)
{
	static const struct {
		const char *s;
		int end; /* -1: no number */
	} cases[] = {
		{ "", -1 },   { "-", -1 },    { "+", -1 },      { ".", -1 },    { "-.", -1 },
		{ "e5", -1 }, { "--1", -1 },  { "inf", -1 },    { "nan", -1 },  { " 1", -1 },
		{ "1e", 1 },  { "1e+", 1 },   { "1.2.3", 3 },   { "0x10", 1 },  { "1,5", 1 },
		{ "12ab", 2 }, { "1e5x", 3 }, { "-1.5e-3;", 7 }, { "1 ", 1 },
	};
	double v;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *s = cases[i].s;
		char pad[64];
		const char *e = mrm__num_parse(s, s + strlen(s), &v);
		if (cases[i].end < 0)
			assert_null(e);
		else
			assert_int_equal(e - s, cases[i].end);
		memset(pad, 0, sizeof(pad));
		memcpy(pad, s, strlen(s));
		e = mrm__num_parse_padded(pad, pad + strlen(s), &v);
		if (cases[i].end < 0)
			assert_null(e);
		else
			assert_int_equal(e - pad, cases[i].end);
	}
	/* The end bound is respected. */
	assert_int_equal(mrm__num_parse("12345", (const char *)"12345" + 3, &v) - (const char *)"12345", 3);
	assert_true(v == 123);
	/* The public wrapper: all of it, finite. */
	assert_int_equal(mrm_parse_double("2.5", 3, &v), 0);
	assert_true(v == 2.5);
	assert_int_equal(mrm_parse_double("-0", 2, &v), 0);
	assert_true(v == 0 && signbit(v));
	assert_int_equal(mrm_parse_double("1e400", 5, &v), MRM_EINPUT);
	assert_int_equal(mrm_parse_double("-1e400", 6, &v), MRM_EINPUT);
	assert_int_equal(mrm_parse_double("1e-400", 6, &v), 0);
	assert_true(v == 0);
	assert_int_equal(mrm_parse_double("1x", 2, &v), MRM_EINPUT);
	assert_int_equal(mrm_parse_double("", 0, &v), MRM_EINPUT);
	assert_int_equal(mrm_parse_double("nan", 3, &v), MRM_EINPUT);
	assert_int_equal(mrm_parse_double(" 1", 2, &v), MRM_EINPUT);
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A random decimal string in the parser's grammar. */
static void random_decimal(char *s)
{
	int n = 0, digits = 1 + (int)(rnd() % 25), dot = (int)(rnd() % (digits + 2)) - 1;

	switch (rnd() % 4) {
	case 0: s[n++] = '-'; break;
	case 1: if (rnd() % 4 == 0) s[n++] = '+'; break;
	default: break;
	}
	for (int i = 0; i < digits; i++) {
		if (i == dot)
			s[n++] = '.';
		/* Runs of 0 and 9 find rounding boundaries more often. */
		uint64_t r = rnd() % 16;
		s[n++] = (char)(r < 3 ? '0' : r < 6 ? '9' : '0' + (int)(rnd() % 10));
	}
	if (dot == digits)
		s[n++] = '.';
	if (rnd() % 3 == 0) {
		int ex = (int)(rnd() % 700) - 350;
		n += snprintf(s + n, 32, "%c%d", rnd() % 2 ? 'e' : 'E', ex);
	}
	s[n] = '\0';
}

static void random_strings(void **state)
{
	char s[128];

	(void)state;
	/* Random digit strings and exponents. */
	for (int i = 0; i < 600000; i++) {
		random_decimal(s);
		same_as_strtod(s);
	}
	/* Random doubles printed the ways files print them. */
	for (int i = 0; i < 500000; i++) {
		uint64_t b = rnd();
		double v;
		memcpy(&v, &b, sizeof(v));
		if (!isfinite(v))
			continue;
		static const char *fmts[] = { "%.17g", "%.15g", "%.6f", "%.3e", "%.16e", "%g" };
		snprintf(s, sizeof(s), fmts[i % 6], v);
		if (strlen(s) < 100)
			same_as_strtod(s);
		/* Probabilities and scores in [0, 1). */
		double p = (double)(rnd() >> 11) / 9007199254740992.0;
		snprintf(s, sizeof(s), fmts[i % 3], p);
		same_as_strtod(s);
	}
}

static void shortest_format(void **state)
{
	char buf[32];
	double back;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		uint64_t b = rnd();
		double v;
		memcpy(&v, &b, sizeof(v));
		if (!isfinite(v))
			continue;
		int n = mrm__num_format(v, buf);
		assert_int_equal(mrm_parse_double(buf, (size_t)n, &back), 0);
		assert_true(bits(back) == bits(v));
	}
	assert_int_equal(mrm__num_format(0.1, buf), 3);
	assert_string_equal(buf, "0.1");
	mrm__num_format(1.5, buf);
	assert_string_equal(buf, "1.5");
	mrm__num_format(123456789.0, buf);
	assert_string_equal(buf, "123456789");
	mrm__num_format(0.30000000000000004, buf);
	assert_string_equal(buf, "0.30000000000000004");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(edge_cases),
		cmocka_unit_test(grammar),
		cmocka_unit_test(random_strings),
		cmocka_unit_test(shortest_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
