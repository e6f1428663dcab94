// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lb watch's --announce-* options and routes; see cmd_lb_announce.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "cmd_lb.h"
#include "cmd_lb_announce.h"
#include "log.h"
#include "params.h"

static int set_dev(const struct cmd_option *o, void *opts, const char *arg,
		   const char *cmd)
{
	if (param_ifname(arg)) {
		log_error("%s: --announce-dev: not an interface name ("
			  PARAM_IFNAME_RULES ")", cmd);
		return -EINVAL;
	}
	((struct watch_announce *)opts)->dev = arg;
	return 0;
}

const struct cmd_option watch_announce_options[] = {
	CMD_OPTION("announce-table", 't', true, struct watch_announce, table,
		   cmd_opt_route_table),
	CMD_OPTION("announce-dev", 'd', true, struct watch_announce, dev,
		   set_dev),
	{}
};

int watch_announce_open(struct watch_announce *wa)
{
	if (wa->dev && !wa->table) {
		log_error("lb watch: --announce-dev needs --announce-table");
		return -EINVAL;
	}
	if (!wa->table)
		return 0;
	return lb_announce_open(&wa->ann, wa->dev ? wa->dev : LB_ANNOUNCE_DEV,
				wa->table);
}

static void announce_event(const struct lb_addr *addr, bool on,
			   const char *err)
{
	char a[INET6_ADDRSTRLEN];

	cmd_lb_watch_event(err ? (on ? "announce-failed" : "withdraw-failed")
			   : (on ? "announced" : "withdrawn"),
			   NULL, NULL, lb_addr_str(addr, a, sizeof(a)), err);
}

void watch_announce_update(struct watch_announce *wa,
			   const struct lb_config *cfg, const int *ifindexes,
			   size_t nr_ifindexes)
{
	struct lb_addr *addrs;
	size_t n;

	if (wa->ann.tun_fd < 0)
		return;
	addrs = calloc(cfg->nr_vips + 1, sizeof(*addrs));
	if (!addrs)
		return;
	n = lb_announce_serving(cfg, lb_announce_links_up(ifindexes,
							  nr_ifindexes),
				addrs);
	lb_announce_set(&wa->ann, addrs, n, announce_event);
	free(addrs);
}

void watch_announce_withdraw(struct watch_announce *wa)
{
	lb_announce_set(&wa->ann, NULL, 0, announce_event);
}

void watch_announce_close(struct watch_announce *wa)
{
	lb_announce_close(&wa->ann);
}
