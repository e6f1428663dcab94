/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lb watch's VIP announcement (lb_announce.h): its options
 * (--announce-table, --announce-dev) and the routes kept in step with what
 * the watcher serves, each change logged as an event. Private to
 * cmd_lb_watch.c and cmd_lb_announce.c.
 */
#ifndef XR_CMD_LB_ANNOUNCE_H
#define XR_CMD_LB_ANNOUNCE_H

#include <linux/types.h>
#include "command.h"
#include "lb_announce.h"
#include "lb_config.h"

struct watch_announce {
	__u32 table;			/* 0: announcing nothing */
	const char *dev;		/* NULL: LB_ANNOUNCE_DEV */
	struct lb_announce ann;		/* tun_fd -1: not open */
};

/* The options' rows of lb watch's table (its options are a watch_announce). */
extern const struct cmd_option watch_announce_options[];
#define WATCH_ANNOUNCE_HELP \
	"  -t, --announce-table N    keep a host route to each VIP address " \
	"this node\n" \
	"                            serves in routing table N, through a " \
	"device of\n" \
	"                            its own, for BIRD/FRR to announce; the " \
	"device\n" \
	"                            and its routes go when this process ends\n" \
	"                            (see lb bgp-config)\n" \
	"      --announce-dev NAME  that device (default " LB_ANNOUNCE_DEV ")\n"

/* Before the options: nothing announced, no device. */
#define WATCH_ANNOUNCE_INIT { .ann.tun_fd = -1 }

/* After the options: checks them and creates the device (if any). */
int watch_announce_open(struct watch_announce *wa);

/*
 * Routes for the VIPs of @cfg this node serves (none if no interface of
 * @ifindexes is up); failures are logged and retried on the next call.
 */
void watch_announce_update(struct watch_announce *wa,
			   const struct lb_config *cfg, const int *ifindexes,
			   size_t nr_ifindexes);

/* Withdraws every route, logging each. */
void watch_announce_withdraw(struct watch_announce *wa);

/* Withdraws every route (silently) and removes the device. */
void watch_announce_close(struct watch_announce *wa);

#endif /* XR_CMD_LB_ANNOUNCE_H */
