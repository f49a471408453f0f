//===- kernels.cuh - The CUDA kernel library as emitted programs call it -*- C++ -*-===//
//
// The CUDA target's twin of runtime/cpu/kernels.h: the same names in
// ptc::kernels, the same argument lists (buffers first, then the launch's
// static arguments; runtime scalars through device pointers to one
// element), the same semantics (kernels named *_backward ACCUMULATE). Each
// function is a host launcher that checks its sizes, enqueues on
// ptc::kernels::stream() and checks the launch; the work is asynchronous.
//
// Types: float and __nv_bfloat16 for every compute kernel (fp32
// arithmetic inside); double, int32_t and int64_t too for fill, copy,
// permute and copy_rows; convert between float and bf16; adamw_update with
// T = float (fp32 master weights), S = float or double. Collectives (NCCL)
// and shard_slice/shard_unslice: float, bf16, double, int32_t, int64_t.
//
// Host-only header: emitted C++ compiled by the host compiler includes it;
// the kernels live in the PTCRuntimeCUDA library, one .cu per family.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_KERNELS_CUH
#define PTC_RUNTIME_CUDA_KERNELS_CUH

#include "runtime/cuda/adamw.cuh"
#include "runtime/cuda/attention.cuh"
#include "runtime/cuda/check.h"
#include "runtime/cuda/collectives.cuh"
#include "runtime/cuda/context.h"
#include "runtime/cuda/cross_entropy.cuh"
#include "runtime/cuda/dropout.cuh"
#include "runtime/cuda/elementwise.cuh"
#include "runtime/cuda/embedding.cuh"
#include "runtime/cuda/vocab_parallel.cuh"
#include "runtime/cuda/zero.cuh"
#include "runtime/cuda/gelu.cuh"
#include "runtime/cuda/gemm.cuh"
#include "runtime/cuda/layernorm.cuh"
#include "runtime/cuda/rope.cuh"
#include "runtime/cuda/schedule.cuh"
#include "runtime/cuda/shard.cuh"
#include "runtime/cuda/silu.cuh"
#include "runtime/cuda/tensor_ops.cuh"

#endif // PTC_RUNTIME_CUDA_KERNELS_CUH
