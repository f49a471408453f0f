#!/usr/bin/env bash
# One call on a 2-GPU machine after prepare.sh: the CUDA kernel tests of the
# build, ZeRO-1 with sharded masters against one GPU (fp32, 20 steps: every
# master a chunk through --zero-whole-copies, and the default where fp32
# shards none) and against dp=2 without ZeRO (bf16, 200 steps), then
# gpt2-124m bf16 micro-batch 16 throughput: ptc 1 GPU, dp=2, dp=2 + ZeRO-1
# beside PyTorch (torch_gpt.py --compile) on 1 GPU and DDP on 2.
set -u
source "$(dirname "$0")/common.sh"
G=$(nvidia-smi -L | wc -l)
echo "$G GPUs"
el build
bash build.sh g124-fp32-1 g124-fp32-dp2zw g124-fp32-dp2z g124-bf16-dp2 \
  g124-bf16-dp2z b124-dp1 b124-dp2 b124-dp2z | tail -1
el kernel-tests
timeout 240 bin/ptc-cuda-tests 2>&1 | grep -E "^\[  (PASSED|FAILED) |tests ran" | head -20
el zero
one g124-fp32-1 0 20 & many g124-fp32-dp2zw 0,1 2 20; wait
many g124-fp32-dp2z 0,1 2 20
cmp g124-fp32-dp2zw g124-fp32-1 "--steps 20 --rtol 1e-4"
cmp g124-fp32-dp2z g124-fp32-1 "--steps 20 --rtol 1e-4"
many g124-bf16-dp2 0,1 2 200; many g124-bf16-dp2z 0,1 2 200
echo "-- g124-bf16-dp2z vs g124-bf16-dp2, 200 steps: $(python3 compare_logs.py logs/g124-bf16-dp2z.jsonl logs/g124-bf16-dp2.jsonl --curve --window 50 --rtol 0.02 2>&1 | grep -E '^loss')"
for f in logs/g124*.out; do echo "$f: $(grep -E '^trained' $f)"; done
el bench
for b in b124-dp1 b124-dp2 b124-dp2z b124-dp1 b124-dp2; do
  n=${b#b124-dp}; n=${n%z}
  echo "== ptc $b"
  timeout 90 $BMPI -np $n bin/$b $D --steps 12 2>&1 | grep -E "^step +12/|^ +(parameters|optimizer state|total) " | tail -6
done
el torch
torch_gpt2 $G
torch_gpt2 1
el done
