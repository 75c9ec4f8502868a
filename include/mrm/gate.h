/*
 * Gates: the policy's controls evaluated for one model version against the
 * store (mrm gate), for every model of the inventory at once (mrm controls
 * test, the periodic control test), and the result as a JUnit XML report so
 * any CI system shows each control as a test case.
 *
 * A gate reads and never writes: no audit event, no change to the store.
 * Each control the policy enforces at the model's tier (an untiered model
 * is gated as tier 1, as the core treats it) ends "pass", "fail" or
 * "waived" with a reason a person can act on; "waived" is a control that
 * would fail but whose failing items are all covered by risk acceptances in
 * force, and names them. docs/gates.md lists every check, every reason and
 * how waivers work.
 */
#ifndef MRM_GATE_H
#define MRM_GATE_H

#include <jansson.h>

#include "mrm/ctx.h"
#include "mrm/error.h"
#include "mrm/policy.h"
#include "mrm/report.h"

struct mrm_gate_options {
	const char *version;             /* the version gated; NULL: the model's current version */
	const struct mrm_policy *policy; /* NULL: the built-in default policy */
};

/*
 * Evaluates every control the policy enforces for model `model_id` at its
 * tier, as of the context's effective time. `*out` (caller frees) receives
 * { "model", "name", "version" (null when the model has no versions),
 * "current_version" (the model's, which the gated version may not be),
 * "status" (the model's lifecycle status), "tier" (the tier whose rules
 * applied: 1 for an untiered model), "untiered" (bool), "passed",
 * "as_of", "policy": { name, source, sha256 }, "summary": { controls,
 * pass, fail, waived, not_applicable }, "controls": [ { id, title,
 * check, status: "pass"|"fail"|"waived", reason, waived_by: [ { id,
 * accepted_by, expires, findings: ["F-N"] } ] (waived only) } ],
 * "not_applicable": [ { id, title, reason } ] } (controls that do not
 * apply to this model, e.g. red teaming of a model that is not generative).
 *
 * Returns MRM_OK when no control failed, MRM_ECHECK (with `*out` set and a
 * one-line summary naming the failed controls in `err`) when any failed.
 * Errors without `*out`: MRM_ENOTFOUND for an unknown model or version,
 * MRM_ESTORE. Needs no role: anyone who can open the store may read it.
 */
int mrm_gate_run(struct mrm_ctx *ctx, const char *model_id, const struct mrm_gate_options *o,
		 json_t **out, struct mrm_error *err);

/*
 * The periodic control test: the gate of every model that is not retired,
 * at its current version, under `policy` (NULL: the default). `*out`
 * (caller frees) receives { "as_of", "policy", "models": [ gate documents
 * as mrm_gate_run gives them, production first, then validation and
 * development, each by tier (untiered with tier 1) and id ], "not_tested":
 * [ { model, reason } ] (retired models), "totals": [ { id, title, models
 * (where it applies), pass, waived, fail, not_applicable } in the
 * catalogue's order, for the controls any tier enforces ], "models_tested",
 * "models_with_gaps", "gaps" (failed controls in all), "passed" }.
 * Returns MRM_OK when there is no gap, MRM_ECHECK (with `*out` set) when
 * any model failed a control, MRM_ESTORE.
 */
int mrm_controls_test(struct mrm_ctx *ctx, const struct mrm_policy *policy, json_t **out,
		      struct mrm_error *err);

/*
 * Renders `doc` as JUnit XML (the Ant/Jenkins format of junit-10.xsd) to
 * `sink`: a gate document becomes one <testsuite>, a control-test document
 * one per model. Each control is a <testcase> named "ID: title" with
 * classname "mrm.gate.MODEL": a failed control has a <failure> whose message
 * is the reason, a waived one a <skipped> naming the acceptances, a control
 * that does not apply a <skipped> saying why. Text is XML-escaped.
 * Errors: MRM_EINPUT when `doc` has neither "controls" nor "models"; the
 * sink's own code when it refuses a write.
 */
int mrm_gate_junit(json_t *doc, mrm_sink_fn sink, void *arg, struct mrm_error *err);

/*
 * Writes the JUnit XML of `doc` to `path` atomically (a temporary file in
 * the same directory renamed over it). Errors: those of mrm_gate_junit and
 * MRM_EINPUT naming the path when it cannot be written.
 */
int mrm_gate_junit_file(json_t *doc, const char *path, struct mrm_error *err);

#endif
