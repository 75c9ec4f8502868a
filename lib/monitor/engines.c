/*
 * The drift and validation runs a monitor run needs, with their failures as reasons; metrics
 * per time window for windowed metric monitors.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor/drift-window.h"
#include "monitor/engines.h"
#include "mrm/drift.h"
#include "mrm/table.h"
#include "mrm/timeutil.h"
#include "mrm/validate.h"

void mrm__monitor_drift(const char *reference, json_t *columns, const char *window,
			const char *timestamp, const char *current,
			const struct mrm_table_options *read, json_t **doc, char *why, size_t cap)
{
	struct mrm_drift_options o = { 0 };
	struct mrm_error e = { 0 };
	const char **names = NULL;
	json_t *v;
	size_t i;
	int rc;

	*doc = NULL;
	if (json_array_size(columns)) {
		if (!(names = calloc(json_array_size(columns) + 1, sizeof(*names)))) {
			snprintf(why, cap, "out of memory");
			return;
		}
		json_array_foreach(columns, i, v)
			names[i] = json_string_value(v);
		o.columns = names;
	}
	o.reference = reference;
	o.current = current;
	if (read)
		o.read = *read;
	/* With a window the document has "windows", evaluated one by one (monitors.c). */
	o.window = window;
	o.timestamp = timestamp;
	rc = mrm_drift_run(&o, doc, &e);
	if (rc && rc != MRM_ECHECK) {
		json_decref(*doc);
		*doc = NULL;
		snprintf(why, cap, "%s", e.msg[0] ? e.msg : mrm_strerror(rc));
	}
	free(names);
}

/* Validates data (a path, or the bytes of fn when fn is set, named `data`) for the metrics. */
static void validate_metrics(const char *data, mrm_table_read_fn fn, void *arg,
			     const struct mrm_table_options *read, const char *label,
			     const char *score, bool regression, bool has_threshold, double threshold,
			     json_t **doc, char *why, size_t cap)
{
	struct mrm_validate_options o = { 0 };
	const char *scores[2] = { score, NULL };
	struct mrm_error e = { 0 };
	int rc;

	o.data = data;
	o.data_fn = fn;
	o.data_arg = arg;
	if (read)
		o.read = *read;
	o.task = regression ? MRM_TASK_REGRESSION : MRM_TASK_BINARY;
	o.label = label;
	o.score = scores;
	o.threshold = threshold;
	o.threshold_given = has_threshold;
	*doc = NULL;
	rc = mrm_validate(&o, doc, &e);
	if (rc && rc != MRM_ECHECK) {
		json_decref(*doc);
		*doc = NULL;
		snprintf(why, cap, "%s", e.msg[0] ? e.msg : mrm_strerror(rc));
	}
}

void mrm__monitor_metrics(const char *data, const struct mrm_table_options *read,
			  const char *label, const char *score, bool regression, bool has_threshold,
			  double threshold, json_t **doc, char *why, size_t cap)
{
	validate_metrics(data, NULL, NULL, read, label, score, regression, has_threshold, threshold,
			 doc, why, cap);
}

/* ---- metrics per window ------------------------------------------------------------ */

/* The rows of the data as the windows need them: window start, label and score text. */
struct wrows {
	int64_t *start;
	uint64_t *off;     /* row i's label at text + off[2i], its score at text + off[2i + 1] */
	uint8_t *miss;     /* bit 0: label missing, bit 1: score missing */
	size_t n, cap;
	char *text;
	size_t tlen, tcap;
};

static void wrows_release(struct wrows *w)
{
	free(w->start);
	free(w->off);
	free(w->miss);
	free(w->text);
}

static int put_text(struct wrows *w, const char *s, size_t len)
{
	if (w->tlen + len + 1 > w->tcap) {
		size_t cap = w->tcap ? w->tcap : 4096;
		char *t;

		while (cap < w->tlen + len + 1)
			cap *= 2;
		if (!(t = realloc(w->text, cap)))
			return -1;
		w->text = t;
		w->tcap = cap;
	}
	memcpy(w->text + w->tlen, s, len);
	w->text[w->tlen + len] = 0;
	w->tlen += len + 1;
	return 0;
}

static int add_row(struct wrows *w, int64_t start, const struct mrm_table_column *lc,
		   const struct mrm_table_column *sc, uint64_t row)
{
	size_t ll, sl;
	const char *l = mrm_table_text(lc, row, &ll), *s = mrm_table_text(sc, row, &sl);

	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 1024;
		int64_t *st = realloc(w->start, cap * sizeof(*st));
		uint64_t *off;
		uint8_t *m;

		if (!st)
			return -1;
		w->start = st;
		if (!(off = realloc(w->off, 2 * cap * sizeof(*off))))
			return -1;
		w->off = off;
		if (!(m = realloc(w->miss, cap)))
			return -1;
		w->miss = m;
		w->cap = cap;
	}
	w->start[w->n] = start;
	w->miss[w->n] = (uint8_t)(mrm_table_missing(lc, row) | mrm_table_missing(sc, row) << 1);
	w->off[2 * w->n] = w->tlen;
	if (put_text(w, l, ll))
		return -1;
	w->off[2 * w->n + 1] = w->tlen;
	if (put_text(w, s, sl))
		return -1;
	w->n++;
	return 0;
}

/* Reads the timestamp, label and score of every row; the window of each. */
static int read_rows(const char *data, const struct mrm_table_options *read, const char *timestamp,
		     const char *label, const char *score, int64_t len, int64_t origin,
		     struct wrows *w, struct mrm_error *err)
{
	struct mrm_table_reader *r = NULL;
	const struct mrm_table *b;
	size_t ts, ls, ss;
	uint64_t i;
	int rc;

	if ((rc = mrm_table_open(data, read, &r, err)))
		return rc;
	if ((rc = mrm_table_select(r, timestamp, MRM_COL_TEXT, &ts, err)) ||
	    (rc = mrm_table_select(r, label, MRM_COL_TEXT, &ls, err)) ||
	    (rc = mrm_table_select(r, score, MRM_COL_TEXT, &ss, err)))
		goto out;
	while (!(rc = mrm_table_next(r, &b, err)) && b) {
		const struct mrm_table_column *tc = &b->cols[ts];

		for (i = 0; i < b->nrows; i++) {
			size_t n;
			const char *t = mrm_table_text(tc, i, &n);
			int64_t when;

			if (mrm_table_missing(tc, i)) {
				rc = mrm_error_set(err, MRM_EINPUT, "%s:%llu:%zu: the timestamp (%s) is missing",
						   mrm_table_name(r), (unsigned long long)(b->first_line + i),
						   tc->field + 1, timestamp);
				goto out;
			}
			if (drift_time_parse(t, n, &when)) {
				rc = mrm_error_set(err, MRM_EINPUT, "%s:%llu:%zu: timestamp '%.*s' is not an "
						   "ISO 8601 date or date-time, nor epoch seconds",
						   mrm_table_name(r), (unsigned long long)(b->first_line + i),
						   tc->field + 1, (int)(n > 64 ? 64 : n), t);
				goto out;
			}
			if (add_row(w, drift_window_start(when, len, origin), &b->cols[ls], &b->cols[ss], i)) {
				rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
				goto out;
			}
		}
	}
out:
	mrm_table_close(r);
	return rc;
}

/* Appends a CSV field, quoted (missing: empty). */
static void csv_field(FILE *f, const char *s, bool missing)
{
	if (missing)
		return;
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* A window's CSV in memory, read as a file would be. */
struct membuf {
	const char *p;
	size_t n, at;
};

static ssize_t mem_read(void *arg, void *buf, size_t len)
{
	struct membuf *m = arg;
	size_t k = m->n - m->at < len ? m->n - m->at : len;

	memcpy(buf, m->p + m->at, k);
	m->at += k;
	return (ssize_t)k;
}

/*
 * One window's metrics: its rows (label, score) as a CSV in memory, validated as the whole
 * file would be. Fills `wd` with "metrics" (and "metrics_undefined"), or "reason".
 */
static void window_metrics(const struct wrows *w, const uint32_t *rows, size_t n, bool regression,
			   bool has_threshold, double threshold, json_t *wd)
{
	char why[MRM_ERROR_MAX], *text = NULL;
	struct membuf m = { 0 };
	json_t *doc = NULL;
	size_t i, len = 0;
	FILE *f;

	if (n == 0) {
		json_object_set_new(wd, "reason", json_string("no rows in this window"));
		return;
	}
	if (!(f = open_memstream(&text, &len))) {
		json_object_set_new(wd, "reason", json_string("out of memory"));
		return;
	}
	fputs("label,score\n", f);
	for (i = 0; i < n; i++) {
		uint32_t r = rows[i];

		csv_field(f, w->text + w->off[2 * r], w->miss[r] & 1);
		fputc(',', f);
		csv_field(f, w->text + w->off[2 * r + 1], w->miss[r] & 2);
		fputc('\n', f);
	}
	if (fclose(f)) {
		free(text);
		json_object_set_new(wd, "reason", json_string("out of memory"));
		return;
	}
	m.p = text;
	m.n = len;
	why[0] = 0;
	validate_metrics("this window", mem_read, &m, NULL, "label", "score", regression,
			 has_threshold, threshold, &doc, why, sizeof(why));
	free(text);
	if (!doc) {
		json_object_set_new(wd, "reason", json_string(why));
		return;
	}
	json_object_set(wd, "metrics", json_object_get(doc, "metrics"));
	if (json_object_get(doc, "undefined"))
		json_object_set(wd, "metrics_undefined", json_object_get(doc, "undefined"));
	json_decref(doc);
}

void mrm__monitor_metrics_windows(const char *data, const struct mrm_table_options *read,
				  const char *timestamp, const char *window, const char *label,
				  const char *score, bool regression, bool has_threshold,
				  double threshold, json_t **doc, char *why, size_t cap)
{
	struct mrm_table_options ro = { 0 };
	struct mrm_error e = { 0 };
	struct wrows w = { 0 };
	int64_t len, origin, lo = 0, hi = 0, nw;
	uint32_t *rows = NULL;
	size_t *first = NULL, i, k;
	json_t *wins = NULL;

	*doc = NULL;
	if (read)
		ro = *read;
	if (drift_window_parse(window, &len, &origin, &e) ||
	    read_rows(data, &ro, timestamp, label, score, len, origin, &w, &e)) {
		snprintf(why, cap, "%s", e.msg[0] ? e.msg : "cannot read the data");
		goto out;
	}
	if (w.n == 0) {
		snprintf(why, cap, "%s: no data rows", data);
		goto out;
	}
	for (i = 0; i < w.n; i++) {
		lo = i && lo < w.start[i] ? lo : w.start[i];
		hi = i && hi > w.start[i] ? hi : w.start[i];
	}
	nw = (hi - lo) / len + 1;
	if (nw > DRIFT_MAX_WINDOWS) {
		char a[MRM_TIME_LEN], b[MRM_TIME_LEN];

		mrm_time_format(lo, a);
		mrm_time_format(hi, b);
		snprintf(why, cap, "%s: the timestamps span %lld windows of %s from %s to %s, more than "
			 "%d", data, (long long)nw, window, a, b, DRIFT_MAX_WINDOWS);
		goto out;
	}
	/* The rows of each window, in file order: a counting sort by window. */
	first = calloc((size_t)nw + 1, sizeof(*first));
	rows = malloc(w.n * sizeof(*rows));
	wins = json_array();
	if (!first || !rows || !wins) {
		snprintf(why, cap, "out of memory");
		goto out;
	}
	for (i = 0; i < w.n; i++)
		first[(w.start[i] - lo) / len + 1]++;
	for (k = 1; k <= (size_t)nw; k++)
		first[k] += first[k - 1];
	for (i = 0; i < w.n; i++)
		rows[first[(w.start[i] - lo) / len]++] = (uint32_t)i;
	/* first[k] is now the end of window k (the start of k + 1). */
	for (k = 0; k < (size_t)nw; k++) {
		size_t s = k ? first[k - 1] : 0, n = first[k] - s;
		char a[MRM_TIME_LEN], b[MRM_TIME_LEN];
		json_t *wd;

		mrm_time_format(lo + (int64_t)k * len, a);
		mrm_time_format(lo + (int64_t)(k + 1) * len, b);
		wd = json_pack("{s:s, s:s, s:I}", "start", a, "end", b, "rows", (json_int_t)n);
		if (!wd || json_array_append_new(wins, wd)) {
			snprintf(why, cap, "out of memory");
			goto out;
		}
		window_metrics(&w, rows + s, n, regression, has_threshold, threshold, wd);
	}
	*doc = json_pack("{s:s, s:s, s:O}", "timestamp", timestamp, "window", window, "windows", wins);
	if (!*doc)
		snprintf(why, cap, "out of memory");
out:
	json_decref(wins);
	free(first);
	free(rows);
	wrows_release(&w);
}
