// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Fixture runner: private namespaces and bpffs, the file's topology,
 * attaching interfaces (fib mode: as the CLI would; table mode: the CLI).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <sched.h>
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
#include "xdp_router.skel.h"
#include "fixture_runner.h"

/* ---- topology ---------------------------------------------------------- */

/*
 * Runs argv[0] (found in $PATH) and waits for it; -ECANCELED when it fails,
 * it says why on stderr. Its stdout goes to stderr too: ours is TAP.
 */
int run_cmd(char **argv)
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
int write_sysctl(const char *path, const char *value)
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

int attach_iface(struct runner *r, const char *ifname)
{
	return r->cli ? attach_iface_cli(r, ifname)
		      : attach_iface_maps(r, ifname);
}

/*
 * Table mode, once the topology is complete: mirror it into the maps, then
 * open what the CLI pinned.
 */
int table_ready(struct runner *r)
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
int runner_map_fd(void *ctx, const char *name)
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


/*
 * The whole run on the CPU it started on. All the data plane's state the
 * cases look at is per CPU (counters, the route cache's slots and epoch),
 * and BPF_PROG_TEST_RUN runs the program on the caller's CPU: a runner the
 * scheduler moved between the two runs of a route-cache case would fill
 * one CPU's cache and probe another's. The commands it runs inherit this.
 */
static int pin_to_one_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		return -errno;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/*
 * Interfaces created from now on skip duplicate address detection: their
 * addresses (the link-local ones the kernel adds at link up included) are
 * usable, and their local routes in place, as soon as they are added, not
 * 1-2 s later in the middle of the cases. Each DAD that completes adds a
 * route, which moves the FIB counters the route cache watches
 * (kern/route_epoch.h): a case run across it would miss the cache.
 */
static int quiet_ipv6_defaults(void)
{
	static const char *const conf[] = { "all", "default" };
	char path[64];
	int err;

	for (size_t i = 0; i < ARRAY_SIZE(conf); i++) {
		snprintf(path, sizeof(path), "net/ipv6/conf/%s/accept_dad",
			 conf[i]);
		err = write_sysctl(path, "0");
		if (err && err != -ENOENT)	/* ENOENT: no IPv6 at all */
			return err;
	}
	return 0;
}

/*
 * A network namespace of our own and, in table mode, a mount namespace
 * too, for a bpffs of our own: what the CLI pins there disappears with us.
 * The process stays on one CPU, and the namespace's interfaces skip DAD
 * (above): what the cases check must not depend on the scheduler or on
 * the kernel's timers.
 */
int enter_private_namespaces(bool mounts)
{
	int err;

	if (unshare(CLONE_NEWNET | (mounts ? CLONE_NEWNS : 0))) {
		if (errno == EPERM) {
			printf("1..0 # SKIP no permission to create a network namespace\n");
			return EXIT_SKIP;
		}
		perror("unshare");
		return EXIT_FAILURE;
	}
	err = pin_to_one_cpu();
	if (!err)
		err = quiet_ipv6_defaults();
	if (err) {
		printf("Bail out! cannot pin to a CPU or turn DAD off: %s\n",
		       strerror(-err));
		return EXIT_FAILURE;
	}
	return 0;
}

int mount_private_bpffs(struct runner *r)
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

void unmount_private_bpffs(struct runner *r)
{
	if (!r->bpffs[0])
		return;
	umount2(r->bpffs, MNT_DETACH);
	rmdir(r->bpffs);
}

/* Fib mode: the runner loads the data plane itself. */
int load_fib(struct runner *r)
{
	struct xr_route_watch watch = { .watching = 1 };
	__u32 zero = 0;
	int err;

	/* The cache serves the namespace the watchers count: this one. */
	if (r->route_cache) {
		socklen_t len = sizeof(watch.net_cookie);
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		err = fd < 0 || getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE,
					   &watch.net_cookie, &len) ? -errno : 0;
		if (fd >= 0)
			close(fd);
		if (err)
			return err;
	}

	r->skel = xdp_router__open();
	if (!r->skel)
		return -errno;
	/* Answers are cached at once: one fixture packet fills the cache. */
	r->skel->rodata->xr_rc_settle_us = 0;
	/* Every packet probes: the second run of a case must hit. */
	r->skel->rodata->xr_rc_sample = 1;
	r->skel->rodata->xr_rc_slots = r->route_cache ?
				       XR_ROUTE_CACHE_DEFAULT : 0;
	err = xdp_router__load(r->skel);
	if (err)
		return err;
	/* Stands in for the neighbour watchers the CLI would attach. */
	if (r->route_cache) {
		err = bpf_map__update_elem(r->skel->maps.xr_route_watch, &zero,
					   sizeof(zero), &watch,
					   sizeof(watch), 0);
		if (err)
			return err;
	}
	r->prog_fd = bpf_program__fd(r->skel->progs.xdp_router);
	r->ifaces_fd = bpf_map__fd(r->skel->maps.xr_ifaces);
	r->ifaces_arr_fd = bpf_map__fd(r->skel->maps.xr_ifaces_arr);
	r->ready = true;
	return 0;
}

/* Sums over both families and all CPUs of the route cache's hits and
 * epochs (each epoch moves when the program sees the FIB's counters move). */
int route_cache_totals(const struct runner *r, __u64 *hits, __u64 *epochs)
{
	int fd = bpf_map__fd(r->skel->maps.xr_rc_state);
	struct xr_rc_state *v = calloc(r->ncpus, sizeof(*v));
	int err = v ? 0 : -ENOMEM;

	*hits = *epochs = 0;
	for (__u32 family = 0; !err && family < 2; family++) {
		err = bpf_map_lookup_elem(fd, &family, v) ? -errno : 0;
		for (int cpu = 0; !err && cpu < r->ncpus; cpu++) {
			*hits += v[cpu].hits;
			*epochs += v[cpu].epoch;
		}
	}
	free(v);
	return err;
}

int route_cache_hits(const struct runner *r, __u64 *hits)
{
	__u64 epochs;

	return route_cache_totals(r, hits, &epochs);
}
