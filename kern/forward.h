/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Forwarding: ask the kernel's FIB where the packet goes, then either hand it
 * back to the kernel (every case the kernel must see) or rewrite it for the
 * next hop and redirect it through the devmap.
 */
#ifndef XR_FORWARD_H
#define XR_FORWARD_H

#include <linux/bpf.h>
#include <linux/socket.h>
#include <bpf/bpf_helpers.h>
#include "parse.h"
#include "xdp_router_maps.bpf.h"

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

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

/*
 * Route the parsed packet. On success the packet has been rewritten for the
 * next hop and the redirect target set; otherwise it is untouched.
 */
static __always_inline int forward(struct xdp_md *ctx, struct packet *p,
				   int is_v6)
{
	struct bpf_fib_lookup fib = {};
	long rc;
	int outcome;

	if (is_v6)
		fib_params_v6(&fib, p);
	else
		fib_params_v4(&fib, p);
	fib.l4_protocol = p->l4_proto;
	fib.sport = p->sport;	/* ECMP entropy (fib_multipath_hash_policy) */
	fib.dport = p->dport;
	fib.tot_len = p->l3_len;	/* MTU check */
	fib.ifindex = ctx->ingress_ifindex;

	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), xr_fib_flags);
	outcome = fib_outcome(rc);
	if (outcome != XR_CONTINUE)
		return outcome;

	/* Egress interfaces the router is not attached to are the kernel's:
	 * the packet is still untouched here, so the kernel sees the
	 * original TTL. */
	if (bpf_redirect_map(&xr_tx_ports, fib.ifindex, XDP_PASS) !=
	    XDP_REDIRECT)
		return XR_PASS_EGRESS_NOT_XDP;

	if (is_v6)
		((struct ipv6hdr *)p->l3)->hop_limit--;
	else
		ipv4_decrease_ttl(p->l3);
	__builtin_memcpy(p->eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(p->eth->h_source, fib.smac, ETH_ALEN);
	return XR_REDIRECT;
}

#endif /* XR_FORWARD_H */
