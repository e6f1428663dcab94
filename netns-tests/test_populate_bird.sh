#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# A real routing daemon: BIRD 2 in router R peers over eBGP (a v4 and a v6
# session) with a BIRD in B that originates 10.100.0.0/24, 10.101.0.0/16,
# 10.101.7.0/24 and 2001:db8:100::/48, 2001:db8:101::/48 (bird/*.conf).
# R's BIRD installs them in R's kernel; B answers on 10.100.0.5,
# 10.101.7.9 and 2001:db8:100::5 (its loopback).
#
#   A a0 ---- ra R rb ---- b0 B      bird (AS 65001) <-eBGP-> bird (AS 65002)
#
# Asserts:
# - BGP converges: the prefixes are in R's kernel (proto bird, via B);
# - fib mode (no populate): pings from A to the BGP-learned addresses take
#   the XDP path (veth xdp_redirect and stats redirect grow by the packets
#   sent, the kernel's ForwDatagrams does not);
# - table mode with `populate --watch`: the prefixes are in the maps, the
#   maps equal the kernel's table, and the same traffic takes the XDP path;
# - withdrawal (`birdc disable static4/static6` in B): the prefixes leave R's
#   kernel and the maps; packets to them are no longer redirected by XDP
#   (R has no route: the kernel answers unreachable);
# - re-announcement (`enable`): back in the maps, XDP path again;
# - --watch exits 0 on SIGTERM.
# Prints the BGP convergence time and the withdrawal / re-announcement
# times to the maps.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

BIRD_DIR=$XR_LIB_DIR/bird
COUNT=20
DSTS=(10.100.0.5 10.101.7.9 2001:db8:100::5)

xr_init pbird
xr_need_cli
if ! command -v bird >/dev/null || ! command -v birdc >/dev/null; then
	xr_skip "bird/birdc (Debian's bird2) not installed"
fi
xr_need_cli_feature attach --lookup
xr_need_cli_feature populate --watch
xr_topo ab
for a in 10.100.0.5/32 10.101.7.9/32; do
	xr_in b ip addr add "$a" dev lo
done
xr_in b ip -6 addr add 2001:db8:100::5/128 dev lo

# traffic_xdp DESC: COUNT pings from A to each of DSTS, all through XDP.
traffic_xdp()
{
	local d before after
	for d in "${DSTS[@]}"; do	# warm-up: neighbours, ND for link-local next hops
		xr_in a ping -c 2 -i 0.1 -W 1 -w 5 "$d" >/dev/null 2>&1 ||
			xr_fail "$1: ping $d from A failed"
	done
	# The warm-up's last packets counted before the snapshot.
	before=$(xr_wait_stable 30 "counters settle after the warm-up" xr_counters r ra)
	for d in "${DSTS[@]}"; do
		xr_ping a "$d" "$COUNT"
	done
	after=$(xr_counters r ra)
	xr_assert_xdp_path "$before" "$after" $((COUNT * ${#DSTS[@]})) "$1"
}

# in_kernel PREFIX: PREFIX is in R's main table, installed by bird.
in_kernel()
{
	local fam=-4
	[[ $1 == *:* ]] && fam=-6
	[[ -n $(ip -n "$(xr_ns r)" "$fam" route show "$1" proto bird) ]]
}

xr_step "fib mode: attach --lookup fib ra rb"
xr_cli_ok r attach --lookup fib ra rb
xr_ping_pairs "a b"

xr_step "start BIRD in R and B; wait for BGP to install the prefixes"
t0=$(xr_ms)
xr_bird_start r router "$BIRD_DIR/router.conf"
xr_bird_start b originator "$BIRD_DIR/originator.conf"
for p in 10.100.0.0/24 10.101.0.0/16 10.101.7.0/24 2001:db8:100::/48 2001:db8:101::/48; do
	xr_wait_until 30 "BGP prefix $p in R's kernel" in_kernel "$p"
done
bgp_ms=$(($(xr_ms) - t0))
xr_log "ok: BGP converged, 5 prefixes in R's kernel $bgp_ms ms after bird started"
ip -n "$(xr_ns r)" route show proto bird | sed 's/^/    /' >&2
ip -n "$(xr_ns r)" -6 route show proto bird | sed 's/^/    /' >&2
xr_assert_eq "$(ip -n "$(xr_ns r)" -j route show 10.100.0.0/24 | "$XR_PYTHON" -c \
	'import json,sys; r=json.load(sys.stdin)[0]; print(r["gateway"], r["dev"])')" \
	"10.2.0.2 rb" "10.100.0.0/24 via B"

xr_step "fib mode (no populate): BGP-learned destinations take the XDP path"
traffic_xdp "BGP prefixes, fib mode"

xr_step "table mode: detach, attach --lookup table, populate --watch"
xr_cli_ok r detach --all
xr_cli_ok r attach --lookup table ra rb
xr_watch_start r 10.100.0.0/24 -v
for p in 10.101.0.0/16 10.101.7.0/24 2001:db8:100::/48 2001:db8:101::/48; do
	xr_map_has_prefix r "$p" || xr_fail "BGP prefix $p not in the maps"
done
xr_wait_maps_match r 2
xr_log "ok: the maps hold the BGP prefixes, equal the kernel's table"
traffic_xdp "BGP prefixes, table mode"

xr_step "withdraw: disable static4 and static6 in B's BIRD"
t0=$(xr_ms)
xr_birdc originator disable static4 >/dev/null
xr_birdc originator disable static6 >/dev/null
for p in 10.100.0.0/24 10.101.0.0/16 10.101.7.0/24 2001:db8:100::/48 2001:db8:101::/48; do
	xr_wait_until 60 "$p withdrawn from the maps" xr_not xr_map_has_prefix r "$p"
done
wd_ms=$(($(xr_ms) - t0))
xr_log "ok: withdrawn prefixes left the maps $wd_ms ms after birdc disable"
in_kernel 10.100.0.0/24 && xr_fail "10.100.0.0/24 still in R's kernel"
xr_wait_maps_match r 1
r0=$(xr_stat r ra redirect)
for d in "${DSTS[@]}"; do
	xr_expect_fail "ping $d after the withdrawal" \
		xr_in a ping -c 3 -i 0.1 -W 1 -w 2 "$d"
done
xr_assert_eq $(($(xr_stat r ra redirect) - r0)) 0 \
	"packets to withdrawn prefixes redirected by XDP"

xr_step "re-announce: enable static4 and static6"
t0=$(xr_ms)
xr_birdc originator enable static4 >/dev/null
xr_birdc originator enable static6 >/dev/null
for p in 10.100.0.0/24 10.101.0.0/16 10.101.7.0/24 2001:db8:100::/48 2001:db8:101::/48; do
	xr_wait_until 60 "$p back in the maps" xr_map_has_prefix r "$p"
done
ra_ms=$(($(xr_ms) - t0))
xr_log "ok: re-announced prefixes back in the maps $ra_ms ms after birdc enable"
traffic_xdp "BGP prefixes, table mode, after re-announcement"

xr_step "stop --watch"
xr_watch_stop TERM
xr_log "measured: BGP convergence $bgp_ms ms; withdrawal to maps $wd_ms ms; re-announcement to maps $ra_ms ms"
