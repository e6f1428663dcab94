/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Names of the data plane's packet outcomes, as stats prints them. */
#ifndef XR_OUTCOMES_H
#define XR_OUTCOMES_H

#include "xdp_router_types.h"

/* Indexed by enum xr_outcome; every entry is set. */
extern const char *const xr_outcome_names[XR_OUTCOME_MAX];

#endif /* XR_OUTCOMES_H */
