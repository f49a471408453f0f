#!/usr/bin/env bash
# On two GPUs: dp=2 (overlapped buckets, merged all-reduces) and tp=2
# against one GPU, fp32, 20 steps.
set -u
source "$(dirname "$0")/common.sh"
bash build.sh g124-fp32-1 g124-fp32-dp2 g124-fp32-tp2 | tail -1
one g124-fp32-1 0 20
many g124-fp32-dp2 0,1 2 20; many g124-fp32-tp2 0,1 2 20
cmp g124-fp32-dp2 g124-fp32-1 "--steps 20 --rtol 1e-4"
cmp g124-fp32-tp2 g124-fp32-1 "--steps 20 --rtol 1e-4"
for f in logs/*.out; do echo "$f: $(grep -E '^trained' $f)"; done
