/*
 * CSV (RFC 4180): the header and delimiter at open, and the parser that
 * turns a chunk of whole rows into columns. Quoted fields may hold
 * delimiters, doubled quotes and newlines; lines end with LF or CRLF; a
 * quote inside an unquoted field is a plain character; text after a
 * closing quote is an error. The hot path reads numbers straight from the
 * buffer and checks what ends them, so a numeric field is touched once.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/internal.h"
#include "table/number.h"

#define ONES UINT64_C(0x0101010101010101)
#define HIGH UINT64_C(0x8080808080808080)

/* The first `a` or `b` at or after p; one of them must come (a sentinel). */
static inline const char *scan2(const char *p, char a, char b)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ma = ONES * (uint8_t)a, mb = ONES * (uint8_t)b;
	for (;;) {
		uint64_t x, xa, xb, m;
		memcpy(&x, p, 8);
		xa = x ^ ma;
		xb = x ^ mb;
		m = (((xa - ONES) & ~xa) | ((xb - ONES) & ~xb)) & HIGH;
		if (m)
			return p + (__builtin_ctzll(m) >> 3);
		p += 8;
	}
#else
	while (*p != a && *p != b)
		p++;
	return p;
#endif
}

/* ---- header ---------------------------------------------------------- */


/* Counts each candidate outside quotes on the first line; the most wins. */
static char detect_delimiter(const char *p, size_t n)
{
	static const char cand[] = { ',', '\t', ';', '|' };
	size_t count[4] = { 0 }, best = 0;
	bool inq = false;

	for (size_t i = 0; i < n && (inq || p[i] != '\n'); i++) {
		if (p[i] == '"')
			inq = !inq;
		else if (!inq)
			for (int k = 0; k < 4; k++)
				count[k] += p[i] == cand[k];
	}
	for (int k = 1; k < 4; k++)
		if (count[k] > count[best])
			best = (size_t)k;
	return cand[best];
}

struct hfield {
	char *s;
	size_t len;
};

static void free_fields(struct hfield *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(f[i].s);
	free(f);
}

/*
 * Splits the row at p[0, n) (n ends after its newline, or at the end of
 * the input) into unquoted fields. Returns 0 or MRM_EINPUT with the
 * message, `line` being the row's line number.
 */
static int split_row(struct mrm_table_reader *r, const char *p, size_t n,
		     uint64_t line, struct hfield **out, size_t *nout,
		     struct mrm_error *err)
{
	struct hfield *f = NULL;
	size_t nf = 0, cap = 0, i = 0;
	char *buf = malloc(n + 1);

	if (!buf)
		return mrm_error_set(err, MRM_EINPUT, "%s: out of memory", r->name);
	for (;;) {
		size_t k = 0;
		if (nf == cap) {
			cap = cap ? cap * 2 : 16;
			struct hfield *t = realloc(f, cap * sizeof(*f));
			if (!t)
				goto oom;
			f = t;
		}
		if (i < n && p[i] == '"') {
			size_t open = i++;
			uint64_t open_line = line;
			for (;;) {
				if (i >= n) {
					free(buf);
					free_fields(f, nf);
					return mrm_error_set(err, MRM_EINPUT,
							     "%s:%llu:%zu: unterminated quoted field in the first line",
							     r->name,
							     (unsigned long long)open_line,
							     nf + 1);
				}
				if (p[i] == '"') {
					if (i + 1 < n && p[i + 1] == '"') {
						buf[k++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if (p[i] == '\n')
					line++;
				buf[k++] = p[i++];
			}
			(void)open;
			if (i < n && p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
				i++;
			if (i < n && p[i] != r->delim && p[i] != '\n') {
				free(buf);
				free_fields(f, nf);
				return mrm_error_set(err, MRM_EINPUT,
						     "%s:%llu:%zu: text after the closing quote in the first line",
						     r->name, (unsigned long long)line,
						     nf + 1);
			}
		} else {
			while (i < n && p[i] != r->delim && p[i] != '\n')
				buf[k++] = p[i++];
			if (k && buf[k - 1] == '\r' && (i >= n || p[i] == '\n'))
				k--;
		}
		f[nf].s = malloc(k + 1);
		if (!f[nf].s)
			goto oom;
		memcpy(f[nf].s, buf, k);
		f[nf].s[k] = '\0';
		f[nf].len = k;
		nf++;
		if (i >= n || p[i] == '\n')
			break;
		i++; /* the delimiter */
	}
	free(buf);
	*out = f;
	*nout = nf;
	return MRM_OK;
oom:
	free(buf);
	free_fields(f, nf);
	return mrm_error_set(err, MRM_EINPUT, "%s: out of memory", r->name);
}

/* Length of the first row in the carry (quote-aware), 0 if incomplete. */
static size_t first_row(const struct mrm_table_reader *r, size_t from)
{
	bool inq = false, fs = true;

	for (size_t i = from; i < r->carry_len; i++) {
		char c = r->carry[i];
		if (inq) {
			if (c == '"') {
				if (i + 1 < r->carry_len && r->carry[i + 1] == '"')
					i++;
				else if (i + 1 >= r->carry_len && !r->eof)
					return 0; /* cannot tell yet */
				else
					inq = false;
			}
			continue;
		}
		if (c == '\n')
			return i + 1 - from;
		if (fs && c == '"')
			inq = true;
		fs = c == r->delim;
	}
	return 0;
}

int mrm__csv_header(struct mrm_table_reader *r, struct mrm_error *err)
{
	struct hfield *f = NULL;
	size_t start = 0, n = 0, nf = 0, lines = 0;
	uint64_t line;
	int rc;

	/* Blank lines before the first row. */
	for (;;) {
		while (start < r->carry_len) {
			if (r->carry[start] == '\n') {
				start++;
				lines++;
			} else if (r->carry[start] == '\r' && start + 1 < r->carry_len &&
				   r->carry[start + 1] == '\n') {
				start += 2;
				lines++;
			} else {
				break;
			}
		}
		if (start < r->carry_len && (start + 1 < r->carry_len || r->eof))
			break;
		if (r->eof)
			break;
		if ((rc = mrm__carry_fill(r, err)))
			return rc;
	}
	if (start >= r->carry_len) {
		if (r->names)
			return MRM_OK; /* named by the caller: an empty table */
		return mrm_error_set(err, MRM_EINPUT, r->no_header ?
				     "%s: empty file" : "%s: empty file (no header line)",
				     r->name);
	}
	/* The first line, for the delimiter. */
	while (!memchr(r->carry + start, '\n', r->carry_len - start) && !r->eof) {
		if (r->carry_len > r->max_line)
			return mrm_error_set(err, MRM_EINPUT,
					     "%s:%zu:1: first line longer than %zu bytes",
					     r->name, lines + 1, r->max_line);
		if ((rc = mrm__carry_fill(r, err)))
			return rc;
	}
	if (!r->delim)
		r->delim = detect_delimiter(r->carry + start, r->carry_len - start);
	/* The whole first row (a quoted field may span lines). */
	while (!(n = first_row(r, start))) {
		if (r->eof) {
			n = r->carry_len - start;
			break;
		}
		if (r->carry_len > r->max_line)
			return mrm_error_set(err, MRM_EINPUT,
					     "%s:%zu:1: first row longer than %zu bytes",
					     r->name, lines + 1, r->max_line);
		if ((rc = mrm__carry_fill(r, err)))
			return rc;
	}
	line = lines + 1;
	if ((rc = split_row(r, r->carry + start, n, line, &f, &nf, err)))
		return rc;
	if (r->no_header) {
		if (r->names && r->ncols != nf) {
			free_fields(f, nf);
			return mrm_error_set(err, MRM_EUSAGE,
					     "%s: %zu column names given for %zu fields",
					     r->name, r->ncols, nf);
		}
		if (!r->names) {
			r->names = calloc(nf, sizeof(*r->names));
			if (!r->names)
				goto oom;
			r->ncols = nf;
			for (size_t i = 0; i < nf; i++) {
				char name[32];
				snprintf(name, sizeof(name), "c%zu", i + 1);
				if (!(r->names[i] = strdup(name)))
					goto oom;
			}
		}
		free_fields(f, nf);
		return MRM_OK;
	}
	r->names = calloc(nf, sizeof(*r->names));
	if (!r->names)
		goto oom;
	r->ncols = nf;
	for (size_t i = 0; i < nf; i++) {
		if (f[i].len == 0) {
			char name[32];
			snprintf(name, sizeof(name), "c%zu", i + 1);
			free(f[i].s);
			f[i].s = strdup(name);
			if (!f[i].s)
				goto oom;
		}
		r->names[i] = f[i].s;
		f[i].s = NULL;
	}
	free_fields(f, nf);
	f = NULL;
	/* Consume the blank lines and the header row. */
	for (size_t i = start; i < start + n; i++)
		lines += r->carry[i] == '\n';
	if (start + n == r->carry_len && (n == 0 || r->carry[start + n - 1] != '\n'))
		lines++;
	r->line = lines;
	r->stats.bytes += start + n;
	memmove(r->carry, r->carry + start + n, r->carry_len - start - n);
	r->carry_len -= start + n;
	return MRM_OK;
oom:
	free_fields(f, nf);
	return mrm_error_set(err, MRM_EINPUT, "%s: out of memory", r->name);
}

/* ---- rows ------------------------------------------------------------ */

struct rowstate {
	const struct mrm_table_reader *r;
	struct mrm__job *j;
	uint64_t n;          /* the row being built */
	bool bad;            /* a value or quoting error */
	struct mrm__bad b;
	bool over;           /* a field over the ceiling */
	size_t overpos;      /* where it crossed it, from the row start */
	struct mrm__bad ob;
};

static void row_bad(struct rowstate *rs, int reason, int sub, size_t field,
		    uint64_t line, const char *s, size_t len)
{
	if (rs->bad)
		return;
	rs->bad = true;
	memset(&rs->b, 0, sizeof(rs->b));
	rs->b.reason = (uint8_t)reason;
	rs->b.sub = (uint8_t)sub;
	rs->b.field = (uint32_t)field;
	rs->b.line = line;
	mrm__bad_text(&rs->b, s, len);
}

/* Converts one value for one slot (any type, slow path). */
static void convert(struct rowstate *rs, uint32_t slot, const char *s,
		    size_t off, size_t len, bool scratch, size_t field,
		    uint64_t line)
{
	struct mrm__job *j = rs->j;
	struct mrm__lcol *c = &j->cols[slot];
	const char *v = scratch ? j->scratch + off : s;
	int reason, sub;
	double x;

	if (c->type == MRM_COL_CATEGORICAL) {
		if (rs->r->slots[slot].want == MRM_COL_AUTO)
			mrm__auto_cat_value(rs->r, j, slot, v, len, true);
		else
			mrm__cat_value(rs->r, j, slot, v, len, true);
		return;
	}
	if (c->type == MRM_COL_TEXT) {
		mrm__text_value(rs->r, j, slot, v, len, false);
		return;
	}
	switch (mrm__num_text(rs->r, v, len, &x, &reason, &sub)) {
	case 0:
		c->num[rs->n] = x;
		break;
	case 1:
		c->num[rs->n] = NAN;
		mrm__set_missing(j, slot);
		break;
	default:
		if (rs->r->slots[slot].want == MRM_COL_AUTO) {
			/* Turns categorical when the row commits. */
			mrm__add_pend(j, slot, s, off, len, scratch, true);
			c->num[rs->n] = NAN;
		} else {
			row_bad(rs, reason, sub, field, line, v, len);
		}
		break;
	}
}

static void convert_all(struct rowstate *rs, size_t f, const char *s, size_t off,
			size_t len, bool scratch, uint64_t line)
{
	for (int slot = rs->r->field_slot[f]; slot >= 0;
	     slot = rs->r->slots[slot].next)
		convert(rs, (uint32_t)slot, s, off, len, scratch, f, line);
}

void mrm__csv_parse(const struct mrm_table_reader *r, struct mrm__job *j)
{
	const char delim = r->delim;
	const size_t ncols = r->ncols, max_field = r->max_field;
	const uint8_t *kind = r->field_kind;
	const int *fslot = r->field_slot;
	const char *p = j->buf, *const end = j->buf + j->len;
	uint64_t line = 0;
	bool first = true;
	struct rowstate rs = { .r = r, .j = j };

	mrm__job_start(r, j);
	if (j->err)
		return;
	while (p < end) {
		const char *const rowp = p;
		uint64_t row_line = line;
		size_t f;

		if (*p == '\n' || (*p == '\r' && p[1] == '\n')) { /* blank line */
			p += *p == '\r' ? 2 : 1;
			line++;
			continue;
		}
		if (j->nrows == j->rowcap && mrm__job_grow(r, j))
			return;
		rs.n = j->nrows;
		rs.bad = false;
		rs.over = false;
		for (f = 0;; f++) {
			const int k = f < ncols ? kind[f] : MRM__K_SKIP;
			const uint64_t fline = line; /* errors name the field's first line */
			const char *fs = p, *fe, *vs = p;
			size_t len, off = 0;
			bool scratch = false;
			char t;

			if (*p != '"') {
				if (k == MRM__K_NUM ||
				    (k == MRM__K_AUTO &&
				     j->cols[fslot[f]].type == MRM_COL_NUMERIC)) {
					/* The hot path: a number ended by the delimiter
					 * or the end of the line. */
					double v;
					const char *q = mrm__num_parse_padded(p, end, &v);
					if (q) {
						t = *q;
						if (t == '\r' && q[1] == '\n') {
							t = '\n';
							q++;
						}
						if ((t == delim || t == '\n') && !r->na_numeric &&
						    (size_t)(q - p) <= max_field) {
							j->cols[fslot[f]].num[rs.n] = v;
							p = q + 1;
							if (t == '\n')
								break;
							continue;
						}
					}
				}
				fe = scan2(p, delim, '\n');
				t = *fe;
				p = fe + 1;
				if (t == '\n' && fe > fs && fe[-1] == '\r')
					fe--;
				len = (size_t)(fe - vs);
			} else {
				const char *q = p + 1;
				bool esc = false;
				for (;;) {
					q = scan2(q, '"', '\n');
					if (*q == '\n') {
						if (q + 1 >= end) {
							mrm__job_fail(j, "internal error: a chunk ends inside quotes");
							return;
						}
						line++;
						q++;
						continue;
					}
					if (q[1] == '"') {
						esc = true;
						q += 2;
						continue;
					}
					break;
				}
				vs = p + 1;
				len = (size_t)(q - vs);
				if (esc && k != MRM__K_SKIP) {
					char *d = mrm__scratch(j, len);
					size_t m = 0;
					if (!d)
						return;
					for (const char *s = vs; s < q; s++) {
						d[m++] = *s;
						if (*s == '"')
							s++;
					}
					off = j->slen;
					j->slen += m;
					len = m;
					scratch = true;
				}
				fe = q + 1;
				if (*fe == delim || *fe == '\n') {
					t = *fe;
					p = fe + 1;
				} else if (*fe == '\r' && fe[1] == '\n') {
					t = '\n';
					p = fe + 2;
				} else {
					const char *g = scan2(fe, delim, '\n');
					t = *g;
					p = g + 1;
					if (t == '\n' && g > fe && g[-1] == '\r')
						g--;
					row_bad(&rs, MRM_TABLE_BAD_QUOTE, MRM__SUB_AFTER_QUOTE,
						f, fline, fe, (size_t)(g - fe));
					fe = g;
				}
			}
			if ((size_t)(fe - fs) > max_field) {
				if (!rs.over) {
					bool had = rs.bad;
					struct mrm__bad keep = rs.b;
					rs.bad = false;
					row_bad(&rs, MRM_TABLE_BAD_TOO_LONG, MRM__SUB_FIELD, f,
						fline, fs, max_field);
					rs.ob = rs.b;
					rs.b = keep;
					rs.bad = had;
					rs.over = true;
					rs.overpos = (size_t)(fs - rowp) + max_field;
				}
			} else if (rs.over) {
				/* the row is lost: no need to convert */
			} else if (k == MRM__K_CAT && !rs.bad) {
				if (mrm__cat_value(r, j, (uint32_t)fslot[f],
						   scratch ? j->scratch + off : vs, len, true))
					return;
			} else if (k != MRM__K_SKIP && !rs.bad) {
				convert_all(&rs, f, vs, off, len, scratch, fline);
				if (j->err)
					return;
			}
			if (t == '\n')
				break;
		}
		/* Ceilings first (the one crossed first), then the number of
		 * fields, then values: as the framer sees rows it cannot hold. */
		if ((size_t)(p - rowp) - 1 > r->max_line &&
		    (!rs.over || r->max_line <= rs.overpos)) {
			rs.bad = false;
			row_bad(&rs, MRM_TABLE_BAD_TOO_LONG, MRM__SUB_LINE, 0, row_line,
				NULL, 0);
		} else if (rs.over) {
			rs.b = rs.ob;
			rs.bad = true;
		} else if (f + 1 != ncols) {
			rs.bad = false;
			row_bad(&rs, MRM_TABLE_BAD_FIELDS, MRM__SUB_NONE,
				f + 1 < ncols ? f + 1 : ncols, row_line, NULL, 0);
			rs.b.expected = (uint32_t)ncols;
			rs.b.found = (uint32_t)(f + 1);
		}
		if (rs.bad) {
			if (mrm__job_bad(r, j, &rs.b)) {
				j->nlines = line + 1;
				return;
			}
		} else {
			if (first) {
				j->first_row_line = row_line;
				first = false;
			}
			if (mrm__row_done(r, j))
				return;
		}
		line++;
	}
	j->nlines = line;
}
