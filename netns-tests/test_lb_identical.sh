#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Same configuration, same maps (docs/scale-out.md): two routers, one
# applies random histories of configurations, the other only each history's
# last configuration, from nothing; their xr_lb_rings and xr_lb_backends
# maps must be byte-identical, and stay so when the histories go on. The
# VIPs collide in a 4-row VIP table (--lb-max-vips 4), so VIPs keep moving
# rows (chains and cycles of moves); backends come and go, change weights,
# drain and go down (scaleout/random_history.py).
#
#   N1 l0 -- p0   N2 l0 -- p0   (no traffic: static neighbours for the
#                                backends 10.9.0.21-28)
#
# Asserts, for SEEDS seeds of STEPS steps: after every step N1 and N2 (N2
# emptied, then given the step's file) show the same VIP ids and backend
# ids, gens and ring slots (`lb show`); after each seed's last step their
# maps are equal byte for byte (bpftool); some VIPs moved rows on the way.
#
# Chains (N3, a 16-row VIP table holding 15 VIPs on their canonical rows):
# adding a 16th VIP whose row is at the head of a chain of 8 or more moves
# (one free row: one move per round, the new VIP's row is free in round 9
# or later) still puts it in the maps, on the same ids
# an apply from nothing gives, and the summary counts each moved VIP and
# backend once, as changed.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

SEEDS=${XR_IDENT_SEEDS:-4}
STEPS=${XR_IDENT_STEPS:-5}

xr_init lbident bpftool
xr_need_cli

for n in n1 n2 n3; do
	xr_router_ns "$n"
	ip -n "$(xr_ns "$n")" link add l0 type veth peer name p0
	ip -n "$(xr_ns "$n")" link set l0 up
	ip -n "$(xr_ns "$n")" link set p0 up
	xr_addr "$n" l0 10.9.0.1/24
	for i in $(seq 21 28); do
		ip -n "$(xr_ns "$n")" neigh add "10.9.0.$i" lladdr "02:00:00:00:00:$i" \
			dev l0 nud permanent
	done
	xr_cli_ok "$n" attach --lb-max-vips "$([[ $n == n3 ]] && echo 16 || echo 4)" l0 >/dev/null
done
printf 'vips: []\n' >"$XR_RUN_DIR/empty.yaml"

# ids NS: "name=id ..." of the VIPs, sorted.
ids()
{
	xr_cli_ok "$1" --json lb show | "$XR_PYTHON" -c '
import json, sys
j = json.load(sys.stdin)
vips = j if isinstance(j, list) else j.get("vips", [])
print(" ".join(sorted("%s=%s" % (v["name"], v["id"]) for v in vips)))'
}

# backends NS: every backend's VIP, address, id, gen, ring slots, sorted.
backends()
{
	xr_cli_ok "$1" --json lb show | "$XR_PYTHON" -c '
import json, sys
j = json.load(sys.stdin)
vips = j if isinstance(j, list) else j.get("vips", [])
print(" ".join(sorted("%s/%s=%s:%s:%s" % (v["name"], b["address"], b["id"],
                      b["gen"], b["ring_slots"])
                      for v in vips for b in v["backends"])))'
}

# chain_cfg N [NEW]: N VIPs 10.0.1.1-N (and 10.0.2.NEW), a backend each.
chain_cfg()
{
	local i
	echo "vips:"
	for i in $(seq "$1"); do
		printf '  - { name: v%s, address: 10.0.1.%s, port: 80, backends: [ { address: 10.9.0.21 } ] }\n' "$i" "$i"
	done
	[[ -z ${2:-} ]] ||
		printf '  - { name: new, address: 10.0.2.%s, port: 80, backends: [ { address: 10.9.0.21 } ] }\n' "$2"
}

chain_cfg 15 >"$XR_RUN_DIR/chain-15.yaml"
# 10.0.2.2 and .8: chains of 8 and 9 moves (found with the rounds capped
# at 8, which left the new VIP out of the maps and exited 0).
for new in 2 8; do
	xr_step "chain: VIP 10.0.2.$new added to 15 VIPs in 16 rows"
	f="$XR_RUN_DIR/chain-$new.yaml"
	chain_cfg 15 "$new" >"$f"
	xr_cli_ok n3 lb apply "$XR_RUN_DIR/empty.yaml" >/dev/null
	xr_cli_ok n3 lb apply "$XR_RUN_DIR/chain-15.yaml" >/dev/null
	before_v=$(ids n3)
	before_b=$(backends n3)
	out=$(xr_cli_ok n3 --json lb apply "$f")
	after_v=$(ids n3)
	after_b=$(backends n3)
	xr_assert_eq "$(wc -w <<<"$after_v")" 16 "chain $new: every VIP in the maps"
	# Each entry that kept its name and changed its id moved once.
	moved=$("$XR_PYTHON" - "$before_v" "$after_v" "$before_b" "$after_b" <<'PY'
import sys
def kv(s):
    return dict((w.split("=")[0], w.split("=")[1].split(":")[0]) for w in s.split())
bv, av, bb, ab = (kv(a) for a in sys.argv[1:])
print(sum(1 for k in bv if av[k] != bv[k]),
      sum(1 for k in bb if ab[k] != bb[k]))
PY
)
	xr_log "chain $new: moved (VIPs backends): $moved"
	read -r mv mb <<<"$moved"
	xr_assert_ge "$mv" 8 "chain $new: a chain of 8 moves or more"
	xr_assert_eq "$("$XR_PYTHON" -c 'import json, sys
j = json.loads(sys.argv[1])
print(j["vips"]["added"], j["vips"]["changed"], j["vips"]["removed"],
      j["backends"]["added"], j["backends"]["changed"], j["backends"]["removed"])' "$out")" \
		"1 $mv 0 1 $mb 0" "chain $new: summary (VIPs, backends: added changed removed)"
	xr_cli_ok n3 lb apply "$XR_RUN_DIR/empty.yaml" >/dev/null
	xr_cli_ok n3 lb apply "$f" >/dev/null
	xr_assert_eq "$after_v" "$(ids n3)" "chain $new: VIP ids, after the chain vs from nothing"
	xr_assert_eq "$after_b" "$(backends n3)" "chain $new: backend ids, gens, ring slots"
done

moves=0
for seed in $(seq "$SEEDS"); do
	xr_step "seed $seed: $STEPS random configurations"
	dir="$XR_RUN_DIR/seed-$seed"
	mkdir -p "$dir"
	"$XR_PYTHON" "$XR_LIB_DIR/scaleout/random_history.py" "$seed" "$STEPS" "$dir"
	for step in $(seq "$STEPS"); do
		f="$dir/step-$step.yaml"
		before=$(ids n1)
		xr_cli_ok n1 lb apply "$f" >/dev/null
		xr_cli_ok n2 lb apply "$XR_RUN_DIR/empty.yaml" >/dev/null
		xr_cli_ok n2 lb apply "$f" >/dev/null
		a=$(ids n1)
		xr_assert_eq "$a" "$(ids n2)" "seed $seed step $step: VIP ids, history vs from nothing"
		xr_assert_eq "$(backends n1)" "$(backends n2)" \
			"seed $seed step $step: backend ids, gens, ring slots"
		# A VIP kept from the step before on another row: it moved.
		for kv in $a; do
			for old in $before; do
				[[ ${old%%=*} == "${kv%%=*}" && $old != "$kv" ]] && moves=$((moves + 1))
			done
		done
	done
	# bpftool dumps 4 x 65537 ring slots in about a second: once a seed.
	xr_assert_eq "$(xr_lb_maps_digest n1)" "$(xr_lb_maps_digest n2)" "seed $seed: maps, byte for byte"
done
xr_log "VIP rows moved on N1 along the histories: $moves"
xr_assert_ge "$moves" 1 "VIP moves exercised"
