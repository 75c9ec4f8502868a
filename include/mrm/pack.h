/*
 * Evidence packs: one gzip-compressed POSIX tar file with everything an
 * auditor or a customer needs to check a model's governance record
 * offline: its documents (model card, MRA, Annex IV skeleton, validation
 * report, acceptance memos; HTML and Markdown), its evidence files, the
 * gate result, its audit events with the chain links up to the head, and
 * manifest.json with each file's SHA-256 and size.
 *
 * mrm_pack_verify() needs no store: it re-hashes every member, recomputes
 * every audit event's hash and its link to the one before, and checks each
 * evidence file against the SHA-256 its audit event registered. The
 * layout, the manifest's keys and what verification does and does not
 * prove are in docs/packs.md.
 */
#ifndef MRM_PACK_H
#define MRM_PACK_H

#include <stdbool.h>

#include <jansson.h>

#include "mrm/ctx.h"
#include "mrm/error.h"

struct mrm_policy;

/* The pack format this library writes ("format_version" of the manifest). */
#define MRM_PACK_FORMAT_VERSION 1

/* Ceilings of mrm_pack_verify(), so that any file can be checked with bounded memory. */
#define MRM_PACK_MAX_ENTRIES 100000      /* members of the archive */
#define MRM_PACK_MAX_MANIFEST (64L << 20) /* bytes of manifest.json */
#define MRM_PACK_MAX_EVENT (16L << 20)    /* bytes of one line of audit/events.jsonl */

struct mrm_pack_options {
	const char *output;               /* the .tar.gz to write (required) */
	bool allow_missing;               /* write the pack even if evidence files are missing */
	const struct mrm_policy *policy;  /* cited by the documents; NULL: the built-in default */
	const char *mrm_version;          /* recorded in the manifest (the CLI's version) */
};

/*
 * Writes the evidence pack of model `model` to o->output (atomically:
 * "OUT.tmp-PID", then renamed), reading the store in one read transaction.
 * Each evidence file is copied from its registered path after checking its
 * size and SHA-256 against the registration; a file that cannot be read,
 * or has changed, is "missing": without o->allow_missing nothing is
 * written and MRM_EINPUT names the first ones (`*out` lists them all);
 * with it, the pack is written and the manifest lists them under
 * "missing". `*out` (caller frees, set whenever the pack was assembled)
 * receives { pack, model, root, files, bytes, head, missing: [ { evidence,
 * path, reason } ], documents: [names], gate, gate_passed }: gate is
 * "evaluated", or why the gate is not available in this build (then
 * gate_passed is absent); gate_passed whether the packed gate result
 * passed.
 *
 * Errors: MRM_ENOTFOUND (unknown model); MRM_ECHECK when mrm audit verify
 * fails on the store (a pack of a tampered record is refused); MRM_EINPUT
 * (missing evidence, an output that cannot be written, a file changed
 * while it was copied); MRM_ESTORE.
 */
int mrm_pack_write(struct mrm_ctx *ctx, const char *model, const struct mrm_pack_options *o,
		   json_t **out, struct mrm_error *err);

/*
 * Verifies the pack at `path` offline, reading it once with bounded memory
 * and extracting nothing. `*out` (caller frees; set unless the file is not
 * a pack) receives { ok, pack, root, model, created_at, mrm_version,
 * files (listed in the manifest), checked, head: { seq, hash }, events
 * (audit events in the pack), missing_evidence (listed as missing when the
 * pack was made), problems: [ { file, problem, detail } ], problem_count }.
 * A problem is "altered" (hash or size differs), "missing" (listed, not
 * present), "extra" (present, not listed), "duplicate", "bad-name" (an
 * absolute or ".." path, or a name outside the pack's folder),
 * "not-a-file", "audit-chain" (an event's hash, its link to the previous
 * one, or the end at the head), "evidence-registration" (an evidence file
 * whose SHA-256 is not the one its audit event registered), "manifest"
 * (a manifest key contradicting the pack), "truncated", "corrupt" or
 * "trailing-data".
 *
 * Returns MRM_OK when intact; MRM_ECHECK when any problem is found (the
 * first named in `err`); MRM_EINPUT when `path` is not a pack (unreadable,
 * not gzip, not tar, no manifest.json or one that is not a pack manifest,
 * too many members), with `*out` NULL.
 */
int mrm_pack_verify(const char *path, json_t **out, struct mrm_error *err);

#endif
