#!/usr/bin/env bash
# On the dev machine: fills DIR (ignored by git) with what the GPU machine
# needs for the A/B of exec-gemm-gelu on gpt2-124m bf16 (micro-batch 16,
# global batch 16: one micro-step per step): the emitted CUDA (plain and
# --profile) of BASE, a built ptc tree without the pass (gemm + gelu
# kernels), with BASE's runtime headers and libraries under before/, and of
# this tree (GELU in the cuBLASLt epilogues) with its own under after/ (debug
# info stripped), this tree's kernel tests and Tiny Shakespeare shards. Then,
# with carry DIR on a one-GPU machine: bash DIR/run.sh
#   usage: prepare.sh BASE_ROOT DIR
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
base=$1 dir=$2
mkdir -p "$dir"/src "$dir"/bin
python3 - "$root/models/gpt2-124m.json" "$dir/src/gpt2-g16.json" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["training"]["global_batch_size"] = 16
json.dump(spec, open(sys.argv[2], "w"), indent=1)
PY
for v in before after; do
  tree=$root; [ $v = before ] && tree=$base
  p=$tree/build/bin/ptc
  "$p" compile "$dir/src/gpt2-g16.json" --emit=cuda -o "$dir/src/$v.cu"
  "$p" compile "$dir/src/gpt2-g16.json" --emit=cuda --profile -o "$dir/src/$v-prof.cu"
  mkdir -p "$dir/$v/libs" "$dir/$v/inc"
  for lib in Train Data Dist CPU CUDA; do
    cp "$tree/build/lib/libPTCRuntime$lib.a" "$dir/$v/libs/"
    strip --strip-debug "$dir/$v/libs/libPTCRuntime$lib.a"
  done
  (cd "$tree" && find runtime \( -name '*.h' -o -name '*.cuh' \) -exec cp --parents {} "$dir/$v/inc/" \;)
done
cp "$root/build/bin/ptc-cuda-tests" "$dir/bin/" && strip "$dir/bin/ptc-cuda-tests"
[ -d "$dir/data" ] || "$root/build/bin/ptc" data "$root/data/tinyshakespeare.txt" -o "$dir/data"
cp "$root/scripts/gpu-link.sh" "$root/scripts/gpu-gemm/run.sh" "$dir/"
du -sh "$dir"
