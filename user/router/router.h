/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The router instance behind a pin path: its XDP program and maps, either
 * opened from their pins or loaded fresh through the skeleton and pinned.
 * Functions return 0 or a negative errno and report their own errors,
 * except where noted.
 */
#ifndef XR_ROUTER_H
#define XR_ROUTER_H

#include <limits.h>
#include <stdbool.h>
#include <linux/types.h>
#include "xdp_router_types.h"

struct xdp_router;

/*
 * Everything pinned under the pin path: the program, then the maps of
 * XR_PINNED_MAPS (maps/xr_maps.h), ROUTER_PIN_<ID> each.
 */
#define ROUTER_PIN_ENUM(ID, ...) ROUTER_PIN_##ID,
enum router_pin {
	ROUTER_PIN_PROG,
	XR_PINNED_MAPS(ROUTER_PIN_ENUM)
	ROUTER_PIN_MAX,
};
#undef ROUTER_PIN_ENUM

/*
 * What a router is loaded with, and keeps for its program's life: the
 * lookup and firewall modes (.rodata knobs), the sizes of the route tries
 * and of the load balancer's VIP maps and connection table. The running
 * program is the only record of them (router_settings_read()).
 */
struct router_settings {
	enum xr_lookup_mode lookup;
	__u32 max_routes_v4;
	__u32 max_routes_v6;
	__u32 lb_max_vips;	/* VIP ids 0..lb_max_vips-1 */
	__u32 lb_max_conns;
	/* attach --cpus: 0 CPUs, the receiving CPU routes (kern/cpu_steer.h) */
	__u32 steer_ncpus;
	__u32 steer_cpus[XR_STEER_MAX_CPUS];
	__u32 steer_qsize;	/* cpumap queue per CPU, frames */
	__u32 route_cache;	/* slots per CPU and family; 0: none */
	/* attach --firewall: when the gate (kern/firewall.h) judges */
	enum xr_fw_mode firewall;
};

#define ROUTER_SETTINGS_DEFAULT ((struct router_settings){ \
	.lookup = XR_LOOKUP_FIB,			\
	.max_routes_v4 = XR_DEFAULT_ROUTES_V4,		\
	.max_routes_v6 = XR_DEFAULT_ROUTES_V6,		\
	.lb_max_vips = XR_LB_DEFAULT_MAX_VIPS,		\
	.lb_max_conns = XR_LB_DEFAULT_CONNS,		\
	.steer_qsize = XR_STEER_DEFAULT_QSIZE,		\
	.route_cache = XR_ROUTE_CACHE_DEFAULT,		\
	.firewall = XR_FW_AUTO,				\
})

#define ROUTER_PIN_FD(ID, name, ...) int name##_fd;
struct router {
	char pin_path[PATH_MAX];
	struct xdp_router *skel;	/* loaded by this invocation */
	/* By pin (-1: not open), or by name: prog_fd, tx_ports_fd, ... (what
	 * each map holds: maps/, beside its row in the list). */
	union {
		int fds[ROUTER_PIN_MAX];
		struct {
			int prog_fd;
			XR_PINNED_MAPS(ROUTER_PIN_FD)
		};
	};
	__u32 prog_id;
	int nr_cpus;			/* possible CPUs: per-CPU value slots */
	unsigned int created;		/* bit per router_pin pinned by us */
};
#undef ROUTER_PIN_FD

/*
 * Opens the router pinned at @pin_path. Returns -ENOENT, without
 * reporting it, if no program is pinned there.
 */
int router_open(struct router *r, const char *pin_path);

/*
 * router_open() for commands that work on a running router: reports
 * "nothing attached at PIN_PATH" (-ENOENT) when there is none.
 */
int router_open_attached(struct router *r, const char *pin_path);

/* What router_follow() found. */
enum router_change {
	ROUTER_SAME,
	ROUTER_RELOADED,	/* another program over the same maps */
	ROUTER_REPLACED,	/* another program and maps (detach, attach) */
};

/*
 * For commands that keep running: if another program is pinned at @r's pin
 * path now (reload, or detach and attach), closes @r and opens that one
 * in its place, so that the old program and its maps are not kept alive.
 * Returns -ENOENT, without reporting it, if no program is pinned any more
 * (@r is left as it was); other errors are reported.
 */
int router_follow(struct router *r, enum router_change *change);

/*
 * For commands that keep writing the maps (populate --watch): 0 if @r's
 * maps are still the ones pinned at its pin path, -ESTALE if the router
 * was detached (or detached and attached again: new maps) meanwhile, or
 * another negative errno. Reports nothing.
 */
int router_maps_current(const struct router *r);

/*
 * Loads the program with @settings, pins it and its maps (reusing pinned
 * maps).
 */
int router_load(struct router *r, const char *pin_path,
		const struct router_settings *settings);

/*
 * The settings the open router runs with: the lookup and firewall modes
 * from its program's .rodata, the sizes from its maps. Returns 0 or a negative
 * errno, without reporting it.
 */
int router_settings_read(const struct router *r, struct router_settings *s);

/*
 * Removes the pins (all of them, or only those this invocation created)
 * and the pin dir if that leaves it empty.
 */
void router_unpin(struct router *r, bool only_created);

void router_close(struct router *r);

/*
 * --cpus: the per-CPU rows of xr_cpu_stats (@n = r->nr_cpus of them, the
 * caller's array). Returns 0 or a negative errno, without reporting it.
 */
int router_cpu_stats(const struct router *r, struct xr_cpu_stats *rows);

/* "0,1,3" for settings @s ("" when --cpus is off). */
void router_cpus_format(const struct router_settings *s, char *buf,
			size_t len);

/* Parses an attach --cpus LIST ("0,2-3") into @s. Reports its errors. */
int router_cpus_parse(const char *list, struct router_settings *s);

struct pin_map_spec;

/*
 * The pin file name of @pin and, for a map, the layout it must have
 * (pin_check.h); for ROUTER_PIN_PROG only the name.
 */
void router_pin_spec(enum router_pin pin, struct pin_map_spec *spec);

/*
 * Closes the program's fd of a router opened from its pins, for a command
 * that keeps running on the maps alone: a reload's old program is then
 * freed once no interface runs it. r->prog_id stays, for messages.
 */
void router_drop_prog(struct router *r);

/* The program's kernel name and tag as 16 hex digits. */
int router_prog_ident(const struct router *r, char *name, size_t name_len,
		      char tag[17]);

/*
 * reload: loads this build's program over the maps of the open router
 * @old (every pinned map, and the counters of --cpus), with its load-time
 * settings, into @r, and starts its cpumap queues; pins nothing and
 * attaches nothing. Refuses, changing nothing, a map this build would
 * read with another layout.
 */
int router_load_over(struct router *r, const struct router *old);

/*
 * detach --all on a damaged pin dir (a map pin missing or replaced): the
 * program from its pin, its maps from the program itself, whatever is
 * pinned beside it; a map the program does not use stays at -1. Returns
 * -ENOENT, without reporting it, if no program is pinned (@r is still
 * usable for router_unpin()).
 */
int router_open_from_prog(struct router *r, const char *pin_path);

/* Any of the router's pin names present at its pin path. */
bool router_has_pins(const struct router *r);

#endif /* XR_ROUTER_H */
