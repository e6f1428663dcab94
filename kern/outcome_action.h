/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The XDP action of each outcome. The data plane returns it; the packet
 * fuzzer (kern/tests/fuzz_packets.c) checks that the action it saw and the
 * outcome counted agree.
 */
#ifndef XR_OUTCOME_ACTION_H
#define XR_OUTCOME_ACTION_H

#include <linux/bpf.h>
#include "xdp_router_types.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* The XR_REDIRECT* are XDP_REDIRECT, XR_LB_TX XDP_TX, passes pass, drops
 * drop. */
static __always_inline int outcome_action(int outcome)
{
	if (outcome <= XR_REDIRECT_NAT)
		return XDP_REDIRECT;
	if (outcome == XR_LB_TX)
		return XDP_TX;
	if (outcome < XR_DROP_MALFORMED)
		return XDP_PASS;
	if (outcome < XR_ABORTED)
		return XDP_DROP;
	return XDP_ABORTED;
}

#endif /* XR_OUTCOME_ACTION_H */
