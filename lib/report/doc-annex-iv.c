/* The EU AI Act Annex IV technical documentation skeleton: nine sections, each item filled from the store or marked MISSING. */
#include <stdio.h>
#include <string.h>

#include "report/doc.h"

#define S(o, k) mrm__json_str((o), (k))

void mrm__doc_annex_iv(struct mrm__doc *d, json_t *data)
{
	json_t *m = json_object_get(data, "model"), *sec, *it;
	char title[512], sub[512], h[400], buf[1024], n[32];
	size_t i, k;

	snprintf(title, sizeof(title), "Technical documentation (EU AI Act Annex IV): %s",
		 S(m, "name") ? S(m, "name") : "?");
	snprintf(sub, sizeof(sub), "%s \xc2\xb7 version %s \xc2\xb7 skeleton filled from the mrm store: %s item%s "
		 "MISSING", S(m, "id") ? S(m, "id") : "?", S(m, "current_version") ? S(m, "current_version") : "none",
		 mrm__doc_text(data, "missing", n, sizeof(n)) ? n : "?",
		 json_integer_value(json_object_get(data, "missing")) == 1 ? " is" : "s are");
	mrm__doc_begin(d, title, sub);
	mrm__doc_note(d, "A skeleton, not the documentation itself: each item states what the mrm store "
			 "records, or what is missing and how to add it. Items that mrm cannot know (hardware, "
			 "standards applied, the declaration of conformity) stay missing until someone registers "
			 "the document as evidence. Section titles paraphrase Annex IV.");
	json_array_foreach(json_object_get(data, "sections"), i, sec) {
		/* The catalogue's titles name the point ("Annex IV(1) ..."); a bare title gets its id. */
		if (S(sec, "title") && !strncmp(S(sec, "title"), "Annex IV", 8))
			snprintf(h, sizeof(h), "%s", S(sec, "title"));
		else
			snprintf(h, sizeof(h), "%s %s", S(sec, "id") ? S(sec, "id") : "?",
				 S(sec, "title") ? S(sec, "title") : "");
		mrm__doc_h2(d, S(sec, "id") ? S(sec, "id") : "section", h);
		mrm__doc_kv_begin(d);
		json_array_foreach(json_object_get(sec, "items"), k, it) {
			if (S(it, "missing"))
				mrm__doc_kv_missing(d, S(it, "label") ? S(it, "label") : "?", S(it, "missing"));
			else
				mrm__doc_kv(d, S(it, "label") ? S(it, "label") : "?", S(it, "text"));
		}
		mrm__doc_kv_end(d);
		if (json_array_size(json_object_get(sec, "controls")))
			mrm__doc_note(d, "mrm controls producing evidence for this section: %s.",
				      mrm__doc_join(json_object_get(sec, "controls"), buf, sizeof(buf)));
	}
	mrm__doc_end(d, S(data, "generated_at"));
}
