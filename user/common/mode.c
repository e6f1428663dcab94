// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* XDP attach modes, route lookup and firewall modes; see mode.h. */
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

static const char *const lookup_names[] = {
	[XR_LOOKUP_FIB] = "fib",
	[XR_LOOKUP_TABLE] = "table",
};

static const char *const fw_mode_names[] = {
	[XR_FW_AUTO] = "auto",
	[XR_FW_CONNTRACK] = "conntrack",
	[XR_FW_OFF] = "off",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int name_index(const char *const *names, unsigned int n,
		      const char *s)
{
	for (unsigned int i = 0; i < n; i++)
		if (names[i] && !strcmp(s, names[i]))
			return i;
	return -EINVAL;
}

static const char *index_name(const char *const *names, unsigned int n,
			      unsigned int i)
{
	return i < n && names[i] ? names[i] : "unknown";
}

int mode_parse(const char *s, enum xr_mode *mode)
{
	int i = name_index(mode_names, ARRAY_SIZE(mode_names), s);

	if (i < 0)
		return i;
	*mode = i;
	return 0;
}

const char *mode_name(enum xr_mode mode)
{
	return index_name(mode_names, ARRAY_SIZE(mode_names), mode);
}

int lookup_parse(const char *s, enum xr_lookup_mode *lookup)
{
	int i = name_index(lookup_names, ARRAY_SIZE(lookup_names), s);

	if (i < 0)
		return i;
	*lookup = i;
	return 0;
}

const char *lookup_name(enum xr_lookup_mode lookup)
{
	return index_name(lookup_names, ARRAY_SIZE(lookup_names), lookup);
}

int fw_mode_parse(const char *s, enum xr_fw_mode *fw)
{
	int i = name_index(fw_mode_names, ARRAY_SIZE(fw_mode_names), s);

	if (i < 0)
		return i;
	*fw = i;
	return 0;
}

const char *fw_mode_name(enum xr_fw_mode fw)
{
	return index_name(fw_mode_names, ARRAY_SIZE(fw_mode_names), fw);
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
