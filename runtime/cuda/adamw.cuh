//===- adamw.cuh - Optimizer step: global norm, clipping, AdamW -*- C++ -*-===//
//
// The CUDA twins of sum_squares_add, sqrt_to, clip_factor and adamw_update in
// runtime/cpu/kernels.h. Runtime scalars (the norm, lr, gradScale, step) are
// device pointers to one element, written by earlier kernels, so a training
// step never waits on the host.
//
//   sum_squares_add: *acc += sum x^2 — per-block double partials of a grid
//     sized by n alone, then one block sums them in order: deterministic.
//   adamw_update: one thread per element, computed in double as the CPU
//     reference; T = float (fp32 master weights and moments; a bf16 compute
//     copy is refreshed with convert<__nv_bfloat16, float>), S = float or
//     double for the lr and gradScale scalars.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_ADAMW_CUH
#define PTC_RUNTIME_CUDA_ADAMW_CUH

#include "runtime/cpu/adamw_segment.h"

#include <cuda_bf16.h>

#include <cstdint>
#include <initializer_list>

namespace ptc::kernels {

template <typename T>
void sum_squares_add(double *acc, const T *x, int64_t n);
template <typename T> void sqrt_to(T *out, const double *sumSquares);
/// min(1, maxNorm / (norm + 1e-6)); 1 when maxNorm <= 0; NaN stays NaN.
template <typename T> void clip_factor(T *out, const T *norm, double maxNorm);
template <typename T, typename S>
void adamw_update(T *param, T *m, T *v, const T *grad, const S *lr,
                  const S *gradScale, const int64_t *step, int64_t n,
                  double beta1, double beta2, double eps, double weightDecay);
/// adamw_update over consecutive tensors, each row with its weight decay
/// (the rows' counts add up to n): one launch per 64 rows.
template <typename T, typename S>
void adamw_update_segments(T *param, T *m, T *v, const T *grad, const S *lr,
                           const S *gradScale, const int64_t *step, int64_t n,
                           double beta1, double beta2, double eps,
                           const AdamWSegment *rows, int64_t numRows);
/// The emitted code's form: the rows as a braced list.
template <typename T, typename S>
inline void adamw_update_segments(T *param, T *m, T *v, const T *grad,
                                  const S *lr, const S *gradScale,
                                  const int64_t *step, int64_t n, double beta1,
                                  double beta2, double eps,
                                  std::initializer_list<AdamWSegment> rows) {
  adamw_update_segments(param, m, v, grad, lr, gradScale, step, n, beta1,
                        beta2, eps, rows.begin(), int64_t(rows.size()));
}

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CUDA_ADAMW_CUH
