#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Pins the CLI did not create are checked before use (user/router/pin_check.c): the
# router attached to ra and rb between hosts A and B, then one pin at a time
# swapped for something else with bpftool:
#
#   a map of another type; another key/value size; a fixed-size map with
#   another max_entries; another name; a devmap of the same layout that is
#   not the program's (a pin dir mixing two routers); another program.
#
# Asserts, for each: status, stats, populate, lb apply and attach all fail
# with one "Error:" line naming the pin and what is wrong (detach --all too
# when the program pin is not the router's; with an odd map pin it is the
# way out, cleaning up: test_stale_pins.sh), and nothing changed: the router still runs on ra and rb, its devmap holds what
# it held, and the impostor map is still empty. With the real pins back,
# packets are forwarded by XDP again.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

xr_init pchk bpftool
xr_need_cli
xr_topo ab
PIN=$(xr_pin_path r)
ASIDE=$XR_RUN_DIR/bpffs-r/aside	# same bpffs: pins can be renamed
LB_YAML=$XR_RUN_DIR/lb.yaml
printf 'vips:\n  - name: web\n    address: 10.2.0.100\n    port: 80\n    health: none\n    backends:\n      - { address: %s }\n' \
	"$(xr_ip4 b)" >"$LB_YAML"

xr_cli_ok r attach ra rb >/dev/null
xr_ping_pairs "a b"
prog_id=$(xr_xdp_prog_id r ra)
tx_ports=$(bpftool -j map dump pinned "$PIN/xr_tx_ports")
mkdir -p "$ASIDE"

# map_field MAP FIELD: a field of `bpftool map show` for the pinned MAP.
map_field()
{
	bpftool -j map show pinned "$PIN/$1" |
		"$XR_PYTHON" -c "import json, sys; print(json.load(sys.stdin)['$2'])"
}

# swap NAME CREATE-ARGS...: move pin NAME aside, pin a new map in its place.
swap()
{
	local name=$1
	shift
	mv "$PIN/$name" "$ASIDE/$name"
	bpftool map create "$PIN/$name" "$@" ||
		xr_fail "bpftool map create $name $*"
}

restore()
{
	rm -f "$PIN/$1"
	mv "$ASIDE/$1" "$PIN/$1"
}

# refused PATTERN [ARGS...]: every command (and the extra ARGS, one command
# line each) fails with one error matching PATTERN, and nothing changed.
refused()
{
	local pattern=$1 args
	shift
	for args in "status" "stats" "populate" "lb apply $LB_YAML" \
		"attach ra" "$@"; do
		# shellcheck disable=SC2086  # words of a command line
		xr_cli_err r $args
		[[ $XR_ERR == *$pattern* ]] ||
			xr_fail "$args: error without '$pattern': $XR_ERR"
	done
	xr_assert_eq "$(xr_xdp_prog_id r ra) $(xr_xdp_prog_id r rb)" \
		"$prog_id $prog_id" "the router still runs on ra and rb"
	# The router's devmap, wherever its pin is now.
	local tx=$PIN/xr_tx_ports
	[[ -e $ASIDE/xr_tx_ports ]] && tx=$ASIDE/xr_tx_ports
	xr_assert_eq "$(bpftool -j map dump pinned "$tx")" "$tx_ports" \
		"the devmap holds what it held"
}

# impostor MAP PATTERN CREATE-ARGS...: MAP's pin replaced by a map
# `bpftool map create` makes of CREATE-ARGS: refused (PATTERN), and a hash
# impostor (hash, devmap_hash: empty when made) is still empty; then the
# real pin back.
impostor()
{
	local map=$1 pattern=$2
	shift 2
	swap "$map" "$@"
	refused "$pattern"
	if [[ " $* " == *" type hash "* || " $* " == *" type devmap_hash "* ]]; then
		xr_assert_eq "$(bpftool -j map dump pinned "$PIN/$map")" "[]" \
			"nothing written to the impostor"
	fi
	restore "$map"
}

xr_step "xr_neigh: an array instead of a hash"
impostor xr_neigh "$PIN/xr_neigh is a map of type array, expected hash" \
	type array key 4 value 8 entries 4 name xr_neigh

xr_step "xr_neigh: a hash with other key and value sizes"
impostor xr_neigh "$PIN/xr_neigh has 16-byte keys and 16-byte values" \
	type hash key 16 value 16 entries 65536 name xr_neigh

xr_step "xr_nexthops: the right layout, 10 entries instead of a fixed 65536"
vsize=$(map_field xr_nexthops bytes_value)
impostor xr_nexthops "$PIN/xr_nexthops has 10 entries, expected 65536" \
	type array key 4 value "$vsize" entries 10 name xr_nexthops

xr_step "xr_nexthops: the right layout under another name"
impostor xr_nexthops "$PIN/xr_nexthops is a map named 'other'" \
	type array key 4 value "$vsize" entries 65536 name other

xr_step "xr_tx_ports: a devmap of the same layout that is not the program's"
impostor xr_tx_ports "the pin path mixes two routers" \
	type devmap_hash key 4 value 8 entries 256 name xr_tx_ports

xr_step "xr_prog: another XDP program"
mv "$PIN/xr_prog" "$ASIDE/xr_prog"
bpftool prog load "$XR_PASS_OBJ" "$PIN/xr_prog" type xdp ||
	xr_fail "bpftool prog load $XR_PASS_OBJ"
refused "is the XDP program 'xrt_pass'" "detach --all"
restore xr_prog

xr_step "the real pins back: everything works again"
xr_status_json r >/dev/null
before=$(xr_counters r ra)
xr_fwd_check a b 2
after=$(xr_counters r ra)
xr_assert_xdp_path "$before" "$after" "$XR_FWD_SENT" "A -> B"
rmdir "$ASIDE"
xr_cli_ok r detach --all >/dev/null
xr_assert_no_router r ra rb
