#!/usr/bin/env bash
# The single-GPU benchmark, part 2, on the GPU machine, in the folder that
# prepare.sh filled: each model of models.txt with ptc (the program built
# for it), PyTorch + torch.compile (bench/torch_gpt.py, bf16 autocast, fused
# AdamW) and llm.c (train_gpt2cu, when present and the model has a GPT-2
# shape), one after the other on the same card; then report.py writes
# results.md (a Markdown table) and results.json into $OUT (or results/).
#   usage: run.sh [--only ptc,torch,llmc] [--models LIST] [--steps N]
# (--models: some of the prepared ones, e.g. to fit a call's time limit)
# Each run's raw output stays in results/raw/. Every number is the median
# step time of the steps after the warm-up (ptc: steps 11..N; PyTorch: 30
# steps after 8 of warm-up; llm.c: steps 11..N).
set -u
cd "$(dirname "$0")"
only=ptc,torch,llmc
steps=30
models_arg=$(cat models.txt)
while [[ $# -gt 0 ]]; do
  case $1 in
    --only) only=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --models) models_arg=$2; shift 2 ;;
    *) echo "run.sh: unknown option $1 (allowed: --only LIST, --models LIST, --steps N)" >&2; exit 1 ;;
  esac
done
out=${OUT:-results}
mkdir -p "$out/raw"
card=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
echo "== card: $card"
want() { [[ ",$only," == *",$1,"* ]]; }
IFS=, read -r -a models <<< "$models_arg"
for m in "${models[@]}"; do
  spec=$(python3 -c "import json; s=json.load(open('$m.json')); print(s['model']['layers'], s['model']['hidden'], s['model']['heads'], s['training']['micro_batch_size'], s['model']['seq_len'])")
  read -r layers hidden heads micro seq <<< "$spec"
  if want ptc; then
    echo "== ptc $m"
    ./"$m" --data 'data/train_*.bin' --steps "$steps" --log "$out/raw/ptc-$m.jsonl" \
      > "$out/raw/ptc-$m.txt" 2>&1 || echo "ptc $m failed: see $out/raw/ptc-$m.txt"
    tail -2 "$out/raw/ptc-$m.txt"
  fi
  if want torch; then
    echo "== pytorch+compile $m"
    (cd bench && python3 torch_gpt.py --layers "$layers" --hidden "$hidden" --heads "$heads" \
      --micro-batch "$micro" --seq "$seq" --compile) > "$out/raw/torch-$m.txt" 2>&1 ||
      echo "pytorch $m failed: see $out/raw/torch-$m.txt"
    grep '^{' "$out/raw/torch-$m.txt" || tail -3 "$out/raw/torch-$m.txt"
  fi
  if want llmc && [[ -x train_gpt2cu ]]; then
    # llm.c names models by depth: GPT-2's four sizes (d12 768, d24 1024,
    # d36 1280, d48 1600 channels), else 64 channels per layer.
    case $layers in 12) gpt2=768 ;; 24) gpt2=1024 ;; 36) gpt2=1280 ;; 48) gpt2=1600 ;; *) gpt2=$((64 * layers)) ;; esac
    if [[ $hidden == "$gpt2" ]]; then
      echo "== llm.c $m (d$layers)"
      ./train_gpt2cu -e "d$layers" -i 'data/train_*.bin' -j 'data/val_*.bin' -b "$micro" \
        -t "$seq" -d $((micro * seq)) -x "$steps" -v 100000 -s 0 > "$out/raw/llmc-$m.txt" 2>&1 ||
        echo "llm.c $m failed: see $out/raw/llmc-$m.txt"
      grep -E "^step +$steps/" "$out/raw/llmc-$m.txt" | tail -1
    else
      echo "== llm.c $m: llm.c's d$layers has $gpt2 channels, not $hidden; skipped"
    fi
  fi
done
python3 report.py --card "$card" --raw "$out/raw" --models "$models_arg" --out "$out"
