/* Unit tests for lib/stats against the scikit-learn/scipy/Fairlearn/pROC fixtures in tests/data/stats. */
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

#include "mrm/stats.h"
#include "mrm/stats-ci.h"
#include "mrm/stats-fairness.h"

#define TOL 1e-9

/* ---- fixture files ---- */

static char top[4096];

static const char *top_dir(void)
{
	const char *t = getenv("MRM_TOP");

	snprintf(top, sizeof(top), "%s", t && *t ? t : ".");
	return top;
}

/* Path of a fixture input: "name.csv" in tests/data/stats, or "shared:REL". */
static void input_path(const char *spec, char *buf, size_t len)
{
	if (strncmp(spec, "shared:", 7) == 0) {
		FILE *f;

		snprintf(buf, len, "%s/../shared/%s", top_dir(), spec + 7);
		f = fopen(buf, "r");
		if (f) {
			fclose(f);
			return;
		}
		snprintf(buf, len, "/work/shared/%s", spec + 7);
		return;
	}
	snprintf(buf, len, "%s/tests/data/stats/%s", top_dir(), spec);
}

static json_t *load_case(const char *name)
{
	char path[8192];
	json_error_t je;
	json_t *j;

	snprintf(path, sizeof(path), "%s/tests/data/stats/%s.json", top_dir(), name);
	j = json_load_file(path, 0, &je);
	if (!j)
		fail_msg("cannot load %s: %s", path, je.text);
	return j;
}

/* ---- a small CSV reader (RFC 4180 quotes), enough for the fixtures ---- */

struct csv {
	size_t rows, cols;
	char **cell; /* rows * cols, row 0 the header */
	char *buf;
};

static void csv_free(struct csv *c)
{
	free(c->cell);
	free(c->buf);
}

static void csv_read(const char *path, struct csv *c)
{
	FILE *f = fopen(path, "rb");
	size_t len, cap = 1024, n = 0, col = 0, i, w = 0;
	bool quoted = false, start = true;
	char *p;

	memset(c, 0, sizeof(*c));
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	c->buf = malloc(len + 2);
	assert_int_equal(fread(c->buf, 1, len, f), len);
	fclose(f);
	c->buf[len] = '\n';
	c->buf[len + 1] = 0;
	c->cell = malloc(cap * sizeof(char *));
	p = c->buf;
	/* Unquote in place: w is the write position. */
	for (i = 0; i <= len; i++) {
		char ch = p[i];

		if (start) {
			if (n == cap) {
				cap *= 2;
				c->cell = realloc(c->cell, cap * sizeof(char *));
			}
			c->cell[n++] = p + w;
			start = false;
			if (ch == '"') {
				quoted = true;
				continue;
			}
		}
		if (quoted) {
			if (ch == '"' && p[i + 1] == '"') {
				p[w++] = '"';
				i++;
			} else if (ch == '"') {
				quoted = false;
			} else {
				p[w++] = ch;
			}
			continue;
		}
		if (ch == ',' || ch == '\n') {
			if (w > 0 && p[w - 1] == '\r')
				w--;
			p[w++] = 0;
			col++;
			start = true;
			if (ch == '\n') {
				if (c->cols == 0)
					c->cols = col;
				if (col != c->cols) {
					/* An empty last line. */
					if (col == 1 && c->cell[n - 1][0] == 0) {
						n--;
						break;
					}
					fail_msg("%s: row with %zu fields, expected %zu", path, col, c->cols);
				}
				col = 0;
				if (i + 1 >= len)
					break;
			}
			continue;
		}
		p[w++] = ch;
	}
	c->rows = n / c->cols - 1; /* without the header */
}

static long csv_col(const struct csv *c, const char *name)
{
	size_t j;

	for (j = 0; j < c->cols; j++)
		if (strcmp(c->cell[j], name) == 0)
			return (long)j;
	return -1;
}

static const char *csv_at(const struct csv *c, size_t row, long col)
{
	return c->cell[(row + 1) * c->cols + (size_t)col];
}

/* ---- binary data of a case ---- */

struct data {
	size_t n;
	uint8_t *y;
	double *s, *w;
	uint32_t *g;
	size_t groups;
	double *s2; /* paired score, if any */
	struct mrm_binary b;
};

static void data_free(struct data *d)
{
	free(d->y);
	free(d->s);
	free(d->w);
	free(d->g);
	free(d->s2);
}

static void load_data(json_t *exp, struct data *d)
{
	const char *in = json_string_value(json_object_get(exp, "input"));
	json_t *cols = json_object_get(exp, "columns");
	const char *lab = "y", *sc = "score", *pos = NULL, *grp = "group", *paired = NULL;
	char path[8192];
	struct csv c;
	long cy, cs, cw, cg, cp = -1;
	size_t i;

	memset(d, 0, sizeof(*d));
	if (cols) {
		lab = json_string_value(json_object_get(cols, "label"));
		sc = json_string_value(json_object_get(cols, "score"));
		pos = json_string_value(json_object_get(cols, "positive"));
		if (json_object_get(cols, "group"))
			grp = json_string_value(json_object_get(cols, "group"));
		paired = json_string_value(json_object_get(cols, "paired_with"));
	}
	input_path(in, path, sizeof(path));
	csv_read(path, &c);
	cy = csv_col(&c, lab);
	cs = csv_col(&c, sc);
	cw = cols ? -1 : csv_col(&c, "weight");
	cg = csv_col(&c, grp);
	if (paired)
		cp = csv_col(&c, paired);
	assert_true(cy >= 0 && cs >= 0);
	d->n = c.rows;
	d->y = malloc(d->n + 1);
	d->s = malloc((d->n + 1) * sizeof(double));
	if (cw >= 0)
		d->w = malloc((d->n + 1) * sizeof(double));
	if (cp >= 0)
		d->s2 = malloc((d->n + 1) * sizeof(double));
	if (cg >= 0)
		d->g = malloc((d->n + 1) * sizeof(uint32_t));
	for (i = 0; i < d->n; i++) {
		const char *yv = csv_at(&c, i, cy);

		d->y[i] = pos ? strcmp(yv, pos) == 0 : (uint8_t)atoi(yv);
		d->s[i] = strtod(csv_at(&c, i, cs), NULL);
		if (d->w)
			d->w[i] = strtod(csv_at(&c, i, cw), NULL);
		if (d->s2)
			d->s2[i] = strtod(csv_at(&c, i, cp), NULL);
		if (d->g && !cols) {
			d->g[i] = (uint32_t)atoi(csv_at(&c, i, cg));
		} else if (d->g) {
			/* Group names: their index in columns.groups. */
			json_t *names = json_object_get(cols, "groups");
			size_t k;

			for (k = 0; k < json_array_size(names); k++)
				if (strcmp(json_string_value(json_array_get(names, k)),
					   csv_at(&c, i, cg)) == 0)
					d->g[i] = (uint32_t)k;
		}
		if (d->g && d->g[i] + 1 > d->groups)
			d->groups = d->g[i] + 1;
	}
	csv_free(&c);
	d->b = (struct mrm_binary){ d->n, d->y, d->s, d->w };
}

/* ---- comparisons ---- */

static void near(double got, double want, const char *what)
{
	double tol = TOL * (fabs(want) > 1 ? fabs(want) : 1);

	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

/* A metric against a JSON number, or JSON null meaning "undefined". */
static void near_metric(struct mrm_metric m, json_t *want, const char *what)
{
	if (json_is_null(want) || !want) {
		if (m.reason == NULL)
			fail_msg("%s: got %.17g, want undefined", what, m.value);
		assert_true(isnan(m.value));
		return;
	}
	if (m.reason)
		fail_msg("%s: undefined (%s), want %.17g", what, m.reason,
			 json_number_value(want));
	near(m.value, json_number_value(want), what);
}

static void near_json(double got, json_t *want, const char *what)
{
	if (json_is_null(want)) {
		if (!isnan(got))
			fail_msg("%s: got %.17g, want NaN/null", what, got);
		return;
	}
	near(got, json_number_value(want), what);
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		fail_msg("fixture: %s is not a number", key);
	return json_number_value(v);
}

static void near_array(const double *got, size_t n, json_t *want, const char *what)
{
	char buf[256];
	size_t i;

	if (json_array_size(want) != n)
		fail_msg("%s: %zu points, want %zu", what, n, json_array_size(want));
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s[%zu]", what, i);
		near_json(got[i], json_array_get(want, i), buf);
	}
}

static void near_confusion(const struct mrm_confusion *c, json_t *w, const char *what)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s.tp", what);
	near(c->tp, num(w, "tp"), buf);
	snprintf(buf, sizeof(buf), "%s.fp", what);
	near(c->fp, num(w, "fp"), buf);
	snprintf(buf, sizeof(buf), "%s.fn", what);
	near(c->fn, num(w, "fn"), buf);
	snprintf(buf, sizeof(buf), "%s.tn", what);
	near(c->tn, num(w, "tn"), buf);
}

/* ---- the binary cases ---- */

static void check_calibration(struct data *d, struct mrm_ranked *r, json_t *exp,
			      const char *name)
{
	static const struct {
		const char *key;
		enum mrm_binning how;
		size_t bins;
	} kinds[] = {
		{ "uniform", MRM_BINS_UNIFORM, 10 },
		{ "quantile", MRM_BINS_QUANTILE, 10 },
		{ "uniform5", MRM_BINS_UNIFORM, 5 },
	};
	json_t *cal = json_object_get(exp, "calibration");
	size_t k, b;
	char buf[256];

	for (k = 0; cal && k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		json_t *want = json_object_get(cal, kinds[k].key);
		struct mrm_reliability_bin table[10];
		struct mrm_metric ece, mce;

		assert_int_equal(mrm_calibration(&d->b, r, kinds[k].how, kinds[k].bins, table,
						 &ece, &mce, NULL), 0);
		snprintf(buf, sizeof(buf), "%s %s ece", name, kinds[k].key);
		near_metric(ece, json_object_get(want, "ece"), buf);
		snprintf(buf, sizeof(buf), "%s %s mce", name, kinds[k].key);
		near_metric(mce, json_object_get(want, "mce"), buf);
		for (b = 0; b < kinds[k].bins; b++) {
			json_t *row = json_array_get(json_object_get(want, "table"), b);

			snprintf(buf, sizeof(buf), "%s %s bin %zu", name, kinds[k].key, b);
			assert_int_equal(table[b].count, (size_t)json_integer_value(json_object_get(row, "count")));
			near(table[b].lower, num(row, "lower"), buf);
			near(table[b].upper, num(row, "upper"), buf);
			near(table[b].weight, num(row, "weight"), buf);
			near_json(table[b].mean_predicted, json_object_get(row, "mean_predicted"), buf);
			near_json(table[b].observed_rate, json_object_get(row, "observed_rate"), buf);
			near_json(table[b].ci_low, json_object_get(row, "ci_low"), buf);
			near_json(table[b].ci_high, json_object_get(row, "ci_high"), buf);
		}
	}
}

static void check_fairness(struct data *d, json_t *want, double threshold, const char *name)
{
	struct mrm_fairness_options o = { .threshold = threshold };
	struct mrm_group_stats *pg = calloc(d->groups, sizeof(*pg));
	struct mrm_fairness f;
	const char *key;
	json_t *v;
	char buf[256];
	static const char *const names[] = {
		"demographic_parity_difference", "demographic_parity_ratio",
		"equalized_odds_difference", "equalized_odds_ratio",
		"equal_opportunity_difference", "disparate_impact_ratio",
	};
	size_t i;

	assert_int_equal(mrm_fairness(&d->b, d->g, d->groups, &o, pg, &f, NULL), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct mrm_metric m = i == 0 ? f.demographic_parity_difference
				    : i == 1 ? f.demographic_parity_ratio
				    : i == 2 ? f.equalized_odds_difference
				    : i == 3 ? f.equalized_odds_ratio
				    : i == 4 ? f.equal_opportunity_difference
					     : f.disparate_impact_ratio;

		snprintf(buf, sizeof(buf), "%s fairness %s", name, names[i]);
		near_metric(m, json_object_get(want, names[i]), buf);
	}
	assert_int_equal(f.four_fifths_violated,
			 json_is_true(json_object_get(want, "four_fifths_violated")));
	assert_int_equal(f.worst_selection, json_integer_value(json_object_get(want, "worst_selection")));
	assert_int_equal(f.worst_tpr, json_integer_value(json_object_get(want, "worst_tpr")));
	assert_int_equal(f.worst_fpr, json_integer_value(json_object_get(want, "worst_fpr")));
	assert_int_equal(f.groups, json_object_size(json_object_get(want, "groups")));
	json_object_foreach(json_object_get(want, "groups"), key, v) {
		size_t g = (size_t)atoi(key);

		snprintf(buf, sizeof(buf), "%s group %s", name, key);
		assert_int_equal(pg[g].n, (size_t)json_integer_value(json_object_get(v, "n")));
		near(pg[g].cm.tp, num(v, "tp"), buf);
		near(pg[g].cm.fp, num(v, "fp"), buf);
		near_metric(pg[g].selection_rate, json_object_get(v, "selection_rate"), buf);
		near_metric(pg[g].tpr, json_object_get(v, "tpr"), buf);
		near_metric(pg[g].fpr, json_object_get(v, "fpr"), buf);
		near_metric(pg[g].fnr, json_object_get(v, "fnr"), buf);
		assert_int_equal(pg[g].small != NULL, json_is_true(json_object_get(v, "small")));
	}
	free(pg);
}

static void check_accumulator(struct data *d, const struct mrm_binary_metrics *all,
			      double threshold, const char *name)
{
	struct mrm_binary_acc a, b2;
	struct mrm_binary_metrics m;
	size_t cut1 = d->n / 3, cut2 = 2 * d->n / 3;
	struct mrm_binary p1 = { cut1, d->y, d->s, d->w };
	struct mrm_binary p2 = { cut2 - cut1, d->y + cut1, d->s + cut1, d->w ? d->w + cut1 : NULL };
	struct mrm_binary p3 = { d->n - cut2, d->y + cut2, d->s + cut2, d->w ? d->w + cut2 : NULL };
	int id;
	char buf[256];

	/* Three batches, two of them in a second accumulator merged in. */
	mrm_binary_acc_init(&a, threshold, 10);
	mrm_binary_acc_init(&b2, threshold, 10);
	assert_int_equal(mrm_binary_acc_add(&a, &p1, NULL), 0);
	assert_int_equal(mrm_binary_acc_add(&b2, &p2, NULL), 0);
	assert_int_equal(mrm_binary_acc_add(&b2, &p3, NULL), 0);
	assert_int_equal(mrm_binary_acc_merge(&a, &b2, NULL), 0);
	mrm_binary_acc_finish(&a, &m);
	for (id = MRM_LOG_LOSS; id < MRM_BINARY_METRIC_COUNT; id++) {
		snprintf(buf, sizeof(buf), "%s streaming %s", name, mrm_binary_metric_name(id));
		if (all->m[id].reason) {
			assert_non_null(m.m[id].reason);
			continue;
		}
		if (m.m[id].reason)
			fail_msg("%s undefined: %s", buf, m.m[id].reason);
		near(m.m[id].value, all->m[id].value, buf);
	}
	assert_non_null(m.m[MRM_ROC_AUC].reason);
}

static void run_binary_case(const char *name)
{
	json_t *exp = load_case(name), *mt = json_object_get(exp, "metrics"), *v, *cv;
	double threshold = num(exp, "threshold");
	struct mrm_binary_metrics out;
	struct mrm_ranked r;
	struct mrm_curve c;
	struct data d;
	const char *key;
	char buf[256];
	size_t i;

	load_data(exp, &d);
	assert_int_equal(mrm_ranked_build(&r, &d.b, NULL), 0);
	assert_int_equal(mrm_binary_metrics(&d.b, &r, threshold, 10, &out, NULL), 0);
	assert_int_equal(out.rows, (size_t)json_integer_value(json_object_get(exp, "rows")));
	near(out.positives, num(exp, "positives"), "positives");
	assert_int_equal(mrm_binary_is_probability(&d.b), json_is_true(json_object_get(exp, "probability")));
	near_confusion(&out.confusion, json_object_get(mt, "confusion"), name);
	json_object_foreach(mt, key, v) {
		int id = mrm_binary_metric_id(key);

		if (strcmp(key, "confusion") == 0)
			continue;
		if (id < 0)
			fail_msg("%s: fixture metric %s unknown to mrm", name, key);
		snprintf(buf, sizeof(buf), "%s %s", name, key);
		near_metric(out.m[id], v, buf);
	}
	if (!json_is_null(json_object_get(mt, "log_loss"))) {
		struct mrm_metric ll, br;

		assert_int_equal(mrm_log_loss(&d.b, &ll, NULL), 0);
		assert_int_equal(mrm_brier_score(&d.b, &br, NULL), 0);
		near_metric(ll, json_object_get(mt, "log_loss"), "log_loss()");
		near_metric(br, json_object_get(mt, "brier_score"), "brier_score()");
	} else if (json_is_false(json_object_get(exp, "probability"))) {
		assert_ptr_equal(out.m[MRM_LOG_LOSS].reason, mrm_reason_not_probabilities);
		assert_ptr_equal(out.m[MRM_BRIER_SCORE].reason, mrm_reason_not_probabilities);
		assert_ptr_equal(out.m[MRM_ECE].reason, mrm_reason_not_probabilities);
	}
	check_accumulator(&d, &out, threshold, name);

	/* Curves. */
	cv = json_object_get(exp, "curves");
	for (i = 0; i < 2; i++) {
		json_t *want = json_object_get(cv, i ? "roc_all" : "roc_drop");

		assert_int_equal(mrm_roc_curve(&r, i == 0, &c, NULL), 0);
		if (!want) {
			assert_int_equal(c.len, 0);
			assert_non_null(c.reason);
			continue;
		}
		snprintf(buf, sizeof(buf), "%s roc%zu fpr", name, i);
		near_array(c.x, c.len, json_object_get(want, "fpr"), buf);
		snprintf(buf, sizeof(buf), "%s roc%zu tpr", name, i);
		near_array(c.y, c.len, json_object_get(want, "tpr"), buf);
		snprintf(buf, sizeof(buf), "%s roc%zu thresholds", name, i);
		near_array(c.thresholds, c.len, json_object_get(want, "thresholds"), buf);
		mrm_curve_release(&c);
	}
	assert_int_equal(mrm_pr_curve(&r, &c, NULL), 0);
	if (json_object_get(cv, "pr")) {
		json_t *want = json_object_get(cv, "pr");

		near_array(c.y, c.len, json_object_get(want, "precision"), "precision curve");
		near_array(c.x, c.len, json_object_get(want, "recall"), "recall curve");
		near_array(c.thresholds, c.len - 1, json_object_get(want, "thresholds"), "pr thresholds");
		mrm_curve_release(&c);
	} else {
		assert_int_equal(c.len, 0);
		assert_ptr_equal(c.reason, mrm_reason_no_positives);
	}

	/* Sweep. */
	json_array_foreach(json_object_get(exp, "sweep"), i, v) {
		struct mrm_confusion cm;
		double t = num(v, "threshold");

		mrm_threshold_sweep(&r, &t, 1, &cm);
		snprintf(buf, sizeof(buf), "%s sweep %g", name, t);
		near_confusion(&cm, v, buf);
	}

	/* Lift. */
	if (json_object_get(exp, "lift")) {
		struct mrm_lift_bin lift[10];

		assert_int_equal(mrm_lift_table(&r, 10, lift, NULL), 0);
		json_array_foreach(json_object_get(exp, "lift"), i, v) {
			snprintf(buf, sizeof(buf), "%s lift %zu", name, i);
			near(lift[i].weight, num(v, "weight"), buf);
			near(lift[i].positives, num(v, "positives"), buf);
			near(lift[i].min_score, num(v, "min_score"), buf);
			near(lift[i].max_score, num(v, "max_score"), buf);
			near(lift[i].rate, num(v, "rate"), buf);
			near(lift[i].lift, num(v, "lift"), buf);
			near(lift[i].cum_gain, num(v, "cum_gain"), buf);
			near(lift[i].cum_lift, num(v, "cum_lift"), buf);
		}
	} else {
		struct mrm_lift_bin lift[10];
		struct mrm_error err = { 0 };

		assert_int_equal(mrm_lift_table(&r, 10, lift, &err), MRM_EINPUT);
		assert_non_null(strstr(err.msg, "lift table"));
	}

	check_calibration(&d, &r, exp, name);
	{
		struct mrm_calibration_fit fit;
		json_t *want = json_object_get(exp, "calibration_fit");

		assert_int_equal(mrm_calibration_slope(&r, &fit, NULL), 0);
		if (want) {
			snprintf(buf, sizeof(buf), "%s calibration slope", name);
			near_metric(fit.slope, json_object_get(want, "slope"), buf);
			near_metric(fit.intercept, json_object_get(want, "intercept"), buf);
		} else {
			assert_non_null(fit.slope.reason);
			assert_non_null(fit.intercept.reason);
		}
	}
	{
		struct mrm_delong dl;
		json_t *want = json_object_get(exp, "delong");

		mrm_delong(&r, 0.95, &dl);
		if (want) {
			assert_null(dl.reason);
			near(dl.auc, num(want, "auc"), "delong auc");
			near(dl.variance, num(want, "variance"), "delong variance");
			near(dl.low, num(want, "low"), "delong low");
			near(dl.high, num(want, "high"), "delong high");
		} else {
			assert_non_null(dl.reason);
		}
	}
	if (json_object_get(exp, "delong_paired")) {
		json_t *want = json_object_get(exp, "delong_paired");
		struct mrm_binary b2 = { d.n, d.y, d.s2, NULL };
		struct mrm_ranked r2;
		struct mrm_delong_test t;

		assert_int_equal(mrm_ranked_build(&r2, &b2, NULL), 0);
		assert_int_equal(mrm_delong_paired(&r, &r2, d.y, 0.95, &t, NULL), 0);
		assert_null(t.reason);
		near(t.auc1, num(want, "auc1"), "paired auc1");
		near(t.auc2, num(want, "auc2"), "paired auc2");
		near(t.var1, num(want, "var1"), "paired var1");
		near(t.var2, num(want, "var2"), "paired var2");
		near(t.cov, num(want, "cov"), "paired cov");
		near(t.z, num(want, "z"), "paired z");
		near(t.p_value, num(want, "p_value"), "paired p");
		near(t.difference, num(want, "difference"), "paired difference");
		near(t.low, num(want, "low"), "paired low");
		near(t.high, num(want, "high"), "paired high");
		mrm_ranked_release(&r2);
	}
	if (json_object_get(exp, "fairness"))
		check_fairness(&d, json_object_get(exp, "fairness"), threshold, name);

	mrm_ranked_release(&r);
	data_free(&d);
	json_decref(exp);
}

static void binary_random(void **state) { (void)state; run_binary_case("random"); }
static void binary_ties(void **state) { (void)state; run_binary_case("ties"); }
static void binary_weighted(void **state) { (void)state; run_binary_case("weighted"); }
static void binary_one_class(void **state) { (void)state; run_binary_case("one_class"); }
static void binary_constant(void **state) { (void)state; run_binary_case("constant"); }
static void binary_tiny(void **state) { (void)state; run_binary_case("tiny"); }
static void binary_decile(void **state) { (void)state; run_binary_case("decile"); }
static void binary_asah(void **state)
{
	(void)state;
	run_binary_case("asah_s100b");
	run_binary_case("asah_ndka");
	run_binary_case("asah_wfns");
}
static void binary_compas(void **state) { (void)state; run_binary_case("compas"); }

/* pROC's published numbers, at the precision they were published. */
static void asah_published(void **state)
{
	json_t *exp = load_case("asah_s100b"), *exp2 = load_case("asah_wfns");
	struct data d, d2;
	struct mrm_ranked r, r2;
	struct mrm_delong dl;
	struct mrm_delong_test t;
	(void)state;

	load_data(exp, &d);
	load_data(exp2, &d2);
	assert_int_equal(mrm_ranked_build(&r, &d.b, NULL), 0);
	mrm_delong(&r, 0.95, &dl);
	assert_true(fabs(dl.auc - 0.7314) < 0.00005);
	assert_true(fabs(dl.low - 0.6301) < 0.00005);
	assert_true(fabs(dl.high - 0.8326) < 0.00005);
	/* roc.test(roc(outcome, wfns), roc(outcome, s100b)): Z = 2.209, p = 0.02718. */
	assert_int_equal(mrm_ranked_build(&r2, &d2.b, NULL), 0);
	assert_int_equal(mrm_delong_paired(&r2, &r, d.y, 0.95, &t, NULL), 0);
	assert_true(fabs(t.z - 2.209) < 0.0005);
	assert_true(fabs(t.p_value - 0.02718) < 0.000005);
	mrm_ranked_release(&r);
	mrm_ranked_release(&r2);
	data_free(&d);
	data_free(&d2);
	json_decref(exp);
	json_decref(exp2);
}

/* ProPublica's error-rate table: FPR 44.9% / 23.5%, FNR 28.0% / 47.7%. */
static void compas_published(void **state)
{
	json_t *exp = load_case("compas"), *names;
	struct mrm_fairness_options o = { .threshold = 5 };
	struct mrm_group_stats pg[16];
	struct mrm_fairness f;
	struct data d;
	size_t k, black = 99, white = 99;
	(void)state;

	load_data(exp, &d);
	names = json_object_get(json_object_get(exp, "columns"), "groups");
	for (k = 0; k < json_array_size(names); k++) {
		const char *s = json_string_value(json_array_get(names, k));

		if (strcmp(s, "African-American") == 0)
			black = k;
		if (strcmp(s, "Caucasian") == 0)
			white = k;
	}
	assert_true(black < 16 && white < 16 && d.groups <= 16);
	assert_int_equal(d.n, 7214);
	assert_int_equal(mrm_fairness(&d.b, d.g, d.groups, &o, pg, &f, NULL), 0);
	/*
	 * The article rounds to one decimal (44.9, 23.5, 28.0, 47.7) from the
	 * notebook's two (44.85, 23.45, 27.99, 47.72).
	 */
	assert_int_equal((long)lround(pg[black].fpr.value * 10000), 4485);
	assert_int_equal((long)lround(pg[white].fpr.value * 10000), 2345);
	assert_int_equal((long)lround(pg[black].fnr.value * 10000), 2799);
	assert_int_equal((long)lround(pg[white].fnr.value * 10000), 4772);
	assert_true(fabs(pg[black].fpr.value - 0.449) < 0.0006);
	assert_true(fabs(pg[white].fpr.value - 0.235) < 0.0006);
	assert_true(fabs(pg[black].fnr.value - 0.280) < 0.0006);
	assert_true(fabs(pg[white].fnr.value - 0.477) < 0.0006);
	/* Native American (18 rows) is too small to conclude on; Asian (32) is not. */
	assert_int_equal(f.small_groups, 1);
	for (k = 0; k < json_array_size(names); k++) {
		const char *s = json_string_value(json_array_get(names, k));

		assert_int_equal(pg[k].small != NULL, strcmp(s, "Native American") == 0);
	}
	data_free(&d);
	json_decref(exp);
}

static void regression(void **state)
{
	json_t *exp = load_case("regression");
	char path[8192];
	struct csv c;
	size_t i, n;
	double *yt, *yp, *w;
	int pass;
	(void)state;

	input_path("regression.csv", path, sizeof(path));
	csv_read(path, &c);
	n = c.rows;
	yt = malloc(n * sizeof(double));
	yp = malloc(n * sizeof(double));
	w = malloc(n * sizeof(double));
	for (i = 0; i < n; i++) {
		yt[i] = strtod(csv_at(&c, i, csv_col(&c, "y_true")), NULL);
		yp[i] = strtod(csv_at(&c, i, csv_col(&c, "y_pred")), NULL);
		w[i] = strtod(csv_at(&c, i, csv_col(&c, "weight")), NULL);
	}
	for (pass = 0; pass < 2; pass++) {
		struct mrm_regression d = { n, yt, yp, pass ? w : NULL };
		struct mrm_regression_metrics m;
		json_t *want = json_object_get(exp, pass ? "weighted" : "unweighted");

		assert_int_equal(mrm_regression_metrics(&d, &m, NULL), 0);
		near_metric(m.mae, json_object_get(want, "mae"), "mae");
		near_metric(m.mse, json_object_get(want, "mse"), "mse");
		near_metric(m.rmse, json_object_get(want, "rmse"), "rmse");
		near_metric(m.r2, json_object_get(want, "r2"), "r2");
		near_metric(m.mape, json_object_get(want, "mape"), "mape");
		near_metric(m.median_absolute_error,
			    json_object_get(want, "median_absolute_error"), "median_absolute_error");
	}
	{
		/* Constant truth: R^2 undefined (sklearn's force_finite would say 0). */
		double ct[3] = { 2, 2, 2 }, cp[3] = { 1, 2, 3 }, bad[3] = { 1, NAN, 3 };
		struct mrm_regression d = { 3, ct, cp, NULL };
		struct mrm_regression_metrics m;
		struct mrm_error err = { 0 };

		assert_int_equal(mrm_regression_metrics(&d, &m, NULL), 0);
		assert_non_null(m.r2.reason);
		near(m.median_absolute_error.value, 1, "median");
		d.y_pred = bad;
		assert_int_equal(mrm_regression_metrics(&d, &m, &err), MRM_EINPUT);
		assert_string_equal(err.msg, "row 1: prediction is NaN");
	}
	free(yt);
	free(yp);
	free(w);
	csv_free(&c);
	json_decref(exp);
}

static void multiclass(void **state)
{
	json_t *exp = load_case("multiclass"), *p3;
	size_t k = (size_t)json_integer_value(json_object_get(exp, "k"));
	char path[8192], col[16];
	struct csv c;
	size_t i, j, n;
	uint32_t *y, *pred;
	double *p, *w;
	int pass;
	(void)state;

	input_path("multiclass.csv", path, sizeof(path));
	csv_read(path, &c);
	n = c.rows;
	y = malloc(n * sizeof(*y));
	pred = malloc(n * sizeof(*pred));
	p = malloc(n * k * sizeof(*p));
	w = malloc(n * sizeof(*w));
	for (i = 0; i < n; i++) {
		y[i] = (uint32_t)atoi(csv_at(&c, i, csv_col(&c, "y")));
		w[i] = strtod(csv_at(&c, i, csv_col(&c, "weight")), NULL);
		for (j = 0; j < k; j++) {
			snprintf(col, sizeof(col), "p%zu", j);
			p[i * k + j] = strtod(csv_at(&c, i, csv_col(&c, col)), NULL);
		}
	}
	for (pass = 0; pass < 2; pass++) {
		struct mrm_multiclass d = { n, k, y, NULL, p, pass ? w : NULL };
		struct mrm_multiclass_metrics m;
		json_t *want = json_object_get(exp, pass ? "weighted" : "unweighted");

		assert_int_equal(mrm_multiclass_metrics(&d, &m, NULL), 0);
		near_metric(m.accuracy, json_object_get(want, "accuracy"), "mc accuracy");
		near_metric(m.log_loss, json_object_get(want, "log_loss"), "mc log_loss");
		near_metric(m.precision_macro, json_object_get(want, "precision_macro"), "precision_macro");
		near_metric(m.precision_micro, json_object_get(want, "precision_micro"), "precision_micro");
		near_metric(m.precision_weighted, json_object_get(want, "precision_weighted"), "precision_weighted");
		near_metric(m.recall_macro, json_object_get(want, "recall_macro"), "recall_macro");
		near_metric(m.recall_micro, json_object_get(want, "recall_micro"), "recall_micro");
		near_metric(m.recall_weighted, json_object_get(want, "recall_weighted"), "recall_weighted");
		near_metric(m.f1_macro, json_object_get(want, "f1_macro"), "f1_macro");
		near_metric(m.f1_micro, json_object_get(want, "f1_micro"), "f1_micro");
		near_metric(m.f1_weighted, json_object_get(want, "f1_weighted"), "f1_weighted");
		assert_int_equal(m.classes_present, 4);
	}
	p3 = json_object_get(exp, "pred_no3");
	for (i = 0; i < n; i++)
		pred[i] = (uint32_t)json_integer_value(json_array_get(json_object_get(p3, "pred"), i));
	{
		struct mrm_multiclass d = { n, k, y, pred, NULL, NULL };
		struct mrm_multiclass_metrics m;
		struct mrm_error err = { 0 };

		assert_int_equal(mrm_multiclass_metrics(&d, &m, NULL), 0);
		near_metric(m.precision_macro, json_object_get(p3, "precision_macro"), "no3 precision");
		near_metric(m.recall_macro, json_object_get(p3, "recall_macro"), "no3 recall");
		near_metric(m.f1_macro, json_object_get(p3, "f1_macro"), "no3 f1");
		near_metric(m.accuracy, json_object_get(p3, "accuracy"), "no3 accuracy");
		assert_int_equal(m.ill_defined, 1);
		assert_non_null(m.log_loss.reason);
		y[5] = 9;
		assert_int_equal(mrm_multiclass_metrics(&d, &m, &err), MRM_EINPUT);
		assert_string_equal(err.msg, "row 5: class 9 is not below 5");
	}
	free(y);
	free(pred);
	free(p);
	free(w);
	csv_free(&c);
	json_decref(exp);
}

static void wilson_and_normal(void **state)
{
	json_t *exp = load_case("wilson"), *v;
	size_t i;
	(void)state;

	json_array_foreach(json_object_get(exp, "cases"), i, v) {
		double lo, hi;

		mrm_wilson(num(v, "count"), num(v, "nobs"), num(v, "level"), &lo, &hi);
		near(lo, num(v, "low"), "wilson low");
		near(hi, num(v, "high"), "wilson high");
	}
	json_array_foreach(json_object_get(exp, "norm_ppf"), i, v)
		near(mrm_norm_ppf(num(v, "p")), num(v, "x"), "norm ppf");
	json_array_foreach(json_object_get(exp, "norm_cdf"), i, v)
		near(mrm_norm_cdf(num(v, "x")), num(v, "p"), "norm cdf");
	json_decref(exp);
}

/* ---- bad input ---- */

static void bad_input(void **state)
{
	uint8_t y[4] = { 0, 1, 2, 0 };
	double s[4] = { 0.1, 0.2, 0.3, 0.4 }, w[4] = { 1, 1, -1, 1 };
	struct mrm_binary d = { 4, y, s, NULL };
	struct mrm_error err = { 0 };
	struct mrm_ranked r;
	struct mrm_binary_metrics m;
	(void)state;

	assert_int_equal(mrm_binary_check(&d, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "row 2: label is 2, expected 0 or 1");
	y[2] = 1;
	s[3] = NAN;
	mrm_error_clear(&err);
	assert_int_equal(mrm_ranked_build(&r, &d, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "row 3: score is NaN");
	mrm_ranked_release(&r);
	s[3] = INFINITY;
	mrm_error_clear(&err);
	assert_int_equal(mrm_binary_check(&d, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "row 3: score is infinite");
	s[3] = 0.4;
	d.weight = w;
	mrm_error_clear(&err);
	assert_int_equal(mrm_binary_check(&d, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "row 2: weight is negative");
	/* The accumulator counts rows across batches and is unchanged by a bad batch. */
	{
		struct mrm_binary_acc a;
		struct mrm_binary ok = { 2, y, s, NULL }, bad = { 4, y, s, w };

		mrm_binary_acc_init(&a, 0.5, 10);
		assert_int_equal(mrm_binary_acc_add(&a, &ok, NULL), 0);
		mrm_error_clear(&err);
		assert_int_equal(mrm_binary_acc_add(&a, &bad, &err), MRM_EINPUT);
		assert_string_equal(err.msg, "row 4: weight is negative");
		assert_int_equal(a.rows, 2);
	}
	/* No rows at all: everything undefined, nothing crashes. */
	d = (struct mrm_binary){ 0, NULL, NULL, NULL };
	assert_int_equal(mrm_ranked_build(&r, &d, NULL), 0);
	assert_int_equal(mrm_binary_metrics(&d, &r, 0.5, 10, &m, NULL), 0);
	for (int id = 0; id < MRM_BINARY_METRIC_COUNT; id++)
		assert_non_null(m.m[id].reason);
	assert_ptr_equal(m.m[MRM_ROC_AUC].reason, mrm_reason_no_rows);
	mrm_ranked_release(&r);
	/* All weights zero. */
	{
		double z[4] = { 0, 0, 0, 0 };

		d = (struct mrm_binary){ 4, y, s, z };
		assert_int_equal(mrm_ranked_build(&r, &d, NULL), 0);
		assert_int_equal(mrm_binary_metrics(&d, &r, 0.5, 10, &m, NULL), 0);
		assert_ptr_equal(m.m[MRM_ACCURACY].reason, mrm_reason_no_rows);
		mrm_ranked_release(&r);
	}
	/* A 1-10 decile: ranking metrics defined, probability metrics not. */
	{
		uint8_t yy[6] = { 0, 0, 1, 0, 1, 1 };
		double ss[6] = { 1, 3, 4, 6, 8, 10 };
		struct mrm_calibration_fit fit;

		d = (struct mrm_binary){ 6, yy, ss, NULL };
		assert_int_equal(mrm_ranked_build(&r, &d, NULL), 0);
		assert_int_equal(mrm_binary_metrics(&d, &r, 5, 10, &m, NULL), 0);
		assert_null(m.m[MRM_ROC_AUC].reason);
		assert_null(m.m[MRM_PRECISION].reason);
		assert_string_equal(m.m[MRM_LOG_LOSS].reason,
				    "scores are not probabilities (some are outside [0, 1])");
		assert_ptr_equal(m.m[MRM_ECE].reason, mrm_reason_not_probabilities);
		assert_int_equal(mrm_calibration_slope(&r, &fit, NULL), 0);
		assert_ptr_equal(fit.slope.reason, mrm_reason_not_probabilities);
		mrm_ranked_release(&r);
	}
	/* Perfect separation: no calibration slope. */
	{
		uint8_t yy[4] = { 0, 0, 1, 1 };
		double ss[4] = { 0.1, 0.2, 0.7, 0.9 };
		struct mrm_calibration_fit fit;

		d = (struct mrm_binary){ 4, yy, ss, NULL };
		assert_int_equal(mrm_ranked_build(&r, &d, NULL), 0);
		assert_int_equal(mrm_calibration_slope(&r, &fit, NULL), 0);
		assert_non_null(fit.slope.reason);
		assert_non_null(strstr(fit.slope.reason, "separated"));
		mrm_ranked_release(&r);
	}
	/* Group codes out of range. */
	{
		uint32_t g[4] = { 0, 1, 7, 0 };
		struct mrm_group_stats pg[2];
		struct mrm_fairness f;
		struct mrm_fairness_options o = { .threshold = 0.5 };

		d = (struct mrm_binary){ 4, y, s, NULL };
		mrm_error_clear(&err);
		assert_int_equal(mrm_fairness(&d, g, 2, &o, pg, &f, &err), MRM_EINPUT);
		assert_string_equal(err.msg, "row 2: group code 7 is not below 2");
	}
}

/* ---- sort ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void sort_matches_qsort(void **state)
{
	size_t n = 100000, i;
	double *a = malloc(n * sizeof(*a)), *b = malloc(n * sizeof(*b));
	uint32_t *p = malloc(n * sizeof(*p));
	uint64_t x = 88172645463325252ULL;
	struct mrm_error err = { 0 };
	(void)state;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		a[i] = ((double)(x >> 11) / 9007199254740992.0 - 0.5) * (i % 3 ? 1e3 : 1e-300);
		if (i % 97 == 0)
			a[i] = (double)(i % 5) - 2; /* ties */
		if (i == 5)
			a[i] = INFINITY;
		if (i == 6)
			a[i] = -INFINITY;
		if (i == 7)
			a[i] = -0.0;
		b[i] = a[i];
		p[i] = (uint32_t)i;
	}
	assert_int_equal(mrm_sort_doubles(a, p, n, NULL), 0);
	qsort(b, n, sizeof(*b), cmp_double);
	for (i = 0; i < n; i++) {
		assert_true(a[i] == b[i]);
		if (i && a[i] == a[i - 1] && !(a[i] == 0))
			assert_true(p[i] > p[i - 1]); /* stable */
	}
	a[10] = NAN;
	assert_int_equal(mrm_sort_doubles(a, NULL, n, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "row 10: value is NaN");
	free(a);
	free(b);
	free(p);
}

/* ---- bootstrap ---- */

static void bootstrap(void **state)
{
	json_t *exp = load_case("random");
	struct data d;
	struct mrm_ranked r;
	struct mrm_interval ci1[MRM_BINARY_METRIC_COUNT], ci2[MRM_BINARY_METRIC_COUNT];
	struct mrm_bootstrap_options o = { .replicates = 400, .seed = 42, .threshold = 0.5,
					   .threads = 1 };
	struct mrm_binary_metrics m;
	struct mrm_delong dl;
	double *v1, *v2;
	size_t R = 400, i;
	int id;
	(void)state;

	load_data(exp, &d);
	v1 = malloc(R * MRM_BINARY_METRIC_COUNT * sizeof(double));
	v2 = malloc(R * MRM_BINARY_METRIC_COUNT * sizeof(double));
	assert_int_equal(mrm_ranked_build(&r, &d.b, NULL), 0);
	assert_int_equal(mrm_binary_metrics(&d.b, &r, 0.5, 10, &m, NULL), 0);
	assert_int_equal(mrm_bootstrap_binary(&d.b, &r, &o, ci1, v1, NULL), 0);
	o.threads = 2;
	assert_int_equal(mrm_bootstrap_binary(&d.b, &r, &o, ci2, v2, NULL), 0);
	/* Same seed, any number of threads: the same replicates, bit for bit. */
	assert_memory_equal(v1, v2, R * MRM_BINARY_METRIC_COUNT * sizeof(double));
	o.threads = 3;
	assert_int_equal(mrm_bootstrap_binary(&d.b, &r, &o, ci2, v2, NULL), 0);
	assert_memory_equal(v1, v2, R * MRM_BINARY_METRIC_COUNT * sizeof(double));
	for (id = 0; id < MRM_BINARY_METRIC_COUNT; id++) {
		assert_null(ci1[id].reason);
		assert_int_equal(ci1[id].replicates, R);
		if (!(ci1[id].low <= m.m[id].value && m.m[id].value <= ci1[id].high))
			fail_msg("%s = %g outside its bootstrap CI [%g, %g]",
				 mrm_binary_metric_name(id), m.m[id].value, ci1[id].low, ci1[id].high);
	}
	/* The AUC interval is as wide as DeLong's, within sampling noise. */
	mrm_delong(&r, 0.95, &dl);
	{
		double wb = ci1[MRM_ROC_AUC].high - ci1[MRM_ROC_AUC].low, wd = dl.high - dl.low;

		assert_true(wb > 0.8 * wd && wb < 1.2 * wd);
	}
	/* Percentile as numpy: np.percentile(v, [2.5, 97.5]) of the stored replicates. */
	{
		double *col = malloc(R * sizeof(double));

		for (i = 0; i < R; i++)
			col[i] = v1[i * MRM_BINARY_METRIC_COUNT + MRM_ROC_AUC];
		near(mrm_percentile(col, R, 2.5), ci1[MRM_ROC_AUC].low, "percentile");
		free(col);
	}
	/* A different seed gives different replicates. */
	o.seed = 43;
	assert_int_equal(mrm_bootstrap_binary(&d.b, &r, &o, ci2, v2, NULL), 0);
	assert_true(memcmp(v1, v2, R * MRM_BINARY_METRIC_COUNT * sizeof(double)) != 0);

	/* Paired: a model against itself differs by exactly 0. */
	o.metrics = (1ULL << MRM_ROC_AUC) | (1ULL << MRM_F1);
	assert_int_equal(mrm_bootstrap_paired(&d.b, &r, &d.b, &r, &o, ci2, v2, NULL), 0);
	assert_true(ci2[MRM_ROC_AUC].low == 0 && ci2[MRM_ROC_AUC].high == 0);
	assert_non_null(ci2[MRM_LOG_LOSS].reason);
	/* Paired against a noisier challenger: the AUC difference is negative. */
	{
		double *s2 = malloc(d.n * sizeof(double));
		struct mrm_binary b2 = { d.n, d.y, s2, NULL };
		struct mrm_ranked r2;
		struct mrm_delong_test t;

		for (i = 0; i < d.n; i++)
			s2[i] = d.s[i] * 0.5 + 0.5 * (double)((i * 7919) % 1000) / 1000.0;
		assert_int_equal(mrm_ranked_build(&r2, &b2, NULL), 0);
		assert_int_equal(mrm_bootstrap_paired(&d.b, &r, &b2, &r2, &o, ci2, NULL, NULL), 0);
		assert_int_equal(mrm_delong_paired(&r, &r2, d.y, 0.95, &t, NULL), 0);
		assert_true(ci2[MRM_ROC_AUC].high < 0);
		assert_true(t.high < 0 && t.p_value < 0.001);
		/* Bootstrap and DeLong agree on the difference's interval, roughly. */
		assert_true(fabs(ci2[MRM_ROC_AUC].low - t.low) < 0.02);
		mrm_ranked_release(&r2);
		free(s2);
	}
	/* One class: no AUC interval, with the reason. */
	{
		json_t *e1 = load_case("one_class");
		struct data d1;
		struct mrm_ranked r1;

		load_data(e1, &d1);
		o.metrics = 0;
		o.replicates = 50;
		assert_int_equal(mrm_ranked_build(&r1, &d1.b, NULL), 0);
		assert_int_equal(mrm_bootstrap_binary(&d1.b, &r1, &o, ci2, NULL, NULL), 0);
		assert_non_null(ci2[MRM_ROC_AUC].reason);
		assert_null(ci2[MRM_BRIER_SCORE].reason);
		mrm_ranked_release(&r1);
		data_free(&d1);
		json_decref(e1);
	}
	free(v1);
	free(v2);
	mrm_ranked_release(&r);
	data_free(&d);
	json_decref(exp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(binary_random),
		cmocka_unit_test(binary_ties),
		cmocka_unit_test(binary_weighted),
		cmocka_unit_test(binary_one_class),
		cmocka_unit_test(binary_constant),
		cmocka_unit_test(binary_tiny),
		cmocka_unit_test(binary_decile),
		cmocka_unit_test(binary_asah),
		cmocka_unit_test(binary_compas),
		cmocka_unit_test(asah_published),
		cmocka_unit_test(compas_published),
		cmocka_unit_test(regression),
		cmocka_unit_test(multiclass),
		cmocka_unit_test(wilson_and_normal),
		cmocka_unit_test(bad_input),
		cmocka_unit_test(sort_matches_qsort),
		cmocka_unit_test(bootstrap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
