/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Path MTU discovery through the load balancer. A router between backend
 * and client that cannot forward a reply sends "fragmentation needed"
 * (ICMPv6 "packet too big") to the reply's source: the VIP, so to us. The
 * backend that sent the reply must get it, or its TCP keeps sending what
 * does not fit and the connection stalls (a PMTU black hole).
 *
 * The error quotes the reply: VIP:port -> client:port. Reversed, that is
 * the flow as the client sends it, whose backend the connection table
 * knows, or Maglev gives (for a flow the table no longer holds, or whose
 * packets another LB node handles). The ICMP goes there like the flow's
 * packets: DSR as is, NAT translated the way the kernel's conntrack does
 * it (nf_nat_icmp_reply_translation()): the outer destination and the
 * quoted source become the backend's, with the outer, quoted IPv4 and ICMP
 * checksums updated. The quoted transport checksum is left as it is: the
 * quote is usually cut short, and no stack checks it.
 *
 * Other ICMP errors to a VIP (unreachable, time exceeded) are not steered:
 * they are routed like any packet. Nothing is remembered for them.
 */
#ifndef XR_LB_ICMP_H
#define XR_LB_ICMP_H

#include <linux/icmpv6.h>
#include "csum.h"
#include "lb_conn.h"
#include "lb_nat.h"
#include "lb_parse.h"

/* <linux/icmp.h> drags in libc headers (through <linux/if.h>). */
struct lb_icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 unused;
	__be16 mtu;
};

#define LB_ICMP_DEST_UNREACH 3
#define LB_ICMP_FRAG_NEEDED 4

/* Bytes of the quoted transport header needed: the ports. */
#define LB_QUOTE_L4 4

static __always_inline int ipv6_addr_equal(const struct in6_addr *a,
					   const struct in6_addr *b)
{
	const __u32 *x = a->in6_u.u6_addr32, *y = b->in6_u.u6_addr32;

	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) |
		 (x[3] ^ y[3]));
}

/*
 * The flow a quoted packet belongs to, as the client sends it: the quote
 * (from the VIP, @alen bytes an address) reversed. The caller sets the
 * protocol (read late, it needs no register meanwhile).
 */
static __always_inline void icmp_quoted_flow(struct xr_flow_key *fk,
					     const __be32 *saddr,
					     const __be32 *daddr, __u32 alen,
					     const __be16 *ports, __u8 family)
{
	__builtin_memset(fk, 0, sizeof(*fk));
	__builtin_memcpy(fk->src, daddr, alen);
	__builtin_memcpy(fk->dst, saddr, alen);
	fk->sport = ports[1];
	fk->dport = ports[0];
	fk->family = family;
}

/*
 * The quoted packet of a "fragmentation needed" / "packet too big" error
 * to the VIP, and the flow it belongs to as the client sends it (@fk).
 * Returns -1 for any other ICMP message, or one too short to tell.
 */
static __always_inline int icmp_quote_v4(const struct packet *p,
					 const struct lb_pkt *pk,
					 struct xr_flow_key *fk)
{
	struct lb_icmphdr *ic = pk->l4;
	struct iphdr *in;
	__be16 *ports;
	__u32 off = pk->l4_off + sizeof(*ic), hl;

	if (ic->type != LB_ICMP_DEST_UNREACH || ic->code != LB_ICMP_FRAG_NEEDED)
		return -1;
	in = (void *)(ic + 1);
	if ((void *)(in + 1) > p->data_end || off + sizeof(*in) > p->l3_len)
		return -1;
	if (in->version != 4 || in->ihl < 5 ||
	    (in->frag_off & bpf_htons(XR_IP_OFFSET)) ||
	    (in->protocol != IPPROTO_TCP && in->protocol != IPPROTO_UDP))
		return -1;
	hl = in->ihl * 4;
	ports = (void *)in + hl;
	if ((void *)ports + LB_QUOTE_L4 > p->data_end ||
	    off + hl + LB_QUOTE_L4 > p->l3_len)
		return -1;
	/* The quote must be a packet the VIP sent. */
	if (in->saddr != ((struct iphdr *)p->l3)->daddr)
		return -1;
	icmp_quoted_flow(fk, &in->saddr, &in->daddr, 4, ports, AF_INET);
	fk->proto = in->protocol;
	return 0;
}

static __always_inline int icmp_quote_v6(const struct packet *p,
					 const struct lb_pkt *pk,
					 struct xr_flow_key *fk)
{
	struct icmp6hdr *ic = pk->l4;
	struct ipv6hdr *in;
	__be16 *ports;
	__u32 off = pk->l4_off + sizeof(*ic);

	if (ic->icmp6_type != ICMPV6_PKT_TOOBIG)
		return -1;
	in = (void *)(ic + 1);
	ports = (void *)(in + 1);
	if ((void *)ports + LB_QUOTE_L4 > p->data_end ||
	    off + sizeof(*in) + LB_QUOTE_L4 > p->l3_len)
		return -1;
	/* Extension headers in the quote are not looked through. */
	if (in->nexthdr != IPPROTO_TCP && in->nexthdr != IPPROTO_UDP)
		return -1;
	if (!ipv6_addr_equal(&in->saddr, &((struct ipv6hdr *)p->l3)->daddr))
		return -1;
	icmp_quoted_flow(fk, in->saddr.in6_u.u6_addr32,
			 in->daddr.in6_u.u6_addr32, 16, ports, AF_INET6);
	fk->proto = in->nexthdr;
	return 0;
}

/* @is_v6 a constant: only that family's code is kept. */
static __always_inline int icmp_quote(const struct packet *p,
				      const struct lb_pkt *pk, const int is_v6,
				      struct xr_flow_key *fk)
{
	return is_v6 ? icmp_quote_v6(p, pk, fk) : icmp_quote_v4(p, pk, fk);
}

/*
 * NAT: the error goes to the backend, about the packet it sent. The quote
 * was validated by icmp_quote_v4/v6(); its bounds are checked again here
 * because the compiler may rebuild the pointers, and the verifier only
 * trusts a pointer it saw checked.
 */
static __always_inline void icmp_nat_v4(struct packet *p, struct lb_pkt *pk,
					const struct xr_backend *be)
{
	struct lb_icmphdr *ic = pk->l4;
	struct iphdr *iph = p->l3, *in = (void *)(ic + 1);
	__be16 *ports;
	__u16 old_check;
	__u32 addr;
	__u64 diff;

	if ((void *)(in + 1) > p->data_end)
		return;
	ports = (void *)in + in->ihl * 4;
	if ((void *)(ports + 2) > p->data_end)
		return;
	__builtin_memcpy(&addr, be->addr, 4);
	nat_hop(p, 0);
	iph->check = csum_apply(iph->check, csum_diff32(iph->daddr, addr));
	iph->daddr = addr;

	diff = csum_diff32(in->saddr, addr);
	old_check = in->check;
	in->check = csum_apply(in->check, diff);
	in->saddr = addr;
	diff += csum_diff16(old_check, in->check);
	if (be->port) {
		diff += csum_diff16(ports[0], be->port);
		ports[0] = be->port;
	}
	ic->checksum = csum_apply(ic->checksum, diff);
}

/* ICMPv6's checksum covers the pseudo-header: the outer address too. */
static __always_inline void icmp_nat_v6(struct packet *p, struct lb_pkt *pk,
					const struct xr_backend *be)
{
	struct icmp6hdr *ic = pk->l4;
	struct ipv6hdr *ip6h = p->l3, *in = (void *)(ic + 1);
	__be16 *ports = (void *)(in + 1);
	__u32 addr[4];
	__u64 diff;

	if ((void *)(ports + 2) > p->data_end)
		return;
	__builtin_memcpy(addr, be->addr, 16);
	nat_hop(p, 1);
	diff = csum_diff_words(ip6h->daddr.in6_u.u6_addr32, addr, 4);
	__builtin_memcpy(&ip6h->daddr, addr, 16);
	diff += csum_diff_words(in->saddr.in6_u.u6_addr32, addr, 4);
	__builtin_memcpy(&in->saddr, addr, 16);
	if (be->port) {
		diff += csum_diff16(ports[0], be->port);
		ports[0] = be->port;
	}
	ic->icmp6_cksum = csum_apply(ic->icmp6_cksum, diff);
}

static __always_inline void icmp_nat(struct packet *p, struct lb_pkt *pk,
				     const int is_v6,
				     const struct xr_backend *be)
{
	if (is_v6)
		icmp_nat_v6(p, pk, be);
	else
		icmp_nat_v4(p, pk, be);
}

#endif /* XR_LB_ICMP_H */
