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

#define OUTCOME_NAME(id, name) NAME(id),
const char *const outcome_names[XR_OUTCOME_MAX] = {
	XR_OUTCOMES(OUTCOME_NAME)
};
#undef OUTCOME_NAME
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
