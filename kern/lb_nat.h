/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * NAT mode: the client's packets get the backend's address (and port, if
 * the backend has one) as destination; the backend's replies get the VIP's
 * back as source, then are routed to the client like any packet. Checksums
 * are updated incrementally: the IPv4 header's, and the TCP/UDP one, which
 * covers the addresses through the pseudo-header. An IPv4 UDP checksum of
 * 0 means "none" and stays 0; a computed 0 is sent as 0xffff (RFC 768).
 */
#ifndef XR_LB_NAT_H
#define XR_LB_NAT_H

#include "csum.h"
#include "lb_conn.h"
#include "lb_parse.h"

#define LB_NAT_DST 0
#define LB_NAT_SRC 1

/* Bounds checked again: the verifier does not tie pk->l4 to the proto. */
static __always_inline void nat_l4_csum(const struct packet *p,
					struct lb_pkt *pk, __u64 diff)
{
	if (pk->key.proto == IPPROTO_TCP) {
		struct tcphdr *th = pk->l4;

		if ((void *)(th + 1) <= p->data_end)
			th->check = csum_apply(th->check, diff);
	} else if (pk->key.proto == IPPROTO_UDP) {
		struct udphdr *uh = pk->l4;

		if ((void *)(uh + 1) > p->data_end)
			return;
		if (!uh->check)		/* IPv4 only: NAT checks IPv6 first */
			return;
		uh->check = csum_apply(uh->check, diff);
		if (!uh->check)
			uh->check = 0xffff;
	}
}

/*
 * Replaces the source or destination (@which) address by @addr and, if
 * @port is not 0 and the transport header is there (not a later
 * fragment), the port by @port.
 */
static __always_inline void nat_rewrite(struct packet *p, struct lb_pkt *pk,
					int is_v6, int which, const __u8 *addr,
					__be16 port)
{
	__u32 new[4];
	__u64 diff;

	__builtin_memcpy(new, addr, sizeof(new));
	if (is_v6) {
		struct ipv6hdr *ip6h = p->l3;
		__u32 *a = which == LB_NAT_SRC ? ip6h->saddr.in6_u.u6_addr32 :
						 ip6h->daddr.in6_u.u6_addr32;

		diff = csum_diff_words(a, new, 4);
		__builtin_memcpy(a, new, 16);
	} else {
		struct iphdr *iph = p->l3;
		__be32 *a = which == LB_NAT_SRC ? &iph->saddr : &iph->daddr;

		diff = csum_diff_words(a, new, 1);
		iph->check = csum_apply(iph->check, diff);
		*a = new[0];
	}
	if (!pk->l4)
		return;
	if (port) {
		/* TCP and UDP alike: source port, then destination port. */
		__be16 *pp = (__be16 *)pk->l4 + (which == LB_NAT_SRC ? 0 : 1);

		diff += csum_diff16(*pp, port);
		*pp = port;
	}
	nat_l4_csum(p, pk, diff);
}

/*
 * A NAT load balancer is a router between client and backend: the packet
 * loses a hop, and one that has none left is the kernel's (ICMP time
 * exceeded). IPv6 UDP without a checksum is invalid (RFC 8200 8.1); the
 * backend would drop it after we made one up from nothing.
 */
static __always_inline int nat_udp6_no_csum(const struct lb_pkt *pk,
					    int is_v6)
{
	return is_v6 && pk->key.proto == IPPROTO_UDP && pk->l4 &&
	       !((struct udphdr *)pk->l4)->check;
}

static __always_inline int nat_check(const struct packet *p,
				     const struct lb_pkt *pk, int is_v6)
{
	if (ttl_expired(p, is_v6))
		return XR_PASS_TTL_EXPIRED;
	if (nat_udp6_no_csum(pk, is_v6))
		return XR_DROP_MALFORMED;
	return XR_CONTINUE;
}

static __always_inline void nat_hop(struct packet *p, int is_v6)
{
	if (is_v6)
		((struct ipv6hdr *)p->l3)->hop_limit--;
	else
		ipv4_decrease_ttl(p->l3);
}

/* Client -> backend. */
static __always_inline void nat_to_backend(struct packet *p,
					   struct lb_pkt *pk, int is_v6,
					   const struct xr_backend *be)
{
	nat_hop(p, is_v6);
	nat_rewrite(p, pk, is_v6, LB_NAT_DST, be->addr, be->port);
}

static __always_inline void count_reply(__u32 vip_id, __u64 bytes)
{
	struct xr_vip_stats *vs = bpf_map_lookup_elem(&xr_lb_vip_stats,
						      &vip_id);

	if (vs) {
		vs->reply.packets++;
		vs->reply.bytes += bytes;
	}
}

/*
 * Backend -> client: a packet that is no VIP's may be a NAT reply. If its
 * tuple has a live reply entry, its source becomes the VIP again and it
 * goes on to be routed (the TTL is forward()'s to decrement). Returns
 * XR_CONTINUE_NAT_REPLY if so, XR_CONTINUE if not, or a drop for an
 * invalid reply.
 *
 * A reply with no hop left is not rewritten: forward() hands it to the
 * kernel as it came, which sends time exceeded to the backend about the
 * packet the backend sent. Linux's DNAT does the same: it translates
 * replies back in POSTROUTING, after ip_forward() has checked the TTL.
 */
static __always_inline int nat_reply(struct packet *p, struct lb_pkt *pk,
				     int is_v6)
{
	__u64 now = lb_now();
	const struct xr_vip_key *vk;
	struct lb_scratch *s = lb_scratch();
	struct xr_lb_conn *c;
	__u32 vip_id;

	if (!s)
		return XR_CONTINUE;
	c = bpf_map_lookup_elem(&xr_lb_conns, &pk->key);
	if (!c || !(c->flags & XR_CONN_F_REPLY) ||
	    conn_expired(c, pk->key.proto, now) ||
	    !backend_of(c->backend, c->backend_gen))
		return XR_CONTINUE;
	vip_id = c->vip;
	vk = bpf_map_lookup_elem(&xr_lb_vip_keys, &vip_id);
	if (!vk || vk->family != pk->key.family)
		return XR_CONTINUE;
	if (ttl_expired(p, is_v6))
		return XR_CONTINUE;
	/* An IPv6 UDP reply without checksum: not rewritten either. */
	if (nat_udp6_no_csum(pk, is_v6))
		return XR_DROP_MALFORMED;
	frag_remember(pk, vip_id, c->backend, c->backend_gen,
		      XR_CONN_F_REPLY);
	conn_forward_key(&pk->key, vk, &s->twin);
	conn_seen(c, &pk->key, &s->twin, pk->tcp_flags, now);
	nat_rewrite(p, pk, is_v6, LB_NAT_SRC, vk->addr, vk->port);
	count_reply(vip_id, pk->bytes);
	return XR_CONTINUE_NAT_REPLY;
}

#endif /* XR_LB_NAT_H */
