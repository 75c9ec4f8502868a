/*
 * Unit tests for the CSV and JSON Lines readers (lib/table): RFC 4180,
 * headers and delimiters, missing values, every error message with its
 * file:line:column, skipped-row accounting, column selection and types,
 * gzip, chunk and thread independence, and the 64-bit counters.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>

#include "mrm/table.h"
#include "table/internal.h"

/* ---- helpers --------------------------------------------------------- */

struct buf {
	char *s;
	size_t n, cap;
};

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->n + (size_t)k + 1 > b->cap) {
		b->cap = (b->n + (size_t)k + 1) * 2;
		b->s = realloc(b->s, b->cap);
		assert_non_null(b->s);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)k;
}

static void put_value(struct buf *b, const struct mrm_table_column *c, uint64_t i)
{
	if (mrm_table_missing(c, i)) {
		put(b, "<NA>");
		if (c->type == MRM_COL_NUMERIC)
			assert_true(isnan(c->num[i]));
		if (c->type == MRM_COL_CATEGORICAL)
			assert_int_equal(c->codes[i], MRM_TABLE_NA_CODE);
	} else if (c->type == MRM_COL_NUMERIC) {
		assert_false(isnan(c->num[i]));
		put(b, "%.17g", c->num[i]);
	} else if (c->type == MRM_COL_CATEGORICAL) {
		assert_true(c->codes[i] < c->dict->n);
		put(b, "%s", mrm_table_category(c, i));
	} else {
		size_t n;
		const char *s = mrm_table_text(c, i, &n);
		assert_int_equal(strlen(s), n);
		put(b, "[%s]", s);
	}
}

/* Appends every row of t as tab-separated values. */
static void dump_into(struct buf *b, const struct mrm_table *t)
{
	for (uint64_t i = 0; i < t->nrows; i++) {
		for (size_t c = 0; c < t->ncols; c++) {
			if (c)
				put(b, "\t");
			put_value(b, &t->cols[c], i);
		}
		put(b, "\n");
	}
	if (!b->s)
		put(b, "");
}

/* Selects "a:num b:cat c:text d:auto" (NULL: all, auto). */
static int select_spec(struct mrm_table_reader *r, const char *spec,
		       struct mrm_error *err)
{
	char tmp[512], *save = NULL, *tok;
	int rc;

	if (!spec)
		return mrm_table_select_all(r, MRM_COL_AUTO, err);
	snprintf(tmp, sizeof(tmp), "%s", spec);
	for (tok = strtok_r(tmp, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *colon = strrchr(tok, ':');
		enum mrm_col_type ty = MRM_COL_AUTO;
		if (colon) {
			*colon = '\0';
			ty = !strcmp(colon + 1, "num")	? MRM_COL_NUMERIC :
			     !strcmp(colon + 1, "cat")	? MRM_COL_CATEGORICAL :
			     !strcmp(colon + 1, "text") ? MRM_COL_TEXT :
							  MRM_COL_AUTO;
		}
		if ((rc = mrm_table_select(r, tok, ty, NULL, err)))
			return rc;
	}
	return MRM_OK;
}

/* Reads `data` whole; returns the rows as text (caller frees) or NULL. */
static char *load(const char *name, const char *data, size_t len,
		  const struct mrm_table_options *opt, const char *spec,
		  struct mrm_error *err, int *rcp)
{
	struct mrm_table_reader *r = NULL;
	struct mrm_table *t = NULL;
	struct buf b = { 0 };
	int rc;

	mrm_error_clear(err);
	if (!(rc = mrm_table_open_mem(name, data, len, opt, &r, err)) &&
	    !(rc = select_spec(r, spec, err)) && !(rc = mrm_table_read_all(r, &t, err)))
		dump_into(&b, t);
	mrm_table_free(t);
	mrm_table_close(r);
	if (rcp)
		*rcp = rc;
	if (rc) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

/* The same through batches. */
static char *load_stream(const char *name, const char *data, size_t len,
			 const struct mrm_table_options *opt, const char *spec,
			 struct mrm_error *err, int *rcp)
{
	struct mrm_table_reader *r = NULL;
	const struct mrm_table *t;
	struct buf b = { 0 };
	int rc;

	mrm_error_clear(err);
	if (!(rc = mrm_table_open_mem(name, data, len, opt, &r, err)) &&
	    !(rc = select_spec(r, spec, err))) {
		while (!(rc = mrm_table_next(r, &t, err)) && t) {
			assert_true(t->nrows > 0);
			dump_into(&b, t);
		}
	}
	mrm_table_close(r);
	if (rcp)
		*rcp = rc;
	if (rc) {
		free(b.s);
		return NULL;
	}
	if (!b.s)
		put(&b, "");
	return b.s;
}

#define CHECK(data, spec, want)                                                 \
	do {                                                                    \
		struct mrm_error e_ = { 0 };                                    \
		int rc_;                                                        \
		char *got_ = load("t.csv", data, strlen(data), NULL, spec, &e_, &rc_); \
		if (rc_)                                                        \
			fail_msg("%s", e_.msg);                                 \
		assert_string_equal(got_, want);                                \
		free(got_);                                                     \
	} while (0)

#define CHECK_OPT(data, opt, spec, want)                                        \
	do {                                                                    \
		struct mrm_error e_ = { 0 };                                    \
		int rc_;                                                        \
		char *got_ = load("t.csv", data, strlen(data), opt, spec, &e_, &rc_); \
		if (rc_)                                                        \
			fail_msg("%s", e_.msg);                                 \
		assert_string_equal(got_, want);                                \
		free(got_);                                                     \
	} while (0)

/* Reading fails with exactly `msg`, code `code`. */
#define CHECK_ERR(name, data, opt, spec, code, wmsg)                            \
	do {                                                                    \
		struct mrm_error e_ = { 0 };                                    \
		int rc_;                                                        \
		char *got_ = load(name, data, strlen(data), opt, spec, &e_, &rc_); \
		free(got_);                                                     \
		assert_int_equal(rc_, code);                                    \
		assert_string_equal(e_.msg, wmsg);                              \
	} while (0)

/* ---- RFC 4180 -------------------------------------------------------- */

static void rfc4180(void **state)
{
	(void)state;
	/* Quoted fields, doubled quotes, delimiter and newline inside quotes. */
	CHECK("a,b,c\n1,\"x,y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\"\"\n",
	      "a:num b:text c:text",
	      "1\t[x,y]\t[say \"hi\"]\n2\t[two\nlines]\t<NA>\n");
	/* CRLF, and a last line without a newline. */
	CHECK("a,b\r\n1,2\r\n3,4", "a:num b:num", "1\t2\n3\t4\n");
	CHECK("a,b\r\n1,\"x\r\ny\"\r\n", "a:num b:text", "1\t[x\r\ny]\n");
	/* A UTF-8 BOM is dropped; blank lines (also trailing) are skipped. */
	CHECK("\xEF\xBB\xBF" "a,b\n1,2\n\n3,4\n\n\n", "a:num b:num", "1\t2\n3\t4\n");
	CHECK("\n\na,b\r\n\r\n1,2\r\n", "a:num b:num", "1\t2\n");
	/* Empty fields are missing; a quote inside an unquoted field is kept. */
	CHECK("a,b,c\n,,\n1,ab\"c,\n", "a:num b:text c:cat",
	      "<NA>\t<NA>\t<NA>\n1\t[ab\"c]\t<NA>\n");
	/* Quoted numbers and padded numbers in numeric columns. */
	CHECK("a,b\n\"1.5\",\" 2 \"\n\t3 ,-0\n", "a:num b:num", "1.5\t2\n3\t-0\n");
	/* Header only: no rows. */
	CHECK("a,b\n", "a:num b:cat", "");
	CHECK("a,b", "a:num", "");
	/* One column. */
	CHECK("x\n1\n\"\"\n3\n", "x:num", "1\n<NA>\n3\n");
	/* A quoted header with the delimiter and a newline in it. */
	CHECK("\"a,1\",\"b\nc\"\n1,2\n", "a,1:num b\nc:num", "1\t2\n");
	/* Text after a closing quote up to the delimiter is an error (below),
	 * but a quoted empty field followed by CRLF is fine. */
	CHECK("a,b\n\"\",\"\"\r\n", "a:text b:text", "<NA>\t<NA>\n");
}

static void header_and_names(void **state)
{
	struct mrm_table_reader *r;
	struct mrm_error err = { 0 };
	struct mrm_table_options opt = { .no_header = true };
	const char *names[] = { "x", "y", NULL };
	const char *data = "label,score,group\n";

	(void)state;
	assert_int_equal(mrm_table_open_mem("d.csv", data, strlen(data), NULL, &r, &err), 0);
	assert_int_equal(mrm_table_ncols(r), 3);
	assert_string_equal(mrm_table_colname(r, 0), "label");
	assert_string_equal(mrm_table_colname(r, 2), "group");
	assert_null(mrm_table_colname(r, 3));
	assert_int_equal(mrm_table_find(r, "score"), 1);
	assert_int_equal(mrm_table_find(r, "scroe"), -1);
	assert_int_equal(mrm_table_select(r, "scroe", MRM_COL_NUMERIC, NULL, &err),
			 MRM_EINPUT);
	assert_string_equal(err.msg, "d.csv: no column 'scroe' (columns: label, score, group)");
	assert_int_equal(mrm_table_format_of(r), MRM_TABLE_CSV);
	assert_int_equal(mrm_table_delimiter(r), ',');
	assert_string_equal(mrm_table_name(r), "d.csv");
	mrm_table_close(r);

	/* No header: c1, c2, ...; the first line is data. */
	CHECK_OPT("1,2\n3,4\n", &opt, NULL, "1\t2\n3\t4\n");
	CHECK_OPT("1,2\n3,4\n", &opt, "c2:num", "2\n4\n");
	opt.columns = names;
	CHECK_OPT("1,2\n3,4\n", &opt, "y:num x:num", "2\t1\n4\t3\n");
	CHECK_ERR("d.csv", "1,2,3\n", &opt, NULL, MRM_EUSAGE,
		  "d.csv: 2 column names given for 3 fields");
	opt.no_header = false;
	CHECK_ERR("d.csv", "a,b\n", &opt, NULL, MRM_EUSAGE,
		  "d.csv: column names can only be given for a CSV file without a header");
	/* Empty header names become cN; duplicates: the first one wins. */
	CHECK(",b,\n1,2,3\n", "c1:num c3:num", "1\t3\n");
	CHECK("a,a\n1,2\n", "a:num", "1\n");
}

static void delimiters(void **state)
{
	struct mrm_table_options opt = { 0 };
	struct mrm_table_reader *r;
	struct mrm_error err = { 0 };
	static const struct {
		const char *data;
		char delim;
	} cases[] = {
		{ "a,b;c\n1,2;3\n", ',' },   { "a;b;c\n1;2;3\n", ';' },
		{ "a\tb\tc\n1\t2\t3\n", '\t' }, { "a|b|c\n1|2|3\n", '|' },
		{ "\"a,b;c\";\"d,e\"\n1;2\n", ';' }, /* not counted inside quotes */
		{ "abc\n1\n", ',' },		/* nothing to detect */
		{ "a,b\tc\n", ',' },		/* a tie: the first of , TAB ; | */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(mrm_table_open_mem("d.csv", cases[i].data,
						    strlen(cases[i].data), NULL, &r, &err),
				 0);
		assert_int_equal(mrm_table_delimiter(r), cases[i].delim);
		mrm_table_close(r);
	}
	CHECK("x|y\n1|2\n", "y:num", "2\n");
	opt.delimiter = ';';
	CHECK_OPT("a,b;c\n1,2;3\n", &opt, "a,b:text c:num", "[1,2]\t3\n");
	opt.delimiter = '"';
	CHECK_ERR("d.csv", "a\n", &opt, NULL, MRM_EUSAGE,
		  "the delimiter cannot be a quote or a newline");
}

static void missing_values(void **state)
{
	const char *na[] = { "-999", "?", NULL };
	struct mrm_table_options opt = { .na = na };

	(void)state;
	CHECK("x,y\nNA,NA\nN/A,N/A\nNaN,NaN\nnan,nan\nnull,null\nNULL,NULL\nNone,None\n,\n1,a\n",
	      "x:num y:cat",
	      "<NA>\t<NA>\n<NA>\t<NA>\n<NA>\t<NA>\n<NA>\t<NA>\n<NA>\t<NA>\n"
	      "<NA>\t<NA>\n<NA>\t<NA>\n<NA>\t<NA>\n1\ta\n");
	/* Missing spellings do not become categories. */
	{
		struct mrm_table_reader *r;
		struct mrm_table *t;
		struct mrm_error err = { 0 };
		const char *d = "y\nNA\nb\n\nNone\nb\nc\n";
		assert_int_equal(mrm_table_open_mem("t.csv", d, strlen(d), NULL, &r, &err), 0);
		assert_int_equal(mrm_table_select(r, "y", MRM_COL_CATEGORICAL, NULL, &err), 0);
		assert_int_equal(mrm_table_read_all(r, &t, &err), 0);
		assert_int_equal(t->nrows, 5);
		assert_int_equal(t->cols[0].nmissing, 2);
		assert_int_equal(t->cols[0].dict->n, 2);
		assert_string_equal(t->cols[0].dict->str[0], "b");
		assert_string_equal(t->cols[0].dict->str[1], "c");
		assert_int_equal(t->cols[0].dict->len[1], 1);
		assert_non_null(t->cols[0].valid);
		assert_int_equal(t->cols[0].valid[0], 0x1a); /* rows 1, 3, 4 present */
		mrm_table_free(t);
		mrm_table_close(r);
	}
	/* Extra spellings, also numeric-looking ones, matched exactly. */
	CHECK_OPT("x,y\n-999,?\n-999.0,a\n 1 ,-999\n", &opt, "x:num y:cat",
		  "<NA>\t<NA>\n-999\ta\n1\t<NA>\n");
	/* Without the defaults: only the caller's spellings. */
	opt.no_default_na = true;
	CHECK_OPT("x,y\n?,NA\n1,\n", &opt, "x:num y:cat", "<NA>\tNA\n1\t\n");
	CHECK_ERR("t.csv", "x\n1\nNA\n", &opt, "x:num", MRM_EINPUT,
		  "t.csv:3:1: column 'x': 'NA' is not a number");
	/* Blank text in a numeric column is missing. */
	CHECK("x,y\n  ,1\n", "x:num y:num", "<NA>\t1\n");
}

/* ---- errors ---------------------------------------------------------- */

static void error_messages(void **state)
{
	struct mrm_table_options small = { .max_field_bytes = 8, .max_line_bytes = 64,
					   .chunk_bytes = 64 };
	(void)state;
	CHECK_ERR("data.csv", "label,score,group\n1,0.5,A\n1,abc,B\n", NULL, "score:num",
		  MRM_EINPUT, "data.csv:3:2: column 'score': 'abc' is not a number");
	/* The file name is the caller's; LINE counts physical lines and names
	 * the line where the field starts. */
	CHECK_ERR("d.csv", "a,b\n\n1,\"x\ny\"\n2,x\n", NULL, "a:num b:num", MRM_EINPUT,
		  "d.csv:3:2: column 'b': 'x\\ny' is not a number");
	CHECK_ERR("d.csv", "a,b\n\"1\n\",\"x\ny\"\n2,x\n", NULL, "a:num b:text", MRM_EINPUT,
		  "d.csv:2:1: column 'a': '1\\n' is not a number");
	CHECK_ERR("d.csv", "a,b,c\n1,2,3\n4,5\n", NULL, "a:num", MRM_EINPUT,
		  "d.csv:3:3: expected 3 fields, found 2");
	CHECK_ERR("d.csv", "a,b,c\n1,2,3,4,5\n", NULL, "a:num", MRM_EINPUT,
		  "d.csv:2:4: expected 3 fields, found 5");
	/* Field count errors come before value errors on the same row. */
	CHECK_ERR("d.csv", "a,b,c\nx,2\n", NULL, "a:num", MRM_EINPUT,
		  "d.csv:2:3: expected 3 fields, found 2");
	CHECK_ERR("d.csv", "a,b\n1,\"abc\n", NULL, "a:num", MRM_EINPUT,
		  "d.csv:2:2: column 'b': unterminated quoted field");
	CHECK_ERR("d.csv", "a,b\n1,2\n3,\"x\"y\n", NULL, "a:num", MRM_EINPUT,
		  "d.csv:3:2: column 'b': text 'y' after the closing quote");
	CHECK_ERR("d.csv", "a,b\n1,inf\n", NULL, "b:num", MRM_EINPUT,
		  "d.csv:2:2: column 'b': 'inf' is infinite (not allowed)");
	CHECK_ERR("d.csv", "a,b\n1,-Infinity\n", NULL, "b:num", MRM_EINPUT,
		  "d.csv:2:2: column 'b': '-Infinity' is infinite (not allowed)");
	CHECK_ERR("d.csv", "a,b\n1,NAN\n", NULL, "b:num", MRM_EINPUT,
		  "d.csv:2:2: column 'b': 'NAN' is NaN (not one of the missing-value spellings)");
	CHECK_ERR("d.csv", "a,b\n1,1e400\n", NULL, "b:num", MRM_EINPUT,
		  "d.csv:2:2: column 'b': '1e400' is out of range for a double");
	CHECK_ERR("d.csv", "a,b\n1,0x10\n", NULL, "b:num", MRM_EINPUT,
		  "d.csv:2:2: column 'b': '0x10' is not a number");
	CHECK_ERR("d.csv", "a,b\n1,1e\n", NULL, "b:num", MRM_EINPUT,
		  "d.csv:2:2: column 'b': '1e' is not a number");
	CHECK_ERR("d.csv", "a,b\n1,\"1\x01'\\\"\n", NULL, "b:num", MRM_EINPUT,
		  "d.csv:2:2: column 'b': '1\\x01\\'\\\\' is not a number");
	/* Long values are cut in the message. */
	CHECK_ERR("d.csv",
		  "a\n1234567890123456789012345678901234567890123456789012345678901234567890x\n",
		  NULL, "a:num", MRM_EINPUT,
		  "d.csv:2:1: column 'a': '1234567890123456789012345678901234567890123456789012345678901234...' is not a number");
	/* Ceilings: an unquoted field, a quoted one, a line. */
	CHECK_ERR("d.csv", "a,b\n1,123456789\n", &small, "a:num", MRM_EINPUT,
		  "d.csv:2:2: column 'b': field longer than 8 bytes");
	CHECK_ERR("d.csv", "a,b\n1,\"123456\"\n2,\"1234567\"\n", &small, "a:num",
		  MRM_EINPUT, "d.csv:3:2: column 'b': field longer than 8 bytes");
	/* An open quote is first a field over the ceiling, then unterminated. */
	CHECK_ERR("d.csv", "a,b\n1,12345678\n2,\"123456789\n", &small, "a:num",
		  MRM_EINPUT, "d.csv:3:2: column 'b': field longer than 8 bytes");
	CHECK_ERR("d.csv", "a,b\n1,12345678\n2,\"12\n", &small, "a:num",
		  MRM_EINPUT, "d.csv:3:2: column 'b': unterminated quoted field");
	CHECK_ERR("d.csv",
		  "a,b\n1,x\n2,\"0123456789012345678901234567890123456789"
		  "0123456789012345678901234567890123456789\"\n",
		  &small, "a:num", MRM_EINPUT, "d.csv:3:2: column 'b': field longer than 8 bytes");
	CHECK_ERR("d.csv",
		  "a,b\n1,2\n3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9\n",
		  &small, "a:num", MRM_EINPUT, "d.csv:3:1: line longer than 64 bytes");
	CHECK_ERR("d.csv",
		  "a,b\n1,2\n3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9"
		  "0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9\n",
		  &small, "a:num", MRM_EINPUT, "d.csv:3:1: line longer than 64 bytes");
	/* Files and headers. */
	CHECK_ERR("d.csv", "", NULL, NULL, MRM_EINPUT, "d.csv: empty file (no header line)");
	CHECK_ERR("d.csv", "\n\r\n", NULL, NULL, MRM_EINPUT,
		  "d.csv: empty file (no header line)");
	CHECK_ERR("d.csv", "a,\"b\n", NULL, NULL, MRM_EINPUT,
		  "d.csv:1:2: unterminated quoted field in the first line");
	CHECK_ERR("d.csv", "\na,\"b\"c\n", NULL, NULL, MRM_EINPUT,
		  "d.csv:2:2: text after the closing quote in the first line");
	{
		struct mrm_table_reader *r;
		struct mrm_error err = { 0 };
		assert_int_equal(mrm_table_open("/nonexistent/x.csv", NULL, &r, &err),
				 MRM_EINPUT);
		assert_null(r);
		assert_string_equal(err.msg,
				    "cannot read /nonexistent/x.csv: No such file or directory");
		mrm_error_clear(&err);
		assert_int_equal(mrm_table_open("/", NULL, &r, &err), MRM_EINPUT);
		assert_string_equal(err.msg, "cannot read /: Is a directory");
	}
}

static void error_state(void **state)
{
	struct mrm_table_reader *r;
	const struct mrm_table *b;
	struct mrm_error err = { 0 };
	const char *d = "a\n1\nx\n2\n";

	(void)state;
	assert_int_equal(mrm_table_open_mem("d.csv", d, strlen(d), NULL, &r, &err), 0);
	assert_int_equal(mrm_table_select(r, "a", MRM_COL_NUMERIC, NULL, &err), 0);
	assert_int_equal(mrm_table_next(r, &b, &err), MRM_EINPUT);
	assert_null(b);
	assert_string_equal(err.msg, "d.csv:3:1: column 'a': 'x' is not a number");
	/* The reader stays in error. */
	mrm_error_clear(&err);
	assert_int_equal(mrm_table_next(r, &b, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "d.csv:3:1: column 'a': 'x' is not a number");
	assert_int_equal(mrm_table_select(r, "a", MRM_COL_NUMERIC, NULL, NULL), MRM_EUSAGE);
	mrm_table_close(r);
}

static void skip_bad_rows(void **state)
{
	struct mrm_table_options opt = { .skip_bad_rows = true };
	struct mrm_table_reader *r;
	struct mrm_table *t;
	struct mrm_error err = { 0 };
	const struct mrm_table_stats *st;
	char sum[512];
	const char *d = "id,x,g\n"
			"1,1.5,a\n"       /* 2 */
			"2,abc,NEW1\n"    /* 3 not a number: NEW1 must not stay */
			"3,2.5\n"         /* 4 fields */
			"4,3.5,b,9\n"     /* 5 fields */
			"5,inf,NEW2\n"    /* 6 non-finite */
			"6,\"1\"x,c\n"    /* 7 quote */
			"7,4.5,b\n"       /* 8 */
			"8,y,z\n"         /* 9 not a number */
			"9,z,z\n"         /* 10 */
			"10,z,z\n"        /* 11 */
			"11,z,z\n"        /* 12 */
			"12,z,z\n"        /* 13 */
			"13,5.5,\"open\n" /* 14 unterminated: resumes on line 15 */
			"14,6.5,d\n";     /* 15 */

	(void)state;
	assert_int_equal(mrm_table_open_mem("d.csv", d, strlen(d), &opt, &r, &err), 0);
	assert_int_equal(mrm_table_select(r, "id", MRM_COL_TEXT, NULL, &err), 0);
	assert_int_equal(mrm_table_select(r, "x", MRM_COL_NUMERIC, NULL, &err), 0);
	assert_int_equal(mrm_table_select(r, "g", MRM_COL_CATEGORICAL, NULL, &err), 0);
	assert_int_equal(mrm_table_read_all(r, &t, &err), 0);
	{
		struct buf b = { 0 };
		dump_into(&b, t);
		assert_string_equal(b.s, "[1]\t1.5\ta\n[7]\t4.5\tb\n[14]\t6.5\td\n");
		free(b.s);
	}
	assert_int_equal(t->cols[2].dict->n, 3); /* a, b, d: nothing from bad rows */
	assert_int_equal(t->cols[0].offsets[3], 7); /* "1", "7", "14" */
	st = mrm_table_stats(r);
	assert_int_equal(st->rows, 3);
	assert_int_equal(st->lines, 15);
	assert_int_equal(st->bytes, strlen(d));
	assert_int_equal(st->bad_rows, 11);
	assert_int_equal(st->bad[MRM_TABLE_BAD_NUMBER], 6);
	assert_int_equal(st->bad[MRM_TABLE_BAD_FIELDS], 2);
	assert_int_equal(st->bad[MRM_TABLE_BAD_NONFINITE], 1);
	assert_int_equal(st->bad[MRM_TABLE_BAD_QUOTE], 2);
	assert_int_equal(st->bad_lines[MRM_TABLE_BAD_NUMBER][0], 3);
	assert_int_equal(st->bad_lines[MRM_TABLE_BAD_NUMBER][4], 12);
	assert_int_equal(st->bad_lines[MRM_TABLE_BAD_FIELDS][1], 5);
	assert_int_equal(st->bad_lines[MRM_TABLE_BAD_FIELDS][2], 0);
	assert_int_equal(st->bad_lines[MRM_TABLE_BAD_QUOTE][0], 7);
	assert_int_equal(st->bad_lines[MRM_TABLE_BAD_QUOTE][1], 14);
	assert_string_equal(st->bad_example[MRM_TABLE_BAD_NUMBER],
			    "d.csv:3:2: column 'x': 'abc' is not a number");
	assert_string_equal(st->bad_example[MRM_TABLE_BAD_QUOTE],
			    "d.csv:7:2: column 'x': text 'x' after the closing quote");
	assert_string_equal(st->bad_example[MRM_TABLE_BAD_TOO_LONG], "");
	mrm_table_bad_summary(r, sum, sizeof(sum));
	assert_string_equal(sum, "11 bad rows skipped: 2 wrong number of fields (lines 4, 5), "
				 "2 bad quoting (lines 7, 14), 6 not a number (lines 3, 9, 10, 11, 12, ...), "
				 "1 infinite, NaN or out of range (line 6)");
	assert_int_equal(mrm_table_bad_summary(r, NULL, 0), strlen(sum));
	assert_string_equal(mrm_table_reason(MRM_TABLE_BAD_JSON), "invalid JSON");
	mrm_table_free(t);
	mrm_table_close(r);

	/* An overlong quoted field: the row is skipped to the end of the line
	 * where the quote opened, the rest is read. */
	{
		struct mrm_table_options o2 = { .skip_bad_rows = true, .max_field_bytes = 16,
						.chunk_bytes = 64 };
		char big[4096];
		int n = snprintf(big, sizeof(big), "a,b\n1,x\n2,\"");
		for (int i = 0; i < 300; i++)
			big[n++] = (char)('a' + i % 26);
		n += snprintf(big + n, sizeof(big) - (size_t)n, "\n3,y\n4,z\n");
		assert_int_equal(mrm_table_open_mem("d.csv", big, (size_t)n, &o2, &r, &err), 0);
		assert_int_equal(mrm_table_select_all(r, MRM_COL_TEXT, &err), 0);
		assert_int_equal(mrm_table_read_all(r, &t, &err), 0);
		struct buf b = { 0 };
		dump_into(&b, t);
		assert_string_equal(b.s, "[1]\t[x]\n[3]\t[y]\n[4]\t[z]\n");
		free(b.s);
		st = mrm_table_stats(r);
		assert_int_equal(st->bad[MRM_TABLE_BAD_TOO_LONG], 1);
		assert_int_equal(st->bad_lines[MRM_TABLE_BAD_TOO_LONG][0], 3);
		assert_int_equal(st->lines, 5);
		assert_string_equal(st->bad_example[MRM_TABLE_BAD_TOO_LONG],
				    "d.csv:3:2: column 'b': field longer than 16 bytes");
		mrm_table_free(t);
		mrm_table_close(r);
	}
	/* An overlong line without newline in the buffer: skipped too. */
	{
		struct mrm_table_options o3 = { .skip_bad_rows = true, .max_field_bytes = 8,
						.max_line_bytes = 32, .chunk_bytes = 64 };
		char big[4096];
		int n = snprintf(big, sizeof(big), "a,b\n1,x\n");
		for (int i = 0; i < 200; i++)
			n += snprintf(big + n, sizeof(big) - (size_t)n, "%d,", i % 10);
		n += snprintf(big + n, sizeof(big) - (size_t)n, "\n3,y\n");
		assert_int_equal(mrm_table_open_mem("d.csv", big, (size_t)n, &o3, &r, &err), 0);
		assert_int_equal(mrm_table_select_all(r, MRM_COL_TEXT, &err), 0);
		assert_int_equal(mrm_table_read_all(r, &t, &err), 0);
		assert_int_equal(t->nrows, 2);
		st = mrm_table_stats(r);
		assert_int_equal(st->bad[MRM_TABLE_BAD_TOO_LONG], 1);
		assert_int_equal(st->bad_lines[MRM_TABLE_BAD_TOO_LONG][0], 3);
		assert_int_equal(st->lines, 4);
		assert_int_equal(st->bytes, (uint64_t)n);
		mrm_table_free(t);
		mrm_table_close(r);
	}
}

/* ---- selection and types --------------------------------------------- */

static void selection_and_types(void **state)
{
	struct mrm_table_reader *r;
	struct mrm_table *t;
	struct mrm_error err = { 0 };
	size_t s0, s1, s2;
	const char *d = "id,score,group,junk\n"
			"a1,0.5,B,\"x,\"\"y\"\"\"\n"
			"a2,1e-3,A,zz\n"
			"a3,,B,\n";

	(void)state;
	/* Unselected columns are skipped but still counted. */
	CHECK(d, "group:cat", "B\nA\nB\n");
	/* One column several times, with several types. */
	assert_int_equal(mrm_table_open_mem("t.csv", d, strlen(d), NULL, &r, &err), 0);
	assert_int_equal(mrm_table_select(r, "group", MRM_COL_CATEGORICAL, &s0, &err), 0);
	assert_int_equal(mrm_table_select(r, "group", MRM_COL_TEXT, &s1, &err), 0);
	assert_int_equal(mrm_table_select(r, "score", MRM_COL_NUMERIC, &s2, &err), 0);
	assert_int_equal(s0, 0);
	assert_int_equal(s2, 2);
	assert_int_equal(mrm_table_select(r, "x", 99, NULL, &err), MRM_EINPUT);
	assert_int_equal(mrm_table_select(r, "id", 99, NULL, NULL), MRM_EUSAGE);
	assert_int_equal(mrm_table_read_all(r, &t, &err), 0);
	assert_int_equal(t->ncols, 3);
	assert_string_equal(t->cols[0].name, "group");
	assert_int_equal(t->cols[0].type, MRM_COL_CATEGORICAL);
	assert_int_equal(t->cols[0].field, 2);
	assert_int_equal(t->cols[1].type, MRM_COL_TEXT);
	/* Codes in order of first appearance. */
	assert_int_equal(t->cols[0].codes[0], 0);
	assert_int_equal(t->cols[0].codes[1], 1);
	assert_int_equal(t->cols[0].codes[2], 0);
	assert_string_equal(t->cols[0].dict->str[1], "A");
	assert_null(t->cols[2].valid == NULL ? "no bitmap" : NULL);
	assert_int_equal(t->cols[2].nmissing, 1);
	assert_true(mrm_table_missing(&t->cols[2], 2));
	assert_false(mrm_table_missing(&t->cols[2], 1));
	assert_int_equal(t->first_line, 2);
	mrm_table_free(t);
	assert_int_equal(mrm_table_select(r, "id", MRM_COL_TEXT, NULL, &err), MRM_EUSAGE);
	mrm_table_close(r);

	/* Text keeps everything, including what looks missing in other types. */
	CHECK(d, "junk:text id:text", "[x,\"y\"]\t[a1]\n[zz]\t[a2]\n<NA>\t[a3]\n");
	/* AUTO: numeric while it can be, categorical from the first other value. */
	CHECK("a,b,c\n1,x,1\n2.50,y,\n3,1,NA\n", NULL, "1\tx\t1\n2.5\ty\t<NA>\n3\t1\t<NA>\n");
	CHECK("a\n1\n2.50\n\nq\n1.50\n 7 \n", "a:auto", "1\n2.5\nq\n1.5\n7\n");
	/* No columns selected: rows are still checked and counted. */
	{
		const char *e = "a,b\n1,2\n3,4\n";
		const struct mrm_table_stats *st;
		assert_int_equal(mrm_table_open_mem("t.csv", e, strlen(e), NULL, &r, &err), 0);
		assert_int_equal(mrm_table_read_all(r, &t, &err), 0);
		assert_int_equal(t->nrows, 2);
		assert_int_equal(t->ncols, 0);
		st = mrm_table_stats(r);
		assert_int_equal(st->rows, 2);
		assert_int_equal(st->lines, 3);
		mrm_table_free(t);
		mrm_table_close(r);
	}
	/* Free functions accept NULL. */
	mrm_table_free(NULL);
	mrm_table_close(NULL);
}

/* A column that turns categorical late, across chunks and threads. */
static void auto_promotion(void **state)
{
	struct buf in = { 0 }, want = { 0 };

	(void)state;
	put(&in, "v,w\n");
	for (int i = 0; i < 3000; i++) {
		if (i == 2500) {
			put(&in, "late,%d\n", i);
			put(&want, "late\t%d\n", i);
		} else if (i % 7 == 0) {
			put(&in, ",%d\n", i);
			put(&want, "<NA>\t%d\n", i);
		} else {
			put(&in, "%d.250,%d\n", i, i);
			put(&want, "%d.25\t%d\n", i, i);
		}
	}
	for (int threads = 1; threads <= 3; threads++) {
		for (size_t chunk = 64; chunk <= 65536; chunk *= 32) {
			struct mrm_table_options opt = { .threads = threads, .chunk_bytes = chunk };
			struct mrm_error err = { 0 };
			int rc;
			char *got = load("t.csv", in.s, in.n, &opt, "v:auto w:num", &err, &rc);
			assert_int_equal(rc, 0);
			assert_string_equal(got, want.s);
			free(got);
			/* In batches the early ones are numeric: same text. */
			got = load_stream("t.csv", in.s, in.n, &opt, "v:auto w:num", &err, &rc);
			assert_int_equal(rc, 0);
			assert_string_equal(got, want.s);
			free(got);
		}
	}
	free(in.s);
	free(want.s);
}

/* ---- chunking, threads, streaming ------------------------------------ */

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A messy but valid CSV: quotes, CRLF, blanks, missing values. */
static void messy_csv(struct buf *b, int rows)
{
	static const char *cats[] = { "A", "B", "\"C,1\"", "\"D\"\"x\"\"\"", "NA",
				      "long category name here", "" };
	put(b, "id,score,cat,text,junk\n");
	for (int i = 0; i < rows; i++) {
		const char *eol = rnd() % 5 ? "\n" : "\r\n";
		double v = (double)(int64_t)(rnd() % 2000000 - 1000000) / 1000.0;
		switch (rnd() % 10) {
		case 0: put(b, "%d,,", i); break;
		case 1: put(b, "%d,\"%.3f\",", i, v); break;
		case 2: put(b, "%d,%.17g,", i, v * 1e-5); break;
		case 3: put(b, "%d,NaN,", i); break;
		default: put(b, "%d,%.3f,", i, v); break;
		}
		put(b, "%s,", cats[rnd() % 7]);
		switch (rnd() % 4) {
		case 0: put(b, "\"multi\nline %d\",", i); break;
		case 1: put(b, "plain%d,", i); break;
		case 2: put(b, ","); break;
		default: put(b, "\"q\"\"%d\",", i); break;
		}
		put(b, "%s%s", rnd() % 2 ? "j" : "\"j,j\"", eol);
		if (rnd() % 50 == 0)
			put(b, "%s", eol); /* a blank line */
	}
}

static void chunks_threads_streams(void **state)
{
	struct buf in = { 0 };
	struct mrm_table_options base = { .threads = 1, .chunk_bytes = 1 << 20 };
	struct mrm_error err = { 0 };
	const char *spec = "score:num cat:cat text:text id:auto cat:text";
	char *want;
	int rc;

	(void)state;
	messy_csv(&in, 5000);
	want = load("t.csv", in.s, in.n, &base, spec, &err, &rc);
	if (rc)
		fail_msg("%s", err.msg);
	assert_true(strlen(want) > 10000);
	static const size_t chunks[] = { 64, 100, 333, 4096, 65536 };
	for (int threads = 1; threads <= 4; threads++) {
		for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
			struct mrm_table_options opt = { .threads = threads,
							 .chunk_bytes = chunks[k] };
			char *got = load("t.csv", in.s, in.n, &opt, spec, &err, &rc);
			if (rc)
				fail_msg("%s", err.msg);
			assert_string_equal(got, want);
			free(got);
			got = load_stream("t.csv", in.s, in.n, &opt, spec, &err, &rc);
			if (rc)
				fail_msg("%s", err.msg);
			assert_string_equal(got, want);
			free(got);
		}
	}
	free(want);
	free(in.s);
}

/* A source that hands out a few bytes per read. */
struct trickle {
	const char *s;
	size_t n, pos;
};

static ssize_t trickle_read(void *arg, void *buf, size_t len)
{
	struct trickle *t = arg;
	size_t k = 1 + rnd() % 7;

	if (k > len)
		k = len;
	if (k > t->n - t->pos)
		k = t->n - t->pos;
	memcpy(buf, t->s + t->pos, k);
	t->pos += k;
	return (ssize_t)k;
}

static ssize_t failing_read(void *arg, void *buf, size_t len)
{
	struct trickle *t = arg;

	if (t->pos >= t->n) {
		errno = EIO;
		return -1;
	}
	return trickle_read(arg, buf, len);
}

static void callback_source(void **state)
{
	struct buf in = { 0 }, got = { 0 };
	struct mrm_table_options opt = { .chunk_bytes = 200, .threads = 2 };
	struct mrm_table_reader *r;
	struct mrm_table *t;
	struct mrm_error err = { 0 };
	const char *spec = "score:num cat:cat text:text";
	char *want;
	int rc;

	(void)state;
	messy_csv(&in, 800);
	want = load("t.csv", in.s, in.n, NULL, spec, &err, &rc);
	if (rc)
		fail_msg("%s", err.msg);
	struct trickle tr = { in.s, in.n, 0 };
	assert_int_equal(mrm_table_open_fn("t.csv", trickle_read, &tr, &opt, &r, &err), 0);
	assert_int_equal(select_spec(r, spec, &err), 0);
	assert_int_equal(mrm_table_read_all(r, &t, &err), 0);
	dump_into(&got, t);
	assert_string_equal(got.s, want);
	assert_int_equal(mrm_table_stats(r)->bytes, in.n);
	mrm_table_free(t);
	mrm_table_close(r);
	free(got.s);
	free(want);

	/* A read error in the middle is an error, not a short table. */
	in.n = 0;
	put(&in, "a\n");
	for (int i = 0; i < 100000; i++)
		put(&in, "%d\n", i);
	struct trickle bad = { in.s, in.n, 0 };
	assert_int_equal(mrm_table_open_fn("p", failing_read, &bad, NULL, &r, &err), 0);
	assert_int_equal(mrm_table_select(r, "a", MRM_COL_NUMERIC, NULL, &err), 0);
	assert_int_equal(mrm_table_read_all(r, &t, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "cannot read p: Input/output error");
	mrm_table_close(r);
	/* At the start: when opening. */
	struct trickle bad2 = { "a\n1\n", 4, 0 };
	assert_int_equal(mrm_table_open_fn("p", failing_read, &bad2, NULL, &r, &err),
			 MRM_EINPUT);
	assert_null(r);
	free(in.s);
}

/* ---- gzip ------------------------------------------------------------ */

static size_t gzip_into(const char *s, size_t n, unsigned char *out, size_t cap)
{
	z_stream z = { 0 };

	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	z.next_in = (Bytef *)s;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	n = cap - z.avail_out;
	deflateEnd(&z);
	return n;
}

static void gzip_input(void **state)
{
	struct buf in = { 0 };
	struct mrm_error err = { 0 };
	const char *spec = "score:num cat:cat text:text";
	size_t cap, n, n2;
	unsigned char *gz;
	char *want, *got;
	int rc;

	(void)state;
	messy_csv(&in, 3000);
	cap = in.n * 2 + 1024;
	gz = malloc(cap * 2);
	n = gzip_into(in.s, in.n, gz, cap);
	assert_true(n < in.n);
	want = load("t.csv", in.s, in.n, NULL, spec, &err, &rc);
	got = load("t.csv.gz", (char *)gz, n, NULL, spec, &err, &rc);
	if (rc)
		fail_msg("%s", err.msg);
	assert_string_equal(got, want);
	free(got);

	/* Through a file on disk, detected by content whatever the name. */
	{
		char path[] = "/tmp/mrm-test-table-XXXXXX";
		int fd = mkstemp(path);
		struct mrm_table_reader *r;
		struct mrm_table *t;
		struct buf b = { 0 };
		assert_true(fd >= 0);
		assert_int_equal(write(fd, gz, n), (ssize_t)n);
		close(fd);
		assert_int_equal(mrm_table_open(path, NULL, &r, &err), 0);
		assert_int_equal(select_spec(r, spec, &err), 0);
		assert_int_equal(mrm_table_read_all(r, &t, &err), 0);
		dump_into(&b, t);
		assert_string_equal(b.s, want);
		assert_int_equal(mrm_table_stats(r)->bytes, in.n);
		free(b.s);
		mrm_table_free(t);
		mrm_table_close(r);
		unlink(path);
	}

	/* Two members in a row, as `cat a.gz b.gz` makes, and zero padding. */
	{
		const char *h = "x,y\n1,a\n", *tail = "2,b\n";
		n = gzip_into(h, strlen(h), gz, cap);
		n2 = gzip_into(tail, strlen(tail), gz + n, cap);
		memset(gz + n + n2, 0, 10);
		got = load("t.gz", (char *)gz, n + n2 + 10, NULL, "x:num y:cat", &err, &rc);
		if (rc)
			fail_msg("%s", err.msg);
		assert_string_equal(got, "1\ta\n2\tb\n");
		free(got);
		/* Truncated: an error, not a short table. */
		got = load("t.gz", (char *)gz, n + n2 - 5, NULL, "x:num", &err, &rc);
		assert_null(got);
		assert_int_equal(rc, MRM_EINPUT);
		assert_string_equal(err.msg, "t.gz: truncated gzip data (unexpected end of file)");
		/* Corrupt. */
		gz[n + 12] ^= 0x55;
		got = load("t.gz", (char *)gz, n + n2, NULL, "x:num", &err, &rc);
		assert_null(got);
		assert_int_equal(rc, MRM_EINPUT);
		assert_non_null(strstr(err.msg, "t.gz: "));
		gz[n + 12] ^= 0x55;
		/* Garbage after the data. */
		memcpy(gz + n + n2, "junk", 4);
		got = load("t.gz", (char *)gz, n + n2 + 4, NULL, "x:num", &err, &rc);
		assert_null(got);
		assert_string_equal(err.msg, "t.gz: trailing garbage after gzip data");
	}
	free(want);
	free(gz);
	free(in.s);
}

/* ---- JSON Lines ------------------------------------------------------ */

#define JCHECK(data, opt, spec, want)                                           \
	do {                                                                    \
		struct mrm_error e_ = { 0 };                                    \
		int rc_;                                                        \
		char *got_ = load("d.jsonl", data, strlen(data), opt, spec, &e_, &rc_); \
		if (rc_)                                                        \
			fail_msg("%s", e_.msg);                                 \
		assert_string_equal(got_, want);                                \
		free(got_);                                                     \
	} while (0)

static void jsonl(void **state)
{
	struct mrm_table_reader *r;
	struct mrm_error err = { 0 };
	const char *names[] = { "s", "extra", NULL };
	struct mrm_table_options named = { .columns = names };
	struct mrm_table_options skip = { .skip_bad_rows = true };
	const char *d = "{\"y\": 1, \"s\": 0.25, \"g\": \"a\", \"t\": true}\n"
			"\n"
			"{\"s\": \"0.5\", \"g\": 2, \"y\": 0, \"t\": null, \"other\": [1]}\r\n"
			"  {\"y\": 1, \"g\": 2.5, \"t\": false}  \n"
			"{\"y\": 1, \"s\": null, \"g\": \"NA\", \"t\": \"x\"}";

	(void)state;
	assert_int_equal(mrm_table_open_mem("d.jsonl", d, strlen(d), NULL, &r, &err), 0);
	assert_int_equal(mrm_table_format_of(r), MRM_TABLE_JSONL);
	assert_int_equal(mrm_table_delimiter(r), 0);
	assert_int_equal(mrm_table_ncols(r), 4);
	assert_string_equal(mrm_table_colname(r, 0), "y");
	assert_string_equal(mrm_table_colname(r, 3), "t");
	mrm_table_close(r);
	JCHECK(d, NULL, "y:num s:num g:cat t:cat",
	       "1\t0.25\ta\ttrue\n0\t0.5\t2\t<NA>\n1\t<NA>\t2.5\tfalse\n1\t<NA>\t<NA>\tx\n");
	JCHECK(d, NULL, "g:text t:auto s:auto",
	       "[a]\ttrue\t0.25\n[2]\t<NA>\t0.5\n[2.5]\tfalse\t<NA>\n<NA>\tx\t<NA>\n");
	/* Named columns: keys beyond the first object's. */
	JCHECK(d, &named, "extra:num s:num", "<NA>\t0.25\n<NA>\t0.5\n<NA>\t<NA>\n<NA>\t<NA>\n");
	/* Detected by content too. */
	{
		int rc;
		char *got = load("stream", d, strlen(d), NULL, "y:num", &err, &rc);
		assert_int_equal(rc, 0);
		assert_string_equal(got, "1\n0\n1\n1\n");
		free(got);
	}
	/* Errors with line and column. */
	CHECK_ERR("d.jsonl", "{\"a\": 1}\n{\"a\": 2,}\n", NULL, "a:num", MRM_EINPUT,
		  "d.jsonl:2:9: invalid JSON: string or '}' expected near '}'");
	CHECK_ERR("d.jsonl", "{\"a\": 1}\n[1]\n", NULL, "a:num", MRM_EINPUT,
		  "d.jsonl:2:1: not a JSON object");
	CHECK_ERR("d.jsonl", "{\"a\": 1, \"b\": 2}\n{\"a\": true}\n", NULL, "b:num a:num",
		  MRM_EINPUT, "d.jsonl:2:1: column 'a': true is not a number");
	CHECK_ERR("d.jsonl", "{\"a\": 1}\n{\"a\": \"x1\"}\n", NULL, "a:num", MRM_EINPUT,
		  "d.jsonl:2:1: column 'a': 'x1' is not a number");
	CHECK_ERR("d.jsonl", "{\"a\": 1, \"b\": 2}\n{\"b\": {}}\n", NULL, "b:cat",
		  MRM_EINPUT, "d.jsonl:2:2: column 'b': an object is not a value");
	CHECK_ERR("d.jsonl", "{\"a\": 1}\n{\"a\": [2]}\n", NULL, "a:text", MRM_EINPUT,
		  "d.jsonl:2:1: column 'a': an array is not a value");
	CHECK_ERR("d.jsonl", "{\"a\": 1}\n{\"a\": \"inf\"}\n", NULL, "a:num", MRM_EINPUT,
		  "d.jsonl:2:1: column 'a': 'inf' is infinite (not allowed)");
	CHECK_ERR("d.jsonl", "{\"a\": 1}\n{\"a\": 1e999}\n", NULL, "a:num", MRM_EINPUT,
		  "d.jsonl:2:11: invalid JSON: real number overflow near '1e999'");
	CHECK_ERR("d.jsonl", "\n{\"a\" 1}\n", NULL, NULL, MRM_EINPUT,
		  "d.jsonl:2:6: invalid JSON: ':' expected near '1'");
	CHECK_ERR("d.jsonl", "[1,2]\n", NULL, NULL, MRM_EINPUT,
		  "d.jsonl:1:1: the first line is not a JSON object with keys");
	CHECK_ERR("d.jsonl", "\n  \n", NULL, NULL, MRM_EINPUT,
		  "d.jsonl: empty file (no JSON object)");
	/* Skipping. */
	{
		const char *e = "{\"a\": 1}\nnot json\n{\"a\": \"b\"}\n{\"a\": 4}\n";
		const struct mrm_table_stats *st;
		struct mrm_table *t;
		assert_int_equal(mrm_table_open_mem("d.jsonl", e, strlen(e), &skip, &r, &err), 0);
		assert_int_equal(mrm_table_select(r, "a", MRM_COL_NUMERIC, NULL, &err), 0);
		assert_int_equal(mrm_table_read_all(r, &t, &err), 0);
		assert_int_equal(t->nrows, 2);
		assert_true(t->cols[0].num[1] == 4);
		st = mrm_table_stats(r);
		assert_int_equal(st->bad[MRM_TABLE_BAD_JSON], 1);
		assert_int_equal(st->bad[MRM_TABLE_BAD_NUMBER], 1);
		assert_int_equal(st->bad_lines[MRM_TABLE_BAD_NUMBER][0], 3);
		assert_string_equal(st->bad_example[MRM_TABLE_BAD_JSON],
				    "d.jsonl:2:3: invalid JSON: '[' or '{' expected near 'not'");
		assert_int_equal(st->lines, 4);
		mrm_table_free(t);
		mrm_table_close(r);
	}
	/* Chunks and threads give the same table. */
	{
		struct buf in = { 0 };
		char *want, *got;
		int rc;
		for (int i = 0; i < 2000; i++)
			put(&in, "{\"i\": %d, \"v\": %s, \"c\": \"k%d\"}\n", i,
			    i % 9 ? "1.5e-3" : "null", i % 13);
		want = load("x.ndjson", in.s, in.n, NULL, "i:num v:num c:cat", &err, &rc);
		assert_int_equal(rc, 0);
		for (int threads = 1; threads <= 3; threads++) {
			struct mrm_table_options opt = { .threads = threads, .chunk_bytes = 512 };
			got = load_stream("x.ndjson", in.s, in.n, &opt, "i:num v:num c:cat", &err, &rc);
			assert_int_equal(rc, 0);
			assert_string_equal(got, want);
			free(got);
		}
		free(want);
		free(in.s);
	}
}

static int stop_at_second(const struct mrm_table *b, void *arg)
{
	int *calls = arg;

	(void)b;
	return ++*calls == 2 ? 42 : 0;
}

/* Batches share one dictionary; whole reads after batches; allow_inf. */
static void batches_and_rest(void **state)
{
	struct mrm_table_options opt = { .chunk_bytes = 64, .threads = 2 };
	struct mrm_table_reader *r;
	const struct mrm_table *b;
	struct mrm_table *t;
	struct mrm_error err = { 0 };
	struct buf in = { 0 };
	uint32_t code_of_k3 = UINT32_MAX;
	uint64_t rows = 0;
	int calls = 0;

	(void)state;
	put(&in, "k,v\n");
	for (int i = 0; i < 400; i++)
		put(&in, "k%d,%d\n", i % 7, i);
	assert_int_equal(mrm_table_open_mem("t.csv", in.s, in.n, &opt, &r, &err), 0);
	assert_int_equal(mrm_table_select(r, "k", MRM_COL_CATEGORICAL, NULL, &err), 0);
	for (int n = 0; n < 5; n++) {
		assert_int_equal(mrm_table_next(r, &b, &err), 0);
		assert_non_null(b);
		for (uint64_t i = 0; i < b->nrows; i++) {
			const char *s = mrm_table_category(&b->cols[0], i);
			if (!strcmp(s, "k3")) {
				if (code_of_k3 == UINT32_MAX)
					code_of_k3 = b->cols[0].codes[i];
				assert_int_equal(b->cols[0].codes[i], code_of_k3);
			}
		}
		assert_int_equal(b->first_line, rows + 2);
		rows += b->nrows;
	}
	/* The rest, whole: codes still from the same dictionary. */
	assert_int_equal(mrm_table_read_all(r, &t, &err), 0);
	assert_int_equal(rows + t->nrows, 400);
	assert_int_equal(t->first_line, rows + 2);
	assert_int_equal(t->cols[0].dict->n, 7);
	for (uint64_t i = 0; i < t->nrows; i++)
		if (!strcmp(mrm_table_category(&t->cols[0], i), "k3"))
			assert_int_equal(t->cols[0].codes[i], code_of_k3);
	mrm_table_free(t);
	assert_int_equal(mrm_table_next(r, &b, &err), 0);
	assert_null(b);
	assert_int_equal(mrm_table_stats(r)->rows, 400);
	mrm_table_close(r);

	/* mrm_table_each stops with the callback's value. */
	assert_int_equal(mrm_table_open_mem("t.csv", in.s, in.n, &opt, &r, &err), 0);
	assert_int_equal(mrm_table_each(r, stop_at_second, &calls, &err), 42);
	assert_int_equal(calls, 2);
	mrm_table_close(r);
	free(in.s);

	{
		struct mrm_table_options inf = { .allow_inf = true };
		CHECK_OPT("x\ninf\n-Infinity\n+INF\n", &inf, "x:num", "inf\n-inf\ninf\n");
		/* Overflow is not a spelling of infinity. */
		CHECK_ERR("t.csv", "x\n1e400\n", &inf, "x:num", MRM_EINPUT,
			  "t.csv:2:1: column 'x': '1e400' is out of range for a double");
	}
}

/* ---- counters -------------------------------------------------------- */

/* Line numbers past 2^32 in messages and counts (the reader's counter is
 * set as if the file had billions of lines before this point). */
static void big_counters(void **state)
{
	struct mrm_table_options opt = { .skip_bad_rows = true };
	struct mrm_table_reader *r;
	struct mrm_table *t;
	struct mrm_error err = { 0 };
	const char *d = "a\n1\nx\n2\n";
	const uint64_t base = (UINT64_C(1) << 32) + 5;

	(void)state;
	assert_int_equal(mrm_table_open_mem("big.csv", d, strlen(d), NULL, &r, &err), 0);
	r->line = base;
	r->stats.bytes = UINT64_C(5) << 32;
	assert_int_equal(mrm_table_select(r, "a", MRM_COL_NUMERIC, NULL, &err), 0);
	assert_int_equal(mrm_table_read_all(r, &t, &err), MRM_EINPUT);
	assert_string_equal(err.msg, "big.csv:4294967303:1: column 'a': 'x' is not a number");
	mrm_table_close(r);

	assert_int_equal(mrm_table_open_mem("big.csv", d, strlen(d), &opt, &r, &err), 0);
	r->line = base;
	r->stats.bytes = UINT64_C(5) << 32;
	assert_int_equal(mrm_table_select(r, "a", MRM_COL_NUMERIC, NULL, &err), 0);
	assert_int_equal(mrm_table_read_all(r, &t, &err), 0);
	assert_int_equal(t->first_line, base + 1);
	assert_int_equal(mrm_table_stats(r)->bad_lines[MRM_TABLE_BAD_NUMBER][0], base + 2);
	assert_int_equal(mrm_table_stats(r)->lines, base + 3);
	assert_int_equal(mrm_table_stats(r)->bytes, (UINT64_C(5) << 32) + 6);
	mrm_table_free(t);
	mrm_table_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc4180),
		cmocka_unit_test(header_and_names),
		cmocka_unit_test(delimiters),
		cmocka_unit_test(missing_values),
		cmocka_unit_test(error_messages),
		cmocka_unit_test(error_state),
		cmocka_unit_test(skip_bad_rows),
		cmocka_unit_test(selection_and_types),
		cmocka_unit_test(auto_promotion),
		cmocka_unit_test(chunks_threads_streams),
		cmocka_unit_test(callback_source),
		cmocka_unit_test(gzip_input),
		cmocka_unit_test(jsonl),
		cmocka_unit_test(batches_and_rest),
		cmocka_unit_test(big_counters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
