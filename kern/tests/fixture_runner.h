/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The fixture runner's shared state (see fixture_runner.c). One job a file:
 *   fixture_runner.c  usage, main
 *   fixture_start.c   options, set-up and tear-down both runners share
 *   fixture_topo.c    namespaces, bpffs, topology, attaching interfaces
 *   fixture_file.c    reading the fixture file, selecting cases
 *   fixture_case.c    running a case and comparing its results
 *   fixture_route.c   the kernel's next hop for a flow (ECMP cases)
 *   fixture_bench.c   --bench timing
 *   fixture_names.c   names of actions and outcomes
 * fuzz_packets.c reuses all but main() for random frames.
 */
#ifndef XR_FIXTURE_RUNNER_H
#define XR_FIXTURE_RUNNER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/types.h>
#include "fixture_lb.h"
#include "xdp_router_types.h"

#define EXIT_SKIP 77		/* ctest's SKIP_RETURN_CODE */
/* Jumbo frames: test_run puts what does not fit a page (~3.5 KiB of it)
 * into fragments, a multi-buffer frame for the xdp.frags program. */
#define MAX_FRAME 9216
#define MAX_ARGS 32
#define MAX_OUTS 4		/* output frames of a case (ECMP: one a next hop) */
#define MAX_EXPECTS 32
#define BENCH_PACKETS 1000000
#define MAX_PINNED_MAPS 16	/* table mode: LB maps opened by pin */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

extern const char *const action_names[XDP_REDIRECT + 1];
extern const char *const outcome_names[XR_OUTCOME_MAX];
const char *name_of(const char *const *names, size_t n, int value);
int value_of(const char *const *names, size_t n, const char *name);
#define action_name(v) name_of(action_names, ARRAY_SIZE(action_names), v)
#define outcome_name(v) name_of(outcome_names, XR_OUTCOME_MAX, v)

struct xdp_router;

struct fixture {
	const char *name;
	__u32 ifindex;		/* ingress */
	int action;
	int outcome;
	__u8 in[MAX_FRAME];
	size_t in_len;
	int n_out;		/* several: any of them passes (table mode) */
	__u8 out[MAX_OUTS][MAX_FRAME];
	size_t out_len[MAX_OUTS];
	__u32 out_ifindex[MAX_OUTS];	/* the egress each frame leaves by */
};

/* An `expect` line of this run's lookup mode: the case differs there. */
struct expect {
	char *name;
	int action;
	int outcome;
};

/* Sums over CPUs of one interface's counters. */
struct iface_counters {
	__u32 ifindex;
	struct xr_counter outcome[XR_OUTCOME_MAX];
};

struct snapshot {
	int n;
	struct iface_counters iface[XR_MAX_IFACES];
};

struct runner {
	const char *lookup;	/* "fib" or "table" */
	const char *cli;	/* table mode: the xdp-router binary */
	char bpffs[64];		/* table mode: our private bpffs */
	char pin_path[PATH_MAX];
	bool ready;		/* table mode: populated, pins opened */
	struct xdp_router *skel;	/* fib mode */
	int prog_fd;
	int ifaces_fd;		/* xr_ifaces: ifindex >= XR_IFINDEX_DIRECT */
	int ifaces_arr_fd;	/* xr_ifaces_arr: the rest */
	struct fixture_lb *lb;	/* lb-* directives */
	struct {		/* table mode: maps opened by their pins */
		const char *name;
		int fd;
	} pinned[MAX_PINNED_MAPS];
	int n_pinned;
	struct expect expects[MAX_EXPECTS];
	int n_expects;
	int empty_prog_fd;	/* --bench baseline */
	int ncpus;
	bool bench;
	bool route_cache;	/* fib mode with the route cache on */
	char **only;		/* run only these cases, if any */
	int n_only;
	bool *only_seen;
	bool own_only;		/* names copied from the file's bench line */
	int cases;		/* cases run */
	int failed;
};

/* One value per possible CPU (fixture_runner.c allocates it). */
extern struct xr_iface *percpu_value;

struct run_result {
	__u32 action;
	__u32 ns;		/* by test_run's clock */
	__u8 out[MAX_FRAME];
	size_t out_len;
};

/* fixture_start.c */
/*
 * Parses --table CLI, --route-cache, --help (and --bench if @bench) into a
 * fresh @r. Returns -1 to go on, else the exit status (help, bad option).
 */
int runner_options(struct runner *r, int argc, char **argv, bool bench,
		   void (*usage)(const char *prog));
/* Line-buffered stdout, then the private namespaces: 0 or an exit status. */
int runner_enter(const struct runner *r);
/* percpu_value for r->ncpus CPUs: 0 or -ENOMEM. */
int runner_alloc_percpu(struct runner *r);
/* Loads the data plane (fib mode) or mounts the CLI's bpffs (table mode);
 * a failure is told on stdout ("Bail out!"). */
int runner_load(struct runner *r);
void runner_close(struct runner *r);

/* fixture_topo.c */
int run_cmd(char **argv);
int write_sysctl(const char *path, const char *value);
int attach_iface(struct runner *r, const char *ifname);
int table_ready(struct runner *r);
int runner_map_fd(void *ctx, const char *name);
int enter_private_namespaces(bool mounts);
int mount_private_bpffs(struct runner *r);
void unmount_private_bpffs(struct runner *r);
int load_fib(struct runner *r);

/* fixture_file.c */
int run_file(struct runner *r, const char *path);
/* Calls @fn on a copy of each line of @path (which @fn may split); stops
 * at the first error, told on stdout ("Bail out!"). */
int run_file_lines(const char *path, int (*fn)(void *ctx, char *line),
		   void *ctx);
/* Hex text to bytes: 0 or -EINVAL. */
int unhex(const char *s, __u8 *buf, size_t size, size_t *len);
/* One directive (split in place); case lines run the case. */
int run_line(struct runner *r, char *line);
int select_cases(struct runner *r, char **names, int n, bool copy);
void free_selection(struct runner *r);

/* fixture_case.c */
int test_run(int prog_fd, const struct fixture *fx, struct run_result *res);
int take_snapshot(const struct runner *r, struct snapshot *s);
void run_case(struct runner *r, const struct fixture *fx);

/* fixture_route.c: the egress ifindex the kernel's FIB picks for the flow
 * of a UDP/TCP frame received on @iif, or a negative errno. */
int kernel_egress(const __u8 *frame, size_t len, __u32 iif);

/* fixture_bench.c */
void bench_case(struct runner *r, const struct fixture *fx);
int load_empty_prog(void);

/* --route-cache: the route cache's hits so far, both families, all CPUs;
 * and the sum of its epochs, which moves when the routing state does. */
int route_cache_hits(const struct runner *r, __u64 *hits);
int route_cache_totals(const struct runner *r, __u64 *hits, __u64 *epochs);

#endif /* XR_FIXTURE_RUNNER_H */
