//===- global_norm.h - Gradient norm and clipping (CPU reference) -*- C++ -*-=//
//
// The global L2 norm of all gradients is sqrt(sum over buffers of sum of
// squares). Sums accumulate in double. For sharded gradients (tensor or
// ZeRO parallelism) each rank computes the sum of squares of its shards, the
// emitted code all-reduces those sums, and only then takes the square root —
// which is why the sum of squares is its own function.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_GLOBAL_NORM_H
#define PTC_RUNTIME_CPU_GLOBAL_NORM_H

#include <cstdint>

namespace ptc::rt::cpu {

/// sum_i x[i]^2 over one buffer of n elements.
template <typename T> double sum_of_squares(const T *x, int64_t n);

/// sum over `count` buffers (buffers[b] has sizes[b] elements) of their sums
/// of squares.
template <typename T>
double sum_of_squares(const T *const *buffers, const int64_t *sizes,
                      int64_t count);

/// The factor the gradients are multiplied by (pass it as adamw_step's
/// grad_scale, times any averaging factor):
///   min(1, max_norm / (norm + 1e-6)),  or 1 when max_norm <= 0 (no clipping);
///   a NaN norm gives NaN (the caller sees the bad step, nothing is hidden).
double clip_factor(double norm, double max_norm);

} // namespace ptc::rt::cpu

#endif // PTC_RUNTIME_CPU_GLOBAL_NORM_H
