// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lb watch: applies a file and follows it, probes the backends of VIPs
 * with health checks, and (cmd_lb_announce.c) announces the VIPs served.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <poll.h>
#include "lb_config.h"
#include "lb_health.h"
#include "lb_state.h"
#include "log.h"
#include "output.h"
#include "cmd_lb.h"
#include "cmd_lb_announce.h"

static volatile sig_atomic_t stop_flag;
static volatile int stop_probe;

static void on_signal(int sig)
{
	stop_flag = 1;
	stop_probe = 1;
}


struct watched {
	struct lb_health_track track;
	long long next_ms;
};

struct watch {
	struct cmd_ctx *c;		/* opened and closed for each apply */
	const char *path;
	struct lb_config cfg;		/* the file's, with health marks */
	struct watched *w;		/* per backend, in cfg's order */
	size_t nr;
	struct timespec mtime;
	off_t size;
	ino_t ino;
	struct watch_announce *ann;	/* the options */
	int ifindexes[XR_MAX_IFACES];	/* where the router is attached */
	size_t nr_ifindexes;
};

static long long mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

void cmd_lb_watch_event(const char *kind, const struct lb_vip *v,
			const struct lb_backend *b, const char *addr,
			const char *why)
{
	char a[INET6_ADDRSTRLEN], ts[32];
	time_t now = time(NULL);
	struct tm tm;

	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", localtime_r(&now, &tm));
	out_open_object(NULL);
	out_string(PRINT_ANY, "time", "%s ", ts);
	out_string(PRINT_ANY, "event", "%s", kind);
	if (v)
		out_string(PRINT_ANY, "vip", " vip %s", v->name);
	if (b)
		out_string(PRINT_ANY, "backend", " backend %s",
			   lb_addr_str(&b->addr, a, sizeof(a)));
	if (addr)
		out_string(PRINT_ANY, "address", ": %s", addr);
	if (why && why[0])
		out_string(PRINT_ANY, "reason", ": %s", why);
	out_text("\n");
	out_close_object();
	out_flush();
}

/*
 * Applies the watched file (@file), or only the checker's health marks on
 * top of what runs (so that one-off commands given meanwhile stay until the
 * file changes). Errors are logged, not fatal.
 */
static int watch_apply(struct watch *wt, bool file, const char *why)
{
	struct lb_maps *m = &wt->c->lb;
	struct lb_apply_result res;
	char err[LB_ERR_MAX] = "";
	struct lb_config copy;
	int rc;

	rc = cmd_open(wt->c, CMD_LB_SESSION);
	if (rc)
		return rc;
	memcpy(wt->ifindexes, m->ifindexes, sizeof(wt->ifindexes));
	wt->nr_ifindexes = m->nr_ifindexes;
	if (file) {
		rc = lb_config_copy(&copy, &wt->cfg);
	} else {
		rc = lb_state_read(m, &copy);
		if (!rc)
			lb_config_inherit_health(&copy, &wt->cfg);
	}
	if (!rc) {
		struct lb_apply_opts o = {
			.resolve_timeout_ms = LB_RESOLVE_MS };

		rc = lb_state_apply(m, &copy, &o, &res, err, sizeof(err));
		lb_config_free(&copy);
	}
	cmd_close(wt->c);
	if (rc) {
		cmd_lb_watch_event("apply-failed", NULL, NULL, NULL,
				   err[0] ? err : log_strerror(rc));
		return rc;
	}
	if (res.vips_added || res.vips_removed || res.vips_changed ||
	    res.backends_added || res.backends_removed ||
	    res.backends_changed) {
		char msg[200];

		snprintf(msg, sizeof(msg), "%s: VIPs +%u -%u ~%u, backends "
			 "+%u -%u ~%u, %u ring slots", why, res.vips_added,
			 res.vips_removed, res.vips_changed,
			 res.backends_added, res.backends_removed,
			 res.backends_changed, res.slots_written);
		cmd_lb_watch_event("applied", NULL, NULL, NULL, msg);
	}
	return 0;
}

static bool file_changed(struct watch *wt)
{
	struct stat st;

	if (stat(wt->path, &st))
		return false;	/* being replaced: wait for the new one */
	if (st.st_mtim.tv_sec == wt->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == wt->mtime.tv_nsec &&
	    st.st_size == wt->size && st.st_ino == wt->ino)
		return false;
	wt->mtime = st.st_mtim;
	wt->size = st.st_size;
	wt->ino = st.st_ino;
	return true;
}

/* Takes @cfg as the new configuration, keeping health of same backends. */
static int watch_take(struct watch *wt, struct lb_config *cfg,
		      const struct lb_config *marks)
{
	size_t n = cmd_lb_count_backends(cfg), k = 0;
	struct watched *w = calloc(n + 1, sizeof(*w));
	long long now = mono_ms();

	if (!w)
		return -ENOMEM;
	lb_config_inherit_health(cfg, marks);
	for (size_t i = 0; i < cfg->nr_vips; i++) {
		struct lb_vip *v = &cfg->vips[i];
		const struct lb_vip *ov = lb_config_find_vip(&wt->cfg, v);

		for (size_t j = 0; j < v->nr_backends; j++, k++) {
			struct lb_backend *b = &v->backends[j];

			if (!v->health.enabled)
				b->health_down = false;
			/* Keep the run of results of a backend we know. */
			if (ov) {
				size_t base = 0;

				for (size_t x = 0; x < wt->cfg.nr_vips; x++) {
					const struct lb_vip *o =
						&wt->cfg.vips[x];

					if (o == ov) {
						for (size_t y = 0;
						     y < o->nr_backends; y++)
							if (!lb_addr_cmp(
								&o->backends[y].addr,
								&b->addr) &&
							    o->backends[y].port ==
								    b->port)
								w[k] = wt->w[base + y];
						break;
					}
					base += o->nr_backends;
				}
			}
			if (!w[k].next_ms)
				w[k].next_ms = now;
		}
	}
	lb_config_free(&wt->cfg);
	free(wt->w);
	wt->cfg = *cfg;
	wt->w = w;
	wt->nr = n;
	return 0;
}

static int watch_reload(struct watch *wt, bool first)
{
	struct lb_config cfg, marks = {};
	char err[LB_ERR_MAX];
	int rc;

	rc = lb_config_load(wt->path, &cfg, err, sizeof(err));
	if (rc) {
		if (first) {
			log_error("%s", err);
			return rc;
		}
		cmd_lb_watch_event("config-invalid", NULL, NULL, NULL, err);
		return 0;	/* keep running the previous one */
	}
	if (first) {
		/* Marks left by a previous checker are kept until probed. */
		rc = cmd_open(wt->c, CMD_LB_SESSION);
		if (!rc) {
			rc = cmd_lb_read(wt->c, &marks);
			cmd_close(wt->c);
		}
		if (rc) {
			lb_config_free(&cfg);
			return rc;
		}
		rc = watch_take(wt, &cfg, &marks);
		lb_config_free(&marks);
	} else {
		struct lb_config old;

		rc = lb_config_copy(&old, &wt->cfg);
		if (!rc) {
			rc = watch_take(wt, &cfg, &old);
			lb_config_free(&old);
		}
	}
	if (rc) {
		lb_config_free(&cfg);
		log_error("out of memory");
		return rc;
	}
	if (first)
		cmd_lb_watch_event("started", NULL, NULL, NULL, wt->path);
	rc = watch_apply(wt, true, first ? "started" : "file changed");
	if (rc && first) {
		if (!log_error_printed())
			log_error("cannot apply %s", wt->path);
		return rc;
	}
	return 0;
}

static int watch_probe_due(struct watch *wt)
{
	struct lb_probe *p = calloc(wt->nr + 1, sizeof(*p));
	size_t *which = calloc(wt->nr + 1, sizeof(*which));
	long long now = mono_ms();
	bool changed = false;
	size_t n = 0, k = 0;
	int rc = 0;

	if (!p || !which) {
		free(p);
		free(which);
		return -ENOMEM;
	}
	for (size_t i = 0; i < wt->cfg.nr_vips; i++) {
		struct lb_vip *v = &wt->cfg.vips[i];

		for (size_t j = 0; j < v->nr_backends; j++, k++) {
			if (!v->health.enabled || wt->w[k].next_ms > now)
				continue;
			p[n].addr = v->backends[j].addr;
			p[n].port = lb_probe_port(v, &v->backends[j]);
			p[n].http_path = v->health.http_path;
			p[n].timeout_ms = v->health.timeout_ms;
			which[n++] = k;
			wt->w[k].next_ms = now + v->health.interval_ms;
		}
	}
	if (n)
		rc = lb_probe_run(p, n, &stop_probe);
	for (size_t x = 0; !rc && x < n; x++) {
		size_t at = which[x], base = 0;

		for (size_t i = 0; i < wt->cfg.nr_vips; i++) {
			struct lb_vip *v = &wt->cfg.vips[i];

			if (at >= base + v->nr_backends) {
				base += v->nr_backends;
				continue;
			}
			struct lb_backend *b = &v->backends[at - base];

			if (lb_health_update(&wt->w[at].track, &v->health,
					     p[x].ok, &b->health_down)) {
				cmd_lb_watch_event(b->health_down ? "backend-down"
							      : "backend-up",
					       v, b, NULL, p[x].msg);
				changed = true;
			}
			break;
		}
	}
	free(p);
	free(which);
	if (rc == -EINTR)
		return 0;
	if (!rc && changed)
		watch_apply(wt, false, "health");
	return rc;
}

static long long next_due(const struct watch *wt)
{
	long long due = -1;
	size_t k = 0;

	for (size_t i = 0; i < wt->cfg.nr_vips; i++) {
		const struct lb_vip *v = &wt->cfg.vips[i];

		for (size_t j = 0; j < v->nr_backends; j++, k++)
			if (v->health.enabled &&
			    (due < 0 || wt->w[k].next_ms < due))
				due = wt->w[k].next_ms;
	}
	return due;
}

/* Routes for the VIPs served now; failures retried. */
static void announce_update(struct watch *wt)
{
	watch_announce_update(wt->ann, &wt->cfg, wt->ifindexes,
			      wt->nr_ifindexes);
}

static int cmd_lb_watch_check(struct cmd_ctx *c)
{
	if (c->argc == 1)
		return 0;
	log_error("lb watch: expected FILE");
	return -EINVAL;
}

static int cmd_lb_watch_run(struct cmd_ctx *c)
{
	struct watch wt = { .c = c, .ann = c->opts };
	char dir[PATH_MAX], *slash;
	struct sigaction sa = { .sa_handler = on_signal };
	int rc, ino_fd;

	wt.path = c->argv[0];
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* The device first: a second watcher on it fails before applying. */
	rc = watch_announce_open(wt.ann);
	if (rc)
		goto out;
	file_changed(&wt);
	rc = watch_reload(&wt, true);
	if (rc)
		goto out;
	announce_update(&wt);

	/* The directory: editors and config tools replace files. */
	snprintf(dir, sizeof(dir), "%s", wt.path);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ino_fd >= 0 &&
	    inotify_add_watch(ino_fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO |
						   IN_CREATE | IN_MODIFY) < 0) {
		close(ino_fd);
		ino_fd = -1;
	}
	while (!stop_flag) {
		long long due = next_due(&wt), now = mono_ms();
		/* mtime is checked every second too (no inotify, NFS). */
		int timeout = 1000;
		struct pollfd pfd = { .fd = ino_fd, .events = POLLIN };

		if (due >= 0 && due - now < timeout)
			timeout = due > now ? (int)(due - now) : 0;
		if (poll(&pfd, ino_fd >= 0 ? 1 : 0, timeout) > 0) {
			char buf[4096];

			while (read(ino_fd, buf, sizeof(buf)) > 0)
				;
			/* Let a writer finish before reading. */
			poll(NULL, 0, 50);
		}
		if (stop_flag)
			break;
		if (file_changed(&wt)) {
			rc = watch_reload(&wt, false);
			if (rc)
				break;
		}
		rc = watch_probe_due(&wt);
		if (rc)
			break;
		announce_update(&wt);
	}
	if (ino_fd >= 0)
		close(ino_fd);
	if (!rc) {
		watch_announce_withdraw(wt.ann);
		cmd_lb_watch_event("stopped", NULL, NULL, NULL, NULL);
	}
out:
	watch_announce_close(wt.ann);
	lb_config_free(&wt.cfg);
	free(wt.w);
	if (rc && !log_error_printed())
		log_error("lb watch: %s", log_strerror(rc));
	return rc;
}

static const struct watch_announce watch_defaults = WATCH_ANNOUNCE_INIT;

COMMAND(cmd_lb_watch, "watch", "apply a file and keep backends checked", 0,
	CMD_OPTS(watch_announce_options, struct watch_announce),
	.defaults = &watch_defaults,
	.usage = "Usage: xdp-router lb watch FILE "
		 "[--announce-table N [--announce-dev NAME]]\n\n"
		 "Applies FILE, then stays in the foreground: applies it again "
		 "whenever it\n"
		 "changes (an invalid version is reported and ignored), probes "
		 "the backends\n"
		 "of VIPs with health checks (health: in FILE), takes a backend "
		 "out of its\n"
		 "ring after 'fall' failed probes and back after 'rise' good "
		 "ones, and logs\n"
		 "every transition. SIGINT/SIGTERM end it (exit 0); the maps "
		 "stay as they are.\n"
		 WATCH_ANNOUNCE_HELP
		 "  -h, --help                show this help\n",
	.check = cmd_lb_watch_check);
