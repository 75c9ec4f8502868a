/*
 * Alert routes: where a monitor's alerts go, and the one transport call that sends a
 * document there. A route is an http:// or https:// URL (the document is POSTed as JSON
 * with libcurl) or a file path (the document is appended as one line and fsynced).
 *
 * Nothing here touches the store: the delivery queue that makes sure no alert is lost is
 * lib/core/alerts.c (mrm_alert_deliver in mrm/monitor.h).
 */
#ifndef MRM_ROUTE_H
#define MRM_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "mrm/error.h"

/* Default seconds a webhook call may take, and attempts per delivery call. */
#define MRM_ROUTE_TIMEOUT 10.0
#define MRM_ROUTE_ATTEMPTS 3

/* True if `route` is an http:// or https:// URL (else a file path). */
bool mrm_route_is_url(const char *route);

/*
 * Checks a route given by a user and returns in `*out` (caller frees) the form to store:
 * a URL as given, a file path made absolute. Errors, MRM_EINPUT: an empty route, a URL
 * that does not parse or has no host, another scheme (ftp://, file://, ...), a file path
 * whose directory does not exist or that names a directory.
 */
int mrm_route_normalise(const char *route, char **out, struct mrm_error *err);

/*
 * The webhook timeout in seconds: `given` when > 0, else $MRM_WEBHOOK_TIMEOUT, else
 * MRM_ROUTE_TIMEOUT. A $MRM_WEBHOOK_TIMEOUT that is not a positive number is MRM_EUSAGE.
 */
int mrm_route_timeout(double given, double *out, struct mrm_error *err);

struct mrm_route_send_options {
	double timeout;          /* seconds per HTTP attempt, connection included (> 0) */
	int attempts;            /* HTTP attempts; 0 means MRM_ROUTE_ATTEMPTS. Files: one */
	int backoff_ms;          /* pause before the 2nd attempt, doubled after; 0 means 500 */
	const char *idempotency; /* sent as header "Idempotency-Key" (HTTP), or NULL */
};

/*
 * Sends `body` (`len` bytes of JSON, no newline) to `route`. HTTP: POST with
 * Content-Type application/json, up to `attempts` tries with backoff between them; a
 * response other than 2xx, a connection failure or a timeout is a failed try; no
 * redirects are followed. File: the body and a newline are appended in one write, then
 * fsynced. `*tries` (may be NULL) receives the attempts made. Errors: MRM_EDELIVERY with
 * the last failure and the attempts ("HTTP 500 (3 attempts)", "timed out after 10 s (3
 * attempts)", "cannot append to FILE: ...").
 */
int mrm_route_send(const char *route, const char *body, size_t len,
		   const struct mrm_route_send_options *o, int *tries, struct mrm_error *err);

#endif
