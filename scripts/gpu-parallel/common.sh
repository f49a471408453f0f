# Sourced by the GPU scripts of this folder (run from the carried folder
# on the GPU machine): the environment and the helpers they share.
#   one NAME GPUS STEPS          a program on one GPU, log in logs/NAME.jsonl
#   many NAME GPUS RANKS STEPS   the same under mpirun
#   cmp A B "compare_logs args"  loss and grad norm of two logs
#   el TEXT                      TEXT after the seconds since sourcing
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
