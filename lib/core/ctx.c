/* Opening a context: the store, the actor and the effective time. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"

int mrm_ctx_open(const struct mrm_ctx_options *opt, struct mrm_ctx **out,
		 struct mrm_error *err)
{
	struct mrm_ctx *ctx;
	int rc;

	*out = NULL;
	if (!opt->actor || !*opt->actor)
		return mrm_error_set(err, MRM_EUSAGE, "no actor: use --as USER or set MRM_USER");
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	ctx->actor = strdup(opt->actor);
	ctx->real_now = (int64_t)time(NULL);
	ctx->now = ctx->real_now;
	if (opt->now && *opt->now) {
		if ((rc = mrm_time_parse(opt->now, "MRM_NOW", &ctx->now, err)))
			goto fail;
		ctx->now_overridden = true;
	}
	mrm_time_format(ctx->now, ctx->now_iso);
	mrm_date_format(ctx->now, ctx->today);
	rc = mrm_store_open(opt->db, opt->create ? MRM_STORE_CREATE : MRM_STORE_EXISTING,
			    &ctx->store, err);
	if (rc)
		goto fail;
	*out = ctx;
	return MRM_OK;
fail:
	mrm_ctx_free(ctx);
	return rc;
}

void mrm_ctx_free(struct mrm_ctx *ctx)
{
	if (!ctx)
		return;
	mrm_store_free(ctx->store);
	json_decref(ctx->actor_user);
	free(ctx->actor);
	free(ctx);
}

int mrm_init(struct mrm_ctx *ctx, int *from, int *to, struct mrm_error *err)
{
	return mrm_store_migrate(ctx->store, from, to, err);
}

const char *mrm_ctx_actor(const struct mrm_ctx *ctx) { return ctx->actor; }
int64_t mrm_ctx_now(const struct mrm_ctx *ctx) { return ctx->now; }
const char *mrm_ctx_now_iso(const struct mrm_ctx *ctx) { return ctx->now_iso; }
const char *mrm_ctx_today(const struct mrm_ctx *ctx) { return ctx->today; }
struct mrm_store *mrm_ctx_store(struct mrm_ctx *ctx) { return ctx->store; }
