#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Scale-out: several xdp-router load balancers behind an upstream router's
# kernel ECMP, VIPs announced over BGP by BIRD 2 (docs/scale-out.md).
#
#   C c0 ---- rc R rs ---- sr |                 10.1.0.0/24 clients .2-.5
#                             | br0 (in SW)     10.9.0.0/24 the segment
#             Ln l0 ---- sln |                  R .1, Ln .1n (n = 1..4)
#             Bn b0 ---- sbn |                  Bn .2n (n = 1..3)
#
# R runs BIRD (AS 65000, scaleout/upstream.conf) with eBGP to every Ln and
# merges their routes to the VIP into one kernel ECMP route, hashed on L4
# (fib_multipath_hash_policy=1). Each Ln runs the router (attach l0), `lb
# watch --announce-table 100` and BIRD with the configuration `lb
# bgp-config` prints. The backends hold the VIP on lo (DSR) and answer the
# clients through R. VIP web 10.0.0.100:80 (scaleout/web.yaml).
#
# Asserts:
# - byte-identical tables: L1, L2, L3 reach web.yaml through different
#   histories (other VIPs and backends first, other orders, one-off
#   commands), L4 later from a reordered file; their xr_lb_rings and
#   xr_lb_backends maps are byte for byte the same;
# - BGP: R's route to the VIP has L1-L3 as next hops (time measured);
# - CONNS long-lived connections from four client addresses, a line each
#   way every 0.5 s, spread over the three nodes;
# - L2 dies (its interface deleted: no goodbye; R notices by BFD, 200 ms x
#   3, `lb bgp-config --bfd 200`): R's BIRD ends the session for "BFD
#   session down" (not "Hold timer expired"; birdc says so too, and shows
#   the BFD session Down), logged less than the hold time (3 s) after the
#   death - timed by BIRD's log lines, stamped as printed - and R drops L2; L4 comes up; L3's watcher is SIGKILLed
#   (its routes go with
#   its tun device, BIRD withdraws at once): R's next hops follow each time
#   (times measured), the surviving nodes take L2's and L3's flows
#   mid-connection (conn-table misses), L4 takes flows mid-connection;
# - through all of it: every connection stays open, every line is answered,
#   each connection by the same backend throughout;
# - new connections spread over the nodes still announcing (L1, L4);
# - removing backend b3 from every node's file moves exactly the flows that
#   were on b3 (same source ports probed before and after);
# - L4's interface down, then all backends down: the watchers withdraw (the
#   route leaves table 100, R loses the next hop, in the end the route).
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

SO=$XR_LIB_DIR/scaleout
VIP=10.0.0.100
TABLE=100
CLIENTS=(10.1.0.2 10.1.0.3 10.1.0.4 10.1.0.5)
PROBER=10.1.0.6		# new connections (none of the clients' ports)
PER_CLIENT=${XR_SCALE_PER_CLIENT:-75}
CONNS=$((PER_CLIENT * ${#CLIENTS[@]}))
declare -A WATCH_PID=()
HOLD_MS=3000		# scaleout/upstream.conf: hold time 3

xr_init lbscale
xr_need_cli
if ! command -v bird >/dev/null || ! command -v birdc >/dev/null; then
	xr_skip "bird/birdc (Debian's bird2) not installed"
fi
xr_need_cli_feature lb bgp-config
"$XR_CLI" lb watch --help | grep -q -e --announce-table ||
	xr_fail "this xdp-router has no 'lb watch --announce-table'"

# port NS IF SWPORT: IF in NS, its peer a port of br0.
port()
{
	xr_veth "$1" "$2" sw "$3"
	ip -n "$(xr_ns sw)" link set "$3" master br0 || xr_fail "cannot add $3 to br0"
	xr_host_prep "$1" "$2"
	xr_host_prep sw "$3"
}

topology()
{
	local i c
	xr_ns_add sw
	ip -n "$(xr_ns sw)" link add br0 type bridge stp_state 0 forward_delay 0 ||
		xr_fail "cannot create the bridge (bridge module?)"
	ip -n "$(xr_ns sw)" link set br0 up

	xr_ns_add r
	xr_in r sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.fib_multipath_hash_policy=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	xr_ns_add c
	xr_veth c c0 r rc
	for c in "${CLIENTS[@]}" "$PROBER"; do
		xr_addr c c0 "$c/24"
	done
	xr_addr r rc 10.1.0.1/24
	ip -n "$(xr_ns c)" route add default via 10.1.0.1
	xr_host_prep c c0
	xr_host_prep r rc
	port r rs sr
	xr_addr r rs 10.9.0.1/24

	for i in 1 2 3; do
		xr_ns_add "b$i"
		port "b$i" b0 "sb$i"
		xr_addr "b$i" b0 "10.9.0.2$i/24"
		ip -n "$(xr_ns "b$i")" route add default via 10.9.0.1
		xr_in "b$i" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
			net.ipv4.conf.all.arp_announce=2 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
		xr_addr "b$i" lo "$VIP/32" 10.0.0.101/32
		xr_lb_server_start "b$i" 80
	done
	xr_log "topology: C (${CLIENTS[*]}) - R - [br0: b1-b3 10.9.0.21-23, L1-L4 10.9.0.11-14]"
}

# lb_node N FILE...: namespace lN on the segment, the router attached to
# l0, each FILE applied in turn (the node's history); the last one is kept
# as the file its watcher follows.
lb_node()
{
	local n=$1 f
	shift
	xr_router_ns "l$n"
	xr_in "l$n" sysctl -qw net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.default.send_redirects=0 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	port "l$n" l0 "sl$n"
	# XDP_TX out of l0 reaches its peer promptly only if the peer runs XDP.
	xr_foreign_xdp sw "sl$n"
	xr_addr "l$n" l0 "10.9.0.1$n/24"
	ip -n "$(xr_ns "l$n")" route add default via 10.9.0.1
	xr_cli_ok "l$n" attach --lb-max-vips 4 l0 >/dev/null
	for f in "$@"; do
		xr_cli_ok "l$n" lb apply "$f" >/dev/null
	done
	cp "$f" "$XR_RUN_DIR/web-l$n.yaml"
	xr_log "L$n: attached, applied: $(printf '%s ' "${@##*/}")"
}

# lb_announce N: BIRD (lb bgp-config) and lb watch --announce-table in lN.
# L2's watcher logs JSON: its announce event must match the schema.
lb_announce()
{
	local n=$1 conf="$XR_RUN_DIR/bird-l$n.conf" json=()
	[[ $n == 2 ]] && json=(--json)
	xr_cli_ok "l$n" lb bgp-config --table "$TABLE" --local-as 65001 \
		--neighbor 10.9.0.1 --neighbor-as 65000 \
		--router-id "10.9.0.1$n" --bfd 200 >"$conf"
	xr_bird_start "l$n" "l$n" "$conf"
	xr_bg "l$n" "$XR_CLI" --pin-path "$(xr_pin_path "l$n")" "${json[@]}" \
		lb watch "$XR_RUN_DIR/web-l$n.yaml" --announce-table "$TABLE" \
		>"$XR_RUN_DIR/watch-l$n.log" 2>&1
	WATCH_PID[$n]=$XR_BG_PID
	xr_wait_until 60 "L$n's watcher announces $VIP (table $TABLE)" \
		in_table "l$n"
	[[ -n ${json[*]} ]] || return 0
	xr_wait_until 30 "L$n's watcher logs the announcement" \
		grep -q '"event":"announced"' "$XR_RUN_DIR/watch-l$n.log"
	grep '"event":"announced"' "$XR_RUN_DIR/watch-l$n.log" |
		"$XR_PYTHON" "$XR_LIB_DIR/../docs/schema/schema_tool.py" validate \
			"$XR_LIB_DIR/../docs/schema/lb-watch.json" ||
		xr_fail "L$n's announce event does not match docs/schema/lb-watch.json"
	grep -q "\"address\":\"$VIP\"" "$XR_RUN_DIR/watch-l$n.log" ||
		xr_fail "L$n's announce event names no address $VIP"
	xr_log "ok: L$n's announce event matches the schema"
}

# in_table NS: the VIP's route is in NS's table TABLE.
in_table()
{
	[[ -n $(ip -n "$(xr_ns "$1")" route show table "$TABLE" "$VIP/32") ]]
}

# next_hops: R's next hops to the VIP, sorted, space-separated.
next_hops()
{
	ip -n "$(xr_ns r)" -j route show "$VIP/32" | "$XR_PYTHON" -c '
import json, sys
gws = []
for r in json.load(sys.stdin):
    gws += [n["gateway"] for n in r.get("nexthops", [])]
    if "gateway" in r:
        gws.append(r["gateway"])
print(" ".join(sorted(gws)))'
}

hops_are() { [[ "$(next_hops)" == "$1" ]]; }

# wait_hops WANT SECONDS DESC: until R's next hops are WANT; prints the ms.
wait_hops()
{
	local t0
	t0=$(xr_ms)
	xr_wait_until "$2" "$3: R's next hops '$1' (have '$(next_hops)')" hops_are "$1"
	echo $(($(xr_ms) - t0))
}

# maps_digest N: L_N's rings and backends maps (xr_lb_maps_digest).
maps_digest() { xr_lb_maps_digest "l$1"; }

# miss N: L_N's conn-table misses of web (new flows to this node).
miss()
{
	local j
	j=$(xr_cli_ok "l$1" --json lb show web)
	xr_lb_q "$j" 'vc("web", "conn_miss")'
}

# misses N...: "miss(N1) miss(N2) ..."
misses()
{
	local n out=()
	for n in "$@"; do
		out+=("$(miss "$n")")
	done
	echo "${out[*]}"
}

# misses_grew BASE MIN N...: the misses of nodes N... add up to BASE + MIN.
misses_grew()
{
	local base=$1 min=$2 n sum=0
	shift 2
	for n in "$@"; do
		sum=$((sum + $(miss "$n")))
	done
	((sum - base >= min))
}

# probe NAME SRC A-B: one new connection per source port, closed with RST;
# prints the per-backend counts.
probe()
{
	local f="$XR_RUN_DIR/probe-$1.json"
	xr_in c timeout 60 "$XR_PYTHON" "$XR_LIB_DIR/lb_clients.py" probe \
		--src "$2" --dst "$VIP" --port 80 --sports "$3" --timeout 5 \
		--out "$f" || xr_fail "probe $1 failed to run"
	"$XR_PYTHON" "$XR_LIB_DIR/lb_clients.py" count "$f"
}

declare -a HOLD_PIDS=()
hold_start()
{
	local k=0 c f
	for c in "${CLIENTS[@]}"; do
		k=$((k + 1))
		f="$XR_RUN_DIR/hold-$k"
		xr_bg c "$XR_PYTHON" "$XR_LIB_DIR/lb_clients.py" hold --src "$c" \
			--dst "$VIP" --port 80 --conns "$PER_CLIENT" --interval 0.5 \
			--timeout 20 --max-seconds 600 --ready "$f.ready" \
			--progress "$f.rounds" --stop "$f.stop" --out "$f.json" \
			2>"$f.err"
		HOLD_PIDS+=("$XR_BG_PID")
		eval "XR_LB_HOLD_PID_$k=$XR_BG_PID"	# for xr_lb_hold_more
	done
	for k in $(seq ${#CLIENTS[@]}); do
		xr_wait_until 30 "clients $k connected and answered" \
			test -e "$XR_RUN_DIR/hold-$k.ready"
	done
}

# hold_alive: the client processes still run (they end early on no error,
# so this only says nobody crashed).
hold_alive()
{
	local p
	for p in "${HOLD_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null || xr_fail "client process $p ended early"
	done
}

# hold_stop: the clients' last round; prints one summary of all of them.
hold_stop()
{
	local k p
	for k in $(seq ${#CLIENTS[@]}); do
		touch "$XR_RUN_DIR/hold-$k.stop"
	done
	for p in "${HOLD_PIDS[@]}"; do
		xr_wait_pid_gone "$p" 60 || xr_fail "clients still running 60 s after stop"
	done
	"$XR_PYTHON" -c '
import json, sys
sys.path.insert(0, sys.argv[1])
from lb_clients import summary
tot = {}
for f in sys.argv[2:]:
    s = summary(json.load(open(f)))
    for k, v in s.items():
        if isinstance(v, int):
            tot[k] = tot.get(k, 0) + v if k != "rounds" else min(tot.get(k, v), v)
        elif isinstance(v, dict):
            d = tot.setdefault(k, {})
            for a, b in v.items():
                d[a] = d.get(a, 0) + b
        else:
            tot.setdefault(k, []).extend(v[:3])
print(json.dumps(tot))' "$XR_LIB_DIR" "$XR_RUN_DIR"/hold-*.json
}

# rounds_pass N: every client process completed N more rounds (counted;
# the first may have begun before).
rounds_pass()
{
	local k
	for k in $(seq ${#CLIENTS[@]}); do
		xr_lb_hold_wait "$k" $(($(xr_lb_hold_rounds "$k") + $1))
	done
}

topology

xr_step "three nodes reach web.yaml through different histories"
lb_node 1 "$SO/web.yaml"
lb_node 2 "$SO/history_a.yaml" "$SO/history_b.yaml" "$SO/web.yaml"
lb_node 3 "$SO/history_b.yaml" "$SO/web_reordered.yaml"
xr_cli_ok l3 lb del-backend web 10.9.0.23 >/dev/null
xr_cli_ok l3 lb add-backend web 10.9.0.29 --state down >/dev/null
xr_cli_ok l3 lb apply "$SO/web.yaml" >/dev/null
d1=$(maps_digest 1)
for n in 2 3; do
	xr_assert_eq "$(maps_digest "$n")" "$d1" "L$n's rings and backends maps, byte for byte, against L1's"
done
xr_log "ok: xr_lb_rings + xr_lb_backends identical on L1-L3 (sha256 $d1...)"

xr_step "BIRD on R and on L1-L3, lb watch --announce-table $TABLE"
t0=$(xr_ms)
xr_bird_start r upstream "$SO/upstream.conf"
for n in 1 2 3; do
	lb_announce "$n"
done
xr_wait_until 30 "R's ECMP route via L1-L3" hops_are "10.9.0.11 10.9.0.12 10.9.0.13"
bgp_ms=$(($(xr_ms) - t0))
xr_log "ok: R routes $VIP over L1, L2, L3 ($bgp_ms ms after BIRD started)"
ip -n "$(xr_ns r)" route show "$VIP/32" | sed 's/^/    /' >&2

xr_step "$CONNS long-lived connections from ${#CLIENTS[@]} client addresses"
m0=($(misses 1 2 3))
hold_start
rounds_pass 2
m1=($(misses 1 2 3))
on=()
for i in 0 1 2; do
	on[i]=$((m1[i] - m0[i]))
	xr_log "L$((i + 1)): ${on[i]} new flows"
	xr_assert_ge "${on[i]}" $((CONNS / 10)) "connections through L$((i + 1))"
done
xr_assert_ge $((on[0] + on[1] + on[2])) "$CONNS" "new flows on L1-L3"

xr_step "L2 dies: its interface is deleted (no BGP goodbye; BFD notices)"
bfd_up() { xr_birdc upstream show bfd sessions | grep -qE "^10\.9\.0\.12 .* Up "; }
xr_wait_until 30 "R's BFD session with L2 (10.9.0.12) Up before its death" bfd_up
t0=$(xr_now_us)
ip -n "$(xr_ns l2)" link del l0
wait_hops "10.9.0.11 10.9.0.13" 20 "L2 gone" >/dev/null
# BFD, not the BGP hold timer, ended the session: BIRD says why, and its
# log line (stamped as BIRD printed it) came well inside the hold time.
bfd_ms=$(xr_wait_stamped "$XR_RUN_DIR/bird-upstream.log" "$t0" \
	"l2: (BFD session down|Hold timer expired)" 30 "R's BIRD notices L2's death")
line=$(awk -v t0="$t0" '$1 > t0 && /l2: (BFD session down|Hold timer expired)/ { print; exit }' \
	"$XR_RUN_DIR/bird-upstream.log")
[[ $line == *"BFD session down"* ]] ||
	xr_fail "R's session with L2 did not end by BFD: $line"
xr_birdc upstream show protocols all l2 | grep -qE "Last error: +(Error: )?BFD session down" ||
	xr_fail "birdc: l2's last error is not 'BFD session down': $(xr_birdc upstream show protocols all l2 | grep -i error)"
! bfd_up ||
	xr_fail "birdc: BFD session with 10.9.0.12 still Up: $(xr_birdc upstream show bfd sessions)"
xr_assert_lt "$bfd_ms" "$HOLD_MS" "ms from L2's death to R's BFD session down (hold time $HOLD_MS ms)"
xr_log "ok: R's BFD session with L2 went down $bfd_ms ms after its death (BFD 200 ms x 3, hold time $HOLD_MS ms), then the route"
# TCP retransmits what went to L2 meanwhile; those flows reach L1 and L3,
# which have no entry for them.
xr_wait_until 30 "L1 and L3 take over L2's ${on[1]} flows (conn-table misses)" \
	misses_grew $((m1[0] + m1[2])) "${on[1]}" 1 3
m2=($(misses 1 3))
xr_log "ok: L1 and L3 took $((m2[0] - m1[0] + m2[1] - m1[2])) flows mid-connection (L2 had ${on[1]})"
hold_alive

xr_step "L4 comes up"
lb_node 4 "$SO/web_reordered.yaml"
xr_assert_eq "$(maps_digest 4)" "$d1" "L4's rings and backends maps, byte for byte, against L1's"
t0=$(xr_ms)
lb_announce 4
wait_hops "10.9.0.11 10.9.0.13 10.9.0.14" 20 "L4 added" >/dev/null
add_ms=$(($(xr_ms) - t0))
xr_log "ok: R added L4 $add_ms ms after its BIRD and watcher started"
xr_wait_until 30 "L4 takes established flows (conn-table misses)" \
	misses_grew 0 $((CONNS / 10)) 4
rounds_pass 2
xr_log "ok: L4 took $(miss 4) established flows mid-connection"
hold_alive

xr_step "L3's watcher is SIGKILLed: its tun device and routes go, BIRD withdraws"
{
	kill -9 "${WATCH_PID[3]}"
	xr_wait_pid_gone "${WATCH_PID[3]}" 5
} 2>/dev/null || xr_fail "L3's watcher did not die"
crash_ms=$(wait_hops "10.9.0.11 10.9.0.14" 10 "L3's watcher killed")
in_table l3 && xr_fail "the VIP's route is still in L3's table $TABLE"
xr_log "ok: R dropped L3 $crash_ms ms after its watcher was SIGKILLed"
rounds_pass 6
hold_alive

xr_step "new connections spread over the announcing nodes (L1, L4)"
m3=($(misses 1 3 4))
counts=$(probe spread "$PROBER" 40000-40299)
m4=($(misses 1 3 4))
xr_log "300 new connections: backends $counts; L1 +$((m4[0] - m3[0])), L3 +$((m4[1] - m3[1])), L4 +$((m4[2] - m3[2]))"
xr_assert_eq "$(xr_json_get "$counts" 'j.get("!err", 0)')" 0 "new connections that failed"
xr_assert_ge $((m4[0] - m3[0])) 60 "new connections through L1"
xr_assert_ge $((m4[2] - m3[2])) 60 "new connections through L4"
xr_assert_eq $((m4[1] - m3[1])) 0 "new connections through L3 (withdrawn)"

xr_step "a new VIP takes web's row: web and alt move on every node, their connections stay"
j=$(xr_cli_ok l1 --json lb show web)
id0=$(xr_lb_q "$j" 'vip("web")["id"]')
printf 'vips: []\n' >"$XR_RUN_DIR/empty.yaml"
xr_cli_ok l3 lb apply "$XR_RUN_DIR/empty.yaml" >/dev/null
xr_cli_ok l3 lb apply "$SO/web_plus.yaml" >/dev/null	# from scratch
j=$(xr_cli_ok l3 --json lb show web)
id1=$(xr_lb_q "$j" 'vip("web")["id"]')
xr_assert_ne "$id1" "$id0" "web's row with the VIP 'first' (canonical, from scratch on L3)"
m5=($(misses 1 4))
for n in 1 4; do
	cp "$SO/web_plus.yaml" "$XR_RUN_DIR/web-l$n.yaml.new"
	mv "$XR_RUN_DIR/web-l$n.yaml.new" "$XR_RUN_DIR/web-l$n.yaml"
done
web_at() { [[ $(xr_lb_q "$(xr_cli_ok "l$1" --json lb show web)" 'vip("web")["id"]') == "$2" ]]; }
for n in 1 4; do
	xr_wait_until 60 "L$n's watcher moved web to row $id1" web_at "$n" "$id1"
done
d3=$(maps_digest 3)
for n in 1 4; do
	xr_assert_eq "$(maps_digest "$n")" "$d3" "L$n's maps after the moves, against L3's from scratch"
done
xr_wait_until 30 "web's $CONNS flows found again on L1 and L4 (one miss each)" \
	misses_grew $((m5[0] + m5[1])) "$CONNS" 1 4
hold_alive
m6=($(misses 1 4))
xr_log "web moved from row $id0 to $id1 on L1 and L4; their established flows" \
	"found again through Maglev: L1 +$((m6[0] - m5[0])), L4 +$((m6[1] - m5[1])) misses"

xr_step "every connection survived: open, answered every round, one backend each"
s=$(hold_stop)
xr_log "clients: $s"
xr_assert_eq "$(xr_json_get "$s" 'j["connect_failed"]')" 0 "connections that failed to open"
xr_assert_eq "$(xr_json_get "$s" 'j["broken"]')" 0 "connections broken"
xr_assert_eq "$(xr_json_get "$s" 'j["switched"]')" 0 "connections answered by more than one backend"
xr_assert_eq "$(xr_json_get "$s" 'j["answered_all"]')" "$CONNS" "connections with every line answered"
xr_assert_ge "$(xr_json_get "$s" 'j["rounds"]')" 20 "rounds each connection went through"

xr_step "backend b3 removed from every node: only its flows move"
before=$(probe before "$PROBER" 41000-41299)
for n in 1 3 4; do
	cp "$SO/web_no_b3.yaml" "$XR_RUN_DIR/web-l$n.yaml.new"
	mv "$XR_RUN_DIR/web-l$n.yaml.new" "$XR_RUN_DIR/web-l$n.yaml"
done
xr_cli_ok l3 lb apply "$SO/web_no_b3.yaml" >/dev/null	# its watcher is dead
d5=$(maps_digest 3)
# Earlier edits already logged "file changed": wait for the watchers' result.
b3_gone() { [[ $(xr_lb_q "$(xr_cli_ok "l$1" --json lb show web)" 'be("web", "10.9.0.23")') == None ]]; }
maps_are() { [[ $(maps_digest "$1") == "$2" ]]; }
for n in 1 4; do
	xr_wait_until 60 "L$n's watcher removed b3" b3_gone "$n"
	xr_wait_until 60 "L$n's maps equal L3's (web_no_b3 applied by hand)" maps_are "$n" "$d5"
done
b3_gone 3 || xr_fail "b3 still in L3's lb show after applying web_no_b3"
after=$(probe after "$PROBER" 41000-41299)
mv=$("$XR_PYTHON" "$XR_LIB_DIR/lb_clients.py" moved "$XR_RUN_DIR/probe-before.json" \
	"$XR_RUN_DIR/probe-after.json")
xr_log "before $before, after $after: $mv"
xr_assert_eq "$(xr_json_get "$mv" 'j["answered"]')" 300 "probes answered before and after"
for b in b1 b2; do
	xr_assert_eq "$(xr_json_get "$mv" "j['by_before'].get('$b', [0, 0])[1]")" 0 "flows of $b that moved"
done
xr_assert_eq "$(xr_json_get "$mv" "j['moved']")" \
	"$(xr_json_get "$mv" "j['by_before']['b3'][0]")" "flows moved = flows b3 had"
xr_assert_eq "$(maps_digest 1)" "$(maps_digest 4)" "L1's and L4's maps after the removal"
xr_assert_eq "$(maps_digest 1)" "$d5" "L1's maps after the removal, against L3's"

xr_step "L4's interface down: its watcher withdraws"
t0=$(xr_ms)
ip -n "$(xr_ns l4)" link set l0 down
xr_wait_until 30 "the VIP's route leaves L4's table $TABLE" xr_not in_table l4
down_ms=$(($(xr_ms) - t0))
wait_hops "10.9.0.11" 20 "L4 down" >/dev/null

xr_step "all backends down: L1's watcher withdraws, R has no route left"
for b in b1 b2 b3; do
	xr_lb_server_stop "$b"
done
t0=$(xr_ms)
xr_wait_until 60 "R loses its route to $VIP" hops_are ""
dead_ms=$(($(xr_ms) - t0))
in_table l1 && xr_fail "the VIP's route is still in L1's table $TABLE"
grep -q "withdrawn: $VIP" "$XR_RUN_DIR/watch-l1.log" ||
	xr_fail "L1's watcher logged no withdrawal: $(tail -n 3 "$XR_RUN_DIR/watch-l1.log")"

xr_log "measured: BGP up $bgp_ms ms; node death (interface deleted) to R's BFD session down $bfd_ms ms;" \
	"node added $add_ms ms; watcher SIGKILL to withdrawal at R $crash_ms ms;" \
	"interface down to local withdrawal $down_ms ms; all backends down to no route $dead_ms ms;" \
	"$CONNS connections, 0 broken"
