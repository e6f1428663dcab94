/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The pace of the commands that sample every S seconds until told to stop
 * (stats --interval, --prometheus --interval, --watch).
 */
#ifndef XR_STATS_WAIT_H
#define XR_STATS_WAIT_H

#include <stdbool.h>
#include <time.h>

/*
 * Blocks SIGINT and SIGTERM (so none slips in between a check and a wait)
 * and returns a signalfd that becomes readable when one arrives, or a
 * negative errno, reported.
 */
int stats_stop_signals(void);

/*
 * Waits until @deadline (CLOCK_MONOTONIC): true when it passes, false once
 * @sfd (stats_stop_signals()) is readable or @key_fd (-1: none, else a
 * terminal in non-canonical mode) delivers 'q'.
 */
bool stats_wait_until(const struct timespec *deadline, int sfd, int key_fd);

#endif /* XR_STATS_WAIT_H */
