/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `xdp-router stats --watch`: a live, top-like view of the rates. */
#ifndef XR_STATS_WATCH_H
#define XR_STATS_WATCH_H

struct router;

/*
 * Redraws the rates per interface and outcome, busiest first, every
 * @interval seconds, until 'q', SIGINT or SIGTERM (or @count frames, if
 * not 0). On a terminal the view is drawn in place and the terminal is
 * restored on the way out; otherwise each frame is printed after the last.
 * Follows a reload (snapshot_follow()); ends with an error if the router
 * is detached.
 */
int stats_watch(struct router *r, double interval, unsigned int count);

#endif /* XR_STATS_WATCH_H */
