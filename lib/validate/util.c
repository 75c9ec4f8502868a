/* JSON helpers of `mrm validate`: numbers that are never NaN, metrics with reasons, warnings. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "validate/internal.h"

json_t *mrm__jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

json_t *mrm__jcount(double x)
{
	if (isfinite(x) && x == floor(x) && fabs(x) < 9007199254740992.0)
		return json_integer((json_int_t)x);
	return mrm__jnum(x);
}

void mrm__jmetric(json_t *obj, json_t *undef, const char *key, struct mrm_metric m)
{
	if (m.reason || !isfinite(m.value)) {
		json_object_set_new(obj, key, json_null());
		if (undef)
			json_object_set_new(undef, key, json_string(m.reason ? m.reason : "not finite"));
		return;
	}
	json_object_set_new(obj, key, json_real(m.value));
}

json_t *mrm__jpair(double lo, double hi)
{
	return json_pack("[oo]", mrm__jnum(lo), mrm__jnum(hi));
}

void mrm__warn(json_t *warnings, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!warnings)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(warnings, json_string(buf));
}

char *mrm__intersection_key(const struct mrm__vdata *d)
{
	size_t i, len = 1;
	char *k;

	size_t total, at = 0;

	for (i = 0; i < d->ng; i++)
		len += strlen(d->g[i].name) + 1;
	total = len;
	if (!(k = malloc(total)))
		return NULL;
	k[0] = '\0';
	for (i = 0; i < d->ng; i++)
		at += (size_t)snprintf(k + at, total - at, "%s%s", i ? "&" : "", d->g[i].name);
	return k;
}

int mrm__cmp_names(const char *x, const char *y)
{
	double u, v;

	if (!mrm_parse_double(x, strlen(x), &u) && !mrm_parse_double(y, strlen(y), &v) && u != v)
		return (u > v) - (u < v);
	return strcmp(x, y);
}
