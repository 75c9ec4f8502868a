/*
 * JSON Lines: one object per line, parsed with jansson line by line (the
 * framer has already bounded the line length). The columns are the keys
 * of the first object unless the caller names them; keys missing from a
 * later object, and nulls, are missing values; other keys are ignored.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "table/internal.h"
#include "table/number.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}


int mrm__jsonl_header(struct mrm_table_reader *r, struct mrm_error *err)
{
	size_t start = 0, end, lines = 0;
	json_error_t e;
	json_t *o;
	const char *key;
	json_t *v;
	size_t i;
	int rc;

	/* jansson seeds its hash function with the first object made; make it
	 * here, before worker threads make theirs. */
	json_decref(json_object());
	/* The first line that is not blank. */
	for (;;) {
		const char *nl;
		while (start < r->carry_len && blank(r->carry[start]))
			start++;
		nl = start < r->carry_len ?
			     memchr(r->carry + start, '\n', r->carry_len - start) :
			     NULL;
		if (nl && nl == r->carry + start) {
			start++;
			lines++;
			continue;
		}
		if (nl || r->eof) {
			end = nl ? (size_t)(nl - r->carry) : r->carry_len;
			break;
		}
		if (r->carry_len > r->max_line)
			return mrm_error_set(err, MRM_EINPUT,
					     "%s:%zu:1: first line longer than %zu bytes",
					     r->name, lines + 1, r->max_line);
		if ((rc = mrm__carry_fill(r, err)))
			return rc;
	}
	if (r->names)
		return MRM_OK;
	if (start >= end)
		return mrm_error_set(err, MRM_EINPUT, "%s: empty file (no JSON object)",
				     r->name);
	o = json_loadb(r->carry + start, end - start, 0, &e);
	if (!o)
		return mrm_error_set(err, MRM_EINPUT, "%s:%zu:%d: invalid JSON: %s",
				     r->name, lines + 1, e.column > 0 ? e.column : 1,
				     e.text);
	if (!json_is_object(o) || json_object_size(o) == 0) {
		json_decref(o);
		return mrm_error_set(err, MRM_EINPUT,
				     "%s:%zu:1: the first line is not a JSON object with keys",
				     r->name, lines + 1);
	}
	r->ncols = json_object_size(o);
	r->names = calloc(r->ncols, sizeof(*r->names));
	if (!r->names) {
		json_decref(o);
		return mrm_error_set(err, MRM_EINPUT, "%s: out of memory", r->name);
	}
	i = 0;
	json_object_foreach(o, key, v) {
		(void)v;
		if (!(r->names[i++] = strdup(key))) {
			json_decref(o);
			return mrm_error_set(err, MRM_EINPUT, "%s: out of memory",
					     r->name);
		}
	}
	json_decref(o);
	return MRM_OK;
}

struct jrow {
	const struct mrm_table_reader *r;
	struct mrm__job *j;
	uint64_t n, line;
	bool bad;
	struct mrm__bad b;
};

static void jbad(struct jrow *w, int reason, int sub, size_t field,
		 const char *s, size_t len)
{
	if (w->bad)
		return;
	w->bad = true;
	memset(&w->b, 0, sizeof(w->b));
	w->b.reason = (uint8_t)reason;
	w->b.sub = (uint8_t)sub;
	w->b.field = (uint32_t)field;
	w->b.line = w->line;
	mrm__bad_text(&w->b, s, len);
}

/* A string value for a categorical or text column (or an AUTO one). */
static void text(struct jrow *w, uint32_t slot, const char *s, size_t len,
		 bool padded)
{
	struct mrm__lcol *c = &w->j->cols[slot];

	if (c->type == MRM_COL_CATEGORICAL && w->r->slots[slot].want == MRM_COL_AUTO)
		mrm__auto_cat_value(w->r, w->j, slot, s, len, padded);
	else if (c->type == MRM_COL_CATEGORICAL)
		mrm__cat_value(w->r, w->j, slot, s, len, padded);
	else if (c->type == MRM_COL_TEXT)
		mrm__text_value(w->r, w->j, slot, s, len, false);
	else /* AUTO meeting a string: categorical from this row on */
		mrm__add_pend(w->j, slot, s, 0, len, false, padded);
}

/* Keeps the text of a number for a categorical or text column. */
static void pend_number(struct jrow *w, uint32_t slot, json_t *v)
{
	char buf[32];
	int n;
	char *d;

	/* The exact integer, except in AUTO columns, which spell numbers as
	 * their double reads back (as the values before the switch). */
	if (json_is_integer(v) && w->r->slots[slot].want != MRM_COL_AUTO)
		n = snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
			     json_integer_value(v));
	else if (json_is_integer(v))
		n = mrm__num_format((double)json_integer_value(v), buf);
	else
		n = mrm__num_format(json_real_value(v), buf);
	d = mrm__scratch(w->j, (size_t)n);
	if (!d)
		return;
	memcpy(d, buf, (size_t)n);
	text(w, slot, d, (size_t)n, true);
}

static void convert(struct jrow *w, uint32_t slot, size_t field, json_t *v)
{
	struct mrm__job *j = w->j;
	struct mrm__lcol *c = &j->cols[slot];
	const bool autoc = w->r->slots[slot].want == MRM_COL_AUTO;
	const bool num = c->type == MRM_COL_NUMERIC;
	int reason, sub;
	double x;

	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_NULL:
		if (num) {
			c->num[w->n] = NAN;
			mrm__set_missing(j, slot);
		} else if (c->type == MRM_COL_CATEGORICAL) {
			mrm__cat_missing(j, slot);
		} else {
			mrm__text_value(w->r, j, slot, "", 0, true);
		}
		break;
	case JSON_INTEGER:
	case JSON_REAL:
		if (num)
			c->num[w->n] = json_number_value(v);
		else
			pend_number(w, slot, v);
		break;
	case JSON_STRING: {
		const char *s = json_string_value(v);
		size_t len = json_string_length(v);
		if (!num) {
			text(w, slot, s, len, false);
			break;
		}
		switch (mrm__num_text(w->r, s, len, &x, &reason, &sub)) {
		case 0:
			c->num[w->n] = x;
			break;
		case 1:
			c->num[w->n] = NAN;
			mrm__set_missing(j, slot);
			break;
		default:
			if (autoc) {
				c->num[w->n] = NAN;
				text(w, slot, s, len, false);
			} else {
				jbad(w, reason, sub, field, s, len);
			}
		}
		break;
	}
	case JSON_TRUE:
	case JSON_FALSE: {
		const char *s = json_is_true(v) ? "true" : "false";
		if (num && !autoc) {
			jbad(w, MRM_TABLE_BAD_VALUE, MRM__SUB_BOOL, field, s, strlen(s));
		} else {
			if (num)
				c->num[w->n] = NAN;
			text(w, slot, s, strlen(s), false);
		}
		break;
	}
	case JSON_ARRAY:
		jbad(w, MRM_TABLE_BAD_VALUE, MRM__SUB_ARRAY, field, NULL, 0);
		break;
	case JSON_OBJECT:
		jbad(w, MRM_TABLE_BAD_VALUE, MRM__SUB_OBJECT, field, NULL, 0);
		break;
	}
}

void mrm__jsonl_parse(const struct mrm_table_reader *r, struct mrm__job *j)
{
	const char *p = j->buf, *const end = j->buf + j->len;
	struct jrow w = { .r = r, .j = j };
	uint64_t line = 0;
	bool first = true;

	mrm__job_start(r, j);
	if (j->err)
		return;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *ls = p, *le = nl;
		json_error_t e;
		json_t *o;

		/* The ceiling counts every byte before the newline, as the
		 * framer does for lines it cannot hold. */
		const bool too_long = (size_t)(nl - p) > r->max_line;

		p = nl + 1;
		w.line = line++;
		while (ls < le && blank(*ls))
			ls++;
		while (le > ls && blank(le[-1]))
			le--;
		if (ls == le && !too_long)
			continue;
		if (j->nrows == j->rowcap && mrm__job_grow(r, j))
			return;
		w.n = j->nrows;
		w.bad = false;
		o = NULL;
		if (too_long) {
			jbad(&w, MRM_TABLE_BAD_TOO_LONG, MRM__SUB_LINE, 0, NULL, 0);
		} else if (!(o = json_loadb(ls, (size_t)(le - ls), 0, &e))) {
			jbad(&w, MRM_TABLE_BAD_JSON, MRM__SUB_NONE,
			     e.column > 0 ? (size_t)e.column - 1 : 0, e.text,
			     strlen(e.text));
		} else if (!json_is_object(o)) {
			jbad(&w, MRM_TABLE_BAD_JSON, MRM__SUB_NOT_OBJECT, 0, NULL, 0);
		} else {
			for (size_t f = 0; f < r->ncols && !w.bad; f++) {
				json_t *v;
				if (r->field_slot[f] < 0)
					continue;
				v = json_object_get(o, r->names[f]);
				for (int s = r->field_slot[f]; s >= 0 && !w.bad;
				     s = r->slots[s].next)
					convert(&w, (uint32_t)s, f, v);
			}
		}
		if (w.bad) {
			json_decref(o);
			if (mrm__job_bad(r, j, &w.b)) {
				j->nlines = line;
				return;
			}
			continue;
		}
		if (first) {
			j->first_row_line = w.line;
			first = false;
		}
		if (mrm__row_done(r, j)) {
			json_decref(o);
			return;
		}
		json_decref(o);
	}
	j->nlines = line;
}
