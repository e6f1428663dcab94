/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * attach --cpus: the receiving CPU hands each packet, by a hash of its flow,
 * to one of up to XR_STEER_MAX_CPUS CPUs through xr_cpus (a CPUMAP keyed by
 * CPU number), where the router's cpumap program routes it.
 * Part of xdp_router_types.h.
 */
#ifndef XR_STEER_TYPES_H
#define XR_STEER_TYPES_H

#include <linux/types.h>

#define XR_STEER_MAX_CPUS 64
#define XR_STEER_DEFAULT_QSIZE 2048	/* frames queued per CPU */

/* xr_cpu_stats: one per-CPU row. */
struct xr_cpu_stats {
	__u64 steered;		/* handed over by this CPU (receiving side) */
	__u64 steer_failed;	/* no cpumap entry: routed here instead */
	__u64 processed;	/* routed by this CPU's cpumap program */
};
_Static_assert(sizeof(struct xr_cpu_stats) == 24, "xr_cpu_stats size");

/*
 * Their maps (rows of XR_MAPS, xr_maps.h), not pinned: xr_cpus, CPU number
 * -> its queue and kthread running the router's cpumap program (the CLI
 * sizes it to the possible CPUs and fills the entries of the listed CPUs);
 * the counters, found through the running program.
 */
#define XR_STEER_MAPS(X)						\
	X(CPUS, cpus, CPUMAP, __u32, struct bpf_cpumap_val,		\
	  XR_STEER_MAX_CPUS, XR_MAPF_SIZED_AT_LOAD)			\
	X(CPU_STATS, cpu_stats, PERCPU_ARRAY, __u32, struct xr_cpu_stats, \
	  1, 0)

#endif /* XR_STEER_TYPES_H */
