/* Unit tests for mergeable profiles: exact numbers, sharded merges, and corrupt files. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mrm/profile.h"
#include "mrm/table.h"

static struct mrm_profile *profile_of(const char *csv, const char *const *cols)
{
	struct mrm_table_reader *r = NULL;
	struct mrm_profile *p = NULL;
	struct mrm_error err = { 0 };

	assert_int_equal(mrm_table_open_mem("t.csv", csv, strlen(csv), NULL, &r, &err), 0);
	if (mrm_profile_build(r, cols, &p, &err))
		fail_msg("%s", err.msg);
	mrm_table_close(r);
	return p;
}

static const struct mrm_profile_column *col(const struct mrm_profile *p, const char *name)
{
	for (size_t i = 0; i < p->ncols; i++)
		if (!strcmp(p->cols[i].name, name))
			return &p->cols[i];
	fail_msg("no column %s", name);
	return NULL;
}

static const char small[] =
	"id,amount,grade,flag,note\n"
	"1,10.5,A,1,\n"
	"2,3.25,B,0,x\n"
	"3,,A,1,y\n"
	"4,7,C,NA,\n"
	"5,-2.5,A,0,x\n"
	"6,100,B,1,z\n"
	"7,0.75,,1,x\n"
	"8,42,A,0,\n";

static void small_file_exact(void **state)
{
	struct mrm_profile *p = profile_of(small, NULL);
	const struct mrm_profile_column *c;
	double xs[] = { 10.5, 3.25, 7, -2.5, 100, 0.75, 42 }, mean = 23, m2 = 0;
	(void)state;

	assert_int_equal(p->rows, 8);
	assert_int_equal(p->ncols, 5);
	c = col(p, "amount");
	assert_int_equal(c->type, MRM_PROFILE_NUMERIC);
	assert_int_equal(c->count, 7);
	assert_int_equal(c->missing, 1);
	for (int i = 0; i < 7; i++)
		m2 += (xs[i] - mean) * (xs[i] - mean);
	assert_true(c->mom.min == -2.5 && c->mom.max == 100);
	assert_true(fabs(c->mom.mean + c->mom.mean_lo - mean) < 1e-12);
	assert_true(fabs(mrm_moments_variance(&c->mom, 1) - m2 / 6) < 1e-12 * m2);
	/* Fewer values than k: the sketch keeps them all, quantiles are exact. */
	assert_true(mrm_kll_quantile(c->kll, 0.5) == 7);
	assert_true(mrm_kll_quantile(c->kll, 0.25) == 0.75);
	assert_true(mrm_kll_quantile(c->kll, 0.01) == -2.5);
	assert_true(mrm_kll_quantile(c->kll, 0.99) == 100);
	assert_true(fabs(mrm_hll_estimate(c->hll_num) - 7) < 0.5);
	c = col(p, "grade");
	assert_int_equal(c->type, MRM_PROFILE_CATEGORICAL);
	assert_null(c->kll);
	assert_int_equal(c->count, 7);
	assert_int_equal(c->missing, 1);
	assert_int_equal(mrm_freq_estimate(c->freq, "A", 1), 4);
	assert_int_equal(mrm_freq_estimate(c->freq, "B", 1), 2);
	assert_int_equal(mrm_freq_estimate(c->freq, "C", 1), 1);
	assert_true(mrm_freq_exact(c->freq));
	assert_true(fabs(mrm_hll_estimate(c->hll_text) - 3) < 0.5);
	c = col(p, "flag"); /* NA is missing, so the column stays numeric */
	assert_int_equal(c->type, MRM_PROFILE_NUMERIC);
	assert_int_equal(c->count, 7);
	assert_int_equal(c->missing, 1);
	assert_true(fabs(c->mom.mean + c->mom.mean_lo - 4.0 / 7) < 1e-12);
	c = col(p, "note");
	assert_int_equal(c->type, MRM_PROFILE_CATEGORICAL);
	assert_int_equal(c->missing, 3);
	assert_int_equal(mrm_freq_estimate(c->freq, "x", 1), 3);
	mrm_profile_free(p);
}

static void selected_columns(void **state)
{
	const char *const cols[] = { "grade", "amount", NULL };
	struct mrm_profile *p = profile_of(small, cols);
	struct mrm_table_reader *r = NULL;
	struct mrm_error err = { 0 };
	const char *const bad[] = { "amuont", NULL };
	(void)state;

	assert_int_equal(p->ncols, 2);
	assert_string_equal(p->cols[0].name, "grade");
	assert_string_equal(p->cols[1].name, "amount");
	mrm_profile_free(p);
	p = NULL;
	assert_int_equal(mrm_table_open_mem("t.csv", small, strlen(small), NULL, &r, &err), 0);
	mrm_error_clear(&err);
	assert_int_equal(mrm_profile_build(r, bad, &p, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "amuont"));
	assert_null(p);
	mrm_table_close(r);
}

/* A 4000-row file and its four shards (each with the header). */
static char *whole, *shard[4];
static double xs[4000], ys[4000];
static size_t nys;

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* True fractions of values < v and <= v in sorted v[0..n). */
static void true_rank(const double *v, size_t n, double x, double *lt, double *le)
{
	size_t i, a = 0, b = 0;

	for (i = 0; i < n; i++) {
		a += v[i] < x;
		b += v[i] <= x;
	}
	*lt = (double)a / (double)n;
	*le = (double)b / (double)n;
}

static void make_data(void)
{
	size_t cap = 4000 * 64 + 64, len[4] = { 0 }, wl = 0;
	uint64_t s = 42;
	const char *hdr = "x,y,cat\n";

	whole = malloc(cap);
	wl = (size_t)snprintf(whole, cap, "%s", hdr);
	for (int k = 0; k < 4; k++) {
		shard[k] = malloc(cap);
		len[k] = (size_t)snprintf(shard[k], cap, "%s", hdr);
	}
	for (int i = 0; i < 4000; i++) {
		char line[64];
		int n, k = i * 4 / 4000;
		double x, y;

		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		x = (double)(s >> 11) / 9007199254740992.0 * 1000 - 300;
		y = (i % 17 == 0) ? NAN : (double)(i % 23) * 0.1 + 1e6;
		if (isnan(y))
			n = snprintf(line, sizeof(line), "%.17g,,c%d\n", x, (int)(s >> 60));
		else
			n = snprintf(line, sizeof(line), "%.17g,%.17g,c%d\n", x, y, (int)(s >> 60));
		xs[i] = x;
		if (!isnan(y))
			ys[nys++] = y;
		memcpy(whole + wl, line, (size_t)n + 1);
		wl += (size_t)n;
		memcpy(shard[k] + len[k], line, (size_t)n + 1);
		len[k] += (size_t)n;
	}
}

static void free_data(void)
{
	free(whole);
	for (int k = 0; k < 4; k++)
		free(shard[k]);
}

static void same_as_one_pass(const struct mrm_profile *one, const struct mrm_profile *m)
{
	assert_int_equal(m->rows, one->rows);
	assert_int_equal(m->ncols, one->ncols);
	for (size_t i = 0; i < one->ncols; i++) {
		const struct mrm_profile_column *a = &one->cols[i], *b = col(m, a->name);

		assert_int_equal(a->type, b->type);
		assert_int_equal(a->count, b->count);
		assert_int_equal(a->missing, b->missing);
		assert_int_equal(mrm_freq_n(a->freq), mrm_freq_n(b->freq));
		/* HLL merges are register-wise max: identical. */
		assert_true(mrm_hll_estimate(a->hll_text) == mrm_hll_estimate(b->hll_text));
		if (a->type != MRM_PROFILE_NUMERIC)
			continue;
		assert_int_equal(a->mom.count, b->mom.count);
		assert_int_equal(a->mom.missing, b->mom.missing);
		assert_true(a->mom.min == b->mom.min && a->mom.max == b->mom.max);
		assert_true(fabs((a->mom.mean + a->mom.mean_lo) - (b->mom.mean + b->mom.mean_lo)) <=
			    1e-12 * fabs(a->mom.mean));
		assert_true(fabs(mrm_moments_variance(&a->mom, 1) - mrm_moments_variance(&b->mom, 1)) <=
			    1e-12 * mrm_moments_variance(&a->mom, 1));
		assert_true(mrm_hll_estimate(a->hll_num) == mrm_hll_estimate(b->hll_num));
		assert_int_equal(mrm_kll_n(b->kll), a->count);
		/* Quantiles: the merged sketch's answer has its true rank within the bound. */
		for (int w = 0; w < 2; w++) {
			const struct mrm_kll *k = w ? b->kll : a->kll;
			double eps = mrm_kll_epsilon(mrm_kll_k(k));

			assert_true(mrm_kll_n(k) > (uint64_t)mrm_kll_k(k)); /* compacted */
			for (double q = 0.01; q < 1; q += 0.01) {
				double v = mrm_kll_quantile(k, q), lt, le;

				if (!strcmp(a->name, "x"))
					true_rank(xs, 4000, v, &lt, &le);
				else
					true_rank(ys, nys, v, &lt, &le);
				assert_true(lt <= q + eps && le >= q - eps);
			}
		}
	}
}

static void shards_merge_like_one_pass(void **state)
{
	struct mrm_profile *one, *p[4], *q[4], *m1, *m2;
	struct mrm_error err = { 0 };
	(void)state;

	make_data();
	qsort(xs, 4000, sizeof(double), cmp_d);
	qsort(ys, nys, sizeof(double), cmp_d);
	one = profile_of(whole, NULL);
	for (int k = 0; k < 4; k++) {
		p[k] = profile_of(shard[k], NULL);
		q[k] = profile_of(shard[k], NULL);
	}
	/* ((0 + 1) + 2) + 3 */
	m1 = p[0];
	for (int k = 1; k < 4; k++)
		assert_int_equal(mrm_profile_merge(m1, p[k], &err), 0);
	/* (3 + 1) + (2 + 0) */
	m2 = q[3];
	assert_int_equal(mrm_profile_merge(m2, q[1], &err), 0);
	assert_int_equal(mrm_profile_merge(q[2], q[0], &err), 0);
	assert_int_equal(mrm_profile_merge(m2, q[2], &err), 0);
	assert_int_equal(one->rows, 4000);
	assert_int_equal(col(one, "y")->missing, 236);
	assert_int_equal(col(one, "cat")->type, MRM_PROFILE_CATEGORICAL);
	same_as_one_pass(one, m1);
	same_as_one_pass(one, m2);
	mrm_profile_free(one);
	for (int k = 0; k < 4; k++) {
		mrm_profile_free(p[k]);
		mrm_profile_free(q[k]);
	}
	free_data();
}

static void merge_rules(void **state)
{
	struct mrm_profile *a = profile_of("v,w\n1,a\n2,b\n", NULL);
	struct mrm_profile *b = profile_of("v,w\nx,c\n3,d\n", NULL);
	struct mrm_profile *c = profile_of("v,z\n1,a\n", NULL);
	struct mrm_error err = { 0 };
	(void)state;

	assert_int_equal(col(a, "v")->type, MRM_PROFILE_NUMERIC);
	assert_int_equal(col(b, "v")->type, MRM_PROFILE_CATEGORICAL);
	/* Numeric with categorical: categorical, as one pass over both gives. */
	assert_int_equal(mrm_profile_merge(a, b, &err), 0);
	assert_int_equal(col(a, "v")->type, MRM_PROFILE_CATEGORICAL);
	assert_null(col(a, "v")->kll);
	assert_int_equal(col(a, "v")->count, 4);
	assert_int_equal(mrm_freq_estimate(col(a, "v")->freq, "1", 1), 1);
	assert_int_equal(a->rows, 4);
	/* Different column sets: refused, naming the column. */
	mrm_error_clear(&err);
	assert_int_equal(mrm_profile_merge(a, c, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "'w'"));
	mrm_profile_free(a);
	mrm_profile_free(b);
	mrm_profile_free(c);
}

static void round_trip_and_corruption(void **state)
{
	struct mrm_profile *p = profile_of(small, NULL), *r = NULL;
	struct mrm_error err = { 0 };
	uint8_t *buf, *bad;
	size_t len, len2, n;
	uint8_t *buf2;
	(void)state;

	assert_int_equal(mrm_profile_serialize(p, &buf, &len, &err), 0);
	assert_memory_equal(buf, "MRMP", 4);
	assert_int_equal(mrm_profile_deserialize("p", buf, len, &r, &err), 0);
	assert_int_equal(mrm_profile_serialize(r, &buf2, &len2, &err), 0);
	assert_int_equal(len, len2);
	assert_memory_equal(buf, buf2, len);
	free(buf2);
	mrm_profile_free(r);
	r = NULL;
	/* Every truncation is refused. */
	for (n = 0; n < len; n += n < 300 ? 1 : 37) {
		mrm_error_clear(&err);
		mrm_error_clear(&err);
		assert_int_equal(mrm_profile_deserialize("p.profile", buf, n, &r, &err), MRM_EINPUT);
		assert_null(r);
		assert_non_null(strstr(err.msg, "p.profile: "));
	}
	/* Trailing garbage. */
	bad = malloc(len + 1);
	memcpy(bad, buf, len);
	bad[len] = 0;
	mrm_error_clear(&err);
	assert_int_equal(mrm_profile_deserialize("p", bad, len + 1, &r, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "trailing"));
	/* Wrong magic and an unsupported version. */
	bad[0] = 'X';
	mrm_error_clear(&err);
	assert_int_equal(mrm_profile_deserialize("p", bad, len, &r, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "bad magic"));
	bad[0] = 'M';
	bad[4] = 2;
	mrm_error_clear(&err);
	assert_int_equal(mrm_profile_deserialize("p", bad, len, &r, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "p: profile version 2 is not supported by this mrm (supports 1)");
	bad[4] = 1;
	/* An absurd column count. */
	bad[16] = 0xff;
	bad[17] = 0xff;
	bad[18] = 0xff;
	mrm_error_clear(&err);
	assert_int_equal(mrm_profile_deserialize("p", bad, len, &r, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "absurd"));
	/* Flipped bytes anywhere: refused or accepted, never a crash or leak. */
	for (n = 0; n < len; n += n < 400 ? 1 : 13) {
		memcpy(bad, buf, len);
		bad[n] ^= 0x5a;
		if (mrm_profile_deserialize("p", bad, len, &r, &err) == 0) {
			mrm_profile_free(r);
			r = NULL;
		}
		assert_null(r);
	}
	free(bad);
	free(buf);
	mrm_profile_free(p);
}

static void file_round_trip(void **state)
{
	struct mrm_profile *p = profile_of(small, NULL), *r = NULL;
	struct mrm_error err = { 0 };
	char path[] = "/tmp/mrm-test-profile-XXXXXX";
	json_t *doc = NULL;
	FILE *f;
	(void)state;

	assert_int_equal(mrm_profile_write(p, path, &err), 0);
	assert_int_equal(mrm_profile_read(path, &r, &err), 0);
	assert_int_equal(mrm_profile_json(r, 2, &doc, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(doc, "rows")), 8);
	assert_int_equal(json_array_size(json_object_get(json_array_get(json_object_get(doc, "columns"),
									 2), "top")), 2);
	json_decref(doc);
	mrm_profile_free(r);
	r = NULL;
	f = fopen(path, "wb");
	fputs("MRMP", f);
	fclose(f);
	mrm_error_clear(&err);
	assert_int_equal(mrm_profile_read(path, &r, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "truncated"));
	remove(path);
	mrm_error_clear(&err);
	assert_int_equal(mrm_profile_read(path, &r, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "cannot read"));
	mrm_profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(small_file_exact),
		cmocka_unit_test(selected_columns),
		cmocka_unit_test(shards_merge_like_one_pass),
		cmocka_unit_test(merge_rules),
		cmocka_unit_test(round_trip_and_corruption),
		cmocka_unit_test(file_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
