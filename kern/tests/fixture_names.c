// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Names of XDP actions and xr_outcome values, and the per-CPU scratch
 * value: shared by the fixture runner and the packet fuzzer.
 */

#include <string.h>
#include "fixture_runner.h"

#define NAME(x) [x] = #x
const char *const action_names[XDP_REDIRECT + 1] = {
	NAME(XDP_ABORTED), NAME(XDP_DROP), NAME(XDP_PASS), NAME(XDP_TX),
	NAME(XDP_REDIRECT),
};

_Static_assert(XR_OUTCOME_MAX == 21, "new outcome: add it to outcome_names");
const char *const outcome_names[XR_OUTCOME_MAX] = {
	NAME(XR_REDIRECT), NAME(XR_LB_TX), NAME(XR_PASS_NOT_IP),
	NAME(XR_PASS_L2_OTHER),
	NAME(XR_PASS_IP_MCAST), NAME(XR_PASS_MARTIAN),
	NAME(XR_PASS_V6_LINK_LOCAL), NAME(XR_PASS_IP_OPTIONS),
	NAME(XR_PASS_TTL_EXPIRED), NAME(XR_PASS_NOT_FWDED),
	NAME(XR_PASS_UNREACHABLE), NAME(XR_PASS_NO_NEIGH),
	NAME(XR_PASS_FRAG_NEEDED), NAME(XR_PASS_UNSUPPORTED),
	NAME(XR_PASS_EGRESS_NOT_XDP), NAME(XR_DROP_MALFORMED),
	NAME(XR_DROP_BAD_CSUM), NAME(XR_DROP_BLACKHOLE),
	NAME(XR_DROP_LB_NO_BACKEND), NAME(XR_DROP_LB_FRAG), NAME(XR_ABORTED),
};
#undef NAME

/* One value per possible CPU; libbpf wants them 8-byte aligned, which the
 * struct already is. */
_Static_assert(sizeof(struct xr_iface) % 8 == 0, "per-CPU value stride");
struct xr_iface *percpu_value;

const char *name_of(const char *const *names, size_t n, int value)
{
	if (value < 0 || (size_t)value >= n || !names[value])
		return "?";
	return names[value];
}

int value_of(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return (int)i;
	return -1;
}
