//===- layernorm.cu - LayerNorm and RMSNorm (CUDA) ------------------------===//

#include "runtime/cuda/layernorm.cuh"

#include "runtime/cuda/device_utils.cuh"
#include "runtime/cuda/reduce.cuh"

namespace ptc::kernels {

using namespace ptc::cuda;

namespace {

constexpr int kThreads = 256, kRowsPerBlock = kThreads / 32;

unsigned rowBlocks(int64_t N) {
  return unsigned((N + kRowsPerBlock - 1) / kRowsPerBlock);
}

// RMS: no mean, no beta.
template <bool RMS, typename T>
__global__ void normForwardKernel(T *out, T *mean, T *rstd, const T *x,
                                  const T *gamma, const T *beta, int64_t N,
                                  int C, float eps) {
  const int64_t row = blockIdx.x * int64_t(kRowsPerBlock) + threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  if (row >= N)
    return;
  const T *xr = x + row * C;
  float m = 0;
  if (!RMS) {
    float s = 0;
    for (int c = lane; c < C; c += 32)
      s += toFloat(xr[c]);
    m = warpSum(s) / C;
  }
  float ss = 0;
  for (int c = lane; c < C; c += 32) {
    const float d = toFloat(xr[c]) - m;
    ss += d * d;
  }
  const float r = rsqrtf(warpSum(ss) / C + eps);
  T *o = out + row * C;
  for (int c = lane; c < C; c += 32) {
    float y = (toFloat(xr[c]) - m) * r * toFloat(gamma[c]);
    if (!RMS && beta)
      y += toFloat(beta[c]);
    o[c] = fromFloat<T>(y);
  }
  if (lane == 0) {
    if (!RMS && mean)
      mean[row] = fromFloat<T>(m);
    if (rstd)
      rstd[row] = fromFloat<T>(r);
  }
}

// dx += rstd * (g - mean_c(g) - xhat * mean_c(g * xhat)), g = dout * gamma
// (RMS: no mean, no mean_c(g) term).
template <bool RMS, typename T>
__global__ void normBackwardKernel(T *dx, const T *dout, const T *x,
                                   const T *gamma, const T *mean,
                                   const T *rstd, int64_t N, int C) {
  const int64_t row = blockIdx.x * int64_t(kRowsPerBlock) + threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  if (row >= N)
    return;
  const T *xr = x + row * C, *dr = dout + row * C;
  const float m = RMS ? 0.f : toFloat(mean[row]), r = toFloat(rstd[row]);
  float gSum = 0, gxSum = 0;
  for (int c = lane; c < C; c += 32) {
    const float g = toFloat(dr[c]) * toFloat(gamma[c]);
    gSum += g;
    gxSum += g * (toFloat(xr[c]) - m) * r;
  }
  const float gMean = RMS ? 0.f : warpSum(gSum) / C;
  const float gxMean = warpSum(gxSum) / C;
  T *dxr = dx + row * C;
  for (int c = lane; c < C; c += 32) {
    const float g = toFloat(dr[c]) * toFloat(gamma[c]);
    const float xhat = (toFloat(xr[c]) - m) * r;
    dxr[c] = fromFloat<T>(toFloat(dxr[c]) + r * (g - gMean - xhat * gxMean));
  }
}

// Column c of row n: (dout * xhat, dout).
template <bool RMS, typename T> struct NormParamGrads {
  const T *dout, *x, *mean, *rstd;
  int64_t C;
  __device__ void operator()(int64_t n, int64_t c, float (&acc)[2]) const {
    const float d = toFloat(dout[n * C + c]);
    const float m = RMS ? 0.f : toFloat(mean[n]);
    acc[0] += d * (toFloat(x[n * C + c]) - m) * toFloat(rstd[n]);
    acc[1] += d;
  }
};

void checkSizes(const char *fn, int64_t N, int64_t C) {
  PTC_CUDA_REQUIRE(N >= 0 && C > 0 && C <= (int64_t(1) << 30),
                   "%s: bad sizes N=%lld C=%lld", fn, (long long)N,
                   (long long)C);
}

template <bool RMS, typename T>
void forward(const char *fn, T *out, T *mean, T *rstd, const T *x,
             const T *gamma, const T *beta, int64_t N, int64_t C, double eps) {
  checkSizes(fn, N, C);
  PTC_CUDA_REQUIRE(eps >= 0, "%s: eps = %g < 0", fn, eps);
  if (N == 0)
    return;
  normForwardKernel<RMS><<<rowBlocks(N), kThreads, 0, stream()>>>(
      out, mean, rstd, x, gamma, beta, N, int(C), float(eps));
  PTC_CUDA_CHECK_LAUNCH();
}

template <bool RMS, typename T>
void backward(const char *fn, T *dx, T *dgamma, T *dbeta, const T *dout,
              const T *x, const T *gamma, const T *mean, const T *rstd,
              int64_t N, int64_t C) {
  checkSizes(fn, N, C);
  if (N == 0)
    return;
  normBackwardKernel<RMS><<<rowBlocks(N), kThreads, 0, stream()>>>(
      dx, dout, x, gamma, mean, rstd, N, int(C));
  PTC_CUDA_CHECK_LAUNCH();
  if (dgamma || dbeta) {
    T *const outs[2] = {dgamma, dbeta};
    columnSums<2>(outs, N, C, /*accumulate=*/true,
                  NormParamGrads<RMS, T>{dout, x, mean, rstd, C});
  }
}

} // namespace

template <typename T>
void layernorm_forward(T *out, T *mean, T *rstd, const T *x, const T *gamma,
                       const T *beta, int64_t N, int64_t C, double eps) {
  forward<false>("layernorm_forward", out, mean, rstd, x, gamma, beta, N, C,
                 eps);
}
template <typename T>
void layernorm_forward_nobias(T *out, T *mean, T *rstd, const T *x,
                              const T *gamma, int64_t N, int64_t C,
                              double eps) {
  forward<false>("layernorm_forward_nobias", out, mean, rstd, x, gamma,
                 (const T *)nullptr, N, C, eps);
}
template <typename T>
void layernorm_backward(T *dx, T *dgamma, T *dbeta, const T *dout, const T *x,
                        const T *gamma, const T *mean, const T *rstd,
                        int64_t N, int64_t C) {
  backward<false>("layernorm_backward", dx, dgamma, dbeta, dout, x, gamma,
                  mean, rstd, N, C);
}
template <typename T>
void layernorm_backward_nobias(T *dx, T *dgamma, const T *dout, const T *x,
                               const T *gamma, const T *mean, const T *rstd,
                               int64_t N, int64_t C) {
  backward<false>("layernorm_backward_nobias", dx, dgamma, (T *)nullptr, dout,
                  x, gamma, mean, rstd, N, C);
}
template <typename T>
void rmsnorm_forward(T *out, T *rstd, const T *x, const T *gamma, int64_t N,
                     int64_t C, double eps) {
  forward<true>("rmsnorm_forward", out, (T *)nullptr, rstd, x, gamma,
                (const T *)nullptr, N, C, eps);
}
template <typename T>
void rmsnorm_backward(T *dx, T *dgamma, const T *dout, const T *x,
                      const T *gamma, const T *rstd, int64_t N, int64_t C) {
  backward<true>("rmsnorm_backward", dx, dgamma, (T *)nullptr, dout, x, gamma,
                 (const T *)nullptr, rstd, N, C);
}

#define PTC_INSTANTIATE(T)                                                     \
  template void layernorm_forward<T>(T *, T *, T *, const T *, const T *,      \
                                     const T *, int64_t, int64_t, double);     \
  template void layernorm_forward_nobias<T>(T *, T *, T *, const T *,          \
                                            const T *, int64_t, int64_t,       \
                                            double);                           \
  template void layernorm_backward<T>(T *, T *, T *, const T *, const T *,     \
                                      const T *, const T *, const T *,         \
                                      int64_t, int64_t);                       \
  template void layernorm_backward_nobias<T>(T *, T *, const T *, const T *,   \
                                             const T *, const T *, const T *,  \
                                             int64_t, int64_t);                \
  template void rmsnorm_forward<T>(T *, T *, const T *, const T *, int64_t,    \
                                   int64_t, double);                           \
  template void rmsnorm_backward<T>(T *, T *, const T *, const T *, const T *, \
                                    const T *, int64_t, int64_t);
PTC_CUDA_FOR_FLOAT_TYPES(PTC_INSTANTIATE)
#undef PTC_INSTANTIATE

} // namespace ptc::kernels
