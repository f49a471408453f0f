#!/usr/bin/env bash
# exec-gemm-gelu on the GPU: gpt2-124m bf16 (micro-batch 16, global 16)
# emitted by main's ptc (before: gemm + gelu kernels) and by gemm-epilogue
# (after: GELU in the cuBLASLt epilogues), each linked with its own runtime
# headers and libraries; runs the CUDA kernel tests, trains both 12 steps,
# compares losses and throughput, and profiles kernels.
set -u
cd "$(dirname "$0")"
export NCCL_NVLS_ENABLE=0
nvidia-smi --query-gpu=name --format=csv,noheader | head -1
source ./gpu-link.sh
mkdir -p logs
build() { v=${1%-prof}; ptc_link src/$1.cu bin/$1 $v/inc $v/libs; }
export -f build
t0=$(date +%s)
(printf '%s\n' before after before-prof after-prof | xargs -P 4 -I{} bash -c 'build {}'; echo "built in $(( $(date +%s) - t0 )) s") > logs/build.txt 2>&1 &
bp=$!
timeout 200 bin/ptc-cuda-tests > logs/tests.txt 2>&1; echo "kernel tests rc=$?"
grep -B2 -A8 "Failure" logs/tests.txt | head -60
grep -E "^\[  (PASSED|FAILED) |^\[  FAILED|tests ran|GemmGelu" logs/tests.txt | head -30
wait $bp; cat logs/build.txt
Q="--data data/train_*.bin"
export PTC_GEMM_VERBOSE=1
for n in before after before after; do timeout 100 bin/$n $Q --steps 12 --log logs/$n.jsonl > logs/$n.out 2>&1 || echo "FAILED $n: $(tail -3 logs/$n.out)"; grep -E "^step +12/" logs/$n.out | tail -1 | sed "s/^/$n: /"; done
grep "^ptc: gemm" logs/after.out | sort | uniq -c
for n in before after; do PTC_GEMM_AUTOTUNE=1 timeout 100 bin/$n $Q --steps 12 --log logs/$n-tuned.jsonl > logs/$n-tuned.out 2>&1 || echo "FAILED $n tuned"; grep -E "^step +12/" logs/$n-tuned.out | tail -1 | sed "s/^/$n autotuned: /"; done
python3 - <<'PY'
import json
def L(f):
    try: return [j for j in map(json.loads, open(f)) if 'loss' in j]
    except Exception as e: return []
A, B = L("logs/before.jsonl"), L("logs/after.jsonl")
la, lb = [x["loss"] for x in A], [x["loss"] for x in B]
print("steps", len(la), len(lb))
print("before", [round(x, 4) for x in la])
print("after ", [round(x, 4) for x in lb])
d = [abs(x - y) for x, y in zip(la, lb)]
print("max |diff| %.4g, rel %.3g" % (max(d or [float('nan')]), max([a / abs(x) for a, x in zip(d, la)] or [float('nan')])))
for k in ("tokens_per_s",):
    va = [x[k] for x in A if k in x]; vb = [x[k] for x in B if k in x]
    if va and vb: print("last %s: %.0f -> %.0f; median of steps 3..12: %.0f -> %.0f" % (k, va[-1], vb[-1], sorted(va[2:])[len(va[2:])//2], sorted(vb[2:])[len(vb[2:])//2]))
PY
for n in before-prof after-prof; do timeout 60 bin/$n $Q --steps 3 > logs/$n.out 2>&1 || echo "FAILED $n: $(tail -3 logs/$n.out)"; done
for n in before-prof after-prof; do echo "== $n"; grep -iE "gelu|gemm|reduce_leading|total" logs/$n.out | head -40; done
tar czf $OUT/logs.tgz logs
echo "done in $(( $(date +%s) - t0 )) s"
