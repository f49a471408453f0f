//===- rmsnorm.h - RMSNorm over the last dim (CPU reference) ---*- C++ -*-===//
//
// Layouts: x, out, dout, dx [N, C] row-major; gamma, dgamma [C]; rstd [N].
//
//   rstd[n] = 1 / sqrt((1/C) sum_c x[n, c]^2 + eps)
//   out[n, c] = x[n, c] * rstd[n] * gamma[c]
//
// This is Llama's RMSNorm (torch.nn.RMSNorm). Sums accumulate in double.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_RMSNORM_H
#define PTC_RUNTIME_CPU_RMSNORM_H

#include <cstdint>

namespace ptc::rt::cpu {

/// Writes out [N, C] and saves rstd [N] (may be null when no backward
/// follows). out may alias x.
template <typename T>
void rmsnorm_forward(T *out, T *rstd, const T *x, const T *gamma, int64_t N,
                     int64_t C, double eps);

/// ACCUMULATES (+=) into dx [N, C] and dgamma [C] (dgamma may be null).
///   xhat = x * rstd,  g = dout * gamma
///   dx += rstd * (g - xhat * mean_c(g * xhat)),  dgamma += sum_n dout * xhat
template <typename T>
void rmsnorm_backward(T *dx, T *dgamma, const T *dout, const T *x,
                      const T *gamma, const T *rstd, int64_t N, int64_t C);

} // namespace ptc::rt::cpu

#endif // PTC_RUNTIME_CPU_RMSNORM_H
