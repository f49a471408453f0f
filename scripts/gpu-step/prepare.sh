#!/usr/bin/env bash
# On the dev machine: fills DIR (default gpu-step/, ignored by git) with what
# one GPU needs to check the compiled step function (ABI 5) and the NaN
# stop on the cuda target: the CUDA sources of tiny (fp32), of a diverging
# tiny (lr 50, no clipping) and of gpt2-124m (bf16, micro-batch 16) emitted
# by this build (after/) and, when BEFORE_PTC names a ptc built from the
# commit before the change with its source tree at BEFORE_SRC, by that one
# (before/), each with its runtime headers and libraries; the kernel tests;
# Tiny Shakespeare shards and the cpu target's log of tiny as the reference.
# Then, on the GPU machine (carry DIR): bash DIR/run.sh
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$root/gpu-step}
ptc=$root/build/bin/ptc
rm -rf "$dir" && mkdir -p "$dir"
python3 - "$root/models/gpt2-124m.json" "$dir/gpt2.json" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["training"]["micro_batch_size"] = 16
spec["training"]["global_batch_size"] = 16
json.dump(spec, open(sys.argv[2], "w"), indent=1)
PY
emit() { # VERSION PTC SRC LIBDIR
  mkdir -p "$dir/$1/libs"
  "$2" compile "$root/models/tiny.json" --emit=cuda -o "$dir/$1/tiny.cu"
  "$2" compile "$root/test/Integration/parallel/Inputs/tiny-diverge-one.json" \
    --emit=cuda -o "$dir/$1/diverge.cu"
  "$2" compile "$dir/gpt2.json" --emit=cuda -o "$dir/$1/gpt2.cu"
  cp -r "$3/runtime" "$dir/$1/include-runtime"
  for lib in Train Data Dist CPU CUDA; do
    cp "$4/libPTCRuntime$lib.a" "$dir/$1/libs/"
    strip --strip-debug "$dir/$1/libs/libPTCRuntime$lib.a"
  done
}
emit after "$ptc" "$root" "$root/build/lib"
if [[ -n ${BEFORE_PTC:-} ]]; then
  emit before "$BEFORE_PTC" "$BEFORE_SRC" "$(dirname "$BEFORE_PTC")/../lib"
fi
cp "$root/build/bin/ptc-cuda-tests" "$dir/" && strip "$dir/ptc-cuda-tests"
"$ptc" data "$root/data/tinyshakespeare.txt" -o "$dir/data" > /dev/null
"$ptc" compile "$root/models/tiny.json" --target=cpu -o "$dir/tiny-cpu" 2> /dev/null
"$dir/tiny-cpu" --data "$dir/data/train_*.bin" --steps 20 --quiet \
  --log "$dir/tiny-cpu.jsonl" > /dev/null
rm -f "$dir/tiny-cpu" "$dir/tiny-cpu.cpp"
cp "$root/scripts/gpu-link.sh" "$root/scripts/gpu-step/run.sh" "$dir/"
du -sh "$dir"
