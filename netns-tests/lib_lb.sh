# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# netns-tests/lib_lb.sh - load balancer helpers (harness).
# Sourced by lib.sh (tests source only lib.sh); uses its core helpers.

# ---------------------------------------------------------------- load balancer
#
# For the load balancer tests (test_lb_*.sh). The one-legged topology: VIP
# traffic reaches the load balancer LB on the segment the backends are on,
# and leaves it (XDP_TX) out of the same interface.
#
#   A a0 ---- ga GW gs ---- sgw |                  10.1.0.0/24 client side
#                               | br0 (in SW)      10.9.0.0/24 the segment
#                 LB l0 ---- slb |                 GW .1, LB .2, Bn .1n
#                 Bn b0 ---- sbn |  (n = 1 2 3)
#
# GW is a plain kernel router with a route VIP/32 via LB (10.9.0.2); the
# router is attached to LB's only interface l0 (xr_lb_attach). DSR: the
# backends hold the VIP on lo (arp_ignore=1, arp_announce=2: they never
# answer ARP for it) and reply straight to the client via GW. NAT: the
# backends' default route is LB, which translates replies back (src VIP) and
# routes them on to GW - the client only ever talks to the VIP. slb, l0's
# peer, runs a pass-through XDP program: XDP_TX out of a veth is only
# delivered promptly when the peer has one (GRO is not enough, see
# xr_lb_topo).
#
# Helpers: lb_backend.py (a server answering with its name), lb_clients.py
# (long-lived connections, probes from fixed source ports), lb_json.py
# (queries on `lb show --json`). XR_PASS_OBJ must be set (as for the attach
# tests).

XR_LB_VIP=10.0.0.100		# the DSR VIP (fixtures in netns-tests/lb/)
XR_LB_NAT_VIP=10.0.0.200	# the NAT VIP
XR_LB_CLIENT=10.1.0.2
XR_LB_GW=10.9.0.1
XR_LB_ADDR=10.9.0.2
# shellcheck disable=SC2034  # read by the tests
XR_LB_FIXTURES="$XR_LIB_DIR/lb"
declare -A XR_LB_SRV_PID=()	# backend name -> server pid

# Address of backend bN on the segment.
xr_lb_be_ip() { printf '10.9.0.1%s' "${1#b}"; }

# xr_lb_topo dsr|nat: the namespaces above (A, GW, SW, LB, B1-B3).
xr_lb_topo()
{
	local mode=$1 b gw_route
	xr_ns_add sw
	ip -n "$(xr_ns sw)" link add br0 type bridge stp_state 0 forward_delay 0 ||
		xr_fail "cannot create the bridge (bridge module?)"
	ip -n "$(xr_ns sw)" link set br0 up

	xr_router_ns gw
	xr_in gw sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
	xr_ns_add a
	xr_veth a a0 gw ga
	xr_addr a a0 "$XR_LB_CLIENT/24"
	xr_addr gw ga 10.1.0.1/24
	ip -n "$(xr_ns a)" route add default via 10.1.0.1
	xr_lb_port gw gs sgw
	xr_addr gw gs "$XR_LB_GW/24"
	ip -n "$(xr_ns gw)" route add "$XR_LB_VIP/32" via "$XR_LB_ADDR"
	ip -n "$(xr_ns gw)" route add "$XR_LB_NAT_VIP/32" via "$XR_LB_ADDR"

	# The load balancer forwards too: NAT replies the XDP program hands to
	# the kernel, and anything not for a VIP. No ICMP redirects: replies in
	# and out of the same interface are the design.
	xr_router_ns lb
	xr_in lb sysctl -qw net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.default.send_redirects=0 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	xr_lb_port lb l0 slb
	# XDP_TX out of a veth needs an XDP program on its peer: GRO on the
	# peer is not enough (frames XDP_TX'd from l0 are queued to slb but
	# its NAPI is only kicked when slb has an XDP program - they sit there
	# until other traffic comes by). A pass-through program does.
	xr_foreign_xdp sw slb
	xr_addr lb l0 "$XR_LB_ADDR/24"
	ip -n "$(xr_ns lb)" route add default via "$XR_LB_GW"

	gw_route=$XR_LB_GW
	[[ $mode == nat ]] && gw_route=$XR_LB_ADDR
	for b in b1 b2 b3; do
		xr_ns_add "$b"
		xr_lb_port "$b" b0 "s$b"
		xr_addr "$b" b0 "$(xr_lb_be_ip "$b")/24"
		ip -n "$(xr_ns "$b")" route add default via "$gw_route"
		xr_in "$b" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
			net.ipv4.conf.all.arp_announce=2 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
		[[ $mode == dsr ]] && xr_addr "$b" lo "$XR_LB_VIP/32"
	done
	xr_host_prep a a0
	xr_host_prep gw ga
	xr_log "lb topology ($mode): A $XR_LB_CLIENT - GW - [br0: LB $XR_LB_ADDR, b1-b3 10.9.0.11-13]"
}

# xr_lb_port NS IF SWPORT: veth IF in NS, its peer SWPORT a port of br0 in SW;
# tx checksum offload off and GRO on at both ends (XDP_TX from l0 lands on
# slb, NAT replies from the backends go through XDP on l0).
xr_lb_port()
{
	xr_veth "$1" "$2" sw "$3"
	ip -n "$(xr_ns sw)" link set "$3" master br0 ||
		xr_fail "cannot add $3 to br0"
	xr_host_prep "$1" "$2"
	xr_host_prep sw "$3"
}

# xr_lb_attach: the router on LB's l0; `lb` must exist in this CLI.
xr_lb_attach()
{
	xr_need_cli
	xr_need_cli_feature lb apply
	xr_cli_ok lb attach l0 >/dev/null
	xr_log "router attached to l0 in LB"
}

# xr_lb_prime_arp: LB and GW learn every backend's MAC (LB resolves
# backends from its neighbour table; done here so that the first `lb apply`
# does not depend on how long resolution takes).
xr_lb_prime_arp()
{
	local b
	for b in b1 b2 b3; do
		xr_in lb ping -c 1 -W 1 "$(xr_lb_be_ip "$b")" >/dev/null ||
			xr_fail "LB cannot ping $b"
	done
	xr_in a ping -c 1 -W 1 "$XR_LB_ADDR" >/dev/null ||
		xr_fail "the client cannot ping LB ($XR_LB_ADDR)"
}

# xr_lb_server_start bN [PORT [ARGS...]]: lb_backend.py in bN (name bN) on
# PORT (80); returns once it listens. Log: $XR_RUN_DIR/srv-bN.log.
xr_lb_server_start()
{
	local b=$1 port=${2:-80} log="$XR_RUN_DIR/srv-$1.log"
	shift 2 || shift $#
	: >>"$log"
	local n0
	n0=$(grep -c '^ready' "$log" || true)
	xr_bg "$b" "$XR_PYTHON" "$XR_LIB_DIR/lb_backend.py" --name "$b" \
		--port "$port" --log "$log" "$@" 2>>"$XR_RUN_DIR/srv-$b.err"
	XR_LB_SRV_PID[$b]=$XR_BG_PID
	xr_wait_until 30 "server $b listening" \
		xr_lb_log_count "$log" '^ready' "$((n0 + 1))"
}

# xr_lb_log_count FILE REGEX MIN: FILE has at least MIN lines matching.
xr_lb_log_count()
{
	(($(grep -c -e "$2" "$1" || true) >= $3))
}

# xr_lb_server_stop bN: kill bN's server (SIGKILL: no goodbye), wait for it.
xr_lb_server_stop()
{
	local pid=${XR_LB_SRV_PID[$1]:-}
	[[ -n $pid ]] || xr_fail "no server running in $1"
	{
		kill -9 "$pid"
		xr_wait_pid_gone "$pid" 5
	} 2>/dev/null || xr_fail "server of $1 (pid $pid) did not die"
	XR_LB_SRV_PID[$1]=""
	xr_log "server of $1 killed"
}

# xr_lb_accepts bN: connections bN's server accepted so far.
xr_lb_accepts()
{
	grep -c '^accept' "$XR_RUN_DIR/srv-$1.log" 2>/dev/null || true
}

# xr_lb_apply FILE: `lb apply FILE` in LB must succeed.
xr_lb_apply()
{
	xr_cli_ok lb lb apply "$1" >/dev/null
	xr_log "lb apply ${1##*/}"
}

# xr_lb_json: `lb show --json` in LB (the test fails if it fails).
xr_lb_json()
{
	xr_cli_ok lb --json lb show
}

# xr_lb_q JSON PYEXPR: evaluate PYEXPR on `lb show --json` output JSON, with
# helpers: vip(NAME) the VIP object, be(VIP, ADDR) a backend object,
# vc(VIP, KEY) a VIP counter, bc(VIP, ADDR, KEY) a backend counter (KEY:
# conn_hit, conn_miss, no_backend, packets, bytes, ...), state(VIP, ADDR).
xr_lb_q()
{
	"$XR_PYTHON" "$XR_LIB_DIR/lb_json.py" "$1" "$2" ||
		xr_fail "cannot evaluate '$2' on lb show --json: $1"
}

# xr_lb_hold_start NAME ARGS...: `lb_clients.py hold` from A in the
# background (report $XR_RUN_DIR/hold-NAME.json); returns when every
# connection got its first answer (or failed), at most 20 s.
xr_lb_hold_start()
{
	local name=$1 f="$XR_RUN_DIR/hold-$1"
	shift
	rm -f "$f".*
	xr_bg a "$XR_PYTHON" "$XR_LIB_DIR/lb_clients.py" hold --src "$XR_LB_CLIENT" \
		--ready "$f.ready" --progress "$f.rounds" --stop "$f.stop" \
		--out "$f.json" --max-seconds 300 "$@" 2>"$f.err"
	eval "XR_LB_HOLD_PID_$name=$XR_BG_PID"
	local deadline=$((SECONDS + 20))
	until [[ -e $f.ready ]]; do
		kill -0 "$XR_BG_PID" 2>/dev/null || [[ -e $f.json ]] ||
			xr_fail "clients $name exited early: $(tail -n 3 "$f.err")"
		[[ -e $f.json ]] && break
		((SECONDS < deadline)) || xr_fail "clients $name not ready after 20 s"
		sleep 0.05
	done
	xr_log "clients $name: connections open, first round answered"
}

# xr_lb_hold_rounds NAME: rounds clients NAME have completed so far.
xr_lb_hold_rounds()
{
	local r
	r=$(cat "$XR_RUN_DIR/hold-$1.rounds" 2>/dev/null) || r=0
	echo "${r:-0}"
}

# xr_lb_hold_wait NAME N: wait until clients NAME completed N rounds (each
# round: a line on every connection, all answered or failed); the deadline
# (60 s + 2 s a round) only catches a hang, the count is what is awaited.
xr_lb_hold_wait()
{
	local name=$1 n=$2 pid deadline
	eval "pid=\$XR_LB_HOLD_PID_$name"
	deadline=$((SECONDS + 60 + 2 * n))
	while (($(xr_lb_hold_rounds "$name") < n)); do
		kill -0 "$pid" 2>/dev/null ||
			xr_fail "clients $name ended after $(xr_lb_hold_rounds "$name") of $n rounds:" \
				"$(tail -n 3 "$XR_RUN_DIR/hold-$name.err")"
		((SECONDS < deadline)) ||
			xr_fail "clients $name: $(xr_lb_hold_rounds "$name") of $n rounds done, timed out"
		sleep 0.05
	done
}

# xr_lb_hold_more NAME K: wait until clients NAME did K whole rounds that
# began after this call.
xr_lb_hold_more()
{
	xr_lb_hold_wait "$1" $(($(xr_lb_hold_rounds "$1") + $2 + 1))
}

# xr_lb_hold_stop NAME: let the clients do their last round and exit (at most
# 30 s); prints their summary (lb_clients.py summary).
xr_lb_hold_stop()
{
	local name=$1 f="$XR_RUN_DIR/hold-$1" pid
	eval "pid=\$XR_LB_HOLD_PID_$name"
	touch "$f.stop"
	xr_wait_pid_gone "$pid" 30 || xr_fail "clients $name still running 30 s after stop"
	[[ -s $f.json ]] || xr_fail "clients $name wrote no report: $(tail -n 3 "$f.err")"
	"$XR_PYTHON" "$XR_LIB_DIR/lb_clients.py" summary "$f.json"
}

# xr_lb_probe NAME DST PORT A-B [TIMEOUT]: one connection from each client
# source port A..B to DST:PORT (closed with RST); report in
# $XR_RUN_DIR/probe-NAME.json; prints the per-backend counts.
xr_lb_probe()
{
	local f="$XR_RUN_DIR/probe-$1.json"
	xr_in a timeout 60 "$XR_PYTHON" "$XR_LIB_DIR/lb_clients.py" probe \
		--src "$XR_LB_CLIENT" --dst "$2" --port "$3" --sports "$4" \
		--timeout "${5:-2}" --out "$f" ||
		xr_fail "probe $1 failed to run"
	"$XR_PYTHON" "$XR_LIB_DIR/lb_clients.py" count "$f"
}

# xr_lb_probe_avoids NAME SPORTS bN DESC: xr_lb_probe NAME to the DSR VIP
# from SPORTS (A-B): every new connection answered, none by bN.
xr_lb_probe_avoids()
{
	local c
	c=$(xr_lb_probe "$1" "$XR_LB_VIP" 80 "$2")
	xr_log "new connections, $4: $c"
	xr_assert_eq "$(xr_json_get "$c" 'j.get("!err", 0)')" 0 "new connections not answered ($4)"
	xr_assert_eq "$(xr_json_get "$c" "j.get('$3', 0)")" 0 "new connections answered by $3 ($4)"
}

# xr_lb_assert_misses MISSES CONNS: one connection-table miss per new
# connection (CONNS <= MISSES <= CONNS + 5 %).
xr_lb_assert_misses()
{
	xr_assert_ge "$1" "$2" "conn misses (one per connection)"
	xr_assert_lt "$1" $(($2 + $2 / 20 + 1)) "conn misses (one per connection)"
}

# xr_lb_share COUNTS NAME: NAME's share of the answered connections of a
# count/first map (JSON), in percent (integer).
xr_lb_share()
{
	"$XR_PYTHON" -c '
import json, sys
c = json.loads(sys.argv[1])
tot = sum(v for k, v in c.items() if not k.startswith("!") and k != "-")
print(round(100 * c.get(sys.argv[2], 0) / tot) if tot else 0)' "$1" "$2"
}

# xr_lb_setup dsr|nat [PORT [ARGS...]]: the topology, the router on l0,
# backends resolved and a server on PORT (80) in each of b1-b3 (server
# ARGS: with "{b}" replaced by the backend's name).
xr_lb_setup()
{
	local b port=${2:-80}
	xr_lb_topo "$1"
	xr_lb_attach
	xr_lb_prime_arp
	shift 2 || shift $#
	for b in b1 b2 b3; do
		xr_lb_server_start "$b" "$port" "${@//\{b\}/$b}"
	done
}

# xr_lb_hold_intact NAME CONNS: stop clients NAME (xr_lb_hold_start); every
# one of the CONNS connections opened, none broke or changed backend, every
# message was answered. The summary is left in XR_LB_SUMMARY (call it in
# the main shell, not in $(...)).
XR_LB_SUMMARY=""
xr_lb_hold_intact()
{
	local s
	s=$(xr_lb_hold_stop "$1")
	# shellcheck disable=SC2034  # read by the tests
	XR_LB_SUMMARY=$s
	xr_log "clients $1: $s"
	xr_assert_eq "$(xr_json_get "$s" 'j["connect_failed"]')" 0 "connections that failed to open"
	xr_assert_eq "$(xr_json_get "$s" 'j["broken"]')" 0 "connections broken"
	xr_assert_eq "$(xr_json_get "$s" 'j["switched"]')" 0 "connections answered by more than one backend"
	xr_assert_eq "$(xr_json_get "$s" 'j["answered_all"]')" "$2" "connections with every message answered"
}

# xr_lb_json_settled: `lb show --json` once traffic stopped: read until two
# reads in a row agree (the last packets of closed connections counted, no
# packet counted between two counters of one read).
xr_lb_json_settled()
{
	xr_wait_stable 30 "lb show counters settle" xr_lb_json
}

# xr_lb_maps_digest NS: a digest of router NS's xr_lb_rings and xr_lb_backends
# as bpftool dumps them: equal on nodes with the same configuration
# (docs/scale-out.md).
xr_lb_maps_digest()
{
	local m pin
	pin=$(xr_pin_path "$1")
	for m in xr_lb_rings xr_lb_backends; do
		bpftool map dump pinned "$pin/$m" || xr_fail "cannot dump $m of $1"
	done | sha256sum | cut -c1-16
}
