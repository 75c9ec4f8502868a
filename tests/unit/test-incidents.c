/* Unit tests for incidents: time order, status, durations, root causes, linked findings, permissions. */
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

#include "mrm/audit.h"
#include "mrm/ctx.h"
#include "mrm/finding.h"
#include "mrm/incident.h"
#include "mrm/model.h"
#include "mrm/user.h"



static void add_finding(struct fx *f, const char *model)
{
	json_t *x = json_pack("{ss ss ss}", "severity", "high", "category", "performance", "title", "Drift");
	OK(f, mrm_finding_add(f->ctx, model, x, NULL, &f->err));
	json_decref(x);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct mrm_ctx_options o = { .actor = "alice", .now = NOW, .create = true };

	snprintf(f->dir, sizeof(f->dir), "/tmp/mrm-incidents-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/t.db", f->dir);
	o.db = f->db;
	OK(f, mrm_ctx_open(&o, &f->ctx, &f->err));
	OK(f, mrm_init(f->ctx, NULL, NULL, &f->err));
	OK(f, mrm_user_add(f->ctx, "alice", "admin,validator", NULL, &f->err));
	OK(f, mrm_user_add(f->ctx, "bob", "owner", NULL, &f->err));
	OK(f, mrm_user_add(f->ctx, "carol", "approver", NULL, &f->err));
	OK(f, mrm_user_add(f->ctx, "dave", "auditor", NULL, &f->err));
	add_model(f, "pd", "bob");
	add_model(f, "chat", "bob");
	add_finding(f, "pd");   /* F-1 */
	add_finding(f, "pd");   /* F-2 */
	add_finding(f, "chat"); /* F-3 */
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char path[192];
	mrm_ctx_free(f->ctx);
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/t.db%s", f->dir, suffix[i]);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static const char *s(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static double h(json_t *o, const char *key)
{
	return json_real_value(json_object_get(o, key));
}

/* Updates incident `id` with `fields` (stolen); the code, message in f->err. */
static int update(struct fx *f, const char *id, json_t *fields, json_t **out)
{
	int rc;
	mrm_error_clear(&f->err);
	rc = mrm_incident_update(f->ctx, id, fields, out, &f->err);
	json_decref(fields);
	return rc;
}

static void lifecycle_and_durations(void **state)
{
	struct fx *f = *state;
	json_t *in, *out = NULL, *list = NULL, *v = NULL;
	struct mrm_incident_filter filter = { 0 };

	as(f, "bob");
	in = json_pack("{ss ss ss ss}", "severity", "sev2", "title", "Approvals jumped", "started",
		       "2026-11-25T06:00:00Z", "detected", "2026-11-25T07:30:00+01:00");
	OK(f, mrm_incident_open(f->ctx, "pd", in, &out, &f->err));
	json_decref(in);
	assert_string_equal(s(out, "id"), "I-1");
	assert_string_equal(s(out, "status"), "open");
	/* times are stored normalised to UTC */
	assert_string_equal(s(out, "detected"), "2026-11-25T06:30:00Z");
	assert_true(h(out, "time_to_detect_hours") == 0.5);
	assert_true(json_is_null(json_object_get(out, "time_to_mitigate_hours")));
	assert_true(json_is_null(json_object_get(out, "time_to_resolve_hours")));
	assert_int_equal(json_array_size(json_object_get(out, "findings")), 0);
	json_decref(out);

	OK(f, update(f, "I-1", json_pack("{ss}", "mitigated", "2026-11-25T08:15:00Z"), &out));
	assert_string_equal(s(out, "status"), "mitigated");
	assert_true(h(out, "time_to_mitigate_hours") == 1.75);
	assert_string_equal(json_string_value(json_array_get(json_object_get(out, "changed"), 0)), "mitigated");
	json_decref(out);
	/* equal times are in order */
	OK(f, update(f, "i-1", json_pack("{ss ss}", "resolved", "2026-11-25T08:15:00Z", "root_cause", "data-drift"), &out));
	assert_string_equal(s(out, "status"), "resolved");
	assert_true(h(out, "time_to_resolve_hours") == 1.75);
	json_decref(out);
	/* durations round to 0.01 h */
	OK(f, update(f, "1", json_pack("{ss}", "resolved", "2026-11-25T08:35:00Z"), &out));
	assert_true(h(out, "time_to_resolve_hours") == 2.08);
	json_decref(out);

	/* defaults: started and detected are now */
	as(f, "carol");
	in = json_pack("{ss ss}", "severity", "sev4", "title", "Typo in answers");
	OK(f, mrm_incident_open(f->ctx, "chat", in, &out, &f->err));
	json_decref(in);
	assert_string_equal(s(out, "started"), NOW);
	assert_string_equal(s(out, "detected"), NOW);
	assert_true(h(out, "time_to_detect_hours") == 0.0);
	json_decref(out);

	OK(f, mrm_incident_list(f->ctx, &filter, &list, &f->err));
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);
	filter.open_only = true;
	OK(f, mrm_incident_list(f->ctx, &filter, &list, &f->err));
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(s(json_array_get(list, 0), "id"), "I-2");
	json_decref(list);
	filter.open_only = false;
	filter.model_id = "pd";
	OK(f, mrm_incident_list(f->ctx, &filter, &list, &f->err));
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	filter.model_id = "nope";
	FAILS(f, MRM_ENOTFOUND, "no model 'nope'", mrm_incident_list(f->ctx, &filter, &list, &f->err));

	OK(f, mrm_audit_verify(f->ctx, &v, &f->err));
	json_decref(v);
}

static void time_rules(void **state)
{
	struct fx *f = *state;
	json_t *in, *out = NULL, *v = NULL;

	as(f, "bob");
	/* at open: detected before started; started in the future */
	in = json_pack("{ss ss ss ss}", "severity", "sev1", "title", "x", "started", "2026-11-25T10:00:00Z",
		       "detected", "2026-11-25T09:00:00Z");
	FAILS(f, MRM_EINPUT, "detected (2026-11-25T09:00:00Z) is before started (2026-11-25T10:00:00Z)",
	      mrm_incident_open(f->ctx, "pd", in, NULL, &f->err));
	json_decref(in);
	in = json_pack("{ss ss ss}", "severity", "sev1", "title", "x", "started", "2026-11-26T09:00:01Z");
	FAILS(f, MRM_EINPUT, "started (2026-11-26T09:00:01Z) is after now (2026-11-26T09:00:00Z)",
	      mrm_incident_open(f->ctx, "pd", in, NULL, &f->err));
	json_decref(in);
	in = json_pack("{ss ss ss}", "severity", "sev1", "title", "x", "detected", "2026-13-01");
	FAILS(f, MRM_EINPUT, "invalid detected '2026-13-01'", mrm_incident_open(f->ctx, "pd", in, NULL, &f->err));
	json_decref(in);
	in = json_pack("{ss ss ss}", "severity", "sev1", "title", "x", "started", "");
	FAILS(f, MRM_EINPUT, "field 'started' must not be empty", mrm_incident_open(f->ctx, "pd", in, NULL, &f->err));
	json_decref(in);

	in = json_pack("{ss ss ss ss}", "severity", "sev3", "title", "Drift", "started", "2026-11-20T00:00:00Z",
		       "detected", "2026-11-21T00:00:00Z");
	OK(f, mrm_incident_open(f->ctx, "pd", in, NULL, &f->err));
	json_decref(in);
	/* resolved needs mitigated, already or in the same call */
	assert_int_equal(update(f, "I-1", json_pack("{ss}", "resolved", "2026-11-22T00:00:00Z"), NULL), MRM_EINPUT);
	assert_non_null(strstr(f->err.msg, "set --mitigated first, or in the same command"));
	/* each neighbouring pair, named */
	assert_int_equal(update(f, "I-1", json_pack("{ss}", "mitigated", "2026-11-20T12:00:00Z"), NULL), MRM_EINPUT);
	assert_non_null(strstr(f->err.msg, "mitigated (2026-11-20T12:00:00Z) is before detected (2026-11-21T00:00:00Z)"));
	assert_int_equal(update(f, "I-1", json_pack("{ss ss}", "mitigated", "2026-11-22T00:00:00Z", "resolved",
						    "2026-11-21T12:00:00Z"), NULL), MRM_EINPUT);
	assert_non_null(strstr(f->err.msg, "resolved (2026-11-21T12:00:00Z) is before mitigated (2026-11-22T00:00:00Z)"));
	assert_int_equal(update(f, "I-1", json_pack("{ss}", "started", "2026-11-21T00:00:01Z"), NULL), MRM_EINPUT);
	assert_non_null(strstr(f->err.msg, "detected (2026-11-21T00:00:00Z) is before started (2026-11-21T00:00:01Z)"));
	assert_int_equal(update(f, "I-1", json_pack("{ss}", "mitigated", "2026-11-27T00:00:00Z"), NULL), MRM_EINPUT);
	assert_non_null(strstr(f->err.msg, "mitigated (2026-11-27T00:00:00Z) is after now"));
	/* both in one call, then a correction of an already-set time */
	OK(f, update(f, "I-1", json_pack("{ss ss}", "mitigated", "2026-11-22T00:00:00Z", "resolved",
					 "2026-11-23T00:00:00Z"), &out));
	assert_true(h(out, "time_to_detect_hours") == 24.0);
	assert_true(h(out, "time_to_resolve_hours") == 48.0);
	json_decref(out);
	OK(f, update(f, "I-1", json_pack("{ss}", "detected", "2026-11-20T06:00:00Z"), &out));
	assert_true(h(out, "time_to_detect_hours") == 6.0);
	assert_true(h(out, "time_to_mitigate_hours") == 42.0);
	json_decref(out);
	/* a correction that would break the order is refused */
	assert_int_equal(update(f, "I-1", json_pack("{ss}", "detected", "2026-11-22T06:00:00Z"), NULL), MRM_EINPUT);
	assert_non_null(strstr(f->err.msg, "mitigated (2026-11-22T00:00:00Z) is before detected (2026-11-22T06:00:00Z)"));

	/* other fields */
	assert_int_equal(update(f, "I-1", json_pack("{ss}", "root_cause", "gremlins"), NULL), MRM_EINPUT);
	assert_non_null(strstr(f->err.msg, "expected one of: data-quality, data-drift, concept-drift, model-defect, "
					   "code-defect, infrastructure, third-party, misuse, prompt-injection, "
					   "process, unknown"));
	assert_int_equal(update(f, "I-1", json_pack("{ss}", "severity", "sev0"), NULL), MRM_EINPUT);
	assert_int_equal(update(f, "I-1", json_pack("{ss}", "colour", "red"), NULL), MRM_EINPUT);
	assert_non_null(strstr(f->err.msg, "unknown field 'colour'"));
	assert_int_equal(update(f, "I-1", json_pack("{ss}", "severity", "sev3"), NULL), MRM_EINPUT);
	assert_non_null(strstr(f->err.msg, "nothing changed"));
	assert_int_equal(update(f, "I-1", json_object(), NULL), MRM_EUSAGE);
	assert_int_equal(update(f, "I-7", json_pack("{ss}", "severity", "sev1"), NULL), MRM_ENOTFOUND);
	assert_int_equal(update(f, "X-1", json_pack("{ss}", "severity", "sev1"), NULL), MRM_EINPUT);
	OK(f, update(f, "I-1", json_pack("{ss ss ss}", "severity", "sev2", "root_cause", "unknown",
					 "root_cause_note", "still digging"), &out));
	assert_string_equal(s(out, "root_cause"), "unknown");
	json_decref(out);

	/* refusals left the store as it was */
	OK(f, mrm_audit_verify(f->ctx, &v, &f->err));
	json_decref(v);
}

static void linked_findings(void **state)
{
	struct fx *f = *state;
	json_t *in, *out = NULL, *v = NULL;
	int64_t events;

	as(f, "alice");
	in = json_pack("{ss ss s[ss]}", "severity", "sev2", "title", "x", "findings", "F-1", "2");
	OK(f, mrm_incident_open(f->ctx, "pd", in, &out, &f->err));
	json_decref(in);
	assert_int_equal(json_array_size(json_object_get(out, "findings")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(out, "findings"), 1)), "F-2");
	json_decref(out);

	OK(f, mrm_audit_verify(f->ctx, &v, &f->err));
	events = json_integer_value(json_object_get(v, "events"));
	json_decref(v);

	assert_int_equal(update(f, "I-1", json_pack("{s[s]}", "findings", "F-1"), NULL), MRM_EINPUT);
	assert_non_null(strstr(f->err.msg, "finding F-1 is already linked to incident I-1"));
	assert_int_equal(update(f, "I-1", json_pack("{s[s]}", "findings", "F-3"), NULL), MRM_EINPUT);
	assert_non_null(strstr(f->err.msg, "finding F-3 is on model 'chat', not on 'pd'"));
	assert_int_equal(update(f, "I-1", json_pack("{s[s]}", "findings", "F-99"), NULL), MRM_ENOTFOUND);
	assert_non_null(strstr(f->err.msg, "no finding F-99"));
	in = json_pack("{ss ss s[ss]}", "severity", "sev2", "title", "y", "findings", "F-3", "F-3");
	FAILS(f, MRM_EINPUT, "finding F-3 given twice", mrm_incident_open(f->ctx, "chat", in, NULL, &f->err));
	json_decref(in);
	/* a failed link rolls back the whole call, other fields included */
	assert_int_equal(update(f, "I-1", json_pack("{ss s[s]}", "severity", "sev1", "findings", "F-9"), NULL),
			 MRM_ENOTFOUND);
	OK(f, mrm_incident_show(f->ctx, "I-1", &out, &f->err));
	assert_string_equal(s(out, "severity"), "sev2");
	json_decref(out);

	OK(f, mrm_audit_verify(f->ctx, &v, &f->err));
	assert_int_equal(json_integer_value(json_object_get(v, "events")), events);
	json_decref(v);
}

static void permissions(void **state)
{
	struct fx *f = *state;
	json_t *in = json_pack("{ss ss}", "severity", "sev2", "title", "x");

	as(f, "dave");
	FAILS(f, MRM_EPERM, "dave cannot open incidents", mrm_incident_open(f->ctx, "pd", in, NULL, &f->err));
	as(f, "mallory");
	FAILS(f, MRM_EPERM, "'mallory' is not a registered user", mrm_incident_open(f->ctx, "pd", in, NULL, &f->err));
	as(f, "bob");
	FAILS(f, MRM_ENOTFOUND, "no model 'nope'", mrm_incident_open(f->ctx, "nope", in, NULL, &f->err));
	OK(f, mrm_incident_open(f->ctx, "pd", in, NULL, &f->err));
	as(f, "dave");
	assert_int_equal(update(f, "I-1", json_pack("{ss}", "root_cause", "process"), NULL), MRM_EPERM);
	json_decref(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(lifecycle_and_durations, setup, teardown),
		cmocka_unit_test_setup_teardown(time_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(linked_findings, setup, teardown),
		cmocka_unit_test_setup_teardown(permissions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
