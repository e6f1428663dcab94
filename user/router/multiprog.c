// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* attach --multiprog through libxdp; see multiprog.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "freplace_probe.skel.h"
#include "log.h"
#include "multiprog.h"
#include "pin.h"
#include "router.h"
#include "xdp_router_types.h"

/* libxdp's messages would break the one-error-line contract: -v only. */
static int libxdp_print(enum libxdp_print_level level, const char *fmt,
			va_list ap)
{
	if (!log_verbose_enabled())
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void multiprog_init(const char *pin_path)
{
	char dir[PATH_MAX], *slash;

	libxdp_set_print(libxdp_print);
	if (getenv("LIBXDP_BPFFS") || pin_on_bpffs("/sys/fs/bpf"))
		return;
	snprintf(dir, sizeof(dir), "%s", pin_path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	if (pin_on_bpffs(dir)) {
		log_verbose("libxdp's bpffs: %s (LIBXDP_BPFFS)", dir);
		setenv("LIBXDP_BPFFS", dir, 0);
	}
}

int multiprog_probe(const struct router *r)
{
	struct freplace_probe *skel = freplace_probe__open();
	int err;

	if (!skel)
		return -errno;
	err = bpf_program__set_attach_target(skel->progs.xr_freplace_probe,
					     r->prog_fd, XR_PROG_NAME);
	if (!err)
		err = freplace_probe__load(skel);
	freplace_probe__destroy(skel);
	return err;
}

static enum xdp_attach_mode libxdp_mode(enum xr_mode mode)
{
	switch (mode) {
	case XR_MODE_NATIVE:
		return XDP_MODE_NATIVE;
	case XR_MODE_GENERIC:
		return XDP_MODE_SKB;
	case XR_MODE_OFFLOAD:
		return XDP_MODE_HW;
	default:
		return XDP_MODE_UNSPEC;
	}
}

/* Why a program runs without libxdp's dispatcher, for the messages. */
static void dispatcher_cause(const struct router *r, char *buf, size_t len)
{
	int err = multiprog_probe(r);

	if (err)
		snprintf(buf, len, "which this kernel cannot load: it refuses "
			 "freplace programs (%s)", log_strerror(err));
	else
		snprintf(buf, len, "attached by a loader that does not use it");
}

/* The interface's XDP programs as libxdp sees them; NULL if none. */
static struct xdp_multiprog *multiprog_get(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);

	return libxdp_get_error(mp) ? NULL : mp;
}

/* The program named @name in @mp, alone or in its dispatcher; or NULL. */
static struct xdp_program *find_in(const struct xdp_multiprog *mp,
				   const char *name)
{
	struct xdp_program *p;

	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		return p && !strcmp(xdp_program__name(p), name) ? p : NULL;
	}
	for (p = xdp_multiprog__next_prog(NULL, mp); p;
	     p = xdp_multiprog__next_prog(p, mp))
		if (!strcmp(xdp_program__name(p), name))
			return p;
	return NULL;
}

__u32 multiprog_find(int ifindex, const char *name)
{
	struct xdp_multiprog *mp = multiprog_get(ifindex);
	struct xdp_program *p;
	__u32 id = 0;

	if (!mp)
		return 0;
	p = find_in(mp, name);
	if (p)
		id = xdp_program__id(p);
	xdp_multiprog__close(mp);
	return id;
}

/*
 * A program attached without a dispatcher cannot be shared: libxdp would
 * refuse, and replacing it is --force's job, not --multiprog's.
 */
int multiprog_check(const struct router *r, int ifindex, const char *ifname)
{
	struct xdp_multiprog *mp = multiprog_get(ifindex);
	struct xdp_program *main_prog;
	char cause[160];
	int err = 0;

	if (!mp)
		return 0;
	main_prog = xdp_multiprog__main_prog(mp);
	if (xdp_multiprog__is_legacy(mp) && main_prog &&
	    xdp_program__id(main_prog) != r->prog_id) {
		dispatcher_cause(r, cause, sizeof(cause));
		log_error("cannot share %s with its XDP program %s (id %u): it "
			  "runs without libxdp's dispatcher, %s; left it in "
			  "place (attach --force replaces it)", ifname,
			  xdp_program__name(main_prog),
			  xdp_program__id(main_prog), cause);
		err = -EBUSY;
	}
	xdp_multiprog__close(mp);
	return err;
}

int multiprog_attach(const struct router *r, int ifindex, const char *ifname,
		     enum xr_mode mode, bool *dispatched)
{
	struct xdp_program *prog;
	struct xdp_multiprog *mp;
	char cause[160];
	int err;

	prog = xdp_program__from_id(r->prog_id);
	err = libxdp_get_error(prog);
	if (err) {
		log_error("libxdp cannot use the router's program (id %u): %s",
			  r->prog_id, log_strerror(err));
		return err;
	}
	/* Priority and chain call actions: the object's XDP_RUN_CONFIG. */
	err = xdp_program__attach(prog, ifindex, libxdp_mode(mode), 0);
	xdp_program__close(prog);
	if (err) {
		log_error("libxdp cannot attach the router to %s: %s", ifname,
			  log_strerror(err));
		return err;
	}
	mp = multiprog_get(ifindex);
	*dispatched = mp && !xdp_multiprog__is_legacy(mp);
	xdp_multiprog__close(mp);
	if (!*dispatched) {
		dispatcher_cause(r, cause, sizeof(cause));
		log_warn("%s: attached alone, without libxdp's dispatcher, %s; "
			 "no other XDP program can join it there", ifname,
			 cause);
	}
	return 0;
}

int multiprog_detach(const struct router *r, int ifindex, enum xr_mode mode)
{
	struct xdp_program *prog = xdp_program__from_id(r->prog_id);
	int err = libxdp_get_error(prog);

	if (err)
		return err;
	err = xdp_program__detach(prog, ifindex, libxdp_mode(mode), 0);
	xdp_program__close(prog);
	return err;
}

int multiprog_chain(int ifindex, struct multiprog_entry *e, size_t max,
		    __u32 *dispatcher_id)
{
	struct xdp_multiprog *mp = multiprog_get(ifindex);
	struct xdp_program *p;
	size_t n = 0;

	*dispatcher_id = 0;
	if (!mp)
		return 0;
	if (xdp_multiprog__is_legacy(mp)) {
		xdp_multiprog__close(mp);
		return 0;
	}
	*dispatcher_id = xdp_program__id(xdp_multiprog__main_prog(mp));
	for (p = xdp_multiprog__next_prog(NULL, mp); p && n < max;
	     p = xdp_multiprog__next_prog(p, mp), n++) {
		e[n].id = xdp_program__id(p);
		snprintf(e[n].name, sizeof(e[n].name), "%s",
			 xdp_program__name(p));
		e[n].prio = xdp_program__run_prio(p);
		if (xdp_program__print_chain_call_actions(p, e[n].actions,
							  sizeof(e[n].actions)))
			e[n].actions[0] = '\0';
	}
	xdp_multiprog__close(mp);
	return n;
}
