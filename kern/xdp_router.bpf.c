// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdp-router data plane: the entry point. The packet's path reads top to
 * bottom: interface state, Ethernet, IP, forwarding; every packet ends in
 * exactly one outcome, counted on its ingress interface.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "parse.h"
#include "forward.h"
#include "stats.h"

static __always_inline int outcome_action(int outcome)
{
	if (outcome == XR_REDIRECT)
		return XDP_REDIRECT;
	if (outcome < XR_DROP_MALFORMED)
		return XDP_PASS;
	if (outcome < XR_ABORTED)
		return XDP_DROP;
	return XDP_ABORTED;
}

static __always_inline int route(struct xdp_md *ctx,
				 const struct xr_iface *st)
{
	struct packet p = {
		.data_end = (void *)(long)ctx->data_end,
	};
	__u16 proto;
	int outcome;

	outcome = parse_eth(&p, (void *)(long)ctx->data,
			    st ? &st->conf : NULL, &proto);
	if (outcome != XR_CONTINUE)
		return outcome;

	if (proto == ETH_P_IP) {
		outcome = parse_ipv4(&p);
		if (outcome != XR_CONTINUE)
			return outcome;
		return forward(ctx, &p, 0, st);
	}
	outcome = parse_ipv6(&p);
	if (outcome != XR_CONTINUE)
		return outcome;
	return forward(ctx, &p, 1, st);
}

SEC("xdp")
int xdp_router(struct xdp_md *ctx)
{
	__u64 bytes = ctx->data_end - ctx->data;
	struct xr_iface *st = iface_state(ctx->ingress_ifindex);
	int outcome = route(ctx, st);

	count_outcome(st, outcome, bytes);
	return outcome_action(outcome);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
