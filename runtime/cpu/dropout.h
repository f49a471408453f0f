//===- dropout.h - Deterministic dropout (CPU reference) -------*- C++ -*-===//
//
// Inverted dropout over n elements with a counter-based RNG, so that the
// backward (and the CUDA kernel, and any rank) regenerates the same mask from
// (seed, offset) without storing it. Element i of a call is kept iff
//   u(seed, offset + i) >= p   (compared in double), where
//   u(seed, c) = (mix64(seed ^ mix64(c)) >> 40) * 2^-24     in [0, 1)
// and mix64 is the splitmix64 finalizer:
//   z += 0x9E3779B97F4A7C15; z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
//   z = (z ^ (z >> 27)) * 0x94D049BB133111EB; return z ^ (z >> 31).
// Kept elements are scaled by 1 / (1 - p). The caller picks seed (e.g. the
// run seed mixed with the step) and offset (e.g. a per-call-site base) so
// that different dropout sites and steps get independent masks.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_DROPOUT_H
#define PTC_RUNTIME_CPU_DROPOUT_H

#include <cstdint>

namespace ptc::rt::cpu {

/// The splitmix64 finalizer described above.
uint64_t mix64(uint64_t z);

/// The uniform number u(seed, counter) in [0, 1), a multiple of 2^-24.
double dropout_uniform(uint64_t seed, uint64_t counter);

/// out[i] = keep_i ? x[i] / (1 - p) : 0, p in [0, 1). out may alias x.
template <typename T>
void dropout_forward(T *out, const T *x, int64_t n, double p, uint64_t seed,
                     uint64_t offset);

/// dx[i] += keep_i ? dout[i] / (1 - p) : 0 with the forward's mask (same n,
/// p, seed, offset). ACCUMULATES into dx.
template <typename T>
void dropout_backward(T *dx, const T *dout, int64_t n, double p,
                      uint64_t seed, uint64_t offset);

} // namespace ptc::rt::cpu

#endif // PTC_RUNTIME_CPU_DROPOUT_H
