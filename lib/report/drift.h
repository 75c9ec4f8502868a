/*
 * Shared by the files of the drift report (drift*.c), not a public API: the
 * render state, the limits that bound the page, and the charts.
 */
#ifndef MRM_REPORT_DRIFT_H
#define MRM_REPORT_DRIFT_H

#include <stdbool.h>
#include <stddef.h>

#include "report/internal.h"

/* Ceilings that keep the page bounded whatever the document holds. */
#define DR_TEXT 300           /* bytes of one user string shown */
#define DR_LONG_TEXT 2000     /* a path, a detail */
#define DR_MAX_COLUMNS 1000   /* rows of the columns table */
#define DR_MAX_DETAILS 60     /* columns shown in detail (most severe first) */
#define DR_MAX_SUMMARY 8      /* drifted columns named in the summary */
#define DR_MAX_SCHEMA 500     /* rows of the schema table */
#define DR_MAX_QUALITY 500    /* rows of the quality table */
#define DR_MAX_BINS 200       /* histogram bins */
#define DR_MAX_CATEGORIES 30  /* categories charted per column */
#define DR_MAX_WINDOWS 5000   /* windows charted */
#define DR_MAX_WINDOW_ROWS 400 /* rows of the windows table */
#define DR_MAX_TS_COLUMNS 12  /* per-column time series */
#define DR_MAX_TS_METRICS 12  /* per-metric time series */
#define DR_SHARE_THRESHOLD 0.5 /* when the document does not say */

#define DR_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A tested column and its place in the severity order. */
struct mrm__dr_col {
	const char *name;
	json_t *col;
	double severity; /* the score relative to its threshold; -1 when undecided */
};

/* The render state: the writer and the parts of the document every section reads. */
struct mrm__dr {
	struct mrm__out *o;
	json_t *doc, *columns, *schema, *quality, *windows;
	struct mrm__dr_col *rows; /* every column, by severity */
	size_t nrows;
	size_t tested, drifted, quality_failed;
	double share, share_thr;
	bool has_share, dataset_drift;
	long first_drift; /* the first window with dataset drift, or -1 */
};

/* printf to the page, for constant formats with numbers; user text goes through dr_esc(). */
#define DP(...) mrm__out_printf(d->o, __VA_ARGS__)

static inline void dr_puts(struct mrm__dr *d, const char *s)
{
	mrm__out_puts(d->o, s);
}

static inline void dr_esc(struct mrm__dr *d, const char *s)
{
	mrm__html_esc(d->o, s, DR_TEXT);
}

static inline void dr_code(struct mrm__dr *d, const char *s)
{
	dr_puts(d, "<code>");
	dr_esc(d, s);
	dr_puts(d, "</code>");
}

/* ---- drift.c: reading a column ------------------------------------------ */

/*
 * The score a column's decision compares with its threshold: the adjusted
 * p-value when there is one, else the p-value (*pbased = true), else the
 * statistic (a distance). False when the column has no decision.
 */
bool mrm__dr_score(json_t *col, double *score, double *thr, bool *pbased);
/* "Kolmogorov-Smirnov" for "ks"; the key itself when unknown. */
const char *mrm__dr_method_label(const char *m);

/* ---- drift-charts.c: each writes one chart ------------------------------- */

/*
 * A small inline chart for a table cell: the column's score as a bar, its
 * threshold as a dashed line at the middle, so a bar past the line has
 * drifted (distances on a linear scale, p-values on a log scale).
 */
void mrm__dr_spark(struct mrm__dr *d, const char *name, json_t *col);
/* The drift share against its threshold, as a horizontal gauge. */
void mrm__dr_gauge(struct mrm__dr *d);
/* Reference against current: "histogram" (numeric) or "categories"; false when neither is usable. */
bool mrm__dr_chart_distribution(struct mrm__dr *d, const char *name, json_t *col);
/* The drift share per window with its threshold, the first drifting window marked. */
void mrm__dr_chart_share(struct mrm__dr *d);
/* Column `name`'s score per window with its threshold. */
void mrm__dr_chart_column_ts(struct mrm__dr *d, const char *name);
/* Metric `name` per window (a number, or {"value", "warn", "alert"}). */
void mrm__dr_chart_metric_ts(struct mrm__dr *d, const char *name);
/* The label of window i for axes and tables: its start, without a midnight time. */
const char *mrm__dr_window_label(json_t *w, char *buf, size_t len);

#endif
