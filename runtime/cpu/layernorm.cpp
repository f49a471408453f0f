//===- layernorm.cpp - LayerNorm over the last dim (CPU reference) --------===//

#include "runtime/cpu/layernorm.h"

#include "runtime/cpu/check.h"

#include <cmath>
#include <vector>

namespace ptc::rt::cpu {

template <typename T>
void layernorm_forward(T *out, T *mean, T *rstd, const T *x, const T *gamma,
                       const T *beta, int64_t N, int64_t C, double eps) {
  PTC_RT_CHECK(N >= 0 && C > 0, "layernorm_forward: bad sizes N=%lld C=%lld",
               (long long)N, (long long)C);
  PTC_RT_CHECK(eps >= 0, "layernorm_forward: eps = %g < 0", eps);
  for (int64_t n = 0; n < N; ++n) {
    const T *xr = x + n * C;
    double m = 0;
    for (int64_t c = 0; c < C; ++c)
      m += xr[c];
    m /= C;
    double var = 0;
    for (int64_t c = 0; c < C; ++c)
      var += (xr[c] - m) * (xr[c] - m);
    var /= C;
    double s = 1.0 / std::sqrt(var + eps);
    T *o = out + n * C;
    for (int64_t c = 0; c < C; ++c)
      o[c] = T((xr[c] - m) * s * gamma[c] + (beta ? double(beta[c]) : 0.0));
    if (mean)
      mean[n] = T(m);
    if (rstd)
      rstd[n] = T(s);
  }
}

template <typename T>
void layernorm_backward(T *dx, T *dgamma, T *dbeta, const T *dout, const T *x,
                        const T *gamma, const T *mean, const T *rstd,
                        int64_t N, int64_t C) {
  PTC_RT_CHECK(N >= 0 && C > 0, "layernorm_backward: bad sizes N=%lld C=%lld",
               (long long)N, (long long)C);
  std::vector<double> dg(dgamma ? C : 0, 0.0), db(dbeta ? C : 0, 0.0);
  for (int64_t n = 0; n < N; ++n) {
    const T *xr = x + n * C, *dr = dout + n * C;
    double m = mean[n], s = rstd[n];
    double gMean = 0, gxMean = 0; // mean_c(g), mean_c(g * xhat)
    for (int64_t c = 0; c < C; ++c) {
      double xhat = (xr[c] - m) * s, g = double(dr[c]) * gamma[c];
      gMean += g;
      gxMean += g * xhat;
      if (dgamma)
        dg[c] += double(dr[c]) * xhat;
      if (dbeta)
        db[c] += dr[c];
    }
    gMean /= C;
    gxMean /= C;
    T *dxr = dx + n * C;
    for (int64_t c = 0; c < C; ++c) {
      double xhat = (xr[c] - m) * s, g = double(dr[c]) * gamma[c];
      dxr[c] += T(s * (g - gMean - xhat * gxMean));
    }
  }
  for (int64_t c = 0; c < (dgamma ? C : 0); ++c)
    dgamma[c] += T(dg[c]);
  for (int64_t c = 0; c < (dbeta ? C : 0); ++c)
    dbeta[c] += T(db[c]);
}

#define PTC_INSTANTIATE(T)                                                     \
  template void layernorm_forward<T>(T *, T *, T *, const T *, const T *,      \
                                     const T *, int64_t, int64_t, double);     \
  template void layernorm_backward<T>(T *, T *, T *, const T *, const T *,     \
                                      const T *, const T *, const T *,         \
                                      int64_t, int64_t);
PTC_INSTANTIATE(float)
PTC_INSTANTIATE(double)
#undef PTC_INSTANTIATE

} // namespace ptc::rt::cpu
