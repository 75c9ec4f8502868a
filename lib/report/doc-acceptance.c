/* The risk acceptance memo: who accepted which residual risk, why, until when, on what triggers, under which authority rule, and its status now. */
#include <stdio.h>
#include <string.h>

#include "report/doc.h"

#define S(o, k) mrm__json_str((o), (k))

static const char *state_cls(const char *s)
{
	if (s && !strcmp(s, "active"))
		return "ok";
	if (s && !strcmp(s, "expired"))
		return "warn";
	return "bad";
}

void mrm__doc_acceptance(struct mrm__doc *d, json_t *data)
{
	static const char *const fhead[] = { "Finding", "Severity", "Category", "Title", "Owner", "Due",
					     "Status now" };
	static const char *const rhead[] = { "Finding", "Severity", "Policy allows", "#Max days", "Within policy" };
	json_t *a = json_object_get(data, "acceptance"), *m = json_object_get(data, "model");
	json_t *auth = json_object_get(data, "authority"), *st = json_object_get(data, "status"), *e;
	char title[256], sub[512], buf[1024], n[64];
	const char *state = S(st, "state");
	size_t i;

	snprintf(title, sizeof(title), "Risk acceptance %s", S(a, "id") ? S(a, "id") : "?");
	snprintf(sub, sizeof(sub), "%s (%s) \xc2\xb7 accepted by %s \xc2\xb7 until %s \xc2\xb7 %s",
		 S(m, "name") ? S(m, "name") : "?", S(m, "id") ? S(m, "id") : "?",
		 S(a, "accepted_by") ? S(a, "accepted_by") : "?", S(a, "expires") ? S(a, "expires") : "?",
		 state ? state : "?");
	mrm__doc_begin(d, title, sub);
	snprintf(buf, sizeof(buf), "%s", state ? state : "?");
	for (char *p = buf; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	mrm__doc_callout(d, state_cls(state), buf, S(st, "text"));

	mrm__doc_h2(d, "decision", "The decision");
	mrm__doc_kv_begin(d);
	mrm__doc_kvf(d, "Model", "%s (%s), owner %s, tier %s now", S(m, "name") ? S(m, "name") : "?",
		     S(m, "id") ? S(m, "id") : "?", S(m, "owner") ? S(m, "owner") : "?",
		     mrm__doc_text(m, "tier", n, sizeof(n)) ? n : "none");
	mrm__doc_kvf(d, "Accepted by", "%s, in role %s, on %s", S(a, "accepted_by") ? S(a, "accepted_by") : "?",
		     S(a, "authority_role") ? S(a, "authority_role") : "?",
		     S(a, "created_at") ? S(a, "created_at") : "?");
	mrm__doc_kv(d, "Model tier when accepted", mrm__doc_text(a, "model_tier", n, sizeof(n)));
	mrm__doc_kv(d, "Why the risk is acceptable", S(a, "rationale"));
	if (S(a, "controls"))
		mrm__doc_kv(d, "Compensating controls", S(a, "controls"));
	else
		mrm__doc_kv_missing(d, "Compensating controls", "none recorded");
	if (mrm__doc_text(data, "term_days", n, sizeof(n)))
		mrm__doc_kvf(d, "Until", "%s (a term of %s days%s)", S(a, "expires") ? S(a, "expires") : "?", n,
			     S(a, "revoked_at") ? "; revoked before it ended"
						: "; the findings count as open again on that day");
	else
		mrm__doc_kv(d, "Until", S(a, "expires"));
	if (S(a, "revoked_at"))
		mrm__doc_kvf(d, "Revoked", "on %s by %s: %s", S(a, "revoked_at"),
			     S(a, "revoked_by") ? S(a, "revoked_by") : "?",
			     S(a, "revoke_reason") ? S(a, "revoke_reason") : "no reason recorded");
	mrm__doc_kv_end(d);

	mrm__doc_h2(d, "findings", "The residual risk accepted");
	mrm__doc_table(d, fhead, 7);
	json_array_foreach(json_object_get(data, "findings"), i, e) {
		const char *sev = S(e, "severity");
		if (!mrm__doc_row(d))
			continue;
		mrm__doc_cell(d, S(e, "id"));
		mrm__doc_cell_status(d, sev && (!strcmp(sev, "critical") || !strcmp(sev, "high") ||
						!strcmp(sev, "medium") || !strcmp(sev, "low")) ? sev : "na",
				     sev ? sev : "?");
		mrm__doc_cell(d, S(e, "category"));
		mrm__doc_cell(d, S(e, "title"));
		mrm__doc_cell(d, S(e, "owner"));
		mrm__doc_cell(d, S(e, "due"));
		mrm__doc_cell(d, S(e, "status_now"));
	}
	mrm__doc_table_end(d);

	mrm__doc_h2(d, "triggers", "Re-review triggers");
	if (json_array_size(json_object_get(a, "triggers"))) {
		mrm__doc_ul(d);
		json_array_foreach(json_object_get(a, "triggers"), i, e)
			mrm__doc_li(d, json_string_value(e));
		mrm__doc_ul_end(d);
	} else {
		mrm__doc_missing(d, "no re-review trigger was recorded (mrm accept --trigger TEXT)");
	}

	mrm__doc_h2(d, "authority", "Authority");
	mrm__doc_p(d, S(auth, "core_rule"));
	mrm__doc_pf(d, "Enforced by mrm when the acceptance was recorded: %s accepted in role %s.",
		    S(a, "accepted_by") ? S(a, "accepted_by") : "?", S(auth, "authority_role") ? S(auth, "authority_role") : "?");
	{
		json_t *pol = json_object_get(auth, "policy");
		mrm__doc_pf(d, "Policy %s (%s), at the tier the acceptance was given:",
			    S(pol, "name") ? S(pol, "name") : "?", S(pol, "source") ? S(pol, "source") : "?");
	}
	mrm__doc_table(d, rhead, 5);
	json_array_foreach(json_object_get(auth, "policy_rules"), i, e) {
		json_t *probs = json_object_get(e, "problems"), *p;
		size_t k, used = 0;
		char why[1024] = "";
		if (!mrm__doc_row(d))
			continue;
		mrm__doc_cell(d, S(e, "finding"));
		mrm__doc_cell(d, S(e, "severity"));
		if (json_is_false(json_object_get(e, "allowed")))
			mrm__doc_cell(d, "no one (may not be accepted)");
		else
			mrm__doc_cell(d, mrm__doc_join(json_object_get(e, "roles"), buf, sizeof(buf)));
		mrm__doc_cell(d, mrm__doc_text(e, "max_days", n, sizeof(n)));
		json_array_foreach(probs, k, p) {
			int w = snprintf(why + used, sizeof(why) - used, "%s%s", used ? "; " : "",
					 json_is_string(p) ? json_string_value(p) : "?");
			if (w > 0 && (size_t)w < sizeof(why) - used)
				used += (size_t)w;
		}
		if (json_is_true(json_object_get(e, "within_policy")))
			mrm__doc_cell_status(d, "pass", "yes");
		else if (used)
			mrm__doc_cellf(d, "NO: %s", why);
		else
			mrm__doc_cell_status(d, "na", "no rule");
	}
	mrm__doc_table_end(d);
	if (json_is_false(json_object_get(auth, "within_policy")))
		mrm__doc_callout(d, "bad", "OUTSIDE POLICY", "This acceptance is outside the policy's authority "
				 "or term for at least one finding: a gate fails on it (MRM-ACC-01).");
	mrm__doc_end(d, S(data, "generated_at"));
}
