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
#include "mrm/stats-drift.h"
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

/* The profile of `csv` with exact counts in the bins of `ref`. */
static struct mrm_profile *binned_of(const char *csv, const struct mrm_profile *ref)
{
	struct mrm_table_reader *r = NULL;
	struct mrm_profile *p = NULL;
	struct mrm_error err = { 0 };

	assert_int_equal(mrm_table_open_mem("t.csv", csv, strlen(csv), NULL, &r, &err), 0);
	if (mrm_profile_build_binned(r, NULL, ref, &p, &err))
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

	nys = 0;

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
	struct mrm_profile *p0 = profile_of(small, NULL), *p = binned_of(small, p0), *r = NULL;
	struct mrm_error err = { 0 };
	uint8_t *buf, *bad;
	size_t len, len2, n;
	uint8_t *buf2;
	(void)state;

	mrm_profile_free(p0);
	assert_non_null(col(p, "amount")->bins);

	assert_int_equal(mrm_profile_serialize(p, &buf, &len, &err), 0);
	assert_memory_equal(buf, "MRMP", 4);
	assert_int_equal(mrm_profile_deserialize("p", buf, len, &r, &err), 0);
	assert_int_equal(r->version, 2);
	assert_int_equal(col(r, "amount")->nedges, col(p, "amount")->nedges);
	assert_memory_equal(col(r, "amount")->bins, col(p, "amount")->bins,
			    (col(p, "amount")->nedges + 1) * sizeof(uint64_t));
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
	bad[4] = 3;
	mrm_error_clear(&err);
	assert_int_equal(mrm_profile_deserialize("p", bad, len, &r, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "p: profile version 3 is not supported by this mrm (supports 1, 2)");
	bad[4] = 0;
	mrm_error_clear(&err);
	assert_int_equal(mrm_profile_deserialize("p", bad, len, &r, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "p: profile version 0 is not supported by this mrm (supports 1, 2)");
	/* Version 2 bytes labelled version 1 (which has no bins): refused, not misread. */
	bad[4] = 1;
	mrm_error_clear(&err);
	assert_int_equal(mrm_profile_deserialize("p", bad, len, &r, &err), MRM_EINPUT);
	assert_null(r);
	bad[4] = 2;
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

/* Edges as mrm drift takes them from a sample; counts as numpy's searchsorted(side='right'). */
static void check_bins(const struct mrm_profile_column *c, const double *x, size_t n)
{
	double e[MRM_DRIFT_BINS - 1], want[MRM_DRIFT_BINS];
	struct mrm_error err = { 0 };
	size_t k;

	assert_non_null(c->bins);
	assert_int_equal(mrm_drift_edges(x, n, MRM_DRIFT_BINS, e, &k, &err), 0);
	assert_int_equal(mrm_drift_histogram(x, n, e, k, want, &err), 0);
	assert_int_equal(c->nedges, k);
	for (size_t i = 0; i <= k; i++)
		if ((double)c->bins[i] != want[i])
			fail_msg("%s: bin %zu holds %llu, want %g", c->name, i,
				 (unsigned long long)c->bins[i], want[i]);
}

static void reference_bins(void **state)
{
	struct mrm_profile *ref = profile_of(small, NULL), *p, *one, *sh[4], *q;
	double amount[] = { 10.5, 3.25, 7, -2.5, 100, 0.75, 42 }, id[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	double e[MRM_PROFILE_BINS - 1], e2[MRM_PROFILE_BINS - 1];
	struct mrm_error err = { 0 };
	size_t k, k2, within;
	(void)state;

	/* A small reference: its sketch holds every value, so the edges are mrm drift's own. */
	p = binned_of(small, ref);
	check_bins(col(p, "amount"), amount, 7);
	check_bins(col(p, "id"), id, 8);
	assert_null(col(p, "grade")->bins); /* categorical: no bins */
	mrm_profile_free(p);
	/* Values in other data, on the reference's bins; a column now categorical loses them. */
	p = binned_of("id,amount,grade,flag,note\n0,-3,A,x,\n9,7,B,1,\n4.5,1e9,C,0,\n", ref);
	assert_int_equal(col(p, "id")->bins[0], 1);
	assert_int_equal(col(p, "id")->bins[col(p, "id")->nedges], 1);
	assert_int_equal(col(p, "amount")->bins[0], 1);
	assert_int_equal(col(p, "amount")->bins[col(p, "amount")->nedges], 1);
	assert_int_equal(col(p, "flag")->type, MRM_PROFILE_CATEGORICAL);
	assert_null(col(p, "flag")->bins);
	assert_int_equal(col(p, "flag")->nedges, 0);
	mrm_profile_free(p);
	/* Categorical and empty columns have no edges. */
	assert_int_equal(mrm_profile_edges(col(ref, "grade"), e, &k, &err), MRM_EINPUT);
	mrm_profile_free(ref);

	/* 4000 values: the sketch has compacted, edges come from it; counts stay exact. */
	make_data();
	ref = profile_of(whole, NULL);
	assert_false(mrm_kll_exact(col(ref, "x")->kll));
	assert_int_equal(mrm_profile_edges(col(ref, "x"), e, &k, &err), 0);
	assert_int_equal(mrm_drift_edges(xs, 4000, MRM_DRIFT_BINS, e2, &k2, &err), 0);
	assert_int_equal(k, 9);
	assert_int_equal(k2, 9);
	/* Each sketch edge sits within the KLL bound of the true decile. */
	qsort(xs, 4000, sizeof(double), cmp_d);
	for (size_t i = 0; i < k; i++) {
		double lt, le;

		true_rank(xs, 4000, e[i], &lt, &le);
		if (fabs((double)(i + 1) / 10 - (lt + le) / 2) > mrm_kll_epsilon(MRM_KLL_K_DEFAULT) + 1e-3)
			fail_msg("edge %zu = %g has rank %g..%g", i, e[i], lt, le);
	}
	one = binned_of(whole, ref);
	{
		double want[MRM_DRIFT_BINS];
		uint64_t total = 0;

		assert_int_equal(mrm_drift_histogram(xs, 4000, e, k, want, &err), 0);
		for (size_t i = 0; i <= k; i++) {
			assert_true((double)col(one, "x")->bins[i] == want[i]);
			total += col(one, "x")->bins[i];
		}
		assert_int_equal(total, 4000);
	}
	/* Shards binned on the same reference merge into the one-pass counts exactly. */
	for (int i = 0; i < 4; i++)
		sh[i] = binned_of(shard[i], ref);
	assert_int_equal(mrm_profile_merge(sh[2], sh[0], &err), 0);
	assert_int_equal(mrm_profile_merge(sh[2], sh[3], &err), 0);
	assert_int_equal(mrm_profile_merge(sh[2], sh[1], &err), 0);
	within = col(one, "x")->nedges;
	assert_int_equal(col(sh[2], "x")->nedges, within);
	assert_memory_equal(col(sh[2], "x")->bins, col(one, "x")->bins, (within + 1) * sizeof(uint64_t));
	assert_memory_equal(col(sh[2], "y")->bins, col(one, "y")->bins,
			    (col(one, "y")->nedges + 1) * sizeof(uint64_t));
	/* Merged with a profile without bins (or other edges): the bins are dropped. */
	q = profile_of(shard[0], NULL);
	assert_int_equal(mrm_profile_merge(sh[2], q, &err), 0);
	assert_null(col(sh[2], "x")->bins);
	assert_int_equal(col(sh[2], "x")->nedges, 0);
	mrm_profile_free(q);
	for (int i = 0; i < 4; i++)
		mrm_profile_free(sh[i]);
	mrm_profile_free(one);
	mrm_profile_free(ref);
	free_data();
}

/* A corrupt histogram in a version 2 file: each rule of the reader. */
static void corrupt_bins(void **state)
{
	struct mrm_profile *ref = profile_of("v\n1\n2\n3\n", NULL), *p = binned_of("v\n1\n2\n3\n", ref);
	struct mrm_profile *r = NULL;
	struct mrm_error err = { 0 };
	uint8_t *buf;
	size_t len, at;
	uint32_t k;
	uint64_t bits;
	double two = 2.0;
	(void)state;

	assert_int_equal(mrm_profile_serialize(p, &buf, &len, &err), 0);
	/* Edges and counts close the numeric part: u32 k, k f64, k + 1 u64, then two text blobs. */
	k = (uint32_t)col(p, "v")->nedges;
	assert_true(k >= 2);
	{
		/* Find the histogram: scan for the edge count followed by the first edge. */
		memcpy(&bits, &col(p, "v")->edges[0], 8);
		for (at = 0; at + 12 <= len; at++)
			if (!memcmp(buf + at, &k, 4) && !memcmp(buf + at + 4, &bits, 8))
				break;
		assert_true(at + 12 <= len);
	}
	/* Edges out of order. */
	memcpy(&bits, &two, 8);
	{
		uint8_t *bad = malloc(len);

		memcpy(bad, buf, len);
		memcpy(bad + at + 4 + 8, bad + at + 4, 8); /* edge 1 = edge 0 */
		assert_int_equal(mrm_profile_deserialize("p", bad, len, &r, &err), MRM_EINPUT);
		assert_string_equal(err.msg, "p: corrupt profile: bin edges are not finite and increasing");
		/* A count off by one. */
		memcpy(bad, buf, len);
		bad[at + 4 + 8 * k] ^= 1;
		mrm_error_clear(&err);
		assert_int_equal(mrm_profile_deserialize("p", bad, len, &r, &err), MRM_EINPUT);
		assert_string_equal(err.msg, "p: corrupt profile: bin counts disagree with the column count");
		/* An absurd edge count. */
		memcpy(bad, buf, len);
		bad[at + 3] = 0x7f;
		mrm_error_clear(&err);
		assert_int_equal(mrm_profile_deserialize("p", bad, len, &r, &err), MRM_EINPUT);
		assert_string_equal(err.msg, "p: corrupt profile: absurd number of bin edges");
		free(bad);
	}
	assert_null(r);
	free(buf);
	mrm_profile_free(p);
	mrm_profile_free(ref);
}

/* A version 1 file (written by mrm before reference bins) still reads, shows and merges. */
static void reads_version_1(void **state)
{
	const char *t = getenv("MRM_TOP");
	char path[4096];
	struct mrm_profile *p = NULL, *q = profile_of(small, (const char *const[]){ "amount", "grade", NULL });
	struct mrm_error err = { 0 };
	json_t *doc = NULL;
	(void)state;

	snprintf(path, sizeof(path), "%s/tests/data/profile/v1-small.profile", t && *t ? t : ".");
	if (mrm_profile_read(path, &p, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(p->version, 1);
	assert_int_equal(p->rows, 8);
	assert_int_equal(col(p, "amount")->count, 7);
	assert_null(col(p, "amount")->bins);
	assert_int_equal(mrm_freq_estimate(col(p, "grade")->freq, "A", 1), 4);
	assert_int_equal(mrm_profile_json(p, 10, &doc, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(doc, "format_version")), 1);
	json_decref(doc);
	assert_int_equal(mrm_profile_merge(q, p, &err), 0);
	assert_int_equal(q->rows, 16);
	assert_int_equal(col(q, "amount")->mom.count, 14);
	mrm_profile_free(p);
	mrm_profile_free(q);
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
		cmocka_unit_test(reference_bins),
		cmocka_unit_test(corrupt_bins),
		cmocka_unit_test(reads_version_1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
