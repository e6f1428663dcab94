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
#   XR_PASS_OBJ a foreign XDP object (default: xrt_pass.bpf.o beside XR_CLI)
#   XR_VERBOSE  1: trace commands (set -x)

set -euo pipefail

XR_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XR_PYTHON=${XR_PYTHON:-/usr/bin/python3}
XR_CLI=${XR_CLI:-}
# A foreign XDP program for the attach tests; built next to the CLI.
XR_PASS_OBJ=${XR_PASS_OBJ:-${XR_CLI%/*}/xrt_pass.bpf.o}
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
	exit "$XR_SKIP"
}

# ---------------------------------------------------------------- set-up

# xr_init SHORT: name prefix, traps, prerequisites.
xr_init()
{
	local short=$1

	XR_T0=$(date +%s.%N)
	[[ ${XR_VERBOSE:-0} == 1 ]] && set -x
	[[ $(id -u) == 0 ]] || xr_skip "netns tests need root"
	local tool
	for tool in ip ethtool; do
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

# xr_wait_pid_gone PID SECONDS
xr_wait_pid_gone()
{
	local pid=$1 deadline=$((SECONDS + $2))
	while kill -0 "$pid" 2>/dev/null; do
		((SECONDS < deadline)) || return 1
		sleep 0.05
	done
	wait "$pid" 2>/dev/null
	return 0
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
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
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
		xr_ns_add "$h"
		xr_veth "$h" "${h}0" r "r$h"
		xr_addr r "r$h" "10.$i.0.1/24" "fd00:$i::1/64"
		xr_addr "$h" "${h}0" "10.$i.0.2/24" "fd00:$i::2/64"
		ip -n "$(xr_ns "$h")" route add default via "10.$i.0.1"
		ip -n "$(xr_ns "$h")" -6 route add default via "fd00:$i::1"
		xr_host_prep "$h" "${h}0"
	done
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

# ---------------------------------------------------------------- assertions

xr_assert_eq()
{
	[[ $1 == "$2" ]] || xr_fail "$3: got '$1', expected '$2'"
	xr_log "ok: $3 ($1)"
}

xr_assert_ne()
{
	[[ $1 != "$2" ]] || xr_fail "$3: got '$1', expected anything else"
	xr_log "ok: $3 ($1)"
}

# xr_assert_ge ACTUAL MIN DESC (integers)
xr_assert_ge()
{
	(($1 >= $2)) || xr_fail "$3: got $1, expected >= $2"
	xr_log "ok: $3 ($1 >= $2)"
}

xr_assert_lt()
{
	(($1 < $2)) || xr_fail "$3: got $1, expected < $2"
	xr_log "ok: $3 ($1 < $2)"
}

xr_assert_empty()
{
	[[ -z $1 ]] || xr_fail "$2: expected nothing, got '$1'"
	xr_log "ok: $2"
}

# xr_expect_ok DESC CMD...: CMD must succeed; its output is shown on failure.
xr_expect_ok()
{
	local desc=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	((rc == 0)) || xr_fail "$desc: '$*' exited $rc: $out"
	xr_log "ok: $desc"
}

# xr_expect_fail DESC CMD...: CMD must fail.
xr_expect_fail()
{
	local desc=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	((rc != 0)) || xr_fail "$desc: '$*' succeeded: $out"
	xr_log "ok: $desc (exit $rc)"
}

# xr_wait_until SECONDS DESC CMD...: poll CMD every 0.1 s until it succeeds;
# fail the test after SECONDS.
xr_wait_until()
{
	local deadline desc=$2
	deadline=$(($(date +%s%N) + $1 * 1000000000))
	shift 2
	until "$@" >/dev/null 2>&1; do
	       (($(date +%s%N) < deadline)) || xr_fail "timed out: $desc"
	       sleep 0.1
	done
}

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
	xr_wait_until 5 "listener on port $2 in $1" \
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

# ---------------------------------------------------------------- scenarios

# xr_fwd_check SRC DST [COUNT]: scapy check of forwarding from host SRC to
# host DST (a/b/c) through R: COUNT packets of each kind, checked exactly at
# DST. Sets XR_FWD_SENT to the number of packets sent.
xr_fwd_check()
{
	local s=$1 d=$2 n=${3:-1} out rc=0
	out=$(xr_pktcheck forward \
		--src "$(xr_ns "$s"):${s}0" --dst "$(xr_ns "$d"):${d}0" \
		--router "$(xr_ns r):r$s:r$d" \
		--src4 "$(xr_ip4 "$s")" --dst4 "$(xr_ip4 "$d")" \
		--src6 "$(xr_ip6 "$s")" --dst6 "$(xr_ip6 "$d")" \
		--count "$n" 2>&1) || rc=$?
	((rc == 0)) || xr_fail "packet check $s -> $d:"$'\n'"$out"
	XR_FWD_SENT=$(xr_json_get "$(tail -n 1 <<<"$out")" 'j["sent"]')
	xr_log "ok: $XR_FWD_SENT packets $s -> $d: TTL/hop limit -1, checksums, MACs, payload"
}

# xr_ttl_check SRC DST: TTL 1 / hop limit 1 from SRC towards DST gets ICMP
# Time Exceeded from the router's address on SRC's subnet.
xr_ttl_check()
{
	local s=$1 d=$2 out rc=0
	out=$(xr_pktcheck ttl \
		--src "$(xr_ns "$s"):${s}0" --dst "$(xr_ns "$d"):${d}0" \
		--router "$(xr_ns r):r$s:r$d" \
		--src4 "$(xr_ip4 "$s")" --dst4 "$(xr_ip4 "$d")" \
		--src6 "$(xr_ip6 "$s")" --dst6 "$(xr_ip6 "$d")" \
		--router4 "$(xr_rip4 "$s")" --router6 "$(xr_rip6 "$s")" 2>&1) ||
		rc=$?
	((rc == 0)) || xr_fail "TTL check $s -> $d:"$'\n'"$out"
	xr_log "ok: TTL/hop limit 1 $s -> $d: Time Exceeded from the router ($out)"
}

# xr_ping_pairs "a b" "a c" ...: ping v4 and v6 between hosts, both ways.
xr_ping_pairs()
{
	local pair s d
	for pair in "$@"; do
		read -r s d <<<"$pair"
		xr_ping "$s" "$(xr_ip4 "$d")"
		xr_ping "$s" "$(xr_ip6 "$d")"
		xr_ping "$d" "$(xr_ip4 "$s")"
		xr_ping "$d" "$(xr_ip6 "$s")"
	done
}

# xr_status_json NS: `status --json` (the test fails if it fails).
xr_status_json()
{
	xr_cli_ok "$1" --json status
}

# xr_status_get NS IFNAME FIELD: one field of IFNAME's `status --json` entry
# (empty when IFNAME is not listed).
xr_status_get()
{
	local json
	json=$(xr_status_json "$1")
	"$XR_PYTHON" -c '
import json, sys
j, ifname, field = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
print(next((str(e.get(field, "")) for e in j if e.get("ifname") == ifname), ""))
' "$json" "$2" "$3" || xr_fail "cannot parse status --json: $json"
}

# xr_status_ifnames NS: attached interfaces (sorted, space separated); empty
# when status fails (nothing attached).
xr_status_ifnames()
{
	local json
	json=$(xr_cli "$1" --json status 2>/dev/null) || return 0
	"$XR_PYTHON" -c '
import json, sys
print(" ".join(sorted(e["ifname"] for e in json.loads(sys.argv[1]))))
' "$json" || xr_fail "cannot parse status --json: $json"
}

# xr_pins NS: what is pinned under the pin path of router NS (one per line).
xr_pins()
{
	local pin
	pin=$(xr_pin_path "$1")
	[[ -d $pin ]] || return 0
	find "$pin" -mindepth 1 -printf '%P\n' | sort
}

# xr_assert_no_router NS IF...: no XDP program on any IF, nothing pinned.
xr_assert_no_router()
{
	local ns=$1 ifname
	shift
	for ifname in "$@"; do
		xr_assert_empty "$(xr_xdp_prog_id "$ns" "$ifname")" \
			"no XDP program on $ifname"
	done
	xr_assert_empty "$(xr_pins "$ns")" "nothing pinned under $(xr_pin_path "$ns")"
}

# xr_foreign_xdp NS IF: attach a foreign XDP program (not the router) to IF.
xr_foreign_xdp()
{
	[[ -r ${XR_PASS_OBJ:-} ]] || xr_fail "XR_PASS_OBJ not readable: '${XR_PASS_OBJ:-}'"
	ip -n "$(xr_ns "$1")" link set dev "$2" xdpdrv obj "$XR_PASS_OBJ" sec xdp ||
		xr_fail "cannot attach the foreign XDP program to $2"
}

# xr_counters NS IF: snapshot "ethtool-xdp_redirect cli-redirect kernel-fwd"
# for ingress interface IF of router NS.
xr_counters()
{
	local eth cli fwd
	eth=$(xr_ethtool_stat "$1" "$2" xdp_redirect)
	cli=$(xr_stat "$1" "$2" redirect)
	fwd=$(xr_kernel_fwd "$1")
	echo "$eth $cli $fwd"
}

# xr_assert_xdp_path BEFORE AFTER N DESC: between two xr_counters snapshots
# at least N packets were redirected by XDP (driver and CLI counters agree)
# and the kernel forwarded fewer than MAX (default: 3) packets.
xr_assert_xdp_path()
{
	local e0 c0 f0 e1 c1 f1 n=$3 desc=$4 max=${5:-3}
	read -r e0 c0 f0 <<<"$1"
	read -r e1 c1 f1 <<<"$2"
	xr_assert_ge $((e1 - e0)) "$n" "$desc: ethtool -S xdp_redirect grew"
	xr_assert_ge $((c1 - c0)) "$n" "$desc: xdp-router stats redirect grew"
	xr_assert_lt $((f1 - f0)) "$max" "$desc: kernel ForwDatagrams (v4+v6) grew"
}

# xr_iperf SRC DST ADDR SECONDS [PORT]: TCP bulk from host SRC to ADDR, an
# address of host DST where the server runs. Leaves the receiver's bit/s in
# XR_IPERF_BPS. Call it in the main shell (not in $(...)): the server is a
# background process the cleanup must know. Both ends are time-bounded.
xr_iperf()
{
	local s=$1 d=$2 addr=$3 secs=$4 port=${5:-5201} json
	xr_bg "$d" timeout $((secs + 15)) iperf3 -s -1 -p "$port" \
		>"$XR_RUN_DIR/iperf3-server-$port.log" 2>&1
	xr_wait_tcp_listen "$d" "$port"
	json=$(xr_in "$s" timeout $((secs + 10)) iperf3 -c "$addr" -p "$port" \
		-t "$secs" -J 2>&1) ||
		xr_fail "iperf3 $s -> $addr failed: $(xr_json_get "$json" \
			'j.get("error", "")' 2>/dev/null || echo "$json")"
	# shellcheck disable=SC2034  # read by the tests
	XR_IPERF_BPS=$(xr_json_get "$json" \
		'int(j["end"]["sum_received"]["bits_per_second"])') ||
		xr_fail "cannot parse iperf3 output: $json"
	xr_wait_pid_gone "$XR_BG_PID" 5 || true
}

# xr_assert_attached NS IF PROG_ID: IF runs the router's program PROG_ID
# (per the kernel) and `status --json` describes it right: ifname, ifindex,
# mode "native" (veth), prog_id, prog_name, tag (per bpftool), pin_path.
xr_assert_attached()
{
	local ns=$1 ifname=$2 id=$3 json tag
	xr_assert_eq "$(xr_xdp_prog_id "$ns" "$ifname")" "$id" \
		"kernel: XDP program on $ifname"
	tag=$(bpftool -j prog show id "$id" | "$XR_PYTHON" -c \
		'import json, sys; print(json.load(sys.stdin)["tag"])') ||
		xr_fail "bpftool prog show id $id failed"
	json=$(xr_status_json "$ns")
	"$XR_PYTHON" - "$json" "$ifname" "$(xr_ifindex "$ns" "$ifname")" "$id" \
		"$tag" "$(xr_pin_path "$ns")" <<'PY' || xr_fail "status --json for $ifname is wrong: $json"
import json, sys
j, ifname, ifindex, prog_id, tag, pin = sys.argv[1:]
e = [e for e in json.loads(j) if e.get("ifname") == ifname]
if len(e) != 1:
    sys.exit(f"FAIL: {ifname} listed {len(e)} times")
e = e[0]
want = {"ifname": ifname, "ifindex": int(ifindex), "mode": "native",
        "prog_id": int(prog_id), "prog_name": "xdp_router", "tag": tag,
        "pin_path": pin}
bad = {k: (e.get(k), v) for k, v in want.items()
       if e.get(k) != v and not (k == "pin_path" and
                                 str(e.get(k, "")).rstrip("/") == v)}
if bad:
    sys.exit("FAIL: " + ", ".join(f"{k}: got {g!r}, expected {w!r}"
                                 for k, (g, w) in bad.items()))
PY
	xr_log "ok: status --json for $ifname (native, prog $id, tag $tag)"
}

# xr_wait_prog_gone ID: the kernel freed program ID (bounded wait).
xr_wait_prog_gone()
{
	xr_wait_until 5 "program $1 freed by the kernel" \
		xr_not bpftool prog show id "$1"
	xr_log "ok: program $1 no longer exists"
}

xr_not()
{
	! "$@"
}

# ---------------------------------------------------------------- populate, table mode
#
# For the populate tests (test_populate_*.sh):
#   XR_FIBDIFF  the xrt_fibdiff helper (default: beside XR_CLI, netns-tests/)
#   XR_BPF_OBJ  the router's BPF object (default: xdp_router.bpf.o beside XR_CLI)

XR_FIBDIFF=${XR_FIBDIFF:-${XR_CLI%/*}/netns-tests/xrt_fibdiff}
XR_BPF_OBJ=${XR_BPF_OBJ:-${XR_CLI%/*}/xdp_router.bpf.o}
XR_WATCH_PID=""		# the `populate --watch` of xr_watch_start
XR_WATCH_LOG=""

# xr_need_cli_feature CMD OPTION: the CLI's `CMD --help` mentions OPTION
# (e.g. "populate" "--watch"); fail with one clear line if it does not.
xr_need_cli_feature()
{
	local help
	help=$("$XR_CLI" "$1" --help 2>&1) || true
	grep -q -e "$2" <<<"$help" ||
		xr_fail "this xdp-router has no '$1 $2' (its help: $(head -n 1 <<<"$help"))"
}

# xr_host SHORT IDX: host SHORT on its own subnet IDX around router r (which
# must exist): SHORT0 - rSHORT, 10.IDX.0.0/24 and fd00:IDX::/64, router .1,
# host .2, the host's default routes via the router. Like xr_topo's hosts,
# for more than a, b and c.
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

# xr_populate NS ARGS...: one-shot `populate` (must succeed); the summary is
# logged and left on stdout.
xr_populate()
{
	local ns=$1 out
	shift
	out=$(xr_cli_ok "$ns" populate "$@")
	printf '%s\n' "$out" | sed 's/^/    populate: /' >&2
	printf '%s\n' "$out"
}

# xr_watch_start NS READY_PREFIX [-v] ARGS...: `[-v] populate --watch ARGS`
# in router NS in the background (output in XR_WATCH_LOG, pid in
# XR_WATCH_PID); returns once the maps hold READY_PREFIX (its first sync is
# done), fails after 10 s or if it exits.
xr_watch_start()
{
	local ns=$1 ready=$2 deadline global=()
	shift 2
	if [[ ${1:-} == -v ]]; then
		global=(-v)
		shift
	fi
	XR_WATCH_LOG="$XR_RUN_DIR/watch-$ns.log"
	xr_bg "$ns" "$XR_CLI" --pin-path "$(xr_pin_path "$ns")" "${global[@]}" \
		populate --watch "$@" >"$XR_WATCH_LOG" 2>&1
	XR_WATCH_PID=$XR_BG_PID
	deadline=$(($(date +%s%N) + 10000000000))
	until xr_map_has_prefix "$ns" "$ready"; do
		kill -0 "$XR_WATCH_PID" 2>/dev/null ||
			xr_fail "populate --watch exited at start: $(tail -n 5 "$XR_WATCH_LOG")"
		(($(date +%s%N) < deadline)) ||
			xr_fail "populate --watch: $ready not in the maps after 10 s"
		sleep 0.05
	done
	xr_log "populate --watch running (pid $XR_WATCH_PID), maps synced"
}

# xr_watch_alive: the watcher of xr_watch_start still runs.
xr_watch_alive()
{
	kill -0 "$XR_WATCH_PID" 2>/dev/null ||
		xr_fail "populate --watch died: $(tail -n 5 "$XR_WATCH_LOG")"
	xr_log "ok: populate --watch still running"
}

# xr_watch_stop [SIGNAL]: stop the watcher (default SIGTERM); it must exit 0
# within 5 s.
xr_watch_stop()
{
	local sig=${1:-TERM} rc=0 deadline
	xr_watch_alive
	kill -s "$sig" "$XR_WATCH_PID"
	deadline=$((SECONDS + 5))
	while kill -0 "$XR_WATCH_PID" 2>/dev/null; do
		((SECONDS < deadline)) ||
			xr_fail "populate --watch still running 5 s after SIG$sig"
		sleep 0.05
	done
	wait "$XR_WATCH_PID" || rc=$?
	((rc == 0)) || xr_fail "populate --watch exited $rc on SIG$sig: $(tail -n 5 "$XR_WATCH_LOG")"
	xr_log "ok: populate --watch exited 0 on SIG$sig"
}

# xr_map_prefixes NS 4|6: the prefixes in xr_routes_v4/v6, sorted, one per
# line, in `ip route` notation (10.0.0.0/8, 2001:db8::/32).
xr_map_prefixes()
{
	local map=xr_routes_v4
	[[ $2 == 6 ]] && map=xr_routes_v6
	bpftool -j map dump pinned "$(xr_pin_path "$1")/$map" 2>/dev/null |
		"$XR_PYTHON" -c '
import ipaddress, json, sys
out = []
for e in json.load(sys.stdin):
    k = bytes(int(b, 16) for b in e["key"])
    plen = int.from_bytes(k[:4], "little")
    out.append(str(ipaddress.ip_network((k[4:], plen), strict=False)))
print("\n".join(sorted(out)))'
}

# xr_kernel_prefixes NS 4|6 [TABLE]: the kernel's prefixes in TABLE (main),
# as xr_map_prefixes prints them (IPv6 link-local routes left out).
xr_kernel_prefixes()
{
	ip -n "$(xr_ns "$1")" -j "-$2" route show table "${3:-main}" |
		"$XR_PYTHON" -c '
import ipaddress, json, sys
out = set()
for r in json.load(sys.stdin):
    d = r["dst"]
    if d == "default":
        d = "0.0.0.0/0" if sys.argv[1] == "4" else "::/0"
    n = ipaddress.ip_network(d, strict=False)
    if not n.is_link_local:
        out.add(str(n))
print("\n".join(sorted(out)))' "$2"
}

# xr_map_has_prefix NS PREFIX: PREFIX (exactly) is in the routes map.
xr_map_has_prefix()
{
	local fam=4
	[[ $2 == *:* ]] && fam=6
	xr_map_prefixes "$1" "$fam" | grep -xF -- "$2" >/dev/null
}

# xr_maps_match_kernel NS 4|6 [TABLE]: the routes map mirrors TABLE (main):
# it holds every prefix of TABLE and nothing else but prefixes of the local
# table (which populate may mirror too: local addresses, broadcasts).
# IPv6 link-local prefixes are left out of the comparison. On mismatch,
# XR_MAP_DIFF says what is missing and what is extra.
XR_MAP_DIFF=""
xr_maps_match_kernel()
{
	local d="$XR_RUN_DIR/maps-match"
	if ! xr_kernel_prefixes "$1" "$2" "${3:-main}" >"$d.want" ||
		! xr_kernel_prefixes "$1" "$2" local >"$d.local" ||
		! xr_map_prefixes "$1" "$2" >"$d.have"; then
		xr_fail "cannot read the kernel's or the map's IPv$2 prefixes"
	fi
	XR_MAP_DIFF=$("$XR_PYTHON" -c '
import ipaddress, sys
want, local, have = (set(open(f).read().split()) for f in sys.argv[1:4])
have = {p for p in have if not ipaddress.ip_network(p).is_link_local}
missing, extra = sorted(want - have), sorted(have - want - local)
if missing or extra:
    print("missing from the map:", " ".join(missing[:10]) or "-",
          f"({len(missing)}); extra in the map:", " ".join(extra[:10]) or "-",
          f"({len(extra)})")
' "$d.want" "$d.local" "$d.have") || xr_fail "cannot compare the prefixes"
	[[ -z $XR_MAP_DIFF ]]
}

# xr_wait_maps_match NS SECONDS [TABLE]: v4 and v6 route maps mirror TABLE
# (main; see xr_maps_match_kernel) within SECONDS, else the test fails.
xr_wait_maps_match()
{
	local ns=$1 table=${3:-main} deadline fam
	deadline=$(($(date +%s%N) + $2 * 1000000000))
	until xr_maps_match_kernel "$ns" 4 "$table" &&
		xr_maps_match_kernel "$ns" 6 "$table"; do
		if (($(date +%s%N) >= deadline)); then
			for fam in 4 6; do
				xr_maps_match_kernel "$ns" "$fam" "$table" ||
					xr_log "IPv$fam: $XR_MAP_DIFF"
			done
			xr_fail "route maps do not mirror table $table after $2 s"
		fi
		sleep 0.1
	done
}

# xr_maps_snapshot NS: every table-mode map's content (routes, nexthops,
# ECMP groups, neighbours; empty array slots left out), canonical, on stdout.
xr_maps_snapshot()
{
	local pin map
	pin=$(xr_pin_path "$1")
	for map in xr_routes_v4 xr_routes_v6 xr_nexthops xr_nh_groups xr_neigh; do
		echo "== $map"
		bpftool -j map dump pinned "$pin/$map" | "$XR_PYTHON" -c '
import json, sys
rows = []
for e in json.load(sys.stdin):
    v = "".join(b[2:] for b in e["value"])
    if sys.argv[1] in ("xr_nexthops", "xr_nh_groups") and not int(v, 16):
        continue
    rows.append("".join(b[2:] for b in e["key"]) + " " + v)
print("\n".join(sorted(rows)))' "$map" || xr_fail "cannot dump $map"
	done
}

# xr_fibdiff NS ARGS...: netns-tests/fibdiff.py compare in router NS with
# its pinned program (see fibdiff.py); its JSON summary is left on stdout.
xr_fibdiff()
{
	local ns=$1 out rc=0
	shift
	[[ -x $XR_FIBDIFF ]] || xr_fail "XR_FIBDIFF not executable: '$XR_FIBDIFF'"
	[[ -r $XR_BPF_OBJ ]] || xr_fail "XR_BPF_OBJ not readable: '$XR_BPF_OBJ'"
	out=$(xr_in "$ns" "$XR_PYTHON" "$XR_LIB_DIR/fibdiff.py" compare \
		--helper "$XR_FIBDIFF" --obj "$XR_BPF_OBJ" \
		--pin "$(xr_pin_path "$ns")" "$@" 2>&1) || rc=$?
	printf '%s\n' "$out" | head -n -1 | sed 's/^/    /' >&2
	((rc == 0)) || xr_fail "table mode and the kernel disagree: $(tail -n 1 <<<"$out")"
	tail -n 1 <<<"$out"
}

# xr_bird_start NS NAME CONF: BIRD 2 in namespace NS, in the foreground of a
# background job (the cleanup kills it), config CONF, control socket
# $XR_RUN_DIR/bird-NAME.ctl.
xr_bird_start()
{
	local ns=$1 name=$2 conf=$3
	command -v bird >/dev/null || xr_skip "bird (Debian's bird2) not installed"
	bird -p -c "$conf" || xr_fail "bird rejects $conf"
	xr_bg "$ns" bird -f -c "$conf" -s "$XR_RUN_DIR/bird-$name.ctl" \
		-P "$XR_RUN_DIR/bird-$name.pid" >"$XR_RUN_DIR/bird-$name.log" 2>&1
	xr_wait_until 10 "bird $name answers on its socket" \
		xr_birdc "$name" show status
	xr_log "bird $name running in $ns (pid $XR_BG_PID)"
}

# xr_birdc NAME CMD...: birdc on bird NAME's control socket.
xr_birdc()
{
	local name=$1
	shift
	birdc -s "$XR_RUN_DIR/bird-$name.ctl" "$@"
}

# xr_ms: a monotonic-enough millisecond clock for measurements.
xr_ms()
{
	echo $(($(date +%s%N) / 1000000))
}

# ---------------------------------------------------------------- load balancer
#
# For the load balancer tests (test_lb_*.sh). The one-legged topology: VIP
# traffic reaches the load balancer LB on the segment the backends are on,
# and leaves it (XDP_TX) out of the same interface.
#
#   A a0 ---- ga GW gs ---- sgw |                  10.1.0.0/24 client side
#                               | br0 (in SW)      10.9.0.0/24 the segment
#                 LB l0 ---- slb |                 GW .1, LB .2, Bn .1n
#                 Bn b0 ---- sbn |  (n = 1 2 3)
#
# GW is a plain kernel router with a route VIP/32 via LB (10.9.0.2); the
# router is attached to LB's only interface l0 (xr_lb_attach). DSR: the
# backends hold the VIP on lo (arp_ignore=1, arp_announce=2: they never
# answer ARP for it) and reply straight to the client via GW. NAT: the
# backends' default route is LB, which translates replies back (src VIP) and
# routes them on to GW - the client only ever talks to the VIP. slb, l0's
# peer, runs a pass-through XDP program: XDP_TX out of a veth is only
# delivered promptly when the peer has one (GRO is not enough, see
# xr_lb_topo).
#
# Helpers: lb_backend.py (a server answering with its name), lb_clients.py
# (long-lived connections, probes from fixed source ports), lb_json.py
# (queries on `lb show --json`). XR_PASS_OBJ must be set (as for the attach
# tests).

XR_LB_VIP=10.0.0.100		# the DSR VIP (fixtures in netns-tests/lb/)
XR_LB_NAT_VIP=10.0.0.200	# the NAT VIP
XR_LB_CLIENT=10.1.0.2
XR_LB_GW=10.9.0.1
XR_LB_ADDR=10.9.0.2
# shellcheck disable=SC2034  # read by the tests
XR_LB_FIXTURES="$XR_LIB_DIR/lb"
declare -A XR_LB_SRV_PID=()	# backend name -> server pid

# Address of backend bN on the segment.
xr_lb_be_ip() { printf '10.9.0.1%s' "${1#b}"; }

# xr_lb_topo dsr|nat: the namespaces above (A, GW, SW, LB, B1-B3).
xr_lb_topo()
{
	local mode=$1 b gw_route
	xr_ns_add sw
	ip -n "$(xr_ns sw)" link add br0 type bridge stp_state 0 forward_delay 0 ||
		xr_fail "cannot create the bridge (bridge module?)"
	ip -n "$(xr_ns sw)" link set br0 up

	xr_router_ns gw
	xr_in gw sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
	xr_ns_add a
	xr_veth a a0 gw ga
	xr_addr a a0 "$XR_LB_CLIENT/24"
	xr_addr gw ga 10.1.0.1/24
	ip -n "$(xr_ns a)" route add default via 10.1.0.1
	xr_lb_port gw gs sgw
	xr_addr gw gs "$XR_LB_GW/24"
	ip -n "$(xr_ns gw)" route add "$XR_LB_VIP/32" via "$XR_LB_ADDR"
	ip -n "$(xr_ns gw)" route add "$XR_LB_NAT_VIP/32" via "$XR_LB_ADDR"

	# The load balancer forwards too: NAT replies the XDP program hands to
	# the kernel, and anything not for a VIP. No ICMP redirects: replies in
	# and out of the same interface are the design.
	xr_router_ns lb
	xr_in lb sysctl -qw net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.default.send_redirects=0 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	xr_lb_port lb l0 slb
	# XDP_TX out of a veth needs an XDP program on its peer: GRO on the
	# peer is not enough (frames XDP_TX'd from l0 are queued to slb but
	# its NAPI is only kicked when slb has an XDP program - they sit there
	# until other traffic comes by). A pass-through program does.
	xr_foreign_xdp sw slb
	xr_addr lb l0 "$XR_LB_ADDR/24"
	ip -n "$(xr_ns lb)" route add default via "$XR_LB_GW"

	gw_route=$XR_LB_GW
	[[ $mode == nat ]] && gw_route=$XR_LB_ADDR
	for b in b1 b2 b3; do
		xr_ns_add "$b"
		xr_lb_port "$b" b0 "s$b"
		xr_addr "$b" b0 "$(xr_lb_be_ip "$b")/24"
		ip -n "$(xr_ns "$b")" route add default via "$gw_route"
		xr_in "$b" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
			net.ipv4.conf.all.arp_announce=2 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
		[[ $mode == dsr ]] && xr_addr "$b" lo "$XR_LB_VIP/32"
	done
	xr_host_prep a a0
	xr_host_prep gw ga
	xr_log "lb topology ($mode): A $XR_LB_CLIENT - GW - [br0: LB $XR_LB_ADDR, b1-b3 10.9.0.11-13]"
}

# xr_lb_port NS IF SWPORT: veth IF in NS, its peer SWPORT a port of br0 in SW;
# tx checksum offload off and GRO on at both ends (XDP_TX from l0 lands on
# slb, NAT replies from the backends go through XDP on l0).
xr_lb_port()
{
	xr_veth "$1" "$2" sw "$3"
	ip -n "$(xr_ns sw)" link set "$3" master br0 ||
		xr_fail "cannot add $3 to br0"
	xr_host_prep "$1" "$2"
	xr_host_prep sw "$3"
}

# xr_lb_attach: the router on LB's l0; `lb` must exist in this CLI.
xr_lb_attach()
{
	xr_need_cli
	xr_need_cli_feature lb apply
	xr_cli_ok lb attach l0 >/dev/null
	xr_log "router attached to l0 in LB"
}

# xr_lb_prime_arp: LB and GW learn every backend's MAC (LB resolves
# backends from its neighbour table; done here so that the first `lb apply`
# does not depend on how long resolution takes).
xr_lb_prime_arp()
{
	local b
	for b in b1 b2 b3; do
		xr_in lb ping -c 1 -W 1 "$(xr_lb_be_ip "$b")" >/dev/null ||
			xr_fail "LB cannot ping $b"
	done
	xr_in a ping -c 1 -W 1 "$XR_LB_ADDR" >/dev/null ||
		xr_fail "the client cannot ping LB ($XR_LB_ADDR)"
}

# xr_lb_server_start bN [PORT [ARGS...]]: lb_backend.py in bN (name bN) on
# PORT (80); returns once it listens. Log: $XR_RUN_DIR/srv-bN.log.
xr_lb_server_start()
{
	local b=$1 port=${2:-80} log="$XR_RUN_DIR/srv-$1.log"
	shift 2 || shift $#
	: >>"$log"
	local n0
	n0=$(grep -c '^ready' "$log" || true)
	xr_bg "$b" "$XR_PYTHON" "$XR_LIB_DIR/lb_backend.py" --name "$b" \
		--port "$port" --log "$log" "$@" 2>>"$XR_RUN_DIR/srv-$b.err"
	XR_LB_SRV_PID[$b]=$XR_BG_PID
	xr_wait_until 5 "server $b listening" \
		xr_lb_log_count "$log" '^ready' "$((n0 + 1))"
}

# xr_lb_log_count FILE REGEX MIN: FILE has at least MIN lines matching.
xr_lb_log_count()
{
	(($(grep -c -e "$2" "$1" || true) >= $3))
}

# xr_lb_server_stop bN: kill bN's server (SIGKILL: no goodbye), wait for it.
xr_lb_server_stop()
{
	local pid=${XR_LB_SRV_PID[$1]:-}
	[[ -n $pid ]] || xr_fail "no server running in $1"
	{
		kill -9 "$pid"
		xr_wait_pid_gone "$pid" 5
	} 2>/dev/null || xr_fail "server of $1 (pid $pid) did not die"
	XR_LB_SRV_PID[$1]=""
	xr_log "server of $1 killed"
}

# xr_lb_accepts bN: connections bN's server accepted so far.
xr_lb_accepts()
{
	grep -c '^accept' "$XR_RUN_DIR/srv-$1.log" 2>/dev/null || true
}

# xr_lb_apply FILE: `lb apply FILE` in LB must succeed.
xr_lb_apply()
{
	xr_cli_ok lb lb apply "$1" >/dev/null
	xr_log "lb apply ${1##*/}"
}

# xr_lb_json: `lb show --json` in LB (the test fails if it fails).
xr_lb_json()
{
	xr_cli_ok lb --json lb show
}

# xr_lb_q JSON PYEXPR: evaluate PYEXPR on `lb show --json` output JSON, with
# helpers: vip(NAME) the VIP object, be(VIP, ADDR) a backend object,
# vc(VIP, KEY) a VIP counter, bc(VIP, ADDR, KEY) a backend counter (KEY:
# conn_hit, conn_miss, no_backend, packets, bytes, ...), state(VIP, ADDR).
xr_lb_q()
{
	"$XR_PYTHON" "$XR_LIB_DIR/lb_json.py" "$1" "$2" ||
		xr_fail "cannot evaluate '$2' on lb show --json: $1"
}

# xr_lb_hold_start NAME ARGS...: `lb_clients.py hold` from A in the
# background (report $XR_RUN_DIR/hold-NAME.json); returns when every
# connection got its first answer (or failed), at most 20 s.
xr_lb_hold_start()
{
	local name=$1 f="$XR_RUN_DIR/hold-$1"
	shift
	rm -f "$f".*
	xr_bg a "$XR_PYTHON" "$XR_LIB_DIR/lb_clients.py" hold --src "$XR_LB_CLIENT" \
		--ready "$f.ready" --stop "$f.stop" --out "$f.json" "$@" \
		2>"$f.err"
	eval "XR_LB_HOLD_PID_$name=$XR_BG_PID"
	local deadline=$((SECONDS + 20))
	until [[ -e $f.ready ]]; do
		kill -0 "$XR_BG_PID" 2>/dev/null || [[ -e $f.json ]] ||
			xr_fail "clients $name exited early: $(tail -n 3 "$f.err")"
		[[ -e $f.json ]] && break
		((SECONDS < deadline)) || xr_fail "clients $name not ready after 20 s"
		sleep 0.05
	done
	xr_log "clients $name: connections open, first round answered"
}

# xr_lb_hold_stop NAME: let the clients do their last round and exit (at most
# 30 s); prints their summary (lb_clients.py summary).
xr_lb_hold_stop()
{
	local name=$1 f="$XR_RUN_DIR/hold-$1" pid
	eval "pid=\$XR_LB_HOLD_PID_$name"
	touch "$f.stop"
	xr_wait_pid_gone "$pid" 30 || xr_fail "clients $name still running 30 s after stop"
	[[ -s $f.json ]] || xr_fail "clients $name wrote no report: $(tail -n 3 "$f.err")"
	"$XR_PYTHON" "$XR_LIB_DIR/lb_clients.py" summary "$f.json"
}

# xr_lb_probe NAME DST PORT A-B [TIMEOUT]: one connection from each client
# source port A..B to DST:PORT (closed with RST); report in
# $XR_RUN_DIR/probe-NAME.json; prints the per-backend counts.
xr_lb_probe()
{
	local f="$XR_RUN_DIR/probe-$1.json"
	xr_in a timeout 60 "$XR_PYTHON" "$XR_LIB_DIR/lb_clients.py" probe \
		--src "$XR_LB_CLIENT" --dst "$2" --port "$3" --sports "$4" \
		--timeout "${5:-2}" --out "$f" ||
		xr_fail "probe $1 failed to run"
	"$XR_PYTHON" "$XR_LIB_DIR/lb_clients.py" count "$f"
}

# xr_lb_share COUNTS NAME: NAME's share of the answered connections of a
# count/first map (JSON), in percent (integer).
xr_lb_share()
{
	"$XR_PYTHON" -c '
import json, sys
c = json.loads(sys.argv[1])
tot = sum(v for k, v in c.items() if not k.startswith("!") and k != "-")
print(round(100 * c.get(sys.argv[2], 0) / tot) if tot else 0)' "$1" "$2"
}
