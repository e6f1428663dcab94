# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# netns-tests/lib_checks.sh - the checks scenario tests share: assertions,
# packets through the router (scapy, ping, iperf3), the router's status,
# pins and counters (proof that XDP, not the kernel, did the work). Sourced
# by lib.sh; tests source only lib.sh.

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
	xr_wait_until 30 "program $1 freed by the kernel" \
		xr_not bpftool prog show id "$1"
	xr_log "ok: program $1 no longer exists"
}

xr_not()
{
	! "$@"
}
