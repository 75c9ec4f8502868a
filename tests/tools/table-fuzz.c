/*
 * Fuzz driver for the table readers. Each input is read under several
 * option sets, whole with one thread and large chunks, and in batches
 * with worker threads and tiny chunks; the two must agree exactly (same
 * error message, or the same values), and nothing may crash or leak.
 *
 * Replay (the normal test run): table-fuzz DIR|FILE ... feeds every file
 * and prints "table-fuzz: N inputs ok". Built with -DMRM_LIBFUZZER it is a
 * libFuzzer target instead:
 *   clang -fsanitize=fuzzer,address -DMRM_LIBFUZZER -Iinclude -Ilib \
 *     -D_DEFAULT_SOURCE tests/tools/table-fuzz.c lib/table/[a-z]*.c \
 *     lib/common/error.c -ljansson -lz -lpthread -lm
 *   mkdir -p /tmp/corpus && ./a.out -max_len=4096 /tmp/corpus tests/data/table/fuzz
 * (new inputs go to the first directory; the first two bytes of each input
 * choose the options). Add an input that found a bug to the corpus.
 */
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mrm/table.h"
#include "table/number.h"

struct out {
	char *s;
	size_t n, cap;
};

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (o->n + (size_t)k + 1 > o->cap) {
		o->cap = (o->n + (size_t)k + 1) * 2;
		o->s = realloc(o->s, o->cap);
		if (!o->s)
			abort();
	}
	va_start(ap, fmt);
	vsnprintf(o->s + o->n, o->cap - o->n, fmt, ap);
	va_end(ap);
	o->n += (size_t)k;
}

static void dump(struct out *o, const struct mrm_table *t)
{
	for (uint64_t i = 0; i < t->nrows; i++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const struct mrm_table_column *col = &t->cols[c];
			if (mrm_table_missing(col, i)) {
				put(o, "\t<NA>");
			} else if (col->type == MRM_COL_NUMERIC) {
				char num[32];
				if (isnan(col->num[i]))
					abort(); /* NaN is only ever missing */
				/* As an AUTO column spells numbers once categorical,
				 * so batches of either type compare equal. */
				mrm__num_format(col->num[i], num);
				put(o, "\t%s", num);
			} else if (col->type == MRM_COL_CATEGORICAL) {
				if (col->codes[i] >= col->dict->n)
					abort();
				put(o, "\t%s", col->dict->str[col->codes[i]]);
			} else {
				size_t n;
				const char *s = mrm_table_text(col, i, &n);
				put(o, "\t%zu:", n);
				for (size_t k = 0; k < n; k++)
					put(o, "%02x", (unsigned char)s[k]);
			}
		}
		put(o, "\n");
	}
}

/* Reads the input once; the result is the error or the values, as text. */
static char *run(const uint8_t *data, size_t size, struct mrm_table_options opt,
		 int sel, bool stream)
{
	struct mrm_table_reader *r = NULL;
	struct mrm_error err = { 0 };
	struct out o = { 0 };
	int rc;

	put(&o, "");
	rc = mrm_table_open_mem("fuzz", data, size, &opt, &r, &err);
	if (!rc) {
		size_t n = mrm_table_ncols(r);
		for (size_t i = 0; i < n && !rc; i++) {
			const char *name = mrm_table_colname(r, i);
			if (!name || mrm_table_find(r, name) < 0)
				abort();
			/* Several selections: every type, twice, or a few. */
			switch (sel) {
			case 0:
				rc = mrm_table_select(r, name, MRM_COL_AUTO, NULL, &err);
				break;
			case 1:
				rc = mrm_table_select(r, name, (enum mrm_col_type)(1 + i % 4),
						      NULL, &err);
				if (!rc && i == 0)
					rc = mrm_table_select(r, name, MRM_COL_TEXT, NULL, &err);
				break;
			default:
				if (i % 3 == 1)
					rc = mrm_table_select(r, name, MRM_COL_NUMERIC, NULL, &err);
				break;
			}
		}
	}
	if (!rc) {
		if (stream) {
			const struct mrm_table *b;
			while (!(rc = mrm_table_next(r, &b, &err)) && b)
				dump(&o, b);
		} else {
			struct mrm_table *t = NULL;
			if (!(rc = mrm_table_read_all(r, &t, &err)))
				dump(&o, t);
			mrm_table_free(t);
		}
	}
	if (!rc) {
		char sum[1024];
		const struct mrm_table_stats *st = mrm_table_stats(r);
		mrm_table_bad_summary(r, sum, sizeof(sum));
		put(&o, "rows %llu lines %llu bytes %llu; %s\n",
		    (unsigned long long)st->rows, (unsigned long long)st->lines,
		    (unsigned long long)st->bytes, sum);
		for (int k = 0; k < MRM_TABLE_NREASONS; k++)
			put(&o, "%s\n", st->bad_example[k]);
	} else {
		o.n = 0;
		put(&o, "error %d: %s\n", rc, err.msg);
	}
	mrm_table_close(r);
	return o.s;
}

static void one(const uint8_t *data, size_t size, unsigned variant)
{
	static const char *na[] = { "-1", "x", NULL };
	struct mrm_table_options opt = { 0 };
	char *a, *b;

	opt.format = (enum mrm_table_format)(variant % 3);
	opt.no_header = variant & 4;
	opt.skip_bad_rows = variant & 8;
	opt.allow_inf = variant & 16;
	opt.na = variant & 32 ? na : NULL;
	opt.max_field_bytes = variant & 64 ? 16 : 0;
	opt.max_line_bytes = variant & 64 ? 64 : 0;
	opt.delimiter = variant & 128 ? ';' : 0;
	opt.threads = 1;
	opt.chunk_bytes = 1 << 20;
	a = run(data, size, opt, (int)(variant >> 8) % 3, false);
	opt.threads = 3;
	opt.chunk_bytes = 64 + variant % 61;
	b = run(data, size, opt, (int)(variant >> 8) % 3, true);
	if (strcmp(a, b)) {
		fprintf(stderr, "table-fuzz: whole and batched reads differ (variant %u)\n"
				"--- whole, 1 thread:\n%s--- batches, 3 threads:\n%s",
			variant, a, b);
		abort();
	}
	free(a);
	free(b);
}

#ifdef MRM_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned variant = 0;

	/* The first two bytes choose the options, the rest is the input. */
	if (size >= 2) {
		variant = data[0] | (unsigned)data[1] << 8;
		data += 2;
		size -= 2;
	}
	one(data, size, variant);
	return 0;
}
#else

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0, k;
	static const unsigned variants[] = { 0, 1, 2, 4, 8, 9, 10, 12, 16 | 8, 32 | 8,
					     64 | 8, 64, 128, 256 | 8, 512 | 8 | 32, 512 | 1 };

	if (!f) {
		perror(path);
		return 1;
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		k = fread(buf + n, 1, cap - n, f);
		if (!k)
			break;
		n += k;
	}
	fclose(f);
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		one(buf, n, variants[i]);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int count = 0, bad = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st)) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad += replay_file(argv[i]);
			count++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		struct dirent *e;
		if (!d) {
			perror(argv[i]);
			return 1;
		}
		while ((e = readdir(d))) {
			char path[4096];
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			bad += replay_file(path);
			count++;
		}
		closedir(d);
	}
	printf("table-fuzz: %d inputs ok\n", count - bad);
	return bad ? 1 : 0;
}
#endif
