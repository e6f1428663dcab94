/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * attach --multiprog: the router as one program among others on an
 * interface, through libxdp's dispatcher (the chain `xdp-loader status`
 * shows). The dispatcher needs freplace programs; a kernel that refuses them
 * leaves libxdp attaching a single program, which cannot share the
 * interface. Functions return 0 or a negative errno and report their own
 * errors, except where noted.
 */
#ifndef XR_MULTIPROG_H
#define XR_MULTIPROG_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "mode.h"

struct router;

/*
 * Points libxdp at the bpffs holding @pin_path when /sys/fs/bpf is not one
 * and $LIBXDP_BPFFS is unset (ip netns exec): the dispatcher is pinned
 * there. main() calls it before any command runs.
 */
void multiprog_init(const char *pin_path);

/*
 * 0 if this kernel loads freplace programs against the router's program,
 * else the kernel's error (-EPERM here). Not reported.
 */
int multiprog_probe(const struct router *r);

/*
 * Refuses, with one error naming the cause, an interface whose XDP program
 * (not the router) runs without libxdp's dispatcher: libxdp cannot add to
 * it, and replacing it is attach --force's job.
 */
int multiprog_check(const struct router *r, int ifindex, const char *ifname);

/*
 * Attaches the router to @ifindex through libxdp, in @mode, at the run
 * priority and chain call actions of the object's XDP_RUN_CONFIG (libxdp
 * reads them from the program's BTF); multiprog_check() first. *@dispatched tells whether libxdp used its dispatcher: false when
 * it fell back to attaching the router alone (a warning says why).
 */
int multiprog_attach(const struct router *r, int ifindex, const char *ifname,
		     enum xr_mode mode, bool *dispatched);

/* Undoes multiprog_attach() (rollback). */
int multiprog_detach(const struct router *r, int ifindex, enum xr_mode mode);

/* One program on an interface, as libxdp sees it. */
struct multiprog_entry {
	__u32 id;
	char name[16];
	unsigned int prio;
	char actions[64];	/* chain call actions, e.g. "XDP_PASS" */
};

/*
 * The programs of the dispatcher on @ifindex in run order, at most @max;
 * returns how many, 0 if the interface has no dispatcher, or a negative
 * errno (not reported). *@dispatcher_id gets the dispatcher's id.
 */
int multiprog_chain(int ifindex, struct multiprog_entry *e, size_t max,
		    __u32 *dispatcher_id);

/*
 * The program named @name on @ifindex, attached alone or in a dispatcher:
 * its id, or 0 if there is none. Not reported.
 */
__u32 multiprog_find(int ifindex, const char *name);

#endif /* XR_MULTIPROG_H */
