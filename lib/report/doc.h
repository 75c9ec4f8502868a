/*
 * The document writer shared by the governance documents (doc-*.c), not a
 * public API: one set of calls (headings, paragraphs, key-value lists,
 * tables, lists, "MISSING" notes, status words) that writes either a
 * self-contained HTML page or Markdown, so the two formats of a document
 * always say the same thing. All text passed in is user text and is
 * escaped for the format; nothing is written raw except the writer's own
 * markup.
 */
#ifndef MRM_REPORT_DOC_H
#define MRM_REPORT_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "mrm/doc.h"
#include "report/internal.h"

/* Ceilings that keep a document bounded whatever the store holds. */
#define MRM__DOC_TEXT 4000  /* bytes of one text shown */
#define MRM__DOC_CELL 1000  /* bytes of one table cell */
#define MRM__DOC_ROWS 500   /* rows of one table; more are counted, not shown */

struct mrm__doc {
	struct mrm__out o;
	bool html;
	size_t ncols;   /* columns of the open table */
	unsigned numcols; /* bit i: column i is numeric (right aligned) */
	size_t col;     /* cells written in the open row */
	size_t rows;    /* rows of the open table */
	size_t dropped; /* rows not shown because of MRM__DOC_ROWS */
	bool in_kv, in_list, row_open;
};

void mrm__doc_init(struct mrm__doc *d, bool html, mrm_sink_fn sink, void *arg);

/*
 * Starts the document: the HTML page with the shared stylesheet (screen and
 * print) or the Markdown title; `title` is the h1, `subtitle` (may be NULL)
 * a line under it.
 */
void mrm__doc_begin(struct mrm__doc *d, const char *title, const char *subtitle);
/* Ends it: a closing line naming what generated it and when (`generated_at`). */
void mrm__doc_end(struct mrm__doc *d, const char *generated_at);
/* Flushes and returns the first sink error (0 if none). */
int mrm__doc_finish(struct mrm__doc *d);

/* A section heading; `id` is the HTML anchor (only letters, digits and - are kept). */
void mrm__doc_h2(struct mrm__doc *d, const char *id, const char *title);
void mrm__doc_h3(struct mrm__doc *d, const char *title);

/* A paragraph of escaped text; the f forms format first (arguments are user text too). */
void mrm__doc_p(struct mrm__doc *d, const char *text);
void mrm__doc_pf(struct mrm__doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A paragraph in small print (Markdown: italic). */
void mrm__doc_note(struct mrm__doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A paragraph "MISSING: text", marked so that a reader cannot overlook it. */
void mrm__doc_missing(struct mrm__doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A boxed statement (the recommendation, the verdict); `cls` is "ok", "warn" or "bad". */
void mrm__doc_callout(struct mrm__doc *d, const char *cls, const char *word, const char *text);

/* Key-value lists: a term and its value (NULL or empty value: a dash). */
void mrm__doc_kv_begin(struct mrm__doc *d);
void mrm__doc_kv(struct mrm__doc *d, const char *key, const char *value);
void mrm__doc_kvf(struct mrm__doc *d, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A value that is missing from the store: "MISSING: why". */
void mrm__doc_kv_missing(struct mrm__doc *d, const char *key, const char *why);
void mrm__doc_kv_end(struct mrm__doc *d);

/*
 * Tables: headers are constant text; a leading '#' marks a numeric
 * (right-aligned) column. At most MRM__DOC_ROWS rows are shown; the rest
 * are counted in a note when the table ends.
 */
void mrm__doc_table(struct mrm__doc *d, const char *const *headers, size_t n);
/* Starts a row; false when the row is beyond the limit (its cells are then ignored). */
bool mrm__doc_row(struct mrm__doc *d);
void mrm__doc_cell(struct mrm__doc *d, const char *text);
void mrm__doc_cellf(struct mrm__doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A cell holding an identifier or a formula (code font). */
void mrm__doc_cell_code(struct mrm__doc *d, const char *text);
/* A cell holding a status word as a badge: cls one of pass, fail, na, warn, low, medium, high, critical. */
void mrm__doc_cell_status(struct mrm__doc *d, const char *cls, const char *word);
/* A text cell with an HTML class (constant text; Markdown ignores it). */
void mrm__doc_cell_cls(struct mrm__doc *d, const char *cls, const char *text);
void mrm__doc_table_end(struct mrm__doc *d);

/* Bulleted lists. */
void mrm__doc_ul(struct mrm__doc *d);
void mrm__doc_li(struct mrm__doc *d, const char *text);
void mrm__doc_lif(struct mrm__doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mrm__doc_ul_end(struct mrm__doc *d);

/* ---- reading the document's data (doc-data JSON of lib/core/doc*.c) ---- */

/* o[k] as text: strings as they are, numbers and booleans formatted, NULL for null or absent. */
const char *mrm__doc_text(json_t *o, const char *k, char *buf, size_t cap);
/* A JSON array of strings joined with ", " into buf (empty when none). */
const char *mrm__doc_join(json_t *arr, char *buf, size_t cap);

/* Blocks several documents share (doc-write.c). */
/* Findings { id, severity, category, title, owner, due, status, overdue, accepted_by_acceptance }. */
void mrm__doc_findings_table(struct mrm__doc *d, json_t *findings);
/* Metrics [ { name, value, ci, method, reason } ]: value, 95% CI, method or the reason it is undefined. */
void mrm__doc_metrics_table(struct mrm__doc *d, json_t *metrics);
/* A number as a table shows it (4 decimals) into buf; NULL for a non-number. */
const char *mrm__doc_num(json_t *v, char *buf);

/* The summary of a validation run (model card, MRA): run, metrics, failed tests; or MISSING. */
void mrm__doc_run_section(struct mrm__doc *d, json_t *run, const char *title);

/* The renderers of each document: write `data` through `d`. */
void mrm__doc_model_card(struct mrm__doc *d, json_t *data);
void mrm__doc_mra(struct mrm__doc *d, json_t *data);
void mrm__doc_validation(struct mrm__doc *d, json_t *data);
void mrm__doc_acceptance(struct mrm__doc *d, json_t *data);
void mrm__doc_annex_iv(struct mrm__doc *d, json_t *data);

#endif
