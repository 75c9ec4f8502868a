/*
 * mrm profile: profile a data file per column in one streaming pass, merge
 * shard profiles, and show a profile as a summary or JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "mrm/profile.h"
#include "mrm/table.h"

static const struct cli_opt build_spec[] = {
	{ "output", OPT_VALUE, NULL },
	{ "columns", OPT_LIST, NULL },
	{ "delimiter", OPT_VALUE, NULL },
	{ "no-header", OPT_BOOL, NULL },
	{ "na", OPT_LIST, NULL },
	{ "format", OPT_VALUE, NULL },
	{ "skip-bad-rows", OPT_BOOL, NULL },
	{ "threads", OPT_VALUE, NULL },
	{ "bins-from", OPT_VALUE, NULL },
	{ NULL, 0, NULL },
};

static const struct cli_opt merge_spec[] = {
	{ "output", OPT_VALUE, NULL },
	{ NULL, 0, NULL },
};

static const struct cli_opt show_spec[] = {
	{ "top", OPT_VALUE, NULL },
	{ NULL, 0, NULL },
};


static int parse_count(struct cli *c, const char *flag, const char *s, unsigned long min,
		       unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (!*s || *s == '-' || *s == '+')
		return cli_usage_error(c, "--%s: '%s' is not a whole number", flag, s);
	v = strtoul(s, &end, 10);
	if (errno || *end)
		return cli_usage_error(c, "--%s: '%s' is not a whole number", flag, s);
	if (v < min || v > max)
		return cli_usage_error(c, "--%s must be between %lu and %lu", flag, min, max);
	*out = v;
	return 0;
}

static void print_written(struct cli *c, const struct mrm_profile *p, const char *path)
{
	size_t i, binned = 0;

	for (i = 0; i < p->ncols; i++)
		binned += p->cols[i].bins != NULL;
	if (c->json) {
		json_t *o = json_object();

		json_object_set_new(o, "output", json_string(path));
		json_object_set_new(o, "rows", json_integer((json_int_t)p->rows));
		json_object_set_new(o, "columns", json_integer((json_int_t)p->ncols));
		json_object_set_new(o, "binned_columns", json_integer((json_int_t)binned));
		cli_print_json(o);
		return;
	}
	printf("wrote %s: %" PRIu64 " row%s, %zu column%s", path, p->rows, p->rows == 1 ? "" : "s",
	       p->ncols, p->ncols == 1 ? "" : "s");
	if (binned)
		printf(" (%zu with reference bins)", binned);
	printf("\n");
}

static int profile_build(struct cli *c, int argc, char **argv)
{
	struct cli_args a;
	struct mrm_table_options o = { 0 };
	struct mrm_table_reader *r = NULL;
	struct mrm_profile *p = NULL, *ref = NULL;
	const char **cols = NULL, **na = NULL, *s, *outp;
	char *cbuf = NULL, *nbuf = NULL;
	int rc;

	if ((rc = cli_parse(c, argc, argv, build_spec, &a)))
		goto out;
	if ((rc = cli_need_pos(c, &a, 1, 1, "data FILE (- for stdin)")))
		goto out;
	if (!(outp = cli_opt(&a, "output"))) {
		rc = cli_usage_error(c, "missing -o OUT.profile");
		goto out;
	}
	if ((s = cli_opt(&a, "threads"))) {
		unsigned long v;

		if ((rc = parse_count(c, "threads", s, 1, 64, &v)))
			goto out;
		o.threads = (int)v;
	}
	if ((rc = cli_read_options(c, &a, &o, &na, &nbuf)) ||
	    (rc = cli_opt_list(c, &a, "columns", &cols, &cbuf)))
		goto out;
	/* The reference is read first: a bad one fails before the data is read. */
	if ((s = cli_opt(&a, "bins_from")) && (rc = mrm_profile_read(s, &ref, &c->err)))
		goto out;
	if ((rc = mrm_table_open(a.pos[0], &o, &r, &c->err)) ||
	    (rc = mrm_profile_build_binned(r, cols, ref, &p, &c->err)) ||
	    (rc = mrm_profile_write(p, outp, &c->err)))
		goto out;
	print_written(c, p, outp);
	if (o.skip_bad_rows && mrm_table_stats(r)->bad_rows) {
		char msg[1024];

		mrm_table_bad_summary(r, msg, sizeof(msg));
		fprintf(stderr, "mrm: %s\n", msg);
	}
out:
	mrm_profile_free(p);
	mrm_profile_free(ref);
	mrm_table_close(r);
	free(cols);
	free(cbuf);
	free(na);
	free(nbuf);
	cli_args_release(&a);
	return rc;
}

static int profile_merge(struct cli *c, int argc, char **argv)
{
	struct cli_args a;
	struct mrm_profile *acc = NULL, *p = NULL;
	const char *outp;
	int rc, i;

	if ((rc = cli_parse(c, argc, argv, merge_spec, &a)))
		goto out;
	if ((rc = cli_need_pos(c, &a, 1, CLI_MAX_POS, "profile files to merge")))
		goto out;
	if (!(outp = cli_opt(&a, "output"))) {
		rc = cli_usage_error(c, "missing -o OUT.profile");
		goto out;
	}
	if ((rc = mrm_profile_read(a.pos[0], &acc, &c->err)))
		goto out;
	for (i = 1; i < a.npos; i++) {
		if ((rc = mrm_profile_read(a.pos[i], &p, &c->err)))
			goto out;
		if ((rc = mrm_profile_merge(acc, p, &c->err))) {
			char msg[MRM_ERROR_MAX];

			snprintf(msg, sizeof(msg), "%s", c->err.msg);
			mrm_error_clear(&c->err);
			mrm_error_set(&c->err, rc, "%s and %s: %s", a.pos[0], a.pos[i], msg);
			goto out;
		}
		mrm_profile_free(p);
		p = NULL;
	}
	if ((rc = mrm_profile_write(acc, outp, &c->err)))
		goto out;
	print_written(c, acc, outp);
out:
	mrm_profile_free(acc);
	mrm_profile_free(p);
	cli_args_release(&a);
	return rc;
}

static const char *fmt(json_t *v, char *buf, size_t cap)
{
	if (json_is_integer(v))
		snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_number(v))
		snprintf(buf, cap, "%.6g", json_number_value(v));
	else
		snprintf(buf, cap, "-");
	return buf;
}

static void print_profile(json_t *doc)
{
	json_t *col;
	size_t i;
	char b1[64], b2[64], b3[64], b4[64];

	printf("rows: %s\ncolumns: %zu\n", fmt(json_object_get(doc, "rows"), b1, sizeof(b1)),
	       json_array_size(json_object_get(doc, "columns")));
	json_array_foreach(json_object_get(doc, "columns"), i, col) {
		json_t *q = json_object_get(col, "quantiles"), *top = json_object_get(col, "top"), *it;
		const char *key;
		json_t *v;
		size_t j;

		printf("\n%s (%s)\n", json_string_value(json_object_get(col, "name")),
		       json_string_value(json_object_get(col, "type")));
		printf("  count %s  missing %s  distinct ~%s\n",
		       fmt(json_object_get(col, "count"), b1, sizeof(b1)),
		       fmt(json_object_get(col, "missing"), b2, sizeof(b2)),
		       fmt(json_object_get(col, "distinct"), b3, sizeof(b3)));
		if (q) {
			printf("  min %s  max %s  mean %s", fmt(json_object_get(col, "min"), b1, sizeof(b1)),
			       fmt(json_object_get(col, "max"), b2, sizeof(b2)),
			       fmt(json_object_get(col, "mean"), b3, sizeof(b3)));
			printf("  std %s\n  quantiles", fmt(json_object_get(col, "std"), b4, sizeof(b4)));
			json_object_foreach(q, key, v)
				printf(" %s=%s", key, fmt(v, b1, sizeof(b1)));
			printf("  (rank error <= %s)\n", fmt(json_object_get(col, "kll_epsilon"), b1, sizeof(b1)));
		}
		if ((v = json_object_get(col, "bins"))) {
			printf("  reference bins: edges");
			json_array_foreach(json_object_get(v, "edges"), j, it)
				printf(" %s", fmt(it, b1, sizeof(b1)));
			printf("; exact counts");
			json_array_foreach(json_object_get(v, "counts"), j, it)
				printf(" %s", fmt(it, b1, sizeof(b1)));
			printf("\n");
		}
		/* Past k distinct values only counts above the error bound are sure heavy hitters. */
		{
			json_int_t bound = json_integer_value(json_object_get(col, "top_error"));
			size_t shown = 0;

			if (bound)
				printf("  top (counts undercount by at most %" JSON_INTEGER_FORMAT "):", bound);
			else
				printf("  top:");
			json_array_foreach(top, j, it) {
				if (json_integer_value(json_object_get(it, "count")) <= bound)
					continue;
				printf("%s %s (%s)", shown++ ? "," : "",
				       json_string_value(json_object_get(it, "value")),
				       fmt(json_object_get(it, "count"), b1, sizeof(b1)));
			}
			printf("%s\n", shown ? "" : " -");
		}
	}
}

static int profile_show(struct cli *c, int argc, char **argv)
{
	struct cli_args a;
	struct mrm_profile *p = NULL;
	json_t *doc = NULL;
	unsigned long top = 10;
	const char *s;
	int rc;

	if ((rc = cli_parse(c, argc, argv, show_spec, &a)))
		goto out;
	if ((rc = cli_need_pos(c, &a, 1, 1, "profile FILE")))
		goto out;
	if ((s = cli_opt(&a, "top")) && (rc = parse_count(c, "top", s, 0, 1000000, &top)))
		goto out;
	if ((rc = mrm_profile_read(a.pos[0], &p, &c->err)) ||
	    (rc = mrm_profile_json(p, top, &doc, &c->err)))
		goto out;
	json_object_set_new(doc, "file", json_string(a.pos[0]));
	if (c->json) {
		cli_print_json(doc);
		doc = NULL;
	} else {
		print_profile(doc);
	}
out:
	json_decref(doc);
	mrm_profile_free(p);
	cli_args_release(&a);
	return rc;
}

int cmd_profile(struct cli *c, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "merge"))
		return profile_merge(c, argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "show"))
		return profile_show(c, argc - 2, argv + 2);
	return profile_build(c, argc - 1, argv + 1);
}
