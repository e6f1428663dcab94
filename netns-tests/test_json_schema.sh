#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Every command's --json output against its documented shape
# (docs/schema/*.json, rendered in docs/json.md), on a real router and load
# balancer (the one-legged LB topology of xr_lb_topo, lb/dsr.yaml).
#
# Asserts, for each of attach (new, repeated, falling back to generic mode
# with the kernel's reason), status (with that reason too), stats, stats
# --interval (every line), populate, populate --watch (every line, after a
# route change), lb apply (--dry-run too), the one-off lb commands, lb
# show, lb health, lb watch (every line, until SIGTERM), detach, and the
# error objects of failing commands: the output validates against the
# schema (members, types, enums, no undocumented member).
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

xr_init jsch
xr_lb_topo dsr
xr_need_cli
for b in b1 b2; do
	xr_lb_server_start "$b" 80
done
SCHEMA="$XR_LIB_DIR/../docs/schema"
checked=0

# valid SCHEMA ARGS...: `xdp-router --json ARGS...` in LB succeeds and its
# output matches SCHEMA.
valid()
{
	local s=$1 out
	shift
	out=$(xr_cli_ok lb --json "$@") || xr_fail "xdp-router --json $*"
	"$XR_PYTHON" "$SCHEMA/schema_tool.py" validate "$SCHEMA/$s.json" <<<"$out" ||
		xr_fail "'$*' does not match $s.json: $(head -c 400 <<<"$out")"
	checked=$((checked + 1))
	xr_log "ok: $* matches $s.json"
}

# invalid ARGS...: the command fails with a valid error object on stdout.
invalid()
{
	local out rc=0
	out=$(xr_cli lb --json "$@" 2>/dev/null) || rc=$?
	((rc == 1)) || xr_fail "'$*' exited $rc, expected 1"
	"$XR_PYTHON" "$SCHEMA/schema_tool.py" validate "$SCHEMA/error.json" <<<"$out" ||
		xr_fail "'$*': not an error object: $out"
	checked=$((checked + 1))
	xr_log "ok: $* fails with $out"
}

# lines SCHEMA FILE MIN: FILE has at least MIN lines, each matching SCHEMA.
lines()
{
	local n
	n=$(grep -c . "$2" || true)
	xr_assert_ge "$n" "$3" "lines of $(basename "$2")"
	"$XR_PYTHON" "$SCHEMA/schema_tool.py" validate "$SCHEMA/$1.json" "$2" ||
		xr_fail "$(basename "$2") does not match $1.json: $(head -c 400 "$2")"
	checked=$((checked + 1))
}

xr_step "attach, status, stats"
invalid status
valid attach attach l0
valid attach attach l0
valid status status
valid stats stats
xr_cli_ok lb --json stats --interval 0.2 --count 2 >"$XR_RUN_DIR/rates.json"
lines stats-interval "$XR_RUN_DIR/rates.json" 2
invalid stats --interval nope
invalid attach nosuch0

xr_step "auto mode's fallback to generic, with the kernel's reason"
# A bridge has no native XDP: the one-line warning on stderr, the reason in
# attach's and status's JSON.
ip -n "$(xr_ns lb)" link add xbr0 type bridge
ip -n "$(xr_ns lb)" link set xbr0 up
out=$(xr_cli lb --json attach xbr0 2>"$XR_RUN_DIR/attach.err") ||
	xr_fail "attach xbr0 failed: $(cat "$XR_RUN_DIR/attach.err")"
"$XR_PYTHON" "$SCHEMA/schema_tool.py" validate "$SCHEMA/attach.json" <<<"$out" ||
	xr_fail "attach xbr0 does not match attach.json: $out"
xr_assert_eq "$(xr_json_get "$out" 'j[0]["native_refused"]["errno"]')" 95 \
	"attach --json: native_refused errno (EOPNOTSUPP)"
warn=$(cat "$XR_RUN_DIR/attach.err")
[[ $(wc -l <<<"$warn") == 1 && $warn == "Warning: xbr0: native XDP refused by the kernel: "*"EOPNOTSUPP"*"generic mode"* ]] ||
	xr_fail "attach xbr0: expected one warning line with the reason, got: '$warn'"
valid status status
xr_assert_eq "$(xr_status_get lb xbr0 native_refused)" \
	"{'errno': 95, 'error': 'Operation not supported (EOPNOTSUPP)'}" \
	"status --json: xbr0's native_refused"
xr_assert_empty "$(xr_status_get lb l0 native_refused)" "status --json: l0 has no native_refused"
xr_cli_ok lb detach xbr0 >/dev/null
checked=$((checked + 1))

xr_step "load balancer"
xr_lb_prime_arp
valid lb-apply lb apply --dry-run "$XR_LB_FIXTURES/dsr.yaml"
valid lb-apply lb apply "$XR_LB_FIXTURES/dsr.yaml"
valid lb-show lb show
valid lb-show lb show web
valid lb-apply lb add-vip dns 10.0.0.53:53 --proto udp
valid lb-apply lb add-backend dns 10.9.0.11
valid lb-apply lb set-backend dns 10.9.0.11 --weight 5 --state drain
valid lb-show lb show dns
valid lb-apply lb del-backend dns 10.9.0.11
valid lb-apply lb del-vip dns
valid lb-health lb health
n=$(xr_json_get "$(xr_cli_ok lb --json lb health)" 'len(j)')
xr_assert_eq "$n" 3 "backends probed by lb health"
invalid lb export
invalid lb apply "$XR_LB_FIXTURES/bad-weight-zero.yaml"
invalid lb show nosuchvip

xr_step "lb watch: every line, until SIGTERM"
xr_bg lb "$XR_CLI" --pin-path "$(xr_pin_path lb)" --json lb watch "$XR_LB_FIXTURES/dsr-minus-b3.yaml" \
	>"$XR_RUN_DIR/watch.json"
watcher=$XR_BG_PID
xr_wait_until 60 "lb watch started and applied" grep -q '"applied"' "$XR_RUN_DIR/watch.json"
kill -TERM "$watcher"
xr_wait_pid_gone "$watcher" 10 || xr_fail "lb watch still running after SIGTERM"
lines lb-watch "$XR_RUN_DIR/watch.json" 3

xr_step "populate, populate --watch"
valid populate populate
xr_bg lb "$XR_CLI" --pin-path "$(xr_pin_path lb)" --json populate --watch \
	>"$XR_RUN_DIR/populate.json"
watcher=$XR_BG_PID
xr_wait_until 60 "populate --watch synced" grep -q . "$XR_RUN_DIR/populate.json"
ip -n "$(xr_ns lb)" route add 192.0.2.0/24 via "$XR_LB_GW"
xr_wait_until 60 "populate --watch saw the route" \
	test "$(grep -c . "$XR_RUN_DIR/populate.json")" -ge 2
kill -TERM "$watcher"
xr_wait_pid_gone "$watcher" 10 || xr_fail "populate --watch still running after SIGTERM"
lines populate "$XR_RUN_DIR/populate.json" 2

xr_step "detach"
valid detach detach l0
invalid detach l0

xr_log "$checked outputs matched their schemas"
xr_log "PASS"
