#!/usr/bin/env bash
# Checkpoints on one GPU (issue 15): gpt2-124m (bf16, micro-batch 16) trained
# 20 steps straight, twice (how deterministic the cuda program is run to
# run), and 10 steps + a checkpoint + --resume auto to 20: the losses and
# grad norms of steps 11-20 compared with the straight run's, bit for bit;
# then the save time gpt-1.3b logs (in the background, and the last step's
# written straight away). Run in a folder that scripts/benchmark/prepare.sh
# filled (--models gpt2-124m,gpt-1.3b).
set -u
cd "$(dirname "$0")"
echo "== card: $(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)"
rm -rf ck ck13 && mkdir -p logs
d=(--data 'data/train_*.bin')
./gpt2-124m "${d[@]}" --steps 20 --quiet --log logs/straight.jsonl | tail -1
./gpt2-124m "${d[@]}" --steps 20 --quiet --log logs/straight2.jsonl | tail -1
./gpt2-124m "${d[@]}" --steps 10 --quiet --checkpoint-dir ck --log logs/first.jsonl | tail -2
./gpt2-124m "${d[@]}" --steps 20 --quiet --checkpoint-dir ck --resume auto --log logs/resumed.jsonl | tail -2
python3 - <<'PY'
import json
def steps(f):
    return {r["step"]: r for r in map(json.loads, open(f)) if "loss" in r and "step" in r and "ms" in r}
a, a2, b = steps("logs/straight.jsonl"), steps("logs/straight2.jsonl"), steps("logs/resumed.jsonl")
def compare(x, y, name):
    same = [k for k in range(11, 21) if x[k]["loss"] == y[k]["loss"] and x[k]["grad_norm"] == y[k]["grad_norm"]]
    rel = max(abs(x[k]["loss"] - y[k]["loss"]) / abs(x[k]["loss"]) for k in range(11, 21))
    print(f"{name}: steps 11-20 bitwise equal in {len(same)}/10 (loss and grad norm); max rel loss diff {rel:.3e}")
compare(a, a2, "straight vs straight again")
compare(a, b, "straight vs 10 + resume 10")
PY
./gpt-1.3b "${d[@]}" --steps 4 --checkpoint-dir ck13 --checkpoint-every 2 --log logs/gpt13.jsonl 2>&1 | grep -iE "checkpoint|saved|trained"
grep '"checkpoint"' logs/gpt13.jsonl
du -sh ck13/* 2>/dev/null | tail -2
rm -rf ck ck13
