/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a route lookup answers, whichever way it was made (lookup_fib.h,
 * lookup_table.h): either an outcome that sends the packet to the kernel or
 * drops it, or XR_CONTINUE with the next hop below, which forward() applies.
 */
#ifndef XR_LOOKUP_H
#define XR_LOOKUP_H

#include <linux/if_ether.h>
#include <linux/types.h>

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

struct next_hop {
	__u32 ifindex;		/* egress */
	__u8 smac[ETH_ALEN];	/* the egress interface's */
	__u8 dmac[ETH_ALEN];	/* the neighbour's */
};

#endif /* XR_LOOKUP_H */
