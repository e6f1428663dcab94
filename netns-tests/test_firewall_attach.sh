#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# attach --firewall (issue 13) on A - R - B (v4 + v6):
# - with a netfilter ruleset on the forward path, `attach --firewall off`
#   is refused (non-zero exit, exactly one "Error:" line naming the
#   firewall), nothing is attached; with --force it is accepted, and XDP
#   then forwards as before the gate (outcome redirect, no redirect_fw);
# - with no netfilter rules at all, the default (auto) forwards exactly as
#   before: the scapy forwarding check (TTL, checksums, MACs, payload)
#   passes, every packet counted as redirect, none as redirect_fw,
#   redirect_nat or pass_fw_*, and the kernel forwarded none.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"
# shellcheck source=netns-tests/test_firewall_common.sh
. "$XR_LIB_DIR/test_firewall_common.sh"

COUNT=10
FW_OUTCOMES="redirect_fw redirect_nat pass_fw_new pass_fw_ctl pass_fw_verify pass_fw_blind"

xr_init fwattach
xr_need_cli
fw_tools
"$XR_CLI" attach --help 2>&1 | grep -q -- --firewall ||
	xr_skip "this xdp-router has no 'attach --firewall'"
xr_topo ab

# gate_counts: the gate's outcomes summed over ra and rb.
gate_counts()
{
	local o n=0
	for o in $FW_OUTCOMES; do
		n=$((n + $(xr_stat r ra "$o") + $(xr_stat r rb "$o")))
	done
	echo "$n"
}

xr_step "a forward-path ruleset: attach --firewall off is refused"
xr_in r nft -f - <<-'EOF' || xr_fail "nft ruleset"
table inet xrfw {
	chain forward {
		type filter hook forward priority filter; policy accept;
		ct state invalid drop
		udp dport 9999 drop
	}
}
EOF
xr_cli_err r attach --firewall off ra rb
grep -qiE 'firewall|netfilter|nft|rule' <<<"$XR_ERR" ||
	xr_fail "the error does not say why (firewall rules): '$XR_ERR'"
xr_assert_empty "$(xr_xdp_prog_id r ra)$(xr_xdp_prog_id r rb)" "no XDP program after the refused attach"

xr_step "attach --firewall off --force: accepted, forwards without the gate"
xr_cli_ok r attach --firewall off --force ra rb >/dev/null
xr_assert_eq "$(xr_status_ifnames r)" "ra rb" "attached interfaces"
xr_ping_pairs "a b"
xr_fwd_check a b "$COUNT"
xr_assert_eq "$(gate_counts r)" 0 "gate outcomes with --firewall off"
xr_assert_ge "$(xr_stat r ra redirect)" "$XR_FWD_SENT" "redirect on ra"
xr_cli_ok r detach --all >/dev/null

xr_step "no netfilter rules: auto (the default) forwards as before the gate"
xr_in r nft flush ruleset
xr_cli_ok r attach ra rb >/dev/null
xr_ping_pairs "a b"
before=$(xr_counters r ra)
g0=$(gate_counts r)
xr_fwd_check a b "$COUNT"
after=$(xr_counters r ra)
xr_assert_xdp_path "$before" "$after" "$XR_FWD_SENT" "A -> B, no rules"
xr_fwd_check b a 1
xr_assert_eq "$(($(gate_counts r) - g0))" 0 "gate outcomes with no rules (auto)"
