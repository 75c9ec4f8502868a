/* Probe packs: reading a pack's YAML (built in or a file), checking every field with its position, expanding transforms. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "mrm/hash.h"
#include "policy/internal.h"
#include "redteam/probe-internal.h"

#define MAX_PACK_BYTES (16 << 20)
#define MAX_PROBES 200000
#define MAX_TURNS 64
#define MAX_JSON_DEPTH 64

static const char *const categories[] = {
	"prompt_injection", "jailbreak", "system_prompt_leak", "data_exfiltration",
	"harmful_content", "excessive_agency", "hallucination", NULL,
};

static const char *const nist_risks[] = {
	"CBRN Information or Capabilities",
	"Confabulation",
	"Dangerous, Violent, or Hateful Content",
	"Data Privacy",
	"Environmental Impacts",
	"Harmful Bias and Homogenization",
	"Human-AI Configuration",
	"Information Integrity",
	"Information Security",
	"Intellectual Property",
	"Obscene, Degrading, and/or Abusive Content",
	"Value Chain and Component Integration",
	NULL,
};

static const char *const roles[] = { "system", "user", "assistant", "tool", NULL };

const char *const *mrm_rt_categories(void)
{
	return categories;
}

const char *const *mrm_rt_nist_risks(void)
{
	return nist_risks;
}

/* ---- built-in packs ----------------------------------------------------------------- */

static const char *const *builtin_names(void)
{
	static const char *names[64];
	static bool done;

	/* The table is constant; filling the name list twice gives the same result. */
	if (!done) {
		size_t i = 0;
		for (; mrm__rt_builtins[i].name && i + 1 < sizeof(names) / sizeof(names[0]); i++)
			names[i] = mrm__rt_builtins[i].name;
		names[i] = NULL;
		done = true;
	}
	return names;
}

const char *const *mrm_rt_builtin_packs(void)
{
	return builtin_names();
}

const char *mrm_rt_builtin_text(const char *name, size_t *len)
{
	for (size_t i = 0; name && mrm__rt_builtins[i].name; i++)
		if (!strcmp(mrm__rt_builtins[i].name, name)) {
			if (len)
				*len = mrm__rt_builtins[i].len;
			return mrm__rt_builtins[i].text;
		}
	return NULL;
}

/* ---- the reader ----------------------------------------------------------------------- */

/* A base probe before expansion. */
struct base {
	struct mrm_rt_probe p;
	const char *const *transforms;
	size_t ntransforms;
	const char *translations[16]; /* by index in mrm_rt_languages() */
};

struct reader {
	struct mrm__ydoc d;
	struct mrm__arena *arena;
	struct mrm_rt_pack *pack;
	yaml_node_t *defaults;
	struct base *bases;
	size_t nbases;
};

static int oom(struct reader *r)
{
	return mrm_error_set(r->d.err, MRM_ESTORE, "out of memory reading %s", r->d.name);
}

/* The probe's value for `key`, else the pack's default, else NULL. */
static yaml_node_t *field(struct reader *r, yaml_node_t *probe, const char *key)
{
	yaml_node_t *v = mrm__yget(&r->d, probe, key);
	return v ? v : mrm__yget(&r->d, r->defaults, key);
}

static char *dup(struct reader *r, const char *s)
{
	return mrm__arena_strdup(r->arena, s);
}

static bool id_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || !strchr("._-", c)))
			return false;
	}
	return true;
}

/* ---- YAML to JSON ------------------------------------------------------------------ */

static bool plain_is(const yaml_node_t *n, const char *const *words)
{
	const char *s = mrm__ytext(n);
	for (; *words; words++)
		if (!strcmp(s, *words))
			return true;
	return false;
}

static json_t *scalar_json(const yaml_node_t *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const trues[] = { "true", "True", "TRUE", NULL };
	static const char *const falses[] = { "false", "False", "FALSE", NULL };
	const char *s = mrm__ytext(n);
	char *end;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_stringn(s, n->data.scalar.length);
	if (plain_is(n, nulls))
		return json_null();
	if (plain_is(n, trues))
		return json_true();
	if (plain_is(n, falses))
		return json_false();
	if (*s && strchr("-+0123456789", *s)) {
		long long v;
		double x;
		errno = 0;
		v = strtoll(s, &end, 10);
		if (!*end && !errno && end != s)
			return json_integer(v);
		errno = 0;
		x = strtod(s, &end);
		if (!*end && !errno && end != s && strspn(s, "+-0123456789.eE") == strlen(s))
			return json_real(x);
	}
	return json_stringn(s, n->data.scalar.length);
}

static int to_json(struct reader *r, yaml_node_t *n, const char *fieldname, int depth, json_t **out)
{
	json_t *j;
	int rc;

	*out = NULL;
	if (depth > MAX_JSON_DEPTH)
		return mrm__yerr(&r->d, n, fieldname, "nested deeper than %d levels", MAX_JSON_DEPTH);
	if (n->type == YAML_SCALAR_NODE) {
		if (!(*out = scalar_json(n)))
			return oom(r);
		return MRM_OK;
	}
	if (n->type == YAML_SEQUENCE_NODE) {
		size_t len;
		if ((rc = mrm__yseq(&r->d, n, fieldname, &len)))
			return rc;
		if (!(j = json_array()))
			return oom(r);
		for (size_t i = 0; i < len; i++) {
			json_t *v;
			if ((rc = to_json(r, mrm__yitem(&r->d, n, i), fieldname, depth + 1, &v))) {
				json_decref(j);
				return rc;
			}
			json_array_append_new(j, v);
		}
		*out = j;
		return MRM_OK;
	}
	if ((rc = mrm__ymap(&r->d, n, fieldname, NULL)))
		return rc;
	if (!(j = json_object()))
		return oom(r);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&r->d.doc, p->key);
		json_t *v;
		if ((rc = to_json(r, yaml_document_get_node(&r->d.doc, p->value), fieldname, depth + 1, &v))) {
			json_decref(j);
			return rc;
		}
		json_object_set_new(j, mrm__ytext(k), v);
	}
	*out = j;
	return MRM_OK;
}

/* ---- small fields ------------------------------------------------------------------- */

static int text_field(struct reader *r, yaml_node_t *n, const char *name, char **out)
{
	const char *s;
	int rc;

	if ((rc = mrm__ystr(&r->d, n, name, &s)))
		return rc;
	if (!(*out = dup(r, s)))
		return oom(r);
	return MRM_OK;
}

/* A NULL-terminated copy of a list of texts, each checked by `ok`. */
static int tag_list(struct reader *r, yaml_node_t *n, const char *name, const char *what,
		    bool (*ok)(const char *), const char *expect, bool empty_ok, char ***out)
{
	const char *const *list;
	size_t count;
	char **copy;
	int rc;

	if ((rc = mrm__ystrlist(&r->d, n, name, what, NULL, empty_ok, r->arena, &list, &count)))
		return rc;
	if (!(copy = mrm__arena_alloc(r->arena, (count + 1) * sizeof(*copy))))
		return oom(r);
	for (size_t i = 0; i < count; i++) {
		if (ok && !ok(list[i]))
			return mrm__yerr(&r->d, mrm__yitem(&r->d, n, i), name, "'%.64s' is not %s %s (expected %s)",
					 list[i], strchr("aeiouAEIOU", what[0]) ? "an" : "a", what, expect);
		copy[i] = (char *)list[i];
	}
	copy[count] = NULL;
	*out = copy;
	return MRM_OK;
}

static bool owasp_ok(const char *s)
{
	static const char *const ids[] = { "LLM01", "LLM02", "LLM03", "LLM04", "LLM05",
					   "LLM06", "LLM07", "LLM08", "LLM09", "LLM10", NULL };
	return mrm__in(ids, s);
}

/* AML.T0000 or AML.T0000.000 */
static bool atlas_ok(const char *s)
{
	size_t n = strlen(s);

	if (strncmp(s, "AML.T", 5) || (n != 9 && n != 13))
		return false;
	for (size_t i = 5; i < n; i++)
		if (i == 9 ? s[i] != '.' : (s[i] < '0' || s[i] > '9'))
			return false;
	return true;
}

static bool nist_ok(const char *s)
{
	return mrm__in(nist_risks, s);
}

/* ---- tools ------------------------------------------------------------------------ */

static const char *const tool_keys[] = { "name", "description", "parameters", NULL };

static int read_tools(struct reader *r, yaml_node_t *n, json_t **out)
{
	size_t len;
	json_t *tools;
	int rc;

	*out = NULL;
	if ((rc = mrm__yseq(&r->d, n, "tools", &len)))
		return rc;
	if (!len)
		return MRM_OK;
	if (!(tools = json_array()))
		return oom(r);
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *t = mrm__yitem(&r->d, n, i), *v;
		const char *name, *desc = NULL;
		json_t *params = NULL, *fn;

		if ((rc = mrm__ymap(&r->d, t, "tools", tool_keys)))
			goto fail;
		if (!(v = mrm__yget(&r->d, t, "name"))) {
			rc = mrm__yerr(&r->d, t, "tools", "a tool needs a name");
			goto fail;
		}
		if ((rc = mrm__ystr(&r->d, v, "tools.name", &name)))
			goto fail;
		if (!id_ok(name)) {
			rc = mrm__yerr(&r->d, v, "tools.name", "'%.64s' is not a tool name (letters, digits, . _ -)", name);
			goto fail;
		}
		for (size_t j = 0; j < i; j++) {
			json_t *prev = json_object_get(json_object_get(json_array_get(tools, j), "function"), "name");
			if (!strcmp(json_string_value(prev), name)) {
				rc = mrm__yerr(&r->d, v, "tools.name", "tool '%.64s' offered twice", name);
				goto fail;
			}
		}
		if ((v = mrm__yget(&r->d, t, "description")) && (rc = mrm__ystr(&r->d, v, "tools.description", &desc)))
			goto fail;
		if ((v = mrm__yget(&r->d, t, "parameters"))) {
			if ((rc = mrm__ymap(&r->d, v, "tools.parameters", NULL)) ||
			    (rc = to_json(r, v, "tools.parameters", 0, &params)))
				goto fail;
		} else if (!(params = json_pack("{s:s,s:{}}", "type", "object", "properties"))) {
			rc = oom(r);
			goto fail;
		}
		fn = json_pack("{s:s,s:o}", "name", name, "parameters", params);
		if (fn && desc)
			json_object_set_new(fn, "description", json_string(desc));
		if (!fn || json_array_append_new(tools, json_pack("{s:s,s:o}", "type", "function", "function", fn))) {
			rc = oom(r);
			goto fail;
		}
	}
	*out = tools;
	return MRM_OK;
fail:
	json_decref(tools);
	return rc;
}

/* The names of a probe's tools (for the tool_call detector's check). */
static bool offers(json_t *tools, const char *name)
{
	size_t i;
	json_t *t;

	json_array_foreach(tools, i, t)
	{
		if (!strcmp(json_string_value(json_object_get(json_object_get(t, "function"), "name")), name))
			return true;
	}
	return false;
}

/* ---- turns ------------------------------------------------------------------------- */

static const char *const turn_keys[] = { "role", "content", "tool_calls", "tool_call_id", NULL };
static const char *const call_keys[] = { "id", "name", "arguments", NULL };

/* An assistant turn's tool_calls into the OpenAI shape ({id, type: function, function: {name, arguments: TEXT}}). */
static int read_calls(struct reader *r, yaml_node_t *n, json_t **out)
{
	size_t len;
	json_t *calls;
	int rc;

	*out = NULL;
	if ((rc = mrm__yseq(&r->d, n, "turns.tool_calls", &len)))
		return rc;
	if (!len)
		return mrm__yerr(&r->d, n, "turns.tool_calls", "needs at least one call");
	if (!(calls = json_array()))
		return oom(r);
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *c = mrm__yitem(&r->d, n, i), *v;
		const char *id, *name;
		char *args = NULL;
		json_t *a = NULL;

		if ((rc = mrm__ymap(&r->d, c, "turns.tool_calls", call_keys)))
			goto fail;
		if (!(v = mrm__yget(&r->d, c, "id"))) {
			rc = mrm__yerr(&r->d, c, "turns.tool_calls", "a tool call needs an id");
			goto fail;
		}
		if ((rc = mrm__ystr(&r->d, v, "turns.tool_calls.id", &id)))
			goto fail;
		if (!(v = mrm__yget(&r->d, c, "name"))) {
			rc = mrm__yerr(&r->d, c, "turns.tool_calls", "a tool call needs a name");
			goto fail;
		}
		if ((rc = mrm__ystr(&r->d, v, "turns.tool_calls.name", &name)))
			goto fail;
		if ((v = mrm__yget(&r->d, c, "arguments"))) {
			if (v->type == YAML_SCALAR_NODE) {
				a = json_string(mrm__ytext(v));
			} else {
				if ((rc = mrm__ymap(&r->d, v, "turns.tool_calls.arguments", NULL)) ||
				    (rc = to_json(r, v, "turns.tool_calls.arguments", 0, &a)))
					goto fail;
			}
		}
		if (!a)
			args = strdup("{}");
		else if (json_is_string(a))
			args = strdup(json_string_value(a));
		else
			args = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(a);
		if (!args || json_array_append_new(calls, json_pack("{s:s,s:s,s:{s:s,s:s}}", "id", id, "type", "function",
								    "function", "name", name, "arguments", args))) {
			free(args);
			rc = oom(r);
			goto fail;
		}
		free(args);
	}
	*out = calls;
	return MRM_OK;
fail:
	json_decref(calls);
	return rc;
}

static bool call_id_known(struct mrm_rt_message *turns, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++) {
		size_t j;
		json_t *c;
		json_array_foreach(turns[i].tool_calls, j, c)
		{
			if (!strcmp(json_string_value(json_object_get(c, "id")), id))
				return true;
		}
	}
	return false;
}

static int read_turns(struct reader *r, yaml_node_t *probe, struct mrm_rt_probe *p)
{
	yaml_node_t *prompt = mrm__yget(&r->d, probe, "prompt"), *turns = mrm__yget(&r->d, probe, "turns");
	size_t len;
	int rc;

	if (prompt && turns)
		return mrm__yerr(&r->d, mrm__ykey(&r->d, probe, "turns"), NULL,
				 "give either prompt or turns, not both");
	if (!prompt && !turns)
		return mrm__yerr(&r->d, probe, NULL, "a probe needs a prompt or turns");
	if (prompt) {
		if (!(p->turns = mrm__arena_alloc(r->arena, sizeof(*p->turns))))
			return oom(r);
		p->nturns = 1;
		p->turns[0].role = "user";
		return text_field(r, prompt, "prompt", &p->turns[0].content);
	}
	if ((rc = mrm__yseq(&r->d, turns, "turns", &len)))
		return rc;
	if (!len)
		return mrm__yerr(&r->d, turns, "turns", "needs at least one turn");
	if (len > MAX_TURNS)
		return mrm__yerr(&r->d, turns, "turns", "more than %d turns", MAX_TURNS);
	if (!(p->turns = mrm__arena_alloc(r->arena, len * sizeof(*p->turns))))
		return oom(r);
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *t = mrm__yitem(&r->d, turns, i), *v;
		struct mrm_rt_message *m = &p->turns[i];
		const char *role, *s;

		if ((rc = mrm__ymap(&r->d, t, "turns", turn_keys)))
			return rc;
		if (!(v = mrm__yget(&r->d, t, "role")))
			return mrm__yerr(&r->d, t, "turns", "a turn needs a role (system, user, assistant or tool)");
		if ((rc = mrm__ystr(&r->d, v, "turns.role", &role)))
			return rc;
		if (!mrm__in(roles, role))
			return mrm__yerr(&r->d, v, "turns.role", "unknown role '%.32s' (expected system, user, assistant or tool)", role);
		m->role = (char *)(!strcmp(role, "system") ? "system" : !strcmp(role, "user") ? "user"
								  : !strcmp(role, "assistant") ? "assistant" : "tool");
		p->nturns = i + 1; /* so that the tool_calls made so far are freed on error */
		if ((v = mrm__yget(&r->d, t, "tool_calls"))) {
			if (strcmp(role, "assistant"))
				return mrm__yerr(&r->d, v, "turns.tool_calls", "only an assistant turn makes tool calls");
			if ((rc = read_calls(r, v, &m->tool_calls)))
				return rc;
		}
		if ((v = mrm__yget(&r->d, t, "tool_call_id"))) {
			if (strcmp(role, "tool"))
				return mrm__yerr(&r->d, v, "turns.tool_call_id", "only a tool turn answers a tool call");
			if ((rc = mrm__ystr(&r->d, v, "turns.tool_call_id", &s)))
				return rc;
			if (!call_id_known(p->turns, i, s))
				return mrm__yerr(&r->d, v, "turns.tool_call_id",
						 "no earlier assistant turn made a tool call with id '%.64s'", s);
			if (!(m->tool_call_id = dup(r, s)))
				return oom(r);
		} else if (!strcmp(role, "tool")) {
			return mrm__yerr(&r->d, t, "turns", "a tool turn needs the tool_call_id it answers");
		}
		if (!(v = mrm__yget(&r->d, t, "content"))) {
			if (!m->tool_calls)
				return mrm__yerr(&r->d, t, "turns", "a turn needs content");
			m->content = "";
		} else if (m->tool_calls && v->type == YAML_SCALAR_NODE && !*mrm__ytext(v)) {
			m->content = "";
		} else if ((rc = text_field(r, v, "turns.content", &m->content))) {
			return rc;
		}
	}
	if (strcmp(p->turns[len - 1].role, "user"))
		return mrm__yerr(&r->d, mrm__yitem(&r->d, turns, len - 1), "turns",
				 "the last turn must be the user's (found %s)", p->turns[len - 1].role);
	return MRM_OK;
}

/* ---- detectors ---------------------------------------------------------------------- */

static const char *const detect_keys[] = { "combine", "detectors", NULL };
static const char *const combines[] = { "any", "all", NULL };

static int read_detector(struct reader *r, yaml_node_t *n, json_t *tools, json_t **out)
{
	struct mrm__rt_where w;
	char why[512];
	const char *type;
	yaml_node_t *v;
	json_t *spec;
	int rc;

	*out = NULL;
	if ((rc = mrm__ymap(&r->d, n, "detect", NULL)))
		return rc;
	if (!(v = mrm__yget(&r->d, n, "type")))
		return mrm__yerr(&r->d, n, "detect", "a detector needs a type (%s)",
				 mrm__joined(mrm__rt_detector_types, why, sizeof(why)));
	if ((rc = mrm__ystr(&r->d, v, "detect.type", &type)))
		return rc;
	if (!mrm__in(mrm__rt_detector_types, type))
		return mrm__yerr(&r->d, v, "detect.type", "unknown detector '%.64s' (expected one of: %s)", type,
				 mrm__joined(mrm__rt_detector_types, why, sizeof(why)));
	/* unknown keys at the key, with the keys this type takes */
	if ((rc = mrm__ymap(&r->d, n, "detect", mrm__rt_detector_keys(type))))
		return rc;
	if ((rc = to_json(r, n, "detect", 0, &spec)))
		return rc;
	if (mrm__rt_spec_check(spec, &w, why, sizeof(why))) {
		yaml_node_t *at = w.key ? mrm__yget(&r->d, n, w.key) : NULL;
		if (at && w.item >= 0 && at->type == YAML_SEQUENCE_NODE &&
		    w.item < at->data.sequence.items.top - at->data.sequence.items.start)
			at = mrm__yitem(&r->d, at, (size_t)w.item);
		else if (at && w.subkey && mrm__yget(&r->d, at, w.subkey))
			at = mrm__yget(&r->d, at, w.subkey);
		json_decref(spec);
		return mrm__yerr(&r->d, at ? at : n, "detect", "%s", why);
	}
	if (!strcmp(type, "tool_call")) {
		size_t i;
		json_t *name;
		json_array_foreach(json_object_get(spec, "names"), i, name)
		{
			if (!tools || !offers(tools, json_string_value(name))) {
				yaml_node_t *names = mrm__yget(&r->d, n, "names");
				rc = mrm__yerr(&r->d, names && names->type == YAML_SEQUENCE_NODE ? mrm__yitem(&r->d, names, i) : n,
					       "detect.names", "the probe offers no tool '%.64s'%s", json_string_value(name),
					       tools ? "" : " (it has no tools)");
				json_decref(spec);
				return rc;
			}
		}
	}
	*out = spec;
	return MRM_OK;
}

static int read_detect(struct reader *r, yaml_node_t *n, json_t *tools, json_t **out)
{
	const char *combine = "any";
	yaml_node_t *list = n, *v;
	json_t *specs, *d;
	size_t len;
	int rc;

	*out = NULL;
	if (n->type == YAML_MAPPING_NODE) {
		if ((rc = mrm__ymap(&r->d, n, "detect", detect_keys)))
			return rc;
		if ((v = mrm__yget(&r->d, n, "combine"))) {
			if ((rc = mrm__ystr(&r->d, v, "detect.combine", &combine)))
				return rc;
			if (!mrm__in(combines, combine))
				return mrm__yerr(&r->d, v, "detect.combine", "'%.32s' is not any or all", combine);
		}
		if (!(list = mrm__yget(&r->d, n, "detectors")))
			return mrm__yerr(&r->d, n, "detect", "missing 'detectors' (the list of detectors)");
	}
	if ((rc = mrm__yseq(&r->d, list, "detect", &len)))
		return rc;
	if (!len)
		return mrm__yerr(&r->d, list, "detect", "needs at least one detector");
	if (!(specs = json_array()))
		return oom(r);
	for (size_t i = 0; i < len; i++) {
		json_t *spec;
		if ((rc = read_detector(r, mrm__yitem(&r->d, list, i), tools, &spec))) {
			json_decref(specs);
			return rc;
		}
		json_array_append_new(specs, spec);
	}
	if (!(d = json_pack("{s:s,s:o}", "combine", combine, "detectors", specs)))
		return oom(r);
	*out = d;
	return MRM_OK;
}

/* ---- probes ----------------------------------------------------------------------- */

static const char *const probe_keys[] = {
	"id", "title", "category", "owasp", "atlas", "nist", "prompt", "turns", "tools",
	"transforms", "translations", "detect", "expected", NULL,
};
static const char *const default_keys[] = {
	"category", "owasp", "atlas", "nist", "tools", "transforms", "detect", NULL,
};

static int read_transforms(struct reader *r, yaml_node_t *n, struct base *b)
{
	char langs[128];
	int rc;

	if ((rc = mrm__ystrlist(&r->d, n, "transforms", "transform", NULL, true, r->arena, &b->transforms,
				&b->ntransforms)))
		return rc;
	for (size_t i = 0; i < b->ntransforms; i++)
		if (!mrm_rt_transform_known(b->transforms[i]))
			return mrm__yerr(&r->d, mrm__yitem(&r->d, n, i), "transforms",
					 "unknown transform '%.64s' (expected base64, rot13, leetspeak, spacing, "
					 "multiturn or translate-XX with XX one of: %s)",
					 b->transforms[i], mrm__joined(mrm_rt_languages(), langs, sizeof(langs)));
	return MRM_OK;
}

static int read_translations(struct reader *r, yaml_node_t *n, struct base *b)
{
	const char *const *langs = mrm_rt_languages();
	int rc;

	if ((rc = mrm__ymap(&r->d, n, "translations", langs)))
		return rc;
	for (size_t i = 0; langs[i]; i++) {
		yaml_node_t *v = mrm__yget(&r->d, n, langs[i]);
		if (v && (rc = mrm__ystr(&r->d, v, "translations", &b->translations[i])))
			return rc;
	}
	return MRM_OK;
}

static int read_probe(struct reader *r, yaml_node_t *n, struct base *b)
{
	struct mrm_rt_probe *p = &b->p;
	yaml_node_t *v;
	const char *s;
	char list[256];
	int rc;

	if ((rc = mrm__ymap(&r->d, n, "probes", probe_keys)))
		return rc;
	if (!(v = mrm__yget(&r->d, n, "id")))
		return mrm__yerr(&r->d, n, "probes", "a probe needs an id");
	if ((rc = mrm__ystr(&r->d, v, "id", &s)))
		return rc;
	if (!id_ok(s))
		return mrm__yerr(&r->d, v, "id", "'%.64s' is not a probe id (up to 64 letters, digits, . _ -, "
				 "starting with a letter or digit)", s);
	for (size_t i = 0; i < r->nbases; i++)
		if (!strcmp(r->bases[i].p.id, s))
			return mrm__yerr(&r->d, v, "id", "probe id '%.64s' used twice", s);
	if (!(p->id = p->base_id = dup(r, s)))
		return oom(r);
	if ((v = mrm__yget(&r->d, n, "title")) && (rc = text_field(r, v, "title", &p->title)))
		return rc;

	if (!(v = field(r, n, "category")))
		return mrm__yerr(&r->d, n, NULL, "probe '%s' has no category (and the pack no default)", p->id);
	if ((rc = mrm__ystr(&r->d, v, "category", &s)))
		return rc;
	if (!mrm__in(categories, s))
		return mrm__yerr(&r->d, v, "category", "unknown category '%.64s' (expected one of: %s)", s,
				 mrm__joined(categories, list, sizeof(list)));
	if (!(p->category = dup(r, s)))
		return oom(r);

	if (!(v = field(r, n, "owasp")))
		return mrm__yerr(&r->d, n, NULL, "probe '%s' has no owasp ids (LLM01..LLM10)", p->id);
	if ((rc = tag_list(r, v, "owasp", "OWASP LLM Top 10 id", owasp_ok, "LLM01 to LLM10", false, &p->owasp)))
		return rc;
	if ((v = field(r, n, "atlas"))) {
		if ((rc = tag_list(r, v, "atlas", "ATLAS technique id", atlas_ok, "AML.T0000 or AML.T0000.000",
				   true, &p->atlas)))
			return rc;
	} else if (!(p->atlas = mrm__arena_alloc(r->arena, sizeof(*p->atlas)))) {
		return oom(r);
	}
	if ((v = field(r, n, "nist"))) {
		if ((rc = tag_list(r, v, "nist", "NIST AI 600-1 risk", nist_ok,
				   "a risk name as NIST AI 600-1 writes it, e.g. 'Information Security'", true, &p->nist)))
			return rc;
	} else if (!(p->nist = mrm__arena_alloc(r->arena, sizeof(*p->nist)))) {
		return oom(r);
	}

	if ((rc = read_turns(r, n, p)))
		return rc;
	if ((v = field(r, n, "tools")) && (rc = read_tools(r, v, &p->tools)))
		return rc;
	if ((v = field(r, n, "transforms")) && (rc = read_transforms(r, v, b)))
		return rc;
	if ((v = mrm__yget(&r->d, n, "translations")) && (rc = read_translations(r, v, b)))
		return rc;
	if (!(v = field(r, n, "detect")))
		return mrm__yerr(&r->d, n, NULL, "probe '%s' has no detect (the detectors that decide success)", p->id);
	if ((rc = read_detect(r, v, p->tools, &p->detectors)))
		return rc;
	if ((v = mrm__yget(&r->d, n, "expected")) && (rc = text_field(r, v, "expected", &p->expected)))
		return rc;
	return MRM_OK;
}

/* ---- expansion -------------------------------------------------------------------- */

static void probe_release(struct mrm_rt_probe *p)
{
	json_decref(p->tools);
	json_decref(p->detectors);
	for (size_t i = 0; p->turns && i < p->nturns; i++)
		json_decref(p->turns[i].tool_calls);
	p->tools = p->detectors = NULL;
	p->nturns = 0;
}

static size_t lang_index(const char *transform)
{
	const char *const *langs = mrm_rt_languages();
	for (size_t i = 0; langs[i]; i++)
		if (!strncmp(transform, "translate-", 10) && !strcmp(transform + 10, langs[i]))
			return i;
	return (size_t)-1;
}

/* Fills `out` as probe `p` (base `b`'s copy in the pack) under `transform`. */
static int derive(struct reader *r, const struct base *b, const struct mrm_rt_probe *p, const char *transform,
		  struct mrm_rt_probe *out)
{
	size_t extra = !strcmp(transform, "multiturn") ? mrm__rt_multiturn_nsetup : 0, idlen, lead = 0;
	struct mrm_rt_message *last;
	char *id;

	*out = *p;
	out->tools = out->detectors = NULL;
	out->turns = NULL;
	out->nturns = 0;
	idlen = strlen(p->id) + strlen(transform) + 2;
	if (!(id = mrm__arena_alloc(r->arena, idlen)) || !(out->transform = dup(r, transform)) ||
	    !(out->turns = mrm__arena_alloc(r->arena, (p->nturns + extra) * sizeof(*out->turns))))
		return oom(r);
	snprintf(id, idlen, "%s+%s", p->id, transform);
	out->id = id;
	/* the set-up goes after the probe's own leading system turns */
	for (lead = 0; extra && lead < p->nturns && !strcmp(p->turns[lead].role, "system"); lead++)
		;
	for (size_t i = 0, k = 0; i < p->nturns + extra; i++) {
		if (i >= lead && i < lead + extra) {
			out->turns[i].role = (char *)mrm__rt_multiturn_setup[i - lead].role;
			out->turns[i].content = (char *)mrm__rt_multiturn_setup[i - lead].content;
		} else {
			out->turns[i] = p->turns[k];
			json_incref(p->turns[k++].tool_calls);
		}
		out->nturns = i + 1;
	}
	out->tools = json_incref(p->tools);
	out->detectors = json_incref(p->detectors);
	if (extra)
		return MRM_OK;
	last = &out->turns[out->nturns - 1];
	{
		size_t li = lang_index(transform);
		const char *tr = li != (size_t)-1 ? b->translations[li] : NULL;
		char *s = mrm__rt_transform_text(transform, last->content, tr);
		if (!s)
			return oom(r);
		last->content = dup(r, s);
		free(s);
		if (!last->content)
			return oom(r);
	}
	return MRM_OK;
}

static int expand(struct reader *r)
{
	struct mrm_rt_pack *pk = r->pack;
	size_t total = 0, k = 0;
	int rc;

	for (size_t i = 0; i < r->nbases; i++)
		total += 1 + r->bases[i].ntransforms;
	if (total > MAX_PROBES)
		return mrm_error_set(r->d.err, MRM_EINPUT, "%s: %zu probes after transforms (at most %d)", r->d.name,
				     total, MAX_PROBES);
	if (!(pk->probes = calloc(total ? total : 1, sizeof(*pk->probes))))
		return oom(r);
	for (size_t i = 0; i < r->nbases; i++) {
		struct base *b = &r->bases[i];
		size_t at = k;
		pk->probes[k++] = b->p;
		memset(&b->p, 0, sizeof(b->p)); /* ownership moves to the pack */
		pk->nprobes = k;
		for (size_t t = 0; t < b->ntransforms; t++) {
			rc = derive(r, b, &pk->probes[at], b->transforms[t], &pk->probes[k]);
			pk->nprobes = ++k;
			if (rc)
				return rc;
		}
	}
	pk->nbase = r->nbases;
	return MRM_OK;
}

/* ---- the pack --------------------------------------------------------------------- */

static const char *const root_keys[] = { "format", "name", "version", "description", "defaults", "probes", NULL };

static bool name_ok(const char *s)
{
	if (!id_ok(s))
		return false;
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			return false;
	return true;
}

static int read_root(struct reader *r)
{
	yaml_node_t *root = mrm__yroot(&r->d), *v, *probes;
	const char *s;
	long format;
	size_t len;
	int rc;

	if ((rc = mrm__ymap(&r->d, root, NULL, root_keys)))
		return rc;
	if (!(v = mrm__yget(&r->d, root, "format")))
		return mrm__yerr(&r->d, root, NULL, "missing 'format' (the pack format version, %d)", MRM_RT_PACK_FORMAT);
	if ((rc = mrm__yint(&r->d, v, "format", 1, 1000000, "format version", &format)))
		return rc;
	if (format != MRM_RT_PACK_FORMAT)
		return mrm__yerr(&r->d, v, "format", "pack format %ld is not one this mrm reads (%d)", format,
				 MRM_RT_PACK_FORMAT);
	if (!(v = mrm__yget(&r->d, root, "name")))
		return mrm__yerr(&r->d, root, NULL, "missing 'name'");
	if ((rc = mrm__ystr(&r->d, v, "name", &s)))
		return rc;
	if (!name_ok(s))
		return mrm__yerr(&r->d, v, "name", "'%.64s' is not a pack name (lower-case letters, digits, . _ -)", s);
	if (!(r->pack->name = dup(r, s)))
		return oom(r);
	if (!(v = mrm__yget(&r->d, root, "version")))
		return mrm__yerr(&r->d, root, NULL, "missing 'version' (the pack's own version, e.g. 1.0.0)");
	if ((rc = text_field(r, v, "version", &r->pack->version)))
		return rc;
	if ((v = mrm__yget(&r->d, root, "description")) && (rc = text_field(r, v, "description", &r->pack->description)))
		return rc;
	if ((r->defaults = mrm__yget(&r->d, root, "defaults")) &&
	    (rc = mrm__ymap(&r->d, r->defaults, "defaults", default_keys)))
		return rc;
	if (!(probes = mrm__yget(&r->d, root, "probes")))
		return mrm__yerr(&r->d, root, NULL, "missing 'probes'");
	if ((rc = mrm__yseq(&r->d, probes, "probes", &len)))
		return rc;
	if (!len)
		return mrm__yerr(&r->d, probes, "probes", "needs at least one probe");
	if (!(r->bases = calloc(len, sizeof(*r->bases))))
		return oom(r);
	for (size_t i = 0; i < len; i++) {
		rc = read_probe(r, mrm__yitem(&r->d, probes, i), &r->bases[i]);
		r->nbases = i + 1;
		if (rc)
			return rc;
	}
	return expand(r);
}

int mrm_rt_pack_parse(const char *name, const char *text, size_t len, struct mrm_rt_pack **out,
		      struct mrm_error *err)
{
	struct reader r = { 0 };
	struct mrm__arena *arena;
	char hex[MRM_SHA256_HEX];
	int rc;

	*out = NULL;
	if (!(arena = calloc(1, sizeof(*arena))))
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	r.arena = arena;
	if (!(r.pack = mrm__arena_alloc(arena, sizeof(*r.pack)))) {
		free(arena);
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	}
	r.pack->priv = arena;
	mrm_sha256_hex(text, len, hex);
	if (!(r.pack->sha256 = mrm__arena_strdup(arena, hex)) || !(r.pack->path = mrm__arena_strdup(arena, name))) {
		rc = mrm_error_set(err, MRM_ESTORE, "out of memory");
		goto out;
	}
	if (!(rc = mrm__ydoc_load(&r.d, name, text, len, "a pack: format, name, version and probes", err)))
		rc = read_root(&r);
	mrm__ydoc_free(&r.d);
out:
	for (size_t i = 0; i < r.nbases; i++)
		probe_release(&r.bases[i].p);
	free(r.bases);
	if (rc) {
		mrm_rt_pack_free(r.pack);
		return rc;
	}
	*out = r.pack;
	return MRM_OK;
}

void mrm_rt_pack_free(struct mrm_rt_pack *p)
{
	struct mrm__arena *arena;

	if (!p)
		return;
	for (size_t i = 0; i < p->nprobes; i++)
		probe_release(&p->probes[i]);
	free(p->probes);
	arena = p->priv;
	mrm__arena_free(arena);
	free(arena);
}

static bool looks_like_path(const char *s)
{
	size_t n = strlen(s);
	return strchr(s, '/') || (n > 5 && !strcasecmp(s + n - 5, ".yaml")) || (n > 4 && !strcasecmp(s + n - 4, ".yml"));
}

int mrm_rt_pack_load(const char *name_or_path, struct mrm_rt_pack **out, struct mrm_error *err)
{
	char label[512], list[512];
	const char *text;
	struct stat st;
	size_t len, n;
	FILE *f;
	char *buf;
	int rc;

	*out = NULL;
	if (!name_or_path || !*name_or_path)
		return mrm_error_set(err, MRM_EUSAGE, "no pack named");
	if ((text = mrm_rt_builtin_text(name_or_path, &len))) {
		snprintf(label, sizeof(label), "redteam/packs/%s.yaml (built in)", name_or_path);
		if ((rc = mrm_rt_pack_parse(label, text, len, out, err)))
			return rc;
		snprintf(label, sizeof(label), "builtin:%s", name_or_path);
		if (!((*out)->path = mrm__arena_strdup((*out)->priv, label))) {
			mrm_rt_pack_free(*out);
			*out = NULL;
			return mrm_error_set(err, MRM_ESTORE, "out of memory");
		}
		return MRM_OK;
	}
	if (!(f = fopen(name_or_path, "rb"))) {
		if (errno == ENOENT && !looks_like_path(name_or_path))
			return mrm_error_set(err, MRM_ENOTFOUND,
					     "unknown pack '%.128s' (built-in packs: %s; or give a YAML file)",
					     name_or_path, mrm__joined(mrm_rt_builtin_packs(), list, sizeof(list)));
		return mrm_error_set(err, MRM_EINPUT, "cannot open pack file %s: %s", name_or_path, strerror(errno));
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		fclose(f);
		return mrm_error_set(err, MRM_EINPUT, "pack file %s is not a regular file", name_or_path);
	}
	if (st.st_size > MAX_PACK_BYTES) {
		fclose(f);
		return mrm_error_set(err, MRM_EINPUT, "pack file %s is larger than %d bytes", name_or_path, MAX_PACK_BYTES);
	}
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		fclose(f);
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		rc = mrm_error_set(err, MRM_EINPUT, "cannot read pack file %s: %s", name_or_path, strerror(errno));
	} else {
		buf[n] = '\0';
		rc = mrm_rt_pack_parse(name_or_path, buf, n, out, err);
	}
	free(buf);
	fclose(f);
	return rc;
}

/* ---- the conversation as messages or text ----------------------------------------- */

json_t *mrm_rt_probe_messages(const struct mrm_rt_probe *p)
{
	json_t *msgs = json_array();

	if (!msgs)
		return NULL;
	for (size_t i = 0; i < p->nturns; i++) {
		const struct mrm_rt_message *m = &p->turns[i];
		json_t *o = json_pack("{s:s,s:s}", "role", m->role, "content", m->content ? m->content : "");
		if (!o || json_array_append_new(msgs, o)) {
			json_decref(msgs);
			return NULL;
		}
		if (m->tool_calls)
			json_object_set(o, "tool_calls", m->tool_calls);
		if (m->tool_call_id)
			json_object_set_new(o, "tool_call_id", json_string(m->tool_call_id));
	}
	return msgs;
}

char *mrm_rt_probe_text(const struct mrm_rt_probe *p)
{
	struct mrm__rtbuf b = { 0 };

	if (p->nturns == 1)
		return strdup(p->turns[0].content ? p->turns[0].content : "");
	for (size_t i = 0; i < p->nturns; i++) {
		const struct mrm_rt_message *m = &p->turns[i];
		size_t j;
		json_t *c;

		if (i)
			mrm__rtbuf_str(&b, "\n\n");
		mrm__rtbuf_fmt(&b, "[%s]\n", m->role);
		if (m->content && *m->content)
			mrm__rtbuf_str(&b, m->content);
		json_array_foreach(m->tool_calls, j, c)
		{
			json_t *fn = json_object_get(c, "function");
			mrm__rtbuf_fmt(&b, "%s(call %s) %s(%s)", j || (m->content && *m->content) ? "\n" : "",
				       json_string_value(json_object_get(c, "id")),
				       json_string_value(json_object_get(fn, "name")),
				       json_string_value(json_object_get(fn, "arguments")));
		}
	}
	return mrm__rtbuf_take(&b);
}
