#!/usr/bin/env bash
# exec-coalesce on the GPU: the kernel test, fp32 curves against the
# previous build's logs (old/: g124-fp32-1.jsonl and g124a-fp32-1.jsonl of
# overlap.sh check) and the parallel plans, then ptc throughput beside
# PyTorch on every GPU there is.
set -u
source "$(dirname "$0")/common.sh"
bash build.sh g124-fp32-1 g124-fp32-dp2 g124a-fp32-1 g124a-fp32-dp4 b124-dp1 b124-dp2 b124-dp4 b124-dp4-bk0 | tail -1
CUDA_VISIBLE_DEVICES=0 timeout 120 bin/ptc-cuda-tests --gtest_filter='*AdamW*:*SumSquares*:*Fill*' 2>&1 | tail -3
cmpf() { echo "-- $1 vs $2: $(python3 compare_logs.py $1 $2 $3 2>&1 | grep -E '^(loss|grad_norm) ' | tr '\n' ' ')"; }
one g124-fp32-1 0 20; one g124a-fp32-1 0 20; many g124-fp32-dp2 0,1 2 20
[ "$(nvidia-smi -L | wc -l)" -ge 4 ] && many g124a-fp32-dp4 0,1,2,3 4 20
cmpf logs/g124-fp32-1.jsonl old/g124-fp32-1.jsonl "--steps 20 --rtol 1e-4"
cmpf logs/g124a-fp32-1.jsonl old/g124a-fp32-1.jsonl "--steps 20 --rtol 1e-4"
cmpf logs/g124-fp32-dp2.jsonl logs/g124-fp32-1.jsonl "--steps 20 --rtol 1e-4"
[ -f logs/g124a-fp32-dp4.jsonl ] && cmpf logs/g124a-fp32-dp4.jsonl logs/g124a-fp32-1.jsonl "--steps 20 --rtol 1e-4"
for f in logs/*.out; do echo "$f: $(grep -E '^trained' $f)"; done
G=$(nvidia-smi -L | wc -l)
for b in b124-dp1 b124-dp2 b124-dp4 b124-dp4-bk0; do
  n=${b#b124-dp}; n=${n%%-*}; [ $n -gt $G ] && continue
  echo "== ptc $b"; timeout 120 $BMPI -np $n bin/$b $D --steps 12 2>&1 | last
done
torch_gpt2 $G
torch_gpt2 1
