#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Health checks: `lb watch health.yaml` (DSR VIP 10.0.0.100:80, three equal
# backends, HTTP GET /healthz every 300 ms, timeout 200 ms, fall 3, rise 2).
#
# Asserts:
# - lb watch applies the file and keeps running; all three backends are up;
# - b2's server killed: b2 is down in the maps within interval x fall +
#   timeout + MARGIN_MS of the kill, not before interval x (fall - 1) -
#   100 ms (FALL failures, not one) - timed by lb watch's own events
#   (backend-down, then "applied: health"), stamped as it prints them, and
#   `lb show --json` says down; `lb health --json` says b2 is not
#   up and marked down, b1 and b3 up; new connections (PROBES, fixed
#   source ports) are all answered, none by b2; b1 and b3 stay up;
# - b2's server restarted: b2 is up again within interval x rise + timeout +
#   MARGIN_MS (not before interval x (rise - 1) - 100 ms), and new
#   connections reach it again;
# - HTTP check, not only TCP: b2's server answers GET with 503 while still
#   accepting connections: down within the same bounds, `lb health` says
#   it is not up; 200 again: back up;
# - every backend failing: all three down, new connections fail (the
#   servers accept none from the client) and no_backend grows - a VIP with
#   no healthy backend does not keep sending new flows to them; back up;
# - lb watch follows its file: b3's weight changed in it is applied
#   (ring ~50 %) and the health marks are kept;
# - `lb watch` exits 0 on SIGTERM.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

INTERVAL_MS=300
TIMEOUT_MS=200
FALL=3
RISE=2
MARGIN_MS=${XR_LB_HC_MARGIN_MS:-1000}
PROBES=200
SPORTS=30000-$((30000 + PROBES - 1))
DOWN_MAX=$((INTERVAL_MS * FALL + TIMEOUT_MS + MARGIN_MS))
UP_MAX=$((INTERVAL_MS * RISE + TIMEOUT_MS + MARGIN_MS))
FAIL_FILE=""

xr_init lbhc
# While $XR_RUN_DIR/http-fail-bN exists, bN's server answers GET with 503.
xr_lb_setup dsr 80 --fail-file "$XR_RUN_DIR/http-fail-{b}"
FAIL_FILE="$XR_RUN_DIR/http-fail-b2"

# health_of bN: what lb show says of bN's health (up/down).
health_of()
{
	xr_lb_q "$(xr_lb_json)" "health('web', '10.9.0.1${1#b}')"
}

# wait_health bN up|down T0 MAX_MS [MIN_MS]: bN goes STATE after T0 (us,
# the moment of the cause: a kill, a file touched, a server listening),
# within MAX_MS, not before MIN_MS. Timed by the watcher's own output
# (stamped as printed, see xr_bg_stamped), not by this poll: its
# "backend-STATE" event must come MIN_MS or more after T0, and the
# "applied: health" that follows it (the maps written) less than MAX_MS
# after T0; lb show must then say STATE (polled, deadline generous). The
# time to the maps is left in WAITED_MS.
WAITED_MS=0
wait_health()
{
	local b=$1 state=$2 t0=$3 max=$4 min=${5:-0} ev ev_ms ap
	ev=$(xr_wait_stamped "$WATCH_LOG" "$t0" \
		"backend-$state vip web backend 10[.]9[.]0[.]1${b#b}:?( |\$)" 60 \
		"lb watch reports $b $state")
	ev_ms=$ev
	ap=$(xr_wait_stamped "$WATCH_LOG" $((t0 + ev * 1000)) "applied: health:" 30 \
		"lb watch applies $b $state")
	WAITED_MS=$((ev + ap))
	xr_wait_until 30 "lb show says $b is $state" health_is "$b" "$state"
	kill -0 "$WATCH_PID" 2>/dev/null || xr_fail "lb watch died: $(tail -n 5 "$WATCH_LOG")"
	xr_assert_lt "$WAITED_MS" $((max + 1)) "ms until $b is $state in the maps (bound $max ms)"
	xr_assert_ge "$ev_ms" "$min" "ms until lb watch says $b is $state (not before $min ms)"
}

health_is()
{
	[[ $(health_of "$1") == "$2" ]]
}

# listen_us bN: when bN's server last started listening (us, its log).
listen_us()
{
	awk '$1 == "ready" { t = $3 } END { print t }' "$XR_RUN_DIR/srv-$1.log"
}

# lb_health_of bN FIELD: FIELD of bN's entry in `lb health --json` (a probe
# of every backend, once).
lb_health_of()
{
	local json
	json=$(xr_cli_ok lb --json lb health)
	xr_json_get "$json" "next(e['$2'] for e in j if e['backend'] == '10.9.0.1${1#b}')"
}

xr_step "lb watch health.yaml"
WATCH_LOG="$XR_RUN_DIR/lb-watch.log"
WATCHED="$XR_RUN_DIR/lb.yaml"	# a copy: the test edits it
cp "$XR_LB_FIXTURES/health.yaml" "$WATCHED"
xr_bg_stamped lb "$WATCH_LOG" "$XR_CLI" --pin-path "$(xr_pin_path lb)" \
	lb watch "$WATCHED"
WATCH_PID=$XR_BG_PID
# watch_applied: lb show lists VIP web (no xr_fail: polled by xr_wait_until).
watch_applied()
{
	local json
	json=$(xr_cli lb --json lb show 2>/dev/null) || return 1
	"$XR_PYTHON" "$XR_LIB_DIR/lb_json.py" "$json" 'vip("web")["name"]' >/dev/null 2>&1
}
xr_wait_until 60 "lb watch applied health.yaml" watch_applied

# watch_weight ADDR W: lb show gives backend ADDR weight W.
watch_weight()
{
	local json
	json=$(xr_cli lb --json lb show 2>/dev/null) || return 1
	[[ $("$XR_PYTHON" "$XR_LIB_DIR/lb_json.py" "$json" "weight('web', '$1')" 2>/dev/null) == "$2" ]]
}
# Backends start up (no probe has failed yet); none may go down.
for b in b1 b2 b3; do
	xr_wait_until 30 "lb show says $b is up" health_is "$b" up
done
c=$(xr_lb_probe all "$XR_LB_VIP" 80 "$SPORTS")
xr_log "all up: $c"
xr_assert_eq "$(xr_json_get "$c" 'j.get("!err", 0)')" 0 "new connections not answered"

xr_step "kill b2's server"
grep -q backend-down "$WATCH_LOG" &&
	xr_fail "a backend went down before any was stopped: $(grep backend-down "$WATCH_LOG")"
t0=$(xr_now_us)
xr_lb_server_stop b2
# Not before FALL probes failed: the first may come at once, the last
# (FALL - 1) intervals later.
wait_health b2 down "$t0" "$DOWN_MAX" $((INTERVAL_MS * (FALL - 1) - 100))
xr_log "b2 down after $WAITED_MS ms (interval $INTERVAL_MS x fall $FALL + timeout $TIMEOUT_MS)"
xr_assert_eq "$(lb_health_of b2 up)" False "lb health: b2 up"
xr_assert_eq "$(lb_health_of b2 mark)" down "lb health: b2 marked"
xr_assert_eq "$(lb_health_of b1 up) $(lb_health_of b3 up)" "True True" "lb health: b1 b3 up"
xr_lb_probe_avoids nob2 "$SPORTS" b2 "b2 down"
xr_assert_eq "$(health_of b1) $(health_of b3)" "up up" "health of b1 b3"

xr_step "restart b2's server"
xr_lb_server_start b2 80 --fail-file "$FAIL_FILE"
wait_health b2 up "$(listen_us b2)" "$UP_MAX" $((INTERVAL_MS * (RISE - 1) - 100))
xr_log "b2 up after $WAITED_MS ms (interval $INTERVAL_MS x rise $RISE + timeout $TIMEOUT_MS)"
c=$(xr_lb_probe back "$XR_LB_VIP" 80 "$SPORTS")
xr_log "b2 back: $c"
xr_assert_eq "$(xr_json_get "$c" 'j.get("!err", 0)')" 0 "new connections not answered"
xr_assert_ge "$(xr_json_get "$c" 'j.get("b2", 0)')" $((PROBES / 6)) "new connections on b2 (of $PROBES)"

xr_step "HTTP 503 from b2 (TCP still accepted)"
t0=$(xr_now_us)
touch "$FAIL_FILE"
wait_health b2 down "$t0" "$DOWN_MAX" $((INTERVAL_MS * (FALL - 1) - 100))
xr_assert_eq "$(lb_health_of b2 up)" False "lb health: b2 up (HTTP 503)"
xr_log "lb health says of b2: $(lb_health_of b2 error)"
xr_lb_probe_avoids http "$SPORTS" b2 "b2 answers 503"
t0=$(xr_now_us)
rm -f "$FAIL_FILE"
wait_health b2 up "$t0" "$UP_MAX"

xr_step "every backend fails: no new flows at all"
nb0=$(xr_lb_q "$(xr_lb_json)" 'vc("web", "no_backend")')
t0=$(xr_now_us)
touch "$XR_RUN_DIR"/http-fail-b{1,2,3}
for b in b1 b2 b3; do
	wait_health "$b" down "$t0" "$DOWN_MAX"
done
c=$(xr_lb_probe alldown "$XR_LB_VIP" 80 31000-31029 1)
xr_log "new connections with every backend down: $c"
xr_assert_eq "$(xr_json_get "$c" 'j.get("!err", 0)')" 30 "new connections that failed"
# The health checker's own probes connect too: count only what came from
# the client.
acc=$(for b in b1 b2 b3; do grep -c "^accept $XR_LB_CLIENT 310" "$XR_RUN_DIR/srv-$b.log" || true; done | paste -sd ' ')
xr_assert_eq "$acc" "0 0 0" "client connections the servers accepted (b1 b2 b3)"
nb=$(($(xr_lb_q "$(xr_lb_json)" 'vc("web", "no_backend")') - nb0))
xr_assert_ge "$nb" 30 "no_backend drops"
t0=$(xr_now_us)
rm -f "$XR_RUN_DIR"/http-fail-b{1,2,3}
for b in b1 b2 b3; do
	wait_health "$b" up "$t0" "$UP_MAX"
done


xr_step "lb watch follows its file: b3's weight 1 -> 2"
sed 's/{ address: 10.9.0.13 }/{ address: 10.9.0.13, weight: 2 }/' \
	"$XR_LB_FIXTURES/health.yaml" >"$WATCHED.tmp"
mv "$WATCHED.tmp" "$WATCHED"
xr_wait_until 30 "lb watch applied the new weight" watch_weight 10.9.0.13 2
j=$(xr_lb_json)
slots=$(xr_lb_q "$j" "be('web', '10.9.0.13')['ring_slots']")
xr_assert_ge $((slots * 100)) $((49 * 65537)) "b3's ring slots (x100, ~50 % of 65537)"
xr_assert_lt $((slots * 100)) $((51 * 65537)) "b3's ring slots (x100, ~50 % of 65537)"
xr_assert_eq "$(health_of b1) $(health_of b2) $(health_of b3)" "up up up" "health after the reload"

xr_step "stop lb watch"
kill -TERM "$WATCH_PID"
deadline=$((SECONDS + 5))
while kill -0 "$WATCH_PID" 2>/dev/null; do
	((SECONDS < deadline)) || xr_fail "lb watch still running 5 s after SIGTERM"
	sleep 0.05
done
rc=0
wait "$WATCH_PID" || rc=$?
xr_assert_eq "$rc" 0 "lb watch's exit status on SIGTERM"
