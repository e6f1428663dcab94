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
 * The max_entries of a fixed-size map: the CLI and the program index it up
 * to it. 0 for the maps sized at load time (attach --max-routes-*,
 * --lb-max-*), which only need one entry.
 */
static __u32 fixed_size(const struct pin_map_spec *spec)
{
	if (spec->flags & (XR_MAPF_SIZED_AT_LOAD | XR_MAPF_SIZE_UNCHECKED))
		return 0;
	return spec->max_entries;
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
	__u32 fixed = fixed_size(spec);
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

/*
 * The per-VIP maps have a row per VIP (the rings XR_LB_RING_SIZE): as many
 * as xr_lb_vips has entries.
 */
static int check_vip_rows(const struct router *r)
{
	struct bpf_map_info vips, info;
	struct pin_map_spec spec;
	int err = map_info(r->lb_vips_fd, &vips);

	if (!err && vips.max_entries > XR_LB_MAX_VIPS) {
		log_error("the router at %s has %u VIPs, more than the %u this "
			  "version handles", r->pin_path, vips.max_entries,
			  XR_LB_MAX_VIPS);
		return -EINVAL;
	}
	for (int pin = 0; !err && pin < ROUTER_PIN_MAX; pin++) {
		__u64 want;

		router_pin_spec(pin, &spec);
		if (!(spec.flags & XR_MAPF_PER_VIP) ||
		    pin == ROUTER_PIN_LB_VIPS)
			continue;
		err = map_info(r->fds[pin], &info);
		if (err)
			break;
		want = (__u64)vips.max_entries * pin_map_per_vip(&spec);
		if (info.max_entries != want) {
			log_error("%s/%s has %u entries, expected %llu for the "
				  "%u VIPs of %s", r->pin_path, spec.name,
				  info.max_entries, (unsigned long long)want,
				  vips.max_entries, XR_MAP_LB_VIPS);
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
