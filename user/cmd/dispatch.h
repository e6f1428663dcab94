/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one start-up path of every command (struct command, command.h):
 *
 *   options (the command's table) -> CMD_NO_ARGS -> check() -> CMD_CAPS
 *   -> CMD_LOCK -> CMD_RECOVER -> CMD_ROUTER -> CMD_LB -> run()
 *   -> everything closed, in reverse -> fini()
 *
 * --help and every option or operand error are reported before any
 * capability, pin or lock is looked at (fuzz/fuzz_cli.c relies on it).
 */
#ifndef XR_DISPATCH_H
#define XR_DISPATCH_H

#include "command.h"
#include "lb_state.h"
#include "router.h"

/* What a command's handlers get. */
struct cmd_ctx {
	const struct global *g;
	const struct command *cmd;
	const char *name;		/* "attach", "lb add-vip" */
	void *opts;			/* the command's options */
	int argc;			/* the operands: after the options */
	char **argv;
	int lock_fd;			/* CMD_LOCK: the pin lock; else -1 */
	struct router r;		/* CMD_ROUTER */
	struct lb_maps lb;		/* CMD_LB */
	unsigned int open;		/* what of the above cmd_open() holds */
};

/*
 * Runs the command argv[0] of @table (abbreviations allowed); @parent is
 * the name of the command whose table it is ("lb"), NULL at the top.
 * Returns 0 or a negative errno, reported.
 */
int cmd_dispatch(const struct global *g, const struct command *const *table,
		 size_t n, const char *parent, int argc, char **argv);

/*
 * The steps of @flags (CMD_CAPS ... CMD_LB) on @c, as the dispatcher takes
 * them before run(); for commands that hold them only now and then (lb
 * watch). On failure, what was taken is released. cmd_close() releases
 * all; cmd_unlock() only the lock (read under it, then work without).
 */
int cmd_open(struct cmd_ctx *c, unsigned int flags);
void cmd_close(struct cmd_ctx *c);
void cmd_unlock(struct cmd_ctx *c);

/* The commands, one file each (cmd_<name>.c); main.c lists them. */
extern const struct command cmd_attach, cmd_detach, cmd_status, cmd_stats,
	cmd_populate, cmd_lb, cmd_adopt, cmd_reload;

#endif /* XR_DISPATCH_H */
