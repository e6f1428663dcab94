#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The route cache (kern/route_cache.h) under churn: A -> R -> B / C, R
# attached by `attach` alone (fib lookup, route cache on by default), while
# routes and neighbours change under traffic (churn.py: IPv4 and IPv6
# routes flipped between B and C, a gateway's neighbour MAC flipped and
# deleted, a route deleted and re-added, every 80-250 ms).
#
# A cached answer must never outlive the state it came from: no packet
# sent more than 2 ms after the ACK of a change may arrive where the
# previous state sent it, and >= 90 % of each state's packets arrive.
#   1. quiet between flips: the cache fills (it stores only after 100 ms
#      of quiet) and must be emptied by each flip: hits are asserted;
#   2. the same with 400 other changes per second (/32 routes, neighbours):
#      the cache rarely settles; the FIB answers and must follow too.
# Also: a route's MTU metric applies at once when ip_forward_use_pmtu is
# set; status --json shows the cache on, and detach --all removes the
# neighbour watchers' pins.
#
#   XR_CHURN_SECONDS  length of each churn run (default 8)
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

SECONDS_CHURN=${XR_CHURN_SECONDS:-8}

xr_init rcache
xr_need_cli
xr_topo abc

R=(ip -n "$(xr_ns r)")
cache_field() # FIELD: from status --json (the first interface's)
{
	xr_json_get "$(xr_cli_ok r --json status)" "j[0]['route_cache']['$1']"
}

xr_step "attach ra rb rc (defaults); the route cache is on"
"${R[@]}" neigh replace 10.2.0.2 lladdr "$(xr_mac b b0)" dev rb nud permanent
"${R[@]}" neigh replace 10.3.0.2 lladdr "$(xr_mac c c0)" dev rc nud permanent
"${R[@]}" neigh replace fd00:2::2 lladdr "$(xr_mac b b0)" dev rb nud permanent
"${R[@]}" neigh replace fd00:3::2 lladdr "$(xr_mac c c0)" dev rc nud permanent
"${R[@]}" neigh replace 10.1.0.2 lladdr "$(xr_mac a a0)" dev ra nud permanent
xr_cli_ok r attach ra rb rc >/dev/null
xr_assert_eq "$(cache_field on)" True "route cache on"
xr_assert_eq "$(cache_field slots)" 16384 "default slots"
pins=$(compgen -G "$(xr_pin_path r)/xr_watch_*" | wc -l)
xr_assert_eq "$pins" 3 "neighbour watcher pins"
xr_ping_pairs "a b" "a c"

churn() # NOISE_RATE LABEL
{
	local out res
	out=$(timeout $((SECONDS_CHURN + 60)) "$XR_PYTHON" \
		"$XR_LIB_DIR/churn.py" \
		--sender "$(xr_ns a):a0" --router-ns "$(xr_ns r)" \
		--router-mac "$(xr_mac r ra)" \
		--rx-b "$(xr_ns b):b0" --rx-c "$(xr_ns c):c0" \
		--rb "$(xr_ifindex r rb)" --rc "$(xr_ifindex r rc)" \
		--noise-rate "$1" --window-ms 2 --seconds "$SECONDS_CHURN" 2>&1) || {
		printf '%s\n' "$out" | sed 's/^/    /' >&2
		xr_fail "$2: forwarding did not follow the changes at once"
	}
	res=$(tail -n 1 <<<"$out")
	xr_log "$2: $res"
	xr_assert_ge "$(xr_json_get "$res" 'j["states_checked"]')" \
		$((SECONDS_CHURN * 12)) "$2: states checked"
}

xr_step "churn, quiet between flips: the cache fills and empties"
h0=$(cache_field hits)
e0=$(cache_field epochs)
churn 0 "quiet"
h1=$(cache_field hits)
e1=$(cache_field epochs)
xr_log "cache hits during the run: $((h1 - h0)), state changes seen: $((e1 - e0))"
# 4 flows at 1000 packets/s; states last 80-250 ms, the cache fills after
# 100 ms of quiet: a good part of the packets must come from it.
xr_assert_ge $((h1 - h0)) $((SECONDS_CHURN * 150)) "route cache hits"
xr_assert_ge $((e1 - e0)) $((SECONDS_CHURN * 10)) "routing changes seen"

xr_step "churn with 400 other changes per second"
before=$(xr_counters r ra)
churn 400 "noisy"
after=$(xr_counters r ra)
read -r _ c0 _ <<<"$before"
read -r _ c1 _ <<<"$after"
xr_assert_ge $((c1 - c0)) $((SECONDS_CHURN * 2000)) "XDP redirects on ra"

big_pings() # FAMILY_FLAG DST COUNT: DF pings of 1428-byte IP packets
{
	xr_in a ping "$1" -c "$3" -i 0.05 -W 1 -M do -s 1400 "$2" 2>&1 |
		sed -n 's/.* \([0-9]*\) received.*/\1/p'
}

xr_step "a route's MTU counts once ip_forward_use_pmtu is set"
"${R[@]}" route replace 10.2.0.0/24 dev rb mtu 1300 proto kernel scope link \
	src 10.2.0.1
cached_big() # the cache answers 1428-byte packets (after its 100 ms)
{
	local h
	h=$(cache_field hits)
	[[ $(big_pings -4 10.2.0.2 4) == 4 ]] && (($(cache_field hits) - h >= 3))
}
xr_wait_until 60 "the cache answers 1428-byte packets" cached_big
f0=$(xr_stat r ra pass_frag_needed)
xr_in r sysctl -qw net.ipv4.ip_forward_use_pmtu=1
xr_assert_eq "$(big_pings -4 10.2.0.2 4)" 0 "1428-byte pings through a 1300 route"
# (A learns the path MTU from the first one's ICMP: the others stay there)
xr_assert_ge $(($(xr_stat r ra pass_frag_needed) - f0)) 1 \
	"FRAG_NEEDED answers after ip_forward_use_pmtu=1"
xr_in r sysctl -qw net.ipv4.ip_forward_use_pmtu=0

xr_step "detach --all removes the watchers"
xr_cli_ok r detach --all >/dev/null
xr_assert_eq "$(compgen -G "$(xr_pin_path r)/xr_watch_*" | wc -l)" 0 \
	"watcher pins left"
