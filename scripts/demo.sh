#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The README's demo: installs what is missing (Debian packages), builds into
# build/, then shows the router at work between network namespaces:
#
#   A (a0) 10.1.0.2 fd00:1::2 --- ra [ R ] rb --- (b0) B 10.2.0.2 fd00:2::2
#
# attach to ra and rb, status, ping v4/v6, a short iperf3, stats; then a
# stateful nftables ruleset with masquerade and the same again through the
# firewall gate; and clean up everything on exit (also on failure or
# Ctrl-C). Run it as root from the
# top of a clone:  scripts/demo.sh
#
# Environment: XR_BUILD_DIR (default build), XR_CMAKE_ARGS, DEMO_SECS
# (iperf3 duration, default 4).
set -euo pipefail

cd "$(dirname "$0")/.."
top=$PWD
build=${XR_BUILD_DIR:-build}
secs=${DEMO_SECS:-4}

say()
{
	if [[ -t 1 ]]; then
		printf '\n\033[1m==> %s\033[0m\n' "$*"
	else
		printf '\n==> %s\n' "$*"
	fi
}

# show CMD...: print the command, then run it.
show()
{
	printf '$ %s\n' "$*"
	"$@"
}

if [[ $(id -u) != 0 ]]; then
	echo "Error: the demo creates network namespaces and loads XDP programs; run it as root" >&2
	exit 1
fi

say "Checking Debian packages (installs only what is missing)"
# shellcheck source=scripts/deps.sh
. scripts/deps.sh
xr_install_deps

say "Building into $build/"
# shellcheck disable=SC2086  # XR_CMAKE_ARGS is a list of words
cmake -S . -B "$build" ${XR_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j "$(nproc)"
cli=$(cd "$build" && pwd)/xdp-router
[[ -x $cli ]] || { echo "Error: $cli was not built" >&2; exit 1; }

# The netns test harness builds the topology and cleans up on exit.
XR_CLI=$cli
XR_PYTHON=/usr/bin/python3
# shellcheck source=netns-tests/lib.sh
. "$top/netns-tests/lib.sh"
xr_init demo

say "Topology: namespaces $(xr_ns a), $(xr_ns r) (the router), $(xr_ns b)"
xr_topo ab
ns_a=$(xr_ns a)
ns_r=$(xr_ns r)
ns_b=$(xr_ns b)
pin=$(xr_pin_path r)
cat <<EOF
  A a0 $(xr_ip4 a) $(xr_ip6 a)  --  ra [R] rb  --  b0 B $(xr_ip4 b) $(xr_ip6 b)
  R forwards (sysctl), has ra $(xr_rip4 a)/$(xr_rip6 a) and rb $(xr_rip4 b)/$(xr_rip6 b).
  Hosts send with tx checksum offload off and receive with GRO on: on veth,
  XDP_REDIRECT needs both (see README).
  R's bpffs is mounted at ${pin%/*} (outside /sys: 'ip netns exec'
  remounts /sys on every call), so the CLI runs with --pin-path $pin.
EOF

say "Attaching the router to ra and rb"
show ip netns exec "$ns_r" "$cli" --pin-path "$pin" attach ra rb

say "Where it runs"
show ip netns exec "$ns_r" "$cli" --pin-path "$pin" status

say "Ping A -> B, IPv4 and IPv6 (the first packet of each resolves the neighbour through the kernel)"
show ip netns exec "$ns_a" ping -c 3 -i 0.2 -W 1 "$(xr_ip4 b)"
show ip netns exec "$ns_a" ping -c 3 -i 0.2 -W 1 "$(xr_ip6 b)"

say "iperf3 TCP A -> B for ${secs}s through the XDP router"
xr_bg b timeout $((secs + 15)) iperf3 -s -1 -p 5201 >/dev/null
xr_wait_tcp_listen b 5201
show ip netns exec "$ns_a" timeout $((secs + 10)) iperf3 -c "$(xr_ip4 b)" -t "$secs" -f m |
	grep -E 'sender|receiver'

say "Counters per interface and outcome: 'redirect' is what XDP forwarded itself"
show ip netns exec "$ns_r" "$cli" --pin-path "$pin" stats
printf '\nKernel forwarding counter in R (Ip ForwDatagrams, v4): %s; veth ra xdp_redirect: %s\n' \
	"$(xr_snmp r Ip:ForwDatagrams)" "$(xr_ethtool_stat r ra xdp_redirect)"

say "A firewall with NAT: a stateful forward chain and masquerade out of rb (nftables in R)"
show ip netns exec "$ns_r" nft -f - <<'NFT'
table inet demo_filter {
	chain fwdchain {
		type filter hook forward priority 0; policy drop;
		ct state established,related accept
		ct state invalid drop
		tcp dport 5201 accept
		icmp type echo-request accept
		icmpv6 type { echo-request, nd-neighbor-solicit, nd-neighbor-advert } accept
	}
}
table ip demo_nat {
	chain post {
		type nat hook postrouting priority 100;
		oifname "rb" masquerade
	}
}
NFT
say "The firewall gate turned itself on: the kernel decides, XDP carries what it accepted"
show ip netns exec "$ns_r" "$cli" --pin-path "$pin" status
xr_bg b timeout $((secs + 15)) iperf3 -s -1 -p 5201 >/dev/null
xr_wait_tcp_listen b 5201
show ip netns exec "$ns_a" timeout $((secs + 10)) iperf3 -c "$(xr_ip4 b)" -t "$secs" -f m |
	grep -E 'sender|receiver'
say "'redirect_nat': masqueraded by XDP from conntrack's entry; 'pass_fw_*': handed to the kernel (SYN/FIN, new flows)"
show ip netns exec "$ns_r" "$cli" --pin-path "$pin" stats
show ip netns exec "$ns_r" conntrack -L -p tcp --dport 5201

say "Detaching"
show ip netns exec "$ns_r" "$cli" --pin-path "$pin" detach --all

say "Done; removing namespaces $ns_a $ns_r $ns_b and the bpffs"
