# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The CLI's error contract, checked through the real binary: sourced by the
# error tests. The caller sets RUN (the command, as an array), out and err
# (scratch files) and failures=0, and exits non-zero if failures > 0.

fail() {
	echo "FAIL: $*" >&2
	echo "  stdout: $(cat "$out")" >&2
	echo "  stderr: $(cat "$err")" >&2
	failures=$((failures + 1))
}

# expect_error PATTERN ARGS...: exactly one "Error: " line matching PATTERN
# on stderr and nothing on stdout, non-zero exit; then with --json exactly
# one {"error": ...} object on stdout and nothing on stderr.
expect_error() {
	local pattern=$1
	shift

	"${RUN[@]}" "$@" >"$out" 2>"$err"
	local rc=$?
	if [ $rc -eq 0 ]; then
		fail "'$*' exited 0"
	elif [ -s "$out" ]; then
		fail "'$*' wrote to stdout"
	elif [ "$(wc -l <"$err")" -ne 1 ] || ! grep -q '^Error: ' "$err"; then
		fail "'$*' did not print exactly one Error: line"
	elif ! grep -qE -- "$pattern" "$err"; then
		fail "'$*' error does not match /$pattern/"
	fi

	"${RUN[@]}" --json "$@" >"$out" 2>"$err"
	rc=$?
	if [ $rc -eq 0 ]; then
		fail "'--json $*' exited 0"
	elif [ -s "$err" ]; then
		fail "'--json $*' wrote to stderr"
	elif [ "$(wc -l <"$out")" -ne 1 ] ||
	     ! jq -e 'keys == ["error"] and (.error | test($p))' \
		--arg p "$pattern" "$out" >/dev/null 2>&1; then
		fail "'--json $*' did not print one {\"error\": /$pattern/} object"
	fi
}

# expect_ok ARGS...: exit 0 with something on stdout, nothing on stderr.
expect_ok() {
	"${RUN[@]}" "$@" >"$out" 2>"$err"
	local rc=$?
	if [ $rc -ne 0 ] || [ ! -s "$out" ] || [ -s "$err" ]; then
		fail "'$*' should succeed quietly on stdout (rc $rc)"
	fi
}
