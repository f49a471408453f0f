#!/usr/bin/env bash
# Links the emitted CUDA sources (src/NAME.cu; all of them, or the NAMEs
# given) with ptc's runtime on the GPU machine, in parallel (gpu-link.sh).
set -u
cd "$(dirname "$0")"
ROOT=$(cd .. && pwd)
source ./gpu-link.sh
echo "nccl: $NCCL_LIB"
echo "NCCL_LIB=$NCCL_LIB" > env.sh
export ROOT
if [ $# -gt 0 ]; then printf '%s\n' "$@"; else ls src/*.cu | xargs -n1 basename | sed 's/\.cu$//'; fi |
  xargs -P 16 -I{} bash -c 'ptc_link src/{}.cu bin/{} "$ROOT" libs'
ls bin | wc -l
