/*
 * Internal helpers shared by the governance modules of lib/core/: the
 * context's insides, parameterised queries that return JSON rows,
 * transactions, field validation, ids, permissions and the audit hook.
 * Nothing here is public API (names are mrm__).
 */
#ifndef MRM_CORE_INTERNAL_H
#define MRM_CORE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "mrm/ctx.h"
#include "mrm/error.h"
#include "mrm/timeutil.h"
#include "store/store.h"

struct mrm_ctx {
	struct mrm_store *store;
	char *actor;
	int64_t now;      /* effective time */
	int64_t real_now; /* the clock */
	bool now_overridden;
	char now_iso[MRM_TIME_LEN];
	char today[MRM_DATE_LEN];
	json_t *actor_user; /* cached users row of the actor, or NULL */
};

/* ---- parameterised queries ------------------------------------------- */

enum mrm__pkind { MRM__P_NULL, MRM__P_TEXT, MRM__P_INT, MRM__P_REAL };

struct mrm__param {
	enum mrm__pkind kind;
	const char *s;
	int64_t i;
	double d;
};

/* A text parameter; NULL binds SQL NULL. */
#define PT(x) ((struct mrm__param){ .kind = MRM__P_TEXT, .s = (x) })
#define PI(x) ((struct mrm__param){ .kind = MRM__P_INT, .i = (x) })
#define PR(x) ((struct mrm__param){ .kind = MRM__P_REAL, .d = (x) })
#define PN ((struct mrm__param){ .kind = MRM__P_NULL })
/* Expands to "array, count" for the query helpers below. */
#define PARAMS(...) (struct mrm__param[]){ __VA_ARGS__ }, \
	(int)(sizeof((struct mrm__param[]){ __VA_ARGS__ }) / sizeof(struct mrm__param))
#define NOPARAMS NULL, 0

/* Binds `n` params to a prepared statement. */
int mrm__bind(struct mrm_stmt *s, const struct mrm__param *p, int n);

/* Runs a statement that returns no rows. */
int mrm__exec(struct mrm_ctx *ctx, const char *sql, const struct mrm__param *p,
	      int n, struct mrm_error *err);

/* Runs a query; `*out` receives a new JSON array of row objects. */
int mrm__rows(struct mrm_ctx *ctx, const char *sql, const struct mrm__param *p,
	      int n, json_t **out, struct mrm_error *err);

/* Runs a query; `*out` receives the first row as a new object, or NULL. */
int mrm__row(struct mrm_ctx *ctx, const char *sql, const struct mrm__param *p,
	     int n, json_t **out, struct mrm_error *err);

/* Runs a query returning one integer (count(*), RETURNING id...). */
int mrm__int(struct mrm_ctx *ctx, const char *sql, const struct mrm__param *p,
	     int n, int64_t *out, struct mrm_error *err);

/*
 * The current row of `s` as a new JSON object keyed by column name:
 * BOOLEAN columns become true/false, JSON columns are parsed (invalid
 * JSON stays a string), NULL becomes null.
 */
json_t *mrm__row_json(struct mrm_stmt *s);

/* ---- transactions ----------------------------------------------------- */

int mrm__begin(struct mrm_ctx *ctx, struct mrm_error *err);
/* Commits; on failure the transaction is rolled back. */
int mrm__commit(struct mrm_ctx *ctx, struct mrm_error *err);
void mrm__rollback(struct mrm_ctx *ctx);

/* ---- objects and ids -------------------------------------------------- */

/* One kind of governance object: its table and how its ids look. */
struct mrm__object_type {
	const char *type;   /* "finding" */
	const char *table;  /* "findings" */
	const char *key;    /* "id" */
	const char *prefix; /* "F" for F-12; NULL for text keys */
};

/* Every object type that lives in a governance table, NULL-terminated. */
extern const struct mrm__object_type mrm__object_types[];
const struct mrm__object_type *mrm__object_type(const char *type);

/*
 * Parses a user-facing id of an object with integer keys: "F-12", "f-12"
 * or "12". MRM_EINPUT names `what` on failure.
 */
int mrm__parse_id(const char *text, const char *prefix, const char *what,
		  int64_t *out, struct mrm_error *err);

/* Formats an integer id for display: 12 -> "F-12" into buf (>= 24 bytes). */
void mrm__format_id(const char *prefix, int64_t id, char *buf);

/*
 * Rewrites integer id fields of a row for display, in place: "id" with the
 * type's prefix, and link columns (finding_id, evidence_id, repeat_of,
 * acceptance_id, incident_id, verification_evidence_id, review_id) with
 * theirs. Returns `row`.
 */
json_t *mrm__present(const char *type, json_t *row);

/* ---- field validation ------------------------------------------------- */

enum mrm__ftype {
	MRM__F_TEXT,
	MRM__F_DATE,      /* "YYYY-MM-DD" */
	MRM__F_TIME,      /* ISO 8601 time, normalised to UTC "...Z" */
	MRM__F_BOOL,
	MRM__F_INT,
	MRM__F_ENUM,      /* one of `allowed` */
	MRM__F_TEXT_LIST, /* array of strings */
	MRM__F_ID,        /* a slug: [a-z0-9][a-z0-9._-]{0,63} */
};

struct mrm__field {
	const char *name;
	enum mrm__ftype type;
	const char *const *allowed; /* MRM__F_ENUM: NULL-terminated */
	bool required;
};

/*
 * Checks the object `in` against `spec` (terminated by a NULL name):
 * unknown keys, wrong types, bad enum values, bad dates and missing
 * required fields give MRM_EINPUT naming the field. Dates and times are
 * rewritten in place to their normal form; text is trimmed of nothing but
 * must not be empty when required.
 */
int mrm__fields_check(json_t *in, const struct mrm__field *spec,
		      struct mrm_error *err);

/* Checks `value` against a NULL-terminated list; MRM_EINPUT names `field`. */
int mrm__check_enum(const char *value, const char *const *allowed,
		    const char *field, struct mrm_error *err);

/* String value of key in obj, or NULL if absent/null/not a string. */
const char *mrm__str(json_t *obj, const char *key);

/* ---- people and permissions ------------------------------------------- */

extern const char *const mrm__roles[]; /* owner validator approver auditor admin */

/*
 * Requires the actor to be a registered user; MRM_EPERM otherwise, with a
 * message saying how to register.
 */
int mrm__require_user(struct mrm_ctx *ctx, struct mrm_error *err);

/* True if the actor is registered and holds `role`. */
bool mrm__actor_has(struct mrm_ctx *ctx, const char *role);

/* True if user `name` holds `role` (false if no such user). */
bool mrm__user_has(struct mrm_ctx *ctx, const char *name, const char *role);

/*
 * Requires the actor to hold one of the roles in the NULL-terminated list
 * (admin does not imply the others). `doing` completes the message
 * "not permitted: <actor> cannot <doing> (needs role ...)".
 */
int mrm__require_role(struct mrm_ctx *ctx, const char *const *roles,
		      const char *doing, struct mrm_error *err);

/* Requires user `name` to exist; MRM_EINPUT naming `field` otherwise. */
int mrm__require_known_user(struct mrm_ctx *ctx, const char *name,
			    const char *field, struct mrm_error *err);

/* Requires version `version` of model `model_id` to exist; MRM_ENOTFOUND names both. */
int mrm__require_version(struct mrm_ctx *ctx, const char *model_id, const char *version,
			 struct mrm_error *err);

/* Loads a model row (raw) or fails with MRM_ENOTFOUND. */
int mrm__model_get(struct mrm_ctx *ctx, const char *id, json_t **out,
		   struct mrm_error *err);

/*
 * mrm_evidence_add, mrm_finding_add and mrm_finding_update inside the caller's open
 * transaction (mrm__begin), for operations that make several changes and commit them
 * together (mrm_redteam_record): the same checks, changes and audit events, no commit and
 * no rollback (on failure the caller rolls back). The evidence's row comes back presented
 * as mrm_evidence_add gives it (caller owns); a new finding's id in `*id`.
 */
int mrm__evidence_add_tx(struct mrm_ctx *ctx, const char *model_id, const char *kind,
			 const char *path, json_t *fields, json_t **out, struct mrm_error *err);
int mrm__finding_add_tx(struct mrm_ctx *ctx, const char *model_id, json_t *fields, int64_t *id,
			struct mrm_error *err);
int mrm__finding_update_tx(struct mrm_ctx *ctx, const char *id, json_t *fields,
			   struct mrm_error *err);

/* ---- dates ------------------------------------------------------------ */

/*
 * `date` ("YYYY-MM-DD") plus `months` calendar months into `out`; a day past
 * the end of the target month becomes its last day (2028-02-29 + 12 ->
 * 2029-02-28). The review cadence (reviews.c) and the gate's re-review
 * check (gate.c) count months the same way.
 */
void mrm__add_months(const char *date, int months, char out[MRM_DATE_LEN]);

/* ---- audit ------------------------------------------------------------ */

/*
 * Appends an audit event for a change already made inside the open
 * transaction: reads the object's row now (its "after" state; absent
 * means deleted), records {"before": changed fields of `before`, "after":
 * row} with the state hash, and links it into the hash chain. `before` is
 * the row before the change (borrowed; NULL for a creation). `model_id`
 * (may be NULL) lets `mrm audit log --model` find it.
 */
int mrm__audit(struct mrm_ctx *ctx, const char *action, const char *type,
	       const char *object_id, const char *model_id, json_t *before,
	       struct mrm_error *err);

/* Same, for an integer-keyed object. */
int mrm__audit_id(struct mrm_ctx *ctx, const char *action, const char *type,
		  int64_t id, const char *model_id, json_t *before,
		  struct mrm_error *err);

/*
 * The checks of mrm_audit_verify() (chain, head, replay of every object's
 * state) on the caller's open transaction; same results and codes.
 */
int mrm__audit_verify_tx(struct mrm_ctx *ctx, json_t **out, struct mrm_error *err);

/*
 * The hash of one audit event from its fields in hash order: prev_hash,
 * seq (decimal), ts, recorded_at, actor, action, object_type, object_id,
 * model_id, change, state_hash (NULL for a null field), as mrm__audit
 * computes it (docs/audit.md). For checking events outside the store
 * (evidence packs). MRM_ESTORE when out of memory.
 */
#define MRM__AUDIT_FIELDS 11
int mrm__audit_event_hash(const char *const fields[MRM__AUDIT_FIELDS], char hex[65]);

/* Most columns a governance table may have (the state hash's limit). */
#define MRM__MAX_COLUMNS 64

/* Loads the raw row of an object (`*out` NULL if it does not exist). */
int mrm__snapshot(struct mrm_ctx *ctx, const struct mrm__object_type *t,
		  const char *object_id, json_t **out, struct mrm_error *err);

#endif
