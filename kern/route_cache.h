/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The route cache: per CPU, two-way set-associative, exact-match, in front
 * of bpf_fib_lookup() (fib lookup mode). It remembers successful answers
 * only (egress, MACs, for a source the source check accepted); every other
 * answer (no neighbour, unreachable, local, fragmentation needed, a source
 * refused, ...) is asked of the FIB on every packet.
 *
 * Exact, not approximate:
 * - the key holds every input that can change the answer (route_epoch.h
 *   says when ports and protocol can), compared in full;
 * - an entry is valid only in the epoch it was stored in, read *before* the
 *   lookup that filled it (a change during the lookup makes it stale at
 *   once), and only answers of a settled epoch are stored (route_epoch.h);
 * - the MTU check stays exact: an entry remembers the longest IP packet the
 *   lookup accepted, and a longer one asks the FIB, which may answer
 *   FRAG_NEEDED;
 * - so does the source check (kern/source_check.h): an entry remembers the
 *   ingress interface's settings it was made under, sysctls that no
 *   counter follows, and serves only packets that meet the same.
 * A CPU's slots are only touched by program runs on that CPU, which never
 * nest (NAPI, or a cpumap kthread with bottom halves off).
 */
#ifndef XR_ROUTE_CACHE_H
#define XR_ROUTE_CACHE_H

#include <linux/bpf.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include "lookup.h"
#include "parse.h"
#include "route_epoch.h"
#include "xdp_router_maps.bpf.h"

/* Load-time knob: slots per CPU and family, a power of two; 0: no cache. */
const volatile __u32 xr_rc_slots = XR_ROUTE_CACHE_DEFAULT;

/* A multiply-fold hash: the product's high half depends on every input
 * bit, and the fold brings it down to the slot index's low bits. */
static __always_inline __u64 rc_mix(__u64 h, __u64 w)
{
	h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
	return h;
}

static __always_inline __u32 rc_fold(__u64 h)
{
	h *= 0x9E3779B97F4A7C15ULL;
	return (h >> 32) ^ h;
}

/*
 * The thrash guard: over each window of XR_RC_WINDOW probes that could
 * have hit (answers the FIB gave while the cache could store them), fewer
 * than half hits switch the family to sampling (route_epoch.h), half or
 * more switch it back. With 65536 destinations spread over a million
 * routes and 16384 slots, the probes and stores of a cache that almost
 * never hits cost ~10 % of the rate; sampled, a few tenths of that.
 */
#define XR_RC_WINDOW 256

static __always_inline void rc_window(struct xr_rc_state *f, int hit)
{
	f->win_hits += hit;
	if (++f->win_probes < XR_RC_WINDOW)
		return;
	f->sampling = f->win_hits * 2 < f->win_probes;
	f->win_probes = 0;
	f->win_hits = 0;
}

/* A matching entry's answer, if it covers this packet's length and its
 * source was checked under the ingress interface's current settings. */
static __always_inline int rc_answer_get(const struct xr_rc_answer *a,
					 const struct packet *p, __u8 src_conf,
					 struct next_hop *nh)
{
	if (p->l3_len > a->max_len || a->src_conf != src_conf)
		return 0;
	nh->ifindex = a->egress;
	__builtin_memcpy(nh->smac, a->smac, ETH_ALEN);
	__builtin_memcpy(nh->dmac, a->dmac, ETH_ALEN);
	return 1;
}

static __always_inline void rc_answer_set(struct xr_rc_answer *a,
					  const struct packet *p, __u8 src_conf,
					  const struct next_hop *nh)
{
	a->max_len = p->l3_len;
	a->src_conf = src_conf;
	a->egress = nh->ifindex;
	__builtin_memcpy(a->smac, nh->smac, ETH_ALEN);
	__builtin_memcpy(a->dmac, nh->dmac, ETH_ALEN);
}

/* Ways per set: two adjacent slots (and cache lines), so that two hot
 * keys whose hashes meet do not evict each other on every packet. */
#define RC_WAYS 2

struct rc_probe {
	struct rc_view v;
	__u8 src_conf;		/* source_check.h's stamp for this packet */
	void *slot;		/* where to store the answer; NULL: nowhere */
	int slot_valid;		/* it holds a valid answer (to evict) */
};

/*
 * A miss's slot for the answer: the first way holding nothing valid,
 * else a random one (random replacement does not thrash on the cyclic
 * patterns that defeat LRU).
 */
static __always_inline void rc_victim(struct rc_probe *pr, void *e,
				      __u32 epoch, __u32 way)
{
	if (epoch != pr->v.epoch) {
		if (!pr->slot || pr->slot_valid) {
			pr->slot = e;
			pr->slot_valid = 0;
		}
	} else if (!pr->slot ||
		   (pr->slot_valid && (bpf_get_prandom_u32() & 1))) {
		pr->slot = e;
		pr->slot_valid = 1;
	}
}

/*
 * The transport fields of a packet's key: zero where the family's ports
 * and protocol do not change the answer (route_epoch.h). IPv6 keys the
 * protocol always: its hash includes it.
 */
struct rc_l4 {
	__be16 sport;
	__be16 dport;
	__u8 proto;
};

static __always_inline struct rc_l4 rc_l4_of(const struct rc_probe *pr,
					     const struct packet *p,
					     const int is_v6)
{
	struct rc_l4 l4 = {};

	if (pr->v.l4_keyed) {
		l4.sport = p->sport;
		l4.dport = p->dport;
	}
	if (pr->v.l4_keyed || is_v6)
		l4.proto = p->l4_proto;
	return l4;
}

/* An entry of either family's cache. Both begin with the epoch, which
 * e->v4.epoch reads in either. */
union rc_entry {
	struct xr_rc_v4 v4;
	struct xr_rc_v6 v6;
};
_Static_assert(__builtin_offsetof(struct xr_rc_v4, epoch) == 0 &&
	       __builtin_offsetof(struct xr_rc_v6, epoch) == 0,
	       "the epoch first");

static __always_inline struct xr_rc_answer *rc_entry_answer(union rc_entry *e,
							    const int is_v6)
{
	return is_v6 ? &e->v6.answer : &e->v4.answer;
}

static __always_inline __u32 rc_hash_v4(const struct packet *p,
					__u32 ifindex, const struct rc_l4 *l4)
{
	const struct iphdr *iph = p->l3;

	return rc_fold(rc_mix(rc_mix((__u64)iph->saddr << 32 | iph->daddr,
				     (__u64)ifindex << 32 | iph->tos << 24 |
				     l4->proto << 16),
			      (__u64)l4->sport << 16 | l4->dport));
}

static __always_inline int rc_match_v4(const struct xr_rc_v4 *e,
				       __u32 ifindex, const struct packet *p,
				       const struct rc_l4 *l4)
{
	const struct iphdr *iph = p->l3;

	return e->daddr == iph->daddr && e->saddr == iph->saddr &&
	       e->ifindex == ifindex && e->tos == iph->tos &&
	       e->l4_proto == l4->proto && e->sport == l4->sport &&
	       e->dport == l4->dport;
}

static __always_inline void rc_key_set_v4(struct xr_rc_v4 *e, __u32 ifindex,
					  const struct packet *p,
					  const struct rc_l4 *l4)
{
	const struct iphdr *iph = p->l3;

	e->ifindex = ifindex;
	e->saddr = iph->saddr;
	e->daddr = iph->daddr;
	e->tos = iph->tos;
	e->l4_proto = l4->proto;
	e->sport = l4->sport;
	e->dport = l4->dport;
}

static __always_inline int rc_addr6_equal(const void *a, const void *b)
{
	const __u64 *x = a, *y = b;

	return !((x[0] ^ y[0]) | (x[1] ^ y[1]));
}

/* Traffic class and flow label. */
static __always_inline __be32 rc_flowinfo(const struct ipv6hdr *ip6h)
{
	return *(const __be32 *)ip6h & bpf_htonl(0x0FFFFFFF);
}

/* IPv6 keys are compared with the header in place (a key on the stack
 * would not fit beside the load balancer's). */
static __always_inline __u32 rc_hash_v6(const struct packet *p,
					__u32 ifindex, const struct rc_l4 *l4)
{
	const struct ipv6hdr *ip6h = p->l3;
	const __u64 *s = (const __u64 *)&ip6h->saddr;
	const __u64 *d = (const __u64 *)&ip6h->daddr;

	return rc_fold(rc_mix(rc_mix(rc_mix(rc_mix(d[1], d[0]), s[1]), s[0]),
			      (__u64)ifindex << 32 ^ rc_flowinfo(ip6h) ^
			      (__u64)l4->proto << 24 ^
			      ((__u64)l4->sport << 16 | l4->dport) << 40));
}

static __always_inline int rc_match_v6(const struct xr_rc_v6 *e,
				       __u32 ifindex, const struct packet *p,
				       const struct rc_l4 *l4)
{
	const struct ipv6hdr *ip6h = p->l3;

	return rc_addr6_equal(e->daddr, &ip6h->daddr) &&
	       rc_addr6_equal(e->saddr, &ip6h->saddr) &&
	       e->ifindex == ifindex && e->flowinfo == rc_flowinfo(ip6h) &&
	       e->l4_proto == l4->proto && e->sport == l4->sport &&
	       e->dport == l4->dport;
}

static __always_inline void rc_key_set_v6(struct xr_rc_v6 *e, __u32 ifindex,
					  const struct packet *p,
					  const struct rc_l4 *l4)
{
	const struct ipv6hdr *ip6h = p->l3;

	e->ifindex = ifindex;
	__builtin_memcpy(e->saddr, &ip6h->saddr, 16);
	__builtin_memcpy(e->daddr, &ip6h->daddr, 16);
	e->flowinfo = rc_flowinfo(ip6h);
	e->l4_proto = l4->proto;
	e->sport = l4->sport;
	e->dport = l4->dport;
}

/* The ways of the packet's set: 1 on a hit (@nh filled), else 0 with the
 * slot to store the answer in (rc_victim()). @is_v6 is a constant. */
static __always_inline int rc_lookup(struct rc_probe *pr, __u32 ifindex,
				     const struct packet *p, const int is_v6,
				     struct next_hop *nh)
{
	struct rc_l4 l4 = rc_l4_of(pr, p, is_v6);
	union rc_entry *e;
	__u32 idx;

	idx = is_v6 ? rc_hash_v6(p, ifindex, &l4) : rc_hash_v4(p, ifindex, &l4);
#pragma unroll
	for (__u32 way = 0; way < RC_WAYS; way++) {
		__u32 i = (idx & (xr_rc_slots - 1) & ~(RC_WAYS - 1)) | way;

		e = is_v6 ? bpf_map_lookup_elem(&xr_rc_v6, &i) :
			    bpf_map_lookup_elem(&xr_rc_v4, &i);
		if (!e)
			return 0;
		if (e->v4.epoch == pr->v.epoch &&
		    (is_v6 ? rc_match_v6(&e->v6, ifindex, p, &l4) :
			     rc_match_v4(&e->v4, ifindex, p, &l4))) {
			if (!rc_answer_get(rc_entry_answer(e, is_v6), p,
					   pr->src_conf, nh)) {
				pr->slot = e;	/* ask, then widen */
				return 0;
			}
			return 1;
		}
		rc_victim(pr, e, e->v4.epoch, way);
	}
	return 0;
}

/*
 * Looks the packet up. 1: a hit, @nh filled. 0: ask the FIB, then
 * route_cache_store() its successful answer.
 */
static __always_inline int route_cache_lookup(struct xdp_md *ctx,
					      struct rc_probe *pr,
					      const struct packet *p,
					      int is_v6, __u8 src_conf,
					      struct next_hop *nh)
{
	int hit;

	pr->src_conf = src_conf;
	pr->slot = NULL;
	pr->slot_valid = 0;
	if (!xr_rc_slots)
		return 0;
	route_epoch(ctx, is_v6, &pr->v);
	if (!pr->v.fam)
		return 0;
	/* Two calls with a constant family each: the compiler must not merge
	 * the two maps' lookups into one call (the verifier would no longer
	 * inline it). */
	hit = is_v6 ? rc_lookup(pr, ctx->ingress_ifindex, p, 1, nh) :
		      rc_lookup(pr, ctx->ingress_ifindex, p, 0, nh);
	/* Per-CPU: plain increments. */
	if (hit) {
		pr->v.fam->hits++;
		rc_window(pr->v.fam, 1);
	} else {
		pr->v.fam->misses++;
	}
	return hit;
}

static __always_inline void route_cache_store(struct xdp_md *ctx,
					      const struct rc_probe *pr,
					      const struct packet *p,
					      int is_v6,
					      const struct next_hop *nh)
{
	union rc_entry *e = pr->slot;
	struct rc_l4 l4;

	if (!e || !route_epoch_settled(&pr->v))
		return;
	l4 = rc_l4_of(pr, p, is_v6);
	e->v4.epoch = 0;	/* invalid while written */
	if (is_v6)
		rc_key_set_v6(&e->v6, ctx->ingress_ifindex, p, &l4);
	else
		rc_key_set_v4(&e->v4, ctx->ingress_ifindex, p, &l4);
	rc_answer_set(rc_entry_answer(e, is_v6), p, pr->src_conf, nh);
	e->v4.epoch = pr->v.epoch;
	pr->v.fam->stores++;
	rc_window(pr->v.fam, 0);
}

#endif /* XR_ROUTE_CACHE_H */
