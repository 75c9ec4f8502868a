/*
 * mrm drift over time and beyond distributions: row hashes for duplicates, timestamps and
 * UTC-aligned windows (one side per window), labels and scores for performance metrics, and
 * the "quality", "metrics" and "windows" parts of the drift document.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/drift-window.h"
#include "monitor/quality.h"
#include "mrm/stats.h"
#include "mrm/timeutil.h"

#define HASH_SEED 0x243f6a8885a308d3ULL
#define HASH_NA 0x13198a2e03707344ULL  /* a missing value */
#define HASH_STR 0xa4093822299f31d0ULL /* salt of a category that is not a number */
#define WEEK_ORIGIN 345600             /* Monday 1970-01-05T00:00:00Z */

static int oom(struct mrm_error *err)
{
	return mrm_error_set(err, MRM_EINPUT, "out of memory");
}

/* ------------------------------------------------------------------ */
/* Timestamps and windows                                              */
/* ------------------------------------------------------------------ */

/* k digits at s[at..] into *v; false if any is not a digit or the text is too short. */
static bool digits(const char *s, size_t n, size_t at, size_t k, int *v)
{
	size_t i;

	if (at + k > n)
		return false;
	*v = 0;
	for (i = 0; i < k; i++) {
		if (s[at + i] < '0' || s[at + i] > '9')
			return false;
		*v = *v * 10 + (s[at + i] - '0');
	}
	return true;
}

static int days_in(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int drift_time_parse(const char *s, size_t n, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0;
	int64_t off = 0;
	size_t at;
	double v;

	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n)
		return -1;
	if (!mrm_parse_double(s, n, &v)) {
		/* Epoch seconds, within years 0000-9999. */
		if (!(v >= -62167219200.0 && v < 253402300800.0))
			return -1;
		*out = (int64_t)floor(v);
		return 0;
	}
	if (!digits(s, n, 0, 4, &y) || n < 10 || s[4] != '-' || !digits(s, n, 5, 2, &mo) ||
	    s[7] != '-' || !digits(s, n, 8, 2, &d) || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in(y, mo))
		return -1;
	at = 10;
	if (at < n) {
		if (s[at] != 'T' && s[at] != 't' && s[at] != ' ')
			return -1;
		if (!digits(s, n, at + 1, 2, &h) || at + 3 >= n || s[at + 3] != ':' ||
		    !digits(s, n, at + 4, 2, &mi) || h > 23 || mi > 59)
			return -1;
		at += 6;
		if (at < n && s[at] == ':') {
			if (!digits(s, n, at + 1, 2, &sec) || sec > 60)
				return -1;
			at += 3;
			if (at < n && (s[at] == '.' || s[at] == ',')) {
				size_t f = ++at;

				while (at < n && s[at] >= '0' && s[at] <= '9')
					at++;
				if (at == f)
					return -1;
			}
		}
		if (at < n && (s[at] == 'Z' || s[at] == 'z')) {
			at++;
		} else if (at < n && (s[at] == '+' || s[at] == '-')) {
			int sign = s[at] == '-' ? -1 : 1;

			if (!digits(s, n, at + 1, 2, &oh) || oh > 23)
				return -1;
			at += 3;
			if (at < n) {
				if (s[at] == ':')
					at++;
				if (!digits(s, n, at, 2, &om) || om > 59)
					return -1;
				at += 2;
			}
			off = sign * ((int64_t)oh * 3600 + (int64_t)om * 60);
		}
	}
	if (at != n)
		return -1;
	*out = mrm_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + (int64_t)h * 3600 +
	       (int64_t)mi * 60 + sec - off;
	return 0;
}

int drift_window_parse(const char *spec, int64_t *len, int64_t *origin, struct mrm_error *err)
{
	size_t i = 0;
	int64_t n = 0;
	char unit;

	while (spec[i] >= '0' && spec[i] <= '9' && i < 4)
		n = n * 10 + (spec[i++] - '0');
	unit = spec[i];
	if (i == 0 || n < 1 || !unit || spec[i + 1] || !strchr("mhdw", unit))
		return mrm_error_set(err, MRM_EUSAGE, "--window must be a whole number from 1 to 9999 and "
				     "a unit m, h, d or w (e.g. 30m, 1h, 1d, 1w), not '%s'", spec);
	*origin = 0;
	switch (unit) {
	case 'm':
		if (1440 % n)
			return mrm_error_set(err, MRM_EUSAGE, "--window %s: the minutes must divide a day "
					     "(1440) evenly, so that windows align to midnight UTC", spec);
		*len = n * 60;
		break;
	case 'h':
		if (24 % n)
			return mrm_error_set(err, MRM_EUSAGE, "--window %s: the hours must divide 24 (1, 2, "
					     "3, 4, 6, 8, 12 or 24), so that windows align to midnight UTC",
					     spec);
		*len = n * 3600;
		break;
	case 'd':
		*len = n * 86400;
		break;
	default:
		*len = n * 604800;
		*origin = WEEK_ORIGIN;
		break;
	}
	return 0;
}

int64_t drift_window_start(int64_t t, int64_t len, int64_t origin)
{
	int64_t d = t - origin, q = d / len;

	if (d % len < 0)
		q--;
	return origin + q * len;
}

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

int drift_extra_check(const struct mrm_drift_options *o, struct mrm_error *err)
{
	double thr[Q_NCHECKS];
	int64_t len, origin;
	int rc;

	if (o->window && !o->timestamp)
		return mrm_error_set(err, MRM_EUSAGE, "--window needs --timestamp COL (the current "
				     "data's time column)");
	if (o->timestamp && !o->window)
		return mrm_error_set(err, MRM_EUSAGE, "--timestamp needs --window (e.g. 1h, 1d, 1w)");
	if (o->window && (rc = drift_window_parse(o->window, &len, &origin, err)))
		return rc;
	if (!o->label != !o->score)
		return mrm_error_set(err, MRM_EUSAGE, "--label and --score go together (the metrics "
				     "need both)");
	return quality_thresholds(o->checks, thr, err);
}

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

bool drift_extra_special(const struct mrm_drift_options *o, const char *name)
{
	return same(o->timestamp, name) || same(o->label, name) || same(o->score, name);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

struct win {
	int64_t start;
	uint32_t mark, cnt, fill;
	struct drift_side *side;
};

/* Hashes of one compared column's dictionary codes (0: not yet computed). */
struct codeh {
	uint64_t *h;
	size_t n;
};

struct drift_extra {
	const struct mrm_drift_options *o;
	bool current;
	size_t ncols;
	const char *const *names;
	double thr[Q_NCHECKS];
	struct codeh *codes;
	struct dup_set all, per_win;
	/* Their counts once the side is read (the sets are then released). */
	double dups, *wdups;
	bool dups_est, wdups_est;
	/* The current side's extra columns: batch slots, or -1. */
	const char *file;
	long ts, label, score;
	/* Windows: by creation in w, by start in sorted. */
	int64_t len, origin, lo, hi;
	struct win *w;
	size_t nw, capw;
	uint32_t *sorted;
	uint32_t last, serial;
	/* Per-batch scratch. */
	uint64_t *h;
	uint32_t *wid, *rows, *seen;
	size_t scap;
	/* Labelled rows: label, score, window. */
	uint8_t *y;
	double *s;
	uint32_t *lw;
	size_t nl, lcap;
};

int drift_extra_new(const struct mrm_drift_options *o, bool current, size_t ncols,
		    const char *const *names, struct drift_extra **out, struct mrm_error *err)
{
	struct drift_extra *x = calloc(1, sizeof(*x));
	int rc;

	*out = NULL;
	if (!x || !(x->codes = calloc(ncols ? ncols : 1, sizeof(*x->codes)))) {
		free(x);
		return oom(err);
	}
	x->o = o;
	x->current = current;
	x->ncols = ncols;
	x->names = names;
	x->ts = x->label = x->score = -1;
	dup_init(&x->all, 0, false);
	dup_init(&x->per_win, 0, true);
	if ((rc = quality_thresholds(o->checks, x->thr, err)) ||
	    (current && o->window && (rc = drift_window_parse(o->window, &x->len, &x->origin, err)))) {
		drift_extra_free(x);
		return rc;
	}
	*out = x;
	return 0;
}

void drift_extra_free(struct drift_extra *x)
{
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->ncols; i++)
		free(x->codes[i].h);
	free(x->codes);
	dup_release(&x->all);
	dup_release(&x->per_win);
	free(x->wdups);
	for (i = 0; i < x->nw; i++)
		drift_side_free(x->w[i].side);
	free(x->w);
	free(x->sorted);
	free(x->h);
	free(x->wid);
	free(x->rows);
	free(x->seen);
	free(x->y);
	free(x->s);
	free(x->lw);
	free(x);
}

int drift_extra_select(struct drift_extra *x, struct mrm_table_reader *r, struct mrm_error *err)
{
	size_t slot;
	int rc;

	if (!x->current)
		return 0;
	x->file = mrm_table_name(r);
	if (x->o->timestamp) {
		if ((rc = mrm_table_select(r, x->o->timestamp, MRM_COL_TEXT, &slot, err)))
			return rc;
		x->ts = (long)slot;
	}
	if (x->o->label) {
		if ((rc = mrm_table_select(r, x->o->label, MRM_COL_NUMERIC, &slot, err)))
			return rc;
		x->label = (long)slot;
		if ((rc = mrm_table_select(r, x->o->score, MRM_COL_NUMERIC, &slot, err)))
			return rc;
		x->score = (long)slot;
	}
	return 0;
}

static int scratch(struct drift_extra *x, size_t n)
{
	size_t cap = x->scap ? x->scap : 1024;
	void *a, *b, *c, *d;

	if (n <= x->scap)
		return 0;
	while (cap < n)
		cap *= 2;
	a = realloc(x->h, cap * sizeof(*x->h));
	if (a)
		x->h = a;
	b = realloc(x->wid, cap * sizeof(*x->wid));
	if (b)
		x->wid = b;
	c = realloc(x->rows, cap * sizeof(*x->rows));
	if (c)
		x->rows = c;
	d = realloc(x->seen, cap * sizeof(*x->seen));
	if (d)
		x->seen = d;
	if (!a || !b || !c || !d)
		return -1;
	x->scap = cap;
	return 0;
}

/* The hash of a number: its bits (-0 as 0). */
static uint64_t num_bits(double v)
{
	uint64_t u;

	if (isnan(v))
		return HASH_NA;
	if (v == 0)
		return 0;
	memcpy(&u, &v, sizeof(u));
	return u;
}

/* The hash of a category: the number it spells, else its bytes (FNV-1a, salted). */
static uint64_t cat_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	double v;
	size_t i;

	if (!mrm_parse_double(s, len, &v))
		h = num_bits(v);
	else {
		for (i = 0; i < len; i++) {
			h ^= (unsigned char)s[i];
			h *= 1099511628211ULL;
		}
		h = quality_mix(h ^ HASH_STR);
	}
	return h ? h : 1;
}

/* x->h[0..n): one hash per row over the compared columns. */
static int hash_rows(struct drift_extra *x, const struct mrm_table *b, size_t n)
{
	size_t i, j;

	for (j = 0; j < n; j++)
		x->h[j] = HASH_SEED;
	for (i = 0; i < x->ncols; i++) {
		const struct mrm_table_column *c = &b->cols[i];
		struct codeh *ch = &x->codes[i];

		if (c->type == MRM_COL_CATEGORICAL) {
			if (c->dict->n > ch->n) {
				uint64_t *g = realloc(ch->h, c->dict->n * sizeof(*g));

				if (!g)
					return -1;
				memset(g + ch->n, 0, (c->dict->n - ch->n) * sizeof(*g));
				ch->h = g;
				ch->n = c->dict->n;
			}
			for (j = 0; j < n; j++) {
				uint32_t code = c->codes[j];
				uint64_t v;

				if (code == MRM_TABLE_NA_CODE)
					v = HASH_NA;
				else {
					if (!ch->h[code])
						ch->h[code] = cat_hash(c->dict->str[code], c->dict->len[code]);
					v = ch->h[code];
				}
				x->h[j] = quality_mix(x->h[j] ^ v);
			}
		} else {
			for (j = 0; j < n; j++)
				x->h[j] = quality_mix(x->h[j] ^ num_bits(c->num[j]));
		}
	}
	return 0;
}

static void iso(int64_t t, char *buf)
{
	mrm_time_format(t, buf);
}

/* The window starting at `start`, created (with an empty side) if new. */
static int window_of(struct drift_extra *x, int64_t start, uint32_t *id, struct mrm_error *err)
{
	size_t lo = 0, hi = x->nw, k;
	int64_t nlo, nhi;
	int rc;

	if (x->nw && x->w[x->last].start == start) {
		*id = x->last;
		return 0;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->w[x->sorted[mid]].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < x->nw && x->w[x->sorted[lo]].start == start) {
		*id = x->last = x->sorted[lo];
		return 0;
	}
	nlo = x->nw && x->lo < start ? x->lo : start;
	nhi = x->nw && x->hi > start ? x->hi : start;
	if ((nhi - nlo) / x->len + 1 > DRIFT_MAX_WINDOWS) {
		char a[MRM_TIME_LEN], b[MRM_TIME_LEN];

		iso(nlo, a);
		iso(nhi, b);
		return mrm_error_set(err, MRM_EUSAGE, "%s: the timestamps span %lld windows of %s from %s "
				     "to %s, more than %d: choose a longer --window", x->file,
				     (long long)((nhi - nlo) / x->len + 1), x->o->window, a, b,
				     DRIFT_MAX_WINDOWS);
	}
	if (x->nw == x->capw) {
		size_t cap = x->capw ? 2 * x->capw : 64;
		struct win *w = realloc(x->w, cap * sizeof(*w));
		uint32_t *s;

		if (!w)
			return oom(err);
		x->w = w;
		if (!(s = realloc(x->sorted, cap * sizeof(*s))))
			return oom(err);
		x->sorted = s;
		x->capw = cap;
	}
	memset(&x->w[x->nw], 0, sizeof(x->w[x->nw]));
	x->w[x->nw].start = start;
	if ((rc = drift_side_new(x->ncols, x->names, &x->w[x->nw].side, err)))
		return rc;
	for (k = x->nw; k > lo; k--)
		x->sorted[k] = x->sorted[k - 1];
	x->sorted[lo] = (uint32_t)x->nw;
	x->lo = nlo;
	x->hi = nhi;
	*id = x->last = (uint32_t)x->nw++;
	return 0;
}

static unsigned long long line_of(const struct mrm_table *b, size_t row)
{
	return (unsigned long long)(b->first_line + row);
}

/* Assigns each row of the batch to its window and adds it to the window's side. */
static int assign(struct drift_extra *x, const struct mrm_table *b, size_t n, struct mrm_error *err)
{
	const struct mrm_table_column *tc = &b->cols[x->ts];
	size_t j, k, nseen = 0, off = 0;
	int rc;

	x->serial++;
	for (j = 0; j < n; j++) {
		size_t len;
		const char *t = mrm_table_text(tc, j, &len);
		int64_t when;
		uint32_t id = 0;

		if (mrm_table_missing(tc, j))
			return mrm_error_set(err, MRM_EINPUT, "%s:%llu:%zu: the timestamp (%s) is missing",
					     x->file, line_of(b, j), tc->field + 1, x->o->timestamp);
		if (drift_time_parse(t, len, &when))
			return mrm_error_set(err, MRM_EINPUT, "%s:%llu:%zu: timestamp '%.*s' is not an ISO "
					     "8601 date or date-time, nor epoch seconds", x->file,
					     line_of(b, j), tc->field + 1, (int)(len > 64 ? 64 : len), t);
		if ((rc = window_of(x, drift_window_start(when, x->len, x->origin), &id, err)))
			return rc;
		x->wid[j] = id;
		if (x->w[id].mark != x->serial) {
			x->w[id].mark = x->serial;
			x->w[id].cnt = 0;
			x->seen[nseen++] = id;
		}
		x->w[id].cnt++;
	}
	for (k = 0; k < nseen; k++) {
		x->w[x->seen[k]].fill = (uint32_t)off;
		off += x->w[x->seen[k]].cnt;
	}
	for (j = 0; j < n; j++)
		x->rows[x->w[x->wid[j]].fill++] = (uint32_t)j;
	for (k = 0, off = 0; k < nseen; k++) {
		struct win *w = &x->w[x->seen[k]];

		if ((rc = drift_side_add(w->side, b, x->rows + off, w->cnt, err)))
			return rc;
		off += w->cnt;
	}
	return 0;
}

static int labels(struct drift_extra *x, const struct mrm_table *b, size_t n, struct mrm_error *err)
{
	const struct mrm_table_column *yc = &b->cols[x->label], *sc = &b->cols[x->score];
	size_t j;

	if (x->nl + n > x->lcap) {
		size_t cap = x->lcap ? x->lcap : 1024;
		void *p;

		while (cap < x->nl + n)
			cap *= 2;
		if (!(p = realloc(x->y, cap * sizeof(*x->y))))
			return oom(err);
		x->y = p;
		if (!(p = realloc(x->s, cap * sizeof(*x->s))))
			return oom(err);
		x->s = p;
		if (!(p = realloc(x->lw, cap * sizeof(*x->lw))))
			return oom(err);
		x->lw = p;
		x->lcap = cap;
	}
	for (j = 0; j < n; j++) {
		double y = yc->num[j], s = sc->num[j];

		if (!isnan(y) && y != 0 && y != 1)
			return mrm_error_set(err, MRM_EINPUT, "%s:%llu:%zu: label is %.17g, expected 0 or 1",
					     x->file, line_of(b, j), yc->field + 1, y);
		if (!isnan(s) && !isfinite(s))
			return mrm_error_set(err, MRM_EINPUT, "%s:%llu:%zu: score is infinite", x->file,
					     line_of(b, j), sc->field + 1);
		if (isnan(y) || isnan(s))
			continue;
		x->y[x->nl] = y == 1;
		x->s[x->nl] = s;
		x->lw[x->nl++] = x->ts >= 0 ? x->wid[j] : 0;
	}
	return 0;
}

int drift_extra_batch(struct drift_extra *x, const struct mrm_table *b, struct mrm_error *err)
{
	size_t n = (size_t)b->nrows, j;
	int rc;

	if (!n)
		return 0;
	if (scratch(x, n) || (x->ncols && hash_rows(x, b, n)))
		return oom(err);
	if (x->ts >= 0 && (rc = assign(x, b, n, err)))
		return rc;
	for (j = 0; x->ncols && j < n; j++)
		if (dup_add(&x->all, x->h[j], 0) ||
		    (x->ts >= 0 && dup_add(&x->per_win, x->h[j], x->wid[j])))
			return oom(err);
	if (x->label >= 0 && (rc = labels(x, b, n, err)))
		return rc;
	return 0;
}

int drift_extra_end(struct drift_extra *x, struct mrm_error *err)
{
	size_t i;

	if (dup_flush(&x->all) || dup_flush(&x->per_win))
		return oom(err);
	x->dups = x->ncols ? dup_count(&x->all, 0, &x->dups_est) : NAN;
	if (x->nw && !(x->wdups = malloc(x->nw * sizeof(*x->wdups))))
		return oom(err);
	for (i = 0; i < x->nw; i++)
		x->wdups[i] = x->ncols ? dup_count(&x->per_win, (uint32_t)i, &x->wdups_est) : NAN;
	dup_release(&x->all);
	dup_release(&x->per_win);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The document                                                        */
/* ------------------------------------------------------------------ */

/* A side's summary for the quality checks: its read columns, then the named-only ones. */
struct summary {
	struct quality_col *cols;
	struct quality_side side;
};

/* quality_col.outside for a side's column: its values sorted again, for the moment. */
static void outside_of_col(const struct quality_col *q, double lo, double hi, double *below,
			   double *above)
{
	struct quality_col tmp = *q;
	struct mrm_error e = { 0 };
	double *v = NULL;

	*below = *above = NAN;
	if (drift_col_sorted_alloc(q->data, &v, &e))
		return;
	tmp.data = v;
	quality_outside_sorted(&tmp, lo, hi, below, above);
	free(v);
}

static void summary_release(struct summary *s)
{
	free(s->cols);
}

/* quality_col.outside from the figures the comparison took (struct drift_result). */
static void outside_stored(const struct quality_col *q, double lo, double hi, double *below,
			   double *above)
{
	const struct drift_result *r = q->data;

	(void)lo, (void)hi; /* the reference's min and max, which r's counts were taken against */
	*below = r->below;
	*above = r->above;
}

/*
 * The quality summary of a side. `res` (or NULL): the comparisons of the top-level run, whose
 * figures spare sorting a compared numeric column again; `current` says which side s is.
 */
static int summarise(const struct drift_side *s, const struct drift_side *types, json_t *schema,
		     const char *problem, double dups, bool dups_est, const struct drift_result *res,
		     bool current, struct summary *out)
{
	size_t i, j, n = s->ncols;
	json_t *p;

	out->cols = calloc(s->ncols + json_array_size(schema) + 1, sizeof(*out->cols));
	if (!out->cols)
		return -1;
	for (i = 0; i < s->ncols; i++) {
		const struct drift_col *c = &s->cols[i];
		struct quality_col *q = &out->cols[i];

		q->name = c->name;
		q->type = types ? types->cols[i].type : c->type;
		q->missing = c->missing;
		if (c->type == MRM_COL_NUMERIC && c->n && res && res[i].has_q) {
			const struct drift_result *r = &res[i];

			q->min = current ? r->cur_min : r->ref_min;
			q->max = current ? r->cur_max : r->ref_max;
			q->distinct = current ? r->cur_distinct : r->ref_distinct;
			q->outside = outside_stored;
			q->data = r;
			q->n = c->n;
		} else if (c->type == MRM_COL_NUMERIC && c->n) {
			struct mrm_error e = { 0 };
			double *v;

			/* A sorted copy for the moment only: the sides may hold their numbers packed. */
			if (drift_col_sorted_alloc(c, &v, &e))
				return -1;
			q->min = v[0];
			q->max = v[c->n - 1];
			q->distinct = 1;
			for (j = 1; j < c->n; j++)
				q->distinct += v[j] != v[j - 1];
			free(v);
			q->outside = outside_of_col;
			q->data = c;
			q->n = c->n;
		} else if (c->type == MRM_COL_CATEGORICAL) {
			q->k = c->k;
			q->cat = (const char *const *)c->cat;
			q->catlen = c->catlen;
			q->cnt = c->cnt;
			q->index = c->index;
			for (j = 0; j < c->k; j++)
				q->distinct += c->cnt[j] > 0;
		}
	}
	json_array_foreach(schema, i, p)
		if (!strcmp(json_string_value(json_object_get(p, "problem")), problem))
			out->cols[n++].name = json_string_value(json_object_get(p, "column"));
	out->side.rows = s->rows;
	out->side.ncols = n;
	out->side.cols = out->cols;
	out->side.duplicates = s->ncols ? dups : NAN;
	out->side.duplicates_why = s->ncols ? NULL : "not applicable: no column is compared";
	out->side.duplicates_estimated = dups_est;
	out->side.dup_columns = s->ncols;
	return 0;
}

/* Sets "metrics" (and "metrics_undefined") on `where` for the labelled rows y, s. */
static int metrics(const uint8_t *y, const double *s, size_t n, json_t *where,
		   struct mrm_error *err)
{
	static const struct {
		const char *key;
		int id;
	} keys[] = { { "roc_auc", MRM_ROC_AUC }, { "accuracy", MRM_ACCURACY },
		     { "brier_score", MRM_BRIER_SCORE }, { "log_loss", MRM_LOG_LOSS } };
	json_t *m = json_object(), *u = json_object();
	struct mrm_binary d = { .n = n, .y = y, .score = s, .weight = NULL };
	struct mrm_ranked r = { 0 };
	struct mrm_binary_metrics bm;
	const char *none = "no row with both a label and a score";
	double sum = 0;
	size_t i;
	int rc = 0;

	if (!m || !u) {
		rc = oom(err);
		goto out;
	}
	json_object_set_new(m, "count", json_integer((json_int_t)n));
	if (n == 0) {
		const char *all[] = { "positive_rate", "mean_score", "roc_auc", "accuracy", "brier_score",
				      "log_loss" };

		for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
			json_object_set_new(m, all[i], json_null());
			json_object_set_new(u, all[i], json_string(none));
		}
		goto done;
	}
	if ((rc = mrm_ranked_build(&r, &d, err)) || (rc = mrm_binary_metrics(&d, &r, 0.5, 0, &bm, err)))
		goto out;
	for (i = 0; i < n; i++)
		sum += s[i];
	json_object_set_new(m, "positive_rate", json_real(bm.positives / (double)n));
	json_object_set_new(m, "mean_score", json_real(sum / (double)n));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct mrm_metric v = bm.m[keys[i].id];

		if (mrm_metric_ok(v))
			json_object_set_new(m, keys[i].key, json_real(v.value));
		else {
			json_object_set_new(m, keys[i].key, json_null());
			json_object_set_new(u, keys[i].key, json_string(v.reason));
		}
	}
done:
	json_object_set(where, "metrics", m);
	if (json_object_size(u))
		json_object_set(where, "metrics_undefined", u);
out:
	mrm_ranked_release(&r);
	json_decref(m);
	json_decref(u);
	return rc;
}

static const char *type_name(enum mrm_col_type t)
{
	return t == MRM_COL_NUMERIC ? "numeric" : "categorical";
}

/* The compact per-column entry of a window: the deciding test only. */
static json_t *compact(json_t *full)
{
	static const char *const keep[] = { "type", "method", "statistic", "p_value",
					    "p_value_adjusted", "threshold", "drifted", "reason",
					    "ks_statistic", "ks_p_value", "psi", "wasserstein",
					    "wasserstein_norm", "jensen_shannon", "anderson_darling",
					    "chi2_statistic", "chi2_p_value", "chi2_dof", "z_statistic",
					    "z_p_value", NULL };
	json_t *c = json_object();
	size_t i;

	for (i = 0; c && keep[i]; i++) {
		json_t *v = json_object_get(full, keep[i]);

		if (v)
			json_object_set(c, keep[i], v);
	}
	return c;
}

/* Labelled rows grouped by window: rows of window id at [off[id], off[id + 1]). */
struct grouped {
	uint8_t *y;
	double *s;
	size_t *off;
};

static int group_labels(const struct drift_extra *x, struct grouped *g)
{
	size_t i, *fill;

	g->y = malloc(x->nl ? x->nl : 1);
	g->s = malloc((x->nl ? x->nl : 1) * sizeof(*g->s));
	g->off = calloc(x->nw + 1, sizeof(*g->off));
	fill = calloc(x->nw + 1, sizeof(*fill));
	if (!g->y || !g->s || !g->off || !fill) {
		free(fill);
		return -1;
	}
	for (i = 0; i < x->nl; i++)
		g->off[x->lw[i] + 1]++;
	for (i = 0; i < x->nw; i++)
		g->off[i + 1] += g->off[i];
	for (i = 0; i < x->nw; i++)
		fill[i] = g->off[i];
	for (i = 0; i < x->nl; i++) {
		size_t at = fill[x->lw[i]]++;

		g->y[at] = x->y[i];
		g->s[at] = x->s[i];
	}
	free(fill);
	return 0;
}

static json_t *window_head(int64_t start, int64_t len, uint64_t rows)
{
	char a[MRM_TIME_LEN], b[MRM_TIME_LEN];

	iso(start, a);
	iso(start + len, b);
	return json_pack("{s:s, s:s, s:I}", "start", a, "end", b, "rows", (json_int_t)rows);
}

/* One window with rows: drift against the reference, quality and metrics. */
static int window_doc(const struct mrm_drift_options *o, struct drift_extra *x, uint32_t id,
		      const struct drift_side *rs, const struct drift_side *cs,
		      const struct summary *ref, json_t *schema, const struct grouped *g,
		      json_t *wd, struct drift_outcome *oc, struct mrm_error *err)
{
	struct drift_side *side = x->w[id].side;
	struct drift_result *res = calloc(x->ncols + 1, sizeof(*res));
	json_t *cols = json_object(), *q = json_array();
	struct summary sum = { 0 };
	size_t i, nf = 0;
	bool dataset;
	int rc = 0;

	if (!res || !cols || !q) {
		rc = oom(err);
		goto out;
	}
	if ((rc = drift_side_finish(side, err)))
		goto out;
	for (i = 0; i < x->ncols; i++) {
		const struct drift_col *a = &rs->cols[i], *b = &side->cols[i], *w = &cs->cols[i];
		bool a_all = a->missing == rs->rows;

		/* Retyped in the whole current data: not compared there, nor here. */
		if (a->type != w->type && a->missing != rs->rows && w->missing != cs->rows)
			continue;
		if (!(res[i].obj = json_object())) {
			rc = oom(err);
			goto out;
		}
		if (a->type == b->type && (rc = drift_compare(o, a, b, false, &res[i], err)))
			goto out;
		if (a->type != b->type)
			drift_not_compared(&res[i], type_name(a_all ? b->type : a->type), a_all ?
					   "every reference value is missing" :
					   "every current value is missing");
	}
	drift_correct(res, x->ncols, o->correction);
	dataset = drift_summarise(wd, res, x->ncols, NULL, NULL);
	for (i = 0; i < x->ncols; i++)
		if (res[i].obj)
			json_object_set_new(cols, x->names[i], compact(res[i].obj));
	json_object_set(wd, "columns", cols);
	if (summarise(side, cs, schema, "new_in_current", x->wdups[id], x->wdups_est, NULL, true,
		      &sum)) {
		rc = oom(err);
		goto out;
	}
	if ((rc = quality_run(x->thr, &ref->side, &sum.side, q, &nf, err)))
		goto out;
	json_object_set(wd, "quality", q);
	json_object_set_new(wd, "quality_failed", json_integer((json_int_t)nf));
	if (x->label >= 0)
		rc = metrics(g->y + g->off[id], g->s + g->off[id], g->off[id + 1] - g->off[id], wd, err);
	else
		json_object_set_new(wd, "metrics", json_object());
	if (dataset || nf)
		oc->windows_flagged++;
out:
	for (i = 0; res && i < x->ncols; i++)
		json_decref(res[i].obj);
	free(res);
	summary_release(&sum);
	json_decref(cols);
	json_decref(q);
	drift_side_free(side);
	x->w[id].side = NULL;
	return rc;
}

static int empty_window(const struct drift_extra *x, json_t *wd, struct mrm_error *err)
{
	json_object_set_new(wd, "columns_tested", json_integer(0));
	json_object_set_new(wd, "columns_drifted", json_integer(0));
	json_object_set_new(wd, "drift_share", json_null());
	json_object_set_new(wd, "drift_share_threshold", json_real(DRIFT_SHARE_THRESHOLD));
	json_object_set_new(wd, "dataset_drift", json_false());
	json_object_set_new(wd, "columns", json_object());
	json_object_set_new(wd, "quality", json_array());
	json_object_set_new(wd, "quality_failed", json_integer(0));
	if (x->label >= 0)
		return metrics(NULL, NULL, 0, wd, err);
	json_object_set_new(wd, "metrics", json_object());
	return 0;
}

static int windows(const struct mrm_drift_options *o, struct drift_extra *x,
		   const struct drift_side *rs, const struct drift_side *cs, const struct summary *ref,
		   json_t *schema, json_t *doc, struct drift_outcome *oc, struct mrm_error *err)
{
	struct grouped g = { 0 };
	json_t *arr = json_array();
	size_t p = 0, k, count = x->nw ? (size_t)((x->hi - x->lo) / x->len) + 1 : 0;
	int rc = 0;

	if (!arr || (x->label >= 0 && group_labels(x, &g))) {
		rc = oom(err);
		goto out;
	}
	for (k = 0; k < count; k++) {
		int64_t start = x->lo + (int64_t)k * x->len;
		bool has = p < x->nw && x->w[x->sorted[p]].start == start;
		uint32_t id = has ? x->sorted[p++] : 0;
		json_t *wd = window_head(start, x->len, has ? x->w[id].side->rows : 0);

		if (!wd || json_array_append_new(arr, wd)) {
			rc = oom(err);
			goto out;
		}
		if (has)
			rc = window_doc(o, x, id, rs, cs, ref, schema, &g, wd, oc, err);
		else {
			rc = empty_window(x, wd, err);
			json_object_set_new(wd, "reason", json_string("no rows in this window"));
		}
		if (rc)
			goto out;
	}
	oc->windows = count;
	json_object_set_new(doc, "timestamp", json_string(o->timestamp));
	json_object_set_new(doc, "window", json_string(o->window));
	json_object_set_new(doc, "window_seconds", json_integer((json_int_t)x->len));
	json_object_set(doc, "windows", arr);
out:
	json_decref(arr);
	free(g.y);
	free(g.s);
	free(g.off);
	return rc;
}

int drift_outcome_status(const json_t *doc, size_t tested, size_t drifted,
			 const struct drift_outcome *oc, struct mrm_error *err)
{
	bool dataset = json_is_true(json_object_get(doc, "dataset_drift"));
	char msg[MRM_ERROR_MAX];
	size_t at = 0;

	if (!dataset && !oc->checks_failed && !oc->windows_flagged)
		return 0;
	msg[0] = 0;
	if (dataset)
		at += (size_t)snprintf(msg, sizeof(msg), "dataset drift: %zu of %zu columns drifted "
				       "(share >= %g)", drifted, tested, DRIFT_SHARE_THRESHOLD);
	if (oc->checks_failed && at < sizeof(msg))
		at += (size_t)snprintf(msg + at, sizeof(msg) - at, "%sfailed quality checks: %s",
				       at ? "; " : "", oc->failed);
	if (oc->windows_flagged && at < sizeof(msg))
		snprintf(msg + at, sizeof(msg) - at, "%s%zu of %zu windows with drift or failed checks",
			 at ? "; " : "", oc->windows_flagged, oc->windows);
	return mrm_error_set(err, MRM_ECHECK, "%s", msg);
}

int drift_extra_finish(const struct mrm_drift_options *o, struct drift_extra *rx,
		       struct drift_extra *cx, const struct drift_side *rs,
		       const struct drift_side *cs, const struct drift_result *res, json_t *doc,
		       struct drift_outcome *out,
		       struct mrm_error *err)
{
	json_t *schema = json_object_get(doc, "schema"), *q = json_array();
	struct summary ref = { 0 }, cur = { 0 };
	double rd = rx->dups, cd = cx->dups;
	bool rest = rx->dups_est, cest = cx->dups_est;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!q || summarise(rs, NULL, schema, "missing_in_current", rd, rest, res, false, &ref) ||
	    summarise(cs, NULL, schema, "new_in_current", cd, cest, res, true, &cur)) {
		rc = oom(err);
		goto out;
	}
	if ((rc = quality_run(cx->thr, &ref.side, &cur.side, q, &out->checks_failed, err)))
		goto out;
	json_object_set(doc, "quality", q);
	json_object_set_new(doc, "quality_failed", json_integer((json_int_t)out->checks_failed));
	quality_failed_names(q, out->failed, sizeof(out->failed));
	if (o->label) {
		json_object_set_new(doc, "label", json_string(o->label));
		json_object_set_new(doc, "score", json_string(o->score));
		if ((rc = metrics(cx->y, cx->s, cx->nl, doc, err)))
			goto out;
	}
	if (o->window)
		rc = windows(o, cx, rs, cs, &ref, schema, doc, out, err);
out:
	json_decref(q);
	summary_release(&ref);
	summary_release(&cur);
	return rc;
}
