/* Unit tests for users and roles, API tokens, the model inventory and versions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

#include "mrm/hash.h"

static int setup(void **state)
{
	struct fx *f = fx_new("models");

	if (!f)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx_free(*state);
	return 0;
}

/* Registers the usual cast: alice admin+validator, bob owner, carol approver. */
static void cast(struct fx *f)
{
	add_user(f, "alice", "admin,validator");
	add_user(f, "bob", "owner");
	add_user(f, "carol", "approver");
}

static void first_user_must_be_admin_then_only_admins_add(void **state)
{
	struct fx *f = *state;
	json_t *out = NULL;

	FAILS(f, MRM_EINPUT, "first user of a store must hold the admin role",
	      mrm_user_add(f->ctx, "bob", "owner", NULL, &f->err));
	assert_int_equal(count(f, "SELECT count(*) FROM users"), 0);
	OK(f, mrm_user_add(f->ctx, "alice", "validator,admin", &out, &f->err));
	assert_string_equal(mrm__str(out, "roles"), "admin,validator"); /* normalised order */
	json_decref(out);
	add_user(f, "bob", "owner");
	as(f, "bob");
	FAILS(f, MRM_EPERM, "bob cannot add or change users (needs role admin)",
	      mrm_user_add(f->ctx, "carol", "approver", NULL, &f->err));
	as(f, "mallory");
	FAILS(f, MRM_EPERM, "'mallory' is not a registered user",
	      mrm_user_add(f->ctx, "carol", "approver", NULL, &f->err));
	as(f, "alice");
	FAILS(f, MRM_EINPUT, "invalid role 'boss'", mrm_user_add(f->ctx, "carol", "owner,boss", NULL, &f->err));
	FAILS(f, MRM_EINPUT, "invalid name 'Carol Smith'",
	      mrm_user_add(f->ctx, "Carol Smith", "owner", NULL, &f->err));
	FAILS(f, MRM_EINPUT, "already exists with roles owner", mrm_user_add(f->ctx, "bob", "owner", NULL, &f->err));
	/* adding an existing user with other roles changes them, audited */
	OK(f, mrm_user_add(f->ctx, "bob", "owner,auditor", &out, &f->err));
	assert_string_equal(mrm__str(out, "roles"), "auditor,owner");
	json_decref(out);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_events WHERE action = 'user.roles'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM users"), 2);
	verify_chain(f);
}

static void tokens_are_shown_once_and_stored_hashed(void **state)
{
	struct fx *f = *state;
	char token[80], hash[MRM_SHA256_HEX];
	json_t *out = NULL, *user = NULL;

	cast(f);
	as(f, "bob");
	OK(f, mrm_user_token(f->ctx, "bob", token, &out, &f->err));
	assert_int_equal(strncmp(token, "mrm_", 4), 0);
	assert_int_equal(strlen(token), 4 + 48);
	assert_string_equal(mrm__str(out, "id"), "T-1");
	json_decref(out);
	FAILS(f, MRM_EPERM, "bob cannot issue tokens for other users",
	      mrm_user_token(f->ctx, "carol", token, NULL, &f->err));
	as(f, "alice");
	FAILS(f, MRM_ENOTFOUND, "no user 'zed'", mrm_user_token(f->ctx, "zed", token, NULL, &f->err));
	OK(f, mrm_user_token(f->ctx, "carol", token, NULL, &f->err));
	/* the store keeps the SHA-256, never the token */
	mrm_sha256_hex(token, strlen(token), hash);
	{
		int64_t plain = -1, hashed = -1;
		OK(f, mrm__int(f->ctx, "SELECT count(*) FROM user_tokens WHERE token_hash = ?", PARAMS(PT(token)),
			       &plain, &f->err));
		OK(f, mrm__int(f->ctx, "SELECT count(*) FROM user_tokens WHERE token_hash = ?", PARAMS(PT(hash)),
			       &hashed, &f->err));
		assert_int_equal(plain, 0);
		assert_int_equal(hashed, 1);
	}
	OK(f, mrm_user_authenticate(f->ctx, token, &user, &f->err));
	assert_string_equal(mrm__str(user, "name"), "carol");
	json_decref(user);
	token[10] ^= 1;
	FAILS(f, MRM_EPERM, "invalid API token", mrm_user_authenticate(f->ctx, token, &user, &f->err));
	assert_null(user);
	verify_chain(f);
}

static json_t *model_fields(const char *id, const char *owner)
{
	return json_pack("{ss ss ss ss}", "id", id, "name", "A model", "owner", owner, "purpose", "Testing");
}

static void models_register_with_rules(void **state)
{
	struct fx *f = *state;
	json_t *in, *out = NULL;
	int64_t events;

	cast(f);
	as(f, "bob");
	in = json_pack("{ss ss ss ss ss s[ss] ss}", "id", "assist", "name", "Assistant", "owner", "bob",
		       "purpose", "Answers", "type", "llm", "data_sources", "docs", "crm", "next_review_due",
		       "2027-01-15");
	OK(f, mrm_model_add(f->ctx, in, &out, &f->err));
	json_decref(in);
	assert_true(json_is_true(json_object_get(out, "genai"))); /* llm implies genai */
	assert_string_equal(mrm__str(out, "status"), "development");
	assert_string_equal(json_string_value(json_array_get(json_object_get(out, "data_sources"), 1)), "crm");
	json_decref(out);
	events = count(f, "SELECT count(*) FROM audit_events");

	in = model_fields("assist", "bob");
	FAILS(f, MRM_EINPUT, "model 'assist' already exists", mrm_model_add(f->ctx, in, NULL, &f->err));
	json_decref(in);
	in = model_fields("x", "nobody");
	FAILS(f, MRM_EINPUT, "unknown user 'nobody' in owner", mrm_model_add(f->ctx, in, NULL, &f->err));
	json_decref(in);
	in = model_fields("-x", "bob");
	FAILS(f, MRM_EINPUT, "invalid id '-x'", mrm_model_add(f->ctx, in, NULL, &f->err));
	json_decref(in);
	in = json_pack("{ss ss ss}", "id", "x", "name", "X", "owner", "bob");
	FAILS(f, MRM_EINPUT, "missing required field 'purpose'", mrm_model_add(f->ctx, in, NULL, &f->err));
	json_decref(in);
	in = model_fields("x", "bob");
	json_object_set_new(in, "colour", json_string("red"));
	FAILS(f, MRM_EINPUT, "unknown field 'colour'", mrm_model_add(f->ctx, in, NULL, &f->err));
	json_object_del(in, "colour");
	json_object_set_new(in, "status", json_string("live"));
	FAILS(f, MRM_EINPUT, "invalid status 'live'", mrm_model_add(f->ctx, in, NULL, &f->err));
	json_object_set_new(in, "status", json_string("production"));
	json_object_set_new(in, "next_review_due", json_string("2027-02-29"));
	FAILS(f, MRM_EINPUT, "invalid next_review_due '2027-02-29'", mrm_model_add(f->ctx, in, NULL, &f->err));
	json_object_del(in, "next_review_due");
	as(f, "carol"); /* an approver does not register models */
	FAILS(f, MRM_EPERM, "carol cannot register models", mrm_model_add(f->ctx, in, NULL, &f->err));
	json_decref(in);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_events"), events);
	assert_int_equal(count(f, "SELECT count(*) FROM models"), 1);
	verify_chain(f);
}

static void models_update_list_and_show(void **state)
{
	struct fx *f = *state;
	struct mrm_model_filter all = { 0 }, prod = { .status = "production" }, bad = { .status = "live" };
	json_t *in, *out = NULL;

	cast(f);
	add_user(f, "dan", "owner");
	as(f, "bob");
	in = model_fields("m1", "bob");
	OK(f, mrm_model_add(f->ctx, in, NULL, &f->err));
	json_decref(in);
	in = model_fields("m2", "bob");
	OK(f, mrm_model_add(f->ctx, in, NULL, &f->err));
	json_decref(in);

	in = json_pack("{ss ss}", "status", "production", "team", "Risk");
	OK(f, mrm_model_update(f->ctx, "m1", in, &out, &f->err));
	assert_string_equal(mrm__str(out, "team"), "Risk");
	json_decref(out);
	FAILS(f, MRM_EINPUT, "nothing changed", mrm_model_update(f->ctx, "m1", in, NULL, &f->err));
	json_decref(in);
	in = json_pack("{ss}", "owner", "ghost");
	FAILS(f, MRM_EINPUT, "unknown user 'ghost'", mrm_model_update(f->ctx, "m1", in, NULL, &f->err));
	json_decref(in);
	in = json_pack("{ss}", "id", "renamed");
	FAILS(f, MRM_EINPUT, "field 'id' cannot change", mrm_model_update(f->ctx, "m1", in, NULL, &f->err));
	json_decref(in);
	in = json_pack("{ss}", "team", "Other");
	FAILS(f, MRM_ENOTFOUND, "no model 'm9'", mrm_model_update(f->ctx, "m9", in, NULL, &f->err));
	as(f, "dan"); /* another owner may not edit bob's model */
	FAILS(f, MRM_EPERM, "dan cannot update this model", mrm_model_update(f->ctx, "m1", in, NULL, &f->err));
	json_decref(in);
	as(f, "alice"); /* a validator may; retirement is final */
	in = json_pack("{ss}", "status", "retired");
	OK(f, mrm_model_update(f->ctx, "m2", in, NULL, &f->err));
	json_decref(in);
	in = json_pack("{ss}", "status", "production");
	FAILS(f, MRM_EINPUT, "model 'm2' is retired", mrm_model_update(f->ctx, "m2", in, NULL, &f->err));
	json_decref(in);

	OK(f, mrm_model_list(f->ctx, &all, &out, &f->err));
	assert_int_equal(json_array_size(out), 2);
	json_decref(out);
	OK(f, mrm_model_list(f->ctx, &prod, &out, &f->err));
	assert_int_equal(json_array_size(out), 1);
	assert_string_equal(mrm__str(json_array_get(out, 0), "id"), "m1");
	json_decref(out);
	FAILS(f, MRM_EINPUT, "invalid status 'live'", mrm_model_list(f->ctx, &bad, &out, &f->err));
	OK(f, mrm_model_show(f->ctx, "m1", &out, &f->err));
	assert_true(json_is_array(json_object_get(out, "versions")));
	assert_true(json_is_array(json_object_get(out, "findings")));
	assert_true(json_is_array(json_object_get(out, "incidents")));
	json_decref(out);
	FAILS(f, MRM_ENOTFOUND, "no model 'nope'", mrm_model_show(f->ctx, "nope", &out, &f->err));
	verify_chain(f);
}

static void versions_hash_artifacts_and_material_changes_reopen_review(void **state)
{
	struct fx *f = *state;
	char path[200], hex[MRM_SHA256_HEX];
	json_t *in, *out = NULL, *m = NULL;
	FILE *file;

	cast(f);
	as(f, "bob");
	in = model_fields("m1", "bob");
	OK(f, mrm_model_add(f->ctx, in, NULL, &f->err));
	json_decref(in);
	snprintf(path, sizeof(path), "%s/model.bin", f->dir);
	file = fopen(path, "wb");
	assert_non_null(file);
	fputs("weights", file);
	fclose(file);
	mrm_sha256_hex("weights", 7, hex);

	in = json_pack("{ss}", "artifact", path);
	OK(f, mrm_version_add(f->ctx, "m1", "1.0", in, &out, &f->err));
	json_decref(in);
	assert_string_equal(mrm__str(out, "artifact_sha256"), hex);
	assert_string_equal(mrm__str(out, "change_type"), "new");
	assert_null(json_object_get(out, "review_opened"));
	json_decref(out);
	FAILS(f, MRM_EINPUT, "already has version '1.0'", mrm_version_add(f->ctx, "m1", "1.0", NULL, NULL, &f->err));
	in = json_pack("{ss}", "artifact", "/no/such/file");
	FAILS(f, MRM_EINPUT, "cannot read /no/such/file", mrm_version_add(f->ctx, "m1", "1.1", in, NULL, &f->err));
	json_decref(in);
	in = json_pack("{ss ss}", "artifact", "s3://b/m.onnx", "change_type", "rewrite");
	FAILS(f, MRM_EINPUT, "invalid change_type 'rewrite'", mrm_version_add(f->ctx, "m1", "1.1", in, NULL, &f->err));
	json_decref(in);

	/* a URI is kept as given; a material change opens a review */
	as_at(f, "bob", "2027-01-10T08:00:00Z");
	in = json_pack("{ss sb}", "artifact", "s3://b/m.onnx", "material", 1);
	OK(f, mrm_version_add(f->ctx, "m1", "2.0", in, &out, &f->err));
	json_decref(in);
	assert_true(json_is_null(json_object_get(out, "artifact_sha256")));
	assert_string_equal(mrm__str(out, "change_type"), "retrain");
	assert_string_equal(mrm__str(out, "review_opened"), "R-1");
	json_decref(out);
	OK(f, mrm__model_get(f->ctx, "m1", &m, &f->err));
	assert_string_equal(mrm__str(m, "current_version"), "2.0");
	assert_string_equal(mrm__str(m, "review_status"), "open");
	assert_string_equal(mrm__str(m, "next_review_due"), "2027-01-10");
	json_decref(m);
	/* a second material change while that review is open moves it on, no second review */
	in = json_pack("{sb}", "material", 1);
	OK(f, mrm_version_add(f->ctx, "m1", "3.0", in, &out, &f->err));
	json_decref(in);
	assert_string_equal(mrm__str(out, "review_opened"), "R-1");
	json_decref(out);
	assert_int_equal(count(f, "SELECT count(*) FROM reviews"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM reviews WHERE version = '3.0'"), 1);
	as(f, "carol");
	FAILS(f, MRM_EPERM, "carol cannot add versions", mrm_version_add(f->ctx, "m1", "4.0", NULL, NULL, &f->err));
	verify_chain(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(first_user_must_be_admin_then_only_admins_add, setup, teardown),
		cmocka_unit_test_setup_teardown(tokens_are_shown_once_and_stored_hashed, setup, teardown),
		cmocka_unit_test_setup_teardown(models_register_with_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(models_update_list_and_show, setup, teardown),
		cmocka_unit_test_setup_teardown(versions_hash_artifacts_and_material_changes_reopen_review, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
