/*
 * Poisson bootstrap of the binary metrics: seeded per replicate, parallel
 * with pthreads, one O(n) pass over the pre-sorted rows per replicate.
 */
#include <pthread.h>
#include <stdlib.h>

#include "mrm/stats-ci.h"
#include "stats/internal.h"
#include "stats/rng.h"

#define C MRM_BINARY_METRIC_COUNT

static const char reason_most[] = "undefined in most bootstrap replicates";
static const char reason_not_wanted[] = "not requested";

/* ---- one model, prepared in sorted order ---- */

struct prep {
	size_t n, k, bins, gthr;
	size_t jthr;       /* rows with score >= threshold (a prefix) */
	uint8_t *end;      /* [n] 1 on the last row of a tie group */
	const uint32_t *order;
	const size_t *rows;
	const double *score;
	uint8_t *ys;
	double *ws;  /* NULL when unweighted */
	double *ll;  /* NULL unless probability metrics are wanted */
	double *br;
	uint16_t *bin;
	bool prob;
};

static void prep_release(struct prep *p)
{
	free(p->end);
	free(p->ys);
	free(p->ws);
	free(p->ll);
	free(p->br);
	free(p->bin);
}

#define WANT(mask, id) ((mask) & (1ULL << (id)))
#define PROB_MASK ((1ULL << MRM_LOG_LOSS) | (1ULL << MRM_BRIER_SCORE) | \
		   (1ULL << MRM_ECE) | (1ULL << MRM_MCE))

static int prep_build(struct prep *p, const struct mrm_binary *d,
		      const struct mrm_ranked *r, const struct mrm_bootstrap_options *o,
		      uint64_t mask)
{
	size_t j, g;

	memset(p, 0, sizeof(*p));
	p->n = r->n;
	p->k = r->k;
	p->order = r->order;
	p->rows = r->rows;
	p->score = r->score;
	p->bins = o->ece_bins ? o->ece_bins : 10;
	if (p->bins > 65535)
		p->bins = 65535;
	for (g = 0; g < r->k && r->score[g] >= o->threshold; g++)
		;
	p->gthr = g;
	p->jthr = g ? r->rows[g - 1] : 0;
	p->prob = r->k == 0 || (r->score[0] <= 1 && r->score[r->k - 1] >= 0);
	p->ys = malloc(r->n ? r->n : 1);
	p->end = calloc(r->n ? r->n : 1, 1);
	if (!p->ys || !p->end)
		return -1;
	for (g = 0; g < r->k; g++)
		p->end[r->rows[g] - 1] = 1;
	if (d->weight && !(p->ws = malloc(r->n * sizeof(*p->ws) + 1)))
		return -1;
	if (p->prob && (mask & PROB_MASK)) {
		p->ll = malloc(r->n * sizeof(*p->ll) + 1);
		p->br = malloc(r->n * sizeof(*p->br) + 1);
		p->bin = malloc(r->n * sizeof(*p->bin) + 1);
		if (!p->ll || !p->br || !p->bin)
			return -1;
	}
	for (j = 0; j < r->n; j++) {
		uint32_t i = r->order[j];
		double s = d->score[i];

		p->ys[j] = d->y[i];
		if (p->ws)
			p->ws[j] = d->weight[i];
		if (p->ll) {
			p->ll[j] = mrm__log_loss_row(d->y[i], s);
			p->br[j] = (d->y[i] - s) * (d->y[i] - s);
			p->bin[j] = (uint16_t)mrm__uniform_bin(s, p->bins);
		}
	}
	return 0;
}

struct scratch {
	double *tpg, *fpg;
	double *bw, *bp, *by;
};

static int scratch_init(struct scratch *s, size_t k, size_t bins)
{
	s->tpg = malloc((k + 1) * sizeof(double));
	s->fpg = malloc((k + 1) * sizeof(double));
	s->bw = malloc(bins * sizeof(double));
	s->bp = malloc(bins * sizeof(double));
	s->by = malloc(bins * sizeof(double));
	return s->tpg && s->fpg && s->bw && s->bp && s->by ? 0 : -1;
}

static void scratch_release(struct scratch *s)
{
	free(s->tpg);
	free(s->fpg);
	free(s->bw);
	free(s->bp);
	free(s->by);
}

/*
 * The metrics of one replicate. Replicate counts come from `cnt` (indexed
 * by original row) when given, else are drawn from `rng` in sorted order.
 */
static void replicate(const struct prep *p, const struct mrm__poisson *po,
		      struct mrm__rng *rng, const uint8_t *cnt, struct scratch *s,
		      uint64_t mask, double threshold, double *out)
{
	double tp = 0, fp = 0, pw = 0, nw = 0, area = 0, ap = 0, tthr = 0, fthr = 0;
	double sw = 0, sll = 0, sbr = 0;
	bool doprob = p->ll != NULL, doks = WANT(mask, MRM_KS_STATISTIC);
	struct mrm_metric m[C];
	size_t g = 0, j, b, n = p->n;
	uint64_t bits = 0;
	int id;

	(void)threshold;
	if (doprob)
		for (b = 0; b < p->bins; b++)
			s->bw[b] = s->bp[b] = s->by[b] = 0;
	/*
	 * One pass over the rows in descending score order, without branches
	 * on data: a row adds its replicate weight to the open tie group, and
	 * the last row of a group (e = 1) closes it into the running sums.
	 * Adding e * x with e = 0 adds an exact zero, so the result is the same
	 * as a loop over groups. Unpredictable branches here cost more than
	 * everything else.
	 */
	for (j = 0; j < n; j++) {
		unsigned c;
		double w, wp, e, ntp, nfp, den, q;

		if (cnt) {
			c = cnt[p->order[j]];
		} else {
			if (!(j & 1))
				bits = mrm__rng_next(rng);
			else
				bits >>= 32;
			c = mrm__poisson_of(po, (uint32_t)bits);
		}
		w = p->ws ? c * p->ws[j] : (double)c;
		wp = p->ys[j] ? w : 0;
		pw += wp;
		nw += w - wp;
		if (doprob) {
			sll += w * p->ll[j];
			sbr += w * p->br[j];
			b = p->bin[j];
			s->bw[b] += w;
			s->bp[b] += w * p->score[g];
			s->by[b] += wp;
		}
		e = p->end[j];
		ntp = tp + pw;
		nfp = fp + nw;
		den = ntp + nfp;
		q = ntp / (den + (den == 0));
		area += e * (nw * (tp + ntp));
		ap += e * (pw * q);
		tp += e * pw;
		fp += e * nw;
		pw -= e * pw;
		nw -= e * nw;
		if (doks) {
			s->tpg[g] = tp;
			s->fpg[g] = fp;
		}
		g += p->end[j];
		if (j + 1 == p->jthr) {
			tthr = tp;
			fthr = fp;
		}
	}
	sw = tp + fp;
	for (id = 0; id < C; id++)
		m[id] = mrm__undef(reason_not_wanted);
	if (sw == 0) {
		for (id = 0; id < C; id++)
			out[id] = NAN;
		return;
	}
	if (tp > 0 && fp > 0) {
		m[MRM_ROC_AUC] = mrm__val(area / 2 / (tp * fp));
		m[MRM_GINI] = mrm__val(2 * m[MRM_ROC_AUC].value - 1);
		if (doks) {
			double ks = 0;

			for (g = 0; g < p->k; g++) {
				double dd = fabs(s->tpg[g] / tp - s->fpg[g] / fp);

				if (dd > ks)
					ks = dd;
			}
			m[MRM_KS_STATISTIC] = mrm__val(ks);
		}
	}
	if (tp > 0)
		m[MRM_AVERAGE_PRECISION] = mrm__val(ap / tp);
	{
		struct mrm_confusion cm = { fp - fthr, fthr, tp - tthr, tthr };

		mrm_confusion_metrics(&cm, m);
	}
	if (doprob) {
		m[MRM_LOG_LOSS] = mrm__val(sll / sw);
		m[MRM_BRIER_SCORE] = mrm__val(sbr / sw);
		mrm__ece(s->bw, s->bp, s->by, p->bins, &m[MRM_ECE], &m[MRM_MCE]);
	}
	for (id = 0; id < C; id++)
		out[id] = WANT(mask, id) && !m[id].reason ? m[id].value : NAN;
}

/* ---- threads ---- */

struct job {
	const struct prep *p1, *p2; /* p2 NULL: single model */
	const struct mrm__poisson *po;
	const struct mrm_bootstrap_options *o;
	uint64_t mask;
	size_t rows; /* original rows, for paired counts */
	double *values;
	unsigned t, threads;
	int failed;
};

static void *worker(void *arg)
{
	struct job *jb = arg;
	const struct mrm_bootstrap_options *o = jb->o;
	struct scratch s1 = { 0 }, s2 = { 0 };
	uint8_t *cnt = NULL;
	size_t b, i;

	if (scratch_init(&s1, jb->p1->k, jb->p1->bins) ||
	    (jb->p2 && scratch_init(&s2, jb->p2->k, jb->p2->bins)) ||
	    (jb->p2 && !(cnt = malloc(jb->rows ? jb->rows : 1)))) {
		jb->failed = 1;
		goto out;
	}
	for (b = jb->t; b < o->replicates; b += jb->threads) {
		struct mrm__rng rng;
		double *v = jb->values + b * C;

		mrm__rng_seed(&rng, o->seed, b);
		if (!jb->p2) {
			replicate(jb->p1, jb->po, &rng, NULL, &s1, jb->mask, o->threshold, v);
			continue;
		}
		for (i = 0; i < jb->rows; i++)
			cnt[i] = (uint8_t)mrm__poisson_draw(jb->po, &rng);
		{
			double v2[C];
			int id;

			replicate(jb->p1, jb->po, NULL, cnt, &s1, jb->mask, o->threshold, v);
			replicate(jb->p2, jb->po, NULL, cnt, &s2, jb->mask, o->threshold, v2);
			for (id = 0; id < C; id++)
				v[id] = v2[id] - v[id];
		}
	}
out:
	scratch_release(&s1);
	scratch_release(&s2);
	free(cnt);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int run(const struct prep *p1, const struct prep *p2, size_t rows,
	       const struct mrm_bootstrap_options *o, uint64_t mask,
	       struct mrm_interval *ci, double *values_out, struct mrm_error *err)
{
	struct mrm__poisson po;
	struct job jobs[64];
	pthread_t tid[64];
	unsigned t, threads = o->threads ? o->threads : 2;
	double level = o->level > 0 ? o->level : 0.95, *values, *col = NULL;
	size_t R = o->replicates, b;
	int id, rc = 0;

	if (threads > 64)
		threads = 64;
	if (threads > R)
		threads = (unsigned)(R ? R : 1);
	values = values_out ? values_out : malloc(R * C * sizeof(double) + 1);
	col = malloc(R * sizeof(double) + 1);
	if (!values || !col) {
		rc = mrm_error_set(err, MRM_EINPUT, "out of memory for %zu replicates", R);
		goto out;
	}
	mrm__poisson_init(&po);
	for (t = 0; t < threads; t++) {
		jobs[t] = (struct job){ p1, p2, &po, o, mask, rows, values, t, threads, 0 };
	}
	for (t = 1; t < threads; t++) {
		if (pthread_create(&tid[t], NULL, worker, &jobs[t])) {
			/* Run what could not be threaded here instead. */
			unsigned u;

			for (u = t; u < threads; u++)
				jobs[u].failed = -1;
			break;
		}
	}
	worker(&jobs[0]);
	for (t = 1; t < threads; t++) {
		if (jobs[t].failed == -1) {
			jobs[t].failed = 0;
			worker(&jobs[t]);
		} else {
			pthread_join(tid[t], NULL);
		}
	}
	for (t = 0; t < threads; t++)
		if (jobs[t].failed)
			rc = mrm_error_set(err, MRM_EINPUT, "out of memory in the bootstrap");
	if (rc)
		goto out;
	for (id = 0; id < C; id++) {
		size_t m = 0;

		ci[id] = (struct mrm_interval){ NAN, NAN, 0, NULL };
		if (!WANT(mask, id)) {
			ci[id].reason = reason_not_wanted;
			continue;
		}
		for (b = 0; b < R; b++)
			if (!isnan(values[b * C + id]))
				col[m++] = values[b * C + id];
		ci[id].replicates = m;
		if (m == 0 || 2 * m < R) {
			ci[id].reason = reason_most;
			continue;
		}
		qsort(col, m, sizeof(*col), cmp_double);
		ci[id].low = mrm__percentile_sorted(col, m, 100 * (1 - level) / 2);
		ci[id].high = mrm__percentile_sorted(col, m, 100 * (1 + level) / 2);
	}
out:
	if (values != values_out)
		free(values);
	free(col);
	return rc;
}

static int check_options(const struct mrm_bootstrap_options *o,
			 struct mrm_error *err)
{
	if (o->replicates == 0)
		return mrm_error_set(err, MRM_EINPUT, "bootstrap needs at least one replicate");
	if (o->level < 0 || o->level >= 1)
		return mrm_error_set(err, MRM_EINPUT,
				     "bootstrap confidence level must be in (0, 1)");
	return 0;
}

int mrm_bootstrap_binary(const struct mrm_binary *d, const struct mrm_ranked *r,
			 const struct mrm_bootstrap_options *o,
			 struct mrm_interval ci[MRM_BINARY_METRIC_COUNT],
			 double *values, struct mrm_error *err)
{
	uint64_t mask = o->metrics ? o->metrics : ~0ULL;
	struct prep p;
	int rc;

	rc = check_options(o, err);
	if (rc)
		return rc;
	rc = mrm_binary_check(d, err);
	if (rc)
		return rc;
	if (prep_build(&p, d, r, o, mask)) {
		prep_release(&p);
		return mrm_error_set(err, MRM_EINPUT, "out of memory preparing the bootstrap");
	}
	rc = run(&p, NULL, d->n, o, mask, ci, values, err);
	prep_release(&p);
	return rc;
}

int mrm_bootstrap_paired(const struct mrm_binary *d1, const struct mrm_ranked *r1,
			 const struct mrm_binary *d2, const struct mrm_ranked *r2,
			 const struct mrm_bootstrap_options *o,
			 struct mrm_interval diff[MRM_BINARY_METRIC_COUNT],
			 double *values, struct mrm_error *err)
{
	uint64_t mask = o->metrics ? o->metrics : ~0ULL;
	struct prep p1, p2;
	int rc;

	rc = check_options(o, err);
	if (rc)
		return rc;
	if (d1->n != d2->n)
		return mrm_error_set(err, MRM_EINPUT,
				     "paired bootstrap: %zu rows against %zu", d1->n, d2->n);
	rc = mrm_binary_check(d1, err);
	if (!rc)
		rc = mrm_binary_check(d2, err);
	if (rc)
		return rc;
	memset(&p2, 0, sizeof(p2));
	if (prep_build(&p1, d1, r1, o, mask) || prep_build(&p2, d2, r2, o, mask)) {
		prep_release(&p1);
		prep_release(&p2);
		return mrm_error_set(err, MRM_EINPUT, "out of memory preparing the bootstrap");
	}
	rc = run(&p1, &p2, d1->n, o, mask, diff, values, err);
	prep_release(&p1);
	prep_release(&p2);
	return rc;
}
