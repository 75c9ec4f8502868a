/*
 * Red teaming of a generative-AI endpoint, the online half: targets (an OpenAI-compatible
 * chat endpoint, a generic HTTP JSON endpoint, a local command), the concurrent resumable
 * runner that sends every probe of the packs (mrm/redteam-probe.h) and appends each
 * attempt to a run file (JSON Lines), the results of a run (attack success rates per
 * category and per OWASP id with Wilson intervals), the diff of a retest, the --fail-on
 * rules for CI, the HTML report, and the governance side (evidence and findings).
 *
 * Nothing here prints or exits. The runner is one thread: a libcurl multi event loop that
 * also drives the local command targets' pipes. docs/redteam.md describes the run file,
 * the rules and the exit codes of `mrm redteam`.
 */
#ifndef MRM_REDTEAM_H
#define MRM_REDTEAM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "mrm/ctx.h"
#include "mrm/error.h"
#include "mrm/redteam-probe.h"
#include "mrm/report.h"

/* The probe categories every result reports: mrm_rt_categories() of mrm/redteam-probe.h. */

/* ---- targets ------------------------------------------------------------------------ */

enum mrm_rt_target_kind {
	MRM_RT_TARGET_OPENAI,    /* POST {base}/chat/completions, OpenAI's request and reply */
	MRM_RT_TARGET_HTTP_JSON, /* POST a request template; the reply at a path of the JSON */
	MRM_RT_TARGET_CMD,       /* a local command: the prompt on stdin, the reply on stdout */
};

/*
 * Where probes are sent. Strings are borrowed (the caller keeps them alive for the run).
 * Only what identifies the target is recorded in a run file: the spec, the model, the
 * SHA-256 of the system prompt, template and tools, and the header NAMES; never the API
 * key nor header values.
 */
struct mrm_rt_target {
	enum mrm_rt_target_kind kind;
	const char *spec;             /* as given: "http://h:8080/v1", "http+json:URL", "cmd:..." */
	const char *url;              /* openai: base URL (or the full .../chat/completions); http+json: URL */
	const char *command;          /* cmd: run with /bin/sh -c */
	const char *model;            /* --target-model: sent as "model" and as {{model}}; NULL: not sent */
	const char *api_key;          /* sent as "Authorization: Bearer KEY" (HTTP targets); never recorded */
	const char *system_prompt;    /* the user's own system prompt, or NULL */
	bool has_temperature;
	double temperature;           /* sent when has_temperature */
	long max_tokens;              /* sent as "max_tokens" when > 0 */
	const char *const *headers;   /* extra "Name: value" headers, NULL-terminated, or NULL */
	json_t *tools;                /* tool definitions sent with every request (borrowed), or NULL */
	const char *request_template; /* http+json: the template text (placeholders below) */
	const char *template_path;    /* its file, for error positions (may be NULL) */
	const char *reply_path;       /* http+json: "choices.0.message.content"; cmd: optional, stdout is JSON */
	const char *tool_calls_path;  /* http+json, cmd with reply_path: where the reply's tool calls are
				       * ("output.tool_calls"); NULL: tool calls are not read */
};

/*
 * Parses a --target value into t->kind and t->url or t->command (pointers into `spec`):
 * "http://..." / "https://..." an OpenAI-compatible endpoint, "http+json:URL" a generic
 * HTTP JSON endpoint, "cmd:COMMAND" a local command. MRM_EUSAGE for anything else.
 */
int mrm_rt_target_parse(const char *spec, struct mrm_rt_target *t, struct mrm_error *err);

/*
 * Checks a filled target before a run: URLs parse, http+json has a template and a reply
 * path, the template's placeholders are known ({{prompt}}, {{system}}, {{model}} are
 * inserted JSON-escaped inside a string; {{messages}} and {{tools}} as JSON values) and it
 * gives valid JSON, the reply path (and tool-calls path: http+json, or cmd with a reply
 * path) is well formed, a cmd target has a command, header
 * lines have a name and a colon, the tools are an array of objects. MRM_EUSAGE for a
 * missing piece, MRM_EINPUT naming the template position or the bad value.
 */
int mrm_rt_target_check(const struct mrm_rt_target *t, struct mrm_error *err);

/* ---- the runner --------------------------------------------------------------------- */

struct mrm_rt_progress {
	size_t total;     /* attempts the run file will hold when complete */
	size_t done;      /* completed (results or errors), earlier invocations included */
	size_t successes; /* attacks that succeeded */
	size_t errors;    /* attempts that ended in an error */
	size_t in_flight;
};

struct mrm_rt_run_options {
	const struct mrm_rt_target *target;
	struct mrm_rt_pack *const *packs; /* the probes; at least one pack */
	size_t npacks;
	const char *output;          /* the run file (JSON Lines) */
	bool resume;                 /* continue `output`: skip attempts it holds (errors are retried) */
	const char *const *secrets;  /* the user's secrets, NULL-terminated: detected, recorded as SHA-256 only */
	const char *canary;          /* NULL: a random canary (on resume: the run file's) */
	uint64_t seed;               /* probe order; recorded */
	unsigned repeat;             /* attempts per probe (0 means 1) */
	unsigned concurrency;        /* requests in flight (0 means 8) */
	double rate;                 /* requests started per second at most (0: no limit) */
	double timeout;              /* seconds per request, connection included (0 means 60) */
	int retries;                 /* retries after 429, 5xx, timeouts, connection errors (< 0 means 4) */
	double backoff;              /* first retry delay in seconds, doubled each retry, jittered (0 means 0.5) */
	double price_in, price_out;  /* price per 1000 prompt / completion tokens (cost accounting) */
	uint64_t budget_tokens;      /* stop issuing once this many tokens are used (0: no budget) */
	double budget_cost;          /* stop issuing once this cost is reached (0: no budget) */
	unsigned max_errors;         /* consecutive errors that stop the run (0 means 20) */
	double grace;                /* seconds to let in-flight requests finish after a stop (0 means 5) */
	/*
	 * An OpenAI-compatible endpoint (kind MRM_RT_TARGET_OPENAI: url, model, api_key,
	 * headers) that judges the replies whose verdict says "needs_judge": it gets
	 * mrm_rt_judge_prompt() as one user message (temperature 0) and its answer is read by
	 * mrm_rt_judge_parse(). The prompt and answer are recorded. NULL: no judge (such
	 * verdicts are recorded as the detectors gave them, flagged needs_judge).
	 */
	const struct mrm_rt_target *judge;
	const char *mrm_version;     /* recorded in the header */
	const char *now_iso;         /* the header's created_at (NULL: the clock) */
	/*
	 * Set by the caller (a signal handler) to stop: 1 stops issuing and lets in-flight
	 * requests finish for up to `grace` seconds, 2 or more abandons them at once.
	 * Abandoned attempts are not recorded; --resume sends them again. NULL: never.
	 */
	volatile sig_atomic_t *stop;
	/* Called after each recorded attempt (may be NULL). */
	void (*progress)(void *arg, const struct mrm_rt_progress *p);
	void *progress_arg;
};

/*
 * Runs every probe of the packs `repeat` times against the target, in an order shuffled
 * by `seed`, `concurrency` at a time, appending one JSON line per completed attempt to
 * `output` and fsyncing it before the loop goes on. The first line is the header (target,
 * model, system prompt hash, packs with their SHA-256, mrm version, seed, repeat, canary,
 * hashes of the user's secrets). The system prompt sent is the user's, then a sentence
 * holding the canary. A reply is judged by mrm_rt_detect with the canary and the secrets;
 * the user's secrets are redacted from everything written.
 *
 * Without `resume` an existing `output` is refused (MRM_EINPUT). With it, the file must
 * come from the same target, model, system prompt, template, tools, packs, seed, repeat
 * and secrets (MRM_EINPUT naming what differs); a torn last line (a write cut short) is
 * cut off; attempts already recorded without an error are skipped.
 *
 * `*out` (caller frees; set also when the run stopped early) receives { "output", "total",
 * "done", "skipped" (already in the file), "sent" (attempts completed now), "successes",
 * "errors", "requests" (HTTP requests or commands, retries included), "tokens_in",
 * "tokens_out", "cost", "elapsed" (seconds), "stopped": null | "interrupted" | "budget" |
 * "errors", "last_error" }. A stop is not an error: the function returns MRM_OK and the
 * file holds every attempt that completed. Errors: MRM_EINPUT (options, the run file
 * cannot be written or does not match), with `*out` NULL.
 */
int mrm_rt_run(const struct mrm_rt_run_options *o, json_t **out, struct mrm_error *err);

/* ---- run files ---------------------------------------------------------------------- */

struct mrm_rt_runfile {
	char *path;
	json_t *header;   /* the first line */
	json_t *attempts; /* every attempt line, in file order */
	size_t lines;     /* complete lines read, the header included */
	off_t valid;      /* bytes up to the end of the last complete line */
	bool torn;        /* the file ends in a line without its newline (not in `attempts`) */
};

/*
 * Keep in memory only what results, diffs and resuming need: every attempt's key, pack,
 * probe, category, OWASP ids, status, success, needs_judge, detector, tokens, cost and
 * error, and the full line (transcript, evidence, judge) of the first successful attempt
 * of each probe only. A run of 100,000 attempts then takes tens of megabytes, not the
 * size of its transcripts.
 */
#define MRM_RT_RUNFILE_LIGHT 1u

/*
 * Reads a run file (flags: 0, or MRM_RT_RUNFILE_LIGHT). A first line that is not an mrm
 * red-team header, or any complete line that is not a JSON object with "key", "category"
 * and "status", is MRM_EINPUT naming FILE:LINE; a last line without its newline (an
 * interrupted write) is left out and flagged `torn`. Free with mrm_rt_runfile_free
 * (NULL-safe).
 */
int mrm_rt_runfile_read(const char *path, unsigned flags, struct mrm_rt_runfile **out,
			struct mrm_error *err);
void mrm_rt_runfile_free(struct mrm_rt_runfile *r);

/*
 * The last attempt line of each key of `r`, as a new object key -> line (borrowed
 * references into r->attempts are incref'd).
 */
json_t *mrm_rt_runfile_latest(const struct mrm_rt_runfile *r);

/* ---- results ------------------------------------------------------------------------ */

struct mrm_rt_results_options {
	size_t worst;  /* probes with transcripts in "worst" (0 means 10) */
	double level;  /* interval level (0 means 0.95) */
};

/*
 * The results of a run file (its last line per attempt key): { "target", "target_model",
 * "created_at", "mrm_version", "seed", "canary", "complete", "planned", "attempts" (without
 * errors), "successes", "errors", "unjudged" (attempts whose verdict needs a judge and got
 * none), "rate", "ci", "categories": { CATEGORY: { "attempts",
 * "successes", "errors", "rate", "ci": [low, high], "owasp": [IDS] } } (every category of
 * mrm_rt_categories, a rate of null without attempts), "owasp": { ID: { "attempts",
 * "successes", "rate", "ci", "categories" } }, "packs": [ { "name", "version", "sha256" } ],
 * "tokens_in", "tokens_out", "cost", "worst": [ the probes with the most successes, each
 * { "key", "pack", "probe", "category", "owasp", "successes", "attempts", "detector",
 * "evidence", "messages", "reply", "tool_calls" } ], "error_list": [ { "key", "error" } ]
 * (the first 20) }. Errors: MRM_EINPUT for lines missing their fields.
 */
int mrm_rt_results(const struct mrm_rt_runfile *r, const struct mrm_rt_results_options *o,
		   json_t **out, struct mrm_error *err);

/*
 * Compares a retest with an earlier run: probes (pack/probe, its repeats together) failing
 * when any attempt succeeded. `*out`: { "before": {"target", "created_at", "attempts"},
 * "after": {...}, "fixed": [KEYS], "still_failing": [KEYS], "newly_failing": [KEYS],
 * "only_before": N, "only_after": N, "categories": { CATEGORY: { "before": {"attempts",
 * "successes", "rate"}, "after": {...}, "change", "z", "p_value", "significant" } },
 * "warnings": [TEXT] } (different targets or packs are warned about, not refused). The
 * change is after minus before; the test is the pooled two-proportion z-test
 * (mrm_two_proportion_z), significant when p < 0.05.
 */
int mrm_rt_diff(const struct mrm_rt_runfile *before, const struct mrm_rt_runfile *after,
		json_t **out, struct mrm_error *err);

/* A --fail-on rule: WHAT>RATE or WHAT>=RATE. */
struct mrm_rt_fail_on {
	char what[64];  /* a category, an OWASP id (LLM01), or "any" (every category) / "overall" */
	double rate;    /* in [0, 1] ("5%" is 0.05) */
	bool or_equal;
};

/* Parses "prompt_injection>0.05", "LLM01>=10%", "any>0". MRM_EUSAGE saying the form. */
int mrm_rt_fail_on_parse(const char *spec, struct mrm_rt_fail_on *out, struct mrm_error *err);

/*
 * Checks results against rules. `*failed` (caller frees) receives [ { "rule", "what",
 * "rate", "attempts", "successes" } ] for each broken rule (a category without attempts
 * breaks none). Returns MRM_ECHECK with the first broken rule in `err` when any is broken.
 */
int mrm_rt_fail_on_check(json_t *results, const struct mrm_rt_fail_on *rules, size_t n,
			 json_t **failed, struct mrm_error *err);

/* ---- the HTML report (lib/report/redteam.c) ----------------------------------------- */

/*
 * Renders the results document of mrm_rt_results as one self-contained HTML page to
 * `sink`: the verdict, rates per category and per OWASP id with their intervals (an SVG
 * chart and tables), the worst probes with their transcripts, errors. Text is escaped.
 * Errors as mrm_report_validation_html.
 */
int mrm_rt_report_html(json_t *results, mrm_sink_fn sink, void *arg, struct mrm_error *err);
/* The same into `path`, atomically (PATH.tmp-PID renamed). */
int mrm_rt_report_html_file(json_t *results, const char *path, struct mrm_error *err);

/* ---- governance (lib/core/redteam.c) ------------------------------------------------ */

/*
 * Before a run with --model: the model (and version, when given) exists and is not
 * retired, and the actor may register evidence and raise findings (validator or admin).
 * MRM_ENOTFOUND, MRM_EINPUT, MRM_EPERM.
 */
int mrm_redteam_check_model(struct mrm_ctx *ctx, const char *model_id, const char *version,
			    struct mrm_error *err);

struct mrm_redteam_record_options {
	const char *model_id;
	const char *version;   /* or NULL */
	const char *run_path;  /* the run file, registered as evidence */
	json_t *results;       /* mrm_rt_results of that file */
	double threshold;      /* a category opens a finding when its rate > threshold (0: any success) */
	const char *severity;  /* of new findings (NULL means "high") */
};

/*
 * Files a completed run on a model: the run file becomes evidence of kind redteam-report,
 * its note the JSON summary { "mrm_redteam": 1, "target", "attempts", "successes",
 * "categories": { CATEGORY: { "attempts", "successes", "rate", "ci" } } } a gate can read.
 * Then per category with attempts: a rate above the threshold opens a finding "Red team:
 * CATEGORY attacks succeed" (one per category; an unclosed one is kept, and one awaiting
 * verification goes back to in-remediation: the retest failed); zero successes moves the
 * category's open or in-remediation findings to awaiting-verification. Each retest is
 * appended to the finding's description (run, evidence, date, successes of attempts).
 * Uses the findings workflow (mrm/finding.h): each step is its own transaction.
 * `*out`: { "evidence": {id, path, sha256}, "opened": [F-N], "awaiting_verification":
 * [F-N], "reopened": [F-N], "still_failing": [F-N] }. Errors of mrm_evidence_add,
 * mrm_finding_add and mrm_finding_update.
 */
int mrm_redteam_record(struct mrm_ctx *ctx, const struct mrm_redteam_record_options *o,
		       json_t **out, struct mrm_error *err);

#endif
