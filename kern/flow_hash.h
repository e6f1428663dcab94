/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The flow hash that picks an ECMP member in table lookup mode. The kernel's
 * own (fib_multipath_hash()) is seeded with a secret, so no program can
 * reproduce it; what matters is what it guarantees, and this keeps that: a
 * flow's packets always hash alike, and flows spread over the members.
 *
 * Bob Jenkins' lookup3, as <linux/jhash.h> has it, over the 5-tuple. The
 * seed is chosen at load time, so that routers in series do not all make
 * the same choice for a flow (ECMP polarisation).
 */
#ifndef XR_FLOW_HASH_H
#define XR_FLOW_HASH_H

#include <linux/types.h>
#include "parse.h"
#include "xdp_router_lb_hash.h"	/* the jhash primitives */

/* Load-time knob: the ECMP hash seed (the CLI draws one at random). */
const volatile __u32 xr_ecmp_seed = 0;

static __always_inline __u32 flow_ports(const struct packet *p)
{
	return (__u32)p->sport << 16 | p->dport;
}

/* jhash_3words(saddr, daddr, ports, seed ^ protocol). */
static __always_inline __u32 flow_hash_v4(const struct packet *p)
{
	const struct iphdr *iph = p->l3;
	__u32 a, b, c;

	a = b = c = XR_JHASH_INITVAL + (3 << 2) + (xr_ecmp_seed ^ p->l4_proto);
	a += iph->saddr;
	b += iph->daddr;
	c += flow_ports(p);
	xr_jhash_final(a, b, c);
	return c;
}

/* jhash2() over saddr, daddr and the ports: nine words. */
static __always_inline __u32 flow_hash_v6(const struct packet *p)
{
	const struct ipv6hdr *ip6h = p->l3;
	const __u32 *s = ip6h->saddr.in6_u.u6_addr32;
	const __u32 *d = ip6h->daddr.in6_u.u6_addr32;
	__u32 a, b, c;

	a = b = c = XR_JHASH_INITVAL + (9 << 2) + (xr_ecmp_seed ^ p->l4_proto);
	a += s[0];
	b += s[1];
	c += s[2];
	xr_jhash_mix(a, b, c);
	a += s[3];
	b += d[0];
	c += d[1];
	xr_jhash_mix(a, b, c);
	a += d[2];
	b += d[3];
	c += flow_ports(p);
	xr_jhash_final(a, b, c);
	return c;
}

#endif /* XR_FLOW_HASH_H */
