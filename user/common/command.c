// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Command lookup by prefix; see command.h. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "command.h"
#include "log.h"

int command_find(const struct command *table, size_t n, const char *word,
		 const struct command **found, char *candidates, size_t len)
{
	size_t wlen = strlen(word), used = 0;
	const struct command *match = NULL;
	unsigned int matches = 0;

	if (len)
		candidates[0] = '\0';
	if (!wlen)
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(word, table[i].name)) {
			*found = &table[i];
			return 0;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (strncmp(word, table[i].name, wlen))
			continue;
		match = &table[i];
		matches++;
		if (used < len) {
			int w = snprintf(candidates + used, len - used, "%s%s",
					 used ? ", " : "", table[i].name);
			used += w > 0 ? (size_t)w : 0;
		}
	}
	if (matches == 1) {
		*found = match;
		return 0;
	}
	return matches ? -EAGAIN : -ENOENT;
}

int command_bad_option(const char *cmd, int c, char **argv)
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

int command_no_more_args(const char *cmd, int argc, char **argv)
{
	if (optind >= argc)
		return 0;
	log_error("%s: unexpected argument '%s'", cmd, argv[optind]);
	return -EINVAL;
}
