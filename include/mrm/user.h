/*
 * Users, their roles, and API tokens.
 *
 * Roles: owner (first line: builds and runs models), validator (second
 * line: independent validation), approver (accepts risk, approves
 * launches), auditor (third line: read and raise findings), admin
 * (manages users). Separation of duties is enforced by the operations
 * themselves (see docs/governance.md).
 */
#ifndef MRM_USER_H
#define MRM_USER_H

#include <jansson.h>

#include "mrm/ctx.h"

/*
 * Registers user `name` with comma-separated `roles`. The first user of a
 * store may be added by anyone and must hold admin; after that only an
 * admin may add users. Adding an existing user replaces its roles
 * (audited as role_change). `*out` (may be NULL) receives the user row.
 */
int mrm_user_add(struct mrm_ctx *ctx, const char *name, const char *roles,
		 json_t **out, struct mrm_error *err);

/* All users as a JSON array, by name. */
int mrm_user_list(struct mrm_ctx *ctx, json_t **out, struct mrm_error *err);

/*
 * Issues a new API token for `name` (the user themself or an admin).
 * The token text is written to `token` (at least 64 bytes) and shown only
 * once; the store keeps its SHA-256.
 */
int mrm_user_token(struct mrm_ctx *ctx, const char *name, char *token,
		   json_t **out, struct mrm_error *err);

/*
 * Finds the user owning an API token; MRM_EPERM if none or revoked.
 * `*user` receives the user row.
 */
int mrm_user_authenticate(struct mrm_ctx *ctx, const char *token,
			  json_t **user, struct mrm_error *err);

#endif
