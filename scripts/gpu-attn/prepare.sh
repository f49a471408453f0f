#!/usr/bin/env bash
# On the dev machine: fills DIR (ignored by git) with what the GPU machine
# needs for the A/B of exec-attention-layout: the emitted CUDA of
# gpt2-124m and llama-small (plain and --profile for gpt2) from BASE, a ptc
# built without the pass (head permutes), and from this tree's ptc (strided
# attention), the runtime libraries and headers of this tree (debug info
# stripped), the kernel tests and Tiny Shakespeare shards. Then, with carry
# DIR on a one-GPU machine: bash DIR/run.sh
#   usage: prepare.sh BASE_PTC DIR
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
base=$1 dir=$2 ptc=$root/build/bin/ptc
mkdir -p "$dir"/src "$dir"/libs "$dir"/bin "$dir"/include
for v in base new; do
  p=$ptc; [ $v = base ] && p=$base
  "$p" compile "$root/models/gpt2-124m.json" --target=cuda --emit=cuda -o "$dir/src/$v.cu"
  "$p" compile "$root/models/gpt2-124m.json" --target=cuda --emit=cuda --profile -o "$dir/src/$v-prof.cu"
  "$p" compile "$root/models/llama-small.json" --target=cuda --emit=cuda -o "$dir/src/llama-$v.cu"
done
for lib in Train Data Dist CPU CUDA; do
  cp "$root/build/lib/libPTCRuntime$lib.a" "$dir/libs/"
  strip --strip-debug "$dir/libs/libPTCRuntime$lib.a"
done
(cd "$root" && find runtime \( -name '*.h' -o -name '*.cuh' \) -exec cp --parents {} "$dir/include/" \;)
cp "$root/build/bin/ptc-cuda-tests" "$dir/bin/" && strip "$dir/bin/ptc-cuda-tests"
[ -d "$dir/data" ] || "$ptc" data "$root/data/tinyshakespeare.txt" -o "$dir/data"
cp "$root/scripts/gpu-link.sh" "$root/scripts/gpu-attn/run.sh" "$dir/"
du -sh "$dir"
