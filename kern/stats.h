/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Per-interface state: the control plane's conf and the outcome counters. */
#ifndef XR_STATS_H
#define XR_STATS_H

#include "xdp_router_maps.bpf.h"

/*
 * Template for interfaces the control plane has not configured. In a section
 * of its own, so that .rodata holds the load-time knobs alone: the CLI reads
 * a running router's settings back from it with the skeleton's layout.
 */
static const struct xr_iface xr_iface_unconfigured SEC(".rodata.iface") = {};

/*
 * The ingress interface's entry. Below XR_IFINDEX_DIRECT it is an array
 * slot, always there: a zero slot is an unconfigured interface, and the
 * lookup is inlined by the verifier. Above, an interface attached by
 * another loader (ip link, xdp-loader) has no hash entry yet: create it,
 * unconfigured, so that its packets are still counted.
 */
static __always_inline struct xr_iface *iface_state(__u32 ifindex)
{
	struct xr_iface *st;

	if (ifindex < XR_IFINDEX_DIRECT) {
		st = bpf_map_lookup_elem(&xr_ifaces_arr, &ifindex);
		/*
		 * Keeps clang from merging this call with the hash lookup
		 * below into one call on a selected map: the verifier only
		 * inlines a call site that always sees the same map.
		 */
		asm volatile("" : "+r"(st));
		return st;
	}
	st = bpf_map_lookup_elem(&xr_ifaces, &ifindex);

	if (st)
		return st;
	bpf_map_update_elem(&xr_ifaces, &ifindex, &xr_iface_unconfigured,
			    BPF_NOEXIST);
	return bpf_map_lookup_elem(&xr_ifaces, &ifindex);
}

static __always_inline void count_outcome(struct xr_iface *st,
					  enum xr_outcome outcome, __u64 bytes)
{
	struct xr_counter *c;

	if (!st || outcome >= XR_OUTCOME_MAX)
		return;
	/* Per-CPU entry: plain increments are race-free. */
	c = &st->outcome[outcome];
	c->packets++;
	c->bytes += bytes;
}

#endif /* XR_STATS_H */
