#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The negative of test_forward.sh: after `detach --all` the kernel forwards.
#
# Asserts: while attached, the XDP path forwards (redirect counters grow, the
# kernel's ForwDatagrams does not); after `detach --all`: no XDP program on
# any interface, nothing pinned, `status` fails with one Error line; pings
# v4/v6 and the scapy checks still pass, now with ForwDatagrams growing by
# at least the packets sent and the veth xdp_redirect counter unchanged.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

COUNT=5

xr_init kfb
xr_need_cli
xr_topo abc

xr_step "attach the router to ra rb rc; XDP forwards"
xr_cli_ok r attach ra rb rc
xr_ping_pairs "a b" "a c"
before=$(xr_counters r ra)
xr_fwd_check a b "$COUNT"
after=$(xr_counters r ra)
xr_assert_xdp_path "$before" "$after" "$XR_FWD_SENT" "attached, A -> B"

xr_step "detach --all"
xr_cli_ok r detach --all
xr_assert_no_router r ra rb rc
xr_cli_err r status

xr_step "the kernel forwards now"
xr_ping_pairs "a b" "a c" "b c"
for pair in "a b" "a c"; do
	read -r s d <<<"$pair"
	e0=$(xr_ethtool_stat r "r$s" xdp_redirect)
	f0=$(xr_kernel_fwd r)
	xr_fwd_check "$s" "$d" "$COUNT"
	e1=$(xr_ethtool_stat r "r$s" xdp_redirect)
	f1=$(xr_kernel_fwd r)
	xr_assert_ge $((f1 - f0)) "$XR_FWD_SENT" "detached, $s -> $d: kernel ForwDatagrams grew"
	xr_assert_eq $((e1 - e0)) 0 "detached, $s -> $d: ethtool -S xdp_redirect on r$s unchanged"
done
