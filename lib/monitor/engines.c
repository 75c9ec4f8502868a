/* The drift and validation runs a monitor run needs, with their failures as reasons. */
#include <stdio.h>
#include <stdlib.h>

#include "monitor/engines.h"
#include "mrm/drift.h"
#include "mrm/validate.h"

void mrm__monitor_drift(const char *reference, json_t *columns, const char *window,
			const char *timestamp, const char *current,
			const struct mrm_table_options *read, json_t **doc, char *why, size_t cap)
{
	struct mrm_drift_options o = { 0 };
	struct mrm_error e = { 0 };
	const char **names = NULL;
	json_t *v;
	size_t i;
	int rc;

	*doc = NULL;
	if (json_array_size(columns)) {
		if (!(names = calloc(json_array_size(columns) + 1, sizeof(*names)))) {
			snprintf(why, cap, "out of memory");
			return;
		}
		json_array_foreach(columns, i, v)
			names[i] = json_string_value(v);
		o.columns = names;
	}
	o.reference = reference;
	o.current = current;
	if (read)
		o.read = *read;
	/* With a window the document has "windows", evaluated one by one (monitors.c). */
	o.window = window;
	o.timestamp = timestamp;
	rc = mrm_drift_run(&o, doc, &e);
	if (rc && rc != MRM_ECHECK) {
		json_decref(*doc);
		*doc = NULL;
		snprintf(why, cap, "%s", e.msg[0] ? e.msg : mrm_strerror(rc));
	}
	free(names);
}

void mrm__monitor_metrics(const char *data, const struct mrm_table_options *read,
			  const char *label, const char *score, bool regression, bool has_threshold,
			  double threshold, json_t **doc, char *why, size_t cap)
{
	struct mrm_validate_options o = { 0 };
	const char *scores[2] = { score, NULL };
	struct mrm_error e = { 0 };
	int rc;

	o.data = data;
	if (read)
		o.read = *read;
	o.task = regression ? MRM_TASK_REGRESSION : MRM_TASK_BINARY;
	o.label = label;
	o.score = scores;
	o.threshold = threshold;
	o.threshold_given = has_threshold;
	*doc = NULL;
	rc = mrm_validate(&o, doc, &e);
	if (rc && rc != MRM_ECHECK) {
		json_decref(*doc);
		*doc = NULL;
		snprintf(why, cap, "%s", e.msg[0] ? e.msg : mrm_strerror(rc));
	}
}
