/* Error codes, their names, and the message buffer callers pass down. */
#include <stdarg.h>
#include <stdio.h>

#include "mrm/error.h"

const char *mrm_strerror(int code)
{
	switch (code) {
	case MRM_OK: return "ok";
	case MRM_ECHECK: return "check failed";
	case MRM_EUSAGE: return "usage error";
	case MRM_EINPUT: return "bad input";
	case MRM_ENOTFOUND: return "not found";
	case MRM_EPERM: return "not permitted";
	case MRM_ESTORE: return "store error";
	case MRM_EDELIVERY: return "delivery failed";
	default: return "unknown error";
	}
}

int mrm_error_set(struct mrm_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err || err->code != MRM_OK)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void mrm_error_clear(struct mrm_error *err)
{
	if (!err)
		return;
	err->code = MRM_OK;
	err->msg[0] = '\0';
}
