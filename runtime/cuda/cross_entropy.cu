//===- cross_entropy.cu - Fused softmax + cross-entropy (CUDA) ------------===//

#include "runtime/cuda/cross_entropy.cuh"

#include "runtime/cuda/device_utils.cuh"

#include <cfloat>

namespace ptc::kernels {

using namespace ptc::cuda;

namespace {

constexpr int kRowThreads = 512, kFinalThreads = 1024;
constexpr int32_t kIgnoreIndex = -1;

// Merges the running (max, sum of exp(x - max)) pair b into a.
__device__ __forceinline__ void merge(float &m, float &s, float m2, float s2) {
  const float M = fmaxf(m, m2);
  if (M == -INFINITY)
    return; // both empty
  s = s * __expf(m - M) + s2 * __expf(m2 - M);
  m = M;
}

// Adds x to the running (max m, sum s of exp(. - m)).
__device__ __forceinline__ void push(float &m, float &s, float x) {
  if (x > m) {
    s = s * __expf(m - x) + 1.f;
    m = x;
  } else {
    s += __expf(x - m);
  }
}

/// The log-sum-exp of row[0..V) over the block, returned to every thread.
/// `vec`: the row is 16-byte aligned (16-byte loads for the body).
template <typename T>
__device__ float blockRowLse(const T *row, int V, bool vec) {
  __shared__ float sm[32], ss[32];
  float m = -INFINITY, s = 0.f;
  int c0 = 0;
  if (vec) {
    constexpr int W = Vec16<T>::kWidth;
    const int nVec = V / W;
    for (int i = threadIdx.x; i < nVec; i += blockDim.x) {
      float x[W];
      Vec16<T>::load(row + i * W, x);
      float mx = x[0];
#pragma unroll
      for (int j = 1; j < W; ++j)
        mx = fmaxf(mx, x[j]);
      if (mx > m) {
        s *= __expf(m - mx);
        m = mx;
      }
#pragma unroll
      for (int j = 0; j < W; ++j)
        s += __expf(x[j] - m);
    }
    c0 = nVec * W;
  }
  for (int c = c0 + threadIdx.x; c < V; c += blockDim.x)
    push(m, s, toFloat(row[c]));
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) {
    const float m2 = __shfl_xor_sync(0xffffffffu, m, offset);
    const float s2 = __shfl_xor_sync(0xffffffffu, s, offset);
    merge(m, s, m2, s2);
  }
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  const int warps = blockDim.x / 32;
  if (lane == 0) {
    sm[warp] = m;
    ss[warp] = s;
  }
  __syncthreads();
  m = lane < warps ? sm[lane] : -INFINITY;
  s = lane < warps ? ss[lane] : 0.f;
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) {
    const float m2 = __shfl_xor_sync(0xffffffffu, m, offset);
    const float s2 = __shfl_xor_sync(0xffffffffu, s, offset);
    merge(m, s, m2, s2);
  }
  __syncthreads();
  return m + logf(s);
}

__device__ __forceinline__ bool counted(const int32_t *targets, int64_t n,
                                        int64_t V, const char *fn) {
  const int32_t t = targets[n];
  if (t == kIgnoreIndex)
    return false;
  PTC_DEVICE_REQUIRE(t >= 0 && t < V,
                     "%s: targets[%lld] = %d is outside [0, %lld) and is not "
                     "the ignore index -1",
                     fn, (long long)n, t, (long long)V);
  return true;
}

template <typename T, typename S>
__global__ void __launch_bounds__(kRowThreads)
    ceForwardRowKernel(S *lse, float *rowLoss, const T *logits,
                       const int32_t *targets, int V, int64_t Vp,
                       bool rowsAligned) {
  const int64_t n = blockIdx.x;
  const T *row = logits + n * Vp;
  const float l = blockRowLse(row, V, rowsAligned);
  if (threadIdx.x == 0) {
    if (lse)
      lse[n] = fromFloat<S>(l);
    rowLoss[n] = counted(targets, n, V, "cross_entropy_forward")
                     ? l - toFloat(row[targets[n]])
                     : 0.f;
  }
}

template <typename S>
__global__ void ceForwardFinalizeKernel(S *loss, const float *rowLoss,
                                        const int32_t *targets, int64_t N) {
  __shared__ double shared[32];
  double total = 0, count = 0;
  for (int64_t n = threadIdx.x; n < N; n += blockDim.x) {
    total += rowLoss[n];
    count += targets[n] != kIgnoreIndex;
  }
  total = blockSum(total, shared);
  count = blockSum(count, shared);
  if (threadIdx.x == 0)
    *loss = fromDouble<S>(count > 0 ? total / count : 0.0);
}

__global__ void ceCountKernel(float *count, const int32_t *targets, int64_t N,
                              int64_t V) {
  __shared__ double shared[32];
  double c = 0;
  for (int64_t n = threadIdx.x; n < N; n += blockDim.x)
    c += counted(targets, n, V, "cross_entropy_backward");
  c = blockSum(c, shared);
  if (threadIdx.x == 0)
    *count = float(c);
}

template <typename T, typename S>
__global__ void __launch_bounds__(kRowThreads)
    ceBackwardRowKernel(T *dlogits, const T *logits, const S *lse,
                        const int32_t *targets, const S *dloss,
                        const float *count, int V, int64_t Vp,
                        bool rowsAligned) {
  const int64_t n = blockIdx.x;
  const int32_t t = targets[n];
  // dlogits == logits: in place, the gradient replaces the logits, and what
  // it does not cover (ignored rows, padding columns) becomes 0.
  const bool inPlace = dlogits == logits;
  T *drow = dlogits + n * Vp;
  if (t == kIgnoreIndex || *count == 0.f) {
    if (inPlace)
      for (int64_t c = threadIdx.x; c < Vp; c += blockDim.x)
        drow[c] = fromFloat<T>(0.f);
    return;
  }
  const T *row = logits + n * Vp;
  const float l = lse ? toFloat(lse[n]) : blockRowLse(row, V, rowsAligned);
  const float scale = toFloat(*dloss) / *count;
  if (inPlace)
    for (int64_t c = V + threadIdx.x; c < Vp; c += blockDim.x)
      drow[c] = fromFloat<T>(0.f);
  int c0 = 0;
  if (rowsAligned) {
    constexpr int W = Vec16<T>::kWidth;
    const int nVec = V / W;
    for (int i = threadIdx.x; i < nVec; i += blockDim.x) {
      float x[W], d[W];
      Vec16<T>::load(row + i * W, x);
      if (inPlace)
#pragma unroll
        for (int j = 0; j < W; ++j)
          d[j] = 0.f;
      else
        Vec16<T>::load(drow + i * W, d);
#pragma unroll
      for (int j = 0; j < W; ++j)
        d[j] += scale * (__expf(x[j] - l) - (i * W + j == t ? 1.f : 0.f));
      Vec16<T>::store(drow + i * W, d);
    }
    c0 = nVec * W;
  }
  for (int c = c0 + threadIdx.x; c < V; c += blockDim.x) {
    const float g = __expf(toFloat(row[c]) - l) - (c == t ? 1.f : 0.f);
    drow[c] = fromFloat<T>((inPlace ? 0.f : toFloat(drow[c])) + scale * g);
  }
}

void checkSizes(const char *fn, int64_t N, int64_t V, int64_t Vp) {
  PTC_CUDA_REQUIRE(N >= 0 && N < (int64_t(1) << 31) && V > 0 && Vp >= V &&
                       V <= INT32_MAX,
                   "%s: bad sizes N=%lld V=%lld Vp=%lld (need 0 < V <= Vp)", fn,
                   (long long)N, (long long)V, (long long)Vp);
}

} // namespace

template <typename T, typename S>
void cross_entropy_forward(S *loss, S *lse, const T *logits,
                           const int32_t *targets, int64_t N, int64_t V,
                           int64_t Vp) {
  checkSizes("cross_entropy_forward", N, V, Vp);
  auto *rowLoss = static_cast<float *>(scratch(size_t(N > 0 ? N : 1) * 4));
  if (N > 0) {
    ceForwardRowKernel<<<unsigned(N), kRowThreads, 0, stream()>>>(
        lse, rowLoss, logits, targets, int(V), Vp, rowsAligned16(logits, Vp));
    PTC_CUDA_CHECK_LAUNCH();
  }
  ceForwardFinalizeKernel<<<1, kFinalThreads, 0, stream()>>>(loss, rowLoss,
                                                             targets, N);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T, typename S>
void cross_entropy_backward(T *dlogits, const T *logits, const S *lse,
                            const int32_t *targets, const S *dloss, int64_t N,
                            int64_t V, int64_t Vp) {
  checkSizes("cross_entropy_backward", N, V, Vp);
  if (N == 0)
    return;
  auto *count = static_cast<float *>(scratch(sizeof(float)));
  ceCountKernel<<<1, kFinalThreads, 0, stream()>>>(count, targets, N, V);
  PTC_CUDA_CHECK_LAUNCH();
  ceBackwardRowKernel<<<unsigned(N), kRowThreads, 0, stream()>>>(
      dlogits, logits, lse, targets, dloss, count, int(V), Vp,
      rowsAligned16(logits, Vp) && rowsAligned16(dlogits, Vp));
  PTC_CUDA_CHECK_LAUNCH();
}

#define PTC_INSTANTIATE(T, S)                                                  \
  template void cross_entropy_forward<T, S>(                                   \
      S *, S *, const T *, const int32_t *, int64_t, int64_t, int64_t);        \
  template void cross_entropy_backward<T, S>(T *, const T *, const S *,        \
                                             const int32_t *, const S *,       \
                                             int64_t, int64_t, int64_t);
PTC_INSTANTIATE(float, float)
PTC_INSTANTIATE(__nv_bfloat16, __nv_bfloat16)
// Mixed precision: bf16 logits, the loss and its statistics in f32.
PTC_INSTANTIATE(__nv_bfloat16, float)
#undef PTC_INSTANTIATE

} // namespace ptc::kernels
