/*
 * Error codes and messages shared by every part of libmrm.
 *
 * A function that can fail returns an `int` status (0 on success, one of
 * enum mrm_code otherwise) and, when the caller passes a non-NULL
 * `struct mrm_error *`, fills it with a one-line message that says what
 * and where (file:line:column, or the field name). The numeric values are
 * the exit codes of the `mrm` binary (see docs/cli.md), so the CLI can exit
 * with the code it got.
 */
#ifndef MRM_ERROR_H
#define MRM_ERROR_H

#include <stddef.h>

enum mrm_code {
	MRM_OK = 0,
	MRM_ECHECK = 1,    /* a check failed: gate, test, drift alert, audit verify */
	MRM_EUSAGE = 2,    /* bad command line */
	MRM_EINPUT = 3,    /* bad input data, value or file */
	MRM_ENOTFOUND = 4, /* unknown id */
	MRM_EPERM = 5,     /* not permitted: role or separation of duties */
	MRM_ESTORE = 6,    /* store error: not an mrm store, locked, full, I/O */
	MRM_EDELIVERY = 7, /* a network or file delivery failed (queued for retry) */
};

/* Returned by mrm_stmt_step() when a row is available (never an exit code). */
#define MRM_ROW 100

#define MRM_ERROR_MAX 1024

struct mrm_error {
	int code;
	char msg[MRM_ERROR_MAX];
};

/* A short name for a code, e.g. "not found". Never NULL. */
const char *mrm_strerror(int code);

/*
 * Records `code` and a printf-style message in `err` (if not NULL) and
 * returns `code`, so callers can write `return mrm_error_set(err, ...)`.
 * A message already set is kept unless `err->code` is MRM_OK, so the
 * innermost, most specific message wins.
 */
int mrm_error_set(struct mrm_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Clears `err` to MRM_OK and an empty message. NULL is a no-op. */
void mrm_error_clear(struct mrm_error *err);

#endif
