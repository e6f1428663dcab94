// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Packet-fixture tests for the XDP data plane, run through BPF_PROG_TEST_RUN.
 *
 *   fixture_runner [--bench] [--table CLI] FIXTURES [CASE...]
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
 * --bench runs the cases named on the command line, or else those on the
 * file's bench line, a million times each and prints the program's mean
 * cost per packet instead. Cases named on an lb-bench-fresh line are timed
 * as new flows: the connection table is emptied before each run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "fixture_lb.h"
#include "xdp_router_types.h"
#include "xdp_router.skel.h"

#define EXIT_SKIP 77		/* ctest's SKIP_RETURN_CODE */
#define MAX_FRAME 3072		/* test_run takes ~3.5 KiB on 4 KiB pages */
#define MAX_ARGS 32
#define MAX_OUTS 4		/* output frames a case accepts (ECMP) */
#define MAX_EXPECTS 32
#define BENCH_PACKETS 1000000
#define MAX_PINNED_MAPS 16	/* table mode: LB maps opened by pin */

#define NAME(x) [x] = #x
static const char *const action_names[] = {
	NAME(XDP_ABORTED), NAME(XDP_DROP), NAME(XDP_PASS), NAME(XDP_TX),
	NAME(XDP_REDIRECT),
};

_Static_assert(XR_OUTCOME_MAX == 21, "new outcome: add it to outcome_names");
static const char *const outcome_names[XR_OUTCOME_MAX] = {
	NAME(XR_REDIRECT), NAME(XR_LB_TX), NAME(XR_PASS_NOT_IP),
	NAME(XR_PASS_L2_OTHER),
	NAME(XR_PASS_IP_MCAST), NAME(XR_PASS_MARTIAN),
	NAME(XR_PASS_V6_LINK_LOCAL), NAME(XR_PASS_IP_OPTIONS),
	NAME(XR_PASS_TTL_EXPIRED), NAME(XR_PASS_NOT_FWDED),
	NAME(XR_PASS_UNREACHABLE), NAME(XR_PASS_NO_NEIGH),
	NAME(XR_PASS_FRAG_NEEDED), NAME(XR_PASS_UNSUPPORTED),
	NAME(XR_PASS_EGRESS_NOT_XDP), NAME(XR_DROP_MALFORMED),
	NAME(XR_DROP_BAD_CSUM), NAME(XR_DROP_BLACKHOLE),
	NAME(XR_DROP_LB_NO_BACKEND), NAME(XR_DROP_LB_FRAG), NAME(XR_ABORTED),
};
#undef NAME

struct fixture {
	const char *name;
	__u32 ifindex;		/* ingress */
	int action;
	int outcome;
	__u8 in[MAX_FRAME];
	size_t in_len;
	int n_out;		/* any of the output frames passes */
	__u8 out[MAX_OUTS][MAX_FRAME];
	size_t out_len[MAX_OUTS];
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
	char **only;		/* run only these cases, if any */
	int n_only;
	bool *only_seen;
	bool own_only;		/* names copied from the file's bench line */
	int cases;		/* cases run */
	int failed;
};

/* Scratch space, too large for the stack. */
static struct snapshot before, after;

/* One value per possible CPU; libbpf wants them 8-byte aligned, which the
 * struct already is. */
_Static_assert(sizeof(struct xr_iface) % 8 == 0, "per-CPU value stride");
static struct xr_iface *percpu_value;

static const char *name_of(const char *const *names, size_t n, int value)
{
	if (value < 0 || (size_t)value >= n || !names[value])
		return "?";
	return names[value];
}

static int value_of(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return (int)i;
	return -1;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define action_name(v) name_of(action_names, ARRAY_SIZE(action_names), v)
#define outcome_name(v) name_of(outcome_names, XR_OUTCOME_MAX, v)

/* ---- topology ---------------------------------------------------------- */

/*
 * Runs argv[0] (found in $PATH) and waits for it; -ECANCELED when it fails,
 * it says why on stderr. Its stdout goes to stderr too: ours is TAP.
 */
static int run_cmd(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECANCELED;
}

/* /proc/sys/net is per network namespace: this only changes ours. */
static int write_sysctl(const char *path, const char *value)
{
	char file[256];
	FILE *f;
	int err;

	snprintf(file, sizeof(file), "/proc/sys/%s", path);
	f = fopen(file, "w");
	if (!f)
		return -errno;
	err = fputs(value, f) < 0 ? -EIO : 0;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

static int read_mac(const char *ifname, __u8 mac[ETH_ALEN])
{
	struct ifreq ifr = {};
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	close(fd);
	return err;
}

/*
 * Fib mode: what the control plane does for an interface it attaches: make
 * it a redirect target and give the data plane its MAC, in every CPU's copy.
 */
static int attach_iface_maps(struct runner *r, const char *ifname)
{
	struct bpf_devmap_val port = {};
	struct xr_iface_conf conf = { .flags = XR_IFACE_F_CONFIGURED };
	__u32 ifindex = if_nametoindex(ifname);
	int err;

	if (!ifindex)
		return -errno;
	err = read_mac(ifname, conf.mac);
	if (err)
		return err;

	port.ifindex = ifindex;
	err = bpf_map__update_elem(r->skel->maps.xr_tx_ports, &ifindex,
				   sizeof(ifindex), &port, sizeof(port),
				   BPF_ANY);
	if (err)
		return err;

	memset(percpu_value, 0, sizeof(*percpu_value) * r->ncpus);
	for (int cpu = 0; cpu < r->ncpus; cpu++)
		percpu_value[cpu].conf = conf;
	return bpf_map__update_elem(ifindex < XR_IFINDEX_DIRECT ?
				    r->skel->maps.xr_ifaces_arr :
				    r->skel->maps.xr_ifaces, &ifindex,
				    sizeof(ifindex), percpu_value,
				    sizeof(*percpu_value) * r->ncpus, BPF_ANY);
}

/* Table mode: the real thing, which loads the router on first use. */
static int attach_iface_cli(struct runner *r, const char *ifname)
{
	char *argv[] = { (char *)r->cli, "--pin-path", r->pin_path, "attach",
			 "--lookup", "table", (char *)ifname, NULL };

	return run_cmd(argv);
}

static int attach_iface(struct runner *r, const char *ifname)
{
	return r->cli ? attach_iface_cli(r, ifname)
		      : attach_iface_maps(r, ifname);
}

/*
 * Table mode, once the topology is complete: mirror it into the maps, then
 * open what the CLI pinned.
 */
static int table_ready(struct runner *r)
{
	char *populate[] = { (char *)r->cli, "--pin-path", r->pin_path,
			     "populate", NULL };
	char path[PATH_MAX + 32];
	int err;

	err = run_cmd(populate);
	if (err) {
		printf("# %s populate failed\n", r->cli);
		return err;
	}
	snprintf(path, sizeof(path), "%s/%s", r->pin_path, XR_PIN_PROG);
	r->prog_fd = bpf_obj_get(path);
	if (r->prog_fd < 0)
		return r->prog_fd;
	snprintf(path, sizeof(path), "%s/%s", r->pin_path, XR_MAP_IFACES);
	r->ifaces_fd = bpf_obj_get(path);
	if (r->ifaces_fd < 0)
		return r->ifaces_fd;
	snprintf(path, sizeof(path), "%s/%s", r->pin_path, XR_MAP_IFACES_ARR);
	r->ifaces_arr_fd = bpf_obj_get(path);
	if (r->ifaces_arr_fd < 0)
		return r->ifaces_arr_fd;
	r->ready = true;
	return 0;
}

/* The fd of a map of the program under test, for the lb-* directives. */
static int runner_map_fd(void *ctx, const char *name)
{
	struct runner *r = ctx;
	char path[PATH_MAX + 32];
	int fd;

	if (r->skel)
		return bpf_object__find_map_fd_by_name(r->skel->obj, name);
	for (int i = 0; i < r->n_pinned; i++)
		if (!strcmp(r->pinned[i].name, name))
			return r->pinned[i].fd;
	if (r->n_pinned == MAX_PINNED_MAPS)
		return -E2BIG;
	snprintf(path, sizeof(path), "%s/%s", r->pin_path, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return fd;
	r->pinned[r->n_pinned].name = name;	/* a string constant */
	r->pinned[r->n_pinned++].fd = fd;
	return fd;
}

/* ---- counters ---------------------------------------------------------- */

/* Sums one entry over CPUs into the next snapshot slot. */
static int snapshot_add(const struct runner *r, struct snapshot *s, int fd,
			__u32 key, bool skip_zero)
{
	struct iface_counters *ic;
	bool in_use = false;
	int err;

	err = bpf_map_lookup_elem(fd, &key, percpu_value);
	if (err)
		return err;
	for (int cpu = 0; cpu < r->ncpus; cpu++) {
		static const struct xr_iface zero;

		in_use |= !!memcmp(&percpu_value[cpu], &zero, sizeof(zero));
	}
	/* An all-zero array slot is the array's "no entry". */
	if (skip_zero && !in_use)
		return 0;
	if (s->n == XR_MAX_IFACES)
		return -E2BIG;
	ic = &s->iface[s->n++];
	memset(ic, 0, sizeof(*ic));
	ic->ifindex = key;
	for (int cpu = 0; cpu < r->ncpus; cpu++) {
		for (int o = 0; o < XR_OUTCOME_MAX; o++) {
			const struct xr_counter *c =
				&percpu_value[cpu].outcome[o];

			ic->outcome[o].packets += c->packets;
			ic->outcome[o].bytes += c->bytes;
		}
	}
	return 0;
}

static int take_snapshot(const struct runner *r, struct snapshot *s)
{
	__u32 key, *prev = NULL;
	int err;

	/* At most XR_MAX_IFACES entries in use: s->iface fits them. */
	s->n = 0;
	for (key = 0; key < XR_IFINDEX_DIRECT; key++) {
		err = snapshot_add(r, s, r->ifaces_arr_fd, key, true);
		if (err)
			return err;
	}
	while (!(err = bpf_map_get_next_key(r->ifaces_fd, prev, &key))) {
		err = snapshot_add(r, s, r->ifaces_fd, key, false);
		if (err)
			return err;
		prev = &s->iface[s->n - 1].ifindex;
	}
	return err == -ENOENT ? 0 : err;
}

static const struct iface_counters *find_iface(const struct snapshot *s,
					       __u32 ifindex)
{
	for (int i = 0; i < s->n; i++)
		if (s->iface[i].ifindex == ifindex)
			return &s->iface[i];
	return NULL;
}

/*
 * Every counter that moved between the snapshots must be the expected one,
 * and it must have moved by exactly one packet of `bytes`. Entries missing
 * from `before` count as zero: the program creates them on first sight.
 */
static int check_counters(FILE *diag, __u32 ifindex, int outcome,
			  __u64 bytes)
{
	static const struct iface_counters zero;
	bool seen = false;
	int errors = 0;

	for (int i = 0; i < after.n; i++) {
		const struct iface_counters *a = &after.iface[i];
		const struct iface_counters *b = find_iface(&before, a->ifindex);

		if (!b)
			b = &zero;
		for (int o = 0; o < XR_OUTCOME_MAX; o++) {
			bool expected = a->ifindex == ifindex && o == outcome;
			__u64 dp = a->outcome[o].packets - b->outcome[o].packets;
			__u64 db = a->outcome[o].bytes - b->outcome[o].bytes;

			if (expected)
				seen = true;
			if (dp == (expected ? 1 : 0) &&
			    db == (expected ? bytes : 0))
				continue;
			fprintf(diag, "#   ifindex %u %s moved by %llu packets, %llu bytes; expected %u, %llu\n",
				a->ifindex, outcome_name(o),
				(unsigned long long)dp, (unsigned long long)db,
				expected ? 1 : 0,
				(unsigned long long)(expected ? bytes : 0));
			errors++;
		}
	}
	if (!seen) {
		fprintf(diag, "#   no xr_ifaces entry for ingress ifindex %u\n",
			ifindex);
		errors++;
	}
	return errors;
}

/* ---- running the program ----------------------------------------------- */

struct run_result {
	__u32 action;
	__u32 ns;		/* by test_run's clock */
	__u8 out[MAX_FRAME];
	size_t out_len;
};

/* One pass over a fresh copy of the frame, as received on fx->ifindex. */
static int test_run(int prog_fd, const struct fixture *fx,
		    struct run_result *res)
{
	struct xdp_md ctx = {
		.data_end = fx->in_len,	/* test_run insists */
		.ingress_ifindex = fx->ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = fx->in,
		    .data_size_in = fx->in_len,
		    .data_out = res->out,
		    .data_size_out = sizeof(res->out),
		    .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx),
		    .repeat = 1);
	int err;

	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err)
		return err;
	res->action = opts.retval;
	res->ns = opts.duration;
	res->out_len = opts.data_size_out;
	return 0;
}

static void print_hex(FILE *diag, const char *label, const __u8 *p,
		      size_t len, size_t from)
{
	size_t to = from + 32 < len ? from + 32 : len;

	fprintf(diag, "#   %s [%zu..%zu):", label, from, to);
	for (size_t i = from; i < to; i++)
		fprintf(diag, " %02x", p[i]);
	fprintf(diag, "\n");
}

/* Bytes @got and output frame @i of @fx have in common from the start. */
static size_t common_prefix(const struct fixture *fx, int i,
			    const struct run_result *got)
{
	size_t n = fx->out_len[i] < got->out_len ? fx->out_len[i] :
						   got->out_len;
	size_t same = 0;

	while (same < n && fx->out[i][same] == got->out[same])
		same++;
	return same;
}

/* The output must be one of the case's frames; shows the nearest if not. */
static int check_output(FILE *diag, const struct fixture *fx,
			const struct run_result *res)
{
	size_t diff = 0, same;
	int near = 0;

	for (int i = 0; i < fx->n_out; i++) {
		same = common_prefix(fx, i, res);
		if (same == fx->out_len[i] && same == res->out_len)
			return 0;
		if (same > diff) {
			diff = same;
			near = i;
		}
	}
	fprintf(diag, "#   output differs at byte %zu (length %zu, expected %zu%s)\n",
		diff, res->out_len, fx->out_len[near],
		fx->n_out > 1 ? ", nearest of several" : "");
	diff &= ~15UL;
	print_hex(diag, "expected", fx->out[near], fx->out_len[near], diff);
	print_hex(diag, "got     ", res->out, res->out_len, diff);
	return 1;
}

/* All the ways a case can fail; diagnostics go to `diag`. */
static int check_case(const struct runner *r, const struct fixture *fx,
		      FILE *diag)
{
	static struct run_result res;
	int errors = 0, err;

	err = take_snapshot(r, &before);
	if (!err)
		err = flb_snapshot(r->lb);
	if (!err)
		err = test_run(r->prog_fd, fx, &res);
	if (!err)
		err = take_snapshot(r, &after);
	if (err) {
		fprintf(diag, "#   test run: %s\n", strerror(-err));
		return 1;
	}
	if (res.action != (__u32)fx->action) {
		fprintf(diag, "#   action %s, expected %s\n",
			action_name(res.action), action_name(fx->action));
		errors++;
	}
	errors += check_output(diag, fx, &res);
	errors += check_counters(diag, fx->ifindex, fx->outcome, fx->in_len);
	errors += flb_check(r->lb, diag, fx->name, fx->in_len);
	return errors;
}

static void run_case(struct runner *r, const struct fixture *fx)
{
	char *diag_text = NULL;
	size_t diag_len = 0;
	FILE *diag = open_memstream(&diag_text, &diag_len);
	int errors = diag ? check_case(r, fx, diag) : 1;

	if (diag)
		fclose(diag);
	r->cases++;
	r->failed += !!errors;
	/* TAP: the diagnostics follow the line of the test they belong to. */
	printf("%s %d - %s\n%s", errors ? "not ok" : "ok", r->cases, fx->name,
	       diag_text ? diag_text : "");
	free(diag_text);
}

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
static void bench_case(struct runner *r, const struct fixture *fx)
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
static int load_empty_prog(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "xr_bench_empty", "GPL",
			     insns, ARRAY_SIZE(insns), NULL);
}

/* ---- the fixture file -------------------------------------------------- */

static int unhex(const char *s, __u8 *buf, size_t size, size_t *len)
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

/* Output frames, comma separated. */
static int parse_outs(char *list, struct fixture *fx)
{
	char *save = NULL;

	fx->n_out = 0;
	for (char *hex = strtok_r(list, ",", &save); hex;
	     hex = strtok_r(NULL, ",", &save)) {
		if (fx->n_out == MAX_OUTS)
			return -E2BIG;
		if (unhex(hex, fx->out[fx->n_out], sizeof(fx->out[0]),
			  &fx->out_len[fx->n_out]))
			return -EINVAL;
		fx->n_out++;
	}
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
	if (!err)
		apply_expect(r, fx);
	return err;
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

static int select_cases(struct runner *r, char **names, int n, bool copy)
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

static void free_selection(struct runner *r)
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

static int do_line(struct runner *r, char *line)
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

static int run_file(struct runner *r, const char *path)
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
		copy = strdup(line);	/* do_line() splits it in place */
		err = copy ? do_line(r, copy) : -ENOMEM;
		if (err)
			printf("Bail out! %s:%d: %s: %.60s\n", path, lineno,
			       strerror(-err), line);
		free(copy);
	}
	free(line);
	fclose(f);
	return err;
}

/* ---- main -------------------------------------------------------------- */

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--bench] [--table CLI] FIXTURES [CASE...]\n"
		"  Runs the XDP data plane on packet fixtures (all, or the named\n"
		"  cases) in a private network namespace; TAP output.\n"
		"  -b, --bench      time the file's bench cases (or the named "
		"ones)\n"
		"  -t, --table CLI  table lookup mode, set up by the xdp-router "
		"binary CLI\n",
		prog);
}

/*
 * A network namespace of our own and, in table mode, a mount namespace
 * too, for a bpffs of our own: what the CLI pins there disappears with us.
 */
static int enter_private_namespaces(bool mounts)
{
	if (!unshare(CLONE_NEWNET | (mounts ? CLONE_NEWNS : 0)))
		return 0;
	if (errno == EPERM) {
		printf("1..0 # SKIP no permission to create a network namespace\n");
		return EXIT_SKIP;
	}
	perror("unshare");
	return EXIT_FAILURE;
}

static int mount_private_bpffs(struct runner *r)
{
	/* Our mounts must not propagate back to the host's namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -errno;
	snprintf(r->bpffs, sizeof(r->bpffs), "/tmp/xr-fixtures.XXXXXX");
	if (!mkdtemp(r->bpffs)) {
		r->bpffs[0] = '\0';
		return -errno;
	}
	if (mount("bpf", r->bpffs, "bpf", 0, "mode=0700")) {
		int err = -errno;

		rmdir(r->bpffs);
		r->bpffs[0] = '\0';
		return err;
	}
	snprintf(r->pin_path, sizeof(r->pin_path), "%s/xdp-router",
		 r->bpffs);
	return 0;
}

static void unmount_private_bpffs(struct runner *r)
{
	if (!r->bpffs[0])
		return;
	umount2(r->bpffs, MNT_DETACH);
	rmdir(r->bpffs);
}

/* Fib mode: the runner loads the data plane itself. */
static int load_fib(struct runner *r)
{
	r->skel = xdp_router__open_and_load();
	if (!r->skel)
		return -errno;
	r->prog_fd = bpf_program__fd(r->skel->progs.xdp_router);
	r->ifaces_fd = bpf_map__fd(r->skel->maps.xr_ifaces);
	r->ifaces_arr_fd = bpf_map__fd(r->skel->maps.xr_ifaces_arr);
	r->ready = true;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "bench", no_argument, NULL, 'b' },
		{ "table", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct runner r = {
		.lookup = "fib",
		.prog_fd = -1,
		.ifaces_fd = -1,
		.ifaces_arr_fd = -1,
	};
	int opt, err;

	while ((opt = getopt_long(argc, argv, "bt:h", options, NULL)) != -1) {
		switch (opt) {
		case 'b':
			r.bench = true;
			break;
		case 't':
			r.cli = optarg;
			r.lookup = "table";
			break;
		case 'h':
			usage(argv[0]);
			return EXIT_SUCCESS;
		default:
			usage(argv[0]);
			return EXIT_FAILURE;
		}
	}
	if (optind >= argc) {
		usage(argv[0]);
		return EXIT_FAILURE;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);	/* keep order with ip's output */

	err = enter_private_namespaces(r.cli);
	if (err)
		return err;
	printf("# lookup mode: %s\n", r.lookup);

	r.ncpus = libbpf_num_possible_cpus();
	percpu_value = r.ncpus > 0 ? calloc(r.ncpus, sizeof(*percpu_value)) :
				     NULL;
	if (select_cases(&r, argv + optind + 1, argc - optind - 1, false) ||
	    !percpu_value) {
		printf("Bail out! out of memory\n");
		return EXIT_FAILURE;
	}
	err = r.cli ? mount_private_bpffs(&r) : load_fib(&r);
	if (err) {
		printf("Bail out! cannot %s: %s\n",
		       r.cli ? "mount a private bpffs" : "load the data plane",
		       strerror(-err));
		return EXIT_FAILURE;
	}
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

	if (r.empty_prog_fd >= 0)
		close(r.empty_prog_fd);
	if (r.skel) {
		xdp_router__destroy(r.skel);	/* owns the fds */
	} else {
		if (r.prog_fd >= 0)
			close(r.prog_fd);
		if (r.ifaces_fd >= 0)
			close(r.ifaces_fd);
		if (r.ifaces_arr_fd >= 0)
			close(r.ifaces_arr_fd);
	}
	for (int i = 0; i < r.n_pinned; i++)
		close(r.pinned[i].fd);
	flb_free(r.lb);
	unmount_private_bpffs(&r);
	for (int i = 0; i < r.n_expects; i++)
		free(r.expects[i].name);
	free(percpu_value);
	free_selection(&r);
	return err || r.failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
