#!/usr/bin/env bash
# On the dev machine: fills DIR (default gpu-run4/, ignored by git) with what
# the GPU machine needs to check and time the parallel plans there: the
# emitted CUDA sources of every spec of specs.py and of tiny (1 GPU, tp=2 x
# dp=2, tp=4), the runtime libraries (debug info stripped), the kernel tests,
# Tiny Shakespeare shards, compare_logs.py, a copy of ../shared/bench, and
# these scripts. Then, on a 4-GPU machine (run with carry DIR):
#   bash DIR/build.sh && bash DIR/check-plans-4gpu.sh
# ONLY="spec names" emits only those specs.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$root/gpu-run4}
ptc=$root/build/bin/ptc
mkdir -p "$dir"/src "$dir"/libs "$dir"/bin
python3 "$root/scripts/gpu-parallel/specs.py" "$root/models" "$dir/src"
python3 - "$root/models/tiny.json" "$dir/src" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
for name, plan in [("tiny-1", {}), ("tiny-tp2dp2", {"tp": 2, "dp": 2}), ("tiny-tp4", {"tp": 4})]:
    spec["parallel"] = dict({"tp": 1, "pp": 1, "dp": 1}, **plan)
    json.dump(spec, open(f"{sys.argv[2]}/{name}.json", "w"), indent=1)
PY
# ONLY="name ...": emit just these specs (the others take minutes).
for spec in "$dir"/src/*.json; do
  name=$(basename "$spec" .json)
  [[ -n ${ONLY:-} && " $ONLY " != *" $name "* ]] && continue
  flags=()
  [[ $spec == *-zw.json ]] && flags=(--zero-whole-copies)
  "$ptc" compile "$spec" --emit=cuda "${flags[@]}" -o "${spec%.json}.cu"
done
for lib in Train Data Dist CPU CUDA; do
  cp "$root/build/lib/libPTCRuntime$lib.a" "$dir/libs/"
  strip --strip-debug "$dir/libs/libPTCRuntime$lib.a"
done
cp "$root/build/bin/ptc-cuda-tests" "$dir/bin/" && strip "$dir/bin/ptc-cuda-tests"
[ -d "$dir/data" ] || "$ptc" data "$root/data/tinyshakespeare.txt" -o "$dir/data"
cp "$root/test/reference/compare_logs.py" "$root"/scripts/gpu-parallel/*.sh \
  "$root/scripts/gpu-link.sh" "$dir/"
rm -rf "$dir/bench" && cp -r "$root/../shared/bench" "$dir/bench"
du -sh "$dir"
