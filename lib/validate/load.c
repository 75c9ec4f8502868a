/*
 * Reading a prediction log for `mrm validate`: only the columns the
 * command needs, batch by batch, hashing the bytes as they pass, with the
 * --where filter, the label mapping and every exclusion counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strmap.h"
#include "mrm/hash.h"
#include "validate/internal.h"

const char *const mrm__excl_names[MRM__EX_COUNT] = {
	[MRM__EX_WHERE] = "where",
	[MRM__EX_LABEL] = "missing_label",
	[MRM__EX_SCORE] = "missing_score",
	[MRM__EX_PREDICTION] = "missing_prediction",
	[MRM__EX_CHAMPION] = "missing_champion",
	[MRM__EX_WEIGHT] = "missing_weight",
	[MRM__EX_ZERO_WEIGHT] = "zero_weight",
};

/* Missing-value spellings: the reader's defaults except NaN, which is an error in a score. */
static const char *const default_na[] = { "", "NA", "N/A", "null", "NULL", "None" };

/* ---- the byte source: read(2) with SHA-256 on the way ---------------------- */

struct src {
	mrm_table_read_fn fn; /* a caller's source instead of fd, or NULL */
	void *arg;
	int fd;
	bool close_fd;
	struct mrm_sha256 h;
	bool hashing;
	uint64_t bytes;
};

static ssize_t src_read(void *arg, void *buf, size_t len)
{
	struct src *s = arg;
	ssize_t n;

	if (s->fn)
		n = s->fn(s->arg, buf, len);
	else
		do
			n = read(s->fd, buf, len);
		while (n < 0 && errno == EINTR);
	if (n > 0) {
		s->bytes += (uint64_t)n;
		if (s->hashing)
			mrm_sha256_update(&s->h, buf, (size_t)n);
	}
	return n;
}

/* ---- label values ------------------------------------------------------------ */

enum { L_NEG = 0, L_POS = 1, L_MISSING = 2, L_UNKNOWN = 3, L_UNSET = 0xff };

/* Per dictionary code of a categorical column: its class and first accepted line. */
struct codemap {
	uint8_t *cls;
	uint64_t *first_line;  /* 0: not seen in an accepted row */
	uint64_t *count;
	size_t n;
};

static int codemap_grow(struct codemap *m, size_t n)
{
	uint8_t *c;
	uint64_t *f, *k;

	if (n <= m->n)
		return 0;
	c = realloc(m->cls, n);
	if (c)
		m->cls = c;
	f = realloc(m->first_line, n * sizeof(*f));
	if (f)
		m->first_line = f;
	k = realloc(m->count, n * sizeof(*k));
	if (k)
		m->count = k;
	if (!c || !f || !k)
		return -1;
	memset(m->cls + m->n, L_UNSET, n - m->n);
	memset(m->first_line + m->n, 0, (n - m->n) * sizeof(*f));
	memset(m->count + m->n, 0, (n - m->n) * sizeof(*k));
	m->n = n;
	return 0;
}

static void codemap_release(struct codemap *m)
{
	free(m->cls);
	free(m->first_line);
	free(m->count);
	memset(m, 0, sizeof(*m));
}

static bool is_nan_text(const char *s, size_t len)
{
	return len == 3 && (!memcmp(s, "NaN", 3) || !memcmp(s, "nan", 3));
}

/* Label value equality: case-insensitive text, or equal numbers ("1.0" = "1"). */
static bool same_value(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	double x, y;

	if (alen == blen && !strncasecmp(a, b, alen))
		return true;
	return !mrm_parse_double(a, alen, &x) && !mrm_parse_double(b, blen, &y) && x == y;
}

static uint8_t classify_label(const char *s, size_t len, const char *positive)
{
	static const char *const pos[] = { "1", "true", "yes" };
	static const char *const neg[] = { "0", "false", "no" };
	size_t i;

	if (is_nan_text(s, len))
		return L_MISSING;
	if (positive)
		return same_value(s, len, positive) ? L_POS : L_NEG;
	for (i = 0; i < 3; i++) {
		if (same_value(s, len, pos[i]))
			return L_POS;
		if (same_value(s, len, neg[i]))
			return L_NEG;
	}
	return L_UNKNOWN;
}

/* ---- growth ------------------------------------------------------------------- */

static int grow(void **p, size_t elem, size_t cap)
{
	void *q;

	if (!*p && !cap)
		return 0;
	q = realloc(*p, elem * (cap ? cap : 1));
	if (!q)
		return -1;
	*p = q;
	return 0;
}

struct loader {
	const struct mrm_validate_options *o;
	struct mrm__vdata *d;
	struct mrm_table_reader *r;
	struct mrm__where *where;
	size_t s_label, s_score[64], s_pred, s_champ, s_weight;
	size_t nscore;
	uint8_t *keep;
	size_t keepcap;
	struct codemap lab, pred, grp[MRM__MAX_GROUPS];
	size_t cap_classes;
	/* streaming batch buffers */
	uint8_t *by;
	double *bs, *bw;
	uint32_t *bidx;
	size_t bcap;
	struct mrm_error *err;
};

static int ensure(struct loader *L, size_t more)
{
	struct mrm__vdata *d = L->d;
	const struct mrm_validate_options *o = L->o;
	size_t need = d->n + more, cap, i;
	int bad = 0;

	if (need <= d->cap)
		return 0;
	cap = d->cap ? d->cap : 4096;
	while (cap < need)
		cap *= 2;
	if (o->task == MRM_TASK_BINARY && !o->streaming) {
		bad |= grow((void **)&d->keys, sizeof(*d->keys), cap);
		bad |= grow((void **)&d->pay, sizeof(*d->pay), cap);
		if (o->champion)
			bad |= grow((void **)&d->champion, sizeof(double), cap);
	} else if (o->task == MRM_TASK_REGRESSION) {
		bad |= grow((void **)&d->yr, sizeof(double), cap);
		bad |= grow((void **)&d->pr, sizeof(double), cap);
	} else if (o->task == MRM_TASK_MULTICLASS) {
		bad |= grow((void **)&d->yc, sizeof(uint32_t), cap);
		if (o->prediction)
			bad |= grow((void **)&d->pc, sizeof(uint32_t), cap);
		else
			bad |= grow((void **)&d->proba, sizeof(double) * L->nscore, cap);
	}
	if (o->weight && !(o->task == MRM_TASK_BINARY && o->streaming))
		bad |= grow((void **)&d->w, sizeof(double), cap);
	if (!(o->task == MRM_TASK_BINARY && o->streaming))
		for (i = 0; i < d->ng; i++)
			bad |= grow(&d->g[i].codes, (size_t)d->g[i].width, cap);
	if (bad)
		return mrm_error_set(L->err, MRM_EINPUT, "out of memory reading %zu rows", need);
	d->cap = cap;
	return 0;
}

/* Widens group column g so that `code` fits (all ones of the width mean missing). */
static int widen(struct loader *L, struct mrm__gcol *g, uint32_t code)
{
	size_t i, n = L->d->n, cap = L->d->cap ? L->d->cap : 1;
	int width = g->width;
	void *nc;

	while ((width == 1 && code >= UINT8_MAX) || (width == 2 && code >= UINT16_MAX))
		width *= 2;
	if (width == g->width)
		return 0;
	if (!(nc = malloc((size_t)width * cap)))
		return mrm_error_set(L->err, MRM_EINPUT, "out of memory reading group codes");
	for (i = 0; i < n; i++) {
		uint32_t c = mrm__gcode(g, i);

		if (width == 2)
			((uint16_t *)nc)[i] = c == UINT32_MAX ? UINT16_MAX : (uint16_t)c;
		else
			((uint32_t *)nc)[i] = c;
	}
	free(g->codes);
	g->codes = nc;
	g->width = width;
	return 0;
}

static void put_code(struct mrm__gcol *g, size_t i, uint32_t c)
{
	if (g->width == 1)
		((uint8_t *)g->codes)[i] = c == UINT32_MAX ? UINT8_MAX : (uint8_t)c;
	else if (g->width == 2)
		((uint16_t *)g->codes)[i] = c == UINT32_MAX ? UINT16_MAX : (uint16_t)c;
	else
		((uint32_t *)g->codes)[i] = c;
}

/* ---- columns ------------------------------------------------------------------ */

static void column_list(struct mrm_table_reader *r, char *buf, size_t cap)
{
	size_t i, n = 0, nc = mrm_table_ncols(r);

	buf[0] = '\0';
	for (i = 0; i < nc; i++) {
		const char *c = mrm_table_colname(r, i);

		if (n + strlen(c) + 24 >= cap) {
			snprintf(buf + n, cap - n, ", ... (%zu in all)", nc);
			return;
		}
		n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", c);
	}
	if (nc == 0)
		snprintf(buf, cap, "none");
}

static int pick(struct loader *L, const char *name, const char *flag, enum mrm_col_type type,
		size_t *slot)
{
	char list[700];

	if (mrm_table_find(L->r, name) < 0) {
		column_list(L->r, list, sizeof(list));
		return mrm_error_set(L->err, MRM_EINPUT, "%s: no column '%.200s' for %s (columns: %s)",
				     mrm_table_name(L->r), name, flag, list);
	}
	return mrm_table_select(L->r, name, type, slot, L->err);
}

/* ---- rows --------------------------------------------------------------------- */

static int grow_batch(struct loader *L, size_t rows)
{
	if (rows <= L->bcap)
		return 0;
	free(L->by);
	free(L->bs);
	free(L->bw);
	free(L->bidx);
	L->by = malloc(rows);
	L->bs = malloc(rows * sizeof(double));
	L->bw = malloc(rows * sizeof(double));
	L->bidx = malloc(rows * sizeof(uint32_t));
	if (!L->by || !L->bs || !L->bw || !L->bidx) {
		L->bcap = 0;
		return mrm_error_set(L->err, MRM_EINPUT, "out of memory for a batch of %zu rows", rows);
	}
	L->bcap = rows;
	return 0;
}

/* Class of code `c` of a categorical label-like column, computed once per code. */
static uint8_t code_class(struct codemap *m, const struct mrm_table_column *col, uint32_t c,
			  const char *positive)
{
	if (m->cls[c] == L_UNSET)
		m->cls[c] = classify_label(col->dict->str[c], col->dict->len[c], positive);
	return m->cls[c];
}

static uint8_t group_class(struct codemap *m, const struct mrm_table_column *col, uint32_t c)
{
	if (m->cls[c] == L_UNSET)
		m->cls[c] = is_nan_text(col->dict->str[c], col->dict->len[c]) ? L_MISSING : L_NEG;
	return m->cls[c];
}

/* Multiclass: the class index of a label string among the --score classes, or -1. */
static long class_index(const struct mrm__vdata *d, const char *s, size_t len)
{
	size_t k;

	for (k = 0; k < d->nclasses; k++)
		if (same_value(s, len, d->classes[k]))
			return (long)k;
	return -1;
}

static int batch(struct loader *L, const struct mrm_table *b)
{
	const struct mrm_validate_options *o = L->o;
	struct mrm__vdata *d = L->d;
	const struct mrm_table_column *lab = &b->cols[L->s_label];
	const struct mrm_table_column *pred = o->prediction ? &b->cols[L->s_pred] : NULL;
	const double *champ = o->champion ? b->cols[L->s_champ].num : NULL;
	const double *wt = o->weight ? b->cols[L->s_weight].num : NULL;
	bool stream = o->task == MRM_TASK_BINARY && o->streaming;
	size_t i, k, m = 0;
	int rc;

	if (b->nrows == 0)
		return 0;
	if (L->where) {
		if (b->nrows > L->keepcap) {
			free(L->keep);
			if (!(L->keep = malloc(b->nrows)))
				return mrm_error_set(L->err, MRM_EINPUT, "out of memory");
			L->keepcap = b->nrows;
		}
		if ((rc = mrm__where_eval(L->where, b, L->keep, L->err)))
			return rc;
	}
	if ((rc = ensure(L, b->nrows)))
		return rc;
	if (stream && (rc = grow_batch(L, b->nrows)))
		return rc;
	if (lab->type == MRM_COL_CATEGORICAL && codemap_grow(&L->lab, lab->dict->n))
		return mrm_error_set(L->err, MRM_EINPUT, "out of memory");
	if (pred && pred->type == MRM_COL_CATEGORICAL && codemap_grow(&L->pred, pred->dict->n))
		return mrm_error_set(L->err, MRM_EINPUT, "out of memory");
	for (k = 0; k < d->ng; k++) {
		const struct mrm_table_column *gc = &b->cols[d->g[k].slot];

		if (codemap_grow(&L->grp[k], gc->dict->n ? gc->dict->n : 1))
			return mrm_error_set(L->err, MRM_EINPUT, "out of memory");
		if (!stream && gc->dict->n && (rc = widen(L, &d->g[k], gc->dict->n - 1)))
			return rc;
	}
	for (i = 0; i < b->nrows; i++) {
		uint64_t line = b->first_line + i;
		uint8_t y = 0, py = 0;
		double s = 0, w = 1;
		uint32_t lc = 0, pcode = 0;

		if (L->where && !L->keep[i]) {
			d->excluded[MRM__EX_WHERE]++;
			continue;
		}
		/* label */
		if (o->task == MRM_TASK_REGRESSION) {
			if (isnan(lab->num[i])) {
				d->excluded[MRM__EX_LABEL]++;
				continue;
			}
		} else {
			lc = lab->codes[i];
			if (lc == MRM_TABLE_NA_CODE) {
				d->excluded[MRM__EX_LABEL]++;
				continue;
			}
			if (o->task == MRM_TASK_BINARY) {
				y = code_class(&L->lab, lab, lc, o->positive);
				if (y == L_MISSING) {
					d->excluded[MRM__EX_LABEL]++;
					continue;
				}
			} else if (is_nan_text(lab->dict->str[lc], lab->dict->len[lc])) {
				d->excluded[MRM__EX_LABEL]++;
				continue;
			}
		}
		/* score(s) or prediction */
		if (pred) {
			if (o->task == MRM_TASK_REGRESSION) {
				if (isnan(pred->num[i])) {
					d->excluded[MRM__EX_PREDICTION]++;
					continue;
				}
			} else {
				pcode = pred->codes[i];
				if (pcode == MRM_TABLE_NA_CODE ||
				    is_nan_text(pred->dict->str[pcode], pred->dict->len[pcode])) {
					d->excluded[MRM__EX_PREDICTION]++;
					continue;
				}
				if (o->task == MRM_TASK_BINARY)
					py = code_class(&L->pred, pred, pcode, o->positive);
			}
		} else {
			bool miss = false;

			for (k = 0; k < L->nscore; k++)
				miss |= isnan(b->cols[L->s_score[k]].num[i]);
			if (miss) {
				d->excluded[MRM__EX_SCORE]++;
				continue;
			}
			s = b->cols[L->s_score[0]].num[i];
		}
		if (champ && isnan(champ[i])) {
			d->excluded[MRM__EX_CHAMPION]++;
			continue;
		}
		if (wt) {
			w = wt[i];
			if (isnan(w)) {
				d->excluded[MRM__EX_WEIGHT]++;
				continue;
			}
			if (w < 0) {
				if (o->read.skip_bad_rows) {
					if (!d->skipped_negative_weight++)
						d->first_neg_weight_line = line;
					continue;
				}
				return mrm_error_set(L->err, MRM_EINPUT,
						     "%s:%llu: weight %g is negative (column '%s')",
						     d->name, (unsigned long long)line, w, o->weight);
			}
			if (w == 0) {
				d->excluded[MRM__EX_ZERO_WEIGHT]++;
				continue;
			}
		}
		/* accepted */
		if (o->task == MRM_TASK_BINARY) {
			if (!L->lab.first_line[lc])
				L->lab.first_line[lc] = line;
			L->lab.count[lc]++;
			if (pred) {
				if (!L->pred.first_line[pcode])
					L->pred.first_line[pcode] = line;
				L->pred.count[pcode]++;
				if (py == L_UNKNOWN)
					py = 0;
				s = py;
			}
			if (y == L_UNKNOWN)
				y = 0; /* refused after reading, with every value listed */
			d->pos_rows += y;
		} else if (o->task == MRM_TASK_MULTICLASS) {
			if (!L->lab.first_line[lc])
				L->lab.first_line[lc] = line;
			L->lab.count[lc]++;
			if (pred) {
				if (!L->pred.first_line[pcode])
					L->pred.first_line[pcode] = line;
				L->pred.count[pcode]++;
			}
		}
		for (k = 0; k < d->ng; k++) {
			const struct mrm_table_column *gc = &b->cols[d->g[k].slot];
			uint32_t c = gc->codes[i];

			if (c != MRM_TABLE_NA_CODE && group_class(&L->grp[k], gc, c) == L_MISSING)
				c = MRM_TABLE_NA_CODE;
			if (c == MRM_TABLE_NA_CODE)
				d->g[k].missing++;
			if (!stream)
				put_code(&d->g[k], d->n, c == MRM_TABLE_NA_CODE ? UINT32_MAX : c);
		}
		if (stream) {
			L->by[m] = y;
			L->bs[m] = s;
			L->bw[m] = w;
			L->bidx[m] = (uint32_t)i;
			m++;
			continue;
		}
		switch (o->task) {
		case MRM_TASK_BINARY:
			if (d->n >= ((size_t)1 << 31) - 1)
				return mrm_error_set(L->err, MRM_EINPUT,
						     "%s: more than 2147483646 rows: split the file "
						     "(or use --streaming)", d->name);
			d->keys[d->n] = mrm__vkey(s);
			d->pay[d->n] = (uint32_t)(d->n << 1) | y;
			if (champ)
				d->champion[d->n] = champ[i];
			break;
		case MRM_TASK_REGRESSION:
			d->yr[d->n] = lab->num[i];
			d->pr[d->n] = pred ? pred->num[i] : s;
			break;
		case MRM_TASK_MULTICLASS:
			d->yc[d->n] = lc;
			if (pred) {
				d->pc[d->n] = pcode;
			} else {
				double *p = d->proba + d->n * L->nscore;

				for (k = 0; k < L->nscore; k++) {
					p[k] = b->cols[L->s_score[k]].num[i];
					if (p[k] < 0)
						return mrm_error_set(L->err, MRM_EINPUT,
								     "%s:%llu: probability %g in column '%s' is negative",
								     d->name, (unsigned long long)line, p[k],
								     o->score[k]);
				}
			}
			break;
		}
		if (d->w)
			d->w[d->n] = w;
		d->n++;
	}
	if (stream && m) {
		const uint32_t *codes[MRM__MAX_GROUPS];
		uint32_t *tmp = NULL;

		/* Group codes of the accepted rows, missing as UINT32_MAX. */
		if (d->ng && !(tmp = malloc(m * d->ng * sizeof(uint32_t))))
			return mrm_error_set(L->err, MRM_EINPUT, "out of memory");
		for (k = 0; k < d->ng; k++) {
			const struct mrm_table_column *gc = &b->cols[d->g[k].slot];
			uint32_t *t = tmp + k * m;

			for (i = 0; i < m; i++) {
				uint32_t c = gc->codes[L->bidx[i]];

				t[i] = (c == MRM_TABLE_NA_CODE || L->grp[k].cls[c] == L_MISSING) ? UINT32_MAX : c;
			}
			codes[k] = t;
		}
		rc = mrm__stream_add(d, L->by, L->bs, o->weight ? L->bw : NULL, codes, m, L->err);
		free(tmp);
		if (rc)
			return rc;
		d->n += m;
	}
	return 0;
}

/* ---- after reading ---------------------------------------------------------------- */

/* "a, b, c and 3 more" of the codes seen in accepted rows, most frequent first. */
static void seen_values(const struct codemap *m, const struct mrm_table_column *col,
			size_t limit, char *buf, size_t cap, size_t *nseen)
{
	size_t i, n = 0, shown = 0, len = 0;
	bool *used = calloc(m->n ? m->n : 1, 1);

	buf[0] = '\0';
	for (i = 0; i < m->n; i++)
		n += m->count[i] > 0;
	*nseen = n;
	while (used && shown < limit && shown < n) {
		size_t best = SIZE_MAX;

		for (i = 0; i < m->n; i++)
			if (m->count[i] && !used[i] &&
			    (best == SIZE_MAX || m->count[i] > m->count[best] ||
			     (m->count[i] == m->count[best] && m->first_line[i] < m->first_line[best])))
				best = i;
		if (best == SIZE_MAX)
			break;
		used[best] = true;
		len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, "%s'%.40s'",
					!shown ? "" : shown + 1 == n && n == 2 ? " and " : ", ",
					col->dict->str[best]);
		shown++;
	}
	if (n > shown && len < cap)
		snprintf(buf + len, cap - len, " and %zu more", n - shown);
	free(used);
}

/* Refuses labels that a binary task cannot read; warns about one-vs-rest. */
static int check_binary_labels(struct loader *L, const struct mrm_table_column *lab,
			       struct codemap *m, const char *what, const char *col)
{
	const struct mrm_validate_options *o = L->o;
	struct mrm__vdata *d = L->d;
	char vals[400];
	size_t i, nseen, unknown = 0;
	uint64_t first = 0;

	seen_values(m, lab, 5, vals, sizeof(vals), &nseen);
	for (i = 0; i < m->n; i++)
		if (m->count[i] && m->cls[i] == L_UNKNOWN) {
			unknown++;
			if (!first || m->first_line[i] < first)
				first = m->first_line[i];
		}
	if (unknown) {
		if (nseen > 2)
			return mrm_error_set(L->err, MRM_EINPUT,
					     "%s: %s column '%s' has %zu values (%s), not two: use --task "
					     "multiclass, or --positive VALUE to count one value as positive "
					     "and the others as negative", d->name, what, col, nseen, vals);
		return mrm_error_set(L->err, MRM_EINPUT,
				     "%s:%llu: %s column '%s' has values %s, not 0/1, true/false or "
				     "yes/no: say which is positive with --positive VALUE",
				     d->name, (unsigned long long)first, what, col, vals);
	}
	if (o->positive) {
		bool any = false;

		for (i = 0; i < lab->dict->n; i++)
			any |= same_value(lab->dict->str[i], lab->dict->len[i], o->positive);
		if (!any && !strcmp(what, "label"))
			return mrm_error_set(L->err, MRM_EINPUT,
					     "%s: no %s in column '%s' equals --positive '%s' (values: %s)",
					     d->name, what, col, o->positive, vals);
		if (nseen > 2)
			mrm__warn(d->warnings, "%s column '%s' has %zu values (%s): '%s' counts as "
				  "positive and every other value as negative (one-vs-rest)",
				  what, col, nseen, vals, o->positive);
	}
	return 0;
}

/* Multiclass classes: the --score columns (or --classes), or labels and predictions seen. */
static int setup_classes(struct loader *L)
{
	struct mrm__vdata *d = L->d;
	const struct mrm_validate_options *o = L->o;
	size_t k, K = L->nscore, pre = 0;

	if (o->prediction)
		return 0;
	d->classes = calloc(K, sizeof(char *));
	if (!d->classes)
		return mrm_error_set(L->err, MRM_EINPUT, "out of memory");
	d->nclasses = K;
	if (o->classes) {
		for (k = 0; o->classes[k]; k++)
			;
		if (k != K)
			return mrm_error_set(L->err, MRM_EUSAGE,
					     "--classes names %zu classes but --score gives %zu columns", k, K);
		for (k = 0; k < K; k++)
			if (!(d->classes[k] = strdup(o->classes[k])))
				return mrm_error_set(L->err, MRM_EINPUT, "out of memory");
		return 0;
	}
	/* Common prefix of the column names, cut after a non-alphanumeric character. */
	if (K > 1) {
		const char *a = o->score[0];
		size_t n = strlen(a);

		for (k = 1; k < K; k++) {
			size_t j = 0;

			while (j < n && a[j] == o->score[k][j])
				j++;
			n = j;
		}
		pre = n;
		for (k = 0; k < K; k++)
			if (!o->score[k][pre])
				pre = 0; /* a name would become empty */
	}
	for (k = 0; k < K; k++)
		if (!(d->classes[k] = strdup(o->score[k] + pre)))
			return mrm_error_set(L->err, MRM_EINPUT, "out of memory");
	return 0;
}

static int cmp_class(const void *a, const void *b)
{
	return mrm__cmp_names(*(const char *const *)a, *(const char *const *)b);
}

/* Maps multiclass label (and prediction) codes to class indices. */
static int finish_multiclass(struct loader *L, const struct mrm_table_column *lab,
			     const struct mrm_table_column *pred)
{
	struct mrm__vdata *d = L->d;
	const struct mrm_validate_options *o = L->o;
	long *lmap = NULL, *pmap = NULL;
	size_t i, k;
	int rc = 0;

	if (o->prediction) {
		/* Classes: every value of the labels and the predictions, sorted. */
		char **names = calloc(L->lab.n + L->pred.n + 1, sizeof(char *));
		size_t nn = 0;

		if (!names)
			return mrm_error_set(L->err, MRM_EINPUT, "out of memory");
		for (i = 0; i < L->lab.n; i++)
			if (L->lab.count[i])
				names[nn++] = (char *)lab->dict->str[i];
		for (i = 0; i < L->pred.n; i++) {
			bool dup = false;

			if (!L->pred.count[i])
				continue;
			for (k = 0; k < nn && !dup; k++)
				dup = !strcmp(names[k], pred->dict->str[i]);
			if (!dup)
				names[nn++] = (char *)pred->dict->str[i];
		}
		qsort(names, nn, sizeof(*names), cmp_class);
		d->classes = calloc(nn ? nn : 1, sizeof(char *));
		if (!d->classes) {
			free(names);
			return mrm_error_set(L->err, MRM_EINPUT, "out of memory");
		}
		d->nclasses = nn;
		for (k = 0; k < nn; k++)
			if (!(d->classes[k] = strdup(names[k])))
				rc = mrm_error_set(L->err, MRM_EINPUT, "out of memory");
		free(names);
		if (rc)
			return rc;
	}
	lmap = malloc((L->lab.n + 1) * sizeof(long));
	pmap = malloc((L->pred.n + 1) * sizeof(long));
	if (!lmap || !pmap) {
		rc = mrm_error_set(L->err, MRM_EINPUT, "out of memory");
		goto out;
	}
	for (i = 0; i < L->lab.n; i++) {
		lmap[i] = -1;
		if (!L->lab.count[i])
			continue;
		if (o->prediction) {
			for (k = 0; k < d->nclasses; k++)
				if (!strcmp(d->classes[k], lab->dict->str[i]))
					lmap[i] = (long)k;
		} else {
			lmap[i] = class_index(d, lab->dict->str[i], lab->dict->len[i]);
		}
		if (lmap[i] < 0) {
			char list[400];
			size_t len = 0;

			list[0] = '\0';
			for (k = 0; k < d->nclasses && len < sizeof(list); k++)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s'%s'",
							k ? ", " : "", d->classes[k]);
			rc = mrm_error_set(L->err, MRM_EINPUT,
					   "%s:%llu: label '%.60s' is not one of the classes of the "
					   "--score columns (%s): name them with --classes",
					   d->name, (unsigned long long)L->lab.first_line[i],
					   lab->dict->str[i], list);
			goto out;
		}
	}
	for (i = 0; i < L->pred.n; i++) {
		pmap[i] = -1;
		for (k = 0; L->pred.count[i] && k < d->nclasses; k++)
			if (!strcmp(d->classes[k], pred->dict->str[i]))
				pmap[i] = (long)k;
	}
	for (i = 0; i < d->n; i++) {
		d->yc[i] = (uint32_t)lmap[d->yc[i]];
		if (d->pc)
			d->pc[i] = (uint32_t)pmap[d->pc[i]];
	}
out:
	free(lmap);
	free(pmap);
	return rc;
}

static int copy_dict(struct mrm__gcol *g, const struct mrm_table_dict *dict)
{
	uint32_t i;

	g->ndict = dict->n;
	g->values = calloc(g->ndict ? g->ndict : 1, sizeof(char *));
	if (!g->values)
		return -1;
	for (i = 0; i < g->ndict; i++)
		if (!(g->values[i] = strdup(dict->str[i])))
			return -1;
	return 0;
}

/* ---- the whole read ------------------------------------------------------------ */

int mrm__load(const struct mrm_validate_options *o, struct mrm__vdata *d, json_t *warnings,
	      struct mrm_error *err)
{
	struct loader L = { 0 };
	struct mrm_table_options topt;
	struct src src = { .fd = -1 };
	const char **na = NULL;
	const struct mrm_table *b;
	struct mrm_table_column lab_col = { 0 }, pred_col = { 0 };
	struct mrm_table_dict lab_dict = { 0 }, pred_dict = { 0 };
	struct mrm_table_dict gdict[MRM__MAX_GROUPS];
	size_t i, nna = 0;
	int rc;

	memset(d, 0, sizeof(*d));
	memset(gdict, 0, sizeof(gdict));
	d->o = o;
	d->warnings = warnings;
	L.o = o;
	L.d = d;
	L.err = err;
	for (i = 0; o->score && o->score[i]; i++)
		;
	L.nscore = i;
	if (L.nscore > 64)
		return mrm_error_set(err, MRM_EUSAGE, "at most 64 --score columns");
	d->name = strdup(strcmp(o->data, "-") ? o->data : "<stdin>");
	if (!d->name)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	if (o->where && (rc = mrm__where_parse(o->where, &L.where, err)))
		goto out;

	/* The source. */
	if (o->data_fn) {
		src.fn = o->data_fn;
		src.arg = o->data_arg;
	} else if (!strcmp(o->data, "-")) {
		src.fd = 0;
	} else {
		struct stat st;

		src.fd = open(o->data, O_RDONLY | O_CLOEXEC);
		if (src.fd < 0) {
			rc = mrm_error_set(err, MRM_EINPUT, "cannot read %s: %s", o->data, strerror(errno));
			goto out;
		}
		src.close_fd = true;
		if (fstat(src.fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = mrm_error_set(err, MRM_EINPUT, "cannot read %s: Is a directory", o->data);
			goto out;
		}
	}
	if (mrm_sha256_init(&src.h, NULL) == 0)
		src.hashing = true;

	/* Reading options: NaN is not a missing value (a NaN score is an error). */
	topt = o->read;
	for (i = 0; o->read.na && o->read.na[i]; i++)
		;
	na = calloc(i + sizeof(default_na) / sizeof(default_na[0]) + 1, sizeof(*na));
	if (!na) {
		rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
		goto out;
	}
	if (!o->read.no_default_na)
		for (i = 0; i < sizeof(default_na) / sizeof(default_na[0]); i++)
			na[nna++] = default_na[i];
	for (i = 0; o->read.na && o->read.na[i]; i++)
		na[nna++] = o->read.na[i];
	topt.na = na;
	topt.no_default_na = true;
	topt.name = d->name;
	if ((rc = mrm_table_open_fn(d->name, src_read, &src, &topt, &L.r, err)))
		goto out;
	snprintf(d->format, sizeof(d->format), "%s",
		 mrm_table_format_of(L.r) == MRM_TABLE_JSONL ? "jsonl" : "csv");
	d->delimiter = mrm_table_delimiter(L.r);

	/* Columns: only those the command needs. */
	if ((rc = pick(&L, o->label, "--label",
		       o->task == MRM_TASK_REGRESSION ? MRM_COL_NUMERIC : MRM_COL_CATEGORICAL,
		       &L.s_label)))
		goto out;
	for (i = 0; i < L.nscore; i++)
		if ((rc = pick(&L, o->score[i], "--score", MRM_COL_NUMERIC, &L.s_score[i])))
			goto out;
	if (o->prediction &&
	    (rc = pick(&L, o->prediction, "--prediction",
		       o->task == MRM_TASK_REGRESSION ? MRM_COL_NUMERIC : MRM_COL_CATEGORICAL,
		       &L.s_pred)))
		goto out;
	if (o->champion && (rc = pick(&L, o->champion, "--champion", MRM_COL_NUMERIC, &L.s_champ)))
		goto out;
	if (o->weight && (rc = pick(&L, o->weight, "--weight", MRM_COL_NUMERIC, &L.s_weight)))
		goto out;
	for (i = 0; o->groups && o->groups[i]; i++) {
		if (i >= MRM__MAX_GROUPS) {
			rc = mrm_error_set(err, MRM_EUSAGE, "at most %d --group columns", MRM__MAX_GROUPS);
			goto out;
		}
		d->g[i].name = o->groups[i];
		d->g[i].width = 1;
		if ((rc = pick(&L, o->groups[i], "--group", MRM_COL_CATEGORICAL, &d->g[i].slot)))
			goto out;
		d->ng++;
	}
	for (i = 0; L.where && i < mrm__where_ncols(L.where); i++) {
		size_t slot;

		if (mrm_table_find(L.r, mrm__where_col(L.where, i)) < 0) {
			char list[700];

			column_list(L.r, list, sizeof(list));
			rc = mrm__where_column_error(L.where, i, list, err);
			goto out;
		}
		if ((rc = mrm_table_select(L.r, mrm__where_col(L.where, i), MRM_COL_AUTO, &slot, err)))
			goto out;
		mrm__where_bind(L.where, i, slot);
	}
	if (o->task == MRM_TASK_MULTICLASS && (rc = setup_classes(&L)))
		goto out;

	if (o->task == MRM_TASK_BINARY && o->streaming)
		mrm_binary_acc_init(&d->acc, o->prediction ? 0.5 : o->threshold_given ? o->threshold : 0.5,
				    o->bins ? o->bins : 10);
	/* Rows. */
	while (!(rc = mrm_table_next(L.r, &b, err)) && b) {
		if ((rc = batch(&L, b)))
			goto out;
		if (b->nrows) {
			/* Keep the last dictionaries for the messages after the loop. */
			lab_col = b->cols[L.s_label];
			if (lab_col.type == MRM_COL_CATEGORICAL) {
				lab_dict = *lab_col.dict;
				lab_col.dict = &lab_dict;
			}
			for (i = 0; i < d->ng; i++)
				gdict[i] = *b->cols[d->g[i].slot].dict;
			if (o->prediction) {
				pred_col = b->cols[L.s_pred];
				if (pred_col.type == MRM_COL_CATEGORICAL) {
					pred_dict = *pred_col.dict;
					pred_col.dict = &pred_dict;
				}
			}
		}
	}
	if (rc)
		goto out;
	{
		const struct mrm_table_stats *st = mrm_table_stats(L.r);

		d->rows_read = st->rows;
		if (o->read.skip_bad_rows) {
			char sum[1024];
			json_t *reasons = json_object(), *lines = json_object();
			int k;

			mrm_table_bad_summary(L.r, sum, sizeof(sum));
			for (k = 0; k < MRM_TABLE_NREASONS; k++) {
				json_t *ls;
				int j;

				if (!st->bad[k])
					continue;
				json_object_set_new(reasons, mrm_table_reason(k), json_integer((json_int_t)st->bad[k]));
				ls = json_array();
				for (j = 0; j < MRM_TABLE_BAD_LINES && st->bad_lines[k][j]; j++)
					json_array_append_new(ls, json_integer((json_int_t)st->bad_lines[k][j]));
				json_object_set_new(lines, mrm_table_reason(k), ls);
			}
			if (d->skipped_negative_weight) {
				json_object_set_new(reasons, "negative weight",
						    json_integer((json_int_t)d->skipped_negative_weight));
				json_object_set_new(lines, "negative weight",
						    json_pack("[I]", (json_int_t)d->first_neg_weight_line));
			}
			d->bad_rows = json_pack("{s:I,s:o,s:o,s:s}", "count",
						(json_int_t)(st->bad_rows + d->skipped_negative_weight),
						"reasons", reasons, "first_lines", lines, "summary", sum);
		}
		/* The rows were read; the remaining checks concern their values. */
		if (o->task == MRM_TASK_BINARY && L.lab.n &&
		    (rc = check_binary_labels(&L, &lab_col, &L.lab, "label", o->label)))
			goto out;
		if (o->task == MRM_TASK_BINARY && o->prediction && L.pred.n &&
		    (rc = check_binary_labels(&L, &pred_col, &L.pred, "prediction", o->prediction)))
			goto out;
		if (o->task == MRM_TASK_MULTICLASS && (rc = finish_multiclass(&L, &lab_col, &pred_col)))
			goto out;
	}
	/* The dictionaries live as long as the reader: copy the group values. */
	for (i = 0; i < d->ng; i++)
		if (copy_dict(&d->g[i], &gdict[i])) {
			rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
			goto out;
		}
	if (src.hashing) {
		mrm_sha256_final(&src.h, d->sha256);
		src.hashing = false;
		d->hashed = true;
	}
	d->bytes = src.bytes;
out:
	if (src.hashing)
		mrm_sha256_release(&src.h);
	mrm_table_close(L.r);
	if (src.close_fd)
		close(src.fd);
	free(na);
	mrm__where_free(L.where);
	free(L.keep);
	free(L.by);
	free(L.bs);
	free(L.bw);
	free(L.bidx);
	codemap_release(&L.lab);
	codemap_release(&L.pred);
	for (i = 0; i < MRM__MAX_GROUPS; i++)
		codemap_release(&L.grp[i]);
	return rc;
}

void mrm__vdata_release(struct mrm__vdata *d)
{
	size_t i, k;

	free(d->keys);
	free(d->pay);
	free(d->champion);
	free(d->yr);
	free(d->pr);
	free(d->yc);
	free(d->pc);
	free(d->proba);
	free(d->w);
	for (i = 0; i < d->nclasses; i++)
		free(d->classes[i]);
	free(d->classes);
	for (i = 0; i < MRM__MAX_GROUPS; i++) {
		free(d->g[i].codes);
		for (k = 0; k < d->g[i].ndict; k++)
			free(d->g[i].values[k]);
		free(d->g[i].values);
	}
	for (i = 0; i <= MRM__MAX_GROUPS; i++) {
		free(d->slice_acc[i]);
		free(d->slice_rows[i]);
	}
	mrm_strmap_free(d->ix_map);
	free(d->ix_tuples);
	json_decref(d->bad_rows);
	free(d->name);
	memset(d, 0, sizeof(*d));
}
