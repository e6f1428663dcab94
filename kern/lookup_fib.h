/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Route lookup by the kernel's FIB itself (attach --lookup fib, the default):
 * bpf_fib_lookup() answers with the routing decision, the next hop's MACs
 * and the egress interface, or with the reason the kernel must see the
 * packet.
 */
#ifndef XR_LOOKUP_FIB_H
#define XR_LOOKUP_FIB_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lookup.h"
#include "parse.h"

#define XR_IPV6_FLOWINFO_MASK bpf_htonl(0x0FFFFFFF)

/* Load-time knob: flags for bpf_fib_lookup() (e.g. BPF_FIB_LOOKUP_DIRECT). */
const volatile __u32 xr_fib_flags = 0;

static __always_inline int fib_outcome(long rc)
{
	switch (rc) {
	case BPF_FIB_LKUP_RET_SUCCESS:
		return XR_CONTINUE;
	case BPF_FIB_LKUP_RET_BLACKHOLE:
		return XR_DROP_BLACKHOLE;
	case BPF_FIB_LKUP_RET_UNREACHABLE:
	case BPF_FIB_LKUP_RET_PROHIBIT:
		return XR_PASS_UNREACHABLE;
	case BPF_FIB_LKUP_RET_NOT_FWDED:
	case BPF_FIB_LKUP_RET_FWD_DISABLED:
		return XR_PASS_NOT_FWDED;
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		return XR_PASS_NO_NEIGH;
	case BPF_FIB_LKUP_RET_FRAG_NEEDED:
		return XR_PASS_FRAG_NEEDED;
	default:	/* UNSUPP_LWT, NO_SRC_ADDR, helper errors */
		return XR_PASS_UNSUPPORTED;
	}
}

static __always_inline void fib_params_v4(struct bpf_fib_lookup *fib,
					  const struct packet *p)
{
	const struct iphdr *iph = p->l3;

	fib->family = AF_INET;
	fib->tos = iph->tos;
	fib->ipv4_src = iph->saddr;
	fib->ipv4_dst = iph->daddr;
}

static __always_inline void fib_params_v6(struct bpf_fib_lookup *fib,
					  const struct packet *p)
{
	const struct ipv6hdr *ip6h = p->l3;

	fib->family = AF_INET6;
	fib->flowinfo = *(const __be32 *)ip6h & XR_IPV6_FLOWINFO_MASK;
	__builtin_memcpy(fib->ipv6_src, &ip6h->saddr, sizeof(fib->ipv6_src));
	__builtin_memcpy(fib->ipv6_dst, &ip6h->daddr, sizeof(fib->ipv6_dst));
}

/* @fib: the caller's, free for its next use once this returns (the
 * source check's lookup takes the same stack). */
static __always_inline int lookup_fib(struct xdp_md *ctx,
				      const struct packet *p, int is_v6,
				      struct bpf_fib_lookup *fib,
				      struct next_hop *nh)
{
	int outcome;

	__builtin_memset(fib, 0, sizeof(*fib));
	if (is_v6)
		fib_params_v6(fib, p);
	else
		fib_params_v4(fib, p);
	fib->l4_protocol = p->l4_proto;
	fib->sport = p->sport;	/* ECMP entropy (fib_multipath_hash_policy) */
	fib->dport = p->dport;
	/* MTU check: the IP length, which is what leaves (forward()
	 * trims the bytes past it, as the kernel does). */
	fib->tot_len = p->l3_len;
	fib->ifindex = ctx->ingress_ifindex;

	outcome = fib_outcome(bpf_fib_lookup(ctx, fib, sizeof(*fib),
					     xr_fib_flags));
	if (outcome != XR_CONTINUE)
		return outcome;
	nh->ifindex = fib->ifindex;
	__builtin_memcpy(nh->smac, fib->smac, ETH_ALEN);
	__builtin_memcpy(nh->dmac, fib->dmac, ETH_ALEN);
	return XR_CONTINUE;
}

#endif /* XR_LOOKUP_FIB_H */
