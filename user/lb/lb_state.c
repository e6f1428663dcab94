// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The load balancer's maps: opening, closing, raw access; see lb_state.h. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpf_info.h"
#include "lb_state.h"
#include "lb_state_priv.h"
#include "log.h"
#include "members.h"
#include "pin.h"
#include "pin_check.h"
#include "router.h"

/* ---- opening ---- */

/* Where the router is attached: the interfaces to resolve backends on. */
static int attached_ifaces(struct lb_maps *m)
{
	struct member *members;
	size_t n;
	int err = members_list(&m->r, &members, &n);

	if (err) {
		log_error("cannot list the router's interfaces: %s",
			  log_strerror(err));
		return err;
	}
	for (size_t i = 0; i < n && m->nr_ifindexes < XR_MAX_IFACES; i++)
		if (members[i].attached)
			m->ifindexes[m->nr_ifindexes++] = members[i].ifc.ifindex;
	free(members);
	return 0;
}

/* The max_entries of the map @pin (pin_check.c checked them). */
static int max_entries(const struct lb_maps *m, enum router_pin pin,
		       __u32 *out)
{
	struct bpf_map_info info;
	struct pin_map_spec spec;
	char path[PATH_MAX];
	int err = map_info(m->r.fds[pin], &info);

	if (err) {
		router_pin_spec(pin, &spec);
		pin_file(path, sizeof(path), m->r.pin_path, spec.name);
		log_error("cannot inspect %s: %s", path, log_strerror(err));
		return err;
	}
	*out = info.max_entries;
	return 0;
}

/* Keeps the fds of the LB's maps only, as the LB held them before. */
static void keep_lb_maps(struct lb_maps *m)
{
	struct pin_map_spec spec;

	router_drop_prog(&m->r);
	for (int pin = ROUTER_PIN_PROG + 1; pin < ROUTER_PIN_MAX; pin++) {
		router_pin_spec(pin, &spec);
		if (!(spec.flags & XR_MAPF_LB) && m->r.fds[pin] >= 0) {
			close(m->r.fds[pin]);
			m->r.fds[pin] = -1;
		}
	}
}

int lb_maps_open(struct lb_maps *m, const char *pin_path)
{
	int err;

	memset(m, 0, sizeof(*m));
	for (int pin = 0; pin < ROUTER_PIN_MAX; pin++)
		m->r.fds[pin] = -1;
	err = router_open_attached(&m->r, pin_path);
	if (err)
		return err;
	if (m->r.nr_cpus < 0) {
		log_error("cannot count the possible CPUs: %s",
			  log_strerror(m->r.nr_cpus));
		err = m->r.nr_cpus;
	}
	if (!err)
		err = attached_ifaces(m);
	/* The per-VIP maps agree with xr_lb_vips (pin_check_router()). */
	if (!err)
		err = max_entries(m, ROUTER_PIN_LB_VIPS, &m->max_vips);
	if (!err)
		err = max_entries(m, ROUTER_PIN_LB_BACKENDS, &m->max_backends);
	if (err) {
		lb_maps_close(m);
		return err;
	}
	if (m->max_backends > XR_LB_MAX_BACKENDS)
		m->max_backends = XR_LB_MAX_BACKENDS;
	keep_lb_maps(m);
	return 0;
}

void lb_maps_close(struct lb_maps *m)
{
	router_close(&m->r);
}

/* ---- array helpers ---- */

/* @n values of the array @fd from index @start, by batch when possible. */
int lb_array_read(int fd, __u32 start, __u32 n, size_t vsize, void *out)
{
	__u32 *keys = malloc(n * sizeof(*keys));
	__u32 count = n, prev = start - 1, next;
	int err;

	if (!keys)
		return -ENOMEM;
	err = bpf_map_lookup_batch(fd, start ? &prev : NULL, &next, keys, out,
				   &count, NULL);
	if (!err || (err == -ENOENT && count == n)) {
		free(keys);
		return count == n ? 0 : -EIO;
	}
	free(keys);
	/* Older kernels: one by one. */
	for (__u32 i = 0; i < n; i++) {
		__u32 k = start + i;

		err = bpf_map_lookup_elem(fd, &k, (char *)out + i * vsize);
		if (err)
			return err;
	}
	return 0;
}

int lb_array_write(int fd, const __u32 *keys, const void *vals,
		       __u32 n, size_t vsize)
{
	__u32 count = n;
	int err;

	if (!n)
		return 0;
	err = bpf_map_update_batch(fd, keys, vals, &count, NULL);
	if (!err)
		return 0;
	for (__u32 i = 0; i < n; i++) {
		err = bpf_map_update_elem(fd, &keys[i],
					  (const char *)vals + i * vsize,
					  BPF_ANY);
		if (err)
			return err;
	}
	return 0;
}

static size_t percpu_size(size_t vsize)
{
	return (vsize + 7) & ~(size_t)7;
}

int lb_percpu_zero(const struct lb_maps *m, int fd, __u32 id,
		       size_t vsize)
{
	void *zero = calloc(m->r.nr_cpus, percpu_size(vsize));
	int err;

	if (!zero)
		return -ENOMEM;
	err = bpf_map_update_elem(fd, &id, zero, BPF_ANY);
	free(zero);
	return err;
}

int lb_percpu_copy(const struct lb_maps *m, int fd, __u32 from, __u32 to,
		   size_t vsize)
{
	void *buf = calloc(m->r.nr_cpus, percpu_size(vsize));
	int err;

	if (!buf)
		return -ENOMEM;
	err = bpf_map_lookup_elem(fd, &from, buf);
	if (!err)
		err = bpf_map_update_elem(fd, &to, buf, BPF_ANY);
	free(buf);
	return err;
}

/*
 * The per-CPU values of @id in @fd summed over CPUs into @out: @vsize
 * bytes of __u64 counters.
 */
static int percpu_sum(const struct lb_maps *m, int fd, __u32 id,
		      __u64 *out, size_t vsize)
{
	size_t sz = percpu_size(vsize);
	char *buf = calloc(m->r.nr_cpus, sz);
	int err;

	memset(out, 0, vsize);
	if (!buf)
		return -ENOMEM;
	err = bpf_map_lookup_elem(fd, &id, buf);
	for (int c = 0; !err && c < m->r.nr_cpus; c++) {
		const __u64 *v = (const __u64 *)(buf + c * sz);

		for (size_t w = 0; w < vsize / sizeof(*out); w++)
			out[w] += v[w];
	}
	free(buf);
	return err;
}

_Static_assert(sizeof(struct xr_vip_stats) % sizeof(__u64) == 0 &&
	       sizeof(struct xr_counter) % sizeof(__u64) == 0,
	       "LB counters are __u64 words");

int lb_vip_stats_read(const struct lb_maps *m, __u32 id,
		      struct xr_vip_stats *out)
{
	return percpu_sum(m, m->r.lb_vip_stats_fd, id, (__u64 *)out,
			  sizeof(*out));
}

int lb_backend_stats_read(const struct lb_maps *m, __u32 id,
			  struct xr_counter *out)
{
	return percpu_sum(m, m->r.lb_backend_stats_fd, id, (__u64 *)out,
			  sizeof(*out));
}

int lb_ring_read(const struct lb_maps *m, __u32 vip_id, __u32 *out)
{
	return lb_array_read(m->r.lb_rings_fd, vip_id * XR_LB_RING_SIZE,
			     XR_LB_RING_SIZE, sizeof(__u32), out);
}

