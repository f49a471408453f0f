//===- rope.cuh - Rotary position embedding (CUDA) -------------*- C++ -*-===//
//
// The CUDA twins of runtime/cpu/rope.h: x, out, dout, dx [B, H, T, Dh], Dh
// even, the "rotate half" pairing (i, i + Dh/2), position t + pos_offset,
// freq_i = theta^(-2i/Dh). Angles, sines and cosines in double (as the CPU:
// a float angle at position 4096 would be off by ~1e-4 rad). The backward
// rotates by -angle and ACCUMULATES.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_ROPE_CUH
#define PTC_RUNTIME_CUDA_ROPE_CUH

#include <cuda_bf16.h>

#include <cstdint>

namespace ptc::kernels {

template <typename T>
void rope_forward(T *out, const T *x, int64_t B, int64_t H, int64_t T_,
                  int64_t Dh, double theta, int64_t pos_offset = 0);
template <typename T>
void rope_backward(T *dx, const T *dout, int64_t B, int64_t H, int64_t T_,
                   int64_t Dh, double theta, int64_t pos_offset = 0);

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CUDA_ROPE_CUH
