#!/usr/bin/env bash
# The main job: set-up, build, then compile a shipped spec and show what ptc
# made of it. Code generation and training arrive with the exec lowering and
# the CPU/CUDA targets; until then the job stops at the graph IR.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PTC_BUILD_DIR:-$root/build}
spec=${1:-$root/models/tiny.json}
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
out=$(mktemp -d)
echo "== ptc inspect $spec"
"$build/bin/ptc" inspect "$spec"
echo "== ptc compile $spec --emit=graph --dump-ir=$out/ir"
"$build/bin/ptc" compile "$spec" --emit=graph --dump-ir="$out/ir" -o "$out/graph.mlir"
ls "$out/ir"
echo "graph module: $out/graph.mlir ($(grep -c 'graph.layer' "$out/graph.mlir") layer units)"
