/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Header parsing with strict bounds checks. Each parser either answers with
 * the packet's outcome (it goes to the kernel or is dropped) or returns
 * XR_CONTINUE with the packet description filled in.
 */
#ifndef XR_PARSE_H
#define XR_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "csum.h"
#include "xdp_router_types.h"

#define XR_CONTINUE (-1)
/* The load balancer's answer for a NAT reply it translated back (lb.h):
 * route it, as the LB's, not as a packet the router checks the source of
 * (its source is now the VIP, put there after the backend sent it). */
#define XR_CONTINUE_NAT_REPLY (-2)

/* IPv4 frag_off bits (not in UAPI headers). */
#define XR_IP_MF 0x2000
#define XR_IP_OFFSET 0x1fff

struct packet {
	void *data_end;		/* of the linear part, which has the headers */
	struct ethhdr *eth;
	void *l3;		/* struct iphdr or struct ipv6hdr */
	__u16 l3_len;		/* IP length, header included */
	__u8 l4_proto;		/* protocol / first next header */
	__u8 ip_options;	/* IPv4 header with options */
	__be16 sport;		/* TCP/UDP ports; 0 when not known */
	__be16 dport;
	__u32 frame_len;	/* the whole frame, every buffer (below) */
};

/*
 * The frame's length, Ethernet header included, over all its buffers. A
 * program in SEC("xdp.frags") may get a multi-buffer frame (an MTU larger
 * than a page: jumbo frames on veth and on multi-buffer NIC drivers): the
 * headers are in the linear part, which data_end closes, and the rest of
 * the payload in fragments only helpers reach. Every length the program
 * checks against the packet's (IP total length, trailer, counters) is this
 * one; data_end bounds only what is read directly.
 */
static __always_inline __u32 xdp_frame_len(struct xdp_md *ctx)
{
	return bpf_xdp_get_buff_len(ctx);
}

/*
 * A header that does not fit the linear part: malformed if that is the
 * whole frame; of a multi-buffer frame, no proof of anything (the kernel
 * reads across buffers; no driver here splits the headers), so the
 * kernel decides.
 */
static __always_inline int header_not_linear(const struct packet *p,
					     const void *data)
{
	return p->frame_len > (__u32)(p->data_end - data) ?
		       XR_PASS_UNSUPPORTED : XR_DROP_MALFORMED;
}

static __always_inline int mac_equal(const __u8 *a, const __u8 *b)
{
	return *(const __u32 *)a == *(const __u32 *)b &&
	       *(const __u16 *)(a + 4) == *(const __u16 *)(b + 4);
}

/*
 * Ethernet. Frames not addressed to the ingress interface (group addresses,
 * or another host's MAC seen in promiscuous mode) are the kernel's business:
 * routing them here would duplicate traffic on the segment.
 */
static __always_inline int parse_eth(struct packet *p, void *data,
				     const struct xr_iface_conf *conf,
				     __u16 *proto)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > p->data_end)
		return header_not_linear(p, data);
	p->eth = eth;
	*proto = bpf_ntohs(eth->h_proto);
	if (*proto != ETH_P_IP && *proto != ETH_P_IPV6)
		return XR_PASS_NOT_IP;
	if (eth->h_dest[0] & 1)
		return XR_PASS_L2_OTHER;
	if (conf && (conf->flags & XR_IFACE_F_CONFIGURED) &&
	    !mac_equal(eth->h_dest, conf->mac))
		return XR_PASS_L2_OTHER;
	return XR_CONTINUE;
}

/* Ports for ECMP hashing and fib rules; left at 0 when not all there. */
static __always_inline void parse_ports(struct packet *p, void *l4)
{
	if (p->l4_proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > p->data_end)
			return;
		p->sport = th->source;
		p->dport = th->dest;
	} else if (p->l4_proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > p->data_end)
			return;
		p->sport = uh->source;
		p->dport = uh->dest;
	}
}

/*
 * The kernel's martians (ip_route_input_slow()): it discards these even when
 * a route, say a default route, covers them. Class E (240.0.0.0/4) is not
 * among them: Linux routes it like any unicast address.
 */
static __always_inline int ipv4_martian(__be32 saddr, __be32 daddr)
{
	__u32 s = bpf_ntohl(saddr), d = bpf_ntohl(daddr);

	/* Source: 0.0.0.0/8, 127.0.0.0/8, multicast, limited broadcast. */
	if ((s >> 24) == 0 || (s >> 24) == 127 || (s >> 28) == 0xe ||
	    s == 0xffffffff)
		return 1;
	/* Destination: 0.0.0.0/8, 127.0.0.0/8. */
	return (d >> 24) == 0 || (d >> 24) == 127;
}

/*
 * The TTL (hop limit) is not checked here but by whoever acts as an IP hop
 * (forward(), the LB in NAT mode): a DSR load balancer forwards at L2, and
 * the VIP's packets are not its to expire.
 */
static __always_inline int parse_ipv4(struct packet *p)
{
	struct iphdr *iph = (void *)(p->eth + 1);
	__u16 tot_len;

	if ((void *)(iph + 1) > p->data_end)
		return header_not_linear(p, p->eth);
	if (iph->version != 4 || iph->ihl < 5)
		return XR_DROP_MALFORMED;
	tot_len = bpf_ntohs(iph->tot_len);
	if (tot_len < iph->ihl * 4 ||
	    sizeof(struct ethhdr) + tot_len > p->frame_len)
		return XR_DROP_MALFORMED;
	/*
	 * Options (record route, timestamps, router alert) need the kernel
	 * when routed, which checks such a header itself; the LB carries them
	 * to the VIP's backend untouched (kern/lb.h).
	 */
	p->ip_options = iph->ihl != 5;
	if (!p->ip_options && !ipv4_csum_ok(iph))
		return XR_DROP_BAD_CSUM;
	if ((bpf_ntohl(iph->daddr) >> 28) == 0xe || iph->daddr == 0xffffffff)
		return XR_PASS_IP_MCAST;
	if (ipv4_martian(iph->saddr, iph->daddr))
		return XR_PASS_MARTIAN;

	p->l3 = iph;
	p->l3_len = tot_len;
	p->l4_proto = iph->protocol;
	/* Only the first fragment has ports, and not all fragments are
	 * hashed alike if some do: use none, as the kernel's dissector does. */
	if (!p->ip_options &&
	    !(iph->frag_off & bpf_htons(XR_IP_MF | XR_IP_OFFSET)))
		parse_ports(p, iph + 1);
	return XR_CONTINUE;
}

/* What a router checks before it forwards (ip_forward(), ip6_forward()). */
static __always_inline int ttl_expired(const struct packet *p, int is_v6)
{
	if (is_v6)
		return ((const struct ipv6hdr *)p->l3)->hop_limit <= 1;
	return ((const struct iphdr *)p->l3)->ttl <= 1;
}

static __always_inline int ipv6_is_link_local(const struct in6_addr *a)
{
	return (a->in6_u.u6_addr8[0] == 0xfe) &&
	       ((a->in6_u.u6_addr8[1] & 0xc0) == 0x80);
}

static __always_inline int ipv6_is_loopback(const struct in6_addr *a)
{
	const __u32 *w = a->in6_u.u6_addr32;

	return !w[0] && !w[1] && !w[2] && w[3] == bpf_htonl(1);
}

static __always_inline int ipv6_martian_src(const struct in6_addr *a)
{
	const __u32 *w = a->in6_u.u6_addr32;

	/* Multicast, unspecified (::) or loopback (::1). */
	if (a->in6_u.u6_addr8[0] == 0xff)
		return 1;
	return (!w[0] && !w[1] && !w[2] && !w[3]) || ipv6_is_loopback(a);
}

static __always_inline int parse_ipv6(struct packet *p)
{
	struct ipv6hdr *ip6h = (void *)(p->eth + 1);
	__u32 len;

	if ((void *)(ip6h + 1) > p->data_end)
		return header_not_linear(p, p->eth);
	if (ip6h->version != 6)
		return XR_DROP_MALFORMED;
	/* Hop-by-hop options (router alert, jumbograms) are for the kernel. */
	if (ip6h->nexthdr == IPPROTO_HOPOPTS)
		return XR_PASS_IP_OPTIONS;
	len = sizeof(*ip6h) + bpf_ntohs(ip6h->payload_len);
	if (sizeof(struct ethhdr) + len > p->frame_len)
		return XR_DROP_MALFORMED;
	if (ip6h->daddr.in6_u.u6_addr8[0] == 0xff)
		return XR_PASS_IP_MCAST;
	if (ipv6_is_link_local(&ip6h->saddr) ||
	    ipv6_is_link_local(&ip6h->daddr))
		return XR_PASS_V6_LINK_LOCAL;
	/* ipv6_rcv() discards ::1 as a destination off the loopback device,
	 * even when a route covers it. */
	if (ipv6_martian_src(&ip6h->saddr) || ipv6_is_loopback(&ip6h->daddr))
		return XR_PASS_MARTIAN;

	p->l3 = ip6h;
	p->l3_len = len;
	p->l4_proto = ip6h->nexthdr;
	if (p->l4_proto == IPPROTO_ICMPV6) {
		struct icmp6hdr *icmp6 = (void *)(ip6h + 1);

		/* Neighbour discovery is always the kernel's, whatever the
		 * addresses (unicast NS for reachability checks). A message
		 * too short to be ND is forwarded like any other packet. */
		if ((void *)(icmp6 + 1) <= p->data_end &&
		    icmp6->icmp6_type >= 133 && icmp6->icmp6_type <= 137)
			return XR_PASS_V6_LINK_LOCAL;
	}
	parse_ports(p, ip6h + 1);
	return XR_CONTINUE;
}

#endif /* XR_PARSE_H */
