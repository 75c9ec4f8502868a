/* Unit tests for risk acceptances: authority by tier, independence, input rules, expiry, revocation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fixture.h"

#include "mrm/acceptance.h"

/*
 * Inserts a finding row directly (audited), so these tests do not depend
 * on the findings module.
 */
static int64_t add_finding(struct fx *f, const char *model, const char *owner, const char *status)
{
	int64_t id = 0;
	OK(f, mrm__begin(f->ctx, &f->err));
	OK(f, mrm__int(f->ctx,
		       "INSERT INTO findings (model_id, severity, category, title, owner, status, raised_by, "
		       "created_at, updated_at) VALUES (?, 'high', 'performance', 'AUC below floor', ?, ?, "
		       "'alice', ?, ?) RETURNING id",
		       PARAMS(PT(model), PT(owner), PT(status), PT(NOW), PT(NOW)), &id, &f->err));
	OK(f, mrm__audit_id(f->ctx, "finding.add", "finding", id, model, NULL, &f->err));
	OK(f, mrm__commit(f->ctx, &f->err));
	return id;
}

/* A snapshot of what a refused acceptance must leave unchanged. */
struct counts {
	int64_t events, acceptances, links;
};

static struct counts snap(struct fx *f)
{
	return (struct counts){ count(f, "SELECT count(*) FROM audit_events"),
				count(f, "SELECT count(*) FROM acceptances"),
				count(f, "SELECT count(*) FROM acceptance_findings") };
}

static void unchanged(struct fx *f, struct counts before)
{
	struct counts now = snap(f);
	assert_int_equal(now.events, before.events);
	assert_int_equal(now.acceptances, before.acceptances);
	assert_int_equal(now.links, before.links);
	verify_chain(f);
}

/* The fields of an acceptance of `findings` (a JSON array, stolen). */
static json_t *req(json_t *findings, const char *expires)
{
	return json_pack("{so ss ss}", "findings", findings, "rationale",
			 "Compensated by manual review of declines", "expires", expires);
}

/*
 * Users: alice admin,validator; bob owner; carol approver; dave validator;
 * erin owner; frank approver,owner; ivan auditor.
 * Models: t1 (bob, tier 1), t2 (bob, tier 2), t3 (bob, tier 3),
 * untiered (bob), frank1 (frank, tier 1), frank2 (frank, tier 2).
 */
static int setup(void **state)
{
	struct fx *f = fx_new("acc");

	if (!f)
		return -1;
	add_user(f, "alice", "admin,validator");
	add_user(f, "bob", "owner");
	add_user(f, "carol", "approver");
	add_user(f, "dave", "validator");
	add_user(f, "erin", "owner");
	add_user(f, "frank", "approver,owner");
	add_user(f, "ivan", "auditor");
	add_model(f, "t1", "bob");
	add_model(f, "t2", "bob");
	add_model(f, "t3", "bob");
	add_model(f, "untiered", "bob");
	add_model(f, "frank1", "frank");
	add_model(f, "frank2", "frank");
	set_tier(f, "t1", 1);
	set_tier(f, "t2", 2);
	set_tier(f, "t3", 3);
	set_tier(f, "frank1", 1);
	set_tier(f, "frank2", 2);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx_free(*state);
	return 0;
}

/* Accepts finding `fid` of `model` as the current actor; returns the A-N row. */
static json_t *accept1(struct fx *f, const char *model, int64_t fid, const char *expires)
{
	json_t *in = req(json_pack("[I]", (json_int_t)fid), expires), *out = NULL;
	OK(f, mrm_accept(f->ctx, model, in, &out, &f->err));
	json_decref(in);
	return out;
}

static void refuse1(struct fx *f, const char *model, int64_t fid, int code, const char *text)
{
	json_t *in = req(json_pack("[I]", (json_int_t)fid), "2027-06-01");
	struct counts c = snap(f);
	FAILS(f, code, text, mrm_accept(f->ctx, model, in, NULL, &f->err));
	json_decref(in);
	unchanged(f, c);
}

static void tier1_needs_an_independent_approver(void **state)
{
	struct fx *f = *state;
	int64_t a = add_finding(f, "t1", "erin", "open");
	int64_t b = add_finding(f, "frank1", "erin", "open");
	json_t *out;

	as(f, "dave"); /* validator: not enough on tier 1 */
	refuse1(f, "t1", a, MRM_EPERM, "needs role approver");
	as(f, "alice"); /* admin,validator: admin grants nothing here */
	refuse1(f, "t1", a, MRM_EPERM, "accepting risk on tier 1 model 't1' needs role approver; alice has admin,validator");
	as(f, "bob"); /* the model owner */
	refuse1(f, "t1", a, MRM_EPERM, "needs role approver");
	as(f, "frank"); /* an approver who owns the model */
	refuse1(f, "frank1", b, MRM_EPERM, "frank owns tier 1 model 'frank1'; its risk must be accepted by someone independent");
	as(f, "mallory"); /* not registered */
	refuse1(f, "t1", a, MRM_EPERM, "not a registered user");

	as(f, "carol");
	out = accept1(f, "t1", a, "2027-06-01");
	assert_string_equal(mrm__str(out, "id"), "A-1");
	assert_string_equal(mrm__str(out, "authority_role"), "approver");
	assert_int_equal(json_integer_value(json_object_get(out, "model_tier")), 1);
	assert_string_equal(mrm__str(out, "accepted_by"), "carol");
	assert_string_equal(mrm__str(out, "state"), "active");
	assert_string_equal(json_string_value(json_array_get(json_object_get(out, "findings"), 0)), "F-1");
	json_decref(out);
	verify_chain(f);
}

static void untiered_is_treated_as_tier1(void **state)
{
	struct fx *f = *state;
	int64_t a = add_finding(f, "untiered", "erin", "open");
	json_t *out;

	as(f, "dave");
	refuse1(f, "untiered", a, MRM_EPERM, "untiered model 'untiered' (treated as tier 1) needs role approver; dave has validator");
	as(f, "carol");
	out = accept1(f, "untiered", a, "2027-06-01");
	assert_true(json_is_null(json_object_get(out, "model_tier")));
	assert_string_equal(mrm__str(out, "authority_role"), "approver");
	json_decref(out);
}

static void tier2_allows_validators_but_not_the_owner(void **state)
{
	struct fx *f = *state;
	int64_t a = add_finding(f, "t2", "erin", "open");
	int64_t b = add_finding(f, "frank2", "erin", "open");
	json_t *out;

	as(f, "bob"); /* owner role is not enough on tier 2 */
	refuse1(f, "t2", a, MRM_EPERM, "needs role approver or validator");
	as(f, "ivan");
	refuse1(f, "t2", a, MRM_EPERM, "needs role approver or validator");
	as(f, "frank"); /* approver, but owns frank2 */
	refuse1(f, "frank2", b, MRM_EPERM, "independent of the model owner");
	as(f, "dave");
	out = accept1(f, "t2", a, "2027-06-01");
	assert_string_equal(mrm__str(out, "authority_role"), "validator");
	assert_int_equal(json_integer_value(json_object_get(out, "model_tier")), 2);
	json_decref(out);
	as(f, "carol");
	out = accept1(f, "frank2", b, "2027-06-01");
	assert_string_equal(mrm__str(out, "authority_role"), "approver");
	json_decref(out);
	verify_chain(f);
}

static void tier3_allows_the_owner_role(void **state)
{
	struct fx *f = *state;
	int64_t a = add_finding(f, "t3", "erin", "open");
	int64_t b = add_finding(f, "t3", "erin", "open");
	json_t *out;

	as(f, "ivan");
	refuse1(f, "t3", a, MRM_EPERM, "needs role approver, validator or owner");
	as(f, "bob"); /* owner of the model: allowed on tier 3 */
	out = accept1(f, "t3", a, "2027-06-01");
	assert_string_equal(mrm__str(out, "authority_role"), "owner");
	assert_int_equal(json_integer_value(json_object_get(out, "model_tier")), 3);
	json_decref(out);
	as(f, "frank"); /* approver and owner: the stronger role is recorded */
	out = accept1(f, "t3", b, "2027-06-01");
	assert_string_equal(mrm__str(out, "authority_role"), "approver");
	json_decref(out);
}

static void finding_owner_cannot_accept_its_risk(void **state)
{
	struct fx *f = *state;
	int64_t mine = add_finding(f, "t1", "carol", "open");
	int64_t other = add_finding(f, "t1", "erin", "open");
	int64_t t3 = add_finding(f, "t3", "bob", "open");
	json_t *in;
	struct counts c;

	as(f, "carol");
	refuse1(f, "t1", mine, MRM_EPERM, "carol owns finding F-1");
	/* one owned finding in the list refuses the whole acceptance */
	in = req(json_pack("[II]", (json_int_t)other, (json_int_t)mine), "2027-06-01");
	c = snap(f);
	FAILS(f, MRM_EPERM, "a finding's owner cannot accept its risk",
	      mrm_accept(f->ctx, "t1", in, NULL, &f->err));
	json_decref(in);
	unchanged(f, c);
	as(f, "bob"); /* tier 3 owner authority, but bob owns the finding */
	refuse1(f, "t3", t3, MRM_EPERM, "bob owns finding F-3");
}

static void bad_input_is_refused(void **state)
{
	struct fx *f = *state;
	int64_t a = add_finding(f, "t1", "erin", "open");
	int64_t other = add_finding(f, "t2", "erin", "open");
	int64_t closed = add_finding(f, "t1", "erin", "closed");
	json_t *in, *out;
	struct counts c;

	as(f, "carol");
	c = snap(f);
	refuse1(f, "nope", a, MRM_ENOTFOUND, "no model 'nope'");
	refuse1(f, "t1", 99, MRM_ENOTFOUND, "no finding F-99");
	refuse1(f, "t1", other, MRM_EINPUT, "finding F-2 belongs to model 't2', not 't1'");
	refuse1(f, "t1", closed, MRM_EINPUT, "finding F-3 is closed");

	in = req(json_pack("[ss]", "F-1", "f-1"), "2027-06-01");
	FAILS(f, MRM_EINPUT, "finding F-1 is listed twice", mrm_accept(f->ctx, "t1", in, NULL, &f->err));
	json_decref(in);
	in = req(json_pack("[s]", "X-1"), "2027-06-01");
	FAILS(f, MRM_EINPUT, "invalid finding id 'X-1'", mrm_accept(f->ctx, "t1", in, NULL, &f->err));
	json_decref(in);
	in = req(json_array(), "2027-06-01");
	FAILS(f, MRM_EINPUT, "missing required field 'findings'", mrm_accept(f->ctx, "t1", in, NULL, &f->err));
	json_decref(in);

	in = json_pack("{s[i] ss}", "findings", 1, "expires", "2027-06-01");
	FAILS(f, MRM_EINPUT, "missing required field 'rationale'", mrm_accept(f->ctx, "t1", in, NULL, &f->err));
	json_object_set_new(in, "rationale", json_string("   "));
	FAILS(f, MRM_EINPUT, "field 'rationale' must not be empty", mrm_accept(f->ctx, "t1", in, NULL, &f->err));
	json_decref(in);
	in = json_pack("{s[i] ss}", "findings", 1, "rationale", "why");
	FAILS(f, MRM_EINPUT, "missing required field 'expires'", mrm_accept(f->ctx, "t1", in, NULL, &f->err));
	json_decref(in);
	in = req(json_pack("[i]", 1), "2027-02-30");
	FAILS(f, MRM_EINPUT, "invalid expires '2027-02-30'", mrm_accept(f->ctx, "t1", in, NULL, &f->err));
	json_decref(in);
	in = req(json_pack("[i]", 1), "2026-11-26");
	FAILS(f, MRM_EINPUT, "expires 2026-11-26 must be after today (2026-11-26)",
	      mrm_accept(f->ctx, "t1", in, NULL, &f->err));
	json_decref(in);
	in = req(json_pack("[i]", 1), "2025-01-01");
	FAILS(f, MRM_EINPUT, "must be after today", mrm_accept(f->ctx, "t1", in, NULL, &f->err));
	json_decref(in);
	/* 2027-11-27 is 366 days after 2026-11-26 */
	in = req(json_pack("[i]", 1), "2027-11-27");
	FAILS(f, MRM_EINPUT, "acceptances must be re-reviewed at least yearly",
	      mrm_accept(f->ctx, "t1", in, NULL, &f->err));
	json_decref(in);
	in = req(json_pack("[i]", 1), "2027-06-01");
	json_object_set_new(in, "colour", json_string("red"));
	FAILS(f, MRM_EINPUT, "unknown field 'colour'", mrm_accept(f->ctx, "t1", in, NULL, &f->err));
	json_decref(in);
	in = req(json_pack("[i]", 1), "2027-06-01");
	json_object_set_new(in, "triggers", json_pack("[s]", ""));
	FAILS(f, MRM_EINPUT, "field 'triggers' item 1", mrm_accept(f->ctx, "t1", in, NULL, &f->err));
	json_decref(in);
	unchanged(f, c);

	/* exactly 365 days is allowed; triggers and controls are stored */
	in = req(json_pack("[s]", "F-1"), "2027-11-26");
	json_object_set_new(in, "controls", json_string("Manual review of declines"));
	json_object_set_new(in, "triggers", json_pack("[ss]", "PSI > 0.25 on income", "new model version"));
	OK(f, mrm_accept(f->ctx, "t1", in, &out, &f->err));
	json_decref(in);
	assert_int_equal(json_integer_value(json_object_get(out, "days_to_expiry")), 365);
	assert_string_equal(mrm__str(out, "controls"), "Manual review of declines");
	assert_int_equal(json_array_size(json_object_get(out, "triggers")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(out, "triggers"), 0)),
			    "PSI > 0.25 on income");
	json_decref(out);
	{
		json_t *row = NULL;
		OK(f, mrm__row(f->ctx, "SELECT triggers FROM acceptances WHERE id = 1", NOPARAMS, &row, &f->err));
		assert_true(json_is_array(json_object_get(row, "triggers")));
		json_decref(row);
	}
	/* F-1 is now covered: a second acceptance of it is refused, naming A-1 */
	refuse1(f, "t1", a, MRM_EINPUT, "finding F-1 is already covered by active acceptance A-1");
	/* the finding's stored status is not touched */
	{
		json_t *row = NULL;
		OK(f, mrm__row(f->ctx, "SELECT status FROM findings WHERE id = 1", NOPARAMS, &row, &f->err));
		assert_string_equal(mrm__str(row, "status"), "open");
		json_decref(row);
	}
	verify_chain(f);
}

static void each_row_is_audited(void **state)
{
	struct fx *f = *state;
	int64_t a = add_finding(f, "t1", "erin", "open");
	int64_t b = add_finding(f, "t1", "erin", "in-remediation");
	int64_t before = count(f, "SELECT count(*) FROM audit_events");
	json_t *in = req(json_pack("[II]", (json_int_t)a, (json_int_t)b), "2027-01-01"), *out = NULL;

	as(f, "carol");
	OK(f, mrm_accept(f->ctx, "t1", in, &out, &f->err));
	json_decref(in);
	assert_int_equal(json_array_size(json_object_get(out, "findings")), 2);
	json_decref(out);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_events") - before, 3);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_events WHERE object_type = 'acceptance' "
				  "AND action = 'acceptance.add' AND model_id = 't1'"),
			 1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_events WHERE object_type = 'acceptance_finding' "
				  "AND model_id = 't1'"),
			 2);
	verify_chain(f);
}

static void expiry_is_the_first_day_not_covered(void **state)
{
	struct fx *f = *state;
	int64_t a = add_finding(f, "t1", "erin", "open");
	struct mrm_acceptance_filter active = { .state = "active" }, expired = { .state = "expired" };
	json_t *out = NULL;

	as(f, "carol");
	json_decref(accept1(f, "t1", a, "2027-01-01"));

	as_at(f, "carol", "2026-12-31T23:59:59Z");
	OK(f, mrm_acceptance_covering(f->ctx, a, &out, &f->err));
	assert_non_null(out);
	assert_string_equal(mrm__str(out, "id"), "A-1");
	assert_string_equal(mrm__str(out, "state"), "active");
	assert_int_equal(json_integer_value(json_object_get(out, "days_to_expiry")), 1);
	json_decref(out);
	OK(f, mrm_acceptance_list(f->ctx, &active, &out, &f->err));
	assert_int_equal(json_array_size(out), 1);
	json_decref(out);
	OK(f, mrm_acceptance_list(f->ctx, &expired, &out, &f->err));
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);

	as_at(f, "carol", "2027-01-01T00:00:00Z");
	OK(f, mrm_acceptance_covering(f->ctx, a, &out, &f->err));
	assert_null(out);
	OK(f, mrm_acceptance_show(f->ctx, "A-1", &out, &f->err));
	assert_string_equal(mrm__str(out, "state"), "expired");
	assert_int_equal(json_integer_value(json_object_get(out, "days_to_expiry")), 0);
	json_decref(out);
	OK(f, mrm_acceptance_list(f->ctx, &active, &out, &f->err));
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
	OK(f, mrm_acceptance_list(f->ctx, &expired, &out, &f->err));
	assert_int_equal(json_array_size(out), 1);
	json_decref(out);

	/* once expired, the finding can be accepted again (a fresh decision) */
	out = accept1(f, "t1", a, "2027-06-01");
	assert_string_equal(mrm__str(out, "id"), "A-2");
	json_decref(out);
	as_at(f, "carol", "2027-03-01T00:00:00Z");
	OK(f, mrm_acceptance_show(f->ctx, "A-1", &out, &f->err));
	assert_int_equal(json_integer_value(json_object_get(out, "days_to_expiry")), -59);
	json_decref(out);
	OK(f, mrm_acceptance_covering(f->ctx, a, &out, &f->err));
	assert_string_equal(mrm__str(out, "id"), "A-2");
	json_decref(out);
	verify_chain(f);
}

static void list_filters_and_shows(void **state)
{
	struct fx *f = *state;
	int64_t a = add_finding(f, "t1", "erin", "open");
	int64_t b = add_finding(f, "t2", "erin", "open");
	struct mrm_acceptance_filter by_model = { .model_id = "t2" }, bad = { .state = "lapsed" },
				     nomodel = { .model_id = "nope" };
	json_t *out = NULL;

	as(f, "carol");
	json_decref(accept1(f, "t1", a, "2027-01-01"));
	json_decref(accept1(f, "t2", b, "2027-02-01"));
	OK(f, mrm_acceptance_list(f->ctx, NULL, &out, &f->err));
	assert_int_equal(json_array_size(out), 2);
	json_decref(out);
	OK(f, mrm_acceptance_list(f->ctx, &by_model, &out, &f->err));
	assert_int_equal(json_array_size(out), 1);
	assert_string_equal(mrm__str(json_array_get(out, 0), "id"), "A-2");
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(out, 0), "findings"), 0)),
			    "F-2");
	json_decref(out);
	FAILS(f, MRM_EINPUT, "invalid state 'lapsed'", mrm_acceptance_list(f->ctx, &bad, &out, &f->err));
	FAILS(f, MRM_ENOTFOUND, "no model 'nope'", mrm_acceptance_list(f->ctx, &nomodel, &out, &f->err));

	OK(f, mrm_acceptance_show(f->ctx, "a-1", &out, &f->err));
	assert_string_equal(mrm__str(out, "rationale"), "Compensated by manual review of declines");
	assert_string_equal(mrm__str(json_array_get(json_object_get(out, "covered_findings"), 0), "id"), "F-1");
	assert_string_equal(mrm__str(json_array_get(json_object_get(out, "covered_findings"), 0), "title"),
			    "AUC below floor");
	json_decref(out);
	FAILS(f, MRM_ENOTFOUND, "no acceptance A-9", mrm_acceptance_show(f->ctx, "A-9", &out, &f->err));
	FAILS(f, MRM_EINPUT, "invalid acceptance id 'F-1'", mrm_acceptance_show(f->ctx, "F-1", &out, &f->err));
}

static void revocation(void **state)
{
	struct fx *f = *state;
	int64_t a = add_finding(f, "t1", "erin", "open");
	int64_t b = add_finding(f, "t2", "erin", "open");
	struct counts c;
	json_t *out = NULL;

	as(f, "carol");
	json_decref(accept1(f, "t1", a, "2027-06-01"));
	as(f, "dave");
	json_decref(accept1(f, "t2", b, "2027-06-01"));

	/* dave neither accepted A-1 nor holds approver/admin */
	c = snap(f);
	FAILS(f, MRM_EPERM, "needs role approver or admin",
	      mrm_acceptance_revoke(f->ctx, "A-1", "model retrained", NULL, &f->err));
	as(f, "carol");
	FAILS(f, MRM_EINPUT, "needs a reason", mrm_acceptance_revoke(f->ctx, "A-1", " ", NULL, &f->err));
	FAILS(f, MRM_ENOTFOUND, "no acceptance A-7",
	      mrm_acceptance_revoke(f->ctx, "A-7", "x", NULL, &f->err));
	unchanged(f, c);

	OK(f, mrm_acceptance_revoke(f->ctx, "A-1", "model retrained", &out, &f->err));
	assert_string_equal(mrm__str(out, "state"), "revoked");
	assert_string_equal(mrm__str(out, "revoked_by"), "carol");
	assert_string_equal(mrm__str(out, "revoke_reason"), "model retrained");
	assert_true(json_is_null(json_object_get(out, "days_to_expiry")));
	json_decref(out);
	c = snap(f);
	FAILS(f, MRM_EINPUT, "A-1 was already revoked by carol",
	      mrm_acceptance_revoke(f->ctx, "A-1", "again", NULL, &f->err));
	unchanged(f, c);
	OK(f, mrm_acceptance_covering(f->ctx, a, &out, &f->err));
	assert_null(out);

	/* the original acceptor may revoke their own; so may an admin */
	as(f, "dave");
	OK(f, mrm_acceptance_revoke(f->ctx, "A-2", "controls lapsed", NULL, &f->err));
	as(f, "carol");
	json_decref(accept1(f, "t2", b, "2027-06-01"));
	as(f, "alice");
	OK(f, mrm_acceptance_revoke(f->ctx, "3", "superseded", NULL, &f->err));
	{
		struct mrm_acceptance_filter revoked = { .state = "revoked" };
		OK(f, mrm_acceptance_list(f->ctx, &revoked, &out, &f->err));
		assert_int_equal(json_array_size(out), 3);
		json_decref(out);
	}
	/* revoked acceptances no longer block a new one */
	as(f, "carol");
	json_decref(accept1(f, "t1", a, "2027-06-01"));
	verify_chain(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(tier1_needs_an_independent_approver, setup, teardown),
		cmocka_unit_test_setup_teardown(untiered_is_treated_as_tier1, setup, teardown),
		cmocka_unit_test_setup_teardown(tier2_allows_validators_but_not_the_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(tier3_allows_the_owner_role, setup, teardown),
		cmocka_unit_test_setup_teardown(finding_owner_cannot_accept_its_risk, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_input_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(each_row_is_audited, setup, teardown),
		cmocka_unit_test_setup_teardown(expiry_is_the_first_day_not_covered, setup, teardown),
		cmocka_unit_test_setup_teardown(list_filters_and_shows, setup, teardown),
		cmocka_unit_test_setup_teardown(revocation, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
