/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ruleset generation: a number that changes whenever the kernel's
 * verdict on a forwarded packet may change, read from the kernel's own
 * state on every packet (no daemon, as route_epoch.h does for the FIB):
 *
 *   net->nft.base_seq   bumped by every nftables commit (rules, chains,
 *                       sets and their elements, iptables-nft)
 *   the hook lists      how many hooks prerouting, forward and postrouting
 *                       of the family have (net->nf.hooks_ipv4/6): a hook
 *                       registered or removed (a legacy iptables table,
 *                       conntrack, NAT, a BPF netfilter program)
 *
 * nftables bumps base_seq just before it switches to the new rules, so a
 * packet judged by the old rules can reach the recorder after the bump.
 * Whoever first sees a new generation (router or recorder) notes when in
 * xr_fw_state, and a verdict recorded less than XR_FW_SETTLE after that is
 * not trusted: the packet goes to the kernel again, which records it anew.
 *
 * Also the flow records both sides read: their keys and what makes one a
 * proof.
 */
#ifndef XR_FW_GENERATION_H
#define XR_FW_GENERATION_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include "kernel_nf.h"
#include "xdp_router_types.h"

#define XR_AF_INET 2
#define XR_AF_INET6 10

/* The hook lists of one family a forwarded packet goes through: how many
 * hooks each has (0: none). */
struct fw_hooks {
	__u32 pre;
	__u32 fwd;
	__u32 post;
};

static __always_inline __u32
fw_count(const struct nf_hook_entries___xr *list)
{
	return list ? list->num_hook_entries : 0;
}

static __always_inline void fw_read_hooks(struct net___xrnf *net, int is_v6,
					  struct fw_hooks *h)
{
	if (is_v6) {
		h->pre = fw_count(net->nf.hooks_ipv6[XR_NF_INET_PRE_ROUTING]);
		h->fwd = fw_count(net->nf.hooks_ipv6[XR_NF_INET_FORWARD]);
		h->post = fw_count(net->nf.hooks_ipv6[XR_NF_INET_POST_ROUTING]);
	} else {
		h->pre = fw_count(net->nf.hooks_ipv4[XR_NF_INET_PRE_ROUTING]);
		h->fwd = fw_count(net->nf.hooks_ipv4[XR_NF_INET_FORWARD]);
		h->post = fw_count(net->nf.hooks_ipv4[XR_NF_INET_POST_ROUTING]);
	}
}

static __always_inline int fw_hooks_any(const struct fw_hooks *h)
{
	return h->pre || h->fwd || h->post;
}

/*
 * base_seq and the hook counts, mixed so that a change of either moves
 * the result. (The lists' addresses would be a finer witness of a hook
 * swapped for another, but the verifier gives no scalar view of a kernel
 * pointer without a helper call per packet.)
 */
static __always_inline __u32 fw_generation(struct net___xrnf *net,
					   const struct fw_hooks *h)
{
	__u32 counts = h->pre | h->fwd << 10 | h->post << 20;

	return net->nft.base_seq + counts * 0x9e3779b1U;
}

static __always_inline __u32 fw_now(void)
{
	return (__u32)(bpf_ktime_get_ns() >> XR_FW_TIME_SHIFT);
}

/*
 * Notes @gen as the family's generation if it is new; returns since when
 * it has been the generation (NULL state: now, trusting nothing). The
 * clock is read only then: the router's gate calls this for every packet,
 * and bpf_ktime_get_ns() was a fifth of its cost.
 */
static __always_inline __u32 fw_gen_since(struct xr_fw_state *st, int is_v6,
					  __u32 gen)
{
	int fam = is_v6 ? 1 : 0;
	__u32 now;

	if (st && st->gen[fam] == gen)
		return st->since[fam];
	now = fw_now();
	if (st) {
		st->gen[fam] = gen;
		st->since[fam] = now;
	}
	return now;
}

/*
 * The key of a flow conntrack does not track (no conntrack in the
 * namespace, or a notrack rule): the packet's own tuple, one key per
 * direction, recorded with ct 0 (so never mistaken for a tracked entry's
 * record, whose original tuple may be the same).
 */
static __always_inline void fw_packet_key(struct xr_fw_key *k, int is_v6,
					  const void *l3, __u8 l4_proto,
					  __be16 sport, __be16 dport)
{
	if (is_v6) {
		const struct ipv6hdr *ip6h = l3;

		__builtin_memcpy(k->src, &ip6h->saddr, 16);
		__builtin_memcpy(k->dst, &ip6h->daddr, 16);
		k->family = XR_AF_INET6;
	} else {
		const struct iphdr *iph = l3;

		k->src[0] = iph->saddr;
		k->dst[0] = iph->daddr;
		k->family = XR_AF_INET;
	}
	k->sport = sport;
	k->dport = dport;
	k->l4_proto = l4_proto;
}

static __always_inline int fw_flow_verified(const struct xr_fw_flow *f,
					    int dir, __u32 gen, __u32 since)
{
	if (dir)
		return f->verified[1] && f->gen[1] == gen &&
		       (__s32)(f->at[1] - since) >= XR_FW_SETTLE;
	return f->verified[0] && f->gen[0] == gen &&
	       (__s32)(f->at[0] - since) >= XR_FW_SETTLE;
}

#endif /* XR_FW_GENERATION_H */
