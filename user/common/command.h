/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The command table and what every command gets from the global options. */
#ifndef XR_COMMAND_H
#define XR_COMMAND_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct global {
	char pin_path[PATH_MAX];	/* resolved: option, env, default */
	bool json;
};

struct command {
	const char *name;
	/* argv[0] is the command's name; returns 0 or a negative errno. */
	int (*run)(const struct global *g, int argc, char **argv);
	const char *summary;
};

/*
 * Finds @word in @table: an exact name, else the only name it prefixes.
 * Returns 0, -ENOENT (no match) or -EAGAIN (ambiguous: @candidates gets
 * the matching names, comma separated).
 */
int command_find(const struct command *table, size_t n, const char *word,
		 const struct command **found, char *candidates, size_t len);

/*
 * Reports a getopt_long() failure (@c is '?' or ':', with opterr = 0 and
 * a leading ':' in the optstring) for command @cmd; returns -EINVAL.
 */
int command_bad_option(const char *cmd, int c, char **argv);

/*
 * After the options: -EINVAL, reported for command @cmd, if arguments are
 * left at argv[optind].
 */
int command_no_more_args(const char *cmd, int argc, char **argv);

int cmd_attach(const struct global *g, int argc, char **argv);
int cmd_detach(const struct global *g, int argc, char **argv);
int cmd_status(const struct global *g, int argc, char **argv);
int cmd_stats(const struct global *g, int argc, char **argv);
int cmd_populate(const struct global *g, int argc, char **argv);
int cmd_lb(const struct global *g, int argc, char **argv);
int cmd_adopt(const struct global *g, int argc, char **argv);
int cmd_reload(const struct global *g, int argc, char **argv);

#endif /* XR_COMMAND_H */
