/* Internal helpers shared by the profile builder and the profile file format. */
#ifndef MRM_MONITOR_PROFILE_INTERNAL_H
#define MRM_MONITOR_PROFILE_INTERNAL_H

#include "mrm/profile.h"

#define MRM__PROFILE_NQ 7
#define MRM__PROFILE_SEED 0x4d524d50u

/* Frees a column's name and sketches and zeroes it. */
void mrm__profile_column_release(struct mrm_profile_column *c);

#endif
