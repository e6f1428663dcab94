// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * command.c: exact names, unique prefixes, ambiguity, unknown words; option
 * tables (command_parse()): flags, values, setters, options another
 * command owns, --help, errors, operands left in place.
 */
#include <errno.h>
#include <getopt.h>
#include "check.h"
#include "command.h"

static const struct command attach = { .name = "attach" },
	detach = { .name = "detach" }, status = { .name = "status" },
	stats = { .name = "stats" }, help = { .name = "help" };
static const struct command *const table[] = {
	&attach, &detach, &status, &stats, &help,
};
#define N (sizeof(table) / sizeof(table[0]))

static const char *find(const char *word, int want_err, char *cands)
{
	const struct command *cmd = NULL;
	int err = command_find(table, N, word, &cmd, cands, 64);

	CHECK(err == want_err);
	return err ? "" : cmd->name;
}

struct opts {
	bool flag;
	const char *file;
	unsigned int table;
	int count;
};

/* Counts its calls; "bad" is refused, "other" belongs to another command. */
static int set_count(const struct cmd_option *o, void *opts, const char *arg,
		     const char *cmd)
{
	if (!strcmp(arg, "bad"))
		return -EINVAL;
	if (!strcmp(arg, "other"))
		return CMD_OPT_FOREIGN;
	((struct opts *)opts)->count++;
	return 0;
}

static const struct cmd_option options[] = {
	CMD_FLAG("flag", 'f', struct opts, flag),
	CMD_OPTION("file", 'F', true, struct opts, file, cmd_opt_string),
	CMD_OPTION("table", 256, true, struct opts, table,
		   cmd_opt_route_table),
	CMD_OPTION("count", 'c', true, struct opts, count, set_count),
	{}
};

/* Parses "cmd" + @args (NULL-terminated); operands left at *@rest. */
static int parse(struct opts *o, char **args, int *rest)
{
	char *argv[16] = { "cmd" };
	int argc = 1, rc;

	while (*args)
		argv[argc++] = *args++;
	memset(o, 0, sizeof(*o));
	optind = 0;
	opterr = 0;
	rc = command_parse("cmd", options, o, argc, argv);
	*rest = argc - optind;
	return rc;
}

static void check_parse(void)
{
	struct opts o;
	int rest;

	CHECK(parse(&o, (char *[]){ "-f", "x", "--file", "a", "y", NULL },
		    &rest) == 0);
	CHECK(o.flag && !strcmp(o.file, "a") && rest == 2);
	CHECK(parse(&o, (char *[]){ "--table=10", "-c1", "--count", "2",
				    NULL }, &rest) == 0);
	CHECK(o.table == 10 && o.count == 2 && rest == 0);
	/* An abbreviation names a long option. */
	CHECK(parse(&o, (char *[]){ "--fl", "--tab", "7", NULL }, &rest) == 0);
	CHECK(o.flag && o.table == 7);
	/* --help stops the parse: nothing after it is looked at. */
	CHECK(parse(&o, (char *[]){ "-c1", "--help", "--bogus", "-c1", NULL },
		    &rest) == CMD_HELP);
	CHECK(o.count == 1);
	CHECK(parse(&o, (char *[]){ "-h", NULL }, &rest) == CMD_HELP);
	/* Errors: each -EINVAL, reported by command_parse() or the setter. */
	CHECK(parse(&o, (char *[]){ "--bogus", NULL }, &rest) == -EINVAL);
	CHECK(parse(&o, (char *[]){ "-x", NULL }, &rest) == -EINVAL);
	CHECK(parse(&o, (char *[]){ "--file", NULL }, &rest) == -EINVAL);
	CHECK(parse(&o, (char *[]){ "--fi", NULL }, &rest) == -EINVAL);
	CHECK(parse(&o, (char *[]){ "--table", "254", NULL }, &rest) ==
	      -EINVAL);
	CHECK(parse(&o, (char *[]){ "-c", "bad", NULL }, &rest) == -EINVAL);
	CHECK(parse(&o, (char *[]){ "-c", "other", NULL }, &rest) == -EINVAL);
	CHECK(o.count == 0);
}

int main(void)
{
	char c[64];

	CHECK_STR(find("attach", 0, c), "attach");
	CHECK_STR(find("a", 0, c), "attach");
	CHECK_STR(find("det", 0, c), "detach");
	CHECK_STR(find("statu", 0, c), "status");
	/* A full name always matches itself. */
	CHECK_STR(find("stats", 0, c), "stats");
	CHECK_STR(find("h", 0, c), "help");

	find("st", -EAGAIN, c);
	CHECK_STR(c, "status, stats");
	find("stat", -EAGAIN, c);
	CHECK_STR(c, "status, stats");

	find("x", -ENOENT, c);
	find("attachx", -ENOENT, c);
	find("", -ENOENT, c);
	find("Attach", -ENOENT, c);

	/* A short buffer truncates the list but still reports ambiguity. */
	{
		const struct command *cmd;
		char small[4];

		CHECK(command_find(table, N, "s", &cmd, small,
				   sizeof(small)) == -EAGAIN);
		CHECK_STR(small, "sta");
	}
	check_parse();
	CHECK_DONE();
}
