#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# scripts/fuzz.sh TARGET [SECONDS]
#
# Runs one libFuzzer target (lb_config, params, command) for SECONDS
# (default 300) over its seed corpus, in the build-fuzz/ directory
# (configured with clang and -DXR_FUZZ=ON if needed). New inputs collect in
# build-fuzz/fuzz/corpus/TARGET; a crash leaves crash-* in the current
# directory: fix the bug, then copy the input to fuzz/corpus/TARGET/ as a
# regression. Extra arguments go to the fuzzer (e.g. -jobs=2).
set -euo pipefail

cd "$(dirname "$0")/.."
if (($# < 1)); then
	echo "usage: scripts/fuzz.sh TARGET [SECONDS] [LIBFUZZER_ARGS...]" >&2
	exit 2
fi
target=$1
seconds=${2:-300}
shift $(($# < 2 ? $# : 2))
if [[ ! -d fuzz/corpus/$target ]]; then
	echo "Error: no fuzz target '$target' (see fuzz/corpus/)" >&2
	exit 2
fi

build=${XR_FUZZ_BUILD_DIR:-build-fuzz}
cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DXR_FUZZ=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target "fuzz_$target"
mkdir -p "$build/fuzz/corpus/$target"
dict=()
[[ -f fuzz/$target.dict ]] && dict=(-dict="fuzz/$target.dict")
exec "$build/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 "${dict[@]}" "$@" \
	"$build/fuzz/corpus/$target" "fuzz/corpus/$target"
