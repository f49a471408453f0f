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

/// Where a [B, H, T, Dh] operand's rows are: row (b, h, t) starts at
/// offset + b*batch + h*head + t*row, its Dh elements contiguous.
struct View {
  int64_t offset, batch, head, row;
  int64_t at(int64_t b, int64_t h, int64_t t) const {
    return offset + b * batch + h * head + t * row;
  }
};

static View contiguous(int64_t H, int64_t Tn, int64_t Dh) {
  return {0, H * Tn * Dh, Tn * Dh, Dh};
}

static void checkView(const char *fn, const char *name, View v) {
  PTC_RT_CHECK(v.offset >= 0 && v.batch >= 0 && v.head >= 0 && v.row >= 0,
               "%s: %s has a negative offset or stride (%lld, %lld, %lld, "
               "%lld)",
               fn, name, (long long)v.offset, (long long)v.batch,
               (long long)v.head, (long long)v.row);
}

template <typename T>
static void forward(T *out, AttentionLse<T> *lse, const T *q, const T *k,
                    const T *v, int64_t B, int64_t Hq, int64_t Hkv, int64_t Tn,
                    int64_t Dh, double scale, View qv, View kv, View vv,
                    View ov) {
  const int64_t group = Hq / Hkv;
  std::vector<double> s(Tn), acc(Dh);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < Hq; ++h) {
      const int64_t hk = h / group;
      for (int64_t t = 0; t < Tn; ++t) {
        const T *qt = q + qv.at(b, h, t);
        double mx = -INFINITY;
        for (int64_t j = 0; j <= t; ++j) {
          s[j] = scale * dot(qt, k + kv.at(b, hk, j), Dh);
          mx = std::max(mx, s[j]);
        }
        double sum = 0;
        for (int64_t j = 0; j <= t; ++j)
          sum += std::exp(s[j] - mx);
        double l = mx + std::log(sum);
        std::fill(acc.begin(), acc.end(), 0.0);
        for (int64_t j = 0; j <= t; ++j) {
          double p = std::exp(s[j] - l);
          const T *vj = v + vv.at(b, hk, j);
          for (int64_t d = 0; d < Dh; ++d)
            acc[d] += p * vj[d];
        }
        T *ot = out + ov.at(b, h, t);
        for (int64_t d = 0; d < Dh; ++d)
          ot[d] = T(acc[d]);
        if (lse)
          lse[(b * Hq + h) * Tn + t] = AttentionLse<T>(l);
      }
    }
}

/// dst = src (accumulate false) or dst += src, rounded to T once.
template <typename T>
static void store(T *dst, const double *src, int64_t n, bool accumulate) {
  for (int64_t i = 0; i < n; ++i)
    dst[i] = accumulate ? T(dst[i] + T(src[i])) : T(src[i]);
}

template <typename T>
static void backward(T *dq, T *dk, T *dv, const T *dout, const T *q, const T *k,
                     const T *v, const T *out, const AttentionLse<T> *lse,
                     int64_t B, int64_t Hq, int64_t Hkv, int64_t Tn, int64_t Dh,
                     double scale, bool accumulate, View dqv, View dkv,
                     View dvv, View dov, View qv, View kv, View vv, View ov) {
  const int64_t group = Hq / Hkv;
  // dk, dv of one key/value head, summed in double over its query heads.
  std::vector<double> dkAcc(Tn * Dh), dvAcc(Tn * Dh), dqAcc(Dh);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t hk = 0; hk < Hkv; ++hk) {
      std::fill(dkAcc.begin(), dkAcc.end(), 0.0);
      std::fill(dvAcc.begin(), dvAcc.end(), 0.0);
      for (int64_t h = hk * group; h < (hk + 1) * group; ++h) {
        for (int64_t t = 0; t < Tn; ++t) {
          const T *qt = q + qv.at(b, h, t), *doutT = dout + dov.at(b, h, t);
          double l = lse[(b * Hq + h) * Tn + t];
          double D = dot(doutT, out + ov.at(b, h, t), Dh);
          std::fill(dqAcc.begin(), dqAcc.end(), 0.0);
          for (int64_t j = 0; j <= t; ++j) {
            const T *kj = k + kv.at(b, hk, j), *vj = v + vv.at(b, hk, j);
            double pj = std::exp(scale * dot(qt, kj, Dh) - l);
            double ds = pj * (dot(doutT, vj, Dh) - D);
            for (int64_t d = 0; d < Dh; ++d) {
              dvAcc[j * Dh + d] += pj * doutT[d];
              dkAcc[j * Dh + d] += scale * ds * qt[d];
              dqAcc[d] += scale * ds * kj[d];
            }
          }
          store(dq + dqv.at(b, h, t), dqAcc.data(), Dh, accumulate);
        }
      }
      for (int64_t j = 0; j < Tn; ++j) {
        store(dk + dkv.at(b, hk, j), dkAcc.data() + j * Dh, Dh, accumulate);
        store(dv + dvv.at(b, hk, j), dvAcc.data() + j * Dh, Dh, accumulate);
      }
    }
}

template <typename T>
void attention_forward_strided(
    T *out, AttentionLse<T> *lse, const T *q, const T *k, const T *v, int64_t B,
    int64_t Hq, int64_t Hkv, int64_t T_, int64_t Dh, double scale, //
    int64_t qOffset, int64_t qBatch, int64_t qHead, int64_t qRow,
    int64_t kOffset, int64_t kBatch, int64_t kHead, int64_t kRow,
    int64_t vOffset, int64_t vBatch, int64_t vHead, int64_t vRow,
    int64_t outOffset, int64_t outBatch, int64_t outHead, int64_t outRow) {
  const char *fn = "attention_forward_strided";
  checkSizes(fn, B, Hq, Hkv, T_, Dh);
  View qv{qOffset, qBatch, qHead, qRow}, kv{kOffset, kBatch, kHead, kRow},
      vv{vOffset, vBatch, vHead, vRow},
      ov{outOffset, outBatch, outHead, outRow};
  checkView(fn, "q", qv);
  checkView(fn, "k", kv);
  checkView(fn, "v", vv);
  checkView(fn, "out", ov);
  forward(out, lse, q, k, v, B, Hq, Hkv, T_, Dh, scale, qv, kv, vv, ov);
}

template <typename T>
void attention_backward_strided(
    T *dq, T *dk, T *dv, const T *dout, const T *q, const T *k, const T *v,
    const T *out, const AttentionLse<T> *lse, int64_t B, int64_t Hq,
    int64_t Hkv, int64_t T_, int64_t Dh, double scale, int64_t accumulate, //
    int64_t dqOffset, int64_t dqBatch, int64_t dqHead, int64_t dqRow,
    int64_t dkOffset, int64_t dkBatch, int64_t dkHead, int64_t dkRow,
    int64_t dvOffset, int64_t dvBatch, int64_t dvHead, int64_t dvRow,
    int64_t doutOffset, int64_t doutBatch, int64_t doutHead, int64_t doutRow,
    int64_t qOffset, int64_t qBatch, int64_t qHead, int64_t qRow,
    int64_t kOffset, int64_t kBatch, int64_t kHead, int64_t kRow,
    int64_t vOffset, int64_t vBatch, int64_t vHead, int64_t vRow,
    int64_t outOffset, int64_t outBatch, int64_t outHead, int64_t outRow) {
  const char *fn = "attention_backward_strided";
  checkSizes(fn, B, Hq, Hkv, T_, Dh);
  PTC_RT_CHECK(accumulate == 0 || accumulate == 1,
               "%s: accumulate must be 0 or 1, got %lld", fn,
               (long long)accumulate);
  const View views[] = {{dqOffset, dqBatch, dqHead, dqRow},
                        {dkOffset, dkBatch, dkHead, dkRow},
                        {dvOffset, dvBatch, dvHead, dvRow},
                        {doutOffset, doutBatch, doutHead, doutRow},
                        {qOffset, qBatch, qHead, qRow},
                        {kOffset, kBatch, kHead, kRow},
                        {vOffset, vBatch, vHead, vRow},
                        {outOffset, outBatch, outHead, outRow}};
  const char *names[] = {"dq", "dk", "dv", "dout", "q", "k", "v", "out"};
  for (int i = 0; i < 8; ++i)
    checkView(fn, names[i], views[i]);
  backward(dq, dk, dv, dout, q, k, v, out, lse, B, Hq, Hkv, T_, Dh, scale,
           accumulate != 0, views[0], views[1], views[2], views[3], views[4],
           views[5], views[6], views[7]);
}

template <typename T>
void attention_forward(T *out, AttentionLse<T> *lse, const T *q, const T *k,
                       const T *v, int64_t B, int64_t Hq, int64_t Hkv,
                       int64_t T_, int64_t Dh, double scale) {
  checkSizes("attention_forward", B, Hq, Hkv, T_, Dh);
  const View qo = contiguous(Hq, T_, Dh), kv = contiguous(Hkv, T_, Dh);
  forward(out, lse, q, k, v, B, Hq, Hkv, T_, Dh, scale, qo, kv, kv, qo);
}

template <typename T>
void attention_backward(T *dq, T *dk, T *dv, const T *dout, const T *q,
                        const T *k, const T *v, const T *out,
                        const AttentionLse<T> *lse, int64_t B, int64_t Hq,
                        int64_t Hkv, int64_t T_, int64_t Dh, double scale) {
  checkSizes("attention_backward", B, Hq, Hkv, T_, Dh);
  const View qo = contiguous(Hq, T_, Dh), kv = contiguous(Hkv, T_, Dh);
  backward(dq, dk, dv, dout, q, k, v, out, lse, B, Hq, Hkv, T_, Dh, scale,
           /*accumulate=*/true, qo, kv, kv, qo, qo, kv, kv, qo);
}

#define PTC_INSTANTIATE(T)                                                     \
  template void attention_forward<T>(T *, AttentionLse<T> *, const T *,        \
                                     const T *, const T *, int64_t, int64_t,   \
                                     int64_t, int64_t, int64_t, double);       \
  template void attention_backward<T>(                                         \
      T *, T *, T *, const T *, const T *, const T *, const T *, const T *,    \
      const AttentionLse<T> *, int64_t, int64_t, int64_t, int64_t, int64_t,    \
      double);                                                                 \
  template void attention_forward_strided<T>(                                  \
      T *, AttentionLse<T> *, const T *, const T *, const T *, int64_t,        \
      int64_t, int64_t, int64_t, int64_t, double, int64_t, int64_t, int64_t,   \
      int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,  \
      int64_t, int64_t, int64_t, int64_t, int64_t);                            \
  template void attention_backward_strided<T>(                                 \
      T *, T *, T *, const T *, const T *, const T *, const T *, const T *,    \
      const AttentionLse<T> *, int64_t, int64_t, int64_t, int64_t, int64_t,    \
      double, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,   \
      int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,  \
      int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,  \
      int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,  \
      int64_t, int64_t);
PTC_INSTANTIATE(float)
PTC_INSTANTIATE(double)
#undef PTC_INSTANTIATE

} // namespace ptc::rt::cpu
