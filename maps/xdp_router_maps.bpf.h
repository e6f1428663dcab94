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

#endif /* XDP_ROUTER_MAPS_BPF_H */
