// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * populate [--table ID] [--watch]
 *
 * Mirrors the kernel's routes (the chosen table and the local table),
 * nexthops, ECMP groups and neighbours into the table-mode maps, and the
 * per-device forwarding settings into the interfaces' flags. With --watch,
 * keeps them current until SIGINT/SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include "dispatch.h"
#include "log.h"
#include "params.h"
#include "pin.h"
#include "populate.h"
#include "populate_watch.h"
#include "router.h"

static const char usage[] =
	"Usage: xdp-router populate [--table ID] [--watch]\n"
	"\n"
	"Mirrors the kernel's routes, nexthops and neighbours into the maps\n"
	"of the table lookup mode (attach --lookup table).\n"
	"  -t, --table ID  route table to mirror besides 'local' (default:\n"
	"                  main; a number, 'main' or 'default')\n"
	"  -w, --watch     stay in the foreground and follow every change\n"
	"  -h, --help      show this help\n";

struct populate_opts {
	__u32 table;
	bool watch;
};

static int parse_table(const char *s, __u32 *table)
{
	unsigned int v;

	if (!strcmp(s, "main"))
		*table = FIB_TABLE_MAIN;
	else if (!strcmp(s, "default"))
		*table = 253;		/* RT_TABLE_DEFAULT */
	else if (!strcmp(s, "local"))
		*table = FIB_TABLE_LOCAL;
	else if (!param_count(s, &v))
		*table = v;
	else
		return -EINVAL;
	return 0;
}

/*
 * Two populates on one router would each trust their own mirror of the
 * maps and free slots the other still uses: one at a time, for as long as
 * it runs. The lock is on the pin dir itself, not on its parent as
 * pin_lock() (which attach and detach hold briefly) is.
 */
static int populate_lock(const char *pin_path)
{
	int fd = open(pin_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err;

	if (fd < 0) {
		err = -errno;
		log_error("cannot open %s: %s", pin_path, log_strerror(err));
		return err;
	}
	if (!flock(fd, LOCK_EX | LOCK_NB))
		return fd;
	err = -errno;
	if (err == -EWOULDBLOCK)
		log_error("another populate runs on %s (populate --watch?)",
			  pin_path);
	else
		log_error("cannot lock %s: %s", pin_path, log_strerror(err));
	close(fd);
	return err;
}

static double now_secs(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int set_table(const struct cmd_option *o, void *opts,
		     const char *arg, const char *cmd)
{
	if (!parse_table(arg, &((struct populate_opts *)opts)->table))
		return 0;
	log_error("invalid --table '%s': a table number (1-4294967295), "
		  "'main' or 'default'", arg);
	return -EINVAL;
}

static const struct cmd_option populate_options[] = {
	CMD_OPTION("table", 't', true, struct populate_opts, table, set_table),
	CMD_FLAG("watch", 'w', struct populate_opts, watch),
	{}
};

static int cmd_populate_run(struct cmd_ctx *c)
{
	const struct populate_opts *o = c->opts;
	struct populate p;
	int err, lock_fd;
	double start;

	/* Only the maps are written: --watch must not keep a reloaded
	 * router's old program alive. */
	router_drop_prog(&c->r);
	lock_fd = populate_lock(c->g->pin_path);
	if (lock_fd < 0)
		return lock_fd;
	start = now_secs();
	err = populate_open(&p, &c->r, o->table, o->watch);
	if (!err) {
		if (o->watch) {
			err = populate_watch(&p);
		} else {
			err = populate_full(&p);
			if (!err)
				populate_report(&p, NULL, now_secs() - start);
		}
		populate_close(&p);
	}
	close(lock_fd);
	return err;
}

static const struct populate_opts populate_defaults = {
	.table = FIB_TABLE_MAIN,
};

COMMAND(cmd_populate, "populate",
	"mirror the kernel's routes and neighbours into the maps",
	CMD_NO_ARGS | CMD_CAPS | CMD_ROUTER,
	CMD_OPTS(populate_options, struct populate_opts),
	.defaults = &populate_defaults,
	.usage = usage);
