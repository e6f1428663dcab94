// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * attach --cpus: the cpumap steering's load-time knobs, its queues, the
 * parsing and printing of a CPU list, and its per-CPU counters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdp_router.skel.h"
#include "xdp_router_types.h"
#include "log.h"
#include "router.h"
#include "router_priv.h"

/*
 * --cpus: the knobs in .rodata; the cpumap sized to the possible CPUs (its
 * key is a CPU number); the cpumap program loaded only when used.
 */
int router_steer_apply(struct router *r, const struct router_settings *s)
{
	struct xdp_router__rodata *rodata = r->skel->rodata;
	int err;

	if (s->steer_ncpus > XR_STEER_MAX_CPUS)
		return -EINVAL;
	rodata->xr_steer_ncpus = s->steer_ncpus;
	rodata->xr_steer_qsize = s->steer_ncpus ? s->steer_qsize : 0;
	for (__u32 i = 0; i < s->steer_ncpus; i++) {
		if (s->steer_cpus[i] >= (__u32)r->nr_cpus)
			return -EINVAL;
		rodata->xr_steer_cpus[i] = s->steer_cpus[i];
	}
	err = bpf_map__set_max_entries(r->skel->maps.xr_cpus, r->nr_cpus);
	if (!err)
		err = bpf_program__set_autoload(r->skel->progs.xdp_router_cpu,
						s->steer_ncpus > 0);
	return err;
}

/* After load: a queue and kthread on every listed CPU, running the cpumap
 * program. */
int router_steer_start(struct router *r, const struct router_settings *s)
{
	struct bpf_cpumap_val val = {
		.qsize = s->steer_qsize,
		.bpf_prog.fd = bpf_program__fd(r->skel->progs.xdp_router_cpu),
	};
	int fd = bpf_map__fd(r->skel->maps.xr_cpus), err;

	for (__u32 i = 0; i < s->steer_ncpus; i++) {
		__u32 cpu = s->steer_cpus[i];

		err = bpf_map_update_elem(fd, &cpu, &val, 0);
		if (err) {
			err = -errno;
			log_error("cannot start the cpumap queue of CPU %u: %s",
				  cpu, log_strerror(err));
			return err;
		}
	}
	return 0;
}

void router_cpus_format(const struct router_settings *s, char *buf,
			size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (__u32 i = 0; i < s->steer_ncpus && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%u", i ? "," : "",
				s->steer_cpus[i]);
}

int router_cpus_parse(const char *list, struct router_settings *s)
{
	int ncpus = libbpf_num_possible_cpus();
	char *copy = strdup(list), *tok, *save = NULL;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	s->steer_ncpus = 0;
	for (tok = strtok_r(copy, ",", &save); tok && !err;
	     tok = strtok_r(NULL, ",", &save)) {
		unsigned long lo, hi;
		char *end;

		lo = strtoul(tok, &end, 10);
		hi = lo;
		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		if (end == tok || *end || hi < lo) {
			log_error("invalid --cpus '%s': CPU numbers and ranges, "
				  "e.g. 0,2-3", list);
			err = -EINVAL;
			break;
		}
		for (unsigned long c = lo; c <= hi && !err; c++) {
			if (ncpus > 0 && c >= (unsigned long)ncpus) {
				log_error("invalid --cpus '%s': there is no CPU "
					  "%lu (possible: 0-%d)", list, c,
					  ncpus - 1);
				err = -EINVAL;
			} else if (s->steer_ncpus >= XR_STEER_MAX_CPUS) {
				log_error("invalid --cpus '%s': at most %d CPUs",
					  list, XR_STEER_MAX_CPUS);
				err = -E2BIG;
			}
			for (__u32 i = 0; !err && i < s->steer_ncpus; i++) {
				if (s->steer_cpus[i] == c) {
					log_error("invalid --cpus '%s': CPU %lu "
						  "given twice", list, c);
					err = -EINVAL;
				}
			}
			if (!err)
				s->steer_cpus[s->steer_ncpus++] = c;
		}
	}
	free(copy);
	if (!err && !s->steer_ncpus) {
		log_error("invalid --cpus '%s': no CPU", list);
		err = -EINVAL;
	}
	return err;
}

int router_cpu_stats(const struct router *r, struct xr_cpu_stats *rows)
{
	__u32 zero = 0;
	int fd = router_prog_map_fd(r->prog_fd, XR_MAP_CPU_STATS), err = 0;

	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &zero, rows))
		err = -errno;
	close(fd);
	return err;
}
