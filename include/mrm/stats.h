/*
 * Pure numeric kernels of `mrm validate`: arrays in, numbers out.
 *
 * Nothing here reads files, touches the store, prints or keeps global
 * state; every function is safe to call from several threads on different
 * data. Definitions follow scikit-learn 1.2 (and scipy, Fairlearn, pROC
 * where named); docs/metrics.md gives each metric's exact formula, its
 * reference function and its undefined cases.
 *
 * Conventions:
 * - A binary label is a byte, 0 or 1. A score is a finite double: higher
 *   means "more likely positive". A weight is a finite double >= 0; a NULL
 *   weight array means every row weighs 1. Rows of weight 0 are ignored
 *   (as scikit-learn's ranking metrics drop them).
 * - A metric that the data cannot define (AUC with one class, precision
 *   with no predicted positives, log loss of scores outside [0, 1]) is a
 *   struct mrm_metric whose `reason` says why; its value is then NAN and
 *   must not be shown as a number.
 * - Functions that can fail return 0 or an enum mrm_code (MRM_EINPUT for
 *   bad data, naming the row, 0-based) and fill `err` when not NULL.
 *   MRM_EINPUT is also returned when memory runs out ("out of memory").
 * - Row indices are 0-based in messages ("row 12"); a caller that knows
 *   file lines translates them.
 *
 * See also mrm/stats-ci.h (Wilson, DeLong, bootstrap) and
 * mrm/stats-fairness.h (per-group rates and disparities).
 */
#ifndef MRM_STATS_H
#define MRM_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mrm/error.h"

/* A metric value, or the reason it is undefined for the data. */
struct mrm_metric {
	double value;       /* NAN when reason != NULL */
	const char *reason; /* NULL when defined; else a static string */
};

/* True if `m` holds a number. */
static inline bool mrm_metric_ok(struct mrm_metric m)
{
	return m.reason == NULL;
}

/* Reasons (static strings; compare by pointer or text). */
extern const char mrm_reason_no_rows[];      /* "no rows (or all weights are zero)" */
extern const char mrm_reason_one_class[];    /* "only one class present in the labels" */
extern const char mrm_reason_no_positives[]; /* "no positive rows" */
extern const char mrm_reason_no_negatives[]; /* "no negative rows" */
extern const char mrm_reason_no_predicted_positives[];
extern const char mrm_reason_not_probabilities[];
extern const char mrm_reason_weighted[];     /* method does not support weights */

/* ------------------------------------------------------------------ */
/* Sorting                                                             */
/* ------------------------------------------------------------------ */

/*
 * Sorts `x[0..n)` ascending with an LSD radix sort on the IEEE-754 bit
 * pattern (11-bit digits, passes whose digit is constant are skipped),
 * carrying `payload` (may be NULL) along. Stable. -0.0 sorts as +0.0. NaN
 * must not occur (MRM_EINPUT naming the row). Uses 12 bytes of scratch per
 * row. MRM_EINPUT also when memory runs out.
 */
int mrm_sort_doubles(double *x, uint32_t *payload, size_t n,
		     struct mrm_error *err);

/* ------------------------------------------------------------------ */
/* Binary classification                                               */
/* ------------------------------------------------------------------ */

/* Binary classification data: a borrowed view, never freed by mrm. */
struct mrm_binary {
	size_t n;
	const uint8_t *y;      /* [n] 0 or 1 */
	const double *score;   /* [n] finite */
	const double *weight;  /* [n] finite >= 0, or NULL for all 1 */
};

/*
 * Checks that every label is 0 or 1, every score finite and every weight
 * finite and >= 0. MRM_EINPUT with the first bad row: "row 7: label is 2,
 * expected 0 or 1", "row 7: score is NaN", "row 7: score is infinite",
 * "row 7: weight is negative". Every function below that takes a
 * struct mrm_binary runs this check itself.
 */
int mrm_binary_check(const struct mrm_binary *d, struct mrm_error *err);

/* True if every score (of a row with weight > 0) lies in [0, 1]. */
bool mrm_binary_is_probability(const struct mrm_binary *d);

/* Weighted confusion matrix at a threshold: predicted positive = score >= t. */
struct mrm_confusion {
	double tn, fp, fn, tp;
};

/* Metric ids: the order of struct mrm_binary_metrics.m and bootstrap CIs. */
enum mrm_binary_metric_id {
	MRM_ROC_AUC,
	MRM_GINI,
	MRM_AVERAGE_PRECISION,
	MRM_KS_STATISTIC,
	MRM_LOG_LOSS,
	MRM_BRIER_SCORE,
	MRM_ECE,
	MRM_MCE,
	MRM_ACCURACY,
	MRM_BALANCED_ACCURACY,
	MRM_PRECISION,
	MRM_RECALL,
	MRM_SPECIFICITY,
	MRM_F1,
	MRM_MATTHEWS_CORRCOEF,
	MRM_FPR,
	MRM_FNR,
	MRM_SELECTION_RATE,
	MRM_BINARY_METRIC_COUNT
};

/* The JSON key of a metric id ("roc_auc", "f1", ...); NULL if out of range. */
const char *mrm_binary_metric_name(int id);

/* Metric id of a JSON key, or -1. */
int mrm_binary_metric_id(const char *name);

/*
 * The metrics of a confusion matrix, written into m[MRM_ACCURACY ..
 * MRM_SELECTION_RATE] (other entries untouched). Undefined: accuracy and
 * selection_rate with no rows; precision with no predicted positives;
 * recall/fnr with no positives; specificity/fpr with no negatives;
 * balanced_accuracy without both classes; f1 when tp + fp + fn == 0;
 * matthews_corrcoef when its denominator is 0 (scikit-learn returns 0.0
 * there; mrm says it is undefined).
 */
void mrm_confusion_metrics(const struct mrm_confusion *c, struct mrm_metric *m);

/*
 * The scores ranked once: distinct scores in descending order with the
 * cumulative weighted positives (tps) and negatives (fps) at or above each
 * one: exactly scikit-learn's _binary_clf_curve. Built by one radix sort;
 * every ranking metric, curve, sweep, lift table, quantile binning, DeLong
 * and bootstrap then runs in O(k) or O(n) without sorting again.
 * All arrays are owned by the struct; release with mrm_ranked_release().
 */
struct mrm_ranked {
	size_t n;          /* rows with weight > 0 */
	size_t k;          /* distinct scores among them */
	bool weighted;     /* built with a weight array */
	double *score;     /* [k] distinct scores, descending */
	double *tps;       /* [k] weighted positives with score >= score[g] */
	double *fps;       /* [k] weighted negatives with score >= score[g] */
	size_t *rows;      /* [k] rows with score >= score[g] (unweighted) */
	uint32_t *order;   /* [n] row indices by descending score; ties by row */
	double total_pos;  /* tps[k-1], 0 if k == 0 */
	double total_neg;  /* fps[k-1], 0 if k == 0 */
};

/*
 * Checks `d` and ranks it (O(n) radix sort). n must be < 2^31.
 * MRM_EINPUT for bad data or out of memory. On error `r` is left empty
 * (safe to release).
 */
int mrm_ranked_build(struct mrm_ranked *r, const struct mrm_binary *d,
		     struct mrm_error *err);

/* Frees the arrays of `r` and zeroes it. NULL is a no-op. */
void mrm_ranked_release(struct mrm_ranked *r);

/*
 * ROC AUC: the trapezoidal area under (FPR, TPR) over the distinct
 * thresholds, ties counting half (scikit-learn roc_auc_score).
 * Undefined with one class.
 */
struct mrm_metric mrm_roc_auc(const struct mrm_ranked *r);

/* Gini coefficient 2 * AUC - 1 (undefined when AUC is). */
struct mrm_metric mrm_gini(const struct mrm_ranked *r);

/*
 * Average precision: sum over distinct thresholds of (R_g - R_{g-1}) P_g
 * (scikit-learn average_precision_score, no interpolation). Undefined with
 * no positives (scikit-learn returns 0 with a warning).
 */
struct mrm_metric mrm_average_precision(const struct mrm_ranked *r);

/*
 * Kolmogorov-Smirnov statistic: max over thresholds of |TPR - FPR|, the
 * two-sample KS distance between the score distributions of positives and
 * negatives (scipy.stats.ks_2samp(...).statistic; weighted empirical CDFs
 * when weighted). Undefined with one class.
 */
struct mrm_metric mrm_ks_statistic(const struct mrm_ranked *r);

/* Confusion matrix at threshold `t` from the ranking, O(log k). */
void mrm_ranked_confusion(const struct mrm_ranked *r, double t,
			  struct mrm_confusion *out);

/*
 * Threshold sweep: the confusion matrix at each of `k` thresholds (any
 * order), O(k log r->k). For every distinct score pass r->score, r->k.
 */
void mrm_threshold_sweep(const struct mrm_ranked *r, const double *thresholds,
			 size_t k, struct mrm_confusion *out);

/*
 * A curve: `len` points (x[i], y[i]) and thresholds. For a ROC curve
 * x = FPR, y = TPR and thresholds[len] as scikit-learn's roc_curve
 * (thresholds[0] = max score + 1, the (0, 0) point). For a precision-recall
 * curve x = recall (decreasing), y = precision, and thresholds has len - 1
 * entries, increasing, as precision_recall_curve (the last point is
 * (recall 0, precision 1) and has no threshold). When the curve is
 * undefined `len` is 0 and `reason` says why.
 */
struct mrm_curve {
	size_t len;
	double *x;
	double *y;
	double *thresholds;
	const char *reason;
};

/*
 * ROC curve. With `drop_intermediate` the points that are neither a corner
 * in FPR nor in TPR are dropped exactly as scikit-learn 1.2 does (a point
 * i is kept when the second difference of fps or of tps at i is nonzero,
 * plus both ends); without it every distinct score is a point. Undefined
 * (len 0) with one class. MRM_EINPUT only for out of memory.
 */
int mrm_roc_curve(const struct mrm_ranked *r, bool drop_intermediate,
		  struct mrm_curve *out, struct mrm_error *err);

/* Precision-recall curve; undefined (len 0) with no positives. */
int mrm_pr_curve(const struct mrm_ranked *r, struct mrm_curve *out,
		 struct mrm_error *err);

/* Frees a curve's arrays and zeroes it. NULL is a no-op. */
void mrm_curve_release(struct mrm_curve *c);

/*
 * One row of a lift / gain table. Bins hold equal shares of the total
 * weight (rows when unweighted) in descending score order; a run of tied
 * scores that straddles a boundary is split between the bins in
 * proportion to the share of it each bin holds (the expected result of
 * breaking the tie at random), so `weight` and `positives` can be
 * fractional and the table does not depend on row order.
 */
struct mrm_lift_bin {
	double weight;      /* total weight (rows) in the bin */
	double positives;   /* weighted positives in the bin */
	double min_score;   /* lowest score in the bin */
	double max_score;   /* highest score in the bin */
	double rate;        /* positives / weight */
	double lift;        /* rate / overall positive rate */
	double cum_gain;    /* share of all positives captured up to this bin */
	double cum_lift;    /* cumulative rate / overall rate */
};

/*
 * Lift and gain table with `bins` bins (10 for deciles) written into
 * out[0..bins), bin 0 holding the highest scores. MRM_EINPUT if bins is
 * 0, or there are no rows or no positives (the message says which).
 */
int mrm_lift_table(const struct mrm_ranked *r, size_t bins,
		   struct mrm_lift_bin *out, struct mrm_error *err);

/*
 * Log loss, scikit-learn 1.2 log_loss(y, p, labels=[0, 1],
 * sample_weight=w): p clipped to [eps, 1 - eps] with eps = DBL_EPSILON
 * (np.finfo(float64).eps, the 1.2 "auto"), then the pair (1-p, p)
 * renormalised. Computed even with one class (the labels=[0, 1] call).
 * Undefined when scores are not probabilities or there are no rows.
 * MRM_EINPUT for bad data.
 */
int mrm_log_loss(const struct mrm_binary *d, struct mrm_metric *out,
		 struct mrm_error *err);

/* Brier score (scikit-learn brier_score_loss): weighted mean (p - y)^2. */
int mrm_brier_score(const struct mrm_binary *d, struct mrm_metric *out,
		    struct mrm_error *err);

/* Confusion matrix at threshold t (score >= t), O(n), no sort. */
int mrm_confusion_at(const struct mrm_binary *d, double t,
		     struct mrm_confusion *out, struct mrm_error *err);

/* Every binary metric at once (what `mrm validate` reports). */
struct mrm_binary_metrics {
	size_t rows;                 /* rows with weight > 0 */
	double weight;               /* their total weight */
	double positives;            /* weighted positives */
	double threshold;
	struct mrm_confusion confusion;
	struct mrm_metric m[MRM_BINARY_METRIC_COUNT];
};

/*
 * Computes every metric of enum mrm_binary_metric_id from the ranking `r`
 * of `d` (build it with mrm_ranked_build; it is reused for curves, DeLong
 * and the bootstrap). Every metric, including log loss, Brier and ECE, is
 * summed over the r->k distinct scores, not the rows, so this costs O(k).
 * ECE/MCE use `ece_bins` equal-width bins (10 if 0, at most
 * MRM_ACC_MAX_BINS). MRM_EINPUT if `r` has more rows than `d`.
 */
int mrm_binary_metrics(const struct mrm_binary *d, const struct mrm_ranked *r,
		       double threshold, size_t ece_bins,
		       struct mrm_binary_metrics *out, struct mrm_error *err);

/* ------------------------------------------------------------------ */
/* Streaming accumulator: bounded memory, mergeable                    */
/* ------------------------------------------------------------------ */

#define MRM_ACC_MAX_BINS 100

/*
 * Accumulates, over batches of rows in any order and split across threads
 * or processes, everything that needs only sums: the confusion matrix at a
 * fixed threshold and its metrics, log loss, Brier score, and ECE/MCE with
 * equal-width bins. Ranking metrics (AUC, AP, KS, curves, lift, quantile
 * bins) need all scores and are not available here: use mrm_ranked.
 * A caller-owned value; no heap memory; copy freely.
 */
struct mrm_binary_acc {
	double threshold;
	size_t bins;
	size_t rows;        /* rows seen (including weight 0) */
	size_t used;        /* rows with weight > 0 */
	struct mrm_confusion cm;
	double sum_w;
	double sum_pos;
	double sum_logloss; /* weighted, valid while probability */
	double sum_brier;
	bool not_probability;
	double bin_w[MRM_ACC_MAX_BINS];
	double bin_p[MRM_ACC_MAX_BINS];
	double bin_y[MRM_ACC_MAX_BINS];
};

/* Starts an accumulator. `bins` 0 means 10; more than MRM_ACC_MAX_BINS is clamped. */
void mrm_binary_acc_init(struct mrm_binary_acc *a, double threshold,
			 size_t bins);

/*
 * Adds a batch. Bad rows give MRM_EINPUT naming the row counted from the
 * first row ever added; the accumulator is then unchanged.
 */
int mrm_binary_acc_add(struct mrm_binary_acc *a, const struct mrm_binary *batch,
		       struct mrm_error *err);

/* Adds `b` into `a` (same threshold and bins; MRM_EINPUT otherwise). */
int mrm_binary_acc_merge(struct mrm_binary_acc *a, const struct mrm_binary_acc *b,
			 struct mrm_error *err);

/*
 * Fills the count-based metrics of `out` (confusion metrics, log_loss,
 * brier_score, ece, mce); the ranking metrics are set undefined with the
 * reason "needs every score (use mrm_ranked)".
 */
void mrm_binary_acc_finish(const struct mrm_binary_acc *a,
			   struct mrm_binary_metrics *out);

/* ------------------------------------------------------------------ */
/* Calibration                                                         */
/* ------------------------------------------------------------------ */

enum mrm_binning {
	MRM_BINS_UNIFORM,  /* equal width on [0, 1] */
	MRM_BINS_QUANTILE, /* equal count: edges at score percentiles */
};

/* One bin of a reliability table. */
struct mrm_reliability_bin {
	double lower, upper;     /* bin edges */
	size_t count;            /* rows */
	double weight;           /* total weight (= count when unweighted) */
	double mean_predicted;   /* weighted mean score (NAN if empty) */
	double observed_rate;    /* weighted positive rate (NAN if empty) */
	double ci_low, ci_high;  /* 95% Wilson interval of observed_rate */
};

/*
 * Reliability table, ECE and MCE with `bins` bins (0 means 10), written to
 * table[0..bins). Bin edges are scikit-learn calibration_curve's: uniform
 * edges np.linspace(0, 1, bins + 1); quantile edges np.percentile(scores,
 * np.linspace(0, 1, bins + 1) * 100) (linear interpolation, over rows of
 * weight > 0); a score s goes to bin np.searchsorted(inner_edges, s), i.e.
 * the number of inner edges strictly below s (a score equal to an edge
 * falls in the lower bin). ECE = sum_b W_b / W * |mean_predicted_b -
 * observed_rate_b| over non-empty bins; MCE = max_b of the same gap.
 * Quantile bins need the ranking `r`; with `r` the pass runs over its k
 * distinct scores (O(k)), without it (uniform only) over the rows of `d`.
 * Scores not in [0, 1]: both undefined, table zeroed, return 0.
 */
int mrm_calibration(const struct mrm_binary *d, const struct mrm_ranked *r,
		    enum mrm_binning binning, size_t bins,
		    struct mrm_reliability_bin *table, struct mrm_metric *ece,
		    struct mrm_metric *mce, struct mrm_error *err);

/*
 * Calibration slope and intercept: the unpenalised maximum-likelihood
 * logistic regression y ~ a + b * logit(p) (with weights), p clipped to
 * [DBL_EPSILON, 1 - DBL_EPSILON], solved by Newton-Raphson (IRLS) to
 * machine precision (statsmodels Logit, or scikit-learn
 * LogisticRegression(penalty=None)). Rows with equal scores are pooled,
 * so the fit costs O(k) per iteration on the ranking `r` (k distinct
 * scores), not O(n). Undefined: scores not probabilities, one class,
 * constant scores, or no finite maximum (perfect separation). Returns 0;
 * MRM_EINPUT only when memory runs out.
 */
struct mrm_calibration_fit {
	struct mrm_metric slope;
	struct mrm_metric intercept;
	int iterations;
};

int mrm_calibration_slope(const struct mrm_ranked *r,
			  struct mrm_calibration_fit *out, struct mrm_error *err);

/* ------------------------------------------------------------------ */
/* Regression                                                          */
/* ------------------------------------------------------------------ */

struct mrm_regression {
	size_t n;
	const double *y_true;  /* [n] finite */
	const double *y_pred;  /* [n] finite */
	const double *weight;  /* [n] finite >= 0, or NULL */
};

struct mrm_regression_metrics {
	struct mrm_metric mae;   /* mean_absolute_error */
	struct mrm_metric mse;   /* mean_squared_error */
	struct mrm_metric rmse;  /* mean_squared_error(squared=False) */
	struct mrm_metric r2;    /* r2_score; undefined when y_true is constant */
	struct mrm_metric mape;  /* mean_absolute_percentage_error (eps = DBL_EPSILON) */
	struct mrm_metric median_absolute_error; /* weighted: lower weighted median */
};

/*
 * Regression metrics as scikit-learn 1.2 (weighted where it supports
 * weights). r2 with constant y_true is undefined (scikit-learn's
 * force_finite gives 1.0 or 0.0). MRM_EINPUT for NaN/inf or bad weights.
 */
int mrm_regression_metrics(const struct mrm_regression *d,
			   struct mrm_regression_metrics *out,
			   struct mrm_error *err);

/* ------------------------------------------------------------------ */
/* Multiclass                                                          */
/* ------------------------------------------------------------------ */

struct mrm_multiclass {
	size_t n;
	size_t k;               /* classes, codes 0..k-1 */
	const uint32_t *y;      /* [n] true class */
	const uint32_t *pred;   /* [n] predicted class, or NULL: argmax of proba */
	const double *proba;    /* [n*k] row-major probabilities, or NULL */
	const double *weight;   /* [n] or NULL */
};

struct mrm_multiclass_metrics {
	struct mrm_metric accuracy;
	struct mrm_metric precision_macro, precision_micro, precision_weighted;
	struct mrm_metric recall_macro, recall_micro, recall_weighted;
	struct mrm_metric f1_macro, f1_micro, f1_weighted;
	struct mrm_metric log_loss;   /* undefined without proba */
	size_t classes_present;       /* labels in y or pred (averaged over) */
	size_t ill_defined;           /* per-class metrics set to 0 (zero_division) */
};

/*
 * Multiclass metrics as scikit-learn 1.2 precision_recall_fscore_support
 * with zero_division="warn": averages run over the classes present in y or
 * pred (sklearn's unique_labels); a per-class precision (recall, F1) whose
 * denominator is 0 counts as 0 and is counted in `ill_defined`. Log loss
 * is log_loss(y, proba, labels=range(k)): each probability clipped to
 * [eps, 1 - eps], rows renormalised. When `pred` is NULL the prediction is
 * the first argmax of the row. MRM_EINPUT: class code >= k, NaN, negative
 * probability, neither pred nor proba.
 */
int mrm_multiclass_metrics(const struct mrm_multiclass *d,
			   struct mrm_multiclass_metrics *out,
			   struct mrm_error *err);

#endif
