/* JUnit XML of gate results: each control a test case, so any CI system shows a gate's controls. */
#include <stdio.h>
#include <string.h>

#include "mrm/gate.h"
#include "report/internal.h"

/* The text of a reason in an attribute: XML-escaped (the HTML escape covers XML's five). */
static void attr(struct mrm__out *o, const char *name, const char *value)
{
	mrm__out_printf(o, " %s=\"", name);
	mrm__html_esc(o, value ? value : "", 0);
	mrm__out_puts(o, "\"");
}

static void property(struct mrm__out *o, const char *name, const char *value)
{
	mrm__out_puts(o, "      <property");
	attr(o, "name", name);
	attr(o, "value", value);
	mrm__out_puts(o, "/>\n");
}

static void testcase(struct mrm__out *o, const char *model, json_t *c, const char *status, const char *text)
{
	char name[512], cls[256];
	const char *id = json_string_value(json_object_get(c, "id"));
	const char *title = json_string_value(json_object_get(c, "title"));

	snprintf(name, sizeof(name), "%s: %s", id ? id : "?", title ? title : "");
	snprintf(cls, sizeof(cls), "mrm.gate.%s", model);
	mrm__out_puts(o, "    <testcase");
	attr(o, "name", name);
	attr(o, "classname", cls);
	mrm__out_puts(o, " time=\"0\"");
	if (!strcmp(status, "pass")) {
		mrm__out_puts(o, ">\n      <system-out>");
		mrm__html_esc(o, text, 0);
		mrm__out_puts(o, "</system-out>\n    </testcase>\n");
		return;
	}
	mrm__out_puts(o, ">\n");
	if (!strcmp(status, "fail")) {
		mrm__out_puts(o, "      <failure");
		attr(o, "message", text);
		attr(o, "type", id);
		mrm__out_puts(o, ">");
		mrm__html_esc(o, text, 0);
		mrm__out_puts(o, "</failure>\n");
	} else {
		char msg[4096];

		snprintf(msg, sizeof(msg), "%s: %s", status, text ? text : "");
		mrm__out_puts(o, "      <skipped");
		attr(o, "message", msg);
		mrm__out_puts(o, "/>\n");
	}
	mrm__out_puts(o, "    </testcase>\n");
}

/* One gate document as a <testsuite>. */
static void suite(struct mrm__out *o, json_t *doc)
{
	const char *model = json_string_value(json_object_get(doc, "model"));
	const char *version = json_string_value(json_object_get(doc, "version"));
	const char *as_of = json_string_value(json_object_get(doc, "as_of"));
	json_t *controls = json_object_get(doc, "controls"), *na = json_object_get(doc, "not_applicable");
	json_t *policy = json_object_get(doc, "policy"), *c;
	size_t i, tests = json_array_size(controls) + json_array_size(na), failures = 0, skipped = json_array_size(na);
	char name[512], stamp[32], tier[16];

	if (!model)
		model = "?";
	json_array_foreach(controls, i, c) {
		const char *s = json_string_value(json_object_get(c, "status"));
		failures += s && !strcmp(s, "fail");
		skipped += s && !strcmp(s, "waived");
	}
	snprintf(name, sizeof(name), "mrm gate %s%s%s", model, version ? " version " : "", version ? version : "");
	/* Ant's timestamp has no zone: the time is UTC. */
	snprintf(stamp, sizeof(stamp), "%.19s", as_of ? as_of : "");
	snprintf(tier, sizeof(tier), "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(doc, "tier")));
	mrm__out_puts(o, "  <testsuite");
	attr(o, "name", name);
	mrm__out_printf(o, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"0\"", tests, failures,
			skipped);
	if (as_of)
		attr(o, "timestamp", stamp);
	mrm__out_puts(o, ">\n    <properties>\n");
	property(o, "model", model);
	property(o, "version", version ? version : "");
	property(o, "tier", tier);
	property(o, "untiered", json_is_true(json_object_get(doc, "untiered")) ? "true" : "false");
	property(o, "passed", json_is_true(json_object_get(doc, "passed")) ? "true" : "false");
	property(o, "policy", json_string_value(json_object_get(policy, "name")));
	property(o, "policy_sha256", json_string_value(json_object_get(policy, "sha256")));
	property(o, "as_of", as_of);
	mrm__out_puts(o, "    </properties>\n");
	json_array_foreach(controls, i, c)
		testcase(o, model, c, json_string_value(json_object_get(c, "status")),
			 json_string_value(json_object_get(c, "reason")));
	json_array_foreach(na, i, c) {
		char msg[1024];
		const char *why = json_string_value(json_object_get(c, "reason"));

		snprintf(msg, sizeof(msg), "%s", why ? why : "");
		testcase(o, model, c, "not applicable", msg);
	}
	mrm__out_puts(o, "  </testsuite>\n");
}

/* Counts of a list of gate documents for <testsuites>. */
static void totals(json_t *docs, size_t *tests, size_t *failures)
{
	json_t *d, *c;
	size_t i, j;

	*tests = *failures = 0;
	json_array_foreach(docs, i, d) {
		*tests += json_array_size(json_object_get(d, "controls")) + json_array_size(json_object_get(d, "not_applicable"));
		json_array_foreach(json_object_get(d, "controls"), j, c) {
			const char *s = json_string_value(json_object_get(c, "status"));
			*failures += s && !strcmp(s, "fail");
		}
	}
}

int mrm_gate_junit(json_t *doc, mrm_sink_fn sink, void *arg, struct mrm_error *err)
{
	struct mrm__out o;
	json_t *docs, *d;
	size_t i, tests, failures;
	int rc;

	if (json_is_array(json_object_get(doc, "controls")))
		docs = json_pack("[O]", doc);
	else if (json_is_array(json_object_get(doc, "models")))
		docs = json_incref(json_object_get(doc, "models"));
	else
		return mrm_error_set(err, MRM_EINPUT, "not a gate result: no \"controls\" or \"models\"");
	totals(docs, &tests, &failures);
	mrm__out_init(&o, sink, arg);
	mrm__out_puts(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
	attr(&o, "name", json_is_array(json_object_get(doc, "models")) ? "mrm controls test" : "mrm gate");
	mrm__out_printf(&o, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"0\">\n", tests, failures);
	json_array_foreach(docs, i, d)
		suite(&o, d);
	mrm__out_puts(&o, "</testsuites>\n");
	json_decref(docs);
	if ((rc = mrm__out_flush(&o)))
		return mrm_error_set(err, rc, "cannot write the JUnit report");
	return MRM_OK;
}

int mrm_gate_junit_file(json_t *doc, const char *path, struct mrm_error *err)
{
	return mrm__render_to_file(mrm_gate_junit, doc, path, err);
}
