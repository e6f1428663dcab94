// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* status: the router's interfaces, like `xdp-loader status`. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "cmd_attach.h"
#include "dispatch.h"
#include "fw_record.h"
#include "ifmap.h"
#include "log.h"
#include "members.h"
#include "mode.h"
#include "multiprog.h"
#include "nf_rules.h"
#include "output.h"
#include "pin.h"
#include "reload_staged.h"
#include "route_cache_view.h"
#include "router.h"

static const char usage[] =
	"Usage: xdp-router status\n"
	"\n"
	"Shows the interfaces the router is attached to, how it looks up\n"
	"routes (attach --lookup) and, with attach --cpus, the CPUs that route\n"
	"and how many packets each handed over and routed. Where the router runs\n"
	"in libxdp's dispatcher (attach --multiprog), the programs of the chain\n"
	"in run order, as 'xdp-loader status' shows them. The firewall gate\n"
	"(attach --firewall): whether it judges packets now and why, and its\n"
	"recorder on each interface's tc egress.\n"
	"  -h, --help  show this help\n";

/* attach --cpus: the CPUs, and per CPU what it handed over and routed. */
struct steer_view {
	const struct router_settings *s;	/* NULL: settings unknown */
	struct xr_cpu_stats *rows;		/* NULL: no counters */
};

static void print_steer_json(const struct router *r,
			     const struct steer_view *v)
{
	if (!v->s)
		return;
	out_open_array("cpus");
	for (__u32 i = 0; i < v->s->steer_ncpus; i++)
		out_uint(PRINT_JSON, NULL, NULL, v->s->steer_cpus[i]);
	out_close_array();
	if (!v->s->steer_ncpus)
		return;
	out_uint(PRINT_JSON, "cpu_qsize", NULL, v->s->steer_qsize);
	if (!v->rows)
		return;
	out_open_array("cpu_stats");
	for (int c = 0; c < r->nr_cpus; c++) {
		out_open_object(NULL);
		out_uint(PRINT_JSON, "cpu", NULL, c);
		out_uint(PRINT_JSON, "steered", NULL, v->rows[c].steered);
		out_uint(PRINT_JSON, "steer_failed", NULL,
			 v->rows[c].steer_failed);
		out_uint(PRINT_JSON, "processed", NULL, v->rows[c].processed);
		out_close_object();
	}
	out_close_array();
}

static void print_steer_text(const struct router *r,
			     const struct steer_view *v)
{
	char list[XR_STEER_MAX_CPUS * 4];

	if (out_json() || !v->s || !v->s->steer_ncpus)
		return;
	attach_setting_value("cpus", v->s, list, sizeof(list));
	out_text("Routing on CPUs %s (attach --cpus; cpumap queues of %u "
		 "frames)\n", list, v->s->steer_qsize);
	for (int c = 0; v->rows && c < r->nr_cpus; c++)
		out_text("  CPU %-3d handed over %llu (failed %llu), routed "
			 "%llu\n", c, (unsigned long long)v->rows[c].steered,
			 (unsigned long long)v->rows[c].steer_failed,
			 (unsigned long long)v->rows[c].processed);
}

/*
 * attach --firewall: the mode, whether the gate judges packets now and why
 * (the netfilter rules as user space sees them; the data plane decides per
 * packet from the kernel's hook lists, kern/fw_generation.h).
 */
struct fw_view {
	int mode;		/* enum xr_fw_mode; -1: settings unknown */
	const char *gate;	/* on, off, blind, unknown */
	char reason[768];
	bool blind;		/* xr_fw_state.blind */
	const char *tcp_windows;	/* fw_record_tcp_windows() */
};

static void fw_view_read(const struct router *r,
			 const struct router_settings *s,
			 const struct member *m, size_t n, struct fw_view *v)
{
	const char *names[XR_MAX_IFACES];
	char chains[600];
	struct nf_rules nr;
	int k = 0, err;

	v->mode = s ? (int)s->firewall : -1;
	v->gate = "unknown";
	v->reason[0] = '\0';
	v->tcp_windows = fw_record_tcp_windows(r);
	if (!s)
		return;
	if (s->firewall == XR_FW_OFF) {
		v->gate = "off";
		snprintf(v->reason, sizeof(v->reason), "attach --firewall off");
		return;
	}
	for (size_t i = 0; i < n && k < XR_MAX_IFACES; i++)
		if (m[i].exists)
			names[k++] = m[i].ifc.name;
	err = fw_record_blind(r, &v->blind);
	if (!err)
		err = nf_rules_read(&nr, names, k);
	if (err) {
		snprintf(v->reason, sizeof(v->reason), "cannot read the "
			 "netfilter rules or the gate's state: %s",
			 log_strerror(err));
		return;
	}
	if (v->blind) {
		v->gate = "blind";
		snprintf(v->reason, sizeof(v->reason),
			 "legacy iptables tables %s", nr.legacy[0] ?
			 nr.legacy : "(gone since attach: reload to see)");
		return;
	}
	if (nf_rules_ingress_format(&nr, chains, sizeof(chains))) {
		v->gate = "blind";
		snprintf(v->reason, sizeof(v->reason),
			 "ingress chains %s: their interfaces' packets go to "
			 "the kernel", chains);
	} else if (nr.nr_chains) {
		nf_rules_chains_format(&nr, chains, sizeof(chains));
		v->gate = "on";
		snprintf(v->reason, sizeof(v->reason), "nftables chains %s",
			 chains);
	} else if (s->firewall == XR_FW_CONNTRACK) {
		v->gate = "on";
		snprintf(v->reason, sizeof(v->reason),
			 "attach --firewall conntrack");
	} else {
		v->gate = "off";
		snprintf(v->reason, sizeof(v->reason),
			 "no netfilter hooks on the forward path");
	}
	if (nr.legacy[0]) {
		size_t at = strlen(v->reason);

		snprintf(v->reason + at, sizeof(v->reason) - at,
			 "%slegacy iptables tables %s since attach (reload "
			 "to hand their packets to the kernel)",
			 "; ", nr.legacy);
	}
}

static void print_fw_json(const struct fw_view *v, const struct member *m)
{
	__u32 id;

	if (v->mode < 0)
		return;
	out_open_object("firewall");
	out_string(PRINT_JSON, "mode", NULL, fw_mode_name(v->mode));
	out_string(PRINT_JSON, "gate", NULL, v->gate);
	out_string(PRINT_JSON, "reason", NULL, v->reason);
	out_bool(PRINT_JSON, "blind", NULL, v->blind);
	out_string(PRINT_JSON, "tcp_windows", NULL, v->tcp_windows);
	out_bool(PRINT_JSON, "recorder", NULL,
		 m->exists && !fw_record_query(m->ifc.ifindex, &id));
	out_close_object();
}

static void print_fw_text(const struct fw_view *v, const struct member *m,
			  size_t n)
{
	bool any = false;
	__u32 id;

	if (out_json() || v->mode < 0)
		return;
	out_text("Firewall gate (attach --firewall %s): %s: %s\n",
		 fw_mode_name(v->mode), v->gate, v->reason);
	if (v->mode == XR_FW_OFF)
		return;
	out_text("  conntrack's TCP windows: %s%s\n", v->tcp_windows,
		 strcmp(v->tcp_windows, "strict") ? "" :
		 " (TCP goes to the kernel: pass_fw_tcp_strict)");
	out_text("  recorder on tc egress (handle %#x prio %#x):",
		 FW_RECORD_HANDLE, FW_RECORD_PRIO);
	for (size_t i = 0; i < n; i++) {
		if (!m[i].exists)
			continue;
		out_text("%s %s %s", any ? "," : "", m[i].ifc.name,
			 fw_record_query(m[i].ifc.ifindex, &id) ? "missing" :
			 "attached");
		any = true;
	}
	out_text("\n");
}

/* attach --multiprog: the programs of libxdp's dispatcher on @m, if any. */
struct chain_view {
	__u32 dispatcher_id;
	int n;
	struct multiprog_entry e[16];
};

static void chain_read(const struct member *m, struct chain_view *c)
{
	c->n = m->dispatched ? multiprog_chain(m->ifc.ifindex, c->e, 16,
					       &c->dispatcher_id) : 0;
	if (c->n < 0)
		c->n = 0;
}

/* Like `xdp-loader status`: run priority, name, id, chain call actions. */
static void print_chain(const struct member *m, const struct chain_view *c)
{
	if (!c->n)
		return;
	out_open_object("dispatcher");
	out_uint(PRINT_JSON, "id", NULL, c->dispatcher_id);
	out_text("  %s: libxdp dispatcher (id %u)\n", m->ifc.name,
		 c->dispatcher_id);
	out_open_array("programs");
	for (int i = 0; i < c->n; i++) {
		out_open_object(NULL);
		out_uint(PRINT_ANY, "prio", "    => %-4llu", c->e[i].prio);
		out_string(PRINT_ANY, "name", " %-16s", c->e[i].name);
		out_uint(PRINT_ANY, "id", " %-8llu", c->e[i].id);
		out_string(PRINT_ANY, "chain_actions", " %s\n",
			   c->e[i].actions);
		out_close_object();
	}
	out_close_array();
	out_close_object();
}

/*
 * Where attach --mode auto fell back to generic mode: why, as the kernel
 * said then (its errno; attach printed its words too).
 */
static void print_native_refused(const struct router *r,
				 const struct member *m)
{
	struct xr_iface iface;
	int err;

	if (!m->exists || !m->attached || m->mode != XR_MODE_GENERIC ||
	    ifmap_read(r, m->ifc.ifindex, &iface))
		return;
	err = ifmap_native_err(&iface);
	if (!err)
		return;
	out_open_object("native_refused");
	out_uint(PRINT_JSON, "errno", NULL, -err);
	out_text("  %s: generic mode: native XDP refused by the kernel: ",
		 m->ifc.name);
	out_string(PRINT_ANY, "error", "%s\n", log_strerror(err));
	out_close_object();
}

static void print_member(const struct router *r, const struct member *m,
			 const char *lookup, const char *name,
			 const char *tag, const struct steer_view *v,
			 const struct route_cache_view *rc,
			 const struct fw_view *fw)
{
	struct chain_view chain;

	chain_read(m, &chain);
	out_open_object(NULL);
	if (m->exists)
		out_string(PRINT_ANY, "ifname", "%-16s", m->ifc.name);
	else
		out_null(PRINT_ANY, "ifname", "%-16s");
	out_uint(PRINT_ANY, "ifindex", " %-8llu", m->ifc.ifindex);
	/* Still in the maps, but the interface was deleted ("gone") or
	 * someone removed the program ("detached"): detach cleans up. */
	out_string(PRINT_ANY, "mode", " %-9s",
		   !m->exists ? "gone" :
		   m->attached ? mode_name(m->mode) : "detached");
	out_string(PRINT_ANY, "lookup", " %-6s", lookup);
	out_uint(PRINT_ANY, "prog_id", " %-8llu", r->prog_id);
	out_string(PRINT_ANY, "prog_name", " %-16s", name);
	out_string(PRINT_ANY, "tag", " %-16s", tag);
	out_string(PRINT_ANY, "pin_path", " %s\n", r->pin_path);
	print_native_refused(r, m);
	print_chain(m, &chain);
	print_steer_json(r, v);
	route_cache_view_json(rc);
	print_fw_json(fw, m);
	out_close_object();
}

static int status(const struct router *r)
{
	char name[BPF_OBJ_NAME_LEN], tag[17], lookup[16] = "unknown";
	struct router_settings settings;
	struct steer_view v = { 0 };
	struct route_cache_view rc;
	struct fw_view fw;
	struct member *members;
	size_t n;
	int err;

	err = router_prog_ident(r, name, sizeof(name), tag);
	if (err) {
		log_error("cannot inspect the router's program: %s",
			  log_strerror(err));
		return err;
	}
	/* Not worth failing for (a router of another version?). */
	err = router_settings_read(r, &settings);
	if (err) {
		log_verbose("cannot read the router's settings: %s",
			    log_strerror(err));
	} else {
		attach_setting_value("lookup", &settings, lookup,
				     sizeof(lookup));
		v.s = &settings;
		if (settings.steer_ncpus) {
			v.rows = calloc(r->nr_cpus, sizeof(*v.rows));
			if (v.rows && router_cpu_stats(r, v.rows)) {
				free(v.rows);
				v.rows = NULL;
			}
		}
	}
	route_cache_view_read(r, v.s, &rc);
	err = members_list(r, &members, &n);
	if (err) {
		free(v.rows);
		log_error("cannot list the router's interfaces: %s",
			  log_strerror(err));
		return err;
	}
	if (!n) {
		log_error("nothing attached at %s", r->pin_path);
		free(members);
		free(v.rows);
		return -ENOENT;
	}
	fw_view_read(r, v.s, members, n, &fw);
	out_text("%-16s %-8s %-9s %-6s %-8s %-16s %-16s %s\n", "Interface",
		 "Ifindex", "Mode", "Lookup", "Prog ID", "Prog name", "Tag",
		 "Pin path");
	out_open_array(NULL);
	for (size_t i = 0; i < n; i++)
		print_member(r, &members[i], lookup, name, tag, &v, &rc,
			     &fw);
	out_close_array();
	print_steer_text(r, &v);
	route_cache_view_text(&rc);
	print_fw_text(&fw, members, n);
	out_flush();
	free(members);
	free(v.rows);
	return 0;
}

/* Interfaces of a killed reload run a program not pinned yet. */
static void warn_interrupted_reload(const char *pin_path)
{
	char staged[PATH_MAX];

	pin_file(staged, sizeof(staged), pin_path, RELOAD_PIN_STAGED);
	if (!access(staged, F_OK))
		log_warn("a reload was interrupted (%s is left); 'xdp-router "
			 "reload' finishes it", staged);
}

static int cmd_status_run(struct cmd_ctx *c)
{
	warn_interrupted_reload(c->g->pin_path);
	return status(&c->r);
}

COMMAND(cmd_status, "status", "show where the router is attached",
	CMD_NO_ARGS | CMD_CAPS | CMD_ROUTER,
	.usage = usage);
