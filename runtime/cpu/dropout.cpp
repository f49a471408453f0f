//===- dropout.cpp - Deterministic dropout (CPU reference) ----------------===//

#include "runtime/cpu/dropout.h"

#include "runtime/cpu/check.h"

namespace ptc::rt::cpu {

uint64_t mix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double dropout_uniform(uint64_t seed, uint64_t counter) {
  return double(mix64(seed ^ mix64(counter)) >> 40) * 0x1p-24;
}

static void checkP(const char *fn, int64_t n, double p) {
  PTC_RT_CHECK(n >= 0 && p >= 0 && p < 1, "%s: n = %lld, p = %g (need p in [0, 1))",
               fn, (long long)n, p);
}

template <typename T>
void dropout_forward(T *out, const T *x, int64_t n, double p, uint64_t seed,
                     uint64_t offset) {
  checkP("dropout_forward", n, p);
  const double scale = 1.0 / (1.0 - p);
  for (int64_t i = 0; i < n; ++i)
    out[i] = dropout_uniform(seed, offset + i) >= p ? T(x[i] * scale) : T(0);
}

template <typename T>
void dropout_backward(T *dx, const T *dout, int64_t n, double p,
                      uint64_t seed, uint64_t offset) {
  checkP("dropout_backward", n, p);
  const double scale = 1.0 / (1.0 - p);
  for (int64_t i = 0; i < n; ++i)
    if (dropout_uniform(seed, offset + i) >= p)
      dx[i] += T(dout[i] * scale);
}

#define PTC_INSTANTIATE(T)                                                     \
  template void dropout_forward<T>(T *, const T *, int64_t, double, uint64_t,  \
                                   uint64_t);                                  \
  template void dropout_backward<T>(T *, const T *, int64_t, double, uint64_t, \
                                    uint64_t);
PTC_INSTANTIATE(float)
PTC_INSTANTIATE(double)
#undef PTC_INSTANTIATE

} // namespace ptc::rt::cpu
