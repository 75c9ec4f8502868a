/* ISO 8601 parsing and formatting in UTC, without the locale or TZ. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "mrm/timeutil.h"

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
int64_t mrm_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, unsigned m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

/* Reads exactly `n` digits at *p, advancing it; -1 if they are not there. */
static int digits(const char **p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return v;
}

static int bad(struct mrm_error *err, const char *what, const char *text,
	       const char *why)
{
	return mrm_error_set(err, MRM_EINPUT,
			     "invalid %s '%s': %s (expected ISO 8601, e.g. 2026-11-26 or 2026-11-26T14:03:00Z)",
			     what, text, why);
}

static int parse(const char *text, const char *what, int date_only,
		 int64_t *out, struct mrm_error *err)
{
	const char *p = text;
	int y, mo, d, h = 0, mi = 0, s = 0;
	int64_t offset = 0;

	if (!text || !*text)
		return bad(err, what, text ? text : "", "empty");
	if ((y = digits(&p, 4)) < 0 || *p++ != '-' || (mo = digits(&p, 2)) < 0 ||
	    *p++ != '-' || (d = digits(&p, 2)) < 0)
		return bad(err, what, text, "not a date");
	if (mo < 1 || mo > 12)
		return bad(err, what, text, "month out of range");
	if (d < 1 || d > days_in_month(y, (unsigned)mo))
		return bad(err, what, text, "day out of range");
	if (*p == 'T' || *p == 't' || (*p == ' ' && p[1])) {
		if (date_only)
			return bad(err, what, text, "a date is expected, not a time");
		p++;
		if ((h = digits(&p, 2)) < 0 || *p++ != ':' || (mi = digits(&p, 2)) < 0)
			return bad(err, what, text, "not a time of day");
		if (*p == ':') {
			p++;
			if ((s = digits(&p, 2)) < 0)
				return bad(err, what, text, "bad seconds");
			if (*p == '.' || *p == ',') {
				p++;
				if (!isdigit((unsigned char)*p))
					return bad(err, what, text, "bad fraction");
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		if (h > 23 || mi > 59 || s > 60)
			return bad(err, what, text, "time out of range");
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om;
			if ((oh = digits(&p, 2)) < 0)
				return bad(err, what, text, "bad zone offset");
			if (*p == ':')
				p++;
			if ((om = digits(&p, 2)) < 0 || oh > 23 || om > 59)
				return bad(err, what, text, "bad zone offset");
			offset = sign * (oh * 3600 + om * 60);
		}
	}
	if (*p)
		return bad(err, what, text, "trailing characters");
	if (s == 60)
		s = 59; /* a leap second is recorded as the second before it */
	*out = mrm_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	       h * 3600 + mi * 60 + s - offset;
	return MRM_OK;
}

int mrm_time_parse(const char *text, const char *what, int64_t *out,
		   struct mrm_error *err)
{
	return parse(text, what, 0, out, err);
}

int mrm_date_parse(const char *text, const char *what, int64_t *out,
		   struct mrm_error *err)
{
	return parse(text, what, 1, out, err);
}

void mrm_time_format(int64_t t, char *buf)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t rem = t - days * 86400;
	int y;
	unsigned m, d;

	char tmp[64];

	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;
	snprintf(tmp, sizeof(tmp), "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m % 100, d % 100,
		 (int)(rem / 3600) % 100, (int)(rem / 60 % 60), (int)(rem % 60));
	memcpy(buf, tmp, MRM_TIME_LEN - 1);
	buf[MRM_TIME_LEN - 1] = '\0';
}

void mrm_date_format(int64_t t, char *buf)
{
	char tmp[MRM_TIME_LEN];
	mrm_time_format(t, tmp);
	memcpy(buf, tmp, 10);
	buf[10] = '\0';
}
