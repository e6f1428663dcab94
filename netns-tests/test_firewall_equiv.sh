#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The firewall gate (issue 13) delivers what the kernel delivers. For each
# ruleset (a phase each: stateful, stateless, masq, dnat, iptables; see
# test_firewall_common.sh) the same scripted conversation (fw_conv.py: TCP
# to allowed and refused ports both ways, TCP picked up mid-stream, UDP
# allowed and dropped, from an allowed and a dropped source, ICMP echo both
# ways; v4 and v6) runs twice, in two copies of one topology: once with
# kernel forwarding only, once through xdp-router attached to both legs.
#
# Asserts:
# - the kernel run delivers what the ruleset says (the comparison below
#   would be empty otherwise);
# - both runs deliver the same frames, byte for byte (MACs, TTL/hop limit,
#   NATed addresses and ports, checksums): nothing is normalised, the
#   senders' bytes are fixed;
# - XDP forwarded some of the compared frames itself (redirect_fw/
#   redirect_nat grew), so the comparison covers its path, and handed the
#   new flows and control packets to the kernel (pass_fw_new/pass_fw_ctl
#   grew); with no ct expression anywhere (stateless) conntrack tracks
#   nothing, and a tuple is fast once the kernel forwarded it;
# - a bulk TCP transfer (iperf3, v4 and v6, BULK bytes each): >= 90 % of
#   the client's packets went through XDP (redirect_fw or redirect_nat).
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"
# shellcheck source=netns-tests/test_firewall_common.sh
. "$XR_LIB_DIR/test_firewall_common.sh"

BULK=${XR_FW_BULK:-4M}
MIN_FAST_PCT=90

(($# == 0)) && xr_phases "$0" stateful stateless masq dnat iptables
CASE=$1

xr_init "fw$CASE"
xr_need_cli
fw_tools iperf3
if [[ $CASE == iptables ]]; then
	fw_iptables_ok || xr_skip "no iptables/ip6tables driving nf_tables (apt-get install iptables)"
fi
K="$XR_RUN_DIR/kernel.json" X="$XR_RUN_DIR/xdp.json"

# What the kernel must deliver (flows of fw_conv.py).
if [[ $CASE == stateless ]]; then
	EXPECT="tcp80_4=complete tcp22_4=blocked@0 rtcp80_4=complete
		udp53_4=complete udp9999_4=blocked@0 alt53_4=blocked@0
		echo_4=complete mid80_4=complete"
else
	EXPECT="tcp80_4=complete tcp22_4=blocked@0 rtcp80_4=blocked@0
		udp53_4=complete udp9999_4=blocked@0 alt53_4=complete
		echo_4=complete recho_4=complete mid80_4=complete"
fi
EXPECT="$EXPECT ${EXPECT//_4=/_6=}"
TRACKED=1
[[ $CASE == stateless ]] && TRACKED=0

xr_step "kernel forwarding only ($CASE): the conversation"
fw_topo k
fw_hosts_quiet k on
fw_ruleset k "$CASE"
fw_conv k "$CASE" "$K"
# shellcheck disable=SC2086  # one word per flow
out=$(fw_py expect "$K" $EXPECT) || xr_fail "kernel run ($CASE) delivered other flows: $out"
xr_log "ok: the kernel delivered what the $CASE ruleset says"
nct=$(xr_in kr conntrack -C 2>/dev/null || echo 0)
xr_log "conntrack entries in the kernel run's router: $nct"
if ((TRACKED)); then
	xr_assert_ge "$nct" 1 "conntrack entries after the kernel run"
else
	xr_assert_eq "$nct" 0 "conntrack entries after the kernel run (no ct expression)"
fi

xr_step "through xdp-router ($CASE): the same conversation"
fw_topo x
fw_hosts_quiet x on
fw_ruleset x "$CASE"
xr_cli_ok xr attach rc rs >/dev/null
o0=$(fw_outcomes xr)
fw_conv x "$CASE" "$X"
o1=$(fw_outcomes xr)
xr_log "outcomes: $(fw_show_delta "$o0" "$o1")"

xr_step "the same frames delivered, byte for byte"
out=$(fw_py compare "$K" "$X") || xr_fail "kernel and XDP runs differ ($CASE):"$'\n'"$out"
xr_log "ok: identical ($(tail -n 1 <<<"$out"))"

# shellcheck disable=SC2086  # FW_FAST is two words
fast=$(($(fw_delta "$o0" "$o1" rc $FW_FAST) + $(fw_delta "$o0" "$o1" rs $FW_FAST)))
new=$(($(fw_delta "$o0" "$o1" rc pass_fw_new pass_fw_verify) +
	$(fw_delta "$o0" "$o1" rs pass_fw_new pass_fw_verify)))
ctl=$(($(fw_delta "$o0" "$o1" rc pass_fw_ctl) + $(fw_delta "$o0" "$o1" rs pass_fw_ctl)))
plain=$(($(fw_delta "$o0" "$o1" rc redirect) + $(fw_delta "$o0" "$o1" rs redirect)))
xr_assert_eq "$plain" 0 "packets forwarded by XDP without the gate (redirect)"
xr_assert_ge "$ctl" 1 "SYN/FIN/ICMP handed to the kernel (pass_fw_ctl)"
xr_assert_ge "$fast" 20 "compared frames XDP forwarded itself (redirect_fw + redirect_nat)"
xr_assert_ge "$new" 1 "new / unverified flows handed to the kernel (pass_fw_new + pass_fw_verify)"
case $CASE in
masq | dnat)
	xr_assert_ge "$(fw_delta "$o0" "$o1" rc redirect_nat)" 1 "NATed client packets forwarded by XDP"
	xr_assert_ge "$(fw_delta "$o0" "$o1" rs redirect_nat)" 1 "NATed server packets forwarded by XDP"
	;;
esac

# bulk FAMILY: iperf3 client -> server, BULK bytes; >= MIN_FAST_PCT % of
# the client's packets through XDP (tracked rulesets).
bulk()
{
	local fam=$1 dst=$FW_S4 port=80 b a total fast pct log json
	[[ $fam == 6 ]] && dst=$FW_S6
	if [[ $CASE == dnat ]]; then
		dst=$FW_R4C port=8080
		[[ $fam == 6 ]] && dst=$FW_R6C
	fi
	xr_step "bulk TCP v$fam: iperf3 $BULK to $dst:$port"
	log="$XR_RUN_DIR/iperf3-s$fam.log"
	xr_bg xs timeout 60 iperf3 -s -1 -p 80 >"$log" 2>&1
	xr_wait_tcp_listen xs 80
	b=$(fw_outcomes xr)
	json=$(xr_in xc timeout 60 iperf3 -c "$dst" -p "$port" -n "$BULK" -J 2>&1) ||
		xr_fail "iperf3 v$fam to $dst:$port failed: $(xr_json_get "$json" 'j.get("error", "")' 2>/dev/null || echo "$json")"
	xr_wait_pid_gone "$XR_BG_PID" 10 || true
	a=$(fw_outcomes xr)
	xr_log "outcomes: $(fw_show_delta "$b" "$a")"
	total=$(fw_delta "$b" "$a" rc all)
	# shellcheck disable=SC2086
	fast=$(fw_delta "$b" "$a" rc $FW_FAST)
	pct=$((total ? fast * 100 / total : 0))
	printf 'MEASURE: firewall %s v%s bulk: %d of %d client packets through XDP (%d %%), %s Mbit/s\n' \
		"$CASE" "$fam" "$fast" "$total" "$pct" \
		"$(xr_json_get "$json" 'int(j["end"]["sum_received"]["bits_per_second"] / 1e6)')" >&2
	xr_assert_ge "$total" 1000 "v$fam: client packets counted on rc"
	xr_assert_ge "$pct" "$MIN_FAST_PCT" "v$fam: % of the bulk transfer through XDP"
	xr_assert_ge "$(fw_delta "$b" "$a" rc pass_fw_ctl)" 1 "v$fam: SYN/FIN to the kernel"
}

fw_hosts_quiet x off
bulk 4
bulk 6
