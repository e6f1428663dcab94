// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lb add-vip, del-vip, add-backend, set-backend, del-backend: one-off changes. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "command.h"
#include "lb_config.h"
#include "lb_state.h"
#include "log.h"
#include "output.h"
#include "cmd_lb.h"

/* ---- one-off commands ---- */

struct vip_args {
	const char *name;
	struct lb_addr addr;
	__u16 port;
	__u8 proto, mode;
	char **list;		/* del-vip */
	int nr;
};

static int edit_add_vip(struct lb_config *cfg, void *ctx)
{
	struct vip_args *a = ctx;
	struct lb_vip *v = lb_config_add_vip(cfg);

	if (!v) {
		log_error("out of memory");
		return -ENOMEM;
	}
	snprintf(v->name, sizeof(v->name), "%s", a->name);
	v->addr = a->addr;
	v->port = a->port;
	v->proto = a->proto;
	v->mode = a->mode;
	/* As in a file without 'health:': TCP VIPs on one port only. */
	v->health.enabled = a->port != 0 && a->proto == IPPROTO_TCP;
	return 0;
}

int lb_add_vip(const struct global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "proto", required_argument, NULL, 'P' },
		{ "mode", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct vip_args a = { .proto = IPPROTO_TCP, .mode = XR_LB_DSR };
	bool has_port;
	int c;

	while ((c = getopt_long(argc, argv, ":P:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'P':
			if (lb_proto_parse(optarg, &a.proto)) {
				log_error("lb add-vip: invalid --proto '%s' "
					  "(tcp, udp)", optarg);
				return -EINVAL;
			}
			break;
		case 'm':
			if (lb_mode_parse(optarg, &a.mode)) {
				log_error("lb add-vip: invalid --mode '%s' "
					  "(dsr, nat)", optarg);
				return -EINVAL;
			}
			break;
		case 'h':
			fputs("Usage: xdp-router lb add-vip NAME ADDR[:PORT] "
			      "[--proto tcp|udp] [--mode dsr|nat]\n\n"
			      "Adds a VIP without backends (its traffic is "
			      "dropped until 'lb add-backend').\n"
			      "No PORT (or 0): every port of the protocol. "
			      "Defaults: tcp, dsr.\n", stdout);
			return 0;
		default:
			return command_bad_option("lb add-vip", c, argv);
		}
	}
	if (argc - optind != 2) {
		log_error("lb add-vip: expected NAME ADDR[:PORT]");
		return -EINVAL;
	}
	a.name = argv[optind];
	if (!lb_name_valid(a.name)) {
		log_error("lb add-vip: invalid VIP name '%s': 1 to %d "
			  "characters of A-Z a-z 0-9 _ . -", a.name,
			  XR_LB_NAME_MAX - 1);
		return -EINVAL;
	}
	if (lb_endpoint_parse(argv[optind + 1], &a.addr, &a.port,
			      &has_port)) {
		log_error("lb add-vip: '%s' is not ADDR[:PORT]",
			  argv[optind + 1]);
		return -EINVAL;
	}
	return one_off(g, "add-vip", edit_add_vip, &a);
}

static int edit_del_vip(struct lb_config *cfg, void *ctx)
{
	struct vip_args *a = ctx;

	for (int i = 0; i < a->nr; i++) {
		size_t k;
		int rc = find_vip("del-vip", cfg, a->list[i], &k);

		if (rc)
			return rc;
		lb_config_del_vip(cfg, k);
	}
	return 0;
}

int lb_del_vip(const struct global *g, int argc, char **argv)
{
	struct vip_args a = {};
	int rc = simple_opts("lb del-vip",
			     "Usage: xdp-router lb del-vip NAME|ADDR[:PORT]..."
			     "\n\nRemoves VIPs: their entries first, then "
			     "their rings and backends.\n", argc, argv);

	if (rc)
		return rc > 0 ? 0 : rc;
	if (optind >= argc) {
		log_error("lb del-vip: expected a VIP");
		return -EINVAL;
	}
	a.list = argv + optind;
	a.nr = argc - optind;
	return one_off(g, "del-vip", edit_del_vip, &a);
}

struct be_args {
	const char *vip;
	char **list;
	int nr;
	struct lb_addr addr;
	__u16 port;
	__u32 weight;
	__u8 state;
	bool set_weight, set_state;
};

static int edit_add_backend(struct lb_config *cfg, void *ctx)
{
	struct be_args *a = ctx;
	struct lb_backend *b;
	char s[INET6_ADDRSTRLEN];
	struct lb_vip *v;
	size_t k;
	int rc = find_vip("add-backend", cfg, a->vip, &k);

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

static int edit_set_backend(struct lb_config *cfg, void *ctx)
{
	struct be_args *a = ctx;
	struct lb_backend *b;
	size_t k, j;
	int rc = find_vip("set-backend", cfg, a->vip, &k);

	if (!rc)
		rc = find_backend("set-backend", &cfg->vips[k], a->list[0],
				  &j);
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

static int edit_del_backend(struct lb_config *cfg, void *ctx)
{
	struct be_args *a = ctx;
	size_t k, j;
	int rc = find_vip("del-backend", cfg, a->vip, &k);

	for (int i = 0; !rc && i < a->nr; i++) {
		rc = find_backend("del-backend", &cfg->vips[k], a->list[i], &j);
		if (!rc)
			lb_vip_del_backend(&cfg->vips[k], j);
	}
	return rc;
}

static int backend_cmd(const struct global *g, int argc, char **argv,
		       const char *cmd)
{
	static const struct option opts[] = {
		{ "weight", required_argument, NULL, 'w' },
		{ "port", required_argument, NULL, 'P' },
		{ "state", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool add = !strcmp(cmd, "add-backend"), set = !strcmp(cmd,
							       "set-backend");
	struct be_args a = {};
	char full[32];
	bool has_port;
	int c, rc;

	snprintf(full, sizeof(full), "lb %s", cmd);
	while ((c = getopt_long(argc, argv, ":w:P:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			if (!add && !set)
				return command_bad_option(full, '?', argv);
			rc = parse_weight(cmd, optarg, &a.weight);
			if (rc)
				return rc;
			a.set_weight = true;
			break;
		case 'P':
			if (!add)
				return command_bad_option(full, '?', argv);
			rc = parse_port(cmd, optarg, &a.port);
			if (rc)
				return rc;
			break;
		case 's':
			if (!add && !set)
				return command_bad_option(full, '?', argv);
			if (lb_state_parse(optarg, &a.state)) {
				log_error("lb %s: invalid --state '%s' (active, "
					  "drain, down)", cmd, optarg);
				return -EINVAL;
			}
			a.set_state = true;
			break;
		case 'h':
			if (add)
				fputs("Usage: xdp-router lb add-backend VIP ADDR "
				      "[--weight N] [--port P] [--state S]\n\n"
				      "Adds a backend (weight 1..1000, default "
				      "1; --port: nat mode only; state\n"
				      "active, drain or down). Its MAC comes "
				      "from the neighbour table.\n", stdout);
			else if (set)
				fputs("Usage: xdp-router lb set-backend VIP "
				      "ADDR[:PORT] [--weight N] [--state "
				      "active|drain|down]\n\n"
				      "drain: no new flows, established ones "
				      "stay; down: out of the ring, its\n"
				      "flows re-balanced. --state active also "
				      "clears a health checker's mark.\n",
				      stdout);
			else
				fputs("Usage: xdp-router lb del-backend VIP "
				      "ADDR[:PORT]...\n\nRemoves backends: "
				      "their flows move to the others.\n",
				      stdout);
			return 0;
		default:
			return command_bad_option(full, c, argv);
		}
	}
	if (argc - optind < 2 || ((add || set) && argc - optind != 2)) {
		log_error("lb %s: expected VIP ADDR%s", cmd,
			  add ? "" : set ? "[:PORT]" : "[:PORT]...");
		return -EINVAL;
	}
	a.vip = argv[optind];
	a.list = argv + optind + 1;
	a.nr = argc - optind - 1;
	if (set && !a.set_weight && !a.set_state) {
		log_error("lb set-backend: nothing to change (--weight, "
			  "--state)");
		return -EINVAL;
	}
	if (add) {
		__u16 p;

		if (lb_endpoint_parse(a.list[0], &a.addr, &p, &has_port) ||
		    has_port) {
			log_error("lb add-backend: '%s' is not an address "
				  "(the port goes in --port)", a.list[0]);
			return -EINVAL;
		}
		return one_off(g, cmd, edit_add_backend, &a);
	}
	return one_off(g, cmd, set ? edit_set_backend : edit_del_backend, &a);
}

int lb_add_backend(const struct global *g, int argc, char **argv)
{
	return backend_cmd(g, argc, argv, "add-backend");
}

int lb_set_backend(const struct global *g, int argc, char **argv)
{
	return backend_cmd(g, argc, argv, "set-backend");
}

int lb_del_backend(const struct global *g, int argc, char **argv)
{
	return backend_cmd(g, argc, argv, "del-backend");
}
