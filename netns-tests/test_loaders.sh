#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The router's object loaded by the loaders people already use, then driven
# by the CLI through --pin-path (docs/loaders.md): hosts A and B around
# router R, for each of
#
#   ip        ip link set dev ra xdpdrv obj xdp_router.bpf.o sec xdp.frags
#   xdp-loader  xdp-loader load -m native ra xdp_router.bpf.o
#   bpftool   bpftool prog load ... pinmaps DIR + bpftool net attach xdpdrv
#
# Asserts, per loader: `adopt` pins the loader's program and maps under the
# pin path; status names the program the kernel runs on ra and rb; scapy
# packets A -> B arrive exact, and the XDP path did the work (veth
# xdp_redirect and `stats --json` redirect grew, the kernel forwarded
# nothing); populate and `lb apply` work on the adopted maps; the loader
# unloads it, and `detach --all` removes exactly the CLI's pins.
#
# Then xdp-loader's coexistence: `attach --multiprog` refuses, with one error
# naming the cause, an interface whose program runs without libxdp's
# dispatcher, and leaves that program alone. Where the kernel refuses the
# dispatcher (freplace: EPERM), the router attaches alone with a warning and
# xdp-loader cannot add a program beside it; where the kernel allows it,
# xdp-filter-style chaining by priority is exercised instead.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

xr_init ldr
xr_need_cli
OBJ=${XR_BPF_OBJ:-${XR_CLI%/*}/kern/xdp_router.bpf.o}
[[ -r $OBJ ]] || xr_fail "the router's object is not readable: $OBJ"
[[ -r ${XR_PASS_OBJ:-} ]] || xr_fail "XR_PASS_OBJ not readable: '${XR_PASS_OBJ:-}'"
for tool in xdp-loader bpftool; do
	command -v "$tool" >/dev/null || xr_skip "$tool not installed"
done

xr_topo ab
R=$(xr_ns r)
PIN=$(xr_pin_path r)
BPFFS=${PIN%/*}
LB_YAML=$XR_RUN_DIR/lb.yaml
cat >"$LB_YAML" <<EOF
vips:
  - name: web
    address: 10.2.0.100
    port: 80
    health: none
    backends:
      - { address: $(xr_ip4 b) }
EOF

# xdp-loader in R. libxdp keeps its dispatcher pins on a bpffs: R's (the
# one under /sys/fs/bpf does not survive `ip netns exec`), so that the
# dispatcher is really tried. xdp-loader takes a machine-wide lock file and
# fails at once if another xdp-loader holds it: retry for a while.
xl()
{
	local out rc deadline=$((SECONDS + 20))
	while :; do
		rc=0
		out=$(LIBXDP_BPFFS=$BPFFS ip netns exec "$R" xdp-loader "$@" 2>&1) ||
			rc=$?
		[[ $rc != 0 && $out == *ock* && $SECONDS -lt $deadline ]] || break
		sleep 0.5
	done
	printf '%s\n' "$out"
	return "$rc"
}

# use_router LOADER: the loaded, adopted router works through the CLI.
use_router()
{
	local loader=$1 id before after json
	id=$(xr_xdp_prog_id r ra)
	xr_assert_ne "$id" "" "$loader: a program on ra"
	xr_assert_eq "$(xr_xdp_prog_id r rb)" "$id" "$loader: the same program on rb"
	xr_assert_eq "$(xr_status_ifnames r)" "ra rb" "$loader: status lists ra rb"
	xr_assert_eq "$(xr_status_get r ra prog_id)" "$id" "$loader: status prog id"
	xr_assert_eq "$(xr_status_get r rb mode)" native "$loader: status mode of rb"

	xr_ping_pairs "a b"
	before=$(xr_counters r ra)
	xr_fwd_check a b 5
	after=$(xr_counters r ra)
	xr_assert_xdp_path "$before" "$after" "$XR_FWD_SENT" "$loader: A -> B"

	xr_cli_ok r populate >/dev/null
	xr_log "ok: $loader: populate"
	xr_cli_ok r lb apply "$LB_YAML" >/dev/null
	json=$(xr_cli_ok r --json lb show)
	xr_assert_eq "$(xr_json_get "$json" '[v["name"] for v in j["vips"]]')" \
		'["web"]' "$loader: lb show lists the VIP applied"
}

# forget LOADER [LEFT]: after the loader removed the program, status calls
# ra rb detached and `detach --all` removes the CLI's pins; LEFT (a
# space-separated list) is what the loader pinned there itself.
forget()
{
	local loader=$1 left=${2:-}
	xr_assert_empty "$(xr_xdp_prog_id r ra)$(xr_xdp_prog_id r rb)" \
		"$loader: unloaded from ra and rb"
	xr_assert_eq "$(xr_status_get r ra mode)" detached \
		"$loader: status calls ra detached"
	xr_cli_ok r detach --all >/dev/null
	xr_assert_eq "$(xr_pins r | tr '\n' ' ' | sed 's/ $//')" "$left" \
		"$loader: detach --all removed the CLI's pins, nothing else"
	rm -rf "$PIN"
}

xr_step "ip: load the object on ra, adopt it, attach the same program to rb"
ip -n "$R" link set dev ra xdpdrv obj "$OBJ" sec xdp.frags ||
	xr_fail "ip link set dev ra xdpdrv obj failed"
# Before adopt: nothing configured, so every routed packet goes to the
# kernel (no egress in the devmap): it forwards, and nothing breaks.
xr_ping a "$(xr_ip4 b)" 2
xr_cli_ok r adopt ra
ip -n "$R" link set dev rb xdpdrv pinned "$PIN/xr_prog" ||
	xr_fail "ip link set dev rb xdpdrv pinned failed"
xr_cli_ok r adopt rb
use_router ip
ip -n "$R" link set dev ra xdp off
ip -n "$R" link set dev rb xdp off
forget ip

xr_step "xdp-loader: load the object on ra, adopt it; attach rb with the CLI"
xl load -m native ra "$OBJ" >/dev/null || xr_fail "xdp-loader load ra failed"
xr_cli_ok r adopt ra
xr_cli_ok r attach rb
use_router xdp-loader
xl unload ra --all >/dev/null || xr_fail "xdp-loader unload ra failed"
xl unload rb --all >/dev/null || xr_fail "xdp-loader unload rb failed"
forget xdp-loader

xr_step "bpftool: prog load with pinmaps into the pin path, net attach, adopt"
mkdir -p "$PIN"
bpftool prog load "$OBJ" "$PIN/xr_prog" type xdp pinmaps "$PIN" 2>/dev/null ||
	xr_fail "bpftool prog load failed"
for ifname in ra rb; do
	xr_in r bpftool net attach xdpdrv pinned "$PIN/xr_prog" dev "$ifname" ||
		xr_fail "bpftool net attach $ifname failed"
done
# With --json: the documented shape (docs/schema/adopt.json).
xr_cli_ok r --json adopt ra rb |
	"$XR_PYTHON" "$XR_LIB_DIR/../docs/schema/schema_tool.py" validate \
		"$XR_LIB_DIR/../docs/schema/adopt.json" ||
	xr_fail "adopt --json does not match docs/schema/adopt.json"
use_router bpftool
for ifname in ra rb; do
	xr_in r bpftool net detach xdpdrv dev "$ifname"
done
# bpftool pinned every map of the object, the CLI's and libbpf's own
# (.kconfig: the firewall gate reads CONFIG_HZ).
forget bpftool "_rodata_iface xdp_rou_kconfig xdp_rout_rodata xr_cpu_stats xr_cpus xr_lb_scratch xr_rc_state xr_rc_v4 xr_rc_v6"

xr_step "adopt refuses what is not one router of this object"
xr_cli_err r adopt ra
[[ $XR_ERR == *"does not run an xdp_router program"* ]] ||
	xr_fail "adopt on an empty interface: unexpected error '$XR_ERR'"
ip -n "$R" link set dev ra xdpdrv obj "$OBJ" sec xdp.frags
ip -n "$R" link set dev rb xdpdrv obj "$OBJ" sec xdp.frags
xr_cli_err r adopt ra rb
[[ $XR_ERR == *"one router is one program"* ]] ||
	xr_fail "adopt of two programs: unexpected error '$XR_ERR'"
xr_assert_empty "$(xr_pins r)" "nothing pinned by the failed adopt"
ip -n "$R" link set dev rb xdp off
xr_cli_ok r attach rb >/dev/null
pins=$(xr_pins r)
xr_cli_err r adopt ra
[[ $XR_ERR == *"not by the adopted program"* ]] ||
	xr_fail "adopt into another router's pin path: unexpected error '$XR_ERR'"
xr_assert_eq "$(xr_pins r)" "$pins" "the other router's pins unchanged"
xr_assert_eq "$(xr_status_ifnames r)" rb "the other router still on rb alone"
ip -n "$R" link set dev ra xdp off
xr_cli_ok r detach --all >/dev/null

xr_step "xdp-loader coexistence: --multiprog never clobbers a program"
xl load -m native ra "$XR_PASS_OBJ" >/dev/null ||
	xr_fail "xdp-loader load of the foreign program failed"
pass_id=$(xr_xdp_prog_id r ra)
xr_cli_err r attach --multiprog ra rb
[[ $XR_ERR == *"cannot share ra"*"dispatcher"* ]] ||
	xr_fail "attach --multiprog: unexpected error '$XR_ERR'"
xr_assert_eq "$(xr_xdp_prog_id r ra)" "$pass_id" "the foreign program stays on ra"
xr_assert_empty "$(xr_xdp_prog_id r rb)" "rb untouched (all or nothing)"
xr_assert_empty "$(xr_pins r)" "nothing pinned by the refused attach"
xl unload ra --all >/dev/null || xr_fail "xdp-loader unload ra failed"

xr_step "attach --multiprog on free interfaces: through libxdp"
rc=0
xr_cli r --json attach --multiprog ra rb >"$XR_RUN_DIR/mp.out" \
	2>"$XR_RUN_DIR/mp.err" || rc=$?
((rc == 0)) || xr_fail "attach --multiprog ra rb: exit $rc: $(cat "$XR_RUN_DIR/mp.err")"
dispatched=$(xr_json_get "$(cat "$XR_RUN_DIR/mp.out")" \
	'" ".join(str(t["dispatcher"]).lower() for t in j)')
router_id=$(xr_status_get r ra prog_id)
if [[ $dispatched == "false false" ]]; then
	grep -q "without libxdp's dispatcher.*freplace" "$XR_RUN_DIR/mp.err" ||
		xr_fail "no warning naming the cause: $(cat "$XR_RUN_DIR/mp.err")"
	xr_log "ok: attached alone; the CLI said why: $(head -n 1 "$XR_RUN_DIR/mp.err")"
	xr_expect_fail "xdp-loader cannot add a program beside it" \
		xl load -m native ra "$XR_PASS_OBJ"
	xr_assert_eq "$(xr_xdp_prog_id r ra)" "$router_id" \
		"the router still runs on ra"
	before=$(xr_counters r ra)
	xr_fwd_check a b 2
	after=$(xr_counters r ra)
	xr_assert_xdp_path "$before" "$after" "$XR_FWD_SENT" "--multiprog, alone"
	xr_log "SKIP (part): this kernel refuses libxdp's dispatcher (freplace):" \
		"run priorities cannot be exercised here"
elif [[ $dispatched == "true true" ]]; then
	xl load -m native --prio 10 ra "$XR_PASS_OBJ" >/dev/null ||
		xr_fail "xdp-loader cannot add a program to the dispatcher"
	chain=$(xr_json_get "$(xr_status_json r)" \
		'[(p["prio"], p["name"]) for e in j if e["ifname"] == "ra" for p in e["dispatcher"]["programs"]]')
	xr_assert_eq "$chain" '[[10, "xrt_pass"], [50, "xdp_router"]]' \
		"status shows the chain in run order"
	before=$(xr_counters r ra)
	xr_fwd_check a b 2
	after=$(xr_counters r ra)
	# The dispatcher's program is what ethtool counts; stats the router's.
	xr_assert_ge "$(($(cut -d' ' -f2 <<<"$after") - $(cut -d' ' -f2 <<<"$before")))" \
		"$XR_FWD_SENT" "the router ran after xrt_pass passed the packets"
	xl unload ra --all >/dev/null
	xl unload rb --all >/dev/null
else
	xr_fail "attach --multiprog: unexpected dispatcher flags '$dispatched'"
fi
xr_cli_ok r detach --all >/dev/null
