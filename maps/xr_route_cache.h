/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The route cache (kern/route_cache.h): a per-CPU exact-match cache of
 * successful bpf_fib_lookup() answers, valid while the kernel's routing
 * state is unchanged (kern/route_epoch.h). Part of xdp_router_types.h.
 *
 * xr_route_watch is the part the kernel's own counters do not cover:
 * neighbour changes, counted by the raw tracepoint programs of
 * kern/route_watch.bpf.c. The cache is used only while @watching says
 * they are attached (set by the CLI after pinning their links).
 */
#ifndef XR_ROUTE_CACHE_TYPES_H
#define XR_ROUTE_CACHE_TYPES_H

#include <linux/types.h>

struct xr_route_watch {
	__u64 neigh_changes;	/* only ever increases */
	__u64 net_cookie;	/* the router's network namespace; 0: not yet */
	__u32 watching;		/* 1: the neighbour watchers are attached */
	__u32 pad;
};
_Static_assert(sizeof(struct xr_route_watch) == 24, "xr_route_watch size");

/* A cached answer: what bpf_fib_lookup() said, and for which lengths. */
struct xr_rc_answer {
	__u16 max_len;		/* longest IP packet the lookup accepted */
	__u8 src_conf;		/* the settings the source was checked under
				 * (kern/source_check.h); 0 for IPv6 */
	__u8 pad;
	__u32 egress;		/* egress ifindex */
	__u8 smac[6];
	__u8 dmac[6];
};
_Static_assert(sizeof(struct xr_rc_answer) == 20, "xr_rc_answer size");

/*
 * One cached IPv4 answer. The key is every input of the lookup that can
 * change its answer (ingress, addresses, TOS, and protocol and ports when
 * policy rules or the ECMP hash may look at them); a cache line each.
 */
struct xr_rc_v4 {
	__u32 epoch;		/* 0: empty; else route_epoch.h's epoch */
	__u32 ifindex;		/* ingress */
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 tos;
	__u8 l4_proto;
	__u16 pad0;
	struct xr_rc_answer answer;
	__u8 pad[20];
};
_Static_assert(sizeof(struct xr_rc_v4) == 64, "xr_rc_v4 size");

struct xr_rc_v6 {
	__u32 epoch;
	__u32 ifindex;
	__u8 saddr[16];
	__u8 daddr[16];
	__be32 flowinfo;	/* traffic class and flow label */
	__be16 sport;
	__be16 dport;
	__u8 l4_proto;
	__u8 pad0[3];
	struct xr_rc_answer answer;
	__u8 pad[56];
};
_Static_assert(sizeof(struct xr_rc_v6) == 128, "xr_rc_v6 size");

/*
 * One CPU's view of one family's routing state (kern/route_epoch.h), and
 * what its cache did. The CLI reads the counters (status).
 */
#define XR_RC_SNAP_WORDS 8
struct xr_rc_state {
	__u32 snap[XR_RC_SNAP_WORDS];	/* the kernel's counters, last seen */
	__u32 epoch;		/* never 0 once used: 0 marks an empty slot */
	__u32 pad;
	__u64 fill_after;	/* ktime: store answers from then on */
	__u64 hits;		/* answered from the cache */
	__u64 misses;		/* asked of the FIB while the cache was on */
	__u64 stores;		/* answers stored */
	__u64 bypassed;		/* sent to the FIB unprobed (sampling) */
	/* Thrash guard (kern/route_cache.h): the last window's probes. */
	__u32 win_probes;
	__u32 win_hits;
	__u32 sampling;		/* 1: only one packet in xr_rc_sample probes */
	__u32 skip;		/* packets left to send past the cache */
};
_Static_assert(sizeof(struct xr_rc_state) == 96, "xr_rc_state size");

/* Entries per CPU and family by default (a power of two; attach
 * --route-cache): 1 MiB of IPv4 and 2 MiB of IPv6 entries per CPU. */
#define XR_ROUTE_CACHE_DEFAULT 16384
#define XR_ROUTE_CACHE_MAX (1U << 22)

/*
 * Their maps (rows of XR_MAPS, xr_maps.h). xr_route_watch is pinned (and
 * declared by both BPF objects: xr_route_watch.bpf.h); a router pinned
 * before the route cache has none, and pin_check.c has never checked its
 * size. The rest is not pinned: a reload starts with an empty cache. The
 * slots, per CPU, in sets of two: the CLI sizes them at load (a power of
 * two). xr_rc_state, per CPU: [0] IPv4, [1] IPv6, found by the CLI through
 * the program (status).
 */
#define XR_ROUTE_WATCH_MAPS(X)						\
	X(ROUTE_WATCH, route_watch, ARRAY, __u32, struct xr_route_watch, \
	  1, XR_MAPF_SIZE_UNCHECKED)
#define XR_ROUTE_CACHE_MAPS(X)						\
	X(RC_V4, rc_v4, PERCPU_ARRAY, __u32, struct xr_rc_v4,		\
	  XR_ROUTE_CACHE_DEFAULT, XR_MAPF_SIZED_AT_LOAD)		\
	X(RC_V6, rc_v6, PERCPU_ARRAY, __u32, struct xr_rc_v6,		\
	  XR_ROUTE_CACHE_DEFAULT, XR_MAPF_SIZED_AT_LOAD)		\
	X(RC_STATE, rc_state, PERCPU_ARRAY, __u32, struct xr_rc_state, 2, 0)

#endif /* XR_ROUTE_CACHE_TYPES_H */
