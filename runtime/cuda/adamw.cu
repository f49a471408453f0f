//===- adamw.cu - Optimizer step: global norm, clipping, AdamW ------------===//

#include "runtime/cuda/adamw.cuh"

#include "runtime/cuda/device_utils.cuh"

namespace ptc::kernels {

using namespace ptc::cuda;

namespace {

constexpr int kThreads = 256;
constexpr int64_t kMaxNormBlocks = 1024;

template <typename T>
__global__ void sumSquaresPartialKernel(double *partial, const T *x,
                                        int64_t n) {
  __shared__ double shared[32];
  double s = 0;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const double v = toDouble(x[i]);
    s += v * v;
  }
  s = blockSum(s, shared);
  if (threadIdx.x == 0)
    partial[blockIdx.x] = s;
}

__global__ void sumSquaresFinalizeKernel(double *acc, const double *partial,
                                         int count) {
  __shared__ double shared[32];
  double s = 0;
  for (int i = threadIdx.x; i < count; i += blockDim.x)
    s += partial[i];
  s = blockSum(s, shared);
  if (threadIdx.x == 0)
    *acc += s;
}

template <typename T>
__global__ void sqrtToKernel(T *out, const double *sumSquares) {
  *out = fromDouble<T>(sqrt(*sumSquares));
}

template <typename T>
__global__ void clipFactorKernel(T *out, const T *norm, double maxNorm) {
  const double v = toDouble(*norm);
  double f;
  if (maxNorm <= 0)
    f = 1.0;
  else if (isnan(v))
    f = v;
  else
    f = fmin(1.0, maxNorm / (v + 1e-6));
  *out = fromDouble<T>(f);
}

// What every element of one AdamW step shares: the learning rate, the
// gradient scale (the clip factor) and the bias corrections of step t.
struct AdamWScalars {
  double rate, scale, c1, c2;
};

template <typename S>
__device__ __forceinline__ AdamWScalars
adamwScalars(const S *lr, const S *gradScale, const int64_t *step,
             double beta1, double beta2) {
  const int64_t t = *step;
  PTC_DEVICE_REQUIRE(t >= 1, "adamw_update: step = %lld (steps are 1-based)",
                     (long long)t);
  return {toDouble(*lr), toDouble(*gradScale), 1.0 - pow(beta1, double(t)),
          1.0 - pow(beta2, double(t))};
}

template <typename T>
__device__ __forceinline__ void
adamwElement(T *param, T *m, T *v, const T *grad, int64_t i,
             const AdamWScalars &k, double beta1, double beta2, double eps,
             double weightDecay) {
  const double g = toDouble(grad[i]) * k.scale;
  double p = toDouble(param[i]);
  p -= k.rate * weightDecay * p;
  const double mi = beta1 * toDouble(m[i]) + (1 - beta1) * g;
  const double vi = beta2 * toDouble(v[i]) + (1 - beta2) * g * g;
  p -= k.rate * (mi / k.c1) / (sqrt(vi / k.c2) + eps);
  m[i] = fromDouble<T>(mi);
  v[i] = fromDouble<T>(vi);
  param[i] = fromDouble<T>(p);
}

template <typename T, typename S>
__global__ void adamwKernel(T *param, T *m, T *v, const T *grad, const S *lr,
                            const S *gradScale, const int64_t *step, int64_t n,
                            double beta1, double beta2, double eps,
                            double weightDecay) {
  const AdamWScalars k = adamwScalars(lr, gradScale, step, beta1, beta2);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    adamwElement(param, m, v, grad, i, k, beta1, beta2, eps, weightDecay);
}

// Up to kMaxSegments rows of a coalesced update, passed by value (kernel
// parameters are captured into CUDA graphs with the launch).
constexpr int kMaxSegments = 64;
struct SegmentTable {
  int64_t end[kMaxSegments]; // exclusive prefix ends, relative to the launch
  double weightDecay[kMaxSegments];
  int count;
};

template <typename T, typename S>
__global__ void adamwSegmentsKernel(T *param, T *m, T *v, const T *grad,
                                    const S *lr, const S *gradScale,
                                    const int64_t *step, int64_t n,
                                    double beta1, double beta2, double eps,
                                    SegmentTable table) {
  const AdamWScalars k = adamwScalars(lr, gradScale, step, beta1, beta2);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    // The row of element i: the first whose end is past i.
    int lo = 0, hi = table.count - 1;
    while (lo < hi) {
      const int mid = (lo + hi) / 2;
      if (table.end[mid] > i)
        hi = mid;
      else
        lo = mid + 1;
    }
    adamwElement(param, m, v, grad, i, k, beta1, beta2, eps,
                 table.weightDecay[lo]);
  }
}

} // namespace

template <typename T> void sum_squares_add(double *acc, const T *x, int64_t n) {
  PTC_CUDA_REQUIRE(n >= 0, "sum_squares_add: n = %lld < 0", (long long)n);
  if (n == 0)
    return;
  const unsigned blocks = blocksFor(n, kThreads, kMaxNormBlocks);
  auto *partial = static_cast<double *>(scratch(blocks * sizeof(double)));
  sumSquaresPartialKernel<<<blocks, kThreads, 0, stream()>>>(partial, x, n);
  PTC_CUDA_CHECK_LAUNCH();
  sumSquaresFinalizeKernel<<<1, kThreads, 0, stream()>>>(acc, partial,
                                                         int(blocks));
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T> void sqrt_to(T *out, const double *sumSquares) {
  sqrtToKernel<<<1, 1, 0, stream()>>>(out, sumSquares);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T> void clip_factor(T *out, const T *norm, double maxNorm) {
  clipFactorKernel<<<1, 1, 0, stream()>>>(out, norm, maxNorm);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T, typename S>
void adamw_update(T *param, T *m, T *v, const T *grad, const S *lr,
                  const S *gradScale, const int64_t *step, int64_t n,
                  double beta1, double beta2, double eps, double weightDecay) {
  PTC_CUDA_REQUIRE(n >= 0, "adamw_update: n = %lld < 0", (long long)n);
  PTC_CUDA_REQUIRE(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 &&
                       eps >= 0,
                   "adamw_update: beta1 = %g, beta2 = %g must be in [0, 1), "
                   "eps = %g >= 0",
                   beta1, beta2, eps);
  if (n == 0)
    return;
  adamwKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(
      param, m, v, grad, lr, gradScale, step, n, beta1, beta2, eps,
      weightDecay);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T, typename S>
void adamw_update_segments(T *param, T *m, T *v, const T *grad, const S *lr,
                           const S *gradScale, const int64_t *step, int64_t n,
                           double beta1, double beta2, double eps,
                           const AdamWSegment *rows, int64_t numRows) {
  PTC_CUDA_REQUIRE(numRows >= 0 && (rows || numRows == 0),
                   "adamw_update_segments: %lld rows", (long long)numRows);
  const AdamWSegment *rowsEnd = rows + numRows;
  PTC_CUDA_REQUIRE(n >= 0, "adamw_update_segments: n = %lld < 0",
                   (long long)n);
  PTC_CUDA_REQUIRE(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 &&
                       eps >= 0,
                   "adamw_update_segments: beta1 = %g, beta2 = %g must be in "
                   "[0, 1), eps = %g >= 0",
                   beta1, beta2, eps);
  int64_t covered = 0;
  for (const AdamWSegment *s = rows; s != rowsEnd; ++s) {
    PTC_CUDA_REQUIRE(s->count >= 0, "adamw_update_segments: a row of %lld",
                     (long long)s->count);
    covered += s->count;
  }
  PTC_CUDA_REQUIRE(covered == n,
                   "adamw_update_segments: the rows cover %lld of %lld "
                   "elements",
                   (long long)covered, (long long)n);
  // One launch per kMaxSegments rows.
  const AdamWSegment *row = rows;
  int64_t offset = 0;
  while (row != rowsEnd) {
    SegmentTable table{};
    int64_t length = 0;
    for (; row != rowsEnd && table.count < kMaxSegments; ++row) {
      length += row->count;
      table.end[table.count] = length;
      table.weightDecay[table.count] = row->weightDecay;
      ++table.count;
    }
    if (length > 0) {
      adamwSegmentsKernel<<<blocksFor(length, kThreads), kThreads, 0,
                            stream()>>>(param + offset, m + offset, v + offset,
                                        grad + offset, lr, gradScale, step,
                                        length, beta1, beta2, eps, table);
      PTC_CUDA_CHECK_LAUNCH();
    }
    offset += length;
  }
}

#define PTC_INSTANTIATE(T)                                                     \
  template void sum_squares_add<T>(double *, const T *, int64_t);              \
  template void sqrt_to<T>(T *, const double *);                               \
  template void clip_factor<T>(T *, const T *, double);
PTC_CUDA_FOR_FLOAT_TYPES(PTC_INSTANTIATE)
#undef PTC_INSTANTIATE
template void sum_squares_add<double>(double *, const double *, int64_t);

template void adamw_update<float, float>(float *, float *, float *,
                                         const float *, const float *,
                                         const float *, const int64_t *,
                                         int64_t, double, double, double,
                                         double);
template void adamw_update<float, double>(float *, float *, float *,
                                          const float *, const double *,
                                          const double *, const int64_t *,
                                          int64_t, double, double, double,
                                          double);
template void adamw_update_segments<float, float>(
    float *, float *, float *, const float *, const float *, const float *,
    const int64_t *, int64_t, double, double, double, const AdamWSegment *,
    int64_t);
template void adamw_update_segments<float, double>(
    float *, float *, float *, const float *, const double *, const double *,
    const int64_t *, int64_t, double, double, double, const AdamWSegment *,
    int64_t);

} // namespace ptc::kernels
