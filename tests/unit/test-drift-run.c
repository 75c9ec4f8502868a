/* Unit tests for mrm_drift_run: the JSON numbers equal the drift kernels' on the same data. */
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

#include "mrm/drift.h"
#include "mrm/stats-drift.h"

static const double xr[] = { 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 2.2, 3.3 };
static const double xc[] = { 3.0, 3.5, 4.5, 5.0, 6.5, 7.0, 7.5, 8.0, 4.4, 5.5 };
static const char *const cr[] = { "a", "b", "a", "c", "a", "b", "a", "c", "a", "b", "a", "b" };
static const char *const cc[] = { "a", "d", "b", "d", "a", "d", "b", "a", "d", "b" };
static const char *const br[] = { "y", "n", "n", "n", "y", "n", "n", "n", "y", "n", "n", "n" };
static const char *const bc[] = { "y", "y", "n", "y", "y", "n", "y", "y", "n", "y" };

static void write_csv(const char *path, const double *x, const char *const *c, const char *const *b,
		      size_t n)
{
	FILE *f = fopen(path, "w");
	size_t i;

	assert_non_null(f);
	fprintf(f, "x,c,b\n");
	for (i = 0; i < n; i++)
		fprintf(f, "%.17g,%s,%s\n", x[i], c[i], b[i]);
	fclose(f);
}

static double num(json_t *col, const char *key)
{
	json_t *v = json_object_get(col, key);

	assert_true(json_is_number(v));
	return json_number_value(v);
}

static void close_to(double got, double want)
{
	assert_true(fabs(got - want) <= 1e-12 * (1 + fabs(want)));
}

static void json_equals_kernels(void **state)
{
	char ref[] = "/tmp/mrm-drift-ref-XXXXXX", cur[] = "/tmp/mrm-drift-cur-XXXXXX";
	struct mrm_drift_options o = { 0 };
	struct mrm_error err = { 0 };
	struct mrm_drift_test ks, ad, chi, z;
	struct mrm_metric psi, w, wn, js, cpsi, cjs;
	/* union of categories: a b c (reference order), then d */
	const double ccr[] = { 6, 4, 2, 0 }, ccc[] = { 3, 3, 0, 4 };
	json_t *doc = NULL, *x, *c, *b;
	int fd, rc;
	(void)state;

	assert_true((fd = mkstemp(ref)) >= 0);
	close(fd);
	assert_true((fd = mkstemp(cur)) >= 0);
	close(fd);
	write_csv(ref, xr, cr, br, 12);
	write_csv(cur, xc, cc, bc, 10);
	o.reference = ref;
	o.current = cur;
	rc = mrm_drift_run(&o, &doc, &err);
	unlink(ref);
	unlink(cur);
	assert_non_null(doc);
	assert_true(rc == 0 || rc == MRM_ECHECK);

	assert_int_equal(mrm_ks_2samp(xr, 12, xc, 10, &ks, NULL), 0);
	assert_int_equal(mrm_psi(xr, 12, xc, 10, 0, &psi, NULL), 0);
	assert_int_equal(mrm_wasserstein(xr, 12, xc, 10, &w, &wn, NULL), 0);
	assert_int_equal(mrm_jensen_shannon(xr, 12, xc, 10, 0, &js, NULL), 0);
	assert_int_equal(mrm_anderson_ksamp(xr, 12, xc, 10, &ad, NULL), 0);
	x = json_object_get(json_object_get(doc, "columns"), "x");
	assert_string_equal(json_string_value(json_object_get(x, "type")), "numeric");
	assert_string_equal(json_string_value(json_object_get(x, "method")), "ks");
	close_to(num(x, "ks_statistic"), ks.statistic.value);
	close_to(num(x, "ks_p_value"), ks.p_value.value);
	close_to(num(x, "statistic"), ks.statistic.value);
	close_to(num(x, "p_value"), ks.p_value.value);
	close_to(num(x, "psi"), psi.value);
	close_to(num(x, "wasserstein"), w.value);
	close_to(num(x, "wasserstein_norm"), wn.value);
	close_to(num(x, "jensen_shannon"), js.value);
	close_to(num(x, "anderson_darling"), ad.statistic.value);
	assert_int_equal(json_is_true(json_object_get(x, "drifted")), ks.p_value.value < 0.05);

	assert_int_equal(mrm_chi2_homogeneity(ccr, ccc, 4, &chi, NULL), 0);
	assert_int_equal(mrm_psi_counts(ccr, ccc, 4, &cpsi, NULL), 0);
	assert_int_equal(mrm_jensen_shannon_counts(ccr, ccc, 4, &cjs, NULL), 0);
	c = json_object_get(json_object_get(doc, "columns"), "c");
	assert_string_equal(json_string_value(json_object_get(c, "type")), "categorical");
	assert_string_equal(json_string_value(json_object_get(c, "method")), "chi2");
	close_to(num(c, "chi2_statistic"), chi.statistic.value);
	close_to(num(c, "chi2_p_value"), chi.p_value.value);
	close_to(num(c, "chi2_dof"), 3);
	close_to(num(c, "psi"), cpsi.value);
	close_to(num(c, "jensen_shannon"), cjs.value);
	assert_null(json_object_get(c, "z_statistic"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(c, "new_categories"), 0)), "d");
	assert_string_equal(json_string_value(json_array_get(json_object_get(c, "vanished_categories"), 0)),
			    "c");

	/* binary: z-test on the first reference category ("y": 3 of 12 against 7 of 10) */
	assert_int_equal(mrm_two_proportion_z(3, 12, 7, 10, &z, NULL), 0);
	b = json_object_get(json_object_get(doc, "columns"), "b");
	assert_string_equal(json_string_value(json_object_get(b, "method")), "z");
	close_to(num(b, "z_statistic"), z.statistic.value);
	close_to(num(b, "z_p_value"), z.p_value.value);
	close_to(num(b, "statistic"), z.statistic.value);
	assert_string_equal(json_string_value(json_object_get(b, "z_category")), "y");

	close_to(num(doc, "drift_share"), num(doc, "columns_drifted") / num(doc, "columns_tested"));
	/* exit 1 on dataset drift or a failed quality check (here new_categories of c) */
	assert_true(json_integer_value(json_object_get(doc, "quality_failed")) > 0);
	assert_int_equal(json_is_true(json_object_get(doc, "dataset_drift")) ||
			 json_integer_value(json_object_get(doc, "quality_failed")) > 0, rc == MRM_ECHECK);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_equals_kernels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
