/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The lb command's pieces, shared by its files: cmd_lb.c (dispatch, the
 * session, apply and the helpers of every subcommand), cmd_lb_show.c (show,
 * export), cmd_lb_edit.c (one-off changes), cmd_lb_health.c (health),
 * cmd_lb_watch.c (watch), cmd_lb_announce.c (watch's --announce-* options
 * and routes), cmd_lb_bgp.c (bgp-config).
 * Functions return 0 or a negative errno after reporting it.
 */
#ifndef XR_CMD_LB_H
#define XR_CMD_LB_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "command.h"
#include "lb_config.h"
#include "lb_state.h"

/* How long a backend's MAC may take to resolve. */
#define LB_RESOLVE_MS 3000

/* The maps of the router at the pin path, under its lock. */
struct session {
	struct lb_maps maps;
	int lock_fd;
};

int session_open(const struct global *g, struct session *s);
void session_close(struct session *s);
/* What the maps hold now, read under the lock. */
int session_read(const struct global *g, struct lb_config *cfg);

/* The one-off commands: read, change (@edit), validate, apply. */
typedef int (*edit_fn)(struct lb_config *cfg, void *ctx);
int one_off(const struct global *g, const char *cmd, edit_fn edit, void *ctx);

/* Argument helpers; @cmd names the subcommand in error messages. */
int simple_opts(const char *cmd, const char *help, int argc, char **argv);
int parse_port(const char *cmd, const char *s, __u16 *port);
int parse_weight(const char *cmd, const char *s, __u32 *w);
int find_vip(const char *cmd, struct lb_config *cfg, const char *arg,
	     size_t *out);
/* Marks in @sel (one per VIP) the VIPs named by argv[optind..]. */
int select_vips(const char *cmd, struct lb_config *cfg, int argc,
		char **argv, bool *sel);
int find_backend(const char *cmd, const struct lb_vip *v, const char *arg,
		 size_t *out);

/* The number of backends of @cfg, all VIPs together. */
size_t lb_count_backends(const struct lb_config *cfg);

/*
 * One line of lb watch's log (a JSON object with --json): event @kind,
 * about VIP @v, backend @b, VIP address @addr (each may be NULL), @why.
 */
void lb_watch_event(const char *kind, const struct lb_vip *v,
		    const struct lb_backend *b, const char *addr,
		    const char *why);

/* The subcommands. */
int lb_apply(const struct global *g, int argc, char **argv);
int lb_show(const struct global *g, int argc, char **argv);
int lb_export(const struct global *g, int argc, char **argv);
int lb_add_vip(const struct global *g, int argc, char **argv);
int lb_del_vip(const struct global *g, int argc, char **argv);
int lb_add_backend(const struct global *g, int argc, char **argv);
int lb_set_backend(const struct global *g, int argc, char **argv);
int lb_del_backend(const struct global *g, int argc, char **argv);
int lb_health_cmd(const struct global *g, int argc, char **argv);
int lb_watch(const struct global *g, int argc, char **argv);
int lb_bgp_config(const struct global *g, int argc, char **argv);

#endif /* XR_CMD_LB_H */
