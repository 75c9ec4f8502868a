/*
 * The audit chain: appending events inside a mutation's transaction, and
 * verifying the chain and the governance tables against it.
 *
 * Fields are encoded for hashing as "<decimal length>:<bytes>", a NULL
 * field as "-1:". An event's hash is SHA-256 over its fields in this order:
 * prev_hash, seq, ts, recorded_at, actor, action, object_type, object_id,
 * model_id, change, state_hash. The first event's prev_hash is 64 zeros.
 *
 * state_hash is the SHA-256 of the object's row after the change: its
 * columns sorted by name (bytewise), each as three fields: the name, the
 * kind ("n" null, "i" integer, "r" real, "t" text, "b" boolean, "j" JSON)
 * and the value as the store returns it as text (NULL for null). Replaying
 * the chain therefore tells what every governance row must look like now,
 * and checking a row needs no JSON at all.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strmap.h"
#include "core/core.h"
#include "mrm/audit.h"
#include "mrm/hash.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
#define MAX_PROBLEMS 100

/* A growable byte buffer for hash input. */
struct buf {
	char *p;
	size_t len, cap;
};

static int buf_field_n(struct buf *b, const char *s, size_t n)
{
	size_t need = b->len + n + 24;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *p;
		while (cap < need)
			cap *= 2;
		if (!(p = realloc(b->p, cap)))
			return -1;
		b->p = p;
		b->cap = cap;
	}
	if (!s) {
		memcpy(b->p + b->len, "-1:", 3);
		b->len += 3;
		return 0;
	}
	{
		/* "<decimal length>:" without printf: this is verify's hot loop */
		char digits[24];
		size_t d = 0, v = n;
		do
			digits[d++] = (char)('0' + v % 10);
		while (v /= 10);
		while (d)
			b->p[b->len++] = digits[--d];
		b->p[b->len++] = ':';
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

/* Builds the map key "type\x1fid" into key; returns its length. */
static size_t state_key(char *key, size_t cap, const char *type, const char *oid)
{
	size_t t = strlen(type), o = strlen(oid);
	if (t + 1 + o >= cap)
		o = cap - t - 2;
	memcpy(key, type, t);
	key[t] = '\x1f';
	memcpy(key + t + 1, oid, o);
	key[t + 1 + o] = '\0';
	return t + 1 + o;
}

static int buf_field(struct buf *b, const char *s)
{
	return buf_field_n(b, s, s ? strlen(s) : 0);
}

/* The column order of a statement's rows for the state hash: by name. */
struct row_order {
	int n;
	int col[MRM__MAX_COLUMNS];
};

static void row_order_init(struct mrm_stmt *s, struct row_order *o)
{
	o->n = mrm_stmt_columns(s);
	if (o->n > MRM__MAX_COLUMNS)
		o->n = MRM__MAX_COLUMNS;
	/* insertion sort: tables have a few dozen columns */
	for (int i = 0; i < o->n; i++) {
		int j = i;
		while (j > 0 && strcmp(mrm_stmt_col_name(s, o->col[j - 1]), mrm_stmt_col_name(s, i)) > 0) {
			o->col[j] = o->col[j - 1];
			j--;
		}
		o->col[j] = i;
	}
}

/* The state hash of the statement's current row (see the top of the file). */
static int row_state_hash(struct mrm_stmt *s, const struct row_order *o, struct buf *b,
			  struct mrm_sha256_hasher *h, char hex[MRM_SHA256_HEX])
{
	static const char kinds[] = { [MRM_COL_NULL] = 'n', [MRM_COL_INT] = 'i', [MRM_COL_REAL] = 'r',
				      [MRM_COL_TEXT] = 't', [MRM_COL_BOOL] = 'b', [MRM_COL_JSON] = 'j' };
	b->len = 0;
	for (int k = 0; k < o->n; k++) {
		int i = o->col[k];
		enum mrm_col_kind kind = mrm_stmt_col_kind(s, i);
		char tag[2] = { kinds[kind], 0 };
		if (buf_field(b, mrm_stmt_col_name(s, i)) || buf_field(b, tag) ||
		    buf_field(b, kind == MRM_COL_NULL ? NULL : mrm_stmt_col_text(s, i)))
			return MRM_ESTORE;
	}
	if (h)
		mrm_sha256_hasher_hex(h, b->p, b->len, hex);
	else
		mrm_sha256_hex(b->p, b->len, hex);
	return MRM_OK;
}

static int select_object(struct mrm_ctx *ctx, const struct mrm__object_type *t,
			 const char *object_id, struct mrm_stmt **s, struct mrm_error *err)
{
	char sql[160];
	int rc;

	snprintf(sql, sizeof(sql), "SELECT * FROM %s WHERE %s = ?", t->table, t->key);
	if ((rc = mrm_store_prepare(ctx->store, sql, s, err)))
		return rc;
	if (t->prefix)
		rc = mrm_stmt_bind_int(*s, 1, strtoll(object_id, NULL, 10));
	else
		rc = mrm_stmt_bind_text(*s, 1, object_id);
	if (rc) {
		mrm_stmt_free(*s);
		*s = NULL;
		return mrm_error_set(err, MRM_ESTORE, "internal: cannot bind an object id");
	}
	return MRM_OK;
}

int mrm__snapshot(struct mrm_ctx *ctx, const struct mrm__object_type *t,
		  const char *object_id, json_t **out, struct mrm_error *err)
{
	struct mrm_stmt *s = NULL;
	int rc = select_object(ctx, t, object_id, &s, err);

	*out = NULL;
	if (rc)
		return rc;
	rc = mrm_stmt_step(s, err);
	if (rc == MRM_ROW) {
		*out = mrm__row_json(s);
		rc = MRM_OK;
	}
	mrm_stmt_free(s);
	return rc;
}

/* The fields of one event, in hash order. */
enum { F_PREV, F_SEQ, F_TS, F_REC, F_ACTOR, F_ACTION, F_TYPE, F_OID, F_MODEL,
       F_CHANGE, F_STATE, F_COUNT };
_Static_assert(F_COUNT == MRM__AUDIT_FIELDS, "mrm__audit_event_hash takes every field");

static int event_hash(struct buf *b, const char *const f[F_COUNT],
		      struct mrm_sha256_hasher *h, char hex[65])
{
	b->len = 0;
	for (int i = 0; i < F_COUNT; i++)
		if (buf_field(b, f[i]))
			return MRM_ESTORE;
	if (h)
		mrm_sha256_hasher_hex(h, b->p, b->len, hex);
	else
		mrm_sha256_hex(b->p, b->len, hex);
	return MRM_OK;
}

int mrm__audit_event_hash(const char *const fields[MRM__AUDIT_FIELDS], char hex[MRM_SHA256_HEX])
{
	struct buf b = { 0 };
	int rc = event_hash(&b, fields, NULL, hex);

	free(b.p);
	return rc;
}

/* The fields of `before` whose value differs in `after` (all if no after). */
static json_t *changed_fields(json_t *before, json_t *after)
{
	const char *k;
	json_t *v, *d;

	if (!before)
		return json_null();
	if (!after)
		return json_incref(before);
	d = json_object();
	json_object_foreach(before, k, v) {
		if (!json_equal(v, json_object_get(after, k)))
			json_object_set(d, k, v);
	}
	return d;
}

int mrm__audit(struct mrm_ctx *ctx, const char *action, const char *type,
	       const char *object_id, const char *model_id, json_t *before,
	       struct mrm_error *err)
{
	const struct mrm__object_type *t = mrm__object_type(type);
	json_t *after = NULL, *head = NULL, *change = NULL;
	struct mrm_stmt *snap = NULL;
	struct row_order order;
	char *change_text = NULL;
	char state[MRM_SHA256_HEX], hash[MRM_SHA256_HEX], seqtext[24], rec[MRM_TIME_LEN];
	const char *prev = GENESIS, *f[F_COUNT];
	struct buf b = { 0 };
	int64_t seq = 1;
	int rc;

	if (!t)
		return mrm_error_set(err, MRM_ESTORE, "internal: unknown object type '%s'", type);
	if (!mrm_store_in_transaction(ctx->store))
		return mrm_error_set(err, MRM_ESTORE, "internal: audit outside a transaction");
	/* The row after the change: its JSON for the event, its state hash for replay. */
	if ((rc = select_object(ctx, t, object_id, &snap, err)))
		goto out;
	rc = mrm_stmt_step(snap, err);
	if (rc == MRM_ROW) {
		after = mrm__row_json(snap);
		row_order_init(snap, &order);
		if ((rc = row_state_hash(snap, &order, &b, NULL, state))) {
			rc = mrm_error_set(err, rc, "out of memory hashing %s %s", type, object_id);
			goto out;
		}
	} else if (rc) {
		goto out;
	}
	if ((rc = mrm__row(ctx, "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
			   NOPARAMS, &head, err)))
		goto out;
	if (head) {
		seq = json_integer_value(json_object_get(head, "seq")) + 1;
		prev = mrm__str(head, "hash");
	}
	change = json_pack("{s:o,s:O}", "before", changed_fields(before, after), "after",
			   after ? after : json_null());
	change_text = json_dumps(change, JSON_COMPACT | JSON_SORT_KEYS);
	if (!change_text) {
		rc = mrm_error_set(err, MRM_ESTORE, "cannot serialise the change of %s %s", type, object_id);
		goto out;
	}
	snprintf(seqtext, sizeof(seqtext), "%" PRId64, seq);
	mrm_time_format(ctx->real_now, rec);
	f[F_PREV] = prev;
	f[F_SEQ] = seqtext;
	f[F_TS] = ctx->now_iso;
	f[F_REC] = rec;
	f[F_ACTOR] = ctx->actor;
	f[F_ACTION] = action;
	f[F_TYPE] = type;
	f[F_OID] = object_id;
	f[F_MODEL] = model_id;
	f[F_CHANGE] = change_text;
	f[F_STATE] = after ? state : NULL;
	if ((rc = event_hash(&b, f, NULL, hash))) {
		rc = mrm_error_set(err, rc, "out of memory hashing an audit event");
		goto out;
	}
	rc = mrm__exec(ctx,
		       "INSERT INTO audit_events (seq, ts, recorded_at, actor, action, object_type, "
		       "object_id, model_id, change, state_hash, prev_hash, hash) "
		       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       PARAMS(PI(seq), PT(ctx->now_iso), PT(rec), PT(ctx->actor), PT(action),
			      PT(type), PT(object_id), PT(model_id), PT(change_text),
			      PT(after ? state : NULL), PT(prev), PT(hash)),
		       err);
	if (rc)
		goto out;
	{
		char headval[96];
		snprintf(headval, sizeof(headval), "%" PRId64 ":%s", seq, hash);
		rc = mrm__exec(ctx,
			       "INSERT INTO mrm_meta (key, value) VALUES ('audit_head', ?) "
			       "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			       PARAMS(PT(headval)), err);
	}
out:
	mrm_stmt_free(snap);
	free(b.p);
	free(change_text);
	json_decref(change);
	json_decref(after);
	json_decref(head);
	return rc;
}

int mrm__audit_id(struct mrm_ctx *ctx, const char *action, const char *type,
		  int64_t id, const char *model_id, json_t *before,
		  struct mrm_error *err)
{
	char text[24];
	snprintf(text, sizeof(text), "%" PRId64, id);
	return mrm__audit(ctx, action, type, text, model_id, before, err);
}

/* Display id of an object: "F-12" for integer keys, the key otherwise. */
static void display_id(const char *type, const char *object_id, char *out, size_t cap)
{
	const struct mrm__object_type *t = mrm__object_type(type);
	if (t && t->prefix)
		snprintf(out, cap, "%s-%s", t->prefix, object_id);
	else
		snprintf(out, cap, "%s", object_id);
}

/* Turns a display id back into the stored object_id. */
static int stored_id(const char *type, const char *display, char *out, size_t cap,
		     struct mrm_error *err)
{
	const struct mrm__object_type *t = mrm__object_type(type);
	int64_t id;
	if (!t)
		return mrm_error_set(err, MRM_EINPUT, "unknown object type '%s'", type);
	if (!t->prefix) {
		snprintf(out, cap, "%s", display);
		return MRM_OK;
	}
	if (mrm__parse_id(display, t->prefix, type, &id, err))
		return MRM_EINPUT;
	snprintf(out, cap, "%" PRId64, id);
	return MRM_OK;
}

int mrm_audit_log(struct mrm_ctx *ctx, const struct mrm_audit_filter *f,
		  json_t **out, struct mrm_error *err)
{
	char oid[96] = "";
	json_t *rows = NULL, *model = NULL;
	size_t i;
	json_t *e;
	int rc;

	*out = NULL;
	if (f->model_id) {
		if ((rc = mrm__model_get(ctx, f->model_id, &model, err)))
			return rc;
		json_decref(model);
	}
	if (f->object_type && (rc = stored_id(f->object_type, f->object_id, oid, sizeof(oid), err)))
		return rc;
	rc = mrm__rows(ctx,
		       "SELECT * FROM (SELECT seq, ts, recorded_at, actor, action, object_type, "
		       "object_id, model_id, change, hash FROM audit_events "
		       "WHERE (? IS NULL OR model_id = ?) AND (? IS NULL OR (object_type = ? AND object_id = ?)) "
		       "ORDER BY seq DESC LIMIT ?) AS newest ORDER BY seq",
		       PARAMS(PT(f->model_id), PT(f->model_id), PT(f->object_type),
			      PT(f->object_type), PT(oid), PI(f->limit > 0 ? f->limit : INT64_MAX)),
		       &rows, err);
	if (rc)
		return rc;
	json_array_foreach(rows, i, e) {
		char disp[96];
		display_id(mrm__str(e, "object_type"), mrm__str(e, "object_id"), disp, sizeof(disp));
		json_object_set_new(e, "object", json_string(disp));
		json_object_del(e, "object_id");
	}
	*out = rows;
	return MRM_OK;
}

/* ---- verification ----------------------------------------------------- */

struct state {
	int64_t seq;
	char hash[MRM_SHA256_HEX]; /* empty: deleted */
	bool seen;
};

struct verify {
	json_t *problems;
	int64_t problem_count;
	int64_t first_bad;     /* first bad event of the chain itself */
	int64_t first_bad_row; /* first event a changed row contradicts */
	struct mrm_error *err;
	struct mrm_sha256_hasher *hasher;
	struct buf buf;
};

static void problem(struct verify *v, int64_t event, const char *object,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void problem(struct verify *v, int64_t event, const char *object,
		    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/*
	 * A row changed behind mrm's back does not make its last event bad:
	 * it only names the first bad event when the chain itself is intact.
	 */
	int64_t *first = object ? &v->first_bad_row : &v->first_bad;
	if (event > 0 && (*first == 0 || event < *first))
		*first = event;
	if (v->problem_count++ == 0)
		mrm_error_set(v->err, MRM_ECHECK, "audit chain broken: %s", msg);
	if (json_array_size(v->problems) < MAX_PROBLEMS)
		json_array_append_new(v->problems,
				      json_pack("{s:o,s:o,s:s}", "event",
						event > 0 ? json_integer(event) : json_null(),
						"object", object ? json_string(object) : json_null(),
						"problem", msg));
}

static int walk_chain(struct mrm_ctx *ctx, struct mrm_strmap *states, struct verify *v,
		      int64_t *events, char last_hash[MRM_SHA256_HEX], int64_t *last_seq)
{
	struct mrm_stmt *s = NULL;
	struct buf b = { 0 };
	char prev[MRM_SHA256_HEX] = GENESIS, hash[MRM_SHA256_HEX], seqtext[24], key[256];
	int64_t expect = 1;
	int rc;

	rc = mrm_store_prepare(ctx->store,
			       "SELECT seq, prev_hash, ts, recorded_at, actor, action, object_type, "
			       "object_id, model_id, change, state_hash, hash FROM audit_events ORDER BY seq",
			       &s, v->err);
	if (rc)
		return rc;
	while ((rc = mrm_stmt_step(s, v->err)) == MRM_ROW) {
		int64_t seq = mrm_stmt_col_int(s, 0);
		const char *f[F_COUNT];
		const char *stored = mrm_stmt_col_text(s, 11);
		const char *type = mrm_stmt_col_text(s, 6), *oid = mrm_stmt_col_text(s, 7);
		const char *state = mrm_stmt_col_text(s, 10);

		snprintf(seqtext, sizeof(seqtext), "%" PRId64, seq);
		f[F_PREV] = mrm_stmt_col_text(s, 1);
		f[F_SEQ] = seqtext;
		for (int i = F_TS; i < F_COUNT; i++)
			f[i] = mrm_stmt_col_text(s, i);
		(*events)++;
		if (seq != expect)
			problem(v, seq, NULL, "event #%" PRId64 " follows #%" PRId64
				": %s", seq, expect - 1,
				seq > expect ? "events were deleted or renumbered" : "events were reordered");
		if (!f[F_PREV] || strcmp(f[F_PREV], prev))
			problem(v, seq, NULL, "event #%" PRId64 " does not link to the event before it "
				"(that event, or this one, was altered, inserted or removed)", seq);
		if ((rc = event_hash(&b, f, v->hasher, hash)))
			break;
		if (!stored || strcmp(stored, hash))
			problem(v, seq, NULL, "event #%" PRId64 " was altered: its hash does not match its content", seq);
		snprintf(prev, sizeof(prev), "%s", stored ? stored : "");
		expect = seq + 1;
		if (type && oid) {
			void **slot = mrm_strmap_slot(states, key, state_key(key, sizeof(key), type, oid));
			struct state *st;
			if (!slot) {
				rc = MRM_ESTORE;
				break;
			}
			if (!*slot && !(*slot = calloc(1, sizeof(struct state)))) {
				rc = MRM_ESTORE;
				break;
			}
			st = *slot;
			st->seq = seq;
			snprintf(st->hash, sizeof(st->hash), "%s", state ? state : "");
		}
		*last_seq = seq;
	}
	snprintf(last_hash, MRM_SHA256_HEX, "%s", *events ? prev : "");
	free(b.p);
	mrm_stmt_free(s);
	if (rc == MRM_ESTORE && v->err && v->err->code == MRM_OK)
		mrm_error_set(v->err, MRM_ESTORE, "out of memory verifying the audit chain");
	return rc;
}

static int check_table(struct mrm_ctx *ctx, const struct mrm__object_type *t,
		       struct mrm_strmap *states, struct verify *v, int64_t *objects)
{
	struct mrm_stmt *s = NULL;
	struct row_order order;
	char sql[128], key[256], disp[128], obj[160], hash[MRM_SHA256_HEX];
	int rc, keycol = 0;

	snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY %s", t->table, t->key);
	if ((rc = mrm_store_prepare(ctx->store, sql, &s, v->err)))
		return rc;
	row_order_init(s, &order);
	for (int i = 0; i < mrm_stmt_columns(s); i++)
		if (!strcmp(mrm_stmt_col_name(s, i), t->key))
			keycol = i;
	while ((rc = mrm_stmt_step(s, v->err)) == MRM_ROW) {
		const char *idtext = mrm_stmt_col_text(s, keycol);
		struct state *st;

		if (!idtext)
			idtext = "?";
		st = mrm_strmap_get(states, key, state_key(key, sizeof(key), t->type, idtext), NULL);
		(*objects)++;
		if (st && st->hash[0]) {
			st->seen = true;
			if ((rc = row_state_hash(s, &order, &v->buf, v->hasher, hash))) {
				mrm_error_set(v->err, rc, "out of memory verifying %s rows", t->type);
				break;
			}
			if (!strcmp(st->hash, hash))
				continue;
		}
		display_id(t->type, idtext, disp, sizeof(disp));
		snprintf(obj, sizeof(obj), "%s %s", t->type, disp);
		if (!st)
			problem(v, 0, obj, "%s %s was inserted outside mrm (no audit event records it)",
				t->type, disp);
		else if (!st->hash[0])
			problem(v, st->seq, obj, "%s %s exists but its last audit event #%" PRId64
				" deleted it", t->type, disp, st->seq);
		else
			problem(v, st->seq, obj, "%s %s was changed outside mrm (it differs from its last audit event #%" PRId64 ")",
				t->type, disp, st->seq);
		if (st)
			st->seen = true;
	}
	mrm_stmt_free(s);
	return rc;
}

static void report_unseen(const char *key, size_t len, void *value, void *arg)
{
	struct state *st = value;
	const char *sep = memchr(key, '\x1f', len);
	char type[64], disp[128], obj[192];

	if (!st || st->seen || !st->hash[0] || !sep)
		return;
	snprintf(type, sizeof(type), "%.*s", (int)(sep - key), key);
	display_id(type, sep + 1, disp, sizeof(disp));
	snprintf(obj, sizeof(obj), "%s %s", type, disp);
	problem(arg, st->seq, obj, "%s %s was deleted outside mrm (its last audit event is #%" PRId64 ")",
		type, disp, st->seq);
}

static void free_state(const char *key, size_t len, void *value, void *arg)
{
	(void)key, (void)len, (void)arg;
	free(value);
}

int mrm__audit_verify_tx(struct mrm_ctx *ctx, json_t **out, struct mrm_error *err)
{
	struct mrm_strmap *states = mrm_strmap_new();
	struct verify v = { .problems = json_array(), .err = err, .hasher = mrm_sha256_hasher_new() };
	char last_hash[MRM_SHA256_HEX] = "";
	int64_t events = 0, objects = 0, last_seq = 0;
	json_t *meta = NULL;
	int rc;

	*out = NULL;
	if (!states || !v.hasher) {
		rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
		goto out;
	}
	if ((rc = walk_chain(ctx, states, &v, &events, last_hash, &last_seq)))
		goto out;
	if ((rc = mrm__row(ctx, "SELECT value FROM mrm_meta WHERE key = 'audit_head'", NOPARAMS,
			   &meta, err)))
		goto out;
	{
		char expect[96];
		const char *head = meta ? mrm__str(meta, "value") : NULL;
		snprintf(expect, sizeof(expect), "%" PRId64 ":%s", last_seq, last_hash);
		/* The head is "H:hash": with H past the end, the first missing event is the bad one. */
		int64_t h = head ? strtoll(head, NULL, 10) : 0;
		int64_t bad = h > 0 && h != last_seq ? (h < last_seq ? h : last_seq) + 1 : last_seq;
		if (events && (!head || strcmp(head, expect)))
			problem(&v, bad, NULL,
				"the chain ends at event #%" PRId64 " but the store's head records %s "
				"(events at the end were removed or replaced)",
				last_seq, head ? head : "none");
		else if (!events && head)
			problem(&v, 1, NULL, "the store's head records %s but there are no events", head);
	}
	for (const struct mrm__object_type *t = mrm__object_types; t->type; t++)
		if ((rc = check_table(ctx, t, states, &v, &objects)))
			goto out;
	mrm_strmap_each(states, report_unseen, &v);
	if (!v.first_bad)
		v.first_bad = v.first_bad_row;
	*out = json_pack("{s:b,s:I,s:I,s:s,s:o,s:I,s:O}", "ok", v.problem_count == 0,
			 "events", (json_int_t)events, "objects", (json_int_t)objects, "head",
			 last_hash, "first_bad_event",
			 v.first_bad ? json_integer(v.first_bad) : json_null(), "problem_count",
			 (json_int_t)v.problem_count, "problems", v.problems);
	if (v.problem_count)
		rc = MRM_ECHECK;
out:
	json_decref(v.problems);
	json_decref(meta);
	free(v.buf.p);
	mrm_sha256_hasher_free(v.hasher);
	if (states) {
		mrm_strmap_each(states, free_state, NULL);
		mrm_strmap_free(states);
	}
	return rc;
}

int mrm_audit_verify(struct mrm_ctx *ctx, json_t **out, struct mrm_error *err)
{
	int rc;

	*out = NULL;
	/* One read transaction so the chain and the tables are one snapshot. */
	if ((rc = mrm_store_exec(ctx->store, "BEGIN", err)))
		return rc;
	rc = mrm__audit_verify_tx(ctx, out, err);
	mrm_store_exec(ctx->store, "COMMIT", NULL);
	return rc;
}
