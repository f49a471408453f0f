#!/usr/bin/env bash
# exec-attention-layout on the GPU: builds gpt2-124m and llama-small from the
# emitted CUDA of main's compiler (base: head permutes) and of attn-layout
# (new: strided attention), same runtime libraries; runs the CUDA attention
# tests, trains each a few steps, compares losses, and profiles kernels.
set -u
cd "$(dirname "$0")"
export NCCL_NVLS_ENABLE=0
nvidia-smi --query-gpu=name --format=csv,noheader | head -1
source ./gpu-link.sh
mkdir -p logs
build() { ptc_link src/$1.cu bin/$1 include libs; }
export -f build
t0=$(date +%s)
ls src/*.cu | xargs -n1 basename | sed 's/\.cu$//' | xargs -P 6 -I{} bash -c 'build {}'
echo "built in $(( $(date +%s) - t0 )) s"
timeout 120 bin/ptc-cuda-tests --gtest_filter='CudaKernels.Attention*:CudaKernelSignatures*' 2>&1 | grep -E "^\[  (PASSED|FAILED) |FAILED|tests ran"
Q="--data data/train_*.bin --quiet"
for n in base new; do timeout 100 bin/$n $Q --steps 12 --log logs/$n.jsonl > logs/$n.out 2>&1 || echo "FAILED $n: $(tail -3 logs/$n.out)"; done
for n in llama-base llama-new; do timeout 60 bin/$n $Q --steps 12 --log logs/$n.jsonl > logs/$n.out 2>&1 || echo "FAILED $n: $(tail -3 logs/$n.out)"; done
python3 - <<'PY'
import json
def L(f):
    try: return [j for j in map(json.loads, open(f)) if 'loss' in j]
    except Exception as e: return []
for a, b in [("base", "new"), ("llama-base", "llama-new")]:
    A, B = L(f"logs/{a}.jsonl"), L(f"logs/{b}.jsonl")
    la, lb = [x["loss"] for x in A], [x["loss"] for x in B]
    print(a, "vs", b, "steps", len(la), len(lb), "identical" if la == lb and la else "max |diff| %.3g" % max([abs(x - y) for x, y in zip(la, lb)] or [float('nan')]))
    print("  losses", [round(x, 4) for x in la[:3]], "...", [round(x, 4) for x in la[-2:]], "|", [round(x, 4) for x in lb[-2:]])
    keys = [k for k in (A[-1] if A else {}) if "ms" in k or "tok" in k or "time" in k]
    for k in keys:
        va = sorted(x[k] for x in A[2:] if k in x); vb = sorted(x[k] for x in B[2:] if k in x)
        if va and vb: print("  median %s: %s -> %s" % (k, va[len(va)//2], vb[len(vb)//2]))
PY
for n in base-prof new-prof; do timeout 60 bin/$n $Q --steps 3 > logs/$n.out 2>&1 || echo "FAILED $n: $(tail -3 logs/$n.out)"; done
cp logs/*.out logs/*.jsonl $OUT/ 2>/dev/null
for n in base-prof new-prof; do echo "== $n"; grep -iE "permute|attention|total|fill" logs/$n.out | head -12; done
echo "done in $(( $(date +%s) - t0 )) s"
