//===- elementwise.cpp - Add, mul, scale (CPU reference) ------------------===//

#include "runtime/cpu/elementwise.h"

#include "runtime/cpu/check.h"

#include <vector>

namespace ptc::rt::cpu {

static void checkBroadcast(const char *fn, int64_t n, int64_t nb) {
  PTC_RT_CHECK(n >= 0 && nb > 0 && n % nb == 0,
               "%s: the broadcast operand's size nb = %lld must be positive and "
               "divide n = %lld",
               fn, (long long)nb, (long long)n);
}

template <typename T>
void add_forward(T *out, const T *a, const T *b, int64_t n, int64_t nb) {
  checkBroadcast("add_forward", n, nb);
  for (int64_t i = 0; i < n; ++i)
    out[i] = T(double(a[i]) + b[i % nb]);
}

template <typename T>
void add_backward(T *da, T *db, const T *dout, int64_t n, int64_t nb) {
  checkBroadcast("add_backward", n, nb);
  if (da)
    for (int64_t i = 0; i < n; ++i)
      da[i] += dout[i];
  if (db) {
    std::vector<double> acc(nb, 0.0);
    for (int64_t i = 0; i < n; ++i)
      acc[i % nb] += dout[i];
    for (int64_t j = 0; j < nb; ++j)
      db[j] += T(acc[j]);
  }
}

template <typename T>
void mul_forward(T *out, const T *a, const T *b, int64_t n, int64_t nb) {
  checkBroadcast("mul_forward", n, nb);
  for (int64_t i = 0; i < n; ++i)
    out[i] = T(double(a[i]) * b[i % nb]);
}

template <typename T>
void mul_backward(T *da, T *db, const T *dout, const T *a, const T *b,
                  int64_t n, int64_t nb) {
  checkBroadcast("mul_backward", n, nb);
  if (da)
    for (int64_t i = 0; i < n; ++i)
      da[i] += T(double(dout[i]) * b[i % nb]);
  if (db) {
    std::vector<double> acc(nb, 0.0);
    for (int64_t i = 0; i < n; ++i)
      acc[i % nb] += double(dout[i]) * a[i];
    for (int64_t j = 0; j < nb; ++j)
      db[j] += T(acc[j]);
  }
}

template <typename T>
void scale_forward(T *out, const T *x, double alpha, int64_t n) {
  PTC_RT_CHECK(n >= 0, "scale_forward: n = %lld < 0", (long long)n);
  for (int64_t i = 0; i < n; ++i)
    out[i] = T(alpha * x[i]);
}

template <typename T>
void scale_backward(T *dx, const T *dout, double alpha, int64_t n) {
  PTC_RT_CHECK(n >= 0, "scale_backward: n = %lld < 0", (long long)n);
  for (int64_t i = 0; i < n; ++i)
    dx[i] += T(alpha * dout[i]);
}

#define PTC_INSTANTIATE(T)                                                     \
  template void add_forward<T>(T *, const T *, const T *, int64_t, int64_t);   \
  template void add_backward<T>(T *, T *, const T *, int64_t, int64_t);        \
  template void mul_forward<T>(T *, const T *, const T *, int64_t, int64_t);   \
  template void mul_backward<T>(T *, T *, const T *, const T *, const T *,     \
                                int64_t, int64_t);                             \
  template void scale_forward<T>(T *, const T *, double, int64_t);             \
  template void scale_backward<T>(T *, const T *, double, int64_t);
PTC_INSTANTIATE(float)
PTC_INSTANTIATE(double)
#undef PTC_INSTANTIATE

} // namespace ptc::rt::cpu
