// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A foreign XDP program for the attach tests: something that is not the
 * router, already attached to an interface (attach must refuse it unless
 * --force).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xrt_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
