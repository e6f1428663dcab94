// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The packet fuzzer's reference model (fuzz_model.h): what a Linux router
 * configured as fuzz_net.c says may do with a frame, and whether the
 * router's answer is one of those things, byte for byte.
 *
 * Forwarding (XDP_REDIRECT) is allowed only for what the kernel forwards:
 * an Ethernet frame to the ingress interface's own MAC, IPv4 (version 4,
 * IHL 5: options are the kernel's to process, header checksum valid,
 * lengths consistent) or IPv6 (no hop-by-hop header), TTL / hop limit above
 * 1, no martian address (ip_route_input_slow(), ip6_rcv_core(),
 * ip6_forward()), a route through an attached interface to a resolved
 * neighbour, and an IP length within the egress MTU. The output must be
 * the input with the next hop's MACs, the TTL or hop limit one less, a
 * valid IPv4 header checksum, and every other byte, trailing bytes
 * included, unchanged.
 *
 * The load balancer (XDP_TX) may take only frames for a VIP's address:
 * TCP/UDP of its protocol and port (or any port), their fragments, and
 * ICMP errors. DSR changes the MACs only; NAT also the destination address
 * (and port), one hop less, checksums updated so that they stay as valid as
 * they were. A NAT backend's replies may have their source put back to the
 * VIP before they are routed or handed to the kernel.
 *
 * Everything else must come out unchanged (XDP_PASS, or XDP_DROP for what
 * the kernel would drop itself: malformed headers, a blackhole route, a
 * VIP's packet without a usable backend).
 *
 * "must": the plain cases the router has to take itself: a clean packet
 * to a resolved next hop is forwarded, a clean packet to a VIP port with a
 * live backend goes to it.
 */

#include <arpa/inet.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/in.h>
#include "fuzz_model.h"
#include "fuzz_net.h"

#define BIT(a) (1u << (a))

static const char *const action_str[] = {
	"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT",
};

static const char *act(int a)
{
	return a >= 0 && a <= XDP_REDIRECT ? action_str[a] : "?";
}

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

static __u16 be16(const __u8 *p)
{
	return p[0] << 8 | p[1];
}

/* ---- addresses --------------------------------------------------------- */

static bool v4_martian_src(const __u8 *a)
{
	/* 0/8, 127/8, multicast, limited broadcast (ip_route_input_slow()) */
	return a[0] == 0 || a[0] == 127 || (a[0] & 0xf0) == 0xe0 ||
	       (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
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
	e->l3_len = be16(ip + 2);
	if (e->l3_len < ihl * 4 || e->l3_len > avail)
		return false;
	if (fz_fold(fz_sum(ip, ihl * 4, 0)) != 0xffff)
		return false;
	*options = ihl > 5;
	e->l4_proto = ip[9];
	frag = be16(ip + 6);
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
	e->l3_len = 40 + be16(ip + 4);
	if (e->l3_len > avail)
		return *hbh;	/* a jumbogram's length is in its HBH */
	for (int i = 0; i < 16; i++) {
		if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_DSTOPTS ||
		    nh == IPPROTO_ROUTING) {
			if (off + 8 > e->l3_len)
				break;
			if (nh == IPPROTO_ROUTING && ip[off + 3])
				*waypoint = true;
			nh = ip[off];
			off += (ip[off + 1] + 1) * 8;
		} else if (nh == IPPROTO_FRAGMENT) {
			if (off + 8 > e->l3_len)
				break;
			/* An atomic fragment (offset 0, M 0) is whole:
			 * RFC 6946. */
			if (be16(ip + off + 2) & 0xfff9)
				e->fragment = true;
			if (be16(ip + off + 2) & 0xfff8)
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

static size_t l4_need(__u8 proto)
{
	return proto == IPPROTO_TCP ? 20 : proto == IPPROTO_UDP ? 8 : 0;
}

/* The transport header is there, whole, within the IP length. */
static bool l4_complete(const struct fz_expect *e)
{
	size_t need = l4_need(e->l4_proto);

	return need && e->l4_off >= 0 && e->l4_off + need <= e->l3_len;
}

/* What the load balancer may (and must) do with a packet for @vip. */
static void model_vip(const __u8 *ip, struct fz_expect *e,
		      const struct fz_vip *vip, bool simple, unsigned int ttl)
{
	bool icmp = e->l4_proto == (e->v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	bool match;

	e->vip = vip;
	e->may |= BIT(XDP_DROP);	/* no backend, fragment, bad NAT UDP */
	if (!vip->be->active || (vip->nat && ttl <= 1))
		return;
	if (icmp && !e->fragment) {
		e->may |= BIT(XDP_TX);	/* an error about one of its flows */
		return;
	}
	if (e->l4_proto != vip->proto)
		return;
	if (e->later_fragment) {
		e->may |= BIT(XDP_TX);	/* follows its first fragment */
		return;
	}
	if (!l4_complete(e))
		return;
	match = !vip->port || be16(ip + e->l4_off + 2) == vip->port;
	if (!match)
		return;
	e->may |= BIT(XDP_TX);
	if (simple && !e->fragment &&
	    !(vip->nat && e->v6 && vip->proto == IPPROTO_UDP &&
	      !be16(ip + e->l4_off + 6)))
		e->must = XDP_TX;
}

void fz_model(const __u8 *frame, size_t len, __u32 ingress,
	      struct fz_expect *e)
{
	const struct fz_link *in = fz_link_by_index(ingress);
	const __u8 *ip = frame + FZ_ETH_LEN;
	bool options = false, hbh = false, waypoint = false, simple;
	const struct fz_link *via = NULL;
	const __u8 *src, *dst;
	enum route_answer ra;
	unsigned int ttl;
	__u8 family;
	__u16 type;

	memset(e, 0, sizeof(*e));
	e->may = BIT(XDP_PASS);
	e->must = -1;
	e->l4_off = -1;
	if (len < FZ_ETH_LEN) {
		e->may |= BIT(XDP_DROP);
		e->why = "runt";
		return;
	}
	type = be16(frame + 12);
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
		e->may |= BIT(XDP_DROP);
		e->why = "malformed IP header";
		return;
	}
	if (hbh) {
		e->may |= BIT(XDP_DROP);	/* the kernel may find it bad */
		e->why = "hop-by-hop options";
		return;
	}
	e->l3 = true;
	family = e->v6 ? AF_INET6 : AF_INET;
	src = ip + (e->v6 ? 8 : 12);
	dst = ip + (e->v6 ? 24 : 16);
	ttl = ip[e->v6 ? 7 : 8];
	if (e->v6 ? v6_martian_src(src) || v6_not_unicast_dst(dst) :
		    v4_martian_src(src) || v4_not_unicast_dst(dst)) {
		e->why = "martian or not unicast";
		return;
	}
	simple = e->v6 ? e->l4_off == 40 : !options;
	e->reply_vip = nat_vip_of_backend(family, src);
	if (e->reply_vip)
		e->may |= BIT(XDP_DROP);	/* a NAT reply it cannot fix */
	if (!waypoint) {
		const struct fz_vip *vip = vip_at(family, dst);

		if (vip) {
			model_vip(ip, e, vip, simple, ttl);
			if (e->must == XDP_TX) {
				e->why = "VIP";
				return;
			}
		}
	} else if (vip_at(family, dst)) {
		e->may |= BIT(XDP_DROP);
	}

	ra = route(family, dst, &via);
	if (ra == ROUTE_BLACKHOLE)
		e->may |= BIT(XDP_DROP);
	if (options) {
		e->why = "IPv4 options";
		return;
	}
	if (ttl <= 1) {
		e->why = "TTL expires";
		return;
	}
	if (ra != ROUTE_FWD || !via->attached || e->l3_len > via->mtu) {
		e->why = ra == ROUTE_FWD ? "egress not attached or MTU" :
					   "no route to a resolved next hop";
		return;
	}
	e->may |= BIT(XDP_REDIRECT);
	e->egress = via;
	e->why = "forwardable";
	/* Neighbour discovery stays the kernel's: no must. */
	if (e->v6 && e->l4_proto == IPPROTO_ICMPV6 && e->l4_off >= 0 &&
	    (size_t)e->l4_off < len - FZ_ETH_LEN && ip[e->l4_off] >= 133 &&
	    ip[e->l4_off] <= 137)
		return;
	if (!e->vip && !e->reply_vip)
		e->must = XDP_REDIRECT;
}

/* ---- checking the output ----------------------------------------------- */

/* The expected output: bytes, and up to two 2-byte checksum fields left
 * to be checked by their sums. */
struct image {
	__u8 b[4096];
	size_t len;
	int n_free;
	size_t free_off[2];
	bool l4_sum;		/* the transport checksum must stay as valid */
	bool l4_addrs;		/* ... and covers the addresses */
};

static bool is_free(const struct image *im, size_t i)
{
	for (int k = 0; k < im->n_free; k++)
		if (i >= im->free_off[k] && i < im->free_off[k] + 2)
			return true;
	return false;
}

static void leave_free(struct image *im, size_t off)
{
	if (is_free(im, off))
		return;
	if (off + 2 <= im->len && im->n_free < 2)
		im->free_off[im->n_free++] = off;
}

static void image_init(struct image *im, const __u8 *in, size_t len)
{
	im->len = len < sizeof(im->b) ? len : sizeof(im->b);
	memcpy(im->b, in, im->len);
	im->n_free = 0;
	im->l4_sum = im->l4_addrs = false;
}

static void image_hop(struct image *im, const struct fz_expect *e)
{
	__u8 *ip = im->b + FZ_ETH_LEN;

	if (e->v6) {
		ip[7]--;
	} else {
		ip[8]--;
		leave_free(im, FZ_ETH_LEN + 10);
	}
}

static void image_macs(struct image *im, const __u8 *dmac, const __u8 *smac)
{
	memcpy(im->b, dmac, 6);
	memcpy(im->b + 6, smac, 6);
}

/* Transport checksum offset from the IP header, or -1. */
static int l4_csum_off(const struct fz_expect *e)
{
	if (!l4_complete(e))
		return -1;
	return e->l4_off + (e->l4_proto == IPPROTO_TCP ? 16 : 6);
}

/*
 * Address @which (0 source, 1 destination) becomes @addr, and the
 * transport port @which becomes @port if not 0: what NAT does.
 */
static void image_nat(struct image *im, const struct fz_expect *e,
		      int which, const __u8 *addr, __u16 port)
{
	__u8 *ip = im->b + FZ_ETH_LEN;
	size_t alen = e->v6 ? 16 : 4;
	int csum = l4_csum_off(e);

	memcpy(ip + (e->v6 ? 8 : 12) + which * alen, addr, alen);
	if (!e->v6)
		leave_free(im, FZ_ETH_LEN + 10);
	if (csum < 0)
		return;
	if (port) {
		ip[e->l4_off + 2 * which] = port >> 8;
		ip[e->l4_off + 2 * which + 1] = port & 0xff;
	}
	/* An IPv4 UDP checksum of 0 is "none", and stays so. */
	if (e->l4_proto == IPPROTO_UDP && !e->v6 && !be16(ip + csum))
		return;
	leave_free(im, FZ_ETH_LEN + csum);
	im->l4_sum = im->l4_addrs = true;
}

/* Sum of what the transport checksum covers that can change. */
static __u16 l4_sum(const __u8 *frame, const struct fz_expect *e,
		    bool addrs)
{
	const __u8 *ip = frame + FZ_ETH_LEN;
	__u32 s = fz_sum(ip + e->l4_off, e->l3_len - e->l4_off, 0);
	__u16 v;

	if (addrs)
		s = fz_sum(ip + (e->v6 ? 8 : 12), e->v6 ? 32 : 8, s);
	v = fz_fold(s);
	return v ? v : 0xffff;	/* one's complement: +0 is -0 */
}

/* 0 if @out is @im, else the first differing offset + 1. */
static size_t image_diff(const struct image *im, const __u8 *out,
			 size_t out_len)
{
	if (out_len != im->len)
		return (out_len < im->len ? out_len : im->len) + 1;
	for (size_t i = 0; i < im->len; i++)
		if (!is_free(im, i) && out[i] != im->b[i])
			return i + 1;
	return 0;
}

/* The checksums the image left free are right. */
static const char *image_sums(const struct image *im, const __u8 *in,
			      const __u8 *out, const struct fz_expect *e)
{
	const __u8 *ip = out + FZ_ETH_LEN;

	if (is_free(im, FZ_ETH_LEN + 10) &&
	    fz_fold(fz_sum(ip, (ip[0] & 15) * 4, 0)) != 0xffff)
		return "IPv4 header checksum invalid";
	if (im->l4_sum && l4_sum(in, e, im->l4_addrs) !=
			  l4_sum(out, e, im->l4_addrs))
		return "transport checksum not updated to match";
	return NULL;
}

static int report(FILE *diag, const char *what, const struct image *im,
		  const __u8 *out, size_t out_len, size_t at)
{
	fprintf(diag, "#   %s: ", what);
	if (out_len != im->len)
		fprintf(diag, "length %zu, expected %zu\n", out_len, im->len);
	else
		fprintf(diag, "byte %zu is %02x, expected %02x\n", at - 1,
			out[at - 1], im->b[at - 1]);
	return 1;
}

/* @out must be one of @n images; reports against the first. */
static int match_images(FILE *diag, const char *what, struct image *ims,
			int n, const __u8 *in, const __u8 *out, size_t out_len,
			const struct fz_expect *e)
{
	size_t first = 0;
	const char *sums = NULL;

	for (int i = 0; i < n; i++) {
		size_t at = image_diff(&ims[i], out, out_len);

		if (!at) {
			sums = image_sums(&ims[i], in, out, e);
			if (!sums)
				return 0;
		}
		if (i == 0)
			first = at;
	}
	if (sums) {
		fprintf(diag, "#   %s: %s\n", what, sums);
		return 1;
	}
	return report(diag, what, &ims[0], out, out_len, first);
}

static struct image images[2];

/* A NAT backend's reply, its source the VIP's again. */
static void image_reply(struct image *im, const struct fz_expect *e)
{
	const struct fz_vip *v = e->reply_vip;

	image_nat(im, e, 0, v->bin, v->port);
}

int fz_check(const __u8 *in, size_t in_len, const struct fz_expect *e,
	     int action, const __u8 *out,
	     size_t out_len, FILE *diag)
{
	int errors = 0, n = 1;

	if (action < 0 || action > XDP_REDIRECT || !(e->may & BIT(action))) {
		fprintf(diag, "#   %s, but the model allows none (%s)\n",
			act(action), e->why);
		return 1;
	}
	if (e->must >= 0 && action != e->must) {
		fprintf(diag, "#   %s, but the model says %s (%s)\n",
			act(action), act(e->must), e->why);
		errors++;
	}
	if (out_len != in_len) {
		fprintf(diag, "#   %s: length %zu, expected %zu\n", act(action),
			out_len, in_len);
		return errors + 1;
	}
	image_init(&images[0], in, in_len);
	switch (action) {
	case XDP_PASS:
	case XDP_DROP:
		if (e->reply_vip && e->l3) {
			images[1] = images[0];
			image_reply(&images[1], e);
			n = 2;
		}
		errors += match_images(diag, "frame handed on changed", images,
				       n, in, out, out_len, e);
		break;
	case XDP_REDIRECT:
		image_macs(&images[0], e->egress->peer_mac, e->egress->mac);
		image_hop(&images[0], e);
		if (e->reply_vip) {
			images[1] = images[0];
			image_reply(&images[1], e);
			n = 2;
		}
		errors += match_images(diag, "forwarded frame", images, n, in,
				       out, out_len, e);
		break;
	case XDP_TX: {
		const struct fz_vip *v = e->vip;
		bool icmp = e->l4_proto == (e->v6 ? IPPROTO_ICMPV6 :
						    IPPROTO_ICMP);

		image_macs(&images[0], v->be->mac, in);
		if (v->nat) {
			image_hop(&images[0], e);
			if (icmp) {
				/* The quoted packet is rewritten too: check
				 * the outer header here, the sum below. */
				images[0].len = FZ_ETH_LEN +
					(e->v6 ? 40 : (in[FZ_ETH_LEN] & 15) * 4);
				image_nat(&images[0], e, 1, v->be->bin, 0);
				out_len = images[0].len;
			} else {
				image_nat(&images[0], e, 1, v->be->bin,
					  v->be->port);
			}
		}
		errors += match_images(diag, "frame to the backend", images, 1,
				       in, out, out_len, e);
		if (v->nat && icmp && e->l4_off >= 0 &&
		    l4_sum(in, e, e->v6) != l4_sum(out, e, e->v6)) {
			fprintf(diag, "#   ICMP checksum not updated to match\n");
			errors++;
		}
		break;
	}
	default:
		break;
	}
	return errors;
}
