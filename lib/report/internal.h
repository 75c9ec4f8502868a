/*
 * Building blocks shared by the HTML reports of lib/report (not public):
 * a buffered writer over a sink, number formatting, HTML escaping and
 * page pieces (html.c), and inline SVG charts (svg.c). A later report
 * (drift, red team, KPI trends) is a new file that uses these.
 */
#ifndef MRM_REPORT_INTERNAL_H
#define MRM_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "mrm/report.h"

/* ------------------------------------------------------------------ */
/* Buffered writer (out.c)                                             */
/* ------------------------------------------------------------------ */

#define MRM__OUT_BUF 16384

/*
 * Collects output in a buffer and hands it to the sink in large pieces.
 * The first sink error is kept in `rc`; every later write is then a
 * no-op, so renderers write freely and check once at the end.
 */
struct mrm__out {
	mrm_sink_fn sink;
	void *arg;
	int rc;        /* 0, or the first nonzero code the sink returned */
	size_t len;    /* bytes in buf */
	size_t total;  /* bytes accepted so far */
	int ids;       /* counter for element ids unique within the page */
	char buf[MRM__OUT_BUF];
};

void mrm__out_init(struct mrm__out *o, mrm_sink_fn sink, void *arg);
void mrm__out_write(struct mrm__out *o, const void *data, size_t len);
void mrm__out_puts(struct mrm__out *o, const char *s);
void mrm__out_printf(struct mrm__out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Hands what is buffered to the sink; returns o->rc. */
int mrm__out_flush(struct mrm__out *o);
/* A fresh number for ids ("c7-title"); never repeats within one writer. */
int mrm__out_id(struct mrm__out *o);

/* A renderer: writes a page for `doc` to a sink (mrm_report_validation_html's shape). */
typedef int (*mrm__render_fn)(json_t *doc, mrm_sink_fn sink, void *arg,
			      struct mrm_error *err);

/*
 * Runs `render` into "PATH.tmp-PID", flushes and closes it, then renames
 * it over `path`; on any error the temporary file is removed and the
 * error (MRM_EINPUT naming the path, or the renderer's) returned.
 */
int mrm__render_to_file(mrm__render_fn render, json_t *doc, const char *path,
			struct mrm_error *err);

/* ------------------------------------------------------------------ */
/* Numbers (format.c). Every function writes a NUL-terminated string   */
/* into buf (MRM__NUM bytes) and returns buf; a non-finite x gives an  */
/* em dash, never "nan" or "inf". The text is safe HTML (mrm__fmt_p    */
/* may write "&lt;"): write it as is, do not escape it again.          */
/* ------------------------------------------------------------------ */

#define MRM__NUM 48

/* A metric as shown in tables: 4 decimals ("0.7314"); tiny or huge values in e-notation. */
const char *mrm__fmt_metric(char *buf, double x);
/* The same with trailing zeros dropped ("0.61"), for prose. */
const char *mrm__fmt_short(char *buf, double x);
/* Full precision (%.17g), for title attributes. */
const char *mrm__fmt_full(char *buf, double x);
/* A p-value: 4 decimals, e-notation below 0.001, "< 1e-300" for 0. */
const char *mrm__fmt_p(char *buf, double p);
/* A count: "7,214"; a fractional (weighted) count with 2 decimals. */
const char *mrm__fmt_count(char *buf, double x);
/* A share as a percentage with one decimal: "45.1%". */
const char *mrm__fmt_pct(char *buf, double x);
/* An axis tick label for a tick step `step`: as many decimals as the step needs. */
const char *mrm__fmt_tick(char *buf, double x, double step);

/* ------------------------------------------------------------------ */
/* Reading result documents (json.c). Getters return NULL / false for  */
/* a missing key, a key of another type, or a non-object; never fail.  */
/* ------------------------------------------------------------------ */

json_t *mrm__json_obj(json_t *o, const char *k);  /* o[k] if an object */
json_t *mrm__json_arr(json_t *o, const char *k);  /* o[k] if an array */
const char *mrm__json_str(json_t *o, const char *k);
/* A finite number (integer or real) into *out. */
bool mrm__json_number(json_t *x, double *out);
bool mrm__json_num(json_t *o, const char *k, double *out);
/* o[k1], else o[k2] (NULL: none): for keys with two spellings. */
bool mrm__json_num2(json_t *o, const char *k1, const char *k2, double *out);
/* true / "pass" / "passed": 1; false / "fail" / "failed": 0; else -1. */
int mrm__json_pass(json_t *x);
/*
 * Metric k of `metrics`: a number, or an object {"value", "reason"}.
 * When it is not a number, *x is NAN and *reason says why: the object's
 * reason, the string (or {"reason"}) at undefined[k], or "not computed"
 * when the key is absent.
 */
bool mrm__json_metric(json_t *metrics, json_t *undefined, const char *k,
		      double *x, const char **reason);
/* An interval [low, high], or {"low", "high"} / {"lower", "upper"}. */
bool mrm__json_interval(json_t *c, double *lo, double *hi);
/* The interval ci[k]. */
bool mrm__json_interval_of(json_t *ci, const char *k, double *lo, double *hi);
/* The numbers of an array (non-numbers as NAN) in a malloc'd *out; 0 and NULL when empty. */
size_t mrm__json_doubles(json_t *a, double **out);

/* ------------------------------------------------------------------ */
/* HTML (html.c)                                                       */
/* ------------------------------------------------------------------ */

/* The em dash shown for a missing number. */
#define MRM__DASH "\xe2\x80\x94"

/*
 * Writes `s` escaped for HTML text and attribute values (& < > " '),
 * control characters other than tab and newline replaced by U+FFFD. At
 * most `max` bytes of `s` are shown (cut at a UTF-8 boundary, with an
 * ellipsis); 0 means no limit. NULL writes nothing.
 */
void mrm__html_esc(struct mrm__out *o, const char *s, size_t max);
/* The same for `len` bytes of `s`. */
void mrm__html_escn(struct mrm__out *o, const char *s, size_t len, size_t max);

/*
 * Starts a page: doctype, head with `title` (escaped) and the shared
 * stylesheet (screen and print), then <body><main>. `css` (may be NULL) is
 * appended to the stylesheet as is: pass only constant text.
 */
void mrm__html_begin(struct mrm__out *o, const char *title, const char *css);
/* Closes what mrm__html_begin opened. */
void mrm__html_end(struct mrm__out *o);

/* A number cell: the formatted value with the full value as a title; an em dash
 * with `reason` as its title (and shown in small text) when !defined. */
void mrm__html_td_metric(struct mrm__out *o, bool defined, double x,
			 const char *reason);
/* A count cell, right aligned. */
void mrm__html_td_count(struct mrm__out *o, bool defined, double x);
/* A text cell with escaped content. */
void mrm__html_td_text(struct mrm__out *o, const char *s);
/* "<span class="badge pass">PASS</span>" or the FAIL / N/A badge. */
void mrm__html_badge(struct mrm__out *o, int passed /* 1, 0, -1 = not evaluated */);
/* <thead> with the given headers (constant text, not escaped). */
void mrm__html_thead(struct mrm__out *o, const char *const *headers, size_t n);

/* ------------------------------------------------------------------ */
/* SVG charts (svg.c)                                                  */
/* ------------------------------------------------------------------ */

/*
 * A chart: an SVG canvas of w x h pixels with one or more plot areas.
 * Each plot area maps the data box [x0, x1] x [y0, y1] to the pixel box
 * [left, right] x [bottom, top]; values outside the data box are clamped
 * to its edge, so nothing is drawn outside the plot area.
 */
struct mrm__plot {
	double left, right, top, bottom; /* pixels */
	double x0, x1, y0, y1;           /* data */
};

/* Data to pixels. */
double mrm__plot_px(const struct mrm__plot *p, double x);
double mrm__plot_py(const struct mrm__plot *p, double y);

/*
 * Opens <figure><svg> of w x h with role="img", a <title> and a <desc>
 * (both escaped) the svg is labelled by, and the hatch pattern defs.
 * Returns the chart id, used for the hatch fill "url(#hN)".
 */
int mrm__svg_begin(struct mrm__out *o, int w, int h, const char *title,
		   const char *desc);
/* Closes the svg and the figure with an escaped caption (NULL: none). */
void mrm__svg_end(struct mrm__out *o, const char *caption);

/*
 * Axes of a plot: frame, grid lines, ticks and tick labels (about
 * `xticks`/`yticks` "nice" steps; 0 hides that axis' labels), and the axis
 * titles (escaped; NULL for none).
 */
void mrm__svg_axes(struct mrm__out *o, const struct mrm__plot *p, int xticks,
		   int yticks, const char *xlabel, const char *ylabel);

/* Straight line between two data points; `cls` names a CSS class. */
void mrm__svg_line(struct mrm__out *o, const struct mrm__plot *p, double x1,
		   double y1, double x2, double y2, const char *cls);

/*
 * A polyline through (x[i], y[i]); non-finite points are skipped (the
 * line is broken there). Points in the same pixel column are reduced to
 * the first, lowest, highest and last, so a curve monotone in x of a
 * million points stays a few kilobytes (and any path is capped at 20,000
 * points).
 * `step`: draw as a step function (horizontal, then vertical).
 */
void mrm__svg_path(struct mrm__out *o, const struct mrm__plot *p,
		   const double *x, const double *y, size_t n, bool step,
		   const char *cls);

/* A band between lo[i] and hi[i] over x[i] (points with a non-finite value are skipped). */
void mrm__svg_band(struct mrm__out *o, const struct mrm__plot *p,
		   const double *x, const double *lo, const double *hi, size_t n,
		   const char *cls);

/* A rectangle in data coordinates; `hatch_id` > 0 overlays the hatch pattern of that chart. */
void mrm__svg_rect(struct mrm__out *o, const struct mrm__plot *p, double x0,
		   double y0, double x1, double y1, const char *cls, int hatch_id);

/* A vertical error bar at x from lo to hi, with caps `cap` pixels wide. */
void mrm__svg_errbar_v(struct mrm__out *o, const struct mrm__plot *p, double x,
		       double lo, double hi, double cap, const char *cls);
/* A horizontal error bar at y from lo to hi. */
void mrm__svg_errbar_h(struct mrm__out *o, const struct mrm__plot *p, double y,
		       double lo, double hi, double cap, const char *cls);

/* A dot of radius r pixels at a data point; `title` (escaped, may be NULL) as a tooltip. */
void mrm__svg_dot(struct mrm__out *o, const struct mrm__plot *p, double x,
		  double y, double r, const char *cls, const char *title);

/* Text at pixel (x, y); anchor is "start", "middle" or "end"; text escaped and cut at `max` bytes. */
void mrm__svg_text(struct mrm__out *o, double x, double y, const char *anchor,
		   const char *cls, const char *text, size_t max);

/* Legend entry kinds. */
enum mrm__key { MRM__KEY_LINE, MRM__KEY_BOX, MRM__KEY_DOT, MRM__KEY_HATCH };

struct mrm__legend {
	enum mrm__key kind;
	const char *cls;   /* CSS class of the sample mark */
	const char *label; /* escaped */
};

/* The size of the legend box of n items (to place it against a corner). */
double mrm__svg_legend_width(const struct mrm__legend *items, size_t n);
double mrm__svg_legend_height(size_t n);

/* A legend box with its top-left corner at pixel (x, y), one entry per line. */
void mrm__svg_legend(struct mrm__out *o, int chart_id, double x, double y,
		     const struct mrm__legend *items, size_t n);

/*
 * "Nice" tick values covering [lo, hi] with about `want` steps: writes up
 * to `max` ticks to t, returns how many, and the step in *step.
 */
size_t mrm__nice_ticks(double lo, double hi, int want, double *t, size_t max,
		       double *step);

#endif
