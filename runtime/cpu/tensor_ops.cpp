//===- tensor_ops.cpp - Data movement and reductions (CPU reference) ------===//

#include "runtime/cpu/tensor_ops.h"

#include "runtime/cpu/check.h"

#include <vector>

namespace ptc::rt::cpu {

template <typename T>
void permute(T *out, const T *in, int rank, const int64_t *shape,
             const int64_t *perm) {
  PTC_RT_CHECK(rank >= 1 && rank <= kMaxPermuteRank,
               "permute: rank %d outside [1, %d]", rank, kMaxPermuteRank);
  int64_t inStride[kMaxPermuteRank], outShape[kMaxPermuteRank];
  int64_t n = 1;
  for (int d = rank - 1; d >= 0; --d) {
    inStride[d] = n;
    n *= shape[d];
  }
  bool seen[kMaxPermuteRank] = {};
  for (int d = 0; d < rank; ++d) {
    PTC_RT_CHECK(perm[d] >= 0 && perm[d] < rank && !seen[perm[d]],
                 "permute: perm is not a permutation of [0, %d)", rank);
    seen[perm[d]] = true;
    outShape[d] = shape[perm[d]];
  }
  std::vector<int64_t> index(rank, 0);
  for (int64_t o = 0; o < n; ++o) {
    int64_t src = 0;
    for (int d = 0; d < rank; ++d)
      src += index[d] * inStride[perm[d]];
    out[o] = in[src];
    for (int d = rank - 1; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
}

template <typename T>
void copy_rows(T *dst, const T *src, int64_t rows, int64_t len,
               int64_t dstStride, int64_t dstOffset, int64_t srcStride,
               int64_t srcOffset) {
  PTC_RT_CHECK(rows >= 0 && len >= 0, "copy_rows: rows = %lld, len = %lld",
               (long long)rows, (long long)len);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < len; ++j)
      dst[r * dstStride + dstOffset + j] = src[r * srcStride + srcOffset + j];
}

template <typename T>
void reduce_leading(T *out, const T *in, int64_t outer, int64_t inner) {
  for (int64_t j = 0; j < inner; ++j) {
    double sum = 0;
    for (int64_t i = 0; i < outer; ++i)
      sum += double(in[i * inner + j]);
    out[j] = T(sum);
  }
}

template <typename T> void axpy(T *y, const T *x, double alpha, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = T(double(y[i]) + alpha * double(x[i]));
}

#define PTC_INSTANTIATE(T)                                                     \
  template void permute<T>(T *, const T *, int, const int64_t *,               \
                           const int64_t *);                                   \
  template void copy_rows<T>(T *, const T *, int64_t, int64_t, int64_t,        \
                             int64_t, int64_t, int64_t);                       \
  template void reduce_leading<T>(T *, const T *, int64_t, int64_t);           \
  template void axpy<T>(T *, const T *, double, int64_t);
PTC_INSTANTIATE(float)
PTC_INSTANTIATE(double)
#undef PTC_INSTANTIATE

} // namespace ptc::rt::cpu
