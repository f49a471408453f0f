#!/usr/bin/env bash
# The single-GPU benchmark, part 1, on the dev machine: fills DIR (default
# bench-run/, ignored by git) with everything one GPU call needs to time
# ptc beside PyTorch + torch.compile and llm.c on the same card:
#   - ptc's cuda programs of the usual sizes (gpt2-124m and gpt2-350m at
#     micro-batch 16, gpt-1.3b at 8; one micro-batch per step), built here
#     (a binary linked against /usr/local/cuda runs there);
#   - Tiny Shakespeare token shards (ptc's and llm.c's format);
#   - bench/: a copy of ../shared/bench (torch_gpt.py, the PyTorch baseline);
#   - llm.c's train_gpt2cu, when LLMC=<llm.c checkout> and
#     CUDNN_FRONTEND=<cudnn-frontend checkout> are given (built with
#     ../shared/bench/build_llmc.sh; its binary is reused when present);
#   - run.sh and report.py (this folder).
# Then, on the GPU machine (run's carry: ["DIR"]): bash DIR/run.sh
#   usage: prepare.sh [DIR] [--models gpt2-124m,gpt2-350m,gpt-1.3b] [--profile]
# (also gpt2-774m and gpt2-1.5b, the GPT-2 shapes llm.c trains as d36, d48)
# --profile also builds each program with `ptc compile --profile` (time per
# kernel at exit) as <model>-profile.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/bench-run
models=gpt2-124m,gpt2-350m,gpt-1.3b
profile=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --models) models=$2; shift 2 ;;
    --profile) profile=1; shift ;;
    -*) echo "prepare.sh: unknown option $1 (allowed: --models LIST, --profile)" >&2; exit 1 ;;
    *) dir=$1; shift ;;
  esac
done
ptc=$root/build/bin/ptc
[[ -x $ptc ]] || { echo "prepare.sh: $ptc is missing: build ptc first (scripts/build.sh)" >&2; exit 1; }
rm -rf "$dir" && mkdir -p "$dir"
IFS=, read -r -a names <<< "$models"
for name in "${names[@]}"; do
  case $name in
    gpt2-124m|gpt2-350m) micro=16 ;;
    gpt-1.3b|gpt2-774m|gpt2-1.5b) micro=8 ;;
    *) echo "prepare.sh: unknown model '$name' (allowed: gpt2-124m, gpt2-350m, gpt2-774m, gpt2-1.5b, gpt-1.3b)" >&2; exit 1 ;;
  esac
  # One micro-batch per step: the step PyTorch and llm.c time.
  python3 - "$root/models/$name.json" "$dir/$name.json" "$micro" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["training"]["micro_batch_size"] = int(sys.argv[3])
spec["training"]["global_batch_size"] = int(sys.argv[3])
json.dump(spec, open(sys.argv[2], "w"), indent=1)
PY
  "$ptc" compile "$dir/$name.json" --target=cuda -o "$dir/$name"
  if [[ $profile == 1 ]]; then
    "$ptc" compile "$dir/$name.json" --target=cuda --profile -o "$dir/$name-profile"
  fi
done
rm -f "$dir"/*.cu
# Debug sections are most of a binary; the device call carries 64 MiB at most.
for name in "${names[@]}"; do
  strip "$dir/$name"
  if [[ $profile == 1 ]]; then strip "$dir/$name-profile"; fi
done
"$ptc" data "$root/data/tinyshakespeare.txt" -o "$dir/data" > /dev/null
mkdir -p "$dir/bench"
cp "$root/../shared/bench/torch_gpt.py" "$root/../shared/bench/gemm_peak.py" "$dir/bench/"
if [[ -n ${LLMC:-} ]]; then
  [[ -x $LLMC/train_gpt2cu ]] ||
    bash "$root/../shared/bench/build_llmc.sh" "$LLMC" "${CUDNN_FRONTEND:?CUDNN_FRONTEND must name a cudnn-frontend checkout}"
  cp "$LLMC/train_gpt2cu" "$dir/"
fi
cp "$root/scripts/benchmark/run.sh" "$root/scripts/benchmark/report.py" "$dir/"
echo "$models" > "$dir/models.txt"
du -sh "$dir"
