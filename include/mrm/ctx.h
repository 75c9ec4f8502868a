/*
 * The context every governance call runs in: an open store, who is acting,
 * and the effective time.
 *
 * There is no global state: the CLI opens one context per command, the
 * server one per request (or per thread), tests as many as they like.
 */
#ifndef MRM_CTX_H
#define MRM_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "mrm/error.h"

struct mrm_ctx;
struct mrm_store;

struct mrm_ctx_options {
	const char *db;    /* store location (a SQLite file path) */
	const char *actor; /* user name acting; required */
	const char *now;   /* ISO 8601 effective time, or NULL for the clock */
	bool create;       /* create the store file if missing (mrm init) */
};

/*
 * Opens the store and makes a context. Without `create`, the store must
 * exist and be at this binary's schema version. Errors: MRM_EINPUT for a
 * bad `now`, MRM_ESTORE for store problems. Free with mrm_ctx_free().
 */
int mrm_ctx_open(const struct mrm_ctx_options *opt, struct mrm_ctx **out,
		 struct mrm_error *err);

/* Closes the store and frees the context; NULL is a no-op. */
void mrm_ctx_free(struct mrm_ctx *ctx);

/* Creates the schema or migrates it to this binary's version. */
int mrm_init(struct mrm_ctx *ctx, int *from, int *to, struct mrm_error *err);

const char *mrm_ctx_actor(const struct mrm_ctx *ctx);
/* Effective time, seconds since the epoch ($MRM_NOW or the clock). */
int64_t mrm_ctx_now(const struct mrm_ctx *ctx);
/* Effective time as "YYYY-MM-DDTHH:MM:SSZ" and date as "YYYY-MM-DD". */
const char *mrm_ctx_now_iso(const struct mrm_ctx *ctx);
const char *mrm_ctx_today(const struct mrm_ctx *ctx);
struct mrm_store *mrm_ctx_store(struct mrm_ctx *ctx);

#endif
