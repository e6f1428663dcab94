/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The route cache's neighbour change counter (struct xr_route_watch): in a
 * header of its own because both BPF objects declare it, the router
 * (kern/xdp_router.bpf.c) and its watchers (kern/route_watch.bpf.c, which
 * the CLI hands the router's map with bpf_map__reuse_fd()).
 */
#ifndef XR_ROUTE_WATCH_BPF_H
#define XR_ROUTE_WATCH_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdp_router_types.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xr_route_watch);
} xr_route_watch SEC(".maps");

#endif /* XR_ROUTE_WATCH_BPF_H */
