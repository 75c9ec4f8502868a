/*
 * Alert routes: checking a route, and sending one JSON document to it, by an HTTP POST
 * with libcurl (timeout, retries with backoff) or by appending a line to a file (fsync).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "mrm/route.h"
#include "mrm/table.h"

bool mrm_route_is_url(const char *route)
{
	return route && (!strncasecmp(route, "http://", 7) || !strncasecmp(route, "https://", 8));
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int check_url(const char *route, struct mrm_error *err)
{
	CURLU *u;
	char *host = NULL;
	CURLUcode rc;

	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return mrm_error_set(err, MRM_EINPUT, "cannot initialise libcurl");
	if (!(u = curl_url()))
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	rc = curl_url_set(u, CURLUPART_URL, route, 0);
	if (rc == CURLUE_OK)
		rc = curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_cleanup(u);
	if (rc != CURLUE_OK || !host || !*host) {
		curl_free(host);
		return mrm_error_set(err, MRM_EINPUT, "route '%s' is not a valid URL (give http(s)://HOST[:PORT]/PATH)",
				     route);
	}
	curl_free(host);
	return MRM_OK;
}

int mrm_route_normalise(const char *route, char **out, struct mrm_error *err)
{
	const char *colon;
	char dir[PATH_MAX], *slash, *abs = NULL;
	struct stat sb;
	int rc;

	*out = NULL;
	if (!route || !*route)
		return mrm_error_set(err, MRM_EINPUT, "empty route (give an http(s) URL or a file path)");
	if (mrm_route_is_url(route)) {
		if ((rc = check_url(route, err)))
			return rc;
		if (!(*out = strdup(route)))
			return mrm_error_set(err, MRM_EINPUT, "out of memory");
		return MRM_OK;
	}
	colon = strstr(route, "://");
	if (colon)
		return mrm_error_set(err, MRM_EINPUT,
				     "route '%s': unsupported scheme '%.*s' (give an http:// or https:// URL, or a file path)",
				     route, (int)(colon - route), route);
	if (route[0] == '/') {
		abs = strdup(route);
	} else {
		char cwd[PATH_MAX];
		size_t n;
		if (!getcwd(cwd, sizeof(cwd)))
			return mrm_error_set(err, MRM_EINPUT, "route '%s': cannot tell the current directory: %s",
					     route, strerror(errno));
		n = strlen(cwd) + strlen(route) + 2;
		if ((abs = malloc(n)))
			snprintf(abs, n, "%s/%s", cwd, route);
	}
	if (!abs)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	if (strlen(abs) >= sizeof(dir)) {
		free(abs);
		return mrm_error_set(err, MRM_EINPUT, "route '%s': path too long", route);
	}
	snprintf(dir, sizeof(dir), "%s", abs);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		rc = mrm_error_set(err, MRM_EINPUT, "route '%s': directory %s does not exist", route, dir);
		free(abs);
		return rc;
	}
	if (stat(abs, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		rc = mrm_error_set(err, MRM_EINPUT, "route '%s' is a directory (give a file path)", route);
		free(abs);
		return rc;
	}
	*out = abs;
	return MRM_OK;
}

int mrm_route_timeout(double given, double *out, struct mrm_error *err)
{
	const char *env = getenv("MRM_WEBHOOK_TIMEOUT");
	double v;

	if (given > 0) {
		*out = given;
		return MRM_OK;
	}
	if (env && *env) {
		if (mrm_parse_double(env, strlen(env), &v) || !isfinite(v) || v <= 0 || v > 3600)
			return mrm_error_set(err, MRM_EUSAGE,
					     "MRM_WEBHOOK_TIMEOUT must be a number of seconds in (0, 3600], not '%s'",
					     env);
		*out = v;
		return MRM_OK;
	}
	*out = MRM_ROUTE_TIMEOUT;
	return MRM_OK;
}

/* ---- file ---------------------------------------------------------------------- */

static int send_file(const char *path, const char *body, size_t len, struct mrm_error *err)
{
	char *line = malloc(len + 1);
	size_t done = 0;
	int fd, rc = MRM_OK;

	if (!line)
		return mrm_error_set(err, MRM_EDELIVERY, "out of memory");
	memcpy(line, body, len);
	line[len] = '\n';
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = mrm_error_set(err, MRM_EDELIVERY, "cannot append to %s: %s", path, strerror(errno));
		goto out;
	}
	/* One write for the whole line: concurrent appenders do not interleave lines. */
	while (done < len + 1) {
		ssize_t n = write(fd, line + done, len + 1 - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = mrm_error_set(err, MRM_EDELIVERY, "cannot append to %s: %s", path,
					   n < 0 ? strerror(errno) : "short write");
			break;
		}
		done += (size_t)n;
	}
	if (rc == MRM_OK && fsync(fd) != 0)
		rc = mrm_error_set(err, MRM_EDELIVERY, "cannot sync %s: %s", path, strerror(errno));
	if (close(fd) != 0 && rc == MRM_OK)
		rc = mrm_error_set(err, MRM_EDELIVERY, "cannot close %s: %s", path, strerror(errno));
out:
	free(line);
	return rc;
}

/* ---- HTTP ---------------------------------------------------------------------- */

/* The response body is not used: read and drop it. */
static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* One POST; 0 on a 2xx answer, else a message in `why`. */
static int post_once(const char *url, const char *body, size_t len, double timeout,
		     struct curl_slist *headers, char *why, size_t cap)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *h = curl_easy_init();
	long status = 0;
	CURLcode rc;

	if (!h) {
		snprintf(why, cap, "cannot create a libcurl handle");
		return -1;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout * 1000));
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "mrm-alert/1");
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(why, cap, "timed out after %g s", timeout);
		return -1;
	}
	if (rc != CURLE_OK) {
		snprintf(why, cap, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
		return -1;
	}
	if (status < 200 || status > 299) {
		snprintf(why, cap, "HTTP %ld", status);
		return -1;
	}
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int send_http(const char *url, const char *body, size_t len,
		     const struct mrm_route_send_options *o, int *tries, struct mrm_error *err)
{
	struct curl_slist *headers = NULL, *h;
	int attempts = o->attempts > 0 ? o->attempts : MRM_ROUTE_ATTEMPTS;
	long backoff = o->backoff_ms > 0 ? o->backoff_ms : 500;
	char why[CURL_ERROR_SIZE + 64] = "", key[160];

	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return mrm_error_set(err, MRM_EDELIVERY, "cannot initialise libcurl (for %s)", url);
	if (!(h = curl_slist_append(NULL, "Content-Type: application/json")))
		return mrm_error_set(err, MRM_EDELIVERY, "out of memory");
	headers = h;
	/* libcurl would send "Expect: 100-continue" for large bodies: one round trip less. */
	if ((h = curl_slist_append(headers, "Expect:")))
		headers = h;
	if (o->idempotency) {
		snprintf(key, sizeof(key), "Idempotency-Key: %s", o->idempotency);
		if ((h = curl_slist_append(headers, key)))
			headers = h;
	}
	for (int i = 0; i < attempts; i++) {
		if (i > 0) {
			sleep_ms(backoff);
			backoff *= 2;
		}
		if (tries)
			*tries = i + 1;
		if (post_once(url, body, len, o->timeout, headers, why, sizeof(why)) == 0) {
			curl_slist_free_all(headers);
			return MRM_OK;
		}
	}
	curl_slist_free_all(headers);
	return mrm_error_set(err, MRM_EDELIVERY, "%s (%d attempt%s)", why, attempts,
			     attempts == 1 ? "" : "s");
}

int mrm_route_send(const char *route, const char *body, size_t len,
		   const struct mrm_route_send_options *o, int *tries, struct mrm_error *err)
{
	if (tries)
		*tries = 0;
	if (!mrm_route_is_url(route)) {
		if (tries)
			*tries = 1;
		return send_file(route, body, len, err);
	}
	if (!(o->timeout > 0))
		return mrm_error_set(err, MRM_EDELIVERY, "internal: no webhook timeout");
	return send_http(route, body, len, o, tries, err);
}
