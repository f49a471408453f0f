# Sourced by the GPU scripts, on the GPU machine (no MLIR there: `ptc
# compile --emit=cuda` ran on the dev machine): links emitted CUDA with ptc's
# runtime libraries, with the flags of compiler/HostCompiler.cpp. The
# prepare scripts copy this file next to the scripts that source it.
#   ptc_link SRC.cu OUT INCLUDE_DIR LIB_DIR   log in logs/build-NAME.txt
NCCL_LIB=$(dirname "$(find /usr/local/cuda/ /usr/lib /usr/local/lib /opt -name 'libnccl.so.2' 2>/dev/null | head -1)")
MPI_INC=$(mpicxx --showme:incdirs | tr ' ' '\n' | sed '/^$/d;s/^/-I/' | tr '\n' ' ')
MPI_LIBDIRS=$(mpicxx --showme:libdirs | tr ' ' '\n' | sed '/^$/d;s/^/-L/' | tr '\n' ' ')
MPI_LIBS=$(mpicxx --showme:libs | tr ' ' '\n' | sed '/^$/d;s/^/-l/' | tr '\n' ' ')
mkdir -p logs bin
ptc_link() {
  local log=logs/build-$(basename "$2").txt
  /usr/local/cuda/bin/nvcc -std=c++17 -O2 -I"$3" $MPI_INC \
    -gencode=arch=compute_90a,code=sm_90a "$1" -L"$4" -lPTCRuntimeTrain \
    -lPTCRuntimeData -lPTCRuntimeCUDA -L/usr/local/cuda/lib64 -lcublasLt \
    -lcublas -lcudart -lPTCRuntimeDist -lPTCRuntimeCPU $MPI_LIBDIRS $MPI_LIBS \
    -L"$NCCL_LIB" -lnccl -Xlinker -rpath="$NCCL_LIB" -Xcompiler=-pthread \
    -o "$2" > "$log" 2>&1 || { echo "BUILD FAILED $2"; tail -20 "$log"; }
}
export -f ptc_link
export NCCL_LIB MPI_INC MPI_LIBDIRS MPI_LIBS
