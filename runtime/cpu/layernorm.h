//===- layernorm.h - LayerNorm over the last dim (CPU reference) -*- C++ -*-=//
//
// Layouts: x, out, dout, dx [N, C] row-major (activations [B, T, C] flattened
// to N = B*T rows); gamma, beta, dgamma, dbeta [C]; mean, rstd [N].
//
//   mean[n] = (1/C) sum_c x[n, c]
//   rstd[n] = 1 / sqrt((1/C) sum_c (x[n, c] - mean[n])^2 + eps)   (biased var)
//   out[n, c] = (x[n, c] - mean[n]) * rstd[n] * gamma[c] + beta[c]
//
// This is torch.nn.LayerNorm. Means and variances accumulate in double.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_LAYERNORM_H
#define PTC_RUNTIME_CPU_LAYERNORM_H

#include <cstdint>

namespace ptc::rt::cpu {

/// Writes out [N, C] and saves mean [N] and rstd [N] for the backward (both
/// may be null when no backward follows). beta may be null (no bias). out may
/// alias x.
template <typename T>
void layernorm_forward(T *out, T *mean, T *rstd, const T *x, const T *gamma,
                       const T *beta, int64_t N, int64_t C, double eps);

/// ACCUMULATES (+=) into dx [N, C], dgamma [C] and dbeta [C] (dgamma and
/// dbeta may be null). Needs the x, gamma, mean and rstd of the forward.
///   xhat = (x - mean) * rstd,  g = dout * gamma
///   dx += rstd * (g - mean_c(g) - xhat * mean_c(g * xhat))
///   dgamma += sum_n dout * xhat,  dbeta += sum_n dout
template <typename T>
void layernorm_backward(T *dx, T *dgamma, T *dbeta, const T *dout, const T *x,
                        const T *gamma, const T *mean, const T *rstd,
                        int64_t N, int64_t C);

} // namespace ptc::rt::cpu

#endif // PTC_RUNTIME_CPU_LAYERNORM_H
