// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Fixture runner: --bench, the program's mean cost per packet.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "fixture_runner.h"

/*
 * Mean cost of one pass of a program over the frame, by test_run's own
 * clock, over BENCH_PACKETS calls of one pass each. A test_run repeat would
 * be cheaper per packet but wrong here: it runs the program again over the
 * same buffer, which the router has rewritten (next hop's MAC, lower TTL),
 * so every pass after the first takes another path.
 */
static int time_prog(int prog_fd, const struct fixture *fx, int action,
		     struct fixture_lb *fresh, double *ns)
{
	static struct run_result res;
	double total = 0;
	int err;

	for (int i = 0; i < BENCH_PACKETS; i++) {
		/* A new flow every time: outside the timed run. */
		if (fresh) {
			err = flb_flush_conns(fresh);
			if (err)
				return err;
		}
		err = test_run(prog_fd, fx, &res);
		if (err)
			return err;
		if (res.action != (__u32)action)
			return -EPROTO;
		total += res.ns;
	}
	*ns = total / BENCH_PACKETS;
	return 0;
}

/* Also times an empty program the same way: the clock's own share. */
void bench_case(struct runner *r, const struct fixture *fx)
{
	double router_ns, empty_ns;
	int err;

	r->cases++;
	err = time_prog(r->prog_fd, fx, fx->action,
			flb_bench_fresh(r->lb, fx->name) ? r->lb : NULL,
			&router_ns);
	if (!err)
		err = time_prog(r->empty_prog_fd, fx, XDP_PASS, NULL, &empty_ns);
	if (err) {
		printf("%s: bench failed: %s\n", fx->name, strerror(-err));
		r->failed++;
		return;
	}
	printf("%-28s %7.1f ns/packet  (empty program %.1f ns; %d packets)\n",
	       fx->name, router_ns, empty_ns, BENCH_PACKETS);
}

/* XDP_PASS and nothing else. */
int load_empty_prog(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "xr_bench_empty", "GPL",
			     insns, ARRAY_SIZE(insns), NULL);
}
