// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lb apply, and the one-off changes: add-vip, del-vip, add-backend,
 * set-backend, del-backend. Each reads what runs, changes it, validates
 * it whole and applies the difference, under the pin lock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd_lb.h"
#include "lb_config.h"
#include "lb_state.h"
#include "log.h"
#include "output.h"
#include "params.h"

/* ---- output of an apply ---- */

static void print_result(const char *what, const struct lb_apply_result *r,
			 bool dry_run)
{
	out_open_object(NULL);
	out_string(PRINT_ANY, "applied", "%s: ", what);
	out_bool(PRINT_JSON, "dry_run", NULL, dry_run);
	out_open_object("vips");
	out_uint(PRINT_ANY, "added", "VIPs %llu added, ", r->vips_added);
	out_uint(PRINT_ANY, "removed", "%llu removed, ", r->vips_removed);
	out_uint(PRINT_ANY, "changed", "%llu changed; ", r->vips_changed);
	out_close_object();
	out_open_object("backends");
	out_uint(PRINT_ANY, "added", "backends %llu added, ",
		 r->backends_added);
	out_uint(PRINT_ANY, "removed", "%llu removed, ", r->backends_removed);
	out_uint(PRINT_ANY, "changed", "%llu changed; ", r->backends_changed);
	out_close_object();
	out_uint(PRINT_ANY, "ring_slots_written", "%llu ring slots written",
		 r->slots_written);
	out_text("%s\n", dry_run ? " (dry run: nothing written)" : "");
	out_close_object();
	out_flush();
}

static int apply_cfg(struct cmd_ctx *c, struct lb_config *want,
		     bool dry_run, struct lb_apply_result *res)
{
	struct lb_apply_opts opts = { .resolve_timeout_ms = LB_RESOLVE_MS,
				      .dry_run = dry_run };
	char err[LB_ERR_MAX];
	int rc = lb_state_apply(&c->lb, want, &opts, res, err, sizeof(err));

	if (rc)
		log_error("%s", err[0] ? err : log_strerror(rc));
	return rc;
}

/* ---- apply ---- */

struct apply_opts {
	bool dry_run;
	struct lb_config want;		/* the file's */
};

static const struct cmd_option apply_options[] = {
	CMD_FLAG("dry-run", 'n', struct apply_opts, dry_run),
	{}
};

/* The whole file is checked before anything is opened. */
static int cmd_lb_apply_check(struct cmd_ctx *c)
{
	struct apply_opts *o = c->opts;
	char err[LB_ERR_MAX];
	int rc;

	if (c->argc < 1) {
		log_error("lb apply: FILE is missing");
		return -EINVAL;
	}
	if (c->argc > 1) {
		log_error("lb apply: unexpected argument '%s'", c->argv[1]);
		return -EINVAL;
	}
	rc = lb_config_load(c->argv[0], &o->want, err, sizeof(err));
	if (rc)
		log_error("%s", err);
	return rc;
}

static int cmd_lb_apply_run(struct cmd_ctx *c)
{
	struct apply_opts *o = c->opts;
	struct lb_apply_result res;
	struct lb_config cur;
	int rc;

	rc = cmd_lb_read(c, &cur);
	if (rc)
		return rc;
	/* Health marks belong to the checker, not to the file. */
	lb_config_inherit_health(&o->want, &cur);
	lb_config_free(&cur);
	rc = apply_cfg(c, &o->want, o->dry_run, &res);
	if (!rc)
		print_result(c->argv[0], &res, o->dry_run);
	return rc;
}

static void cmd_lb_apply_fini(struct cmd_ctx *c)
{
	struct apply_opts *o = c->opts;

	lb_config_free(&o->want);
}

COMMAND(cmd_lb_apply, "apply", "apply a configuration file", CMD_LB_SESSION,
	CMD_OPTS(apply_options, struct apply_opts),
	.usage = "Usage: xdp-router lb apply FILE [--dry-run]\n"
		 "\n"
		 "Validates FILE whole, then changes the running load balancer "
		 "to match it:\n"
		 "unchanged VIPs and backends are not touched, established "
		 "connections\n"
		 "to remaining backends are kept.\n"
		 "  -n, --dry-run  validate, resolve and plan; write nothing\n",
	.check = cmd_lb_apply_check,
	.fini = cmd_lb_apply_fini);

/* ---- one-off commands ---- */

/* Reads what runs, changes it (@edit), validates it and applies it. */
typedef int (*edit_fn)(struct cmd_ctx *c, struct lb_config *cfg);

static int one_off(struct cmd_ctx *c, edit_fn edit)
{
	const char *cmd = c->cmd->name;
	struct lb_apply_result res;
	struct lb_config cfg;
	char err[LB_ERR_MAX];
	int rc;

	rc = cmd_lb_read(c, &cfg);
	if (rc)
		return rc;
	rc = edit(c, &cfg);
	if (!rc) {
		rc = lb_config_validate(&cfg, false, NULL, err, sizeof(err));
		if (rc)
			log_error("lb %s: %s", cmd, err);
	}
	if (!rc)
		rc = apply_cfg(c, &cfg, false, &res);
	if (!rc)
		print_result(cmd, &res, false);
	lb_config_free(&cfg);
	return rc;
}

struct vip_args {
	__u8 proto, mode;
	struct lb_addr addr;
	__u16 port;
};

static int set_proto(const struct cmd_option *o, void *opts, const char *arg,
		     const char *cmd)
{
	if (!lb_proto_parse(arg, &((struct vip_args *)opts)->proto))
		return 0;
	log_error("lb add-vip: invalid --proto '%s' (tcp, udp)", arg);
	return -EINVAL;
}

static int set_vip_mode(const struct cmd_option *o, void *opts,
			const char *arg, const char *cmd)
{
	if (!lb_mode_parse(arg, &((struct vip_args *)opts)->mode))
		return 0;
	log_error("lb add-vip: invalid --mode '%s' (dsr, nat)", arg);
	return -EINVAL;
}

static const struct cmd_option add_vip_options[] = {
	CMD_OPTION("proto", 'P', true, struct vip_args, proto, set_proto),
	CMD_OPTION("mode", 'm', true, struct vip_args, mode, set_vip_mode),
	{}
};

static int cmd_lb_add_vip_check(struct cmd_ctx *c)
{
	struct vip_args *a = c->opts;
	bool has_port;

	if (c->argc != 2) {
		log_error("lb add-vip: expected NAME ADDR[:PORT]");
		return -EINVAL;
	}
	if (!lb_name_valid(c->argv[0])) {
		log_error("lb add-vip: invalid VIP name '%s': 1 to %d "
			  "characters of A-Z a-z 0-9 _ . -", c->argv[0],
			  XR_LB_NAME_MAX - 1);
		return -EINVAL;
	}
	if (lb_endpoint_parse(c->argv[1], &a->addr, &a->port, &has_port)) {
		log_error("lb add-vip: '%s' is not ADDR[:PORT]", c->argv[1]);
		return -EINVAL;
	}
	return 0;
}

static int edit_add_vip(struct cmd_ctx *c, struct lb_config *cfg)
{
	const struct vip_args *a = c->opts;
	struct lb_vip *v = lb_config_add_vip(cfg);

	if (!v) {
		log_error("out of memory");
		return -ENOMEM;
	}
	snprintf(v->name, sizeof(v->name), "%s", c->argv[0]);
	v->addr = a->addr;
	v->port = a->port;
	v->proto = a->proto;
	v->mode = a->mode;
	/* As in a file without 'health:': TCP VIPs on one port only. */
	v->health.enabled = a->port != 0 && a->proto == IPPROTO_TCP;
	return 0;
}

static int cmd_lb_add_vip_run(struct cmd_ctx *c)
{
	return one_off(c, edit_add_vip);
}

static const struct vip_args add_vip_defaults = {
	.proto = IPPROTO_TCP,
	.mode = XR_LB_DSR,
};

COMMAND(cmd_lb_add_vip, "add-vip", "add a VIP", CMD_LB_SESSION,
	CMD_OPTS(add_vip_options, struct vip_args),
	.defaults = &add_vip_defaults,
	.usage = "Usage: xdp-router lb add-vip NAME ADDR[:PORT] "
		 "[--proto tcp|udp] [--mode dsr|nat]\n\n"
		 "Adds a VIP without backends (its traffic is dropped until "
		 "'lb add-backend').\n"
		 "No PORT (or 0): every port of the protocol. Defaults: tcp, "
		 "dsr.\n",
	.check = cmd_lb_add_vip_check);

static int cmd_lb_del_vip_check(struct cmd_ctx *c)
{
	if (c->argc >= 1)
		return 0;
	log_error("lb del-vip: expected a VIP");
	return -EINVAL;
}

static int edit_del_vip(struct cmd_ctx *c, struct lb_config *cfg)
{
	for (int i = 0; i < c->argc; i++) {
		size_t k;
		int rc = cmd_lb_find_vip("del-vip", cfg, c->argv[i], &k);

		if (rc)
			return rc;
		lb_config_del_vip(cfg, k);
	}
	return 0;
}

static int cmd_lb_del_vip_run(struct cmd_ctx *c)
{
	return one_off(c, edit_del_vip);
}

COMMAND(cmd_lb_del_vip, "del-vip", "remove VIPs", CMD_LB_SESSION,
	.usage = "Usage: xdp-router lb del-vip NAME|ADDR[:PORT]...\n\n"
		 "Removes VIPs: their entries first, then their rings and "
		 "backends.\n",
	.check = cmd_lb_del_vip_check);

/* add-backend, set-backend, del-backend: VIP ADDR... */
struct be_args {
	struct lb_addr addr;		/* add-backend */
	__u16 port;
	__u32 weight;
	__u8 state;
	bool set_weight, set_state;
};

static bool is(const char *cmd, const char *name)
{
	return !strcmp(cmd, name);
}

/* The three share their options; each takes those it can use. */
static int set_weight(const struct cmd_option *o, void *opts,
		      const char *arg, const char *cmd)
{
	struct be_args *a = opts;
	unsigned int v;

	if (is(cmd, "lb del-backend"))
		return CMD_OPT_FOREIGN;
	if (param_count(arg, &v) || v > LB_WEIGHT_MAX) {
		log_error("%s: invalid --weight '%s' (1..%d)", cmd, arg,
			  LB_WEIGHT_MAX);
		return -EINVAL;
	}
	a->weight = v;
	a->set_weight = true;
	return 0;
}

static int set_port(const struct cmd_option *o, void *opts, const char *arg,
		    const char *cmd)
{
	struct be_args *a = opts;
	unsigned int v;

	if (!is(cmd, "lb add-backend"))
		return CMD_OPT_FOREIGN;
	if (param_count(arg, &v) || v > 65535) {
		log_error("%s: invalid --port '%s' (1..65535)", cmd, arg);
		return -EINVAL;
	}
	a->port = v;
	return 0;
}

static int set_state(const struct cmd_option *o, void *opts,
		     const char *arg, const char *cmd)
{
	struct be_args *a = opts;

	if (is(cmd, "lb del-backend"))
		return CMD_OPT_FOREIGN;
	if (lb_state_parse(arg, &a->state)) {
		log_error("%s: invalid --state '%s' (active, drain, down)",
			  cmd, arg);
		return -EINVAL;
	}
	a->set_state = true;
	return 0;
}

static const struct cmd_option backend_options[] = {
	CMD_OPTION("weight", 'w', true, struct be_args, weight, set_weight),
	CMD_OPTION("port", 'P', true, struct be_args, port, set_port),
	CMD_OPTION("state", 's', true, struct be_args, state, set_state),
	{}
};

static int cmd_lb_backend_check(struct cmd_ctx *c)
{
	const char *cmd = c->cmd->name;
	bool add = is(cmd, "add-backend"), set = is(cmd, "set-backend");
	struct be_args *a = c->opts;
	bool has_port;
	__u16 p;

	if (c->argc < 2 || ((add || set) && c->argc != 2)) {
		log_error("lb %s: expected VIP ADDR%s", cmd,
			  add ? "" : set ? "[:PORT]" : "[:PORT]...");
		return -EINVAL;
	}
	if (set && !a->set_weight && !a->set_state) {
		log_error("lb set-backend: nothing to change (--weight, "
			  "--state)");
		return -EINVAL;
	}
	if (add && (lb_endpoint_parse(c->argv[1], &a->addr, &p, &has_port) ||
		    has_port)) {
		log_error("lb add-backend: '%s' is not an address (the port "
			  "goes in --port)", c->argv[1]);
		return -EINVAL;
	}
	return 0;
}

static int edit_add_backend(struct cmd_ctx *c, struct lb_config *cfg)
{
	const struct be_args *a = c->opts;
	struct lb_backend *b;
	char s[INET6_ADDRSTRLEN];
	struct lb_vip *v;
	size_t k;
	int rc = cmd_lb_find_vip("add-backend", cfg, c->argv[0], &k);

	if (rc)
		return rc;
	v = &cfg->vips[k];
	if (lb_vip_find_backend(v, &a->addr, a->port)) {
		log_error("lb add-backend: %s is already a backend of VIP "
			  "'%s' (lb set-backend changes it)",
			  lb_addr_str(&a->addr, s, sizeof(s)), v->name);
		return -EEXIST;
	}
	b = lb_vip_add_backend(v);
	if (!b) {
		log_error("out of memory");
		return -ENOMEM;
	}
	b->addr = a->addr;
	b->port = a->port;
	b->weight = a->set_weight ? a->weight : 1;
	b->state = a->set_state ? a->state : XR_BE_ACTIVE;
	return 0;
}

static int edit_set_backend(struct cmd_ctx *c, struct lb_config *cfg)
{
	const struct be_args *a = c->opts;
	struct lb_backend *b;
	size_t k, j;
	int rc = cmd_lb_find_vip("set-backend", cfg, c->argv[0], &k);

	if (!rc)
		rc = cmd_lb_find_backend("set-backend", &cfg->vips[k],
					 c->argv[1], &j);
	if (rc)
		return rc;
	b = &cfg->vips[k].backends[j];
	if (a->set_weight)
		b->weight = a->weight;
	if (a->set_state) {
		b->state = a->state;
		/* An operator's "active" overrides the checker's verdict
		 * until its next one. */
		if (a->state == XR_BE_ACTIVE)
			b->health_down = false;
	}
	return 0;
}

static int edit_del_backend(struct cmd_ctx *c, struct lb_config *cfg)
{
	size_t k, j;
	int rc = cmd_lb_find_vip("del-backend", cfg, c->argv[0], &k);

	for (int i = 1; !rc && i < c->argc; i++) {
		rc = cmd_lb_find_backend("del-backend", &cfg->vips[k],
					 c->argv[i], &j);
		if (!rc)
			lb_vip_del_backend(&cfg->vips[k], j);
	}
	return rc;
}

static int cmd_lb_backend_run(struct cmd_ctx *c)
{
	const char *cmd = c->cmd->name;

	return one_off(c, is(cmd, "add-backend") ? edit_add_backend :
			  is(cmd, "set-backend") ? edit_set_backend :
			  edit_del_backend);
}

#define BACKEND_COMMAND(_name, _summary, _usage) { \
	.name = (_name), .summary = (_summary), .flags = CMD_LB_SESSION, \
	.options = backend_options, .opts_size = sizeof(struct be_args), \
	.usage = (_usage), .check = cmd_lb_backend_check, \
	.run = cmd_lb_backend_run }

const struct command cmd_lb_add_backend = BACKEND_COMMAND(
	"add-backend", "add a backend to a VIP",
	"Usage: xdp-router lb add-backend VIP ADDR [--weight N] [--port P] "
	"[--state S]\n\n"
	"Adds a backend (weight 1..1000, default 1; --port: nat mode only; "
	"state\n"
	"active, drain or down). Its MAC comes from the neighbour table.\n");

const struct command cmd_lb_set_backend = BACKEND_COMMAND(
	"set-backend", "change a backend's weight/state",
	"Usage: xdp-router lb set-backend VIP ADDR[:PORT] [--weight N] "
	"[--state active|drain|down]\n\n"
	"drain: no new flows, established ones stay; down: out of the ring, "
	"its\n"
	"flows re-balanced. --state active also clears a health checker's "
	"mark.\n");

const struct command cmd_lb_del_backend = BACKEND_COMMAND(
	"del-backend", "remove backends from a VIP",
	"Usage: xdp-router lb del-backend VIP ADDR[:PORT]...\n\n"
	"Removes backends: their flows move to the others.\n");
