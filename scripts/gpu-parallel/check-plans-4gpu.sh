#!/usr/bin/env bash
# Plan equivalence on 4 GPUs (fp32, 20 steps; bf16 curves over 200) for
# gpt2-124m and gpt-1.3b, then throughput.
set -u
source "$(dirname "$0")/common.sh"
el smoke
many tiny-tp2dp2 0,1,2,3 4 5; many tiny-tp4 0,1,2,3 4 5; one tiny-1 0 5
cmp tiny-tp2dp2 tiny-1 "--steps 5 --rtol 1e-5"; cmp tiny-tp4 tiny-1 "--steps 5 --rtol 1e-5"
el phase 2
(CUDA_VISIBLE_DEVICES=3 timeout 200 bin/ptc-cuda-tests > logs/tests.out 2>&1; one g124-bf16-1 3 200; one g124-fp32-1 3 20) &
A=$!
(one g13-fp32-1 2 20; one g13-bf16-1 2 200) &
B=$!
many g124-fp32-tp2 0,1 2 20; many g124-fp32-dp2 0,1 2 20
wait $A $B
tail -1 logs/tests.out
el 4-GPU runs
for r in g124-fp32-tp2dp2:20 g124-fp32-all:20 g124-fp32-tp4:20 g124-bf16-tp2dp2:200 g13-fp32-tp2dp2:20 g13-fp32-tp4:20 g13-bf16-tp2dp2:200; do many ${r%:*} 0,1,2,3 4 ${r#*:}; done
el compare
for p in tp2 dp2 tp2dp2 all tp4; do cmp g124-fp32-$p g124-fp32-1 "--steps 20 --rtol 1e-4"; done
for p in tp2dp2 tp4; do cmp g13-fp32-$p g13-fp32-1 "--steps 20 --rtol 1e-4"; done
for m in g124 g13; do echo "-- $m bf16 tp2dp2 vs 1 GPU, 200 steps: $(python3 compare_logs.py logs/$m-bf16-tp2dp2.jsonl logs/$m-bf16-1.jsonl --curve --window 50 --rtol 0.02 2>&1 | grep -E '^loss' )"; done
for f in logs/*.out; do echo "$f: $(grep -E '^trained' $f)"; done
mkdir -p $OUT && cp logs/*.jsonl $OUT/ 2>/dev/null
el bench
bash bench.sh
el done
