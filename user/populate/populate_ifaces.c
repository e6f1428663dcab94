// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The forwarding flags of the router's interfaces (table mode decides
 * "forwarding disabled" from them, where fib mode asks the kernel).
 *
 * Read-modify-write of a per-CPU entry: done under the pin path lock, so
 * that attach/detach, which rewrite the same entries, cannot interleave.
 * The lock is taken only when a flag is wrong: --watch checks every second.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "ifmap.h"
#include "log.h"
#include "pin.h"
#include "populate.h"

static __u16 fwd_flags(const struct fib_model *m, __u32 ifindex)
{
	const struct fib_link *l = fib_model_link_get(m, ifindex);
	__u16 flags = 0;

	if (l && l->fwd[0])
		flags |= XR_IFACE_F_FWD_V4;
	if (l && l->fwd[1])
		flags |= XR_IFACE_F_FWD_V6;
	return flags;
}

/* Checks one interface; with @write, fixes it. */
static int update_one(struct populate *p, __u32 ifindex,
		      struct xr_iface *vals, bool write, bool *updated)
{
	const __u16 mask = XR_IFACE_F_FWD_MASK;
	__u16 want = fwd_flags(&p->model, ifindex);
	bool differs = false;
	int err;

	*updated = false;
	err = ifmap_iface_lookup(p->r, ifindex, vals);
	if (err == -ENOENT)
		return 0;	/* detached meanwhile */
	if (err)
		return err;
	if (!(vals[0].conf.flags & XR_IFACE_F_CONFIGURED))
		return 0;	/* counters only: attach has not got to it */
	for (int cpu = 0; cpu < p->r->nr_cpus; cpu++) {
		differs |= (vals[cpu].conf.flags & mask) != want;
		vals[cpu].conf.flags = (vals[cpu].conf.flags & ~mask) | want;
	}
	if (!differs)
		return 0;
	if (!write) {
		*updated = true;	/* would be */
		return 0;
	}
	/* BPF_EXIST: never resurrect an entry detach just removed. */
	err = ifmap_iface_update(p->r, ifindex, vals, BPF_EXIST);
	if (err == -ENOENT)
		return 0;
	*updated = !err;
	if (*updated)
		log_verbose("interface %u: forwarding v4 %s, v6 %s", ifindex,
			    want & XR_IFACE_F_FWD_V4 ? "on" : "off",
			    want & XR_IFACE_F_FWD_V6 ? "on" : "off");
	return err;
}

static int update_all(struct populate *p, struct xr_iface *vals, bool write,
		      size_t *n_wrong)
{
	__u32 *keys = NULL;
	size_t n = 0;
	int err;

	*n_wrong = 0;
	err = ifmap_iface_keys(p->r, &keys, &n);
	for (size_t i = 0; !err && i < n; i++) {
		bool wrong;

		err = update_one(p, keys[i], vals, write, &wrong);
		*n_wrong += wrong;
	}
	free(keys);
	return err;
}

int populate_ifaces(struct populate *p)
{
	struct xr_iface *vals = calloc(p->r->nr_cpus, sizeof(*vals));
	int lock_fd, err;
	size_t n;

	if (!vals)
		return -ENOMEM;
	err = update_all(p, vals, false, &n);
	if (!err && n) {
		lock_fd = pin_lock(p->r->pin_path);
		if (lock_fd < 0) {
			free(vals);
			return lock_fd;
		}
		err = update_all(p, vals, true, &n);
		p->ifaces_updated += n;
		close(lock_fd);
	}
	if (err)
		log_error("cannot update the interfaces' forwarding flags in "
			  "%s: %s", XR_MAP_IFACES, log_strerror(err));
	free(vals);
	return err;
}
