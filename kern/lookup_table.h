/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Route lookup in the maps `xdp-router populate` mirrors from the kernel
 * (attach --lookup table): for where bpf_fib_lookup() is unavailable
 * (offload, user-space runtimes).
 *
 * Given the mirrored state it makes the decision bpf_fib_lookup() makes, in
 * the same order (net/core/filter.c, bpf_ipv{4,6}_fib_lookup()): ingress
 * forwarding, route, route type, ECMP member, MTU, neighbour. Each refusal
 * maps to the outcome fib mode gives for the same BPF_FIB_LKUP_RET_* code.
 */
#ifndef XR_LOOKUP_TABLE_H
#define XR_LOOKUP_TABLE_H

#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "flow_hash.h"
#include "lookup.h"
#include "parse.h"
#include "xdp_router_maps.bpf.h"

/*
 * FWD_DISABLED: bpf_fib_lookup() reads the ingress device's forwarding
 * sysctl. An interface the control plane has not configured (no entry, or
 * one the data plane created for another loader's attach) has no flags:
 * its packets go to the kernel, which knows.
 */
static __always_inline int table_ingress(const struct xr_iface *st, int is_v6)
{
	__u16 fwd = is_v6 ? XR_IFACE_F_FWD_V6 : XR_IFACE_F_FWD_V4;

	return st && (st->conf.flags & fwd) ? XR_CONTINUE : XR_PASS_NOT_FWDED;
}

/*
 * The IPv4 route of @daddr in the DIR-24-8 table (maps/xr_table.h): the
 * /24's entry, the group's entry if it points at one, then the leaf. All
 * three are array reads the verifier inlines. NULL: no route.
 */
static __always_inline const struct xr_route *table_route_v4(__be32 daddr)
{
	const struct xr_dir_block *b;
	const struct xr_dir_leaf *leaf;
	__u32 a = bpf_ntohl(daddr), key = a >> 16, e;

	b = bpf_map_lookup_elem(&xr_dir24_v4, &key);
	if (!b)
		return NULL;
	e = b->e[(a >> 8) & (XR_DIR_BLOCK - 1)];
	if (e & XR_DIR_F_EXT) {
		key = e & XR_DIR_ID_MASK;
		b = bpf_map_lookup_elem(&xr_dir8_v4, &key);
		if (!b)
			return NULL;
		e = b->e[a & (XR_DIR_BLOCK - 1)];
	}
	if (!(e & XR_DIR_F_VALID))
		return NULL;
	key = e & XR_DIR_ID_MASK;
	leaf = bpf_map_lookup_elem(&xr_dir_leaves_v4, &key);
	return leaf ? &leaf->rt : NULL;
}

static __always_inline const struct xr_route *
table_route(const struct packet *p, int is_v6)
{
	if (is_v6) {
		const struct ipv6hdr *ip6h = p->l3;
		struct xr_lpm_v6 key = { .prefixlen = 128 };

		__builtin_memcpy(key.addr, &ip6h->daddr, sizeof(key.addr));
		return bpf_map_lookup_elem(&xr_routes_v6, &key);
	}
	return table_route_v4(((const struct iphdr *)p->l3)->daddr);
}

/* No route at all is NOT_FWDED too (fib6_null_entry; -ENETUNREACH). */
static __always_inline int route_outcome(const struct xr_route *rt)
{
	if (!rt)
		return XR_PASS_NOT_FWDED;
	switch (rt->type) {
	case XR_RT_UNICAST:
		return XR_CONTINUE;
	case XR_RT_BLACKHOLE:
		return XR_DROP_BLACKHOLE;
	case XR_RT_UNREACHABLE:
	case XR_RT_PROHIBIT:
		return XR_PASS_UNREACHABLE;
	case XR_RT_LOCAL:
		return XR_PASS_NOT_FWDED;
	case XR_RT_KERNEL:	/* as bpf_fib_lookup()'s UNSUPP_LWT */
	default:	/* a zeroed or unknown entry: the kernel decides */
		return XR_PASS_UNSUPPORTED;
	}
}

/*
 * The route's nexthop id: for a group, as fib_select_multipath() and
 * fib6_select_path() do, the first member whose upper bound is not below
 * the flow's 31-bit hash, and the first member if none is (which the
 * kernel's bounds never allow, but a group mid-update could).
 */
static __always_inline int table_nexthop_id(const struct xr_route *rt,
					    const struct packet *p, int is_v6,
					    __u32 *id)
{
	const struct xr_nh_group *g;
	__u32 gid = rt->nh, hash;

	*id = rt->nh;
	if (!(rt->flags & XR_RT_F_GROUP))
		return 0;
	g = bpf_map_lookup_elem(&xr_nh_groups, &gid);
	if (!g || !g->count)
		return -1;
	hash = (is_v6 ? flow_hash_v6(p) : flow_hash_v4(p)) >> 1;
	*id = g->member[0].nh;
	for (__u32 i = 0; i < XR_ECMP_MAX; i++) {
		if (i >= g->count)
			break;
		if (hash <= g->member[i].upper) {
			*id = g->member[i].nh;
			break;
		}
	}
	return 0;
}

/*
 * ip_mtu_from_fib_result() / ip6_mtu_from_fib6(): the route's MTU where
 * the kernel uses it (populate writes it only then), else the egress
 * device's, against the IP length as bpf_fib_lookup()'s tot_len check:
 * what leaves is the IP packet alone (forward() trims the trailing bytes
 * of the frame, as the kernel does).
 */
static __always_inline int table_mtu_ok(const struct xr_route *rt,
					const struct xr_nexthop *nh,
					const struct packet *p)
{
	__u32 mtu = rt->mtu ? rt->mtu : nh->mtu;

	return p->l3_len <= mtu;
}

/*
 * The neighbour the kernel would look up: the gateway (of its own family,
 * which for an IPv4 route may be IPv6, RFC 5549), or the packet's
 * destination on-link. Absent means not NUD_VALID: NO_NEIGH.
 */
static __always_inline const struct xr_neigh *
table_neigh(const struct xr_nexthop *nh, const struct packet *p, int is_v6)
{
	struct xr_neigh_key key = { .ifindex = nh->ifindex };

	if (nh->flags & XR_NH_F_GATEWAY) {
		key.family = nh->gw_family;
		if (key.family == AF_INET6)
			__builtin_memcpy(key.addr, nh->gw, 16);
		else
			__builtin_memcpy(key.addr, nh->gw, 4);
	} else if (is_v6) {
		const struct ipv6hdr *ip6h = p->l3;

		key.family = AF_INET6;
		__builtin_memcpy(key.addr, &ip6h->daddr, 16);
	} else {
		const struct iphdr *iph = p->l3;

		key.family = AF_INET;
		__builtin_memcpy(key.addr, &iph->daddr, 4);
	}
	return bpf_map_lookup_elem(&xr_neigh, &key);
}

static __always_inline int lookup_table(const struct packet *p, int is_v6,
					const struct xr_iface *st,
					struct next_hop *out)
{
	const struct xr_nexthop *nh;
	const struct xr_route *rt;
	const struct xr_neigh *neigh;
	__u32 id;
	int outcome;

	outcome = table_ingress(st, is_v6);
	if (outcome != XR_CONTINUE)
		return outcome;
	rt = table_route(p, is_v6);
	outcome = route_outcome(rt);
	if (outcome != XR_CONTINUE)
		return outcome;
	/* A route to a nexthop or group populate has not written (yet, or
	 * any more): the maps disagree for a moment; the kernel knows. */
	if (table_nexthop_id(rt, p, is_v6, &id))
		return XR_PASS_UNSUPPORTED;
	nh = bpf_map_lookup_elem(&xr_nexthops, &id);
	if (!nh || !nh->ifindex)
		return XR_PASS_UNSUPPORTED;
	if (!table_mtu_ok(rt, nh, p))
		return XR_PASS_FRAG_NEEDED;
	neigh = table_neigh(nh, p, is_v6);
	if (!neigh)
		return XR_PASS_NO_NEIGH;

	out->ifindex = nh->ifindex;
	__builtin_memcpy(out->smac, nh->smac, ETH_ALEN);
	__builtin_memcpy(out->dmac, neigh->mac, ETH_ALEN);
	return XR_CONTINUE;
}

#endif /* XR_LOOKUP_TABLE_H */
