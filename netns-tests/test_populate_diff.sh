#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Differential test of the table lookup mode: the router R gets a rich
# routing table, is attached with `--lookup table` and populated; thousands
# of packets then go through the pinned program AND through a fib-mode
# instance of the same object (BPF_PROG_TEST_RUN, xrt_fibdiff), and both
# must decide the same: same XDP action, same output frame. See fibdiff.py.
#
#   A a0 -- ra       rb -- b0 B    10.2.0.0/24  fd00:2::/64
#   (ingress) R      rc -- c0 C    10.3.0.0/24  fd00:3::/64
#                    rd -- d0 D    10.4.0.0/24  fd00:4::/64  MTU 1280
#                    rx -- x0 X    10.5.0.0/24  fd00:5::/64  not attached
#
# R's table, v4 and v6: connected subnets, a default route, nested prefixes
# (/8 /16 /24 /32 and random nestings), host routes, weighted ECMP (multipath
# routes and nexthop-object groups), blackhole, unreachable, prohibit, mtu
# metrics (also locked), on-link routes (dev only, and `onlink` gateways),
# unresolved gateways, an IPv6 gateway for IPv4 prefixes (RFC 5549), the same
# prefix at two metrics, routes via an interface the router is not attached
# to, plus XR_ROUTES (300) random v4 and half as many v6 routes. Gateways
# are permanent neighbours (the fake ones need no host).
#
# Asserts: populate succeeds; status says lookup "table"; the pinned program
# is the table-mode one; for every destination compared (prefix edges: first
# and last address, just outside; the router's own and broadcast addresses;
# gateways; neighbours; random) table mode == fib mode (action and bytes); for
# ECMP routes: one of the route's members; the table's ECMP picks follow the
# weights (+-12 % over 400 flows); a sample agrees with `ip route get ... iif
# ra`. A neighbour MAC corrupted in the map (bpftool) is caught (the test can
# fail), and populate repairs it. Then the table changes (routes deleted,
# replaced, added; nexthop group and neighbours changed and deleted),
# populate runs again, the maps mirror the kernel's table, and the comparison
# runs again; and again with rd's carrier down (nexthops "linkdown", still
# used by the kernel), and with forwarding off on ra (v4 and v6: nothing
# redirected).
#
#   XR_SEED=N   another random table and other destinations (default 1)
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

SEED=${XR_SEED:-1}
ROUTES=${XR_ROUTES:-300}
MIN_COMPARED=3000

xr_init pdiff
xr_need_cli
xr_need_cli_feature attach --lookup
xr_need_cli_feature populate --watch
xr_log "seed $SEED (XR_SEED=$SEED reproduces this table and these packets)"

xr_step "topology: R with ra rb rc rd rx, hosts A B C D X"
xr_router_ns r
i=0
for h in a b c d x; do
	i=$((i + 1))
	xr_host "$h" "$i"
done
ip -n "$(xr_ns r)" link set rd mtu 1280
ip -n "$(xr_ns d)" link set d0 mtu 1280

R=(ip -n "$(xr_ns r)")
# A permanent neighbour IP on IF of router R, MAC derived from the address.
nb()
{
	local mac
	mac=$(printf '%s' "$1" | md5sum | sed 's/^\(..\)\(..\)\(..\)\(..\)\(..\).*/02:\1:\2:\3:\4:\5/')
	"${R[@]}" neigh replace "$1" lladdr "$mac" dev "$2" nud permanent
}

xr_step "neighbours: gateways resolved (permanent) and unresolved"
nb 10.2.0.2 rb; nb 10.2.0.3 rb; nb 10.2.0.4 rb
nb 10.3.0.2 rc; nb 10.3.0.3 rc; nb 10.3.0.4 rc
nb 10.4.0.2 rd; nb 10.4.0.4 rd
nb 10.5.0.2 rx
nb 10.60.0.5 rb; nb 10.60.0.6 rb; nb 192.0.2.1 rc
nb fd00:2::2 rb; nb fd00:2::3 rb; nb fd00:2::4 rb
nb fd00:3::2 rc; nb fd00:3::3 rc; nb fd00:3::4 rc
nb fd00:4::2 rd; nb fd00:5::2 rx; nb fe80::2 rb
nb 2001:db8:a::5 rc; nb 2001:db8:a::6 rc
# unresolved: 10.2.0.99 10.3.0.99 fd00:2::99 fd00:3::99 (no entry)

xr_step "hand-made routes"
"${R[@]}" -batch - <<'EOF' || xr_fail "cannot add the hand-made routes"
route add default via 10.2.0.2
route add 10.0.0.0/8 via 10.3.0.2
route add 10.20.0.0/16 via 10.4.0.2
route add 10.20.30.0/24 via 10.2.0.3
route add 10.20.30.40/32 via 10.3.0.3
route add blackhole 10.20.30.41/32
route add unreachable 10.20.31.0/24
route add prohibit 10.20.32.0/24
route add 10.30.0.0/16 nexthop via 10.2.0.2 weight 1 nexthop via 10.3.0.2 weight 3
route add 10.30.5.0/24 via 10.4.0.2
route add 10.31.0.0/16 nexthop via 10.2.0.2 nexthop via 10.3.0.2 nexthop via 10.4.0.2
nexthop add id 11 via 10.2.0.4 dev rb
nexthop add id 12 via 10.4.0.4 dev rd
nexthop add id 13 via 10.3.0.4 dev rc
nexthop add id 20 group 11,2/12/13,3
route add 10.40.0.0/16 nhid 20
route add 10.41.0.0/16 nhid 12
route add 10.50.0.0/16 via 10.2.0.2 mtu 1300
route add 10.50.128.0/17 via 10.3.0.2 mtu lock 1400
route add 10.51.0.0/16 via 10.4.0.2 mtu 1400
route add 10.60.0.0/24 dev rb
route add 10.61.0.0/24 via 192.0.2.1 dev rc onlink
route add 10.70.0.0/16 via 10.3.0.99
route add 10.71.0.0/16 via 10.2.0.99
route add 10.80.0.0/16 via 10.5.0.2
route add 10.90.0.0/16 via 10.2.0.2 metric 100
route add 10.90.0.0/16 via 10.3.0.2 metric 50
route add 10.95.0.0/16 via inet6 fe80::2 dev rb
route add 10.96.0.0/16 via inet6 fd00:3::2 dev rc
route add 128.0.0.0/1 via 10.4.0.2
route add unreachable 192.168.0.0/16
route add blackhole 172.16.0.0/12
route add 1.1.1.1/32 via 10.3.0.2
route add 255.255.255.254/32 via 10.3.0.3
route add default via fd00:2::2
route add 2001:db8::/32 via fd00:3::2
route add 2001:db8:1::/48 via fd00:4::2
route add 2001:db8:1:2::/64 via fd00:2::3
route add 2001:db8:1:2::1/128 via fd00:3::3
route add blackhole 2001:db8:dead::/48
route add unreachable 2001:db8:beef::/48
route add prohibit 2001:db8:cafe::/48
route add 2001:db8:e::/48 nexthop via fd00:2::2 weight 2 nexthop via fd00:3::2 weight 1
route add 2001:db8:e:1::/64 via fd00:4::2
route add 2001:db8:f::/48 via fd00:2::2 mtu 1350
route add 2001:db8:f:1::/64 via fd00:4::2 mtu 1300
route add 2001:db8:a::/64 dev rc
route add 2001:db8:b::/48 via fd00:3::99
route add 2001:db8:c::/48 via fd00:5::2
route add 2001:db8:d::/48 via fd00:2::2 metric 300
route add 2001:db8:d::/48 via fd00:3::2 metric 200
nexthop add id 31 via fd00:2::4 dev rb
nexthop add id 32 via fd00:3::4 dev rc
nexthop add id 40 group 31/32,4
route add 2001:db8:40::/48 nhid 40
route add 4000::/2 via fd00:4::2
route add ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128 via fd00:3::3
EOF

xr_step "$ROUTES random v4 routes, $((ROUTES / 2)) v6 (seed $SEED)"
"$XR_PYTHON" "$XR_LIB_DIR/fibdiff.py" routes --seed "$SEED" --count "$ROUTES" \
	--resolved4 10.2.0.2 10.2.0.3 10.3.0.2 10.3.0.3 10.4.0.2 10.5.0.2 \
	--unresolved4 10.2.0.99 10.3.0.99 \
	--resolved6 fd00:2::2 fd00:2::3 fd00:3::2 fd00:3::3 fd00:4::2 fd00:5::2 \
	--unresolved6 fd00:2::99 fd00:3::99 >"$XR_RUN_DIR/routes.batch" ||
	xr_fail "fibdiff.py routes failed"
# -force: a random prefix may equal a hand-made one ("File exists")
"${R[@]}" -force -batch "$XR_RUN_DIR/routes.batch" 2>/dev/null || true
xr_log "kernel: $("${R[@]}" -4 route show | wc -l) v4 and $("${R[@]}" -6 route show | wc -l) v6 routes in main"

xr_step "attach --lookup table to ra rb rc rd (not rx), populate"
xr_cli_ok r attach --lookup table ra rb rc rd
lookups=$(xr_cli_ok r --json status | "$XR_PYTHON" -c '
import json, sys
print(" ".join(sorted({str(e.get("lookup")) for e in json.load(sys.stdin)})))')
xr_assert_eq "$lookups" table "status --json: lookup of every interface"
t0=$(xr_ms)
xr_populate r >/dev/null
xr_log "populate took $(($(xr_ms) - t0)) ms"
xr_wait_maps_match r 0
xr_log "ok: route maps hold exactly the kernel's prefixes"

ATTACHED=ra,rb,rc,rd
COMMON=(--ingress ra --attached "$ATTACHED" --src4 10.1.0.2 --src6 fd00:1::2
	--expect-table)

xr_step "compare table mode with fib mode"
t0=$(xr_ms)
res=$(xr_fibdiff r "${COMMON[@]}" --seed "$SEED" --weights 10.30.0.0/16 \
	10.31.0.0/16 10.40.0.0/16 2001:db8:e::/48 2001:db8:40::/48)
n1=$(xr_json_get "$res" 'j["compared"]')
xr_log "compared $n1 destinations in $(($(xr_ms) - t0)) ms: $res"
xr_assert_ge "$n1" "$MIN_COMPARED" "destinations compared"
xr_assert_ge "$(xr_json_get "$res" 'j.get("ecmp", 0)')" 500 "ECMP destinations compared"
xr_assert_eq "$(xr_json_get "$res" 'j.get("ecmp_weight_checked", 0)')" 5 "ECMP routes whose weights were checked"
xr_assert_ge "$(xr_json_get "$res" 'j.get("route_get", 0)')" 200 "destinations checked with ip route get"
for a in REDIRECT PASS DROP; do
	xr_assert_ge "$(xr_json_get "$res" "j.get('$a', 0)")" 50 "table-mode decisions $a"
done

xr_step "sensitivity: a corrupted map entry is caught; populate repairs it"
# xr_neigh key: ifindex (host order), family, 3 pad bytes, address (16).
bad_mac=02:de:ad:be:ef:00
ifx=$(xr_ifindex r rb)
key=$(printf '%02x %02x %02x %02x 02 00 00 00 0a 02 00 02' $((ifx & 255)) \
	$((ifx >> 8 & 255)) $((ifx >> 16 & 255)) $((ifx >> 24)))
key="$key$(printf ' 00%.0s' {1..12})"
neigh_pin="$(xr_pin_path r)/xr_neigh"
# shellcheck disable=SC2086  # hex bytes as separate words
bpftool map lookup pinned "$neigh_pin" key hex $key >/dev/null ||
	xr_fail "no xr_neigh entry for 10.2.0.2 on rb (key $key)"
# shellcheck disable=SC2086
bpftool map update pinned "$neigh_pin" key hex $key value hex ${bad_mac//:/ } 00 00 ||
	xr_fail "cannot corrupt the xr_neigh entry"
QUICK=(--random4 300 --random6 0 --route-get 0 --count-mac "$bad_mac")
rc=0
out=$(xr_in r "$XR_PYTHON" "$XR_LIB_DIR/fibdiff.py" compare --helper "$XR_FIBDIFF" \
	--obj "$XR_BPF_OBJ" --pin "$(xr_pin_path r)" "${COMMON[@]}" "${QUICK[@]}" 2>&1) || rc=$?
xr_assert_ne "$rc" 0 "fibdiff exit status with a corrupted neighbour MAC"
xr_assert_ge "$(xr_json_get "$(tail -n 1 <<<"$out")" 'j.get("count_mac", 0)')" 10 \
	"table-mode redirects to the corrupted MAC"
xr_assert_eq "$(xr_json_get "$(tail -n 1 <<<"$out")" 'j["failures"] >= j["count_mac"]')" \
	True "every redirect to the corrupted MAC reported as a mismatch"
xr_populate r >/dev/null
out=$(xr_in r "$XR_PYTHON" "$XR_LIB_DIR/fibdiff.py" compare --helper "$XR_FIBDIFF" \
	--obj "$XR_BPF_OBJ" --pin "$(xr_pin_path r)" "${COMMON[@]}" "${QUICK[@]}" 2>&1) || true
xr_assert_eq "$(xr_json_get "$(tail -n 1 <<<"$out")" 'j.get("count_mac", 0)')" 0 \
	"redirects to the corrupted MAC after populate ran again"

xr_step "change the table: delete, replace, add routes; change neighbours"
"$XR_PYTHON" - "$XR_RUN_DIR/routes.batch" "$SEED" >"$XR_RUN_DIR/change.batch" <<'PY'
import random, sys
rng = random.Random(int(sys.argv[2]) + 1000)
lines = [l.split() for l in open(sys.argv[1]) if l.strip()]
out = []
for l in rng.sample(lines, len(lines) // 5):
    # "route add [TYPE] PREFIX ..." -> delete PREFIX (any route of it)
    pfx = l[3] if l[2] in ("blackhole", "unreachable", "prohibit") else l[2]
    out.append(f"route del {pfx}")
print("\n".join(out))
PY
"${R[@]}" -force -batch "$XR_RUN_DIR/change.batch" 2>/dev/null || true
"${R[@]}" -batch - <<'EOF' || xr_fail "cannot change the table"
route replace 10.20.0.0/16 via 10.3.0.3
route del 10.20.30.40/32
route replace 10.30.0.0/16 nexthop via 10.2.0.3 weight 5 nexthop via 10.4.0.2 weight 1
route del 10.90.0.0/16 via 10.3.0.2 metric 50
route replace unreachable 10.50.0.0/16
route add 10.110.0.0/16 via 10.4.0.2
route add blackhole 10.110.1.0/24
route replace 2001:db8:1::/48 via fd00:2::3
route del 2001:db8:e::/48
route add 2001:db8:110::/48 via fd00:3::3
route del default via fd00:2::2
nexthop replace id 20 group 11/13
neigh replace 10.3.0.3 lladdr 02:00:00:00:33:33 dev rc nud permanent
neigh del 10.4.0.4 dev rd
neigh del fd00:3::3 dev rc
EOF
"$XR_PYTHON" "$XR_LIB_DIR/fibdiff.py" routes --seed $((SEED + 7)) --count 50 \
	--resolved4 10.2.0.2 10.3.0.3 10.4.0.2 --unresolved4 10.3.0.99 \
	--resolved6 fd00:2::2 fd00:4::2 --unresolved6 fd00:3::99 |
	"${R[@]}" -force -batch - 2>/dev/null || true

xr_step "populate again: the maps converge to the new table"
xr_populate r >/dev/null
xr_wait_maps_match r 0
xr_log "ok: route maps hold exactly the kernel's prefixes"
res=$(xr_fibdiff r "${COMMON[@]}" --seed $((SEED + 1)) --random4 500 --random6 300 \
	--weights 10.30.0.0/16 10.40.0.0/16 2001:db8:40::/48)
n2=$(xr_json_get "$res" 'j["compared"]')
xr_log "compared $n2 destinations: $res"
xr_assert_ge "$n2" 2000 "destinations compared after the change"

xr_step "edges of interface state: carrier down on rd, forwarding off on ra"
QUICK=(--random4 300 --random6 200 --route-get 100)
ip -n "$(xr_ns d)" link set d0 down	# rd: carrier down, nexthops "linkdown"
xr_wait_until 30 "rd without carrier" xr_not xr_in r grep -qx 1 /sys/class/net/rd/carrier
xr_populate r >/dev/null
res=$(xr_fibdiff r "${COMMON[@]}" --seed $((SEED + 2)) "${QUICK[@]}")
n3=$(xr_json_get "$res" 'j["compared"]')
xr_log "carrier down on rd: compared $n3 destinations"
ip -n "$(xr_ns d)" link set d0 up
xr_in r sysctl -qw net.ipv4.conf.ra.forwarding=0 net.ipv6.conf.ra.forwarding=0
xr_populate r >/dev/null
# No `ip route get` here: for IPv6 it ignores the per-interface switch (the
# kernel's ip6_forward() only looks at conf.all), bpf_fib_lookup() does not.
res=$(xr_fibdiff r "${COMMON[@]}" --seed $((SEED + 3)) "${QUICK[@]}" --route-get 0)
n4=$(xr_json_get "$res" 'j["compared"]')
xr_assert_eq "$(xr_json_get "$res" 'j.get("REDIRECT", 0)')" 0 \
	"table-mode redirects of packets arriving on ra with forwarding off"
xr_in r sysctl -qw net.ipv4.conf.ra.forwarding=1 net.ipv6.conf.ra.forwarding=1
xr_log "total: $((n1 + n2 + n3 + n4)) destinations compared, table mode == kernel"
