/*
 * The EU AI Act Annex IV technical documentation skeleton: the nine
 * sections of Annex IV (titles from the control catalogue), each item
 * filled from the store where mrm keeps the fact, pointing at the evidence
 * that holds it where mrm keeps only a file, and marked missing, with what
 * to add, where mrm has nothing. It is a skeleton to complete, not the
 * documentation itself: docs/documents.md says what each item draws on.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/doc.h"

/* Fallback titles, in case a catalogue lacks the Annex IV items. */
static const char *const fallback_titles[] = {
	"General description of the AI system",
	"Detailed description of the elements and of the development process",
	"Monitoring, functioning and control",
	"Appropriateness of the performance metrics",
	"Risk management system",
	"Relevant changes over the lifecycle",
	"Harmonised standards or other solutions applied",
	"Copy of the EU declaration of conformity",
	"Post-market monitoring system and plan",
};

struct annex {
	const struct mrm__facts *f;
	json_t *sections, *items; /* the open section's items */
	size_t missing;
};

static void section(struct annex *a, int n, const struct mrm_framework *fw)
{
	char id[8];
	const char *title = fallback_titles[n - 1];
	json_t *controls = json_array();

	snprintf(id, sizeof(id), "IV-%d", n);
	for (size_t i = 0; fw && i < fw->nitems; i++)
		if (!strcmp(fw->items[i].id, id))
			title = fw->items[i].title;
	/* The catalogue's controls that produce evidence for this section. */
	if (fw) {
		const struct mrm_catalog *cat = a->f->policy->catalog;
		for (size_t k = 0; k < cat->ncontrols; k++) {
			const struct mrm_control_mapping *m = mrm_control_mapping(&cat->controls[k], fw);
			for (size_t j = 0; m && j < m->nitems; j++)
				if (!strcmp(m->items[j], id))
					json_array_append_new(controls, json_string(cat->controls[k].id));
		}
	}
	a->items = json_array();
	json_array_append_new(a->sections, json_pack("{s:s,s:s,s:o,s:o}", "id", id, "title", title,
						      "items", a->items, "controls", controls));
}

/* An item filled from the store: `text` (NULL or empty makes it missing with `why`). */
static void item(struct annex *a, const char *label, const char *text, const char *why, ...)
	__attribute__((format(printf, 4, 5)));

static void item(struct annex *a, const char *label, const char *text, const char *why, ...)
{
	char buf[1024];
	va_list ap;

	if (text && *text) {
		json_array_append_new(a->items, json_pack("{s:s,s:s,s:n}", "label", label, "text", text,
							  "missing"));
		return;
	}
	va_start(ap, why);
	vsnprintf(buf, sizeof(buf), why, ap);
	va_end(ap);
	a->missing++;
	json_array_append_new(a->items, json_pack("{s:s,s:n,s:s}", "label", label, "text", "missing", buf));
}

/* An item whose text is formatted (always present). */
static void itemf(struct annex *a, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void itemf(struct annex *a, const char *label, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	item(a, label, buf, "%s", "");
}

static const char *str(json_t *o, const char *k)
{
	const char *s = mrm__str(o, k);
	return s && *s ? s : NULL;
}

/* "E-3 (2026-09-10), E-7 (2026-09-12)" for the evidence of `kind`; NULL when none. */
static const char *evidence_text(const struct mrm__facts *f, const char *kind, char *buf, size_t cap)
{
	json_t *rows = mrm__facts_evidence(f, kind), *e;
	size_t i, used = 0;

	buf[0] = '\0';
	json_array_foreach(rows, i, e) {
		int n = snprintf(buf + used, cap - used, "%s%s (%.10s%s%s)", used ? ", " : "", mrm__str(e, "id"),
				 mrm__str(e, "created_at") ? mrm__str(e, "created_at") : "?",
				 mrm__str(e, "version") ? ", version " : "",
				 mrm__str(e, "version") ? mrm__str(e, "version") : "");
		if (n < 0 || (size_t)n >= cap - used)
			break;
		used += (size_t)n;
	}
	json_decref(rows);
	return used ? buf : NULL;
}

/* Case-insensitive substring. */
static bool contains(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (; s && *s; s++)
		if (!strncasecmp(s, w, n))
			return true;
	return false;
}

static void join_into(json_t *a, char *buf, size_t cap)
{
	size_t i, used = 0;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(a, i, v) {
		int n = snprintf(buf + used, cap - used, "%s%s", used ? "; " : "",
				 json_is_string(v) ? json_string_value(v) : "?");
		if (n < 0 || (size_t)n >= cap - used)
			break;
		used += (size_t)n;
	}
}

int mrm__doc_annex_data(struct mrm_ctx *ctx, const struct mrm__facts *f, json_t *out,
			struct mrm_error *err)
{
	const struct mrm_framework *fw = mrm_catalog_framework(f->policy->catalog, "eu-ai-act");
	struct annex a = { f, json_array(), NULL, 0 };
	json_t *m = f->model, *e;
	const char *id = f->id, *autonomy = mrm__facts_answer(f, "autonomy");
	char buf[2048], ev[1024];
	size_t i, used;

	(void)ctx, (void)err;
	/* IV-1: general description. */
	section(&a, 1, fw);
	item(&a, "Intended purpose", str(m, "purpose"), "the model's purpose (mrm model update %s --purpose TEXT)", id);
	item(&a, "Intended use", str(m, "intended_use"), "the intended use (--intended-use TEXT)");
	item(&a, "Uses out of scope and foreseeable misuse", str(m, "out_of_scope_use"),
	     "the uses out of scope (--out-of-scope-use TEXT)");
	itemf(&a, "Provider (accountable owner)", "%s%s%s", str(m, "owner") ? str(m, "owner") : "?",
	      str(m, "team") ? ", " : "", str(m, "team") ? str(m, "team") : "");
	itemf(&a, "Type of system", "%s%s", str(m, "type") ? str(m, "type") : "other",
	      json_is_true(json_object_get(m, "genai")) ? ", generative AI" : "");
	item(&a, "Version", str(m, "current_version"), "a registered version (mrm model version add %s VERSION)", id);
	itemf(&a, "Third-party components", "%s", str(m, "vendor") ? str(m, "vendor") : "no vendor recorded: developed in-house");
	item(&a, "Deployment and forms of release", str(m, "deployment"), "where and how it is deployed (--deployment TEXT)");
	item(&a, "Persons affected", str(m, "population"), "the population it affects (--population TEXT)");
	item(&a, "Hardware, interfaces, interactions with other systems and instructions for use",
	     evidence_text(f, "model-card", ev, sizeof(ev)),
	     "mrm keeps no description of hardware, user interface or instructions for use: register "
	     "them in a model card (mrm evidence add %s model-card FILE)", id);
	/* IV-2: development. */
	section(&a, 2, fw);
	item(&a, "Methods, design choices and pre-trained or third-party components",
	     evidence_text(f, "model-card", ev, sizeof(ev)),
	     "a description of the methods and key design choices (a model card: mrm evidence add %s "
	     "model-card FILE)", id);
	join_into(json_object_get(m, "data_sources"), buf, sizeof(buf));
	item(&a, "Data sources (lineage)", buf, "the data sources (--data-source SRC, repeatable)");
	item(&a, "Data sheets (provenance, labelling, cleaning)", evidence_text(f, "data-sheet", ev, sizeof(ev)),
	     "a data sheet (mrm evidence add %s data-sheet FILE)", id);
	if (f->run) {
		json_t *t = json_object_get(f->run, "tests");
		size_t passed = 0;
		json_array_foreach(t, i, e)
			if (json_is_true(json_object_get(e, "passed")))
				passed++;
		itemf(&a, "Validation and testing", "validation run %s of version %s by %s on %.10s: %zu of %zu "
		      "tests passed (mrm doc validation %s)", mrm__str(f->run_evidence, "id"),
		      str(f->run_evidence, "version") ? str(f->run_evidence, "version") : "(none)",
		      mrm__str(f->run_evidence, "produced_by"), mrm__str(f->run_evidence, "created_at"), passed,
		      json_array_size(t), id);
	} else {
		item(&a, "Validation and testing", evidence_text(f, "validation-report", ev, sizeof(ev)),
		     "a validation report (mrm validate --model %s, or mrm evidence add %s validation-report FILE)",
		     id, id);
	}
	if (autonomy)
		itemf(&a, "Human oversight (assessment)", "autonomy '%s' in the tier assessment%s", autonomy,
		      !strcmp(autonomy, "fully-automated") ? ": no human reviews the output before it takes effect" : "");
	else
		item(&a, "Human oversight (assessment)", NULL, "a tier assessment, whose autonomy answer records "
		     "the human oversight (mrm tier assess %s)", id);
	itemf(&a, "Pre-determined changes", "%zu version%s registered; a version marked material reopens "
	      "review (see section IV-6)", json_array_size(json_object_get(m, "versions")),
	      json_array_size(json_object_get(m, "versions")) == 1 ? "" : "s");
	{
		const char *rt = evidence_text(f, "redteam-report", ev, sizeof(ev));
		size_t sec = 0;
		json_array_foreach(f->findings, i, e)
			if (!strcmp(mrm__str(e, "category") ? mrm__str(e, "category") : "", "security"))
				sec++;
		if (rt)
			itemf(&a, "Cybersecurity measures and testing", "red-team reports %s; %zu security finding%s "
			      "recorded", rt, sec, sec == 1 ? "" : "s");
		else
			item(&a, "Cybersecurity measures and testing", NULL, "a red-team or security test report "
			     "(mrm evidence add %s redteam-report FILE)%s", id, sec ? "; security findings are recorded" : "");
	}
	{
		const char *cur = mrm__str(m, "current_version");
		used = 0;
		buf[0] = '\0';
		json_array_foreach(json_object_get(m, "signoffs"), i, e) {
			int n;
			if (!(cur ? (mrm__str(e, "version") && !strcmp(mrm__str(e, "version"), cur)) : !mrm__str(e, "version")))
				continue;
			n = snprintf(buf + used, sizeof(buf) - used, "%s%s: %s on %.10s (%s)", used ? "; " : "",
				     mrm__str(e, "role"), mrm__str(e, "user_name"), mrm__str(e, "created_at"),
				     mrm__str(e, "id"));
			if (n > 0 && (size_t)n < sizeof(buf) - used)
				used += (size_t)n;
		}
		item(&a, "Sign-offs of the current version", buf, "sign-offs of the current version (mrm signoff %s "
		     "--role validator|approver)", id);
	}
	/* IV-3: monitoring, functioning and control. */
	section(&a, 3, fw);
	if (f->run) {
		json_t *groups = json_object_get(json_object_get(f->run, "options"), "group");
		join_into(groups, ev, sizeof(ev));
		item(&a, "Accuracy for specific groups of persons", json_array_size(groups) ? ev : NULL,
		     "per-group metrics: validate with --group COLUMN (mrm validate --model %s --group ...)", id);
		if (json_array_size(groups)) {
			json_t *last = json_array_get(a.items, json_array_size(a.items) - 1);
			snprintf(buf, sizeof(buf), "per-group metrics and disparities by %s in validation run %s",
				 ev, mrm__str(f->run_evidence, "id"));
			json_object_set_new(last, "text", json_string(buf));
		}
	} else {
		item(&a, "Accuracy for specific groups of persons", evidence_text(f, "fairness-report", ev, sizeof(ev)),
		     "a fairness report with per-group metrics (mrm validate --model %s --group COLUMN)", id);
	}
	{
		size_t open = 0;
		json_array_foreach(f->findings, i, e)
			if (strcmp(mrm__str(e, "status") ? mrm__str(e, "status") : "", "closed"))
				open++;
		itemf(&a, "Known limitations and foreseeable unintended outcomes", "%s%s%zu finding%s not closed "
		      "(mrm finding list --model %s)", str(m, "out_of_scope_use") ? "out of scope: " : "",
		      str(m, "out_of_scope_use") ? str(m, "out_of_scope_use") : "", open, open == 1 ? "" : "s", id);
		if (str(m, "out_of_scope_use")) {
			json_t *last = json_array_get(a.items, json_array_size(a.items) - 1);
			snprintf(buf, sizeof(buf), "out of scope: %s; %zu finding%s not closed (mrm finding list "
				 "--model %s)", str(m, "out_of_scope_use"), open, open == 1 ? "" : "s", id);
			json_object_set_new(last, "text", json_string(buf));
		}
	}
	if (autonomy)
		itemf(&a, "Human oversight measures", "autonomy '%s'; oversight measures beyond that are not "
		      "recorded in mrm", autonomy);
	else
		item(&a, "Human oversight measures", NULL, "the oversight measures (a tier assessment records "
		     "the autonomy: mrm tier assess %s)", id);
	item(&a, "Specifications of input data", evidence_text(f, "data-sheet", ev, sizeof(ev)),
	     "a specification of the input data (a data sheet: mrm evidence add %s data-sheet FILE)", id);
	/* IV-4: appropriateness of the performance metrics. */
	section(&a, 4, fw);
	if (f->run) {
		json_t *t = json_object_get(f->run, "tests");
		used = 0;
		buf[0] = '\0';
		json_array_foreach(t, i, e) {
			int n = snprintf(buf + used, sizeof(buf) - used, "%s%s", used ? "; " : "",
					 mrm__str(e, "condition") ? mrm__str(e, "condition") : "?");
			if (n > 0 && (size_t)n < sizeof(buf) - used)
				used += (size_t)n;
		}
		item(&a, "Metrics and thresholds tested", buf, "declared tests with thresholds (mrm validate --tests "
		     "FILE.yaml --model %s)", id);
	} else {
		item(&a, "Metrics and thresholds tested", NULL, "a stored validation run with declared tests "
		     "(mrm validate --tests FILE.yaml --model %s)", id);
	}
	item(&a, "Why these metrics are appropriate", NULL, "a written justification of the metrics and "
	     "thresholds for the intended purpose (not kept by mrm: add it to the validation report)");
	/* IV-5: risk management system. */
	section(&a, 5, fw);
	if (f->tier_n)
		itemf(&a, "Risk tier and rationale", "tier %d (%s): %s", f->tier_n,
		      str(m, "tier_source") ? str(m, "tier_source") : "?",
		      str(m, "tier_rationale") ? str(m, "tier_rationale") : "no rationale recorded");
	else
		item(&a, "Risk tier and rationale", NULL, "a tier assessment (mrm tier assess %s)", id);
	item(&a, "Risk assessment", evidence_text(f, "risk-assessment", ev, sizeof(ev)),
	     "a model risk assessment on file (mrm doc mra %s -o mra.html, then mrm evidence add %s "
	     "risk-assessment mra.html)", id, id);
	{
		size_t open = 0, accepted = 0, active = 0;
		json_array_foreach(f->findings, i, e) {
			const char *st = mrm__str(e, "status") ? mrm__str(e, "status") : "";
			if (!strcmp(st, "risk-accepted"))
				accepted++;
			else if (strcmp(st, "closed"))
				open++;
		}
		json_array_foreach(f->acceptances, i, e)
			if (!strcmp(mrm__str(e, "state") ? mrm__str(e, "state") : "", "active"))
				active++;
		itemf(&a, "Findings and residual risk", "%zu finding%s open, %zu risk-accepted under %zu "
		      "acceptance%s in force; policy %s", open, open == 1 ? "" : "s", accepted, active,
		      active == 1 ? "" : "s", f->policy->name);
	}
	/* IV-6: changes over the lifecycle. */
	section(&a, 6, fw);
	used = 0;
	buf[0] = '\0';
	json_array_foreach(json_object_get(m, "versions"), i, e) {
		int n = snprintf(buf + used, sizeof(buf) - used, "%s%s (%s%s, %.10s)", used ? "; " : "",
				 mrm__str(e, "version"), mrm__str(e, "change_type") ? mrm__str(e, "change_type") : "?",
				 json_is_true(json_object_get(e, "material")) ? ", material" : "",
				 mrm__str(e, "created_at") ? mrm__str(e, "created_at") : "?");
		if (n > 0 && (size_t)n < sizeof(buf) - used)
			used += (size_t)n;
	}
	item(&a, "Versions and changes", buf, "the model's versions (mrm model version add %s VERSION)", id);
	used = 0;
	buf[0] = '\0';
	json_array_foreach(json_object_get(m, "reviews"), i, e) {
		int n = snprintf(buf + used, sizeof(buf) - used, "%s%s of version %s: %s", used ? "; " : "",
				 mrm__str(e, "id"), mrm__str(e, "version") ? mrm__str(e, "version") : "(none)",
				 mrm__str(e, "decision") ? mrm__str(e, "decision") : "open");
		if (n > 0 && (size_t)n < sizeof(buf) - used)
			used += (size_t)n;
	}
	item(&a, "Reviews of changes", buf, "an independent review (mrm review open %s)", id);
	/* IV-7: harmonised standards. */
	section(&a, 7, fw);
	item(&a, "Harmonised standards, common specifications or other solutions applied", NULL,
	     "the standards applied: mrm maps its controls to NIST AI RMF and ISO/IEC 42001 (mrm controls "
	     "coverage) but records no harmonised standard");
	/* IV-8: declaration of conformity. */
	section(&a, 8, fw);
	{
		const char *found = NULL;
		json_array_foreach(json_object_get(m, "evidence"), i, e)
			if (contains(mrm__str(e, "note"), "declaration of conformity") ||
			    contains(mrm__str(e, "path"), "conformity"))
				found = mrm__str(e, "id");
		if (found)
			itemf(&a, "EU declaration of conformity", "evidence %s", found);
		else
			item(&a, "EU declaration of conformity", NULL, "a copy of the EU declaration of conformity "
			     "(Art. 47): register it with mrm evidence add %s other FILE --note \"EU declaration of "
			     "conformity\"", id);
	}
	/* IV-9: post-market monitoring. */
	section(&a, 9, fw);
	item(&a, "Post-market monitoring plan", evidence_text(f, "monitoring-plan", ev, sizeof(ev)),
	     "a monitoring plan (mrm evidence add %s monitoring-plan FILE)", id);
	{
		size_t active = 0;
		used = 0;
		buf[0] = '\0';
		json_array_foreach(f->monitors, i, e) {
			int n;
			if (strcmp(mrm__str(e, "status") ? mrm__str(e, "status") : "", "active"))
				continue;
			active++;
			n = snprintf(buf + used, sizeof(buf) - used, "%s%s on %s", used ? "; " : "",
				     mrm__str(e, "id"), mrm__str(e, "signal"));
			if (n > 0 && (size_t)n < sizeof(buf) - used)
				used += (size_t)n;
		}
		item(&a, "Monitors in operation", buf, "an active monitor (mrm monitor add %s --signal ...)", id);
	}
	itemf(&a, "Incidents recorded (Art. 73 reporting)", "%zu incident%s recorded with onset, detection, "
	      "mitigation and root cause (mrm incident list --model %s); whether one is serious under "
	      "Art. 3(49) is not decided by mrm", json_array_size(f->incidents),
	      json_array_size(f->incidents) == 1 ? "" : "s", id);

	json_object_set_new(out, "model", mrm__doc_model_json(f));
	json_object_set_new(out, "sections", a.sections);
	json_object_set_new(out, "missing", json_integer((json_int_t)a.missing));
	return MRM_OK;
}
