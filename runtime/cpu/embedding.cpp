//===- embedding.cpp - Embedding lookup (CPU reference) -------------------===//

#include "runtime/cpu/embedding.h"

#include "runtime/cpu/check.h"

namespace ptc::rt::cpu {

static void checkId(const char *fn, const int32_t *ids, int64_t n, int64_t V) {
  PTC_RT_CHECK(ids[n] >= 0 && ids[n] < V, "%s: ids[%lld] = %d is outside [0, %lld)",
               fn, (long long)n, ids[n], (long long)V);
}

template <typename T>
void embedding_forward(T *out, const int32_t *ids, const T *table, int64_t N,
                       int64_t V, int64_t C) {
  PTC_RT_CHECK(N >= 0 && V > 0 && C > 0, "embedding_forward: bad sizes N=%lld V=%lld C=%lld",
               (long long)N, (long long)V, (long long)C);
  for (int64_t n = 0; n < N; ++n) {
    checkId("embedding_forward", ids, n, V);
    const T *row = table + ids[n] * C;
    T *o = out + n * C;
    for (int64_t c = 0; c < C; ++c)
      o[c] = row[c];
  }
}

template <typename T>
void embedding_backward(T *dtable, const int32_t *ids, const T *dout,
                        int64_t N, int64_t V, int64_t C) {
  PTC_RT_CHECK(N >= 0 && V > 0 && C > 0, "embedding_backward: bad sizes N=%lld V=%lld C=%lld",
               (long long)N, (long long)V, (long long)C);
  for (int64_t n = 0; n < N; ++n) {
    checkId("embedding_backward", ids, n, V);
    T *row = dtable + ids[n] * C;
    const T *d = dout + n * C;
    for (int64_t c = 0; c < C; ++c)
      row[c] += d[c];
  }
}

#define PTC_INSTANTIATE(T)                                                     \
  template void embedding_forward<T>(T *, const int32_t *, const T *, int64_t, \
                                     int64_t, int64_t);                        \
  template void embedding_backward<T>(T *, const int32_t *, const T *,         \
                                      int64_t, int64_t, int64_t);
PTC_INSTANTIATE(float)
PTC_INSTANTIATE(double)
#undef PTC_INSTANTIATE

} // namespace ptc::rt::cpu
