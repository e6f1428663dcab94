#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# attach/detach edge cases on A, B, C around router R, plus a bridge xbr0 in
# R (a bridge cannot run XDP in native mode).
#
# Asserts:
# - unknown interface: Error line, nothing attached, nothing pinned (also
#   when it comes after a good interface: rollback);
# - `--mode native` with a device that cannot do native, new router: Error,
#   the good veths have no XDP program, nothing pinned;
# - same on a running router: the new interfaces are rolled back, the
#   running ones keep the same program;
# - status --json: ifname, ifindex, mode "native", prog_id, prog_name, tag,
#   pin_path right;
# - a later `attach IF` reuses the same program id, and forwards through XDP;
# - `attach IF` where the router already runs is a no-op success (same
#   program, JSON says already_attached); asking for another mode without
#   --force is refused;
# - a pin path off bpffs is refused inside `ip netns exec` (a bpffs mounted
#   there would vanish with the command), leaving nothing behind;
# - `detach IF` removes only IF; the others still forward through XDP; IF's
#   traffic still flows (through the kernel, pass_egress_not_xdp);
# - an interface with a foreign XDP program is refused (left untouched),
#   `--force` replaces it with the router;
# - `detach --all`: no XDP program of ours anywhere, a foreign one elsewhere
#   untouched, nothing pinned, status fails, the program is freed.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

xr_init edge
xr_need_cli
xr_topo abc
ip -n "$(xr_ns r)" link add xbr0 type bridge
ip -n "$(xr_ns r)" link set xbr0 up

xr_step "unknown interface: error, nothing changed"
xr_cli_err r attach nosuch0
xr_assert_no_router r ra rb rc
xr_cli_err r status
xr_cli_err r attach ra nosuch0
xr_assert_no_router r ra rb rc

xr_step "--mode native with a bridge (no native XDP): rollback of a new router"
xr_cli_err r attach --mode native ra rb xbr0
xr_assert_no_router r ra rb rc xbr0

xr_step "attach ra rb: status --json"
xr_cli_ok r attach ra rb
id=$(xr_xdp_prog_id r ra)
xr_assert_ne "$id" "" "ra has an XDP program"
xr_assert_attached r ra "$id"
xr_assert_attached r rb "$id"
xr_assert_eq "$(xr_status_ifnames r)" "ra rb" "status lists ra rb"
pins=$(xr_pins r | tr '\n' ' ')
xr_assert_ne "$pins" "" "pinned under $(xr_pin_path r)"
xr_ping_pairs "a b"
before=$(xr_counters r ra)
xr_fwd_check a b 1
xr_assert_xdp_path "$before" "$(xr_counters r ra)" "$XR_FWD_SENT" "A -> B"

xr_step "attach ra again: a no-op; --mode generic without --force: refused"
out=$(xr_cli_ok r --json attach ra)
xr_assert_eq "$(xr_json_get "$out" 'j[0]["already_attached"]')" True "ra already attached"
xr_assert_eq "$(xr_json_get "$out" 'j[0]["prog_id"]')" "$id" "same program id"
xr_assert_attached r ra "$id"
xr_cli_err r attach --mode generic ra
xr_assert_attached r ra "$id"

xr_step "a pin path off bpffs inside ip netns exec: refused, nothing left"
offfs="$XR_RUN_DIR/not-bpffs/sub/xdp-router"
xr_in r "$XR_CLI" --pin-path "$offfs" attach rc 2>"$XR_RUN_DIR/cli.err" &&
	xr_fail "attach with a pin path off bpffs succeeded"
xr_assert_eq "$(head -c 6 "$XR_RUN_DIR/cli.err")" "Error:" "one Error line"
xr_assert_empty "$(xr_xdp_prog_id r rc)" "no XDP program on rc"
[[ ! -e $XR_RUN_DIR/not-bpffs/sub ]] || xr_fail "left $XR_RUN_DIR/not-bpffs/sub behind"

xr_step "--mode native rc xbr0 on the running router: rollback of rc only"
xr_cli_err r attach --mode native rc xbr0
xr_assert_empty "$(xr_xdp_prog_id r rc)" "no XDP program on rc"
xr_assert_empty "$(xr_xdp_prog_id r xbr0)" "no XDP program on xbr0"
xr_assert_attached r ra "$id"
xr_assert_attached r rb "$id"
xr_assert_eq "$(xr_pins r | tr '\n' ' ')" "$pins" "pins unchanged"

xr_step "attach rc later: same program, and it forwards through XDP"
xr_cli_ok r attach rc
xr_assert_attached r rc "$id"
xr_assert_eq "$(xr_status_ifnames r)" "ra rb rc" "status lists ra rb rc"
xr_ping_pairs "a c"
before=$(xr_counters r ra)
xr_fwd_check a c 1
xr_assert_xdp_path "$before" "$(xr_counters r ra)" "$XR_FWD_SENT" "A -> C"

xr_step "detach rb: ra and rc keep forwarding through XDP"
xr_cli_ok r detach rb
xr_assert_empty "$(xr_xdp_prog_id r rb)" "no XDP program on rb"
xr_assert_attached r ra "$id"
xr_assert_attached r rc "$id"
xr_assert_eq "$(xr_status_ifnames r)" "ra rc" "status lists ra rc"
before=$(xr_counters r ra)
xr_fwd_check a c 1
xr_assert_xdp_path "$before" "$(xr_counters r ra)" "$XR_FWD_SENT" "A -> C after detach rb"
p0=$(xr_stat r ra pass_egress_not_xdp)
xr_ping_pairs "a b"
p1=$(xr_stat r ra pass_egress_not_xdp)
xr_assert_ge $((p1 - p0)) 6 "A -> B now goes to the kernel (pass_egress_not_xdp on ra)"

xr_step "a foreign XDP program on rb is refused; --force replaces it"
xr_foreign_xdp r rb
foreign=$(xr_xdp_prog_id r rb)
xr_assert_ne "$foreign" "$id" "rb runs a foreign program"
xr_cli_err r attach rb
xr_assert_eq "$(xr_xdp_prog_id r rb)" "$foreign" "rb still runs the foreign program"
xr_assert_eq "$(xr_status_ifnames r)" "ra rc" "status still lists ra rc"
xr_cli_ok r attach --force rb
xr_assert_attached r rb "$id"
before=$(xr_counters r ra)
xr_fwd_check a b 1
xr_assert_xdp_path "$before" "$(xr_counters r ra)" "$XR_FWD_SENT" "A -> B after --force"

xr_step "detach --all: nothing of ours left; a foreign program elsewhere stays"
ip -n "$(xr_ns r)" link set dev xbr0 xdpgeneric obj "$XR_PASS_OBJ" sec xdp ||
	xr_fail "cannot attach the foreign program to xbr0 (generic)"
foreign=$(xr_xdp_prog_id r xbr0)
xr_cli_ok r detach --all
xr_assert_no_router r ra rb rc
xr_assert_eq "$(xr_xdp_prog_id r xbr0)" "$foreign" "foreign program on xbr0 untouched"
xr_cli_err r status
xr_wait_prog_gone "$id"
xr_ping_pairs "a b"
