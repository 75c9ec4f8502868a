/* HTML pieces of reports: escaping, the page shell with its screen and print stylesheet, table cells, badges. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/internal.h"

/*
 * The shared stylesheet. Colours are the Okabe-Ito palette (safe for the
 * common colour-vision deficiencies); pass and fail always carry a word,
 * never colour alone. No web fonts: the system UI font.
 */
static const char css[] =
	":root{--fg:#1b1b1b;--muted:#505050;--blue:#0072B2;--verm:#D55E00;"
	"--green:#009E73;--orange:#E69F00;--sky:#56B4E9;--purple:#CC79A7}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;color:var(--fg);background:#fff;"
	"font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\n"
	"main{max-width:1140px;margin:0 auto;padding:24px 28px 48px}\n"
	"h1{font-size:26px;margin:0 0 4px}\n"
	"h2{font-size:20px;margin:34px 0 10px;padding-bottom:4px;border-bottom:2px solid #e2e2e2}\n"
	"h3{font-size:16px;margin:22px 0 6px}\n"
	"p{margin:6px 0 10px}\n"
	"code{font:13px ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace;"
	"background:#f3f3f3;padding:0 3px;border-radius:3px;overflow-wrap:anywhere}\n"
	".meta,.note{color:var(--muted)}\n"
	".note{font-size:13px}\n"
	"nav.toc{font-size:14px;margin:10px 0 0}\n"
	"nav.toc a{margin-right:14px;color:#0b5394}\n"
	"table{border-collapse:collapse;margin:8px 0 16px;font-variant-numeric:tabular-nums}\n"
	"caption{text-align:left;font-weight:600;padding:4px 0}\n"
	"th,td{padding:4px 10px;border-bottom:1px solid #e0e0e0;text-align:left;vertical-align:top}\n"
	"thead th{border-bottom:2px solid #8a8a8a;font-weight:600}\n"
	"td.num,th.num{text-align:right;white-space:nowrap}\n"
	"tr.small-slice td,tr.small-slice th{background:#fff6e5}\n"
	".reason{display:block;font-size:12px;color:var(--muted);white-space:normal;min-width:16em;max-width:26em}\n"
	".ci{display:block;font-size:12px;color:var(--muted)}\n"
	".badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;"
	"font-weight:700;letter-spacing:.03em}\n"
	".badge.pass{background:#d8eee3;color:#0a5232}\n"
	".badge.fail{background:#fbded3;color:#8c2900}\n"
	".badge.na{background:#ececec;color:#3d3d3d}\n"
	".summary{border:1px solid #d6d6d6;border-left:6px solid var(--blue);padding:10px 18px;"
	"background:#f6f9fc;margin:14px 0}\n"
	".summary.failed{border-left-color:var(--verm);background:#fdf6f3}\n"
	".summary ul{margin:6px 0;padding-left:22px}\n"
	".summary li{margin:5px 0;overflow-wrap:anywhere}\n"
	"p,dd,td,th,caption,figcaption{overflow-wrap:break-word}\n"
	"dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:8px 0}\n"
	"dl.kv dt{font-weight:600}\n"
	"dl.kv dd{margin:0;overflow-wrap:anywhere}\n"
	".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));"
	"gap:18px 28px;align-items:start;margin:10px 0}\n"
	"figure{margin:0}\n"
	".pair{display:flex;flex-wrap:wrap;gap:18px 36px;align-items:flex-start;margin:10px 0}\n"
	".pair>div{flex:0 1 auto;max-width:100%;overflow-x:auto}\n"
	".pair>figure{flex:0 1 420px}\n"
	".scroll{max-width:100%;overflow-x:auto}\n"
	".tag{display:inline-block;margin-left:6px;padding:0 5px;border-radius:3px;font-size:11px;"
	"font-weight:700;background:#ffe2a8;color:#5c3900}\n"
	"figcaption{font-size:13px;color:var(--muted);margin-top:4px;max-width:60em}\n"
	"svg.chart{display:block;max-width:100%;height:auto}\n"
	"svg.chart text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;"
	"font-size:12px;fill:#1f1f1f}\n"
	"svg.chart .tick{font-size:11px;fill:#404040}\n"
	"svg.chart .axis-title{font-size:12.5px;font-weight:600}\n"
	"svg.chart .panel-title{font-size:12.5px;font-weight:600}\n"
	"svg.chart .label-small{fill:#7a4b00}\n"
	"svg.chart .bad-label{font-weight:700;fill:#8c2900}\n"
	"svg.chart .grid{stroke:#e8e8e8;stroke-width:1}\n"
	"svg.chart .frame{fill:none;stroke:#8c8c8c;stroke-width:1}\n"
	"svg.chart .diag{stroke:#707070;stroke-width:1.2;stroke-dasharray:4 4}\n"
	"svg.chart .thr{stroke:#1f1f1f;stroke-width:1.5;stroke-dasharray:6 3}\n"
	"svg.chart .s1{fill:none;stroke:var(--blue);stroke-width:2.2;stroke-linejoin:round}\n"
	"svg.chart .s2{fill:none;stroke:var(--verm);stroke-width:2.2;stroke-linejoin:round;"
	"stroke-dasharray:7 3}\n"
	"svg.chart .band1{fill:var(--blue);fill-opacity:.2;stroke:none}\n"
	"svg.chart .bar1{fill:var(--blue);fill-opacity:.8}\n"
	"svg.chart .bar2{fill:var(--verm);fill-opacity:.8}\n"
	"svg.chart .bar3{fill:#9a9a9a}\n"
	"svg.chart .ok{fill:var(--blue)}\n"
	"svg.chart .bad{fill:var(--verm)}\n"
	"svg.chart .rowband{fill:#fff1d6}\n"
	"svg.chart .err{stroke:#1f1f1f;stroke-width:1.3;fill:none}\n"
	"svg.chart .err-small{stroke:#7a4b00;stroke-width:1.3;stroke-dasharray:3 2;fill:none}\n"
	"svg.chart .dot1{fill:var(--blue);stroke:#fff;stroke-width:1}\n"
	"svg.chart .dot2{fill:var(--verm);stroke:#fff;stroke-width:1}\n"
	"svg.chart .dot-black{fill:#1f1f1f;stroke:#fff;stroke-width:1}\n"
	"svg.chart .dot-small{fill:#fff;stroke:#7a4b00;stroke-width:1.8}\n"
	"svg.chart .legend-box{fill:#fff;fill-opacity:.92;stroke:#c4c4c4}\n"
	"svg.chart .nodata{fill:#707070;font-style:italic}\n"
	"@media print{\n"
	"body{font-size:10pt}\n"
	"main{max-width:none;padding:0}\n"
	"nav.toc{display:none}\n"
	"h2{break-after:avoid;page-break-after:avoid}\n"
	"figure,tr,.summary,dl.kv{break-inside:avoid;page-break-inside:avoid}\n"
	".charts{grid-template-columns:1fr 1fr}\n"
	".summary,.badge,svg.chart,tr.small-slice td,tr.small-slice th{-webkit-print-color-adjust:exact;"
	"print-color-adjust:exact}\n"
	"a{color:inherit;text-decoration:none}\n"
	".scroll,.pair>div{overflow:visible}\n"
	"th,td{padding:2px 6px}\n"
	"table.slices{font-size:8pt}\n"
	"table.slices .ci{font-size:7pt}\n"
	"@page{margin:12mm}\n"
	"}\n";

/* Length of the UTF-8 sequence starting with byte c (1 for a stray byte). */
static size_t utf8_len(unsigned char c)
{
	if (c >= 0xf0 && c < 0xf8)
		return 4;
	if (c >= 0xe0)
		return c < 0xf0 ? 3 : 1;
	if (c >= 0xc0)
		return 2;
	return 1;
}

void mrm__html_escn(struct mrm__out *o, const char *s, size_t len, size_t max)
{
	size_t i = 0, start = 0, k;
	bool cut = false;

	if (!s)
		return;
	if (max > 0 && len > max) {
		/* Back up to the start of a UTF-8 sequence. */
		len = max;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
		cut = true;
	}
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;

		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
				rep = "\xef\xbf\xbd";
			break;
		}
		if (c >= 0x80) {
			/* Keep whole sequences; a truncated one at the end is dropped. */
			k = utf8_len(c);
			if (i + k > len) {
				mrm__out_write(o, s + start, i - start);
				start = i = len;
				break;
			}
			i += k;
			continue;
		}
		if (rep) {
			mrm__out_write(o, s + start, i - start);
			mrm__out_puts(o, rep);
			start = i + 1;
		}
		i++;
	}
	mrm__out_write(o, s + start, i - start);
	if (cut)
		mrm__out_puts(o, "\xe2\x80\xa6");
}

void mrm__html_esc(struct mrm__out *o, const char *s, size_t max)
{
	if (s)
		mrm__html_escn(o, s, strlen(s), max);
}

void mrm__html_begin(struct mrm__out *o, const char *title, const char *extra_css)
{
	mrm__out_puts(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			 "<meta name=\"generator\" content=\"mrm\">\n<title>");
	mrm__html_esc(o, title, 300);
	mrm__out_puts(o, "</title>\n<style>\n");
	mrm__out_write(o, css, sizeof(css) - 1);
	if (extra_css)
		mrm__out_puts(o, extra_css);
	mrm__out_puts(o, "</style>\n</head>\n<body>\n<main>\n");
}

void mrm__html_end(struct mrm__out *o)
{
	mrm__out_puts(o, "</main>\n</body>\n</html>\n");
}

void mrm__html_td_metric(struct mrm__out *o, bool defined, double x,
			 const char *reason)
{
	char a[MRM__NUM], b[MRM__NUM];

	if (defined && isfinite(x)) {
		mrm__out_printf(o, "<td class=\"num\" title=\"%s\">%s</td>",
				mrm__fmt_full(a, x), mrm__fmt_metric(b, x));
		return;
	}
	mrm__out_puts(o, "<td class=\"num\">" MRM__DASH);
	if (reason && *reason) {
		mrm__out_puts(o, "<span class=\"reason\">");
		mrm__html_esc(o, reason, 300);
		mrm__out_puts(o, "</span>");
	}
	mrm__out_puts(o, "</td>");
}

void mrm__html_td_count(struct mrm__out *o, bool defined, double x)
{
	char a[MRM__NUM];

	if (defined && isfinite(x))
		mrm__out_printf(o, "<td class=\"num\">%s</td>", mrm__fmt_count(a, x));
	else
		mrm__out_puts(o, "<td class=\"num\">" MRM__DASH "</td>");
}

void mrm__html_td_text(struct mrm__out *o, const char *s)
{
	mrm__out_puts(o, "<td>");
	mrm__html_esc(o, s, 500);
	mrm__out_puts(o, "</td>");
}

void mrm__html_badge(struct mrm__out *o, int passed)
{
	if (passed > 0)
		mrm__out_puts(o, "<span class=\"badge pass\">PASS</span>");
	else if (passed == 0)
		mrm__out_puts(o, "<span class=\"badge fail\">FAIL</span>");
	else
		mrm__out_puts(o, "<span class=\"badge na\">NOT EVALUATED</span>");
}

void mrm__html_thead(struct mrm__out *o, const char *const *headers, size_t n)
{
	mrm__out_puts(o, "<thead><tr>");
	for (size_t i = 0; i < n; i++) {
		const char *h = headers[i];
		/* A leading '#' marks a numeric column (right aligned). */
		if (h[0] == '#')
			mrm__out_printf(o, "<th scope=\"col\" class=\"num\">%s</th>", h + 1);
		else
			mrm__out_printf(o, "<th scope=\"col\">%s</th>", h);
	}
	mrm__out_puts(o, "</tr></thead>\n");
}
