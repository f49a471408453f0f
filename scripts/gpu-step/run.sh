#!/usr/bin/env bash
# On one GPU (after prepare.sh): links the programs of after/ (and before/
# when present), runs the vocabulary-parallel kernel tests (the NaN row
# among them), trains tiny 20 steps in fp32 and compares its losses with the
# cpu target's, checks that the diverging tiny stops with an error and
# saves nothing, and trains gpt2-124m (bf16) 40 steps with each build:
# losses and tokens/s side by side.
set -u
cd "$(dirname "$0")"
export NCCL_NVLS_ENABLE=0
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1
source ./gpu-link.sh
t0=$(date +%s)
versions=after; [ -d before ] && versions="before after"
for v in $versions; do
  mkdir -p $v/include && rm -rf $v/include/runtime && mv $v/include-runtime $v/include/runtime
  for p in tiny diverge gpt2; do ptc_link $v/$p.cu bin/$v-$p $v/include $v/libs & done
done
chmod +x ptc-cuda-tests
timeout 300 ./ptc-cuda-tests --gtest_filter='CudaVocabParallel*:CudaKernels.CrossEntropy*' > logs/cuda-tests.txt 2>&1
echo "ptc-cuda-tests rc $?"; grep -E "^\[  (PASSED|FAILED)|^\[  FAILED|tests ran" logs/cuda-tests.txt
wait
echo "built in $(( $(date +%s) - t0 )) s"
for v in $versions; do
  timeout 120 bin/$v-tiny --data 'data/train_*.bin' --steps 20 --quiet --log logs/$v-tiny.jsonl > logs/$v-tiny.out 2>&1 || echo "FAILED $v-tiny: $(tail -3 logs/$v-tiny.out)"
  timeout 120 bin/$v-diverge --data 'data/train_*.bin' --quiet --save-weights logs/$v-diverge.safetensors > logs/$v-diverge.out 2>&1
  echo "$v diverge: exit $? $(grep -m1 error logs/$v-diverge.out); weights file: $(ls logs/$v-diverge.safetensors 2>/dev/null || echo none)"
  timeout 200 bin/$v-gpt2 --data 'data/train_*.bin' --steps 40 --quiet --log logs/$v-gpt2.jsonl > logs/$v-gpt2.out 2>&1 || echo "FAILED $v-gpt2: $(tail -3 logs/$v-gpt2.out)"
done
python3 - $versions <<'PY'
import json, sys
def L(f):
    try: return [j for j in map(json.loads, open(f)) if 'loss' in j and 'step' in j]
    except Exception as e: print(f, e); return []
ref = L("tiny-cpu.jsonl")
for v in sys.argv[1:]:
    t = L(f"logs/{v}-tiny.jsonl")
    rel = max([abs(a["loss"] - b["loss"]) / abs(b["loss"]) for a, b in zip(t, ref)] or [float("nan")])
    print(f"{v}: tiny fp32 cuda vs cpu, {len(t)} steps, max rel loss diff {rel:.3g}")
G = {v: L(f"logs/{v}-gpt2.jsonl") for v in sys.argv[1:]}
for v, g in G.items():
    tps = sorted(x["tokens_per_s"] for x in g[10:]); ms = sorted(x["ms"] for x in g[10:])
    if g: print(f"{v}: gpt2-124m bf16 mb16, {len(g)} steps, loss 1 {g[0]['loss']:.5f} last {g[-1]['loss']:.5f}, median steps 11-40 {tps[len(tps)//2]:.0f} tokens/s {ms[len(ms)//2]:.2f} ms, mem {g[-1]['mem_bytes']/2**30:.2f} GiB")
if len(G) == 2:
    a, b = G["before"], G["after"]
    print("gpt2 losses before == after:", [x["loss"] for x in a] == [x["loss"] for x in b])
PY
cp logs/*.jsonl logs/cuda-tests.txt $OUT/ 2>/dev/null
echo "done in $(( $(date +%s) - t0 )) s"
