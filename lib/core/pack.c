/*
 * Writing evidence packs: the model's documents, evidence files, gate
 * result, audit events and manifest, read from the store in one read
 * transaction and written as a .tar.gz (lib/common/targz.c) atomically.
 * The manifest comes first in the archive, so a truncated pack still says
 * what it should have held. pack-verify.c checks a pack; docs/packs.md
 * describes both.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/targz.h"
#include "core/core.h"
#include "core/doc.h"
#include "mrm/acceptance.h"
#include "mrm/hash.h"
#include "mrm/model.h"
#include "mrm/pack.h"
#include "mrm/report.h"

#define MAX_DOC (256L << 20) /* bytes of one rendered document */
#define COPY_BUF (256 * 1024)

/* One file of the pack: from memory, a temporary file, or an evidence file. */
struct item {
	char *name;   /* path inside the pack's folder */
	char *mem;    /* owned bytes, or NULL */
	FILE *tmp;    /* owned temporary file, or NULL */
	char *src;    /* an evidence file's path, or NULL */
	uint64_t size;
	char sha[MRM_SHA256_HEX];
};

struct pack {
	struct item *items;
	size_t n, cap;
	json_t *files;     /* manifest "files" */
	json_t *missing;   /* manifest "missing" */
	json_t *skipped;   /* documents not made, and why */
	json_t *documents; /* names of the documents made */
};

/* ---- items ------------------------------------------------------------------------ */

static struct item *item_new(struct pack *p, const char *name, struct mrm_error *err)
{
	struct item *it;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		struct item *a = realloc(p->items, cap * sizeof(*a));
		if (!a) {
			mrm_error_set(err, MRM_ESTORE, "out of memory assembling the pack");
			return NULL;
		}
		p->items = a;
		p->cap = cap;
	}
	it = &p->items[p->n];
	memset(it, 0, sizeof(*it));
	if (!(it->name = strdup(name))) {
		mrm_error_set(err, MRM_ESTORE, "out of memory assembling the pack");
		return NULL;
	}
	p->n++;
	return it;
}

/* Adds a file held in memory (takes `mem`), with its manifest entry of `kind`. */
static int add_mem(struct pack *p, const char *name, char *mem, size_t len, const char *kind,
		   struct mrm_error *err)
{
	struct item *it = item_new(p, name, err);

	if (!it) {
		free(mem);
		return MRM_ESTORE;
	}
	it->mem = mem;
	it->size = len;
	mrm_sha256_hex(mem ? mem : "", len, it->sha);
	json_array_append_new(p->files, json_pack("{s:s,s:s,s:I,s:s}", "path", name, "sha256", it->sha,
						  "size", (json_int_t)len, "kind", kind));
	return MRM_OK;
}

/* Adds a JSON document as a file (two-space indent, a final newline). */
static int add_json(struct pack *p, const char *name, json_t *doc, const char *kind,
		    struct mrm_error *err)
{
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
	char *t;
	size_t n;

	if (!s)
		return mrm_error_set(err, MRM_ESTORE, "cannot serialise %s", name);
	n = strlen(s);
	if (!(t = realloc(s, n + 2))) {
		free(s);
		return mrm_error_set(err, MRM_ESTORE, "out of memory assembling the pack");
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	return add_mem(p, name, t, n + 1, kind, err);
}

static void pack_release(struct pack *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->items[i].name);
		free(p->items[i].mem);
		free(p->items[i].src);
		if (p->items[i].tmp)
			fclose(p->items[i].tmp);
	}
	free(p->items);
	json_decref(p->files);
	json_decref(p->missing);
	json_decref(p->skipped);
	json_decref(p->documents);
}

/* ---- documents --------------------------------------------------------------------- */

struct membuf {
	char *p;
	size_t len, cap;
};

static int mem_sink(void *arg, const void *data, size_t len)
{
	struct membuf *m = arg;

	if (m->len + len > (size_t)MAX_DOC)
		return MRM_EINPUT;
	if (m->len + len > m->cap) {
		size_t cap = m->cap ? m->cap : 65536;
		char *q;
		while (cap < m->len + len)
			cap *= 2;
		if (!(q = realloc(m->p, cap)))
			return MRM_EINPUT;
		m->p = q;
		m->cap = cap;
	}
	memcpy(m->p + m->len, data, len);
	m->len += len;
	return 0;
}

/* Renders `data` in both formats as documents/NAME.html and documents/NAME.md. */
static int add_doc(struct pack *p, json_t *data, const char *name, struct mrm_error *err)
{
	static const struct {
		enum mrm_doc_format fmt;
		const char *ext;
	} formats[] = { { MRM_DOC_HTML, "html" }, { MRM_DOC_MARKDOWN, "md" } };
	char path[256];
	int rc;

	for (size_t i = 0; i < 2; i++) {
		struct membuf m = { 0 };
		if ((rc = mrm_doc_render(data, formats[i].fmt, mem_sink, &m, err))) {
			free(m.p);
			return mrm_error_set(err, rc, "cannot render the %s document", name);
		}
		snprintf(path, sizeof(path), "documents/%s.%s", name, formats[i].ext);
		if ((rc = add_mem(p, path, m.p, m.len, "document", err)))
			return rc;
	}
	json_array_append_new(p->documents, json_string(name));
	return MRM_OK;
}

static int documents(struct mrm_ctx *ctx, struct pack *p, const char *model,
		     const struct mrm_pack_options *o, json_t *gate, struct mrm_error *err)
{
	static const enum mrm_doc_kind always[] = { MRM_DOC_MODEL_CARD, MRM_DOC_MRA, MRM_DOC_ANNEX_IV };
	struct mrm_doc_options dopt = { .policy = o->policy };
	struct mrm_acceptance_filter af = { .model_id = model };
	json_t *data = NULL, *accs = NULL, *a;
	struct mrm_error inner = { 0 };
	size_t i;
	int rc;

	for (i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
		if ((rc = mrm__doc_data(ctx, always[i], model, &dopt, true, gate, &data, err)) ||
		    (rc = add_doc(p, data, mrm_doc_kinds[always[i]], err)))
			goto out;
		json_decref(data);
		data = NULL;
	}
	/* The validation document exists only when a run is stored and intact. */
	rc = mrm__doc_data(ctx, MRM_DOC_VALIDATION, model, &dopt, true, gate, &data, &inner);
	if (rc == MRM_EINPUT) {
		json_array_append_new(p->skipped, json_pack("{s:s,s:s}", "document", "validation", "reason",
							    inner.msg));
	} else if (rc) {
		mrm_error_set(err, rc, "%s", inner.msg);
		goto out;
	} else if ((rc = add_doc(p, data, "validation", err))) {
		goto out;
	}
	json_decref(data);
	data = NULL;
	if ((rc = mrm_acceptance_list(ctx, &af, &accs, err)))
		goto out;
	json_array_foreach(accs, i, a) {
		char name[64];
		const char *id = mrm__str(a, "id");
		if ((rc = mrm__doc_data(ctx, MRM_DOC_ACCEPTANCE, id, &dopt, true, gate, &data, err)))
			goto out;
		snprintf(name, sizeof(name), "acceptance-%s", id);
		if ((rc = add_doc(p, data, name, err)))
			goto out;
		json_decref(data);
		data = NULL;
	}
	rc = MRM_OK;
out:
	json_decref(data);
	json_decref(accs);
	return rc;
}

/* ---- evidence files ------------------------------------------------------------------ */

/*
 * "evidence/E-12-report.json": the evidence id and at most 60 bytes of the file's base name
 * (so the member name fits ustar), characters outside [A-Za-z0-9._-] replaced by '_'.
 */
static void evidence_name(const char *id, const char *path, char *out, size_t cap)
{
	const char *base = path ? strrchr(path, '/') : NULL;
	size_t n, k;

	base = base ? base + 1 : (path ? path : "file");
	n = (size_t)snprintf(out, cap, "evidence/%s-", id);
	for (k = 0; base[k] && k < 60 && n + 1 < cap; k++) {
		char c = base[k];
		out[n++] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    c == '.' || c == '_' || c == '-')
				   ? c
				   : '_';
	}
	if (k == 0 && n + 5 < cap)
		n += (size_t)snprintf(out + n, cap - n, "file");
	out[n] = '\0';
}

/*
 * Checks an evidence file against its registration: readable, a regular
 * file, the registered size and SHA-256. Returns 0 when it is, else writes
 * why into `why`.
 */
static int check_file(json_t *ev, char *why, size_t cap)
{
	const char *path = mrm__str(ev, "path"), *sha = mrm__str(ev, "sha256");
	json_int_t size = json_integer_value(json_object_get(ev, "size"));
	char hex[MRM_SHA256_HEX];
	struct stat st;
	int64_t got = 0;
	struct mrm_error e = { 0 };

	if (!path || stat(path, &st)) {
		snprintf(why, cap, "cannot be read: %s", path ? strerror(errno) : "no path registered");
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, cap, "not a regular file");
		return -1;
	}
	if ((uint64_t)st.st_size > (uint64_t)MRM__TAR_SIZE_MAX) {
		snprintf(why, cap, "larger than 8 GiB, the limit of a pack member");
		return -1;
	}
	if (mrm_sha256_file(path, hex, &got, &e)) {
		snprintf(why, cap, "cannot be read: %s", e.msg);
		return -1;
	}
	if ((sha && strcmp(sha, hex)) || got != size) {
		snprintf(why, cap, "changed since it was registered (sha256 %.16s..., %" PRId64 " bytes; "
			 "registered %.16s..., %" JSON_INTEGER_FORMAT " bytes)", hex, got, sha ? sha : "none", size);
		return -1;
	}
	return 0;
}

static int evidence(struct pack *p, json_t *model, struct mrm_error *err)
{
	json_t *ev;
	size_t i;

	json_array_foreach(json_object_get(model, "evidence"), i, ev) {
		const char *id = mrm__str(ev, "id"), *path = mrm__str(ev, "path");
		char name[200], why[600];
		struct item *it;

		if (check_file(ev, why, sizeof(why))) {
			json_array_append_new(p->missing, json_pack("{s:s,s:s?,s:O?,s:O?,s:s}", "evidence", id,
								    "path", path, "kind", json_object_get(ev, "kind"),
								    "sha256", json_object_get(ev, "sha256"),
								    "reason", why));
			continue;
		}
		evidence_name(id, path, name, sizeof(name));
		if (!(it = item_new(p, name, err)) || !(it->src = strdup(path)))
			return mrm_error_set(err, MRM_ESTORE, "out of memory assembling the pack");
		it->size = (uint64_t)json_integer_value(json_object_get(ev, "size"));
		snprintf(it->sha, sizeof(it->sha), "%s", mrm__str(ev, "sha256"));
		json_array_append_new(p->files, json_pack("{s:s,s:s,s:I,s:s,s:s,s:O?,s:O?,s:s}", "path", name,
							  "sha256", it->sha, "size", (json_int_t)it->size,
							  "kind", "evidence", "evidence_id", id, "evidence_kind",
							  json_object_get(ev, "kind"), "version",
							  json_object_get(ev, "version"), "source", path));
	}
	return MRM_OK;
}

/* ---- audit events --------------------------------------------------------------------- */

/*
 * Writes the chain from the model's first event to the head into a
 * temporary file: the model's events in full (every field of the hash,
 * "change" as the exact stored text), the others as links only (seq,
 * prev_hash, hash), so that the whole segment can be checked without
 * showing other models' records.
 */
static int audit_events(struct mrm_ctx *ctx, struct pack *p, const char *model, json_t *audit,
			struct mrm_error *err)
{
	static const char *const cols[] = { "seq", "prev_hash", "ts", "recorded_at", "actor", "action",
					    "object_type", "object_id", "model_id", "change", "state_hash",
					    "hash" };
	struct mrm_stmt *s = NULL;
	struct mrm_sha256 h = { 0 };
	struct item *it;
	int64_t first = 0, total = 0, mine = 0;
	FILE *f;
	int rc;

	if ((rc = mrm__int(ctx, "SELECT coalesce(min(seq), 0) FROM audit_events WHERE model_id = ?",
			   PARAMS(PT(model)), &first, err)))
		return rc;
	if (!(f = tmpfile()))
		return mrm_error_set(err, MRM_EINPUT, "cannot create a temporary file: %s", strerror(errno));
	if (!(it = item_new(p, "audit/events.jsonl", err))) {
		fclose(f);
		return MRM_ESTORE;
	}
	it->tmp = f;
	if ((rc = mrm_sha256_init(&h, err)))
		return rc;
	if ((rc = mrm_store_prepare(ctx->store,
				    "SELECT seq, prev_hash, ts, recorded_at, actor, action, object_type, object_id, "
				    "model_id, change, state_hash, hash FROM audit_events WHERE seq >= ? ORDER BY seq",
				    &s, err)))
		goto out;
	if (mrm_stmt_bind_int(s, 1, first > 0 ? first : INT64_MAX)) {
		rc = mrm_error_set(err, MRM_ESTORE, "internal: cannot bind the first event");
		goto out;
	}
	while ((rc = mrm_stmt_step(s, err)) == MRM_ROW) {
		const char *mid = mrm_stmt_col_text(s, 8);
		bool full = mid && !strcmp(mid, model);
		json_t *o = json_object();
		char *line;
		size_t n;

		if (full) {
			for (int i = 0; i < 12; i++)
				json_object_set_new(o, cols[i], i == 0 ? json_integer(mrm_stmt_col_int(s, 0))
						    : mrm_stmt_col_is_null(s, i) ? json_null()
						    : json_string(mrm_stmt_col_text(s, i)));
			mine++;
		} else {
			json_object_set_new(o, "seq", json_integer(mrm_stmt_col_int(s, 0)));
			json_object_set_new(o, "prev_hash", json_string(mrm_stmt_col_text(s, 1)));
			json_object_set_new(o, "hash", json_string(mrm_stmt_col_text(s, 11)));
			json_object_set_new(o, "omitted", json_true());
		}
		line = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		if (!line) {
			rc = mrm_error_set(err, MRM_ESTORE, "cannot serialise audit event %" PRId64, mrm_stmt_col_int(s, 0));
			goto out;
		}
		n = strlen(line);
		line[n] = '\n';
		if (fwrite(line, 1, n + 1, f) != n + 1) {
			free(line);
			rc = mrm_error_set(err, MRM_EINPUT, "cannot write a temporary file: %s", strerror(errno));
			goto out;
		}
		mrm_sha256_update(&h, line, n + 1);
		it->size += n + 1;
		total++;
		free(line);
	}
	if (rc != MRM_OK)
		goto out;
	if (fflush(f) || ferror(f)) {
		rc = mrm_error_set(err, MRM_EINPUT, "cannot write a temporary file: %s", strerror(errno));
		goto out;
	}
	mrm_sha256_final(&h, it->sha);
	json_array_append_new(p->files, json_pack("{s:s,s:s,s:I,s:s}", "path", it->name, "sha256", it->sha,
						  "size", (json_int_t)it->size, "kind", "audit-events"));
	json_object_set_new(audit, "first_seq", json_integer(first));
	json_object_set_new(audit, "events", json_integer(total));
	json_object_set_new(audit, "model_events", json_integer(mine));
out:
	mrm_sha256_release(&h);
	mrm_stmt_free(s);
	return rc;
}

/* ---- writing the archive ------------------------------------------------------------- */

/* Copies evidence file `it` into the open member, checking it is still the file hashed before. */
static int copy_file(struct mrm__tgz_writer *w, struct item *it, FILE *f, bool check,
		     unsigned char *buf, struct mrm_error *err)
{
	struct mrm_sha256 h = { 0 };
	uint64_t done = 0;
	char hex[MRM_SHA256_HEX];
	int rc;

	if ((rc = mrm_sha256_init(&h, err)))
		return rc;
	while (done < it->size) {
		size_t want = it->size - done < COPY_BUF ? (size_t)(it->size - done) : COPY_BUF;
		size_t n = fread(buf, 1, want, f);
		if (n == 0) {
			mrm_sha256_release(&h);
			return mrm_error_set(err, MRM_EINPUT, "%s: %s while it was packed", it->src ? it->src : it->name,
					     ferror(f) ? "read error" : "it became shorter");
		}
		mrm_sha256_update(&h, buf, n);
		if ((rc = mrm__tgz_write(w, buf, n, err))) {
			mrm_sha256_release(&h);
			return rc;
		}
		done += n;
	}
	mrm_sha256_final(&h, hex);
	if (check && strcmp(hex, it->sha))
		return mrm_error_set(err, MRM_EINPUT, "%s changed while it was packed; no pack written", it->src);
	return MRM_OK;
}

static int write_archive(struct pack *p, const char *root, const char *manifest, const char *path,
			 int64_t mtime, uint64_t *bytes, struct mrm_error *err)
{
	struct mrm__tgz_writer *w = NULL;
	unsigned char *buf = malloc(COPY_BUF);
	char tmp[4096], name[600];
	struct stat st;
	FILE *f = NULL;
	int rc = MRM_OK, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid());
	if (!buf || n < 0 || (size_t)n >= sizeof(tmp)) {
		free(buf);
		return mrm_error_set(err, MRM_EINPUT, "%s: path too long (or out of memory)", path);
	}
	if (!(f = fopen(tmp, "wb"))) {
		free(buf);
		return mrm_error_set(err, MRM_EINPUT, "%s: cannot create: %s", tmp, strerror(errno));
	}
	if ((rc = mrm__tgz_open(f, mtime, &w, err)))
		goto fail;
	snprintf(name, sizeof(name), "%s/manifest.json", root);
	if ((rc = mrm__tgz_add(w, name, manifest, strlen(manifest), err)))
		goto fail;
	for (size_t i = 0; i < p->n; i++) {
		struct item *it = &p->items[i];
		snprintf(name, sizeof(name), "%s/%s", root, it->name);
		if (it->mem || (!it->tmp && !it->src)) {
			rc = mrm__tgz_add(w, name, it->mem ? it->mem : "", (size_t)it->size, err);
		} else {
			FILE *src = it->tmp;
			if (src) {
				rewind(src);
			} else if (!(src = fopen(it->src, "rb"))) {
				rc = mrm_error_set(err, MRM_EINPUT, "%s: cannot be read while packing: %s", it->src,
						   strerror(errno));
				goto fail;
			}
			if (!(rc = mrm__tgz_begin(w, name, it->size, err)) &&
			    !(rc = copy_file(w, it, src, it->src != NULL, buf, err)))
				rc = mrm__tgz_end(w, err);
			if (!it->tmp)
				fclose(src);
		}
		if (rc)
			goto fail;
	}
	rc = mrm__tgz_close(w, err);
	w = NULL;
	if (rc)
		goto fail;
	if (fsync(fileno(f)) || fstat(fileno(f), &st)) {
		rc = mrm_error_set(err, MRM_EINPUT, "%s: cannot write: %s", tmp, strerror(errno));
		goto fail;
	}
	*bytes = (uint64_t)st.st_size;
	n = fclose(f);
	f = NULL;
	if (n) {
		rc = mrm_error_set(err, MRM_EINPUT, "%s: cannot write: %s", tmp, strerror(errno));
		goto fail;
	}
	if (rename(tmp, path)) {
		rc = mrm_error_set(err, MRM_EINPUT, "%s: cannot rename %s over it: %s", path, tmp, strerror(errno));
		goto fail;
	}
	free(buf);
	return MRM_OK;
fail:
	mrm__tgz_free(w);
	if (f)
		fclose(f);
	remove(tmp);
	free(buf);
	return rc;
}

/* ---- the pack ---------------------------------------------------------------------------- */

int mrm_pack_write(struct mrm_ctx *ctx, const char *model, const struct mrm_pack_options *o,
		   json_t **out, struct mrm_error *err)
{
	struct pack p = { .files = json_array(), .missing = json_array(), .skipped = json_array(),
			  .documents = json_array() };
	struct mrm_policy *own = NULL;
	const struct mrm_policy *policy = o->policy;
	json_t *row = NULL, *gate = NULL, *kpis = NULL, *show = NULL, *verify = NULL, *head = NULL;
	json_t *audit = json_object(), *manifest = NULL;
	char root[128], *mtext = NULL;
	bool in_tx = false;
	uint64_t bytes = 0;
	int rc;

	*out = NULL;
	if (!o->output || !*o->output) {
		rc = mrm_error_set(err, MRM_EUSAGE, "missing the output file (-o OUT.tar.gz)");
		goto out;
	}
	if ((rc = mrm__model_get(ctx, model, &row, err)))
		goto out;
	if (!policy) {
		if ((rc = mrm_policy_default(&own, err)))
			goto out;
		policy = own;
	}
	/* The hooks may open transactions of their own: ask them before ours. */
	if ((rc = mrm__hook_gate(ctx, model, policy, &gate, err)) || (rc = mrm__hook_kpis(ctx, policy, &kpis, err)))
		goto out;
	/* One read transaction: documents, events and head are one snapshot. */
	if ((rc = mrm_store_exec(ctx->store, "BEGIN", err)))
		goto out;
	in_tx = true;
	rc = mrm__audit_verify_tx(ctx, &verify, err);
	if (rc == MRM_ECHECK) {
		char msg[MRM_ERROR_MAX];
		snprintf(msg, sizeof(msg), "%s", err ? err->msg : "audit chain broken");
		mrm_error_clear(err);
		rc = mrm_error_set(err, MRM_ECHECK, "%s; no pack written (mrm audit verify)", msg);
		goto out;
	}
	if (rc)
		goto out;
	if ((rc = mrm_model_show(ctx, model, &show, err)) || (rc = documents(ctx, &p, model, o, gate, err)) ||
	    (rc = add_json(&p, "model.json", show, "model", err)))
		goto out;
	{
		json_t *g = gate ? json_incref(gate)
				 : json_pack("{s:s,s:b,s:s}", "model", model, "available", 0, "reason",
					     mrm__hook_gate_missing);
		rc = add_json(&p, "gate.json", g, "gate", err);
		json_decref(g);
		if (rc)
			goto out;
		g = kpis ? json_incref(kpis) : json_pack("{s:b,s:s}", "available", 0, "reason", mrm__hook_kpis_missing);
		rc = add_json(&p, "kpis.json", g, "kpis", err);
		json_decref(g);
		if (rc)
			goto out;
	}
	if ((rc = evidence(&p, show, err)) || (rc = audit_events(ctx, &p, model, audit, err)))
		goto out;
	if ((rc = mrm__row(ctx, "SELECT value FROM mrm_meta WHERE key = 'audit_head'", NOPARAMS, &head, err)))
		goto out;
	{
		const char *hv = mrm__str(head, "value"), *colon = hv ? strchr(hv, ':') : NULL;
		char *text;
		if (!colon) {
			rc = mrm_error_set(err, MRM_ESTORE, "the store records no audit head");
			goto out;
		}
		json_object_set_new(audit, "head_seq", json_integer(strtoll(hv, NULL, 10)));
		json_object_set_new(audit, "head_hash", json_string(colon + 1));
		json_object_set_new(audit, "file", json_string("audit/events.jsonl"));
		json_object_set_new(audit, "verified", json_true());
		if (!(text = malloc(strlen(hv) + 2))) {
			rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
			goto out;
		}
		snprintf(text, strlen(hv) + 2, "%s\n", hv);
		if ((rc = add_mem(&p, "audit/head.txt", text, strlen(text), "audit-head", err)))
			goto out;
	}
	mrm_store_exec(ctx->store, "COMMIT", NULL);
	in_tx = false;

	snprintf(root, sizeof(root), "mrm-pack-%s", model);
	*out = json_pack("{s:s,s:s,s:s,s:I,s:I,s:s?,s:O,s:O,s:O,s:s}", "pack", o->output, "model", model,
			 "root", root, "files", (json_int_t)json_array_size(p.files) + 1, "bytes", (json_int_t)0,
			 "head", mrm__str(head, "value"), "missing", p.missing, "documents", p.documents,
			 "documents_skipped", p.skipped, "gate", gate ? "evaluated" : mrm__hook_gate_missing);
	if (*out && gate)
		json_object_set_new(*out, "gate_passed", json_boolean(json_is_true(json_object_get(gate, "passed"))));
	if (json_array_size(p.missing) && !o->allow_missing) {
		json_t *m = json_array_get(p.missing, 0);
		rc = mrm_error_set(err, MRM_EINPUT, "evidence %s (%s) %s; %zu evidence file%s missing or changed, "
				   "no pack written (--allow-missing writes it and lists them)",
				   mrm__str(m, "evidence"), mrm__str(m, "path") ? mrm__str(m, "path") : "no path",
				   mrm__str(m, "reason"), json_array_size(p.missing),
				   json_array_size(p.missing) == 1 ? " is" : "s are");
		goto out;
	}
	manifest = json_pack("{s:s,s:i,s:s,s:s,s:O?,s:O?,s:O?,s:s,s:s,s:s,s:{s:s,s:s,s:s},s:O,s:{s:b,s:O?},"
			     "s:O,s:O,s:O,s:O}",
			     "format", "mrm-pack", "format_version", MRM_PACK_FORMAT_VERSION, "root", root,
			     "model", model, "model_name", json_object_get(row, "name"), "tier",
			     json_object_get(row, "tier"), "current_version", json_object_get(row, "current_version"),
			     "created_at", mrm_ctx_now_iso(ctx), "created_by", mrm_ctx_actor(ctx), "mrm_version",
			     o->mrm_version ? o->mrm_version : "unknown", "policy", "name", policy->name, "source",
			     policy->source, "sha256", policy->sha256, "audit", audit, "gate", "available", gate != NULL,
			     "passed", gate ? json_object_get(gate, "passed") : NULL, "files", p.files, "missing",
			     p.missing, "documents", p.documents, "documents_skipped", p.skipped);
	if (!manifest || !(mtext = json_dumps(manifest, JSON_INDENT(2)))) {
		rc = mrm_error_set(err, MRM_ESTORE, "cannot serialise the manifest");
		goto out;
	}
	{
		/* A final newline, as every JSON file of the pack has. */
		size_t n = strlen(mtext);
		char *t = realloc(mtext, n + 2);
		if (!t) {
			rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
			goto out;
		}
		mtext = t;
		mtext[n] = '\n';
		mtext[n + 1] = '\0';
	}
	if ((rc = write_archive(&p, root, mtext, o->output, mrm_ctx_now(ctx), &bytes, err)))
		goto out;
	json_object_set_new(*out, "bytes", json_integer((json_int_t)bytes));
out:
	if (in_tx)
		mrm_store_exec(ctx->store, "COMMIT", NULL);
	free(mtext);
	json_decref(manifest);
	json_decref(head);
	json_decref(audit);
	json_decref(verify);
	json_decref(show);
	json_decref(kpis);
	json_decref(gate);
	json_decref(row);
	mrm_policy_free(own);
	pack_release(&p);
	return rc;
}
