/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * XDP attach modes as the CLI names them, and their kernel flags; route
 * lookup modes (attach --lookup) and firewall modes (attach --firewall) by
 * name.
 */
#ifndef XR_MODE_H
#define XR_MODE_H

#include <linux/types.h>
#include "xdp_router_types.h"

enum xr_mode {
	XR_MODE_AUTO,		/* native, else generic */
	XR_MODE_NATIVE,		/* in the driver */
	XR_MODE_GENERIC,	/* in the stack (skb) */
	XR_MODE_OFFLOAD,	/* on the NIC */
};

/* 0, or -EINVAL if @s is not one of auto|native|generic|offload. */
int mode_parse(const char *s, enum xr_mode *mode);
const char *mode_name(enum xr_mode mode);
/* XDP_FLAGS_*_MODE of an explicit mode; 0 for auto. */
__u32 mode_flags(enum xr_mode mode);

/* 0, or -EINVAL if @s is not one of fib|table. */
int lookup_parse(const char *s, enum xr_lookup_mode *lookup);
const char *lookup_name(enum xr_lookup_mode lookup);

/* 0, or -EINVAL if @s is not one of auto|conntrack|off. */
int fw_mode_parse(const char *s, enum xr_fw_mode *fw);
const char *fw_mode_name(enum xr_fw_mode fw);

#endif /* XR_MODE_H */
