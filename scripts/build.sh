#!/usr/bin/env bash
# Configures (once) and builds ptc into ${PTC_BUILD_DIR:-build} with Ninja.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PTC_BUILD_DIR:-$root/build}
if [[ ! -f $build/build.ninja ]]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=${PTC_BUILD_TYPE:-RelWithDebInfo}
fi
ninja -C "$build" ${PTC_NINJA_FLAGS:-}
