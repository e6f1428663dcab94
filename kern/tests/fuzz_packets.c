// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Packet fuzzing of the XDP data plane, through BPF_PROG_TEST_RUN.
 *
 *   fuzz_packets [--table CLI]
 *   XR_FUZZ_SEED=N XR_FUZZ_FRAMES=N fuzz_packets ...   (defaults 1, 5000000)
 *
 * In a private network namespace, the fixture runner's machinery
 * (fixture_runner.h) builds fuzz_net.c's network, loads the data plane
 * (fib lookup mode; --table: attached and populated by the CLI, table mode)
 * and configures the load balancer. Then random and mutated frames
 * (fuzz_gen.c) go through the real program one by one, and for each:
 *
 *   - the action is never XDP_ABORTED, and it is one the reference model
 *     (fuzz_model.c) allows; where the model says the router must forward,
 *     balance or drop a packet, it does;
 *   - the output frame is exactly what the model expects of that action:
 *     unchanged when passed or dropped, next hop MACs / TTL - 1 / valid
 *     checksum / same payload, cut to the IP length, when redirected, the
 *     VIP's rewrite when sent to a backend;
 *   - exactly one outcome counter of the ingress interface moved, by one
 *     packet and the frame's bytes, and it agrees with the action.
 *
 * At the end, every interface's counters must have moved by exactly the
 * outcomes seen, and the run must have reached the router's main outcomes
 * (a generator that stopped producing, say, VIP traffic would fail), with
 * enough frames the model said must be forwarded and must be balanced.
 * A failure prints the frame (hex) and the seed: rerun with the same seed
 * and count to reproduce. Output is TAP.
 *
 * --firewall puts an nftables forward chain (policy accept) in the
 * namespace, for IPv4 only: every IPv4 frame that gets past the load
 * balancer and the IP options then goes through the firewall gate
 * (kern/firewall.h) in auto mode. Conntrack holds no entry and the
 * recorder noted nothing (no frame ever reaches the kernel), so the gate
 * hands each of them to the kernel: pass_fw_new or pass_fw_ctl, frame
 * untouched, whatever the model said the router must do
 * with it (the kernel decides: it forwards or drops it itself). IPv6, whose
 * hooks are empty, must never meet the gate, and keeps every other check.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "../outcome_action.h"
#include "fixture_runner.h"
#include "fuzz_gen.h"
#include "fuzz_model.h"

#define DEFAULT_FRAMES 5000000
#define MAX_REPORTS 10		/* failures described in full */
#define MAX_INGRESS 16		/* ifindexes of fuzz_net.c are below */
#define COVERAGE_FRAMES 100000	/* enough to reach every main outcome */
/*
 * At least this share of the frames (per mille) must be ones the model
 * says the router must forward, or send to a backend: a model that stopped
 * saying "must" would check nothing. About half of what the generator
 * gives (seeds 1-3: ~133 and ~74 per mille).
 */
#define MIN_MUST_REDIRECT 65
#define MIN_MUST_TX 35

struct tally {
	__u64 frames, failures, must_redirect, must_tx, must_drop;
	__u64 outcome[MAX_INGRESS][XR_OUTCOME_MAX];	/* packets */
	__u64 bytes[MAX_INGRESS][XR_OUTCOME_MAX];
	__u64 action[XDP_REDIRECT + 1];
	struct xr_counter last[MAX_INGRESS][XR_OUTCOME_MAX];
};

static struct tally t;
static bool firewall;		/* --firewall */
static struct snapshot snap_before, snap_after;

/* The ingress interface's counters, summed over CPUs. */
static int read_iface(const struct runner *r, __u32 ifindex,
		      struct xr_counter *sum)
{
	int err = bpf_map_lookup_elem(r->ifaces_arr_fd, &ifindex,
				      percpu_value);

	if (err)
		return err;
	memset(sum, 0, sizeof(*sum) * XR_OUTCOME_MAX);
	for (int cpu = 0; cpu < r->ncpus; cpu++) {
		for (int o = 0; o < XR_OUTCOME_MAX; o++) {
			sum[o].packets += percpu_value[cpu].outcome[o].packets;
			sum[o].bytes += percpu_value[cpu].outcome[o].bytes;
		}
	}
	return 0;
}

/* The one outcome that moved for this frame, or -1 (described). */
static int moved_outcome(const struct runner *r, __u32 ifindex, size_t len,
			 FILE *diag)
{
	struct xr_counter now[XR_OUTCOME_MAX];
	int found = -1, moved = 0;

	if (read_iface(r, ifindex, now)) {
		fprintf(diag, "#   cannot read the counters of ifindex %u\n",
			ifindex);
		return -1;
	}
	for (int o = 0; o < XR_OUTCOME_MAX; o++) {
		__u64 dp = now[o].packets - t.last[ifindex][o].packets;
		__u64 db = now[o].bytes - t.last[ifindex][o].bytes;

		if (!dp && !db)
			continue;
		moved++;
		if (dp == 1 && db == len)
			found = o;
		else
			fprintf(diag, "#   %s moved by %llu packets, %llu bytes\n",
				outcome_name(o), (unsigned long long)dp,
				(unsigned long long)db);
	}
	memcpy(t.last[ifindex], now, sizeof(now));
	if (moved != 1 || found < 0) {
		fprintf(diag, "#   %d outcome counters moved, expected exactly one\n",
			moved);
		return -1;
	}
	return found;
}

static void print_frame(FILE *diag, const char *label, const __u8 *p,
			size_t len)
{
	fprintf(diag, "#   %s (%zu bytes): ", label, len);
	for (size_t i = 0; i < len; i++)
		fprintf(diag, "%02x", p[i]);
	fprintf(diag, "\n");
}

static int check_frame(struct runner *r, const struct fixture *fx,
		       __u64 index, FILE *diag)
{
	static struct run_result res;
	struct fz_expect e;
	int errors = 0, outcome, err;

	fz_model(fx->in, fx->in_len, fx->ifindex, &e);
	err = test_run(r->prog_fd, fx, &res);
	if (err) {
		fprintf(diag, "#   test run: %s\n", strerror(-err));
		return 1;
	}
	if (res.action > XDP_REDIRECT)
		res.action = XDP_ABORTED;	/* never valid either */
	t.action[res.action]++;
	if (e.must == XDP_REDIRECT)
		t.must_redirect++;
	else if (e.must == XDP_TX)
		t.must_tx++;
	else if (e.must == XDP_DROP)
		t.must_drop++;
	outcome = moved_outcome(r, fx->ifindex, fx->in_len, diag);
	if (outcome < 0) {
		errors++;
	} else {
		t.outcome[fx->ifindex][outcome]++;
		t.bytes[fx->ifindex][outcome] += fx->in_len;
		if (outcome_action(outcome) != (int)res.action) {
			fprintf(diag, "#   outcome %s with action %s\n",
				outcome_name(outcome), action_name(res.action));
			errors++;
		}
	}
	if (outcome >= XR_PASS_FW_NEW && outcome <= XR_PASS_FW_BLIND) {
		if (!firewall || e.v6 || outcome == XR_PASS_FW_VERIFY ||
		    outcome == XR_PASS_FW_BLIND) {
			fprintf(diag, "#   %s where the gate has nothing to judge\n",
				outcome_name(outcome));
			errors++;
		} else {
			/* Handed to the kernel: any verdict is its own. */
			e.may |= FZ_BIT(XDP_PASS);
			e.must = -1;
		}
	}
	errors += fz_check(fx->in, fx->in_len, &e, res.action, res.out,
			   res.out_len, diag);
	if (errors) {
		fprintf(diag, "#   frame %llu on ifindex %u: %s, outcome %s; model: %s\n",
			(unsigned long long)index, fx->ifindex,
			action_name(res.action),
			outcome >= 0 ? outcome_name(outcome) : "?", e.why);
		print_frame(diag, "in ", fx->in, fx->in_len);
		print_frame(diag, "out", res.out, res.out_len);
	}
	return errors;
}

static __u64 env_u64(const char *name, __u64 dflt)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return dflt;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end) {
		fprintf(stderr, "%s: not a number: %s\n", name, s);
		exit(EXIT_FAILURE);
	}
	return v;
}

static int setup(struct runner *r)
{
	char **lines = fz_net_directives();
	int err;

	if (!lines)
		return -ENOMEM;
	for (; *lines; lines++) {
		char *copy = strdup(*lines);	/* run_line() splits it */

		err = copy ? run_line(r, copy) : -ENOMEM;
		free(copy);
		if (err) {
			printf("Bail out! %s: %s\n", *lines, strerror(-err));
			return err;
		}
	}
	return r->ready ? 0 : table_ready(r);
}

/* An IPv4 forward chain that accepts everything: hooks, so the gate. */
static int fw_rules(void)
{
	char *nft[] = { "nft", "add table ip fz { chain f { type filter hook "
			"forward priority 0; policy accept; }; }", NULL };

	return run_cmd(nft);
}

static void run_frames(struct runner *r, __u64 seed, __u64 frames)
{
	static struct fixture fx;
	struct fz_rng rng = { .state = seed };
	int n_in;
	const struct fz_link *in = fz_ingress_links(&n_in);

	for (int i = 0; i < n_in; i++)
		read_iface(r, in[i].ifindex, t.last[in[i].ifindex]);
	fx.name = "fuzz";
	for (__u64 i = 0; i < frames; i++) {
		char *text = NULL;
		size_t text_len = 0;
		FILE *diag = open_memstream(&text, &text_len);
		int errors;

		fx.in_len = fz_frame(&rng, fx.in, sizeof(fx.in), &fx.ifindex);
		errors = diag ? check_frame(r, &fx, i, diag) : 1;
		if (diag)
			fclose(diag);
		t.frames++;
		if (errors && ++t.failures <= MAX_REPORTS)
			fputs(text ? text : "#   out of memory\n", stdout);
		free(text);
	}
}

/* Every interface's counters moved by exactly what the frames did. */
static int check_totals(void)
{
	static const struct iface_counters zero;
	int errors = 0;

	for (int i = 0; i < snap_after.n; i++) {
		const struct iface_counters *a = &snap_after.iface[i];
		const struct iface_counters *b = &zero;
		__u32 idx = a->ifindex;

		for (int j = 0; j < snap_before.n; j++)
			if (snap_before.iface[j].ifindex == idx)
				b = &snap_before.iface[j];
		for (int o = 0; o < XR_OUTCOME_MAX; o++) {
			__u64 dp = a->outcome[o].packets - b->outcome[o].packets;
			__u64 db = a->outcome[o].bytes - b->outcome[o].bytes;
			__u64 wp = idx < MAX_INGRESS ? t.outcome[idx][o] : 0;
			__u64 wb = idx < MAX_INGRESS ? t.bytes[idx][o] : 0;

			if (dp == wp && db == wb)
				continue;
			printf("#   ifindex %u %s: %llu packets, %llu bytes; frames saw %llu, %llu\n",
			       idx, outcome_name(o), (unsigned long long)dp,
			       (unsigned long long)db, (unsigned long long)wp,
			       (unsigned long long)wb);
			errors++;
		}
	}
	return errors;
}

/*
 * Outcomes the generator must reach at the default size: proof that the
 * frames still exercise forwarding, the LB, and each reason to pass or drop.
 */
static const int required[] = {
	XR_REDIRECT, XR_LB_TX, XR_PASS_NOT_IP, XR_PASS_L2_OTHER,
	XR_PASS_IP_MCAST, XR_PASS_MARTIAN, XR_PASS_V6_LINK_LOCAL,
	XR_PASS_IP_OPTIONS, XR_PASS_TTL_EXPIRED, XR_PASS_UNREACHABLE,
	XR_PASS_NO_NEIGH, XR_PASS_FRAG_NEEDED, XR_PASS_EGRESS_NOT_XDP,
	XR_DROP_MALFORMED, XR_DROP_BAD_CSUM, XR_DROP_BLACKHOLE,
	XR_DROP_LB_NO_BACKEND,
};

/* And with --firewall, what the gate answers frames of no known flow. */
static const int required_fw[] = {
	XR_PASS_FW_NEW, XR_PASS_FW_CTL,
};

static int report_coverage(__u64 frames)
{
	__u64 total[XR_OUTCOME_MAX] = {};
	int missing = 0;

	for (int i = 0; i < MAX_INGRESS; i++)
		for (int o = 0; o < XR_OUTCOME_MAX; o++)
			total[o] += t.outcome[i][o];
	for (int o = 0; o < XR_OUTCOME_MAX; o++)
		if (total[o])
			printf("#   %-24s %llu\n", outcome_name(o),
			       (unsigned long long)total[o]);
	printf("#   frames the model said must be forwarded: %llu, sent to a backend: %llu, dropped: %llu\n",
	       (unsigned long long)t.must_redirect,
	       (unsigned long long)t.must_tx, (unsigned long long)t.must_drop);
	if (frames < COVERAGE_FRAMES)
		return 0;	/* too few to expect every outcome */
	if (t.must_redirect * 1000 < frames * MIN_MUST_REDIRECT) {
		printf("#   too few must-forward frames (at least %d per mille)\n",
		       MIN_MUST_REDIRECT);
		missing++;
	}
	if (t.must_tx * 1000 < frames * MIN_MUST_TX) {
		printf("#   too few must-balance frames (at least %d per mille)\n",
		       MIN_MUST_TX);
		missing++;
	}
	for (size_t i = 0; i < ARRAY_SIZE(required); i++) {
		if (total[required[i]])
			continue;
		printf("#   never reached: %s\n", outcome_name(required[i]));
		missing++;
	}
	for (size_t i = 0; firewall && i < ARRAY_SIZE(required_fw); i++) {
		if (total[required_fw[i]])
			continue;
		printf("#   never reached: %s\n",
		       outcome_name(required_fw[i]));
		missing++;
	}
	return missing;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--table CLI | --route-cache] [--firewall]\n"
		"  Random and mutated frames through the XDP data plane, checked\n"
		"  against a reference model; TAP output. --route-cache: fib "
		"mode with\n"
		"  the route cache on (answers stored at once). --firewall: an "
		"nftables\n"
		"  forward chain for IPv4, whose frames meet the firewall gate.\n"
		"  Environment:\n"
		"  XR_FUZZ_SEED (default 1), XR_FUZZ_FRAMES (default %d).\n",
		prog, DEFAULT_FRAMES);
}

int main(int argc, char **argv)
{
	__u64 seed = env_u64("XR_FUZZ_SEED", 1);
	__u64 frames = env_u64("XR_FUZZ_FRAMES", DEFAULT_FRAMES);
	struct runner r;
	int err, totals, missing;

	/* Ours, not the runner's: taken out before it parses the rest. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--firewall"))
			continue;
		firewall = true;
		memmove(argv + i, argv + i + 1, (argc - i) * sizeof(*argv));
		argc--;
		break;
	}
	err = runner_options(&r, argc, argv, false, usage);
	if (err >= 0)
		return err;
	if (optind != argc || (r.cli && r.route_cache)) {
		usage(argv[0]);
		return EXIT_FAILURE;
	}
	err = runner_enter(&r);
	if (err)
		return err;
	printf("# lookup mode %s%s, XR_FUZZ_SEED=%llu XR_FUZZ_FRAMES=%llu\n",
	       r.lookup, firewall ? ", firewall gate on for IPv4" : "", (unsigned long long)seed,
	       (unsigned long long)frames);
	if (runner_alloc_percpu(&r) || fz_net_init()) {
		printf("Bail out! cannot set up the model\n");
		return EXIT_FAILURE;
	}
	if (runner_load(&r))
		return EXIT_FAILURE;
	r.lb = flb_new(r.ncpus, false, runner_map_fd, &r);
	if (firewall && fw_rules()) {
		printf("1..0 # SKIP cannot load an nftables ruleset (nft)\n");
		return EXIT_SKIP;
	}
	if (!r.lb || setup(&r) || take_snapshot(&r, &snap_before)) {
		printf("Bail out! cannot set up the network\n");
		return EXIT_FAILURE;
	}

	run_frames(&r, seed, frames);
	if (take_snapshot(&r, &snap_after)) {
		printf("Bail out! cannot read the counters\n");
		return EXIT_FAILURE;
	}

	printf("1..%d\n", r.route_cache ? 4 : 3);
	printf("%s 1 - %llu frames: actions and output frames as the model allows\n",
	       t.failures ? "not ok" : "ok", (unsigned long long)t.frames);
	if (t.failures)
		printf("# %llu frames failed (first %d shown above); reproduce with XR_FUZZ_SEED=%llu XR_FUZZ_FRAMES=%llu\n",
		       (unsigned long long)t.failures, MAX_REPORTS,
		       (unsigned long long)seed, (unsigned long long)frames);
	totals = check_totals();
	printf("%s 2 - every interface's counters moved by the frames' outcomes\n",
	       totals ? "not ok" : "ok");
	missing = report_coverage(frames);
	printf("%s 3 - the frames reached every main outcome and enough must checks\n",
	       missing ? "not ok" : "ok");
	if (r.route_cache) {
		__u64 hits = 0;

		/* Repeated flows must have been answered by the cache. */
		if (route_cache_hits(&r, &hits) || hits < frames / 100)
			missing = 1;
		printf("%s 4 - route cache hits: %llu\n", missing ? "not ok" :
		       "ok", (unsigned long long)hits);
	}

	runner_close(&r);
	return t.failures || totals || missing ? EXIT_FAILURE : EXIT_SUCCESS;
}
