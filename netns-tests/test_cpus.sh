#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# attach --cpus: the receiving CPU hands packets, by flow, to the listed
# CPUs through a cpumap, whose program routes them (A - R - B, xr_topo ab;
# needs 2 CPUs).
#
# Asserts:
# - status --json shows cpus [0, 1] and the default queue size; attaching
#   again with other --cpus is refused, with the same ones accepted;
# - ping v4/v6 through the router works;
# - spread by flow: FLOWS UDP flows of N packets, sent one flow after the
#   other: each flow's packets are all routed by one CPU (its processed
#   counter grew by >= N, the other's by at most SLACK), both CPUs get some
#   flows, and every packet was handed over (steered), none failed;
# - order: 8 flows x 2000 packets, interleaved, from A to B: every packet
#   arrives (>= 95 %: the receiver is Python), none out of order within
#   its flow;
# - the work was XDP's (the kernel forwarded < 3 packets).
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

FLOWS=16
N=40
SLACK=4		# neighbour traffic may hit either CPU
FLOWS_PY="$XR_LIB_DIR/cpus_flows.py"

(($(nproc) >= 2)) || xr_skip "needs 2 CPUs"
xr_init cpus
xr_need_cli
xr_topo ab

xr_step "attach --cpus 0,1 ra rb; status"
xr_cli_ok r attach --cpus 0,1 ra rb >/dev/null
j=$(xr_status_json r)
xr_assert_eq "$(xr_json_get "$j" 'j[0]["cpus"]')" "[0, 1]" "status cpus"
xr_assert_eq "$(xr_json_get "$j" 'j[0]["cpu_qsize"]')" 2048 "status cpu_qsize"
xr_expect_fail "attach with other --cpus" xr_cli r attach --cpus 1 ra
xr_expect_ok "attach with the same --cpus" xr_cli r attach --cpus 0,1 ra
xr_expect_fail "attach --cpus with a CPU that does not exist" \
	xr_cli r attach --cpus 0,999 ra

xr_step "ping v4 and v6 A <-> B"
xr_ping_pairs "a b"

# cpu_stats FIELD: "v0 v1" of FIELD for CPUs 0 and 1.
cpu_stats()
{
	xr_json_get "$(xr_status_json r)" \
		"' '.join(str(c['$1']) for c in j[0]['cpu_stats'][:2])"
}

xr_step "$FLOWS flows of $N packets, one after the other: one CPU each"
fwd0=$(xr_kernel_fwd r)
read -r st0 st1 <<<"$(cpu_stats steered)"
used0=0 used1=0
# one_cpu_routed N: one of CPUs 0 and 1 routed N packets since p0 p1 (the
# flow's packets all went one way, or it never gets there).
one_cpu_routed()
{
	read -r q0 q1 <<<"$(cpu_stats processed)"
	((q0 - p0 >= $1 || q1 - p1 >= $1))
}
# A socket in B takes the flows: without one B answers each datagram with
# an ICMP port unreachable (rate-limited, late on a busy machine), a flow
# of its own that the cpumap counts too.
xr_bg b "$XR_PYTHON" "$FLOWS_PY" recv 9 $((FLOWS * N)) "$XR_RUN_DIR/sink.none" \
	"$XR_RUN_DIR/sink.ready" >"$XR_RUN_DIR/sink.json"
sink=$XR_BG_PID
xr_wait_until 30 "the sink in B bound" test -e "$XR_RUN_DIR/sink.ready"
for ((f = 0; f < FLOWS; f++)); do
	read -r p0 p1 <<<"$(cpu_stats processed)"
	xr_in a "$XR_PYTHON" "$FLOWS_PY" send "$(xr_ip4 b)" 9 $((41000 + f)) 1 "$N"
	# Wait for the flow's packets, whichever CPU: the deadline catches a
	# flow split over both (neither gets to N).
	if ! xr_wait_until_quiet 30 one_cpu_routed "$N"; then
		read -r q0 q1 <<<"$(cpu_stats processed)"
		xr_fail "flow $f split over CPUs: CPU 0 routed $((q0 - p0)), CPU 1 $((q1 - p1)) (of $N)"
	fi
	read -r q0 q1 <<<"$(cpu_stats processed)"
	d0=$((q0 - p0)) d1=$((q1 - p1))
	if ((d0 >= N && d1 <= SLACK)); then
		used0=$((used0 + 1))
	elif ((d1 >= N && d0 <= SLACK)); then
		used1=$((used1 + 1))
	else
		xr_fail "flow $f split over CPUs: CPU 0 routed $d0, CPU 1 $d1 (of $N)"
	fi
done
kill "$sink" 2>/dev/null || true
xr_wait_pid_gone "$sink" 10 || xr_fail "the sink in B did not stop"
xr_log "flows routed by CPU 0: $used0, by CPU 1: $used1"
xr_assert_ge "$used0" 1 "flows on CPU 0"
xr_assert_ge "$used1" 1 "flows on CPU 1"
read -r s0 s1 <<<"$(cpu_stats steered)"
xr_assert_ge $((s0 + s1 - st0 - st1)) $((FLOWS * N)) "packets handed over"
read -r f0 f1 <<<"$(cpu_stats steer_failed)"
xr_assert_eq $((f0 + f1)) 0 "hand-overs failed"

xr_step "order: 8 flows x 2000 packets interleaved, A -> B"
out="$XR_RUN_DIR/recv.json"
xr_bg b "$XR_PYTHON" "$FLOWS_PY" recv 9 16000 "$XR_RUN_DIR/sent.json" \
	"$XR_RUN_DIR/recv.ready" >"$out"
rpid=$XR_BG_PID
xr_wait_until 30 "the receiver bound" test -e "$XR_RUN_DIR/recv.ready"
xr_in a "$XR_PYTHON" "$FLOWS_PY" send "$(xr_ip4 b)" 9 42000 8 2000 \
	>"$XR_RUN_DIR/sent.json"
wait "$rpid" || xr_fail "the receiver failed"	# bounded: see cpus_flows.py
r=$(<"$out")
xr_log "receiver: $r"
xr_assert_eq "$(xr_json_get "$r" 'j["flows"]')" 8 "flows received"
# Loss is not what this checks (a Python receiver may fall behind): order is.
xr_assert_ge "$(xr_json_get "$r" 'j["received"]')" 15200 "packets received (95 %)"
xr_assert_eq "$(xr_json_get "$r" 'j["reordered"]')" 0 "packets out of order in their flow"
xr_assert_lt $(($(xr_kernel_fwd r) - fwd0)) 3 "kernel ForwDatagrams grew"
