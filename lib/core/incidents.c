/* Incidents: opening, updating (times, root cause, findings), listing and showing them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "mrm/incident.h"

const char *const mrm_incident_severities[] = { "sev1", "sev2", "sev3", "sev4", NULL };
const char *const mrm_incident_root_causes[] = {
	"data-quality", "data-drift", "concept-drift", "model-defect", "code-defect", "infrastructure",
	"third-party", "misuse", "prompt-injection", "process", "unknown", NULL,
};

static const struct mrm__field open_spec[] = {
	{ "severity", MRM__F_ENUM, mrm_incident_severities, true },
	{ "title", MRM__F_TEXT, NULL, true },
	{ "description", MRM__F_TEXT, NULL, false },
	{ "started", MRM__F_TIME, NULL, false },
	{ "detected", MRM__F_TIME, NULL, false },
	{ "findings", MRM__F_TEXT_LIST, NULL, false },
	{ NULL, 0, NULL, false },
};

/* Columns an update may set, in display order, then findings. */
static const struct mrm__field update_spec[] = {
	{ "severity", MRM__F_ENUM, mrm_incident_severities, false },
	{ "title", MRM__F_TEXT, NULL, false },
	{ "description", MRM__F_TEXT, NULL, false },
	{ "started", MRM__F_TIME, NULL, false },
	{ "detected", MRM__F_TIME, NULL, false },
	{ "mitigated", MRM__F_TIME, NULL, false },
	{ "resolved", MRM__F_TIME, NULL, false },
	{ "root_cause", MRM__F_ENUM, mrm_incident_root_causes, false },
	{ "root_cause_note", MRM__F_TEXT, NULL, false },
	{ "findings", MRM__F_TEXT_LIST, NULL, false },
	{ NULL, 0, NULL, false },
};

/* The lifecycle times, in the order they must keep. */
static const char *const time_fields[] = { "started", "detected", "mitigated", "resolved" };
#define NTIMES 4

static const char *const incident_roles[] = { "owner", "validator", "approver", "admin", NULL };

/* Fields checked, then no text may be empty (nothing can be cleared). */
static int check_fields(json_t *in, const struct mrm__field *spec, struct mrm_error *err)
{
	const char *key;
	json_t *v;
	int rc = mrm__fields_check(in, spec, err);

	if (rc)
		return rc;
	json_object_foreach(in, key, v) {
		if (json_is_string(v) && !*json_string_value(v))
			return mrm_error_set(err, MRM_EINPUT, "field '%s' must not be empty", key);
	}
	return MRM_OK;
}

/*
 * Checks started <= detected <= mitigated <= resolved among the times set
 * in `row`, and that none is after now; names the two times compared.
 */
static int check_times(struct mrm_ctx *ctx, json_t *row, struct mrm_error *err)
{
	int64_t t[NTIMES];
	int prev = -1;
	int rc;

	for (int i = 0; i < NTIMES; i++) {
		const char *s = mrm__str(row, time_fields[i]);
		t[i] = INT64_MIN;
		if (s && (rc = mrm_time_parse(s, time_fields[i], &t[i], err)))
			return rc;
		if (s && t[i] > ctx->now)
			return mrm_error_set(err, MRM_EINPUT, "%s (%s) is after now (%s): times cannot be in the future",
					     time_fields[i], s, ctx->now_iso);
	}
	for (int i = 0; i < NTIMES; i++) {
		if (t[i] == INT64_MIN)
			continue;
		if (prev >= 0 && t[i] < t[prev])
			return mrm_error_set(err, MRM_EINPUT,
					     "%s (%s) is before %s (%s): times must keep the order "
					     "started <= detected <= mitigated <= resolved",
					     time_fields[i], mrm__str(row, time_fields[i]), time_fields[prev],
					     mrm__str(row, time_fields[prev]));
		prev = i;
	}
	return MRM_OK;
}

/* Hours from time field `a` to `b` of `row`, to 0.01 h; null unless both are set. */
static json_t *hours(json_t *row, const char *a, const char *b)
{
	int64_t ta, tb;
	if (!mrm__str(row, a) || !mrm__str(row, b) || mrm_time_parse(mrm__str(row, a), a, &ta, NULL) ||
	    mrm_time_parse(mrm__str(row, b), b, &tb, NULL))
		return json_null();
	return json_real(round((double)(tb - ta) / 36.0) / 100.0);
}

static const char *status_of(json_t *row)
{
	if (mrm__str(row, "resolved"))
		return "resolved";
	if (mrm__str(row, "mitigated"))
		return "mitigated";
	return "open";
}

/* Loads incident `id` for display (status, durations, findings), or MRM_ENOTFOUND. */
static int present(struct mrm_ctx *ctx, int64_t id, json_t **out, struct mrm_error *err)
{
	static const char *const order[] = {
		"id", "model_id", "status", "severity", "title", "description", "started", "detected",
		"mitigated", "resolved", "time_to_detect_hours", "time_to_mitigate_hours",
		"time_to_resolve_hours", "root_cause", "root_cause_note", "findings", "opened_by",
		"created_at", "updated_at", NULL,
	};
	json_t *row = NULL, *links = NULL, *findings, *doc, *v;
	const char *key;
	char text[24];
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = mrm__row(ctx, "SELECT * FROM incidents WHERE id = ?", PARAMS(PI(id)), &row, err)))
		return rc;
	if (!row) {
		mrm__format_id("I", id, text);
		return mrm_error_set(err, MRM_ENOTFOUND, "no incident %s (see 'mrm incident list')", text);
	}
	if ((rc = mrm__rows(ctx, "SELECT finding_id FROM incident_findings WHERE incident_id = ? "
				 "ORDER BY finding_id",
			    PARAMS(PI(id)), &links, err))) {
		json_decref(row);
		return rc;
	}
	findings = json_array();
	json_array_foreach(links, i, v) {
		mrm__format_id("F", json_integer_value(json_object_get(v, "finding_id")), text);
		json_array_append_new(findings, json_string(text));
	}
	json_decref(links);
	json_object_set_new(row, "status", json_string(status_of(row)));
	json_object_set_new(row, "time_to_detect_hours", hours(row, "started", "detected"));
	json_object_set_new(row, "time_to_mitigate_hours", hours(row, "detected", "mitigated"));
	json_object_set_new(row, "time_to_resolve_hours", hours(row, "detected", "resolved"));
	json_object_set_new(row, "findings", findings);
	mrm__present("incident", row);
	/* the same keys, in reading order */
	doc = json_object();
	for (const char *const *k = order; *k; k++)
		if ((v = json_object_get(row, *k)))
			json_object_set(doc, *k, v);
	json_object_foreach(row, key, v) {
		if (!json_object_get(doc, key))
			json_object_set(doc, key, v);
	}
	json_decref(row);
	*out = doc;
	return MRM_OK;
}

/* Links each finding of `list` ("F-N") to incident `iid`, auditing each link. */
static int link_findings(struct mrm_ctx *ctx, int64_t iid, const char *model_id, json_t *list,
			 struct mrm_error *err)
{
	size_t n = json_array_size(list);
	int64_t *ids = calloc(n ? n : 1, sizeof(*ids));
	char ftext[24], itext[24];
	int rc = MRM_OK;

	if (!ids)
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	mrm__format_id("I", iid, itext);
	for (size_t i = 0; i < n && !rc; i++) {
		json_t *f = NULL;
		int64_t count = 0, lid = 0;
		if ((rc = mrm__parse_id(json_string_value(json_array_get(list, i)), "F", "finding", &ids[i], err)))
			break;
		mrm__format_id("F", ids[i], ftext);
		for (size_t j = 0; j < i; j++)
			if (ids[j] == ids[i])
				rc = mrm_error_set(err, MRM_EINPUT, "finding %s given twice", ftext);
		if (rc || (rc = mrm__row(ctx, "SELECT model_id FROM findings WHERE id = ?", PARAMS(PI(ids[i])),
					 &f, err)))
			break;
		if (!f)
			rc = mrm_error_set(err, MRM_ENOTFOUND, "no finding %s (see 'mrm finding list')", ftext);
		else if (strcmp(mrm__str(f, "model_id"), model_id))
			rc = mrm_error_set(err, MRM_EINPUT,
					   "finding %s is on model '%s', not on '%s' (the incident's model)", ftext,
					   mrm__str(f, "model_id"), model_id);
		else if ((rc = mrm__int(ctx,
					"SELECT count(*) FROM incident_findings WHERE incident_id = ? AND finding_id = ?",
					PARAMS(PI(iid), PI(ids[i])), &count, err)))
			;
		else if (count)
			rc = mrm_error_set(err, MRM_EINPUT, "finding %s is already linked to incident %s", ftext,
					   itext);
		else if (!(rc = mrm__int(ctx,
					 "INSERT INTO incident_findings (incident_id, finding_id) VALUES (?, ?) "
					 "RETURNING id",
					 PARAMS(PI(iid), PI(ids[i])), &lid, err)))
			rc = mrm__audit_id(ctx, "incident.link_finding", "incident_finding", lid, model_id, NULL, err);
		json_decref(f);
	}
	free(ids);
	return rc;
}

int mrm_incident_open(struct mrm_ctx *ctx, const char *model_id, json_t *fields,
		      json_t **out, struct mrm_error *err)
{
	json_t *in = json_deep_copy(fields), *model = NULL;
	int64_t iid = 0;
	int rc;

	if (out)
		*out = NULL;
	if (!in)
		in = json_object();
	if ((rc = check_fields(in, open_spec, err)))
		goto out;
	if (!mrm__str(in, "started"))
		json_object_set_new(in, "started", json_string(ctx->now_iso));
	if (!mrm__str(in, "detected"))
		json_object_set_new(in, "detected", json_string(ctx->now_iso));
	if ((rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = mrm__model_get(ctx, model_id, &model, err)) ||
	    (rc = mrm__require_role(ctx, incident_roles, "open incidents", err)) ||
	    (rc = check_times(ctx, in, err)))
		goto fail;
	if ((rc = mrm__int(ctx,
			   "INSERT INTO incidents (model_id, severity, title, description, started, detected, "
			   "opened_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			   PARAMS(PT(model_id), PT(mrm__str(in, "severity")), PT(mrm__str(in, "title")),
				  PT(mrm__str(in, "description")), PT(mrm__str(in, "started")),
				  PT(mrm__str(in, "detected")), PT(ctx->actor), PT(ctx->now_iso),
				  PT(ctx->now_iso)),
			   &iid, err)) ||
	    (rc = mrm__audit_id(ctx, "incident.open", "incident", iid, model_id, NULL, err)) ||
	    (rc = link_findings(ctx, iid, model_id, json_object_get(in, "findings"), err)) ||
	    (rc = mrm__commit(ctx, err)))
		goto fail;
	if (out)
		rc = present(ctx, iid, out, err);
	goto out;
fail:
	mrm__rollback(ctx);
out:
	json_decref(model);
	json_decref(in);
	return rc;
}

/* The audit action of an update: the furthest lifecycle step newly reached. */
static const char *update_action(json_t *before, json_t *changed)
{
	bool resolved = false, mitigated = false;
	size_t i;
	json_t *v;

	json_array_foreach(changed, i, v) {
		if (!strcmp(json_string_value(v), "resolved") && !mrm__str(before, "resolved"))
			resolved = true;
		if (!strcmp(json_string_value(v), "mitigated") && !mrm__str(before, "mitigated"))
			mitigated = true;
	}
	return resolved ? "incident.resolve" : mitigated ? "incident.mitigate" : "incident.update";
}

int mrm_incident_update(struct mrm_ctx *ctx, const char *incident, json_t *fields,
			json_t **out, struct mrm_error *err)
{
	json_t *in = json_deep_copy(fields), *before = NULL, *merged = NULL, *changed = json_array();
	json_t *links;
	const char *model_id;
	int64_t iid = 0;
	char itext[24];
	int rc;

	if (out)
		*out = NULL;
	if (!json_is_object(in) || json_object_size(in) == 0) {
		rc = mrm_error_set(err, MRM_EUSAGE, "nothing to update (give a time, --root-cause, --finding, ...)");
		goto out;
	}
	if ((rc = check_fields(in, update_spec, err)) ||
	    (rc = mrm__parse_id(incident, "I", "incident", &iid, err)))
		goto out;
	mrm__format_id("I", iid, itext);
	links = json_object_get(in, "findings");
	if ((rc = mrm__begin(ctx, err)))
		goto out;
	if ((rc = mrm__row(ctx, "SELECT * FROM incidents WHERE id = ?", PARAMS(PI(iid)), &before, err)))
		goto fail;
	if (!before) {
		rc = mrm_error_set(err, MRM_ENOTFOUND, "no incident %s (see 'mrm incident list')", itext);
		goto fail;
	}
	if ((rc = mrm__require_role(ctx, incident_roles, "update incidents", err)))
		goto fail;
	model_id = mrm__str(before, "model_id");
	merged = json_deep_copy(before);
	for (const struct mrm__field *f = update_spec; f->name; f++) {
		json_t *v = json_object_get(in, f->name);
		if (!v || !strcmp(f->name, "findings"))
			continue;
		if (!json_equal(v, json_object_get(before, f->name)))
			json_array_append_new(changed, json_string(f->name));
		json_object_set(merged, f->name, v);
	}
	if (mrm__str(in, "resolved") && !mrm__str(merged, "mitigated")) {
		rc = mrm_error_set(err, MRM_EINPUT,
				   "cannot set resolved on %s: it has no mitigated time "
				   "(set --mitigated first, or in the same command)",
				   itext);
		goto fail;
	}
	if ((rc = check_times(ctx, merged, err)))
		goto fail;
	if (!json_array_size(changed) && !json_array_size(links)) {
		rc = mrm_error_set(err, MRM_EINPUT, "nothing changed: incident %s already has these values", itext);
		goto fail;
	}
	for (size_t i = 0; i < json_array_size(changed); i++) {
		const char *key = json_string_value(json_array_get(changed, i));
		char sql[96];
		/* `key` is one of update_spec's names, never user text. */
		snprintf(sql, sizeof(sql), "UPDATE incidents SET %s = ? WHERE id = ?", key);
		if ((rc = mrm__exec(ctx, sql, PARAMS(PT(mrm__str(in, key)), PI(iid)), err)))
			goto fail;
	}
	if ((rc = mrm__exec(ctx, "UPDATE incidents SET updated_at = ? WHERE id = ?",
			    PARAMS(PT(ctx->now_iso), PI(iid)), err)) ||
	    (rc = mrm__audit_id(ctx, update_action(before, changed), "incident", iid, model_id, before, err)) ||
	    (rc = link_findings(ctx, iid, model_id, links, err)) || (rc = mrm__commit(ctx, err)))
		goto fail;
	if (json_array_size(links))
		json_array_append_new(changed, json_string("findings"));
	if (out && !(rc = present(ctx, iid, out, err)))
		json_object_set(*out, "changed", changed);
	goto out;
fail:
	mrm__rollback(ctx);
out:
	json_decref(changed);
	json_decref(merged);
	json_decref(before);
	json_decref(in);
	return rc;
}

int mrm_incident_list(struct mrm_ctx *ctx, const struct mrm_incident_filter *f,
		      json_t **out, struct mrm_error *err)
{
	json_t *ids = NULL, *arr, *v, *model = NULL;
	size_t i;
	int rc;

	*out = NULL;
	if (f->model_id) {
		if ((rc = mrm__model_get(ctx, f->model_id, &model, err)))
			return rc;
		json_decref(model);
	}
	if ((rc = mrm__rows(ctx,
			    "SELECT id FROM incidents WHERE (? IS NULL OR model_id = ?) "
			    "AND (? = 0 OR resolved IS NULL) ORDER BY id",
			    PARAMS(PT(f->model_id), PT(f->model_id), PI(f->open_only)), &ids, err)))
		return rc;
	arr = json_array();
	json_array_foreach(ids, i, v) {
		json_t *inc;
		if ((rc = present(ctx, json_integer_value(json_object_get(v, "id")), &inc, err))) {
			json_decref(arr);
			json_decref(ids);
			return rc;
		}
		json_array_append_new(arr, inc);
	}
	json_decref(ids);
	*out = arr;
	return MRM_OK;
}

int mrm_incident_show(struct mrm_ctx *ctx, const char *incident, json_t **out,
		      struct mrm_error *err)
{
	int64_t iid;
	int rc;

	*out = NULL;
	if ((rc = mrm__parse_id(incident, "I", "incident", &iid, err)))
		return rc;
	return present(ctx, iid, out, err);
}
