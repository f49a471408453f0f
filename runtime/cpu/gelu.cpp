//===- gelu.cpp - GELU activation (CPU reference) -------------------------===//

#include "runtime/cpu/gelu.h"

#include "runtime/cpu/check.h"

#include <cmath>

namespace ptc::rt::cpu {

static constexpr double kSqrt2OverPi = 0.79788456080286535588; // sqrt(2/pi)
static constexpr double kInvSqrt2 = 0.70710678118654752440;    // 1/sqrt(2)
static constexpr double kInvSqrt2Pi = 0.39894228040143267794;  // 1/sqrt(2pi)
static constexpr double kCubic = 0.044715;

static double gelu(double x, GeluApprox approx) {
  if (approx == GeluApprox::Tanh)
    return 0.5 * x * (1 + std::tanh(kSqrt2OverPi * (x + kCubic * x * x * x)));
  return 0.5 * x * (1 + std::erf(x * kInvSqrt2));
}

static double geluGrad(double x, GeluApprox approx) {
  if (approx == GeluApprox::Tanh) {
    double th = std::tanh(kSqrt2OverPi * (x + kCubic * x * x * x));
    return 0.5 * (1 + th) +
           0.5 * x * (1 - th * th) * kSqrt2OverPi * (1 + 3 * kCubic * x * x);
  }
  return 0.5 * (1 + std::erf(x * kInvSqrt2)) +
         x * kInvSqrt2Pi * std::exp(-0.5 * x * x);
}

template <typename T>
void gelu_forward(T *out, const T *x, int64_t n, GeluApprox approx) {
  PTC_RT_CHECK(n >= 0, "gelu_forward: n = %lld < 0", (long long)n);
  for (int64_t i = 0; i < n; ++i)
    out[i] = T(gelu(x[i], approx));
}

template <typename T>
void gelu_backward(T *dx, const T *x, const T *dout, int64_t n,
                   GeluApprox approx) {
  PTC_RT_CHECK(n >= 0, "gelu_backward: n = %lld < 0", (long long)n);
  // dx == dout: in place, the gradient replaces dout (nothing to add to).
  const bool inPlace = dx == dout;
  for (int64_t i = 0; i < n; ++i) {
    const T g = T(geluGrad(x[i], approx) * dout[i]);
    dx[i] = inPlace ? g : dx[i] + g;
  }
}

#define PTC_INSTANTIATE(T)                                                     \
  template void gelu_forward<T>(T *, const T *, int64_t, GeluApprox);          \
  template void gelu_backward<T>(T *, const T *, const T *, int64_t, GeluApprox);
PTC_INSTANTIATE(float)
PTC_INSTANTIATE(double)
#undef PTC_INSTANTIATE

} // namespace ptc::rt::cpu
