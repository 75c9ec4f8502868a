/* mrm policy: print the effective policy (built-in default or a team's file) and check a policy file. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "mrm/finding.h"
#include "mrm/kpi.h"
#include "mrm/policy.h"

/* Prints "label" padded to the value column, then the items of a list wrapped at 92 columns. */
static void list_line(const char *label, const char *const *items, size_t n, const char *tail)
{
	int col = printf("  %-19s", label);

	for (size_t i = 0; i < n; i++) {
		int len = (int)strlen(items[i]) + (i + 1 < n ? 1 : 0);
		if (i && col + 1 + len > 92) {
			printf("\n%21s", "");
			col = 21;
		} else if (i) {
			putchar(' ');
			col++;
		}
		col += printf("%s%s", items[i], i + 1 < n ? "," : "");
	}
	printf("%s\n", tail ? tail : "");
}

/* Prints text wrapped at 92 columns. */
static void wrap(const char *text)
{
	int col = 0;

	for (const char *s = text; *s;) {
		int len = (int)strcspn(s, " ");
		if (col && col + 1 + len > 92) {
			putchar('\n');
			col = 0;
		} else if (col) {
			putchar(' ');
			col++;
		}
		col += printf("%.*s", len, s);
		s += len;
		s += strspn(s, " ");
	}
	putchar('\n');
}

static void print_tier(const struct mrm_policy_tier *t)
{
	printf("\ntier %d: %zu control%s%s\n", t->tier, t->ncontrols, t->ncontrols == 1 ? "" : "s",
	       t->inherited ? " (from the default policy)" : "");
	list_line("controls:", t->controls, t->ncontrols, NULL);
	if (t->has_inventory_fields)
		list_line("inventory fields:", t->inventory_fields, t->ninventory_fields, NULL);
	if (t->nevidence) {
		char buf[64];
		const char *items[32];
		char texts[32][64];
		size_t n = t->nevidence < 32 ? t->nevidence : 32;
		for (size_t i = 0; i < n; i++) {
			snprintf(texts[i], sizeof(texts[i]), "%s %d days", t->evidence[i].kind, t->evidence[i].max_age_days);
			items[i] = texts[i];
		}
		snprintf(buf, sizeof(buf), "evidence (age):");
		list_line(buf, items, n, NULL);
	}
	if (t->has_validation_tests)
		list_line("validation tests:", t->validation_tests, t->nvalidation_tests, NULL);
	if (t->has_redteam) {
		const char *items[16];
		char texts[16][64];
		size_t n = t->nredteam < 16 ? t->nredteam : 16;
		for (size_t i = 0; i < n; i++) {
			snprintf(texts[i], sizeof(texts[i]), "%s %g", t->redteam[i].category, t->redteam[i].max_rate);
			items[i] = texts[i];
		}
		list_line("red-team limits:", items, n, " (highest attack success rate, generative models)");
	}
	if (t->has_signoff_roles)
		list_line("sign-offs:", t->signoff_roles, t->nsignoff_roles,
			  " (distinct people, none the model owner)");
	if (t->has_monitors) {
		printf("  %-19s", "monitors:");
		if (t->monitors_min_active)
			printf("at least %d active%s", t->monitors_min_active, t->nmonitor_signals ? "; " : "");
		for (size_t i = 0; i < t->nmonitor_signals; i++)
			printf("%s%s", i ? ", " : "watching ", t->monitor_signals[i]);
		printf("\n");
	}
	if (t->has_max_open_findings) {
		bool any = false;
		printf("  %-19s", "open findings:");
		for (int i = 0; i < MRM_POLICY_SEVERITIES; i++)
			if (t->max_open_findings[i] >= 0) {
				printf("%s%s at most %d", any ? ", " : "", mrm_finding_severities[i], t->max_open_findings[i]);
				any = true;
			}
		printf("\n");
	}
	if (t->review_interval_months)
		printf("  %-19severy %d months\n", "re-review:", t->review_interval_months);
	if (t->has_acceptance)
		for (int i = 0; i < MRM_POLICY_SEVERITIES; i++) {
			const struct mrm_policy_acceptance *a = &t->acceptance[i];
			printf("  %-19s%s: ", i ? "" : "risk acceptance:", mrm_finding_severities[i]);
			if (!a->allowed) {
				printf("may not be accepted\n");
				continue;
			}
			for (size_t j = 0; j < a->nroles; j++)
				printf("%s%s", !j ? "by " : j + 1 < a->nroles ? ", " : " or ", a->roles[j]);
			printf(", for at most %d days\n", a->max_days);
		}
}

/* The KPI targets `mrm kpi` takes from this policy: each KPI's, and whose it is. */
static void print_kpis(const struct mrm_policy *p)
{
	size_t mine = 0, n = 0, width = 0;

	for (size_t i = 0; mrm_kpi_ids[i]; i++, n++) {
		bool set;
		mrm_policy_kpi_target(p, mrm_kpi_ids[i], &set, NULL);
		mine += set;
	}
	printf("\nKPI targets (mrm kpi): ");
	if (!mine)
		printf("mrm's defaults (docs/kpi.md)\n");
	else
		printf("%zu from this policy, %zu mrm's default%s (docs/kpi.md)\n", mine, n - mine, n - mine == 1 ? "" : "s");
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; mrm_kpi_ids[i]; i++) {
			const struct mrm_kpi_info *in = mrm_kpi_info(mrm_kpi_ids[i]);
			bool set, inherited;
			const struct mrm_kpi_target *t = mrm_policy_kpi_target(p, in->id, &set, &inherited);
			char text[64], shown[160];

			mrm_kpi_target_text(t, true, text, sizeof(text));
			if (in->scale == MRM_KPI_SCALE_PERCENT)
				snprintf(shown, sizeof(shown), "%s", text);
			else
				snprintf(shown, sizeof(shown), "%s %s", text, in->unit);
			if (!pass) /* the first pass measures the targets' column */
				width = strlen(shown) > width ? strlen(shown) : width;
			else if (!mine)
				printf("  %-31s%s\n", in->id, shown);
			else
				printf("  %-31s%-*s  %s\n", in->id, (int)width, shown,
				       !set ? "mrm's default" : inherited ? "the default policy" : "this policy");
		}
}

static void print_policy(const struct mrm_policy *p)
{
	printf("policy %s (%s%s)\n", p->name, p->source, p->extends ? ", extends the default" : "");
	printf("sha256 %s\n", p->sha256);
	if (p->description)
		wrap(p->description);
	for (int i = 0; i < MRM_POLICY_TIERS; i++)
		print_tier(&p->tiers[i]);
	print_kpis(p);
}

static int show(struct cli *c, const char *file)
{
	struct mrm_policy *p = NULL;
	int rc = file ? mrm_policy_load(file, &p, &c->err) : mrm_policy_default(&p, &c->err);

	if (rc)
		return rc;
	if (c->json)
		cli_print_json(mrm_policy_json(p));
	else
		print_policy(p);
	mrm_policy_free(p);
	return MRM_OK;
}

static int check(struct cli *c, const char *file)
{
	struct mrm_policy *p = NULL;
	int rc = mrm_policy_load(file, &p, &c->err);

	if (rc)
		return rc;
	if (c->json) {
		json_t *o = json_object();
		json_object_set_new(o, "file", json_string(file));
		json_object_set_new(o, "valid", json_true());
		json_object_set_new(o, "policy", mrm_policy_json(p));
		cli_print_json(o);
	} else {
		printf("%s: policy '%s' is valid:", file, p->name);
		for (int i = 0; i < MRM_POLICY_TIERS; i++)
			printf("%s %zu control%s at tier %d%s", i ? "," : "", p->tiers[i].ncontrols,
			       p->tiers[i].ncontrols == 1 ? "" : "s", i + 1,
			       p->tiers[i].inherited ? " (from the default)" : "");
		if (p->nkpi_targets)
			printf(", %zu KPI target%s", p->nkpi_targets, p->nkpi_targets == 1 ? "" : "s");
		printf("\n");
	}
	mrm_policy_free(p);
	return MRM_OK;
}

int cmd_policy(struct cli *c, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	struct cli_args a = { 0 };
	int rc;

	if (!sub)
		return cli_usage_error(c, "missing subcommand (show, check)");
	if (!strcmp(sub, "show")) {
		static const struct cli_opt spec[] = { { "policy", OPT_VALUE, NULL }, { NULL, 0, NULL } };
		if (!(rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) && !(rc = cli_need_pos(c, &a, 0, 0, "")))
			rc = show(c, cli_opt(&a, "policy"));
	} else if (!strcmp(sub, "check")) {
		static const struct cli_opt spec[] = { { NULL, 0, NULL } };
		if (!(rc = cli_parse(c, argc - 2, argv + 2, spec, &a)) &&
		    !(rc = cli_need_pos(c, &a, 1, 1, "policy FILE.yaml")))
			rc = check(c, a.pos[0]);
	} else {
		rc = cli_usage_error(c, "unknown subcommand 'policy %s'", sub);
	}
	cli_args_release(&a);
	return rc;
}
