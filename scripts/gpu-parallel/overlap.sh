#!/usr/bin/env bash
# The GPU check of the bucketed gradient reduction overlapped with the
# backward (4 GPUs): plan equivalence in fp32 (20 steps, with and without
# gradient accumulation, gpt2-124m and gpt-1.3b) and bf16 (200 steps), then
# throughput of ptc dp=1/2/4 and bucket sizes beside PyTorch DDP. Run after
# build.sh with the programs it names. `overlap.sh check` or `overlap.sh
# bench` runs one half (each fits one 10-minute device call).
set -u
phase=${1:-all}
source "$(dirname "$0")/common.sh"
if [ "$phase" != bench ]; then
el smoke
many tiny-tp2dp2 0,1,2,3 4 5; one tiny-1 0 5
cmp tiny-tp2dp2 tiny-1 "--steps 5 --rtol 1e-5"
el single-GPU references
(one g124-fp32-1 0 20; one g124a-fp32-1 0 20) &
(one g13-fp32-1 1 20) &
(one g124-bf16-1 2 200) &
wait
el parallel runs
many g124-fp32-dp2 0,1 2 20 & many g124a-fp32-dp2 2,3 2 20 & wait
for r in g124a-fp32-dp4:20 g124-fp32-tp2dp2:20 g13-fp32-tp2dp2:20 g124-bf16-tp2dp2:200; do many ${r%:*} 0,1,2,3 4 ${r#*:}; done
el compare
for p in dp2 tp2dp2; do cmp g124-fp32-$p g124-fp32-1 "--steps 20 --rtol 1e-4"; done
for p in dp2 dp4; do cmp g124a-fp32-$p g124a-fp32-1 "--steps 20 --rtol 1e-4"; done
cmp g13-fp32-tp2dp2 g13-fp32-1 "--steps 20 --rtol 1e-4"
echo "-- g124 bf16 tp2dp2 vs 1 GPU, 200 steps: $(python3 compare_logs.py logs/g124-bf16-tp2dp2.jsonl logs/g124-bf16-1.jsonl --curve --window 50 --rtol 0.02 2>&1 | grep -E '^loss')"
for f in logs/*.out; do echo "$f: $(grep -E '^trained' $f)"; done
mkdir -p ${OUT:-out} && cp logs/*.jsonl ${OUT:-out}/ 2>/dev/null
fi
[ "$phase" = check ] && { el done; exit 0; }
el bench
for b in b124-dp1 b124-dp2 b124-dp2-bk0 b124-dp4 b124-dp4-bk0 b124-dp4-bk10 b124-dp4-bk100; do
  n=${b#b124-dp}; n=${n%%-*}
  echo "== ptc $b"; timeout 120 $BMPI -np $n bin/$b $D --steps 12 2>&1 | last
done
torch_gpt2 4
torch_gpt2 2
torch_gpt2 1
el done
