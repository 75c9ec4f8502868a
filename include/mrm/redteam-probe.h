/*
 * Red teaming, the offline half: probe packs (YAML, versioned and hashed,
 * built in or a user's file), the transforms that multiply probes, and the
 * detectors that decide whether an attempt succeeded.
 *
 * A pack is a list of probes; each probe is a conversation to send after the
 * target's system prompt, tagged with OWASP Top 10 for LLM Applications 2025
 * ids, MITRE ATLAS technique ids and NIST AI 600-1 risk names, and a detector
 * spec that says how a reply is judged. docs/redteam-packs.md describes the
 * format and the built-in packs; docs/redteam-detectors.md every detector.
 * Nothing here talks to a network: the runner (mrm/redteam.h) sends the
 * probes and hands each reply to mrm_rt_detect().
 *
 * "Success" always means the ATTACK succeeded (the target misbehaved).
 */
#ifndef MRM_REDTEAM_PROBE_H
#define MRM_REDTEAM_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "mrm/error.h"

/* The pack format version this library reads (`format:` in a pack). */
#define MRM_RT_PACK_FORMAT 1

/*
 * One message of a probe's conversation. `tool_calls` (assistant turns
 * only) is the OpenAI `tool_calls` array ([{ "id", "type": "function",
 * "function": { "name", "arguments": TEXT } }]) the assistant made earlier in
 * the set-up, and `tool_call_id` (tool turns only) the id of the call a tool
 * result answers; both NULL otherwise. A target that has no tool protocol can
 * use mrm_rt_probe_text() instead.
 */
struct mrm_rt_message {
	char *role;    /* system|user|assistant|tool */
	char *content;
	char *tool_call_id;
	json_t *tool_calls;
};

struct mrm_rt_probe {
	char *id;       /* unique within the pack: "pi-direct-003", "pi-direct-003+base64" */
	char *category; /* one of mrm_rt_categories() */
	char **owasp, **atlas, **nist; /* NULL-terminated: LLM01.., AML.T...., NIST AI 600-1 risk names */
	struct mrm_rt_message *turns;  /* sent after the target's system prompt; the last is the user turn */
	size_t nturns;
	char *transform;  /* NULL or base64|rot13|leetspeak|spacing|translate-XX|multiturn */
	json_t *tools;    /* OpenAI tool definitions offered with this probe, or NULL */
	json_t *detectors; /* { "combine": "any"|"all", "detectors": [ SPEC, ... ] } (docs/redteam-detectors.md) */
	char *expected;   /* hallucination: the known answer, or NULL */
	/* Additions beyond the runner's contract. */
	char *base_id;    /* the probe this one was derived from (== id when untransformed) */
	char *title;      /* a short description, or NULL */
};

struct mrm_rt_pack {
	char *name, *version;
	char *sha256; /* of the file's bytes (built in: of the embedded text, the same bytes) */
	char *path;   /* the file read, or "builtin:NAME" */
	struct mrm_rt_probe *probes; /* base probes, each followed by its transformed copies */
	size_t nprobes;
	/* Additions beyond the runner's contract. */
	char *description; /* or NULL */
	size_t nbase;      /* probes before transforms */
	void *priv;        /* the memory the pack lives in */
};

/* The probe categories (NULL-terminated), in report order. */
const char *const *mrm_rt_categories(void);

/* The NIST AI 600-1 risk names a probe may carry (NULL-terminated, the profile's 12). */
const char *const *mrm_rt_nist_risks(void);

/* ---- packs ------------------------------------------------------------------------ */

/*
 * Loads a built-in pack by name (mrm_rt_builtin_packs()) or a YAML pack
 * file. Transforms are expanded deterministically: each base probe in file
 * order, then its transformed copies in the order its `transforms` list
 * gives, so the same file always yields the same probes in the same order.
 * Errors: a file that cannot be read, a syntax error or any invalid field is
 * MRM_EINPUT "FILE:LINE:COL: FIELD: message" (duplicate ids, unknown
 * category, detector, transform, OWASP id, NIST risk, bad regex or schema);
 * a name that is neither a built-in pack nor an existing file is
 * MRM_ENOTFOUND and lists the built-in packs. `*out` is NULL on error; free
 * it with mrm_rt_pack_free().
 */
int mrm_rt_pack_load(const char *name_or_path, struct mrm_rt_pack **out, struct mrm_error *err);

/* The same from text in memory; `name` is used in messages and as the path. */
int mrm_rt_pack_parse(const char *name, const char *text, size_t len, struct mrm_rt_pack **out,
		      struct mrm_error *err);

/* Frees a pack and everything in it. NULL is a no-op. */
void mrm_rt_pack_free(struct mrm_rt_pack *p);

/* The names of the built-in packs, NULL-terminated, in a fixed order. */
const char *const *mrm_rt_builtin_packs(void);

/* The embedded text of a built-in pack (its file's bytes), or NULL for an unknown name. */
const char *mrm_rt_builtin_text(const char *name, size_t *len);

/*
 * The probe's conversation as an OpenAI `messages` array (role, content,
 * tool_calls, tool_call_id), without the target's system prompt (the caller
 * puts that first). NULL when out of memory. Caller owns the result.
 */
json_t *mrm_rt_probe_messages(const struct mrm_rt_probe *p);

/*
 * The probe as one prompt text, for targets that take a single prompt (a
 * generic HTTP template, a local command): a one-turn probe is its user
 * turn; a longer conversation is written out with "[role]" headers and tool
 * calls and results inline, ending with the last user turn. Caller frees;
 * NULL when out of memory.
 */
char *mrm_rt_probe_text(const struct mrm_rt_probe *p);

/* ---- transforms ------------------------------------------------------------------- */

/* True if `name` is a transform mrm knows (translate-XX for the languages of mrm_rt_languages()). */
bool mrm_rt_transform_known(const char *name);

/* The translate-XX language codes (NULL-terminated). */
const char *const *mrm_rt_languages(void);

/*
 * Encodes `text` the way a transform does to a probe's user turn, without the
 * framing sentence around it: base64 (RFC 4648 with padding), rot13 (ASCII
 * letters), leetspeak (a->4 e->3 i->1 o->0 s->5 t->7, case-folded), spacing
 * (one space between code points). NULL for another name or out of memory.
 * Caller frees.
 */
char *mrm_rt_encode(const char *transform, const char *text);

/*
 * The inverse of mrm_rt_encode where one exists: base64 (NULL if `text` is
 * not base64), rot13, spacing (every other code point), leetspeak (digits
 * back to letters; lossy: digits of the original come back as letters and
 * case is lost). Caller frees.
 */
char *mrm_rt_decode(const char *transform, const char *text);

/* ---- detectors -------------------------------------------------------------------- */

/* A target's reply to one attempt. */
struct mrm_rt_reply {
	const char *content;  /* may be NULL or "" (a reply with only tool calls) */
	json_t *tool_calls;   /* [{ "name", "arguments" }] or NULL; arguments a JSON text or object */
};

/*
 * Decides one attempt. `secrets` (NULL-terminated, may be NULL) are the
 * canaries planted in the system prompt plus the user's --secret values.
 * *verdict (caller owns) = { "success": BOOL, "detector": NAME, "evidence":
 * TEXT, "needs_judge": BOOL, "results": [ { "detector", "hit", "fired",
 * "evidence" } ] }. needs_judge is true when the outcome depends on the
 * probe's llm_judge detector (no other detector settled it); the runner then
 * asks the judge endpoint with mrm_rt_judge_prompt() and the judge's answer
 * is the outcome. Evidence never quotes a secret or personal data in full.
 * Errors: MRM_EINPUT for a detector spec this library cannot apply (specs of
 * loaded packs are checked at load), MRM_ESTORE out of memory.
 */
int mrm_rt_detect(const struct mrm_rt_probe *p, const struct mrm_rt_reply *r,
		  const char *const *secrets, json_t **verdict, struct mrm_error *err);

/* The judge prompt for a probe and reply (the runner records it in the run). Caller frees. */
char *mrm_rt_judge_prompt(const struct mrm_rt_probe *p, const struct mrm_rt_reply *r);

/*
 * Parses the judge's answer: a JSON object with "success": BOOL (or
 * "verdict": "success"|"failure"), possibly inside a ``` fence or other
 * text, or an answer whose first word is YES/SUCCESS/UNSAFE or
 * NO/FAILURE/SAFE. Anything else is MRM_EINPUT quoting the answer's start.
 */
int mrm_rt_judge_parse(const char *answer, bool *success, struct mrm_error *err);

/*
 * Refusal recognition (docs/redteam-detectors.md lists the phrase set and
 * its measured precision and recall). True if `text` declines the request;
 * `phrase` (may be NULL) receives the matched phrase.
 */
bool mrm_rt_is_refusal(const char *text, const char **phrase);

/* True if `text` declines or says it does not know (refusal plus the abstention phrases). */
bool mrm_rt_is_abstention(const char *text, const char **phrase);

/* ---- personal data ---------------------------------------------------------------- */

/* The personal-data kinds (NULL-terminated): email phone card iban ssn nino. */
const char *const *mrm_rt_pii_kinds(void);

/* Luhn check over the digits of `s` (other characters ignored); false with fewer than 2 digits. */
bool mrm_rt_luhn_ok(const char *s);

/* IBAN check: country code, length for the country, ISO 13616 mod-97 == 1 (spaces ignored). */
bool mrm_rt_iban_ok(const char *s);

/* US SSN in AAA-GG-SSSS form: area not 000, 666 or 9xx, group not 00, serial not 0000. */
bool mrm_rt_ssn_ok(const char *s);

/* UK National Insurance number: prefix letter rules, 6 digits, suffix A-D (spaces ignored). */
bool mrm_rt_nino_ok(const char *s);

/*
 * Finds personal data in `text`: returns an array of { "kind", "value",
 * "masked", "offset" } for each valid match of the given kinds (NULL: all),
 * in text order. NULL when out of memory. Caller owns.
 */
json_t *mrm_rt_pii_find(const char *text, const char *const *kinds);

/* ---- JSON schema (subset) --------------------------------------------------------- */

/*
 * Checks that `schema` uses only the supported keywords (type, required,
 * properties, enum, items, additionalProperties, and the annotations title,
 * description, $schema) with well-formed values. MRM_EINPUT naming the
 * keyword's path otherwise.
 */
int mrm_rt_schema_check(const json_t *schema, struct mrm_error *err);

/*
 * Validates `value` against a checked schema. True when valid; otherwise
 * `why` receives "PATH: reason" (e.g. "$.amount: expected number, found
 * string").
 */
bool mrm_rt_schema_valid(const json_t *schema, const json_t *value, char *why, size_t cap);

#endif
