/*
 * Benchmark of the lib/stats kernels on in-memory arrays (parsing excluded).
 * usage: stats-bench metrics [N | CSV]     full binary metric set, curves,
 *                                          lift, calibration, DeLong, fairness
 *        stats-bench bootstrap [N | CSV] [R] [threads] [all]
 * CSV: label,score[,group] with a header (the peer's clf.csv); N: synthetic
 * rows (default 10,000,000) drawn like ../shared/bench/gen_data.py.
 * Prints one JSON line per run with seconds per stage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>

#include "mrm/stats.h"
#include "mrm/stats-ci.h"
#include "mrm/stats-fairness.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t state = 20240601;

static double uniform(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return ((double)(state >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
	return sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform());
}

struct data {
	size_t n;
	uint8_t *y;
	double *s;
	uint32_t *g;
};

static void synth(struct data *d, size_t n)
{
	static const double base[5] = { -1.5, -1.0, -0.5, 0.0, 0.5 };
	static const double cum[5] = { 0.35, 0.60, 0.80, 0.92, 1.0 };
	size_t i;

	d->n = n;
	d->y = malloc(n);
	d->s = malloc(n * sizeof(double));
	d->g = malloc(n * sizeof(uint32_t));
	for (i = 0; i < n; i++) {
		double u = uniform(), z;
		uint32_t g = 0;

		while (u > cum[g])
			g++;
		z = base[g] + 1.2 * normal();
		d->g[i] = g;
		d->y[i] = uniform() < 1 / (1 + exp(-z));
		d->s[i] = round(1e6 / (1 + exp(-(z + 0.5 * normal())))) / 1e6;
	}
}

/* Reads label,score[,group] (the peer's clf.csv; group A..E). */
static int read_csv(struct data *d, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t cap = 1 << 20;

	if (!f)
		return -1;
	d->n = 0;
	d->y = malloc(cap);
	d->s = malloc(cap * sizeof(double));
	d->g = malloc(cap * sizeof(uint32_t));
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *e;

		if (d->n == cap) {
			cap *= 2;
			d->y = realloc(d->y, cap);
			d->s = realloc(d->s, cap * sizeof(double));
			d->g = realloc(d->g, cap * sizeof(uint32_t));
		}
		d->y[d->n] = (uint8_t)strtol(p, &e, 10);
		d->s[d->n] = strtod(e + 1, &e);
		d->g[d->n] = *e == ',' ? (uint32_t)(e[1] - 'A') % 5 : 0;
		d->n++;
	}
	fclose(f);
	return 0;
}

static void load(struct data *d, const char *arg)
{
	if (arg && strchr(arg, '.')) {
		if (read_csv(d, arg)) {
			fprintf(stderr, "cannot read %s\n", arg);
			exit(2);
		}
	} else {
		synth(d, arg ? (size_t)atol(arg) : 10000000);
	}
}

static void bench_metrics(struct data *d)
{
	struct mrm_binary b = { d->n, d->y, d->s, NULL };
	struct mrm_ranked r;
	struct mrm_binary_metrics m;
	struct mrm_curve roc, pr;
	struct mrm_lift_bin lift[10];
	struct mrm_reliability_bin tab[10];
	struct mrm_metric ece, mce;
	struct mrm_calibration_fit fit;
	struct mrm_delong dl;
	struct mrm_group_stats pg[5];
	struct mrm_fairness f;
	struct mrm_fairness_options fo = { .threshold = 0.5 };
	double t0 = now(), t_rank, t_metrics, t_curves, t_cal, t_delong, t_fair, t_groups;
	size_t g;

	mrm_ranked_build(&r, &b, NULL);
	t_rank = now() - t0;
	t0 = now();
	mrm_binary_metrics(&b, &r, 0.5, 10, &m, NULL);
	t_metrics = now() - t0;
	t0 = now();
	mrm_roc_curve(&r, true, &roc, NULL);
	mrm_pr_curve(&r, &pr, NULL);
	mrm_lift_table(&r, 10, lift, NULL);
	t_curves = now() - t0;
	t0 = now();
	mrm_calibration(&b, &r, MRM_BINS_QUANTILE, 10, tab, &ece, &mce, NULL);
	mrm_calibration_slope(&r, &fit, NULL);
	t_cal = now() - t0;
	t0 = now();
	mrm_delong(&r, 0.95, &dl);
	t_delong = now() - t0;
	t0 = now();
	mrm_fairness(&b, d->g, 5, &fo, pg, &f, NULL);
	t_fair = now() - t0;
	/* Per-group full metric sets (each group gathered, ranked and measured). */
	t0 = now();
	for (g = 0; g < 5; g++) {
		size_t i, k = 0;
		uint8_t *yy = malloc(d->n);
		double *ss = malloc(d->n * sizeof(double));
		struct mrm_binary bg;
		struct mrm_ranked rg;
		struct mrm_binary_metrics mg;

		for (i = 0; i < d->n; i++)
			if (d->g[i] == g) {
				yy[k] = d->y[i];
				ss[k++] = d->s[i];
			}
		bg = (struct mrm_binary){ k, yy, ss, NULL };
		mrm_ranked_build(&rg, &bg, NULL);
		mrm_binary_metrics(&bg, &rg, 0.5, 10, &mg, NULL);
		mrm_ranked_release(&rg);
		free(yy);
		free(ss);
	}
	t_groups = now() - t0;
	printf("{\"rows\": %zu, \"distinct_scores\": %zu, \"roc_auc\": %.12f, \"log_loss\": %.12f, "
	       "\"ece\": %.6f, \"slope\": %.6f, \"delong_se\": %.6g, \"dpd\": %.6f, "
	       "\"rank_s\": %.3f, \"metrics_s\": %.3f, \"curves_lift_s\": %.3f, "
	       "\"calibration_s\": %.3f, \"delong_s\": %.3f, \"fairness_s\": %.3f, "
	       "\"overall_total_s\": %.3f, \"per_group_metrics_s\": %.3f}\n",
	       d->n, r.k, m.m[MRM_ROC_AUC].value, m.m[MRM_LOG_LOSS].value, ece.value,
	       fit.slope.value, dl.se, f.demographic_parity_difference.value, t_rank,
	       t_metrics, t_curves, t_cal, t_delong, t_fair,
	       t_rank + t_metrics + t_curves + t_cal + t_delong + t_fair, t_groups);
	mrm_curve_release(&roc);
	mrm_curve_release(&pr);
	mrm_ranked_release(&r);
}

static void bench_bootstrap(struct data *d, size_t R, unsigned threads, int all)
{
	struct mrm_binary b = { d->n, d->y, d->s, NULL };
	struct mrm_ranked r;
	struct mrm_interval ci[MRM_BINARY_METRIC_COUNT];
	struct mrm_bootstrap_options o = { .replicates = R, .seed = 0, .threads = threads,
					   .threshold = 0.5,
					   .metrics = all ? 0 : 1ULL << MRM_ROC_AUC };
	double t0 = now(), t_rank, t_boot;
	struct mrm_error err = { 0 };

	mrm_ranked_build(&r, &b, NULL);
	t_rank = now() - t0;
	t0 = now();
	if (mrm_bootstrap_binary(&b, &r, &o, ci, NULL, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	t_boot = now() - t0;
	printf("{\"rows\": %zu, \"replicates\": %zu, \"threads\": %u, \"metrics\": \"%s\", "
	       "\"auc\": %.12f, \"ci\": [%.6f, %.6f], \"rank_s\": %.3f, \"bootstrap_s\": %.3f}\n",
	       d->n, R, threads, all ? "all" : "roc_auc", mrm_roc_auc(&r).value,
	       ci[MRM_ROC_AUC].low, ci[MRM_ROC_AUC].high, t_rank, t_boot);
	mrm_ranked_release(&r);
}

int main(int argc, char **argv)
{
	struct data d;

	if (argc < 2) {
		fprintf(stderr, "usage: stats-bench metrics|bootstrap [N|CSV] [R] [threads] [all]\n");
		return 2;
	}
	if (strcmp(argv[1], "metrics") == 0) {
		load(&d, argc > 2 ? argv[2] : NULL);
		bench_metrics(&d);
	} else if (strcmp(argv[1], "bootstrap") == 0) {
		load(&d, argc > 2 ? argv[2] : "1000000");
		bench_bootstrap(&d, argc > 3 ? (size_t)atol(argv[3]) : 1000,
				argc > 4 ? (unsigned)atoi(argv[4]) : 2,
				argc > 5 && strcmp(argv[5], "all") == 0);
	} else {
		fprintf(stderr, "unknown mode %s\n", argv[1]);
		return 2;
	}
	free(d.y);
	free(d.s);
	free(d.g);
	return 0;
}
