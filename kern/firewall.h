/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The firewall gate (in progress).
 */
#ifndef XR_FIREWALL_H
#define XR_FIREWALL_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdp_router_types.h"

/* Load-time knob: enum xr_fw_mode (attach --firewall). */
const volatile __u32 xr_fw_mode = XR_FW_AUTO;

#endif /* XR_FIREWALL_H */
