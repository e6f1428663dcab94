#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The load balancer in NAT mode end to end (nat.yaml: VIP 10.0.0.200:80 to
# the backends' port 8080, weights 1:1:2). The backends route everything via
# LB, which translates their replies back and routes them on to the client.
#
# Asserts:
# - CONNS connections from fixed source ports, a line every 0.4 s, b3
#   drained after 2 rounds, then 2 more (counted, however long they take): all open, every message answered (on b3 too), each
#   by one backend throughout;
# - the backends saw the client's real address and port (no source NAT) and
#   their own address and port 8080 as local (destination NAT);
# - a capture on the client's interface: every TCP packet the client
#   received came from VIP:80 (the client only ever sees the VIP) - at least
#   one per message - with valid IP and TCP checksums; nothing from a
#   backend's address;
# - the spread follows the weights (+-SPREAD_TOL points);
# - counters: conn misses about one per connection, replies translated
#   (the VIP's reply_packets) at least one per message, and exactly the
#   packets the client received.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

CONNS=${XR_LB_CONNS:-200}
SPREAD_TOL=${XR_LB_SPREAD_TOL:-10}
VIP=$XR_LB_NAT_VIP

xr_init lbnat tcpdump
xr_lb_setup nat 8080
xr_lb_apply "$XR_LB_FIXTURES/nat.yaml"
j=$(xr_lb_json)
xr_assert_eq "$(xr_lb_q "$j" 'vip("api")["mode"]')" nat "VIP api's mode"
miss0=$(xr_lb_q "$j" 'vc("api", "conn_miss")')
rep0=$(xr_lb_q "$j" 'vc("api", "reply_packets")')

# pcap_has_replies N: the capture holds >= N TCP packets to the client.
pcap_has_replies()
{
	(($(tcpdump -r "$PCAP" -n "tcp and dst host $XR_LB_CLIENT" 2>/dev/null |
		wc -l) >= $1))
}

xr_step "capture on the client; $CONNS connections to $VIP:80"
PCAP="$XR_RUN_DIR/client.pcap"
xr_bg a timeout 60 tcpdump -i a0 -n -U --immediate-mode -s 128 -w "$PCAP" tcp \
	2>"$XR_RUN_DIR/tcpdump.log"
TCPDUMP_PID=$XR_BG_PID
xr_wait_until 30 "tcpdump listening" grep -q "listening on" "$XR_RUN_DIR/tcpdump.log"
xr_lb_hold_start nat --dst "$VIP" --port 80 --conns "$CONNS" \
	--sport-base 20000 --interval 0.4
xr_lb_hold_wait nat 2
# Drained mid-way: b3's NAT connections (both directions) keep working.
xr_cli_ok lb lb set-backend api 10.9.0.13 --state drain >/dev/null
xr_log "b3 drained, connections open"
xr_lb_hold_more nat 2
xr_lb_hold_intact nat "$CONNS"
s=$XR_LB_SUMMARY
rounds=$(xr_json_get "$s" 'j["rounds"]')
xr_assert_ge "$rounds" 4 "rounds of messages"
# Every reply the load balancer translated is in the capture before it
# stops (tcpdump drops what it has not read yet when interrupted).
rep=$(xr_lb_q "$(xr_lb_json_settled)" 'vc("api", "reply_packets")')
xr_wait_until 30 "the capture holds the $((rep - rep0)) translated replies" \
	pcap_has_replies $((rep - rep0))
kill -INT "$TCPDUMP_PID"
xr_wait_pid_gone "$TCPDUMP_PID" 5 || xr_fail "tcpdump did not stop"

xr_step "the backends saw the client's real address and port"
bad=$("$XR_PYTHON" -c '
import json, sys
rep, client = json.load(open(sys.argv[1])), sys.argv[2]
locs = {f"10.9.0.1{i}:8080" for i in (1, 2, 3)}
bad = [c for c in rep["conns"]
       if c["peer"] != f"{client}:{c['"'"'sport'"'"']}" or c["local"] not in locs
       or c["local"] != f"10.9.0.1{c['"'"'answers'"'"'][0][1:]}:8080"]
print(len(bad), bad[:2] if bad else "")' "$XR_RUN_DIR/hold-nat.json" "$XR_LB_CLIENT")
xr_assert_eq "$bad" "0 " "connections whose backend saw another peer or local address"

xr_step "the client saw only the VIP"
cap=$("$XR_PYTHON" - "$PCAP" "$XR_LB_CLIENT" "$VIP" <<'PY' 2>&1
import json, sys
from scapy.all import IP, TCP, rdpcap
pcap, client, vip = sys.argv[1:4]
r = {"in": 0, "from_vip": 0, "other": [], "bad_csum": 0, "out": 0, "kinds": {}}
for p in rdpcap(pcap):
    if IP not in p or TCP not in p:
        continue
    ip = p[IP]
    if ip.src == client:
        r["out"] += 1
        continue
    if ip.dst != client:
        continue
    r["in"] += 1
    k = str(ip[TCP].flags) + ("+data" if len(ip[TCP].payload) else "")
    r["kinds"][k] = r["kinds"].get(k, 0) + 1
    if ip.src == vip and ip[TCP].sport == 80:
        r["from_vip"] += 1
    elif len(r["other"]) < 5:
        r["other"].append(f"{ip.src}:{ip[TCP].sport}")
    c = IP(bytes(ip))
    ic, tc = c.chksum, c[TCP].chksum
    del c.chksum
    del c[TCP].chksum
    c = IP(bytes(c))
    if (ic, tc) != (c.chksum, c[TCP].chksum):
        r["bad_csum"] += 1
print(json.dumps(r))
PY
) || xr_fail "cannot read the capture: $cap"
cap=$(tail -n 1 <<<"$cap")
xr_log "capture: $cap"
n_in=$(xr_json_get "$cap" 'j["in"]')
xr_assert_ge "$n_in" $((CONNS * (rounds + 1))) "packets to the client (SYN-ACK + one per message)"
xr_assert_eq "$(xr_json_get "$cap" 'j["from_vip"]')" "$n_in" "packets to the client from $VIP:80"
xr_assert_eq "$(xr_json_get "$cap" 'j["bad_csum"]')" 0 "packets to the client with a bad checksum"

xr_step "spread follows the weights 1:1:2 (+-$SPREAD_TOL points)"
first=$(xr_json_get "$s" 'j["first"]')
for pair in "b1 25" "b2 25" "b3 50"; do
	read -r b want <<<"$pair"
	share=$(xr_lb_share "$first" "$b")
	xr_log "$b: $share % (weight share $want %)"
	xr_assert_ge "$share" $((want - SPREAD_TOL)) "$b's share of connections (%)"
	xr_assert_lt "$share" $((want + SPREAD_TOL + 1)) "$b's share of connections (%)"
done

xr_step "counters"
j=$(xr_lb_json_settled)
miss=$(($(xr_lb_q "$j" 'vc("api", "conn_miss")') - miss0))
rep=$(($(xr_lb_q "$j" 'vc("api", "reply_packets")') - rep0))
xr_log "conn misses +$miss, replies translated +$rep"
xr_lb_assert_misses "$miss" "$CONNS"
xr_assert_ge "$rep" $((CONNS * (rounds + 1))) "replies translated back"
xr_assert_eq "$n_in" "$rep" "packets the client received = replies translated"
