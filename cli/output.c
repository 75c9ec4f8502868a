/* Rendering: JSON documents, aligned tables and key-value records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"

void cli_print_json(json_t *doc)
{
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
	if (s) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
	json_decref(doc);
}

const char *cli_text(json_t *v, char *buf, size_t cap)
{
	char *s;
	switch (json_typeof(v)) {
	case JSON_STRING: return json_string_value(v);
	case JSON_INTEGER: snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); return buf;
	case JSON_REAL: snprintf(buf, cap, "%.6g", json_real_value(v)); return buf;
	case JSON_TRUE: return "yes";
	case JSON_FALSE: return "no";
	case JSON_NULL: return "-";
	default:
		if ((json_is_array(v) && json_array_size(v) == 0) ||
		    (json_is_object(v) && json_object_size(v) == 0))
			return "-";
		s = json_dumps(v, JSON_COMPACT);
		snprintf(buf, cap, "%s", s ? s : "");
		free(s);
		return buf;
	}
}

/* Display width of UTF-8 text: code points, not bytes. */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

#define MAX_CELL 60

/* Copies s into buf, cutting it to MAX_CELL code points with "..." . */
static const char *cell(const char *s, char *buf, size_t cap)
{
	size_t w = 0, i = 0;
	if (width(s) <= MAX_CELL)
		return s;
	for (; s[i] && i + 4 < cap; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++w > MAX_CELL - 3)
			break;
		buf[i] = s[i];
	}
	memcpy(buf + i, "...", 4);
	return buf;
}

void cli_print_table(json_t *arr, const struct cli_col *cols)
{
	size_t ncol = 0, rows = json_array_size(arr);
	size_t *w;
	char buf[512], cbuf[512];

	while (cols[ncol].key)
		ncol++;
	w = calloc(ncol, sizeof(*w));
	for (size_t j = 0; j < ncol; j++)
		w[j] = width(cols[j].header);
	for (size_t i = 0; i < rows; i++)
		for (size_t j = 0; j < ncol; j++) {
			const char *t = cell(cli_text(json_object_get(json_array_get(arr, i), cols[j].key) ?
						      json_object_get(json_array_get(arr, i), cols[j].key) : json_null(),
						      buf, sizeof(buf)), cbuf, sizeof(cbuf));
			if (width(t) > w[j])
				w[j] = width(t);
		}
	for (size_t j = 0; j < ncol; j++)
		printf("%s%-*s", j ? "  " : "", j + 1 < ncol ? (int)w[j] : 0, cols[j].header);
	printf("\n");
	for (size_t i = 0; i < rows; i++) {
		for (size_t j = 0; j < ncol; j++) {
			json_t *v = json_object_get(json_array_get(arr, i), cols[j].key);
			const char *t = cell(cli_text(v ? v : json_null(), buf, sizeof(buf)), cbuf, sizeof(cbuf));
			size_t pad = j + 1 < ncol ? w[j] - width(t) : 0;
			printf("%s%s%*s", j ? "  " : "", t, (int)pad, "");
		}
		printf("\n");
	}
	free(w);
}

void cli_print_record(json_t *obj, const char *const *skip)
{
	const char *k;
	json_t *v;
	size_t kw = 0;
	char buf[4096];

	json_object_foreach(obj, k, v) {
		if (strlen(k) > kw)
			kw = strlen(k);
	}
	json_object_foreach(obj, k, v) {
		bool skipped = false;
		for (const char *const *s = skip; s && *s; s++)
			if (!strcmp(*s, k))
				skipped = true;
		if (!skipped)
			printf("%s:%*s %s\n", k, (int)(kw - strlen(k)), "", cli_text(v, buf, sizeof(buf)));
	}
}
