// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Neighbour watchers for the route cache (kern/route_cache.h): the one
 * input of bpf_fib_lookup() whose changes no kernel counter records.
 * Raw tracepoints (no fentry or kprobe needed), attached by `attach` with
 * their links pinned beside the router (XR_PIN_WATCH_PREFIX), so they live
 * as long as the router and need no process.
 *
 * They count changes that can alter a lookup's answer: a neighbour that
 * becomes or stops being valid (NUD_VALID: the FIB answers NO_NEIGH
 * otherwise), or whose link-layer address changes. Confirmations and
 * timer steps between valid states (reachable, stale, delay, probe) change
 * nothing and are not counted, so a busy neighbour table does not keep
 * emptying the cache; nor are the changes of other network namespaces
 * (xr_route_watch.net_cookie). A spurious count costs one lookup per
 * cached flow.
 */
#include <linux/bpf.h>
#include <linux/neighbour.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "kernel_net.h"
#include "xr_route_watch.bpf.h"

#define XR_NUD_VALID (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | \
		      NUD_PROBE | NUD_STALE | NUD_DELAY)

struct neighbour___xr {
	__u8 nud_state;
	unsigned char ha[32];
	struct net_device___xr *dev;
} __attribute__((preserve_access_index));

static __always_inline void count_change(struct neighbour___xr *n)
{
	__u32 zero = 0;
	struct xr_route_watch *w = bpf_map_lookup_elem(&xr_route_watch, &zero);

	if (!w)
		return;
	if (w->net_cookie &&
	    BPF_CORE_READ(n, dev, nd_net.net, net_cookie) != w->net_cookie)
		return;
	__sync_fetch_and_add(&w->neigh_changes, 1);
}

static __always_inline int nud_valid(__u8 state)
{
	return !!(state & XR_NUD_VALID);
}

/*
 * neigh_update(n, lladdr, new, flags, nlmsg_pid), at the start of every
 * update (admin, ARP/ND, netlink): compare what is with what will be. The
 * change itself follows within the same call; route_epoch.h's settle time
 * covers the gap.
 */
SEC("raw_tp/neigh_update")
int xr_watch_neigh_update(struct bpf_raw_tracepoint_args *ctx)
{
	struct neighbour___xr *n = (void *)ctx->args[0];
	const unsigned char *lladdr = (const void *)ctx->args[1];
	__u8 new_state = ctx->args[2];
	__u8 old_state = BPF_CORE_READ(n, nud_state);
	__u8 old_ha[8] = {}, new_ha[8] = {};

	if (nud_valid(old_state) != nud_valid(new_state)) {
		count_change(n);
		return 0;
	}
	if (!nud_valid(new_state) || !lladdr)
		return 0;
	/* Ethernet addresses: the six bytes XDP rewrites. */
	if (bpf_core_read(old_ha, 6, &n->ha) ||
	    bpf_probe_read_kernel(new_ha, 6, lladdr) ||
	    *(__u64 *)old_ha != *(__u64 *)new_ha)
		count_change(n);
	return 0;
}

/* neigh_timer_handler(n, err), after the state machine's step: counts a
 * neighbour whose probes went unanswered (-> failed; the timer stops
 * there, so once). Its other steps stay among the valid states, or among
 * the invalid ones (incomplete retransmissions). */
SEC("raw_tp/neigh_timer_handler")
int xr_watch_neigh_timer(struct bpf_raw_tracepoint_args *ctx)
{
	struct neighbour___xr *n = (void *)ctx->args[0];

	if (BPF_CORE_READ(n, nud_state) == NUD_FAILED)
		count_change(n);
	return 0;
}

/* neigh_cleanup_and_release(n, rc), after the entry left the table
 * (garbage collection, flush): a valid one no longer answers lookups, and
 * any one counts: multipath selection takes a gateway without an entry
 * for a good one, but skips one whose entry is invalid (nexthop groups
 * always, fib_multipath_use_neigh routes), so removing a failed entry can
 * move flows back to that gateway. */
SEC("raw_tp/neigh_cleanup_and_release")
int xr_watch_neigh_release(struct bpf_raw_tracepoint_args *ctx)
{
	count_change((void *)ctx->args[0]);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
