/*
 * The red-team runner: one thread, one event loop. HTTP targets go through a libcurl multi
 * handle, local command targets through their pipes, polled in the same wait
 * (curl_multi_poll's extra descriptors). Probes start in a seeded order, at most
 * `concurrency` at a time and `rate` per second; 429, 5xx, timeouts and connection errors
 * are retried with exponential backoff and jitter (Retry-After honoured); every completed
 * attempt is appended to the run file and fsynced before the loop goes on.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "mrm/timeutil.h"
#include "redteam/internal.h"
#include "stats/rng.h"

extern char **environ;

#define RETRY_AFTER_MAX 300.0 /* seconds: a longer Retry-After is cut to this */
#define BACKOFF_MAX 60.0
#define POLL_MAX_MS 100

struct item {
	const struct mrm_rt_pack *pack;
	const struct mrm_rt_probe *probe;
	unsigned repeat;
	char *key;
};

enum job_state { J_FREE, J_ACTIVE, J_WAIT };

struct job {
	enum job_state state;
	size_t item;
	unsigned tries;
	double ready;     /* J_WAIT: when the retry may start */
	double t0;        /* start of the current try */
	long http_status;
	char *error;      /* the last try's error */
	bool retryable;
	double retry_after; /* from the reply's Retry-After, or -1 */
	/* HTTP */
	CURL *easy;
	struct curl_slist *headers;
	char *body;
	struct mrm__rt_buf resp;
	/* a local command */
	pid_t pid;
	int fd_in, fd_out, fd_err;
	char *input;
	size_t input_len, input_off;
	struct mrm__rt_buf out, errb;
	double deadline;
	int wait_status;
	bool exited;
	/* The judge: phase 1 asks it about `held`, the target's reply, judged `verdict`. */
	int phase;
	unsigned target_tries;
	long target_status;
	struct mrm__rt_parsed held;
	json_t *verdict;
	char *judge_prompt;
};

struct run {
	const struct mrm_rt_run_options *o;
	const struct mrm_rt_target *t;
	const char **secrets;   /* the canary, then the user's secrets (detection) */
	const char *const *user_secrets;
	char *canary;
	char *system;
	char *url;
	char *judge_url;
	struct item *items;
	size_t nitems;
	size_t *order, norder, next;
	struct job *jobs;
	unsigned njobs;
	CURLM *multi;
	int fd;
	bool dirty;
	struct mrm__rng rng;
	double next_start;
	double retries_base;
	int retries;
	/* counts */
	size_t done, skipped, sent, successes, errors, requests, consecutive_errors;
	long long tokens_in, tokens_out;
	double cost;
	const char *stopped;
	char last_error[512];
	int fatal;              /* a run-file write failed */
	struct mrm_error *err;
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static double uniform(struct run *r)
{
	return (double)(mrm__rng_next(&r->rng) >> 11) * 0x1.0p-53;
}

static void set_error(struct job *j, bool retryable, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_error(struct job *j, bool retryable, const char *fmt, ...)
{
	char buf[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(j->error);
	j->error = strdup(buf);
	j->retryable = retryable;
}

/* ---- recording ----------------------------------------------------------------------- */

static json_t *str_list(char **l)
{
	json_t *a = json_array();

	for (size_t i = 0; l && l[i]; i++)
		json_array_append_new(a, json_string(l[i]));
	return a;
}

static void now_iso(char buf[MRM_TIME_LEN])
{
	mrm_time_format((int64_t)time(NULL), buf);
}

/* Writes the attempt line of job j (reply NULL: an error), then updates the counts. */
static void record(struct run *r, struct job *j, const struct mrm__rt_parsed *reply, json_t *verdict)
{
	const struct item *it = &r->items[j->item];
	const struct mrm_rt_probe *p = it->probe;
	json_t *line = json_object(), *turns = json_array();
	char when[MRM_TIME_LEN];
	double latency = mono() - j->t0;

	json_object_set_new(line, "type", json_string("attempt"));
	json_object_set_new(line, "key", json_string(it->key));
	json_object_set_new(line, "pack", json_string(it->pack->name));
	json_object_set_new(line, "probe", json_string(p->id));
	json_object_set_new(line, "repeat", json_integer(it->repeat));
	json_object_set_new(line, "category", json_string(p->category ? p->category : "unknown"));
	json_object_set_new(line, "owasp", str_list(p->owasp));
	json_object_set_new(line, "atlas", str_list(p->atlas));
	json_object_set_new(line, "nist", str_list(p->nist));
	json_object_set_new(line, "transform", p->transform ? json_string(p->transform) : json_null());
	if (reply) {
		bool cut = false;
		char *red = mrm__rt_redact(reply->content, r->user_secrets), *kept = red ? mrm__rt_cut(red, MRM__RT_MAX_RECORDED, &cut) : NULL;
		json_t *calls = reply->tool_calls ? json_deep_copy(reply->tool_calls) : json_null();
		json_t *v = json_deep_copy(verdict);

		mrm__rt_redact_json(calls, r->user_secrets);
		mrm__rt_redact_json(v, r->user_secrets);
		json_object_set_new(line, "status", json_string("ok"));
		json_object_set(line, "success", json_object_get(v, "success") ? json_object_get(v, "success") : json_false());
		json_object_set(line, "detector", json_object_get(v, "detector") ? json_object_get(v, "detector") : json_null());
		json_object_set(line, "evidence", json_object_get(v, "evidence") ? json_object_get(v, "evidence") : json_null());
		json_object_set_new(line, "needs_judge", json_boolean(json_is_true(json_object_get(v, "needs_judge"))));
		if (json_object_get(v, "judge"))
			json_object_set(line, "judge", json_object_get(v, "judge"));
		json_object_set_new(line, "error", json_null());
		json_object_set_new(line, "reply", json_string(kept ? kept : ""));
		if (cut)
			json_object_set_new(line, "reply_truncated", json_true());
		json_object_set_new(line, "tool_calls", calls);
		free(red);
		free(kept);
		json_decref(v);
	} else {
		char *red = mrm__rt_redact(j->error ? j->error : "unknown error", r->user_secrets);

		json_object_set_new(line, "status", json_string("error"));
		json_object_set_new(line, "success", json_null());
		json_object_set_new(line, "error", json_string(red ? red : "error"));
		free(red);
	}
	json_object_set_new(line, "tries", json_integer(j->phase ? j->target_tries : j->tries));
	json_object_set_new(line, "http_status", j->phase ? (j->target_status ? json_integer(j->target_status) : json_null())
						: j->http_status ? json_integer(j->http_status) : json_null());
	json_object_set_new(line, "latency_ms", json_real(round(latency * 1e5) / 100));
	if (reply && reply->tokens_in >= 0) {
		json_object_set_new(line, "tokens_in", json_integer(reply->tokens_in));
		r->tokens_in += reply->tokens_in;
	} else {
		json_object_set_new(line, "tokens_in", json_null());
	}
	if (reply && reply->tokens_out >= 0) {
		json_object_set_new(line, "tokens_out", json_integer(reply->tokens_out));
		r->tokens_out += reply->tokens_out;
	} else {
		json_object_set_new(line, "tokens_out", json_null());
	}
	if (reply && (reply->tokens_in >= 0 || reply->tokens_out >= 0)) {
		double c = (reply->tokens_in > 0 ? (double)reply->tokens_in * r->o->price_in / 1000 : 0) +
			   (reply->tokens_out > 0 ? (double)reply->tokens_out * r->o->price_out / 1000 : 0);

		json_object_set_new(line, "cost", json_real(c));
		r->cost += c;
	} else {
		json_object_set_new(line, "cost", json_null());
	}
	now_iso(when);
	json_object_set_new(line, "time", json_string(when));
	for (size_t i = 0; i < p->nturns; i++)
		json_array_append_new(turns, json_pack("{s:s,s:s}", "role", p->turns[i].role ? p->turns[i].role : "user",
						       "content", p->turns[i].content ? p->turns[i].content : ""));
	json_object_set_new(line, "messages", turns);
	if (!r->fatal && mrm__rt_append(r->fd, line, r->o->output, r->err))
		r->fatal = MRM_EINPUT;
	r->dirty = true;
	json_decref(line);
	r->done++;
	r->sent++;
	if (reply) {
		r->consecutive_errors = 0;
		if (json_is_true(json_object_get(verdict, "success")))
			r->successes++;
	} else {
		r->errors++;
		r->consecutive_errors++;
		snprintf(r->last_error, sizeof(r->last_error), "%s: %s", it->key, j->error ? j->error : "error");
	}
	if (r->o->progress) {
		struct mrm_rt_progress pr = { .total = r->nitems, .done = r->done, .successes = r->successes,
					      .errors = r->errors };

		for (unsigned k = 0; k < r->njobs; k++)
			pr.in_flight += r->jobs[k].state == J_ACTIVE;
		r->o->progress(r->o->progress_arg, &pr);
	}
}

/* ---- finishing a try ------------------------------------------------------------------ */

static void start(struct run *r, struct job *j);

static void job_clear(struct job *j)
{
	curl_slist_free_all(j->headers);
	j->headers = NULL;
	free(j->body);
	j->body = NULL;
	mrm__rt_buf_release(&j->resp);
	free(j->input);
	j->input = NULL;
	mrm__rt_buf_release(&j->out);
	mrm__rt_buf_release(&j->errb);
	if (j->fd_in >= 0)
		close(j->fd_in);
	if (j->fd_out >= 0)
		close(j->fd_out);
	if (j->fd_err >= 0)
		close(j->fd_err);
	j->fd_in = j->fd_out = j->fd_err = -1;
	j->pid = 0;
	j->exited = false;
}

static void job_release(struct job *j)
{
	job_clear(j);
	free(j->error);
	j->error = NULL;
	mrm__rt_parsed_release(&j->held);
	json_decref(j->verdict);
	j->verdict = NULL;
	free(j->judge_prompt);
	j->judge_prompt = NULL;
	j->phase = 0;
	j->target_tries = 0;
	j->target_status = 0;
	j->state = J_FREE;
	j->tries = 0;
	j->http_status = 0;
}

/* The try failed: schedule a retry or record the error. */
static void failed(struct run *r, struct job *j)
{
	job_clear(j);
	if (j->retryable && (int)j->tries <= r->retries && !r->stopped) {
		double base = r->retries_base * pow(2, j->tries - 1), d;

		if (base > BACKOFF_MAX)
			base = BACKOFF_MAX;
		/* Equal jitter: half the delay fixed, half random, so retries do not march in step. */
		d = base / 2 + uniform(r) * base / 2;
		if (j->retry_after >= 0)
			d = j->retry_after > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : j->retry_after;
		j->ready = mono() + d;
		j->state = J_WAIT;
		return;
	}
	if (j->retryable && (int)j->tries > r->retries && r->retries > 0) {
		char *e = j->error;

		j->error = NULL;
		set_error(j, false, "%s (gave up after %u tries)", e ? e : "error", j->tries);
		free(e);
	}
	record(r, j, NULL, NULL);
	job_release(j);
}

/* A reply arrived: judge it and record it. */
static void replied(struct run *r, struct job *j, struct mrm__rt_parsed *reply)
{
	const struct item *it = &r->items[j->item];
	struct mrm_rt_reply rr = { .content = reply->content, .tool_calls = reply->tool_calls };
	struct mrm_error e = { 0 };
	json_t *verdict = NULL;

	if (mrm_rt_detect(it->probe, &rr, r->secrets, &verdict, &e) || !json_is_object(verdict)) {
		set_error(j, false, "detector: %s", e.msg[0] ? e.msg : "no verdict");
		json_decref(verdict);
		job_clear(j);
		record(r, j, NULL, NULL);
		job_release(j);
		return;
	}
	if (r->o->judge && json_is_true(json_object_get(verdict, "needs_judge"))) {
		/* A second opinion: the reply goes to the judge; recorded when it answers. */
		j->judge_prompt = mrm_rt_judge_prompt(it->probe, &rr);
		if (!j->judge_prompt) {
			set_error(j, false, "judge: no prompt (out of memory)");
			json_decref(verdict);
			job_clear(j);
			record(r, j, NULL, NULL);
			job_release(j);
			return;
		}
		j->held = *reply;
		reply->content = NULL;
		reply->tool_calls = NULL;
		j->verdict = verdict;
		j->phase = 1;
		j->target_tries = j->tries;
		j->target_status = j->http_status;
		j->tries = 0;
		job_clear(j);
		start(r, j);
		return;
	}
	record(r, j, reply, verdict);
	json_decref(verdict);
	job_release(j);
}

/* The judge answered: its verdict replaces the detectors'. */
static void judged(struct run *r, struct job *j, struct mrm__rt_parsed *answer)
{
	struct mrm_error e = { 0 };
	char *prompt;
	bool success = false;
	json_t *judge;

	if (mrm_rt_judge_parse(answer->content, &success, &e)) {
		set_error(j, false, "judge: %s", e.msg);
		failed(r, j);
		return;
	}
	prompt = mrm__rt_redact(j->judge_prompt, r->user_secrets);
	judge = json_pack("{s:s,s:s?,s:s,s:s,s:b}", "target", r->o->judge->spec ? r->o->judge->spec : "",
			  "model", r->o->judge->model, "prompt", prompt ? prompt : "", "answer",
			  answer->content ? answer->content : "", "success", success);
	free(prompt);
	if (answer->tokens_in >= 0)
		json_object_set_new(judge, "tokens_in", json_integer(answer->tokens_in));
	if (answer->tokens_out >= 0)
		json_object_set_new(judge, "tokens_out", json_integer(answer->tokens_out));
	json_object_set_new(j->verdict, "judge", judge);
	json_object_set_new(j->verdict, "success", json_boolean(success));
	json_object_set_new(j->verdict, "detector", json_string("judge"));
	record(r, j, &j->held, j->verdict);
	job_release(j);
}

static double parse_retry_after(const char *v)
{
	char *end;
	double s;
	int64_t t;

	while (*v == ' ' || *v == '\t')
		v++;
	s = strtod(v, &end);
	if (end != v && s >= 0 && isfinite(s))
		return s;
	/* An HTTP date: "Wed, 21 Oct 2015 07:28:00 GMT". */
	{
		static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
		struct tm tm = { 0 };
		char mon[4] = "";
		const char *hit;

		if (sscanf(v, "%*3s, %d %3s %d %d:%d:%d", &tm.tm_mday, mon, &tm.tm_year, &tm.tm_hour,
			   &tm.tm_min, &tm.tm_sec) == 6 && strlen(mon) == 3 && (hit = strstr(months, mon)) &&
		    (hit - months) % 3 == 0) {
			tm.tm_mon = (int)(hit - months) / 3;
			tm.tm_year -= 1900;
			t = (int64_t)timegm(&tm) - (int64_t)time(NULL);
			return t > 0 ? (double)t : 0;
		}
	}
	return -1;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct job *j = arg;
	size_t len = size * n;

	if (len > 12 && !strncasecmp(data, "Retry-After:", 12)) {
		char v[64];
		size_t k = len - 12 < sizeof(v) - 1 ? len - 12 : sizeof(v) - 1;

		memcpy(v, data + 12, k);
		v[k] = '\0';
		j->retry_after = parse_retry_after(v);
	}
	return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct job *j = arg;

	if (!mrm__rt_buf_add(&j->resp, data, size * n))
		return 0; /* too big: the transfer fails with CURLE_WRITE_ERROR */
	return size * n;
}

/* The message of an error reply: its error.message when it has one. */
static void http_error_text(struct job *j, char *buf, size_t cap)
{
	json_t *doc = j->resp.p ? json_loadb(j->resp.p, j->resp.len, 0, NULL) : NULL;
	json_t *e = json_object_get(doc, "error");
	const char *m = json_is_string(e) ? json_string_value(e) : json_string_value(json_object_get(e, "message"));
	size_t k = 0;

	if (m) {
		snprintf(buf, cap, ": %.200s", m);
	} else if (j->resp.len) {
		buf[k++] = ':';
		buf[k++] = ' ';
		for (size_t i = 0; i < j->resp.len && k + 4 < cap && i < 120; i++)
			buf[k++] = (unsigned char)j->resp.p[i] >= 32 && (unsigned char)j->resp.p[i] < 127 ? j->resp.p[i] : ' ';
		buf[k] = '\0';
	} else {
		buf[0] = '\0';
	}
	json_decref(doc);
}

static void http_done(struct run *r, struct job *j, CURLcode cc)
{
	struct mrm__rt_parsed reply = { 0 };
	struct mrm_error e = { 0 };
	char *ctype = NULL;
	long status = 0;
	int rc;

	curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(j->easy, CURLINFO_CONTENT_TYPE, &ctype);
	j->http_status = status;
	if (cc != CURLE_OK) {
		bool retry = cc == CURLE_OPERATION_TIMEDOUT || cc == CURLE_COULDNT_CONNECT ||
			     cc == CURLE_RECV_ERROR || cc == CURLE_SEND_ERROR || cc == CURLE_GOT_NOTHING ||
			     cc == CURLE_PARTIAL_FILE || cc == CURLE_HTTP2 || cc == CURLE_HTTP2_STREAM;

		if (cc == CURLE_WRITE_ERROR && j->resp.over)
			set_error(j, false, "the reply is larger than %u bytes", MRM__RT_MAX_BODY);
		else if (cc == CURLE_OPERATION_TIMEDOUT)
			set_error(j, true, "%stimed out after %g s", j->phase ? "judge: " : "", r->o->timeout);
		else
			set_error(j, retry, "%s%s", j->phase ? "judge: " : "", curl_easy_strerror(cc));
		j->retry_after = -1;
		failed(r, j);
		return;
	}
	if (status == 429 || status == 408 || status >= 500) {
		char t[240];

		http_error_text(j, t, sizeof(t));
		set_error(j, true, "%sHTTP %ld%s", j->phase ? "judge: " : "", status, t);
		failed(r, j);
		return;
	}
	if (status < 200 || status > 299) {
		char t[240];

		http_error_text(j, t, sizeof(t));
		set_error(j, false, "%sHTTP %ld%s%s", j->phase ? "judge: " : "", status, t,
			  status == 401 || status == 403 ? " (check the API key: --api-key-env)" :
			  status == 404 ? " (check the URL: an OpenAI-compatible base URL ends in /v1)" : "");
		failed(r, j);
		return;
	}
	if (j->phase == 0 && r->t->kind == MRM_RT_TARGET_HTTP_JSON)
		rc = mrm__rt_parse_path(j->resp.p ? j->resp.p : "", j->resp.len, r->t->reply_path,
					r->t->tool_calls_path, &reply, &e);
	else
		rc = mrm__rt_parse_openai(j->resp.p ? j->resp.p : "", j->resp.len, ctype, &reply, &e);
	if (rc) {
		set_error(j, false, "%s%s", j->phase ? "judge: " : "", e.msg);
		failed(r, j);
		return;
	}
	if (j->phase)
		judged(r, j, &reply);
	else
		replied(r, j, &reply);
	mrm__rt_parsed_release(&reply);
}

/* ---- starting a try ------------------------------------------------------------------- */

static int start_http(struct run *r, struct job *j)
{
	const struct item *it = &r->items[j->item];
	const struct mrm_rt_target *t = j->phase ? r->o->judge : r->t;
	const char *url = j->phase ? r->judge_url : r->url;
	struct mrm_error e = { 0 };
	CURL *h = j->easy;
	long ms = (long)(r->o->timeout * 1000);
	int rc;

	j->resp.max = MRM__RT_MAX_BODY;
	j->retry_after = -1;
	if (j->phase) {
		json_t *msgs = json_pack("[{s:s,s:s}]", "role", "user", "content", j->judge_prompt);
		struct mrm_rt_target jt = *t;

		jt.has_temperature = true;
		jt.temperature = 0;
		rc = mrm__rt_body(&jt, msgs, NULL, &j->body, &e);
		json_decref(msgs);
	} else {
		json_t *msgs = mrm__rt_messages(r->system, it->probe), *tools = mrm__rt_tools(r->t, it->probe);

		rc = mrm__rt_body(r->t, msgs, tools, &j->body, &e);
		json_decref(msgs);
		json_decref(tools);
	}
	if (rc) {
		set_error(j, false, "%s%s", j->phase ? "judge: " : "", e.msg);
		return -1;
	}
	j->headers = curl_slist_append(NULL, "Content-Type: application/json");
	j->headers = curl_slist_append(j->headers, "Accept: application/json, text/event-stream");
	j->headers = curl_slist_append(j->headers, "Expect:");
	if (t->api_key) {
		size_t n = strlen(t->api_key) + 32;
		char *a = malloc(n);

		if (a) {
			snprintf(a, n, "Authorization: Bearer %s", t->api_key);
			j->headers = curl_slist_append(j->headers, a);
			explicit_bzero(a, n);
			free(a);
		}
	}
	for (size_t i = 0; t->headers && t->headers[i]; i++)
		j->headers = curl_slist_append(j->headers, t->headers[i]);
	if (!h && !(h = j->easy = curl_easy_init())) {
		set_error(j, false, "cannot create an HTTP handle");
		return -1;
	}
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, j->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(j->body));
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, j->headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, j);
	curl_easy_setopt(h, CURLOPT_PRIVATE, j);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms > 0 ? ms : 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms < 10000 ? (ms > 0 ? ms : 1L) : 10000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "mrm-redteam");
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (curl_multi_add_handle(r->multi, h) != CURLM_OK) {
		set_error(j, false, "cannot start an HTTP request");
		return -1;
	}
	return 0;
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* environ plus the run's variables for a command target (names replaced, not duplicated). */
static char **child_env(const char *const *extra)
{
	size_t n = 0, k = 0, e;
	char **env;

	while (environ[n])
		n++;
	for (e = 0; extra[e]; e++)
		;
	if (!(env = calloc(n + e + 1, sizeof(*env))))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		bool shadowed = false;

		for (size_t x = 0; x < e; x++) {
			size_t len = (size_t)(strchr(extra[x], '=') - extra[x]) + 1;

			if (!strncmp(environ[i], extra[x], len))
				shadowed = true;
		}
		if (!shadowed)
			env[k++] = environ[i];
	}
	for (size_t x = 0; x < e; x++)
		env[k++] = (char *)extra[x];
	env[k] = NULL;
	return env;
}

static char *env_var(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s=%s", name, value);
	return s;
}

static int cloexec_pipe(int p[2])
{
	if (pipe(p))
		return -1;
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

static int start_cmd(struct run *r, struct job *j)
{
	const struct item *it = &r->items[j->item];
	const struct mrm_rt_probe *p = it->probe;
	json_t *msgs = mrm__rt_messages(r->system, p), *tools = mrm__rt_tools(r->t, p);
	char *mj = json_dumps(msgs, JSON_COMPACT), *tj = tools ? json_dumps(tools, JSON_COMPACT) : NULL;
	char *vars[5] = { env_var("MRM_SYSTEM_PROMPT", r->system), env_var("MRM_MESSAGES", mj ? mj : "[]"),
			  env_var("MRM_PROBE_ID", p->id), env_var("MRM_TOOLS", tj ? tj : "[]"), NULL };
	char **env = NULL;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 }, rc = -1, e;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	const char *last = p->nturns ? p->turns[p->nturns - 1].content : "";
	char *argv[] = { "/bin/sh", "-c", (char *)r->t->command, NULL };

	json_decref(msgs);
	json_decref(tools);
	free(mj);
	free(tj);
	for (int i = 0; i < 4; i++)
		if (!vars[i])
			goto out;
	if (!(env = child_env((const char *const *)vars)))
		goto out;
	if (cloexec_pipe(in) || cloexec_pipe(out) || cloexec_pipe(errp)) {
		set_error(j, false, "cannot create pipes: %s", strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	/* Its own process group (a Ctrl-C is ours to handle) and default signals. */
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	e = posix_spawn(&j->pid, "/bin/sh", &fa, &at, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (e) {
		j->pid = 0;
		set_error(j, false, "cannot run the command: %s", strerror(e));
		goto out;
	}
	close(in[0]);
	close(out[1]);
	close(errp[1]);
	in[0] = out[1] = errp[1] = -1;
	j->fd_in = in[1];
	j->fd_out = out[0];
	j->fd_err = errp[0];
	in[1] = out[0] = errp[0] = -1;
	set_nonblock(j->fd_in);
	set_nonblock(j->fd_out);
	set_nonblock(j->fd_err);
	j->input_len = strlen(last ? last : "");
	if ((j->input = malloc(j->input_len + 2))) {
		memcpy(j->input, last ? last : "", j->input_len);
		/* One line: a trailing newline for line-reading scripts. */
		if (!j->input_len || j->input[j->input_len - 1] != '\n')
			j->input[j->input_len++] = '\n';
		j->input[j->input_len] = '\0';
	}
	j->input_off = 0;
	j->out.max = MRM__RT_MAX_BODY;
	j->errb.max = 4096;
	j->deadline = mono() + r->o->timeout;
	rc = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	for (int i = 0; i < 4; i++)
		free(vars[i]);
	free(env);
	if (rc && !j->error)
		set_error(j, false, "out of memory");
	return rc;
}

static void start(struct run *r, struct job *j)
{
	int rc;

	j->tries++;
	r->requests++;
	j->t0 = mono();
	j->http_status = 0;
	j->state = J_ACTIVE;
	rc = r->t->kind == MRM_RT_TARGET_CMD && !j->phase ? start_cmd(r, j) : start_http(r, j);
	if (rc) {
		j->retryable = false;
		job_clear(j);
		record(r, j, NULL, NULL);
		job_release(j);
	}
}

/* ---- commands' pipes ------------------------------------------------------------------ */

static void cmd_write(struct job *j)
{
	sigset_t pipe_set, old;

	if (j->fd_in < 0)
		return;
	/* A command that exits without reading its input must not kill us with SIGPIPE. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	while (j->input && j->input_off < j->input_len) {
		ssize_t w = write(j->fd_in, j->input + j->input_off, j->input_len - j->input_off);

		if (w > 0) {
			j->input_off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w < 0 && errno == EPIPE) {
			struct timespec zero = { 0, 0 };

			sigtimedwait(&pipe_set, NULL, &zero);
		}
		j->input_off = j->input_len; /* the reader is gone */
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!j->input || j->input_off >= j->input_len) {
		close(j->fd_in);
		j->fd_in = -1;
	}
}

static void cmd_read(int *fd, struct mrm__rt_buf *b)
{
	char buf[16384];

	while (*fd >= 0) {
		ssize_t n = read(*fd, buf, sizeof(buf));

		if (n > 0) {
			mrm__rt_buf_add(b, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		close(*fd);
		*fd = -1;
	}
}

static void cmd_kill(struct job *j)
{
	if (j->pid > 0 && !j->exited) {
		kill(-j->pid, SIGKILL);
		kill(j->pid, SIGKILL);
		while (waitpid(j->pid, &j->wait_status, 0) < 0 && errno == EINTR)
			;
		j->exited = true;
	}
}

static void cmd_finish(struct run *r, struct job *j)
{
	struct mrm__rt_parsed reply = { .tokens_in = -1, .tokens_out = -1 };
	struct mrm_error e = { 0 };
	int st = j->wait_status;

	if (WIFSIGNALED(st)) {
		set_error(j, false, "the command was killed by signal %d", WTERMSIG(st));
		failed(r, j);
		return;
	}
	if (WEXITSTATUS(st) != 0) {
		char *t = mrm__rt_utf8_clean(j->errb.p ? j->errb.p : "", j->errb.len);
		char *nl = t ? strchr(t, '\n') : NULL;

		if (nl)
			*nl = '\0';
		set_error(j, false, "the command exited with status %d%s%.200s", WEXITSTATUS(st),
			  t && *t ? ": " : "", t ? t : "");
		free(t);
		failed(r, j);
		return;
	}
	if (j->out.over) {
		set_error(j, false, "the command's reply is larger than %u bytes", MRM__RT_MAX_BODY);
		failed(r, j);
		return;
	}
	if (r->t->reply_path) {
		if (mrm__rt_parse_path(j->out.p ? j->out.p : "", j->out.len, r->t->reply_path,
				       r->t->tool_calls_path, &reply, &e)) {
			set_error(j, false, "%s", e.msg);
			failed(r, j);
			return;
		}
	} else {
		size_t n = j->out.len;

		while (n && (j->out.p[n - 1] == '\n' || j->out.p[n - 1] == '\r'))
			n--;
		reply.content = mrm__rt_utf8_clean(j->out.p ? j->out.p : "", n);
	}
	replied(r, j, &reply);
	mrm__rt_parsed_release(&reply);
}

/* Moves every command job along: input, output, exit, deadline. */
static void cmd_progress(struct run *r)
{
	for (unsigned k = 0; k < r->njobs; k++) {
		struct job *j = &r->jobs[k];

		if (j->state != J_ACTIVE || j->pid <= 0)
			continue;
		cmd_write(j);
		cmd_read(&j->fd_out, &j->out);
		cmd_read(&j->fd_err, &j->errb);
		if (j->fd_out < 0 && j->fd_err < 0 && !j->exited) {
			pid_t w = waitpid(j->pid, &j->wait_status, WNOHANG);

			if (w == j->pid)
				j->exited = true;
		}
		if (j->exited) {
			cmd_finish(r, j);
			continue;
		}
		if (mono() >= j->deadline) {
			cmd_kill(j);
			set_error(j, true, "timed out after %g s", r->o->timeout);
			j->retry_after = -1;
			failed(r, j);
		}
	}
}

/* ---- the loop ------------------------------------------------------------------------- */

static void abandon(struct run *r, struct job *j)
{
	if (j->state == J_ACTIVE) {
		if (j->easy)
			curl_multi_remove_handle(r->multi, j->easy);
		cmd_kill(j);
	}
	job_release(j);
}

static bool over_budget(struct run *r)
{
	const struct mrm_rt_run_options *o = r->o;

	return (o->budget_tokens && (uint64_t)(r->tokens_in + r->tokens_out) >= o->budget_tokens) ||
	       (o->budget_cost > 0 && r->cost >= o->budget_cost);
}

static void flush(struct run *r)
{
	if (!r->dirty)
		return;
	if (!r->fatal && fdatasync(r->fd))
		r->fatal = mrm_error_set(r->err, MRM_EINPUT, "cannot sync %s: %s", r->o->output, strerror(errno));
	r->dirty = false;
}

static int loop(struct run *r)
{
	const struct mrm_rt_run_options *o = r->o;
	double min_gap = o->rate > 0 ? 1.0 / o->rate : 0, stop_at = 0;
	bool interrupted = false;
	struct curl_waitfd *fds = calloc(3 * (size_t)r->njobs + 1, sizeof(*fds));
	unsigned max_errors = o->max_errors ? o->max_errors : 20;

	if (!fds)
		return mrm_error_set(r->err, MRM_EINPUT, "out of memory");
	for (;;) {
		double now = mono(), wait = POLL_MAX_MS / 1000.0;
		unsigned active = 0, waiting = 0, nfds = 0;
		int still = 0, left;
		CURLMsg *m;

		if (r->fatal)
			break;
		if (o->stop && *o->stop && !interrupted) {
			/* Interrupted: in-flight requests get `grace` seconds, a second signal none. */
			interrupted = true;
			r->stopped = "interrupted";
			stop_at = now + (o->grace > 0 ? o->grace : 5);
		}
		if (!r->stopped && r->consecutive_errors >= max_errors)
			r->stopped = "errors";
		for (unsigned k = 0; k < r->njobs; k++) {
			struct job *j = &r->jobs[k];

			/* Stopping: retries waiting are not sent; in-flight ones may finish. */
			if (r->stopped && (j->state == J_WAIT ||
					   (j->state == J_ACTIVE && interrupted &&
					    (*o->stop >= 2 || now >= stop_at))))
				abandon(r, j);
		}
		/* Start what may start: retries due first, then new probes. */
		for (unsigned k = 0; k < r->njobs && !r->stopped; k++) {
			struct job *j = &r->jobs[k];

			if (min_gap && r->next_start > now)
				break;
			if (j->state == J_WAIT && j->ready <= now) {
				start(r, j);
				r->next_start = (r->next_start > now - min_gap ? r->next_start : now) + min_gap;
			}
		}
		for (unsigned k = 0; k < r->njobs && !r->stopped; k++) {
			struct job *j = &r->jobs[k];

			if (j->state != J_FREE)
				continue;
			if (r->next >= r->norder || (min_gap && r->next_start > now))
				break;
			if (over_budget(r)) {
				r->stopped = "budget";
				break;
			}
			j->item = r->order[r->next++];
			start(r, j);
			r->next_start = (r->next_start > now - min_gap ? r->next_start : now) + min_gap;
		}
		for (unsigned k = 0; k < r->njobs; k++) {
			active += r->jobs[k].state == J_ACTIVE;
			waiting += r->jobs[k].state == J_WAIT;
		}
		if (!active && !waiting && (r->stopped || r->next >= r->norder))
			break;
		curl_multi_perform(r->multi, &still);
		while ((m = curl_multi_info_read(r->multi, &left))) {
			struct job *j = NULL;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
			curl_multi_remove_handle(r->multi, m->easy_handle);
			if (j)
				http_done(r, j, m->data.result);
		}
		if (r->t->kind == MRM_RT_TARGET_CMD)
			cmd_progress(r);
		flush(r);
		/* How long to wait: the next retry, the next rate slot, a command's deadline. */
		now = mono();
		for (unsigned k = 0; k < r->njobs; k++) {
			struct job *j = &r->jobs[k];

			if (j->state == J_WAIT && j->ready - now < wait)
				wait = j->ready - now;
			if (j->state == J_FREE && r->next < r->norder && !r->stopped) {
				double until = min_gap ? r->next_start - now : 0;

				if (until < wait)
					wait = until;
			}
			if (j->state == J_ACTIVE && j->pid > 0) {
				if (j->deadline - now < wait)
					wait = j->deadline - now;
				if (j->fd_in >= 0)
					fds[nfds++] = (struct curl_waitfd){ .fd = j->fd_in, .events = CURL_WAIT_POLLOUT };
				if (j->fd_out >= 0)
					fds[nfds++] = (struct curl_waitfd){ .fd = j->fd_out, .events = CURL_WAIT_POLLIN };
				if (j->fd_err >= 0)
					fds[nfds++] = (struct curl_waitfd){ .fd = j->fd_err, .events = CURL_WAIT_POLLIN };
				if (j->fd_out < 0 && j->fd_err < 0 && wait > 0.002)
					wait = 0.002; /* output closed: the exit is near */
			}
		}
		if (interrupted && stop_at - now < wait)
			wait = stop_at - now;
		if (wait > 0)
			curl_multi_poll(r->multi, fds, nfds, (int)ceil(wait * 1000), NULL);
	}
	for (unsigned k = 0; k < r->njobs; k++)
		if (r->jobs[k].state != J_FREE)
			abandon(r, &r->jobs[k]);
	flush(r);
	free(fds);
	return r->fatal;
}

/* ---- set-up --------------------------------------------------------------------------- */

static void random_canary(char *buf, size_t cap)
{
	unsigned char b[8] = { 0 };
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n <= 0) {
			/* No entropy source: the clock and the pid, still unique enough for a test value. */
			uint64_t z = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(mono() * 1e9);

			for (size_t i = 0; i < sizeof(b); i++)
				b[i] = (unsigned char)(mrm__splitmix(&z) & 0xff);
			break;
		}
		got += (size_t)n;
	}
	snprintf(buf, cap, "MRM-CANARY-%02x%02x%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
		 b[6], b[7]);
}

static int build_items(struct run *r)
{
	const struct mrm_rt_run_options *o = r->o;
	unsigned rep = o->repeat ? o->repeat : 1;
	size_t n = 0, k = 0;
	json_t *seen = json_object();
	int rc = MRM_OK;

	for (size_t i = 0; i < o->npacks; i++)
		n += o->packs[i]->nprobes * rep;
	if (!n) {
		json_decref(seen);
		return mrm_error_set(r->err, MRM_EINPUT, "the packs hold no probes");
	}
	if (!(r->items = calloc(n, sizeof(*r->items))) || !(r->order = calloc(n, sizeof(*r->order)))) {
		json_decref(seen);
		return mrm_error_set(r->err, MRM_EINPUT, "out of memory");
	}
	for (size_t i = 0; i < o->npacks; i++) {
		const struct mrm_rt_pack *pk = o->packs[i];

		for (size_t p = 0; p < pk->nprobes; p++) {
			const struct mrm_rt_probe *pr = &pk->probes[p];
			size_t len = strlen(pk->name) + strlen(pr->id) + 24;

			if (!pr->nturns) {
				rc = mrm_error_set(r->err, MRM_EINPUT, "pack %s: probe %s has no turns", pk->name, pr->id);
				goto out;
			}
			for (unsigned x = 1; x <= rep; x++) {
				struct item *it = &r->items[k++];

				it->pack = pk;
				it->probe = pr;
				it->repeat = x;
				if (!(it->key = malloc(len))) {
					rc = mrm_error_set(r->err, MRM_EINPUT, "out of memory");
					goto out;
				}
				if (rep > 1)
					snprintf(it->key, len, "%s/%s#%u", pk->name, pr->id, x);
				else
					snprintf(it->key, len, "%s/%s", pk->name, pr->id);
				if (json_object_get(seen, it->key)) {
					rc = mrm_error_set(r->err, MRM_EINPUT,
							   "probe %s appears twice (give each pack once; probe ids are unique within a pack)",
							   it->key);
					goto out;
				}
				json_object_set_new(seen, it->key, json_true());
			}
		}
	}
	r->nitems = n;
out:
	json_decref(seen);
	return rc;
}

/* Seeded Fisher-Yates over every item, then the ones already done are dropped. */
static void build_order(struct run *r, json_t *done)
{
	struct mrm__rng g;
	size_t *all = r->order, n = r->nitems, k = 0;

	for (size_t i = 0; i < n; i++)
		all[i] = i;
	mrm__rng_seed(&g, r->o->seed, 0);
	for (size_t i = n; i > 1; i--) {
		size_t x = (size_t)(mrm__rng_next(&g) % i);
		size_t t = all[i - 1];

		all[i - 1] = all[x];
		all[x] = t;
	}
	for (size_t i = 0; i < n; i++)
		if (!done || !json_object_get(done, r->items[all[i]].key))
			all[k++] = all[i];
	r->norder = k;
}

/* Opens the run file: a new one with its header, or an existing one checked for resuming. */
static int open_output(struct run *r, json_t **done, const char *created_at)
{
	const struct mrm_rt_run_options *o = r->o;
	struct mrm_rt_runfile *rf = NULL;
	json_t *want = NULL;
	struct stat st;
	int rc;

	*done = NULL;
	if (o->resume && !stat(o->output, &st)) {
		json_t *latest, *line;
		const char *key;

		if ((rc = mrm_rt_runfile_read(o->output, MRM_RT_RUNFILE_LIGHT, &rf, r->err)))
			return rc;
		r->canary = strdup(json_string_value(json_object_get(rf->header, "canary")) ?
				   json_string_value(json_object_get(rf->header, "canary")) : "");
		want = mrm__rt_header(o, r->canary, r->nitems, created_at);
		rc = mrm__rt_header_match(rf->header, want, o->output, r->err);
		json_decref(want);
		if (rc) {
			mrm_rt_runfile_free(rf);
			return rc;
		}
		if ((r->fd = open(o->output, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0) {
			rc = mrm_error_set(r->err, MRM_EINPUT, "cannot write %s: %s", o->output, strerror(errno));
			mrm_rt_runfile_free(rf);
			return rc;
		}
		/* A line cut short by a crash is not data: cut it off before appending. */
		if (rf->torn && (ftruncate(r->fd, rf->valid) || fdatasync(r->fd))) {
			rc = mrm_error_set(r->err, MRM_EINPUT, "cannot repair the torn last line of %s: %s", o->output,
					   strerror(errno));
			mrm_rt_runfile_free(rf);
			return rc;
		}
		*done = json_object();
		latest = mrm_rt_runfile_latest(rf);
		json_object_foreach(latest, key, line) {
			if (!strcmp(json_string_value(json_object_get(line, "status")), "ok"))
				json_object_set_new(*done, key, json_true());
			if (json_is_integer(json_object_get(line, "tokens_in")))
				r->tokens_in += json_integer_value(json_object_get(line, "tokens_in"));
			if (json_is_integer(json_object_get(line, "tokens_out")))
				r->tokens_out += json_integer_value(json_object_get(line, "tokens_out"));
			if (json_is_number(json_object_get(line, "cost")))
				r->cost += json_number_value(json_object_get(line, "cost"));
			if (json_is_true(json_object_get(line, "success")) &&
			    !strcmp(json_string_value(json_object_get(line, "status")), "ok"))
				r->successes++;
		}
		json_decref(latest);
		mrm_rt_runfile_free(rf);
		return MRM_OK;
	}
	if (!o->canary) {
		char c[64];

		random_canary(c, sizeof(c));
		r->canary = strdup(c);
	} else {
		r->canary = strdup(o->canary);
	}
	if ((r->fd = open(o->output, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644)) < 0) {
		if (errno == EEXIST)
			return mrm_error_set(r->err, MRM_EINPUT,
					     "%s exists: continue it with --resume, or give a new -o file", o->output);
		return mrm_error_set(r->err, MRM_EINPUT, "cannot create %s: %s", o->output, strerror(errno));
	}
	want = mrm__rt_header(o, r->canary, r->nitems, created_at);
	rc = mrm__rt_append(r->fd, want, o->output, r->err);
	json_decref(want);
	if (!rc && fsync(r->fd))
		rc = mrm_error_set(r->err, MRM_EINPUT, "cannot sync %s: %s", o->output, strerror(errno));
	if (!rc) {
		/* The new file's directory entry too, so a crash cannot lose the file. */
		char *dir = strdup(o->output), *slash = dir ? strrchr(dir, '/') : NULL;
		int dfd;

		if (dir) {
			if (slash)
				*(slash == dir ? slash + 1 : slash) = '\0';
			if ((dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
				fsync(dfd);
				close(dfd);
			}
			free(dir);
		}
	}
	if (rc) {
		close(r->fd);
		r->fd = -1;
		unlink(o->output);
	}
	return rc;
}

int mrm_rt_run(const struct mrm_rt_run_options *o, json_t **out, struct mrm_error *err)
{
	struct run r = { .o = o, .t = o->target, .fd = -1, .err = err, .user_secrets = o->secrets };
	char created[MRM_TIME_LEN];
	json_t *done = NULL;
	size_t nsec = 0;
	double t0 = mono();
	int rc;

	*out = NULL;
	if (!o->target || !o->npacks || !o->output)
		return mrm_error_set(err, MRM_EUSAGE, "a run needs a target, packs and an output file");
	if (o->concurrency > 1024)
		return mrm_error_set(err, MRM_EUSAGE, "--concurrency must be at most 1024");
	if ((rc = mrm_rt_target_check(o->target, err)))
		return rc;
	if (o->judge && (o->judge->kind != MRM_RT_TARGET_OPENAI || (rc = mrm_rt_target_check(o->judge, err))))
		return rc ? rc : mrm_error_set(err, MRM_EUSAGE, "--judge must be an OpenAI-compatible http(s) URL");
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return mrm_error_set(err, MRM_EINPUT, "cannot initialise libcurl");
	r.retries = o->retries < 0 ? 4 : o->retries;
	r.retries_base = o->backoff > 0 ? o->backoff : 0.5;
	if (o->now_iso)
		snprintf(created, sizeof(created), "%s", o->now_iso);
	else
		now_iso(created);
	if ((rc = build_items(&r)))
		goto out;
	{
		struct mrm_rt_run_options fixed = *o;

		/* The header records the defaults actually used. */
		fixed.concurrency = o->concurrency ? o->concurrency : 8;
		fixed.timeout = o->timeout > 0 ? o->timeout : 60;
		fixed.retries = r.retries;
		fixed.repeat = o->repeat ? o->repeat : 1;
		r.o = &fixed;
		rc = open_output(&r, &done, created);
		r.o = o;
		if (rc)
			goto out;
	}
	for (nsec = 0; o->secrets && o->secrets[nsec]; nsec++)
		;
	if (!(r.secrets = calloc(nsec + 2, sizeof(*r.secrets)))) {
		rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
		goto out;
	}
	r.secrets[0] = r.canary;
	for (size_t i = 0; i < nsec; i++)
		r.secrets[i + 1] = o->secrets[i];
	if (!(r.system = mrm__rt_system_prompt(o->target->system_prompt, r.canary))) {
		rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
		goto out;
	}
	if (o->judge)
		r.judge_url = mrm__rt_openai_url(o->judge->url);
	if (r.t->kind == MRM_RT_TARGET_OPENAI)
		r.url = mrm__rt_openai_url(r.t->url);
	else if (r.t->kind == MRM_RT_TARGET_HTTP_JSON)
		r.url = strdup(r.t->url);
	build_order(&r, done);
	r.skipped = r.nitems - r.norder;
	r.done = r.skipped;
	r.njobs = o->concurrency ? o->concurrency : 8;
	if (!(r.jobs = calloc(r.njobs, sizeof(*r.jobs))) || !(r.multi = curl_multi_init())) {
		rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
		goto out;
	}
	for (unsigned k = 0; k < r.njobs; k++)
		r.jobs[k].fd_in = r.jobs[k].fd_out = r.jobs[k].fd_err = -1;
	curl_multi_setopt(r.multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)r.njobs);
	curl_multi_setopt(r.multi, CURLMOPT_MAXCONNECTS, (long)r.njobs);
	mrm__rng_seed(&r.rng, o->seed ^ 0x6d726d2d72746a74ULL, 1);
	{
		/* Ratelimit, backoff and timeouts read these through r.o. */
		struct mrm_rt_run_options eff = *o;

		eff.timeout = o->timeout > 0 ? o->timeout : 60;
		r.o = &eff;
		rc = loop(&r);
		r.o = o;
	}
	if (rc)
		goto out;
	*out = json_object();
	json_object_set_new(*out, "output", json_string(o->output));
	json_object_set_new(*out, "total", json_integer((json_int_t)r.nitems));
	json_object_set_new(*out, "done", json_integer((json_int_t)(r.skipped + r.sent - r.errors)));
	json_object_set_new(*out, "skipped", json_integer((json_int_t)r.skipped));
	json_object_set_new(*out, "sent", json_integer((json_int_t)r.sent));
	json_object_set_new(*out, "successes", json_integer((json_int_t)r.successes));
	json_object_set_new(*out, "errors", json_integer((json_int_t)r.errors));
	json_object_set_new(*out, "requests", json_integer((json_int_t)r.requests));
	json_object_set_new(*out, "tokens_in", json_integer(r.tokens_in));
	json_object_set_new(*out, "tokens_out", json_integer(r.tokens_out));
	json_object_set_new(*out, "cost", json_real(r.cost));
	json_object_set_new(*out, "elapsed", json_real(round((mono() - t0) * 1000) / 1000));
	json_object_set_new(*out, "stopped", r.stopped ? json_string(r.stopped) : json_null());
	json_object_set_new(*out, "last_error", r.last_error[0] ? json_string(r.last_error) : json_null());
out:
	if (r.jobs) {
		for (unsigned k = 0; k < r.njobs; k++) {
			if (r.jobs[k].state != J_FREE)
				abandon(&r, &r.jobs[k]);
			if (r.jobs[k].easy)
				curl_easy_cleanup(r.jobs[k].easy);
		}
	}
	if (r.multi)
		curl_multi_cleanup(r.multi);
	if (r.fd >= 0)
		close(r.fd);
	for (size_t i = 0; r.items && i < r.nitems; i++)
		free(r.items[i].key);
	free(r.items);
	free(r.order);
	free(r.jobs);
	free(r.secrets);
	free(r.system);
	free(r.url);
	free(r.judge_url);
	free(r.canary);
	json_decref(done);
	return rc;
}
