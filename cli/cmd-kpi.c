/* mrm kpi: the governance KPIs as of a day (a table, or JSON), or their trend over dates. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "mrm/kpi.h"
#include "mrm/policy.h"

/* ---- rendering ---------------------------------------------------------------------- */

/* A number with at most two decimals, trailing zeros dropped. */
static const char *number(double x, char *buf, size_t cap)
{
	char *e;

	snprintf(buf, cap, "%.2f", x);
	if (strchr(buf, '.')) {
		e = buf + strlen(buf) - 1;
		while (*e == '0')
			*e-- = '\0';
		if (*e == '.')
			*e = '\0';
	}
	if (!strcmp(buf, "-0"))
		snprintf(buf, cap, "0");
	return buf;
}

static bool is_ratio(json_t *kpi)
{
	json_t *u = json_object_get(kpi, "unit");
	return json_is_string(u) && !strcmp(json_string_value(u), "ratio");
}

/* The value as shown: ratios in percent, n/a when there is none. */
static const char *shown_value(json_t *kpi, char *buf, size_t cap)
{
	json_t *v = json_object_get(kpi, "value");

	if (!json_is_number(v))
		return "n/a";
	return number(json_number_value(v) * (is_ratio(kpi) ? 100 : 1), buf, cap);
}

/* The unit as shown: percent for ratios, the incident rate's unit shortened. */
static const char *shown_unit(json_t *kpi)
{
	const char *u = json_string_value(json_object_get(kpi, "unit"));

	if (is_ratio(kpi))
		return "%";
	if (u && !strncmp(u, "weighted incidents per ", 23))
		return "weighted/model-year";
	return u ? u : "-";
}

static bool from_policy(json_t *kpi)
{
	json_t *s = json_object_get(kpi, "target_source");
	return json_is_string(s) && !strcmp(json_string_value(s), "policy");
}

/*
 * The target as shown: "OP X" with X in percent for ratios (up to ten significant digits,
 * as a policy may write 99.95), and " *" after a policy's target when `mark`.
 */
static const char *shown_target(json_t *kpi, bool mark, char *buf, size_t cap)
{
	const char *t = json_string_value(json_object_get(kpi, "target"));
	const char *sp = t ? strchr(t, ' ') : NULL;
	const char *star = mark && from_policy(kpi) ? " *" : "";

	if (!t)
		return "-";
	if (!sp || !is_ratio(kpi))
		snprintf(buf, cap, "%s%s", t, star);
	else
		snprintf(buf, cap, "%.*s %.10g%s", (int)(sp - t), t, strtod(sp + 1, NULL) * 100, star);
	return buf;
}

/* How many of the document's KPIs have their target from the policy. */
static size_t policy_targets(json_t *kpis)
{
	const char *id;
	json_t *k;
	size_t n = 0;

	json_object_foreach(kpis, id, k)
		n += from_policy(k);
	return n;
}

/*
 * Whose targets these are: mrm's defaults, the policy's (named with its file and hash),
 * or some of each (the policy's marked "*" in the table); then `tail`, if any, after "; "
 * or on a line of its own.
 */
static void print_targets_footer(json_t *policy, json_t *kpis, const char *tail)
{
	size_t mine = policy_targets(kpis), all = json_object_size(kpis);
	const char *name = json_string_value(json_object_get(policy, "name"));
	const char *source = json_string_value(json_object_get(policy, "source"));
	const char *sha = json_string_value(json_object_get(policy, "sha256"));
	char who[512];

	snprintf(who, sizeof(who), "policy %s (%s, sha256 %.12s)", name ? name : "?", source ? source : "?",
		 sha ? sha : "?");
	if (!mine && (!source || !strcmp(source, "built-in")))
		printf("targets are mrm's defaults (docs/kpi.md)");
	else if (!mine)
		printf("targets are mrm's defaults (docs/kpi.md): %s sets none", who);
	else if (mine == all)
		printf("targets from %s", who);
	else
		printf("* target from %s; the others are mrm's defaults (docs/kpi.md)", who);
	if (tail)
		printf("%s%s", mine && mine < all ? "\n" : "; ", tail);
	printf("\n");
}

static void print_one(json_t *doc)
{
	json_t *kpis = json_object_get(doc, "kpis"), *window = json_object_get(doc, "window"), *rows, *k;
	const char *id;
	static const struct cli_col cols[] = {
		{ "kpi", "KPI" }, { "value", "VALUE" }, { "unit", "UNIT" }, { "target", "TARGET" },
		{ "status", "STATUS" }, { "population", "POPULATION" }, { NULL, NULL },
	};
	int na = 0;
	bool mark;

	printf("KPIs as of %s (end of day, UTC); periods: the 365 days from %s to %s\n\n",
	       json_string_value(json_object_get(doc, "as_of")),
	       json_string_value(json_object_get(window, "from")), json_string_value(json_object_get(window, "to")));
	mark = policy_targets(kpis) && policy_targets(kpis) < json_object_size(kpis);
	rows = json_array();
	json_object_foreach(kpis, id, k) {
		char v[64], t[64], pop[160];
		snprintf(pop, sizeof(pop), "%" JSON_INTEGER_FORMAT " %s",
			 json_integer_value(json_object_get(k, "population")),
			 json_string_value(json_object_get(k, "population_of")));
		json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:s,s:O,s:s}", "kpi", id, "value",
						      shown_value(k, v, sizeof(v)), "unit", shown_unit(k), "target",
						      shown_target(k, mark, t, sizeof(t)), "status",
						      json_object_get(k, "status"), "population", pop));
	}
	cli_print_table(rows, cols);
	json_decref(rows);
	json_object_foreach(kpis, id, k) {
		json_t *reason = json_object_get(k, "reason");
		if (!json_is_string(reason))
			continue;
		if (!na++)
			printf("\nn/a (empty population):\n");
		printf("  %s: %s\n", id, json_string_value(reason));
	}
	printf("\n");
	print_targets_footer(json_object_get(doc, "policy"), kpis, "'mrm --json kpi' gives each KPI's breakdown");
}

static void print_trend(json_t *doc)
{
	json_t *dates = json_object_get(doc, "dates"), *series = json_object_get(doc, "series");
	json_t *first = json_object_get(json_array_get(series, 0), "kpis"), *rows = json_array(), *k, *d;
	struct cli_col *cols = calloc(json_array_size(dates) + 4, sizeof(*cols));
	const char *id;
	size_t i;
	bool mark;

	if (!cols) {
		json_decref(rows);
		return;
	}
	cols[0] = (struct cli_col){ "kpi", "KPI" };
	cols[1] = (struct cli_col){ "unit", "UNIT" };
	cols[2] = (struct cli_col){ "target", "TARGET" };
	json_array_foreach(dates, i, d)
		cols[3 + i] = (struct cli_col){ json_string_value(d), json_string_value(d) };
	mark = policy_targets(first) && policy_targets(first) < json_object_size(first);
	json_object_foreach(first, id, k) {
		char t[64];
		json_t *row = json_pack("{s:s,s:s,s:s}", "kpi", id, "unit", shown_unit(k), "target",
					shown_target(k, mark, t, sizeof(t)));
		json_array_foreach(dates, i, d) {
			char v[64];
			json_t *at = json_object_get(json_object_get(json_array_get(series, i), "kpis"), id);
			json_object_set_new(row, json_string_value(d), json_string(shown_value(at, v, sizeof(v))));
		}
		json_array_append_new(rows, row);
	}
	printf("KPIs from %s to %s every %s (each as of the end of its day, UTC)\n\n",
	       json_string_value(json_object_get(doc, "from")), json_string_value(json_object_get(doc, "to")),
	       json_string_value(json_object_get(doc, "every")));
	cli_print_table(rows, cols);
	printf("\nn/a: empty population (see 'mrm kpi --as-of DATE' for the reason)\n");
	print_targets_footer(json_object_get(doc, "policy"), first, NULL);
	json_decref(rows);
	free(cols);
}

int cmd_kpi(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt spec[] = {
		{ "as-of", OPT_VALUE, NULL }, { "from", OPT_VALUE, NULL }, { "to", OPT_VALUE, NULL },
		{ "every", OPT_VALUE, NULL }, { "policy", OPT_VALUE, NULL }, { NULL, 0, NULL },
	};
	struct mrm_kpi_options o = { 0 };
	struct mrm_policy *policy = NULL;
	struct mrm_ctx *ctx = NULL;
	struct cli_args a = { 0 };
	const char *from, *to, *every;
	json_t *out = NULL;
	int rc;

	if ((rc = cli_parse(c, argc - 1, argv + 1, spec, &a)) || (rc = cli_need_pos(c, &a, 0, 0, "")))
		goto out;
	o.as_of = cli_opt(&a, "as_of");
	from = cli_opt(&a, "from");
	to = cli_opt(&a, "to");
	every = cli_opt(&a, "every");
	if (o.as_of && (from || to || every)) {
		rc = cli_usage_error(c, "--as-of gives one date; --from/--to/--every a trend (not both)");
		goto out;
	}
	if (!from && (to || every)) {
		rc = cli_usage_error(c, "a trend needs --from DATE (with --to DATE, default today, and --every 1m|1w)");
		goto out;
	}
	/* the policy a gate uses: --policy FILE, else the built-in default (mrm gate does the same) */
	rc = cli_opt(&a, "policy") ? mrm_policy_load(cli_opt(&a, "policy"), &policy, &c->err)
				   : mrm_policy_default(&policy, &c->err);
	if (rc || (rc = cli_open(c, false, &ctx)))
		goto out;
	mrm_policy_kpi_options(policy, &o);
	if (from)
		rc = mrm_kpi_trend(ctx, &o, from, to ? to : mrm_ctx_today(ctx), every ? every : "1m", &out, &c->err);
	else
		rc = mrm_kpi_compute(ctx, &o, &out, &c->err);
	if (rc)
		goto out;
	if (c->json)
		cli_print_json(json_incref(out));
	else if (from)
		print_trend(out);
	else
		print_one(out);
out:
	json_decref(out);
	mrm_ctx_free(ctx);
	mrm_policy_free(policy);
	cli_args_release(&a);
	return rc;
}
