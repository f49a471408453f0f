#!/usr/bin/env bash
# ptc (cuda target, bf16, CUDA graphs) beside PyTorch bf16 + torch.compile,
# same card, same call; one micro-batch per step. Kernel tests and the tiny
# fp32 cpu-vs-cuda check first. Run from a folder holding: bin/ptc-cuda-tests,
# the binaries gpt2, gpt2-350m, gpt-1.3b (ptc compile --target=cuda of the
# model specs with global batch = micro batch: 16, 16, 8), tiny-cuda and
# tiny-cpu (models/tiny.json), optionally gpt2-prof (--profile), data/
# (ptc data shards) and bench/ (a copy of ../shared/bench).
# PHASES picks what runs (ptc0 torch ptc1 det profile; ptc1 = autotuned GEMMs).
set -u
cd "$(dirname "$0")"
echo "== card: $(nvidia-smi --query-gpu=name --format=csv,noheader)"
echo "== ptc-cuda-tests"; timeout 150 ./bin/ptc-cuda-tests 2>&1 | grep -E "FAILED|PASSED|^\[  (SKIPPED|FAILED)" | head -30
echo "== tiny fp32 cpu vs cuda, 20 steps"
./tiny-cpu --data 'data/train_*.bin' --steps 20 --log a.jsonl --quiet > /dev/null
./tiny-cuda --data 'data/train_*.bin' --steps 20 --log b.jsonl --quiet > /dev/null
python3 - <<'PY'
import json
L=lambda f:[json.loads(l) for l in open(f) if '"loss"' in l]
a,b=L('a.jsonl'),L('b.jsonl')
print("steps", len(a), len(b), "max rel loss diff:", max(abs(x['loss']-y['loss'])/x['loss'] for x,y in zip(a,b)),
      "max rel grad-norm diff:", max(abs(x['grad_norm']-y['grad_norm'])/x['grad_norm'] for x,y in zip(a,b)))
PY
run_ptc() {
  for m in gpt2 gpt2-350m gpt-1.3b; do
    echo "== ptc $m autotune=$1"
    PTC_GEMM_AUTOTUNE=$1 ./$m --data 'data/train_*.bin' --steps 20 --log $m.jsonl 2>&1 | grep -E "^step +(1|10|20)/|peak|rror"
    python3 - $m.jsonl <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if '"step"' in l]
ms = sorted(x["ms"] for x in r if x["step"] > 8)
tok = r[0]["tokens_per_s"] * r[0]["ms"] / 1000
med = ms[len(ms) // 2]
print(f"median of steps 9-20: {med:.2f} ms/step, {tok / med * 1000:,.0f} tokens/s; peak {r[-1]['mem_bytes'] / 2**30:.2f} GiB; loss step 1 {r[0]['loss']:.4f}, step 20 {r[-1]['loss']:.4f}")
PY
  done
}
run_torch() {
  g() { grep '^{' || true; }
  (cd bench
  python3 torch_gpt.py --layers 12 --hidden 768 --heads 12 --micro-batch 16 --compile 2>&1 | g
  python3 torch_gpt.py --layers 24 --hidden 1024 --heads 16 --micro-batch 16 --compile 2>&1 | g
  python3 torch_gpt.py --layers 24 --hidden 2048 --heads 16 --micro-batch 8 --compile 2>&1 | g)
}
run_profile() {
  if [ -x ./gpt2-prof ]; then
    echo "== profile gpt2 (steps 2-7 of 7, events, no graphs, autotune=${1:-0})"
    PTC_PROFILE_SKIP=3 PTC_GEMM_AUTOTUNE=${1:-0} ./gpt2-prof --data 'data/train_*.bin' --steps 7 2>&1 | grep -v "^step\|^  [a-z]* *[0-9,]* bytes" | tail -60
  fi
}
run_det() {
  for t in 0 0 1 1; do
    echo "== determinism: gpt2-350m autotune=$t"
    PTC_GEMM_AUTOTUNE=$t ./gpt2-350m --data 'data/train_*.bin' --steps 2 2>&1 | grep -E "^step +(1|2)/"
  done
}
for phase in ${PHASES:-ptc0 torch ptc1 profile}; do
  case $phase in
    ptc0) run_ptc 0 ;;
    ptc1) run_ptc 1 ;;
    torch) run_torch ;;
    profile) run_profile ${PROFILE_TUNE:-0} ;;
    det) run_det ;;
  esac
done
