/* The kinds of governance object, their tables, and their display ids. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"

/* Order matters for `mrm audit verify` only in what it reports first. */
const struct mrm__object_type mrm__object_types[] = {
	{ "user", "users", "name", NULL },
	{ "token", "user_tokens", "id", "T" },
	{ "model", "models", "id", NULL },
	{ "version", "versions", "id", "V" },
	{ "tier_assessment", "tier_assessments", "id", "TA" },
	{ "evidence", "evidence", "id", "E" },
	{ "finding", "findings", "id", "F" },
	{ "acceptance", "acceptances", "id", "A" },
	{ "acceptance_finding", "acceptance_findings", "id", "AF" },
	{ "review", "reviews", "id", "R" },
	{ "signoff", "signoffs", "id", "S" },
	{ "incident", "incidents", "id", "I" },
	{ "incident_finding", "incident_findings", "id", "IF" },
	{ "monitor", "monitors", "id", "M" },
	{ "monitor_result", "monitor_results", "id", "MR" },
	{ "alert", "alerts", "id", "AL" },
	{ "alert_delivery", "alert_deliveries", "id", "D" },
	{ NULL, NULL, NULL, NULL },
};

const struct mrm__object_type *mrm__object_type(const char *type)
{
	for (const struct mrm__object_type *t = mrm__object_types; t->type; t++)
		if (!strcmp(t->type, type))
			return t;
	return NULL;
}

int mrm__parse_id(const char *text, const char *prefix, const char *what,
		  int64_t *out, struct mrm_error *err)
{
	const char *p = text;
	size_t n = strlen(prefix);
	char *end;
	long long v;

	if (!p || !*p)
		return mrm_error_set(err, MRM_EINPUT, "missing %s id", what);
	if (!strncasecmp(p, prefix, n) && p[n] == '-')
		p += n + 1;
	if (!isdigit((unsigned char)*p))
		goto bad;
	v = strtoll(p, &end, 10);
	if (*end || v <= 0)
		goto bad;
	*out = v;
	return MRM_OK;
bad:
	return mrm_error_set(err, MRM_EINPUT, "invalid %s id '%s' (expected %s-N, e.g. %s-12)",
			     what, text, prefix, prefix);
}

void mrm__format_id(const char *prefix, int64_t id, char *buf)
{
	snprintf(buf, 24, "%s-%" PRId64, prefix, id);
}

static void prefix_field(json_t *row, const char *key, const char *prefix)
{
	json_t *v = json_object_get(row, key);
	char buf[24];
	if (json_is_integer(v)) {
		mrm__format_id(prefix, json_integer_value(v), buf);
		json_object_set_new(row, key, json_string(buf));
	}
}

json_t *mrm__present(const char *type, json_t *row)
{
	static const struct { const char *key; const char *prefix; } links[] = {
		{ "finding_id", "F" }, { "evidence_id", "E" }, { "repeat_of", "F" },
		{ "acceptance_id", "A" }, { "incident_id", "I" }, { "review_id", "R" },
		{ "verification_evidence_id", "E" }, { "monitor_id", "M" }, { "result_id", "MR" },
		{ "alert_id", "AL" },
	};
	const struct mrm__object_type *t = mrm__object_type(type);

	if (!row)
		return row;
	if (t && t->prefix && !strcmp(t->key, "id"))
		prefix_field(row, "id", t->prefix);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		prefix_field(row, links[i].key, links[i].prefix);
	return row;
}
