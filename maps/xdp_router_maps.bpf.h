/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The router's maps, as the BPF side declares them: every row of the list
 * of maps (XR_MAPS, xr_maps.h; what each map holds is told beside its
 * row). The control plane reaches them through the skeleton (at load) or
 * through their pins (afterwards); the pin file names are the map names.
 */
#ifndef XDP_ROUTER_MAPS_BPF_H
#define XDP_ROUTER_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdp_router_types.h"

/* This declares xr_route_watch too: xr_route_watch.bpf.h, which declares
 * it for the watchers' object, must then add nothing. */
#ifdef XR_ROUTE_WATCH_BPF_H
#error "include xdp_router_maps.bpf.h instead of xr_route_watch.bpf.h"
#endif
#define XR_ROUTE_WATCH_BPF_H

XR_MAPS(XR_BPF_MAP_DEFINE)

#endif /* XDP_ROUTER_MAPS_BPF_H */
