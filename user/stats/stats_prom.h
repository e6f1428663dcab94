/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `xdp-router stats --prometheus FILE`: the counters in the Prometheus text
 * exposition format (version 0.0.4), for node_exporter's textfile
 * collector.
 */
#ifndef XR_STATS_PROM_H
#define XR_STATS_PROM_H

#include <stdio.h>
#include "stats_snapshot.h"

/* Writes snapshot @s (taken with SNAPSHOT_FULL) to @f. */
int stats_prom_print(FILE *f, const struct snapshot *s);

/*
 * Writes @s to @path atomically: a temporary file in the same directory
 * (a name the textfile collector ignores), fsync()ed, renamed over @path,
 * and the directory synced. A reader sees the old file or the new one,
 * never a part. Returns 0 or a negative errno; reports its errors.
 */
int stats_prom_write(const char *path, const struct snapshot *s);

#endif /* XR_STATS_PROM_H */
