#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The CLI's error contract, through the real binary, without touching any
# interface: a failing command exits non-zero and prints exactly one line,
# "Error: ..." on stderr, or with --json one {"error": "..."} object on
# stdout and nothing on stderr.
#
# Usage: cli_errors.sh path/to/xdp-router
set -u

BIN=${1:?usage: $0 path/to/xdp-router}
RUN=("$BIN")
# Never reaches a real router: every case fails before touching the pins.
export XDP_ROUTER_PIN_PATH=/nonexistent-xdp-router-test/pins
failures=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# shellcheck source=user/tests/error_contract.sh
. "$(dirname "$0")/error_contract.sh"

expect_error 'no command'			# nothing at all
expect_error "unknown command 'frobnicate'"	frobnicate
expect_error "ambiguous command 'st': status, stats" st
expect_error "ambiguous command 'stat': status, stats" stat
expect_error "unknown option '--bogus'"		--bogus status
expect_error "unknown option '-x'"		-x status
expect_error "option '--pin-path' needs a value" --pin-path
expect_error 'not an absolute path'		--pin-path relative/dir status
expect_error "invalid --mode 'foo'"		attach --mode foo eth0
expect_error "option '--mode' needs a value"	attach --mode
expect_error 'no interface given'		attach --mode native
expect_error "unknown option '--frobnicate'"	attach --frobnicate eth0
expect_error "invalid --lookup 'bogus'"		attach --lookup bogus eth0
expect_error "invalid --firewall 'bogus'"	attach --firewall bogus eth0
expect_error "invalid --max-routes-v4 '0'"	attach --max-routes-v4 0 eth0
expect_error "invalid --max-routes-v6 'x'"	attach --max-routes-v6 x eth0
expect_error "invalid --lb-max-vips '5000'"	attach --lb-max-vips 5000 eth0
expect_error "invalid --lb-max-conns '-3'"	attach --lb-max-conns -3 eth0
expect_error "invalid --cpus '4096'"		attach --cpus 4096 eth0
expect_error "invalid --table 'nope'"		populate --table nope
expect_error "unexpected argument 'x'"		populate x
expect_error "invalid --interval '-1'"		stats --interval -1
expect_error "invalid --interval '0'"		stats --interval 0
expect_error "invalid --interval 'abc'"		stats --interval abc
expect_error "invalid --count 'x'"		stats --interval 1 --count x
expect_error "invalid --count '0'"		stats --interval 1 --count 0
expect_error '--count needs --interval'		stats --count 3
expect_error "unexpected argument 'eth0'"	status eth0
expect_error 'either interfaces or --all'	detach
expect_error 'either interfaces or --all'	detach --all eth0
expect_error '--multiprog shares an interface'	attach --multiprog --force eth0
expect_error 'adopt: give 1 to'			adopt
expect_error "cannot find interface 'nosuch0'"	adopt nosuch0

# Capabilities are checked before anything else is touched.
if [ "$(id -u)" -eq 0 ]; then
	UNPRIV=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
else
	UNPRIV=()
fi
RUN=("${UNPRIV[@]}" "$BIN")
for cmd in "attach lo" "detach lo" status stats; do
	# shellcheck disable=SC2086
	expect_error 'needs CAP_NET_ADMIN and CAP_BPF/CAP_SYS_ADMIN \(run as root\)' $cmd
done
RUN=("$BIN")

# Help and version are not errors, and need no privileges.
expect_ok help
expect_ok --help
expect_ok --version
expect_ok attach --help
expect_ok det -h
expect_ok stats --help

if [ $failures -ne 0 ]; then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "all CLI error cases passed"
