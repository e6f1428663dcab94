// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The router's program and maps, pinned or fresh; see router.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdp_router.skel.h"
#include "xdp_router_types.h"
#include "log.h"
#include "pin.h"
#include "router.h"

static const char *const pin_names[ROUTER_PIN_MAX] = {
	[ROUTER_PIN_PROG] = XR_PIN_PROG,
	[ROUTER_PIN_TX_PORTS] = XR_MAP_TX_PORTS,
	[ROUTER_PIN_IFACES] = XR_MAP_IFACES,
};

static void router_init(struct router *r, const char *pin_path)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->pin_path, sizeof(r->pin_path), "%s", pin_path);
	r->prog_fd = r->tx_ports_fd = r->ifaces_fd = -1;
	r->nr_cpus = libbpf_num_possible_cpus();
}

static void pin_of(const struct router *r, enum router_pin pin, char *buf,
		   size_t len)
{
	/* pin_path_resolve() left room for every name. */
	pin_file(buf, len, r->pin_path, pin_names[pin]);
}

static int prog_info(int fd, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, len);
	return bpf_obj_get_info_by_fd(fd, info, &len);
}

/* A pin written by another version would be read with the wrong layout. */
static int check_map(int fd, const char *path, __u32 type, __u32 value_size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int err = bpf_obj_get_info_by_fd(fd, &info, &len);

	if (err) {
		log_error("cannot inspect %s: %s", path, log_strerror(err));
		return err;
	}
	if (info.type != type || info.key_size != sizeof(__u32) ||
	    info.value_size != value_size) {
		log_error("%s is not a map of this xdp-router version; detach "
			  "with the version that attached", path);
		return -EINVAL;
	}
	return 0;
}

static int open_map(struct router *r, enum router_pin pin, __u32 type,
		    __u32 value_size, int *fdp)
{
	char path[PATH_MAX];
	int fd;

	pin_of(r, pin, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0) {
		if (fd == -ENOENT)
			log_error("incomplete router at %s: %s is missing",
				  r->pin_path, path);
		else
			log_error("cannot open %s: %s", path,
				  log_strerror(fd));
		return fd;
	}
	*fdp = fd;
	return check_map(fd, path, type, value_size);
}

static int open_prog(struct router *r)
{
	struct bpf_prog_info info;
	char path[PATH_MAX];
	int fd, err;

	pin_of(r, ROUTER_PIN_PROG, path, sizeof(path));
	if (access(path, F_OK))
		return -ENOENT;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		log_error("cannot open %s: %s", path, log_strerror(fd));
		return fd;
	}
	r->prog_fd = fd;
	err = prog_info(fd, &info);
	if (err) {
		log_error("cannot inspect %s: %s", path, log_strerror(err));
		return err;
	}
	if (info.type != BPF_PROG_TYPE_XDP) {
		log_error("%s is not an XDP program", path);
		return -EINVAL;
	}
	r->prog_id = info.id;
	return 0;
}

int router_open(struct router *r, const char *pin_path)
{
	int err;

	router_init(r, pin_path);
	err = open_prog(r);
	if (!err)
		err = open_map(r, ROUTER_PIN_TX_PORTS, BPF_MAP_TYPE_DEVMAP_HASH,
			       sizeof(struct bpf_devmap_val), &r->tx_ports_fd);
	if (!err)
		err = open_map(r, ROUTER_PIN_IFACES, BPF_MAP_TYPE_PERCPU_HASH,
			       sizeof(struct xr_iface), &r->ifaces_fd);
	if (err)
		router_close(r);
	return err;
}

static int pin_map(struct router *r, struct bpf_map *map, enum router_pin pin)
{
	char path[PATH_MAX];

	pin_of(r, pin, path, sizeof(path));
	/* libbpf reuses a pin left by an interrupted load; we own new ones. */
	if (access(path, F_OK))
		r->created |= 1U << pin;
	return bpf_map__set_pin_path(map, path);
}

int router_load(struct router *r, const char *pin_path)
{
	struct bpf_prog_info info;
	char path[PATH_MAX];
	int err;

	router_init(r, pin_path);
	if (r->nr_cpus < 0) {
		log_error("cannot count the possible CPUs: %s",
			  log_strerror(r->nr_cpus));
		return r->nr_cpus;
	}
	err = pin_mkdir(pin_path);
	if (err)
		return err;

	r->skel = xdp_router__open();
	if (!r->skel) {
		err = -errno;
		log_error("cannot open the XDP object: %s", log_strerror(err));
		goto fail;
	}
	err = pin_map(r, r->skel->maps.xr_tx_ports, ROUTER_PIN_TX_PORTS);
	if (!err)
		err = pin_map(r, r->skel->maps.xr_ifaces, ROUTER_PIN_IFACES);
	if (err) {
		log_error("cannot set the map pin paths: %s",
			  log_strerror(err));
		goto fail;
	}
	err = xdp_router__load(r->skel);
	if (err) {
		log_error("cannot load the XDP program: %s (-v shows the "
			  "verifier's log)", log_strerror(err));
		goto fail;
	}

	pin_of(r, ROUTER_PIN_PROG, path, sizeof(path));
	err = bpf_program__pin(r->skel->progs.xdp_router, path);
	if (err) {
		log_error("cannot pin the program at %s: %s", path,
			  log_strerror(err));
		goto fail;
	}
	r->created |= 1U << ROUTER_PIN_PROG;

	r->prog_fd = bpf_program__fd(r->skel->progs.xdp_router);
	r->tx_ports_fd = bpf_map__fd(r->skel->maps.xr_tx_ports);
	r->ifaces_fd = bpf_map__fd(r->skel->maps.xr_ifaces);
	err = prog_info(r->prog_fd, &info);
	if (err) {
		log_error("cannot inspect the loaded program: %s",
			  log_strerror(err));
		goto fail;
	}
	r->prog_id = info.id;
	log_verbose("loaded %s (id %u), pinned at %s", XR_PROG_NAME,
		    r->prog_id, pin_path);
	return 0;

fail:
	router_unpin(r, true);
	router_close(r);
	return err;
}

void router_unpin(struct router *r, bool only_created)
{
	char path[PATH_MAX];

	if (only_created && !r->created)
		return;
	for (int pin = 0; pin < ROUTER_PIN_MAX; pin++) {
		if (only_created && !(r->created & (1U << pin)))
			continue;
		pin_of(r, pin, path, sizeof(path));
		if (unlink(path) && errno != ENOENT)
			log_warn("cannot remove %s: %s", path,
				 log_strerror(errno));
	}
	r->created = 0;
	/* Anything else in it is not ours to delete. */
	if (!rmdir(r->pin_path) || errno == ENOENT)
		return;
	if (errno == ENOTEMPTY || errno == EEXIST)
		log_verbose("left %s in place: not empty", r->pin_path);
	else
		log_warn("cannot remove %s: %s", r->pin_path,
			 log_strerror(errno));
}

void router_close(struct router *r)
{
	if (r->skel) {
		/* The skeleton owns the program's and maps' fds. */
		xdp_router__destroy(r->skel);
		r->skel = NULL;
	} else {
		if (r->prog_fd >= 0)
			close(r->prog_fd);
		if (r->tx_ports_fd >= 0)
			close(r->tx_ports_fd);
		if (r->ifaces_fd >= 0)
			close(r->ifaces_fd);
	}
	r->prog_fd = r->tx_ports_fd = r->ifaces_fd = -1;
}

int router_prog_ident(const struct router *r, char *name, size_t name_len,
		      char tag[17])
{
	struct bpf_prog_info info;
	int err = prog_info(r->prog_fd, &info);

	if (err)
		return err;
	snprintf(name, name_len, "%s", info.name);
	for (int i = 0; i < BPF_TAG_SIZE; i++)
		sprintf(tag + 2 * i, "%02x", info.tag[i]);
	return 0;
}
