// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Fixture runner: running one case through BPF_PROG_TEST_RUN and
 * comparing action, output frame and counters with the expected ones.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "fixture_runner.h"

/* Scratch space, too large for the stack. */
static struct snapshot before, after;

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

int take_snapshot(const struct runner *r, struct snapshot *s)
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


/* One pass over a fresh copy of the frame, as received on fx->ifindex. */
int test_run(int prog_fd, const struct fixture *fx,
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

/* All the ways one run of a case can fail; diagnostics go to `diag`. */
static int check_run(const struct runner *r, const struct fixture *fx,
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

/*
 * With --route-cache a forwarded case runs twice: the first run fills the
 * cache, the second must be answered by it, with exactly the same result.
 */
static int check_case(const struct runner *r, const struct fixture *fx,
		      FILE *diag)
{
	int errors = check_run(r, fx, diag);

	if (!errors && r->route_cache && fx->outcome == XR_REDIRECT) {
		__u64 hits[2], epochs[2];

		fprintf(diag, "#   (second run: from the route cache)\n");
		if (route_cache_totals(r, &hits[0], &epochs[0]))
			return 1;
		errors = check_run(r, fx, diag);
		if (route_cache_totals(r, &hits[1], &epochs[1]))
			return 1;
		if (!errors && hits[1] != hits[0] + 1) {
			fprintf(diag, "#   not answered by the route cache "
				"(%llu hits)\n",
				(unsigned long long)(hits[1] - hits[0]));
			/* Not a retry: says whether the namespace was quiet. */
			if (epochs[1] != epochs[0])
				fprintf(diag, "#   the kernel's routing state changed between the runs (the cache's epoch moved)\n");
			errors++;
		}
	}
	return errors;
}

void run_case(struct runner *r, const struct fixture *fx)
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
