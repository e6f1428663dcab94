// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * adopt IFACE...
 *
 * The router's object loaded by another loader (ip link set ... xdp obj,
 * xdp-loader load, bpftool prog load + net attach): finds the program on the
 * interfaces, pins it and its maps under the pin path (what is pinned there
 * already must be that program's), and configures the interfaces as attach
 * does, the firewall gate's recorder included. Until then the program
 * forwards nothing itself: with no egress interface in its devmap, it
 * hands every packet to the kernel.
 *
 * All or nothing: a failure removes the pins this command made and puts the
 * interfaces' map entries back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "bpf_info.h"
#include "dispatch.h"
#include "fw_record.h"
#include "iface.h"
#include "ifmap.h"
#include "log.h"
#include "mode.h"
#include "multiprog.h"
#include "output.h"
#include "pin.h"
#include "pin_check.h"
#include "prog_maps.h"
#include "route_watch.h"
#include "router.h"

static const char usage[] =
	"Usage: xdp-router adopt IFACE...\n"
	"\n"
	"Takes over the router's program that another loader (ip, xdp-loader,\n"
	"bpftool) attached to every IFACE: pins it and its maps under the pin\n"
	"path and configures the interfaces, as attach would have. Then every\n"
	"command works on it by --pin-path; detach, or the loader, removes it.\n"
	"  -h, --help  show this help\n";

/*
 * CLI-only maps: the program never uses them, so a foreign loader lets them
 * go. adopt makes them again, sized like the map whose rows they describe,
 * or (ROUTER_PIN_MAX) as the object declares them: the IPv4 route list,
 * which only populate reads (the data plane reads the DIR-24-8 table).
 */
static const struct {
	enum router_pin pin;
	enum router_pin sized_like;
} cli_only[] = {
	{ ROUTER_PIN_LB_VIP_META, ROUTER_PIN_LB_VIPS },
	{ ROUTER_PIN_LB_BE_META, ROUTER_PIN_LB_BACKENDS },
	{ ROUTER_PIN_ROUTES_V4, ROUTER_PIN_MAX },
};

/* The map_flags of a CLI-only map (an LPM trie must not be preallocated). */
static int create_cli_only(const struct pin_map_spec *spec, __u32 entries)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts,
		    .map_flags = XR_MAPF_BPF_FLAGS(spec->flags));
	int fd = bpf_map_create(spec->type, spec->name, spec->key_size,
				spec->value_size, entries, &opts);

	return fd < 0 ? -errno : fd;
}

struct adoptee {
	struct iface ifc;
	__u8 mac[6];
	enum xr_mode mode;
	struct ifmap_saved saved;
	bool written;
};

/* The router's program on every interface: one program, the same. */
static int find_prog(struct adoptee *a, int n, __u32 *id)
{
	*id = 0;
	for (int i = 0; i < n; i++) {
		__u32 got = multiprog_find(a[i].ifc.ifindex, XR_PROG_NAME);
		struct iface_xdp xdp;
		__u32 any;

		if (!got) {
			log_error("%s does not run an %s program (load the "
				  "object there first, see docs/loaders.md)",
				  a[i].ifc.name, XR_PROG_NAME);
			return -ENOENT;
		}
		if (*id && got != *id) {
			log_error("%s runs %s id %u, %s id %u: one router is one "
				  "program; attach the first to both (e.g. ip "
				  "link set dev %s xdp pinned PIN_PATH/%s)",
				  a[0].ifc.name, XR_PROG_NAME, *id,
				  a[i].ifc.name, got, a[i].ifc.name,
				  XR_PIN_PROG);
			return -EINVAL;
		}
		*id = got;
		a[i].mode = XR_MODE_NATIVE;
		if (!iface_xdp_query(a[i].ifc.ifindex, &xdp))
			iface_xdp_any(&xdp, &any, &a[i].mode);
	}
	return 0;
}

/* The fd to pin as @pin: the program's map, or a fresh CLI-only one. */
static int source_fd(int prog_fd, enum router_pin pin)
{
	struct pin_map_spec spec, like;
	struct bpf_map_info info;
	int fd, like_fd;

	router_pin_spec(pin, &spec);
	if (pin == ROUTER_PIN_PROG)
		return dup(prog_fd);
	fd = prog_map_by_name(prog_fd, spec.name);
	if (fd != -ENOENT)
		return fd;
	for (size_t i = 0; i < sizeof(cli_only) / sizeof(*cli_only); i++) {
		if (cli_only[i].pin != pin)
			continue;
		if (cli_only[i].sized_like == ROUTER_PIN_MAX)
			return create_cli_only(&spec, spec.max_entries);
		router_pin_spec(cli_only[i].sized_like, &like);
		like_fd = prog_map_by_name(prog_fd, like.name);
		if (like_fd < 0)
			return like_fd;
		fd = map_info(like_fd, &info);
		close(like_fd);
		if (fd)
			return fd;
		return create_cli_only(&spec, info.max_entries);
	}
	log_error("the program has no map %s: not an %s of this version",
		  spec.name, XR_PROG_NAME);
	return -EPROTO;
}

/*
 * A pin already there (bpftool pinmaps, an earlier adopt) must be the
 * program's own, or a CLI-only map (router_open() checks its layout).
 */
static int check_pinned(int prog_fd, enum router_pin pin, int pinned,
			const char *path)
{
	struct pin_map_spec spec;
	int own_fd;
	bool own;

	router_pin_spec(pin, &spec);
	if (pin == ROUTER_PIN_PROG) {
		own = obj_id(pinned) == obj_id(prog_fd);
	} else {
		own_fd = prog_map_by_name(prog_fd, spec.name);
		own = own_fd == -ENOENT ||
		      (own_fd >= 0 &&
		       obj_id(own_fd) == obj_id(pinned));
		if (own_fd >= 0)
			close(own_fd);
	}
	if (own)
		return 0;
	log_error("%s is pinned already, and not by the adopted program: the "
		  "pin path holds another router", path);
	return -EEXIST;
}

/* Pins what is not pinned yet; bit @pin of *@created for each new pin. */
static int pin_all(const char *pin_path, int prog_fd, unsigned int *created)
{
	char path[PATH_MAX];
	struct pin_map_spec spec;
	int err = 0;

	for (int pin = 0; !err && pin < ROUTER_PIN_MAX; pin++) {
		int fd;

		router_pin_spec(pin, &spec);
		pin_file(path, sizeof(path), pin_path, spec.name);
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			err = check_pinned(prog_fd, pin, fd, path);
			close(fd);
			continue;
		}
		fd = source_fd(prog_fd, pin);
		if (fd < 0) {
			if (!log_error_printed())
				log_error("cannot get %s of the program: %s",
					  spec.name, log_strerror(fd));
			return fd;
		}
		if (bpf_obj_pin(fd, path)) {
			err = -errno;
			log_error("cannot pin %s: %s", path, log_strerror(err));
		} else {
			*created |= 1U << pin;
		}
		close(fd);
	}
	return err;
}

static void unpin_created(const char *pin_path, unsigned int created)
{
	char path[PATH_MAX];
	struct pin_map_spec spec;

	for (int pin = 0; pin < ROUTER_PIN_MAX; pin++) {
		if (!(created & (1U << pin)))
			continue;
		router_pin_spec(pin, &spec);
		pin_file(path, sizeof(path), pin_path, spec.name);
		unlink(path);
	}
	rmdir(pin_path);	/* only if that left it empty */
}

static void unconfigure(const struct router *r, const struct adoptee *a,
			int n)
{
	for (int i = 0; i < n; i++)
		if (a[i].written && ifmap_restore(r, &a[i].saved))
			log_error("rollback: cannot restore the map entries of "
				  "%s", a[i].ifc.name);
}

static int configure(const struct router *r, struct adoptee *a, int n)
{
	int err = 0;

	for (int i = 0; !err && i < n; i++) {
		err = ifmap_save(r, a[i].ifc.ifindex, &a[i].saved);
		if (err)
			break;
		a[i].written = true;
		err = ifmap_configure(r, a[i].ifc.ifindex, a[i].mac,
				      ifmap_fwd_flags(a[i].ifc.name));
	}
	if (!err)
		return 0;
	log_error("cannot update the maps for the interfaces: %s",
		  log_strerror(err));
	unconfigure(r, a, n);
	return err;
}

/* The firewall gate's recorder, as attach sets it up for the program's
 * --firewall (fw_record.h). */
static int setup_recorder(const struct router *r, const struct adoptee *a,
			  int n)
{
	const char *names[XR_MAX_IFACES];
	int ifindex[XR_MAX_IFACES];
	struct router_settings s;
	int err = router_settings_read(r, &s);

	if (err) {
		log_error("cannot read the program's settings: %s",
			  log_strerror(err));
		return err;
	}
	if (s.firewall != XR_FW_AUTO && s.firewall != XR_FW_CONNTRACK)
		return 0;
	for (int i = 0; i < n; i++) {
		names[i] = a[i].ifc.name;
		ifindex[i] = a[i].ifc.ifindex;
	}
	return fw_record_setup(r, ifindex, names, n);
}

static void print_adopted(const struct router *r, const struct adoptee *a,
			  int n)
{
	out_open_array(NULL);
	for (int i = 0; i < n; i++) {
		out_open_object(NULL);
		out_string(PRINT_ANY, "ifname", "%s: adopted", a[i].ifc.name);
		out_uint(PRINT_JSON, "ifindex", NULL, a[i].ifc.ifindex);
		out_string(PRINT_ANY, "mode", " in %s mode", mode_name(a[i].mode));
		out_uint(PRINT_ANY, "prog_id", " (prog id %llu)", r->prog_id);
		out_string(PRINT_ANY, "pin_path", ", pinned at %s\n",
			   r->pin_path);
		out_close_object();
	}
	out_close_array();
	out_flush();
}

static int adopt(const char *pin_path, struct adoptee *a, int n)
{
	unsigned int created = 0;
	struct router r;
	int err, lock_fd, prog_fd = -1;
	__u32 id;

	err = find_prog(a, n, &id);
	if (err)
		return err;
	prog_fd = bpf_prog_get_fd_by_id(id);
	if (prog_fd < 0) {
		err = -errno;
		log_error("cannot get program id %u: %s", id,
			  log_strerror(err));
		return err;
	}
	err = pin_check_prog(prog_fd, a[0].ifc.name);
	if (err)
		goto out;
	err = pin_ensure_bpffs(pin_path);
	if (err)
		goto out;
	lock_fd = pin_lock(pin_path);
	if (lock_fd < 0) {
		err = lock_fd;
		goto out;
	}
	err = pin_mkdir(pin_path);
	if (!err)
		err = pin_all(pin_path, prog_fd, &created);
	/* Checks every map, as any later command will. */
	if (!err)
		err = router_open(&r, pin_path);
	if (!err) {
		err = configure(&r, a, n);
		if (!err) {
			err = setup_recorder(&r, a, n);
			if (err)
				unconfigure(&r, a, n);
		}
		if (!err) {
			route_watch_ensure(&r);
			print_adopted(&r, a, n);
		}
		router_close(&r);
	}
	if (err)
		unpin_created(pin_path, created);
	close(lock_fd);
out:
	close(prog_fd);
	return err;
}

static int cmd_adopt_check(struct cmd_ctx *c)
{
	if (c->argc > 0 && c->argc <= XR_MAX_IFACES)
		return 0;
	log_error("adopt: give 1 to %d interfaces (see 'xdp-router adopt "
		  "--help')", XR_MAX_IFACES);
	return -EINVAL;
}

static int cmd_adopt_run(struct cmd_ctx *c)
{
	int n = c->argc, err = 0;
	struct adoptee *a;

	a = calloc(n, sizeof(*a));
	if (!a) {
		log_error("out of memory");
		return -ENOMEM;
	}
	for (int i = 0; !err && i < n; i++) {
		err = iface_resolve(c->argv[i], &a[i].ifc);
		if (err)
			log_error("cannot find interface '%s'", c->argv[i]);
		else if ((err = iface_mac(&a[i].ifc, a[i].mac)))
			log_error("cannot read the MAC address of %s: %s",
				  a[i].ifc.name, log_strerror(err));
		for (int j = 0; !err && j < i; j++) {
			if (a[j].ifc.ifindex == a[i].ifc.ifindex) {
				log_error("interface '%s' given twice",
					  c->argv[i]);
				err = -EINVAL;
			}
		}
	}
	if (!err)
		err = adopt(c->g->pin_path, a, n);
	for (int i = 0; i < n; i++)
		ifmap_saved_free(&a[i].saved);
	free(a);
	return err;
}

COMMAND(cmd_adopt, "adopt",
	"take over the router loaded by ip, xdp-loader or bpftool",
	CMD_CAPS,
	.usage = usage,
	.check = cmd_adopt_check);
