//===- cross_entropy.cpp - Fused softmax + cross-entropy (CPU ref) --------===//

#include "runtime/cpu/cross_entropy.h"

#include "runtime/cpu/check.h"

#include <algorithm>
#include <cmath>

namespace ptc::rt::cpu {

static void checkSizes(const char *fn, int64_t N, int64_t V, int64_t Vp) {
  PTC_RT_CHECK(N >= 0 && V > 0 && Vp >= V,
               "%s: bad sizes N=%lld V=%lld Vp=%lld (need 0 < V <= Vp)", fn,
               (long long)N, (long long)V, (long long)Vp);
}

// True when row n counts; aborts on a target outside [0, V).
static bool counted(const char *fn, const int32_t *targets, int64_t n,
                    int64_t V, int32_t ignore_index) {
  int32_t t = targets[n];
  if (t == ignore_index)
    return false;
  PTC_RT_CHECK(t >= 0 && t < V,
               "%s: targets[%lld] = %d is outside [0, %lld) and is not the "
               "ignore index %d",
               fn, (long long)n, t, (long long)V, ignore_index);
  return true;
}

template <typename T> static double rowLse(const T *row, int64_t V) {
  double mx = -INFINITY;
  for (int64_t c = 0; c < V; ++c)
    mx = std::max(mx, double(row[c]));
  double sum = 0;
  for (int64_t c = 0; c < V; ++c)
    sum += std::exp(row[c] - mx);
  return mx + std::log(sum);
}

template <typename T>
int64_t cross_entropy_forward(T *loss, T *lse, const T *logits,
                              const int32_t *targets, int64_t N, int64_t V,
                              int64_t Vp, int32_t ignore_index) {
  checkSizes("cross_entropy_forward", N, V, Vp);
  double total = 0;
  int64_t count = 0;
  for (int64_t n = 0; n < N; ++n) {
    const T *row = logits + n * Vp;
    double l = rowLse(row, V);
    if (lse)
      lse[n] = T(l);
    if (!counted("cross_entropy_forward", targets, n, V, ignore_index))
      continue;
    total += l - row[targets[n]];
    ++count;
  }
  *loss = T(count ? total / count : 0.0);
  return count;
}

template <typename T>
void cross_entropy_backward(T *dlogits, const T *logits, const T *lse,
                            const int32_t *targets, double dloss, int64_t N,
                            int64_t V, int64_t Vp, int32_t ignore_index) {
  checkSizes("cross_entropy_backward", N, V, Vp);
  int64_t count = 0;
  for (int64_t n = 0; n < N; ++n)
    count += counted("cross_entropy_backward", targets, n, V, ignore_index);
  // dlogits == logits: in place, the gradient replaces the logits, and
  // what the gradient does not cover (ignored rows, padding columns) is 0.
  const bool inPlace = dlogits == logits;
  const double scale = count ? dloss / count : 0.0;
  for (int64_t n = 0; n < N; ++n) {
    const T *row = logits + n * Vp;
    T *drow = dlogits + n * Vp;
    if (targets[n] == ignore_index || count == 0) {
      if (inPlace)
        std::fill(drow, drow + Vp, T(0));
      continue;
    }
    double l = lse ? double(lse[n]) : rowLse(row, V);
    for (int64_t c = 0; c < V; ++c) {
      double g = std::exp(row[c] - l) - (c == targets[n] ? 1.0 : 0.0);
      drow[c] = (inPlace ? T(0) : drow[c]) + T(scale * g);
    }
    if (inPlace)
      std::fill(drow + V, drow + Vp, T(0));
  }
}

#define PTC_INSTANTIATE(T)                                                     \
  template int64_t cross_entropy_forward<T>(T *, T *, const T *,               \
                                            const int32_t *, int64_t, int64_t, \
                                            int64_t, int32_t);                 \
  template void cross_entropy_backward<T>(T *, const T *, const T *,           \
                                          const int32_t *, double, int64_t,    \
                                          int64_t, int64_t, int32_t);
PTC_INSTANTIATE(float)
PTC_INSTANTIATE(double)
#undef PTC_INSTANTIATE

} // namespace ptc::rt::cpu
