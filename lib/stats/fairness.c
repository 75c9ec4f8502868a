/* Per-group rates at a threshold and Fairlearn's between-group disparities. */
#include <stdlib.h>

#include "mrm/stats-fairness.h"
#include "stats/internal.h"

static const char reason_small_rows[] = "fewer rows than the minimum for a conclusion";
static const char reason_small_pos[] = "fewer positives than the minimum for a conclusion";
static const char reason_small_neg[] = "fewer negatives than the minimum for a conclusion";
static const char reason_two_groups[] = "fewer than two groups with this rate defined";
static const char reason_zero_max[] = "the largest rate is zero";

/* Range of a per-group rate over the groups where it is defined. */
struct range {
	double lo, hi;
	long lo_at, hi_at;
	size_t count;
};

static void range_add(struct range *r, struct mrm_metric m, long g)
{
	if (m.reason)
		return;
	if (r->count == 0 || m.value < r->lo) {
		r->lo = m.value;
		r->lo_at = g;
	}
	if (r->count == 0 || m.value > r->hi) {
		r->hi = m.value;
		r->hi_at = g;
	}
	r->count++;
}

static struct mrm_metric range_diff(const struct range *r)
{
	return r->count < 2 ? mrm__undef(reason_two_groups) : mrm__val(r->hi - r->lo);
}

static struct mrm_metric range_ratio(const struct range *r)
{
	if (r->count < 2)
		return mrm__undef(reason_two_groups);
	return r->hi == 0 ? mrm__undef(reason_zero_max) : mrm__val(r->lo / r->hi);
}

int mrm_fairness(const struct mrm_binary *d, const uint32_t *group,
		 size_t groups, const struct mrm_fairness_options *o,
		 struct mrm_group_stats *pg, struct mrm_fairness *out,
		 struct mrm_error *err)
{
	size_t min_rows = o->min_rows ? o->min_rows : MRM_SMALL_MIN_ROWS;
	double min_class = o->min_class > 0 ? o->min_class : MRM_SMALL_MIN_CLASS;
	double ff = o->four_fifths > 0 ? o->four_fifths : MRM_FOUR_FIFTHS;
	struct range sel = { 0 }, tpr = { 0 }, fpr = { 0 };
	size_t i, g;
	int rc;

	rc = mrm_binary_check(d, err);
	if (rc)
		return rc;
	for (i = 0; i < d->n; i++)
		if (group[i] >= groups)
			return mrm_error_set(err, MRM_EINPUT,
					     "row %zu: group code %u is not below %zu", i,
					     (unsigned)group[i], groups);
	memset(pg, 0, groups * sizeof(*pg));
	memset(out, 0, sizeof(*out));
	for (i = 0; i < d->n; i++) {
		double w = d->weight ? d->weight[i] : 1.0;
		struct mrm_group_stats *s = &pg[group[i]];
		bool sel_i = d->score[i] >= o->threshold;

		if (w == 0)
			continue;
		s->n++;
		if (d->y[i]) {
			if (sel_i)
				s->cm.tp += w;
			else
				s->cm.fn += w;
		} else {
			if (sel_i)
				s->cm.fp += w;
			else
				s->cm.tn += w;
		}
	}
	for (g = 0; g < groups; g++) {
		struct mrm_group_stats *s = &pg[g];

		s->positives = s->cm.tp + s->cm.fn;
		s->negatives = s->cm.tn + s->cm.fp;
		s->weight = s->positives + s->negatives;
		s->selected = s->cm.tp + s->cm.fp;
		s->selection_rate = mrm__ratio(s->selected, s->weight, mrm_reason_no_rows);
		s->base_rate = mrm__ratio(s->positives, s->weight, mrm_reason_no_rows);
		s->tpr = mrm__ratio(s->cm.tp, s->positives, mrm_reason_no_positives);
		s->fnr = mrm__ratio(s->cm.fn, s->positives, mrm_reason_no_positives);
		s->fpr = mrm__ratio(s->cm.fp, s->negatives, mrm_reason_no_negatives);
		if (s->n == 0)
			continue;
		out->groups++;
		if (s->n < min_rows)
			s->small = reason_small_rows;
		else if (s->positives < min_class)
			s->small = reason_small_pos;
		else if (s->negatives < min_class)
			s->small = reason_small_neg;
		out->small_groups += s->small != NULL;
		range_add(&sel, s->selection_rate, (long)g);
		range_add(&tpr, s->tpr, (long)g);
		range_add(&fpr, s->fpr, (long)g);
	}
	out->demographic_parity_difference = range_diff(&sel);
	out->demographic_parity_ratio = range_ratio(&sel);
	out->disparate_impact_ratio = out->demographic_parity_ratio;
	out->equal_opportunity_difference = range_diff(&tpr);
	{
		struct mrm_metric dt = range_diff(&tpr), df = range_diff(&fpr);
		struct mrm_metric rt = range_ratio(&tpr), rf = range_ratio(&fpr);

		if (dt.reason)
			out->equalized_odds_difference = dt;
		else if (df.reason)
			out->equalized_odds_difference = df;
		else
			out->equalized_odds_difference = mrm__val(fmax(dt.value, df.value));
		if (rt.reason)
			out->equalized_odds_ratio = rt;
		else if (rf.reason)
			out->equalized_odds_ratio = rf;
		else
			out->equalized_odds_ratio = mrm__val(fmin(rt.value, rf.value));
	}
	out->four_fifths_violated = !out->disparate_impact_ratio.reason &&
				    out->disparate_impact_ratio.value < ff;
	out->worst_selection = sel.count ? sel.lo_at : -1;
	out->worst_tpr = tpr.count ? tpr.lo_at : -1;
	out->worst_fpr = fpr.count ? fpr.hi_at : -1;
	return 0;
}
