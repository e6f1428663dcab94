/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Table lookup mode (attach --lookup table): the kernel's routes, nexthops
 * and neighbours mirrored into maps by `xdp-router populate`, for where
 * bpf_fib_lookup() is not available (offload, user-space runtimes).
 * Part of xdp_router_types.h.
 */
#ifndef XR_TABLE_TYPES_H
#define XR_TABLE_TYPES_H

#include <linux/types.h>

/* How the data plane finds a packet's next hop (.rodata knob). */
enum xr_lookup_mode {
	XR_LOOKUP_FIB = 0,	/* bpf_fib_lookup(): the kernel's FIB itself */
	XR_LOOKUP_TABLE = 1,	/* the mirrored maps below */
};

/* Default sizes; `attach --max-routes-v4/--max-routes-v6` change them. */
#define XR_DEFAULT_ROUTES_V4 (1U << 21)	/* a full table is ~1M */
#define XR_DEFAULT_ROUTES_V6 (1U << 19)	/* a full table is ~200k */
#define XR_MAX_NEXTHOPS 65536		/* id 0 is never used */
#define XR_MAX_NH_GROUPS 16384		/* id 0 is never used */
#define XR_MAX_NEIGH 65536
/* Widest ECMP group mirrored; wider kernel routes are refused by populate. */
#define XR_ECMP_MAX 16

/* LPM trie keys: prefix length in bits, then the address, network order. */
struct xr_lpm_v4 {
	__u32 prefixlen;
	__u8 addr[4];
};
_Static_assert(sizeof(struct xr_lpm_v4) == 8, "xr_lpm_v4 size");

struct xr_lpm_v6 {
	__u32 prefixlen;
	__u8 addr[16];
};
_Static_assert(sizeof(struct xr_lpm_v6) == 20, "xr_lpm_v6 size");

/* What the kernel's FIB answers for a destination (xr_route.type). */
enum xr_route_type {
	XR_RT_INVALID = 0,	/* never written: a zeroed value is caught */
	XR_RT_UNICAST,		/* forward to xr_route.nh */
	XR_RT_LOCAL,		/* local, broadcast, anycast, ...: the stack's */
	XR_RT_BLACKHOLE,	/* dropped silently */
	XR_RT_UNREACHABLE,	/* the kernel answers ICMP unreachable */
	XR_RT_PROHIBIT,		/* the kernel answers ICMP prohibited */
	XR_RT_KERNEL,		/* encap, TOS routes, ...: the kernel's job */
};

/* xr_route.flags */
#define XR_RT_F_GROUP (1U << 0)	/* nh is a group id in xr_nh_groups */

/* Value of both LPM tries. */
struct xr_route {
	__u8 type;		/* enum xr_route_type */
	__u8 flags;
	__u16 pad;
	__u32 nh;		/* nexthop id, or group id with XR_RT_F_GROUP */
	__u32 mtu;		/* route MTU metric; 0: the egress device's */
};
_Static_assert(sizeof(struct xr_route) == 12, "xr_route size");

/* xr_nexthop.flags */
#define XR_NH_F_GATEWAY (1U << 0) /* via gw; else on-link: the packet's dst */

/* Value of the nexthop array, index = nexthop id. */
struct xr_nexthop {
	__u32 ifindex;		/* egress; 0: unused slot */
	__u32 mtu;		/* egress device MTU */
	__u8 smac[6];		/* egress device MAC */
	__u8 flags;
	__u8 gw_family;		/* AF_INET or AF_INET6 (RFC 5549 routes) */
	__u8 gw[16];		/* gateway; IPv4 in the first 4 bytes */
};
_Static_assert(sizeof(struct xr_nexthop) == 32, "xr_nexthop size");

/*
 * An ECMP group, index = group id. As in the kernel, a flow's hash (31 bits)
 * selects the first member whose upper bound it does not exceed; bounds
 * follow the members' weights.
 */
struct xr_nh_member {
	__u32 nh;
	__u32 upper;
};
_Static_assert(sizeof(struct xr_nh_member) == 8, "xr_nh_member size");

struct xr_nh_group {
	__u32 count;		/* members in use, 1..XR_ECMP_MAX */
	__u32 pad;
	struct xr_nh_member member[XR_ECMP_MAX];
};
_Static_assert(sizeof(struct xr_nh_group) == 8 + 8 * XR_ECMP_MAX,
	       "xr_nh_group size");

/* Neighbours the kernel considers valid (NUD_VALID); others are absent. */
struct xr_neigh_key {
	__u32 ifindex;
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 pad[3];
	__u8 addr[16];		/* IPv4 in the first 4 bytes */
};
_Static_assert(sizeof(struct xr_neigh_key) == 24, "xr_neigh_key size");

struct xr_neigh {
	__u8 mac[6];
	__u16 pad;
};
_Static_assert(sizeof(struct xr_neigh) == 8, "xr_neigh size");

/*
 * The IPv4 route lookup's structure (DIR-24-8, as DPDK's rte_lpm and VPP):
 * the same prefixes as xr_routes_v4, expanded so that a lookup is one or
 * two array reads instead of a trie walk. xr_dir24_v4 holds an entry per
 * /24 (2^24 of them, indexed by the top 24 bits); a /24 that holds longer
 * prefixes points at a group of 256 entries in xr_dir8_v4, indexed by the
 * last byte. An entry names a leaf of xr_dir_leaves_v4: one per distinct
 * route value (type, nexthop, MTU), so the leaves stay few and hot.
 *
 * Entries are 32-bit words that user space (populate) writes in place
 * through mmap: a store is atomic, a group is filled before an entry points
 * at it, a leaf before an entry names it (user/populate/dir24.h).
 */
#define XR_DIR_BLOCK 256		/* entries per array element */
struct xr_dir_block {
	__u32 e[XR_DIR_BLOCK];
};
_Static_assert(sizeof(struct xr_dir_block) == 1024, "xr_dir_block size");

#define XR_DIR24_BLOCKS (1U << 16)	/* x 256 = one entry per /24 */
#define XR_DIR_F_EXT (1U << 31)		/* low bits: a group of xr_dir8_v4 */
#define XR_DIR_F_VALID (1U << 30)	/* low bits: a leaf; else no route */
#define XR_DIR_DEPTH_SHIFT 24		/* the prefix length that wrote it: */
#define XR_DIR_DEPTH_MASK 0x3fU		/* only populate reads it */
#define XR_DIR_ID_MASK 0xffffffU
/* Distinct route values; a full table has a few hundred. */
#define XR_DIR_MAX_LEAVES (1U << 16)
/*
 * Groups: one per /24 holding a prefix longer than /24. Sized from
 * --max-routes-v4 (XR_DIR_GROUPS_PER_ROUTE routes per group, at least
 * XR_DIR_MIN_GROUPS); the 1M-route default gets 16384 (16 MiB).
 */
#define XR_DIR_GROUPS_PER_ROUTE 128
#define XR_DIR_MIN_GROUPS 1024

/*
 * Leaf 0 is never named by an entry: its pad says whether the table is
 * complete (XR_DIR_COMPLETE: equal to the prefixes of xr_routes_v4), so
 * that populate takes it as it is instead of rebuilding it. attach marks a
 * new, empty pair complete.
 */
#define XR_DIR_LEAF_MARK 0
#define XR_DIR_COMPLETE 0x64697224U	/* "dir$" */

/* A leaf: an array element is 8-byte aligned, so its padding is explicit. */
struct xr_dir_leaf {
	struct xr_route rt;
	__u32 pad;
};
_Static_assert(sizeof(struct xr_dir_leaf) == 16, "xr_dir_leaf size");

/*
 * Their maps (rows of XR_MAPS, xr_maps.h). The DIR-24-8 arrays are declared
 * with one entry, what fib mode and a foreign loader (which loads fib mode)
 * need; attach sizes them for table mode (XR_DIR24_BLOCKS, the groups,
 * XR_DIR_MAX_LEAVES). xr_routes_v4 is not read by the program: it is
 * populate's list of what it mirrored. The CLI sizes the tries at load
 * time; LPM tries allocate per entry (BPF_F_NO_PREALLOC is mandatory), so a
 * large max_entries costs nothing until used.
 */
#define XR_TABLE_MAPS(X)						\
	X(ROUTES_V4, routes_v4, LPM_TRIE, struct xr_lpm_v4, struct xr_route, \
	  XR_DEFAULT_ROUTES_V4, XR_MAPF_SIZED_AT_LOAD | XR_MAPF_NO_PREALLOC) \
	X(ROUTES_V6, routes_v6, LPM_TRIE, struct xr_lpm_v6, struct xr_route, \
	  XR_DEFAULT_ROUTES_V6, XR_MAPF_SIZED_AT_LOAD | XR_MAPF_NO_PREALLOC) \
	X(NEXTHOPS, nexthops, ARRAY, __u32, struct xr_nexthop,		\
	  XR_MAX_NEXTHOPS, 0)						\
	X(NH_GROUPS, nh_groups, ARRAY, __u32, struct xr_nh_group,	\
	  XR_MAX_NH_GROUPS, 0)						\
	X(NEIGH, neigh, HASH, struct xr_neigh_key, struct xr_neigh,	\
	  XR_MAX_NEIGH, 0)						\
	X(DIR24_V4, dir24_v4, ARRAY, __u32, struct xr_dir_block, 1,	\
	  XR_MAPF_SIZED_AT_LOAD | XR_MAPF_MMAPABLE)			\
	X(DIR8_V4, dir8_v4, ARRAY, __u32, struct xr_dir_block, 1,	\
	  XR_MAPF_SIZED_AT_LOAD | XR_MAPF_MMAPABLE)			\
	X(DIR_LEAVES_V4, dir_leaves_v4, ARRAY, __u32, struct xr_dir_leaf, 1, \
	  XR_MAPF_SIZED_AT_LOAD | XR_MAPF_MMAPABLE)

#endif /* XR_TABLE_TYPES_H */
