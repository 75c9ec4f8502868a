/* Unit tests for ISO 8601 parsing and formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mrm/timeutil.h"

static void parses_dates_and_times(void **state)
{
	int64_t t;
	char buf[MRM_TIME_LEN];
	(void)state;

	assert_int_equal(mrm_time_parse("1970-01-01", "t", &t, NULL), 0);
	assert_int_equal(t, 0);
	assert_int_equal(mrm_time_parse("2026-11-26T14:03:00Z", "t", &t, NULL), 0);
	assert_int_equal(t, 1795701780);
	mrm_time_format(t, buf);
	assert_string_equal(buf, "2026-11-26T14:03:00Z");
	assert_int_equal(mrm_time_parse("2026-11-26T15:03:00+01:00", "t", &t, NULL), 0);
	assert_int_equal(t, 1795701780);
	assert_int_equal(mrm_time_parse("2026-11-26 14:03", "t", &t, NULL), 0);
	assert_int_equal(t, 1795701780);
	assert_int_equal(mrm_time_parse("2026-11-26T14:03:00.123Z", "t", &t, NULL), 0);
	assert_int_equal(t, 1795701780);
	assert_int_equal(mrm_time_parse("2024-02-29", "t", &t, NULL), 0);
	mrm_time_format(-1, buf);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
}

static void rejects_bad_input(void **state)
{
	struct mrm_error err = { 0 };
	int64_t t;
	(void)state;

	assert_int_equal(mrm_time_parse("2025-02-29", "due", &t, &err), MRM_EINPUT);
	assert_non_null(strstr(err.msg, "due"));
	assert_non_null(strstr(err.msg, "day out of range"));
	assert_int_equal(mrm_time_parse("2026-13-01", "t", &t, NULL), MRM_EINPUT);
	assert_int_equal(mrm_time_parse("26-11-2026", "t", &t, NULL), MRM_EINPUT);
	assert_int_equal(mrm_time_parse("2026-11-26T25:00Z", "t", &t, NULL), MRM_EINPUT);
	assert_int_equal(mrm_time_parse("2026-11-26Tjunk", "t", &t, NULL), MRM_EINPUT);
	assert_int_equal(mrm_time_parse("2026-11-26Z1", "t", &t, NULL), MRM_EINPUT);
	assert_int_equal(mrm_time_parse("", "t", &t, NULL), MRM_EINPUT);
	assert_int_equal(mrm_date_parse("2026-11-26T10:00Z", "t", &t, NULL), MRM_EINPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_dates_and_times),
		cmocka_unit_test(rejects_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
