// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Fixture runner: reading the fixture file (gen_fixtures.py documents
 * its format) line by line, and selecting the cases to run.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fixture_runner.h"

/* ---- the fixture file -------------------------------------------------- */

int unhex(const char *s, __u8 *buf, size_t size, size_t *len)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > size)
		return -EINVAL;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned int byte;

		if (sscanf(s + 2 * i, "%2x", &byte) != 1)
			return -EINVAL;
		buf[i] = byte;
	}
	*len = n / 2;
	return 0;
}

/*
 * Output frames, comma separated; when there are several (an ECMP route's
 * next hops), each is IFNAME=HEX: the frame that leaves by IFNAME.
 */
static int parse_outs(char *list, struct fixture *fx)
{
	char *save = NULL, *eq;

	fx->n_out = 0;
	for (char *hex = strtok_r(list, ",", &save); hex;
	     hex = strtok_r(NULL, ",", &save)) {
		if (fx->n_out == MAX_OUTS)
			return -E2BIG;
		fx->out_ifindex[fx->n_out] = 0;
		eq = strchr(hex, '=');
		if (eq) {
			*eq = '\0';
			fx->out_ifindex[fx->n_out] = if_nametoindex(hex);
			if (!fx->out_ifindex[fx->n_out])
				return -ENODEV;
			hex = eq + 1;
		}
		if (unhex(hex, fx->out[fx->n_out], sizeof(fx->out[0]),
			  &fx->out_len[fx->n_out]))
			return -EINVAL;
		fx->n_out++;
	}
	for (int i = 0; fx->n_out > 1 && i < fx->n_out; i++)
		if (!fx->out_ifindex[i])
			return -EINVAL;
	return fx->n_out ? 0 : -EINVAL;
}

/* An expect line for this case: passed or dropped, frame unchanged. */
static void apply_expect(const struct runner *r, struct fixture *fx)
{
	for (int i = 0; i < r->n_expects; i++) {
		if (strcmp(r->expects[i].name, fx->name))
			continue;
		fx->action = r->expects[i].action;
		fx->outcome = r->expects[i].outcome;
		memcpy(fx->out[0], fx->in, fx->in_len);
		fx->out_len[0] = fx->in_len;
		fx->n_out = 1;
	}
}

/*
 * An ECMP case lists the frame each next hop of the route gives. Fib mode
 * (route cache or not) must take the one the kernel's FIB takes for the
 * flow: only its frame is kept. Table mode hashes flows its own way
 * (kern/flow_hash.h: jhash, seeded at load time), which cannot reproduce
 * the kernel's keyed hash: there any next hop of the route passes.
 */
static int keep_kernel_next_hop(const struct runner *r, struct fixture *fx)
{
	int oif;

	if (fx->n_out < 2 || r->cli)
		return 0;
	oif = kernel_egress(fx->in, fx->in_len, fx->ifindex);
	if (oif < 0)
		return oif;
	for (int i = 0; i < fx->n_out; i++) {
		if (fx->out_ifindex[i] != (__u32)oif)
			continue;
		memmove(fx->out[0], fx->out[i], fx->out_len[i]);
		fx->out_len[0] = fx->out_len[i];
		fx->out_ifindex[0] = fx->out_ifindex[i];
		fx->n_out = 1;
		return 0;
	}
	printf("# %s: the kernel's next hop (ifindex %d) is none of the case's\n",
	       fx->name, oif);
	return -ENOENT;
}

static int parse_case(const struct runner *r, char **argv, int argc,
		      struct fixture *fx)
{
	int err;

	if (argc != 7)
		return -EINVAL;
	fx->name = argv[1];
	fx->ifindex = if_nametoindex(argv[2]);
	if (!fx->ifindex)
		return -ENODEV;
	fx->action = value_of(action_names, ARRAY_SIZE(action_names), argv[3]);
	fx->outcome = value_of(outcome_names, XR_OUTCOME_MAX, argv[4]);
	if (fx->action < 0 || fx->outcome < 0)
		return -EINVAL;
	if (unhex(argv[5], fx->in, sizeof(fx->in), &fx->in_len))
		return -EINVAL;
	err = parse_outs(argv[6], fx);
	if (err)
		return err;
	apply_expect(r, fx);
	return keep_kernel_next_hop(r, fx);
}

/* expect LOOKUP NAME ACTION OUTCOME: kept if LOOKUP is this run's. */
static int do_expect(struct runner *r, char **argv, int argc)
{
	struct expect *e = &r->expects[r->n_expects];

	if (argc != 5)
		return -EINVAL;
	if (strcmp(argv[1], r->lookup))
		return 0;
	if (r->n_expects == MAX_EXPECTS)
		return -E2BIG;
	e->action = value_of(action_names, ARRAY_SIZE(action_names), argv[3]);
	e->outcome = value_of(outcome_names, XR_OUTCOME_MAX, argv[4]);
	if (e->action < 0 || e->outcome < 0 || e->action == XDP_REDIRECT)
		return -EINVAL;
	e->name = strdup(argv[2]);
	if (!e->name)
		return -ENOMEM;
	r->n_expects++;
	return 0;
}

static bool selected(struct runner *r, const struct fixture *fx)
{
	if (!r->n_only)
		return !r->bench;
	for (int i = 0; i < r->n_only; i++) {
		if (!strcmp(r->only[i], fx->name)) {
			r->only_seen[i] = true;
			return true;
		}
	}
	return false;
}

static int do_case(struct runner *r, char **argv, int argc)
{
	static struct fixture fx;
	int err = parse_case(r, argv, argc, &fx);

	if (err)
		return err;
	if (!selected(r, &fx))
		return 0;
	if (!r->ready) {
		err = table_ready(r);
		if (err)
			return err;
	}
	if (r->bench)
		bench_case(r, &fx);
	else
		run_case(r, &fx);
	return 0;
}

int select_cases(struct runner *r, char **names, int n, bool copy)
{
	r->only = copy ? calloc(n, sizeof(*r->only)) : names;
	r->only_seen = calloc(n + 1, sizeof(*r->only_seen));
	r->n_only = n;
	r->own_only = copy;
	if (!r->only || !r->only_seen)
		return -ENOMEM;
	for (int i = 0; copy && i < n; i++) {
		r->only[i] = strdup(names[i]);
		if (!r->only[i])
			return -ENOMEM;
	}
	return 0;
}

void free_selection(struct runner *r)
{
	for (int i = 0; r->own_only && i < r->n_only; i++)
		free(r->only[i]);
	if (r->own_only)
		free(r->only);
	free(r->only_seen);
}

/* The cases --bench times when the command line names none. */
static int do_bench_list(struct runner *r, char **argv, int argc)
{
	if (!r->bench || r->n_only)
		return 0;
	free_selection(r);
	return select_cases(r, argv + 1, argc - 1, true);
}

int run_line(struct runner *r, char *line)
{
	char *argv[MAX_ARGS + 1], *save = NULL;
	int argc = 0;

	for (char *tok = strtok_r(line, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (argc == MAX_ARGS)
			return -E2BIG;
		argv[argc++] = tok;
	}
	argv[argc] = NULL;

	if (!argc || argv[0][0] == '#')
		return 0;
	if (!strcmp(argv[0], "ip"))
		return run_cmd(argv);
	if (!strcmp(argv[0], "sysctl") && argc == 3)
		return write_sysctl(argv[1], argv[2]);
	if (!strcmp(argv[0], "attach") && argc == 2)
		return attach_iface(r, argv[1]);
	if (!strcmp(argv[0], "expect"))
		return do_expect(r, argv, argc);
	if (!strcmp(argv[0], "case"))
		return do_case(r, argv, argc);
	if (!strcmp(argv[0], "bench"))
		return do_bench_list(r, argv, argc);
	if (flb_is_directive(argv[0])) {
		/* Table mode: the maps exist once the topology is done. */
		if (!r->ready) {
			int err = table_ready(r);

			if (err)
				return err;
		}
		return flb_directive(r->lb, argv, argc);
	}
	return -EINVAL;
}

int run_file_lines(const char *path, int (*fn)(void *ctx, char *line),
		   void *ctx)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *copy;
	size_t cap = 0;
	int lineno = 0, err = 0;

	if (!f) {
		err = -errno;
		printf("Bail out! %s: %s\n", path, strerror(-err));
		return err;
	}
	while (!err && getline(&line, &cap, f) > 0) {
		lineno++;
		copy = strdup(line);	/* the directive splits it in place */
		err = copy ? fn(ctx, copy) : -ENOMEM;
		if (err)
			printf("Bail out! %s:%d: %s: %.60s\n", path, lineno,
			       strerror(-err), line);
		free(copy);
	}
	free(line);
	fclose(f);
	return err;
}

static int runner_line(void *ctx, char *line)
{
	return run_line(ctx, line);
}

int run_file(struct runner *r, const char *path)
{
	return run_file_lines(path, runner_line, r);
}
