/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The route cache's epoch: a per-CPU number that changes whenever anything
 * bpf_fib_lookup() depends on may have changed, so that a cached answer is
 * used only while the kernel would still give it.
 *
 * No daemon: the program reads the kernel's own change counters of the
 * ingress interface's network namespace (through bpf_cast_to_kern_ctx(),
 * CO-RE relocated, fault-safe loads) on every packet and compares them with
 * what this CPU saw last. Measured on 6.18 (docs/performance.md), the set
 * below moves on every change that can alter an answer:
 *
 *   ipv4.fib_seq            IPv4 route add/replace/delete in any table, the
 *                           local routes of address changes, link flushes
 *   ipv4 rules fib_rules_seq  ip rule add/del
 *   ipv4.rt_genid           MTU, link up/down, forwarding sysctls, nexthop
 *                           object changes, shadowed routes, MAC changes
 *   ipv6 main/local fib_seq IPv6 routes of the main and local tables
 *   ipv6 rules, fib6_sernum ip -6 rule, route adds and nexthop changes
 *   sysctls                 fib_multipath_hash_{policy,fields,seed}, use_neigh,
 *                           ip_forward_use_pmtu
 *   neigh_changes           neighbours: kern/route_watch.bpf.c
 *
 * IPv6 lookups that may reach other tables (custom ip -6 rules) are not
 * cached: a delete there moves only that table's counter.
 *
 * Some of the kernel's notifications come *before* the change is visible
 * to lookups (an IPv4 route delete notifies, then unlinks; an IPv6 add
 * notifies, then links). A lookup in between would cache the old answer
 * under the new epoch. So after a change no answer is stored for
 * xr_rc_settle_us: lookups go to the FIB (always exact) and the cache fills
 * again once the routing state has been quiet that long.
 */
#ifndef XR_ROUTE_EPOCH_H
#define XR_ROUTE_EPOCH_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "kernel_net.h"
#include "xdp_router_maps.bpf.h"

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

/* Load-time knob: while the cache thrashes, one packet in this many
 * probes it (0, 1: every packet). */
const volatile __u32 xr_rc_sample = 16;

/* Load-time knob: quiet time after a change before answers are cached. */
/* (A 32-bit knob: the .rodata layout stays free of 64-bit padding.) */
const volatile __u32 xr_rc_settle_us = 100 * 1000;

/* Each family's state is a row of xr_rc_state (maps/xr_route_cache.h). */

/* What the lookup of this packet may do with the cache. */
struct rc_view {
	struct xr_rc_state *fam;	/* NULL: cache off for this packet */
	__u32 epoch;
	__u8 l4_keyed;		/* ports and protocol are part of the key */
};

/* Policy 0 (L3) and 2 (L3, inner L3) hash addresses only (with no skb,
 * policy 2 is policy 0): ports and protocol then cannot matter unless a
 * policy rule looks at them. */
static __always_inline int rc_l3_policy(__u8 policy)
{
	return policy == 0 || policy == 2;
}

/* Compare and remember in one go: no copy on the (shared) stack. */
#define RC_SNAP(i, val)                                                 \
	do {                                                            \
		__u32 v_ = (val);                                       \
		changed |= snap[i] != v_;                               \
		snap[i] = v_;                                           \
	} while (0)

/*
 * Reads the family's counters into @snap; returns whether any differed.
 * Only what that family's lookups depend on: each load is a fault-safe
 * access to kernel memory, and they are most of the cache's cost.
 */
static __always_inline int rc_read_v4(struct net___xr *net, __u32 *snap,
				      __u32 neigh_changes, __u8 *l4)
{
	struct netns_ipv4___xr *v4 = &net->ipv4;
	__u8 policy = v4->sysctl_fib_multipath_hash_policy;
	__u8 rules = v4->fib_has_custom_rules;
	int changed = 0;

	/* ip_forward_use_pmtu: whether a route's MTU metric applies. */
	RC_SNAP(0, v4->sysctl_ip_fwd_use_pmtu);
	RC_SNAP(1, v4->fib_seq);
	RC_SNAP(2, v4->rt_genid.counter);
	RC_SNAP(3, v4->rules_ops->fib_rules_seq);
	RC_SNAP(4, rules | policy << 8 |
		   v4->sysctl_fib_multipath_use_neigh << 16);
	RC_SNAP(5, v4->sysctl_fib_multipath_hash_fields);
	RC_SNAP(6, v4->sysctl_fib_multipath_hash_seed.user_seed);
	RC_SNAP(7, neigh_changes);
	*l4 = rules || !rc_l3_policy(policy);
	return changed;
}

/* IPv6 device MTU changes move only the IPv4 rt_genid: read it too; and
 * the ECMP hash seed is IPv4's sysctl for both families. */
static __always_inline int rc_read_v6(struct net___xr *net, __u32 *snap,
				      __u32 neigh_changes, __u8 *l4,
				      __u8 *ok)
{
	struct netns_ipv6___xr *v6 = &net->ipv6;
	__u8 policy = v6->sysctl.multipath_hash_policy;
	__u8 rules = v6->fib6_has_custom_rules;
	int changed = 0;

	RC_SNAP(0, net->ipv4.sysctl_fib_multipath_hash_seed.user_seed);
	RC_SNAP(1, v6->fib6_main_tbl->fib_seq);
	RC_SNAP(2, v6->fib6_local_tbl->fib_seq);
	RC_SNAP(3, v6->fib6_sernum.counter);
	RC_SNAP(4, v6->fib6_rules_ops->fib_rules_seq);
	RC_SNAP(5, net->ipv4.rt_genid.counter);
	RC_SNAP(6, policy | v6->sysctl.multipath_hash_fields << 8);
	RC_SNAP(7, neigh_changes);
	*l4 = !rc_l3_policy(policy);
	*ok = !rules;
	return changed;
}
#undef RC_SNAP

/*
 * This packet's view of the cache: off unless the neighbour watchers run;
 * a new epoch when anything changed since this CPU's last packet of the
 * family.
 */
static __always_inline void route_epoch(struct xdp_md *ctx, int is_v6,
					struct rc_view *v)
{
	struct xdp_buff___xr *xdp = bpf_cast_to_kern_ctx(ctx);
	struct net___xr *net = xdp->rxq->dev->nd_net.net;
	const struct xr_route_watch *watch;
	__u32 zero = 0, family = is_v6;
	struct xr_rc_state *fam;
	__u32 neigh_changes;
	__u8 l4, ok = 1;
	int changed;

	v->fam = NULL;
	watch = bpf_map_lookup_elem(&xr_route_watch, &zero);
	fam = bpf_map_lookup_elem(&xr_rc_state, &family);
	if (!watch || !watch->watching || !fam)
		return;
	/* A cache that mostly misses costs more than it saves: then only
	 * one packet in xr_rc_sample looks (route_cache.h), and the others
	 * go to the FIB straight away, without reading the counters. */
	if (fam->sampling && fam->skip) {
		fam->skip--;
		fam->bypassed++;
		return;
	}
	fam->skip = xr_rc_sample ? xr_rc_sample - 1 : 0;
	/* The watchers count only the router's namespace's neighbours: an
	 * interface moved to another one is not followed (no cache). */
	if (net->net_cookie != watch->net_cookie)
		return;
	neigh_changes = *(volatile const __u64 *)&watch->neigh_changes;
	if (is_v6)
		changed = rc_read_v6(net, fam->snap, neigh_changes, &l4, &ok);
	else
		changed = rc_read_v4(net, fam->snap, neigh_changes, &l4);
	if (changed) {
		fam->epoch = fam->epoch + 1 ? fam->epoch + 1 : 1;
		fam->fill_after = bpf_ktime_get_ns() +
				 (__u64)xr_rc_settle_us * 1000;
	}
	if (!ok)
		return;
	v->fam = fam;
	v->epoch = fam->epoch;
	v->l4_keyed = l4;
}

/* May the answer of a lookup made now be stored? */
static __always_inline int route_epoch_settled(const struct rc_view *v)
{
	return v->fam && bpf_ktime_get_ns() >= v->fam->fill_after;
}

#endif /* XR_ROUTE_EPOCH_H */
