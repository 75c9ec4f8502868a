/*
 * Export and import: the whole store as one JSON document, so a store can
 * be archived, moved to another machine or backend, or handed to an
 * auditor, and loaded back exactly as it was (see docs/export.md).
 *
 * The document is
 *   {"format": "mrm-export", "format_version": 1, "schema_version": N,
 *    "exported_at": TIME, "tables": {"users": [ROW, ...], ...,
 *    "audit_events": [...], "mrm_meta": [...]}, "audit_head": HASH}
 * with every table of the store in foreign-key order, rows in key order,
 * one row a line, each row an object of its columns in table order (raw
 * integer ids; BOOLEAN columns as true/false; JSON columns as JSON).
 */
#ifndef MRM_TRANSFER_H
#define MRM_TRANSFER_H

#include <stdio.h>

#include <jansson.h>

#include "mrm/ctx.h"

/* The format this mrm writes and reads ("format_version"). */
#define MRM_EXPORT_FORMAT_VERSION 1

/* The largest document mrm import accepts: 2 GiB. */
#define MRM_IMPORT_MAX_BYTES ((long long)2 << 30)

/*
 * Writes the export document of the whole store to `out`, streaming it
 * row by row from one read snapshot. Read-only: writes no audit event and
 * needs no registered actor (whoever can read the store can export it; the
 * file is as sensitive as the store). `*summary` (may be NULL) receives
 * {"tables": {TABLE: ROWS, ...}, "rows": N, "events": N, "head": HASH|null};
 * caller owns it. Errors: MRM_ESTORE reading the store, MRM_EINPUT when
 * `out` cannot be written.
 */
int mrm_export(struct mrm_ctx *ctx, FILE *out, json_t **summary,
	       struct mrm_error *err);

/*
 * Same, to the file `path` (NULL or "-": standard output). The document is
 * written to "PATH.tmp.PID", flushed to disk and renamed over `path`, so a
 * failed export never leaves a partial file (and never destroys an older
 * export at `path`). Errors: as mrm_export; MRM_EINPUT names the path.
 */
int mrm_export_file(struct mrm_ctx *ctx, const char *path, json_t **summary,
		    struct mrm_error *err);

/*
 * Loads an export document into the store, which must be initialised and
 * empty (no rows in any table). The document is read as a stream (at most
 * MRM_IMPORT_MAX_BYTES); every row is inserted in one transaction with
 * parameterised INSERTs whose column names come from the store's own
 * tables, then the same checks as mrm_audit_verify() run inside that
 * transaction; only if the chain is intact and every row matches its last
 * audit event is it committed. Writes no audit event of its own: after an
 * import, mrm_export() gives back the same document (bar "exported_at").
 *
 * `name` names the input in messages (e.g. the file name). `*summary`
 * (may be NULL) receives the same object as mrm_export's; caller owns it.
 * Errors, after which the store is exactly as before (empty):
 *   MRM_EINPUT  the store is not empty ("import needs an empty store");
 *               not JSON or truncated ("NAME:LINE:COLUMN: message");
 *               not an mrm export; another format or schema version;
 *               an unknown, duplicate or missing table; an unknown column
 *               (naming table and column); a row the store refuses
 *               (constraint violation, naming table and row index);
 *               larger than MRM_IMPORT_MAX_BYTES;
 *   MRM_ECHECK  the document's audit chain does not verify (it was edited
 *               after export): "audit chain broken: ...";
 *   MRM_ESTORE  the store failed (locked, disk full, I/O).
 */
int mrm_import(struct mrm_ctx *ctx, FILE *in, const char *name,
	       json_t **summary, struct mrm_error *err);

/* Same, from the file `path` ("-": standard input). */
int mrm_import_file(struct mrm_ctx *ctx, const char *path, json_t **summary,
		    struct mrm_error *err);

#endif
