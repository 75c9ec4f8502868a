/*
 * Findings: raising them, the remediation workflow with its separation of
 * duties, repeat findings, and the effective status that risk acceptances
 * give them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "mrm/finding.h"

const char *const mrm_finding_severities[] = { "critical", "high", "medium", "low", NULL };
const char *const mrm_finding_categories[] = { "performance", "fairness", "robustness", "privacy",
					       "security", "safety", "reliability", "documentation",
					       "governance", NULL };
const char *const mrm_finding_statuses[] = { "open", "in-remediation", "awaiting-verification",
					     "closed", NULL };
const char *const mrm_finding_effective_statuses[] = { "open", "in-remediation",
						       "awaiting-verification", "closed",
						       "risk-accepted", NULL };

/* The workflow moves `mrm finding update --status` may make. */
static const struct {
	const char *from, *to;
} moves[] = {
	{ "open", "in-remediation" },
	{ "open", "awaiting-verification" },
	{ "in-remediation", "awaiting-verification" },
	{ "awaiting-verification", "in-remediation" },
	{ "in-remediation", "open" },
};

static const struct mrm__field add_spec[] = {
	{ "severity", MRM__F_ENUM, mrm_finding_severities, true },
	{ "category", MRM__F_ENUM, mrm_finding_categories, true },
	{ "title", MRM__F_TEXT, NULL, true },
	{ "description", MRM__F_TEXT, NULL, false },
	{ "owner", MRM__F_TEXT, NULL, false },
	{ "due", MRM__F_DATE, NULL, false },
	{ "version", MRM__F_TEXT, NULL, false },
	{ "evidence_id", MRM__F_TEXT, NULL, false },
	{ "repeat_of", MRM__F_TEXT, NULL, false },
	{ NULL, 0, NULL, false },
};

/* Fields `update` may change, in the order they are applied. */
static const struct mrm__field update_spec[] = {
	{ "status", MRM__F_ENUM, mrm_finding_effective_statuses, false },
	{ "owner", MRM__F_TEXT, NULL, false },
	{ "due", MRM__F_DATE, NULL, false },
	{ "severity", MRM__F_ENUM, mrm_finding_severities, false },
	{ "title", MRM__F_TEXT, NULL, false },
	{ "description", MRM__F_TEXT, NULL, false },
	{ NULL, 0, NULL, false },
};

static const struct mrm__field verify_spec[] = {
	{ "evidence_id", MRM__F_TEXT, NULL, true },
	{ "note", MRM__F_TEXT, NULL, false },
	{ "fail", MRM__F_BOOL, NULL, false },
	{ NULL, 0, NULL, false },
};

static const struct mrm__field close_spec[] = {
	{ "evidence_id", MRM__F_TEXT, NULL, false },
	{ "note", MRM__F_TEXT, NULL, false },
	{ NULL, 0, NULL, false },
};

int mrm_finding_default_due_days(const char *severity)
{
	static const struct { const char *sev; int days; } due[] = {
		{ "critical", 30 }, { "high", 90 }, { "medium", 180 }, { "low", 365 },
	};
	for (size_t i = 0; i < sizeof(due) / sizeof(due[0]); i++)
		if (severity && !strcmp(severity, due[i].sev))
			return due[i].days;
	return 0;
}

/* ---- small helpers ------------------------------------------------------ */

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/*
 * Trims white space off both ends of the text field `key` of `in`, in
 * place; an empty result is MRM_EINPUT.
 */
static int trim_field(json_t *in, const char *key, struct mrm_error *err)
{
	const char *s = mrm__str(in, key), *e;
	char *t;

	if (!s)
		return MRM_OK;
	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if (e == s)
		return mrm_error_set(err, MRM_EINPUT, "field '%s' must not be empty", key);
	t = strndup(s, (size_t)(e - s));
	if (!t)
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	json_object_set_new(in, key, json_string(t));
	free(t);
	return MRM_OK;
}

/* A due date must not already be behind us: nobody can meet it. */
static int check_due(struct mrm_ctx *ctx, const char *due, struct mrm_error *err)
{
	if (due && *due && strcmp(due, ctx->today) < 0)
		return mrm_error_set(err, MRM_EINPUT, "due date %s is in the past (today is %s)", due,
				     ctx->today);
	return MRM_OK;
}

static void add_days(const char *date, int days, char out[MRM_DATE_LEN])
{
	int64_t t = 0;
	mrm_date_parse(date, "date", &t, NULL);
	mrm_date_format(t + (int64_t)days * 86400, out);
}

static int load_finding(struct mrm_ctx *ctx, int64_t id, json_t **out, struct mrm_error *err)
{
	int rc = mrm__row(ctx, "SELECT * FROM findings WHERE id = ?", PARAMS(PI(id)), out, err);
	if (rc)
		return rc;
	if (!*out)
		return mrm_error_set(err, MRM_ENOTFOUND, "no finding F-%lld (see 'mrm finding list')",
				     (long long)id);
	return MRM_OK;
}

static int64_t int_of(json_t *row, const char *key)
{
	return json_integer_value(json_object_get(row, key));
}

/*
 * Resolves evidence text ("E-N") that a finding of `model_id` relies on:
 * it must exist (MRM_ENOTFOUND) and belong to the same model (MRM_EINPUT).
 */
static int check_evidence(struct mrm_ctx *ctx, const char *text, const char *model_id,
			  int64_t *eid, struct mrm_error *err)
{
	json_t *row = NULL;
	int rc;

	if ((rc = mrm__parse_id(text, "E", "evidence", eid, err)) ||
	    (rc = mrm__row(ctx, "SELECT id, model_id FROM evidence WHERE id = ?", PARAMS(PI(*eid)),
			   &row, err)))
		return rc;
	if (!row)
		return mrm_error_set(err, MRM_ENOTFOUND, "no evidence E-%lld (see 'mrm evidence list')",
				     (long long)*eid);
	if (!same(mrm__str(row, "model_id"), model_id))
		rc = mrm_error_set(err, MRM_EINPUT,
				   "evidence E-%lld belongs to model '%s', not '%s' (register it for '%s' with 'mrm evidence add')",
				   (long long)*eid, mrm__str(row, "model_id"), model_id, model_id);
	json_decref(row);
	return rc;
}

/* ---- reading: the effective status -------------------------------------- */

/*
 * A small SQL builder: constant fragments (never user text) and their
 * bound values.
 */
struct query {
	char sql[4096];
	size_t len;
	struct mrm__param p[24];
	int n;
};

static void q_add(struct query *q, const char *fragment)
{
	size_t n = strlen(fragment);
	if (q->len + n < sizeof(q->sql)) {
		memcpy(q->sql + q->len, fragment, n + 1);
		q->len += n;
	}
}

static void q_text(struct query *q, const char *v)
{
	if (q->n < (int)(sizeof(q->p) / sizeof(q->p[0])))
		q->p[q->n++] = PT(v);
}

static void q_int(struct query *q, int64_t v)
{
	if (q->n < (int)(sizeof(q->p) / sizeof(q->p[0])))
		q->p[q->n++] = PI(v);
}

/*
 * `c.until` is the last expiry date of the unrevoked acceptances naming a
 * finding (NULL if none): it covers the finding while until > today
 * (expires is the first day an acceptance no longer covers). One
 * aggregate joined once, instead of subqueries per row and per column,
 * keeps a list of 100,000 findings to one pass. Each "?" is today.
 */
#define COVERED "(f.status <> 'closed' AND c.until > ?)"
#define NOT_COVERED "(c.until IS NULL OR c.until <= ?)"

/*
 * Builds the list query. `one` (> 0) restricts it to one finding (and the
 * acceptance aggregate to its rows).
 */
static void list_query(struct query *q, struct mrm_ctx *ctx, const struct mrm_finding_filter *f,
		       int64_t one)
{
	const char *today = ctx->today;

	q_add(q, "SELECT f.id, f.model_id, f.severity, f.category, f.title, f.owner, f.due, "
		 "CASE WHEN " COVERED " THEN 'risk-accepted' ELSE f.status END AS status, "
		 "f.status AS workflow_status, "
		 "CASE WHEN f.status <> 'closed' AND f.due < ? AND " NOT_COVERED " THEN 1 ELSE 0 END "
		 "AS overdue, f.repeat_of, f.evidence_id, "
		 "CASE WHEN " COVERED " THEN (SELECT a.id FROM acceptance_findings af "
		 "JOIN acceptances a ON a.id = af.acceptance_id WHERE af.finding_id = f.id "
		 "AND a.revoked_at IS NULL ORDER BY a.expires DESC, a.id DESC LIMIT 1) END "
		 "AS accepted_by_acceptance, "
		 "CASE WHEN f.status <> 'closed' THEN c.until END AS acceptance_expires, "
		 "CASE WHEN f.status <> 'closed' AND c.until <= ? THEN 1 ELSE 0 END "
		 "AS acceptance_expired, f.created_at "
		 "FROM findings f LEFT JOIN (SELECT af.finding_id, max(a.expires) AS until "
		 "FROM acceptance_findings af JOIN acceptances a ON a.id = af.acceptance_id "
		 "WHERE a.revoked_at IS NULL");
	q_text(q, today); /* status */
	q_text(q, today); /* overdue: due < today */
	q_text(q, today); /* overdue: not covered */
	q_text(q, today); /* accepted_by_acceptance */
	q_text(q, today); /* acceptance_expired */
	if (one) {
		q_add(q, " AND af.finding_id = ?");
		q_int(q, one);
	}
	q_add(q, " GROUP BY af.finding_id) c ON c.finding_id = f.id WHERE 1 = 1");
	if (one) {
		q_add(q, " AND f.id = ?");
		q_int(q, one);
	}
	if (f && f->model_id) {
		q_add(q, " AND f.model_id = ?");
		q_text(q, f->model_id);
	}
	if (f && f->severity) {
		q_add(q, " AND f.severity = ?");
		q_text(q, f->severity);
	}
	if (f && f->owner) {
		q_add(q, " AND f.owner = ?");
		q_text(q, f->owner);
	}
	if (f && f->status) {
		if (!strcmp(f->status, "risk-accepted")) {
			q_add(q, " AND " COVERED);
			q_text(q, today);
		} else if (!strcmp(f->status, "closed")) {
			q_add(q, " AND f.status = 'closed'");
		} else {
			q_add(q, " AND f.status = ? AND " NOT_COVERED);
			q_text(q, f->status);
			q_text(q, today);
		}
	}
	if (f && f->overdue) {
		q_add(q, " AND f.status <> 'closed' AND f.due < ? AND " NOT_COVERED);
		q_text(q, today);
		q_text(q, today);
	}
	q_add(q, " ORDER BY f.id");
}

/* Turns a list row's integer flags and ids into their display form. */
static void present_row(json_t *r)
{
	json_t *a = json_object_get(r, "accepted_by_acceptance");
	char buf[24];

	mrm__present("finding", r);
	json_object_set_new(r, "overdue", json_boolean(int_of(r, "overdue")));
	json_object_set_new(r, "acceptance_expired", json_boolean(int_of(r, "acceptance_expired")));
	if (json_is_integer(a)) {
		mrm__format_id("A", json_integer_value(a), buf);
		json_object_set_new(r, "accepted_by_acceptance", json_string(buf));
	}
}

int mrm_finding_list(struct mrm_ctx *ctx, const struct mrm_finding_filter *f,
		     json_t **out, struct mrm_error *err)
{
	struct query q = { .len = 0 };
	json_t *model = NULL, *r;
	size_t i;
	int rc;

	*out = NULL;
	if (f && f->status &&
	    (rc = mrm__check_enum(f->status, mrm_finding_effective_statuses, "status", err)))
		return rc;
	if (f && f->severity &&
	    (rc = mrm__check_enum(f->severity, mrm_finding_severities, "severity", err)))
		return rc;
	if (f && f->model_id) {
		if ((rc = mrm__model_get(ctx, f->model_id, &model, err)))
			return rc;
		json_decref(model);
	}
	list_query(&q, ctx, f, 0);
	if ((rc = mrm__rows(ctx, q.sql, q.p, q.n, out, err)))
		return rc;
	json_array_foreach(*out, i, r)
		present_row(r);
	return MRM_OK;
}

/* ---- streaming the list as JSON text -------------------------------------- */

/*
 * The list can be 100,000 rows: building a jansson tree of it and dumping
 * that costs several times the query. This writer turns the statement's
 * columns straight into the text cli_print_json() would print for
 * {"findings": [...]} (jansson's JSON_INDENT(2) layout and escaping), so
 * the CLI and the server can stream it.
 */
struct jw {
	char buf[1 << 16];
	size_t len;
	mrm_finding_write_fn write;
	void *arg;
	int failed;
};

static void jw_flush(struct jw *w)
{
	if (w->len && !w->failed && w->write(w->arg, w->buf, w->len))
		w->failed = 1;
	w->len = 0;
}

static void jw_put(struct jw *w, const char *s, size_t n)
{
	while (n) {
		size_t room = sizeof(w->buf) - w->len, k = n < room ? n : room;
		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
		if (w->len == sizeof(w->buf))
			jw_flush(w);
	}
}

static void jw_str(struct jw *w, const char *s)
{
	jw_put(w, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s, or 0 (the rules jansson enforces). */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0], cp;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A JSON string as jansson writes it; invalid UTF-8 becomes U+FFFD as in mrm__row_json. */
static void jw_string(struct jw *w, const char *text)
{
	const unsigned char *s = (const unsigned char *)text, *run;
	char esc[8];

	for (const unsigned char *p = s; *p;) {
		size_t n = utf8_len(p);
		if (!n) {
			jw_str(w, "\"\xef\xbf\xbd\"");
			return;
		}
		p += n;
	}
	jw_put(w, "\"", 1);
	for (run = s; *s; s++) {
		const char *e = NULL;
		if (*s >= 0x20 && *s != '"' && *s != '\\')
			continue;
		jw_put(w, (const char *)run, (size_t)(s - run));
		switch (*s) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04X", (unsigned)*s);
			e = esc;
		}
		jw_str(w, e);
		run = s + 1;
	}
	jw_put(w, (const char *)run, (size_t)(s - run));
	jw_put(w, "\"", 1);
}

/* How a list column is displayed: an id prefix, a flag, or as stored. */
static const char *column_prefix(const char *name, bool *flag)
{
	*flag = !strcmp(name, "overdue") || !strcmp(name, "acceptance_expired");
	if (!strcmp(name, "id") || !strcmp(name, "repeat_of"))
		return "F";
	if (!strcmp(name, "evidence_id"))
		return "E";
	if (!strcmp(name, "accepted_by_acceptance"))
		return "A";
	return NULL;
}

/* A list column: its key as written ("      \"name\": "), and how it is shown. */
struct jw_col {
	char key[80];
	size_t keylen;
	const char *prefix;
	bool flag;
};

/* Writes v in decimal after `pre` (an id prefix and '-', or ""), quoted if pre is set. */
static void jw_int(struct jw *w, const char *pre, long long v)
{
	char tmp[48], *p = tmp + sizeof(tmp);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	size_t n = strlen(pre);

	if (n)
		*--p = '"';
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	if (n) {
		*--p = '-';
		p -= n;
		memcpy(p, pre, n);
		*--p = '"';
	}
	jw_put(w, p, (size_t)(tmp + sizeof(tmp) - p));
}

static void jw_row(struct jw *w, struct mrm_stmt *s, int ncol, const struct jw_col *col)
{
	jw_put(w, "    {\n", 6);
	for (int i = 0; i < ncol; i++) {
		jw_put(w, col[i].key, col[i].keylen);
		switch (mrm_stmt_col_kind(s, i)) {
		case MRM_COL_NULL:
			if (col[i].flag)
				jw_put(w, "false", 5);
			else
				jw_put(w, "null", 4);
			break;
		case MRM_COL_INT:
		case MRM_COL_BOOL:
			if (col[i].flag)
				jw_str(w, mrm_stmt_col_int(s, i) ? "true" : "false");
			else
				jw_int(w, col[i].prefix ? col[i].prefix : "", (long long)mrm_stmt_col_int(s, i));
			break;
		default:
			jw_string(w, mrm_stmt_col_text(s, i));
			break;
		}
		if (i + 1 < ncol)
			jw_put(w, ",\n", 2);
		else
			jw_put(w, "\n", 1);
	}
	jw_put(w, "    }", 5);
}

int mrm_finding_list_write(struct mrm_ctx *ctx, const struct mrm_finding_filter *f,
			   mrm_finding_write_fn write, void *arg, struct mrm_error *err)
{
	struct query q = { .len = 0 };
	struct mrm_stmt *s = NULL;
	struct jw *w = NULL;
	struct jw_col col[32];
	json_t *model = NULL;
	int rc, ncol = 0;
	long rows = 0;

	if (f && f->status &&
	    (rc = mrm__check_enum(f->status, mrm_finding_effective_statuses, "status", err)))
		return rc;
	if (f && f->severity &&
	    (rc = mrm__check_enum(f->severity, mrm_finding_severities, "severity", err)))
		return rc;
	if (f && f->model_id) {
		if ((rc = mrm__model_get(ctx, f->model_id, &model, err)))
			return rc;
		json_decref(model);
	}
	list_query(&q, ctx, f, 0);
	if ((rc = mrm_store_prepare(ctx->store, q.sql, &s, err)))
		return rc;
	if (mrm__bind(s, q.p, q.n)) {
		rc = mrm_error_set(err, MRM_ESTORE, "internal: cannot bind query parameters");
		goto out;
	}
	if (!(w = malloc(sizeof(*w)))) {
		rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
		goto out;
	}
	w->len = 0;
	w->write = write;
	w->arg = arg;
	w->failed = 0;
	ncol = mrm_stmt_columns(s);
	if (ncol > 32) {
		rc = mrm_error_set(err, MRM_ESTORE, "internal: too many columns in the finding list");
		goto out;
	}
	for (int i = 0; i < ncol; i++) {
		const char *name = mrm_stmt_col_name(s, i);
		col[i].prefix = column_prefix(name, &col[i].flag);
		/* column names are the query's own aliases: plain ASCII, no escaping */
		col[i].keylen = (size_t)snprintf(col[i].key, sizeof(col[i].key), "      \"%s\": ", name);
		if (col[i].keylen >= sizeof(col[i].key))
			col[i].keylen = sizeof(col[i].key) - 1;
	}
	jw_str(w, "{\n  \"findings\": [");
	while ((rc = mrm_stmt_step(s, err)) == MRM_ROW && !w->failed) {
		jw_str(w, rows++ ? ",\n" : "\n");
		jw_row(w, s, ncol, col);
	}
	if (rc == MRM_ROW)
		rc = MRM_OK;
	if (rc)
		goto out;
	jw_str(w, rows ? "\n  ]\n}\n" : "]\n}\n");
	jw_flush(w);
	if (w->failed)
		rc = mrm_error_set(err, MRM_ESTORE, "cannot write the finding list");
out:
	free(w);
	mrm_stmt_free(s);
	return rc;
}

/* Adds the rows of `sql` (bound to the finding id) under `key`, presented as `type`. */
static int attach(struct mrm_ctx *ctx, json_t *obj, const char *key, const char *type,
		  const char *sql, const struct mrm__param *p, int n, struct mrm_error *err)
{
	json_t *rows, *r;
	size_t i;
	int rc = mrm__rows(ctx, sql, p, n, &rows, err);
	if (rc)
		return rc;
	json_array_foreach(rows, i, r) {
		json_t *flag = json_object_get(r, "in_force");
		mrm__present(type, r);
		if (json_is_integer(flag))
			json_object_set_new(r, "in_force", json_boolean(json_integer_value(flag)));
	}
	json_object_set_new(obj, key, rows);
	return MRM_OK;
}

/* The full presented finding `id`, as mrm_finding_show() documents it. */
static int show_id(struct mrm_ctx *ctx, int64_t id, json_t **out, struct mrm_error *err)
{
	struct query q = { .len = 0 };
	static const char *const computed[] = { "status", "workflow_status", "overdue",
						"accepted_by_acceptance", "acceptance_expires",
						"acceptance_expired", NULL };
	json_t *raw = NULL, *eff = NULL, *row = NULL, *v;
	const char *k;
	int rc;

	*out = NULL;
	if ((rc = load_finding(ctx, id, &raw, err)))
		return rc;
	list_query(&q, ctx, NULL, id);
	if ((rc = mrm__rows(ctx, q.sql, q.p, q.n, &eff, err)))
		goto out;
	present_row(json_array_get(eff, 0));
	mrm__present("finding", raw);
	/* The stored row, with the effective fields next to the stored status. */
	row = json_object();
	json_object_foreach(raw, k, v) {
		if (strcmp(k, "status")) {
			json_object_set(row, k, v);
			continue;
		}
		for (const char *const *c = computed; *c; c++)
			json_object_set(row, *c, json_object_get(json_array_get(eff, 0), *c));
	}
	if ((rc = attach(ctx, row, "acceptances", "acceptance",
			 "SELECT a.id, a.accepted_by, a.authority_role, a.expires, a.revoked_at, "
			 "CASE WHEN a.revoked_at IS NULL AND a.expires > ? THEN 1 ELSE 0 END AS in_force "
			 "FROM acceptance_findings af JOIN acceptances a ON a.id = af.acceptance_id "
			 "WHERE af.finding_id = ? ORDER BY a.id",
			 PARAMS(PT(ctx->today), PI(id)), err)) ||
	    (rc = attach(ctx, row, "incidents", "incident",
			 "SELECT i.id, i.severity, i.title, i.started, i.resolved "
			 "FROM incident_findings x JOIN incidents i ON i.id = x.incident_id "
			 "WHERE x.finding_id = ? ORDER BY i.id",
			 PARAMS(PI(id)), err)) ||
	    (rc = attach(ctx, row, "repeated_by", "finding",
			 "SELECT id, status, created_at FROM findings WHERE repeat_of = ? ORDER BY id",
			 PARAMS(PI(id)), err)))
		goto out;
	*out = row;
	row = NULL;
out:
	json_decref(row);
	json_decref(eff);
	json_decref(raw);
	return rc;
}

int mrm_finding_show(struct mrm_ctx *ctx, const char *id, json_t **out,
		     struct mrm_error *err)
{
	int64_t fid;
	int rc;

	*out = NULL;
	if ((rc = mrm__parse_id(id, "F", "finding", &fid, err)))
		return rc;
	return show_id(ctx, fid, out, err);
}

/* ---- raising ------------------------------------------------------------- */

/*
 * Raises a finding; `*idp` receives its id and `*detected` whether it was found to repeat a
 * closed one. With `own_tx` the raising is its own transaction; without, the caller holds
 * one (and rolls it back on failure).
 */
static int add(struct mrm_ctx *ctx, const char *model_id, json_t *fields, bool own_tx,
	       int64_t *idp, bool *detectedp, struct mrm_error *err)
{
	json_t *in = fields ? json_deep_copy(fields) : json_object(), *model = NULL, *prev = NULL;
	const char *owner, *version, *due;
	char due_default[MRM_DATE_LEN];
	int64_t eid = 0, repeat = 0, id = 0;
	bool detected = false;
	int rc;

	*idp = 0;
	*detectedp = false;
	if ((rc = mrm__fields_check(in, add_spec, err)) || (rc = trim_field(in, "title", err)))
		goto out;
	if (mrm__str(in, "evidence_id") &&
	    (rc = mrm__parse_id(mrm__str(in, "evidence_id"), "E", "evidence", &eid, err)))
		goto out;
	if (mrm__str(in, "repeat_of") &&
	    (rc = mrm__parse_id(mrm__str(in, "repeat_of"), "F", "finding", &repeat, err)))
		goto out;
	due = mrm__str(in, "due");
	if (due && !*due)
		due = NULL;
	if ((rc = check_due(ctx, due, err)))
		goto out;
	/* First and second line own models; validators and auditors raise findings on them. */
	if ((rc = mrm__require_role(ctx, (const char *const[]){ "validator", "auditor", "admin", NULL },
				    "raise findings", err)))
		goto out;
	if (own_tx && (rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = mrm__model_get(ctx, model_id, &model, err)))
		goto fail;
	if (same(mrm__str(model, "status"), "retired")) {
		rc = mrm_error_set(err, MRM_EINPUT, "model '%s' is retired; it takes no new findings",
				   model_id);
		goto fail;
	}
	owner = mrm__str(in, "owner") ? mrm__str(in, "owner") : mrm__str(model, "owner");
	if ((rc = mrm__require_known_user(ctx, owner, "owner", err)))
		goto fail;
	version = mrm__str(in, "version");
	if (version && (rc = mrm__require_version(ctx, model_id, version, err)))
		goto fail;
	if (eid && (rc = check_evidence(ctx, mrm__str(in, "evidence_id"), model_id, &eid, err)))
		goto fail;
	if (repeat) {
		if ((rc = load_finding(ctx, repeat, &prev, err)))
			goto fail;
		if (!same(mrm__str(prev, "model_id"), model_id)) {
			rc = mrm_error_set(err, MRM_EINPUT,
					   "finding F-%lld is on model '%s', not '%s'; a repeat must be on the same model",
					   (long long)repeat, mrm__str(prev, "model_id"), model_id);
			goto fail;
		}
	} else {
		/* The same weakness found again after it was closed is a repeat finding. */
		if ((rc = mrm__row(ctx,
				   "SELECT id FROM findings WHERE model_id = ? AND category = ? "
				   "AND status = 'closed' AND lower(trim(title)) = lower(?) "
				   "ORDER BY closed_at DESC, id DESC LIMIT 1",
				   PARAMS(PT(model_id), PT(mrm__str(in, "category")),
					  PT(mrm__str(in, "title"))),
				   &prev, err)))
			goto fail;
		if (prev) {
			repeat = int_of(prev, "id");
			detected = true;
		}
	}
	if (!due) {
		add_days(ctx->today, mrm_finding_default_due_days(mrm__str(in, "severity")), due_default);
		due = due_default;
	}
	if ((rc = mrm__int(ctx,
			   "INSERT INTO findings (model_id, version, severity, category, title, description, "
			   "owner, due, status, evidence_id, repeat_of, raised_by, created_at, updated_at) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?) RETURNING id",
			   PARAMS(PT(model_id), PT(version), PT(mrm__str(in, "severity")),
				  PT(mrm__str(in, "category")), PT(mrm__str(in, "title")),
				  PT(mrm__str(in, "description")), PT(owner), PT(due),
				  eid ? PI(eid) : PN, repeat ? PI(repeat) : PN, PT(ctx->actor),
				  PT(ctx->now_iso), PT(ctx->now_iso)),
			   &id, err)) ||
	    (rc = mrm__audit_id(ctx, "finding.add", "finding", id, model_id, NULL, err)) ||
	    (own_tx && (rc = mrm__commit(ctx, err))))
		goto fail;
	*idp = id;
	*detectedp = detected;
	goto out;
fail:
	if (own_tx)
		mrm__rollback(ctx);
out:
	json_decref(prev);
	json_decref(model);
	json_decref(in);
	return rc;
}

int mrm_finding_add(struct mrm_ctx *ctx, const char *model_id, json_t *fields,
		    json_t **out, struct mrm_error *err)
{
	int64_t id;
	bool detected;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = add(ctx, model_id, fields, true, &id, &detected, err)))
		return rc;
	if (out && !(rc = show_id(ctx, id, out, err)) && detected)
		json_object_set_new(*out, "repeat_detected", json_true());
	return rc;
}

int mrm__finding_add_tx(struct mrm_ctx *ctx, const char *model_id, json_t *fields, int64_t *id,
			struct mrm_error *err)
{
	bool detected;

	return add(ctx, model_id, fields, false, id, &detected, err);
}

/* ---- the workflow -------------------------------------------------------- */

static bool move_allowed(const char *from, const char *to)
{
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
		if (!strcmp(moves[i].from, from) && !strcmp(moves[i].to, to))
			return true;
	return false;
}

static int refuse_move(int64_t id, const char *from, const char *to, struct mrm_error *err)
{
	char allowed[256] = "";
	size_t used = 0;

	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		int n = snprintf(allowed + used, sizeof(allowed) - used, "%s%s -> %s",
				 used ? ", " : "", moves[i].from, moves[i].to);
		if (n < 0 || (size_t)n >= sizeof(allowed) - used)
			break;
		used += (size_t)n;
	}
	if (!strcmp(to, "closed"))
		return mrm_error_set(err, MRM_EINPUT,
				     "cannot move finding F-%lld from %s to closed with update (allowed moves: %s); close it with 'mrm finding close' after independent verification",
				     (long long)id, from, allowed);
	return mrm_error_set(err, MRM_EINPUT, "cannot move finding F-%lld from %s to %s (allowed moves: %s)",
			     (long long)id, from, to, allowed);
}

/*
 * Changes finding `id`; `*fidp` receives its numeric id. With `own_tx` the change is its own
 * transaction; without, the caller holds one (and rolls it back on failure).
 */
static int update(struct mrm_ctx *ctx, const char *id, json_t *fields, bool own_tx, int64_t *fidp,
		  struct mrm_error *err)
{
	json_t *in = NULL, *before = NULL, *model = NULL;
	const char *from = NULL, *to;
	int64_t fid = 0;
	int rc, changed = 0;
	bool others = false;

	*fidp = 0;
	if (!json_is_object(fields) || json_object_size(fields) == 0)
		return mrm_error_set(err, MRM_EUSAGE,
				     "nothing to update (give status, owner, due, severity, title or description)");
	if ((rc = mrm__parse_id(id, "F", "finding", &fid, err)))
		return rc;
	in = json_deep_copy(fields);
	if ((rc = mrm__fields_check(in, update_spec, err)) || (rc = trim_field(in, "title", err)))
		goto out;
	to = mrm__str(in, "status");
	if (same(to, "risk-accepted")) {
		rc = mrm_error_set(err, MRM_EINPUT,
				   "status 'risk-accepted' comes from a risk acceptance ('mrm accept'), not from update");
		goto out;
	}
	if (mrm__str(in, "due") && !*mrm__str(in, "due")) {
		rc = mrm_error_set(err, MRM_EINPUT, "field 'due' must not be empty");
		goto out;
	}
	if ((rc = check_due(ctx, mrm__str(in, "due"), err)))
		goto out;
	/* update_spec[0] is status; the rest need the editing rights */
	for (const struct mrm__field *f = update_spec + 1; f->name; f++)
		if (json_object_get(in, f->name))
			others = true;
	if ((rc = mrm__require_user(ctx, err)) || (own_tx && (rc = mrm__begin(ctx, err))))
		goto out;
	if ((rc = load_finding(ctx, fid, &before, err)) ||
	    (rc = mrm__model_get(ctx, mrm__str(before, "model_id"), &model, err)))
		goto fail;
	/*
	 * Remediation progress is reported by those doing it (finding or model
	 * owner) or by the second line; what the finding says and who answers
	 * for it by whoever raised it or the second line.
	 */
	if (to && !same(ctx->actor, mrm__str(before, "owner")) &&
	    !same(ctx->actor, mrm__str(model, "owner")) && !mrm__actor_has(ctx, "validator") &&
	    !mrm__actor_has(ctx, "admin")) {
		rc = mrm_error_set(err, MRM_EPERM,
				   "not permitted: %s cannot change the status of finding F-%lld (needs to be its owner %s, the model owner %s, or hold role validator or admin)",
				   ctx->actor, (long long)fid, mrm__str(before, "owner"),
				   mrm__str(model, "owner"));
		goto fail;
	}
	if (others && !same(ctx->actor, mrm__str(before, "raised_by")) &&
	    !mrm__actor_has(ctx, "validator") && !mrm__actor_has(ctx, "admin")) {
		rc = mrm_error_set(err, MRM_EPERM,
				   "not permitted: %s cannot change the owner, due date, severity, title or description of finding F-%lld (needs role validator or admin, or to have raised it)",
				   ctx->actor, (long long)fid);
		goto fail;
	}
	from = mrm__str(before, "status");
	if (same(from, "closed")) {
		rc = mrm_error_set(err, MRM_EINPUT,
				   "finding F-%lld is closed and cannot change (if the weakness is back, raise a new finding: it is linked as a repeat)",
				   (long long)fid);
		goto fail;
	}
	if (to && same(to, from)) {
		rc = mrm_error_set(err, MRM_EINPUT, "finding F-%lld is already %s", (long long)fid, to);
		goto fail;
	}
	if (to && !move_allowed(from, to)) {
		rc = refuse_move(fid, from, to, err);
		goto fail;
	}
	if (json_object_get(in, "owner") &&
	    (rc = mrm__require_known_user(ctx, mrm__str(in, "owner"), "owner", err)))
		goto fail;
	for (const struct mrm__field *f = update_spec; f->name; f++) {
		json_t *v = json_object_get(in, f->name);
		char sql[96];
		if (!v || json_is_null(v) || json_equal(v, json_object_get(before, f->name)))
			continue;
		/* f->name is one of update_spec's names, never user text. */
		snprintf(sql, sizeof(sql), "UPDATE findings SET %s = ? WHERE id = ?", f->name);
		if ((rc = mrm__exec(ctx, sql, PARAMS(PT(json_string_value(v)), PI(fid)), err)))
			goto fail;
		changed++;
	}
	if (!changed) {
		rc = mrm_error_set(err, MRM_EINPUT, "nothing changed: finding F-%lld already has these values",
				   (long long)fid);
		goto fail;
	}
	/* A new request for verification starts a new round: an earlier pass no longer counts. */
	if (same(to, "awaiting-verification") &&
	    (rc = mrm__exec(ctx,
			    "UPDATE findings SET verified_by = NULL, verified_at = NULL, "
			    "verification_evidence_id = NULL WHERE id = ?",
			    PARAMS(PI(fid)), err)))
		goto fail;
	if ((rc = mrm__exec(ctx, "UPDATE findings SET updated_at = ? WHERE id = ?",
			    PARAMS(PT(ctx->now_iso), PI(fid)), err)) ||
	    (rc = mrm__audit_id(ctx, to ? "finding.status" : "finding.update", "finding", fid,
				mrm__str(before, "model_id"), before, err)) ||
	    (own_tx && (rc = mrm__commit(ctx, err))))
		goto fail;
	*fidp = fid;
	goto out;
fail:
	if (own_tx)
		mrm__rollback(ctx);
out:
	json_decref(model);
	json_decref(before);
	json_decref(in);
	return rc;
}

int mrm_finding_update(struct mrm_ctx *ctx, const char *id, json_t *fields,
		       json_t **out, struct mrm_error *err)
{
	int64_t fid;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = update(ctx, id, fields, true, &fid, err)))
		return rc;
	return out ? show_id(ctx, fid, out, err) : MRM_OK;
}

int mrm__finding_update_tx(struct mrm_ctx *ctx, const char *id, json_t *fields, struct mrm_error *err)
{
	int64_t fid;

	return update(ctx, id, fields, false, &fid, err);
}

/*
 * The checks verification and closing share: the actor is second line
 * (validator or admin) and not the finding owner, and the finding awaits
 * verification. `verb` is "verify" or "close".
 */
static int independent_check(struct mrm_ctx *ctx, json_t *finding, int64_t fid,
			     const char *verb, struct mrm_error *err)
{
	const char *status = mrm__str(finding, "status");
	char doing[64];
	int rc;

	snprintf(doing, sizeof(doing), "%s findings", verb);
	if ((rc = mrm__require_role(ctx, (const char *const[]){ "validator", "admin", NULL }, doing, err)))
		return rc;
	/* Whoever remediated must not be the one who says the remediation worked. */
	if (same(ctx->actor, mrm__str(finding, "owner")))
		return mrm_error_set(err, MRM_EPERM,
				     "not permitted: %s owns finding F-%lld and cannot %s it (separation of duties: the remediation must be checked by someone other than the finding owner)",
				     ctx->actor, (long long)fid, verb);
	if (same(status, "closed"))
		return mrm_error_set(err, MRM_EINPUT, "finding F-%lld is already closed (by %s at %s)",
				     (long long)fid, mrm__str(finding, "closed_by"),
				     mrm__str(finding, "closed_at"));
	if (!same(status, "awaiting-verification"))
		return mrm_error_set(err, MRM_EINPUT,
				     "finding F-%lld is %s; only a finding awaiting-verification can be verified or closed (its owner moves it with 'mrm finding update F-%lld --status awaiting-verification')",
				     (long long)fid, status, (long long)fid);
	return MRM_OK;
}

/* Records the actor's verification of `fid` with evidence `eid`. */
static int record_verification(struct mrm_ctx *ctx, int64_t fid, int64_t eid, const char *note,
			       json_t *before, struct mrm_error *err)
{
	int rc = mrm__exec(ctx,
			   "UPDATE findings SET verified_by = ?, verified_at = ?, "
			   "verification_evidence_id = ?, verification_note = ?, updated_at = ? WHERE id = ?",
			   PARAMS(PT(ctx->actor), PT(ctx->now_iso), PI(eid), PT(note), PT(ctx->now_iso),
				  PI(fid)),
			   err);
	if (rc)
		return rc;
	return mrm__audit_id(ctx, "finding.verify", "finding", fid, mrm__str(before, "model_id"),
			     before, err);
}

int mrm_finding_verify(struct mrm_ctx *ctx, const char *id, json_t *fields,
		       json_t **out, struct mrm_error *err)
{
	json_t *in = fields ? json_deep_copy(fields) : json_object(), *before = NULL;
	int64_t fid = 0, eid = 0;
	const char *note;
	bool fail;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = mrm__parse_id(id, "F", "finding", &fid, err)) ||
	    (rc = mrm__fields_check(in, verify_spec, err)) ||
	    (rc = mrm__parse_id(mrm__str(in, "evidence_id"), "E", "evidence", &eid, err)))
		goto out;
	note = mrm__str(in, "note");
	fail = json_is_true(json_object_get(in, "fail"));
	if ((rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = load_finding(ctx, fid, &before, err)) ||
	    (rc = independent_check(ctx, before, fid, "verify", err)) ||
	    (rc = check_evidence(ctx, mrm__str(in, "evidence_id"), mrm__str(before, "model_id"), &eid,
				 err)))
		goto fail;
	if (fail) {
		/* Back to the owner; an earlier pass, if any, is cleared when it returns. */
		rc = mrm__exec(ctx,
			       "UPDATE findings SET status = 'in-remediation', verification_note = ?, "
			       "updated_at = ? WHERE id = ?",
			       PARAMS(PT(note), PT(ctx->now_iso), PI(fid)), err);
		if (rc || (rc = mrm__audit_id(ctx, "finding.verify_failed", "finding", fid,
					      mrm__str(before, "model_id"), before, err)))
			goto fail;
	} else if ((rc = record_verification(ctx, fid, eid, note, before, err))) {
		goto fail;
	}
	if ((rc = mrm__commit(ctx, err)))
		goto fail;
	if (out)
		rc = show_id(ctx, fid, out, err);
	goto out;
fail:
	mrm__rollback(ctx);
out:
	json_decref(before);
	json_decref(in);
	return rc;
}

int mrm_finding_close(struct mrm_ctx *ctx, const char *id, json_t *fields,
		      json_t **out, struct mrm_error *err)
{
	json_t *in = fields ? json_deep_copy(fields) : json_object(), *before = NULL;
	int64_t fid = 0, eid = 0;
	const char *verifier;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = mrm__parse_id(id, "F", "finding", &fid, err)) ||
	    (rc = mrm__fields_check(in, close_spec, err)))
		goto out;
	if (mrm__str(in, "evidence_id") &&
	    (rc = mrm__parse_id(mrm__str(in, "evidence_id"), "E", "evidence", &eid, err)))
		goto out;
	if (mrm__str(in, "note") && !eid) {
		rc = mrm_error_set(err, MRM_EINPUT,
				   "a note is recorded with the verification: give the verification evidence too");
		goto out;
	}
	if ((rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = load_finding(ctx, fid, &before, err)) ||
	    (rc = independent_check(ctx, before, fid, "close", err)))
		goto fail;
	if (eid) {
		if ((rc = check_evidence(ctx, mrm__str(in, "evidence_id"), mrm__str(before, "model_id"),
					 &eid, err)) ||
		    (rc = record_verification(ctx, fid, eid, mrm__str(in, "note"), before, err)))
			goto fail;
		json_decref(before);
		before = NULL;
		if ((rc = load_finding(ctx, fid, &before, err)))
			goto fail;
	}
	verifier = mrm__str(before, "verified_by");
	if (!verifier) {
		rc = mrm_error_set(err, MRM_EINPUT,
				   "finding F-%lld has no recorded verification: verify it first ('mrm finding verify F-%lld --evidence E-N') or close it with --evidence",
				   (long long)fid, (long long)fid);
		goto fail;
	}
	if (same(verifier, mrm__str(before, "owner"))) {
		rc = mrm_error_set(err, MRM_EINPUT,
				   "finding F-%lld was verified by its owner %s; closing needs a verification by someone else (give --evidence)",
				   (long long)fid, verifier);
		goto fail;
	}
	if ((rc = mrm__exec(ctx,
			    "UPDATE findings SET status = 'closed', closed_by = ?, closed_at = ?, "
			    "updated_at = ? WHERE id = ?",
			    PARAMS(PT(ctx->actor), PT(ctx->now_iso), PT(ctx->now_iso), PI(fid)), err)) ||
	    (rc = mrm__audit_id(ctx, "finding.close", "finding", fid, mrm__str(before, "model_id"),
				before, err)) ||
	    (rc = mrm__commit(ctx, err)))
		goto fail;
	if (out)
		rc = show_id(ctx, fid, out, err);
	goto out;
fail:
	mrm__rollback(ctx);
out:
	json_decref(before);
	json_decref(in);
	return rc;
}
