//===- tensor_ops.h - Data movement and reductions (CPU reference) -*- C++ -*-===//
//
// The layout kernels that the graph's shape ops lower to (transpose, split,
// concat, sums over leading dimensions, casts) and the vector updates of the
// training step (axpy, fill). Row-major, sizes in elements.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_TENSOR_OPS_H
#define PTC_RUNTIME_CPU_TENSOR_OPS_H

#include <cstdint>

namespace ptc::rt::cpu {

constexpr int kMaxPermuteRank = 6;

/// out = transpose(in, perm): out dim i is in dim perm[i]. `shape` is in's.
template <typename T>
void permute(T *out, const T *in, int rank, const int64_t *shape,
             const int64_t *perm);

/// For r in [0, rows): dst[r*dstStride + dstOffset + j] =
/// src[r*srcStride + srcOffset + j], j in [0, len). Split and concat are
/// this copy with strides of the split axis.
template <typename T>
void copy_rows(T *dst, const T *src, int64_t rows, int64_t len,
               int64_t dstStride, int64_t dstOffset, int64_t srcStride,
               int64_t srcOffset);

/// out[j] = sum over i of in[i*inner + j], i in [0, outer); f64 accumulation.
template <typename T>
void reduce_leading(T *out, const T *in, int64_t outer, int64_t inner);

/// y += alpha * x.
template <typename T> void axpy(T *y, const T *x, double alpha, int64_t n);

/// dst = src converted element by element.
template <typename To, typename From>
void convert(To *dst, const From *src, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    dst[i] = To(src[i]);
}

} // namespace ptc::rt::cpu

#endif // PTC_RUNTIME_CPU_TENSOR_OPS_H
