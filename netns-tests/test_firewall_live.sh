#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The firewall gate follows the kernel's state while flows run (issue 13):
# client - router (xdp-router on both legs, the stateful ruleset of
# test_firewall_common.sh) - server. Phases:
#
# - drop4, drop6: a UDP flow (RATE datagrams/s, sequence numbers) runs
#   through XDP (redirect_fw grows); `nft insert rule ... udp dport 53
#   counter drop` puts a drop before the established accept. Asserts: the
#   last datagram the server received (its kernel receive timestamp) came
#   at most MAX_MS after nft returned, and none later while the drop rule
#   counted 2 * RATE / 10 more (the sender kept sending through 200 ms of
#   drops). Prints the measured delay (MEASURE).
# - flushudp: `conntrack -F` under the UDP flow: the flow goes back to the
#   kernel (pass_fw_new grows), which tracks it anew, and then through XDP
#   again (redirect_fw grows).
# - flushtcp: `conntrack -F` under a TCP bulk flow, with
#   nf_conntrack_tcp_loose=0 (the kernel does not pick a flow up
#   mid-stream) and policy drop: the flow goes back to the kernel
#   (pass_fw_new grows), which drops it; XDP does not keep forwarding it
#   blind: the server receives no byte more and redirect_fw stays where it
#   was while the sender retransmits into the kernel.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"
# shellcheck source=netns-tests/test_firewall_common.sh
. "$XR_LIB_DIR/test_firewall_common.sh"

RATE=${XR_FW_RATE:-2000}
MAX_MS=${XR_FW_MAX_MS:-100}

(($# == 0)) && xr_phases "$0" drop4 drop6 flushudp flushtcp
PHASE=$1

xr_init "fw$PHASE"
xr_need_cli
fw_tools
FLOW="$XR_LIB_DIR/fw_flow.py"

fw_topo x
fw_ruleset x stateful
xr_cli_ok xr attach rc rs >/dev/null

# stat_ge IF OUTCOME N: the outcome's counter on IF reached N.
stat_ge()
{
	(($(xr_stat xr "$1" "$2") >= $3))
}

# rule_count_ge N: the inserted drop rule counted N packets.
rule_count_ge()
{
	local n
	n=$(xr_in xr nft -a list chain inet xrfw forward |
		awk '/udp dport 53 counter/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }')
	((${n:-0} >= $1))
}

# fw_monitor_sees TEXT: a dummy table added and deleted; the nft
# monitor's log shows TEXT.
fw_monitor_sees()
{
	xr_in xr nft add table inet xrfwmon
	xr_in xr nft delete table inet xrfwmon
	grep -q "$1" "$MON"
}

# udp_start DST: the server's receiver and the client's paced sender.
udp_start()
{
	R_OUT="$XR_RUN_DIR/udprecv.json" S_OUT="$XR_RUN_DIR/udpsend.json"
	STOP="$XR_RUN_DIR/stop"
	xr_bg xs "$XR_PYTHON" "$FLOW" udprecv --port 53 --ready "$XR_RUN_DIR/ready" \
		--stop "$STOP" --out "$R_OUT"
	xr_wait_until 30 "UDP receiver ready" test -e "$XR_RUN_DIR/ready"
	xr_bg xc "$XR_PYTHON" "$FLOW" udpsend --dst "$1" --port 53 --rate "$RATE" \
		--stop "$STOP" --out "$S_OUT"
	xr_wait_until 60 "the UDP flow through XDP (redirect_fw on rc >= $RATE)" \
		stat_ge rc redirect_fw "$RATE"
	xr_log "the flow runs through XDP"
}

udp_stop()
{
	touch "$STOP"
	xr_wait_until 30 "the UDP sender's and receiver's reports" \
		test -s "$S_OUT" -a -s "$R_OUT"
}

case $PHASE in
drop4 | drop6)
	dst=$FW_S4
	[[ $PHASE == drop6 ]] && dst=$FW_S6
	xr_step "UDP $RATE/s to $dst:53, then a drop rule before the established accept"
	# nft monitor, stamped: when the kernel announced the commit.
	MON="$XR_RUN_DIR/nft-monitor.log"
	xr_bg_stamped xr "$MON" stdbuf -oL nft monitor
	mon0=$(xr_now_us)
	xr_wait_until 30 "nft monitor subscribed (a dummy table seen)" \
		fw_monitor_sees "add table inet xrfwmon"
	udp_start "$dst"
	ts=$(xr_now_us)
	xr_in xr nft insert rule inet xrfw forward udp dport 53 counter drop ||
		xr_fail "nft insert rule failed"
	t0=$(xr_now_us)
	xr_wait_until 60 "the drop rule counting 200 ms of the flow" \
		rule_count_ge $((RATE / 5))
	udp_stop
	tc=$(xr_stamped_after "$MON" "$mon0" "udp dport 53 counter")
	[[ -n $tc ]] || xr_fail "nft monitor did not show the drop rule"
	res=$("$XR_PYTHON" "$FLOW" last --recv "$R_OUT" --t0 "$t0" \
		--start "$ts" --commit "$tc" --sent "$S_OUT") ||
		xr_fail "cannot read the receiver's report"
	xr_log "receiver: $res"
	ms=$(xr_json_get "$res" 'j["last_ms"]')
	printf 'MEASURE: firewall drop rule (%s): last datagram delivered %s ms after nft returned, %s ms after nft monitor reported the commit, %s ms after nft started (nft took %s ms; %s/s)\n' \
		"$PHASE" "$ms" "$(xr_json_get "$res" 'j["last_ms_after_commit"]')" \
		"$(xr_json_get "$res" 'j["last_ms_after_start"]')" \
		$(((t0 - ts) / 1000)) "$RATE" >&2
	xr_assert_ge "$(xr_json_get "$res" 'j["received"]')" "$RATE" "datagrams delivered before the rule"
	xr_assert_eq "$(xr_json_get "$res" 'j["last_ms"] <= '"$MAX_MS")" True \
		"last delivery ${ms} ms after nft returned, at most $MAX_MS ms"
	xr_assert_eq "$(xr_json_get "$res" 'j["last_seq"] == j["max_seq"]')" True \
		"the last delivered datagram is the highest sequence number delivered"
	xr_assert_ge "$(xr_json_get "$res" 'j["sent"] - j["max_seq"]')" $((RATE / 5)) \
		"datagrams the sender sent after the last one delivered"
	;;
flushudp)
	xr_step "UDP $RATE/s, then conntrack -F"
	udp_start "$FW_S4"
	new0=$(xr_stat xr rc pass_fw_new)
	xr_in xr conntrack -F 2>/dev/null || xr_fail "conntrack -F failed"
	xr_wait_until 30 "the flow back in the kernel (pass_fw_new on rc grows)" \
		stat_ge rc pass_fw_new $((new0 + 1))
	fast0=$(xr_stat xr rc redirect_fw)
	xr_wait_until 30 "the flow through XDP again (redirect_fw on rc +$RATE)" \
		stat_ge rc redirect_fw $((fast0 + RATE))
	xr_assert_ge "$(xr_in xr conntrack -C)" 1 "conntrack tracks the flow again"
	udp_stop
	;;
flushtcp)
	xr_in xr sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0 ||
		xr_fail "cannot set nf_conntrack_tcp_loose"
	xr_step "TCP bulk to $FW_S4:80, then conntrack -F (tcp_loose=0)"
	xr_bg xs "$XR_PYTHON" "$FLOW" tcpsink --port 80
	xr_wait_tcp_listen xs 80
	xr_bg xc "$XR_PYTHON" "$FLOW" tcpsend --dst "$FW_S4" --port 80
	xr_wait_until 60 "the TCP flow through XDP (redirect_fw on rc >= 2000)" \
		stat_ge rc redirect_fw 2000
	# srv_bytes: what the server's socket received.
	srv_bytes()
	{
		xr_in xs ss -Htin state established '( sport = :80 )' |
			grep -o 'bytes_received:[0-9]*' | cut -d: -f2
	}
	new0=$(xr_stat xr rc pass_fw_new)
	xr_in xr conntrack -F 2>/dev/null || xr_fail "conntrack -F failed"
	xr_wait_until 30 "the flow back in the kernel (pass_fw_new on rc +3)" \
		stat_ge rc pass_fw_new $((new0 + 3))
	b1=$(srv_bytes) f1=$(xr_stat xr rc redirect_fw) n1=$(xr_stat xr rc pass_fw_new)
	# Two more of the sender's retransmissions (RTO backoff: >= 0.6 s).
	xr_wait_until 60 "the sender's retransmissions reaching the kernel (pass_fw_new on rc +2)" \
		stat_ge rc pass_fw_new $((n1 + 2))
	b2=$(srv_bytes) f2=$(xr_stat xr rc redirect_fw)
	xr_log "server bytes $b1 -> $b2, redirect_fw $f1 -> $f2, pass_fw_new $new0 -> $(xr_stat xr rc pass_fw_new)"
	xr_assert_eq "$f2" "$f1" "redirect_fw on rc after the flush (XDP forwarded nothing blind)"
	xr_assert_eq "$b2" "$b1" "bytes the server received after the flush"
	xr_assert_eq "$(xr_in xr conntrack -L -p tcp 2>/dev/null | grep -c ESTABLISHED)" 0 \
		"established TCP entries (the kernel did not pick the flow up)"
	;;
*) xr_fail "unknown phase '$PHASE'" ;;
esac
