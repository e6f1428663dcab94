// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * detach IFACE... | detach --all
 *
 * Removes the router's program (never another one) and the firewall
 * gate's recorder (our tc egress filter, never another) from interfaces
 * and forgets them; after the last one the pins go too.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "dispatch.h"
#include "fw_record.h"
#include "ifmap.h"
#include "log.h"
#include "members.h"
#include "multiprog.h"
#include "output.h"
#include "pin.h"
#include "router.h"

static const char usage[] =
	"Usage: xdp-router detach IFACE...\n"
	"       xdp-router detach --all\n"
	"\n"
	"Detaches the router from interfaces; unpins it after the last one.\n"
	"  -a, --all   detach from every interface\n"
	"  -h, --help  show this help\n";

/* The members named on the command line, checked before any change. */
static int select_named(const struct router *r, char **names, int n,
			struct member *members, size_t nm,
			struct member **sel)
{
	struct iface ifc;
	struct member *m;
	__u32 id;
	enum xr_mode mode;

	for (int i = 0; i < n; i++) {
		if (iface_resolve(names[i], &ifc)) {
			log_error("cannot find interface '%s'", names[i]);
			return -ENODEV;
		}
		m = members_find(members, nm, ifc.ifindex);
		if (!m) {
			log_error("%s is not attached to xdp-router at %s",
				  ifc.name, r->pin_path);
			return -ENOENT;
		}
		if (!m->attached && iface_xdp_any(&m->xdp, &id, &mode)) {
			log_error("%s runs another XDP program (id %u), not "
				  "xdp-router's; not touching it", ifc.name, id);
			return -EBUSY;
		}
		for (int j = 0; j < i; j++) {
			if (sel[j] == m) {
				log_error("interface '%s' given twice",
					  names[i]);
				return -EINVAL;
			}
		}
		sel[i] = m;
	}
	return 0;
}

/* The router off @m; from a dispatcher, libxdp takes it out of the chain. */
static int detach_one(const struct router *r, const struct member *m)
{
	if (m->dispatched)
		return multiprog_detach(r, m->ifc.ifindex, m->mode);
	return iface_xdp_detach(m->ifc.ifindex, m->mode, r->prog_fd);
}

static int reattach_one(const struct router *r, const struct member *m)
{
	bool dispatched;

	if (m->dispatched)
		return multiprog_attach(r, m->ifc.ifindex, m->ifc.name,
					m->mode, &dispatched);
	return iface_xdp_attach(m->ifc.ifindex, r->prog_fd, m->mode, -1);
}

/* Detaches from all of @sel or, if one fails, from none. */
static int detach_programs(const struct router *r, struct member **sel,
			   int n)
{
	int i, err = 0;

	for (i = 0; i < n; i++) {
		if (!sel[i]->attached)
			continue;
		err = detach_one(r, sel[i]);
		if (err) {
			log_error("cannot detach from %s: %s",
				  sel[i]->ifc.name, log_strerror(err));
			break;
		}
	}
	if (!err)
		return 0;
	while (--i >= 0) {
		if (!sel[i]->attached)
			continue;
		if (reattach_one(r, sel[i]))
			log_error("rollback: cannot re-attach to %s",
				  sel[i]->ifc.name);
	}
	return err;
}

static int forget(const struct router *r, const struct member *m)
{
	int err;

	/* The firewall gate's recorder, ours alone (fw_record.h): the
	 * clsact qdisc and others' filters stay. Whatever the router's
	 * --firewall: one left by an earlier router goes too. Its program
	 * is already off the interface: a failure here only warns. */
	if (m->exists) {
		err = fw_record_detach(m->ifc.ifindex);
		if (err)
			log_warn("cannot remove the firewall gate's recorder "
				 "from %s (tc egress handle %#x prio %#x): %s",
				 m->ifc.name, FW_RECORD_HANDLE, FW_RECORD_PRIO,
				 log_strerror(err));
	}

	/* A damaged router's maps may be gone; its pins go anyway (--all). */
	if (r->tx_ports_fd < 0 || r->ifaces_fd < 0 || r->ifaces_arr_fd < 0)
		return 0;
	err = ifmap_remove(r, m->ifc.ifindex);

	if (err)
		log_error("cannot remove ifindex %d from the maps: %s",
			  m->ifc.ifindex, log_strerror(err));
	return err;
}

static void print_detached(struct member **sel, int n)
{
	out_open_array(NULL);
	for (int i = 0; i < n; i++) {
		out_open_object(NULL);
		out_string(PRINT_ANY, "ifname", "%s: ", sel[i]->ifc.name);
		out_uint(PRINT_JSON, "ifindex", NULL, sel[i]->ifc.ifindex);
		/* --all also forgets interfaces someone else took over. */
		out_bool(PRINT_JSON, "was_attached", NULL, sel[i]->attached);
		out_text(sel[i]->attached ? "detached\n" :
			 "forgotten (xdp-router was not running on it)\n");
		out_close_object();
	}
	out_close_array();
	out_flush();
}

/* Unpins the router if no interface is left. */
static void unpin_if_unused(struct router *r)
{
	struct member *members;
	size_t n;

	if (members_list(r, &members, &n))
		return;
	free(members);
	if (n)
		return;
	fw_record_release(r);
	router_unpin(r, false);
	log_verbose("no interface left: removed the pins at %s", r->pin_path);
}

static int detach(struct router *r, char **names, int n, bool all)
{
	struct member *members, **sel = NULL;
	size_t nm;
	int err, nsel = 0;

	err = members_list(r, &members, &nm);
	if (err) {
		log_error("cannot list the router's interfaces: %s",
			  log_strerror(err));
		return err;
	}
	if (!nm) {
		/* Pins without interfaces: left by an interrupted attach. */
		router_unpin(r, false);
		log_error("nothing attached at %s", r->pin_path);
		err = -ENOENT;
		goto out;
	}
	sel = calloc(all ? nm : (size_t)n, sizeof(*sel));
	if (!sel) {
		log_error("out of memory");
		err = -ENOMEM;
		goto out;
	}
	if (all) {
		for (size_t i = 0; i < nm; i++)
			if (members[i].exists)
				sel[nsel++] = &members[i];
	} else {
		err = select_named(r, names, n, members, nm, sel);
		if (err)
			goto out;
		nsel = n;
	}

	err = detach_programs(r, sel, nsel);
	if (err)
		goto out;
	for (int i = 0; i < nsel; i++)
		err = forget(r, sel[i]) ?: err;
	/* Interfaces deleted while attached leave entries behind. */
	for (size_t i = 0; i < nm; i++)
		if (!members[i].exists)
			err = forget(r, &members[i]) ?: err;
	if (!err)
		print_detached(sel, nsel);
	if (all && !err) {
		fw_record_release(r);
		router_unpin(r, false);
	} else
		unpin_if_unused(r);
out:
	free(sel);
	free(members);
	return err;
}

/*
 * No program pinned: --all removes map pins left behind (by an interrupted
 * attach, or by someone who removed the program's pin).
 */
static int remove_stale_pins(struct router *r, bool all)
{
	if (!all || !router_has_pins(r)) {
		log_error("nothing attached at %s", r->pin_path);
		return -ENOENT;
	}
	router_unpin(r, false);
	out_open_array(NULL);
	out_text("no program pinned: removed the map pins left at %s\n",
		 r->pin_path);
	out_close_array();
	out_flush();
	return 0;
}

static const struct cmd_option detach_options[] = {
	CMD_ONE_FLAG("all", 'a'),
	{}
};

static int cmd_detach_check(struct cmd_ctx *c)
{
	const bool *all = c->opts;

	if (*all != (c->argc > 0))
		return 0;
	log_error("detach: give either interfaces or --all (see 'xdp-router "
		  "detach --help')");
	return -EINVAL;
}

static int cmd_detach_run(struct cmd_ctx *c)
{
	bool all = *(const bool *)c->opts;
	struct router r;
	int err;

	/* --all also cleans up a damaged pin dir: the program's own maps. */
	err = all ? router_open_from_prog(&r, c->g->pin_path) :
		    router_open(&r, c->g->pin_path);
	if (err == -ENOENT)
		return remove_stale_pins(&r, all);
	if (err)
		return err;
	err = detach(&r, c->argv, c->argc, all);
	router_close(&r);
	return err;
}

COMMAND(cmd_detach, "detach", "detach the router from interfaces",
	CMD_CAPS | CMD_LOCK | CMD_RECOVER,
	CMD_OPTS(detach_options, bool),
	.usage = usage,
	.check = cmd_detach_check);
