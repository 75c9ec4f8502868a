/*
 * Verifying evidence packs offline: one pass over the .tar.gz with bounded
 * memory, nothing extracted. Every member is hashed and compared with the
 * manifest (altered, missing, extra, duplicate files); names are checked
 * for absolute and ".." paths; the audit events are re-hashed exactly as
 * lib/core/audit.c hashes them, linked one to the next and to the head the
 * manifest records; each evidence file is compared with the SHA-256 its
 * audit event registered. docs/packs.md says what this proves.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/strmap.h"
#include "common/targz.h"
#include "core/core.h"
#include "mrm/hash.h"
#include "mrm/pack.h"

#define MAX_PROBLEMS 200
#define MAX_CHAIN_PROBLEMS 20
#define READ_BUF (256 * 1024)

struct entry {
	char *name; /* relative to the pack's folder */
	char sha[MRM_SHA256_HEX];
	uint64_t size;
	bool listed;
};

struct chain {
	char *line;
	size_t len, cap;
	bool overlong;
	int64_t lines;
	int64_t first_seq, last_seq, count;
	char last_hash[MRM_SHA256_HEX];
	bool any, bad_json;
	size_t problems;
	json_t *evidence; /* object_id -> { sha256, size, seq } of the last event about it */
	json_t *models;   /* model_id -> first seq of a full event about it */
};

struct verify {
	const char *path;
	json_t *problems;
	size_t nproblems;
	char first[MRM_ERROR_MAX];
	struct entry *entries;
	size_t n, cap;
	struct mrm_strmap *index; /* name -> entry index + 1 */
	char root[MRM__TAR_NAME_MAX + 1];
	bool have_root;
	char *manifest;
	size_t mlen;
	bool manifest_seen, manifest_whole, manifest_too_big;
	char head[160];
	bool head_seen;
	char *model_json; /* model.json, when at most MRM_PACK_MAX_MANIFEST bytes */
	size_t model_len;
	struct chain ch;
	int64_t full_events;
};

/* A name for messages: control characters shown as '?', cut at 300 bytes. */
static void printable(const char *s, char *out, size_t cap)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < cap && i < 300; i++)
		out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	out[i] = '\0';
}

static void problem(struct verify *v, const char *file, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void problem(struct verify *v, const char *file, const char *kind, const char *fmt, ...)
{
	char msg[700], name[320] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (file)
		printable(file, name, sizeof(name));
	if (v->nproblems++ == 0)
		snprintf(v->first, sizeof(v->first), "%s%s%s", file ? name : "", file ? ": " : "", msg);
	if (json_array_size(v->problems) < MAX_PROBLEMS)
		json_array_append_new(v->problems, json_pack("{s:s?,s:s,s:s}", "file", file ? name : NULL,
							     "problem", kind, "detail", msg));
}

/* ---- the audit events ----------------------------------------------------------------- */

static void chain_problem(struct verify *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void chain_problem(struct verify *v, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	if (v->ch.problems++ >= MAX_CHAIN_PROBLEMS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	problem(v, "audit/events.jsonl", "audit-chain", "%s", msg);
}

/* A string field, NULL for JSON null; false when absent or of another type. */
static bool field(json_t *e, const char *k, const char **out)
{
	json_t *x = json_object_get(e, k);

	if (json_is_null(x)) {
		*out = NULL;
		return true;
	}
	if (!json_is_string(x))
		return false;
	*out = json_string_value(x);
	return true;
}

/* Remembers what an evidence event registered: the sha256 and size of the row after it. */
static void note_evidence(struct verify *v, const char *oid, const char *change, int64_t seq)
{
	json_t *c = change ? json_loads(change, 0, NULL) : NULL;
	json_t *after = json_object_get(c, "after");

	if (oid)
		json_object_set_new(v->ch.evidence, oid, json_pack("{s:O?,s:O?,s:I}", "sha256",
								   json_object_get(after, "sha256"), "size",
								   json_object_get(after, "size"), "seq", (json_int_t)seq));
	json_decref(c);
}

static void chain_line(struct verify *v, const char *line, size_t len)
{
	static const char *const names[MRM__AUDIT_FIELDS] = { "prev_hash", "seq", "ts", "recorded_at", "actor",
							      "action", "object_type", "object_id",
							      "model_id", "change", "state_hash" };
	struct chain *ch = &v->ch;
	json_t *e;
	const char *prev = NULL, *hash = NULL;
	int64_t seq;

	ch->lines++;
	if (len == 0) {
		chain_problem(v, "line %" PRId64 " is empty", ch->lines);
		return;
	}
	e = json_loadb(line, len, 0, NULL);
	if (!json_is_object(e) || !json_is_integer(json_object_get(e, "seq")) || !field(e, "prev_hash", &prev) ||
	    !field(e, "hash", &hash) || !prev || !hash) {
		chain_problem(v, "line %" PRId64 " is not an audit event (seq, prev_hash and hash needed)", ch->lines);
		/* The link to the next event cannot be checked across a line that is not one. */
		ch->any = false;
		json_decref(e);
		return;
	}
	seq = json_integer_value(json_object_get(e, "seq"));
	if (ch->any) {
		if (seq != ch->last_seq + 1)
			chain_problem(v, "event #%" PRId64 " follows #%" PRId64 ": events were %s", seq, ch->last_seq,
				      seq > ch->last_seq + 1 ? "removed or moved" : "reordered or repeated");
		if (strcmp(prev, ch->last_hash))
			chain_problem(v, "event #%" PRId64 " does not link to the event before it (that event, or "
				      "this one, was altered, inserted, removed or moved)", seq);
	} else if (ch->count == 0) {
		ch->first_seq = seq;
	}
	if (json_is_true(json_object_get(e, "omitted")) && json_object_size(e) != 4) {
		/* A link record holds seq, prev_hash, hash and omitted only: content beside it would go unchecked. */
		chain_problem(v, "event #%" PRId64 " is marked omitted but carries content, which cannot be checked",
			      seq);
	} else if (!json_is_true(json_object_get(e, "omitted"))) {
		const char *f[MRM__AUDIT_FIELDS];
		char seqtext[24], hex[MRM_SHA256_HEX];
		bool ok = true;

		snprintf(seqtext, sizeof(seqtext), "%" PRId64, seq);
		for (int i = 0; i < MRM__AUDIT_FIELDS; i++)
			if (i == 1)
				f[i] = seqtext;
			else if (!field(e, names[i], &f[i]))
				ok = false;
		if (!ok || mrm__audit_event_hash(f, hex) || strcmp(hex, hash)) {
			chain_problem(v, "event #%" PRId64 " was altered: its hash does not match its content", seq);
		} else {
			v->full_events++;
			if (f[8] && !json_object_get(ch->models, f[8]))
				json_object_set_new(ch->models, f[8], json_integer(seq));
			if (f[6] && !strcmp(f[6], "evidence"))
				note_evidence(v, f[7], f[9], seq);
		}
	}
	ch->any = true;
	ch->last_seq = seq;
	snprintf(ch->last_hash, sizeof(ch->last_hash), "%s", hash);
	ch->count++;
	json_decref(e);
}

/* Feeds bytes of audit/events.jsonl, line by line, each at most MRM_PACK_MAX_EVENT bytes. */
static int chain_feed(struct verify *v, const char *data, size_t len)
{
	struct chain *ch = &v->ch;

	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		size_t k = nl ? (size_t)(nl - data) : len;

		if (!ch->overlong) {
			if (ch->len + k > (size_t)MRM_PACK_MAX_EVENT) {
				chain_problem(v, "line %" PRId64 " is longer than %ld MiB", ch->lines + 1,
					      MRM_PACK_MAX_EVENT >> 20);
				ch->overlong = true;
				ch->any = false;
				ch->len = 0;
			} else {
				if (ch->len + k > ch->cap) {
					size_t cap = ch->cap ? ch->cap : 4096;
					char *p;
					while (cap < ch->len + k)
						cap *= 2;
					if (!(p = realloc(ch->line, cap)))
						return MRM_ESTORE;
					ch->line = p;
					ch->cap = cap;
				}
				memcpy(ch->line + ch->len, data, k);
				ch->len += k;
			}
		}
		if (nl) {
			if (ch->overlong)
				ch->lines++;
			else
				chain_line(v, ch->line, ch->len);
			ch->overlong = false;
			ch->len = 0;
			k++;
		}
		data += k;
		len -= k;
	}
	return MRM_OK;
}

/* ---- reading the archive ---------------------------------------------------------------- */

/* Whether `name` is a safe relative path: no leading '/', no empty, "." or ".." component. */
static bool safe_name(const char *name)
{
	const char *p = name;

	if (!*name || name[0] == '/')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p == '/')
			p++;
		else
			break;
	}
	return name[strlen(name) - 1] != '/';
}

static int add_entry(struct verify *v, const char *rel, const char sha[MRM_SHA256_HEX], uint64_t size)
{
	void **slot;

	if (mrm_strmap_get(v->index, rel, strlen(rel), NULL)) {
		problem(v, rel, "duplicate", "the pack holds this file more than once");
		return MRM_OK;
	}
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		struct entry *a = realloc(v->entries, cap * sizeof(*a));
		if (!a)
			return MRM_ESTORE;
		v->entries = a;
		v->cap = cap;
	}
	if (!(v->entries[v->n].name = strdup(rel)) || !(slot = mrm_strmap_slot(v->index, rel, strlen(rel))))
		return MRM_ESTORE;
	memcpy(v->entries[v->n].sha, sha, MRM_SHA256_HEX);
	v->entries[v->n].size = size;
	v->entries[v->n].listed = false;
	*slot = (void *)(uintptr_t)(v->n + 1);
	v->n++;
	return MRM_OK;
}

static struct entry *find(struct verify *v, const char *rel)
{
	uintptr_t i = (uintptr_t)mrm_strmap_get(v->index, rel, strlen(rel), NULL);

	return i ? &v->entries[i - 1] : NULL;
}

/* Reads one member: hashes it, and keeps what the checks need (manifest, events, head). */
static int read_member(struct verify *v, struct mrm__tgz_reader *r, const struct mrm__tgz_entry *e,
		       const char *rel, unsigned char *buf, struct mrm_error *aerr, struct mrm_error *err)
{
	bool is_manifest = rel && !strcmp(rel, "manifest.json");
	bool is_events = rel && !strcmp(rel, "audit/events.jsonl");
	bool is_head = rel && !strcmp(rel, "audit/head.txt") && !v->head_seen;
	bool is_model = rel && !strcmp(rel, "model.json") && !v->model_json &&
			e->size <= (uint64_t)MRM_PACK_MAX_MANIFEST;
	struct mrm_sha256 h = { 0 };
	char hex[MRM_SHA256_HEX];
	uint64_t size = 0;
	size_t hlen = 0;
	int64_t n;
	int rc;

	if (is_manifest && v->manifest_seen)
		is_manifest = false; /* a second one is a duplicate, reported by add_entry */
	if (is_manifest) {
		v->manifest_seen = true;
		if (e->size > (uint64_t)MRM_PACK_MAX_MANIFEST)
			v->manifest_too_big = true;
		else if (!(v->manifest = malloc((size_t)e->size + 1)))
			return mrm_error_set(err, MRM_ESTORE, "out of memory reading the manifest");
	}
	if (is_model && !(v->model_json = malloc((size_t)e->size + 1)))
		return mrm_error_set(err, MRM_ESTORE, "out of memory reading model.json");
	if ((rc = mrm_sha256_init(&h, err)))
		return rc;
	while ((n = mrm__tgz_read(r, buf, READ_BUF, aerr)) > 0) {
		if (is_model) {
			memcpy(v->model_json + v->model_len, buf, (size_t)n);
			v->model_len += (size_t)n;
		}
		mrm_sha256_update(&h, buf, (size_t)n);
		if (is_manifest && v->manifest) {
			memcpy(v->manifest + v->mlen, buf, (size_t)n);
			v->mlen += (size_t)n;
		}
		if (is_events && chain_feed(v, (const char *)buf, (size_t)n)) {
			mrm_sha256_release(&h);
			return mrm_error_set(err, MRM_ESTORE, "out of memory reading the audit events");
		}
		if (is_head && hlen + 1 < sizeof(v->head)) {
			size_t k = (size_t)n < sizeof(v->head) - 1 - hlen ? (size_t)n : sizeof(v->head) - 1 - hlen;
			memcpy(v->head + hlen, buf, k);
			hlen += k;
			v->head[hlen] = '\0';
		}
		size += (uint64_t)n;
	}
	mrm_sha256_final(&h, hex);
	if (n < 0)
		return -1; /* the archive's fault: the caller reports it */
	if (is_manifest && v->manifest) {
		v->manifest[v->mlen] = '\0';
		v->manifest_whole = true;
	}
	if (is_events && v->ch.len > 0 && !v->ch.overlong)
		chain_line(v, v->ch.line, v->ch.len); /* a last line without a newline */
	if (is_head)
		v->head_seen = true;
	return rel ? add_entry(v, rel, hex, size) : MRM_OK;
}

/* ---- checks against the manifest ----------------------------------------------------------- */

static void check_files(struct verify *v, json_t *files, json_int_t *listed)
{
	json_t *f;
	size_t i;

	json_array_foreach(files, i, f) {
		const char *p = mrm__str(f, "path"), *sha = mrm__str(f, "sha256");
		json_t *size = json_object_get(f, "size");
		struct entry *e;

		(*listed)++;
		if (!p || !safe_name(p)) {
			problem(v, p ? p : "manifest.json", "manifest", "the manifest lists a file with a bad path");
			continue;
		}
		if (!(e = find(v, p))) {
			problem(v, p, "missing", "listed in the manifest but not in the pack");
			continue;
		}
		e->listed = true;
		if (!sha || strcmp(sha, e->sha))
			problem(v, p, "altered", "its SHA-256 is %.16s..., the manifest records %.16s...", e->sha,
				sha ? sha : "none");
		else if (!json_is_integer(size) || (uint64_t)json_integer_value(size) != e->size)
			problem(v, p, "altered", "its size is %" PRIu64 " bytes, the manifest records %" JSON_INTEGER_FORMAT,
				e->size, json_integer_value(size));
	}
	for (i = 0; i < v->n; i++)
		if (!v->entries[i].listed && strcmp(v->entries[i].name, "manifest.json"))
			problem(v, v->entries[i].name, "extra", "in the pack but not listed in the manifest");
}

static void check_chain(struct verify *v, json_t *m)
{
	json_t *audit = json_object_get(m, "audit"), *mo;
	const char *hh = mrm__str(audit, "head_hash"), *model = mrm__str(m, "model"), *k;
	json_int_t hs = json_integer_value(json_object_get(audit, "head_seq"));
	char expect[160];

	if (!find(v, "audit/events.jsonl"))
		return; /* missing: reported with the files */
	if (!v->ch.count) {
		chain_problem(v, "the pack holds no audit event");
		return;
	}
	if (json_is_integer(json_object_get(audit, "first_seq")) &&
	    json_integer_value(json_object_get(audit, "first_seq")) != v->ch.first_seq)
		chain_problem(v, "the events start at #%" PRId64 ", the manifest says #%" JSON_INTEGER_FORMAT,
			      v->ch.first_seq, json_integer_value(json_object_get(audit, "first_seq")));
	if (!hh || hs != v->ch.last_seq || strcmp(hh, v->ch.last_hash))
		chain_problem(v, "the events end at #%" PRId64 " (%.16s...), not at the head the manifest records "
			      "(#%" JSON_INTEGER_FORMAT ", %.16s...)", v->ch.last_seq, v->ch.last_hash, hs, hh ? hh : "none");
	if (json_is_integer(json_object_get(audit, "events")) &&
	    json_integer_value(json_object_get(audit, "events")) != v->ch.count)
		chain_problem(v, "the pack holds %" PRId64 " events, the manifest says %" JSON_INTEGER_FORMAT,
			      v->ch.count, json_integer_value(json_object_get(audit, "events")));
	if (json_is_integer(json_object_get(audit, "model_events")) &&
	    json_integer_value(json_object_get(audit, "model_events")) != v->full_events)
		chain_problem(v, "the pack holds %" PRId64 " events of the model in full, the manifest says %"
			      JSON_INTEGER_FORMAT, v->full_events, json_integer_value(json_object_get(audit, "model_events")));
	snprintf(expect, sizeof(expect), "%" JSON_INTEGER_FORMAT ":%s\n", hs, hh ? hh : "");
	if (find(v, "audit/head.txt") && (!v->head_seen || strcmp(v->head, expect)))
		problem(v, "audit/head.txt", "audit-chain", "it does not hold the head the manifest records");
	json_object_foreach(v->ch.models, k, mo)
		if (!model || strcmp(k, model))
			chain_problem(v, "event #%" JSON_INTEGER_FORMAT " is about model '%s', not '%s'",
				      json_integer_value(mo), k, model ? model : "?");
}

/* The manifest's description of the model against model.json (whose hash the manifest lists). */
static void check_model(struct verify *v, json_t *m)
{
	static const char *const keys[][2] = { { "model", "id" }, { "model_name", "name" }, { "tier", "tier" },
					       { "current_version", "current_version" } };
	json_t *mj;

	if (!v->model_json || !find(v, "model.json"))
		return;
	mj = json_loadb(v->model_json, v->model_len, 0, NULL);
	if (!json_is_object(mj)) {
		problem(v, "model.json", "manifest", "not a JSON object");
	} else {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			json_t *a = json_object_get(m, keys[i][0]), *b = json_object_get(mj, keys[i][1]);
			if (!json_equal(a ? a : json_null(), b ? b : json_null()))
				problem(v, "manifest.json", "manifest", "\"%s\" differs from the model's record in "
					"model.json", keys[i][0]);
		}
	}
	json_decref(mj);
}

/* Each evidence file against the SHA-256 and size its audit event registered. */
static void check_evidence(struct verify *v, json_t *files)
{
	json_t *f;
	size_t i;

	json_array_foreach(files, i, f) {
		const char *id = mrm__str(f, "evidence_id"), *p = mrm__str(f, "path");
		struct entry *e = p ? find(v, p) : NULL;
		json_t *reg;

		if (!id || !e || !find(v, "audit/events.jsonl"))
			continue; /* without the events (reported missing) there is nothing to compare with */
		reg = json_object_get(v->ch.evidence, !strncmp(id, "E-", 2) ? id + 2 : id);
		if (!reg)
			problem(v, p, "evidence-registration", "no audit event in the pack registers %s", id);
		else if (!mrm__str(reg, "sha256") || strcmp(mrm__str(reg, "sha256"), e->sha))
			problem(v, p, "evidence-registration", "its SHA-256 %.16s... is not the one audit event #%"
				JSON_INTEGER_FORMAT " registered for %s (%.16s...)", e->sha,
				json_integer_value(json_object_get(reg, "seq")), id,
				mrm__str(reg, "sha256") ? mrm__str(reg, "sha256") : "none");
	}
}

/* ---- entry point ------------------------------------------------------------------------------ */

static int not_a_pack(const char *path, struct mrm_error *err, const char *why)
{
	return mrm_error_set(err, MRM_EINPUT, "%s: not an mrm pack: %s", path, why);
}

int mrm_pack_verify(const char *path, json_t **out, struct mrm_error *err)
{
	struct verify v = { .path = path, .problems = json_array(), .index = mrm_strmap_new() };
	struct mrm__tgz_reader *r = NULL;
	struct mrm__tgz_entry e;
	struct mrm_error terr = { 0 };
	unsigned char *buf = malloc(READ_BUF);
	json_t *m = NULL;
	json_error_t jerr;
	json_int_t listed = 0;
	size_t entries = 0;
	struct stat st;
	FILE *f = NULL;
	bool trailing = false, damaged = false;
	int rc, k;

	*out = NULL;
	v.ch.evidence = json_object();
	v.ch.models = json_object();
	if (!buf || !v.index) {
		rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
		goto out;
	}
	if (!(f = fopen(path, "rb"))) {
		rc = not_a_pack(path, err, strerror(errno));
		goto out;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		rc = not_a_pack(path, err, "not a regular file");
		goto out;
	}
	if ((rc = mrm__tgz_reader_open(f, &r, err)))
		goto out;
	while ((k = mrm__tgz_next(r, &e, &terr)) == 1) {
		const char *rel = NULL;
		size_t rl = strlen(v.root);

		if (++entries > MRM_PACK_MAX_ENTRIES) {
			rc = not_a_pack(path, err, "more than 100,000 members");
			goto out;
		}
		if (!v.have_root) {
			size_t n = strcspn(e.name, "/");
			if (n > 0 && e.name[n] == '/' && safe_name(e.name)) {
				memcpy(v.root, e.name, n);
				v.root[n] = '\0';
				v.have_root = true;
				rl = n;
			}
		}
		if (!safe_name(e.name))
			problem(&v, e.name, "bad-name", "an absolute path, or one with an empty, '.' or '..' part");
		else if (!v.have_root || strncmp(e.name, v.root, rl) || e.name[rl] != '/')
			problem(&v, e.name, "bad-name", "outside the pack's folder %s/", v.have_root ? v.root : "?");
		else if (e.type != '0' && e.type != '\0')
			problem(&v, e.name + rl + 1, "not-a-file", "a member of tar type '%c': a pack holds "
				"regular files only", e.type >= 0x20 && e.type < 0x7f ? e.type : '?');
		else
			rel = e.name + rl + 1;
		rc = read_member(&v, r, &e, rel, buf, &terr, err);
		if (rc < 0) {
			k = -1;
			break;
		}
		if (rc)
			goto out;
	}
	if (k == 0 && mrm__tgz_finish(r, &trailing, &terr) < 0)
		k = -1;
	if (k < 0) {
		enum mrm__tgz_fault fl = mrm__tgz_fault(r);
		if (fl == MRM__TGZ_NOT_GZIP || fl == MRM__TGZ_NOT_TAR || fl == MRM__TGZ_IO || !v.manifest_whole) {
			rc = not_a_pack(path, err, v.manifest_whole || entries ? terr.msg
							: fl == MRM__TGZ_NOT_GZIP ? "not a gzip file" : terr.msg);
			goto out;
		}
		damaged = true;
		problem(&v, NULL, fl == MRM__TGZ_TRUNCATED ? "truncated" : "corrupt", "%s", terr.msg);
	}
	if (trailing)
		problem(&v, NULL, "trailing-data", "data follows the end of the archive");
	if (!v.manifest_seen) {
		rc = not_a_pack(path, err, entries ? "no manifest.json" : "an empty archive");
		goto out;
	}
	if (v.manifest_too_big) {
		rc = not_a_pack(path, err, "manifest.json is larger than 64 MiB");
		goto out;
	}
	m = json_loadb(v.manifest, v.mlen, 0, &jerr);
	if (!json_is_object(m)) {
		char why[300];
		snprintf(why, sizeof(why), "manifest.json is not valid JSON (line %d: %s)", jerr.line, jerr.text);
		rc = not_a_pack(path, err, m ? "manifest.json is not a JSON object" : why);
		goto out;
	}
	if (!mrm__str(m, "format") || strcmp(mrm__str(m, "format"), "mrm-pack") ||
	    !json_is_array(json_object_get(m, "files"))) {
		rc = not_a_pack(path, err, "manifest.json is not a pack manifest (format \"mrm-pack\" and files needed)");
		goto out;
	}
	if (json_integer_value(json_object_get(m, "format_version")) > MRM_PACK_FORMAT_VERSION) {
		rc = not_a_pack(path, err, "made by a newer mrm (format_version above 1)");
		goto out;
	}
	if (!mrm__str(m, "root") || strcmp(mrm__str(m, "root"), v.root))
		problem(&v, "manifest.json", "manifest", "the manifest's root is not the pack's folder %s/", v.root);
	check_files(&v, json_object_get(m, "files"), &listed);
	check_chain(&v, m);
	check_model(&v, m);
	check_evidence(&v, json_object_get(m, "files"));
	(void)damaged;
	{
		json_t *audit = json_object_get(m, "audit");
		*out = json_pack("{s:b,s:s,s:s,s:O?,s:O?,s:O?,s:I,s:I,s:{s:O?,s:O?},s:I,s:O?,s:O,s:I}", "ok",
				 v.nproblems == 0, "pack", path, "root", v.root, "model", json_object_get(m, "model"),
				 "created_at", json_object_get(m, "created_at"), "mrm_version",
				 json_object_get(m, "mrm_version"), "files", listed, "checked", (json_int_t)v.n,
				 "head", "seq", json_object_get(audit, "head_seq"), "hash",
				 json_object_get(audit, "head_hash"), "events", (json_int_t)v.ch.count,
				 "missing_evidence", json_object_get(m, "missing"), "problems", v.problems,
				 "problem_count", (json_int_t)v.nproblems);
	}
	rc = MRM_OK;
	if (v.nproblems)
		rc = mrm_error_set(err, MRM_ECHECK, "pack tampered: %s%s", v.first,
				   v.nproblems > 1 ? " (and more: see the list)" : "");
out:
	json_decref(m);
	for (size_t i = 0; i < v.n; i++)
		free(v.entries[i].name);
	free(v.entries);
	mrm_strmap_free(v.index);
	free(v.manifest);
	free(v.model_json);
	free(v.ch.line);
	json_decref(v.ch.evidence);
	json_decref(v.ch.models);
	json_decref(v.problems);
	mrm__tgz_reader_free(r);
	if (f)
		fclose(f);
	free(buf);
	return rc;
}
