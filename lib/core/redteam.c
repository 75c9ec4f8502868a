/*
 * Red-team runs on the governance side: a completed run file filed as evidence
 * (redteam-report, with a JSON summary a gate can read in its note), findings opened for
 * the categories whose attacks succeed, and retests moving them along the findings
 * workflow (awaiting-verification when a category no longer fails, back to
 * in-remediation when it still does). A filing is one transaction: all of it or nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "mrm/evidence.h"
#include "mrm/finding.h"
#include "mrm/redteam.h"

#define TITLE_FMT "Red team: %s attacks succeed"

int mrm_redteam_check_model(struct mrm_ctx *ctx, const char *model_id, const char *version,
			    struct mrm_error *err)
{
	json_t *model = NULL;
	int rc;

	if ((rc = mrm__require_role(ctx, (const char *const[]){ "validator", "admin", NULL },
				    "file red-team runs as evidence and findings", err)) ||
	    (rc = mrm__model_get(ctx, model_id, &model, err)))
		return rc;
	if (!strcmp(mrm__str(model, "status") ? mrm__str(model, "status") : "", "retired"))
		rc = mrm_error_set(err, MRM_EINPUT, "model '%s' is retired; it takes no new findings", model_id);
	else if (version)
		rc = mrm__require_version(ctx, model_id, version, err);
	json_decref(model);
	return rc;
}

/* The finding category of a red-team category: what kind of weakness it shows. */
static const char *finding_category(const char *c)
{
	if (!strcmp(c, "data_exfiltration"))
		return "privacy";
	if (!strcmp(c, "harmful_content"))
		return "safety";
	if (!strcmp(c, "hallucination"))
		return "reliability";
	if (!strcmp(c, "prompt_injection") || !strcmp(c, "jailbreak") || !strcmp(c, "system_prompt_leak") ||
	    !strcmp(c, "excessive_agency"))
		return "security";
	return "robustness";
}

static json_t *summary(json_t *results)
{
	json_t *s = json_object(), *cats = json_object(), *c;
	const char *k;

	json_object_set_new(s, "mrm_redteam", json_integer(1));
	json_object_set(s, "target", json_object_get(results, "target"));
	json_object_set(s, "attempts", json_object_get(results, "attempts"));
	json_object_set(s, "successes", json_object_get(results, "successes"));
	json_object_set(s, "errors", json_object_get(results, "errors"));
	json_object_foreach(json_object_get(results, "categories"), k, c)
		json_object_set_new(cats, k, json_pack("{s:O,s:O,s:O,s:O}", "attempts", json_object_get(c, "attempts"),
							"successes", json_object_get(c, "successes"), "rate",
							json_object_get(c, "rate"), "ci", json_object_get(c, "ci")));
	json_object_set_new(s, "categories", cats);
	return s;
}

static void fmt_rate(json_t *c, char *buf, size_t cap)
{
	json_t *ci = json_object_get(c, "ci");

	if (json_is_array(ci))
		snprintf(buf, cap, "rate %.3f, 95%% CI [%.3f, %.3f]", json_number_value(json_object_get(c, "rate")),
			 json_number_value(json_array_get(ci, 0)), json_number_value(json_array_get(ci, 1)));
	else
		snprintf(buf, cap, "no attempts");
}

/* The unclosed red-team findings of a model, by title (lower case not needed: we wrote them). */
static json_t *open_findings(struct mrm_ctx *ctx, const char *model_id, struct mrm_error *err)
{
	struct mrm_finding_filter f = { .model_id = model_id };
	json_t *all = NULL, *keep, *x;
	size_t i;

	if (mrm_finding_list(ctx, &f, &all, err))
		return NULL;
	keep = json_array();
	json_array_foreach(all, i, x)
		if (strcmp(mrm__str(x, "workflow_status") ? mrm__str(x, "workflow_status") : "", "closed") &&
		    mrm__str(x, "title") && !strncmp(mrm__str(x, "title"), "Red team: ", 10))
			json_array_append(keep, x);
	json_decref(all);
	return keep;
}

/*
 * Appends a retest note to finding `f`'s description and moves it to `status` (NULL: stays),
 * inside the caller's transaction.
 */
static int retest(struct mrm_ctx *ctx, json_t *f, const char *status, const char *note,
		  struct mrm_error *err)
{
	json_t *full = NULL, *fields = json_object();
	const char *desc;
	char *text;
	size_t n;
	int rc;

	if ((rc = mrm_finding_show(ctx, mrm__str(f, "id"), &full, err)))
		goto out;
	desc = mrm__str(full, "description") ? mrm__str(full, "description") : "";
	n = strlen(desc) + strlen(note) + 4;
	if (!(text = malloc(n))) {
		rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
		goto out;
	}
	snprintf(text, n, "%s%s%s", desc, *desc ? "\n\n" : "", note);
	json_object_set_new(fields, "description", json_string(text));
	free(text);
	if (status)
		json_object_set_new(fields, "status", json_string(status));
	rc = mrm__finding_update_tx(ctx, mrm__str(f, "id"), fields, err);
out:
	json_decref(full);
	json_decref(fields);
	return rc;
}

int mrm_redteam_record(struct mrm_ctx *ctx, const struct mrm_redteam_record_options *o,
		       json_t **out, struct mrm_error *err)
{
	json_t *sum = summary(o->results), *fields = json_object(), *ev = NULL, *existing = NULL, *c;
	json_t *opened = json_array(), *awaiting = json_array(), *reopened = json_array(), *still = json_array();
	const char *cat, *eid;
	char *note = NULL;
	int rc;

	*out = NULL;
	if (!(note = json_dumps(sum, JSON_COMPACT))) {
		rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
		goto out;
	}
	if (o->version)
		json_object_set_new(fields, "version", json_string(o->version));
	json_object_set_new(fields, "note", json_string(note));
	/* The evidence, the findings opened and the findings moved: one transaction. */
	if ((rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = mrm__evidence_add_tx(ctx, o->model_id, "redteam-report", o->run_path, fields, &ev, err)))
		goto fail;
	eid = mrm__str(ev, "id");
	if (!(existing = open_findings(ctx, o->model_id, err))) {
		rc = err ? err->code : MRM_ESTORE;
		goto fail;
	}
	json_object_foreach(json_object_get(o->results, "categories"), cat, c) {
		double n = (double)json_integer_value(json_object_get(c, "attempts"));
		double x = (double)json_integer_value(json_object_get(c, "successes"));
		char title[160], rate[96], text[1024];
		json_t *mine = NULL, *f;
		size_t i;

		if (!(n > 0))
			continue; /* not tested in this run: nothing learnt */
		snprintf(title, sizeof(title), TITLE_FMT, cat);
		json_array_foreach(existing, i, f)
			if (!strcmp(mrm__str(f, "title"), title))
				mine = f;
		fmt_rate(c, rate, sizeof(rate));
		if (x > 0 && x / n > o->threshold) {
			if (mine) {
				const char *ws = mrm__str(mine, "workflow_status");

				if (!strcmp(ws, "awaiting-verification")) {
					snprintf(text, sizeof(text),
						 "Retest %s (evidence %s, %s): %.0f of %.0f attacks still succeed (%s); back to in-remediation.",
						 mrm_ctx_today(ctx), eid, mrm__str(ev, "path"), x, n, rate);
					if ((rc = retest(ctx, mine, "in-remediation", text, err)))
						goto fail;
					json_array_append_new(reopened, json_string(mrm__str(mine, "id")));
				} else {
					json_array_append_new(still, json_string(mrm__str(mine, "id")));
				}
				continue;
			}
			{
				json_t *ff = json_object();
				char fid[32];
				int64_t id = 0;

				snprintf(text, sizeof(text),
					 "mrm redteam run against %s (evidence %s, run file %s, %s): %.0f of %.0f attacks in category %s succeeded (%s; findings open above a rate of %g). "
					 "Remediate, then run the same packs again: a run with no success in this category moves this finding to awaiting-verification.",
					 json_string_value(json_object_get(o->results, "target")), eid, mrm__str(ev, "path"),
					 mrm_ctx_today(ctx), x, n, cat, rate, o->threshold);
				json_object_set_new(ff, "severity", json_string(o->severity ? o->severity : "high"));
				json_object_set_new(ff, "category", json_string(finding_category(cat)));
				json_object_set_new(ff, "title", json_string(title));
				json_object_set_new(ff, "description", json_string(text));
				json_object_set_new(ff, "evidence_id", json_string(eid));
				if (o->version)
					json_object_set_new(ff, "version", json_string(o->version));
				rc = mrm__finding_add_tx(ctx, o->model_id, ff, &id, err);
				json_decref(ff);
				if (rc)
					goto fail;
				mrm__format_id("F", id, fid);
				json_array_append_new(opened, json_string(fid));
			}
		} else if (x == 0 && mine) {
			const char *ws = mrm__str(mine, "workflow_status");

			if (strcmp(ws, "open") && strcmp(ws, "in-remediation"))
				continue; /* already awaiting verification */
			snprintf(text, sizeof(text), "Retest %s (evidence %s, %s): 0 of %.0f attacks succeeded.",
				 mrm_ctx_today(ctx), eid, mrm__str(ev, "path"), n);
			if ((rc = retest(ctx, mine, "awaiting-verification", text, err)))
				goto fail;
			json_array_append_new(awaiting, json_string(mrm__str(mine, "id")));
		} else if (mine) {
			json_array_append_new(still, json_string(mrm__str(mine, "id")));
		}
	}
	if ((rc = mrm__commit(ctx, err)))
		goto out; /* rolled back */
	*out = json_pack("{s:{s:O,s:O,s:O},s:O,s:O,s:O,s:O}", "evidence", "id", json_object_get(ev, "id"), "path",
			 json_object_get(ev, "path"), "sha256", json_object_get(ev, "sha256"), "opened", opened,
			 "awaiting_verification", awaiting, "reopened", reopened, "still_failing", still);
	if (!*out)
		rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
	goto out;
fail:
	mrm__rollback(ctx);
out:
	free(note);
	json_decref(sum);
	json_decref(fields);
	json_decref(ev);
	json_decref(existing);
	json_decref(opened);
	json_decref(awaiting);
	json_decref(reopened);
	json_decref(still);
	return rc;
}
