/* The control catalogue: reading and checking policy/controls.yaml, lookups, JSON and coverage. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrm/evidence.h"
#include "mrm/policy.h"
#include "policy/internal.h"

const char *const mrm_control_checks[] = {
	"inventory", "tier", "evidence", "validation", "fairness", "redteam", "signoff",
	"review-approved", "review-current", "material-change", "monitors", "findings",
	"acceptances", "incidents", "third-party", "separation-of-duties", "audit-chain",
	"evidence-integrity", NULL,
};

static const char *const applies_values[] = { "all", "genai", "vendor", NULL };

/* Policy fields a control may take parameters from (besides evidence:KIND). */
static const char *const param_names[] = {
	"inventory_fields", "validation_tests", "redteam", "signoff_roles", "monitors",
	"max_open_findings", "review_interval_months", "acceptance", NULL,
};

static const char *const root_keys[] = { "catalog", "version", "frameworks", "controls", NULL };
static const char *const framework_keys[] = { "id", "name", "source", "status", "official_ids",
					      "note", "items", NULL };
static const char *const item_keys[] = { "id", "title", "note", NULL };
static const char *const control_keys[] = { "id", "title", "check", "applies_to", "uses",
					    "description", "evidence", "limits", "maps", NULL };

struct reader {
	struct mrm__ydoc d;
	struct mrm__arena *arena;
	struct mrm_catalog *cat;
};

static int oom(struct reader *r)
{
	return mrm_error_set(r->d.err, MRM_ESTORE, "out of memory");
}

/* A required text field of mapping `map` copied into the arena. */
static int text_field(struct reader *r, yaml_node_t *map, const char *key, const char *field,
		      bool required, const char **out)
{
	yaml_node_t *v = mrm__yget(&r->d, map, key);
	char where[160];
	const char *s;
	int rc;

	*out = NULL;
	snprintf(where, sizeof(where), "%s%s%s", field, *field ? "." : "", key);
	if (!v) {
		if (!required)
			return MRM_OK;
		return mrm__yerr(&r->d, map, field, "missing '%s'", key);
	}
	if ((rc = mrm__ystr(&r->d, v, where, &s)))
		return rc;
	if (!(*out = mrm__arena_strdup(r->arena, s)))
		return oom(r);
	return MRM_OK;
}

static int read_items(struct reader *r, yaml_node_t *list, const char *field, struct mrm_framework *f)
{
	struct mrm_framework_item *items;
	size_t n;
	int rc;

	if ((rc = mrm__yseq(&r->d, list, field, &n)))
		return rc;
	if (!n)
		return mrm__yerr(&r->d, list, field, "a framework needs at least one item");
	if (!(items = mrm__arena_alloc(r->arena, n * sizeof(*items))))
		return oom(r);
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = mrm__yitem(&r->d, list, i);
		if ((rc = mrm__ymap(&r->d, it, field, item_keys)) ||
		    (rc = text_field(r, it, "id", field, true, &items[i].id)) ||
		    (rc = text_field(r, it, "title", field, true, &items[i].title)) ||
		    (rc = text_field(r, it, "note", field, false, &items[i].note)))
			return rc;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(items[j].id, items[i].id))
				return mrm__yerr(&r->d, mrm__yget(&r->d, it, "id"), field,
						 "item '%s' listed twice", items[i].id);
	}
	f->items = items;
	f->nitems = n;
	return MRM_OK;
}

static int read_frameworks(struct reader *r, yaml_node_t *list)
{
	struct mrm_framework *fs;
	size_t n;
	int rc;

	if ((rc = mrm__yseq(&r->d, list, "frameworks", &n)))
		return rc;
	if (!(fs = mrm__arena_alloc(r->arena, n * sizeof(*fs))))
		return oom(r);
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *m = mrm__yitem(&r->d, list, i), *v;
		char field[96];
		bool official = true;

		snprintf(field, sizeof(field), "frameworks[%zu]", i + 1);
		if ((rc = mrm__ymap(&r->d, m, field, framework_keys)) ||
		    (rc = text_field(r, m, "id", field, true, &fs[i].id)))
			return rc;
		snprintf(field, sizeof(field), "frameworks.%s", fs[i].id);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(fs[j].id, fs[i].id))
				return mrm__yerr(&r->d, mrm__yget(&r->d, m, "id"), field,
						 "framework '%s' defined twice", fs[i].id);
		if ((rc = text_field(r, m, "name", field, true, &fs[i].name)) ||
		    (rc = text_field(r, m, "source", field, true, &fs[i].source)) ||
		    (rc = text_field(r, m, "status", field, true, &fs[i].status)) ||
		    (rc = text_field(r, m, "note", field, false, &fs[i].note)))
			return rc;
		if (!(v = mrm__yget(&r->d, m, "official_ids")))
			return mrm__yerr(&r->d, m, field, "missing 'official_ids' (true when the publisher assigns the ids)");
		if ((rc = mrm__ybool(&r->d, v, field, &official)))
			return rc;
		fs[i].official_ids = official;
		if (!(v = mrm__yget(&r->d, m, "items")))
			return mrm__yerr(&r->d, m, field, "missing 'items'");
		snprintf(field, sizeof(field), "frameworks.%s.items", fs[i].id);
		if ((rc = read_items(r, v, field, &fs[i])))
			return rc;
	}
	r->cat->frameworks = fs;
	r->cat->nframeworks = n;
	return MRM_OK;
}

static bool valid_control_id(const char *s)
{
	size_t area = 0;

	if (strncmp(s, "MRM-", 4))
		return false;
	for (s += 4; isupper((unsigned char)s[area]); area++)
		;
	return area >= 2 && area <= 8 && s[area] == '-' && isdigit((unsigned char)s[area + 1]) &&
	       isdigit((unsigned char)s[area + 2]) && !s[area + 3];
}

/* Checks one entry of `uses` (without a trailing '?'). */
static int check_use(struct reader *r, yaml_node_t *n, const char *field, const char *use)
{
	char list[512];

	if (!strncmp(use, "evidence:", 9)) {
		if (!mrm__in(mrm_evidence_kinds, use + 9))
			return mrm__yerr(&r->d, n, field, "unknown evidence kind '%.64s' (expected one of: %s)",
					 use + 9, mrm__joined(mrm_evidence_kinds, list, sizeof(list)));
		return MRM_OK;
	}
	if (!mrm__in(param_names, use))
		return mrm__yerr(&r->d, n, field,
				 "unknown policy field '%.64s' (expected evidence:KIND or one of: %s)", use,
				 mrm__joined(param_names, list, sizeof(list)));
	return MRM_OK;
}

static int read_uses(struct reader *r, yaml_node_t *v, const char *field, struct mrm_control *k)
{
	const char *const *raw;
	const char **uses;
	bool *optional;
	size_t n, nevidence = 0;
	int rc;

	if ((rc = mrm__ystrlist(&r->d, v, field, "policy field", NULL, true, r->arena, &raw, &n)))
		return rc;
	uses = mrm__arena_alloc(r->arena, (n + 1) * sizeof(*uses));
	optional = mrm__arena_alloc(r->arena, (n + 1) * sizeof(*optional));
	if (!uses || !optional)
		return oom(r);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(raw[i]);
		char *s = mrm__arena_strdup(r->arena, raw[i]);
		if (!s)
			return oom(r);
		if (len > 1 && s[len - 1] == '?') {
			s[len - 1] = '\0';
			optional[i] = true;
		}
		if ((rc = check_use(r, mrm__yitem(&r->d, v, i), field, s)))
			return rc;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(uses[j], s))
				return mrm__yerr(&r->d, mrm__yitem(&r->d, v, i), field, "policy field '%s' listed twice", s);
		nevidence += !strncmp(s, "evidence:", 9);
		uses[i] = s;
	}
	if (!strcmp(k->check, "evidence") && nevidence != 1)
		return mrm__yerr(&r->d, v, field, "a control of check 'evidence' uses exactly one evidence:KIND");
	k->uses = uses;
	k->uses_optional = optional;
	k->nuses = n;
	return MRM_OK;
}

static const struct mrm_framework_item *find_item(const struct mrm_framework *f, const char *id)
{
	for (size_t i = 0; i < f->nitems; i++)
		if (!strcmp(f->items[i].id, id))
			return &f->items[i];
	return NULL;
}

static int read_maps(struct reader *r, yaml_node_t *m, const char *field, struct mrm_control *k)
{
	const struct mrm_catalog *c = r->cat;
	struct mrm_control_mapping *maps;
	size_t n = 0;
	char list[512];
	int rc;

	if ((rc = mrm__ymap(&r->d, m, field, NULL)))
		return rc;
	if (!(maps = mrm__arena_alloc(r->arena, (c->nframeworks + 1) * sizeof(*maps))))
		return oom(r);
	/* Check every key names a framework, then keep them in catalogue order. */
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *key = yaml_document_get_node(&r->d.doc, p->key);
		if (!mrm_catalog_framework(c, mrm__ytext(key))) {
			const char **ids = mrm__arena_alloc(r->arena, (c->nframeworks + 1) * sizeof(*ids));
			if (!ids)
				return oom(r);
			for (size_t i = 0; i < c->nframeworks; i++)
				ids[i] = c->frameworks[i].id;
			return mrm__yerr(&r->d, key, field, "unknown framework '%.64s' (expected one of: %s)",
					 mrm__ytext(key), mrm__joined(ids, list, sizeof(list)));
		}
	}
	for (size_t f = 0; f < c->nframeworks; f++) {
		const struct mrm_framework *fw = &c->frameworks[f];
		yaml_node_t *v = mrm__yget(&r->d, m, fw->id);
		char where[160];
		size_t count;

		if (!v)
			continue;
		snprintf(where, sizeof(where), "%s.%s", field, fw->id);
		if ((rc = mrm__ystrlist(&r->d, v, where, "item", NULL, false, r->arena, &maps[n].items, &count)))
			return rc;
		for (size_t i = 0; i < count; i++)
			if (!find_item(fw, maps[n].items[i]))
				return mrm__yerr(&r->d, mrm__yitem(&r->d, v, i), where,
						 "no item '%.64s' in framework %s (see 'mrm controls coverage "
						 "--framework %s')",
						 maps[n].items[i], fw->id, fw->id);
		maps[n].framework = fw;
		maps[n].nitems = count;
		n++;
	}
	k->mappings = maps;
	k->nmappings = n;
	return MRM_OK;
}

static int read_control(struct reader *r, yaml_node_t *m, size_t i, struct mrm_control *ks)
{
	struct mrm_control *k = &ks[i];
	char field[96], where[128], list[512];
	yaml_node_t *v;
	int rc;

	snprintf(field, sizeof(field), "controls[%zu]", i + 1);
	if ((rc = mrm__ymap(&r->d, m, field, control_keys)) ||
	    (rc = text_field(r, m, "id", field, true, &k->id)))
		return rc;
	v = mrm__yget(&r->d, m, "id");
	if (!valid_control_id(k->id))
		return mrm__yerr(&r->d, v, field, "control id '%.64s' is not of the form MRM-AREA-NN (e.g. MRM-INV-01)",
				 k->id);
	for (size_t j = 0; j < i; j++)
		if (!strcmp(ks[j].id, k->id))
			return mrm__yerr(&r->d, v, field, "control '%s' defined twice", k->id);
	snprintf(field, sizeof(field), "controls.%s", k->id);
	if ((rc = text_field(r, m, "title", field, true, &k->title)) ||
	    (rc = text_field(r, m, "check", field, true, &k->check)) ||
	    (rc = text_field(r, m, "applies_to", field, true, &k->applies_to)) ||
	    (rc = text_field(r, m, "description", field, true, &k->description)) ||
	    (rc = text_field(r, m, "evidence", field, true, &k->evidence)) ||
	    (rc = text_field(r, m, "limits", field, true, &k->limits)))
		return rc;
	snprintf(where, sizeof(where), "%s.check", field);
	if (!mrm__in(mrm_control_checks, k->check))
		return mrm__yerr(&r->d, mrm__yget(&r->d, m, "check"), where,
				 "unknown check '%.64s' (expected one of: %s)", k->check,
				 mrm__joined(mrm_control_checks, list, sizeof(list)));
	snprintf(where, sizeof(where), "%s.applies_to", field);
	if (!mrm__in(applies_values, k->applies_to))
		return mrm__yerr(&r->d, mrm__yget(&r->d, m, "applies_to"), where,
				 "unknown value '%.64s' (expected one of: %s)", k->applies_to,
				 mrm__joined(applies_values, list, sizeof(list)));
	snprintf(where, sizeof(where), "%s.uses", field);
	if ((v = mrm__yget(&r->d, m, "uses"))) {
		if ((rc = read_uses(r, v, where, k)))
			return rc;
	} else if (!strcmp(k->check, "evidence")) {
		return mrm__yerr(&r->d, m, field, "a control of check 'evidence' uses exactly one evidence:KIND");
	}
	snprintf(where, sizeof(where), "%s.maps", field);
	if (!(v = mrm__yget(&r->d, m, "maps")))
		return mrm__yerr(&r->d, m, field, "missing 'maps' (use {} for a control that maps to no framework)");
	return read_maps(r, v, where, k);
}

static int read_controls(struct reader *r, yaml_node_t *list)
{
	struct mrm_control *ks;
	size_t n;
	int rc;

	if ((rc = mrm__yseq(&r->d, list, "controls", &n)))
		return rc;
	if (!n)
		return mrm__yerr(&r->d, list, "controls", "the catalogue needs at least one control");
	if (!(ks = mrm__arena_alloc(r->arena, n * sizeof(*ks))))
		return oom(r);
	r->cat->controls = ks;
	for (size_t i = 0; i < n; i++) {
		r->cat->ncontrols = i;
		if ((rc = read_control(r, mrm__yitem(&r->d, list, i), i, ks)))
			return rc;
	}
	r->cat->ncontrols = n;
	return MRM_OK;
}

static int read_root(struct reader *r)
{
	yaml_node_t *root = mrm__yroot(&r->d), *v;
	long version;
	int rc;

	if ((rc = mrm__ymap(&r->d, root, NULL, root_keys)))
		return rc;
	if (!(v = mrm__yget(&r->d, root, "version")))
		return mrm__yerr(&r->d, root, NULL, "missing 'version' (the catalogue format version, 1)");
	if ((rc = mrm__yint(&r->d, v, "version", 1, 1, "format version", &version)))
		return rc;
	if (!(v = mrm__yget(&r->d, root, "frameworks")))
		return mrm__yerr(&r->d, root, NULL, "missing 'frameworks'");
	if ((rc = read_frameworks(r, v)))
		return rc;
	if (!(v = mrm__yget(&r->d, root, "controls")))
		return mrm__yerr(&r->d, root, NULL, "missing 'controls'");
	return read_controls(r, v);
}

int mrm_catalog_parse(const char *name, const char *text, size_t len, struct mrm_catalog **out,
		      struct mrm_error *err)
{
	struct reader r = { 0 };
	int rc;

	*out = NULL;
	r.arena = calloc(1, sizeof(*r.arena));
	if (!r.arena)
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	if (!(r.cat = mrm__arena_alloc(r.arena, sizeof(*r.cat)))) {
		free(r.arena);
		return mrm_error_set(err, MRM_ESTORE, "out of memory");
	}
	r.cat->priv = r.arena;
	rc = mrm__ydoc_load(&r.d, name, text, len, "a mapping with frameworks and controls", err);
	if (!rc)
		rc = read_root(&r);
	mrm__ydoc_free(&r.d);
	if (rc) {
		mrm_catalog_free(r.cat);
		return rc;
	}
	*out = r.cat;
	return MRM_OK;
}

int mrm_catalog_load(struct mrm_catalog **out, struct mrm_error *err)
{
	return mrm_catalog_parse("policy/controls.yaml (built in)", mrm__policy_controls_yaml,
				 mrm__policy_controls_yaml_len, out, err);
}

void mrm_catalog_free(struct mrm_catalog *c)
{
	struct mrm__arena *a;

	if (!c)
		return;
	a = c->priv;
	mrm__arena_free(a);
	free(a);
}

const struct mrm_control *mrm_catalog_control(const struct mrm_catalog *c, const char *id)
{
	for (size_t i = 0; id && i < c->ncontrols; i++)
		if (!strcmp(c->controls[i].id, id))
			return &c->controls[i];
	return NULL;
}

const struct mrm_framework *mrm_catalog_framework(const struct mrm_catalog *c, const char *id)
{
	for (size_t i = 0; id && i < c->nframeworks; i++)
		if (!strcmp(c->frameworks[i].id, id))
			return &c->frameworks[i];
	return NULL;
}

const struct mrm_control_mapping *mrm_control_mapping(const struct mrm_control *k,
						      const struct mrm_framework *f)
{
	for (size_t i = 0; i < k->nmappings; i++)
		if (k->mappings[i].framework == f || !strcmp(k->mappings[i].framework->id, f->id))
			return &k->mappings[i];
	return NULL;
}

/* ---- JSON ------------------------------------------------------------------------ */

static json_t *str_array(const char *const *s, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(s[i]));
	return a;
}

json_t *mrm_control_json(const struct mrm_control *k, const struct mrm_framework *only)
{
	json_t *o = json_object(), *maps = json_object(), *uses = json_array();

	json_object_set_new(o, "id", json_string(k->id));
	json_object_set_new(o, "title", json_string(k->title));
	json_object_set_new(o, "check", json_string(k->check));
	json_object_set_new(o, "applies_to", json_string(k->applies_to));
	json_object_set_new(o, "description", json_string(k->description));
	json_object_set_new(o, "evidence", json_string(k->evidence));
	json_object_set_new(o, "limits", json_string(k->limits));
	for (size_t i = 0; i < k->nuses; i++)
		json_array_append_new(uses, json_pack("{s:s,s:b}", "field", k->uses[i], "optional",
						      k->uses_optional[i]));
	json_object_set_new(o, "uses", uses);
	for (size_t i = 0; i < k->nmappings; i++) {
		const struct mrm_control_mapping *m = &k->mappings[i];
		if (!only || !strcmp(only->id, m->framework->id))
			json_object_set_new(maps, m->framework->id, str_array(m->items, m->nitems));
	}
	json_object_set_new(o, "mappings", maps);
	return o;
}

json_t *mrm_framework_json(const struct mrm_framework *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(f->id));
	json_object_set_new(o, "name", json_string(f->name));
	json_object_set_new(o, "source", json_string(f->source));
	json_object_set_new(o, "status", json_string(f->status));
	json_object_set_new(o, "note", f->note ? json_string(f->note) : json_null());
	json_object_set_new(o, "official_ids", json_boolean(f->official_ids));
	return o;
}

json_t *mrm_catalog_coverage_json(const struct mrm_catalog *c, const struct mrm_framework *f)
{
	json_t *o = mrm_framework_json(f), *yes = json_array(), *no = json_array();
	size_t addressed = 0;

	for (size_t i = 0; i < f->nitems; i++) {
		const struct mrm_framework_item *it = &f->items[i];
		json_t *ks = json_array(), *row;

		for (size_t k = 0; k < c->ncontrols; k++) {
			const struct mrm_control_mapping *m = mrm_control_mapping(&c->controls[k], f);
			for (size_t j = 0; m && j < m->nitems; j++)
				if (!strcmp(m->items[j], it->id)) {
					json_array_append_new(ks, json_string(c->controls[k].id));
					break;
				}
		}
		row = json_pack("{s:s,s:s}", "id", it->id, "title", it->title);
		if (it->note)
			json_object_set_new(row, "note", json_string(it->note));
		if (json_array_size(ks)) {
			json_object_set_new(row, "controls", ks);
			json_array_append_new(yes, row);
			addressed++;
		} else {
			json_decref(ks);
			json_array_append_new(no, row);
		}
	}
	json_object_set_new(o, "items", json_integer((json_int_t)f->nitems));
	json_object_set_new(o, "addressed", json_integer((json_int_t)addressed));
	json_object_set_new(o, "not_addressed", json_integer((json_int_t)(f->nitems - addressed)));
	json_object_set_new(o, "percent",
			    json_real(f->nitems ? round(1000.0 * (double)addressed / (double)f->nitems) / 10.0 : 0.0));
	json_object_set_new(o, "addressed_items", yes);
	json_object_set_new(o, "not_addressed_items", no);
	return o;
}
