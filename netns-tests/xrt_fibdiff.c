// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xrt_fibdiff - run crafted frames through the pinned router program and,
 * for comparison, through a second instance of the same object in fib
 * lookup mode, with BPF_PROG_TEST_RUN. A helper of the populate tests
 * (netns-tests/fibdiff.py drives it).
 *
 *   xrt_fibdiff [--fib-obj OBJ] PIN_PATH
 *
 * Run it inside the router's network namespace: bpf_fib_lookup() asks the
 * FIB of the namespace the ingress interface lives in, and test_run finds
 * the ingress interface by ifindex in the caller's namespace.
 *
 * The pinned program (PIN_PATH/xr_prog) is what `xdp-router attach`
 * loaded, e.g. with --lookup table. With --fib-obj, OBJ (xdp_router.bpf.o)
 * is loaded once more, every map the pin path holds is shared with it
 * (bpf_map__reuse_fd: same devmap, interface conf and counters), and every
 * .rodata variable whose name contains "lookup" is set to 0
 * (XR_LOOKUP_FIB); the other knobs keep the object's defaults, as in a
 * plain `attach`. On stderr it says what the pinned program's own "lookup"
 * variables hold, so a test can tell a table-mode program from a fib one.
 *
 * stdin, one case per line:   IFINDEX HEXFRAME
 * stdout, one line per case:  T_ACTION T_OUTCOME T_HEXOUT [F_ACTION F_OUTCOME F_HEXOUT]
 * ACTION is the XDP action number, OUTCOME the index of the xr_ifaces
 * counter that grew on the ingress interface (-1: none did), HEXOUT the
 * frame as the program left it. The pinned program runs first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "xdp_router_types.h"

#define MAX_FRAME 3072
#define LOOKUP_VAR "lookup"

struct result {
	int action;
	int outcome;
	__u8 out[MAX_FRAME];
	__u32 out_len;
};

static int ifaces_fd = -1;	/* ifindex >= XR_IFINDEX_DIRECT */
static int ifaces_arr_fd = -1;	/* the rest */
static int ncpus;
static struct xr_iface *percpu;

static void die(const char *what, int err)
{
	fprintf(stderr, "xrt_fibdiff: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(2);
}

/* Packets counted per outcome on IFINDEX, summed over CPUs. */
static int read_counts(__u32 ifindex, __u64 counts[XR_OUTCOME_MAX])
{
	memset(counts, 0, sizeof(__u64) * XR_OUTCOME_MAX);
	if (bpf_map_lookup_elem(ifindex < XR_IFINDEX_DIRECT ? ifaces_arr_fd :
				ifaces_fd, &ifindex, percpu))
		return -errno;
	for (int c = 0; c < ncpus; c++)
		for (int o = 0; o < XR_OUTCOME_MAX; o++)
			counts[o] += percpu[c].outcome[o].packets;
	return 0;
}

static void run(int prog_fd, __u32 ifindex, const __u8 *in, __u32 len,
		struct result *res)
{
	__u64 before[XR_OUTCOME_MAX], after[XR_OUTCOME_MAX];
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = in, .data_size_in = len,
		    .data_out = res->out, .data_size_out = sizeof(res->out),
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);
	bool counted = !read_counts(ifindex, before);
	int err = bpf_prog_test_run_opts(prog_fd, &opts);

	if (err)
		die("BPF_PROG_TEST_RUN", err);
	res->action = opts.retval;
	res->out_len = opts.data_size_out;
	res->outcome = -1;
	if (counted && !read_counts(ifindex, after))
		for (int o = 0; o < XR_OUTCOME_MAX; o++)
			if (after[o] != before[o]) {
				res->outcome = o;
				break;
			}
}

static void print_result(const struct result *r)
{
	printf("%d %d ", r->action, r->outcome);
	for (__u32 i = 0; i < r->out_len; i++)
		printf("%02x", r->out[i]);
	if (!r->out_len)
		printf("-");
}

/* The .rodata datasec of BTF, and its variables whose name has LOOKUP_VAR. */
typedef void (*var_fn)(const char *name, __u32 offset, __u32 size, void *arg);

static int for_each_lookup_var(const struct btf *btf, var_fn fn, void *arg)
{
	int n = btf__type_cnt(btf), found = 0;

	for (int id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_var_secinfo *vs;

		if (!btf_is_datasec(t) ||
		    strcmp(btf__name_by_offset(btf, t->name_off), ".rodata"))
			continue;
		vs = btf_var_secinfos(t);
		for (int i = 0; i < btf_vlen(t); i++, vs++) {
			const struct btf_type *v = btf__type_by_id(btf, vs->type);
			const char *name = btf__name_by_offset(btf, v->name_off);

			if (!strstr(name, LOOKUP_VAR))
				continue;
			fn(name, vs->offset, vs->size, arg);
			found++;
		}
	}
	return found;
}

static void set_fib(const char *name, __u32 offset, __u32 size, void *arg)
{
	memset((char *)arg + offset, 0, size);
	fprintf(stderr, "xrt_fibdiff: fib instance: %s = 0\n", name);
}

static void show_pinned(const char *name, __u32 offset, __u32 size, void *arg)
{
	const __u8 *p = (const __u8 *)arg + offset;
	unsigned long long v = 0;

	for (__u32 i = 0; i < size && i < 8; i++)	/* little endian */
		v |= (unsigned long long)p[i] << (8 * i);
	fprintf(stderr, "xrt_fibdiff: pinned program: %s = %llu\n", name, v);
}

/* Print the pinned program's .rodata "lookup" variables. */
static void describe_pinned(int prog_fd, const struct btf *btf)
{
	struct bpf_prog_info info = {};
	__u32 ids[64], len = sizeof(info);

	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return;
	for (__u32 i = 0; i < info.nr_map_ids && i < 64; i++) {
		struct bpf_map_info mi = {};
		__u32 mlen = sizeof(mi), key = 0;
		int fd = bpf_map_get_fd_by_id(ids[i]);
		void *val;

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &mi, &mlen) ||
		    strlen(mi.name) < 7 ||
		    strcmp(mi.name + strlen(mi.name) - 7, ".rodata")) {
			close(fd);
			continue;
		}
		val = calloc(1, mi.value_size);
		if (val && !bpf_map_lookup_elem(fd, &key, val) &&
		    !for_each_lookup_var(btf, show_pinned, val))
			fprintf(stderr, "xrt_fibdiff: pinned program: no .rodata "
				"variable named *%s*\n", LOOKUP_VAR);
		free(val);
		close(fd);
	}
}

static int load_fib_instance(const char *obj_path, const char *pin_path,
			     int pinned_fd, struct bpf_object **objp)
{
	struct bpf_object *obj = bpf_object__open_file(obj_path, NULL);
	struct bpf_program *prog;
	struct bpf_map *map;
	int err;

	if (!obj)
		die(obj_path, errno);
	*objp = obj;
	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		char path[4096];
		int fd;

		if (strchr(name, '.')) {	/* .rodata, .bss, ... */
			size_t sz;
			void *data;

			if (strcmp(name + strlen(name) - 7, ".rodata"))
				continue;
			data = (void *)bpf_map__initial_value(map, &sz);
			if (data && bpf_object__btf(obj))
				for_each_lookup_var(bpf_object__btf(obj),
						    set_fib, data);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", pin_path, name);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			fprintf(stderr, "xrt_fibdiff: %s not pinned: a fresh "
				"map for the fib instance\n", name);
			continue;
		}
		err = bpf_map__reuse_fd(map, fd);
		if (err)
			die(path, err);
		close(fd);
	}
	err = bpf_object__load(obj);
	if (err)
		die("loading the fib instance", err);
	prog = bpf_object__find_program_by_name(obj, XR_PROG_NAME);
	if (!prog)
		die("no program " XR_PROG_NAME " in the object", ENOENT);
	if (bpf_object__btf(obj))
		describe_pinned(pinned_fd, bpf_object__btf(obj));
	return bpf_program__fd(prog);	/* while *objp is open */
}

static int unhex(const char *s, __u8 *out, __u32 max)
{
	__u32 n = 0;

	while (s[0] && s[1] && n < max) {
		unsigned int b;

		if (sscanf(s, "%2x", &b) != 1)
			return -1;
		out[n++] = b;
		s += 2;
	}
	return n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fib-obj", required_argument, NULL, 'o' },
		{}
	};
	static __u8 frame[MAX_FRAME];
	static struct result tres, fres;
	const char *obj_path = NULL;
	char path[4096], *line = NULL;
	size_t cap = 0;
	struct bpf_object *fib_obj = NULL;
	int c, prog_fd, fib_fd = -1, cases = 0;

	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		if (c != 'o') {
			fprintf(stderr, "usage: xrt_fibdiff [--fib-obj OBJ] PIN_PATH\n");
			return 2;
		}
		obj_path = optarg;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: xrt_fibdiff [--fib-obj OBJ] PIN_PATH\n");
		return 2;
	}
	libbpf_set_print(NULL);
	/* fibdiff.py names them: it checks it knows as many. */
	fprintf(stderr, "xrt_fibdiff: %d outcomes\n", XR_OUTCOME_MAX);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 0)
		die("possible CPUs", ncpus);
	percpu = calloc(ncpus, sizeof(*percpu));

	snprintf(path, sizeof(path), "%s/%s", argv[optind], XR_PIN_PROG);
	prog_fd = bpf_obj_get(path);
	if (prog_fd < 0)
		die(path, errno);
	snprintf(path, sizeof(path), "%s/%s", argv[optind], XR_MAP_IFACES);
	ifaces_fd = bpf_obj_get(path);
	if (ifaces_fd < 0)
		die(path, errno);
	snprintf(path, sizeof(path), "%s/%s", argv[optind], XR_MAP_IFACES_ARR);
	ifaces_arr_fd = bpf_obj_get(path);
	if (ifaces_arr_fd < 0)
		die(path, errno);
	if (obj_path)
		fib_fd = load_fib_instance(obj_path, argv[optind], prog_fd,
					   &fib_obj);

	while (getline(&line, &cap, stdin) > 0) {
		unsigned int ifindex;
		char hex[2 * MAX_FRAME + 2];
		int len;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%u %6145s", &ifindex, hex) != 2 ||
		    (len = unhex(hex, frame, sizeof(frame))) <= 0) {
			fprintf(stderr, "xrt_fibdiff: bad input line: %s", line);
			return 2;
		}
		run(prog_fd, ifindex, frame, len, &tres);
		print_result(&tres);
		if (fib_fd >= 0) {
			run(fib_fd, ifindex, frame, len, &fres);
			putchar(' ');
			print_result(&fres);
		}
		putchar('\n');
		cases++;
	}
	fflush(stdout);
	fprintf(stderr, "xrt_fibdiff: %d cases\n", cases);
	free(line);
	bpf_object__close(fib_obj);
	free(percpu);
	return 0;
}
