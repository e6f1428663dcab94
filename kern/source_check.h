/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The source check: what the kernel decides about a forwarded packet's
 * *source* once its route is known, so that XDP forwards exactly what
 * kernel forwarding would.
 *
 * IPv4 (ip_route_input_slow(), __mkroute_input(), fib_validate_source()):
 * - reverse-path filtering, rp_filter = max(conf/all, conf/IFACE): strict
 *   (1) wants the route back to the source through the ingress interface,
 *   loose (2) any route back;
 * - a source that is one of the router's own addresses is a martian
 *   (unless accept_local), rp_filter or not;
 * - a packet leaving by the interface it came in on makes the kernel send
 *   an ICMP redirect when send_redirects is on.
 * IPv6 has none of these sysctls: the kernel does no reverse-path check
 * and no local-source check when it forwards (ip6_forward()), and sends a
 * redirect (rate limited) for every packet that leaves by its ingress
 * interface. The martians both families discard whatever the route (bad
 * source classes, loopback) are parse.h's.
 *
 * What XDP cannot settle exactly goes to the kernel (XR_PASS_SOURCE,
 * XR_PASS_REDIRECT), where the verdict is the kernel's by construction.
 * Only a failure it can prove is dropped here (XR_DROP_RP_FILTER), and
 * then only if the kernel would have nothing more to do with the packet:
 * not when log_martians asks it to log, nor when netfilter hooks would see
 * it first (the caller's business: kern/xdp_router.bpf.c).
 *
 * The sysctls are read live from the ingress device (CO-RE, fault-safe
 * loads) for every packet: no notification covers them all. The checks
 * that need a lookup run only where the route is looked up: the route
 * cache keeps a forwarded answer with the settings it was checked under
 * (src_conf), and its epoch covers the routes and addresses the check
 * read (kern/route_epoch.h).
 */
#ifndef XR_SOURCE_CHECK_H
#define XR_SOURCE_CHECK_H

#include <linux/bpf.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "kernel_net.h"
#include "lookup.h"
#include "lookup_table.h"
#include "parse.h"
#include "xdp_router_maps.bpf.h"

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

/*
 * The ingress interface's settings the check depends on, one byte: what a
 * route cache entry is stamped with (maps/xr_route_cache.h). Bit 7 is set
 * for every IPv4 stamp, so that a zeroed entry never matches one.
 */
#define SRC_CONF_RPF_MASK 0x03		/* rp_filter: 0, 1 strict, 2 loose */
#define SRC_CONF_ACCEPT_LOCAL 0x04
#define SRC_CONF_TX_REDIRECTS 0x08
/* A NAT reply the load balancer translated back: the LB's, unchecked. */
#define SRC_CONF_LB_REPLY 0x40
#define SRC_CONF_IPV4 0x80
/* Not part of the stamp: it changes what a failure does, not the check. */
#define SRC_CONF_LOG_MARTIANS 0x100

/* IN_DEV_ORCONF(): conf/all or the interface's. */
#define SRC_DEVCONF(all, dev, name)					\
	((all)->data[IPV4_DEVCONF_##name - 1] ||			\
	 (dev)->cnf.data[IPV4_DEVCONF_##name - 1])

/* IN_DEV_MAXCONF() for rp_filter; values above 2 act as 2. */
static __always_inline __u32 src_rp_filter(int all, int dev)
{
	int v = all > dev ? all : dev;

	return v <= 0 ? 0 : v == 1 ? 1 : 2;
}

/*
 * The IPv4 settings of the packet's ingress interface. A global function:
 * its result is a plain unknown number to the caller, where bits the
 * verifier knew apart would split every path behind it in up to sixteen.
 */
__noinline int xr_src_conf(struct xdp_md *ctx)
{
	struct xdp_buff___xr *xdp;
	struct net_device___xr *dev;
	struct ipv4_devconf___xr *all;
	struct in_device___xr *in;
	__u32 conf = SRC_CONF_IPV4;

	if (!ctx)
		return 0;
	xdp = bpf_cast_to_kern_ctx(ctx);
	dev = xdp->rxq->dev;
	in = dev->ip_ptr;
	all = dev->nd_net.net->ipv4.devconf_all;
	/* Without IPv4 on the interface (in NULL: the loads read 0) the
	 * route lookup fails first. */
	conf |= src_rp_filter(all->data[IPV4_DEVCONF_RP_FILTER - 1],
			      in->cnf.data[IPV4_DEVCONF_RP_FILTER - 1]);
	if (SRC_DEVCONF(all, in, ACCEPT_LOCAL))
		conf |= SRC_CONF_ACCEPT_LOCAL;
	if (SRC_DEVCONF(all, in, SEND_REDIRECTS))
		conf |= SRC_CONF_TX_REDIRECTS;
	if (SRC_DEVCONF(all, in, LOG_MARTIANS))
		conf |= SRC_CONF_LOG_MARTIANS;
	return conf;
}

/*
 * What source_check() is to check a packet under: the IPv4 settings, or
 * for a NAT reply the load balancer translated back (@lb_reply), nothing:
 * like a VIP's packets, the LB's own, and their source is now the VIP. A
 * one-legged LB's replies leave by their ingress interface, and IPVS-like
 * redirects to the backend are not what it is for.
 */
static __always_inline __u32 src_conf_read(struct xdp_md *ctx, int is_v6,
					   int lb_reply)
{
	if (lb_reply)
		return SRC_CONF_LB_REPLY;
	return is_v6 ? 0 : (__u32)xr_src_conf(ctx);
}

/* The part of src_conf_read() a cached answer is stamped with. */
static __always_inline __u8 src_conf_stamp(__u32 conf)
{
	return conf & 0xff;
}

/* The namespace facts the check reads besides the routes: whether there
 * are ip rules of the user's, and whether the ingress interface has no
 * IPv4 address (plain values, not a struct: no stack, src_query_fill()). */
static __always_inline struct net_device___xr *src_dev(struct xdp_md *ctx)
{
	struct xdp_buff___xr *xdp = bpf_cast_to_kern_ctx(ctx);

	return xdp->rxq->dev;
}

static __always_inline int src_custom_rules(struct xdp_md *ctx)
{
	return src_dev(ctx)->nd_net.net->ipv4.fib_has_custom_rules;
}

static __always_inline int src_no_addr(struct xdp_md *ctx)
{
	return !src_dev(ctx)->ip_ptr->ifa_list;
}

/*
 * The decisions both lookup modes share. Before any lookup: whether the
 * packet must go to the kernel for its redirect, and whether the check
 * needs the route back at all.
 */
enum src_plan {
	SRC_FORWARD,		/* nothing to check */
	SRC_LOCAL_ONLY,		/* rp_filter off: is the source local? */
	SRC_FULL,		/* __fib_validate_source() */
};

/* IPv4: out by the ingress interface while the kernel sends redirects
 * there (IPv6 always does: source_check()). */
static __always_inline int src_hairpin(__u32 iif, __u32 oif, __u32 conf)
{
	return oif == iif && (conf & SRC_CONF_TX_REDIRECTS);
}

/* fib_validate_source()'s fast path: rp_filter off, no tclassid, and not
 * a packet going back out with redirects on (src_hairpin() took those). */
static __always_inline enum src_plan src_plan(__u32 conf)
{
	if (conf & SRC_CONF_RPF_MASK)
		return SRC_FULL;
	if (conf & SRC_CONF_ACCEPT_LOCAL)
		return SRC_FORWARD;
	/* The kernel checks the source against its addresses, or, with
	 * custom local routes or rules or tclassid users, makes the full
	 * check with rp_filter 0: that fails only on a source the FIB calls
	 * local, broadcast or the like. SRC_LOCAL_ONLY answers both. */
	return SRC_LOCAL_ONLY;
}

/*
 * A failure the kernel would drop the packet for: XR_DROP_RP_FILTER,
 * which the caller may still hand to the kernel (file comment).
 */
static __always_inline int src_fail(void)
{
	return XR_DROP_RP_FILTER;
}

/* fib mode: bpf_fib_lookup() flag, from Linux 6.5 (older kernels refuse
 * the flag: the check then hands every packet to the kernel). */
#define XR_FIB_LOOKUP_SKIP_NEIGH (1U << 2)

/* Load-time knob shared with lookup_fib.h. */
extern const volatile __u32 xr_fib_flags;

/*
 * The checks are global functions, verified once rather than at every call
 * (their branches times the callers' would exceed the verifier's budget).
 * A global function cannot read the packet through its arguments, so the
 * caller hands it what it needs already laid out as the lookup of the
 * route back (src_query_fill()), which is also all the stack it takes:
 * three frames deep, the route cache's and the entry point's included,
 * there is no room for a second copy.
 */

/*
 * The route back to the source as __fib_validate_source() looks it up:
 * from the destination to the source, as if received by the forward
 * route's egress, same TOS; protocol and ports swapped (they matter only
 * to rules that ask for them, as in the kernel).
 */
static __always_inline void src_query_fill(struct bpf_fib_lookup *q,
					   const struct packet *p, __u32 oif)
{
	const struct iphdr *iph = p->l3;

	__builtin_memset(q, 0, sizeof(*q));
	q->family = AF_INET;
	q->tos = iph->tos;
	q->ipv4_src = iph->daddr;
	q->ipv4_dst = iph->saddr;
	q->l4_protocol = p->l4_proto;
	q->sport = p->dport;
	q->dport = p->sport;
	q->ifindex = oif;
}

/*
 * Looks the route back up, as input from @dev, or with @output as output
 * through @dev, which finds only routes with a next hop through it. The
 * answer's egress is then in @q->ifindex (and a gateway, if any, in its
 * destination: a second lookup needs src_query_fill() again).
 */
static __always_inline long src_route_back(struct xdp_md *ctx,
					   struct bpf_fib_lookup *q,
					   __u32 dev, int output)
{
	q->ifindex = dev;
	return bpf_fib_lookup(ctx, q, sizeof(*q),
			      xr_fib_flags | XR_FIB_LOOKUP_SKIP_NEIGH |
			      (output ? BPF_FIB_LOOKUP_OUTPUT : 0));
}

/*
 * fib mode, IPv4, after a successful forward lookup: XR_CONTINUE if the
 * kernel accepts the source, else the outcome.
 */
__noinline int xr_source_check_fib(struct xdp_md *ctx,
				   struct bpf_fib_lookup *q, __u32 conf)
{
	__u32 iif, oif, rpf = conf & SRC_CONF_RPF_MASK;
	__be32 saddr;
	long rc;

	if (!ctx || !q)
		return XR_PASS_SOURCE;
	iif = ctx->ingress_ifindex;
	oif = q->ifindex;
	saddr = q->ipv4_dst;
	if (src_hairpin(iif, oif, conf))
		return XR_PASS_REDIRECT;
	switch (src_plan(conf)) {
	case SRC_FORWARD:
		return XR_CONTINUE;
	case SRC_LOCAL_ONLY:
		/* A unicast route back (or a reject route) means the source
		 * is no local address: each has its local route, which the
		 * local table answers first. Anything else (local, broadcast,
		 * no route) cannot be told apart here. */
		rc = src_route_back(ctx, q, oif, 0);
		if (rc == BPF_FIB_LKUP_RET_SUCCESS ||
		    rc == BPF_FIB_LKUP_RET_BLACKHOLE ||
		    rc == BPF_FIB_LKUP_RET_UNREACHABLE ||
		    rc == BPF_FIB_LKUP_RET_PROHIBIT)
			return XR_CONTINUE;
		return XR_PASS_SOURCE;
	case SRC_FULL:
		break;
	}

	switch (src_route_back(ctx, q, oif, 0)) {
	case BPF_FIB_LKUP_RET_SUCCESS:
		break;
	case BPF_FIB_LKUP_RET_BLACKHOLE:
	case BPF_FIB_LKUP_RET_UNREACHABLE:
	case BPF_FIB_LKUP_RET_PROHIBIT:
		/* fib_lookup() fails: "last resort". */
		return rpf ? src_fail() : XR_CONTINUE;
	case BPF_FIB_LKUP_RET_NOT_FWDED:
		/* No route back, or a local/broadcast one: both fail
		 * (-EXDEV, -EINVAL) unless a local source is accepted. */
		return rpf && !(conf & SRC_CONF_ACCEPT_LOCAL) ?
			       src_fail() : XR_PASS_SOURCE;
	default:	/* forwarding off on @oif, lwtunnel, old kernel */
		return XR_PASS_SOURCE;
	}
	/* The next hop the FIB picked goes through the ingress interface. */
	if (q->ifindex == iif)
		return XR_CONTINUE;
	if (src_no_addr(ctx))
		return rpf ? src_fail() : XR_CONTINUE;
	if (rpf != 1)
		return XR_CONTINUE;
	/* Strict: the kernel accepts if *any* next hop of that route goes
	 * through the ingress interface (an ECMP route back). An output
	 * lookup through it that finds nothing proves none does; one that
	 * finds a route may have found a shorter prefix: the kernel
	 * decides. Policy rules would see another input interface then. */
	if (src_custom_rules(ctx))
		return XR_PASS_SOURCE;
	q->family = AF_INET;	/* the first answer's gateway may be IPv6 */
	q->ipv4_dst = saddr;
	switch (src_route_back(ctx, q, iif, 1)) {
	case BPF_FIB_LKUP_RET_NOT_FWDED:
	case BPF_FIB_LKUP_RET_BLACKHOLE:
	case BPF_FIB_LKUP_RET_UNREACHABLE:
	case BPF_FIB_LKUP_RET_PROHIBIT:
		return src_fail();
	default:
		return XR_PASS_SOURCE;
	}
}

/* table mode: the mirrored route back to the source (lookup_table.h's
 * maps): whether one of its next hops goes through @iif. -1: the maps
 * do not say (a nexthop or group not written yet). */
static __always_inline int src_table_via(const struct xr_route *rt, __u32 iif)
{
	const struct xr_nh_group *g;
	const struct xr_nexthop *nh;
	__u32 id = rt->nh;

	if (!(rt->flags & XR_RT_F_GROUP)) {
		nh = bpf_map_lookup_elem(&xr_nexthops, &id);
		return nh && nh->ifindex ? nh->ifindex == iif : -1;
	}
	g = bpf_map_lookup_elem(&xr_nh_groups, &id);
	if (!g || !g->count)
		return -1;
	/* Not unrolled: a slot per member would not fit the stack. */
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < XR_ECMP_MAX; i++) {
		if (i >= g->count)
			break;
		id = g->member[i].nh;
		nh = bpf_map_lookup_elem(&xr_nexthops, &id);
		if (!nh || !nh->ifindex)
			return -1;
		if (nh->ifindex == iif)
			return 1;
	}
	return 0;
}

/*
 * table mode, IPv4: the same decisions from the mirrored tables (local
 * and main, as populate writes them), for every packet (no cache), the
 * route back being one DIR-24-8 lookup.
 */
__noinline int xr_source_check_table(struct xdp_md *ctx, __be32 saddr,
				     __u32 oif, __u32 conf)
{
	__u32 iif, rpf = conf & SRC_CONF_RPF_MASK;
	const struct xr_route *rt;
	enum src_plan plan;
	int via;

	if (!ctx)
		return XR_PASS_SOURCE;
	iif = ctx->ingress_ifindex;
	if (src_hairpin(iif, oif, conf))
		return XR_PASS_REDIRECT;
	plan = src_plan(conf);
	if (plan == SRC_FORWARD)
		return XR_CONTINUE;
	rt = table_route_v4(saddr);
	/* No route back, or a reject route: fib_lookup() fails. */
	if (!rt || rt->type == XR_RT_BLACKHOLE ||
	    rt->type == XR_RT_UNREACHABLE || rt->type == XR_RT_PROHIBIT)
		return rpf ? src_fail() : XR_CONTINUE;
	if (rt->type == XR_RT_LOCAL)	/* local, broadcast, ... */
		return rpf && !(conf & SRC_CONF_ACCEPT_LOCAL) ?
			       src_fail() : XR_PASS_SOURCE;
	if (rt->type != XR_RT_UNICAST)
		return XR_PASS_SOURCE;
	if (plan == SRC_LOCAL_ONLY)
		return XR_CONTINUE;
	via = src_table_via(rt, iif);
	if (via < 0)
		return XR_PASS_SOURCE;
	if (via)
		return XR_CONTINUE;
	if (src_no_addr(ctx))
		return rpf ? src_fail() : XR_CONTINUE;
	return rpf == 1 ? src_fail() : XR_CONTINUE;
}

/*
 * The source check of a packet routed out of @oif, in either lookup mode
 * (@table: a constant): XR_CONTINUE to forward, else the outcome. @q:
 * stack for the route back's lookup (the forward lookup's, done with).
 */
static __always_inline int source_check(struct xdp_md *ctx,
					const struct packet *p, int is_v6,
					__u32 oif, __u32 conf,
					struct bpf_fib_lookup *q,
					const int table)
{
	if (conf & SRC_CONF_LB_REPLY)
		return XR_CONTINUE;
	if (is_v6)
		return oif == ctx->ingress_ifindex ? XR_PASS_REDIRECT :
						     XR_CONTINUE;
	if (table)
		return xr_source_check_table(ctx,
					     ((const struct iphdr *)p->l3)->saddr,
					     oif, conf);
	src_query_fill(q, p, oif);
	return xr_source_check_fib(ctx, q, conf);
}

#endif /* XR_SOURCE_CHECK_H */
