// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xrb gen: UDP frames out of a veth with the live-frames test_run, one
 * thread per CPU, while the sink's counter is read once a second (xrb.h).
 * Frames larger than test_run's live mode takes (a page less XDP's
 * headroom and the shared info: jumbo frames) go out through AF_PACKET
 * sockets instead, the same flows, prebuilt.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xrb.h"
#include "xrb.skel.h"

#define HDR_V4 42
#define HDR_V6 62
#define MAX_FRAME 9614		/* MTU 9600 + Ethernet header */
/* test_run's live frames: one page, less XDP_PACKET_HEADROOM (256) and
 * the skb_shared_info the page ends with (320 on x86-64); it refuses more
 * (net/bpf/test_run.c). */
#define LIVE_OVERHEAD 576
#define AFP_MAX_FRAMES 4096	/* prebuilt jumbo frames: one per flow */
#define AFP_HDR 64		/* what xrb_gen writes: 42 or 62 bytes */
#define MAX_DSTS 65536
#define BATCH 64
#define SPORT_BASE 1024
#define DPORT 9			/* discard */

static void sleep_until(double t)
{
	while (!stop) {
		double d = t - now();
		struct timespec ts;

		if (d <= 0)
			return;
		ts.tv_sec = (time_t)d;
		ts.tv_nsec = (long)((d - ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
}

static void mac_of(const char *ifname, unsigned char mac[ETH_ALEN])
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		die("cannot read the MAC of %s: %s", ifname, strerror(errno));
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	close(fd);
}

/* /proc/stat: where the CPUs spent the run. */
struct cpu_times {
	unsigned long long busy, sys, softirq, total;
};

static int cpu_times(struct cpu_times *t, int max)
{
	FILE *f = fopen("/proc/stat", "r");
	char line[512];
	int n = 0;

	if (!f)
		die("cannot read /proc/stat");
	while (fgets(line, sizeof(line), f) && n < max) {
		unsigned long long v[8] = { 0 }, tot = 0;
		int cpu;

		if (strncmp(line, "cpu", 3) || line[3] == ' ')
			continue;
		if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu",
			   &cpu, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			   &v[6], &v[7]) < 9 || cpu >= max)
			continue;
		for (int i = 0; i < 8; i++)
			tot += v[i];
		t[cpu] = (struct cpu_times){
			.busy = tot - v[3] - v[4],	/* minus idle, iowait */
			.sys = v[2],
			.softirq = v[6],
			.total = tot,
		};
		n = cpu + 1 > n ? cpu + 1 : n;
	}
	fclose(f);
	return n;
}

struct gen_thread {
	pthread_t tid;
	int cpu, prog_fd, ifindex, frame_len;
	const unsigned char *frame;
	/* AF_PACKET (jumbo): nframes frames of frame_len, sent in turn */
	const unsigned char *frames;
	unsigned int nframes;
	double t_end;
	/* out */
	unsigned long long sent;
	double busy_s;		/* time spent inside test_run */
	int err;
};

static __u16 csum_fold(__u32 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s;
}

static __u32 csum_add(__u32 s, const void *p, size_t len)
{
	const __u8 *b = p;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (b[i] << 8) | b[i + 1];
	if (len & 1)
		s += b[len - 1] << 8;
	return s;
}

/* The whole frame (header + zero payload), checksums in network order. */
static int build_frame(const struct gen_opts *o, const unsigned char smac[6],
		       unsigned char *f)
{
	int len = o->size - 4;
	struct ethhdr *eth = (void *)f;
	struct in6_addr s6, d6;
	struct in_addr s4, d4;
	bool v6 = strchr(o->src, ':');
	struct udphdr *udp;

	if (len < (v6 ? HDR_V6 : 60) || len > MAX_FRAME)
		die("--size %d: must be %d..%d for %s", o->size,
		    (v6 ? HDR_V6 : 60) + 4, MAX_FRAME + 4, v6 ? "IPv6" : "IPv4");
	memset(f, 0, len);
	memcpy(eth->h_dest, o->dmac, ETH_ALEN);
	memcpy(eth->h_source, smac, ETH_ALEN);
	if (v6) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		__u32 s;

		if (inet_pton(AF_INET6, o->src, &s6) != 1 ||
		    inet_pton(AF_INET6, o->dst, &d6) != 1)
			die("bad IPv6 address in --src/--dst");
		eth->h_proto = htons(ETH_P_IPV6);
		ip6->version = 6;
		ip6->payload_len = htons(len - ETH_HLEN - sizeof(*ip6));
		ip6->nexthdr = IPPROTO_UDP;
		ip6->hop_limit = 64;
		ip6->saddr = s6;
		ip6->daddr = d6;
		udp = (void *)(ip6 + 1);
		udp->source = htons(SPORT_BASE);
		udp->dest = htons(DPORT);
		udp->len = ip6->payload_len;
		/* pseudo header + UDP header (the payload is zeros) */
		s = csum_add(0, &s6, 16);
		s = csum_add(s, &d6, 16);
		s += ntohs(udp->len) + IPPROTO_UDP;
		s = csum_add(s, udp, sizeof(*udp));
		udp->check = htons(csum_fold(s)) ?: 0xffff;
		return len;
	}
	if (inet_pton(AF_INET, o->src, &s4) != 1 ||
	    inet_pton(AF_INET, o->dst, &d4) != 1)
		die("bad IPv4 address in --src/--dst");
	struct iphdr *ip = (void *)(eth + 1);

	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(len - ETH_HLEN);
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->saddr = s4.s_addr;
	ip->daddr = d4.s_addr;
	ip->check = htons(csum_fold(csum_add(0, ip, sizeof(*ip))));
	udp = (void *)(ip + 1);
	udp->source = htons(SPORT_BASE);
	udp->dest = htons(DPORT);
	udp->len = htons(len - ETH_HLEN - sizeof(*ip));
	return len;		/* UDP checksum 0: none, legal for IPv4 */
}

/* The destination table (--dsts): one IPv4 address a line. */
static __be32 *read_dsts(const char *file, __u32 *count)
{
	__be32 *a = calloc(MAX_DSTS, sizeof(*a));
	FILE *f = fopen(file, "r");
	char line[64];
	__u32 n = 0;

	if (!f || !a)
		die("cannot open %s: %s", file, strerror(errno));
	while (fgets(line, sizeof(line), f) && n < MAX_DSTS) {
		line[strcspn(line, " \n")] = 0;
		if (!*line)
			continue;
		if (inet_pton(AF_INET, line, &a[n]) != 1)
			die("%s: not an IPv4 address: '%s'", file, line);
		n++;
	}
	fclose(f);
	if (!n)
		die("%s: no addresses", file);
	*count = n;
	return a;
}

static void fill_dsts(struct xrb *skel, const __be32 *a, __u32 n)
{
	for (__u32 i = 0; i < n; i++)
		if (bpf_map__update_elem(skel->maps.gen_dsts, &i, sizeof(i),
					 &a[i], sizeof(a[i]), 0))
			die("cannot fill gen_dsts: %s", strerror(errno));
}

static void *gen_thread(void *arg)
{
	struct gen_thread *t = arg;
	struct xdp_md ctx = {
		.data_end = t->frame_len,	/* must equal the frame size */
		.ingress_ifindex = t->ifindex,
	};
	double rate = 1e6;	/* packets/s, refined after every call */
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(t->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set)) {
		t->err = -EINVAL;
		return NULL;
	}
	while (!stop) {
		double t0 = now(), left = t->t_end - t0, d;
		/* One call costs ~25 ms of set-up: make each ~1 s long, and
		 * the last one end about when the run does. */
		double want = rate * (left < 1.0 ? left : 1.0);
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			.data_in = t->frame,
			.data_size_in = t->frame_len,
			.ctx_in = &ctx,
			.ctx_size_in = sizeof(ctx),
			.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
			.batch_size = BATCH,
		);

		if (left <= 0)
			break;
		opts.repeat = want < BATCH ? BATCH : want > 1e9 ? 1e9 : (int)want;
		if (bpf_prog_test_run_opts(t->prog_fd, &opts)) {
			t->err = -errno;
			break;
		}
		d = now() - t0;
		t->sent += opts.repeat;
		t->busy_s += d;
		if (d > 0.001)
			rate = opts.repeat / d;
	}
	return NULL;
}

/* ---- jumbo frames: AF_PACKET ---------------------------------------- */

static bool needs_afp(int len)
{
	return len > sysconf(_SC_PAGESIZE) - LIVE_OVERHEAD;
}

/*
 * One frame per flow, the headers varied by xrb_gen itself: a plain
 * test_run per flow on the header (the zero payload is not in any
 * checksum), on one CPU so that the per-CPU sequence counts 0, 1, 2...
 * Both generators send the same flows. free() the result.
 */
static unsigned char *afp_frames(int prog_fd, const struct gen_opts *o,
				 const unsigned char *frame, int len,
				 unsigned int *n)
{
	unsigned int flows = o->flows ? o->flows : 1;
	unsigned char *frames, hdr[AFP_HDR];
	cpu_set_t set;

	if (o->dsts_file)
		die("--dsts: not with frames of more than %ld bytes",
		    sysconf(_SC_PAGESIZE) - LIVE_OVERHEAD);
	if (flows > AFP_MAX_FRAMES)
		die("--flows %u: at most %d with frames of more than %ld bytes",
		    flows, AFP_MAX_FRAMES, sysconf(_SC_PAGESIZE) - LIVE_OVERHEAD);
	frames = malloc((size_t)flows * len);
	if (!frames)
		die("out of memory for %u frames", flows);
	CPU_ZERO(&set);
	CPU_SET(o->cpus[0], &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("cannot run on CPU %d: %s", o->cpus[0], strerror(errno));
	for (unsigned int i = 0; i < flows; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			.data_in = frame,
			.data_size_in = sizeof(hdr),
			.data_out = hdr,
			.data_size_out = sizeof(hdr),
			.repeat = 1,
		);

		if (bpf_prog_test_run_opts(prog_fd, &opts) ||
		    opts.retval != XDP_TX)
			die("building flow %u: test_run: %s", i, strerror(errno));
		memcpy(frames + (size_t)i * len, frame, len);
		memcpy(frames + (size_t)i * len, hdr, sizeof(hdr));
	}
	*n = flows;
	return frames;
}

static int afp_socket(int ifindex)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = ifindex,
	};
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("AF_PACKET socket: %s", strerror(errno));
	/* Straight to the driver, as test_run's frames go: no qdisc. */
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		die("PACKET_QDISC_BYPASS: %s", strerror(errno));
	return fd;
}

/* Sends frames @next, @next + 1, ... (mod nframes), up to @max of them;
 * returns how many went, or a negative errno. */
static int afp_send(int fd, const struct gen_thread *t, unsigned long *next,
		    int max)
{
	struct mmsghdr msg[BATCH] = { 0 };
	struct iovec iov[BATCH];
	int n = max < BATCH ? max : BATCH, sent;

	for (int i = 0; i < n; i++) {
		iov[i].iov_base = (void *)(t->frames +
			(size_t)((*next + i) % t->nframes) * t->frame_len);
		iov[i].iov_len = t->frame_len;
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	sent = sendmmsg(fd, msg, n, 0);
	if (sent < 0)
		return errno == ENOBUFS || errno == EAGAIN ? 0 : -errno;
	*next += sent;
	return sent;
}

static void *afp_thread(void *arg)
{
	struct gen_thread *t = arg;
	unsigned long next = t->cpu;	/* threads start on other flows */
	double t0 = now();
	cpu_set_t set;
	int fd, n;

	CPU_ZERO(&set);
	CPU_SET(t->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set)) {
		t->err = -EINVAL;
		return NULL;
	}
	fd = afp_socket(t->ifindex);
	while (!stop && now() < t->t_end) {
		n = afp_send(fd, t, &next, BATCH);
		if (n < 0) {
			t->err = n;
			break;
		}
		t->sent += n;
	}
	t->busy_s = now() - t0;
	close(fd);
	return NULL;
}

static void print_cpu(const struct cpu_times *a, const struct cpu_times *b,
		      int n)
{
	printf(", \"cpu\": [");
	for (int i = 0; i < n; i++) {
		double tot = b[i].total - a[i].total;

		if (tot <= 0)
			tot = 1;
		printf("%s{\"cpu\": %d, \"busy\": %.1f, \"sys\": %.1f, "
		       "\"softirq\": %.1f}", i ? ", " : "", i,
		       100.0 * (b[i].busy - a[i].busy) / tot,
		       100.0 * (b[i].sys - a[i].sys) / tot,
		       100.0 * (b[i].softirq - a[i].softirq) / tot);
	}
	printf("]");
}

/* --packets with jumbo frames: the same, through AF_PACKET. */
static int afp_send_packets(const struct gen_opts *o, struct gen_thread *t)
{
	unsigned long next = 0, left = o->packets;
	double t0 = now();
	int fd = afp_socket(t->ifindex), n;

	while (left && !stop) {
		n = afp_send(fd, t, &next, left > BATCH ? BATCH : (int)left);
		if (n < 0)
			die("AF_PACKET send: %s", strerror(-n));
		left -= n;
	}
	close(fd);
	if (stop)
		return 130;
	printf("{\"sent\": %lu, \"seconds\": %.3f}\n", o->packets, now() - t0);
	return 0;
}

/* --packets: exactly o->packets frames from the first CPU of the list. */
static int send_packets(const struct gen_opts *o, int prog_fd,
			const unsigned char *frame, int len)
{
	struct xdp_md ctx = {
		.data_end = len,
		.ingress_ifindex = ifindex_of(o->dev),
	};
	unsigned long left = o->packets;
	double t0 = now();
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(o->cpus[0], &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("cannot run on CPU %d: %s", o->cpus[0], strerror(errno));
	while (left && !stop) {
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			.data_in = frame,
			.data_size_in = len,
			.ctx_in = &ctx,
			.ctx_size_in = sizeof(ctx),
			.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
			.batch_size = BATCH,
			.repeat = left > 100000000 ? 100000000 : left,
		);

		if (bpf_prog_test_run_opts(prog_fd, &opts))
			die("test_run: %s", strerror(errno));
		left -= opts.repeat;
	}
	if (stop)
		return 130;
	printf("{\"sent\": %lu, \"seconds\": %.3f}\n", o->packets, now() - t0);
	return 0;
}

int cmd_gen(struct gen_opts *o)
{
	/* The IP header 4-byte aligned after the 14-byte Ethernet header,
	 * as NET_IP_ALIGN does: build_frame() writes it through structs. */
	static unsigned char buf[MAX_FRAME + 2] __attribute__((aligned(8)));
	unsigned char *frame = buf + 2;
	static struct gen_thread th[MAX_CPUS];
	struct cpu_times c0[MAX_CPUS], c1[MAX_CPUS];
	unsigned char smac[ETH_ALEN];
	double t_meas, t_end, t_prev, per_sec[3600];
	__u64 n0, n_prev, n;
	int len, nsec = 0, count_fd, ncpu_stat, rc = 0;
	__be32 *dsts = NULL;
	__u32 ndsts = 0;
	struct xrb *skel;
	unsigned char *frames = NULL;
	unsigned int nframes = 0;
	bool v6, afp;

	if (!o->dev || !o->have_dmac || !o->src || !o->dst ||
	    (!o->count_pin && !o->packets))
		die("gen needs --dev, --dmac, --src, --dst and --count (or --packets)");
	mac_of(o->dev, smac);
	len = build_frame(o, smac, frame);
	v6 = strchr(o->src, ':');

	skel = open_skel();
	memcpy((void *)skel->rodata->gen_tmpl, frame, sizeof(skel->rodata->gen_tmpl));
	skel->rodata->gen_ipv6 = v6;
	skel->rodata->gen_flows = o->flows ? o->flows : 1;
	skel->rodata->gen_dport_step = o->dport_spread;
	if (o->dsts_file) {
		if (v6)
			die("--dsts is IPv4 only");
		dsts = read_dsts(o->dsts_file, &ndsts);
		skel->rodata->gen_ndsts = ndsts;
	}
	load_only(skel, skel->progs.xrb_gen);
	if (dsts)
		fill_dsts(skel, dsts, ndsts);
	free(dsts);
	afp = needs_afp(len);
	if (afp) {
		struct gen_thread t = { .ifindex = ifindex_of(o->dev),
					.frame_len = len };

		frames = afp_frames(bpf_program__fd(skel->progs.xrb_gen), o,
				    frame, len, &nframes);
		if (o->packets) {
			t.frames = frames;
			t.nframes = nframes;
			rc = afp_send_packets(o, &t);
			free(frames);
			xrb__destroy(skel);
			return rc;
		}
	}
	if (o->packets) {
		rc = send_packets(o, bpf_program__fd(skel->progs.xrb_gen), frame,
				  len);
		xrb__destroy(skel);
		return rc;
	}
	count_fd = count_open(o->count_pin);

	t_meas = now() + o->warmup;
	t_end = t_meas + o->duration;
	for (int i = 0; i < o->ncpu; i++) {
		th[i] = (struct gen_thread){
			.cpu = o->cpus[i],
			.prog_fd = bpf_program__fd(skel->progs.xrb_gen),
			.ifindex = ifindex_of(o->dev),
			.frame = frame,
			.frame_len = len,
			.frames = frames,
			.nframes = nframes,
			.t_end = t_end,
		};
		if (pthread_create(&th[i].tid, NULL,
				   afp ? afp_thread : gen_thread, &th[i]))
			die("pthread_create failed");
	}

	/* Measure from the end of the warm-up: the sink's counter once a
	 * second, the CPUs over the whole window. */
	sleep_until(t_meas);
	ncpu_stat = cpu_times(c0, MAX_CPUS);
	n0 = n_prev = count_read(count_fd);
	t_meas = t_prev = now();
	while (!stop && t_prev < t_end - 0.05) {
		double next = t_prev + 1.0 < t_end ? t_prev + 1.0 : t_end;

		sleep_until(next);
		n = count_read(count_fd);
		if (nsec < (int)(sizeof(per_sec) / sizeof(per_sec[0])))
			per_sec[nsec++] = (n - n_prev) / (now() - t_prev);
		n_prev = n;
		t_prev = now();
	}
	cpu_times(c1, MAX_CPUS);
	for (int i = 0; i < o->ncpu; i++) {
		pthread_join(th[i].tid, NULL);
		if (th[i].err) {
			fprintf(stderr, "xrb: %s on CPU %d: %s\n",
				afp ? "AF_PACKET" : "test_run", th[i].cpu,
				strerror(-th[i].err));
			rc = 1;
		}
	}
	if (stop)
		return 130;

	double secs = t_prev - t_meas, sent_pps = 0;
	unsigned long long sent = 0;

	for (int i = 0; i < o->ncpu; i++) {
		sent += th[i].sent;
		if (th[i].busy_s > 0)
			sent_pps += th[i].sent / th[i].busy_s;
	}
	printf("{\"pps\": %.0f, \"delivered\": %llu, \"seconds\": %.3f, "
	       "\"sent\": %llu, \"sent_pps\": %.0f, \"frame_len\": %d, "
	       "\"generator\": \"%s\", \"per_second\": [",
	       (n_prev - n0) / (secs > 0 ? secs : 1), (unsigned long long)(n_prev - n0),
	       secs, sent, sent_pps, len, afp ? "af_packet" : "xdp_live");
	for (int i = 0; i < nsec; i++)
		printf("%s%.0f", i ? ", " : "", per_sec[i]);
	printf("]");
	print_cpu(c0, c1, ncpu_stat < ncpus ? ncpu_stat : ncpus);
	printf("}\n");
	free(frames);
	xrb__destroy(skel);
	return rc;
}
