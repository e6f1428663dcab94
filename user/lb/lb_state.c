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
#include "router.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* ---- opening ---- */

struct lb_map_spec {
	const char *name;
	size_t offset;
	__u32 key_size;
	__u32 value_size;
	bool optional;
};

#define LB_FD(f) offsetof(struct lb_maps, f)

static const struct lb_map_spec lb_map_specs[] = {
	{ XR_MAP_LB_CONF, LB_FD(conf), sizeof(__u32),
	  sizeof(struct xr_lb_conf), true },
	{ XR_MAP_LB_VIP_KEYS, LB_FD(vip_keys), sizeof(__u32),
	  sizeof(struct xr_vip_key), true },
	{ XR_MAP_LB_VIPS, LB_FD(vips), sizeof(struct xr_vip_key),
	  sizeof(struct xr_vip) },
	{ XR_MAP_LB_RINGS, LB_FD(rings), sizeof(__u32), sizeof(__u32) },
	{ XR_MAP_LB_BACKENDS, LB_FD(backends), sizeof(__u32),
	  sizeof(struct xr_backend) },
	{ XR_MAP_LB_VIP_STATS, LB_FD(vip_stats), sizeof(__u32),
	  sizeof(struct xr_vip_stats) },
	{ XR_MAP_LB_BACKEND_STATS, LB_FD(be_stats), sizeof(__u32),
	  sizeof(struct xr_counter) },
	{ XR_MAP_LB_CONNS, LB_FD(conns), sizeof(struct xr_flow_key),
	  sizeof(struct xr_lb_conn), true },
};

static int *fd_of(struct lb_maps *m, size_t offset)
{
	return (int *)((char *)m + offset);
}

/* A meta map, pinned with the router's other maps. */
static int open_meta(struct lb_maps *m, const char *pin_path,
		     const char *name, __u32 value_size, __u32 entries,
		     int *out)
{
	struct bpf_map_info info;
	char path[PATH_MAX];
	int fd, err;

	pin_file(path, sizeof(path), pin_path, name);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		log_error("cannot open %s: %s", path, log_strerror(fd));
		return fd;
	}
	*out = fd;
	err = map_info(fd, &info);
	if (err) {
		log_error("cannot inspect %s: %s", path, log_strerror(err));
		return err;
	}
	if (info.type != BPF_MAP_TYPE_ARRAY || info.key_size != 4 ||
	    info.value_size != value_size || info.max_entries < entries) {
		log_error("%s is not a map of this xdp-router version", path);
		return -EINVAL;
	}
	return 0;
}

static int attached_ifaces(struct lb_maps *m, const char *pin_path)
{
	struct member *members;
	struct router r;
	size_t n;
	int err;

	err = router_open_attached(&r, pin_path);
	if (err)
		return err;
	err = members_list(&r, &members, &n);
	router_close(&r);
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

int lb_maps_open(struct lb_maps *m, const char *pin_path)
{
	struct bpf_map_info info;
	char path[PATH_MAX];
	int err;

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < ARRAY_SIZE(lb_map_specs); i++)
		*fd_of(m, lb_map_specs[i].offset) = -1;
	m->vip_meta = m->be_meta = -1;
	m->nr_cpus = libbpf_num_possible_cpus();
	if (m->nr_cpus < 0) {
		log_error("cannot count the possible CPUs: %s",
			  log_strerror(m->nr_cpus));
		return m->nr_cpus;
	}
	err = attached_ifaces(m, pin_path);
	if (err)
		return err;
	for (size_t i = 0; i < ARRAY_SIZE(lb_map_specs); i++) {
		const struct lb_map_spec *s = &lb_map_specs[i];
		int fd;

		pin_file(path, sizeof(path), pin_path, s->name);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			if (fd == -ENOENT && s->optional)
				continue;
			if (fd == -ENOENT)
				log_error("the router at %s has no load "
					  "balancer maps (%s is missing): "
					  "attach it with an xdp-router that "
					  "has the load balancer", pin_path,
					  path);
			else
				log_error("cannot open %s: %s", path,
					  log_strerror(fd));
			err = fd;
			goto fail;
		}
		*fd_of(m, s->offset) = fd;
		err = map_info(fd, &info);
		if (err) {
			log_error("cannot inspect %s: %s", path,
				  log_strerror(err));
			goto fail;
		}
		if (info.key_size != s->key_size ||
		    info.value_size != s->value_size) {
			log_error("%s is not a map of this xdp-router version",
				  path);
			err = -EINVAL;
			goto fail;
		}
		if (s->offset == LB_FD(vips))
			m->max_vips = info.max_entries;
		else if (s->offset == LB_FD(backends))
			m->max_backends = info.max_entries;
		else if (s->offset == LB_FD(rings) &&
			 info.max_entries / XR_LB_RING_SIZE < m->max_vips)
			m->max_vips = info.max_entries / XR_LB_RING_SIZE;
		else if (s->offset == LB_FD(vip_stats) &&
			 info.max_entries < m->max_vips)
			m->max_vips = info.max_entries;
	}
	if (m->max_backends > XR_LB_MAX_BACKENDS)
		m->max_backends = XR_LB_MAX_BACKENDS;
	err = open_meta(m, pin_path, XR_MAP_LB_VIP_META,
			sizeof(struct xr_lb_vip_meta), m->max_vips,
			&m->vip_meta);
	if (!err)
		err = open_meta(m, pin_path, XR_MAP_LB_BE_META,
				sizeof(struct xr_lb_be_meta), m->max_backends,
				&m->be_meta);
	if (err)
		goto fail;
	return 0;
fail:
	lb_maps_close(m);
	return err;
}

void lb_maps_close(struct lb_maps *m)
{
	for (size_t i = 0; i < ARRAY_SIZE(lb_map_specs); i++) {
		int *fd = fd_of(m, lb_map_specs[i].offset);

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
	if (m->vip_meta >= 0)
		close(m->vip_meta);
	if (m->be_meta >= 0)
		close(m->be_meta);
	m->vip_meta = m->be_meta = -1;
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
	void *zero = calloc(m->nr_cpus, percpu_size(vsize));
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
	void *buf = calloc(m->nr_cpus, percpu_size(vsize));
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
 * The per-CPU values of @id in @fd into *@buf (freed by the caller, NULL
 * if it cannot be allocated); @out (@vsize bytes) is zeroed for the sum.
 */
static int percpu_read(const struct lb_maps *m, int fd, __u32 id,
		       void *out, size_t vsize, char **buf)
{
	*buf = calloc(m->nr_cpus, percpu_size(vsize));
	memset(out, 0, vsize);
	if (!*buf)
		return -ENOMEM;
	return bpf_map_lookup_elem(fd, &id, *buf);
}

int lb_vip_stats_read(const struct lb_maps *m, __u32 id,
		      struct xr_vip_stats *out)
{
	size_t sz = percpu_size(sizeof(*out));
	char *buf;
	int err = percpu_read(m, m->vip_stats, id, out, sizeof(*out), &buf);

	for (int c = 0; !err && c < m->nr_cpus; c++) {
		const struct xr_vip_stats *s = (void *)(buf + c * sz);

		out->rx.packets += s->rx.packets;
		out->rx.bytes += s->rx.bytes;
		out->reply.packets += s->reply.packets;
		out->reply.bytes += s->reply.bytes;
		out->conn_hit += s->conn_hit;
		out->conn_miss += s->conn_miss;
		out->no_backend += s->no_backend;
	}
	free(buf);
	return err;
}

int lb_backend_stats_read(const struct lb_maps *m, __u32 id,
			  struct xr_counter *out)
{
	size_t sz = percpu_size(sizeof(*out));
	char *buf;
	int err = percpu_read(m, m->be_stats, id, out, sizeof(*out), &buf);

	for (int c = 0; !err && c < m->nr_cpus; c++) {
		const struct xr_counter *s = (void *)(buf + c * sz);

		out->packets += s->packets;
		out->bytes += s->bytes;
	}
	free(buf);
	return err;
}

int lb_ring_read(const struct lb_maps *m, __u32 vip_id, __u32 *out)
{
	return lb_array_read(m->rings, vip_id * XR_LB_RING_SIZE, XR_LB_RING_SIZE,
			  sizeof(__u32), out);
}

