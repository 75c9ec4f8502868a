/* Reading result documents: typed getters over jansson that never fail on a missing or mistyped key. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/internal.h"

json_t *mrm__json_obj(json_t *o, const char *k)
{
	json_t *x = json_is_object(o) ? json_object_get(o, k) : NULL;

	return json_is_object(x) ? x : NULL;
}

json_t *mrm__json_arr(json_t *o, const char *k)
{
	json_t *x = json_is_object(o) ? json_object_get(o, k) : NULL;

	return json_is_array(x) ? x : NULL;
}

const char *mrm__json_str(json_t *o, const char *k)
{
	json_t *x = json_is_object(o) ? json_object_get(o, k) : NULL;

	return json_is_string(x) ? json_string_value(x) : NULL;
}

bool mrm__json_number(json_t *x, double *out)
{
	double d;

	if (!json_is_number(x))
		return false;
	d = json_number_value(x);
	if (!isfinite(d))
		return false;
	*out = d;
	return true;
}

bool mrm__json_num(json_t *o, const char *k, double *out)
{
	return json_is_object(o) && mrm__json_number(json_object_get(o, k), out);
}

/* The first of several alternative keys that holds a number. */
bool mrm__json_num2(json_t *o, const char *k1, const char *k2, double *out)
{
	return mrm__json_num(o, k1, out) || (k2 && mrm__json_num(o, k2, out));
}

/* A boolean or a "pass"/"fail" string: 1, 0, or -1 when neither. */
int mrm__json_pass(json_t *x)
{
	const char *s;

	if (json_is_boolean(x))
		return json_is_true(x) ? 1 : 0;
	s = json_is_string(x) ? json_string_value(x) : NULL;
	if (s && (!strcmp(s, "pass") || !strcmp(s, "passed")))
		return 1;
	if (s && (!strcmp(s, "fail") || !strcmp(s, "failed")))
		return 0;
	return -1;
}

/*
 * A metric of `metrics`: a number, or an object {"value", "reason"}. When
 * it is not a number, *reason says why: the object's reason, the entry of
 * `undefined`, or "not computed" when the key is absent.
 */
bool mrm__json_metric(json_t *metrics, json_t *undefined, const char *k,
		       double *x, const char **reason)
{
	json_t *m = json_is_object(metrics) ? json_object_get(metrics, k) : NULL;
	json_t *u = json_is_object(undefined) ? json_object_get(undefined, k) : NULL;

	*reason = NULL;
	*x = NAN;
	if (json_is_object(m)) {
		if (mrm__json_num(m, "value", x))
			return true;
		*reason = mrm__json_str(m, "reason");
	} else if (mrm__json_number(m, x)) {
		return true;
	}
	if (!*reason && json_is_string(u))
		*reason = json_string_value(u);
	if (!*reason && json_is_object(u))
		*reason = mrm__json_str(u, "reason");
	if (!*reason)
		*reason = m ? "undefined for these data (no reason given)" : "not computed";
	return false;
}

/* An interval: [low, high], or an object {"low", "high"} (or lower/upper). */
bool mrm__json_interval(json_t *c, double *lo, double *hi)
{
	if (json_is_array(c) && json_array_size(c) == 2)
		return mrm__json_number(json_array_get(c, 0), lo) &&
		       mrm__json_number(json_array_get(c, 1), hi);
	if (json_is_object(c))
		return mrm__json_num2(c, "low", "lower", lo) && mrm__json_num2(c, "high", "upper", hi);
	return false;
}

bool mrm__json_interval_of(json_t *ci, const char *k, double *lo, double *hi)
{
	return json_is_object(ci) && mrm__json_interval(json_object_get(ci, k), lo, hi);
}

/* The numbers of a JSON array (non-numbers as NAN); *out is malloc'd, NULL when empty. */
size_t mrm__json_doubles(json_t *a, double **out)
{
	size_t n = json_is_array(a) ? json_array_size(a) : 0, i;
	double *d;

	*out = NULL;
	if (n == 0)
		return 0;
	d = malloc(n * sizeof(*d));
	if (!d)
		return 0;
	for (i = 0; i < n; i++)
		if (!mrm__json_number(json_array_get(a, i), &d[i]))
			d[i] = NAN;
	*out = d;
	return n;
}
