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

#endif
