/*
 * Unit tests of mrm drift's quality checks (hand-computed values), duplicate-row counter,
 * timestamp parsing, window alignment, and windows with labels against scikit-learn.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "monitor/drift-window.h"
#include "monitor/quality.h"
#include "mrm/drift.h"
#include "mrm/timeutil.h"

/* ---- timestamps and windows ------------------------------------------------ */

static void parses(const char *s, int64_t want)
{
	int64_t got = 0;

	if (drift_time_parse(s, strlen(s), &got))
		fail_msg("'%s' did not parse", s);
	if (got != want)
		fail_msg("'%s': got %lld, want %lld", s, (long long)got, (long long)want);
}

static void rejects(const char *s)
{
	int64_t got;

	if (!drift_time_parse(s, strlen(s), &got))
		fail_msg("'%s' parsed as %lld", s, (long long)got);
}

static void timestamps(void **state)
{
	const int64_t jan1 = 1293840000; /* 2011-01-01T00:00:00Z */
	(void)state;

	parses("2011-01-01", jan1);
	parses(" 2011-01-01\t", jan1);
	parses("2011-01-01T00:00:00Z", jan1);
	parses("2011-01-01t00:00:00z", jan1);
	parses("2011-01-01T00:00Z", jan1);
	parses("2011-01-01 00:00", jan1);
	parses("2011-01-01T00:00:00", jan1);          /* no zone: UTC */
	parses("2011-01-01T01:30:00+01:30", jan1);
	parses("2011-01-01T01:30+0130", jan1);
	parses("2011-01-01T02:00:00+02", jan1);
	parses("2010-12-31T19:00:00-05:00", jan1);    /* the day before, locally */
	parses("2011-01-01T00:00:00.999Z", jan1);     /* fraction dropped */
	parses("2011-01-01T00:00:59,5Z", jan1 + 59);
	parses("2011-01-01T12:34:56Z", jan1 + 45296);
	parses("1293840000", jan1);
	parses("1293840000.9", jan1);                 /* epoch seconds, floored */
	parses("1.29384e9", jan1);
	parses("-0.5", -1);
	parses("0", 0);
	parses("1970-01-01", 0);
	parses("1969-12-31T23:59:59Z", -1);
	parses("2012-02-29", 1330473600);             /* leap day */
	parses("2000-02-29", 951782400);              /* 400-year leap day */
	parses("2016-12-31T23:59:60Z", 1483228800);   /* a leap second counts as the next */
	rejects("");
	rejects("   ");
	rejects("2011-02-29");                        /* not a leap year */
	rejects("1900-02-29");
	rejects("2011-13-01");
	rejects("2011-00-10");
	rejects("2011-04-31");
	rejects("2011-1-01");
	rejects("2011/01/01");
	rejects("20110101T000000Z");
	rejects("2011-01-01T");
	rejects("2011-01-01Z");
	rejects("2011-01-01T24:00:00Z");
	rejects("2011-01-01T10:60Z");
	rejects("2011-01-01T10:00:61Z");
	rejects("2011-01-01T10:00:00.Z");
	rejects("2011-01-01T10:00:00+25:00");
	rejects("2011-01-01T10:00:00+01:60");
	rejects("2011-01-01T10:00:00+1");
	rejects("2011-01-01T10:00:00 Z");
	rejects("2011-01-01T10:00:00Zjunk");
	rejects("yesterday");
	rejects("1e300");                             /* past year 9999 */
	rejects("-1e12");
}

static void window_lengths(void **state)
{
	struct mrm_error err = { 0 };
	int64_t len, origin;
	static const char *const bad[] = { "", "h", "0h", "1", "1y", "1H", "1d ", "-1d", "10000d",
					   "7m", "5h", "1.5h", NULL };
	size_t i;
	(void)state;

	assert_int_equal(drift_window_parse("1h", &len, &origin, &err), 0);
	assert_true(len == 3600 && origin == 0);
	assert_int_equal(drift_window_parse("30m", &len, &origin, &err), 0);
	assert_true(len == 1800 && origin == 0);
	assert_int_equal(drift_window_parse("6h", &len, &origin, &err), 0);
	assert_true(len == 21600 && origin == 0);
	assert_int_equal(drift_window_parse("1d", &len, &origin, &err), 0);
	assert_true(len == 86400 && origin == 0);
	assert_int_equal(drift_window_parse("1w", &len, &origin, &err), 0);
	assert_true(len == 604800 && origin == 345600);
	assert_int_equal(drift_window_parse("2w", &len, &origin, &err), 0);
	assert_true(len == 1209600 && origin == 345600);
	assert_int_equal(drift_window_parse("1440m", &len, &origin, &err), 0);
	assert_true(len == 86400);
	for (i = 0; bad[i]; i++) {
		mrm_error_clear(&err);
		if (drift_window_parse(bad[i], &len, &origin, &err) != MRM_EUSAGE)
			fail_msg("window '%s' accepted", bad[i]);
		assert_non_null(strstr(err.msg, "--window"));
	}
}

static void start_is(int64_t t, const char *spec, const char *want)
{
	struct mrm_error err = { 0 };
	int64_t len, origin;
	char got[MRM_TIME_LEN];

	assert_int_equal(drift_window_parse(spec, &len, &origin, &err), 0);
	mrm_time_format(drift_window_start(t, len, origin), got);
	if (strcmp(got, want))
		fail_msg("%lld by %s: got %s, want %s", (long long)t, spec, got, want);
}

static void alignment(void **state)
{
	const int64_t jan1 = 1293840000; /* Saturday 2011-01-01T00:00:00Z */
	(void)state;

	start_is(jan1, "1d", "2011-01-01T00:00:00Z");
	start_is(jan1 - 1, "1d", "2010-12-31T00:00:00Z");
	start_is(jan1 + 86399, "1d", "2011-01-01T00:00:00Z");
	/* weeks start on Monday 00:00 UTC */
	start_is(jan1, "1w", "2010-12-27T00:00:00Z");
	start_is(jan1 + 2 * 86400, "1w", "2011-01-03T00:00:00Z");      /* Monday itself */
	start_is(jan1 + 2 * 86400 - 1, "1w", "2010-12-27T00:00:00Z");  /* Sunday 23:59:59 */
	start_is(jan1 + 86400, "1w", "2010-12-27T00:00:00Z");          /* Sunday */
	start_is(1296518400, "1w", "2011-01-31T00:00:00Z");            /* Tuesday 2011-02-01 */
	start_is(0, "1w", "1969-12-29T00:00:00Z");
	start_is(-1, "1d", "1969-12-31T00:00:00Z");
	start_is(jan1 + 5 * 3600 + 59 * 60 + 59, "6h", "2011-01-01T00:00:00Z");
	start_is(jan1 + 6 * 3600, "6h", "2011-01-01T06:00:00Z");
	start_is(jan1 + 23 * 3600 + 45 * 60, "30m", "2011-01-01T23:30:00Z");
	start_is(jan1 + 3600 + 1, "1h", "2011-01-01T01:00:00Z");
	/* 2-week windows: Mondays an even number of weeks after 1970-01-05 */
	start_is(345600, "2w", "1970-01-05T00:00:00Z");
	start_is(345600 + 604800, "2w", "1970-01-05T00:00:00Z");
	start_is(345600 + 2 * 604800, "2w", "1970-01-19T00:00:00Z");
}

/* ---- quality checks ---------------------------------------------------------- */

static json_t *entry(json_t *q, const char *check, const char *column)
{
	size_t i;
	json_t *e;

	json_array_foreach(q, i, e) {
		const char *c = json_string_value(json_object_get(e, "column"));

		if (!strcmp(json_string_value(json_object_get(e, "check")), check) &&
		    ((!c && !column) || (c && column && !strcmp(c, column))))
			return e;
	}
	return NULL;
}

/* The entry's value (NAN for null) and whether it failed; fails the test if absent. */
static void value_is(json_t *q, const char *check, const char *column, double want, bool failed)
{
	json_t *e = entry(q, check, column), *v;
	double got;

	if (!e)
		fail_msg("no %s entry for %s", check, column ? column : "(data set)");
	v = json_object_get(e, "value");
	got = json_is_null(v) ? NAN : json_number_value(v);
	if (isnan(want) ? !isnan(got) : fabs(got - want) > 1e-12)
		fail_msg("%s %s: value %g, want %g", check, column ? column : "", got, want);
	if (json_is_true(json_object_get(e, "failed")) != failed)
		fail_msg("%s %s: failed is %d, want %d (%s)", check, column ? column : "",
			 json_is_true(json_object_get(e, "failed")), failed,
			 json_string_value(json_object_get(e, "detail")));
}

#define NUM(nm, miss, arr) { .name = nm, .type = MRM_COL_NUMERIC, .missing = miss, \
	.min = arr[0], .max = arr[sizeof(arr) / sizeof(arr[0]) - 1], .distinct = 0, \
	.outside = quality_outside_sorted, .data = arr, .n = sizeof(arr) / sizeof(arr[0]) }

static void distinct_of(struct quality_col *c)
{
	const double *x = c->data;
	size_t i;

	c->distinct = c->n > 0;
	for (i = 1; i < c->n; i++)
		c->distinct += x[i] != x[i - 1];
}

/* quality_col.outside from two stored counts (as a profile's sketch gives them). */
static void outside_fixed(const struct quality_col *c, double lo, double hi, double *below,
			  double *above)
{
	const double *v = c->data;

	(void)lo, (void)hi;
	*below = v[0];
	*above = v[1];
}

/*
 * The estimated entries (profiles: docs/drift.md, "Data quality from profiles"): a partial
 * category list on either side, an out-of-range share from a sketch with its bound, and
 * duplicate rows not applicable with the reason.
 */
static void estimated_checks(void **state)
{
	/* reference: 1000 rows; c lists 3 heavy hitters, each count at most 10 short */
	static const char *const rcat[] = { "a", "b", "c" }, *const ccat[] = { "a", "b", "d", "e" };
	static const uint32_t rlen[] = { 1, 1, 1 }, clen[] = { 1, 1, 1, 1 };
	static const double rcnt[] = { 400, 300, 200 }, ccnt[] = { 545, 300, 150, 5 };
	static const double out[] = { 10, 40 };
	struct quality_col rc[] = {
		{ .name = "c", .type = MRM_COL_CATEGORICAL, .k = 3, .cat = rcat, .catlen = rlen,
		  .cnt = rcnt, .distinct = 120, .distinct_estimated = true, .cat_partial = true,
		  .cat_error = 10 },
		{ .name = "x", .type = MRM_COL_NUMERIC, .min = 0, .max = 1, .distinct = 900 },
	};
	struct quality_col cc[] = {
		{ .name = "c", .type = MRM_COL_CATEGORICAL, .k = 4, .cat = ccat, .catlen = clen,
		  .cnt = ccnt, .distinct = 4 },
		{ .name = "x", .type = MRM_COL_NUMERIC, .min = -1, .max = 2, .distinct = 800,
		  .outside = outside_fixed, .data = out, .n = 1000, .outside_estimated = true,
		  .outside_bound = 0.0165 },
	};
	struct quality_side ref = { .rows = 1000, .ncols = 2, .cols = rc, .duplicates = NAN };
	struct quality_side cur = { .rows = 1000, .ncols = 2, .cols = cc, .duplicates = NAN,
				    .duplicates_why = "not applicable: a profile keeps no rows" };
	struct mrm_error err = { 0 };
	double thr[Q_NCHECKS];
	json_t *q = json_array(), *e, *r;
	size_t failed = 99;
	(void)state;

	assert_int_equal(quality_thresholds(NULL, thr, &err), 0);
	assert_int_equal(quality_run(thr, &ref, &cur, q, &failed, &err), 0);
	/*
	 * d (150 values) is not listed by the reference and would have been with over 20 values
	 * (twice its summary's error at the reference's size): new. e (5) may be in the
	 * reference below that error: not counted. Range: none surely new (a partial reference)
	 * to every value outside the listed a and b (155 of 1000).
	 */
	e = entry(q, "new_categories", "c");
	value_is(q, "new_categories", "c", 150.0 / 1000, true);
	assert_true(json_is_true(json_object_get(e, "estimated")));
	r = json_object_get(e, "range");
	assert_true(json_real_value(json_array_get(r, 0)) == 0);
	assert_true(fabs(json_real_value(json_array_get(r, 1)) - 155.0 / 1000) < 1e-15);
	assert_null(json_object_get(e, "bound"));
	/* out_of_range: 50 of 1000, the sketch's bound around it */
	e = entry(q, "out_of_range", "x");
	value_is(q, "out_of_range", "x", 0.05, false);
	assert_true(json_is_true(json_object_get(e, "estimated")));
	assert_true(json_real_value(json_object_get(e, "bound")) == 0.0165);
	r = json_object_get(e, "range");
	assert_true(fabs(json_real_value(json_array_get(r, 0)) - (0.05 - 0.0165)) < 1e-15);
	assert_true(fabs(json_real_value(json_array_get(r, 1)) - (0.05 + 0.0165)) < 1e-15);
	/* duplicate_rows: null, an explicit status and the side's reason; never failed */
	e = entry(q, "duplicate_rows", NULL);
	value_is(q, "duplicate_rows", NULL, NAN, false);
	assert_string_equal(json_string_value(json_object_get(e, "status")), "not_applicable");
	assert_string_equal(json_string_value(json_object_get(e, "detail")),
			    "not applicable: a profile keeps no rows");
	/* a value never has a status */
	assert_null(json_object_get(entry(q, "missing_rate", "c"), "status"));
	assert_int_equal(failed, 1);
	json_decref(q);

	/* Against an exact reference every unlisted category is surely new, e too (low = value). */
	rc[0].cat_partial = false;
	rc[0].cat_error = 0;
	cc[0].cat_partial = true;
	cc[0].cat_error = 3;
	q = json_array();
	assert_int_equal(quality_run(thr, &ref, &cur, q, &failed, &err), 0);
	e = entry(q, "new_categories", "c");
	value_is(q, "new_categories", "c", 155.0 / 1000, true);
	assert_true(json_is_true(json_object_get(e, "estimated")));
	r = json_object_get(e, "range");
	assert_true(fabs(json_real_value(json_array_get(r, 0)) - 155.0 / 1000) < 1e-15);
	assert_true(fabs(json_real_value(json_array_get(r, 1)) - 155.0 / 1000) < 1e-15);
	json_decref(q);
}

static void checks(void **state)
{
	/* reference: 4 rows */
	static const double ra[] = { 1, 2, 3, 4 }, rk[] = { 5, 5, 5, 5 }, rq[] = { 1, 1, 2, 2 },
			    rz[] = { 1, 2, 3, 4 }, rm[] = { 1, 2, 3 }, rr[] = { 1, 2, 3, 4 };
	static const char *const rcat[] = { "x", "y" };
	static const uint32_t rlen[] = { 1, 1 };
	static const double rcnt[] = { 2, 2 };
	/* current: 5 rows */
	static const double ca[] = { 0, 2, 3, 9, 10 }, ck[] = { 5, 6, 7 }, cq[] = { 3, 3, 3, 3, 3 },
			    cm[] = { 1, 2, 3 };
	static const char *const ccat[] = { "x", "w" }, *const crc[] = { "u" };
	static const uint32_t clen[] = { 1, 1 }, crl[] = { 1 };
	static const double ccnt[] = { 1, 3 }, crcnt[] = { 5 };
	struct quality_col rc[] = {
		NUM("a", 0, ra),
		{ .name = "c", .type = MRM_COL_CATEGORICAL, .k = 2, .cat = rcat, .catlen = rlen,
		  .cnt = rcnt, .distinct = 2 },
		NUM("k", 0, rk), NUM("q", 0, rq), NUM("z", 0, rz), NUM("m", 1, rm), NUM("r", 0, rr),
		{ .name = "gone" },
	};
	struct quality_col cc[] = {
		NUM("a", 0, ca),
		{ .name = "c", .type = MRM_COL_CATEGORICAL, .missing = 1, .k = 2, .cat = ccat,
		  .catlen = clen, .cnt = ccnt, .distinct = 2 },
		NUM("k", 2, ck), NUM("q", 0, cq),
		{ .name = "z", .type = MRM_COL_NUMERIC, .missing = 5, .outside = quality_outside_sorted },
		NUM("m", 2, cm),
		{ .name = "r", .type = MRM_COL_CATEGORICAL, .k = 1, .cat = crc, .catlen = crl,
		  .cnt = crcnt, .distinct = 1 },
		{ .name = "extra" },
	};
	struct quality_side ref = { .rows = 4, .ncols = 8, .cols = rc, .duplicates = 0,
				    .dup_columns = 7 };
	struct quality_side cur = { .rows = 5, .ncols = 8, .cols = cc, .duplicates = 1,
				    .dup_columns = 7 };
	const char *const loose[] = { "missing_rate=0.5", "out_of_range=0.7", "constant=1",
				      "new_columns=1", NULL };
	struct mrm_error err = { 0 };
	double thr[Q_NCHECKS];
	json_t *q = json_array();
	size_t i, failed = 99;
	(void)state;

	for (i = 0; i < 8; i++) {
		if (rc[i].type == MRM_COL_NUMERIC)
			distinct_of(&rc[i]);
		if (cc[i].type == MRM_COL_NUMERIC)
			distinct_of(&cc[i]);
	}
	assert_int_equal(quality_thresholds(NULL, thr, &err), 0);
	assert_int_equal(quality_run(thr, &ref, &cur, q, &failed, &err), 0);
	assert_int_equal(json_array_size(q), 31);
	assert_int_equal(failed, 15);
	value_is(q, "missing_columns", NULL, 1, true);
	value_is(q, "new_columns", NULL, 1, true);
	value_is(q, "retyped_columns", NULL, 1, true);
	value_is(q, "duplicate_rows", NULL, 0.2, true);
	value_is(q, "missing_rate", "a", 0, false);
	value_is(q, "missing_rate", "c", 0.2, true);
	value_is(q, "missing_rate", "k", 0.4, true);
	value_is(q, "missing_rate", "q", 0, false);
	value_is(q, "missing_rate", "z", 1, true);
	value_is(q, "missing_rate", "m", 0.4 - 0.25, true);
	value_is(q, "missing_rate", "r", 0, false);
	value_is(q, "all_missing", "z", 1, true);
	value_is(q, "all_missing", "a", 0, false);
	value_is(q, "out_of_range", "a", 0.6, true);          /* 0 below 1; 9, 10 above 4 */
	value_is(q, "out_of_range", "k", 2.0 / 3, true);      /* 6, 7 above 5 */
	value_is(q, "out_of_range", "q", 1, true);
	value_is(q, "out_of_range", "z", NAN, false);          /* no current value */
	value_is(q, "out_of_range", "m", 0, false);
	assert_null(entry(q, "out_of_range", "r"));            /* retyped: not applicable */
	assert_null(entry(q, "out_of_range", "c"));
	value_is(q, "new_categories", "c", 0.75, true);        /* w: 3 of 4 present values */
	assert_null(entry(q, "new_categories", "a"));
	value_is(q, "constant", "q", 1, true);
	value_is(q, "constant", "r", 1, true);
	value_is(q, "constant", "k", 0, false);                /* constant in the reference too */
	value_is(q, "constant", "a", 0, false);
	value_is(q, "constant", "z", 0, false);                /* all missing: all_missing says so */
	assert_null(entry(q, "missing_rate", "gone"));
	assert_null(entry(q, "missing_rate", "extra"));
	assert_string_equal(json_string_value(json_object_get(entry(q, "new_categories", "c"), "detail")),
			    "3 of 4 current values in 1 category not in the reference: w");
	assert_string_equal(json_string_value(json_object_get(entry(q, "out_of_range", "a"), "detail")),
			    "3 of 5 current values outside the reference range [1, 4]: 1 below, 2 above");
	json_decref(q);

	/* Looser thresholds change what fails, not the values. */
	q = json_array();
	assert_int_equal(quality_thresholds(loose, thr, &err), 0);
	assert_int_equal(quality_run(thr, &ref, &cur, q, &failed, &err), 0);
	value_is(q, "missing_rate", "k", 0.4, false);
	value_is(q, "missing_rate", "z", 1, true);
	value_is(q, "out_of_range", "a", 0.6, false);
	value_is(q, "out_of_range", "q", 1, true);
	value_is(q, "constant", "q", 1, false);
	value_is(q, "new_columns", NULL, 1, false);
	assert_int_equal(failed, 7);
	json_decref(q);

	/* duplicate_rows: by default 0.05 above the reference's own share; a --check is absolute */
	q = json_array();
	ref.duplicates = 1; /* 0.25 of the reference */
	assert_int_equal(quality_thresholds(NULL, thr, &err), 0);
	assert_int_equal(quality_run(thr, &ref, &cur, q, &failed, &err), 0);
	value_is(q, "duplicate_rows", NULL, 0.2, false);
	assert_true(fabs(json_real_value(json_object_get(entry(q, "duplicate_rows", NULL), "threshold")) -
			 0.3) < 1e-15);
	json_decref(q);
	q = json_array();
	assert_int_equal(quality_thresholds((const char *const[]){ "duplicate_rows=0.1", NULL }, thr,
					    &err), 0);
	assert_int_equal(quality_run(thr, &ref, &cur, q, &failed, &err), 0);
	value_is(q, "duplicate_rows", NULL, 0.2, true);
	json_decref(q);

	/* Duplicates unknown (a profile without them): null, not failed. */
	q = json_array();
	cur.duplicates = NAN;
	assert_int_equal(quality_run(thr, &ref, &cur, q, &failed, &err), 0);
	value_is(q, "duplicate_rows", NULL, NAN, false);
	json_decref(q);
}

/* A single present value is not "constant"; two equal ones are. */
static void constant_needs_two(void **state)
{
	static const double r[] = { 1, 2, 3 }, one[] = { 7 }, two[] = { 7, 7 };
	struct quality_col rc[] = { NUM("v", 0, r) }, c1[] = { NUM("v", 2, one) },
			   c2[] = { NUM("v", 1, two) };
	struct quality_side ref = { .rows = 3, .ncols = 1, .cols = rc, .duplicates = 0 };
	struct quality_side cur = { .rows = 3, .ncols = 1, .cols = c1, .duplicates = 0 };
	struct mrm_error err = { 0 };
	double thr[Q_NCHECKS];
	json_t *q = json_array();
	(void)state;

	rc[0].distinct = 3;
	c1[0].distinct = 1;
	c2[0].distinct = 1;
	assert_int_equal(quality_thresholds(NULL, thr, &err), 0);
	assert_int_equal(quality_run(thr, &ref, &cur, q, NULL, &err), 0);
	value_is(q, "constant", "v", 0, false);
	json_decref(q);
	q = json_array();
	cur.cols = c2;
	assert_int_equal(quality_run(thr, &ref, &cur, q, NULL, &err), 0);
	value_is(q, "constant", "v", 1, true);
	json_decref(q);
}

static void thresholds(void **state)
{
	struct mrm_error err = { 0 };
	double thr[Q_NCHECKS];
	const char *const ok[] = { "missing_columns=3", "duplicate_rows=0.5", NULL };
	const char *const unknown[] = { "missing=0.1", NULL }, *const noeq[] = { "constant", NULL };
	const char *const nan[] = { "out_of_range=lots", NULL }, *const big[] = { "missing_rate=2", NULL };
	const char *const neg[] = { "new_columns=-1", NULL };
	int c;
	(void)state;

	assert_int_equal(quality_thresholds(NULL, thr, &err), 0);
	for (c = 0; c < Q_NCHECKS; c++)
		assert_true(c == Q_DUPLICATE_ROWS ? isnan(thr[c]) : thr[c] == quality_default_threshold(c));
	assert_true(thr[Q_MISSING_RATE] == 0.05 && thr[Q_OUT_OF_RANGE] == 0.05 &&
		    quality_default_threshold(Q_DUPLICATE_ROWS) == 0.05 && thr[Q_NEW_CATEGORIES] == 0 &&
		    thr[Q_MISSING_COLUMNS] == 0);
	assert_int_equal(quality_thresholds(ok, thr, &err), 0);
	assert_true(thr[Q_MISSING_COLUMNS] == 3 && thr[Q_DUPLICATE_ROWS] == 0.5);
	assert_int_equal(quality_thresholds(unknown, thr, &err), MRM_EUSAGE);
	assert_string_equal(err.msg, "--check: unknown check 'missing' (checks: missing_columns "
			    "new_columns retyped_columns duplicate_rows missing_rate all_missing "
			    "out_of_range new_categories constant)");
	mrm_error_clear(&err);
	assert_int_equal(quality_thresholds(noeq, thr, &err), MRM_EUSAGE);
	assert_string_equal(err.msg, "--check constant needs a threshold: constant=X");
	mrm_error_clear(&err);
	assert_int_equal(quality_thresholds(nan, thr, &err), MRM_EUSAGE);
	assert_string_equal(err.msg, "--check out_of_range: 'lots' is not a number");
	mrm_error_clear(&err);
	assert_int_equal(quality_thresholds(big, thr, &err), MRM_EUSAGE);
	assert_string_equal(err.msg, "--check missing_rate: the threshold must be between 0 and 1, not 2");
	mrm_error_clear(&err);
	assert_int_equal(quality_thresholds(neg, thr, &err), MRM_EUSAGE);
	assert_string_equal(err.msg, "--check new_columns: the threshold must be a count >= 0, not -1");
}

/* ---- duplicate rows ------------------------------------------------------------ */

static void duplicates_exact(void **state)
{
	struct dup_set s;
	static const uint64_t h[] = { 11, 22, 11, 33, 11, 22 };
	bool est = true;
	size_t i;
	(void)state;

	dup_init(&s, 0, true);
	for (i = 0; i < 6; i++)
		assert_int_equal(dup_add(&s, h[i], 0), 0);
	/* the same rows in group 1 count apart; 11 once in group 2 is no duplicate */
	assert_int_equal(dup_add(&s, 11, 1), 0);
	assert_int_equal(dup_add(&s, 11, 1), 0);
	assert_int_equal(dup_add(&s, 11, 2), 0);
	assert_int_equal(dup_flush(&s), 0);
	assert_true(dup_count(&s, 0, &est) == 3);
	assert_false(est);
	assert_true(dup_count(&s, 1, NULL) == 1);
	assert_true(dup_count(&s, 2, NULL) == 0);
	assert_true(dup_count(&s, 7, NULL) == 0);
	/* merges across several chunks stay exact: the copies come in later chunks */
	for (i = 0; i < 2 * DUP_CHUNK + 5; i++)
		assert_int_equal(dup_add(&s, quality_mix(i), 3), 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(dup_add(&s, quality_mix(i * 7), 3), 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(dup_add(&s, 11, 1), 0);
	assert_int_equal(dup_flush(&s), 0);
	assert_true(dup_count(&s, 3, &est) == 1000);
	assert_true(dup_count(&s, 1, NULL) == 11);
	assert_true(dup_count(&s, 0, NULL) == 3);
	assert_false(est);
	dup_release(&s);
}

static void duplicates_estimated(void **state)
{
	struct dup_set s;
	bool est = false;
	double d;
	size_t i;
	(void)state;

	/* 50,000 distinct rows, one in five repeated once: 60,000 rows, 10,000 duplicates */
	dup_init(&s, 4000, false);
	for (i = 0; i < 50000; i++) {
		assert_int_equal(dup_add(&s, quality_mix(i + 1), 0), 0);
		if (i % 5 == 0)
			assert_int_equal(dup_add(&s, quality_mix(i + 1), 0), 0);
	}
	assert_int_equal(dup_flush(&s), 0);
	assert_true(s.used <= 4000);
	assert_true(s.level > 0);
	d = dup_count(&s, 0, &est);
	assert_true(est);
	/* the sampled share is about 1/6: within 10% of 10,000 */
	if (fabs(d - 10000) > 1000)
		fail_msg("estimated %g duplicates, want about 10000", d);
	dup_release(&s);
}

/* ---- windows with labels, against scikit-learn -------------------------------------- */

static const char *top(void)
{
	const char *t = getenv("MRM_TOP");

	return t && *t ? t : ".";
}

static void close_or_null(json_t *got, json_t *want, const char *what)
{
	if (json_is_null(want)) {
		if (!json_is_null(got))
			fail_msg("%s: got %g, want null", what, json_number_value(got));
		return;
	}
	if (!json_is_number(got))
		fail_msg("%s: got no number", what);
	if (fabs(json_number_value(got) - json_number_value(want)) >
	    1e-12 * (1 + fabs(json_number_value(want))))
		fail_msg("%s: got %.17g, want %.17g", what, json_number_value(got),
			 json_number_value(want));
}

static void metrics_match(json_t *got, json_t *want, const char *where)
{
	const char *key;
	json_t *v;
	char what[128];

	json_object_foreach(want, key, v) {
		snprintf(what, sizeof(what), "%s %s", where, key);
		close_or_null(json_object_get(got, key), v, what);
	}
}

static void windows_vs_sklearn(void **state)
{
	char ref[512], cur[512], exp[512];
	struct mrm_drift_options o = { 0 };
	struct mrm_error err = { 0 };
	json_error_t jerr;
	json_t *doc = NULL, *want, *ws, *w, *ew;
	size_t i;
	int rc;
	(void)state;

	snprintf(ref, sizeof(ref), "%s/tests/data/drift-window/ref.csv", top());
	snprintf(cur, sizeof(cur), "%s/tests/data/drift-window/cur.csv", top());
	snprintf(exp, sizeof(exp), "%s/tests/data/drift-window/expected.json", top());
	want = json_load_file(exp, 0, &jerr);
	assert_non_null(want);
	o.reference = ref;
	o.current = cur;
	o.timestamp = "ts";
	o.window = "1d";
	o.label = "label";
	o.score = "score";
	rc = mrm_drift_run(&o, &doc, &err);
	if (!doc)
		fail_msg("drift: %s", err.msg);
	assert_true(rc == 0 || rc == MRM_ECHECK);
	/* ts, label and score are not drift-tested; x and c are */
	assert_int_equal(json_object_size(json_object_get(doc, "columns")), 2);
	assert_non_null(json_object_get(json_object_get(doc, "columns"), "x"));
	assert_string_equal(json_string_value(json_object_get(doc, "timestamp")), "ts");
	assert_string_equal(json_string_value(json_object_get(doc, "window")), "1d");
	metrics_match(json_object_get(doc, "metrics"), json_object_get(want, "metrics"), "all");
	ws = json_object_get(doc, "windows");
	assert_int_equal(json_array_size(ws), json_array_size(json_object_get(want, "windows")));
	json_array_foreach(json_object_get(want, "windows"), i, ew) {
		char start[MRM_TIME_LEN], where[64];

		w = json_array_get(ws, i);
		mrm_time_format(json_integer_value(json_object_get(ew, "start")), start);
		assert_string_equal(json_string_value(json_object_get(w, "start")), start);
		assert_int_equal(json_integer_value(json_object_get(w, "rows")),
				 json_integer_value(json_object_get(ew, "rows")));
		snprintf(where, sizeof(where), "window %s", start);
		metrics_match(json_object_get(w, "metrics"), json_object_get(ew, "metrics"), where);
	}
	/* 2024-03-05 is empty: no tests, a reason; the day before has 2 duplicate rows */
	w = json_array_get(ws, 4);
	assert_int_equal(json_integer_value(json_object_get(w, "rows")), 0);
	assert_string_equal(json_string_value(json_object_get(w, "reason")), "no rows in this window");
	assert_true(json_is_null(json_object_get(w, "drift_share")));
	assert_int_equal(json_object_size(json_object_get(w, "columns")), 0);
	value_is(json_object_get(json_array_get(ws, 3), "quality"), "duplicate_rows", NULL,
		 2.0 / (double)json_integer_value(json_object_get(json_array_get(ws, 3), "rows")), true);
	/* the new category 'd' appears from 2024-03-06 on, in the whole data and per window */
	assert_true(json_is_true(json_object_get(entry(json_object_get(json_array_get(ws, 5), "quality"),
						       "new_categories", "c"), "failed")));
	value_is(json_object_get(json_array_get(ws, 0), "quality"), "new_categories", "c", 0, false);
	/* AUC with one class: null, with the reason */
	assert_non_null(json_object_get(json_object_get(json_array_get(ws, 2), "metrics_undefined"),
					"roc_auc"));
	json_decref(doc);
	json_decref(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timestamps),
		cmocka_unit_test(window_lengths),
		cmocka_unit_test(alignment),
		cmocka_unit_test(checks),
		cmocka_unit_test(estimated_checks),
		cmocka_unit_test(constant_needs_two),
		cmocka_unit_test(thresholds),
		cmocka_unit_test(duplicates_exact),
		cmocka_unit_test(duplicates_estimated),
		cmocka_unit_test(windows_vs_sklearn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
