/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The fixture runner's load balancer directives: they write VIPs, backends
 * and rings into the LB maps as the control plane would, and check the
 * LB's counters around every case. See gen_fixtures.py for the syntax.
 */
#ifndef XR_FIXTURE_LB_H
#define XR_FIXTURE_LB_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

struct fixture_lb;

/* Returns the fd of the map called @name, or a negative errno. */
typedef int (*flb_map_fd_fn)(void *ctx, const char *name);

/* @bench: cases are timed, not run in order: lb-age has nothing to age. */
struct fixture_lb *flb_new(int ncpus, bool bench, flb_map_fd_fn map_fd,
			   void *ctx);
void flb_free(struct fixture_lb *lb);

/* True for the lines flb_directive() handles. */
bool flb_is_directive(const char *word);
int flb_directive(struct fixture_lb *lb, char **argv, int argc);

/* Around one run of case @name, whose frame is @bytes long: the LB's
 * counters must move exactly as its lb-expect line says (or not at all). */
int flb_snapshot(struct fixture_lb *lb);
int flb_check(struct fixture_lb *lb, FILE *diag, const char *name,
	      __u64 bytes);

/* --bench: cases to time as new flows (connection table emptied first). */
bool flb_bench_fresh(const struct fixture_lb *lb, const char *name);
int flb_flush_conns(struct fixture_lb *lb);

#endif /* XR_FIXTURE_LB_H */
