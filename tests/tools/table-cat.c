/*
 * Reads a CSV or JSON Lines file with libmrm's table reader and prints a
 * summary of its columns (or every row with -p), for tests and benchmarks.
 *
 * usage: table-cat [-H] [-d DELIM] [-f csv|jsonl] [-n NA]... [-N] [-s] [-i]
 *                  [-t THREADS] [-k CHUNK] [-m MAXFIELD] [-l MAXLINE]
 *                  [-c NAME[:num|cat|text|auto]]... [-S] [-p] FILE|-
 *   -c  select a column (default: every column, auto); -S read in batches
 *   (bounded memory) instead of the whole table; -p print the rows.
 * Exit status: 0, or the library's error code with its message on stderr.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrm/table.h"

#define MAXSEL 256

struct colsum {
	int type;
	uint64_t rows, missing;
	double sum, min, max;
	uint64_t textbytes;
	uint64_t *counts; /* per category code */
	uint32_t ncounts;
};

static const char *type_name(int t)
{
	switch (t) {
	case MRM_COL_NUMERIC: return "numeric";
	case MRM_COL_CATEGORICAL: return "categorical";
	case MRM_COL_TEXT: return "text";
	default: return "auto";
	}
}

static int parse_type(const char *s)
{
	if (!strcmp(s, "num")) return MRM_COL_NUMERIC;
	if (!strcmp(s, "cat")) return MRM_COL_CATEGORICAL;
	if (!strcmp(s, "text")) return MRM_COL_TEXT;
	if (!strcmp(s, "auto")) return MRM_COL_AUTO;
	return -1;
}

static void print_value(const struct mrm_table_column *c, uint64_t i)
{
	if (mrm_table_missing(c, i)) {
		fputs("<NA>", stdout);
	} else if (c->type == MRM_COL_NUMERIC) {
		printf("%.17g", c->num[i]);
	} else if (c->type == MRM_COL_CATEGORICAL) {
		printf("%s", mrm_table_category(c, i));
	} else {
		size_t n;
		const char *s = mrm_table_text(c, i, &n);
		fwrite(s, 1, n, stdout);
	}
}

struct acc {
	struct colsum *sum;
	size_t ncols;
	bool print;
	uint64_t batches;
};

static int add_batch(const struct mrm_table *t, void *arg)
{
	struct acc *a = arg;

	a->batches++;
	for (size_t s = 0; s < t->ncols; s++) {
		const struct mrm_table_column *c = &t->cols[s];
		struct colsum *cs = &a->sum[s];
		cs->type = c->type;
		cs->rows += t->nrows;
		cs->missing += c->nmissing;
		for (uint64_t i = 0; i < t->nrows; i++) {
			if (mrm_table_missing(c, i))
				continue;
			if (c->type == MRM_COL_NUMERIC) {
				double v = c->num[i];
				cs->sum += v;
				if (isnan(cs->min) || v < cs->min)
					cs->min = v;
				if (isnan(cs->max) || v > cs->max)
					cs->max = v;
			} else if (c->type == MRM_COL_CATEGORICAL) {
				uint32_t code = c->codes[i];
				if (code >= cs->ncounts) {
					uint32_t n = c->dict->n;
					uint64_t *p = realloc(cs->counts, n * sizeof(*p));
					if (!p)
						return 1;
					memset(p + cs->ncounts, 0, (n - cs->ncounts) * sizeof(*p));
					cs->counts = p;
					cs->ncounts = n;
				}
				cs->counts[code]++;
			} else {
				size_t n;
				mrm_table_text(c, i, &n);
				cs->textbytes += n;
			}
		}
	}
	if (a->print) {
		for (uint64_t i = 0; i < t->nrows; i++) {
			for (size_t s = 0; s < t->ncols; s++) {
				if (s)
					putchar('\t');
				print_value(&t->cols[s], i);
			}
			putchar('\n');
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct mrm_table_options opt = { 0 };
	struct mrm_error err = { 0 };
	struct mrm_table_reader *r = NULL;
	const char *na[64], *sel[MAXSEL];
	int seltype[MAXSEL];
	size_t nna = 0, nsel = 0;
	bool stream = false, print = false;
	struct acc a = { 0 };
	const struct mrm_table *last = NULL;
	struct mrm_table *t = NULL;
	char summary[2048];
	int c, rc;

	while ((c = getopt(argc, argv, "Hd:f:n:Nsit:k:m:l:c:Sp")) != -1) {
		switch (c) {
		case 'H': opt.no_header = true; break;
		case 'd': opt.delimiter = !strcmp(optarg, "\\t") ? '\t' : optarg[0]; break;
		case 'f':
			opt.format = !strcmp(optarg, "jsonl") ? MRM_TABLE_JSONL :
				     !strcmp(optarg, "csv")   ? MRM_TABLE_CSV :
								MRM_TABLE_AUTO;
			break;
		case 'n':
			if (nna < 63)
				na[nna++] = optarg;
			break;
		case 'N': opt.no_default_na = true; break;
		case 's': opt.skip_bad_rows = true; break;
		case 'i': opt.allow_inf = true; break;
		case 't': opt.threads = atoi(optarg); break;
		case 'k': opt.chunk_bytes = (size_t)atol(optarg); break;
		case 'm': opt.max_field_bytes = (size_t)atol(optarg); break;
		case 'l': opt.max_line_bytes = (size_t)atol(optarg); break;
		case 'c': {
			char *colon = strrchr(optarg, ':');
			int ty = MRM_COL_AUTO;
			if (colon && parse_type(colon + 1) > 0) {
				ty = parse_type(colon + 1);
				*colon = '\0';
			}
			if (nsel < MAXSEL) {
				sel[nsel] = optarg;
				seltype[nsel++] = ty;
			}
			break;
		}
		case 'S': stream = true; break;
		case 'p': print = true; break;
		default:
			fprintf(stderr, "usage: table-cat [options] FILE|-\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: table-cat [options] FILE|-\n");
		return 2;
	}
	na[nna] = NULL;
	opt.na = nna ? na : NULL;
	if ((rc = mrm_table_open(argv[optind], &opt, &r, &err)))
		goto out;
	for (size_t i = 0; i < nsel; i++)
		if ((rc = mrm_table_select(r, sel[i], seltype[i], NULL, &err)))
			goto out;
	if (!nsel && (rc = mrm_table_select_all(r, MRM_COL_AUTO, &err)))
		goto out;
	a.ncols = nsel ? nsel : mrm_table_ncols(r);
	a.sum = calloc(a.ncols + 1, sizeof(*a.sum));
	a.print = print;
	for (size_t s = 0; s < a.ncols; s++)
		a.sum[s].min = a.sum[s].max = NAN;
	if (stream) {
		rc = mrm_table_each(r, add_batch, &a, &err);
	} else {
		rc = mrm_table_read_all(r, &t, &err);
		if (!rc)
			rc = add_batch(t, &a);
		last = t;
	}
	if (rc)
		goto out;
	if (!print) {
		char d = mrm_table_delimiter(r);
		const struct mrm_table_stats *st = mrm_table_stats(r);
		printf("format %s", mrm_table_format_of(r) == MRM_TABLE_JSONL ? "jsonl" : "csv");
		if (d)
			printf(" delimiter %s", d == '\t' ? "TAB" : (char[]){ '\'', d, '\'', 0 });
		printf(" columns %zu:", mrm_table_ncols(r));
		for (size_t i = 0; i < mrm_table_ncols(r); i++)
			printf("%s %s", i ? "," : "", mrm_table_colname(r, i));
		printf("\nrows %" PRIu64 " lines %" PRIu64 " bytes %" PRIu64 "\n", st->rows,
		       st->lines, st->bytes);
		for (size_t s = 0; s < a.ncols; s++) {
			const struct colsum *cs = &a.sum[s];
			const char *name = last ? last->cols[s].name :
					   nsel ? sel[s] : mrm_table_colname(r, s);
			printf("%s: %s missing %" PRIu64, name, type_name(cs->type), cs->missing);
			if (cs->type == MRM_COL_NUMERIC)
				printf(" sum %.10g min %.17g max %.17g", cs->sum, cs->min, cs->max);
			else if (cs->type == MRM_COL_CATEGORICAL) {
				uint32_t k = 0;
				for (uint32_t i = 0; i < cs->ncounts; i++)
					k += cs->counts[i] > 0;
				printf(" categories %" PRIu32, k);
			}
			else
				printf(" text bytes %" PRIu64, cs->textbytes);
			putchar('\n');
		}
		mrm_table_bad_summary(r, summary, sizeof(summary));
		printf("%s\n", summary);
	}
out:
	if (rc)
		fprintf(stderr, "table-cat: %s\n", err.msg[0] ? err.msg : mrm_strerror(rc));
	for (size_t s = 0; a.sum && s < a.ncols; s++)
		free(a.sum[s].counts);
	free(a.sum);
	mrm_table_free(t);
	mrm_table_close(r);
	return rc;
}
