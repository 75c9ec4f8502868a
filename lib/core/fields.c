/* Validation of the JSON field objects that mutations take. */
#include <ctype.h>
#include <string.h>

#include "core/core.h"

const char *mrm__str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int mrm__check_enum(const char *value, const char *const *allowed,
		    const char *field, struct mrm_error *err)
{
	char list[512] = "";
	size_t used = 0;

	for (const char *const *a = allowed; *a; a++)
		if (value && !strcmp(value, *a))
			return MRM_OK;
	for (const char *const *a = allowed; *a && used + 2 < sizeof(list); a++) {
		size_t n = strlen(*a);
		if (used + n + 3 >= sizeof(list))
			break;
		if (used) {
			memcpy(list + used, ", ", 2);
			used += 2;
		}
		memcpy(list + used, *a, n);
		used += n;
		list[used] = '\0';
	}
	return mrm_error_set(err, MRM_EINPUT, "invalid %s '%s' (expected one of: %s)", field,
			     value ? value : "", list);
}

static bool valid_slug(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64 || !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(islower(c) || isdigit(c) || c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

static int check_one(json_t *in, const struct mrm__field *f, json_t *v,
		     struct mrm_error *err)
{
	const char *s = json_string_value(v);
	int64_t t;
	char buf[MRM_TIME_LEN];

	switch (f->type) {
	case MRM__F_BOOL:
		if (!json_is_boolean(v))
			return mrm_error_set(err, MRM_EINPUT, "field '%s' must be true or false", f->name);
		return MRM_OK;
	case MRM__F_INT:
		if (!json_is_integer(v))
			return mrm_error_set(err, MRM_EINPUT, "field '%s' must be an integer", f->name);
		return MRM_OK;
	case MRM__F_TEXT_LIST:
		if (!json_is_array(v))
			return mrm_error_set(err, MRM_EINPUT, "field '%s' must be a list of strings", f->name);
		for (size_t i = 0; i < json_array_size(v); i++)
			if (!json_is_string(json_array_get(v, i)) ||
			    !*json_string_value(json_array_get(v, i)))
				return mrm_error_set(err, MRM_EINPUT,
						     "field '%s' item %zu must be a non-empty string",
						     f->name, i + 1);
		return MRM_OK;
	default:
		break;
	}
	if (!json_is_string(v))
		return mrm_error_set(err, MRM_EINPUT, "field '%s' must be a string", f->name);
	if (f->required && !*s)
		return mrm_error_set(err, MRM_EINPUT, "field '%s' must not be empty", f->name);
	if (strlen(s) > 65536)
		return mrm_error_set(err, MRM_EINPUT, "field '%s' is longer than 65536 bytes", f->name);
	switch (f->type) {
	case MRM__F_ENUM:
		return mrm__check_enum(s, f->allowed, f->name, err);
	case MRM__F_ID:
		if (!valid_slug(s))
			return mrm_error_set(err, MRM_EINPUT,
					     "invalid %s '%s' (use 1-64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit)",
					     f->name, s);
		return MRM_OK;
	case MRM__F_DATE:
		if (!*s)
			return MRM_OK;
		if (mrm_date_parse(s, f->name, &t, err))
			return MRM_EINPUT;
		mrm_date_format(t, buf);
		json_object_set_new(in, f->name, json_string(buf));
		return MRM_OK;
	case MRM__F_TIME:
		if (!*s)
			return MRM_OK;
		if (mrm_time_parse(s, f->name, &t, err))
			return MRM_EINPUT;
		mrm_time_format(t, buf);
		json_object_set_new(in, f->name, json_string(buf));
		return MRM_OK;
	default:
		return MRM_OK;
	}
}

int mrm__fields_check(json_t *in, const struct mrm__field *spec,
		      struct mrm_error *err)
{
	const char *key;
	json_t *v;
	int rc;

	if (!json_is_object(in))
		return mrm_error_set(err, MRM_EINPUT, "fields must be a JSON object");
	json_object_foreach(in, key, v) {
		const struct mrm__field *f = spec;
		while (f->name && strcmp(f->name, key))
			f++;
		if (!f->name)
			return mrm_error_set(err, MRM_EINPUT, "unknown field '%s'", key);
	}
	for (const struct mrm__field *f = spec; f->name; f++) {
		v = json_object_get(in, f->name);
		if (!v || json_is_null(v)) {
			if (f->required)
				return mrm_error_set(err, MRM_EINPUT, "missing required field '%s'", f->name);
			continue;
		}
		if ((rc = check_one(in, f, v, err)))
			return rc;
	}
	return MRM_OK;
}
