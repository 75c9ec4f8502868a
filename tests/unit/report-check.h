/*
 * Shared by the report unit tests (test-report.c, test-report-drift.c): the
 * repository root, a memory sink that can be told to fail, a small HTML
 * well-formedness checker, and the checks every page must pass. Include
 * after <cmocka.h>.
 */
#ifndef MRM_TEST_REPORT_CHECK_H
#define MRM_TEST_REPORT_CHECK_H

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mrm/error.h"

static char top[4096];

static inline const char *top_dir(void)
{
	const char *t = getenv("MRM_TOP");

	snprintf(top, sizeof(top), "%s", t && *t ? t : ".");
	return top;
}

/* A sink into a growing buffer that can be told to fail after `limit` bytes. */
struct membuf {
	char *p;
	size_t len, cap;
	size_t limit; /* 0: no limit */
	size_t calls;
};

static inline int mem_sink(void *arg, const void *data, size_t len)
{
	struct membuf *b = arg;

	b->calls++;
	if (len == 0)
		return MRM_EINPUT; /* the contract: never 0 bytes */
	if (b->limit && b->len + len > b->limit)
		return MRM_ESTORE;
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + len + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np)
			return MRM_EINPUT;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

/* Elements the renderer may emit; anything else is user text that escaped. */
static const char *const allowed[] = {
	"html", "head", "meta", "title", "style", "body", "main", "header", "nav", "a",
	"section", "h1", "h2", "h3", "p", "ul", "li", "span", "strong", "code", "q",
	"table", "caption", "thead", "tbody", "tr", "th", "td", "div", "dl", "dt", "dd",
	"figure", "figcaption", "footer", "abbr", "svg", "desc", "defs", "pattern", "line",
	"text", "rect", "path", "circle", "g", "br",
};

static const char *const void_elements[] = { "meta", "br", "hr", "img", "input", "link",
					     "col", "wbr" };

static inline bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

/*
 * A small well-formedness check of the page: every element opened is
 * closed in order (void elements and "/>" excepted), only allowed element
 * names appear, no attribute is an event handler, and every '<' starts a
 * tag. Returns NULL when fine, else a static message.
 */
static inline const char *check_html(const char *s, char *msg, size_t msglen)
{
	char stack[256][16];
	int depth = 0;
	const char *p = s;

	while ((p = strchr(p, '<'))) {
		char name[16];
		size_t n = 0;
		bool closing = false;
		const char *end;

		if (!strncmp(p, "<!--", 4)) {
			end = strstr(p, "-->");
			if (!end)
				return "unterminated comment";
			p = end + 3;
			continue;
		}
		if (!strncmp(p, "<!DOCTYPE", 9)) {
			p = strchr(p, '>');
			if (!p)
				return "unterminated doctype";
			continue;
		}
		end = strchr(p, '>');
		if (!end)
			return "unterminated tag";
		p++;
		if (*p == '/') {
			closing = true;
			p++;
		}
		if (!isalpha((unsigned char)*p)) {
			snprintf(msg, msglen, "'<' not starting a tag: %.40s", p - 1);
			return msg;
		}
		while (isalnum((unsigned char)p[n]) && n + 1 < sizeof(name)) {
			name[n] = (char)tolower((unsigned char)p[n]);
			n++;
		}
		name[n] = '\0';
		if (!in_list(name, allowed, sizeof(allowed) / sizeof(allowed[0]))) {
			snprintf(msg, msglen, "unexpected element <%s>: %.60s", name, p - 1);
			return msg;
		}
		/* No event-handler attributes inside the tag. */
		for (const char *q = p + n; q < end; q++)
			if (isspace((unsigned char)q[0]) && tolower((unsigned char)q[1]) == 'o' &&
			    tolower((unsigned char)q[2]) == 'n' && isalpha((unsigned char)q[3])) {
				snprintf(msg, msglen, "event handler in <%s>: %.60s", name, q);
				return msg;
			}
		if (closing) {
			if (depth == 0 || strcmp(stack[depth - 1], name)) {
				snprintf(msg, msglen, "</%s> closes <%s>", name,
					 depth ? stack[depth - 1] : "nothing");
				return msg;
			}
			depth--;
		} else if (end[-1] != '/' &&
			   !in_list(name, void_elements, sizeof(void_elements) / sizeof(void_elements[0]))) {
			if (depth == 256)
				return "too deep";
			memcpy(stack[depth++], name, n + 1);
			if (!strcmp(name, "style")) {
				/* CSS is not markup: jump to its end. */
				const char *e = strstr(end, "</style>");
				if (!e)
					return "unterminated style";
				p = e;
				continue;
			}
		}
		p = end + 1;
	}
	if (depth != 0) {
		snprintf(msg, msglen, "<%s> never closed", stack[depth - 1]);
		return msg;
	}
	return NULL;
}

/* True if `word` occurs in s as a whole word (letters around it do not count), any case. */
static inline bool has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = s; *p; p++) {
		if (strncasecmp(p, word, n))
			continue;
		if ((p == s || !isalpha((unsigned char)p[-1])) && !isalpha((unsigned char)p[n]))
			return true;
	}
	return false;
}

static inline bool has_ci(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (const char *p = s; *p; p++)
		if (!strncasecmp(p, needle, n))
			return true;
	return false;
}

/* The checks every page must pass. */
static inline void assert_page(const char *html, size_t len)
{
	char msg[256];
	const char *bad = check_html(html, msg, sizeof(msg));

	if (bad)
		fail_msg("malformed page: %s", bad);
	assert_int_equal(strlen(html), len); /* no NUL inside */
	assert_true(!strncmp(html, "<!DOCTYPE html>", 15));
	assert_non_null(strstr(html, "</html>\n"));
	assert_false(has_ci(html, "<script"));
	assert_false(has_ci(html, "http://"));
	assert_false(has_ci(html, "https://"));
	assert_false(has_ci(html, "javascript:"));
	assert_false(has_ci(html, "@import"));
	assert_false(has_word(html, "nan"));
	assert_false(has_word(html, "inf"));
	assert_false(has_word(html, "infinity"));
	assert_true(len < 2 * 1024 * 1024);
}

/* The section with id `id` (up to the next section), for targeted assertions. */
static inline char *section(const char *html, const char *id)
{
	char key[64];
	const char *a, *b;
	char *s;

	snprintf(key, sizeof(key), "<section id=\"%s\"", id);
	a = strstr(html, key);
	if (!a) {
		fail_msg("no section %s", id);
		return NULL;
	}
	b = strstr(a + 1, "</section>");
	assert_non_null(b);
	s = strndup(a, (size_t)(b - a));
	assert_non_null(s);
	return s;
}

#endif
