/*
 * Shared by the files of the validation report (validation*.c), not a
 * public API: the render state, limits, conventions and the helpers one
 * part of the page borrows from another.
 */
#ifndef MRM_REPORT_VALIDATION_H
#define MRM_REPORT_VALIDATION_H

#include <stdbool.h>
#include <stddef.h>

#include "report/internal.h"

/* Ceilings that keep the page bounded whatever the result holds. */
#define MAX_TEXT 300          /* bytes of one user string shown */
#define MAX_LONG_TEXT 2000    /* a path, a warning */
#define MAX_TESTS 500         /* rows of the tests table */
#define MAX_SUMMARY_ITEMS 20  /* failed tests, warnings listed in the summary */
#define MAX_WARNINGS 200
#define MAX_GROUP_COLUMNS 20
#define MAX_SLICE_ROWS 200    /* rows of a slice table */
#define MAX_CHART_SLICES 30   /* rows of a slice chart */
#define MAX_BINS 200          /* reliability, lift, histogram bins */
#define MAX_METRIC_ROWS 200
#define MAX_SLICE_COLUMNS 6   /* metric columns of a slice table */

/* Conventional thresholds drawn on the fairness chart (a test's own threshold wins). */
#define CONV_DIFFERENCE 0.1
#define CONV_RATIO 0.8

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The render state: the writer and the parts of the result every section reads. */
struct mrm__vr {
	struct mrm__out *o;
	json_t *doc;
	json_t *metrics, *ci, *undefined, *ci_method, *ci_undef;
	json_t *groups, *fairness, *worst, *tests, *comparison;
	json_t *calibration, *curves, *lift, *cm;
	const char *task;
	bool has_threshold, has_rows, has_pos;
	double threshold, rows, positives;
	size_t tests_total, tests_failed, tests_na;
};

/* printf to the page, for constant formats with numbers; user text goes through esc(). */
#define P(...) mrm__out_printf(v->o, __VA_ARGS__)

static inline void puts_(struct mrm__vr *v, const char *s)
{
	mrm__out_puts(v->o, s);
}

static inline void esc(struct mrm__vr *v, const char *s)
{
	mrm__html_esc(v->o, s, MAX_TEXT);
}

static inline void code(struct mrm__vr *v, const char *s)
{
	puts_(v, "<code>");
	esc(v, s);
	puts_(v, "</code>");
}

/* A number in prose: short form with the full value as a title. */
static inline void num(struct mrm__vr *v, double x)
{
	char a[MRM__NUM], b[MRM__NUM];

	P("<span title=\"%s\">%s</span>", mrm__fmt_full(a, x), mrm__fmt_short(b, x));
}

static inline void count(struct mrm__vr *v, double x)
{
	char a[MRM__NUM];

	puts_(v, mrm__fmt_count(a, x));
}

/* A metric cell from o[k1] (or o[k2]); a dash when it is not a number. */
static inline void td_field(struct mrm__vr *v, json_t *o, const char *k1, const char *k2)
{
	double x = 0;
	bool ok = mrm__json_num2(o, k1, k2, &x);

	mrm__html_td_metric(v->o, ok, x, NULL);
}

/* A count cell from o[k1] (or o[k2]). */
static inline void td_field_count(struct mrm__vr *v, json_t *o, const char *k1, const char *k2)
{
	double x = 0;
	bool ok = mrm__json_num2(o, k1, k2, &x);

	mrm__html_td_count(v->o, ok, x);
}

/* A key and its plain name. */
struct mrm__vr_name {
	const char *key, *label;
};

/* A slice rate charted per group, with the other keys it may be stored under. */
struct mrm__vr_rate {
	const char *key, *label;
	const char *const *alias;   /* NULL-terminated, the key first */
};

/* A fairness disparity, the group rates it compares, and which side is fairer. */
struct mrm__vr_disparity {
	const char *key, *label;
	bool ratio;                 /* ratio (higher is fairer) or difference (lower is fairer) */
	const char *rate1, *rate2;  /* the group rates it is about (rate2 may be NULL) */
};

/* A reliability bin's fields under their possible spellings. */
struct mrm__vr_bin {
	bool have_pred, have_obs, have_ci, have_edges;
	double pred, obs, lo, hi, count, lower, upper;
};

/* A slice of a group column, and its place in the document (to keep that order). */
struct mrm__vr_slice {
	const char *name;
	json_t *g;
	double n;
	size_t order;
};

/* ---- validation-model.c: names and what the result means -------------- */

/* Metrics in table order with plain names; mrm__vr_metric_label gives k itself when unknown. */
extern const struct mrm__vr_name mrm__vr_metric_names[];
extern const size_t mrm__vr_nmetric_names;
const char *mrm__vr_metric_label(const char *k);
/* The plain name in prose ("false positive rate"); an unknown key as <code>. */
void mrm__vr_metric_prose(struct mrm__vr *v, const char *k);
/* A short column header ("TPR"). */
const char *mrm__vr_short_label(const char *k);

/* The slice rates charted per group (ROC AUC, selection rate, TPR, FPR). */
extern const struct mrm__vr_rate mrm__vr_slice_rates[];
extern const size_t mrm__vr_nslice_rates;
const struct mrm__vr_rate *mrm__vr_rate_by_key(const char *k);
/* A slice's rate under any spelling; *key (may be NULL) gets the spelling found. */
bool mrm__vr_slice_metric(json_t *g, const struct mrm__vr_rate *r, double *x, const char **key);
bool mrm__vr_slice_ci(json_t *g, const char *key, double *lo, double *hi);
/* Why a slice is flagged too small ("small" or "warning"), or NULL. */
const char *mrm__vr_slice_small(json_t *g);
double mrm__vr_slice_n(json_t *g);

extern const struct mrm__vr_disparity mrm__vr_disparities[];
extern const size_t mrm__vr_ndisparities;
const struct mrm__vr_disparity *mrm__vr_disparity_by_key(const char *k);
/* The threshold drawn for a disparity of col and its operator: a test's, else the convention. */
double mrm__vr_disparity_threshold(struct mrm__vr *v, const char *col,
				   const struct mrm__vr_disparity *d, bool *from_test, char op[3]);
/* x op t, for op one of >= > <= < (anything else: true). */
bool mrm__vr_meets(double x, const char *op, double t);
/* ">=" as "\xe2\x89\xa5" and so on, for display. */
const char *mrm__vr_op_text(const char *op);
/* Whether a fairness entry fails the four-fifths rule; *di gets its ratio when known. */
bool mrm__vr_four_fifths_fails(json_t *f, double *di);

/* The tests array of a result ("tests", or its "results"), or NULL. */
json_t *mrm__vr_tests_array(json_t *doc);
/* The metric a test is about (its "metric", else the longest known name in its text). */
const char *mrm__vr_test_metric(json_t *t);
/* The group column a test is about ("group", or the word after "for [each]"), or NULL. */
const char *mrm__vr_test_column(json_t *t, char *buf, size_t len);
/* The number and operator a condition sets on key ("key >= 0.8"). */
bool mrm__vr_condition_threshold(const char *cond, const char *key, double *x, char op[3]);

/* "'Hispanic' by ROC AUC (0.6379)" for a worst_slice entry; false without a slice name. */
bool mrm__vr_worst_phrase(struct mrm__vr *v, json_t *w);
/* A note "Not computed: why." (why is HTML, constant text). */
void mrm__vr_not_computed(struct mrm__vr *v, const char *why);
/* A table cell with an interval "0.6902 \xe2\x80\x93 0.7141", or a dash. */
void mrm__vr_td_ci(struct mrm__vr *v, bool have, double lo, double hi);

/* ---- validation-summary.c ------------------------------------------------ */

/* The summary section: lead paragraph and findings. */
void mrm__vr_render_summary(struct mrm__vr *v);

/* ---- validation-charts.c: each writes one <figure> ---------------------- */

void mrm__vr_chart_roc(struct mrm__vr *v);
void mrm__vr_chart_pr(struct mrm__vr *v);
/* Reads bin i of nbins; uniform bins without edges get i/nbins .. (i+1)/nbins. */
void mrm__vr_read_bin(json_t *b, struct mrm__vr_bin *o, size_t i, size_t nbins, bool uniform);
void mrm__vr_chart_reliability(struct mrm__vr *v, json_t *table, bool uniform);
void mrm__vr_chart_scores(struct mrm__vr *v, json_t *hist);
void mrm__vr_chart_gain(struct mrm__vr *v, json_t *lift);
/* Slice metrics of col with error bars: s[0..n) of `total` slices. */
void mrm__vr_chart_slices(struct mrm__vr *v, const char *col, struct mrm__vr_slice *s, size_t n,
			  size_t total);
/* The disparities of col as bars against their thresholds. */
void mrm__vr_chart_fairness(struct mrm__vr *v, const char *col, json_t *f);

#endif
