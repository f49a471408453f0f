#!/usr/bin/env bash
# ZeRO-1 with the overlapped in-place reduce-scatters on two GPUs: gpt2-124m
# fp32 dp=2 + ZeRO-1 against one GPU over 20 steps.
set -u
source "$(dirname "$0")/common.sh"
bash build.sh g124-fp32-1 g124-fp32-dp2z | tail -1
one g124-fp32-1 0 20 & many g124-fp32-dp2z 0,1 2 20; wait
cmp g124-fp32-dp2z g124-fp32-1 "--steps 20 --rtol 1e-4"
for f in logs/*.out; do echo "$f: $(grep -E '^trained' $f)"; done
