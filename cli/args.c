/* Command-line flags into a JSON object of fields, and opening the context. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "mrm/table.h"

int cli_usage_error(struct cli *c, const char *fmt, ...)
{
	va_list ap;
	if (c->err.code == MRM_OK) {
		c->err.code = MRM_EUSAGE;
		va_start(ap, fmt);
		vsnprintf(c->err.msg, sizeof(c->err.msg), fmt, ap);
		va_end(ap);
	}
	return MRM_EUSAGE;
}

static void field_name(const struct cli_opt *o, char *buf, size_t cap)
{
	if (o->field) {
		snprintf(buf, cap, "%s", o->field);
		return;
	}
	snprintf(buf, cap, "%s", o->name);
	for (char *p = buf; *p; p++)
		if (*p == '-')
			*p = '_';
}

int cli_parse(struct cli *c, int argc, char **argv, const struct cli_opt *spec,
	      struct cli_args *out)
{
	bool only_pos = false;

	memset(out, 0, sizeof(*out));
	out->opts = json_object();
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq, *val = NULL;
		const struct cli_opt *o;
		char name[64], field[64];
		size_t n;

		if (only_pos || a[0] != '-' || a[1] == '\0') {
			if (out->npos >= CLI_MAX_POS)
				return cli_usage_error(c, "too many arguments");
			out->pos[out->npos++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = true;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			printf("usage:\n%s\n", c->usage);
			return -1;
		}
		if (a[1] != '-') {
			/* single-letter aliases: -o for --output */
			if (!strcmp(a, "-o"))
				a = "--output";
			else
				return cli_usage_error(c, "unknown option '%s'", a);
		}
		eq = strchr(a + 2, '=');
		n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		if (n >= sizeof(name))
			return cli_usage_error(c, "unknown option '%s'", a);
		memcpy(name, a + 2, n);
		name[n] = '\0';
		for (o = spec; o->name && strcmp(o->name, name); o++)
			;
		if (!o->name)
			return cli_usage_error(c, "unknown option '--%s'", name);
		field_name(o, field, sizeof(field));
		if (o->kind == OPT_BOOL) {
			if (eq)
				return cli_usage_error(c, "option '--%s' takes no value", name);
			json_object_set_new(out->opts, field, json_true());
			continue;
		}
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return cli_usage_error(c, "option '--%s' needs a value", name);
		if (o->kind == OPT_LIST) {
			json_t *arr = json_object_get(out->opts, field);
			if (!arr) {
				arr = json_array();
				json_object_set_new(out->opts, field, arr);
			}
			json_array_append_new(arr, json_string(val));
		} else {
			if (json_object_get(out->opts, field))
				return cli_usage_error(c, "option '--%s' given twice", name);
			json_object_set_new(out->opts, field, json_string(val));
		}
		if (!json_object_get(out->opts, field) ||
		    (o->kind == OPT_VALUE && !json_is_string(json_object_get(out->opts, field))))
			return cli_usage_error(c, "option '--%s': value is not valid UTF-8", name);
	}
	return MRM_OK;
}

void cli_args_release(struct cli_args *a)
{
	json_decref(a->opts);
	a->opts = NULL;
}

const char *cli_opt(const struct cli_args *a, const char *field)
{
	json_t *v = json_object_get(a->opts, field);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int cli_opt_list(struct cli *c, const struct cli_args *a, const char *field,
		 const char ***out, char **buf)
{
	json_t *arr = json_object_get(a->opts, field), *v;
	size_t i, n = 0, len = 0, at = 0, k = 0;
	const char **l;
	char *b;

	*out = NULL;
	*buf = NULL;
	if (!arr)
		return 0;
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);

		len += strlen(s) + 1;
		n += 1;
		for (; *s; s++)
			n += *s == ',';
	}
	l = calloc(n + 1, sizeof(*l));
	b = malloc(len + 1);
	if (!l || !b) {
		free(l);
		free(b);
		return mrm_error_set(&c->err, MRM_EINPUT, "out of memory");
	}
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);
		char *save = NULL, *tok;

		memcpy(b + at, s, strlen(s) + 1);
		for (tok = strtok_r(b + at, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			while (*tok == ' ')
				tok++;
			if (*tok)
				l[k++] = tok;
		}
		at += strlen(s) + 1;
	}
	if (k == 0) {
		free(l);
		free(b);
		return cli_usage_error(c, "--%s needs a value", field);
	}
	l[k] = NULL;
	*out = l;
	*buf = b;
	return 0;
}

int cli_read_options(struct cli *c, const struct cli_args *a, struct mrm_table_options *o,
		     const char ***na, char **nbuf)
{
	const char *s;
	int rc;

	if ((s = cli_opt(a, "format"))) {
		if (!strcmp(s, "csv"))
			o->format = MRM_TABLE_CSV;
		else if (!strcmp(s, "jsonl"))
			o->format = MRM_TABLE_JSONL;
		else
			return cli_usage_error(c, "--format must be csv or jsonl, not '%s'", s);
	}
	if ((s = cli_opt(a, "delimiter"))) {
		if (!strcmp(s, "tab") || !strcmp(s, "\\t") || !strcmp(s, "\t"))
			o->delimiter = '\t';
		else if (strlen(s) == 1 && s[0] != '"' && s[0] != '\n' && s[0] != '\r')
			o->delimiter = s[0];
		else
			return cli_usage_error(c, "--delimiter must be one character (or 'tab'), not '%s'", s);
	}
	o->no_header = json_is_true(json_object_get(a->opts, "no_header"));
	o->skip_bad_rows = json_is_true(json_object_get(a->opts, "skip_bad_rows"));
	if ((rc = cli_opt_list(c, a, "na", na, nbuf)))
		return rc;
	if (*na)
		o->na = *na;
	return MRM_OK;
}

int cli_need_pos(struct cli *c, const struct cli_args *a, int min, int max,
		 const char *what)
{
	if (a->npos < min)
		return cli_usage_error(c, "missing %s", what);
	if (a->npos > max)
		return cli_usage_error(c, "unexpected argument '%s'", a->pos[max]);
	return MRM_OK;
}

int cli_open(struct cli *c, bool create, struct mrm_ctx **ctx)
{
	struct mrm_ctx_options o = {
		.db = c->db, .actor = c->actor, .now = c->now, .create = create,
	};
	return mrm_ctx_open(&o, ctx, &c->err);
}
