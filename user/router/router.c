// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The router's program and maps, pinned or fresh; see router.h. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "xdp_router.skel.h"
#include "xdp_router_types.h"
#include "bpf_info.h"
#include "log.h"
#include "mode.h"
#include "pin.h"
#include "pin_check.h"
#include "prog_maps.h"
#include "router.h"
#include "route_watch.h"
#include "router_priv.h"

/* The maps: pin name, expected layout (pin_check.h), by pin. */
#define ROUTER_MAP(ID, name, type, key, value, max_entries, flags)	\
	[ROUTER_PIN_##ID] = { XR_MAP_##ID, BPF_MAP_TYPE_##type, sizeof(key), \
			      sizeof(value), max_entries, flags },
static const struct pin_map_spec router_maps[ROUTER_PIN_MAX] = {
	[ROUTER_PIN_PROG] = { XR_PIN_PROG },
	XR_PINNED_MAPS(ROUTER_MAP)
};

/* The fds by name are the fds by pin. */
#define ROUTER_FD_AT(ID, name, ...)					\
	_Static_assert(offsetof(struct router, name##_fd) ==		\
		       offsetof(struct router, fds[ROUTER_PIN_##ID]),	\
		       #name "_fd is not fds[ROUTER_PIN_" #ID "]");
XR_PINNED_MAPS(ROUTER_FD_AT)
_Static_assert(offsetof(struct router, prog_fd) ==
	       offsetof(struct router, fds[ROUTER_PIN_PROG]), "prog_fd");
_Static_assert(ROUTER_PIN_MAX <= 8 * sizeof(((struct router *)0)->created),
	       "a bit per pin in router.created");

const char *router_pin_name(enum router_pin pin)
{
	return router_maps[pin].name;
}

void router_pin_spec(enum router_pin pin, struct pin_map_spec *spec)
{
	*spec = router_maps[pin];
}

void router_init(struct router *r, const char *pin_path)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->pin_path, sizeof(r->pin_path), "%s", pin_path);
	for (int pin = 0; pin < ROUTER_PIN_MAX; pin++)
		r->fds[pin] = -1;
	r->nr_cpus = libbpf_num_possible_cpus();
}

static void pin_of(const struct router *r, enum router_pin pin, char *buf,
		   size_t len)
{
	/* pin_path_resolve() left room for every name. */
	pin_file(buf, len, r->pin_path, router_pin_name(pin));
}

static int open_map(struct router *r, enum router_pin pin)
{
	char path[PATH_MAX];
	int fd;

	pin_of(r, pin, path, sizeof(path));
	fd = bpf_obj_get(path);
	/* Routers pinned before the route cache have no xr_route_watch:
	 * usable as they are (no cache), and reload brings it in. */
	if (fd == -ENOENT && pin == ROUTER_PIN_ROUTE_WATCH) {
		log_verbose("%s: no route cache watch map (an older router)",
			    r->pin_path);
		return 0;
	}
	if (fd == -ENOENT) {
		log_error("incomplete router at %s: %s is missing (detach "
			  "--all cleans up)", r->pin_path, path);
		/* Not -ENOENT: that means "no router here". */
		return -EUCLEAN;
	}
	if (fd < 0) {
		log_error("cannot open %s: %s", path, log_strerror(fd));
		return fd;
	}
	r->fds[pin] = fd;
	/* A pin written by another version or loader would be read wrongly. */
	return pin_check_map(fd, path, &router_maps[pin]);
}

static int open_prog(struct router *r)
{
	struct bpf_prog_info info;
	char path[PATH_MAX];
	int fd, err;

	pin_of(r, ROUTER_PIN_PROG, path, sizeof(path));
	if (access(path, F_OK))
		return -ENOENT;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		log_error("cannot open %s: %s", path, log_strerror(fd));
		return fd;
	}
	r->prog_fd = fd;
	err = pin_check_prog(fd, path);
	if (err)
		return err;
	err = prog_info(fd, &info);
	if (err) {
		log_error("cannot inspect %s: %s", path, log_strerror(err));
		return err;
	}
	r->prog_id = info.id;
	return 0;
}

int router_open(struct router *r, const char *pin_path)
{
	int err;

	router_init(r, pin_path);
	err = open_prog(r);
	for (int pin = ROUTER_PIN_PROG + 1; !err && pin < ROUTER_PIN_MAX; pin++)
		err = open_map(r, pin);
	if (!err)
		err = pin_check_router(r);
	if (err)
		router_close(r);
	return err;
}

int router_open_attached(struct router *r, const char *pin_path)
{
	int err = pin_on_bpffs(pin_path) ? router_open(r, pin_path) : -ENOENT;

	if (err == -ENOENT)
		log_error("nothing attached at %s (attach the router first)",
			  pin_path);
	return err;
}

int router_follow(struct router *r, enum router_change *change)
{
	struct router now;
	char path[PATH_MAX];
	int fd, err;
	__u32 id;

	*change = ROUTER_SAME;
	pin_of(r, ROUTER_PIN_PROG, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd == -ENOENT)
		return fd;
	if (fd < 0) {
		log_error("cannot open %s: %s", path, log_strerror(fd));
		return fd;
	}
	id = obj_id(fd);
	close(fd);
	if (id == r->prog_id)
		return 0;
	err = router_open(&now, r->pin_path);
	if (err)
		return err;
	/* Both are open: neither map's id can have been reused. */
	*change = obj_id(now.ifaces_arr_fd) == obj_id(r->ifaces_arr_fd) ?
		  ROUTER_RELOADED : ROUTER_REPLACED;
	log_verbose("the router at %s changed: prog id %u -> %u%s",
		    r->pin_path, r->prog_id, now.prog_id,
		    *change == ROUTER_REPLACED ? ", new maps" : "");
	router_close(r);
	*r = now;
	return 0;
}

int router_maps_current(const struct router *r)
{
	char path[PATH_MAX];
	int fd;
	bool same;

	pin_of(r, ROUTER_PIN_IFACES_ARR, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd == -ENOENT)
		return -ESTALE;
	if (fd < 0)
		return fd;
	same = obj_id(fd) == obj_id(r->ifaces_arr_fd);
	close(fd);
	return same ? 0 : -ESTALE;
}

int router_pin_map(struct router *r, enum router_pin pin)
{
	struct bpf_map *map = bpf_object__find_map_by_name(r->skel->obj,
							   router_pin_name(pin));
	char path[PATH_MAX];

	if (!map)
		return -ENOENT;	/* maps/ and the object disagree: a bug */
	pin_of(r, pin, path, sizeof(path));
	/* libbpf reuses a pin left by an interrupted load; we own new ones. */
	if (access(path, F_OK))
		r->created |= 1U << pin;
	return bpf_map__set_pin_path(map, path);
}

/*
 * The LB's VIP maps (XR_MAPF_PER_VIP) have a row per VIP id, the rings
 * XR_LB_RING_SIZE slots per row (router_settings_read() reads lb_max_vips
 * back from xr_lb_vips).
 */
static int lb_apply_sizes(struct router *r, const struct router_settings *s)
{
	int err = 0;

	if (!s->lb_max_vips || s->lb_max_vips > XR_LB_MAX_VIPS ||
	    !s->lb_max_conns)
		return -EINVAL;
	for (int pin = 0; !err && pin < ROUTER_PIN_MAX; pin++) {
		const struct pin_map_spec *m = &router_maps[pin];
		struct bpf_map *map;

		if (!(m->flags & XR_MAPF_PER_VIP))
			continue;
		map = bpf_object__find_map_by_name(r->skel->obj, m->name);
		err = map ? bpf_map__set_max_entries(map, s->lb_max_vips *
						     pin_map_per_vip(m)) :
			    -ENOENT;
	}
	if (!err)
		err = bpf_map__set_max_entries(r->skel->maps.xr_lb_conns,
					       s->lb_max_conns);
	return err;
}

int router_route_cache_size_maps(struct router *r)
{
	__u32 slots = r->skel->rodata->xr_rc_slots;
	int err;

	/* An array cannot be empty: one unused slot when there is none. */
	err = bpf_map__set_max_entries(r->skel->maps.xr_rc_v4, slots ?: 1);
	if (!err)
		err = bpf_map__set_max_entries(r->skel->maps.xr_rc_v6,
					       slots ?: 1);
	return err;
}

/* The route cache's slots (kern/route_cache.h); only fib mode has one. */
static int route_cache_sizes(struct router *r, const struct router_settings *s)
{
	__u32 slots = s->lookup == XR_LOOKUP_FIB ? s->route_cache : 0;

	if (slots & (slots - 1) || slots == 1 || slots > XR_ROUTE_CACHE_MAX)
		return -EINVAL;
	r->skel->rodata->xr_rc_slots = slots;
	return router_route_cache_size_maps(r);
}

/*
 * Table mode's IPv4 lookup structure (maps/xr_table.h): 64 MiB for the
 * /24s and a group per XR_DIR_GROUPS_PER_ROUTE routes; one unused entry
 * each in fib mode, which never reads them.
 */
static int dir_sizes(struct router *r, const struct router_settings *s)
{
	bool table = s->lookup == XR_LOOKUP_TABLE;
	__u32 groups = s->max_routes_v4 / XR_DIR_GROUPS_PER_ROUTE;

	if (groups < XR_DIR_MIN_GROUPS)
		groups = XR_DIR_MIN_GROUPS;
	return bpf_map__set_max_entries(r->skel->maps.xr_dir24_v4,
					table ? XR_DIR24_BLOCKS : 1) ?:
	       bpf_map__set_max_entries(r->skel->maps.xr_dir8_v4,
					table ? groups : 1) ?:
	       bpf_map__set_max_entries(r->skel->maps.xr_dir_leaves_v4,
					table ? XR_DIR_MAX_LEAVES : 1);
}

/*
 * A new DIR-24-8 table beside a new, empty route list is complete as it
 * is: marked so, the first populate takes it without reading 64 MiB.
 */
static int dir_mark_new(struct router *r, const struct router_settings *s)
{
	const unsigned int both = 1U << ROUTER_PIN_DIR_LEAVES_V4 |
				  1U << ROUTER_PIN_ROUTES_V4;
	struct xr_dir_leaf mark = { .pad = XR_DIR_COMPLETE };
	__u32 key = XR_DIR_LEAF_MARK;
	int err;

	if (s->lookup != XR_LOOKUP_TABLE || (r->created & both) != both)
		return 0;
	err = bpf_map_update_elem(r->dir_leaves_v4_fd, &key, &mark, BPF_ANY);
	if (err) {
		err = -errno;
		log_error("cannot write %s: %s", XR_MAP_DIR_LEAVES_V4,
			  log_strerror(err));
	}
	return err;
}

/* The load-time knobs and map sizes, set between open and load. */
static int apply_settings(struct router *r, const struct router_settings *s)
{
	struct xdp_router__rodata *rodata = r->skel->rodata;
	int err;

	rodata->xr_lookup_mode = s->lookup;
	rodata->xr_fw_mode = s->firewall;
	/* Not a secret worth failing for: only routers in series must not
	 * share it (ECMP polarisation). */
	if (getrandom(&rodata->xr_ecmp_seed, sizeof(rodata->xr_ecmp_seed),
		      GRND_NONBLOCK) != sizeof(rodata->xr_ecmp_seed))
		log_verbose("no random ECMP hash seed: %s",
			    log_strerror(-errno));
	err = bpf_map__set_max_entries(r->skel->maps.xr_routes_v4,
				       s->max_routes_v4);
	if (!err)
		err = bpf_map__set_max_entries(r->skel->maps.xr_routes_v6,
					       s->max_routes_v6);
	if (!err)
		err = dir_sizes(r, s);
	if (!err)
		err = lb_apply_sizes(r, s);
	if (!err)
		err = route_cache_sizes(r, s);
	if (!err)
		err = router_steer_apply(r, s);
	return err;
}

/* Loads the opened skeleton; takes the fds and id of what it loaded. */
int router_load_skel(struct router *r)
{
	struct bpf_prog_info info;
	int err = xdp_router__load(r->skel);

	if (err) {
		log_error("cannot load the XDP program: %s (-v shows the "
			  "verifier's log)", log_strerror(err));
		return err;
	}
	r->prog_fd = bpf_program__fd(r->skel->progs.xdp_router);
	for (int pin = ROUTER_PIN_PROG + 1; pin < ROUTER_PIN_MAX; pin++)
		r->fds[pin] = bpf_map__fd(bpf_object__find_map_by_name(
			r->skel->obj, router_pin_name(pin)));
	err = prog_info(r->prog_fd, &info);
	if (err) {
		log_error("cannot inspect the loaded program: %s",
			  log_strerror(err));
		return err;
	}
	r->prog_id = info.id;
	return 0;
}

int router_load(struct router *r, const char *pin_path,
		const struct router_settings *settings)
{
	char path[PATH_MAX];
	int err;

	router_init(r, pin_path);
	if (r->nr_cpus < 0) {
		log_error("cannot count the possible CPUs: %s",
			  log_strerror(r->nr_cpus));
		return r->nr_cpus;
	}
	err = pin_mkdir(pin_path);
	if (err)
		return err;

	r->skel = xdp_router__open();
	if (!r->skel) {
		err = -errno;
		log_error("cannot open the XDP object: %s", log_strerror(err));
		goto fail;
	}
	for (int pin = ROUTER_PIN_PROG + 1; !err && pin < ROUTER_PIN_MAX; pin++)
		err = router_pin_map(r, pin);
	if (err) {
		log_error("cannot set the map pin paths: %s",
			  log_strerror(err));
		goto fail;
	}
	err = apply_settings(r, settings);
	if (err) {
		log_error("cannot apply the load-time settings: %s",
			  log_strerror(err));
		goto fail;
	}
	err = router_load_skel(r);
	if (err)
		goto fail;
	err = dir_mark_new(r, settings);
	if (err)
		goto fail;

	pin_of(r, ROUTER_PIN_PROG, path, sizeof(path));
	err = bpf_program__pin(r->skel->progs.xdp_router, path);
	if (err) {
		log_error("cannot pin the program at %s: %s", path,
			  log_strerror(err));
		goto fail;
	}
	r->created |= 1U << ROUTER_PIN_PROG;

	err = router_steer_start(r, settings);
	if (err)
		goto fail;
	log_verbose("loaded %s (id %u, --lookup %s), pinned at %s",
		    XR_PROG_NAME, r->prog_id, lookup_name(settings->lookup),
		    pin_path);
	return 0;

fail:
	router_unpin(r, true);
	router_close(r);
	return err;
}

void router_unpin(struct router *r, bool only_created)
{
	char path[PATH_MAX];

	if (only_created && !r->created)
		return;
	/* The watchers' links live as long as the program's pin. */
	if (!only_created || r->created & (1U << ROUTER_PIN_PROG))
		route_watch_stop(r);
	for (int pin = 0; pin < ROUTER_PIN_MAX; pin++) {
		if (only_created && !(r->created & (1U << pin)))
			continue;
		pin_of(r, pin, path, sizeof(path));
		if (unlink(path) && errno != ENOENT)
			log_warn("cannot remove %s: %s", path,
				 log_strerror(errno));
	}
	r->created = 0;
	/* Anything else in it is not ours to delete. */
	if (!rmdir(r->pin_path) || errno == ENOENT)
		return;
	if (errno == ENOTEMPTY || errno == EEXIST)
		log_verbose("left %s in place: not empty", r->pin_path);
	else
		log_warn("cannot remove %s: %s", r->pin_path,
			 log_strerror(errno));
}

void router_close(struct router *r)
{
	if (r->skel) {
		/* The skeleton owns the program's and maps' fds. */
		xdp_router__destroy(r->skel);
		r->skel = NULL;
	} else {
		for (int pin = 0; pin < ROUTER_PIN_MAX; pin++)
			if (r->fds[pin] >= 0)
				close(r->fds[pin]);
	}
	for (int pin = 0; pin < ROUTER_PIN_MAX; pin++)
		r->fds[pin] = -1;
}

void router_drop_prog(struct router *r)
{
	if (r->skel || r->prog_fd < 0)
		return;
	close(r->prog_fd);
	r->prog_fd = -1;
}

int router_prog_ident(const struct router *r, char *name, size_t name_len,
		      char tag[17])
{
	struct bpf_prog_info info;
	int err = prog_info(r->prog_fd, &info);

	if (err)
		return err;
	snprintf(name, name_len, "%s", info.name);
	for (int i = 0; i < BPF_TAG_SIZE; i++)
		sprintf(tag + 2 * i, "%02x", info.tag[i]);
	return 0;
}

int router_open_from_prog(struct router *r, const char *pin_path)
{
	int err;

	router_init(r, pin_path);
	err = open_prog(r);
	for (int pin = ROUTER_PIN_PROG + 1; !err && pin < ROUTER_PIN_MAX;
	     pin++) {
		int fd = router_prog_map_fd(r->prog_fd, router_pin_name(pin));

		if (fd >= 0)
			r->fds[pin] = fd;
		else if (fd != -ENOENT)
			err = fd;
	}
	if (err && err != -ENOENT)
		router_close(r);
	return err;
}

bool router_has_pins(const struct router *r)
{
	char path[PATH_MAX];

	for (int pin = 0; pin < ROUTER_PIN_MAX; pin++) {
		pin_of(r, pin, path, sizeof(path));
		if (!access(path, F_OK))
			return true;
	}
	return false;
}
