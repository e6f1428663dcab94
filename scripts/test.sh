#!/usr/bin/env bash
# The README's test command: installs what the tests need (Debian packages,
# idempotent), configures, builds and runs every test through ctest.
# Extra arguments go to ctest, e.g. `scripts/test.sh -L unit`. Without
# any, the suite runs a second time under ASan/UBSan (build-asan/), with the
# fuzz targets (XR_FUZZ_SECONDS each, default 15); XR_TEST_SANITIZE=0 skips
# that.
set -euo pipefail

cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "Error: the tests build network namespaces and load XDP programs; run as root" >&2
	exit 1
fi

# shellcheck source=scripts/deps.sh
. scripts/deps.sh
xr_install_deps

build=${XR_BUILD_DIR:-build}
# XR_CMAKE_ARGS holds several words (e.g. -DCMAKE_BUILD_TYPE=Debug -DFOO=1).
# shellcheck disable=SC2086
cmake -S . -B "$build" ${XR_CMAKE_ARGS:-}
cmake --build "$build" -j "$(nproc)"

(cd "$build" && ctest --output-on-failure --timeout 600 "$@")

# Then the same suite built with ASan + UBSan (LeakSanitizer included), and
# the libFuzzer targets for a short while (docs/testing.md). Skipped when
# ctest got arguments (a selection of tests) or with XR_TEST_SANITIZE=0.
if (($# == 0)) && [[ ${XR_TEST_SANITIZE:-1} != 0 ]]; then
	asan=${XR_ASAN_BUILD_DIR:-build-asan}
	# A cache made with another compiler cannot switch to clang in place.
	if [[ -f $asan/CMakeCache.txt ]] &&
		! grep -q '^CMAKE_C_COMPILER:.*clang' "$asan/CMakeCache.txt"; then
		rm -rf "$asan/CMakeCache.txt" "$asan/CMakeFiles"
	fi
	# shellcheck disable=SC2086
	cmake -S . -B "$asan" -DCMAKE_C_COMPILER=clang -DXR_FUZZ=ON \
		-DXR_FUZZ_SECONDS="${XR_FUZZ_SECONDS:-15}" ${XR_CMAKE_ARGS:-}
	cmake --build "$asan" -j "$(nproc)"
	(cd "$asan" && ctest --output-on-failure --timeout 600 -L 'unit|bpf|netns|fuzz')
fi
