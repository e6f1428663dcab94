/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Netlink sockets for populate, and the complete dump of the kernel's
 * state into a fresh model: links, netconf, the routes of the chosen and
 * local tables (IPv4 and IPv6), and the neighbours.
 */
#ifndef XR_NL_SNAPSHOT_H
#define XR_NL_SNAPSHOT_H

#include <netlink/netlink.h>
#include "fib_model.h"

/* Counts of what a dump skipped, for a warning. */
struct nl_dump_stats {
	size_t malformed;	/* messages libnl or we could not parse */
};

/* A NETLINK_ROUTE socket for dumps; NULL on error (reported). */
struct nl_sock *nl_dump_socket(void);

/*
 * Fills @m (initialised, empty) from the kernel. A dump the kernel marks
 * interrupted (NLM_F_DUMP_INTR) is retried from scratch. Returns 0 or a
 * negative errno, reported.
 */
int nl_snapshot(struct nl_sock *sk, struct fib_model *m,
		struct nl_dump_stats *st);

/* libnl's error code as a negative errno, for log_strerror(). */
int nl_errno(int nlerr);

#endif /* XR_NL_SNAPSHOT_H */
