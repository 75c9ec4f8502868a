/*
 * mrm_validate: checks the options, loads the declared tests, reads the
 * data and assembles the result document of the task's report, then
 * evaluates the tests against it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/internal.h"

static size_t count(const char *const *l)
{
	size_t n = 0;

	while (l && l[n])
		n++;
	return n;
}

static int check_options(const struct mrm_validate_options *o, struct mrm_error *err)
{
	size_t ns = count(o->score);
	bool bin = o->task == MRM_TASK_BINARY;

	if (!o->data)
		return mrm_error_set(err, MRM_EUSAGE, "missing --data FILE");
	if (!o->label)
		return mrm_error_set(err, MRM_EUSAGE, "missing --label COLUMN");
	if (!ns && !o->prediction)
		return mrm_error_set(err, MRM_EUSAGE, "missing --score COLUMN (or --prediction COLUMN)");
	if (ns && o->prediction)
		return mrm_error_set(err, MRM_EUSAGE, "give --score or --prediction, not both");
	if (ns > 1 && o->task != MRM_TASK_MULTICLASS)
		return mrm_error_set(err, MRM_EUSAGE,
				     "--score names %zu columns: one column for a %s task (several are "
				     "class probabilities: --task multiclass)", ns,
				     bin ? "binary" : "regression");
	if (o->task == MRM_TASK_MULTICLASS && ns == 1)
		return mrm_error_set(err, MRM_EUSAGE,
				     "--task multiclass needs one probability column per class "
				     "(--score P1,P2,...) or --prediction COLUMN");
	if (o->classes && (o->task != MRM_TASK_MULTICLASS || !ns))
		return mrm_error_set(err, MRM_EUSAGE, "--classes names the classes of the --score columns "
				     "of --task multiclass");
	if (o->threshold_given && (!bin || o->prediction))
		return mrm_error_set(err, MRM_EUSAGE, "--threshold applies to the --score of a binary task");
	if (o->positive && !bin)
		return mrm_error_set(err, MRM_EUSAGE, "--positive applies to a binary task");
	if (o->champion && (!bin || !ns))
		return mrm_error_set(err, MRM_EUSAGE, "--champion compares two --score columns of a binary task");
	if (o->champion && ns && !strcmp(o->champion, o->score[0]))
		return mrm_error_set(err, MRM_EUSAGE, "--champion and --score name the same column");
	if (count(o->groups) > MRM__MAX_GROUPS)
		return mrm_error_set(err, MRM_EUSAGE, "at most %d --group columns", MRM__MAX_GROUPS);
	if (o->bins > MRM_ACC_MAX_BINS)
		return mrm_error_set(err, MRM_EUSAGE, "--bins must be between 1 and %d", MRM_ACC_MAX_BINS);
	if (o->bootstrap_metrics && !bin)
		return mrm_error_set(err, MRM_EUSAGE, "--bootstrap-metrics applies to a binary task");
	if (o->bootstrap_metrics && !o->bootstrap)
		return mrm_error_set(err, MRM_EUSAGE, "--bootstrap-metrics needs --bootstrap N");
	if (o->bootstrap > 1000000)
		return mrm_error_set(err, MRM_EUSAGE, "--bootstrap: at most 1000000 replicates");
	if (o->streaming) {
		if (!bin)
			return mrm_error_set(err, MRM_EUSAGE, "--streaming applies to a binary task");
		if (o->bootstrap)
			return mrm_error_set(err, MRM_EUSAGE,
					     "--bootstrap needs every score: not with --streaming");
		if (o->champion)
			return mrm_error_set(err, MRM_EUSAGE,
					     "--champion needs every score: not with --streaming");
		if (o->binning == MRM_BINS_QUANTILE)
			return mrm_error_set(err, MRM_EUSAGE,
					     "--binning count needs every score: not with --streaming");
	}
	return 0;
}

static json_t *strings(const char *const *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; l && l[i]; i++)
		json_array_append_new(a, json_string(l[i]));
	return a;
}

static json_t *options_json(const struct mrm_validate_options *o)
{
	static const char *const tasks[] = { "binary", "regression", "multiclass" };
	json_t *j = json_object();

	json_object_set_new(j, "task", json_string(tasks[o->task]));
	json_object_set_new(j, "label", json_string(o->label));
	if (count(o->score) == 1)
		json_object_set_new(j, "score", json_string(o->score[0]));
	else if (o->score)
		json_object_set_new(j, "score", strings(o->score));
	if (o->prediction)
		json_object_set_new(j, "prediction", json_string(o->prediction));
	if (o->classes)
		json_object_set_new(j, "classes", strings(o->classes));
	if (o->task == MRM_TASK_BINARY)
		json_object_set_new(j, "positive", o->positive ? json_string(o->positive)
							       : json_string("1 (or true, yes)"));
	if (o->weight)
		json_object_set_new(j, "weight", json_string(o->weight));
	if (o->champion)
		json_object_set_new(j, "champion", json_string(o->champion));
	if (o->groups)
		json_object_set_new(j, "group", strings(o->groups));
	if (o->threshold_given)
		json_object_set_new(j, "threshold", json_real(o->threshold));
	json_object_set_new(j, "bootstrap", json_integer((json_int_t)o->bootstrap));
	if (o->bootstrap)
		json_object_set_new(j, "seed", json_integer((json_int_t)o->seed));
	if (o->bootstrap_metrics) {
		json_t *bm = json_array();
		int id;

		for (id = 0; id < MRM_BINARY_METRIC_COUNT; id++)
			if (o->bootstrap_metrics & (1ULL << id))
				json_array_append_new(bm, json_string(mrm_binary_metric_name(id)));
		json_object_set_new(j, "bootstrap_metrics", bm);
	}
	if (o->where)
		json_object_set_new(j, "where", json_string(o->where));
	if (o->tests)
		json_object_set_new(j, "tests", json_string(o->tests));
	if (o->task == MRM_TASK_BINARY) {
		json_object_set_new(j, "bins", json_integer((json_int_t)(o->bins ? o->bins : 10)));
		json_object_set_new(j, "binning", json_string(o->binning == MRM_BINS_QUANTILE ? "count" : "width"));
	}
	json_object_set_new(j, "streaming", json_boolean(o->streaming));
	if (o->read.skip_bad_rows)
		json_object_set_new(j, "skip_bad_rows", json_true());
	return j;
}

int mrm_validate(const struct mrm_validate_options *o, json_t **out, struct mrm_error *err)
{
	struct mrm__vdata d;
	struct mrm__vtests *tests = NULL;
	struct mrm__where *w = NULL;
	json_t *res = NULL, *warnings = json_array(), *data, *excl;
	const char *keys[MRM__MAX_GROUPS + 1];
	char *ikey = NULL;
	size_t ng = count(o->groups), i, failed = 0;
	int rc;

	*out = NULL;
	memset(&d, 0, sizeof(d));
	if ((rc = check_options(o, err)))
		goto out;
	/* Mistakes in the command line and the tests file come before reading any data. */
	if (o->where) {
		if ((rc = mrm__where_parse(o->where, &w, err)))
			goto out;
		mrm__where_free(w);
	}
	if (o->tests) {
		struct mrm__vtests_scope sc = { o->task, keys, ng, o->champion != NULL, o->streaming };

		for (i = 0; i < ng; i++)
			keys[i] = o->groups[i];
		if (ng > 1) {
			size_t len = 1, at = 0;

			for (i = 0; i < ng; i++)
				len += strlen(o->groups[i]) + 1;
			if (!(ikey = malloc(len))) {
				rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
				goto out;
			}
			ikey[0] = '\0';
			for (i = 0; i < ng; i++)
				at += (size_t)snprintf(ikey + at, len - at, "%s%s", i ? "&" : "", o->groups[i]);
			keys[ng] = ikey;
			sc.ngroups = ng + 1;
		}
		if ((rc = mrm__vtests_load(o->tests, &sc, &tests, err)))
			goto out;
	}
	if ((rc = mrm__load(o, &d, warnings, err)))
		goto out;
	if (d.n == 0) {
		/* Metrics of nothing are all undefined: say why there is nothing instead. */
		char why[512];
		size_t len = 0;

		why[0] = '\0';
		for (i = 0; i < MRM__EX_COUNT; i++)
			if (d.excluded[i])
				len += (size_t)snprintf(why + len, len < sizeof(why) ? sizeof(why) - len : 0,
							"%s%s %llu", len ? ", " : "", mrm__excl_names[i],
							(unsigned long long)d.excluded[i]);
		if (d.rows_read == 0)
			rc = mrm_error_set(err, MRM_EINPUT, "%s: no data rows to validate", d.name);
		else
			rc = mrm_error_set(err, MRM_EINPUT, "%s: no rows left to validate: all %llu rows "
					   "read were left out (%s)", d.name,
					   (unsigned long long)d.rows_read, why);
		goto out;
	}
	res = json_object();
	json_object_set_new(res, "task", json_string(o->task == MRM_TASK_BINARY ? "binary" :
						      o->task == MRM_TASK_REGRESSION ? "regression" : "multiclass"));
	data = json_pack("{s:s,s:s}", "path", o->data, "format", d.format);
	if (d.hashed)
		json_object_set_new(data, "sha256", json_string(d.sha256));
	if (d.delimiter) {
		char dl[2] = { d.delimiter, 0 };

		json_object_set_new(data, "delimiter", json_string(dl));
	}
	json_object_set_new(data, "bytes", json_integer((json_int_t)d.bytes));
	json_object_set_new(data, "rows_read", json_integer((json_int_t)d.rows_read));
	json_object_set_new(res, "data", data);
	json_object_set_new(res, "options", options_json(o));
	switch (o->task) {
	case MRM_TASK_BINARY:
		rc = o->streaming ? mrm__binary_stream_report(&d, res, err) : mrm__binary_report(&d, res, err);
		break;
	case MRM_TASK_REGRESSION:
		rc = mrm__regression_report(&d, res, err);
		break;
	default:
		rc = mrm__multiclass_report(&d, res, err);
		break;
	}
	if (rc)
		goto out;
	excl = json_object();
	for (i = 0; i < MRM__EX_COUNT; i++)
		if (d.excluded[i] || i == MRM__EX_LABEL || i == MRM__EX_SCORE)
			json_object_set_new(excl, mrm__excl_names[i], json_integer((json_int_t)d.excluded[i]));
	json_object_set_new(res, "excluded", excl);
	for (i = 0; i < MRM__EX_COUNT; i++)
		if (d.excluded[i] && i != MRM__EX_WHERE && i != MRM__EX_ZERO_WEIGHT)
			mrm__warn(warnings, "%llu row%s left out: %s", (unsigned long long)d.excluded[i],
				  d.excluded[i] == 1 ? "" : "s", mrm__excl_names[i]);
	if (d.bad_rows) {
		json_object_set(res, "bad_rows", d.bad_rows);
		if (json_integer_value(json_object_get(d.bad_rows, "count")))
			mrm__warn(warnings, "%s", json_string_value(json_object_get(d.bad_rows, "summary")));
	}
	if (tests) {
		json_t *t = mrm__vtests_eval(tests, res, &failed);

		json_object_set_new(res, "tests", t);
		json_object_set_new(res, "tests_failed", json_integer((json_int_t)failed));
	}
	json_object_set(res, "warnings", warnings);
	*out = res;
	res = NULL;
	if (failed)
		rc = mrm_error_set(err, MRM_ECHECK, "%zu of %zu validation tests failed", failed,
				   json_array_size(json_object_get(*out, "tests")));
out:
	json_decref(res);
	json_decref(warnings);
	mrm__vtests_free(tests);
	mrm__vdata_release(&d);
	free(ikey);
	return rc;
}
