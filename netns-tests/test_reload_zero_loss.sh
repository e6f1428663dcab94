#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# `reload` under traffic: the program is swapped, the maps and packets stay.
#
# Phase "route" (A - R - B, R in table lookup mode with routes from
# `populate`, routing on CPUs 0,1 through a cpumap (attach --cpus)):
# - a paced UDP stream of numbered datagrams A -> B (at least N, until
#   R has reloaded RELOADS times, all of them under traffic): nothing dropped on the way (A's tx, the veths'
#   ethtool drop and error counters, B's socket), B receives every one of
#   them, and R's XDP path forwarded all of them
#   (redirect counter), so the mirrored routes were there throughout;
# - every reload gave a new program id, status shows the last one on both
#   interfaces, the pinned maps are the same maps (ids), the interface
#   counters kept counting (never reset), a `populate --watch` running
#   across the reloads still mirrors a new route, and a re-run of
#   `populate` finds nothing to add (the routes survived);
# - a pinned map whose size does not fit this build is refused with one
#   clear error, and nothing changes (same program, still forwarding);
# - (strace fault injection) a reload whose last step fails puts the old
#   program back on every interface and leaves the pins as they were; one
#   SIGKILLed between the switch and the rename of the pin (also with only
#   some interfaces switched) is finished by the next reload: one program
#   on every interface, pinned.
# Phase "lb" (the one-legged load balancer, DSR VIP, dsr.yaml):
# - CONNS long-lived TCP connections through the VIP while the router
#   reloads RELOADS times: none broke, none changed backend, every
#   message answered; the VIP's connection-table hits kept growing and
#   no held connection missed the table (conn_miss unchanged: the table
#   survived), and the VIP's packet counter never went down (read right
#   before and right after every reload: never reset).
#
# Without an argument both phases run, each in namespaces of its own.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

RATE=${XR_RELOAD_RATE:-20000}	# packets a second
SECS=${XR_RELOAD_SECS:-5}
RELOADS=${XR_RELOADS:-5}
CPUS=${XR_RELOAD_CPUS-0,1}	# attach --cpus ("": without)
CONNS=${XR_LB_CONNS:-100}
N=$((RATE * SECS))
PORT=9000

[[ $# == 0 ]] && xr_phases "$0" route lb

# reload_n NS [CHECK]: RELOADS x `reload --force`, ~SECS/(RELOADS+1) apart;
# logs the times and leaves the program ids in RELOAD_IDS. CHECK (a
# command) runs right before and right after each reload.
RELOAD_IDS=()
reload_n()
{
	local i out gap
	gap=$(awk -v s="$SECS" -v n="$RELOADS" 'BEGIN { printf "%.2f", s / (n + 1) }')
	for ((i = 1; i <= RELOADS; i++)); do
		sleep "$gap"
		${2:+"$2"}
		out=$(xr_cli_ok "$1" --json reload --force)
		${2:+"$2"}
		RELOAD_IDS+=("$(xr_json_get "$out" 'j["prog_id"]')")
		xr_log "reload $i: $(xr_json_get "$out" \
			'"prog %d, load %.1f ms, switch %.1f ms" % (j["prog_id"], j["load_ms"], j["switch_ms"])')"
	done
}

# drops NS IF: the sum of IF's `ethtool -S` drop and error counters (veth:
# rx drops, XDP drops, XDP_TX and ndo_xdp_xmit errors).
drops()
{
	xr_in "$1" ethtool -S "$2" |
		awk '$1 ~ /(drops|errors):$/ { s += $2 } END { print s + 0 }'
}

# tx_dropped NS IF: IF's tx dropped counter (ip -s link).
tx_dropped()
{
	xr_json_get "$(xr_in "$1" ip -s -j link show "$2")" 'j[0]["stats64"]["tx"]["dropped"]'
}

# drop_snapshot: "a0-tx ra rb b0" drop counters of the stream's path.
drop_snapshot()
{
	echo "$(tx_dropped a a0) $(drops r ra) $(drops r rb) $(drops b b0)"
}

distinct()
{
	printf '%s\n' "$@" | sort -u | wc -l
}

# pinned_map_id NS NAME: the id of the map pinned as NAME in router NS.
pinned_map_id()
{
	bpftool -j map show pinned "$(xr_pin_path "$1")/$2" |
		"$XR_PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}

phase_route()
{
	local f maps=(xr_routes_v4 xr_dir24_v4 xr_dir8_v4 xr_ifaces_arr xr_lb_conns xr_tx_ports)
	local ids0 ids1 red0 red1 out m id0 id1 sent

	xr_init rld bpftool
	f="$XR_RUN_DIR/flow"
	xr_need_cli
	xr_topo ab
	# --cpus: the new program comes with its own cpumap, whose kthreads are
	# new: on this loaded machine they may wait tens of ms for a CPU at
	# first, hence queues longer than the default 2048 frames.
	xr_cli_ok r attach --lookup table --max-routes-v4 1024 \
		--max-routes-v6 1024 ${CPUS:+--cpus "$CPUS" --cpu-qsize 8192} \
		ra rb >/dev/null
	# Through the kernel first (the table is empty): neighbours resolved.
	xr_ping a "$(xr_ip4 b)" 2
	xr_populate r >/dev/null
	xr_ping a "$(xr_ip4 b)" 2
	# A watcher runs across the reloads: it works on the maps, which stay.
	xr_watch_start r 10.2.0.0/24
	id0=$(xr_xdp_prog_id r ra)
	ids0=$(for m in "${maps[@]}"; do pinned_map_id r "$m"; done)
	local drops0 drops1 i where=(a0-tx ra rb b0)
	read -r -a drops0 <<<"$(drop_snapshot)"

	xr_step ">= $N datagrams A -> B at $RATE/s, $RELOADS reloads meanwhile"
	red0=$(xr_stat r ra redirect)
	# The sender runs until every reload is done (however long they take
	# on a busy machine), and at least N; the receiver counts against the
	# sender's own report of what it sent.
	xr_bg b "$XR_PYTHON" "$XR_LIB_DIR/seqflow.py" recv --port "$PORT" \
		--sent "$f.sent" --ready "$f.ready" --out "$f.json"
	xr_wait_until 30 "receiver ready" test -e "$f.ready"
	xr_bg a "$XR_PYTHON" "$XR_LIB_DIR/seqflow.py" send --dst "$(xr_ip4 b)" \
		--port "$PORT" --stop "$f.stop" --at-least "$N" --rate "$RATE" >"$f.sent"
	local sender=$XR_BG_PID
	reload_n r
	touch "$f.stop"
	xr_wait_pid_gone "$sender" $((SECS * 4 + 60)) || xr_fail "sender still running"
	xr_wait_until 60 "receiver's report" test -s "$f.json"
	out=$(cat "$f.json")
	xr_log "sender: $(cat "$f.sent"); receiver: $out"
	# Where a loss would show: the veths' XDP drops, the cpumap queues.
	xr_log "drops: ra $(xr_in r ethtool -S ra | grep -E 'drops|errors' | awk '$2 { printf "%s%s ", $1, $2 }')" \
		"b0 $(xr_in b ethtool -S b0 | grep -E 'drops|errors' | awk '$2 { printf "%s%s ", $1, $2 }')" \
		"a0 $(xr_in a ip -s -j link show a0 | xr_json_get "$(cat)" 'j[0]["stats64"]["tx"]["dropped"]')" \
		"cpus $(xr_json_get "$(xr_cli_ok r --json status)" '[c["steer_failed"] for c in j[0].get("cpu_stats", [])]')"
	# A loss names its cause first: the sender's qdisc, a veth, the socket.
	read -r -a drops1 <<<"$(drop_snapshot)"
	for i in "${!where[@]}"; do
		xr_assert_eq $((drops1[i] - drops0[i])) 0 "drops counted on ${where[i]} during the stream"
	done
	xr_assert_eq "$(xr_json_get "$out" 'j["socket_drops"]')" 0 "datagrams the receiver's socket dropped"
	xr_assert_eq "$(xr_json_get "$out" 'j["missing"]')" 0 "datagrams lost across $RELOADS reloads"
	sent=$(xr_json_get "$(cat "$f.sent")" 'j["sent"]')
	xr_assert_ge "$sent" "$N" "datagrams sent"
	xr_assert_eq "$(xr_json_get "$out" 'j["unique"]')" "$sent" "datagrams received (all sent)"
	red1=$(xr_stat r ra redirect)
	xr_assert_ge $((red1 - red0)) "$sent" "datagrams R's XDP path forwarded (table routes)"

	xr_step "new program, same maps"
	xr_assert_eq "$(distinct "$id0" "${RELOAD_IDS[@]}")" $((RELOADS + 1)) "distinct program ids"
	xr_assert_eq "$(xr_xdp_prog_id r ra)" "${RELOAD_IDS[-1]}" "program on ra"
	xr_assert_eq "$(xr_xdp_prog_id r rb)" "${RELOAD_IDS[-1]}" "program on rb"
	if [[ -n $CPUS ]]; then
		out=$(xr_cli_ok r --json status)
		xr_assert_ge "$(xr_json_get "$out" 'sum(c["processed"] for c in j[0]["cpu_stats"])')" \
			"$sent" "packets the cpumap program routed (its counters kept)"
	fi
	out=$(xr_cli_ok r --json status)
	xr_assert_eq "$(xr_json_get "$out" '",".join(str(i["prog_id"]) for i in j)')" \
		"${RELOAD_IDS[-1]},${RELOAD_IDS[-1]}" "status: program ids"
	ids1=$(for m in "${maps[@]}"; do pinned_map_id r "$m"; done)
	xr_assert_eq "$(echo $ids1)" "$(echo $ids0)" "ids of the pinned maps (${maps[*]})"
	ip -n "$(xr_ns r)" route add 10.99.0.0/24 via 10.2.0.2
	xr_wait_until 30 "the watcher's new route after the reloads" \
		xr_map_has_prefix r 10.99.0.0/24
	xr_watch_stop
	out=$(xr_cli_ok r --json populate)
	xr_assert_eq "$(xr_json_get "$out" 'j["changes"]["routes"]["added"] + j["changes"]["routes"]["removed"]')" \
		0 "routes populate had to add or remove after the reloads"

	xr_step "a pinned map this build cannot use: refused, nothing changes"
	local pin conf_id vsize
	pin=$(xr_pin_path r)
	conf_id=$(pinned_map_id r xr_lb_conf)
	vsize=$(bpftool -j map show id "$conf_id" |
		"$XR_PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["bytes_value"])')
	rm "$pin/xr_lb_conf"
	bpftool map create "$pin/xr_lb_conf" type array key 4 value "$vsize" \
		entries 7 name xr_lb_conf || xr_fail "cannot create the odd map"
	xr_cli_err r reload --force
	# Refused when the pins are opened (pin_check.c) or by reload's own
	# check of the maps it reuses: either way naming the map.
	[[ $XR_ERR == *xr_lb_conf* ]] ||
		xr_fail "the error does not name the map: $XR_ERR"
	xr_assert_eq "$(xr_xdp_prog_id r ra)" "${RELOAD_IDS[-1]}" "program on ra after the refused reload"
	xr_assert_empty "$(ls "$pin" | grep -v '^xr_' || true)" "nothing but the router's pins left"
	rm "$pin/xr_lb_conf"
	bpftool map pin id "$conf_id" "$pin/xr_lb_conf"
	red0=$(xr_stat r ra redirect)
	xr_ping a "$(xr_ip4 b)" 3
	xr_assert_ge $(($(xr_stat r ra redirect) - red0)) 3 "forwarded by XDP after the refused reload"
	xr_cli_ok r reload --force >/dev/null
	xr_log "reload works again with the router's own map"

	# scripts/deps.sh installs strace: without it this test is not complete.
	command -v strace >/dev/null ||
		xr_fail "strace not installed (scripts/deps.sh installs it): the fault injection steps cannot run"
	xr_step "a reload failing at its last step (rename, injected) is rolled back"
	id0=$(xr_xdp_prog_id r ra)
	reload_injected error=EIO && xr_fail "reload succeeded despite the injected error"
	xr_assert_eq "$(xr_xdp_prog_id r ra) $(xr_xdp_prog_id r rb) $(pinned_prog_id)" \
		"$id0 $id0 $id0" "programs on ra, rb and pinned after the rollback"
	xr_assert_empty "$(ls "$pin" | grep _new || true)" "staged pin left"

	xr_step "a reload killed between the switch and the rename is finished"
	reload_injected signal=KILL && xr_fail "reload survived SIGKILL"
	id1=$(xr_xdp_prog_id r ra)
	xr_assert_ne "$id1" "$id0" "program on ra after the killed reload"
	xr_assert_eq "$(pinned_prog_id)" "$id0" "pinned program after the killed reload"
	xr_cli r status 2>&1 >/dev/null | grep -q "reload was interrupted" ||
		xr_fail "status does not say that a reload was interrupted"
	xr_log "ok: status says a reload was interrupted"
	# As if it had been killed between the two interfaces: rb on the old.
	ip -force -n "$(xr_ns r)" link set dev rb xdpdrv pinned "$pin/xr_prog" ||
		xr_fail "cannot put the old program back on rb"
	xr_assert_eq "$(xr_xdp_prog_id r ra) $(xr_xdp_prog_id r rb)" "$id1 $id0" \
		"programs on ra, rb, half switched"
	out=$(xr_cli_ok r --json reload)
	xr_assert_eq "$(xr_json_get "$out" 'j["reloaded"]')" False "reload after it (this build already runs)"
	xr_assert_eq "$(xr_xdp_prog_id r ra) $(xr_xdp_prog_id r rb) $(pinned_prog_id)" \
		"$id1 $id1 $id1" "programs on ra, rb and pinned after the next reload"
	xr_assert_empty "$(ls "$pin" | grep _new || true)" "staged pin left"
	xr_ping a "$(xr_ip4 b)" 2
}

# reload_injected WHAT: `reload --force` in R with strace injecting WHAT
# (error=E... or signal=...) into its rename(2) of the staged pin.
reload_injected()
{
	local rc=0
	xr_in r strace -f -qq -o /dev/null -e trace=rename \
		-e inject=rename:"$1" "$XR_CLI" --pin-path "$(xr_pin_path r)" \
		reload --force >"$XR_RUN_DIR/inj.out" 2>&1 || rc=$?
	xr_log "reload with rename:$1 exited $rc: $(cat "$XR_RUN_DIR/inj.out")"
	return "$rc"
}

pinned_prog_id()
{
	bpftool -j prog show pinned "$(xr_pin_path r)/xr_prog" |
		"$XR_PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}

# vip_packets_on: the VIP's packet counter must never go down (a reload
# that reset it would); VIP_PK holds the last value read.
VIP_PK=0
vip_packets_on()
{
	local pk
	pk=$(xr_lb_q "$(xr_lb_json)" "vc('web', 'packets')")
	xr_assert_ge "$pk" "$VIP_PK" "VIP packet counter (last read $VIP_PK)"
	VIP_PK=$pk
}

phase_lb()
{
	local out hit0 miss0 pk0 hit1 miss1 pk1

	xr_init rldlb
	xr_need_cli
	xr_lb_setup dsr
	xr_lb_apply "$XR_LB_FIXTURES/dsr.yaml"

	xr_step "$CONNS long-lived connections through the VIP, $RELOADS reloads"
	xr_lb_hold_start held --dst "$XR_LB_VIP" --port 80 --conns "$CONNS" \
		--sport-base 20000 --interval 0.3
	out=$(xr_lb_json)
	hit0=$(xr_lb_q "$out" "vc('web', 'conn_hit')")
	miss0=$(xr_lb_q "$out" "vc('web', 'conn_miss')")
	pk0=$(xr_lb_q "$out" "vc('web', 'packets')")
	VIP_PK=$pk0
	reload_n lb vip_packets_on
	xr_lb_hold_more held 1	# a round of messages on every connection after the last
	out=$(xr_lb_json)
	hit1=$(xr_lb_q "$out" "vc('web', 'conn_hit')")
	miss1=$(xr_lb_q "$out" "vc('web', 'conn_miss')")
	pk1=$(xr_lb_q "$out" "vc('web', 'packets')")
	xr_lb_hold_intact held "$CONNS"
	xr_assert_eq "$miss1" "$miss0" "connection-table misses during the reloads"
	xr_assert_ge $((hit1 - hit0)) "$CONNS" "connection-table hits during the reloads"
	xr_assert_ge $((pk1 - pk0)) "$CONNS" "VIP packets counted on (not reset)"
	xr_assert_eq "$(distinct "${RELOAD_IDS[@]}")" "$RELOADS" "distinct program ids"
}

case $1 in
route) phase_route ;;
lb) phase_lb ;;
*) echo "usage: $0 [route|lb]" >&2; exit 2 ;;
esac
