/*
 * Red-team run files (JSON Lines): the header that identifies a run, appending attempt
 * lines, checking that a file belongs to the run being resumed, and reading a file back
 * (a torn last line, left by a write cut short, is set aside, never taken as data).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrm/hash.h"
#include "redteam/internal.h"

static json_t *sha_or_null(const char *text)
{
	char hex[MRM_SHA256_HEX];

	if (!text)
		return json_null();
	mrm_sha256_hex(text, strlen(text), hex);
	return json_string(hex);
}

static json_t *sha_of_json(json_t *v)
{
	char *s;
	json_t *r;

	if (!v)
		return json_null();
	s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	r = sha_or_null(s);
	free(s);
	return r;
}

static const char *kind_name(enum mrm_rt_target_kind k)
{
	return k == MRM_RT_TARGET_OPENAI ? "openai" : k == MRM_RT_TARGET_HTTP_JSON ? "http+json" : "cmd";
}

json_t *mrm__rt_header(const struct mrm_rt_run_options *o, const char *canary, size_t planned,
		       const char *created_at)
{
	const struct mrm_rt_target *t = o->target;
	json_t *h = json_object(), *target = json_object(), *names = json_array(), *packs = json_array();
	json_t *secrets = json_array();

	json_object_set_new(h, "type", json_string("header"));
	json_object_set_new(h, "format", json_string(MRM__RT_FORMAT));
	json_object_set_new(h, "format_version", json_integer(MRM__RT_FORMAT_VERSION));
	json_object_set_new(h, "mrm_version", json_string(o->mrm_version ? o->mrm_version : "unknown"));
	json_object_set_new(h, "created_at", json_string(created_at));
	json_object_set_new(target, "kind", json_string(kind_name(t->kind)));
	json_object_set_new(target, "spec", json_string(t->spec ? t->spec : ""));
	json_object_set_new(target, "model", t->model ? json_string(t->model) : json_null());
	json_object_set_new(target, "system_prompt_sha256", sha_or_null(t->system_prompt));
	json_object_set_new(target, "temperature", t->has_temperature ? json_real(t->temperature) : json_null());
	json_object_set_new(target, "max_tokens", t->max_tokens > 0 ? json_integer(t->max_tokens) : json_null());
	/* Header names only: their values may hold credentials. */
	for (size_t i = 0; t->headers && t->headers[i]; i++) {
		const char *colon = strchr(t->headers[i], ':');

		if (colon)
			json_array_append_new(names, json_stringn(t->headers[i], (size_t)(colon - t->headers[i])));
	}
	json_object_set_new(target, "headers", names);
	json_object_set_new(target, "tools_sha256", sha_of_json(t->tools));
	json_object_set_new(target, "request_template_sha256", sha_or_null(t->request_template));
	json_object_set_new(target, "reply_path", t->reply_path ? json_string(t->reply_path) : json_null());
	json_object_set_new(target, "tool_calls_path", t->tool_calls_path ? json_string(t->tool_calls_path) : json_null());
	json_object_set_new(h, "target", target);
	json_object_set_new(h, "judge", o->judge ? json_pack("{s:s,s:s?}", "spec", o->judge->spec ? o->judge->spec : "",
							     "model", o->judge->model)
					      : json_null());
	for (size_t i = 0; i < o->npacks; i++)
		json_array_append_new(packs, json_pack("{s:s,s:s?,s:s?,s:I}", "name", o->packs[i]->name,
						       "version", o->packs[i]->version, "sha256",
						       o->packs[i]->sha256, "probes",
						       (json_int_t)o->packs[i]->nprobes));
	json_object_set_new(h, "packs", packs);
	json_object_set_new(h, "seed", json_integer((json_int_t)o->seed));
	json_object_set_new(h, "repeat", json_integer(o->repeat ? o->repeat : 1));
	json_object_set_new(h, "planned", json_integer((json_int_t)planned));
	/* A test value planted by mrm, kept so a run can be judged again. */
	json_object_set_new(h, "canary", json_string(canary));
	for (size_t i = 0; o->secrets && o->secrets[i]; i++)
		json_array_append_new(secrets, sha_or_null(o->secrets[i]));
	json_object_set_new(h, "secrets_sha256", secrets);
	json_object_set_new(h, "options",
			    json_pack("{s:i,s:f,s:f,s:i}", "concurrency", (int)o->concurrency, "rate", o->rate,
				      "timeout", o->timeout, "retries", o->retries));
	return h;
}

static const char *text_of(json_t *v, char *buf, size_t cap)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (!v || json_is_null(v))
		return "(none)";
	{
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		snprintf(buf, cap, "%s", s ? s : "?");
		free(s);
	}
	return buf;
}

static bool same(json_t *a, json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	return json_equal(a ? a : json_null(), b ? b : json_null());
}

int mrm__rt_header_match(json_t *have, json_t *want, const char *path, struct mrm_error *err)
{
	static const struct {
		const char *key, *what;
	} target_keys[] = {
		{ "spec", "target" },
		{ "model", "target model (--target-model)" },
		{ "system_prompt_sha256", "system prompt (--system-prompt)" },
		{ "temperature", "temperature" },
		{ "max_tokens", "max tokens" },
		{ "tools_sha256", "tools (--tools)" },
		{ "request_template_sha256", "request template" },
		{ "reply_path", "reply path" },
		{ "tool_calls_path", "tool-calls path" },
	};
	json_t *ht = json_object_get(have, "target"), *wt = json_object_get(want, "target");
	json_t *hp = json_object_get(have, "packs"), *wp = json_object_get(want, "packs");
	char a[256], b[256];
	size_t i;

	for (i = 0; i < sizeof(target_keys) / sizeof(target_keys[0]); i++) {
		json_t *x = json_object_get(ht, target_keys[i].key), *y = json_object_get(wt, target_keys[i].key);

		if (!same(x, y)) {
			if (strstr(target_keys[i].key, "sha256"))
				return mrm_error_set(err, MRM_EINPUT,
						     "%s is a run with another %s than this one: resume it with the same options, or write a new run file",
						     path, target_keys[i].what);
			return mrm_error_set(err, MRM_EINPUT,
					     "%s is a run with another %s ('%s', this run: '%s'): resume it with the same options, or write a new run file",
					     path, target_keys[i].what, text_of(x, a, sizeof(a)), text_of(y, b, sizeof(b)));
		}
	}
	if (json_array_size(hp) != json_array_size(wp))
		goto packs;
	for (i = 0; i < json_array_size(hp); i++) {
		json_t *x = json_array_get(hp, i), *y = json_array_get(wp, i);

		if (!same(json_object_get(x, "name"), json_object_get(y, "name")) ||
		    !same(json_object_get(x, "sha256"), json_object_get(y, "sha256")))
			goto packs;
	}
	if (!same(json_object_get(have, "judge"), json_object_get(want, "judge")))
		return mrm_error_set(err, MRM_EINPUT, "%s is a run with another judge (--judge, --judge-model): resume it with the same options",
				     path);
	if (!same(json_object_get(have, "seed"), json_object_get(want, "seed")))
		return mrm_error_set(err, MRM_EINPUT, "%s is a run with seed %s (this run: %s): give --seed %s to resume it",
				     path, text_of(json_object_get(have, "seed"), a, sizeof(a)),
				     text_of(json_object_get(want, "seed"), b, sizeof(b)), a);
	if (!same(json_object_get(have, "repeat"), json_object_get(want, "repeat")))
		return mrm_error_set(err, MRM_EINPUT, "%s is a run with --repeat %s (this run: %s)", path,
				     text_of(json_object_get(have, "repeat"), a, sizeof(a)),
				     text_of(json_object_get(want, "repeat"), b, sizeof(b)));
	if (!same(json_object_get(have, "secrets_sha256"), json_object_get(want, "secrets_sha256")))
		return mrm_error_set(err, MRM_EINPUT,
				     "%s is a run with other --secret values (compared by SHA-256): give the same secrets to resume it",
				     path);
	return MRM_OK;
packs: {
		char la[512] = "", lb[512] = "";
		size_t ua = 0, ub = 0;
		json_t *x;

		json_array_foreach(hp, i, x) {
			int n = snprintf(la + ua, sizeof(la) - ua, "%s%s@%.12s", i ? ", " : "",
					 json_string_value(json_object_get(x, "name")) ? json_string_value(json_object_get(x, "name")) : "?",
					 json_string_value(json_object_get(x, "sha256")) ? json_string_value(json_object_get(x, "sha256")) : "?");
			if (n < 0 || (size_t)n >= sizeof(la) - ua)
				break;
			ua += (size_t)n;
		}
		json_array_foreach(wp, i, x) {
			int n = snprintf(lb + ub, sizeof(lb) - ub, "%s%s@%.12s", i ? ", " : "",
					 json_string_value(json_object_get(x, "name")) ? json_string_value(json_object_get(x, "name")) : "?",
					 json_string_value(json_object_get(x, "sha256")) ? json_string_value(json_object_get(x, "sha256")) : "?");
			if (n < 0 || (size_t)n >= sizeof(lb) - ub)
				break;
			ub += (size_t)n;
		}
		return mrm_error_set(err, MRM_EINPUT,
				     "%s is a run of other packs (%s; this run: %s): resume it with the same packs, or write a new run file",
				     path, la, lb);
	}
}

int mrm__rt_append(int fd, json_t *line, const char *path, struct mrm_error *err)
{
	char *s = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(12));
	size_t n, off = 0;

	if (!s)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	n = strlen(s);
	s[n] = '\n'; /* json_dumps leaves room for its NUL: reuse it for the newline */
	n++;
	while (off < n) {
		ssize_t w = write(fd, s + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;

			free(s);
			return mrm_error_set(err, MRM_EINPUT, "cannot write %s: %s", path, strerror(e));
		}
		off += (size_t)w;
	}
	free(s);
	return MRM_OK;
}

/* ---- reading ----------------------------------------------------------------------------- */

void mrm_rt_runfile_free(struct mrm_rt_runfile *r)
{
	if (!r)
		return;
	free(r->path);
	json_decref(r->header);
	json_decref(r->attempts);
	free(r);
}

/* The keys a light read keeps on an attempt line that is not its probe's sample. */
static const char *const light_keys[] = { "type", "key", "pack", "probe", "category", "owasp", "status",
					   "success", "needs_judge", "detector", "tokens_in", "tokens_out",
					   "cost", "error", NULL };

/* Strips `line` to light_keys unless it is the first success of its probe (in `samples`). */
static void lighten(json_t *line, json_t *samples)
{
	const char *key = json_string_value(json_object_get(line, "key")), *hash, *k;
	json_t *v, *keep;
	void *tmp;
	char probe[512];
	size_t n;

	if (json_is_true(json_object_get(line, "success"))) {
		hash = strrchr(key, '#');
		n = hash ? (size_t)(hash - key) : strlen(key);
		snprintf(probe, sizeof(probe), "%.*s", (int)n, key);
		if (!json_object_get(samples, probe)) {
			json_object_set_new(samples, probe, json_true());
			return;
		}
	}
	keep = json_object();
	for (size_t i = 0; light_keys[i]; i++)
		json_object_set_new(keep, light_keys[i], json_true());
	/* A judged attempt stays marked as judged, without the judge's prompt. */
	if (json_object_get(line, "judge"))
		json_object_set_new(line, "judge", json_true());
	json_object_set_new(keep, "judge", json_true());
	json_object_foreach_safe(line, tmp, k, v)
		if (!json_object_get(keep, k))
			json_object_del(line, k);
	json_decref(keep);
}

int mrm_rt_runfile_read(const char *path, unsigned flags, struct mrm_rt_runfile **out,
			struct mrm_error *err)
{
	struct mrm_rt_runfile *r = NULL;
	json_t *samples = json_object();
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = MRM_OK;

	*out = NULL;
	if (!(f = fopen(path, "r"))) {
		json_decref(samples);
		return mrm_error_set(err, MRM_EINPUT, "cannot read run file %s: %s", path, strerror(errno));
	}
	if (!(r = calloc(1, sizeof(*r))) || !(r->path = strdup(path)) || !(r->attempts = json_array())) {
		rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
		goto out;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		json_error_t je;
		json_t *v;
		const char *type;

		if (line[n - 1] != '\n') {
			r->torn = true; /* an interrupted write: not data */
			break;
		}
		r->lines++;
		if (!(v = json_loadb(line, (size_t)n, 0, &je)) || !json_is_object(v)) {
			json_decref(v);
			rc = mrm_error_set(err, MRM_EINPUT, "%s:%zu:%d: %s", path, r->lines, je.column,
					   v ? "not a JSON object" : je.text);
			goto out;
		}
		type = json_string_value(json_object_get(v, "type"));
		if (r->lines == 1) {
			if (!type || strcmp(type, "header") ||
			    !json_is_string(json_object_get(v, "format")) ||
			    strcmp(json_string_value(json_object_get(v, "format")), MRM__RT_FORMAT)) {
				json_decref(v);
				rc = mrm_error_set(err, MRM_EINPUT, "%s:1: not an mrm red-team run file (no header line)", path);
				goto out;
			}
			if (json_integer_value(json_object_get(v, "format_version")) > MRM__RT_FORMAT_VERSION) {
				json_decref(v);
				rc = mrm_error_set(err, MRM_EINPUT, "%s:1: run file format version %lld is newer than this mrm reads (%d)",
						   path, (long long)json_integer_value(json_object_get(v, "format_version")),
						   MRM__RT_FORMAT_VERSION);
				goto out;
			}
			r->header = v;
		} else if (type && !strcmp(type, "attempt")) {
			const char *status = json_string_value(json_object_get(v, "status"));

			if (!json_is_string(json_object_get(v, "key")) || !status ||
			    (strcmp(status, "ok") && strcmp(status, "error")) ||
			    !json_is_string(json_object_get(v, "category"))) {
				json_decref(v);
				rc = mrm_error_set(err, MRM_EINPUT, "%s:%zu: an attempt line needs \"key\", \"category\" and \"status\" (ok or error)",
						   path, r->lines);
				goto out;
			}
			if (flags & MRM_RT_RUNFILE_LIGHT)
				lighten(v, samples);
			json_array_append_new(r->attempts, v);
		} else {
			rc = mrm_error_set(err, MRM_EINPUT, "%s:%zu: unknown line type '%s'", path, r->lines,
					   type ? type : "(none)");
			json_decref(v);
			goto out;
		}
		r->valid += n;
	}
	if (ferror(f)) {
		rc = mrm_error_set(err, MRM_EINPUT, "cannot read run file %s: %s", path, strerror(errno));
		goto out;
	}
	if (!r->header) {
		rc = mrm_error_set(err, MRM_EINPUT, "%s: empty run file (no header line)", path);
		goto out;
	}
out:
	json_decref(samples);
	free(line);
	fclose(f);
	if (rc)
		mrm_rt_runfile_free(r);
	else
		*out = r;
	return rc;
}

json_t *mrm_rt_runfile_latest(const struct mrm_rt_runfile *r)
{
	json_t *m = json_object(), *a;
	size_t i;

	json_array_foreach(r->attempts, i, a)
		json_object_set(m, json_string_value(json_object_get(a, "key")), a);
	return m;
}
