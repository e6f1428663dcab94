// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * reload [--force]
 *
 * Upgrades a running router to this binary's program without losing a
 * packet or any state: the new program is loaded over the pinned maps
 * (routes, interfaces and their counters, the load balancer's VIPs,
 * connections and counters) with the running program's load-time
 * settings, then swapped in atomically on every interface
 * (XDP_FLAGS_REPLACE: the driver switches programs between two packets)
 * and re-pinned. All or nothing: if any step fails, every interface runs
 * the old program again and its pin is untouched.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "dispatch.h"
#include "fw_record.h"
#include "log.h"
#include "members.h"
#include "mode.h"
#include "output.h"
#include "pin.h"
#include "reload_staged.h"
#include "route_watch.h"
#include "router.h"

static const char usage[] =
	"Usage: xdp-router reload [--force]\n"
	"\n"
	"Replaces the running router's program with this binary's, keeping "
	"its maps\n"
	"(routes, counters, load balancer state) and load-time settings; "
	"every\n"
	"interface switches atomically, no packet is lost.\n"
	"  -f, --force  reload even if the router already runs this build\n"
	"  -h, --help   show this help\n";

struct reload {
	struct router *old;		/* the running one (CMD_ROUTER's) */
	struct router new;
	struct member *members;
	size_t nmembers;
	size_t swapped;		/* members[0..swapped) switched, in order */
	char staged[PATH_MAX], pinned[PATH_MAX];
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool runs_old(const struct member *m)
{
	return m->exists && m->attached;
}

/* The same instructions: reloading would change nothing. */
static bool same_build(const struct reload *rl)
{
	char name[BPF_OBJ_NAME_LEN], a[17], b[17];

	return !router_prog_ident(rl->old, name, sizeof(name), a) &&
	       !router_prog_ident(&rl->new, name, sizeof(name), b) &&
	       !strcmp(a, b);
}

/*
 * Puts the old program back everywhere it was replaced. The staged pin goes
 * only if that worked everywhere: an interface left on the new program
 * needs it, so that reload_recover() (run by reload and detach) can finish
 * the job.
 */
static void rollback(struct reload *rl)
{
	const char *first = NULL;
	int failed = 0, err, first_err = 0;

	while (rl->swapped > 0) {
		struct member *m = &rl->members[--rl->swapped];

		if (!runs_old(m))
			continue;
		err = iface_xdp_attach(m->ifc.ifindex, rl->old->prog_fd,
				       m->mode, rl->new.prog_fd);
		if (err && !failed++) {
			first = m->ifc.name;
			first_err = err;
		}
	}
	if (!failed) {
		unlink(rl->staged);
		return;
	}
	log_error("rollback: cannot put the old program back on %s (%s)%s; "
		  "the new program stays pinned at %s and 'xdp-router reload' "
		  "or 'xdp-router detach' finishes the job", first,
		  log_strerror(first_err), failed > 1 ? " and others" : "",
		  rl->staged);
}

/*
 * The swap: staged pin, every interface, then the pin renamed over the old
 * one (atomic on bpffs: a reader sees the old or the new).
 */
static int switch_over(struct reload *rl)
{
	int err;

	pin_file(rl->staged, sizeof(rl->staged), rl->old->pin_path,
		 RELOAD_PIN_STAGED);
	pin_file(rl->pinned, sizeof(rl->pinned), rl->old->pin_path,
		 XR_PIN_PROG);
	unlink(rl->staged);	/* left by a reload that was killed */
	err = bpf_obj_pin(rl->new.prog_fd, rl->staged);
	if (err) {
		err = -errno;
		log_error("cannot pin the new program at %s: %s", rl->staged,
			  log_strerror(err));
		return err;
	}
	for (; rl->swapped < rl->nmembers; rl->swapped++) {
		struct member *m = &rl->members[rl->swapped];

		if (!runs_old(m))
			continue;
		err = iface_xdp_attach(m->ifc.ifindex, rl->new.prog_fd,
				       m->mode, rl->old->prog_fd);
		if (err) {
			log_error("cannot switch %s to the new program: %s%s",
				  m->ifc.name, log_strerror(err),
				  err == -EEXIST ? " (its program changed "
				  "meanwhile)" : "");
			goto fail;
		}
	}
	if (rename(rl->staged, rl->pinned)) {
		err = -errno;
		log_error("cannot move the new pin over %s: %s", rl->pinned,
			  log_strerror(err));
		goto fail;
	}
	return 0;
fail:
	rollback(rl);
	return err;
}

static void print_result(const struct reload *rl, bool reloaded,
			 double load_ms, double swap_ms)
{
	out_open_object(NULL);
	out_bool(PRINT_JSON, "reloaded", NULL, reloaded);
	out_uint(PRINT_JSON, "old_prog_id", NULL, rl->old->prog_id);
	out_uint(PRINT_JSON, "prog_id", NULL,
		 reloaded ? rl->new.prog_id : rl->old->prog_id);
	if (reloaded)
		out_text("reloaded: prog id %u -> %u on", rl->old->prog_id,
			 rl->new.prog_id);
	else
		out_text("already running this build (prog id %u; --force "
			 "reloads anyway):", rl->old->prog_id);
	out_open_array("interfaces");
	for (size_t i = 0; i < rl->nmembers; i++) {
		const struct member *m = &rl->members[i];

		if (!runs_old(m))
			continue;
		out_open_object(NULL);
		out_string(PRINT_ANY, "ifname", " %s", m->ifc.name);
		out_uint(PRINT_JSON, "ifindex", NULL, m->ifc.ifindex);
		out_string(PRINT_ANY, "mode", " (%s)", mode_name(m->mode));
		out_close_object();
	}
	out_close_array();
	/* Members the old program no longer runs on: not switched. */
	out_open_array("stale");
	for (size_t i = 0; i < rl->nmembers; i++) {
		const struct member *m = &rl->members[i];

		if (runs_old(m))
			continue;
		out_open_object(NULL);
		out_uint(PRINT_ANY, "ifindex", ", not ifindex %llu",
			 m->ifc.ifindex);
		out_string(PRINT_ANY, "state", " (%s)",
			   m->exists ? "detached" : "gone");
		out_close_object();
	}
	out_close_array();
	out_float(PRINT_ANY, "load_ms", "; load %.1f ms", load_ms);
	if (reloaded)
		out_float(PRINT_ANY, "switch_ms", ", switch %.1f ms", swap_ms);
	out_text("\n");
	out_close_object();
	out_flush();
}

/*
 * The firewall gate's recorder runs the new build's code too: loaded again
 * over the same pinned maps (what it recorded stays valid) and swapped in
 * on each interface with BPF_TC_F_REPLACE, no packet unseen. Not fatal: if
 * it fails, the old recorder keeps recording into the same maps (a newer
 * map layout would have been refused by router_load_over()).
 */
static void recorder_ensure(const struct reload *rl)
{
	const char *names[XR_MAX_IFACES];
	int ifindex[XR_MAX_IFACES], n = 0;
	struct router_settings s;

	if (router_settings_read(&rl->new, &s) || s.firewall == XR_FW_OFF)
		return;
	for (size_t i = 0; i < rl->nmembers && n < XR_MAX_IFACES; i++) {
		if (!runs_old(&rl->members[i]))
			continue;
		names[n] = rl->members[i].ifc.name;
		ifindex[n++] = rl->members[i].ifc.ifindex;
	}
	if (fw_record_setup(&rl->new, ifindex, names, n))
		log_warn("reload: the firewall gate's recorder still runs the "
			 "old code");
}

static int reload(struct reload *rl, bool force)
{
	size_t running = 0;
	double t0, t1;
	int err;

	err = members_list(rl->old, &rl->members, &rl->nmembers);
	if (err) {
		log_error("cannot list the router's interfaces: %s",
			  log_strerror(err));
		goto out;
	}
	for (size_t i = 0; i < rl->nmembers; i++) {
		const struct member *m = &rl->members[i];

		/* Not swappable with XDP_FLAGS_REPLACE: libxdp would have
		 * to rebuild the dispatcher. Refused before any change. */
		if (m->dispatched) {
			log_error("%s runs the router in libxdp's dispatcher "
				  "(attach --multiprog), which reload does not "
				  "support yet; nothing changed (detach it, "
				  "reload, attach it again)", m->ifc.name);
			err = -EOPNOTSUPP;
			goto out;
		}
		running += runs_old(m);
	}
	if (!running) {
		log_error("the router at %s runs on no interface (status shows "
			  "why); nothing to reload", rl->old->pin_path);
		err = -ENOENT;
		goto out;
	}

	t0 = now_ms();
	err = router_load_over(&rl->new, rl->old);
	if (err)
		goto out;
	t1 = now_ms();
	if (!force && same_build(rl)) {
		print_result(rl, false, t1 - t0, 0);
		goto close_new;
	}
	err = switch_over(rl);
	if (!err) {
		route_watch_ensure(&rl->new);
		recorder_ensure(rl);
		print_result(rl, true, t1 - t0, now_ms() - t1);
	}
close_new:
	router_close(&rl->new);
out:
	free(rl->members);
	return err;
}

static const struct cmd_option reload_options[] = {
	CMD_ONE_FLAG("force", 'f'),
	{}
};

/* attach, detach and other reloads wait (CMD_LOCK): the members stay put. */
static int cmd_reload_run(struct cmd_ctx *c)
{
	struct reload rl = { .old = &c->r };

	return reload(&rl, *(const bool *)c->opts);
}

COMMAND(cmd_reload, "reload",
	"upgrade the running program, keeping maps and packets",
	CMD_NO_ARGS | CMD_CAPS | CMD_LOCK | CMD_RECOVER | CMD_ROUTER,
	CMD_OPTS(reload_options, bool),
	.usage = usage);
