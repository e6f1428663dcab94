#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# What the XDP router leaves to the kernel, or drops where the kernel would,
# on A - R - B with MTU 1280 towards B, a blackhole route and unreachable
# routes in R (see `pktcheck.py cases`).
#
# Asserts, each with the exact `xdp-router stats` outcome on ra: v4 DF and
# v6 packets over the egress MTU get ICMP Frag Needed / Packet Too Big (MTU
# 1280) from the router (pass_frag_needed); v4 without DF is fragmented by
# the kernel; blackhole: dropped (drop_blackhole), nothing back; unreachable
# v4/v6: ICMP unreachable from the router (pass_unreachable); v4 options are
# forwarded by the kernel (pass_ip_options); a bad IPv4 header checksum and
# a total length beyond the frame are dropped (drop_bad_csum,
# drop_malformed); v4 fragments and a v6 fragment header are forwarded by
# XDP (redirect). Whatever arrives at B has TTL/hop limit 63.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

xr_init kcase
xr_need_cli
xr_topo ab

xr_step "MTU 1280 towards B; blackhole and unreachable routes in R"
ip -n "$(xr_ns r)" link set rb mtu 1280
ip -n "$(xr_ns b)" link set b0 mtu 1280
ip -n "$(xr_ns r)" route add blackhole 10.9.0.0/24
ip -n "$(xr_ns r)" route add unreachable 10.8.0.0/24
ip -n "$(xr_ns r)" -6 route add unreachable fd00:8::/64

xr_step "attach the router to ra rb"
xr_cli_ok r attach ra rb
xr_ping_pairs "a b"

xr_step "packets for the kernel, drops, fragments"
out=$(xr_pktcheck cases \
	--src "$(xr_ns a):a0" --dst "$(xr_ns b):b0" --router "$(xr_ns r):ra:rb" \
	--src4 "$(xr_ip4 a)" --dst4 "$(xr_ip4 b)" \
	--src6 "$(xr_ip6 a)" --dst6 "$(xr_ip6 b)" \
	--stats-cmd "ip netns exec $(xr_ns r) $XR_CLI --pin-path $(xr_pin_path r) --json stats" \
	2>&1) || xr_fail "kernel cases:"$'\n'"$out"
printf '%s\n' "$out" | sed 's/^/    /' >&2
xr_assert_eq "$(xr_json_get "$(tail -n 1 <<<"$out")" 'j["cases"]')" 11 "cases checked"

xr_step "large pings are fragmented and still get through"
xr_in a ping -c 2 -s 3000 -W 1 -w 5 "$(xr_ip4 b)" >/dev/null ||
	xr_fail "ping -s 3000 to $(xr_ip4 b) failed"
xr_log "ok: ping -s 3000 v4 A -> B"
# v6: the first one learns the path MTU (Packet Too Big), then they pass.
xr_in a ping -c 1 -s 3000 -W 1 "$(xr_ip6 b)" >/dev/null 2>&1 || true
xr_in a ping -c 2 -s 3000 -W 1 -w 5 "$(xr_ip6 b)" >/dev/null ||
	xr_fail "ping -s 3000 to $(xr_ip6 b) failed"
xr_log "ok: ping -s 3000 v6 A -> B"
