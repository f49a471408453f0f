#!/usr/bin/env bash
# Throughput: ptc data parallel (gpt2-124m, micro-batch 16) on 1, 2, 4 GPUs
# beside PyTorch DDP + torch.compile on 4; ptc tensor parallel gpt-1.3b
# (micro-batch 8) on 1, 2, 4 GPUs. Same machine, same call.
set -u
cd "$(dirname "$0")"
export NCCL_NVLS_ENABLE=0 PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name --format=csv,noheader | head -1
D="--data data/train_*.bin"
MPI="mpirun --allow-run-as-root --bind-to none -x NCCL_NVLS_ENABLE"
last() { grep -E "^step +12/" | tail -1; }
for n in 1 2 4; do echo "== ptc gpt2-124m dp=$n"; timeout 120 $MPI -np $n bin/b124-dp$n $D --steps 12 2>&1 | last; done
for n in 1 2 4; do echo "== ptc gpt-1.3b tp=$n"; timeout 120 $MPI -np $n bin/b13-tp$n $D --steps 12 2>&1 | last; done
cd bench
g() { grep '^{' || true; }
echo "== torch gpt2-124m DDP x4 compile"
timeout 240 torchrun --standalone --nproc-per-node 4 torch_gpt.py --layers 12 --hidden 768 --heads 12 --micro-batch 16 --steps 20 --warmup 5 --compile 2>&1 | g
echo "== torch gpt2-124m 1 GPU compile"
timeout 200 python3 torch_gpt.py --layers 12 --hidden 768 --heads 12 --micro-batch 16 --steps 20 --warmup 5 --compile 2>&1 | g
