// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Does this kernel let an extension (freplace) program replace a function of
 * an XDP program? libxdp's multi-program dispatcher is built on that; the CLI
 * loads this against the router's program to tell the user why the
 * dispatcher is unavailable. The attach target is set at load time.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("freplace/xdp_router")
int xr_freplace_probe(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
