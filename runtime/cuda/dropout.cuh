//===- dropout.cuh - Deterministic dropout (CUDA) --------------*- C++ -*-===//
//
// The CUDA twins of dropout_forward/dropout_backward in runtime/cpu/kernels.h:
// the same splitmix64 counter RNG (runtime/cpu/dropout.h), the same key
// mix64(seed ^ mix64(step * 1000003 + micro)) read from the device scalars,
// the same offset site << 40 and the same double comparison u >= p, so the
// masks equal the CPU's bit for bit. Kept values are x / (1 - p), scaled in
// double like the CPU. The backward ACCUMULATES.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_DROPOUT_CUH
#define PTC_RUNTIME_CUDA_DROPOUT_CUH

#include <cuda_bf16.h>

#include <cstdint>

namespace ptc::kernels {

template <typename T>
void dropout_forward(T *out, const T *x, const int64_t *seed,
                     const int64_t *step, const int64_t *micro, int64_t n,
                     double p, int64_t site);
template <typename T>
void dropout_backward(T *dx, const T *dout, const int64_t *seed,
                      const int64_t *step, const int64_t *micro, int64_t n,
                      double p, int64_t site);

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CUDA_DROPOUT_CUH
