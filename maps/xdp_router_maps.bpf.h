/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The router's maps, as the BPF side declares them. The control plane reaches
 * them through the skeleton (at load) or through their pins (afterwards); the
 * pin file names are the map names from xdp_router_types.h.
 */
#ifndef XDP_ROUTER_MAPS_BPF_H
#define XDP_ROUTER_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdp_router_types.h"

/*
 * Egress interfaces the router may redirect to: the interfaces it is attached
 * to. Keyed by ifindex, so sparse ifindexes cost nothing.
 */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, XR_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} xr_tx_ports SEC(".maps");

/* Per-CPU interface conf and outcome counters, keyed by ingress ifindex. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, XR_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct xr_iface);
} xr_ifaces SEC(".maps");

/*
 * Table lookup mode: the FIB mirrored by `xdp-router populate`. The CLI sizes
 * the tries at load time; LPM tries allocate per entry (BPF_F_NO_PREALLOC is
 * mandatory), so a large max_entries costs nothing until used.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XR_DEFAULT_ROUTES_V4);
	__type(key, struct xr_lpm_v4);
	__type(value, struct xr_route);
} xr_routes_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XR_DEFAULT_ROUTES_V6);
	__type(key, struct xr_lpm_v6);
	__type(value, struct xr_route);
} xr_routes_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XR_MAX_NEXTHOPS);
	__type(key, __u32);
	__type(value, struct xr_nexthop);
} xr_nexthops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XR_MAX_NH_GROUPS);
	__type(key, __u32);
	__type(value, struct xr_nh_group);
} xr_nh_groups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XR_MAX_NEIGH);
	__type(key, struct xr_neigh_key);
	__type(value, struct xr_neigh);
} xr_neigh SEC(".maps");

#endif /* XDP_ROUTER_MAPS_BPF_H */
