// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Outcome names, in the order of enum xr_outcome. */
#include "outcomes.h"

const char *const xr_outcome_names[] = {
	[XR_REDIRECT] = "redirect",
	[XR_LB_TX] = "lb_tx",
	[XR_PASS_NOT_IP] = "pass_not_ip",
	[XR_PASS_L2_OTHER] = "pass_l2_other",
	[XR_PASS_IP_MCAST] = "pass_ip_mcast",
	[XR_PASS_MARTIAN] = "pass_martian",
	[XR_PASS_V6_LINK_LOCAL] = "pass_v6_link_local",
	[XR_PASS_IP_OPTIONS] = "pass_ip_options",
	[XR_PASS_TTL_EXPIRED] = "pass_ttl_expired",
	[XR_PASS_NOT_FWDED] = "pass_not_fwded",
	[XR_PASS_UNREACHABLE] = "pass_unreachable",
	[XR_PASS_NO_NEIGH] = "pass_no_neigh",
	[XR_PASS_FRAG_NEEDED] = "pass_frag_needed",
	[XR_PASS_UNSUPPORTED] = "pass_unsupported",
	[XR_PASS_EGRESS_NOT_XDP] = "pass_egress_not_xdp",
	[XR_DROP_MALFORMED] = "drop_malformed",
	[XR_DROP_BAD_CSUM] = "drop_bad_csum",
	[XR_DROP_BLACKHOLE] = "drop_blackhole",
	[XR_DROP_LB_NO_BACKEND] = "drop_lb_no_backend",
	[XR_DROP_LB_FRAG] = "drop_lb_frag",
	[XR_ABORTED] = "aborted",
};

/*
 * A new last outcome without a name fails the build here; a hole in the
 * middle (a NULL name) fails the unit test test_outcomes.
 */
_Static_assert(sizeof(xr_outcome_names) / sizeof(xr_outcome_names[0]) ==
	       XR_OUTCOME_MAX, "xr_outcome_names[] out of sync with enum");
