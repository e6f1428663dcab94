// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: command lookup (prefix matching) and the helpers every
 * command's option parsing ends with. The input is an argument line, split
 * at whitespace into argv; argv[0] is looked up in a table with the CLI's
 * command names (and the lb subcommands'), then command_parse() runs over
 * the rest with a typical option table, as the dispatcher does, and
 * leftover arguments are reported. Nothing is executed.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "command.h"
#include "fuzz_input.h"

#define MAX_ARGS 64

static const struct command names[] = {
	{ "attach" }, { "detach" }, { "status" }, { "stats" },
	{ "populate" }, { "lb" }, { "help" }, { "version" },
	{ "apply" }, { "show" }, { "export" }, { "add-vip" }, { "del-vip" },
	{ "add-backend" }, { "del-backend" }, { "set-backend" },
	{ "health" }, { "watch" },
};
#define NR_NAMES (sizeof(names) / sizeof(names[0]))
static const struct command *table[NR_NAMES];

/* A typical command's options: flags, strings, a checked number. */
struct fuzz_opts {
	const char *mode, *lookup;
	bool force, all;
	unsigned int table;
};

static const struct cmd_option fuzz_options[] = {
	CMD_OPTION("mode", 'm', true, struct fuzz_opts, mode, cmd_opt_string),
	CMD_OPTION("lookup", 'l', true, struct fuzz_opts, lookup,
		   cmd_opt_string),
	CMD_FLAG("force", 'f', struct fuzz_opts, force),
	CMD_OPTION("table", 256, true, struct fuzz_opts, table,
		   cmd_opt_route_table),
	CMD_FLAG("all", 'a', struct fuzz_opts, all),
	{}
};

static void options(int argc, char **argv)
{
	struct fuzz_opts o = {};
	int rc;

	optind = 0;	/* glibc: reinitialise */
	opterr = 0;
	rc = command_parse(argv[0], fuzz_options, &o, argc, argv);
	assert(rc == 0 || rc == CMD_HELP || rc == -EINVAL);
	assert(optind <= argc);
	if (!rc)
		(void)command_no_more_args(argv[0], argc, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_c_string(data, size), *save = NULL;
	char *argv[MAX_ARGS + 1], candidates[256];
	const struct command *found = NULL;
	int argc = 0, rc;

	if (!line)
		return 0;
	for (char *tok = strtok_r(line, " \t\n", &save);
	     tok && argc < MAX_ARGS; tok = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	if (!table[0])
		for (size_t i = 0; i < NR_NAMES; i++)
			table[i] = &names[i];
	if (argc) {
		rc = command_find(table, NR_NAMES,
				  argv[0], &found, candidates,
				  sizeof(candidates));
		assert(rc == 0 || rc == -ENOENT || rc == -EAGAIN);
		if (!rc)
			assert(found && !strncmp(found->name, argv[0],
						 strlen(argv[0])));
		options(argc, argv);
	}
	free(line);
	return 0;
}
