/* Checked access to libyaml documents for the catalogue and policy readers, and their arena. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/internal.h"

/* ---- arena ------------------------------------------------------------------ */

struct block {
	struct block *next;
	max_align_t data[];
};

void *mrm__arena_alloc(struct mrm__arena *a, size_t n)
{
	struct block *b = calloc(1, sizeof(*b) + (n ? n : 1));
	if (!b)
		return NULL;
	b->next = a->head;
	a->head = b;
	return b->data;
}

char *mrm__arena_strdup(struct mrm__arena *a, const char *s)
{
	char *p;
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	if ((p = mrm__arena_alloc(a, n)))
		memcpy(p, s, n);
	return p;
}

void mrm__arena_free(struct mrm__arena *a)
{
	struct block *b = a->head, *next;
	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
}

/* ---- lists of names ----------------------------------------------------------- */

const char *mrm__joined(const char *const *list, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; list[i] && len + 1 < cap; i++) {
		int n = snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", list[i]);
		if (n < 0)
			break;
		len = len + (size_t)n < cap ? len + (size_t)n : cap - 1;
	}
	return buf;
}

bool mrm__in(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

/* ---- documents --------------------------------------------------------------- */

static int at_mark(struct mrm_error *err, const char *name, yaml_mark_t m, const char *field,
		   const char *msg)
{
	return mrm_error_set(err, MRM_EINPUT, "%s:%zu:%zu: %s%s%s", name, m.line + 1, m.column + 1,
			     field && *field ? field : "", field && *field ? ": " : "", msg);
}

int mrm__yerr(struct mrm__ydoc *d, const yaml_node_t *n, const char *field, const char *fmt, ...)
{
	char msg[MRM_ERROR_MAX];
	yaml_mark_t m = { 0, 0, 0 };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n)
		m = n->start_mark;
	return at_mark(d->err, d->name, m, field, msg);
}

static int syntax_error(struct mrm__ydoc *d, yaml_parser_t *p)
{
	char msg[512];

	if (p->error == YAML_MEMORY_ERROR)
		return mrm_error_set(d->err, MRM_ESTORE, "%s: out of memory reading YAML", d->name);
	snprintf(msg, sizeof(msg), "%s%s%s", p->problem ? p->problem : "invalid YAML",
		 p->context ? " " : "", p->context ? p->context : "");
	return at_mark(d->err, d->name, p->problem_mark, NULL, msg);
}

/* Deeper flow nesting ([[[... or {{{...) than any policy needs. */
#define MAX_FLOW_DEPTH 64

/*
 * Refuses flow collections nested deeper than MAX_FLOW_DEPTH before libyaml
 * sees them: its scanner slows quadratically with the depth (40,000 levels
 * take seconds), and a policy file may come from a pull request. Brackets in
 * quoted scalars and comments do not count; the scan is a guard, not a parser.
 */
static int check_nesting(const char *name, const char *text, size_t len, struct mrm_error *err)
{
	size_t line = 1, col = 1;
	int depth = 0;
	char quote = 0, prev = '\n';

	for (size_t i = 0; i < len; i++, col++, prev = text[i - 1]) {
		char ch = text[i];
		if (ch == '\n') {
			line++;
			col = 0;
			if (quote != '"' && quote != '\'')
				quote = 0;
			continue;
		}
		if (quote == '#')
			continue;
		if (quote) {
			if (ch == '\\' && quote == '"' && i + 1 < len && text[i + 1] != '\n') {
				i++;
				col++;
			} else if (ch == quote) {
				quote = 0;
			}
			continue;
		}
		if (ch == '#' && (prev == ' ' || prev == '\t' || prev == '\n'))
			quote = '#';
		else if ((ch == '"' || ch == '\'') && strchr(" \t\n[{,:", prev))
			quote = ch;
		else if (ch == '[' || ch == '{') {
			if (++depth > MAX_FLOW_DEPTH)
				return mrm_error_set(err, MRM_EINPUT,
						     "%s:%zu:%zu: lists or mappings nested deeper than %d levels",
						     name, line, col, MAX_FLOW_DEPTH);
		} else if ((ch == ']' || ch == '}') && depth > 0) {
			depth--;
		}
	}
	return MRM_OK;
}

int mrm__ydoc_load(struct mrm__ydoc *d, const char *name, const char *text, size_t len,
		   const char *what, struct mrm_error *err)
{
	yaml_parser_t parser;
	yaml_document_t next;
	int rc = MRM_OK;

	memset(d, 0, sizeof(*d));
	d->name = name;
	d->err = err;
	if ((rc = check_nesting(name, text, len, err)))
		return rc;
	if (!yaml_parser_initialize(&parser))
		return mrm_error_set(err, MRM_ESTORE, "%s: out of memory starting the YAML parser", name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	/* The whole document first, so syntax errors come before ours. */
	if (!yaml_parser_load(&parser, &d->doc)) {
		rc = syntax_error(d, &parser);
		goto out;
	}
	d->loaded = true;
	if (!yaml_document_get_root_node(&d->doc)) {
		rc = mrm_error_set(err, MRM_EINPUT, "%s:1:1: empty document (expected %s)", name, what);
		goto out;
	}
	if (!yaml_parser_load(&parser, &next)) {
		rc = syntax_error(d, &parser);
		goto out;
	}
	if (yaml_document_get_root_node(&next))
		rc = at_mark(err, name, next.start_mark, NULL, "only one YAML document expected");
	yaml_document_delete(&next);
out:
	yaml_parser_delete(&parser);
	return rc;
}

void mrm__ydoc_free(struct mrm__ydoc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
	d->loaded = false;
}

yaml_node_t *mrm__yroot(struct mrm__ydoc *d)
{
	return yaml_document_get_root_node(&d->doc);
}

const char *mrm__ykind(const yaml_node_t *n)
{
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	return "text";
}

const char *mrm__ytext(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "";
}

/* True if the scalar was written without quotes and is empty or ~ or null (YAML's null). */
static bool is_null(const yaml_node_t *n)
{
	const char *s = mrm__ytext(n);
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"));
}

int mrm__ymap(struct mrm__ydoc *d, yaml_node_t *n, const char *field, const char *const *allowed)
{
	char list[512];

	if (n->type != YAML_MAPPING_NODE)
		return mrm__yerr(d, n, field, "expected a mapping, found %s", is_null(n) ? "nothing" : mrm__ykind(n));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d->doc, p->key);
		if (!k || !yaml_document_get_node(&d->doc, p->value))
			return mrm__yerr(d, n, field, "malformed YAML mapping");
		if (k->type != YAML_SCALAR_NODE)
			return mrm__yerr(d, k, field, "a key must be plain text, not %s", mrm__ykind(k));
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *e = yaml_document_get_node(&d->doc, q->key);
			if (!strcmp(mrm__ytext(e), mrm__ytext(k)))
				return mrm__yerr(d, k, field, "key '%.64s' given twice (first at line %zu)",
						 mrm__ytext(k), e->start_mark.line + 1);
		}
		if (allowed && !mrm__in(allowed, mrm__ytext(k)))
			return mrm__yerr(d, k, field, "unknown key '%.64s' (expected one of: %s)", mrm__ytext(k),
					 mrm__joined(allowed, list, sizeof(list)));
	}
	return MRM_OK;
}

yaml_node_t *mrm__ykey(struct mrm__ydoc *d, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d->doc, p->key);
		if (k && k->type == YAML_SCALAR_NODE && !strcmp(mrm__ytext(k), key))
			return k;
	}
	return NULL;
}

yaml_node_t *mrm__yget(struct mrm__ydoc *d, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d->doc, p->key);
		if (k && k->type == YAML_SCALAR_NODE && !strcmp(mrm__ytext(k), key))
			return yaml_document_get_node(&d->doc, p->value);
	}
	return NULL;
}

int mrm__ystr(struct mrm__ydoc *d, yaml_node_t *n, const char *field, const char **out)
{
	const char *s;

	*out = NULL;
	if (n->type != YAML_SCALAR_NODE)
		return mrm__yerr(d, n, field, "expected text, found %s", mrm__ykind(n));
	s = mrm__ytext(n);
	if (is_null(n) || !s[strspn(s, " \t\r\n")])
		return mrm__yerr(d, n, field, "must not be empty");
	*out = s;
	return MRM_OK;
}

int mrm__yint(struct mrm__ydoc *d, yaml_node_t *n, const char *field, long min, long max,
	      const char *what, long *out)
{
	const char *s = mrm__ytext(n);
	char *end;
	long v;

	if (n->type != YAML_SCALAR_NODE)
		return mrm__yerr(d, n, field, "expected a whole number of %s, found %s", what, mrm__ykind(n));
	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || isspace((unsigned char)*s))
		return mrm__yerr(d, n, field, "'%.64s' is not a whole number of %s", s, what);
	if (v < 0 && min >= 0)
		return mrm__yerr(d, n, field, "%ld %s: must not be negative", v, what);
	if (v < min || v > max)
		return mrm__yerr(d, n, field, "%ld %s is out of range (%ld to %ld)", v, what, min, max);
	*out = v;
	return MRM_OK;
}

int mrm__ynum(struct mrm__ydoc *d, yaml_node_t *n, const char *field, double min, double max,
	      double *out)
{
	const char *s = mrm__ytext(n);
	char *end;
	double v;

	if (n->type != YAML_SCALAR_NODE)
		return mrm__yerr(d, n, field, "expected a number, found %s", mrm__ykind(n));
	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || isspace((unsigned char)*s))
		return mrm__yerr(d, n, field, "'%.64s' is not a number", s);
	if (v < min || v > max)
		return mrm__yerr(d, n, field, "%g is out of range (%g to %g)", v, min, max);
	*out = v;
	return MRM_OK;
}

int mrm__ybool(struct mrm__ydoc *d, yaml_node_t *n, const char *field, bool *out)
{
	const char *s = mrm__ytext(n);

	if (n->type == YAML_SCALAR_NODE) {
		if (!strcasecmp(s, "true") || !strcasecmp(s, "yes")) {
			*out = true;
			return MRM_OK;
		}
		if (!strcasecmp(s, "false") || !strcasecmp(s, "no")) {
			*out = false;
			return MRM_OK;
		}
	}
	return mrm__yerr(d, n, field, "expected true or false, found %s%.64s%s",
			 n->type == YAML_SCALAR_NODE ? "'" : "", n->type == YAML_SCALAR_NODE ? s : mrm__ykind(n),
			 n->type == YAML_SCALAR_NODE ? "'" : "");
}

int mrm__yseq(struct mrm__ydoc *d, yaml_node_t *n, const char *field, size_t *count)
{
	*count = 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return mrm__yerr(d, n, field, "expected a list, found %s", is_null(n) ? "nothing" : mrm__ykind(n));
	*count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	return MRM_OK;
}

yaml_node_t *mrm__yitem(struct mrm__ydoc *d, yaml_node_t *n, size_t i)
{
	return yaml_document_get_node(&d->doc, n->data.sequence.items.start[i]);
}

int mrm__ystrlist(struct mrm__ydoc *d, yaml_node_t *n, const char *field, const char *what,
		  const char *const *allowed, bool empty_ok, struct mrm__arena *arena,
		  const char *const **out, size_t *count)
{
	const char **list;
	char names[512];
	size_t len;
	int rc;

	*out = NULL;
	*count = 0;
	if ((rc = mrm__yseq(d, n, field, &len)))
		return rc;
	if (!len && !empty_ok)
		return mrm__yerr(d, n, field, "needs at least one %s", what);
	if (!(list = mrm__arena_alloc(arena, (len + 1) * sizeof(*list))))
		return mrm_error_set(d->err, MRM_ESTORE, "out of memory");
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *item = mrm__yitem(d, n, i);
		const char *s;
		if (!item)
			return mrm__yerr(d, n, field, "malformed YAML list");
		if ((rc = mrm__ystr(d, item, field, &s)))
			return rc;
		if (allowed && !mrm__in(allowed, s))
			return mrm__yerr(d, item, field, "unknown %s '%.64s' (expected one of: %s)", what, s,
					 mrm__joined(allowed, names, sizeof(names)));
		for (size_t j = 0; j < i; j++)
			if (!strcmp(list[j], s))
				return mrm__yerr(d, item, field, "%s '%.64s' listed twice", what, s);
		if (!(list[i] = mrm__arena_strdup(arena, s)))
			return mrm_error_set(d->err, MRM_ESTORE, "out of memory");
	}
	*out = list;
	*count = len;
	return MRM_OK;
}
