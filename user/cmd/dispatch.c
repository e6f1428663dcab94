// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The commands' one start-up path; see dispatch.h. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "caps.h"
#include "dispatch.h"
#include "log.h"
#include "pin.h"
#include "reload_staged.h"

int cmd_open(struct cmd_ctx *c, unsigned int flags)
{
	const char *pin_path = c->g->pin_path;
	int err = 0;

	if (flags & CMD_CAPS)
		err = caps_require();
	if (!err && (flags & CMD_LOCK)) {
		if (!pin_on_bpffs(pin_path)) {
			/* Advice only to those that need a router to use. */
			log_error("nothing attached at %s%s", pin_path,
				  flags & (CMD_ROUTER | CMD_LB) ?
				  " (attach the router first)" : "");
			return -ENOENT;
		}
		c->lock_fd = pin_lock(pin_path);
		if (c->lock_fd < 0)
			return c->lock_fd;
		c->open |= CMD_LOCK;
	}
	/* A reload killed midway is finished first: one program everywhere. */
	if (!err && (flags & CMD_RECOVER))
		err = reload_recover(pin_path);
	if (!err && (flags & CMD_ROUTER)) {
		err = router_open_attached(&c->r, pin_path);
		if (!err)
			c->open |= CMD_ROUTER;
	}
	if (!err && (flags & CMD_LB)) {
		err = lb_maps_open(&c->lb, pin_path);
		if (!err)
			c->open |= CMD_LB;
	}
	if (err)
		cmd_close(c);
	return err;
}

void cmd_unlock(struct cmd_ctx *c)
{
	if (c->open & CMD_LOCK)
		close(c->lock_fd);
	c->lock_fd = -1;
	c->open &= ~CMD_LOCK;
}

void cmd_close(struct cmd_ctx *c)
{
	if (c->open & CMD_LB)
		lb_maps_close(&c->lb);
	if (c->open & CMD_ROUTER)
		router_close(&c->r);
	c->open &= ~(CMD_LB | CMD_ROUTER);
	cmd_unlock(c);
}

static void print_usage(const struct command *cmd)
{
	if (cmd->print_usage)
		cmd->print_usage();
	else
		fputs(cmd->usage, stdout);
}

/* Options, operands, what the flags ask for, then the command itself. */
static int run(const struct global *g, const struct command *cmd,
	       const char *name, int argc, char **argv)
{
	struct cmd_ctx c = { .g = g, .cmd = cmd, .name = name, .lock_fd = -1 };
	int err = 0;

	c.opts = calloc(1, cmd->opts_size ? cmd->opts_size : 1);
	if (!c.opts) {
		log_error("out of memory");
		return -ENOMEM;
	}
	if (cmd->defaults)
		memcpy(c.opts, cmd->defaults, cmd->opts_size);
	/* Each command parses its options from a fresh getopt state. */
	optind = 0;
	if (!(cmd->flags & CMD_NO_OPTIONS))
		err = command_parse(name, cmd->options, c.opts, argc, argv);
	if (err == CMD_HELP) {
		print_usage(cmd);
		err = 0;
		goto out;
	}
	c.argc = argc - optind;
	c.argv = argv + optind;
	if (!err && (cmd->flags & CMD_NO_ARGS))
		err = command_no_more_args(name, argc, argv);
	if (err)
		goto out;
	if (cmd->check)
		err = cmd->check(&c);
	if (!err)
		err = cmd_open(&c, cmd->flags);
	if (!err)
		err = cmd->run(&c);
	cmd_close(&c);
	if (cmd->fini)
		cmd->fini(&c);
out:
	free(c.opts);
	return err;
}

int cmd_dispatch(const struct global *g, const struct command *const *table,
		 size_t n, const char *parent, int argc, char **argv)
{
	/* Messages of a subcommand table name its command: "lb: ...". */
	const char *pfx = parent ? parent : "", *sep = parent ? ": " : "";
	const char *sp = parent ? " " : "";
	const struct command *cmd;
	char candidates[128], name[64];
	int err;

	if (argc < 1) {
		log_error("%s%sno command given (see 'xdp-router %s%shelp')",
			  pfx, sep, pfx, sp);
		return -EINVAL;
	}
	err = command_find(table, n, argv[0], &cmd, candidates,
			   sizeof(candidates));
	if (err == -EAGAIN) {
		log_error("%s%sambiguous command '%s': %s", pfx, sep, argv[0],
			  candidates);
		return err;
	}
	if (err) {
		log_error("%s%sunknown command '%s' (see 'xdp-router "
			  "%s%shelp')", pfx, sep, argv[0], pfx, sp);
		return err;
	}
	snprintf(name, sizeof(name), "%s%s%s", pfx, sp, cmd->name);
	if (!cmd->sub)
		return run(g, cmd, name, argc, argv);
	if (argc > 1 &&
	    (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		print_usage(cmd);
		return 0;
	}
	return cmd_dispatch(g, cmd->sub, cmd->nr_sub, name, argc - 1,
			    argv + 1);
}
