//===- silu.cu - SiLU and SwiGLU (CUDA) -----------------------------------===//

#include "runtime/cuda/silu.cuh"

#include "runtime/cuda/device_utils.cuh"

namespace ptc::kernels {

using namespace ptc::cuda;

namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ float sigmoid(float x) {
  return 1.f / (1.f + expf(-x));
}
__device__ __forceinline__ float siluGrad(float x) {
  const float s = sigmoid(x);
  return s * (1.f + x * (1.f - s));
}

template <typename T>
__global__ void siluForwardKernel(T *out, const T *x, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const float v = toFloat(x[i]);
    out[i] = fromFloat<T>(v * sigmoid(v));
  }
}

template <typename T>
__global__ void siluBackwardKernel(T *dx, const T *x, const T *dout,
                                   int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    dx[i] = fromFloat<T>(toFloat(dx[i]) +
                         siluGrad(toFloat(x[i])) * toFloat(dout[i]));
}

template <typename T>
__global__ void swigluForwardKernel(T *out, const T *gate, const T *up,
                                    int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const float g = toFloat(gate[i]);
    out[i] = fromFloat<T>(g * sigmoid(g) * toFloat(up[i]));
  }
}

template <typename T>
__global__ void swigluBackwardKernel(T *dgate, T *dup, const T *gate,
                                     const T *up, const T *dout, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const float g = toFloat(gate[i]), u = toFloat(up[i]), d = toFloat(dout[i]);
    if (dgate)
      dgate[i] = fromFloat<T>(toFloat(dgate[i]) + d * u * siluGrad(g));
    if (dup)
      dup[i] = fromFloat<T>(toFloat(dup[i]) + d * g * sigmoid(g));
  }
}

void checkN(const char *fn, int64_t n) {
  PTC_CUDA_REQUIRE(n >= 0, "%s: n = %lld < 0", fn, (long long)n);
}

} // namespace

template <typename T> void silu_forward(T *out, const T *x, int64_t n) {
  checkN("silu_forward", n);
  if (n == 0)
    return;
  siluForwardKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(out, x,
                                                                       n);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void silu_backward(T *dx, const T *x, const T *dout, int64_t n) {
  checkN("silu_backward", n);
  if (n == 0)
    return;
  siluBackwardKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(
      dx, x, dout, n);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void swiglu_forward(T *out, const T *gate, const T *up, int64_t n) {
  checkN("swiglu_forward", n);
  if (n == 0)
    return;
  swigluForwardKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(
      out, gate, up, n);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void swiglu_backward(T *dgate, T *dup, const T *gate, const T *up,
                     const T *dout, int64_t n) {
  checkN("swiglu_backward", n);
  if (n == 0 || (!dgate && !dup))
    return;
  swigluBackwardKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(
      dgate, dup, gate, up, dout, n);
  PTC_CUDA_CHECK_LAUNCH();
}

#define PTC_INSTANTIATE(T)                                                     \
  template void silu_forward<T>(T *, const T *, int64_t);                      \
  template void silu_backward<T>(T *, const T *, const T *, int64_t);          \
  template void swiglu_forward<T>(T *, const T *, const T *, int64_t);         \
  template void swiglu_backward<T>(T *, T *, const T *, const T *, const T *,  \
                                   int64_t);
PTC_CUDA_FOR_FLOAT_TYPES(PTC_INSTANTIATE)
#undef PTC_INSTANTIATE

} // namespace ptc::kernels
