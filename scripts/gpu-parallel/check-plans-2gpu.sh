#!/usr/bin/env bash
# The parallel plans on a 2-GPU machine, after `ONLY="..." prepare.sh`
# (the names below): the CUDA kernel tests; fp32
# plans against one GPU over 20 steps (gpt2-124m tp=2, dp=2, dp=2 + ZeRO-1
# with every master sharded; gpt-1.3b tp=2, dp=2); bf16 curves over 200
# steps (gpt2-124m tp=2, dp=2, dp=2 + ZeRO-1; gpt-1.3b tp=2, dp=2); then
# throughput: gpt2-124m bf16 micro-batch 16 on 1 GPU, dp=2 and dp=2 + ZeRO-1
# beside PyTorch (torch_gpt.py --compile, 1 GPU and DDP x2), gpt-1.3b tp=1
# and tp=2.
set -u
source "$(dirname "$0")/common.sh"
G=$(nvidia-smi -L | wc -l)
echo "$G GPUs"
el build
bash build.sh g124-fp32-1 g124-fp32-tp2 g124-fp32-dp2 g124-fp32-dp2zw \
  g13-fp32-1 g13-fp32-tp2 g13-fp32-dp2 g124-bf16-1 g124-bf16-tp2 \
  g124-bf16-dp2 g124-bf16-dp2z g13-bf16-1 g13-bf16-tp2 g13-bf16-dp2 \
  b124-dp1 b124-dp2 b124-dp2z b13-tp1 b13-tp2 | tail -1
el kernel-tests
timeout 240 bin/ptc-cuda-tests 2>&1 | grep -E "^\[  (PASSED|FAILED) |FAILED" | head -20
el fp32
one g124-fp32-1 0 20 & one g13-fp32-1 1 20; wait
for p in tp2 dp2 dp2zw; do many g124-fp32-$p 0,1 2 20; done
for p in tp2 dp2; do many g13-fp32-$p 0,1 2 20; done
for p in tp2 dp2 dp2zw; do cmp g124-fp32-$p g124-fp32-1 "--steps 20 --rtol 1e-4"; done
for p in tp2 dp2; do cmp g13-fp32-$p g13-fp32-1 "--steps 20 --rtol 1e-4"; done
el bf16
curve() { echo "-- $1 vs $2, 200 steps: $(python3 compare_logs.py logs/$1.jsonl logs/$2.jsonl --curve --window 50 --rtol 0.02 2>&1 | grep -E '^loss')"; }
one g124-bf16-1 0 200 & one g13-bf16-1 1 200; wait
for p in tp2 dp2 dp2z; do many g124-bf16-$p 0,1 2 200; done
for p in tp2 dp2; do many g13-bf16-$p 0,1 2 200; done
for p in tp2 dp2 dp2z; do curve g124-bf16-$p g124-bf16-1; done
for p in tp2 dp2; do curve g13-bf16-$p g13-bf16-1; done
for f in logs/g1*.out; do echo "$f: $(grep -E '^trained' $f)"; done
el bench
for b in b124-dp1 b124-dp2 b124-dp2z b124-dp1 b124-dp2 b124-dp2z b13-tp1 b13-tp2; do
  n=${b#*-[td]p}; n=${n%z}
  echo "== ptc $b"
  timeout 120 $BMPI -np $n bin/$b $D --steps 12 2>&1 | grep -E "^step +12/|^ +(optimizer state|total) " | tail -3
done
el torch
torch_gpt2 $G
torch_gpt2 1
el done
