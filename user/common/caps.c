// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Capability check; see caps.h. */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include "caps.h"
#include "log.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has_cap(const struct __user_cap_data_struct *data, int cap)
{
	return data[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap);
}

bool caps_sufficient(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	/* No libcap dependency for two bits: ask the kernel directly. */
	if (syscall(SYS_capget, &hdr, data))
		return false;
	return has_cap(data, CAP_NET_ADMIN) &&
	       (has_cap(data, CAP_BPF) || has_cap(data, CAP_SYS_ADMIN));
}

int caps_require(void)
{
	if (caps_sufficient())
		return 0;
	log_error("xdp-router needs CAP_NET_ADMIN and CAP_BPF/CAP_SYS_ADMIN "
		  "(run as root)");
	return -EPERM;
}
