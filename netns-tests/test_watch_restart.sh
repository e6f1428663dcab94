#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The watchers and the CLI can be SIGKILLed at any moment: forwarding goes
# on, the maps stay consistent, and the next run converges.
#
# Phase "route" (A - R - B/C, R in table lookup mode), a paced UDP stream
# A -> B running throughout:
# - `populate --watch` killed -9; meanwhile 10.77.0.0/24 moves from B to C
#   and 10.88.0.0/24 appears; restarted, the maps mirror the kernel again
#   and pings to 10.77.0.5 reach C (its ICMP counter; B's stays), forwarded
#   by the XDP path;
# - a one-shot `populate` of ROUTES new routes (half of them over a new
#   ECMP group), and then of their removal, killed -9 at increasing
#   delays: after every kill no route points to a missing nexthop or group
#   (mapcheck.py), at least one kill landed midway (the map held some but
#   not all), and the next run converges;
# - the stream lost nothing and the XDP path forwarded all of it.
# Phase "lb" (DSR VIP, dsr.yaml), CONNS long-lived connections throughout:
# - `lb watch FILE` killed -9; meanwhile FILE gets b1's weight 3 and a
#   second VIP; restarted, lb show has both;
# - `lb apply` of VIPS VIPs killed -9 after a delay that adapts until one
#   landed midway (the maps held some VIPs but not all): lb show works
#   after every kill, every VIP it shows has its whole Maglev ring filled
#   by its own backends, and the next apply converges;
# - no held connection broke or changed backend.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

RATE=${XR_WATCH_RATE:-5000}
ROUTES=${XR_WATCH_ROUTES:-20000}
CONNS=${XR_LB_CONNS:-60}
VIPS=${XR_WATCH_VIPS:-30}
PORT=9000

[[ $# == 0 ]] && xr_phases "$0" route lb

# kill9 PID: SIGKILL and reap.
kill9()
{
	kill -9 "$1" 2>/dev/null || true
	xr_wait_pid_gone "$1" 5 || xr_fail "pid $1 survived SIGKILL"
}

icmp_in()
{
	xr_snmp "$1" Icmp:InEchos
}

mapcheck()
{
	xr_in r "$XR_PYTHON" "$XR_LIB_DIR/mapcheck.py" "$@"
}

v4_routes()
{
	xr_json_get "$(mapcheck check "$(xr_pin_path r)")" 'j["routes_v4"]'
}

# table100: main's IPv4 routes plus ROUTES /32 routes in 10.100.0.0/16..,
# every other one over the ECMP group B + C (new nexthops and a new group).
# `populate --table 100` and `populate` then move the maps between the two
# without touching the kernel.
table100()
{
	{
		ip -n "$(xr_ns r)" -4 route show table main |
			sed 's/^\([^ ]*\)/route add \1 table 100/'
		"$XR_PYTHON" -c '
import sys
for i in range(int(sys.argv[1])):
    dst = "10.%d.%d.%d/32" % (100 + i // 65536, i // 256 % 256, i % 256)
    via = "nexthop via 10.2.0.2 nexthop via 10.3.0.2" if i % 2 else "via 10.3.0.2"
    print(f"route add {dst} table 100 {via}")' "$ROUTES"
	} | ip -n "$(xr_ns r)" -batch - || xr_fail "cannot fill table 100"
}

phase_route()
{
	local f out sent c0 b0 red0 red1 low high

	xr_init wrst bpftool
	xr_need_cli
	f="$XR_RUN_DIR/flow"
	xr_topo abc
	xr_cli_ok r attach --lookup table --max-routes-v4 $((ROUTES + 1024)) \
		--max-routes-v6 1024 ra rb rc >/dev/null
	xr_addr b lo 10.77.0.5/32
	xr_addr c lo 10.77.0.5/32
	ip -n "$(xr_ns r)" route add 10.77.0.0/24 via 10.2.0.2
	xr_ping a "$(xr_ip4 b)" 2
	xr_ping a "$(xr_ip4 c)" 2
	xr_watch_start r 10.77.0.0/24

	xr_step "a stream A -> B at $RATE/s throughout"
	xr_bg b "$XR_PYTHON" "$XR_LIB_DIR/seqflow.py" recv --port "$PORT" \
		--ready "$f.ready" --out "$f.json"
	xr_wait_until 30 "receiver ready" test -e "$f.ready"
	red0=$(xr_stat r ra redirect)
	xr_bg a "$XR_PYTHON" "$XR_LIB_DIR/seqflow.py" send --dst "$(xr_ip4 b)" \
		--port "$PORT" --stop "$f.stop" --rate "$RATE" >"$f.sent"
	local sender=$XR_BG_PID

	xr_step "populate --watch killed; routes change while it is dead"
	kill9 "$XR_WATCH_PID"
	ip -n "$(xr_ns r)" route replace 10.77.0.0/24 via 10.3.0.2
	ip -n "$(xr_ns r)" route add 10.88.0.0/24 via 10.3.0.2
	xr_watch_start r 10.88.0.0/24
	xr_wait_maps_match r 10
	xr_log "ok: the restarted watcher resynced the changes"
	c0=$(icmp_in c)
	b0=$(icmp_in b)
	xr_ping a 10.77.0.5 5
	xr_assert_ge $(($(icmp_in c) - c0)) 5 "pings to 10.77.0.5 answered by C"
	xr_assert_eq "$(icmp_in b)" "$b0" "pings to 10.77.0.5 answered by B"

	xr_step "one-shot populate of $ROUTES routes killed midway, both ways"
	kill9 "$XR_WATCH_PID"
	table100
	xr_populate r --table 100 >/dev/null
	high=$(v4_routes)
	xr_populate r >/dev/null
	low=$(v4_routes)
	xr_assert_eq $((high - low)) "$ROUTES" "routes table 100 adds"
	out=$(mapcheck kills "$(xr_pin_path r)" --cli "$XR_CLI" --low "$low" \
		--high "$high" --up "--table 100") ||
		xr_fail "maps inconsistent after a killed populate: $out"
	xr_log "killed populates: $out"
	xr_assert_ge "$(xr_json_get "$out" 'j["midway_up"]')" 1 "kills while populate was adding routes"
	xr_assert_ge "$(xr_json_get "$out" 'j["midway_down"]')" 1 "kills while populate was removing routes"
	xr_watch_start r 10.88.0.0/24
	xr_wait_maps_match r 20
	xr_assert_eq "$(v4_routes)" "$low" "IPv4 routes after the watcher's resync"
	out=$(mapcheck check "$(xr_pin_path r)") || xr_fail "maps inconsistent: $out"

	xr_step "the stream"
	touch "$f.stop"
	xr_wait_pid_gone "$sender" 10 || xr_fail "sender still running"
	xr_wait_until 60 "receiver's report" test -s "$f.json"
	sent=$(xr_json_get "$(cat "$f.sent")" 'j["sent"]')
	out=$(cat "$f.json")
	xr_log "sender: $(cat "$f.sent"); receiver: $out"
	xr_assert_eq "$(xr_json_get "$out" 'j["socket_drops"]')" 0 "datagrams the receiver's socket dropped"
	xr_assert_eq "$(xr_json_get "$out" 'j["unique"]')" "$sent" "datagrams received (of $sent)"
	red1=$(xr_stat r ra redirect)
	xr_assert_ge $((red1 - red0)) "$sent" "packets R's XDP path forwarded from A"
	xr_watch_stop
}

# lb_watch_start FILE: `lb watch FILE` in LB in the background (pid in
# LBW_PID); returns once VIP web is in the maps.
lb_watch_start()
{
	xr_bg lb "$XR_CLI" --pin-path "$(xr_pin_path lb)" lb watch "$1" \
		>>"$XR_RUN_DIR/lbwatch.log" 2>&1
	LBW_PID=$XR_BG_PID
	xr_wait_until 60 "lb watch applied $1" lb_has "vip('web')"
}

# lb_has PYEXPR: PYEXPR is true on lb show --json.
lb_has()
{
	[[ $("$XR_PYTHON" "$XR_LIB_DIR/lb_json.py" "$(xr_cli lb --json lb show)" \
		"bool($1)" 2>/dev/null) == True ]]
}

# big_config N: dsr.yaml plus N more VIPs (10.0.1.1.. port 80, b1 + b2).
big_config()
{
	cat "$XR_LB_FIXTURES/dsr.yaml"
	local i
	for ((i = 1; i <= $1; i++)); do
		cat <<-EOF
		  - name: v$i
		    address: 10.0.1.$i
		    port: 80
		    protocol: tcp
		    mode: dsr
		    backends:
		      - { address: 10.9.0.11, weight: 1 }
		      - { address: 10.9.0.12, weight: 1 }
		EOF
	done
}

phase_lb()
{
	local cfg big small pid n out

	xr_init wrstlb
	cfg="$XR_RUN_DIR/lb.yaml"
	big="$XR_RUN_DIR/big.yaml"
	small="$XR_RUN_DIR/small.yaml"
	xr_need_cli
	xr_lb_setup dsr
	cp "$XR_LB_FIXTURES/dsr.yaml" "$cfg"
	lb_watch_start "$cfg"
	xr_lb_hold_start held --dst "$XR_LB_VIP" --port 80 --conns "$CONNS" \
		--sport-base 20000 --interval 0.3

	xr_step "lb watch killed; the file changes while it is dead"
	kill9 "$LBW_PID"
	big_config 1 | sed 's/{ address: 10.9.0.11, weight: 1 }/{ address: 10.9.0.11, weight: 3 }/' >"$cfg.new"
	mv "$cfg.new" "$cfg"
	lb_watch_start "$cfg"
	xr_wait_until 60 "the restarted lb watch applied the edited file" \
		lb_has "weight('web', '10.9.0.11') == 3 and vip('v1')"
	xr_log "ok: the restarted lb watch applied b1's weight 3 and VIP v1"
	kill9 "$LBW_PID"

	xr_step "lb apply of $VIPS VIPs killed midway"
	big_config "$VIPS" >"$big"
	big_config 1 >"$small"
	# The kill's delay adapts (like mapcheck.py kills): shorter after an
	# apply that finished, longer after one that wrote nothing yet, so it
	# lands midway on a fast box and under ASan alike (XR_WATCH_KILL_MS:
	# the first delay).
	local midway=0 tries=0 delay_ms=${XR_WATCH_KILL_MS:-20}
	n=$(xr_lb_q "$(xr_lb_json)" 'len(vips())')
	while ((tries < 30)); do
		tries=$((tries + 1))
		((n == 2)) || xr_lb_apply "$small"	# start from web + v1
		xr_bg lb "$XR_CLI" --pin-path "$(xr_pin_path lb)" lb apply "$big" \
			>/dev/null 2>&1
		pid=$XR_BG_PID
		sleep "$((delay_ms / 1000)).$(printf '%03d' $((delay_ms % 1000)))"
		kill9 "$pid"
		out=$(xr_lb_json)
		n=$(xr_lb_q "$out" 'len(vips())')
		# A VIP is visible only with its whole ring filled, by its backends.
		xr_assert_eq "$(xr_lb_q "$out" 'all(v["ring"]["used"] == v["ring"]["size"] == sum(b["ring_slots"] for b in v["backends"]) for v in vips())')" \
			True "every visible VIP's ring full, of its own backends"
		xr_log "ok: lb apply killed after ${delay_ms} ms: lb show works, $n VIPs"
		if ((n > 2 && n < VIPS + 1)); then
			midway=1
			break
		elif ((n == VIPS + 1)); then
			delay_ms=$((delay_ms * 6 / 10))	# it finished: kill sooner
		else
			delay_ms=$((delay_ms * 3 / 2 + 1))	# nothing written yet
		fi
	done
	xr_assert_eq "$midway" 1 "a kill landed while lb apply was adding VIPs"
	xr_lb_apply "$big"
	xr_assert_eq "$(xr_lb_q "$(xr_lb_json)" 'len(vips())')" $((VIPS + 1)) \
		"VIPs after the next apply"

	xr_lb_hold_intact held "$CONNS"
}

case $1 in
route) phase_route ;;
lb) phase_lb ;;
*) echo "usage: $0 [route|lb]" >&2; exit 2 ;;
esac
