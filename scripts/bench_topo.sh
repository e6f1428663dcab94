# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# scripts/bench_topo.sh - sourced by scripts/bench.sh: the run's set-up and
# clean-up, and the topology it describes (namespaces, veths, routes).

prepare()
{
	[[ $(id -u) == 0 ]] || { echo "SKIP: the benchmark needs root" >&2; exit 77; }
	# shellcheck source=scripts/deps.sh
	. "$XRB_ROOT/scripts/deps.sh"
	xr_install_deps >&2
	CLI="$BUILD_DIR/xdp-router"
	XRB="$BUILD_DIR/xrb"
	if [[ ! -x $CLI || ! -x $XRB ]]; then
		log "building into $BUILD_DIR"
		cmake -S "$XRB_ROOT" -B "$BUILD_DIR" >&2
		cmake --build "$BUILD_DIR" -j "$(nproc)" --target xdp-router xrb >&2
	fi
	[[ -x $CLI && -x $XRB ]] || die "no xdp-router/xrb in $BUILD_DIR"
	[[ $VERBOSE == 1 ]] && set -x
	PFX="xrb-$$"
	RUN_DIR="$XRB_RUN_ROOT/$PFX"
	reap_stale
	mkdir -p "$RUN_DIR"
	RESULTS="$RUN_DIR/results.jsonl"
	: >"$RESULTS"
	trap cleanup EXIT
	trap 'log interrupted; exit 130' INT
	trap 'log terminated; exit 143' TERM
}

# Leftovers of runs that died without cleaning up (their pid is gone).
reap_stale()
{
	local ns dir
	while read -r ns _; do
		[[ $ns =~ ^xrb-([0-9]+)- ]] || continue
		kill -0 "${BASH_REMATCH[1]}" 2>/dev/null || ip netns del "$ns" 2>/dev/null || true
	done < <(ip netns list 2>/dev/null)
	for dir in "$XRB_RUN_ROOT"/xrb-*; do
		[[ -d $dir && $dir =~ xrb-([0-9]+)$ ]] || continue
		kill -0 "${BASH_REMATCH[1]}" 2>/dev/null && continue
		umount_under "$dir"
		rm -rf "$dir"
	done
}

umount_under()
{
	local mnt
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' \
		/proc/self/mountinfo | sort -r | while read -r mnt; do
		umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
	done
}

topo_down()
{
	local ns
	while read -r ns _; do
		[[ $ns == "$PFX"-* ]] && ip netns del "$ns" 2>/dev/null
	done < <(ip netns list 2>/dev/null)
	umount_under "$RUN_DIR/bpffs"
	rm -rf "$RUN_DIR/bpffs"
	return 0
}

cleanup()
{
	local rc=$?
	trap - EXIT INT TERM
	set +e
	((CLEANED)) && return
	CLEANED=1
	if [[ -n $GEN_PID ]]; then
		kill "$GEN_PID" 2>/dev/null
		wait "$GEN_PID" 2>/dev/null
	fi
	# Deleting the namespaces deletes the veths, which detaches every
	# XDP program and frees the routes.
	[[ -n $PFX ]] && topo_down
	[[ -n $BPF_STATS_OLD ]] && sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS_OLD"
	[[ -n $RUN_DIR ]] && rm -rf "$RUN_DIR"
	exit "$rc"
}

ns() { printf '%s-%s' "$PFX" "$1"; }
in_ns() { local n; n=$(ns "$1"); shift; ip netns exec "$n" "$@"; }
mac() { in_ns "$1" cat "/sys/class/net/$2/address"; }
cli() { in_ns r "$CLI" --pin-path "$RUN_DIR/bpffs/xdp-router" "$@"; }
# The baseline build's CLI (cases fib-base, table-base).
cli_base() { in_ns r "$BASE_BUILD_DIR/xdp-router" --pin-path "$RUN_DIR/bpffs/xdp-router" "$@"; }

ns_add()
{
	ip netns add "$(ns "$1")"
	ip -n "$(ns "$1")" link set lo up
	in_ns "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
}

# veth NS1 IF1 NS2 IF2: two queues each way, so that two generators on two
# CPUs use two rings and two NAPI instances.
veth()
{
	ip link add "$2" netns "$(ns "$1")" numtxqueues 2 numrxqueues 2 \
		type veth peer name "$4" netns "$(ns "$3")" \
		numtxqueues 2 numrxqueues 2
	ip -n "$(ns "$1")" link set "$2" up
	ip -n "$(ns "$3")" link set "$4" up
}

# XPS: CPU n transmits on queue n. Without it the kernel hashes one flow
# onto one tx queue of rs, i.e. one NAPI on the sink side, and kernel
# forwarding cannot use the second core (NOTES.md).
xps()
{
	in_ns r sh -c "echo 1 > /sys/class/net/$1/queues/tx-0/xps_cpus &&
		echo 2 > /sys/class/net/$1/queues/tx-1/xps_cpus"
}

# The links' MTU for frames of CUR_SIZE bytes on the wire (FCS included):
# 1500, or above 1518 a jumbo MTU, 9000 (the frame's own if larger).
link_mtu()
{
	local l3=$((CUR_SIZE - 18))
	if ((l3 <= 1500)); then echo 1500
	elif ((l3 <= 9000)); then echo 9000
	else echo "$l3"
	fi
}

topo_up()
{
	local n mtu
	for n in g r s; do ns_add "$n"; done
	veth g g0 r rg
	veth r rs s s0
	# Before any program: veth caps the MTU of a peer whose program is not
	# multi-buffer aware (all of ours are: xdp.frags).
	mtu=$(link_mtu)
	if ((mtu != 1500)); then
		ip -n "$(ns g)" link set dev g0 mtu "$mtu"
		ip -n "$(ns r)" link set dev rg mtu "$mtu"
		ip -n "$(ns r)" link set dev rs mtu "$mtu"
		ip -n "$(ns s)" link set dev s0 mtu "$mtu"
	fi
	ip -n "$(ns r)" addr add 10.1.0.1/16 dev rg
	ip -n "$(ns g)" addr add 10.1.0.2/16 dev g0
	ip -n "$(ns r)" addr add 10.2.0.1/24 dev rs
	ip -n "$(ns s)" addr add 10.2.0.2/24 dev s0
	ip -n "$(ns r)" -6 addr add fd00:1::1/64 dev rg nodad
	ip -n "$(ns g)" -6 addr add fd00:1::2/64 dev g0 nodad
	ip -n "$(ns r)" -6 addr add fd00:2::1/64 dev rs nodad
	ip -n "$(ns s)" -6 addr add fd00:2::2/64 dev s0 nodad
	in_ns r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.rg.rp_filter=0
	# The sink drops ARP and NS too: the router's neighbour is static.
	ip -n "$(ns r)" neigh add 10.2.0.2 lladdr "$(mac s s0)" dev rs nud permanent
	ip -n "$(ns r)" neigh add fd00:2::2 lladdr "$(mac s s0)" dev rs nud permanent
	# The generator's XDP_TX frames reach rg through veth's XDP ring, which
	# exists only when rg runs XDP or has GRO on: GRO for the kernel case.
	in_ns r ethtool -K rg gro on >/dev/null
	xps rs
	xps rg
	# One bpffs from the root mount namespace: every `ip netns exec` sees
	# it (each remounts /sys, so /sys/fs/bpf would not last).
	mkdir -p "$RUN_DIR/bpffs"
	mount -t bpf bpf "$RUN_DIR/bpffs"
	in_ns s "$XRB" sink --dev s0 --pin "$RUN_DIR/bpffs/sink_s0"
	# For the one-legged XDP_TX case the packets come back to g0.
	in_ns g "$XRB" sink --dev g0 --pin "$RUN_DIR/bpffs/sink_g0"
	lb_up
}

# routes_up N: N random prefixes via the sink, and the destinations file.
ROUTE_ADD_S=""
routes_up()
{
	local n=$1 t0
	ROUTE_ADD_S=""
	((n > 0)) || return 0
	log "adding $n routes to the router's table"
	"$XRB_PY" "$XRB_ROOT/bench/routes.py" "$n" --via 10.2.0.2 --dev rs \
		--batch "$RUN_DIR/routes.batch" --dsts "$RUN_DIR/dsts.txt" \
		--ndsts "$DSTS"
	t0=$(date +%s.%N)
	ip -n "$(ns r)" -batch "$RUN_DIR/routes.batch" ||
		die "ip -batch failed adding routes"
	ROUTE_ADD_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
	log "$n routes in ${ROUTE_ADD_S} s"
	rm -f "$RUN_DIR/routes.batch"
}

