// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xrb - the benchmark's data-plane helper (scripts/bench.sh drives it).
 *
 *   xrb gen --dev IF --dmac MAC --src ADDR --dst ADDR [--size B] [--flows N]
 *           [--dsts FILE] [--dport-spread] [--duration S] [--warmup S]
 *           [--cpus LIST] --count PIN
 *       Send UDP frames out of IF with the live-frames test_run (one thread
 *       per CPU of LIST, pinned), and measure what the sink behind PIN (a
 *       pinned counter map) receives: one JSON object on stdout.
 *   xrb gen ... --packets N
 *       Send exactly N frames (flow after flow: N = --flows sends one packet
 *       of each) from the first CPU of LIST, measure nothing.
 *   xrb sink --dev IF --pin PIN     attach the counting XDP_DROP, pin its map
 *   xrb redirect --dev IN --to OUT  attach the redirect ceiling on IN
 *   xrb txswap --dev IF             attach the XDP_TX (MAC swap) ceiling
 *   xrb count PIN                   print a pinned counter (sum over CPUs)
 *
 * Programs are attached in native (driver) mode and stay attached when xrb
 * exits; `ip link set dev IF xdp off` removes them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/ether.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xrb.h"
#include "xrb.skel.h"

volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void die(const char *fmt, ...)
{
	va_list ap;

	fputs("xrb: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

int ifindex_of(const char *name)
{
	int i = if_nametoindex(name);

	if (!i)
		die("no interface '%s'", name);
	return i;
}

struct xrb *open_skel(void)
{
	struct xrb *skel;

	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	skel = xrb__open();
	if (!skel)
		die("cannot open the BPF object: %s", strerror(errno));
	return skel;
}

void load_only(struct xrb *skel, struct bpf_program *prog)
{
	struct bpf_program *p;
	int err;

	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, p == prog);
	err = xrb__load(skel);
	if (err)
		die("cannot load %s: %s", bpf_program__name(prog),
		    strerror(-err));
}

static void attach_native(struct bpf_program *prog, const char *ifname)
{
	int err = bpf_xdp_attach(ifindex_of(ifname), bpf_program__fd(prog),
				 XDP_FLAGS_DRV_MODE, NULL);

	if (err)
		die("cannot attach %s to %s: %s", bpf_program__name(prog),
		    ifname, strerror(-err));
}

/* ---- counters ------------------------------------------------------------ */

int ncpus;

__u64 count_read(int fd)
{
	__u64 v[MAX_CPUS * 4] = { 0 }, sum = 0;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(fd, &zero, v))
		die("cannot read the sink counter: %s", strerror(errno));
	for (int i = 0; i < ncpus; i++)
		sum += v[i];
	return sum;
}

int count_open(const char *pin)
{
	int fd = bpf_obj_get(pin);

	if (fd < 0)
		die("cannot open %s: %s", pin, strerror(errno));
	return fd;
}

/* ---- attach commands ----------------------------------------------------- */

static int cmd_sink(const char *dev, const char *pin)
{
	struct xrb *skel = open_skel();

	if (!dev || !pin)
		die("sink needs --dev and --pin");
	load_only(skel, skel->progs.xrb_sink);
	unlink(pin);
	if (bpf_map__pin(skel->maps.sink_pkts, pin))
		die("cannot pin the counter at %s: %s", pin, strerror(errno));
	attach_native(skel->progs.xrb_sink, dev);
	xrb__destroy(skel);
	return 0;
}

static int cmd_redirect(const char *dev, const char *to)
{
	struct xrb *skel = open_skel();
	__u32 zero = 0, out;

	if (!dev || !to)
		die("redirect needs --dev and --to");
	out = ifindex_of(to);
	load_only(skel, skel->progs.xrb_redir);
	if (bpf_map__update_elem(skel->maps.redir_port, &zero, sizeof(zero),
				 &out, sizeof(out), 0))
		die("cannot add %s to the devmap: %s", to, strerror(errno));
	attach_native(skel->progs.xrb_redir, dev);
	xrb__destroy(skel);
	return 0;
}

static int cmd_txswap(const char *dev)
{
	struct xrb *skel = open_skel();

	if (!dev)
		die("txswap needs --dev");
	load_only(skel, skel->progs.xrb_txswap);
	attach_native(skel->progs.xrb_txswap, dev);
	xrb__destroy(skel);
	return 0;
}

static void parse_cpus(struct gen_opts *o, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;

	o->ncpu = 0;
	for (tok = strtok_r(copy, ",", &save); tok && o->ncpu < MAX_CPUS;
	     tok = strtok_r(NULL, ",", &save))
		o->cpus[o->ncpu++] = atoi(tok);
	free(copy);
	if (!o->ncpu)
		die("--cpus: empty list");
}

static void usage(FILE *f)
{
	fputs("usage: xrb gen --dev IF --dmac MAC --src ADDR --dst ADDR --count PIN\n"
	      "               [--size B] [--flows N] [--dsts FILE] [--dport-spread]\n"
	      "               [--duration S] [--warmup S] [--cpus LIST]\n"
	      "       xrb gen --dev IF --dmac MAC --src ADDR --dst ADDR --packets N\n"
	      "               [--size B] [--flows N] [--dport-spread] [--cpus LIST]\n"
	      "       xrb sink --dev IF --pin PIN\n"
	      "       xrb redirect --dev IN --to OUT\n"
	      "       xrb txswap --dev IF\n"
	      "       xrb count PIN\n", f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'i' },
		{ "dmac", required_argument, NULL, 'm' },
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },
		{ "dsts", required_argument, NULL, 'D' },
		{ "size", required_argument, NULL, 'b' },
		{ "flows", required_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 't' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "count", required_argument, NULL, 'n' },
		{ "pin", required_argument, NULL, 'p' },
		{ "to", required_argument, NULL, 'o' },
		{ "dport-spread", no_argument, NULL, 'P' },
		{ "packets", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct gen_opts g = { .size = 64, .flows = 1, .duration = 5,
			      .warmup = 1, .ncpu = 1 };
	const char *cmd, *pin = NULL, *to = NULL;
	int c;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	cmd = argv[1];
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0 || ncpus > MAX_CPUS)
		die("unsupported number of CPUs: %d", ncpus);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': g.dev = optarg; break;
		case 'm':
			if (!ether_aton_r(optarg, (void *)g.dmac))
				die("bad MAC '%s'", optarg);
			g.have_dmac = true;
			break;
		case 's': g.src = optarg; break;
		case 'd': g.dst = optarg; break;
		case 'D': g.dsts_file = optarg; break;
		case 'b': g.size = atoi(optarg); break;
		case 'f': g.flows = strtoul(optarg, NULL, 0); break;
		case 't': g.duration = atof(optarg); break;
		case 'w': g.warmup = atof(optarg); break;
		case 'c': parse_cpus(&g, optarg); break;
		case 'n': g.count_pin = optarg; break;
		case 'p': pin = optarg; break;
		case 'o': to = optarg; break;
		case 'P': g.dport_spread = true; break;
		case 'N': g.packets = strtoul(optarg, NULL, 0); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!strcmp(cmd, "gen"))
		return cmd_gen(&g);
	if (!strcmp(cmd, "sink"))
		return cmd_sink(g.dev, pin);
	if (!strcmp(cmd, "redirect"))
		return cmd_redirect(g.dev, to);
	if (!strcmp(cmd, "txswap"))
		return cmd_txswap(g.dev);
	if (!strcmp(cmd, "count") && optind < argc) {
		printf("%llu\n", (unsigned long long)count_read(count_open(argv[optind])));
		return 0;
	}
	usage(stderr);
	return 2;
}
