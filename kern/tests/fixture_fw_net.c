// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The firewall gate's fixture runner: the hosts namespace (the far ends of
 * the router's veths, no addresses, never answering), frames sent into the
 * router from there and caught where the kernel forwards them (AF_PACKET),
 * the recorder on TC egress, and the wait for its proof.
 *
 * Every wait is for an event: a frame caught, a map entry written, or the
 * clock reaching the instant the gate's settle time ends (computed from the
 * map, not guessed). The deadlines are safety nets only.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "fixture_fw.h"
#include "fw_record.skel.h"
#include "xdp_router.skel.h"

#define DEADLINE_MS 30000	/* safety net for a frame or a proof */

void fw_tap(struct fw_env *env, bool ok, const char *fmt, ...)
{
	va_list ap;

	env->r->cases++;
	env->r->failed += !ok;
	printf("%s %d - ", ok ? "ok" : "not ok", env->r->cases);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* ---- the hosts namespace ----------------------------------------------- */

static int enter(int ns)
{
	return setns(ns, CLONE_NEWNET) ? -errno : 0;
}

int fw_hosts_create(struct fw_env *env)
{
	int err;

	env->router_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (env->router_ns < 0)
		return -errno;
	if (unshare(CLONE_NEWNET))
		return -errno;
	env->hosts_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (env->hosts_ns < 0)
		return -errno;
	/* Its interfaces come up without IPv6: no DAD, RS or MLD of theirs
	 * reaches the router. */
	err = write_sysctl("net/ipv6/conf/default/disable_ipv6", "1");
	if (!err)
		err = write_sysctl("net/ipv6/conf/all/disable_ipv6", "1");
	if (err && err != -ENOENT)
		return err;
	err = enter(env->router_ns);
	if (err)
		return err;
	snprintf(env->hosts_path, sizeof(env->hosts_path), "/proc/%d/fd/%d",
		 getpid(), env->hosts_ns);
	return 0;
}

int fw_run_in_hosts(struct fw_env *env, char **argv)
{
	int err = enter(env->hosts_ns);

	if (err)
		return err;
	err = run_cmd(argv);	/* the child inherits the namespace */
	return enter(env->router_ns) ?: err;
}

/* The AF_PACKET socket on the host end of router end @name (r<N>: h<N>),
 * opened in the hosts namespace on first use. */
static int host_socket(struct fw_env *env, const char *name)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
	};
	char host[16];
	int i, fd, err;

	for (i = 0; i < env->n_links; i++)
		if (!strcmp(env->links[i].name, name))
			return env->links[i].sock;
	if (env->n_links == FW_MAX_LINKS || name[0] != 'r')
		return -EINVAL;
	snprintf(host, sizeof(host), "h%s", name + 1);
	err = enter(env->hosts_ns);
	if (err)
		return err;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	sll.sll_ifindex = if_nametoindex(host);
	err = fd < 0 || !sll.sll_ifindex ||
	      bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ? -errno : 0;
	if (enter(env->router_ns) && !err)
		err = -errno;
	if (err) {
		if (fd >= 0)
			close(fd);
		return err ? err : -ENODEV;
	}
	snprintf(env->links[env->n_links].name, sizeof(env->links[0].name),
		 "%s", name);
	env->links[env->n_links++].sock = fd;
	return fd;
}

/* Frames that came in on the socket before now are not ours. */
static void drain(int fd)
{
	static __u8 buf[MAX_FRAME];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;
}

/* The next frame received (not sent) on @fd, waiting until @deadline. */
static ssize_t next_frame(int fd, __u8 *buf, size_t size, __u64 deadline)
{
	for (;;) {
		struct sockaddr_ll from;
		socklen_t len = sizeof(from);
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		__u64 now = now_ms();
		ssize_t n;

		if (now >= deadline)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, deadline - now) < 0 && errno != EINTR)
			return -errno;
		n = recvfrom(fd, buf, size, MSG_DONTWAIT,
			     (struct sockaddr *)&from, &len);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		if (from.sll_pkttype != PACKET_OUTGOING)
			return n;
	}
}

static void print_hex(const char *label, const __u8 *p, size_t len)
{
	printf("#   %s (%zu bytes): ", label, len);
	for (size_t i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("\n");
}

/* Whether a frame @payload's bytes end came out on @fd (drained). */
static bool came_out(int fd, const __u8 *tail, size_t tail_len)
{
	static __u8 buf[MAX_FRAME];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0)
		if ((size_t)n >= tail_len &&
		    !memcmp(buf + n - tail_len, tail, tail_len))
			return true;
	return false;
}

/* The pending drop's verdict, now that a later frame came through. */
static void check_drop(struct fw_env *env)
{
	struct fw_drop *d = &env->drop;
	int fd = host_socket(env, d->out);
	size_t tail = d->len < 8 ? d->len : 8;

	if (!d->pending)
		return;
	d->pending = false;
	fw_tap(env, fd >= 0 && !came_out(fd, d->frame + d->len - tail, tail),
	       "kernel drops %s", d->name);
}

int fw_kernel_drop(struct fw_env *env, const char *name, const char *in,
		   const char *out, const __u8 *frame, size_t len)
{
	struct fw_drop *d = &env->drop;
	int in_fd = host_socket(env, in), out_fd = host_socket(env, out);

	if (in_fd < 0 || out_fd < 0 || d->pending)
		return in_fd < 0 ? in_fd : out_fd < 0 ? out_fd : -EBUSY;
	drain(out_fd);
	if (send(in_fd, frame, len, 0) != (ssize_t)len)
		return -errno;
	d->pending = true;
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->out, sizeof(d->out), "%s", out);
	memcpy(d->frame, frame, len);
	d->len = len;
	return 0;
}

/* @p through the kernel: 0 if the expected frame came out, else a
 * negative errno, with what came instead on stdout. */
static int through_kernel(struct fw_env *env, const struct fw_packet *p)
{
	static __u8 buf[MAX_FRAME], near[MAX_FRAME];
	int in_fd = host_socket(env, p->in), out_fd = host_socket(env, p->out);
	__u64 deadline = now_ms() + DEADLINE_MS;
	size_t near_len = 0;
	int others = 0;
	ssize_t n;

	if (in_fd < 0 || out_fd < 0) {
		printf("#   no socket on the far end of %s or %s\n", p->in,
		       p->out);
		return -ENODEV;
	}
	if (env->drop.pending && strcmp(env->drop.out, p->out))
		drain(out_fd);
	else if (!env->drop.pending)
		drain(out_fd);
	if (send(in_fd, p->frame, p->len, 0) != (ssize_t)p->len) {
		printf("#   send: %s\n", strerror(errno));
		return -errno;
	}
	while ((n = next_frame(out_fd, buf, sizeof(buf), deadline)) >= 0) {
		if ((size_t)n == p->expect_len &&
		    !memcmp(buf, p->expect, n))
			return 0;
		/* With a drop pending on this socket, keep what it would
		 * catch: a non-matching frame is looked at below. */
		if (env->drop.pending && !strcmp(env->drop.out, p->out)) {
			size_t tail = env->drop.len < 8 ? env->drop.len : 8;

			if ((size_t)n >= tail &&
			    !memcmp(buf + n - tail,
				    env->drop.frame + env->drop.len - tail,
				    tail)) {
				env->drop.pending = false;
				fw_tap(env, false, "kernel drops %s",
				       env->drop.name);
				print_hex("it came out", buf, n);
			}
		}
		others++;
		memcpy(near, buf, n);
		near_len = n;
	}
	printf("#   nothing as expected left %s's far end in %d s (%d other frames)\n",
	       p->out, DEADLINE_MS / 1000, others);
	print_hex("sent    ", p->frame, p->len);
	print_hex("expected", p->expect, p->expect_len);
	if (near_len)
		print_hex("last one", near, near_len);
	return (int)n;
}

void fw_kernel(struct fw_env *env, const char *name,
	       const struct fw_packet *p)
{
	int err = through_kernel(env, p);

	fw_tap(env, !err, "kernel forwards %s (%s -> %s) as expected", name,
	       p->in, p->out);
	check_drop(env);
}

/* ---- the recorder -------------------------------------------------------- */

void fw_recorder_close(struct fw_env *env)
{
	fw_record__destroy(env->rec);	/* the filters keep the program */
	env->rec = NULL;
}

int fw_recorder_attach(struct fw_env *env)
{
	struct xdp_router *router = env->r->skel;
	struct fw_record *rec;
	int err;

	rec = fw_record__open();
	if (!rec)
		return -errno;
	err = bpf_map__reuse_fd(rec->maps.xr_fw_flows,
				bpf_map__fd(router->maps.xr_fw_flows));
	if (!err)
		err = bpf_map__reuse_fd(rec->maps.xr_fw_state,
					bpf_map__fd(router->maps.xr_fw_state));
	if (!err)
		err = fw_record__load(rec);
	for (int i = 0; !err && i < env->n_recorded; i++) {
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook,
				    .attach_point = BPF_TC_EGRESS);
		DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 1,
				    .priority = 1, .flags = BPF_TC_F_REPLACE,
				    .prog_fd = bpf_program__fd(
					    rec->progs.xr_fw_record));

		hook.ifindex = if_nametoindex(env->recorded[i]);
		if (!hook.ifindex) {
			err = -ENODEV;
			break;
		}
		err = bpf_tc_hook_create(&hook);
		if (err == -EEXIST)
			err = 0;
		if (!err)
			err = bpf_tc_attach(&hook, &opts);
	}
	if (err) {
		fw_record__destroy(rec);
		return err;
	}
	fw_recorder_close(env);
	env->rec = rec;
	return 0;
}

/* ---- the proof ------------------------------------------------------------ */

/* The gate's test (fw_flow_verified()) against the generation the router
 * and recorder last saw; the current one, as nothing changes it here. */
static bool settled(const struct xr_fw_flow *f, const struct xr_fw_state *st,
		    int fam, int dir)
{
	return f->ct && f->verified[dir] && f->gen[dir] == st->gen[fam] &&
	       (__s32)(f->at[dir] - st->since[fam]) >= XR_FW_SETTLE;
}

/* Sleeps until the gate's clock (bpf_ktime_get_ns() >> XR_FW_TIME_SHIFT,
 * CLOCK_MONOTONIC) has passed @units. */
static void sleep_until_units(__u32 units)
{
	struct timespec now, until;
	__u64 ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (__u64)now.tv_sec * 1000000000ULL + now.tv_nsec;
	/* The same 32 bits of the clock the data plane keeps. */
	ns = (ns & ~((1ULL << (32 + XR_FW_TIME_SHIFT)) - 1)) |
	     ((__u64)units << XR_FW_TIME_SHIFT);
	ns += 1ULL << XR_FW_TIME_SHIFT;
	until.tv_sec = ns / 1000000000ULL;
	until.tv_nsec = ns % 1000000000ULL;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) ==
	       EINTR)
		;
}

void fw_settle(struct fw_env *env, struct fw_flow *f)
{
	struct xdp_router *router = env->r->skel;
	int fam = f->key.family == AF_INET6 ? 1 : 0;
	__u64 deadline = now_ms() + DEADLINE_MS;
	struct xr_fw_state st;
	struct xr_fw_flow rec;
	__u32 zero = 0;
	int resent = 0, err = 0;
	bool ok[2];

	for (;;) {
		memset(&rec, 0, sizeof(rec));
		err = bpf_map_lookup_elem(bpf_map__fd(router->maps.xr_fw_state),
					  &zero, &st);
		if (err)
			break;
		if (bpf_map_lookup_elem(bpf_map__fd(router->maps.xr_fw_flows),
					&f->key, &rec))
			memset(&rec, 0, sizeof(rec));
		ok[0] = settled(&rec, &st, fam, 0);
		ok[1] = settled(&rec, &st, fam, 1);
		if ((ok[0] && ok[1]) || now_ms() >= deadline)
			break;
		/* Sent too soon after a ruleset change: once the settle
		 * time has passed, the kernel forwards it again. */
		sleep_until_units(st.since[fam] + XR_FW_SETTLE);
		for (int dir = 0; dir < 2 && !err; dir++) {
			if (ok[dir])
				continue;
			if (!f->last[dir].set) {
				err = -ENOENT;
				break;
			}
			err = through_kernel(env, &f->last[dir]);
			resent++;
		}
		if (err)
			break;
	}
	fw_tap(env, !err && ok[0] && ok[1],
	       "recorder's proof for %s, both directions (%d resent)",
	       f->name, resent);
	printf("#   recorded %d/%d units after the generation's start (settle %d)\n",
	       (__s32)(rec.at[0] - st.since[fam]),
	       (__s32)(rec.at[1] - st.since[fam]), XR_FW_SETTLE);
	if (err || !ok[0] || !ok[1])
		printf("#   %s; record: ct %s, verified %u/%u, gen %u/%u, at %u/%u; generation %u since %u\n",
		       err ? strerror(-err) : "not settled in time",
		       rec.ct ? "set" : "none", rec.verified[0],
		       rec.verified[1], rec.gen[0], rec.gen[1], rec.at[0],
		       rec.at[1], st.gen[fam], st.since[fam]);
}
