/*
 * mrm: the command-line front of libmrm. This file holds the command table,
 * the global options and the one place the process exits.
 */
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"

static const struct cli_command commands[] = {
	{ "init", cmd_init, "create a store, or upgrade its schema",
	  "mrm init" },
	{ "user", cmd_user, "register users and roles; issue API tokens",
	  "mrm user add NAME --role ROLE[,ROLE...]\n"
	  "mrm user list\n"
	  "mrm user token NAME          (prints a new API token once)" },
	{ "model", cmd_model, "the model inventory: register, update, list, show, versions",
	  "mrm model add ID --name TEXT --owner USER --purpose TEXT [--type T] [--status S] [--genai]\n"
	  "              [--team T] [--intended-use T] [--out-of-scope-use T] [--population T]\n"
	  "              [--vendor V] [--data-source SRC ...] [--deployment T] [--next-review-due DATE]\n"
	  "mrm model list [--tier N] [--status S] [--owner USER]\n"
	  "mrm model show ID\n"
	  "mrm model update ID [--FIELD VALUE ...]   (fields as for add; --no-genai clears genai)\n"
	  "mrm model version add ID VERSION [--artifact PATH|URI] [--sha256 HEX] [--change KIND]\n"
	  "              [--material] [--notes TEXT]\n"
	  "types: classification regression ranking llm agent other\n"
	  "statuses: development validation production retired\n"
	  "change kinds: new retrain prompt routing data code vendor" },
	{ "tier", cmd_tier, "assess a model's tier (1 = highest impact) or override it",
	  "mrm tier assess ID (--answers FILE.yaml | --factor KEY=VALUE ...)\n"
	  "mrm tier override ID --tier N --reason TEXT\n"
	  "mrm tier show ID             (tier in force, rationale, history)\n"
	  "mrm tier factors             (the factor model: keys, answers, points, rules)\n"
	  "factors: decision_impact autonomy customer_facing regulated_domain personal_data\n"
	  "         genai reliance complexity scale (answers: see 'mrm tier factors')" },
	{ "evidence", cmd_evidence, "register evidence files (with SHA-256) against a model",
	  "mrm evidence add ID KIND FILE [--version V] [--note TEXT]\n"
	  "mrm evidence list [--model ID]\n"
	  "mrm evidence show E-N\n"
	  "mrm evidence verify [--model ID]   (re-hash files; exit 1 if any changed)\n"
	  "kinds: validation-report fairness-report drift-report redteam-report model-card\n"
	  "       data-sheet monitoring-plan risk-assessment other" },
	{ "finding", cmd_finding, "record findings and take them through remediation to closure",
	  "mrm finding add ID --severity SEV --category CAT --title TEXT [--owner USER] [--due DATE]\n"
	  "              [--description TEXT] [--version V] [--evidence E-N] [--repeat-of F-N]\n"
	  "mrm finding list [--model ID] [--status S] [--severity SEV] [--owner USER] [--overdue]\n"
	  "mrm finding show F-N\n"
	  "mrm finding update F-N [--status S] [--owner USER] [--due DATE] [--severity SEV]\n"
	  "              [--title TEXT] [--description TEXT]\n"
	  "mrm finding verify F-N --evidence E-N [--note TEXT] [--fail]\n"
	  "mrm finding close F-N [--evidence E-N [--note TEXT]]\n"
	  "severities: critical high medium low (default due: 30, 90, 180, 365 days)\n"
	  "categories: performance fairness robustness privacy security safety reliability\n"
	  "            documentation governance\n"
	  "statuses: open in-remediation awaiting-verification closed (risk-accepted: covered\n"
	  "          by an acceptance in force; see docs/findings.md)" },
	{ "accept", cmd_accept, "accept the residual risk of findings, until an expiry date",
	  "mrm accept ID --finding F-N [--finding ...] --rationale TEXT --expires DATE\n"
	  "              [--controls TEXT] [--trigger TEXT ...]" },
	{ "acceptance", cmd_acceptance, "list, show and revoke risk acceptances",
	  "mrm acceptance list [--model ID] [--active | --expired | --revoked]\n"
	  "mrm acceptance show A-N\n"
	  "mrm acceptance revoke A-N --reason TEXT" },
	{ "review", cmd_review, "open and decide independent reviews",
	  "mrm review open ID [--version V] [--reason TEXT] [--intake complete|incomplete]\n"
	  "mrm review decide R-N (approve|conditional|reject) --note TEXT [--condition TEXT ...]\n"
	  "mrm review list [--model ID] [--status open|decided]\n"
	  "mrm review show R-N" },
	{ "signoff", cmd_signoff, "sign off a model version in a role",
	  "mrm signoff ID --role ROLE [--version V] [--note TEXT]\n"
	  "mrm signoff list ID\n"
	  "roles: owner validator approver auditor admin" },
	{ "incident", cmd_incident, "record incidents from onset to resolution",
	  "mrm incident open ID --severity sev1|sev2|sev3|sev4 --title TEXT [--started TIME]\n"
	  "              [--detected TIME] [--description TEXT] [--finding F-N ...]\n"
	  "mrm incident update I-N [--started TIME] [--detected TIME] [--mitigated TIME] [--resolved TIME]\n"
	  "              [--root-cause CATEGORY] [--root-cause-note TEXT] [--finding F-N ...]\n"
	  "              [--severity S] [--title T] [--description TEXT]\n"
	  "mrm incident list [--model ID] [--open]\n"
	  "mrm incident show I-N\n"
	  "times: started <= detected <= mitigated <= resolved, none in the future\n"
	  "root causes: data-quality data-drift concept-drift model-defect code-defect infrastructure\n"
	  "             third-party misuse prompt-injection process unknown" },
	{ "audit", cmd_audit, "read and verify the tamper-evident audit trail",
	  "mrm audit log [--model ID] [--object TYPE:ID] [--limit N]\n"
	  "mrm audit verify" },
	{ "export", cmd_export, "write the whole store as one JSON document",
	  "mrm export [-o FILE.json]" },
	{ "import", cmd_import, "load an exported JSON document into an empty store",
	  "mrm import FILE.json" },
	{ "validate", cmd_validate, "independent validation: metrics, intervals, slices, fairness, tests",
	  "mrm validate --data FILE --label COL (--score COL | --prediction COL) [--group COL[,COL...]]\n"
	  "             [--threshold X] [--positive VALUE] [--weight COL] [--champion COL]\n"
	  "             [--bootstrap N [--bootstrap-metrics M,...]] [--seed S] [--tests FILE.yaml]\n"
	  "             [--where EXPR] [--task binary|regression|multiclass] [--classes C1,C2,...]\n"
	  "             [--bins N] [--binning width|count] [--streaming] [--threads N]\n"
	  "             [--model ID [--version V]] [--html OUT.html] [--json]\n"
	  "reading:     [--delimiter C|tab] [--no-header] [--na TEXT[,TEXT...]] [--format csv|jsonl]\n"
	  "             [--skip-bad-rows]   (--data - reads stdin; gzip is detected)\n"
	  "A row is predicted positive when score >= threshold (default 0.5; scores outside [0, 1]\n"
	  "need --threshold). --positive VALUE names the positive label (default 1, true or yes).\n"
	  "--champion COL: paired DeLong test, the --score column being the challenger.\n"
	  "--where: comparisons (= != < <= > >=), and, or, not, in (...), is [not] missing,\n"
	  "         e.g. --where \"age >= 18 and region in ('north', 'east')\"\n"
	  "--tests FILE.yaml: e.g. 'roc_auc >= 0.75', 'recall >= 0.6 for each sex',\n"
	  "         'disparate_impact_ratio >= 0.8 for race', 'roc_auc_difference >= 0 with p_value < 0.05'\n"
	  "--model ID: saves the JSON report (next to --html, else ./mrm-evidence/) and registers it\n"
	  "         as evidence (validation-report; fairness-report too with --group)\n"
	  "exit: 0 ok, 1 a test failed, 2 usage, 3 bad data, 4 unknown model, 5 not permitted\n"
	  "see docs/validate.md" },
	{ "drift", cmd_drift, "data drift, data quality and performance over time: reference vs current data",
	  "mrm drift --reference FILE --current FILE [--columns COL[,COL...]] [--json]\n"
	  "          (either FILE may be a profile of mrm profile: measures from its sketches, ~)\n"
	  "          [--method ks|psi|chi2|wasserstein|jensen_shannon|anderson_darling|z]\n"
	  "          [--method numeric=ks|psi|wasserstein|jensen_shannon|anderson_darling]\n"
	  "          [--method categorical=chi2|psi|jensen_shannon|z] (a test per column type)\n"
	  "          [--threshold X|numeric=X|categorical=X (with its --method)]\n"
	  "          [--correction none|bonferroni|holm]\n"
	  "          [--html OUT.html (a self-contained report page)]\n"
	  "          [--check NAME=X ...] [--timestamp COL --window N(m|h|d|w)]\n"
	  "          [--label COL --score COL]\n"
	  "reading:  [--delimiter C|tab] [--no-header] [--na TEXT[,TEXT...]] [--format csv|jsonl]\n"
	  "defaults: numeric KS p < 0.05 (reference <= 1000 rows) else normalised Wasserstein >= 0.1;\n"
	  "          categorical z-test (2 categories) or chi-square p < 0.05 (<= 1000 rows) else\n"
	  "          Jensen-Shannon >= 0.1; dataset drift when drift_share >= 0.5; --method NAME\n"
	  "          decides the columns it applies to (others keep their default); TYPE=NAME\n"
	  "          decides that type, and a test of the other type is a usage error\n"
	  "checks:   missing_columns new_columns retyped_columns (0), duplicate_rows (reference's\n"
	  "          share + 0.05), missing_rate (+0.05), all_missing (0), out_of_range (0.05),\n"
	  "          new_categories (0), constant (0); a check fails when its value is greater;\n"
	  "          from a profile out_of_range and new_categories may be estimated and\n"
	  "          duplicate_rows is not applicable\n"
	  "windows:  UTC-aligned (days at midnight, weeks on Monday), one drift test, quality and\n"
	  "          metrics (with --label/--score: roc_auc accuracy brier_score log_loss ...) each\n"
	  "exit: 0 nothing failed, 1 dataset drift, a failed check or a flagged window, 2 usage,\n"
	  "      3 bad data\n"
	  "see docs/drift.md" },
	{ "profile", cmd_profile, "per-column profiles of a data file (mergeable sketches) for monitoring",
	  "mrm profile FILE -o OUT.profile [--columns COL[,COL...]] [--threads N]\n"
	  "            [--bins-from REF.profile]   (exact counts in REF's decile bins)\n"
	  "reading:     [--delimiter C|tab] [--no-header] [--na TEXT[,TEXT...]] [--format csv|jsonl]\n"
	  "             [--skip-bad-rows]   (FILE - reads stdin; gzip is detected)\n"
	  "mrm profile merge A.profile B.profile ... -o OUT.profile\n"
	  "mrm profile show FILE.profile [--top N] [--json]\n"
	  "A column is numeric when every non-missing value is a number, else categorical.\n"
	  "merge: same column names required; numeric + categorical gives categorical.\n"
	  "exit: 0 ok, 2 usage, 3 bad data or a corrupt/incompatible profile\n"
	  "see docs/profiles.md" },
	{ "controls", cmd_controls, "the control catalogue and its coverage of NIST, ISO, EU AI Act",
	  "mrm controls list [--framework F] [--json]\n"
	  "mrm controls show ID [--json]        (what it checks, its evidence, limits, mappings)\n"
	  "mrm controls coverage [--framework F] [--json]\n"
	  "mrm controls test [--policy FILE.yaml] [--junit OUT.xml] [--json]\n"
	  "                                     (every model's gate: the gaps by model, totals per control)\n"
	  "frameworks: nist-ai-rmf iso-42001 eu-ai-act nist-ai-600-1 sr-11-7\n"
	  "An item is addressed when a control produces evidence for it, not when it is met.\n"
	  "exit: 0 ok, 1 a gap (controls test), 2 usage (unknown framework), 3 bad policy,\n"
	  "      4 unknown control\n"
	  "see docs/controls.md and docs/gates.md" },
	{ "policy", cmd_policy, "the policy: controls and parameters per tier, KPI targets (built-in or a file)",
	  "mrm policy show [--policy FILE.yaml] [--json]   (the built-in default without --policy)\n"
	  "mrm policy check FILE.yaml [--json]              (exit 0 valid, 3 with FILE:LINE:COL: field)\n"
	  "A policy file replaces the default entirely; with 'extends: default' only the tiers and\n"
	  "KPI targets it defines. It may tighten the core's rules (review cadence, acceptance\n"
	  "authority), not loosen them. kpis: { ID: { target: \">= 95\" } } sets the targets of\n"
	  "mrm kpi (percentages in percent); show lists every KPI's target and whose it is.\n"
	  "see docs/policy.md" },
	{ "gate", cmd_gate, "evaluate the policy's controls for a model version (CI launch gate)",
	  "mrm gate ID [--version V] [--policy FILE.yaml] [--junit OUT.xml] [--record] [--json]\n"
	  "Every control the policy enforces at the model's tier (untiered: tier 1) ends pass, fail\n"
	  "or waived (a failure covered by risk acceptances in force, named), with the reason.\n"
	  "--junit OUT.xml: each control a test case (failure: the reason; skipped: waived or not\n"
	  "         applicable), for CI. --record: keep the result as evidence (kind other).\n"
	  "A gate only reads the store (with --record it registers one evidence file).\n"
	  "exit: 0 passed, 1 a control failed, 2 usage, 3 bad policy or unwritable report,\n"
	  "      4 unknown model or version\n"
	  "see docs/gates.md" },
	{ "monitor", cmd_monitor, "monitors on a model: a signal with warn/alert thresholds; run them on new data",
	  "mrm monitor add ID --signal SIGNAL --warn X --alert Y [--direction above|below]\n"
	  "              [--window 1h|1d|1w --timestamp COL] [--reference FILE [--columns COL,...]]\n"
	  "              [--route URL|FILE] [--label COL --score COL [--threshold X]] [--no-finding]\n"
	  "mrm monitor list [ID]\n"
	  "mrm monitor show M-N\n"
	  "mrm monitor disable M-N [--reason TEXT]\n"
	  "mrm monitor run ID --data FILE [--reference FILE] [--timeout SECONDS]\n"
	  "reading:     [--delimiter C|tab] [--no-header] [--na TEXT[,TEXT...]] [--format csv|jsonl]\n"
	  "signals: drift_share, dataset_drift, drift:COLUMN, drift:COLUMN:MEASURE (ks_p_value psi\n"
	  "         wasserstein_norm jensen_shannon chi2_p_value ...), metric:NAME (roc_auc, brier_score,\n"
	  "         ...; needs --label and --score), quality:CHECK[:COLUMN]\n"
	  "levels: above: value >= threshold; below: value < threshold (p-values, higher-is-better\n"
	  "        metrics); --warn/--alert must be ordered for the direction\n"
	  "route: an http(s) URL (POST JSON; 3 attempts, --timeout or $MRM_WEBHOOK_TIMEOUT, default\n"
	  "       10 s) or a file (one JSON line per alert); undelivered alerts stay queued\n"
	  "exit (run): 0 ok, 1 a result at alert level, 3 a monitor could not be evaluated,\n"
	  "            7 a delivery failed (queued); 2 usage, 4 unknown model, 5 not permitted\n"
	  "see docs/monitoring.md" },
	{ "alert", cmd_alert, "alerts raised by monitors: list, show, resolve, retry deliveries",
	  "mrm alert list [--model ID] [--status open|resolved]\n"
	  "mrm alert show AL-N\n"
	  "mrm alert resolve AL-N (actioned|false-positive) [--note TEXT]\n"
	  "mrm alert deliver [--timeout SECONDS]   (retry every queued delivery; exit 7 if some stay queued)\n"
	  "see docs/monitoring.md" },
	{ "kpi", cmd_kpi, "governance KPIs as of a day, with targets and populations, or their trend",
	  "mrm kpi [--as-of DATE] [--policy FILE.yaml] [--json]\n"
	  "mrm kpi --from DATE [--to DATE] [--every 1m|1w|Nd] [--policy FILE.yaml] [--json]\n"
	  "        (a trend: one column per date, from --from every --every, and --to; default today)\n"
	  "As of DATE: the state at the end of that day (UTC), replayed from the audit trail;\n"
	  "periods are the 365 days ending that day. An empty population gives n/a and a reason.\n"
	  "--policy: the policy's inventory fields per tier and its KPI targets (its kpis:\n"
	  "section; a KPI it leaves out keeps mrm's default target). Without --policy, the\n"
	  "built-in default policy, as for mrm gate: mrm's default targets. The footer says\n"
	  "whose targets they are (a policy's marked *), the JSON target_source per KPI.\n"
	  "exit: 0 ok (whatever the statuses), 2 usage, 3 bad date or policy file\n"
	  "see docs/kpi.md" },
	{ "doc", cmd_doc, "governance documents: model card, risk assessment, validation, acceptance memo, Annex IV",
	  "mrm doc model-card ID [-o OUT.html|OUT.md] [--register]\n"
	  "mrm doc mra ID [-o OUT.html|OUT.md] [--policy FILE.yaml] [--register]\n"
	  "mrm doc validation ID [--evidence E-N] [-o OUT.html|OUT.md]\n"
	  "mrm doc acceptance A-N [-o OUT.html|OUT.md] [--policy FILE.yaml]\n"
	  "mrm doc annex-iv ID [-o OUT.html|OUT.md]\n"
	  "Without -o the document is printed as Markdown; --json prints its content as JSON.\n"
	  "-o chooses the format by extension: .html (self-contained, printable) or .md.\n"
	  "--register files the written model card (model-card) or MRA (risk-assessment) as evidence\n"
	  "of the current version. mra: risks rated likelihood x impact by the rubric it prints, and a\n"
	  "recommendation with its rule. validation: a run stored by mrm validate --model (default the\n"
	  "newest). see docs/documents.md" },
	{ "pack", cmd_pack, "evidence packs: a model's documents, evidence and audit trail in one verifiable file",
	  "mrm pack ID -o OUT.tar.gz [--allow-missing] [--policy FILE.yaml]\n"
	  "mrm pack verify PACK.tar.gz\n"
	  "A pack holds the model's documents (HTML and Markdown), its evidence files, the gate result,\n"
	  "its audit events with the chain head, and manifest.json (each file's SHA-256 and size).\n"
	  "exit (pack): 0 written, 1 audit chain broken, 3 an evidence file missing or changed (or\n"
	  "written with --allow-missing: 0), 4 unknown model\n"
	  "exit (verify): 0 intact, 1 tampered (names each altered, missing or extra file), 3 not a pack\n"
	  "see docs/packs.md" },
	{ "redteam", cmd_redteam, "red-team a generative-AI endpoint: probe packs, resumable runs, reports, retests",
	  "mrm redteam run --target URL|http+json:URL|cmd:COMMAND -o RUN.jsonl [--pack NAME|FILE ...]\n"
	  "                [--target-model NAME] [--api-key-env VAR] [--system-prompt FILE]\n"
	  "                [--temperature X] [--max-tokens N] [--header 'NAME: VALUE' ...] [--tools FILE.json]\n"
	  "                [--request-template FILE --reply-path a.b.0.c]   (http+json; cmd: --reply-path optional)\n"
	  "                [--tool-calls-path a.b]   (http+json, cmd with --reply-path: the reply's tool calls)\n"
	  "                [--judge URL [--judge-model NAME] [--judge-api-key-env VAR]]\n"
	  "                [--secret TEXT ...] [--repeat N] [--seed S] [--concurrency N] [--rate R]\n"
	  "                [--timeout S] [--retries N] [--backoff S] [--max-errors N]\n"
	  "                [--price-in X --price-out Y] [--budget-tokens N] [--budget-cost X] [--resume]\n"
	  "                [--fail-on CATEGORY>RATE ...] [--html OUT.html] [--worst N] [--quiet]\n"
	  "                [--model ID [--version V] [--finding-threshold RATE] [--finding-severity S]]\n"
	  "mrm redteam report RUN.jsonl [--html OUT.html] [--fail-on CATEGORY>RATE ...] [--worst N] [--model ID ...]\n"
	  "mrm redteam diff BEFORE.jsonl AFTER.jsonl\n"
	  "mrm redteam packs              (the built-in packs)\n"
	  "mrm redteam probes [--pack NAME|FILE ...]\n"
	  "categories: prompt_injection jailbreak system_prompt_leak data_exfiltration harmful_content\n"
	  "            excessive_agency hallucination; --fail-on also takes LLM01..LLM10, any, overall;\n"
	  "            RATE in [0, 1] or a percentage, e.g. --fail-on 'prompt_injection>0.05'\n"
	  "A canary is planted after your system prompt; --secret values are detected and only their\n"
	  "SHA-256 is written. Ctrl-C stops cleanly (exit 130); --resume continues the run file.\n"
	  "--model ID files a complete run as evidence (redteam-report) and opens a finding per category\n"
	  "over --finding-threshold (default 0: any success); a retest with no success moves them to\n"
	  "awaiting-verification.\n"
	  "exit: 0 ok, 1 a --fail-on rule broken (diff: probes newly failing), 2 usage, 3 bad input or\n"
	  "      run file, 4 unknown model, 5 not permitted, 7 stopped after --max-errors consecutive\n"
	  "      errors (target down, 429 forever), 130 interrupted\n"
	  "see docs/redteam.md" },
	{ NULL, NULL, NULL, NULL },
};

static const struct cli_command *find(const char *name)
{
	for (const struct cli_command *k = commands; k->name; k++)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}

static void print_help(FILE *f)
{
	fprintf(f, "usage: mrm [--db PATH] [--as USER] [--json] COMMAND [ARGS]\n\n"
		   "Model risk management: inventory, tiering, findings, acceptances, reviews,\n"
		   "incidents, a tamper-evident audit trail, independent validation, drift, monitors, red teaming.\n\ncommands:\n");
	for (const struct cli_command *k = commands; k->name; k++)
		fprintf(f, "  %-12s %s\n", k->name, k->summary);
	fprintf(f, "\nstore: --db, else $MRM_DB, else ./mrm.db; actor: --as, else $MRM_USER, else the OS user\n"
		   "$MRM_NOW sets the effective time (ISO 8601). 'mrm help COMMAND' for details.\n"
		   "exit codes: 0 ok, 1 check failed, 2 usage, 3 bad input, 4 not found,\n"
		   "            5 not permitted, 6 store error, 7 alert delivery failed (queued)\n");
}

static const char *os_user(void)
{
	struct passwd *pw = getpwuid(geteuid());
	if (pw && pw->pw_name)
		return pw->pw_name;
	return getenv("USER");
}

/* Removes the global options from anywhere in argv; returns the new argc. */
static int take_globals(struct cli *c, int argc, char **argv, int *bad)
{
	int out = 0;
	for (int i = 0; i < argc; i++) {
		char *a = argv[i];
		if (!strcmp(a, "--")) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if (!strcmp(a, "--json")) {
			c->json = true;
		} else if (!strcmp(a, "--db") || !strcmp(a, "--as")) {
			if (i + 1 >= argc) {
				cli_usage_error(c, "option %s needs a value", a);
				*bad = 1;
				return 0;
			}
			if (a[2] == 'd')
				c->db = argv[++i];
			else
				c->actor = argv[++i];
		} else if (!strncmp(a, "--db=", 5)) {
			c->db = a + 5;
		} else if (!strncmp(a, "--as=", 5)) {
			c->actor = a + 5;
		} else {
			argv[out++] = a;
		}
	}
	return out;
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	const struct cli_command *k;
	int bad = 0, rc;

	/* A file-size limit (ulimit -f) must fail a write, not kill us mid-way. */
	signal(SIGXFSZ, SIG_IGN);
	argc = take_globals(&c, argc - 1, argv + 1, &bad);
	argv++;
	if (bad) {
		fprintf(stderr, "mrm: %s\n", c.err.msg);
		return MRM_EUSAGE;
	}
	if (!c.db)
		c.db = getenv("MRM_DB") && *getenv("MRM_DB") ? getenv("MRM_DB") : "mrm.db";
	if (!c.actor)
		c.actor = getenv("MRM_USER") && *getenv("MRM_USER") ? getenv("MRM_USER") : os_user();
	c.now = getenv("MRM_NOW");
	if (argc == 0 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
		print_help(argc == 0 ? stderr : stdout);
		return argc == 0 ? MRM_EUSAGE : 0;
	}
	if (!strcmp(argv[0], "--version") || !strcmp(argv[0], "version")) {
		printf("mrm %s (store: sqlite; json: jansson; yaml: libyaml; sha256: openssl; http: libcurl)\n", MRM_VERSION);
		return 0;
	}
	if (!strcmp(argv[0], "help")) {
		if (argc < 2) {
			print_help(stdout);
			return 0;
		}
		if (!(k = find(argv[1]))) {
			fprintf(stderr, "mrm: unknown command '%s' (see 'mrm help')\n", argv[1]);
			return MRM_EUSAGE;
		}
		printf("usage:\n%s\n", k->usage);
		return 0;
	}
	if (!(k = find(argv[0]))) {
		fprintf(stderr, "mrm: unknown command '%s' (see 'mrm help')\n", argv[0]);
		return MRM_EUSAGE;
	}
	c.usage = k->usage;
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage:\n%s\n", k->usage);
		return 0;
	}
	rc = k->fn(&c, argc, argv);
	if (rc < 0) /* --help was printed */
		return 0;
	if (rc != MRM_OK) {
		if (rc == MRM_EUSAGE)
			fprintf(stderr, "mrm: %s (see 'mrm help %s')\n",
				c.err.msg[0] ? c.err.msg : "usage error", k->name);
		else
			fprintf(stderr, "mrm: %s\n", c.err.msg[0] ? c.err.msg : mrm_strerror(rc));
	}
	return rc;
}
