/*
 * ISO 8601 dates and times, always in UTC.
 *
 * mrm stores times as text "YYYY-MM-DDTHH:MM:SSZ" and dates as
 * "YYYY-MM-DD", so they sort as strings and read well in exports.
 */
#ifndef MRM_TIMEUTIL_H
#define MRM_TIMEUTIL_H

#include <stdint.h>

#include "mrm/error.h"

#define MRM_TIME_LEN 21 /* "2026-11-26T14:03:00Z" plus NUL */
#define MRM_DATE_LEN 11 /* "2026-11-26" plus NUL */

/*
 * Parses a date ("2026-11-26") or a time ("2026-11-26T14:03:00Z",
 * "2026-11-26T14:03:00+01:00", "2026-11-26 14:03", fractional seconds
 * dropped) into seconds since the epoch. A time without a zone is UTC.
 * `what` names the field in the error message.
 */
int mrm_time_parse(const char *text, const char *what, int64_t *out,
		   struct mrm_error *err);

/* Parses a calendar date only ("2026-11-26"), rejecting impossible dates. */
int mrm_date_parse(const char *text, const char *what, int64_t *out,
		   struct mrm_error *err);

/* Formats `t` as "YYYY-MM-DDTHH:MM:SSZ" into `buf` (MRM_TIME_LEN bytes). */
void mrm_time_format(int64_t t, char *buf);

/* Formats the UTC date of `t` as "YYYY-MM-DD" into `buf` (MRM_DATE_LEN). */
void mrm_date_format(int64_t t, char *buf);

/* Days from a civil date, the inverse used by the parser (exposed for tests). */
int64_t mrm_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
