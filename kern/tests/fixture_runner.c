// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Packet-fixture tests for the XDP data plane, run through BPF_PROG_TEST_RUN.
 *
 *   fixture_runner [--bench] [--table CLI | --route-cache] FIXTURES [CASE...]
 *
 * FIXTURES is written by gen_fixtures.py, which documents its format. The
 * runner moves into a private network namespace (the host is never touched
 * and the kernel tears everything down when the runner exits), builds the
 * topology the file describes, loads the data plane and runs every case, or
 * only the named ones. A case passes when the XDP action, the output frame
 * (byte for byte, length included) and the outcome counters are exactly as
 * expected: one packet and the frame's bytes under the expected outcome of
 * the ingress interface, nothing anywhere else. Output is TAP.
 *
 * Load balancer lines (fixture_lb.c) write VIPs, backends and rings into
 * the LB maps as the control plane would, and make every case check the
 * per-VIP and per-backend counters too: they must move exactly as the
 * case's lb-expect line says, or not at all.
 *
 * By default the runner loads the data plane itself, in fib lookup mode,
 * and configures the interfaces as the CLI would. --table CLI runs the same
 * cases in table lookup mode, set up by the real control plane: in a private
 * mount namespace with a bpffs of its own, `CLI attach --lookup table` for
 * each interface the file attaches, then `CLI populate` to mirror the
 * kernel's routes and neighbours, then the pinned program is tested.
 *
 * --route-cache turns fib mode's route cache on (as if its neighbour
 * watchers were attached, and without the settle time) and runs every
 * forwarded case twice: filled by the first run, answered by the second.
 *
 * --bench runs the cases named on the command line, or else those on the
 * file's bench line, a million times each and prints the program's mean
 * cost per packet instead. Cases named on an lb-bench-fresh line are timed
 * as new flows: the connection table is emptied before each run.
 *
 * This file has the usage and main(); fixture_runner.h lists the others.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fixture_runner.h"

/* ---- main -------------------------------------------------------------- */

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--bench] [--table CLI | --route-cache] FIXTURES "
		"[CASE...]\n"
		"  Runs the XDP data plane on packet fixtures (all, or the named\n"
		"  cases) in a private network namespace; TAP output.\n"
		"  -b, --bench      time the file's bench cases (or the named "
		"ones)\n"
		"  -t, --table CLI  table lookup mode, set up by the xdp-router "
		"binary CLI\n"
		"  -c, --route-cache  fib mode with the route cache on; "
		"forwarded cases run twice\n",
		prog);
}


int main(int argc, char **argv)
{
	struct runner r;
	int err;

	err = runner_options(&r, argc, argv, true, usage);
	if (err >= 0)
		return err;
	if (optind >= argc) {
		usage(argv[0]);
		return EXIT_FAILURE;
	}
	err = runner_enter(&r);
	if (err)
		return err;
	printf("# lookup mode: %s%s\n", r.lookup,
	       r.route_cache ? ", route cache on" : "");

	err = runner_alloc_percpu(&r);
	if (select_cases(&r, argv + optind + 1, argc - optind - 1, false) ||
	    err) {
		printf("Bail out! out of memory\n");
		return EXIT_FAILURE;
	}
	if (r.cli && r.route_cache) {
		usage(argv[0]);
		return EXIT_FAILURE;
	}
	if (runner_load(&r))
		return EXIT_FAILURE;
	r.lb = flb_new(r.ncpus, r.bench, runner_map_fd, &r);
	if (!r.lb) {
		printf("Bail out! out of memory\n");
		return EXIT_FAILURE;
	}
	r.empty_prog_fd = r.bench ? load_empty_prog() : -1;
	if (r.bench && r.empty_prog_fd < 0) {
		printf("Bail out! cannot load the empty program: %s\n",
		       strerror(errno));
		return EXIT_FAILURE;
	}

	err = run_file(&r, argv[optind]);
	for (int i = 0; !err && i < r.n_only; i++) {
		if (!r.only_seen[i]) {
			printf("Bail out! no case named %s\n", r.only[i]);
			err = -ENOENT;
		}
	}
	if (!err && !r.cases) {
		printf("Bail out! no case to run\n");
		err = -ENOENT;
	}
	if (!r.bench)
		printf("1..%d\n", r.cases);
	if (r.failed)
		printf("# %d of %d failed\n", r.failed, r.cases);

	runner_close(&r);
	return err || r.failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
