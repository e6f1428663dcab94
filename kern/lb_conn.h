/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Backend choice: the connection table first, Maglev for new flows.
 *
 * An entry pins a flow (as the client sent it) to a backend id and that
 * id's gen. It stays valid while the gen is the same (the id was not given
 * to another backend), the backend is not DOWN, and the flow is not idle
 * for longer than its timeout; otherwise the flow is a new one again and
 * Maglev picks, which for an unchanged ring is the same backend. DRAIN
 * backends keep their entries: that is what draining means.
 *
 * NAT flows have a second entry, keyed by the reply's tuple (backend ->
 * client), flagged XR_CONN_F_REPLY, naming the VIP to restore. The two
 * share their fate: RST deletes both, FIN marks both CLOSING, and a packet
 * either way keeps both alive, so that a flow busy in one direction only
 * does not lose the other.
 *
 * Table type (xr_lb_conns). Measured with fixture_runner --bench (1M
 * test runs of one packet, medians of 5 interleaved runs, ns per packet
 * including ~42 ns of test_run itself; kernel 6.18, 2 CPUs):
 *
 *                           DSR hit  DSR new  NAT hit  NAT new  NAT reply
 *   LRU_HASH                  132      138      142      145      207
 *   LRU_HASH, NO_COMMON_LRU   136      137      145      143      198
 *   LRU_PERCPU_HASH           136      140      142      146      201
 *
 * No difference a single CPU can show: a hit is a hash lookup either way,
 * and the insert's cost is the same while the free lists are not
 * contended. What differs is correctness and capacity. A per-CPU value is
 * invisible to the other CPUs: a NAT flow's two directions have different
 * tuples, so RSS delivers them on different CPUs and the reply would never
 * find its entry; and a flow moved to another CPU (RSS indirection change,
 * cpumap) would be re-hashed, breaking it if the ring changed meanwhile.
 * NO_COMMON_LRU keeps one table but splits the entries into per-CPU LRU
 * lists, so with RSS spreading flows unevenly a busy CPU evicts live flows
 * while others have room. The common LRU's cost is a shared lock taken
 * when a CPU's local free list runs dry (once per batch of inserts), paid
 * by new flows only. Shared LRU_HASH it is.
 */
#ifndef XR_LB_CONN_H
#define XR_LB_CONN_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lb_parse.h"
#include "xdp_router_lb_hash.h"
#include "xdp_router_maps.bpf.h"

/* Load-time knobs: idle timeouts in seconds (IPVS's defaults). */
const volatile __u32 xr_lb_tcp_timeout = 900;	/* established TCP */
const volatile __u32 xr_lb_udp_timeout = 300;
const volatile __u32 xr_lb_closing_timeout = 10;	/* after a FIN */

#define NSEC_PER_SEC 1000000000ULL
/*
 * An entry's last_seen_ns is written at most once a second: a timeout is
 * never that precise, and a write per packet would make every CPU that
 * sees the flow fight for the entry's cache line.
 */
#define LB_TOUCH_NS NSEC_PER_SEC

/*
 * CLOCK_MONOTONIC at the last tick: timeouts are seconds, so a tick's
 * precision is plenty, and it costs a load where bpf_ktime_get_ns() reads
 * the TSC (~20 ns of the LB's ~95 per packet under KVM).
 */
static __always_inline __u64 lb_now(void)
{
	return bpf_ktime_get_coarse_ns();
}

static __always_inline int conn_expired(const struct xr_lb_conn *c,
					__u8 proto, __u64 now)
{
	__u32 t = c->flags & XR_CONN_F_CLOSING ? xr_lb_closing_timeout :
		  proto == IPPROTO_TCP ? xr_lb_tcp_timeout : xr_lb_udp_timeout;

	/* Signed: another CPU may have stamped it a little after our now. */
	return (__s64)(now - c->last_seen_ns) > (__s64)((__u64)t * NSEC_PER_SEC);
}

/* The backend behind @id if it is the one of generation @gen. */
static __always_inline const struct xr_backend *backend_of(__u32 id,
							   __u32 gen)
{
	const struct xr_backend *be = bpf_map_lookup_elem(&xr_lb_backends,
							  &id);

	if (!be || !be->gen || be->gen != gen)
		return NULL;
	return be;
}

/* NAT rewrites the IP header: it needs a backend of the packet's family. */
static __always_inline int backend_fits(const struct xr_backend *be,
					const struct xr_vip *vip,
					const struct lb_pkt *pk)
{
	return vip->mode != XR_LB_NAT || be->family == pk->key.family;
}

/*
 * The backend Maglev gives a new flow of VIP @vip_id, or 0. The control
 * plane puts only backends that take new flows in a ring; that is checked
 * again here, so that a ring not rebuilt yet never sends a new flow to a
 * backend that is going away.
 */
static __always_inline __u32 maglev_pick(const struct lb_pkt *pk,
					 const struct xr_vip *vip,
					 const struct xr_backend **bep)
{
	const struct xr_backend *be;
	__u32 idx, *id;

	if (vip->id >= XR_LB_MAX_VIPS)	/* id * RING must not wrap */
		return 0;
	idx = vip->id * XR_LB_RING_SIZE + xr_lb_slot(&pk->key);
	id = bpf_map_lookup_elem(&xr_lb_rings, &idx);
	if (!id || !*id)
		return 0;
	be = bpf_map_lookup_elem(&xr_lb_backends, id);
	if (!be || !be->gen || be->state != XR_BE_ACTIVE ||
	    !backend_fits(be, vip, pk))
		return 0;
	*bep = be;
	return *id;
}

/* The reply-direction key of a NAT flow going to @be. */
static __always_inline void conn_reply_key(const struct xr_flow_key *fwd,
					   const struct xr_backend *be,
					   struct xr_flow_key *rk)
{
	__builtin_memset(rk, 0, sizeof(*rk));
	__builtin_memcpy(rk->src, be->addr, sizeof(rk->src));
	__builtin_memcpy(rk->dst, fwd->src, sizeof(rk->dst));
	rk->sport = be->port ? be->port : fwd->dport;
	rk->dport = fwd->sport;
	rk->proto = fwd->proto;
	rk->family = fwd->family;
}

/* The client-direction key of a NAT reply to VIP @vk. */
static __always_inline void conn_forward_key(const struct xr_flow_key *rep,
					     const struct xr_vip_key *vk,
					     struct xr_flow_key *fk)
{
	__builtin_memset(fk, 0, sizeof(*fk));
	__builtin_memcpy(fk->src, rep->dst, sizeof(fk->src));
	__builtin_memcpy(fk->dst, vk->addr, sizeof(fk->dst));
	fk->sport = rep->dport;
	fk->dport = vk->port ? vk->port : rep->sport;
	fk->proto = rep->proto;
	fk->family = rep->family;
}

/*
 * What a packet of a known flow does to the entry @c (key @key) and, for
 * NAT, to its twin (key @twin): RST deletes both, FIN marks both CLOSING,
 * anything else keeps both alive.
 */
static __always_inline void conn_seen(struct xr_lb_conn *c,
				      const struct xr_flow_key *key,
				      const struct xr_flow_key *twin,
				      __u8 tcp_flags, __u64 now)
{
	struct xr_lb_conn *t;
	__u32 closing = 0;

	if (tcp_flags & LB_TCP_RST) {
		bpf_map_delete_elem(&xr_lb_conns, key);
		if (twin)
			bpf_map_delete_elem(&xr_lb_conns, twin);
		return;
	}
	if ((tcp_flags & LB_TCP_FIN) && !(c->flags & XR_CONN_F_CLOSING))
		closing = XR_CONN_F_CLOSING;
	else if (now - c->last_seen_ns < LB_TOUCH_NS)
		return;
	/* Plain stores: a lost update costs a second of idle time. */
	c->flags |= closing;
	c->last_seen_ns = now;
	if (!twin)
		return;
	t = bpf_map_lookup_elem(&xr_lb_conns, twin);
	if (t) {
		t->flags |= closing;
		t->last_seen_ns = now;
	}
}

/* Remembers a new flow; a RST (which ends it) only forgets a stale entry. */
static __always_inline void conn_store(const struct lb_pkt *pk,
				       const struct xr_vip *vip, __u32 id,
				       const struct xr_backend *be, int stale,
				       __u64 now)
{
	struct xr_lb_conn c = {
		.last_seen_ns = now,
		.backend = id,
		.backend_gen = be->gen,
		.vip = vip->id,
	};
	struct lb_scratch *s;

	if (pk->tcp_flags & LB_TCP_RST) {
		if (stale)
			bpf_map_delete_elem(&xr_lb_conns, &pk->key);
		return;
	}
	if (pk->tcp_flags & LB_TCP_FIN)
		c.flags = XR_CONN_F_CLOSING;
	bpf_map_update_elem(&xr_lb_conns, &pk->key, &c, BPF_ANY);
	s = lb_scratch();
	if (vip->mode != XR_LB_NAT || !s)
		return;
	conn_reply_key(&pk->key, be, &s->twin);
	c.flags |= XR_CONN_F_REPLY;
	bpf_map_update_elem(&xr_lb_conns, &s->twin, &c, BPF_ANY);
}

/*
 * The backend for a packet of VIP @vip: the flow's own if it has a valid
 * entry, else Maglev's (and the flow is remembered, unless @lookup_only).
 * Returns the backend id, 0 if none can take the flow.
 */
static __always_inline __u32 conn_select(const struct lb_pkt *pk,
					 const struct xr_vip *vip,
					 struct xr_vip_stats *vs,
					 int lookup_only,
					 const struct xr_backend **bep)
{
	__u64 now = lb_now();
	const struct xr_backend *be;
	struct xr_flow_key *twin = NULL;
	struct lb_scratch *s;
	struct xr_lb_conn *c;
	__u32 id;

	c = bpf_map_lookup_elem(&xr_lb_conns, &pk->key);
	if (c && c->vip == vip->id && !(c->flags & XR_CONN_F_REPLY) &&
	    !conn_expired(c, pk->key.proto, now)) {
		id = c->backend;
		be = backend_of(id, c->backend_gen);
		if (be && be->state != XR_BE_DOWN && backend_fits(be, vip, pk)) {
			if (vs)
				vs->conn_hit++;
			*bep = be;
			if (lookup_only)
				return id;
			s = lb_scratch();
			if (vip->mode == XR_LB_NAT && s) {
				twin = &s->twin;
				conn_reply_key(&pk->key, be, twin);
			}
			conn_seen(c, &pk->key, twin, pk->tcp_flags, now);
			return id;
		}
	}
	if (vs)
		vs->conn_miss++;
	id = maglev_pick(pk, vip, bep);
	if (id && !lookup_only)
		conn_store(pk, vip, id, *bep, !!c, now);
	return id;
}

/* The key of a fragmented datagram in xr_lb_frags. */
static __always_inline void frag_key(const struct lb_pkt *pk,
				     struct xr_flow_key *fk)
{
	*fk = pk->key;
	fk->sport = pk->frag_id >> 16;
	fk->dport = pk->frag_id & 0xffff;
}

/*
 * A first fragment tells where the rest of its datagram goes: to backend
 * @id of VIP @vip_id, or (XR_CONN_F_REPLY) back to the client as VIP
 * @vip_id. No timeout: a later datagram with the same id overwrites it.
 */
static __always_inline void frag_remember(const struct lb_pkt *pk,
					  __u32 vip_id, __u32 id, __u32 gen,
					  __u32 flags)
{
	struct xr_lb_conn c = {
		.backend = id,
		.backend_gen = gen,
		.vip = vip_id,
		.flags = flags,
	};
	struct lb_scratch *s;

	if (pk->frag != LB_FRAG_FIRST)
		return;
	s = lb_scratch();
	if (!s)
		return;
	frag_key(pk, &s->frag);
	bpf_map_update_elem(&xr_lb_frags, &s->frag, &c, BPF_ANY);
}

#endif /* XR_LB_CONN_H */
