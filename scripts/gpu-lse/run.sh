#!/usr/bin/env bash
# attn-lse on the GPU: links gpt2-124m bf16 (micro-batch 16, global batch 16)
# from the CUDA emitted before (bf16 lse) and after (f32 lse) with each one's
# runtime headers and libraries; runs the CUDA kernel tests of the after
# build; trains both 50 steps and compares the losses and tokens/s.
set -u
cd "$(dirname "$0")"
export NCCL_NVLS_ENABLE=0
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1
NCCL_LIB=$(dirname "$(find /usr/local/cuda/ /usr/lib /usr/local/lib /opt -name 'libnccl.so.2' 2>/dev/null | head -1)")
MPI_INC=$(mpicxx --showme:incdirs | tr ' ' '\n' | sed '/^$/d;s/^/-I/' | tr '\n' ' ')
MPI_LIBDIRS=$(mpicxx --showme:libdirs | tr ' ' '\n' | sed '/^$/d;s/^/-L/' | tr '\n' ' ')
MPI_LIBS=$(mpicxx --showme:libs | tr ' ' '\n' | sed '/^$/d;s/^/-l/' | tr '\n' ' ')
mkdir -p logs bin
build() {
  /usr/local/cuda/bin/nvcc -std=c++17 -O2 -I$1/include $MPI_INC \
    -gencode=arch=compute_90a,code=sm_90a $1/gpt2.cu -L$1/libs -lPTCRuntimeTrain \
    -lPTCRuntimeData -lPTCRuntimeCUDA -L/usr/local/cuda/lib64 -lcublasLt \
    -lcublas -lcudart -lPTCRuntimeDist -lPTCRuntimeCPU $MPI_LIBDIRS $MPI_LIBS \
    -L"$NCCL_LIB" -lnccl -Xlinker -rpath="$NCCL_LIB" -Xcompiler=-pthread \
    -o bin/$1 > logs/build-$1.txt 2>&1 || { echo "BUILD FAILED $1"; tail -20 logs/build-$1.txt; }
}
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
