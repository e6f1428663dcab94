// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Random frames for the packet fuzzer (fuzz_gen.h). A frame is built well
 * formed first, from choices weighted towards the network's interesting
 * addresses (routes, VIPs, NAT backends, martians), every header kind the
 * router parses (VLAN tags, IPv4 options and fragments, IPv6 extension
 * header chains, TCP/UDP/ICMP of all sizes, PMTU errors quoting a VIP's
 * flow, NAT replies), then about a third of the frames are mutated:
 * truncated, padded, bits flipped, lengths and IHL rewritten, checksums
 * broken (and sometimes fixed again, to get past the checksum test).
 */

#include <arpa/inet.h>
#include <string.h>
#include <linux/in.h>
#include "fuzz_gen.h"
#include "fuzz_model.h"

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* ---- flows ------------------------------------------------------------- */

struct flow {
	bool v6;
	__u8 src[16], dst[16];
	__u8 proto;
	__u16 sport, dport;
};

static void addr(struct fz_rng *r, struct flow *f, __u8 *out,
		 const char *const *pool, unsigned int pool_percent)
{
	if (fz_chance(r, pool_percent))
		inet_pton(f->v6 ? AF_INET6 : AF_INET, fz_pick(r, pool), out);
	else
		fz_fill(r, out, f->v6 ? 16 : 4);
}

/* Clients: the first three of each source pool. */
static void client(struct fz_rng *r, struct flow *f, __u8 *out)
{
	const char *const *pool = f->v6 ? fz_v6_src_pool : fz_v4_src_pool;

	inet_pton(f->v6 ? AF_INET6 : AF_INET, pool[fz_below(r, 3)], out);
}

static const struct fz_vip *vip_of(struct fz_rng *r, bool v6, bool nat)
{
	const struct fz_vip *v;

	for (int tries = 0; tries < 64; tries++) {
		v = &fz_vips[fz_below(r, fz_n_vips)];
		if ((v->family == AF_INET6) == v6 && (!nat || v->nat))
			return v;
	}
	return NULL;
}

static __u8 random_proto(struct fz_rng *r, bool v6)
{
	static const __u8 others[] = { 0, 2, 47, 50, 51, 132, 255, 4, 41 };
	__u32 x = fz_below(r, 100);

	if (x < 35)
		return IPPROTO_TCP;
	if (x < 65)
		return IPPROTO_UDP;
	if (x < 85)
		return v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	if (x < 95)
		return others[fz_below(r, sizeof(others))];
	return fz_next(r);
}

static __u16 port(struct fz_rng *r, const __u16 *pool, int n)
{
	return fz_chance(r, 75) ? pool[fz_below(r, n)] : fz_next(r);
}

static void make_flow(struct fz_rng *r, struct flow *f, bool reply)
{
	const struct fz_vip *v;
	__u32 kind = fz_below(r, 100);

	if (reply && (v = vip_of(r, f->v6, true))) {
		/* A NAT backend's answer to one of the VIP's clients. */
		memcpy(f->src, v->be->bin, f->v6 ? 16 : 4);
		client(r, f, f->dst);
		f->proto = fz_chance(r, 90) ? v->proto : random_proto(r, f->v6);
		f->sport = v->be->port ? v->be->port :
			   v->port ? v->port : port(r, fz_vip_ports,
						     fz_n_vip_ports);
		f->dport = port(r, fz_client_ports, fz_n_client_ports);
		return;
	}
	if (kind < 30 && (v = vip_of(r, f->v6, false))) {
		memcpy(f->dst, v->bin, f->v6 ? 16 : 4);
		client(r, f, f->src);
		f->proto = fz_chance(r, 85) ? v->proto : random_proto(r, f->v6);
		f->dport = v->port && fz_chance(r, 80) ?
			   v->port : port(r, fz_vip_ports, fz_n_vip_ports);
		f->sport = port(r, fz_client_ports, fz_n_client_ports);
		return;
	}
	addr(r, f, f->dst, f->v6 ? fz_v6_dst_pool : fz_v4_dst_pool, 90);
	addr(r, f, f->src, f->v6 ? fz_v6_src_pool : fz_v4_src_pool, 80);
	f->proto = random_proto(r, f->v6);
	f->sport = port(r, fz_client_ports, fz_n_client_ports);
	f->dport = port(r, fz_vip_ports, fz_n_vip_ports);
}

/* ---- transport --------------------------------------------------------- */

static size_t payload_size(struct fz_rng *r, size_t headers, size_t room)
{
	static const size_t edges[] = { 1280, 1500 };
	__u32 x = fz_below(r, 100);
	size_t n;

	if (x < 45)
		n = fz_below(r, 64);
	else if (x < 70)
		n = fz_below(r, 600);
	else if (x < 85) {
		size_t target = edges[fz_below(r, 2)] + fz_below(r, 9) - 4;

		n = target > headers ? target - headers : 0;
	} else if (x < 95)
		n = fz_below(r, 1500);
	else
		n = fz_below(r, room + 1);
	return n < room ? n : room;
}

/* Pseudo-header sum of a transport segment of @len bytes. */
static __u32 pseudo(const struct flow *f, size_t len, __u8 proto)
{
	size_t alen = f->v6 ? 16 : 4;
	__u32 s = fz_sum(f->src, alen, 0);

	s = fz_sum(f->dst, alen, s);
	return s + (__u32)(len >> 16) + (__u32)(len & 0xffff) + proto;
}

static void set_csum(__u8 *p, __u32 sum)
{
	put16(p, ~fz_fold(sum) & 0xffff);
}

/* An IP packet quoted by an ICMP error: about the reverse of @f. */
static size_t quote(struct fz_rng *r, const struct flow *f, __u8 *q,
		    size_t room)
{
	size_t hl = f->v6 ? 40 : 20, n = hl + 8;
	__u8 proto = fz_chance(r, 50) ? IPPROTO_TCP : IPPROTO_UDP;

	if (room < n)
		return 0;
	memset(q, 0, n);
	if (f->v6) {
		q[0] = 0x60;
		put16(q + 4, 8 + fz_below(r, 1400));
		q[6] = proto;
		q[7] = 64;
		memcpy(q + 8, f->dst, 16);	/* the VIP sent it */
		memcpy(q + 24, f->src, 16);
	} else {
		q[0] = 0x45;
		put16(q + 2, 28 + fz_below(r, 1400));
		q[8] = 64;
		q[9] = proto;
		memcpy(q + 12, f->dst, 4);
		memcpy(q + 16, f->src, 4);
		set_csum(q + 10, fz_sum(q, 20, 0));
	}
	put16(q + hl, f->dport);	/* the VIP's port */
	put16(q + hl + 2, f->sport);
	fz_fill(r, q + hl + 4, 4);
	if (fz_chance(r, 20)) {	/* a longer quote */
		size_t more = fz_below(r, room - n + 1);

		fz_fill(r, q + n, more);
		n += more;
	}
	return n;
}

static size_t icmp(struct fz_rng *r, const struct flow *f, __u8 *p,
		   size_t room)
{
	static const __u8 nd[] = { 133, 134, 135, 136, 137 };
	__u32 x = fz_below(r, 100);
	size_t n = 8;

	if (room < 8)
		return 0;
	fz_fill(r, p, 8);
	p[2] = p[3] = 0;
	if (x < 40) {
		p[0] = f->v6 ? 128 : 8;			/* echo request */
		p[1] = 0;
	} else if (x < 70) {
		p[0] = f->v6 ? 2 : 3;			/* PMTU error */
		p[1] = f->v6 ? 0 : 4;
		memset(p + 4, 0, 4);
		put16(p + 6, 1280);
		n += quote(r, f, p + 8, room - 8);
	} else if (x < 80 && f->v6) {
		p[0] = nd[fz_below(r, sizeof(nd))];
		p[1] = 0;
	} else {
		p[0] = fz_next(r);
	}
	if (n == 8) {
		size_t more = payload_size(r, 8, room - 8);

		fz_fill(r, p + 8, more);
		n += more;
	}
	if (f->v6)
		set_csum(p + 2, fz_sum(p, n, pseudo(f, n, IPPROTO_ICMPV6)));
	else
		set_csum(p + 2, fz_sum(p, n, 0));
	return n;
}

/* The transport header and payload of @f at @p; returns their size. */
static size_t transport(struct fz_rng *r, const struct flow *f, __u8 proto,
			__u8 *p, size_t room, size_t headers)
{
	size_t hl, n;

	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6)
		return icmp(r, f, p, room);
	if (proto == IPPROTO_TCP) {
		hl = fz_chance(r, 80) ? 20 : 20 + 4 * fz_below(r, 11);
		if (room < hl)
			return 0;
		fz_fill(r, p, hl);
		put16(p, f->sport);
		put16(p + 2, f->dport);
		p[12] = hl / 4 << 4;
		p[16] = p[17] = 0;
		n = hl + payload_size(r, headers + hl, room - hl);
		fz_fill(r, p + hl, n - hl);
		if (fz_chance(r, 95))
			set_csum(p + 16, fz_sum(p, n, pseudo(f, n, proto)));
		return n;
	}
	if (proto == IPPROTO_UDP) {
		if (room < 8)
			return 0;
		n = 8 + payload_size(r, headers + 8, room - 8);
		put16(p, f->sport);
		put16(p + 2, f->dport);
		put16(p + 4, n);
		p[6] = p[7] = 0;
		fz_fill(r, p + 8, n - 8);
		if (fz_chance(r, f->v6 ? 97 : 90))
			set_csum(p + 6, fz_sum(p, n, pseudo(f, n, proto)));
		return n;
	}
	n = payload_size(r, headers, room);
	fz_fill(r, p, n);
	return n;
}

/* ---- IP ---------------------------------------------------------------- */

static __u8 ttl(struct fz_rng *r)
{
	static const __u8 ttls[] = { 0, 1, 2, 3, 64, 64, 64, 128, 255 };

	return fz_chance(r, 90) ? ttls[fz_below(r, sizeof(ttls))] : fz_next(r);
}

static size_t v4_options(struct fz_rng *r, __u8 *o)
{
	switch (fz_below(r, 4)) {
	case 0:		/* NOP NOP NOP EOL */
		memcpy(o, "\x01\x01\x01\x00", 4);
		return 4;
	case 1:		/* router alert */
		memcpy(o, "\x94\x04\x00\x00", 4);
		return 4;
	case 2: {	/* record route, room for 2..9 addresses */
		size_t n = 2 + fz_below(r, 8), len = 3 + 4 * n;

		memset(o, 0, 40);
		o[0] = 7;
		o[1] = len;
		o[2] = 4;
		return (len + 3) & ~3UL;
	}
	default: {
		size_t len = 4 * (1 + fz_below(r, 10));

		fz_fill(r, o, len);
		return len;
	}
	}
}

static __u16 v4_frag(struct fz_rng *r)
{
	__u32 x = fz_below(r, 100);

	if (x < 75)
		return 0;
	if (x < 83)
		return 0x4000;				/* DF */
	if (x < 89)
		return 0x2000;				/* first of several */
	if (x < 95)
		return (fz_chance(r, 50) ? 0x2000 : 0) |
		       (1 + fz_below(r, 0x1fff));	/* a later one */
	return fz_next(r);
}

static size_t ipv4(struct fz_rng *r, const struct flow *f, __u8 *ip,
		   size_t room)
{
	size_t hl = 20, n;

	if (room < 60)
		return 0;
	memset(ip, 0, 20);
	if (fz_chance(r, 12))
		hl += v4_options(r, ip + 20);
	ip[0] = 0x40 | hl / 4;
	ip[1] = fz_chance(r, 20) ? fz_next(r) : 0;
	put16(ip + 4, fz_next(r));
	put16(ip + 6, v4_frag(r));
	ip[8] = ttl(r);
	ip[9] = f->proto;
	memcpy(ip + 12, f->src, 4);
	memcpy(ip + 16, f->dst, 4);
	n = hl + transport(r, f, f->proto, ip + hl, room - hl, hl);
	put16(ip + 2, n);
	set_csum(ip + 10, fz_sum(ip, hl, 0));
	return n;
}

/* One extension header at @h of type @type; its next header is @next. */
static size_t v6_ext(struct fz_rng *r, __u8 type, __u8 next, __u8 *h,
		     size_t room)
{
	size_t len = type == IPPROTO_FRAGMENT ? 8 : 8 * (1 + fz_below(r, 3));

	if (room < len)
		return 0;
	memset(h, 0, len);
	h[0] = next;
	if (type == IPPROTO_FRAGMENT) {
		__u32 x = fz_below(r, 3);

		/* first of several, a later one, or atomic */
		put16(h + 2, x == 0 ? 1 : x == 1 ? (1 + fz_below(r, 0x1fff)) << 3 |
						      fz_below(r, 2) : 0);
		fz_fill(r, h + 4, 4);
		return len;
	}
	h[1] = len / 8 - 1;
	if (type == IPPROTO_ROUTING) {
		h[2] = fz_below(r, 5);				/* type */
		h[3] = fz_chance(r, 70) ? 0 : 1 + fz_below(r, 3);	/* left */
		fz_fill(r, h + 4, len - 4);
	} else {	/* options: one PadN filling the header */
		h[2] = 1;
		h[3] = len - 4;
	}
	return len;
}

static __u8 ext_type(struct fz_rng *r, bool first)
{
	static const __u8 types[] = { IPPROTO_DSTOPTS, IPPROTO_ROUTING,
				      IPPROTO_FRAGMENT };

	if (fz_chance(r, first ? 30 : 5))
		return IPPROTO_HOPOPTS;
	return types[fz_below(r, sizeof(types))];
}

static size_t ipv6(struct fz_rng *r, const struct flow *f, __u8 *ip,
		   size_t room)
{
	__u8 chain[4], *nh = ip + 6;
	int n_ext = fz_chance(r, 25) ? 1 + fz_below(r, 4) : 0;
	size_t off = 40;

	if (room < 80)
		return 0;
	memset(ip, 0, 40);
	ip[0] = 0x60 | (fz_chance(r, 20) ? fz_below(r, 16) : 0);
	if (fz_chance(r, 20))
		fz_fill(r, ip + 1, 3);
	ip[0] = 0x60 | (ip[0] & 15);
	ip[7] = ttl(r);
	memcpy(ip + 8, f->src, 16);
	memcpy(ip + 24, f->dst, 16);
	for (int i = 0; i < n_ext; i++)
		chain[i] = ext_type(r, i == 0);
	for (int i = 0; i < n_ext; i++) {
		size_t len;

		*nh = chain[i];
		len = v6_ext(r, chain[i], f->proto, ip + off, room - off);
		if (!len) {
			*nh = f->proto;
			break;
		}
		nh = ip + off;
		off += len;
	}
	*nh = f->proto;
	off += transport(r, f, f->proto, ip + off, room - off, off);
	put16(ip + 4, off - 40);
	return off;
}

/* ---- Ethernet and mutations -------------------------------------------- */

static void dest_mac(struct fz_rng *r, const struct fz_link *in, __u8 *mac)
{
	static const __u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const __u8 mcast[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	static const __u8 other[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	__u32 x = fz_below(r, 100);

	if (x < 88)
		memcpy(mac, in->mac, 6);
	else if (x < 91)
		memcpy(mac, bcast, 6);
	else if (x < 94)
		memcpy(mac, mcast, 6);
	else if (x < 97)
		memcpy(mac, other, 6);
	else
		fz_fill(r, mac, 6);
}

/* Ethertype and tags; returns the offset of the L3 header. */
static size_t l2(struct fz_rng *r, __u8 *f, __u16 type)
{
	static const __u16 odd[] = { 0x0806, 0x88cc, 0x8847, 0x86de, 0x0801,
				     0x0000, 0xffff, 0x0600 };
	__u32 x = fz_below(r, 100);

	if (x < 5) {				/* 802.1Q */
		put16(f + 12, 0x8100);
		put16(f + 14, fz_next(r));
		put16(f + 16, type);
		return 18;
	}
	if (x < 8) {				/* QinQ */
		put16(f + 12, 0x88a8);
		put16(f + 14, fz_next(r));
		put16(f + 16, 0x8100);
		put16(f + 18, fz_next(r));
		put16(f + 20, type);
		return 22;
	}
	if (x < 12)
		type = fz_chance(r, 70) ? odd[fz_below(r, 8)] : fz_next(r);
	put16(f + 12, type);
	return 14;
}

static void mutate(struct fz_rng *r, __u8 *f, size_t *len, size_t cap,
		   size_t l3, bool v6)
{
	__u8 *ip = f + l3;
	bool have_ip = *len >= l3 + (v6 ? 40 : 20);

	switch (fz_below(r, 7)) {
	case 0:		/* truncated */
		*len = FZ_ETH_LEN + fz_below(r, *len - FZ_ETH_LEN + 1);
		break;
	case 1: {	/* trailing bytes: padding, or more than the MTU */
		size_t more = fz_below(r, fz_chance(r, 80) ? 64 : 1500);

		if (*len + more > cap)
			more = cap - *len;
		fz_fill(r, f + *len, more);
		*len += more;
		break;
	}
	case 2: {	/* bits flipped, mostly in the headers */
		size_t span = fz_chance(r, 70) && *len > 80 ? 80 : *len;

		__u8 bits = fz_chance(r, 50) ? 1u << fz_below(r, 8) : fz_next(r);

		f[fz_below(r, span)] ^= bits;
		break;
	}
	case 3:		/* IP length */
		if (!have_ip)
			break;
		{
			__u8 *p = ip + (v6 ? 4 : 2);
			__u16 v = p[0] << 8 | p[1];

			put16(p, fz_chance(r, 50) ? fz_next(r) :
				 v + fz_below(r, 33) - 16);
		}
		break;
	case 4:		/* IHL, version */
		if (!have_ip)
			break;
		if (!v6 && fz_chance(r, 70))
			ip[0] = (ip[0] & 0xf0) | fz_below(r, 16);
		else
			ip[0] = (ip[0] & 0x0f) | fz_below(r, 16) << 4;
		break;
	case 5:		/* IPv4 header checksum */
		if (have_ip && !v6)
			ip[10] ^= 1 + fz_below(r, 255);
		break;
	default:	/* IPv6 next header / IPv4 protocol */
		if (have_ip)
			ip[v6 ? 6 : 9] = fz_next(r);
		break;
	}
}

/* Recomputes a mutated IPv4 header's checksum: on to the next check. */
static void fix_v4_csum(__u8 *f, size_t len, size_t l3)
{
	__u8 *ip = f + l3;
	size_t hl;

	if (len < l3 + 20 || ip[0] >> 4 != 4)
		return;
	hl = (ip[0] & 15) * 4;
	if (hl < 20 || len < l3 + hl)
		return;
	ip[10] = ip[11] = 0;
	set_csum(ip + 10, fz_sum(ip, hl, 0));
}

size_t fz_frame(struct fz_rng *r, __u8 *f, size_t cap, __u32 *ingress)
{
	int n_in;
	const struct fz_link *links = fz_ingress_links(&n_in);
	bool reply = fz_chance(r, 8);
	const struct fz_link *in = reply || fz_chance(r, 85) ?
				   &links[0] : &links[1 + fz_below(r, n_in - 1)];
	struct flow fl = { .v6 = fz_chance(r, 45) };
	size_t l3, len;

	*ingress = in->ifindex;
	dest_mac(r, in, f);
	fz_fill(r, f + 6, 6);
	f[6] &= 0xfe;		/* a unicast source */
	l3 = l2(r, f, fl.v6 ? 0x86dd : 0x0800);
	make_flow(r, &fl, reply);
	len = l3 + (fl.v6 ? ipv6(r, &fl, f + l3, cap - l3) :
			    ipv4(r, &fl, f + l3, cap - l3));
	if (len < FZ_ETH_LEN)
		len = FZ_ETH_LEN;
	if (fz_chance(r, 35)) {
		int n = 1 + fz_below(r, 3);

		for (int i = 0; i < n; i++)
			mutate(r, f, &len, cap, l3, fl.v6);
		if (fz_chance(r, 50))
			fix_v4_csum(f, len, l3);
	}
	return len;
}
