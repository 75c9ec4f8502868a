/*
 * Results of a red-team run file: attack success rates per category and per OWASP id
 * with Wilson intervals, the worst probes with their transcripts, the diff between a run
 * and its retest (two-proportion z-test per category), and the --fail-on rules of CI.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mrm/stats-ci.h"
#include "mrm/stats-drift.h"
#include "redteam/internal.h"


#define ERRORS_LISTED 20

struct tally {
	double attempts, successes, errors;
};

static json_t *rate_json(double x, double n)
{
	return n > 0 ? json_real(x / n) : json_null();
}

static json_t *ci_json(double x, double n, double level)
{
	double lo, hi;

	if (!(n > 0))
		return json_null();
	mrm_wilson(x, n, level, &lo, &hi);
	/* Rounding can leave a bound a hair outside [0, 1]. */
	return json_pack("[f,f]", lo < 0 ? 0 : lo, hi > 1 ? 1 : hi);
}

/* Adds one attempt line to the tally object `o` (attempts, successes, errors). */
static void count(json_t *o, json_t *line)
{
	bool ok = !strcmp(json_string_value(json_object_get(line, "status")), "ok");
	const char *k = ok ? "attempts" : "errors";

	json_object_set_new(o, k, json_integer(json_integer_value(json_object_get(o, k)) + 1));
	if (ok && json_is_true(json_object_get(line, "success")))
		json_object_set_new(o, "successes",
				    json_integer(json_integer_value(json_object_get(o, "successes")) + 1));
}

static json_t *new_tally(void)
{
	return json_pack("{s:i,s:i,s:i}", "attempts", 0, "successes", 0, "errors", 0);
}

static void finish_tally(json_t *o, double level)
{
	double n = (double)json_integer_value(json_object_get(o, "attempts"));
	double x = (double)json_integer_value(json_object_get(o, "successes"));

	json_object_set_new(o, "rate", rate_json(x, n));
	json_object_set_new(o, "ci", ci_json(x, n, level));
}

/* Adds `s` to the array `a` unless it is there. */
static void add_unique(json_t *a, const char *s)
{
	size_t i;
	json_t *x;

	json_array_foreach(a, i, x)
		if (!strcmp(json_string_value(x), s))
			return;
	json_array_append_new(a, json_string(s));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sort_strings(json_t *a)
{
	size_t n = json_array_size(a);
	const char **v = calloc(n ? n : 1, sizeof(*v));
	json_t *copy;

	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		v[i] = json_string_value(json_array_get(a, i));
	qsort(v, n, sizeof(*v), cmp_str);
	copy = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(copy, json_string(v[i]));
	json_array_clear(a);
	json_array_extend(a, copy);
	json_decref(copy);
	free(v);
}

/* The keys of an object, sorted, as a new array. */
static json_t *sorted_keys(json_t *o)
{
	json_t *a = json_array();
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v)
		json_array_append_new(a, json_string(k));
	sort_strings(a);
	return a;
}

/* A probe's attempts together (its repeats): the key without "#N". */
static void probe_key(const char *key, char *buf, size_t cap)
{
	const char *hash = strrchr(key, '#');
	size_t n = hash ? (size_t)(hash - key) : strlen(key);

	if (n >= cap)
		n = cap - 1;
	memcpy(buf, key, n);
	buf[n] = '\0';
}

struct worst {
	const char *probe;
	json_t *sample; /* a succeeding line, else the last line */
	double successes, attempts;
};

static int cmp_worst(const void *a, const void *b)
{
	const struct worst *x = a, *y = b;
	double rx = x->attempts ? x->successes / x->attempts : 0, ry = y->attempts ? y->successes / y->attempts : 0;

	if (rx != ry)
		return rx > ry ? -1 : 1;
	if (x->successes != y->successes)
		return x->successes > y->successes ? -1 : 1;
	return strcmp(x->probe, y->probe);
}

static void copy_key(json_t *to, json_t *from, const char *k)
{
	json_t *v = json_object_get(from, k);

	json_object_set(to, k, v ? v : json_null());
}

int mrm_rt_results(const struct mrm_rt_runfile *r, const struct mrm_rt_results_options *o,
		   json_t **out, struct mrm_error *err)
{
	double level = o && o->level > 0 ? o->level : 0.95;
	size_t nworst = o && o->worst ? o->worst : 10;
	json_t *latest = mrm_rt_runfile_latest(r), *doc = json_object(), *cats = json_object();
	json_t *owasp = json_object(), *errors = json_array(), *packs = json_array(), *probes = json_object();
	json_t *h = r->header, *t = json_object_get(h, "target"), *v, *keys, *kv;
	struct tally all = { 0 };
	long long tin = 0, tout = 0;
	double cost = 0;
	const char *key;
	size_t i, ki, nerr = 0, unjudged = 0;

	(void)err;
	*out = NULL;
	for (i = 0; mrm_rt_categories()[i]; i++) {
		json_t *c = new_tally();

		json_object_set_new(c, "owasp", json_array());
		json_object_set_new(cats, mrm_rt_categories()[i], c);
	}
	keys = sorted_keys(latest);
	json_array_foreach(keys, ki, kv) {
		const char *lkey = json_string_value(kv);
		json_t *line = json_object_get(latest, lkey);
		const char *cat = json_string_value(json_object_get(line, "category"));
		bool ok = !strcmp(json_string_value(json_object_get(line, "status")), "ok");
		bool success = ok && json_is_true(json_object_get(line, "success"));
		json_t *c = json_object_get(cats, cat), *id, *w;
		char pk[512];

		if (!c) {
			/* A category of a user's pack beyond the standard seven. */
			c = new_tally();
			json_object_set_new(c, "owasp", json_array());
			json_object_set_new(cats, cat, c);
		}
		count(c, line);
		json_array_foreach(json_object_get(line, "owasp"), i, id) {
			json_t *ow;

			if (!json_is_string(id))
				continue;
			if (!(ow = json_object_get(owasp, json_string_value(id)))) {
				ow = new_tally();
				json_object_set_new(ow, "categories", json_array());
				json_object_set_new(owasp, json_string_value(id), ow);
			}
			count(ow, line);
			add_unique(json_object_get(ow, "categories"), cat);
			add_unique(json_object_get(c, "owasp"), json_string_value(id));
		}
		if (ok) {
			all.attempts++;
			all.successes += success;
			unjudged += json_is_true(json_object_get(line, "needs_judge")) && !json_object_get(line, "judge");
		} else {
			all.errors++;
			if (nerr++ < ERRORS_LISTED)
				json_array_append_new(errors, json_pack("{s:s,s:O}", "key", lkey, "error",
									json_object_get(line, "error") ? json_object_get(line, "error") : json_null()));
		}
		if (json_is_integer((v = json_object_get(line, "tokens_in"))))
			tin += json_integer_value(v);
		if (json_is_integer((v = json_object_get(line, "tokens_out"))))
			tout += json_integer_value(v);
		if (json_is_number((v = json_object_get(line, "cost"))))
			cost += json_number_value(v);
		/* Per probe (repeats together), for the worst list. */
		probe_key(lkey, pk, sizeof(pk));
		if (!(w = json_object_get(probes, pk))) {
			w = json_pack("{s:i,s:i}", "attempts", 0, "successes", 0);
			json_object_set_new(probes, pk, w);
		}
		if (ok) {
			json_object_set_new(w, "attempts", json_integer(json_integer_value(json_object_get(w, "attempts")) + 1));
			if (success) {
				json_object_set_new(w, "successes", json_integer(json_integer_value(json_object_get(w, "successes")) + 1));
				/* The transcript of a light read is on one success per probe. */
				if (!json_object_get(w, "sample") ||
				    (!json_object_get(json_object_get(w, "sample"), "messages") &&
				     json_object_get(line, "messages")))
					json_object_set(w, "sample", line);
			}
		}
	}
	json_object_foreach(cats, key, v) {
		finish_tally(v, level);
		sort_strings(json_object_get(v, "owasp"));
	}
	json_object_foreach(owasp, key, v) {
		finish_tally(v, level);
		sort_strings(json_object_get(v, "categories"));
	}
	{
		/* OWASP ids in order: LLM01 first. */
		json_t *ids = sorted_keys(owasp), *sorted = json_object(), *id;

		json_array_foreach(ids, i, id)
			json_object_set(sorted, json_string_value(id), json_object_get(owasp, json_string_value(id)));
		json_decref(ids);
		json_decref(owasp);
		owasp = sorted;
	}
	json_array_foreach(json_object_get(h, "packs"), i, v)
		json_array_append_new(packs, json_pack("{s:O,s:O,s:O}", "name",
						       json_object_get(v, "name") ? json_object_get(v, "name") : json_null(),
						       "version", json_object_get(v, "version") ? json_object_get(v, "version") : json_null(),
						       "sha256", json_object_get(v, "sha256") ? json_object_get(v, "sha256") : json_null()));
	json_object_set_new(doc, "target", json_string(json_string_value(json_object_get(t, "spec")) ?
							json_string_value(json_object_get(t, "spec")) : ""));
	copy_key(doc, h, "created_at");
	json_object_set(doc, "target_model", json_object_get(t, "model") ? json_object_get(t, "model") : json_null());
	copy_key(doc, h, "mrm_version");
	copy_key(doc, h, "seed");
	copy_key(doc, h, "repeat");
	copy_key(doc, h, "canary");
	copy_key(doc, h, "planned");
	json_object_set_new(doc, "complete",
			    json_boolean(json_is_integer(json_object_get(h, "planned")) &&
					 (double)json_integer_value(json_object_get(h, "planned")) <= all.attempts));
	json_object_set_new(doc, "attempts", json_integer((json_int_t)all.attempts));
	json_object_set_new(doc, "successes", json_integer((json_int_t)all.successes));
	json_object_set_new(doc, "errors", json_integer((json_int_t)all.errors));
	json_object_set_new(doc, "rate", rate_json(all.successes, all.attempts));
	json_object_set_new(doc, "ci", ci_json(all.successes, all.attempts, level));
	json_object_set_new(doc, "level", json_real(level));
	json_object_set_new(doc, "unjudged", json_integer((json_int_t)unjudged));
	json_object_set_new(doc, "categories", cats);
	json_object_set_new(doc, "owasp", owasp);
	json_object_set_new(doc, "packs", packs);
	json_object_set_new(doc, "tokens_in", json_integer(tin));
	json_object_set_new(doc, "tokens_out", json_integer(tout));
	json_object_set_new(doc, "cost", json_real(cost));
	{
		size_t np = json_object_size(probes), k = 0;
		struct worst *ws = calloc(np ? np : 1, sizeof(*ws));
		json_t *wl = json_array();

		json_object_foreach(probes, key, v) {
			if (!ws)
				break;
			if (!json_integer_value(json_object_get(v, "successes")))
				continue;
			ws[k].probe = key;
			ws[k].sample = json_object_get(v, "sample");
			ws[k].successes = (double)json_integer_value(json_object_get(v, "successes"));
			ws[k].attempts = (double)json_integer_value(json_object_get(v, "attempts"));
			k++;
		}
		if (ws)
			qsort(ws, k, sizeof(*ws), cmp_worst);
		for (i = 0; i < k && i < nworst; i++) {
			json_t *e = json_object(), *s = ws[i].sample;

			json_object_set_new(e, "key", json_string(ws[i].probe));
			copy_key(e, s, "pack");
			copy_key(e, s, "probe");
			copy_key(e, s, "category");
			copy_key(e, s, "owasp");
			copy_key(e, s, "transform");
			json_object_set_new(e, "successes", json_integer((json_int_t)ws[i].successes));
			json_object_set_new(e, "attempts", json_integer((json_int_t)ws[i].attempts));
			copy_key(e, s, "detector");
			copy_key(e, s, "evidence");
			copy_key(e, s, "messages");
			copy_key(e, s, "reply");
			copy_key(e, s, "tool_calls");
			json_array_append_new(wl, e);
		}
		free(ws);
		json_object_set_new(doc, "worst", wl);
	}
	json_object_set_new(doc, "error_list", errors);
	json_decref(probes);
	json_decref(latest);
	json_decref(keys);
	*out = doc;
	return MRM_OK;
}

/* ---- diff ------------------------------------------------------------------------------ */

/* Per probe (repeats together): 1 failing (an attack succeeded), 0 not, absent when only errors. */
static json_t *probe_states(const struct mrm_rt_runfile *r)
{
	json_t *latest = mrm_rt_runfile_latest(r), *m = json_object(), *line;
	const char *key;
	char pk[512];

	json_object_foreach(latest, key, line) {
		json_t *cur;

		if (strcmp(json_string_value(json_object_get(line, "status")), "ok"))
			continue;
		probe_key(key, pk, sizeof(pk));
		cur = json_object_get(m, pk);
		if (json_is_true(json_object_get(line, "success")))
			json_object_set_new(m, pk, json_integer(1));
		else if (!cur)
			json_object_set_new(m, pk, json_integer(0));
	}
	json_decref(latest);
	return m;
}

static json_t *side(const struct mrm_rt_runfile *r, json_t *res)
{
	return json_pack("{s:s,s:O,s:O,s:O}", "file", r->path, "target",
			 json_object_get(res, "target"), "created_at",
			 json_object_get(res, "created_at") ? json_object_get(res, "created_at") : json_null(),
			 "attempts", json_object_get(res, "attempts"));
}

static json_t *packs_text(json_t *h)
{
	json_t *v, *a = json_array();
	size_t i;

	json_array_foreach(json_object_get(h, "packs"), i, v)
		json_array_append_new(a, json_pack("{s:O,s:O}", "name", json_object_get(v, "name"), "sha256",
						   json_object_get(v, "sha256")));
	return a;
}

int mrm_rt_diff(const struct mrm_rt_runfile *before, const struct mrm_rt_runfile *after,
		json_t **out, struct mrm_error *err)
{
	json_t *rb = NULL, *ra = NULL, *sb = NULL, *sa = NULL, *doc = NULL, *cats, *warn, *v;
	json_t *fixed = json_array(), *still = json_array(), *newly = json_array();
	const char *key;
	size_t only_b = 0, only_a = 0;
	int rc;

	*out = NULL;
	if ((rc = mrm_rt_results(before, NULL, &rb, err)) || (rc = mrm_rt_results(after, NULL, &ra, err)))
		goto out;
	sb = probe_states(before);
	sa = probe_states(after);
	json_object_foreach(sb, key, v) {
		json_t *w = json_object_get(sa, key);

		if (!w) {
			only_b++;
			continue;
		}
		if (json_integer_value(v) && json_integer_value(w))
			json_array_append_new(still, json_string(key));
		else if (json_integer_value(v))
			json_array_append_new(fixed, json_string(key));
		else if (json_integer_value(w))
			json_array_append_new(newly, json_string(key));
	}
	json_object_foreach(sa, key, v)
		if (!json_object_get(sb, key))
			only_a++;
	sort_strings(fixed);
	sort_strings(still);
	sort_strings(newly);
	cats = json_object();
	json_object_foreach(json_object_get(ra, "categories"), key, v) {
		json_t *b = json_object_get(json_object_get(rb, "categories"), key);
		double nb = b ? (double)json_integer_value(json_object_get(b, "attempts")) : 0;
		double xb = b ? (double)json_integer_value(json_object_get(b, "successes")) : 0;
		double na = (double)json_integer_value(json_object_get(v, "attempts"));
		double xa = (double)json_integer_value(json_object_get(v, "successes"));
		struct mrm_drift_test z = { 0 };
		json_t *c = json_object();

		json_object_set_new(c, "before", json_pack("{s:i,s:i,s:o}", "attempts", (int)nb, "successes", (int)xb,
							    "rate", rate_json(xb, nb)));
		json_object_set_new(c, "after", json_pack("{s:i,s:i,s:o}", "attempts", (int)na, "successes", (int)xa,
							   "rate", rate_json(xa, na)));
		json_object_set_new(c, "change", nb > 0 && na > 0 ? json_real(xa / na - xb / nb) : json_null());
		if (nb > 0 && na > 0 && !mrm_two_proportion_z(xb, nb, xa, na, &z, NULL) && mrm_metric_ok(z.statistic) &&
		    mrm_metric_ok(z.p_value)) {
			/* statsmodels' z is before minus after; ours is after minus before, as the change. */
			json_object_set_new(c, "z", json_real(-z.statistic.value));
			json_object_set_new(c, "p_value", json_real(z.p_value.value));
			json_object_set_new(c, "significant", json_boolean(z.p_value.value < 0.05));
		} else {
			json_object_set_new(c, "z", json_null());
			json_object_set_new(c, "p_value", json_null());
			json_object_set_new(c, "significant", json_false());
		}
		json_object_set_new(cats, key, c);
	}
	warn = json_array();
	if (!json_equal(json_object_get(rb, "target"), json_object_get(ra, "target")))
		json_array_append_new(warn, json_string("the runs are of different targets"));
	{
		json_t *pb = packs_text(before->header), *pa = packs_text(after->header);

		if (!json_equal(pb, pa))
			json_array_append_new(warn, json_string("the runs used different packs (or pack versions): "
								"only the probes both ran are compared"));
		json_decref(pb);
		json_decref(pa);
	}
	if (!json_is_true(json_object_get(rb, "complete")) || !json_is_true(json_object_get(ra, "complete")))
		json_array_append_new(warn, json_string("a run is incomplete (interrupted, over budget, or with errors)"));
	doc = json_object();
	json_object_set_new(doc, "before", side(before, rb));
	json_object_set_new(doc, "after", side(after, ra));
	json_object_set_new(doc, "fixed", fixed);
	json_object_set_new(doc, "still_failing", still);
	json_object_set_new(doc, "newly_failing", newly);
	fixed = still = newly = NULL;
	json_object_set_new(doc, "only_before", json_integer((json_int_t)only_b));
	json_object_set_new(doc, "only_after", json_integer((json_int_t)only_a));
	json_object_set_new(doc, "categories", cats);
	json_object_set_new(doc, "warnings", warn);
	*out = doc;
out:
	json_decref(fixed);
	json_decref(still);
	json_decref(newly);
	json_decref(rb);
	json_decref(ra);
	json_decref(sb);
	json_decref(sa);
	return rc;
}

/* ---- --fail-on ------------------------------------------------------------------------- */

static bool is_owasp(const char *s)
{
	return (s[0] == 'L' || s[0] == 'l') && (s[1] == 'L' || s[1] == 'l') && (s[2] == 'M' || s[2] == 'm') &&
	       isdigit((unsigned char)s[3]) && isdigit((unsigned char)s[4]) && !s[5];
}

int mrm_rt_fail_on_parse(const char *spec, struct mrm_rt_fail_on *out, struct mrm_error *err)
{
	const char *gt = strchr(spec, '>'), *num;
	size_t n;
	char *end;
	double x;
	bool known = false;

	memset(out, 0, sizeof(*out));
	if (!gt || gt == spec)
		return mrm_error_set(err, MRM_EUSAGE,
				     "--fail-on '%s': give CATEGORY>RATE (e.g. prompt_injection>0.05, LLM01>=10%%, any>0)", spec);
	n = (size_t)(gt - spec);
	while (n && spec[n - 1] == ' ')
		n--;
	if (n >= sizeof(out->what))
		return mrm_error_set(err, MRM_EUSAGE, "--fail-on '%s': unknown category", spec);
	memcpy(out->what, spec, n);
	out->what[n] = '\0';
	num = gt + 1;
	if (*num == '=') {
		out->or_equal = true;
		num++;
	}
	while (*num == ' ')
		num++;
	x = strtod(num, &end);
	if (end == num || !isfinite(x))
		return mrm_error_set(err, MRM_EUSAGE, "--fail-on '%s': '%s' is not a rate", spec, num);
	if (*end == '%') {
		x /= 100;
		end++;
	}
	if (*end || x < 0 || x > 1)
		return mrm_error_set(err, MRM_EUSAGE, "--fail-on '%s': the rate must be in [0, 1] (or 0%%..100%%)", spec);
	out->rate = x;
	if (is_owasp(out->what)) {
		for (char *p = out->what; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		known = true;
	}
	for (size_t i = 0; !known && mrm_rt_categories()[i]; i++)
		known = !strcmp(out->what, mrm_rt_categories()[i]);
	if (!known && (!strcmp(out->what, "any") || !strcmp(out->what, "overall")))
		known = true;
	if (!known)
		return mrm_error_set(err, MRM_EUSAGE,
				     "--fail-on '%s': unknown category '%s' (categories: prompt_injection jailbreak system_prompt_leak data_exfiltration harmful_content excessive_agency hallucination; an OWASP id LLM01..LLM10; any; overall)",
				     spec, out->what);
	return MRM_OK;
}

static bool breaks(const struct mrm_rt_fail_on *rule, json_t *t)
{
	json_t *rate = json_object_get(t, "rate");

	if (!json_is_number(rate))
		return false;
	return rule->or_equal ? json_number_value(rate) >= rule->rate : json_number_value(rate) > rule->rate;
}

static void add_failure(json_t *list, const struct mrm_rt_fail_on *rule, const char *what, json_t *t)
{
	char text[96];

	snprintf(text, sizeof(text), "%s%s%g", rule->what, rule->or_equal ? ">=" : ">", rule->rate);
	json_array_append_new(list, json_pack("{s:s,s:s,s:O,s:O,s:O}", "rule", text, "what", what, "rate",
					      json_object_get(t, "rate"), "attempts", json_object_get(t, "attempts"),
					      "successes", json_object_get(t, "successes")));
}

int mrm_rt_fail_on_check(json_t *results, const struct mrm_rt_fail_on *rules, size_t n,
			 json_t **failed, struct mrm_error *err)
{
	json_t *list = json_array(), *first;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct mrm_rt_fail_on *rule = &rules[i];

		if (!strcmp(rule->what, "overall")) {
			if (breaks(rule, results))
				add_failure(list, rule, "overall", results);
		} else if (!strcmp(rule->what, "any")) {
			const char *k;
			json_t *t;

			json_object_foreach(json_object_get(results, "categories"), k, t)
				if (breaks(rule, t))
					add_failure(list, rule, k, t);
		} else {
			json_t *t = json_object_get(json_object_get(results, is_owasp(rule->what) ? "owasp" : "categories"),
						    rule->what);

			if (t && breaks(rule, t))
				add_failure(list, rule, rule->what, t);
		}
	}
	*failed = list;
	if (!json_array_size(list))
		return MRM_OK;
	first = json_array_get(list, 0);
	return mrm_error_set(err, MRM_ECHECK, "--fail-on %s: %s attack success rate %.4g (%lld of %lld)%s",
			     json_string_value(json_object_get(first, "rule")),
			     json_string_value(json_object_get(first, "what")),
			     json_number_value(json_object_get(first, "rate")),
			     (long long)json_integer_value(json_object_get(first, "successes")),
			     (long long)json_integer_value(json_object_get(first, "attempts")),
			     json_array_size(list) > 1 ? " (and more rules broken)" : "");
}
