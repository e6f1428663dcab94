/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Types shared by the XDP data plane (kern/) and the control plane (user/).
 *
 * This is the only definition of every structure that crosses the BPF/user
 * boundary. Only UAPI types, explicit padding, and a _Static_assert on every
 * size so that a change on one side cannot silently break the other.
 */
#ifndef XDP_ROUTER_TYPES_H
#define XDP_ROUTER_TYPES_H

#include <linux/types.h>

/* Name of the XDP program as the kernel shows it (at most 15 characters). */
#define XR_PROG_NAME "xdp_router"

/* Map names: also the file names of the pins under the pin path. */
#define XR_MAP_TX_PORTS "xr_tx_ports"
#define XR_MAP_IFACES "xr_ifaces"
#define XR_MAP_IFACES_ARR "xr_ifaces_arr"
#define XR_MAP_ROUTES_V4 "xr_routes_v4"
#define XR_MAP_ROUTES_V6 "xr_routes_v6"
#define XR_MAP_NEXTHOPS "xr_nexthops"
#define XR_MAP_NH_GROUPS "xr_nh_groups"
#define XR_MAP_NEIGH "xr_neigh"
#define XR_MAP_LB_VIPS "xr_lb_vips"
#define XR_MAP_LB_RINGS "xr_lb_rings"
#define XR_MAP_LB_BACKENDS "xr_lb_backends"
#define XR_MAP_LB_CONNS "xr_lb_conns"
#define XR_MAP_LB_VIP_STATS "xr_lb_vip_stats"
#define XR_MAP_LB_BACKEND_STATS "xr_lb_backend_stats"
#define XR_MAP_LB_VIP_META "xr_lb_vip_meta"
#define XR_MAP_LB_BE_META "xr_lb_be_meta"
#define XR_MAP_LB_CONF "xr_lb_conf"
#define XR_MAP_LB_VIP_KEYS "xr_lb_vip_keys"
#define XR_MAP_LB_FRAGS "xr_lb_frags"
#define XR_MAP_ROUTE_WATCH "xr_route_watch"
/* Name of the pinned program under the pin path. */
#define XR_PIN_PROG "xr_prog"
/*
 * Pins of the route cache's neighbour watchers (kern/route_watch.bpf.c):
 * XR_PIN_WATCH_PREFIX + the tracepoint's name, one raw_tp link each.
 */
#define XR_PIN_WATCH_PREFIX "xr_watch_"

/* Upper bound of interfaces one router instance can be attached to. */
#define XR_MAX_IFACES 256

/*
 * Interfaces with an ifindex below this keep their xr_iface in a per-CPU
 * array slot (xr_ifaces_arr, indexed by ifindex: a lookup the verifier
 * inlines); larger ifindexes use the per-CPU hash xr_ifaces. A slot that
 * is all zero (not configured, nothing counted) is the array's "no entry".
 */
#define XR_IFINDEX_DIRECT 1024

/*
 * What happened to a packet. Every packet the program sees is counted once,
 * under exactly one outcome, on its ingress interface.
 *
 * Keep xr_outcome_names[] in user/common/outcomes.c in the same order.
 */
enum xr_outcome {
	XR_REDIRECT = 0,	/* forwarded by XDP through the devmap */
	XR_LB_TX,		/* load balanced: sent to a backend, XDP_TX */

	/* Handed to the kernel, which does what XDP must not do itself. */
	XR_PASS_NOT_IP,		/* ARP, LLDP, VLAN tags, ... */
	XR_PASS_L2_OTHER,	/* Ethernet multicast/broadcast/another host */
	XR_PASS_IP_MCAST,	/* IPv4/IPv6 multicast or limited broadcast */
	XR_PASS_MARTIAN,	/* loopback/unspecified/multicast source,
				 * 0.0.0.0/8 or loopback destination */
	XR_PASS_V6_LINK_LOCAL,	/* link-local source/destination, ND */
	XR_PASS_IP_OPTIONS,	/* IPv4 options, IPv6 hop-by-hop header */
	XR_PASS_TTL_EXPIRED,	/* the kernel sends ICMP Time Exceeded */
	XR_PASS_NOT_FWDED,	/* local delivery, no route, forwarding off */
	XR_PASS_UNREACHABLE,	/* unreachable/prohibit route: kernel sends ICMP */
	XR_PASS_NO_NEIGH,	/* the kernel resolves the neighbour */
	XR_PASS_FRAG_NEEDED,	/* the kernel sends ICMP / fragments */
	XR_PASS_UNSUPPORTED,	/* lwtunnel encap, ... */
	XR_PASS_EGRESS_NOT_XDP,	/* egress interface is not attached */

	/* Dropped where the kernel would drop too. */
	XR_DROP_MALFORMED,	/* truncated or inconsistent IP header */
	XR_DROP_BAD_CSUM,	/* IPv4 header checksum wrong */
	XR_DROP_BLACKHOLE,	/* blackhole route */
	XR_DROP_LB_NO_BACKEND,	/* VIP packet, no backend takes new flows */
	XR_DROP_LB_FRAG,	/* VIP fragment whose first fragment is unknown */

	XR_ABORTED,		/* program error; should stay at zero */
	XR_OUTCOME_MAX,
};

struct xr_counter {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct xr_counter) == 16, "xr_counter size");

/* xr_iface_conf.flags */
#define XR_IFACE_F_CONFIGURED (1U << 0) /* written by the control plane */
/* Forwarding enabled on the interface (table mode: fib mode asks the FIB). */
#define XR_IFACE_F_FWD_V4 (1U << 1)
#define XR_IFACE_F_FWD_V6 (1U << 2)
#define XR_IFACE_F_FWD_MASK (XR_IFACE_F_FWD_V4 | XR_IFACE_F_FWD_V6)

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
 * Table lookup mode (attach --lookup table): the kernel's routes, nexthops
 * and neighbours mirrored into maps by `xdp-router populate`, for where
 * bpf_fib_lookup() is not available (offload, user-space runtimes).
 */

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
 * One-legged L4 load balancer (xdp-router lb ...): packets for a VIP are
 * sent to a backend chosen by Maglev hashing, pinned by a connection table,
 * out of the interface they came in on (XDP_TX).
 */

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
 * What the LB configuration holds that the data plane's maps do not: VIP
 * names, health check settings, backend weights and configured states. Two
 * arrays pinned with the other maps (xr_lb_vip_meta by VIP id,
 * xr_lb_be_meta by backend id), read and written by the CLI only, so that
 * the configuration can be read back from the pins and the CLI stays
 * stateless. Rows are trusted only where they agree with the data plane's
 * maps (a VIP row if its key is in xr_lb_vips with that id; a backend row if
 * its gen equals xr_lb_backends[id].gen, both non-zero).
 */
#define XR_LB_NAME_MAX 32
#define XR_LB_HTTP_PATH_MAX 128

/* xr_lb_vip_meta.flags */
#define XR_LB_VM_USED (1U << 0)
#define XR_LB_VM_HEALTH (1U << 1)	/* health checks on */

struct xr_lb_vip_meta {
	struct xr_vip_key key;	/* the VIP this row describes */
	__u32 flags;
	char name[XR_LB_NAME_MAX];
	__u32 hc_interval_ms;
	__u32 hc_timeout_ms;
	__u8 hc_rise;
	__u8 hc_fall;
	__u16 hc_port;		/* host order; 0: backend's, else VIP's */
	__u32 pad;
	char hc_http_path[XR_LB_HTTP_PATH_MAX];
};
_Static_assert(sizeof(struct xr_lb_vip_meta) == 200, "xr_lb_vip_meta size");

/* xr_lb_be_meta.flags */
#define XR_LB_BM_USED (1U << 0)
#define XR_LB_BM_HEALTH_DOWN (1U << 1)	/* taken out by the health checker */

struct xr_lb_be_meta {
	__u32 vip;		/* VIP id */
	__u32 gen;		/* the backend's gen; kept when the id is freed */
	__u16 weight;
	__u8 state;		/* configured enum xr_backend_state */
	__u8 flags;
	__u32 pad;
};
_Static_assert(sizeof(struct xr_lb_be_meta) == 16, "xr_lb_be_meta size");

/*
 * attach --cpus: the receiving CPU hands each packet, by a hash of its flow,
 * to one of up to XR_STEER_MAX_CPUS CPUs through xr_cpus (a CPUMAP keyed by
 * CPU number), where the router's cpumap program routes it.
 */
#define XR_MAP_CPUS "xr_cpus"
#define XR_MAP_CPU_STATS "xr_cpu_stats"
#define XR_STEER_MAX_CPUS 64
#define XR_STEER_DEFAULT_QSIZE 2048	/* frames queued per CPU */

/* xr_cpu_stats: one per-CPU row. */
struct xr_cpu_stats {
	__u64 steered;		/* handed over by this CPU (receiving side) */
	__u64 steer_failed;	/* no cpumap entry: routed here instead */
	__u64 processed;	/* routed by this CPU's cpumap program */
};
_Static_assert(sizeof(struct xr_cpu_stats) == 24, "xr_cpu_stats size");

/*
 * The route cache (kern/route_cache.h): a per-CPU exact-match cache of
 * successful bpf_fib_lookup() answers, valid while the kernel's routing
 * state is unchanged (kern/route_epoch.h).
 *
 * xr_route_watch is the part the kernel's own counters do not cover:
 * neighbour changes, counted by the raw tracepoint programs of
 * kern/route_watch.bpf.c. The cache is used only while @watching says
 * they are attached (set by the CLI after pinning their links).
 */
struct xr_route_watch {
	__u64 neigh_changes;	/* only ever increases */
	__u64 net_cookie;	/* the router's network namespace; 0: not yet */
	__u32 watching;		/* 1: the neighbour watchers are attached */
	__u32 pad;
};
_Static_assert(sizeof(struct xr_route_watch) == 24, "xr_route_watch size");

/*
 * One cached IPv4 answer. The key is every input of the lookup that can
 * change its answer (ingress, addresses, TOS, and protocol and ports when
 * policy rules or the ECMP hash may look at them); a cache line each.
 */
/* A cached answer: what bpf_fib_lookup() said, and for which lengths. */
struct xr_rc_answer {
	__u16 max_len;		/* longest IP packet the lookup accepted */
	__u16 pad;
	__u32 egress;		/* egress ifindex */
	__u8 smac[6];
	__u8 dmac[6];
};
_Static_assert(sizeof(struct xr_rc_answer) == 20, "xr_rc_answer size");

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

#endif /* XDP_ROUTER_TYPES_H */
