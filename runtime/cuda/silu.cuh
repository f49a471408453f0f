//===- silu.cuh - SiLU and SwiGLU (CUDA) -----------------------*- C++ -*-===//
//
// The CUDA twins of runtime/cpu/silu.h: silu(x) = x sigmoid(x),
// swiglu(gate, up) = silu(gate) * up, on separate [n] buffers. Computed in
// float per element; backward kernels ACCUMULATE (dgate or dup may be null).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_SILU_CUH
#define PTC_RUNTIME_CUDA_SILU_CUH

#include <cuda_bf16.h>

#include <cstdint>

namespace ptc::kernels {

template <typename T> void silu_forward(T *out, const T *x, int64_t n);
template <typename T>
void silu_backward(T *dx, const T *x, const T *dout, int64_t n);
template <typename T>
void swiglu_forward(T *out, const T *gate, const T *up, int64_t n);
template <typename T>
void swiglu_backward(T *dgate, T *dup, const T *gate, const T *up,
                     const T *dout, int64_t n);

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CUDA_SILU_CUH
