// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The settings a running router was loaded with, read back from its
 * program's .rodata and map sizes (its maps found through the program).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "xdp_router.skel.h"
#include "xdp_router_types.h"
#include "bpf_info.h"
#include "prog_maps.h"
#include "router.h"
#include "router_priv.h"

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/*
 * The program's .rodata map, which libbpf names "<object>.rodata" (cut to
 * the kernel's 15 characters, the suffix kept), or (@name) the map of that
 * name. Returns an fd or a negative errno.
 */
int router_prog_map_fd(int prog_fd, const char *name)
{
	struct bpf_map_info mi;
	__u32 n, *ids;
	int err, fd = -ENOENT;

	if (name)
		return prog_map_by_name(prog_fd, name);
	err = prog_map_ids(prog_fd, &ids, &n);
	for (__u32 i = 0; !err && fd < 0 && i < n; i++) {
		int map_fd = bpf_map_get_fd_by_id(ids[i]);

		if (map_fd < 0) {
			err = map_fd;
			break;
		}
		err = map_info(map_fd, &mi);
		if (!err && has_suffix(mi.name, ".rodata"))
			fd = map_fd;
		else
			close(map_fd);
	}
	free(ids);
	if (err && fd >= 0)
		close(fd);
	return err ? err : fd;
}

int router_settings_read(const struct router *r, struct router_settings *s)
{
	struct xdp_router__rodata rodata;
	struct bpf_map_info info;
	__u32 key = 0;
	int fd, err;

	fd = router_prog_map_fd(r->prog_fd, NULL);
	if (fd < 0)
		return fd;
	err = map_info(fd, &info);
	/* Another version's knobs would be misread. */
	if (!err && info.value_size != sizeof(rodata))
		err = -EPROTO;
	if (!err)
		err = bpf_map_lookup_elem(fd, &key, &rodata);
	close(fd);
	if (err)
		return err;
	s->lookup = rodata.xr_lookup_mode;
	s->firewall = rodata.xr_fw_mode;
	s->steer_ncpus = rodata.xr_steer_ncpus;
	s->steer_qsize = rodata.xr_steer_qsize;
	s->route_cache = rodata.xr_rc_slots;
	if (s->steer_ncpus > XR_STEER_MAX_CPUS)
		return -EPROTO;
	for (__u32 i = 0; i < s->steer_ncpus; i++)
		s->steer_cpus[i] = rodata.xr_steer_cpus[i];

	err = map_info(r->routes_v4_fd, &info);
	if (err)
		return err;
	s->max_routes_v4 = info.max_entries;
	err = map_info(r->routes_v6_fd, &info);
	if (err)
		return err;
	s->max_routes_v6 = info.max_entries;
	err = map_info(r->lb_vips_fd, &info);
	if (err)
		return err;
	s->lb_max_vips = info.max_entries;
	err = map_info(r->lb_conns_fd, &info);
	if (err)
		return err;
	s->lb_max_conns = info.max_entries;
	return 0;
}
