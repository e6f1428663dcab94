// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* One interface's map entries; see ifmap.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "ifmap.h"

static struct xr_iface *percpu_alloc(const struct router *r)
{
	return calloc(r->nr_cpus, sizeof(struct xr_iface));
}

/*
 * xr_ifaces_arr (ifindex < XR_IFINDEX_DIRECT) or xr_ifaces: every access to
 * an interface's conf and counters goes through the four functions below,
 * which make an array slot look like a hash entry. A slot is "there" when
 * any CPU's copy is not all zero: the data plane counts every packet it
 * sees, and configured slots carry XR_IFACE_F_CONFIGURED.
 */
static bool slot_in_use(const struct router *r, const struct xr_iface *vals)
{
	static const struct xr_iface zero;

	for (int cpu = 0; cpu < r->nr_cpus; cpu++)
		if (memcmp(&vals[cpu], &zero, sizeof(zero)))
			return true;
	return false;
}

int ifmap_iface_lookup(const struct router *r, __u32 ifindex,
		       struct xr_iface *vals)
{
	int err;

	if (ifindex >= XR_IFINDEX_DIRECT)
		return bpf_map_lookup_elem(r->ifaces_fd, &ifindex, vals);
	err = bpf_map_lookup_elem(r->ifaces_arr_fd, &ifindex, vals);
	if (err)
		return err;
	return slot_in_use(r, vals) ? 0 : -ENOENT;
}

int ifmap_iface_update(const struct router *r, __u32 ifindex,
		       const struct xr_iface *vals, __u64 flags)
{
	struct xr_iface *cur;
	int err;

	if (ifindex >= XR_IFINDEX_DIRECT)
		return bpf_map_update_elem(r->ifaces_fd, &ifindex, vals, flags);
	if (flags & (BPF_EXIST | BPF_NOEXIST)) {
		cur = percpu_alloc(r);
		if (!cur)
			return -ENOMEM;
		err = ifmap_iface_lookup(r, ifindex, cur);
		free(cur);
		if (err && err != -ENOENT)
			return err;
		if ((flags & BPF_EXIST) && err == -ENOENT)
			return -ENOENT;
		if ((flags & BPF_NOEXIST) && !err)
			return -EEXIST;
	}
	return bpf_map_update_elem(r->ifaces_arr_fd, &ifindex, vals, BPF_ANY);
}

int ifmap_iface_delete(const struct router *r, __u32 ifindex)
{
	struct xr_iface *zero;
	int err;

	if (ifindex >= XR_IFINDEX_DIRECT)
		return bpf_map_delete_elem(r->ifaces_fd, &ifindex);
	/* Zero the slot: not configured, nothing counted, i.e. no entry. */
	zero = percpu_alloc(r);
	if (!zero)
		return -ENOMEM;
	err = bpf_map_update_elem(r->ifaces_arr_fd, &ifindex, zero, BPF_ANY);
	free(zero);
	return err;
}

int ifmap_iface_keys(const struct router *r, __u32 **keys, size_t *n)
{
	struct xr_iface *vals = percpu_alloc(r);
	__u32 *hash_keys = NULL, *buf;
	size_t n_hash = 0, cnt = 0;
	int err;

	if (!vals)
		return -ENOMEM;
	err = ifmap_keys(r->ifaces_fd, &hash_keys, &n_hash);
	if (err)
		goto out;
	buf = malloc((XR_IFINDEX_DIRECT + n_hash) * sizeof(*buf));
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	/* Slots first: their ifindexes are all below the hash's keys. */
	for (__u32 i = 0; i < XR_IFINDEX_DIRECT; i++) {
		err = ifmap_iface_lookup(r, i, vals);
		if (err == -ENOENT)
			continue;
		if (err) {
			free(buf);
			goto out;
		}
		buf[cnt++] = i;
	}
	err = 0;
	memcpy(buf + cnt, hash_keys, n_hash * sizeof(*buf));
	*keys = buf;
	*n = cnt + n_hash;
out:
	free(hash_keys);
	free(vals);
	return err;
}

int ifmap_save(const struct router *r, __u32 ifindex, struct ifmap_saved *s)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->ifindex = ifindex;
	s->iface = percpu_alloc(r);
	if (!s->iface)
		return -ENOMEM;

	err = bpf_map_lookup_elem(r->tx_ports_fd, &ifindex, &s->tx_port);
	if (err && err != -ENOENT)
		goto fail;
	s->had_tx_port = !err;

	err = ifmap_iface_lookup(r, ifindex, s->iface);
	if (err && err != -ENOENT)
		goto fail;
	s->had_iface = !err;
	return 0;

fail:
	ifmap_saved_free(s);
	return err;
}

int ifmap_restore(const struct router *r, const struct ifmap_saved *s)
{
	struct bpf_devmap_val port = {
		.ifindex = s->tx_port.ifindex,
	};
	int err;

	/* Lookups return the attached devmap program's id, never an fd. */
	if (s->had_tx_port)
		err = bpf_map_update_elem(r->tx_ports_fd, &s->ifindex, &port,
					  BPF_ANY);
	else
		err = bpf_map_delete_elem(r->tx_ports_fd, &s->ifindex);
	if (err && err != -ENOENT)
		return err;

	if (s->had_iface)
		err = ifmap_iface_update(r, s->ifindex, s->iface, BPF_ANY);
	else
		err = ifmap_iface_delete(r, s->ifindex);
	return err == -ENOENT ? 0 : err;
}

void ifmap_saved_free(struct ifmap_saved *s)
{
	free(s->iface);
	s->iface = NULL;
}

int ifmap_configure(const struct router *r, __u32 ifindex,
		    const __u8 mac[6], __u16 fwd)
{
	struct bpf_devmap_val port = { .ifindex = ifindex };
	struct xr_iface *vals = percpu_alloc(r);
	int err;

	if (!vals)
		return -ENOMEM;
	/*
	 * Keep the counters (the data plane creates an entry for packets it
	 * sees before we configure it). Packets counted between the lookup
	 * and the update are lost: a user space read-modify-write cannot be
	 * atomic with per-CPU increments, and the window is microseconds.
	 */
	err = ifmap_iface_lookup(r, ifindex, vals);
	if (err && err != -ENOENT)
		goto out;
	for (int cpu = 0; cpu < r->nr_cpus; cpu++) {
		memcpy(vals[cpu].conf.mac, mac, sizeof(vals[cpu].conf.mac));
		/* The native refusal is the attach's to set or clear
		 * (ifmap_set_native_err()): kept for a repeated attach. */
		vals[cpu].conf.flags = XR_IFACE_F_CONFIGURED |
				       (fwd & XR_IFACE_F_FWD_MASK) |
				       (vals[cpu].conf.flags &
					XR_IFACE_NATIVE_ERR_MASK);
	}
	err = ifmap_iface_update(r, ifindex, vals, BPF_ANY);
	if (err)
		goto out;
	err = bpf_map_update_elem(r->tx_ports_fd, &ifindex, &port, BPF_ANY);
out:
	free(vals);
	return err;
}

int ifmap_set_native_err(const struct router *r, __u32 ifindex, int err)
{
	int e = err < 0 ? -err : err;
	__u16 bits = (e > 0xff ? 0xff : e) << XR_IFACE_NATIVE_ERR_SHIFT;
	struct xr_iface *vals = percpu_alloc(r);
	int ret;

	if (!vals)
		return -ENOMEM;
	ret = ifmap_iface_lookup(r, ifindex, vals);
	if (ret)
		goto out;
	if ((vals[0].conf.flags & XR_IFACE_NATIVE_ERR_MASK) == bits)
		goto out;
	for (int cpu = 0; cpu < r->nr_cpus; cpu++)
		vals[cpu].conf.flags = (vals[cpu].conf.flags &
					~XR_IFACE_NATIVE_ERR_MASK) | bits;
	ret = ifmap_iface_update(r, ifindex, vals, BPF_EXIST);
out:
	free(vals);
	return ret;
}

int ifmap_native_err(const struct xr_iface *iface)
{
	return -(int)((iface->conf.flags & XR_IFACE_NATIVE_ERR_MASK) >>
		      XR_IFACE_NATIVE_ERR_SHIFT);
}

/* 1 if /proc/sys/@path holds a non-zero number, else 0. */
static int sysctl_on(const char *path)
{
	char file[PATH_MAX];
	int val = 0;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/sys/%s", path);
	f = fopen(file, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &val) != 1)
		val = 0;
	fclose(f);
	return val != 0;
}

__u16 ifmap_fwd_flags(const char *ifname)
{
	char path[PATH_MAX];
	__u16 fwd = 0;

	/* /proc/sys keeps dots in names (eth0.100), unlike sysctl(8). */
	snprintf(path, sizeof(path), "net/ipv4/conf/%s/forwarding", ifname);
	if (sysctl_on(path))
		fwd |= XR_IFACE_F_FWD_V4;
	snprintf(path, sizeof(path), "net/ipv6/conf/%s/forwarding", ifname);
	if (sysctl_on(path))
		fwd |= XR_IFACE_F_FWD_V6;
	return fwd;
}

int ifmap_remove(const struct router *r, __u32 ifindex)
{
	int err = bpf_map_delete_elem(r->tx_ports_fd, &ifindex);

	if (err && err != -ENOENT)
		return err;
	err = ifmap_iface_delete(r, ifindex);
	return err == -ENOENT ? 0 : err;
}

int ifmap_read(const struct router *r, __u32 ifindex, struct xr_iface *sum)
{
	struct xr_iface *vals = percpu_alloc(r);
	int err;

	if (!vals)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	err = ifmap_iface_lookup(r, ifindex, vals);
	if (!err) {
		sum->conf = vals[0].conf;	/* the same on every CPU */
		for (int cpu = 0; cpu < r->nr_cpus; cpu++) {
			for (int o = 0; o < XR_OUTCOME_MAX; o++) {
				sum->outcome[o].packets +=
					vals[cpu].outcome[o].packets;
				sum->outcome[o].bytes +=
					vals[cpu].outcome[o].bytes;
			}
		}
	}
	free(vals);
	return err;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

int ifmap_keys(int map_fd, __u32 **keys, size_t *n)
{
	__u32 key, next, *buf;
	size_t cnt = 0, cap = 16;
	__u32 *prev = NULL;
	int err;

	buf = malloc(cap * sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	while (!(err = bpf_map_get_next_key(map_fd, prev, &next))) {
		if (cnt == cap) {
			__u32 *tmp = realloc(buf, 2 * cap * sizeof(*buf));

			if (!tmp) {
				free(buf);
				return -ENOMEM;
			}
			buf = tmp;
			cap *= 2;
		}
		buf[cnt++] = next;
		key = next;
		prev = &key;
	}
	if (err != -ENOENT) {
		free(buf);
		return err;
	}
	qsort(buf, cnt, sizeof(*buf), cmp_u32);
	/* A key deleted under us restarts the walk: drop the repeats. */
	size_t uniq = 0;

	for (size_t i = 0; i < cnt; i++)
		if (!uniq || buf[uniq - 1] != buf[i])
			buf[uniq++] = buf[i];
	*keys = buf;
	*n = uniq;
	return 0;
}
