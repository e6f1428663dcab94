/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The interfaces the router is attached to: what the control plane tells
 * the data plane about each, its outcome counters, and the devmap of the
 * egress ports. Part of xdp_router_types.h.
 */
#ifndef XR_IFACE_TYPES_H
#define XR_IFACE_TYPES_H

#include <linux/types.h>
#include "xr_outcomes.h"

/* Upper bound of interfaces one router instance can be attached to. */
#define XR_MAX_IFACES 256

/*
 * Interfaces with an ifindex below this keep their xr_iface in a per-CPU
 * array slot (xr_ifaces_arr, indexed by ifindex: a lookup the verifier
 * inlines); larger ifindexes use the per-CPU hash xr_ifaces. A slot that
 * is all zero (not configured, nothing counted) is the array's "no entry".
 */
#define XR_IFINDEX_DIRECT 1024

/* xr_iface_conf.flags */
#define XR_IFACE_F_CONFIGURED (1U << 0) /* written by the control plane */
/* Forwarding enabled on the interface (table mode: fib mode asks the FIB). */
#define XR_IFACE_F_FWD_V4 (1U << 1)
#define XR_IFACE_F_FWD_V6 (1U << 2)
#define XR_IFACE_F_FWD_MASK (XR_IFACE_F_FWD_V4 | XR_IFACE_F_FWD_V6)
/*
 * Not the data plane's: the errno (1..255) with which the kernel refused
 * native mode when attach --mode auto fell back to generic mode here, kept
 * for status; 0 when it did not.
 */
#define XR_IFACE_NATIVE_ERR_SHIFT 8
#define XR_IFACE_NATIVE_ERR_MASK (0xffU << XR_IFACE_NATIVE_ERR_SHIFT)

/* What the control plane tells the data plane about an interface. */
struct xr_iface_conf {
	__u8 mac[6];	/* frames to other unicast MACs go to the kernel */
	__u16 flags;
};
_Static_assert(sizeof(struct xr_iface_conf) == 8, "xr_iface_conf size");

/*
 * Value of the per-CPU interface maps, keyed by ingress ifindex (__u32):
 * xr_ifaces_arr below XR_IFINDEX_DIRECT, xr_ifaces from there up.
 * Configuration and counters share one entry so that a packet costs a single
 * map lookup; the control plane writes the same conf into every CPU's copy
 * and sums the counters over CPUs.
 */
struct xr_iface {
	struct xr_iface_conf conf;
	struct xr_counter outcome[XR_OUTCOME_MAX];
};
_Static_assert(sizeof(struct xr_iface) == 8 + 16 * XR_OUTCOME_MAX,
	       "xr_iface size");

/*
 * Their maps (rows of XR_MAPS, xr_maps.h): the egress interfaces the router
 * may redirect to, keyed by ifindex so that sparse ifindexes cost nothing;
 * the per-CPU conf and counters, the array for ifindex < XR_IFINDEX_DIRECT
 * (inlined lookup, the common case), the hash for the rest.
 */
#define XR_IFACE_MAPS(X)						\
	X(TX_PORTS, tx_ports, DEVMAP_HASH, __u32, struct bpf_devmap_val, \
	  XR_MAX_IFACES, 0)						\
	X(IFACES, ifaces, PERCPU_HASH, __u32, struct xr_iface,		\
	  XR_MAX_IFACES, 0)						\
	X(IFACES_ARR, ifaces_arr, PERCPU_ARRAY, __u32, struct xr_iface,	\
	  XR_IFINDEX_DIRECT, 0)

#endif /* XR_IFACE_TYPES_H */
