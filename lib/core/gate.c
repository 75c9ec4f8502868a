/*
 * Gates: the policy's controls evaluated for one model version against the
 * store, read-only (mrm gate), and for the whole inventory (mrm controls
 * test). One function per check kind of the catalogue; each ends in pass,
 * fail or waived with a reason that says what to do. docs/gates.md.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/core.h"
#include "mrm/acceptance.h"
#include "mrm/finding.h"
#include "mrm/gate.h"
#include "mrm/hash.h"
#include "mrm/incident.h"
#include "mrm/policy.h"
#include "mrm/review.h"

/* Largest report file a gate reads to see its tests or rates. */
#define DOC_MAX_BYTES (64 << 20)
/* Items named in one reason before "and N more". */
#define LIST_MAX 5
#define REASON_MAX 3072
/* Sign-off roles a policy may require, and sign-offs looked at per role. */
#define ROLES_MAX 8
#define SIGNERS_MAX 32

enum { V_PASS, V_FAIL, V_WAIVED };
static const char *const status_names[] = { "pass", "fail", "waived" };

/* ---- reasons ------------------------------------------------------------------------ */

/* A reason being written: bounded, cut at a UTF-8 boundary when full. */
struct sb {
	char buf[REASON_MAX];
	size_t len;
};

__attribute__((format(printf, 2, 3))) static void sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len + 4 >= sizeof(b->buf))
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->len, sizeof(b->buf) - 4 - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->len + (size_t)n >= sizeof(b->buf) - 4) {
		size_t len = sizeof(b->buf) - 5;

		while (len > 0 && ((unsigned char)b->buf[len] & 0xc0) == 0x80)
			len--;
		memcpy(b->buf + len, "...", 4);
		b->len = sizeof(b->buf) - 1; /* full: later additions are dropped */
		return;
	}
	b->len += (size_t)n;
}

/* Appends the strings of `items` joined by ", ", the first LIST_MAX, then "and N more". */
static void sb_join(struct sb *b, json_t *items)
{
	size_t i, n = json_array_size(items);
	json_t *v;

	json_array_foreach(items, i, v) {
		if (i == LIST_MAX) {
			sb_add(b, " and %zu more", n - LIST_MAX);
			break;
		}
		sb_add(b, "%s%s", i ? ", " : "", json_string_value(v));
	}
}

__attribute__((format(printf, 2, 3))) static void item(json_t *items, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(items, json_string(buf));
}

struct verdict {
	int status;
	struct sb why;
	json_t *waivers; /* [ { id, accepted_by, expires, findings } ] */
};

/* ---- the gate's view of one model -------------------------------------------------- */

/* What every gate of one run shares: the audit chain is verified once. */
struct shared {
	json_t *audit; /* mrm__audit_verify_tx's result */
	char audit_msg[MRM_ERROR_MAX];
};

struct gate {
	struct mrm_ctx *ctx;
	const struct mrm_policy *policy;
	const struct mrm_policy_tier *rules;
	int tier; /* the model's own tier, 0 when untiered */
	json_t *model;
	const char *id, *owner;
	const char *version; /* the version gated, NULL when the model has none */
	int vi;              /* its index in versions, -1 when none */
	char vtext[200];     /* "version 2.0" or "the model (it has no versions)" */
	char vflag[160];     /* " --version 2.0" or "" for the commands suggested */
	json_t *versions;    /* id, version, change_type, material, created_at; by id */
	json_t *evidence;    /* raw rows by id, plus "for_version" */
	json_t *findings;    /* mrm_finding_list rows (effective status) */
	json_t *acceptances; /* mrm_acceptance_list rows */
	json_t *reviews;     /* raw rows by id */
	json_t *signoffs;    /* raw rows by id */
	json_t *monitors;    /* active monitors: id, signal */
	json_t *incidents;   /* mrm_incident_list rows */
	json_t *files;       /* evidence id -> "ok" | "changed" | "missing" */
	json_t *docs;        /* sha256 -> parsed JSON document, or null when not JSON */
	struct shared *sh;
};

static const char *str(json_t *o, const char *k)
{
	return mrm__str(o, k);
}

static bool blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static json_int_t int_of(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* Seconds since the epoch of a stored time or date, or -1. */
static int64_t when(const char *text)
{
	int64_t t = 0;

	if (!text || mrm_time_parse(text, "time", &t, NULL))
		return -1;
	return t;
}

/* Whole days from `text` to the gate's time (0 when in the future or unreadable). */
static int64_t age_days(struct gate *g, const char *text)
{
	int64_t t = when(text), d;

	if (t < 0)
		return 0;
	d = (mrm_ctx_now(g->ctx) - t) / 86400;
	return d > 0 ? d : 0;
}

/* The date part of a stored time. */
static const char *date_of(const char *text, char out[MRM_DATE_LEN])
{
	snprintf(out, MRM_DATE_LEN, "%.10s", text ? text : "");
	return out;
}

static const char *eid(json_t *ev, char buf[24])
{
	mrm__format_id("E", int_of(ev, "id"), buf);
	return buf;
}

static json_t *by_id(json_t *rows, const char *id)
{
	size_t i;
	json_t *r;

	json_array_foreach(rows, i, r)
		if (same(str(r, "id"), id))
			return r;
	return NULL;
}

/* Index of `version` among the model's versions, or -1. */
static int vindex(struct gate *g, const char *version)
{
	size_t i;
	json_t *v;

	if (!version)
		return -1;
	json_array_foreach(g->versions, i, v)
		if (!strcmp(str(v, "version"), version))
			return (int)i;
	return -1;
}

/* "version 2.0 (retrain)" */
static const char *version_desc(json_t *v, char *buf, size_t cap)
{
	snprintf(buf, cap, "version %s (%s)", str(v, "version"), str(v, "change_type"));
	return buf;
}

/* The first material version with an index in (lo, hi], or NULL. */
static json_t *material_in(struct gate *g, int lo, int hi)
{
	for (int i = lo + 1; i <= hi; i++) {
		json_t *v = json_array_get(g->versions, (size_t)i);
		if (json_is_true(json_object_get(v, "material")))
			return v;
	}
	return NULL;
}

/* ---- loading --------------------------------------------------------------------------- */

static int load(struct gate *g, struct mrm_error *err)
{
	struct mrm_finding_filter ff = { .model_id = g->id };
	struct mrm_acceptance_filter af = { .model_id = g->id };
	struct mrm_incident_filter inf = { .model_id = g->id };
	size_t i;
	json_t *e;
	int rc;

	if ((rc = mrm__rows(g->ctx,
			    "SELECT id, version, change_type, material, created_at FROM versions "
			    "WHERE model_id = ? ORDER BY id",
			    PARAMS(PT(g->id)), &g->versions, err)) ||
	    (rc = mrm__rows(g->ctx, "SELECT * FROM evidence WHERE model_id = ? ORDER BY id",
			    PARAMS(PT(g->id)), &g->evidence, err)) ||
	    (rc = mrm_finding_list(g->ctx, &ff, &g->findings, err)) ||
	    (rc = mrm_acceptance_list(g->ctx, &af, &g->acceptances, err)) ||
	    (rc = mrm__rows(g->ctx, "SELECT * FROM reviews WHERE model_id = ? ORDER BY id",
			    PARAMS(PT(g->id)), &g->reviews, err)) ||
	    (rc = mrm__rows(g->ctx, "SELECT * FROM signoffs WHERE model_id = ? ORDER BY id",
			    PARAMS(PT(g->id)), &g->signoffs, err)) ||
	    (rc = mrm__rows(g->ctx,
			    "SELECT id, signal FROM monitors WHERE model_id = ? AND status = 'active' "
			    "ORDER BY id",
			    PARAMS(PT(g->id)), &g->monitors, err)) ||
	    (rc = mrm_incident_list(g->ctx, &inf, &g->incidents, err)))
		return rc;
	/*
	 * Evidence registered without a version belongs to the version that was
	 * current when it was registered (none before the first version).
	 */
	json_array_foreach(g->evidence, i, e) {
		const char *v = str(e, "version"), *at = str(e, "created_at");
		json_t *x;
		size_t j;

		if (!v)
			json_array_foreach(g->versions, j, x)
				if (strcmp(str(x, "created_at"), at) <= 0)
					v = str(x, "version");
		json_object_set_new(e, "for_version", v ? json_string(v) : json_null());
	}
	g->files = json_object();
	g->docs = json_object();
	return MRM_OK;
}

static void unload(struct gate *g)
{
	json_decref(g->versions);
	json_decref(g->evidence);
	json_decref(g->findings);
	json_decref(g->acceptances);
	json_decref(g->reviews);
	json_decref(g->signoffs);
	json_decref(g->monitors);
	json_decref(g->incidents);
	json_decref(g->files);
	json_decref(g->docs);
}

/* ---- evidence files ----------------------------------------------------------------------- */

/* "ok", "changed" or "missing": the file of `ev` against its registered SHA-256, once per gate. */
static const char *file_state(struct gate *g, json_t *ev)
{
	char key[24], sha[MRM_SHA256_HEX];
	json_t *known;
	const char *state;

	eid(ev, key);
	if ((known = json_object_get(g->files, key)))
		return json_string_value(known);
	if (mrm_sha256_file(str(ev, "path"), sha, NULL, NULL))
		state = "missing";
	else
		state = strcmp(sha, str(ev, "sha256")) ? "changed" : "ok";
	json_object_set_new(g->files, key, json_string(state));
	return state;
}

/*
 * The JSON document in the file of `ev` (borrowed), or NULL when the file
 * is not JSON, is too big, or no longer has its registered SHA-256: what
 * a gate reads must be exactly what was registered. Read once per digest.
 * A JSON Lines file gives its last line.
 */
static json_t *file_doc(struct gate *g, json_t *ev)
{
	const char *sha = str(ev, "sha256"), *path = str(ev, "path");
	char actual[MRM_SHA256_HEX], key[24];
	json_t *doc = NULL, *known;
	struct stat st;
	char *buf = NULL;
	FILE *f = NULL;
	size_t n;

	if ((known = json_object_get(g->docs, sha)))
		return json_is_null(known) ? NULL : known;
	if (!(f = fopen(path, "rb")) || fstat(fileno(f), &st) || !S_ISREG(st.st_mode) ||
	    st.st_size > DOC_MAX_BYTES || !(buf = malloc((size_t)st.st_size + 1)))
		goto out;
	n = fread(buf, 1, (size_t)st.st_size, f);
	if (n != (size_t)st.st_size)
		goto out;
	buf[n] = '\0';
	mrm_sha256_hex(buf, n, actual);
	json_object_set_new(g->files, eid(ev, key), json_string(strcmp(actual, sha) ? "changed" : "ok"));
	if (strcmp(actual, sha))
		goto out;
	if (!(doc = json_loadb(buf, n, 0, NULL))) {
		/* JSON Lines: the last non-empty line. */
		while (n > 0 && isspace((unsigned char)buf[n - 1]))
			n--;
		buf[n] = '\0';
		char *nl = strrchr(buf, '\n');
		doc = json_loads(nl ? nl + 1 : buf, 0, NULL);
	}
	if (doc && !json_is_object(doc)) {
		json_decref(doc);
		doc = NULL;
	}
out:
	if (f)
		fclose(f);
	free(buf);
	json_object_set_new(g->docs, sha, doc ? doc : json_null());
	return doc;
}

/* Whether evidence `ev` counts for the version gated. */
static bool for_gated(struct gate *g, json_t *ev)
{
	return same(str(ev, "for_version"), g->version);
}

/* The newest of two evidence rows (by time, then id). */
static bool newer(json_t *a, json_t *b)
{
	int c;

	if (!b)
		return true;
	c = strcmp(str(a, "created_at"), str(b, "created_at"));
	return c > 0 || (c == 0 && int_of(a, "id") > int_of(b, "id"));
}

/* The newest evidence of `kind` for another version, or NULL. */
static json_t *newest_elsewhere(struct gate *g, const char *kind)
{
	json_t *best = NULL, *e;
	size_t i;

	json_array_foreach(g->evidence, i, e)
		if (!strcmp(str(e, "kind"), kind) && !for_gated(g, e) && newer(e, best))
			best = e;
	return best;
}

/* "no KIND for version 2.0 (the newest, E-3, is for version 1.0)" */
static void no_evidence(struct gate *g, struct sb *b, const char *kind)
{
	json_t *other = newest_elsewhere(g, kind);
	char id[24];

	sb_add(b, "no %s for %s", kind, g->vtext);
	if (other && str(other, "for_version"))
		sb_add(b, " (the newest, %s, is for version %s)", eid(other, id), str(other, "for_version"));
	else if (other)
		sb_add(b, " (the newest, %s, was registered before the first version)", eid(other, id));
}

/* The maximum age the tier allows for `kind`, or 0 when it sets none. */
static int max_age(struct gate *g, const char *kind)
{
	for (size_t i = 0; i < g->rules->nevidence; i++)
		if (!strcmp(g->rules->evidence[i].kind, kind))
			return g->rules->evidence[i].max_age_days;
	return 0;
}

/* The kind of a control's "evidence:KIND" parameter, or NULL. */
static const char *control_kind(const struct mrm_control *k)
{
	for (size_t i = 0; i < k->nuses; i++)
		if (!strncmp(k->uses[i], "evidence:", 9))
			return k->uses[i] + 9;
	return NULL;
}

/* ---- waivers --------------------------------------------------------------------------------- */

/*
 * Marks `v` waived by the acceptances in force over `covered` (finding rows
 * whose effective status is risk-accepted), naming each acceptance once.
 */
static void waive(struct gate *g, struct verdict *v, json_t *covered)
{
	size_t i, j;
	json_t *f, *w;

	v->status = V_WAIVED;
	if (!v->waivers)
		v->waivers = json_array();
	json_array_foreach(covered, i, f) {
		const char *aid = str(f, "accepted_by_acceptance");
		json_t *a = by_id(g->acceptances, aid), *found = NULL;

		if (!a)
			continue;
		json_array_foreach(v->waivers, j, w)
			if (same(str(w, "id"), aid))
				found = w;
		if (!found) {
			found = json_pack("{s:s, s:s, s:s, s:[]}", "id", aid, "accepted_by", str(a, "accepted_by"),
					  "expires", str(a, "expires"), "findings");
			json_array_append_new(v->waivers, found);
		}
		json_array_append_new(json_object_get(found, "findings"), json_string(str(f, "id")));
	}
	sb_add(&v->why, "; waived by ");
	json_array_foreach(v->waivers, i, w) {
		json_t *fs = json_object_get(w, "findings");
		sb_add(&v->why, "%s%s (accepted by %s, expires %s, covers ", i ? ", " : "", str(w, "id"),
		       str(w, "accepted_by"), str(w, "expires"));
		sb_join(&v->why, fs);
		sb_add(&v->why, ")");
	}
}

/*
 * Waives a failed control when findings name it: every finding that is not
 * closed and whose title holds the control id (case-insensitive) must be
 * covered by an acceptance in force. Checks that cannot be waived this way
 * (the tier, reviews, material changes, findings, acceptances and the
 * integrity checks) are left as they are.
 */
static void waive_by_name(struct gate *g, const struct mrm_control *k, struct verdict *v)
{
	static const char *const waivable[] = { "inventory", "evidence", "validation", "fairness",
						"redteam", "signoff", "monitors", "incidents",
						"third-party", NULL };
	json_t *covered = json_array(), *open = json_array(), *f;
	bool ok = false;
	size_t i, idlen = strlen(k->id);

	for (const char *const *w = waivable; *w; w++)
		ok |= !strcmp(*w, k->check);
	if (v->status != V_FAIL || !ok)
		goto out;
	json_array_foreach(g->findings, i, f) {
		const char *t = str(f, "title"), *status = str(f, "status");
		bool names = false;

		for (; t && *t && !names; t++)
			names = !strncasecmp(t, k->id, idlen);
		if (!names || !strcmp(status, "closed"))
			continue;
		json_array_append(strcmp(status, "risk-accepted") ? open : covered, f);
	}
	if (json_array_size(open)) {
		json_t *ids = json_array();

		json_array_foreach(open, i, f)
			json_array_append_new(ids, json_string(str(f, "id")));
		sb_add(&v->why, "; not waived: ");
		sb_join(&v->why, ids);
		sb_add(&v->why, " name%s %s but no acceptance in force covers %s", json_array_size(ids) == 1 ? "s" : "",
		       k->id, json_array_size(ids) == 1 ? "it" : "them");
		json_decref(ids);
	} else if (json_array_size(covered)) {
		waive(g, v, covered);
	}
out:
	json_decref(covered);
	json_decref(open);
}

/*
 * For a report with failed tests or rates: the findings raised on it (or on
 * evidence registered with it in the same run) decide. None: fail with the
 * way out; all covered by acceptances in force: waived; else fail naming the
 * uncovered ones.
 */
static void waive_by_evidence(struct gate *g, json_t *report, struct verdict *v)
{
	json_t *covered = json_array(), *open = json_array(), *sib = json_array(), *f, *e;
	char id[24];
	size_t i;

	json_array_foreach(g->evidence, i, e)
		if (!strcmp(str(e, "created_at"), str(report, "created_at")) &&
		    !strcmp(str(e, "produced_by"), str(report, "produced_by")) &&
		    same(str(e, "for_version"), str(report, "for_version")))
			json_array_append_new(sib, json_string(eid(e, id)));
	json_array_foreach(g->findings, i, f) {
		const char *ev = str(f, "evidence_id"), *status = str(f, "status");
		bool on = false;
		size_t j;
		json_t *s;

		json_array_foreach(sib, j, s)
			on |= same(ev, json_string_value(s));
		if (!on || !strcmp(status, "closed"))
			continue;
		json_array_append(strcmp(status, "risk-accepted") ? open : covered, f);
	}
	eid(report, id);
	if (json_array_size(open)) {
		json_t *ids = json_array();

		json_array_foreach(open, i, f)
			json_array_append_new(ids, json_string(str(f, "id")));
		sb_add(&v->why, ": not waived, no acceptance in force covers ");
		sb_join(&v->why, ids);
		sb_add(&v->why, " (raised on %s): remediate and re-run, or have the risk accepted (mrm accept %s "
			       "--finding F-N --rationale TEXT --expires DATE)", id, g->id);
		json_decref(ids);
	} else if (json_array_size(covered)) {
		waive(g, v, covered);
	} else {
		sb_add(&v->why, ": fix the model and run it again, or raise a finding on %s (mrm finding add %s "
			       "--evidence %s ...) and have its risk accepted",
		       id, g->id, id);
	}
	json_decref(covered);
	json_decref(open);
	json_decref(sib);
}

/* ---- checks ------------------------------------------------------------------------------------ */

static void check_inventory(struct gate *g, struct verdict *v)
{
	static const struct { const char *field, *flag; } flags[] = {
		{ "team", "--team TEXT" },
		{ "purpose", "--purpose TEXT" },
		{ "intended_use", "--intended-use TEXT" },
		{ "out_of_scope_use", "--out-of-scope-use TEXT" },
		{ "population", "--population TEXT" },
		{ "data_sources", "--data-source SRC" },
		{ "deployment", "--deployment TEXT" },
		{ "vendor", "--vendor NAME" },
	};
	json_t *need = json_array(), *missing = json_array(), *x;
	const char *owner = g->owner;
	size_t i, n;

	json_array_append_new(need, json_string("purpose"));
	json_array_append_new(need, json_string("intended_use"));
	for (i = 0; g->rules->has_inventory_fields && i < g->rules->ninventory_fields; i++) {
		bool dup = false;
		json_array_foreach(need, n, x)
			dup |= !strcmp(json_string_value(x), g->rules->inventory_fields[i]);
		if (!dup)
			json_array_append_new(need, json_string(g->rules->inventory_fields[i]));
	}
	json_array_foreach(need, i, x) {
		const char *field = json_string_value(x);
		json_t *val = json_object_get(g->model, field);
		bool empty = !strcmp(field, "data_sources") ? !json_is_array(val) || !json_array_size(val)
							    : blank(json_string_value(val));
		if (empty)
			json_array_append(missing, x);
	}
	if (mrm__require_known_user(g->ctx, owner, "owner", NULL) != MRM_OK) {
		v->status = V_FAIL;
		sb_add(&v->why, "owner '%s' is not a registered user (mrm user add %s --role owner)", owner, owner);
	}
	if (json_array_size(missing)) {
		v->status = V_FAIL;
		sb_add(&v->why, "%smissing: ", v->why.len ? "; " : "");
		json_array_foreach(missing, i, x)
			sb_add(&v->why, "%s%s", i ? ", " : "", json_string_value(x));
		sb_add(&v->why, ": fill them in with mrm model update %s", g->id);
		json_array_foreach(missing, i, x)
			for (n = 0; n < sizeof(flags) / sizeof(flags[0]); n++)
				if (!strcmp(flags[n].field, json_string_value(x)))
					sb_add(&v->why, " %s", flags[n].flag);
	}
	if (v->status == V_PASS) {
		sb_add(&v->why, "owner %s; %zu field%s filled in (", owner, json_array_size(need),
		       json_array_size(need) == 1 ? "" : "s");
		json_array_foreach(need, i, x)
			sb_add(&v->why, "%s%s", i ? ", " : "", json_string_value(x));
		sb_add(&v->why, ")");
	}
	json_decref(need);
	json_decref(missing);
}

static int check_tier(struct gate *g, struct verdict *v, struct mrm_error *err)
{
	json_t *t = json_object_get(g->model, "tier"), *row = NULL;
	const char *source = str(g->model, "tier_source");
	char d[MRM_DATE_LEN];
	int rc;

	if (!json_is_integer(t)) {
		v->status = V_FAIL;
		sb_add(&v->why, "not tiered (gated as tier 1 until then): assess it with mrm tier assess %s "
				"--answers FILE.yaml",
		       g->id);
		return MRM_OK;
	}
	if ((rc = mrm__row(g->ctx,
			   "SELECT * FROM tier_assessments WHERE model_id = ? AND kind = ? ORDER BY id DESC LIMIT 1",
			   PARAMS(PT(g->id), PT(source ? source : "assessment")), &row, err)))
		return rc;
	if (!source || !row || int_of(row, "tier") != json_integer_value(t)) {
		v->status = V_FAIL;
		sb_add(&v->why, "tier %" JSON_INTEGER_FORMAT " was set without a recorded assessment: assess it with "
				"mrm tier assess %s --answers FILE.yaml",
		       json_integer_value(t), g->id);
	} else if (!strcmp(source, "override")) {
		sb_add(&v->why, "tier %" JSON_INTEGER_FORMAT " by override (computed tier %" JSON_INTEGER_FORMAT
				") by %s on %s: %s",
		       json_integer_value(t), int_of(row, "computed_tier"), str(row, "assessed_by"),
		       date_of(str(row, "created_at"), d), str(row, "reason") ? str(row, "reason") : "");
	} else {
		sb_add(&v->why, "tier %" JSON_INTEGER_FORMAT " assessed by %s on %s (score %" JSON_INTEGER_FORMAT ")",
		       json_integer_value(t), str(row, "assessed_by"), date_of(str(row, "created_at"), d),
		       int_of(row, "score"));
	}
	json_decref(row);
	return MRM_OK;
}

/*
 * The command that produces evidence of `kind`, for reasons.
 */
static void produce_hint(struct gate *g, struct sb *b, const char *kind)
{
	if (!strcmp(kind, "validation-report"))
		sb_add(b, "run mrm validate --data FILE --label COL --score COL --tests FILE.yaml --model %s%s",
		       g->id, g->vflag);
	else if (!strcmp(kind, "fairness-report"))
		sb_add(b, "run mrm validate --data FILE --label COL --score COL --group COL --model %s%s", g->id,
		       g->vflag);
	else if (!strcmp(kind, "redteam-report"))
		sb_add(b, "run mrm redteam run --target URL --model %s -o RUN.jsonl and register its report "
			  "(mrm evidence add %s redteam-report FILE%s)",
		       g->id, g->id, g->vflag);
	else if (!strcmp(kind, "drift-report"))
		sb_add(b, "run mrm drift --reference REF --current CURRENT --html drift.html on production data and "
			  "register it (mrm evidence add %s drift-report drift.html%s)",
		       g->id, g->vflag);
	else
		sb_add(b, "register one with mrm evidence add %s %s FILE%s", g->id, kind, g->vflag);
}

/*
 * The common part of the evidence, validation, fairness and red-team checks:
 * picks the newest evidence of `kind` for the gated version that `accept`
 * allows, and fails `v` when there is none, when it is older than the tier
 * allows, or when its file changed. Returns the evidence row (borrowed) when
 * the caller may go on.
 */
static json_t *current_evidence(struct gate *g, const char *kind, bool independent, bool want_json,
				struct verdict *v)
{
	json_t *best = NULL, *by_owner = NULL, *e;
	int max = max_age(g, kind);
	char id[24];
	const char *state;
	size_t i;
	int64_t age;

	json_array_foreach(g->evidence, i, e) {
		if (strcmp(str(e, "kind"), kind) || !for_gated(g, e))
			continue;
		if (independent && !strcmp(str(e, "produced_by"), g->owner)) {
			by_owner = e;
			continue;
		}
		if (newer(e, best))
			best = e;
	}
	/*
	 * A report and its HTML page are registered together, by one run, the
	 * JSON one first: read the latest JSON one registered with the page.
	 */
	if (want_json && best && !file_doc(g, best))
		for (i = json_array_size(g->evidence); i-- > 0;) {
			e = json_array_get(g->evidence, i);
			if (e != best && !strcmp(str(e, "kind"), kind) && for_gated(g, e) &&
			    !strcmp(str(e, "created_at"), str(best, "created_at")) &&
			    !strcmp(str(e, "produced_by"), str(best, "produced_by")) && file_doc(g, e)) {
				best = e;
				break;
			}
		}
	v->status = V_FAIL;
	if (!best && by_owner) {
		sb_add(&v->why, "the only %s for %s (%s) was registered by the model owner %s; it must come from "
				"someone independent: a validator should ",
		       kind, g->vtext, eid(by_owner, id), g->owner);
		produce_hint(g, &v->why, kind);
		return NULL;
	}
	if (!best) {
		no_evidence(g, &v->why, kind);
		sb_add(&v->why, ": ");
		produce_hint(g, &v->why, kind);
		return NULL;
	}
	eid(best, id);
	state = file_state(g, best);
	if (strcmp(state, "ok")) {
		sb_add(&v->why, "%s %s (%s) %s: register the current file (mrm evidence add %s %s FILE%s) or "
				"restore the registered one",
		       kind, id, str(best, "path"),
		       !strcmp(state, "missing") ? "is missing" : "has changed since it was registered",
		       g->id, kind, g->vflag);
		return NULL;
	}
	age = age_days(g, str(best, "created_at"));
	if (max > 0 && age > max) {
		sb_add(&v->why, "%s %s is %" PRId64 " days old (max %d): ", kind, id, age, max);
		produce_hint(g, &v->why, kind);
		return NULL;
	}
	v->status = V_PASS;
	return best;
}

/* "E-3 for version 2.0, by dave, 10 days old (max 365)" */
static void evidence_desc(struct gate *g, json_t *e, const char *kind, struct sb *b)
{
	char id[24];
	int max = max_age(g, kind);

	sb_add(b, "%s %s for %s, by %s, %" PRId64 " day%s old", kind, eid(e, id), g->vtext,
	       str(e, "produced_by"), age_days(g, str(e, "created_at")),
	       age_days(g, str(e, "created_at")) == 1 ? "" : "s");
	if (max)
		sb_add(b, " (max %d)", max);
}

static void check_evidence(struct gate *g, const struct mrm_control *k, struct verdict *v)
{
	const char *kind = control_kind(k);
	json_t *e;

	if (!kind)
		return;
	if ((e = current_evidence(g, kind, false, false, v))) {
		evidence_desc(g, e, kind, &v->why);
		sb_add(&v->why, ", unchanged");
	}
}

/* A test's display name: "name" (the condition when it has none) and its value. */
static void test_desc(json_t *t, json_t *items)
{
	const char *name = str(t, "name") ? str(t, "name") : str(t, "condition");
	json_t *val = json_object_get(t, "value");

	if (json_is_number(val))
		item(items, "'%s' (%.6g)", name ? name : "?", json_number_value(val));
	else if (str(t, "reason"))
		item(items, "'%s' (%s)", name ? name : "?", str(t, "reason"));
	else
		item(items, "'%s'", name ? name : "?");
}

/* Tests about groups: fairness metrics, one slice, or each slice of a group. */
static bool group_test(json_t *t)
{
	return json_object_get(t, "group") || json_object_get(t, "slice") || json_object_get(t, "slices");
}

static void check_validation(struct gate *g, bool fairness, struct verdict *v)
{
	const char *kind = fairness ? "fairness-report" : "validation-report";
	json_t *e = current_evidence(g, kind, !fairness, true, v), *doc, *tests, *t;
	json_t *failed = json_array(), *missing = json_array();
	size_t i, n = 0;
	char id[24];

	if (!e)
		goto out;
	eid(e, id);
	doc = file_doc(g, e);
	if (!doc || !json_object_get(doc, "metrics")) {
		if (!fairness && g->rules->has_validation_tests && g->rules->nvalidation_tests) {
			v->status = V_FAIL;
			sb_add(&v->why, "%s is not a JSON report of mrm validate, so the required tests cannot be "
					"checked: ",
			       id);
			produce_hint(g, &v->why, kind);
		} else {
			evidence_desc(g, e, kind, &v->why);
			sb_add(&v->why, "; it is not a JSON report of mrm validate, so its tests were not read");
		}
		goto out;
	}
	if (fairness && !json_object_size(json_object_get(doc, "fairness"))) {
		v->status = V_FAIL;
		sb_add(&v->why, "%s has no group metrics (validated without --group): ", id);
		produce_hint(g, &v->why, kind);
		goto out;
	}
	tests = json_object_get(doc, "tests");
	json_array_foreach(tests, i, t) {
		if (fairness && !group_test(t))
			continue;
		n++;
		if (!json_is_true(json_object_get(t, "passed")))
			test_desc(t, failed);
	}
	for (i = 0; !fairness && g->rules->has_validation_tests && i < g->rules->nvalidation_tests; i++) {
		const char *want = g->rules->validation_tests[i];
		bool found = false;
		size_t j;

		json_array_foreach(tests, j, t)
			found |= same(str(t, "name"), want) || same(str(t, "condition"), want);
		if (!found)
			item(missing, "'%s'", want);
	}
	if (json_array_size(missing)) {
		v->status = V_FAIL;
		sb_add(&v->why, "%s does not record the required test%s ", id, json_array_size(missing) == 1 ? "" : "s");
		sb_join(&v->why, missing);
		sb_add(&v->why, ": add %s to the --tests file and ", json_array_size(missing) == 1 ? "it" : "them");
		produce_hint(g, &v->why, kind);
		if (json_array_size(failed)) {
			sb_add(&v->why, "; failed: ");
			sb_join(&v->why, failed);
		}
		goto out;
	}
	if (json_array_size(failed)) {
		v->status = V_FAIL;
		sb_add(&v->why, "%zu of %zu %stest%s failed in %s: ", json_array_size(failed), n,
		       fairness ? "group " : "", n == 1 ? "" : "s", id);
		sb_join(&v->why, failed);
		waive_by_evidence(g, e, v);
		goto out;
	}
	evidence_desc(g, e, kind, &v->why);
	if (n)
		sb_add(&v->why, ": %zu of %zu %stest%s passed", n, n, fairness ? "group " : "", n == 1 ? "" : "s");
	else if (fairness)
		sb_add(&v->why, ": group metrics computed; no group tests declared");
	else
		sb_add(&v->why, "; it declares no tests (mrm validate --tests FILE.yaml)");
	if (!fairness && g->rules->has_validation_tests && g->rules->nvalidation_tests)
		sb_add(&v->why, ", the required ones among them");
out:
	json_decref(failed);
	json_decref(missing);
}

/* The run summary of a red-team report: the evidence row's metadata, else its file. */
static json_t *redteam_summary(struct gate *g, json_t *e, json_t **owned)
{
	json_t *meta = json_object_get(e, "metadata"), *doc;

	*owned = NULL;
	if (json_is_string(meta))
		meta = *owned = json_loads(json_string_value(meta), 0, NULL);
	if (json_is_object(json_object_get(meta, "categories")))
		return meta;
	doc = file_doc(g, e);
	if (json_is_object(json_object_get(doc, "categories")))
		return doc;
	return NULL;
}

static void check_redteam(struct gate *g, struct verdict *v)
{
	json_t *e = current_evidence(g, "redteam-report", false, false, v), *owned = NULL, *sum, *cats;
	json_t *over = json_array(), *untested = json_array();
	char id[24];
	size_t i;

	if (!e)
		goto out;
	eid(e, id);
	if (!(sum = redteam_summary(g, e, &owned))) {
		v->status = V_FAIL;
		sb_add(&v->why, "the attack success rates cannot be checked: %s has no per-category summary "
				"(neither in its metadata nor as a JSON run summary with \"categories\"): register "
				"the summary JSON of mrm redteam report as redteam-report",
		       id);
		goto out;
	}
	cats = json_object_get(sum, "categories");
	for (i = 0; g->rules->has_redteam && i < g->rules->nredteam; i++) {
		const struct mrm_policy_rate *r = &g->rules->redteam[i];
		json_t *c = json_object_get(cats, r->category);
		json_t *rate = json_object_get(c, "rate");
		double x;

		if (json_is_number(rate)) {
			x = json_number_value(rate);
		} else if (json_is_number(json_object_get(c, "attempts")) &&
			   json_number_value(json_object_get(c, "attempts")) > 0) {
			x = json_number_value(json_object_get(c, "successes")) /
			    json_number_value(json_object_get(c, "attempts"));
		} else {
			item(untested, "%s", r->category);
			continue;
		}
		if (x > r->max_rate)
			item(over, "%s %.4g > %.4g", r->category, x, r->max_rate);
	}
	if (json_array_size(untested)) {
		v->status = V_FAIL;
		sb_add(&v->why, "%s did not test ", id);
		sb_join(&v->why, untested);
		sb_add(&v->why, ": run the packs of %s (mrm redteam run --pack ... --model %s)",
		       json_array_size(untested) == 1 ? "that category" : "those categories", g->id);
		if (json_array_size(over)) {
			sb_add(&v->why, "; above the limit: ");
			sb_join(&v->why, over);
		}
		goto out;
	}
	if (json_array_size(over)) {
		v->status = V_FAIL;
		sb_add(&v->why, "attack success rate above the tier %d limit in %s: ", g->rules->tier, id);
		sb_join(&v->why, over);
		waive_by_evidence(g, e, v);
		goto out;
	}
	evidence_desc(g, e, "redteam-report", &v->why);
	sb_add(&v->why, ": %zu categor%s within the limits", g->rules->nredteam, g->rules->nredteam == 1 ? "y" : "ies");
out:
	json_decref(owned);
	json_decref(over);
	json_decref(untested);
}

/* Sign-offs: one person per role, by backtracking (a handful of roles). */
struct signing {
	size_t nroles;
	const char *users[ROLES_MAX][SIGNERS_MAX];
	size_t nusers[ROLES_MAX];
	const char *chosen[ROLES_MAX];
};

static bool assign(struct signing *s, size_t r)
{
	if (r == s->nroles)
		return true;
	for (size_t i = 0; i < s->nusers[r]; i++) {
		bool taken = false;
		for (size_t j = 0; j < r; j++)
			taken |= !strcmp(s->chosen[j], s->users[r][i]);
		if (taken)
			continue;
		s->chosen[r] = s->users[r][i];
		if (assign(s, r + 1))
			return true;
	}
	return false;
}

static void check_signoff(struct gate *g, struct verdict *v)
{
	struct signing s = { .nroles = g->rules->nsignoff_roles < ROLES_MAX ? g->rules->nsignoff_roles : ROLES_MAX };
	json_t *lacking = json_array(), *by_owner = json_array(), *done = json_array(), *so;
	size_t r, i;
	char sid[24];

	for (r = 0; r < s.nroles; r++) {
		const char *role = g->rules->signoff_roles[r];

		json_array_foreach(g->signoffs, i, so) {
			if (strcmp(str(so, "role"), role) || !same(str(so, "version"), g->version))
				continue;
			mrm__format_id("S", int_of(so, "id"), sid);
			if (!strcmp(str(so, "user_name"), g->owner))
				item(by_owner, "%s (%s)", sid, role);
			else if (s.nusers[r] < SIGNERS_MAX)
				s.users[r][s.nusers[r]++] = str(so, "user_name");
		}
		if (!s.nusers[r])
			item(lacking, "%s", role);
	}
	if (json_array_size(lacking)) {
		v->status = V_FAIL;
		sb_add(&v->why, "needs a sign-off of %s as ", g->vtext);
		sb_join(&v->why, lacking);
		sb_add(&v->why, " by someone other than the owner %s (mrm signoff %s --role %s%s)", g->owner, g->id,
		       json_array_size(lacking) == 1 ? json_string_value(json_array_get(lacking, 0)) : "ROLE", g->vflag);
	} else if (!assign(&s, 0)) {
		v->status = V_FAIL;
		sb_add(&v->why, "the roles ");
		for (r = 0; r < s.nroles; r++)
			item(done, "%s", g->rules->signoff_roles[r]);
		sb_join(&v->why, done);
		sb_add(&v->why, " need different people, and the sign-offs of %s are by too few people: another "
				"person signs (mrm signoff %s --role ROLE%s)",
		       g->vtext, g->id, g->vflag);
	} else {
		for (r = 0; r < s.nroles; r++)
			item(done, "%s %s", g->rules->signoff_roles[r], s.chosen[r]);
		sb_add(&v->why, "%s signed off by ", g->vtext);
		sb_join(&v->why, done);
	}
	if (json_array_size(by_owner)) {
		sb_add(&v->why, "; not counted, signed by the owner %s: ", g->owner);
		sb_join(&v->why, by_owner);
	}
	json_decref(lacking);
	json_decref(by_owner);
	json_decref(done);
}

/* "approved", "approved with conditions", "rejected" */
static const char *decided_word(const char *decision)
{
	return same(decision, "approve") ? "approved" : same(decision, "conditional") ? "approved with conditions"
										      : "rejected";
}

/* The review decided last (by time, then id), or NULL. */
static json_t *last_decided(struct gate *g)
{
	json_t *best = NULL, *r;
	size_t i;

	json_array_foreach(g->reviews, i, r) {
		int c;

		if (strcmp(str(r, "status"), "decided"))
			continue;
		c = best ? strcmp(str(r, "decided_at"), str(best, "decided_at")) : 1;
		if (c > 0 || (c == 0 && int_of(r, "id") > int_of(best, "id")))
			best = r;
	}
	return best;
}

static json_t *open_review(struct gate *g)
{
	json_t *r;
	size_t i;

	json_array_foreach(g->reviews, i, r)
		if (!strcmp(str(r, "status"), "open"))
			return r;
	return NULL;
}

/* " (R-4 is open for it: an approver decides it with mrm review decide R-4 ...)" or how to open one. */
static void review_hint(struct gate *g, struct sb *b)
{
	json_t *o = open_review(g);
	char rid[24];

	if (o) {
		mrm__format_id("R", int_of(o, "id"), rid);
		sb_add(b, ": %s (opened %.10s for %s) is still open; an approver decides it (mrm review decide %s "
			  "approve --note TEXT)",
		       rid, str(o, "opened_at"), str(o, "version") ? str(o, "version") : "the model", rid);
	} else {
		sb_add(b, ": a validator opens a review (mrm review open %s%s) and an approver decides it", g->id,
		       g->vflag);
	}
}

/* Finding ids ("F-12") named in a condition's text, as display ids. */
static json_t *named_findings(const char *text)
{
	json_t *ids = json_array();
	char buf[24];

	for (const char *s = text; s && *s; s++) {
		if ((*s != 'F' && *s != 'f') || s[1] != '-' || !isdigit((unsigned char)s[2]) ||
		    (s > text && (isalnum((unsigned char)s[-1]) || s[-1] == '-')))
			continue;
		mrm__format_id("F", strtoll(s + 2, NULL, 10), buf);
		json_array_append_new(ids, json_string(buf));
	}
	return ids;
}

static void check_review_approved(struct gate *g, struct verdict *v)
{
	json_t *r = last_decided(g), *conds, *c, *m;
	json_t *lapsed = json_array(), *unknown = json_array(), *watched = json_array();
	const char *decision;
	char rid[24], d[MRM_DATE_LEN], vd[160];
	size_t i, unchecked = 0;
	int ri, lo, hi;

	v->status = V_FAIL;
	if (!r) {
		sb_add(&v->why, "never reviewed");
		review_hint(g, &v->why);
		goto out;
	}
	mrm__format_id("R", int_of(r, "id"), rid);
	decision = str(r, "decision");
	date_of(str(r, "decided_at"), d);
	if (!strcmp(decision, "reject")) {
		sb_add(&v->why, "the last decided review %s rejected the model (by %s on %s)", rid,
		       str(r, "decided_by"), d);
		review_hint(g, &v->why);
		goto out;
	}
	ri = vindex(g, str(r, "version"));
	lo = ri < g->vi ? ri : g->vi;
	hi = ri < g->vi ? g->vi : ri;
	if ((m = material_in(g, lo, hi))) {
		sb_add(&v->why, "%s since the last review %s (of %s%s, %s on %s) is a material change",
		       version_desc(m, vd, sizeof(vd)), rid, str(r, "version") ? "version " : "the model",
		       str(r, "version") ? str(r, "version") : "", decided_word(decision), d);
		review_hint(g, &v->why);
		goto out;
	}
	conds = json_object_get(r, "conditions");
	json_array_foreach(conds, i, c) {
		json_t *ids = named_findings(json_string_value(c)), *x;
		size_t j;

		if (!json_array_size(ids))
			unchecked++;
		json_array_foreach(ids, j, x) {
			json_t *f = by_id(g->findings, json_string_value(x));
			if (!f)
				item(unknown, "%s (condition %zu)", json_string_value(x), i + 1);
			else if (json_is_true(json_object_get(f, "overdue")))
				item(lapsed, "%s (condition %zu, due %s, owner %s)", json_string_value(x), i + 1,
				     str(f, "due"), str(f, "owner"));
			else
				item(watched, "%s (%s, due %s)", json_string_value(x), str(f, "status"),
				     str(f, "due") ? str(f, "due") : "-");
		}
		json_decref(ids);
	}
	if (json_array_size(lapsed)) {
		sb_add(&v->why, "the conditional approval %s (by %s on %s) has lapsed: its condition's finding ", rid,
		       str(r, "decided_by"), d);
		sb_join(&v->why, lapsed);
		sb_add(&v->why, " %s overdue: close %s, or record a new review decision",
		       json_array_size(lapsed) == 1 ? "is" : "are", json_array_size(lapsed) == 1 ? "it" : "them");
		goto out;
	}
	if (json_array_size(unknown)) {
		sb_add(&v->why, "the conditional approval %s names ", rid);
		sb_join(&v->why, unknown);
		sb_add(&v->why, ", not %s of model %s, so its conditions cannot be checked: record a new review "
				"decision",
		       json_array_size(unknown) == 1 ? "a finding" : "findings", g->id);
		goto out;
	}
	v->status = V_PASS;
	sb_add(&v->why, "%s %s by %s on %s for %s%s", rid, decided_word(decision), str(r, "decided_by"), d,
	       str(r, "version") ? "version " : "the model", str(r, "version") ? str(r, "version") : "");
	if (ri != g->vi && g->version)
		sb_add(&v->why, " (no material change up to %s)", g->version);
	if (json_array_size(watched)) {
		sb_add(&v->why, "; condition findings not overdue: ");
		sb_join(&v->why, watched);
	}
	if (unchecked)
		sb_add(&v->why, "; %zu condition%s name%s no finding (F-N) and %s not checked", unchecked,
		       unchecked == 1 ? "" : "s", unchecked == 1 ? "s" : "", unchecked == 1 ? "is" : "are");
out:
	json_decref(lapsed);
	json_decref(unknown);
	json_decref(watched);
}

static void check_review_current(struct gate *g, struct verdict *v)
{
	json_t *r = last_decided(g), *m;
	const char *next = str(g->model, "next_review_due");
	int months = g->rules->review_interval_months ? g->rules->review_interval_months
						      : mrm_review_cadence_months(g->tier);
	char d[MRM_DATE_LEN], due[MRM_DATE_LEN], rid[24], vd[160];
	const char *today = mrm_ctx_today(g->ctx), *why = NULL;
	size_t i;

	if (!r) {
		v->status = V_FAIL;
		sb_add(&v->why, "never reviewed");
		review_hint(g, &v->why);
		return;
	}
	mrm__format_id("R", int_of(r, "id"), rid);
	date_of(str(r, "decided_at"), d);
	mrm__add_months(d, months, due);
	if (next && strcmp(next, due) < 0) {
		snprintf(due, sizeof(due), "%s", next);
		why = "the model's next review date";
		/* A material version sets the date to the day it was added. */
		json_array_foreach(g->versions, i, m)
			if (json_is_true(json_object_get(m, "material")) && !strncmp(str(m, "created_at"), next, 10) &&
			    strcmp(str(m, "created_at"), str(r, "decided_at")) > 0)
				why = version_desc(m, vd, sizeof(vd));
	}
	if (strcmp(due, today) < 0) {
		v->status = V_FAIL;
		sb_add(&v->why, "re-review overdue since %s (last review %s decided %s, every %d months", due, rid, d,
		       months);
		if (why)
			sb_add(&v->why, "; due date set by %s%s", why, strncmp(why, "version", 7) ? "" : ", a material change");
		sb_add(&v->why, ")");
		review_hint(g, &v->why);
		return;
	}
	sb_add(&v->why, "last review %s decided %s; next due %s (every %d months)", rid, d, due, months);
}

static void check_material_change(struct gate *g, struct verdict *v)
{
	json_t *m = NULL, *r;
	char vd[160], rid[24];
	size_t i;
	int mi = -1;

	for (int j = g->vi; j >= 0 && !m; j--)
		if (json_is_true(json_object_get(json_array_get(g->versions, (size_t)j), "material"))) {
			m = json_array_get(g->versions, (size_t)j);
			mi = j;
		}
	if (!m) {
		sb_add(&v->why, g->version ? "no version up to %s is marked material" : "%s has no versions",
		       g->version ? g->version : g->id);
		return;
	}
	json_array_foreach(g->reviews, i, r)
		if (!strcmp(str(r, "status"), "decided") && vindex(g, str(r, "version")) >= mi) {
			mrm__format_id("R", int_of(r, "id"), rid);
			sb_add(&v->why, "the material %s was reviewed in %s (%s by %s on %.10s)",
			       version_desc(m, vd, sizeof(vd)), rid, decided_word(str(r, "decision")),
			       str(r, "decided_by"), str(r, "decided_at"));
			return;
		}
	v->status = V_FAIL;
	sb_add(&v->why, "%s since the last review is a material change with no decided review",
	       version_desc(m, vd, sizeof(vd)));
	review_hint(g, &v->why);
}

/* Whether an active monitor watches `signal` (a monitor's signal is it, or refines it). */
static bool watched(struct gate *g, const char *signal)
{
	size_t i, n = strlen(signal);
	json_t *m;

	json_array_foreach(g->monitors, i, m) {
		const char *s = str(m, "signal");
		if (!strncmp(s, signal, n) && (s[n] == '\0' || s[n] == ':'))
			return true;
	}
	return false;
}

static void check_monitors(struct gate *g, struct verdict *v)
{
	json_t *ids = json_array(), *unwatched = json_array(), *m;
	size_t i, n = json_array_size(g->monitors);
	char mid[24];

	json_array_foreach(g->monitors, i, m) {
		mrm__format_id("M", int_of(m, "id"), mid);
		item(ids, "%s %s", mid, str(m, "signal"));
	}
	for (i = 0; i < g->rules->nmonitor_signals; i++)
		if (!watched(g, g->rules->monitor_signals[i]))
			item(unwatched, "%s", g->rules->monitor_signals[i]);
	if ((int)n < g->rules->monitors_min_active) {
		v->status = V_FAIL;
		sb_add(&v->why, "%zu active monitor%s", n, n == 1 ? "" : "s");
		if (n) {
			sb_add(&v->why, " (");
			sb_join(&v->why, ids);
			sb_add(&v->why, ")");
		}
		sb_add(&v->why, ", at least %d required: add %d more with mrm monitor add %s --signal SIGNAL --warn X "
				"--alert Y",
		       g->rules->monitors_min_active, g->rules->monitors_min_active - (int)n, g->id);
	}
	if (json_array_size(unwatched)) {
		v->status = V_FAIL;
		sb_add(&v->why, "%sno active monitor watches ", v->why.len ? "; " : "");
		sb_join(&v->why, unwatched);
		sb_add(&v->why, " (mrm monitor add %s --signal SIGNAL ...)", g->id);
	}
	if (v->status == V_PASS) {
		sb_add(&v->why, "%zu active monitor%s: ", n, n == 1 ? "" : "s");
		sb_join(&v->why, ids);
	}
	json_decref(ids);
	json_decref(unwatched);
}

static void check_findings(struct gate *g, struct verdict *v)
{
	json_t *fails = json_array(), *covered = json_array(), *within = json_array(), *over = json_array(), *f;
	size_t i;

	for (int s = 0; s < MRM_POLICY_SEVERITIES; s++) {
		const char *sev = mrm_finding_severities[s];
		int limit = g->rules->has_max_open_findings ? g->rules->max_open_findings[s] : -1;
		json_t *open = json_array(), *accepted = json_array();
		struct sb list = { .len = 0 };

		if (limit < 0) {
			json_decref(open);
			json_decref(accepted);
			continue;
		}
		json_array_foreach(g->findings, i, f) {
			const char *st = str(f, "status");
			if (strcmp(str(f, "severity"), sev) || !strcmp(st, "closed"))
				continue;
			if (!strcmp(st, "risk-accepted")) {
				json_array_append(accepted, f);
			} else {
				char text[160];
				if (json_is_true(json_object_get(f, "acceptance_expired")))
					snprintf(text, sizeof(text), "%s (its acceptance expired %s)", str(f, "id"),
						 str(f, "acceptance_expires"));
				else
					snprintf(text, sizeof(text), "%s", str(f, "id"));
				json_array_append_new(open, json_string(text));
			}
		}
		if ((int)json_array_size(open) > limit) {
			sb_join(&list, open);
			item(fails, "%zu open %s finding%s (at most %d): %s", json_array_size(open), sev,
			     json_array_size(open) == 1 ? "" : "s", limit, list.buf);
		} else if ((int)(json_array_size(open) + json_array_size(accepted)) > limit) {
			json_array_extend(covered, accepted);
			item(over, "%s %zu open and %zu risk-accepted (at most %d)", sev, json_array_size(open),
			     json_array_size(accepted), limit);
		}
		item(within, "%s %zu of %d", sev, json_array_size(open), limit);
		json_decref(open);
		json_decref(accepted);
	}
	if (json_array_size(fails)) {
		v->status = V_FAIL;
		for (i = 0; i < json_array_size(fails); i++)
			sb_add(&v->why, "%s%s", i ? "; " : "", json_string_value(json_array_get(fails, i)));
		sb_add(&v->why, ": remediate and close findings, or have their risk accepted (mrm accept %s --finding "
				"F-N --rationale TEXT --expires DATE)",
		       g->id);
	} else if (json_array_size(over)) {
		sb_add(&v->why, "over the limits but for the acceptances in force: ");
		sb_join(&v->why, over);
		waive(g, v, covered);
	} else {
		sb_add(&v->why, "open findings within the limits: ");
		sb_join(&v->why, within);
	}
	json_decref(over);
	json_decref(fails);
	json_decref(covered);
	json_decref(within);
}

static int severity_index(const char *sev)
{
	for (int i = 0; mrm_finding_severities[i]; i++)
		if (sev && !strcmp(mrm_finding_severities[i], sev))
			return i;
	return -1;
}

static int64_t day_number(const char *date)
{
	int64_t t = 0;

	if (!date || mrm_date_parse(date, "date", &t, NULL))
		return 0;
	return t / 86400;
}

static void check_acceptances(struct gate *g, struct verdict *v)
{
	json_t *problems = json_array(), *expired = json_array(), *active = json_array(), *a, *f;
	size_t i, j;

	json_array_foreach(g->acceptances, i, a) {
		char created[MRM_DATE_LEN];
		int64_t term = day_number(str(a, "expires")) - day_number(date_of(str(a, "created_at"), created));
		const char *aid = str(a, "id"), *role = str(a, "authority_role");
		json_t *fid;

		if (strcmp(str(a, "state"), "active"))
			continue;
		json_array_append_new(active, json_string(aid));
		json_array_foreach(json_object_get(a, "findings"), j, fid) {
			const struct mrm_policy_acceptance *rule;
			int s;
			bool allowed = false;

			f = by_id(g->findings, json_string_value(fid));
			if (!f || !strcmp(str(f, "status"), "closed") || (s = severity_index(str(f, "severity"))) < 0 ||
			    !g->rules->has_acceptance)
				continue;
			rule = &g->rules->acceptance[s];
			if (!rule->allowed) {
				item(problems, "%s covers %s finding %s, whose risk may not be accepted at tier %d", aid,
				     str(f, "severity"), str(f, "id"), g->rules->tier);
				continue;
			}
			for (size_t r = 0; r < rule->nroles; r++)
				allowed |= same(rule->roles[r], role);
			if (!allowed)
				item(problems, "%s was given by %s as %s; %s findings at tier %d need %s%s", aid,
				     str(a, "accepted_by"), role, str(f, "severity"), g->rules->tier, rule->roles[0],
				     rule->nroles > 1 ? " or another listed role" : "");
			if (term > rule->max_days)
				item(problems, "%s runs %" PRId64 " days (from %s, expires %s), longer than the %d days "
					       "allowed for %s findings at tier %d",
				     aid, term, created, str(a, "expires"), rule->max_days, str(f, "severity"),
				     g->rules->tier);
		}
	}
	json_array_foreach(g->findings, i, f) {
		json_t *last = NULL;

		if (!json_is_true(json_object_get(f, "acceptance_expired")))
			continue;
		json_array_foreach(g->acceptances, j, a) {
			json_t *fid;
			size_t k;

			if (strcmp(str(a, "state"), "expired"))
				continue;
			json_array_foreach(json_object_get(a, "findings"), k, fid)
				if (same(json_string_value(fid), str(f, "id")) &&
				    (!last || strcmp(str(a, "expires"), str(last, "expires")) > 0))
					last = a;
		}
		if (last)
			item(expired, "%s (%s, %s) is open again: acceptance %s by %s expired %s", str(f, "id"),
			     str(f, "severity"), str(f, "status"), str(last, "id"), str(last, "accepted_by"),
			     str(last, "expires"));
		else
			item(expired, "%s (%s, %s) is open again: its acceptance expired %s", str(f, "id"),
			     str(f, "severity"), str(f, "status"), str(f, "acceptance_expires"));
	}
	if (json_array_size(expired)) {
		v->status = V_FAIL;
		sb_join(&v->why, expired);
		sb_add(&v->why, ": close %s, or accept the risk again (mrm accept %s --finding F-N --rationale TEXT "
				"--expires DATE)",
		       json_array_size(expired) == 1 ? "it" : "them", g->id);
	}
	if (json_array_size(problems)) {
		v->status = V_FAIL;
		sb_add(&v->why, "%s", v->why.len ? "; " : "");
		sb_join(&v->why, problems);
		sb_add(&v->why, ": revoke (mrm acceptance revoke A-N --reason TEXT) and accept again within the policy");
	}
	if (v->status == V_PASS) {
		if (json_array_size(active)) {
			sb_add(&v->why, "in force: ");
			sb_join(&v->why, active);
			sb_add(&v->why, ", within authority and term; none expired over an open finding");
		} else {
			sb_add(&v->why, "no acceptance in force; none expired over an open finding");
		}
	}
	json_decref(problems);
	json_decref(expired);
	json_decref(active);
}

static void check_incidents(struct gate *g, struct verdict *v)
{
	json_t *gaps = json_array(), *in;
	size_t i, n = json_array_size(g->incidents);

	json_array_foreach(g->incidents, i, in) {
		const char *id = str(in, "id"), *sev = str(in, "severity");

		if (!str(in, "started") || !str(in, "detected"))
			item(gaps, "%s has no %s time (mrm incident update %s --%s TIME)", id,
			     str(in, "started") ? "detection" : "onset", id, str(in, "started") ? "detected" : "started");
		if ((str(in, "mitigated") || str(in, "resolved")) && !str(in, "root_cause"))
			item(gaps, "%s is %s without a root cause (mrm incident update %s --root-cause CATEGORY)", id,
			     str(in, "resolved") ? "resolved" : "mitigated", id);
		if ((!strcmp(sev, "sev1") || !strcmp(sev, "sev2")) && !json_array_size(json_object_get(in, "findings")))
			item(gaps, "%s (%s) is linked to no finding (mrm incident update %s --finding F-N)", id, sev, id);
	}
	if (json_array_size(gaps)) {
		v->status = V_FAIL;
		sb_join(&v->why, gaps);
	} else if (n) {
		sb_add(&v->why, "%zu incident%s recorded with times, root causes and findings", n, n == 1 ? "" : "s");
	} else {
		sb_add(&v->why, "no incidents recorded");
	}
	json_decref(gaps);
}

static void check_third_party(struct gate *g, struct verdict *v)
{
	json_t *card = NULL, *e;
	size_t i;
	char id[24];

	json_array_foreach(g->evidence, i, e)
		if (!strcmp(str(e, "kind"), "model-card") && for_gated(g, e) && newer(e, card))
			card = e;
	if (!card) {
		v->status = V_FAIL;
		no_evidence(g, &v->why, "model-card");
		sb_add(&v->why, " of the vendor model (%s): register one with mrm evidence add %s model-card FILE%s",
		       str(g->model, "vendor"), g->id, g->vflag);
	}
	if (!json_array_size(g->monitors)) {
		v->status = V_FAIL;
		sb_add(&v->why, "%sno active monitor on the vendor model: add one with mrm monitor add %s --signal "
				"SIGNAL --warn X --alert Y",
		       v->why.len ? "; " : "", g->id);
	}
	if (v->status == V_PASS)
		sb_add(&v->why, "vendor %s: model card %s, %zu active monitor%s", str(g->model, "vendor"), eid(card, id),
		       json_array_size(g->monitors), json_array_size(g->monitors) == 1 ? "" : "s");
}

static int check_sod(struct gate *g, struct verdict *v, struct mrm_error *err)
{
	json_t *bad = json_array(), *rows = NULL, *r;
	const char *owner = g->owner;
	size_t i;
	char id[24];
	int rc;

	json_array_foreach(g->reviews, i, r) {
		mrm__format_id("R", int_of(r, "id"), id);
		/* A material version added by its owner opens a review in the owner's name: mrm's own doing. */
		if (same(str(r, "opened_by"), owner) && strncmp(str(r, "reason") ? str(r, "reason") : "",
								"material change: ", 17))
			item(bad, "review %s was opened by the model owner %s", id, owner);
		if (same(str(r, "decided_by"), owner))
			item(bad, "review %s was decided by the model owner %s", id, owner);
	}
	json_array_foreach(g->signoffs, i, r) {
		mrm__format_id("S", int_of(r, "id"), id);
		if (same(str(r, "user_name"), owner) &&
		    (!strcmp(str(r, "role"), "validator") || !strcmp(str(r, "role"), "approver")))
			item(bad, "sign-off %s as %s is by the model owner %s", id, str(r, "role"), owner);
	}
	if ((rc = mrm__rows(g->ctx,
			    "SELECT id FROM tier_assessments WHERE model_id = ? AND kind = 'override' AND assessed_by = ? "
			    "ORDER BY id",
			    PARAMS(PT(g->id), PT(owner)), &rows, err)))
		goto out;
	json_array_foreach(rows, i, r) {
		mrm__format_id("TA", int_of(r, "id"), id);
		item(bad, "tier override %s was made by the model owner %s", id, owner);
	}
	json_decref(rows);
	rows = NULL;
	json_array_foreach(g->acceptances, i, r) {
		json_t *fid;
		size_t j;

		if (same(str(r, "accepted_by"), owner) && !mrm_acceptance_owner_may_accept(g->tier))
			item(bad, "acceptance %s was given by the model owner %s", str(r, "id"), owner);
		json_array_foreach(json_object_get(r, "findings"), j, fid) {
			json_t *f = by_id(g->findings, json_string_value(fid));
			if (f && same(str(f, "owner"), str(r, "accepted_by")))
				item(bad, "acceptance %s covers %s, owned by its acceptor %s", str(r, "id"),
				     json_string_value(fid), str(r, "accepted_by"));
		}
	}
	if ((rc = mrm__rows(g->ctx,
			    "SELECT id, owner, verified_by, closed_by FROM findings WHERE model_id = ? AND "
			    "(verified_by = owner OR closed_by = owner) ORDER BY id",
			    PARAMS(PT(g->id)), &rows, err)))
		goto out;
	json_array_foreach(rows, i, r) {
		mrm__format_id("F", int_of(r, "id"), id);
		item(bad, "finding %s was %s by its own owner %s", id,
		     same(str(r, "verified_by"), str(r, "owner")) ? "verified" : "closed", str(r, "owner"));
	}
	if (json_array_size(bad)) {
		v->status = V_FAIL;
		sb_join(&v->why, bad);
		sb_add(&v->why, ": mrm refuses these when it writes them, so they came from an import or an older "
				"version; have the decision taken again by someone independent");
	} else {
		sb_add(&v->why, "reviews, sign-offs, tier overrides, acceptances and verifications are independent of "
				"the people they concern");
	}
out:
	json_decref(rows);
	json_decref(bad);
	return rc;
}

static void check_audit(struct gate *g, struct verdict *v)
{
	json_t *a = g->sh->audit;

	if (!a) {
		v->status = V_FAIL;
		sb_add(&v->why, "the audit chain could not be verified: %s", g->sh->audit_msg);
	} else if (!json_is_true(json_object_get(a, "ok"))) {
		json_t *p = json_array_get(json_object_get(a, "problems"), 0);
		v->status = V_FAIL;
		sb_add(&v->why, "the audit chain does not verify (%" JSON_INTEGER_FORMAT " problem%s; first: ",
		       int_of(a, "problem_count"), int_of(a, "problem_count") == 1 ? "" : "s");
		if (json_is_integer(json_object_get(p, "event")))
			sb_add(&v->why, "event #%" JSON_INTEGER_FORMAT ": ", int_of(p, "event"));
		sb_add(&v->why, "%s): run mrm audit verify and investigate before relying on any record",
		       str(p, "problem") ? str(p, "problem") : "");
	} else {
		sb_add(&v->why, "the audit chain verifies: %" JSON_INTEGER_FORMAT " events, %" JSON_INTEGER_FORMAT
				" objects",
		       int_of(a, "events"), int_of(a, "objects"));
	}
}

static void check_evidence_integrity(struct gate *g, struct verdict *v)
{
	json_t *bad = json_array(), *e;
	size_t i, n = 0;
	char id[24];

	json_array_foreach(g->evidence, i, e) {
		const char *state;

		if (!for_gated(g, e))
			continue;
		n++;
		state = file_state(g, e);
		if (strcmp(state, "ok"))
			item(bad, "%s %s (%s)", eid(e, id), state, str(e, "path"));
	}
	if (json_array_size(bad)) {
		v->status = V_FAIL;
		sb_add(&v->why, "%zu of %zu evidence file%s for %s changed or missing: ", json_array_size(bad), n,
		       n == 1 ? "" : "s", g->vtext);
		sb_join(&v->why, bad);
		sb_add(&v->why, ": restore the registered files, or register the new ones (mrm evidence verify --model %s "
				"lists them)",
		       g->id);
	} else if (n) {
		sb_add(&v->why, "%zu evidence file%s for %s unchanged", n, n == 1 ? "" : "s", g->vtext);
	} else {
		sb_add(&v->why, "no evidence registered for %s", g->vtext);
	}
	json_decref(bad);
}

/* ---- one gate ----------------------------------------------------------------------------------- */

static int evaluate(struct gate *g, const struct mrm_control *k, struct verdict *v, struct mrm_error *err)
{
	const char *c = k->check;
	int rc = MRM_OK;

	v->status = V_PASS;
	if (!strcmp(c, "inventory"))
		check_inventory(g, v);
	else if (!strcmp(c, "tier"))
		rc = check_tier(g, v, err);
	else if (!strcmp(c, "evidence"))
		check_evidence(g, k, v);
	else if (!strcmp(c, "validation"))
		check_validation(g, false, v);
	else if (!strcmp(c, "fairness"))
		check_validation(g, true, v);
	else if (!strcmp(c, "redteam"))
		check_redteam(g, v);
	else if (!strcmp(c, "signoff"))
		check_signoff(g, v);
	else if (!strcmp(c, "review-approved"))
		check_review_approved(g, v);
	else if (!strcmp(c, "review-current"))
		check_review_current(g, v);
	else if (!strcmp(c, "material-change"))
		check_material_change(g, v);
	else if (!strcmp(c, "monitors"))
		check_monitors(g, v);
	else if (!strcmp(c, "findings"))
		check_findings(g, v);
	else if (!strcmp(c, "acceptances"))
		check_acceptances(g, v);
	else if (!strcmp(c, "incidents"))
		check_incidents(g, v);
	else if (!strcmp(c, "third-party"))
		check_third_party(g, v);
	else if (!strcmp(c, "separation-of-duties"))
		rc = check_sod(g, v, err);
	else if (!strcmp(c, "audit-chain"))
		check_audit(g, v);
	else if (!strcmp(c, "evidence-integrity"))
		check_evidence_integrity(g, v);
	else {
		/* The catalogue parser admits only known kinds: a new kind without a check fails loudly. */
		v->status = V_FAIL;
		sb_add(&v->why, "this mrm cannot evaluate checks of kind '%s'", c);
	}
	if (!rc)
		waive_by_name(g, k, v);
	return rc;
}

/*
 * The gate of `model` (its raw row) at `version` (NULL: none). Inside the
 * caller's read transaction.
 */
static int gate_model(struct mrm_ctx *ctx, const struct mrm_policy *p, json_t *model, const char *version,
		      struct shared *sh, json_t **out, struct mrm_error *err)
{
	struct gate g = { .ctx = ctx, .policy = p, .model = model, .sh = sh };
	json_t *t = json_object_get(model, "tier"), *list = NULL, *doc = NULL, *controls, *na, *c;
	unsigned flags = 0;
	int counts[3] = { 0, 0, 0 }, rc;
	size_t i;

	*out = NULL;
	g.id = str(model, "id");
	g.owner = str(model, "owner");
	g.tier = json_is_integer(t) ? (int)json_integer_value(t) : 0;
	g.rules = mrm_policy_tier(p, g.tier);
	g.version = version;
	if ((rc = load(&g, err)))
		goto out;
	g.vi = vindex(&g, version);
	if (version) {
		snprintf(g.vtext, sizeof(g.vtext), "version %s", version);
		snprintf(g.vflag, sizeof(g.vflag), " --version %s", version);
	} else {
		snprintf(g.vtext, sizeof(g.vtext), "the model (it has no versions)");
	}
	if (json_is_true(json_object_get(model, "genai")))
		flags |= MRM_POLICY_MODEL_GENAI;
	if (!blank(str(model, "vendor")))
		flags |= MRM_POLICY_MODEL_VENDOR;
	if (!(list = mrm_policy_controls_for(p, g.tier, flags))) {
		rc = mrm_error_set(err, MRM_ESTORE, "model '%s' has tier %d, which the policy does not know", g.id,
				   g.tier);
		goto out;
	}
	controls = json_array();
	na = json_array();
	doc = json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:i, s:b, s:b, s:s, s:{s:s, s:s, s:s}, s:o, s:o}", "model",
			g.id, "name", str(model, "name"), "version", version, "current_version",
			str(model, "current_version"), "status", str(model, "status"), "tier",
			g.rules->tier, "untiered", g.tier == 0, "passed", true, "as_of", mrm_ctx_now_iso(ctx),
			"policy", "name", p->name, "source", p->source, "sha256", p->sha256, "controls", controls,
			"not_applicable", na);
	json_array_foreach(list, i, c) {
		const struct mrm_control *k = mrm_catalog_control(p->catalog, str(c, "id"));
		struct verdict *v;
		json_t *r;

		if (!k)
			continue;
		if (!json_is_true(json_object_get(c, "applies"))) {
			json_array_append_new(na, json_pack("{s:s, s:s, s:s}", "id", k->id, "title", k->title, "reason",
							    str(c, "reason") ? str(c, "reason") : "does not apply"));
			continue;
		}
		if (!(v = calloc(1, sizeof(*v)))) {
			rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
			goto out;
		}
		rc = evaluate(&g, k, v, err);
		if (!rc) {
			r = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", k->id, "title", k->title, "check", k->check,
				      "status", status_names[v->status], "reason", v->why.buf);
			if (v->waivers)
				json_object_set(r, "waived_by", v->waivers);
			json_array_append_new(controls, r);
			counts[v->status]++;
		}
		json_decref(v->waivers);
		free(v);
		if (rc)
			goto out;
	}
	json_object_set_new(doc, "passed", json_boolean(counts[V_FAIL] == 0));
	json_object_set_new(doc, "summary",
			    json_pack("{s:i, s:i, s:i, s:i, s:i}", "controls", (int)json_array_size(controls), "pass",
				      counts[V_PASS], "fail", counts[V_FAIL], "waived", counts[V_WAIVED], "not_applicable",
				      (int)json_array_size(na)));
	*out = doc;
	doc = NULL;
out:
	json_decref(doc);
	json_decref(list);
	unload(&g);
	return rc;
}

/* Verifies the audit chain once for a run (a broken chain is a result, not an error). */
static int verify_chain(struct mrm_ctx *ctx, struct shared *sh, struct mrm_error *err)
{
	struct mrm_error e = { 0 };
	int rc = mrm__audit_verify_tx(ctx, &sh->audit, &e);

	if (rc == MRM_ESTORE)
		return mrm_error_set(err, rc, "%s", e.msg);
	if (rc && rc != MRM_ECHECK) {
		json_decref(sh->audit);
		sh->audit = NULL;
		snprintf(sh->audit_msg, sizeof(sh->audit_msg), "%s", e.msg);
	}
	return MRM_OK;
}

/* Names the failed controls of a gate document in `err`. */
static int failed_summary(json_t *doc, struct mrm_error *err)
{
	json_t *ids = json_array(), *c;
	struct sb b = { .len = 0 };
	size_t i;

	json_array_foreach(json_object_get(doc, "controls"), i, c)
		if (!strcmp(str(c, "status"), "fail"))
			json_array_append_new(ids, json_string(str(c, "id")));
	sb_join(&b, ids);
	mrm_error_set(err, MRM_ECHECK, "gate failed for %s%s%s: %zu of %zu controls failed (%s)", str(doc, "model"),
		      str(doc, "version") ? " version " : "", str(doc, "version") ? str(doc, "version") : "",
		      json_array_size(ids), json_array_size(json_object_get(doc, "controls")), b.buf);
	json_decref(ids);
	return MRM_ECHECK;
}

/* Opens a read transaction: every query of the gate sees one snapshot of the store. */
static int read_begin(struct mrm_ctx *ctx, struct mrm_error *err)
{
	return mrm_store_exec(ctx->store, "BEGIN", err);
}

static void read_end(struct mrm_ctx *ctx)
{
	mrm_store_exec(ctx->store, "COMMIT", NULL);
}

int mrm_gate_run(struct mrm_ctx *ctx, const char *model_id, const struct mrm_gate_options *o, json_t **out,
		 struct mrm_error *err)
{
	struct mrm_policy *own = NULL;
	const struct mrm_policy *p = o ? o->policy : NULL;
	struct shared sh = { 0 };
	json_t *model = NULL;
	const char *version = o ? o->version : NULL;
	int rc;

	*out = NULL;
	if (!p) {
		if ((rc = mrm_policy_default(&own, err)))
			return rc;
		p = own;
	}
	if ((rc = read_begin(ctx, err)))
		goto out;
	if ((rc = mrm__model_get(ctx, model_id, &model, err)) ||
	    (version && (rc = mrm__require_version(ctx, model_id, version, err))))
		goto end;
	if (!version)
		version = str(model, "current_version");
	if ((rc = verify_chain(ctx, &sh, err)) || (rc = gate_model(ctx, p, model, version, &sh, out, err)))
		goto end;
	if (!json_is_true(json_object_get(*out, "passed")))
		rc = failed_summary(*out, err);
end:
	read_end(ctx);
out:
	json_decref(model);
	json_decref(sh.audit);
	mrm_policy_free(own);
	return rc;
}

/* Production first, then validation, development; by tier (untiered with 1), then id. */
static int status_rank(const char *s)
{
	return !strcmp(s, "production") ? 0 : !strcmp(s, "validation") ? 1 : 2;
}

static int model_order(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int sx = status_rank(str(x, "status")), sy = status_rank(str(y, "status"));
	json_t *tx = json_object_get(x, "tier"), *ty = json_object_get(y, "tier");
	int ix = json_is_integer(tx) ? (int)json_integer_value(tx) : 1;
	int iy = json_is_integer(ty) ? (int)json_integer_value(ty) : 1;

	if (sx != sy)
		return sx - sy;
	if (ix != iy)
		return ix - iy;
	return strcmp(str(x, "id"), str(y, "id"));
}

/* Adds one gate's statuses to the per-control totals. */
static void tally(json_t *totals, json_t *doc)
{
	json_t *c, *t;
	size_t i;

	json_array_foreach(json_object_get(doc, "controls"), i, c)
		if ((t = json_object_get(totals, str(c, "id")))) {
			json_object_set_new(t, "models", json_integer(int_of(t, "models") + 1));
			json_object_set_new(t, str(c, "status"), json_integer(int_of(t, str(c, "status")) + 1));
		}
	json_array_foreach(json_object_get(doc, "not_applicable"), i, c)
		if ((t = json_object_get(totals, str(c, "id"))))
			json_object_set_new(t, "not_applicable", json_integer(int_of(t, "not_applicable") + 1));
}

int mrm_controls_test(struct mrm_ctx *ctx, const struct mrm_policy *policy, json_t **out, struct mrm_error *err)
{
	struct mrm_policy *own = NULL;
	const struct mrm_policy *p = policy;
	struct shared sh = { 0 };
	json_t *models = NULL, *gates = json_array(), *skipped = json_array(), *totals = json_object(), *list, *m;
	json_t **order = NULL;
	size_t i, n, gaps = 0, with_gaps = 0;
	int rc;

	*out = NULL;
	if (!p) {
		if ((rc = mrm_policy_default(&own, err)))
			goto out;
		p = own;
	}
	/* The controls any tier enforces, in the catalogue's order. */
	for (i = 0; i < p->catalog->ncontrols; i++) {
		const struct mrm_control *k = &p->catalog->controls[i];
		bool used = false;

		for (int t = 0; t < MRM_POLICY_TIERS; t++)
			for (size_t j = 0; j < p->tiers[t].ncontrols; j++)
				used |= !strcmp(p->tiers[t].controls[j], k->id);
		if (used)
			json_object_set_new(totals, k->id,
					    json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i}", "id", k->id, "title", k->title,
						      "models", 0, "pass", 0, "waived", 0, "fail", 0, "not_applicable", 0));
	}
	if ((rc = read_begin(ctx, err)))
		goto out;
	if ((rc = mrm__rows(ctx, "SELECT * FROM models ORDER BY id", NOPARAMS, &models, err)) ||
	    (rc = verify_chain(ctx, &sh, err)))
		goto end;
	n = json_array_size(models);
	if (n && !(order = calloc(n, sizeof(*order)))) {
		rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
		goto end;
	}
	json_array_foreach(models, i, m)
		order[i] = m;
	if (n)
		qsort(order, n, sizeof(*order), model_order);
	for (i = 0; i < n; i++) {
		json_t *doc = NULL;
		size_t fails;

		m = order[i];
		if (!strcmp(str(m, "status"), "retired")) {
			json_array_append_new(skipped, json_pack("{s:s, s:s}", "model", str(m, "id"), "reason", "retired"));
			continue;
		}
		if ((rc = gate_model(ctx, p, m, str(m, "current_version"), &sh, &doc, err)))
			goto end;
		fails = (size_t)int_of(json_object_get(doc, "summary"), "fail");
		gaps += fails;
		with_gaps += fails > 0;
		tally(totals, doc);
		json_array_append_new(gates, doc);
	}
end:
	read_end(ctx);
	if (rc)
		goto out;
	list = json_array();
	for (i = 0; i < p->catalog->ncontrols; i++) {
		json_t *t = json_object_get(totals, p->catalog->controls[i].id);
		if (t)
			json_array_append(list, t);
	}
	*out = json_pack("{s:s, s:{s:s, s:s, s:s}, s:O, s:O, s:o, s:i, s:i, s:i, s:b}", "as_of", mrm_ctx_now_iso(ctx),
			 "policy", "name", p->name, "source", p->source, "sha256", p->sha256, "models", gates,
			 "not_tested", skipped, "totals", list, "models_tested", (int)json_array_size(gates),
			 "models_with_gaps", (int)with_gaps, "gaps", (int)gaps, "passed", gaps == 0);
	if (gaps)
		rc = mrm_error_set(err, MRM_ECHECK, "control test found %zu gap%s in %zu of %zu models", gaps,
				   gaps == 1 ? "" : "s", with_gaps, json_array_size(gates));
out:
	free(order);
	json_decref(models);
	json_decref(gates);
	json_decref(skipped);
	json_decref(totals);
	json_decref(sh.audit);
	mrm_policy_free(own);
	return rc;
}
