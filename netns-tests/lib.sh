# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# netns-tests/lib.sh - harness for xdp-router scenario tests.
#
# Source it from a test script, then call `xr_init <short-name>`:
#
#   . "$(dirname "$0")/lib.sh"
#   xr_init fwd                 # prefix xrt-fwd-<pid>, traps, checks
#   xr_topo abc                 # hosts A, B, C around router R (v4 + v6)
#   xr_cli r attach ra rb rc    # the CLI, run in R with R's own pin path
#
# Every test gets its own name prefix (xrt-<short>-<pid>), so tests can run
# in parallel with each other and with anything else on the machine. Names
# of namespaces are "<prefix>-<short>" (e.g. xrt-fwd-1234-r); interfaces live
# only inside those namespaces, so their short names never collide.
#
# bpffs: `ip netns exec` remounts /sys in a private mount namespace on every
# call, so pins under /sys/fs/bpf would vanish between two commands. Each
# router namespace gets ONE bpffs mounted from the root mount namespace under
# /run/xrt/<prefix>/, which every later `ip netns exec` sees; the CLI gets
# --pin-path pointing into it.
#
# Everything (background processes, namespaces, mounts, directories) is
# removed by an EXIT trap, also on failure and Ctrl-C. Every wait is bounded.
#
# Environment:
#   XR_CLI      path of the xdp-router binary (required for xr_cli)
#   XR_PYTHON   python with scapy (default /usr/bin/python3)
#   XR_PASS_OBJ a foreign XDP object (default: netns-tests/xrt_pass.bpf.o
#               in XR_CLI's build tree)
#   XR_VERBOSE  1: trace commands (set -x)

set -euo pipefail

XR_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XR_PYTHON=${XR_PYTHON:-/usr/bin/python3}
XR_CLI=${XR_CLI:-}
# A foreign XDP program for the attach tests; built next to the CLI.
XR_PASS_OBJ=${XR_PASS_OBJ:-${XR_CLI%/*}/netns-tests/xrt_pass.bpf.o}
XR_RUN_ROOT=/run/xrt
XR_SKIP=77		# ctest SKIP_RETURN_CODE

XR_PFX=""
XR_RUN_DIR=""
XR_T0=0
XR_BG_PIDS=()
XR_BG_PID=""
XR_CLEANED=0
XR_ERR=""		# last expected error line (xr_cli_err)
XR_FWD_SENT=0		# packets sent by the last xr_fwd_check
XR_IPERF_BPS=0		# receiver's bit/s of the last xr_iperf

# ---------------------------------------------------------------- logging

xr_log()
{
	printf '[%6.2fs] %s\n' "$(xr_elapsed)" "$*" >&2
}

xr_step()
{
	printf '\n[%6.2fs] === %s\n' "$(xr_elapsed)" "$*" >&2
}

xr_elapsed()
{
	local now
	now=$(date +%s.%N)
	awk -v a="$now" -v b="$XR_T0" 'BEGIN { printf "%.2f", a - b }'
}

# Fail the test: one clear line, then the EXIT trap cleans up.
xr_fail()
{
	printf '[%6.2fs] FAIL: %s\n' "$(xr_elapsed)" "$*" >&2
	exit 1
}

xr_skip()
{
	printf 'SKIP: %s\n' "$*" >&2
	# Under xr_phases: the reason, for its report.
	[[ -z ${XR_SKIP_NOTE:-} ]] || printf '%s\n' "$*" >"$XR_SKIP_NOTE"
	exit "$XR_SKIP"
}

# ---------------------------------------------------------------- set-up

# xr_init SHORT [TOOL...]: name prefix, traps, prerequisites (ip, ethtool
# and each TOOL installed, or the test is skipped).
xr_init()
{
	local short=$1
	shift

	XR_T0=$(date +%s.%N)
	[[ ${XR_VERBOSE:-0} == 1 ]] && set -x
	[[ $(id -u) == 0 ]] || xr_skip "netns tests need root"
	local tool
	for tool in ip ethtool "$@"; do
		command -v "$tool" >/dev/null || xr_skip "$tool not installed"
	done
	# Interface names must stay <= 15 chars, namespace names need not;
	# keep the prefix short anyway so `ip netns` listings stay readable.
	XR_PFX="xrt-${short}-$$"
	XR_RUN_DIR="$XR_RUN_ROOT/$XR_PFX"
	xr_reap_stale
	mkdir -p "$XR_RUN_DIR"
	trap xr_cleanup EXIT
	trap 'xr_log "interrupted"; exit 130' INT
	trap 'xr_log "terminated"; exit 143' TERM
	xr_log "$short: names prefixed $XR_PFX"
}

# Leftovers of earlier runs that were SIGKILLed (their pid is gone).
xr_reap_stale()
{
	local ns pid
	while read -r ns _; do
		[[ $ns =~ ^xrt-[a-z0-9]+-([0-9]+)- ]] || continue
		pid=${BASH_REMATCH[1]}
		kill -0 "$pid" 2>/dev/null && continue
		ip netns del "$ns" 2>/dev/null || true
	done < <(ip netns list 2>/dev/null)
	local dir
	for dir in "$XR_RUN_ROOT"/xrt-*-*; do
		[[ -d $dir && $dir =~ -([0-9]+)$ ]] || continue
		kill -0 "${BASH_REMATCH[1]}" 2>/dev/null && continue
		xr_umount_under "$dir"
		rm -rf "$dir"
	done
}

# Unmount everything mounted at or below DIR (deepest first).
xr_umount_under()
{
	local dir=$1 mnt
	[[ -n $dir ]] || return 0
	awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' \
		/proc/self/mountinfo | sort -r | while read -r mnt; do
		umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
	done
}

xr_cleanup()
{
	local rc=$?
	trap - EXIT INT TERM
	set +e
	((XR_CLEANED)) && return
	XR_CLEANED=1
	local pid ns
	for pid in "${XR_BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${XR_BG_PIDS[@]}"; do
		xr_wait_pid_gone "$pid" 3 || kill -9 "$pid" 2>/dev/null
	done
	if [[ -n $XR_PFX ]]; then
		# Deleting a namespace destroys its veths, which detaches XDP.
		while read -r ns _; do
			[[ $ns == "$XR_PFX"-* ]] && ip netns del "$ns" 2>/dev/null
		done < <(ip netns list 2>/dev/null)
		xr_umount_under "$XR_RUN_DIR"
		rm -rf "$XR_RUN_DIR"
	fi
	if ((rc == 0)); then
		xr_log "PASS ($(xr_elapsed)s)"
	elif ((rc == XR_SKIP)); then
		:
	else
		xr_log "FAILED with status $rc"
	fi
	exit "$rc"
}

# xr_bg NS CMD...: run CMD in namespace NS in the background; the pid is
# recorded for cleanup and left in XR_BG_PID. (Call it in the main shell,
# not in $(...), or the pid is lost.)
xr_bg()
{
	local ns
	ns=$(xr_ns "$1")
	shift
	ip netns exec "$ns" "$@" &
	XR_BG_PID=$!
	XR_BG_PIDS+=("$XR_BG_PID")
}

# ---------------------------------------------------------------- namespaces

# Full name of the namespace with short name SHORT.
xr_ns()
{
	printf '%s-%s' "$XR_PFX" "$1"
}

# xr_in SHORT CMD...: run CMD in namespace SHORT.
xr_in()
{
	local ns
	ns=$(xr_ns "$1")
	shift
	ip netns exec "$ns" "$@"
}

# xr_ns_add SHORT: create a namespace with loopback up and IPv6 DAD off (a
# tentative link-local address cannot source Neighbour Solicitations: the
# first packets to a new neighbour would wait a second for DAD).
xr_ns_add()
{
	local ns
	ns=$(xr_ns "$1")
	ip netns add "$ns" || xr_fail "cannot create namespace $ns"
	ip -n "$ns" link set lo up
	# A new namespace inherits IPv4 forwarding from the initial one
	# (net.core.devconf_inherit_init_net 0): on a host that forwards,
	# test hosts would too, and bounce stray packets back (routing loops
	# in populate_churn). Off here; xr_router_ns() turns it on.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 net.ipv4.ip_forward=0 \
		net.ipv6.conf.all.forwarding=0
}

# xr_router_ns SHORT: a namespace that forwards v4 and v6, with its own bpffs.
xr_router_ns()
{
	xr_ns_add "$1"
	xr_in "$1" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1
	xr_bpffs "$1"
}

# xr_bpffs SHORT: mount a bpffs for router namespace SHORT (root mount ns).
xr_bpffs()
{
	local dir="$XR_RUN_DIR/bpffs-$1"
	mkdir -p "$dir"
	mount -t bpf bpf "$dir" || xr_fail "cannot mount bpffs at $dir"
}

# Pin path the CLI uses for router namespace SHORT (inside its bpffs).
xr_pin_path()
{
	printf '%s/bpffs-%s/xdp-router' "$XR_RUN_DIR" "$1"
}

# xr_veth NS1 IF1 NS2 IF2: a veth pair created directly in both namespaces
# (nothing ever appears in the root namespace, so no name clashes).
xr_veth()
{
	local n1 n2
	n1=$(xr_ns "$1")
	n2=$(xr_ns "$3")
	ip link add "$2" netns "$n1" type veth peer name "$4" netns "$n2" ||
		xr_fail "cannot create veth $1/$2 - $3/$4"
	ip -n "$n1" link set "$2" up
	ip -n "$n2" link set "$4" up
}

# xr_addr NS IF CIDR...: add v4/v6 addresses (v6 without DAD: usable at once).
xr_addr()
{
	local ns cidr
	ns=$(xr_ns "$1")
	local ifname=$2
	shift 2
	for cidr in "$@"; do
		if [[ $cidr == *:* ]]; then
			ip -n "$ns" -6 addr add "$cidr" dev "$ifname" nodad
		else
			ip -n "$ns" addr add "$cidr" dev "$ifname"
		fi
	done
}

# xr_host_prep NS IF: settings for a host's veth whose peer is on the router:
# - tx checksum offload off: TCP/UDP from a namespace is CHECKSUM_PARTIAL, and
#   once XDP redirects such a frame nobody completes the checksum;
# - GRO on: XDP_REDIRECT into a veth only delivers when the peer has GRO (or
#   an XDP program), otherwise the frames are dropped silently.
xr_host_prep()
{
	xr_in "$1" ethtool -K "$2" tx off >/dev/null 2>&1 ||
		xr_fail "ethtool -K $2 tx off failed in $1"
	xr_in "$1" ethtool -K "$2" gro on >/dev/null 2>&1 ||
		xr_fail "ethtool -K $2 gro on failed in $1"
}

# xr_mac NS IF: the interface's MAC address.
xr_mac()
{
	xr_in "$1" cat "/sys/class/net/$2/address" 2>/dev/null ||
		ip -n "$(xr_ns "$1")" -br link show dev "$2" | awk '{ print $3 }'
}

xr_ifindex()
{
	ip -n "$(xr_ns "$1")" -o link show dev "$2" | cut -d: -f1
}

# xr_topo HOSTS: the standard topology, routed subnets around R for HOSTS
# (any of "abc"; "ab" builds A - R - B only).
#
#   A a0 ---- ra R rb ---- b0 B          10.1.0.0/24 fd00:1::/64 (A)
#                 rc                     10.2.0.0/24 fd00:2::/64 (B)
#                  |                     10.3.0.0/24 fd00:3::/64 (C)
#                  c0 C                  router .1 / ::1, host .2 / ::2
#
xr_topo()
{
	local hosts=$1 h i
	xr_router_ns r
	i=0
	for h in a b c; do
		i=$((i + 1))
		[[ $hosts == *$h* ]] || continue
		xr_host "$h" "$i"
	done
}

# xr_host SHORT IDX: host SHORT on its own subnet IDX around router r (which
# must exist): SHORT0 - rSHORT, 10.IDX.0.0/24 and fd00:IDX::/64, router .1,
# host .2, the host's default routes via the router. xr_topo's hosts, and
# more than a, b and c for the tests that need them.
xr_host()
{
	local h=$1 i=$2
	xr_ns_add "$h"
	xr_veth "$h" "${h}0" r "r$h"
	xr_addr r "r$h" "10.$i.0.1/24" "fd00:$i::1/64"
	xr_addr "$h" "${h}0" "10.$i.0.2/24" "fd00:$i::2/64"
	ip -n "$(xr_ns "$h")" route add default via "10.$i.0.1"
	ip -n "$(xr_ns "$h")" -6 route add default via "fd00:$i::1"
	xr_host_prep "$h" "${h}0"
}

# Address of host H (a/b/c) or of the router's interface on H's subnet.
xr_ip4() { local i; i=$(xr_subnet "$1"); printf '10.%s.0.2' "$i"; }
xr_ip6() { local i; i=$(xr_subnet "$1"); printf 'fd00:%s::2' "$i"; }
xr_rip4() { local i; i=$(xr_subnet "$1"); printf '10.%s.0.1' "$i"; }
xr_rip6() { local i; i=$(xr_subnet "$1"); printf 'fd00:%s::1' "$i"; }
xr_subnet()
{
	case $1 in
	a) echo 1 ;; b) echo 2 ;; c) echo 3 ;;
	*) xr_fail "no subnet for host '$1'" ;;
	esac
}

# ---------------------------------------------------------------- the CLI

xr_need_cli()
{
	[[ -n $XR_CLI ]] || xr_fail "XR_CLI is not set (path of xdp-router)"
	[[ -x $XR_CLI ]] || xr_fail "CLI not executable: $XR_CLI"
}

# xr_cli NS ARGS...: the CLI in router namespace NS with its pin path.
xr_cli()
{
	local ns=$1
	shift
	xr_in "$ns" "$XR_CLI" --pin-path "$(xr_pin_path "$ns")" "$@"
}

# xr_cli_ok NS ARGS...: the CLI must succeed; its stdout is passed on.
xr_cli_ok()
{
	local out rc=0
	out=$(xr_cli "$@" 2>&1) || rc=$?
	((rc == 0)) || xr_fail "xdp-router ${*:2} (in $1) exited $rc: $out"
	[[ -z $out ]] || printf '%s\n' "$out"
}

# xr_cli_err NS ARGS...: the CLI must fail with exactly one "Error: " line
# on stderr; that line is left in XR_ERR.
xr_cli_err()
{
	local rc=0 errf
	errf="$XR_RUN_DIR/cli.err"
	xr_cli "$@" >"$XR_RUN_DIR/cli.out" 2>"$errf" || rc=$?
	XR_ERR=$(cat "$errf")
	((rc != 0)) || xr_fail "xdp-router ${*:2} succeeded, expected an error" \
		"(stdout: $(cat "$XR_RUN_DIR/cli.out"))"
	[[ $XR_ERR == Error:* ]] ||
		xr_fail "xdp-router ${*:2}: stderr does not start with 'Error:': '$XR_ERR'"
	(($(printf '%s\n' "$XR_ERR" | wc -l) == 1)) ||
		xr_fail "xdp-router ${*:2}: more than one error line: '$XR_ERR'"
	xr_log "expected error (exit $rc): $XR_ERR"
}

# xr_json_get JSON PYEXPR: evaluate PYEXPR on the parsed JSON `j`.
xr_json_get()
{
	"$XR_PYTHON" -c '
import json, sys
j = json.loads(sys.argv[1])
r = eval(sys.argv[2])
print(json.dumps(r) if isinstance(r, (dict, list)) else r)
' "$1" "$2"
}

# xr_stat NS IFNAME OUTCOME [packets|bytes]: a counter from `stats --json`
# (0 when the interface or outcome is not listed).
xr_stat()
{
	local json
	json=$(xr_cli_ok "$1" --json stats) ||
		xr_fail "stats --json failed"
	"$XR_PYTHON" -c '
import json, sys
j, ifname, outcome, field = json.loads(sys.argv[1]), *sys.argv[2:5]
for i in j:
    if i.get("ifname") == ifname:
        print(i.get("outcomes", {}).get(outcome, {}).get(field, 0))
        break
else:
    print(0)
' "$json" "$2" "$3" "${4:-packets}" || xr_fail "cannot parse stats: $json"
}

# ---------------------------------------------------------------- kernel state

# xr_ethtool_stat NS IF NAME: sum of the `ethtool -S` counters named NAME or
# *_NAME (per-queue veth counters: rx_queue_0_xdp_redirect, ...).
xr_ethtool_stat()
{
	xr_in "$1" ethtool -S "$2" | awk -v n="$3" '
		{ sub(":", "", $1) }
		$1 == n || substr($1, length($1) - length(n)) == "_" n { s += $2 }
		END { print s + 0 }'
}

# xr_snmp NS NAME: a counter of /proc/net/snmp (e.g. Ip ForwDatagrams; give
# it as "Ip:ForwDatagrams") or /proc/net/snmp6 (Ip6OutForwDatagrams).
xr_snmp()
{
	local ns=$1 name=$2
	if [[ $name == *:* ]]; then
		xr_in "$ns" cat /proc/net/snmp | awk -v grp="${name%%:*}:" \
			-v key="${name#*:}" '
			$1 == grp && !hdr { for (i = 2; i <= NF; i++) col[$i] = i; hdr = 1; next }
			$1 == grp && hdr { print $col[key]; exit }'
	else
		xr_in "$ns" cat /proc/net/snmp6 | awk -v key="$name" \
			'$1 == key { print $2 }'
	fi
}

# The kernel's forwarding counters in NS, v4 + v6.
xr_kernel_fwd()
{
	local v4 v6
	v4=$(xr_snmp "$1" Ip:ForwDatagrams)
	v6=$(xr_snmp "$1" Ip6OutForwDatagrams)
	echo $((v4 + v6))
}

# xr_xdp_prog_id NS IF: id of the XDP program on IF, empty if none.
xr_xdp_prog_id()
{
	ip -n "$(xr_ns "$1")" -j -d link show dev "$2" | "$XR_PYTHON" -c '
import json, sys
l = json.load(sys.stdin)[0]
x = l.get("xdp") or {}
pid = x.get("prog", {}).get("id") or next(
    (a["prog"]["id"] for a in x.get("attached", []) if "prog" in a), "")
print(pid)'
}

# ---------------------------------------------------------------- probes

# xr_ping NS DST [COUNT]: ping (v4 or v6 by address), bounded in time.
xr_ping()
{
	local ns=$1 dst=$2 count=${3:-3} out
	out=$(xr_in "$ns" ping -c "$count" -i 0.05 -W 1 -w 5 "$dst" 2>&1) ||
		xr_fail "ping $dst from $ns failed: $(printf '%s' "$out" | tail -n 3)"
	xr_log "ok: ping $ns -> $dst"
}

# xr_wait_tcp_listen NS PORT: wait (bounded) until something listens on PORT.
xr_wait_tcp_listen()
{
	xr_wait_until 30 "listener on port $2 in $1" \
		xr_in_grep "$1" ":$2\$" ss -Hltn
}

# xr_in_grep NS PATTERN CMD...: CMD's output in NS matches PATTERN (awk on $4).
xr_in_grep()
{
	local ns=$1 pat=$2
	shift 2
	xr_in "$ns" "$@" | awk -v p="$pat" '$4 ~ p { f = 1 } END { exit !f }'
}

# xr_pktcheck ARGS...: the scapy checker (netns-tests/pktcheck.py).
xr_pktcheck()
{
	"$XR_PYTHON" "$XR_LIB_DIR/pktcheck.py" "$@"
}

# ---------------------------------------------------------------- more helpers
#
# Waiting for events (lib_sync.sh), shared checks (lib_checks.sh), populate / table mode helpers
# (lib_populate.sh) and load balancer helpers (lib_lb.sh); kept in their own
# files, sourced here so tests source only lib.sh.

# shellcheck source=lib_sync.sh
. "$XR_LIB_DIR/lib_sync.sh"
# shellcheck source=lib_checks.sh
. "$XR_LIB_DIR/lib_checks.sh"
# shellcheck source=lib_populate.sh
. "$XR_LIB_DIR/lib_populate.sh"
# shellcheck source=lib_lb.sh
. "$XR_LIB_DIR/lib_lb.sh"

# xr_phases SCRIPT PHASE...: run `bash SCRIPT PHASE` for each PHASE (each in
# namespaces of its own, as a test of its own). A skipped phase is reported
# ("SKIPPED phase X: reason"), and so in the last line ("passed (1 phase
# skipped)"). Exit 1 if one failed, 77 if all were skipped, else 0.
xr_phases()
{
	local script=$1 phase r failed=() skipped=() note
	shift
	note=$(mktemp)
	for phase in "$@"; do
		r=0
		: >"$note"
		XR_SKIP_NOTE=$note bash "$script" "$phase" || r=$?
		if ((r == XR_SKIP)); then
			skipped+=("$phase")
			printf 'SKIPPED phase %s: %s\n' "$phase" \
				"$(cat "$note" 2>/dev/null || true)" >&2
		elif ((r != 0)); then
			failed+=("$phase")
		fi
	done
	rm -f "$note"
	r=0
	if ((${#failed[@]})); then
		printf 'FAILED phase(s): %s' "${failed[*]}" >&2
		r=1
	elif ((${#skipped[@]} == $#)); then
		printf 'SKIPPED: every phase' >&2
		r=$XR_SKIP
	else
		printf 'passed' >&2
	fi
	((${#skipped[@]} == 0 || ${#skipped[@]} == $#)) ||
		printf ' (%d phase%s skipped: %s)' "${#skipped[@]}" \
			"$( ((${#skipped[@]} == 1)) || echo s)" "${skipped[*]}" >&2
	printf '\n' >&2
	exit "$r"
}
