/* Unit tests for reviews (open, decide, cadence) and sign-offs (separation of duties). */
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

#include "mrm/review.h"
#include "mrm/signoff.h"

/* What a refused operation must leave unchanged: counts and the model rows. */
struct state {
	int64_t events, reviews, signoffs;
	json_t *models;
};

static struct state snap(struct fx *f)
{
	struct state s = { count(f, "SELECT count(*) FROM audit_events"),
			   count(f, "SELECT count(*) FROM reviews"),
			   count(f, "SELECT count(*) FROM signoffs"), NULL };
	OK(f, mrm__rows(f->ctx, "SELECT * FROM models ORDER BY id", NOPARAMS, &s.models, &f->err));
	return s;
}

static void unchanged(struct fx *f, struct state before)
{
	struct state now = snap(f);
	assert_int_equal(now.events, before.events);
	assert_int_equal(now.reviews, before.reviews);
	assert_int_equal(now.signoffs, before.signoffs);
	assert_true(json_equal(now.models, before.models));
	json_decref(now.models);
	json_decref(before.models);
	verify_chain(f);
}

static void add_version(struct fx *f, const char *model, const char *version, bool material)
{
	json_t *in = json_pack("{sb}", "material", material);
	OK(f, mrm_version_add(f->ctx, model, version, in, NULL, &f->err));
	json_decref(in);
}

/* The model row as stored now (caller frees). */
static json_t *model_row(struct fx *f, const char *id)
{
	json_t *m = NULL;
	OK(f, mrm__model_get(f->ctx, id, &m, &f->err));
	return m;
}

/*
 * Users: alice admin,validator; bob owner; carol approver; dave validator;
 * erin owner; frank approver,owner; gina owner,validator; adm admin;
 * ivan auditor. Models: t1 t2 t3 untiered (owner bob, tiers 1 2 3 none),
 * frank1 (frank, tier 1), gina2 (gina, tier 2). t1 has versions 1.0, 1.1.
 */
static int setup(void **state)
{
	struct fx *f = fx_new("rev");

	if (!f)
		return -1;
	add_user(f, "alice", "admin,validator");
	add_user(f, "bob", "owner");
	add_user(f, "carol", "approver");
	add_user(f, "dave", "validator");
	add_user(f, "erin", "owner");
	add_user(f, "frank", "approver,owner");
	add_user(f, "gina", "owner,validator");
	add_user(f, "adm", "admin");
	add_user(f, "ivan", "auditor");
	add_model(f, "t1", "bob");
	add_model(f, "t2", "bob");
	add_model(f, "t3", "bob");
	add_model(f, "untiered", "bob");
	add_model(f, "frank1", "frank");
	add_model(f, "gina2", "gina");
	set_tier(f, "t1", 1);
	set_tier(f, "t2", 2);
	set_tier(f, "t3", 3);
	set_tier(f, "frank1", 1);
	set_tier(f, "gina2", 2);
	add_version(f, "t1", "1.0", false);
	add_version(f, "t1", "1.1", false);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx_free(*state);
	return 0;
}

/* Calls mrm_review_decide and frees the fields. */
static int decide(struct fx *f, const char *rid, json_t *in, json_t **out)
{
	int rc = mrm_review_decide(f->ctx, rid, in, out, &f->err);
	json_decref(in);
	return rc;
}

/* Calls mrm_review_open and frees the fields. */
static int open_with(struct fx *f, const char *model, json_t *in, json_t **out)
{
	int rc = mrm_review_open(f->ctx, model, in, out, &f->err);
	json_decref(in);
	return rc;
}

static void refuse_open(struct fx *f, const char *model, json_t *in, int code, const char *text)
{
	struct state s = snap(f);
	FAILS(f, code, text, mrm_review_open(f->ctx, model, in, NULL, &f->err));
	json_decref(in);
	unchanged(f, s);
}

static void opening_needs_an_independent_validator(void **state)
{
	struct fx *f = *state;
	json_t *out = NULL, *m;

	as(f, "bob");
	refuse_open(f, "t1", NULL, MRM_EPERM, "needs role validator or admin");
	as(f, "carol");
	refuse_open(f, "t1", NULL, MRM_EPERM, "cannot open reviews (needs role validator or admin)");
	as(f, "gina"); /* validator, but owns gina2 */
	refuse_open(f, "gina2", NULL, MRM_EPERM, "gina owns model 'gina2'");
	as(f, "dave");
	refuse_open(f, "nope", NULL, MRM_ENOTFOUND, "no model 'nope'");
	refuse_open(f, "t1", json_pack("{ss}", "version", "9.9"), MRM_ENOTFOUND, "model 't1' has no version '9.9'");
	refuse_open(f, "t1", json_pack("{ss}", "intake_complete", "yes"), MRM_EINPUT,
		    "field 'intake_complete' must be true or false");

	OK(f, open_with(f, "t1", json_pack("{ss sb}", "reason", "annual", "intake_complete", 1), &out));
	assert_string_equal(mrm__str(out, "id"), "R-1");
	assert_string_equal(mrm__str(out, "version"), "1.1"); /* the current version */
	assert_string_equal(mrm__str(out, "status"), "open");
	assert_string_equal(mrm__str(out, "opened_by"), "dave");
	assert_true(json_is_true(json_object_get(out, "intake_complete")));
	assert_string_equal(mrm__str(out, "model_review_status"), "open");
	json_decref(out);
	m = model_row(f, "t1");
	assert_string_equal(mrm__str(m, "review_status"), "open");
	json_decref(m);
	/* the model change is audited */
	assert_int_equal(count(f, "SELECT count(*) FROM audit_events WHERE action = 'model.review_open' "
				  "AND object_id = 't1'"),
			 1);

	/* one open review per model */
	as(f, "alice");
	refuse_open(f, "t1", NULL, MRM_EINPUT, "model 't1' already has open review R-1");

	/* no version and no intake: both null; intake incomplete is false */
	OK(f, mrm_review_open(f->ctx, "t2", NULL, &out, &f->err));
	assert_true(json_is_null(json_object_get(out, "intake_complete")));
	assert_true(json_is_null(json_object_get(out, "version"))); /* t2 has no version */
	json_decref(out);
	OK(f, open_with(f, "t3", json_pack("{sb}", "intake_complete", 0), &out));
	assert_true(json_is_false(json_object_get(out, "intake_complete")));
	json_decref(out);
	verify_chain(f);
}

/* Opens a review of `model` as alice; returns its id (caller frees). */
static char *open_review(struct fx *f, const char *model)
{
	json_t *out = NULL;
	char *id;
	as(f, "alice");
	OK(f, mrm_review_open(f->ctx, model, NULL, &out, &f->err));
	id = strdup(mrm__str(out, "id"));
	json_decref(out);
	return id;
}

static json_t *decision(const char *d, const char *note)
{
	return json_pack("{ss ss}", "decision", d, "note", note);
}

static void refuse_decide(struct fx *f, const char *rid, json_t *in, int code, const char *text)
{
	struct state s = snap(f);
	FAILS(f, code, text, mrm_review_decide(f->ctx, rid, in, NULL, &f->err));
	json_decref(in);
	unchanged(f, s);
}

static void deciding_authority(void **state)
{
	struct fx *f = *state;
	char *r1 = open_review(f, "t1"), *r2 = open_review(f, "t2"), *ru = open_review(f, "untiered");
	char *rf = open_review(f, "frank1"), *rg = open_review(f, "t3");
	json_t *out = NULL;

	as(f, "adm"); /* admin alone cannot decide */
	refuse_decide(f, r1, decision("reject", "x"), MRM_EPERM, "needs role validator or approver");
	as(f, "bob"); /* the owner */
	refuse_decide(f, r1, decision("approve", "x"), MRM_EPERM, "needs role validator or approver");
	as(f, "frank"); /* an approver who owns the model */
	refuse_decide(f, rf, decision("approve", "x"), MRM_EPERM, "frank owns model 'frank1'");
	as(f, "dave"); /* validator on tier 1: may not approve or set conditions */
	refuse_decide(f, r1, decision("approve", "x"), MRM_EPERM, "on tier 1 model 't1' only role approver may approve; dave may reject");
	{
		json_t *in = decision("conditional", "x");
		json_object_set_new(in, "conditions", json_pack("[s]", "monitor PSI monthly"));
		refuse_decide(f, r1, in, MRM_EPERM, "only role approver may approve with conditions");
	}
	refuse_decide(f, ru, decision("approve", "x"), MRM_EPERM, "on untiered model 'untiered' (treated as tier 1) only role approver may approve");
	/* ... but may reject a tier 1 model, and approve a tier 2 one */
	OK(f, decide(f, r1, decision("reject", "AUC below floor"), &out));
	assert_string_equal(mrm__str(out, "decision"), "reject");
	json_decref(out);
	OK(f, decide(f, r2, decision("approve", "meets standards"), &out));
	assert_string_equal(mrm__str(out, "decided_by"), "dave");
	json_decref(out);
	as(f, "carol");
	OK(f, decide(f, ru, decision("approve", "fine"), NULL));
	OK(f, decide(f, rf, decision("approve", "fine"), NULL));
	as(f, "bob");
	refuse_decide(f, rg, decision("approve", "mine"), MRM_EPERM, "needs role validator or approver");
	free(r1);
	free(r2);
	free(ru);
	free(rf);
	free(rg);
	verify_chain(f);
}

static void decision_input_rules(void **state)
{
	struct fx *f = *state;
	char *r = open_review(f, "t1");
	json_t *in, *out = NULL;

	as(f, "carol");
	refuse_decide(f, r, decision("conditional", "x"), MRM_EINPUT, "needs at least one condition");
	in = decision("approve", "x");
	json_object_set_new(in, "conditions", json_pack("[s]", "y"));
	refuse_decide(f, r, in, MRM_EINPUT, "conditions belong to a conditional decision, not 'approve'");
	in = decision("reject", "x");
	json_object_set_new(in, "conditions", json_pack("[s]", "y"));
	refuse_decide(f, r, in, MRM_EINPUT, "not 'reject'");
	refuse_decide(f, r, decision("maybe", "x"), MRM_EINPUT, "invalid decision 'maybe'");
	refuse_decide(f, r, json_pack("{ss}", "decision", "approve"), MRM_EINPUT, "missing required field 'note'");
	refuse_decide(f, r, decision("approve", "  "), MRM_EINPUT, "field 'note' must not be empty");
	refuse_decide(f, "R-99", decision("approve", "x"), MRM_ENOTFOUND, "no review R-99");
	refuse_decide(f, "F-1", decision("approve", "x"), MRM_EINPUT, "invalid review id 'F-1'");

	in = decision("conditional", "Approved subject to monitoring");
	json_object_set_new(in, "conditions", json_pack("[ss]", "monthly PSI report", "recalibrate by Q2"));
	OK(f, mrm_review_decide(f->ctx, r, in, &out, &f->err));
	json_decref(in);
	assert_string_equal(mrm__str(out, "decision"), "conditional");
	assert_string_equal(mrm__str(out, "decision_note"), "Approved subject to monitoring");
	assert_int_equal(json_array_size(json_object_get(out, "conditions")), 2);
	assert_string_equal(mrm__str(out, "status"), "decided");
	assert_string_equal(mrm__str(out, "decided_at"), NOW);
	json_decref(out);
	refuse_decide(f, r, decision("reject", "again"), MRM_EINPUT, "was already decided (conditional by carol");
	free(r);
}

/* Decides a fresh review of `model` at `now` with `d`; checks the model after. */
static void check_cadence(struct fx *f, const char *model, const char *now, const char *d,
			  const char *status, const char *due)
{
	json_t *out = NULL, *m;
	char *r;

	as_at(f, "alice", now);
	OK(f, mrm_review_open(f->ctx, model, NULL, &out, &f->err));
	r = strdup(mrm__str(out, "id"));
	json_decref(out);
	as_at(f, "carol", now);
	OK(f, decide(f, r, decision(d, "note"), NULL));
	free(r);
	m = model_row(f, model);
	assert_string_equal(mrm__str(m, "review_status"), status);
	assert_int_equal(strncmp(mrm__str(m, "last_reviewed"), now, 10), 0);
	assert_string_equal(mrm__str(m, "next_review_due"), due);
	json_decref(m);
}

static void decision_sets_the_review_cadence(void **state)
{
	struct fx *f = *state;

	check_cadence(f, "t1", NOW, "approve", "approved", "2027-11-26");
	check_cadence(f, "t2", NOW, "reject", "rejected", "2028-11-26");
	check_cadence(f, "t3", NOW, "approve", "approved", "2029-11-26");
	check_cadence(f, "untiered", NOW, "approve", "approved", "2027-11-26");
	/* a day past the end of the month is clamped */
	check_cadence(f, "t1", "2028-02-29T10:00:00Z", "approve", "approved", "2029-02-28");
	check_cadence(f, "t2", "2028-02-29T10:00:00Z", "approve", "approved", "2030-02-28");
	check_cadence(f, "t3", "2027-08-31T10:00:00Z", "approve", "approved", "2030-08-31");
	assert_int_equal(mrm_review_cadence_months(0), 12);
	assert_int_equal(mrm_review_cadence_months(1), 12);
	assert_int_equal(mrm_review_cadence_months(2), 24);
	assert_int_equal(mrm_review_cadence_months(3), 36);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_events WHERE action = 'model.review_decided'"), 7);
	verify_chain(f);
}

static void material_versions_open_reviews_too(void **state)
{
	struct fx *f = *state;
	json_t *out = NULL, *m;

	as(f, "bob");
	add_version(f, "t1", "2.0", true); /* opens R-1 by itself */
	as(f, "dave");
	refuse_open(f, "t1", NULL, MRM_EINPUT, "already has open review R-1");
	OK(f, mrm_review_show(f->ctx, "R-1", &out, &f->err));
	assert_string_equal(mrm__str(out, "version"), "2.0");
	json_decref(out);
	as(f, "carol");
	OK(f, decide(f, "R-1", decision("approve", "ok"), NULL));
	m = model_row(f, "t1");
	assert_string_equal(mrm__str(m, "review_status"), "approved");
	json_decref(m);

	/* a review open when a material version arrives goes on and covers it */
	as(f, "dave");
	OK(f, mrm_review_open(f->ctx, "t1", NULL, NULL, &f->err)); /* R-2 of 2.0 */
	as(f, "bob");
	add_version(f, "t1", "3.0", true); /* no second review */
	OK(f, mrm_review_show(f->ctx, "R-2", &out, &f->err));
	assert_string_equal(mrm__str(out, "version"), "3.0");
	json_decref(out);
	FAILS(f, MRM_ENOTFOUND, "R-3", mrm_review_show(f->ctx, "R-3", &out, &f->err));
	as(f, "carol");
	OK(f, decide(f, "R-2", decision("reject", "not yet"), NULL));
	m = model_row(f, "t1");
	assert_string_equal(mrm__str(m, "review_status"), "rejected");
	json_decref(m);
	verify_chain(f);
}

static void list_and_show(void **state)
{
	struct fx *f = *state;
	char *r1 = open_review(f, "t1"), *r2 = open_review(f, "t2");
	struct mrm_review_filter open = { .status = "open" }, decided = { .status = "decided" },
				 t2 = { .model_id = "t2" }, bad = { .status = "closed" },
				 nomodel = { .model_id = "nope" };
	json_t *out = NULL;

	as(f, "carol");
	OK(f, decide(f, r1, decision("approve", "ok"), NULL));
	OK(f, mrm_review_list(f->ctx, NULL, &out, &f->err));
	assert_int_equal(json_array_size(out), 2);
	json_decref(out);
	OK(f, mrm_review_list(f->ctx, &open, &out, &f->err));
	assert_int_equal(json_array_size(out), 1);
	assert_string_equal(mrm__str(json_array_get(out, 0), "id"), "R-2");
	json_decref(out);
	OK(f, mrm_review_list(f->ctx, &decided, &out, &f->err));
	assert_string_equal(mrm__str(json_array_get(out, 0), "id"), "R-1");
	json_decref(out);
	OK(f, mrm_review_list(f->ctx, &t2, &out, &f->err));
	assert_int_equal(json_array_size(out), 1);
	json_decref(out);
	FAILS(f, MRM_EINPUT, "invalid status 'closed'", mrm_review_list(f->ctx, &bad, &out, &f->err));
	FAILS(f, MRM_ENOTFOUND, "no model 'nope'", mrm_review_list(f->ctx, &nomodel, &out, &f->err));
	OK(f, mrm_review_show(f->ctx, "1", &out, &f->err));
	assert_string_equal(mrm__str(out, "decided_by"), "carol");
	assert_int_equal(json_integer_value(json_object_get(out, "model_tier")), 1);
	assert_string_equal(mrm__str(out, "model_next_review_due"), "2027-11-26");
	json_decref(out);
	FAILS(f, MRM_ENOTFOUND, "no review R-5", mrm_review_show(f->ctx, "R-5", &out, &f->err));
	free(r1);
	free(r2);
}

static json_t *role(const char *r)
{
	return json_pack("{ss}", "role", r);
}

static void refuse_sign(struct fx *f, const char *model, json_t *in, int code, const char *text)
{
	struct state s = snap(f);
	FAILS(f, code, text, mrm_signoff_add(f->ctx, model, in, NULL, &f->err));
	json_decref(in);
	unchanged(f, s);
}

static void sign(struct fx *f, const char *model, json_t *in, json_t **out)
{
	OK(f, mrm_signoff_add(f->ctx, model, in, out, &f->err));
	json_decref(in);
}

static void signoff_separation_of_duties(void **state)
{
	struct fx *f = *state;
	json_t *out = NULL;

	as(f, "bob");
	refuse_sign(f, "t1", role("approver"), MRM_EPERM, "bob cannot sign off as approver (needs role approver)");
	refuse_sign(f, "t1", role("boss"), MRM_EINPUT, "invalid role 'boss'");
	refuse_sign(f, "nope", role("owner"), MRM_ENOTFOUND, "no model 'nope'");
	sign(f, "t1", role("owner"), &out);
	assert_string_equal(mrm__str(out, "id"), "S-1");
	assert_string_equal(mrm__str(out, "version"), "1.1");
	assert_string_equal(mrm__str(out, "user_name"), "bob");
	json_decref(out);
	refuse_sign(f, "t1", role("owner"), MRM_EINPUT, "bob already signed off model 't1' version 1.1 as owner (S-1)");

	as(f, "erin"); /* holds the owner role, but does not own t1 */
	refuse_sign(f, "t1", role("owner"), MRM_EPERM, "only the model's owner (bob) may sign off model 't1' as owner");
	as(f, "frank"); /* approver who owns frank1 */
	refuse_sign(f, "frank1", role("approver"), MRM_EPERM, "frank owns model 'frank1' and cannot sign it off as approver");
	sign(f, "frank1", role("owner"), NULL);
	refuse_sign(f, "frank1", role("approver"), MRM_EPERM, "frank owns model 'frank1'");
	as(f, "gina");
	refuse_sign(f, "gina2", role("validator"), MRM_EPERM, "gina owns model 'gina2' and cannot sign it off as validator");

	/* one person, one role per version */
	as(f, "alice");
	sign(f, "t1", role("validator"), NULL);
	refuse_sign(f, "t1", role("admin"), MRM_EPERM,
		    "alice already signed off model 't1' version 1.1 as validator (S-3); one person signs a version in one role only");
	as(f, "carol");
	sign(f, "t1", role("approver"), NULL);
	as(f, "dave"); /* a second validator may sign too */
	sign(f, "t1", role("validator"), NULL);
	as(f, "ivan");
	sign(f, "t1", role("auditor"), NULL);
	verify_chain(f);
}

static void signoff_versions_and_list(void **state)
{
	struct fx *f = *state;
	json_t *out = NULL, *in;

	as(f, "carol");
	in = role("approver");
	json_object_set_new(in, "version", json_string("1.0"));
	json_object_set_new(in, "note", json_string("approved for production"));
	sign(f, "t1", in, &out);
	assert_string_equal(mrm__str(out, "version"), "1.0");
	assert_string_equal(mrm__str(out, "note"), "approved for production");
	json_decref(out);
	sign(f, "t1", role("approver"), &out); /* the current version, 1.1: a different version */
	assert_string_equal(mrm__str(out, "version"), "1.1");
	json_decref(out);
	in = role("approver");
	json_object_set_new(in, "version", json_string("7"));
	refuse_sign(f, "t1", in, MRM_ENOTFOUND, "model 't1' has no version '7'");
	/* no version at all: recorded with a null version, still once per role */
	sign(f, "t2", role("approver"), &out);
	assert_true(json_is_null(json_object_get(out, "version")));
	json_decref(out);
	refuse_sign(f, "t2", role("approver"), MRM_EINPUT, "version (none) as approver");
	as(f, "alice");
	sign(f, "t2", role("validator"), NULL);
	refuse_sign(f, "t2", role("admin"), MRM_EPERM, "as validator (S-4)");

	OK(f, mrm_signoff_list(f->ctx, "t1", &out, &f->err));
	assert_int_equal(json_array_size(out), 2);
	assert_string_equal(mrm__str(json_array_get(out, 0), "id"), "S-1");
	json_decref(out);
	FAILS(f, MRM_ENOTFOUND, "no model 'nope'", mrm_signoff_list(f->ctx, "nope", &out, &f->err));
	verify_chain(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(opening_needs_an_independent_validator, setup, teardown),
		cmocka_unit_test_setup_teardown(deciding_authority, setup, teardown),
		cmocka_unit_test_setup_teardown(decision_input_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(decision_sets_the_review_cadence, setup, teardown),
		cmocka_unit_test_setup_teardown(material_versions_open_reviews_too, setup, teardown),
		cmocka_unit_test_setup_teardown(list_and_show, setup, teardown),
		cmocka_unit_test_setup_teardown(signoff_separation_of_duties, setup, teardown),
		cmocka_unit_test_setup_teardown(signoff_versions_and_list, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
