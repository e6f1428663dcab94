// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The firewall gate's recorder: on TC egress of every attached interface,
 * it sees what the kernel forwards (frames the router redirects in XDP
 * never pass here) and notes, for each flow leaving with conntrack's state
 * "established", that the kernel accepted a packet of it in that direction
 * under the current ruleset generation (maps/xr_firewall.h); and the same
 * for each TCP/UDP packet conntrack does not track (a stateless ruleset),
 * by the packet's own tuple. The router's
 * gate (kern/firewall.h) forwards a flow's packets in XDP only while that
 * holds. Egress runs after the whole netfilter path (prerouting, forward,
 * postrouting, NAT): a packet here has passed every hook.
 *
 * It never changes or drops a packet, and returns TC_ACT_UNSPEC: the
 * filters after it run as if it were not there. Attached by `attach` with
 * clsact filters (tc filter show dev IFACE egress), removed by `detach`.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "kernel_nf.h"
#include "fw_generation.h"
#include "parse.h"
#include "xr_fw_flows.bpf.h"


extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

struct sk_buff___xr {
	struct net_device___xrnf *dev;
	unsigned long _nfct;
} __attribute__((preserve_access_index));

static __always_inline int read_key(const struct nf_conn *ct,
				    struct xr_fw_key *k)
{
	const struct nf_conntrack_tuple___xr *t = &ct->tuplehash[0].tuple;

	if (BPF_CORE_READ_INTO(&k->src, t, src.u3.all) ||
	    BPF_CORE_READ_INTO(&k->dst, t, dst.u3.all) ||
	    BPF_CORE_READ_INTO(&k->sport, t, src.u.all) ||
	    BPF_CORE_READ_INTO(&k->dport, t, dst.u.all) ||
	    BPF_CORE_READ_INTO(&k->l4_proto, t, dst.protonum) ||
	    BPF_CORE_READ_INTO(&k->zone, ct, zone.id))
		return -1;
	k->family = (__u8)BPF_CORE_READ(t, src.l3num);
	return 0;
}

/* Constant indices only (fw_flow_verified(), fw_generation.h). */
static __always_inline void note(struct xr_fw_flow *f, int dir, __u32 gen,
				 __u32 now)
{
	if (dir) {
		f->gen[1] = gen;
		f->at[1] = now;
		f->verified[1] = 1;
	} else {
		f->gen[0] = gen;
		f->at[0] = now;
		f->verified[0] = 1;
	}
}

/*
 * A packet conntrack did not track (no conntrack in the namespace, or a
 * notrack rule): its own TCP/UDP tuple as the key (fw_packet_key()),
 * direction 0. Only a plain header (no IPv4 options, no IPv6 extension
 * header, not a fragment): the router's gate hands the others to the
 * kernel anyway.
 */
static __always_inline int read_packet_key(struct __sk_buff *ctx,
					   struct xr_fw_key *k, int *is_v6)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__be16 *ports;
	__u8 proto;
	void *l3;

	if ((void *)(eth + 1) > end)
		return -1;
	l3 = eth + 1;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = l3;

		if ((void *)(iph + 1) > end || iph->ihl != 5 ||
		    (iph->frag_off & bpf_htons(XR_IP_MF | XR_IP_OFFSET)))
			return -1;
		proto = iph->protocol;
		ports = (void *)(iph + 1);
		*is_v6 = 0;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = l3;

		if ((void *)(ip6h + 1) > end)
			return -1;
		proto = ip6h->nexthdr;
		ports = (void *)(ip6h + 1);
		*is_v6 = 1;
	} else {
		return -1;
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return -1;
	if ((void *)(ports + 2) > end)
		return -1;
	fw_packet_key(k, *is_v6, l3, proto, ports[0], ports[1]);
	return 0;
}

/* Conntrack's prerouting hooks (0: not found). */
extern const void ipv4_conntrack_in __ksym __weak;
extern const void ipv6_conntrack_in __ksym __weak;

#define MAX_HOOKS_SCANNED 16

/*
 * Conntrack at work on the family's prerouting: then a packet with no
 * entry is one it refused (invalid), whose tuple proves nothing for the
 * flow's other packets, not a stateless namespace's. Unknown (no symbol,
 * more hooks than scanned): taken as at work, and nothing is noted.
 */
static __always_inline int conntrack_at_work(struct net___xrnf *net,
					     int is_v6)
{
	const void *in = is_v6 ? &ipv6_conntrack_in : &ipv4_conntrack_in;
	struct nf_hook_entries___xr *list;
	__u16 n;

	list = is_v6 ? net->nf.hooks_ipv6[XR_NF_INET_PRE_ROUTING] :
		       net->nf.hooks_ipv4[XR_NF_INET_PRE_ROUTING];
	if (!in)
		return 1;
	if (!list)
		return 0;
	n = list->num_hook_entries;
	/* Constant indices: no variable offset into a kernel object. */
#pragma unroll
	for (int i = 0; i < MAX_HOOKS_SCANNED; i++) {
		if (i >= n)
			return 0;
		if (list->hooks[i].hook == in)
			return 1;
	}
	return 1;
}

SEC("tc")
int xr_fw_record(struct __sk_buff *ctx)
{
	struct sk_buff___xr *skb = bpf_cast_to_kern_ctx(ctx);
	unsigned long nfct = skb->_nfct;
	unsigned long info = nfct & XR_NFCT_INFOMASK;
	struct nf_conn *ct = (void *)(nfct & ~XR_NFCT_INFOMASK);
	struct xr_fw_key key = {};
	struct xr_fw_flow *rec, fresh = {};
	struct fw_hooks hooks;
	struct net___xrnf *net;
	__u32 zero = 0, gen, now, since;
	int dir = 0, is_v6;

	if (!ct) {
		/* Untracked: notrack's, or no entry in a namespace where
		 * conntrack is not at work. */
		if (info != 0 && info != XR_IP_CT_UNTRACKED)
			return TC_ACT_UNSPEC;
		if (read_packet_key(ctx, &key, &is_v6))
			return TC_ACT_UNSPEC;
		if (info == 0 &&
		    conntrack_at_work(skb->dev->nd_net.net, is_v6))
			return TC_ACT_UNSPEC;
	} else {
		if (info != XR_IP_CT_ESTABLISHED &&
		    info != XR_IP_CT_ESTABLISHED_REPLY)
			return TC_ACT_UNSPEC;
		if (read_key(ct, &key))
			return TC_ACT_UNSPEC;
		if (key.l4_proto != IPPROTO_TCP &&
		    key.l4_proto != IPPROTO_UDP)
			return TC_ACT_UNSPEC;
		if (key.family != XR_AF_INET && key.family != XR_AF_INET6)
			return TC_ACT_UNSPEC;
		is_v6 = key.family == XR_AF_INET6;
		dir = info == XR_IP_CT_ESTABLISHED_REPLY;
	}

	net = skb->dev->nd_net.net;
	fw_read_hooks(net, is_v6, &hooks);
	gen = fw_generation(net, &hooks);
	now = fw_now();
	since = fw_gen_since(bpf_map_lookup_elem(&xr_fw_state, &zero), is_v6,
			     gen);

	rec = bpf_map_lookup_elem(&xr_fw_flows, &key);
	if (rec && rec->ct == (__u64)ct) {
		/* Written only when it changes: a busy flow on the kernel
		 * path does not keep dirtying the entry. One noted too soon
		 * after a change is noted again, until it counts. */
		if (!fw_flow_verified(rec, dir, gen, since))
			note(rec, dir, gen, now);
		return TC_ACT_UNSPEC;
	}
	fresh.ct = (__u64)ct;
	note(&fresh, dir, gen, now);
	bpf_map_update_elem(&xr_fw_flows, &key, &fresh, BPF_ANY);
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
