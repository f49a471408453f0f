//===- gelu.cu - GELU activation (CUDA) -----------------------------------===//

#include "runtime/cuda/gelu.cuh"

#include "runtime/cuda/device_utils.cuh"

namespace ptc::kernels {

using namespace ptc::cuda;

namespace {

constexpr int kThreads = 256;
constexpr float kSqrt2OverPi = 0.79788456080286535588f;
constexpr float kInvSqrt2 = 0.70710678118654752440f;
constexpr float kInvSqrt2Pi = 0.39894228040143267794f;
constexpr float kCubic = 0.044715f;

__device__ __forceinline__ float gelu(float x, bool tanhApprox) {
  if (tanhApprox)
    return 0.5f * x * (1.f + tanhf(kSqrt2OverPi * (x + kCubic * x * x * x)));
  return 0.5f * x * (1.f + erff(x * kInvSqrt2));
}

__device__ __forceinline__ float geluGrad(float x, bool tanhApprox) {
  if (tanhApprox) {
    const float th = tanhf(kSqrt2OverPi * (x + kCubic * x * x * x));
    return 0.5f * (1.f + th) + 0.5f * x * (1.f - th * th) * kSqrt2OverPi *
                                   (1.f + 3.f * kCubic * x * x);
  }
  return 0.5f * (1.f + erff(x * kInvSqrt2)) +
         x * kInvSqrt2Pi * expf(-0.5f * x * x);
}

template <typename T>
__global__ void geluForwardKernel(T *out, const T *x, int64_t n,
                                  bool tanhApprox) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    out[i] = fromFloat<T>(gelu(toFloat(x[i]), tanhApprox));
}

// dx == dout: in place, the gradient replaces dout (nothing to add to).
template <typename T>
__global__ void geluBackwardKernel(T *dx, const T *x, const T *dout, int64_t n,
                                   bool tanhApprox) {
  const bool inPlace = dx == dout;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const float d = toFloat(dout[i]);
    const float base = inPlace ? 0.f : toFloat(dx[i]);
    dx[i] = fromFloat<T>(base + geluGrad(toFloat(x[i]), tanhApprox) * d);
  }
}

// The same over 16-byte vectors (n a multiple of the width, every pointer
// 16-byte aligned): these passes are memory-bound.
template <typename T>
__global__ void geluForwardVecKernel(T *out, const T *x, int64_t nvec,
                                     bool tanhApprox) {
  using V = Vec16<T>;
  constexpr int W = V::kWidth;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < nvec;
       i += int64_t(gridDim.x) * blockDim.x) {
    float v[W];
    V::load(x + i * W, v);
#pragma unroll
    for (int j = 0; j < W; ++j)
      v[j] = gelu(v[j], tanhApprox);
    V::store(out + i * W, v);
  }
}

template <typename T>
__global__ void geluBackwardVecKernel(T *dx, const T *x, const T *dout,
                                      int64_t nvec, bool tanhApprox) {
  using V = Vec16<T>;
  constexpr int W = V::kWidth;
  const bool inPlace = dx == dout;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < nvec;
       i += int64_t(gridDim.x) * blockDim.x) {
    float xv[W], d[W], base[W];
    V::load(x + i * W, xv);
    V::load(dout + i * W, d);
    if (inPlace) {
#pragma unroll
      for (int j = 0; j < W; ++j)
        base[j] = 0.f;
    } else {
      V::load(dx + i * W, base);
    }
#pragma unroll
    for (int j = 0; j < W; ++j)
      base[j] += geluGrad(xv[j], tanhApprox) * d[j];
    V::store(dx + i * W, base);
  }
}

template <typename T> bool vectorizable(int64_t n, const void *a, const void *b,
                                        const void *c = nullptr) {
  const uintptr_t bits = reinterpret_cast<uintptr_t>(a) |
                         reinterpret_cast<uintptr_t>(b) |
                         reinterpret_cast<uintptr_t>(c);
  return bits % 16 == 0 && n % Vec16<T>::kWidth == 0;
}

} // namespace

template <typename T>
void gelu_forward(T *out, const T *x, int64_t n, int64_t tanhApprox) {
  PTC_CUDA_REQUIRE(n >= 0, "gelu_forward: n = %lld < 0", (long long)n);
  if (n == 0)
    return;
  if (vectorizable<T>(n, out, x)) {
    const int64_t nvec = n / Vec16<T>::kWidth;
    geluForwardVecKernel<<<blocksFor(nvec, kThreads, 65536), kThreads, 0,
                           stream()>>>(out, x, nvec, tanhApprox != 0);
  } else {
    geluForwardKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(
        out, x, n, tanhApprox != 0);
  }
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void gelu_backward(T *dx, const T *x, const T *dout, int64_t n,
                   int64_t tanhApprox) {
  PTC_CUDA_REQUIRE(n >= 0, "gelu_backward: n = %lld < 0", (long long)n);
  if (n == 0)
    return;
  if (vectorizable<T>(n, dx, x, dout)) {
    const int64_t nvec = n / Vec16<T>::kWidth;
    geluBackwardVecKernel<<<blocksFor(nvec, kThreads, 65536), kThreads, 0,
                            stream()>>>(dx, x, dout, nvec, tanhApprox != 0);
  } else {
    geluBackwardKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(
        dx, x, dout, n, tanhApprox != 0);
  }
  PTC_CUDA_CHECK_LAUNCH();
}

#define PTC_INSTANTIATE(T)                                                     \
  template void gelu_forward<T>(T *, const T *, int64_t, int64_t);             \
  template void gelu_backward<T>(T *, const T *, const T *, int64_t, int64_t);
PTC_CUDA_FOR_FLOAT_TYPES(PTC_INSTANTIATE)
#undef PTC_INSTANTIATE

} // namespace ptc::kernels
