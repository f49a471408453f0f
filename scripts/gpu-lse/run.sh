#!/usr/bin/env bash
# attn-lse on the GPU: links gpt2-124m bf16 (micro-batch 16, global batch 16)
# from the CUDA emitted before (bf16 lse) and after (f32 lse) with each one's
# runtime headers and libraries; runs the CUDA kernel tests of the after
# build; trains both 50 steps and compares the losses and tokens/s. Its
# folder holds before/ and after/ (gpt2.cu, include/, libs/), the kernel
# tests, the data shards and scripts/gpu-link.sh.
set -u
cd "$(dirname "$0")"
export NCCL_NVLS_ENABLE=0
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1
source ./gpu-link.sh
mkdir -p logs bin
build() { ptc_link $1/gpt2.cu bin/$1 $1/include $1/libs; }
t0=$(date +%s)
build before & build after &
chmod +x ptc-cuda-tests
timeout 420 ./ptc-cuda-tests > logs/cuda-tests.txt 2>&1; echo "ptc-cuda-tests rc $?"
grep -E "^\[  (PASSED|FAILED) |^\[  FAILED|tests ran|attention lse" logs/cuda-tests.txt | head -30
wait
echo "tests+build in $(( $(date +%s) - t0 )) s"
for v in before after; do
  timeout 150 bin/$v --data data/train_*.bin --steps 50 --log logs/$v.jsonl --quiet > logs/$v.out 2>&1 || echo "FAILED $v: $(tail -3 logs/$v.out)"
done
python3 - <<'PY'
import json
def L(f):
    try: return [j for j in map(json.loads, open(f)) if 'loss' in j]
    except Exception as e: print(f, e); return []
A, B = L("logs/before.jsonl"), L("logs/after.jsonl")
la, lb = [x["loss"] for x in A], [x["loss"] for x in B]
print("steps", len(la), len(lb), "identical" if la == lb else "max |diff| %.4g" % max([abs(x - y) for x, y in zip(la, lb)] or [float('nan')]))
for i in [0, 1, 4, 9, 19, 29, 39, 49]:
    if i < min(len(la), len(lb)): print("  step %d loss %.5f -> %.5f  grad_norm %.4f -> %.4f" % (i + 1, la[i], lb[i], A[i]["grad_norm"], B[i]["grad_norm"]))
for k in ["tokens_per_s", "ms", "mem_bytes"]:
    if A and B:
        ma = sorted(x[k] for x in A[10:]); mb = sorted(x[k] for x in B[10:])
        print("  %s: last step %.1f -> %.1f; median steps 11-50 %.1f -> %.1f" % (k, A[-1][k], B[-1][k], ma[len(ma)//2], mb[len(mb)//2]))
PY
cp logs/*.jsonl logs/cuda-tests.txt logs/*.out $OUT/ 2>/dev/null
echo "done in $(( $(date +%s) - t0 )) s"
