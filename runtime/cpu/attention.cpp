//===- attention.cpp - Causal multi-head attention (CPU reference) --------===//

#include "runtime/cpu/attention.h"

#include "runtime/cpu/check.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ptc::rt::cpu {

static void checkSizes(const char *fn, int64_t B, int64_t Hq, int64_t Hkv,
                       int64_t Tn, int64_t Dh) {
  PTC_RT_CHECK(B >= 0 && Hq > 0 && Hkv > 0 && Tn >= 0 && Dh > 0 &&
                   Hq % Hkv == 0,
               "%s: bad sizes B=%lld Hq=%lld Hkv=%lld T=%lld Dh=%lld (Hkv must "
               "divide Hq)",
               fn, (long long)B, (long long)Hq, (long long)Hkv, (long long)Tn,
               (long long)Dh);
}

template <typename T> static double dot(const T *a, const T *b, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i)
    s += double(a[i]) * b[i];
  return s;
}

template <typename T>
void attention_forward(T *out, T *lse, const T *q, const T *k, const T *v,
                       int64_t B, int64_t Hq, int64_t Hkv, int64_t T_,
                       int64_t Dh, double scale) {
  checkSizes("attention_forward", B, Hq, Hkv, T_, Dh);
  const int64_t Tn = T_, group = Hq / Hkv;
  std::vector<double> s(Tn), acc(Dh);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < Hq; ++h) {
      const int64_t qh = b * Hq + h, kvh = b * Hkv + h / group;
      const T *K = k + kvh * Tn * Dh, *V = v + kvh * Tn * Dh;
      for (int64_t t = 0; t < Tn; ++t) {
        const T *qt = q + (qh * Tn + t) * Dh;
        double mx = -INFINITY;
        for (int64_t j = 0; j <= t; ++j) {
          s[j] = scale * dot(qt, K + j * Dh, Dh);
          mx = std::max(mx, s[j]);
        }
        double sum = 0;
        for (int64_t j = 0; j <= t; ++j)
          sum += std::exp(s[j] - mx);
        double l = mx + std::log(sum);
        std::fill(acc.begin(), acc.end(), 0.0);
        for (int64_t j = 0; j <= t; ++j) {
          double p = std::exp(s[j] - l);
          for (int64_t d = 0; d < Dh; ++d)
            acc[d] += p * V[j * Dh + d];
        }
        T *ot = out + (qh * Tn + t) * Dh;
        for (int64_t d = 0; d < Dh; ++d)
          ot[d] = T(acc[d]);
        if (lse)
          lse[qh * Tn + t] = T(l);
      }
    }
}

template <typename T>
void attention_backward(T *dq, T *dk, T *dv, const T *dout, const T *q,
                        const T *k, const T *v, const T *out, const T *lse,
                        int64_t B, int64_t Hq, int64_t Hkv, int64_t T_,
                        int64_t Dh, double scale) {
  checkSizes("attention_backward", B, Hq, Hkv, T_, Dh);
  const int64_t Tn = T_, group = Hq / Hkv;
  // dk, dv of one key/value head, summed in double over its query heads.
  std::vector<double> dkAcc(Tn * Dh), dvAcc(Tn * Dh), dqAcc(Dh);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t hk = 0; hk < Hkv; ++hk) {
      const int64_t kvh = b * Hkv + hk;
      const T *K = k + kvh * Tn * Dh, *V = v + kvh * Tn * Dh;
      std::fill(dkAcc.begin(), dkAcc.end(), 0.0);
      std::fill(dvAcc.begin(), dvAcc.end(), 0.0);
      for (int64_t h = hk * group; h < (hk + 1) * group; ++h) {
        const int64_t qh = b * Hq + h;
        for (int64_t t = 0; t < Tn; ++t) {
          const int64_t row = (qh * Tn + t) * Dh;
          const T *qt = q + row, *doutT = dout + row;
          double l = lse[qh * Tn + t];
          double D = dot(doutT, out + row, Dh);
          std::fill(dqAcc.begin(), dqAcc.end(), 0.0);
          for (int64_t j = 0; j <= t; ++j) {
            const T *kj = K + j * Dh, *vj = V + j * Dh;
            double pj = std::exp(scale * dot(qt, kj, Dh) - l);
            double ds = pj * (dot(doutT, vj, Dh) - D);
            for (int64_t d = 0; d < Dh; ++d) {
              dvAcc[j * Dh + d] += pj * doutT[d];
              dkAcc[j * Dh + d] += scale * ds * qt[d];
              dqAcc[d] += scale * ds * kj[d];
            }
          }
          T *dqt = dq + row;
          for (int64_t d = 0; d < Dh; ++d)
            dqt[d] += T(dqAcc[d]);
        }
      }
      T *dK = dk + kvh * Tn * Dh, *dV = dv + kvh * Tn * Dh;
      for (int64_t i = 0; i < Tn * Dh; ++i) {
        dK[i] += T(dkAcc[i]);
        dV[i] += T(dvAcc[i]);
      }
    }
}

#define PTC_INSTANTIATE(T)                                                     \
  template void attention_forward<T>(T *, T *, const T *, const T *,           \
                                     const T *, int64_t, int64_t, int64_t,     \
                                     int64_t, int64_t, double);                \
  template void attention_backward<T>(                                         \
      T *, T *, T *, const T *, const T *, const T *, const T *, const T *,    \
      const T *, int64_t, int64_t, int64_t, int64_t, int64_t, double);
PTC_INSTANTIATE(float)
PTC_INSTANTIATE(double)
#undef PTC_INSTANTIATE

} // namespace ptc::rt::cpu
