/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The firewall gate: the kernel decides, XDP accelerates.
 *
 * While the router's namespace has netfilter hooks on the forward path
 * (nftables or iptables chains on prerouting, forward or postrouting,
 * conntrack, NAT; attach --firewall auto), or always (--firewall
 * conntrack), XDP forwards a packet only if all of these hold:
 *
 *  - it is TCP or UDP, not a fragment, and not a TCP SYN, FIN or RST:
 *    conntrack must see everything that changes a flow's state (and ICMP,
 *    whose errors it relates to flows); tracked TCP only while conntrack's
 *    window checks are liberal (nf_conntrack_tcp_be_liberal, fw_gate());
 *  - conntrack (bpf_xdp_ct_lookup(), zone 0) holds a confirmed entry for
 *    its flow that has seen replies (TCP: in state ESTABLISHED), with no
 *    helper and no sequence adjustment;
 *  - the kernel itself has forwarded a packet of that entry, in the same
 *    direction and with conntrack's state "established", under the current
 *    ruleset generation, and not within XR_FW_SETTLE of its start
 *    (kern/fw_record.bpf.c, kern/fw_generation.h);
 *  - or, for a flow conntrack does not track (a stateless ruleset), the
 *    kernel forwarded a packet with this very tuple under the current
 *    generation (fw_untracked()).
 *
 * Anything else goes to the kernel (pass_fw_*), which applies the ruleset
 * and conntrack to it and, by forwarding it, teaches the gate. A drop rule
 * for an established flow thus takes effect in XDP the moment nft commits
 * it. What the gate cannot see: per-packet matches inside an established
 * flow (length, TCP flags other than SYN/FIN/RST, limit, quota), rule
 * counters, conntrack's packet and byte counters, and packet mangling other
 * than NAT (docs/architecture.md).
 *
 * The entry's timeout is refreshed as the kernel's protocol trackers
 * refresh it, at most once a second per flow. NAT is conntrack's: the
 * packet is rewritten to the inverse of the entry's other-direction tuple,
 * the destination before the route lookup (where the kernel's prerouting
 * NAT runs), the source after it (postrouting), with the kernel's own
 * incremental checksum arithmetic (kern/fw_nat.h).
 */
#ifndef XR_FIREWALL_H
#define XR_FIREWALL_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "fw_generation.h"
#include "kernel_nf.h"
#include "parse.h"
#include "xdp_router_maps.bpf.h"

/* Load-time knob: enum xr_fw_mode (attach --firewall). */
const volatile __u32 xr_fw_mode = XR_FW_AUTO;

/* The kernel's tick rate, for conntrack's timeouts (jiffies) and
 * bpf_ct_change_timeout() (ms). libbpf reads it from the kernel's config;
 * unknown, the refresh assumes 1000, the shortest timeouts. */
extern unsigned int CONFIG_HZ __kconfig __weak;

/* TCP flags conntrack must see (the low bits of the 14th byte). */
#define FW_TCP_FIN 0x01
#define FW_TCP_SYN 0x02
#define FW_TCP_RST 0x04

/* What the gate decided for a packet it let through. */
struct fw_verdict {
	__u8 manip_src;		/* rewrite the source after routing */
	__u8 manip_dst;		/* rewrite the destination before it */
	__u8 pad[2];
	__be16 sport;		/* the new source port, destination port */
	__be16 dport;
	__u32 saddr[4];		/* the new addresses (IPv4: [0]) */
	__u32 daddr[4];
	/* The destination and checksums as they came: a packet that goes to
	 * the kernel after all (no neighbour, TTL) goes untranslated. */
	__u32 orig_daddr[4];
	__be16 orig_dport;
	__u16 orig_l4_check;
	__u16 orig_ip_check;
	__u16 pad2;
};

/* Only the fields read; CO-RE finds them by name. */
struct xdp_rxq_info___xrnf {
	struct net_device___xrnf *dev;
} __attribute__((preserve_access_index));

struct xdp_buff___xrnf {
	struct xdp_rxq_info___xrnf *rxq;
} __attribute__((preserve_access_index));

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

/* The transport header of a TCP/UDP packet with a plain IP header: IPv4
 * without options (the caller's), IPv6 without extension headers (else
 * l4_proto is not TCP/UDP). */
static __always_inline void *fw_l4(const struct packet *p, int is_v6)
{
	return p->l3 + (is_v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr));
}

/* Not TCP/UDP, a SYN/FIN/RST, or a transport header cut short
 * (fragments: fw_is_fragment()). */
static __always_inline int fw_needs_conntrack(const struct packet *p,
					      int is_v6)
{
	void *l4 = fw_l4(p, is_v6);

	if (p->l4_proto == IPPROTO_UDP)
		return l4 + sizeof(struct udphdr) > p->data_end;
	if (p->l4_proto != IPPROTO_TCP)
		return 1;
	if (l4 + sizeof(struct tcphdr) > p->data_end)
		return 1;
	return ((__u8 *)l4)[13] & (FW_TCP_FIN | FW_TCP_SYN | FW_TCP_RST);
}

static __always_inline int fw_is_fragment(const struct packet *p, int is_v6)
{
	const struct iphdr *iph = p->l3;

	return !is_v6 &&
	       (iph->frag_off & bpf_htons(XR_IP_MF | XR_IP_OFFSET));
}

static __always_inline struct nf_conn *
fw_ct_lookup(struct xdp_md *ctx, const struct packet *p, int is_v6,
	     struct bpf_ct_opts *o)
{
	struct bpf_sock_tuple t = {};

	o->netns_id = XR_CURRENT_NETNS;
	o->l4proto = p->l4_proto;
	if (is_v6) {
		const struct ipv6hdr *ip6h = p->l3;

		__builtin_memcpy(t.ipv6.saddr, &ip6h->saddr, 16);
		__builtin_memcpy(t.ipv6.daddr, &ip6h->daddr, 16);
		t.ipv6.sport = p->sport;
		t.ipv6.dport = p->dport;
		return bpf_xdp_ct_lookup(ctx, &t, sizeof(t.ipv6), o,
					 XR_BPF_CT_OPTS_SZ);
	}
	t.ipv4.saddr = ((const struct iphdr *)p->l3)->saddr;
	t.ipv4.daddr = ((const struct iphdr *)p->l3)->daddr;
	t.ipv4.sport = p->sport;
	t.ipv4.dport = p->dport;
	return bpf_xdp_ct_lookup(ctx, &t, sizeof(t.ipv4), o,
				 XR_BPF_CT_OPTS_SZ);
}

/* An entry whose packets XDP may carry (the protocol checked already). */
static __always_inline int fw_ct_established(const struct nf_conn *ct,
					     __u8 l4_proto)
{
	unsigned long status = ct->status;

	if ((status & (XR_IPS_CONFIRMED | XR_IPS_SEEN_REPLY)) !=
	    (XR_IPS_CONFIRMED | XR_IPS_SEEN_REPLY))
		return 0;
	if (status & (XR_IPS_DYING | XR_IPS_SEQ_ADJUST | XR_IPS_HELPER))
		return 0;
	return l4_proto != IPPROTO_TCP ||
	       ct->proto.tcp.state == XR_TCP_CONNTRACK_ESTABLISHED;
}

static __always_inline void fw_key(const struct nf_conn *ct,
				   struct xr_fw_key *k)
{
	const struct nf_conntrack_tuple___xr *t = &ct->tuplehash[0].tuple;

	__builtin_memcpy(k->src, t->src.u3.all, 16);
	__builtin_memcpy(k->dst, t->dst.u3.all, 16);
	k->sport = t->src.u.all;
	k->dport = t->dst.u.all;
	k->l4_proto = t->dst.protonum;
	k->family = (__u8)t->src.l3num;
	k->zone = ct->zone.id;
}

/*
 * Keeps the entry alive while XDP carries its packets: the timeout the
 * kernel's tracker would set for this packet (nf_conntrack_proto_tcp.c,
 * _udp.c: established TCP; UDP seen both ways, "replied" once the stream
 * is two seconds old), written when more than a second of it has run.
 */
static __always_inline void fw_refresh(struct nf_conn *ct,
				       struct net___xrnf *net, __u8 l4_proto)
{
	struct nf_ip_net___xr *pn = &net->ct.nf_ct_proto;
	__u64 jiffies = bpf_jiffies64();
	__u32 hz = CONFIG_HZ ? CONFIG_HZ : 1000;
	__u32 timeout;

	if (l4_proto == IPPROTO_TCP)
		timeout = pn->tcp.timeouts[XR_TCP_CONNTRACK_ESTABLISHED];
	else if ((long)(ct->proto.udp.stream_ts - jiffies) < 0)
		timeout = pn->udp.timeouts[XR_UDP_CT_REPLIED];
	else
		timeout = pn->udp.timeouts[XR_UDP_CT_UNREPLIED];
	if ((__s32)(ct->timeout - (__u32)jiffies) >= (__s32)(timeout - hz))
		return;
	bpf_ct_change_timeout(ct, (__u64)timeout * 1000 / hz);
}

/* The translation conntrack applies to a packet of direction @dir: to the
 * inverse of the other direction's tuple, source and destination as the
 * entry's NAT bits say (nf_nat_packet()). Constant indices again. */
static __always_inline void fw_nat_plan(const struct nf_conn *ct, int dir,
					struct fw_verdict *v)
{
	unsigned long status = ct->status;
	const struct nf_conntrack_tuple___xr *other;
	unsigned long src_bit = dir ? XR_IPS_DST_NAT : XR_IPS_SRC_NAT;
	unsigned long dst_bit = dir ? XR_IPS_SRC_NAT : XR_IPS_DST_NAT;

	if (dir)
		other = &ct->tuplehash[0].tuple;
	else
		other = &ct->tuplehash[1].tuple;
	if (status & src_bit) {
		v->manip_src = 1;
		__builtin_memcpy(v->saddr, other->dst.u3.all, 16);
		v->sport = other->dst.u.all;
	}
	if (status & dst_bit) {
		v->manip_dst = 1;
		__builtin_memcpy(v->daddr, other->src.u3.all, 16);
		v->dport = other->src.u.all;
	}
}

/*
 * No conntrack entry. With conntrack at work in the namespace, a new flow
 * (or a flushed, expired one): the kernel's. Without it (a stateless
 * ruleset, or a notrack rule), the kernel's verdict depends on the packet
 * alone, so the proof is the recorder's note that it forwarded this very
 * tuple under the current generation: a record with ct 0. A conntrack
 * entry, had there been one, would have left ct set.
 */
static __always_inline int fw_untracked(const struct packet *p, int is_v6,
					__u32 gen, __u32 since)
{
	struct xr_fw_key key = {};
	struct xr_fw_flow *rec;

	fw_packet_key(&key, is_v6, p->l3, p->l4_proto, p->sport, p->dport);
	rec = bpf_map_lookup_elem(&xr_fw_flows, &key);
	if (!rec || rec->ct || !fw_flow_verified(rec, 0, gen, since))
		return XR_PASS_FW_NEW;
	return XR_CONTINUE;
}

/* br_netfilter's hook, in every namespace that has a bridge (0: none). */
extern const void ip_sabotage_in __ksym __weak;

/*
 * A hook list a routed packet meets for real: any but one holding only
 * br_netfilter's ip_sabotage_in, which a bridge brings into its namespace
 * (CONFIG_BRIDGE_NETFILTER) on prerouting and which acts on bridged
 * packets alone. Without this, a router with a bridge would be gated with
 * no rule anywhere.
 */
static __always_inline int
fw_list_matters(const struct nf_hook_entries___xr *list)
{
	if (!list)
		return 0;
	if (list->num_hook_entries != 1)
		return 1;
	return list->hooks[0].hook != &ip_sabotage_in;
}

/*
 * Whether the gate judges this packet: always (--firewall conntrack), never
 * (off), or in auto while the ingress interface's namespace has netfilter
 * hooks on the packet's forward path (its family's prerouting, forward,
 * postrouting; br_netfilter's alone does not count) or the interface has
 * ingress hooks. Inline, and only the lists' addresses: with no rules,
 * this is all the gate costs a packet.
 */
static __always_inline int fw_armed(struct xdp_md *ctx, int is_v6)
{
	struct xdp_buff___xrnf *xdp;
	struct net_device___xrnf *dev;
	struct net___xrnf *net;

	if (xr_fw_mode != XR_FW_AUTO)
		return xr_fw_mode == XR_FW_CONNTRACK;
	xdp = bpf_cast_to_kern_ctx(ctx);
	dev = xdp->rxq->dev;
	net = dev->nd_net.net;
	if (dev->nf_hooks_ingress)
		return 1;
	if (is_v6)
		return fw_list_matters(
			       net->nf.hooks_ipv6[XR_NF_INET_PRE_ROUTING]) ||
		       net->nf.hooks_ipv6[XR_NF_INET_FORWARD] ||
		       net->nf.hooks_ipv6[XR_NF_INET_POST_ROUTING];
	return fw_list_matters(net->nf.hooks_ipv4[XR_NF_INET_PRE_ROUTING]) ||
	       net->nf.hooks_ipv4[XR_NF_INET_FORWARD] ||
	       net->nf.hooks_ipv4[XR_NF_INET_POST_ROUTING];
}

/*
 * Judges a parsed packet fw_armed() let in: XR_CONTINUE to forward it
 * (with @v's translation), or the pass_fw_* outcome that hands it to the
 * kernel.
 * A function of its own: the conntrack entry is looked up and released
 * here, and its stack is not added to the load balancer's.
 */
static __noinline int fw_gate(struct xdp_md *ctx, const struct packet *p,
			      int is_v6, struct fw_verdict *v)
{
	struct xdp_buff___xrnf *xdp = bpf_cast_to_kern_ctx(ctx);
	struct net_device___xrnf *dev = xdp->rxq->dev;
	struct net___xrnf *net = dev->nd_net.net;
	struct xr_fw_state *st;
	struct xr_fw_flow *rec;
	struct xr_fw_key key = {};
	struct bpf_ct_opts o = {};
	struct fw_hooks hooks;
	struct nf_conn *ct;
	__u32 zero = 0, gen, since;
	int ingress_hooks, dir;

	fw_read_hooks(net, is_v6, &hooks);
	ingress_hooks = dev->nf_hooks_ingress != NULL;

	/* Netdev ingress chains judge before conntrack, packet by packet:
	 * no generation covers what they see. Nor is legacy iptables' (the
	 * CLI's flag). */
	st = bpf_map_lookup_elem(&xr_fw_state, &zero);
	if (ingress_hooks || (st && st->blind))
		return XR_PASS_FW_BLIND;
	if (fw_is_fragment(p, is_v6) || fw_needs_conntrack(p, is_v6))
		return XR_PASS_FW_CTL;
	gen = fw_generation(net, &hooks);
	since = fw_gen_since(st, is_v6, gen);
	ct = fw_ct_lookup(ctx, p, is_v6, &o);
	if (!ct)
		return fw_untracked(p, is_v6, gen, since);
	if (!fw_ct_established(ct, p->l4_proto)) {
		bpf_ct_release(ct);
		return XR_PASS_FW_NEW;
	}
	/* Conntrack checks that each TCP segment is within the windows it
	 * has seen; after XDP carried a flow's data, the FIN that comes to
	 * it would be "out of window", invalid, dropped by the usual ruleset
	 * ("ct state invalid drop"). The kernel's own fast path, the nft
	 * flowtable, marks its flows liberal for this reason; no kfunc can,
	 * so the gate carries tracked TCP only while the namespace is
	 * liberal (attach sets it, docs/architecture.md). */
	if (p->l4_proto == IPPROTO_TCP &&
	    !net->ct.nf_ct_proto.tcp.tcp_be_liberal) {
		bpf_ct_release(ct);
		return XR_PASS_FW_TCP_STRICT;
	}
	dir = o.dir ? 1 : 0;
	fw_key(ct, &key);
	rec = bpf_map_lookup_elem(&xr_fw_flows, &key);
	if (!rec || rec->ct != (__u64)ct ||
	    !fw_flow_verified(rec, dir, gen, since)) {
		bpf_ct_release(ct);
		return XR_PASS_FW_VERIFY;
	}

	fw_refresh(ct, net, p->l4_proto);
	fw_nat_plan(ct, dir, v);
	bpf_ct_release(ct);
	return XR_CONTINUE;
}

#endif /* XR_FIREWALL_H */
