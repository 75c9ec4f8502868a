/* A small JSON Schema subset (type, required, properties, enum, items, additionalProperties) for the json_schema detector. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redteam/probe-internal.h"

static const char *const type_names[] = { "object", "array", "string", "number", "integer", "boolean", "null", NULL };

static const char *const schema_keys[] = { "type", "required", "properties", "enum", "items",
					   "additionalProperties", "title", "description", "$schema", NULL };

static bool listed(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return true;
	return false;
}

static int check(const json_t *s, const char *path, int depth, struct mrm_error *err)
{
	const char *key;
	json_t *v;

	if (depth > 32)
		return mrm_error_set(err, MRM_EINPUT, "%s: schema nested deeper than 32 levels", path);
	if (!json_is_object(s))
		return mrm_error_set(err, MRM_EINPUT, "%s: a schema is a mapping", path);
	json_object_foreach((json_t *)s, key, v)
	{
		char sub[512];
		if (!listed(schema_keys, key))
			return mrm_error_set(err, MRM_EINPUT,
					     "%s: keyword '%.64s' is not supported (supported: type, required, properties, "
					     "enum, items, additionalProperties)",
					     path, key);
		if (!strcmp(key, "type")) {
			size_t i;
			json_t *t;
			if (json_is_string(v)) {
				if (!listed(type_names, json_string_value(v)))
					return mrm_error_set(err, MRM_EINPUT, "%s.type: unknown type '%.32s'", path, json_string_value(v));
			} else if (json_is_array(v) && json_array_size(v)) {
				json_array_foreach(v, i, t)
				{
					if (!json_is_string(t) || !listed(type_names, json_string_value(t)))
						return mrm_error_set(err, MRM_EINPUT, "%s.type: item %zu is not a type name", path, i + 1);
				}
			} else {
				return mrm_error_set(err, MRM_EINPUT, "%s.type: expected a type name or a list of them", path);
			}
		} else if (!strcmp(key, "required")) {
			size_t i;
			json_t *t;
			if (!json_is_array(v))
				return mrm_error_set(err, MRM_EINPUT, "%s.required: expected a list of property names", path);
			json_array_foreach(v, i, t)
			{
				if (!json_is_string(t))
					return mrm_error_set(err, MRM_EINPUT, "%s.required: item %zu is not a name", path, i + 1);
			}
		} else if (!strcmp(key, "properties")) {
			const char *pk;
			json_t *pv;
			int rc;
			if (!json_is_object(v))
				return mrm_error_set(err, MRM_EINPUT, "%s.properties: expected a mapping of name to schema", path);
			json_object_foreach(v, pk, pv)
			{
				snprintf(sub, sizeof(sub), "%s.properties.%s", path, pk);
				if ((rc = check(pv, sub, depth + 1, err)))
					return rc;
			}
		} else if (!strcmp(key, "enum")) {
			if (!json_is_array(v) || !json_array_size(v))
				return mrm_error_set(err, MRM_EINPUT, "%s.enum: expected a non-empty list of values", path);
		} else if (!strcmp(key, "items")) {
			snprintf(sub, sizeof(sub), "%s.items", path);
			int rc = check(v, sub, depth + 1, err);
			if (rc)
				return rc;
		} else if (!strcmp(key, "additionalProperties")) {
			if (!json_is_boolean(v))
				return mrm_error_set(err, MRM_EINPUT, "%s.additionalProperties: only true or false is supported", path);
		} else if (strcmp(key, "$schema") && !json_is_string(v)) {
			return mrm_error_set(err, MRM_EINPUT, "%s.%s: expected text", path, key);
		}
	}
	return MRM_OK;
}

int mrm_rt_schema_check(const json_t *schema, struct mrm_error *err)
{
	return check(schema, "$", 0, err);
}

static const char *kind_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	default:
		return "null";
	}
}

static bool type_is(const json_t *v, const char *t)
{
	if (!strcmp(t, "number"))
		return json_is_number(v);
	if (!strcmp(t, "integer"))
		return json_is_integer(v) || (json_is_real(v) && json_real_value(v) == (double)(long long)json_real_value(v));
	return !strcmp(kind_of(v), t);
}

static bool valid(const json_t *s, const json_t *v, const char *path, char *why, size_t cap)
{
	json_t *t = json_object_get(s, "type"), *x;
	const char *key;
	size_t i;

	if (t) {
		bool ok = false;
		if (json_is_string(t)) {
			ok = type_is(v, json_string_value(t));
		} else {
			json_array_foreach(t, i, x)
			{
				ok = ok || type_is(v, json_string_value(x));
			}
		}
		if (!ok) {
			char *want = json_is_string(t) ? NULL : json_dumps(t, JSON_COMPACT);
			snprintf(why, cap, "%s: expected %s, found %s", path, want ? want : json_string_value(t), kind_of(v));
			free(want);
			return false;
		}
	}
	if ((x = json_object_get(s, "enum"))) {
		bool ok = false;
		json_t *e;
		json_array_foreach(x, i, e)
		{
			ok = ok || json_equal(e, (json_t *)v);
		}
		if (!ok) {
			char *got = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			snprintf(why, cap, "%s: %.60s is not one of the allowed values", path, got ? got : "the value");
			free(got);
			return false;
		}
	}
	if (json_is_object(v)) {
		json_t *props = json_object_get(s, "properties"), *pv;
		json_array_foreach(json_object_get(s, "required"), i, x)
		{
			if (!json_object_get(v, json_string_value(x))) {
				snprintf(why, cap, "%s: missing required property '%.64s'", path, json_string_value(x));
				return false;
			}
		}
		json_object_foreach((json_t *)v, key, pv)
		{
			json_t *ps = json_object_get(props, key);
			char sub[512];
			snprintf(sub, sizeof(sub), "%s.%s", path, key);
			if (ps && !valid(ps, pv, sub, why, cap))
				return false;
			if (!ps && json_is_false(json_object_get(s, "additionalProperties"))) {
				snprintf(why, cap, "%s: property '%.64s' is not allowed", path, key);
				return false;
			}
		}
	}
	if (json_is_array(v) && (x = json_object_get(s, "items"))) {
		json_t *item;
		json_array_foreach(v, i, item)
		{
			char sub[512];
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			if (!valid(x, item, sub, why, cap))
				return false;
		}
	}
	return true;
}

bool mrm_rt_schema_valid(const json_t *schema, const json_t *value, char *why, size_t cap)
{
	if (cap)
		why[0] = '\0';
	return valid(schema, value, "$", why, cap);
}
