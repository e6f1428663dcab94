/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The firewall gate's recorder (kern/fw_record.bpf.c): a cls_bpf filter on
 * the clsact egress hook of every interface the router is attached to
 * (with --firewall auto or conntrack), loaded over the router's pinned
 * xr_fw_flows and xr_fw_state. Nothing pins it: the filter holds the
 * program. Ours is the filter of handle FW_RECORD_HANDLE at priority
 * FW_RECORD_PRIO (`tc filter show dev IFACE egress`); the clsact qdisc and
 * other filters are never touched.
 */
#ifndef XR_FW_RECORD_H
#define XR_FW_RECORD_H

#include <stdbool.h>
#include <linux/types.h>

struct router;

/*
 * "XR". The last priority but 15 of the 16-bit range: tc runs filters in
 * priority order, so the recorder notes a flow only after everyone else's
 * egress filters have let its packet through.
 */
#define FW_RECORD_HANDLE 0x5852
#define FW_RECORD_PRIO 0xfff0

/*
 * Loads the recorder over @r's maps and attaches it to the @n interfaces
 * @ifindex[], replacing our filter where one is there (so the new code
 * runs). All or nothing: on failure every interface has the filter it had
 * before. Reports its errors.
 */
int fw_record_attach(const struct router *r, const int *ifindex, int n);

/*
 * Removes our filter from @ifindex: 0 if it was there or not, else a
 * negative errno, not reported.
 */
int fw_record_detach(int ifindex);

/* 0 and the program id of our filter on @ifindex, -ENOENT if there is none,
 * or another negative errno; not reported. */
int fw_record_query(int ifindex, __u32 *prog_id);

/*
 * attach and reload, for a router with --firewall auto or conntrack on the
 * @n interfaces @ifindex[] (@ifnames[]): xr_fw_state.blind set if legacy
 * iptables tables are there (with a warning: the gate cannot see their
 * rule changes), conntrack's TCP window checks made liberal (with a
 * warning; fw_record_release() puts them back), then fw_record_attach().
 * Reports its errors.
 */
int fw_record_setup(const struct router *r, const int *ifindex,
		    const char *const *ifnames, int n);

/* xr_fw_state.blind as the data plane sees it. */
int fw_record_blind(const struct router *r, bool *blind);

/*
 * Conntrack's TCP window checks in the namespace, for status: "liberal"
 * (the gate carries TCP), "liberal, set by attach", "strict" (TCP goes to
 * the kernel, pass_fw_tcp_strict) or "none" (no conntrack sysctl).
 */
const char *fw_record_tcp_windows(const struct router *r);

/*
 * Before the router's pins go (the last detach): puts back what
 * fw_record_setup() changed in the namespace (conntrack's liberal TCP
 * window checks). Only warns.
 */
void fw_record_release(const struct router *r);

#endif /* XR_FW_RECORD_H */
