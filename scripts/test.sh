#!/usr/bin/env bash
# Set-up, build and every test (lit + GoogleTest, through ctest).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
ctest --test-dir "${PTC_BUILD_DIR:-$root/build}" --output-on-failure -j "$(nproc)" "$@"
