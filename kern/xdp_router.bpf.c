// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdp-router data plane: the entry point. The packet's path reads top to
 * bottom: interface state, Ethernet, IP, load balancer, forwarding; every
 * packet ends in exactly one outcome, counted on its ingress interface.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>
#include "parse.h"
#include "firewall.h"
#include "fw_nat.h"
#include "forward.h"
#include "lb.h"
#include "stats.h"
#include "cpu_steer.h"
#include "outcome_action.h"

/* Forwarding if the firewall gate (firewall.h) lets the packet through,
 * translated as conntrack says. */
static __always_inline int gate_and_forward(struct xdp_md *ctx,
					    struct packet *p, int is_v6,
					    const struct xr_iface *st,
					    int lb_reply)
{
	struct fw_verdict fw = {};
	int outcome = fw_gate(ctx, p, is_v6, &fw);

	if (outcome != XR_CONTINUE)
		return outcome;
	if (fw.manip_dst && fw_nat_dst(p, is_v6, &fw))
		return XR_PASS_FW_CTL;
	outcome = forward(ctx, p, is_v6, st, lb_reply);
	/* A source the kernel refuses after netfilter's prerouting hooks
	 * have seen it: theirs to see (kern/source_check.h). */
	if (outcome == XR_DROP_RP_FILTER)
		outcome = XR_PASS_SOURCE;
	return fw_nat_finish(ctx, p, is_v6, &fw, outcome);
}

/* A parsed IP packet: the load balancer's if it is for a VIP, else routed. */
static __always_inline int balance_or_forward(struct xdp_md *ctx,
					      struct packet *p, int is_v6,
					      const struct xr_iface *st)
{
	int outcome = lb(ctx, p, is_v6), lb_reply;

	lb_reply = outcome == XR_CONTINUE_NAT_REPLY;
	if (outcome != XR_CONTINUE && !lb_reply)
		return outcome;
	/* Options (record route, timestamps, router alert) need the kernel. */
	if (p->ip_options)
		return XR_PASS_IP_OPTIONS;
	if (fw_armed(ctx, is_v6))
		return gate_and_forward(ctx, p, is_v6, st, lb_reply);
	return forward(ctx, p, is_v6, st, lb_reply);
}

static __always_inline int route(struct xdp_md *ctx,
				 const struct xr_iface *st, __u32 frame_len)
{
	struct packet p = {
		.data_end = (void *)(long)ctx->data_end,
		.frame_len = frame_len,
	};
	__u16 proto;
	int outcome;

	outcome = parse_eth(&p, (void *)(long)ctx->data,
			    st ? &st->conf : NULL, &proto);
	if (outcome != XR_CONTINUE)
		return outcome;

	/* Two paths with a constant family: the verifier must never follow
	 * an IPv4 packet into IPv6 code. */
	if (proto == ETH_P_IP) {
		outcome = parse_ipv4(&p);
		if (outcome != XR_CONTINUE)
			return outcome;
		return balance_or_forward(ctx, &p, 0, st);
	}
	outcome = parse_ipv6(&p);
	if (outcome != XR_CONTINUE)
		return outcome;
	return balance_or_forward(ctx, &p, 1, st);
}

static __always_inline int route_and_count(struct xdp_md *ctx)
{
	/* Before route(): a forwarded frame may be trimmed (forward.h). */
	__u32 bytes = xdp_frame_len(ctx);
	struct xr_iface *st = iface_state(ctx->ingress_ifindex);
	int outcome = route(ctx, st, bytes);

	count_outcome(st, outcome, bytes);
	return outcome_action(outcome);
}

/*
 * In libxdp's dispatcher (xdp-loader, attach --multiprog): after filters
 * such as xdp-filter (priority 10); what the router hands to the kernel
 * goes on to the next program.
 */
struct {
	__uint(priority, 50);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(xdp_router);

/*
 * xdp.frags: the program handles multi-buffer frames (an MTU larger than a
 * page, kern/parse.h), so the kernel attaches it natively to such
 * interfaces instead of refusing; it runs on single-buffer frames as well.
 */
SEC("xdp.frags")
int xdp_router(struct xdp_md *ctx)
{
	/* attach --cpus: hand the packet to its flow's CPU (cpu_steer.h). */
	if (cpu_steer(ctx) == XDP_REDIRECT)
		return XDP_REDIRECT;
	return route_and_count(ctx);
}

/* The same path on the CPU cpu_steer() chose, run by its cpumap kthread. */
SEC("xdp.frags/cpumap")
int xdp_router_cpu(struct xdp_md *ctx)
{
	return cpu_steer_action(ctx, route_and_count(ctx));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
