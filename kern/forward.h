/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Forwarding: find where the packet goes, then either hand it back to the
 * kernel (every case the kernel must see) or rewrite it for the next hop and
 * redirect it through the devmap. How the next hop is found is a load-time
 * choice; what is done with it is the same either way.
 */
#ifndef XR_FORWARD_H
#define XR_FORWARD_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lookup.h"
#include "lookup_fib.h"
#include "lookup_table.h"
#include "route_cache.h"
#include "source_check.h"
#include "parse.h"
#include "xdp_router_maps.bpf.h"

/*
 * Load-time knob: enum xr_lookup_mode. Frozen in .rodata, so the verifier
 * sees a constant and drops the other mode's code: a table-mode program
 * never calls bpf_fib_lookup().
 */
const volatile __u32 xr_lookup_mode = XR_LOOKUP_FIB;

/*
 * Trailing bytes past the IP length (Ethernet padding, or whatever a sender
 * appended): the kernel trims them on input (ip_rcv_core(), ip6_rcv_core())
 * and forwards the IP packet alone, and the MTU is checked against the IP
 * length (lookup_fib.h, lookup_table.h). Sent on as they came, a frame whose
 * IP packet fits the egress but whose trailer does not would be dropped by
 * the egress device, counted as forwarded. So they go, as the kernel's do:
 * only a frame that carries them pays the helper call. The frame keeps its
 * start, but every packet pointer must be found and checked again.
 */
static __always_inline int trim_to_ip_len(struct xdp_md *ctx,
					  struct packet *p, int is_v6)
{
	int extra = p->frame_len - (int)sizeof(struct ethhdr) - p->l3_len;
	void *data_end;

	/* Of a multi-buffer frame, the helper shrinks the fragments. */
	if (bpf_xdp_adjust_tail(ctx, -extra))
		return -1;
	p->frame_len -= extra;
	data_end = (void *)(long)ctx->data_end;
	p->eth = (void *)(long)ctx->data;
	p->l3 = p->eth + 1;
	p->data_end = data_end;
	if (is_v6)
		return p->l3 + sizeof(struct ipv6hdr) > data_end ? -1 : 0;
	return p->l3 + sizeof(struct iphdr) > data_end ? -1 : 0;
}

/*
 * fib mode: the route cache, else the FIB and the source check (whose
 * joint answer the cache then keeps). A function of its own: its stack
 * (the cache probe, the FIB's parameters) is not added to the load
 * balancer's, which shares the entry point's frame.
 */
static __noinline int lookup_fib_cached(struct xdp_md *ctx,
					const struct packet *p, int is_v6,
					__u32 src_conf, struct next_hop *nh)
{
	struct bpf_fib_lookup fib;
	struct rc_probe rc;
	int outcome;

	if (route_cache_lookup(ctx, &rc, p, is_v6, src_conf_stamp(src_conf),
			       nh))
		return XR_CONTINUE;
	outcome = lookup_fib(ctx, p, is_v6, &fib, nh);
	if (outcome == XR_CONTINUE)
		outcome = source_check(ctx, p, is_v6, nh->ifindex, src_conf,
				       &fib, 0);
	if (outcome == XR_CONTINUE)
		route_cache_store(ctx, &rc, p, is_v6, nh);
	return outcome;
}

/* table mode: the mirrored tables, then the source check. */
static __always_inline int lookup_table_checked(struct xdp_md *ctx,
						const struct packet *p,
						int is_v6,
						const struct xr_iface *st,
						__u32 src_conf,
						struct next_hop *nh)
{
	int outcome = lookup_table(p, is_v6, st, nh);

	if (outcome != XR_CONTINUE)
		return outcome;
	return source_check(ctx, p, is_v6, nh->ifindex, src_conf, NULL, 1);
}

/*
 * Route the parsed packet, received on an interface whose state is @st
 * (NULL if the data plane could not create it); @lb_reply: a NAT reply the
 * load balancer translated (source_check.h). On success the packet has
 * been rewritten for the next hop and the redirect target set; otherwise it
 * is untouched.
 */
static __always_inline int forward(struct xdp_md *ctx, struct packet *p,
				   int is_v6, const struct xr_iface *st,
				   int lb_reply)
{
	struct next_hop nh;
	__u32 src_conf;
	int outcome;

	if (ttl_expired(p, is_v6))
		return XR_PASS_TTL_EXPIRED;
	src_conf = src_conf_read(ctx, is_v6, lb_reply);
	if (xr_lookup_mode == XR_LOOKUP_TABLE)
		outcome = lookup_table_checked(ctx, p, is_v6, st, src_conf,
					       &nh);
	else
		outcome = lookup_fib_cached(ctx, p, is_v6, src_conf, &nh);
	if (outcome != XR_CONTINUE) {
		/* A refused source the kernel is asked to log. */
		if (outcome == XR_DROP_RP_FILTER &&
		    (src_conf & SRC_CONF_LOG_MARTIANS))
			return XR_PASS_SOURCE;
		return outcome;
	}

	/* Egress interfaces the router is not attached to are the kernel's:
	 * the packet is still untouched here, so the kernel sees the
	 * original TTL. */
	if (bpf_redirect_map(&xr_tx_ports, nh.ifindex, XDP_PASS) !=
	    XDP_REDIRECT)
		return XR_PASS_EGRESS_NOT_XDP;
	/* Cannot fail (the IP packet is in the frame); if it did, the kernel
	 * trims the frame itself. */
	if (sizeof(struct ethhdr) + p->l3_len < p->frame_len &&
	    trim_to_ip_len(ctx, p, is_v6))
		return XR_PASS_UNSUPPORTED;

	if (is_v6)
		((struct ipv6hdr *)p->l3)->hop_limit--;
	else
		ipv4_decrease_ttl(p->l3);
	__builtin_memcpy(p->eth->h_dest, nh.dmac, ETH_ALEN);
	__builtin_memcpy(p->eth->h_source, nh.smac, ETH_ALEN);
	return XR_REDIRECT;
}

#endif /* XR_FORWARD_H */
