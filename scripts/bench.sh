#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# scripts/bench.sh - packet-rate benchmark of xdp-router against what users
# would otherwise run (kernel forwarding) and what XDP itself can do here
# (the redirect and XDP_TX ceilings). Method and numbers: docs/performance.md.
#
#   sudo scripts/bench.sh                       # cases 1,2,3,4,5; 5 runs x 5 s
#   sudo scripts/bench.sh --cases kernel,fib --runs 9 --gens 2
#   sudo scripts/bench.sh --flows 1,1000,100000 --routes 10,100000,1000000
#   sudo scripts/bench.sh --json out.json --plot   # + docs/bench-*.png
#   sudo scripts/bench.sh --replot out.json        # plots only
#   sudo scripts/bench.sh --smoke                  # every case for 1 s
#   sudo scripts/bench.sh --cases kernel,fib,tx --size 64,1518,9018  # jumbo
#   sudo scripts/bench.sh --cases kernel-fw,fib,fib-fw --flows 1,1000,100000
#   sudo scripts/bench.sh --cases redirect,fib,fwd-full,fwd-direct \
#       --peer-dir ../xdp-tools             # the peer, xdp-tools' xdp-forward
#
# Topology (namespaces xrb-<pid>-{g,r,s}, 2-queue veths):
#
#   G g0 ---- rg  R  rs ---- s0 S
#   generator    router      sink (counting XDP_DROP)
#   10.1.0.2/16  .1  10.2.0.1/24  10.2.0.2   (v6: fd00:1::/64, fd00:2::/64)
#
# The load balancer cases send to a VIP (10.3.0.100 / fd00:3::100, UDP
# port 9) with three backends. lb: DSR backends on rg's segment (10.1.0.11-13,
# static neighbours with made-up MACs); the LB XDP_TXes every frame back out
# of rg, and the sink on g0 counts them (as for the XDP_TX ceiling, tx).
# lb-nft: nftables DNAT (jhash of the flow mod 3) to backends behind rs
# (10.2.0.11-13, static neighbours with the sink's MAC), routed by the
# kernel to the sink on s0.
#
# The firewall cases load a stateful forward chain + masquerade out of rs
# into the router (kernel-fw: Linux forwarding with it; fib-fw: xdp-router
# attach with its firewall gate on) and establish every flow before
# measuring: one packet per flow G->S through the kernel, one reply per
# conntrack entry from S to the masqueraded tuple (bench/fw_reply.py); the
# warm-up's first packet of each flow then goes through the kernel once
# more, which the gate's recorder notes. The share of the measured window
# that xdp-router forwarded itself (its stats) is recorded for every
# xdp-router case; in the cases without its stats that run an XDP forwarder
# on rg (redirect, fwd-*) the share is rg's XDP redirect count (veth's
# ethtool -S xdp_redirect) against the sink's. With more than 60000 flows the generator gives each
# source address block its own destination port (masquerade folds the
# sources into one address: ~64k ports per destination).
#
# The generator (bench/xrb.bpf.c) is an XDP_TX program run by the live-frames
# test_run on g0; the path under test runs in the same softirq, on the
# generator's CPU. The figure is the pps the sink counts. Cases run
# interleaved (A B C A B C ...) so that drift hits all alike.

set -euo pipefail

XRB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
XRB_PY=/usr/bin/python3		# Debian's: matplotlib lives there
XRB_RUN_ROOT=/run/xrb
ALL_CASES=(kernel redirect fib table tx lb lb-nft drop fib-base table-base lb-base
	kernel-fw fib-fw fwd-full fwd-direct)

# options
CASES="kernel,redirect,fib,table,tx"
RUNS=5
DURATION=5
WARMUP=1
SIZE=""			# list; 64, or 66 for IPv6 (its smallest UDP frame)
FLOWS=1
ROUTES=0
DSTS=65536
GENS=1
PROTO=4
JSON_OUT=""
PLOT=0
REPLOT=""
SMOKE=0
BUILD_DIR="$XRB_ROOT/build"
BASE_BUILD_DIR=""
PEER_DIR=""		# a built xdp-tools checkout: cases fwd-full, fwd-direct
ROUTE_CACHE=""
PROG_STATS=0
VERBOSE=0

# state
PFX=""
RUN_DIR=""
CLEANED=0
GEN_PID=""		# the running generator, for the traps
BPF_STATS_OLD=""	# kernel.bpf_stats_enabled before --prog-stats
CLI=""
XRB=""
RESULTS=""		# JSON lines, one per run (and per populate)
declare -A SKIP_REASON=() SKIP_LOGGED=()

usage()
{
	cat <<EOF
Usage: scripts/bench.sh [OPTIONS]

  --cases LIST    cases to run, in order (names or numbers; default
                  $CASES):
                    1 kernel    Linux forwarding, no XDP on the router
                    2 redirect  XDP bpf_redirect_map() only: the ceiling
                    3 fib       xdp-router attach (bpf_fib_lookup)
                    4 table     xdp-router attach --lookup table + populate
                    5 tx        XDP_TX with MAC swap at the router's ingress
                    6 lb        xdp-router DSR load balancer (Maglev +
                                connection table), XDP_TX back out of rg
                    7 lb-nft    the kernel's LB for the same job: nftables
                                DNAT (jhash) to the same backends, routed
                    8 drop      XDP_DROP at the router's ingress (reference)
                    9 fib-base  case 3 with the xdp-router of --base-build-dir
                   11 lb-base   case 6 with the xdp-router of --base-build-dir
                   10 table-base  case 4 with the xdp-router of --base-build-dir
                   12 kernel-fw Linux forwarding with a stateful nftables
                                forward chain + masquerade out of rs, every
                                flow established (conntrack) before measuring
                   13 fib-fw    xdp-router attach with the same ruleset: the
                                firewall gate on, NAT from conntrack
                   14 fwd-full  the peer: xdp-tools' xdp-forward load -F full
                                (bpf_fib_lookup, every check) on rg and rs
                   15 fwd-direct  xdp-forward load -F direct (the fib lookup
                                with BPF_FIB_LOOKUP_DIRECT); both need
                                --peer-dir
                  fib, table and lb take a suffix @CPUS (CPU numbers joined
                  by +): attach --cpus CPUS, the receiving CPU hands the
                  packets to CPUS through a cpumap; e.g. fib,fib@1,fib@0+1
  --runs N        runs per case, interleaved (default $RUNS)
  --duration S    measured seconds per run (default $DURATION; +${WARMUP} s warm-up)
  --size LIST     frame sizes on the wire, FCS included (default 64; 66
                  with --ipv6), e.g. 64,1518,9018. Above 1518 every link
                  gets MTU 9000 (or the frame's, if larger: at most
                  9618) and the frames are multi-buffer in the XDP
                  programs; above what test_run's live frames take (a
                  page less 576 B) the generator sends through AF_PACKET
                  (bypassing the qdisc), at most 4096 flows, no --routes:
                  compare cases within one size only
  --flows LIST    flows (source port/address pairs), e.g. 1,1000,100000
  --routes LIST   extra IPv4 routes in the router's table (0 = none, the
                  destination is the sink; N > 0: N random prefixes, traffic
                  spread over --dsts destinations inside them)
  --dsts N        with --routes: distinct destinations (default $DSTS, the
                  most; 1 keeps the route lookup in cache)
  --gens 1|2      generators, pinned to CPU 0 (and 1) (default $GENS)
  --ipv6          IPv6 instead of IPv4 (not with --routes)
  --json FILE     write runs + summary as JSON
  --plot          after the run, draw the results into docs/bench-*.png
  --replot FILE   only draw FILE (a --json output) into docs/
  --smoke         every case once for 1 s; fails if a case delivers nothing
  --build-dir DIR where xdp-router and xrb are (default build/; built if missing)
  --base-build-dir DIR  another build (e.g. main's) for cases fib-base and
                  table-base: before/after in one interleaved invocation
  --peer-dir DIR  a built xdp-tools checkout (DIR/xdp-forward/xdp-forward)
                  for cases fwd-full and fwd-direct; nothing is downloaded:
                  without it they are skipped (docs/performance.md says
                  how to build it)
  --route-cache N case fib: attach --route-cache N (default: the CLI's)
  --prog-stats    turn the kernel's bpf_stats on (kernel.bpf_stats_enabled,
                  for every program on the machine) and record the XDP
                  program's ns/packet on rg in the cases that run one (the
                  stats add ~2 clock reads per packet: not for the Mpps)
  -v, --verbose   trace commands
EOF
}

# ---------------------------------------------------------------- logging

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] Error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- options

case_name()
{
	local base=${1%%@*} cpus=""
	if [[ $1 == *@* ]]; then
		cpus=${1#*@}
		[[ $cpus =~ ^[0-9]+(\+[0-9]+)*$ ]] || die "case '$1': @CPUS is CPU numbers joined by +"
		case $base in
		3 | fib | 4 | table | 6 | lb) ;;
		*) die "case '$1': only fib, table and lb take @CPUS" ;;
		esac
		echo "$(case_name "$base")@$cpus"
		return
	fi
	case $1 in
	1 | kernel) echo kernel ;; 2 | redirect) echo redirect ;;
	3 | fib) echo fib ;; 4 | table) echo table ;; 5 | tx) echo tx ;;
	6 | lb) echo lb ;; 7 | lb-nft) echo lb-nft ;; 8 | drop) echo drop ;;
	9 | fib-base) echo fib-base ;; 10 | table-base) echo table-base ;;
	11 | lb-base) echo lb-base ;;
	12 | kernel-fw) echo kernel-fw ;; 13 | fib-fw) echo fib-fw ;;
	14 | fwd-full) echo fwd-full ;; 15 | fwd-direct) echo fwd-direct ;;
	*) die "unknown case '$1' (known: ${ALL_CASES[*]})" ;;
	esac
}

need_arg() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value"; }
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
is_list() { [[ $1 =~ ^[0-9]+(,[0-9]+)*$ ]]; }

parse_args()
{
	while (($#)); do
		case $1 in
		--cases) need_arg "$@"; CASES=$2; shift ;;
		--runs) need_arg "$@"; RUNS=$2; shift ;;
		--duration) need_arg "$@"; DURATION=$2; shift ;;
		--size) need_arg "$@"; SIZE=$2; shift ;;
		--flows) need_arg "$@"; FLOWS=$2; shift ;;
		--routes) need_arg "$@"; ROUTES=$2; shift ;;
		--dsts) need_arg "$@"; DSTS=$2; shift ;;
		--gens) need_arg "$@"; GENS=$2; shift ;;
		--ipv6) PROTO=6 ;;
		--json) need_arg "$@"; JSON_OUT=$2; shift ;;
		--plot) PLOT=1 ;;
		--replot) need_arg "$@"; REPLOT=$2; shift ;;
		--smoke) SMOKE=1 ;;
		--build-dir) need_arg "$@"; BUILD_DIR=$2; shift ;;
		--base-build-dir) need_arg "$@"; BASE_BUILD_DIR=$(realpath -m "$2"); shift ;;
		--peer-dir) need_arg "$@"; PEER_DIR=$(realpath -m "$2"); shift ;;
		--route-cache) need_arg "$@"; ROUTE_CACHE=$2; shift ;;
		--prog-stats) PROG_STATS=1 ;;
		-v | --verbose) VERBOSE=1 ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; die "unknown option '$1'" ;;
		esac
		shift
	done
	{ is_uint "$RUNS" && ((RUNS >= 1)); } || die "--runs: a number >= 1"
	[[ $DURATION =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--duration: seconds"
	[[ -n $SIZE ]] || { ((PROTO == 6)) && SIZE=66 || SIZE=64; }
	is_list "$SIZE" || die "--size: bytes, comma separated"
	is_list "$FLOWS" || die "--flows: numbers, comma separated"
	is_list "$ROUTES" || die "--routes: numbers, comma separated"
	{ is_uint "$DSTS" && ((DSTS >= 1 && DSTS <= 65536)); } || die "--dsts: 1..65536"
	[[ $GENS == 1 || $GENS == 2 ]] || die "--gens: 1 or 2"
	[[ $PROTO == 4 || $ROUTES == 0 ]] || die "--routes is IPv4 only"
	if ((SMOKE)); then
		RUNS=1 DURATION=1 WARMUP=0.3
		CASES=$(IFS=,; echo "${ALL_CASES[*]}")
	fi
	local c list=()
	IFS=, read -ra c <<<"$CASES"
	for c in "${c[@]}"; do list+=("$(case_name "$c")"); done
	CASES="${list[*]}"
	BUILD_DIR=$(realpath -m "$BUILD_DIR")
}

# ---------------------------------------------------------------- set-up

# The run directory, clean-up and the topology.
# shellcheck source=scripts/bench_topo.sh
. "$XRB_ROOT/scripts/bench_topo.sh"

# ---------------------------------------------------------------- cases

has_table_mode()
{
	"$CLI" attach --help 2>&1 | grep -q -- --lookup &&
		"$CLI" populate --help >/dev/null 2>&1
}

has_lb() { "$CLI" lb --help >/dev/null 2>&1; }
has_cpus() { "$CLI" attach --help 2>&1 | grep -q -- --cpus; }
has_firewall() { "$CLI" attach --help 2>&1 | grep -q -- --firewall; }
# The peer's binary (cases fwd-*), in the checkout --peer-dir names.
peer_fwd() { echo "$PEER_DIR/xdp-forward/xdp-forward"; }

# The case without its @CPUS suffix, and the suffix as attach options.
case_base() { echo "${1%%@*}"; }
case_attach_opts()
{
	[[ $1 == *@* ]] || return 0
	local c=${1#*@}
	echo "--cpus ${c//+/,}"
}

# Why a case cannot run with this build (empty: it can).
case_skip_reason()
{
	local c
	if [[ $1 == *@* ]]; then
		has_cpus || { echo "this xdp-router has no 'attach --cpus'"; return; }
		c=${1#*@}
		for c in ${c//+/ }; do
			((c < $(nproc))) || { echo "no CPU $c here"; return; }
		done
	fi
	case $(case_base "$1") in
	table) has_table_mode ||
		echo "this xdp-router has no 'attach --lookup' / 'populate' yet (issue 3)" ;;
	lb) has_lb || echo "this xdp-router has no 'lb' command" ;;
	lb-nft) command -v nft >/dev/null || echo "no nft (apt-get install nftables)" ;;
	fib-base | table-base | lb-base) [[ -x $BASE_BUILD_DIR/xdp-router ]] ||
		echo "needs --base-build-dir DIR with an xdp-router" ;;
	kernel-fw | fib-fw)
		if ! command -v nft >/dev/null || ! command -v conntrack >/dev/null; then
			echo "needs nft and conntrack (apt-get install nftables conntrack)"
		elif [[ $1 == fib-fw ]] && ! has_firewall; then
			echo "this xdp-router has no 'attach --firewall' (issue 13)"
		fi ;;
	fwd-full | fwd-direct) [[ -n $PEER_DIR && -x $(peer_fwd) ]] ||
		echo "needs --peer-dir DIR, a built xdp-tools checkout with DIR/xdp-forward/xdp-forward (not downloaded; see docs/performance.md)" ;;
	esac
}

xdp_off() { ip -n "$(ns r)" link set dev "$1" xdp off 2>/dev/null || true; }

# The sink pin that counts the delivered packets of case $1.
case_sink()
{
	case $(case_base "$1") in
	tx | lb | lb-base) echo "$RUN_DIR/bpffs/sink_g0" ;;
	drop) echo "$RUN_DIR/bpffs/sink_rg" ;;
	*) echo "$RUN_DIR/bpffs/sink_s0" ;;
	esac
}

# The generator's destination in case $1.
case_dst()
{
	case $(case_base "$1") in
	lb | lb-nft | lb-base) ((PROTO == 6)) && echo "$LB_VIP6" || echo "$LB_VIP4" ;;
	*) ((PROTO == 6)) && echo fd00:2::2 || echo 10.2.0.2 ;;
	esac
}

case_up()
{
	local opts
	# shellcheck disable=SC2207
	opts=($(case_attach_opts "$1"))
	case $(case_base "$1") in
	kernel) ;;
	redirect) in_ns r "$XRB" redirect --dev rg --to rs ;;
	fib) cli attach "${opts[@]}" ${ROUTE_CACHE:+--route-cache "$ROUTE_CACHE"} \
		rg rs >/dev/null 2>"$RUN_DIR/attach.err" ||
		{ cat "$RUN_DIR/attach.err" >&2; die "attach failed"; } ;;
	fib-base) cli_base attach rg rs >/dev/null ;;
	lb-base)
		cli_base attach rg >/dev/null
		cli_base lb apply "$RUN_DIR/lb.yaml" >/dev/null
		;;
	table-base)
		cli_base attach --lookup table rg rs >/dev/null
		populate_measure table-base cli_base
		;;
	table)
		cli attach --lookup table "${opts[@]}" rg rs >/dev/null
		populate_measure table cli
		;;
	fwd-full | fwd-direct)
		# One program on both legs, a devmap of them, as attach does.
		# No bpffs at /sys/fs/bpf in the namespace: libxdp attaches
		# without its dispatcher (which needs freplace, refused here),
		# the way xdp-router attaches; its notes about that go to
		# peer.err.
		in_ns r "$(peer_fwd)" load -F "${1#fwd-}" rg rs \
			>/dev/null 2>"$RUN_DIR/peer.err" ||
			{ cat "$RUN_DIR/peer.err" >&2; die "xdp-forward load failed"; } ;;
	tx) in_ns r "$XRB" txswap --dev rg ;;
	drop) in_ns r "$XRB" sink --dev rg --pin "$RUN_DIR/bpffs/sink_rg" ;;
	lb)
		# One-legged: only rg. The connection table is always on.
		cli attach "${opts[@]}" rg >/dev/null
		cli lb apply "$RUN_DIR/lb.yaml" >/dev/null
		;;
	lb-nft) in_ns r nft -f "$RUN_DIR/lb.nft" ;;
	kernel-fw)
		fw_up
		fw_establish "$1"
		;;
	fib-fw)
		fw_up
		# --firewall auto, the default: the ruleset turns the gate on.
		# (Its notice that it made conntrack's TCP checks liberal is
		# kept for a failure.)
		cli attach rg rs >/dev/null 2>"$RUN_DIR/attach.err" ||
			{ cat "$RUN_DIR/attach.err" >&2; die "attach failed"; }
		fw_establish "$1"
		;;
	esac
}

case_down()
{
	case $(case_base "$1") in
	fib | table | lb) cli detach --all >/dev/null ;;
	lb-nft)
		in_ns r nft delete table inet xrb_lb
		# The next run starts with no conntrack entries.
		in_ns r conntrack -F >/dev/null 2>&1 || true
		;;
	fib-base | table-base | lb-base) cli_base detach --all >/dev/null ;;
	fwd-full | fwd-direct)
		in_ns r "$(peer_fwd)" unload rg rs >/dev/null 2>&1 || {
			log "$1: xdp-forward unload failed (detaching by hand)"
			in_ns r ip link set dev rg xdp off
			in_ns r ip link set dev rs xdp off
		} ;;
	kernel-fw) fw_down ;;
	fib-fw)
		cli detach --all >/dev/null
		fw_down
		;;
	esac
	xdp_off rg
	xdp_off rs
}

# The LB cases' VIP and backends (see the top of this file).
LB_VIP4=10.3.0.100
LB_VIP6=fd00:3::100
lb_up()
{
	local i
	{
		echo "vips:"
		echo "  - { name: bench, address: $LB_VIP4, port: 9, protocol: udp, mode: dsr,"
		echo "      backends: [ { address: 10.1.0.11 }, { address: 10.1.0.12 }, { address: 10.1.0.13 } ] }"
		echo "  - { name: bench6, address: '$LB_VIP6', port: 9, protocol: udp, mode: dsr,"
		echo "      backends: [ { address: 'fd00:1::11' }, { address: 'fd00:1::12' }, { address: 'fd00:1::13' } ] }"
	} >"$RUN_DIR/lb.yaml"
	for i in 1 2 3; do
		# DSR backends on rg's segment: made-up MACs; the sink on g0
		# takes every frame.
		ip -n "$(ns r)" neigh replace "10.1.0.1$i" lladdr "02:00:00:00:01:1$i" dev rg nud permanent
		ip -n "$(ns r)" neigh replace "fd00:1::1$i" lladdr "02:00:00:00:01:1$i" dev rg nud permanent
		# nft's backends behind rs: the sink's MAC.
		ip -n "$(ns r)" neigh replace "10.2.0.1$i" lladdr "$(mac s s0)" dev rs nud permanent
		ip -n "$(ns r)" neigh replace "fd00:2::1$i" lladdr "$(mac s s0)" dev rs nud permanent
	done
	cat >"$RUN_DIR/lb.nft" <<EOF
table inet xrb_lb {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr $LB_VIP4 udp dport 9 dnat ip to jhash ip saddr . udp sport mod 3 map { 0 : 10.2.0.11, 1 : 10.2.0.12, 2 : 10.2.0.13 }
		ip6 daddr $LB_VIP6 udp dport 9 dnat ip6 to jhash ip6 saddr . udp sport mod 3 map { 0 : fd00:2::11, 1 : fd00:2::12, 2 : fd00:2::13 }
	}
}
EOF
}

# ---------------------------------------------------------------- firewall

# The generator's flows come in blocks of 60000 source ports, one source
# address each (XRB_PORTS, bench/xrb.bpf.c); in an invocation with a
# firewall case each block also gets its own destination port, 9, 10, ...
# (xrb gen --dport-spread), in every case but the load balancer's (whose
# VIP listens on 9 only), so that the cases compared see the same frames.
FW_PORTS=60000
fw_blocks() { echo $(((CUR_FLOWS + FW_PORTS - 1) / FW_PORTS)); }

fw_invocation()
{
	local c
	for c in $CASES; do
		[[ $c == *-fw ]] && return 0
	done
	return 1
}

# The generator's options that shape the flows of case $1.
gen_flow_args()
{
	fw_invocation || return 0
	case $(case_base "$1") in
	lb | lb-nft | lb-base) return 0 ;;
	esac
	echo --dport-spread
}

# The ruleset of the firewall cases: the usual stateful forward chain, the
# generator's UDP ports open for new flows, masquerade out of rs.
fw_up()
{
	local dports=9 last
	last=$((9 + $(fw_blocks) - 1))
	((last > 9)) && dports="9-$last"
	in_ns r nft -f - <<EOF
table inet xrb_fw {
	chain fwdc {
		type filter hook forward priority 0; policy drop;
		ct state established,related accept
		ct state invalid drop
		udp dport $dports accept
	}
}
table ip xrb_nat {
	chain post {
		type nat hook postrouting priority 100;
		oifname "rs" masquerade
	}
}
table ip6 xrb_nat {
	chain post {
		type nat hook postrouting priority 100;
		oifname "rs" masquerade
	}
}
EOF
}

fw_down()
{
	in_ns r nft delete table inet xrb_fw
	in_ns r nft delete table ip xrb_nat
	in_ns r nft delete table ip6 xrb_nat
	# The next run starts with no conntrack entries.
	in_ns r conntrack -F >/dev/null 2>&1 || true
}

# fw_establish CASE: every flow of the generator established in the
# router's conntrack (seen both ways) before the run; what it took goes to
# RESULTS ("establish"). One packet per flow from G (through the kernel:
# in fib-fw the gate passes them, pass_fw_new), then one reply per entry
# from S to the masqueraded tuple conntrack shows; the kernel forwards the
# replies to G (static neighbours: the sink on g0 answers no ARP/ND).
fw_establish()
{
	local c=$1 t0 try b n=0 out unreplied fam=ipv4 src=10.1.0.2 dst
	local -a flow_args
	# shellcheck disable=SC2207
	flow_args=($(gen_flow_args "$c"))
	((PROTO == 6)) && fam=ipv6 src=fd00:1::2
	dst=$(case_dst "$c")
	t0=$(date +%s.%N)
	for ((b = 0; b < $(fw_blocks); b++)); do
		if ((PROTO == 6)); then
			ip -n "$(ns r)" neigh replace "fd00:1::$(printf %x $((2 + b)))" \
				lladdr "$(mac g g0)" dev rg nud permanent
		else
			ip -n "$(ns r)" neigh replace "10.1.0.$((2 + b))" \
				lladdr "$(mac g g0)" dev rg nud permanent
		fi
	done
	# A packet lost on the way is sent again (a flow's packets are alike).
	for try in 1 2 3; do
		in_ns g "$XRB" gen --dev g0 --dmac "$(mac r rg)" --src "$src" \
			--dst "$dst" --size "$CUR_SIZE" --flows "$CUR_FLOWS" \
			--packets "$CUR_FLOWS" "${flow_args[@]}" >/dev/null ||
			die "$c: sending the flows' first packets failed"
		n=$(in_ns r conntrack -C)
		((n >= CUR_FLOWS)) && break
		log "$c: $n of $CUR_FLOWS conntrack entries after try $try"
	done
	out=$(in_ns r conntrack -L -f "$fam" -p udp 2>/dev/null |
		in_ns s "$XRB_PY" "$XRB_ROOT/bench/fw_reply.py" --dev s0 \
			--dmac "$(mac r rs)" --size "$CUR_SIZE") ||
		die "$c: sending the replies failed"
	unreplied=$(in_ns r conntrack -L -f "$fam" -p udp 2>/dev/null |
		grep -c UNREPLIED || true)
	((unreplied == 0)) || log "$c: $unreplied flows still unreplied"
	printf '{"type": "establish", "case": "%s", "flows": %s, "proto": %s, "entries": %s, "unreplied": %s, "seconds": %s, "replies": %s}\n' \
		"$c" "$CUR_FLOWS" "$PROTO" "$n" "$unreplied" \
		"$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')" \
		"$out" >>"$RESULTS"
}

# snap CASE: the sink's count, the router's counters (`stats`; null in
# cases without xdp-router), rg's XDP redirect count and the kernel's
# forwarded count (cases redirect and fwd-*, which have no stats; null in
# the others) and the sink's count again, as one JSON object.
snap()
{
	local a b st=null redir=null pin
	pin=$(case_sink "$1")
	a=$("$XRB" count "$pin")
	case $(case_base "$1") in
	fib | table | lb | fib-fw) st=$(cli --json stats 2>/dev/null) || st=null ;;
	fib-base | table-base | lb-base)
		st=$(cli_base --json stats 2>/dev/null) || st=null ;;
	redirect | fwd-full | fwd-direct) redir=$(xdp_redirects rg) ;;
	esac
	b=$("$XRB" count "$pin")
	printf '{"sink_before": %s, "sink_after": %s, "stats": %s, "xdp_redirect": %s, "prog": %s}' \
		"$a" "$b" "${st:-null}" "${redir:-null}" "$(prog_stats)"
}

# xdp_redirects IF: the frames the XDP program on the router's IF redirected
# (veth's per-queue rx_queue_N_xdp_redirect, summed) and those the kernel
# forwarded (IPv4 ForwDatagrams + IPv6 Ip6OutForwDatagrams), as
# {"xdp": N, "kernel": N}; empty if unreadable.
xdp_redirects()
{
	in_ns r sh -c "ethtool -S $1; cat /proc/net/snmp /proc/net/snmp6" \
		2>/dev/null | awk '
		$1 ~ /^rx_queue_[0-9]+_xdp_redirect:$/ { x += $2; n++ }
		$1 == "Ip:" && !h { for (i = 2; i <= NF; i++) col[$i] = i; h = 1; next }
		$1 == "Ip:" && h { k += $col["ForwDatagrams"] }
		$1 == "Ip6OutForwDatagrams" { k += $2 }
		END { if (n) printf "{\"xdp\": %d, \"kernel\": %d}\n", x, k }'
}

# --prog-stats: run time and count of the XDP program on rg (the kernel's
# bpf_stats), as JSON; null without.
prog_stats()
{
	local id line
	((PROG_STATS)) || { echo null; return; }
	id=$(ip -n "$(ns r)" link show dev rg | grep -o 'prog/xdp id [0-9]*' |
		grep -o '[0-9]*$') || { echo null; return; }
	line=$(bpftool prog show id "$id" 2>/dev/null | head -n 1)
	[[ $line =~ run_time_ns\ ([0-9]+)\ run_cnt\ ([0-9]+) ]] ||
		{ echo null; return; }
	printf '{"id": %s, "run_time_ns": %s, "run_cnt": %s}' "$id" \
		"${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
}

# populate_measure CASE CLI: populate's wall time, and the memory of every map
# pinned under the pin path, with CLI (cli or cli_base).
populate_measure()
{
	local t0 t1 mem
	t0=$(date +%s.%N)
	"$2" populate >/dev/null || die "xdp-router populate failed ($1)"
	t1=$(date +%s.%N)
	mem=$(maps_memory "$RUN_DIR/bpffs/xdp-router")
	printf '{"type": "populate", "case": "%s", "routes": %s, "seconds": %s, "maps": %s}\n' \
		"$1" "$CUR_ROUTES" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" \
		"$mem" >>"$RESULTS"
}

# maps_memory DIR: {"map name": bytes_memlock, ...} of the maps pinned in DIR.
maps_memory()
{
	local f first=1 out="{" j
	for f in "$1"/*; do
		j=$(bpftool -j map show pinned "$f" 2>/dev/null) || continue
		out+=$("$XRB_PY" -c '
import json, sys
m = json.loads(sys.argv[1])
print("%s%s: %d" % (sys.argv[2], json.dumps(m.get("name", "?")), m.get("bytes_memlock", 0)))
' "$j" "$( ((first)) || echo ", ")")
		first=0
	done
	echo "$out}"
}

# ---------------------------------------------------------------- measuring

# drop_counters CASE: drop-like counters of `ethtool -S` and the device
# stats, as "name value" lines. The sinks' own XDP_DROPs (xdp_drops on g0
# and s0, and on rg in case drop) are the figure, not drops: left out.
drop_counters()
{
	local spec n ifname sinks="g0 s0"
	[[ $1 == drop ]] && sinks+=" rg"
	for spec in g:g0 r:rg r:rs s:s0; do
		n=${spec%%:*} ifname=${spec#*:}
		in_ns "$n" ethtool -S "$ifname" 2>/dev/null | awk -v i="$ifname" \
			-v sink="$([[ " $sinks " == *" $ifname "* ]] && echo 1)" '
			{ sub(":", "", $1) }
			$1 ~ /drop|err/ && !(sink && $1 ~ /xdp_drops$/) { print i "." $1, $2 }'
		in_ns "$n" sh -c "cd /sys/class/net/$ifname/statistics &&
			echo $ifname.rx_dropped \$(cat rx_dropped) &&
			echo $ifname.tx_dropped \$(cat tx_dropped)"
	done
}

# run_one CASE RUN: one measurement, one JSON line in RESULTS.
run_one()
{
	local c=$1 run=$2 out before after cpus=0 src dst args=() s1=null s2=null
	((GENS == 2)) && cpus=0,1
	if ((PROTO == 6)); then src=fd00:1::2; else src=10.1.0.2; fi
	dst=$(case_dst "$c")
	((CUR_ROUTES > 0)) && args+=(--dsts "$RUN_DIR/dsts.txt")
	# shellcheck disable=SC2207
	args+=($(gen_flow_args "$c"))
	case_up "$c"
	before=$(drop_counters "$c")
	# In the background: `wait` returns at once on a signal, so Ctrl-C
	# and TERM run the trap now, not after the run (which kills it).
	in_ns g "$XRB" gen --dev g0 --dmac "$(mac r rg)" --src "$src" \
		--dst "$dst" --size "$CUR_SIZE" --flows "$CUR_FLOWS" \
		--duration "$DURATION" --warmup "$WARMUP" --cpus "$cpus" \
		--count "$(case_sink "$c")" "${args[@]}" >"$RUN_DIR/gen.out" &
	GEN_PID=$!
	# Who forwarded the measured window: the router's counters against
	# the sink's, from 0.3 s into the window to 0.1 s before its end (the
	# generator starts its clock after loading, ~0.1 s after this).
	if awk -v d="$DURATION" 'BEGIN { exit !(d >= 0.8) }'; then
		sleep "$(awk -v w="$WARMUP" 'BEGIN { print w + 0.3 }')"
		s1=$(snap "$c")
		sleep "$(awk -v d="$DURATION" 'BEGIN { print d - 0.4 }')"
		s2=$(snap "$c")
	fi
	wait "$GEN_PID" || die "generator failed in case $c"
	GEN_PID=""
	out=$(<"$RUN_DIR/gen.out")
	after=$(drop_counters "$c")
	case_down "$c"
	"$XRB_PY" - "$out" "$before" "$after" "$c" "$run" "$CUR_FLOWS" \
		"$CUR_ROUTES" "$CUR_SIZE" "$GENS" "$PROTO" "$s1" "$s2" >>"$RESULTS" <<'PY'
import json, sys
(out, before, after, case, run, flows, routes, size, gens, proto,
 s1, s2) = sys.argv[1:]
r = json.loads(out)
def parse(s):
    return {k: int(v) for k, v in (l.split() for l in s.splitlines() if l.strip())}
b, a = parse(before), parse(after)
drops = {k: a[k] - b.get(k, 0) for k in a if a[k] - b.get(k, 0) > 0}
r.update(type="run", case=case, run=int(run), flows=int(flows),
         routes=int(routes), size=int(size), gens=int(gens), proto=int(proto),
         drops=drops, drops_total=sum(drops.values()))
# xdp-router's outcomes over a window inside the measured one, against
# what the sink counted meanwhile: the share it forwarded itself.
s1, s2 = json.loads(s1), json.loads(s2)
if s1 and s2 and s1["stats"] is not None and s2["stats"] is not None:
    def outcomes(st):
        t = {}
        for i in st:
            for k, v in i["outcomes"].items():
                t[k] = t.get(k, 0) + v["packets"]
        return t
    o1, o2 = outcomes(s1["stats"]), outcomes(s2["stats"])
    sink = ((s2["sink_before"] + s2["sink_after"]) -
            (s1["sink_before"] + s1["sink_after"])) / 2
    d = {k: o2[k] - o1.get(k, 0) for k in o2 if o2[k] - o1.get(k, 0) > 0}
    fast = sum(d.get(k, 0) for k in ("redirect", "redirect_fw",
                                      "redirect_nat", "lb_tx"))
    r["router"] = dict(sink=round(sink), outcomes=d,
                       xdp_fraction=round(fast / sink, 4) if sink > 0 else 0)
elif (s1 and s2 and s1.get("xdp_redirect") is not None and
      s2.get("xdp_redirect") is not None):
    # No stats (redirect ceiling, xdp-forward): rg's XDP redirects, and
    # what the kernel forwarded meanwhile (0 when all went by XDP).
    sink = ((s2["sink_before"] + s2["sink_after"]) -
            (s1["sink_before"] + s1["sink_after"])) / 2
    x1, x2 = s1["xdp_redirect"], s2["xdp_redirect"]
    fast = x2["xdp"] - x1["xdp"]
    r["router"] = dict(sink=round(sink), outcomes={
        "xdp_redirect": fast, "kernel_forwarded": x2["kernel"] - x1["kernel"]},
        xdp_fraction=round(fast / sink, 4) if sink > 0 else 0)
if "router" in r:
    p1, p2 = s1.get("prog"), s2.get("prog")
    if p1 and p2 and p1["id"] == p2["id"] and p2["run_cnt"] > p1["run_cnt"]:
        r["router"]["prog_ns"] = round(
            (p2["run_time_ns"] - p1["run_time_ns"]) /
            (p2["run_cnt"] - p1["run_cnt"]), 1)
print(json.dumps(r))
PY
	log "$(printf '%-9s run %d: %s' "$c" "$run" \
		"$(tail -n 1 "$RESULTS" | "$XRB_PY" -c '
import json, sys
r = json.load(sys.stdin)
x = r.get("router")
print("%6.2f Mpps%s%s" % (r["pps"] / 1e6, ", %.1f %% by XDP" %
                          (100 * x["xdp_fraction"]) if x else "",
                          ", program %.0f ns/packet" % x["prog_ns"]
                          if x and "prog_ns" in x else ""))')")"
}

CUR_FLOWS=1
CUR_ROUTES=0
CUR_SIZE=64

# One topology per (size, flows, routes) point; cases interleaved inside it.
run_point()
{
	local run c cases=()
	for c in $CASES; do
		SKIP_REASON[$c]=$(case_skip_reason "$c")
		if [[ -n ${SKIP_REASON[$c]} ]]; then
			# Once per invocation, not once per point.
			[[ -n ${SKIP_LOGGED[$c]:-} ]] ||
				log "skip $c: ${SKIP_REASON[$c]}"
			SKIP_LOGGED[$c]=1
			printf '{"type": "skip", "case": "%s", "reason": "%s"}\n' \
				"$c" "${SKIP_REASON[$c]}" >>"$RESULTS"
		else
			cases+=("$c")
		fi
	done
	((${#cases[@]})) || return 0
	log "point: $CUR_SIZE B frames, flows $CUR_FLOWS, routes $CUR_ROUTES; cases ${cases[*]}"
	topo_up
	routes_up "$CUR_ROUTES"
	[[ -n $ROUTE_ADD_S ]] && printf '{"type": "routes", "routes": %s, "seconds": %s}\n' \
		"$CUR_ROUTES" "$ROUTE_ADD_S" >>"$RESULTS"
	for ((run = 1; run <= RUNS; run++)); do
		for c in "${cases[@]}"; do
			run_one "$c" "$run"
		done
	done
	topo_down
}

# ---------------------------------------------------------------- report

machine_json()
{
	local rev dirty=""
	rev=$(git -C "$XRB_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
	[[ -n $(git -C "$XRB_ROOT" status --porcelain 2>/dev/null) ]] && dirty="+dirty"
	"$XRB_PY" - "$rev$dirty" <<'PY'
import json, os, platform, subprocess, sys, time
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
            if l.startswith("model name")), "?")
hv = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
hv = next((l.split(":", 1)[1].strip() for l in hv.splitlines()
           if l.startswith("Hypervisor vendor")), "none")
print(json.dumps({"cpu": cpu, "cpus": os.cpu_count(), "hypervisor": hv,
                  "kernel": platform.release(), "git": sys.argv[1],
                  "date": time.strftime("%Y-%m-%d %H:%M:%S %Z")}))
PY
}

report()
{
	local config extra=()
	((SMOKE)) && extra+=(--smoke)
	local size=$SIZE
	[[ $SIZE == *,* ]] && size="\"$SIZE\""
	config=$(printf '{"runs": %s, "duration": %s, "warmup": %s, "size": %s, "gens": %s, "proto": %s, "flows": "%s", "routes": "%s", "dsts": %s, "route_cache": "%s"}' \
		"$RUNS" "$DURATION" "$WARMUP" "$size" "$GENS" "$PROTO" "$FLOWS" "$ROUTES" "$DSTS" "${ROUTE_CACHE:-default}")
	"$XRB_PY" "$XRB_ROOT/bench/report.py" summary "$RESULTS" \
		--machine "$(machine_json)" --config "$config" \
		${JSON_OUT:+--json "$JSON_OUT"} "${extra[@]}"
}

main()
{
	parse_args "$@"
	if [[ -n $REPLOT ]]; then
		exec "$XRB_PY" "$XRB_ROOT/bench/report.py" plot "$REPLOT" \
			--out "$XRB_ROOT/docs"
	fi
	prepare
	local f r z flows routes sizes
	if ((PROG_STATS)); then
		BPF_STATS_OLD=$(sysctl -n kernel.bpf_stats_enabled)
		sysctl -qw kernel.bpf_stats_enabled=1
	fi
	((PLOT)) && [[ -z $JSON_OUT ]] && JSON_OUT="$RUN_DIR/results.json"
	IFS=, read -ra flows <<<"$FLOWS"
	IFS=, read -ra routes <<<"$ROUTES"
	IFS=, read -ra sizes <<<"$SIZE"
	for z in "${sizes[@]}"; do
		for r in "${routes[@]}"; do
			for f in "${flows[@]}"; do
				CUR_SIZE=$z CUR_FLOWS=$f CUR_ROUTES=$r
				run_point
			done
		done
	done
	report
	if ((PLOT)); then
		"$XRB_PY" "$XRB_ROOT/bench/report.py" plot "$JSON_OUT" --out "$XRB_ROOT/docs"
	fi
}

main "$@"
