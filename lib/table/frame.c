/*
 * Cutting the input into chunks that end at a row boundary, so that
 * chunks can be parsed independently: the only place that follows quotes
 * across chunk edges, and the place that deals with rows it cannot hold.
 *
 * The rules for rows over a ceiling or with a quote that never closes are
 * chosen so that the outcome never depends on how the input was buffered
 * (chunk size, pipe reads, threads), and memory stays bounded:
 *  - reported is the first ceiling the row crosses, by byte position (a
 *    field longer than max_field as written, quotes included, or the line
 *    longer than max_line); else an unterminated quote; the parser checks
 *    whole rows by the same rule;
 *  - a quote that stays open for more than max_field bytes, or up to the
 *    end of the input, is a stray: reading resumes after the first newline
 *    following it; any other bad row is skipped up to its end.
 * Every quoted byte goes through scan_quoted(), so the parser never sees
 * an open quote longer than max_field.
 */
#include <stdlib.h>
#include <string.h>

#include "table/internal.h"

enum { FS, UQ, Q, QQ }; /* field start, unquoted, quoted, quote in quoted */

#define NONE SIZE_MAX

static int reserve(struct mrm__job *j, size_t need, const char *name,
		   struct mrm_error *err)
{
	size_t cap;
	char *b;

	/* One more byte for the newline given to a last line without one. */
	need += MRM__PAD + 1;
	if (j->cap >= need)
		return MRM_OK;
	cap = j->cap ? j->cap : 65536;
	while (cap < need)
		cap *= 2;
	b = realloc(j->buf, cap);
	if (!b)
		return mrm_error_set(err, MRM_EINPUT, "%s: out of memory", name);
	j->buf = b;
	j->cap = cap;
	return MRM_OK;
}

static int set_carry(struct mrm_table_reader *r, const char *p, size_t n,
		     struct mrm_error *err)
{
	if (r->carry_cap < n) {
		size_t cap = r->carry_cap ? r->carry_cap : 4096;
		while (cap < n)
			cap *= 2;
		char *c = realloc(r->carry, cap);
		if (!c)
			return mrm_error_set(err, MRM_EINPUT, "%s: out of memory",
					     r->name);
		r->carry = c;
		r->carry_cap = cap;
	}
	memmove(r->carry, p, n);
	r->carry_len = n;
	return MRM_OK;
}

static uint64_t count_nl(const char *p, size_t n)
{
	const char *e = p + n;
	uint64_t c = 0;

	while (p < e && (p = memchr(p, '\n', (size_t)(e - p)))) {
		c++;
		p++;
	}
	return c;
}

static const char *last_nl(const char *p, size_t n)
{
	while (n--)
		if (p[n] == '\n')
			return p + n;
	return NULL;
}

/* Reads more input after b[len); returns the new length. */
static int more(struct mrm_table_reader *r, struct mrm__job *j, size_t *len,
		size_t room, struct mrm_error *err)
{
	size_t got;
	int rc;

	if ((rc = reserve(j, *len + room, r->name, err)) ||
	    (rc = mrm__src_read(&r->src, j->buf + *len, room, &got, err)))
		return rc;
	r->eof = got == 0;
	*len += got;
	return MRM_OK;
}

struct scan {
	int st;
	size_t qopen;    /* the open quote */
	size_t last_end; /* the end of the last whole row, 0 if none */
	size_t cross;    /* where an open quote crossed max_field, NONE if not */
};

/* Follows quotes over b[from, to), stopping where a quote stays open too long. */
static void scan_quoted(const struct mrm_table_reader *r, const char *b,
			size_t from, size_t to, struct scan *s)
{
	const char delim = r->delim;
	const size_t maxf = r->max_field;
	int st = s->st;

	for (size_t i = from; i < to; i++) {
		char c = b[i];
		switch (st) {
		case FS:
			if (c == '"') {
				st = Q;
				s->qopen = i;
			} else if (c == '\n') {
				s->last_end = i + 1;
			} else if (c != delim) {
				st = UQ;
			}
			break;
		case UQ:
			if (c == delim) {
				st = FS;
			} else if (c == '\n') {
				st = FS;
				s->last_end = i + 1;
			}
			break;
		case Q: {
			size_t lim = s->qopen + maxf; /* first byte too many */
			size_t end = lim < to ? lim : to;
			const char *q = i < end ? memchr(b + i, '"', end - i) : NULL;
			if (q) {
				i = (size_t)(q - b);
				st = QQ;
			} else if (lim < to) {
				s->cross = lim;
				s->st = st;
				return;
			} else {
				i = to - 1;
			}
			break;
		}
		case QQ:
			if (c == '"') {
				if (i - s->qopen >= maxf) {
					s->cross = i;
					s->st = st;
					return;
				}
				st = Q;
			} else if (c == delim) {
				st = FS;
			} else if (c == '\n') {
				st = FS;
				s->last_end = i + 1;
			} else {
				st = UQ;
			}
			break;
		}
	}
	s->st = st;
}

struct crossing {
	size_t at;      /* the first byte over a ceiling */
	int sub;        /* MRM__SUB_FIELD or MRM__SUB_LINE */
	uint32_t field;
	size_t fstart;
	int st;         /* the state at `at` */
	size_t qopen;
};

/*
 * The first ceiling crossed by the row starting at b[0], within b[0, to)
 * (which holds no row end); false if none.
 */
static bool first_crossing(const struct mrm_table_reader *r, const char *b,
			   size_t to, struct crossing *x)
{
	const bool csv = r->format == MRM_TABLE_CSV;
	const char delim = r->delim;
	size_t fstart = 0, qopen = 0;
	uint32_t field = 0;
	int st = FS;

	for (size_t i = 0; i < to; i++) {
		char c = b[i];
		bool ends = csv && c == delim && st != Q; /* not part of the field */

		if (i >= r->max_line || (csv && !ends && i - fstart >= r->max_field)) {
			x->at = i;
			x->sub = i >= r->max_line ? MRM__SUB_LINE : MRM__SUB_FIELD;
			x->field = field;
			x->fstart = fstart;
			x->st = st;
			x->qopen = qopen;
			return true;
		}
		if (!csv)
			continue;
		if (ends) {
			st = FS;
			field++;
			fstart = i + 1;
			continue;
		}
		switch (st) {
		case FS:
			if (c == '"') {
				st = Q;
				qopen = i;
			} else {
				st = UQ;
			}
			break;
		case Q:
			if (c == '"')
				st = QQ;
			break;
		case QQ:
			st = c == '"' ? Q : UQ;
			break;
		}
	}
	return false;
}

/* The 0-based field at offset `at` of the row starting at b[0]. */
static uint32_t field_at(const char *b, size_t at, char delim)
{
	uint32_t f = 0;
	int st = FS;

	for (size_t i = 0; i < at; i++) {
		char c = b[i];
		switch (st) {
		case FS:
			st = c == '"' ? Q : UQ;
			/* fall through */
		case UQ:
			if (c == delim && st == UQ) {
				f++;
				st = FS;
			}
			break;
		case Q:
			if (c == '"')
				st = QQ;
			break;
		case QQ:
			if (c == '"') {
				st = Q;
			} else if (c == delim) {
				f++;
				st = FS;
			} else {
				st = UQ;
			}
			break;
		}
	}
	return f;
}

static void crossing_bad(const struct mrm__job *j, const struct crossing *x,
			 struct mrm__bad *b)
{
	memset(b, 0, sizeof(*b));
	b->reason = MRM_TABLE_BAD_TOO_LONG;
	b->sub = (uint8_t)x->sub;
	if (x->sub == MRM__SUB_FIELD) {
		b->field = x->field;
		b->line = count_nl(j->buf, x->fstart);
	}
}

/*
 * Emits the bad row at the start of the buffer as a job of its own; the
 * job accounts for b[0, consumed), the carry keeps b[consumed, len).
 */
static int emit_bad(struct mrm_table_reader *r, struct mrm__job *j, size_t len,
		    const struct mrm__bad *b, size_t consumed, struct mrm_error *err)
{
	j->kind = MRM__JOB_BAD;
	j->len = 0;
	j->nrows = 0;
	j->nlines = count_nl(j->buf, consumed);
	if (consumed)
		r->lastc = j->buf[consumed - 1];
	j->bytes += consumed;
	memset(j->nbad, 0, sizeof(j->nbad));
	j->nbad[b->reason] = 1;
	j->bad[b->reason][0] = *b;
	j->first = *b;
	j->has_first = true;
	if (!r->skip_bad)
		r->frame_done = true;
	return set_carry(r, j->buf + consumed, len - consumed, err);
}

/* A stray quote: resume after the first newline following it. */
static int emit_stray(struct mrm_table_reader *r, struct mrm__job *j, size_t len,
		      const struct mrm__bad *b, size_t qopen, struct mrm_error *err)
{
	const char *nl = memchr(j->buf + qopen, '\n', len - qopen);

	if (!nl && !r->eof)
		r->skip_line = true;
	return emit_bad(r, j, len, b, nl ? (size_t)(nl - j->buf) + 1 : len, err);
}

/*
 * Discards input after a bad row (r->skip_line: up to a newline;
 * r->skip_row: up to the row's end, following quotes, unless a quote
 * turns out to be a stray), counting what it drops into r->pending_*.
 * Leaves what follows in b[0, *len). Memory stays bounded: inside a quote
 * it keeps at most the bytes after its first newline (under max_field).
 */
static int discard(struct mrm_table_reader *r, struct mrm__job *j, size_t *lenp,
		   struct mrm_error *err)
{
	enum { MORE, ROW_END, STRAY };
	const char delim = r->delim;
	size_t len = *lenp, pos = 0, nl = NONE, qlen = 0;
	int st = r->sk_st, rc;

	while (r->skip_line || r->skip_row) {
		size_t drop = len;

		if (r->skip_line) {
			const char *p = memchr(j->buf, '\n', len);
			if (p) {
				drop = (size_t)(p - j->buf) + 1;
				r->skip_line = false;
			}
		} else {
			int res = MORE;
			size_t i;
			for (i = pos; i < len && res == MORE; i++) {
				char c = j->buf[i];
				switch (st) {
				case FS:
					if (c == '"') {
						st = Q;
						qlen = 1;
						nl = NONE;
					} else if (c == '\n') {
						res = ROW_END;
					} else if (c != delim) {
						st = UQ;
					}
					break;
				case UQ:
					if (c == delim)
						st = FS;
					else if (c == '\n')
						res = ROW_END;
					break;
				case Q:
					if (++qlen > r->max_field)
						res = STRAY;
					else if (c == '"')
						st = QQ;
					else if (c == '\n' && nl == NONE)
						nl = i;
					break;
				case QQ:
					if (c == '"') {
						st = Q;
						if (++qlen > r->max_field)
							res = STRAY;
					} else if (c == delim) {
						st = FS;
					} else if (c == '\n') {
						res = ROW_END;
					} else {
						st = UQ;
					}
					break;
				}
			}
			/* i is past the deciding byte, if any. */
			if (res == ROW_END) {
				drop = i;
				r->skip_row = false;
			} else if (res == STRAY || (r->eof && st == Q)) {
				/* Resume after the first newline following the quote. */
				r->skip_row = false;
				if (nl != NONE) {
					drop = nl + 1;
				} else if (res == STRAY) {
					/* Its first newline is further on. */
					drop = i - 1;
					r->skip_line = true;
				}
			} else if (r->eof) {
				r->skip_row = false;
			} else if ((st == Q || st == QQ) && nl != NONE) {
				drop = nl; /* may still be needed */
			}
			pos = i - drop;
			if (nl != NONE)
				nl = nl >= drop ? nl - drop : NONE;
		}
		r->pending_lines += count_nl(j->buf, drop);
		r->pending_bytes += drop;
		if (drop)
			r->lastc = j->buf[drop - 1];
		memmove(j->buf, j->buf + drop, len - drop);
		len -= drop;
		if (!r->skip_line && !r->skip_row)
			break;
		if (r->skip_line ? len > 0 : pos < len)
			continue; /* more to look at in the buffer */
		if (r->eof) {
			r->skip_line = r->skip_row = false;
			break;
		}
		if ((rc = more(r, j, &len, r->chunk, err)))
			return rc;
	}
	*lenp = len;
	return MRM_OK;
}

/* A row that crossed a ceiling before its end could be buffered. */
static int emit_overflow(struct mrm_table_reader *r, struct mrm__job *j,
			 size_t len, const struct crossing *x, struct mrm_error *err)
{
	struct mrm__bad b;
	size_t from;

	crossing_bad(j, x, &b);
	if (r->format != MRM_TABLE_CSV) {
		r->skip_line = true;
		return emit_bad(r, j, len, &b, x->at, err);
	}
	/* Skip the rest of the row, from the open quote if inside one. */
	from = x->st == Q || x->st == QQ ? x->qopen : x->at;
	r->skip_row = true;
	r->sk_st = from == x->at ? x->st : FS;
	return emit_bad(r, j, len, &b, from, err);
}

int mrm__frame(struct mrm_table_reader *r, struct mrm__job *j,
	       struct mrm_error *err)
{
	const bool quotes = r->format == MRM_TABLE_CSV;
	const char delim = r->delim;
	struct scan s = { .st = FS, .cross = NONE };
	struct crossing x;
	struct mrm__bad b;
	size_t len, scan = 0;
	int rc;

	j->kind = MRM__JOB_ROWS;
	j->len = 0;
	j->nrows = 0;
	j->nlines = 0;
	j->pre_lines = 0;
	j->has_first = false;
	j->bytes = 0;
	if (r->frame_done)
		return MRM__FRAME_EOF;
	if ((rc = reserve(j, r->carry_len + r->chunk, r->name, err)))
		return rc;
	memcpy(j->buf, r->carry, r->carry_len);
	len = r->carry_len;
	r->carry_len = 0;

	if ((r->skip_line || r->skip_row) && (rc = discard(r, j, &len, err)))
		return rc;
	j->pre_lines = r->pending_lines;
	j->bytes = r->pending_bytes;
	r->pending_lines = 0;
	r->pending_bytes = 0;

	/* Rows within the first chunk_bytes (more only if no row ends there). */
	for (size_t target = r->chunk, win;; target += r->chunk) {
		if (len < target && !r->eof &&
		    (rc = more(r, j, &len, target - len, err)))
			return rc;
		win = len < target ? len : target;
		if (scan < win) {
			if (!quotes ||
			    (s.st != Q && !memchr(j->buf + scan, '"', win - scan))) {
				/* No quote: every newline ends a row. */
				const char *nl = last_nl(j->buf + scan, win - scan);
				char c = j->buf[win - 1];
				if (nl)
					s.last_end = (size_t)(nl - j->buf) + 1;
				s.st = c == delim || c == '\n' ? FS : UQ;
			} else {
				scan_quoted(r, j->buf, scan, win, &s);
			}
			scan = s.cross != NONE ? s.cross : win;
		}
		if (s.last_end)
			break; /* whole rows first; the rest is seen again */
		if (s.cross != NONE) {
			/* A quote open for more than max_field bytes. */
			first_crossing(r, j->buf, s.cross + 1, &x);
			crossing_bad(j, &x, &b);
			return emit_stray(r, j, len, &b, s.qopen, err);
		}
		if (r->eof && win == len) {
			if (len == 0) {
				/* Nothing more: what was dropped is the reader's. */
				r->pending_lines += j->pre_lines;
				r->pending_bytes += j->bytes;
				r->frame_done = true;
				return MRM__FRAME_EOF;
			}
			if (s.st == Q) {
				if (first_crossing(r, j->buf, len, &x)) {
					crossing_bad(j, &x, &b);
				} else {
					memset(&b, 0, sizeof(b));
					b.reason = MRM_TABLE_BAD_QUOTE;
					b.sub = MRM__SUB_UNTERMINATED;
					b.line = count_nl(j->buf, s.qopen);
					b.field = field_at(j->buf, s.qopen, delim);
				}
				return emit_stray(r, j, len, &b, s.qopen, err);
			}
			/* The last line has no newline: give it one. */
			j->buf[len] = '\n';
			j->bytes--;
			s.last_end = ++len;
			break;
		}
		if (win > (quotes ? r->max_field : r->max_line) &&
		    first_crossing(r, j->buf, win, &x))
			return emit_overflow(r, j, len, &x, err);
	}
	j->len = s.last_end;
	j->bytes += s.last_end;
	r->lastc = '\n';
	if ((rc = set_carry(r, j->buf + s.last_end, len - s.last_end, err)))
		return rc;
	memset(j->buf + s.last_end, 0, MRM__PAD);
	return MRM_OK;
}
