// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* XDP attach modes; see mode.h. */
#include <errno.h>
#include <string.h>
#include <linux/if_link.h>
#include "mode.h"

static const char *const mode_names[] = {
	[XR_MODE_AUTO] = "auto",
	[XR_MODE_NATIVE] = "native",
	[XR_MODE_GENERIC] = "generic",
	[XR_MODE_OFFLOAD] = "offload",
};

int mode_parse(const char *s, enum xr_mode *mode)
{
	for (unsigned int i = 0; i < sizeof(mode_names) / sizeof(*mode_names);
	     i++) {
		if (!strcmp(s, mode_names[i])) {
			*mode = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *mode_name(enum xr_mode mode)
{
	if ((unsigned int)mode >= sizeof(mode_names) / sizeof(*mode_names))
		return "unknown";
	return mode_names[mode];
}

__u32 mode_flags(enum xr_mode mode)
{
	switch (mode) {
	case XR_MODE_NATIVE:
		return XDP_FLAGS_DRV_MODE;
	case XR_MODE_GENERIC:
		return XDP_FLAGS_SKB_MODE;
	case XR_MODE_OFFLOAD:
		return XDP_FLAGS_HW_MODE;
	default:
		return 0;
	}
}
