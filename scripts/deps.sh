# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# scripts/deps.sh - the Debian packages xdp-router needs to build, test and
# demo, and `xr_install_deps`, which installs the missing ones. Sourced by
# scripts/test.sh and scripts/demo.sh.
#
# Idempotent and non-interactive: packages already installed are not touched,
# and apt-get runs (update + install) only when something is missing.

XR_DEB_PACKAGES=(
	# build
	build-essential cmake clang llvm pkg-config
	libbpf-dev libxdp-dev libelf-dev zlib1g-dev
	libnl-3-dev libnl-route-3-dev bpftool
	# load balancer configuration (xdp-router lb)
	libyaml-dev
	# the firewall gate: nftables chains seen by attach and status
	libnftnl-dev libmnl-dev
	# run and test
	xdp-tools iproute2 ethtool iperf3 tcpdump iputils-ping procps
	python3 python3-scapy jq
	# the firewall gate's tests: rules, conntrack entries, legacy tables
	nftables conntrack iptables
	# benchmark plots (scripts/bench.sh --plot)
	python3-matplotlib
	# routing daemon of the populate tests (netns-tests/test_populate_bird.sh)
	bird2
	# manual pages (rst2man) and their test (man -l), systemd unit check,
	# the architecture drawing (dot: cmake --build build --target docs-images)
	python3-docutils man-db bsdextrautils systemd graphviz
	# fault injection of the reload test (netns-tests/test_reload_zero_loss.sh)
	strace
	# sanitizers and libFuzzer (XR_SANITIZE, XR_FUZZ: clang's runtime);
	# capsh for the capability tests
	libclang-rt-14-dev libcap2-bin
)

# Packages of XR_DEB_PACKAGES that are not installed, one per line.
xr_missing_deps()
{
	local pkg status
	for pkg in "${XR_DEB_PACKAGES[@]}"; do
		status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) || true
		[[ $status == "install ok installed" ]] || printf '%s\n' "$pkg"
	done
}

xr_install_deps()
{
	local missing
	if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
		echo "deps: not a Debian system; install by hand: ${XR_DEB_PACKAGES[*]}" >&2
		return 0
	fi
	mapfile -t missing < <(xr_missing_deps)
	if ((${#missing[@]} == 0)); then
		echo "deps: all ${#XR_DEB_PACKAGES[@]} Debian packages present"
		return 0
	fi
	if [[ $(id -u) != 0 ]]; then
		echo "Error: missing packages (${missing[*]}) and not root to install them" >&2
		return 1
	fi
	echo "deps: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get update -q ||
		{ echo "Error: apt-get update failed" >&2; return 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" ||
		{ echo "Error: apt-get install ${missing[*]} failed" >&2; return 1; }
}
