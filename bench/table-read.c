/*
 * Times libmrm's table reader on one file: the whole table (default) or
 * batches (-S, bounded memory), and prints one JSON line with the rows,
 * seconds, MB/s of input text and a checksum of what was read.
 *
 * usage: table-read [-t THREADS] [-k CHUNK] [-S] FILE [NAME:num|cat|text|auto ...]
 * (no column arguments: every column, auto)
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mrm/table.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct sums {
	double num;
	uint64_t codes, missing;
};

static int add(const struct mrm_table *t, void *arg)
{
	struct sums *s = arg;

	for (size_t c = 0; c < t->ncols; c++) {
		const struct mrm_table_column *col = &t->cols[c];
		s->missing += col->nmissing;
		if (col->type == MRM_COL_NUMERIC) {
			for (uint64_t i = 0; i < t->nrows; i++)
				if (!isnan(col->num[i]))
					s->num += col->num[i];
		} else if (col->type == MRM_COL_CATEGORICAL) {
			for (uint64_t i = 0; i < t->nrows; i++)
				s->codes += col->codes[i];
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct mrm_table_options opt = { 0 };
	struct mrm_error err = { 0 };
	struct mrm_table_reader *r = NULL;
	struct mrm_table *t = NULL;
	struct sums s = { 0 };
	bool stream = false;
	double t0, t1;
	int c, rc;

	while ((c = getopt(argc, argv, "t:k:S")) != -1) {
		switch (c) {
		case 't': opt.threads = atoi(optarg); break;
		case 'k': opt.chunk_bytes = (size_t)atol(optarg); break;
		case 'S': stream = true; break;
		default:
			fprintf(stderr, "usage: table-read [-t N] [-k CHUNK] [-S] FILE [COL:TYPE ...]\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: table-read [-t N] [-k CHUNK] [-S] FILE [COL:TYPE ...]\n");
		return 2;
	}
	t0 = now();
	if ((rc = mrm_table_open(argv[optind], &opt, &r, &err)))
		goto out;
	for (int i = optind + 1; i < argc; i++) {
		char *name = argv[i], *colon = strrchr(name, ':');
		enum mrm_col_type ty = MRM_COL_AUTO;
		if (colon) {
			*colon = '\0';
			ty = !strcmp(colon + 1, "num")	? MRM_COL_NUMERIC :
			     !strcmp(colon + 1, "cat")	? MRM_COL_CATEGORICAL :
			     !strcmp(colon + 1, "text") ? MRM_COL_TEXT :
							  MRM_COL_AUTO;
		}
		if ((rc = mrm_table_select(r, name, ty, NULL, &err)))
			goto out;
	}
	if (optind + 1 == argc && (rc = mrm_table_select_all(r, MRM_COL_AUTO, &err)))
		goto out;
	if (stream) {
		rc = mrm_table_each(r, add, &s, &err);
	} else if (!(rc = mrm_table_read_all(r, &t, &err))) {
		t1 = now();
		add(t, &s);
	}
	if (rc)
		goto out;
	if (stream)
		t1 = now();
	{
		const struct mrm_table_stats *st = mrm_table_stats(r);
		double secs = t1 - t0;
		printf("{\"rows\": %" PRIu64 ", \"bytes\": %" PRIu64 ", \"seconds\": %.3f, "
		       "\"mb_per_s\": %.0f, \"mode\": \"%s\", \"sum\": %.6f, \"codes\": %" PRIu64
		       ", \"missing\": %" PRIu64 "}\n",
		       st->rows, st->bytes, secs, (double)st->bytes / 1e6 / secs,
		       stream ? "stream" : "table", s.num, s.codes, s.missing);
	}
out:
	if (rc)
		fprintf(stderr, "table-read: %s\n", err.msg);
	mrm_table_free(t);
	mrm_table_close(r);
	return rc;
}
