// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xrt_pass for interfaces with a jumbo MTU (test_jumbo.sh): a veth whose
 * peer runs a program without multi-buffer support cannot take an MTU
 * larger than a page. It is there only so that frames XDP_TX'd or
 * redirected into its peer are delivered (see lib_lb.sh).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp.frags")
int xrt_pass_frags(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
