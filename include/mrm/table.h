/*
 * Streaming readers that turn CSV (RFC 4180) and JSON Lines bytes into typed
 * columns: the input side of `mrm validate`, `mrm profile` and `mrm drift`.
 *
 * The life of a reader:
 *
 *	struct mrm_table_reader *r;
 *	size_t label, score;
 *	if (mrm_table_open("data.csv", NULL, &r, err) ||
 *	    mrm_table_select(r, "label", MRM_COL_CATEGORICAL, &label, err) ||
 *	    mrm_table_select(r, "score", MRM_COL_NUMERIC, &score, err))
 *		goto out;
 *	then either everything at once:
 *		struct mrm_table *t;
 *		mrm_table_read_all(r, &t, err);  ... t->cols[score].num[i] ...
 *		mrm_table_free(t);
 *	or batch by batch, in memory bounded by the batch size:
 *		const struct mrm_table *b;
 *		while (!(rc = mrm_table_next(r, &b, err)) && b) ... b->nrows ...
 *	out:
 *	mrm_table_close(r);
 *
 * Opening reads the header (CSV) or the first object (JSON Lines), so the
 * column names are known before any row is read. Only the selected columns
 * are converted; the other fields are skipped (but rows are still checked
 * for their number of fields). Input is a path, "-" for stdin, a memory
 * buffer or a read callback; gzip is recognised by its magic bytes (1f 8b)
 * and decompressed on the fly, also on stdin.
 *
 * Errors are MRM_EINPUT with a one-line message "FILE:LINE:COLUMN: ..."
 * where LINE is the 1-based physical line (header included) where the
 * offending field starts (a quoted field may span lines), or where the row
 * starts for a wrong number of fields or an overlong line; COLUMN is the
 * 1-based field number for CSV and for value errors in JSON Lines (the
 * key's place among the columns), the 1-based character column reported
 * by the JSON parser for JSON syntax errors. When a row has several
 * problems the first ceiling crossed wins, then the number of fields, then
 * the first bad value. With `skip_bad_rows` such rows are skipped and
 * counted per reason (mrm_table_stats), never silently; a skipped row
 * leaves no category or text behind. docs/table.md lists every message.
 *
 * Nothing here prints or exits; every count and offset is 64-bit, so files
 * larger than 4 GiB and more than 2^32 lines are fine. A reader is used by
 * one thread at a time; it may run worker threads of its own (see
 * `threads`). docs/table.md is the user-level description.
 */
#ifndef MRM_TABLE_H
#define MRM_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mrm/error.h"

enum mrm_table_format {
	MRM_TABLE_AUTO = 0, /* .jsonl/.ndjson (also .gz) or a first byte '{': JSONL; else CSV */
	MRM_TABLE_CSV,
	MRM_TABLE_JSONL,
};

/* What a selected column becomes. */
enum mrm_col_type {
	/*
	 * Numbers as double (`num`), exactly the value strtod gives. Missing
	 * values (NA spellings, empty fields, JSON null or absent keys) are
	 * NaN, and the only NaNs. Leading and trailing blanks are allowed.
	 */
	MRM_COL_NUMERIC = 1,
	/*
	 * Strings interned into a dictionary (`dict`), one uint32 code per
	 * row (`codes`); MRM_TABLE_NA_CODE where missing. Codes are given in
	 * order of first appearance in the file, whatever the thread count.
	 */
	MRM_COL_CATEGORICAL,
	/*
	 * Raw text per row (`offsets`, `text`), for labels and identifiers;
	 * a missing row is the empty string with its validity bit clear.
	 */
	MRM_COL_TEXT,
	/*
	 * Numeric while every value is a number or missing; the first other
	 * value turns the column categorical, and then its numbers are
	 * spelled in their shortest round-trip form ("1.50" and "1.5" are the
	 * category "1.5"), before and after the switch alike, so the result
	 * does not depend on chunking or threads. In streaming mode early
	 * batches may be numeric and later ones categorical: check `type` in
	 * every batch.
	 */
	MRM_COL_AUTO,
};

#define MRM_TABLE_NA_CODE UINT32_MAX

/* Why a row was rejected (index into mrm_table_stats.bad). */
enum mrm_table_bad {
	MRM_TABLE_BAD_FIELDS,    /* wrong number of fields */
	MRM_TABLE_BAD_QUOTE,     /* unterminated quote, text after a closing quote */
	MRM_TABLE_BAD_NUMBER,    /* not a number in a numeric column */
	MRM_TABLE_BAD_NONFINITE, /* inf, NaN or out of range in a numeric column */
	MRM_TABLE_BAD_TOO_LONG,  /* field or line over its ceiling */
	MRM_TABLE_BAD_JSON,      /* JSONL: invalid JSON or not an object */
	MRM_TABLE_BAD_VALUE,     /* JSONL: an array, object or bool where it cannot go */
	MRM_TABLE_NREASONS
};

#define MRM_TABLE_BAD_LINES 5 /* line numbers kept per reason */

struct mrm_table_options {
	enum mrm_table_format format; /* default: MRM_TABLE_AUTO */
	/* CSV field separator; 0 detects it from the first line among , ; TAB | */
	char delimiter;
	/* CSV: the first line is data; columns are named c1, c2, ... */
	bool no_header;
	/*
	 * NULL-terminated column names (or NULL). JSONL: the keys to read
	 * (default: the keys of the first object, in order). CSV without a
	 * header: names for the fields, one per field. CSV with a header:
	 * MRM_EUSAGE.
	 */
	const char *const *columns;
	/*
	 * NULL-terminated extra spellings of a missing value, matched
	 * exactly, in addition to the defaults "", NA, N/A, NaN, nan, null,
	 * NULL and None (unless `no_default_na`).
	 */
	const char *const *na;
	bool no_default_na;
	/* Skip and count malformed rows instead of failing on the first. */
	bool skip_bad_rows;
	/* Accept inf, -inf, infinity (any case) in numeric columns. */
	bool allow_inf;
	/* Ceiling of one field as written, quotes included; 0 means 1 MiB. */
	size_t max_field_bytes;
	/* Ceiling of one row (CSV) or line (JSONL); 0 means 16 MiB. */
	size_t max_line_bytes;
	/* Input bytes per batch; 0 means 1 MiB. */
	size_t chunk_bytes;
	/*
	 * Threads that parse, the calling thread included: 0 for one per
	 * online CPU (at most 8); 1 for the calling thread alone; at most 64.
	 * A file of one chunk is always read by the calling thread alone.
	 */
	int threads;
	/* The file name in messages; default the path, "<stdin>" for "-". */
	const char *name;
};

/* A category dictionary: code i is str[i] (NUL-terminated, len[i] bytes). */
struct mrm_table_dict {
	uint32_t n;
	const char *const *str;
	const uint32_t *len;
};

struct mrm_table_column {
	const char *name;
	enum mrm_col_type type;  /* never MRM_COL_AUTO once read */
	size_t field;            /* 0-based field (CSV) or key (JSONL) index */
	uint64_t nmissing;
	/* Bit i (LSB first) set when row i is present; NULL if none missing. */
	uint8_t *valid;
	double *num;             /* NUMERIC: nrows values, NaN if missing */
	uint32_t *codes;         /* CATEGORICAL: nrows codes */
	/*
	 * CATEGORICAL: the dictionary. In streaming mode it is shared by all
	 * batches and grows (codes stay stable); read its fields afresh after
	 * each batch. The strings never move while the reader (or table) lives.
	 */
	const struct mrm_table_dict *dict;
	uint64_t *offsets;       /* TEXT: nrows + 1 offsets into text */
	char *text;              /* TEXT: row i at text + offsets[i], NUL-terminated */
};

/* A whole table (mrm_table_read_all) or one batch (mrm_table_next). */
struct mrm_table {
	uint64_t nrows;
	size_t ncols;
	struct mrm_table_column *cols; /* in the order of mrm_table_select calls */
	uint64_t first_line;           /* physical line of the first row (0 if none) */
};

struct mrm_table_stats {
	uint64_t rows;      /* rows delivered so far */
	uint64_t lines;     /* physical lines consumed, header included */
	uint64_t bytes;     /* bytes of text consumed (after gunzip) */
	uint64_t bad_rows;  /* rows skipped, all reasons */
	uint64_t bad[MRM_TABLE_NREASONS];
	/* First line numbers per reason; 0 ends the list. */
	uint64_t bad_lines[MRM_TABLE_NREASONS][MRM_TABLE_BAD_LINES];
	/* Full message of the first bad row per reason ("" if none). */
	char bad_example[MRM_TABLE_NREASONS][256];
};

struct mrm_table_reader;

/*
 * Opens `path` ("-" is stdin, left open on close), detects gzip, the
 * format and the delimiter, and reads the header. `opt` may be NULL for
 * the defaults. On success *out is a reader to close with
 * mrm_table_close. Errors: MRM_EINPUT for a file that cannot be read, an
 * empty file, a bad header or first JSON line (with FILE:LINE:COLUMN);
 * MRM_EUSAGE for contradictory options.
 */
int mrm_table_open(const char *path, const struct mrm_table_options *opt,
		   struct mrm_table_reader **out, struct mrm_error *err);

/*
 * The same over `len` bytes at `data` (not copied: they must outlive the
 * reader). `name` is the file name in messages.
 */
int mrm_table_open_mem(const char *name, const void *data, size_t len,
		       const struct mrm_table_options *opt,
		       struct mrm_table_reader **out, struct mrm_error *err);

/*
 * The same over a read callback with read(2)'s contract: it returns the
 * number of bytes stored (0 at the end) or -1 with errno set. Called from
 * the thread that calls the reader functions only.
 */
typedef ssize_t (*mrm_table_read_fn)(void *arg, void *buf, size_t len);
int mrm_table_open_fn(const char *name, mrm_table_read_fn fn, void *arg,
		      const struct mrm_table_options *opt,
		      struct mrm_table_reader **out, struct mrm_error *err);

/* Stops the worker threads and frees the reader; NULL is a no-op. */
void mrm_table_close(struct mrm_table_reader *r);

/* Number of columns in the file and the name of column `i` (0-based). */
size_t mrm_table_ncols(const struct mrm_table_reader *r);
const char *mrm_table_colname(const struct mrm_table_reader *r, size_t i);
enum mrm_table_format mrm_table_format_of(const struct mrm_table_reader *r);
/* The CSV delimiter in use (given or detected); 0 for JSONL. */
char mrm_table_delimiter(const struct mrm_table_reader *r);
/* The file name used in messages. */
const char *mrm_table_name(const struct mrm_table_reader *r);

/*
 * Index of the first column named `name`, or -1. Names are compared
 * exactly; with duplicated names the first one wins.
 */
long mrm_table_find(const struct mrm_table_reader *r, const char *name);

/*
 * Asks for column `name` as `type`; *slot (may be NULL) receives its
 * index in mrm_table.cols. A column may be selected more than once, with
 * different types. Errors: MRM_EINPUT "FILE: no column 'scroe' (columns:
 * label, score, group)"; MRM_EUSAGE after reading has started or for a
 * bad type.
 */
int mrm_table_select(struct mrm_table_reader *r, const char *name,
		     enum mrm_col_type type, size_t *slot,
		     struct mrm_error *err);

/* Selects every column, in file order, as `type`. */
int mrm_table_select_all(struct mrm_table_reader *r, enum mrm_col_type type,
			 struct mrm_error *err);

/*
 * Reads the next batch of rows: *batch points to a table owned by the
 * reader, valid until the next call or mrm_table_close, or NULL at the
 * end of the input. A batch holds the rows of about `chunk_bytes` of
 * input; its size varies. Returns MRM_EINPUT on a malformed row (unless
 * skip_bad_rows) or a read error; the reader then stays in error.
 */
int mrm_table_next(struct mrm_table_reader *r, const struct mrm_table **batch,
		   struct mrm_error *err);

/*
 * Calls `fn` for each remaining batch; stops early and returns what `fn`
 * returns if that is not 0.
 */
int mrm_table_each(struct mrm_table_reader *r,
		   int (*fn)(const struct mrm_table *batch, void *arg),
		   void *arg, struct mrm_error *err);

/*
 * Reads all remaining rows into one table that the caller owns and frees
 * with mrm_table_free (its arrays and dictionaries go with it: do not free
 * them one by one). Memory: 8 bytes per row per numeric column, 4 per
 * categorical (plus the dictionary), 8 plus the text per text column, and
 * one bit per row for columns with missing values. After batches read
 * with mrm_table_next, the table holds the rest of the rows, and its
 * dictionaries every category met so far.
 */
int mrm_table_read_all(struct mrm_table_reader *r, struct mrm_table **out,
		       struct mrm_error *err);

/* Frees a table from mrm_table_read_all; NULL is a no-op. */
void mrm_table_free(struct mrm_table *t);

/* Rows, lines, bytes and bad rows so far. */
const struct mrm_table_stats *mrm_table_stats(const struct mrm_table_reader *r);

/* A short name for a reason, e.g. "not a number". */
const char *mrm_table_reason(enum mrm_table_bad reason);

/*
 * Writes a one-line account of the skipped rows into buf, e.g. "3 bad
 * rows skipped: 2 not a number (lines 4, 9), 1 wrong number of fields
 * (line 7)", or "no bad rows". Returns the length snprintf would give.
 */
int mrm_table_bad_summary(const struct mrm_table_reader *r, char *buf,
			  size_t size);

/*
 * Parses the decimal number in [s, s + len) exactly as strtod would
 * (correctly rounded): [sign] digits [. digits] [e|E [sign] digits], with
 * at least one digit. Returns 0 and sets *out, or MRM_EINPUT for anything
 * else, including hex, inf, nan and blanks, and for values that overflow
 * to infinity. Exposed for callers that parse numbers elsewhere (flags).
 */
int mrm_parse_double(const char *s, size_t len, double *out);

static inline bool mrm_table_missing(const struct mrm_table_column *c,
				     uint64_t row)
{
	return c->valid && !((c->valid[row >> 3] >> (row & 7)) & 1);
}

/* Row `row` of a TEXT column; *len (may be NULL) gets its length. */
static inline const char *mrm_table_text(const struct mrm_table_column *c,
					 uint64_t row, size_t *len)
{
	if (len)
		*len = (size_t)(c->offsets[row + 1] - c->offsets[row] - 1);
	return c->text + c->offsets[row];
}

/* The category of row `row`, or NULL when missing. */
static inline const char *mrm_table_category(const struct mrm_table_column *c,
					     uint64_t row)
{
	uint32_t code = c->codes[row];
	return code == MRM_TABLE_NA_CODE ? NULL : c->dict->str[code];
}

#endif
