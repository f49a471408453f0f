//===- tensor_ops.cu - Data movement and reductions (CUDA) ----------------===//

#include "runtime/cuda/tensor_ops.cuh"

#include "runtime/cuda/device_utils.cuh"
#include "runtime/cuda/reduce.cuh"

namespace ptc::kernels {

using namespace ptc::cuda;

namespace {

constexpr int kThreads = 256;

template <typename T> struct FromDouble {
  __device__ static T get(double v) { return fromDouble<T>(v); }
};
template <> struct FromDouble<int32_t> {
  __device__ static int32_t get(double v) { return int32_t(v); }
};
template <> struct FromDouble<int64_t> {
  __device__ static int64_t get(double v) { return int64_t(v); }
};

template <typename T>
__global__ void fillKernel(T *buffer, int64_t n, double value) {
  const T v = FromDouble<T>::get(value);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    buffer[i] = v;
}

template <typename To, typename From>
__global__ void convertKernel(To *dst, const From *src, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    dst[i] = fromFloat<To>(toFloat(src[i]));
}

constexpr int kMaxRank = 6;
struct PermuteShape {
  int rank;
  int64_t outShape[kMaxRank];  // out's extents
  int64_t srcStride[kMaxRank]; // in's stride of the dim out dim d reads
};

template <typename T>
__global__ void permuteKernel(T *out, const T *in, int64_t n,
                              PermuteShape shape) {
  for (int64_t o = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; o < n;
       o += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = o, src = 0;
    for (int d = shape.rank - 1; d >= 0; --d) {
      const int64_t idx = rest % shape.outShape[d];
      rest /= shape.outShape[d];
      src += idx * shape.srcStride[d];
    }
    out[o] = in[src];
  }
}

template <typename T>
__global__ void copyRowsKernel(T *dst, const T *src, int64_t rows, int64_t len,
                               int64_t dstStride, int64_t dstOffset,
                               int64_t srcStride, int64_t srcOffset) {
  const int64_t n = rows * len;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t r = i / len, j = i % len;
    dst[r * dstStride + dstOffset + j] = src[r * srcStride + srcOffset + j];
  }
}

template <typename T>
__global__ void axpyKernel(T *y, const T *x, double alpha, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    y[i] = fromDouble<T>(toDouble(y[i]) + alpha * toDouble(x[i]));
}

template <typename T> struct LeadingSum {
  const T *in;
  int64_t inner;
  __device__ void operator()(int64_t r, int64_t c, float (&acc)[1]) const {
    acc[0] += toFloat(in[r * inner + c]);
  }
};

} // namespace

template <typename T> void fill(T *buffer, int64_t n, double value) {
  PTC_CUDA_REQUIRE(n >= 0 && (n == 0 || buffer), "fill: n = %lld",
                   (long long)n);
  if (n == 0)
    return;
  fillKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(buffer, n,
                                                                value);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T> void copy(T *dst, const T *src, int64_t n) {
  PTC_CUDA_REQUIRE(n >= 0, "copy: n = %lld < 0", (long long)n);
  if (n == 0 || dst == src)
    return;
  PTC_CUDA_CHECK(cudaMemcpyAsync(dst, src, size_t(n) * sizeof(T),
                                 cudaMemcpyDeviceToDevice, stream()));
}

template <typename To, typename From>
void convert(To *dst, const From *src, int64_t n) {
  PTC_CUDA_REQUIRE(n >= 0, "convert: n = %lld < 0", (long long)n);
  if (n == 0)
    return;
  convertKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(dst, src,
                                                                   n);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void permute(T *out, const T *in, int64_t rank, int64_t s0, int64_t s1,
             int64_t s2, int64_t s3, int64_t s4, int64_t s5, int64_t p0,
             int64_t p1, int64_t p2, int64_t p3, int64_t p4, int64_t p5) {
  PTC_CUDA_REQUIRE(rank >= 1 && rank <= kMaxRank,
                   "permute: rank %lld outside [1, %d]", (long long)rank,
                   kMaxRank);
  const int64_t shape[] = {s0, s1, s2, s3, s4, s5};
  const int64_t perm[] = {p0, p1, p2, p3, p4, p5};
  int64_t inStride[kMaxRank];
  int64_t n = 1;
  for (int d = int(rank) - 1; d >= 0; --d) {
    PTC_CUDA_REQUIRE(shape[d] >= 0, "permute: shape[%d] = %lld < 0", d,
                     (long long)shape[d]);
    inStride[d] = n;
    n *= shape[d];
  }
  PermuteShape ps{int(rank), {}, {}};
  bool seen[kMaxRank] = {};
  for (int d = 0; d < rank; ++d) {
    PTC_CUDA_REQUIRE(perm[d] >= 0 && perm[d] < rank && !seen[perm[d]],
                     "permute: perm is not a permutation of [0, %lld)",
                     (long long)rank);
    seen[perm[d]] = true;
    ps.outShape[d] = shape[perm[d]];
    ps.srcStride[d] = inStride[perm[d]];
  }
  if (n == 0)
    return;
  permuteKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(out, in, n,
                                                                   ps);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void copy_rows(T *dst, const T *src, int64_t rows, int64_t len,
               int64_t dstStride, int64_t dstOffset, int64_t srcStride,
               int64_t srcOffset) {
  PTC_CUDA_REQUIRE(rows >= 0 && len >= 0 && dstOffset >= 0 && srcOffset >= 0,
                   "copy_rows: rows = %lld, len = %lld, offsets %lld, %lld",
                   (long long)rows, (long long)len, (long long)dstOffset,
                   (long long)srcOffset);
  if (rows == 0 || len == 0)
    return;
  copyRowsKernel<<<blocksFor(rows * len, kThreads), kThreads, 0, stream()>>>(
      dst, src, rows, len, dstStride, dstOffset, srcStride, srcOffset);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void reduce_leading(T *out, const T *in, int64_t outer, int64_t inner) {
  PTC_CUDA_REQUIRE(outer >= 0 && inner >= 0,
                   "reduce_leading: outer = %lld, inner = %lld",
                   (long long)outer, (long long)inner);
  T *const outs[1] = {out};
  columnSums<1>(outs, outer, inner, /*accumulate=*/false,
                LeadingSum<T>{in, inner});
}

template <typename T> void axpy(T *y, const T *x, double alpha, int64_t n) {
  PTC_CUDA_REQUIRE(n >= 0, "axpy: n = %lld < 0", (long long)n);
  if (n == 0)
    return;
  axpyKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(y, x, alpha,
                                                                n);
  PTC_CUDA_CHECK_LAUNCH();
}

#define PTC_INSTANTIATE_MOVE(T)                                                \
  template void fill<T>(T *, int64_t, double);                                 \
  template void copy<T>(T *, const T *, int64_t);                              \
  template void permute<T>(T *, const T *, int64_t, int64_t, int64_t, int64_t, \
                           int64_t, int64_t, int64_t, int64_t, int64_t,        \
                           int64_t, int64_t, int64_t, int64_t);                \
  template void copy_rows<T>(T *, const T *, int64_t, int64_t, int64_t,        \
                             int64_t, int64_t, int64_t);
PTC_CUDA_FOR_ALL_TYPES(PTC_INSTANTIATE_MOVE)
#undef PTC_INSTANTIATE_MOVE

#define PTC_INSTANTIATE_MATH(T)                                                \
  template void reduce_leading<T>(T *, const T *, int64_t, int64_t);           \
  template void axpy<T>(T *, const T *, double, int64_t);
PTC_CUDA_FOR_FLOAT_TYPES(PTC_INSTANTIATE_MATH)
#undef PTC_INSTANTIATE_MATH

template void convert<float, __nv_bfloat16>(float *, const __nv_bfloat16 *,
                                            int64_t);
template void convert<__nv_bfloat16, float>(__nv_bfloat16 *, const float *,
                                            int64_t);
template void convert<float, float>(float *, const float *, int64_t);
template void convert<__nv_bfloat16, __nv_bfloat16>(__nv_bfloat16 *,
                                                    const __nv_bfloat16 *,
                                                    int64_t);

} // namespace ptc::kernels
