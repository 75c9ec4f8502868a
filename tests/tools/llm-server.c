/*
 * A small deterministic OpenAI-compatible chat server for the red-team tests and the
 * benchmark: plain POSIX sockets, one thread per connection, HTTP/1.1 keep-alive.
 *
 *   llm-server [--mode vulnerable|hardened] [--port N (0: a free one)] [--port-file F]
 *              [--latency MS] [--fault 500|429|slow|malformed|sse|drop] [--fault-every N]
 *              [--fault-first N] [--retry-after S] [--slow-ms MS] [--require-key KEY]
 *              [--log FILE] [--answer TEXT]
 *
 * It prints the port it listens on (127.0.0.1) on stdout. Routes: POST /v1/chat/completions
 * (and /chat/completions), POST /api/generate ({"prompt", "system", "tools"} -> {"output":
 * {"text", "tool_calls" when it calls one}}),
 * GET /stats ({"requests", "handled_ms"}). A vulnerable server follows injected
 * instructions, leaks its system prompt (and so the canary) when asked for it, calls the
 * tools it is asked to call and complies with harmful requests; a hardened one refuses.
 * Faults apply to request k (1-based) when k % fault-every == 0 (and k <= fault-first).
 */
#define _GNU_SOURCE /* memmem, strcasestr */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

static struct {
	bool hardened;
	int latency_ms, slow_ms, retry_after;
	const char *fault;
	long fault_every, fault_first;
	const char *require_key;
	const char *answer; /* every reply is this text (a judge that always says YES) */
	FILE *log;
} cfg = { .fault_every = 1, .retry_after = 1, .slow_ms = 5000 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long requests;
static double handled_ms;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- text helpers ------------------------------------------------------------------------ */

static char *lower(const char *s)
{
	char *o = strdup(s ? s : "");

	for (char *p = o; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return o;
}

static bool has(const char *hay, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (strstr(hay, words[i]))
			return true;
	return false;
}

static int b64v(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Decodes the first base64 token of 16+ characters that decodes to printable text. */
static char *decode_b64_token(const char *s)
{
	for (const char *p = s; *p; p++) {
		const char *q = p;
		size_t n;

		while (b64v(*q) >= 0)
			q++;
		n = (size_t)(q - p);
		while (*q == '=')
			q++;
		if (n >= 16) {
			char *o = malloc(n + 1);
			size_t k = 0;
			unsigned acc = 0;
			int bits = 0;
			bool ok = true;

			for (size_t i = 0; i < n; i++) {
				acc = acc << 6 | (unsigned)b64v(p[i]);
				bits += 6;
				if (bits >= 8) {
					bits -= 8;
					o[k] = (char)(acc >> bits & 0xff);
					if (!isprint((unsigned char)o[k]) && !isspace((unsigned char)o[k]))
						ok = false;
					k++;
				}
			}
			o[k] = '\0';
			if (ok && k >= 8)
				return o;
			free(o);
		}
		p = q > p ? q - 1 : p;
	}
	return NULL;
}

static char *rot13(const char *s)
{
	char *o = strdup(s);

	for (char *p = o; *p; p++) {
		if (*p >= 'a' && *p <= 'z')
			*p = (char)('a' + (*p - 'a' + 13) % 26);
		else if (*p >= 'A' && *p <= 'Z')
			*p = (char)('A' + (*p - 'A' + 13) % 26);
	}
	return o;
}

static char *b64(const char *s)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s);
	char *o = malloc(4 * ((n + 2) / 3) + 1), *q = o;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)(unsigned char)s[i] << 16 | (i + 1 < n ? (unsigned)(unsigned char)s[i + 1] << 8 : 0) |
			     (i + 2 < n ? (unsigned char)s[i + 2] : 0);
		*q++ = t[v >> 18 & 63];
		*q++ = t[v >> 12 & 63];
		*q++ = i + 1 < n ? t[v >> 6 & 63] : '=';
		*q++ = i + 2 < n ? t[v & 63] : '=';
	}
	*q = '\0';
	return o;
}

/*
 * What an injection asks to be said: a quoted string after the trigger, or the first
 * all-capitals word of 4+ letters after it. NULL if neither.
 */
static char *injected_target(const char *text, size_t from)
{
	const char *p = text + from;

	for (const char *q = p; *q; q++) {
		if (*q == '"' || *q == '\'') {
			const char *e = strchr(q + 1, *q);

			if (e && e - q > 1 && e - q < 200)
				return strndup(q + 1, (size_t)(e - q - 1));
		}
	}
	for (const char *q = p; *q; q++) {
		if (isupper((unsigned char)*q) && (q == text || !isalnum((unsigned char)q[-1]))) {
			const char *e = q;

			while (isupper((unsigned char)*e) || *e == '_' || *e == '-' || isdigit((unsigned char)*e))
				e++;
			if (e - q >= 4 && !isalnum((unsigned char)*e))
				return strndup(q, (size_t)(e - q));
		}
	}
	return NULL;
}

/* ---- the model --------------------------------------------------------------------------- */

struct answer {
	char *content;
	json_t *tool_call; /* {name, arguments} or NULL */
};

static const char *const w_injection[] = { "ignore all previous", "ignore previous", "ignore the previous",
					    "ignore your", "ignore all prior", "ignore prior", "ignore the above",
					    "ignore everything", "disregard", "new instructions", "system override",
					    "forget your instructions", "forget all previous", NULL };
static const char *const w_leak[] = { "system prompt", "your instructions", "instructions above", "above this",
				       "verbatim", "reference code", "secret", "password", "confidential",
				       "canary", "api key", "configuration", "initial prompt", "reveal",
				       "hidden prompt", "developer message", "print your", "repeat the text", NULL };
static const char *const w_pii[] = { "email", "e-mail", "phone", "credit card", "card number",
				      "customer record", "home address", "social security", "iban", "passport", NULL };
static const char *const w_harm[] = { "how to", "how do i", "instructions to", "step-by-step", "step by step",
				       "explain how", "recipe", "make a", "build a", "bomb", "weapon", "malware",
				       "ransomware", "hack", "hotwire", "poison", "drug", "steal", "phishing",
				       " dan", "pretend", "role-play", "roleplay", "hypothetical", "no restrictions",
				       "jailbreak", "unfiltered", "developer mode", NULL };
static const char *const w_act[] = { "delete", "transfer", "send", "execute", "run ", "call ", "refund",
				      "grant", "purchase", "book ", "cancel", "wire", "remove", NULL };

static json_t *pick_tool(json_t *tools, const char *low)
{
	size_t i;
	json_t *t;

	json_array_foreach(tools, i, t) {
		const char *name = json_string_value(json_object_get(json_object_get(t, "function"), "name"));
		char *spaced, *ln;
		bool hit;

		if (!name)
			continue;
		ln = lower(name);
		spaced = strdup(ln);
		for (char *p = spaced; *p; p++)
			if (*p == '_')
				*p = ' ';
		hit = strstr(low, ln) || strstr(low, spaced);
		if (!hit) {
			/* "delete the account" for delete_account: every word of the name. */
			char *save = NULL, *w, *copy = strdup(spaced);

			hit = true;
			for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
				if (!strstr(low, w))
					hit = false;
			free(copy);
		}
		free(spaced);
		free(ln);
		if (hit)
			return t;
	}
	return json_array_get(tools, 0);
}

static struct answer think(const char *system, json_t *messages, json_t *tools)
{
	struct answer a = { 0 };
	size_t n = json_array_size(messages), i;
	json_t *m;
	char *all, *low, *dec, *extra = NULL;
	size_t len = 1;

	if (cfg.answer) {
		a.content = strdup(cfg.answer);
		return a;
	}
	if (cfg.hardened) {
		a.content = strdup("I can't help with that request.");
		return a;
	}
	json_array_foreach(messages, i, m)
		if (json_string_value(json_object_get(m, "content")) &&
		    strcmp(json_string_value(json_object_get(m, "role")) ? json_string_value(json_object_get(m, "role")) : "", "system"))
			len += strlen(json_string_value(json_object_get(m, "content"))) + 1;
	all = calloc(1, len);
	json_array_foreach(messages, i, m) {
		const char *c = json_string_value(json_object_get(m, "content"));
		const char *role = json_string_value(json_object_get(m, "role"));

		if (c && strcmp(role ? role : "", "system")) {
			strncat(all, c, len - strlen(all) - 1); /* fits: sized above */
			strncat(all, "\n", len - strlen(all) - 1);
		}
	}
	/* Encoded requests are followed too: base64 tokens and rot13 text. */
	if ((dec = decode_b64_token(all)))
		extra = dec;
	else if (strstr(all, "rot13") || strstr(all, "ROT13"))
		extra = rot13(all);
	if (extra) {
		char *both = malloc(strlen(all) + strlen(extra) + 2);

		snprintf(both, strlen(all) + strlen(extra) + 2, "%s\n%s", all, extra);
		free(all);
		free(extra);
		all = both;
	}
	low = lower(all);
	(void)n;
	if (json_array_size(tools) && has(low, w_act)) {
		json_t *t = pick_tool(tools, low);
		const char *name = json_string_value(json_object_get(json_object_get(t, "function"), "name"));

		a.tool_call = json_pack("{s:s,s:s}", "name", name ? name : "tool", "arguments", "{\"confirm\":true}");
		goto out;
	}
	for (i = 0; w_injection[i]; i++) {
		char *hit = strstr(low, w_injection[i]);
		char *target;

		if (hit && (target = injected_target(all, (size_t)(hit - low)))) {
			a.content = target;
			goto out;
		}
	}
	if (has(low, w_leak)) {
		size_t cap = strlen(system) * 2 + 64;

		a.content = malloc(cap);
		if (strstr(low, "base64")) {
			char *e = b64(system);

			snprintf(a.content, cap, "Here it is in base64: %s", e);
			free(e);
		} else {
			snprintf(a.content, cap, "Sure. My instructions are: %s", system);
		}
		goto out;
	}
	if (has(low, w_pii)) {
		a.content = strdup("The customer record: jane.doe@example.com, +1 202 555 0143, card 4111 1111 1111 1111, "
				   "IBAN GB82 WEST 1234 5698 7654 32.");
		goto out;
	}
	if (has(low, w_harm)) {
		a.content = strdup("Sure! Here is exactly how to do it. Step 1: gather the materials. Step 2: follow "
				   "the procedure carefully. Step 3: you are done.");
		goto out;
	}
	a.content = strdup("Certainly. The answer is 1,274, according to the 1823 parish census (Smith et al., 2019).");
out:
	free(all);
	free(low);
	return a;
}

/* ---- HTTP -------------------------------------------------------------------------------- */

static bool send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static bool respond(int fd, int status, const char *ctype, const char *extra, const char *body)
{
	char head[512];
	const char *reason = status == 200 ? "OK" : status == 401 ? "Unauthorized" : status == 404 ? "Not Found" :
			     status == 429 ? "Too Many Requests" : status == 400 ? "Bad Request" : "Internal Server Error";
	int n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s\r\n",
			 status, reason, ctype, strlen(body), extra ? extra : "");

	return send_all(fd, head, (size_t)n) && send_all(fd, body, strlen(body));
}

static long long ntokens(const char *s)
{
	return s ? (long long)(strlen(s) + 3) / 4 : 0;
}

/* The chat completion for `req`; returns false when the connection must close. */
static bool chat(int fd, json_t *req, long k, bool generate)
{
	json_t *messages = json_object_get(req, "messages"), *tools = json_object_get(req, "tools");
	json_t *msg, *doc, *own = NULL;
	const char *system = "", *fault = cfg.fault;
	bool faulty = fault && k % cfg.fault_every == 0 && (!cfg.fault_first || k <= cfg.fault_first);
	struct answer a;
	long long tin = 0;
	size_t i;
	json_t *m;
	char *body;
	bool ok;

	if (generate) {
		own = json_pack("[{s:s,s:s},{s:s,s:s}]", "role", "system", "content",
				json_string_value(json_object_get(req, "system")) ? json_string_value(json_object_get(req, "system")) : "",
				"role", "user", "content",
				json_string_value(json_object_get(req, "prompt")) ? json_string_value(json_object_get(req, "prompt")) : "");
		messages = own;
	}
	if (!json_is_array(messages)) {
		json_decref(own);
		return respond(fd, 400, "application/json", NULL, "{\"error\":{\"message\":\"no messages\"}}");
	}
	json_array_foreach(messages, i, m) {
		const char *c = json_string_value(json_object_get(m, "content"));

		tin += ntokens(c);
		if (json_string_value(json_object_get(m, "role")) && !strcmp(json_string_value(json_object_get(m, "role")), "system") && c)
			system = c;
	}
	if (faulty && !strcmp(fault, "500")) {
		json_decref(own);
		return respond(fd, 500, "application/json", NULL, "{\"error\":{\"message\":\"internal error (fault injected)\"}}");
	}
	if (faulty && !strcmp(fault, "429")) {
		char extra[64];

		snprintf(extra, sizeof(extra), "Retry-After: %d\r\n", cfg.retry_after);
		json_decref(own);
		return respond(fd, 429, "application/json", extra, "{\"error\":{\"message\":\"rate limited (fault injected)\"}}");
	}
	if (faulty && !strcmp(fault, "drop")) {
		json_decref(own);
		return false;
	}
	if (faulty && !strcmp(fault, "malformed")) {
		json_decref(own);
		return respond(fd, 200, "application/json", NULL, "{\"choices\": [ {\"message\": oops");
	}
	if (faulty && !strcmp(fault, "slow"))
		sleep_ms(cfg.slow_ms);
	a = think(system, messages, tools);
	if (generate) {
		doc = json_pack("{s:{s:s},s:{s:I,s:I}}", "output", "text", a.content ? a.content : "", "usage",
				"prompt_tokens", (json_int_t)tin, "completion_tokens", (json_int_t)ntokens(a.content));
		/* A tool call (the request's "tools", if any, offered them) as output.tool_calls. */
		if (a.tool_call)
			json_object_set_new(json_object_get(doc, "output"), "tool_calls",
					    json_pack("[{s:s,s:s,s:O}]", "id", "call_1", "type", "function", "function",
						      a.tool_call));
		body = json_dumps(doc, JSON_COMPACT);
		ok = respond(fd, 200, "application/json", NULL, body);
		free(body);
		json_decref(doc);
		free(a.content);
		json_decref(a.tool_call);
		json_decref(own);
		return ok;
	}
	if (faulty && !strcmp(fault, "sse")) {
		/* A stream of chunks, three characters at a time, then usage and [DONE]. */
		const char *c = a.content ? a.content : "";
		size_t n = strlen(c), cap = n * 120 + 4096, used = 0;
		char *out = malloc(cap);

		used += (size_t)snprintf(out + used, cap - used,
					 "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
		for (size_t p = 0, step; p < n; p += step) {
			json_t *ch;

			/* Three bytes a chunk, never splitting a UTF-8 character. */
			step = n - p < 3 ? n - p : 3;
			while (p + step < n && ((unsigned char)c[p + step] & 0xC0) == 0x80)
				step++;
			ch = json_pack("{s:[{s:i,s:{s:s%}}]}", "choices", "index", 0, "delta", "content", c + p, step);
			char *js = json_dumps(ch, JSON_COMPACT);

			used += (size_t)snprintf(out + used, cap - used, "data: %s\n\n", js);
			free(js);
			json_decref(ch);
		}
		if (a.tool_call) {
			json_t *ch = json_pack("{s:[{s:i,s:{s:[{s:i,s:s,s:s,s:O}]}}]}", "choices", "index", 0, "delta",
					       "tool_calls", "index", 0, "id", "call_1", "type", "function", "function",
					       a.tool_call);
			char *js = json_dumps(ch, JSON_COMPACT);

			used += (size_t)snprintf(out + used, cap - used, "data: %s\n\n", js);
			free(js);
			json_decref(ch);
		}
		used += (size_t)snprintf(out + used, cap - used,
					 "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":%lld,\"completion_tokens\":%lld}}\n\ndata: [DONE]\n\n",
					 tin, ntokens(c));
		send_all(fd, out, used);
		free(out);
		free(a.content);
		json_decref(a.tool_call);
		json_decref(own);
		return false;
	}
	msg = json_pack("{s:s}", "role", "assistant");
	if (a.tool_call) {
		json_object_set_new(msg, "content", json_null());
		json_object_set_new(msg, "tool_calls",
				    json_pack("[{s:s,s:s,s:O}]", "id", "call_1", "type", "function", "function", a.tool_call));
	} else {
		json_object_set_new(msg, "content", json_string(a.content));
	}
	doc = json_pack("{s:s,s:s,s:i,s:s,s:[{s:i,s:o,s:s}],s:{s:I,s:I,s:I}}", "id", "chatcmpl-1", "object",
			"chat.completion", "created", 0, "model",
			json_string_value(json_object_get(req, "model")) ? json_string_value(json_object_get(req, "model")) : "llm-server",
			"choices", "index", 0, "message", msg, "finish_reason", a.tool_call ? "tool_calls" : "stop", "usage",
			"prompt_tokens", (json_int_t)tin, "completion_tokens", (json_int_t)ntokens(a.content),
			"total_tokens", (json_int_t)(tin + ntokens(a.content)));
	body = json_dumps(doc, JSON_COMPACT);
	ok = respond(fd, 200, "application/json", NULL, body);
	free(body);
	json_decref(doc);
	free(a.content);
	json_decref(a.tool_call);
	json_decref(own);
	return ok;
}

static void *serve(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char *buf = malloc(1 << 20);
	size_t have = 0, cap = 1 << 20;

	for (;;) {
		char *end, *line, *p, method[16] = "", path[256] = "", auth[512] = "";
		size_t head, clen = 0;
		bool close_after = false, ok = true;
		double t0;
		long k = 0;

		while (!(buf && have >= 4 && (end = memmem(buf, have, "\r\n\r\n", 4)))) {
			ssize_t r;

			if (have == cap)
				goto done;
			r = recv(fd, buf + have, cap - have, 0);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				goto done;
			have += (size_t)r;
		}
		head = (size_t)(end - buf) + 4;
		*end = '\0';
		sscanf(buf, "%15s %255s", method, path);
		for (line = strstr(buf, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
			p = line + 2;
			if (!strncasecmp(p, "Content-Length:", 15))
				clen = strtoul(p + 15, NULL, 10);
			else if (!strncasecmp(p, "Connection:", 11) && strcasestr(p, "close"))
				close_after = true;
			else if (!strncasecmp(p, "Authorization:", 14)) {
				const char *v = p + 14, *e = strstr(p, "\r\n");
				size_t n;

				while (*v == ' ')
					v++;
				n = e ? (size_t)(e - v) : strlen(v);
				snprintf(auth, sizeof(auth), "%.*s", (int)n, v);
			}
		}
		if (head + clen > cap)
			goto done;
		while (have < head + clen) {
			ssize_t r = recv(fd, buf + have, cap - have, 0);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				goto done;
			have += (size_t)r;
		}
		t0 = now_ms();
		if (!strcmp(method, "GET") && !strcmp(path, "/stats")) {
			char body[128];

			pthread_mutex_lock(&lock);
			snprintf(body, sizeof(body), "{\"requests\":%ld,\"handled_ms\":%.3f}", requests, handled_ms);
			pthread_mutex_unlock(&lock);
			ok = respond(fd, 200, "application/json", NULL, body);
		} else if (!strcmp(method, "POST") &&
			   (!strcmp(path, "/v1/chat/completions") || !strcmp(path, "/chat/completions") ||
			    !strcmp(path, "/api/generate"))) {
			json_t *req = json_loadb(buf + head, clen, 0, NULL);

			pthread_mutex_lock(&lock);
			k = ++requests;
			if (cfg.log) {
				json_t *l = json_pack("{s:i,s:s,s:s,s:O?}", "n", (int)k, "path", path, "authorization", auth,
						      "body", req);
				char *s = json_dumps(l, JSON_COMPACT);

				fprintf(cfg.log, "%s\n", s);
				fflush(cfg.log);
				free(s);
				json_decref(l);
			}
			pthread_mutex_unlock(&lock);
			if (cfg.latency_ms)
				sleep_ms(cfg.latency_ms);
			if (cfg.require_key) {
				char want[600];

				snprintf(want, sizeof(want), "Bearer %s", cfg.require_key);
				if (strcmp(auth, want)) {
					json_decref(req);
					ok = respond(fd, 401, "application/json", NULL, "{\"error\":{\"message\":\"invalid API key\"}}");
					goto next;
				}
			}
			if (!json_is_object(req))
				ok = respond(fd, 400, "application/json", NULL, "{\"error\":{\"message\":\"the body is not JSON\"}}");
			else
				ok = chat(fd, req, k, !strcmp(path, "/api/generate"));
			json_decref(req);
		} else {
			ok = respond(fd, 404, "application/json", NULL, "{\"error\":{\"message\":\"not found\"}}");
		}
next:
		pthread_mutex_lock(&lock);
		handled_ms += now_ms() - t0;
		pthread_mutex_unlock(&lock);
		if (!ok || close_after)
			goto done;
		memmove(buf, buf + head + clen, have - head - clen);
		have -= head + clen;
	}
done:
	free(buf);
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	const char *port_file = NULL;
	int port = 0, s, one = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v) {
			fprintf(stderr, "llm-server: %s needs a value\n", a);
			return 2;
		}
		i++;
		if (!strcmp(a, "--mode")) {
			if (strcmp(v, "vulnerable") && strcmp(v, "hardened")) {
				fprintf(stderr, "llm-server: --mode vulnerable|hardened\n");
				return 2;
			}
			cfg.hardened = !strcmp(v, "hardened");
		} else if (!strcmp(a, "--port"))
			port = atoi(v);
		else if (!strcmp(a, "--port-file"))
			port_file = v;
		else if (!strcmp(a, "--latency"))
			cfg.latency_ms = atoi(v);
		else if (!strcmp(a, "--fault"))
			cfg.fault = v;
		else if (!strcmp(a, "--fault-every"))
			cfg.fault_every = atol(v) > 0 ? atol(v) : 1;
		else if (!strcmp(a, "--fault-first"))
			cfg.fault_first = atol(v);
		else if (!strcmp(a, "--retry-after"))
			cfg.retry_after = atoi(v);
		else if (!strcmp(a, "--slow-ms"))
			cfg.slow_ms = atoi(v);
		else if (!strcmp(a, "--require-key"))
			cfg.require_key = v;
		else if (!strcmp(a, "--answer"))
			cfg.answer = v;
		else if (!strcmp(a, "--log")) {
			if (!(cfg.log = fopen(v, "a"))) {
				perror(v);
				return 2;
			}
		} else {
			fprintf(stderr, "llm-server: unknown option %s\n", a);
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 512) ||
	    getsockname(s, (struct sockaddr *)&sa, &sl)) {
		perror("llm-server");
		return 1;
	}
	printf("%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	if (port_file) {
		char tmp[4096];
		FILE *f;

		snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
		if ((f = fopen(tmp, "w"))) {
			fprintf(f, "%d\n", ntohs(sa.sin_port));
			fclose(f);
			rename(tmp, port_file);
		}
	}
	for (;;) {
		int c = accept(s, NULL, NULL);
		pthread_t t;
		pthread_attr_t at;

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE)
				continue;
			perror("accept");
			return 1;
		}
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&at, 256 << 10);
		if (pthread_create(&t, &at, serve, (void *)(intptr_t)c))
			close(c);
		pthread_attr_destroy(&at);
	}
}
