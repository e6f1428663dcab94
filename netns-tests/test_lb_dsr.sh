#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The load balancer in DSR mode with hundreds of real TCP connections (the
# one-legged topology of xr_lb_topo: client A - GW - segment with LB and
# backends b1-b3; VIP 10.0.0.100:80, weights 1:2:1, netns-tests/lb/dsr.yaml).
#
# Asserts:
# - `lb show --json` lists the VIP and its three backends with the file's
#   weights, all active, and their Maglev ring slots follow the weights
#   (+-1 % of the ring);
# - CONNS connections from fixed source ports, each sending one line every
#   0.5 s for ROUNDS rounds (counted, however long they take): every
#   connection opens, every message is answered, and
#   each connection is answered by one backend throughout its life;
# - the backends see the client's real address and the VIP as their local
#   address (DSR: IP untouched, the VIP on their loopback);
# - the spread follows the weights: each backend's share of connections is
#   within SPREAD_TOL percentage points of its weight share (25/50/25);
# - counters: conn misses grew by about one per connection (>= CONNS,
#   <= CONNS + 5 %), hits by at least one per message sent after the
#   handshake, VIP packets = hits + misses, the backends' packets add up to
#   the VIP's, and each backend's share of packets follows its connections;
# - the VIP traffic went through XDP, not the LB's kernel (its
#   ForwDatagrams grew by less than 10).
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

CONNS=${XR_LB_CONNS:-400}
ROUNDS=6
SPREAD_TOL=${XR_LB_SPREAD_TOL:-8}	# percentage points

xr_init lbdsr
xr_lb_setup dsr

xr_step "lb apply dsr.yaml; lb show"
xr_lb_apply "$XR_LB_FIXTURES/dsr.yaml"
j=$(xr_lb_json)
xr_assert_eq "$(xr_lb_q "$j" 'len(vips())')" 1 "VIPs in lb show"
xr_assert_eq "$(xr_lb_q "$j" 'vip("web")["address"]')" "$XR_LB_VIP" "VIP web's address"
xr_assert_eq "$(xr_lb_q "$j" 'vip("web")["mode"]')" dsr "VIP web's mode"
xr_assert_eq "$(xr_lb_q "$j" 'len(bes("web"))')" 3 "backends of web"
i=0
for w in 1 2 1; do
	i=$((i + 1))
	xr_assert_eq "$(xr_lb_q "$j" "weight('web', '10.9.0.1$i')")" "$w" "weight of b$i"
	xr_assert_eq "$(xr_lb_q "$j" "state('web', '10.9.0.1$i')")" active "state of b$i"
done
# The Maglev ring itself: slots per backend follow the weights (+-1 %).
for pair in "1 25" "2 50" "3 25"; do
	read -r i want <<<"$pair"
	slots=$(xr_lb_q "$j" "be('web', '10.9.0.1$i')['ring_slots']")
	xr_assert_ge $((slots * 100)) $(((want - 1) * 65537)) "b$i's ring slots (x100, >= $((want - 1)) % of 65537)"
	xr_assert_lt $((slots * 100)) $(((want + 1) * 65537)) "b$i's ring slots (x100, < $((want + 1)) % of 65537)"
done
miss0=$(xr_lb_q "$j" 'vc("web", "conn_miss")')
hit0=$(xr_lb_q "$j" 'vc("web", "conn_hit")')
pk0=$(xr_lb_q "$j" 'vc("web", "packets")')
fwd0=$(xr_kernel_fwd lb)

xr_step "$CONNS connections, one line every 0.5 s each, $ROUNDS rounds"
xr_lb_hold_start all --dst "$XR_LB_VIP" --port 80 --conns "$CONNS" \
	--sport-base 20000 --interval 0.5
xr_lb_hold_wait all "$ROUNDS"
xr_lb_hold_intact all "$CONNS"
s=$XR_LB_SUMMARY
rounds=$(xr_json_get "$s" 'j["rounds"]')
xr_assert_ge "$rounds" "$ROUNDS" "rounds of messages"

xr_step "the backends saw the client's address and the VIP"
bad=$("$XR_PYTHON" -c '
import json, sys
rep, client, vip = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
bad = [c for c in rep["conns"]
       if c["peer"] != f"{client}:{c['"'"'sport'"'"']}" or c["local"] != f"{vip}:80"]
print(len(bad), bad[:2] if bad else "")' "$XR_RUN_DIR/hold-all.json" \
	"$XR_LB_CLIENT" "$XR_LB_VIP")
xr_assert_eq "$bad" "0 " "connections whose backend saw another peer or local address"

xr_step "spread follows the weights 1:2:1 (+-$SPREAD_TOL points)"
first=$(xr_json_get "$s" 'j["first"]')
for pair in "b1 25" "b2 50" "b3 25"; do
	read -r b want <<<"$pair"
	share=$(xr_lb_share "$first" "$b")
	xr_log "$b: $(xr_json_get "$first" "j.get('$b', 0)") connections, $share % (weight share $want %)"
	xr_assert_ge "$share" $((want - SPREAD_TOL)) "$b's share of connections (%)"
	xr_assert_lt "$share" $((want + SPREAD_TOL + 1)) "$b's share of connections (%)"
done

xr_step "counters"
j=$(xr_lb_json_settled)	# the clients' closing RSTs counted
miss=$(($(xr_lb_q "$j" 'vc("web", "conn_miss")') - miss0))
hit=$(($(xr_lb_q "$j" 'vc("web", "conn_hit")') - hit0))
pk=$(($(xr_lb_q "$j" 'vc("web", "packets")') - pk0))
xr_log "conn misses +$miss, hits +$hit, VIP packets +$pk"
xr_lb_assert_misses "$miss" "$CONNS"
# After its SYN each connection sends the handshake's ACK and one segment
# per message: all hits.
xr_assert_ge "$hit" $((CONNS * (rounds + 1))) "conn hits (every later packet)"
xr_assert_eq "$pk" $((hit + miss)) "VIP packets = hits + misses"
bsum=0
for i in 1 2 3; do
	bp=$(xr_lb_q "$j" "bc('web', '10.9.0.1$i', 'packets')")
	bsum=$((bsum + bp))
	conns=$(xr_json_get "$first" "j.get('b$i', 0)")
	# Packets per connection are the same on every backend (+-20 %).
	xr_assert_ge $((bp * CONNS * 10)) $((pk * conns * 8)) "b$i's packets follow its connections"
	xr_assert_lt $((bp * CONNS * 10)) $((pk * conns * 12)) "b$i's packets follow its connections"
done
xr_assert_eq "$bsum" "$pk" "backends' packets add up to the VIP's"
fwd=$(($(xr_kernel_fwd lb) - fwd0))
xr_assert_lt "$fwd" 10 "packets the LB's kernel forwarded meanwhile"
