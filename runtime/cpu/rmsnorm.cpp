//===- rmsnorm.cpp - RMSNorm over the last dim (CPU reference) ------------===//

#include "runtime/cpu/rmsnorm.h"

#include "runtime/cpu/check.h"

#include <cmath>
#include <vector>

namespace ptc::rt::cpu {

template <typename T>
void rmsnorm_forward(T *out, T *rstd, const T *x, const T *gamma, int64_t N,
                     int64_t C, double eps) {
  PTC_RT_CHECK(N >= 0 && C > 0, "rmsnorm_forward: bad sizes N=%lld C=%lld",
               (long long)N, (long long)C);
  PTC_RT_CHECK(eps >= 0, "rmsnorm_forward: eps = %g < 0", eps);
  for (int64_t n = 0; n < N; ++n) {
    const T *xr = x + n * C;
    double ss = 0;
    for (int64_t c = 0; c < C; ++c)
      ss += double(xr[c]) * xr[c];
    double s = 1.0 / std::sqrt(ss / C + eps);
    T *o = out + n * C;
    for (int64_t c = 0; c < C; ++c)
      o[c] = T(xr[c] * s * gamma[c]);
    if (rstd)
      rstd[n] = T(s);
  }
}

template <typename T>
void rmsnorm_backward(T *dx, T *dgamma, const T *dout, const T *x,
                      const T *gamma, const T *rstd, int64_t N, int64_t C) {
  PTC_RT_CHECK(N >= 0 && C > 0, "rmsnorm_backward: bad sizes N=%lld C=%lld",
               (long long)N, (long long)C);
  std::vector<double> dg(dgamma ? C : 0, 0.0);
  for (int64_t n = 0; n < N; ++n) {
    const T *xr = x + n * C, *dr = dout + n * C;
    double s = rstd[n];
    double gxMean = 0;
    for (int64_t c = 0; c < C; ++c) {
      double xhat = xr[c] * s;
      gxMean += double(dr[c]) * gamma[c] * xhat;
      if (dgamma)
        dg[c] += double(dr[c]) * xhat;
    }
    gxMean /= C;
    T *dxr = dx + n * C;
    for (int64_t c = 0; c < C; ++c)
      dxr[c] += T(s * (double(dr[c]) * gamma[c] - xr[c] * s * gxMean));
  }
  for (int64_t c = 0; c < (dgamma ? C : 0); ++c)
    dgamma[c] += T(dg[c]);
}

#define PTC_INSTANTIATE(T)                                                     \
  template void rmsnorm_forward<T>(T *, T *, const T *, const T *, int64_t,    \
                                   int64_t, double);                           \
  template void rmsnorm_backward<T>(T *, T *, const T *, const T *, const T *, \
                                    const T *, int64_t, int64_t);
PTC_INSTANTIATE(float)
PTC_INSTANTIATE(double)
#undef PTC_INSTANTIATE

} // namespace ptc::rt::cpu
