// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The Prometheus text format: for each metric family a HELP and a TYPE
 * line, then its samples; label values escaped (\\, \", \n). Counters end
 * in _total. Names and labels:
 *
 *   xdp_router_info{prog_id,prog_name,tag,lookup,pin_path} 1
 *   xdp_router_packets_total{interface,ifindex,outcome}
 *   xdp_router_bytes_total{interface,ifindex,outcome}
 *   xdp_router_lb_vip_{packets,bytes,reply_packets,reply_bytes}_total{vip}
 *   xdp_router_lb_conn_table_{hits,misses}_total{vip}
 *   xdp_router_lb_no_backend_drops_total{vip}
 *   xdp_router_lb_vip_info{vip,address,port,protocol,mode} 1
 *   xdp_router_lb_backend_{packets,bytes}_total{vip,backend,port}
 *   xdp_router_lb_backend_up{vip,backend,port} 1 when it takes new flows
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stddef.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "log.h"
#include "outcomes.h"
#include "stats_prom.h"

static void put_label_value(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Labels of one interface's sample. */
static void iface_labels(FILE *f, const struct if_counters *c,
			 const char *outcome)
{
	char ifindex[16];

	snprintf(ifindex, sizeof(ifindex), "%d", c->ifc.ifindex);
	fputs("{interface=", f);
	put_label_value(f, c->ifc.name);
	fputs(",ifindex=", f);
	put_label_value(f, ifindex);
	fputs(",outcome=", f);
	put_label_value(f, outcome);
	fputc('}', f);
}

/* A per-interface counter family; @off: the field in struct xr_counter. */
static void iface_counter(FILE *f, const struct snapshot *s,
			  const char *name, const char *help, size_t off)
{
	family(f, name, "counter", help);
	for (size_t i = 0; i < s->n; i++)
		for (int o = 0; o < XR_OUTCOME_MAX; o++) {
			__u64 val;

			memcpy(&val, (const char *)&s->ifs[i].sum.outcome[o] +
			       off, sizeof(val));
			fputs(name, f);
			iface_labels(f, &s->ifs[i], xr_outcome_names[o]);
			fprintf(f, " %llu\n", (unsigned long long)val);
		}
}

static void print_ifaces(FILE *f, const struct snapshot *s)
{
	iface_counter(f, s, "xdp_router_packets_total",
		      "Packets seen by the XDP program, per interface and "
		      "outcome.", offsetof(struct xr_counter, packets));
	iface_counter(f, s, "xdp_router_bytes_total",
		      "Bytes seen by the XDP program, per interface and "
		      "outcome.", offsetof(struct xr_counter, bytes));
}

static void print_info(FILE *f, const struct stats_router_info *info)
{
	char id[16];

	snprintf(id, sizeof(id), "%u", info->prog_id);
	family(f, "xdp_router_info", "gauge",
	       "The running XDP program (always 1).");
	fputs("xdp_router_info{prog_id=", f);
	put_label_value(f, id);
	fputs(",prog_name=", f);
	put_label_value(f, info->prog_name);
	fputs(",tag=", f);
	put_label_value(f, info->tag);
	fputs(",lookup=", f);
	put_label_value(f, info->lookup ? info->lookup : "unknown");
	fputs(",pin_path=", f);
	put_label_value(f, info->pin_path ? info->pin_path : "");
	fputs("} 1\n", f);
}

/* One per-VIP counter family: @off is the counter's offset in the stats. */
struct vip_family {
	const char *name;
	const char *help;
	size_t off;
};

#define VIP_FIELD(f) offsetof(struct xr_vip_stats, f)

static const struct vip_family vip_families[] = {
	{ "xdp_router_lb_vip_packets_total",
	  "Packets of a VIP sent to its backends.", VIP_FIELD(rx.packets) },
	{ "xdp_router_lb_vip_bytes_total",
	  "Bytes of a VIP sent to its backends.", VIP_FIELD(rx.bytes) },
	{ "xdp_router_lb_vip_reply_packets_total",
	  "NAT replies translated back to the VIP.", VIP_FIELD(reply.packets) },
	{ "xdp_router_lb_vip_reply_bytes_total",
	  "Bytes of NAT replies translated back to the VIP.",
	  VIP_FIELD(reply.bytes) },
	{ "xdp_router_lb_conn_table_hits_total",
	  "Packets of a VIP that found their flow in the connection table.",
	  VIP_FIELD(conn_hit) },
	{ "xdp_router_lb_conn_table_misses_total",
	  "New flows of a VIP (connection table misses, Maglev lookups).",
	  VIP_FIELD(conn_miss) },
	{ "xdp_router_lb_no_backend_drops_total",
	  "Packets of a VIP dropped because no backend takes new flows.",
	  VIP_FIELD(no_backend) },
};

static void vip_label(FILE *f, const struct lb_vip *v)
{
	fputs("{vip=", f);
	put_label_value(f, v->name);
}

static void backend_labels(FILE *f, const struct lb_vip *v,
			   const struct lb_backend *b)
{
	char a[INET6_ADDRSTRLEN], port[8];

	snprintf(port, sizeof(port), "%u", b->port);
	vip_label(f, v);
	fputs(",backend=", f);
	put_label_value(f, lb_addr_str(&b->addr, a, sizeof(a)));
	fputs(",port=", f);
	put_label_value(f, b->port ? port : "");
	fputc('}', f);
}

/* A per-backend counter family; @off: the field in struct xr_counter. */
static void backend_counter(FILE *f, const struct stats_lb *lb,
			    const char *name, const char *help, size_t off)
{
	const struct lb_config *cfg = &lb->cfg;
	size_t k = 0;

	family(f, name, "counter", help);
	for (size_t i = 0; i < cfg->nr_vips; i++)
		for (size_t j = 0; j < cfg->vips[i].nr_backends; j++) {
			__u64 val;

			memcpy(&val, (const char *)&lb->backend[k++] + off,
			       sizeof(val));
			fputs(name, f);
			backend_labels(f, &cfg->vips[i],
				       &cfg->vips[i].backends[j]);
			fprintf(f, " %llu\n", (unsigned long long)val);
		}
}

static void print_lb(FILE *f, const struct stats_lb *lb)
{
	const struct lb_config *cfg = &lb->cfg;
	char a[INET6_ADDRSTRLEN], port[8];

	family(f, "xdp_router_lb_vip_info", "gauge",
	       "A load balancer VIP (always 1).");
	for (size_t i = 0; i < cfg->nr_vips; i++) {
		const struct lb_vip *v = &cfg->vips[i];

		snprintf(port, sizeof(port), "%u", v->port);
		fputs("xdp_router_lb_vip_info", f);
		vip_label(f, v);
		fputs(",address=", f);
		put_label_value(f, lb_addr_str(&v->addr, a, sizeof(a)));
		fputs(",port=", f);
		put_label_value(f, port);
		fputs(",protocol=", f);
		put_label_value(f, lb_proto_name(v->proto));
		fputs(",mode=", f);
		put_label_value(f, lb_mode_name(v->mode));
		fputs("} 1\n", f);
	}
	for (size_t m = 0; m < sizeof(vip_families) / sizeof(vip_families[0]);
	     m++) {
		const struct vip_family *vf = &vip_families[m];

		family(f, vf->name, "counter", vf->help);
		for (size_t i = 0; i < cfg->nr_vips; i++) {
			__u64 val;

			memcpy(&val, (const char *)&lb->vip[i] + vf->off,
			       sizeof(val));
			fputs(vf->name, f);
			vip_label(f, &cfg->vips[i]);
			fprintf(f, "} %llu\n", (unsigned long long)val);
		}
	}
	backend_counter(f, lb, "xdp_router_lb_backend_packets_total",
			"Packets sent to a backend.",
			offsetof(struct xr_counter, packets));
	backend_counter(f, lb, "xdp_router_lb_backend_bytes_total",
			"Bytes sent to a backend.",
			offsetof(struct xr_counter, bytes));
	family(f, "xdp_router_lb_backend_up", "gauge",
	       "1 when the backend takes new flows (active and healthy).");
	for (size_t i = 0; i < cfg->nr_vips; i++)
		for (size_t j = 0; j < cfg->vips[i].nr_backends; j++) {
			const struct lb_backend *b = &cfg->vips[i].backends[j];

			fputs("xdp_router_lb_backend_up", f);
			backend_labels(f, &cfg->vips[i], b);
			fprintf(f, " %d\n", b->cur_state == XR_BE_ACTIVE);
		}
}

int stats_prom_print(FILE *f, const struct snapshot *s)
{
	print_info(f, &s->info);
	print_ifaces(f, s);
	print_lb(f, &s->lb);
	return ferror(f) ? -EIO : 0;
}

/* fsync() of the directory holding @path, so the rename is durable. */
static int sync_dir_of(const char *path)
{
	char buf[PATH_MAX];
	int fd, err = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	fd = open(dirname(buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

int stats_prom_write(const char *path, const struct snapshot *s)
{
	char tmp[PATH_MAX], dir[PATH_MAX], base[PATH_MAX];
	FILE *f = NULL;
	int fd, err;

	snprintf(dir, sizeof(dir), "%s", path);
	snprintf(base, sizeof(base), "%s", path);
	/* ".NAME.XXXXXX": hidden and not *.prom, so never collected. */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dirname(dir),
			     basename(base)) >= sizeof(tmp)) {
		log_error("cannot write %s: path too long", path);
		return -ENAMETOOLONG;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		log_error("cannot create a file beside %s: %s", path,
			  log_strerror(err));
		return err;
	}
	/* mkstemp() makes it 0600; the collector may run as another user. */
	if (fchmod(fd, 0644) || !(f = fdopen(fd, "w"))) {
		err = -errno;
		close(fd);
		goto fail;
	}
	err = stats_prom_print(f, s);
	if (!err && fflush(f))
		err = -errno;
	if (!err && fsync(fileno(f)))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		goto fail;
	err = sync_dir_of(path);
	if (err)
		log_verbose("cannot sync the directory of %s: %s", path,
			    log_strerror(err));
	return 0;
fail:
	unlink(tmp);
	log_error("cannot write %s: %s", path, log_strerror(err));
	return err;
}
