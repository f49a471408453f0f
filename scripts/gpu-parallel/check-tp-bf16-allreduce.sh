#!/usr/bin/env bash
# bf16 tensor-parallel all-reduces (curves against one GPU over 200 steps;
# gpt-1.3b throughput with tp beside the same build's f32 all-reduces,
# b13-tp*-f32ar, emitted before the change), then ptc data parallel beside
# PyTorch DDP. Uses every GPU there
# is (2 or 4). After prepare.sh here; run from the carried folder.
set -u
source "$(dirname "$0")/common.sh"
G=$(nvidia-smi -L | wc -l)
echo "$G GPUs"
# SKIP_CURVES=1: throughput only.
B="b13-tp1 b13-tp2 b13-tp2-f32ar b124-dp1 b124-dp2"
[ -z "${SKIP_CURVES:-}" ] && B="$B g124-bf16-1 g124-bf16-tp2 g13-bf16-1 g13-bf16-tp2"
[ $G -ge 4 ] && B="$B b13-tp4 b13-tp4-f32ar b124-dp4"
bash build.sh $B | tail -1
curve() { echo "-- $1 vs $2, 200 steps: $(python3 compare_logs.py logs/$1.jsonl logs/$2.jsonl --curve --window 50 --rtol 0.02 2>&1 | grep -E '^loss')"; }
el curves
if [ -n "${SKIP_CURVES:-}" ]; then
  :
elif [ $G -ge 4 ]; then
  (one g124-bf16-1 0 200; one g13-bf16-1 0 200) & many g124-bf16-tp2 2,3 2 200; many g13-bf16-tp2 2,3 2 200; wait
else
  one g124-bf16-1 0 200; one g13-bf16-1 0 200; many g124-bf16-tp2 0,1 2 200; many g13-bf16-tp2 0,1 2 200
fi
if [ -z "${SKIP_CURVES:-}" ]; then
  curve g124-bf16-tp2 g124-bf16-1; curve g13-bf16-tp2 g13-bf16-1
  for f in logs/*.out; do echo "$f: $(grep -E '^trained' $f)"; done
fi
el bench
for b in b13-tp1 b13-tp2 b13-tp2-f32ar b13-tp4 b13-tp4-f32ar b124-dp1 b124-dp2 b124-dp4; do
  [ -x bin/$b ] || continue
  n=${b#*-[td]p}; n=${n%%-*}
  echo "== ptc $b"; timeout 90 $BMPI -np $n bin/$b $D --steps 12 2>&1 | last
done
el torch
torch_gpt2 $G
torch_gpt2 1
el done
