#!/usr/bin/env bash
# The main job: set-up, build, then compile a shipped spec into an executable
# and train it on the shipped text (Tiny Shakespeare, byte-level tokens): on
# the GPU (the cuda target) when nvidia-smi finds one, else on the cpu
# reference target. PTC_TARGET=cpu|cuda overrides the choice.
# Usage: scripts/main.sh [SPEC] [extra flags for the executable]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PTC_BUILD_DIR:-$root/build}
spec=${1:-$root/models/tiny.json}
shift || true
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
out=${PTC_RUN_DIR:-$(mktemp -d)}
target=${PTC_TARGET:-cpu}
if [ -z "${PTC_TARGET:-}" ] && nvidia-smi -L > /dev/null 2>&1; then
  target=cuda
fi
name=$(basename "$spec" .json)
echo "== ptc data $root/data/tinyshakespeare.txt -o $out/data"
"$build/bin/ptc" data "$root/data/tinyshakespeare.txt" -o "$out/data" --force
echo "== ptc plan $spec --target=$target"
"$build/bin/ptc" plan "$spec" --target="$target"
echo "== ptc compile $spec --target=$target -o $out/$name"
"$build/bin/ptc" compile "$spec" --target="$target" -o "$out/$name"
echo "== $out/$name --data '$out/data/train_*.bin' --val-data '$out/data/val_*.bin' --log $out/$name.jsonl $*"
"$out/$name" --data "$out/data/train_*.bin" --val-data "$out/data/val_*.bin" \
  --log "$out/$name.jsonl" "$@"
echo "metrics (JSON lines): $out/$name.jsonl"
