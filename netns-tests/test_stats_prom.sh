#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The operator's view of a running router and load balancer (the one-legged
# LB topology of xr_lb_topo, VIP web of lb/dsr.yaml, traffic from real TCP
# connections).
#
# Asserts:
# - `stats --prometheus FILE` writes a valid exposition file (prom_check.py:
#   HELP/TYPE, names, escapes, no duplicate series) whose interface, VIP,
#   conn-table and backend counters equal `stats --json` / `lb show --json`
#   read just before and after (within them when traffic moved meanwhile),
#   with the info gauge naming the program id and lookup mode;
# - rewritten every 50 ms, the file is never seen partial: a reader loop
#   sees only complete, valid files with the same series, counters never
#   going back, and sees it replaced many times; SIGTERM ends the writer
#   (exit 0) without leaving a temporary file;
# - `stats --watch` on a pipe prints plain frames (no escape sequences)
#   with the busy (interface, outcome) rows; on a terminal it draws in
#   place, quits on 'q' and on SIGTERM with exit 0, the terminal restored;
# - the bash completion offers the running VIP's name for `lb show`.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

xr_init sprom
xr_lb_setup dsr
xr_lb_apply "$XR_LB_FIXTURES/dsr.yaml"
SP="$XR_PYTHON $XR_LIB_DIR/stats_prom.py"
dir="$XR_RUN_DIR/textfile"
mkdir -p "$dir"
prom="$dir/xdp-router.prom"

xr_step "traffic: 40 TCP connections to the VIP"
xr_lb_probe warm "$XR_LB_VIP" 80 41000-41039 >/dev/null

xr_step "stats --prometheus: valid, and the counters of stats --json and lb show --json"
xr_cli_ok lb --json stats >"$XR_RUN_DIR/s1.json"
xr_lb_json >"$XR_RUN_DIR/lb1.json"
xr_cli_ok lb stats --prometheus "$prom"
xr_cli_ok lb --json stats >"$XR_RUN_DIR/s2.json"
xr_lb_json >"$XR_RUN_DIR/lb2.json"
"$XR_PYTHON" "$XR_LIB_DIR/../user/tests/prom_check.py" "$prom" ||
	xr_fail "the file is not valid: $(head -c 600 "$prom")"
res=$($SP compare "$prom" "$XR_RUN_DIR"/s1.json "$XR_RUN_DIR"/s2.json \
	"$XR_RUN_DIR"/lb1.json "$XR_RUN_DIR"/lb2.json) || xr_fail "prometheus and --json disagree"
xr_log "compared: $res"
read -r _ n _ exact <<<"$res"
xr_assert_ge "$n" 45 "series compared (one interface, one VIP, three backends)"
# The LB's segment is quiet: nearly everything is exact.
xr_assert_ge $((exact * 10)) $((n * 9)) "series equal to stats --json (x10 >= 9 x all)"
tx=$(grep -E '^xdp_router_packets_total\{interface="l0",.*outcome="lb_tx"\}' "$prom" | awk '{print $2}')
xr_assert_ge "${tx:-0}" 80 "lb_tx packets of l0 in the file (40 connections)"
prog_id=$(xr_status_get lb l0 prog_id)
grep -qE "^xdp_router_info\\{prog_id=\"$prog_id\",.*lookup=\"fib\"" "$prom" ||
	xr_fail "no info gauge with prog_id $prog_id, lookup fib: $(grep info "$prom")"
hits=$(grep -E '^xdp_router_lb_conn_table_hits_total\{vip="web"\}' "$prom" | awk '{print $2}')
xr_assert_ge "${hits:-0}" 40 "conn-table hits of web"

xr_step "rewritten every 50 ms under traffic: never seen partial"
xr_bg lb "$XR_CLI" --pin-path "$(xr_pin_path lb)" stats --prometheus "$prom" --interval 0.05
writer=$XR_BG_PID
xr_bg a "$XR_PYTHON" "$XR_LIB_DIR/lb_clients.py" probe --src "$XR_LB_CLIENT" \
	--dst "$XR_LB_VIP" --port 80 --sports 42000-42099 --timeout 2 \
	--out "$XR_RUN_DIR/probe-busy.json"
res=$($SP reader "$prom" 3) || xr_fail "the reader saw a bad file"
xr_log "reader: $res"
read -r _ reads _ files <<<"$res"
xr_assert_ge "$reads" 50 "reads of the file"
# Each write reads every LB map (~2000 bpf calls): on a loaded 2-CPU
# machine that is a few per second, not 20.
xr_assert_ge "$files" 3 "versions of the file seen (rewrites)"
kill -TERM "$writer"
rc=0
wait "$writer" || rc=$?
xr_assert_eq "$rc" 0 "the writer's exit status after SIGTERM"
xr_assert_eq "$(ls -A "$dir")" "xdp-router.prom" "files in the textfile directory"

xr_step "stats --prometheus --interval --count: N writes, then exit 0"
rm -f "$prom"
xr_cli_ok lb stats --prometheus "$prom" --interval 0.1 --count 3
[[ -s $prom ]] || xr_fail "no file after --count 3"
xr_cli_err lb stats --prometheus "$dir/nosuch/x.prom"
xr_cli_err lb stats --watch --prometheus "$prom"

xr_step "stats --watch on a pipe: plain frames, busiest rows"
out=$(xr_cli_ok lb stats --watch --interval 0.2 --count 2 | cat)
xr_log "$(printf '%s\n' "$out" | head -n 8)"
[[ $out != *$'\e'* ]] || xr_fail "escape sequences in --watch output to a pipe"
xr_assert_eq "$(grep -c '^INTERFACE' <<<"$out")" 2 "frames printed"
grep -qE '^l0 +lb_tx ' <<<"$out" || xr_fail "no l0 lb_tx row: $out"

xr_step "stats --watch on a terminal: drawn in place, q and SIGTERM quit, terminal restored"
res=$(xr_in lb $SP tty 20 "$XR_CLI" --pin-path "$(xr_pin_path lb)" stats --watch --interval 0.2) ||
	xr_fail "stats --watch on a terminal (q)"
xr_log "$res"
res=$(xr_in lb $SP tty 20 --sigterm "$XR_CLI" --pin-path "$(xr_pin_path lb)" stats --watch --interval 0.2) ||
	xr_fail "stats --watch on a terminal (SIGTERM)"
xr_log "$res"

xr_step "bash completion: VIP names from lb show --json"
got=$(xr_in lb bash -c '
	source "$1"
	COMP_WORDS=("$2" --pin-path "$3" lb show "")
	COMP_CWORD=5
	_xdp_router
	echo "${COMPREPLY[*]}"' _ "$XR_LIB_DIR/../contrib/bash-completion/xdp-router" \
	"$XR_CLI" "$(xr_pin_path lb)")
xr_assert_eq "$got" "web" "completions of 'lb show '"

xr_log "PASS"
