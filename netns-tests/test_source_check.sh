#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The source check (kern/source_check.h), kernel against XDP: the same
# packets through R with kernel forwarding alone, then with xdp-router in
# fib mode, then in table mode (attach --lookup table + populate), must be
# delivered alike and get the same ICMP redirects (srccheck.py: the cases,
# the fences that order them, the model of the kernel's rules).
#
#   A a0 ---- ra R rb ---- b0 B       R: no default route; 10.11/24 via A,
#                 rc                  10.13/24 via C, 10.14/24 ECMP via A
#                  |                  and C, 10.15/16 via A but 10.15.1/24
#                  c0 C               via C, blackhole 10.97/24,
#                                     unreachable 10.98/24, 10.20/24 and
#                                     fd00:20::/64 via B, 10.50/24 via
#                                     10.1.0.3 and fd00:51::/64 via
#                                     fd00:1::3, fd00:52::/64 via fe80::3
#                                     (on ra)
#
# Asserts, per case (3 UDP packets from A to R's ra, sources spoofed), in
# every run: which packets arrive (at B; back at A for hairpins) is what
# the kernel's rules say, and in the XDP runs the `stats` outcome on ra
# that counted them (redirect: XDP forwarded; drop_rp_filter; pass_source,
# pass_redirect, pass_martian: the kernel decided). Cases:
# - spoofed sources with a route back through ra, only through rc, ECMP
#   through both, a longer prefix through rc than through ra, none at all,
#   a blackhole or unreachable one, under rp_filter 0/1/2/3 on conf/all and
#   on conf/ra (the kernel takes the max; 3 acts as 2), flipped between
#   phases without re-attaching, same flows (a cached answer must not
#   outlive a flip);
#   with log_martians the failures go to the kernel (it logs);
# - R's own addresses as sources (on ra, on rb) and its subnets' broadcast
#   addresses, accept_local 0/1 on conf/all or conf/ra;
# - 127/8, 239/4, 255.255.255.255, 0.0.0.0, 0/8, ::1, ff05::1, :: sources
#   (the kernel forwards 0.1.2.3 under rp_filter 0: only 0.0.0.0 is its
#   martian since Linux 5.3; XDP hands all of 0/8 to it, pass_martian);
# - hairpins (out by ra again): send_redirects on conf/all, conf/ra, both,
#   neither: the ICMP host redirect at A names the next hop, with and
#   without XDP, and none arrives when off; IPv6 (no such sysctl): a
#   redirect for an on-link destination and a link-local gateway, none for
#   a global gateway (ndisc_send_redirect() refuses it), as the kernel does.
# Then the differential: per case, the same packets delivered and the same
# redirects (gateway/target) in all three runs. In fib mode the route
# cache must have served some of the spoofed packets (status: hits).
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

xr_init srcchk
xr_need_cli
xr_topo abc

R=(ip -n "$(xr_ns r)")
MAC_A=$(xr_mac a a0)
MAC_B=$(xr_mac b b0)
MAC_C=$(xr_mac c c0)

xr_step "R: routes back, hairpin routes, permanent neighbours"
"${R[@]}" route add 10.11.0.0/24 via 10.1.0.2
"${R[@]}" route add 10.13.0.0/24 via 10.3.0.2
"${R[@]}" route add 10.14.0.0/24 nexthop via 10.1.0.2 nexthop via 10.3.0.2
"${R[@]}" route add 10.15.0.0/16 via 10.1.0.2
"${R[@]}" route add 10.15.1.0/24 via 10.3.0.2
"${R[@]}" route add blackhole 10.97.0.0/24
"${R[@]}" route add unreachable 10.98.0.0/24
"${R[@]}" route add 10.20.0.0/24 via 10.2.0.2
"${R[@]}" route add 10.50.0.0/24 via 10.1.0.3
"${R[@]}" -6 route add fd00:20::/64 via fd00:2::2
"${R[@]}" -6 route add fd00:51::/64 via fd00:1::3
"${R[@]}" -6 route add fd00:52::/64 via fe80::3 dev ra
# Every neighbour R needs, permanent: no ARP/ND during a case (the first
# packets to a new neighbour would go to the kernel in the XDP runs), and
# the hairpin sources (srccheck.py's Fresh) can receive their redirects.
batch="$XR_RUN_DIR/neigh.batch"
{
	echo "neigh replace 10.2.0.2 lladdr $MAC_B dev rb nud permanent"
	echo "neigh replace fd00:2::2 lladdr $MAC_B dev rb nud permanent"
	echo "neigh replace 10.3.0.2 lladdr $MAC_C dev rc nud permanent"
	echo "neigh replace fd00:3::2 lladdr $MAC_C dev rc nud permanent"
	for a in 10.1.0.2 10.1.0.3 $(seq -f '10.1.0.%g' 100 219) \
		fd00:1::2 fd00:1::3 fe80::3; do
		echo "neigh replace $a lladdr $MAC_A dev ra nud permanent"
	done
	for i in $(seq $((0x100)) $((0x1bf))); do
		printf 'neigh replace fd00:1::%x lladdr %s dev ra nud permanent\n' \
			"$i" "$MAC_A"
	done
} >"$batch"
"${R[@]}" -batch "$batch" || xr_fail "ip -batch $batch failed"
# The receivers drop what is not theirs without a word (forwarding off).
xr_in c ethtool -K c0 gro on >/dev/null 2>&1 || true

FAILED=()
run() # MODE SEQ
{
	local out rc=0 t0
	t0=$(date +%s.%N)
	out=$("$XR_PYTHON" "$XR_LIB_DIR/srccheck.py" run --mode "$1" --seq "$2" \
		--router "$(xr_ns r)" --a "$(xr_ns a)" --b "$(xr_ns b)" \
		--stats-cmd "ip netns exec $(xr_ns r) $XR_CLI --pin-path $(xr_pin_path r) --json stats" \
		--out "$XR_RUN_DIR/$1.json" 2>&1) || rc=$?
	printf '%s\n' "$out" | sed 's/^/    /' >&2
	if ((rc != 0)); then
		# The other runs and the differential still run: the whole
		# picture, then the failure.
		FAILED+=("$1 run: cases against the kernel's rules failed")
		xr_log "FAILED: source check cases, $1 (FAIL lines above)"
		return 0
	fi
	xr_log "ok: $1: $(xr_json_get "$(tail -n 1 <<<"$out")" 'j["cases"]') cases as the kernel's rules say ($(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }') s)"
}

xr_step "kernel forwarding alone (no XDP program)"
for i in ra rb rc; do
	xr_assert_eq "$(xr_xdp_prog_id r "$i")" "" "no XDP program on $i"
done
run kernel 0

xr_step "xdp-router, fib mode"
xr_cli_ok r attach ra rb rc >/dev/null
run fib 1
hits=$(xr_json_get "$(xr_cli_ok r --json status)" "j[0]['route_cache']['hits']")
xr_log "route cache hits: $hits"
xr_assert_ge "$hits" 1 "route cache hits during the fib run"
xr_cli_ok r detach --all >/dev/null

xr_step "xdp-router, table mode"
xr_cli_ok r attach --lookup table ra rb rc >/dev/null
xr_populate r >/dev/null
run table 2

xr_step "the differential: kernel = fib = table"
out=$("$XR_PYTHON" "$XR_LIB_DIR/srccheck.py" compare \
	"$XR_RUN_DIR/kernel.json" "$XR_RUN_DIR/fib.json" \
	"$XR_RUN_DIR/table.json" 2>&1) || FAILED+=("kernel vs XDP:"$'\n'"$out")
((${#FAILED[@]} == 0)) || xr_fail "$(printf '%s\n' "${FAILED[@]}")"
xr_log "ok: $out"
