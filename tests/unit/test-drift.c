/* Unit tests of the drift kernels (mrm/stats-drift.h) against the scipy 1.10 fixtures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include <jansson.h>

#include "mrm/stats-drift.h"
#include "stats/drift-walk.h"

#define TOL 1e-9

static json_t *load(const char *name)
{
	const char *t = getenv("MRM_TOP");
	char path[4096];
	json_error_t je;
	json_t *j;

	snprintf(path, sizeof(path), "%s/tests/data/drift/%s.json", t && *t ? t : ".", name);
	j = json_load_file(path, 0, &je);
	if (!j)
		fail_msg("cannot load %s: %s", path, je.text);
	return j;
}

/* A JSON array of numbers as a malloc'd array (never NULL). */
static double *numbers(json_t *a, size_t *n)
{
	double *x;
	size_t i;
	json_t *v;

	*n = json_array_size(a);
	x = malloc((*n + 1) * sizeof(*x));
	assert_non_null(x);
	json_array_foreach(a, i, v)
		x[i] = json_number_value(v);
	return x;
}

/*
 * Relative 1e-9 (absolute 1e-14 on top for values above 1e-4, where a
 * probability obtained as 1 - cdf carries that much rounding in scipy too);
 * below 1e-300 (subnormal, where scipy itself has few significant bits)
 * an absolute 1e-300.
 */
static void near(double got, double want, const char *what, const char *name)
{
	double tol = TOL * fabs(want) + (fabs(want) > 1e-4 ? 1e-14 : 0);

	if (fabs(want) < 1e-300)
		tol = 1e-300;
	if (!(fabs(got - want) <= tol))
		fail_msg("%s %s: got %.17g, want %.17g (diff %.3g)", name, what, got, want,
			 fabs(got - want));
}

/* A metric against a JSON value: null means undefined. */
static void check_metric(struct mrm_metric m, json_t *want, const char *what, const char *name)
{
	if (!want || json_is_null(want)) {
		if (mrm_metric_ok(m))
			fail_msg("%s %s: got %.17g, want undefined", name, what, m.value);
		return;
	}
	if (!mrm_metric_ok(m))
		fail_msg("%s %s: undefined (%s), want %.17g", name, what, m.reason,
			 json_number_value(want));
	near(m.value, json_number_value(want), what, name);
}

static void ks_and_numeric(void **state)
{
	json_t *all = load("numeric"), *c;
	size_t idx;

	(void)state;
	json_array_foreach(all, idx, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		size_t nr, nc;
		double *r = numbers(json_object_get(c, "ref"), &nr);
		double *cu = numbers(json_object_get(c, "cur"), &nc);
		struct mrm_drift_test ks;
		struct mrm_metric w, wn, m;
		struct mrm_error err = { 0 };

		assert_int_equal(mrm_ks_2samp(r, nr, cu, nc, &ks, &err), 0);
		check_metric(ks.statistic, json_object_get(c, "ks_statistic"), "ks statistic", name);
		check_metric(ks.p_value, json_object_get(c, "ks_p_value"), "ks p-value", name);
		if (mrm_metric_ok(ks.statistic))
			assert_string_equal(ks.method,
					    json_string_value(json_object_get(c, "ks_method")));
		else
			assert_ptr_equal(ks.statistic.reason, mrm_reason_empty_sample);
		assert_int_equal(mrm_wasserstein(r, nr, cu, nc, &w, &wn, &err), 0);
		check_metric(w, json_object_get(c, "wasserstein"), "wasserstein", name);
		check_metric(wn, json_object_get(c, "wasserstein_norm"), "wasserstein_norm", name);
		assert_int_equal(mrm_psi(r, nr, cu, nc, 0, &m, &err), 0);
		check_metric(m, json_object_get(c, "psi"), "psi", name);
		assert_int_equal(mrm_jensen_shannon(r, nr, cu, nc, 0, &m, &err), 0);
		check_metric(m, json_object_get(c, "jensen_shannon"), "jensen_shannon", name);
		assert_int_equal(mrm_anderson_ksamp(r, nr, cu, nc, &ks, &err), 0);
		check_metric(ks.statistic, json_object_get(c, "anderson_darling"), "anderson", name);
		check_metric(ks.p_value, json_object_get(c, "anderson_p"), "anderson p", name);
		free(r);
		free(cu);
	}
	json_decref(all);
}

/* Rebuilds a generated sample: ((i * mul) % mod) / mod * scale + shift. */
static double *generated(json_t *spec, size_t *n)
{
	int64_t mul = json_integer_value(json_object_get(spec, "mul"));
	int64_t mod = json_integer_value(json_object_get(spec, "mod"));
	double scale = json_number_value(json_object_get(spec, "scale"));
	double shift = json_number_value(json_object_get(spec, "shift"));
	double *x;

	*n = (size_t)json_integer_value(json_object_get(spec, "n"));
	x = malloc((*n + 1) * sizeof(*x));
	assert_non_null(x);
	for (size_t i = 0; i < *n; i++)
		x[i] = (double)(((int64_t)i * mul) % mod) / (double)mod * scale + shift;
	return x;
}

static void ks_many(void **state)
{
	json_t *all = load("ks"), *c;
	size_t idx;
	char name[64];

	(void)state;
	json_array_foreach(all, idx, c) {
		size_t nr, nc;
		double *r, *cu;
		struct mrm_drift_test t;
		struct mrm_error err = { 0 };

		if (json_object_get(c, "gen_ref")) {
			r = generated(json_object_get(c, "gen_ref"), &nr);
			cu = generated(json_object_get(c, "gen_cur"), &nc);
		} else {
			r = numbers(json_object_get(c, "ref"), &nr);
			cu = numbers(json_object_get(c, "cur"), &nc);
		}
		snprintf(name, sizeof(name), "ks case %zu (%zu vs %zu)", idx, nr, nc);
		assert_int_equal(mrm_ks_2samp(r, nr, cu, nc, &t, &err), 0);
		check_metric(t.statistic, json_object_get(c, "statistic"), "statistic", name);
		check_metric(t.p_value, json_object_get(c, "p_value"), "p-value", name);
		free(r);
		free(cu);
	}
	json_decref(all);
}

static void kstwo(void **state)
{
	json_t *all = load("kstwo"), *c;
	size_t idx;
	char name[64];

	(void)state;
	json_array_foreach(all, idx, c) {
		size_t n = (size_t)json_integer_value(json_object_get(c, "n"));
		double x = json_number_value(json_object_get(c, "x"));

		snprintf(name, sizeof(name), "kstwo(n=%zu, x=%.6g)", n, x);
		near(mrm_kstwo_sf(x, n), json_number_value(json_object_get(c, "sf")), "sf", name);
	}
	json_decref(all);
}

static void categorical(void **state)
{
	json_t *all = load("categorical"), *c;
	size_t idx;

	(void)state;
	json_array_foreach(all, idx, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		size_t k, k2;
		double *r = numbers(json_object_get(c, "ref"), &k);
		double *cu = numbers(json_object_get(c, "cur"), &k2);
		json_t *want = json_object_get(c, "chi2");
		struct mrm_drift_test t;
		struct mrm_metric m;
		struct mrm_error err = { 0 };

		assert_int_equal(k, k2);
		assert_int_equal(mrm_psi_counts(r, cu, k, &m, &err), 0);
		check_metric(m, json_object_get(c, "psi"), "psi", name);
		assert_int_equal(mrm_jensen_shannon_counts(r, cu, k, &m, &err), 0);
		check_metric(m, json_object_get(c, "jensen_shannon"), "jensen_shannon", name);
		assert_int_equal(mrm_chi2_homogeneity(r, cu, k, &t, &err), 0);
		if (json_is_null(want)) {
			assert_false(mrm_metric_ok(t.statistic));
			assert_ptr_equal(t.p_value.reason, mrm_reason_no_counts);
		} else {
			check_metric(t.statistic, json_object_get(want, "statistic"), "chi2", name);
			check_metric(t.p_value, json_object_get(want, "p_value"), "chi2 p", name);
			assert_int_equal((int)t.dof, json_integer_value(json_object_get(want, "dof")));
		}
		free(r);
		free(cu);
	}
	json_decref(all);
}

static void gammaincc(void **state)
{
	json_t *all = load("gammaincc"), *c;
	size_t idx;
	char name[64];

	(void)state;
	json_array_foreach(all, idx, c) {
		double a = json_number_value(json_object_get(c, "a"));
		double x = json_number_value(json_object_get(c, "x"));

		snprintf(name, sizeof(name), "gammaincc(%g, %g)", a, x);
		near(mrm_gammaincc(a, x), json_number_value(json_object_get(c, "q")), "q", name);
	}
	assert_true(isnan(mrm_gammaincc(0, 1)));
	assert_true(isnan(mrm_gammaincc(1, -1)));
	json_decref(all);
}

static void ztest(void **state)
{
	json_t *all = load("ztest"), *c;
	size_t idx;

	(void)state;
	json_array_foreach(all, idx, c) {
		json_t *want = json_object_get(c, "z");
		struct mrm_drift_test t;
		struct mrm_error err = { 0 };

		assert_int_equal(mrm_two_proportion_z(json_number_value(json_object_get(c, "x_ref")),
						      json_number_value(json_object_get(c, "n_ref")),
						      json_number_value(json_object_get(c, "x_cur")),
						      json_number_value(json_object_get(c, "n_cur")),
						      &t, &err), 0);
		if (json_is_null(want)) {
			assert_false(mrm_metric_ok(t.statistic));
			assert_false(mrm_metric_ok(t.p_value));
		} else {
			check_metric(t.statistic, json_object_get(want, "statistic"), "z", "ztest");
			check_metric(t.p_value, json_object_get(want, "p_value"), "z p", "ztest");
			assert_string_equal(t.method, "pooled");
		}
	}
	json_decref(all);
}

static const double edges_all_equal[3] = { 4, 4, 4 };

static void bad_input(void **state)
{
	double good[3] = { 1, 2, 3 }, bad[3] = { 1, NAN, 3 }, inf[2] = { 0, INFINITY };
	double neg[2] = { 1, -1 }, edges[9];
	struct mrm_drift_test t;
	struct mrm_metric m, m2;
	struct mrm_error err = { 0 };
	size_t k;

	(void)state;
	assert_int_equal(mrm_ks_2samp(good, 3, bad, 3, &t, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "current row 1: value is NaN");
	mrm_error_clear(&err);
	assert_int_equal(mrm_ks_2samp(inf, 2, good, 3, &t, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "reference row 1: value is infinite");
	assert_false(mrm_metric_ok(t.p_value));
	mrm_error_clear(&err);
	assert_int_equal(mrm_wasserstein(bad, 3, good, 3, &m, &m2, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "reference row 1: value is NaN");
	mrm_error_clear(&err);
	assert_int_equal(mrm_psi(good, 3, bad, 3, 0, &m, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "current row 1: value is NaN");
	mrm_error_clear(&err);
	assert_int_equal(mrm_jensen_shannon(bad, 3, good, 3, 0, &m, &err), MRM_EINPUT);
	mrm_error_clear(&err);
	assert_int_equal(mrm_psi_counts(good, neg, 2, &m, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "current count 1: is negative");
	mrm_error_clear(&err);
	assert_int_equal(mrm_chi2_homogeneity(bad, good, 3, &t, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "reference count 1: is NaN");
	mrm_error_clear(&err);
	assert_int_equal(mrm_jensen_shannon_counts(good, inf, 2, &m, &err), MRM_EINPUT);
	mrm_error_clear(&err);
	assert_int_equal(mrm_two_proportion_z(5, 4, 1, 10, &t, &err), MRM_EINPUT);
	assert_string_equal(err.msg,
			    "two-proportion z-test: more successes than rows (reference side)");
	mrm_error_clear(&err);
	assert_int_equal(mrm_two_proportion_z(-1, 4, 1, 10, &t, &err), MRM_EINPUT);
	mrm_error_clear(&err);
	assert_int_equal(mrm_drift_edges(good, 3, 0, edges, &k, &err), MRM_EINPUT);
	mrm_error_clear(&err);
	assert_int_equal(mrm_drift_edges(good, 0, 10, edges, &k, &err), MRM_EINPUT);
	mrm_error_clear(&err);

	/* Empty samples are undefined, not errors. */
	assert_int_equal(mrm_ks_2samp(good, 0, good, 3, &t, &err), 0);
	assert_ptr_equal(t.statistic.reason, mrm_reason_empty_sample);
	assert_null(t.method);
	assert_int_equal(mrm_wasserstein(good, 3, good, 0, &m, NULL, &err), 0);
	assert_ptr_equal(m.reason, mrm_reason_empty_sample);
	assert_int_equal(mrm_psi(good, 0, good, 0, 0, &m, &err), 0);
	assert_ptr_equal(m.reason, mrm_reason_empty_sample);
	assert_int_equal(mrm_anderson_ksamp(good, 3, good, 0, &t, &err), 0);
	assert_ptr_equal(t.statistic.reason, mrm_reason_empty_sample);
	assert_int_equal(mrm_anderson_ksamp(good, 1, good + 1, 1, &t, &err), 0);
	assert_ptr_equal(t.statistic.reason, mrm_reason_too_few);
	assert_int_equal(mrm_anderson_ksamp(edges_all_equal, 3, edges_all_equal, 2, &t, &err), 0);
	assert_ptr_equal(t.p_value.reason, mrm_reason_all_equal);
	assert_int_equal(mrm_anderson_ksamp(good, 3, bad, 3, &t, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "current row 1: value is NaN");
	mrm_error_clear(&err);
	assert_int_equal(mrm_jensen_shannon_counts(neg + 1, neg + 1, 0, &m, &err), 0);
	assert_ptr_equal(m.reason, mrm_reason_no_counts);
	assert_int_equal(mrm_two_proportion_z(0, 10, 0, 20, &t, &err), 0);
	assert_ptr_equal(t.statistic.reason, mrm_reason_zero_variance);
}

static void edges_and_histogram(void **state)
{
	double ref[10] = { 5, 1, 1, 1, 1, 1, 2, 3, 4, 9 }, e[9], counts[10];
	double cur[4] = { 0.5, 1, 4.5, 100 };
	struct mrm_error err = { 0 };
	size_t k;

	(void)state;
	/* Deciles of the reference: 1 (x5, deduplicated), 1.4, 2.3, 3.2, 4.1, 5.4. */
	assert_int_equal(mrm_drift_edges(ref, 10, 10, e, &k, &err), 0);
	assert_int_equal(k, 6);
	assert_true(e[0] == 1.0);
	assert_true(fabs(e[5] - 5.4) < 1e-12);
	assert_int_equal(mrm_drift_histogram(cur, 4, e, k, counts, &err), 0);
	assert_true(counts[0] == 1 && counts[1] == 1 && counts[5] == 1 && counts[6] == 1);
	/* Constant reference: one inner edge, two bins. */
	for (int i = 0; i < 10; i++)
		ref[i] = 7;
	assert_int_equal(mrm_drift_edges(ref, 10, 10, e, &k, &err), 0);
	assert_int_equal(k, 1);
}

/* Bit for bit the same metric: both undefined for the same reason, or the same double. */
static void same_metric(struct mrm_metric a, struct mrm_metric b, const char *what, const char *name)
{
	if (a.reason || b.reason) {
		if (a.reason != b.reason)
			fail_msg("%s %s: reasons differ (%s / %s)", name, what,
				 a.reason ? a.reason : "defined", b.reason ? b.reason : "defined");
		return;
	}
	if (memcmp(&a.value, &b.value, sizeof(a.value)))
		fail_msg("%s %s: %.17g and %.17g differ", name, what, a.value, b.value);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double *sorted_dup(const double *x, size_t n)
{
	double *c = malloc((n + 1) * sizeof(*c));

	assert_non_null(c);
	if (n)
		memcpy(c, x, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_d);
	return c;
}

/*
 * The _sorted kernels on sorted copies match scipy as the fixtures say, and
 * mrm_drift_numeric_sorted (one walk for every measure) gives each of them
 * bit for bit.
 */
static void check_sorted_twins(const double *r0, size_t nr, const double *c0, size_t nc,
			       json_t *want, const char *name)
{
	double *r = sorted_dup(r0, nr), *cu = sorted_dup(c0, nc);
	struct mrm_drift_test ks, ad;
	struct mrm_metric w, wn, psi, js;
	struct mrm_drift_numeric all;
	struct mrm_error err = { 0 };

	assert_int_equal(mrm_ks_2samp_sorted(r, nr, cu, nc, &ks, &err), 0);
	assert_int_equal(mrm_wasserstein_sorted(r, nr, cu, nc, &w, &wn, &err), 0);
	assert_int_equal(mrm_psi_sorted(r, nr, cu, nc, 0, &psi, &err), 0);
	assert_int_equal(mrm_jensen_shannon_sorted(r, nr, cu, nc, 0, &js, &err), 0);
	assert_int_equal(mrm_anderson_ksamp_sorted(r, nr, cu, nc, &ad, &err), 0);
	if (want) {
		check_metric(ks.statistic, json_object_get(want, "ks_statistic"), "ks statistic", name);
		check_metric(ks.p_value, json_object_get(want, "ks_p_value"), "ks p-value", name);
		check_metric(w, json_object_get(want, "wasserstein"), "wasserstein", name);
		check_metric(wn, json_object_get(want, "wasserstein_norm"), "wasserstein_norm", name);
		check_metric(psi, json_object_get(want, "psi"), "psi", name);
		check_metric(js, json_object_get(want, "jensen_shannon"), "jensen_shannon", name);
		check_metric(ad.statistic, json_object_get(want, "anderson_darling"), "anderson", name);
		check_metric(ad.p_value, json_object_get(want, "anderson_p"), "anderson p", name);
	}
	assert_int_equal(mrm_drift_numeric_sorted(r, nr, cu, nc, 0, &all, &err), 0);
	same_metric(all.ks.statistic, ks.statistic, "ks statistic", name);
	same_metric(all.ks.p_value, ks.p_value, "ks p-value", name);
	assert_ptr_equal(all.ks.method, ks.method);
	same_metric(all.wasserstein, w, "wasserstein", name);
	same_metric(all.wasserstein_norm, wn, "wasserstein_norm", name);
	same_metric(all.psi, psi, "psi", name);
	same_metric(all.jensen_shannon, js, "jensen_shannon", name);
	same_metric(all.anderson.statistic, ad.statistic, "anderson", name);
	same_metric(all.anderson.p_value, ad.p_value, "anderson p", name);
	free(r);
	free(cu);
}

static void sorted_twins(void **state)
{
	json_t *all = load("numeric"), *c;
	size_t idx, nr, nc, i;
	double *r, *cu;

	(void)state;
	json_array_foreach(all, idx, c) {
		r = numbers(json_object_get(c, "ref"), &nr);
		cu = numbers(json_object_get(c, "cur"), &nc);
		check_sorted_twins(r, nr, cu, nc, c, json_string_value(json_object_get(c, "name")));
		free(r);
		free(cu);
	}
	json_decref(all);
	/* Heavy ties, both sizes large enough for the asymptotic KS and unequal. */
	nr = 20011;
	nc = 15013;
	r = malloc(nr * sizeof(*r));
	cu = malloc(nc * sizeof(*cu));
	assert_non_null(r);
	assert_non_null(cu);
	for (i = 0; i < nr; i++)
		r[i] = (double)((i * 7919) % 13) * 0.25;
	for (i = 0; i < nc; i++)
		cu[i] = (double)((i * 104729) % 17) * 0.2 - 0.4;
	check_sorted_twins(r, nr, cu, nc, NULL, "ties");
	/* Distinct values, exact KS path (max n <= 10000). */
	for (i = 0; i < 3001; i++)
		r[i] = sin((double)i) * 3;
	for (i = 0; i < 2999; i++)
		cu[i] = cos((double)i * 1.5) * 2.5 + 0.1;
	check_sorted_twins(r, 3001, cu, 2999, NULL, "distinct");
	free(r);
	free(cu);
}

/* |a - b| within rel of |b| (both finite). */
static bool close_rel(long double a, long double b, long double rel)
{
	return fabsl(a - b) <= rel * fabsl(b);
}

/*
 * The walk's exact shortcuts (KS maximum from integers: bit for bit; Wasserstein from the
 * integer CDF difference and one Anderson-Darling term per step: within 1e-14 of the plain
 * arithmetic) on ties, on distinct values and on samples of different sizes; and each part
 * alone gives what the walk of all gives.
 */
static void walk_shortcuts(void **state)
{
	static const size_t sizes[][2] = { { 1, 1 }, { 3, 7 }, { 500, 499 }, { 20011, 15013 },
					   { 100000, 100000 }, { 250007, 70001 } };
	struct mrm__walk a, b;
	struct mrm_error err = { 0 };
	size_t k, i;
	bool ad;

	(void)state;
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
		for (int ties = 0; ties < 2; ties++) {
			size_t nx = sizes[k][0], ny = sizes[k][1];
			double *x = malloc(nx * sizeof(*x)), *y = malloc(ny * sizeof(*y));

			assert_non_null(x);
			assert_non_null(y);
			for (i = 0; i < nx; i++)
				x[i] = ties ? (double)((i * 7919) % 23) : sin((double)i * 1.3) * 5;
			for (i = 0; i < ny; i++)
				y[i] = ties ? (double)((i * 104729) % 29) * 0.75 : cos((double)i) * 4 + 0.3;
			assert_int_equal(mrm_sort_doubles(x, NULL, nx, &err), 0);
			assert_int_equal(mrm_sort_doubles(y, NULL, ny, &err), 0);
			mrm__drift_walk(x, nx, y, ny, MRM__WALK_KS | MRM__WALK_W | MRM__WALK_AD, &a);
			mrm__drift_walk(x, nx, y, ny,
					MRM__WALK_KS | MRM__WALK_W | MRM__WALK_AD | MRM__WALK_PLAIN, &b);
			/* Anderson-Darling as the kernel uses it: 4 values or more, not all equal. */
			ad = nx + ny >= 4 && !(x[0] == x[nx - 1] && y[0] == y[ny - 1] && x[0] == y[0]);
			if (memcmp(&a.ks_max, &b.ks_max, sizeof(double)) ||
			    memcmp(&a.ks_min, &b.ks_min, sizeof(double)) ||
			    !close_rel(a.w_sum, b.w_sum, 1e-14L) ||
			    (ad && (!close_rel(a.ad_akn[0], b.ad_akn[0], 1e-14L) ||
				    !close_rel(a.ad_akn[1], b.ad_akn[1], 1e-14L))))
				fail_msg("%zu vs %zu values (ties %d): the shortcuts differ: W %.17Lg vs "
					 "%.17Lg, AD %.17Lg vs %.17Lg", nx, ny, ties, a.w_sum, b.w_sum,
					 a.ad_akn[0], b.ad_akn[0]);
			/* Each part alone is the same as in the walk of all, bit for bit. */
			mrm__drift_walk(x, nx, y, ny, MRM__WALK_KS, &b);
			assert_true(a.ks_max == b.ks_max && a.ks_min == b.ks_min);
			mrm__drift_walk(x, nx, y, ny, MRM__WALK_W, &b);
			assert_true(a.w_sum == b.w_sum);
			mrm__drift_walk(x, nx, y, ny, MRM__WALK_KS | MRM__WALK_W, &b);
			assert_true(a.w_sum == b.w_sum && a.ks_min == b.ks_min);
			mrm__drift_walk(x, nx, y, ny, MRM__WALK_AD, &b);
			assert_true(!ad || (a.ad_akn[0] == b.ad_akn[0] && a.ad_akn[1] == b.ad_akn[1]));
			free(x);
			free(y);
		}
}

static void sorted_bad_input(void **state)
{
	double up[4] = { 1, 2, 2, 3 }, down[4] = { 1, 3, 2, 4 }, nan_[3] = { 1, NAN, 2 };
	struct mrm_drift_test t;
	struct mrm_metric m, m2;
	struct mrm_drift_numeric all;
	struct mrm_error err = { 0 };

	(void)state;
	assert_int_equal(mrm_ks_2samp_sorted(up, 4, down, 4, &t, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "current row 2: value below the one before (not sorted)");
	assert_false(mrm_metric_ok(t.statistic));
	mrm_error_clear(&err);
	assert_int_equal(mrm_wasserstein_sorted(down, 4, up, 4, &m, &m2, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "reference row 2: value below the one before (not sorted)");
	mrm_error_clear(&err);
	assert_int_equal(mrm_psi_sorted(up, 4, nan_, 3, 0, &m, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "current row 1: value is NaN");
	mrm_error_clear(&err);
	assert_int_equal(mrm_jensen_shannon_sorted(down, 4, up, 4, 0, &m, &err), MRM_EINPUT);
	mrm_error_clear(&err);
	assert_int_equal(mrm_anderson_ksamp_sorted(up, 4, down, 4, &t, &err), MRM_EINPUT);
	mrm_error_clear(&err);
	assert_int_equal(mrm_drift_numeric_sorted(up, 4, down, 4, 0, &all, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "current row 2: value below the one before (not sorted)");
	mrm_error_clear(&err);
	/* Empty: every measure undefined, no error. */
	assert_int_equal(mrm_drift_numeric_sorted(up, 4, up, 0, 0, &all, &err), 0);
	assert_ptr_equal(all.ks.statistic.reason, mrm_reason_empty_sample);
	assert_ptr_equal(all.anderson.p_value.reason, mrm_reason_empty_sample);
	assert_ptr_equal(all.psi.reason, mrm_reason_empty_sample);
	assert_ptr_equal(all.wasserstein_norm.reason, mrm_reason_empty_sample);
	/* Anderson-Darling undefined, the rest defined. */
	assert_int_equal(mrm_drift_numeric_sorted(up, 1, up + 1, 2, 0, &all, &err), 0);
	assert_ptr_equal(all.anderson.statistic.reason, mrm_reason_too_few);
	assert_true(mrm_metric_ok(all.ks.p_value) && mrm_metric_ok(all.wasserstein));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ks_and_numeric),
		cmocka_unit_test(ks_many),
		cmocka_unit_test(kstwo),
		cmocka_unit_test(categorical),
		cmocka_unit_test(gammaincc),
		cmocka_unit_test(ztest),
		cmocka_unit_test(bad_input),
		cmocka_unit_test(edges_and_histogram),
		cmocka_unit_test(sorted_twins),
		cmocka_unit_test(sorted_bad_input),
		cmocka_unit_test(walk_shortcuts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
