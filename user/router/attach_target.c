// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * attach's work on one interface: finding it, checking what already runs
 * there, attaching the router (alone, or with --multiprog through libxdp),
 * and undoing all that when another interface fails.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "attach_target.h"
#include "bpf_info.h"
#include "iface.h"
#include "ifmap.h"
#include "log.h"
#include "mode.h"
#include "multiprog.h"
#include "router.h"

static void prog_name_by_id(__u32 id, char *name, size_t len)
{
	struct bpf_prog_info info;
	int fd = bpf_prog_get_fd_by_id(id);

	snprintf(name, len, "?");
	if (fd < 0)
		return;
	if (!prog_info(fd, &info))
		snprintf(name, len, "%s", info.name);
	close(fd);
}

int resolve_targets(char **names, int n, struct target *t)
{
	int err;

	for (int i = 0; i < n; i++) {
		err = iface_resolve(names[i], &t[i].ifc);
		if (err) {
			log_error("cannot find interface '%s'", names[i]);
			return err;
		}
		for (int j = 0; j < i; j++) {
			if (t[j].ifc.ifindex == t[i].ifc.ifindex) {
				log_error("interface '%s' given twice",
					  names[i]);
				return -EINVAL;
			}
		}
		err = iface_mac(&t[i].ifc, t[i].mac);
		if (err == -EPFNOSUPPORT) {
			log_error("%s is not an Ethernet interface",
				  t[i].ifc.name);
			return err;
		}
		if (err) {
			log_error("cannot read the MAC address of %s: %s",
				  t[i].ifc.name, log_strerror(err));
			return err;
		}
	}
	return 0;
}

/*
 * Refuses occupied interfaces, or (--force) holds on to their program.
 * Attaching the router where it already runs, in the wanted mode, is not an
 * error: the command only refreshes the interface's conf (its MAC), so that
 * scripts and units can run it again safely.
 */
int check_target(const struct router *r, struct target *t,
		 enum xr_mode want, bool force)
{
	struct iface_xdp xdp;
	char name[BPF_OBJ_NAME_LEN];
	int err = iface_xdp_query(t->ifc.ifindex, &xdp);

	if (err) {
		log_error("cannot query XDP on %s: %s", t->ifc.name,
			  log_strerror(err));
		return err;
	}
	if (!iface_xdp_any(&xdp, &t->old_id, &t->old_mode))
		return 0;
	if (r && t->old_id == r->prog_id &&
	    (want == XR_MODE_AUTO || want == t->old_mode)) {
		t->already = true;
		t->mode = t->old_mode;
		return 0;
	}
	if (!force) {
		prog_name_by_id(t->old_id, name, sizeof(name));
		if (r && t->old_id == r->prog_id)
			log_error("%s already runs this router in %s mode; "
				  "use --force to move it to %s mode",
				  t->ifc.name, mode_name(t->old_mode),
				  mode_name(want));
		else
			log_error("%s already has an XDP program (id %u, name "
				  "%s); use --force to replace it",
				  t->ifc.name, t->old_id, name);
		return -EBUSY;
	}
	/* Our own reference: the rollback may need to put it back. */
	t->old_fd = bpf_prog_get_fd_by_id(t->old_id);
	if (t->old_fd < 0) {
		err = t->old_fd;
		log_error("cannot get the XDP program on %s (id %u): %s",
			  t->ifc.name, t->old_id, log_strerror(err));
		return err;
	}
	return 0;
}

/*
 * --multiprog: the router already on the interface (alone or in libxdp's
 * dispatcher) is not an error; any other program is multiprog_attach()'s to
 * judge, once the router is loaded.
 */
int check_target_multiprog(const struct router *r, struct target *t)
{
	struct iface_xdp xdp;
	__u32 id;
	int err;

	if (!r || multiprog_find(t->ifc.ifindex, XR_PROG_NAME) != r->prog_id)
		return 0;
	err = iface_xdp_query(t->ifc.ifindex, &xdp);
	if (err) {
		log_error("cannot query XDP on %s: %s", t->ifc.name,
			  log_strerror(err));
		return err;
	}
	t->already = iface_xdp_any(&xdp, &id, &t->mode);
	t->dispatched = t->already && id != r->prog_id;
	return 0;
}

static void report_attach_error(const struct target *t, enum xr_mode mode,
				int err)
{
	if (err == -EBUSY || err == -EEXIST)
		log_error("%s already has an XDP program; use --force to "
			  "replace it", t->ifc.name);
	else
		log_error("cannot attach to %s in %s mode: %s", t->ifc.name,
			  mode_name(mode), log_strerror(err));
}

/*
 * auto fell back to generic mode: loudly, since generic mode is a fraction
 * of native's speed, with the kernel's reason (an MTU that needs
 * multi-buffer support, a driver without XDP, ...).
 */
static void report_fallback(const struct target *t)
{
	log_warn("%s: native XDP refused by the kernel: %s%s%s; attached in "
		 "generic mode, much slower", t->ifc.name, t->native_msg,
		 t->native_msg[0] ? ", " : "", log_strerror(t->native_err));
}

/* Attaches where no program is, in @want mode or, for auto, the best one. */
static int attach_fresh(const struct router *r, struct target *t,
			enum xr_mode want)
{
	int err;

	t->mode = want == XR_MODE_AUTO ? XR_MODE_NATIVE : want;
	log_kernel_msg_clear();
	err = iface_xdp_attach(t->ifc.ifindex, r->prog_fd, t->mode, -1);
	if (err && want == XR_MODE_AUTO && err != -EBUSY && err != -EEXIST) {
		/* As `ip link set ... xdp` does: generic works everywhere. */
		t->native_err = err;
		snprintf(t->native_msg, sizeof(t->native_msg), "%s",
			 log_kernel_msg());
		t->mode = XR_MODE_GENERIC;
		err = iface_xdp_attach(t->ifc.ifindex, r->prog_fd, t->mode,
				       -1);
	}
	if (err) {
		report_attach_error(t, t->mode, err);
		return err;
	}
	t->attached = true;
	if (t->native_err)
		report_fallback(t);
	return 0;
}

static int attach_target(const struct router *r, struct target *t,
			 enum xr_mode want)
{
	int err;

	if (t->already)
		return 0;
	if (t->multiprog) {
		struct iface_xdp xdp;
		__u32 id;

		err = multiprog_attach(r, t->ifc.ifindex, t->ifc.name, want,
				       &t->dispatched);
		if (err)
			return err;
		t->attached = true;
		/* The mode the kernel chose for auto; the dispatcher's. */
		t->mode = want == XR_MODE_AUTO ? XR_MODE_NATIVE : want;
		if (!iface_xdp_query(t->ifc.ifindex, &xdp))
			iface_xdp_any(&xdp, &id, &t->mode);
		return 0;
	}
	if (t->old_fd < 0)
		return attach_fresh(r, t, want);

	/*
	 * Same mode: an atomic swap. Auto means native where the driver can,
	 * so only a native program is swapped in place under auto; a generic
	 * one is replaced as below, and an offloaded one stays beside ours.
	 */
	if (want == t->old_mode ||
	    (want == XR_MODE_AUTO && t->old_mode == XR_MODE_NATIVE)) {
		t->mode = t->old_mode;
		err = iface_xdp_attach(t->ifc.ifindex, r->prog_fd, t->mode,
				       t->old_fd);
		if (err) {
			report_attach_error(t, t->mode, err);
			return err;
		}
		t->attached = t->swapped = true;
		return 0;
	}
	/*
	 * Another mode: the kernel will not run native and generic programs
	 * side by side, so the old one goes first. Not atomic; the rollback
	 * puts it back if ours cannot be attached.
	 */
	if (t->old_mode == XR_MODE_OFFLOAD)
		return attach_fresh(r, t, want);
	err = iface_xdp_detach(t->ifc.ifindex, t->old_mode, t->old_fd);
	if (err) {
		log_error("cannot remove the XDP program on %s (id %u): %s",
			  t->ifc.name, t->old_id, log_strerror(err));
		return err;
	}
	t->old_removed = true;
	return attach_fresh(r, t, want);
}

int apply_target(const struct router *r, struct target *t,
		 enum xr_mode want)
{
	int err = ifmap_save(r, t->ifc.ifindex, &t->saved);

	if (!err) {
		/* Before attaching: the first packet must see the conf. The
		 * forwarding flags as of now; populate keeps them current. */
		err = ifmap_configure(r, t->ifc.ifindex, t->mac,
				      ifmap_fwd_flags(t->ifc.name));
		/* Even a failed update may have written one of the two maps. */
		t->maps_written = true;
	}
	if (err) {
		if (err == -E2BIG)
			log_error("cannot add %s: the router already has its "
				  "maximum of %d interfaces", t->ifc.name,
				  XR_MAX_IFACES);
		else
			log_error("cannot update the maps for %s: %s",
				  t->ifc.name, log_strerror(err));
		return err;
	}
	err = attach_target(r, t, want);
	if (err || t->already)
		return err;
	/* For status; a failure costs only that (the rollback's maps are
	 * saved already). */
	err = ifmap_set_native_err(r, t->ifc.ifindex, t->native_err);
	if (err)
		log_verbose("%s: cannot record the native mode refusal: %s",
			    t->ifc.name, log_strerror(err));
	return 0;
}

/* Undoes apply_target(); failures are reported, nothing more can be done. */
void rollback_target(const struct router *r, struct target *t)
{
	int ifindex = t->ifc.ifindex, err = 0;

	if (t->swapped)
		err = iface_xdp_attach(ifindex, t->old_fd, t->mode, r->prog_fd);
	else if (t->attached && t->multiprog)
		err = multiprog_detach(r, ifindex, t->mode);
	else if (t->attached)
		err = iface_xdp_detach(ifindex, t->mode, r->prog_fd);
	if (err)
		log_error("rollback: cannot remove xdp-router from %s: %s",
			  t->ifc.name, log_strerror(err));

	if (t->old_removed) {
		err = iface_xdp_attach(ifindex, t->old_fd, t->old_mode, -1);
		if (err)
			log_error("rollback: cannot restore program id %u on "
				  "%s: %s", t->old_id, t->ifc.name,
				  log_strerror(err));
	}
	if (t->maps_written) {
		err = ifmap_restore(r, &t->saved);
		if (err)
			log_error("rollback: cannot restore the map entries "
				  "of %s: %s", t->ifc.name, log_strerror(err));
	}
	log_verbose("%s: rolled back", t->ifc.name);
}
