/*
 * Slices and fairness: per-group rates at a threshold and Fairlearn's
 * between-group disparities, with small slices flagged.
 *
 * Groups are integer codes 0..G-1 that the caller derives from one
 * categorical column or from the intersection of several. A group with no
 * rows (of weight > 0) is absent: it takes no part in any disparity.
 */
#ifndef MRM_STATS_FAIRNESS_H
#define MRM_STATS_FAIRNESS_H

#include "mrm/stats.h"

/* Defaults of the small-slice rule. */
#define MRM_SMALL_MIN_ROWS 30
#define MRM_SMALL_MIN_CLASS 5
#define MRM_FOUR_FIFTHS 0.8

struct mrm_fairness_options {
	double threshold;     /* predicted positive = score >= threshold */
	size_t min_rows;      /* 0 means MRM_SMALL_MIN_ROWS */
	double min_class;     /* min positives and negatives; 0 means MRM_SMALL_MIN_CLASS */
	double four_fifths;   /* 0 means MRM_FOUR_FIFTHS */
};

/* One group's counts and rates. */
struct mrm_group_stats {
	size_t n;                   /* rows (weight > 0) */
	double weight, positives, negatives, selected;   /* weighted */
	struct mrm_confusion cm;
	struct mrm_metric selection_rate;  /* Fairlearn selection_rate */
	struct mrm_metric base_rate;       /* positives / weight */
	struct mrm_metric tpr;             /* true_positive_rate */
	struct mrm_metric fpr;             /* false_positive_rate */
	struct mrm_metric fnr;             /* false_negative_rate */
	const char *small;  /* NULL, or why the slice is too small to support a conclusion */
};

/* Disparities between groups (Fairlearn, method="between_groups"). */
struct mrm_fairness {
	size_t groups;       /* groups present */
	size_t small_groups; /* of which flagged small */
	/* max - min selection rate: demographic_parity_difference */
	struct mrm_metric demographic_parity_difference;
	/* min / max selection rate: demographic_parity_ratio */
	struct mrm_metric demographic_parity_ratio;
	/* max(TPR max - min, FPR max - min): equalized_odds_difference */
	struct mrm_metric equalized_odds_difference;
	/* min(TPR min/max, FPR min/max): equalized_odds_ratio */
	struct mrm_metric equalized_odds_ratio;
	/* TPR max - min: equal_opportunity_difference */
	struct mrm_metric equal_opportunity_difference;
	/* min / max selection rate (the same number as the DP ratio) */
	struct mrm_metric disparate_impact_ratio;
	bool four_fifths_violated; /* disparate_impact_ratio < four_fifths */
	long worst_selection;      /* group with the lowest selection rate, or -1 */
	long worst_tpr;            /* group with the lowest TPR, or -1 */
	long worst_fpr;            /* group with the highest FPR, or -1 */
};

/*
 * Per-group stats into per_group[0..groups) and disparities into `out`.
 * group[i] must be < `groups` (MRM_EINPUT naming the row otherwise).
 * A group's rate that is undefined (TPR with no positives) is left out of
 * the difference it belongs to; a difference needs two groups with the
 * rate defined. Fairlearn would count such a rate as 0 (through
 * scikit-learn's confusion_matrix(normalize="true")); mrm does not.
 * A slice is small when n < min_rows, positives < min_class or negatives
 * < min_class (weighted counts).
 */
int mrm_fairness(const struct mrm_binary *d, const uint32_t *group,
		 size_t groups, const struct mrm_fairness_options *o,
		 struct mrm_group_stats *per_group, struct mrm_fairness *out,
		 struct mrm_error *err);

#endif
