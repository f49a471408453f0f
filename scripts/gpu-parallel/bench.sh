#!/usr/bin/env bash
# Throughput: ptc data parallel (gpt2-124m, micro-batch 16) on 1, 2, 4 GPUs
# beside PyTorch DDP + torch.compile on 4; ptc tensor parallel gpt-1.3b
# (micro-batch 8) on 1, 2, 4 GPUs. Same machine, same call.
set -u
source "$(dirname "$0")/common.sh"
for n in 1 2 4; do echo "== ptc gpt2-124m dp=$n"; timeout 120 $BMPI -np $n bin/b124-dp$n $D --steps 12 2>&1 | last; done
for n in 1 2 4; do echo "== ptc gpt-1.3b tp=$n"; timeout 120 $BMPI -np $n bin/b13-tp$n $D --steps 12 2>&1 | last; done
torch_gpt2 4
torch_gpt2 1
