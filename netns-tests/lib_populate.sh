# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# netns-tests/lib_populate.sh - populate / table mode helpers (harness).
# Sourced by lib.sh (tests source only lib.sh); uses its core helpers.

# ---------------------------------------------------------------- populate, table mode
#
# For the populate tests (test_populate_*.sh):
#   XR_FIBDIFF  the xrt_fibdiff helper (default: beside XR_CLI, netns-tests/)
#   XR_BPF_OBJ  the router's BPF object (default: kern/xdp_router.bpf.o in
#               XR_CLI's build tree)

XR_FIBDIFF=${XR_FIBDIFF:-${XR_CLI%/*}/netns-tests/xrt_fibdiff}
XR_BPF_OBJ=${XR_BPF_OBJ:-${XR_CLI%/*}/kern/xdp_router.bpf.o}
XR_WATCH_PID=""		# the `populate --watch` of xr_watch_start
XR_WATCH_LOG=""

# xr_need_cli_feature CMD OPTION: the CLI's `CMD --help` mentions OPTION
# (e.g. "populate" "--watch"); fail with one clear line if it does not.
xr_need_cli_feature()
{
	local help
	help=$("$XR_CLI" "$1" --help 2>&1) || true
	grep -q -e "$2" <<<"$help" ||
		xr_fail "this xdp-router has no '$1 $2' (its help: $(head -n 1 <<<"$help"))"
}

# xr_populate NS ARGS...: one-shot `populate` (must succeed); the summary is
# logged and left on stdout.
xr_populate()
{
	local ns=$1 out
	shift
	out=$(xr_cli_ok "$ns" populate "$@")
	printf '%s\n' "$out" | sed 's/^/    populate: /' >&2
	printf '%s\n' "$out"
}

# xr_watch_start NS READY_PREFIX [-v] ARGS...: `[-v] populate --watch ARGS`
# in router NS in the background (output in XR_WATCH_LOG, pid in
# XR_WATCH_PID); returns once the maps hold READY_PREFIX (its first sync is
# done), fails after 10 s or if it exits. With XR_WATCH_STAMP=1 its log
# lines are stamped (xr_bg_stamped), for xr_watch_converged.
xr_watch_start()
{
	local ns=$1 ready=$2 deadline global=()
	shift 2
	if [[ ${1:-} == -v ]]; then
		global=(-v)
		shift
	fi
	XR_WATCH_LOG="$XR_RUN_DIR/watch-$ns.log"
	if [[ ${XR_WATCH_STAMP:-0} == 1 ]]; then
		xr_bg_stamped "$ns" "$XR_WATCH_LOG" "$XR_CLI" --pin-path \
			"$(xr_pin_path "$ns")" "${global[@]}" populate --watch "$@"
	else
		xr_bg "$ns" "$XR_CLI" --pin-path "$(xr_pin_path "$ns")" \
			"${global[@]}" populate --watch "$@" >"$XR_WATCH_LOG" 2>&1
	fi
	XR_WATCH_PID=$XR_BG_PID
	deadline=$(($(date +%s%N) + 10000000000))
	until xr_map_has_prefix "$ns" "$ready"; do
		kill -0 "$XR_WATCH_PID" 2>/dev/null ||
			xr_fail "populate --watch exited at start: $(tail -n 5 "$XR_WATCH_LOG")"
		(($(date +%s%N) < deadline)) ||
			xr_fail "populate --watch: $ready not in the maps after 10 s"
		sleep 0.05
	done
	xr_log "populate --watch running (pid $XR_WATCH_PID), maps synced"
}

# xr_watch_alive: the watcher of xr_watch_start still runs.
xr_watch_alive()
{
	kill -0 "$XR_WATCH_PID" 2>/dev/null ||
		xr_fail "populate --watch died: $(tail -n 5 "$XR_WATCH_LOG")"
	xr_log "ok: populate --watch still running"
}

# xr_watch_stop [SIGNAL]: stop the watcher (default SIGTERM); it must exit 0
# within 5 s.
xr_watch_stop()
{
	local sig=${1:-TERM} rc=0 deadline
	xr_watch_alive
	kill -s "$sig" "$XR_WATCH_PID"
	deadline=$((SECONDS + 5))
	while kill -0 "$XR_WATCH_PID" 2>/dev/null; do
		((SECONDS < deadline)) ||
			xr_fail "populate --watch still running 5 s after SIG$sig"
		sleep 0.05
	done
	wait "$XR_WATCH_PID" || rc=$?
	((rc == 0)) || xr_fail "populate --watch exited $rc on SIG$sig: $(tail -n 5 "$XR_WATCH_LOG")"
	xr_log "ok: populate --watch exited 0 on SIG$sig"
}

# xr_map_prefixes NS 4|6: the prefixes in xr_routes_v4/v6, sorted, one per
# line, in `ip route` notation (10.0.0.0/8, 2001:db8::/32).
xr_map_prefixes()
{
	local map=xr_routes_v4
	[[ $2 == 6 ]] && map=xr_routes_v6
	bpftool -j map dump pinned "$(xr_pin_path "$1")/$map" 2>/dev/null |
		"$XR_PYTHON" -c '
import ipaddress, json, sys
out = []
for e in json.load(sys.stdin):
    k = bytes(int(b, 16) for b in e["key"])
    plen = int.from_bytes(k[:4], "little")
    out.append(str(ipaddress.ip_network((k[4:], plen), strict=False)))
print("\n".join(sorted(out)))'
}

# xr_kernel_prefixes NS 4|6 [TABLE]: the kernel's prefixes in TABLE (main),
# as xr_map_prefixes prints them (IPv6 link-local routes left out).
xr_kernel_prefixes()
{
	ip -n "$(xr_ns "$1")" -j "-$2" route show table "${3:-main}" |
		"$XR_PYTHON" -c '
import ipaddress, json, sys
out = set()
for r in json.load(sys.stdin):
    d = r["dst"]
    if d == "default":
        d = "0.0.0.0/0" if sys.argv[1] == "4" else "::/0"
    n = ipaddress.ip_network(d, strict=False)
    if not n.is_link_local:
        out.add(str(n))
print("\n".join(sorted(out)))' "$2"
}

# xr_map_has_prefix NS PREFIX: PREFIX (exactly) is in the routes map.
xr_map_has_prefix()
{
	local fam=4
	[[ $2 == *:* ]] && fam=6
	xr_map_prefixes "$1" "$fam" | grep -xF -- "$2" >/dev/null
}

# xr_maps_match_kernel NS 4|6 [TABLE]: the routes map mirrors TABLE (main):
# it holds every prefix of TABLE and nothing else but prefixes of the local
# table (which populate may mirror too: local addresses, broadcasts).
# IPv6 link-local prefixes are left out of the comparison. On mismatch,
# XR_MAP_DIFF says what is missing and what is extra.
XR_MAP_DIFF=""
xr_maps_match_kernel()
{
	local d="$XR_RUN_DIR/maps-match"
	if ! xr_kernel_prefixes "$1" "$2" "${3:-main}" >"$d.want" ||
		! xr_kernel_prefixes "$1" "$2" local >"$d.local" ||
		! xr_map_prefixes "$1" "$2" >"$d.have"; then
		xr_fail "cannot read the kernel's or the map's IPv$2 prefixes"
	fi
	XR_MAP_DIFF=$("$XR_PYTHON" -c '
import ipaddress, sys
want, local, have = (set(open(f).read().split()) for f in sys.argv[1:4])
have = {p for p in have if not ipaddress.ip_network(p).is_link_local}
missing, extra = sorted(want - have), sorted(have - want - local)
if missing or extra:
    print("missing from the map:", " ".join(missing[:10]) or "-",
          f"({len(missing)}); extra in the map:", " ".join(extra[:10]) or "-",
          f"({len(extra)})")
' "$d.want" "$d.local" "$d.have") || xr_fail "cannot compare the prefixes"
	[[ -z $XR_MAP_DIFF ]]
}

# xr_wait_maps_match NS SECONDS [TABLE]: v4 and v6 route maps mirror TABLE
# (main; see xr_maps_match_kernel) within SECONDS, else the test fails.
xr_wait_maps_match()
{
	local ns=$1 table=${3:-main} deadline fam
	deadline=$(($(date +%s%N) + $2 * 1000000000))
	until xr_maps_match_kernel "$ns" 4 "$table" &&
		xr_maps_match_kernel "$ns" 6 "$table"; do
		if (($(date +%s%N) >= deadline)); then
			for fam in 4 6; do
				xr_maps_match_kernel "$ns" "$fam" "$table" ||
					xr_log "IPv$fam: $XR_MAP_DIFF"
			done
			xr_fail "route maps do not mirror table $table after $2 s"
		fi
		sleep 0.1
	done
}

# xr_watch_converged T0 MAX_MS DESC CHECK...: after a change made at T0
# (us, xr_now_us), CHECK (e.g. xr_wait_maps_match's test) passes - polled,
# with a deadline only for a hang - and populate --watch (started with
# XR_WATCH_STAMP=1) wrote it in time: its last report of a change after T0
# was printed less than MAX_MS after T0. The report follows the write at
# once, so this is when the maps got there, not when a poll of bpftool
# and Python noticed.
xr_watch_converged()
{
	local t0=$1 max=$2 desc=$3 t deadline
	shift 3
	xr_wait_until 60 "$desc" "$@"
	deadline=$((SECONDS + 30))
	until t=$(xr_watch_last_change "$t0") && [[ -n $t ]]; do
		((SECONDS < deadline)) ||
			xr_fail "$desc: populate --watch reported no change after it"
		sleep 0.05
	done
	xr_assert_lt $(((t - t0) / 1000)) $((max + 1)) \
		"ms until populate --watch wrote it: $desc (bound $max ms)"
}

# xr_watch_last_change T0: the stamp (us) of the watcher's last report of a
# change (routes, nexthops, groups or neighbours) after T0.
xr_watch_last_change()
{
	awk -v t0="$1" '
		$1 > t0 {
			l = $0
			sub(/^[0-9]+ /, "", l)
			if (l !~ /^  routes [+]/)
				next
			sub(/, interfaces.*/, "", l)
			if (l ~ /[-+~][1-9]/)
				last = $1
		}
		END { print last }' "$XR_WATCH_LOG"
}

# xr_maps_match NS [TABLE]: v4 and v6 route maps mirror TABLE (main).
xr_maps_match()
{
	xr_maps_match_kernel "$1" 4 "${2:-main}" && xr_maps_match_kernel "$1" 6 "${2:-main}"
}

# xr_maps_snapshot NS: every table-mode map's content (routes, nexthops,
# ECMP groups, neighbours; empty array slots left out), canonical, on stdout.
xr_maps_snapshot()
{
	local pin map
	pin=$(xr_pin_path "$1")
	for map in xr_routes_v4 xr_routes_v6 xr_nexthops xr_nh_groups xr_neigh; do
		echo "== $map"
		bpftool -j map dump pinned "$pin/$map" | "$XR_PYTHON" -c '
import json, sys
rows = []
for e in json.load(sys.stdin):
    v = "".join(b[2:] for b in e["value"])
    if sys.argv[1] in ("xr_nexthops", "xr_nh_groups") and not int(v, 16):
        continue
    rows.append("".join(b[2:] for b in e["key"]) + " " + v)
print("\n".join(sorted(rows)))' "$map" || xr_fail "cannot dump $map"
	done
}

# xr_fibdiff NS ARGS...: netns-tests/fibdiff.py compare in router NS with
# its pinned program (see fibdiff.py); its JSON summary is left on stdout.
xr_fibdiff()
{
	local ns=$1 out rc=0
	shift
	[[ -x $XR_FIBDIFF ]] || xr_fail "XR_FIBDIFF not executable: '$XR_FIBDIFF'"
	[[ -r $XR_BPF_OBJ ]] || xr_fail "XR_BPF_OBJ not readable: '$XR_BPF_OBJ'"
	out=$(xr_in "$ns" "$XR_PYTHON" "$XR_LIB_DIR/fibdiff.py" compare \
		--helper "$XR_FIBDIFF" --obj "$XR_BPF_OBJ" \
		--pin "$(xr_pin_path "$ns")" "$@" 2>&1) || rc=$?
	printf '%s\n' "$out" | head -n -1 | sed 's/^/    /' >&2
	((rc == 0)) || xr_fail "table mode and the kernel disagree: $(tail -n 1 <<<"$out")"
	tail -n 1 <<<"$out"
}

# xr_bird_start NS NAME CONF: BIRD 2 in namespace NS, in the foreground of a
# background job (the cleanup kills it), config CONF, control socket
# $XR_RUN_DIR/bird-NAME.ctl, its log lines stamped (xr_bg_stamped) in
# $XR_RUN_DIR/bird-NAME.log.
xr_bird_start()
{
	local ns=$1 name=$2 conf=$3
	command -v bird >/dev/null || xr_skip "bird (Debian's bird2) not installed"
	bird -p -c "$conf" || xr_fail "bird rejects $conf"
	xr_bg_stamped "$ns" "$XR_RUN_DIR/bird-$name.log" bird -f -c "$conf" \
		-s "$XR_RUN_DIR/bird-$name.ctl" -P "$XR_RUN_DIR/bird-$name.pid"
	xr_wait_until 60 "bird $name answers on its socket" \
		xr_birdc "$name" show status
	xr_log "bird $name running in $ns (pid $XR_BG_PID)"
}

# xr_birdc NAME CMD...: birdc on bird NAME's control socket.
xr_birdc()
{
	local name=$1
	shift
	birdc -s "$XR_RUN_DIR/bird-$name.ctl" "$@"
}
