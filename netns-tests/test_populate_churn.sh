#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Churn: A -> R -> B / C with R in table lookup mode and `populate --watch`
# running, while routes and neighbours change hundreds of times per second
# (churn.py: netlink requests timestamped at request and ACK, 5 flows of
# 1000 packets/s stamped with their send time, captured at B and C).
#
# Asserts:
# - no packet reaches a stale next hop: a packet sent more than 100 ms (the
#   watch's promise) after the ACK of a change never arrives where the
#   previous state sent it -- route flipped between B and C (v4 and v6), the
#   gateway's neighbour MAC flipped or deleted, a route deleted and re-added,
#   a destination under nested /16, /24, /26 and /30 routes added and
#   deleted one at a time (the DIR-24-8 table's ranges and groups);
# - forwarding follows every change: of the packets sent from ACK + 100 ms
#   until the next change, >= 90 % arrive in the new state;
# - the XDP path did the work (stats redirect on ra >= 90 % of what the
#   route flows delivered);
# - a burst of 20000 route additions (then deletions): the maps equal the
#   kernel's prefixes within 10 s;
# - 300000 changes while --watch is stopped (SIGSTOP) overflow its netlink
#   socket: after SIGCONT it resyncs (says "overflow" in its -v log), the
#   maps equal the kernel's prefixes within 20 s, and table-mode decisions
#   equal the kernel's (fibdiff.py, > 2000 destinations);
# - link down (the kernel drops its routes without telling): the routes via
#   the link leave the maps within 1 s; link up + route: back within 1 s
#   (every "within": the watcher's report of the write, stamped as printed,
#   against the time of the change; the maps themselves checked by polling
#   bpftool, whose own slowness under load is not counted);
# - --watch is still running, still applies a change, and exits 0 on
#   SIGTERM; the maps stay valid after it exits.
#
#   XR_CHURN_SECONDS  length of the churn (default 10)
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

SECONDS_CHURN=${XR_CHURN_SECONDS:-10}

xr_init pchurn
xr_need_cli
xr_need_cli_feature attach --lookup
xr_need_cli_feature populate --watch
xr_topo abc

xr_step "attach --lookup table ra rb rc; neighbours B and C permanent"
R=(ip -n "$(xr_ns r)")
"${R[@]}" neigh replace 10.2.0.2 lladdr "$(xr_mac b b0)" dev rb nud permanent
"${R[@]}" neigh replace 10.3.0.2 lladdr "$(xr_mac c c0)" dev rc nud permanent
"${R[@]}" neigh replace fd00:2::2 lladdr "$(xr_mac b b0)" dev rb nud permanent
"${R[@]}" neigh replace fd00:3::2 lladdr "$(xr_mac c c0)" dev rc nud permanent
"${R[@]}" neigh replace 10.1.0.2 lladdr "$(xr_mac a a0)" dev ra nud permanent
xr_cli_ok r attach --lookup table ra rb rc

xr_step "populate --watch -v"
XR_WATCH_STAMP=1 xr_watch_start r 10.3.0.0/24 -v
watch_log=$XR_WATCH_LOG
xr_ping_pairs "a b" "a c"

xr_step "churn for ${SECONDS_CHURN} s under traffic"
before=$(xr_counters r ra)
out=$(timeout $((SECONDS_CHURN + 60)) "$XR_PYTHON" "$XR_LIB_DIR/churn.py" \
	--sender "$(xr_ns a):a0" --router-ns "$(xr_ns r)" \
	--router-mac "$(xr_mac r ra)" \
	--rx-b "$(xr_ns b):b0" --rx-c "$(xr_ns c):c0" \
	--rb "$(xr_ifindex r rb)" --rc "$(xr_ifindex r rc)" \
	--seconds "$SECONDS_CHURN" 2>&1) || {
	printf '%s\n' "$out" | sed 's/^/    /' >&2
	xr_fail "forwarding did not follow the churn (see above)"
}
after=$(xr_counters r ra)
printf '%s\n' "$out" | head -n -1 | sed 's/^/    /' >&2
res=$(tail -n 1 <<<"$out")
xr_log "churn: $res"
xr_assert_ge "$(xr_json_get "$res" 'j["ops_per_s"]')" 200 "changes per second"
xr_assert_ge "$(xr_json_get "$res" 'j["states_checked"]')" $((SECONDS_CHURN * 12)) "states held > 100 ms and checked"
read -r e0 c0 f0 <<<"$before"
read -r e1 c1 f1 <<<"$after"
# Packets for an absent neighbour go to the kernel, which queues them and
# sends them when the neighbour is back: count only the route flows.
got=$(xr_json_get "$res" 'j["v4route_got"] + j["v6route_got"] + j["delroute_got"] + j["nest_got"]')
xr_assert_ge $(((c1 - c0) * 10)) $((got * 9)) "XDP redirects on ra (x10) vs route-flow packets received (x9)"
xr_log "kernel forwarded $((f1 - f0)) packets (the 'absent neighbour' states go to the kernel)"
xr_watch_alive

xr_step "burst: 20000 routes added, then deleted, faster than netlink buffers"
"$XR_PYTHON" -c '
for i in range(20000):
    print(f"route add 10.{150 + i // 65536}.{i // 256 % 256}.{i % 256}/32 via 10.{2 + i % 2}.0.2")
' >"$XR_RUN_DIR/burst.batch"
t0=$(xr_now_us)
"${R[@]}" -batch "$XR_RUN_DIR/burst.batch" || xr_fail "burst add failed"
xr_watch_converged "$t0" 10000 "maps equal the kernel's 20000+ routes after the burst" \
	xr_maps_match r
sed 's/^route add \([^ ]*\) .*/route del \1/' "$XR_RUN_DIR/burst.batch" >"$XR_RUN_DIR/burst-del.batch"
t0=$(xr_now_us)
"${R[@]}" -batch "$XR_RUN_DIR/burst-del.batch" || xr_fail "burst delete failed"
xr_watch_converged "$t0" 10000 "maps equal the kernel's routes after the deletions" \
	xr_maps_match r
xr_watch_alive

xr_step "overflow: 300000 changes while --watch is stopped (SIGSTOP), then SIGCONT"
# 1000 routes replaced 300 times over (gateway B, C, B, ...), then half of
# them deleted: far more notifications than its 64 MiB socket buffer holds.
"$XR_PYTHON" - "$XR_RUN_DIR/flood.batch" <<'PY'
import sys
pfx = [f"10.160.{i // 256}.{i % 256}/32" for i in range(1000)]
with open(sys.argv[1], "w") as f:
    for r in range(300):
        f.writelines(f"route replace {p} via 10.{2 + r % 2}.0.2\n" for p in pfx)
    f.writelines(f"route del {p}\n" for p in pfx[:500])
PY
kill -STOP "$XR_WATCH_PID"
t0=$(xr_ms)
if ! "${R[@]}" -batch "$XR_RUN_DIR/flood.batch"; then
	kill -CONT "$XR_WATCH_PID"
	xr_fail "cannot apply the flood of route changes"
fi
xr_log "300500 changes in $(($(xr_ms) - t0)) ms"
t0=$(xr_now_us)
kill -CONT "$XR_WATCH_PID"
xr_watch_converged "$t0" 20000 "maps equal the kernel's routes after SIGCONT" \
	xr_maps_match r
grep -q -i 'overflow' "$watch_log" ||
	xr_fail "no overflow resync in the -v log of populate --watch"
xr_log "ok: the -v log shows the overflow resync: $(grep -i -m1 overflow "$watch_log")"
# Not only the prefixes: every decision as the kernel's (last gateway C).
res=$(xr_fibdiff r --ingress ra --attached ra,rb,rc --src4 10.1.0.2 \
	--src6 fd00:1::2 --expect-table --random4 200 --random6 100 --route-get 50)
xr_assert_ge "$(xr_json_get "$res" 'j["compared"]')" 2000 \
	"destinations compared with the kernel after the overflow, table == kernel"
xr_watch_alive

xr_step "link down: the kernel flushes routes via rc silently; the maps follow"
via_rc_gone()
{
	! xr_map_has_prefix r 10.97.0.0/24 && ! xr_map_has_prefix r 10.3.0.0/24 &&
		xr_maps_match r
}
back_via_rc()
{
	xr_map_has_prefix r 10.97.0.0/24 && xr_maps_match r
}
t0=$(xr_now_us)
"${R[@]}" route replace 10.97.0.0/24 via 10.3.0.2
"${R[@]}" -6 route replace 2001:db8:97::/64 via fd00:3::2
xr_watch_converged "$t0" 1000 "10.97.0.0/24 in the maps" \
	xr_map_has_prefix r 10.97.0.0/24
t0=$(xr_now_us)
"${R[@]}" link set rc down
xr_watch_converged "$t0" 1000 "routes via rc (10.97.0.0/24, 10.3.0.0/24) gone from the maps after link down" \
	via_rc_gone
xr_log "ok: routes via rc left the maps after link down"
t0=$(xr_now_us)
"${R[@]}" link set rc up
"${R[@]}" route replace 10.97.0.0/24 via 10.3.0.2
xr_watch_converged "$t0" 1000 "10.97.0.0/24 back in the maps after link up, maps equal the kernel's" \
	back_via_rc
xr_log "ok: back after link up"

xr_step "--watch survived: still applies a change, exits 0 on SIGTERM"
xr_watch_alive
t0=$(xr_now_us)
"${R[@]}" route replace 10.96.0.0/24 via 10.2.0.2
xr_watch_converged "$t0" 1000 "a last change applied" xr_map_has_prefix r 10.96.0.0/24
xr_watch_stop TERM
xr_wait_maps_match r 0
xr_log "ok: maps still equal the kernel's table after --watch exited"
b0=$(xr_stat r ra redirect)
xr_fwd_check a b 5
xr_assert_ge $(($(xr_stat r ra redirect) - b0)) "$XR_FWD_SENT" "XDP still forwards A -> B after --watch exited"
printf '%s\n' "--- populate --watch -v: $(wc -l <"$watch_log") lines; last ones:" >&2
tail -n 5 "$watch_log" | sed 's/^/    /' >&2
grep -i -E 'resync|overflow|enobufs' "$watch_log" | head -n 5 | sed 's/^/    resync: /' >&2 || true
