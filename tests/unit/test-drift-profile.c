/*
 * Unit tests for mrm drift with profile inputs: measures from the sketches against known
 * answers, their bounds, the exact paths (small sketches, exact bins, exact categories), the
 * heavy-hitter partition, and the refusals.
 */
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
#include "mrm/profile.h"
#include "mrm/sketch.h"
#include "mrm/table.h"

static char dir[] = "/tmp/mrm-drift-profile-XXXXXX";
static char path_buf[8][4200];

static const char *path(int i, const char *name)
{
	snprintf(path_buf[i], sizeof(path_buf[i]), "%s/%s", dir, name);
	return path_buf[i];
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	const char *names[] = { "a.csv", "b.csv", "a.profile", "b.profile", "bb.profile", "c.csv",
				"c.profile", "d.csv", "d.profile" };
	char p[4200];
	(void)state;

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

/* SplitMix64 uniform in [0, 1). */
static double unif(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

/* n rows of x = i / n + shift (an exact uniform grid) and a category out of k. */
static void write_grid(const char *p, size_t n, double shift, unsigned k, uint64_t seed)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fprintf(f, "x,c\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%.17g,c%u\n", (double)i / (double)n + shift, (unsigned)(unif(&seed) * k));
	fclose(f);
}

static void profile(const char *csv, const char *out, const char *bins_from)
{
	struct mrm_table_reader *r = NULL;
	struct mrm_profile *p = NULL, *ref = NULL;
	struct mrm_error err = { 0 };

	if (bins_from && mrm_profile_read(bins_from, &ref, &err))
		fail_msg("%s", err.msg);
	if (mrm_table_open(csv, NULL, &r, &err) || mrm_profile_build_binned(r, NULL, ref, &p, &err) ||
	    mrm_profile_write(p, out, &err))
		fail_msg("%s", err.msg);
	mrm_profile_free(p);
	mrm_profile_free(ref);
	mrm_table_close(r);
}

static json_t *drift(const char *ref, const char *cur, const char *method, int want_rc)
{
	struct mrm_drift_options o = { 0 };
	struct mrm_error err = { 0 };
	json_t *doc = NULL;
	int rc;

	o.reference = ref;
	o.current = cur;
	o.method = method;
	rc = mrm_drift_run(&o, &doc, &err);
	if (rc != want_rc)
		fail_msg("drift returned %d (%s), want %d", rc, err.msg, want_rc);
	return doc;
}

static double num(json_t *col, const char *key)
{
	json_t *v = json_object_get(col, key);

	if (!json_is_number(v))
		fail_msg("%s is not a number", key);
	return json_number_value(v);
}

/*
 * 100,000 values on a uniform grid against the same grid shifted by 0.5: W1 = 0.5, KS = 0.5
 * exactly. From the sketches: within the bounds the document states, and much closer in fact.
 */
static void sketch_measures_and_bounds(void **state)
{
	json_t *doc, *x, *c;
	double eps = mrm_kll_epsilon(MRM_KLL_K_DEFAULT), w, b;
	(void)state;

	write_grid(path(0, "a.csv"), 100000, 0, 3000, 1);
	write_grid(path(1, "b.csv"), 100000, 0.5, 3000, 2);
	profile(path(0, "a.csv"), path(2, "a.profile"), NULL);
	profile(path(1, "b.csv"), path(3, "b.profile"), NULL);
	doc = drift(path(2, "a.profile"), path(3, "b.profile"), NULL, MRM_ECHECK);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "source"), "reference")),
			    "profile");
	x = json_object_get(json_object_get(doc, "columns"), "x");
	assert_true(json_is_true(json_object_get(x, "approximate")));
	/* KS: two sketches, each within eps of its data everywhere. */
	assert_true(fabs(num(x, "ks_statistic_bound") - 2 * eps) < 1e-15);
	assert_true(fabs(num(x, "ks_statistic") - 0.5) <= 2 * eps);
	assert_true(fabs(num(x, "ks_statistic") - 0.5) <= 0.005);
	/* W1: bound eps * range per side = 2 * eps * (1 - 1e-5). */
	w = num(x, "wasserstein");
	b = num(x, "wasserstein_bound");
	assert_true(fabs(b - 2 * eps * (1 - 1e-5)) < 1e-12);
	assert_true(fabs(w - 0.5) <= b);
	assert_true(fabs(w - 0.5) <= 0.002);
	/* Normalised by the exact population std of the reference grid: sqrt((n^2 - 1) / 12) / n. */
	assert_true(fabs(num(x, "wasserstein_norm") - w / sqrt((1e10 - 1) / 12) * 1e5) < 1e-9);
	assert_true(fabs(num(x, "wasserstein_norm_bound") - b / sqrt((1e10 - 1) / 12) * 1e5) < 1e-9);
	/* The shift moves half the mass past every reference decile above 0.5. */
	assert_string_equal(json_string_value(json_object_get(x, "method")), "wasserstein");
	assert_true(json_is_true(json_object_get(x, "drifted")));
	assert_true(json_is_null(json_object_get(x, "anderson_darling")));
	assert_non_null(json_object_get(json_object_get(x, "undefined"), "anderson_darling"));
	/* p-value range brackets the p-value. */
	{
		json_t *r = json_object_get(x, "ks_p_value_range");
		double p = num(x, "ks_p_value");

		assert_true(json_number_value(json_array_get(r, 0)) <= p);
		assert_true(p <= json_number_value(json_array_get(r, 1)));
	}
	/* 3000 categories: heavy hitters and "(other)", flagged; new ones unknown. */
	c = json_object_get(json_object_get(doc, "columns"), "c");
	assert_true(json_is_true(json_object_get(c, "approximate")));
	assert_true(json_is_false(json_object_get(c, "categories_exact")));
	assert_true(json_integer_value(json_object_get(json_object_get(c, "category_count_error"),
						       "reference")) > 0);
	assert_true(json_is_null(json_object_get(c, "new_categories")));
	assert_non_null(json_object_get(json_object_get(c, "undefined"), "new_categories"));
	/* Same distribution on both sides: the coarse partition shows no drift. */
	assert_true(num(c, "jensen_shannon") < 0.05);
	assert_true(json_is_false(json_object_get(c, "drifted")));
	json_decref(doc);
}

/* With both sides counted in the reference's bins, PSI is that of the exact counts. */
static void exact_bins_give_exact_psi(void **state)
{
	json_t *doc, *x;
	(void)state;

	write_grid(path(0, "a.csv"), 50000, 0, 3, 1);
	write_grid(path(1, "b.csv"), 50000, 0.05, 3, 2);
	profile(path(0, "a.csv"), path(2, "a.profile"), NULL);
	profile(path(1, "b.csv"), path(3, "b.profile"), path(2, "a.profile"));
	/* The reference counted in its own bins (its sketch is the same: same values, same order). */
	profile(path(0, "a.csv"), path(4, "bb.profile"), path(2, "a.profile"));
	/*
	 * Exactly 2500 of the 50000 current values (0.05) lie above the reference's max; from
	 * the current's sketch the share is estimated a little over the 0.05 threshold: the
	 * out_of_range check fails (exit 1), estimated, with a range holding the true 0.05.
	 */
	doc = drift(path(4, "bb.profile"), path(3, "b.profile"), "psi", MRM_ECHECK);
	{
		json_t *q = json_object_get(doc, "quality"), *e, *r;
		size_t i;
		bool seen = false;

		json_array_foreach(q, i, e) {
			if (strcmp(json_string_value(json_object_get(e, "check")), "out_of_range"))
				continue;
			seen = true;
			assert_string_equal(json_string_value(json_object_get(e, "column")), "x");
			assert_true(json_is_true(json_object_get(e, "estimated")));
			r = json_object_get(e, "range");
			assert_true(json_number_value(json_array_get(r, 0)) <= 0.05);
			assert_true(json_number_value(json_array_get(r, 1)) >= 0.05);
			assert_true(fabs(num(e, "value") - 0.05) <= num(e, "bound"));
			assert_true(fabs(num(e, "bound") - mrm_kll_epsilon(MRM_KLL_K_DEFAULT)) < 1e-15);
		}
		assert_true(seen);
	}
	x = json_object_get(json_object_get(doc, "columns"), "x");
	assert_string_equal(json_string_value(json_object_get(json_object_get(x, "bins"), "reference")),
			    "exact");
	assert_string_equal(json_string_value(json_object_get(json_object_get(x, "bins"), "current")),
			    "exact");
	assert_true(num(json_object_get(x, "bins"), "mass_bound") == 0);
	{
		json_t *m = json_object_get(x, "approximate_measures");
		size_t i;

		for (i = 0; i < json_array_size(m); i++)
			assert_string_not_equal(json_string_value(json_array_get(m, i)), "psi");
	}
	/*
	 * Each reference bin holds about 5000 (edges within the sketch bound of the true deciles);
	 * the current moves 2500 out of the lowest bin into the top one: PSI near 0.0549, the
	 * value from the data files.
	 */
	assert_true(num(x, "psi") > 0.05 && num(x, "psi") < 0.06);
	assert_false(json_is_true(json_object_get(x, "drifted")));
	/* The categorical column has 3 categories: exact counts, exact measures. */
	assert_true(json_is_false(json_object_get(json_object_get(json_object_get(doc, "columns"), "c"),
						  "approximate")));
	json_decref(doc);
}

/* A small current against a large reference: only the reference's sketch adds to the bound. */
static void one_exact_side(void **state)
{
	json_t *doc, *x;
	(void)state;

	write_grid(path(0, "a.csv"), 20000, 0, 3, 1);
	write_grid(path(5, "c.csv"), 50, 0, 3, 3);
	profile(path(0, "a.csv"), path(2, "a.profile"), NULL);
	doc = drift(path(2, "a.profile"), path(5, "c.csv"), NULL, 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "source"), "current")),
			    "file");
	x = json_object_get(json_object_get(doc, "columns"), "x");
	assert_true(fabs(num(x, "ks_statistic_bound") - mrm_kll_epsilon(MRM_KLL_K_DEFAULT)) < 1e-15);
	/* The file facing a profile was counted in its bins: exact current counts. */
	assert_string_equal(json_string_value(json_object_get(json_object_get(x, "bins"), "current")),
			    "exact");
	json_decref(doc);
}

static void refusals(void **state)
{
	struct mrm_drift_options o = { 0 };
	struct mrm_error err = { 0 };
	json_t *doc = NULL;
	FILE *f;
	(void)state;

	write_grid(path(0, "a.csv"), 10, 0, 3, 1);
	profile(path(0, "a.csv"), path(2, "a.profile"), NULL);
	o.reference = path(2, "a.profile");
	o.current = path(0, "a.csv");
	o.timestamp = "t";
	o.window = "1d";
	assert_int_equal(mrm_drift_run(&o, &doc, &err), MRM_EUSAGE);
	assert_non_null(strstr(err.msg, "need data files"));
	assert_null(doc);
	/* A file with the profile magic but garbage after it is a corrupt profile, not data. */
	f = fopen(path(6, "d.profile"), "wb");
	assert_non_null(f);
	fputs("MRMP\002\000\000\000garbage", f);
	fclose(f);
	memset(&o, 0, sizeof(o));
	o.reference = path(0, "a.csv");
	o.current = path(6, "d.profile");
	mrm_error_clear(&err);
	assert_int_equal(mrm_drift_run(&o, &doc, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "corrupt profile"));
	assert_true(mrm_profile_sniff(path(6, "d.profile")));
	assert_false(mrm_profile_sniff(path(0, "a.csv")));
	assert_false(mrm_profile_sniff("-"));
	assert_false(mrm_profile_sniff(path(7, "nope")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sketch_measures_and_bounds),
		cmocka_unit_test(exact_bins_give_exact_psi),
		cmocka_unit_test(one_exact_side),
		cmocka_unit_test(refusals),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
