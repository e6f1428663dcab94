// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The route cache's neighbour watchers; see route_watch.h. */
#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "route_watch.skel.h"
#include "xdp_router_types.h"
#include "log.h"
#include "pin.h"
#include "route_watch.h"
#include "router.h"

/* The tracepoints, by program: pinned as XR_PIN_WATCH_PREFIX + name. */
static const char *const watch_links[] = {
	"neigh_update",
	"neigh_timer_handler",
	"neigh_cleanup_and_release",
};
#define NR_WATCH_LINKS (int)(sizeof(watch_links) / sizeof(*watch_links))

static void link_pin_path(char *buf, size_t len, const char *pin_path,
			  int i)
{
	char name[64];

	snprintf(name, sizeof(name), XR_PIN_WATCH_PREFIX "%s",
		 watch_links[i]);
	pin_file(buf, len, pin_path, name);
}

static struct bpf_program *watch_prog(struct route_watch *skel, int i)
{
	struct bpf_program *progs[] = {
		skel->progs.xr_watch_neigh_update,
		skel->progs.xr_watch_neigh_timer,
		skel->progs.xr_watch_neigh_release,
	};

	_Static_assert(sizeof(progs) / sizeof(*progs) == NR_WATCH_LINKS,
		       "one program per tracepoint");
	return progs[i];
}

/* The namespace the CLI runs in: the router's (its interfaces'). */
static int netns_cookie(__u64 *cookie)
{
	socklen_t len = sizeof(*cookie);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		err = -errno;
	close(fd);
	return err;
}

static int set_watching(int map_fd, bool on)
{
	struct xr_route_watch w;
	__u32 zero = 0;
	int err;

	/* Only the CLI writes `watching`, under the pin lock; the counter
	 * beside it is the watchers' and keeps going. */
	err = bpf_map_lookup_elem(map_fd, &zero, &w);
	if (err)
		return -errno;
	w.watching = on;
	/* The data plane caches only for this namespace's interfaces (the
	 * program needs a kernel >= 6.3: the cookie is always there). */
	if (on) {
		err = netns_cookie(&w.net_cookie);
		if (err)
			return err;
	}
	/* The whole value is written back: a change counted since the read
	 * would be undone, and a CPU that had not seen it yet would miss
	 * it. One more count makes sure every CPU sees a change. */
	w.neigh_changes++;
	return bpf_map_update_elem(map_fd, &zero, &w, BPF_EXIST) ? -errno : 0;
}

int route_watch_start(struct router *r)
{
	struct bpf_link *links[NR_WATCH_LINKS] = {};
	struct route_watch *skel;
	char path[PATH_MAX];
	int err, pinned = 0;

	skel = route_watch__open();
	if (!skel)
		return -errno;
	err = bpf_map__reuse_fd(skel->maps.xr_route_watch, r->route_watch_fd);
	if (!err)
		err = route_watch__load(skel);
	for (int i = 0; !err && i < NR_WATCH_LINKS; i++) {
		links[i] = bpf_program__attach_raw_tracepoint(
			watch_prog(skel, i), watch_links[i]);
		if (!links[i])
			err = -errno;
	}
	for (; !err && pinned < NR_WATCH_LINKS; pinned++) {
		link_pin_path(path, sizeof(path), r->pin_path, pinned);
		unlink(path);	/* left by an interrupted attach */
		err = bpf_link__pin(links[pinned], path);
	}
	if (!err)
		err = set_watching(r->route_watch_fd, true);
	if (err)
		route_watch_stop(r);
	for (int i = 0; i < NR_WATCH_LINKS; i++)
		bpf_link__destroy(links[i]);	/* the pins hold them */
	route_watch__destroy(skel);
	return err;
}

void route_watch_ensure(struct router *r)
{
	struct route_watch_state w;
	struct router_settings s;
	int err;

	if (router_settings_read(r, &s) || s.lookup != XR_LOOKUP_FIB ||
	    !s.route_cache)
		return;
	if (!route_watch_read(r, &w) && w.watching && w.links == w.links_total)
		return;
	err = route_watch_start(r);
	if (err)
		log_warn("route cache off: cannot attach its neighbour "
			 "watchers: %s", log_strerror(err));
	else
		log_verbose("route cache on: %u slots per CPU and family",
			    s.route_cache);
}

void route_watch_stop(const struct router *r)
{
	char path[PATH_MAX];

	/* First: no packet may trust the cache once a watcher is gone. */
	if (r->route_watch_fd >= 0)
		set_watching(r->route_watch_fd, false);
	for (int i = 0; i < NR_WATCH_LINKS; i++) {
		link_pin_path(path, sizeof(path), r->pin_path, i);
		if (unlink(path) && errno != ENOENT)
			log_warn("cannot remove %s: %s", path,
				 log_strerror(-errno));
	}
}

int route_watch_read(const struct router *r, struct route_watch_state *st)
{
	struct xr_route_watch w;
	char path[PATH_MAX];
	__u32 zero = 0;

	if (bpf_map_lookup_elem(r->route_watch_fd, &zero, &w))
		return -errno;
	st->watching = w.watching;
	st->neigh_changes = w.neigh_changes;
	st->links_total = NR_WATCH_LINKS;
	st->links = 0;
	for (int i = 0; i < NR_WATCH_LINKS; i++) {
		link_pin_path(path, sizeof(path), r->pin_path, i);
		st->links += !access(path, F_OK);
	}
	return 0;
}
