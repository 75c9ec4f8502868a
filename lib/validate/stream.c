/*
 * `mrm validate --streaming`: the binary metrics that need only counts and
 * sums (the confusion matrix and its rates, log loss, Brier, equal-width
 * ECE/MCE), overall and per slice, in memory that does not grow with the
 * number of rows (lib/stats' mergeable accumulators).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strmap.h"
#include "validate/internal.h"

static const char reason_stream[] = "needs every score: not computed with --streaming";

static int grow_accs(struct mrm__vdata *d, size_t k, size_t need)
{
	size_t cap = d->slice_n[k], i;
	struct mrm_binary_acc *a;
	size_t *rows;

	if (need <= cap)
		return 0;
	cap = cap ? cap : 8;
	while (cap < need)
		cap *= 2;
	a = realloc(d->slice_acc[k], cap * sizeof(*a));
	if (!a)
		return -1;
	d->slice_acc[k] = a;
	rows = realloc(d->slice_rows[k], cap * sizeof(*rows));
	if (!rows)
		return -1;
	d->slice_rows[k] = rows;
	for (i = d->slice_n[k]; i < cap; i++) {
		mrm_binary_acc_init(&a[i], d->acc.threshold, d->acc.bins);
		rows[i] = 0;
	}
	d->slice_n[k] = cap;
	return 0;
}

/* Adds the rows of a batch to the accumulators of their slices, one call per slice. */
static int add_sliced(struct mrm__vdata *d, size_t k, const uint32_t *code, size_t nslices,
		      const uint8_t *y, const double *s, const double *w, size_t m,
		      struct mrm_error *err)
{
	size_t *start = calloc(nslices + 2, sizeof(*start));
	uint32_t *idx = malloc((m ? m : 1) * sizeof(*idx));
	uint8_t *yy = malloc(m ? m : 1);
	double *ss = malloc((m ? m : 1) * sizeof(double));
	double *ww = w ? malloc((m ? m : 1) * sizeof(double)) : NULL;
	size_t i, c;
	int rc = 0;

	if (!start || !idx || !yy || !ss || (w && !ww) || grow_accs(d, k, nslices)) {
		rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
		goto out;
	}
	for (i = 0; i < m; i++)
		if (code[i] < nslices)
			start[code[i] + 1]++;
	for (c = 0; c < nslices; c++)
		start[c + 1] += start[c];
	for (i = 0; i < m; i++)
		if (code[i] < nslices)
			idx[start[code[i]]++] = (uint32_t)i;
	for (c = nslices; c > 0; c--)
		start[c] = start[c - 1];
	start[0] = 0;
	for (c = 0; c < nslices; c++) {
		size_t a = start[c], b = start[c + 1], j;
		struct mrm_binary batch;

		if (a == b)
			continue;
		for (j = a; j < b; j++) {
			yy[j - a] = y[idx[j]];
			ss[j - a] = s[idx[j]];
			if (ww)
				ww[j - a] = w[idx[j]];
		}
		batch = (struct mrm_binary){ b - a, yy, ss, ww };
		if ((rc = mrm_binary_acc_add(&d->slice_acc[k][c], &batch, err)))
			goto out;
		d->slice_rows[k][c] += b - a;
	}
out:
	free(start);
	free(idx);
	free(yy);
	free(ss);
	free(ww);
	return rc;
}

int mrm__stream_add(struct mrm__vdata *d, const uint8_t *y, const double *s, const double *w,
		    const uint32_t *const *codes, size_t m, struct mrm_error *err)
{
	struct mrm_binary all = { m, y, s, w };
	size_t k, i;
	int rc;

	if ((rc = mrm_binary_acc_add(&d->acc, &all, err)))
		return rc;
	for (k = 0; k < d->ng; k++) {
		uint32_t mx = 0;

		for (i = 0; i < m; i++)
			if (codes[k][i] != UINT32_MAX && codes[k][i] + 1 > mx)
				mx = codes[k][i] + 1;
		if ((rc = add_sliced(d, k, codes[k], mx, y, s, w, m, err)))
			return rc;
	}
	if (d->ng > 1) {
		uint32_t *ix = malloc((m ? m : 1) * sizeof(*ix));
		uint32_t tuple[MRM__MAX_GROUPS];

		if (!ix || (!d->ix_map && !(d->ix_map = mrm_strmap_new()))) {
			free(ix);
			return mrm_error_set(err, MRM_EINPUT, "out of memory");
		}
		for (i = 0; i < m; i++) {
			void **slot;
			bool miss = false;

			for (k = 0; k < d->ng; k++) {
				tuple[k] = codes[k][i];
				miss |= tuple[k] == UINT32_MAX;
			}
			if (miss) {
				ix[i] = UINT32_MAX;
				continue;
			}
			slot = mrm_strmap_slot(d->ix_map, (const char *)tuple, d->ng * sizeof(uint32_t));
			if (!slot) {
				free(ix);
				return mrm_error_set(err, MRM_EINPUT, "out of memory");
			}
			if (!*slot) {
				if (d->ix_n == d->ix_cap) {
					size_t nc = d->ix_cap ? d->ix_cap * 2 : 16;
					uint32_t *nt = realloc(d->ix_tuples, nc * d->ng * sizeof(uint32_t));

					if (!nt) {
						free(ix);
						return mrm_error_set(err, MRM_EINPUT, "out of memory");
					}
					d->ix_tuples = nt;
					d->ix_cap = nc;
				}
				memcpy(d->ix_tuples + d->ix_n * d->ng, tuple, d->ng * sizeof(uint32_t));
				*slot = (void *)(uintptr_t)(++d->ix_n);
			}
			ix[i] = (uint32_t)((uintptr_t)*slot - 1);
		}
		rc = add_sliced(d, d->ng, ix, d->ix_n, y, s, w, m, err);
		free(ix);
		return rc;
	}
	return 0;
}

/* ---- the report ---------------------------------------------------------------------- */

static const char reason_no_threshold[] =
	"scores are not probabilities: give --threshold for the metrics at a threshold";

static void finish_nothr(const struct mrm_binary_acc *a, struct mrm_binary_metrics *bm, bool nothr)
{
	static const int ids[] = { MRM_ROC_AUC, MRM_GINI, MRM_AVERAGE_PRECISION, MRM_KS_STATISTIC };
	size_t i;
	int id;

	mrm_binary_acc_finish(a, bm);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		bm->m[ids[i]] = (struct mrm_metric){ NAN, reason_stream };
	if (nothr)
		for (id = MRM_ACCURACY; id <= MRM_SELECTION_RATE; id++)
			bm->m[id] = (struct mrm_metric){ NAN, reason_no_threshold };
}

#define finish(a, bm) finish_nothr((a), (bm), d->nothr)

static void wilson(json_t *ci, const struct mrm_binary_metrics *bm)
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

		if (bm->m[rates[i].id].reason || rates[i].n <= 0)
			continue;
		mrm_wilson(rates[i].x, rates[i].n, 0.95, &lo, &hi);
		json_object_set_new(ci, mrm_binary_metric_name(rates[i].id), mrm__jpair(lo, hi));
	}
}

static json_t *population_json(const struct mrm_binary_metrics *bm, json_t **undef_out)
{
	json_t *m = json_object(), *undef = json_object();
	int id;

	for (id = 0; id < MRM_BINARY_METRIC_COUNT; id++)
		mrm__jmetric(m, undef, mrm_binary_metric_name(id), bm->m[id]);
	*undef_out = undef;
	return m;
}

static json_t *confusion_json(const struct mrm_confusion *c)
{
	return json_pack("{s:o,s:o,s:o,s:o}", "tn", mrm__jcount(c->tn), "fp", mrm__jcount(c->fp),
			 "fn", mrm__jcount(c->fn), "tp", mrm__jcount(c->tp));
}

/* Fairness from per-slice confusion matrices: four weighted rows per slice. */
static int fairness(struct mrm__vdata *d, size_t k, const size_t *sorted, size_t ns,
		    char **names, const char *key, json_t *fair, struct mrm_error *err)
{
	size_t G = d->slice_n[k], i, q;
	uint8_t *y = malloc(4 * G + 1);
	double *s = malloc((4 * G + 1) * sizeof(double)), *w = malloc((4 * G + 1) * sizeof(double));
	uint32_t *g = malloc((4 * G + 1) * sizeof(uint32_t));
	struct mrm_group_stats *pg = calloc(G + 1, sizeof(*pg));
	struct mrm_fairness f;
	struct mrm_fairness_options fo = { .threshold = 0.5 };
	json_t *o, *undef, *worst;
	int rc = 0;

	if (!y || !s || !w || !g || !pg) {
		rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
		goto out;
	}
	if (d->nothr) {
		static const char *const keys[] = {
			"demographic_parity_difference", "demographic_parity_ratio",
			"equalized_odds_difference", "equalized_odds_ratio",
			"equal_opportunity_difference", "disparate_impact_ratio", NULL,
		};

		o = json_object();
		undef = json_object();
		for (i = 0; keys[i]; i++) {
			json_object_set_new(o, keys[i], json_null());
			json_object_set_new(undef, keys[i], json_string(reason_no_threshold));
		}
		json_object_set_new(o, "four_fifths_rule", json_null());
		json_object_set_new(o, "undefined", undef);
		json_object_set_new(fair, key, o);
		goto out;
	}
	for (i = 0; i < G; i++) {
		const struct mrm_confusion *c = &d->slice_acc[k][i].cm;
		const double cw[4] = { c->tp, c->fn, c->fp, c->tn };

		for (q = 0; q < 4; q++) {
			y[4 * i + q] = q < 2;
			s[4 * i + q] = (q == 0 || q == 2) ? 1 : 0;
			w[4 * i + q] = cw[q];
			g[4 * i + q] = (uint32_t)i;
		}
	}
	{
		struct mrm_binary fd = { 4 * G, y, s, w };

		if ((rc = mrm_fairness(&fd, g, G, &fo, pg, &f, err)))
			goto out;
	}
	/* The kernel counted the four synthetic rows: recount small slices from the real ones. */
	f.small_groups = 0;
	for (i = 0; i < ns; i++) {
		size_t sl = sorted[i];

		f.small_groups += d->slice_rows[k][sl] < MRM_SMALL_MIN_ROWS ||
				  pg[sl].positives < MRM_SMALL_MIN_CLASS ||
				  pg[sl].negatives < MRM_SMALL_MIN_CLASS;
	}
	o = json_object();
	undef = json_object();
	worst = json_object();
	mrm__jmetric(o, undef, "demographic_parity_difference", f.demographic_parity_difference);
	mrm__jmetric(o, undef, "demographic_parity_ratio", f.demographic_parity_ratio);
	mrm__jmetric(o, undef, "equalized_odds_difference", f.equalized_odds_difference);
	mrm__jmetric(o, undef, "equalized_odds_ratio", f.equalized_odds_ratio);
	mrm__jmetric(o, undef, "equal_opportunity_difference", f.equal_opportunity_difference);
	mrm__jmetric(o, undef, "disparate_impact_ratio", f.disparate_impact_ratio);
	json_object_set_new(o, "four_fifths_rule", f.disparate_impact_ratio.reason ? json_null()
				: json_string(f.four_fifths_violated ? "fail" : "pass"));
	json_object_set_new(o, "four_fifths_threshold", json_real(MRM_FOUR_FIFTHS));
	json_object_set_new(o, "groups", json_integer((json_int_t)f.groups));
	json_object_set_new(o, "small_groups", json_integer((json_int_t)f.small_groups));
	json_object_set_new(worst, "selection_rate", f.worst_selection >= 0 ? json_string(names[f.worst_selection]) : json_null());
	json_object_set_new(worst, "tpr", f.worst_tpr >= 0 ? json_string(names[f.worst_tpr]) : json_null());
	json_object_set_new(worst, "fpr", f.worst_fpr >= 0 ? json_string(names[f.worst_fpr]) : json_null());
	json_object_set_new(o, "worst", worst);
	if (json_object_size(undef))
		json_object_set_new(o, "undefined", undef);
	else
		json_decref(undef);
	json_object_set_new(fair, key, o);
	if (f.four_fifths_violated)
		mrm__warn(d->warnings, "%s: disparate impact ratio %.3f is below the four-fifths rule "
			  "(0.8): '%s' has the lowest selection rate", key,
			  f.disparate_impact_ratio.value, names[f.worst_selection]);
out:
	free(y);
	free(s);
	free(w);
	free(g);
	free(pg);
	return rc;
}

struct named {
	const char *name;
	size_t idx;
};

static int cmp_named(const void *a, const void *b)
{
	return mrm__cmp_names(((const struct named *)a)->name, ((const struct named *)b)->name);
}

static int slices(struct mrm__vdata *d, size_t k, char **names, const char *key, json_t *groups,
		  json_t *fair, json_t *worstj, struct mrm_error *err)
{
	size_t G = d->slice_n[k], i, ns = 0;
	struct named *nm = malloc((G + 1) * sizeof(*nm));
	size_t *sorted = malloc((G + 1) * sizeof(size_t));
	json_t *gobj = json_object();
	const char *worst_name = NULL;
	double worst_val = INFINITY;
	int rc;

	json_object_set_new(groups, key, gobj);
	if (!nm || !sorted) {
		free(nm);
		free(sorted);
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	}
	for (i = 0; i < G; i++)
		if (d->slice_rows[k][i])
			nm[ns++] = (struct named){ names[i], i };
	if (ns > MRM__MAX_SLICES) {
		free(nm);
		free(sorted);
		return mrm_error_set(err, MRM_EINPUT, "--group %s has %zu distinct values: at most %d "
				     "slices (group by a coarser column)", key, ns, MRM__MAX_SLICES);
	}
	qsort(nm, ns, sizeof(*nm), cmp_named);
	for (i = 0; i < ns; i++) {
		size_t sl = nm[i].idx;
		struct mrm_binary_metrics bm;
		json_t *o, *undef, *m, *ci = json_object();
		double P, N;
		char small[96];
		bool is_small = true;

		sorted[i] = sl;
		finish(&d->slice_acc[k][sl], &bm);
		m = population_json(&bm, &undef);
		wilson(ci, &bm);
		P = bm.confusion.tp + bm.confusion.fn;
		N = bm.confusion.tn + bm.confusion.fp;
		o = json_pack("{s:I,s:o}", "n", (json_int_t)d->slice_rows[k][sl], "positives", mrm__jcount(P));
		if (d->o->weight)
			json_object_set_new(o, "weight", mrm__jcount(P + N));
		json_object_set_new(o, "metrics", m);
		json_object_set_new(o, "ci", ci);
		json_object_set_new(o, "confusion_matrix", d->nothr ? json_null() : confusion_json(&bm.confusion));
		json_object_set_new(o, "undefined", undef);
		if (d->slice_rows[k][sl] < MRM_SMALL_MIN_ROWS)
			snprintf(small, sizeof(small), "%zu row%s (fewer than %d)", d->slice_rows[k][sl],
				 d->slice_rows[k][sl] == 1 ? "" : "s", MRM_SMALL_MIN_ROWS);
		else if (P < MRM_SMALL_MIN_CLASS)
			snprintf(small, sizeof(small), "%g positives (fewer than %d)", P, MRM_SMALL_MIN_CLASS);
		else if (N < MRM_SMALL_MIN_CLASS)
			snprintf(small, sizeof(small), "%g negatives (fewer than %d)", N, MRM_SMALL_MIN_CLASS);
		else
			is_small = false;
		json_object_set_new(o, "small", is_small ? json_string(small) : json_null());
		if (is_small)
			mrm__warn(d->warnings, "slice %s=%s is too small to support a conclusion: %s", key,
				  names[sl], small);
		if (!bm.m[MRM_ACCURACY].reason && bm.m[MRM_ACCURACY].value < worst_val) {
			worst_val = bm.m[MRM_ACCURACY].value;
			worst_name = names[sl];
		}
		json_object_set_new(gobj, names[sl], o);
	}
	json_object_set_new(worstj, key, worst_name ? json_pack("{s:s,s:s,s:f}", "metric", "accuracy",
								  "slice", worst_name, "value", worst_val)
						    : json_null());
	rc = fairness(d, k, sorted, ns, names, key, fair, err);
	free(nm);
	free(sorted);
	return rc;
}

int mrm__binary_stream_report(struct mrm__vdata *d, json_t *res, struct mrm_error *err)
{
	const struct mrm_validate_options *o = d->o;
	struct mrm_binary_metrics bm;
	json_t *metrics, *undef, *ci, *cal, *tab;
	size_t b, k;
	int rc = 0;

	bool nothr = d->acc.not_probability && !o->threshold_given && !o->prediction;

	d->nothr = nothr;
	finish(&d->acc, &bm);
	if (o->prediction) {
		static const int soft[] = { MRM_LOG_LOSS, MRM_BRIER_SCORE, MRM_ECE, MRM_MCE };

		for (b = 0; b < 4; b++)
			bm.m[soft[b]] = (struct mrm_metric){ NAN, "--prediction gives predicted classes, not scores" };
	}
	json_object_set_new(res, "rows", json_integer((json_int_t)d->acc.used));
	json_object_set_new(res, "positives", mrm__jcount(bm.positives));
	json_object_set_new(res, "negatives", mrm__jcount(bm.weight - bm.positives));
	if (o->weight)
		json_object_set_new(res, "weight", mrm__jcount(bm.weight));
	json_object_set_new(res, "threshold", nothr ? json_null() : json_real(d->acc.threshold));
	if (nothr)
		mrm__warn(d->warnings, "scores are not probabilities: the metrics at a threshold, fairness "
			  "and the confusion matrix need --threshold");
	json_object_set_new(res, "scores_are_probabilities",
			    json_boolean(!d->acc.not_probability && !o->prediction));
	metrics = population_json(&bm, &undef);
	json_object_set_new(res, "metrics", metrics);
	json_object_set_new(res, "undefined", undef);
	ci = json_object();
	wilson(ci, &bm);
	json_object_set_new(res, "ci", ci);
	{
		json_t *method = json_object();
		const char *key;
		json_t *v;

		json_object_foreach(ci, key, v)
			json_object_set_new(method, key, json_string("wilson"));
		json_object_set_new(res, "ci_method", method);
	}
	json_object_set_new(res, "confusion_matrix", nothr ? json_null() : confusion_json(&bm.confusion));
	/* Equal-width reliability table from the accumulator's bins. */
	cal = json_pack("{s:s,s:I}", "binning", "width", "bins", (json_int_t)d->acc.bins);
	if (d->acc.not_probability || d->acc.sum_w == 0 || o->prediction) {
		json_object_set_new(cal, "ece", json_null());
		json_object_set_new(cal, "mce", json_null());
		json_object_set_new(cal, "table", json_null());
		json_object_set_new(cal, "reason", json_string(o->prediction ? "--prediction gives predicted classes, not scores"
							      : d->acc.sum_w == 0 ? mrm_reason_no_rows
							      : mrm_reason_not_probabilities));
	} else {
		mrm__jmetric(cal, NULL, "ece", bm.m[MRM_ECE]);
		mrm__jmetric(cal, NULL, "mce", bm.m[MRM_MCE]);
		tab = json_array();
		for (b = 0; b < d->acc.bins; b++) {
			double bw = d->acc.bin_w[b], lo, hi, lower = (double)b / (double)d->acc.bins;
			double upper = b + 1 == d->acc.bins ? 1.0 : (double)(b + 1) / (double)d->acc.bins;

			if (bw > 0)
				mrm_wilson(d->acc.bin_y[b], bw, 0.95, &lo, &hi);
			json_array_append_new(tab, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}",
							     "lower", json_real(lower), "upper", json_real(upper),
							     "weight", mrm__jcount(bw),
							     "mean_predicted", bw > 0 ? mrm__jnum(d->acc.bin_p[b] / bw) : json_null(),
							     "observed_rate", bw > 0 ? mrm__jnum(d->acc.bin_y[b] / bw) : json_null(),
							     "ci", bw > 0 ? mrm__jpair(lo, hi) : json_null()));
		}
		json_object_set_new(cal, "table", tab);
	}
	json_object_set_new(cal, "slope", json_null());
	json_object_set_new(cal, "intercept", json_null());
	json_object_set_new(res, "calibration", cal);
	json_object_set_new(res, "lift", json_null());
	json_object_set_new(res, "curves", json_null());
	json_object_set_new(undef, "lift", json_string(reason_stream));
	json_object_set_new(undef, "curves", json_string(reason_stream));
	json_object_set_new(undef, "calibration_slope", json_string(reason_stream));
	if (d->ng) {
		json_t *groups = json_object(), *fair = json_object(), *worst = json_object();

		json_object_set_new(res, "groups", groups);
		json_object_set_new(res, "fairness", fair);
		json_object_set_new(res, "worst_slice", worst);
		for (k = 0; k < d->ng && !rc; k++) {
			if (d->g[k].missing)
				mrm__warn(d->warnings, "%llu rows have no value for '%s': they count overall "
					  "but in no slice of it", (unsigned long long)d->g[k].missing,
					  d->g[k].name);
			if (grow_accs(d, k, d->g[k].ndict))
				return mrm_error_set(err, MRM_EINPUT, "out of memory");
			rc = slices(d, k, d->g[k].values, d->g[k].name, groups, fair, worst, err);
		}
		if (!rc && d->ng > 1) {
			char *key = mrm__intersection_key(d);
			char **names = calloc(d->ix_n + 1, sizeof(char *));
			size_t i, c;

			if (!key || !names || grow_accs(d, d->ng, d->ix_n)) {
				free(key);
				free(names);
				return mrm_error_set(err, MRM_EINPUT, "out of memory");
			}
			for (i = 0; i < d->ix_n && !rc; i++) {
				size_t cap = 1, len = 0;

				for (c = 0; c < d->ng; c++)
					cap += strlen(d->g[c].values[d->ix_tuples[i * d->ng + c]]) + 1;
				if (!(names[i] = malloc(cap))) {
					rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
					break;
				}
				for (c = 0; c < d->ng; c++)
					len += (size_t)snprintf(names[i] + len, cap - len, "%s%s", c ? "&" : "",
								d->g[c].values[d->ix_tuples[i * d->ng + c]]);
			}
			if (!rc)
				rc = slices(d, d->ng, names, key, groups, fair, worst, err);
			for (i = 0; i < d->ix_n; i++)
				free(names[i]);
			free(names);
			free(key);
		}
	}
	return rc;
}
