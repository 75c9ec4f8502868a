/*
 * mrm export / mrm import: the whole store as one JSON document, written
 * and read as a stream of rows, and loaded back only into an empty store
 * and only if its audit chain verifies.
 *
 * Import verifies inside its own transaction, before committing, with the
 * same rules and messages as mrm_audit_verify() (lib/core/audit.c), which
 * cannot be called there because it opens a transaction of its own. The
 * event hash is the one documented at the top of audit.c and in
 * docs/audit.md; tests/unit/test-transfer.c checks that both agree.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strmap.h"
#include "core/core.h"
#include "mrm/hash.h"
#include "mrm/transfer.h"

#define FORMAT "mrm-export"
#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
#define MAX_TABLES 48
#define VALUE_LIMIT ((size_t)64 << 20) /* one row or header value */

/*
 * The tables in the order rows can be inserted without breaking a foreign
 * key (a row only names rows of tables before it). Object types that are
 * not listed here (added later) follow in mrm__object_types order, then
 * the audit chain and the store's own metadata.
 */
static const char *const fk_order[] = {
	"users", "user_tokens", "models", "versions", "tier_assessments", "evidence",
	"findings", "acceptances", "acceptance_findings", "reviews", "signoffs",
	"incidents", "incident_findings", NULL,
};

struct table {
	const char *name;
	const char *key; /* rows are exported in this column's order */
	char **cols;     /* import: the store's column names, in table order */
	int ncols;
	bool seen;
	int64_t rows;
	struct mrm_stmt *insert; /* import: INSERT of every column */
};

static void add_table(struct table *t, int *n, const char *name, const char *key)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp(t[i].name, name))
			return;
	if (*n >= MAX_TABLES)
		return;
	memset(&t[*n], 0, sizeof(t[*n]));
	t[*n].name = name;
	t[*n].key = key;
	(*n)++;
}

static int tables_init(struct table *t)
{
	const struct mrm__object_type *o;
	int n = 0;

	for (const char *const *name = fk_order; *name; name++)
		for (o = mrm__object_types; o->type; o++)
			if (!strcmp(o->table, *name))
				add_table(t, &n, o->table, o->key);
	for (o = mrm__object_types; o->type; o++)
		add_table(t, &n, o->table, o->key);
	add_table(t, &n, "audit_events", "seq");
	add_table(t, &n, "mrm_meta", "key");
	return n;
}

static void tables_release(struct table *t, int n)
{
	for (int i = 0; i < n; i++) {
		for (int c = 0; c < t[i].ncols; c++)
			free(t[i].cols[c]);
		free(t[i].cols);
		mrm_stmt_free(t[i].insert);
		t[i].ncols = 0;
		t[i].cols = NULL;
		t[i].insert = NULL;
	}
}

static json_t *summary_of(struct table *t, int n, const char *head)
{
	json_t *tables = json_object();
	int64_t rows = 0, events = 0;

	for (int i = 0; i < n; i++) {
		json_object_set_new(tables, t[i].name, json_integer(t[i].rows));
		rows += t[i].rows;
		if (!strcmp(t[i].name, "audit_events"))
			events = t[i].rows;
	}
	return json_pack("{s:o,s:I,s:I,s:o}", "tables", tables, "rows", (json_int_t)rows,
			 "events", (json_int_t)events, "head",
			 head && *head ? json_string(head) : json_null());
}

/* ---- export ----------------------------------------------------------- */

static int write_failed(const char *name, int e, struct mrm_error *err)
{
	return mrm_error_set(err, MRM_EINPUT, "cannot write the export to %s: %s", name,
			     strerror(e ? e : EIO));
}

static int export_stream(struct mrm_ctx *ctx, FILE *out, const char *name,
			 json_t **summary, struct mrm_error *err)
{
	struct table t[MAX_TABLES];
	int n = tables_init(t), rc;
	struct mrm_stmt *s = NULL;
	json_t *head = NULL, *v;
	char head_hash[MRM_SHA256_HEX] = "";

	if (summary)
		*summary = NULL;
	/* One read transaction: every table from the same snapshot. */
	if ((rc = mrm_store_exec(ctx->store, "BEGIN", err)))
		return rc;
	if ((rc = mrm__row(ctx, "SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1",
			   NOPARAMS, &head, err)))
		goto out;
	if (head && mrm__str(head, "hash"))
		snprintf(head_hash, sizeof(head_hash), "%s", mrm__str(head, "hash"));
	errno = 0;
	fprintf(out, "{\"format\":\"%s\",\"format_version\":%d,\"schema_version\":%d,\"exported_at\":",
		FORMAT, MRM_EXPORT_FORMAT_VERSION, mrm_store_schema_version());
	v = json_string(ctx->now_iso);
	json_dumpf(v, out, JSON_ENCODE_ANY);
	json_decref(v);
	fputs(",\"tables\":{", out);
	for (int i = 0; i < n; i++) {
		char sql[160];

		fprintf(out, "%s\n\"%s\":[", i ? "," : "", t[i].name);
		/* Table and key names are mrm's own constants, never user text. */
		snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY %s", t[i].name, t[i].key);
		if ((rc = mrm_store_prepare(ctx->store, sql, &s, err)))
			goto out;
		while ((rc = mrm_stmt_step(s, err)) == MRM_ROW) {
			json_t *row = mrm__row_json(s);
			fputs(t[i].rows ? ",\n" : "\n", out);
			json_dumpf(row, out, JSON_COMPACT);
			json_decref(row);
			t[i].rows++;
			if (ferror(out)) {
				rc = write_failed(name, errno, err);
				goto out;
			}
		}
		mrm_stmt_free(s);
		s = NULL;
		if (rc)
			goto out;
		fputs(t[i].rows ? "\n]" : "]", out);
	}
	fputs("\n},\"audit_head\":", out);
	v = head_hash[0] ? json_string(head_hash) : json_null();
	json_dumpf(v, out, JSON_ENCODE_ANY);
	json_decref(v);
	fputs("}\n", out);
	if (fflush(out) || ferror(out)) {
		rc = write_failed(name, errno, err);
		goto out;
	}
	if (summary)
		*summary = summary_of(t, n, head_hash);
out:
	mrm_stmt_free(s);
	mrm_store_exec(ctx->store, "COMMIT", NULL);
	json_decref(head);
	tables_release(t, n);
	return rc;
}

int mrm_export(struct mrm_ctx *ctx, FILE *out, json_t **summary,
	       struct mrm_error *err)
{
	return export_stream(ctx, out, "the output", summary, err);
}

int mrm_export_file(struct mrm_ctx *ctx, const char *path, json_t **summary,
		    struct mrm_error *err)
{
	size_t len;
	char *tmp;
	FILE *f = NULL;
	int fd, rc;

	if (summary)
		*summary = NULL;
	if (!path || !strcmp(path, "-"))
		return export_stream(ctx, stdout, "standard output", summary, err);
	len = strlen(path) + 32;
	if (!(tmp = malloc(len)))
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		rc = mrm_error_set(err, MRM_EINPUT, "cannot write %s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return rc;
	}
	rc = export_stream(ctx, f, path, summary, err);
	if (rc == MRM_OK && fsync(fd))
		rc = write_failed(path, errno, err);
	if (fclose(f) && rc == MRM_OK)
		rc = write_failed(path, errno, err);
	if (rc == MRM_OK && rename(tmp, path))
		rc = mrm_error_set(err, MRM_EINPUT, "cannot write %s: %s", path, strerror(errno));
	if (rc) {
		unlink(tmp);
		if (summary) {
			json_decref(*summary);
			*summary = NULL;
		}
	}
	free(tmp);
	return rc;
}

/* ---- verification inside the import transaction ------------------------ */

/*
 * Runs mrm_audit_verify()'s checks on the open import transaction, and
 * checks the document's own "audit_head" names the last event. MRM_ECHECK
 * with "audit chain broken: ..." in `err` if anything is wrong; `head`
 * receives the last event's hash ("" if none).
 */
static int verify_in_tx(struct mrm_ctx *ctx, const char *doc_head,
			char head[MRM_SHA256_HEX], struct mrm_error *err)
{
	json_t *out = NULL;
	int rc = mrm__audit_verify_tx(ctx, &out, err);
	const char *h = out ? mrm__str(out, "head") : NULL;

	snprintf(head, MRM_SHA256_HEX, "%s", h ? h : "");
	if (rc == MRM_OK && strcmp(doc_head ? doc_head : "", head))
		rc = mrm_error_set(err, MRM_ECHECK,
				   "audit chain broken: the document's audit_head %s is not the hash of its last event",
				   doc_head ? doc_head : "null");
	else if (rc == MRM_ECHECK && err) {
		json_int_t n = json_integer_value(json_object_get(out, "problem_count"));
		json_t *first = json_object_get(out, "first_bad_event");
		size_t len = strlen(err->msg);
		if (json_is_integer(first))
			snprintf(err->msg + len, sizeof(err->msg) - len,
				 " (%" JSON_INTEGER_FORMAT " problem%s, first bad event #%" JSON_INTEGER_FORMAT ")",
				 n, n == 1 ? "" : "s", json_integer_value(first));
		else if (n > 1)
			snprintf(err->msg + len, sizeof(err->msg) - len, " (%" JSON_INTEGER_FORMAT " problems)", n);
	}
	json_decref(out);
	return rc;
}

/* ---- import: a streaming reader of the document ------------------------ */

struct import {
	struct mrm_ctx *ctx;
	const char *name;
	FILE *f;
	struct mrm_error *err;
	unsigned char buf[1 << 16];
	size_t len, pos;
	bool eof, ioerr, toobig;
	int read_errno;
	long long consumed;
	long long line, col; /* of the next character, 1-based */
	char *val;           /* raw text of the value just scanned */
	size_t vlen, vcap;
	long long vline, vcol;
	struct table t[MAX_TABLES];
	int nt;
	json_t *seen;   /* top-level keys seen */
	json_t *head;   /* the document's audit_head */
};

static int fail_at(struct import *im, long long line, long long col, int code,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail_at(struct import *im, long long line, long long col, int code,
		   const char *fmt, ...)
{
	char msg[MRM_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		return mrm_error_set(im->err, code, "%s:%lld:%lld: %s", im->name, line, col, msg);
	return mrm_error_set(im->err, code, "%s: %s", im->name, msg);
}

static int fill(struct import *im)
{
	if (im->pos < im->len)
		return 1;
	if (im->eof || im->ioerr)
		return 0;
	im->pos = 0;
	im->len = fread(im->buf, 1, sizeof(im->buf), im->f);
	if (im->len == 0) {
		if (ferror(im->f)) {
			im->ioerr = true;
			im->read_errno = errno;
		} else {
			im->eof = true;
		}
		return 0;
	}
	return 1;
}

static int peek(struct import *im)
{
	return fill(im) ? im->buf[im->pos] : -1;
}

static int take(struct import *im)
{
	int c;

	if (im->toobig || !fill(im))
		return -1;
	c = im->buf[im->pos++];
	if (++im->consumed > MRM_IMPORT_MAX_BYTES) {
		im->toobig = true;
		return -1;
	}
	if (c == '\n') {
		im->line++;
		im->col = 1;
	} else if ((c & 0xc0) != 0x80) {
		im->col++;
	}
	return c;
}

/* Why the input ended: a read error, the size limit, or a truncated document. */
static int end_error(struct import *im)
{
	if (im->ioerr)
		return fail_at(im, 0, 0, MRM_EINPUT, "cannot read: %s", strerror(im->read_errno ? im->read_errno : EIO));
	if (im->toobig)
		return fail_at(im, 0, 0, MRM_EINPUT, "larger than the import limit of %lld bytes (2 GiB)",
			       (long long)MRM_IMPORT_MAX_BYTES);
	return fail_at(im, im->line, im->col, MRM_EINPUT, "unexpected end of file (the document is truncated)");
}

static void skip_ws(struct import *im)
{
	int c;
	while ((c = peek(im)) == ' ' || c == '\n' || c == '\t' || c == '\r')
		take(im);
}

static int expect(struct import *im, int want, const char *what)
{
	long long line = im->line, col = im->col;
	int c;

	skip_ws(im);
	line = im->line;
	col = im->col;
	if ((c = take(im)) < 0)
		return end_error(im);
	if (c != want)
		return fail_at(im, line, col, MRM_EINPUT, "expected %s", what);
	return MRM_OK;
}

/* Appends `n` bytes to im->val, within VALUE_LIMIT. */
static int keep(struct import *im, const unsigned char *p, size_t n)
{
	if (im->vlen + n + 1 > im->vcap) {
		size_t cap = im->vcap ? im->vcap : 4096;
		char *q;
		while (cap < im->vlen + n + 1)
			cap *= 2;
		if (im->vlen + n + 1 > VALUE_LIMIT)
			return fail_at(im, im->vline, im->vcol, MRM_EINPUT,
				       "a value longer than %zu MiB", VALUE_LIMIT >> 20);
		if (!(q = realloc(im->val, cap)))
			return mrm_error_set(im->err, MRM_ESTORE, "out of memory reading %s", im->name);
		im->val = q;
		im->vcap = cap;
	}
	memcpy(im->val + im->vlen, p, n);
	im->vlen += n;
	return MRM_OK;
}

/*
 * Reads the raw text of the next JSON value (object, array, string or
 * scalar) into im->val, without interpreting it: jansson parses it next.
 * Objects, arrays and strings are scanned a buffer at a time (rows are
 * most of a document), tracking only strings and bracket depth.
 */
static int scan_value(struct import *im)
{
	bool str = false, esc = false, done = false;
	int c, depth = 0, rc;

	skip_ws(im);
	im->vlen = 0;
	im->vline = im->line;
	im->vcol = im->col;
	c = peek(im);
	if (c < 0)
		return end_error(im);
	if (c == '{' || c == '[' || c == '"') {
		while (!done) {
			size_t start, i;
			if (!fill(im))
				return end_error(im);
			for (start = i = im->pos; i < im->len && !done; i++) {
				unsigned char b = im->buf[i];
				if (b == '\n') {
					im->line++;
					im->col = 1;
				} else if ((b & 0xc0) != 0x80) {
					im->col++;
				}
				if (str) {
					if (esc)
						esc = false;
					else if (b == '\\')
						esc = true;
					else if (b == '"')
						str = false, done = depth == 0;
				} else if (b == '"') {
					str = true;
				} else if (b == '{' || b == '[') {
					depth++;
				} else if (b == '}' || b == ']') {
					done = --depth == 0;
				}
			}
			im->pos = i;
			im->consumed += (long long)(i - start);
			if (im->consumed > MRM_IMPORT_MAX_BYTES) {
				im->toobig = true;
				return end_error(im);
			}
			if ((rc = keep(im, im->buf + start, i - start)))
				return rc;
		}
	} else if (isalnum(c) || c == '-') {
		while ((c = peek(im)) >= 0 && (isalnum(c) || c == '-' || c == '+' || c == '.')) {
			unsigned char b = (unsigned char)take(im);
			if ((rc = keep(im, &b, 1)))
				return rc;
		}
		if (im->toobig)
			return end_error(im);
	} else {
		return fail_at(im, im->line, im->col, MRM_EINPUT,
			       isprint(c) ? "unexpected character '%c'" : "unexpected byte 0x%02x", c);
	}
	return MRM_OK;
}

/* Parses im->val; errors carry the position in the whole document. */
static int parse_value(struct import *im, size_t flags, json_t **out)
{
	json_error_t e;

	*out = json_loadb(im->val, im->vlen, flags, &e);
	if (!*out) {
		long long line = im->vline, col = im->vcol;
		if (e.line > 1) {
			line += e.line - 1;
			col = e.column;
		} else if (e.column > 0) {
			col += e.column - 1;
		}
		return fail_at(im, line, col, MRM_EINPUT, "%s", e.text);
	}
	return MRM_OK;
}

static int read_key(struct import *im, char *key, size_t cap, long long *line, long long *col)
{
	json_t *v;
	int rc;

	skip_ws(im);
	if (peek(im) != '"') {
		if (peek(im) < 0)
			return end_error(im);
		return fail_at(im, im->line, im->col, MRM_EINPUT, "expected a key in double quotes");
	}
	if ((rc = scan_value(im)) || (rc = parse_value(im, JSON_DECODE_ANY, &v)))
		return rc;
	*line = im->vline;
	*col = im->vcol;
	snprintf(key, cap, "%s", json_string_value(v));
	json_decref(v);
	return expect(im, ':', "':' after a key");
}

/* ---- import: rows -------------------------------------------------------- */

static int load_columns(struct import *im, struct table *t)
{
	struct mrm_stmt *s = NULL;
	char sql[128];
	int rc;

	/* The column list comes from the store itself, never from the document. */
	snprintf(sql, sizeof(sql), "SELECT * FROM %s LIMIT 0", t->name);
	if ((rc = mrm_store_prepare(im->ctx->store, sql, &s, im->err)))
		return rc;
	t->ncols = mrm_stmt_columns(s);
	t->cols = calloc((size_t)t->ncols + 1, sizeof(char *));
	for (int i = 0; t->cols && i < t->ncols; i++)
		if (!(t->cols[i] = strdup(mrm_stmt_col_name(s, i))))
			rc = MRM_ESTORE;
	mrm_stmt_free(s);
	if (!t->cols || rc) {
		t->ncols = t->cols ? t->ncols : 0;
		return mrm_error_set(im->err, MRM_ESTORE, "out of memory");
	}
	return MRM_OK;
}

/* "INSERT INTO t (c1, c2) VALUES (?, ?)" for the columns `row` has (all if NULL). */
static char *insert_sql(const struct table *t, json_t *row)
{
	size_t cap = 64 + strlen(t->name), used;
	char *sql;
	int n = 0;

	for (int i = 0; i < t->ncols; i++)
		cap += strlen(t->cols[i]) + 8;
	if (!(sql = malloc(cap)))
		return NULL;
	used = (size_t)snprintf(sql, cap, "INSERT INTO %s (", t->name);
	for (int i = 0; i < t->ncols; i++)
		if (!row || json_object_get(row, t->cols[i]))
			used += (size_t)snprintf(sql + used, cap - used, "%s%s", n++ ? ", " : "", t->cols[i]);
	used += (size_t)snprintf(sql + used, cap - used, ") VALUES (");
	for (int i = 0; i < n; i++)
		used += (size_t)snprintf(sql + used, cap - used, "%s?", i ? ", " : "");
	snprintf(sql + used, cap - used, ")");
	return sql;
}

/*
 * Binds one value as the store gave it to mrm__row_json: text, integer,
 * real, BOOLEAN true/false as 1/0, null, and arrays/objects (JSON columns)
 * as their compact JSON text with keys in document order, which is the
 * text mrm wrote (mrm writes JSON columns compact and key-sorted).
 */
static int bind_value(struct mrm_stmt *s, int i, json_t *v)
{
	char *text;
	int rc;

	switch (json_typeof(v)) {
	case JSON_STRING: return mrm_stmt_bind_text(s, i, json_string_value(v));
	case JSON_INTEGER: return mrm_stmt_bind_int(s, i, json_integer_value(v));
	case JSON_REAL: return mrm_stmt_bind_real(s, i, json_real_value(v));
	case JSON_TRUE: return mrm_stmt_bind_bool(s, i, true);
	case JSON_FALSE: return mrm_stmt_bind_bool(s, i, false);
	case JSON_NULL: return mrm_stmt_bind_null(s, i);
	default:
		if (!(text = json_dumps(v, JSON_COMPACT)))
			return MRM_ESTORE;
		rc = mrm_stmt_bind_text(s, i, text); /* the store copies it */
		free(text);
		return rc;
	}
}

static int insert_row(struct import *im, struct table *t, json_t *row, int64_t index)
{
	struct mrm_error e = { 0 };
	struct mrm_stmt *s = NULL;
	const char *key;
	json_t *v;
	char *sql;
	int rc, p = 1;

	if (!json_is_object(row))
		return fail_at(im, im->vline, im->vcol, MRM_EINPUT,
			       "tables.%s[%" PRId64 "]: a row must be a JSON object", t->name, index);
	json_object_foreach(row, key, v) {
		int i = 0;
		while (i < t->ncols && strcmp(t->cols[i], key))
			i++;
		if (i == t->ncols)
			return fail_at(im, im->vline, im->vcol, MRM_EINPUT,
				       "tables.%s[%" PRId64 "]: unknown column '%.64s' in table %s",
				       t->name, index, key, t->name);
	}
	if ((int)json_object_size(row) == t->ncols && t->insert) {
		s = t->insert;
	} else {
		bool all = (int)json_object_size(row) == t->ncols;
		if (!(sql = insert_sql(t, all ? NULL : row)))
			return mrm_error_set(im->err, MRM_ESTORE, "out of memory");
		rc = mrm_store_prepare(im->ctx->store, sql, &s, im->err);
		free(sql);
		if (rc)
			return rc;
		if (all)
			t->insert = s;
	}
	rc = MRM_OK;
	for (int i = 0; i < t->ncols && rc == MRM_OK; i++)
		if ((v = json_object_get(row, t->cols[i])))
			rc = bind_value(s, p++, v);
	if (rc == MRM_OK)
		rc = mrm_stmt_step(s, &e);
	else
		rc = mrm_error_set(&e, MRM_ESTORE, "cannot bind a value");
	if (s == t->insert)
		mrm_stmt_reset(s);
	else
		mrm_stmt_free(s);
	if (rc == MRM_EINPUT) {
		const char *msg = e.msg, *prefix = "writing to the store: ";
		if (!strncmp(msg, prefix, strlen(prefix)))
			msg += strlen(prefix);
		return fail_at(im, im->vline, im->vcol, MRM_EINPUT,
			       "tables.%s[%" PRId64 "]: the store refused the row: %s", t->name, index, msg);
	}
	if (rc) {
		mrm_error_set(im->err, rc, "%s", e.msg);
		return rc;
	}
	t->rows++;
	return MRM_OK;
}

static int read_rows(struct import *im, struct table *t)
{
	int64_t index = 0;
	json_t *row;
	int rc, c;

	if ((rc = expect(im, '[', "'[' (a table is an array of rows)")))
		return rc;
	skip_ws(im);
	if (peek(im) == ']') {
		take(im);
		return MRM_OK;
	}
	for (;; index++) {
		long long line, col;
		if ((rc = scan_value(im)) ||
		    (rc = parse_value(im, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &row)))
			return rc;
		rc = insert_row(im, t, row, index);
		json_decref(row);
		if (rc)
			return rc;
		skip_ws(im);
		line = im->line;
		col = im->col;
		if ((c = take(im)) == ']')
			return MRM_OK;
		if (c < 0)
			return end_error(im);
		if (c != ',')
			return fail_at(im, line, col, MRM_EINPUT, "expected ',' or ']' after a row of %s", t->name);
	}
}

static int read_tables(struct import *im)
{
	char name[128];
	int rc, c;

	if ((rc = expect(im, '{', "'{' (\"tables\" is an object of tables)")))
		return rc;
	skip_ws(im);
	if (peek(im) == '}') {
		take(im);
	} else {
		for (;;) {
			long long line, col;
			struct table *t = NULL;

			if ((rc = read_key(im, name, sizeof(name), &line, &col)))
				return rc;
			for (int i = 0; i < im->nt && !t; i++)
				if (!strcmp(im->t[i].name, name))
					t = &im->t[i];
			if (!t)
				return fail_at(im, line, col, MRM_EINPUT, "unknown table '%.64s'", name);
			if (t->seen)
				return fail_at(im, line, col, MRM_EINPUT, "table '%s' appears twice", name);
			t->seen = true;
			if ((rc = read_rows(im, t)))
				return rc;
			skip_ws(im);
			line = im->line;
			col = im->col;
			if ((c = take(im)) == '}')
				break;
			if (c < 0)
				return end_error(im);
			if (c != ',')
				return fail_at(im, line, col, MRM_EINPUT, "expected ',' or '}' after table %s", name);
		}
	}
	for (int i = 0; i < im->nt; i++)
		if (!im->t[i].seen)
			return fail_at(im, 0, 0, MRM_EINPUT,
				       "missing table '%s' in \"tables\" (an export lists every table, even empty ones)",
				       im->t[i].name);
	return MRM_OK;
}

/* Checks one top-level member other than "tables". */
static int header_value(struct import *im, const char *key, json_t *v, long long line,
			long long col)
{
	if (!strcmp(key, "format")) {
		if (!json_is_string(v) || strcmp(json_string_value(v), FORMAT))
			return fail_at(im, line, col, MRM_EINPUT,
				       "not an mrm export (\"format\" is not \"%s\")", FORMAT);
	} else if (!strcmp(key, "format_version")) {
		if (!json_is_integer(v) || json_integer_value(v) != MRM_EXPORT_FORMAT_VERSION)
			return fail_at(im, line, col, MRM_EINPUT,
				       "export format version %s is not supported (this mrm reads version %d)",
				       json_is_integer(v) ? "other than 1" : "missing or not a number",
				       MRM_EXPORT_FORMAT_VERSION);
	} else if (!strcmp(key, "schema_version")) {
		if (!json_is_integer(v))
			return fail_at(im, line, col, MRM_EINPUT, "\"schema_version\" must be a number");
		if (json_integer_value(v) != mrm_store_schema_version())
			return fail_at(im, line, col, MRM_EINPUT,
				       "exported from store schema version %" JSON_INTEGER_FORMAT
				       " but this mrm's is %d (import with the mrm that exported it, "
				       "then upgrade with 'mrm init')",
				       json_integer_value(v), mrm_store_schema_version());
	} else if (!strcmp(key, "exported_at")) {
		if (!json_is_string(v))
			return fail_at(im, line, col, MRM_EINPUT, "\"exported_at\" must be a time");
	} else if (!strcmp(key, "audit_head")) {
		if (!json_is_string(v) && !json_is_null(v))
			return fail_at(im, line, col, MRM_EINPUT, "\"audit_head\" must be a hash or null");
		json_decref(im->head);
		im->head = json_incref(v);
	} else {
		return fail_at(im, line, col, MRM_EINPUT, "unknown key '%.64s' (not an mrm export?)", key);
	}
	return MRM_OK;
}

static int read_document(struct import *im)
{
	static const char *const required[] = { "format", "format_version", "schema_version",
						 "exported_at", "tables", "audit_head", NULL };
	char key[128];
	json_t *v;
	int rc, c;

	skip_ws(im);
	if ((c = peek(im)) != '{') {
		if (c < 0 && !im->ioerr && im->consumed == 0)
			return fail_at(im, 0, 0, MRM_EINPUT, "empty file (not an mrm export)");
		/* Let jansson say what is wrong with it. */
		if ((rc = scan_value(im)) || (rc = parse_value(im, 0, &v)))
			return rc;
		json_decref(v);
		return fail_at(im, im->vline, im->vcol, MRM_EINPUT, "not an mrm export (not a JSON object)");
	}
	take(im);
	skip_ws(im);
	if (peek(im) == '}') {
		take(im);
	} else {
		for (;;) {
			long long line, col;

			if ((rc = read_key(im, key, sizeof(key), &line, &col)))
				return rc;
			if (json_object_get(im->seen, key))
				return fail_at(im, line, col, MRM_EINPUT, "key '%.64s' appears twice", key);
			if (!strcmp(key, "tables")) {
				/* Refuse another file before inserting anything from it. */
				for (int i = 0; i < 3; i++)
					if (!json_object_get(im->seen, required[i]))
						return fail_at(im, line, col, MRM_EINPUT,
							       "not an mrm export (\"%s\" must come before \"tables\")",
							       required[i]);
				rc = read_tables(im);
			} else if (!(rc = scan_value(im)) && !(rc = parse_value(im, JSON_DECODE_ANY, &v))) {
				rc = header_value(im, key, v, im->vline, im->vcol);
				json_decref(v);
			}
			if (rc)
				return rc;
			json_object_set_new(im->seen, key, json_true());
			skip_ws(im);
			line = im->line;
			col = im->col;
			if ((c = take(im)) == '}')
				break;
			if (c < 0)
				return end_error(im);
			if (c != ',')
				return fail_at(im, line, col, MRM_EINPUT, "expected ',' or '}'");
		}
	}
	skip_ws(im);
	if (peek(im) >= 0)
		return fail_at(im, im->line, im->col, MRM_EINPUT, "unexpected data after the document");
	if (im->ioerr || im->toobig)
		return end_error(im);
	for (int i = 0; required[i]; i++)
		if (!json_object_get(im->seen, required[i]))
			return fail_at(im, 0, 0, MRM_EINPUT, "not an mrm export (no \"%s\")", required[i]);
	return MRM_OK;
}

/* Refuses a store that holds anything: an import is a restore, not a merge. */
static int require_empty(struct import *im)
{
	int64_t total = 0, users = 0, events = 0;
	int rc;

	for (int i = 0; i < im->nt; i++) {
		char sql[128];
		int64_t n = 0;
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", im->t[i].name);
		if ((rc = mrm__int(im->ctx, sql, NOPARAMS, &n, im->err)))
			return rc;
		total += n;
		if (!strcmp(im->t[i].name, "users"))
			users = n;
		else if (!strcmp(im->t[i].name, "audit_events"))
			events = n;
	}
	if (total)
		return mrm_error_set(im->err, MRM_EINPUT,
				     "import needs an empty store: %s already holds %" PRId64 " rows (%" PRId64
				     " users, %" PRId64 " audit events); import into a new store made with 'mrm init'",
				     mrm_store_location(im->ctx->store), total, users, events);
	return MRM_OK;
}

int mrm_import(struct mrm_ctx *ctx, FILE *in, const char *name, json_t **summary,
	       struct mrm_error *err)
{
	struct import *im = calloc(1, sizeof(*im));
	char head[MRM_SHA256_HEX] = "";
	int rc;

	if (summary)
		*summary = NULL;
	if (!im)
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	im->ctx = ctx;
	im->name = name ? name : "input";
	im->f = in;
	im->err = err;
	im->line = 1;
	im->col = 1;
	im->seen = json_object();
	im->nt = tables_init(im->t);
	/* The write lock from the start: nobody adds a row while we check and fill. */
	if ((rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = require_empty(im)))
		goto fail;
	for (int i = 0; i < im->nt; i++)
		if ((rc = load_columns(im, &im->t[i])))
			goto fail;
	if ((rc = read_document(im)))
		goto fail;
	if ((rc = verify_in_tx(ctx, json_string_value(im->head), head, err))) {
		if (rc == MRM_ECHECK) {
			char msg[MRM_ERROR_MAX];
			snprintf(msg, sizeof(msg), "%s", err->msg);
			mrm_error_clear(err);
			mrm_error_set(err, MRM_ECHECK, "%s: refused: %s; nothing was imported", im->name, msg);
		}
		goto fail;
	}
	/* Statements must be finished before the commit. */
	tables_release(im->t, im->nt);
	if ((rc = mrm__commit(ctx, err)))
		goto out;
	if (summary)
		*summary = summary_of(im->t, im->nt, head);
	goto out;
fail:
	tables_release(im->t, im->nt);
	mrm__rollback(ctx);
out:
	tables_release(im->t, im->nt);
	json_decref(im->seen);
	json_decref(im->head);
	free(im->val);
	free(im);
	return rc;
}

int mrm_import_file(struct mrm_ctx *ctx, const char *path, json_t **summary,
		    struct mrm_error *err)
{
	struct stat sb;
	FILE *f;
	int rc;

	if (summary)
		*summary = NULL;
	if (!path || !strcmp(path, "-"))
		return mrm_import(ctx, stdin, "<stdin>", summary, err);
	if (!(f = fopen(path, "rb")))
		return mrm_error_set(err, MRM_EINPUT, "cannot read %s: %s", path, strerror(errno));
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(f);
		return mrm_error_set(err, MRM_EINPUT, "cannot read %s: it is a directory", path);
	}
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > MRM_IMPORT_MAX_BYTES) {
		fclose(f);
		return mrm_error_set(err, MRM_EINPUT, "%s: %lld bytes is larger than the import limit of %lld bytes (2 GiB)",
				     path, (long long)sb.st_size, (long long)MRM_IMPORT_MAX_BYTES);
	}
	rc = mrm_import(ctx, f, path, summary, err);
	fclose(f);
	return rc;
}
