/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the load balancer needs to know of a packet the router has parsed
 * (parse.h): its flow as received, where its transport header is, and
 * whether it is a fragment. The router's own parse stops at the IP header;
 * this goes further only for packets the LB may claim.
 */
#ifndef XR_LB_PARSE_H
#define XR_LB_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "lookup.h"
#include "parse.h"
#include "xdp_router_types.h"

enum lb_frag {
	LB_FRAG_NONE = 0,
	LB_FRAG_FIRST,		/* offset 0, more to come: has the ports */
	LB_FRAG_LATER,		/* no transport header */
};

/* TCP flags byte (offset 13 of the header). */
#define LB_TCP_FIN 0x01
#define LB_TCP_RST 0x04

struct lb_pkt {
	struct xr_flow_key key;	/* as received; ports 0 in a later fragment */
	void *l4;		/* TCP/UDP/ICMP header; NULL: later fragment */
	__u64 bytes;		/* frame length, for the counters */
	__u32 l4_off;		/* from the IP header */
	__u32 frag_id;		/* IPv4 id or IPv6 fragment identification */
	__u8 frag;		/* enum lb_frag */
	__u8 tcp_flags;
};

/*
 * The family is never read back from struct lb_pkt: functions that touch
 * family-specific headers take it as an argument, a constant in each of
 * the entry point's two paths, or the verifier would follow an IPv4
 * packet into IPv6 code (and refuse the program).
 */

/* IPv6 fragment header (RFC 8200 4.5); the kernel's is not UAPI. */
struct lb_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;	/* offset << 3 | M */
	__be32 identification;
};

#define LB_IP6_OFFSET 0xfff8
#define LB_IP6_MF 0x0001
/* Extension headers walked before the transport header. */
#define LB_IP6_MAX_EXT 3
/*
 * Farthest transport header: 3 extension headers of at most 2 KiB. The
 * verifier wants the bound, to keep packet offsets below 64 KiB.
 */
#define LB_L4_OFF_MAX 8191

/* Bytes of transport header the LB reads or rewrites; 0: not its protocol. */
static __always_inline __u32 lb_l4_need(__u8 proto, int is_v6)
{
	switch (proto) {
	case IPPROTO_TCP:
		return sizeof(struct tcphdr);	/* NAT rewrites the checksum */
	case IPPROTO_UDP:
		return sizeof(struct udphdr);
	case IPPROTO_ICMP:
		return is_v6 ? 0 : 8;
	case IPPROTO_ICMPV6:
		return is_v6 ? 8 : 0;
	}
	return 0;
}

/*
 * The transport header at @off from the IP header. A header cut short
 * (by the IP length or the frame) is not the LB's: such a packet is routed
 * like any other, which is what the kernel would do with it too.
 */
static __always_inline int lb_parse_l4(const struct packet *p,
				       struct lb_pkt *pk, __u32 off, int is_v6)
{
	__u32 need = lb_l4_need(pk->key.proto, is_v6);
	void *l4;

	if (!need || off > LB_L4_OFF_MAX || off + need > p->l3_len)
		return -1;
	l4 = p->l3 + off;
	/* Checked per protocol: the verifier needs the constant size. */
	if (pk->key.proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > p->data_end)
			return -1;
		pk->key.sport = th->source;
		pk->key.dport = th->dest;
		pk->tcp_flags = ((__u8 *)th)[13];
	} else if (pk->key.proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > p->data_end)
			return -1;
		pk->key.sport = uh->source;
		pk->key.dport = uh->dest;
	} else if (l4 + 8 > p->data_end) {	/* ICMP, ICMPv6 */
		return -1;
	}
	pk->l4 = l4;
	pk->l4_off = off;
	return 0;
}

static __always_inline int lb_parse_v4(const struct packet *p,
				       struct lb_pkt *pk)
{
	const struct iphdr *iph = p->l3;
	__u16 frag = bpf_ntohs(iph->frag_off);

	pk->key.family = AF_INET;
	pk->key.proto = iph->protocol;
	__builtin_memcpy(pk->key.src, &iph->saddr, 4);
	__builtin_memcpy(pk->key.dst, &iph->daddr, 4);
	pk->frag_id = bpf_ntohs(iph->id);
	if (frag & XR_IP_OFFSET) {
		pk->frag = LB_FRAG_LATER;
		return 0;
	}
	if (frag & XR_IP_MF)
		pk->frag = LB_FRAG_FIRST;
	/* Options are skipped: the LB neither needs nor changes them. */
	return lb_parse_l4(p, pk, iph->ihl * 4, 0);
}

/* Where an IPv6 packet's transport header is (xr_lb_v6_walk()). */
struct lb_v6_l4 {
	__u32 off;		/* from the IPv6 header */
	__u32 frag_id;
	__u8 proto;
	__u8 frag;		/* enum lb_frag */
	__u16 pad;
};

/*
 * IPv6: destination options, a routing header with no segment left (the
 * VIP is the final destination) and a fragment header may come before the
 * transport header. A routing header with segments left means the
 * destination address is a waypoint, not the VIP: not the LB's.
 * (Hop-by-hop options never get here: parse_ipv6() gives them to the
 * kernel.)
 *
 * A global function of its own: every way through the loop ends at its
 * own offset, and inlined, the verifier would check the rest of the LB
 * once for each of them. Its caller gets one offset it knows nothing of.
 */
__attribute__((noinline)) int xr_lb_v6_walk(struct xdp_md *ctx,
					    struct lb_v6_l4 *out)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6h = (void *)(long)ctx->data + sizeof(struct ethhdr);
	__u32 off = sizeof(*ip6h), len;
	__u8 nexthdr;

	if (!out || (void *)(ip6h + 1) > data_end)
		return -1;
	len = sizeof(*ip6h) + bpf_ntohs(ip6h->payload_len);
	nexthdr = ip6h->nexthdr;
	out->frag = LB_FRAG_NONE;
	out->frag_id = 0;

#pragma unroll
	for (int i = 0; i < LB_IP6_MAX_EXT; i++) {
		if (nexthdr == IPPROTO_DSTOPTS || nexthdr == IPPROTO_ROUTING) {
			__u8 *h = (void *)ip6h + off;

			/* next header, length, (routing) type, segments left */
			if ((void *)(h + 4) > data_end || off + 8 > len)
				return -1;
			if (nexthdr == IPPROTO_ROUTING && h[3])
				return -1;
			nexthdr = h[0];
			off += (h[1] + 1) * 8;
		} else if (nexthdr == IPPROTO_FRAGMENT) {
			struct lb_frag_hdr *fh = (void *)ip6h + off;
			__u16 fo;

			if ((void *)(fh + 1) > data_end ||
			    off + sizeof(*fh) > len)
				return -1;
			fo = bpf_ntohs(fh->frag_off);
			out->frag_id = bpf_ntohl(fh->identification);
			nexthdr = fh->nexthdr;
			off += sizeof(*fh);
			if (fo & LB_IP6_OFFSET) {
				out->frag = LB_FRAG_LATER;
				break;
			}
			if (fo & LB_IP6_MF)
				out->frag = LB_FRAG_FIRST;
		} else {
			break;
		}
	}
	out->off = off;
	out->proto = nexthdr;
	return 0;
}

static __always_inline int lb_parse_v6(struct xdp_md *ctx,
				       const struct packet *p,
				       struct lb_pkt *pk)
{
	const struct ipv6hdr *ip6h = p->l3;
	struct lb_v6_l4 l4 = {};

	pk->key.family = AF_INET6;
	__builtin_memcpy(pk->key.src, &ip6h->saddr, 16);
	__builtin_memcpy(pk->key.dst, &ip6h->daddr, 16);
	if (xr_lb_v6_walk(ctx, &l4))
		return -1;
	pk->key.proto = l4.proto;
	pk->frag = l4.frag;
	pk->frag_id = l4.frag_id;
	if (pk->frag == LB_FRAG_LATER)
		return 0;
	return lb_parse_l4(p, pk, l4.off, 1);
}

/*
 * Working memory for the LB's larger temporaries, per CPU (an XDP program
 * does not nest on a CPU). The verifier gives the router and the LB 512
 * bytes of stack together, and the table lookup mode takes half of it.
 * Internal: not pinned, nothing outside the program reads it.
 */
struct lb_scratch {
	struct xr_flow_key twin;	/* the other direction of a NAT flow */
	struct xr_flow_key frag;	/* a datagram in xr_lb_frags */
	struct lb_pkt quoted;		/* the flow an ICMP error is about */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lb_scratch);
} xr_lb_scratch SEC(".maps");

static __always_inline struct lb_scratch *lb_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&xr_lb_scratch, &zero);
}

/* 0 with @pk filled in, or -1: a packet the LB leaves to the router. */
static __always_inline int lb_parse(struct xdp_md *ctx,
				    const struct packet *p, int is_v6,
				    struct lb_pkt *pk)
{
	__builtin_memset(pk, 0, sizeof(*pk));	/* the key's padding too */
	pk->bytes = p->frame_len;
	return is_v6 ? lb_parse_v6(ctx, p, pk) : lb_parse_v4(p, pk);
}

#endif /* XR_LB_PARSE_H */
