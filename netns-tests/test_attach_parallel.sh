#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Concurrent CLI invocations on one pin path are serialised (a lock): three
# `attach IF` started at the same instant (a barrier) on a router that does
# not exist yet must build ONE router, and three concurrent `detach IF` must
# leave nothing behind. Several rounds, to give a race a chance to show.
#
# Asserts per round: every invocation exits 0; ra, rb, rc run the same
# program id; status lists the three; the pins are the same set as a
# sequential attach gives; A -> B and A -> C forward through XDP; after the
# concurrent detaches no XDP program is left and nothing is pinned.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

ROUNDS=3

xr_init par
xr_need_cli
xr_topo abc

# run_concurrently VERB IF...: one `xdp-router VERB IF` per interface, all
# released at once by a barrier once every one of them is waiting at it
# (xr_barrier_bg); every one must exit 0.
run_concurrently()
{
	local verb=$1 pids=() ifname i rc
	shift
	xr_barrier_init "$verb"
	for ifname in "$@"; do
		xr_barrier_bg "$verb" r timeout 60 "$XR_CLI" --pin-path "$(xr_pin_path r)" \
			"$verb" "$ifname" >"$XR_RUN_DIR/$verb-$ifname.log" 2>&1
		pids+=("$XR_BG_PID")
	done
	xr_barrier_release "$verb" $#
	i=0
	for ifname in "$@"; do
		rc=0
		wait "${pids[$i]}" || rc=$?
		((rc == 0)) || xr_fail "concurrent '$verb $ifname' exited $rc:" \
			"$(cat "$XR_RUN_DIR/$verb-$ifname.log")"
		i=$((i + 1))
	done
	xr_log "ok: concurrent $verb of $* all succeeded"
}

xr_step "reference: the pins of a sequential attach"
xr_cli_ok r attach ra rb rc
ref_pins=$(xr_pins r | tr '\n' ' ')
xr_log "pins: $ref_pins"
xr_ping_pairs "a b" "a c"
xr_cli_ok r detach --all
xr_assert_no_router r ra rb rc

for round in $(seq "$ROUNDS"); do
	xr_step "round $round: concurrent attach ra / rb / rc"
	run_concurrently attach ra rb rc
	id=$(xr_xdp_prog_id r ra)
	xr_assert_ne "$id" "" "ra has an XDP program"
	xr_assert_eq "$(xr_xdp_prog_id r rb)" "$id" "rb runs the same program as ra"
	xr_assert_eq "$(xr_xdp_prog_id r rc)" "$id" "rc runs the same program as ra"
	xr_assert_eq "$(xr_status_ifnames r)" "ra rb rc" "status lists ra rb rc"
	xr_assert_eq "$(xr_pins r | tr '\n' ' ')" "$ref_pins" "same pins as a sequential attach"
	for d in b c; do
		before=$(xr_counters r ra)
		xr_fwd_check a "$d" 1
		xr_assert_xdp_path "$before" "$(xr_counters r ra)" "$XR_FWD_SENT" "A -> ${d^^}"
	done

	xr_step "round $round: concurrent detach ra / rb / rc"
	run_concurrently detach ra rb rc
	xr_assert_no_router r ra rb rc
	xr_wait_prog_gone "$id"
done
