#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Removing a backend (DSR VIP 10.0.0.100:80, weights 1:2:1, dsr.yaml) while
# connections are open; Maglev moves only the removed backend's share.
#
# Asserts:
# - PROBES new connections from fixed client source ports (one each, closed
#   with RST) all answered, the "before" mapping;
# - with CONNS long-lived connections open, `lb apply dsr-minus-b3.yaml`
#   removes b3: `lb show` lists two backends; applying the same file again
#   adds, removes and changes nothing and writes no ring slot;
# - the same PROBES source ports again: every one is a new flow for the load
#   balancer (conn misses grew by >= PROBES, so the connection table does
#   not hide the hashing), all answered, none by b3; of those that were on
#   b1/b2 at most KEEP_TOL % moved, and in all at most b3's share + KEEP_TOL
#   points moved;
# - no long-lived connection to b1 or b2 broke or changed backend (b3's own
#   connections are counted, not asserted: it is gone);
# - `lb add-backend` puts b3 back: at least RESTORE_MIN % of the PROBES map
#   as before the removal (Maglev is deterministic over the same backends).
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

CONNS=${XR_LB_CONNS:-300}
PROBES=600
SPORTS=30000-$((30000 + PROBES - 1))
KEEP_TOL=${XR_LB_KEEP_TOL:-3}		# percent
RESTORE_MIN=95				# percent

xr_init lbrm
xr_lb_setup dsr
xr_lb_apply "$XR_LB_FIXTURES/dsr.yaml"

xr_step "$PROBES new connections before the removal"
c=$(xr_lb_probe before "$XR_LB_VIP" 80 "$SPORTS")
xr_log "before: $c"
xr_assert_eq "$(xr_json_get "$c" 'j.get("!err", 0)')" 0 "probes not answered"
b3share=$(xr_lb_share "$c" b3)

xr_step "$CONNS long-lived connections; remove b3 (lb apply dsr-minus-b3.yaml)"
xr_lb_hold_start held --dst "$XR_LB_VIP" --port 80 --conns "$CONNS" \
	--sport-base 20000 --interval 0.3
xr_lb_apply "$XR_LB_FIXTURES/dsr-minus-b3.yaml"
j=$(xr_lb_json)
xr_assert_eq "$(xr_lb_q "$j" 'len(bes("web"))')" 2 "backends of web after the removal"
xr_assert_eq "$(xr_lb_q "$j" 'be("web", "10.9.0.13")')" None "b3 in lb show"
miss0=$(xr_lb_q "$j" 'vc("web", "conn_miss")')
# The same file again: nothing to do, nothing written.
r=$(xr_cli_ok lb --json lb apply "$XR_LB_FIXTURES/dsr-minus-b3.yaml")
xr_assert_eq "$(xr_json_get "$r" '[j["vips"], j["backends"], j["ring_slots_written"]]')" \
	'[{"added": 0, "removed": 0, "changed": 0}, {"added": 0, "removed": 0, "changed": 0}, 0]' \
	"apply of the same file again (--json)"

xr_step "the same $PROBES source ports after the removal"
c=$(xr_lb_probe after "$XR_LB_VIP" 80 "$SPORTS")
xr_log "after: $c"
miss=$(($(xr_lb_q "$(xr_lb_json)" 'vc("web", "conn_miss")') - miss0))
xr_assert_ge "$miss" "$PROBES" "conn misses of the second probe (fresh hashing)"
xr_assert_eq "$(xr_json_get "$c" 'j.get("!err", 0)')" 0 "probes not answered"
xr_assert_eq "$(xr_json_get "$c" 'j.get("b3", 0)')" 0 "probes answered by the removed b3"
m=$("$XR_PYTHON" "$XR_LIB_DIR/lb_clients.py" moved \
	"$XR_RUN_DIR/probe-before.json" "$XR_RUN_DIR/probe-after.json")
xr_log "moved: $m"
kept=$(xr_json_get "$m" 'j["by_before"].get("b1", [0, 0])[0] + j["by_before"].get("b2", [0, 0])[0]')
kept_moved=$(xr_json_get "$m" 'j["by_before"].get("b1", [0, 0])[1] + j["by_before"].get("b2", [0, 0])[1]')
moved=$(xr_json_get "$m" 'j["moved"]')
xr_log "disruption: $moved of $PROBES new flows moved ($((100 * moved / PROBES)) %), b3 had $b3share %;" \
	"$kept_moved of the $kept on b1/b2 moved"
xr_assert_lt $((100 * kept_moved)) $((KEEP_TOL * kept + 1)) \
	"flows of b1/b2 that moved (x100, <= $KEEP_TOL % of $kept)"
xr_assert_lt $((100 * moved)) $(((b3share + KEEP_TOL) * PROBES + 1)) \
	"flows that moved (x100, <= b3's $b3share % + $KEEP_TOL points of $PROBES)"

xr_step "established connections to b1 and b2"
xr_lb_hold_more held 2	# more rounds on every connection
xr_lb_hold_wait held 4
s=$(xr_lb_hold_stop held)
xr_log "clients: $s"
xr_assert_eq "$(xr_json_get "$s" 'j["connect_failed"]')" 0 "connections that failed to open"
xr_assert_ge "$(xr_json_get "$s" 'j["rounds"]')" 5 "rounds of messages"
xr_assert_eq "$(xr_json_get "$s" 'j["broken_by"].get("b1", 0) + j["broken_by"].get("b2", 0)')" 0 \
	"connections to b1/b2 broken"
xr_assert_eq "$(xr_json_get "$s" 'j["switched"]')" 0 "connections answered by more than one backend"
xr_log "b3's own $(xr_json_get "$s" 'j["first"].get("b3", 0)') connections:" \
	"$(xr_json_get "$s" 'j["broken_by"].get("b3", 0)') broken after the removal"

xr_step "lb add-backend b3 again: the old mapping comes back"
xr_cli_ok lb lb add-backend web 10.9.0.13 --weight 1 >/dev/null
c=$(xr_lb_probe back "$XR_LB_VIP" 80 "$SPORTS")
xr_log "b3 back: $c"
xr_assert_eq "$(xr_json_get "$c" 'j.get("!err", 0)')" 0 "probes not answered"
m=$("$XR_PYTHON" "$XR_LIB_DIR/lb_clients.py" moved \
	"$XR_RUN_DIR/probe-before.json" "$XR_RUN_DIR/probe-back.json")
same=$((PROBES - $(xr_json_get "$m" 'j["moved"]')))
xr_assert_ge $((100 * same)) $((RESTORE_MIN * PROBES)) \
	"flows mapped as before the removal (x100, >= $RESTORE_MIN % of $PROBES)"
