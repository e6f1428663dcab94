#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# test_completion.sh CLI COMPLETION - drives the bash completion as bash
# does (COMP_WORDS/COMP_CWORD) and checks what it offers. The command and
# option lists come from the real binary's --help.
set -u
cli=$1
# shellcheck source=/dev/null
source "$2" || exit 1
fail=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# complete WORD... : COMPREPLY for the command line WORDS, the last word
# being the one under the cursor (may be "").
complete_line()
{
	COMP_WORDS=("$cli" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_xdp_router "$cli" "${COMP_WORDS[COMP_CWORD]}" \
		"${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

# expect "WORDS" EXPECTED... : the completions are exactly EXPECTED.
expect()
{
	local line=$1 got want
	shift
	read -ra words <<<"$line"
	[[ -z $line || $line == *" " ]] && words+=("")
	got=$(complete_line "${words[@]}" | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	if [[ $got != "$want" ]]; then
		echo "FAIL: '$line' -> [$got], expected [$want]" >&2
		fail=1
	fi
}

# expect_has "WORDS" EXPECTED... : the completions include EXPECTED.
expect_has()
{
	local line=$1 got w
	shift
	read -ra words <<<"$line"
	[[ -z $line || $line == *" " ]] && words+=("")
	got=$(complete_line "${words[@]}")
	for w; do
		grep -qxF -- "$w" <<<"$got" ||
			{ echo "FAIL: '$line' does not offer '$w' (got: $(echo $got))" >&2; fail=1; }
	done
}

# Commands, and abbreviations the CLI takes.
expect_has "" attach detach status stats populate lb help
expect "st" status stats
expect "-j --pin-path /tmp p" populate
expect_has "--" --json --pretty --verbose --pin-path --version --help
# Options per command, also after an abbreviated command.
expect "det --" --all --help
expect_has "att --" --mode --force --lookup --max-routes-v4 --cpus --help
expect_has "stats --" --interval --count --help
expect "populate --t" --table
# Option values, from the usage line or the few written in the script.
expect "attach --mode " auto native generic offload
expect "attach --mode n" native
expect "attach --lookup " fib table
expect "lb add-vip web 10.0.0.1:80 --proto " tcp udp
expect "lb add-vip web 10.0.0.1:80 --mode " dsr nat
expect "lb set-backend web 10.9.0.1 --state " active drain down
expect "attach --mode native --max-routes-v4 10 " $(ls /sys/class/net)
# Interfaces for attach and detach.
expect "attach l" $(ls /sys/class/net | grep '^l')
expect_has "detach " lo
# lb commands, abbreviated too, and their options.
expect "lb a" apply add-vip add-backend
expect "lb ap --" --dry-run --help
expect "lb add-b 10.0.0.1 --w" --weight
# Files for lb apply: YAML files and directories.
mkdir "$tmp/conf.d"
touch "$tmp/lb.yaml" "$tmp/other.yml" "$tmp/notes.txt"
expect "lb apply $tmp/" "$tmp/conf.d" "$tmp/lb.yaml" "$tmp/other.yml"
expect "lb apply $tmp/lb.yaml " ""
# Any file for stats --prometheus; its other options.
expect_has "stats --prometheus $tmp/" "$tmp/notes.txt" "$tmp/lb.yaml"
expect_has "stats --prometheus $tmp/x.prom --" --interval --count --watch
# Nothing after an unknown command, nor a bad lb command.
expect "nosuch " ""
expect "lb nosuch " ""

((fail)) && exit 1
echo ok
