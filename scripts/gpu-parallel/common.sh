# Sourced by the GPU scripts of this folder (run from the carried folder
# on the GPU machine): the environment and the helpers they share.
#   one NAME GPUS STEPS          a program on one GPU, log in logs/NAME.jsonl
#   many NAME GPUS RANKS STEPS   the same under mpirun
#   cmp A B "compare_logs args"  loss and grad norm of two logs
#   el TEXT                      TEXT after the seconds since sourcing
#   last                         a log's line of step 12 (from stdin)
#   torch_gpt2 N                 PyTorch's gpt2-124m (torch_gpt.py --compile,
#                                micro-batch 16) on N GPUs, DDP when N > 1
cd "$(dirname "${BASH_SOURCE[0]}")"
export NCCL_NVLS_ENABLE=0 PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name --format=csv,noheader | head -1
mkdir -p logs
Q="--data data/train_*.bin --quiet"
MPI="mpirun --allow-run-as-root --bind-to none -x NCCL_NVLS_ENABLE -x CUDA_VISIBLE_DEVICES"
t0=$(date +%s); el() { echo "[$(( $(date +%s) - t0 )) s] $*"; }
one() { CUDA_VISIBLE_DEVICES=$2 timeout 200 bin/$1 $Q --steps $3 --log logs/$1.jsonl > logs/$1.out 2>&1 || echo "FAILED $1: $(tail -2 logs/$1.out)"; }
many() { CUDA_VISIBLE_DEVICES=$2 timeout 200 $MPI -np $3 bin/$1 $Q --steps $4 --log logs/$1.jsonl > logs/$1.out 2>&1 || echo "FAILED $1: $(tail -3 logs/$1.out)"; }
cmp() { echo "-- $1 vs $2: $(python3 compare_logs.py logs/$1.jsonl logs/$2.jsonl $3 2>&1 | grep -E '^(loss|grad_norm) ' | tr '\n' ' ')"; }
D="--data data/train_*.bin"
last() { grep -E "^step +12/" | tail -1; }
BMPI="mpirun --allow-run-as-root --bind-to none -x NCCL_NVLS_ENABLE"
torch_gpt2() {
  local run=python3
  if [ "$1" -gt 1 ]; then
    echo "== torch gpt2-124m DDP x$1 compile"
    run="torchrun --standalone --nproc-per-node $1"
  else
    echo "== torch gpt2-124m 1 GPU compile"
  fi
  (cd bench && timeout 240 $run torch_gpt.py --layers 12 --hidden 768 --heads 12 \
    --micro-batch 16 --steps 20 --warmup 5 --compile 2>&1 | grep '^{' || true)
}

