/*
 * Unit tests of lib/validate: the --where language (errors and three-valued
 * evaluation), the tests file, the rankings against mrm_ranked_build, the
 * bootstrap's reproducibility, and the streaming path against the ranked one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "mrm/validate.h"
#include "validate/internal.h"

static char top[4096];

static const char *data(const char *name, char *buf, size_t cap)
{
	const char *t = getenv("MRM_TOP");

	snprintf(top, sizeof(top), "%s", t && *t ? t : ".");
	snprintf(buf, cap, "%s/tests/data/validate/%s", top, name);
	return buf;
}

/* ---- --where ------------------------------------------------------------------ */

static void where_errors(void **state)
{
	static const struct { const char *expr, *msg; int code; } cases[] = {
		{ "age >= ", "--where: 1:8: expected a value after '>=', found the end", 2 },
		{ "age >= 25 and", "--where: 1:14: expected a condition, found the end", 2 },
		{ "(age > 3", "--where: 1:9: expected ')' to close the '(' at column 1, found the end", 2 },
		{ "age > 3)", "--where: 1:8: unexpected ')' (no '(' to close)", 2 },
		{ "name = 'x", "--where: 1:8: unterminated string starting here", 2 },
		{ "age in 1,2", "--where: 1:8: expected '(' after 'in', found '1'", 2 },
		{ "age is mising", "--where: 1:8: expected 'missing' after 'is', found 'mising'", 2 },
		{ "", "--where: 1:1: empty expression", 2 },
		{ "5 = 5", "--where: 1:1: compares two values; one side must be a column", 2 },
		{ "age ! 3", "--where: 1:5: unexpected '!' (use 'not' or '!=')", 2 },
		{ "age", "--where: 1:4: expected a comparison (= != < <= > >=), 'in' or 'is' after 'age', found the end", 2 },
		{ "a in ('x', )", "--where: 1:12: expected a number or a 'quoted' value in the list, found ')'", 2 },
		{ "a > 1 b", "--where: 1:7: expected 'and', 'or' or the end, found 'b'", 2 },
		{ "a > 1 and\n b <", "--where: 2:5: expected a value after '<', found the end", 2 },
		{ "a > 1e", "--where: 1:5: malformed number '1e'", 2 },
		{ "a # 1", "--where: 1:3: unexpected character '#'", 2 },
		{ "\"\" = 1", "--where: 1:1: empty column name", 2 },
		{ "a not b", "--where: 1:3: expected a comparison (= != < <= > >=), 'in' or 'is' after 'a', found 'not'", 2 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mrm_error err = { 0 };
		struct mrm__where *w = NULL;
		int rc = mrm__where_parse(cases[i].expr, &w, &err);

		if (rc != cases[i].code || strcmp(err.msg, cases[i].msg))
			fail_msg("'%s': got %d '%s', want %d '%s'", cases[i].expr, rc, err.msg,
				 cases[i].code, cases[i].msg);
		assert_null(w);
	}
}

/* Rows kept by `expr` on a small table, as a string of 0/1. */
static void keep_of(const char *csv, const char *expr, char *out)
{
	struct mrm_error err = { 0 };
	struct mrm_table_reader *r = NULL;
	struct mrm__where *w = NULL;
	const struct mrm_table *b;
	struct mrm_table_options o = { .threads = 1, .no_default_na = true,
				       .na = (const char *const[]){ "", "NA", NULL } };
	size_t i, n = 0;
	uint8_t keep[64];

	if (mrm__where_parse(expr, &w, &err))
		fail_msg("'%s': %s", expr, err.msg);
	assert_int_equal(mrm_table_open_mem("t.csv", csv, strlen(csv), &o, &r, &err), 0);
	for (i = 0; i < mrm__where_ncols(w); i++) {
		size_t slot;

		assert_int_equal(mrm_table_select(r, mrm__where_col(w, i), MRM_COL_AUTO, &slot, &err), 0);
		mrm__where_bind(w, i, slot);
	}
	while (!mrm_table_next(r, &b, &err) && b) {
		assert_int_equal(mrm__where_eval(w, b, keep, &err), 0);
		for (i = 0; i < b->nrows; i++)
			out[n++] = keep[i] ? '1' : '0';
	}
	out[n] = '\0';
	mrm_table_close(r);
	mrm__where_free(w);
}

static void where_eval(void **state)
{
	/* age: a missing value in row 3; name: text; code: numbers as text in one row */
	const char *csv = "age,name,code\n"
			  "10,ann,1\n"
			  "20,bob,2\n"
			  ",cy,x\n"
			  "40,NA,3\n"
			  "50,'q',NaN\n";
	static const struct { const char *expr, *want; } cases[] = {
		{ "age >= 20", "01011" },
		{ "age < 20", "10000" },
		{ "not (age < 20)", "01011" },         /* unknown stays unknown under not */
		{ "age is missing", "00100" },
		{ "age is not missing", "11011" },
		{ "age > 15 or name = 'cy'", "01111" }, /* unknown or true = true */
		{ "age > 15 and name != 'zz'", "01001" }, /* NA name: unknown */
		{ "name in ('ann', 'cy')", "10100" },
		{ "name not in ('ann', 'cy')", "01001" },
		{ "age in (10, 40)", "10010" },
		{ "age = '20'", "01000" },             /* text that reads as a number */
		{ "code = 2", "01000" },               /* a text column against a number */
		{ "code != 2", "10110" },              /* 'x' is not 2; NaN text is missing */
		{ "code > 1", "01010" },               /* 'x' cannot be ordered against a number */
		{ "name > 'b'", "01100" },
		{ "\"age\" = 10 or `name` = 'bob'", "11000" },
		{ "AGE = 10", NULL },                  /* names are case-sensitive */
		{ "age >= 20 AND NOT name IS MISSING", "01001" },
		{ "10 < age", "01011" },
		{ "age = -10 or age > +45", "00001" },
	};
	char got[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!cases[i].want)
			continue;
		keep_of(csv, cases[i].expr, got);
		if (strcmp(got, cases[i].want))
			fail_msg("'%s': kept %s, want %s", cases[i].expr, got, cases[i].want);
	}
}

/* The parser must never crash and must end with a clean error or a tree. */
static void where_fuzz(void **state)
{
	static const char alphabet[] = "ab()'\"` =<>!,.0123456789-+e and or not in is missing\n";
	uint64_t x = 88172645463325252ULL;
	char expr[48];
	int i, j;

	(void)state;
	for (i = 0; i < 20000; i++) {
		struct mrm_error err = { 0 };
		struct mrm__where *w = NULL;
		int n, rc;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		n = (int)(x % 40);
		for (j = 0; j < n; j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			expr[j] = alphabet[x % (sizeof(alphabet) - 1)];
		}
		expr[n] = '\0';
		rc = mrm__where_parse(expr, &w, &err);
		assert_true(rc == 0 || rc == MRM_EUSAGE);
		if (rc)
			assert_int_equal(strncmp(err.msg, "--where: ", 9), 0);
		mrm__where_free(w);
	}
}

/* ---- tests files -------------------------------------------------------------- */

static int load_tests(const char *text, const struct mrm__vtests_scope *sc, struct mrm_error *err)
{
	char path[] = "/tmp/mrm-vtests-XXXXXX";
	struct mrm__vtests *t = NULL;
	int fd = mkstemp(path), rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	rc = mrm__vtests_load(path, sc, &t, err);
	mrm__vtests_free(t);
	/* Messages name the file: cut the random part for the comparison. */
	if (rc) {
		char *p = strstr(err->msg, path);

		if (p) {
			memmove(p + 5, p + strlen(path), strlen(p + strlen(path)) + 1);
			memcpy(p, "T.yml", 5);
		}
	}
	unlink(path);
	return rc;
}

static void tests_file(void **state)
{
	const char *groups[] = { "race", "sex", "race&sex" };
	struct mrm__vtests_scope sc = { MRM_TASK_BINARY, groups, 3, false, false };
	struct mrm__vtests_scope one = { MRM_TASK_BINARY, groups, 1, true, false };
	struct mrm__vtests_scope reg = { MRM_TASK_REGRESSION, NULL, 0, false, false };
	static const struct { const char *text; int scope; const char *msg; } cases[] = {
		{ "tests:\n  - roc_auc >= 0.7\n  - recall >= 0.6 for each sex\n"
		  "  - fpr <= 0.3 for race = 'Caucasian'\n  - disparate_impact_ratio >= 0.8 for race&sex\n"
		  "  - name: lower bound\n    condition: ci_low(roc_auc) > 0.65\n", 0, NULL },
		{ "- roc_auc >= 0.7\n", 0, NULL },
		{ "tests:\n  - disparate_impact_ratio >= 0.8\n", 1, NULL },
		{ "tests:\n  - roc_auc_difference >= 0 with p_value < 0.05\n", 1, NULL },
		{ "tests:\n  - accuracy_difference > -0.01\n", 1, NULL },
		{ "tests:\n  - mae <= 2\n  - r2 >= 0.5\n", 2, NULL },
		{ "tests:\n  - roc_acu >= 0.7\n", 0, "T.yml:2:5: unknown metric 'roc_acu' (known: " },
		{ "tests:\n  - roc_auc >= x\n", 0, "T.yml:2:16: expected a number after '>='" },
		{ "tests:\n  - disparate_impact_ratio >= 0.8\n", 0,
		  "T.yml:2:34: 'disparate_impact_ratio' needs a column: write 'disparate_impact_ratio ... for COLUMN'" },
		{ "tests:\n  - recall >= 0.6 for age\n", 0,
		  "T.yml:2:23: 'age' is not a --group column (groups: race, sex, race&sex)" },
		{ "tests:\n  - z > 2\n", 0, "T.yml:2:5: 'z' compares with a champion: give --champion COLUMN" },
		{ "tests:\n  - roc_auc >= 0.7\n", 2, "T.yml:2:5: unknown metric 'roc_auc' for --task regression (known: mae, mse, rmse, r2, mape, median_absolute_error, rows)" },
		{ "tests:\n  - 'roc_auc >= 0.7 for each race with p_value < 1'\n", 0,
		  "T.yml:2:40: 'with p_value' applies to the champion comparison (e.g. roc_auc_difference), not to 'roc_auc'" },
		{ "tests:\n  - roc_auc_difference > 0 for race = 'x'\n", 1,
		  "T.yml:2:28: 'roc_auc_difference' is not computed per slice" },
		{ "tests:\n  - {name: a}\n", 0, "T.yml:2:5: a test needs a 'condition'" },
		{ "tests:\n  - [roc_auc]\n", 0, "T.yml:2:5: a test is a condition (text) or a mapping with name and condition" },
		{ "tests: 3\n", 0, "T.yml:1:8: 'tests' must be a list of conditions" },
		{ "tests:\n  - roc_auc >= 0.7\n  bad\n", 0, NULL /* a YAML error: checked below */ },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mrm_error err = { 0 };
		const struct mrm__vtests_scope *s = cases[i].scope == 0 ? &sc : cases[i].scope == 1 ? &one : &reg;
		int rc = load_tests(cases[i].text, s, &err);

		if (i + 1 == sizeof(cases) / sizeof(cases[0])) {
			assert_int_equal(rc, MRM_EINPUT);
			assert_string_equal(err.msg, "T.yml:4:1: could not find expected ':' while scanning a simple key");
			continue;
		}
		if (!cases[i].msg) {
			if (rc)
				fail_msg("case %zu: %s", i, err.msg);
			continue;
		}
		assert_int_equal(rc, MRM_EINPUT);
		if (strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)))
			fail_msg("case %zu: got '%s', want '%s'", i, err.msg, cases[i].msg);
	}
}

/* ---- rankings ------------------------------------------------------------------- */

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void assert_same_ranking(const struct mrm_ranked *a, const struct mrm_ranked *b, bool order)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	assert_int_equal(a->k, b->k);
	assert_true(a->total_pos == b->total_pos && a->total_neg == b->total_neg);
	for (i = 0; i < a->k; i++) {
		assert_true(a->score[i] == b->score[i]);
		assert_true(a->tps[i] == b->tps[i]);
		assert_true(a->fps[i] == b->fps[i]);
		assert_int_equal(a->rows[i], b->rows[i]);
	}
	if (order)
		for (i = 0; i < a->n; i++)
			assert_int_equal(a->order[i], b->order[i]);
}

static void rank_matches_stats(void **state)
{
	uint64_t x = 12345;
	size_t sizes[] = { 0, 1, 2, 7, 1000, 50000 }, t;

	(void)state;
	for (t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
		size_t n = sizes[t], i;
		uint8_t *y = malloc(n + 1), *ys = NULL;
		double *s = malloc((n + 1) * sizeof(double)), *w = malloc((n + 1) * sizeof(double));
		uint64_t *keys = malloc((n + 1) * sizeof(uint64_t));
		uint32_t *pay = malloc((n + 1) * sizeof(uint32_t));
		struct mrm_ranked a, b;
		struct mrm_binary d;
		int weighted;

		for (i = 0; i < n; i++) {
			uint64_t v = rnd(&x);

			y[i] = v & 1;
			/* Heavy ties, negative values, zeros of both signs. */
			s[i] = (double)((int64_t)(v >> 20) % 97 - 40) / 8.0;
			if (v % 13 == 0)
				s[i] = -0.0;
			w[i] = 0.25 + (double)(v % 7);
		}
		for (weighted = 0; weighted < 2; weighted++) {
			d = (struct mrm_binary){ n, y, s, weighted ? w : NULL };
			for (i = 0; i < n; i++) {
				keys[i] = mrm__vkey(s[i]);
				pay[i] = (uint32_t)(i << 1) | y[i];
			}
			{
				uint64_t *k = keys;
				uint32_t *p = pay;

				free(ys);
				assert_int_equal(mrm__rank_build(&k, &p, n, d.weight, &ys, &a, NULL), 0);
				assert_int_equal(mrm_ranked_build(&b, &d, NULL), 0);
				assert_same_ranking(&a, &b, true);
				for (i = 0; i < n; i++) {
					assert_int_equal(ys[i], y[a.order[i]]);
					assert_true(mrm__vunkey(k[i]) == s[a.order[i]] || s[a.order[i]] == 0);
				}
				/* The sort may have moved the arrays into its scratch space. */
				keys = k;
				pay = p ? p : malloc((n + 1) * sizeof(uint32_t));
			}
			/* A slice from the ranked rows equals ranking the slice afresh. */
			if (n > 10) {
				double *sr = malloc(n * sizeof(double)), *wr = malloc(n * sizeof(double));
				uint8_t *yr = malloc(n), *ysub = malloc(n);
				double *ssub = malloc(n * sizeof(double)), *wsub = malloc(n * sizeof(double));
				uint32_t *rows = malloc(n * sizeof(uint32_t));
				struct mrm_ranked sa, sb;
				struct mrm_binary sd;
				size_t m = 0;

				for (i = 0; i < n; i++) {
					sr[i] = s[a.order[i]];
					yr[i] = y[a.order[i]];
					wr[i] = w[a.order[i]];
				}
				for (i = 0; i < n; i++) {
					if (a.order[i] % 3 != 1)
						continue;
					rows[m] = (uint32_t)i;
					m++;
				}
				/* The fresh ranking must see the slice rows in file order. */
				{
					size_t q = 0;

					for (i = 0; i < n; i++)
						if (i % 3 == 1) {
							ysub[q] = y[i];
							ssub[q] = s[i];
							wsub[q] = w[i];
							q++;
						}
					assert_int_equal(q, m);
				}
				assert_int_equal(mrm__rank_rows(sr, yr, weighted ? wr : NULL, rows, m, &sa, NULL), 0);
				sd = (struct mrm_binary){ m, ysub, ssub, weighted ? wsub : NULL };
				assert_int_equal(mrm_ranked_build(&sb, &sd, NULL), 0);
				assert_same_ranking(&sa, &sb, false);
				mrm__slice_release(&sa);
				mrm_ranked_release(&sb);
				free(sr);
				free(wr);
				free(yr);
				free(ysub);
				free(ssub);
				free(wsub);
				free(rows);
			}
			mrm_ranked_release(&a);
			mrm_ranked_release(&b);
		}
		free(y);
		free(ys);
		free(s);
		free(w);
		free(keys);
		free(pay);
	}
}

static void bucket(void **state)
{
	uint32_t code[] = { 2, 0, UINT32_MAX, 2, 1, 0, 7 }, rows[7];
	size_t start[4];

	(void)state;
	mrm__bucket(code, 7, 3, rows, start);
	assert_int_equal(start[0], 0);
	assert_int_equal(start[1], 2);
	assert_int_equal(start[2], 3);
	assert_int_equal(start[3], 5);
	assert_int_equal(rows[0], 1);
	assert_int_equal(rows[1], 5);
	assert_int_equal(rows[2], 4);
	assert_int_equal(rows[3], 0);
	assert_int_equal(rows[4], 3);
}

/* ---- whole runs through the library --------------------------------------------------- */

static json_t *validate(struct mrm_validate_options *o, int want)
{
	struct mrm_error err = { 0 };
	json_t *res = NULL;
	int rc = mrm_validate(o, &res, &err);

	if (rc != want)
		fail_msg("mrm_validate: %d (%s), want %d", rc, err.msg, want);
	return res;
}

static void bootstrap_reproducible(void **state)
{
	char path[8300];
	const char *score[] = { "score", NULL }, *groups[] = { "region", NULL };
	struct mrm_validate_options o = { 0 };
	json_t *a, *b, *c, *ci;
	double auc, lo, hi, dlo, dhi;

	(void)state;
	o.data = data("binary.csv", path, sizeof(path));
	o.label = "y";
	o.score = score;
	o.groups = groups;
	o.bootstrap = 200;
	o.seed = 7;
	o.threads = 2;
	o.read.threads = 1;
	a = validate(&o, 0);
	o.threads = 3;
	b = validate(&o, 0);
	/* Same seed: the same intervals whatever the number of threads. */
	assert_true(json_equal(json_object_get(a, "ci"), json_object_get(b, "ci")));
	assert_true(json_equal(json_object_get(a, "groups"), json_object_get(b, "groups")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(a, "ci_method"), "roc_auc")),
			    "bootstrap");
	o.seed = 8;
	c = validate(&o, 0);
	assert_false(json_equal(json_object_get(a, "ci"), json_object_get(c, "ci")));
	/* The interval holds the estimate and is about as wide as DeLong's. */
	ci = json_object_get(json_object_get(a, "ci"), "roc_auc");
	auc = json_real_value(json_object_get(json_object_get(a, "metrics"), "roc_auc"));
	lo = json_real_value(json_array_get(ci, 0));
	hi = json_real_value(json_array_get(ci, 1));
	assert_true(lo < auc && auc < hi);
	o.bootstrap = 0;
	json_decref(c);
	c = validate(&o, 0);
	ci = json_object_get(json_object_get(c, "ci"), "roc_auc");
	dlo = json_real_value(json_array_get(ci, 0));
	dhi = json_real_value(json_array_get(ci, 1));
	assert_true(fabs((hi - lo) - (dhi - dlo)) < 0.25 * (dhi - dlo));
	/* Every metric gets an interval, in the slices too. */
	assert_non_null(json_object_get(json_object_get(a, "ci"), "f1"));
	assert_non_null(json_object_get(json_object_get(a, "ci"), "ece"));
	assert_non_null(json_object_get(json_object_get(json_object_get(json_object_get(
		json_object_get(a, "groups"), "region"), "north"), "ci"), "matthews_corrcoef"));
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

static void near(json_t *a, json_t *b, const char *what)
{
	if (json_is_null(a) && json_is_null(b))
		return;
	if (!json_is_number(a) || !json_is_number(b) ||
	    fabs(json_number_value(a) - json_number_value(b)) > 1e-12)
		fail_msg("%s: %g against %g", what, json_number_value(a), json_number_value(b));
}

static void streaming_agrees(void **state)
{
	static const char *const keys[] = { "log_loss", "brier_score", "ece", "mce", "accuracy",
					     "balanced_accuracy", "precision", "recall", "specificity",
					     "f1", "matthews_corrcoef", "fpr", "fnr", "selection_rate", NULL };
	char path[8300];
	const char *score[] = { "score", NULL }, *groups[] = { "region", "sex", NULL };
	struct mrm_validate_options o = { 0 };
	json_t *a, *b;
	const char *g, *sl;
	json_t *gv, *sv;
	size_t i;

	(void)state;
	o.data = data("binary.csv", path, sizeof(path));
	o.label = "y";
	o.score = score;
	o.groups = groups;
	o.weight = "weight";
	o.threshold = 0.45;
	o.threshold_given = true;
	a = validate(&o, 0);
	o.streaming = true;
	b = validate(&o, 0);
	for (i = 0; keys[i]; i++)
		near(json_object_get(json_object_get(a, "metrics"), keys[i]),
		     json_object_get(json_object_get(b, "metrics"), keys[i]), keys[i]);
	assert_true(json_is_null(json_object_get(json_object_get(b, "metrics"), "roc_auc")));
	json_object_foreach(json_object_get(a, "groups"), g, gv) {
		json_t *bg = json_object_get(json_object_get(b, "groups"), g);

		assert_int_equal(json_object_size(gv), json_object_size(bg));
		json_object_foreach(gv, sl, sv) {
			json_t *bs = json_object_get(bg, sl);

			assert_non_null(bs);
			assert_int_equal(json_integer_value(json_object_get(sv, "n")),
					 json_integer_value(json_object_get(bs, "n")));
			for (i = 0; keys[i]; i++)
				near(json_object_get(json_object_get(sv, "metrics"), keys[i]),
				     json_object_get(json_object_get(bs, "metrics"), keys[i]), keys[i]);
		}
		for (i = 0; i < 6; i++) {
			static const char *const f[] = { "demographic_parity_difference",
							  "demographic_parity_ratio",
							  "equalized_odds_difference", "equalized_odds_ratio",
							  "equal_opportunity_difference",
							  "disparate_impact_ratio" };

			near(json_object_get(json_object_get(json_object_get(a, "fairness"), g), f[i]),
			     json_object_get(json_object_get(json_object_get(b, "fairness"), g), f[i]), f[i]);
		}
		assert_true(json_equal(json_object_get(json_object_get(json_object_get(a, "fairness"), g), "small_groups"),
				       json_object_get(json_object_get(json_object_get(b, "fairness"), g), "small_groups")));
	}
	assert_true(json_equal(json_object_get(a, "excluded"), json_object_get(b, "excluded")));
	json_decref(a);
	json_decref(b);
}

static void option_errors(void **state)
{
	char path[8300];
	const char *one[] = { "score", NULL }, *two[] = { "score", "champion", NULL };
	struct { struct mrm_validate_options o; const char *msg; } cases[] = {
		{ { .label = "y", .score = one }, "missing --data FILE" },
		{ { .label = "y" }, "missing --score COLUMN (or --prediction COLUMN)" },
		{ { .label = "y", .score = two },
		  "--score names 2 columns: one column for a binary task (several are class probabilities: --task multiclass)" },
		{ { .label = "y", .score = one, .prediction = "p" }, "give --score or --prediction, not both" },
		{ { .label = "y", .score = one, .champion = "score" }, "--champion and --score name the same column" },
		{ { .label = "y", .score = one, .streaming = true, .bootstrap = 10 },
		  "--bootstrap needs every score: not with --streaming" },
		{ { .label = "y", .prediction = "p", .threshold_given = true },
		  "--threshold applies to the --score of a binary task" },
		{ { .label = "y", .score = one, .task = MRM_TASK_REGRESSION, .positive = "1" },
		  "--positive applies to a binary task" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mrm_error err = { 0 };
		json_t *res = NULL;

		if (i > 0)
			cases[i].o.data = data("binary.csv", path, sizeof(path));
		assert_int_equal(mrm_validate(&cases[i].o, &res, &err), MRM_EUSAGE);
		assert_string_equal(err.msg, cases[i].msg);
		assert_null(res);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(where_errors),
		cmocka_unit_test(where_eval),
		cmocka_unit_test(where_fuzz),
		cmocka_unit_test(tests_file),
		cmocka_unit_test(rank_matches_stats),
		cmocka_unit_test(bucket),
		cmocka_unit_test(bootstrap_reproducible),
		cmocka_unit_test(streaming_agrees),
		cmocka_unit_test(option_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
