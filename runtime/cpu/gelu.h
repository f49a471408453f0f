//===- gelu.h - GELU activation (CPU reference) ----------------*- C++ -*-===//
//
// Elementwise over n values; computed in double per element.
//   GeluApprox::None (exact):  gelu(x) = 0.5 x (1 + erf(x / sqrt(2)))
//   GeluApprox::Tanh:          gelu(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
// These are torch.nn.functional.gelu(x, approximate='none' | 'tanh'); GPT-2
// uses Tanh.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_GELU_H
#define PTC_RUNTIME_CPU_GELU_H

#include <cstdint>

namespace ptc::rt::cpu {

enum class GeluApprox { None, Tanh };

/// out[i] = gelu(x[i]) for i < n. out may alias x.
template <typename T>
void gelu_forward(T *out, const T *x, int64_t n, GeluApprox approx);

/// dx[i] += gelu'(x[i]) * dout[i]. ACCUMULATES into dx; x is the forward input.
template <typename T>
void gelu_backward(T *dx, const T *x, const T *dout, int64_t n,
                   GeluApprox approx);

} // namespace ptc::rt::cpu

#endif // PTC_RUNTIME_CPU_GELU_H
