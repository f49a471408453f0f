//===- gelu.cuh - GELU activation (CUDA) -----------------------*- C++ -*-===//
//
// The CUDA twins of gelu_forward/gelu_backward in runtime/cpu/kernels.h:
// tanhApprox = 0 is the exact erf form, 1 the tanh approximation (GPT-2).
// Computed in float per element; the backward ACCUMULATES into dx.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_GELU_CUH
#define PTC_RUNTIME_CUDA_GELU_CUH

#include <cuda_bf16.h>

#include <cstdint>

namespace ptc::kernels {

template <typename T>
void gelu_forward(T *out, const T *x, int64_t n, int64_t tanhApprox);
template <typename T>
void gelu_backward(T *dx, const T *x, const T *dout, int64_t n,
                   int64_t tanhApprox);

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CUDA_GELU_CUH
