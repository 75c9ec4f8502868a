/*
 * What a validation result says, for the validation report: metric names,
 * slice rates under their spellings, fairness disparities and their
 * thresholds, and the metric and group column a test is about.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/validation.h"

/* Metrics in the order the tables show them, with their plain names. */
const struct mrm__vr_name mrm__vr_metric_names[] = {
	{ "roc_auc", "ROC AUC" },
	{ "gini", "Gini" },
	{ "average_precision", "Average precision" },
	{ "ks_statistic", "KS statistic" },
	{ "accuracy", "Accuracy" },
	{ "balanced_accuracy", "Balanced accuracy" },
	{ "precision", "Precision" },
	{ "recall", "Recall (true positive rate)" },
	{ "tpr", "True positive rate" },
	{ "specificity", "Specificity (true negative rate)" },
	{ "f1", "F1 score" },
	{ "matthews_corrcoef", "Matthews correlation" },
	{ "fpr", "False positive rate" },
	{ "fnr", "False negative rate" },
	{ "selection_rate", "Selection rate" },
	{ "base_rate", "Base rate" },
	{ "log_loss", "Log loss" },
	{ "brier_score", "Brier score" },
	{ "ece", "Expected calibration error (ECE)" },
	{ "mce", "Maximum calibration error (MCE)" },
	{ "calibration_slope", "Calibration slope" },
	{ "calibration_intercept", "Calibration intercept" },
	{ "mae", "Mean absolute error" },
	{ "mse", "Mean squared error" },
	{ "rmse", "Root mean squared error" },
	{ "r2", "R\xc2\xb2" },
	{ "mape", "Mean absolute percentage error" },
	{ "median_absolute_error", "Median absolute error" },
	{ "f1_macro", "F1 (macro)" },
	{ "f1_micro", "F1 (micro)" },
	{ "f1_weighted", "F1 (weighted)" },
	{ "precision_macro", "Precision (macro)" },
	{ "precision_micro", "Precision (micro)" },
	{ "precision_weighted", "Precision (weighted)" },
	{ "recall_macro", "Recall (macro)" },
	{ "recall_micro", "Recall (micro)" },
	{ "recall_weighted", "Recall (weighted)" },
	{ "demographic_parity_difference", "Demographic parity difference" },
	{ "demographic_parity_ratio", "Demographic parity ratio" },
	{ "equalized_odds_difference", "Equalized odds difference" },
	{ "equalized_odds_ratio", "Equalized odds ratio" },
	{ "equal_opportunity_difference", "Equal opportunity difference" },
	{ "disparate_impact_ratio", "Disparate impact ratio" },
	{ "roc_auc_difference", "ROC AUC difference" },
	{ "roc_auc_champion", "ROC AUC of the champion" },
	{ "roc_auc_challenger", "ROC AUC of the challenger" },
	{ "p_value", "p-value" },
};

const size_t mrm__vr_nmetric_names = sizeof(mrm__vr_metric_names) / sizeof(mrm__vr_metric_names[0]);

const char *mrm__vr_metric_label(const char *k)
{
	for (size_t i = 0; i < mrm__vr_nmetric_names; i++)
		if (!strcmp(mrm__vr_metric_names[i].key, k))
			return mrm__vr_metric_names[i].label;
	return k;
}

/* The same name in lower case for prose ("ROC AUC" stays). */
void mrm__vr_metric_prose(struct mrm__vr *v, const char *k)
{
	const char *l = mrm__vr_metric_label(k);

	if (l == k) {
		code(v, k);
		return;
	}
	if (isupper((unsigned char)l[0]) && !isupper((unsigned char)l[1]))
		P("%c%s", tolower((unsigned char)l[0]), l + 1);
	else
		puts_(v, l);
}

/* Group rates and their other spellings. */
static const char *const alias_tpr[] = { "tpr", "recall", "true_positive_rate", NULL };

static const char *const alias_fpr[] = { "fpr", "false_positive_rate", NULL };

static const char *const alias_sel[] = { "selection_rate", NULL };

static const char *const alias_auc[] = { "roc_auc", NULL };

static const char *const alias_fnr[] = { "fnr", "false_negative_rate", NULL };

static const char *const alias_base[] = { "base_rate", NULL };

/* Slice metrics charted per group column, in order. */
const struct mrm__vr_rate mrm__vr_slice_rates[] = {
	{ "roc_auc", "ROC AUC", alias_auc },
	{ "selection_rate", "Selection rate", alias_sel },
	{ "tpr", "True positive rate", alias_tpr },
	{ "fpr", "False positive rate", alias_fpr },
};

const size_t mrm__vr_nslice_rates = sizeof(mrm__vr_slice_rates) / sizeof(mrm__vr_slice_rates[0]);

const struct mrm__vr_rate *mrm__vr_rate_by_key(const char *k)
{
	static const struct mrm__vr_rate extra[] = {
		{ "fnr", "False negative rate", alias_fnr },
		{ "base_rate", "Base rate", alias_base },
	};
	for (size_t i = 0; i < mrm__vr_nslice_rates; i++)
		if (!strcmp(mrm__vr_slice_rates[i].key, k))
			return &mrm__vr_slice_rates[i];
	for (size_t i = 0; i < NELEM(extra); i++)
		if (!strcmp(extra[i].key, k))
			return &extra[i];
	return NULL;
}

/* A slice's metric under any of its spellings: in "metrics", or at the slice's top level. */
bool mrm__vr_slice_metric(json_t *g, const struct mrm__vr_rate *r, double *x, const char **key)
{
	json_t *m = mrm__json_obj(g, "metrics");
	const char *reason;

	for (const char *const *a = r->alias; *a; a++) {
		if ((m && mrm__json_metric(m, mrm__json_obj(g, "undefined"), *a, x, &reason)) ||
		    mrm__json_num(g, *a, x)) {
			if (key)
				*key = *a;
			return true;
		}
	}
	return false;
}

bool mrm__vr_slice_ci(json_t *g, const char *key, double *lo, double *hi)
{
	json_t *m = mrm__json_obj(g, "metrics"), *e;

	if (mrm__json_interval_of(mrm__json_obj(g, "ci"), key, lo, hi))
		return true;
	/* Also {"metrics": {"k": {"value", "ci": [lo, hi]}}}. */
	e = m ? json_object_get(m, key) : NULL;
	return json_is_object(e) && mrm__json_interval(json_object_get(e, "ci"), lo, hi);
}

/* Why a slice is flagged small (its warning), or NULL. */
const char *mrm__vr_slice_small(json_t *g)
{
	json_t *s = json_object_get(g, "small");
	const char *w = mrm__json_str(g, "warning");

	if (w)
		return w;
	if (json_is_string(s))
		return json_string_value(s);
	if (json_is_true(s))
		return "too small to support a conclusion";
	return NULL;
}

double mrm__vr_slice_n(json_t *g)
{
	double n;

	return mrm__json_num2(g, "n", "rows", &n) ? n : 0;
}

const struct mrm__vr_disparity mrm__vr_disparities[] = {
	{ "demographic_parity_difference", "Demographic parity difference", false,
	  "selection_rate", NULL },
	{ "equalized_odds_difference", "Equalized odds difference", false, "tpr", "fpr" },
	{ "equal_opportunity_difference", "Equal opportunity difference", false, "tpr", NULL },
	{ "demographic_parity_ratio", "Demographic parity ratio", true, "selection_rate", NULL },
	{ "equalized_odds_ratio", "Equalized odds ratio", true, "tpr", "fpr" },
	{ "disparate_impact_ratio", "Disparate impact ratio", true, "selection_rate", NULL },
};

const size_t mrm__vr_ndisparities = sizeof(mrm__vr_disparities) / sizeof(mrm__vr_disparities[0]);

const struct mrm__vr_disparity *mrm__vr_disparity_by_key(const char *k)
{
	for (size_t i = 0; i < mrm__vr_ndisparities; i++)
		if (k && !strcmp(mrm__vr_disparities[i].key, k))
			return &mrm__vr_disparities[i];
	return NULL;
}

static bool is_word(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Where key occurs in s as a whole word, or NULL. */
static const char *find_word(const char *s, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = s; (p = strstr(p, key)); p += kl)
		if ((p == s || !is_word(p[-1])) && !is_word(p[kl]))
			return p;
	return NULL;
}

/* The metric a test is about: its "metric", else the longest metric name in its condition or name. */
const char *mrm__vr_test_metric(json_t *t)
{
	const char *m = mrm__json_str(t, "metric"), *texts[2], *best = NULL;

	if (m)
		return m;
	texts[0] = mrm__json_str(t, "condition");
	texts[1] = mrm__json_str(t, "name");
	for (int j = 0; j < 2 && !best; j++) {
		if (!texts[j])
			continue;
		for (size_t i = 0; i < mrm__vr_nmetric_names; i++)
			if (find_word(texts[j], mrm__vr_metric_names[i].key) &&
			    (!best || strlen(mrm__vr_metric_names[i].key) > strlen(best)))
				best = mrm__vr_metric_names[i].key;
	}
	return best;
}

/*
 * The group column a test is about: its "group" (or "column", "for"),
 * else the word after " for " in its condition. Written to buf.
 */
const char *mrm__vr_test_column(json_t *t, char *buf, size_t len)
{
	const char *c = mrm__json_str(t, "group"), *p;
	size_t n = 0;

	if (!c)
		c = mrm__json_str(t, "column");
	if (!c)
		c = mrm__json_str(t, "for");
	if (c)
		return c;
	c = mrm__json_str(t, "condition");
	p = c ? strstr(c, " for ") : NULL;
	if (!p)
		return NULL;
	p += 5;
	while (*p == ' ')
		p++;
	if (!strncmp(p, "each ", 5))
		p += 5;
	while (*p == ' ')
		p++;
	while (p[n] && p[n] != ' ' && p[n] != ')' && n + 1 < len)
		n++;
	if (n == 0)
		return NULL;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

/* The threshold a condition sets on key ("key >= 0.8"): the number and the operator. */
bool mrm__vr_condition_threshold(const char *cond, const char *key, double *x,
				char op[3])
{
	const char *p = cond ? find_word(cond, key) : NULL;
	char *end;
	size_t n = 0;

	if (!p)
		return false;
	p += strlen(key);
	while (*p == ' ')
		p++;
	while (n < 2 && (p[n] == '<' || p[n] == '>' || p[n] == '=' || p[n] == '!'))
		n++;
	if (n == 0)
		return false;
	memcpy(op, p, n);
	op[n] = '\0';
	p += n;
	*x = strtod(p, &end);
	return end != p && isfinite(*x);
}

/* The list of tests: "tests" as an array, or an object holding "results". */
json_t *mrm__vr_tests_array(json_t *doc)
{
	json_t *t = json_object_get(doc, "tests");

	if (json_is_array(t))
		return t;
	if (json_is_object(t)) {
		if (mrm__json_arr(t, "results"))
			return mrm__json_arr(t, "results");
		return mrm__json_arr(t, "tests");
	}
	return NULL;
}

/* The disparate impact ratio of a fairness entry and whether it fails four-fifths. */
bool mrm__vr_four_fifths_fails(json_t *f, double *di)
{
	int pass = mrm__json_pass(json_object_get(f, "four_fifths_rule"));
	bool have = mrm__json_num2(f, "disparate_impact_ratio", "demographic_parity_ratio", di);
	double t = CONV_RATIO;

	if (pass >= 0)
		return pass == 0;
	mrm__json_num(f, "four_fifths_threshold", &t);
	return have && *di < t;
}

/*
 * "the worst slice 'Hispanic' by ROC AUC (0.6379)": from {"slice",
 * "metric", "value"} (mrm validate) or {"value": NAME, "metric",
 * "metric_value"}. Writes nothing and returns false without a slice name.
 */
bool mrm__vr_worst_phrase(struct mrm__vr *v, json_t *w)
{
	const char *name = mrm__json_str(w, "slice"), *metric = mrm__json_str(w, "metric");
	double x;
	bool has_x;

	if (name)
		has_x = mrm__json_num(w, "value", &x);
	else {
		name = mrm__json_str(w, "value");
		has_x = mrm__json_num(w, "metric_value", &x);
	}
	if (!name)
		return false;
	puts_(v, "&#39;");
	esc(v, name);
	puts_(v, "&#39;");
	if (metric) {
		puts_(v, " by ");
		mrm__vr_metric_prose(v, metric);
		if (has_x) {
			puts_(v, " (");
			num(v, x);
			puts_(v, ")");
		}
	}
	return true;
}

void mrm__vr_not_computed(struct mrm__vr *v, const char *why)
{
	puts_(v, "<p class=\"note\">Not computed");
	if (why) {
		puts_(v, ": ");
		puts_(v, why);
	}
	puts_(v, ".</p>\n");
}

/* A cell with an interval "0.6897 – 0.7145", or a dash. */
void mrm__vr_td_ci(struct mrm__vr *v, bool have, double lo, double hi)
{
	char a[MRM__NUM], b[MRM__NUM], c[MRM__NUM], d[MRM__NUM];

	if (!have) {
		puts_(v, "<td class=\"num\">" MRM__DASH "</td>");
		return;
	}
	P("<td class=\"num\" title=\"%s to %s\">%s \xe2\x80\x93 %s</td>", mrm__fmt_full(a, lo),
	  mrm__fmt_full(b, hi), mrm__fmt_metric(c, lo), mrm__fmt_metric(d, hi));
}

/* A column header for narrow tables: "TPR" for recall. */
const char *mrm__vr_short_label(const char *k)
{
	static const struct mrm__vr_name s[] = {
		{ "recall", "TPR" }, { "tpr", "TPR" }, { "fpr", "FPR" }, { "fnr", "FNR" },
		{ "selection_rate", "Selection rate" }, { "specificity", "TNR" },
		{ "balanced_accuracy", "Bal. accuracy" }, { "matthews_corrcoef", "MCC" },
		{ "average_precision", "AP" }, { "ks_statistic", "KS" },
	};
	for (size_t i = 0; i < NELEM(s); i++)
		if (!strcmp(s[i].key, k))
			return s[i].label;
	return mrm__vr_metric_label(k);
}

/* The threshold shown for a disparity of col: a test's, else the convention. */
double mrm__vr_disparity_threshold(struct mrm__vr *v, const char *col, const struct mrm__vr_disparity *d,
				  bool *from_test, char op[3])
{
	json_t *t;
	size_t i;
	char buf[256];
	double x;
	bool di = !strcmp(d->key, "disparate_impact_ratio");

	*from_test = false;
	json_array_foreach(v->tests, i, t) {
		const char *m = mrm__vr_test_metric(t), *c = mrm__vr_test_column(t, buf, sizeof(buf));
		if (m && c && !strcmp(m, d->key) && !strcmp(c, col) &&
		    mrm__vr_condition_threshold(mrm__json_str(t, "condition"), d->key, &x, op)) {
			*from_test = true;
			return x;
		}
	}
	snprintf(op, 3, "%s", d->ratio ? ">=" : "<=");
	/* The result may say which four-fifths threshold it applied. */
	if (di && mrm__json_num(mrm__json_obj(v->fairness, col), "four_fifths_threshold", &x))
		return x;
	return d->ratio ? CONV_RATIO : CONV_DIFFERENCE;
}

bool mrm__vr_meets(double x, const char *op, double t)
{
	if (!strcmp(op, ">="))
		return x >= t;
	if (!strcmp(op, ">"))
		return x > t;
	if (!strcmp(op, "<="))
		return x <= t;
	if (!strcmp(op, "<"))
		return x < t;
	return true;
}

/* A comparison operator as one character (UTF-8). */
const char *mrm__vr_op_text(const char *op)
{
	if (!strcmp(op, ">="))
		return "\xe2\x89\xa5";
	if (!strcmp(op, "<="))
		return "\xe2\x89\xa4";
	if (!strcmp(op, "!="))
		return "\xe2\x89\xa0";
	if (!strcmp(op, "=="))
		return "=";
	return op;
}
