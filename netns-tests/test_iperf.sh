#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# TCP bulk through the XDP router: iperf3 A -> B over v4 and v6 (A - R - B,
# tx checksum offload off on the senders, see lib.sh).
#
# Asserts: each transfer succeeds with non-trivial throughput (>= MIN_MBPS),
# the router's ingress veth redirected (XDP) at least as many packets as
# `xdp-router stats` counted, and the kernel forwarded (almost) none of them
# (< 1 % of the redirected packets). Prints the throughput (MEASURE lines).
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

SECS=${XR_IPERF_SECS:-3}
MIN_MBPS=200

xr_init iperf
xr_need_cli
command -v iperf3 >/dev/null || xr_skip "iperf3 not installed"
xr_topo ab

xr_step "attach the router to ra rb"
xr_cli_ok r attach ra rb
xr_ping_pairs "a b"

# run_iperf FAMILY ADDR
run_iperf()
{
	local family=$1 addr=$2 before after e0 c0 f0 e1 c1 f1 mbps
	xr_step "iperf3 TCP $family A -> B ($addr), ${SECS}s"
	before=$(xr_counters r ra)
	xr_iperf a b "$addr" "$SECS"
	after=$(xr_counters r ra)
	read -r e0 c0 f0 <<<"$before"
	read -r e1 c1 f1 <<<"$after"
	mbps=$((XR_IPERF_BPS / 1000000))
	printf 'MEASURE: iperf3 %s TCP A->B through XDP: %d Mbit/s (%d packets redirected on ra)\n' \
		"$family" "$mbps" $((e1 - e0)) >&2
	xr_assert_ge "$mbps" "$MIN_MBPS" "$family throughput in Mbit/s"
	xr_assert_ge $((e1 - e0)) 1000 "$family: ethtool -S xdp_redirect on ra grew"
	xr_assert_ge $((c1 - c0)) 1000 "$family: xdp-router stats redirect on ra grew"
	xr_assert_ge $((e1 - e0)) $(((c1 - c0) * 99 / 100)) \
		"$family: driver and router counters agree"
	xr_assert_lt $((f1 - f0)) $(((e1 - e0) / 100 + 3)) \
		"$family: kernel forwarded packets (v4+v6)"
}

run_iperf v4 "$(xr_ip4 b)"
run_iperf v6 "$(xr_ip6 b)"
