/* Binary classification: input checks, the one-sort ranking and the metrics built on it. */
#include <float.h>
#include <stdlib.h>

#include "stats/internal.h"

const char mrm_reason_no_rows[] = "no rows (or all weights are zero)";
const char mrm_reason_one_class[] = "only one class present in the labels";
const char mrm_reason_no_positives[] = "no positive rows";
const char mrm_reason_no_negatives[] = "no negative rows";
const char mrm_reason_no_predicted_positives[] = "no predicted positives at the threshold";
const char mrm_reason_not_probabilities[] =
	"scores are not probabilities (some are outside [0, 1])";
const char mrm_reason_weighted[] = "not defined for weighted data";
const char mrm__reason_needs_scores[] = "needs every score (use mrm_ranked)";
const char mrm__reason_constant[] = "scores are constant";
const char mrm__reason_separation[] =
	"no finite maximum-likelihood fit (the classes are perfectly separated)";
const char mrm__reason_few[] = "fewer than 2 rows in a class";
static const char reason_no_true_or_predicted[] = "no positives and no predicted positives";
static const char reason_mcc[] =
	"denominator is zero (a class or the prediction is constant)";

static const char *const names[MRM_BINARY_METRIC_COUNT] = {
	[MRM_ROC_AUC] = "roc_auc",
	[MRM_GINI] = "gini",
	[MRM_AVERAGE_PRECISION] = "average_precision",
	[MRM_KS_STATISTIC] = "ks_statistic",
	[MRM_LOG_LOSS] = "log_loss",
	[MRM_BRIER_SCORE] = "brier_score",
	[MRM_ECE] = "ece",
	[MRM_MCE] = "mce",
	[MRM_ACCURACY] = "accuracy",
	[MRM_BALANCED_ACCURACY] = "balanced_accuracy",
	[MRM_PRECISION] = "precision",
	[MRM_RECALL] = "recall",
	[MRM_SPECIFICITY] = "specificity",
	[MRM_F1] = "f1",
	[MRM_MATTHEWS_CORRCOEF] = "matthews_corrcoef",
	[MRM_FPR] = "fpr",
	[MRM_FNR] = "fnr",
	[MRM_SELECTION_RATE] = "selection_rate",
};

const char *mrm_binary_metric_name(int id)
{
	if (id < 0 || id >= MRM_BINARY_METRIC_COUNT)
		return NULL;
	return names[id];
}

int mrm_binary_metric_id(const char *name)
{
	int i;

	for (i = 0; name && i < MRM_BINARY_METRIC_COUNT; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

int mrm__binary_row_check(const struct mrm_binary *d, size_t i, size_t row,
			  struct mrm_error *err)
{
	double s = d->score[i];

	if (d->y[i] > 1)
		return mrm_error_set(err, MRM_EINPUT,
				     "row %zu: label is %u, expected 0 or 1", row,
				     (unsigned)d->y[i]);
	if (isnan(s))
		return mrm_error_set(err, MRM_EINPUT, "row %zu: score is NaN", row);
	if (isinf(s))
		return mrm_error_set(err, MRM_EINPUT, "row %zu: score is infinite", row);
	if (d->weight) {
		double w = d->weight[i];

		if (!isfinite(w))
			return mrm_error_set(err, MRM_EINPUT,
					     "row %zu: weight is not finite", row);
		if (w < 0)
			return mrm_error_set(err, MRM_EINPUT,
					     "row %zu: weight is negative", row);
	}
	return 0;
}

int mrm_binary_check(const struct mrm_binary *d, struct mrm_error *err)
{
	size_t i;

	if (d->n && (!d->y || !d->score))
		return mrm_error_set(err, MRM_EINPUT, "missing label or score array");
	for (i = 0; i < d->n; i++) {
		/* The fast test first; the full check only names the bad row. */
		if (d->y[i] <= 1 && isfinite(d->score[i]) &&
		    (!d->weight || (d->weight[i] >= 0 && isfinite(d->weight[i]))))
			continue;
		return mrm__binary_row_check(d, i, i, err);
	}
	return 0;
}

bool mrm_binary_is_probability(const struct mrm_binary *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		double s = d->score[i];

		if (!(s >= 0 && s <= 1) && (!d->weight || d->weight[i] > 0))
			return false;
	}
	return true;
}

/* ---- the ranking ---- */

void mrm_ranked_release(struct mrm_ranked *r)
{
	if (!r)
		return;
	free(r->score);
	free(r->tps);
	free(r->fps);
	free(r->rows);
	free(r->order);
	memset(r, 0, sizeof(*r));
}

int mrm_ranked_build(struct mrm_ranked *r, const struct mrm_binary *d,
		     struct mrm_error *err)
{
	uint64_t *keys = NULL, *ktmp = NULL;
	uint32_t *pay = NULL, *ptmp = NULL;
	size_t m = 0, i, j, k, g;
	int rc;

	memset(r, 0, sizeof(*r));
	r->weighted = d->weight != NULL;
	rc = mrm_binary_check(d, err);
	if (rc)
		return rc;
	if (d->n >= ((size_t)1 << 31))
		return mrm_error_set(err, MRM_EINPUT,
				     "too many rows to rank (%zu, at most 2147483647)", d->n);
	if (d->n == 0)
		return 0;
	keys = malloc(d->n * sizeof(*keys));
	ktmp = malloc(d->n * sizeof(*ktmp));
	pay = malloc(d->n * sizeof(*pay));
	ptmp = malloc(d->n * sizeof(*ptmp));
	if (!keys || !ktmp || !pay || !ptmp)
		goto nomem;
	/* Descending score = ascending complemented key; the label rides in bit 0. */
	for (i = 0; i < d->n; i++) {
		if (d->weight && d->weight[i] == 0)
			continue;
		keys[m] = ~mrm__key(d->score[i]);
		pay[m] = (uint32_t)(i << 1) | d->y[i];
		m++;
	}
	if (mrm__radix_sort(keys, pay, m, ktmp, ptmp))
		goto nomem;
	free(ktmp);
	free(ptmp);
	ktmp = NULL;
	ptmp = NULL;
	r->n = m;
	if (m == 0)
		goto done;
	k = 1;
	for (j = 1; j < m; j++)
		k += keys[j] != keys[j - 1];
	r->k = k;
	r->score = malloc(k * sizeof(*r->score));
	r->tps = malloc(k * sizeof(*r->tps));
	r->fps = malloc(k * sizeof(*r->fps));
	r->rows = malloc(k * sizeof(*r->rows));
	if (!r->score || !r->tps || !r->fps || !r->rows)
		goto nomem;
	{
		double tp = 0, fp = 0;

		g = 0;
		for (j = 0; j < m; j++) {
			uint32_t p = pay[j];
			double w = d->weight ? d->weight[p >> 1] : 1.0;

			if (p & 1)
				tp += w;
			else
				fp += w;
			pay[j] = p >> 1;
			if (j + 1 == m || keys[j + 1] != keys[j]) {
				r->score[g] = mrm__unkey(~keys[j]);
				r->tps[g] = tp;
				r->fps[g] = fp;
				r->rows[g] = j + 1;
				g++;
			}
		}
		r->total_pos = tp;
		r->total_neg = fp;
	}
done:
	r->order = pay;
	free(keys);
	return 0;
nomem:
	free(keys);
	free(ktmp);
	free(pay);
	free(ptmp);
	mrm_ranked_release(r);
	return mrm_error_set(err, MRM_EINPUT, "out of memory ranking %zu rows", d->n);
}

struct mrm_metric mrm_roc_auc(const struct mrm_ranked *r)
{
	double area = 0, tp0 = 0, fp0 = 0;
	size_t g;

	if (r->n == 0)
		return mrm__undef(mrm_reason_no_rows);
	if (r->total_pos == 0 || r->total_neg == 0)
		return mrm__undef(mrm_reason_one_class);
	for (g = 0; g < r->k; g++) {
		area += (r->fps[g] - fp0) * (r->tps[g] + tp0);
		tp0 = r->tps[g];
		fp0 = r->fps[g];
	}
	return mrm__val(area / 2 / (r->total_pos * r->total_neg));
}

struct mrm_metric mrm_gini(const struct mrm_ranked *r)
{
	struct mrm_metric a = mrm_roc_auc(r);

	if (a.reason)
		return a;
	return mrm__val(2 * a.value - 1);
}

struct mrm_metric mrm_average_precision(const struct mrm_ranked *r)
{
	double ap = 0, tp0 = 0;
	size_t g;

	if (r->n == 0)
		return mrm__undef(mrm_reason_no_rows);
	if (r->total_pos == 0)
		return mrm__undef(mrm_reason_no_positives);
	for (g = 0; g < r->k; g++) {
		double tp = r->tps[g], ps = tp + r->fps[g];

		if (tp != tp0 && ps > 0)
			ap += (tp / r->total_pos - tp0 / r->total_pos) * (tp / ps);
		tp0 = tp;
	}
	return mrm__val(ap);
}

struct mrm_metric mrm_ks_statistic(const struct mrm_ranked *r)
{
	double ks = 0;
	size_t g;

	if (r->n == 0)
		return mrm__undef(mrm_reason_no_rows);
	if (r->total_pos == 0 || r->total_neg == 0)
		return mrm__undef(mrm_reason_one_class);
	for (g = 0; g < r->k; g++) {
		double dlt = fabs(r->tps[g] / r->total_pos - r->fps[g] / r->total_neg);

		if (dlt > ks)
			ks = dlt;
	}
	return mrm__val(ks);
}

/* Number of distinct scores >= t (a prefix of the descending scores). */
static size_t groups_at_or_above(const struct mrm_ranked *r, double t)
{
	size_t lo = 0, hi = r->k;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->score[mid] >= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void mrm_ranked_confusion(const struct mrm_ranked *r, double t,
			  struct mrm_confusion *out)
{
	size_t g = groups_at_or_above(r, t);

	out->tp = g ? r->tps[g - 1] : 0;
	out->fp = g ? r->fps[g - 1] : 0;
	out->fn = r->total_pos - out->tp;
	out->tn = r->total_neg - out->fp;
}

void mrm_threshold_sweep(const struct mrm_ranked *r, const double *thresholds,
			 size_t k, struct mrm_confusion *out)
{
	size_t i;

	for (i = 0; i < k; i++)
		mrm_ranked_confusion(r, thresholds[i], &out[i]);
}

void mrm_curve_release(struct mrm_curve *c)
{
	if (!c)
		return;
	free(c->x);
	free(c->y);
	free(c->thresholds);
	memset(c, 0, sizeof(*c));
}

static int curve_alloc(struct mrm_curve *c, size_t len, size_t nthr,
		       struct mrm_error *err)
{
	c->x = malloc((len ? len : 1) * sizeof(double));
	c->y = malloc((len ? len : 1) * sizeof(double));
	c->thresholds = malloc((nthr ? nthr : 1) * sizeof(double));
	if (!c->x || !c->y || !c->thresholds) {
		mrm_curve_release(c);
		return mrm_error_set(err, MRM_EINPUT, "out of memory for a curve of %zu points", len);
	}
	c->len = len;
	return 0;
}

int mrm_roc_curve(const struct mrm_ranked *r, bool drop_intermediate,
		  struct mrm_curve *out, struct mrm_error *err)
{
	size_t g, len = 0;
	bool *keep = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (r->n == 0) {
		out->reason = mrm_reason_no_rows;
		return 0;
	}
	if (r->total_pos == 0 || r->total_neg == 0) {
		out->reason = mrm_reason_one_class;
		return 0;
	}
	keep = malloc(r->k * sizeof(*keep));
	if (!keep)
		return mrm_error_set(err, MRM_EINPUT, "out of memory for a ROC curve");
	for (g = 0; g < r->k; g++) {
		keep[g] = true;
		/* sklearn: keep ends and points where np.diff(x, 2) != 0 for fps or tps. */
		if (drop_intermediate && r->k > 2 && g > 0 && g + 1 < r->k) {
			double d2f = (r->fps[g + 1] - r->fps[g]) - (r->fps[g] - r->fps[g - 1]);
			double d2t = (r->tps[g + 1] - r->tps[g]) - (r->tps[g] - r->tps[g - 1]);

			keep[g] = d2f != 0 || d2t != 0;
		}
		len += keep[g];
	}
	rc = curve_alloc(out, len + 1, len + 1, err);
	if (rc) {
		free(keep);
		return rc;
	}
	out->x[0] = 0;
	out->y[0] = 0;
	out->thresholds[0] = r->score[0] + 1;
	len = 1;
	for (g = 0; g < r->k; g++) {
		if (!keep[g])
			continue;
		out->x[len] = r->fps[g] / r->total_neg;
		out->y[len] = r->tps[g] / r->total_pos;
		out->thresholds[len] = r->score[g];
		len++;
	}
	free(keep);
	return 0;
}

int mrm_pr_curve(const struct mrm_ranked *r, struct mrm_curve *out,
		 struct mrm_error *err)
{
	size_t g, k = r->k;
	int rc;

	memset(out, 0, sizeof(*out));
	if (r->n == 0) {
		out->reason = mrm_reason_no_rows;
		return 0;
	}
	if (r->total_pos == 0) {
		out->reason = mrm_reason_no_positives;
		return 0;
	}
	rc = curve_alloc(out, k + 1, k, err);
	if (rc)
		return rc;
	/* Reversed (recall decreasing), then the (recall 0, precision 1) end. */
	for (g = 0; g < k; g++) {
		size_t at = k - 1 - g;
		double ps = r->tps[g] + r->fps[g];

		out->y[at] = ps != 0 ? r->tps[g] / ps : 0;
		out->x[at] = r->tps[g] / r->total_pos;
		out->thresholds[at] = r->score[g];
	}
	out->y[k] = 1;
	out->x[k] = 0;
	return 0;
}

int mrm_lift_table(const struct mrm_ranked *r, size_t bins,
		   struct mrm_lift_bin *out, struct mrm_error *err)
{
	double total, rate, cum_w = 0, cum_p = 0;
	size_t b, g = 0;

	if (bins == 0)
		return mrm_error_set(err, MRM_EINPUT, "lift table needs at least one bin");
	total = r->total_pos + r->total_neg;
	if (r->n == 0 || total == 0)
		return mrm_error_set(err, MRM_EINPUT, "lift table: %s", mrm_reason_no_rows);
	if (r->total_pos == 0)
		return mrm_error_set(err, MRM_EINPUT, "lift table: %s", mrm_reason_no_positives);
	rate = r->total_pos / total;
	for (b = 0; b < bins; b++) {
		/* Bin b covers the cumulative weight [lo, hi). */
		double lo = total * (double)b / (double)bins;
		double hi = b + 1 == bins ? total : total * (double)(b + 1) / (double)bins;
		struct mrm_lift_bin *o = &out[b];

		memset(o, 0, sizeof(*o));
		o->min_score = NAN;
		o->max_score = NAN;
		for (; g < r->k; g++) {
			double c0 = g ? r->tps[g - 1] + r->fps[g - 1] : 0;
			double c1 = r->tps[g] + r->fps[g];
			double gw = c1 - c0;
			double gp = r->tps[g] - (g ? r->tps[g - 1] : 0);
			double a = c0 > lo ? c0 : lo, z = c1 < hi ? c1 : hi;

			if (z > a && gw > 0) {
				double share = (z - a) / gw;

				o->weight += z - a;
				o->positives += gp * share;
				if (isnan(o->max_score))
					o->max_score = r->score[g];
				o->min_score = r->score[g];
			}
			if (c1 > hi)
				break; /* the group goes on into the next bin */
		}
		cum_w += o->weight;
		cum_p += o->positives;
		o->rate = o->weight > 0 ? o->positives / o->weight : NAN;
		o->lift = o->rate / rate;
		o->cum_gain = cum_p / r->total_pos;
		o->cum_lift = cum_w > 0 ? cum_p / cum_w / rate : NAN;
	}
	return 0;
}

/* ---- count-based metrics ---- */

double mrm__log_loss_row(int y, double p)
{
	const double eps = DBL_EPSILON;
	double q1 = p < eps ? eps : (p > 1 - eps ? 1 - eps : p);
	double q0 = 1 - q1, s = q0 + q1;

	return -log((y ? q1 : q0) / s);
}

size_t mrm__uniform_bin(double p, size_t bins)
{
	size_t b;

	if (!(p > 0))
		return 0;
	b = p >= 1 ? bins - 1 : (size_t)(p * (double)bins);
	if (b > bins - 1)
		b = bins - 1;
	/* Bin b must satisfy edge(b) < p <= edge(b + 1) (inner edges only). */
	while (b > 0 && !(mrm__uniform_edge(b, bins) < p))
		b--;
	while (b + 1 < bins && mrm__uniform_edge(b + 1, bins) < p)
		b++;
	return b;
}

void mrm__ece(const double *bw, const double *bp, const double *by, size_t bins,
	      struct mrm_metric *ece, struct mrm_metric *mce)
{
	double total = 0, e = 0, mx = 0;
	size_t b;

	for (b = 0; b < bins; b++)
		total += bw[b];
	if (total == 0) {
		*ece = mrm__undef(mrm_reason_no_rows);
		*mce = mrm__undef(mrm_reason_no_rows);
		return;
	}
	for (b = 0; b < bins; b++) {
		double gap;

		if (bw[b] == 0)
			continue;
		gap = fabs(by[b] / bw[b] - bp[b] / bw[b]);
		e += bw[b] / total * gap;
		if (gap > mx)
			mx = gap;
	}
	*ece = mrm__val(e);
	*mce = mrm__val(mx);
}

void mrm_confusion_metrics(const struct mrm_confusion *c, struct mrm_metric *m)
{
	double tp = c->tp, fp = c->fp, fn = c->fn, tn = c->tn;
	double pos = tp + fn, neg = tn + fp, total = pos + neg, pp = tp + fp;

	m[MRM_ACCURACY] = mrm__ratio(tp + tn, total, mrm_reason_no_rows);
	m[MRM_SELECTION_RATE] = mrm__ratio(pp, total, mrm_reason_no_rows);
	m[MRM_PRECISION] = mrm__ratio(tp, pp, mrm_reason_no_predicted_positives);
	m[MRM_RECALL] = mrm__ratio(tp, pos, mrm_reason_no_positives);
	m[MRM_FNR] = mrm__ratio(fn, pos, mrm_reason_no_positives);
	m[MRM_SPECIFICITY] = mrm__ratio(tn, neg, mrm_reason_no_negatives);
	m[MRM_FPR] = mrm__ratio(fp, neg, mrm_reason_no_negatives);
	if (total == 0)
		m[MRM_BALANCED_ACCURACY] = mrm__undef(mrm_reason_no_rows);
	else if (pos == 0 || neg == 0)
		m[MRM_BALANCED_ACCURACY] = mrm__undef(mrm_reason_one_class);
	else
		m[MRM_BALANCED_ACCURACY] = mrm__val((tp / pos + tn / neg) / 2);
	m[MRM_F1] = mrm__ratio(2 * tp, 2 * tp + fp + fn, reason_no_true_or_predicted);
	{
		/* sklearn's multiclass formula specialised to 2 x 2. */
		double t1 = pos, t0 = neg, p1 = pp, p0 = tn + fn;
		double cov_ytyp = (tp + tn) * total - (t0 * p0 + t1 * p1);
		double cov_ypyp = total * total - (p0 * p0 + p1 * p1);
		double cov_ytyt = total * total - (t0 * t0 + t1 * t1);

		if (total == 0)
			m[MRM_MATTHEWS_CORRCOEF] = mrm__undef(mrm_reason_no_rows);
		else if (cov_ypyp * cov_ytyt == 0)
			m[MRM_MATTHEWS_CORRCOEF] = mrm__undef(reason_mcc);
		else
			m[MRM_MATTHEWS_CORRCOEF] = mrm__val(cov_ytyp / sqrt(cov_ytyt * cov_ypyp));
	}
}

int mrm_confusion_at(const struct mrm_binary *d, double t,
		     struct mrm_confusion *out, struct mrm_error *err)
{
	struct mrm_binary_acc a;
	int rc;

	mrm_binary_acc_init(&a, t, 1);
	rc = mrm_binary_acc_add(&a, d, err);
	if (rc)
		return rc;
	*out = a.cm;
	return 0;
}

/* ---- the accumulator ---- */

void mrm_binary_acc_init(struct mrm_binary_acc *a, double threshold,
			 size_t bins)
{
	memset(a, 0, sizeof(*a));
	a->threshold = threshold;
	a->bins = bins == 0 ? 10 : bins > MRM_ACC_MAX_BINS ? MRM_ACC_MAX_BINS : bins;
}

int mrm_binary_acc_add(struct mrm_binary_acc *a, const struct mrm_binary *d,
		       struct mrm_error *err)
{
	struct mrm_binary_acc t = *a;
	size_t i;

	if (d->n && (!d->y || !d->score))
		return mrm_error_set(err, MRM_EINPUT, "missing label or score array");
	for (i = 0; i < d->n; i++) {
		double s = d->score[i], w = d->weight ? d->weight[i] : 1.0;
		int y = d->y[i];

		if (!(y <= 1 && isfinite(s) && w >= 0 && isfinite(w)))
			return mrm__binary_row_check(d, i, a->rows + i, err);
		if (w == 0)
			continue;
		t.used++;
		t.sum_w += w;
		if (y)
			t.sum_pos += w;
		if (s >= t.threshold) {
			if (y)
				t.cm.tp += w;
			else
				t.cm.fp += w;
		} else {
			if (y)
				t.cm.fn += w;
			else
				t.cm.tn += w;
		}
		if (t.not_probability)
			continue;
		if (!(s >= 0 && s <= 1)) {
			t.not_probability = true;
			continue;
		}
		{
			size_t b = mrm__uniform_bin(s, t.bins);

			t.sum_logloss += w * mrm__log_loss_row(y, s);
			t.sum_brier += w * (y - s) * (y - s);
			t.bin_w[b] += w;
			t.bin_p[b] += w * s;
			t.bin_y[b] += w * y;
		}
	}
	t.rows += d->n;
	*a = t;
	return 0;
}

int mrm_binary_acc_merge(struct mrm_binary_acc *a, const struct mrm_binary_acc *b,
			 struct mrm_error *err)
{
	size_t i;

	if (a->threshold != b->threshold || a->bins != b->bins)
		return mrm_error_set(err, MRM_EINPUT,
				     "cannot merge accumulators with different thresholds or bins");
	a->rows += b->rows;
	a->used += b->used;
	a->cm.tn += b->cm.tn;
	a->cm.fp += b->cm.fp;
	a->cm.fn += b->cm.fn;
	a->cm.tp += b->cm.tp;
	a->sum_w += b->sum_w;
	a->sum_pos += b->sum_pos;
	a->sum_logloss += b->sum_logloss;
	a->sum_brier += b->sum_brier;
	a->not_probability = a->not_probability || b->not_probability;
	for (i = 0; i < a->bins; i++) {
		a->bin_w[i] += b->bin_w[i];
		a->bin_p[i] += b->bin_p[i];
		a->bin_y[i] += b->bin_y[i];
	}
	return 0;
}

void mrm_binary_acc_finish(const struct mrm_binary_acc *a,
			   struct mrm_binary_metrics *out)
{
	int i;

	for (i = 0; i < MRM_BINARY_METRIC_COUNT; i++)
		out->m[i] = mrm__undef(mrm__reason_needs_scores);
	out->rows = a->used;
	out->weight = a->sum_w;
	out->positives = a->sum_pos;
	out->threshold = a->threshold;
	out->confusion = a->cm;
	mrm_confusion_metrics(&a->cm, out->m);
	if (a->sum_w == 0) {
		out->m[MRM_LOG_LOSS] = mrm__undef(mrm_reason_no_rows);
		out->m[MRM_BRIER_SCORE] = mrm__undef(mrm_reason_no_rows);
		out->m[MRM_ECE] = mrm__undef(mrm_reason_no_rows);
		out->m[MRM_MCE] = mrm__undef(mrm_reason_no_rows);
	} else if (a->not_probability) {
		out->m[MRM_LOG_LOSS] = mrm__undef(mrm_reason_not_probabilities);
		out->m[MRM_BRIER_SCORE] = mrm__undef(mrm_reason_not_probabilities);
		out->m[MRM_ECE] = mrm__undef(mrm_reason_not_probabilities);
		out->m[MRM_MCE] = mrm__undef(mrm_reason_not_probabilities);
	} else {
		out->m[MRM_LOG_LOSS] = mrm__val(a->sum_logloss / a->sum_w);
		out->m[MRM_BRIER_SCORE] = mrm__val(a->sum_brier / a->sum_w);
		mrm__ece(a->bin_w, a->bin_p, a->bin_y, a->bins, &out->m[MRM_ECE],
			 &out->m[MRM_MCE]);
	}
}

int mrm_log_loss(const struct mrm_binary *d, struct mrm_metric *out,
		 struct mrm_error *err)
{
	struct mrm_binary_acc a;
	struct mrm_binary_metrics m;
	int rc;

	mrm_binary_acc_init(&a, 0.5, 1);
	rc = mrm_binary_acc_add(&a, d, err);
	if (rc)
		return rc;
	mrm_binary_acc_finish(&a, &m);
	*out = m.m[MRM_LOG_LOSS];
	return 0;
}

int mrm_brier_score(const struct mrm_binary *d, struct mrm_metric *out,
		    struct mrm_error *err)
{
	struct mrm_binary_acc a;
	struct mrm_binary_metrics m;
	int rc;

	mrm_binary_acc_init(&a, 0.5, 1);
	rc = mrm_binary_acc_add(&a, d, err);
	if (rc)
		return rc;
	mrm_binary_acc_finish(&a, &m);
	*out = m.m[MRM_BRIER_SCORE];
	return 0;
}

int mrm_binary_metrics(const struct mrm_binary *d, const struct mrm_ranked *r,
		       double threshold, size_t ece_bins,
		       struct mrm_binary_metrics *out, struct mrm_error *err)
{
	double bw[MRM_ACC_MAX_BINS] = { 0 }, bp[MRM_ACC_MAX_BINS] = { 0 };
	double by[MRM_ACC_MAX_BINS] = { 0 }, sll = 0, sbr = 0, total;
	size_t bins = ece_bins == 0 ? 10 : ece_bins > MRM_ACC_MAX_BINS ? MRM_ACC_MAX_BINS : ece_bins;
	size_t g;
	int i;

	/* Everything comes from the ranking: O(k) over distinct scores, no row pass. */
	if (d->n < r->n)
		return mrm_error_set(err, MRM_EINPUT, "the ranking is not of this data");
	for (i = 0; i < MRM_BINARY_METRIC_COUNT; i++)
		out->m[i] = mrm__undef(mrm_reason_no_rows);
	total = r->total_pos + r->total_neg;
	out->rows = r->n;
	out->weight = total;
	out->positives = r->total_pos;
	out->threshold = threshold;
	mrm_ranked_confusion(r, threshold, &out->confusion);
	mrm_confusion_metrics(&out->confusion, out->m);
	out->m[MRM_ROC_AUC] = mrm_roc_auc(r);
	out->m[MRM_GINI] = mrm_gini(r);
	out->m[MRM_AVERAGE_PRECISION] = mrm_average_precision(r);
	out->m[MRM_KS_STATISTIC] = mrm_ks_statistic(r);
	if (r->n == 0 || total == 0)
		return 0;
	if (r->score[0] > 1 || r->score[r->k - 1] < 0) {
		out->m[MRM_LOG_LOSS] = mrm__undef(mrm_reason_not_probabilities);
		out->m[MRM_BRIER_SCORE] = mrm__undef(mrm_reason_not_probabilities);
		out->m[MRM_ECE] = mrm__undef(mrm_reason_not_probabilities);
		out->m[MRM_MCE] = mrm__undef(mrm_reason_not_probabilities);
		return 0;
	}
	for (g = 0; g < r->k; g++) {
		double s = r->score[g];
		double pos = r->tps[g] - (g ? r->tps[g - 1] : 0);
		double neg = r->fps[g] - (g ? r->fps[g - 1] : 0);
		size_t b = mrm__uniform_bin(s, bins);

		if (pos != 0)
			sll += pos * mrm__log_loss_row(1, s);
		if (neg != 0)
			sll += neg * mrm__log_loss_row(0, s);
		sbr += pos * (1 - s) * (1 - s) + neg * s * s;
		bw[b] += pos + neg;
		bp[b] += (pos + neg) * s;
		by[b] += pos;
	}
	out->m[MRM_LOG_LOSS] = mrm__val(sll / total);
	out->m[MRM_BRIER_SCORE] = mrm__val(sbr / total);
	mrm__ece(bw, bp, by, bins, &out->m[MRM_ECE], &out->m[MRM_MCE]);
	return 0;
}
