/*
 * mrm drift: per-column drift between a reference and a current data file, as one JSON document.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrm/drift.h"
#include "mrm/hash.h"
#include "monitor/drift-internal.h"
#include "monitor/drift-window.h"
#include "monitor/drift-profile.h"

static const char *const methods[] = { "ks", "psi", "chi2", "wasserstein", "jensen_shannon",
				       "anderson_darling", "z", NULL };

bool mrm_drift_method_known(const char *name)
{
	size_t i;

	for (i = 0; methods[i]; i++)
		if (!strcmp(methods[i], name))
			return true;
	return false;
}

static const char *type_name(enum mrm_col_type t)
{
	return t == MRM_COL_NUMERIC ? "numeric" : "categorical";
}

static json_t *problem(const char *col, const char *what)
{
	return json_pack("{s:s, s:s}", "column", col, "problem", what);
}

static json_t *side(const char *path, uint64_t rows)
{
	char hex[MRM_SHA256_HEX];
	struct mrm_error e = { 0 };
	json_t *s = json_pack("{s:s, s:I}", "path", path, "rows", (json_int_t)rows);

	if (strcmp(path, "-") && !mrm_sha256_file(path, hex, NULL, &e))
		json_object_set_new(s, "sha256", json_string(hex));
	else
		json_object_set_new(s, "sha256", json_null());
	return s;
}

static bool listed(const char *const *cols, const char *name)
{
	for (; cols && *cols; cols++)
		if (!strcmp(*cols, name))
			return true;
	return false;
}

/*
 * Reads every row left in `r` (whose selected columns are the side's) into a new side, batch
 * by batch, and sorts it; each batch also goes to `x` (duplicates, windows, labels).
 */
static int read_side(struct mrm_table_reader *r, const char *const *names, size_t n,
		     struct drift_extra *x, struct drift_side **out, struct mrm_error *err)
{
	const struct mrm_table *b;
	int rc;

	if ((rc = drift_side_new(n, names, out, err)))
		return rc;
	while (!(rc = mrm_table_next(r, &b, err)) && b)
		if ((rc = drift_side_add(*out, b, NULL, 0, err)) || (rc = drift_extra_batch(x, b, err)))
			break;
	if (!rc && !(rc = drift_extra_end(x, err)))
		rc = drift_side_finish(*out, err);
	if (rc) {
		drift_side_free(*out);
		*out = NULL;
	}
	return rc;
}

static int oom(struct mrm_error *err)
{
	return mrm_error_set(err, MRM_EINPUT, "out of memory");
}

int mrm_drift_run(const struct mrm_drift_options *o, json_t **out, struct mrm_error *err)
{
	struct mrm_table_reader *rr = NULL, *cr = NULL;
	struct mrm_table_options ropt = o->read, copt = o->read;
	struct drift_side *rs = NULL, *cs = NULL;
	struct drift_extra *rx = NULL, *cx = NULL;
	struct drift_outcome oc;
	json_t *doc = NULL, *cols = NULL, *schema = NULL;
	struct drift_result *res = NULL;
	const char **names = NULL;
	size_t i, nref, ncur, nsel = 0, tested = 0, drifted = 0;
	int rc;

	*out = NULL;
	if (o->method && !mrm_drift_method_known(o->method))
		return mrm_error_set(err, MRM_EUSAGE, "unknown method '%s' (methods: ks psi chi2 "
				     "wasserstein jensen_shannon anderson_darling z)", o->method);
	if (o->has_threshold && !o->method)
		return mrm_error_set(err, MRM_EUSAGE, "--threshold needs --method (each method has its "
				     "own default threshold)");
	if (o->has_threshold && (!(o->threshold > 0) || (drift_p_based(o->method) && o->threshold >= 1)))
		return mrm_error_set(err, MRM_EUSAGE, "--threshold must be %s", drift_p_based(o->method) ?
				     "between 0 and 1 (a p-value level)" : "greater than 0");
	if ((rc = drift_extra_check(o, err)))
		return rc;
	/* A profile on either side (by its magic bytes): the sketch path (drift-profile.c). */
	if (drift_profile_inputs(o))
		return drift_profile_run(o, out, err);
	ropt.name = NULL;
	copt.name = NULL;
	if ((rc = mrm_table_open(o->reference, &ropt, &rr, err)) ||
	    (rc = mrm_table_open(o->current, &copt, &cr, err)))
		goto out;
	nref = mrm_table_ncols(rr);
	ncur = mrm_table_ncols(cr);
	doc = json_object();
	cols = json_object();
	schema = json_array();
	res = calloc(nref + 1, sizeof(*res));
	names = calloc(nref + 1, sizeof(*names));
	if (!doc || !cols || !schema || !res || !names) {
		rc = oom(err);
		goto out;
	}
	/* Names asked for must exist on one side at least. */
	for (i = 0; o->columns && o->columns[i]; i++)
		if (mrm_table_find(rr, o->columns[i]) < 0 && mrm_table_find(cr, o->columns[i]) < 0) {
			char list[512];
			size_t j, at = 0;

			list[0] = 0;
			for (j = 0; j < nref && at < sizeof(list); j++)
				at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%s", j ? ", " : "",
						       mrm_table_colname(rr, j));
			rc = mrm_error_set(err, MRM_EINPUT, "no column '%s' in either file (columns: %s)",
					   o->columns[i], list);
			goto out;
		}
	/* The reference, every column selected (as asked) with the reader's inference. */
	for (i = 0; i < nref; i++) {
		const char *name = mrm_table_colname(rr, i);

		if (mrm_table_find(rr, name) != (long)i || (o->columns && !listed(o->columns, name)) ||
		    drift_extra_special(o, name))
			continue;
		if (mrm_table_find(cr, name) < 0) {
			json_array_append_new(schema, problem(name, "missing_in_current"));
			continue;
		}
		if ((rc = mrm_table_select(rr, name, MRM_COL_AUTO, NULL, err)))
			goto out;
		names[nsel++] = name;
	}
	for (i = 0; i < ncur; i++) {
		const char *name = mrm_table_colname(cr, i);

		if (mrm_table_find(cr, name) == (long)i && mrm_table_find(rr, name) < 0 &&
		    (!o->columns || listed(o->columns, name)) && !drift_extra_special(o, name))
			json_array_append_new(schema, problem(name, "new_in_current"));
	}
	if ((rc = drift_extra_new(o, false, nsel, names, &rx, err)) ||
	    (rc = read_side(rr, names, nsel, rx, &rs, err)))
		goto out;
	if (rs->rows == 0) {
		rc = mrm_error_set(err, MRM_EINPUT, "reference %s: no rows", o->reference);
		goto out;
	}
	/* The current: numeric columns may turn categorical (retyped); categorical ones stay so. */
	for (i = 0; i < nsel; i++)
		if ((rc = mrm_table_select(cr, names[i], rs->cols[i].type == MRM_COL_NUMERIC ?
					   MRM_COL_AUTO : MRM_COL_CATEGORICAL, NULL, err)))
			goto out;
	if ((rc = drift_extra_new(o, true, nsel, names, &cx, err)) ||
	    (rc = drift_extra_select(cx, cr, err)) || (rc = read_side(cr, names, nsel, cx, &cs, err)))
		goto out;
	if (cs->rows == 0) {
		rc = mrm_error_set(err, MRM_EINPUT, "current %s: no rows", o->current);
		goto out;
	}
	for (i = 0; i < nsel; i++) {
		const struct drift_col *a = &rs->cols[i], *b = &cs->cols[i];
		bool a_all = a->missing == rs->rows, b_all = b->missing == cs->rows;

		if (a->type != b->type && !a_all && !b_all) {
			json_t *p = problem(a->name, "retyped");

			json_object_set_new(p, "reference_type", json_string(type_name(a->type)));
			json_object_set_new(p, "current_type", json_string(type_name(b->type)));
			json_array_append_new(schema, p);
			continue;
		}
		res[i].obj = json_object();
		if (!res[i].obj) {
			rc = oom(err);
			goto out;
		}
		if (a->type == b->type)
			rc = drift_compare(o, a, b, true, &res[i], err);
		else
			/* One side entirely missing: the type of the side that has values. */
			drift_not_compared(&res[i], type_name(a_all ? b->type : a->type), a_all ?
					   "every reference value is missing" :
					   "every current value is missing");
		if (rc)
			goto out;
		json_object_set_new(res[i].obj, "reference_missing", json_integer((json_int_t)a->missing));
		json_object_set_new(res[i].obj, "current_missing", json_integer((json_int_t)b->missing));
	}
	drift_correct(res, nsel, o->correction);
	json_object_set_new(doc, "reference", side(o->reference, rs->rows));
	json_object_set_new(doc, "current", side(o->current, cs->rows));
	json_object_set_new(doc, "method", json_string(o->method ? o->method : "auto"));
	json_object_set_new(doc, "correction", json_string(o->correction == MRM_CORRECTION_HOLM ? "holm" :
							   o->correction == MRM_CORRECTION_BONFERRONI ?
							   "bonferroni" : "none"));
	for (i = 0; i < nsel; i++)
		if (res[i].obj)
			json_object_set(cols, names[i], res[i].obj);
	json_object_set(doc, "columns", cols);
	json_object_set(doc, "schema", schema);
	drift_summarise(doc, res, nsel, &tested, &drifted);
	if ((rc = drift_extra_finish(o, rx, cx, rs, cs, doc, &oc, err)))
		goto out;
	*out = doc;
	doc = NULL;
	mrm_error_clear(err);
	rc = 0;
	if (json_is_true(json_object_get(*out, "dataset_drift")) || oc.checks_failed ||
	    oc.windows_flagged) {
		char msg[MRM_ERROR_MAX];
		size_t at = 0;

		msg[0] = 0;
		if (json_is_true(json_object_get(*out, "dataset_drift")))
			at += (size_t)snprintf(msg, sizeof(msg), "dataset drift: %zu of %zu columns drifted "
					       "(share >= %g)", drifted, tested, DRIFT_SHARE_THRESHOLD);
		if (oc.checks_failed && at < sizeof(msg))
			at += (size_t)snprintf(msg + at, sizeof(msg) - at, "%sfailed quality checks: %s",
					       at ? "; " : "", oc.failed);
		if (oc.windows_flagged && at < sizeof(msg))
			snprintf(msg + at, sizeof(msg) - at, "%s%zu of %zu windows with drift or failed checks",
				 at ? "; " : "", oc.windows_flagged, oc.windows);
		rc = mrm_error_set(err, MRM_ECHECK, "%s", msg);
	}
out:
	for (i = 0; res && i < nref + 1; i++)
		json_decref(res[i].obj);
	free(res);
	free(names);
	json_decref(doc);
	json_decref(cols);
	json_decref(schema);
	drift_side_free(rs);
	drift_side_free(cs);
	drift_extra_free(rx);
	drift_extra_free(cx);
	mrm_table_close(rr);
	mrm_table_close(cr);
	return rc;
}
