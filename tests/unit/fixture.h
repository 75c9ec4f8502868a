/*
 * Shared fixture for the governance unit tests: a fresh store in a temporary
 * directory, switching the actor and the effective time, assertions on
 * library calls, and the common set-up steps. Include after <cmocka.h>.
 */
#ifndef MRM_TEST_FIXTURE_H
#define MRM_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "mrm/audit.h"
#include "mrm/ctx.h"
#include "mrm/model.h"
#include "mrm/user.h"

#define NOW "2026-11-26T09:00:00Z"

struct fx {
	char dir[64];
	char db[128];
	struct mrm_ctx *ctx;
	struct mrm_error err;
};

/* Asserts that `call` succeeds, printing the library's message if not. */
#define OK(f, call)                                                     \
	do {                                                            \
		mrm_error_clear(&(f)->err);                             \
		if ((call) != MRM_OK)                                   \
			fail_msg("%s: %s", #call, (f)->err.msg);        \
	} while (0)

/* Expects `call` to fail with `code` and a message containing `text`. */
#define FAILS(f, code, text, call)                                                  \
	do {                                                                        \
		int rc_;                                                            \
		mrm_error_clear(&(f)->err);                                         \
		rc_ = (call);                                                       \
		if (rc_ != (code) || !strstr((f)->err.msg, (text)))                 \
			fail_msg("%s: got %d '%s', want %d '%s'", #call, rc_,       \
				 (f)->err.msg, (code), (text));                     \
	} while (0)

/* Reopens the store as `actor` at effective time `now`. */
static inline void as_at(struct fx *f, const char *actor, const char *now)
{
	struct mrm_ctx_options o = { .db = f->db, .actor = actor, .now = now };
	mrm_ctx_free(f->ctx);
	f->ctx = NULL;
	mrm_error_clear(&f->err);
	if (mrm_ctx_open(&o, &f->ctx, &f->err))
		fail_msg("open as %s: %s", actor, f->err.msg);
}

static inline void as(struct fx *f, const char *actor)
{
	as_at(f, actor, NOW);
}

/* A new fixture with an initialised, empty store, acting as alice at NOW; NULL on failure. */
static inline struct fx *fx_new(const char *name)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct mrm_ctx_options o = { .actor = "alice", .now = NOW, .create = true };

	if (!f)
		return NULL;
	snprintf(f->dir, sizeof(f->dir), "/tmp/mrm-%s-XXXXXX", name);
	if (!mkdtemp(f->dir)) {
		free(f);
		return NULL;
	}
	snprintf(f->db, sizeof(f->db), "%s/test.db", f->dir);
	o.db = f->db;
	if (mrm_ctx_open(&o, &f->ctx, &f->err) || mrm_init(f->ctx, NULL, NULL, &f->err)) {
		fprintf(stderr, "fixture: %s\n", f->err.msg);
		mrm_ctx_free(f->ctx);
		free(f);
		return NULL;
	}
	return f;
}

/* Closes the store and removes its files; NULL is a no-op. */
static inline void fx_free(struct fx *f)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char path[200];

	if (!f)
		return;
	mrm_ctx_free(f->ctx);
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", f->db, suffix[i]);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
}

static inline void add_user(struct fx *f, const char *name, const char *roles)
{
	OK(f, mrm_user_add(f->ctx, name, roles, NULL, &f->err));
}

static inline void add_model(struct fx *f, const char *id, const char *owner)
{
	json_t *m = json_pack("{ss ss ss ss}", "id", id, "name", id, "owner", owner, "purpose", "test");
	OK(f, mrm_model_add(f->ctx, m, NULL, &f->err));
	json_decref(m);
}

/* Sets a model's tier the way mrm does it: in a transaction, audited. */
static inline void set_tier(struct fx *f, const char *model, int tier)
{
	json_t *before = NULL;
	OK(f, mrm__begin(f->ctx, &f->err));
	OK(f, mrm__model_get(f->ctx, model, &before, &f->err));
	OK(f, mrm__exec(f->ctx, "UPDATE models SET tier = ? WHERE id = ?", PARAMS(PI(tier), PT(model)),
			&f->err));
	OK(f, mrm__audit(f->ctx, "model.tier", "model", model, model, before, &f->err));
	OK(f, mrm__commit(f->ctx, &f->err));
	json_decref(before);
}

static inline int64_t count(struct fx *f, const char *sql)
{
	int64_t n = -1;
	OK(f, mrm__int(f->ctx, sql, NOPARAMS, &n, &f->err));
	return n;
}

/* Asserts the audit chain and every governance row verify. */
static inline void verify_chain(struct fx *f)
{
	json_t *out = NULL;
	OK(f, mrm_audit_verify(f->ctx, &out, &f->err));
	json_decref(out);
}

#endif
