// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The staged pin of reload, and recovery from a killed reload; see
 * reload_staged.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "bpf_info.h"
#include "iface.h"
#include "log.h"
#include "pin.h"
#include "reload_staged.h"
#include "xdp_router_types.h"

/*
 * Interfaces that run program @from: with @to_fd >= 0, each is switched to
 * @to_fd (replacing @from_fd, in its mode). Returns how many, or a negative
 * errno.
 */
static int for_each_running(__u32 from, int from_fd, int to_fd)
{
	struct if_nameindex *all = if_nameindex(), *it;
	struct iface_xdp xdp;
	enum xr_mode mode;
	int n = 0, err = 0;

	if (!all)
		return -errno;
	for (it = all; !err && it->if_index; it++) {
		if (iface_xdp_query(it->if_index, &xdp) ||
		    !iface_xdp_mode_of(&xdp, from, &mode))
			continue;
		if (to_fd >= 0)
			err = iface_xdp_attach(it->if_index, to_fd, mode,
					       from_fd);
		n++;
	}
	if_freenameindex(all);
	return err ? err : n;
}

/*
 * A reload killed between its first switch and the rename leaves the new
 * program pinned as RELOAD_PIN_STAGED and running on some interfaces: that
 * reload is finished (the other interfaces switched, the pin renamed). One
 * killed before that leaves a staged pin nothing runs: it goes.
 */
int reload_recover(const char *pin_path)
{
	char staged[PATH_MAX], pinned[PATH_MAX];
	int new_fd, old_fd, err;

	pin_file(staged, sizeof(staged), pin_path, RELOAD_PIN_STAGED);
	pin_file(pinned, sizeof(pinned), pin_path, XR_PIN_PROG);
	new_fd = bpf_obj_get(staged);
	if (new_fd < 0)
		return 0;
	old_fd = bpf_obj_get(pinned);
	if (old_fd < 0)
		err = 0;	/* the staged program is all there is */
	else if (!(err = for_each_running(obj_id(new_fd), -1, -1)))
		err = -ENOENT;	/* runs nowhere: forget it */
	else if (err > 0)
		err = for_each_running(obj_id(old_fd), old_fd, new_fd);
	if (err == -ENOENT)
		err = unlink(staged) ? -errno : 0;
	else if (err >= 0)
		err = rename(staged, pinned) ? -errno : 0;
	if (err)
		log_error("cannot finish an interrupted reload at %s: %s",
			  pin_path, log_strerror(err));
	else
		log_verbose("finished or undid an interrupted reload");
	if (old_fd >= 0)
		close(old_fd);
	close(new_fd);
	return err;
}

