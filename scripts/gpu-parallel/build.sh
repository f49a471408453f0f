#!/usr/bin/env bash
# Links the emitted CUDA sources with ptc's runtime on the GPU machine (no
# MLIR there: ptc compile --emit=cuda ran on the dev machine). Same flags as
# compiler/HostCompiler.cpp.
set -u
cd "$(dirname "$0")"
ROOT=$(cd .. && pwd)
NCCL_LIB=$(dirname "$(find /usr/local/cuda/ /usr/lib /usr/local/lib /opt -name 'libnccl.so.2' 2>/dev/null | head -1)")
echo "nccl: $NCCL_LIB"
MPI_INC=$(mpicxx --showme:incdirs | tr ' ' '\n' | sed '/^$/d;s/^/-I/' | tr '\n' ' ')
MPI_LIBDIRS=$(mpicxx --showme:libdirs | tr ' ' '\n' | sed '/^$/d;s/^/-L/' | tr '\n' ' ')
MPI_LIBS=$(mpicxx --showme:libs | tr ' ' '\n' | sed '/^$/d;s/^/-l/' | tr '\n' ' ')
echo "NCCL_LIB=$NCCL_LIB" > env.sh
build() {
  n=$1
  /usr/local/cuda/bin/nvcc -std=c++17 -O2 -I"$ROOT" $MPI_INC \
    -gencode=arch=compute_90a,code=sm_90a src/$n.cu -Llibs -lPTCRuntimeTrain \
    -lPTCRuntimeData -lPTCRuntimeCUDA -L/usr/local/cuda/lib64 -lcublasLt \
    -lcublas -lcudart -lPTCRuntimeDist -lPTCRuntimeCPU $MPI_LIBDIRS $MPI_LIBS \
    -L"$NCCL_LIB" -lnccl -Xlinker -rpath="$NCCL_LIB" -Xcompiler=-pthread \
    -o bin/$n > logs/build-$n.txt 2>&1 || { echo "BUILD FAILED $n"; tail -20 logs/build-$n.txt; }
}
export -f build
export ROOT MPI_INC MPI_LIBDIRS MPI_LIBS NCCL_LIB
mkdir -p logs bin
if [ $# -gt 0 ]; then printf '%s\n' "$@"; else ls src/*.cu | xargs -n1 basename | sed 's/\.cu$//'; fi | xargs -P 16 -I{} bash -c 'build {}'
ls bin | wc -l
