// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* command.c: exact names, unique prefixes, ambiguity, unknown words. */
#include <errno.h>
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
	CHECK_DONE();
}
