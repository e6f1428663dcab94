#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Forwarding through the XDP router: hosts A, B, C on three routed subnets
# (v4 + v6) around router R, the router attached to all three interfaces.
#
# Asserts: ping v4/v6 between every pair; packets crafted with scapy (UDP,
# TCP, ICMP, v4 and v6) arrive with TTL/hop limit - 1, valid checksums, the
# router's egress MAC as source, the receiver's MAC as destination, all other
# bytes intact; the XDP path did the work (veth xdp_redirect counter and
# `xdp-router stats` redirect grew by the packets sent, the kernel's
# ForwDatagrams did not); TTL/hop limit 1 gets ICMP Time Exceeded from the
# router (counted as pass_ttl_expired) and is not forwarded.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

COUNT=20	# packets of each of the 6 kinds

xr_init fwd
xr_need_cli
xr_topo abc

xr_step "attach the router to ra rb rc"
xr_cli_ok r attach ra rb rc
xr_assert_eq "$(xr_status_ifnames r)" "ra rb rc" "status lists the three interfaces"

xr_step "ping v4 and v6 between every pair (also resolves the neighbours)"
xr_ping_pairs "a b" "a c" "b c"

xr_step "scapy: $COUNT x UDP/TCP/ICMP v4/v6 A -> B, checked at B; XDP did it"
before=$(xr_counters r ra)
xr_fwd_check a b "$COUNT"
after=$(xr_counters r ra)
xr_assert_eq "$XR_FWD_SENT" $((6 * COUNT)) "packets sent A -> B"
xr_assert_xdp_path "$before" "$after" "$XR_FWD_SENT" "A -> B"

xr_step "scapy: C -> A and B -> C, one of each kind"
before=$(xr_counters r rc)
xr_fwd_check c a 1
after=$(xr_counters r rc)
xr_assert_xdp_path "$before" "$after" "$XR_FWD_SENT" "C -> A"
xr_fwd_check b c 1

xr_step "TTL 1 / hop limit 1: ICMP Time Exceeded from the router"
ttl0=$(xr_stat r ra pass_ttl_expired)
xr_ttl_check a b
ttl1=$(xr_stat r ra pass_ttl_expired)
xr_assert_ge $((ttl1 - ttl0)) 2 "stats pass_ttl_expired on ra grew (v4 + v6)"

xr_step "no packet was aborted or dropped as malformed"
for ifname in ra rb rc; do
	xr_assert_eq "$(xr_stat r "$ifname" aborted)" 0 "aborted on $ifname"
	xr_assert_eq "$(xr_stat r "$ifname" drop_malformed)" 0 "drop_malformed on $ifname"
done
