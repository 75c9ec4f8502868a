/*
 * The columns a chunk is parsed into: growth without per-row allocation,
 * missing values, categorical and text values committed once their row is
 * known to be good, and bad-row records.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/internal.h"
#include "table/number.h"

static size_t bitbytes(uint64_t n)
{
	return (size_t)((n + 7) / 8);
}

void mrm__job_fail(struct mrm__job *j, const char *msg)
{
	if (!j->err) {
		j->err = MRM_EINPUT;
		snprintf(j->errmsg, sizeof(j->errmsg), "%s", msg);
	}
}

/* (Re)allocates the arrays column `c` needs for its type at `cap` rows. */
static int col_arrays(struct mrm__lcol *c, uint64_t oldcap, uint64_t cap)
{
	if (c->type == MRM_COL_NUMERIC || c->num) {
		double *p = realloc(c->num, (size_t)cap * sizeof(*p));
		if (!p)
			return -1;
		c->num = p;
	}
	if (c->type == MRM_COL_CATEGORICAL || c->codes) {
		uint32_t *p = realloc(c->codes, (size_t)cap * sizeof(*p));
		if (!p)
			return -1;
		c->codes = p;
	}
	if (c->type == MRM_COL_TEXT || c->off) {
		uint64_t *p = realloc(c->off, (size_t)(cap + 1) * sizeof(*p));
		if (!p)
			return -1;
		if (!c->off)
			p[0] = 0;
		c->off = p;
	}
	if (c->miss) {
		uint8_t *p = realloc(c->miss, bitbytes(cap));
		if (!p)
			return -1;
		memset(p + bitbytes(oldcap), 0, bitbytes(cap) - bitbytes(oldcap));
		c->miss = p;
	}
	return 0;
}

void mrm__job_start(const struct mrm_table_reader *r, struct mrm__job *j)
{
	uint64_t want = j->len / 12 + 64;

	j->nrows = 0;
	j->nlines = 0;
	j->first_row_line = 0;
	memset(j->nbad, 0, sizeof(j->nbad));
	j->has_first = false;
	j->npend = 0;
	j->nmissing_row = 0;
	j->nundo = 0;
	j->slen = 0;
	if (j->rowcap < want) {
		j->rowcap = want;
		/*
		 * No row is kept across jobs: new arrays rather than realloc, which on the heap
		 * copies (and so touches) the whole old capacity.
		 */
		for (size_t s = 0; s < r->nslots; s++) {
			struct mrm__lcol *c = &j->cols[s];

			free(c->num);
			free(c->codes);
			free(c->off);
			free(c->miss);
			c->num = NULL;
			c->codes = NULL;
			c->off = NULL;
			c->miss = NULL;
		}
	}
	for (size_t s = 0; s < r->nslots; s++) {
		struct mrm__lcol *c = &j->cols[s];
		const struct mrm__slot *sl = &r->slots[s];

		if (sl->want == MRM_COL_AUTO)
			c->type = atomic_load_explicit(&((struct mrm__slot *)sl)->auto_cat,
						       memory_order_relaxed) ?
					  MRM_COL_CATEGORICAL :
					  MRM_COL_NUMERIC;
		else
			c->type = sl->want;
		c->nmissing = 0; /* the bitmap is cleared at the first missing */
		c->tlen = 0;
		if (c->type == MRM_COL_CATEGORICAL)
			mrm__dict_reset(&c->dict);
		if (col_arrays(c, j->rowcap, j->rowcap)) {
			mrm__job_fail(j, "out of memory");
			return;
		}
	}
}

int mrm__job_grow(const struct mrm_table_reader *r, struct mrm__job *j)
{
	uint64_t cap = j->rowcap * 2;

	for (size_t s = 0; s < r->nslots; s++) {
		if (col_arrays(&j->cols[s], j->rowcap, cap)) {
			mrm__job_fail(j, "out of memory");
			return -1;
		}
	}
	j->rowcap = cap;
	return 0;
}

bool mrm__is_na(const struct mrm_table_reader *r, const char *s, size_t len)
{
	if (len > r->na_maxlen)
		return false;
	for (size_t i = 0; i < r->nna; i++)
		if (r->nalen[i] == len && !memcmp(r->na[i], s, len))
			return true;
	return false;
}

static bool word_is(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);
	if (len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((s[i] | 0x20) != w[i])
			return false;
	return true;
}

int mrm__num_text(const struct mrm_table_reader *r, const char *s, size_t len,
		  double *v, int *reason, int *sub)
{
	const char *e;
	bool neg = false;

	if (mrm__is_na(r, s, len))
		return 1;
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (mrm__is_na(r, s, len))
		return 1;
	e = mrm__num_parse(s, s + len, v);
	if (e && e == s + len) {
		if (isinf(*v)) {
			*reason = MRM_TABLE_BAD_NONFINITE;
			*sub = MRM__SUB_RANGE;
			return 2;
		}
		return 0;
	}
	/* Spellings of infinity and NaN, in any case, with a sign. */
	if (len && (*s == '-' || *s == '+')) {
		neg = *s == '-';
		s++;
		len--;
	}
	if (word_is(s, len, "inf") || word_is(s, len, "infinity")) {
		if (r->allow_inf) {
			*v = neg ? -INFINITY : INFINITY;
			return 0;
		}
		*reason = MRM_TABLE_BAD_NONFINITE;
		*sub = MRM__SUB_INF;
		return 2;
	}
	if (word_is(s, len, "nan")) {
		*reason = MRM_TABLE_BAD_NONFINITE;
		*sub = MRM__SUB_NAN;
		return 2;
	}
	*reason = MRM_TABLE_BAD_NUMBER;
	*sub = MRM__SUB_NONE;
	return 2;
}

static void mark_missing(struct mrm__job *j, struct mrm__lcol *c, uint64_t row)
{
	if (!c->miss) {
		c->miss = calloc(1, bitbytes(j->rowcap));
		if (!c->miss) {
			mrm__job_fail(j, "out of memory");
			return;
		}
	} else if (!c->nmissing) {
		memset(c->miss, 0, bitbytes(j->rowcap));
	}
	c->miss[row >> 3] |= (uint8_t)(1u << (row & 7));
	c->nmissing++;
}

int mrm__to_categorical(const struct mrm_table_reader *r, struct mrm__job *j,
			uint32_t slot)
{
	struct mrm__lcol *c = &j->cols[slot];

	(void)r;
	c->type = MRM_COL_CATEGORICAL;
	mrm__dict_reset(&c->dict);
	if (col_arrays(c, j->rowcap, j->rowcap)) {
		mrm__job_fail(j, "out of memory");
		return -1;
	}
	for (uint64_t i = 0; i < j->nrows; i++) {
		if (c->nmissing && (c->miss[i >> 3] >> (i & 7)) & 1) {
			c->codes[i] = MRM_TABLE_NA_CODE;
			continue;
		}
		int n = mrm__num_format(c->num[i], c->numbuf);
		uint32_t code;
		bool added;
		if (mrm__dict_intern(&c->dict, c->numbuf, (size_t)n, false, &code,
				     &added)) {
			mrm__job_fail(j, "out of memory");
			return -1;
		}
		c->dict.flag[code] = 0;
		c->codes[i] = code;
	}
	return 0;
}

static int text_append(struct mrm__job *j, struct mrm__lcol *c, const char *s,
		       size_t len)
{
	if (c->tcap - c->tlen < len + 1) {
		size_t cap = c->tcap ? c->tcap : 4096;
		while (cap - c->tlen < len + 1)
			cap *= 2;
		char *t = realloc(c->text, cap);
		if (!t) {
			mrm__job_fail(j, "out of memory");
			return -1;
		}
		c->text = t;
		c->tcap = cap;
	}
	memcpy(c->text + c->tlen, s, len);
	c->tlen += len;
	c->text[c->tlen++] = '\0';
	return 0;
}

int mrm__cat_value(const struct mrm_table_reader *r, struct mrm__job *j,
		   uint32_t slot, const char *s, size_t len, bool padded)
{
	struct mrm__lcol *c = &j->cols[slot];
	uint32_t code;
	bool added;

	if (mrm__dict_intern(&c->dict, s, len, padded, &code, &added)) {
		mrm__job_fail(j, "out of memory (or more than 4 billion categories)");
		return -1;
	}
	if (added) {
		c->dict.flag[code] = mrm__is_na(r, s, len);
		j->undo[j->nundo++] = slot;
	}
	if (c->dict.flag[code]) {
		code = MRM_TABLE_NA_CODE;
		mrm__set_missing(j, slot);
	}
	c->codes[j->nrows] = code;
	return 0;
}

int mrm__auto_cat_value(const struct mrm_table_reader *r, struct mrm__job *j,
			uint32_t slot, const char *s, size_t len, bool padded)
{
	char buf[32];
	int reason, sub, n;
	double x;

	switch (mrm__num_text(r, s, len, &x, &reason, &sub)) {
	case 0:
		/* Equal numbers, one category, however they were written. */
		n = mrm__num_format(x, buf);
		return mrm__cat_value(r, j, slot, buf, (size_t)n, false);
	case 1:
		mrm__cat_missing(j, slot);
		return 0;
	default:
		return mrm__cat_value(r, j, slot, s, len, padded);
	}
}

void mrm__cat_missing(struct mrm__job *j, uint32_t slot)
{
	j->cols[slot].codes[j->nrows] = MRM_TABLE_NA_CODE;
	mrm__set_missing(j, slot);
}

int mrm__text_value(const struct mrm_table_reader *r, struct mrm__job *j,
		    uint32_t slot, const char *s, size_t len, bool missing)
{
	struct mrm__lcol *c = &j->cols[slot];

	if (!missing)
		missing = mrm__is_na(r, s, len);
	if (text_append(j, c, s, missing ? 0 : len))
		return -1;
	c->off[j->nrows + 1] = c->tlen;
	if (missing)
		mrm__set_missing(j, slot);
	return 0;
}

void mrm__add_pend(struct mrm__job *j, uint32_t slot, const char *s, size_t off,
		   size_t len, bool scratch, bool padded)
{
	struct mrm__pend *p = &j->pend[j->npend++];

	p->slot = slot;
	p->s = s;
	p->off = off;
	p->len = len;
	p->scratch = scratch;
	p->padded = padded;
}

int mrm__commit_row(const struct mrm_table_reader *r, struct mrm__job *j)
{
	uint64_t n = j->nrows;

	/* An AUTO column met its first non-number in this row. */
	for (size_t i = 0; i < j->npend; i++) {
		const struct mrm__pend *p = &j->pend[i];
		struct mrm__lcol *c = &j->cols[p->slot];
		if (c->type == MRM_COL_NUMERIC && mrm__to_categorical(r, j, p->slot))
			return -1;
		if (mrm__cat_value(r, j, p->slot,
				   p->scratch ? j->scratch + p->off : p->s, p->len,
				   p->padded))
			return -1;
	}
	for (size_t i = 0; i < j->nmissing_row; i++)
		mark_missing(j, &j->cols[j->missing[i]], n);
	j->npend = 0;
	j->nmissing_row = 0;
	j->nundo = 0;
	j->slen = 0;
	j->nrows = n + 1;
	return j->err ? -1 : 0;
}

void mrm__bad_text(struct mrm__bad *b, const char *s, size_t len)
{
	b->truncated = len > MRM__EXCERPT;
	if (len > MRM__EXCERPT)
		len = MRM__EXCERPT;
	if (len)
		memcpy(b->text, s, len);
	b->textlen = (uint8_t)len;
}

bool mrm__job_bad(const struct mrm_table_reader *r, struct mrm__job *j,
		  const struct mrm__bad *b)
{
	uint64_t k = j->nbad[b->reason]++;

	if (k < MRM_TABLE_BAD_LINES)
		j->bad[b->reason][k] = *b;
	if (!j->has_first) {
		j->first = *b;
		j->has_first = true;
	}
	/* Undo what the row added: categories, text. */
	while (j->nundo)
		mrm__dict_pop(&j->cols[j->undo[--j->nundo]].dict);
	for (size_t s = 0; s < r->nslots; s++)
		if (j->cols[s].type == MRM_COL_TEXT)
			j->cols[s].tlen = (size_t)j->cols[s].off[j->nrows];
	j->npend = 0;
	j->nmissing_row = 0;
	j->slen = 0;
	return !r->skip_bad;
}

char *mrm__scratch(struct mrm__job *j, size_t len)
{
	if (j->scap - j->slen < len + MRM__PAD) {
		size_t cap = j->scap ? j->scap : 4096;
		while (cap - j->slen < len + MRM__PAD)
			cap *= 2;
		char *s = realloc(j->scratch, cap);
		if (!s) {
			mrm__job_fail(j, "out of memory");
			return NULL;
		}
		j->scratch = s;
		j->scap = cap;
	}
	return j->scratch + j->slen;
}
