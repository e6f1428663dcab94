// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the fixture runner (fixture_runner.c) and the packet fuzzer
 * (fuzz_packets.c) do alike before and after their work: the lookup-mode
 * options, the private namespaces, the per-CPU buffer, loading the data
 * plane (or mounting the bpffs the CLI pins it in), and the tear-down.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "fixture_runner.h"
#include "xdp_router.skel.h"

int runner_options(struct runner *r, int argc, char **argv, bool bench,
		   void (*usage)(const char *prog))
{
	/* --bench first: a runner without it starts the table after it. */
	static const struct option options[] = {
		{ "bench", no_argument, NULL, 'b' },
		{ "table", required_argument, NULL, 't' },
		{ "route-cache", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int opt;

	*r = (struct runner){
		.lookup = "fib",
		.prog_fd = -1,
		.ifaces_fd = -1,
		.ifaces_arr_fd = -1,
		.empty_prog_fd = -1,
	};
	while ((opt = getopt_long(argc, argv, bench ? "bt:ch" : "t:ch",
				  bench ? options : options + 1, NULL)) != -1) {
		switch (opt) {
		case 'b':
			r->bench = true;
			break;
		case 'c':
			r->route_cache = true;
			break;
		case 't':
			r->cli = optarg;
			r->lookup = "table";
			break;
		case 'h':
			usage(argv[0]);
			return EXIT_SUCCESS;
		default:
			usage(argv[0]);
			return EXIT_FAILURE;
		}
	}
	return -1;
}

int runner_enter(const struct runner *r)
{
	setvbuf(stdout, NULL, _IOLBF, 0);	/* keep order with ip's output */
	return enter_private_namespaces(r->cli);
}

int runner_alloc_percpu(struct runner *r)
{
	r->ncpus = libbpf_num_possible_cpus();
	percpu_value = r->ncpus > 0 ? calloc(r->ncpus, sizeof(*percpu_value)) :
				      NULL;
	return percpu_value ? 0 : -ENOMEM;
}

int runner_load(struct runner *r)
{
	int err = r->cli ? mount_private_bpffs(r) : load_fib(r);

	if (err)
		printf("Bail out! cannot %s: %s\n",
		       r->cli ? "mount a private bpffs" : "load the data plane",
		       strerror(-err));
	return err;
}

void runner_close(struct runner *r)
{
	if (r->empty_prog_fd >= 0)
		close(r->empty_prog_fd);
	if (r->skel) {
		xdp_router__destroy(r->skel);	/* owns the fds */
	} else {
		if (r->prog_fd >= 0)
			close(r->prog_fd);
		if (r->ifaces_fd >= 0)
			close(r->ifaces_fd);
		if (r->ifaces_arr_fd >= 0)
			close(r->ifaces_arr_fd);
	}
	for (int i = 0; i < r->n_pinned; i++)
		close(r->pinned[i].fd);
	flb_free(r->lb);
	unmount_private_bpffs(r);
	for (int i = 0; i < r->n_expects; i++)
		free(r->expects[i].name);
	free(percpu_value);
	free_selection(r);
}
