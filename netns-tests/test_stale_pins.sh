#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Stale state: pins whose program runs nowhere, members that are gone, a
# pin dir with a missing or foreign map. Every command detects it, says so
# clearly (one Error line where it must refuse), never crashes, and
# `detach --all` cleans up.
#
# Asserts:
# - an interface deleted under the router: status lists its ifindex as
#   "gone" (ifname null), stats works, forwarding on the others goes on
#   through the XDP path (redirect counters grow, the kernel forwards none),
#   reload switches the others and lists it as stale, attach on a new
#   interface (the same name, a new ifindex) works;
# - the program removed by `ip link set dev X xdp off`: status says
#   "detached"; attach X puts it back;
# - every interface deleted: the program runs nowhere; status lists them
#   gone; detach --all forgets them and removes every pin and the pin dir;
# - a map pin missing, or replaced by a foreign map: status and attach
#   refuse with one Error line naming the map; detach --all still
#   detaches the program (found through its pin) and removes every pin;
# - map pins without a program pin: status's one Error line says nothing
#   is attached, detach --all removes them;
# - a reload SIGKILLed before renaming its staged pin (strace injection):
#   detach --all still leaves no program and no pin behind.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

xr_init stale bpftool
xr_need_cli
xr_topo abc
PIN=$(xr_pin_path r)

# status_modes: "ifindex:mode ..." from status --json.
status_modes()
{
	xr_json_get "$(xr_cli_ok r --json status)" \
		'" ".join("%s:%s" % (i["ifindex"], i["mode"]) for i in j)'
}

pins_gone()
{
	[[ ! -e $PIN ]] || xr_fail "pin dir still there: $(ls "$PIN")"
	xr_log "ok: no pin dir left"
}

no_xdp()
{
	local i
	for i in "$@"; do
		xr_assert_empty "$(xr_xdp_prog_id r "$i")" "XDP program on $i"
	done
}

xr_step "an interface deleted under the router"
xr_cli_ok r attach ra rb rc >/dev/null
xr_ping a "$(xr_ip4 b)" 2	# neighbours resolved: from now on the XDP path
ia=$(xr_ifindex r ra)
ib=$(xr_ifindex r rb)
ic=$(xr_ifindex r rc)
ip -n "$(xr_ns r)" link del rc
xr_assert_eq "$(status_modes)" "$ia:native $ib:native $ic:gone" "status"
out=$(xr_cli_ok r --json status)
xr_assert_eq "$(xr_json_get "$out" 'j[2]["ifname"]')" None "status: ifname of the deleted interface"
xr_cli_ok r status >/dev/null
xr_cli_ok r stats >/dev/null
xr_cli_ok r --json stats >/dev/null
xr_log "ok: stats with a deleted member"
c0=$(xr_counters r ra)
xr_ping a "$(xr_ip4 b)" 5
xr_assert_xdp_path "$c0" "$(xr_counters r ra)" 5 "A -> B with rc deleted"
out=$(xr_cli_ok r --json reload --force)
xr_assert_eq "$(xr_json_get "$out" '[len(j["interfaces"]), j["stale"]]')" \
	"[2, [{\"ifindex\": $ic, \"state\": \"gone\"}]]" "reload: switched, stale"
"$XR_PYTHON" "$XR_LIB_DIR/../docs/schema/schema_tool.py" validate \
	"$XR_LIB_DIR/../docs/schema/reload.json" <<<"$out" ||
	xr_fail "reload --json does not match docs/schema/reload.json"
xr_veth c c1 r rc
xr_addr r rc 10.3.0.1/24
xr_cli_ok r attach rc >/dev/null
ic2=$(xr_ifindex r rc)
xr_assert_ne "$ic2" "$ic" "ifindex of the new rc"
xr_assert_eq "$(status_modes)" "$ia:native $ib:native $ic:gone $ic2:native" \
	"status after attaching the new rc"

xr_step "the program removed behind the router's back"
ip -n "$(xr_ns r)" link set dev rb xdp off
xr_assert_eq "$(status_modes)" "$ia:native $ib:detached $ic:gone $ic2:native" "status"
xr_cli_ok r stats >/dev/null
xr_cli_ok r attach rb >/dev/null
xr_assert_eq "$(status_modes)" "$ia:native $ib:native $ic:gone $ic2:native" \
	"status after attach rb"

xr_step "every interface deleted: the program runs nowhere"
ip -n "$(xr_ns r)" link del ra
ip -n "$(xr_ns r)" link del rb
ip -n "$(xr_ns r)" link del rc
xr_assert_eq "$(status_modes)" "$ia:gone $ib:gone $ic:gone $ic2:gone" "status"
xr_cli_ok r stats >/dev/null
xr_cli_err r reload
xr_cli_ok r detach --all >/dev/null
pins_gone
xr_cli_err r status

# Fresh interfaces for the rest.
xr_veth a a1 r ra
xr_veth b b1 r rb

xr_step "a map pin missing"
xr_cli_ok r attach ra rb >/dev/null
rm "$PIN/xr_lb_frags"
xr_cli_err r status
[[ $XR_ERR == *xr_lb_frags* ]] || xr_fail "status does not name the missing map: $XR_ERR"
xr_cli_err r attach ra
[[ $XR_ERR == *xr_lb_frags* ]] || xr_fail "attach does not name the missing map: $XR_ERR"
xr_cli_ok r detach --all >/dev/null
no_xdp ra rb
pins_gone

xr_step "a map pin replaced by a foreign map"
xr_cli_ok r attach ra rb >/dev/null
rm "$PIN/xr_neigh"
bpftool map create "$PIN/xr_neigh" type hash key 4 value 4 entries 8 \
	name xr_neigh || xr_fail "cannot create the foreign map"
xr_cli_err r status
[[ $XR_ERR == *xr_neigh* ]] || xr_fail "status does not name the foreign map: $XR_ERR"
xr_cli_err r attach ra
[[ $XR_ERR == *xr_neigh* ]] || xr_fail "attach does not name the foreign map: $XR_ERR"
xr_cli_err r stats
xr_cli_err r reload
xr_cli_ok r detach --all >/dev/null
no_xdp ra rb
pins_gone

xr_step "map pins without a program pin"
xr_cli_ok r attach ra >/dev/null
ip -n "$(xr_ns r)" link set dev ra xdp off
rm "$PIN/xr_prog"
xr_cli_err r status
[[ $XR_ERR == "Error: nothing attached at $PIN"* ]] ||
	xr_fail "status does not say that nothing is attached: $XR_ERR"
xr_cli_ok r detach --all >/dev/null
pins_gone
xr_cli_err r detach --all
xr_cli_ok r attach ra rb >/dev/null
xr_assert_eq "$(status_modes)" "$(xr_ifindex r ra):native $(xr_ifindex r rb):native" \
	"status after a fresh attach"
xr_cli_ok r detach --all >/dev/null
pins_gone

# scripts/deps.sh installs strace: without it this test is not complete.
command -v strace >/dev/null ||
	xr_fail "strace not installed (scripts/deps.sh installs it): the last step cannot run"
xr_step "a reload killed before renaming its pin: detach --all cleans up"
xr_cli_ok r attach ra rb >/dev/null
xr_in r strace -f -qq -o /dev/null -e trace=rename -e inject=rename:signal=KILL \
	"$XR_CLI" --pin-path "$PIN" reload --force >/dev/null 2>&1 &&
	xr_fail "reload survived SIGKILL"
[[ -e $PIN/xr_prog_new ]] || xr_fail "the killed reload left no staged pin"
xr_cli_ok r detach --all >/dev/null
no_xdp ra rb
pins_gone
