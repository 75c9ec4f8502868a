/*
 * mrm drift when a side is a profile (mrm profile): the measures from the sketches, with their
 * bounds, and the same decisions, corrections and summary as for two data files.
 */
#ifndef MRM_DRIFT_PROFILE_H
#define MRM_DRIFT_PROFILE_H

#include <stdbool.h>

#include <jansson.h>

#include "mrm/drift.h"
#include "mrm/error.h"

/* True when the reference or the current input is a profile file (by its magic bytes). */
bool drift_profile_inputs(const struct mrm_drift_options *o);

/*
 * mrm_drift_run for inputs of which at least one is a profile: a data file is profiled on the
 * fly with the same reading options (the current one counted exactly in the reference
 * profile's bins). Same document, return codes and errors as mrm_drift_run, plus "source",
 * per-column "approximate" markers and bounds (docs/drift.md, "Profiles as inputs").
 */
int drift_profile_run(const struct mrm_drift_options *o, json_t **out, struct mrm_error *err);

struct mrm_profile;
struct mrm_profile_column;

/* The first column of `p` named `name`, or NULL. */
const struct mrm_profile_column *drift_profile_column(const struct mrm_profile *p, const char *name);

/*
 * The data-quality checks (quality-profile.c) between the profiles `rp` and `cp` (either
 * possibly built from a data file in this run: `ref_profile` / `cur_profile` say which were
 * read as profiles), over the n compared columns `names` and the "missing_in_current" and
 * "new_in_current" problems of `schema`, with the thresholds of o->checks: sets "quality" and
 * "quality_failed" on doc, the number of failed entries in *failed and their names in `text`
 * (cap bytes). docs/drift.md, "Data quality from profiles", says which checks are exact.
 * MRM_EUSAGE for a bad --check; MRM_EINPUT when memory runs out.
 */
int drift_profile_quality(const struct mrm_drift_options *o, const struct mrm_profile *rp,
			  const struct mrm_profile *cp, bool ref_profile, bool cur_profile,
			  const char *const *names, size_t n, json_t *schema, json_t *doc,
			  size_t *failed, char *text, size_t cap, struct mrm_error *err);

#endif
