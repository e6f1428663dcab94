/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One-legged L4 load balancer: packets for a VIP leave through the
 * interface they came in on (XDP_TX), rewritten for a backend on the same
 * segment. Everything else goes on to be routed.
 *
 * Cost for the rest. xr_lb_conf[0] says, per family, whether any VIP, any
 * all-ports VIP and any NAT VIP exist. Without VIPs the LB costs one
 * inlined array read per packet; with them, a packet that is no VIP's
 * costs one hash lookup (two with all-ports VIPs, three with NAT VIPs: the
 * reply check).
 *
 * Matching. A TCP/UDP packet matches VIP (dst, proto, dst port), else
 * (dst, proto, 0). Its flow is the 5-tuple as received (struct xr_flow_key).
 *
 * Backend (lb_conn.h). The connection table pins known flows; a new flow
 * takes ring[vip id * XR_LB_RING_SIZE + hash % XR_LB_RING_SIZE], with the
 * fixed-seed hash of maps/xdp_router_lb_hash.h, so that every LB node
 * agrees. Backend id 0, or a backend not ACTIVE, drops the packet
 * (XR_DROP_LB_NO_BACKEND, counted as the VIP's no_backend).
 *
 * DSR: destination MAC the backend's, source MAC ours, IP untouched, TTL
 * included: the LB is not an IP hop in this mode, so a VIP packet with TTL
 * 1 is balanced like any other (the backend is its destination).
 *
 * NAT (lb_nat.h): the destination address (and port, if the backend has
 * one) become the backend's, MACs as DSR. A NAT LB is an IP hop, as a
 * router doing DNAT is: the TTL/hop limit is decremented, and a packet
 * with none left goes to the kernel (ICMP time exceeded). Backends must
 * route their replies to clients through the LB (default route via the
 * LB's address on their segment); the replies' source goes back to the
 * VIP and they are routed like any packet, losing a hop in forward(); one
 * with no hop left goes to the kernel untranslated, as with Linux's DNAT
 * (translated back in POSTROUTING, after the TTL check).
 *
 * ICMP (lb_icmp.h): fragmentation needed / packet too big sent to a VIP
 * about one of its flows goes to that flow's backend.
 *
 * Fragments. Only the first fragment has ports, and all fragments of a
 * datagram must reach the same backend, which reassembles. The first
 * fragment is balanced as its flow's other packets are (same VIP match,
 * same connection entry, so TCP/UDP flows keep their backend) and leaves
 * its datagram's backend in xr_lb_frags, keyed by (src, dst, proto, IP
 * id); later fragments follow it (NAT: their address rewritten; they have
 * no transport header). A later fragment that arrives before its first
 * cannot be placed: if an all-ports VIP covers its (dst, proto) it is
 * dropped (XR_DROP_LB_FRAG), else it is routed like any packet, since
 * without ports nothing tells a port VIP's fragment from another's. NAT
 * replies are handled the same way. Fragments of other protocols are the
 * router's.
 *
 * IPv4 options are skipped and left alone: the backend, the datagram's
 * destination, deals with them (NAT does not fill in record route or
 * timestamps). IPv6: destination options, a routing header with no
 * segment left and a fragment header are walked (at most 3 headers);
 * hop-by-hop options go to the kernel (parse_ipv6()), as does a routing
 * header with segments left, whose destination is not the final one.
 *
 * Malformed packets never reach XDP_ABORTED: a transport header cut short
 * is not matched (the packet is routed, as the kernel would); a VIP's
 * IPv6 UDP packet without checksum is dropped (XR_DROP_MALFORMED) in NAT
 * mode, where a checksum would have to be invented; DSR leaves it to the
 * backend.
 *
 * Trailing bytes past the IP length (Ethernet padding) go to the backend
 * as they came: the frame leaves on the link it arrived on, so it fits,
 * and the backend's stack trims them on input as the kernel's NAT would
 * have before sending (checksums cover the IP length only). Routed
 * packets, NAT replies included, are trimmed by forward().
 *
 * Counters: the interface's outcome (XR_LB_TX, drops); per VIP
 * (xr_lb_vip_stats) packets/bytes sent to backends, NAT replies,
 * connection hits/misses, no_backend; per backend (xr_lb_backend_stats)
 * packets/bytes sent to it. Bytes are frame bytes as received.
 */
#ifndef XR_LB_H
#define XR_LB_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lb_conn.h"
#include "lb_icmp.h"
#include "lb_nat.h"
#include "lb_parse.h"
#include "parse.h"
#include "xdp_router_maps.bpf.h"

static __always_inline const struct xr_vip *
vip_lookup(const struct xr_flow_key *k, __u32 flags)
{
	struct xr_vip_key vk = {
		.port = k->dport,
		.proto = k->proto,
		.family = k->family,
	};
	const struct xr_vip *vip;

	__builtin_memcpy(vk.addr, k->dst, sizeof(vk.addr));
	vip = bpf_map_lookup_elem(&xr_lb_vips, &vk);
	if (!vip && vk.port && (flags & XR_LB_F_ALL_PORTS)) {
		vk.port = 0;
		vip = bpf_map_lookup_elem(&xr_lb_vips, &vk);
	}
	if (vip && vip->mode != XR_LB_DSR && vip->mode != XR_LB_NAT)
		return NULL;	/* not written completely: not a VIP yet */
	return vip;
}

static __always_inline struct xr_vip_stats *vip_stats(__u32 vip_id)
{
	return bpf_map_lookup_elem(&xr_lb_vip_stats, &vip_id);
}

/* Out to backend @id, counted. The MACs are the last thing to change. */
static __always_inline int lb_tx(struct packet *p, const struct lb_pkt *pk,
				 struct xr_vip_stats *vs, __u32 id,
				 const struct xr_backend *be)
{
	struct xr_counter *bc = bpf_map_lookup_elem(&xr_lb_backend_stats, &id);

	if (vs) {
		vs->rx.packets++;
		vs->rx.bytes += pk->bytes;
	}
	if (bc) {
		bc->packets++;
		bc->bytes += pk->bytes;
	}
	/* parse_eth() let through only frames to the ingress interface's
	 * MAC (if configured): its destination is our address. */
	__builtin_memcpy(p->eth->h_source, p->eth->h_dest, ETH_ALEN);
	__builtin_memcpy(p->eth->h_dest, be->mac, ETH_ALEN);
	return XR_LB_TX;
}

static __always_inline int lb_no_backend(struct xr_vip_stats *vs)
{
	if (vs)
		vs->no_backend++;
	return XR_DROP_LB_NO_BACKEND;
}

/* A TCP/UDP packet (or first fragment) of VIP @vip. */
static __always_inline int lb_flow(struct packet *p, struct lb_pkt *pk,
				   int is_v6, const struct xr_vip *vip)
{
	struct xr_vip_stats *vs = vip_stats(vip->id);
	const struct xr_backend *be = NULL;
	int nat = vip->mode == XR_LB_NAT, outcome;
	__u32 id;

	if (nat) {
		outcome = nat_check(p, pk, is_v6);
		if (outcome != XR_CONTINUE)
			return outcome;
	}
	id = conn_select(pk, vip, vs, 0, &be);
	if (!id || !be)
		return lb_no_backend(vs);
	frag_remember(pk, vip->id, id, be->gen, 0);
	if (nat)
		nat_to_backend(p, pk, is_v6, be);
	return lb_tx(p, pk, vs, id, be);
}

/* A fragment without transport header: where did its first one go? */
static __always_inline int lb_later_fragment(struct packet *p,
					     struct lb_pkt *pk, int is_v6,
					     __u32 flags)
{
	const struct xr_backend *be;
	const struct xr_vip_key *vk;
	struct lb_scratch *s = lb_scratch();
	const struct xr_vip *vip;
	struct xr_lb_conn *c;
	__u32 vip_id, id;

	if (!s)
		return XR_CONTINUE;
	frag_key(pk, &s->frag);
	c = bpf_map_lookup_elem(&xr_lb_frags, &s->frag);
	if (!c) {
		if (!(flags & XR_LB_F_ALL_PORTS))
			return XR_CONTINUE;
		/* dport is 0 in a later fragment: the all-ports VIP. */
		return vip_lookup(&pk->key, 0) ? XR_DROP_LB_FRAG : XR_CONTINUE;
	}
	vip_id = c->vip;
	id = c->backend;
	be = backend_of(id, c->backend_gen);
	vk = bpf_map_lookup_elem(&xr_lb_vip_keys, &vip_id);
	if (c->flags & XR_CONN_F_REPLY) {
		/* Expiring: the kernel's, untranslated (nat_reply()). */
		if (!be || !vk || vk->family != pk->key.family ||
		    ttl_expired(p, is_v6))
			return XR_CONTINUE;
		nat_rewrite(p, pk, is_v6, LB_NAT_SRC, vk->addr, 0);
		count_reply(vip_id, pk->bytes);
		return XR_CONTINUE_NAT_REPLY;
	}
	vip = vk ? bpf_map_lookup_elem(&xr_lb_vips, vk) : NULL;
	/* The VIP or the backend changed since the first fragment. */
	if (!be || !vip || vip->id != vip_id)
		return XR_DROP_LB_FRAG;
	if (vip->mode == XR_LB_NAT) {
		if (ttl_expired(p, is_v6))
			return XR_PASS_TTL_EXPIRED;
		nat_to_backend(p, pk, is_v6, be);
	}
	return lb_tx(p, pk, vip_stats(vip_id), id, be);
}

/*
 * The backend of the flow an ICMP error quotes (@flow), and the error's
 * outcome: XR_LB_TX with the backend found (the caller rewrites and sends
 * it), XR_CONTINUE if it is about no VIP's flow (routed), or else the
 * kernel's or a drop.
 */
static __always_inline int lb_icmp_backend(const struct packet *p,
					   const struct lb_pkt *flow,
					   int is_v6, __u32 flags,
					   const struct xr_vip **vipp,
					   struct xr_vip_stats **vsp, __u32 *id,
					   const struct xr_backend **bep)
{
	const struct xr_vip *vip = vip_lookup(&flow->key, flags);

	if (!vip)
		return XR_CONTINUE;
	*vipp = vip;
	*vsp = vip_stats(vip->id);
	if (vip->mode == XR_LB_NAT && ttl_expired(p, is_v6))
		return XR_PASS_TTL_EXPIRED;
	*id = conn_select(flow, vip, *vsp, 1, bep);
	if (!*id || !*bep)
		return lb_no_backend(*vsp);
	return XR_LB_TX;
}

/*
 * ICMP to a VIP: PMTU errors go to the backend of the flow they quote.
 * @is_v6 is a constant (xr_lb_v4/v6()): each family's copy holds only its
 * own quote and rewrite, so the verifier never follows an IPv4 quote into
 * the IPv6 rewrite.
 */
static __always_inline int lb_icmp(struct packet *p, struct lb_pkt *pk,
				   const int is_v6, __u32 flags)
{
	struct lb_scratch *s = lb_scratch();
	const struct xr_backend *be = NULL;
	const struct xr_vip *vip = NULL;
	struct xr_vip_stats *vs = NULL;
	__u32 id = 0;
	int outcome;

	if (!s)
		return XR_CONTINUE;
	__builtin_memset(&s->quoted, 0, sizeof(s->quoted));
	if (icmp_quote(p, pk, is_v6, &s->quoted.key))
		return XR_CONTINUE;
	outcome = lb_icmp_backend(p, &s->quoted, is_v6, flags, &vip, &vs, &id,
				  &be);
	if (outcome != XR_LB_TX)
		return outcome;
	if (!vip || !be)	/* for the verifier: set with XR_LB_TX */
		return XR_CONTINUE;
	if (vip->mode == XR_LB_NAT)
		icmp_nat(p, pk, is_v6, be);
	return lb_tx(p, pk, vs, id, be);
}

static __always_inline int lb_packet(struct xdp_md *ctx, struct packet *p,
				     int is_v6, __u32 flags)
{
	const struct xr_vip *vip;
	struct lb_pkt pk;

	if (lb_parse(ctx, p, is_v6, &pk))
		return XR_CONTINUE;
	if (pk.key.proto == IPPROTO_ICMP || pk.key.proto == IPPROTO_ICMPV6) {
		if (pk.frag != LB_FRAG_NONE)
			return XR_CONTINUE;
		return lb_icmp(p, &pk, is_v6, flags);
	}
	if (pk.key.proto != IPPROTO_TCP && pk.key.proto != IPPROTO_UDP)
		return XR_CONTINUE;
	if (pk.frag == LB_FRAG_LATER)
		return lb_later_fragment(p, &pk, is_v6, flags);
	vip = vip_lookup(&pk.key, flags);
	if (vip)
		return lb_flow(p, &pk, is_v6, vip);
	if (flags & XR_LB_F_NAT)
		return nat_reply(p, &pk, is_v6);
	return XR_CONTINUE;
}

/*
 * The IP packet in @ctx, which route() has parsed and checked already: the
 * LB runs in a function of its own (below), which knows nothing of its
 * caller's state. Cheap: a few loads and compares.
 */
static __always_inline int lb_reparse(struct xdp_md *ctx, struct packet *p,
				      const int is_v6, __u32 frame_len)
{
	p->frame_len = frame_len;
	p->data_end = (void *)(long)ctx->data_end;
	p->eth = (void *)(long)ctx->data;
	p->l3 = p->eth + 1;
	if (is_v6) {
		struct ipv6hdr *ip6h = p->l3;

		if ((void *)(ip6h + 1) > p->data_end)
			return -1;
		p->l3_len = sizeof(*ip6h) + bpf_ntohs(ip6h->payload_len);
	} else {
		struct iphdr *iph = p->l3;

		if ((void *)(iph + 1) > p->data_end || iph->ihl < 5)
			return -1;
		/* parse_ipv4() checked the checksum of option-less headers
		 * only: the others were the kernel's until the LB took them. */
		if (iph->ihl > 5 && !ipv4_csum_ok_options(iph, p->data_end))
			return -1;
		p->l3_len = bpf_ntohs(iph->tot_len);
		if (p->l3_len < iph->ihl * 4)
			return -1;
	}
	return sizeof(struct ethhdr) + p->l3_len > frame_len ? -1 : 0;
}

/*
 * The load balancer proper, one global (non-static, not inlined) function
 * per family. The verifier checks a global function once, on its own,
 * instead of once for every state its caller can be in; inlined, the LB's
 * branches multiplied with the router's into ~630k instructions to verify
 * (3.5 s to load). A constant family in each keeps IPv4 packets out of the
 * IPv6 code, which the verifier could not tell apart otherwise.
 */
__attribute__((noinline)) int xr_lb_v4(struct xdp_md *ctx, __u32 flags,
					__u32 frame_len)
{
	struct packet p = {};

	if (lb_reparse(ctx, &p, 0, frame_len))
		return XR_CONTINUE;
	return lb_packet(ctx, &p, 0, flags);
}

__attribute__((noinline)) int xr_lb_v6(struct xdp_md *ctx, __u32 flags,
					__u32 frame_len)
{
	struct packet p = {};

	if (lb_reparse(ctx, &p, 1, frame_len))
		return XR_CONTINUE;
	return lb_packet(ctx, &p, 1, flags);
}

/*
 * The LB's verdict on a parsed IP packet: an outcome if it took (or
 * dropped) the packet, XR_CONTINUE to route it, XR_CONTINUE_NAT_REPLY to
 * route it rewritten (a NAT reply, whose ports are read again for the
 * route lookup).
 */
static __always_inline int lb(struct xdp_md *ctx, struct packet *p,
			      const int is_v6)
{
	const struct xr_lb_conf *conf;
	__u32 zero = 0, flags;
	int outcome;

	conf = bpf_map_lookup_elem(&xr_lb_conf, &zero);
	if (!conf)
		return XR_CONTINUE;
	flags = is_v6 ? conf->v6 : conf->v4;
	if (!(flags & XR_LB_F_VIP))
		return XR_CONTINUE;
	outcome = is_v6 ? xr_lb_v6(ctx, flags, p->frame_len) :
			  xr_lb_v4(ctx, flags, p->frame_len);
	if (outcome == XR_CONTINUE_NAT_REPLY && (p->sport || p->dport))
		parse_ports(p, p->l3 + (is_v6 ? sizeof(struct ipv6hdr) :
						sizeof(struct iphdr)));
	return outcome;
}

#endif /* XR_LB_H */
