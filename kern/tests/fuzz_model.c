// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The packet fuzzer's reference model (fuzz_model.h): what a Linux router
 * configured as fuzz_net.c says may do with a frame (fuzz_check.c holds
 * the router's answer against it, byte for byte).
 *
 * Forwarding (XDP_REDIRECT) is allowed only for what the kernel forwards:
 * an Ethernet frame to the ingress interface's own MAC, IPv4 (version 4,
 * IHL 5: options are the kernel's to process, header checksum valid,
 * lengths consistent) or IPv6 (no hop-by-hop header), TTL / hop limit above
 * 1, no martian address (ip_route_input_slow(), ip6_rcv_core(),
 * ip6_forward()), an IPv4 source that is not one of the router's own
 * addresses (fib_validate_source()), a route through an attached interface
 * other than the ingress one (that one sends a redirect) to a resolved
 * neighbour, and an IP length within the egress MTU. The
 * output must be the IP packet with the next hop's MACs, the TTL or hop
 * limit one less, a valid IPv4 header checksum, and every other byte
 * unchanged; bytes past the IP length are gone, as the kernel trims them
 * on input (ip_rcv_core(), ip6_rcv_core()) before it forwards.
 *
 * The load balancer owns, for a VIP's address (lb.h): TCP/UDP of its
 * protocol and port (or any port), with at most 3 IPv6 extension headers
 * before the transport header; their later fragments (which follow their
 * first if the LB saw it; else an all-ports VIP's are dropped, a port
 * VIP's routed); and "fragmentation needed" / "packet too big" errors quoting one of its
 * flows. What it owns it sends to the backend (XDP_TX), drops (backend
 * down; a NAT VIP's IPv6 UDP without checksum) or, NAT with no hop left,
 * hands to the kernel; it is never routed. DSR changes the MACs only; NAT
 * also the destination address (and port), one hop less, checksums updated
 * so that they stay as valid as they were; for an ICMP error, the quoted
 * packet's source (and port) too: it becomes the packet the backend sent.
 * What the LB does not own is routed like any packet. A NAT backend's
 * replies may have their source put back to the VIP before they are
 * routed or handed to the kernel, unless they have no hop left (the
 * kernel's, untranslated); the LB may drop one only if it is IPv6 UDP
 * without checksum.
 *
 * Everything else must come out unchanged (XDP_PASS, or XDP_DROP for what
 * the kernel would drop itself: malformed headers, a blackhole route).
 *
 * "must": the plain cases the router has to take itself: a clean packet
 * to a resolved next hop that the LB does not own is forwarded; a clean
 * packet the LB owns goes to the backend, or is dropped if it must be.
 */

#include <arpa/inet.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/in.h>
#include "fuzz_model.h"
#include "fuzz_net.h"

__u32 fz_sum(const void *data, size_t len, __u32 sum)
{
	const __u8 *p = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (__u32)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	return sum;
}

__u16 fz_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* ---- addresses --------------------------------------------------------- */

static bool v4_martian_src(const __u8 *a)
{
	/* 0/8, 127/8, multicast, limited broadcast (ip_route_input_slow()) */
	return a[0] == 0 || a[0] == 127 || (a[0] & 0xf0) == 0xe0 ||
	       (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
}

/*
 * fib_validate_source(): a packet from one of the router's own addresses
 * is a martian (10.0.N.1 on link N, fuzz_net.c). IPv6 has no such rule.
 */
static bool v4_local(const __u8 *a)
{
	for (int n = 0; fz_link(n); n++)
		if (a[0] == 10 && a[1] == 0 && a[2] == n && a[3] == 1)
			return true;
	return false;
}

static bool v4_not_unicast_dst(const __u8 *a)
{
	return a[0] == 0 || a[0] == 127 || (a[0] & 0xf0) == 0xe0 ||
	       (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
}

static bool v6_zero(const __u8 *a)
{
	static const __u8 zero[16];

	return !memcmp(a, zero, 16);
}

static bool v6_loopback(const __u8 *a)
{
	static const __u8 one[16] = { [15] = 1 };

	return !memcmp(a, one, 16);
}

static bool v6_link_local(const __u8 *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* ip6_forward()'s "security critical" check, plus ip6_rcv_core()'s. */
static bool v6_martian_src(const __u8 *a)
{
	return a[0] == 0xff || v6_zero(a) || v6_loopback(a) ||
	       v6_link_local(a);
}

static bool v6_not_unicast_dst(const __u8 *a)
{
	return a[0] == 0xff || v6_loopback(a) || v6_link_local(a) ||
	       v6_zero(a);
}

static bool in_prefix(const __u8 *addr, const __u8 *net, int plen)
{
	int bytes = plen / 8, bits = plen % 8;

	if (memcmp(addr, net, bytes))
		return false;
	return !bits || !((addr[bytes] ^ net[bytes]) & (0xff00 >> bits));
}

/* ---- routes ------------------------------------------------------------ */

enum route_answer {
	ROUTE_NONE,		/* not forwarded: no route, local, unresolved */
	ROUTE_FWD,
	ROUTE_BLACKHOLE,
};

/*
 * Whether an IPv4 source has a route back (connected or routed, of any
 * kind). Without one, rp_filter (loose on r1, fuzz_net.c) drops the packet;
 * with rp_filter 0 the XDP path forwards it in table mode and hands it to
 * the kernel in fib mode, where such a source cannot be told from a local
 * address (kern/source_check.h).
 */
static bool v4_route_back(const __u8 *src)
{
	__u8 net[16] = {}, fam;
	int plen;

	for (int n = 0; fz_link(n); n++)
		if (src[0] == 10 && src[1] == 0 && src[2] == n)
			return true;
	for (int i = 0; i < fz_n_routes; i++)
		if (!fz_prefix(fz_routes[i].prefix, &fam, net, &plen) &&
		    fam == AF_INET && in_prefix(src, net, plen))
			return true;
	return false;
}

static enum route_answer route(__u8 family, const __u8 *dst,
			       const struct fz_link **via)
{
	__u8 net[16] = {}, fam;
	int plen;

	/* Connected: only the peer (.2 / ::2) is a resolved neighbour. */
	for (int n = 0; fz_link(n); n++) {
		if (family == AF_INET) {
			if (dst[0] != 10 || dst[1] != 0 || dst[2] != n)
				continue;
			*via = fz_link(n);
			return dst[3] == 2 ? ROUTE_FWD : ROUTE_NONE;
		}
		net[0] = 0xfd;
		net[3] = n;
		if (!in_prefix(dst, net, 64))
			continue;
		*via = fz_link(n);
		memset(net, 0, sizeof(net));
		net[0] = 0xfd;
		net[3] = n;
		net[15] = 2;
		return !memcmp(dst, net, 16) ? ROUTE_FWD : ROUTE_NONE;
	}
	for (int i = 0; i < fz_n_routes; i++) {
		const struct fz_route *r = &fz_routes[i];

		if (fz_prefix(r->prefix, &fam, net, &plen) || fam != family ||
		    !in_prefix(dst, net, plen))
			continue;
		if (r->kind == FZ_RT_BLACKHOLE)
			return ROUTE_BLACKHOLE;
		if (r->kind != FZ_RT_VIA || r->gw)
			return ROUTE_NONE;
		*via = fz_link(r->link);
		return ROUTE_FWD;
	}
	return ROUTE_NONE;
}

static const struct fz_vip *vip_at(__u8 family, const __u8 *dst)
{
	for (int i = 0; i < fz_n_vips; i++)
		if (fz_vips[i].family == family &&
		    !memcmp(fz_vips[i].bin, dst, family == AF_INET ? 4 : 16))
			return &fz_vips[i];
	return NULL;
}

static const struct fz_vip *nat_vip_of_backend(__u8 family, const __u8 *src)
{
	for (int i = 0; i < fz_n_vips; i++)
		if (fz_vips[i].nat && fz_vips[i].family == family &&
		    !memcmp(fz_vips[i].be->bin, src,
			    family == AF_INET ? 4 : 16))
			return &fz_vips[i];
	return NULL;
}

/* ---- the model --------------------------------------------------------- */

/* IPv4 header: false if the kernel drops the packet (ip_rcv_core()). */
static bool parse_v4(const __u8 *ip, size_t avail, struct fz_expect *e,
		     bool *options)
{
	unsigned int ihl = ip[0] & 15;
	__u16 frag;

	if (avail < 20 || ip[0] >> 4 != 4 || ihl < 5 || avail < ihl * 4)
		return false;
	e->l3_len = fz_be16(ip + 2);
	if (e->l3_len < ihl * 4 || e->l3_len > avail)
		return false;
	if (fz_fold(fz_sum(ip, ihl * 4, 0)) != 0xffff)
		return false;
	*options = ihl > 5;
	e->l4_proto = ip[9];
	frag = fz_be16(ip + 6);
	e->fragment = frag & 0x3fff;
	e->later_fragment = frag & 0x1fff;
	e->l4_off = e->later_fragment ? -1 : (int)ihl * 4;
	return true;
}

/*
 * IPv6 header and extension headers. @hbh: a hop-by-hop header (the
 * kernel's), @waypoint: a routing header with segments left before the
 * transport header (the destination is not the final one).
 */
static bool parse_v6(const __u8 *ip, size_t avail, struct fz_expect *e,
		     bool *hbh, bool *waypoint)
{
	size_t off = 40;
	__u8 nh;

	if (avail < 40 || ip[0] >> 4 != 6)
		return false;
	nh = ip[6];
	*hbh = nh == IPPROTO_HOPOPTS;
	e->l3_len = 40 + fz_be16(ip + 4);
	if (e->l3_len > avail)
		return *hbh;	/* a jumbogram's length is in its HBH */
	for (int i = 0; i < 16; i++) {
		if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_DSTOPTS ||
		    nh == IPPROTO_ROUTING) {
			if (off + 8 > e->l3_len)
				break;
			if (nh == IPPROTO_ROUTING && ip[off + 3])
				*waypoint = true;
			if (nh == IPPROTO_HOPOPTS && i)
				e->v6_inner_hbh = true;
			nh = ip[off];
			off += (ip[off + 1] + 1) * 8;
			e->v6_ext++;
		} else if (nh == IPPROTO_FRAGMENT) {
			if (off + 8 > e->l3_len)
				break;
			e->v6_ext++;
			/* An atomic fragment (offset 0, M 0) is whole:
			 * RFC 6946. */
			if (fz_be16(ip + off + 2) & 0xfff9)
				e->fragment = true;
			if (fz_be16(ip + off + 2) & 0xfff8)
				e->later_fragment = true;
			nh = ip[off];
			off += 8;
			if (e->later_fragment)
				break;
		} else {
			e->l4_proto = nh;
			e->l4_off = off <= e->l3_len ? (int)off : -1;
			return true;
		}
	}
	e->l4_proto = nh;
	e->l4_off = -1;
	return true;
}

/* ---- the load balancer ------------------------------------------------ */

/* Whether the LB owns a frame for a VIP's address. */
enum claim {
	CLAIM_NO,	/* routed like any packet */
	CLAIM_MAYBE,	/* the LB's if it saw more (a fragment's first) */
	CLAIM_YES,	/* the LB's: never routed */
};

static bool vip_flow(const struct fz_vip *vip, __u8 proto, __u16 dport)
{
	return proto == vip->proto && (!vip->port || dport == vip->port);
}

/*
 * A "fragmentation needed" (IPv4) / "packet too big" (IPv6) error quoting
 * a TCP/UDP packet @vip's address sent, ports included, all within the IP
 * length; IPv4 quotes must not be later fragments, IPv6 quotes have no
 * extension headers (lb_icmp.h).
 */
static bool pmtu_error_about(const __u8 *ip, const struct fz_expect *e,
			     const struct fz_vip *vip)
{
	size_t q = (size_t)e->l4_off + 8, hl;
	const __u8 *in = ip + q, *saddr;
	__u8 proto;

	if (e->l4_off < 0 || q > e->l3_len)
		return false;
	if (e->v6) {
		if (ip[e->l4_off] != 2 || q + 44 > e->l3_len)
			return false;
		hl = 40;
		proto = in[6];
		saddr = in + 8;
	} else {
		if (ip[e->l4_off] != 3 || ip[e->l4_off + 1] != 4 ||
		    q + 20 > e->l3_len)
			return false;
		hl = (in[0] & 15) * 4;
		if (in[0] >> 4 != 4 || hl < 20 || (fz_be16(in + 6) & 0x1fff) ||
		    q + hl + 4 > e->l3_len)
			return false;
		proto = in[9];
		saddr = in + 12;
	}
	if (memcmp(saddr, ip + (e->v6 ? 24 : 16), e->v6 ? 16 : 4))
		return false;
	return vip_flow(vip, proto, fz_be16(in + hl));
}

/* What the load balancer may (and must) do with a frame for @vip's address. */
static enum claim model_vip(const __u8 *ip, struct fz_expect *e,
			    const struct fz_vip *vip, bool simple)
{
	bool icmp = e->l4_proto == (e->v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	bool expired = vip->nat && e->ttl <= 1, bad_nat_udp = false;

	/* lb_parse walks 3 destination options, routing and fragment
	 * headers at most (hop-by-hop is only valid first). */
	if (e->v6 && (e->v6_ext > 3 || e->v6_inner_hbh))
		return CLAIM_NO;
	if (icmp) {
		if (e->fragment || !pmtu_error_about(ip, e, vip))
			return CLAIM_NO;
	} else if (e->l4_proto != vip->proto) {
		return CLAIM_NO;
	} else if (e->later_fragment) {
		/* To its first fragment's backend if the LB saw that one;
		 * else an all-ports VIP's is dropped, a port VIP's routed. */
		e->vip = vip;
		if (vip->be->active && !expired)
			e->may |= FZ_BIT(XDP_TX);
		if (vip->port)
			return CLAIM_MAYBE;
		e->may |= FZ_BIT(XDP_DROP);
		return CLAIM_YES;
	} else if (!fz_l4_complete(e) ||
		   !vip_flow(vip, e->l4_proto, fz_be16(ip + e->l4_off + 2))) {
		return CLAIM_NO;
	} else {
		bad_nat_udp = vip->nat && e->v6 && vip->proto == IPPROTO_UDP &&
			      !fz_be16(ip + e->l4_off + 6);
	}
	e->vip = vip;
	if (expired)
		return CLAIM_YES;	/* the kernel's: time exceeded */
	if (!vip->be->active || bad_nat_udp) {
		e->may |= FZ_BIT(XDP_DROP);
		e->must = XDP_DROP;
		return CLAIM_YES;
	}
	e->may |= FZ_BIT(XDP_TX);
	if (simple && !e->fragment)
		e->must = XDP_TX;
	return CLAIM_YES;
}

/* A NAT reply the LB would drop: IPv6 UDP without checksum (lb_nat.h). */
static bool reply_may_drop(const __u8 *ip, const struct fz_expect *e)
{
	return e->v6 && e->ttl > 1 && e->v6_ext <= 3 && !e->v6_inner_hbh &&
	       e->l4_proto == IPPROTO_UDP &&
	       e->reply_vip->proto == IPPROTO_UDP && fz_l4_complete(e) &&
	       !fz_be16(ip + e->l4_off + 6);
}

void fz_model(const __u8 *frame, size_t len, __u32 ingress,
	      struct fz_expect *e)
{
	const struct fz_link *in = fz_link_by_index(ingress);
	const __u8 *ip = frame + FZ_ETH_LEN;
	bool options = false, hbh = false, waypoint = false, simple;
	const struct fz_link *via = NULL;
	enum claim claim = CLAIM_NO;
	const struct fz_vip *vip;
	const __u8 *src, *dst;
	enum route_answer ra;
	bool reply_drop = false;
	__u8 family;
	__u16 type;

	memset(e, 0, sizeof(*e));
	e->may = FZ_BIT(XDP_PASS);
	e->must = -1;
	e->l4_off = -1;
	if (len < FZ_ETH_LEN) {
		e->may |= FZ_BIT(XDP_DROP);
		e->why = "runt";
		return;
	}
	type = fz_be16(frame + 12);
	if (type != 0x0800 && type != 0x86dd) {
		e->why = "not IP (VLAN, ARP, other ethertype)";
		return;
	}
	if (!in || !in->attached || memcmp(frame, in->mac, 6)) {
		e->why = "not to the ingress interface's MAC";
		return;
	}
	e->v6 = type == 0x86dd;
	if (!(e->v6 ? parse_v6(ip, len - FZ_ETH_LEN, e, &hbh, &waypoint) :
		      parse_v4(ip, len - FZ_ETH_LEN, e, &options))) {
		e->may |= FZ_BIT(XDP_DROP);
		e->why = "malformed IP header";
		return;
	}
	if (hbh) {
		e->may |= FZ_BIT(XDP_DROP);	/* the kernel may find it bad */
		e->why = "hop-by-hop options";
		return;
	}
	e->l3 = true;
	family = e->v6 ? AF_INET6 : AF_INET;
	src = ip + (e->v6 ? 8 : 12);
	dst = ip + (e->v6 ? 24 : 16);
	e->ttl = ip[e->v6 ? 7 : 8];
	if (e->v6 ? v6_martian_src(src) || v6_not_unicast_dst(dst) :
		    v4_martian_src(src) || v4_not_unicast_dst(dst)) {
		e->why = "martian or not unicast";
		return;
	}
	if (!e->v6 && v4_local(src)) {
		e->may |= FZ_BIT(XDP_DROP);
		e->why = "source is one of ours (martian)";
		return;
	}
	simple = e->v6 ? e->l4_off == 40 : !options;
	vip = waypoint ? NULL : vip_at(family, dst);
	if (vip) {
		claim = model_vip(ip, e, vip, simple);
		if (claim == CLAIM_YES) {
			e->why = "VIP";
			return;
		}
	}
	e->reply_vip = nat_vip_of_backend(family, src);
	if (e->reply_vip && reply_may_drop(ip, e)) {
		e->may |= FZ_BIT(XDP_DROP);
		reply_drop = true;
	}

	ra = route(family, dst, &via);
	if (ra == ROUTE_BLACKHOLE)
		e->may |= FZ_BIT(XDP_DROP);
	/* The kernel checks the source once the route is known, whatever
	 * the egress, its MTU or the TTL. */
	if (ra == ROUTE_FWD && !e->v6 && in->rp_filter && !v4_route_back(src))
		e->may |= FZ_BIT(XDP_DROP);
	if (options) {
		e->why = "IPv4 options";
		return;
	}
	if (e->ttl <= 1) {
		e->why = "TTL expires";
		return;
	}
	if (ra != ROUTE_FWD || !via->attached || e->l3_len > via->mtu) {
		e->why = ra == ROUTE_FWD ? "egress not attached or MTU" :
					   "no route to a resolved next hop";
		return;
	}
	/* Out by its ingress interface: the kernel sends a redirect (IPv6
	 * always, IPv4 with send_redirects, on in fuzz_net.c). A NAT reply
	 * the LB translates back is the LB's and is not source-checked: a
	 * one-legged LB sends it out where it came in (source_check.h). */
	if (via == in && !e->reply_vip) {
		e->why = "leaves by its ingress interface: a redirect";
		return;
	}
	e->may |= FZ_BIT(XDP_REDIRECT);
	e->egress = via;
	e->why = "forwardable";
	if (via == in)
		return;		/* forwarded only if a live NAT reply */
	if (!e->v6 && !v4_route_back(src)) {
		/* rp_filter drops it (above); off, the kernel may decide
		 * (the source check). A NAT reply may be translated. */
		if (in->rp_filter && !e->reply_vip) {
			e->may &= ~FZ_BIT(XDP_REDIRECT);
			e->why = "no route back (rp_filter)";
		}
		return;
	}
	/* Neighbour discovery stays the kernel's: no must. */
	if (e->v6 && e->l4_proto == IPPROTO_ICMPV6 && e->l4_off >= 0 &&
	    (size_t)e->l4_off < len - FZ_ETH_LEN && ip[e->l4_off] >= 133 &&
	    ip[e->l4_off] <= 137)
		return;
	if (claim == CLAIM_NO && !reply_drop)
		e->must = XDP_REDIRECT;
}
