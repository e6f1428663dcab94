/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One interface's entries in the router's maps: its devmap slot
 * (xr_tx_ports) and its per-CPU conf and counters (xr_ifaces_arr below
 * XR_IFINDEX_DIRECT, xr_ifaces from there up; only the ifmap_iface_*()
 * functions below know which). Functions
 * return 0 or a negative errno; the caller reports.
 */
#ifndef XR_IFMAP_H
#define XR_IFMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include "router.h"
#include "xdp_router_types.h"

/* An interface's entries as they were, to put them back on rollback. */
struct ifmap_saved {
	__u32 ifindex;
	bool had_tx_port;
	bool had_iface;
	struct bpf_devmap_val tx_port;
	struct xr_iface *iface;		/* r->nr_cpus values */
};

int ifmap_save(const struct router *r, __u32 ifindex, struct ifmap_saved *s);
int ifmap_restore(const struct router *r, const struct ifmap_saved *s);
void ifmap_saved_free(struct ifmap_saved *s);

/*
 * Marks the interface configured with @mac and the forwarding flags @fwd
 * (ifmap_fwd_flags()) on every CPU, keeping its counters, and adds it to
 * the devmap.
 */
int ifmap_configure(const struct router *r, __u32 ifindex,
		    const __u8 mac[6], __u16 fwd);

/*
 * XR_IFACE_F_FWD_V4/V6 as the kernel's per-interface forwarding sysctls of
 * @ifname say now (what bpf_fib_lookup() checks on ingress). A family the
 * interface does not have (no /proc/sys/net/ipv6/conf/IF) is off.
 */
__u16 ifmap_fwd_flags(const char *ifname);

/*
 * Records, on every CPU's copy of the interface's conf, the negative errno
 * the kernel refused native mode with when attach fell back to generic
 * mode (0: it did not; errnos above 255 are kept as 255). The data plane
 * ignores it; status shows it.
 */
int ifmap_set_native_err(const struct router *r, __u32 ifindex, int err);

/* That errno from an entry read by ifmap_read(): 0 or negative. */
int ifmap_native_err(const struct xr_iface *iface);

/* Deletes both entries; missing entries are fine. */
int ifmap_remove(const struct router *r, __u32 ifindex);

/* The interface's entry with its counters summed over CPUs. */
int ifmap_read(const struct router *r, __u32 ifindex, struct xr_iface *sum);

/*
 * The interface's conf and counters, r->nr_cpus values, in whichever map
 * holds @ifindex. An array slot that is all zero is reported (-ENOENT) and
 * deleted (zeroed) like a missing hash entry; @flags (BPF_ANY, BPF_EXIST,
 * BPF_NOEXIST) mean for slots what they mean for the hash.
 */
int ifmap_iface_lookup(const struct router *r, __u32 ifindex,
		       struct xr_iface *vals);
int ifmap_iface_update(const struct router *r, __u32 ifindex,
		       const struct xr_iface *vals, __u64 flags);
int ifmap_iface_delete(const struct router *r, __u32 ifindex);

/* The ifindexes with an xr_iface entry (either map), sorted; free() *keys. */
int ifmap_iface_keys(const struct router *r, __u32 **keys, size_t *n);

/* All keys of a map keyed by ifindex, sorted; free() *keys. */
int ifmap_keys(int map_fd, __u32 **keys, size_t *n);

#endif /* XR_IFMAP_H */
