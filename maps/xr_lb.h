/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One-legged L4 load balancer (xdp-router lb ...): packets for a VIP are
 * sent to a backend chosen by Maglev hashing, pinned by a connection table,
 * out of the interface they came in on (XDP_TX).
 * Part of xdp_router_types.h; the CLI's own LB maps are in xr_lb_meta.h.
 */
#ifndef XR_LB_TYPES_H
#define XR_LB_TYPES_H

#include <linux/types.h>
#include "xr_outcomes.h"

/* Maglev lookup table size per VIP: a prime well above backends x 100. */
#define XR_LB_RING_SIZE 65537
/* Default limits; `attach --lb-max-vips N` sizes the VIP and ring maps. */
#define XR_LB_DEFAULT_MAX_VIPS 64	/* 64 x 65537 x 4 B = 16.8 MB rings */
#define XR_LB_MAX_BACKENDS 4096		/* backend id 0 is never used */
#define XR_LB_DEFAULT_CONNS (1U << 18)	/* connection table entries */
/* Upper bound of --lb-max-vips: 4096 x 65537 x 4 B = 1 GiB of rings. */
#define XR_LB_MAX_VIPS 4096
/* Fragmented VIP datagrams in flight (xr_lb_frags, an LRU). */
#define XR_LB_DEFAULT_FRAGS 16384

/*
 * xr_lb_conf[0]: what the data plane checks before anything else, so that
 * a router without VIPs pays one array read per packet for the LB. One word
 * of XR_LB_F_* per family; the control plane sets a bit before it inserts
 * the first VIP the bit describes and clears it after the last one is gone.
 * A bit set needlessly only costs time (the lookups it enables miss); a bit
 * missing disables that part of the LB.
 */
#define XR_LB_F_VIP (1U << 0)		/* some VIP of this family exists */
#define XR_LB_F_ALL_PORTS (1U << 1)	/* ... with port 0 (every port) */
#define XR_LB_F_NAT (1U << 2)		/* ... in NAT mode: replies to undo */

struct xr_lb_conf {
	__u32 v4;		/* XR_LB_F_* of the IPv4 VIPs */
	__u32 v6;		/* XR_LB_F_* of the IPv6 VIPs */
};
_Static_assert(sizeof(struct xr_lb_conf) == 8, "xr_lb_conf size");

/*
 * The seed of the Maglev flow hash (maps/xdp_router_lb_hash.h). Fixed, not
 * drawn at load: every LB node must send a flow to the same backend, so
 * that flows survive a move between nodes (ECMP towards the LBs).
 */
#define XR_LB_HASH_SEED 0x5851f42dU

/* A VIP: address, protocol, port (0: every port of that protocol). */
struct xr_vip_key {
	__u8 addr[16];		/* IPv4 in the first 4 bytes, rest zero */
	__be16 port;
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family;		/* AF_INET or AF_INET6 */
} __attribute__((aligned(4)));	/* built as whole words */
_Static_assert(sizeof(struct xr_vip_key) == 20, "xr_vip_key size");

enum xr_lb_mode {
	XR_LB_DSR = 1,		/* MACs rewritten, IP untouched */
	XR_LB_NAT = 2,		/* destination IP/port rewritten, and back */
};

struct xr_vip {
	__u32 id;		/* row in xr_lb_rings and xr_lb_vip_stats */
	__u8 mode;		/* enum xr_lb_mode */
	__u8 flags;
	__u16 pad;
};
_Static_assert(sizeof(struct xr_vip) == 8, "xr_vip size");

/*
 * xr_lb_vip_keys[id]: the key of VIP id, for the data plane to find a VIP
 * by id (NAT replies get their source back from it). Written before the
 * xr_lb_vips entry that hands the id out.
 */

/*
 * The Maglev rings of all VIPs in one array: entry id * XR_LB_RING_SIZE + i
 * holds a backend id (0: no backend can take new flows).
 */

enum xr_backend_state {
	XR_BE_ACTIVE = 0,	/* takes new flows */
	XR_BE_DRAIN = 1,	/* keeps its connections, no new ones */
	XR_BE_DOWN = 2,		/* failed: its connections are re-balanced */
};

/* xr_lb_backends[id]; id 0 and unused ids have gen 0. */
struct xr_backend {
	__u8 addr[16];		/* IPv4 in the first 4 bytes */
	__u8 mac[6];		/* resolved from the kernel's neighbour table */
	__u8 family;
	__u8 state;		/* enum xr_backend_state */
	__be16 port;		/* NAT: destination port; 0 keeps the VIP's */
	__u16 pad;
	__u32 gen;		/* a hash of the backend: differs on id reuse */
};
_Static_assert(sizeof(struct xr_backend) == 32, "xr_backend size");

/* A flow, as the client sent it (NAT replies are looked up reversed). */
struct xr_flow_key {
	__u8 src[16];
	__u8 dst[16];
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u16 pad;
} __attribute__((aligned(8)));	/* copied and built as whole words */
_Static_assert(sizeof(struct xr_flow_key) == 40, "xr_flow_key size");

/* xr_lb_conn.flags */
#define XR_CONN_F_CLOSING (1U << 0)	/* FIN seen: short timeout */
#define XR_CONN_F_REPLY (1U << 1)	/* NAT reply-direction entry */

struct xr_lb_conn {
	__u64 last_seen_ns;	/* bpf_ktime_get_coarse_ns(), last packet */
	__u32 backend;		/* backend id */
	__u32 backend_gen;	/* its gen when chosen: a stale id is a miss */
	__u32 vip;		/* VIP id (NAT replies: which VIP to restore) */
	__u32 flags;
};
_Static_assert(sizeof(struct xr_lb_conn) == 24, "xr_lb_conn size");

/* Per-CPU counters of a VIP, xr_lb_vip_stats[vip id]. */
struct xr_vip_stats {
	struct xr_counter rx;		/* packets/bytes sent to backends */
	struct xr_counter reply;	/* NAT replies translated back */
	__u64 conn_hit;			/* connection table hits */
	__u64 conn_miss;		/* new flows (Maglev lookups) */
	__u64 no_backend;		/* dropped: no backend takes new flows */
	__u64 pad;
};
_Static_assert(sizeof(struct xr_vip_stats) == 64, "xr_vip_stats size");

/*
 * Their maps (rows of XR_MAPS, xr_maps.h). The CLI sizes the VIP maps at
 * load time (attach --lb-max-vips N: N rows of XR_LB_RING_SIZE slots in
 * xr_lb_rings) and the connection table (--lb-max-conns).
 *
 * The connection table is one table shared by every CPU, with one LRU
 * list: a NAT flow's two directions have different tuples, so RSS delivers
 * them on different CPUs, and each must see the entry the other wrote; a
 * flow moved to another CPU (RSS table change, cpumap) must keep its
 * backend; and a per-CPU LRU would cut the capacity to max_entries / CPUs
 * for a flow mix that RSS spreads unevenly. See kern/lb_conn.h for
 * measurements.
 *
 * xr_lb_frags, fragmented VIP datagrams: (src, dst, proto, IP id) -> the
 * backend their first fragment went to. The id is in the key's port fields,
 * host order (sport: high 16 bits, IPv6 only; dport: low 16 bits).
 */
#define XR_LB_VIP_MAP (XR_MAPF_LB | XR_MAPF_SIZED_AT_LOAD | XR_MAPF_PER_VIP)
#define XR_LB_MAPS(X)							\
	X(LB_CONF, lb_conf, ARRAY, __u32, struct xr_lb_conf, 1, XR_MAPF_LB) \
	X(LB_VIPS, lb_vips, HASH, struct xr_vip_key, struct xr_vip,	\
	  XR_LB_DEFAULT_MAX_VIPS, XR_LB_VIP_MAP)			\
	/* VIP id -> its key */						\
	X(LB_VIP_KEYS, lb_vip_keys, ARRAY, __u32, struct xr_vip_key,	\
	  XR_LB_DEFAULT_MAX_VIPS, XR_LB_VIP_MAP)			\
	/* VIP id * XR_LB_RING_SIZE + slot -> backend id */		\
	X(LB_RINGS, lb_rings, ARRAY, __u32, __u32,			\
	  XR_LB_DEFAULT_MAX_VIPS * XR_LB_RING_SIZE, XR_LB_VIP_MAP)	\
	X(LB_BACKENDS, lb_backends, ARRAY, __u32, struct xr_backend,	\
	  XR_LB_MAX_BACKENDS, XR_MAPF_LB)				\
	X(LB_CONNS, lb_conns, LRU_HASH, struct xr_flow_key,		\
	  struct xr_lb_conn, XR_LB_DEFAULT_CONNS,			\
	  XR_MAPF_LB | XR_MAPF_SIZED_AT_LOAD)				\
	X(LB_FRAGS, lb_frags, LRU_HASH, struct xr_flow_key,		\
	  struct xr_lb_conn, XR_LB_DEFAULT_FRAGS, XR_MAPF_LB)		\
	X(LB_VIP_STATS, lb_vip_stats, PERCPU_ARRAY, __u32,		\
	  struct xr_vip_stats, XR_LB_DEFAULT_MAX_VIPS, XR_LB_VIP_MAP)	\
	/* packets and bytes sent to each backend, by backend id */	\
	X(LB_BACKEND_STATS, lb_backend_stats, PERCPU_ARRAY, __u32,	\
	  struct xr_counter, XR_LB_MAX_BACKENDS, XR_MAPF_LB)

#endif /* XR_LB_TYPES_H */
