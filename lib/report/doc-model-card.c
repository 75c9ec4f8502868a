/* The model card page: identity, use, data, tier, versions, validation, monitoring, review and limitations of one model. */
#include <stdio.h>
#include <string.h>

#include "report/doc.h"

#define S(o, k) mrm__json_str((o), (k))

/* A key whose empty value is a gap a model card must not have. */
static void kv_required(struct mrm__doc *d, json_t *m, const char *key, const char *label,
			const char *how)
{
	const char *v = S(m, key);

	if (v && *v)
		mrm__doc_kv(d, label, v);
	else
		mrm__doc_kv_missing(d, label, how);
}

static void identity(struct mrm__doc *d, json_t *m)
{
	char buf[64];

	mrm__doc_h2(d, "identity", "Identity");
	mrm__doc_kv_begin(d);
	mrm__doc_kv(d, "Model id", S(m, "id"));
	mrm__doc_kv(d, "Name", S(m, "name"));
	mrm__doc_kv(d, "Owner (accountable)", S(m, "owner"));
	mrm__doc_kv(d, "Team", S(m, "team"));
	mrm__doc_kv(d, "Type", S(m, "type"));
	mrm__doc_kv(d, "Generative AI", mrm__doc_text(m, "genai", buf, sizeof(buf)));
	mrm__doc_kv(d, "Vendor", S(m, "vendor") ? S(m, "vendor") : "none (developed in-house)");
	mrm__doc_kv(d, "Lifecycle status", S(m, "status"));
	mrm__doc_kv(d, "Current version", S(m, "current_version"));
	mrm__doc_kv(d, "Deployment", S(m, "deployment"));
	mrm__doc_kv(d, "Registered", S(m, "created_at"));
	mrm__doc_kv_end(d);

	mrm__doc_h2(d, "use", "Purpose and use");
	mrm__doc_kv_begin(d);
	kv_required(d, m, "purpose", "Purpose", "no purpose recorded");
	kv_required(d, m, "intended_use", "Intended use", "no intended use recorded (mrm model update --intended-use)");
	kv_required(d, m, "out_of_scope_use", "Out-of-scope use",
		    "no out-of-scope use recorded (mrm model update --out-of-scope-use)");
	kv_required(d, m, "population", "Population affected",
		    "no population recorded (mrm model update --population)");
	mrm__doc_kv_end(d);

	mrm__doc_h2(d, "data", "Data sources");
	if (json_array_size(json_object_get(m, "data_sources"))) {
		json_t *v;
		size_t i;
		mrm__doc_ul(d);
		json_array_foreach(json_object_get(m, "data_sources"), i, v)
			mrm__doc_li(d, json_string_value(v));
		mrm__doc_ul_end(d);
	} else {
		mrm__doc_missing(d, "no data sources recorded (mrm model update --data-source SRC)");
	}
}

static void tier(struct mrm__doc *d, json_t *t)
{
	char buf[64];

	mrm__doc_h2(d, "tier", "Risk tier");
	if (!json_is_integer(json_object_get(t, "tier"))) {
		mrm__doc_missing(d, "the model has not been tiered (mrm tier assess ID)");
		return;
	}
	mrm__doc_kv_begin(d);
	mrm__doc_kvf(d, "Tier", "%s (1 = highest impact)", mrm__doc_text(t, "tier", buf, sizeof(buf)));
	mrm__doc_kv(d, "Set by", S(t, "source"));
	mrm__doc_kv(d, "Rationale", S(t, "rationale"));
	if (S(t, "assessed_by"))
		mrm__doc_kvf(d, "Last assessment", "%s by %s on %s", S(t, "assessment") ? S(t, "assessment") : "?",
			     S(t, "assessed_by"), S(t, "assessed_at") ? S(t, "assessed_at") : "?");
	mrm__doc_kv_end(d);
}

static void versions(struct mrm__doc *d, json_t *vs)
{
	static const char *const head[] = { "Version", "Change", "Material", "Notes", "Registered by", "On" };
	json_t *v;
	size_t i;
	char buf[16];

	mrm__doc_h2(d, "versions", "Versions");
	if (!json_array_size(vs)) {
		mrm__doc_missing(d, "no version registered (mrm model version add ID VERSION)");
		return;
	}
	mrm__doc_table(d, head, 6);
	json_array_foreach(vs, i, v) {
		if (!mrm__doc_row(d))
			continue;
		mrm__doc_cell(d, S(v, "version"));
		mrm__doc_cell(d, S(v, "change_type"));
		mrm__doc_cell(d, mrm__doc_text(v, "material", buf, sizeof(buf)));
		mrm__doc_cell(d, S(v, "notes"));
		mrm__doc_cell(d, S(v, "created_by"));
		mrm__doc_cell(d, S(v, "created_at"));
	}
	mrm__doc_table_end(d);
}

void mrm__doc_run_section(struct mrm__doc *d, json_t *v, const char *title)
{
	json_t *tests = json_object_get(v, "tests"), *t;
	char buf[64];
	size_t i;

	mrm__doc_h2(d, "validation", title);
	if (S(v, "missing") && json_array_size(json_object_get(v, "reports"))) {
		char ids[512];
		mrm__doc_pf(d, "Validation reports on file: %s. %s.",
			    mrm__doc_join(json_object_get(v, "reports"), ids, sizeof(ids)), S(v, "missing"));
		return;
	}
	if (S(v, "missing")) {
		mrm__doc_missing(d, "%s", S(v, "missing"));
		return;
	}
	mrm__doc_kv_begin(d);
	mrm__doc_kvf(d, "Run", "%s, version %s, by %s on %s", S(v, "evidence") ? S(v, "evidence") : "?",
		     S(v, "version") ? S(v, "version") : "(none)", S(v, "produced_by") ? S(v, "produced_by") : "?",
		     S(v, "created_at") ? S(v, "created_at") : "?");
	mrm__doc_kv(d, "Data", S(v, "data"));
	mrm__doc_kv(d, "Rows", mrm__doc_text(v, "rows", buf, sizeof(buf)));
	mrm__doc_kv(d, "Task", S(v, "task"));
	mrm__doc_kvf(d, "Tests", "%s of %s passed", mrm__doc_text(tests, "passed", buf, 32),
		     mrm__doc_text(tests, "total", buf + 32, 32));
	mrm__doc_kv_end(d);
	mrm__doc_metrics_table(d, json_object_get(v, "metrics"));
	if (json_array_size(json_object_get(tests, "failed_tests"))) {
		mrm__doc_h3(d, "Failed tests");
		mrm__doc_ul(d);
		json_array_foreach(json_object_get(tests, "failed_tests"), i, t) {
			char n[MRM__NUM];
			mrm__doc_lif(d, "%s: %s (value %s)", S(t, "name") ? S(t, "name") : "?",
				     S(t, "condition") ? S(t, "condition") : "?",
				     mrm__doc_num(json_object_get(t, "value"), n) ? n : MRM__DASH);
		}
		mrm__doc_ul_end(d);
	}
}

static void monitoring(struct mrm__doc *d, json_t *mon, const char *id)
{
	static const char *const head[] = { "Monitor", "Signal", "#Warn", "#Alert", "Last run", "Last level" };
	json_t *active = json_object_get(mon, "active"), *m;
	char a[MRM__NUM], b[MRM__NUM];
	size_t i;

	mrm__doc_h2(d, "monitoring", "Monitoring in place");
	if (!json_array_size(active)) {
		mrm__doc_missing(d, "no active monitor (mrm monitor add %s --signal ...)", id ? id : "ID");
	} else {
		mrm__doc_table(d, head, 6);
		json_array_foreach(active, i, m) {
			if (!mrm__doc_row(d))
				continue;
			mrm__doc_cell(d, S(m, "id"));
			mrm__doc_cell_code(d, S(m, "signal"));
			mrm__doc_cell(d, mrm__doc_num(json_object_get(m, "warn"), a));
			mrm__doc_cell(d, mrm__doc_num(json_object_get(m, "alert"), b));
			mrm__doc_cell(d, S(m, "last_run") ? S(m, "last_run") : "never");
			mrm__doc_cell(d, S(m, "last_level"));
		}
		mrm__doc_table_end(d);
	}
	if (json_array_size(json_object_get(mon, "open_alerts")))
		mrm__doc_pf(d, "Open alerts: %zu (mrm alert list --status open).",
			    json_array_size(json_object_get(mon, "open_alerts")));
}

static void review(struct mrm__doc *d, json_t *data)
{
	json_t *last = json_object_get(data, "last_review"), *open = json_object_get(data, "open_review");
	json_t *so = json_object_get(data, "signoffs"), *s;
	size_t i;

	mrm__doc_h2(d, "review", "Review and sign-offs");
	mrm__doc_kv_begin(d);
	if (json_is_object(last))
		mrm__doc_kvf(d, "Last review", "%s of version %s: %s by %s on %s", S(last, "id"),
			     S(last, "version") ? S(last, "version") : "(none)", S(last, "decision"),
			     S(last, "decided_by") ? S(last, "decided_by") : "?",
			     S(last, "decided_at") ? S(last, "decided_at") : "?");
	else
		mrm__doc_kv_missing(d, "Last review", "never reviewed");
	if (json_is_object(last) && S(last, "decision_note"))
		mrm__doc_kv(d, "Decision record", S(last, "decision_note"));
	if (json_is_object(last) && json_array_size(json_object_get(last, "conditions"))) {
		char buf[2048];
		mrm__doc_kv(d, "Conditions", mrm__doc_join(json_object_get(last, "conditions"), buf, sizeof(buf)));
	}
	if (json_is_object(open))
		mrm__doc_kvf(d, "Open review", "%s of version %s (%s)", S(open, "id"),
			     S(open, "version") ? S(open, "version") : "(none)",
			     S(open, "reason") ? S(open, "reason") : "no reason given");
	mrm__doc_kv(d, "Next review due", S(json_object_get(data, "model"), "next_review_due"));
	json_array_foreach(so, i, s)
		mrm__doc_kvf(d, "Sign-off", "%s by %s on %s (%s)", S(s, "role"), S(s, "user_name"),
			     S(s, "created_at") ? S(s, "created_at") : "?", S(s, "id"));
	if (!json_array_size(so))
		mrm__doc_kv(d, "Sign-offs", "none for the current version");
	mrm__doc_kv_end(d);
}

static void limitations(struct mrm__doc *d, json_t *lim)
{
	json_t *w = json_object_get(lim, "validation_warnings"), *v;
	size_t i;

	mrm__doc_h2(d, "limitations", "Limitations and open findings");
	if (S(lim, "out_of_scope_use"))
		mrm__doc_pf(d, "Not to be used for: %s.", S(lim, "out_of_scope_use"));
	if (json_array_size(json_object_get(lim, "open_findings"))) {
		mrm__doc_p(d, "Findings not closed:");
		mrm__doc_findings_table(d, json_object_get(lim, "open_findings"));
	} else {
		mrm__doc_p(d, "No finding is open.");
	}
	if (json_array_size(w)) {
		mrm__doc_h3(d, "Warnings of the latest validation run");
		mrm__doc_ul(d);
		json_array_foreach(w, i, v)
			mrm__doc_li(d, json_string_value(v));
		mrm__doc_ul_end(d);
	}
}

static void evidence(struct mrm__doc *d, json_t *ev)
{
	static const char *const head[] = { "Evidence", "Kind", "Version", "Registered by", "On", "SHA-256" };
	json_t *e;
	size_t i;

	mrm__doc_h2(d, "evidence", "Evidence on file");
	mrm__doc_table(d, head, 6);
	json_array_foreach(ev, i, e) {
		char sha[24];
		if (!mrm__doc_row(d))
			continue;
		mrm__doc_cell(d, S(e, "id"));
		mrm__doc_cell(d, S(e, "kind"));
		mrm__doc_cell(d, S(e, "version"));
		mrm__doc_cell(d, S(e, "produced_by"));
		mrm__doc_cell(d, S(e, "created_at"));
		snprintf(sha, sizeof(sha), "%.16s", S(e, "sha256") ? S(e, "sha256") : "");
		mrm__doc_cell_code(d, sha);
	}
	mrm__doc_table_end(d);
}

void mrm__doc_model_card(struct mrm__doc *d, json_t *data)
{
	json_t *m = json_object_get(data, "model"), *t = json_object_get(data, "tier");
	char title[512], sub[512], tb[16];

	snprintf(title, sizeof(title), "Model card: %s", S(m, "name") ? S(m, "name") : "?");
	snprintf(sub, sizeof(sub), "%s \xc2\xb7 version %s \xc2\xb7 tier %s \xc2\xb7 %s \xc2\xb7 owner %s",
		 S(m, "id") ? S(m, "id") : "?", S(m, "current_version") ? S(m, "current_version") : "none",
		 mrm__doc_text(t, "tier", tb, sizeof(tb)) ? tb : "not assessed",
		 S(m, "status") ? S(m, "status") : "?", S(m, "owner") ? S(m, "owner") : "?");
	mrm__doc_begin(d, title, sub);
	identity(d, m);
	tier(d, t);
	versions(d, json_object_get(data, "versions"));
	mrm__doc_run_section(d, json_object_get(data, "validation"), "Latest validation");
	monitoring(d, json_object_get(data, "monitoring"), S(m, "id"));
	review(d, data);
	limitations(d, json_object_get(data, "limitations"));
	evidence(d, json_object_get(data, "evidence"));
	mrm__doc_end(d, S(data, "generated_at"));
}
