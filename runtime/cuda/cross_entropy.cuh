//===- cross_entropy.cuh - Fused softmax + cross-entropy (CUDA) -*- C++ -*-===//
//
// The CUDA twins of cross_entropy_forward/backward in runtime/cpu/kernels.h
// (runtime/cpu/cross_entropy.h): logits, dlogits [N, Vp] with classes in the
// first V columns (V <= Vp, the rest padding), targets [N] int32 with -1 the
// ignore index, lse [N], loss and dloss one element on the device.
//
// Forward: one block per row, an online max/sum over the V classes (one pass
// over the logits), lse saved; the per-row losses go to scratch and one block
// sums them in a fixed order (deterministic), divided by the number of
// counted rows (0 when none counts). Backward: one block counts the counted
// rows, then one block per counted row adds
//   dloss / count * (exp(logit - lse) - [c == target])
// into dlogits; the probabilities are never stored. An out-of-range target
// traps (the CPU aborts). The backward ACCUMULATES.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_CROSS_ENTROPY_CUH
#define PTC_RUNTIME_CUDA_CROSS_ENTROPY_CUH

#include <cuda_bf16.h>

#include <cstdint>

namespace ptc::kernels {

template <typename T>
void cross_entropy_forward(T *loss, T *lse, const T *logits,
                           const int32_t *targets, int64_t N, int64_t V,
                           int64_t Vp);
template <typename T>
void cross_entropy_backward(T *dlogits, const T *logits, const T *lse,
                            const int32_t *targets, const T *dloss, int64_t N,
                            int64_t V, int64_t Vp);

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CUDA_CROSS_ENTROPY_CUH
