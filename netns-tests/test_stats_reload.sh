#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The commands that keep running follow the router across `reload` and let
# go of the old program (A - R - B, table lookup mode, routing on CPU 0
# through a cpumap: attach --cpus, whose kthread the old program would keep).
#
# Asserts, with `stats --prometheus F --interval 0.2`, `stats --json
# --interval 0.2`, `stats --watch` (on a pipe) and `populate --watch`
# running:
# - after `reload --force`, the Prometheus file's info gauge names the new
#   program id (and its tag), the watch view's header too, and the kernel
#   frees the old program: none of them holds it;
# - the samples go on across the reload: --interval keeps printing, with
#   the interface counters not reset (same maps);
# - after `detach --all`, each stats sampler ends within seconds, exit
#   status non-zero and one error line saying the router is gone (with
#   --json, one error object as its last line), instead of reading the
#   orphaned maps forever; populate --watch too, within about a second
#   (it checks its maps are still the pinned ones with its periodic
#   interface check), rather than mirroring routes into maps nobody reads.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

xr_init srld bpftool
xr_need_cli
xr_topo ab
xr_cli_ok r attach --lookup table --cpus 0 ra rb >/dev/null
xr_ping a "$(xr_ip4 b)" 2
xr_populate r >/dev/null
xr_ping a "$(xr_ip4 b)" 2
id0=$(xr_xdp_prog_id r ra)
prom="$XR_RUN_DIR/xdp-router.prom"
pin=$(xr_pin_path r)

# prom_names ID: the file's info gauge has prog_id ID.
prom_names()
{
	grep -q "^xdp_router_info{prog_id=\"$1\"," "$prom" 2>/dev/null
}

# watch_names ID: the last header the watch view printed names program ID.
watch_names()
{
	[[ $(sed -n 's/^xdp-router: prog \([0-9]*\) at .*/\1/p' \
		"$XR_RUN_DIR/watch.out" | tail -n 1) == "$1" ]]
}

# interval_lines_ge N: stats --interval printed N samples or more.
interval_lines_ge()
{
	(($(wc -l <"$XR_RUN_DIR/interval.out") >= $1))
}

# gone_msg MSG: MSG says the router is gone. The Prometheus writer reopens
# the load balancer's pins in each sample: a detach that removes them
# meanwhile makes that sample fail on a missing pin instead, as precise.
gone_msg()
{
	[[ $1 == *"is gone (detached)"* || $1 == *" is missing"* ||
		$1 == *"nothing attached at"* ]]
}

# samplers_end: each stats sampler has exited non-zero with one error line
# saying the router is gone.
samplers_end()
{
	local name pid rc err
	for name in prom interval watch; do
		pid=${PIDS[$name]}
		xr_wait_pid_gone "$pid" 10 || xr_fail "stats ($name) still running after detach"
		rc=0
		wait "$pid" || rc=$?
		err=$(cat "$XR_RUN_DIR/$name.err")
		((rc != 0)) || xr_fail "stats ($name) exited 0 after the router was detached"
		if [[ $name == interval ]]; then
			# --json: the error is the last object on stdout.
			[[ -z $err ]] || xr_fail "stats --json ($name) wrote to stderr: '$err'"
			err=$(tail -n 1 "$XR_RUN_DIR/$name.out")
			if [[ $(xr_json_get "$err" 'list(j)') != '["error"]' ]] ||
				! gone_msg "$err"; then
				xr_fail "stats ($name): expected an error object saying the router is gone, got '$err'"
			fi
		elif (($(wc -l <<<"$err") != 1)) || [[ $err != Error:* ]] ||
			! gone_msg "$err"; then
			xr_fail "stats ($name): expected one 'Error: ...' line saying the router is gone, got '$err'"
		fi
		xr_log "ok: stats ($name) exited $rc: $err"
	done
}

xr_step "samplers running on program $id0"
declare -A PIDS
xr_bg r "$XR_CLI" --pin-path "$pin" stats --prometheus "$prom" --interval 0.2 \
	2>"$XR_RUN_DIR/prom.err"
PIDS[prom]=$XR_BG_PID
xr_bg r "$XR_CLI" --pin-path "$pin" --json stats --interval 0.2 \
	>"$XR_RUN_DIR/interval.out" 2>"$XR_RUN_DIR/interval.err"
PIDS[interval]=$XR_BG_PID
xr_bg r "$XR_CLI" --pin-path "$pin" stats --watch --interval 0.2 \
	>"$XR_RUN_DIR/watch.out" 2>"$XR_RUN_DIR/watch.err"
PIDS[watch]=$XR_BG_PID
xr_watch_start r 10.2.0.0/24
xr_wait_until 60 "the Prometheus file names program $id0" prom_names "$id0"
xr_wait_until 60 "the watch view names program $id0" watch_names "$id0"
xr_wait_until 60 "two --interval samples" interval_lines_ge 2

xr_step "reload --force: the samplers follow, the old program is freed"
xr_ping a "$(xr_ip4 b)" 3
red0=$(xr_stat r ra redirect)
out=$(xr_cli_ok r --json reload --force)
id1=$(xr_json_get "$out" 'j["prog_id"]')
xr_assert_ne "$id1" "$id0" "the reloaded program's id"
lines0=$(wc -l <"$XR_RUN_DIR/interval.out")
xr_wait_until 60 "the Prometheus file names program $id1" prom_names "$id1"
tag1=$(bpftool -j prog show id "$id1" | xr_json_get "$(cat)" 'j["tag"]')
grep -q "^xdp_router_info{prog_id=\"$id1\",.*tag=\"$tag1\"" "$prom" ||
	xr_fail "info gauge without tag $tag1: $(grep '^xdp_router_info' "$prom")"
xr_wait_until 60 "the watch view names program $id1" watch_names "$id1"
xr_wait_prog_gone "$id0"
xr_wait_until 60 "--interval samples after the reload" \
	interval_lines_ge $((lines0 + 2))
for name in "${!PIDS[@]}"; do
	kill -0 "${PIDS[$name]}" 2>/dev/null ||
		xr_fail "stats ($name) died at the reload: $(cat "$XR_RUN_DIR/$name.err")"
done
xr_watch_alive
# Same maps: the counters went on from where they were.
xr_ping a "$(xr_ip4 b)" 2
xr_assert_ge "$(xr_stat r ra redirect)" $((red0 + 2)) "ra's redirect counter after the reload (not reset)"

xr_step "detach --all: the samplers and the populate watcher stop with an error"
xr_cli_ok r detach --all >/dev/null
samplers_end
xr_wait_pid_gone "$XR_WATCH_PID" 10 ||
	xr_fail "populate --watch still running after detach"
rc=0
wait "$XR_WATCH_PID" || rc=$?
((rc != 0)) || xr_fail "populate --watch exited 0 after the router was detached"
grep -q "^Error: the router at $pin was detached (or replaced) under populate --watch" \
	"$XR_WATCH_LOG" || xr_fail "populate --watch: no error about the detach: $(tail -n 3 "$XR_WATCH_LOG")"
xr_log "ok: populate --watch exited $rc: $(grep '^Error:' "$XR_WATCH_LOG")"
xr_wait_prog_gone "$id1"
