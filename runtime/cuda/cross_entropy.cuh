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

/// T: the logits' type; S: the type of the loss, lse and dloss (T, or f32
/// with bf16 logits: mixed precision reads the logits as they are and keeps
/// its statistics in f32).
template <typename T, typename S>
void cross_entropy_forward(S *loss, S *lse, const T *logits,
                           const int32_t *targets, int64_t N, int64_t V,
                           int64_t Vp);
template <typename T, typename S>
void cross_entropy_backward(T *dlogits, const T *logits, const S *lse,
                            const int32_t *targets, const S *dloss, int64_t N,
                            int64_t V, int64_t Vp);

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CUDA_CROSS_ENTROPY_CUH
