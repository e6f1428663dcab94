/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The firewall gate's NAT: rewrites a packet as conntrack's NAT would
 * (nf_nat_ipv4_manip_pkt(), nf_nat_ipv6_manip_pkt(), tcp/udp_manip_pkt()),
 * byte for byte. The kernel patches each checksum field by field, folding
 * after each (csum_replace4(), inet_proto_csum_replace2/4/16()); the same
 * steps here give the same bits, including which of the two zeros a
 * checksum ends as. Frames come with full checksums (no CHECKSUM_PARTIAL
 * in XDP), the case those functions take for a received packet.
 */
#ifndef XR_FW_NAT_H
#define XR_FW_NAT_H

#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include "firewall.h"
#include "parse.h"

#define FW_MANIP_SRC 0
#define FW_MANIP_DST 1

/* csum_add(): 32-bit one's complement addition. */
static __always_inline __u32 fw_csum_add(__u32 a, __u32 b)
{
	__u32 r = a + b;

	return r + (r < a);
}

/* csum_fold() */
static __always_inline __u16 fw_csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* csum_replace4() and, with the 16-bit values widened, _replace2(): the
 * checksum @check once the word @from became @to. */
static __always_inline __u16 fw_csum_replace(__u16 check, __u32 from,
					     __u32 to)
{
	return fw_csum_fold(fw_csum_add(fw_csum_add(~(__u32)check, ~from),
					to));
}

/* inet_proto_csum_replace16(): one sum over the eight words. */
static __always_inline __u16 fw_csum_replace16(__u16 check, const __u32 *from,
					       const __u32 *to)
{
	__u32 s = ~(__u32)check;

#pragma unroll
	for (int i = 0; i < 4; i++)
		s = fw_csum_add(s, ~from[i]);
#pragma unroll
	for (int i = 0; i < 4; i++)
		s = fw_csum_add(s, to[i]);
	return fw_csum_fold(s);
}

/*
 * The transport checksum for an address change then a port change, as
 * tcp_manip_pkt()/udp_manip_pkt() do (nf_csum_update(), then the port). A
 * UDP checksum of 0 (none, IPv4) is left alone; a result of 0 is sent as
 * 0xffff (CSUM_MANGLED_0).
 */
static __always_inline __u16 fw_l4_check(__u16 check, int is_v6,
					 const __u32 *from, const __u32 *to,
					 __be16 from_port, __be16 to_port)
{
	if (is_v6)
		check = fw_csum_replace16(check, from, to);
	else
		check = fw_csum_replace(check, from[0], to[0]);
	return fw_csum_replace(check, from_port, to_port);
}

/*
 * One manipulation, source or destination (@which), to @addr and @port.
 * Returns -1 if the headers are not all in the frame (the caller checked
 * them before; the verifier needs it again).
 */
static __always_inline int fw_manip(struct packet *p, int is_v6, int which,
				    const __u32 *addr, __be16 port)
{
	void *l4 = fw_l4(p, is_v6);
	__u32 old[4] = {};
	__be16 *ports, old_port;
	__u16 *check;

	if (p->l4_proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > p->data_end)
			return -1;
		ports = &th->source;
		check = &th->check;
	} else {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > p->data_end)
			return -1;
		ports = &uh->source;
		check = &uh->check;
	}
	if (which == FW_MANIP_DST)
		ports++;
	old_port = *ports;
	*ports = port;

	if (is_v6) {
		struct ipv6hdr *ip6h = p->l3;
		__u32 *a = which == FW_MANIP_SRC ?
				   ip6h->saddr.in6_u.u6_addr32 :
				   ip6h->daddr.in6_u.u6_addr32;

		__builtin_memcpy(old, a, 16);
		if (*check || p->l4_proto == IPPROTO_TCP) {
			*check = fw_l4_check(*check, 1, old, addr, old_port,
					     port);
			if (!*check && p->l4_proto == IPPROTO_UDP)
				*check = 0xffff;
		}
		__builtin_memcpy(a, addr, 16);
		return 0;
	}

	struct iphdr *iph = p->l3;
	__be32 *a = which == FW_MANIP_SRC ? &iph->saddr : &iph->daddr;

	old[0] = *a;
	if (*check || p->l4_proto == IPPROTO_TCP) {
		*check = fw_l4_check(*check, 0, old, addr, old_port, port);
		if (!*check && p->l4_proto == IPPROTO_UDP)
			*check = 0xffff;
	}
	iph->check = fw_csum_replace(iph->check, old[0], addr[0]);
	*a = addr[0];
	return 0;
}

/* Prerouting's half: the destination, remembering what it was. */
static __always_inline int fw_nat_dst(struct packet *p, int is_v6,
				      struct fw_verdict *v)
{
	void *l4 = fw_l4(p, is_v6);

	if (l4 + sizeof(struct udphdr) > p->data_end)
		return -1;
	if (is_v6) {
		struct ipv6hdr *ip6h = p->l3;

		__builtin_memcpy(v->orig_daddr, &ip6h->daddr, 16);
	} else {
		struct iphdr *iph = p->l3;

		v->orig_daddr[0] = iph->daddr;
		v->orig_ip_check = iph->check;
	}
	/* The ports and checksum sit at the same offsets in a UDP header
	 * as far as the port goes; the checksum differs: TCP 16, UDP 6. */
	v->orig_dport = ((struct udphdr *)l4)->dest;
	if (p->l4_proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > p->data_end)
			return -1;
		v->orig_l4_check = th->check;
	} else {
		v->orig_l4_check = ((struct udphdr *)l4)->check;
	}
	if (fw_manip(p, is_v6, FW_MANIP_DST, v->daddr, v->dport))
		return -1;
	/* The route lookup keys on the ports too (ECMP, rules). */
	p->dport = v->dport;
	return 0;
}

/*
 * Undoes fw_nat_dst() on a packet the kernel gets after all. The frame's
 * pointers are found again: forward() may have tried to trim it, and a
 * failed bpf_xdp_adjust_tail() leaves the old ones unusable (the frame is
 * unchanged; the IP header still follows the Ethernet one).
 */
static __always_inline void fw_nat_restore(struct xdp_md *ctx,
					   struct packet *p, int is_v6,
					   const struct fw_verdict *v)
{
	void *l4;

	p->data_end = (void *)(long)ctx->data_end;
	p->eth = (void *)(long)ctx->data;
	p->l3 = p->eth + 1;
	l4 = fw_l4(p, is_v6);
	if (l4 + sizeof(struct udphdr) > p->data_end)
		return;
	((struct udphdr *)l4)->dest = v->orig_dport;
	p->dport = v->orig_dport;
	if (p->l4_proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > p->data_end)
			return;
		th->check = v->orig_l4_check;
	} else {
		((struct udphdr *)l4)->check = v->orig_l4_check;
	}
	if (is_v6) {
		struct ipv6hdr *ip6h = p->l3;

		__builtin_memcpy(&ip6h->daddr, v->orig_daddr, 16);
	} else {
		struct iphdr *iph = p->l3;

		iph->daddr = v->orig_daddr[0];
		iph->check = v->orig_ip_check;
	}
}

/*
 * After forward(): a forwarded packet gets postrouting's half (the
 * source) and its own outcome; any other goes back as it came.
 */
static __always_inline int fw_nat_finish(struct xdp_md *ctx,
					 struct packet *p, int is_v6,
					 const struct fw_verdict *v,
					 int outcome)
{
	if (outcome != XR_REDIRECT) {
		if (v->manip_dst)
			fw_nat_restore(ctx, p, is_v6, v);
		return outcome;
	}
	if (v->manip_src &&
	    fw_manip(p, is_v6, FW_MANIP_SRC, v->saddr, v->sport))
		return XR_ABORTED;
	return v->manip_src || v->manip_dst ? XR_REDIRECT_NAT :
					      XR_REDIRECT_FW;
}

#endif /* XR_FW_NAT_H */
