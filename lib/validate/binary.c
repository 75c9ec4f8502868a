/*
 * The binary-classification report of `mrm validate`: one sort of the
 * scores, then every metric, interval, curve, slice, fairness disparity
 * and the champion comparison from the kernels of lib/stats, with the rows
 * kept in rank order so that every later pass reads memory in sequence.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/internal.h"

#define CURVE_POINTS 200
#define HIST_BINS 20
#define HIST_VALUES 30

static const char reason_hard[] = "--prediction gives predicted classes, not scores";
static const char reason_no_threshold[] =
	"scores are not probabilities: give --threshold for the metrics at a threshold";
static const char reason_weighted_delong[] =
	"DeLong's interval is not defined for weighted data (use --bootstrap)";

struct bctx {
	struct mrm__vdata *d;
	const struct mrm_validate_options *o;
	size_t n;
	uint8_t *y;          /* labels in rank order */
	double *score;       /* scores in rank order (descending) */
	double *w;           /* weights in rank order, or NULL */
	double *champ;       /* champion scores in rank order, or NULL */
	uint32_t *perm;      /* loaded row of each rank position (freed after slicing) */
	struct mrm_ranked r;
	struct mrm_binary dd;
	double threshold;
	bool prob;
	bool hard;           /* --prediction */
	bool nothr;          /* scores outside [0, 1] and no --threshold */
	bool champ_prob;     /* champion scores in [0, 1] */
	size_t bins;
	struct mrm_bootstrap_options bo;
	json_t *res, *warnings;
	struct mrm_error *err;
};

/* Ranking and probability metrics do not exist for hard predictions. */
static void null_soft(struct mrm_binary_metrics *bm)
{
	static const int ids[] = { MRM_ROC_AUC, MRM_GINI, MRM_AVERAGE_PRECISION, MRM_KS_STATISTIC,
				   MRM_LOG_LOSS, MRM_BRIER_SCORE, MRM_ECE, MRM_MCE };
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		bm->m[ids[i]] = (struct mrm_metric){ NAN, reason_hard };
}

static json_t *confusion_json(const struct mrm_confusion *c)
{
	return json_pack("{s:o,s:o,s:o,s:o}", "tn", mrm__jcount(c->tn), "fp", mrm__jcount(c->fp),
			 "fn", mrm__jcount(c->fn), "tp", mrm__jcount(c->tp));
}

static void metrics_json(json_t *metrics, json_t *undef, const struct mrm_binary_metrics *bm)
{
	int id;

	for (id = 0; id < MRM_BINARY_METRIC_COUNT; id++)
		mrm__jmetric(metrics, undef, mrm_binary_metric_name(id), bm->m[id]);
}

/* Wilson intervals of the rates that are a count out of a count. */
static void wilson_cis(json_t *ci, json_t *method, const struct mrm_binary_metrics *bm,
		       uint64_t skip)
{
	const struct mrm_confusion *c = &bm->confusion;
	double P = c->tp + c->fn, N = c->tn + c->fp, W = P + N, PP = c->tp + c->fp;
	struct { int id; double x, n; } rates[] = {
		{ MRM_ACCURACY, c->tp + c->tn, W }, { MRM_PRECISION, c->tp, PP },
		{ MRM_RECALL, c->tp, P }, { MRM_SPECIFICITY, c->tn, N }, { MRM_FPR, c->fp, N },
		{ MRM_FNR, c->fn, P }, { MRM_SELECTION_RATE, PP, W },
	};
	size_t i;

	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		double lo, hi;
		const char *name = mrm_binary_metric_name(rates[i].id);

		if (bm->m[rates[i].id].reason || rates[i].n <= 0 || (skip & (1ULL << rates[i].id)))
			continue;
		mrm_wilson(rates[i].x, rates[i].n, 0.95, &lo, &hi);
		json_object_set_new(ci, name, mrm__jpair(lo, hi));
		if (method)
			json_object_set_new(method, name, json_string("wilson"));
	}
}

/*
 * The "ci" of a population (all rows or a slice): DeLong for AUC and
 * Gini, Wilson for rates, or the bootstrap for every metric.
 */
static int cis(struct bctx *b, const struct mrm_ranked *r, const struct mrm_binary_metrics *bm,
	       json_t *ci, json_t *method, json_t *ci_undef)
{
	uint64_t boot = 0;
	int id, rc;

	if (b->o->bootstrap && r->n > 0) {
		struct mrm_interval iv[MRM_BINARY_METRIC_COUNT];

		boot = b->bo.metrics ? b->bo.metrics : ~0ULL;
		if ((rc = mrm_bootstrap_binary(&b->dd, r, &b->bo, iv, NULL, b->err)))
			return rc;
		for (id = 0; id < MRM_BINARY_METRIC_COUNT; id++) {
			const char *name = mrm_binary_metric_name(id);

			if (bm->m[id].reason || !(boot & (1ULL << id)))
				continue;
			if (iv[id].reason) {
				if (ci_undef)
					json_object_set_new(ci_undef, name, json_string(iv[id].reason));
				continue;
			}
			json_object_set_new(ci, name, mrm__jpair(iv[id].low, iv[id].high));
			if (method)
				json_object_set_new(method, name, json_string("bootstrap"));
		}
	}
	/* DeLong and Wilson for the metrics the bootstrap did not cover. */
	if (!bm->m[MRM_ROC_AUC].reason && !(boot & (1ULL << MRM_ROC_AUC))) {
		struct mrm_delong dl;

		mrm_delong(r, 0.95, &dl);
		if (dl.reason) {
			if (ci_undef)
				json_object_set_new(ci_undef, "roc_auc",
						    json_string(r->weighted ? reason_weighted_delong : dl.reason));
		} else {
			json_object_set_new(ci, "roc_auc", mrm__jpair(dl.low, dl.high));
			if (method)
				json_object_set_new(method, "roc_auc", json_string("delong"));
			if (!(boot & (1ULL << MRM_GINI))) {
				json_object_set_new(ci, "gini", mrm__jpair(2 * dl.low - 1, 2 * dl.high - 1));
				if (method)
					json_object_set_new(method, "gini", json_string("delong"));
			}
		}
	}
	wilson_cis(ci, method, bm, boot);
	return 0;
}

/* The metrics of a population; ECE/MCE follow the chosen binning. */
static int population(struct bctx *b, const struct mrm_ranked *r, struct mrm_binary_metrics *bm)
{
	int rc;

	if ((rc = mrm_binary_metrics(&b->dd, r, b->threshold, b->bins, bm, b->err)))
		return rc;
	if (b->nothr) {
		int id;

		for (id = MRM_ACCURACY; id <= MRM_SELECTION_RATE; id++)
			bm->m[id] = (struct mrm_metric){ NAN, reason_no_threshold };
	}
	if (!b->prob && !b->hard) {
		/* Whether scores are probabilities is a property of the column, not of a slice. */
		bm->m[MRM_LOG_LOSS] = bm->m[MRM_BRIER_SCORE] = bm->m[MRM_ECE] = bm->m[MRM_MCE] =
			(struct mrm_metric){ NAN, mrm_reason_not_probabilities };
	}
	if (b->hard) {
		null_soft(bm);
	} else if (b->o->binning == MRM_BINS_QUANTILE && b->prob && r->n) {
		struct mrm_reliability_bin *t = calloc(b->bins, sizeof(*t));

		if (!t)
			return mrm_error_set(b->err, MRM_EINPUT, "out of memory");
		rc = mrm_calibration(&b->dd, r, MRM_BINS_QUANTILE, b->bins, t, &bm->m[MRM_ECE],
				     &bm->m[MRM_MCE], b->err);
		free(t);
	}
	return rc;
}

/* ---- curves ---------------------------------------------------------------------- */

/* Index of the i-th of `keep` points spread evenly over [0, len). */
static size_t pick_point(size_t i, size_t keep, size_t len)
{
	if (keep <= 1)
		return 0;
	return (size_t)((double)i * (double)(len - 1) / (double)(keep - 1) + 0.5);
}

static json_t *roc_json(struct bctx *b)
{
	struct mrm_curve c;
	json_t *o, *fx, *ty, *th, *lo, *hi;
	size_t i, keep;

	if (mrm_roc_curve(&b->r, true, &c, NULL))
		return json_pack("{s:s}", "reason", "out of memory");
	if (c.len == 0) {
		o = json_pack("{s:s}", "reason", c.reason ? c.reason : mrm_reason_no_rows);
		mrm_curve_release(&c);
		return o;
	}
	keep = c.len > CURVE_POINTS ? CURVE_POINTS : c.len;
	fx = json_array();
	ty = json_array();
	th = json_array();
	lo = json_array();
	hi = json_array();
	for (i = 0; i < keep; i++) {
		size_t at = pick_point(i, keep, c.len);
		double l, h;

		json_array_append_new(fx, mrm__jnum(c.x[at]));
		json_array_append_new(ty, mrm__jnum(c.y[at]));
		json_array_append_new(th, mrm__jnum(c.thresholds[at]));
		/* Pointwise 95% Wilson interval of the TPR at this threshold. */
		mrm_wilson(c.y[at] * b->r.total_pos, b->r.total_pos, 0.95, &l, &h);
		json_array_append_new(lo, mrm__jnum(l));
		json_array_append_new(hi, mrm__jnum(h));
	}
	o = json_pack("{s:o,s:o,s:o,s:I,s:{s:s,s:o,s:o}}", "fpr", fx, "tpr", ty, "thresholds", th,
		      "points", (json_int_t)c.len, "band", "method", "wilson-tpr", "tpr_low", lo,
		      "tpr_high", hi);
	mrm_curve_release(&c);
	return o;
}

static json_t *pr_json(struct bctx *b)
{
	struct mrm_curve c;
	json_t *o, *p, *rc, *th;
	size_t i, keep;

	if (mrm_pr_curve(&b->r, &c, NULL))
		return json_pack("{s:s}", "reason", "out of memory");
	if (c.len == 0) {
		o = json_pack("{s:s}", "reason", c.reason ? c.reason : mrm_reason_no_rows);
		mrm_curve_release(&c);
		return o;
	}
	keep = c.len > CURVE_POINTS ? CURVE_POINTS : c.len;
	p = json_array();
	rc = json_array();
	th = json_array();
	for (i = 0; i < keep; i++) {
		size_t at = pick_point(i, keep, c.len);

		json_array_append_new(p, mrm__jnum(c.y[at]));
		json_array_append_new(rc, mrm__jnum(c.x[at]));
		/* The last point (recall 0, precision 1) has no threshold. */
		json_array_append_new(th, at + 1 < c.len ? mrm__jnum(c.thresholds[at]) : json_null());
	}
	o = json_pack("{s:o,s:o,s:o,s:I}", "precision", p, "recall", rc, "thresholds", th,
		      "points", (json_int_t)c.len);
	mrm_curve_release(&c);
	return o;
}

/* Score distribution by class: one bin per value when few, else equal-width bins. */
static json_t *hist_json(struct bctx *b)
{
	const struct mrm_ranked *r = &b->r;
	json_t *pos = json_array(), *neg = json_array(), *o;
	size_t g;

	if (r->k == 0) {
		json_decref(pos);
		json_decref(neg);
		return json_pack("{s:s}", "reason", mrm_reason_no_rows);
	}
	if (r->k <= HIST_VALUES) {
		json_t *vals = json_array();

		/* Ascending score order. */
		for (g = r->k; g-- > 0;) {
			double tp = r->tps[g] - (g ? r->tps[g - 1] : 0);
			double fp = r->fps[g] - (g ? r->fps[g - 1] : 0);

			json_array_append_new(vals, mrm__jnum(r->score[g]));
			json_array_append_new(pos, mrm__jcount(tp));
			json_array_append_new(neg, mrm__jcount(fp));
		}
		return json_pack("{s:o,s:o,s:o}", "values", vals, "positive", pos, "negative", neg);
	}
	{
		double lo = b->prob ? 0 : r->score[r->k - 1], hi = b->prob ? 1 : r->score[0];
		double bp[HIST_BINS] = { 0 }, bn[HIST_BINS] = { 0 };
		json_t *edges = json_array();
		size_t i;

		for (g = 0; g < r->k; g++) {
			double tp = r->tps[g] - (g ? r->tps[g - 1] : 0);
			double fp = r->fps[g] - (g ? r->fps[g - 1] : 0);
			double x = hi > lo ? (r->score[g] - lo) / (hi - lo) * HIST_BINS : 0;
			size_t at = x <= 0 ? 0 : x >= HIST_BINS ? HIST_BINS - 1 : (size_t)x;

			bp[at] += tp;
			bn[at] += fp;
		}
		for (i = 0; i <= HIST_BINS; i++)
			json_array_append_new(edges, json_real(i == HIST_BINS ? hi :
							       lo + (hi - lo) * (double)i / HIST_BINS));
		for (i = 0; i < HIST_BINS; i++) {
			json_array_append_new(pos, mrm__jcount(bp[i]));
			json_array_append_new(neg, mrm__jcount(bn[i]));
		}
		o = json_pack("{s:o,s:o,s:o}", "edges", edges, "positive", pos, "negative", neg);
	}
	return o;
}

static json_t *lift_json(struct bctx *b, json_t *undef)
{
	struct mrm_lift_bin t[10];
	struct mrm_error e = { 0 };
	json_t *a;
	size_t i;

	if (b->hard) {
		json_object_set_new(undef, "lift", json_string(reason_hard));
		return json_null();
	}
	if (b->r.n == 0 || b->r.total_pos == 0) {
		json_object_set_new(undef, "lift", json_string(b->r.n ? mrm_reason_no_positives
								     : mrm_reason_no_rows));
		return json_null();
	}
	if (mrm_lift_table(&b->r, 10, t, &e)) {
		json_object_set_new(undef, "lift", json_string(e.msg));
		return json_null();
	}
	a = json_array();
	for (i = 0; i < 10; i++)
		json_array_append_new(a, json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
						   "decile", (json_int_t)(i + 1),
						   "weight", mrm__jcount(t[i].weight),
						   "positives", mrm__jcount(t[i].positives),
						   "min_score", mrm__jnum(t[i].min_score),
						   "max_score", mrm__jnum(t[i].max_score),
						   "rate", mrm__jnum(t[i].rate), "lift", mrm__jnum(t[i].lift),
						   "cum_gain", mrm__jnum(t[i].cum_gain),
						   "cum_lift", mrm__jnum(t[i].cum_lift)));
	return a;
}

static int calibration_json(struct bctx *b, json_t *metrics, json_t *undef, json_t **out)
{
	struct mrm_reliability_bin *t = NULL;
	struct mrm_metric ece, mce;
	struct mrm_calibration_fit fit;
	json_t *o, *tab;
	size_t i;
	int rc;

	o = json_pack("{s:s,s:I}", "binning", b->o->binning == MRM_BINS_QUANTILE ? "count" : "width",
		      "bins", (json_int_t)b->bins);
	*out = o;
	if (b->hard || !b->prob || b->r.n == 0) {
		const char *why = b->hard ? reason_hard : b->r.n == 0 ? mrm_reason_no_rows
								    : mrm_reason_not_probabilities;

		json_object_set_new(o, "ece", json_null());
		json_object_set_new(o, "mce", json_null());
		json_object_set_new(o, "table", json_null());
		json_object_set_new(o, "slope", json_null());
		json_object_set_new(o, "intercept", json_null());
		json_object_set_new(o, "reason", json_string(why));
		mrm__jmetric(metrics, undef, "calibration_slope", (struct mrm_metric){ NAN, why });
		mrm__jmetric(metrics, undef, "calibration_intercept", (struct mrm_metric){ NAN, why });
		return 0;
	}
	if (!(t = calloc(b->bins, sizeof(*t))))
		return mrm_error_set(b->err, MRM_EINPUT, "out of memory");
	rc = mrm_calibration(&b->dd, &b->r, b->o->binning, b->bins, t, &ece, &mce, b->err);
	if (!rc)
		rc = mrm_calibration_slope(&b->r, &fit, b->err);
	if (rc) {
		free(t);
		return rc;
	}
	mrm__jmetric(o, NULL, "ece", ece);
	mrm__jmetric(o, NULL, "mce", mce);
	tab = json_array();
	for (i = 0; i < b->bins; i++)
		json_array_append_new(tab, json_pack("{s:o,s:o,s:I,s:o,s:o,s:o,s:o}",
						     "lower", mrm__jnum(t[i].lower),
						     "upper", mrm__jnum(t[i].upper),
						     "count", (json_int_t)t[i].count,
						     "weight", mrm__jcount(t[i].weight),
						     "mean_predicted", mrm__jnum(t[i].mean_predicted),
						     "observed_rate", mrm__jnum(t[i].observed_rate),
						     "ci", t[i].weight > 0 ? mrm__jpair(t[i].ci_low, t[i].ci_high)
									   : json_null()));
	json_object_set_new(o, "table", tab);
	mrm__jmetric(o, NULL, "slope", fit.slope);
	mrm__jmetric(o, NULL, "intercept", fit.intercept);
	if (fit.slope.reason)
		json_object_set_new(o, "reason", json_string(fit.slope.reason));
	mrm__jmetric(metrics, undef, "calibration_slope", fit.slope);
	mrm__jmetric(metrics, undef, "calibration_intercept", fit.intercept);
	free(t);
	return 0;
}

/* ---- slices and fairness ------------------------------------------------------------- */

static const char *small_reason(const struct mrm_ranked *r, char *buf, size_t cap)
{
	if (r->n < MRM_SMALL_MIN_ROWS)
		snprintf(buf, cap, "%zu row%s (fewer than %d)", r->n, r->n == 1 ? "" : "s", MRM_SMALL_MIN_ROWS);
	else if (r->total_pos < MRM_SMALL_MIN_CLASS)
		snprintf(buf, cap, "%g positives (fewer than %d)", r->total_pos, MRM_SMALL_MIN_CLASS);
	else if (r->total_neg < MRM_SMALL_MIN_CLASS)
		snprintf(buf, cap, "%g negatives (fewer than %d)", r->total_neg, MRM_SMALL_MIN_CLASS);
	else
		return NULL;
	return buf;
}

static json_t *fairness_json(const struct mrm_fairness *f, const struct mrm__slicing *s)
{
	json_t *o = json_object(), *undef = json_object(), *worst = json_object();

	mrm__jmetric(o, undef, "demographic_parity_difference", f->demographic_parity_difference);
	mrm__jmetric(o, undef, "demographic_parity_ratio", f->demographic_parity_ratio);
	mrm__jmetric(o, undef, "equalized_odds_difference", f->equalized_odds_difference);
	mrm__jmetric(o, undef, "equalized_odds_ratio", f->equalized_odds_ratio);
	mrm__jmetric(o, undef, "equal_opportunity_difference", f->equal_opportunity_difference);
	mrm__jmetric(o, undef, "disparate_impact_ratio", f->disparate_impact_ratio);
	json_object_set_new(o, "four_fifths_rule",
			    f->disparate_impact_ratio.reason ? json_null()
			    : json_string(f->four_fifths_violated ? "fail" : "pass"));
	json_object_set_new(o, "four_fifths_threshold", json_real(MRM_FOUR_FIFTHS));
	json_object_set_new(o, "groups", json_integer((json_int_t)f->groups));
	json_object_set_new(o, "small_groups", json_integer((json_int_t)f->small_groups));
	json_object_set_new(worst, "selection_rate",
			    f->worst_selection >= 0 ? json_string(s->names[f->worst_selection]) : json_null());
	json_object_set_new(worst, "tpr", f->worst_tpr >= 0 ? json_string(s->names[f->worst_tpr]) : json_null());
	json_object_set_new(worst, "fpr", f->worst_fpr >= 0 ? json_string(s->names[f->worst_fpr]) : json_null());
	json_object_set_new(o, "worst", worst);
	if (json_object_size(undef))
		json_object_set_new(o, "undefined", undef);
	else
		json_decref(undef);
	return o;
}

static json_t *fairness_undefined(const char *why)
{
	static const char *const keys[] = {
		"demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference",
		"equalized_odds_ratio", "equal_opportunity_difference", "disparate_impact_ratio", NULL,
	};
	json_t *o = json_object(), *undef = json_object();
	size_t i;

	for (i = 0; keys[i]; i++) {
		json_object_set_new(o, keys[i], json_null());
		json_object_set_new(undef, keys[i], json_string(why));
	}
	json_object_set_new(o, "four_fifths_rule", json_null());
	json_object_set_new(o, "undefined", undef);
	return o;
}

static int fairness(struct bctx *b, const struct mrm__slicing *s, json_t *out)
{
	struct mrm_group_stats *pg = NULL;
	struct mrm_fairness f;
	struct mrm_fairness_options fo = { .threshold = b->threshold };
	struct mrm_binary fd = b->dd;
	double *w0 = NULL;
	uint32_t *codes = s->code;
	int rc;

	if (b->nothr || b->n == 0) {
		json_object_set_new(out, s->key, fairness_undefined(b->nothr ? reason_no_threshold
									      : mrm_reason_no_rows));
		return 0;
	}

	if (!(pg = calloc(s->nslices + 1, sizeof(*pg))))
		return mrm_error_set(b->err, MRM_EINPUT, "out of memory");
	if (s->missing) {
		/* Rows in no slice weigh 0, so the kernel leaves them out. */
		size_t j;

		if (!(w0 = malloc(b->n * sizeof(double))) ||
		    !(codes = malloc(b->n * sizeof(uint32_t)))) {
			free(w0);
			free(pg);
			return mrm_error_set(b->err, MRM_EINPUT, "out of memory");
		}
		for (j = 0; j < b->n; j++) {
			bool none = s->code[j] >= s->nslices;

			w0[j] = none ? 0 : b->w ? b->w[j] : 1;
			codes[j] = none ? (uint32_t)s->nslices : s->code[j];
		}
		fd.weight = w0;
	}
	rc = mrm_fairness(&fd, codes, s->nslices + 1, &fo, pg, &f, b->err);
	if (!rc)
		json_object_set_new(out, s->key, fairness_json(&f, s));
	if (!rc && f.four_fifths_violated)
		mrm__warn(b->warnings, "%s: disparate impact ratio %.3f is below the four-fifths rule "
			  "(0.8): '%s' has the lowest selection rate", s->key,
			  f.disparate_impact_ratio.value, s->names[f.worst_selection]);
	free(pg);
	free(w0);
	if (codes != s->code)
		free(codes);
	return rc;
}

static int slicing(struct bctx *b, const struct mrm__slicing *s, json_t *groups, json_t *fair,
		   json_t *worst)
{
	json_t *gobj = json_object();
	uint32_t *rows = NULL;
	size_t *start = NULL, i;
	const char *worst_name = NULL;
	const char *worst_metric = b->hard ? "accuracy" : "roc_auc";
	int wid = b->hard ? MRM_ACCURACY : MRM_ROC_AUC;
	double worst_val = INFINITY;
	int rc = 0;

	json_object_set_new(groups, s->key, gobj);
	if (!(rows = malloc((b->n ? b->n : 1) * sizeof(uint32_t))) ||
	    !(start = malloc((s->nslices + 1) * sizeof(size_t)))) {
		rc = mrm_error_set(b->err, MRM_EINPUT, "out of memory");
		goto out;
	}
	mrm__bucket(s->code, b->n, s->nslices, rows, start);
	if (s->missing)
		mrm__warn(b->warnings, "%llu rows have no value for '%s': they count overall but in no slice of it",
			  (unsigned long long)s->missing, s->key);
	for (i = 0; i < s->nsorted; i++) {
		size_t sl = s->sorted[i];
		struct mrm_ranked rs;
		struct mrm_binary_metrics bm;
		json_t *o, *m = json_object(), *undef = json_object(), *ci = json_object();
		json_t *ciu = json_object();
		char small[96];
		const char *why;

		if ((rc = mrm__rank_rows(b->score, b->y, b->w, rows + start[sl], start[sl + 1] - start[sl],
					 &rs, b->err)))
			goto out;
		rc = population(b, &rs, &bm);
		if (!rc)
			rc = cis(b, &rs, &bm, ci, NULL, ciu);
		if (rc) {
			mrm__slice_release(&rs);
			json_decref(m);
			json_decref(undef);
			json_decref(ci);
			json_decref(ciu);
			goto out;
		}
		metrics_json(m, undef, &bm);
		o = json_pack("{s:I,s:o}", "n", (json_int_t)rs.n, "positives", mrm__jcount(rs.total_pos));
		if (b->w)
			json_object_set_new(o, "weight", mrm__jcount(rs.total_pos + rs.total_neg));
		if (s->values)
			json_object_set_new(o, "values", json_incref(s->values[sl]));
		json_object_set_new(o, "metrics", m);
		json_object_set_new(o, "ci", ci);
		json_object_set_new(o, "confusion_matrix", b->nothr ? json_null() : confusion_json(&bm.confusion));
		if (json_object_size(undef))
			json_object_set_new(o, "undefined", undef);
		else
			json_decref(undef);
		if (json_object_size(ciu))
			json_object_set_new(o, "ci_undefined", ciu);
		else
			json_decref(ciu);
		why = small_reason(&rs, small, sizeof(small));
		json_object_set_new(o, "small", why ? json_string(why) : json_null());
		if (why)
			mrm__warn(b->warnings, "slice %s=%s is too small to support a conclusion: %s",
				  s->key, s->names[sl], why);
		else if (rs.total_pos == 0)
			mrm__warn(b->warnings, "slice %s=%s has no positive rows", s->key, s->names[sl]);
		if (!bm.m[wid].reason && bm.m[wid].value < worst_val) {
			worst_val = bm.m[wid].value;
			worst_name = s->names[sl];
		}
		json_object_set_new(gobj, s->names[sl], o);
		mrm__slice_release(&rs);
	}
	json_object_set_new(worst, s->key,
			    worst_name ? json_pack("{s:s,s:s,s:f}", "metric", worst_metric, "slice", worst_name,
						   "value", worst_val)
				       : json_pack("{s:s,s:n,s:n,s:s}", "metric", worst_metric, "slice", "value",
						   "reason", "the metric is undefined in every slice"));
	rc = fairness(b, s, fair);
out:
	free(rows);
	free(start);
	return rc;
}

/* ---- champion -------------------------------------------------------------------------- */

static int comparison(struct bctx *b, const struct mrm_binary_metrics *bm2, json_t **out)
{
	const struct mrm_validate_options *o = b->o;
	uint64_t *keys = NULL;
	uint32_t *pay = NULL;
	struct mrm_ranked r1 = { 0 };
	struct mrm_binary d1 = { b->n, b->y, b->champ, b->w };
	struct mrm_binary_metrics bm1;
	struct mrm_delong_test t;
	json_t *c = NULL, *per, *undef;
	size_t j;
	int id, rc;

	if (!(keys = malloc((b->n ? b->n : 1) * sizeof(*keys))) ||
	    !(pay = malloc((b->n ? b->n : 1) * sizeof(*pay)))) {
		free(keys);
		return mrm_error_set(b->err, MRM_EINPUT, "out of memory");
	}
	for (j = 0; j < b->n; j++) {
		keys[j] = mrm__vkey(b->champ[j]);
		pay[j] = (uint32_t)(j << 1) | b->y[j];
	}
	rc = mrm__rank_build(&keys, &pay, b->n, b->w, NULL, &r1, b->err);
	free(keys);
	free(pay);
	if (rc)
		return rc;
	if ((rc = mrm_binary_metrics(&d1, &r1, b->threshold, b->bins, &bm1, b->err)))
		goto out;
	if (b->nothr)
		for (id = MRM_ACCURACY; id <= MRM_SELECTION_RATE; id++)
			bm1.m[id] = (struct mrm_metric){ NAN, reason_no_threshold };
	if (!b->champ_prob)
		bm1.m[MRM_LOG_LOSS] = bm1.m[MRM_BRIER_SCORE] = bm1.m[MRM_ECE] = bm1.m[MRM_MCE] =
			(struct mrm_metric){ NAN, mrm_reason_not_probabilities };
	if (b->o->binning == MRM_BINS_QUANTILE && b->champ_prob && r1.n) {
		struct mrm_reliability_bin *tab = calloc(b->bins, sizeof(*tab));

		if (!tab) {
			rc = mrm_error_set(b->err, MRM_EINPUT, "out of memory");
			goto out;
		}
		rc = mrm_calibration(&d1, &r1, MRM_BINS_QUANTILE, b->bins, tab, &bm1.m[MRM_ECE],
				     &bm1.m[MRM_MCE], b->err);
		free(tab);
		if (rc)
			goto out;
	}
	c = json_object();
	undef = json_object();
	json_object_set_new(c, "champion", json_string(o->champion));
	json_object_set_new(c, "challenger", json_string(o->score[0]));
	mrm__jmetric(c, undef, "roc_auc_champion", bm1.m[MRM_ROC_AUC]);
	mrm__jmetric(c, undef, "roc_auc_challenger", bm2->m[MRM_ROC_AUC]);
	if (b->w) {
		t = (struct mrm_delong_test){ .reason = reason_weighted_delong };
	} else if ((rc = mrm_delong_paired(&r1, &b->r, b->y, 0.95, &t, b->err))) {
		goto out;
	}
	if (!bm1.m[MRM_ROC_AUC].reason && !bm2->m[MRM_ROC_AUC].reason)
		json_object_set_new(c, "roc_auc_difference",
				    json_real(bm2->m[MRM_ROC_AUC].value - bm1.m[MRM_ROC_AUC].value));
	else
		mrm__jmetric(c, undef, "roc_auc_difference",
			     bm1.m[MRM_ROC_AUC].reason ? bm1.m[MRM_ROC_AUC] : bm2->m[MRM_ROC_AUC]);
	if (t.reason || !isfinite(t.z)) {
		json_object_set_new(c, "ci", isfinite(t.low) && !t.reason ? mrm__jpair(t.low, t.high)
									  : json_null());
		json_object_set_new(c, "z", json_null());
		json_object_set_new(c, "p_value", json_null());
		json_object_set_new(undef, "z", json_string(t.reason ? t.reason : "the two ROC curves are identical"));
		json_object_set_new(undef, "p_value", json_string(t.reason ? t.reason : "the two ROC curves are identical"));
	} else {
		json_object_set_new(c, "ci", mrm__jpair(t.low, t.high));
		json_object_set_new(c, "z", json_real(t.z));
		json_object_set_new(c, "p_value", json_real(t.p_value));
		json_object_set_new(c, "se", json_real(t.se));
	}
	json_object_set_new(c, "method", json_string("delong"));
	/* Every other metric: champion, challenger, difference (and its paired interval). */
	per = json_object();
	{
		struct mrm_interval iv[MRM_BINARY_METRIC_COUNT];
		bool boot = o->bootstrap > 0 && b->n > 0;

		if (boot && (rc = mrm_bootstrap_paired(&d1, &r1, &b->dd, &b->r, &b->bo, iv, NULL, b->err))) {
			json_decref(per);
			goto out;
		}
		for (id = 0; id < MRM_BINARY_METRIC_COUNT; id++) {
			struct mrm_metric m1 = bm1.m[id], m2 = bm2->m[id];
			json_t *e = json_object();

			mrm__jmetric(e, NULL, "champion", m1);
			mrm__jmetric(e, NULL, "challenger", m2);
			if (!m1.reason && !m2.reason)
				json_object_set_new(e, "difference", json_real(m2.value - m1.value));
			else
				json_object_set_new(e, "difference", json_null());
			if (boot && !m1.reason && !m2.reason &&
			    (!b->bo.metrics || (b->bo.metrics & (1ULL << id))))
				json_object_set_new(e, "ci", iv[id].reason ? json_null()
								     : mrm__jpair(iv[id].low, iv[id].high));
			json_object_set_new(per, mrm_binary_metric_name(id), e);
		}
		if (boot)
			json_object_set_new(c, "bootstrap_replicates", json_integer((json_int_t)o->bootstrap));
	}
	json_object_set_new(c, "metrics", per);
	if (json_object_size(undef))
		json_object_set_new(c, "undefined", undef);
	else
		json_decref(undef);
	*out = c;
	c = NULL;
out:
	json_decref(c);
	mrm_ranked_release(&r1);
	return rc;
}

/* ---- the report ------------------------------------------------------------------------- */

/* Rank the rows and put every per-row array in rank order. */
static int prepare(struct bctx *b)
{
	struct mrm__vdata *d = b->d;
	size_t j, n = d->n;
	int rc;

	b->n = n;
	if ((rc = mrm__rank_build(&d->keys, &d->pay, n, d->w, &b->y, &b->r, b->err)))
		return rc;
	/* The sorted keys become the scores, in place. */
	for (j = 0; j < n; j++) {
		double x = mrm__vunkey(d->keys[j]);

		memcpy(&d->keys[j], &x, sizeof(x));
	}
	b->score = (double *)(void *)d->keys;
	d->keys = NULL;
	b->perm = b->r.order;
	if (d->w) {
		if (!(b->w = malloc(n * sizeof(double))))
			return mrm_error_set(b->err, MRM_EINPUT, "out of memory");
		for (j = 0; j < n; j++)
			b->w[j] = d->w[b->perm[j]];
		free(d->w);
		d->w = NULL;
	}
	if (d->champion) {
		if (!(b->champ = malloc(n * sizeof(double))))
			return mrm_error_set(b->err, MRM_EINPUT, "out of memory");
		b->champ_prob = true;
		for (j = 0; j < n; j++) {
			double x = d->champion[b->perm[j]];

			b->champ[j] = x;
			b->champ_prob &= x >= 0 && x <= 1;
		}
		free(d->champion);
		d->champion = NULL;
	}
	b->dd = (struct mrm_binary){ n, b->y, b->score, b->w };
	b->prob = n == 0 || (b->r.score[0] <= 1 && b->r.score[b->r.k - 1] >= 0);
	return 0;
}

int mrm__binary_report(struct mrm__vdata *d, json_t *res, struct mrm_error *err)
{
	const struct mrm_validate_options *o = d->o;
	struct bctx b = { 0 };
	struct mrm_binary_metrics bm;
	struct mrm__slicing sl[MRM__MAX_GROUPS + 1];
	size_t nsl = 0, i, j;
	json_t *metrics, *undef, *ci, *method, *ciu, *cal = NULL;
	json_t *groups = NULL, *fair = NULL, *worst = NULL;
	int rc;

	b.d = d;
	b.o = o;
	b.res = res;
	b.warnings = d->warnings;
	b.err = err;
	b.hard = o->prediction != NULL;
	b.bins = o->bins ? o->bins : 10;
	if ((rc = prepare(&b)))
		goto out;
	if (b.hard) {
		b.threshold = 0.5;
	} else if (o->threshold_given) {
		b.threshold = o->threshold;
	} else if (!b.prob || (b.champ && !b.champ_prob)) {
		/* 0.5 means nothing on a 1-10 scale: no metric at a threshold rather than a wrong one. */
		b.nothr = true;
		b.threshold = 0.5;
	} else {
		b.threshold = 0.5;
	}
	b.bo = (struct mrm_bootstrap_options){ .replicates = o->bootstrap, .seed = o->seed,
					       .level = 0.95, .threads = o->threads,
					       .threshold = b.threshold, .ece_bins = b.bins,
					       .metrics = o->bootstrap_metrics };
	/* Slices in rank order; then rows are addressed in rank order only. */
	if (d->ng) {
		if ((rc = mrm__slicings(d, b.perm, b.n, sl, &nsl, err)))
			goto out;
		for (i = 0; i < d->ng; i++) {
			free(d->g[i].codes);
			d->g[i].codes = NULL;
		}
	}
	for (j = 0; j < b.n; j++)
		b.r.order[j] = (uint32_t)j;
	b.perm = NULL;

	json_object_set_new(res, "rows", json_integer((json_int_t)b.r.n));
	json_object_set_new(res, "positives", mrm__jcount(b.r.total_pos));
	json_object_set_new(res, "negatives", mrm__jcount(b.r.total_neg));
	if (b.w)
		json_object_set_new(res, "weight", mrm__jcount(b.r.total_pos + b.r.total_neg));
	json_object_set_new(res, "threshold", b.nothr ? json_null() : json_real(b.threshold));
	json_object_set_new(res, "scores_are_probabilities", json_boolean(b.prob && !b.hard));
	if (!b.prob && !b.hard)
		mrm__warn(b.warnings, "scores are not probabilities (they range from %g to %g): log_loss, "
			  "brier_score, ece and calibration are not computed%s", b.r.score[b.r.k - 1],
			  b.r.score[0], b.nothr ? "; nor are the metrics at a threshold, fairness and the "
			  "confusion matrix: give --threshold" : "");
	if (b.r.n && (b.r.total_pos == 0 || b.r.total_neg == 0))
		mrm__warn(b.warnings, "only one class (%s) is present in the labels: ranking metrics are "
			  "undefined", b.r.total_pos == 0 ? "negative" : "positive");
	if (b.r.n == 0)
		mrm__warn(b.warnings, "no rows left to validate");
	if ((rc = population(&b, &b.r, &bm)))
		goto out;
	metrics = json_object();
	undef = json_object();
	ci = json_object();
	method = json_object();
	ciu = json_object();
	metrics_json(metrics, undef, &bm);
	json_object_set_new(res, "metrics", metrics);
	json_object_set_new(res, "undefined", undef);
	json_object_set_new(res, "ci", ci);
	json_object_set_new(res, "ci_method", method);
	json_object_set_new(res, "ci_undefined", ciu);
	if ((rc = cis(&b, &b.r, &bm, ci, method, ciu)))
		goto out;
	if (o->bootstrap)
		json_object_set_new(res, "bootstrap", json_pack("{s:I,s:I,s:s,s:f}", "replicates",
								(json_int_t)o->bootstrap, "seed",
								(json_int_t)o->seed, "method", "poisson",
								"level", 0.95));
	json_object_set_new(res, "confusion_matrix", b.nothr ? json_null() : confusion_json(&bm.confusion));
	if ((rc = calibration_json(&b, metrics, undef, &cal)))
		goto out;
	json_object_set_new(res, "calibration", cal);
	cal = NULL;
	json_object_set_new(res, "lift", lift_json(&b, undef));
	if (b.hard) {
		json_object_set_new(res, "curves", json_null());
		json_object_set_new(undef, "curves", json_string(reason_hard));
	} else {
		json_object_set_new(res, "curves", json_pack("{s:o,s:o,s:o}", "roc", roc_json(&b),
							     "pr", pr_json(&b), "score_hist", hist_json(&b)));
	}
	if (nsl) {
		groups = json_object();
		fair = json_object();
		worst = json_object();
		json_object_set_new(res, "groups", groups);
		json_object_set_new(res, "fairness", fair);
		json_object_set_new(res, "worst_slice", worst);
	}
	if (o->champion) {
		json_t *c = NULL;

		if ((rc = comparison(&b, &bm, &c)))
			goto out;
		json_object_set_new(res, "comparison", c);
	}
	/* Slices need only the rows in rank order: the global ranking can go first. */
	mrm_ranked_release(&b.r);
	for (i = 0; i < nsl; i++)
		if ((rc = slicing(&b, &sl[i], groups, fair, worst)))
			goto out;
out:
	json_decref(cal);
	for (i = 0; i < nsl; i++)
		mrm__slicing_release(&sl[i]);
	mrm_ranked_release(&b.r);
	free(b.y);
	free(b.score);
	free(b.w);
	free(b.champ);
	return rc;
}
