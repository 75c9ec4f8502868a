/* Inline SVG chart pieces: canvas, axes with nice ticks, thinned paths, bands, bars, error bars, dots, legends. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/internal.h"

static double clamp(double v, double a, double b)
{
	double lo = a < b ? a : b, hi = a < b ? b : a;

	return v < lo ? lo : v > hi ? hi : v;
}

double mrm__plot_px(const struct mrm__plot *p, double x)
{
	if (!(p->x1 != p->x0))
		return (p->left + p->right) / 2;
	x = clamp(x, p->x0, p->x1);
	return p->left + (x - p->x0) / (p->x1 - p->x0) * (p->right - p->left);
}

double mrm__plot_py(const struct mrm__plot *p, double y)
{
	if (!(p->y1 != p->y0))
		return (p->top + p->bottom) / 2;
	y = clamp(y, p->y0, p->y1);
	return p->bottom - (y - p->y0) / (p->y1 - p->y0) * (p->bottom - p->top);
}

size_t mrm__nice_ticks(double lo, double hi, int want, double *t, size_t max,
		       double *step)
{
	double span = hi - lo, raw, mag, f, s, start;
	size_t n = 0;

	*step = 0;
	if (max == 0 || !isfinite(lo) || !isfinite(hi))
		return 0;
	if (!(span > 0) || want < 1) {
		t[0] = lo;
		return 1;
	}
	raw = span / want;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	s = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
	start = ceil(lo / s - 1e-9) * s;
	for (double v = start; v <= hi + s * 1e-9 && n < max; v = start + (double)n * s) {
		t[n++] = fabs(v) < s * 1e-9 ? 0 : v;
	}
	*step = s;
	return n;
}

int mrm__svg_begin(struct mrm__out *o, int w, int h, const char *title,
		   const char *desc)
{
	int id = mrm__out_id(o);

	mrm__out_printf(o, "<figure>\n<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" "
			   "height=\"%d\" role=\"img\" aria-labelledby=\"c%d-t c%d-d\">\n"
			   "<title id=\"c%d-t\">", w, h, w, h, id, id, id);
	mrm__html_esc(o, title, 300);
	mrm__out_printf(o, "</title>\n<desc id=\"c%d-d\">", id);
	mrm__html_esc(o, desc, 4000);
	mrm__out_printf(o, "</desc>\n<defs><pattern id=\"h%d\" width=\"6\" height=\"6\" "
			   "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
			   "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#5c3900\" "
			   "stroke-opacity=\"0.45\" stroke-width=\"1.5\"/></pattern></defs>\n", id);
	return id;
}

void mrm__svg_end(struct mrm__out *o, const char *caption)
{
	mrm__out_puts(o, "</svg>\n");
	if (caption && *caption) {
		mrm__out_puts(o, "<figcaption>");
		mrm__html_esc(o, caption, 2000);
		mrm__out_puts(o, "</figcaption>\n");
	}
	mrm__out_puts(o, "</figure>\n");
}

void mrm__svg_text(struct mrm__out *o, double x, double y, const char *anchor,
		   const char *cls, const char *text, size_t max)
{
	mrm__out_printf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"", x, y, anchor);
	if (cls)
		mrm__out_printf(o, " class=\"%s\"", cls);
	mrm__out_puts(o, ">");
	mrm__html_esc(o, text, max);
	mrm__out_puts(o, "</text>\n");
}

void mrm__svg_axes(struct mrm__out *o, const struct mrm__plot *p, int xticks,
		   int yticks, const char *xlabel, const char *ylabel)
{
	double t[64], step, v;
	char buf[MRM__NUM];
	size_t n, i;

	n = xticks > 0 ? mrm__nice_ticks(p->x0, p->x1, xticks, t, 64, &step) : 0;
	for (i = 0; i < n; i++) {
		v = mrm__plot_px(p, t[i]);
		mrm__out_printf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				   "y2=\"%.1f\"/>", v, p->top, v, p->bottom);
		mrm__svg_text(o, v, p->bottom + 15, "middle", "tick",
			      mrm__fmt_tick(buf, t[i], step), 0);
	}
	n = yticks > 0 ? mrm__nice_ticks(p->y0, p->y1, yticks, t, 64, &step) : 0;
	for (i = 0; i < n; i++) {
		v = mrm__plot_py(p, t[i]);
		mrm__out_printf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				   "y2=\"%.1f\"/>", p->left, v, p->right, v);
		mrm__svg_text(o, p->left - 6, v + 4, "end", "tick",
			      mrm__fmt_tick(buf, t[i], step), 0);
	}
	mrm__out_printf(o, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			   "height=\"%.1f\"/>\n", p->left, p->top, p->right - p->left,
			p->bottom - p->top);
	if (xlabel)
		mrm__svg_text(o, (p->left + p->right) / 2, p->bottom + 34, "middle",
			      "axis-title", xlabel, 200);
	if (ylabel) {
		mrm__out_printf(o, "<text class=\"axis-title\" text-anchor=\"middle\" "
				   "transform=\"translate(%.1f %.1f) rotate(-90)\">",
				p->left - 40, (p->top + p->bottom) / 2);
		mrm__html_esc(o, ylabel, 200);
		mrm__out_puts(o, "</text>\n");
	}
}

void mrm__svg_line(struct mrm__out *o, const struct mrm__plot *p, double x1,
		   double y1, double x2, double y2, const char *cls)
{
	if (!isfinite(x1) || !isfinite(y1) || !isfinite(x2) || !isfinite(y2))
		return;
	mrm__out_printf(o, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
			cls, mrm__plot_px(p, x1), mrm__plot_py(p, y1),
			mrm__plot_px(p, x2), mrm__plot_py(p, y2));
}

/*
 * Writes the points of a path's d attribute, thinned to what the screen
 * can show: consecutive points that fall in the same pixel column are
 * reduced to the first, the lowest, the highest and the last (the "M4"
 * rule), so a curve monotone in x, however long, costs at most four
 * points per pixel of width and keeps its exact envelope. A hard cap on
 * the points bounds any other input.
 */
#define MAX_PATH_POINTS 20000

struct pathw {
	struct mrm__out *o;
	bool started;              /* a subpath is open */
	bool have;                 /* a column run is being collected */
	long col;                  /* the run's pixel column */
	size_t n, emitted;         /* points in the run; points written */
	double fx, fy, lx, ly;     /* first and last point of the run */
	double nx, ny, xx, xy;     /* its lowest and highest point (pixel y) */
	size_t ni, xi;             /* and their positions in the run */
	double ex, ey;             /* last point written */
};

static void pw_emit(struct pathw *w, double x, double y)
{
	if (w->started && fabs(x - w->ex) < 0.05 && fabs(y - w->ey) < 0.05)
		return;
	if (w->emitted >= MAX_PATH_POINTS)
		return;
	mrm__out_printf(w->o, w->started ? "L%.1f %.1f" : "M%.1f %.1f", x, y);
	w->started = true;
	w->emitted++;
	w->ex = x;
	w->ey = y;
}

/* Writes the collected run: first, extremes in the order met, last. */
static void pw_flush(struct pathw *w)
{
	if (!w->have)
		return;
	pw_emit(w, w->fx, w->fy);
	if (w->ni < w->xi) {
		pw_emit(w, w->nx, w->ny);
		pw_emit(w, w->xx, w->xy);
	} else {
		pw_emit(w, w->xx, w->xy);
		pw_emit(w, w->nx, w->ny);
	}
	pw_emit(w, w->lx, w->ly);
	w->have = false;
}

static void pw_point(struct pathw *w, double x, double y)
{
	long c = (long)floor(x);

	if (w->have && c == w->col) {
		if (y < w->ny) {
			w->nx = x;
			w->ny = y;
			w->ni = w->n;
		}
		if (y > w->xy) {
			w->xx = x;
			w->xy = y;
			w->xi = w->n;
		}
		w->lx = x;
		w->ly = y;
		w->n++;
		return;
	}
	pw_flush(w);
	w->have = true;
	w->col = c;
	w->n = 1;
	w->fx = w->lx = w->nx = w->xx = x;
	w->fy = w->ly = w->ny = w->xy = y;
	w->ni = w->xi = 0;
}

/* Ends the current subpath (a gap in the data). */
static void pw_break(struct pathw *w)
{
	pw_flush(w);
	w->started = false;
}

void mrm__svg_path(struct mrm__out *o, const struct mrm__plot *p,
		   const double *x, const double *y, size_t n, bool step,
		   const char *cls)
{
	struct pathw w = { .o = o };
	double px, py, prevy = 0;
	bool have_prev = false;

	if (n == 0)
		return;
	mrm__out_printf(o, "<path class=\"%s\" d=\"", cls);
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i]) || !isfinite(y[i])) {
			pw_break(&w);
			have_prev = false;
			continue;
		}
		px = mrm__plot_px(p, x[i]);
		py = mrm__plot_py(p, y[i]);
		if (step && have_prev)
			pw_point(&w, px, prevy);
		pw_point(&w, px, py);
		prevy = py;
		have_prev = true;
	}
	pw_break(&w);
	mrm__out_puts(o, "\"/>\n");
}

void mrm__svg_band(struct mrm__out *o, const struct mrm__plot *p,
		   const double *x, const double *lo, const double *hi, size_t n,
		   const char *cls)
{
	struct pathw w = { .o = o };
	size_t i, used = 0;

	for (i = 0; i < n; i++)
		if (isfinite(x[i]) && isfinite(lo[i]) && isfinite(hi[i]))
			used++;
	if (used < 2)
		return;
	mrm__out_printf(o, "<path class=\"%s\" d=\"", cls);
	for (i = 0; i < n; i++)
		if (isfinite(x[i]) && isfinite(lo[i]) && isfinite(hi[i]))
			pw_point(&w, mrm__plot_px(p, x[i]), mrm__plot_py(p, hi[i]));
	pw_flush(&w);
	for (i = n; i-- > 0;)
		if (isfinite(x[i]) && isfinite(lo[i]) && isfinite(hi[i]))
			pw_point(&w, mrm__plot_px(p, x[i]), mrm__plot_py(p, lo[i]));
	pw_flush(&w);
	mrm__out_puts(o, "Z\"/>\n");
}

void mrm__svg_rect(struct mrm__out *o, const struct mrm__plot *p, double x0,
		   double y0, double x1, double y1, const char *cls, int hatch_id)
{
	double a, b, c, d, t;

	if (!isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1))
		return;
	a = mrm__plot_px(p, x0);
	b = mrm__plot_px(p, x1);
	c = mrm__plot_py(p, y0);
	d = mrm__plot_py(p, y1);
	if (a > b) {
		t = a;
		a = b;
		b = t;
	}
	if (c > d) {
		t = c;
		c = d;
		d = t;
	}
	mrm__out_printf(o, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
			cls, a, c, b - a, d - c);
	if (hatch_id > 0)
		mrm__out_printf(o, "<rect fill=\"url(#h%d)\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				   "height=\"%.1f\"/>", hatch_id, a, c, b - a, d - c);
	mrm__out_puts(o, "\n");
}

void mrm__svg_errbar_v(struct mrm__out *o, const struct mrm__plot *p, double x,
		       double lo, double hi, double cap, const char *cls)
{
	double px, a, b;

	if (!isfinite(x) || !isfinite(lo) || !isfinite(hi))
		return;
	px = mrm__plot_px(p, x);
	a = mrm__plot_py(p, lo);
	b = mrm__plot_py(p, hi);
	mrm__out_printf(o, "<path class=\"%s\" d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f\"/>\n",
			cls, px, a, b, px - cap / 2, a, px + cap / 2, px - cap / 2, b,
			px + cap / 2);
}

void mrm__svg_errbar_h(struct mrm__out *o, const struct mrm__plot *p, double y,
		       double lo, double hi, double cap, const char *cls)
{
	double py, a, b;

	if (!isfinite(y) || !isfinite(lo) || !isfinite(hi))
		return;
	py = mrm__plot_py(p, y);
	a = mrm__plot_px(p, lo);
	b = mrm__plot_px(p, hi);
	mrm__out_printf(o, "<path class=\"%s\" d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f\"/>\n",
			cls, a, py, b, a, py - cap / 2, py + cap / 2, b, py - cap / 2,
			py + cap / 2);
}

void mrm__svg_dot(struct mrm__out *o, const struct mrm__plot *p, double x,
		  double y, double r, const char *cls, const char *title)
{
	if (!isfinite(x) || !isfinite(y))
		return;
	mrm__out_printf(o, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\">", cls,
			mrm__plot_px(p, x), mrm__plot_py(p, y), r);
	if (title) {
		mrm__out_puts(o, "<title>");
		mrm__html_esc(o, title, 500);
		mrm__out_puts(o, "</title>");
	}
	mrm__out_puts(o, "</circle>\n");
}

double mrm__svg_legend_width(const struct mrm__legend *items, size_t n)
{
	size_t i, longest = 0;

	for (i = 0; i < n; i++)
		if (strlen(items[i].label) > longest)
			longest = strlen(items[i].label);
	if (longest > 48)
		longest = 48;
	return 44 + 6.9 * (double)longest;
}

double mrm__svg_legend_height(size_t n)
{
	return 8 + 18.0 * (double)n;
}

void mrm__svg_legend(struct mrm__out *o, int chart_id, double x, double y,
		     const struct mrm__legend *items, size_t n)
{
	double w = mrm__svg_legend_width(items, n);
	size_t i;

	if (n == 0)
		return;
	mrm__out_printf(o, "<g class=\"legend\"><rect class=\"legend-box\" x=\"%.1f\" y=\"%.1f\" "
			   "width=\"%.1f\" height=\"%.1f\" rx=\"3\"/>\n", x, y, w,
			mrm__svg_legend_height(n));
	for (i = 0; i < n; i++) {
		double cy = y + 13 + 18.0 * (double)i;
		switch (items[i].kind) {
		case MRM__KEY_LINE:
			mrm__out_printf(o, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
					   "y2=\"%.1f\"/>", items[i].cls, x + 7, cy, x + 29, cy);
			break;
		case MRM__KEY_BOX:
			mrm__out_printf(o, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"14\" "
					   "height=\"11\"/>", items[i].cls, x + 11, cy - 5.5);
			break;
		case MRM__KEY_HATCH:
			mrm__out_printf(o, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"14\" "
					   "height=\"11\"/><rect fill=\"url(#h%d)\" x=\"%.1f\" "
					   "y=\"%.1f\" width=\"14\" height=\"11\"/>", items[i].cls,
					x + 11, cy - 5.5, chart_id, x + 11, cy - 5.5);
			break;
		case MRM__KEY_DOT:
			mrm__out_printf(o, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\"/>",
					items[i].cls, x + 18, cy);
			break;
		}
		mrm__svg_text(o, x + 35, cy + 4, "start", NULL, items[i].label, 48);
	}
	mrm__out_puts(o, "</g>\n");
}
