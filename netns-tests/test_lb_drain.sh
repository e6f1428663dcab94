#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Draining backends (DSR VIP 10.0.0.100:80, weights 1:2:1, dsr.yaml) while
# connections are open.
#
# Asserts:
# - CONNS long-lived connections open, some on each backend;
# - `lb set-backend web 10.9.0.12 --state drain`: lb show says drain; PROBES
#   new connections are all answered, none by b2, and b2's server accepted
#   no connection meanwhile;
# - every backend drained: lb show says so; new connections fail (connect
#   times out) and no backend's server accepts one; the VIP's no_backend
#   counter grows (the load balancer drops them: it does not send them to
#   the drained backends);
# - meanwhile every long-lived connection - on the drained b2 too, and
#   while everything is drained - keeps being answered by its backend: none
#   broke, none changed backend;
# - back to active: new connections are answered again, by all three.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

CONNS=${XR_LB_CONNS:-300}
PROBES=300

xr_init lbdrn
xr_lb_setup dsr
xr_lb_apply "$XR_LB_FIXTURES/dsr.yaml"

set_state()
{
	xr_cli_ok lb lb set-backend web "10.9.0.1${1#b}" --state "$2" >/dev/null
	xr_assert_eq "$(xr_lb_q "$(xr_lb_json)" "state('web', '10.9.0.1${1#b}')")" "$2" \
		"lb show: state of $1"
}

accepts()
{
	echo "$(xr_lb_accepts b1) $(xr_lb_accepts b2) $(xr_lb_accepts b3)"
}

xr_step "$CONNS long-lived connections"
xr_lb_hold_start held --dst "$XR_LB_VIP" --port 80 --conns "$CONNS" \
	--sport-base 20000 --interval 0.3

xr_step "drain b2"
set_state b2 drain
a0=$(xr_lb_accepts b2)
xr_lb_probe_avoids drain1 "30000-$((30000 + PROBES - 1))" b2 "b2 drained"
xr_assert_eq "$(xr_lb_accepts b2)" "$a0" "connections b2's server accepted"

xr_step "drain all three"
set_state b1 drain
set_state b3 drain
acc0=$(accepts)
nb0=$(xr_lb_q "$(xr_lb_json)" 'vc("web", "no_backend")')
c=$(xr_lb_probe drainall "$XR_LB_VIP" 80 31000-31029 1)
xr_log "new connections with everything drained: $c"
xr_assert_eq "$(xr_json_get "$c" 'j.get("!err", 0)')" 30 "new connections that failed"
xr_assert_eq "$(accepts)" "$acc0" "connections the servers accepted (b1 b2 b3)"
nb=$(($(xr_lb_q "$(xr_lb_json)" 'vc("web", "no_backend")') - nb0))
xr_assert_ge "$nb" 30 "no_backend drops (one SYN or more per new connection)"
xr_lb_hold_more held 2	# two more rounds of the long-lived connections, all drained

xr_step "active again"
for b in b1 b2 b3; do
	set_state "$b" active
done
c=$(xr_lb_probe active "$XR_LB_VIP" 80 "30000-$((30000 + PROBES - 1))")
xr_log "new connections, all active: $c"
xr_assert_eq "$(xr_json_get "$c" 'j.get("!err", 0)')" 0 "new connections not answered"
for b in b1 b2 b3; do
	xr_assert_ge "$(xr_json_get "$c" "j.get('$b', 0)")" 1 "new connections on $b"
done

xr_step "the long-lived connections, through all of it"
s=$(xr_lb_hold_stop held)
xr_log "clients: $s"
xr_assert_eq "$(xr_json_get "$s" 'j["connect_failed"]')" 0 "connections that failed to open"
xr_assert_ge "$(xr_json_get "$s" 'j["first"].get("b2", 0)')" 1 "long-lived connections on b2"
xr_assert_eq "$(xr_json_get "$s" 'j["broken"]')" 0 "connections broken"
xr_assert_eq "$(xr_json_get "$s" 'j["switched"]')" 0 "connections answered by more than one backend"
xr_assert_eq "$(xr_json_get "$s" 'j["answered_all"]')" "$CONNS" "connections with every message answered"
