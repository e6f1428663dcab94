// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: command lookup (prefix matching) and the helpers every
 * command's option parsing ends with. The input is an argument line, split
 * at whitespace into argv; argv[0] is looked up in a table with the CLI's
 * command names (and the lb subcommands'), then getopt_long() runs over
 * the rest with a typical option table, as a command does, and leftover
 * arguments are reported. Nothing is executed.
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

static void options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "lookup", required_argument, NULL, 'l' },
		{ "force", no_argument, NULL, 'f' },
		{ "interval", required_argument, NULL, 'i' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	optind = 0;	/* glibc: reinitialise */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:l:fi:ah", longopts,
				NULL)) != -1) {
		if (c == '?' || c == ':')
			assert(command_bad_option(argv[0], c, argv) == -EINVAL);
	}
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
