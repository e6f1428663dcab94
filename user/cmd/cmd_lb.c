// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lb: the load balancer's control plane.
 *
 *   lb apply FILE | show | export | add-vip | del-vip | add-backend |
 *      set-backend | del-backend | health | watch FILE | bgp-config
 *
 * Stateless between invocations: the running configuration is read back
 * from the maps (lb_state.h), changed, and applied as a difference, under
 * the pin lock (CMD_LB_SESSION).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd_lb.h"
#include "lb_config.h"
#include "lb_state.h"
#include "log.h"

static const char usage[] =
	"Usage: xdp-router lb COMMAND [ARGS]\n"
	"\n"
	"The one-legged L4 load balancer of the router attached at the pin\n"
	"path. Commands (any unambiguous prefix works):\n"
	"  apply FILE [--dry-run]     make the running VIPs and backends those\n"
	"                             of FILE (YAML), changing only what differs\n"
	"  show [VIP...]              VIPs, backends, states and counters\n"
	"  export                     the running configuration as YAML\n"
	"  add-vip NAME ADDR[:PORT] [--proto tcp|udp] [--mode dsr|nat]\n"
	"  del-vip NAME|ADDR[:PORT]...\n"
	"  add-backend VIP ADDR [--weight N] [--port P] [--state S]\n"
	"  set-backend VIP ADDR[:PORT] [--weight N] [--state active|drain|down]\n"
	"  del-backend VIP ADDR[:PORT]...\n"
	"  health [VIP...]            probe every backend once and report\n"
	"  watch FILE                 apply FILE, follow its changes, probe the\n"
	"                             backends and take failed ones out, until\n"
	"                             SIGINT/SIGTERM; --announce-table N: keep\n"
	"                             routes to the served VIPs for BGP\n"
	"  bgp-config --table N ...   a BIRD 2 configuration announcing them\n"
	"\n"
	"VIP is a VIP's name or ADDR[:PORT]. 'xdp-router lb COMMAND --help'\n"
	"describes a command.\n";

int cmd_lb_read(struct cmd_ctx *c, struct lb_config *cfg)
{
	int rc = lb_state_read(&c->lb, cfg);

	if (rc)
		log_error("cannot read the load balancer maps: %s",
			  log_strerror(rc));
	return rc;
}

size_t cmd_lb_count_backends(const struct lb_config *cfg)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->nr_vips; i++)
		n += cfg->vips[i].nr_backends;
	return n;
}

/* ---- finding VIPs and backends named on the command line ---- */

int cmd_lb_read_vips(struct cmd_ctx *c, struct lb_config *cfg, bool **sel)
{
	int rc = cmd_lb_read(c, cfg);

	if (rc)
		return rc;
	cmd_unlock(c);
	*sel = calloc(cfg->nr_vips + 1, sizeof(**sel));
	if (!*sel) {
		log_error("out of memory");
		rc = -ENOMEM;
	}
	for (size_t i = 0; !rc && i < cfg->nr_vips; i++)
		(*sel)[i] = !c->argc;
	for (int i = 0; !rc && i < c->argc; i++) {
		size_t k;

		rc = cmd_lb_find_vip(c->cmd->name, cfg, c->argv[i], &k);
		if (!rc)
			(*sel)[k] = true;
	}
	if (rc) {
		free(*sel);
		*sel = NULL;
		lb_config_free(cfg);
	}
	return rc;
}

/* By name, else ADDR[:PORT] (every port/protocol if only ADDR). */
int cmd_lb_find_vip(const char *cmd, struct lb_config *cfg, const char *arg,
		    size_t *out)
{
	struct lb_addr a;
	bool has_port;
	__u16 port;
	size_t found = 0, n = 0;
	char names[256] = "";

	for (size_t i = 0; i < cfg->nr_vips; i++) {
		if (!strcmp(cfg->vips[i].name, arg)) {
			*out = i;
			return 0;
		}
	}
	if (lb_endpoint_parse(arg, &a, &port, &has_port)) {
		log_error("lb %s: no VIP named '%s'", cmd, arg);
		return -ENOENT;
	}
	for (size_t i = 0; i < cfg->nr_vips; i++) {
		const struct lb_vip *v = &cfg->vips[i];

		if (lb_addr_cmp(&v->addr, &a) || (has_port && v->port != port))
			continue;
		found = i;
		if (n++)
			strncat(names, ", ", sizeof(names) - strlen(names) - 1);
		strncat(names, v->name, sizeof(names) - strlen(names) - 1);
	}
	if (!n) {
		log_error("lb %s: no VIP %s", cmd, arg);
		return -ENOENT;
	}
	if (n > 1) {
		log_error("lb %s: %s is several VIPs (%s): name one", cmd, arg,
			  names);
		return -EINVAL;
	}
	*out = found;
	return 0;
}

int cmd_lb_find_backend(const char *cmd, const struct lb_vip *v,
			const char *arg, size_t *out)
{
	struct lb_addr a;
	bool has_port;
	__u16 port;
	size_t n = 0;

	if (lb_endpoint_parse(arg, &a, &port, &has_port)) {
		log_error("lb %s: '%s' is not an address (ADDR, ADDR:PORT, "
			  "[V6ADDR]:PORT)", cmd, arg);
		return -EINVAL;
	}
	for (size_t i = 0; i < v->nr_backends; i++) {
		const struct lb_backend *b = &v->backends[i];

		if (lb_addr_cmp(&b->addr, &a) ||
		    (has_port && lb_backend_port(v, b) != port))
			continue;
		*out = i;
		n++;
	}
	if (!n) {
		log_error("lb %s: VIP '%s' has no backend %s", cmd, v->name,
			  arg);
		return -ENOENT;
	}
	if (n > 1) {
		log_error("lb %s: VIP '%s' has several backends on %s: give "
			  "the port", cmd, v->name, arg);
		return -EINVAL;
	}
	return 0;
}

/* ---- the table ---- */

static int cmd_lb_help_run(struct cmd_ctx *c)
{
	fputs(usage, stdout);
	return 0;
}

static COMMAND(cmd_lb_help, "help", "show this help", CMD_NO_OPTIONS);

static const struct command *const lb_commands[] = {
	&cmd_lb_apply, &cmd_lb_show, &cmd_lb_export, &cmd_lb_add_vip,
	&cmd_lb_del_vip, &cmd_lb_add_backend, &cmd_lb_set_backend,
	&cmd_lb_del_backend, &cmd_lb_health, &cmd_lb_watch,
	&cmd_lb_bgp_config, &cmd_lb_help,
};

const struct command cmd_lb = {
	.name = "lb",
	.summary = "the load balancer: VIPs, backends, health checks",
	.usage = usage,
	.sub = lb_commands,
	.nr_sub = sizeof(lb_commands) / sizeof(lb_commands[0]),
};
