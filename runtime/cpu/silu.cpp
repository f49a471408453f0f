//===- silu.cpp - SiLU and SwiGLU (CPU reference) -------------------------===//

#include "runtime/cpu/silu.h"

#include "runtime/cpu/check.h"

#include <cmath>

namespace ptc::rt::cpu {

static double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
static double silu(double x) { return x * sigmoid(x); }
static double siluGrad(double x) {
  double s = sigmoid(x);
  return s * (1 + x * (1 - s));
}

template <typename T> void silu_forward(T *out, const T *x, int64_t n) {
  PTC_RT_CHECK(n >= 0, "silu_forward: n = %lld < 0", (long long)n);
  for (int64_t i = 0; i < n; ++i)
    out[i] = T(silu(x[i]));
}

template <typename T>
void silu_backward(T *dx, const T *x, const T *dout, int64_t n) {
  PTC_RT_CHECK(n >= 0, "silu_backward: n = %lld < 0", (long long)n);
  for (int64_t i = 0; i < n; ++i)
    dx[i] += T(siluGrad(x[i]) * dout[i]);
}

template <typename T>
void swiglu_forward(T *out, const T *gate, const T *up, int64_t n) {
  PTC_RT_CHECK(n >= 0, "swiglu_forward: n = %lld < 0", (long long)n);
  for (int64_t i = 0; i < n; ++i)
    out[i] = T(silu(gate[i]) * up[i]);
}

template <typename T>
void swiglu_backward(T *dgate, T *dup, const T *gate, const T *up,
                     const T *dout, int64_t n) {
  PTC_RT_CHECK(n >= 0, "swiglu_backward: n = %lld < 0", (long long)n);
  for (int64_t i = 0; i < n; ++i) {
    if (dgate)
      dgate[i] += T(double(dout[i]) * up[i] * siluGrad(gate[i]));
    if (dup)
      dup[i] += T(double(dout[i]) * silu(gate[i]));
  }
}

#define PTC_INSTANTIATE(T)                                                     \
  template void silu_forward<T>(T *, const T *, int64_t);                      \
  template void silu_backward<T>(T *, const T *, const T *, int64_t);          \
  template void swiglu_forward<T>(T *, const T *, const T *, int64_t);         \
  template void swiglu_backward<T>(T *, T *, const T *, const T *, const T *,  \
                                   int64_t);
PTC_INSTANTIATE(float)
PTC_INSTANTIATE(double)
#undef PTC_INSTANTIATE

} // namespace ptc::rt::cpu
