#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Jumbo frames (MTU 9000, multi-buffer XDP on veth) through the XDP path.
# Four phases, each in namespaces of its own:
#
# forward: A - R - B at MTU 9000 on every link, C behind R at MTU 1500.
# - attach (auto) runs natively on ra rb rc: status --json says "native"
#   and no native_refused;
# - ICMP echo of 9000 bytes (8972 + 28, DF) A -> B, v4 and v6 (9000-byte
#   IPv6 packets); UDP datagrams of 9000 bytes (DF), checked byte for byte
#   at B, v4 and v6; one TCP connection of 4 MB A -> B at MSS ~8.9k,
#   checked byte for byte, v4 and v6. For each: ethtool xdp_redirect and
#   `stats` redirect on ra grew, with an average frame of more than a page
#   (the frames were multi-buffer), and the kernel forwarded (almost)
#   nothing (Ip ForwDatagrams + Ip6OutForwDatagrams in R);
# - iperf3 TCP A -> B at MTU 9000, v4: completes at >= MIN_MBPS, XDP
#   counters grew, the kernel forwarded < 1 %;
# - A -> C, 9000 bytes with DF, egress MTU 1500: the kernel's ICMP
#   fragmentation needed (v4) / packet too big (v6) reaches A, with MTU
#   1500, and `stats` counted pass_frag_needed on ra.
#
# cpus: A - R - B at MTU 9000, attach --cpus 0,1 (the cpumap program,
# xdp.frags/cpumap, routes the handed-over jumbo frames): still native;
# UDP of 9000 bytes v4 and v6 and TCP, byte for byte, through XDP, and the
# CPUs' processed counters (status --json cpu_stats) grew by as many.
#
# lb_dsr, lb_nat: the one-legged load balancer topology (lib_lb.sh) at MTU
# 9000 on every link (slb's pass-through program is multi-buffer aware:
# xrt_pass_frags), lb/dsr.yaml or lb/nat.yaml, an echo server on every
# backend: CONNS connections to the VIP each send 256 kB in ~9000-byte
# segments and get every byte back exactly; l0's lb_tx grew with frames of
# more than a page on average; the VIP's backends counted the packets; NAT:
# the replies were translated and redirected by XDP (redirect on l0), not
# forwarded by LB's kernel.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

MTU=9000
MIN_MBPS=${XR_JUMBO_MIN_MBPS:-200}
SECS=${XR_IPERF_SECS:-3}
CONNS=3
PAGE=$(getconf PAGESIZE)
XR_PASS_FRAGS_OBJ=${XR_PASS_OBJ%/*}/xrt_pass_frags.bpf.o

# jumbo NS IF...: MTU 9000 on each IF of NS.
jumbo()
{
	local ns=$1 ifname
	shift
	for ifname in "$@"; do
		ip -n "$(xr_ns "$ns")" link set dev "$ifname" mtu "$MTU" ||
			xr_fail "cannot set MTU $MTU on $ifname in $ns"
	done
}

# flow ARGS...: jumbo_flow.py must succeed (its summary is logged).
flow()
{
	local out rc=0
	out=$("$XR_PYTHON" "$XR_LIB_DIR/jumbo_flow.py" "$@" 2>&1) || rc=$?
	((rc == 0)) || xr_fail "jumbo_flow.py $1:"$'\n'"$out"
	xr_log "ok: jumbo_flow.py $1 ${*: -4}: $(tail -n 1 <<<"$out")"
}

# stat_pb NS IF OUTCOME: "packets bytes" of an outcome on IF.
stat_pb()
{
	echo "$(xr_stat "$1" "$2" "$3") $(xr_stat "$1" "$2" "$3" bytes)"
}

# assert_big BEFORE AFTER DESC: between two stat_pb snapshots the frames
# were larger than a page on average (multi-buffer on veth).
assert_big()
{
	local p0 b0 p1 b1
	read -r p0 b0 <<<"$1"
	read -r p1 b1 <<<"$2"
	xr_assert_ge $((p1 - p0)) 1 "$3: packets"
	xr_assert_ge $(((b1 - b0) / (p1 - p0))) $((PAGE + 1)) \
		"$3: average frame in bytes"
}

# xdp_path NAME CMD...: CMD's packets A -> B took the XDP path in R, in
# frames larger than a page.
xdp_path()
{
	local desc=$1 before after s0 s1 min=${XR_MIN:-1}
	shift
	before=$(xr_counters r ra)
	s0=$(stat_pb r ra redirect)
	"$@"
	after=$(xr_counters r ra)
	s1=$(stat_pb r ra redirect)
	xr_assert_xdp_path "$before" "$after" "$min" "$desc"
	assert_big "$s0" "$s1" "$desc: redirect on ra"
}

ping_big()
{
	local dst=$1 size=$2 out
	out=$(xr_in a ping -M "do" -s "$size" -c 3 -i 0.05 -W 2 -w 10 "$dst" 2>&1) ||
		xr_fail "ping -M do -s $size $dst failed: $(tail -n 3 <<<"$out")"
	xr_log "ok: ping -M do -s $size $dst: $(grep -o '[0-9]* received' <<<"$out")"
}

phase_forward()
{
	local json v n f0 out before after mtu_re

	xr_init jumbo iperf3
	xr_need_cli
	xr_topo abc
	jumbo a a0
	jumbo b b0
	jumbo r ra rb
	xr_log "MTU $MTU on A - R - B, 1500 on R - C"

	xr_step "attach: native mode at MTU $MTU"
	xr_cli_ok r attach ra rb rc >/dev/null
	json=$(xr_status_json r)
	for v in ra rb rc; do
		xr_assert_eq "$(xr_json_get "$json" \
			"next(e['mode'] for e in j if e['ifname'] == '$v')")" \
			native "status --json: mode of $v"
		xr_assert_eq "$(xr_json_get "$json" \
			"next('native_refused' in e for e in j if e['ifname'] == '$v')")" \
			False "status --json: no native_refused on $v"
	done
	xr_ping_pairs "a b" "a c"

	xr_step "ICMP echo of $MTU bytes, DF"
	xdp_path "ping v4 $MTU" ping_big "$(xr_ip4 b)" $((MTU - 28))
	xdp_path "ping v6 $MTU" ping_big "$(xr_ip6 b)" $((MTU - 48))

	xr_step "UDP datagrams of $MTU bytes, DF, byte for byte"
	XR_MIN=20 xdp_path "UDP v4" flow udp --src "$(xr_ns a)" \
		--dst "$(xr_ns b)" --addr "$(xr_ip4 b)" --ip-len "$MTU" --count 20
	XR_MIN=20 xdp_path "UDP v6" flow udp --src "$(xr_ns a)" \
		--dst "$(xr_ns b)" --addr "$(xr_ip6 b)" --ip-len "$MTU" --count 20

	xr_step "TCP, 4 MB at MSS ~$((MTU - 52)), byte for byte"
	XR_MIN=400 xdp_path "TCP v4" flow tcp --src "$(xr_ns a)" \
		--dst "$(xr_ns b)" --addr "$(xr_ip4 b)" --bytes $((4 << 20))
	XR_MIN=400 xdp_path "TCP v6" flow tcp --src "$(xr_ns a)" \
		--dst "$(xr_ns b)" --addr "$(xr_ip6 b)" --bytes $((4 << 20))

	xr_step "iperf3 TCP v4 A -> B at MTU $MTU, ${SECS}s"
	before=$(xr_counters r ra)
	f0=$(stat_pb r ra redirect)
	xr_iperf a b "$(xr_ip4 b)" "$SECS"
	after=$(xr_counters r ra)
	n=$(($(cut -d' ' -f1 <<<"$after") - $(cut -d' ' -f1 <<<"$before")))
	printf 'MEASURE: iperf3 v4 TCP A->B at MTU %d through XDP: %d Mbit/s (%d packets redirected on ra)\n' \
		"$MTU" $((XR_IPERF_BPS / 1000000)) "$n" >&2
	xr_assert_ge $((XR_IPERF_BPS / 1000000)) "$MIN_MBPS" "iperf3 Mbit/s"
	xr_assert_xdp_path "$before" "$after" 1000 "iperf3" $((n / 100 + 3))
	assert_big "$f0" "$(stat_pb r ra redirect)" "iperf3: redirect on ra"

	xr_step "larger than the egress MTU (1500 to C): the kernel's ICMP"
	f0=$(xr_stat r ra pass_frag_needed)
	for v in 4 6; do
		if [[ $v == 4 ]]; then
			out=$(xr_in a ping -M "do" -s $((MTU - 28)) -c 1 -W 10 \
				"$(xr_ip4 c)" 2>&1) || true
			mtu_re='Frag needed and DF set \(mtu = 1500\)'
		else
			out=$(xr_in a ping -M "do" -s $((MTU - 48)) -c 1 -W 10 \
				"$(xr_ip6 c)" 2>&1) || true
			mtu_re='Packet too big: mtu=1500'
		fi
		grep -Eq "$mtu_re" <<<"$out" ||
			xr_fail "v$v: no ICMP about the egress MTU at A: $out"
		xr_log "ok: v$v: $(grep -Eo "From [^ ]+ .*$mtu_re" <<<"$out")"
	done
	xr_assert_ge $(($(xr_stat r ra pass_frag_needed) - f0)) 2 \
		"pass_frag_needed on ra (v4 + v6)"
}

phase_cpus()
{
	local p0 p1

	xr_init jcpus
	xr_need_cli
	xr_topo ab
	jumbo a a0
	jumbo b b0
	jumbo r ra rb
	xr_step "attach --cpus 0,1 at MTU $MTU"
	xr_cli_ok r attach --cpus 0,1 ra rb >/dev/null
	xr_assert_eq "$(xr_status_get r ra mode)" native "status --json: ra's mode"
	xr_ping_pairs "a b"
	p0=$(processed)
	XR_MIN=20 xdp_path "UDP v4 via the cpumap" flow udp --src "$(xr_ns a)" \
		--dst "$(xr_ns b)" --addr "$(xr_ip4 b)" --ip-len "$MTU" --count 20
	XR_MIN=20 xdp_path "UDP v6 via the cpumap" flow udp --src "$(xr_ns a)" \
		--dst "$(xr_ns b)" --addr "$(xr_ip6 b)" --ip-len "$MTU" --count 20
	XR_MIN=400 xdp_path "TCP v4 via the cpumap" flow tcp --src "$(xr_ns a)" \
		--dst "$(xr_ns b)" --addr "$(xr_ip4 b)" --bytes $((4 << 20))
	p1=$(processed)
	xr_assert_ge $((p1 - p0)) 440 "packets the cpumap program routed"
}

# processed: packets routed after a hand-over, all CPUs (status --json).
processed()
{
	xr_json_get "$(xr_status_json r)" \
		"sum(c['processed'] for c in j[0]['cpu_stats'])"
}

# The LB topology at MTU 9000, with MODE's VIP and an echo server on PORT
# in every backend.
lb_jumbo_setup()
{
	local mode=$1 port=$2 b log
	xr_init "jlb$mode" bridge
	[[ -r $XR_PASS_FRAGS_OBJ ]] ||
		xr_fail "not readable: $XR_PASS_FRAGS_OBJ (built beside XR_PASS_OBJ)"
	xr_lb_topo "$mode"
	# slb's program must handle multi-buffer frames before l0 may take a
	# jumbo MTU: veth caps the MTU under a program without it.
	ip -n "$(xr_ns sw)" link set dev slb xdpdrv off
	jumbo a a0
	jumbo gw ga gs
	jumbo sw sgw slb sb1 sb2 sb3 br0
	jumbo lb l0
	for b in b1 b2 b3; do
		jumbo "$b" b0
	done
	ip -n "$(xr_ns sw)" link set dev slb xdpdrv obj "$XR_PASS_FRAGS_OBJ" \
		sec xdp.frags || xr_fail "cannot attach xrt_pass_frags to slb"
	xr_log "MTU $MTU on every link"
	xr_lb_attach
	xr_assert_eq "$(xr_status_get lb l0 mode)" native "status --json: l0's mode"
	xr_lb_prime_arp
	for b in b1 b2 b3; do
		log="$XR_RUN_DIR/echo-$b.log"
		: >"$log"
		xr_bg "$b" "$XR_PYTHON" "$XR_LIB_DIR/jumbo_flow.py" echo-server \
			--port "$port" --log "$log"
		xr_wait_until 30 "echo server in $b" grep -q '^ready' "$log"
	done
	xr_lb_apply "$XR_LB_FIXTURES/$mode.yaml"
}

# lb_echo VIP NAME: CONNS jumbo echo connections to VIP:80 (VIP NAME in
# the LB config), all through XDP on l0.
lb_echo()
{
	local vip=$1 name=$2 mode=$3 tx0 rd0 pk0 pk f0 j
	tx0=$(stat_pb lb l0 lb_tx)
	rd0=$(stat_pb lb l0 redirect)
	f0=$(xr_kernel_fwd lb)
	pk0=$(xr_lb_q "$(xr_lb_json)" "vc('$name', 'packets')")
	flow echo --src "$(xr_ns a)" --addr "$vip" --port 80 \
		--bytes $((256 << 10)) --conns "$CONNS"
	assert_big "$tx0" "$(stat_pb lb l0 lb_tx)" "lb_tx on l0 (requests to backends)"
	j=$(xr_lb_json_settled)
	pk=$(xr_lb_q "$j" "vc('$name', 'packets')")
	xr_assert_ge $((pk - pk0)) $((CONNS * 28)) "VIP $name: packets to backends"
	if [[ $mode == nat ]]; then
		assert_big "$rd0" "$(stat_pb lb l0 redirect)" \
			"redirect on l0 (NAT replies)"
		xr_assert_lt $(($(xr_kernel_fwd lb) - f0)) 3 \
			"LB's kernel ForwDatagrams (NAT replies went by XDP)"
	fi
}

phase_lb_dsr()
{
	lb_jumbo_setup dsr 80
	xr_step "DSR VIP: jumbo requests"
	lb_echo "$XR_LB_VIP" web dsr
}

phase_lb_nat()
{
	lb_jumbo_setup nat 8080
	xr_step "NAT VIP: jumbo requests and replies"
	lb_echo "$XR_LB_NAT_VIP" api nat
}

case ${1:-} in
"") xr_phases "$0" forward cpus lb_dsr lb_nat ;;
forward | cpus | lb_dsr | lb_nat) "phase_$1" ;;
*) echo "usage: $0 [forward|cpus|lb_dsr|lb_nat]" >&2; exit 2 ;;
esac
