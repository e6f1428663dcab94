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

/*
 * Per-CPU interface conf and outcome counters, keyed by ingress ifindex:
 * the array for ifindex < XR_IFINDEX_DIRECT (inlined lookup, the common
 * case), the hash for the rest.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XR_IFINDEX_DIRECT);
	__type(key, __u32);
	__type(value, struct xr_iface);
} xr_ifaces_arr SEC(".maps");

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

/*
 * Load balancer (kern/lb.h). The CLI sizes the VIP maps at load time
 * (attach --lb-max-vips N: N rows of XR_LB_RING_SIZE slots in xr_lb_rings)
 * and the connection table (--lb-max-conns).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xr_lb_conf);
} xr_lb_conf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XR_LB_DEFAULT_MAX_VIPS);
	__type(key, struct xr_vip_key);
	__type(value, struct xr_vip);
} xr_lb_vips SEC(".maps");

/* VIP id -> its key. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XR_LB_DEFAULT_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct xr_vip_key);
} xr_lb_vip_keys SEC(".maps");

/* VIP id * XR_LB_RING_SIZE + slot -> backend id. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XR_LB_DEFAULT_MAX_VIPS * XR_LB_RING_SIZE);
	__type(key, __u32);
	__type(value, __u32);
} xr_lb_rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XR_LB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xr_backend);
} xr_lb_backends SEC(".maps");

/*
 * The connection table. One table shared by every CPU, with one LRU list:
 * a NAT flow's two directions have different tuples, so RSS delivers them
 * on different CPUs, and each must see the entry the other wrote; a flow
 * moved to another CPU (RSS table change, cpumap) must keep its backend;
 * and a per-CPU LRU would cut the capacity to max_entries / CPUs for a
 * flow mix that RSS spreads unevenly. See kern/lb_conn.h for measurements.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XR_LB_DEFAULT_CONNS);
	__type(key, struct xr_flow_key);
	__type(value, struct xr_lb_conn);
} xr_lb_conns SEC(".maps");

/*
 * Fragmented VIP datagrams: (src, dst, proto, IP id) -> the backend their
 * first fragment went to. The id is in the key's port fields, host order
 * (sport: high 16 bits, IPv6 only; dport: low 16 bits).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XR_LB_DEFAULT_FRAGS);
	__type(key, struct xr_flow_key);
	__type(value, struct xr_lb_conn);
} xr_lb_frags SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XR_LB_DEFAULT_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct xr_vip_stats);
} xr_lb_vip_stats SEC(".maps");

/* Packets and bytes sent to each backend, by backend id. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XR_LB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xr_counter);
} xr_lb_backend_stats SEC(".maps");

/* The CLI's LB configuration metadata; the program never reads these. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XR_LB_DEFAULT_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct xr_lb_vip_meta);
} xr_lb_vip_meta SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XR_LB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xr_lb_be_meta);
} xr_lb_be_meta SEC(".maps");

/*
 * attach --cpus (kern/cpu_steer.h): CPU number -> its queue and kthread,
 * running the router's cpumap program. The CLI sizes it to the possible
 * CPUs and fills the entries of the listed CPUs.
 */
struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, XR_STEER_MAX_CPUS);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} xr_cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xr_cpu_stats);
} xr_cpu_stats SEC(".maps");

#include "xr_route_watch.bpf.h"

/*
 * The route cache, per CPU: slots in sets of two (the CLI sizes them at
 * load, a power of two), and each CPU's view of the kernel's routing state.
 * Not pinned: a reload starts with an empty cache.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XR_ROUTE_CACHE_DEFAULT);
	__type(key, __u32);
	__type(value, struct xr_rc_v4);
} xr_rc_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XR_ROUTE_CACHE_DEFAULT);
	__type(key, __u32);
	__type(value, struct xr_rc_v6);
} xr_rc_v6 SEC(".maps");

#endif /* XDP_ROUTER_MAPS_BPF_H */
