// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What status shows of the route cache; see route_cache_view.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "xdp_router_types.h"
#include "output.h"
#include "route_cache_view.h"
#include "route_watch.h"
#include "router.h"
#include "router_priv.h"

/* Sums both families' per-CPU counters (found through the program). */
static int read_counters(const struct router *r, struct route_cache_view *v)
{
	int fd = router_prog_map_fd(r->prog_fd, XR_MAP_RC_STATE);
	struct xr_rc_state *st;
	int err = 0;

	if (fd < 0)
		return fd;
	st = calloc(r->nr_cpus, sizeof(*st));
	if (!st)
		err = -ENOMEM;
	for (__u32 family = 0; !err && family < 2; family++) {
		if (bpf_map_lookup_elem(fd, &family, st)) {
			err = -errno;
			break;
		}
		for (int c = 0; c < r->nr_cpus; c++) {
			v->hits += st[c].hits;
			v->misses += st[c].misses;
			v->stores += st[c].stores;
			v->bypassed += st[c].bypassed;
			v->sampling += !!st[c].sampling;
			v->epochs += st[c].epoch;
		}
	}
	free(st);
	close(fd);
	return err;
}

void route_cache_view_read(const struct router *r,
			   const struct router_settings *s,
			   struct route_cache_view *v)
{
	struct route_watch_state w;

	memset(v, 0, sizeof(*v));
	if (!s)
		return;
	v->slots = s->lookup == XR_LOOKUP_FIB ? s->route_cache : 0;
	if (route_watch_read(r, &w) || read_counters(r, v))
		return;
	v->known = true;
	v->neigh_changes = w.neigh_changes;
	if (s->lookup != XR_LOOKUP_FIB)
		v->why_off = "table lookup";
	else if (!v->slots)
		v->why_off = "attach --route-cache 0";
	else if (!w.watching || w.links != w.links_total)
		v->why_off = "neighbour watchers not attached";
	v->on = !v->why_off;
}

void route_cache_view_json(const struct route_cache_view *v)
{
	if (!out_json() || !v->known)
		return;
	out_open_object("route_cache");
	out_bool(PRINT_JSON, "on", NULL, v->on);
	if (v->why_off)
		out_string(PRINT_JSON, "off_because", NULL, v->why_off);
	out_uint(PRINT_JSON, "slots", NULL, v->slots);
	out_uint(PRINT_JSON, "hits", NULL, v->hits);
	out_uint(PRINT_JSON, "misses", NULL, v->misses);
	out_uint(PRINT_JSON, "stores", NULL, v->stores);
	out_uint(PRINT_JSON, "bypassed", NULL, v->bypassed);
	out_uint(PRINT_JSON, "epochs", NULL, v->epochs);
	out_uint(PRINT_JSON, "neigh_changes", NULL, v->neigh_changes);
	out_close_object();
}

void route_cache_view_text(const struct route_cache_view *v)
{
	if (out_json() || !v->known)
		return;
	if (!v->on) {
		out_text("Route cache off (%s)\n", v->why_off);
		return;
	}
	out_text("Route cache: %u slots per CPU and family; %llu hits, %llu "
		 "misses, %llu stored, %llu past it%s; %llu routing changes "
		 "seen, %llu neighbour changes\n", v->slots,
		 (unsigned long long)v->hits, (unsigned long long)v->misses,
		 (unsigned long long)v->stores,
		 (unsigned long long)v->bypassed,
		 v->sampling ? " (thrashing: sampling)" : "",
		 (unsigned long long)v->epochs,
		 (unsigned long long)v->neigh_changes);
}
