#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Bad input: a kernel table larger than the maps. R is attached in table mode
# with --max-routes-v4 100 --max-routes-v6 100.
#
# Asserts:
# - exactly 100 IPv4 prefixes (main + local table, which populate mirrors
#   too) fit: populate succeeds, the maps mirror the kernel's table;
# - 150 routes: populate fails (non-zero exit) with exactly one "Error:"
#   line naming the limit (100) and the flag (--max-routes-v4), and the maps
#   are exactly as before (routes, nexthops, groups, neighbours: nothing
#   partially written); the same for IPv6 (--max-routes-v6);
# - populate --watch on the oversized table: the same error line, and the
#   maps untouched (it may exit non-zero or keep running and say so);
# - back under the limit, populate succeeds and converges;
# - --table ID mirrors that table (and its size is checked the same way);
# - a malformed --max-routes-v4 value is one clear error;
# - IPv4 prefixes longer than /24 in more /24s than the DIR-24-8 table has
#   groups for (--max-routes-v4 2048: 1024): one error naming xr_dir8_v4,
#   1024 and --max-routes-v4, the maps untouched; 1000 of them fit.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

LIMIT=100

xr_init plim
xr_need_cli
xr_need_cli_feature attach --max-routes-v4
xr_need_cli_feature attach --max-routes-v6
xr_need_cli_feature populate --table
xr_topo ab
R=(ip -n "$(xr_ns r)")
"${R[@]}" neigh replace 10.2.0.2 lladdr "$(xr_mac b b0)" dev rb nud permanent
"${R[@]}" neigh replace fd00:2::2 lladdr "$(xr_mac b b0)" dev rb nud permanent

# routes FAM FIRST COUNT [TABLE] [del]: ip -batch lines for COUNT /24 (v4) or
# /64 (v6) routes numbered from FIRST, via B.
routes()
{
	local fam=$1 first=$2 count=$3 table=${4:-main} verb=${5:-add} i
	for ((i = first; i < first + count; i++)); do
		if [[ $fam == 4 ]]; then
			echo "route $verb 10.$((100 + i / 256)).$((i % 256)).0/24 via 10.2.0.2 table $table"
		else
			echo "route $verb 2001:db8:$((i + 1000))::/64 via fd00:2::2 table $table"
		fi
	done
}

# entries FAM: distinct prefixes of the main and local tables (populate
# mirrors the local table too: local addresses, broadcasts).
entries()
{
	sort -u <(xr_kernel_prefixes r "$1") <(xr_kernel_prefixes r "$1" local) | grep -c .
}

xr_step "malformed --max-routes-v4: one clear error"
xr_cli_err r attach --lookup table --max-routes-v4 lots ra rb

xr_step "attach --lookup table --max-routes-v4 $LIMIT --max-routes-v6 $LIMIT"
xr_cli_ok r attach --lookup table --max-routes-v4 "$LIMIT" --max-routes-v6 "$LIMIT" ra rb

xr_step "exactly $LIMIT IPv4 prefixes (main + local) and 90 IPv6 fit"
n4=$(entries 4)
routes 4 0 $((LIMIT - n4)) | "${R[@]}" -batch - || xr_fail "cannot add routes"
n6=$(entries 6)
routes 6 0 $((90 - n6)) | "${R[@]}" -batch - || xr_fail "cannot add routes"
xr_assert_eq "$(entries 4)" "$LIMIT" "IPv4 prefixes in R's main and local tables"
xr_populate r >/dev/null
xr_wait_maps_match r 0
xr_log "ok: $LIMIT IPv4 routes populated, maps equal the kernel's table"
before=$(xr_maps_snapshot r)
xr_log "maps: $(grep -c . <<<"$before") lines of snapshot"

# populate_refused FLAG: `populate` fails with an error naming LIMIT and
# FLAG, and the maps are exactly as $before.
populate_refused()
{
	xr_cli_err r populate
	[[ $XR_ERR == *"$LIMIT"* && $XR_ERR == *"$1"* ]] ||
		xr_fail "the error does not name the limit $LIMIT and $1: '$XR_ERR'"
	xr_log "ok: the error names $LIMIT and $1"
	[[ $(xr_maps_snapshot r) == "$before" ]] ||
		xr_fail "the maps changed although populate failed: $(diff <(echo "$before") <(xr_maps_snapshot r) | head -n 10)"
	xr_log "ok: maps exactly as before the failed populate"
}

xr_step "150 IPv4 prefixes: populate fails, names the limit and the flag, maps untouched"
routes 4 1000 50 | "${R[@]}" -batch - || xr_fail "cannot add routes"
populate_refused --max-routes-v4

xr_step "populate --watch on the oversized table: the same error, maps untouched"
rc=0
timeout -s TERM 5 ip netns exec "$(xr_ns r)" "$XR_CLI" --pin-path "$(xr_pin_path r)" \
	populate --watch >"$XR_RUN_DIR/watch.out" 2>"$XR_RUN_DIR/watch.err" || rc=$?
werr=$(grep '^Error:' "$XR_RUN_DIR/watch.err" || true)
[[ $werr == *"$LIMIT"* && $werr == *--max-routes-v4* ]] ||
	xr_fail "populate --watch (exit $rc) gave no error naming $LIMIT and --max-routes-v4: $(head -n 3 "$XR_RUN_DIR/watch.err")"
if ((rc == 124)); then
	xr_log "note: populate --watch kept running after the error (stopped by timeout)"
else
	xr_assert_ne "$rc" 0 "populate --watch exit status"
fi
[[ $(xr_maps_snapshot r) == "$before" ]] ||
	xr_fail "populate --watch changed the maps although the table does not fit"
xr_log "ok: maps exactly as before"

xr_step "back to $LIMIT routes: populate succeeds and converges"
routes 4 1000 50 main del | "${R[@]}" -batch - || xr_fail "cannot delete routes"
"${R[@]}" route replace 10.100.5.0/24 via 10.1.0.2	# changed while refused
xr_populate r >/dev/null
xr_wait_maps_match r 0
xr_log "ok: maps equal the kernel's table again"

xr_step "IPv6: 110 prefixes, --max-routes-v6 $LIMIT: error, maps untouched"
before=$(xr_maps_snapshot r)
routes 6 500 20 | "${R[@]}" -batch - || xr_fail "cannot add routes"
populate_refused --max-routes-v6
routes 6 500 20 main del | "${R[@]}" -batch - || xr_fail "cannot delete routes"

xr_step "--table 100: mirrors that table; 120 routes there are refused too"
routes 4 2000 40 100 | "${R[@]}" -batch - || xr_fail "cannot add routes to table 100"
routes 6 2000 10 100 | "${R[@]}" -batch - || xr_fail "cannot add routes to table 100"
xr_populate r --table 100 >/dev/null
xr_wait_maps_match r 0 100
xr_map_has_prefix r 10.2.0.0/24 &&
	xr_fail "the maps still hold main's 10.2.0.0/24 after populate --table 100"
xr_log "ok: the maps mirror table 100 (40 v4, 10 v6 prefixes), not main"
before=$(xr_maps_snapshot r)
routes 4 3000 80 100 | "${R[@]}" -batch - || xr_fail "cannot add routes to table 100"
xr_cli_err r populate --table 100
[[ $XR_ERR == *"$LIMIT"* && $XR_ERR == *--max-routes-v4* ]] ||
	xr_fail "the error does not name the limit $LIMIT and --max-routes-v4: '$XR_ERR'"
[[ $(xr_maps_snapshot r) == "$before" ]] ||
	xr_fail "the maps changed although populate --table 100 failed"
xr_log "ok: refused, maps exactly as before"

xr_step "main table again"
xr_populate r >/dev/null
xr_wait_maps_match r 0
xr_log "ok: maps equal the main table"

xr_step "IPv4 DIR-24-8 groups: longer-than-/24 prefixes in more /24s than there are groups: refused whole"
# --max-routes-v4 2048 gives the fewest groups, 1024 (a /24 holding a
# prefix longer than /24 takes one; the local table's /32s take a few).
xr_cli_ok r detach --all >/dev/null
xr_cli_ok r attach --lookup table --max-routes-v4 2048 ra rb >/dev/null
xr_populate r >/dev/null
xr_wait_maps_match r 0
before=$(xr_maps_snapshot r)
# host_routes add|del [N]: N (1024) /32 routes, each in a /24 of its own.
host_routes()
{
	local verb=$1 n=${2:-1024} i
	for ((i = 0; i < n; i++)); do
		echo "route $verb 10.$((60 + i / 256)).$((i % 256)).7/32 via 10.2.0.2"
	done
}
host_routes add | "${R[@]}" -batch - || xr_fail "cannot add routes"
xr_cli_err r populate
[[ $XR_ERR == *xr_dir8_v4* && $XR_ERR == *1024* && $XR_ERR == *--max-routes-v4* ]] ||
	xr_fail "the error does not name xr_dir8_v4, its 1024 groups and --max-routes-v4: '$XR_ERR'"
[[ $(xr_maps_snapshot r) == "$before" ]] ||
	xr_fail "the maps changed although populate failed"
xr_log "ok: refused with '$XR_ERR', maps exactly as before"
host_routes del | "${R[@]}" -batch - || xr_fail "cannot delete routes"
host_routes add 1000 | "${R[@]}" -batch - || xr_fail "cannot add routes"
out=$(xr_cli_ok r --json populate)
xr_wait_maps_match r 0
xr_assert_eq "$(xr_json_get "$out" 'j["dir_groups_v4"]["max"]')" 1024 "groups of the DIR-24-8 table"
xr_assert_ge "$(xr_json_get "$out" 'j["dir_groups_v4"]["used"]')" 1000 "groups in use (a /24 per host route, and the local table's)"
xr_log "ok: 1000 of them fit, maps equal the main table: $out"
