//===- zero_launch.h - ZeRO-1 chunk kernels (cpu launch wrappers) -*- C++
//-*-===//
//
// A ZeRO-1 rank owns chunk c (its coordinate on the data-parallel axis) of
// every parameter flattened and zero-padded to `chunk` times the axis size:
// elements [c*chunk, min((c+1)*chunk, n)). It updates only those, with
// moments of `chunk` elements, and shares them through an all-gather of
// copy_chunk's output.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_ZERO_LAUNCH_H
#define PTC_RUNTIME_CPU_ZERO_LAUNCH_H

#include "runtime/cpu/adamw.h"
#include "runtime/dist/mesh_coordinate.h"
#include "runtime/dist/zero_chunk.h"

#include <algorithm>
#include <cstdint>

namespace ptc::kernels {

/// AdamW on elements [first, first + count) of `param` with the chunk's
/// gradient and moments (first = coordinate * chunk).
template <typename T, typename S>
void adamw_update_chunk(T *param, T *m, T *v, const T *grad, const S *lr,
                        const S *gradScale, const int64_t *step, int64_t n,
                        int64_t chunk, int64_t meshAxis, double beta1,
                        double beta2, double eps, double weightDecay) {
  const int64_t first = mesh_coordinate(meshAxis) * chunk;
  const int64_t count = rt::dist::zeroChunkCount(n, chunk, first);
  if (count > 0)
    rt::cpu::adamw_step(param + first, grad, m, v, count, double(*lr), beta1,
                        beta2, eps, weightDecay, *step, double(*gradScale));
}

/// out[i] = param[first + i] where that exists, else 0 (the padding).
template <typename T>
void copy_chunk(T *out, const T *param, int64_t n, int64_t chunk,
                int64_t meshAxis) {
  const int64_t first = mesh_coordinate(meshAxis) * chunk;
  const int64_t count = rt::dist::zeroChunkCount(n, chunk, first);
  std::copy(param + first, param + first + count, out);
  std::fill(out + count, out + chunk, T(0));
}

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CPU_ZERO_LAUNCH_H
