// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * reload: a new instance of this build's program over the maps of the
 * running one (router_load_over(), see router.h): the maps reused as they
 * are, the load-time settings carried over by name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "xdp_router.skel.h"
#include "bpf_info.h"
#include "log.h"
#include "pin_check.h"
#include "router.h"
#include "router_priv.h"

/* Maps whose size is a load-time setting: the pinned size is the setting. */
static bool sized_at_load(enum router_pin pin)
{
	struct pin_map_spec spec;

	router_pin_spec(pin, &spec);
	return spec.flags & XR_MAPF_SIZED_AT_LOAD;
}

/*
 * The new object must read the map @fd as its own @map: same type, key,
 * value, flags and (unless a load-time setting) size. Reports what differs.
 */
static int check_reusable(struct bpf_map *map, int fd, bool any_size)
{
	struct bpf_map_info info;
	int err = map_info(fd, &info);

	if (err) {
		log_error("cannot inspect the running router's map %s: %s",
			  bpf_map__name(map), log_strerror(err));
		return err;
	}
	/* The kernel makes devmaps read-only for programs itself. */
	if (info.type == BPF_MAP_TYPE_DEVMAP ||
	    info.type == BPF_MAP_TYPE_DEVMAP_HASH)
		info.map_flags &= ~BPF_F_RDONLY_PROG;
	if (info.type == bpf_map__type(map) &&
	    info.key_size == bpf_map__key_size(map) &&
	    info.value_size == bpf_map__value_size(map) &&
	    info.map_flags == bpf_map__map_flags(map) &&
	    (any_size || info.max_entries == bpf_map__max_entries(map)))
		return 0;
	log_error("the running router's map %s (type %u, key %u, value %u, "
		  "%u entries, flags %#x) does not fit this build (type %u, "
		  "key %u, value %u, %u entries, flags %#x); its state cannot "
		  "be kept: detach --all and attach to start over",
		  bpf_map__name(map), info.type, info.key_size, info.value_size,
		  info.max_entries, info.map_flags, bpf_map__type(map),
		  bpf_map__key_size(map), bpf_map__value_size(map),
		  bpf_map__max_entries(map), bpf_map__map_flags(map));
	return -EINVAL;
}

static int reuse_map(struct bpf_map *map, int fd, bool any_size)
{
	int err = check_reusable(map, fd, any_size);

	if (err)
		return err;
	err = bpf_map__reuse_fd(map, fd);
	if (err)
		log_error("cannot reuse the map %s: %s", bpf_map__name(map),
			  log_strerror(err));
	return err;
}

/* The variable @name of the DATASEC @sec in @btf, or NULL. */
static const struct btf_var_secinfo *datasec_var(const struct btf *btf,
						 const struct btf_type *sec,
						 const char *name)
{
	const struct btf_var_secinfo *v = btf_var_secinfos(sec);

	for (__u16 i = 0; i < btf_vlen(sec); i++, v++) {
		const struct btf_type *var = btf__type_by_id(btf, v->type);

		if (var && !strcmp(btf__name_by_offset(btf, var->name_off),
				   name))
			return v;
	}
	return NULL;
}

/*
 * The running program's load-time knobs (lookup mode, --cpus, ECMP seed,
 * LB timeouts, ...) into the new .rodata, matched by name through BTF so
 * that an upgrade with added or removed knobs keeps the others: a knob the
 * old program did not have keeps this build's default.
 */
static int rodata_carry_over(struct router *r, const struct router *old)
{
	struct btf *new_btf = bpf_object__btf(r->skel->obj), *old_btf = NULL;
	const struct btf_type *new_sec, *old_sec;
	const struct btf_var_secinfo *v, *ov;
	struct bpf_map_info info;
	void *val = NULL;
	__u32 zero = 0;
	int fd, err, copied = 0;
	__s32 id;

	fd = router_prog_map_fd(old->prog_fd, NULL);
	if (fd < 0)
		return fd;
	err = map_info(fd, &info);
	if (!err && (!info.btf_id || !info.btf_value_type_id))
		err = -ENOTSUP;	/* loaded without BTF: names unknown */
	if (!err) {
		val = calloc(1, info.value_size);
		old_btf = btf__load_from_kernel_by_id(info.btf_id);
		if (!val || !old_btf)
			err = val ? -errno : -ENOMEM;
	}
	if (!err && bpf_map_lookup_elem(fd, &zero, val))
		err = -errno;
	close(fd);
	id = new_btf ? btf__find_by_name_kind(new_btf, ".rodata",
					      BTF_KIND_DATASEC) : -ENOENT;
	if (!err && id < 0)
		err = id;
	if (err)
		goto out;
	new_sec = btf__type_by_id(new_btf, id);
	old_sec = btf__type_by_id(old_btf, info.btf_value_type_id);
	if (!old_sec || !btf_is_datasec(old_sec)) {
		err = -EPROTO;
		goto out;
	}
	v = btf_var_secinfos(new_sec);
	for (__u16 i = 0; i < btf_vlen(new_sec); i++, v++) {
		const char *name = btf__name_by_offset(new_btf,
			btf__type_by_id(new_btf, v->type)->name_off);

		ov = datasec_var(old_btf, old_sec, name);
		if (!ov) {
			log_verbose("reload: %s: not in the running program, "
				    "this build's default", name);
			continue;
		}
		/* Half a setting carried over would be worse than none. */
		if (ov->size != v->size ||
		    ov->offset + ov->size > info.value_size) {
			log_error("cannot carry the load-time setting %s over: "
				  "its size changed (%u to %u bytes); detach "
				  "--all and attach to start over", name,
				  ov->size, v->size);
			err = -EPROTO;
			goto out;
		}
		memcpy((char *)r->skel->rodata + v->offset,
		       (char *)val + ov->offset, v->size);
		copied++;
	}
	log_verbose("reload: carried %d load-time settings over", copied);
out:
	btf__free(old_btf);
	free(val);
	return err;
}

/*
 * --cpus: a cpumap of its own (fresh queues and kthreads, started before
 * the switch; the old program's drain when it goes), the old counters
 * (not pinned: found through the running program).
 */
static int steer_reuse(struct router *r, const struct router *old)
{
	struct bpf_map *stats = r->skel->maps.xr_cpu_stats;
	int err = bpf_map__set_max_entries(r->skel->maps.xr_cpus, r->nr_cpus);
	int fd;

	if (!err)
		err = bpf_program__set_autoload(r->skel->progs.xdp_router_cpu,
				r->skel->rodata->xr_steer_ncpus > 0);
	if (err)
		return err;
	fd = router_prog_map_fd(old->prog_fd, bpf_map__name(stats));
	if (fd == -ENOENT)
		return 0;	/* an old program without it */
	if (fd < 0)
		return fd;
	err = reuse_map(stats, fd, false);
	close(fd);
	return err;
}

int router_load_over(struct router *r, const struct router *old)
{
	struct router_settings s;
	int err;

	router_init(r, old->pin_path);
	r->skel = xdp_router__open();
	if (!r->skel) {
		err = -errno;
		log_error("cannot open the XDP object: %s", log_strerror(err));
		return err;
	}
	err = rodata_carry_over(r, old);
	if (err) {
		if (!log_error_printed())
			log_error("cannot read the running program's load-time "
				  "settings: %s", log_strerror(err));
		goto fail;
	}
	for (int pin = ROUTER_PIN_PROG + 1; !err && pin < ROUTER_PIN_MAX;
	     pin++) {
		struct bpf_map *map = bpf_object__find_map_by_name(
			r->skel->obj, router_pin_name(pin));
		int fd = old->fds[pin];

		/* A map the running (older) router lacks: this build's,
		 * pinned at load. */
		if (map && fd < 0 && pin == ROUTER_PIN_ROUTE_WATCH)
			err = router_pin_map(r, pin);
		else
			err = map ? reuse_map(map, fd, sized_at_load(pin)) :
				    -ENOENT;
	}
	if (!err)
		err = steer_reuse(r, old);
	/* The route cache's maps are not pinned: their size is the carried
	 * xr_rc_slots (the program indexes that many). */
	if (!err)
		err = router_route_cache_size_maps(r);
	if (err)
		goto fail;
	err = router_load_skel(r);
	if (!err)
		err = router_settings_read(r, &s);
	if (!err)
		err = router_steer_start(r, &s);
	if (!err)
		return 0;
fail:
	router_close(r);
	return err;
}
