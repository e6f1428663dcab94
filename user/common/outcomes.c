// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Outcome names, from the list of outcomes (maps/xr_outcomes.h). */
#include "outcomes.h"

#define OUTCOME_NAME(id, name) [id] = name,
const char *const xr_outcome_names[XR_OUTCOME_MAX] = {
	XR_OUTCOMES(OUTCOME_NAME)
};
