// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Command lookup by prefix and option tables; see command.h. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "command.h"
#include "log.h"
#include "params.h"

int command_find(const struct command *const *table, size_t n,
		 const char *word, const struct command **found,
		 char *candidates, size_t len)
{
	size_t wlen = strlen(word), used = 0;
	const struct command *match = NULL;
	unsigned int matches = 0;

	if (len)
		candidates[0] = '\0';
	if (!wlen)
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(word, table[i]->name)) {
			*found = table[i];
			return 0;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (strncmp(word, table[i]->name, wlen))
			continue;
		match = table[i];
		matches++;
		if (used < len) {
			int w = snprintf(candidates + used, len - used, "%s%s",
					 used ? ", " : "", table[i]->name);
			used += w > 0 ? (size_t)w : 0;
		}
	}
	if (matches == 1) {
		*found = match;
		return 0;
	}
	return matches ? -EAGAIN : -ENOENT;
}


int command_no_more_args(const char *cmd, int argc, char **argv)
{
	if (optind >= argc)
		return 0;
	log_error("%s: unexpected argument '%s'", cmd, argv[optind]);
	return -EINVAL;
}

/*
 * Reports a getopt_long() failure (@c is '?' or ':', with opterr = 0 and
 * a leading ':' in the optstring) for command @cmd; returns -EINVAL.
 */
static int bad_option(const char *cmd, int c, char **argv)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		log_error("%s: option '%s' needs a value", cmd, opt);
	else if (optopt)
		log_error("%s: unknown option '-%c' (see 'xdp-router %s "
			  "--help')", cmd, optopt, cmd);
	else
		log_error("%s: unknown option '%s' (see 'xdp-router %s "
			  "--help')", cmd, opt, cmd);
	return -EINVAL;
}

int cmd_opt_string(const struct cmd_option *o, void *opts, const char *arg,
		   const char *cmd)
{
	*(const char **)((char *)opts + o->offset) = arg;
	return 0;
}

int cmd_opt_route_table(const struct cmd_option *o, void *opts,
			const char *arg, const char *cmd)
{
	unsigned int table;

	if (param_route_table(arg, &table)) {
		log_error("%s: --%s '%s': %s", cmd, o->name, arg,
			  PARAM_ROUTE_TABLE_EXPECTED);
		return -EINVAL;
	}
	*(unsigned int *)((char *)opts + o->offset) = table;
	return 0;
}

/* Enough for any command's table. */
#define MAX_OPTIONS 24

int command_parse(const char *cmd, const struct cmd_option *table,
		  void *opts, int argc, char **argv)
{
	struct option longopts[MAX_OPTIONS + 2] = {};
	char shortopts[2 * MAX_OPTIONS + 4] = ":";
	const struct cmd_option *o;
	size_t n = 0, len = 1;
	int c, err;

	for (o = table; o && o->name && n < MAX_OPTIONS; o++, n++) {
		longopts[n] = (struct option){ o->name, o->arg ?
			required_argument : no_argument, NULL, o->key };
		if (o->key >= 256)
			continue;
		shortopts[len++] = o->key;
		if (o->arg)
			shortopts[len++] = ':';
	}
	if (o && o->name) {
		log_error("%s: more than %d options (a bug)", cmd, MAX_OPTIONS);
		return -E2BIG;
	}
	longopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
	shortopts[len] = 'h';
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == 'h')
			return CMD_HELP;
		for (o = table; o && o->name && o->key != c; o++)
			;
		if (!o || !o->name)
			return bad_option(cmd, c, argv);
		if (!o->set) {
			*(bool *)((char *)opts + o->offset) = true;
			continue;
		}
		err = o->set(o, opts, optarg, cmd);
		if (err == CMD_OPT_FOREIGN) {
			/*
			 * getopt took the value too: name the option as
			 * given, not its value ("--weight 3" is "--weight").
			 */
			if (o->arg && optarg == argv[optind - 1])
				optind--;
			optopt = strncmp(argv[optind - 1], "--", 2) ? c : 0;
			return bad_option(cmd, '?', argv);
		}
		if (err)
			return err;
	}
	return 0;
}
