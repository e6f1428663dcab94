#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# json_schema.sh CLI PYTHON - the JSON documentation against the binary,
# for what runs without root: docs/json.md is generated from
# docs/schema/*.json as committed; `help`, `--version` and errors (bad
# command, bad option, nothing attached) match their schemas, and a schema
# that does not fit is noticed. The commands that need a router are
# validated by netns-tests/test_json_schema.sh.
set -u
cli=$1 py=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
tool="$py $top/docs/schema/schema_tool.py"
schema=$top/docs/schema
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }

$tool check-markdown || err "docs/json.md is not generated from the schemas"

# valid SCHEMA ARGS...: the output of `CLI ARGS...` matches SCHEMA.
valid()
{
	local s=$1 out
	shift
	out=$("$cli" "$@" 2>/dev/null)
	$tool validate "$schema/$s.json" <<<"$out" ||
		err "'xdp-router $*' does not match $s.json: $out"
}

valid help --json help
valid help -j h
valid version --json --version
valid version --pretty --version
# Global options in any order: JSON whenever --json is among them.
valid help --json -h
valid help -h --json
valid version --version --json
valid version -V -j
valid error --json nosuch
valid error --json --bogus status
valid error --json --pin-path /nonexistent/xr status
valid error --json stats --interval 0
valid error --json lb nosuch
valid error --json stats --watch
valid error --json stats --watch --prometheus /tmp/x.prom

# The checker can fail: a member missing, an extra one, a wrong type.
for bad in '{}' '{"error":"x","more":1}' '{"error":1}' '[]'; do
	$tool validate "$schema/error.json" <<<"$bad" 2>/dev/null &&
		err "error.json accepts $bad"
done
$tool validate "$schema/help.json" <<<'{"commands":[{"name":"x"}]}' 2>/dev/null &&
	err "help.json accepts a command without summary"

((fail)) && exit 1
echo ok
