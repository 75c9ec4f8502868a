/* Users, roles, API tokens, and the permission checks built on them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "core/core.h"
#include "mrm/hash.h"
#include "mrm/user.h"

const char *const mrm__roles[] = { "owner", "validator", "approver", "auditor", "admin", NULL };

static json_t *load_user(struct mrm_ctx *ctx, const char *name)
{
	json_t *row = NULL;
	mrm__row(ctx, "SELECT * FROM users WHERE name = ?", PARAMS(PT(name)), &row, NULL);
	return row;
}

static bool roles_contain(const char *roles, const char *role)
{
	size_t n = strlen(role);
	for (const char *p = roles; p && *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len == n && !strncmp(p, role, n))
			return true;
		p = c ? c + 1 : NULL;
	}
	return false;
}

bool mrm__user_has(struct mrm_ctx *ctx, const char *name, const char *role)
{
	json_t *u = load_user(ctx, name);
	bool has = u && roles_contain(mrm__str(u, "roles"), role);
	json_decref(u);
	return has;
}

int mrm__require_user(struct mrm_ctx *ctx, struct mrm_error *err)
{
	if (!ctx->actor_user)
		ctx->actor_user = load_user(ctx, ctx->actor);
	if (!ctx->actor_user)
		return mrm_error_set(err, MRM_EPERM,
				     "not permitted: '%s' is not a registered user (an admin adds it with 'mrm user add %s --role ROLE')",
				     ctx->actor, ctx->actor);
	return MRM_OK;
}

bool mrm__actor_has(struct mrm_ctx *ctx, const char *role)
{
	if (mrm__require_user(ctx, NULL))
		return false;
	return roles_contain(mrm__str(ctx->actor_user, "roles"), role);
}

int mrm__require_role(struct mrm_ctx *ctx, const char *const *roles,
		      const char *doing, struct mrm_error *err)
{
	char list[128] = "";
	size_t used = 0;
	int rc = mrm__require_user(ctx, err);

	if (rc)
		return rc;
	for (const char *const *r = roles; *r; r++) {
		if (mrm__actor_has(ctx, *r))
			return MRM_OK;
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
					 r == roles ? "" : r[1] ? ", " : " or ", *r);
		if (used >= sizeof(list))
			used = sizeof(list) - 1;
	}
	return mrm_error_set(err, MRM_EPERM, "not permitted: %s cannot %s (needs role %s)",
			     ctx->actor, doing, list);
}

int mrm__require_known_user(struct mrm_ctx *ctx, const char *name,
			    const char *field, struct mrm_error *err)
{
	json_t *u = load_user(ctx, name);
	if (!u)
		return mrm_error_set(err, MRM_EINPUT,
				     "unknown user '%s' in %s (add it with 'mrm user add')", name, field);
	json_decref(u);
	return MRM_OK;
}

/* Validates and normalises a role list into sorted canonical order. */
static int normalise_roles(const char *roles, char *out, size_t cap,
			   struct mrm_error *err)
{
	bool want[5] = { false };
	char *copy, *p, *save = NULL;
	int any = 0;

	if (!roles || !*roles)
		return mrm_error_set(err, MRM_EINPUT, "missing --role (one or more of: owner, validator, approver, auditor, admin)");
	copy = strdup(roles);
	for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		int i;
		while (*p == ' ')
			p++;
		for (i = 0; mrm__roles[i]; i++)
			if (!strcmp(p, mrm__roles[i]))
				break;
		if (!mrm__roles[i]) {
			int rc = mrm__check_enum(p, mrm__roles, "role", err);
			free(copy);
			return rc;
		}
		want[i] = true;
		any = 1;
	}
	free(copy);
	if (!any)
		return mrm_error_set(err, MRM_EINPUT, "missing --role");
	/* canonical order: alphabetical */
	static const char *const sorted[] = { "admin", "approver", "auditor", "owner", "validator" };
	static const int idx[] = { 4, 2, 3, 0, 1 };
	out[0] = '\0';
	for (int k = 0; k < 5; k++) {
		if (!want[idx[k]])
			continue;
		if (*out)
			strncat(out, ",", cap - strlen(out) - 1);
		strncat(out, sorted[k], cap - strlen(out) - 1);
	}
	return MRM_OK;
}

static const struct mrm__field user_name_spec[] = {
	{ "name", MRM__F_ID, NULL, true },
	{ NULL, 0, NULL, false },
};

int mrm_user_add(struct mrm_ctx *ctx, const char *name, const char *roles,
		 json_t **out, struct mrm_error *err)
{
	char norm[128];
	json_t *before = NULL, *check = json_pack("{ss}", "name", name ? name : "");
	int64_t users = 0;
	int rc;

	if (out)
		*out = NULL;
	rc = mrm__fields_check(check, user_name_spec, err);
	json_decref(check);
	if (rc || (rc = normalise_roles(roles, norm, sizeof(norm), err)))
		return rc;
	if ((rc = mrm__begin(ctx, err)))
		return rc;
	if ((rc = mrm__int(ctx, "SELECT count(*) FROM users", NOPARAMS, &users, err)))
		goto fail;
	if (users == 0) {
		if (!roles_contain(norm, "admin")) {
			rc = mrm_error_set(err, MRM_EINPUT,
					   "the first user of a store must hold the admin role (e.g. --role admin,validator)");
			goto fail;
		}
	} else if ((rc = mrm__require_role(ctx, (const char *const[]){ "admin", NULL },
					   "add or change users", err))) {
		goto fail;
	}
	before = load_user(ctx, name);
	if (before) {
		if (!strcmp(mrm__str(before, "roles"), norm)) {
			rc = mrm_error_set(err, MRM_EINPUT, "user '%s' already exists with roles %s", name, norm);
			goto fail;
		}
		rc = mrm__exec(ctx, "UPDATE users SET roles = ? WHERE name = ?",
			       PARAMS(PT(norm), PT(name)), err);
	} else {
		rc = mrm__exec(ctx, "INSERT INTO users (name, roles, created_at) VALUES (?, ?, ?)",
			       PARAMS(PT(name), PT(norm), PT(ctx->now_iso)), err);
	}
	if (rc || (rc = mrm__audit(ctx, before ? "user.roles" : "user.add", "user", name, NULL,
				   before, err)))
		goto fail;
	if ((rc = mrm__commit(ctx, err)))
		goto out;
	json_decref(ctx->actor_user);
	ctx->actor_user = NULL;
	if (out)
		*out = load_user(ctx, name);
	goto out;
fail:
	mrm__rollback(ctx);
out:
	json_decref(before);
	return rc;
}

int mrm_user_list(struct mrm_ctx *ctx, json_t **out, struct mrm_error *err)
{
	return mrm__rows(ctx,
			 "SELECT name, roles, created_at, (SELECT count(*) FROM user_tokens t "
			 "WHERE t.user_name = u.name AND t.revoked_at IS NULL) AS tokens "
			 "FROM users u ORDER BY name",
			 NOPARAMS, out, err);
}

int mrm_user_token(struct mrm_ctx *ctx, const char *name, char *token,
		   json_t **out, struct mrm_error *err)
{
	unsigned char rnd[24];
	char hash[MRM_SHA256_HEX], prefix[16];
	json_t *u;
	int64_t id = 0;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = mrm__require_user(ctx, err)))
		return rc;
	if (!(u = load_user(ctx, name)))
		return mrm_error_set(err, MRM_ENOTFOUND, "no user '%s'", name);
	json_decref(u);
	if (strcmp(name, ctx->actor) &&
	    (rc = mrm__require_role(ctx, (const char *const[]){ "admin", NULL },
				    "issue tokens for other users", err)))
		return rc;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return mrm_error_set(err, MRM_ESTORE, "cannot get random bytes for a token");
	memcpy(token, "mrm_", 5);
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(token + 4 + 2 * i, 3, "%02x", rnd[i]);
	mrm_sha256_hex(token, strlen(token), hash);
	snprintf(prefix, sizeof(prefix), "%.12s", token);
	if ((rc = mrm__begin(ctx, err)))
		return rc;
	rc = mrm__int(ctx,
		      "INSERT INTO user_tokens (user_name, prefix, token_hash, created_at) "
		      "VALUES (?, ?, ?, ?) RETURNING id",
		      PARAMS(PT(name), PT(prefix), PT(hash), PT(ctx->now_iso)), &id, err);
	if (rc || (rc = mrm__audit_id(ctx, "token.issue", "token", id, NULL, NULL, err)) ||
	    (rc = mrm__commit(ctx, err))) {
		mrm__rollback(ctx);
		return rc;
	}
	if (out) {
		*out = json_pack("{sIssssss}", "id", (json_int_t)id, "user", name, "prefix",
				 prefix, "created_at", ctx->now_iso);
		mrm__present("token", *out);
	}
	return MRM_OK;
}

int mrm_user_authenticate(struct mrm_ctx *ctx, const char *token, json_t **user,
			  struct mrm_error *err)
{
	char hash[MRM_SHA256_HEX];
	json_t *row = NULL;
	int rc;

	*user = NULL;
	if (!token || strlen(token) > 256)
		return mrm_error_set(err, MRM_EPERM, "invalid API token");
	mrm_sha256_hex(token, strlen(token), hash);
	rc = mrm__row(ctx,
		      "SELECT u.* FROM user_tokens t JOIN users u ON u.name = t.user_name "
		      "WHERE t.token_hash = ? AND t.revoked_at IS NULL",
		      PARAMS(PT(hash)), &row, err);
	if (rc)
		return rc;
	if (!row)
		return mrm_error_set(err, MRM_EPERM, "invalid API token");
	*user = row;
	return MRM_OK;
}
