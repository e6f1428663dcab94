#!/usr/bin/env bash
# The README's test command: installs what the tests need (Debian packages,
# idempotent), configures, builds and runs every test through ctest.
# Extra arguments go to ctest, e.g. `scripts/test.sh -L unit`.
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

cd "$build"
ctest --output-on-failure --timeout 600 "$@"
