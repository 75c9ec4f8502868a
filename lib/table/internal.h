/*
 * Internals of the table readers, shared by reader.c (the pipeline and the
 * public API), frame.c (cutting the input into chunks of whole rows),
 * csv.c and jsonl.c (parsing a chunk into columns) and rows.c (the column
 * buffers a chunk is parsed into).
 *
 * The pipeline: the calling thread reads the input and cuts it into
 * chunks that end at a row boundary (the "framer", which alone follows
 * quotes across chunk edges); worker threads parse chunks into job-local
 * columns with job-local dictionaries; the calling thread merges the jobs
 * back in file order (global dictionary codes, line numbers, bad-row
 * counts) into a batch or into the whole table. Chunks of a file without
 * quotes are cut at their last newline after a single memchr for '"'.
 */
#ifndef MRM_TABLE_INTERNAL_H
#define MRM_TABLE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "mrm/table.h"
#include "table/dict.h"
#include "table/source.h"

/* Readable zero bytes after every chunk, for 8-byte loads past a field. */
#define MRM__PAD 64

/* How a field is read (per field of the file). */
enum {
	MRM__K_SKIP,
	MRM__K_NUM,
	MRM__K_CAT,
	MRM__K_TEXT,
	MRM__K_AUTO,
	MRM__K_MULTI, /* selected more than once: see the slot chain */
};

/* Sub-kinds of a bad row, for the message. */
enum {
	MRM__SUB_NONE,
	MRM__SUB_UNTERMINATED, /* QUOTE */
	MRM__SUB_AFTER_QUOTE,  /* QUOTE */
	MRM__SUB_INF,          /* NONFINITE */
	MRM__SUB_NAN,          /* NONFINITE */
	MRM__SUB_RANGE,        /* NONFINITE */
	MRM__SUB_FIELD,        /* TOO_LONG */
	MRM__SUB_LINE,         /* TOO_LONG */
	MRM__SUB_NOT_OBJECT,   /* JSON */
	MRM__SUB_ARRAY,        /* VALUE */
	MRM__SUB_OBJECT,       /* VALUE */
	MRM__SUB_BOOL,         /* VALUE */
};

#define MRM__EXCERPT 64

/* One bad row, positions relative to its chunk until merged. */
struct mrm__bad {
	uint8_t reason, sub;
	bool truncated;      /* text was cut */
	uint8_t textlen;
	uint32_t field;      /* 0-based field; JSON syntax: character column - 1 */
	uint32_t expected, found;
	uint64_t line;       /* 0-based line in the chunk */
	char text[MRM__EXCERPT]; /* the value (raw bytes), or the JSON error */
};

/* A selected column. */
struct mrm__slot {
	size_t field;
	int want;            /* enum mrm_col_type as selected */
	int next;            /* next slot of the same field, or -1 */
	/* Consumer side, for the whole file. */
	int cur;             /* what AUTO has become: NUMERIC or CATEGORICAL */
	atomic_int auto_cat; /* tells workers an AUTO column is categorical */
	struct mrm__dict dict;
	/* The whole table (mrm_table_read_all). */
	double *num;
	uint32_t *codes;
	uint64_t *off;
	char *text;
	size_t tlen, tcap;
	uint8_t *valid;
	uint64_t cap, nmissing;
};

/* A selected column within one chunk. */
struct mrm__lcol {
	int type;            /* NUMERIC, CATEGORICAL or TEXT */
	double *num;
	uint32_t *codes;     /* job-local codes, then global ones */
	uint64_t *off;       /* rowcap + 1 */
	char *text;
	size_t tlen, tcap;
	uint8_t *miss;       /* bit set = missing; NULL until the first */
	uint64_t nmissing;
	struct mrm__dict dict;
	uint32_t *map;       /* local to global codes, at merge */
	size_t mapcap;
	uint8_t *valid;      /* batch view */
	size_t validcap;
	char numbuf[32];
};

/* An AUTO column's first non-number, waiting for its row to be complete. */
struct mrm__pend {
	uint32_t slot;
	bool scratch;        /* off is an offset into the job's scratch */
	bool padded;         /* 8 bytes readable at s */
	const char *s;
	size_t off, len;
};

enum { MRM__JOB_FREE, MRM__JOB_READY, MRM__JOB_BUSY, MRM__JOB_DONE };
enum { MRM__JOB_ROWS, MRM__JOB_BAD, MRM__JOB_ERR };

struct mrm__job {
	int state, kind;
	uint64_t seq;
	char *buf;           /* rows in [0, len), '\n' at len - 1, padding after */
	size_t cap, len;
	uint64_t bytes;      /* input bytes accounted to this job */
	uint64_t pre_lines;  /* lines discarded before the chunk */
	uint64_t nlines;     /* newlines in the chunk */
	uint64_t nrows, rowcap;
	uint64_t first_row_line;
	struct mrm__lcol *cols;
	uint64_t nbad[MRM_TABLE_NREASONS];
	struct mrm__bad bad[MRM_TABLE_NREASONS][MRM_TABLE_BAD_LINES];
	bool has_first;
	struct mrm__bad first; /* the first bad row of the chunk */
	int err;             /* JOB_ERR or a failure while parsing */
	char errmsg[256];
	char *scratch;
	size_t scap, slen;
	struct mrm__pend *pend;
	size_t npend;
	uint32_t *missing;   /* slots missing in the current row */
	size_t nmissing_row;
	uint32_t *undo;      /* slots whose dictionary grew in the current row */
	size_t nundo;
	struct mrm_table batch;
	struct mrm_table_column *bcols;
};

struct mrm_table_reader {
	char *name;
	struct mrm__src src;
	enum mrm_table_format format;
	char delim;
	bool no_header, skip_bad, allow_inf;
	size_t max_field, max_line, chunk;
	int threads;
	/* Missing-value spellings. */
	char **na;
	uint32_t *nalen;
	size_t nna;
	uint32_t na_maxlen;
	bool na_numeric;     /* some spelling reads as a number */
	/* Columns of the file. */
	size_t ncols;
	char **names;
	/* Selection. */
	struct mrm__slot *slots;
	size_t nslots;
	int *field_slot;     /* first slot per field, or -1 */
	uint8_t *field_kind; /* MRM__K_* per field */
	bool started;
	/* Framer. */
	char *carry;
	size_t carry_len, carry_cap;
	bool eof;            /* the source is exhausted */
	bool frame_done;     /* no more jobs */
	bool skip_line;      /* discard input up to the next newline */
	bool skip_row;       /* discard input up to the end of the row */
	int sk_st;           /* the quoting state where skip_row starts */
	char lastc;          /* the last byte framed or dropped ('\n' if none) */
	uint64_t pending_bytes, pending_lines; /* discarded, for the next job */
	/* Pipeline. */
	struct mrm__job *jobs;
	int njobs;
	uint64_t seq_framed, seq_parse, seq_consumed;
	bool held;           /* jobs[seq_consumed] is out as a batch */
	pthread_t *th;
	int nth;
	bool threads_started, stop;
	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_done;
	/* Consumer. */
	uint64_t line;       /* physical lines consumed */
	uint64_t acc_rows;   /* rows on the whole table being read */
	uint64_t src_size;   /* bytes of text, if known (plain files, memory) */
	uint64_t rows_hint;  /* expected rows, from the first chunk */
	struct mrm_table_stats stats;
	int failed;
	struct mrm_error ferr;
};

/* frame.c */
int mrm__frame(struct mrm_table_reader *r, struct mrm__job *j,
	       struct mrm_error *err);
#define MRM__FRAME_EOF (-1)

/* csv.c */
/*
 * Reads once more from the source into r->carry (growing it as needed);
 * sets r->eof at the end. A no-op after the end.
 */
int mrm__carry_fill(struct mrm_table_reader *r, struct mrm_error *err);

int mrm__csv_header(struct mrm_table_reader *r, struct mrm_error *err);
void mrm__csv_parse(const struct mrm_table_reader *r, struct mrm__job *j);

/* jsonl.c */
int mrm__jsonl_header(struct mrm_table_reader *r, struct mrm_error *err);
void mrm__jsonl_parse(const struct mrm_table_reader *r, struct mrm__job *j);

/* rows.c: building a chunk's columns. */
void mrm__job_start(const struct mrm_table_reader *r, struct mrm__job *j);
int mrm__job_grow(const struct mrm_table_reader *r, struct mrm__job *j);
bool mrm__is_na(const struct mrm_table_reader *r, const char *s, size_t len);
/* Reads a numeric value: 0 (a number in *v), 1 (missing) or 2 (bad, see
 * *reason and *sub). */
int mrm__num_text(const struct mrm_table_reader *r, const char *s, size_t len,
		  double *v, int *reason, int *sub);
int mrm__to_categorical(const struct mrm_table_reader *r, struct mrm__job *j,
			uint32_t slot);
/* Values of the row being built (row j->nrows). */
int mrm__cat_value(const struct mrm_table_reader *r, struct mrm__job *j,
		   uint32_t slot, const char *s, size_t len, bool padded);
int mrm__text_value(const struct mrm_table_reader *r, struct mrm__job *j,
		    uint32_t slot, const char *s, size_t len, bool missing);
/* An AUTO column turned categorical: numbers in shortest round-trip form. */
int mrm__auto_cat_value(const struct mrm_table_reader *r, struct mrm__job *j,
			uint32_t slot, const char *s, size_t len, bool padded);
void mrm__cat_missing(struct mrm__job *j, uint32_t slot);
void mrm__add_pend(struct mrm__job *j, uint32_t slot, const char *s, size_t off,
		   size_t len, bool scratch, bool padded);
int mrm__commit_row(const struct mrm_table_reader *r, struct mrm__job *j);

static inline void mrm__set_missing(struct mrm__job *j, uint32_t slot)
{
	j->missing[j->nmissing_row++] = slot;
}

/* Ends a good row. */
static inline int mrm__row_done(const struct mrm_table_reader *r,
				struct mrm__job *j)
{
	if (j->npend || j->nmissing_row)
		return mrm__commit_row(r, j);
	j->nundo = 0;
	j->slen = 0;
	j->nrows++;
	return 0;
}
/* Records a bad row; returns true when parsing must stop (no skipping). */
bool mrm__job_bad(const struct mrm_table_reader *r, struct mrm__job *j,
		  const struct mrm__bad *b);
void mrm__bad_text(struct mrm__bad *b, const char *s, size_t len);
void mrm__job_fail(struct mrm__job *j, const char *msg);
char *mrm__scratch(struct mrm__job *j, size_t len);

#endif
