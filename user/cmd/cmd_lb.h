/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The lb command's pieces, shared by its files: cmd_lb.c (its table, the
 * helpers of every subcommand), cmd_lb_edit.c (apply and the one-off
 * changes), cmd_lb_show.c (show, export), cmd_lb_health.c (health),
 * cmd_lb_watch.c (watch), cmd_lb_announce.c (watch's --announce-* options
 * and routes), cmd_lb_bgp.c (bgp-config).
 * Functions return 0 or a negative errno after reporting it.
 */
#ifndef XR_CMD_LB_H
#define XR_CMD_LB_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "dispatch.h"
#include "lb_config.h"
#include "lb_state.h"

/* How long a backend's MAC may take to resolve. */
#define LB_RESOLVE_MS 3000

/* A subcommand on the maps of the router at the pin path, under its lock. */
#define CMD_LB_SESSION (CMD_CAPS | CMD_LOCK | CMD_LB)

/* What the maps (c->lb) hold now. */
int cmd_lb_read(struct cmd_ctx *c, struct lb_config *cfg);

/*
 * The same, read under the lock, which is then released; *@sel (one per
 * VIP, to free) marks the VIPs the operands name, all if none. On failure
 * nothing is left to free.
 */
int cmd_lb_read_vips(struct cmd_ctx *c, struct lb_config *cfg, bool **sel);

/* VIPs and backends named on the command line; @cmd names the subcommand. */
int cmd_lb_find_vip(const char *cmd, struct lb_config *cfg, const char *arg,
		    size_t *out);
int cmd_lb_find_backend(const char *cmd, const struct lb_vip *v,
			const char *arg, size_t *out);

/* The number of backends of @cfg, all VIPs together. */
size_t cmd_lb_count_backends(const struct lb_config *cfg);

/*
 * One line of lb watch's log (a JSON object with --json): event @kind,
 * about VIP @v, backend @b, VIP address @addr (each may be NULL), @why.
 */
void cmd_lb_watch_event(const char *kind, const struct lb_vip *v,
			const struct lb_backend *b, const char *addr,
			const char *why);

/* The subcommands. */
extern const struct command cmd_lb_apply, cmd_lb_show, cmd_lb_export,
	cmd_lb_add_vip, cmd_lb_del_vip, cmd_lb_add_backend,
	cmd_lb_set_backend, cmd_lb_del_backend, cmd_lb_health, cmd_lb_watch,
	cmd_lb_bgp_config;

#endif /* XR_CMD_LB_H */
