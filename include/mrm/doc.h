/*
 * Governance documents: the model card, the model risk assessment (MRA),
 * the validation report of a stored run, the risk acceptance memo and the
 * EU AI Act Annex IV technical documentation skeleton.
 *
 * A document is made in two steps. mrm_doc_data() (lib/core) reads the
 * store and returns the document's content as one JSON object: every fact
 * the document states, and, for the MRA, the risk ratings and the
 * recommendation with the rules that produced them. mrm_doc_render()
 * (lib/report) writes that object as a self-contained, printable HTML page
 * or as Markdown, reading nothing else. `mrm --json doc ...` prints the
 * object; docs/documents.md describes each document, its keys and the MRA
 * rubric.
 */
#ifndef MRM_DOC_H
#define MRM_DOC_H

#include <jansson.h>

#include "mrm/ctx.h"
#include "mrm/error.h"
#include "mrm/report.h"

struct mrm_policy;

enum mrm_doc_kind {
	MRM_DOC_MODEL_CARD,
	MRM_DOC_MRA,
	MRM_DOC_VALIDATION,
	MRM_DOC_ACCEPTANCE,
	MRM_DOC_ANNEX_IV,
};

/* "model-card" "mra" "validation" "acceptance" "annex-iv", NULL: indexed by enum mrm_doc_kind. */
extern const char *const mrm_doc_kinds[];

/* The kind named `name`; MRM_EUSAGE listing the kinds for any other name. */
int mrm_doc_kind_parse(const char *name, enum mrm_doc_kind *out, struct mrm_error *err);

enum mrm_doc_format { MRM_DOC_MARKDOWN, MRM_DOC_HTML };

struct mrm_doc_options {
	/* The policy whose rules the MRA and the acceptance memo cite; NULL: the built-in default. */
	const struct mrm_policy *policy;
	/* validation: the run to report, "E-N" (evidence of the model); NULL: the latest run. */
	const char *evidence;
};

/* Largest validation result file mrm_doc_data() reads (bytes). */
#define MRM_DOC_MAX_RESULT (64L << 20)

/*
 * The content of document `kind` about `id` (a model id; an acceptance
 * "A-N" for MRM_DOC_ACCEPTANCE) as a new JSON object `*out` (caller frees)
 * with "document" (the kind's name), "generated_at" (the context's time)
 * and the document's keys (docs/documents.md). `o` may be NULL.
 *
 * The validation document reads the JSON result that `mrm validate
 * --model` stored as evidence of kind validation-report (the newest ".json"
 * one, or o->evidence) and checks it against its registered SHA-256 and
 * size first; the model card and the MRA summarise the same run when it is
 * readable and say why when it is not. The MRA shows the gate's status of
 * each control when a gate is built in (mrm gate), else the facts on file
 * with the control marked "not evaluated".
 *
 * Errors: MRM_ENOTFOUND (unknown model, acceptance or evidence);
 * MRM_EINPUT (o->evidence not a validation result of this model; the
 * validation document when the model has no stored run, or its file is
 * missing, changed since it was registered, larger than
 * MRM_DOC_MAX_RESULT or not a validation result: the message names the
 * evidence and the file); MRM_ESTORE. Reads only: nothing is written.
 */
int mrm_doc_data(struct mrm_ctx *ctx, enum mrm_doc_kind kind, const char *id,
		 const struct mrm_doc_options *o, json_t **out, struct mrm_error *err);

/*
 * Writes the document `data` (as mrm_doc_data() gives it; its "document"
 * key selects the layout) in format `fmt` to `sink`. HTML is one page
 * with inline CSS (screen and print), no scripts, no external URLs; text
 * from `data` is escaped for the format (HTML entities; Markdown
 * backslash escapes, so no text can add markup or raw HTML). Output is
 * bounded: long texts and tables are cut with a note.
 *
 * Errors: MRM_EINPUT when `data` is not a document object of a known
 * kind; the sink's code when it refuses a write (the sink may then have
 * received part of the document).
 */
int mrm_doc_render(json_t *data, enum mrm_doc_format fmt, mrm_sink_fn sink, void *arg,
		   struct mrm_error *err);

/*
 * Writes the document to the file `path` atomically ("PATH.tmp-PID", then
 * renamed). Errors: those of mrm_doc_render(), and MRM_EINPUT naming the
 * path when it cannot be created, written or renamed.
 */
int mrm_doc_render_file(json_t *data, enum mrm_doc_format fmt, const char *path,
			struct mrm_error *err);

/*
 * The format a file name asks for: ".html" or ".htm" HTML, ".md" or
 * ".markdown" Markdown (case-insensitive). MRM_EUSAGE for anything else.
 */
int mrm_doc_format_of(const char *path, enum mrm_doc_format *out, struct mrm_error *err);

#endif
