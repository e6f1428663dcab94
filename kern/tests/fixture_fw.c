// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Fixtures for the firewall gate (kern/firewall.h, kern/fw_nat.h), run
 * through BPF_PROG_TEST_RUN.
 *
 *   fixture_fw FIXTURES          (as root; FIXTURES from fw_fixtures.py)
 *
 * The gate forwards a flow only once the kernel has: conntrack's entry is
 * established and the recorder (kern/fw_record.bpf.c, TC egress) has seen
 * the kernel forward the flow, each way, under the current ruleset. Nothing
 * outside the kernel can write that proof (it holds the entry's address),
 * so the runner lets the kernel do it: in its private network namespace,
 * real veths whose far ends sit in a second namespace, a real nftables
 * ruleset (filter, masquerade, DNAT, NAT66), the recorder on the router
 * ends' egress, and real frames sent from the far ends through kernel
 * forwarding (fixture_fw_net.c). Cases then run as fixture_runner's do
 * (fixture_case.c: action, exact output frame, counters), and every frame
 * that goes through the kernel must come out exactly as fw_fixtures.py
 * computed: XDP's frame, the kernel's and the generator's are one.
 *
 * fw_fixtures.py documents the directives. Output is TAP.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "fixture_fw.h"
#include "fw_record.skel.h"
#include "xdp_router.skel.h"

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s FIXTURES\n"
		"  Runs the firewall gate's fixtures (fw_fixtures.py) in private\n"
		"  network namespaces, the kernel forwarding the flows first; "
		"TAP output.\n",
		prog);
}

/* ---- loading ------------------------------------------------------------ */

static int mode_of(const char *name)
{
	if (!strcmp(name, "auto"))
		return XR_FW_AUTO;
	if (!strcmp(name, "conntrack"))
		return XR_FW_CONNTRACK;
	if (!strcmp(name, "off"))
		return XR_FW_OFF;
	return -EINVAL;
}

/*
 * The data plane in fib mode with @mode, as load_fib() loads it (no route
 * cache); what was attached is attached again, the recorder switched to
 * the new maps. The old program goes once nothing refers to it.
 */
static int fw_load(struct fw_env *env, int mode)
{
	struct runner *r = env->r;
	struct xdp_router *old = r->skel, *skel;
	int err;

	skel = xdp_router__open();
	if (!skel)
		return -errno;
	skel->rodata->xr_rc_settle_us = 0;
	skel->rodata->xr_rc_sample = 1;
	skel->rodata->xr_rc_slots = 0;
	skel->rodata->xr_fw_mode = mode;
	err = xdp_router__load(skel);
	if (err) {
		xdp_router__destroy(skel);
		return err;
	}
	r->skel = skel;
	r->prog_fd = bpf_program__fd(skel->progs.xdp_router);
	r->ifaces_fd = bpf_map__fd(skel->maps.xr_ifaces);
	r->ifaces_arr_fd = bpf_map__fd(skel->maps.xr_ifaces_arr);
	r->ready = true;
	for (int i = 0; !err && i < env->n_attached; i++)
		err = attach_iface(r, env->attached[i]);
	if (!err && env->n_recorded)
		err = fw_recorder_attach(env);
	xdp_router__destroy(old);
	return err;
}

/* ---- directives --------------------------------------------------------- */

static struct fw_flow *find_flow(struct fw_env *env, const char *name)
{
	for (int i = 0; i < env->n_flows; i++)
		if (!strcmp(env->flows[i].name, name))
			return &env->flows[i];
	return NULL;
}

/* flow NAME FAMILY PROTO SRC SPORT DST DPORT */
static int do_flow(struct fw_env *env, char **argv, int argc)
{
	struct fw_flow *f = &env->flows[env->n_flows];
	int af;

	if (argc != 8 || env->n_flows == FW_MAX_FLOWS || find_flow(env, argv[1]))
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", argv[1]);
	af = !strcmp(argv[2], "ipv6") ? AF_INET6 : AF_INET;
	f->key.family = af;
	f->key.l4_proto = !strcmp(argv[3], "tcp") ? IPPROTO_TCP : IPPROTO_UDP;
	if (inet_pton(af, argv[4], f->key.src) != 1 ||
	    inet_pton(af, argv[6], f->key.dst) != 1)
		return -EINVAL;
	f->key.sport = htons(atoi(argv[5]));
	f->key.dport = htons(atoi(argv[7]));
	env->n_flows++;
	return 0;
}

/* kernel FLOW DIR IN OUT IN_HEX OUT_HEX */
static int do_kernel(struct fw_env *env, char **argv, int argc)
{
	struct fw_flow *f = argc == 7 ? find_flow(env, argv[1]) : NULL;
	struct fw_packet *p;
	char name[64];
	int dir;

	if (!f)
		return -EINVAL;
	dir = !strcmp(argv[2], "reply");
	p = &f->last[dir];
	snprintf(p->in, sizeof(p->in), "%s", argv[3]);
	snprintf(p->out, sizeof(p->out), "%s", argv[4]);
	if (unhex(argv[5], p->frame, sizeof(p->frame), &p->len) ||
	    unhex(argv[6], p->expect, sizeof(p->expect), &p->expect_len))
		return -EINVAL;
	p->set = true;
	snprintf(name, sizeof(name), "%s %s", f->name, argv[2]);
	fw_kernel(env, name, p);
	return 0;
}

/* kernel-drop NAME IN OUT IN_HEX */
static int do_kernel_drop(struct fw_env *env, char **argv, int argc)
{
	static __u8 frame[MAX_FRAME];
	size_t len;

	if (argc != 5 || unhex(argv[4], frame, sizeof(frame), &len))
		return -EINVAL;
	return fw_kernel_drop(env, argv[1], argv[2], argv[3], frame, len);
}

/* "ip" lines: @HOSTS is the hosts namespace. */
static int do_ip(struct fw_env *env, char **argv)
{
	for (int i = 0; argv[i]; i++)
		if (!strcmp(argv[i], "@HOSTS"))
			argv[i] = env->hosts_path;
	return run_cmd(argv);
}

static int do_list(char (*list)[16], int *n, char **argv, int argc)
{
	for (int i = 1; i < argc; i++) {
		if (*n == FW_MAX_LINKS)
			return -E2BIG;
		snprintf(list[(*n)++], 16, "%s", argv[i]);
	}
	return 0;
}

static int fw_line(struct fw_env *env, char *line)
{
	char *argv[MAX_ARGS + 1], *save = NULL, *copy, *rest;
	int argc = 0, err;

	/* nft takes the rest of the line as one command. */
	if (!strncmp(line, "nft ", 4)) {
		char *nft[] = { "nft", line + 4, NULL };

		line[strcspn(line, "\n")] = '\0';
		return run_cmd(nft);
	}
	copy = strdup(line);
	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (argc == MAX_ARGS) {
			free(copy);
			return -E2BIG;
		}
		argv[argc++] = tok;
	}
	argv[argc] = NULL;
	rest = line;

	if (!argc || argv[0][0] == '#')
		err = 0;
	else if (!strcmp(argv[0], "ip"))
		err = do_ip(env, argv);
	else if (!strcmp(argv[0], "host")) {
		argv[0] = "ip";
		err = fw_run_in_hosts(env, argv);
	} else if (!strcmp(argv[0], "conntrack"))
		err = run_cmd(argv);
	else if (!strcmp(argv[0], "flow"))
		err = do_flow(env, argv, argc);
	else if (!strcmp(argv[0], "kernel"))
		err = do_kernel(env, argv, argc);
	else if (!strcmp(argv[0], "kernel-drop"))
		err = do_kernel_drop(env, argv, argc);
	else if (!strcmp(argv[0], "fw-settle")) {
		struct fw_flow *f = argc == 2 ? find_flow(env, argv[1]) : NULL;

		err = f ? 0 : -EINVAL;
		if (f)
			fw_settle(env, f);
	} else if (!strcmp(argv[0], "fw-load")) {
		int mode = argc == 2 ? mode_of(argv[1]) : -EINVAL;

		err = mode < 0 ? mode : fw_load(env, mode);
	} else if (!strcmp(argv[0], "fw-recorder")) {
		err = do_list(env->recorded, &env->n_recorded, argv, argc);
		if (!err)
			err = fw_recorder_attach(env);
	} else if (!strcmp(argv[0], "attach")) {
		err = do_list(env->attached, &env->n_attached, argv, argc);
		if (!err)
			err = run_line(env->r, rest);
	} else
		err = run_line(env->r, rest);	/* sysctl, case */
	free(copy);
	return err;
}

static int fw_file_line(void *ctx, char *line)
{
	return fw_line(ctx, line);
}

/* The tools the fixtures drive; 77 (skip) when one is missing. */
static int have_tools(void)
{
	static const char *const tools[][3] = {
		{ "nft", "--version", NULL },
		{ "conntrack", "--version", NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(tools); i++) {
		if (run_cmd((char **)tools[i])) {
			printf("1..0 # SKIP %s not found\n", tools[i][0]);
			return EXIT_SKIP;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct fw_env env;
	struct runner r;
	int err;

	err = runner_options(&r, argc, argv, false, usage);
	if (err >= 0)
		return err;
	if (optind + 1 != argc || r.cli || r.route_cache) {
		usage(argv[0]);
		return EXIT_FAILURE;
	}
	err = runner_enter(&r);
	if (err)
		return err;
	err = have_tools();
	if (err)
		return err;
	env.r = &r;
	err = fw_hosts_create(&env);
	if (err) {
		printf("Bail out! cannot create the hosts namespace: %s\n",
		       strerror(-err));
		return EXIT_FAILURE;
	}
	if (runner_alloc_percpu(&r)) {
		printf("Bail out! out of memory\n");
		return EXIT_FAILURE;
	}
	err = fw_load(&env, XR_FW_AUTO);
	if (err) {
		printf("Bail out! cannot load the data plane: %s\n",
		       strerror(-err));
		return EXIT_FAILURE;
	}
	r.lb = flb_new(r.ncpus, false, runner_map_fd, &r);
	if (!r.lb) {
		printf("Bail out! out of memory\n");
		return EXIT_FAILURE;
	}

	err = run_file_lines(argv[optind], fw_file_line, &env);
	if (!err && env.drop.pending) {
		printf("Bail out! a kernel-drop with no frame after it\n");
		err = -EINVAL;
	}
	printf("1..%d\n", r.cases);
	if (r.failed)
		printf("# %d of %d failed\n", r.failed, r.cases);
	fw_recorder_close(&env);
	runner_close(&r);
	return err || r.failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
