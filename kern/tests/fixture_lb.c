// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Load balancer directives of the fixture runner (fixture_lb.h). They
 * write what the control plane writes, the way the contract in
 * maps/xdp_router_types.h says: the VIP's key row before its xr_lb_vips
 * entry, xr_lb_conf bits before the VIPs they describe.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/in.h>
#include <bpf/bpf.h>
#include "fixture_lb.h"
#include "xdp_router_types.h"

#define MAX_IDS 64		/* VIPs and backends a fixture file uses */
#define MAX_LB_EXPECTS 256
#define MAX_FRESH 16

enum vip_field {
	F_RX = 1 << 0,
	F_REPLY = 1 << 1,
	F_HIT = 1 << 2,
	F_MISS = 1 << 3,
	F_NO_BACKEND = 1 << 4,
};

static const char *const field_names[] = {
	"rx", "reply", "conn_hit", "conn_miss", "no_backend",
};
#define N_FIELDS (sizeof(field_names) / sizeof(field_names[0]))

struct lb_expect {
	char *name;
	__u32 vip;
	unsigned int fields;
	__u32 backend;		/* 0: none */
};

/* Sums over CPUs. */
struct lb_counts {
	struct xr_vip_stats vip[MAX_IDS];
	struct xr_counter be[MAX_IDS];
};

struct fixture_lb {
	int ncpus;
	bool bench;
	flb_map_fd_fn map_fd;
	void *ctx;
	struct xr_lb_conf conf;
	__u32 vips[MAX_IDS], backends[MAX_IDS];
	int n_vips, n_backends;
	struct lb_expect expects[MAX_LB_EXPECTS];
	int n_expects;
	char *fresh[MAX_FRESH];
	int n_fresh;
	struct lb_counts before, after;
	void *percpu;		/* scratch: one value per CPU */
};

struct fixture_lb *flb_new(int ncpus, bool bench, flb_map_fd_fn map_fd,
			   void *ctx)
{
	struct fixture_lb *lb = calloc(1, sizeof(*lb));

	if (!lb)
		return NULL;
	lb->ncpus = ncpus;
	lb->bench = bench;
	lb->map_fd = map_fd;
	lb->ctx = ctx;
	lb->percpu = calloc(ncpus, sizeof(struct xr_vip_stats));
	if (!lb->percpu) {
		free(lb);
		return NULL;
	}
	return lb;
}

void flb_free(struct fixture_lb *lb)
{
	if (!lb)
		return;
	for (int i = 0; i < lb->n_expects; i++)
		free(lb->expects[i].name);
	for (int i = 0; i < lb->n_fresh; i++)
		free(lb->fresh[i]);
	free(lb->percpu);
	free(lb);
}

bool flb_is_directive(const char *word)
{
	return !strncmp(word, "lb-", 3);
}

static int fd_of(struct fixture_lb *lb, const char *name)
{
	return lb->map_fd(lb->ctx, name);
}

static int parse_u32(const char *s, __u32 *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s || v > 0xffffffffUL)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_port(const char *s, __be16 *out)
{
	__u32 v;

	if (parse_u32(s, &v) || v > 0xffff)
		return -EINVAL;
	*out = htons(v);
	return 0;
}

/* IPv4 in the first 4 bytes, the rest zero. */
static int parse_addr(const char *s, __u8 addr[16], __u8 *family)
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

static int parse_proto(const char *s, __u8 *proto)
{
	if (!strcmp(s, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcmp(s, "udp"))
		*proto = IPPROTO_UDP;
	else
		return -EINVAL;
	return 0;
}

static int remember(__u32 *ids, int *n, __u32 id)
{
	for (int i = 0; i < *n; i++)
		if (ids[i] == id)
			return 0;
	if (*n == MAX_IDS)
		return -E2BIG;
	ids[(*n)++] = id;
	return 0;
}

/* lb-vip ID ADDR tcp|udp PORT dsr|nat */
static int do_vip(struct fixture_lb *lb, char **argv, int argc)
{
	struct xr_vip_key key = {};
	struct xr_vip vip = {};
	__u32 zero = 0, *flags;
	int err;

	if (argc != 6)
		return -EINVAL;
	if (parse_u32(argv[1], &vip.id) || parse_addr(argv[2], key.addr,
						      &key.family) ||
	    parse_proto(argv[3], &key.proto) || parse_port(argv[4], &key.port))
		return -EINVAL;
	if (!strcmp(argv[5], "dsr"))
		vip.mode = XR_LB_DSR;
	else if (!strcmp(argv[5], "nat"))
		vip.mode = XR_LB_NAT;
	else
		return -EINVAL;
	err = remember(lb->vips, &lb->n_vips, vip.id);
	if (err)
		return err;

	flags = key.family == AF_INET ? &lb->conf.v4 : &lb->conf.v6;
	*flags |= XR_LB_F_VIP;
	if (!key.port)
		*flags |= XR_LB_F_ALL_PORTS;
	if (vip.mode == XR_LB_NAT)
		*flags |= XR_LB_F_NAT;
	err = bpf_map_update_elem(fd_of(lb, XR_MAP_LB_CONF), &zero, &lb->conf,
				  BPF_ANY);
	if (!err)
		err = bpf_map_update_elem(fd_of(lb, XR_MAP_LB_VIP_KEYS),
					  &vip.id, &key, BPF_ANY);
	if (!err)
		err = bpf_map_update_elem(fd_of(lb, XR_MAP_LB_VIPS), &key,
					  &vip, BPF_ANY);
	return err;
}

static int parse_mac(const char *s, __u8 mac[6])
{
	unsigned int b[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = b[i];
	return 0;
}

/* lb-backend ID ADDR MAC PORT active|drain|down GEN */
static int do_backend(struct fixture_lb *lb, char **argv, int argc)
{
	struct xr_backend be = {};
	__u32 id;
	int err;

	if (argc != 7)
		return -EINVAL;
	if (parse_u32(argv[1], &id) || parse_addr(argv[2], be.addr, &be.family) ||
	    parse_mac(argv[3], be.mac) || parse_port(argv[4], &be.port) ||
	    parse_u32(argv[6], &be.gen))
		return -EINVAL;
	if (!strcmp(argv[5], "active"))
		be.state = XR_BE_ACTIVE;
	else if (!strcmp(argv[5], "drain"))
		be.state = XR_BE_DRAIN;
	else if (!strcmp(argv[5], "down"))
		be.state = XR_BE_DOWN;
	else
		return -EINVAL;
	err = remember(lb->backends, &lb->n_backends, id);
	return err ? err : bpf_map_update_elem(fd_of(lb, XR_MAP_LB_BACKENDS),
					       &id, &be, BPF_ANY);
}

/* lb-ring VIP_ID BACKEND_ID...: slot i holds the (i mod n)th backend. */
static int do_ring(struct fixture_lb *lb, char **argv, int argc)
{
	__u32 vip, ids[16], *keys, *values, count = XR_LB_RING_SIZE;
	int n = argc - 2, err;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	if (n < 1 || n > 16 || parse_u32(argv[1], &vip))
		return -EINVAL;
	for (int i = 0; i < n; i++)
		if (parse_u32(argv[2 + i], &ids[i]))
			return -EINVAL;
	keys = calloc(XR_LB_RING_SIZE, sizeof(*keys));
	values = calloc(XR_LB_RING_SIZE, sizeof(*values));
	if (!keys || !values) {
		free(keys);
		free(values);
		return -ENOMEM;
	}
	for (__u32 i = 0; i < XR_LB_RING_SIZE; i++) {
		keys[i] = vip * XR_LB_RING_SIZE + i;
		values[i] = ids[i % n];
	}
	err = bpf_map_update_batch(fd_of(lb, XR_MAP_LB_RINGS), keys, values,
				   &count, &opts);
	free(keys);
	free(values);
	return err;
}

/* The flow key of ADDR ADDR PROTO SPORT DPORT at @argv. */
static int parse_flow(char **argv, struct xr_flow_key *k)
{
	__u8 family2;

	memset(k, 0, sizeof(*k));
	if (parse_addr(argv[0], k->src, &k->family) ||
	    parse_addr(argv[1], k->dst, &family2) || family2 != k->family ||
	    parse_proto(argv[2], &k->proto) || parse_port(argv[3], &k->sport) ||
	    parse_port(argv[4], &k->dport))
		return -EINVAL;
	return 0;
}

/* lb-age SECONDS SRC DST PROTO SPORT DPORT: the flow's entry idles. */
static int do_age(struct fixture_lb *lb, char **argv, int argc)
{
	struct xr_flow_key k;
	struct xr_lb_conn c;
	__u32 seconds;
	int fd = fd_of(lb, XR_MAP_LB_CONNS), err;

	if (argc != 7 || parse_u32(argv[1], &seconds) || parse_flow(argv + 2, &k))
		return -EINVAL;
	if (lb->bench)
		return 0;
	err = bpf_map_lookup_elem(fd, &k, &c);
	if (err)
		return err;
	c.last_seen_ns -= (__u64)seconds * 1000000000ULL;
	return bpf_map_update_elem(fd, &k, &c, BPF_EXIST);
}

static int parse_fields(const char *s, unsigned int *fields)
{
	char *copy = strdup(s), *save = NULL;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	*fields = 0;
	for (char *f = strtok_r(copy, ",", &save); f && !err;
	     f = strtok_r(NULL, ",", &save)) {
		size_t i;

		if (!strcmp(f, "-"))
			continue;
		for (i = 0; i < N_FIELDS; i++)
			if (!strcmp(f, field_names[i]))
				break;
		if (i == N_FIELDS)
			err = -EINVAL;
		else
			*fields |= 1U << i;
	}
	free(copy);
	return err;
}

/* lb-expect CASE VIP_ID FIELD[,FIELD...]|- BACKEND_ID */
static int do_expect(struct fixture_lb *lb, char **argv, int argc)
{
	struct lb_expect *e = &lb->expects[lb->n_expects];

	if (argc != 5)
		return -EINVAL;
	if (lb->n_expects == MAX_LB_EXPECTS)
		return -E2BIG;
	if (parse_u32(argv[2], &e->vip) || parse_fields(argv[3], &e->fields) ||
	    parse_u32(argv[4], &e->backend))
		return -EINVAL;
	e->name = strdup(argv[1]);
	if (!e->name)
		return -ENOMEM;
	lb->n_expects++;
	return 0;
}

/* lb-bench-fresh CASE... */
static int do_fresh(struct fixture_lb *lb, char **argv, int argc)
{
	for (int i = 1; i < argc; i++) {
		if (lb->n_fresh == MAX_FRESH)
			return -E2BIG;
		lb->fresh[lb->n_fresh] = strdup(argv[i]);
		if (!lb->fresh[lb->n_fresh])
			return -ENOMEM;
		lb->n_fresh++;
	}
	return 0;
}

int flb_directive(struct fixture_lb *lb, char **argv, int argc)
{
	static const struct {
		const char *name;
		int (*run)(struct fixture_lb *lb, char **argv, int argc);
	} directives[] = {
		{ "lb-vip", do_vip },
		{ "lb-backend", do_backend },
		{ "lb-ring", do_ring },
		{ "lb-age", do_age },
		{ "lb-expect", do_expect },
		{ "lb-bench-fresh", do_fresh },
	};

	for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
		if (!strcmp(argv[0], directives[i].name))
			return directives[i].run(lb, argv, argc);
	return -EINVAL;
}

/* ---- counters ---------------------------------------------------------- */

static void add_counter(struct xr_counter *sum, const struct xr_counter *c)
{
	sum->packets += c->packets;
	sum->bytes += c->bytes;
}

static int read_counts(struct fixture_lb *lb, struct lb_counts *s)
{
	int vfd = fd_of(lb, XR_MAP_LB_VIP_STATS);
	int bfd = fd_of(lb, XR_MAP_LB_BACKEND_STATS);
	int err;

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < lb->n_vips; i++) {
		const struct xr_vip_stats *v = lb->percpu;

		err = bpf_map_lookup_elem(vfd, &lb->vips[i], lb->percpu);
		if (err)
			return err;
		for (int cpu = 0; cpu < lb->ncpus; cpu++) {
			add_counter(&s->vip[i].rx, &v[cpu].rx);
			add_counter(&s->vip[i].reply, &v[cpu].reply);
			s->vip[i].conn_hit += v[cpu].conn_hit;
			s->vip[i].conn_miss += v[cpu].conn_miss;
			s->vip[i].no_backend += v[cpu].no_backend;
		}
	}
	for (int i = 0; i < lb->n_backends; i++) {
		const struct xr_counter *c = lb->percpu;

		err = bpf_map_lookup_elem(bfd, &lb->backends[i], lb->percpu);
		if (err)
			return err;
		for (int cpu = 0; cpu < lb->ncpus; cpu++)
			add_counter(&s->be[i], &c[cpu]);
	}
	return 0;
}

int flb_snapshot(struct fixture_lb *lb)
{
	return lb->n_vips ? read_counts(lb, &lb->before) : 0;
}

static const struct lb_expect *find_expect(const struct fixture_lb *lb,
					   const char *name)
{
	for (int i = 0; i < lb->n_expects; i++)
		if (!strcmp(lb->expects[i].name, name))
			return &lb->expects[i];
	return NULL;
}

static int check_one(FILE *diag, const char *what, __u32 id, __u64 got_p,
		     __u64 got_b, __u64 want_p, __u64 want_b)
{
	if (got_p == want_p && got_b == want_b)
		return 0;
	fprintf(diag, "#   %s %u moved by %llu packets, %llu bytes; expected %llu, %llu\n",
		what, id, (unsigned long long)got_p, (unsigned long long)got_b,
		(unsigned long long)want_p, (unsigned long long)want_b);
	return 1;
}

int flb_check(struct fixture_lb *lb, FILE *diag, const char *name,
	      __u64 bytes)
{
	const struct lb_expect *e = find_expect(lb, name);
	int err, errors = 0;

	if (!lb->n_vips)
		return 0;
	err = read_counts(lb, &lb->after);
	if (err) {
		fprintf(diag, "#   cannot read the LB counters: %s\n",
			strerror(-err));
		return 1;
	}
	for (int i = 0; i < lb->n_vips; i++) {
		const struct xr_vip_stats *a = &lb->after.vip[i];
		const struct xr_vip_stats *b = &lb->before.vip[i];
		unsigned int f = e && e->vip == lb->vips[i] ? e->fields : 0;
		char what[64];

#define CHECK_COUNTER(field, bit)					\
		snprintf(what, sizeof(what), "VIP %s", field_names[bit]); \
		errors += check_one(diag, what, lb->vips[i],		\
				    a->field.packets - b->field.packets,	\
				    a->field.bytes - b->field.bytes,	\
				    !!(f & (1U << bit)),		\
				    f & (1U << bit) ? bytes : 0)
#define CHECK_EVENT(field, bit)						\
		snprintf(what, sizeof(what), "VIP %s", field_names[bit]); \
		errors += check_one(diag, what, lb->vips[i],		\
				    a->field - b->field, 0,		\
				    !!(f & (1U << bit)), 0)
		CHECK_COUNTER(rx, 0);
		CHECK_COUNTER(reply, 1);
		CHECK_EVENT(conn_hit, 2);
		CHECK_EVENT(conn_miss, 3);
		CHECK_EVENT(no_backend, 4);
#undef CHECK_COUNTER
#undef CHECK_EVENT
	}
	for (int i = 0; i < lb->n_backends; i++) {
		bool want = e && e->backend && e->backend == lb->backends[i];

		errors += check_one(diag, "backend", lb->backends[i],
				    lb->after.be[i].packets -
					    lb->before.be[i].packets,
				    lb->after.be[i].bytes -
					    lb->before.be[i].bytes,
				    want, want ? bytes : 0);
	}
	return errors;
}

bool flb_bench_fresh(const struct fixture_lb *lb, const char *name)
{
	for (int i = 0; i < lb->n_fresh; i++)
		if (!strcmp(lb->fresh[i], name))
			return true;
	return false;
}

/* Every entry, whatever the flow: a bench case is the only one running. */
int flb_flush_conns(struct fixture_lb *lb)
{
	int fd = fd_of(lb, XR_MAP_LB_CONNS);
	struct xr_flow_key key;
	int err;

	while (!(err = bpf_map_get_next_key(fd, NULL, &key))) {
		err = bpf_map_delete_elem(fd, &key);
		if (err)
			return err;
	}
	return err == -ENOENT ? 0 : err;
}
