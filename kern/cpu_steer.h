/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * attach --cpus LIST: spread the routing of a single-queue interface (a
 * one-queue veth, a NIC without RSS) over several CPUs.
 *
 * The receiving CPU only hashes the packet's flow and hands the frame to
 * the CPU that hash picks from LIST, through xr_cpus (a CPUMAP): that CPU's
 * cpumap kthread runs the router's second program, xdp_router_cpu (SEC
 * "xdp/cpumap"), which routes it exactly as xdp_router would. A flow always
 * hashes to the same CPU, and a cpumap queue is FIFO, so a flow's packets
 * keep their order (as long as they are received by one CPU, as on a
 * single-queue interface).
 *
 * The hash is a jhash of the IP addresses and, for unfragmented TCP/UDP,
 * the ports, read straight from the frame: this file depends on nothing
 * of the parse/forward path. Non-IP frames and anything too short hash to
 * 0 (one CPU). Interface counters are counted once, by the CPU that routes
 * the packet; xr_cpu_stats counts the hand-over itself.
 *
 * Off (no --cpus, xr_steer_ncpus 0), the verifier removes all of it: the
 * knobs are .rodata.
 */
#ifndef XR_CPU_STEER_H
#define XR_CPU_STEER_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xdp_router_lb_hash.h"
#include "xdp_router_maps.bpf.h"

/* Load-time knobs (attach --cpus, --cpu-qsize); the CLI reads them back. */
const volatile __u32 xr_steer_ncpus = 0;
const volatile __u32 xr_steer_cpus[XR_STEER_MAX_CPUS] = {};
const volatile __u32 xr_steer_qsize = 0;	/* a record: the CLI sets it */

static __always_inline struct xr_cpu_stats *steer_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&xr_cpu_stats, &zero);
}

static __always_inline __u32 steer_hash(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 a, b, c, ports = 0;

	if ((void *)(eth + 1) > data_end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return 0;
		/* Ports only where every packet of the flow has them. */
		if ((ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP) &&
		    !(ip->frag_off & bpf_htons(0x3fff))) {
			__u32 *l4 = (void *)ip + ip->ihl * 4;

			if (ip->ihl >= 5 && (void *)(l4 + 1) <= data_end)
				ports = *l4;
		}
		a = b = c = XR_JHASH_INITVAL + ip->protocol;
		a += ip->saddr;
		b += ip->daddr;
		c += ports;
		xr_jhash_final(a, b, c);
		return c;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		const __u32 *s, *d;

		if ((void *)(ip6 + 1) > data_end)
			return 0;
		if (ip6->nexthdr == IPPROTO_TCP || ip6->nexthdr == IPPROTO_UDP) {
			__u32 *l4 = (void *)(ip6 + 1);

			if ((void *)(l4 + 1) <= data_end)
				ports = *l4;
		}
		s = ip6->saddr.in6_u.u6_addr32;
		d = ip6->daddr.in6_u.u6_addr32;
		a = b = c = XR_JHASH_INITVAL + ip6->nexthdr;
		a += s[0] ^ s[1];
		b += s[2] ^ s[3];
		c += d[0] ^ d[1];
		xr_jhash_mix(a, b, c);
		a += d[2] ^ d[3];
		b += ports;
		xr_jhash_final(a, b, c);
		return c;
	}
	return 0;
}

/*
 * The hook at the top of xdp_router: XDP_REDIRECT when the packet went to
 * a CPU's queue, -1 when this CPU routes it (steering off, or the chosen
 * CPU has no cpumap entry).
 */
static __always_inline int cpu_steer(struct xdp_md *ctx)
{
	struct xr_cpu_stats *st;
	__u32 n = xr_steer_ncpus, i, cpu;

	if (!n)
		return -1;
	i = (__u32)(((__u64)steer_hash(ctx) * n) >> 32);
	cpu = xr_steer_cpus[i & (XR_STEER_MAX_CPUS - 1)];
	st = steer_stats();
	/* flags 0: a missing entry answers XDP_ABORTED, not a redirect. */
	if (bpf_redirect_map(&xr_cpus, cpu, 0) == XDP_REDIRECT) {
		if (st)
			st->steered++;
		return XDP_REDIRECT;
	}
	if (st)
		st->steer_failed++;
	return -1;
}

/*
 * The cpumap program's verdict for @action: a cpumap program cannot
 * XDP_TX, so the load balancer's "back out of the ingress interface" is a
 * redirect to it.
 */
static __always_inline int cpu_steer_action(struct xdp_md *ctx, int action)
{
	struct xr_cpu_stats *st = steer_stats();

	if (st)
		st->processed++;
	if (action == XDP_TX)
		return bpf_redirect(ctx->ingress_ifindex, 0);
	return action;
}

#endif /* XR_CPU_STEER_H */
