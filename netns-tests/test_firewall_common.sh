# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# netns-tests/test_firewall_common.sh - what the firewall gate's tests
# (test_firewall_*.sh) share: the topology, the rulesets, the scripted
# conversation and the router's outcome counters. Sourced after lib.sh.
#
#   client TAGc  c0 ---- rc  TAGr  rs ---- s0  TAGs server (the .3/::3
#                                                 sources: scripted only)
#   10.1.0.2 (.3)   10.1.0.1   10.2.0.1   10.2.0.2
#   fd00:1::2 (::3) fd00:1::1  fd00:2::1  fd00:2::2
#
# TAG lets one test build the same topology twice (k: kernel forwarding
# only, x: through xdp-router), with the same MACs, so that both runs put
# the same bytes on the wire. Neighbours are static on the router (no
# resolution in the middle of a comparison).

FW_MAC_C=02:00:00:00:01:02
FW_MAC_RC=02:00:00:00:01:01
FW_MAC_RS=02:00:00:00:02:01
FW_MAC_S=02:00:00:00:02:02
FW_C4=10.1.0.2 FW_C4ALT=10.1.0.3 FW_R4C=10.1.0.1
FW_S4=10.2.0.2 FW_R4S=10.2.0.1
FW_C6=fd00:1::2 FW_C6ALT=fd00:1::3 FW_R6C=fd00:1::1
FW_S6=fd00:2::2 FW_R6S=fd00:2::1
# The rulesets' outcome names (stats --json).
# shellcheck disable=SC2034  # used by the tests
FW_FAST="redirect_fw redirect_nat"

# fw_tools [TOOL...]: skip unless nft, conntrack and each TOOL are installed.
# shellcheck disable=SC2120  # the TOOLs are optional
fw_tools()
{
	local t
	for t in nft conntrack "$@"; do
		command -v "$t" >/dev/null || xr_skip "$t not installed (apt-get install nftables conntrack iptables)"
	done
}

# fw_topo TAG: client TAGc, router TAGr, server TAGs (see above).
fw_topo()
{
	local t=$1
	xr_ns_add "${t}c"
	xr_ns_add "${t}s"
	xr_router_ns "${t}r"
	xr_veth "${t}c" c0 "${t}r" rc
	xr_veth "${t}s" s0 "${t}r" rs
	ip -n "$(xr_ns "${t}c")" link set c0 address "$FW_MAC_C"
	ip -n "$(xr_ns "${t}r")" link set rc address "$FW_MAC_RC"
	ip -n "$(xr_ns "${t}r")" link set rs address "$FW_MAC_RS"
	ip -n "$(xr_ns "${t}s")" link set s0 address "$FW_MAC_S"
	xr_addr "${t}r" rc "$FW_R4C/24" "$FW_R6C/64"
	xr_addr "${t}r" rs "$FW_R4S/24" "$FW_R6S/64"
	# (FW_C4ALT and FW_C6ALT are sources only fw_conv.py uses: not on c0,
	# where the kernel would pick them as a source.)
	xr_addr "${t}c" c0 "$FW_C4/24" "$FW_C6/64"
	xr_addr "${t}s" s0 "$FW_S4/24" "$FW_S6/64"
	ip -n "$(xr_ns "${t}c")" route add default via "$FW_R4C"
	ip -n "$(xr_ns "${t}c")" -6 route add default via "$FW_R6C"
	ip -n "$(xr_ns "${t}s")" route add default via "$FW_R4S"
	ip -n "$(xr_ns "${t}s")" -6 route add default via "$FW_R6S"
	xr_host_prep "${t}c" c0
	xr_host_prep "${t}s" s0
	local n a
	n=$(xr_ns "${t}r")
	for a in "$FW_C4" "$FW_C4ALT" "$FW_C6" "$FW_C6ALT"; do
		ip -n "$n" neigh replace "$a" lladdr "$FW_MAC_C" dev rc nud permanent
	done
	for a in "$FW_S4" "$FW_S6"; do
		ip -n "$n" neigh replace "$a" lladdr "$FW_MAC_S" dev rs nud permanent
	done
	ip -n "$(xr_ns "${t}c")" neigh replace "$FW_R4C" lladdr "$FW_MAC_RC" dev c0 nud permanent
	ip -n "$(xr_ns "${t}c")" neigh replace "$FW_R6C" lladdr "$FW_MAC_RC" dev c0 nud permanent
	ip -n "$(xr_ns "${t}s")" neigh replace "$FW_R4S" lladdr "$FW_MAC_RS" dev s0 nud permanent
	ip -n "$(xr_ns "${t}s")" neigh replace "$FW_R6S" lladdr "$FW_MAC_RS" dev s0 nud permanent
}

# fw_hosts_quiet TAG on|off: the hosts' own stacks stay out of the scripted
# conversation (fw_conv.py plays both ends): no TCP RST, no ICMP
# unreachable, no echo reply from them.
fw_hosts_quiet()
{
	local t=$1 h v=0
	[[ $2 == on ]] && v=1
	for h in c s; do
		xr_in "$t$h" sysctl -qw net.ipv4.icmp_echo_ignore_all=$v \
			net.ipv6.icmp.echo_ignore_all=$v
		if [[ $2 == on ]]; then
			xr_in "$t$h" nft -f - <<-'EOF' || xr_fail "host table in $t$h"
			table inet xrfwhost {
				chain out {
					type filter hook output priority filter; policy accept;
					tcp flags & rst == rst drop
					icmp type destination-unreachable drop
					icmpv6 type destination-unreachable drop
				}
			}
			EOF
		else
			xr_in "$t$h" nft delete table inet xrfwhost 2>/dev/null || true
		fi
	done
}

# The rulesets, by case name. stateful: the forward chain of a typical
# stateful firewall (client side may open port 80, anyone DNS and ping).
fw_rules_stateful()
{
	cat <<-'EOF'
	table inet xrfw {
		chain forward {
			type filter hook forward priority filter; policy drop;
			ct state established,related accept
			ct state invalid drop
			iifname "rc" tcp dport 80 accept
			udp dport 53 accept
			icmp type echo-request accept
			icmpv6 type echo-request accept
		}
	}
	EOF
}

# stateless: drops only, policy accept, no ct expression anywhere.
fw_rules_stateless()
{
	cat <<-EOF
	table inet xrfw {
		chain forward {
			type filter hook forward priority filter; policy accept;
			udp dport 9999 drop
			tcp dport 22 drop
			ip saddr $FW_C4ALT drop
			ip6 saddr $FW_C6ALT drop
		}
	}
	EOF
}

# masq: stateful + masquerade out of the server side.
fw_rules_masq()
{
	fw_rules_stateful
	cat <<-'EOF'
	table inet xrfwnat {
		chain postrouting {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "rs" masquerade
		}
	}
	EOF
}

# dnat: stateful + a port forward, the router's client-side address:8080
# to the server's port 80.
fw_rules_dnat()
{
	fw_rules_stateful
	cat <<-EOF
	table inet xrfwnat {
		chain prerouting {
			type nat hook prerouting priority dstnat; policy accept;
			iifname "rc" ip daddr $FW_R4C tcp dport 8080 dnat ip to $FW_S4:80
			iifname "rc" ip6 daddr $FW_R6C tcp dport 8080 dnat ip6 to [$FW_S6]:80
		}
	}
	EOF
}

# fw_iptables_ok: Debian's iptables drives nf_tables.
fw_iptables_ok()
{
	command -v iptables >/dev/null && command -v ip6tables >/dev/null &&
		iptables -V 2>/dev/null | grep -q nf_tables
}

# fw_ruleset TAG CASE: load CASE's ruleset in router TAGr.
fw_ruleset()
{
	local t=$1 c=$2 ipt
	if [[ $c == iptables ]]; then
		for ipt in iptables ip6tables; do
			local icmp="-p icmp --icmp-type echo-request"
			[[ $ipt == ip6tables ]] && icmp="-p icmpv6 --icmpv6-type echo-request"
			# shellcheck disable=SC2086  # $icmp is several words
			xr_in "${t}r" sh -e -c "
				$ipt -P FORWARD DROP
				$ipt -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
				$ipt -A FORWARD -m conntrack --ctstate INVALID -j DROP
				$ipt -A FORWARD -i rc -p tcp --dport 80 -j ACCEPT
				$ipt -A FORWARD -p udp --dport 53 -j ACCEPT
				$ipt -A FORWARD $icmp -j ACCEPT" ||
				xr_fail "$ipt rules in ${t}r"
		done
		return
	fi
	"fw_rules_$c" | xr_in "${t}r" nft -f - || xr_fail "nft ruleset $c in ${t}r"
}

# fw_conv TAG CASE OUT: the scripted conversation (fw_conv.py) between
# TAGc and TAGs; its record in OUT.
fw_conv()
{
	local t=$1 c=$2 out=$3 d4=$FW_S4 d6=$FW_S6 dport=80 res rc=0
	if [[ $c == dnat ]]; then
		d4=$FW_R4C d6=$FW_R6C dport=8080
	fi
	res=$(PYTHONPATH=$XR_LIB_DIR "$XR_PYTHON" "$XR_LIB_DIR/fw_conv.py" run \
		--client "$(xr_ns "${t}c"):c0:$FW_MAC_C:$FW_MAC_RC" \
		--server "$(xr_ns "${t}s"):s0:$FW_MAC_S:$FW_MAC_RS" \
		--c4 "$FW_C4" --c4alt "$FW_C4ALT" --s4 "$FW_S4" --d4 "$d4" \
		--c6 "$FW_C6" --c6alt "$FW_C6ALT" --s6 "$FW_S6" --d6 "$d6" \
		--dport "$dport" --out "$out" 2>&1) || rc=$?
	((rc == 0)) || xr_fail "conversation in $t ($c): $res"
	xr_log "flows ($t): $(tail -n 1 <<<"$res")"
}

# fw_py ARGS...: fw_conv.py's other commands.
fw_py()
{
	PYTHONPATH=$XR_LIB_DIR "$XR_PYTHON" "$XR_LIB_DIR/fw_conv.py" "$@"
}

# fw_outcomes NS: {"ifname": {"outcome": packets}} from `stats --json`.
fw_outcomes()
{
	local json
	json=$(xr_cli_ok "$1" --json stats) || xr_fail "stats --json failed"
	"$XR_PYTHON" -c '
import json, sys
print(json.dumps({i["ifname"]: {o: v.get("packets", 0) for o, v in i.get("outcomes", {}).items()}
                  for i in json.loads(sys.argv[1])}))' "$json" ||
		xr_fail "cannot parse stats: $json"
}

# fw_delta BEFORE AFTER IF OUTCOMES...: the growth of the sum of OUTCOMES
# ("all": every outcome) on IF between two fw_outcomes snapshots.
fw_delta()
{
	"$XR_PYTHON" -c '
import json, sys
b, a, i = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
names = sys.argv[4:]
if names == ["all"]:
    names = a.get(i, {}).keys()
print(sum(a.get(i, {}).get(o, 0) - b.get(i, {}).get(o, 0) for o in names))' "$@"
}

# fw_show_delta BEFORE AFTER: the outcomes that grew, per interface (a log line).
fw_show_delta()
{
	"$XR_PYTHON" -c '
import json, sys
b, a = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("; ".join(i + ": " + " ".join(f"{o}+{n - b.get(i, {}).get(o, 0)}"
      for o, n in sorted(oc.items()) if n != b.get(i, {}).get(o, 0)) for i, oc in sorted(a.items())))' "$1" "$2"
}
