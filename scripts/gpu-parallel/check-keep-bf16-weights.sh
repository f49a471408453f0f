#!/usr/bin/env bash
# keep_bf16_weights on the GPU: the same bf16 losses as converting in every
# micro-step, a load (--init-from) refreshes the copies, and throughput of
# gpt2-124m with and without it beside PyTorch DDP.
set -u
source "$(dirname "$0")/common.sh"
G=$(nvidia-smi -L | wc -l)
bash build.sh g124-bf16-1 g124k-bf16-1 b124-dp1 b124k-dp1 b124-dp2 b124k-dp2 | tail -1
one g124-bf16-1 0 20 & one g124k-bf16-1 1 20; wait
cmp g124k-bf16-1 g124-bf16-1 "--steps 20 --rtol 1e-6"
for b in g124-bf16-1 g124k-bf16-1; do
  CUDA_VISIBLE_DEVICES=0 bin/g124k-bf16-1 $Q --steps 3 --save-weights logs/w3.safetensors > /dev/null 2>&1
  echo "$b loaded: $(CUDA_VISIBLE_DEVICES=0 bin/$b --data 'data/train_*.bin' --init-from logs/w3.safetensors --steps 1 2>&1 | grep -E '^step +1/')"
done
for b in b124-dp1 b124k-dp1 b124-dp2 b124k-dp2; do
  n=${b##*dp}; echo "== ptc $b"; timeout 60 $BMPI -np $n bin/$b $D --steps 12 2>&1 | last
done
torch_gpt2 $G
