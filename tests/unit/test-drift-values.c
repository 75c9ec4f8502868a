/*
 * Unit tests of the compact numeric store of drift sides (lib/monitor/drift-values.c): every
 * value comes back bit for bit in mrm_sort_doubles order, whatever it is, and a column that
 * turns categorical too late is read again plainly by mrm drift.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "monitor/drift-internal.h"
#include "mrm/drift.h"
#include "mrm/stats.h"

/* xorshift64*: reproducible values without libc's rand. */
static uint64_t rnd_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 2685821657736338717ULL;
}

static double unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static double normal(void)
{
	return sqrt(-2 * log(1 - unit())) * cos(6.283185307179586 * unit());
}

/* x as printed with `digits` significant digits, read back as strtod reads it. */
static double rounded(double x, int digits)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*g", digits, x);
	return strtod(buf, NULL);
}

/*
 * Stores x[0..n) (NaN counted as missing) in batches of `batch` with runs of `run`, and checks
 * that the values come back as mrm_sort_doubles orders them, bit for bit.
 */
static void round_trip(const double *x, size_t n, size_t run, size_t batch, const char *what)
{
	struct drift_values v;
	double *want = malloc((n + 1) * sizeof(*want)), *got = malloc((n + 1) * sizeof(*got));
	uint64_t missing = 0, want_missing = 0;
	size_t m = 0, i;
	struct mrm_error err = { 0 };

	assert_non_null(want);
	assert_non_null(got);
	for (i = 0; i < n; i++) {
		if (isnan(x[i]))
			want_missing++;
		else
			want[m++] = x[i];
	}
	assert_int_equal(mrm_sort_doubles(want, NULL, m, &err), 0);
	drift_values_init(&v, true, run);
	for (i = 0; i < n; i += batch)
		assert_int_equal(drift_values_add(&v, x + i, NULL, n - i < batch ? n - i : batch,
						  &missing), 0);
	assert_int_equal(drift_values_finish(&v, &err), 0);
	assert_int_equal(v.n, m);
	assert_int_equal(missing, want_missing);
	assert_int_equal(drift_values_sorted(&v, got, &err), 0);
	for (i = 0; i < m; i++)
		if (memcmp(&got[i], &want[i], sizeof(double)))
			fail_msg("%s (run %zu): value %zu of %zu is %.17g, want %.17g", what, run, i, m,
				 got[i], want[i]);
	drift_values_free(&v);
	free(want);
	free(got);
}

static void check_all_runs(const double *x, size_t n, const char *what)
{
	round_trip(x, n, 0, 5000, what);
	round_trip(x, n, 97, 31, what);
	round_trip(x, n, 1000, 1000, what);
}

static void adversarial(void **state)
{
	static const double fixed[] = {
		0.0, -0.0, 0.0, -0.0, 4.9406564584124654e-324, -4.9406564584124654e-324,
		2.2250738585072009e-308, 2.2250738585072014e-308, DBL_MAX, -DBL_MAX, 1e308,
		-1e-300, 1e22, 1e23, 9.999999999999999e22, 1e-22, 1e-23, 0.1, 0.2, 0.30000000000000004,
		123456789012345678.0, 0.1234567890123456789, 1.0000000000000002, 0.9999999999999999,
		3.0, 3.0, 3.0, -3.0, 5e-324, 1e15, 999999999999999.0, 1e16, 9007199254740993.0,
		INFINITY, -INFINITY, NAN, 2.5, -2.5, 1.5e-5, 12345.6, 1.23456e-7, 4.56e21, 7e-22,
	};
	size_t n = 20000, i;
	double *x = malloc(n * sizeof(*x));

	(void)state;
	assert_non_null(x);
	check_all_runs(fixed, sizeof(fixed) / sizeof(fixed[0]), "fixed edge values");
	/* Full 17-digit doubles of every magnitude, both signs (all off the grid). */
	for (i = 0; i < n; i++)
		x[i] = normal() * pow(10, (double)(int)(rnd() % 600) - 300);
	check_all_runs(x, n, "17-digit doubles");
	/* Bit patterns drawn at random (NaNs are missing). */
	for (i = 0; i < n; i++) {
		uint64_t u = rnd();

		memcpy(&x[i], &u, sizeof(u));
	}
	check_all_runs(x, n, "random bit patterns");
	/* 6 significant digits across 40 decades, with zeros of both signs and ties. */
	for (i = 0; i < n; i++)
		x[i] = i % 50 == 0 ? (i % 100 ? -0.0 : 0.0) :
		       rounded(normal() * pow(10, (double)(int)(rnd() % 40) - 20), 6);
	check_all_runs(x, n, "6 digits, 40 decades");
	/* Heavy ties: 7 distinct values. */
	for (i = 0; i < n; i++)
		x[i] = (double)(rnd() % 7) - 3;
	check_all_runs(x, n, "ties");
	/* 15 and 16 significant digits (16 is off the grid). */
	for (i = 0; i < n; i++)
		x[i] = rounded(normal() * 100, i % 2 ? 15 : 16);
	check_all_runs(x, n, "15 and 16 digits");
	/* Mostly on a 3-digit grid, a few strays, missing values. */
	for (i = 0; i < n; i++)
		x[i] = i % 97 == 0 ? normal() : i % 89 == 0 ? NAN : rounded(normal() * 5, 3);
	check_all_runs(x, n, "3 digits with strays");
	/* A later run far outside the first run's range (the end buckets stretch). */
	for (i = 0; i < n; i++)
		x[i] = i < 1000 ? rounded(normal(), 5) : rounded(normal() * 1e6 + 5e6, 5);
	check_all_runs(x, n, "shifted range");
	/* A constant first run: one bucket, open both ways, takes everything after. */
	for (i = 0; i < n; i++)
		x[i] = i < 1500 ? 2.5 : rounded(normal() * 3, 4);
	check_all_runs(x, n, "constant first run");
	/* One value; one -0.0 (kept as is, as mrm_sort_doubles keeps a single value). */
	x[0] = -0.0;
	check_all_runs(x, 1, "one -0.0");
	x[1] = -0.0;
	check_all_runs(x, 2, "two -0.0");
	free(x);
}

/* 6-digit data takes about 2 bytes a value; rows subsets skip the others. */
static void compact_and_rows(void **state)
{
	struct drift_values v;
	size_t n = 300000, i;
	double *x = malloc(n * sizeof(*x)), *got = malloc(n * sizeof(*got));
	uint32_t rows[3] = { 2, 0, 5 };
	uint64_t missing = 0;
	struct mrm_error err = { 0 };

	(void)state;
	assert_non_null(x);
	assert_non_null(got);
	for (i = 0; i < n; i++)
		x[i] = rounded(normal() * 3 + 1, 6);
	drift_values_init(&v, true, 0);
	assert_int_equal(drift_values_add(&v, x, NULL, n, &missing), 0);
	assert_int_equal(drift_values_finish(&v, &err), 0);
	assert_int_equal(v.digits, 6);
	assert_int_equal(v.noff, 0);
	if (drift_values_bytes(&v) > 2.5 * (double)n)
		fail_msg("%zu bytes for %zu values", drift_values_bytes(&v), n);
	assert_null(drift_values_view(&v));
	drift_values_free(&v);

	x[5] = NAN;
	drift_values_init(&v, true, 2);
	assert_int_equal(drift_values_add(&v, x, rows, 3, &missing), 0);
	assert_int_equal(missing, 1);
	assert_int_equal(drift_values_finish(&v, &err), 0);
	assert_int_equal(drift_values_sorted(&v, got, &err), 0);
	assert_int_equal(v.n, 2);
	assert_true(got[0] == fmin(x[0], x[2]) && got[1] == fmax(x[0], x[2]));
	drift_values_free(&v);

	/* Plain: arrival order kept, sorted at finish, viewed in place. */
	drift_values_init(&v, false, 0);
	assert_int_equal(drift_values_add(&v, x, NULL, 5, &missing), 0);
	assert_true(drift_values_in_order(&v));
	assert_int_equal(drift_values_finish(&v, &err), 0);
	assert_non_null(drift_values_view(&v));
	assert_true(drift_values_view(&v)[0] <= drift_values_view(&v)[4]);
	drift_values_free(&v);
	free(x);
	free(got);
}

/* A batch of one numeric or categorical column named "x". */
static void batch_of(struct mrm_table *t, struct mrm_table_column *c, struct mrm_table_dict *d,
		     const double *num, const uint32_t *codes, size_t n)
{
	memset(t, 0, sizeof(*t));
	memset(c, 0, sizeof(*c));
	c->name = "x";
	c->type = num ? MRM_COL_NUMERIC : MRM_COL_CATEGORICAL;
	c->num = (double *)num;
	c->codes = (uint32_t *)codes;
	c->dict = d;
	t->nrows = n;
	t->ncols = 1;
	t->cols = c;
}

static void late_categorical_side(void **state)
{
	static const char *const strs[] = { "n/a" };
	static const uint32_t lens[] = { 3 };
	struct mrm_table_dict d = { 1, strs, lens };
	const char *names[] = { "x" };
	double num[200];
	uint32_t code = 0;
	struct drift_side *s;
	struct mrm_table t;
	struct mrm_table_column c;
	struct mrm_error err = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < 200; i++)
		num[i] = (double)((i * 7) % 11) / 4;
	/* A finished compact side gives its column sorted, in a new array or in place. */
	assert_int_equal(drift_side_new(1, names, &s, &err), 0);
	drift_side_compact(s);
	s->cols[0].vals.run = 64;
	batch_of(&t, &c, NULL, num, NULL, 200);
	assert_int_equal(drift_side_add(s, &t, NULL, 0, &err), 0);
	assert_int_equal(drift_side_finish(s, &err), 0);
	{
		double *sorted = NULL;

		assert_int_equal(drift_col_sorted_alloc(&s->cols[0], &sorted, &err), 0);
		assert_non_null(sorted);
		for (i = 1; i < 200; i++)
			assert_true(sorted[i - 1] <= sorted[i]);
		assert_true(sorted[0] == 0 && sorted[199] == 2.5);
		free(sorted);
	}
	drift_side_free(s);
	/* Early: the values are still in order of arrival, so categories can be made. */
	assert_int_equal(drift_side_new(1, names, &s, &err), 0);
	drift_side_compact(s);
	s->cols[0].vals.run = 1000;
	batch_of(&t, &c, NULL, num, NULL, 200);
	assert_int_equal(drift_side_add(s, &t, NULL, 0, &err), 0);
	batch_of(&t, &c, &d, NULL, &code, 1);
	assert_int_equal(drift_side_add(s, &t, NULL, 0, &err), 0);
	assert_int_equal(s->cols[0].type, MRM_COL_CATEGORICAL);
	assert_string_equal(s->cols[0].cat[0], "0");
	assert_string_equal(s->cols[0].cat[1], "1.75");
	assert_string_equal(s->cols[0].cat[11], "n/a");
	drift_side_free(s);
	/* Late: packed values have lost that order. */
	assert_int_equal(drift_side_new(1, names, &s, &err), 0);
	drift_side_compact(s);
	s->cols[0].vals.run = 100;
	batch_of(&t, &c, NULL, num, NULL, 200);
	assert_int_equal(drift_side_add(s, &t, NULL, 0, &err), 0);
	batch_of(&t, &c, &d, NULL, &code, 1);
	assert_int_equal(drift_side_add(s, &t, NULL, 0, &err), DRIFT_EORDER);
	drift_side_free(s);
}

/*
 * mrm drift on a reference whose column turns categorical after more than one run of numbers:
 * the categories come in order of arrival, as a plain side gives them (the file is read again).
 */
static void late_categorical_run(void **state)
{
	char ref[] = "/tmp/mrm-drift-late-ref-XXXXXX", cur[] = "/tmp/mrm-drift-late-cur-XXXXXX";
	size_t n = DRIFT_RUN + 5000, i;
	struct mrm_drift_options o = { 0 };
	struct mrm_error err = { 0 };
	json_t *doc = NULL, *x, *gone;
	FILE *f;
	int fd, rc;

	(void)state;
	assert_true((fd = mkstemp(ref)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fprintf(f, "x,y\n");
	for (i = 0; i < n; i++)
		fprintf(f, "%s,%zu\n", i == n - 10 ? "unknown" : i % 3 ? "7.5" : i % 2 ? "-2" : "10",
			i % 5);
	fclose(f);
	assert_true((fd = mkstemp(cur)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fprintf(f, "x,y\n");
	for (i = 0; i < 50; i++)
		fprintf(f, "z%zu,%zu\n", i % 2, i % 4);
	fclose(f);
	o.reference = ref;
	o.current = cur;
	rc = mrm_drift_run(&o, &doc, &err);
	unlink(ref);
	unlink(cur);
	if (!doc)
		fail_msg("drift failed (%d): %s", rc, err.msg);
	x = json_object_get(json_object_get(doc, "columns"), "x");
	assert_string_equal(json_string_value(json_object_get(x, "type")), "categorical");
	gone = json_object_get(x, "vanished_categories");
	assert_int_equal(json_array_size(gone), 4);
	assert_string_equal(json_string_value(json_array_get(gone, 0)), "10");
	assert_string_equal(json_string_value(json_array_get(gone, 1)), "7.5");
	assert_string_equal(json_string_value(json_array_get(gone, 2)), "-2");
	assert_string_equal(json_string_value(json_array_get(gone, 3)), "unknown");
	json_decref(doc);
}

/* Infinities (read with allow_inf) are refused by the kernels, naming the sorted row. */
static void infinite_values(void **state)
{
	char ref[] = "/tmp/mrm-drift-inf-ref-XXXXXX", cur[] = "/tmp/mrm-drift-inf-cur-XXXXXX";
	struct mrm_drift_options o = { 0 };
	struct mrm_error err = { 0 };
	json_t *doc = NULL;
	FILE *f;
	int fd, rc;

	(void)state;
	assert_true((fd = mkstemp(ref)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fprintf(f, "x\n1.5\ninf\n2.5\n-3\n");
	fclose(f);
	assert_true((fd = mkstemp(cur)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fprintf(f, "x\n1\n2\n3\n");
	fclose(f);
	o.reference = ref;
	o.current = cur;
	o.read.allow_inf = true;
	rc = mrm_drift_run(&o, &doc, &err);
	unlink(ref);
	unlink(cur);
	assert_null(doc);
	assert_int_equal(rc, MRM_EINPUT);
	assert_string_equal(err.msg, "reference row 3: value is infinite");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(adversarial),
		cmocka_unit_test(compact_and_rows),
		cmocka_unit_test(late_categorical_side),
		cmocka_unit_test(late_categorical_run),
		cmocka_unit_test(infinite_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
