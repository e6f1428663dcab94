/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a command is: its name, its options as a table, what it needs
 * before it runs (flags) and its handlers. One dispatcher (user/cmd/
 * dispatch.h) parses the options, checks the operands, then acquires what
 * the flags ask for, runs the command and releases it all; a command only
 * says what it needs, as xdp-tools' prog_command and DEFINE_OPTION do.
 */
#ifndef XR_COMMAND_H
#define XR_COMMAND_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct global {
	char pin_path[PATH_MAX];	/* resolved: option, env, default */
	bool json;
};

/* What the dispatcher does for a command, in this order, after parsing. */
enum command_flags {
	CMD_NO_ARGS = 1 << 0,	/* no operand may follow the options */
	CMD_CAPS = 1 << 1,	/* caps_require() */
	/* A writer: the pin dir must be on bpffs ("nothing attached"), and
	 * its lock (pin_lock()) is held until the command ends. Readers
	 * (status, stats) go without. */
	CMD_LOCK = 1 << 2,
	CMD_RECOVER = 1 << 3,	/* under the lock: a killed reload finished */
	CMD_ROUTER = 1 << 4,	/* the attached router, open */
	CMD_LB = 1 << 5,	/* the load balancer's maps, open */
	/* No option parsing at all (not even --help): `help` takes anything. */
	CMD_NO_OPTIONS = 1 << 6,
};

struct cmd_ctx;

/*
 * One option of a command: --@name (and -@key if @key is a character; long
 * only if >= 256), stored at @offset of the command's options.
 */
struct cmd_option {
	const char *name;
	int key;
	bool arg;			/* takes a value */
	size_t offset;
	/*
	 * Stores @arg at @opts + @o->offset (the whole of @opts is there for
	 * options that fill several fields). Returns 0, a negative errno
	 * after reporting it as command @cmd's, or CMD_OPT_FOREIGN (the
	 * option is not one of @cmd's: reported as unknown). NULL: the field
	 * is a bool, set to true.
	 */
	int (*set)(const struct cmd_option *o, void *opts, const char *arg,
		   const char *cmd);
	const void *data;		/* for set() */
};
#define CMD_OPT_FOREIGN 1

#define CMD_OPTION(_name, _key, _arg, _type, _member, _set) \
	{ .name = (_name), .key = (_key), .arg = (_arg), \
	  .offset = offsetof(_type, _member), .set = (_set) }
#define CMD_FLAG(_name, _key, _type, _member) \
	CMD_OPTION(_name, _key, false, _type, _member, NULL)
/* The only option of a command whose options are one bool. */
#define CMD_ONE_FLAG(_name, _key) { .name = (_name), .key = (_key) }

/* set(): a string option (const char *). */
int cmd_opt_string(const struct cmd_option *o, void *opts, const char *arg,
		   const char *cmd);
/* set(): a routing table a program may own (unsigned int, params.h). */
int cmd_opt_route_table(const struct cmd_option *o, void *opts,
			const char *arg, const char *cmd);

struct command {
	const char *name;
	const char *summary;
	unsigned int flags;		/* enum command_flags */
	/* Ends with { NULL }; --help is implied. */
	const struct cmd_option *options;
	size_t opts_size;		/* the command's options: zeroed, */
	const void *defaults;		/* copied from here if not NULL */
	const char *usage;		/* --help */
	void (*print_usage)(void);	/* or that, if it is generated */
	/* After the options: the operands and the options together; no
	 * capability or pin is looked at yet. May be NULL. */
	int (*check)(struct cmd_ctx *c);
	int (*run)(struct cmd_ctx *c);
	/* Frees what check() kept; runs whenever check() did. May be NULL. */
	void (*fini)(struct cmd_ctx *c);
	/* A command of commands (lb): its table, looked up by prefix. */
	const struct command *const *sub;
	size_t nr_sub;
};

/*
 * Defines command @_id ("const struct command cmd_attach"), which runs
 * @_id##_run; the rest are more of its fields (CMD_OPTS, .usage, .check).
 */
#define COMMAND(_id, _name, _summary, _flags, ...) \
	const struct command _id = { .name = (_name), .summary = (_summary), \
				     .flags = (_flags), .run = _id##_run, \
				     __VA_ARGS__ }
/* The option table of a command and the type it fills in. */
#define CMD_OPTS(_table, _type) .options = (_table), .opts_size = sizeof(_type)

/*
 * Finds @word in @table: an exact name, else the only name it prefixes.
 * Returns 0, -ENOENT (no match) or -EAGAIN (ambiguous: @candidates gets
 * the matching names, comma separated).
 */
int command_find(const struct command *const *table, size_t n,
		 const char *word, const struct command **found,
		 char *candidates, size_t len);

/*
 * Parses command @cmd's options, argv[1..], with @table (and --help) into
 * @opts. Returns 0 (argv[optind..] are the operands), CMD_HELP (--help:
 * nothing else was looked at after it) or a negative errno, reported.
 */
#define CMD_HELP 1
int command_parse(const char *cmd, const struct cmd_option *table,
		  void *opts, int argc, char **argv);

/*
 * After the options: -EINVAL, reported for command @cmd, if arguments are
 * left at argv[optind].
 */
int command_no_more_args(const char *cmd, int argc, char **argv);

#endif /* XR_COMMAND_H */
