/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The list of the router's maps: one row per map, from which the BPF
 * definitions (xdp_router_maps.bpf.h), the CLI's enum router_pin and the
 * fds of struct router (user/router/router.h), its table of maps and the
 * checks of pinned maps (router.c, pin_check.c, router_reload.c) are made.
 * Each part of xdp_router_types.h lists the maps of its types; this header
 * puts them together. Part of xdp_router_types.h.
 *
 * A row is X(ID, name, type, key, value, max_entries, flags):
 *   ID           the map's name is XR_MAP_<ID>, its pin ROUTER_PIN_<ID>
 *   name         the map is xr_<name> in BPF, <name>_fd in struct router
 *   type         BPF_MAP_TYPE_<type>
 *   key, value   their types
 *   max_entries  as the object declares it: the size of a fixed-size map,
 *                the default of one sized at load time
 *   flags        XR_MAPF_*
 */
#ifndef XR_MAPS_LIST_H
#define XR_MAPS_LIST_H

/*
 * Its size is a load-time setting (attach --max-routes-*, --lb-max-*, ...):
 * a pin of any size (at least 1) is accepted and reload keeps the running
 * size. Without it, a pin must have max_entries.
 */
#define XR_MAPF_SIZED_AT_LOAD (1U << 0)
/*
 * Rows per VIP, attach --lb-max-vips: max_entries / XR_LB_DEFAULT_MAX_VIPS
 * of them; a router's per-VIP maps agree on the number of VIPs.
 */
#define XR_MAPF_PER_VIP (1U << 1)
/* The load balancer's (lb_state.h keeps these fds open). */
#define XR_MAPF_LB (1U << 2)
/* BPF_F_NO_PREALLOC: mandatory for LPM tries. */
#define XR_MAPF_NO_PREALLOC (1U << 3)
/* A pin of any size (at least 1) is accepted, though the size is fixed. */
#define XR_MAPF_SIZE_UNCHECKED (1U << 4)
/* BPF_F_MMAPABLE: user space writes it in place (arrays only). */
#define XR_MAPF_MMAPABLE (1U << 5)

/* The BPF map_flags a row's XR_MAPF_* flags give. */
#define XR_MAPF_BPF_FLAGS(flags_)					\
	(((flags_) & XR_MAPF_NO_PREALLOC ? BPF_F_NO_PREALLOC : 0) |	\
	 ((flags_) & XR_MAPF_MMAPABLE ? BPF_F_MMAPABLE : 0))

/*
 * The map names, also the file names of the pins under the pin path:
 * XR_MAP_<ID> is "xr_<name>" of its row (user/tests/test_maps_list.c).
 */
#define XR_MAP_TX_PORTS "xr_tx_ports"
#define XR_MAP_IFACES "xr_ifaces"
#define XR_MAP_IFACES_ARR "xr_ifaces_arr"
#define XR_MAP_ROUTES_V4 "xr_routes_v4"
#define XR_MAP_ROUTES_V6 "xr_routes_v6"
#define XR_MAP_NEXTHOPS "xr_nexthops"
#define XR_MAP_NH_GROUPS "xr_nh_groups"
#define XR_MAP_NEIGH "xr_neigh"
#define XR_MAP_DIR24_V4 "xr_dir24_v4"
#define XR_MAP_DIR8_V4 "xr_dir8_v4"
#define XR_MAP_DIR_LEAVES_V4 "xr_dir_leaves_v4"
#define XR_MAP_LB_CONF "xr_lb_conf"
#define XR_MAP_LB_VIPS "xr_lb_vips"
#define XR_MAP_LB_VIP_KEYS "xr_lb_vip_keys"
#define XR_MAP_LB_RINGS "xr_lb_rings"
#define XR_MAP_LB_BACKENDS "xr_lb_backends"
#define XR_MAP_LB_CONNS "xr_lb_conns"
#define XR_MAP_LB_FRAGS "xr_lb_frags"
#define XR_MAP_LB_VIP_STATS "xr_lb_vip_stats"
#define XR_MAP_LB_BACKEND_STATS "xr_lb_backend_stats"
#define XR_MAP_LB_VIP_META "xr_lb_vip_meta"
#define XR_MAP_LB_BE_META "xr_lb_be_meta"
#define XR_MAP_ROUTE_WATCH "xr_route_watch"
#define XR_MAP_CPUS "xr_cpus"
#define XR_MAP_CPU_STATS "xr_cpu_stats"
#define XR_MAP_RC_V4 "xr_rc_v4"
#define XR_MAP_RC_V6 "xr_rc_v6"
#define XR_MAP_RC_STATE "xr_rc_state"
#define XR_MAP_FW_FLOWS "xr_fw_flows"
#define XR_MAP_FW_STATE "xr_fw_state"

/* Everything pinned under the pin path, in the order they are opened. */
#define XR_PINNED_MAPS(X)						\
	XR_IFACE_MAPS(X)						\
	XR_TABLE_MAPS(X)						\
	XR_LB_MAPS(X)							\
	XR_LB_META_MAPS(X)						\
	XR_ROUTE_WATCH_MAPS(X)						\
	XR_FIREWALL_MAPS(X)

/* The maps a reload does not keep by their pins. */
#define XR_UNPINNED_MAPS(X)						\
	XR_STEER_MAPS(X)						\
	XR_ROUTE_CACHE_MAPS(X)

/* Every map of kern/xdp_router.bpf.c. */
#define XR_MAPS(X)							\
	XR_PINNED_MAPS(X)						\
	XR_UNPINNED_MAPS(X)

/*
 * A row as a BPF map definition (BTF-defined, in the ".maps" section), for
 * BPF code only (bpf_helpers.h): XR_MAPS(XR_BPF_MAP_DEFINE).
 */
#define XR_BPF_MAP_DEFINE(ID, name, type_, key_, value_, max_, flags_)	\
	struct {							\
		__uint(type, BPF_MAP_TYPE_##type_);			\
		__uint(map_flags, XR_MAPF_BPF_FLAGS(flags_));		\
		__uint(max_entries, max_);				\
		__type(key, key_);					\
		__type(value, value_);					\
	} xr_##name SEC(".maps");

#endif /* XR_MAPS_LIST_H */
