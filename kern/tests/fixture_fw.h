/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The firewall gate's fixture runner (fixture_fw.c): the fixture runner's
 * machinery (fixture_runner.h) plus what lets the kernel itself teach the
 * gate: a second network namespace for the far ends of the veths, frames
 * sent and caught there (AF_PACKET), the recorder (fw_record.bpf.o) on TC
 * egress, and the flows whose proof the runner waits for.
 *   fixture_fw.c      usage, main, the file's directives, (re)loading
 *   fixture_fw_net.c  the hosts namespace, its sockets, the recorder,
 *                     frames through the kernel, waiting for the proof
 */
#ifndef XR_FIXTURE_FW_H
#define XR_FIXTURE_FW_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "fixture_runner.h"

#define FW_MAX_FLOWS 16
#define FW_MAX_LINKS 8
#define FW_NAME_LEN 32

/* A frame sent through the kernel, and the one it must give. */
struct fw_packet {
	bool set;
	char in[16], out[16];	/* router ends the frame enters and leaves */
	__u8 frame[MAX_FRAME];
	size_t len;
	__u8 expect[MAX_FRAME];
	size_t expect_len;
};

struct fw_flow {
	char name[FW_NAME_LEN];
	struct xr_fw_key key;
	struct fw_packet last[2];	/* per direction: kept to resend */
};

/* A frame the kernel must drop: checked once the next frame sent
 * through the kernel has come out (the same CPU's backlog, in order). */
struct fw_drop {
	bool pending;
	char name[FW_NAME_LEN];
	char out[16];
	__u8 frame[MAX_FRAME];
	size_t len;
};

struct fw_env {
	struct runner *r;
	int router_ns, hosts_ns;	/* namespace fds */
	char hosts_path[64];		/* @HOSTS in ip lines */
	struct {
		char name[16];		/* router end r<N>; host end h<N> */
		int sock;		/* AF_PACKET on the host end, or -1 */
	} links[FW_MAX_LINKS];
	int n_links;
	char attached[FW_MAX_LINKS][16];
	int n_attached;
	char recorded[FW_MAX_LINKS][16];	/* the recorder's egresses */
	int n_recorded;
	struct fw_record *rec;
	struct fw_flow flows[FW_MAX_FLOWS];
	int n_flows;
	struct fw_drop drop;
};

/* fixture_fw_net.c */
int fw_hosts_create(struct fw_env *env);
/* Runs @argv in the hosts namespace: 0 or -ECANCELED. */
int fw_run_in_hosts(struct fw_env *env, char **argv);
/* The recorder on env->recorded's egresses, with the router's maps. */
int fw_recorder_attach(struct fw_env *env);
void fw_recorder_close(struct fw_env *env);
/* One TAP test: @p through the kernel comes out as expected. */
void fw_kernel(struct fw_env *env, const char *name,
	       const struct fw_packet *p);
/* Sends a frame the kernel must drop; checked by the next fw_kernel(). */
int fw_kernel_drop(struct fw_env *env, const char *name, const char *in,
		   const char *out, const __u8 *frame, size_t len);
/* One TAP test: the recorder's proof for both directions of @f. */
void fw_settle(struct fw_env *env, struct fw_flow *f);
/* A TAP line of our own. */
void fw_tap(struct fw_env *env, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* XR_FIXTURE_FW_H */
