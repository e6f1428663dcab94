// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Checks of pinned maps and programs before use; see pin_check.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bpf_info.h"
#include "log.h"
#include "pin_check.h"
#include "prog_maps.h"
#include "router.h"
#include "xdp_router_types.h"

/*
 * max_entries of the maps whose size is a constant of maps/: the CLI and the
 * program index them up to it. Maps not listed are sized at load time
 * (attach --max-routes-*, --lb-max-*) and only need one entry.
 */
static const struct {
	const char *name;
	__u32 max_entries;
} fixed_sizes[] = {
	{ XR_MAP_TX_PORTS, XR_MAX_IFACES },
	{ XR_MAP_IFACES, XR_MAX_IFACES },
	{ XR_MAP_IFACES_ARR, XR_IFINDEX_DIRECT },
	{ XR_MAP_NEXTHOPS, XR_MAX_NEXTHOPS },
	{ XR_MAP_NH_GROUPS, XR_MAX_NH_GROUPS },
	{ XR_MAP_NEIGH, XR_MAX_NEIGH },
	{ XR_MAP_LB_CONF, 1 },
	{ XR_MAP_LB_BACKENDS, XR_LB_MAX_BACKENDS },
	{ XR_MAP_LB_BACKEND_STATS, XR_LB_MAX_BACKENDS },
	{ XR_MAP_LB_BE_META, XR_LB_MAX_BACKENDS },
	{ XR_MAP_LB_FRAGS, XR_LB_DEFAULT_FRAGS },
};

static __u32 fixed_size(const char *name)
{
	for (size_t i = 0; i < sizeof(fixed_sizes) / sizeof(*fixed_sizes); i++)
		if (!strcmp(fixed_sizes[i].name, name))
			return fixed_sizes[i].max_entries;
	return 0;
}

static const char *map_type_name(__u32 type)
{
	const char *s = libbpf_bpf_map_type_str(type);

	return s ? s : "unknown";
}

/*
 * The sizes the map's BTF gives its key and value, when it has BTF (maps
 * made by libbpf from an object do; maps made by hand may not).
 */
static int check_btf(const struct bpf_map_info *info, const char *path,
		     const struct pin_map_spec *spec)
{
	struct btf *btf;
	__s64 ksz = -1, vsz = -1;
	int err;

	if (!info->btf_id || !info->btf_value_type_id)
		return 0;
	btf = btf__load_from_kernel_by_id(info->btf_id);
	err = libbpf_get_error(btf);
	if (err) {
		/* The layout was checked; BTF is a second opinion. */
		log_verbose("%s: cannot read its BTF (id %u): %s", path,
			    info->btf_id, log_strerror(err));
		return 0;
	}
	if (info->btf_key_type_id)
		ksz = btf__resolve_size(btf, info->btf_key_type_id);
	vsz = btf__resolve_size(btf, info->btf_value_type_id);
	btf__free(btf);
	if ((info->btf_key_type_id && ksz != spec->key_size) ||
	    vsz != spec->value_size) {
		log_error("%s: its BTF describes a %lld-byte key and a %lld-byte "
			  "value, expected %u and %u (not a map of this "
			  "xdp-router version)", path, (long long)ksz,
			  (long long)vsz, spec->key_size, spec->value_size);
		return -EINVAL;
	}
	return 0;
}

int pin_check_map(int fd, const char *path, const struct pin_map_spec *spec)
{
	struct bpf_map_info info;
	__u32 fixed = fixed_size(spec->name);
	int err = map_info(fd, &info);

	if (err) {
		log_error("cannot inspect %s: %s", path, log_strerror(err));
		return err;
	}
	if (info.type != spec->type) {
		log_error("%s is a map of type %s, expected %s (not a map of this "
			  "xdp-router version)", path, map_type_name(info.type),
			  map_type_name(spec->type));
		return -EINVAL;
	}
	if (info.key_size != spec->key_size ||
	    info.value_size != spec->value_size) {
		log_error("%s has %u-byte keys and %u-byte values, expected %u "
			  "and %u (not a map of this xdp-router version)", path,
			  info.key_size, info.value_size, spec->key_size,
			  spec->value_size);
		return -EINVAL;
	}
	/* The kernel keeps BPF_OBJ_NAME_LEN - 1 characters of the name. */
	if (strncmp(info.name, spec->name, BPF_OBJ_NAME_LEN - 1)) {
		log_error("%s is a map named '%s', expected '%.*s'", path,
			  info.name, BPF_OBJ_NAME_LEN - 1, spec->name);
		return -EINVAL;
	}
	if (fixed ? info.max_entries != fixed : !info.max_entries) {
		log_error("%s has %u entries, expected %u", path,
			  info.max_entries, fixed ? fixed : 1);
		return -EINVAL;
	}
	return check_btf(&info, path, spec);
}

int pin_check_prog(int fd, const char *path)
{
	struct bpf_prog_info info;
	int err = prog_info(fd, &info);

	if (err) {
		log_error("cannot inspect %s: %s", path, log_strerror(err));
		return err;
	}
	if (info.type != BPF_PROG_TYPE_XDP) {
		log_error("%s is not an XDP program", path);
		return -EINVAL;
	}
	if (strcmp(info.name, XR_PROG_NAME)) {
		log_error("%s is the XDP program '%s' (id %u), not %s", path,
			  info.name, info.id, XR_PROG_NAME);
		return -EINVAL;
	}
	return 0;
}

/* True if the program @prog_fd uses the map with id @map_id. */
static int prog_uses_map(int prog_fd, __u32 map_id)
{
	__u32 *ids, n;
	int found = 0, err = prog_map_ids(prog_fd, &ids, &n);

	if (err)
		return err;
	for (__u32 i = 0; i < n; i++)
		found |= ids[i] == map_id;
	free(ids);
	return found;
}

/* The per-VIP maps have a row per VIP; the rings XR_LB_RING_SIZE slots. */
static int check_vip_rows(const struct router *r)
{
	const struct {
		int fd;
		const char *name;
		__u32 per_vip;
	} rows[] = {
		{ r->lb_vip_keys_fd, XR_MAP_LB_VIP_KEYS, 1 },
		{ r->lb_vip_stats_fd, XR_MAP_LB_VIP_STATS, 1 },
		{ r->lb_vip_meta_fd, XR_MAP_LB_VIP_META, 1 },
		{ r->lb_rings_fd, XR_MAP_LB_RINGS, XR_LB_RING_SIZE },
	};
	struct bpf_map_info vips, info;
	int err = map_info(r->lb_vips_fd, &vips);

	if (!err && vips.max_entries > XR_LB_MAX_VIPS) {
		log_error("the router at %s has %u VIPs, more than the %u this "
			  "version handles", r->pin_path, vips.max_entries,
			  XR_LB_MAX_VIPS);
		return -EINVAL;
	}
	for (size_t i = 0; !err && i < sizeof(rows) / sizeof(*rows); i++) {
		err = map_info(rows[i].fd, &info);
		if (err)
			break;
		if ((__u64)info.max_entries !=
		    (__u64)vips.max_entries * rows[i].per_vip) {
			log_error("%s/%s has %u entries, expected %llu for the "
				  "%u VIPs of %s", r->pin_path, rows[i].name,
				  info.max_entries,
				  (unsigned long long)vips.max_entries *
				  rows[i].per_vip, vips.max_entries,
				  XR_MAP_LB_VIPS);
			return -EINVAL;
		}
	}
	if (err)
		log_error("cannot inspect the maps at %s: %s", r->pin_path,
			  log_strerror(err));
	return err;
}

int pin_check_router(const struct router *r)
{
	struct bpf_map_info tx;
	int err = map_info(r->tx_ports_fd, &tx), uses;

	if (err) {
		log_error("cannot inspect %s/%s: %s", r->pin_path,
			  XR_MAP_TX_PORTS, log_strerror(err));
		return err;
	}
	uses = prog_uses_map(r->prog_fd, tx.id);
	if (uses < 0) {
		log_error("cannot inspect the program pinned at %s: %s",
			  r->pin_path, log_strerror(uses));
		return uses;
	}
	if (!uses) {
		log_error("%s/%s (map id %u) is not the map of the program "
			  "pinned beside it (id %u): the pin path mixes two "
			  "routers", r->pin_path, XR_MAP_TX_PORTS, tx.id,
			  r->prog_id);
		return -EINVAL;
	}
	return check_vip_rows(r);
}
