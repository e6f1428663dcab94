/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The firewall gate's flows (struct xr_fw_flow) for the recorder's object
 * (kern/fw_record.bpf.c, which the CLI hands the router's pinned map with
 * bpf_map__reuse_fd()). The router's object declares it with all its maps
 * (xdp_router_maps.bpf.h).
 */
#ifndef XR_FW_FLOWS_BPF_H
#define XR_FW_FLOWS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdp_router_types.h"

XR_FIREWALL_MAPS(XR_BPF_MAP_DEFINE)

#endif /* XR_FW_FLOWS_BPF_H */
