/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * VIP announcement for a routing daemon (`lb watch --announce-table N`).
 *
 * Each VIP address this node serves is a host route (/32, /128) in kernel
 * routing table N through a tun device the watcher creates and holds open
 * (not persistent). BIRD or FRR learns the routes from that table and
 * announces them over BGP (`lb bgp-config` prints a BIRD configuration).
 * Nothing routes through table N: no rule points at it.
 *
 * The device lives exactly as long as the process: on exit (SIGTERM, but
 * also SIGKILL or a crash) the kernel closes the file descriptor, removes
 * the device and every route through it, and the daemon withdraws them. A
 * second watcher cannot take the same device, nor any watcher a device of
 * that name that exists already, persistent tun included (EBUSY).
 */
#ifndef XR_LB_ANNOUNCE_H
#define XR_LB_ANNOUNCE_H

#include <stdbool.h>
#include <net/if.h>
#include "lb_config.h"

#define LB_ANNOUNCE_DEV "xrlb0"

struct lb_announce {
	int tun_fd;			/* -1: announcing nothing */
	int ifindex;
	char ifname[IF_NAMESIZE];
	__u32 table;
	struct nl_sock *sk;
	struct lb_addr *on;		/* announced now */
	size_t nr_on;
};

/* Creates device @ifname, up. Reports its errors. */
int lb_announce_open(struct lb_announce *a, const char *ifname,
		     __u32 table);

/*
 * The addresses of @cfg's VIPs this node serves: some backend of a VIP on
 * that address is active or draining (its established connections need
 * this node), not down by configuration or health. None if @links_up is
 * false. @out must hold cfg->nr_vips entries.
 */
size_t lb_announce_serving(const struct lb_config *cfg, bool links_up,
			   struct lb_addr *out);

/* Whether one of @ifindexes is up with carrier. */
bool lb_announce_links_up(const int *ifindexes, size_t n);

typedef void (*lb_announce_cb)(const struct lb_addr *addr, bool on,
			       const char *err);

/*
 * Makes the announced routes exactly @addrs; @cb (may be NULL) hears of
 * each route added or removed, and of each failure (kept for the next
 * call). Returns 0 or the first negative errno.
 */
int lb_announce_set(struct lb_announce *a, const struct lb_addr *addrs,
		    size_t n, lb_announce_cb cb);

/* Withdraws everything and removes the device. */
void lb_announce_close(struct lb_announce *a);

#endif /* XR_LB_ANNOUNCE_H */
