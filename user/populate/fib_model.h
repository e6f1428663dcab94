/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The kernel's forwarding state as populate needs it, in memory: the routes
 * of the chosen table and of the local table, per prefix; the links (MTU,
 * MAC, whether they are up); the per-device forwarding settings; and the
 * valid neighbours. Filled from netlink dumps and kept current from
 * notifications (nl_*.c); turned into map contents by fib_desired.c.
 *
 * Sized for a full Internet table: one inline hash entry per prefix, and the
 * few distinct nexthop lists shared between routes.
 */
#ifndef XR_FIB_MODEL_H
#define XR_FIB_MODEL_H

#include <stdbool.h>
#include <linux/types.h>
#include "hashtab.h"
#include "xdp_router_types.h"

#define FIB_TABLE_LOCAL 255	/* RT_TABLE_LOCAL */
#define FIB_TABLE_MAIN 254	/* RT_TABLE_MAIN */
/* Paths kept per route; wider ones are only counted (they are refused). */
#define FIB_MAX_PATHS 64

/* A prefix, host bits zero, padding zero: usable as a hash key. */
struct fib_pfx {
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 plen;
	__u8 pad[2];
	__u8 addr[16];		/* IPv4 in the first 4 bytes */
};

/* One path of a route, as the kernel reported it. */
struct fib_nh {
	__u32 ifindex;
	__u16 weight;		/* rtnh_hops + 1 */
	__u8 flags;		/* RTNH_F_* */
	__u8 gw_family;		/* 0: on-link */
	__u8 gw[16];
	__u8 encap;		/* lwtunnel encapsulation: not for XDP */
	__u8 pad[3];
};

/* One RTM_NEWROUTE or RTM_DELROUTE, parsed (nl_route.c). */
struct fib_route_msg {
	__u16 nlmsg_type;
	__u16 nlmsg_flags;	/* NLM_F_REPLACE, NLM_F_APPEND */
	struct fib_pfx pfx;
	__u32 table;
	__u32 priority;
	__u32 mtu;		/* RTAX_MTU, 0 if none */
	bool mtu_locked;	/* RTAX_LOCK has RTAX_MTU ("mtu lock N") */
	__u32 nhid;		/* RTA_NH_ID: a nexthop object */
	__u8 type;		/* RTN_* */
	__u8 tos;
	bool cloned;		/* RTM_F_CLONED: a cache entry, not a route */
	bool multipath;		/* RTA_MULTIPATH: every sibling path */
	bool too_many_paths;	/* more than FIB_MAX_PATHS */
	unsigned int nnh;
	struct fib_nh nh[FIB_MAX_PATHS];
};

/* fib_variant.flags */
#define FIB_V_NHID_ONLY (1U << 0) /* nexthop object not expanded */
#define FIB_V_WIDE (1U << 1)	  /* more paths than FIB_MAX_PATHS */
#define FIB_V_MTU_LOCKED (1U << 2) /* the kernel forwards with fib_mtu */

/*
 * One route of a prefix: a prefix can have several, in different tables,
 * with different metrics or (IPv4) TOS. The kernel uses the lowest metric
 * that is alive.
 */
struct fib_variant {
	__u32 table;
	__u32 priority;
	__u32 mtu;
	__u32 nhl;		/* nexthop list id (fib_model_nhl), 0: none */
	__u8 type;		/* RTN_* */
	__u8 tos;
	__u8 naliases;		/* routes with this key hidden behind it */
	__u8 flags;		/* FIB_V_* */
};

struct fib_prefix_routes {
	__u16 n;
	__u16 cap;		/* > 1: the variants are in more[] */
	struct fib_variant *more;
	struct fib_variant one;
};

/* A shared, interned list of paths. */
struct fib_nhlist {
	__u32 refs;
	__u32 next;		/* next list with the same hash */
	__u64 hash;
	__u32 n;
	struct fib_nh nh[];
};

struct fib_link {
	__u32 mtu;
	__u32 mtu6;		/* IPv6 MTU (DEVCONF_MTU6); 0 if not known */
	__u32 flags;		/* IFF_* */
	__u8 mac[6];
	bool ether;		/* an Ethernet MAC the data plane can use */
	bool fwd[2];		/* per-device forwarding, [0] IPv4 [1] IPv6 */
	bool ignore_linkdown[2];
	char name[16];
};

struct fib_model {
	__u32 main_table;
	struct htab prefixes;		/* fib_pfx -> fib_prefix_routes */
	struct fib_nhlist **nhl;	/* by id; [0] unused */
	__u32 nhl_cap;
	__u32 *nhl_free;		/* free ids, a stack */
	__u32 nhl_nfree;
	struct htab nhl_index;		/* hash -> first id */
	struct htab links;		/* __u32 ifindex -> fib_link */
	struct htab neigh;		/* xr_neigh_key -> xr_neigh */
	bool ignore_linkdown_all[2];
	bool ip_fwd_use_pmtu;		/* net.ipv4.ip_forward_use_pmtu */
	/* Prefixes with a local-table route, by family and length. */
	__u32 local_len[2][129];
};

static inline int fib_fam_idx(__u8 family)
{
	return family == 10 /* AF_INET6 */;
}

static inline unsigned int fib_addr_len(__u8 family)
{
	return family == 10 ? 16 : 4;
}

void fib_model_init(struct fib_model *m, __u32 main_table);
void fib_model_free(struct fib_model *m);

/* Zeroes the host bits of @p (and its padding). */
void fib_pfx_mask(struct fib_pfx *p);

const struct fib_prefix_routes *fib_model_prefix(const struct fib_model *m,
						 const struct fib_pfx *p);

static inline const struct fib_variant *
fib_variants(const struct fib_prefix_routes *pr)
{
	return pr->cap > 1 ? pr->more : &pr->one;
}

static inline const struct fib_nhlist *fib_model_nhl(const struct fib_model *m,
						     __u32 id)
{
	return id && id < m->nhl_cap ? m->nhl[id] : NULL;
}

enum fib_apply {
	FIB_APPLY_NONE,		/* not ours, or nothing changed */
	FIB_APPLY_CHANGED,	/* recompute msg->pfx */
	FIB_APPLY_RESYNC,	/* the model cannot tell: dump everything */
};

/*
 * Applies a route message with the kernel's semantics (replace, append,
 * IPv6 multipath siblings). Returns 0 or -ENOMEM; *@res says what to do.
 */
int fib_model_route(struct fib_model *m, const struct fib_route_msg *msg,
		    enum fib_apply *res);

/*
 * A link went down: marks every path through @ifindex dead, as the kernel
 * does (it then drops IPv4 routes left without a path, silently), and
 * returns in *@out (malloc'ed, *@n entries) the prefixes whose routes use
 * such a path, to be recomputed at once, ahead of a full resync.
 */
int fib_model_paths_dead(struct fib_model *m, __u32 ifindex,
			 struct fib_pfx **out, size_t *n);

/* Links; @l NULL deletes. */
int fib_model_link(struct fib_model *m, __u32 ifindex,
		   const struct fib_link *l);
const struct fib_link *fib_model_link_get(const struct fib_model *m,
					  __u32 ifindex);

/* A neighbour, kept only while @valid. True if the model changed. */
int fib_model_neigh(struct fib_model *m, const struct xr_neigh_key *k,
		    const __u8 mac[6], bool valid, bool *changed);

#endif /* XR_FIB_MODEL_H */
