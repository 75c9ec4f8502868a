/*
 * Pieces shared by the files of lib/redteam (not public): growable buffers with a
 * ceiling, building a target's request and reading its reply (target.c), redaction of
 * the user's secrets, and run-file lines (runfile.c).
 */
#ifndef MRM_REDTEAM_INTERNAL_H
#define MRM_REDTEAM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "mrm/redteam.h"

/* The largest reply body kept (a bigger one is an error), and the reply text recorded. */
#define MRM__RT_MAX_BODY (8u << 20)
#define MRM__RT_MAX_RECORDED (64u << 10)

/* Bytes with a ceiling: appending past `max` fails and sets `over`. */
struct mrm__rt_buf {
	char *p;
	size_t len, cap, max;
	bool over;
};

/* Appends; returns false (and sets over) past the ceiling or when memory runs out. */
bool mrm__rt_buf_add(struct mrm__rt_buf *b, const void *data, size_t len);
void mrm__rt_buf_release(struct mrm__rt_buf *b);

/* The system prompt sent: the user's, then the canary sentence. Caller frees. */
char *mrm__rt_system_prompt(const char *user_prompt, const char *canary);

/* The full chat completions URL of an OpenAI-compatible base URL. Caller frees. */
char *mrm__rt_openai_url(const char *base);

/*
 * The messages of one probe: the system prompt, then its turns, as a new JSON array of
 * { role, content }.
 */
json_t *mrm__rt_messages(const char *system, const struct mrm_rt_probe *p);

/* The tools of one request: the target's then the probe's (new array), or NULL if none. */
json_t *mrm__rt_tools(const struct mrm_rt_target *t, const struct mrm_rt_probe *p);

/*
 * The request body of an HTTP target for `messages` (of mrm__rt_messages) and `tools`
 * (may be NULL): OpenAI's JSON, or the http+json template filled in. Caller frees.
 */
int mrm__rt_body(const struct mrm_rt_target *t, json_t *messages, json_t *tools, char **out,
		 struct mrm_error *err);

/*
 * Fills a request template: {{prompt}} (the last turn), {{system}}, {{model}} JSON-escaped
 * without quotes; {{messages}}, {{tools}} as JSON. `where` names the template in errors
 * (FILE:LINE:COL: unknown placeholder). Caller frees.
 */
int mrm__rt_template(const char *tpl, const char *where, json_t *messages, json_t *tools,
		     const char *model, char **out, struct mrm_error *err);

/* A reply: its text, tool calls [{ name, arguments }] (or NULL), and token usage (-1: none). */
struct mrm__rt_parsed {
	char *content;
	json_t *tool_calls;
	long long tokens_in, tokens_out;
};

void mrm__rt_parsed_release(struct mrm__rt_parsed *r);

/*
 * Reads an OpenAI chat completion (a JSON document, or an SSE stream of chunks when
 * `content_type` is text/event-stream or the body starts with "data:"). MRM_EINPUT with a
 * short reason for malformed JSON, an error object, or no choices.
 */
int mrm__rt_parse_openai(const char *body, size_t len, const char *content_type,
			 struct mrm__rt_parsed *out, struct mrm_error *err);

/*
 * Reads the reply of an http+json target (or a JSON cmd reply): the value at `path`
 * ("a.b.0.c": object keys and array indexes), a string or a scalar as text; "usage" as
 * OpenAI's when present. With `calls_path` (may be NULL) the tool calls at that path too:
 * a list of calls (`{name, arguments}` or OpenAI's `{function: {name, arguments}}`) or one
 * call; a last key that is absent or null means none. MRM_EINPUT for malformed JSON, a
 * reply path that does not resolve, a tool-calls path whose parent does not, or a value
 * there that is not tool calls.
 */
int mrm__rt_parse_path(const char *body, size_t len, const char *path, const char *calls_path,
		       struct mrm__rt_parsed *out, struct mrm_error *err);

/* Checks the syntax of a reply path (non-empty segments). */
int mrm__rt_path_check(const char *path, struct mrm_error *err);

/*
 * Copies `s` with every secret (and its base64 form) replaced by "[secret N]" (1-based).
 * Caller frees; NULL for NULL.
 */
char *mrm__rt_redact(const char *s, const char *const *secrets);
/* The same on every string of a JSON value, in place. */
void mrm__rt_redact_json(json_t *v, const char *const *secrets);

/* Base64 (standard alphabet, padded) of `len` bytes. Caller frees. */
char *mrm__rt_base64(const void *data, size_t len);

/*
 * A NUL-terminated copy of `len` bytes with invalid UTF-8 sequences and NUL bytes replaced
 * by U+FFFD (so any reply can be stored as JSON text). Caller frees.
 */
char *mrm__rt_utf8_clean(const char *s, size_t len);

/* A copy of `s` cut to at most `max` bytes at a UTF-8 boundary; *cut tells. Caller frees. */
char *mrm__rt_cut(const char *s, size_t max, bool *cut);

/* ---- run files (runfile.c) ------------------------------------------------------------- */

/* The run file format's name and version (the header's "format" and "format_version"). */
#define MRM__RT_FORMAT "mrm-redteam-run"
#define MRM__RT_FORMAT_VERSION 1

/* The header line of a run of `o` with `canary` and `planned` attempts (new object). */
json_t *mrm__rt_header(const struct mrm_rt_run_options *o, const char *canary, size_t planned,
		       const char *created_at);

/*
 * Checks that the header `have` of run file `path` describes the same run as `want`
 * (target, model, prompt, template, tools, packs, seed, repeat, secrets); MRM_EINPUT
 * saying what differs.
 */
int mrm__rt_header_match(json_t *have, json_t *want, const char *path, struct mrm_error *err);

/* Appends `line` as one JSON line (a single write of line and newline) to `fd`. */
int mrm__rt_append(int fd, json_t *line, const char *path, struct mrm_error *err);

#endif
