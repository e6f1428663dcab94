/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The route cache's neighbour change counter (struct xr_route_watch) for
 * the watchers' object (kern/route_watch.bpf.c, which the CLI hands the
 * router's map with bpf_map__reuse_fd()): the one row of the list of maps
 * both BPF objects declare. The router's object declares it with all its
 * maps (xdp_router_maps.bpf.h).
 */
#ifndef XR_ROUTE_WATCH_BPF_H
#define XR_ROUTE_WATCH_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdp_router_types.h"

XR_ROUTE_WATCH_MAPS(XR_BPF_MAP_DEFINE)

#endif /* XR_ROUTE_WATCH_BPF_H */
