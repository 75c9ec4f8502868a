/* The document writer: one set of calls that writes a governance document as a printable HTML page or as Markdown. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report/doc.h"

/* What documents add to the shared report stylesheet (screen and print). */
static const char doc_css[] =
	"header.doc{border-bottom:3px solid #1b1b1b;margin-bottom:8px}\n"
	"header.doc .sub{color:var(--muted);margin:0 0 8px}\n"
	".missing{border-left:5px solid var(--verm);background:#fdf1ec;padding:4px 12px;margin:6px 0}\n"
	".missing b{color:#8c2900}\n"
	"dd .missing{display:inline-block;margin:0}\n"
	".callout{border:1px solid #d6d6d6;border-left:6px solid var(--blue);padding:8px 16px;"
	"background:#f6f9fc;margin:12px 0}\n"
	".callout.ok{border-left-color:var(--green);background:#f2faf6}\n"
	".callout.warn{border-left-color:var(--orange);background:#fff8eb}\n"
	".callout.bad{border-left-color:var(--verm);background:#fdf3ef}\n"
	".callout b{margin-right:8px}\n"
	".badge.warn,.badge.medium{background:#ffe9b3;color:#5c3900}\n"
	".badge.low{background:#d8eee3;color:#0a5232}\n"
	".badge.high{background:#fbd9c4;color:#7a2600}\n"
	".badge.critical{background:#8c2900;color:#fff}\n"
	"td[class^=heat]{text-align:center;min-width:6em;height:2.4em;border:1px solid #fff}\n"
	"td.heat-low{background:#d8eee3}\ntd.heat-medium{background:#ffe9b3}\n"
	"td.heat-high{background:#fbd0b5}\ntd.heat-critical{background:#e8a08a}\n"
	"footer.doc{margin-top:36px;border-top:1px solid #d6d6d6;padding-top:6px;font-size:12px;"
	"color:var(--muted)}\n"
	"td code,dd code{background:none;padding:0}\n"
	"@media print{\n"
	".missing,.callout,.badge,td[class^=heat]{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
	".missing,.callout,table,li{break-inside:avoid;page-break-inside:avoid}\n"
	"h3{break-after:avoid;page-break-after:avoid}\n"
	"footer.doc{position:static}\n"
	"}\n";

void mrm__doc_init(struct mrm__doc *d, bool html, mrm_sink_fn sink, void *arg)
{
	memset(d, 0, sizeof(*d));
	d->html = html;
	mrm__out_init(&d->o, sink, arg);
}

int mrm__doc_finish(struct mrm__doc *d)
{
	return mrm__out_flush(&d->o);
}

/* ---- escaping ------------------------------------------------------------ */

/* UTF-8 sequence length of a lead byte (1 for a stray byte). */
static size_t u8len(unsigned char c)
{
	if (c >= 0xf0 && c < 0xf8)
		return 4;
	if (c >= 0xe0 && c < 0xf0)
		return 3;
	if (c >= 0xc0 && c < 0xe0)
		return 2;
	return 1;
}

/*
 * Markdown text: every character that could start markup is
 * backslash-escaped (CommonMark allows that before any ASCII punctuation),
 * '<' and '&' too, so no text adds HTML or links; line breaks and control
 * characters become spaces, so a text never starts a new block. At the
 * start of a block, list and heading markers are escaped as well.
 */
static void md_esc(struct mrm__doc *d, const char *s, size_t max, bool block)
{
	size_t len, i = 0, start = 0;
	bool cut = false, at_start = block;

	if (!s)
		return;
	len = strlen(s);
	if (max && len > max) {
		len = max;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
		cut = true;
	}
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		char one[3] = { '\\', (char)c, 0 };

		if (c >= 0x80) {
			size_t k = u8len(c);
			if (i + k > len) {
				mrm__out_write(&d->o, s + start, i - start);
				start = i = len;
				break;
			}
			i += k;
			at_start = false;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			rep = " ";
		else if (strchr("\\`*_[]<>&|#~!", c))
			rep = one;
		else if (at_start && strchr("-+=", c))
			rep = one;
		else if (at_start && c >= '0' && c <= '9') {
			/* "1. text" would start an ordered list: escape the dot or parenthesis after the digits. */
			size_t j = i;
			while (j < len && s[j] >= '0' && s[j] <= '9')
				j++;
			if (j < len && (s[j] == '.' || s[j] == ')') && (j + 1 == len || s[j + 1] == ' ')) {
				mrm__out_write(&d->o, s + start, j - start);
				char two[2] = { '\\', s[j] };
				mrm__out_write(&d->o, two, 2);
				start = i = j + 1;
				at_start = false;
				continue;
			}
		}
		if (at_start && (c == ' ' || c < 0x20)) {
			/* Leading spaces could make a code block: drop them at the start of a block. */
			mrm__out_write(&d->o, s + start, i - start);
			start = ++i;
			continue;
		}
		if (c != ' ')
			at_start = false;
		if (rep) {
			mrm__out_write(&d->o, s + start, i - start);
			mrm__out_puts(&d->o, rep);
			start = i + 1;
		}
		i++;
	}
	mrm__out_write(&d->o, s + start, i - start);
	if (cut)
		mrm__out_puts(&d->o, "\xe2\x80\xa6");
}

static void esc(struct mrm__doc *d, const char *s, size_t max)
{
	if (d->html)
		mrm__html_esc(&d->o, s, max);
	else
		md_esc(d, s, max, false);
}

/* The same for text that starts a Markdown block (a paragraph, a list item, a quote). */
static void esc_block(struct mrm__doc *d, const char *s, size_t max)
{
	if (d->html)
		mrm__html_esc(&d->o, s, max);
	else
		md_esc(d, s, max, true);
}

/* vsnprintf into a malloc'd string (NULL when out of memory). */
static char *vfmt(const char *fmt, va_list ap)
{
	va_list aq;
	char *s;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		return NULL;
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

static void puts_(struct mrm__doc *d, const char *s)
{
	mrm__out_puts(&d->o, s);
}

/* ---- page ------------------------------------------------------------------ */

void mrm__doc_begin(struct mrm__doc *d, const char *title, const char *subtitle)
{
	if (d->html) {
		mrm__html_begin(&d->o, title, doc_css);
		puts_(d, "<header class=\"doc\">\n<h1>");
		esc(d, title, 300);
		puts_(d, "</h1>\n");
		if (subtitle) {
			puts_(d, "<p class=\"sub\">");
			esc(d, subtitle, 600);
			puts_(d, "</p>\n");
		}
		puts_(d, "</header>\n");
		return;
	}
	puts_(d, "# ");
	esc(d, title, 300);
	puts_(d, "\n\n");
	if (subtitle) {
		esc_block(d, subtitle, 600);
		puts_(d, "\n\n");
	}
}

void mrm__doc_end(struct mrm__doc *d, const char *generated_at)
{
	if (d->html) {
		puts_(d, "<footer class=\"doc\">Generated by mrm from its governance store");
		if (generated_at) {
			puts_(d, " as of ");
			esc(d, generated_at, 64);
		}
		puts_(d, ". Every fact above is a record of the store; <code>mrm audit log</code> shows "
			 "who recorded it and when.</footer>\n");
		mrm__html_end(&d->o);
		return;
	}
	puts_(d, "---\n\n*Generated by mrm from its governance store");
	if (generated_at) {
		puts_(d, " as of ");
		esc(d, generated_at, 64);
	}
	puts_(d, ". Every fact above is a record of the store; `mrm audit log` shows who recorded "
		 "it and when.*\n");
}

void mrm__doc_h2(struct mrm__doc *d, const char *id, const char *title)
{
	if (d->html) {
		/* The anchor keeps letters, digits and '-' only (lowercased), so any id is safe. */
		puts_(d, "<h2 id=\"");
		for (size_t i = 0; id && id[i] && i < 64; i++) {
			char c = id[i];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
				mrm__out_write(&d->o, &c, 1);
		}
		puts_(d, "\">");
		esc(d, title, 300);
		puts_(d, "</h2>\n");
		return;
	}
	puts_(d, "## ");
	esc(d, title, 300);
	puts_(d, "\n\n");
}

void mrm__doc_h3(struct mrm__doc *d, const char *title)
{
	puts_(d, d->html ? "<h3>" : "### ");
	esc(d, title, 300);
	puts_(d, d->html ? "</h3>\n" : "\n\n");
}

void mrm__doc_p(struct mrm__doc *d, const char *text)
{
	puts_(d, d->html ? "<p>" : "");
	esc_block(d, text, MRM__DOC_TEXT);
	puts_(d, d->html ? "</p>\n" : "\n\n");
}

void mrm__doc_pf(struct mrm__doc *d, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	mrm__doc_p(d, s);
	free(s);
}

void mrm__doc_note(struct mrm__doc *d, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	puts_(d, d->html ? "<p class=\"note\">" : "*");
	esc_block(d, s, MRM__DOC_TEXT);
	puts_(d, d->html ? "</p>\n" : "*\n\n");
	free(s);
}

void mrm__doc_missing(struct mrm__doc *d, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	puts_(d, d->html ? "<p class=\"missing\"><b>MISSING:</b> " : "> **MISSING:** ");
	esc(d, s, MRM__DOC_TEXT);
	puts_(d, d->html ? "</p>\n" : "\n\n");
	free(s);
}

void mrm__doc_callout(struct mrm__doc *d, const char *cls, const char *word, const char *text)
{
	if (d->html) {
		mrm__out_printf(&d->o, "<div class=\"callout %s\"><b>", cls);
		esc(d, word, 200);
		puts_(d, "</b>");
		esc(d, text, MRM__DOC_TEXT);
		puts_(d, "</div>\n");
		return;
	}
	puts_(d, "> **");
	esc(d, word, 200);
	puts_(d, "**");
	if (text && *text) {
		puts_(d, " ");
		esc(d, text, MRM__DOC_TEXT);
	}
	puts_(d, "\n\n");
}

/* ---- key-value lists ----------------------------------------------------------- */

void mrm__doc_kv_begin(struct mrm__doc *d)
{
	d->in_kv = true;
	if (d->html)
		puts_(d, "<dl class=\"kv\">\n");
}

static void kv_key(struct mrm__doc *d, const char *key)
{
	puts_(d, d->html ? "<dt>" : "- **");
	esc(d, key, 200);
	puts_(d, d->html ? "</dt><dd>" : ":** ");
}

void mrm__doc_kv(struct mrm__doc *d, const char *key, const char *value)
{
	kv_key(d, key);
	if (value && *value)
		esc(d, value, MRM__DOC_TEXT);
	else
		puts_(d, MRM__DASH);
	puts_(d, d->html ? "</dd>\n" : "\n");
}

void mrm__doc_kvf(struct mrm__doc *d, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	mrm__doc_kv(d, key, s);
	free(s);
}

void mrm__doc_kv_missing(struct mrm__doc *d, const char *key, const char *why)
{
	kv_key(d, key);
	puts_(d, d->html ? "<span class=\"missing\"><b>MISSING:</b> " : "**MISSING:** ");
	esc(d, why, MRM__DOC_TEXT);
	puts_(d, d->html ? "</span></dd>\n" : "\n");
}

void mrm__doc_kv_end(struct mrm__doc *d)
{
	d->in_kv = false;
	puts_(d, d->html ? "</dl>\n" : "\n");
}

/* ---- tables -------------------------------------------------------------------- */

void mrm__doc_table(struct mrm__doc *d, const char *const *headers, size_t n)
{
	d->ncols = n;
	d->numcols = 0;
	for (size_t i = 0; i < n && i < 32; i++)
		if (headers[i][0] == '#')
			d->numcols |= 1u << i;
	d->rows = 0;
	d->dropped = 0;
	d->row_open = false;
	if (d->html) {
		puts_(d, "<div class=\"scroll\"><table>\n");
		mrm__html_thead(&d->o, headers, n);
		puts_(d, "<tbody>\n");
		return;
	}
	puts_(d, "|");
	for (size_t i = 0; i < n; i++) {
		puts_(d, " ");
		puts_(d, headers[i][0] == '#' ? headers[i] + 1 : headers[i]);
		puts_(d, " |");
	}
	puts_(d, "\n|");
	for (size_t i = 0; i < n; i++)
		puts_(d, headers[i][0] == '#' ? " ---: |" : " --- |");
	puts_(d, "\n");
}

/* Closes the open row, padding missing cells so every row has the table's width. */
static void row_close(struct mrm__doc *d)
{
	if (!d->row_open)
		return;
	for (; d->col < d->ncols; d->col++)
		puts_(d, d->html ? "<td></td>" : " |");
	puts_(d, d->html ? "</tr>\n" : "\n");
	d->row_open = false;
}

bool mrm__doc_row(struct mrm__doc *d)
{
	row_close(d);
	if (d->rows >= MRM__DOC_ROWS) {
		d->dropped++;
		return false;
	}
	d->rows++;
	d->col = 0;
	d->row_open = true;
	puts_(d, d->html ? "<tr>" : "|");
	return true;
}

/* Opens a cell if the row has room; false when the cell is to be skipped. */
static bool cell_open(struct mrm__doc *d, const char *cls)
{
	if (!d->row_open || d->col >= d->ncols)
		return false;
	if (d->col < 32 && (d->numcols >> d->col) & 1)
		cls = "num";
	d->col++;
	if (d->html) {
		if (cls)
			mrm__out_printf(&d->o, "<td class=\"%s\">", cls);
		else
			puts_(d, "<td>");
	} else {
		puts_(d, " ");
	}
	return true;
}

static void cell_close(struct mrm__doc *d)
{
	puts_(d, d->html ? "</td>" : " |");
}

void mrm__doc_cell(struct mrm__doc *d, const char *text)
{
	if (!cell_open(d, NULL))
		return;
	if (text && *text)
		esc(d, text, MRM__DOC_CELL);
	else
		puts_(d, MRM__DASH);
	cell_close(d);
}

void mrm__doc_cellf(struct mrm__doc *d, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	mrm__doc_cell(d, s);
	free(s);
}

void mrm__doc_cell_code(struct mrm__doc *d, const char *text)
{
	bool tick = text && strchr(text, '`');

	if (!text || !*text || (!d->html && tick)) {
		/* A backtick cannot sit in a simple code span: plain escaped text instead. */
		mrm__doc_cell(d, text);
		return;
	}
	if (!cell_open(d, NULL))
		return;
	if (d->html) {
		puts_(d, "<code>");
		mrm__html_esc(&d->o, text, MRM__DOC_CELL);
		puts_(d, "</code>");
	} else {
		/* Inside a code span only '|' (the table) and line breaks need care. */
		size_t n = strlen(text) > MRM__DOC_CELL ? MRM__DOC_CELL : strlen(text);
		while (n > 0 && n < strlen(text) && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
		puts_(d, "`");
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)text[i];
			if (c == '|')
				puts_(d, "\\|");
			else if (c < 0x20 || c == 0x7f)
				puts_(d, " ");
			else
				mrm__out_write(&d->o, &text[i], 1);
		}
		puts_(d, "`");
	}
	cell_close(d);
}

void mrm__doc_cell_status(struct mrm__doc *d, const char *cls, const char *word)
{
	if (!cell_open(d, NULL))
		return;
	if (d->html) {
		mrm__out_printf(&d->o, "<span class=\"badge %s\">", cls);
		esc(d, word, 100);
		puts_(d, "</span>");
	} else {
		puts_(d, "**");
		esc(d, word, 100);
		puts_(d, "**");
	}
	cell_close(d);
}

void mrm__doc_cell_cls(struct mrm__doc *d, const char *cls, const char *text)
{
	if (!cell_open(d, cls))
		return;
	if (text && *text)
		esc(d, text, MRM__DOC_CELL);
	cell_close(d);
}

void mrm__doc_table_end(struct mrm__doc *d)
{
	row_close(d);
	if (d->html) {
		if (d->rows == 0)
			mrm__out_printf(&d->o, "<tr><td colspan=\"%zu\">(none)</td></tr>\n", d->ncols);
		puts_(d, "</tbody>\n</table></div>\n");
	} else {
		if (d->rows == 0) {
			puts_(d, "| (none) |");
			for (size_t i = 1; i < d->ncols; i++)
				puts_(d, " |");
			puts_(d, "\n");
		}
		puts_(d, "\n");
	}
	if (d->dropped)
		mrm__doc_note(d, "%zu more rows not shown.", d->dropped);
	d->ncols = 0;
}

/* ---- lists ------------------------------------------------------------------- */

void mrm__doc_ul(struct mrm__doc *d)
{
	d->in_list = true;
	if (d->html)
		puts_(d, "<ul>\n");
}

void mrm__doc_li(struct mrm__doc *d, const char *text)
{
	puts_(d, d->html ? "<li>" : "- ");
	esc_block(d, text, MRM__DOC_TEXT);
	puts_(d, d->html ? "</li>\n" : "\n");
}

void mrm__doc_lif(struct mrm__doc *d, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	mrm__doc_li(d, s);
	free(s);
}

void mrm__doc_ul_end(struct mrm__doc *d)
{
	d->in_list = false;
	puts_(d, d->html ? "</ul>\n" : "\n");
}

/* ---- data --------------------------------------------------------------------- */

const char *mrm__doc_text(json_t *o, const char *k, char *buf, size_t cap)
{
	json_t *v = json_is_object(o) ? json_object_get(o, k) : NULL;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_value(v);
	case JSON_INTEGER:
		snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	case JSON_REAL: {
		char n[MRM__NUM];
		snprintf(buf, cap, "%s", mrm__fmt_short(n, json_real_value(v)));
		return buf;
	}
	case JSON_TRUE:
		return "yes";
	case JSON_FALSE:
		return "no";
	default:
		return NULL;
	}
}

const char *mrm__doc_join(json_t *arr, char *buf, size_t cap)
{
	size_t i, used = 0;
	json_t *v;

	if (cap)
		buf[0] = '\0';
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);
		int n;
		if (!s)
			continue;
		n = snprintf(buf + used, cap - used, "%s%s", used ? ", " : "", s);
		if (n < 0 || (size_t)n >= cap - used) {
			/* Cut: end with an ellipsis at a UTF-8 boundary. */
			size_t end = cap > 4 ? cap - 4 : 0;
			while (end > 0 && ((unsigned char)buf[end] & 0xc0) == 0x80)
				end--;
			if (cap > 4)
				snprintf(buf + end, cap - end, "\xe2\x80\xa6");
			break;
		}
		used += (size_t)n;
	}
	return buf;
}

/* ---- entry points ---------------------------------------------------------------- */

const char *const mrm_doc_kinds[] = { "model-card", "mra", "validation", "acceptance",
				      "annex-iv", NULL };

int mrm_doc_kind_parse(const char *name, enum mrm_doc_kind *out, struct mrm_error *err)
{
	for (int i = 0; mrm_doc_kinds[i]; i++)
		if (name && !strcmp(name, mrm_doc_kinds[i])) {
			*out = (enum mrm_doc_kind)i;
			return MRM_OK;
		}
	return mrm_error_set(err, MRM_EUSAGE,
			     "unknown document '%s' (documents: model-card, mra, validation, acceptance, "
			     "annex-iv)", name ? name : "");
}

int mrm_doc_format_of(const char *path, enum mrm_doc_format *out, struct mrm_error *err)
{
	const char *dot = path ? strrchr(path, '.') : NULL;
	const char *slash = path ? strrchr(path, '/') : NULL;

	if (dot && (!slash || dot > slash)) {
		if (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm")) {
			*out = MRM_DOC_HTML;
			return MRM_OK;
		}
		if (!strcasecmp(dot, ".md") || !strcasecmp(dot, ".markdown")) {
			*out = MRM_DOC_MARKDOWN;
			return MRM_OK;
		}
	}
	return mrm_error_set(err, MRM_EUSAGE, "%s: the output must end in .html or .md",
			     path ? path : "");
}

static int render(json_t *data, bool html, mrm_sink_fn sink, void *arg, struct mrm_error *err)
{
	static void (*const layouts[])(struct mrm__doc *, json_t *) = {
		[MRM_DOC_MODEL_CARD] = mrm__doc_model_card, [MRM_DOC_MRA] = mrm__doc_mra,
		[MRM_DOC_VALIDATION] = mrm__doc_validation, [MRM_DOC_ACCEPTANCE] = mrm__doc_acceptance,
		[MRM_DOC_ANNEX_IV] = mrm__doc_annex_iv,
	};
	const char *kind = mrm__json_str(data, "document");
	enum mrm_doc_kind k;
	struct mrm__doc *d;
	int rc;

	if (!kind || mrm_doc_kind_parse(kind, &k, NULL))
		return mrm_error_set(err, MRM_EINPUT, "not a document: \"document\" must name one of "
				     "model-card, mra, validation, acceptance, annex-iv");
	/* The writer holds a 16 KiB buffer: keep it off the stack. */
	if (!(d = malloc(sizeof(*d))))
		return mrm_error_set(err, MRM_EINPUT, "out of memory rendering a document");
	mrm__doc_init(d, html, sink, arg);
	layouts[k](d, data);
	rc = mrm__doc_finish(d);
	free(d);
	if (rc)
		return mrm_error_set(err, rc, "cannot write the %s document", kind);
	return MRM_OK;
}

int mrm_doc_render(json_t *data, enum mrm_doc_format fmt, mrm_sink_fn sink, void *arg,
		   struct mrm_error *err)
{
	return render(data, fmt == MRM_DOC_HTML, sink, arg, err);
}

static int render_html(json_t *data, mrm_sink_fn sink, void *arg, struct mrm_error *err)
{
	return render(data, true, sink, arg, err);
}

static int render_md(json_t *data, mrm_sink_fn sink, void *arg, struct mrm_error *err)
{
	return render(data, false, sink, arg, err);
}

int mrm_doc_render_file(json_t *data, enum mrm_doc_format fmt, const char *path,
			struct mrm_error *err)
{
	return mrm__render_to_file(fmt == MRM_DOC_HTML ? render_html : render_md, data, path, err);
}

/* ---- blocks several documents share ------------------------------------------------ */

const char *mrm__doc_num(json_t *v, char *buf)
{
	double x;

	if (!mrm__json_number(v, &x))
		return NULL;
	if (json_is_integer(v))
		return mrm__fmt_count(buf, x);
	return mrm__fmt_metric(buf, x);
}

void mrm__doc_findings_table(struct mrm__doc *d, json_t *findings)
{
	static const char *const head[] = { "Finding", "Severity", "Category", "Title", "Owner", "Due",
					    "Status" };
	json_t *e;
	size_t i;

	mrm__doc_table(d, head, 7);
	json_array_foreach(findings, i, e) {
		const char *sev = mrm__json_str(e, "severity"), *st = mrm__json_str(e, "status");
		const char *acc = mrm__json_str(e, "accepted_by_acceptance");
		if (!mrm__doc_row(d))
			continue;
		mrm__doc_cell(d, mrm__json_str(e, "id"));
		mrm__doc_cell_status(d, sev && (!strcmp(sev, "critical") || !strcmp(sev, "high") ||
						!strcmp(sev, "medium") || !strcmp(sev, "low")) ? sev : "na",
				     sev ? sev : "?");
		mrm__doc_cell(d, mrm__json_str(e, "category"));
		mrm__doc_cell(d, mrm__json_str(e, "title"));
		mrm__doc_cell(d, mrm__json_str(e, "owner"));
		mrm__doc_cellf(d, "%s%s", mrm__json_str(e, "due") ? mrm__json_str(e, "due") : MRM__DASH,
			       json_is_true(json_object_get(e, "overdue")) ? " (overdue)" : "");
		if (acc)
			mrm__doc_cellf(d, "%s (%s)", st ? st : "?", acc);
		else
			mrm__doc_cell(d, st);
	}
	mrm__doc_table_end(d);
}

void mrm__doc_metrics_table(struct mrm__doc *d, json_t *metrics)
{
	static const char *const head[] = { "Metric", "#Value", "#95% CI", "Note" };
	char a[MRM__NUM], b[MRM__NUM], c[MRM__NUM];
	json_t *e;
	size_t i;

	mrm__doc_table(d, head, 4);
	json_array_foreach(metrics, i, e) {
		json_t *ci = json_object_get(e, "ci");
		double lo, hi;
		if (!mrm__doc_row(d))
			continue;
		mrm__doc_cell_code(d, mrm__json_str(e, "name"));
		mrm__doc_cell(d, mrm__doc_num(json_object_get(e, "value"), a));
		if (mrm__json_interval(ci, &lo, &hi))
			mrm__doc_cellf(d, "%s to %s", mrm__fmt_metric(b, lo), mrm__fmt_metric(c, hi));
		else
			mrm__doc_cell(d, NULL);
		if (mrm__json_str(e, "reason"))
			mrm__doc_cell(d, mrm__json_str(e, "reason"));
		else if (mrm__json_str(e, "method"))
			mrm__doc_cellf(d, "interval: %s", mrm__json_str(e, "method"));
		else
			mrm__doc_cell(d, NULL);
	}
	mrm__doc_table_end(d);
}
