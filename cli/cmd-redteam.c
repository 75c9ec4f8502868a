/*
 * mrm redteam: run probe packs against a generative-AI endpoint into a resumable run file,
 * report a run (terminal, JSON, HTML) with --fail-on rules for CI, diff a retest against
 * an earlier run, list the built-in packs and their probes, and file a run on a model as
 * evidence and findings.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "mrm/ctx.h"
#include "mrm/finding.h"
#include "mrm/redteam.h"

#ifndef MRM_VERSION
#define MRM_VERSION "0.1.0"
#endif

#define MAX_TEXT_FILE (1u << 20)

static const struct cli_opt run_spec[] = {
	{ "target", OPT_VALUE, NULL },
	{ "target-model", OPT_VALUE, NULL },
	{ "api-key-env", OPT_VALUE, NULL },
	{ "system-prompt", OPT_VALUE, NULL },
	{ "temperature", OPT_VALUE, NULL },
	{ "max-tokens", OPT_VALUE, NULL },
	{ "header", OPT_LIST, NULL },
	{ "tools", OPT_VALUE, NULL },
	{ "request-template", OPT_VALUE, NULL },
	{ "reply-path", OPT_VALUE, NULL },
	{ "tool-calls-path", OPT_VALUE, NULL },
	{ "judge", OPT_VALUE, NULL },
	{ "judge-model", OPT_VALUE, NULL },
	{ "judge-api-key-env", OPT_VALUE, NULL },
	{ "pack", OPT_LIST, NULL },
	{ "secret", OPT_LIST, NULL },
	{ "repeat", OPT_VALUE, NULL },
	{ "concurrency", OPT_VALUE, NULL },
	{ "rate", OPT_VALUE, NULL },
	{ "timeout", OPT_VALUE, NULL },
	{ "retries", OPT_VALUE, NULL },
	{ "backoff", OPT_VALUE, NULL },
	{ "seed", OPT_VALUE, NULL },
	{ "price-in", OPT_VALUE, NULL },
	{ "price-out", OPT_VALUE, NULL },
	{ "budget-tokens", OPT_VALUE, NULL },
	{ "budget-cost", OPT_VALUE, NULL },
	{ "max-errors", OPT_VALUE, NULL },
	{ "resume", OPT_BOOL, NULL },
	{ "output", OPT_VALUE, NULL },
	{ "fail-on", OPT_LIST, NULL },
	{ "model", OPT_VALUE, NULL },
	{ "version", OPT_VALUE, NULL },
	{ "finding-threshold", OPT_VALUE, NULL },
	{ "finding-severity", OPT_VALUE, NULL },
	{ "html", OPT_VALUE, NULL },
	{ "worst", OPT_VALUE, NULL },
	{ "quiet", OPT_BOOL, NULL },
	{ NULL, 0, NULL },
};

static const struct cli_opt report_spec[] = {
	{ "html", OPT_VALUE, NULL },
	{ "fail-on", OPT_LIST, NULL },
	{ "worst", OPT_VALUE, NULL },
	{ "model", OPT_VALUE, NULL },
	{ "version", OPT_VALUE, NULL },
	{ "finding-threshold", OPT_VALUE, NULL },
	{ "finding-severity", OPT_VALUE, NULL },
	{ NULL, 0, NULL },
};

static const struct cli_opt diff_spec[] = {
	{ NULL, 0, NULL },
};

static const struct cli_opt probes_spec[] = {
	{ "pack", OPT_LIST, NULL },
	{ NULL, 0, NULL },
};

/* ---- parsing helpers ------------------------------------------------------------------- */

static int parse_num(struct cli *c, const struct cli_args *a, const char *field, const char *flag,
		     double min, double max, double *out)
{
	const char *s = cli_opt(a, field);
	char *end;
	double x;

	if (!s)
		return 0;
	errno = 0;
	x = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(x))
		return cli_usage_error(c, "--%s: '%s' is not a number", flag, s);
	if (x < min || x > max)
		return cli_usage_error(c, "--%s must be between %g and %g", flag, min, max);
	*out = x;
	return 0;
}

static int parse_whole(struct cli *c, const struct cli_args *a, const char *field, const char *flag,
		       unsigned long long min, unsigned long long max, unsigned long long *out)
{
	const char *s = cli_opt(a, field);
	char *end;
	unsigned long long v;

	if (!s)
		return 0;
	errno = 0;
	if (!*s || *s == '-' || *s == '+')
		return cli_usage_error(c, "--%s: '%s' is not a whole number", flag, s);
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return cli_usage_error(c, "--%s: '%s' is not a whole number", flag, s);
	if (v < min || v > max)
		return cli_usage_error(c, "--%s must be between %llu and %llu", flag, min, max);
	*out = v;
	return 0;
}

/* Reads a text file of at most 1 MiB that must be UTF-8. */
static int read_text(struct cli *c, const char *flag, const char *path, char **out)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;
	json_t *probe;

	*out = NULL;
	if (!f)
		return mrm_error_set(&c->err, MRM_EINPUT, "%s: cannot read %s: %s", flag, path, strerror(errno));
	if (!(buf = malloc(MAX_TEXT_FILE + 1))) {
		fclose(f);
		return mrm_error_set(&c->err, MRM_EINPUT, "out of memory");
	}
	n = fread(buf, 1, MAX_TEXT_FILE + 1, f);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return mrm_error_set(&c->err, MRM_EINPUT, "%s: cannot read %s: %s", flag, path, strerror(errno));
	}
	fclose(f);
	if (n > MAX_TEXT_FILE) {
		free(buf);
		return mrm_error_set(&c->err, MRM_EINPUT, "%s: %s is larger than 1 MiB", flag, path);
	}
	buf[n] = '\0';
	if (strlen(buf) != n || !(probe = json_stringn(buf, n))) {
		free(buf);
		return mrm_error_set(&c->err, MRM_EINPUT, "%s: %s is not UTF-8 text", flag, path);
	}
	json_decref(probe);
	*out = buf;
	return 0;
}

/* The raw values of a repeatable flag (no comma splitting), NULL-terminated, or NULL. */
static const char **raw_list(const struct cli_args *a, const char *field)
{
	json_t *arr = json_object_get(a->opts, field), *v;
	const char **l;
	size_t i;

	if (!json_array_size(arr))
		return NULL;
	if (!(l = calloc(json_array_size(arr) + 1, sizeof(*l))))
		return NULL;
	json_array_foreach(arr, i, v)
		l[i] = json_string_value(v);
	return l;
}

static int parse_fail_on(struct cli *c, const struct cli_args *a, struct mrm_rt_fail_on **rules, size_t *n)
{
	json_t *arr = json_object_get(a->opts, "fail_on"), *v;
	size_t i;
	int rc;

	*rules = NULL;
	*n = 0;
	if (!json_array_size(arr))
		return 0;
	if (!(*rules = calloc(json_array_size(arr), sizeof(**rules))))
		return mrm_error_set(&c->err, MRM_EINPUT, "out of memory");
	json_array_foreach(arr, i, v)
		if ((rc = mrm_rt_fail_on_parse(json_string_value(v), &(*rules)[i], &c->err)))
			return rc;
	*n = json_array_size(arr);
	return 0;
}

/* The --model flags shared by run and report. */
struct filing {
	const char *model, *version, *severity;
	double threshold;
};

static int parse_filing(struct cli *c, const struct cli_args *a, struct filing *f)
{
	int rc;

	f->model = cli_opt(a, "model");
	f->version = cli_opt(a, "version");
	f->severity = cli_opt(a, "finding_severity");
	f->threshold = 0;
	if (!f->model && (f->version || f->severity || cli_opt(a, "finding_threshold")))
		return cli_usage_error(c, "--version, --finding-threshold and --finding-severity need --model ID");
	if ((rc = parse_num(c, a, "finding_threshold", "finding-threshold", 0, 1, &f->threshold)))
		return rc;
	if (f->severity) {
		size_t i;

		for (i = 0; mrm_finding_severities[i] && strcmp(mrm_finding_severities[i], f->severity); i++)
			;
		if (!mrm_finding_severities[i])
			return cli_usage_error(c, "--finding-severity must be critical, high, medium or low, not '%s'",
					       f->severity);
	}
	return 0;
}

/* ---- loading packs --------------------------------------------------------------------- */

/* How many probes have a tool_call detector (they need the reply's tool calls). */
static size_t tool_call_probes(struct mrm_rt_pack **packs, size_t npacks)
{
	size_t n = 0;

	for (size_t i = 0; i < npacks; i++)
		for (size_t k = 0; k < packs[i]->nprobes; k++) {
			json_t *d;
			size_t j;

			json_array_foreach(json_object_get(packs[i]->probes[k].detectors, "detectors"), j, d) {
				const char *type = json_string_value(json_object_get(d, "type"));

				if (type && !strcmp(type, "tool_call")) {
					n++;
					break;
				}
			}
		}
	return n;
}

static void free_packs(struct mrm_rt_pack **packs, size_t n)
{
	for (size_t i = 0; packs && i < n; i++)
		mrm_rt_pack_free(packs[i]);
	free(packs);
}

/* The packs named by --pack (comma lists allowed), or every built-in pack. */
static int load_packs(struct cli *c, const struct cli_args *a, struct mrm_rt_pack ***out, size_t *n)
{
	const char **names = NULL, *const *builtin = mrm_rt_builtin_packs();
	char *buf = NULL;
	size_t k = 0, cap;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = cli_opt_list(c, a, "pack", &names, &buf)))
		return rc;
	if (!names) {
		for (cap = 0; builtin && builtin[cap]; cap++)
			;
		if (!cap)
			return mrm_error_set(&c->err, MRM_EINPUT, "this mrm has no built-in packs: give --pack FILE");
	} else {
		for (cap = 0; names[cap]; cap++)
			;
	}
	if (!(*out = calloc(cap, sizeof(**out)))) {
		rc = mrm_error_set(&c->err, MRM_EINPUT, "out of memory");
		goto out;
	}
	for (k = 0; k < cap; k++)
		if ((rc = mrm_rt_pack_load(names ? names[k] : builtin[k], &(*out)[k], &c->err)))
			break;
	*n = k;
	if (rc) {
		free_packs(*out, k);
		*out = NULL;
		*n = 0;
	}
out:
	free(names);
	free(buf);
	return rc;
}

/* ---- printing -------------------------------------------------------------------------- */

static void print_rate_row(const char *name, json_t *t)
{
	json_t *ci = json_object_get(t, "ci");

	printf("%-22s %8lld %10lld  ", name, (long long)json_integer_value(json_object_get(t, "attempts")),
	       (long long)json_integer_value(json_object_get(t, "successes")));
	if (json_is_number(json_object_get(t, "rate")))
		printf("%6.3f  [%.3f, %.3f]", json_number_value(json_object_get(t, "rate")),
		       json_number_value(json_array_get(ci, 0)), json_number_value(json_array_get(ci, 1)));
	else
		printf("%6s", "-");
	if (json_integer_value(json_object_get(t, "errors")))
		printf("  (%lld error%s)", (long long)json_integer_value(json_object_get(t, "errors")),
		       json_integer_value(json_object_get(t, "errors")) == 1 ? "" : "s");
	printf("\n");
}

static void print_results(json_t *res)
{
	json_t *t, *w;
	const char *k;
	size_t i;

	printf("target: %s", json_string_value(json_object_get(res, "target")));
	if (json_is_string(json_object_get(res, "target_model")))
		printf(" (model %s)", json_string_value(json_object_get(res, "target_model")));
	printf("\n");
	printf("attempts: %lld judged, %lld error%s, %lld planned%s\n",
	       (long long)json_integer_value(json_object_get(res, "attempts")),
	       (long long)json_integer_value(json_object_get(res, "errors")),
	       json_integer_value(json_object_get(res, "errors")) == 1 ? "" : "s",
	       (long long)json_integer_value(json_object_get(res, "planned")),
	       json_is_true(json_object_get(res, "complete")) ? "" : " (incomplete)");
	if (json_integer_value(json_object_get(res, "unjudged")))
		printf("unjudged: %lld attempts need a judge (--judge URL); counted as the detectors decided\n",
		       (long long)json_integer_value(json_object_get(res, "unjudged")));
	if (json_integer_value(json_object_get(res, "tokens_in")) || json_integer_value(json_object_get(res, "tokens_out")))
		printf("tokens: %lld in, %lld out, cost %.4f\n",
		       (long long)json_integer_value(json_object_get(res, "tokens_in")),
		       (long long)json_integer_value(json_object_get(res, "tokens_out")),
		       json_number_value(json_object_get(res, "cost")));
	printf("\n%-22s %8s %10s  %6s  %s\n", "category", "attempts", "successes", "rate", "95% interval");
	json_object_foreach(json_object_get(res, "categories"), k, t)
		print_rate_row(k, t);
	print_rate_row("overall", res);
	if (json_object_size(json_object_get(res, "owasp"))) {
		printf("\n%-22s %8s %10s  %6s  %s\n", "owasp", "attempts", "successes", "rate", "95% interval");
		json_object_foreach(json_object_get(res, "owasp"), k, t)
			print_rate_row(k, t);
	}
	if (json_array_size(json_object_get(res, "worst"))) {
		printf("\nworst probes:\n");
		json_array_foreach(json_object_get(res, "worst"), i, w) {
			const char *ev = json_string_value(json_object_get(w, "evidence"));

			printf("  %-40s %-20s %lld of %lld  %s%s%.60s\n", json_string_value(json_object_get(w, "key")),
			       json_string_value(json_object_get(w, "category")),
			       (long long)json_integer_value(json_object_get(w, "successes")),
			       (long long)json_integer_value(json_object_get(w, "attempts")),
			       json_string_value(json_object_get(w, "detector")) ? json_string_value(json_object_get(w, "detector")) : "",
			       ev ? ": " : "", ev ? ev : "");
		}
	}
	if (json_array_size(json_object_get(res, "error_list"))) {
		printf("\nerrors (not counted in the rates):\n");
		json_array_foreach(json_object_get(res, "error_list"), i, w)
			printf("  %s: %s\n", json_string_value(json_object_get(w, "key")),
			       json_string_value(json_object_get(w, "error")));
	}
}

static void print_filed(json_t *f, const char *model)
{
	static const char *const lists[][2] = {
		{ "opened", "finding %s opened" },
		{ "awaiting_verification", "finding %s fixed by this retest: now awaiting-verification" },
		{ "reopened", "finding %s still fails: back to in-remediation" },
		{ "still_failing", "finding %s still fails (kept)" },
	};
	json_t *ev = json_object_get(f, "evidence"), *x;
	size_t i;

	printf("\nevidence %s registered for %s (redteam-report): %s\n", json_string_value(json_object_get(ev, "id")),
	       model, json_string_value(json_object_get(ev, "path")));
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
		json_array_foreach(json_object_get(f, lists[l][0]), i, x) {
			printf(lists[l][1], json_string_value(x));
			printf("\n");
		}
}

/* ---- shared tail of run and report ----------------------------------------------------- */

/*
 * Results of `path`, printed or as JSON, the HTML page, the --model filing and the
 * --fail-on rules. `extra` (may be NULL) is added to the JSON as "run".
 */
static int finish(struct cli *c, const char *path, json_t *extra, const char *html, size_t worst,
		  const struct mrm_rt_fail_on *rules, size_t nrules, const struct filing *f)
{
	struct mrm_rt_runfile *rf = NULL;
	struct mrm_rt_results_options ro = { .worst = worst };
	struct mrm_ctx *ctx = NULL;
	json_t *res = NULL, *failed = NULL, *filed = NULL;
	struct mrm_error check = { 0 };
	int rc, crc;

	if ((rc = mrm_rt_runfile_read(path, MRM_RT_RUNFILE_LIGHT, &rf, &c->err)) || (rc = mrm_rt_results(rf, &ro, &res, &c->err)))
		goto out;
	if (rf->torn)
		fprintf(stderr, "mrm: warning: %s ends in a line cut short (an interrupted write): left out; --resume repairs it\n",
			path);
	if (html && (rc = mrm_rt_report_html_file(res, html, &c->err)))
		goto out;
	crc = mrm_rt_fail_on_check(res, rules, nrules, &failed, &check);
	if (f && f->model) {
		struct mrm_redteam_record_options o = { .model_id = f->model, .version = f->version,
							.run_path = path, .results = res,
							.threshold = f->threshold, .severity = f->severity };

		if ((rc = cli_open(c, false, &ctx)) || (rc = mrm_redteam_record(ctx, &o, &filed, &c->err)))
			goto out;
	}
	if (c->json) {
		json_t *doc = json_deep_copy(res);

		if (extra)
			json_object_set(doc, "run", extra);
		json_object_set(doc, "failed_rules", failed);
		if (filed)
			json_object_set(doc, "filed", filed);
		cli_print_json(doc);
	} else {
		size_t i;
		json_t *x;

		print_results(res);
		if (html)
			printf("\nreport: %s\n", html);
		if (filed)
			print_filed(filed, f->model);
		json_array_foreach(failed, i, x)
			printf("%sFAIL --fail-on %s: %s rate %.4g\n", i ? "" : "\n",
			       json_string_value(json_object_get(x, "rule")), json_string_value(json_object_get(x, "what")),
			       json_number_value(json_object_get(x, "rate")));
	}
	fflush(stdout);
	if (crc) {
		c->err = check;
		rc = crc;
	}
out:
	mrm_ctx_free(ctx);
	mrm_rt_runfile_free(rf);
	json_decref(res);
	json_decref(failed);
	json_decref(filed);
	return rc;
}

/* ---- run ------------------------------------------------------------------------------- */

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t stop_count;

static void on_signal(int sig)
{
	stop_signal = sig;
	stop_count++;
}

static void progress(void *arg, const struct mrm_rt_progress *p)
{
	(void)arg;
	fprintf(stderr, "\r%zu/%zu attempts, %zu successes, %zu errors, %zu in flight  ", p->done, p->total,
		p->successes, p->errors, p->in_flight);
}

static int red_run(struct cli *c, int argc, char **argv)
{
	struct cli_args a = { 0 };
	struct mrm_rt_target t = { 0 }, judge = { 0 };
	struct mrm_rt_run_options o = { 0 };
	struct mrm_rt_pack **packs = NULL;
	struct mrm_rt_fail_on *rules = NULL;
	struct filing f = { 0 };
	struct sigaction sa = { 0 }, old_int, old_term;
	struct mrm_ctx *ctx = NULL;
	const char **headers = NULL, **secrets = NULL, *s;
	char *system = NULL, *tpl = NULL;
	json_t *tools = NULL, *out = NULL;
	size_t npacks = 0, nrules = 0;
	unsigned long long v;
	double x;
	int rc;

	if ((rc = cli_parse(c, argc - 1, argv + 1, run_spec, &a)) || (rc = cli_need_pos(c, &a, 0, 0, "")))
		goto out;
	if (!(o.output = cli_opt(&a, "output"))) {
		rc = cli_usage_error(c, "missing -o RUN.jsonl (the run file)");
		goto out;
	}
	if ((rc = mrm_rt_target_parse(cli_opt(&a, "target"), &t, &c->err)))
		goto out;
	t.model = cli_opt(&a, "target_model");
	if ((s = cli_opt(&a, "api_key_env"))) {
		if (t.kind == MRM_RT_TARGET_CMD) {
			rc = cli_usage_error(c, "--api-key-env is for HTTP targets");
			goto out;
		}
		if (!getenv(s) || !*getenv(s)) {
			rc = cli_usage_error(c, "--api-key-env %s: the environment variable %s is not set", s, s);
			goto out;
		}
		t.api_key = getenv(s);
	}
	if ((s = cli_opt(&a, "system_prompt"))) {
		if ((rc = read_text(c, "--system-prompt", s, &system)))
			goto out;
		t.system_prompt = system;
	}
	if (cli_opt(&a, "temperature")) {
		if ((rc = parse_num(c, &a, "temperature", "temperature", 0, 2, &t.temperature)))
			goto out;
		t.has_temperature = true;
	}
	v = 0;
	if ((rc = parse_whole(c, &a, "max_tokens", "max-tokens", 1, 10000000, &v)))
		goto out;
	t.max_tokens = (long)v;
	headers = raw_list(&a, "header");
	t.headers = headers;
	if ((s = cli_opt(&a, "tools"))) {
		json_error_t je;

		if (!(tools = json_load_file(s, 0, &je))) {
			rc = mrm_error_set(&c->err, MRM_EINPUT, "--tools %s:%d:%d: %s", s, je.line, je.column, je.text);
			goto out;
		}
		t.tools = tools;
	}
	if ((s = cli_opt(&a, "request_template"))) {
		if ((rc = read_text(c, "--request-template", s, &tpl)))
			goto out;
		t.request_template = tpl;
		t.template_path = s;
	}
	t.reply_path = cli_opt(&a, "reply_path");
	t.tool_calls_path = cli_opt(&a, "tool_calls_path");
	if ((rc = mrm_rt_target_check(&t, &c->err)))
		goto out;
	if ((s = cli_opt(&a, "judge"))) {
		if (strncasecmp(s, "http://", 7) && strncasecmp(s, "https://", 8)) {
			rc = cli_usage_error(c, "--judge: give the http(s) URL of an OpenAI-compatible endpoint");
			goto out;
		}
		if ((rc = mrm_rt_target_parse(s, &judge, &c->err)))
			goto out;
		judge.model = cli_opt(&a, "judge_model");
		if ((s = cli_opt(&a, "judge_api_key_env"))) {
			if (!getenv(s) || !*getenv(s)) {
				rc = cli_usage_error(c, "--judge-api-key-env %s: the environment variable %s is not set", s, s);
				goto out;
			}
			judge.api_key = getenv(s);
		}
		if ((rc = mrm_rt_target_check(&judge, &c->err)))
			goto out;
		o.judge = &judge;
	} else if (cli_opt(&a, "judge_model") || cli_opt(&a, "judge_api_key_env")) {
		rc = cli_usage_error(c, "--judge-model and --judge-api-key-env need --judge URL");
		goto out;
	}
	secrets = raw_list(&a, "secret");
	for (size_t i = 0; secrets && secrets[i]; i++)
		if (!*secrets[i]) {
			rc = cli_usage_error(c, "--secret: an empty secret");
			goto out;
		}
	o.secrets = secrets;
	v = 1;
	if ((rc = parse_whole(c, &a, "repeat", "repeat", 1, 10000, &v)))
		goto out;
	o.repeat = (unsigned)v;
	v = 8;
	if ((rc = parse_whole(c, &a, "concurrency", "concurrency", 1, 1024, &v)))
		goto out;
	o.concurrency = (unsigned)v;
	if ((rc = parse_num(c, &a, "rate", "rate", 0, 1e6, &o.rate)))
		goto out;
	o.timeout = 60;
	if ((rc = parse_num(c, &a, "timeout", "timeout", 0.001, 86400, &o.timeout)))
		goto out;
	v = 4;
	if ((rc = parse_whole(c, &a, "retries", "retries", 0, 100, &v)))
		goto out;
	o.retries = (int)v;
	o.backoff = 0.5;
	if ((rc = parse_num(c, &a, "backoff", "backoff", 0.001, 3600, &o.backoff)))
		goto out;
	v = 1;
	if ((rc = parse_whole(c, &a, "seed", "seed", 0, (unsigned long long)INT64_MAX, &v)))
		goto out;
	o.seed = v;
	if ((rc = parse_num(c, &a, "price_in", "price-in", 0, 1e6, &o.price_in)) ||
	    (rc = parse_num(c, &a, "price_out", "price-out", 0, 1e6, &o.price_out)))
		goto out;
	v = 0;
	if ((rc = parse_whole(c, &a, "budget_tokens", "budget-tokens", 1, (unsigned long long)INT64_MAX, &v)))
		goto out;
	o.budget_tokens = v;
	x = 0;
	if ((rc = parse_num(c, &a, "budget_cost", "budget-cost", 1e-9, 1e12, &x)))
		goto out;
	o.budget_cost = x;
	if (o.budget_cost > 0 && !o.price_in && !o.price_out) {
		rc = cli_usage_error(c, "--budget-cost needs --price-in and --price-out (per 1000 tokens)");
		goto out;
	}
	v = 20;
	if ((rc = parse_whole(c, &a, "max_errors", "max-errors", 1, 1000000000, &v)))
		goto out;
	o.max_errors = (unsigned)v;
	v = 10;
	if ((rc = parse_whole(c, &a, "worst", "worst", 1, 1000, &v)))
		goto out;
	o.resume = json_is_true(json_object_get(a.opts, "resume"));
	if ((rc = parse_fail_on(c, &a, &rules, &nrules)) || (rc = parse_filing(c, &a, &f)))
		goto out;
	if (f.model) {
		/* The store, the model and the actor's rights first: a typo should not wait for the run. */
		if ((rc = cli_open(c, false, &ctx)) ||
		    (rc = mrm_redteam_check_model(ctx, f.model, f.version, &c->err)))
			goto out;
		mrm_ctx_free(ctx);
		ctx = NULL;
	}
	if ((rc = load_packs(c, &a, &packs, &npacks)))
		goto out;
	if (t.kind != MRM_RT_TARGET_OPENAI && !t.tool_calls_path) {
		size_t n = tool_call_probes(packs, npacks);

		if (n)
			fprintf(stderr, "mrm: warning: %zu probe%s judge%s tool calls, but this target's tool calls are not read%s: a forbidden call goes unnoticed (see 'mrm help redteam')\n",
				n, n == 1 ? "" : "s", n == 1 ? "s" : "",
				t.kind == MRM_RT_TARGET_HTTP_JSON || t.reply_path ? " (give --tool-calls-path)" : "");
	}
	o.target = &t;
	o.packs = packs;
	o.npacks = npacks;
	o.mrm_version = MRM_VERSION;
	o.now_iso = c->now;
	o.stop = &stop_count;
	if (isatty(2) && !json_is_true(json_object_get(a.opts, "quiet")))
		o.progress = progress;
	stop_count = 0;
	stop_signal = 0;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	rc = mrm_rt_run(&o, &out, &c->err);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (o.progress)
		fprintf(stderr, "\n");
	if (rc)
		goto out;
	s = json_string_value(json_object_get(out, "stopped"));
	if (s && !strcmp(s, "interrupted")) {
		rc = stop_signal == SIGTERM ? 143 : 130;
		mrm_error_set(&c->err, rc,
			      "interrupted: %lld of %lld attempts are in %s; continue with the same command and --resume",
			      (long long)json_integer_value(json_object_get(out, "done")),
			      (long long)json_integer_value(json_object_get(out, "total")), o.output);
		goto out;
	}
	if (s && !strcmp(s, "errors")) {
		rc = mrm_error_set(&c->err, MRM_EDELIVERY,
				   "stopped after %u consecutive errors (last: %s); the run file keeps every attempt: fix the target and --resume",
				   o.max_errors, json_string_value(json_object_get(out, "last_error")));
		goto out;
	}
	if (s && !strcmp(s, "budget"))
		fprintf(stderr, "mrm: warning: the budget is spent after %lld of %lld attempts; the results are partial (--resume with a larger budget continues)\n",
			(long long)json_integer_value(json_object_get(out, "done")),
			(long long)json_integer_value(json_object_get(out, "total")));
	else if (json_integer_value(json_object_get(out, "errors")))
		fprintf(stderr, "mrm: warning: %lld attempts ended in errors (not counted in the rates; --resume sends them again)\n",
			(long long)json_integer_value(json_object_get(out, "errors")));
	if (!s)
		rc = finish(c, o.output, out, cli_opt(&a, "html"), (size_t)v, rules, nrules, &f);
	else
		rc = finish(c, o.output, out, cli_opt(&a, "html"), (size_t)v, rules, nrules, NULL);
	if (s && f.model && rc == MRM_OK)
		fprintf(stderr, "mrm: warning: the run is incomplete: not filed on model %s\n", f.model);
out:
	mrm_ctx_free(ctx);
	free_packs(packs, npacks);
	free(rules);
	free(headers);
	free(secrets);
	free(system);
	free(tpl);
	json_decref(tools);
	json_decref(out);
	cli_args_release(&a);
	return rc;
}

/* ---- report, diff ------------------------------------------------------------------------ */

static int red_report(struct cli *c, int argc, char **argv)
{
	struct cli_args a = { 0 };
	struct mrm_rt_fail_on *rules = NULL;
	struct filing f = { 0 };
	unsigned long long worst = 10;
	size_t nrules = 0;
	int rc;

	if ((rc = cli_parse(c, argc - 1, argv + 1, report_spec, &a)) ||
	    (rc = cli_need_pos(c, &a, 1, 1, "RUN.jsonl")) ||
	    (rc = parse_whole(c, &a, "worst", "worst", 1, 1000, &worst)) ||
	    (rc = parse_fail_on(c, &a, &rules, &nrules)) || (rc = parse_filing(c, &a, &f)))
		goto out;
	if (f.model) {
		struct mrm_ctx *ctx = NULL;

		if ((rc = cli_open(c, false, &ctx)) || (rc = mrm_redteam_check_model(ctx, f.model, f.version, &c->err))) {
			mrm_ctx_free(ctx);
			goto out;
		}
		mrm_ctx_free(ctx);
	}
	rc = finish(c, a.pos[0], NULL, cli_opt(&a, "html"), (size_t)worst, rules, nrules, &f);
out:
	free(rules);
	cli_args_release(&a);
	return rc;
}

static void print_keys(const char *title, json_t *a)
{
	size_t i;
	json_t *k;

	printf("%s (%zu)%s\n", title, json_array_size(a), json_array_size(a) ? ":" : "");
	json_array_foreach(a, i, k)
		printf("  %s\n", json_string_value(k));
}

static int red_diff(struct cli *c, int argc, char **argv)
{
	struct cli_args a = { 0 };
	struct mrm_rt_runfile *b = NULL, *f = NULL;
	json_t *d = NULL, *x;
	const char *k;
	size_t i;
	int rc;

	if ((rc = cli_parse(c, argc - 1, argv + 1, diff_spec, &a)) ||
	    (rc = cli_need_pos(c, &a, 2, 2, "BEFORE.jsonl AFTER.jsonl")) ||
	    (rc = mrm_rt_runfile_read(a.pos[0], MRM_RT_RUNFILE_LIGHT, &b, &c->err)) || (rc = mrm_rt_runfile_read(a.pos[1], MRM_RT_RUNFILE_LIGHT, &f, &c->err)) ||
	    (rc = mrm_rt_diff(b, f, &d, &c->err)))
		goto out;
	if (c->json) {
		cli_print_json(json_incref(d));
	} else {
		json_array_foreach(json_object_get(d, "warnings"), i, x)
			fprintf(stderr, "mrm: warning: %s\n", json_string_value(x));
		print_keys("fixed", json_object_get(d, "fixed"));
		print_keys("still failing", json_object_get(d, "still_failing"));
		print_keys("newly failing", json_object_get(d, "newly_failing"));
		if (json_integer_value(json_object_get(d, "only_before")) || json_integer_value(json_object_get(d, "only_after")))
			printf("not compared: %lld probes only before, %lld only after\n",
			       (long long)json_integer_value(json_object_get(d, "only_before")),
			       (long long)json_integer_value(json_object_get(d, "only_after")));
		printf("\n%-22s %8s %8s %8s %9s  %s\n", "category", "before", "after", "change", "p-value", "significant");
		json_object_foreach(json_object_get(d, "categories"), k, x) {
			json_t *rb = json_object_get(json_object_get(x, "before"), "rate");
			json_t *ra = json_object_get(json_object_get(x, "after"), "rate");
			char sb[16] = "-", sa[16] = "-", sc[16] = "-", sp[16] = "-";

			if (json_is_number(rb))
				snprintf(sb, sizeof(sb), "%.3f", json_number_value(rb));
			if (json_is_number(ra))
				snprintf(sa, sizeof(sa), "%.3f", json_number_value(ra));
			if (json_is_number(json_object_get(x, "change")))
				snprintf(sc, sizeof(sc), "%+.3f", json_number_value(json_object_get(x, "change")));
			if (json_is_number(json_object_get(x, "p_value")))
				snprintf(sp, sizeof(sp), "%.4g", json_number_value(json_object_get(x, "p_value")));
			printf("%-22s %8s %8s %8s %9s  %s\n", k, sb, sa, sc, sp,
			       json_is_true(json_object_get(x, "significant")) ? "yes" : "no");
		}
	}
	fflush(stdout);
	if (json_array_size(json_object_get(d, "newly_failing")))
		rc = mrm_error_set(&c->err, MRM_ECHECK, "%zu probes fail now that did not fail before",
				   json_array_size(json_object_get(d, "newly_failing")));
out:
	json_decref(d);
	mrm_rt_runfile_free(b);
	mrm_rt_runfile_free(f);
	cli_args_release(&a);
	return rc;
}

/* ---- packs, probes ------------------------------------------------------------------------ */

static json_t *strs(char **l)
{
	json_t *a = json_array();

	for (size_t i = 0; l && l[i]; i++)
		json_array_append_new(a, json_string(l[i]));
	return a;
}

static int red_packs(struct cli *c, int argc, char **argv)
{
	struct cli_args a = { 0 };
	const char *const *names = mrm_rt_builtin_packs();
	json_t *list = json_array();
	int rc;

	if ((rc = cli_parse(c, argc - 1, argv + 1, diff_spec, &a)) || (rc = cli_need_pos(c, &a, 0, 0, "")))
		goto out;
	for (size_t i = 0; names && names[i]; i++) {
		struct mrm_rt_pack *p = NULL;

		if ((rc = mrm_rt_pack_load(names[i], &p, &c->err)))
			goto out;
		json_array_append_new(list, json_pack("{s:s,s:s?,s:I,s:s?}", "name", p->name, "version", p->version,
						      "probes", (json_int_t)p->nprobes, "sha256", p->sha256));
		mrm_rt_pack_free(p);
	}
	if (c->json) {
		cli_print_json(json_pack("{s:O}", "packs", list));
	} else {
		static const struct cli_col cols[] = { { "name", "PACK" }, { "version", "VERSION" },
						       { "probes", "PROBES" }, { "sha256", "SHA256" }, { NULL, NULL } };
		cli_print_table(list, cols);
	}
out:
	json_decref(list);
	cli_args_release(&a);
	return rc;
}

static int red_probes(struct cli *c, int argc, char **argv)
{
	struct cli_args a = { 0 };
	struct mrm_rt_pack **packs = NULL;
	json_t *list = json_array();
	size_t n = 0;
	int rc;

	if ((rc = cli_parse(c, argc - 1, argv + 1, probes_spec, &a)) || (rc = cli_need_pos(c, &a, 0, 0, "")) ||
	    (rc = load_packs(c, &a, &packs, &n)))
		goto out;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < packs[i]->nprobes; k++) {
			const struct mrm_rt_probe *p = &packs[i]->probes[k];
			json_t *turns = json_array();

			for (size_t t = 0; t < p->nturns; t++)
				json_array_append_new(turns, json_pack("{s:s,s:s}", "role", p->turns[t].role ? p->turns[t].role : "user",
								       "content", p->turns[t].content ? p->turns[t].content : ""));
			json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:s?,s:o,s:O?,s:O?,s:s?}", "pack",
							      packs[i]->name, "id", p->id, "category", p->category, "owasp",
							      strs(p->owasp), "atlas", strs(p->atlas), "nist", strs(p->nist),
							      "transform", p->transform, "turns", turns, "tools", p->tools,
							      "detectors", p->detectors, "expected", p->expected));
		}
	if (c->json) {
		cli_print_json(json_pack("{s:O}", "probes", list));
	} else {
		size_t i;
		json_t *x;

		json_array_foreach(list, i, x) {
			json_t *ow = json_object_get(x, "owasp");
			char *o = json_dumps(ow, JSON_COMPACT);

			printf("%s/%s  %s  %s%s%s\n", json_string_value(json_object_get(x, "pack")),
			       json_string_value(json_object_get(x, "id")), json_string_value(json_object_get(x, "category")),
			       o ? o : "", json_is_string(json_object_get(x, "transform")) ? "  " : "",
			       json_is_string(json_object_get(x, "transform")) ? json_string_value(json_object_get(x, "transform")) : "");
			free(o);
		}
	}
out:
	free_packs(packs, n);
	json_decref(list);
	cli_args_release(&a);
	return rc;
}

int cmd_redteam(struct cli *c, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(c, "missing subcommand (run, report, diff, packs, probes)");
	if (!strcmp(argv[1], "run"))
		return red_run(c, argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return red_report(c, argc - 1, argv + 1);
	if (!strcmp(argv[1], "diff"))
		return red_diff(c, argc - 1, argv + 1);
	if (!strcmp(argv[1], "packs"))
		return red_packs(c, argc - 1, argv + 1);
	if (!strcmp(argv[1], "probes"))
		return red_probes(c, argc - 1, argv + 1);
	return cli_usage_error(c, "unknown subcommand '%s' (run, report, diff, packs, probes)", argv[1]);
}
