/* Number formatting for reports: fixed decimals, p-values, counts, percentages, ticks; never "nan" or "inf". */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/internal.h"

static const char *dash(char *buf)
{
	snprintf(buf, MRM__NUM, "%s", MRM__DASH);
	return buf;
}

/* Turns "-0.0000" into "0.0000": a rounded tiny negative is not worth a sign. */
static void drop_negative_zero(char *buf)
{
	const char *p;

	if (buf[0] != '-')
		return;
	for (p = buf + 1; *p; p++)
		if (*p != '0' && *p != '.')
			return;
	memmove(buf, buf + 1, strlen(buf));
}

const char *mrm__fmt_metric(char *buf, double x)
{
	double a = fabs(x);

	if (!isfinite(x))
		return dash(buf);
	if (a != 0 && (a < 0.00005 || a >= 1e9))
		snprintf(buf, MRM__NUM, "%.3e", x);
	else
		snprintf(buf, MRM__NUM, "%.4f", x);
	drop_negative_zero(buf);
	return buf;
}

const char *mrm__fmt_short(char *buf, double x)
{
	char *e;
	size_t n;

	mrm__fmt_metric(buf, x);
	if (!isfinite(x) || strchr(buf, 'e') || !strchr(buf, '.'))
		return buf;
	n = strlen(buf);
	e = buf + n - 1;
	while (*e == '0')
		*e-- = '\0';
	if (*e == '.')
		*e = '\0';
	return buf;
}

const char *mrm__fmt_full(char *buf, double x)
{
	if (!isfinite(x))
		return dash(buf);
	snprintf(buf, MRM__NUM, "%.17g", x);
	return buf;
}

const char *mrm__fmt_p(char *buf, double p)
{
	if (!isfinite(p))
		return dash(buf);
	if (p <= 0)
		snprintf(buf, MRM__NUM, "&lt; 1e-300");
	else if (p < 0.001)
		snprintf(buf, MRM__NUM, "%.2e", p);
	else
		snprintf(buf, MRM__NUM, "%.4f", p);
	return buf;
}

const char *mrm__fmt_count(char *buf, double x)
{
	char digits[MRM__NUM];
	size_t n, i, o = 0, lead;

	if (!isfinite(x))
		return dash(buf);
	if (x != floor(x) || fabs(x) >= 1e15) {
		snprintf(buf, MRM__NUM, "%.2f", x);
		return buf;
	}
	snprintf(digits, sizeof(digits), "%.0f", fabs(x));
	n = strlen(digits);
	if (x < 0)
		buf[o++] = '-';
	lead = n % 3 ? n % 3 : 3;
	for (i = 0; i < n; i++) {
		if (i >= lead && (i - lead) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

const char *mrm__fmt_pct(char *buf, double x)
{
	if (!isfinite(x))
		return dash(buf);
	snprintf(buf, MRM__NUM, "%.1f%%", 100 * x);
	drop_negative_zero(buf);
	return buf;
}

const char *mrm__fmt_tick(char *buf, double x, double step)
{
	int d = 0;

	if (!isfinite(x))
		return dash(buf);
	if (step > 0 && (step < 1e-6 || fabs(x) >= 1e7)) {
		snprintf(buf, MRM__NUM, "%.2g", x);
		return buf;
	}
	while (d < 6 && step > 0 && fabs(step * pow(10, d) - nearbyint(step * pow(10, d))) > 1e-6)
		d++;
	snprintf(buf, MRM__NUM, "%.*f", d, x);
	drop_negative_zero(buf);
	return buf;
}
