/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * xrb's parts: xrb.c has main(), the attach commands and what they share;
 * xrb_gen.c the generator (`xrb gen`).
 */
#ifndef XRB_H
#define XRB_H

#include <signal.h>
#include <stdbool.h>
#include <linux/if_ether.h>
#include <linux/types.h>

#define MAX_CPUS 64

struct xrb;
struct bpf_program;

struct gen_opts {
	const char *dev;
	unsigned char dmac[ETH_ALEN];
	bool have_dmac;
	const char *src, *dst, *dsts_file, *count_pin;
	int size;		/* frame size on the wire, FCS included */
	unsigned int flows;
	bool dport_spread;	/* a destination port per source address */
	unsigned long packets;	/* > 0: send exactly this many, no measuring */
	double duration, warmup;
	int cpus[MAX_CPUS];
	int ncpu;
};

extern volatile sig_atomic_t stop;	/* SIGINT, SIGTERM */
extern int ncpus;			/* possible CPUs */

double now(void);
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
int ifindex_of(const char *name);
struct xrb *open_skel(void);
/* Load only @prog (the others stay unloaded). */
void load_only(struct xrb *skel, struct bpf_program *prog);
/* A pinned counter map: opened, and read (the sum over CPUs). */
int count_open(const char *pin);
__u64 count_read(int fd);

int cmd_gen(struct gen_opts *o);

#endif /* XRB_H */
