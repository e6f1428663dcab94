#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The firewall gate keeps conntrack's entry alive while XDP carries its flow
# (kern/firewall.h, fw_refresh()): the kernel sees none of the packets, so
# without the refresh the entry would expire and the flow fall back to the
# kernel as a new one.
#
# A - R - B with a stateful ruleset (policy drop; established, or UDP to
# port 7) and short UDP timeouts in R (3 s unreplied, 4 s stream). A UDP
# echo between A and B runs for 10 s (2.5 times the longest timeout), one
# datagram every 20 ms. Asserts: after its first packets the flow is XDP's
# (redirect_fw grows, pass_fw_new stops), the conntrack entry at the end is
# the one from the start (same id: never expired and re-created), and the
# echo lost nothing.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

SECS=10
GAP=0.02
PORT=7

xr_init fwrefresh nft conntrack
xr_need_cli
xr_topo ab
R=$(xr_ns r)

xr_step "stateful ruleset and short UDP timeouts in R"
ip netns exec "$R" nft -f - <<'EOF' || xr_fail "nft -f failed"
table inet xrt_refresh {
	chain fwdc {
		type filter hook forward priority 0; policy drop;
		ct state established,related accept
		ct state invalid drop
		udp dport 7 accept
		icmp type echo-request accept
		icmpv6 type echo-request accept
	}
}
EOF
ip netns exec "$R" sysctl -q -w net.netfilter.nf_conntrack_udp_timeout=3 \
	net.netfilter.nf_conntrack_udp_timeout_stream=4 ||
	xr_fail "cannot set the UDP timeouts"

xr_step "attach"
xr_cli_ok r attach ra rb
xr_ping_pairs "a b"

# echo server on B; the client on A prints "sent received" at the end.
xr_bg b "$XR_PYTHON" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(__import__("sys").argv[1])))
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(data, peer)
' "$PORT"
listening() { xr_in b ss -Hlun "sport = :$PORT" | grep -q .; }
xr_wait_until 10 "the echo server on B listens" listening

client_out="$XR_RUN_DIR/client.out"
xr_bg a "$XR_PYTHON" -c '
import socket, sys, time
dst, port, secs, gap = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
s.connect((dst, port))
sent = got = 0
end = time.monotonic() + secs
while time.monotonic() < end:
    s.send(b"seq %d" % sent)
    sent += 1
    t = time.monotonic() + gap
    while time.monotonic() < t:
        try:
            s.recv(2048)
            got += 1
        except BlockingIOError:
            time.sleep(0.002)
t = time.monotonic() + 2
while got < sent and time.monotonic() < t:
    try:
        s.recv(2048)
        got += 1
    except BlockingIOError:
        time.sleep(0.01)
print(sent, got, flush=True)
' "$(xr_ip4 b)" "$PORT" "$SECS" "$GAP" >"$client_out"
client=$XR_BG_PID

# ct_id: the id of the echo's conntrack entry in R (empty: none).
ct_id()
{
	ip netns exec "$R" conntrack -L -p udp --dport "$PORT" -o id 2>/dev/null |
		sed -n 's/.*id=\([0-9]*\).*/\1/p' | head -1
}
fast_both()
{
	(($(xr_stat r ra redirect_fw) > 10 && $(xr_stat r rb redirect_fw) > 10))
}

xr_step "the flow becomes XDP's"
xr_wait_until 20 "redirect_fw on ra and rb" fast_both
id0=$(ct_id)
[[ -n $id0 ]] || xr_fail "no conntrack entry for the echo"
new0=$(($(xr_stat r ra pass_fw_new) + $(xr_stat r rb pass_fw_new)))
fw0=$(($(xr_stat r ra redirect_fw) + $(xr_stat r rb redirect_fw)))
xr_log "conntrack entry id $id0; pass_fw_new so far $new0"

xr_step "the echo runs ${SECS}s, 2.5 x the stream timeout"
wait "$client" || xr_fail "the UDP client failed"
read -r sent got <"$client_out"
id1=$(ct_id)
new1=$(($(xr_stat r ra pass_fw_new) + $(xr_stat r rb pass_fw_new)))
fw1=$(($(xr_stat r ra redirect_fw) + $(xr_stat r rb redirect_fw)))
printf 'MEASURE: %d datagrams sent, %d echoed; %d forwarded by XDP after the start\n' \
	"$sent" "$got" $((fw1 - fw0)) >&2

xr_assert_eq "$id1" "$id0" "the conntrack entry lived through the run"
xr_assert_eq "$new1" "$new0" "no packet went to the kernel as a new flow"
xr_assert_eq "$got" "$sent" "every datagram was echoed"
# Both directions, after the start: most of the 2 x sent datagrams.
xr_assert_ge $((fw1 - fw0)) $((2 * sent * 8 / 10)) \
	"XDP carried the flow (redirect_fw on ra + rb)"
