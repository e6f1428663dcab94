#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Bad load balancer configuration (netns-tests/lb/bad-*.yaml): unknown keys,
# duplicate VIPs/names/backends, bad addresses, zero backends, weights out
# of range, bad ports/protocols/modes/states, truncated files.
#
# Asserts, with dsr.yaml applied first (the running state to protect):
# - every fixture in the table below: `lb apply` exits non-zero with exactly
#   one line on stderr, "Error: FILE:LINE:COL: MESSAGE", FILE the path given,
#   LINE:COL the position the table names (1-based; where two positions are
#   equally right both are listed) and MESSAGE matching the table's pattern;
#   the table's own positions are checked against the fixtures' text;
# - after each one, `lb show --json` and the pinned LB maps (VIPs, backends,
#   meta) are byte for byte what they were: nothing applied, also when the
#   file's first VIP was a valid change (bad-partial.yaml);
# - new connections map to the same backends before and after all of it (the
#   Maglev rings were not touched either);
# - a missing file, and a backend nobody answers ARP for, are one Error
#   line each (naming the file / the backend) and change nothing;
# - bad one-off commands (weights 0 and 1001, unknown state, VIP or
#   backend, duplicate backend/VIP/name, bad address or port, a backend
#   port on a DSR VIP): one Error line each, nothing changed.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

# fixture  LINE:COL[|LINE:COL]  text at the first position  message (ERE)
CASES=(
	"bad-unknown-top.yaml        1:1        vip:         unknown key 'vip'"
	"bad-unknown-vip-key.yaml    5:5        protocl      unknown key 'protocl'"
	"bad-unknown-key.yaml        9:31       wieght       unknown key 'wieght'"
	"bad-dup-vip.yaml            8:11|8:5|9:14 web2      duplicate VIP"
	"bad-dup-name.yaml           7:11|7:5   web          duplicate VIP name 'web'"
	"bad-dup-backend.yaml        8:20|8:9   10.9.0.11    duplicate backend 10.9.0.11"
	"bad-vip-address.yaml        3:14       10.0.0.300   '10.0.0.300' is not an IPv4 or IPv6 address"
	"bad-backend-address.yaml    7:18       10.9.0.1.2   '10.9.0.1.2' is not an IPv4 or IPv6 address"
	"bad-multicast.yaml          3:14       224.0.0.100  not a unicast address"
	"bad-family.yaml             7:20       \"fd00:9::12\" IPv4.*fd00:9::12"
	"bad-zero-backends.yaml      5:15       []           no backends"
	"bad-no-backends.yaml        2:5|2:11   name         no backends"
	"bad-truncated-list.yaml     6:14|6:5   <EOL>        no backends"
	"bad-weight-zero.yaml        6:39       0            weight 0 out of range 1..1000"
	"bad-weight-high.yaml        7:39       1001         weight 1001 out of range 1..1000"
	"bad-weight-negative.yaml    7:17       -1           weight.*-1"
	"bad-weight-text.yaml        6:39       heavy        weight: 'heavy' is not a number"
	"bad-port.yaml               4:11       70000        port 70000 out of range"
	"bad-protocol.yaml           5:15       sctp         'sctp' is not one of tcp, udp"
	"bad-mode.yaml               5:11       tunnel       'tunnel' is not one of dsr, nat"
	"bad-state.yaml              6:38       sleeping     'sleeping' is not one of active, drain, down"
	"bad-dsr-backend-port.yaml   7:37       8080         nat"
	"bad-health-timeout.yaml     5:38       1500ms       timeout.*longer than the interval"
	"bad-partial.yaml            19:20      10.9.0.256   '10.9.0.256' is not an IPv4 or IPv6 address"
	"bad-truncated.yaml          7:34|8:1   <EOF>        did not find expected ',' or '}'"
	"bad-truncated-quote.yaml    9:1|7:11   <EOF>        quoted scalar"
)

xr_init lbcfg
xr_lb_setup dsr

# check_pos FILE LINE COL TEXT: TEXT is at LINE:COL of FILE (<EOF>: the end
# of the file, <EOL>: the end of that line).
check_pos()
{
	"$XR_PYTHON" - "$@" <<'PY' || xr_fail "the table's position for ${1##*/} is wrong"
import sys
path, line, col, text = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
lines = open(path).read().split("\n")
if text == "<EOF>":
    ok = line == len(lines) and col == len(lines[-1]) + 1
elif text == "<EOL>":
    ok = col == len(lines[line - 1]) + 1
else:
    ok = lines[line - 1][col - 1:].startswith(text)
sys.exit(0 if ok else f"{path}:{line}:{col} is not at {text!r}")
PY
}

# snapshot: lb show --json and the pinned LB maps except the rings.
snapshot()
{
	local pin map
	pin=$(xr_pin_path lb)
	xr_lb_json
	for map in xr_lb_vips xr_lb_backends xr_lb_vip_meta xr_lb_be_meta; do
		echo "== $map"
		[[ -e $pin/$map ]] || continue
		bpftool -j map dump pinned "$pin/$map" || xr_fail "cannot dump $map"
		echo
	done
}

xr_step "apply dsr.yaml: the state to protect"
xr_lb_apply "$XR_LB_FIXTURES/dsr.yaml"
c0=$(xr_lb_probe before "$XR_LB_VIP" 80 30000-30199)
xr_assert_eq "$(xr_json_get "$c0" 'j.get("!err", 0)')" 0 "probes not answered"
snap0=$(xr_wait_stable 30 "the probes' last packets counted" snapshot)

for case in "${CASES[@]}"; do
	read -r fixture pos text msg <<<"$case"
	file="$XR_LB_FIXTURES/$fixture"
	xr_step "$fixture"
	first=${pos%%|*}
	check_pos "$file" "${first%:*}" "${first#*:}" "$text"
	xr_cli_err lb lb apply "$file"
	[[ $XR_ERR =~ ^Error:\ (.*):([0-9]+):([0-9]+):\ (.*)$ ]] ||
		xr_fail "$fixture: not 'Error: FILE:LINE:COL: message': $XR_ERR"
	xr_assert_eq "${BASH_REMATCH[1]}" "$file" "$fixture: file named"
	got="${BASH_REMATCH[2]}:${BASH_REMATCH[3]}"
	m=${BASH_REMATCH[4]}
	[[ "|$pos|" == *"|$got|"* ]] ||
		xr_fail "$fixture: position $got, expected $pos: $XR_ERR"
	xr_log "ok: $fixture: position $got"
	grep -Eq -e "$msg" <<<"$m" ||
		xr_fail "$fixture: message '$m' does not match /$msg/"
	[[ $(snapshot) == "$snap0" ]] ||
		xr_fail "$fixture: lb show or the LB maps changed: $(diff <(echo "$snap0") <(snapshot; echo) | head -n 20)"
	xr_log "ok: $fixture: nothing changed"
done

xr_step "a missing file"
xr_cli_err lb lb apply "$XR_RUN_DIR/no-such.yaml"
[[ $XR_ERR == *no-such.yaml* ]] || xr_fail "the error does not name the file: $XR_ERR"
[[ $(snapshot) == "$snap0" ]] || xr_fail "missing file: lb show or the LB maps changed"

xr_step "a backend nobody answers ARP for (bad-unresolvable.yaml)"
xr_cli_err lb lb apply "$XR_LB_FIXTURES/bad-unresolvable.yaml"
[[ $XR_ERR == *10.9.0.77* ]] || xr_fail "the error does not name the backend: $XR_ERR"
[[ $(snapshot) == "$snap0" ]] || xr_fail "unresolvable backend: lb show or the LB maps changed"

xr_step "one-off commands"
ONEOFF=(
	"set-backend web 10.9.0.11 --weight 0"
	"set-backend web 10.9.0.11 --weight 1001"
	"set-backend web 10.9.0.11 --state sleeping"
	"set-backend web 10.9.0.99 --weight 2"
	"set-backend nosuch 10.9.0.11 --weight 2"
	"add-backend web 10.9.0.11"
	"add-backend web 10.9.0.300"
	"add-backend web 10.9.0.14 --port 8080"
	"del-backend web 10.9.0.99"
	"add-vip web 10.0.0.101:80"
	"add-vip web2 10.0.0.100:80"
	"add-vip web3 10.0.0.150:99999"
	"del-vip nosuch"
)
for args in "${ONEOFF[@]}"; do
	# shellcheck disable=SC2086  # word splitting wanted
	xr_cli_err lb lb $args
	[[ $(snapshot) == "$snap0" ]] || xr_fail "lb $args: lb show or the LB maps changed"
done
xr_log "ok: ${#ONEOFF[@]} bad one-off commands: one Error line each, nothing changed"

xr_step "new connections map as before"
xr_lb_probe after "$XR_LB_VIP" 80 30000-30199 >/dev/null
m=$("$XR_PYTHON" "$XR_LIB_DIR/lb_clients.py" moved \
	"$XR_RUN_DIR/probe-before.json" "$XR_RUN_DIR/probe-after.json")
xr_assert_eq "$(xr_json_get "$m" 'j["answered"]')" 200 "probes answered before and after"
xr_assert_eq "$(xr_json_get "$m" 'j["moved"]')" 0 "probes that changed backend"
